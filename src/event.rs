//! The parts of a Kubernetes `audit.k8s.io` Event that the profiles read, and an event read
//! once for every profile: its typed fields and, when a profile mirrors the whole event, its
//! members as exact text.
//!
//! Typed and borrowed: strings point into the event text unless they had escapes, subtrees
//! that are not read (`managedFields`, most of `requestObject`/`responseObject`) are skipped
//! without being built, and every field is lenient (see [`crate::lenient`]).

use std::borrow::Cow;
use std::fmt;

use serde_json::value::RawValue;

use crate::TransformError;
use crate::document::Node;
use crate::lenient::{
    Boolean, FromMembers, Integer, Member, Object, ObjectOr, Raw, RawList, SourceIps, Text,
    TextList, lenient_struct, object_members,
};

/// An event text, read once: the typed fields every profile reads, and the event's members
/// for the profiles that copy the whole event (`kubernetes.audit` in `ecs`).
#[derive(Debug)]
pub(crate) struct Event<'a> {
    /// The typed fields.
    pub(crate) fields: AuditEvent<'a>,
    /// Every top-level member as its exact text, in order (a repeated key: its first position,
    /// its last value); empty unless asked for.
    pub(crate) members: Vec<Member<'a>>,
    /// Whether the members' text is one line and free of `\u` surrogate escapes, so it can be
    /// written back without checks (computed with the members).
    pub(crate) verbatim: bool,
}

impl<'a> Event<'a> {
    /// Reads an event text (an audit event or an `EventList`; the caller tells them apart).
    /// With `whole`, the members are kept too; the text is still parsed once, and the typed
    /// fields are read from the members that hold them. `source` names the text in errors.
    pub(crate) fn parse(
        text: &'a str,
        source: &dyn fmt::Display,
        whole: bool,
    ) -> Result<Self, TransformError> {
        if whole {
            let members = object_members(text, source)?;
            return Ok(Event::from_members(text, members, true));
        }
        match serde_json::from_str::<ObjectOr<AuditEvent<'a>>>(text) {
            Ok(ObjectOr::Object(fields)) => Ok(Event {
                fields,
                members: Vec::new(),
                verbatim: false,
            }),
            Ok(ObjectOr::Other(found)) => Err(TransformError::not_an_object(source, found.name())),
            Err(error) => Err(TransformError::from_json(source, &error)),
        }
    }
}

impl<'a> Event<'a> {
    /// The event whose members (of the event text `text`) were already read, as a bare
    /// record's are: its typed fields are read from them, and they are kept when `whole`.
    pub(crate) fn from_members(text: &str, members: Vec<Member<'a>>, whole: bool) -> Self {
        let fields = AuditEvent::from_members(&members);
        if !whole {
            return Event {
                fields,
                members: Vec::new(),
                verbatim: false,
            };
        }
        Event {
            fields,
            members,
            // Whitespace around the object (a line's `\n`) is in no member.
            verbatim: !crate::json_text::needs_checks(text.trim_ascii()),
        }
    }
}

impl<'a> Event<'a> {
    /// A member (or part of one) of the event, to copy into a document as received: written
    /// without checks when the event text has no line break or surrogate escape, else checked
    /// as it is written (`document::Node::Raw`).
    pub(crate) fn copied(&self, raw: &'a RawValue) -> Node<'a> {
        if self.verbatim {
            Node::Verbatim(raw.get())
        } else {
            Node::Raw(raw)
        }
    }
}

lenient_struct! {
    /// One audit event (`kind: Event`), or a webhook batch (`kind: EventList`, with `items`).
    pub(crate) struct AuditEvent<'a> {
        "kind" => kind: Text<'a>,
        "apiVersion" => api_version: Text<'a>,
        /// How much the policy logged: `Metadata`, `Request`, `RequestResponse`.
        "level" => level: Text<'a>,
        "auditID" => audit_id: Text<'a>,
        "stage" => stage: Text<'a>,
        "verb" => verb: Text<'a>,
        "requestURI" => request_uri: Text<'a>,
        "user" => user: Object<UserInfo<'a>>,
        "impersonatedUser" => impersonated_user: Object<UserInfo<'a>>,
        "sourceIPs" => source_ips: SourceIps<'a>,
        "userAgent" => user_agent: Text<'a>,
        "objectRef" => object_ref: Object<ObjectReference<'a>>,
        "responseStatus" => response_status: Object<Status<'a>>,
        /// Read on demand ([`AuditEvent::request_object`]): most events are not asked about
        /// their request body, which can be most of their bytes.
        "requestObject" => request_object: Raw<'a>,
        /// Read on demand, for the object's name ([`AuditEvent::object_name`]).
        "responseObject" => response_object: Raw<'a>,
        "requestReceivedTimestamp" => request_received_timestamp: Text<'a>,
        "stageTimestamp" => stage_timestamp: Text<'a>,
        /// The older `audit.k8s.io/v1beta1` events carry only this timestamp.
        "timestamp" => timestamp: Text<'a>,
        "annotations" => annotations: Object<Annotations<'a>>,
        /// The events of an `EventList`, each as its exact text.
        "items" => items: RawList<'a>,
    }
}

impl<'a> AuditEvent<'a> {
    /// An audit event has an `auditID` or says `kind: Event`.
    pub(crate) fn is_event(&self) -> bool {
        self.audit_id.0.is_some() || self.kind.as_deref() == Some("Event")
    }

    /// A webhook batch says `kind: EventList`.
    pub(crate) fn is_event_list(&self) -> bool {
        self.kind.as_deref() == Some("EventList")
    }

    /// The request time: `requestReceivedTimestamp`, or for an event without it (the older
    /// `audit.k8s.io/v1beta1` shape) its `timestamp`; as written, not yet normalised.
    pub(crate) fn request_time(&self) -> Option<&Cow<'a, str>> {
        self.request_received_timestamp
            .0
            .as_ref()
            .or(self.timestamp.0.as_ref())
    }

    /// Whether the stage logged is the request's last (`ResponseComplete`, or `Panic`): only
    /// then is the stage time the request's end.
    pub(crate) fn stage_ended(&self) -> bool {
        matches!(self.stage.as_deref(), Some("ResponseComplete" | "Panic"))
    }

    /// The authorizer's decision annotation (`allow`, `forbid`).
    pub(crate) fn decision(&self) -> Option<&str> {
        self.annotations.0.as_ref()?.decision.as_deref()
    }

    /// The response's HTTP status code, when there is one.
    pub(crate) fn status_code(&self) -> Option<i64> {
        self.response_status.0.as_ref()?.code.0
    }

    /// The status code when it is one HTTP can carry (100 or more): what the ecs and ocsf
    /// profiles write as the response's code.
    pub(crate) fn http_status_code(&self) -> Option<i64> {
        self.status_code().filter(|&code| code >= 100)
    }

    /// The target object's name: `objectRef.name`, or when that is absent (or `null`, or
    /// `""`) the response object's `metadata.name` (a `create` with `generateName`).
    pub(crate) fn object_name(&self) -> Option<Cow<'a, str>> {
        if let Some(name) = self.object_ref.0.as_ref().and_then(|o| o.name.0.as_ref()) {
            return Some(name.clone());
        }
        let response = self.response_object.0?;
        let Object(Some(response)) =
            serde_json::from_str::<Object<ResponseObject<'a>>>(response.get()).ok()?
        else {
            return None;
        };
        response.metadata.0?.name.0
    }

    /// The request body, read now (it was kept as its text).
    pub(crate) fn request_object(&self) -> Option<RequestObject<'a>> {
        let request = self.request_object.0?;
        serde_json::from_str::<Object<RequestObject<'a>>>(request.get())
            .ok()
            .and_then(|object| object.0)
    }
}

lenient_struct! {
    /// An authenticated or impersonated user.
    pub(crate) struct UserInfo<'a> {
        "username" => username: Text<'a>,
        "uid" => uid: Text<'a>,
        "groups" => groups: TextList<'a>,
        /// What the authenticator added (`ocsf` copies it and reads a few keys); kept as text.
        "extra" => extra: Raw<'a>,
    }
}

lenient_struct! {
    /// The object a request targets.
    pub(crate) struct ObjectReference<'a> {
        "resource" => resource: Text<'a>,
        "namespace" => namespace: Text<'a>,
        "name" => name: Text<'a>,
        "uid" => uid: Text<'a>,
        "apiGroup" => api_group: Text<'a>,
        "apiVersion" => api_version: Text<'a>,
        "subresource" => subresource: Text<'a>,
        "resourceVersion" => resource_version: Text<'a>,
    }
}

lenient_struct! {
    /// The response status: its HTTP code, its `Success`/`Failure` word, and for a failure
    /// its machine-readable reason (`Forbidden`) and message.
    pub(crate) struct Status<'a> {
        "code" => code: Integer,
        "status" => status: Text<'a>,
        "reason" => reason: Text<'a>,
        "message" => message: Text<'a>,
    }
}

lenient_struct! {
    /// The request body: a pod's spec, a binding's role reference.
    pub(crate) struct RequestObject<'a> {
        "spec" => spec: Object<PodSpec<'a>>,
        "roleRef" => role_ref: Object<RoleRef<'a>>,
    }
}

lenient_struct! {
    /// The workload-security parts of a pod spec (extended profile).
    pub(crate) struct PodSpec<'a> {
        "hostNetwork" => host_network: Boolean,
        "containers" => containers: Raw<'a>,
        "volumes" => volumes: Raw<'a>,
    }
}

lenient_struct! {
    /// A RoleBinding's or ClusterRoleBinding's `roleRef`.
    pub(crate) struct RoleRef<'a> {
        "name" => name: Text<'a>,
    }
}

lenient_struct! {
    /// The response body; only its object name is read.
    pub(crate) struct ResponseObject<'a> {
        "metadata" => metadata: Object<ObjectMeta<'a>>,
    }
}

lenient_struct! {
    /// Object metadata.
    pub(crate) struct ObjectMeta<'a> {
        "name" => name: Text<'a>,
    }
}

lenient_struct! {
    /// The authorizer's annotations.
    pub(crate) struct Annotations<'a> {
        "authorization.k8s.io/decision" => decision: Text<'a>,
        "authorization.k8s.io/reason" => reason: Text<'a>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_event_reads_the_same_typed_fields() {
        let text = r#"{"kind":"Event","auditID":"a","auditID":"b","verb":"get","user":{"username":"al\u0069ce","groups":["g"]},"sourceIPs":["x","10.0.0.1"],"objectRef":{"name":""},"responseObject":{"metadata":{"name":"n"}},"zz":[{}]}"#;
        let typed = Event::parse(text, &"e", false).unwrap();
        let whole = Event::parse(text, &"e", true).unwrap();
        assert!(typed.members.is_empty());
        let keys: Vec<&str> = whole.members.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(
            keys,
            [
                "kind",
                "auditID",
                "verb",
                "user",
                "sourceIPs",
                "objectRef",
                "responseObject",
                "zz"
            ]
        );
        for event in [&typed.fields, &whole.fields] {
            assert_eq!(event.audit_id.as_deref(), Some("b"));
            assert_eq!(
                event.user.0.as_ref().unwrap().username.as_deref(),
                Some("alice")
            );
            assert_eq!(event.source_ips.all, ["x", "10.0.0.1"]);
            assert_eq!(event.object_name().as_deref(), Some("n"));
        }
    }

    #[test]
    fn errors_are_the_same_either_way() {
        for whole in [false, true] {
            let error = Event::parse("[1]", &"the `message` field", whole).unwrap_err();
            assert_eq!(
                error.to_string(),
                "the `message` field is a JSON array, not an object"
            );
            let error = Event::parse("{\"a\":", &"x", whole).unwrap_err();
            assert_eq!(error.keyword(), "invalid_json");
        }
    }
}

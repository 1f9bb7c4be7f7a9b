//! What kind of request an event records: `event.category`, `event.type` and
//! `http.request.method` (docs/profiles.md, "ecs": "event.type: the activity").

use std::borrow::Cow;

use crate::event::AuditEvent;

/// The request an event records, as the classification reads it.
pub(in crate::profile) struct Request<'e> {
    /// The verb.
    pub(in crate::profile) verb: Option<&'e str>,
    /// The target's resource, when the request is a resource request.
    pub(in crate::profile) resource: Option<&'e str>,
    /// Its subresource.
    pub(in crate::profile) subresource: Option<&'e str>,
    /// Whether it targets an object (an `objectRef` with something in it), rather than a
    /// non-resource URL such as `/healthz`.
    pub(in crate::profile) is_resource: bool,
}

/// The resources whose writes are identity and access management.
const RBAC: [&str; 4] = [
    "roles",
    "clusterroles",
    "rolebindings",
    "clusterrolebindings",
];
/// The verbs that write.
const WRITES: [&str; 5] = ["create", "update", "patch", "delete", "deletecollection"];
/// The questions a client asks with `create`; nothing is stored.
const REVIEWS: [&str; 6] = [
    "tokenreviews",
    "subjectaccessreviews",
    "selfsubjectaccessreviews",
    "selfsubjectrulesreviews",
    "localsubjectaccessreviews",
    "selfsubjectreviews",
];
/// The subresources that open a connection to a pod or service, whatever the verb.
pub(super) const CONNECTIONS: [&str; 4] = ["exec", "attach", "portforward", "proxy"];

/// `event.category` and `event.type`.
pub(super) struct Classified {
    pub(super) categories: &'static [&'static str],
    /// The types, `count` of them: the activity's, the identity kind's, the decision's.
    types: [&'static str; 3],
    count: usize,
}

impl Classified {
    /// `event.type`, in order.
    pub(super) fn types(&self) -> &[&'static str] {
        self.types.get(..self.count).unwrap_or_default()
    }
}

impl<'e> Request<'e> {
    /// Reads the request from the event.
    pub(in crate::profile) fn of(event: &'e AuditEvent<'_>) -> Self {
        let object = event.object_ref.0.as_ref();
        let is_resource = object.is_some_and(|o| {
            [
                &o.resource,
                &o.namespace,
                &o.name,
                &o.uid,
                &o.api_group,
                &o.api_version,
                &o.subresource,
            ]
            .iter()
            .any(|text| text.0.is_some())
        });
        Request {
            verb: event.verb.as_deref(),
            resource: object.and_then(|o| o.resource.as_deref()),
            subresource: object.and_then(|o| o.subresource.as_deref()),
            is_resource,
        }
    }

    /// Whether the verb is `verb`.
    pub(super) fn verb_is(&self, verb: &str) -> bool {
        self.verb == Some(verb)
    }

    /// Whether the resource is one of `resources`.
    pub(super) fn resource_in(&self, resources: &[&str]) -> bool {
        self.resource.is_some_and(|r| resources.contains(&r))
    }

    /// The activity: `access`, `info`, `creation`, `change` or `deletion`.
    fn activity(&self) -> &'static str {
        let verb = self.verb.unwrap_or_default();
        if !self.is_resource {
            return if matches!(verb, "get" | "head") {
                "access"
            } else {
                "info"
            };
        }
        if self.subresource.is_some_and(|s| CONNECTIONS.contains(&s)) {
            return "access";
        }
        match verb {
            "get" | "list" | "watch" => "access",
            "create" if self.resource_in(&REVIEWS) => "info",
            "create" if self.subresource.is_none() => "creation",
            "create"
                if self.resource_in(&["serviceaccounts"]) && self.subresource == Some("token") =>
            {
                "creation"
            }
            "create" | "update" | "patch" => "change",
            "delete" | "deletecollection" => "deletion",
            _ => "info",
        }
    }

    /// `event.category` (`api`, and `iam` for writes to roles, bindings and service
    /// accounts) and `event.type` (the activity; `admin` or `user` for those writes; `allowed`
    /// or `denied` by the authorizer's `decision`).
    pub(super) fn classify(&self, decision: Option<&str>) -> Classified {
        let writes = self.verb.is_some_and(|v| WRITES.contains(&v));
        let identity = if self.resource_in(&RBAC) {
            Some("admin")
        } else if self.resource_in(&["serviceaccounts"]) {
            Some("user")
        } else {
            None
        };
        let identity = identity.filter(|_| writes && self.is_resource);
        let decided = match decision {
            Some("allow") => Some("allowed"),
            Some("forbid") => Some("denied"),
            _ => None,
        };
        let mut types = ["", "", ""];
        let mut count = 0;
        for kind in [Some(self.activity()), identity, decided]
            .into_iter()
            .flatten()
        {
            if let Some(slot) = types.get_mut(count) {
                *slot = kind;
                count += 1;
            }
        }
        Classified {
            categories: if identity.is_some() {
                &["api", "iam"]
            } else {
                &["api"]
            },
            types,
            count,
        }
    }

    /// `http.request.method`: the method a resource verb is sent with; a non-resource
    /// request's verb upper-cased.
    pub(in crate::profile) fn http_method(&self) -> Option<Cow<'static, str>> {
        let verb = self.verb?;
        if !self.is_resource {
            return Some(Cow::Owned(verb.to_ascii_uppercase()));
        }
        let method = match verb {
            "create" => "POST",
            "update" => "PUT",
            "patch" => "PATCH",
            "delete" | "deletecollection" => "DELETE",
            "get" | "list" | "watch" => "GET",
            _ => return None,
        };
        Some(Cow::Borrowed(method))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(event: &str) -> (Vec<String>, Vec<String>, Option<String>) {
        let event: AuditEvent<'_> = serde_json::from_str(event).unwrap();
        let request = Request::of(&event);
        let classified = request.classify(event.decision());
        let text = |list: &[&str]| list.iter().map(|item| item.to_string()).collect();
        (
            text(classified.categories),
            text(classified.types()),
            request.http_method().map(Cow::into_owned),
        )
    }

    #[test]
    fn activities_follow_the_first_matching_row() {
        for (verb, object, activity, method) in [
            (
                "create",
                r#"{"resource":"pods","subresource":"exec"}"#,
                "access",
                Some("POST"),
            ),
            (
                "get",
                r#"{"resource":"pods","subresource":"exec"}"#,
                "access",
                Some("GET"),
            ),
            (
                "create",
                r#"{"resource":"services","subresource":"proxy"}"#,
                "access",
                Some("POST"),
            ),
            ("list", r#"{"resource":"pods"}"#, "access", Some("GET")),
            (
                "create",
                r#"{"resource":"tokenreviews"}"#,
                "info",
                Some("POST"),
            ),
            ("create", r#"{"resource":"pods"}"#, "creation", Some("POST")),
            (
                "create",
                r#"{"resource":"serviceaccounts","subresource":"token"}"#,
                "creation",
                Some("POST"),
            ),
            (
                "create",
                r#"{"resource":"pods","subresource":"eviction"}"#,
                "change",
                Some("POST"),
            ),
            (
                "patch",
                r#"{"resource":"deployments","subresource":"scale"}"#,
                "change",
                Some("PATCH"),
            ),
            (
                "deletecollection",
                r#"{"resource":"pods"}"#,
                "deletion",
                Some("DELETE"),
            ),
            ("escalate", r#"{"resource":"clusterroles"}"#, "info", None),
            ("get", "{}", "access", Some("GET")),
            ("post", "null", "info", Some("POST")),
        ] {
            let event = format!(r#"{{"verb":"{verb}","objectRef":{object}}}"#);
            let (_, types, http) = classify(&event);
            assert_eq!(types[0], activity, "{event}");
            assert_eq!(http.as_deref(), method, "{event}");
        }
    }

    #[test]
    fn identity_writes_are_iam() {
        let (categories, types, _) = classify(
            r#"{"verb":"create","objectRef":{"resource":"serviceaccounts","subresource":"token"},"annotations":{"authorization.k8s.io/decision":"allow"}}"#,
        );
        assert_eq!(categories, ["api", "iam"]);
        assert_eq!(types, ["creation", "user", "allowed"]);
        let (categories, types, _) = classify(
            r#"{"verb":"delete","objectRef":{"resource":"rolebindings"},"annotations":{"authorization.k8s.io/decision":"forbid"}}"#,
        );
        assert_eq!(categories, ["api", "iam"]);
        assert_eq!(types, ["deletion", "admin", "denied"]);
        let (categories, _, _) = classify(r#"{"verb":"get","objectRef":{"resource":"roles"}}"#);
        assert_eq!(categories, ["api"]);
    }
}

//! The parts of a Kubernetes `audit.k8s.io` Event that the mapping reads.
//!
//! Typed and borrowed: strings point into the event text unless they had escapes, subtrees
//! that are not read (`managedFields`, most of `requestObject`/`responseObject`) are skipped
//! without being built, and every field is lenient (see [`crate::lenient`]).

use crate::lenient::{
    Boolean, FirstText, Integer, Object, Raw, RawList, Text, TextList, lenient_struct,
};

lenient_struct! {
    /// One audit event (`kind: Event`), or a webhook batch (`kind: EventList`, with `items`).
    pub(crate) struct AuditEvent<'a> {
        "kind" => kind: Text<'a>,
        "auditID" => audit_id: Text<'a>,
        "verb" => verb: Text<'a>,
        "requestURI" => request_uri: Text<'a>,
        "user" => user: Object<UserInfo<'a>>,
        "impersonatedUser" => impersonated_user: Object<UserInfo<'a>>,
        "sourceIPs" => first_source_ip: FirstText<'a>,
        "userAgent" => user_agent: Text<'a>,
        "objectRef" => object_ref: Object<ObjectReference<'a>>,
        "responseStatus" => response_status: Object<Status>,
        "requestObject" => request_object: Object<RequestObject<'a>>,
        "responseObject" => response_object: Object<ResponseObject<'a>>,
        "requestReceivedTimestamp" => request_received_timestamp: Text<'a>,
        /// The older `audit.k8s.io/v1beta1` events carry only this timestamp.
        "timestamp" => timestamp: Text<'a>,
        "annotations" => annotations: Object<Annotations<'a>>,
        /// The events of an `EventList`, each as its exact text.
        "items" => items: RawList<'a>,
    }
}

impl AuditEvent<'_> {
    /// An audit event has an `auditID` or says `kind: Event`.
    pub(crate) fn is_event(&self) -> bool {
        self.audit_id.0.is_some() || self.kind.as_deref() == Some("Event")
    }

    /// A webhook batch says `kind: EventList`.
    pub(crate) fn is_event_list(&self) -> bool {
        self.kind.as_deref() == Some("EventList")
    }
}

lenient_struct! {
    /// An authenticated or impersonated user.
    pub(crate) struct UserInfo<'a> {
        "username" => username: Text<'a>,
        "uid" => uid: Text<'a>,
        "groups" => groups: TextList<'a>,
    }
}

lenient_struct! {
    /// The object a request targets.
    pub(crate) struct ObjectReference<'a> {
        "resource" => resource: Text<'a>,
        "namespace" => namespace: Text<'a>,
        "name" => name: Text<'a>,
        "apiGroup" => api_group: Text<'a>,
        "subresource" => subresource: Text<'a>,
    }
}

lenient_struct! {
    /// The response status; only its HTTP code is read.
    pub(crate) struct Status {
        "code" => code: Integer,
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

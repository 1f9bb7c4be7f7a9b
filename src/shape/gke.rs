//! GKE: a Cloud Audit Log entry rebuilt into an `audit.k8s.io/v1` Event (docs/record-shapes.md,
//! "GKE"). GKE does not keep the API server's event: it writes a `LogEntry` whose
//! `protoPayload` is an `AuditLog`. The rebuilt event goes through the profile like any other;
//! the document keeps the entry's own text. Nothing is invented: a member whose source is
//! missing or empty is left out.

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::{Found, Item, Metadata, Original, Scope, Source, Surround, Visit};
use crate::TransformError;
use crate::document::{Fields, Node};
use crate::lenient::{Object, Raw, Text, lenient_struct, object_members};

lenient_struct! {
    /// The members of a `LogEntry` that are read.
    pub(crate) struct LogEntry<'a> {
        "insertId" => insert_id: Text<'a>,
        "timestamp" => timestamp: Text<'a>,
        "labels" => labels: Raw<'a>,
        "protoPayload" => payload: Object<AuditLog<'a>>,
        "resource" => resource: Object<MonitoredResource<'a>>,
    }
}

lenient_struct! {
    /// `protoPayload`: a `google.cloud.audit.AuditLog`.
    pub(crate) struct AuditLog<'a> {
        "serviceName" => service_name: Text<'a>,
        "methodName" => method_name: Text<'a>,
        "authenticationInfo" => authentication: Object<AuthenticationInfo<'a>>,
        "requestMetadata" => request_metadata: Object<RequestMetadata<'a>>,
        "resourceName" => resource_name: Text<'a>,
        "request" => request: Raw<'a>,
        "response" => response: Raw<'a>,
        "status" => status: Raw<'a>,
    }
}

lenient_struct! {
    /// Who made the request.
    pub(crate) struct AuthenticationInfo<'a> {
        "principalEmail" => principal_email: Text<'a>,
        "authoritySelector" => authority_selector: Text<'a>,
    }
}

lenient_struct! {
    /// Where the request came from.
    pub(crate) struct RequestMetadata<'a> {
        "callerIp" => caller_ip: Text<'a>,
        "callerSuppliedUserAgent" => user_agent: Text<'a>,
    }
}

lenient_struct! {
    /// The entry's `resource`.
    pub(crate) struct MonitoredResource<'a> {
        "labels" => labels: Object<ResourceLabels<'a>>,
    }
}

lenient_struct! {
    /// `resource.labels`: where the cluster is.
    pub(crate) struct ResourceLabels<'a> {
        "project_id" => project_id: Text<'a>,
        "cluster_name" => cluster_name: Text<'a>,
        "location" => location: Text<'a>,
    }
}

lenient_struct! {
    /// The parts of `response` and `status` the status is read from, kept as their text so
    /// that only JSON integers count as codes.
    pub(crate) struct StatusParts<'a> {
        "kind" => kind: Text<'a>,
        "code" => code: Raw<'a>,
    }
}

/// Rule (e): `protoPayload.serviceName` is `k8s.io`.
pub(crate) fn is_entry(fields: &Fields<'_>) -> bool {
    fields.raw("protoPayload").is_some_and(|raw| {
        serde_json::from_str::<Object<AuditLog<'_>>>(raw.get()).is_ok_and(|payload| {
            payload
                .0
                .is_some_and(|p| p.service_name.as_deref() == Some("k8s.io"))
        })
    })
}

/// Rebuilds the event of the entry `text` and hands it over; the document keeps `text`.
pub(crate) fn read(text: &str, visit: &mut Visit<'_>) -> Result<(), TransformError> {
    let entry: LogEntry<'_> = serde_json::from_str(text)
        .map_err(|error| TransformError::from_json(&"the LogEntry", &error))?;
    let event = rebuild(&entry).to_json(text.len());
    let metadata = metadata(&entry);
    visit(Item::Event(Found {
        text: &event,
        original: Original::Text(text),
        surround: Surround::EventText,
        source: Source::LogEntry,
        scope: Scope::Event,
        metadata: &metadata,
        list_api_version: None,
        members: None,
    }))
}

/// The `audit.k8s.io/v1` Event an entry records.
fn rebuild<'a>(entry: &LogEntry<'a>) -> Fields<'a> {
    let mut event = Fields::with_capacity(16);
    let text = |value: &Text<'a>| value.0.clone().map(Node::Text);
    let payload = entry.payload.0.as_ref();
    let authentication = payload.and_then(|p| p.authentication.0.as_ref());
    let caller = payload.and_then(|p| p.request_metadata.0.as_ref());
    let resource = payload
        .and_then(|p| p.resource_name.as_deref())
        .map(ResourceName::parse);
    let verb = payload
        .and_then(|p| p.method_name.as_deref())
        .and_then(|method| method.rsplit('.').next())
        .filter(|verb| !verb.is_empty())
        .map(|verb| Node::Text(Cow::Owned(verb.to_owned())));
    let user = |name: Option<&Text<'a>>| {
        name.and_then(text).map(|name| {
            let mut user = Fields::with_capacity(1);
            user.push(Cow::Borrowed("username"), name);
            Node::Object(user)
        })
    };
    let members: [(&'static str, Option<Node<'a>>); 16] = [
        ("kind", Some(Node::Text(Cow::Borrowed("Event")))),
        (
            "apiVersion",
            Some(Node::Text(Cow::Borrowed("audit.k8s.io/v1"))),
        ),
        ("auditID", text(&entry.insert_id)),
        (
            "requestURI",
            resource
                .as_ref()
                .map(|r| Node::Text(Cow::Owned(r.request_uri.clone()))),
        ),
        ("verb", verb),
        ("user", user(authentication.map(|a| &a.principal_email))),
        (
            "impersonatedUser",
            user(authentication.map(|a| &a.authority_selector)),
        ),
        (
            "sourceIPs",
            caller
                .and_then(|c| c.caller_ip.0.clone())
                .map(|ip| Node::TextList(vec![ip])),
        ),
        ("userAgent", caller.and_then(|c| text(&c.user_agent))),
        (
            "objectRef",
            resource.as_ref().and_then(ResourceName::object_ref),
        ),
        ("responseStatus", payload.and_then(response_status)),
        (
            "requestObject",
            payload.and_then(|p| without_type(p.request.0?)),
        ),
        (
            "responseObject",
            payload.and_then(|p| without_type(p.response.0?)),
        ),
        ("requestReceivedTimestamp", text(&entry.timestamp)),
        ("stageTimestamp", text(&entry.timestamp)),
        (
            "annotations",
            entry.labels.0.filter(|raw| !is_empty(raw)).map(Node::Raw),
        ),
    ];
    for (key, node) in members {
        if let Some(node) = node {
            event.push(Cow::Borrowed(key), node);
        }
    }
    event
}

/// `requestObject`/`responseObject`: the value without its top-level `@type`; absent when
/// nothing is left.
fn without_type(raw: &RawValue) -> Option<Node<'_>> {
    let Ok(members) = object_members(raw.get(), &"the member") else {
        return (!is_empty(raw)).then_some(Node::Raw(raw));
    };
    let kept: Vec<_> = members
        .into_iter()
        .filter(|(key, _)| key != "@type")
        .collect();
    (!kept.is_empty()).then(|| Node::Object(Fields::from_members(kept)))
}

/// Whether a JSON value is `null`, `""`, `{}` or `[]`.
fn is_empty(raw: &RawValue) -> bool {
    let text = raw.get().trim();
    match text.as_bytes().first() {
        Some(b'n') => true,
        Some(b'"') => text == "\"\"",
        Some(b'{' | b'[') => text[1..text.len() - 1].trim().is_empty(),
        _ => false,
    }
}

/// `responseStatus`: the code of a Kubernetes Status response, else of the rpc status mapped
/// to HTTP; `Failure` for a non-zero rpc code, `Success` for a status without one.
fn response_status<'a>(payload: &AuditLog<'a>) -> Option<Node<'a>> {
    let parts = |raw: Option<&'a RawValue>| {
        raw.and_then(|raw| serde_json::from_str::<Object<StatusParts<'a>>>(raw.get()).ok())
            .and_then(|parts| parts.0)
    };
    let integer = |raw: Option<&RawValue>| raw.and_then(|raw| raw.get().parse::<i64>().ok());
    let response_code = parts(payload.response.0)
        .filter(|response| response.kind.as_deref() == Some("Status"))
        .and_then(|response| integer(response.code.0));
    let rpc = parts(payload.status.0);
    let rpc_code = rpc
        .as_ref()
        .and_then(|status| integer(status.code.0))
        .filter(|&code| code != 0);
    let code = response_code.or_else(|| rpc_code.and_then(http_status));
    let status = rpc.map(|_| {
        if rpc_code.is_some() {
            "Failure"
        } else {
            "Success"
        }
    });
    let mut fields = Fields::with_capacity(2);
    if let Some(code) = code {
        fields.push(Cow::Borrowed("code"), Node::Integer(code));
    }
    if let Some(status) = status {
        fields.push(Cow::Borrowed("status"), Node::Text(Cow::Borrowed(status)));
    }
    (code.is_some() || status.is_some()).then_some(Node::Object(fields))
}

/// The HTTP status google/rpc/code.proto gives for a non-zero rpc code.
fn http_status(rpc: i64) -> Option<i64> {
    Some(match rpc {
        1 => 499,
        2 | 13 | 15 => 500,
        3 | 9 | 11 => 400,
        4 => 504,
        5 => 404,
        6 | 10 => 409,
        7 => 403,
        8 => 429,
        12 => 501,
        14 => 503,
        16 => 401,
        _ => return None,
    })
}

/// What a `resourceName` says: the object a resource request targets, and the request path.
#[derive(Debug, Default, PartialEq, Eq)]
struct ResourceName {
    api_group: Option<String>,
    api_version: Option<String>,
    namespace: Option<String>,
    resource: Option<String>,
    name: Option<String>,
    subresource: Option<String>,
    /// The request path rebuilt without a query (GKE does not keep it).
    request_uri: String,
}

impl ResourceName {
    fn parse(name: &str) -> Self {
        let segments: Vec<&str> = name.split('/').collect();
        let is_resource = segments.len() >= 3
            && segments.iter().all(|segment| !segment.is_empty())
            && is_version(segments[1]);
        if !is_resource {
            return ResourceName {
                request_uri: format!("/{name}"),
                ..ResourceName::default()
            };
        }
        let owned = |segment: Option<&&str>| segment.map(|s| (*s).to_owned());
        let (group, rest) = (segments[0], &segments[2..]);
        let mut parsed = ResourceName {
            api_group: (group != "core").then(|| group.to_owned()),
            api_version: Some(segments[1].to_owned()),
            request_uri: match name.strip_prefix("core/") {
                Some(path) if group == "core" => format!("/api/{path}"),
                _ => format!("/apis/{name}"),
            },
            ..ResourceName::default()
        };
        match rest {
            // A namespace's own subresources, as the API server reads them.
            ["namespaces", namespace, sub @ ("status" | "finalize")] => {
                parsed.resource = Some("namespaces".into());
                parsed.name = Some((*namespace).to_owned());
                parsed.subresource = Some((*sub).to_owned());
            }
            ["namespaces", namespace, object @ ..] if !object.is_empty() => {
                parsed.namespace = Some((*namespace).to_owned());
                parsed.resource = owned(object.first());
                parsed.name = owned(object.get(1));
                parsed.subresource = owned(object.get(2));
            }
            object => {
                parsed.resource = owned(object.first());
                parsed.name = owned(object.get(1));
                parsed.subresource = owned(object.get(2));
            }
        }
        parsed
    }

    /// `objectRef`, for a resource request.
    fn object_ref<'a>(&self) -> Option<Node<'a>> {
        let parts = [
            ("resource", &self.resource),
            ("namespace", &self.namespace),
            ("name", &self.name),
            ("subresource", &self.subresource),
            ("apiGroup", &self.api_group),
            ("apiVersion", &self.api_version),
        ];
        let mut object = Fields::with_capacity(parts.len());
        for (key, value) in parts {
            if let Some(value) = value {
                object.push(Cow::Borrowed(key), Node::Text(Cow::Owned(value.clone())));
            }
        }
        self.resource.is_some().then_some(Node::Object(object))
    }
}

/// `v` and digits, optionally `alpha` or `beta` and digits: `v1`, `v1beta1`, `v2alpha1`.
fn is_version(segment: &str) -> bool {
    let Some(rest) = segment.strip_prefix('v') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let rest = &rest[digits..];
    let Some(level) = rest
        .strip_prefix("alpha")
        .or_else(|| rest.strip_prefix("beta"))
    else {
        return rest.is_empty();
    };
    !level.is_empty() && level.bytes().all(|b| b.is_ascii_digit())
}

/// `cloud.*` and the GKE cluster, from the entry's `resource.labels`.
fn metadata<'a>(entry: &LogEntry<'a>) -> Metadata<'a> {
    let labels = entry
        .resource
        .0
        .as_ref()
        .and_then(|resource| resource.labels.0.as_ref());
    let location = labels.and_then(|labels| labels.location.0.clone());
    let is_zone = location
        .as_deref()
        .is_some_and(|location| location.split('-').count() == 3);
    let (zone, region) = if is_zone {
        (location, None)
    } else {
        (None, location)
    };
    Metadata {
        cloud_provider: Some("gcp"),
        cloud_service: Some("gke"),
        cloud_project_id: labels.and_then(|labels| labels.project_id.0.clone()),
        cloud_region: region,
        cloud_availability_zone: zone,
        cluster_name: labels.and_then(|labels| labels.cluster_name.0.clone()),
        ..Metadata::NONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_read_as_the_api_server_reads_paths() {
        let parsed = ResourceName::parse("core/v1/namespaces/dev/pods/web-0/log");
        assert_eq!(parsed.request_uri, "/api/v1/namespaces/dev/pods/web-0/log");
        assert_eq!(
            (
                parsed.namespace.as_deref(),
                parsed.resource.as_deref(),
                parsed.name.as_deref(),
                parsed.subresource.as_deref()
            ),
            (Some("dev"), Some("pods"), Some("web-0"), Some("log"))
        );
        assert_eq!(parsed.api_group, None);
        let binding = ResourceName::parse("rbac.authorization.k8s.io/v1/clusterrolebindings/x");
        assert_eq!(
            binding.request_uri,
            "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/x"
        );
        assert_eq!(
            binding.api_group.as_deref(),
            Some("rbac.authorization.k8s.io")
        );
        assert_eq!(
            (binding.resource.as_deref(), binding.name.as_deref()),
            (Some("clusterrolebindings"), Some("x"))
        );
        let status = ResourceName::parse("core/v1/namespaces/team-a/finalize");
        assert_eq!(
            (
                status.namespace,
                status.resource.as_deref(),
                status.name.as_deref(),
                status.subresource.as_deref()
            ),
            (None, Some("namespaces"), Some("team-a"), Some("finalize"))
        );
        let namespace = ResourceName::parse("core/v1/namespaces/dev");
        assert_eq!(
            (namespace.resource.as_deref(), namespace.name.as_deref()),
            (Some("namespaces"), Some("dev"))
        );
        for other in [
            "readyz",
            "api/v1",
            "apis",
            "HNAP1",
            "core/1/pods",
            "core//pods",
            "apps/v1beta/deployments",
        ] {
            let parsed = ResourceName::parse(other);
            assert_eq!(parsed.request_uri, format!("/{other}"));
            assert!(parsed.object_ref().is_none(), "{other}");
        }
    }

    #[test]
    fn versions() {
        for version in ["v1", "v1beta1", "v2alpha1", "v10"] {
            assert!(is_version(version), "{version}");
        }
        for other in ["v", "1", "v1beta", "v1gamma1", "vbeta1", "V1", "v1beta1x"] {
            assert!(!is_version(other), "{other}");
        }
    }

    #[test]
    fn rpc_codes_map_to_http_statuses() {
        assert_eq!(http_status(7), Some(403));
        assert_eq!(http_status(5), Some(404));
        assert_eq!(http_status(16), Some(401));
        assert_eq!(http_status(17), None);
    }
}

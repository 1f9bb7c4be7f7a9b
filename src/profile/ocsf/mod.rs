//! The `ocsf` profile: each audit event as one OCSF 1.8.0 API Activity event (class 6003,
//! category 6 Application Activity) for Security Lake and the other OCSF consumers
//! (docs/ocsf.md). Not ECS, and not a merge with the record: the document holds OCSF
//! attributes only, the event's exact text in `raw_data` and what OCSF has no attribute for
//! under `unmapped`.
//!
//! It classifies, describes and bounds as the `ecs` profile does (the verb → HTTP method rule,
//! the outcome rule, the one-line description, the 24-level bound on copied bodies); [`actor`]
//! writes who called, [`envelope`] where the event came from (product, `cloud`, cluster), and
//! [`observables`] the pivots.

mod actor;
mod envelope;
mod observables;

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::ecs::activity::Request;
use super::ecs::{description, outcome, split_uri};
use crate::document::{Node, ObjectList};
use crate::event::{AuditEvent, Event};
use crate::json_text::{MAX_DEPTH, depth};
use crate::layout::{Path, Produced};
use crate::profile::baseline::{is_ip_address, set_text};
use crate::profile::{Context, FieldGroup, Start};
use crate::timestamp::{self, Time};

use observables::Pivots;

/// Where the document starts: OCSF attributes only, the event text in `raw_data`, the record's
/// other fields (what a shipper put around a wrapped event) in `unmapped.record`.
pub(crate) const START: Start = Start::OwnAttributes {
    event_text: &["raw_data"],
    other_fields: &["unmapped", "record"],
};

/// Every attribute of the profile. It reads the whole event: `annotations` is copied verbatim.
pub(crate) const OCSF: FieldGroup = FieldGroup {
    reads_whole_event: true,
    add,
};

/// The OCSF version the documents follow (`metadata.version`).
const OCSF_VERSION: &str = "1.8.0";
/// API Activity.
const CLASS_UID: i64 = 6003;
/// OCSF's captions of `type_uid` 600300 + `activity_id`, by `activity_id`.
const TYPE_NAMES: [(i64, &str); 6] = [
    (0, "API Activity: Unknown"),
    (1, "API Activity: Create"),
    (2, "API Activity: Read"),
    (3, "API Activity: Update"),
    (4, "API Activity: Delete"),
    (99, "API Activity: Other"),
];
/// The HTTP methods OCSF's `http_request.http_method` allows.
const HTTP_METHODS: [&str; 9] = [
    "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE",
];
/// OCSF's bound on `timezone_offset`, in minutes (±18 hours).
const MAX_OFFSET_MINUTES: i32 = 1080;

/// Adds the ocsf attributes for `event` to `produced`.
fn add<'a>(event: &Event<'a>, produced: &mut Produced<'a>, context: &Context<'_>) {
    let fields = &event.fields;
    let request = Request::of(fields);
    let mut pivots = Pivots::default();

    add_classification(fields, &request, produced);
    let dated = add_times(fields, produced);
    actor::add(event, produced, &mut pivots);
    add_api(event, &request, produced);
    add_http(fields, &request, produced, &mut pivots);
    add_source(fields, produced, &mut pivots);
    // The name may come from parsing the response object: read it once.
    let name = fields.object_name();
    add_resource(fields, &request, name.clone(), produced, &mut pivots);
    add_outcome(fields, produced);
    description::set_message(produced, fields, &request, name.as_deref());
    add_unmapped(event, produced);
    let cloud = envelope::add(context, produced);
    add_metadata(fields, context, cloud, dated, produced);
    pivots.add_to(produced);
}

/// `class_*`, `category_*`, `activity_*`, `type_*`, `severity*`.
fn add_classification(event: &AuditEvent<'_>, request: &Request<'_>, produced: &mut Produced<'_>) {
    let activity_id = activity_id(request);
    let name = match activity_id {
        1 => Cow::Borrowed("Create"),
        2 => Cow::Borrowed("Read"),
        3 => Cow::Borrowed("Update"),
        4 => Cow::Borrowed("Delete"),
        // The source's own word, as OCSF asks for an Other.
        99 => Cow::Owned(event.verb.as_deref().unwrap_or_default().to_owned()),
        _ => Cow::Borrowed("Unknown"),
    };
    let type_name = TYPE_NAMES
        .iter()
        .find(|(id, _)| *id == activity_id)
        .map_or("API Activity: Unknown", |(_, caption)| caption);
    let integers: [(Path, i64); 5] = [
        (&["class_uid"], CLASS_UID),
        (&["category_uid"], 6),
        (&["activity_id"], activity_id),
        (&["type_uid"], CLASS_UID * 100 + activity_id),
        (&["severity_id"], 1),
    ];
    for (path, value) in integers {
        produced.set(path, Node::Integer(value));
    }
    let texts: [(Path, &'static str); 4] = [
        (&["class_name"], "API Activity"),
        (&["category_name"], "Application Activity"),
        (&["type_name"], type_name),
        (&["severity"], "Informational"),
    ];
    for (path, value) in texts {
        produced.set(path, Node::Text(Cow::Borrowed(value)));
    }
    produced.set(&["activity_name"], Node::Text(name));
}

/// OCSF's activity: the verb's CRUD meaning; for a non-resource request the verb is the
/// lower-cased HTTP method. Any other verb is 99 (Other), no verb 0 (Unknown).
fn activity_id(request: &Request<'_>) -> i64 {
    let Some(verb) = request.verb else {
        return 0;
    };
    match (request.is_resource, verb) {
        (true, "create") | (false, "post") => 1,
        (true, "get" | "list" | "watch") | (false, "get" | "head") => 2,
        (true, "update" | "patch") | (false, "put" | "patch") => 3,
        (true, "delete" | "deletecollection") | (false, "delete") => 4,
        _ => 99,
    }
}

/// An instant as OCSF's `timestamp_t`: milliseconds since the epoch, microseconds truncated.
fn millis(time: &Time) -> i64 {
    time.micros.div_euclid(1000)
}

/// `time`, `start_time`, `end_time` (each with its `*_dt`), `timezone_offset`, `duration`,
/// and `metadata.original_time`. Returns whether a `*_dt` was written (the `datetime`
/// profile).
fn add_times<'a>(event: &AuditEvent<'a>, produced: &mut Produced<'a>) -> bool {
    let request_text = event.request_time();
    let stage_text = event.stage_timestamp.0.as_ref();
    let request = request_text.and_then(|text| timestamp::parse(text));
    let stage = stage_text.and_then(|text| timestamp::parse(text));
    let at = match (&stage, stage_text) {
        (Some(time), Some(text)) => Some((time, text)),
        _ => request.as_ref().zip(request_text),
    };
    let mut dated = false;
    if let Some((time, text)) = at {
        produced.set(&["time"], Node::Integer(millis(time)));
        produced.set_copied(&["time_dt"], time.text());
        if time.offset_minutes.abs() <= MAX_OFFSET_MINUTES {
            produced.set(
                &["timezone_offset"],
                Node::Integer(i64::from(time.offset_minutes)),
            );
        }
        produced.set(&["metadata", "original_time"], Node::Text(text.clone()));
        dated = true;
    }
    let end = stage.filter(|stage| {
        event.stage_ended()
            && request
                .as_ref()
                .is_none_or(|request| stage.micros >= request.micros)
    });
    if let (Some(start), Some(end)) = (&request, &end) {
        produced.set(&["duration"], Node::Integer(millis(end) - millis(start)));
    }
    if let Some(start) = request {
        produced.set(&["start_time"], Node::Integer(millis(&start)));
        produced.set_copied(&["start_time_dt"], start.text());
    }
    if let Some(end) = end {
        produced.set(&["end_time"], Node::Integer(millis(&end)));
        produced.set_copied(&["end_time_dt"], end.text());
    }
    dated
}

/// `metadata.*` but `original_time` (written with the times).
fn add_metadata<'a>(
    event: &AuditEvent<'a>,
    context: &Context<'_>,
    cloud: bool,
    dated: bool,
    produced: &mut Produced<'a>,
) {
    produced.set(
        &["metadata", "version"],
        Node::Text(Cow::Borrowed(OCSF_VERSION)),
    );
    let profiles: Vec<Cow<'a, str>> = [(cloud, "cloud"), (dated, "datetime")]
        .into_iter()
        .filter_map(|(used, name)| used.then_some(Cow::Borrowed(name)))
        .collect();
    if !profiles.is_empty() {
        produced.set(&["metadata", "profiles"], Node::TextList(profiles));
    }
    set_text(produced, &["metadata", "log_level"], &event.level);
    match (&event.api_version.0, context.list_api_version) {
        (Some(version), _) => {
            produced.set(&["metadata", "log_version"], Node::Text(version.clone()));
        }
        (None, Some(version)) if !version.is_empty() => produced.set(
            &["metadata", "log_version"],
            Node::Text(Cow::Owned(version.to_owned())),
        ),
        _ => {}
    }
    set_text(produced, &["metadata", "correlation_uid"], &event.audit_id);
}

/// A copied body (`requestObject`, `responseObject`): a non-empty object nested at most
/// [`MAX_DEPTH`] levels deep, written as received.
fn body<'a>(event: &Event<'a>, raw: Option<&'a RawValue>) -> Option<Node<'a>> {
    let raw = raw.filter(|raw| is_filled_object(raw.get()) && depth(raw.get()) <= MAX_DEPTH)?;
    Some(event.copied(raw))
}

/// Whether JSON text is an object with at least one member.
fn is_filled_object(text: &str) -> bool {
    text.strip_prefix('{')
        .is_some_and(|inside| !inside.trim_start().starts_with('}'))
}

/// `api.*`: the operation, the object's API group and version, the request and response.
fn add_api<'a>(event: &Event<'a>, request: &Request<'_>, produced: &mut Produced<'a>) {
    let fields = &event.fields;
    set_text(produced, &["api", "operation"], &fields.verb);
    if request.is_resource
        && let Some(object) = &fields.object_ref.0
    {
        set_text(produced, &["api", "version"], &object.api_version);
        set_text(produced, &["api", "group", "name"], &object.api_group);
    }
    // OCSF requires `request.uid`: without an audit ID there is no `api.request` at all.
    if let Some(id) = &fields.audit_id.0 {
        produced.set(&["api", "request", "uid"], Node::Text(id.clone()));
        if let Some(data) = body(event, fields.request_object.0) {
            produced.set(&["api", "request", "data"], data);
        }
    }
    if let Some(code) = fields.http_status_code() {
        produced.set(&["api", "response", "code"], Node::Integer(code));
    }
    if let Some(status) = &fields.response_status.0 {
        set_text(produced, &["api", "response", "error"], &status.reason);
        set_text(
            produced,
            &["api", "response", "error_message"],
            &status.message,
        );
    }
    if let Some(data) = body(event, fields.response_object.0) {
        produced.set(&["api", "response", "data"], data);
    }
}

/// `http_request.*`, `http_response.code`.
fn add_http<'a>(
    event: &AuditEvent<'a>,
    request: &Request<'_>,
    produced: &mut Produced<'a>,
    pivots: &mut Pivots<'a>,
) {
    let method = request
        .http_method()
        .filter(|method| request.is_resource || HTTP_METHODS.contains(&method.as_ref()));
    if let Some(method) = method {
        produced.set(&["http_request", "http_method"], Node::Text(method));
    }
    if let Some(agent) = &event.user_agent.0 {
        produced.set(&["http_request", "user_agent"], Node::Text(agent.clone()));
        pivots.user_agent = Some(agent.clone());
    }
    if let Some(uri) = uri_with_path(event) {
        let (path, query) = split_uri(&uri);
        produced.set(&["http_request", "url", "path"], Node::Text(path));
        if let Some(query) = query.filter(|query| !query.is_empty()) {
            produced.set(&["http_request", "url", "query_string"], Node::Text(query));
        }
    }
    set_text(produced, &["http_request", "uid"], &event.audit_id);
    if let Some(code) = event.http_status_code() {
        produced.set(&["http_response", "code"], Node::Integer(code));
    }
}

/// `requestURI`, when its path (up to the first `?`) is not empty.
fn uri_with_path<'a>(event: &AuditEvent<'a>) -> Option<Cow<'a, str>> {
    let uri = event.request_uri.0.as_ref()?;
    (!uri.starts_with('?')).then(|| uri.clone())
}

/// `src_endpoint.*`: the first source IP, or its text when it is not an IP; later IPs as
/// the hops in between.
fn add_source<'a>(event: &AuditEvent<'a>, produced: &mut Produced<'a>, pivots: &mut Pivots<'a>) {
    let ips = &event.source_ips;
    let Some(first) = &ips.first else {
        return;
    };
    if is_ip_address(first) {
        produced.set(&["src_endpoint", "ip"], Node::Text(first.clone()));
        pivots.source_ip = Some(first.clone());
    } else {
        produced.set(&["src_endpoint", "name"], Node::Text(first.clone()));
    }
    // `first` is element 0 and a non-empty string, so it is `all[0]`.
    let later: Vec<Cow<'a, str>> = ips
        .all
        .iter()
        .skip(1)
        .filter(|ip| is_ip_address(ip))
        .cloned()
        .collect();
    if !later.is_empty() {
        pivots.intermediate_ips = later.clone();
        produced.set(&["src_endpoint", "intermediate_ips"], Node::TextList(later));
    }
}

/// `resources[0]`, the object acted on (resource requests only); a request that names no
/// object names its collection by the URL path.
fn add_resource<'a>(
    event: &AuditEvent<'a>,
    request: &Request<'_>,
    name: Option<Cow<'a, str>>,
    produced: &mut Produced<'a>,
    pivots: &mut Pivots<'a>,
) {
    let Some(object) = event.object_ref.0.as_ref().filter(|_| request.is_resource) else {
        return;
    };
    let name = name.or_else(|| uri_with_path(event).map(|uri| split_uri(&uri).0));
    if name.is_none() && object.uid.0.is_none() {
        return;
    }
    let mut resources = ObjectList::with_capacity(256);
    resources.push(|resource| {
        match (&object.resource.0, &object.subresource.0) {
            (Some(resource_type), Some(subresource)) => {
                resource.text("type", &format!("{resource_type}/{subresource}"));
            }
            (Some(resource_type), None) => resource.text("type", resource_type),
            _ => {}
        }
        let texts = [
            ("name", &name),
            ("namespace", &object.namespace.0),
            ("uid", &object.uid.0),
            ("version", &object.resource_version.0),
        ];
        for (key, text) in texts {
            if let Some(text) = text {
                resource.text(key, text);
            }
        }
        resource.integer("role_id", 1);
        resource.text("role", "Target");
    });
    produced.set(&["resources"], Node::Objects(resources));
    pivots.resource_name = name;
    pivots.resource_uid = object.uid.0.clone();
}

/// `status_id`, `status`, `status_code`, `status_detail`: the ecs profile's outcome rule.
fn add_outcome<'a>(event: &AuditEvent<'a>, produced: &mut Produced<'a>) {
    let (id, caption) = match outcome(event) {
        "success" => (1, "Success"),
        "failure" => (2, "Failure"),
        _ => (0, "Unknown"),
    };
    produced.set(&["status_id"], Node::Integer(id));
    produced.set(&["status"], Node::Text(Cow::Borrowed(caption)));
    if let Some(code) = event.http_status_code() {
        produced.set(
            &["status_code"],
            Node::Text(Cow::Owned(itoa::Buffer::new().format(code).to_owned())),
        );
    }
    if let Some(status) = &event.response_status.0 {
        set_text(produced, &["status_detail"], &status.message);
    }
}

/// `unmapped.stage` and `unmapped.annotations` (verbatim); the user's parts are [`actor`]'s,
/// the envelope's [`envelope`]'s.
fn add_unmapped<'a>(event: &Event<'a>, produced: &mut Produced<'a>) {
    set_text(produced, &["unmapped", "stage"], &event.fields.stage);
    let annotations = event
        .members
        .iter()
        .find(|(key, _)| key == "annotations")
        .map(|(_, raw)| *raw)
        .filter(|raw| is_filled_object(raw.get()));
    if let Some(raw) = annotations {
        produced.set(&["unmapped", "annotations"], event.copied(raw));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_of(text: &str) -> i64 {
        let event: AuditEvent<'_> = serde_json::from_str(text).unwrap();
        activity_id(&Request::of(&event))
    }

    #[test]
    fn the_verb_decides_the_activity() {
        for (event, expected) in [
            (r#"{"verb":"create","objectRef":{"resource":"pods"}}"#, 1),
            (
                r#"{"verb":"create","objectRef":{"resource":"pods","subresource":"exec"}}"#,
                1,
            ),
            (r#"{"verb":"watch","objectRef":{"resource":"pods"}}"#, 2),
            (r#"{"verb":"patch","objectRef":{"resource":"pods"}}"#, 3),
            (
                r#"{"verb":"deletecollection","objectRef":{"resource":"pods"}}"#,
                4,
            ),
            (r#"{"verb":"head","objectRef":{"resource":"pods"}}"#, 99),
            (
                r#"{"verb":"escalate","objectRef":{"resource":"roles"}}"#,
                99,
            ),
            (r#"{"verb":"head"}"#, 2),
            (r#"{"verb":"post","objectRef":{}}"#, 1),
            (r#"{"verb":"put"}"#, 3),
            (r#"{"verb":"delete"}"#, 4),
            (r#"{"verb":"list"}"#, 99),
            (r#"{"verb":"options"}"#, 99),
            (r#"{"objectRef":{"resource":"pods"}}"#, 0),
            (r#"{"verb":""}"#, 0),
        ] {
            assert_eq!(request_of(event), expected, "{event}");
        }
    }

    #[test]
    fn milliseconds_truncate_also_before_1970() {
        let time = |micros| {
            let mut time: Time = crate::timestamp::parse("1970-01-01T00:00:00Z").expect("a time");
            time.micros = micros;
            time
        };
        assert_eq!(millis(&time(1_669_214_213_531_481)), 1_669_214_213_531);
        assert_eq!(millis(&time(-1)), -1);
    }

    /// The ocsf document of one bare event.
    fn document(event: serde_json::Value) -> serde_json::Value {
        let transformer = crate::Transformer::new(crate::Options {
            profile: crate::Profile::Ocsf,
            ..crate::Options::default()
        });
        let written = transformer.transform(&event.to_string()).unwrap();
        serde_json::from_str(&written[0]).unwrap()
    }

    #[test]
    fn times_follow_the_stage_and_leave_out_what_they_cannot_say() {
        // An offset beyond OCSF's ±18 hours: the time is kept, the offset is not.
        let far = document(serde_json::json!({
            "auditID": "a", "stage": "ResponseComplete",
            "stageTimestamp": "2024-06-03T10:00:00.5-19:00",
        }));
        assert_eq!(far["time_dt"], "2024-06-04T05:00:00.500000Z");
        assert_eq!(
            far["metadata"]["original_time"],
            "2024-06-03T10:00:00.5-19:00"
        );
        assert!(far.get("timezone_offset").is_none());
        // A completed stage without a request time: an end, no start, no duration.
        assert_eq!(far["end_time"], far["time"]);
        assert!(far.get("start_time").is_none() && far.get("duration").is_none());
        // No time at all: no `*_dt`, so no profile to name, and no `metadata.profiles`.
        let timeless = document(serde_json::json!({"auditID": "a", "verb": "get"}));
        assert!(timeless.get("time").is_none());
        assert!(timeless["metadata"].get("profiles").is_none());
        assert!(timeless["metadata"].get("original_time").is_none());
    }

    #[test]
    fn methods_and_resources_need_what_ocsf_needs() {
        // A non-resource verb that is no HTTP method OCSF knows: 99, and no method.
        let odd =
            document(serde_json::json!({"auditID": "a", "verb": "list", "requestURI": "/metrics"}));
        assert_eq!(
            (odd["activity_id"].as_i64(), odd["activity_name"].as_str()),
            (Some(99), Some("list"))
        );
        assert!(odd["http_request"].get("http_method").is_none());
        // A request URI that is only a query: no url, and a collection without a path has no
        // name, so the resource stands on its uid alone.
        let query = document(serde_json::json!({
            "auditID": "a", "verb": "list", "requestURI": "?watch=1",
            "objectRef": {"resource": "pods", "uid": "u-1"},
        }));
        assert!(query["http_request"].get("url").is_none());
        assert_eq!(
            query["resources"],
            serde_json::json!([{"type": "pods", "uid": "u-1", "role_id": 1, "role": "Target"}])
        );
        // Neither a name nor a uid: no resource.
        let nameless = document(serde_json::json!({
            "auditID": "a", "verb": "list", "objectRef": {"resource": "pods", "subresource": "log"},
        }));
        assert!(nameless.get("resources").is_none());
    }

    #[test]
    fn filled_objects_have_a_member() {
        assert!(is_filled_object(r#"{"a":1}"#));
        assert!(is_filled_object("{\n \"a\": {}\n}"));
        assert!(!is_filled_object("{}"));
        assert!(!is_filled_object("{ \n }"));
        assert!(!is_filled_object("[1]"));
        assert!(!is_filled_object(r#""{a}""#));
    }
}

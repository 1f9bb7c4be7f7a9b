//! The `ecs` profile: the documents that ECS itself, Elastic's prebuilt Kubernetes detection
//! rules and Sigma's ECS pipeline expect (docs/profiles.md, "ecs"). Not a superset of
//! baseline: its own field group.
//!
//! [`activity`] classifies the request (`event.category`, `event.type`, the HTTP method),
//! [`description`] writes the one-line `message`, [`mirror`] copies the whole event under
//! `kubernetes.audit`.

// Shared with the ocsf profile, which classifies, describes and bounds the same way.
pub(super) mod activity;
pub(super) mod description;
pub(super) mod mirror;

use std::borrow::Cow;

use crate::document::Node;
use crate::event::{AuditEvent, Event, UserInfo};
use crate::layout::{Path, Produced};
use crate::profile::baseline::{add_user_agent, is_ip_address, set_text};
use crate::profile::{Context, FieldGroup};
use crate::timestamp;

/// The ECS version the documents follow.
const ECS_VERSION: &str = "9.4.0";
/// The data stream Elastic's Kubernetes rules read.
const DATASET: &str = "kubernetes.audit_logs";

/// Every field of the profile.
pub(crate) const ECS: FieldGroup = FieldGroup {
    reads_whole_event: true,
    add,
};

/// Adds the ecs fields for `event` to `produced`.
fn add<'a>(event: &'a Event<'a>, produced: &mut Produced<'a>, context: &Context<'_>) {
    let fields = &event.fields;
    let request = activity::Request::of(fields);
    // The name may come from parsing the response object: read it once.
    let name = fields.object_name();
    description::set_message(produced, fields, &request, name.as_deref());
    add_times(fields, produced);
    let constants: [(&[&'static str], &'static str); 7] = [
        (&["ecs", "version"], ECS_VERSION),
        (&["data_stream", "type"], "logs"),
        (&["data_stream", "dataset"], DATASET),
        (&["event", "dataset"], DATASET),
        (&["event", "module"], "kubernetes"),
        (&["event", "kind"], "event"),
        (&["orchestrator", "type"], "kubernetes"),
    ];
    for (path, value) in constants {
        produced.set(path, Node::Text(Cow::Borrowed(value)));
    }
    let classified = request.classify(fields.decision());
    let borrowed = |item: &&'static str| Cow::Borrowed(*item);
    produced.set_list(
        &["event", "category"],
        classified.categories.iter().map(borrowed),
    );
    produced.set_list(&["event", "type"], classified.types().iter().map(borrowed));
    if let Some(method) = request.http_method() {
        produced.set(&["http", "request", "method"], Node::Text(method));
    }
    set_text(produced, &["event", "action"], &fields.verb);
    produced.set(
        &["event", "outcome"],
        Node::Text(Cow::Borrowed(outcome(fields))),
    );
    if let Some(annotations) = &fields.annotations.0 {
        set_text(produced, &["event", "reason"], &annotations.reason);
    }
    set_text(produced, &["event", "id"], &fields.audit_id);
    set_text(produced, &["http", "request", "id"], &fields.audit_id);
    if let Some(code) = fields.http_status_code() {
        produced.set(&["http", "response", "status_code"], Node::Integer(code));
    }
    add_users(fields, produced);
    add_source(fields, produced);
    add_url(fields, produced);
    add_user_agent(fields, produced, context);
    add_orchestrator(fields, name, produced, context);
    produced.set(
        &["kubernetes", "audit"],
        Node::Mirror(mirror::Mirror::of(event, context)),
    );
}

/// `@timestamp`, `event.start`, `event.end`, `event.duration`.
fn add_times(event: &AuditEvent<'_>, produced: &mut Produced<'_>) {
    let start = event.request_time().and_then(|time| timestamp::parse(time));
    let stage = event.stage_timestamp.as_deref().and_then(timestamp::parse);
    if let Some(at) = stage.as_ref().or(start.as_ref()) {
        produced.set_copied(&["@timestamp"], at.text());
    }
    let end = stage.filter(|_| event.stage_ended());
    if let (Some(start), Some(end)) = (&start, &end)
        && end.micros >= start.micros
    {
        let nanos = (end.micros - start.micros).saturating_mul(1000);
        produced.set(&["event", "duration"], Node::Integer(nanos));
    }
    if let Some(start) = start {
        produced.set_copied(&["event", "start"], start.text());
    }
    if let Some(end) = end {
        produced.set_copied(&["event", "end"], end.text());
    }
}

/// `event.outcome`: from the status code, else the status word, else a denial, else unknown.
pub(super) fn outcome(event: &AuditEvent<'_>) -> &'static str {
    match event.status_code() {
        Some(100..=399) => return "success",
        Some(400..) => return "failure",
        _ => {}
    }
    let status = event.response_status.0.as_ref();
    match status.and_then(|status| status.status.as_deref()) {
        Some("Success") => "success",
        Some("Failure") => "failure",
        _ if event.decision() == Some("forbid") => "failure",
        _ => "unknown",
    }
}

/// `user.*` (the authenticated user), `user.effective.*` (the impersonated one),
/// `related.user`.
fn add_users<'a>(event: &AuditEvent<'a>, produced: &mut Produced<'a>) {
    let user = event.user.0.as_ref();
    let effective = event.impersonated_user.0.as_ref();
    // The name, id and group paths of each.
    let paths: [(Option<&UserInfo<'a>>, [Path; 3]); 2] = [
        (
            user,
            [
                &["user", "name"],
                &["user", "id"],
                &["user", "group", "name"],
            ],
        ),
        (
            effective,
            [
                &["user", "effective", "name"],
                &["user", "effective", "id"],
                &["user", "effective", "group", "name"],
            ],
        ),
    ];
    for (who, [name, id, groups]) in paths {
        let Some(who) = who else { continue };
        set_text(produced, name, &who.username);
        set_text(produced, id, &who.uid);
        if !who.groups.0.is_empty() {
            produced.set_list(groups, who.groups.0.iter().cloned());
        }
    }
    // Every user name and identifier seen on the event (ECS's definition of `related.user`):
    // the authenticated user's name and uid, then the impersonated user's, each once.
    let ids = [user, effective]
        .into_iter()
        .flatten()
        .flat_map(|who: &UserInfo<'a>| [&who.username.0, &who.uid.0])
        .flatten()
        .cloned();
    produced.set_distinct_list(&["related", "user"], ids);
}

/// `source.*`, `client.*`, `related.ip`.
fn add_source<'a>(event: &AuditEvent<'a>, produced: &mut Produced<'a>) {
    let ips = &event.source_ips;
    if let Some(first) = &ips.first {
        produced.set(&["source", "address"], Node::Text(first.clone()));
        produced.set(&["client", "address"], Node::Text(first.clone()));
        if is_ip_address(first) {
            produced.set(&["source", "ip"], Node::Text(first.clone()));
            produced.set(&["client", "ip"], Node::Text(first.clone()));
        }
    }
    let addresses = ips.all.iter().filter(|ip| is_ip_address(ip)).cloned();
    produced.set_distinct_list(&["related", "ip"], addresses);
}

/// `url.original`, `url.path`, `url.query`.
fn add_url<'a>(event: &AuditEvent<'a>, produced: &mut Produced<'a>) {
    let Some(uri) = &event.request_uri.0 else {
        return;
    };
    produced.set(&["url", "original"], Node::Text(uri.clone()));
    let (path, query) = split_uri(uri);
    if !path.is_empty() {
        produced.set(&["url", "path"], Node::Text(path));
    }
    if let Some(query) = query.filter(|query| !query.is_empty()) {
        produced.set(&["url", "query"], Node::Text(query));
    }
}

/// A request URI split at its first `?`: the path, and what follows (when there is a `?`).
pub(super) fn split_uri<'a>(uri: &Cow<'a, str>) -> (Cow<'a, str>, Option<Cow<'a, str>>) {
    let Some(at) = uri.find('?') else {
        return (uri.clone(), None);
    };
    match uri {
        Cow::Borrowed(text) => (
            Cow::Borrowed(&text[..at]),
            Some(Cow::Borrowed(&text[at + 1..])),
        ),
        Cow::Owned(text) => (
            Cow::Owned(text[..at].to_owned()),
            Some(Cow::Owned(text[at + 1..].to_owned())),
        ),
    }
}

/// `orchestrator.*` from the object reference and the `cluster-name` option (an envelope's
/// own cluster name, merged in afterwards, wins over the option).
fn add_orchestrator<'a>(
    event: &AuditEvent<'a>,
    name: Option<Cow<'a, str>>,
    produced: &mut Produced<'a>,
    context: &Context<'_>,
) {
    if let Some(object) = &event.object_ref.0 {
        set_text(produced, &["orchestrator", "namespace"], &object.namespace);
        set_text(
            produced,
            &["orchestrator", "resource", "type"],
            &object.resource,
        );
        set_text(produced, &["orchestrator", "resource", "id"], &object.uid);
        set_text(
            produced,
            &["orchestrator", "api_version"],
            &object.api_version,
        );
    }
    if let Some(name) = name {
        produced.set(&["orchestrator", "resource", "name"], Node::Text(name));
    }
    if let Some(cluster) = context.cluster_name.filter(|name| !name.is_empty()) {
        produced.set(
            &["orchestrator", "cluster", "name"],
            Node::Text(Cow::Owned(cluster.to_owned())),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(text: &str) -> AuditEvent<'_> {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn outcome_follows_code_then_status_then_decision() {
        for (text, expected) in [
            (r#"{"responseStatus":{"code":101}}"#, "success"),
            (
                r#"{"responseStatus":{"code":399,"status":"Failure"}}"#,
                "success",
            ),
            (r#"{"responseStatus":{"code":404}}"#, "failure"),
            (r#"{"responseStatus":{"code":"403"}}"#, "failure"),
            (
                r#"{"responseStatus":{"code":42,"status":"Success"}}"#,
                "success",
            ),
            (r#"{"responseStatus":{"status":"Failure"}}"#, "failure"),
            (
                r#"{"annotations":{"authorization.k8s.io/decision":"forbid"}}"#,
                "failure",
            ),
            (
                r#"{"annotations":{"authorization.k8s.io/decision":"allow"}}"#,
                "unknown",
            ),
            (r#"{}"#, "unknown"),
        ] {
            assert_eq!(outcome(&event(text)), expected, "{text}");
        }
    }

    #[test]
    fn uris_split_at_the_first_question_mark() {
        let split = |uri: &'static str| {
            let (path, query) = split_uri(&Cow::Borrowed(uri));
            (path.into_owned(), query.map(Cow::into_owned))
        };
        assert_eq!(split("/api/v1/pods"), ("/api/v1/pods".into(), None));
        assert_eq!(
            split("/api/v1/pods?"),
            ("/api/v1/pods".into(), Some(String::new()))
        );
        assert_eq!(split("/x?a=1?b"), ("/x".into(), Some("a=1?b".into())));
    }
}

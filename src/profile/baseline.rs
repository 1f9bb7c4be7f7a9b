//! The documented fields: the baseline profile's one group, which extended builds on
//! (docs/profiles.md, "baseline").

use std::net::IpAddr;

use crate::document::Node;
use crate::event::{AuditEvent, Event};
use crate::layout::{Path, Produced, SetPath};
use crate::lenient::Text;
use crate::profile::{Context, FieldGroup};
use crate::timestamp;

/// The documented contract's fields.
pub(crate) const DOCUMENTED: FieldGroup = FieldGroup {
    reads_whole_event: false,
    add,
};

/// Adds the documented fields for `event` to `produced`.
fn add<'a>(event: &Event<'a>, produced: &mut Produced<'a>, context: &Context<'_>) {
    let event = &event.fields;
    set_text(produced, &["event", "code"], &event.audit_id);
    set_text(produced, &["event", "action"], &event.verb);
    if let Some(start) = event.request_time().and_then(|time| timestamp::parse(time)) {
        produced.set_copied(&["event", "start"], start.text());
    }
    if let Some(annotations) = &event.annotations.0 {
        set_text(produced, &["event", "outcome"], &annotations.decision);
        set_text(produced, &["action", "outcome"], &annotations.decision);
    }
    if let Some(code) = event.status_code() {
        produced.set(&["http", "response", "status_code"], Node::Integer(code));
    }
    set_text(produced, &["url", "path"], &event.request_uri);

    let source_ip = event
        .source_ips
        .first
        .as_ref()
        .filter(|ip| is_ip_address(ip));
    if let Some(ip) = source_ip {
        produced.set(&["source", "ip"], Node::Text(ip.clone()));
        produced.set(&["source", "address"], Node::Text(ip.clone()));
    }

    let user = event.user.0.as_ref();
    let impersonated = event.impersonated_user.0.as_ref();
    if let Some(uid) = user.and_then(|user| user.uid.0.clone()) {
        produced.set(&["user", "id"], Node::Text(uid));
    }
    let user_name = impersonated
        .and_then(|imp| imp.username.0.clone())
        .or_else(|| user.and_then(|user| user.username.0.clone()));
    if let Some(name) = &user_name {
        produced.set(&["user", "name"], Node::Text(name.clone()));
    }
    let roles = impersonated
        .map(|imp| &imp.groups.0)
        .filter(|groups| !groups.is_empty())
        .or_else(|| user.map(|user| &user.groups.0))
        .filter(|groups| !groups.is_empty());
    if let Some(roles) = roles {
        produced.set_list(&["user", "roles"], roles.iter().cloned());
    }

    add_user_agent(event, produced, context);

    if let Some(object) = &event.object_ref.0 {
        set_text(produced, &["kubernetes", "namespace"], &object.namespace);
        set_text(produced, &["kubernetes", "resource"], &object.resource);
        set_text(
            produced,
            &["kubernetes", "subresource"],
            &object.subresource,
        );
    }
    if let Some(name) = event.object_name() {
        produced.set(&["kubernetes", "object", "name"], Node::Text(name));
    }
    if let Some(annotations) = &event.annotations.0 {
        set_text(produced, &["kubernetes", "rbacreason"], &annotations.reason);
    }

    if let Some(ip) = source_ip {
        produced.set_list(&["related", "ip"], [ip.clone()]);
    }
    if let Some(name) = user_name {
        produced.set_list(&["related", "user"], [name]);
    }
}

/// `user_agent.original` and the three families parsed from it (docs/user-agents.md): all
/// four whenever `userAgent` is set.
pub(crate) fn add_user_agent<'a>(
    event: &AuditEvent<'a>,
    produced: &mut Produced<'a>,
    context: &Context<'_>,
) {
    if let Some(original) = &event.user_agent.0 {
        let parsed = (context.user_agent)(original);
        produced.set(&["user_agent", "original"], Node::Text(original.clone()));
        produced.set(&["user_agent", "name"], Node::Text(parsed.name));
        produced.set(&["user_agent", "os", "name"], Node::Text(parsed.os));
        produced.set(&["user_agent", "device", "name"], Node::Text(parsed.device));
    }
}

/// Sets `path` to the text when it is present (absent and empty texts set nothing).
pub(crate) fn set_text<'a>(fields: &mut impl SetPath<'a>, path: Path, text: &Text<'a>) {
    if let Some(value) = &text.0 {
        fields.set_path(path, Node::Text(value.clone()));
    }
}

/// A valid IPv4 or IPv6 address, as the API server would have parsed it (no zone index such
/// as `%eth0`).
pub(crate) fn is_ip_address(text: &str) -> bool {
    text.parse::<IpAddr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::is_ip_address;

    #[test]
    fn ip_addresses() {
        for valid in [
            "192.168.0.1",
            "::1",
            "2001:db8::8a2e:370:7334",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_ip_address(valid), "{valid}");
        }
        for invalid in [
            "unknown",
            "10.0.0.300",
            "1.2.3",
            " 1.2.3.4",
            "fe80::1%eth0",
            "01.2.3.4",
            "",
        ] {
            assert!(!is_ip_address(invalid), "{invalid}");
        }
    }
}

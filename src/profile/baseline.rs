//! The baseline profile: the documented contract (mapping.md, "baseline profile").

use std::borrow::Cow;
use std::net::IpAddr;

use crate::document::{Fields, Node};
use crate::event::AuditEvent;
use crate::lenient::Text;
use crate::profile::UserAgentParser;
use crate::timestamp;

/// Adds the baseline fields for `event` to `produced`.
pub(crate) fn apply<'a>(
    event: &AuditEvent<'a>,
    produced: &mut Fields<'a>,
    parse_user_agent: &UserAgentParser<'_>,
) {
    set_text(produced, &["event", "code"], &event.audit_id);
    set_text(produced, &["event", "action"], &event.verb);
    let start = event.request_received_timestamp.as_deref();
    if let Some(start) = start
        .or(event.timestamp.as_deref())
        .and_then(timestamp::normalize)
    {
        produced.set(&["event", "start"], Node::Text(Cow::Owned(start)));
    }
    if let Some(annotations) = &event.annotations.0 {
        set_text(produced, &["event", "outcome"], &annotations.decision);
        set_text(produced, &["action", "outcome"], &annotations.decision);
    }
    if let Some(code) = event
        .response_status
        .0
        .as_ref()
        .and_then(|status| status.code.0)
    {
        produced.set(&["http", "response", "status_code"], Node::Integer(code));
    }
    set_text(produced, &["url", "path"], &event.request_uri);

    let source_ip = event
        .first_source_ip
        .0
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
        produced.set(&["user", "roles"], Node::TextList(roles.clone()));
    }

    if let Some(original) = &event.user_agent.0 {
        let parsed = parse_user_agent(original);
        produced.set(&["user_agent", "original"], Node::Text(original.clone()));
        produced.set(&["user_agent", "name"], Node::Text(parsed.name));
        produced.set(&["user_agent", "os", "name"], Node::Text(parsed.os));
        produced.set(&["user_agent", "device", "name"], Node::Text(parsed.device));
    }

    if let Some(object) = &event.object_ref.0 {
        set_text(produced, &["kubernetes", "namespace"], &object.namespace);
        set_text(produced, &["kubernetes", "resource"], &object.resource);
        set_text(
            produced,
            &["kubernetes", "subresource"],
            &object.subresource,
        );
    }
    let object_name = event
        .object_ref
        .0
        .as_ref()
        .and_then(|object| object.name.0.clone())
        .or_else(|| {
            let metadata = event.response_object.0.as_ref()?.metadata.0.as_ref()?;
            metadata.name.0.clone()
        });
    if let Some(name) = object_name {
        produced.set(&["kubernetes", "object", "name"], Node::Text(name));
    }
    if let Some(annotations) = &event.annotations.0 {
        set_text(produced, &["kubernetes", "rbacreason"], &annotations.reason);
    }

    if let Some(ip) = source_ip {
        produced.set(&["related", "ip"], Node::TextList(vec![ip.clone()]));
    }
    if let Some(name) = user_name {
        produced.set(&["related", "user"], Node::TextList(vec![name]));
    }
}

/// Sets `path` to the text when it is present (absent and empty texts set nothing).
fn set_text<'a>(produced: &mut Fields<'a>, path: &[&'static str], text: &Text<'a>) {
    if let Some(value) = &text.0 {
        produced.set(path, Node::Text(value.clone()));
    }
}

/// A valid IPv4 or IPv6 address, as the API server would have parsed it.
fn is_ip_address(text: &str) -> bool {
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

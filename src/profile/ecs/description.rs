//! `message`: one English sentence saying who did what, to which object, from where, and how
//! it ended (docs/profiles.md, "ecs": "message").

use std::borrow::Cow;

use super::activity::{CONNECTIONS, Request};
use crate::event::AuditEvent;
use crate::layout::Produced;
use crate::profile::baseline::is_ip_address;

/// The words for what was done, and whether they already name the subresource (or stand
/// for the whole sentence's object, as the access reviews do).
struct Words {
    text: Cow<'static, str>,
    /// The words name the connection subresource (`ran a command in` for `exec`).
    names_subresource: bool,
    /// The request has no object part (an access review: a question about permissions).
    no_object: bool,
}

/// `message`, the sentence for `event` (`name`: the object's name after its fallback), in
/// every profile that writes it (ecs, ocsf).
pub(in crate::profile) fn set_message(
    produced: &mut Produced<'_>,
    event: &AuditEvent<'_>,
    request: &Request<'_>,
    name: Option<&str>,
) {
    produced.compose(&["message"], |out| describe(event, request, name, out));
}

/// A sentence built part by part at the end of a buffer, a space between parts.
struct Sentence<'b> {
    out: &'b mut String,
    /// Where the sentence starts in `out`.
    start: usize,
}

impl Sentence<'_> {
    /// Starts a part: a space unless it is the first.
    fn part(&mut self) -> &mut String {
        if self.out.len() > self.start {
            self.out.push(' ');
        }
        self.out
    }
}

/// Appends the sentence for `event` to `out`; `name` is the target object's name (after its
/// fallback).
fn describe(event: &AuditEvent<'_>, request: &Request<'_>, name: Option<&str>, out: &mut String) {
    let start = out.len();
    let mut sentence = Sentence { out, start };
    who(event, sentence.part());
    let Words {
        text,
        names_subresource,
        no_object,
    } = words(request);
    if !text.is_empty() {
        sentence.part().push_str(&text);
    }
    if !no_object {
        object(event, request, name, names_subresource, &mut sentence);
    }
    if let Some(ip) = event
        .source_ips
        .first
        .as_deref()
        .filter(|ip| is_ip_address(ip))
    {
        let part = sentence.part();
        part.push_str("from ");
        part.push_str(ip);
    }
    if event.decision() == Some("forbid") {
        sentence.part().push_str("(denied)");
    } else if let Some(code) = event.status_code().filter(|&code| code >= 400) {
        let part = sentence.part();
        part.push_str("(failed with ");
        part.push_str(itoa::Buffer::new().format(code));
        part.push(')');
    }
}

/// `alice`, `alice (as bob)`, or `someone` for a request without a user name.
fn who(event: &AuditEvent<'_>, out: &mut String) {
    let user = event
        .user
        .0
        .as_ref()
        .and_then(|user| user.username.as_deref())
        .unwrap_or("someone");
    out.push_str(user);
    let impersonated = event
        .impersonated_user
        .0
        .as_ref()
        .and_then(|user| user.username.as_deref());
    if let Some(other) = impersonated {
        out.push_str(" (as ");
        out.push_str(other);
        out.push(')');
    }
}

/// What was done, by the first row of the table that matches.
fn words(request: &Request<'_>) -> Words {
    let named = |text: &'static str| Words {
        text: Cow::Borrowed(text),
        names_subresource: true,
        no_object: false,
    };
    let plain = |text: Cow<'static, str>, no_object: bool| Words {
        text,
        names_subresource: false,
        no_object,
    };
    match request.subresource.filter(|s| CONNECTIONS.contains(s)) {
        Some("exec") => return named("ran a command in"),
        Some("attach") => return named("attached to"),
        Some("portforward") => return named("port-forwarded to"),
        Some(_) => return named("proxied to"),
        None => {}
    }
    if request.verb_is("proxy") {
        return plain("proxied to".into(), false);
    }
    if request.verb_is("create") {
        if request.resource_in(&["selfsubjectaccessreviews", "selfsubjectrulesreviews"]) {
            return plain("checked their own permissions".into(), true);
        }
        if request.resource_in(&["subjectaccessreviews", "localsubjectaccessreviews"]) {
            return plain("checked the permissions of another account".into(), true);
        }
    }
    let text: Cow<'static, str> = match request.verb {
        Some("get") => "read".into(),
        Some("list") => "listed".into(),
        Some("watch") => "watched".into(),
        Some("create") => "created".into(),
        Some("update") => "updated".into(),
        Some("patch") => "patched".into(),
        Some("delete") => "deleted".into(),
        Some("deletecollection") => "deleted all of".into(),
        Some(verb) => format!("{verb} on").into(),
        None => "".into(),
    };
    plain(text, false)
}

/// The object part: `resource/name[/subresource] in namespace ns`, or a non-resource
/// request's URL path.
fn object(
    event: &AuditEvent<'_>,
    request: &Request<'_>,
    name: Option<&str>,
    names_subresource: bool,
    sentence: &mut Sentence,
) {
    if !request.is_resource {
        let Some(uri) = event.request_uri.as_deref() else {
            return;
        };
        let path = uri.split_once('?').map_or(uri, |(path, _)| path);
        if !path.is_empty() {
            sentence.part().push_str(path);
        }
        return;
    }
    let subresource = request.subresource.filter(|_| !names_subresource);
    let mut target = [request.resource, name, subresource].into_iter().flatten();
    let namespace = event
        .object_ref
        .0
        .as_ref()
        .and_then(|o| o.namespace.as_deref());
    if let Some(first) = target.next() {
        let part = sentence.part();
        part.push_str(first);
        for next in target {
            part.push('/');
            part.push_str(next);
        }
    }
    if let Some(namespace) = namespace {
        let part = sentence.part();
        part.push_str("in namespace ");
        part.push_str(namespace);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe_text(event: &str) -> String {
        let event: AuditEvent<'_> = serde_json::from_str(event).unwrap();
        let mut sentence = "kept ".to_owned();
        describe(
            &event,
            &Request::of(&event),
            event.object_name().as_deref(),
            &mut sentence,
        );
        sentence
            .strip_prefix("kept ")
            .expect("what the buffer held is kept")
            .to_owned()
    }

    #[test]
    fn sentences_follow_the_grammar() {
        for (event, sentence) in [
            (
                r#"{"verb":"create","user":{"username":"user@mail.com"},"sourceIPs":["192.168.0.1"],"objectRef":{"resource":"pods","namespace":"test","name":"test-1669140000-zp58r","subresource":"exec"}}"#,
                "user@mail.com ran a command in pods/test-1669140000-zp58r in namespace test from 192.168.0.1",
            ),
            (
                r#"{"verb":"patch","user":{"username":"user@mail.com"},"sourceIPs":["192.168.0.1"],"objectRef":{"resource":"deployments","namespace":"test","subresource":"scale"},"responseObject":{"metadata":{"name":"test"}}}"#,
                "user@mail.com patched deployments/test/scale in namespace test from 192.168.0.1",
            ),
            (
                r#"{"verb":"get","user":{"username":"system:anonymous"},"sourceIPs":["10.0.0.5"],"requestURI":"/healthz?verbose"}"#,
                "system:anonymous read /healthz from 10.0.0.5",
            ),
            (
                r#"{"verb":"delete","user":{"username":"alice"},"sourceIPs":["10.1.2.3"],"objectRef":{"resource":"secrets","namespace":"prod","name":"db-password"},"annotations":{"authorization.k8s.io/decision":"forbid"},"responseStatus":{"code":403}}"#,
                "alice deleted secrets/db-password in namespace prod from 10.1.2.3 (denied)",
            ),
            (
                r#"{"verb":"list","user":{"username":"sa"},"impersonatedUser":{"username":"john"},"sourceIPs":["1.1.1.1","2.2.2.2"],"objectRef":{"resource":"pods","namespace":"support"}}"#,
                "sa (as john) listed pods in namespace support from 1.1.1.1",
            ),
            (
                r#"{"verb":"create","objectRef":{"resource":"selfsubjectaccessreviews","namespace":"x"},"sourceIPs":["unknown"]}"#,
                "someone checked their own permissions",
            ),
            (
                r#"{"verb":"update","user":{"username":"bob"},"objectRef":{"resource":"configmaps","name":"c"},"responseStatus":{"code":409}}"#,
                "bob updated configmaps/c (failed with 409)",
            ),
            (
                r#"{"verb":"escalate","user":{"username":"bob"},"objectRef":{"resource":"clusterroles","name":"admin"}}"#,
                "bob escalate on clusterroles/admin",
            ),
            (
                r#"{"user":{"username":"bob"},"objectRef":{"resource":"pods"}}"#,
                "bob pods",
            ),
        ] {
            assert_eq!(describe_text(event), sentence, "{event}");
        }
    }
}

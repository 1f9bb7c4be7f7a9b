//! `kubernetes.audit`: the whole audit event, as Elastic's detection rules and Sigma's ECS
//! pipeline query it (docs/profiles.md, "ecs": "The mirror").
//!
//! A verbatim copy of the event's members as their exact text — empty values included, for
//! they carry meaning there — with these changes only: dots in the keys of the top-level
//! `annotations` become underscores; `requestObject.metadata` and `responseObject.metadata`
//! are left out; an `EventList` item gains `kind` and the list's `apiVersion` when it lacks
//! them; and a member nested more than 24 levels deep is left out.
//!
//! The profile sets a [`Mirror`], which holds the event and is written straight into the
//! document from the members the event was parsed into, with no tree built
//! (docs/performance.md, "Writing a document"). Only where the document is deep-merged with a
//! record field of the same name is it made into a tree ([`Mirror::into_fields`]). Both come
//! from one list of the members to copy ([`copied_members`]), so they cannot differ.

use std::borrow::Cow;

use serde_json::value::RawValue;

use crate::document::{Fields, Node, write_key};
use crate::event::Event;
use crate::json_text::{MAX_DEPTH, depth, split_members};
use crate::lenient::{object_members, without_repeats};
use crate::profile::Context;

/// The mirror of one event, as the profile sets it: written when the document is.
#[derive(Debug)]
pub(crate) struct Mirror<'a> {
    /// The event, with its members.
    event: &'a Event<'a>,
    /// Whether `"kind":"Event"` comes first (an `EventList` item without a `kind`).
    kind: bool,
    /// The list's `apiVersion`, for an `EventList` item without one of its own.
    api_version: Option<Box<str>>,
}

/// A member of the mirror: a value copied as it is, or an object copied member by member.
enum Copied<'a> {
    Value(Node<'a>),
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Mirror<'a> {
    /// The mirror of `event`.
    pub(super) fn of(event: &'a Event<'a>, context: &Context<'_>) -> Self {
        let has = |key: &str| event.members.iter().any(|(k, _)| k == key);
        let in_list = context.in_event_list;
        Mirror {
            event,
            kind: in_list && !has("kind"),
            api_version: context
                .list_api_version
                .filter(|_| in_list && !has("apiVersion"))
                .map(Box::from),
        }
    }

    /// The members an `EventList` item gains, in order.
    fn added(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let kind = self.kind.then_some(("kind", "Event"));
        let version = self.api_version.as_deref().map(|v| ("apiVersion", v));
        kind.into_iter().chain(version)
    }

    /// Appends the mirror as a JSON object.
    pub(crate) fn write_json(&self, out: &mut String) {
        out.push('{');
        let mut comma = false;
        let mut next = |out: &mut String| {
            if std::mem::replace(&mut comma, true) {
                out.push(',');
            }
        };
        for (key, value) in self.added() {
            next(out);
            write_key(out, &Cow::Borrowed(key));
            Node::Text(Cow::Borrowed(value)).write_json(out);
        }
        for (key, copied) in copied_members(self.event) {
            next(out);
            write_key(out, key);
            match copied {
                Copied::Value(node) => node.write_json(out),
                Copied::Object(members) => Fields::from_pairs(members).write_json(out),
            }
        }
        out.push('}');
    }

    /// The mirror as a tree, for a document that is deep-merged.
    pub(crate) fn into_fields(self) -> Fields<'a> {
        let mut mirror = Fields::with_capacity(self.event.members.len() + 2);
        for (key, value) in self.added() {
            mirror.push(Cow::Borrowed(key), Node::Text(Cow::Owned(value.to_owned())));
        }
        for (key, copied) in copied_members(self.event) {
            let node = match copied {
                Copied::Value(node) => node,
                Copied::Object(members) => Node::Object(Fields::from_pairs(members)),
            };
            mirror.push(key.clone(), node);
        }
        mirror
    }
}

/// The event's members as the mirror copies them, in order, those it leaves out skipped.
fn copied_members<'e, 'a>(
    event: &'e Event<'a>,
) -> impl Iterator<Item = (&'e Cow<'a, str>, Copied<'a>)> + 'e {
    event.members.iter().filter_map(move |(key, raw)| {
        let copied = match key.as_ref() {
            "annotations" => copy_object(raw, Keys::DotsToUnderscores, event),
            "requestObject" | "responseObject" => copy_object(raw, Keys::WithoutMetadata, event),
            _ => (depth(raw.get()) <= MAX_DEPTH).then(|| Copied::Value(event.copied(raw))),
        };
        Some((key, copied?))
    })
}

/// How [`copy_object`] treats the keys of the object it copies.
#[derive(Clone, Copy)]
enum Keys {
    /// Every `.` becomes `_` (the top-level `annotations`).
    DotsToUnderscores,
    /// `metadata` is left out (`requestObject`, `responseObject`).
    WithoutMetadata,
}

/// An object member copied member by member, its keys treated as `keys` says; a value that is
/// not an object is copied as it is. `None` when the copy would nest too deep. The member was
/// read once already: when the event needs no checks, its members are found by looking at
/// strings and brackets only, and copied verbatim; otherwise it is parsed again, and each
/// value copied as [`Event::copied`] says.
fn copy_object<'a>(raw: &'a RawValue, keys: Keys, event: &Event<'a>) -> Option<Copied<'a>> {
    let text = raw.get();
    if event.verbatim {
        if let Some(members) = split_members(text) {
            let copied = without_repeats(members)
                .into_iter()
                .map(|(key, (value, depth))| (key, depth, Node::Verbatim(value)));
            return copy_members(copied, keys);
        }
    } else if let Ok(members) = object_members(text, &"the member") {
        let copied = members
            .into_iter()
            .map(|(key, value)| (key, depth(value.get()), event.copied(value)));
        return copy_members(copied, keys);
    }
    // Not an object: copied as it is.
    (depth(text) <= MAX_DEPTH).then(|| Copied::Value(event.copied(raw)))
}

/// The object of `copied` members (key, how deep the value nests, the value's copy), their
/// keys treated as `keys` says; `None` when it would nest too deep.
fn copy_members<'a>(
    copied: impl ExactSizeIterator<Item = (Cow<'a, str>, usize, Node<'a>)>,
    keys: Keys,
) -> Option<Copied<'a>> {
    let mut object = Vec::with_capacity(copied.len());
    let mut deepest = 0;
    for (key, depth, copy) in copied {
        let key = match keys {
            Keys::WithoutMetadata if key == "metadata" => continue,
            Keys::DotsToUnderscores if key.contains('.') => Cow::Owned(key.replace('.', "_")),
            _ => key,
        };
        deepest = deepest.max(depth);
        object.push((key, copy));
    }
    (deepest < MAX_DEPTH).then_some(Copied::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::user_agent::parse;

    fn mirror_of(text: &str, in_list: bool) -> String {
        let event = Event::parse(text, &"e", true).unwrap();
        let context = Context {
            user_agent: &parse,
            cluster_name: None,
            list_api_version: Some("audit.k8s.io/v1"),
            in_event_list: in_list,
            envelope: &crate::shape::Metadata::NONE,
        };
        let mirror = Mirror::of(&event, &context);
        let mut written = String::new();
        mirror.write_json(&mut written);
        // The tree, for a merged document, is the same object.
        assert_eq!(mirror.into_fields().to_json(0), written);
        written
    }

    #[test]
    fn the_event_is_copied_with_the_documented_changes() {
        let text = r#"{"auditID":"a","annotations":{"authorization.k8s.io/decision":"allow","x":""},"user":{"extra":{"a.b":["c"]}},"requestObject":{"metadata":{"name":"n","labels":{"app.kubernetes.io/name":"x"}},"spec":{"x":[]}},"responseObject":"text","empty":{},"n":null}"#;
        assert_eq!(
            mirror_of(text, false),
            r#"{"auditID":"a","annotations":{"authorization_k8s_io/decision":"allow","x":""},"user":{"extra":{"a.b":["c"]}},"requestObject":{"spec":{"x":[]}},"responseObject":"text","empty":{},"n":null}"#
        );
        assert_eq!(
            mirror_of(r#"{"auditID":"a"}"#, true),
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a"}"#
        );
        assert_eq!(
            mirror_of(r#"{"kind":"Event","apiVersion":"v9","auditID":"a"}"#, true),
            r#"{"kind":"Event","apiVersion":"v9","auditID":"a"}"#
        );
    }

    #[test]
    fn members_nested_past_the_limit_are_left_out() {
        let nested = |levels: usize| format!("{}1{}", "[".repeat(levels), "]".repeat(levels));
        let keep = format!(r#"{{"auditID":"a","x":{}}}"#, nested(MAX_DEPTH));
        assert!(mirror_of(&keep, false).contains("\"x\""));
        let drop = format!(r#"{{"auditID":"a","x":{},"y":1}}"#, nested(MAX_DEPTH + 1));
        assert_eq!(mirror_of(&drop, false), r#"{"auditID":"a","y":1}"#);
        let deep_spec = format!(
            r#"{{"auditID":"a","requestObject":{{"spec":{}}}}}"#,
            nested(MAX_DEPTH)
        );
        assert_eq!(mirror_of(&deep_spec, false), r#"{"auditID":"a"}"#);
        let strings = format!(r#"{{"auditID":"a","x":["{}"]}}"#, "[".repeat(100));
        assert!(mirror_of(&strings, false).contains("\"x\""));
    }
}

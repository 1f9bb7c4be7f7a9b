//! The output document, written as one line of compact JSON: the record's fields kept as their
//! exact text, then the profile's produced fields grouped as their layout says
//! ([`crate::layout`]); or, when a record field has the name of a produced top-level field, an
//! ordered tree of both, deep-merged. [`Fields`] is that tree, and the objects profiles build
//! (an OCSF resource). The `ecs` mirror of the event is written straight from the event
//! ([`Node::Mirror`]).

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::value::RawValue;

use crate::error::TransformError;
use crate::json_text::{
    compact_json, has_line_break, has_surrogate_escape, replace_lone_surrogates, write_string,
    write_string_list,
};
use crate::layout::{Layout, Produced};
use crate::lenient::{Member, object_members};
use crate::profile::Mirror;

/// One value of the output document.
#[derive(Debug)]
pub(crate) enum Node<'a> {
    /// A string produced by the mapping.
    Text(Cow<'a, str>),
    /// An integer produced by the mapping.
    Integer(i64),
    /// A boolean produced by the mapping.
    Boolean(bool),
    /// A list of strings produced by the mapping.
    TextList(Vec<Cow<'a, str>>),
    /// A JSON subtree produced by the mapping (pruned copies of pod-spec parts).
    Json(serde_json::Value),
    /// A field of the input record, kept as its exact JSON text.
    Raw(&'a RawValue),
    /// Input JSON text known to be well formed, one line and valid Unicode (a string field
    /// that decoded, a member of an event text without line breaks or surrogate escapes):
    /// written exactly as received, without the checks [`Node::Raw`] needs.
    Verbatim(&'a str),
    /// An object.
    Object(Fields<'a>),
    /// A list of objects produced by the mapping (OCSF's `resources`, `observables`), written
    /// as it was built ([`ObjectList`]).
    Objects(ObjectList),
    /// The `ecs` profile's copy of the whole event, written straight from the event's members
    /// (a tree only where the document is deep-merged: [`Mirror::into_fields`]).
    Mirror(Mirror<'a>),
}

/// The fields of an object, in insertion order; keys are unique.
///
/// A borrowed key never needs escaping in JSON: it is either the mapping's own (`event`,
/// `status_code`) or a key of the input that serde_json handed over borrowed, which it does
/// only for a key without escapes (and a JSON key holds no raw quote or control character).
/// Keys that were unescaped or renamed are owned, and escaped when written.
#[derive(Debug, Default)]
pub(crate) struct Fields<'a>(Vec<(Cow<'a, str>, Node<'a>)>);

impl<'a> Fields<'a> {
    /// The fields of the JSON object `text`, each kept as its exact text; a repeated key keeps
    /// its first position and its last value. `source` names the text in errors.
    pub(crate) fn parse_object(
        text: &'a str,
        source: &dyn std::fmt::Display,
    ) -> Result<Self, TransformError> {
        let members = object_members(text, source)?;
        Ok(Fields::from_members(members))
    }

    /// Fields holding `members` as their exact text, with room for the mapping's own.
    pub(crate) fn from_members(members: Vec<Member<'a>>) -> Self {
        let mut fields = Fields(Vec::with_capacity(members.len() + 8));
        fields
            .0
            .extend(members.into_iter().map(|(key, raw)| (key, Node::Raw(raw))));
        fields
    }

    /// An empty object with room for the fields the mapping puts in one (`event`, `user`,
    /// `kubernetes`... hold up to eight), so it is allocated once.
    pub(crate) fn with_room() -> Self {
        Fields::with_capacity(8)
    }

    /// An empty object with room for `fields` fields.
    pub(crate) fn with_capacity(fields: usize) -> Self {
        Fields(Vec::with_capacity(fields))
    }

    /// Whether the object has no field.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value under a top-level key.
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, node)| node)
    }

    /// The exact text of a top-level field of the input as parsed (not one the mapping
    /// produced or marked [`Node::Verbatim`]).
    pub(crate) fn raw(&self, key: &str) -> Option<&'a RawValue> {
        match self.get(key)? {
            Node::Raw(raw) => Some(raw),
            _ => None,
        }
    }

    /// The fields as members (key, exact text), the fields the mapping produced or marked
    /// [`Node::Verbatim`] left out.
    pub(crate) fn into_members(self) -> Vec<Member<'a>> {
        self.0
            .into_iter()
            .filter_map(|(key, node)| match node {
                Node::Raw(raw) => Some((key, raw)),
                _ => None,
            })
            .collect()
    }

    /// The fields of the input as members (key, exact text), for reading them as a typed
    /// struct without parsing the text again.
    pub(crate) fn members(&self) -> Vec<Member<'a>> {
        self.0
            .iter()
            .filter_map(|(key, node)| match node {
                Node::Raw(raw) => Some((key.clone(), *raw)),
                _ => None,
            })
            .collect()
    }

    /// The value under a top-level key, to change in place.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Node<'a>> {
        self.0
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, node)| node)
    }

    /// An object of `pairs` (key, value), in order; the caller knows the keys are unique.
    pub(crate) fn from_pairs(pairs: Vec<(Cow<'a, str>, Node<'a>)>) -> Self {
        Fields(pairs)
    }

    /// Appends `key` with `node`; the caller knows the key is not there yet.
    pub(crate) fn push(&mut self, key: Cow<'a, str>, node: Node<'a>) {
        self.0.push((key, node));
    }

    /// Removes `key` and its value, if it is there.
    pub(crate) fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }

    /// Sets `key` to `node`, replacing any value it had (its position is kept).
    pub(crate) fn insert(&mut self, key: Cow<'a, str>, node: Node<'a>) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => *slot = node,
            None => self.0.push((key, node)),
        }
    }

    /// Sets the value at a dotted path such as `["user_agent", "os", "name"]`, creating the
    /// objects on the way (a non-object on the way is replaced).
    pub(crate) fn set(&mut self, path: &[&'static str], node: Node<'a>) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        let mut fields = self;
        for &parent in parents {
            fields = fields.object_at(parent);
        }
        fields.insert(Cow::Borrowed(last), node);
    }

    /// The object under `key`, created when missing or not an object.
    fn object_at(&mut self, key: &'static str) -> &mut Fields<'a> {
        let at = match self.0.iter().position(|(k, _)| k == key) {
            Some(at) => at,
            None => {
                self.0
                    .push((Cow::Borrowed(key), Node::Object(Fields::with_room())));
                self.0.len() - 1
            }
        };
        let slot = &mut self.0[at].1;
        if !matches!(slot, Node::Object(_)) {
            *slot = Node::Object(Fields::with_room());
        }
        match slot {
            Node::Object(fields) => fields,
            _ => unreachable!("the slot was made an object just above"),
        }
    }

    /// Deep-merges `produced` into these fields: objects merge key by key, and where both
    /// sides have a value that is not an object on both sides, the produced one wins. A record
    /// field that is a JSON object is opened (parsed into fields) only where a produced object
    /// lands on it.
    pub(crate) fn merge(&mut self, produced: Fields<'a>) {
        for (key, node) in produced.0 {
            let Some(at) = self.0.iter().position(|(k, _)| *k == key) else {
                self.0.push((key, node));
                continue;
            };
            let slot = &mut self.0[at].1;
            match node {
                Node::Object(inner) => {
                    if let Node::Raw(raw) = slot
                        && let Ok(opened) = Fields::parse_object(raw.get(), &"record")
                    {
                        *slot = Node::Object(opened);
                    }
                    match slot {
                        Node::Object(existing) => existing.merge(inner),
                        other => *other = Node::Object(inner),
                    }
                }
                leaf => *slot = leaf,
            }
        }
    }

    /// Writes the document as one line of compact JSON; `size_hint` is the expected length
    /// (the record's), so the buffer is allocated once.
    pub(crate) fn to_json(&self, size_hint: usize) -> String {
        let mut out = String::with_capacity(size_hint + 1024);
        self.write_json(&mut out);
        out
    }

    /// Appends the object as compact JSON.
    pub(crate) fn write_json(&self, out: &mut String) {
        out.push('{');
        self.write_members(out);
        out.push('}');
    }

    /// Appends the fields as the members of an object (no braces, a comma between them).
    fn write_members(&self, out: &mut String) {
        for (index, (key, node)) in self.0.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            write_key(out, key);
            node.write_json(out);
        }
    }

    /// The keys of the top-level fields, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(key, _)| key.as_ref())
    }
}

/// Appends `key` and its colon. A borrowed key is written as it is (see [`Fields`]); an owned
/// one is escaped.
#[expect(
    clippy::ptr_arg,
    reason = "whether the key is borrowed says whether it needs escaping"
)]
pub(crate) fn write_key(out: &mut String, key: &Cow<'_, str>) {
    match key {
        Cow::Borrowed(key) => {
            out.push('"');
            out.push_str(key);
            out.push_str("\":");
        }
        Cow::Owned(key) => {
            write_string(out, key);
            out.push(':');
        }
    }
}

/// A JSON array of small objects, written as the profile builds it (OCSF's `resources`,
/// `observables`, `groups`, `authorizations`), so no object is a tree: the objects' text,
/// without the brackets.
#[derive(Debug, Default)]
pub(crate) struct ObjectList(String);

impl ObjectList {
    /// An empty list with room for `bytes` bytes of text, so it is allocated once.
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        ObjectList(String::with_capacity(bytes))
    }

    /// Appends an object, its members written by `members`.
    pub(crate) fn push(&mut self, members: impl FnOnce(&mut ObjectWriter<'_>)) {
        if !self.0.is_empty() {
            self.0.push(',');
        }
        ObjectWriter::write(&mut self.0, members);
    }
}

/// Writes the members of an object in an [`ObjectList`]; keys are the mapping's own, so they
/// need no escaping.
pub(crate) struct ObjectWriter<'o> {
    out: &'o mut String,
    empty: bool,
}

impl ObjectWriter<'_> {
    /// Appends `{`, the members `members` writes, and `}`.
    fn write(out: &mut String, members: impl FnOnce(&mut ObjectWriter<'_>)) {
        out.push('{');
        members(&mut ObjectWriter { out, empty: true });
        out.push('}');
    }

    /// Appends the comma before a member, if one was written, and `key`.
    fn key(&mut self, key: &'static str) {
        if !std::mem::replace(&mut self.empty, false) {
            self.out.push(',');
        }
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
    }

    /// A string member.
    pub(crate) fn text(&mut self, key: &'static str, text: &str) {
        self.key(key);
        write_string(self.out, text);
    }

    /// An integer member.
    pub(crate) fn integer(&mut self, key: &'static str, value: i64) {
        self.key(key);
        self.out.push_str(itoa::Buffer::new().format(value));
    }

    /// An object member, its members written by `members`.
    pub(crate) fn object(
        &mut self,
        key: &'static str,
        members: impl FnOnce(&mut ObjectWriter<'_>),
    ) {
        self.key(key);
        ObjectWriter::write(self.out, members);
    }
}

/// One output document, ready to write.
#[derive(Debug)]
pub(crate) enum Document<'a> {
    /// The record's fields (none for most records), then the profile's produced fields in
    /// their layout: what a document is when no record field has the name of a produced
    /// top-level field, so nothing is merged.
    Laid {
        /// The fields the document starts from, as received.
        record: Fields<'a>,
        /// The profile's fields.
        produced: Produced<'a>,
        /// How the profile's fields group into objects.
        layout: Arc<Layout>,
    },
    /// The document as a tree: the record's fields with the produced ones deep-merged in, or
    /// produced fields whose paths need the tree's rules.
    Tree(Fields<'a>),
}

impl Document<'_> {
    /// Writes the document as one line of compact JSON; `size_hint` is the expected length,
    /// so the buffer is allocated once.
    pub(crate) fn to_json(&self, size_hint: usize) -> String {
        let mut out = String::with_capacity(size_hint + 1024);
        self.write_json(&mut out);
        out
    }

    /// Appends the document as compact JSON.
    pub(crate) fn write_json(&self, out: &mut String) {
        match self {
            Document::Laid {
                record,
                produced,
                layout,
            } => {
                out.push('{');
                record.write_members(out);
                produced.write_members(layout, !record.is_empty(), out);
                out.push('}');
            }
            Document::Tree(fields) => fields.write_json(out),
        }
    }
}

impl Node<'_> {
    /// Appends the value as compact JSON.
    pub(crate) fn write_json(&self, out: &mut String) {
        match self {
            Node::Text(text) => write_string(out, text),
            Node::Integer(value) => out.push_str(itoa::Buffer::new().format(*value)),
            Node::Boolean(value) => out.push_str(if *value { "true" } else { "false" }),
            Node::TextList(list) => write_string_list(out, list),
            // Serialising a `Value` cannot fail: its keys are strings, its numbers finite.
            Node::Json(value) => out.push_str(&serde_json::to_string(value).unwrap_or_default()),
            Node::Raw(raw) if has_line_break(raw.get()) || has_surrogate_escape(raw.get()) => {
                // Keep the output one line per document (drop the record's layout whitespace)
                // and valid Unicode (a lone surrogate escape becomes U+FFFD).
                let text = replace_lone_surrogates(raw.get());
                if has_line_break(&text) {
                    out.push_str(&compact_json(&text));
                } else {
                    out.push_str(&text);
                }
            }
            Node::Raw(raw) => out.push_str(raw.get()),
            Node::Verbatim(text) => out.push_str(text),
            Node::Object(fields) => fields.write_json(out),
            Node::Objects(list) => {
                out.push('[');
                out.push_str(&list.0);
                out.push(']');
            }
            Node::Mirror(mirror) => mirror.write_json(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(text: &str) -> Fields<'_> {
        Fields::parse_object(text, &"record").expect("an object")
    }

    #[test]
    fn record_fields_are_written_back_exactly() {
        let text = r#"{"message":"a\"b\u00e9","n":1.50,"o":{"x":[1, 2]}}"#;
        assert_eq!(record(text).to_json(0), text);
    }

    #[test]
    fn set_creates_nested_objects_in_order() {
        let mut doc = Fields::default();
        doc.set(&["event", "code"], Node::Text("a".into()));
        doc.set(&["event", "start"], Node::Text("b".into()));
        doc.set(&["http", "response", "status_code"], Node::Integer(200));
        assert_eq!(
            doc.to_json(0),
            r#"{"event":{"code":"a","start":"b"},"http":{"response":{"status_code":200}}}"#
        );
    }

    #[test]
    fn merge_keeps_record_fields_and_produced_values_win() {
        let mut doc = record(
            r#"{"message":"m","event":{"dataset":"k8s","code":"old"},"user":"bob","tags":["a"]}"#,
        );
        let mut produced = Fields::default();
        produced.set(&["event", "code"], Node::Text("new".into()));
        produced.set(&["user", "name"], Node::Text("alice".into()));
        produced.set(&["source", "ip"], Node::Text("1.2.3.4".into()));
        doc.merge(produced);
        assert_eq!(
            doc.to_json(0),
            r#"{"message":"m","event":{"dataset":"k8s","code":"new"},"user":{"name":"alice"},"tags":["a"],"source":{"ip":"1.2.3.4"}}"#
        );
    }

    #[test]
    fn a_repeated_record_key_keeps_its_last_value() {
        assert_eq!(
            record(r#"{"a":1,"b":2,"a":3}"#).to_json(0),
            r#"{"a":3,"b":2}"#
        );
        let many: Vec<String> = (0..40).map(|i| format!("\"k{}\":{i}", i % 20)).collect();
        let text = format!("{{{}}}", many.join(","));
        let fields = record(&text);
        assert_eq!(fields.0.len(), 20);
        assert_eq!(
            fields.get("k3").map(|node| {
                let mut out = String::new();
                node.write_json(&mut out);
                out
            }),
            Some("23".into())
        );
    }

    #[test]
    fn pretty_record_fields_are_compacted_to_one_line() {
        let doc = record("{\n  \"host\": {\n    \"name\": \"a b\"\n  }\n}");
        assert_eq!(doc.to_json(0), r#"{"host":{"name":"a b"}}"#);
    }

    #[test]
    fn lone_surrogates_in_record_fields_become_replacement_characters() {
        let doc = record(r#"{"x":"\ud800","y":["\uDBFF"]}"#);
        let written = doc.to_json(0);
        assert!(
            serde_json::from_str::<serde_json::Value>(&written).is_ok(),
            "{written}"
        );
    }

    #[test]
    fn produced_values_are_written_as_json() {
        let mut doc = Fields::default();
        doc.set(&["n"], Node::Integer(-42));
        doc.set(&["b"], Node::Boolean(false));
        doc.set(&["l"], Node::TextList(vec!["x".into(), "y\"z".into()]));
        doc.set(&["j"], Node::Json(serde_json::json!({"k": [1, null]})));
        doc.set(&["e"], Node::TextList(vec![]));
        let mut list = ObjectList::default();
        list.push(|object| {
            object.text("name", "a\"");
            object.object("policy", |policy| policy.integer("id", 7));
        });
        list.push(|_| {});
        doc.set(&["o"], Node::Objects(list));
        assert_eq!(
            doc.to_json(0),
            r#"{"n":-42,"b":false,"l":["x","y\"z"],"j":{"k":[1,null]},"e":[],"o":[{"name":"a\"","policy":{"id":7}},{}]}"#
        );
    }

    #[test]
    fn parse_object_reports_the_json_type_found() {
        let error = Fields::parse_object("[1]", &"record").unwrap_err();
        assert_eq!(error.to_string(), "record is a JSON array, not an object");
        let error = Fields::parse_object("{\"a\":", &"record").unwrap_err();
        assert_eq!(error.keyword(), "invalid_json");
    }
}

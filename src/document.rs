//! The output document: an ordered tree that mixes produced ECS values with record fields kept
//! as their exact text, deep-merged, then written as one line of compact JSON.

use std::borrow::Cow;

use serde_json::value::RawValue;

use crate::error::TransformError;
use crate::lenient::{Member, object_members};

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
    /// Input text known to be one line and valid Unicode (a string field that decoded, a
    /// member of an event text without line breaks or surrogate escapes): written exactly as
    /// received, without the checks [`Node::Raw`] needs.
    Verbatim(&'a RawValue),
    /// An object.
    Object(Fields<'a>),
    /// A list of objects produced by the mapping (OCSF's `resources`, `observables`).
    Objects(Vec<Fields<'a>>),
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

    /// The exact text of a top-level field of the input (not one the mapping produced).
    pub(crate) fn raw(&self, key: &str) -> Option<&'a RawValue> {
        match self.get(key)? {
            Node::Raw(raw) | Node::Verbatim(raw) => Some(raw),
            _ => None,
        }
    }

    /// The fields as members (key, exact text), the fields the mapping produced left out.
    pub(crate) fn into_members(self) -> Vec<Member<'a>> {
        self.0
            .into_iter()
            .filter_map(|(key, node)| match node {
                Node::Raw(raw) | Node::Verbatim(raw) => Some((key, raw)),
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
                Node::Raw(raw) | Node::Verbatim(raw) => Some((key.clone(), *raw)),
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
        for (index, (key, node)) in self.0.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
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
            node.write_json(out);
        }
        out.push('}');
    }
}

impl Node<'_> {
    /// Appends the value as compact JSON.
    fn write_json(&self, out: &mut String) {
        match self {
            Node::Text(text) => write_string(out, text),
            Node::Integer(value) => out.push_str(itoa::Buffer::new().format(*value)),
            Node::Boolean(value) => out.push_str(if *value { "true" } else { "false" }),
            Node::TextList(list) => {
                out.push('[');
                for (index, text) in list.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write_string(out, text);
                }
                out.push(']');
            }
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
            Node::Raw(raw) | Node::Verbatim(raw) => out.push_str(raw.get()),
            Node::Object(fields) => fields.write_json(out),
            Node::Objects(list) => {
                out.push('[');
                for (index, fields) in list.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    fields.write_json(out);
                }
                out.push(']');
            }
        }
    }
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it. Most strings need no
/// escape at all: one branch-free pass (which the compiler vectorises) finds that out, and the
/// text is then copied whole.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    if needs_escape(text.as_bytes()) {
        write_escaped(out, text);
    } else {
        out.push_str(text);
    }
    out.push('"');
}

/// Whether `bytes` holds a byte a JSON string must escape: a control character, `"` or `\\`.
/// Sixteen bytes at a time without a branch inside (the compiler turns each block into a few
/// SIMD instructions), then byte by byte for the rest.
fn needs_escape(bytes: &[u8]) -> bool {
    let special = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        if block.iter().fold(false, |found, &b| found | special(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| special(b))
}

/// Appends `text` with JSON escapes: the short forms for `"`, `\\` and the common control
/// characters, `\u00XX` for the other control characters. A table lookup per byte, as
/// serde_json does it.
fn write_escaped(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let escape = ESCAPE[usize::from(byte)];
        at += 1;
        if escape == 0 {
            continue;
        }
        // `at - 1` is the escaped byte, which is ASCII: a character boundary.
        out.push_str(&text[copied..at - 1]);
        copied = at;
        // Constant strings: each push is a store of known size, not a call.
        match escape {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'n' => out.push_str("\\n"),
            b'r' => out.push_str("\\r"),
            b't' => out.push_str("\\t"),
            b'b' => out.push_str("\\b"),
            b'f' => out.push_str("\\f"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
    }
    out.push_str(&text[copied..]);
}

/// For each byte, the letter of its escape (`u` for `\u00XX`), or 0 when it needs none.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Whether input text must be checked before it is written back: it may hold a line break
/// or a lone surrogate escape (see [`Node::Raw`]).
pub(crate) fn needs_checks(text: &str) -> bool {
    memchr::memchr2(b'\n', b'\r', text.as_bytes()).is_some() || has_surrogate_escape(text)
}

/// Whether raw JSON text has a line break between its tokens. A string token cannot (JSON
/// strings hold no raw control characters), so the common case, a string, is not scanned.
fn has_line_break(text: &str) -> bool {
    !text.starts_with('"') && text.contains(['\n', '\r'])
}

/// Whether raw JSON text may hold a surrogate escape (`\uD800`-`\uDFFF`). One pass that stops
/// only at `\u`, which is rare in real text (a `\\u` also stops it, and is sorted out by
/// [`replace_lone_surrogates`]).
fn has_surrogate_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"\\u")
        .any(|at| matches!(bytes.get(at + 2), Some(b'd' | b'D')))
}

/// Replaces every `\u` escape of a surrogate that is not part of a pair with `\ufffd`, so the
/// text decodes to valid Unicode (serde_json refuses lone surrogates; JSON's grammar does not).
pub(crate) fn replace_lone_surrogates(text: &str) -> Cow<'_, str> {
    fn escape_at(bytes: &[u8], at: usize) -> Option<u16> {
        let hex = bytes.get(at..at + 6)?;
        if hex[0] != b'\\' || hex[1] != b'u' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    }
    if !has_surrogate_escape(text) {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            at += 1;
            continue;
        }
        match escape_at(bytes, at) {
            // A high surrogate followed by a low one: a valid pair, kept.
            Some(0xD800..=0xDBFF) if matches!(escape_at(bytes, at + 6), Some(0xDC00..=0xDFFF)) => {
                at += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str(&text[copied..at]);
                out.push_str("\\ufffd");
                at += 6;
                copied = at;
            }
            Some(_) => at += 6,
            None => at += 2,
        }
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Removes the whitespace between the tokens of well-formed JSON text, keeping key order and
/// every string (with its escapes) exactly as written.
pub fn compact_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
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
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(replace_lone_surrogates(r#""a\ud800b""#), r#""a\ufffdb""#);
        assert_eq!(
            replace_lone_surrogates(r#""\udfff\ud83d\ude00""#),
            r#""\ufffd\ud83d\ude00""#
        );
        assert_eq!(
            replace_lone_surrogates(r#""\\ud800""#),
            r#""\\ud800""#,
            "an escaped backslash"
        );
        let doc = record(r#"{"x":"\ud800","y":["\uDBFF"]}"#);
        let written = doc.to_json(0);
        assert!(
            serde_json::from_str::<serde_json::Value>(&written).is_ok(),
            "{written}"
        );
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut texts: Vec<String> = (0u8..=0x7f)
            .map(|b| format!("a{}b", char::from(b)))
            .collect();
        texts.extend(
            [
                "",
                "plain",
                "\"quoted\" \\ path",
                "tab\there\u{1}\u{1f}",
                "é ✓ 😀 \u{7f}",
            ]
            .map(String::from),
        );
        for text in &texts {
            let mut out = String::new();
            write_string(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn produced_values_are_written_as_json() {
        let mut doc = Fields::default();
        doc.set(&["n"], Node::Integer(-42));
        doc.set(&["b"], Node::Boolean(false));
        doc.set(&["l"], Node::TextList(vec!["x".into(), "y\"z".into()]));
        doc.set(&["j"], Node::Json(serde_json::json!({"k": [1, null]})));
        doc.set(&["e"], Node::TextList(vec![]));
        let mut first = Fields::default();
        first.set(&["name"], Node::Text("a".into()));
        doc.set(&["o"], Node::Objects(vec![first, Fields::default()]));
        assert_eq!(
            doc.to_json(0),
            r#"{"n":-42,"b":false,"l":["x","y\"z"],"j":{"k":[1,null]},"e":[],"o":[{"name":"a"},{}]}"#
        );
    }

    #[test]
    fn compact_json_keeps_strings_and_escapes() {
        assert_eq!(
            compact_json("{ \"a b\" : [ 1 , \"c \\\" d\" ] ,\n\"e\":\"\\\\\" }"),
            r#"{"a b":[1,"c \" d"],"e":"\\"}"#
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

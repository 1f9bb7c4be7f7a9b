//! The output document: an ordered tree that mixes produced ECS values with record fields kept
//! as their exact text, deep-merged, then written as one line of compact JSON.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::value::RawValue;

use crate::error::TransformError;
use crate::lenient::{Key, Shape};

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
    /// An object.
    Object(Fields<'a>),
}

/// The fields of an object, in insertion order; keys are unique.
#[derive(Debug, Default)]
pub(crate) struct Fields<'a>(Vec<(Cow<'a, str>, Node<'a>)>);

impl<'a> Fields<'a> {
    /// The fields of the JSON object `text`, each kept as its exact text; a repeated key keeps
    /// its first position and its last value. `source` names the text in errors.
    pub(crate) fn parse_object(text: &'a str, source: &str) -> Result<Self, TransformError> {
        match serde_json::from_str::<Shape<RawEntries<'a>>>(text) {
            Ok(Shape::Object(RawEntries(entries))) => Ok(Fields::from_entries(entries)),
            Ok(Shape::Other(found)) => Err(TransformError::NotAnObject {
                source: source.to_owned(),
                found: found.name(),
            }),
            Err(error) => Err(TransformError::from_json(source, &error)),
        }
    }

    fn from_entries(entries: Vec<(Cow<'a, str>, &'a RawValue)>) -> Self {
        let mut fields = Fields(Vec::with_capacity(entries.len() + 8));
        if entries.len() <= 16 {
            for (key, raw) in entries {
                fields.insert(key, Node::Raw(raw));
            }
        } else {
            // Many keys: find repeats through an index instead of a linear scan each.
            let mut index: BTreeMap<Cow<'a, str>, usize> = BTreeMap::new();
            for (key, raw) in entries {
                match index.get(&key) {
                    Some(&at) => fields.0[at].1 = Node::Raw(raw),
                    None => {
                        index.insert(key.clone(), fields.0.len());
                        fields.0.push((key, Node::Raw(raw)));
                    }
                }
            }
        }
        fields
    }

    /// The value under a top-level key.
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, node)| node)
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
                    .push((Cow::Borrowed(key), Node::Object(Fields::default())));
                self.0.len() - 1
            }
        };
        let slot = &mut self.0[at].1;
        if !matches!(slot, Node::Object(_)) {
            *slot = Node::Object(Fields::default());
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
                    if let Node::Raw(raw) = slot {
                        if let Ok(opened) = Fields::parse_object(raw.get(), "record") {
                            *slot = Node::Object(opened);
                        }
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
        let mut buffer = Vec::with_capacity(size_hint + 1024);
        // Serialising this tree cannot fail: every key is a string and every number finite;
        // and serde_json writes only UTF-8.
        match serde_json::to_writer(&mut buffer, self) {
            Ok(()) => String::from_utf8(buffer).unwrap_or_default(),
            Err(_) => String::new(),
        }
    }
}

/// The entries of a JSON object as `(key, exact text)` pairs, in input order.
struct RawEntries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for RawEntries<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> serde::de::Visitor<'de> for EntriesVisitor {
            type Value = RawEntries<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(4).min(64));
                while let Some((Key(key), raw)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
                    entries.push((key, raw));
                }
                Ok(RawEntries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, node) in &self.0 {
            map.serialize_entry(key, node)?;
        }
        map.end()
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Text(text) => serializer.serialize_str(text),
            Node::Integer(value) => serializer.serialize_i64(*value),
            Node::Boolean(value) => serializer.serialize_bool(*value),
            Node::TextList(list) => {
                let mut seq = serializer.serialize_seq(Some(list.len()))?;
                for text in list {
                    seq.serialize_element(text)?;
                }
                seq.end()
            }
            Node::Json(value) => value.serialize(serializer),
            Node::Raw(raw) if has_line_break(raw.get()) || has_surrogate_escape(raw.get()) => {
                // Keep the output one line per document (drop the record's layout whitespace)
                // and valid Unicode (a lone surrogate escape becomes U+FFFD).
                let text = replace_lone_surrogates(raw.get());
                let text = if has_line_break(&text) {
                    compact_json(&text)
                } else {
                    text.into_owned()
                };
                match RawValue::from_string(text) {
                    Ok(cleaned) => cleaned.serialize(serializer),
                    Err(_) => raw.serialize(serializer),
                }
            }
            Node::Raw(raw) => raw.serialize(serializer),
            Node::Object(fields) => fields.serialize(serializer),
        }
    }
}

/// Whether raw JSON text has a line break between its tokens. A string token cannot (JSON
/// strings hold no raw control characters), so the common case, a string, is not scanned.
fn has_line_break(text: &str) -> bool {
    !text.starts_with('"') && text.contains(['\n', '\r'])
}

/// Whether raw JSON text may hold a surrogate escape (`\uD800`-`\uDFFF`).
fn has_surrogate_escape(text: &str) -> bool {
    text.contains("\\ud") || text.contains("\\uD")
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
            Some(high @ 0xD800..=0xDBFF)
                if matches!(escape_at(bytes, at + 6), Some(0xDC00..=0xDFFF)) =>
            {
                let _ = high;
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
        Fields::parse_object(text, "record").expect("an object")
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
            fields.get("k3").map(|n| serde_json::to_string(n).unwrap()),
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
    fn compact_json_keeps_strings_and_escapes() {
        assert_eq!(
            compact_json("{ \"a b\" : [ 1 , \"c \\\" d\" ] ,\n\"e\":\"\\\\\" }"),
            r#"{"a b":[1,"c \" d"],"e":"\\"}"#
        );
    }

    #[test]
    fn parse_object_reports_the_json_type_found() {
        let error = Fields::parse_object("[1]", "record").unwrap_err();
        assert_eq!(error.to_string(), "record is a JSON array, not an object");
        let error = Fields::parse_object("{\"a\":", "record").unwrap_err();
        assert_eq!(error.kind(), "invalid_json");
    }
}

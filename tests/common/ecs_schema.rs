//! ECS 9.4.0's field list (`tests/data/ecs-9.4.0-fields.tsv`, derived from elastic/ecs
//! `generated/ecs/ecs_flat.yml`) and a validator for documents of the `ecs` profile. Shared by
//! `tests/ecs_validity.rs` and `tests/elasticsearch_template.rs`, with the expected documents
//! of the `fixtures/ecs` fixtures that both check.
//!
//! The rule (ecs-profile.md): every field written outside `kubernetes.audit.*` is an ECS field
//! of that list, its value has the field's type, and a field with allowed values (`event.kind`,
//! `event.category`, `event.type`, `event.outcome`) holds only those.
//!
//! "Written" means written by the transform. A document also carries the record's other fields
//! (mapping.md's deep merge: a shipper's `stream`, `time`, `input.type`, `log.offset`, ...),
//! which are the shipper's, not the profile's: [`violations_written`] leaves out every field
//! that stands in the document exactly as it stood in the record.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Map, Value};

/// The field list, as shipped in the repository.
const FIELDS_TSV: &str = include_str!("../data/ecs-9.4.0-fields.tsv");

/// The verbatim copy of the audit event: free-form, outside the ECS rule.
pub const MIRROR: &str = "kubernetes.audit";

/// One ECS field.
#[derive(Debug)]
pub struct Field {
    /// The Elasticsearch type ECS gives it (`keyword`, `ip`, `date`, `object`, ...).
    pub ty: &'static str,
    /// ECS's allowed values; empty when any value of the type goes.
    pub allowed: Vec<&'static str>,
}

/// Every field of the list, by dotted name.
pub struct Schema {
    fields: HashMap<&'static str, Field>,
}

impl Schema {
    /// The field of that dotted name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.get(name)
    }

    /// The ECS type of that dotted name.
    pub fn ty(&self, name: &str) -> Option<&'static str> {
        self.field(name).map(|field| field.ty)
    }

    /// Whether the list defines fields below `name` (`dns.answers.name` below `dns.answers`).
    fn has_children(&self, name: &str) -> bool {
        self.fields.keys().any(|key| {
            key.len() > name.len() && key.starts_with(name) && key.as_bytes()[name.len()] == b'.'
        })
    }

    /// How many fields the list has.
    pub fn len(&self) -> usize {
        self.fields.len()
    }
}

/// The schema, parsed once. Panics on a malformed list: the file is test data.
pub fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut lines = FIELDS_TSV.lines().filter(|line| !line.starts_with('#'));
        assert_eq!(
            lines.next(),
            Some("name\ttype\tnormalize\tallowed_values"),
            "ecs-9.4.0-fields.tsv: unexpected header"
        );
        let mut fields = HashMap::new();
        for line in lines.filter(|line| !line.is_empty()) {
            let columns: Vec<&'static str> = line.split('\t').collect();
            assert_eq!(columns.len(), 4, "ecs-9.4.0-fields.tsv: bad line {line:?}");
            let allowed = if columns[3].is_empty() {
                Vec::new()
            } else {
                columns[3].split(',').collect()
            };
            fields.insert(
                columns[0],
                Field {
                    ty: columns[1],
                    allowed,
                },
            );
        }
        Schema { fields }
    })
}

/// What is wrong with a document, one line per problem (`path: problem`); empty when every
/// field outside `kubernetes.audit` is valid ECS.
pub fn violations(document: &Value) -> Vec<String> {
    violations_written(document, None)
}

/// [`violations`], leaving out the fields carried over from `record` (the record the document
/// was made from, when it is a JSON object): a field whose path and value are the same in the
/// record (`stream`, `log.offset`, a whole `input` object) was not written by the profile.
pub fn violations_written(document: &Value, record: Option<&Value>) -> Vec<String> {
    let carried = record.map(record_fields).unwrap_or_default();
    let mut out = Vec::new();
    match document {
        Value::Object(members) => {
            for (key, value) in members {
                walk(key, value, &carried, &mut out);
            }
        }
        other => out.push(format!("(document): not an object but {}", kind(other))),
    }
    out
}

/// Every node of a record (objects, arrays and scalars) by dotted path, as Elasticsearch reads
/// paths: `{"host.name": "a"}` and `{"host": {"name": "a"}}` both give `host.name`.
pub fn record_fields(record: &Value) -> HashMap<String, &Value> {
    fn collect<'a>(path: &str, value: &'a Value, out: &mut HashMap<String, &'a Value>) {
        if !path.is_empty() {
            out.insert(path.to_owned(), value);
        }
        if let Value::Object(members) = value {
            for (key, child) in members {
                collect(&join(path, key), child, out);
            }
        }
    }
    let mut out = HashMap::new();
    collect("", record, &mut out);
    out
}

/// Joins a parent path and a key. A key that holds dots (`"host.name": ...`) names the same
/// field as the nested form, as Elasticsearch reads it.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(path: &str, value: &Value, carried: &HashMap<String, &Value>, out: &mut Vec<String>) {
    if path == MIRROR || path.starts_with("kubernetes.audit.") {
        return;
    }
    if carried.get(path) == Some(&value) {
        return; // The record's own field, as it came.
    }
    let schema = schema();
    if let Some(field) = schema.field(path) {
        match field.ty {
            "object" | "nested" | "flattened" => check_container(path, field, value, carried, out),
            _ => check_leaf(path, field, value, out),
        }
        return;
    }
    match value {
        Value::Object(members) => {
            for (key, value) in members {
                walk(&join(path, key), value, carried, out);
            }
        }
        Value::Array(items) => {
            // An array of objects spreads its members over the same paths, as in Elasticsearch.
            for item in items {
                match item {
                    Value::Object(_) | Value::Array(_) => walk(path, item, carried, out),
                    _ => out.push(format!("{path}: not an ECS field")),
                }
            }
        }
        _ => out.push(format!("{path}: not an ECS field")),
    }
}

/// An `object`, `nested` or `flattened` field: an object (or objects). The list names the
/// children of some (`dns.answers.*`); those are checked, while `labels.*` and `flattened`
/// contents are free.
fn check_container(
    path: &str,
    field: &Field,
    value: &Value,
    carried: &HashMap<String, &Value>,
    out: &mut Vec<String>,
) {
    match value {
        Value::Object(members) => {
            if field.ty != "flattened" && schema().has_children(path) {
                for (key, value) in members {
                    walk(&join(path, key), value, carried, out);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                check_container(path, field, item, carried, out);
            }
        }
        other => out.push(format!(
            "{path}: expected an object ({}), got {}",
            field.ty,
            kind(other)
        )),
    }
}

/// A leaf field: its value, or each element of an array of values (at any depth), has the
/// field's type and, when ECS lists allowed values, is one of them.
fn check_leaf(path: &str, field: &Field, value: &Value, out: &mut Vec<String>) {
    if let Value::Array(items) = value {
        for item in items {
            check_leaf(path, field, item, out);
        }
        return;
    }
    if let Some(problem) = type_problem(field.ty, value) {
        out.push(format!("{path}: {problem}"));
        return;
    }
    if let Some(text) = value.as_str()
        && !field.allowed.is_empty()
        && !field.allowed.contains(&text)
    {
        out.push(format!(
            "{path}: {value} is not an allowed value (allowed: {})",
            field.allowed.join(", ")
        ));
    }
}

/// Why `value` is not a value of the ECS type `ty`, or `None` when it is.
pub fn type_problem(ty: &str, value: &Value) -> Option<String> {
    let ok = match ty {
        "keyword" | "constant_keyword" | "wildcard" | "match_only_text" | "text" => {
            value.is_string()
        }
        "long" => integer_in(value, i64::MIN.into(), i64::MAX.into()),
        "integer" => integer_in(value, i32::MIN.into(), i32::MAX.into()),
        "short" => integer_in(value, i16::MIN.into(), i16::MAX.into()),
        "byte" => integer_in(value, i8::MIN.into(), i8::MAX.into()),
        "unsigned_long" => integer_in(value, 0, u64::MAX.into()),
        "float" | "double" | "scaled_float" | "half_float" => value.is_number(),
        "boolean" => value.is_boolean(),
        "ip" => value
            .as_str()
            .is_some_and(|text| text.parse::<IpAddr>().is_ok()),
        "date" => value
            .as_str()
            .is_some_and(|text| chrono::DateTime::parse_from_rfc3339(text).is_ok()),
        "geo_point" => value.is_object() || value.is_string(),
        other => return Some(format!("ECS type {other} is not handled by this validator")),
    };
    if ok {
        return None;
    }
    let expected = match ty {
        "keyword" | "constant_keyword" | "wildcard" | "match_only_text" | "text" => "a string",
        "long" | "integer" | "short" | "byte" => "an integer",
        "unsigned_long" => "an unsigned integer",
        "float" | "double" | "scaled_float" | "half_float" => "a number",
        "boolean" => "a boolean",
        "ip" => "an IP address",
        "date" => "an RFC 3339 date",
        _ => "a geo point",
    };
    Some(format!("expected {expected} ({ty}), got {}", show(value)))
}

/// Whether `value` is a JSON integer within `[min, max]`.
fn integer_in(value: &Value, min: i128, max: i128) -> bool {
    let number = value
        .as_i64()
        .map(i128::from)
        .or_else(|| value.as_u64().map(i128::from));
    number.is_some_and(|n| (min..=max).contains(&n))
}

/// A value for a message: a scalar as JSON, an array or object by its kind.
pub fn show(value: &Value) -> String {
    match value {
        Value::Array(_) | Value::Object(_) => kind(value).to_owned(),
        scalar => scalar.to_string(),
    }
}

/// A short name for a JSON value's kind, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One document a fixture expects.
pub struct Expected {
    /// The fixture file.
    pub path: PathBuf,
    /// Its place in the fixture's `expected` (an object is `[0]`).
    pub index: usize,
    /// The document.
    pub document: Value,
    /// The fixture's record, when it is JSON: `input`, or `input_text` parsed.
    pub record: Option<Value>,
}

impl Expected {
    /// `file (expected [i])`, for messages.
    pub fn origin(&self) -> String {
        format!("{} (expected [{}])", self.path.display(), self.index)
    }
}

/// The expected documents of every `*.json` fixture under `folder`, however deep, in path
/// order, each with the fixture's record (`input`, or `input_text` when it is JSON). Read here
/// rather than through `k8s_audit_ecs::fixture`, so that only `expected` must have a fixed
/// shape (an object, or an array of objects). Panics, naming the file, on anything else.
pub fn expected_documents(folder: &Path) -> Vec<Expected> {
    fn collect(folder: &Path, files: &mut Vec<PathBuf>) {
        let entries =
            std::fs::read_dir(folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
                .path();
            if path.is_dir() {
                collect(&path, files);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    collect(folder, &mut files);
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut fixture: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let documents = match fixture.get_mut("expected").map(Value::take) {
            Some(Value::Array(documents)) => documents,
            Some(document @ Value::Object(_)) => vec![document],
            _ => panic!(
                "{}: `expected` is not an object or an array of objects",
                path.display()
            ),
        };
        let record = match (
            fixture.get_mut("input").map(Value::take),
            fixture.get("input_text"),
        ) {
            (Some(input), _) => Some(input),
            (None, Some(Value::String(text))) => serde_json::from_str(text).ok(),
            _ => None,
        };
        for (index, document) in documents.into_iter().enumerate() {
            assert!(
                document.is_object(),
                "{} (expected [{index}]): not an object",
                path.display()
            );
            out.push(Expected {
                path: path.clone(),
                index,
                document,
                record: record.clone(),
            });
        }
    }
    out
}

/// A pass-through record (mapping.md's errors): `error.type` is set, nested or as a dotted
/// key. Such a record is the input as received, not a document of the profile.
pub fn is_error_document(document: &Value) -> bool {
    document.pointer("/error/type").is_some() || document.get("error.type").is_some()
}

/// Sets the field at a dotted path of a test document, creating the objects on the way.
pub fn set(document: &mut Value, path: &str, value: Value) {
    let mut node = document;
    let mut segments = path.split('.').peekable();
    while let Some(segment) = segments.next() {
        let members = node.as_object_mut().expect("an object on the way");
        if segments.peek().is_none() {
            members.insert(segment.to_owned(), value);
            return;
        }
        node = members
            .entry(segment)
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

//! Properties that hold for every record: the output is valid JSON, one line per document;
//! `message` is preserved exactly; every top-level key of the record survives.

// The audit Event's field names, shared with the hostile suite.
#[path = "common/hostile.rs"]
#[allow(dead_code)]
mod hostile;

use k8s_audit_ecs::{Options, Profile, Transformer};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Any JSON value, a few levels deep, with strings that include escapes and non-ASCII.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
        "[ -~\u{e9}\u{1f600}\\\\\"\n\t\u{0}]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z@._]{1,10}", inner, 0..5)
                .prop_map(|map| Value::Object(map.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An audit-like event: real field names with values of any type.
fn audit_event() -> impl Strategy<Value = Value> {
    let fields = hostile::FIELDS;
    (
        prop::collection::vec((0..fields.len(), any_json()), 0..10),
        "[a-f0-9-]{1,36}",
    )
        .prop_map(move |(pairs, id)| {
            let mut event = Map::new();
            event.insert("auditID".into(), Value::from(id));
            for (index, value) in pairs {
                event.insert(fields[index].into(), value);
            }
            Value::Object(event)
        })
}

/// A record of one of the shapes: message-wrapped (event text or any text), `log`, bare, or
/// any JSON object; with extra top-level fields.
fn record() -> impl Strategy<Value = Value> {
    let extra = prop::collection::btree_map("[a-z@_]{1,8}", any_json(), 0..4);
    (audit_event(), any_json(), "[ -~]{0,30}", extra, 0..5u8).prop_map(
        |(event, other, text, extra, shape)| {
            let mut record: Map<String, Value> = extra.into_iter().collect();
            match shape {
                0 => {
                    record.insert("message".into(), Value::from(event.to_string()));
                }
                1 => {
                    record.insert("message".into(), Value::from(text));
                }
                2 => {
                    record.insert("log".into(), Value::from(event.to_string()));
                }
                3 => {
                    if let Value::Object(fields) = event {
                        record.extend(fields);
                    }
                }
                _ => {
                    record.insert("payload".into(), other);
                }
            }
            Value::Object(record)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn every_record_gives_valid_documents_that_keep_it(record in record()) {
        let text = record.to_string();
        let input = record.as_object().expect("an object");
        for profile in Profile::ALL {
            let transformer = Transformer::new(Options { profile, ..Options::default() });
            let (lines, _) = transformer.transform_or_pass_through(&text);
            for line in &lines {
                prop_assert!(!line.contains('\n'));
                let document: Value = serde_json::from_str(line).map_err(|e| TestCaseError::fail(format!("{e}: {line}")))?;
                let document = document.as_object().expect("an object");
                let from_event_list = input.get("kind") == Some(&json!("EventList"))
                    || input.get("message").and_then(Value::as_str).is_some_and(|m| m.contains("EventList"));
                if from_event_list {
                    continue;
                }
                let failed = document.contains_key("error") && !input.contains_key("error");
                let field = ["message", "log"].into_iter().find(|f| input.get(*f).is_some_and(Value::is_string));
                if failed || (profile.keeps_event_text() && field.is_some()) {
                    // The record is the document's start: `message` exact, every key kept.
                    prop_assert_eq!(document.get("message"), input.get("message"));
                    for key in input.keys() {
                        prop_assert!(document.contains_key(key), "lost `{}` in {}", key, line);
                    }
                } else if profile.keeps_event_text() {
                    // A bare event: its exact text is the message.
                    prop_assert_eq!(document.get("message"), Some(&Value::from(text.clone())));
                } else if profile.writes_own_attributes_only() {
                    // OCSF: the event text is `raw_data`, and a wrapped record's other fields
                    // are kept under `unmapped.record`, none at the top level.
                    let original = match field {
                        Some(field) => input[field].clone(),
                        None => Value::from(text.clone()),
                    };
                    prop_assert_eq!(document.get("raw_data"), Some(&original));
                    let kept = document.get("unmapped").and_then(|u| u.get("record"));
                    for key in input.keys().filter(|key| field.is_some() && Some(key.as_str()) != field) {
                        // Present, not compared: the record's exact text is kept, and a float
                        // read back need not equal the generated one to the last digit.
                        prop_assert!(kept.is_some_and(|r| r.get(key).is_some()), "lost `{}` in {}", key, line);
                    }
                } else {
                    // The event text moved to `event.original`; the field that held it is
                    // gone, every other key is kept, and `message` is a description.
                    let original = match field {
                        Some(field) => input[field].clone(),
                        None => Value::from(text.clone()),
                    };
                    prop_assert_eq!(document.get("event").and_then(|e| e.get("original")), Some(&original));
                    prop_assert!(document.get("message").is_some_and(Value::is_string));
                    // A wrapped record keeps its other fields (a bare one's are in the mirror).
                    for key in input.keys().filter(|key| field.is_some() && Some(key.as_str()) != field) {
                        prop_assert!(document.contains_key(key), "lost `{}` in {}", key, line);
                    }
                }
            }
        }
    }
}

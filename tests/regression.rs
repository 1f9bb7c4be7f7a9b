//! Regression tests: one per finding (fuzzing, hostile input, real shippers), with the input
//! that found it under `tests/regression/`.

use k8s_audit_ecs::{Options, Profile, Transformer};
use serde_json::Value;

/// Fuzzing found a record whose `message` is an object while the record itself is an audit
/// event (it has `auditID`). `message` is not a string, so the record is read as a bare event:
/// the document is `{"message": <the record's exact text>}` plus the ECS fields (or the text
/// in `event.original` or `raw_data`), so nothing is lost. (The fuzz target's own invariant was wrong about this shape and was corrected.)
#[test]
fn a_non_string_message_in_an_audit_event_is_a_bare_event() {
    let record = include_str!("regression/fuzz-non-string-message.json");
    for profile in Profile::ALL {
        let documents = Transformer::new(Options {
            profile,
            ..Options::default()
        })
        .transform(record)
        .unwrap();
        assert_eq!(documents.len(), 1);
        let document: Value = serde_json::from_str(&documents[0]).unwrap();
        let (kept, id) = if profile.keeps_event_text() {
            (&document["message"], &document["event"]["code"])
        } else if profile.writes_own_attributes_only() {
            (
                &document["raw_data"],
                &document["metadata"]["correlation_uid"],
            )
        } else {
            (&document["event"]["original"], &document["event"]["id"])
        };
        assert_eq!(kept, record, "{profile}: the whole record is kept");
        assert_eq!(id, "827c8b98-4dff-41fd-99ce-03ad83f82a20");
    }
}

/// A real Fluent Bit run found that it silently drops a record whose JSON nests about 60
/// levels; the extended profile leaves out a copied pod-spec subtree that deep.
#[test]
fn deep_pod_spec_subtrees_are_not_copied() {
    let mut args = Value::from(1);
    for _ in 0..60 {
        args = Value::Array(vec![args]);
    }
    let event = serde_json::json!({
        "auditID": "a", "requestObject": {"spec": {"hostNetwork": false, "containers": [{"name": "c", "args": args}]}}
    });
    let transformer = Transformer::new(Options {
        profile: Profile::Extended,
        ..Options::default()
    });
    let document: Value =
        serde_json::from_str(&transformer.transform(&event.to_string()).unwrap()[0]).unwrap();
    assert_eq!(
        document["kubernetes"]["spec"],
        serde_json::json!({"host_network": false})
    );
}

//! Hostile input through the native core: every record gives documents or an error (never a
//! panic or a stack overflow), and what is written is one line of valid JSON per document
//! that keeps the record's `message` and top-level fields.

#[path = "common/hostile.rs"]
mod hostile;

use k8s_audit_ecs::{Options, Profile, Transformer};
use serde_json::Value;

#[test]
fn hostile_records_give_documents_or_errors() {
    for profile in Profile::ALL {
        let transformer = Transformer::new(Options {
            profile,
            ..Options::default()
        });
        for (name, record) in hostile::records() {
            let (lines, error) = transformer.transform_or_pass_through(&record);
            // A record serde_json itself refuses (a number beyond f64, say) is written back as
            // it came when its text is well formed: strict re-parsing applies to the others.
            let strict_input = serde_json::from_str::<Value>(&record).is_ok();
            for line in &lines {
                assert!(
                    !line.contains('\n') && line.starts_with('{'),
                    "{name}: not one JSON object per line"
                );
                let Ok(document) = serde_json::from_str::<Value>(line) else {
                    assert!(!strict_input, "{name}: invalid JSON written: {line:.200}");
                    continue;
                };
                assert!(document.is_object(), "{name}");
                if error.is_some() {
                    assert!(
                        document["error"]["type"].is_string(),
                        "{name}: no error.type"
                    );
                }
            }
            // Nothing lost: a record that is an object keeps each of its top-level keys.
            if let (Ok(Value::Object(input)), Some(_)) =
                (serde_json::from_str::<Value>(&record), &error)
            {
                let document: Value = serde_json::from_str(&lines[0]).unwrap();
                for key in input.keys() {
                    assert!(document.get(key).is_some(), "{name}: lost `{key}`");
                }
            }
        }
    }
}

#[test]
fn deep_nesting_fails_cleanly_or_passes_through() {
    let transformer = Transformer::new(Options {
        profile: Profile::Extended,
        ..Options::default()
    });
    let nested = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    // A deep array where an object belongs is an error, not a stack overflow (it is skipped
    // without recursion)...
    let error = transformer.transform(&nested).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the record is a JSON array, not an object"
    );
    let wrapped = serde_json::json!({ "message": nested }).to_string();
    let error = transformer.transform(&wrapped).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the `message` field is a JSON array, not an object"
    );
    // ...and so is an event nested deep inside objects.
    let objects = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    assert_eq!(
        transformer.transform(&objects).unwrap_err().keyword(),
        "not_an_audit_event"
    );
    let event_in_deep_field = format!("{{\"auditID\":\"x\",\"user\":{objects}}}");
    // serde_json skips values it does not build without recursing: a deep unread subtree is
    // no danger, and the event converts.
    assert!(transformer.transform(&event_in_deep_field).is_ok());
    // ...while a deep subtree the mapping skips is carried through as it came, and one it
    // would copy (a pod's containers) is left out.
    let skipped =
        format!("{{\"auditID\":\"x\",\"requestObject\":{{\"spec\":{{\"containers\":{nested}}}}}}}");
    let documents = transformer.transform(&skipped).expect("converts");
    assert_eq!(documents.len(), 1);
    assert!(
        !documents[0].contains("\"kubernetes\":{\"spec\""),
        "the deep containers were copied"
    );
}

/// The hostile envelopes end as the contract says: the record fails whole when the envelope
/// cannot be read (a zip bomb is refused, not inflated), and an event inside fails alone.
#[test]
fn hostile_envelopes_fail_as_documented() {
    let transformer = Transformer::new(Options::default());
    let records = hostile::records();
    let record = |name: &str| {
        &records
            .iter()
            .find(|(n, _)| n.starts_with(name))
            .unwrap_or_else(|| panic!("no hostile record {name}"))
            .1
    };
    for (name, keyword) in [
        ("CloudWatch data that is not base64", "invalid_base64"),
        ("CloudWatch data that is not gzip", "invalid_gzip"),
        ("CloudWatch gzip cut short", "invalid_gzip"),
        ("CloudWatch zip bomb", "payload_too_large"),
    ] {
        let error = transformer.transform(record(name)).unwrap_err();
        assert_eq!(error.keyword(), keyword, "{name}: {error}");
    }
    let batch = transformer
        .transform_record(record("CloudWatch message of 100,000"))
        .unwrap();
    assert_eq!((batch.documents.len(), batch.failures.len()), (100_000, 0));
    for (name, keyword) in [
        ("Event Hub record whose log nests", "not_an_audit_event"),
        ("Pub/Sub message wrapping itself", "not_an_audit_event"),
    ] {
        let converted = transformer.transform_record(record(name)).unwrap();
        assert_eq!(converted.documents.len(), 1, "{name}");
        assert_eq!(converted.failures[0].error.keyword(), keyword, "{name}");
    }
    let gke = transformer
        .transform_record(record("GKE entry of wrong types"))
        .unwrap();
    assert_eq!((gke.documents.len(), gke.failures.len()), (1, 0));
}

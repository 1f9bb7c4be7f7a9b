//! The mapping's rules through the public API: record shapes, batches, merging, errors.
//! (Field-level rules are unit-tested beside their code and covered by the fixtures.)

use k8s_audit_ecs::{ErrorKind, Options, Profile, Transformer, error_document};
use serde_json::{Value, json};

const EVENT: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"5a4d1c2e-0f61-4c0b-9a3e-1f2d3c4b5a69","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/secrets/db","verb":"get","user":{"username":"alice","uid":"u-1","groups":["dev","system:authenticated"]},"sourceIPs":["10.0.0.7"],"objectRef":{"resource":"secrets","namespace":"default","name":"db","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-06-02T10:06:00.123456789Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}"#;

fn baseline() -> Transformer {
    Transformer::new(Options::default())
}

fn one(transformer: &Transformer, record: &str) -> Value {
    let documents = transformer.transform(record).expect("converts");
    assert_eq!(documents.len(), 1);
    serde_json::from_str(&documents[0]).expect("valid JSON")
}

fn wrapped(event: &str) -> String {
    json!({ "message": event }).to_string()
}

#[test]
fn a_bare_event_gives_the_same_document_as_the_wrapped_one() {
    let bare = one(&baseline(), EVENT);
    let wrapped = one(&baseline(), &wrapped(EVENT));
    assert_eq!(bare, wrapped);
    assert_eq!(
        bare["message"], EVENT,
        "the bare event's text is kept byte for byte"
    );
    assert!(bare.get("kind").is_none() && bare["user"].get("username").is_none());
    assert_eq!(bare["event"]["start"], "2024-06-02T10:06:00.123456Z");
    assert!(
        bare["kubernetes"].get("rbacreason").is_none(),
        "an empty reason is absent"
    );
}

#[test]
fn the_configured_field_holds_the_event_and_no_message_is_added() {
    let record = json!({ "stream": "stdout", "audit": EVENT }).to_string();
    let transformer = Transformer::new(Options {
        event_field: "audit".into(),
        ..Options::default()
    });
    let document = one(&transformer, &record);
    assert_eq!(document["audit"], EVENT);
    assert_eq!(document["stream"], "stdout");
    assert!(document.get("message").is_none());
    assert_eq!(
        document["event"]["code"],
        "5a4d1c2e-0f61-4c0b-9a3e-1f2d3c4b5a69"
    );
    // `message` is looked at first, whatever the configured field.
    let both = json!({ "message": EVENT, "audit": "{}" }).to_string();
    assert_eq!(one(&transformer, &both)["user"]["name"], "alice");
}

#[test]
fn message_is_kept_exactly_as_received() {
    let record = r#"{"message":"{\"auditID\":\"a\u00e9\",\"verb\":\"get\"}\n"}"#;
    let document = &baseline().transform(record).unwrap()[0];
    assert!(document.starts_with(r#"{"message":"{\"auditID\":\"a\u00e9\",\"verb\":\"get\"}\n""#));
    assert_eq!(
        serde_json::from_str::<Value>(document).unwrap()["event"]["code"],
        "aé"
    );
}

#[test]
fn an_event_list_gives_one_document_per_item() {
    let second = EVENT
        .replace("5a4d1c2e", "6b5e2d3f")
        .replace("\"get\"", "\"delete\"");
    let list = format!(
        r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{{}},"items":[{EVENT}, {second}]}}"#
    );
    for record in [list.clone(), wrapped(&list)] {
        let documents = baseline().transform(&record).unwrap();
        assert_eq!(documents.len(), 2);
        let first: Value = serde_json::from_str(&documents[0]).unwrap();
        let last: Value = serde_json::from_str(&documents[1]).unwrap();
        assert_eq!(first["message"], EVENT, "each item's exact text");
        assert_eq!(last["message"], second.as_str());
        assert_eq!(last["event"]["action"], "delete");
        assert!(first.get("kind").is_none());
    }
    let empty = r#"{"kind":"EventList","items":[]}"#;
    assert_eq!(baseline().transform(empty).unwrap(), Vec::<String>::new());
}

/// An item that is not an audit event yields its own error document in its place, and the
/// other items convert (docs/record-shapes.md, "EventList"); a list without `items` fails whole.
#[test]
fn an_event_list_item_that_is_not_an_event_fails_alone() {
    let record = format!(r#"{{"kind":"EventList","items":[{EVENT},{{"kind":"Pod"}},7]}}"#);
    let converted = baseline().transform_record(&record).unwrap();
    assert_eq!(converted.documents.len(), 3);
    let failed: Vec<(usize, &str)> = converted
        .failures
        .iter()
        .map(|failure| (failure.index, failure.error.keyword()))
        .collect();
    assert_eq!(failed, [(1, "not_an_audit_event"), (2, "not_an_object")]);
    assert!(
        converted.failures[0]
            .error
            .to_string()
            .contains("item 1 of the EventList"),
        "{}",
        converted.failures[0].error
    );
    let pod: Value = serde_json::from_str(&converted.documents[1]).unwrap();
    assert_eq!(
        pod,
        json!({"message": r#"{"kind":"Pod"}"#, "error": {"type": "not_an_audit_event", "message": converted.failures[0].error.to_string()}})
    );
    let seven: Value = serde_json::from_str(&converted.documents[2]).unwrap();
    assert_eq!(seven["message"], "7");
    let first: Value = serde_json::from_str(&converted.documents[0]).unwrap();
    assert_eq!(first["user"]["name"], "alice");

    let error = baseline()
        .transform(r#"{"kind":"EventList","items":{}}"#)
        .unwrap_err();
    assert!(
        error.to_string().contains("without an `items` array"),
        "{error}"
    );
}

#[test]
fn record_fields_are_deep_merged_and_produced_values_win() {
    let record = json!({
        "message": EVENT,
        "@timestamp": "2024-06-02T10:06:01Z",
        "event": {"dataset": "kubernetes.audit", "code": "stale"},
        "user": "not-an-object",
        "tags": ["k8s"],
    })
    .to_string();
    let document = one(&baseline(), &record);
    assert_eq!(document["@timestamp"], "2024-06-02T10:06:01Z");
    assert_eq!(document["event"]["dataset"], "kubernetes.audit");
    assert_eq!(
        document["event"]["code"],
        "5a4d1c2e-0f61-4c0b-9a3e-1f2d3c4b5a69"
    );
    assert_eq!(document["user"]["name"], "alice");
    assert_eq!(document["tags"], json!(["k8s"]));
}

#[test]
fn errors_say_what_is_wrong_and_where() {
    let cases: [(&str, &str, &str); 7] = [
        (
            "",
            "invalid_json",
            "the record is not valid JSON: EOF while parsing a value at line 1 column 0",
        ),
        (
            "{\"message\": \"x\"",
            "invalid_json",
            "the record is not valid JSON: EOF while parsing an object at line 1 column 15",
        ),
        (
            "[1,2]",
            "not_an_object",
            "the record is a JSON array, not an object",
        ),
        (
            r#"{"message":"{\n\"auditID\": tru}"}"#,
            "invalid_json",
            "the `message` field is not valid JSON: expected ident at line 2 column 15",
        ),
        (
            r#"{"message":"42"}"#,
            "not_an_object",
            "the `message` field is a JSON number, not an object",
        ),
        (
            r#"{"message":"{\"kind\":\"Pod\"}"}"#,
            "not_an_audit_event",
            "not a Kubernetes audit event: the `message` field holds an object with no `auditID` whose `kind` is not `Event` or `EventList`",
        ),
        (
            r#"{"level":"info","msg":"started"}"#,
            "not_an_audit_event",
            "not a Kubernetes audit event: the record has no `message` or `log` string field and is not an audit event itself (no `auditID`, and `kind` is not `Event`)",
        ),
    ];
    for (record, kind, message) in cases {
        let error = baseline().transform(record).unwrap_err();
        assert_eq!(
            (error.keyword(), error.to_string().as_str()),
            (kind, message),
            "{record:?}"
        );
    }
    let error = baseline().transform("{\"a\":1}\n{").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidJson);
    assert_eq!(error.position(), Some((2, 1)), "{error:?}");
}

#[test]
fn a_failed_record_passes_through_with_error_fields() {
    let record = r#"{"message":"{\"kind\":\"Pod\"}","host":{"name":"n1"},"error":{"code":7}}"#;
    let error = baseline().transform(record).unwrap_err();
    let document: Value = serde_json::from_str(&error_document(record, &error)).unwrap();
    assert_eq!(document["message"], r#"{"kind":"Pod"}"#);
    assert_eq!(document["host"]["name"], "n1");
    assert_eq!(document["error"]["code"], 7);
    assert_eq!(document["error"]["type"], "not_an_audit_event");
    assert_eq!(document["error"]["message"], error.to_string());

    let line = "2024-06-02 10:06:00 kube-apiserver started";
    let error = baseline().transform(line).unwrap_err();
    let document: Value = serde_json::from_str(&error_document(line, &error)).unwrap();
    assert_eq!(document["message"], line);
    assert_eq!(document["error"]["type"], "invalid_json");
}

#[test]
fn wrong_types_leave_their_fields_out() {
    let event = r#"{"auditID":"a","verb":7,"user":"bob","sourceIPs":"10.0.0.1","objectRef":{"name":["x"],"resource":"pods"},"responseStatus":{"code":"403"},"annotations":[],"userAgent":{},"requestReceivedTimestamp":1717322760}"#;
    let document = one(&baseline(), event);
    assert_eq!(
        document,
        json!({
            "message": event,
            "event": {"code": "a"},
            "http": {"response": {"status_code": 403}},
            "kubernetes": {"resource": "pods"}
        })
    );
}

#[test]
fn extended_adds_workload_fields_only_in_its_profile() {
    let event = r#"{"auditID":"a","objectRef":{"apiGroup":"apps"},"requestObject":{"spec":{"hostNetwork":false,"containers":[{"name":"c","image":"i","env":[]}],"volumes":"x"},"roleRef":{"name":"admin"}}}"#;
    let base = one(&baseline(), event);
    assert!(base.get("kubernetes").is_none());
    let extended = one(
        &Transformer::new(Options {
            profile: Profile::Extended,
            ..Options::default()
        }),
        event,
    );
    assert_eq!(
        extended["kubernetes"],
        json!({"api": {"group": "apps"}, "role": {"name": "admin"}, "spec": {"host_network": false, "containers": [{"name": "c", "image": "i"}]}})
    );
}

//! ECS validity of the `ecs` profile (ecs-profile.md): every field written outside
//! `kubernetes.audit.*` is an ECS 9.4.0 field, its value has the field's type (keyword: a
//! string; long: an integer; ip: an IP address; date: RFC 3339), and `event.kind`, `.category`,
//! `.type` and `.outcome` hold only ECS's allowed values. Checked over the expected documents
//! of every `fixtures/ecs` fixture and over what the core writes for their inputs and for
//! every line of `fixtures/sample-audit.log`. Error documents (with `error.type`) are records
//! passed through as received, so they are left out, and so are the record's own fields that a
//! document carries unchanged (a shipper's `stream`, `input.type`, ...): the profile did not
//! write them.

#[path = "common/ecs_schema.rs"]
#[allow(dead_code)]
mod ecs_schema;

use std::path::{Path, PathBuf};

use k8s_audit_ecs::fixture::{Fixture, load_all};
use k8s_audit_ecs::{Options, Profile, Transformer};
use serde_json::{Value, json};

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ecs_folder() -> PathBuf {
    repository().join("fixtures").join("ecs")
}

/// Every fixture under `fixtures/ecs`, however deep, with its input.
fn ecs_fixtures() -> Vec<Fixture> {
    load_all(&[ecs_folder()]).unwrap_or_else(|e| panic!("fixtures/ecs: {e}"))
}

/// Checks one document made from `record`, adding `origin: violation` lines to `failures`.
fn check(origin: &str, document: &Value, record: Option<&Value>, failures: &mut Vec<String>) {
    for violation in ecs_schema::violations_written(document, record) {
        failures.push(format!("{origin}: {violation}"));
    }
}

fn assert_no_failures(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} ECS violation(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_ecs_fixture_folder_is_not_empty() {
    let documents = ecs_schema::expected_documents(&ecs_folder());
    assert!(
        documents
            .iter()
            .any(|expected| !ecs_schema::is_error_document(&expected.document)),
        "fixtures/ecs has no fixture that expects an ECS document"
    );
}

#[test]
fn expected_documents_of_the_ecs_fixtures_are_valid_ecs() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for expected in ecs_schema::expected_documents(&ecs_folder()) {
        if ecs_schema::is_error_document(&expected.document) {
            continue;
        }
        checked += 1;
        check(
            &expected.origin(),
            &expected.document,
            expected.record.as_ref(),
            &mut failures,
        );
    }
    assert!(checked > 0, "no expected ECS document in fixtures/ecs");
    assert_no_failures(&failures);
}

#[test]
fn documents_the_ecs_profile_writes_are_valid_ecs() {
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut check_record =
        |transformer: &Transformer, origin: String, record: &str, must_convert: bool| {
            let documents = match transformer.transform(record) {
                Ok(documents) => documents,
                // A fixture may hold a record that fails as a whole: it is passed through.
                Err(_) if !must_convert => return,
                Err(error) => {
                    failures.push(format!("{origin}: the record failed: {error}"));
                    return;
                }
            };
            let parsed: Option<Value> = serde_json::from_str(record).ok();
            if must_convert && documents.is_empty() {
                failures.push(format!("{origin}: no document"));
            }
            for (index, text) in documents.iter().enumerate() {
                let document: Value = match serde_json::from_str(text) {
                    Ok(document) => document,
                    Err(e) => {
                        failures.push(format!("{origin} [{index}]: not JSON ({e}): {text:.200}"));
                        continue;
                    }
                };
                if ecs_schema::is_error_document(&document) {
                    continue;
                }
                checked += 1;
                check(
                    &format!("{origin} [{index}]"),
                    &document,
                    parsed.as_ref(),
                    &mut failures,
                );
            }
        };

    for fixture in ecs_fixtures() {
        // With the fixture's own options (cluster-name, event-field), as tests/fixtures.rs runs it.
        check_record(
            &Transformer::new(fixture.options(Profile::Ecs)),
            format!("{} (input)", fixture.path.display()),
            &fixture.input,
            false,
        );
    }
    let transformer = Transformer::new(Options {
        profile: Profile::Ecs,
        ..Options::default()
    });
    let log_path = repository().join("fixtures").join("sample-audit.log");
    let log = std::fs::read_to_string(&log_path)
        .unwrap_or_else(|e| panic!("{}: {e}", log_path.display()));
    let mut lines = 0;
    for (number, line) in log.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        lines += 1;
        check_record(
            &transformer,
            format!("sample-audit.log:{}", number + 1),
            line,
            true,
        );
    }
    assert!(lines > 0, "sample-audit.log has no record");
    assert!(checked > 0, "no ECS document was written");
    assert_no_failures(&failures);
}

/// A document of the `ecs` profile's shape, valid by construction.
fn valid_document() -> Value {
    json!({
        "@timestamp": "2024-06-02T10:06:00.123456Z",
        "message": "alice read secrets/db in namespace default from 10.0.0.7",
        "ecs": {"version": "9.4.0"},
        "data_stream": {"type": "logs", "dataset": "kubernetes.audit_logs"},
        "event": {
            "original": "{\"kind\":\"Event\"}",
            "dataset": "kubernetes.audit_logs",
            "module": "kubernetes",
            "kind": "event",
            "category": ["api", "iam"],
            "type": ["access", "admin", "allowed"],
            "action": "get",
            "outcome": "success",
            "id": "5a4d1c2e",
            "start": "2024-06-02T10:06:00.123456Z",
            "end": "2024-06-02T10:06:00.200000Z",
            "duration": 76_544_000
        },
        "http": {"request": {"id": "5a4d1c2e", "method": "GET"}, "response": {"status_code": 200}},
        "user": {
            "name": "alice", "id": "u-1", "group": {"name": ["dev", "system:authenticated"]},
            "effective": {"name": "bob", "group": {"name": ["ops"]}}
        },
        "related": {"user": ["alice", "bob"], "ip": ["10.0.0.7", "2001:db8::1"]},
        "source": {"address": "10.0.0.7", "ip": "10.0.0.7"},
        "client": {"address": "10.0.0.7", "ip": "10.0.0.7"},
        "url": {"original": "/api/v1/namespaces/default/secrets/db?x=1", "path": "/api/v1/namespaces/default/secrets/db", "query": "x=1"},
        "user_agent": {"original": "kubectl/v1.29.0", "name": "Other", "os": {"name": "Other"}, "device": {"name": "Other"}},
        "orchestrator": {
            "type": "kubernetes", "namespace": "default", "api_version": "v1",
            "resource": {"type": "secrets", "name": "db", "id": "0c6f"},
            "cluster": {"name": "prod-1", "id": "c-1"}
        },
        "cloud": {"provider": "gcp", "service": {"name": "gke"}, "project": {"id": "acme"}, "availability_zone": "europe-west4-b"},
        "host.name": "node-1",
        "tags": ["audit"],
        "kubernetes": {"audit": {
            "kind": "Event",
            "anything": {"goes": [1, "two", null, {"three": true}]},
            "annotations": {"authorization_k8s_io/decision": "allow"}
        }}
    })
}

#[test]
fn the_validator_accepts_a_valid_document() {
    assert_eq!(
        ecs_schema::violations(&valid_document()),
        Vec::<String>::new()
    );
    // The list is ECS 9.4.0's, whole.
    assert!(ecs_schema::schema().len() > 2000);
    assert_eq!(ecs_schema::schema().ty("event.category"), Some("keyword"));
}

#[test]
fn the_validator_catches_violations() {
    let cases: &[(&str, Value, &str)] = &[
        // Fields that are not ECS's.
        (
            "kubernetes.namespace",
            json!("default"),
            "kubernetes.namespace: not an ECS field",
        ),
        ("event.verb", json!("get"), "event.verb: not an ECS field"),
        ("user", json!("alice"), "user: not an ECS field"),
        ("stream", json!("stdout"), "stream: not an ECS field"),
        // Values of the wrong type.
        (
            "http.response.status_code",
            json!("200"),
            "http.response.status_code: expected an integer (long)",
        ),
        (
            "event.duration",
            json!(1.5),
            "event.duration: expected an integer (long)",
        ),
        (
            "user.name",
            json!(7),
            "user.name: expected a string (keyword)",
        ),
        (
            "user.name",
            Value::Null,
            "user.name: expected a string (keyword), got null",
        ),
        (
            "message",
            json!({"text": "x"}),
            "message: expected a string (match_only_text), got an object",
        ),
        (
            "orchestrator.resource.name",
            json!(["a", 1]),
            "orchestrator.resource.name: expected a string (keyword), got 1",
        ),
        // Bad IP addresses.
        (
            "source.ip",
            json!("10.0.0.300"),
            "source.ip: expected an IP address (ip)",
        ),
        (
            "client.ip",
            json!("fe80::1%eth0"),
            "client.ip: expected an IP address (ip)",
        ),
        (
            "related.ip",
            json!(["10.0.0.7", "gce-internal-ip"]),
            "related.ip: expected an IP address (ip), got \"gce-internal-ip\"",
        ),
        // Bad dates.
        (
            "@timestamp",
            json!("2024-06-02 10:06:00"),
            "@timestamp: expected an RFC 3339 date (date)",
        ),
        (
            "event.start",
            json!("2024-06-02T25:06:00Z"),
            "event.start: expected an RFC 3339 date (date)",
        ),
        (
            "event.end",
            json!(1_717_322_760_000_i64),
            "event.end: expected an RFC 3339 date (date)",
        ),
        // Values ECS does not allow.
        (
            "event.category",
            json!(["api", "kubernetes"]),
            "event.category: \"kubernetes\" is not an allowed value",
        ),
        (
            "event.outcome",
            json!("allow"),
            "event.outcome: \"allow\" is not an allowed value",
        ),
        (
            "event.kind",
            json!("audit"),
            "event.kind: \"audit\" is not an allowed value",
        ),
        (
            "event.type",
            json!(["access", "read"]),
            "event.type: \"read\" is not an allowed value",
        ),
    ];
    for (path, value, expected) in cases {
        let mut document = valid_document();
        ecs_schema::set(&mut document, path, value.clone());
        let violations = ecs_schema::violations(&document);
        assert!(
            violations.iter().any(|v| v.starts_with(expected)),
            "{path} = {value}: expected a violation starting with {expected:?}, got {violations:?}"
        );
        assert_eq!(violations.len(), 1, "{path} = {value}: {violations:?}");
    }
}

#[test]
fn only_the_mirror_is_free_form() {
    let mut document = valid_document();
    // Anything at all under kubernetes.audit.
    ecs_schema::set(
        &mut document,
        "kubernetes.audit.user",
        json!("not an object"),
    );
    ecs_schema::set(
        &mut document,
        "kubernetes.audit.requestObject.spec.hostPID",
        json!("yes"),
    );
    assert_eq!(ecs_schema::violations(&document), Vec::<String>::new());
    // But not beside it, nor a key that only starts the same way.
    ecs_schema::set(&mut document, "kubernetes.auditor", json!("x"));
    ecs_schema::set(&mut document, "kubernetes.pod_name", json!("x"));
    let mut violations = ecs_schema::violations(&document);
    violations.sort();
    assert_eq!(
        violations,
        [
            "kubernetes.auditor: not an ECS field",
            "kubernetes.pod_name: not an ECS field"
        ]
    );
}

#[test]
fn fields_carried_from_the_record_are_the_shippers() {
    let record = json!({
        "message": "{\"kind\":\"Event\"}",
        "stream": "stdout",
        "input": {"type": "filestream"},
        "log.offset": 18_273_645,
        "ecs": {"version": "8.11.0"}
    });
    let mut document = valid_document();
    ecs_schema::set(&mut document, "stream", json!("stdout"));
    ecs_schema::set(&mut document, "input.type", json!("filestream"));
    ecs_schema::set(&mut document, "log.offset", json!(18_273_645));
    assert_eq!(
        ecs_schema::violations_written(&document, Some(&record)),
        Vec::<String>::new()
    );
    // What the transform wrote is checked even where the record had the field.
    ecs_schema::set(&mut document, "stream", json!("stderr"));
    ecs_schema::set(&mut document, "ecs.version", json!(9.4));
    let mut violations = ecs_schema::violations_written(&document, Some(&record));
    violations.sort();
    assert_eq!(
        violations,
        [
            "ecs.version: expected a string (keyword), got 9.4",
            "stream: not an ECS field",
        ]
    );
}

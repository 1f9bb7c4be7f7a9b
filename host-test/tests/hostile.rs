//! Hostile input through the component: never a trap on input, the same lines as the native
//! core, one output line per input line, and a record that blows the memory cap costs only
//! itself.

#[path = "../../tests/common/hostile.rs"]
mod hostile;

use std::time::Duration;

use host_test::{Limits, Outcome, Runtime, Session, stream};
use k8s_audit_ecs::{Options, Transformer};

fn runtime() -> Runtime {
    Runtime::load_built().expect("the built component loads")
}

#[test]
fn hostile_records_never_trap_and_match_the_native_core() {
    let runtime = runtime();
    let mut session = Session::new(&runtime, &Options::default()).unwrap();
    let native = Transformer::new(Options::default());
    for (name, record) in hostile::records() {
        let outcome = session.transform(&record).unwrap();
        if let Outcome::Failed(error) = &outcome {
            assert_ne!(error.keyword(), "component_trap", "{name}: {error:.300}");
        }
        let (expected, _) = native.transform_or_pass_through(&record);
        assert!(
            outcome.into_lines(&record) == expected,
            "{name}: the component and the native core differ"
        );
    }
}

/// A stream of hostile lines: every line is read as a record and gives what the native core
/// gives for it (one line, or one per item of an `EventList`), nothing dropped.
#[test]
fn a_stream_of_hostile_lines_loses_nothing() {
    let runtime = runtime();
    let mut session = Session::new(&runtime, &Options::default()).unwrap();
    let native = Transformer::new(Options::default());
    let valid = r#"{"kind":"Event","auditID":"a1","verb":"get"}"#;
    let mut input = Vec::new();
    let (mut records, mut expected_lines) = (0, 0);
    for (_, record) in hostile::records() {
        for line in [valid, record.as_str()] {
            input.extend_from_slice(line.as_bytes());
            input.push(b'\n');
            records += 1;
            expected_lines += native.transform_or_pass_through(line).0.len() as u64;
        }
    }
    input.extend_from_slice(b"\xff\xfe{\"auditID\":\"bytes\"}\n");
    records += 1;
    expected_lines += 1;
    let mut output = Vec::new();
    let summary =
        stream::transform_stream(&mut session, &input[..], &mut output, "hostile").unwrap();
    assert_eq!(summary.records, records);
    let lines = output
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .count() as u64;
    assert_eq!(lines, expected_lines);
    assert_eq!(lines, summary.converted + summary.errors);
}

#[test]
fn a_record_over_the_memory_cap_costs_only_itself() {
    let runtime = runtime();
    let limits = Limits {
        memory_bytes: 64 << 20,
        time_per_call: Duration::from_secs(10),
    };
    let mut session = Session::with_limits(&runtime, &Options::default(), limits).unwrap();
    let event = |id: &str| format!(r#"{{"kind":"Event","auditID":"{id}","verb":"get"}}"#);
    let huge = format!(
        r#"{{"kind":"Event","auditID":"huge","data":"{}"}}"#,
        "x".repeat(80 << 20)
    );
    let input = format!(
        "{}\n{}\n{}\n{huge}\n{}\n",
        event("a"),
        event("b"),
        event("c"),
        event("d")
    );
    let mut output = Vec::new();
    let summary =
        stream::transform_stream(&mut session, input.as_bytes(), &mut output, "capped").unwrap();
    assert_eq!(
        (summary.records, summary.converted, summary.errors),
        (5, 4, 1)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(output)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let codes: Vec<&str> = lines
        .iter()
        .map(|doc| doc["event"]["code"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        codes,
        ["a", "b", "c", "-", "d"],
        "every other record converted, in order"
    );
    assert_eq!(lines[3]["error"]["type"], "component_trap");
    assert_eq!(
        lines[3]["auditID"], "huge",
        "the failing record is written through"
    );
}

/// A zip bomb through the component: refused as `payload_too_large` without inflating it past
/// the limit — the instance's linear memory stays at the 64 MiB limit plus its own few MiB, not
/// the bomb's 128 MiB — and the instance goes on converting.
#[test]
fn a_zip_bomb_is_refused_with_bounded_memory() {
    let runtime = runtime();
    let mut session = Session::new(&runtime, &Options::default()).unwrap();
    let records = hostile::records();
    let bomb = &records
        .iter()
        .find(|(name, _)| name.starts_with("CloudWatch zip bomb"))
        .expect("the hostile suite has a zip bomb")
        .1;
    let Outcome::Failed(error) = session.transform(bomb).unwrap() else {
        panic!("the zip bomb converted");
    };
    assert_eq!(error.keyword(), "payload_too_large", "{error}");
    let limit = k8s_audit_ecs::MAX_PAYLOAD;
    // The limit itself, plus the instance's own few MiB: never the bomb's 128 MiB.
    assert!(
        session.memory_size() < limit + (16 << 20),
        "linear memory grew to {} bytes",
        session.memory_size()
    );
    let event = r#"{"kind":"Event","auditID":"after","verb":"get"}"#;
    assert!(matches!(
        session.transform(event).unwrap(),
        Outcome::Converted(_)
    ));
}

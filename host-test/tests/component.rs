//! The component, through host-test's library: the fixtures (with the same comparison routine
//! as the native tests), parity with the native core, and that it is built from these sources.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use host_test::{Limits, Outcome, Runtime, Session, artifact, check};
use k8s_audit_ecs::{Options, Profile, Transformer};

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::load_built().expect("the built component loads"))
}

fn workspace(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn options(profile: Profile) -> Options {
    Options {
        profile,
        ..Options::default()
    }
}

#[test]
fn the_component_is_built_from_the_current_sources() {
    assert!(
        artifact::sources_unchanged().expect("the source listing reads"),
        "the component is stale: a source changed after it was built"
    );
    artifact::read_built_component().expect("the component matches what build.rs built");
}

/// Every profile's fixture folder (`fixtures/<profile>/`, from the registry) passes through
/// the component, with the same comparison as the native tests.
#[test]
fn fixtures_pass_through_the_component() {
    for profile in Profile::ALL {
        let folder = workspace("fixtures").join(profile.name());
        let fixtures = k8s_audit_ecs::fixture::load_all(std::slice::from_ref(&folder)).unwrap();
        assert!(!fixtures.is_empty(), "{}: no fixtures", folder.display());
        let report =
            check::check(runtime(), Some(profile), None, Limits::default(), &fixtures).unwrap();
        assert!(report.failed.is_empty(), "{profile}: {:#?}", report.failed);
        assert_eq!(report.passed, fixtures.len());
    }
}

/// Every record gives the same lines through the component, one call each and batched, as
/// through the native core.
#[test]
fn the_component_matches_the_native_core() {
    let sample = std::fs::read_to_string(workspace("fixtures/sample-audit.log")).unwrap();
    let mut records: Vec<String> = sample.lines().map(str::to_owned).collect();
    assert!(records.len() >= 8);
    records.extend(
        [
            "",
            "not json",
            "[1]",
            r#"{"message":"{}"}"#,
            r#"{"kind":"EventList","items":[{"auditID":"a"},{"auditID":"b"}]}"#,
        ]
        .map(str::to_owned),
    );
    for profile in Profile::ALL {
        let native = Transformer::new(options(profile));
        let mut session = Session::new(runtime(), &options(profile)).unwrap();
        let batched = session.transform_batch(&records).unwrap();
        for (record, batched) in records.iter().zip(batched) {
            let (expected, _) = native.transform_or_pass_through(record);
            let single = session.transform(record).unwrap();
            assert_eq!(single, batched, "{record}");
            assert_eq!(single.into_lines(record), expected, "{record}");
        }
    }
}

/// A text of records gives, in one `transform-lines` call, the bytes the native core's
/// `transform_lines` gives, and the same failures by line.
#[test]
fn transform_lines_matches_the_native_core() {
    let sample = std::fs::read_to_string(workspace("fixtures/sample-audit.log")).unwrap();
    let text = format!(
        "{sample}\nnot json\r\n[1]\n{}\n{{\"kind\":\"EventList\",\"items\":[]}}\n{}",
        r#"{"kind":"EventList","items":[{"auditID":"a"},{"auditID":"b"}]}"#,
        sample.lines().next().unwrap()
    );
    for profile in Profile::ALL {
        let native = Transformer::new(options(profile));
        let mut expected = String::new();
        let summary = native.transform_lines(&text, &mut expected);
        let mut session = Session::new(runtime(), &options(profile)).unwrap();
        let outcome = session
            .transform_lines(&text, k8s_audit_ecs::TextEnd::Final)
            .unwrap();
        assert_eq!(outcome.documents, expected);
        assert_eq!(outcome.records, summary.records);
        assert_eq!(outcome.converted, summary.converted);
        let failures: Vec<(usize, &str, String)> = summary
            .failures
            .iter()
            .map(|f| (f.line, f.error.keyword(), f.error.to_string()))
            .collect();
        assert_eq!(outcome.failures, summary.failures);
        assert_eq!(outcome.skipped, summary.skipped);
        assert_eq!(
            failures.iter().map(|f| f.0).collect::<Vec<_>>(),
            [11, 12, 13],
            "the blank line ending the sample, `not json` and `[1]`"
        );
    }
}

#[test]
fn errors_cross_the_boundary_with_their_keyword() {
    let mut session = Session::new(runtime(), &Options::default()).unwrap();
    let outcome = session.transform("{\"message\": \"{\\\"a\\\":\"}").unwrap();
    let Outcome::Failed(error) = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert_eq!(error.keyword(), "invalid_json");
    assert_eq!(error.position(), Some((1, 5)));
    assert_eq!(
        error.message(),
        "the `message` field is not valid JSON: EOF while parsing a value at line 1 column 5"
    );
}

#[test]
fn the_component_imports_only_what_rust_std_leaves() {
    let imports = runtime().imports();
    for import in &imports {
        assert!(
            import.starts_with("wasi:cli/")
                || import.starts_with("wasi:io/")
                || import.starts_with("wasi:random/insecure-seed@"),
            "unexpected import {import}: the transform needs no clock, file, network or randomness"
        );
    }
}

/// The user-agent corpus gives the same families through the component as natively (the
/// component runs woothee's regex engine inside the sandbox).
#[test]
fn user_agents_parse_the_same_in_the_component() {
    let corpus = std::fs::read_to_string(workspace("tests/data/user-agents.tsv")).unwrap();
    let records: Vec<String> = corpus
        .lines()
        .filter(|line| !line.starts_with('#') && !line.starts_with("user_agent\t"))
        .filter_map(|line| line.split('\t').next())
        .map(|ua| serde_json::json!({"auditID": "ua", "userAgent": ua}).to_string())
        .collect();
    assert!(records.len() >= 250);
    let native = Transformer::new(Options::default());
    let mut session = Session::new(runtime(), &Options::default()).unwrap();
    let outcomes = session.transform_batch(&records).unwrap();
    for (record, outcome) in records.iter().zip(outcomes) {
        assert_eq!(
            outcome,
            Outcome::Converted(native.transform_record(record).unwrap()),
            "{record}"
        );
    }
}

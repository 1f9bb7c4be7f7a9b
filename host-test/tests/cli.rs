//! The `host-test` command-line contracts, through the real binary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn host_test(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_host-test"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("host-test starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("host-test-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The documented samples: the three fixtures that copy the seed.
const SAMPLES: [&str; 3] = [
    "fixtures/baseline/event_user_exec_in_pod.json",
    "fixtures/baseline/event_user_list_pod.json",
    "fixtures/baseline/event_user_patch_deploy.json",
];

#[test]
fn check_passes_the_documented_samples() {
    let out = host_test(&[&["check"][..], &SAMPLES].concat(), "");
    assert_eq!(text(&out.stdout), "3 passed, 0 failed\n");
    assert!(out.status.success());
    let out = host_test(&["check", "--profile", "extended", "fixtures/extended"], "");
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(text(&out.stdout).ends_with(" passed, 0 failed\n"));
}

#[test]
fn check_fails_with_a_diff_when_an_expected_field_changes() {
    let dir = scratch("changed");
    let original =
        std::fs::read_to_string("../fixtures/baseline/event_user_list_pod.json").unwrap();
    let changed = original.replacen("\"status_code\": 200", "\"status_code\": 201", 1);
    assert_ne!(original, changed, "the fixture has a status code to change");
    let path = dir.join("changed.json");
    std::fs::write(&path, changed).unwrap();
    let out = host_test(
        &[&["check"][..], &SAMPLES, &[path.to_str().unwrap()]].concat(),
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        format!(
            "FAIL {}\n  http.response.status_code: expected 201, got 200\n3 passed, 1 failed\n",
            path.display()
        )
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn transform_writes_one_line_per_record_and_passes_failures_through() {
    let event = r#"{"kind":"Event","auditID":"a1","verb":"get","user":{"username":"alice"}}"#;
    let input = format!("{event}\nnot json\n{{\"x\":1}}\r\n\n{event}\n");
    let out = host_test(&["transform", "-"], &input);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["user"]["name"], "alice");
    assert_eq!(lines[1]["message"], "not json");
    assert_eq!(lines[1]["error"]["type"], "invalid_json");
    assert_eq!(lines[2]["x"], 1);
    assert_eq!(lines[2]["error"]["type"], "not_an_audit_event");
    assert_eq!(lines[3]["message"], "");
    assert_eq!(lines[4], lines[0]);
    assert!(
        text(&out.stderr).starts_with("records: 5, documents: 2, errors: 3, skipped: 0, elapsed: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn transform_reads_the_sample_log() {
    let out = host_test(
        &[
            "transform",
            "--profile",
            "extended",
            "fixtures/sample-audit.log",
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sample = std::fs::read_to_string("../fixtures/sample-audit.log").unwrap();
    let records = sample.lines().count();
    assert_eq!(text(&out.stdout).lines().count(), records);
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "records: {records}, documents: {records}, errors: 0, skipped: 0, elapsed: "
        )),
        "{stderr}"
    );
}

/// `--time-limit 0` runs the component without the time budget (other machine code, cached
/// apart): the same documents.
#[test]
fn transform_without_a_time_budget_writes_the_same_documents() {
    let args = ["transform", "fixtures/sample-audit.log"];
    let budgeted = host_test(&args, "");
    let unbudgeted = host_test(&[&args[..], &["--time-limit", "0"]].concat(), "");
    assert!(unbudgeted.status.success(), "{}", text(&unbudgeted.stderr));
    assert!(!budgeted.stdout.is_empty());
    assert_eq!(text(&unbudgeted.stdout), text(&budgeted.stdout));
}

#[test]
fn user_errors_are_one_line_naming_the_file() {
    let dir = scratch("errors");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"input\": {},\n \"expected\": [}\n").unwrap();
    let missing = dir.join("missing.log");
    let cases: [(&[&str], String); 4] = [
        (
            &["check", "--profile", "strict", "fixtures"],
            "error: invalid value 'strict' for '--profile <PROFILE>'".into(),
        ),
        (
            &["check", bad.to_str().unwrap()],
            format!("error: {}:2: not a fixture", bad.display()),
        ),
        (
            &["transform", missing.to_str().unwrap()],
            format!("error: {}: No such file", missing.display()),
        ),
        (
            &[
                "check",
                "--component",
                missing.to_str().unwrap(),
                "fixtures",
            ],
            format!("error: {}: No such file", missing.display()),
        ),
    ];
    for (args, expected) in cases {
        let out = host_test(args, "");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with(&expected), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{stderr}"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn info_lists_size_and_imports() {
    let out = host_test(&["info"], "");
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("size: ") && stdout.contains("imports ("),
        "{stdout}"
    );
}

#[test]
fn transform_reads_gzip_and_event_lists_and_writes_to_a_file() {
    use std::io::Write as _;
    let dir = scratch("gzip");
    let sample = std::fs::read_to_string("../fixtures/sample-audit.log").unwrap();
    let events: Vec<&str> = sample.lines().collect();
    let batch = format!(
        r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{}]}}"#,
        events[..3].join(",")
    );
    // Two gzip members, as `cat a.gz b.gz` of rotated files gives.
    let mut compressed = Vec::new();
    for part in [sample.as_str(), &format!("{batch}\n")] {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(part.as_bytes()).unwrap();
        compressed.extend(encoder.finish().unwrap());
    }
    let input = dir.join("audit.log.1.gz");
    std::fs::write(&input, compressed).unwrap();
    let output = dir.join("out.ndjson");
    let out = host_test(
        &[
            "transform",
            "--output",
            output.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&output).unwrap();
    assert_eq!(
        written.lines().count(),
        events.len() + 3,
        "every event, and one document per batch item"
    );
    let records = events.len() + 1;
    let documents = events.len() + 3;
    assert!(
        text(&out.stderr).starts_with(&format!(
            "records: {records}, documents: {documents}, errors: 0"
        )),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn each_command_takes_only_its_own_options() {
    for args in [
        &["info", "--profile", "baseline"][..],
        &["bench", "--output", "x"],
        &["check", "--output", "x", "fixtures"],
        &["transform", "--cluster"],
        &["nonsense"],
    ] {
        let out = host_test(args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).starts_with("error: "),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

/// Several objects run together on a line (Firehose) are that many records, and a value
/// spread over several lines (pretty-printed, after a byte order mark) is one record whose
/// text is kept exactly.
#[test]
fn transform_reads_concatenated_and_pretty_printed_records() {
    let event = r#"{"kind":"Event","auditID":"a1","verb":"get"}"#;
    let pretty = "\u{feff}{\n  \"kind\": \"Event\",\n  \"auditID\": \"p1\"\n}";
    let input = format!("{event}{event} {event}\n{pretty}\nnot json\n{{\n");
    let out = host_test(&["transform"], &input);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[2]["event"]["code"], "a1");
    assert_eq!(lines[3]["event"]["code"], "p1");
    assert_eq!(lines[3]["message"], pretty.trim_start_matches('\u{feff}'));
    assert_eq!(lines[4]["error"]["type"], "invalid_json");
    assert_eq!(lines[5]["message"], "{");
    assert!(
        text(&out.stderr).starts_with("records: 6, documents: 4, errors: 2, skipped: 0"),
        "{}",
        text(&out.stderr)
    );
}

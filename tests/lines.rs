//! The stream paths of the core: `transform_into` (documents appended to a reused buffer) and
//! `transform_lines` (NDJSON in, NDJSON out) give exactly what `transform` gives, record by
//! record, and lose nothing.

use k8s_audit_ecs::{Options, Transformer, error_document};

const EVENT: &str = r#"{"kind":"Event","auditID":"a1","verb":"get","user":{"username":"alice"},"responseStatus":{"code":200}}"#;

/// What a host converting record by record writes for `text`: each line's documents or its
/// pass-through document, one per line.
fn record_by_record(transformer: &Transformer, text: &str) -> String {
    let mut out = String::new();
    for line in text.split_terminator('\n') {
        let record = line.strip_suffix('\r').unwrap_or(line);
        for document in transformer.transform_or_pass_through(record).0 {
            out.push_str(&document);
            out.push('\n');
        }
    }
    out
}

#[test]
fn the_sample_log_converts_as_record_by_record() {
    let text = include_str!("../fixtures/sample-audit.log");
    let transformer = Transformer::new(Options::default());
    let mut out = String::new();
    let summary = transformer.transform_lines(text, &mut out);
    assert_eq!(out, record_by_record(&transformer, text));
    assert_eq!(summary.records, text.lines().count());
    assert_eq!(summary.documents, out.lines().count());
    assert!(summary.failures.is_empty(), "{:?}", summary.failures);
}

#[test]
fn failures_are_written_through_and_reported_by_line() {
    let event_list = format!(r#"{{"kind":"EventList","items":[{EVENT},{EVENT}]}}"#);
    let empty_list = r#"{"kind":"EventList","items":[]}"#;
    let lines = [
        EVENT,
        "not json",
        "",
        &format!("{EVENT}\r"),
        &event_list,
        r#"{"hello":"world"}"#,
        empty_list,
        "[1,2]",
    ];
    // The last line has no line end.
    let text = lines.join("\n");
    let transformer = Transformer::new(Options::default());
    let mut out = String::from("kept\n");
    let summary = transformer.transform_lines(&text, &mut out);
    assert!(out.starts_with("kept\n"), "appends to what `out` held");
    assert_eq!(
        &out["kept\n".len()..],
        record_by_record(&transformer, &text)
    );
    assert_eq!(summary.records, 8);
    // 1 + 1 (CRLF line) + 2 (EventList) + 0 (empty EventList).
    assert_eq!(summary.documents, 4);
    let failed: Vec<(usize, &str)> = summary
        .failures
        .iter()
        .map(|failure| (failure.line, failure.error.kind()))
        .collect();
    assert_eq!(
        failed,
        [
            (2, "invalid_json"),
            (3, "invalid_json"),
            (6, "not_an_audit_event"),
            (8, "not_an_object"),
        ]
    );
    let pass_through = error_document("not json", &summary.failures[0].error);
    assert_eq!(out.lines().nth(2), Some(pass_through.as_str()));
}

#[test]
fn a_failed_record_leaves_the_buffer_as_it_was() {
    let transformer = Transformer::new(Options::default());
    let mut out = String::from("earlier\n");
    // The first item converts before the second is found not to be an event.
    let record = format!(r#"{{"kind":"EventList","items":[{EVENT},{{"kind":"Pod"}}]}}"#);
    let error = transformer.transform_into(&record, &mut out).unwrap_err();
    assert_eq!(error.kind(), "not_an_audit_event");
    assert_eq!(out, "earlier\n");
    assert_eq!(transformer.transform_into(EVENT, &mut out).unwrap(), 1);
    assert_eq!(
        out,
        format!("earlier\n{}\n", transformer.transform(EVENT).unwrap()[0])
    );
}

//! The stream paths of the core: `transform_into` (documents appended to a reused buffer) and
//! `transform_lines` (NDJSON in, NDJSON out) give exactly what `transform` gives, record by
//! record, and lose nothing.

use k8s_audit_ecs::{Options, Transformer, error_document};

const EVENT: &str = r#"{"kind":"Event","auditID":"a1","verb":"get","user":{"username":"alice"},"responseStatus":{"code":200}}"#;

/// What a host converting record by record writes for `text`: each line's documents or its
/// pass-through document, one per line.
fn record_by_record(transformer: &Transformer, text: &str) -> String {
    let mut out = String::new();
    for (_, record) in k8s_audit_ecs::records(text) {
        for document in transformer.transform_or_pass_through(&record).0 {
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
    assert_eq!(summary.converted, out.lines().count());
    assert!(summary.failures.is_empty(), "{:?}", summary.failures);
}

#[test]
fn failures_are_written_through_and_reported_by_line() {
    let event_list = format!(r#"{{"kind":"EventList","items":[{EVENT},{EVENT}]}}"#);
    let empty_list = r#"{"kind":"EventList","items":[]}"#;
    let with_bad_item = format!(r#"{{"kind":"EventList","items":[{{"kind":"Pod"}},{EVENT}]}}"#);
    let lines = [
        EVENT,
        "not json",
        "",
        &format!("{EVENT}\r"),
        &event_list,
        r#"{"hello":"world"}"#,
        empty_list,
        &with_bad_item,
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
    assert_eq!(summary.records, 9);
    // 1 + 1 (CRLF line) + 2 (EventList) + 0 (empty EventList) + 1 (the good item).
    assert_eq!(summary.converted, 5);
    assert_eq!(summary.skipped, 1, "the empty EventList");
    let failed: Vec<(usize, Option<usize>, &str)> = summary
        .failures
        .iter()
        .map(|failure| (failure.line, failure.event, failure.error.keyword()))
        .collect();
    assert_eq!(
        failed,
        [
            (2, None, "invalid_json"),
            (3, None, "invalid_json"),
            (6, None, "not_an_audit_event"),
            (8, Some(0), "not_an_audit_event"),
            (9, None, "not_an_object"),
        ]
    );
    let pass_through = error_document("not json", &summary.failures[0].error);
    assert_eq!(out.lines().nth(2), Some(pass_through.as_str()));
}

#[test]
fn a_line_of_several_objects_is_several_records() {
    let text = format!("{EVENT}{EVENT} {{\"kind\":\"Pod\"}}\n{EVENT}\n");
    let transformer = Transformer::new(Options::default());
    let mut out = String::new();
    let summary = transformer.transform_lines(&text, &mut out);
    assert_eq!(summary.records, 4);
    assert_eq!(summary.converted, 3);
    let failed: Vec<(usize, Option<usize>)> =
        summary.failures.iter().map(|f| (f.line, f.event)).collect();
    assert_eq!(failed, [(1, None)]);
    assert_eq!(out.lines().count(), 4);
}

#[test]
fn a_failed_record_leaves_the_buffer_as_it_was() {
    let transformer = Transformer::new(Options::default());
    let mut out = String::from("earlier\n");
    let error = transformer
        .transform_into("{\"kind\":\"Pod\"}", &mut out)
        .unwrap_err();
    assert_eq!(error.keyword(), "not_an_audit_event");
    assert_eq!(out, "earlier\n");
    let written = transformer.transform_into(EVENT, &mut out).unwrap();
    assert_eq!((written.converted, written.lines()), (1, 1));
    assert_eq!(
        out,
        format!("earlier\n{}\n", transformer.transform(EVENT).unwrap()[0])
    );
}

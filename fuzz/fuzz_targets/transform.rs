//! Any bytes as a record, through every profile: never a panic; whatever is written is one
//! line of JSON per document; a record that fails as a whole keeps its top-level keys; the
//! stream paths (`transform_into`, `transform_lines`) write exactly what `transform` gives.
//! Envelopes (base64, gzip, records, LogEntries) are among the shapes tried, so bad payloads
//! are fuzzed too. (Where each shape's document starts is pinned by the fixtures and by
//! `tests/properties.rs`.)
#![no_main]

use k8s_audit_ecs::{Options, Profile, Transformer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(record) = std::str::from_utf8(data) else {
        return;
    };
    for profile in Profile::ALL {
        let transformer = Transformer::new(Options { profile, ..Options::default() });
        let (lines, failure) = transformer.transform_or_pass_through(record);
        for line in &lines {
            assert!(!line.contains('\n'), "a document spans lines");
            assert!(line.starts_with('{') && line.ends_with('}'), "not an object");
        }
        let joined: String = lines.iter().map(|line| format!("{line}\n")).collect();
        let mut appended = String::from("before\n");
        match transformer.transform_into(record, &mut appended) {
            Ok(converted) => {
                assert!(failure.is_none());
                assert_eq!(converted.lines(), lines.len());
                assert_eq!(appended, format!("before\n{joined}"));
            }
            Err(_) => assert_eq!(appended, "before\n", "a failed record left output behind"),
        }
        // A line that is one record (not several objects run together) gives the same lines.
        if !record.is_empty() && !record.contains(['\n', '\r']) && k8s_audit_ecs::records(record).count() == 1 {
            let mut out = String::new();
            let summary = transformer.transform_lines(record, &mut out);
            assert_eq!(out, joined);
            assert_eq!(summary.records, 1);
            let whole = summary.failures.iter().filter(|f| f.event.is_none()).count();
            assert_eq!(whole, usize::from(failure.is_some()));
        }
        // A record that fails as a whole is written back as it came: every key kept.
        if let (Some(_), Ok(serde_json::Value::Object(input))) =
            (&failure, serde_json::from_str::<serde_json::Value>(record))
        {
            let output: serde_json::Value = serde_json::from_str(&lines[0]).expect("JSON");
            for key in input.keys() {
                assert!(output.get(key).is_some(), "lost `{key}`");
            }
        }
    }
});

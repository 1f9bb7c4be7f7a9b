//! Streams split alike in every host: `host-test transform`, which reads a stream line by line
//! and crosses it into the component in batches, gives the documents the core gives for the
//! whole text at once (`transform_lines`), on every fixture folder, the sample log and a
//! hostile stream — values spread over lines that cross a batch boundary included. The Python
//! and npm packages are held to the same (`packages.rs`).

use host_test::Runtime;

mod support;

use support::*;

#[test]
fn host_test_transform_splits_streams_as_the_core_does() {
    let runtime = Runtime::load_built().unwrap();
    for stream in streams(true) {
        let (out, summary) = host_test_output(&runtime, &stream);
        let (expected, counts) = native(&stream);
        assert!(
            out == expected.as_bytes(),
            "{}: documents differ",
            stream.label
        );
        let got = [
            summary.records,
            summary.converted,
            summary.errors,
            summary.skipped,
        ];
        assert_eq!(got, counts.map(|c| c as u64), "{}: summary", stream.label);
    }
}

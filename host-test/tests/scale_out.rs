//! The Spark job (`examples/spark/convert_job.py`) and the Beam pipeline
//! (`examples/beam/pipeline.py`) with the wheel from `dist/`, in a virtual environment with the
//! pinned `examples/scale-out-requirements.txt`: Spark `local[2]` and Beam's `FnApiRunner` on
//! every fixture folder's inputs, the sample log and a hostile stream. Spark's output must be
//! byte-identical to host-test's, in order; Beam's equal as a multiset (Beam does not keep
//! order). The documented command lines run once each.
//!
//! Needs python3 with venv, Java (Spark) and `dist/`; without them the test says it skips, and
//! where `CI` is set it fails instead.

use std::path::{Path, PathBuf};
use std::process::Command;

use host_test::Runtime;
use k8s_audit_ecs::{Options, Profile, Transformer};

mod support;

use support::*;

/// The files of a Spark output folder (`part-*`) or a Beam prefix (`docs-*`), concatenated in
/// name order.
fn concatenated(folder: &Path, prefix: &str) -> Vec<u8> {
    let mut parts: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && !n.ends_with(".crc"))
        })
        .collect();
    parts.sort();
    assert!(
        !parts.is_empty(),
        "no {prefix}* files in {}",
        folder.display()
    );
    parts
        .iter()
        .flat_map(|p| std::fs::read(p).unwrap())
        .collect()
}

fn sorted_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    lines.sort();
    lines
}

/// A virtual environment with the pinned requirements and the wheel, reused between runs
/// (the wheel reinstalled each time).
fn venv(wheel: &Path) -> PathBuf {
    let venv = workspace().join("target/scale-out-venv");
    let requirements = workspace().join("examples/scale-out-requirements.txt");
    let stamp = venv.join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).unwrap();
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        let _ = std::fs::remove_dir_all(&venv);
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
        run(pip_install(&venv).arg("-r").arg(&requirements));
        std::fs::write(&stamp, wanted).unwrap();
    }
    // Its dependency (wasmtime) once, then the wheel itself afresh: dist/ is rebuilt with the
    // same version.
    run(pip_install(&venv).arg(wheel));
    run(pip_install(&venv)
        .args(["--force-reinstall", "--no-deps"])
        .arg(wheel));
    venv
}

#[test]
fn spark_and_beam_give_host_tests_documents() {
    let Some(wheel) = wheel_and_python() else {
        return;
    };
    if !prerequisite(
        works("java", &["-version"]),
        "Java is not installed (Spark needs it)",
    ) {
        return;
    }
    let venv = venv(&wheel);
    let work = scratch("scale-out");
    let runtime = Runtime::load_built().unwrap();
    // Spark's text reader splits lines at \r too, and cannot carry bytes that are not UTF-8:
    // the hostile stream without them (docs/scale-out.md).
    let streams = streams(false);
    let mut cases = Vec::new();
    for (n, stream) in streams.iter().enumerate() {
        let input = work.join(format!("in-{n}.log"));
        std::fs::write(&input, &stream.input).unwrap();
        cases.push(serde_json::json!({
            "input": input,
            "profile": stream.profile.name(),
            "cluster_name": stream.cluster_name,
            "field": stream.event_field,
            "spark_output": work.join(format!("spark-{n}")),
            "beam_output": work.join(format!("beam-{n}/docs")),
        }));
    }
    let cases_file = work.join("cases.json");
    std::fs::write(&cases_file, serde_json::Value::Array(cases).to_string()).unwrap();
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scale_out/driver.py");
    let stdout = run(Command::new(venv.join("bin/python"))
        .arg(&driver)
        .arg(&cases_file)
        .arg(workspace())
        .env("PYSPARK_PYTHON", venv.join("bin/python")));
    let counters: Vec<serde_json::Value> = stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        counters.len(),
        streams.len(),
        "one line of counters per case"
    );
    for (n, stream) in streams.iter().enumerate() {
        let (expected, summary) = host_test_output(&runtime, stream);
        let spark = concatenated(&work.join(format!("spark-{n}")), "part-");
        assert!(
            spark == expected,
            "{}: Spark's output differs from host-test's",
            stream.label
        );
        let beam = concatenated(&work.join(format!("beam-{n}")), "docs");
        assert_eq!(
            sorted_lines(&beam),
            sorted_lines(&expected),
            "{}: Beam",
            stream.label
        );
        let spark_counters = &counters[n]["spark"];
        let summary = [
            summary.records,
            summary.converted,
            summary.errors,
            summary.skipped,
        ];
        let counted = ["records", "documents", "errors", "skipped"]
            .map(|k| spark_counters[k].as_u64().unwrap());
        assert_eq!(
            counted, summary,
            "{}: the Spark job's counters",
            stream.label
        );
    }

    // The documented command lines, once each, on the hostile ecs stream.
    let (n, stream) = streams
        .iter()
        .enumerate()
        .find(|(_, s)| s.label.starts_with("hostile") && s.profile.name() == "ecs")
        .unwrap();
    let input = work.join(format!("in-{n}.log"));
    let (expected, _) = host_test_output(&runtime, stream);
    let spark_out = work.join("spark-submit");
    let printed = run(Command::new(venv.join("bin/spark-submit"))
        .args(["--master", "local[2]"])
        .arg(workspace().join("examples/spark/convert_job.py"))
        .args(["--profile", "ecs", "--cluster-name", "prod-1"])
        .arg(&input)
        .arg(&spark_out)
        .env("PYSPARK_PYTHON", venv.join("bin/python")));
    assert!(
        concatenated(&spark_out, "part-") == expected,
        "spark-submit's output"
    );
    assert!(
        printed.contains("records: "),
        "the job prints its counters: {printed}"
    );
    let beam_out = work.join("beam-command");
    let printed = run(Command::new(venv.join("bin/python"))
        .arg(workspace().join("examples/beam/pipeline.py"))
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(beam_out.join("docs"))
        .args([
            "--profile",
            "ecs",
            "--cluster-name",
            "prod-1",
            "--runner=FnApiRunner",
        ]));
    assert_eq!(
        sorted_lines(&concatenated(&beam_out, "docs")),
        sorted_lines(&expected),
        "the Beam command's output"
    );
    assert!(
        printed.contains("records: "),
        "the pipeline prints its counters: {printed}"
    );

    security_lake(&venv, &work, &streams);
}

/// `convert_job.py --security-lake`, as documented, on the ocsf fixtures' records and the
/// hostile stream: every OCSF document in a Parquet row under the custom source's partitions,
/// equal to the native core's once read back; every error document, and every document
/// without a time, in the errors folder.
fn security_lake(venv: &Path, work: &Path, streams: &[Stream]) {
    // The hostile stream is converted with `--cluster-name prod-1` above; here without, as
    // the fixtures that need no option are.
    let ocsf: Vec<&Stream> = streams
        .iter()
        .filter(|s| s.profile == Profile::Ocsf && s.event_field.is_none())
        .filter(|s| s.cluster_name.is_none() || s.label.starts_with("hostile"))
        .collect();
    assert_eq!(
        ocsf.len(),
        2,
        "the ocsf fixtures without options, and the hostile stream"
    );
    let input = work.join("security-lake.log");
    let text: Vec<u8> = ocsf.iter().flat_map(|s| s.input.clone()).collect();
    std::fs::write(&input, &text).unwrap();
    let (lake, errors) = (work.join("lake"), work.join("lake-errors"));
    run(Command::new(venv.join("bin/spark-submit"))
        .args(["--master", "local[2]"])
        .arg(workspace().join("examples/spark/convert_job.py"))
        .args([
            "--security-lake",
            "--region",
            "eu-west-1",
            "--account-id",
            "123456789012",
        ])
        .arg("--errors")
        .arg(&errors)
        .arg(&input)
        .arg(&lake)
        .env("PYSPARK_PYTHON", venv.join("bin/python")));

    let transformer = Transformer::new(Options {
        profile: Profile::Ocsf,
        ..Options::default()
    });
    let mut documents = String::new();
    transformer.transform_lines(std::str::from_utf8(&text).unwrap(), &mut documents);
    let (mut expected_rows, mut expected_errors) = (Vec::new(), Vec::new());
    for line in documents.lines() {
        let document: serde_json::Value = serde_json::from_str(line).unwrap();
        // Error documents, and documents without a time (no day to file them under).
        if document.get("error").is_some() || document.get("time").is_none() {
            expected_errors.push(line.as_bytes());
        } else {
            let day = document["time_dt"].as_str().unwrap()[..10].replace('-', "");
            let partition = format!("region=eu-west-1/accountId=123456789012/eventDay={day}");
            expected_rows.push(
                serde_json::json!({"partition": partition, "document": document}).to_string(),
            );
        }
    }
    let printed = run(Command::new(venv.join("bin/python"))
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scale_out/read_parquet.py"))
        .arg(&lake));
    // Compared as values: Parquet keeps no key order.
    let canonical = |text: &str| {
        serde_json::from_str::<serde_json::Value>(text)
            .unwrap()
            .to_string()
    };
    let mut rows: Vec<String> = printed.lines().map(canonical).collect();
    let mut expected_rows: Vec<String> = expected_rows.iter().map(|row| canonical(row)).collect();
    rows.sort();
    expected_rows.sort();
    assert!(
        expected_rows.len() > 50,
        "only {} OCSF documents",
        expected_rows.len()
    );
    assert_eq!(
        rows.len(),
        expected_rows.len(),
        "one Parquet row per OCSF document"
    );
    for (row, expected) in rows.iter().zip(&expected_rows) {
        assert_eq!(
            row, expected,
            "a Parquet row differs from the native document"
        );
    }
    expected_errors.sort();
    assert_eq!(
        sorted_lines(&concatenated(&errors, "part-")),
        expected_errors,
        "the error documents"
    );
}

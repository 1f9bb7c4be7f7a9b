//! OCSF validity of the `ocsf` profile (docs/ocsf.md): every document it writes for the
//! fixtures' records and the sample log — natively and through the component — passes OCSF
//! 1.8.0's JSON Schema for API Activity (the one its `metadata.profiles` names) and the
//! semantic checks a schema cannot express, with `tests/data/ocsf/ocsf_check.py`. A table of
//! planted mistakes shows the check fails where it should. Error documents (a top-level
//! `error`) are not OCSF documents in any profile and are left out.
//!
//! The checker runs in `target/ocsf-venv` with `tests/data/ocsf/requirements.txt`; without
//! python3 the test skips, except on CI, where it fails.

mod support;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use host_test::{Runtime, Session};
use k8s_audit_ecs::fixture::load_all;
use k8s_audit_ecs::{Options, Profile, Transformer};
use serde_json::{Value, json};
use support::{pip_install, prerequisite, run, works, workspace};

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::load_built().expect("the built component loads"))
}

/// The Python of `target/ocsf-venv`, with the checker's requirements installed (once).
fn checker_python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let ready = prerequisite(
                works("python3", &["-c", "import venv, ensurepip"]),
                "python3 with venv and pip is not installed",
            );
            if !ready {
                return None;
            }
            let target = PathBuf::from(host_test::artifact::COMPONENT_PATH)
                .ancestors()
                .nth(4)
                .unwrap()
                .to_path_buf();
            let venv = target.join("ocsf-venv");
            let python = venv.join("bin/python");
            if !works(python.to_str().unwrap(), &["-c", "import jsonschema"]) {
                run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
                let requirements = workspace().join("tests/data/ocsf/requirements.txt");
                run(pip_install(&venv).arg("-r").arg(requirements));
            }
            Some(python)
        })
        .clone()
}

/// The checker's problems for each `(label, document)`, in order.
fn problems(python: &PathBuf, cases: &[(String, Value)]) -> Vec<(String, Vec<String>)> {
    let driver = workspace().join("host-test/tests/ocsf_validity/driver.py");
    let mut child = Command::new(python)
        .arg(driver)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the checker starts");
    let mut input = String::new();
    for (label, document) in cases {
        input.push_str(&json!({"label": label, "document": document}).to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success(), "the checker failed");
    let results: Vec<(String, Vec<String>)> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let result: Value = serde_json::from_str(line).unwrap();
            let problems = result["problems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_owned())
                .collect();
            (result["label"].as_str().unwrap().to_owned(), problems)
        })
        .collect();
    assert_eq!(results.len(), cases.len(), "one result per document");
    results
}

/// Every `ocsf` document written for the fixtures' records and the sample log, natively and
/// through the component, labelled by where it came from; error documents left out.
fn produced_documents() -> Vec<(String, Value)> {
    let mut runs: Vec<(String, String, Options)> = Vec::new();
    for fixture in load_all(&[workspace().join("fixtures/ocsf")]).unwrap() {
        let label = fixture.path.display().to_string();
        runs.push((label, fixture.input.clone(), fixture.options(Profile::Ocsf)));
    }
    let sample = std::fs::read_to_string(workspace().join("fixtures/sample-audit.log")).unwrap();
    for (line, record) in sample.lines().enumerate() {
        let options = Options {
            profile: Profile::Ocsf,
            cluster_name: Some("prod-eu-1".into()),
            ..Options::default()
        };
        runs.push((
            format!("sample-audit.log:{}", line + 1),
            record.into(),
            options,
        ));
    }
    let mut documents = Vec::new();
    for (label, record, options) in runs {
        let (native, _) = Transformer::new(options.clone()).transform_or_pass_through(&record);
        let mut session = Session::new(runtime(), &options).unwrap();
        let component = session.transform(&record).unwrap().into_lines(&record);
        assert_eq!(native, component, "{label}: the component differs");
        for (host, lines) in [("native", native), ("component", component)] {
            for (index, line) in lines.iter().enumerate() {
                let document: Value = serde_json::from_str(line).unwrap();
                if document.get("error").is_none() {
                    documents.push((format!("{label} [{host} #{index}]"), document));
                }
            }
        }
    }
    documents
}

#[test]
fn every_ocsf_document_is_valid_ocsf_natively_and_through_the_component() {
    let Some(python) = checker_python() else {
        return;
    };
    let documents = produced_documents();
    // 34 + 23 fixtures and 10 sample lines, twice: a floor, so an emptied folder cannot pass.
    assert!(documents.len() > 100, "only {} documents", documents.len());
    let cloud = documents
        .iter()
        .filter(|(_, document)| document.get("cloud").is_some())
        .count();
    assert!(cloud > 10, "only {cloud} envelope documents");
    let failures: Vec<String> = problems(&python, &documents)
        .into_iter()
        .filter(|(_, problems)| !problems.is_empty())
        .map(|(label, problems)| format!("{label}:\n  {}", problems.join("\n  ")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} documents are not valid OCSF:\n{}",
        failures.len(),
        documents.len(),
        failures.join("\n")
    );
}

/// A valid document with one mistake planted, and a word the checker's complaint must hold.
type Mistake = (&'static str, &'static str, fn(&mut Value));

/// The planted mistakes: each breaks one rule the schema or the semantic checks hold.
const MISTAKES: [Mistake; 15] = [
    ("type_uid off its activity", "type_uid", |d| {
        d["type_uid"] = json!(600399)
    }),
    ("a caption that is not OCSF's", "activity_name", |d| {
        d["activity_name"] = json!("List")
    }),
    (
        "an attribute API Activity does not define",
        "kubernetes",
        |d| d["kubernetes"] = json!({"namespace": "support"}),
    ),
    (
        "a key resource_details does not define",
        "subresource",
        |d| d["resources"][0]["subresource"] = json!("exec"),
    ),
    ("groups as plain strings", "groups", |d| {
        d["actor"]["user"]["groups"] = json!(["system:authenticated"])
    }),
    ("time in microseconds", "time", |d| {
        d["time"] = json!(1_737_644_162_400_865_i64)
    }),
    ("a *_dt without the datetime profile", "profiles", |d| {
        d["metadata"]["profiles"] = json!([])
    }),
    ("cloud without the cloud profile", "cloud", |d| {
        d["cloud"] = json!({"provider": "AWS"})
    }),
    ("an observable named with brackets", "observables", |d| {
        d["observables"][0]["name"] = json!("resources[0].name")
    }),
    ("an empty string", "empty", |d| {
        d["status_detail"] = json!("")
    }),
    ("a deprecated attribute", "deprecated", |d| {
        d["actor"]["user"]["credential_uid"] = json!("JTI=581d10f3")
    }),
    ("a duration that is not end - start", "duration", |d| {
        d["duration"] = json!(27)
    }),
    ("a resource with neither name nor uid", "resources", |d| {
        d["resources"][0].as_object_mut().unwrap().remove("name");
    }),
    ("a source that is not an IP", "ip", |d| {
        d["src_endpoint"]["ip"] = json!("unknown")
    }),
    ("no actor", "actor", |d| {
        d.as_object_mut().unwrap().remove("actor");
    }),
];

#[test]
fn the_check_fails_on_planted_mistakes() {
    let Some(python) = checker_python() else {
        return;
    };
    // The documented sample 2, as the profile writes it: valid, with every part a mistake
    // needs (a resource, observables, a duration, the datetime profile).
    let fixture = workspace().join("fixtures/ocsf/event_user_list_pod.json");
    let fixture = k8s_audit_ecs::fixture::Fixture::load(&fixture).unwrap();
    let transformer = Transformer::new(fixture.options(Profile::Ocsf));
    let written = transformer.transform(&fixture.input).unwrap();
    let valid: Value = serde_json::from_str(&written[0]).unwrap();
    let mut cases = vec![("valid".to_owned(), valid.clone())];
    for (name, _, plant) in MISTAKES {
        let mut document = valid.clone();
        plant(&mut document);
        cases.push((name.to_owned(), document));
    }
    let results = problems(&python, &cases);
    assert_eq!(results[0].1, Vec::<String>::new(), "the unchanged sample");
    for ((name, word, _), (_, problems)) in MISTAKES.iter().zip(&results[1..]) {
        assert!(
            problems.iter().any(|problem| problem.contains(word)),
            "{name}: the checker should complain about `{word}`, said {problems:?}"
        );
    }
}

//! The release in `dist/` (built by `bash scripts/dist.sh`), installed as users install it:
//! the wheel into a fresh virtual environment, the npm tarball into an empty folder. Their
//! APIs and `k8s-audit-ecs transform` commands must give byte-identical output to the native
//! core on every fixture folder, `fixtures/sample-audit.log` and a hostile stream.
//!
//! Without `dist/` (or Python, or Node) these tests say they skip; where `CI` is set they fail
//! instead, so CI can never pass without running them.

use std::path::{Path, PathBuf};
use std::process::Command;

use k8s_audit_ecs::fixture::load_all;
use k8s_audit_ecs::{Options, Profile, Transformer, error_document};

mod support;

use support::*;

/// Runs `command` (a package's `k8s-audit-ecs`) on every stream, from a file and from
/// standard input, and checks documents and summary against the native core.
fn check_command_line(program: &Path, work: &Path) {
    for (n, stream) in streams(true).iter().enumerate() {
        let file = work.join(format!("stream-{n}.log"));
        std::fs::write(&file, &stream.input).unwrap();
        let (expected, counts) = native(stream);
        let out = output(Command::new(program).args(stream.args()).arg(&file));
        assert!(
            out.status.success(),
            "{}: {}",
            stream.label,
            String::from_utf8_lossy(&out.stderr)
        );
        let got = String::from_utf8(out.stdout).unwrap();
        assert!(
            got == expected,
            "{}: documents differ from the native core's",
            stream.label
        );
        let summary = format!(
            "records: {}, documents: {}, errors: {}, skipped: {}, elapsed: ",
            counts[0], counts[1], counts[2], counts[3]
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(&summary),
            "{}: summary {stderr:?}, expected {summary:?}",
            stream.label
        );
    }
    // gzip, through --output.
    let stream = &streams(true)[0];
    let gz = work.join("stream.log.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, &stream.input).unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    let written = work.join("out.ndjson");
    run(Command::new(program)
        .args(stream.args())
        .arg("--output")
        .arg(&written)
        .arg(&gz));
    assert_eq!(
        std::fs::read_to_string(&written).unwrap(),
        native(stream).0,
        "gzip input"
    );
    // Exit statuses: a missing file and an unknown profile are status 2, with one line.
    let missing = output(Command::new(program).args(["transform", "no-such-file.log"]));
    assert_eq!(missing.status.code(), Some(2), "a missing input");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-file.log"));
    let unknown = output(
        Command::new(program)
            .args(["transform", "--profile", "nope"])
            .arg(file_of(work)),
    );
    assert_eq!(unknown.status.code(), Some(2), "an unknown profile");
    let version = run(Command::new(program).arg("--version"));
    assert_eq!(version.trim(), format!("k8s-audit-ecs {VERSION}"));
}

fn file_of(work: &Path) -> PathBuf {
    work.join("stream-0.log")
}

/// Every fixture record as an API case, for the packages' `api_cases` scripts.
fn api_cases() -> (serde_json::Value, Vec<serde_json::Value>) {
    let fixtures_dir = workspace().join("fixtures");
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for profile in Profile::ALL {
        for fixture in load_all(&[fixtures_dir.join(profile.name())]).unwrap() {
            let options = fixture.options(profile);
            cases.push(serde_json::json!({
                "profile": profile.name(),
                "cluster_name": fixture.cluster_name,
                "event_field": fixture.event_field,
                "record": fixture.input,
            }));
            expected.push(
                match Transformer::new(options).transform_record(&fixture.input) {
                    Ok(documents) => serde_json::json!({
                        "documents": documents.documents,
                        "failures": documents.failures.iter()
                            .map(|f| serde_json::json!([f.index, f.error.kind().keyword()]))
                            .collect::<Vec<_>>(),
                        "error": null,
                        "error_document": null,
                    }),
                    Err(error) => serde_json::json!({
                        "documents": [],
                        "failures": [],
                        "error": [error.kind().keyword(), error.message()],
                        "error_document": error_document(&fixture.input, &error),
                    }),
                },
            );
        }
    }
    (serde_json::Value::Array(cases), expected)
}

/// Runs an `api_cases` script's output against the native core.
fn check_api_output(stdout: &str, expected: &[serde_json::Value]) {
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        expected.len() + 1,
        "one line per case, then the summary"
    );
    for (n, (got, want)) in lines.iter().zip(expected).enumerate() {
        assert_eq!(got, want, "case {n}");
    }
    let last = &lines[expected.len()];
    assert_eq!(last["version"], VERSION);
    let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(last["profiles"], serde_json::json!(names));
}

#[test]
fn dist_holds_every_artifact_with_checksums() {
    if !prerequisite(dist().join("SHA256SUMS").is_file(), "dist/ is not built") {
        return;
    }
    let names = [
        format!("k8s-audit-ecs-{VERSION}.wasm"),
        format!("k8s-audit-ecs-fluent-bit-{VERSION}.wasm"),
        format!("k8s_audit_ecs-{VERSION}-py3-none-any.whl"),
        format!("k8s-audit-ecs-{VERSION}.tgz"),
    ];
    let sums = std::fs::read_to_string(dist().join("SHA256SUMS")).unwrap();
    for name in &names {
        assert!(artifact(name).is_file(), "dist/{name} is missing");
        assert!(
            sums.lines().any(|l| l.ends_with(&format!("  {name}"))),
            "{name} not in SHA256SUMS"
        );
    }
    run(Command::new("sha256sum")
        .args(["--quiet", "-c", "SHA256SUMS"])
        .current_dir(dist()));
    // The component's metadata, as `wasm-tools metadata show` reads it.
    let wasm_tools = workspace().join("target/dist-tools/bin/wasm-tools");
    let wasm_tools = if wasm_tools.is_file() {
        wasm_tools
    } else {
        PathBuf::from("wasm-tools")
    };
    let shown = run(Command::new(&wasm_tools)
        .args(["metadata", "show"])
        .arg(artifact(&names[0])));
    for needle in [
        "k8s-audit-ecs",
        VERSION,
        "Apache-2.0",
        "Kubernetes audit events to ECS documents",
    ] {
        assert!(
            shown.contains(needle),
            "the component's metadata lacks {needle}:\n{shown}"
        );
    }
    // The component in dist/ is the one host-test runs (metadata aside): same profiles.
    let runtime = host_test::Runtime::load_file(&artifact(&names[0])).unwrap();
    let profiles: Vec<String> = runtime
        .profiles()
        .unwrap()
        .into_iter()
        .map(|p| p.0)
        .collect();
    let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(profiles, names);
    // Every package ships the licence and the changelog.
    let wheel = run(Command::new("python3")
        .args(["-m", "zipfile", "-l"])
        .arg(artifact(&format!(
            "k8s_audit_ecs-{VERSION}-py3-none-any.whl"
        ))));
    assert!(
        wheel.contains("licenses/LICENSE")
            && wheel.contains("k8s_audit_ecs.wasm")
            && wheel.contains("py.typed"),
        "{wheel}"
    );
    let tarball = run(Command::new("tar")
        .arg("-tzf")
        .arg(artifact(&format!("k8s-audit-ecs-{VERSION}.tgz"))));
    for file in [
        "package/LICENSE",
        "package/CHANGELOG.md",
        "package/index.d.ts",
        "package/lambda.js",
        "package/generated/k8s_audit_ecs.js",
    ] {
        assert!(
            tarball.lines().any(|l| l == file),
            "the npm package lacks {file}:\n{tarball}"
        );
    }
}

#[test]
fn the_python_package_matches_the_native_core() {
    let Some(wheel) = wheel_and_python() else {
        return;
    };
    let work = scratch("python");
    let venv = work.join("venv");
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
    run(pip_install(&venv).arg(&wheel));
    // The machine-code cache inside the scratch folder: the second process reads it.
    let cache = work.join("cache");
    let program = venv.join("bin/k8s-audit-ecs");
    let with_cache =
        |command: &mut Command| -> String { run(command.env("K8S_AUDIT_ECS_CACHE_DIR", &cache)) };
    let (cases, expected) = api_cases();
    let cases_file = work.join("cases.json");
    std::fs::write(&cases_file, cases.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/packages/api_cases.py");
    let stdout = with_cache(
        Command::new(venv.join("bin/python"))
            .arg(&script)
            .arg(&cases_file),
    );
    check_api_output(&stdout, &expected);
    assert!(
        std::fs::read_dir(&cache).unwrap().any(|e| e
            .unwrap()
            .path()
            .extension()
            .is_some_and(|x| x == "cwasm")),
        "the compiled component was not cached"
    );
    check_cached_runs_alike(&program, &cache);
    check_command_line(&program, &work);
}

/// The command line with the cache in place: still the same output (read from the cache).
fn check_cached_runs_alike(program: &Path, cache: &Path) {
    let sample = workspace().join("fixtures/sample-audit.log");
    let from_cache = run(Command::new(program)
        .arg("transform")
        .arg(&sample)
        .env("K8S_AUDIT_ECS_CACHE_DIR", cache));
    let uncached = run(Command::new(program)
        .arg("transform")
        .arg(&sample)
        .env("K8S_AUDIT_ECS_CACHE_DIR", ""));
    assert_eq!(from_cache, uncached);
}

#[test]
fn the_npm_package_matches_the_native_core() {
    let tarball = artifact(&format!("k8s-audit-ecs-{VERSION}.tgz"));
    if !prerequisite(tarball.is_file(), "dist/ has no npm package")
        || !prerequisite(
            works("node", &["--version"]) && works("npm", &["--version"]),
            "Node.js with npm is not installed",
        )
    {
        return;
    }
    let work = scratch("npm");
    let project = work.join("project");
    std::fs::create_dir_all(&project).unwrap();
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .arg(&tarball)
        .current_dir(&project));
    let (cases, expected) = api_cases();
    let cases_file = work.join("cases.json");
    std::fs::write(&cases_file, cases.to_string()).unwrap();
    // The script runs inside the project, so `import 'k8s-audit-ecs'` finds the package.
    let script = project.join("api_cases.mjs");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/packages/api_cases.mjs"),
        &script,
    )
    .unwrap();
    let stdout = run(Command::new("node").arg(&script).arg(&cases_file));
    check_api_output(&stdout, &expected);
    let program = project.join("node_modules/.bin/k8s-audit-ecs");
    check_command_line(&program, &work);

    // The Lambda handler, run locally on a realistic CloudWatch Logs subscription event.
    let fixture = workspace().join("fixtures/ecs/cloud/cloudwatch_a_multi_event.json");
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
    let event = work.join("event.json");
    std::fs::write(&event, fixture["input"].to_string()).unwrap();
    let stdout = run(Command::new(&program).arg("lambda").arg(&event));
    let got: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let native = Transformer::new(Options {
        profile: Profile::Ecs,
        ..Options::default()
    });
    let want: Vec<serde_json::Value> = native
        .transform(&fixture["input"].to_string())
        .unwrap()
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want, "the Lambda handler's documents");
}

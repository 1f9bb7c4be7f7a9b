//! The Node example (`examples/node`): the component transpiled by jco converts the sample log
//! and hostile lines exactly as the native core does. Skipped, with a message, where Node or
//! npm is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{assert_refuses_unknown_profile, native_lines, run};
use k8s_audit_ecs::Profile;

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/node")
}

fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Where the test runs the example: a copy under the build's target directory, so `npm ci`
/// and `jco transpile` never write into the source tree.
fn work_dir() -> PathBuf {
    PathBuf::from(host_test::artifact::COMPONENT_PATH)
        .ancestors()
        .nth(3)
        .expect("the component is built under target/component/<target>/release")
        .join("node-example")
}

#[test]
fn the_node_example_matches_the_native_core() {
    if !available("node") || !available("npm") {
        eprintln!("skipped: Node.js and npm are not installed (the Node example needs them)");
        return;
    }
    let dir = work_dir();
    std::fs::create_dir_all(&dir).unwrap();
    for file in [
        "package.json",
        "package-lock.json",
        "convert.mjs",
        "lambda.mjs",
    ] {
        std::fs::copy(example_dir().join(file), dir.join(file)).unwrap();
    }
    if !dir.join("node_modules/.bin/jco").exists() {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir));
    }
    let component = host_test::artifact::COMPONENT_PATH;
    run(Command::new("node_modules/.bin/jco")
        .args([
            "transpile",
            component,
            "--name",
            "k8s_audit_ecs",
            "-o",
            "generated",
            "--quiet",
        ])
        .current_dir(&dir));

    let sample =
        std::fs::read_to_string(example_dir().join("../../fixtures/sample-audit.log")).unwrap();
    let mut input = sample.clone();
    input.push_str("not json\n[1]\n{\"message\":\"{}\"}\n{\"kind\":\"EventList\",\"items\":[{\"auditID\":\"a\"},{\"kind\":\"Pod\"}]}\n");
    let file = std::env::temp_dir().join(format!("k8s-audit-ecs-node-{}.log", std::process::id()));
    std::fs::write(&file, &input).unwrap();
    for profile in Profile::ALL {
        let stdout = run(Command::new("node")
            .args([
                "convert.mjs",
                "--profile",
                profile.name(),
                "--cluster-name",
                "prod-1",
            ])
            .arg(&file)
            .current_dir(&dir));
        let expected = native_lines(profile, Some("prod-1"), &input);
        let got: Vec<&str> = stdout.lines().collect();
        assert_eq!(got.len(), expected.len(), "{profile}: line count");
        for (got, expected) in got.iter().zip(&expected) {
            assert_eq!(*got, expected, "{profile}");
        }
    }
    the_lambda_handler_returns_the_fixture_documents(&dir);
    assert_refuses_unknown_profile(
        Command::new("node")
            .args(["convert.mjs", "--profile", "nope"])
            .current_dir(&dir),
    );
    std::fs::remove_file(file).unwrap();
}

/// The Lambda handler (`examples/node/lambda.mjs`) given a realistic CloudWatch Logs
/// subscription event returns the documents its fixture expects (ecs, several events, one cut
/// short by CloudWatch), and an event it cannot read comes back as its error document.
fn the_lambda_handler_returns_the_fixture_documents(dir: &Path) {
    let fixture = example_dir().join("../../fixtures/ecs/cloud/cloudwatch_a_multi_event.json");
    let fixture = k8s_audit_ecs::fixture::Fixture::load(&fixture).unwrap();
    let script = "import('./lambda.mjs').then(async ({ handler }) => { \
        const event = JSON.parse(require('fs').readFileSync(0, 'utf8')); \
        for (const document of await handler(event)) console.log(JSON.stringify(document)); })";
    let invoke = |event: &str| {
        let mut child = Command::new("node")
            .args(["-e", script])
            .current_dir(dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), event.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let documents: Vec<String> = invoke(&fixture.input).lines().map(str::to_owned).collect();
    let differences = fixture.check(&documents);
    assert!(differences.is_empty(), "{differences:#?}");
    let bad = invoke(r#"{"awslogs":{"data":"not base64"}}"#);
    let bad: serde_json::Value = serde_json::from_str(bad.trim()).unwrap();
    assert_eq!(bad["error"]["type"], "invalid_base64");
    assert_eq!(bad["awslogs"]["data"], "not base64");
}

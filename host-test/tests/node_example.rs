//! The Node example (`examples/node`): the component transpiled by jco converts the sample log
//! and hostile lines exactly as the native core does. Skipped, with a message, where Node or
//! npm is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{native_lines, run};
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

#[test]
fn the_node_example_matches_the_native_core() {
    if !available("node") || !available("npm") {
        eprintln!("skipped: Node.js and npm are not installed (the Node example needs them)");
        return;
    }
    let dir = example_dir();
    if !dir.join("node_modules/.bin/jco").exists() {
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund"])
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

    let sample = std::fs::read_to_string(dir.join("../../fixtures/sample-audit.log")).unwrap();
    let mut input = sample.clone();
    input.push_str("not json\n[1]\n{\"message\":\"{}\"}\n{\"kind\":\"EventList\",\"items\":[{\"auditID\":\"a\"},{\"auditID\":\"b\"}]}\n");
    let file = std::env::temp_dir().join(format!("k8s-audit-ecs-node-{}.log", std::process::id()));
    std::fs::write(&file, &input).unwrap();
    for profile in Profile::ALL {
        let stdout = run(Command::new("node")
            .args(["convert.mjs", "--profile", profile.name()])
            .arg(&file)
            .current_dir(&dir));
        let expected = native_lines(profile, &input);
        let got: Vec<&str> = stdout.lines().collect();
        assert_eq!(got.len(), expected.len(), "{profile}: line count");
        for (got, expected) in got.iter().zip(&expected) {
            assert_eq!(*got, expected, "{profile}");
        }
    }
    std::fs::remove_file(file).unwrap();
}

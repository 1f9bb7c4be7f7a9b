//! The Python example (`examples/python`, the PyPI `wasmtime` package) converts the sample log
//! and failing records exactly as the native core does. Skipped, with a message, where
//! Python 3 with venv and pip is not available.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{assert_refuses_unknown_profile, native_lines, run};
use k8s_audit_ecs::Profile;

#[test]
fn the_python_example_matches_the_native_core() {
    let has_python = Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_python {
        eprintln!(
            "skipped: python3 with venv and pip is not installed (the Python example needs it)"
        );
        return;
    }
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/python");
    // A venv beside the build output, reused between runs.
    let venv = PathBuf::from(host_test::artifact::COMPONENT_PATH).with_file_name("python-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
    }
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(example.join("requirements.txt")));

    let sample = std::fs::read_to_string(example.join("../../fixtures/sample-audit.log")).unwrap();
    let browser = r#"{"auditID":"ua","userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"}"#;
    let input = format!(
        "{sample}{browser}\nnot json\n[1]\n{{\"message\":\"{{}}\"}}\n{{\"kind\":\"EventList\",\"items\":[{{\"auditID\":\"a\"}},7]}}\n"
    );
    let file =
        std::env::temp_dir().join(format!("k8s-audit-ecs-python-{}.log", std::process::id()));
    std::fs::write(&file, &input).unwrap();
    for profile in Profile::ALL {
        let stdout = run(Command::new(&python)
            .arg(example.join("convert.py"))
            .args([
                "--profile",
                profile.name(),
                "--cluster-name",
                "prod-1",
                host_test::artifact::COMPONENT_PATH,
            ])
            .arg(&file));
        let expected = native_lines(profile, Some("prod-1"), &input);
        let got: Vec<&str> = stdout.lines().collect();
        assert_eq!(got, expected, "{profile}");
    }
    assert_refuses_unknown_profile(
        Command::new(&python)
            .arg(example.join("convert.py"))
            .args(["--profile", "nope", host_test::artifact::COMPONENT_PATH])
            .arg(&file),
    );
    std::fs::remove_file(file).unwrap();
}

//! The release's configurations: one version everywhere, the Kubernetes manifests valid against
//! the Kubernetes API schemas (PyPI `kubernetes-validate`, offline), and the copies they embed
//! equal to their sources.
//!
//! The manifest validation needs python3 with venv; without it the test says it skips, and
//! where `CI` is set it fails instead.

use std::path::{Path, PathBuf};
use std::process::Command;

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The Kubernetes versions the manifests are validated against: the oldest with image
/// volumes on by default, and the newest the validator knows.
const KUBERNETES_VERSIONS: [&str; 2] = ["1.35.0", "1.37.0"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(workspace().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const MANIFESTS: [&str; 2] = [
    "deploy/control-plane-daemonset.yaml",
    "deploy/webhook-receiver.yaml",
];

#[test]
fn every_file_that_names_the_version_names_this_one() {
    let python = read("packages/python/pyproject.toml");
    assert!(
        python.contains(&format!("\nversion = \"{VERSION}\"\n")),
        "packages/python/pyproject.toml"
    );
    let npm: serde_json::Value = serde_json::from_str(&read("packages/npm/package.json")).unwrap();
    assert_eq!(npm["version"], VERSION, "packages/npm/package.json");
    let module = format!("k8s-audit-ecs-fluent-bit-{VERSION}.wasm");
    for path in [
        "examples/fluent-bit/fluent-bit.conf",
        "examples/fluent-bit/webhook/fluent-bit.conf",
        MANIFESTS[0],
        MANIFESTS[1],
    ] {
        let text = read(path);
        assert!(text.contains(&module), "{path} does not name {module}");
        // Every version named after the module's name (file `-0.4.0.wasm`, OCI tag `:0.4.0`)
        // is this one.
        for (at, _) in text.match_indices("k8s-audit-ecs-fluent-bit") {
            let rest = &text[at + "k8s-audit-ecs-fluent-bit".len()..];
            let Some(rest) = rest.strip_prefix(['-', ':']) else {
                continue;
            };
            let version: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            assert_eq!(
                version.trim_end_matches('.'),
                VERSION,
                "{path} names another version"
            );
        }
    }
    assert!(read(MANIFESTS[1]).contains(&format!("k8s-audit-ecs-fluent-bit:{VERSION}")));
}

#[test]
fn the_webhook_manifest_embeds_the_splitter_exactly() {
    let manifest = read(MANIFESTS[1]);
    let start = manifest
        .find("  split-documents.lua: |\n")
        .expect("the ConfigMap has split-documents.lua")
        + "  split-documents.lua: |\n".len();
    let end = start + manifest[start..].find("\n---").unwrap();
    let embedded: String = manifest[start..end]
        .split_inclusive('\n')
        .map(|line| line.strip_prefix("    ").unwrap_or(line))
        .collect();
    let source = read("examples/fluent-bit/split-documents.lua");
    assert_eq!(embedded.trim_end(), source.trim_end());
}

#[test]
fn the_manifests_are_valid_kubernetes_objects() {
    let has_python = Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_python {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 with venv is needed on CI"
        );
        eprintln!(
            "skipped: python3 with venv and pip is not installed (kubernetes-validate needs it)"
        );
        return;
    }
    let venv = PathBuf::from(host_test::artifact::COMPONENT_PATH)
        .ancestors()
        .nth(4)
        .unwrap()
        .join("deploy-venv");
    let validate = venv.join("bin/kubernetes-validate");
    if !validate.exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
        run(Command::new(venv.join("bin/python")).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "kubernetes-validate==1.37.0",
        ]));
    }
    for version in KUBERNETES_VERSIONS {
        let out = Command::new(&validate)
            .args(["--strict", "--quiet", "-k", version])
            .args(MANIFESTS.map(|m| workspace().join(m)))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "kubernetes-validate {version}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The check can fail: a misspelt field is refused.
    let bad = venv.join("bad.yaml");
    std::fs::write(&bad, read(MANIFESTS[0]).replace("hostPath:", "hostPathh:")).unwrap();
    let out = Command::new(&validate)
        .args(["--strict", "--quiet"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a misspelt field passed validation");
}

fn run(command: &mut Command) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

//! Helpers for the tests that run the examples in other languages.

use std::process::Command;

use k8s_audit_ecs::{Options, Profile, Transformer};

/// Runs a command that must succeed and returns its standard output.
pub fn run(command: &mut Command) -> String {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The lines the native core writes for `input` (NDJSON), nothing lost.
pub fn native_lines(profile: Profile, input: &str) -> Vec<String> {
    let native = Transformer::new(Options {
        profile,
        ..Options::default()
    });
    input
        .lines()
        .flat_map(|line| native.transform_or_pass_through(line).0)
        .collect()
}

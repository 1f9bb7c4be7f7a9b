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

/// The lines the native core writes for `input` (one record per line), nothing lost.
pub fn native_lines(profile: Profile, cluster_name: Option<&str>, input: &str) -> Vec<String> {
    let native = Transformer::new(Options {
        profile,
        cluster_name: cluster_name.map(str::to_owned),
        ..Options::default()
    });
    input
        .lines()
        .flat_map(|line| native.transform_or_pass_through(line).0)
        .collect()
}

/// Runs `command` (an example given `--profile nope`) and checks that it refuses the profile
/// with exit status 2 and lists every profile of the registry, described.
pub fn assert_refuses_unknown_profile(command: &mut Command) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert_eq!(out.status.code(), Some(2), "{command:?}");
    let message = String::from_utf8_lossy(&out.stderr);
    for profile in Profile::ALL {
        assert!(message.contains(profile.description()), "{message}");
    }
}

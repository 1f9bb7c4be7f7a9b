//! The profile registry is the one list of profiles: every profile it holds has a fixture
//! folder, a case of the WIT `profile` enum in the registry's order, a place in the
//! component's `profiles` list, a Fluent Bit export, and a line in `host-test --help`.

use std::path::Path;
use std::process::Command;

use host_test::Runtime;
use k8s_audit_ecs::Profile;

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The cases of `enum profile { ... }` in the WIT file, in order.
fn wit_enum_cases() -> Vec<String> {
    let wit = std::fs::read_to_string(workspace().join("wit/k8s-audit-ecs.wit")).unwrap();
    let body = wit
        .split_once("enum profile {")
        .and_then(|(_, rest)| rest.split_once('}'))
        .map(|(body, _)| body)
        .expect("the WIT file has `enum profile`");
    body.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("///") && !line.is_empty())
        .map(|line| line.trim_end_matches(',').to_owned())
        .collect()
}

#[test]
fn every_profile_has_a_fixture_folder() {
    for profile in Profile::ALL {
        let folder = workspace().join("fixtures").join(profile.name());
        let fixtures = k8s_audit_ecs::fixture::load_all(std::slice::from_ref(&folder))
            .unwrap_or_else(|e| panic!("{profile}: {e}"));
        assert!(
            !fixtures.is_empty(),
            "{profile}: {} is empty",
            folder.display()
        );
    }
}

#[test]
fn the_wit_enum_lists_the_registry_in_order() {
    let names: Vec<&str> = Profile::names().collect();
    assert_eq!(wit_enum_cases(), names);
}

#[test]
fn the_component_offers_every_profile() {
    let runtime = Runtime::load_built().unwrap();
    let offered = runtime.profiles().unwrap();
    let registry: Vec<(String, String)> = Profile::ALL
        .iter()
        .map(|p| (p.name().to_owned(), p.description().to_owned()))
        .collect();
    assert_eq!(offered, registry);
}

#[test]
fn the_fluent_bit_module_exports_every_profile() {
    let module = std::fs::read(env!("FLUENT_BIT_MODULE_PATH")).unwrap();
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::new(&engine, module).unwrap();
    let exports: Vec<&str> = module.exports().map(|export| export.name()).collect();
    for profile in Profile::ALL {
        assert!(
            exports.contains(&profile.fluent_bit_function()),
            "{profile}: no export {}",
            profile.fluent_bit_function()
        );
    }
}

#[test]
fn every_profile_is_in_the_help_of_the_commands_that_take_one() {
    for command in ["check", "transform"] {
        let out = Command::new(env!("CARGO_BIN_EXE_host-test"))
            .args([command, "--help"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let help = String::from_utf8(out.stdout).unwrap();
        for profile in Profile::ALL {
            assert!(
                help.contains(profile.name()) && help.contains(profile.description()),
                "`host-test {command} --help` does not describe {profile}:\n{help}"
            );
        }
    }
}

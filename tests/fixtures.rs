//! Every fixture through the native core, compared with the shared routine
//! (`Fixture::check`, which `host-test check` uses too).

use std::path::{Path, PathBuf};

use k8s_audit_ecs::fixture::{Fixture, load_all};
use k8s_audit_ecs::{Options, Profile, Transformer};

/// Runs every fixture of `folder` with `profile` (and each fixture's own options); returns
/// how many there were.
fn run_folder(folder: &Path, profile: Profile) -> usize {
    let fixtures = load_all(&[folder.to_owned()]).expect("fixtures load");
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let transformer = Transformer::new(fixture.options(profile));
        let (documents, _) = transformer.transform_or_pass_through(&fixture.input);
        let differences = fixture.check(&documents);
        if !differences.is_empty() {
            let lines: Vec<String> = differences.iter().map(|d| format!("  {d}")).collect();
            failures.push(format!("{}\n{}", fixture.path.display(), lines.join("\n")));
        }
    }
    assert!(
        failures.is_empty(),
        "fixtures failed:\n{}",
        failures.join("\n")
    );
    fixtures.len()
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every profile of the registry has a folder of fixtures, `fixtures/<profile>/`, and they pass.
#[test]
fn every_profile_has_fixtures_and_they_pass() {
    for profile in Profile::ALL {
        let folder = fixtures_dir().join(profile.name());
        assert!(
            folder.is_dir(),
            "{profile} has no fixture folder {}",
            folder.display()
        );
        assert!(run_folder(&folder, profile) > 0, "{profile}: no fixtures");
    }
}

/// The documented samples are exact in baseline: the three files that copy the seed.
#[test]
fn documented_samples_are_exact_in_baseline() {
    for sample in [
        "event_user_exec_in_pod",
        "event_user_list_pod",
        "event_user_patch_deploy",
    ] {
        let path = fixtures_dir()
            .join("baseline")
            .join(format!("{sample}.json"));
        assert_eq!(run_folder(&path, Profile::Baseline), 1);
    }
}

#[test]
fn a_changed_expectation_fails_with_its_path() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/baseline/event_user_exec_in_pod.json");
    let mut fixture = Fixture::load(&path).expect("fixture loads");
    fixture.expected[0]["user"]["name"] = "mallory@mail.com".into();
    let (documents, _) =
        Transformer::new(Options::default()).transform_or_pass_through(&fixture.input);
    let differences: Vec<String> = fixture
        .check(&documents)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        differences,
        [r#"user.name: expected "mallory@mail.com", got "user@mail.com""#]
    );
}

#[test]
fn fixture_errors_name_the_file_and_line() {
    let dir = std::env::temp_dir().join(format!("k8s-audit-ecs-fixture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"input\": {\"message\": \"x\"},\n  \"expected\": \n}\n",
    )
    .unwrap();
    let error = load_all(&[PathBuf::from(&bad)]).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("{}:4: not a fixture", bad.display())),
        "{error}"
    );
    std::fs::write(&bad, r#"{"expected": {}}"#).unwrap();
    let error = load_all(&[PathBuf::from(&bad)]).unwrap_err().to_string();
    assert!(error.contains("a fixture has either `input`"), "{error}");
    let missing = dir.join("missing.json");
    let error = load_all(std::slice::from_ref(&missing))
        .unwrap_err()
        .to_string();
    assert!(error.starts_with(&missing.display().to_string()), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The envelope fixtures are what `fixtures/cloud-inputs.py` writes from its readable sources
/// and hand-written tables: a fixture edited by hand and not in the script (or the other way
/// round) fails here. Needs python3 (the standard library only); without it the test says it
/// skips, except where `CI` is set.
#[test]
fn envelope_fixtures_are_what_their_generator_writes() {
    let script = fixtures_dir().join("cloud-inputs.py");
    let output = match std::process::Command::new("python3")
        .arg(&script)
        .arg("--check")
        .output()
    {
        Ok(output) => output,
        Err(error) => {
            assert!(std::env::var_os("CI").is_none(), "python3: {error}");
            eprintln!("skipped: python3 is not installed ({error})");
            return;
        }
    };
    assert!(
        output.status.success(),
        "{} --check:\n{}{}",
        script.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

//! What the tests that install the release share: paths, prerequisites that skip (or fail on
//! CI), commands, and the streams every host must convert as the native core does.

#![allow(dead_code)] // each test binary uses its own part

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use host_test::{Limits, Runtime, Session, stream};
use k8s_audit_ecs::fixture::load_all;
use k8s_audit_ecs::{ErrorKind, Options, Profile, TransformError, Transformer, error_document};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The message hosts give a line that is not UTF-8 (host-test's, and the packages').
pub const INVALID_UTF8: &str =
    "the line is not valid UTF-8; its invalid bytes were replaced by U+FFFD";

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn dist() -> PathBuf {
    workspace().join("dist")
}

/// Whether a missing prerequisite fails the test (CI) or skips it (a developer's machine).
pub fn prerequisite(ok: bool, what: &str) -> bool {
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{what}: needed on CI (bash scripts/dist.sh builds dist/)"
        );
        eprintln!("skipped: {what}");
    }
    ok
}

pub fn artifact(name: &str) -> PathBuf {
    dist().join(name)
}

pub fn output(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"))
}

pub fn run(command: &mut Command) -> String {
    let out = output(command);
    assert!(
        out.status.success(),
        "{command:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn works(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A scratch folder under target/, emptied first.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(host_test::artifact::COMPONENT_PATH)
        .ancestors()
        .nth(4)
        .unwrap()
        .join("package-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One command-line run: options and the input text it converts.
pub struct Stream {
    pub label: String,
    pub profile: Profile,
    pub cluster_name: Option<String>,
    pub event_field: Option<String>,
    pub input: Vec<u8>,
}

impl Stream {
    pub fn options(&self) -> Options {
        let mut options = Options {
            profile: self.profile,
            cluster_name: self.cluster_name.clone(),
            ..Options::default()
        };
        if let Some(field) = &self.event_field {
            options.event_field.clone_from(field);
        }
        options
    }

    pub fn args(&self) -> Vec<String> {
        let mut args = vec![
            "transform".to_owned(),
            "--profile".to_owned(),
            self.profile.name().to_owned(),
        ];
        if let Some(name) = &self.cluster_name {
            args.extend(["--cluster-name".to_owned(), name.clone()]);
        }
        if let Some(field) = &self.event_field {
            args.extend(["--field".to_owned(), field.clone()]);
        }
        args
    }
}

/// Every stream the command lines must convert as the native core does: each fixture folder's
/// inputs (one per line, grouped by their options), the sample log, and a hostile stream.
/// `whole_stream`: the hostile stream also has what only a host that reads the stream itself
/// can give (lines that are not UTF-8, values spread over lines); Spark and Beam read rows of
/// text, one per line, and get it without them.
pub fn streams(whole_stream: bool) -> Vec<Stream> {
    let fixtures_dir = workspace().join("fixtures");
    let mut streams = Vec::new();
    for profile in Profile::ALL {
        let fixtures = load_all(&[fixtures_dir.join(profile.name())]).unwrap();
        let mut groups: BTreeMap<(Option<String>, Option<String>), Vec<u8>> = BTreeMap::new();
        for fixture in &fixtures {
            // A record spread over several lines is one record only where a host reads the
            // stream itself.
            if fixture.input.contains('\n') && !whole_stream {
                continue;
            }
            let key = (fixture.cluster_name.clone(), fixture.event_field.clone());
            let text = groups.entry(key).or_default();
            text.extend_from_slice(fixture.input.as_bytes());
            text.push(b'\n');
        }
        for ((cluster_name, event_field), input) in groups {
            streams.push(Stream {
                label: format!("fixtures/{profile} {cluster_name:?} {event_field:?}"),
                profile,
                cluster_name,
                event_field,
                input,
            });
        }
    }
    let sample = std::fs::read(fixtures_dir.join("sample-audit.log")).unwrap();
    let mut hostile = sample.clone();
    hostile.extend_from_slice(
        b"not json\n[1]\n\n{\"message\":\"{}\"}\r\n{\"kind\":\"EventList\",\"items\":[{\"auditID\":\"a\"},7]}\n",
    );
    if whole_stream {
        hostile.extend_from_slice(b"{\"auditID\":\"\xff\xfe\",\"verb\":\"get\"}\n");
        // Values spread over lines: a pretty-printed event (CRLF), an EventList of 1,500
        // events over 1,505 lines and 2 MB (longer than host-test's batches and the packages'
        // reads, so every host carries it from one call into the next), and lines that open a
        // value and never close it (read one by one).
        hostile.extend_from_slice(b"{\r\n  \"kind\": \"Event\",\r\n  \"auditID\": \"pretty\",\r\n  \"verb\": \"get\"\r\n}\r\n");
        hostile.extend_from_slice(b"{\n  \"kind\": \"EventList\",\n  \"apiVersion\": \"audit.k8s.io/v1\",\n  \"items\": [\n");
        let items: Vec<&[u8]> = sample
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        for n in 0..1500 {
            hostile.extend_from_slice(b"    ");
            hostile.extend_from_slice(items[n % items.len()]);
            hostile.extend_from_slice(if n < 1499 { b",\n" } else { b"\n" });
        }
        hostile.extend_from_slice(b"  ]\n}\n{\n  \"auditID\": \"never closed\",\n");
    }
    // A RequestResponse event of 3 MiB: longer than the packages' 1 MiB reads, so a record
    // spans several of them.
    hostile.extend_from_slice(
        b"{\"auditID\":\"large\",\"verb\":\"create\",\"requestObject\":{\"data\":\"",
    );
    hostile.extend(std::iter::repeat_n(b'x', 3 << 20));
    hostile.extend_from_slice(b"\"}}\n");
    hostile.extend_from_slice(
        b"{\"auditID\":\"b\"}{\"auditID\":\"c\"}\n{\"auditID\":\"last, no line feed\"}",
    );
    for profile in Profile::ALL {
        for (label, input) in [("sample-audit.log", &sample), ("hostile", &hostile)] {
            streams.push(Stream {
                label: format!("{label} {profile}"),
                profile,
                cluster_name: Some("prod-1".to_owned()),
                event_field: None,
                input: input.clone(),
            });
        }
    }
    streams
}

/// `python -m pip install --quiet` in the virtual environment `venv`; the caller adds what to
/// install.
pub fn pip_install(venv: &Path) -> Command {
    let mut command = Command::new(venv.join("bin/python"));
    command.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]);
    command
}

/// What the native core writes for `stream`, and the summary's counts (records, documents,
/// errors, skipped): lines that are not UTF-8 passed through as `invalid_utf8`, the rest
/// converted as `transform-lines` converts them.
pub fn native(stream: &Stream) -> (String, [usize; 4]) {
    let transformer = Transformer::new(stream.options());
    let mut out = String::new();
    let mut counts = [0; 4];
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String, counts: &mut [usize; 4]| {
        let summary = transformer.transform_lines(run, out);
        counts[0] += summary.records;
        counts[1] += summary.converted;
        counts[2] += summary.failures.len();
        counts[3] += summary.skipped;
        run.clear();
    };
    for line in stream.input.split_inclusive(|&b| b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(text) => run.push_str(text),
            Err(_) => {
                flush(&mut run, &mut out, &mut counts);
                let bytes = line.strip_suffix(b"\n").unwrap_or(line);
                let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
                let record = String::from_utf8_lossy(bytes);
                let error = TransformError::new(ErrorKind::InvalidUtf8, INVALID_UTF8);
                out.push_str(&error_document(&record, &error));
                out.push('\n');
                counts[0] += 1;
                counts[2] += 1;
            }
        }
    }
    flush(&mut run, &mut out, &mut counts);
    (out, counts)
}

/// What `host-test transform` writes for `stream`, and its summary.
pub fn host_test_output(runtime: &Runtime, stream: &Stream) -> (Vec<u8>, stream::Summary) {
    let mut session = Session::with_limits(runtime, &stream.options(), Limits::default()).unwrap();
    let mut out = Vec::new();
    let summary = stream::transform_stream(
        &mut session,
        stream.input.as_slice(),
        &mut out,
        &stream.label,
    )
    .unwrap();
    (out, summary)
}

/// The wheel in `dist/`, when it and a python3 with venv and pip are there (else the test
/// skips, or fails on CI: [`prerequisite`]).
pub fn wheel_and_python() -> Option<PathBuf> {
    let wheel = artifact(&format!("k8s_audit_ecs-{VERSION}-py3-none-any.whl"));
    let ready = prerequisite(wheel.is_file(), "dist/ has no wheel")
        && prerequisite(
            works("python3", &["-c", "import venv, ensurepip"]),
            "python3 with venv and pip is not installed",
        );
    ready.then_some(wheel)
}

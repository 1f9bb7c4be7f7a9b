//! Builds the transform component (`wasm32-wasip2`, release), and the Fluent Bit filter module
//! (`wasm32-wasip1`) beside it, from the workspace sources, so a
//! fresh clone needs no manual step and host-test can never run a stale component by mistake.
//!
//! Modelled on wasmtime's `crates/test-programs/artifacts/build.rs`: a nested cargo build into
//! its own target directory, `rerun-if-changed` from the guest's dep-info file, and constants
//! for the library: `COMPONENT_PATH`, `COMPONENT_HASH` (the artifact's bytes) and
//! `COMPONENT_SOURCES` (a file listing the sources it was built from, with their hash).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, exit};

const TARGET: &str = "wasm32-wasip2";
/// The Fluent Bit filter module, built from the same sources (`src/fluent_bit.rs`).
const FLUENT_BIT_TARGET: &str = "wasm32-wasip1";
const GUEST: &str = "k8s-audit-ecs";
const ARTIFACT: &str = "k8s_audit_ecs";

fn main() {
    if let Err(message) = run() {
        // One readable line per problem, without a backtrace.
        for line in message.lines() {
            println!("cargo:warning={line}");
        }
        eprintln!("error: {message}");
        exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let root = manifest_dir
        .parent()
        .ok_or("host-test has no parent folder")?
        .to_owned();
    let out_dir = PathBuf::from(env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let target_dir = cargo_target_dir(&out_dir).join("component");

    ensure_target_installed(TARGET)?;
    ensure_target_installed(FLUENT_BIT_TARGET)?;
    build_guest(&root, &target_dir)?;

    let release = target_dir.join(TARGET).join("release");
    let component = release.join(format!("{ARTIFACT}.wasm"));
    let bytes = fs::read(&component).map_err(|e| {
        format!(
            "the component was not built at {}: {e}",
            component.display()
        )
    })?;

    let fluent_bit_release = target_dir.join(FLUENT_BIT_TARGET).join("release");
    let fluent_bit_module = fluent_bit_release.join(format!("{ARTIFACT}.wasm"));
    let mut sources = guest_sources(&root, &release.join(format!("{ARTIFACT}.d")))?;
    sources.extend(guest_sources(
        &root,
        &fluent_bit_release.join(format!("{ARTIFACT}.d")),
    )?);
    sources.sort();
    sources.dedup();
    for source in &sources {
        println!("cargo:rerun-if-changed={}", source.display());
    }
    let listing = out_dir.join("component-sources.txt");
    let mut text = format!("{:016x}\n", hash_files(&sources)?);
    for source in &sources {
        text.push_str(&format!("{}\n", source.display()));
    }
    fs::write(&listing, text).map_err(|e| e.to_string())?;

    println!("cargo:rustc-env=COMPONENT_PATH={}", component.display());
    println!(
        "cargo:rustc-env=FLUENT_BIT_MODULE_PATH={}",
        fluent_bit_module.display()
    );
    println!("cargo:rerun-if-changed={}", fluent_bit_module.display());
    println!("cargo:rustc-env=COMPONENT_HASH={:016x}", fnv1a(0, &bytes));
    println!("cargo:rustc-env=COMPONENT_SOURCES={}", listing.display());
    println!("cargo:rerun-if-changed={}", component.display());
    // The guest's build flags (SIMD, the Fluent Bit module's exports) and its toolchain: a
    // change to either builds the artifacts again.
    for file in [".cargo/config.toml", "rust-toolchain.toml"] {
        println!("cargo:rerun-if-changed={}", root.join(file).display());
    }
    println!("cargo:rerun-if-changed=build.rs");
    Ok(())
}

/// The target directory of the outer build: the nearest ancestor of `OUT_DIR` that cargo
/// marked with `CACHEDIR.TAG` (it writes one at the root of every target directory).
fn cargo_target_dir(out_dir: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map_or_else(|| out_dir.to_owned(), Path::to_owned)
}

/// rust-toolchain.toml lists the target, but rustup installs it only with the toolchain; add
/// it here when it is missing, so `cargo test` on a fresh clone just works.
fn ensure_target_installed(target: &str) -> Result<(), String> {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("cannot run {rustc}: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if sysroot.join("lib/rustlib").join(target).is_dir() {
        return Ok(());
    }
    let added = Command::new("rustup")
        .args(["target", "add", target])
        .status();
    match added {
        Ok(status) if status.success() => Ok(()),
        _ => Err(format!(
            "the Rust target {target} is not installed and `rustup target add {target}` failed; install it and build again"
        )),
    }
}

fn build_guest(root: &Path, target_dir: &Path) -> Result<(), String> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--target",
            TARGET,
            "--target",
            FLUENT_BIT_TARGET,
            "-p",
            GUEST,
            "--target-dir",
        ])
        .arg(target_dir)
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"));
    // Flags and wrappers meant for the host build must not leak into the guest build.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_PRIMARY_PACKAGE",
    ] {
        command.env_remove(var);
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(format!(
        "building the component (cargo build --release --target {TARGET} -p {GUEST}) failed:\n{}",
        tail.join("\n")
    ))
}

/// The guest's own source files (under the workspace root, outside any target directory),
/// read from cargo's dep-info file, plus the manifests and the lock file.
fn guest_sources(root: &Path, dep_info: &Path) -> Result<Vec<PathBuf>, String> {
    let text = fs::read_to_string(dep_info)
        .map_err(|e| format!("cannot read {}: {e}", dep_info.display()))?;
    let deps = text
        .split_once(": ")
        .map_or("", |(_, deps)| deps.lines().next().unwrap_or(""));
    let mut sources = vec![root.join("Cargo.toml"), root.join("Cargo.lock")];
    // Paths are separated by spaces; a space inside a path is written `\ `.
    for path in deps.replace("\\ ", "\u{0}").split(' ') {
        let path = PathBuf::from(path.replace('\u{0}', " "));
        if path.starts_with(root) && !path.starts_with(root.join("target")) && path.is_file() {
            sources.push(path);
        }
    }
    let wit = root.join("wit");
    let mut wit_files: Vec<PathBuf> = fs::read_dir(&wit)
        .map_err(|e| format!("cannot read {}: {e}", wit.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    wit_files.sort();
    sources.extend(wit_files);
    sources.sort();
    sources.dedup();
    Ok(sources)
}

fn hash_files(paths: &[PathBuf]) -> Result<u64, String> {
    let mut hash = 0;
    for path in paths {
        let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        hash = fnv1a(hash, path.to_string_lossy().as_bytes());
        hash = fnv1a(hash, &bytes);
    }
    Ok(hash)
}

include!("../src/fnv.rs");

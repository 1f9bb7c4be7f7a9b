//! Runs the component over the documented samples in a loop, one call per record, for a
//! profiler: `cargo build --release -p host-test --example profile_component`, then
//! `HOST_TEST_PERFMAP=1 perf record -g target/release/examples/profile_component 20000`
//! (`HOST_TEST_PERFMAP` makes wasmtime name the component's functions for `perf`; set
//! `COMPONENT=<path>` to load a component built with `CARGO_PROFILE_RELEASE_STRIP=false`).

use host_test::{Runtime, Session};
use k8s_audit_ecs::Options;
use k8s_audit_ecs::fixture::load_all;

fn main() -> Result<(), host_test::Error> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/baseline");
    let records: Vec<String> = load_all(&[root])
        .map_err(|e| host_test::Error::new(e.to_string()))?
        .into_iter()
        .map(|f| f.input)
        .collect();
    // A component with its name section (built with `CARGO_PROFILE_RELEASE_STRIP=false`)
    // gives `perf` function names.
    let runtime = match std::env::var_os("COMPONENT") {
        Some(path) => Runtime::load_file(std::path::Path::new(&path))?,
        None => Runtime::load_built()?,
    };
    let mut session = Session::new(&runtime, &Options::default())?;
    let mut documents = 0;
    for _ in 0..rounds {
        for record in &records {
            if let host_test::Outcome::Documents(lines) = session.transform(record)? {
                documents += lines.len();
            }
        }
    }
    println!("{} records, {documents} documents", rounds * records.len());
    Ok(())
}

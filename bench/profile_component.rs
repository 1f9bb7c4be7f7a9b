//! Runs the component over the documented samples in a loop, one call per record, for a
//! profiler: `cargo build --release -p host-test --example profile_component`, then
//! `HOST_TEST_PERFMAP=1 perf record -g target/release/examples/profile_component 20000 [INPUT]
//! [PROFILE]` (INPUT: 0 the documented samples, 1 the same events bare, 2 the pod create;
//! PROFILE: a profile name, default baseline)
//! (`HOST_TEST_PERFMAP` makes wasmtime name the component's functions for `perf`; set
//! `COMPONENT=<path>` to load a component built with `CARGO_PROFILE_RELEASE_STRIP=false`).

use host_test::{Runtime, Session};
use k8s_audit_ecs::Options;

fn main() -> Result<(), host_test::Error> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    // The benchmark's inputs: 0 the documented samples message-wrapped (default), 1 the same
    // events bare, 2 the pod create.
    let input: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let inputs = host_test::bench::inputs(&workspace)?;
    let records = &inputs[input.min(inputs.len() - 1)].records;
    // A component with its name section (built with `CARGO_PROFILE_RELEASE_STRIP=false`)
    // gives `perf` function names.
    let runtime = match std::env::var_os("COMPONENT") {
        Some(path) => Runtime::load_file(std::path::Path::new(&path))?,
        None => Runtime::load_built()?,
    };
    let profile = std::env::args()
        .nth(3)
        .map_or(Ok(Default::default()), |name| name.parse())
        .unwrap_or_else(|error: String| panic!("{error}"));
    let options = Options {
        profile,
        ..Options::default()
    };
    let mut session = Session::new(&runtime, &options)?;
    let mut documents = 0;
    for _ in 0..rounds {
        for record in records {
            if let host_test::Outcome::Converted(converted) = session.transform(record)? {
                documents += converted.documents.len();
            }
        }
    }
    println!("{} records, {documents} documents", rounds * records.len());
    Ok(())
}

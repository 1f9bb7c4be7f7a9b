//! Runs the native transform over the documented samples in a loop, for a profiler:
//! `cargo build --release --example profile_transform` then
//! `valgrind --tool=callgrind target/release/examples/profile_transform 20000`.

use k8s_audit_ecs::fixture::load_all;
use k8s_audit_ecs::{Options, Transformer};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/baseline");
    let records: Vec<String> = load_all(&[root])
        .expect("fixtures")
        .into_iter()
        .map(|f| f.input)
        .collect();
    let transformer = Transformer::new(Options::default());
    let mut bytes = 0;
    for _ in 0..rounds {
        for record in &records {
            for document in transformer.transform(record).expect("converts") {
                bytes += document.len();
            }
        }
    }
    println!("{} events, {bytes} output bytes", rounds * records.len());
}

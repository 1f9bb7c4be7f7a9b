//! Agreement of the user-agent parser with a uap-core TSV (`user_agent, name, os, device`
//! per line, as tests/data/user-agents.tsv): `cargo run --example ua_agreement -- FILE`.
//! Prints each disagreement and the agreement per field.

use k8s_audit_ecs::user_agent::parse;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/data/user-agents.tsv".into());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut rows = 0;
    let mut agreed = [0usize; 3];
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("user_agent\t"))
    {
        let columns: Vec<&str> = line.split('\t').collect();
        let [ua, name, os, device] = columns[..] else {
            continue;
        };
        rows += 1;
        let parsed = parse(ua);
        for (index, (expected, got)) in [
            (name, parsed.name.as_ref()),
            (os, parsed.os.as_ref()),
            (device, parsed.device.as_ref()),
        ]
        .into_iter()
        .enumerate()
        {
            if expected == got {
                agreed[index] += 1;
            } else {
                println!(
                    "{}\t{ua}\texpected {expected:?}, got {got:?}",
                    ["name", "os", "device"][index]
                );
            }
        }
    }
    for (index, field) in ["name", "os", "device"].iter().enumerate() {
        println!(
            "{field}: {}/{rows} ({:.2}%)",
            agreed[index],
            100.0 * agreed[index] as f64 / rows as f64
        );
    }
}

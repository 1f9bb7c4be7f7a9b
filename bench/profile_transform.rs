//! Runs the native transform over the documented samples in a loop, for a profiler:
//! `cargo build --release --example profile_transform` then
//! `valgrind --tool=callgrind target/release/examples/profile_transform 20000 [PROFILE] [INPUT]`
//! (PROFILE: a profile name, default baseline; INPUT: `wrapped` (default) the documented
//! samples as the intake sends them, `bare` their events given bare, `pod` the 23 KB pod create,
//! `hub` an Event Hub body of 99 of the bare events, `lambda` a CloudWatch Lambda event of them).

use k8s_audit_ecs::fixture::load_all;
use k8s_audit_ecs::{Options, Profile, Transformer};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    // `floor`: serde_json parsing each record into a `Value` and writing it back, the
    // benchmark's floor.
    let floor = std::env::args().nth(2).is_some_and(|name| name == "floor");
    let profile: Profile = std::env::args()
        .nth(2)
        .filter(|_| !floor)
        .map_or(Ok(Profile::Baseline), |name| name.parse())
        .unwrap_or_else(|error| panic!("{error}"));
    let input = std::env::args().nth(3).unwrap_or_else(|| "wrapped".into());
    // The envelopes hold the bare events, as an API server writes them.
    let bare = matches!(input.as_str(), "bare" | "hub" | "lambda");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/baseline");
    let records: Vec<String> = load_all(std::slice::from_ref(&root))
        .expect("fixtures")
        .into_iter()
        .filter(|f| f.path.parent() == Some(root.as_path()))
        .map(|f| {
            if !bare {
                return f.input;
            }
            let record: serde_json::Value = serde_json::from_str(&f.input).expect("JSON");
            record["message"]
                .as_str()
                .expect("a message")
                .trim_end()
                .to_owned()
        })
        .collect();
    let records = match input.as_str() {
        "pod" => {
            let pod =
                std::fs::read_to_string(root.join("../../bench/pod-create.json")).expect("pod");
            vec![serde_json::json!({ "message": pod.trim_end() }).to_string()]
        }
        "hub" | "lambda" => vec![envelope(&input, &records)],
        _ => records,
    };
    let transformer = Transformer::new(Options {
        profile,
        ..Options::default()
    });
    let mut bytes = 0;
    for _ in 0..rounds {
        for record in &records {
            if floor {
                let value: serde_json::Value = serde_json::from_str(record).expect("JSON");
                bytes += value.to_string().len();
                continue;
            }
            for document in transformer.transform(record).expect("converts") {
                bytes += document.len();
            }
        }
    }
    println!("{} events, {bytes} output bytes", rounds * records.len());
}

/// One envelope of the bare events, each 33 times: an Event Hub body or a CloudWatch Lambda
/// event.
fn envelope(kind: &str, events: &[String]) -> String {
    use base64::Engine as _;
    use std::io::Write as _;
    let events: Vec<&String> = events.iter().cycle().take(events.len() * 33).collect();
    if kind == "hub" {
        let records: Vec<serde_json::Value> = events
            .iter()
            .map(|event| serde_json::json!({"category": "kube-audit", "resourceId": "/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/C", "properties": {"log": format!("{event}\n")}}))
            .collect();
        return serde_json::json!({ "records": records }).to_string();
    }
    let log_events: Vec<serde_json::Value> = events
        .iter()
        .enumerate()
        .map(
            |(i, event)| serde_json::json!({"id": i.to_string(), "timestamp": 1, "message": event}),
        )
        .collect();
    let message = serde_json::json!({"messageType": "DATA_MESSAGE", "owner": "1", "logGroup": "/aws/eks/c/cluster", "logEvents": log_events});
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(message.to_string().as_bytes())
        .expect("gzip");
    let data = base64::engine::general_purpose::STANDARD.encode(gzip.finish().expect("gzip"));
    serde_json::json!({"awslogs": {"data": data}}).to_string()
}

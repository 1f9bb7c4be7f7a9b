//! What parsing user agents costs per event, cached and uncached.

use std::time::Instant;

use k8s_audit_ecs::user_agent;

use super::repeat;
use super::throughput::MIN_TIME;

/// Nanoseconds per event spent parsing user agents, uncached and cached, on the user agents
/// of `records` (one per record, as the transform sees them).
pub fn user_agent_cost(records: &[String]) -> (f64, f64) {
    let agents: Vec<String> = records
        .iter()
        .filter_map(|record| {
            let record: serde_json::Value = serde_json::from_str(record).ok()?;
            let event = match record["message"].as_str() {
                Some(text) => serde_json::from_str(text).ok()?,
                None => record,
            };
            Some(event["userAgent"].as_str()?.to_owned())
        })
        .collect();
    let agents = repeat(&agents, 1000);
    let per_event = |run: &mut dyn FnMut()| {
        run();
        let start = Instant::now();
        let mut passes = 0u32;
        while start.elapsed() < MIN_TIME {
            run();
            passes += 1;
        }
        start.elapsed().as_secs_f64() * 1e9 / (f64::from(passes) * agents.len() as f64)
    };
    let uncached = per_event(&mut || {
        for agent in &agents {
            std::hint::black_box(user_agent::parse(agent));
        }
    });
    let mut cache = user_agent::Cache::default();
    let cached = per_event(&mut || {
        for agent in &agents {
            std::hint::black_box(cache.parse(agent));
        }
    });
    (uncached, cached)
}

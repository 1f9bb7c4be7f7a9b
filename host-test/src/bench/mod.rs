//! `host-test bench`: the transform's speed, side by side, on the same records.
//!
//! Measures the native core, the component one call per record and in batches (with and
//! without the time budget), a floor (serde_json parsing each record into a `Value` and
//! writing it back), the user-agent parser cached and uncached, start-up (compile, cached
//! load, instantiation), linear memory after 1k and 1M events, the cost of each way to bound
//! a call's time, and end to end `host-test transform` against a jq program doing the
//! baseline mapping on the same file. [`run`] prints the report; every figure is a named row.

mod end_to_end;
mod envelopes;
mod runtime_costs;
mod throughput;
mod user_agents;

use std::io::Write;
use std::path::Path;

use k8s_audit_ecs::Profile;

use crate::{Error, Runtime, TimeBudget, artifact};

pub use end_to_end::end_to_end;
pub use envelopes::{Delivery, deliveries, envelopes};
pub use runtime_costs::{Interruption, interruption_overhead, memory, startup};
pub use throughput::{Figures, Route, Throughput, throughput};
pub use user_agents::user_agent_cost;

/// A named set of records to measure on.
pub struct Input {
    /// Its name in the report.
    pub name: String,
    /// The records (one JSON object each).
    pub records: Vec<String>,
}

/// The records the benchmark uses: the documented samples `message`-wrapped as the intake
/// delivers them, the same events bare as an API server's log backend writes them, and the
/// large pod-create event.
pub fn inputs(workspace: &Path) -> Result<Vec<Input>, Error> {
    let samples: Vec<String> =
        k8s_audit_ecs::fixture::load_all(&[workspace.join("fixtures/baseline")])
            .map_err(|e| Error::new(e.to_string()))?
            .into_iter()
            .filter(|fixture| fixture.path.parent() == Some(&workspace.join("fixtures/baseline")))
            .map(|fixture| fixture.input)
            .collect();
    let bare = samples
        .iter()
        .filter_map(|record| {
            let record: serde_json::Value = serde_json::from_str(record).ok()?;
            let event: serde_json::Value =
                serde_json::from_str(record["message"].as_str()?).ok()?;
            Some(event.to_string())
        })
        .collect();
    let pod_path = workspace.join("bench/pod-create.json");
    let pod = std::fs::read_to_string(&pod_path)
        .map_err(|e| Error::new(format!("{}: {e}", pod_path.display())))?;
    let pod_record = serde_json::json!({ "message": pod.trim_end() }).to_string();
    // A realistic mix: the sample log's ten events (watches, lists, gets, a create, a
    // denial, from controllers, kubectl and service accounts) cycled, with the pod create
    // (a RequestResponse event with managedFields) as one record in fifty.
    let log_path = workspace.join("fixtures/sample-audit.log");
    let log = std::fs::read_to_string(&log_path)
        .map_err(|e| Error::new(format!("{}: {e}", log_path.display())))?;
    let mut mix_bare: Vec<String> = log
        .lines()
        .filter(|line| !line.trim().is_empty())
        .cycle()
        .take(49)
        .map(str::to_owned)
        .collect();
    // The file is one line: the event as an API server writes it.
    mix_bare.push(pod.trim_end().to_owned());
    let mix_wrapped = mix_bare
        .iter()
        .map(|event| serde_json::json!({ "message": event }).to_string())
        .collect();
    Ok(vec![
        Input {
            name: "documented samples, message-wrapped".into(),
            records: samples,
        },
        Input {
            name: "documented samples, bare events".into(),
            records: bare,
        },
        Input {
            name: format!("pod create ({} KB)", pod_record.len() / 1000),
            records: vec![pod_record],
        },
        Input {
            name: "a realistic mix, message-wrapped (the sample log, a pod create in 50)".into(),
            records: mix_wrapped,
        },
        Input {
            name: "a realistic mix, bare events (the sample log, a pod create in 50)".into(),
            records: mix_bare,
        },
    ])
}

/// Repeats `records` until there are at least `count`.
fn repeat(records: &[String], count: usize) -> Vec<String> {
    records
        .iter()
        .cycle()
        .take(count.max(records.len()))
        .cloned()
        .collect()
}

/// The NDJSON texts of `records` in batches of `size` (what `transform-lines` takes).
fn line_batches(records: &[String], size: usize) -> Vec<String> {
    records
        .chunks(size)
        .map(|chunk| {
            let mut text = chunk.join("\n");
            text.push('\n');
            text
        })
        .collect()
}

/// Where the report goes: a line of text per figure, or with `--json` one JSON object per
/// figure (each with its section), for scripts.
struct Report<'w> {
    out: &'w mut dyn Write,
    json: bool,
    section: String,
}

impl Report<'_> {
    fn write(&mut self, line: &str) -> Result<(), Error> {
        writeln!(self.out, "{line}")
            .map_err(|e| Error::new(format!("cannot write the report: {e}")))
    }

    /// Starts a section: an input, or a group of figures.
    fn section(&mut self, title: String) -> Result<(), Error> {
        if !self.json {
            self.write(&format!("\n{title}"))?;
        }
        self.section = title;
        Ok(())
    }

    /// One figure: `text` for people, `fields` (plus the section) for scripts.
    fn figure(&mut self, text: String, mut fields: serde_json::Value) -> Result<(), Error> {
        if !self.json {
            return self.write(&text);
        }
        fields["section"] = serde_json::Value::from(self.section.clone());
        self.write(&fields.to_string())
    }
}

/// Runs the whole benchmark with `runtime` (the component, time budget enforced) and writes
/// the report to `out`: text, or with `json` one JSON object per figure.
pub fn run(
    runtime: &Runtime,
    workspace: &Path,
    out: &mut dyn Write,
    json: bool,
) -> Result<(), Error> {
    use serde_json::json;
    let mut report = Report {
        out,
        json,
        section: "machine".into(),
    };
    let (cpu, cores) = (
        cpu_model(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    report.figure(
        format!("machine: {cpu}, {cores} cores"),
        json!({"figure": "machine", "cpu": cpu, "cores": cores, "release_build": !cfg!(debug_assertions)}),
    )?;
    if cfg!(debug_assertions) && !json {
        report.write("note: a debug build of host-test; run `cargo run --release -p host-test -- bench` for real figures")?;
    }
    let inputs = inputs(workspace)?;
    let unbudgeted = Runtime::load_built_with(TimeBudget::Off)?;
    for input in &inputs {
        let average =
            input.records.iter().map(String::len).sum::<usize>() / input.records.len().max(1);
        report.section(format!(
            "{} ({} records, {} bytes on average)",
            input.name,
            input.records.len(),
            average
        ))?;
        let figures = throughput(runtime, &unbudgeted, input)?;
        for row in &figures.0 {
            let label = match row.profile {
                Some(profile) => format!("{} [{profile}]", row.path.label()),
                None => row.path.label().to_owned(),
            };
            report.figure(
                format!(
                    "  {label:<52} {:>10.0} events/s {:>7.1} MB/s",
                    row.events_per_second, row.megabytes_per_second
                ),
                json!({
                    "figure": "throughput", "path": row.path.label(),
                    "profile": row.profile.map(Profile::name),
                    "events_per_second": row.events_per_second,
                    "megabytes_per_second": row.megabytes_per_second,
                }),
            )?;
        }
        let baseline = Some(Profile::Baseline);
        let rate = |path| figures.rate(path, baseline);
        let floor = figures.rate(Route::Floor, None);
        let native = rate(Route::NativePerCall);
        let ratios = [
            ("b/a", rate(Route::ComponentPerCall) / native),
            ("c100/a", rate(Route::ComponentLines100) / native),
            ("c1000/a", rate(Route::ComponentLines1000) / native),
            ("a/d", native / floor),
            ("unbudgeted b/a", rate(Route::UnbudgetedPerCall) / native),
            (
                "unbudgeted c1000/a",
                rate(Route::UnbudgetedLines1000) / native,
            ),
        ];
        report.figure(
            format!(
                "  ratios [baseline]: b/a {:.2}, c100/a {:.2}, c1000/a {:.2}, a/d {:.2}; without the time budget b/a {:.2}, c1000/a {:.2}",
                ratios[0].1, ratios[1].1, ratios[2].1, ratios[3].1, ratios[4].1, ratios[5].1,
            ),
            json!({
                "figure": "ratios", "profile": "baseline",
                "ratios": ratios.iter().map(|(name, value)| (name.to_string(), json!(value))).collect::<serde_json::Map<_, _>>(),
            }),
        )?;
        for profile in Profile::ALL {
            let native = figures.rate(Route::NativePerCall, Some(profile));
            let (of_floor, component) = (
                native / floor,
                figures.rate(Route::ComponentPerCall, Some(profile)) / native,
            );
            // Measured for baseline and ecs only.
            let unbudgeted = figures.rate(Route::UnbudgetedPerCall, Some(profile)) / native;
            let without_budget = if unbudgeted > 0.0 {
                format!(" (without the time budget {unbudgeted:.2})")
            } else {
                String::new()
            };
            report.figure(
                format!(
                    "  ratios [{profile}]: native / floor {of_floor:.2}, component / native {component:.2}{without_budget}"
                ),
                json!({
                    "figure": "profile ratios", "profile": profile.name(),
                    "native_over_floor": of_floor, "component_over_native": component,
                    "component_over_native_without_time_budget": (unbudgeted > 0.0).then_some(unbudgeted),
                }),
            )?;
        }
        // The ocsf target: no slower than ecs on the same input.
        let ocsf_over_ecs = |route| {
            figures.rate(route, Some(Profile::Ocsf)) / figures.rate(route, Some(Profile::Ecs))
        };
        let (native_ratio, component_ratio) = (
            ocsf_over_ecs(Route::NativePerCall),
            ocsf_over_ecs(Route::ComponentPerCall),
        );
        report.figure(
            format!("  ocsf / ecs: native {native_ratio:.2}, component {component_ratio:.2}"),
            json!({"figure": "ocsf / ecs", "native": native_ratio, "component": component_ratio}),
        )?;
        let (uncached, cached) = user_agent_cost(&input.records);
        let per_event = 1e9 / native;
        report.figure(
            format!(
                "  user agents: uncached {uncached:.0} ns/event ({:.1}% of the native transform), cached {cached:.0} ns/event ({:.1}%)",
                100.0 * uncached / per_event,
                100.0 * cached / per_event
            ),
            json!({"figure": "user agents", "uncached_ns_per_event": uncached, "cached_ns_per_event": cached, "native_ns_per_event": per_event}),
        )?;
    }
    let bare = &inputs[1].records;
    let events = repeat(bare, 100)[..100].to_vec();
    report.section(
        "envelopes: 100 documented-sample events per record, baseline, one call per record".into(),
    )?;
    let rates = envelopes(runtime, &events)?;
    let (bare_native, bare_component) = (rates[0].1, rates[0].2);
    for (delivery, native, component) in &rates {
        report.figure(
            format!(
                "  {:<40} native {native:>9.0} events/s ({:.2}x bare), component {component:>9.0} events/s ({:.2}x bare)",
                delivery.label(),
                native / bare_native,
                component / bare_component
            ),
            json!({
                "figure": "envelope", "delivery": delivery.label(),
                "native_events_per_second": native, "component_events_per_second": component,
            }),
        )?;
    }
    report.section("the component's costs".into())?;
    let samples = &inputs[0].records;
    let (after_thousand, after_million) = memory(runtime, samples)?;
    report.figure(
        format!(
            "linear memory: {} KiB after 1,000 events, {} KiB after 1,000,000",
            after_thousand / 1024,
            after_million / 1024
        ),
        json!({"figure": "linear memory", "bytes_after_1000": after_thousand, "bytes_after_1000000": after_million}),
    )?;
    let records = repeat(samples, 3000);
    let bytes = artifact::read_built_component()?;
    let overhead = interruption_overhead(&bytes, &records, 5)?;
    let rate = |wanted: Interruption| {
        overhead
            .iter()
            .find(|(interruption, _)| *interruption == wanted)
            .map_or(0.0, |(_, rate)| *rate)
    };
    let (none, epoch, fuel) = (
        rate(Interruption::None),
        rate(Interruption::Epoch),
        rate(Interruption::Fuel),
    );
    report.figure(
        format!(
            "time budget per call (documented samples, one call each): none {none:.0} events/s, epoch {epoch:.0} ({:+.1}%), fuel {fuel:.0} ({:+.1}%)",
            100.0 * (epoch / none - 1.0),
            100.0 * (fuel / none - 1.0)
        ),
        json!({"figure": "time budget", "none_events_per_second": none, "epoch_events_per_second": epoch, "fuel_events_per_second": fuel}),
    )?;
    let (compile_ms, load_ms, instantiate_ms) = startup(runtime)?;
    report.figure(
        format!(
            "start-up: compile {compile_ms:.0} ms, load cached machine code {load_ms:.1} ms, one instantiation {instantiate_ms:.3} ms"
        ),
        json!({"figure": "start-up", "compile_ms": compile_ms, "load_cached_ms": load_ms, "instantiate_ms": instantiate_ms}),
    )?;
    let count = 100_000;
    let (ours, jq) = end_to_end(workspace, samples, count)?;
    let text = match jq {
        Some(jq) => format!(
            "end to end, {count} documented-sample records: host-test transform {ours:.0} events/s, jq {jq:.0} events/s ({:.1}x)",
            ours / jq
        ),
        None => format!(
            "end to end, {count} documented-sample records: host-test transform {ours:.0} events/s; jq not installed (bash scripts/install-bench-deps.sh)"
        ),
    };
    report.figure(
        text,
        json!({"figure": "end to end", "records": count, "host_test_events_per_second": ours, "jq_events_per_second": jq}),
    )
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(json: bool) -> String {
        let mut out = Vec::new();
        let mut report = Report {
            out: &mut out,
            json,
            section: String::new(),
        };
        report.section("pod create".into()).unwrap();
        report
            .figure(
                "  a. native [ocsf] 8770 events/s".into(),
                serde_json::json!({"figure": "throughput", "events_per_second": 8770.0}),
            )
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_report_is_text_or_one_json_object_per_figure() {
        assert_eq!(
            written(false),
            "\npod create\n  a. native [ocsf] 8770 events/s\n"
        );
        let line: serde_json::Value = serde_json::from_str(written(true).trim_end()).unwrap();
        assert_eq!(
            line,
            serde_json::json!({"figure": "throughput", "events_per_second": 8770.0, "section": "pod create"})
        );
    }
}

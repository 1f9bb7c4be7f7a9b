//! `host-test bench`: the transform's speed, side by side, on the same records.
//!
//! Measures the native core, the component one call per record and in batches of 100 and
//! 1000 (with and without the time budget), a floor (serde_json parsing each record into a `Value` and writing it back), the
//! user-agent parser cached and uncached, start-up (compile, cached load, instantiation),
//! linear memory after 1k and 1M events, and end to end `host-test transform` against a jq
//! program doing the baseline mapping on the same file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use k8s_audit_ecs::{Options, Transformer, user_agent};

use crate::runtime::{compile, load_precompiled, new_engine};
use crate::{Error, Runtime, Session, TimeBudget, artifact};

/// How long each throughput measurement runs in all, at least (split into rounds).
const MIN_TIME: Duration = Duration::from_millis(1500);

/// One throughput figure.
#[derive(Debug, Clone)]
pub struct Throughput {
    /// What was measured.
    pub name: String,
    /// Events per second.
    pub events_per_second: f64,
    /// Input megabytes (10^6 bytes) per second.
    pub megabytes_per_second: f64,
}

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
    let pod = serde_json::json!({ "message": pod.trim_end() }).to_string();
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
            name: format!("pod create ({} KB)", pod.len() / 1000),
            records: vec![pod],
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

/// One pass over the records by one path.
type Pass<'a> = Box<dyn FnMut() -> Result<(), Error> + 'a>;

/// How many rounds [`measure_interleaved`] runs; each path's figure is its median round.
const ROUNDS: usize = 7;

/// Measures several paths on the same records in interleaved rounds (every path runs once
/// per round, for at least `MIN_TIME / ROUNDS`), and gives each path its median round. On a
/// shared machine whose speed drifts, the paths then see the same conditions, so their
/// ratios hold better than with one long measurement after another.
fn measure_interleaved(
    records: &[String],
    paths: &mut [(&str, Pass<'_>)],
) -> Result<Vec<Throughput>, Error> {
    let bytes: usize = records.iter().map(String::len).sum();
    let round_time = MIN_TIME / ROUNDS as u32;
    let mut rounds: Vec<Vec<f64>> = vec![Vec::with_capacity(ROUNDS); paths.len()];
    for (_, pass) in paths.iter_mut() {
        pass()?; // warm up
    }
    for _ in 0..ROUNDS {
        for ((_, pass), rates) in paths.iter_mut().zip(&mut rounds) {
            let start = Instant::now();
            let mut passes = 0u64;
            while start.elapsed() < round_time {
                pass()?;
                passes += 1;
            }
            rates.push(passes as f64 / start.elapsed().as_secs_f64());
        }
    }
    Ok(paths
        .iter()
        .zip(rounds)
        .map(|((name, _), mut rates)| {
            rates.sort_by(f64::total_cmp);
            let passes_per_second = rates[rates.len() / 2];
            Throughput {
                name: (*name).to_owned(),
                events_per_second: passes_per_second * records.len() as f64,
                megabytes_per_second: passes_per_second * bytes as f64 / 1e6,
            }
        })
        .collect())
}

/// Throughput of every path on one input, in the order the report prints them: the native
/// core (one `transform` per record, then NDJSON into one buffer); the component one call per
/// record, through `transform-lines` in batches of 100 and 1000 and through `transform-batch`;
/// the same without the time budget (`unbudgeted`, a runtime loaded with
/// [`crate::TimeBudget::Off`]); and the floor. Each component path has its own instance.
pub fn throughput(
    runtime: &Runtime,
    unbudgeted: &Runtime,
    input: &Input,
) -> Result<Vec<Throughput>, Error> {
    let records = repeat(&input.records, 1000);
    let (lines_100, lines_1000) = (line_batches(&records, 100), line_batches(&records, 1000));
    let native = Transformer::new(Options::default());
    let session = || Session::new(runtime, &Options::default());
    let mut listed = session()?;
    let mut buffer = String::new();
    let mut paths: Vec<(&str, Pass<'_>)> = vec![
        (
            "a. native core, one call per record",
            Box::new(|| {
                for record in &records {
                    std::hint::black_box(
                        native
                            .transform(record)
                            .map_err(|e| Error::new(e.to_string()))?,
                    );
                }
                Ok(())
            }),
        ),
        (
            "a. native core, NDJSON of 1000",
            Box::new(|| {
                for text in &lines_1000 {
                    buffer.clear();
                    std::hint::black_box(native.transform_lines(text, &mut buffer));
                }
                Ok(())
            }),
        ),
        (
            "b. component, one call per record",
            per_call(session()?, &records),
        ),
        (
            "c. component, NDJSON of 100",
            by_lines(session()?, &lines_100),
        ),
        (
            "c. component, NDJSON of 1000",
            by_lines(session()?, &lines_1000),
        ),
        (
            "c. component, list of 1000",
            Box::new(|| {
                for chunk in records.chunks(1000) {
                    std::hint::black_box(listed.transform_batch(chunk)?);
                }
                Ok(())
            }),
        ),
        (
            "b. no time budget, one call per record",
            per_call(Session::new(unbudgeted, &Options::default())?, &records),
        ),
        (
            "c. no time budget, NDJSON of 1000",
            by_lines(Session::new(unbudgeted, &Options::default())?, &lines_1000),
        ),
        (
            "d. floor: serde_json Value round trip",
            Box::new(|| {
                for record in &records {
                    let value: serde_json::Value =
                        serde_json::from_str(record).map_err(|e| Error::new(e.to_string()))?;
                    std::hint::black_box(value.to_string());
                }
                Ok(())
            }),
        ),
    ];
    measure_interleaved(&records, &mut paths)
}

/// The component, one call per record.
fn per_call<'a>(mut session: Session<'a>, records: &'a [String]) -> Pass<'a> {
    Box::new(move || {
        for record in records {
            std::hint::black_box(session.transform(record)?);
        }
        Ok(())
    })
}

/// The component, one `transform-lines` call per NDJSON text.
fn by_lines<'a>(mut session: Session<'a>, texts: &'a [String]) -> Pass<'a> {
    Box::new(move || {
        for text in texts {
            std::hint::black_box(session.transform_lines(text)?);
        }
        Ok(())
    })
}

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

/// The component's linear memory after 1,000 and after 1,000,000 events (NDJSON batches of
/// 1000, as `host-test transform` sends them).
pub fn memory(runtime: &Runtime, records: &[String]) -> Result<(usize, usize), Error> {
    let batch = line_batches(&repeat(records, 1000), 1000).concat();
    let mut session = Session::new(runtime, &Options::default())?;
    session.transform_lines(&batch)?;
    let after_thousand = session.memory_size();
    for _ in 1..1000 {
        session.transform_lines(&batch)?;
    }
    Ok((after_thousand, session.memory_size()))
}

/// Start-up costs, in milliseconds: compiling the component, loading the cached machine code,
/// and one fresh instantiation with its transformer.
pub fn startup(runtime: &Runtime) -> Result<(f64, f64, f64), Error> {
    let bytes = artifact::read_built_component()?;
    let engine = new_engine(TimeBudget::Enforced)?;
    let start = Instant::now();
    compile(&engine, &bytes)?;
    let compile_ms = start.elapsed().as_secs_f64() * 1e3;
    let start = Instant::now();
    let cached = load_precompiled(&engine, &artifact::precompiled_path(TimeBudget::Enforced));
    let load_ms = start.elapsed().as_secs_f64() * 1e3;
    if cached.is_none() {
        return Err(Error::new(
            "the precompiled component is missing; run `host-test info` once",
        ));
    }
    let start = Instant::now();
    let rounds = 200;
    for _ in 0..rounds {
        std::hint::black_box(Session::new(runtime, &Options::default())?);
    }
    let instantiate_ms = start.elapsed().as_secs_f64() * 1e3 / f64::from(rounds);
    Ok((compile_ms, load_ms, instantiate_ms))
}

/// End to end on a file of `count` records: `host-test transform FILE` and the jq program,
/// both reading the file and writing to /dev/null. Events per second, each; jq's is `None`
/// when jq is not installed.
pub fn end_to_end(
    workspace: &Path,
    records: &[String],
    count: usize,
) -> Result<(f64, Option<f64>, PathBuf), Error> {
    let file = std::env::temp_dir().join(format!("k8s-audit-ecs-bench-{}.log", std::process::id()));
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&file).map_err(|e| Error::new(format!("{}: {e}", file.display())))?,
    );
    for record in records.iter().cycle().take(count) {
        writeln!(out, "{record}").map_err(|e| Error::new(e.to_string()))?;
    }
    out.flush().map_err(|e| Error::new(e.to_string()))?;
    drop(out);
    let exe = std::env::current_exe().map_err(|e| Error::new(e.to_string()))?;
    let ours = time_command(Command::new(exe).arg("transform").arg(&file))?;
    let jq_program = workspace.join("bench/baseline.jq");
    let jq = match Command::new("jq")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
    {
        Ok(status) if status.success() => Some(time_command(
            Command::new("jq")
                .arg("-c")
                .arg("-f")
                .arg(&jq_program)
                .arg(&file),
        )?),
        _ => None,
    };
    Ok((
        count as f64 / ours,
        jq.map(|seconds| count as f64 / seconds),
        file,
    ))
}

fn time_command(command: &mut Command) -> Result<f64, Error> {
    let start = Instant::now();
    let status = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| Error::new(format!("{command:?}: {e}")))?;
    if !status.success() {
        return Err(Error::new(format!("{command:?} failed: {status}")));
    }
    Ok(start.elapsed().as_secs_f64())
}

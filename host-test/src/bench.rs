//! `host-test bench`: the transform's speed, side by side, on the same records.
//!
//! Measures the native core, the component one call per record and in batches (with and
//! without the time budget), a floor (serde_json parsing each record into a `Value` and
//! writing it back), the user-agent parser cached and uncached, start-up (compile, cached
//! load, instantiation), linear memory after 1k and 1M events, the cost of each way to bound
//! a call's time, and end to end `host-test transform` against a jq program doing the
//! baseline mapping on the same file. [`run`] prints the report; every figure is a named row.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wasmtime::component::Linker;
use wasmtime::{Config, Engine, Store};

use k8s_audit_ecs::{Options, Profile, TextEnd, Transformer, user_agent};

use crate::engine::{compile, load_precompiled, new_engine};
use crate::{Error, Runtime, Session, TimeBudget, artifact};

/// How long each throughput measurement runs in all, at least (split into rounds).
const MIN_TIME: Duration = Duration::from_millis(1500);

/// How many rounds [`measure_interleaved`] runs; each path's figure is its median round.
const ROUNDS: usize = 7;

/// A way to run the transform, measured on the same records as the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The native core, one `transform` call per record.
    NativePerCall,
    /// The native core, NDJSON of 1000 records into one reused buffer.
    NativeLines1000,
    /// The component, one `transform` call per record.
    ComponentPerCall,
    /// The component, `transform-lines` on NDJSON of 100 records.
    ComponentLines100,
    /// The component, `transform-lines` on NDJSON of 1000 records.
    ComponentLines1000,
    /// The component, `transform-batch` on a list of 1000 records.
    ComponentList1000,
    /// The component without the time budget, one call per record.
    UnbudgetedPerCall,
    /// The component without the time budget, NDJSON of 1000.
    UnbudgetedLines1000,
    /// The floor: serde_json parsing each record into a `Value` and writing it back.
    Floor,
}

impl Route {
    /// What the report calls it.
    pub fn label(self) -> &'static str {
        match self {
            Route::NativePerCall => "a. native core, one call per record",
            Route::NativeLines1000 => "a. native core, NDJSON of 1000",
            Route::ComponentPerCall => "b. component, one call per record",
            Route::ComponentLines100 => "c. component, NDJSON of 100",
            Route::ComponentLines1000 => "c. component, NDJSON of 1000",
            Route::ComponentList1000 => "c. component, list of 1000",
            Route::UnbudgetedPerCall => "b. no time budget, one call per record",
            Route::UnbudgetedLines1000 => "c. no time budget, NDJSON of 1000",
            Route::Floor => "d. floor: serde_json Value round trip",
        }
    }
}

/// One throughput figure.
#[derive(Debug, Clone)]
pub struct Throughput {
    /// What was measured.
    pub path: Route,
    /// With which profile (the floor has none).
    pub profile: Option<Profile>,
    /// Events per second.
    pub events_per_second: f64,
    /// Input megabytes (10^6 bytes) per second.
    pub megabytes_per_second: f64,
}

/// The figures of one input.
#[derive(Debug, Clone)]
pub struct Figures(pub Vec<Throughput>);

impl Figures {
    /// The events per second of `path` with `profile` (`None` for the floor); 0 when it was
    /// not measured.
    pub fn rate(&self, path: Route, profile: Option<Profile>) -> f64 {
        self.0
            .iter()
            .find(|row| row.path == path && row.profile == profile)
            .map_or(0.0, |row| row.events_per_second)
    }
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

/// A path to measure, with its pass.
struct Measured<'a> {
    path: Route,
    profile: Option<Profile>,
    pass: Pass<'a>,
}

/// Measures several paths on the same records in interleaved rounds (every path runs once
/// per round, for at least `MIN_TIME / ROUNDS`), and gives each path its median round. On a
/// shared machine whose speed drifts, the paths then see the same conditions, so their
/// ratios hold better than with one long measurement after another.
fn measure_interleaved(records: &[String], paths: &mut [Measured<'_>]) -> Result<Figures, Error> {
    let bytes: usize = records.iter().map(String::len).sum();
    let round_time = MIN_TIME / ROUNDS as u32;
    let mut rounds: Vec<Vec<f64>> = vec![Vec::with_capacity(ROUNDS); paths.len()];
    for measured in paths.iter_mut() {
        (measured.pass)()?; // warm up
    }
    for _ in 0..ROUNDS {
        for (measured, rates) in paths.iter_mut().zip(&mut rounds) {
            let start = Instant::now();
            let mut passes = 0u64;
            while start.elapsed() < round_time {
                (measured.pass)()?;
                passes += 1;
            }
            rates.push(passes as f64 / start.elapsed().as_secs_f64());
        }
    }
    Ok(Figures(
        paths
            .iter()
            .zip(rounds)
            .map(|(measured, mut rates)| {
                rates.sort_by(f64::total_cmp);
                let passes_per_second = rates[rates.len() / 2];
                Throughput {
                    path: measured.path,
                    profile: measured.profile,
                    events_per_second: passes_per_second * records.len() as f64,
                    megabytes_per_second: passes_per_second * bytes as f64 / 1e6,
                }
            })
            .collect(),
    ))
}

fn options(profile: Profile) -> Options {
    Options {
        profile,
        ..Options::default()
    }
}

/// Throughput of every path on one input with the baseline profile, and of the native core
/// and the component one call per record with each other profile. Each component path has its
/// own instance; `unbudgeted` is a runtime loaded with [`TimeBudget::Off`].
pub fn throughput(
    runtime: &Runtime,
    unbudgeted: &Runtime,
    input: &Input,
) -> Result<Figures, Error> {
    let records = repeat(&input.records, 1000);
    let (lines_100, lines_1000) = (line_batches(&records, 100), line_batches(&records, 1000));
    let baseline = Some(Profile::Baseline);
    let natives = Profile::ALL.map(|profile| Transformer::new(options(profile)));
    let mut listed = Session::new(runtime, &options(Profile::Baseline))?;
    let mut buffer = String::new();
    let native = &natives[0];
    let mut paths: Vec<Measured<'_>> = Vec::new();
    for (transformer, profile) in natives.iter().zip(Profile::ALL) {
        let records = &records;
        paths.push(Measured {
            path: Route::NativePerCall,
            profile: Some(profile),
            pass: Box::new(move || {
                for record in records {
                    std::hint::black_box(
                        transformer
                            .transform(record)
                            .map_err(|e| Error::new(e.to_string()))?,
                    );
                }
                Ok(())
            }),
        });
        paths.push(Measured {
            path: Route::ComponentPerCall,
            profile: Some(profile),
            pass: per_call(Session::new(runtime, &options(profile))?, records),
        });
    }
    paths.extend([
        Measured {
            path: Route::NativeLines1000,
            profile: baseline,
            pass: Box::new(|| {
                for text in &lines_1000 {
                    buffer.clear();
                    std::hint::black_box(native.transform_lines(text, &mut buffer));
                }
                Ok(())
            }),
        },
        Measured {
            path: Route::ComponentLines100,
            profile: baseline,
            pass: by_lines(
                Session::new(runtime, &options(Profile::Baseline))?,
                &lines_100,
            ),
        },
        Measured {
            path: Route::ComponentLines1000,
            profile: baseline,
            pass: by_lines(
                Session::new(runtime, &options(Profile::Baseline))?,
                &lines_1000,
            ),
        },
        Measured {
            path: Route::ComponentList1000,
            profile: baseline,
            pass: Box::new(|| {
                for chunk in records.chunks(1000) {
                    std::hint::black_box(listed.transform_batch(chunk)?);
                }
                Ok(())
            }),
        },
        Measured {
            path: Route::UnbudgetedPerCall,
            profile: baseline,
            pass: per_call(
                Session::new(unbudgeted, &options(Profile::Baseline))?,
                &records,
            ),
        },
        Measured {
            path: Route::UnbudgetedLines1000,
            profile: baseline,
            pass: by_lines(
                Session::new(unbudgeted, &options(Profile::Baseline))?,
                &lines_1000,
            ),
        },
        Measured {
            path: Route::Floor,
            profile: None,
            pass: Box::new(|| {
                for record in &records {
                    let value: serde_json::Value =
                        serde_json::from_str(record).map_err(|e| Error::new(e.to_string()))?;
                    std::hint::black_box(value.to_string());
                }
                Ok(())
            }),
        },
    ]);
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
            std::hint::black_box(session.transform_lines(text, TextEnd::Final)?);
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

/// How a batch of events is delivered, for [`envelopes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// One bare event per record.
    Bare,
    /// One CloudWatch Logs subscription event as a Lambda receives it (base64 of gzip).
    CloudWatchLambda,
    /// One Event Hub body of diagnostic records.
    EventHub,
}

impl Delivery {
    /// What the report calls it.
    pub fn label(self) -> &'static str {
        match self {
            Delivery::Bare => "the same events bare, one record each",
            Delivery::CloudWatchLambda => "CloudWatch Lambda event (base64+gzip)",
            Delivery::EventHub => "Event Hub body of records",
        }
    }
}

/// The records that deliver `events` (bare event texts) each way.
pub fn deliveries(events: &[String]) -> Result<Vec<(Delivery, Vec<String>)>, Error> {
    use base64::Engine as _;
    let log_events: Vec<serde_json::Value> = events
        .iter()
        .enumerate()
        .map(|(i, event)| serde_json::json!({ "id": format!("{i:056}"), "timestamp": 1_717_322_760_123u64 + i as u64, "message": event }))
        .collect();
    let message = serde_json::json!({
        "messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "/aws/eks/prod/cluster",
        "logStream": "kube-apiserver-audit-5e2c", "subscriptionFilters": ["audit"], "logEvents": log_events,
    });
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(message.to_string().as_bytes())
        .and_then(|()| encoder.try_finish())
        .map_err(|e| Error::new(e.to_string()))?;
    let data = base64::engine::general_purpose::STANDARD.encode(encoder.get_ref());
    let lambda = serde_json::json!({ "awslogs": { "data": data } }).to_string();
    let records: Vec<serde_json::Value> = events
        .iter()
        .map(|event| serde_json::json!({
            "category": "kube-audit", "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
            "resourceId": "/SUBSCRIPTIONS/0B1F6471-1BF0-4DDA-AEC3-CB9272F09590/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-1",
            "time": "2024-06-02T10:06:00.1234567Z",
            "properties": { "log": format!("{event}\n"), "stream": "stdout", "pod": "kube-apiserver-7d9f" },
        }))
        .collect();
    let hub = serde_json::json!({ "records": records }).to_string();
    Ok(vec![
        (Delivery::Bare, events.to_vec()),
        (Delivery::CloudWatchLambda, vec![lambda]),
        (Delivery::EventHub, vec![hub]),
    ])
}

/// Events per second of `events` delivered each way, natively and through the component
/// (one call per record, baseline profile), in interleaved rounds.
pub fn envelopes(runtime: &Runtime, events: &[String]) -> Result<Vec<(Delivery, f64, f64)>, Error> {
    let deliveries = deliveries(events)?;
    let native = Transformer::new(Options::default());
    let mut paths: Vec<Measured<'_>> = Vec::new();
    for (_, records) in &deliveries {
        let native = &native;
        paths.push(Measured {
            path: Route::NativePerCall,
            profile: Some(Profile::Baseline),
            pass: Box::new(move || {
                for record in records {
                    let converted = native
                        .transform(record)
                        .map_err(|e| Error::new(e.to_string()))?;
                    std::hint::black_box(converted);
                }
                Ok(())
            }),
        });
        paths.push(Measured {
            path: Route::ComponentPerCall,
            profile: Some(Profile::Baseline),
            pass: per_call(Session::new(runtime, &Options::default())?, records),
        });
    }
    // Every path converts the same events: measure against `events`.
    let figures = measure_interleaved(events, &mut paths)?;
    Ok(deliveries
        .iter()
        .zip(figures.0.chunks(2))
        .map(|((delivery, _), pair)| {
            (
                *delivery,
                pair[0].events_per_second,
                pair[1].events_per_second,
            )
        })
        .collect())
}

/// The component's linear memory after 1,000 and after 1,000,000 events (NDJSON batches of
/// 1000, as `host-test transform` sends them).
pub fn memory(runtime: &Runtime, records: &[String]) -> Result<(usize, usize), Error> {
    let batch = line_batches(&repeat(records, 1000), 1000).concat();
    let mut session = Session::new(runtime, &Options::default())?;
    session.transform_lines(&batch, TextEnd::Final)?;
    let after_thousand = session.memory_size();
    for _ in 1..1000 {
        session.transform_lines(&batch, TextEnd::Final)?;
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

/// How a call's running time is bounded, for [`interruption_overhead`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interruption {
    /// No bound: the baseline.
    None,
    /// Epoch interruption (what host-test uses): a deadline checked at loop heads and calls.
    Epoch,
    /// Fuel: an instruction budget, deterministic but counted as the code runs.
    Fuel,
}

/// Events per second, one call per record, for each way of bounding a call: what the time
/// budget costs. Each runs `rounds` passes over `records` on its own engine.
pub fn interruption_overhead(
    bytes: &[u8],
    records: &[String],
    rounds: usize,
) -> Result<Vec<(Interruption, f64)>, Error> {
    let mut results = Vec::new();
    for interruption in [Interruption::None, Interruption::Epoch, Interruption::Fuel] {
        let mut config = Config::new();
        config.cranelift_opt_level(wasmtime::OptLevel::Speed);
        config.epoch_interruption(interruption == Interruption::Epoch);
        config.consume_fuel(interruption == Interruption::Fuel);
        let engine = Engine::new(&config)?;
        let component = compile(&engine, bytes)?;
        let mut linker = Linker::new(&engine);
        crate::linker::define_imports(&mut linker, &component)?;
        let bindings = crate::bindings::Bindings::new(linker.instantiate_pre(&component)?)?;
        let mut store = Store::new(&engine, crate::session::HostState::unlimited());
        let reset = |store: &mut Store<crate::session::HostState>| -> Result<(), Error> {
            match interruption {
                Interruption::Epoch => store.set_epoch_deadline(u64::MAX / 2),
                Interruption::Fuel => store.set_fuel(u64::MAX / 2)?,
                Interruption::None => {}
            }
            Ok(())
        };
        reset(&mut store)?;
        let (instance, typed) = bindings.instantiate(&mut store)?;
        let transformer = bindings.transformer(&mut store, &instance, &Options::default())?;
        let guest = typed.k8s_audit_ecs_transform_normalizer();
        let start = Instant::now();
        for _ in 0..rounds {
            for record in records {
                reset(&mut store)?;
                let _ = guest
                    .transformer()
                    .call_transform(&mut store, transformer, record)?;
            }
        }
        let rate = (rounds * records.len()) as f64 / start.elapsed().as_secs_f64();
        results.push((interruption, rate));
    }
    Ok(results)
}

/// End to end on a file of `count` records: `host-test transform FILE` (this executable) and
/// the jq program, both reading the file and writing to /dev/null. Events per second, each;
/// jq's is `None` when jq is not installed.
pub fn end_to_end(
    workspace: &Path,
    records: &[String],
    count: usize,
) -> Result<(f64, Option<f64>), Error> {
    let file = std::env::temp_dir().join(format!("k8s-audit-ecs-bench-{}.log", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        for record in records.iter().cycle().take(count) {
            writeln!(out, "{record}")?;
        }
        out.flush()
    })();
    written.map_err(|e| Error::new(format!("{}: {e}", file.display())))?;
    let exe = std::env::current_exe().map_err(|e| Error::new(e.to_string()))?;
    let ours = time_command(Command::new(exe).arg("transform").arg(&file));
    let jq_installed = Command::new("jq")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    let jq = jq_installed.then(|| {
        time_command(
            Command::new("jq")
                .arg("-c")
                .arg("-f")
                .arg(workspace.join("bench/baseline.jq"))
                .arg(&file),
        )
    });
    let _ = std::fs::remove_file(&file);
    let ours = ours?;
    let jq = jq.transpose()?;
    Ok((
        count as f64 / ours,
        jq.map(|seconds| count as f64 / seconds),
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

/// Runs the whole benchmark with `runtime` (the component, time budget enforced) and prints
/// the report to `out`.
pub fn run(runtime: &Runtime, workspace: &Path, out: &mut dyn Write) -> Result<(), Error> {
    let mut say = |text: String| {
        writeln!(out, "{text}").map_err(|e| Error::new(format!("cannot write the report: {e}")))
    };
    if cfg!(debug_assertions) {
        say("note: a debug build of host-test; run `cargo run --release -p host-test -- bench` for real figures".into())?;
    }
    say(format!(
        "machine: {}, {} cores",
        cpu_model(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    ))?;
    let inputs = inputs(workspace)?;
    let unbudgeted = Runtime::load_built_with(TimeBudget::Off)?;
    for input in &inputs {
        let average =
            input.records.iter().map(String::len).sum::<usize>() / input.records.len().max(1);
        say(format!(
            "\n{} ({} records, {} bytes on average)",
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
            say(format!(
                "  {label:<52} {:>10.0} events/s {:>7.1} MB/s",
                row.events_per_second, row.megabytes_per_second
            ))?;
        }
        let baseline = Some(Profile::Baseline);
        let rate = |path| figures.rate(path, baseline);
        let floor = figures.rate(Route::Floor, None);
        let native = rate(Route::NativePerCall);
        say(format!(
            "  ratios [baseline]: b/a {:.2}, c100/a {:.2}, c1000/a {:.2}, a/d {:.2}; without the time budget b/a {:.2}, c1000/a {:.2}",
            rate(Route::ComponentPerCall) / native,
            rate(Route::ComponentLines100) / native,
            rate(Route::ComponentLines1000) / native,
            native / floor,
            rate(Route::UnbudgetedPerCall) / native,
            rate(Route::UnbudgetedLines1000) / native,
        ))?;
        for profile in Profile::ALL {
            let native = figures.rate(Route::NativePerCall, Some(profile));
            say(format!(
                "  ratios [{profile}]: native / floor {:.2}, component / native {:.2}",
                native / floor,
                figures.rate(Route::ComponentPerCall, Some(profile)) / native,
            ))?;
        }
        // The ocsf target: no slower than ecs on the same input.
        let ocsf_over_ecs = |route| {
            figures.rate(route, Some(Profile::Ocsf)) / figures.rate(route, Some(Profile::Ecs))
        };
        say(format!(
            "  ocsf / ecs: native {:.2}, component {:.2}",
            ocsf_over_ecs(Route::NativePerCall),
            ocsf_over_ecs(Route::ComponentPerCall),
        ))?;
        let (uncached, cached) = user_agent_cost(&input.records);
        let per_event = 1e9 / native;
        say(format!(
            "  user agents: uncached {uncached:.0} ns/event ({:.1}% of the native transform), cached {cached:.0} ns/event ({:.1}%)",
            100.0 * uncached / per_event,
            100.0 * cached / per_event
        ))?;
    }
    let bare = &inputs[1].records;
    let events = repeat(bare, 100)[..100].to_vec();
    say(
        "\nenvelopes: 100 documented-sample events per record, baseline, one call per record"
            .into(),
    )?;
    let rates = envelopes(runtime, &events)?;
    let (bare_native, bare_component) = (rates[0].1, rates[0].2);
    for (delivery, native, component) in &rates {
        say(format!(
            "  {:<40} native {native:>9.0} events/s ({:.2}x bare), component {component:>9.0} events/s ({:.2}x bare)",
            delivery.label(),
            native / bare_native,
            component / bare_component
        ))?;
    }
    let samples = &inputs[0].records;
    let (after_thousand, after_million) = memory(runtime, samples)?;
    say(format!(
        "\nlinear memory: {} KiB after 1,000 events, {} KiB after 1,000,000",
        after_thousand / 1024,
        after_million / 1024
    ))?;
    let records = repeat(samples, 3000);
    let bytes = artifact::read_built_component()?;
    let overhead = interruption_overhead(&bytes, &records, 5)?;
    let rate = |wanted: Interruption| {
        overhead
            .iter()
            .find(|(interruption, _)| *interruption == wanted)
            .map_or(0.0, |(_, rate)| *rate)
    };
    let none = rate(Interruption::None);
    say(format!(
        "time budget per call (documented samples, one call each): none {none:.0} events/s, epoch {:.0} ({:+.1}%), fuel {:.0} ({:+.1}%)",
        rate(Interruption::Epoch),
        100.0 * (rate(Interruption::Epoch) / none - 1.0),
        rate(Interruption::Fuel),
        100.0 * (rate(Interruption::Fuel) / none - 1.0)
    ))?;
    let (compile_ms, load_ms, instantiate_ms) = startup(runtime)?;
    say(format!(
        "start-up: compile {compile_ms:.0} ms, load cached machine code {load_ms:.1} ms, one instantiation {instantiate_ms:.3} ms"
    ))?;
    let count = 100_000;
    let (ours, jq) = end_to_end(workspace, samples, count)?;
    say(match jq {
        Some(jq) => format!(
            "end to end, {count} documented-sample records: host-test transform {ours:.0} events/s, jq {jq:.0} events/s ({:.1}x)",
            ours / jq
        ),
        None => format!(
            "end to end, {count} documented-sample records: host-test transform {ours:.0} events/s; jq not installed (bash scripts/install-bench-deps.sh)"
        ),
    })
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

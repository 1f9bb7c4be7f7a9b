//! The `host-test` command: checks fixtures against the component and converts NDJSON.
//! Argument parsing, printing and exit codes only; the work is in the library.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use host_test::{Error, Limits, Runtime, Session, TimeBudget, check, ndjson};
use k8s_audit_ecs::{Options, Profile};

const USAGE: &str = "\
usage:
  host-test check [--profile P] [--component FILE] PATH...
      Runs every *.json fixture ({\"input\": ..., \"expected\": ...}) in the given files and
      folders through the component; prints a field-level diff for each failure and ends
      with `N passed, M failed`. Exit status 1 when any failed.
  host-test transform [--profile P] [--field NAME] [--output FILE] [FILE|-]
      Reads NDJSON records (one JSON object per line, as an API server writes them; gzip
      files too; webhook EventList batches give one document per event) from FILE or
      standard input and writes one ECS document per line to standard output (or --output),
      in input order. A record that fails is written back with error.type and error.message
      added. Progress on a terminal for large files; a summary goes to stderr.
  host-test info [--component FILE]
      Prints the component's path, size and imports.
  host-test bench
      Measures throughput (native, component per call and batched, with and without the
      time budget, a serde_json floor, jq end to end), user-agent parsing cost, memory and
      start-up. Build with --release.

options:
  --profile P       baseline (default) or extended
  --field NAME      the string field holding the event when there is no `message` (default: log)
  --component FILE  a component file to load instead of the one built from this workspace
  --memory-limit MIB  the largest linear memory one instance may use (default 512)
  --time-limit MS     the longest one call may run (default 10000); 0 turns the time
                      budget off, for trusted input (about a quarter faster)
      A record that traps or exceeds a limit is passed through with error.type
      component_trap; the component is instantiated afresh and the stream goes on.
";

/// What went wrong, with the exit status it gives.
enum Failure {
    /// A bad command line: exit 2, with the usage.
    Usage(String),
    /// Input, output or component trouble: exit 2.
    Error(Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Error(error)
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Error(error)) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

/// The parsed command line.
struct Args {
    command: String,
    profile: Profile,
    field: Option<String>,
    component: Option<PathBuf>,
    limits: Limits,
    /// Whether calls run under the time budget (`--time-limit 0` turns it off).
    budget: TimeBudget,
    output: Option<PathBuf>,
    paths: Vec<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Args, Failure> {
    let mut iter = args.iter();
    let command = match iter.next().map(String::as_str) {
        Some("-h" | "--help" | "help") => return Ok(Args::help()),
        None => return Err(Failure::Usage("no command given".into())),
        Some(command @ ("check" | "transform" | "info" | "bench")) => command.to_owned(),
        Some(other) => return Err(Failure::Usage(format!("unknown command `{other}`"))),
    };
    let mut parsed = Args::new(command);
    while let Some(arg) = iter.next() {
        let mut value = |name: &str| {
            iter.next()
                .cloned()
                .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--profile" => {
                parsed.profile = value("--profile")?.parse().map_err(Failure::Usage)?;
            }
            "--field" => parsed.field = Some(value("--field")?),
            "--output" => parsed.output = Some(PathBuf::from(value("--output")?)),
            "--component" => parsed.component = Some(PathBuf::from(value("--component")?)),
            "--memory-limit" => {
                let mib: usize = number(&value("--memory-limit")?, "--memory-limit")?;
                parsed.limits.memory_bytes = mib.saturating_mul(1 << 20);
            }
            "--time-limit" => {
                let millis: u64 = number(&value("--time-limit")?, "--time-limit")?;
                if millis == 0 {
                    parsed.budget = TimeBudget::Off;
                } else {
                    parsed.limits.time_per_call = std::time::Duration::from_millis(millis);
                }
            }
            "-h" | "--help" => return Ok(Args::help()),
            flag if flag.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option `{flag}`")));
            }
            path => parsed.paths.push(PathBuf::from(path)),
        }
    }
    Ok(parsed)
}

fn number<T: std::str::FromStr>(text: &str, option: &str) -> Result<T, Failure> {
    match text.parse() {
        Ok(value) => Ok(value),
        Err(_) => Err(Failure::Usage(format!(
            "{option} takes a whole number, not `{text}`"
        ))),
    }
}

impl Args {
    fn new(command: String) -> Args {
        Args {
            command,
            profile: Profile::default(),
            field: None,
            component: None,
            limits: Limits::default(),
            budget: TimeBudget::Enforced,
            output: None,
            paths: Vec::new(),
        }
    }

    fn help() -> Args {
        Args::new("help".into())
    }
}

fn run(args: &[String]) -> Result<ExitCode, Failure> {
    let args = parse_args(args)?;
    if args.command == "help" {
        print!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = match &args.component {
        Some(path) => Runtime::load_file_with(path, args.budget)?,
        None => Runtime::load_built_with(args.budget)?,
    };
    let mut options = Options {
        profile: args.profile,
        ..Options::default()
    };
    if let Some(field) = &args.field {
        options.event_field.clone_from(field);
    }
    match args.command.as_str() {
        "check" => run_check(&runtime, &options, args.limits, &args.paths),
        "transform" => run_transform(&runtime, &options, args.limits, &args),
        "bench" => run_bench(&runtime),
        _ => run_info(&runtime, args.component.as_deref()),
    }
}

fn run_check(
    runtime: &Runtime,
    options: &Options,
    limits: Limits,
    paths: &[PathBuf],
) -> Result<ExitCode, Failure> {
    if paths.is_empty() {
        return Err(Failure::Usage(
            "check needs at least one fixture file or folder".into(),
        ));
    }
    let fixtures =
        k8s_audit_ecs::fixture::load_all(paths).map_err(|e| Error::new(e.to_string()))?;
    let mut session = Session::with_limits(runtime, options, limits)?;
    let report = check::check(&mut session, &fixtures)?;
    for (path, differences) in &report.failed {
        println!("FAIL {}", path.display());
        for difference in differences {
            println!("  {difference}");
        }
    }
    println!("{}", report.summary());
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run_transform(
    runtime: &Runtime,
    options: &Options,
    limits: Limits,
    args: &Args,
) -> Result<ExitCode, Failure> {
    let paths = &args.paths;
    if paths.len() > 1 {
        return Err(Failure::Usage(
            "transform reads one file (or - for standard input)".into(),
        ));
    }
    let mut session = Session::with_limits(runtime, options, limits)?;
    let output: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| Error::new(format!("{}: {e}", path.display())))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let output = io::BufWriter::with_capacity(1 << 16, output);
    let started = Instant::now();
    let file = paths.first().filter(|path| path.as_os_str() != "-");
    // Progress on a terminal, for inputs large enough to wait for.
    let large = file
        .and_then(|path| std::fs::metadata(path).ok())
        .is_some_and(|m| m.len() > 16 << 20);
    let show_progress = large && io::stderr().is_terminal();
    let mut last_report = Instant::now();
    let mut progress = |summary: &ndjson::Summary| {
        if show_progress && last_report.elapsed() >= Duration::from_secs(1) {
            last_report = Instant::now();
            let rate = summary.records as f64 / started.elapsed().as_secs_f64();
            eprint!(
                "\r{} records, {rate:.0} records/s, {} errors   ",
                summary.records, summary.errors
            );
        }
    };
    let summary = match file {
        Some(path) => {
            let input = ndjson::open_input(path)?;
            ndjson::transform_stream_with_progress(
                &mut session,
                input,
                output,
                &path.display().to_string(),
                &mut progress,
            )?
        }
        None => {
            if io::stdin().is_terminal() {
                eprintln!("reading NDJSON records from standard input (end with Ctrl-D)");
            }
            ndjson::transform_stream_with_progress(
                &mut session,
                io::stdin().lock(),
                output,
                "<stdin>",
                &mut progress,
            )?
        }
    };
    if show_progress {
        eprintln!();
    }
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!(
        "{summary}, elapsed: {elapsed:.2} s, {:.0} records/s",
        summary.records as f64 / elapsed.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}

fn run_info(runtime: &Runtime, component: Option<&Path>) -> Result<ExitCode, Failure> {
    let path = component.map_or_else(
        || host_test::artifact::COMPONENT_PATH.into(),
        |p| p.display().to_string(),
    );
    let mut out = io::stdout().lock();
    let imports = runtime.imports();
    let text = format!(
        "component: {path}\nsize: {} bytes\nimports ({}):\n{}",
        runtime.component_size(),
        imports.len(),
        imports
            .iter()
            .map(|name| format!("  {name}\n"))
            .collect::<String>()
    );
    out.write_all(text.as_bytes())
        .map_err(|e| Error::new(format!("cannot write the output: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

fn run_bench(runtime: &Runtime) -> Result<ExitCode, Failure> {
    use host_test::bench;
    let workspace = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    if cfg!(debug_assertions) {
        println!(
            "note: a debug build of host-test; run `cargo run --release -p host-test -- bench` for real figures"
        );
    }
    println!(
        "machine: {}, {} cores",
        cpu_model(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let inputs = bench::inputs(workspace)?;
    let unbudgeted = host_test::Runtime::load_built_with(TimeBudget::Off)?;
    for input in &inputs {
        let average =
            input.records.iter().map(String::len).sum::<usize>() / input.records.len().max(1);
        println!(
            "\n{} ({} records, {} bytes on average)",
            input.name,
            input.records.len(),
            average
        );
        let results = bench::throughput(runtime, &unbudgeted, input)?;
        for result in &results {
            println!(
                "  {:<40} {:>10.0} events/s {:>7.1} MB/s",
                result.name, result.events_per_second, result.megabytes_per_second
            );
        }
        let rate = |i: usize| results[i].events_per_second;
        // a = one native call per record, like b and like the floor's one round trip each.
        println!(
            "  ratios: b/a {:.2}, c100/a {:.2}, c1000/a {:.2}, a/d {:.2}; without the time budget b/a {:.2}, c1000/a {:.2}",
            rate(2) / rate(0),
            rate(3) / rate(0),
            rate(4) / rate(0),
            rate(0) / rate(8),
            rate(6) / rate(0),
            rate(7) / rate(0),
        );
        let (uncached, cached) = bench::user_agent_cost(&input.records);
        let per_event = 1e9 / rate(0);
        println!(
            "  user agents: uncached {uncached:.0} ns/event ({:.1}% of the native transform), cached {cached:.0} ns/event ({:.1}%)",
            100.0 * uncached / per_event,
            100.0 * cached / per_event
        );
    }
    let samples = &inputs[0].records;
    let (after_thousand, after_million) = bench::memory(runtime, samples)?;
    println!(
        "\nlinear memory: {} KiB after 1,000 events, {} KiB after 1,000,000",
        after_thousand / 1024,
        after_million / 1024
    );
    let records = repeat_records(samples, 3000);
    let bytes = host_test::artifact::read_built_component()?;
    let overhead = host_test::interruption_overhead(&bytes, &records, 5)?;
    let rate = |i: usize| overhead[i].1;
    println!(
        "time budget per call (documented samples, one call each): none {:.0} events/s, epoch {:.0} ({:+.1}%), fuel {:.0} ({:+.1}%)",
        rate(0),
        rate(1),
        100.0 * (rate(1) / rate(0) - 1.0),
        rate(2),
        100.0 * (rate(2) / rate(0) - 1.0)
    );
    let (compile_ms, load_ms, instantiate_ms) = bench::startup(runtime)?;
    println!(
        "start-up: compile {compile_ms:.0} ms, load cached machine code {load_ms:.1} ms, one instantiation {instantiate_ms:.3} ms"
    );
    let count = 100_000;
    let (ours, jq, file) = bench::end_to_end(workspace, samples, count)?;
    match jq {
        Some(jq) => println!(
            "end to end, {count} documented-sample records: host-test transform {ours:.0} events/s, jq {jq:.0} events/s ({:.1}x)",
            ours / jq
        ),
        None => println!(
            "end to end, {count} documented-sample records: host-test transform {ours:.0} events/s; jq not installed (bash scripts/install-bench-deps.sh)"
        ),
    }
    let _ = std::fs::remove_file(file);
    Ok(ExitCode::SUCCESS)
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

fn repeat_records(records: &[String], count: usize) -> Vec<String> {
    records.iter().cycle().take(count).cloned().collect()
}

//! The `host-test` command: checks fixtures against the component, converts records through
//! it, describes it and measures it. Argument parsing, printing and exit codes only; the work
//! is in the library.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};

use host_test::{Error, Limits, Runtime, Session, TimeBudget, check, stream};
use k8s_audit_ecs::{Options, Profile};

/// A wasmtime host for the k8s-audit-ecs component: Kubernetes audit events to ECS documents.
#[derive(Parser)]
#[command(name = "host-test", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs every *.json fixture ({"input": ..., "expected": ...}) in the given files and
    /// folders through the component; prints a field-level diff for each failure and ends with
    /// `N passed, M failed`. Exit status 1 when any failed.
    Check {
        /// The profile to run every fixture with; without it, each fixture runs with the
        /// profile its folder is named after (`fixtures/ecs/cloud/x.json`: ecs), else
        /// baseline.
        #[arg(long, value_name = "PROFILE", value_parser = profile_parser())]
        profile: Option<Profile>,
        /// The string field holding the event when a record has no `message` string.
        #[arg(long, value_name = "NAME", default_value = "log")]
        field: String,
        /// Fixture files and folders (searched recursively for *.json).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        component: ComponentArgs,
    },
    /// Reads records (one JSON object per line, as an API server writes them; several objects
    /// run together on a line, as Firehose writes them; a value spread over lines; gzip too)
    /// from FILE or standard input and writes their ECS documents, one per line, to standard
    /// output (or --output) in input order. A record that fails is written back with
    /// error.type and error.message added; nothing is dropped. A summary goes to stderr.
    Transform {
        #[command(flatten)]
        profile: ProfileArgs,
        /// The cluster the events come from (orchestrator.cluster.name, where the profile
        /// writes it and the record's envelope names none).
        #[arg(long, value_name = "NAME")]
        cluster_name: Option<String>,
        /// Write the documents to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The input file; `-` or none reads standard input.
        #[arg(value_name = "FILE")]
        input: Option<PathBuf>,
        #[command(flatten)]
        component: ComponentArgs,
    },
    /// Prints the component's path, size, imports and profiles.
    Info {
        /// A component file to describe instead of the one built from this workspace.
        #[arg(long, value_name = "FILE")]
        component: Option<PathBuf>,
    },
    /// Measures throughput (native, component per call and batched, with and without the time
    /// budget, a serde_json floor, jq end to end), user-agent parsing cost, memory and
    /// start-up. Build with --release.
    Bench {
        /// One JSON object per figure (each with its section), instead of the text report.
        #[arg(long)]
        json: bool,
    },
}

/// Which fields to produce, and where a record's event is.
#[derive(Args)]
struct ProfileArgs {
    /// Which fields the documents get.
    #[arg(long, value_name = "PROFILE", default_value = "baseline", value_parser = profile_parser())]
    profile: Profile,
    /// The string field holding the event when a record has no `message` string.
    #[arg(long, value_name = "NAME", default_value = "log")]
    field: String,
}

/// The component to load and the limits each instance runs under.
#[derive(Args)]
struct ComponentArgs {
    /// A component file to load instead of the one built from this workspace.
    #[arg(long, value_name = "FILE")]
    component: Option<PathBuf>,
    /// The largest linear memory one instance may use, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 512)]
    memory_limit: usize,
    /// The longest one call may run, in milliseconds; 0 turns the time budget off, for trusted
    /// input (faster). A record that traps or exceeds a limit is passed through with
    /// error.type component_trap; the component is instantiated afresh and the stream goes on.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    time_limit: u64,
}

/// `--profile`: the registry's names, each with its description in `--help`.
fn profile_parser() -> impl TypedValueParser<Value = Profile> {
    let names = Profile::ALL
        .iter()
        .map(|profile| PossibleValue::new(profile.name()).help(profile.description()));
    PossibleValuesParser::new(names).map(|name| name.parse().unwrap_or_default())
}

impl ComponentArgs {
    fn limits(&self) -> Limits {
        Limits {
            memory_bytes: self.memory_limit.saturating_mul(1 << 20),
            time_per_call: Duration::from_millis(self.time_limit.max(1)),
        }
    }

    fn load(&self) -> Result<Runtime, Error> {
        load(self.component.as_deref(), self.budget())
    }

    fn budget(&self) -> TimeBudget {
        if self.time_limit == 0 {
            TimeBudget::Off
        } else {
            TimeBudget::Enforced
        }
    }
}

fn load(component: Option<&Path>, budget: TimeBudget) -> Result<Runtime, Error> {
    match component {
        Some(path) => Runtime::load_file_with(path, budget),
        None => Runtime::load_built_with(budget),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Check {
            profile,
            field,
            paths,
            component,
        } => run_check(profile, &field, &paths, &component),
        Command::Transform {
            profile,
            cluster_name,
            output,
            input,
            component,
        } => {
            let options = Options {
                profile: profile.profile,
                event_field: profile.field,
                cluster_name,
            };
            run_transform(&options, output.as_deref(), input.as_deref(), &component)
        }
        Command::Info { component } => run_info(component.as_deref()),
        Command::Bench { json } => {
            let runtime = Runtime::load_built()?;
            let workspace = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
            host_test::bench::run(&runtime, workspace, &mut io::stdout().lock(), json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_check(
    profile: Option<Profile>,
    field: &str,
    paths: &[PathBuf],
    component: &ComponentArgs,
) -> Result<ExitCode, Error> {
    let fixtures =
        k8s_audit_ecs::fixture::load_all(paths).map_err(|e| Error::new(e.to_string()))?;
    let runtime = component.load()?;
    let report = check::check(
        &runtime,
        profile,
        Some(field),
        component.limits(),
        &fixtures,
    )?;
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
    options: &Options,
    output: Option<&Path>,
    input: Option<&Path>,
    component: &ComponentArgs,
) -> Result<ExitCode, Error> {
    let file = input.filter(|path| path.as_os_str() != "-");
    // Open the input first: a missing file is reported before the component loads.
    let (reader, name) = match file {
        Some(path) => (stream::open_file(path)?, path.display().to_string()),
        None => {
            if io::stdin().is_terminal() {
                eprintln!("reading records from standard input (end with Ctrl-D)");
            }
            (
                stream::open_input(io::stdin().lock())?,
                "<stdin>".to_owned(),
            )
        }
    };
    let runtime = component.load()?;
    let mut session = Session::with_limits(&runtime, options, component.limits())?;
    let writer: Box<dyn Write> = match output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| Error::new(format!("{}: {e}", path.display())))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let writer = io::BufWriter::with_capacity(1 << 16, writer);
    let started = Instant::now();
    // Progress on a terminal, for inputs large enough to wait for.
    let large = file
        .and_then(|path| std::fs::metadata(path).ok())
        .is_some_and(|m| m.len() > 16 << 20);
    let show_progress = large && io::stderr().is_terminal();
    let mut last_report = Instant::now();
    let mut progress = |summary: &stream::Summary| {
        if show_progress && last_report.elapsed() >= Duration::from_secs(1) {
            last_report = Instant::now();
            let rate = summary.records as f64 / started.elapsed().as_secs_f64();
            eprint!(
                "\r{} records, {rate:.0} records/s, {} errors   ",
                summary.records, summary.errors
            );
        }
    };
    let summary =
        stream::transform_stream_with_progress(&mut session, reader, writer, &name, &mut progress)?;
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

fn run_info(component: Option<&Path>) -> Result<ExitCode, Error> {
    let runtime = load(component, TimeBudget::Enforced)?;
    let path = component.map_or_else(
        || host_test::artifact::COMPONENT_PATH.into(),
        |p| p.display().to_string(),
    );
    let imports = runtime.imports();
    let mut text = format!(
        "component: {path}\nsize: {} bytes\nimports ({}):\n",
        runtime.component_size(),
        imports.len()
    );
    for name in &imports {
        text.push_str(&format!("  {name}\n"));
    }
    text.push_str("profiles:\n");
    for profile in runtime.profiles()? {
        text.push_str(&format!("  {}: {}\n", profile.0, profile.1));
    }
    io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| Error::new(format!("cannot write the output: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

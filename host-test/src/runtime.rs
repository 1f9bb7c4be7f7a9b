//! Loading the component with wasmtime and calling it.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Config, Engine, ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder};

use crate::Error;
use crate::artifact;

mod generated {
    wasmtime::component::bindgen!({
        world: "normalizer-component",
        path: "../wit",
    });
}

use generated::exports::k8s_audit_ecs::transform::normalizer as wit;
use generated::{NormalizerComponent, NormalizerComponentPre};

/// How often the engine's epoch advances: the granularity of the per-call time budget.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// What one instance may use. A call that exceeds either traps; the session then replaces the
/// instance and passes the record through with `error.type` `component_trap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest linear memory an instance may grow to, in bytes (default 512 MiB: a 20 MB
    /// event needs about five times its size).
    pub memory_bytes: usize,
    /// The longest one call may run (default 10 s; a 20 MB event takes about 0.1 s).
    pub time_per_call: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 512 << 20,
            time_per_call: Duration::from_secs(10),
        }
    }
}

impl Limits {
    /// The time budget in epoch ticks (at least one).
    fn deadline_ticks(&self) -> u64 {
        (self.time_per_call.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64
    }
}

/// Whether calls run under a time budget ([`Limits::time_per_call`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeBudget {
    /// Epoch interruption (the default): the generated code checks a deadline at loop heads
    /// and calls, and a call that runs past its budget traps.
    #[default]
    Enforced,
    /// No time budget, for trusted input: the generated code has no deadline checks and runs
    /// about a quarter faster (`host-test bench` measures it), but a call that never ends
    /// hangs its caller. The memory limit still holds.
    Off,
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until dropped.
struct EpochTicker {
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    fn start(engine: &Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (engine, flag) = (engine.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        });
        EpochTicker { stop }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The engine and the compiled component, ready to instantiate: built once, shared by every
/// [`Session`]. Imports are type-checked once here, so each instantiation is cheap.
pub struct Runtime {
    engine: Engine,
    _ticker: Option<EpochTicker>,
    pre: NormalizerComponentPre<HostState>,
    component_bytes: usize,
}

/// What each instance's store holds: its limits, and the largest linear memory it reached.
struct HostState {
    limits: StoreLimits,
    peak_memory: usize,
}

impl ResourceLimiter for HostState {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        if allowed {
            self.peak_memory = self.peak_memory.max(desired);
        }
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }
}

impl Runtime {
    /// Loads the component that `build.rs` built from this workspace's sources, with the
    /// time budget enforced. The machine code is cached next to it
    /// (`<component>.<hash>.cwasm`), so only the first run compiles.
    pub fn load_built() -> Result<Runtime, Error> {
        Runtime::load_built_with(TimeBudget::Enforced)
    }

    /// [`Runtime::load_built`] with the time budget enforced or off.
    pub fn load_built_with(budget: TimeBudget) -> Result<Runtime, Error> {
        let bytes = artifact::read_built_component()?;
        let engine = new_engine(budget)?;
        let cached = artifact::precompiled_path(budget);
        let component = match load_precompiled(&engine, &cached) {
            Some(component) => component,
            None => {
                let component =
                    compile(&engine, &bytes).map_err(|e| e.context(artifact::COMPONENT_PATH))?;
                // A cache that cannot be written only costs the next run a compile.
                if let Ok(serialized) = component.serialize() {
                    let partial = cached.with_extension("cwasm.partial");
                    if std::fs::write(&partial, serialized).is_ok() {
                        let _ = std::fs::rename(&partial, &cached);
                    }
                }
                component
            }
        };
        Runtime::from_component(engine, &component, bytes.len(), budget)
    }

    /// Loads a component file (`.wasm`), with the time budget enforced.
    pub fn load_file(path: &Path) -> Result<Runtime, Error> {
        Runtime::load_file_with(path, TimeBudget::Enforced)
    }

    /// [`Runtime::load_file`] with the time budget enforced or off.
    pub fn load_file_with(path: &Path, budget: TimeBudget) -> Result<Runtime, Error> {
        let bytes =
            std::fs::read(path).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
        Runtime::from_bytes_with(&bytes, budget).map_err(|e| e.context(path.display()))
    }

    /// Compiles a component from its bytes, with the time budget enforced.
    pub fn from_bytes(bytes: &[u8]) -> Result<Runtime, Error> {
        Runtime::from_bytes_with(bytes, TimeBudget::Enforced)
    }

    /// [`Runtime::from_bytes`] with the time budget enforced or off.
    pub fn from_bytes_with(bytes: &[u8], budget: TimeBudget) -> Result<Runtime, Error> {
        let engine = new_engine(budget)?;
        let component = compile(&engine, bytes)?;
        Runtime::from_component(engine, &component, bytes.len(), budget)
    }

    fn from_component(
        engine: Engine,
        component: &Component,
        component_bytes: usize,
        budget: TimeBudget,
    ) -> Result<Runtime, Error> {
        let mut linker = Linker::new(&engine);
        define_insecure_seed(&mut linker, component)?;
        // The transform calls no other WASI function; the imports Rust's standard library
        // leaves in the component are satisfied by functions that trap if ever called.
        linker.define_unknown_imports_as_traps(component)?;
        let pre = NormalizerComponentPre::new(linker.instantiate_pre(component)?)?;
        Ok(Runtime {
            _ticker: (budget == TimeBudget::Enforced).then(|| EpochTicker::start(&engine)),
            engine,
            pre,
            component_bytes,
        })
    }

    /// The size of the component file, in bytes.
    pub fn component_size(&self) -> usize {
        self.component_bytes
    }

    /// The component's imports, as `name` lines (`wasi:io/streams@0.2.6`, ...).
    pub fn imports(&self) -> Vec<String> {
        let component = self.pre.instance_pre().component();
        let mut names: Vec<String> = component
            .component_type()
            .imports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .collect();
        names.sort();
        names
    }
}

/// The engine: Cranelift optimising for speed, with or without the time budget.
pub(crate) fn new_engine(budget: TimeBudget) -> Result<Engine, Error> {
    let mut config = Config::new();
    config.cranelift_opt_level(wasmtime::OptLevel::Speed);
    // A time budget per call: generated code checks the epoch at loop heads and calls.
    config.epoch_interruption(budget == TimeBudget::Enforced);
    // `HOST_TEST_PERFMAP=1` names the component's functions for `perf` (/tmp/perf-<pid>.map).
    if std::env::var_os("HOST_TEST_PERFMAP").is_some() {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    Ok(Engine::new(&config)?)
}

/// Compiles a component to machine code.
pub(crate) fn compile(engine: &Engine, bytes: &[u8]) -> Result<Component, Error> {
    Component::new(engine, bytes).map_err(|e| Error::from(e).context("not a loadable component"))
}

/// Loads machine code that [`Runtime::load_built`] cached, if it is there and fits this engine.
#[allow(unsafe_code)]
pub(crate) fn load_precompiled(engine: &Engine, path: &Path) -> Option<Component> {
    if !path.is_file() {
        return None;
    }
    // SAFETY: wasmtime requires the file to come from `Component::serialize` of a trusted
    // component. This one does: host-test wrote it itself, into the build's target directory,
    // named after the hash of the component it was compiled from (checked before this call);
    // wasmtime itself rejects a file from another wasmtime version or configuration.
    unsafe { Component::deserialize_file(engine, path) }.ok()
}

/// The one WASI function the component calls: `wasi:random/insecure-seed`, which Rust's
/// standard library asks once for the keys of the hash maps that woothee's regex engine
/// builds. Those maps hold the library's fixed patterns, never input, so a constant seed
/// costs nothing in safety and keeps runs reproducible.
fn define_insecure_seed(
    linker: &mut Linker<HostState>,
    component: &Component,
) -> Result<(), Error> {
    const SEED: (u64, u64) = (0x6b38_732d_6175_6469, 0x742d_6563_732d_7365);
    let engine = linker.engine().clone();
    let component_type = component.component_type();
    let imports: Vec<String> = component_type
        .imports(&engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    for name in imports
        .iter()
        .filter(|name| name.starts_with("wasi:random/insecure-seed@"))
    {
        linker
            .instance(name)?
            .func_wrap("insecure-seed", |_, (): ()| Ok((SEED,)))?;
    }
    Ok(())
}

/// What one record gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The documents, one JSON line each.
    Documents(Vec<String>),
    /// The record could not be converted: the error's keyword and message.
    Failed {
        /// `error.type`: `invalid_json`, `not_an_object`, `not_an_audit_event`, or
        /// `component_trap` when the component trapped on this record.
        kind: String,
        /// `error.message`.
        message: String,
    },
}

impl Outcome {
    /// The lines to write for `record`: its documents, or its pass-through document.
    pub fn into_lines(self, record: &str) -> Vec<String> {
        match self {
            Outcome::Documents(documents) => documents,
            Outcome::Failed { kind, message } => {
                vec![k8s_audit_ecs::error_document_with(record, &kind, &message)]
            }
        }
    }

    fn from_wit(result: Result<Vec<String>, wit::TransformError>) -> Outcome {
        match result {
            Ok(documents) => Outcome::Documents(documents),
            Err(error) => {
                let (kind, message) = error_parts(error);
                Outcome::Failed { kind, message }
            }
        }
    }
}

/// An error's keyword (`error.type`) and message.
fn error_parts(error: wit::TransformError) -> (String, String) {
    let (kind, message) = match error {
        wit::TransformError::InvalidJson(e) => ("invalid_json", e.message),
        wit::TransformError::NotAnObject(message) => ("not_an_object", message),
        wit::TransformError::NotAnAuditEvent(message) => ("not_an_audit_event", message),
    };
    (kind.to_owned(), message)
}

/// One instance of the component with one `transformer` built from the options. After a trap
/// the instance is unusable, so the session replaces it with a fresh one.
pub struct Session<'r> {
    runtime: &'r Runtime,
    options: wit::Options,
    limits: Limits,
    instance: Instance,
}

struct Instance {
    store: Store<HostState>,
    bindings: NormalizerComponent,
    transformer: ResourceAny,
}

impl<'r> Session<'r> {
    /// Instantiates the component and builds a transformer with `options`, with the default
    /// [`Limits`].
    pub fn new(runtime: &'r Runtime, options: &k8s_audit_ecs::Options) -> Result<Self, Error> {
        Session::with_limits(runtime, options, Limits::default())
    }

    /// Like [`Session::new`], with these limits for each instance.
    pub fn with_limits(
        runtime: &'r Runtime,
        options: &k8s_audit_ecs::Options,
        limits: Limits,
    ) -> Result<Self, Error> {
        let options = wit::Options {
            profile: match options.profile {
                k8s_audit_ecs::Profile::Baseline => wit::Profile::Baseline,
                k8s_audit_ecs::Profile::Extended => wit::Profile::Extended,
            },
            event_field: Some(options.event_field.clone()),
        };
        let instance = Instance::new(runtime, &options, limits)?;
        Ok(Session {
            runtime,
            options,
            limits,
            instance,
        })
    }

    /// Converts one record; a trap is reported as an [`Outcome::Failed`] of kind
    /// `component_trap` (the instance is replaced for the next record).
    pub fn transform(&mut self, record: &str) -> Result<Outcome, Error> {
        let called = self.call(1, |guest, store, transformer| {
            guest.call_transform(store, transformer, record)
        })?;
        Ok(match called {
            Ok(result) => Outcome::from_wit(result),
            Err(trap) => Outcome::Failed {
                kind: "component_trap".into(),
                message: format!("the component trapped on this record: {trap:#}"),
            },
        })
    }

    /// Makes one call into the component with the time of `records` calls. When it traps,
    /// the instance is replaced by a fresh one and the trap is returned.
    fn call<T>(
        &mut self,
        records: usize,
        call: impl FnOnce(
            wit::GuestTransformer<'_>,
            &mut Store<HostState>,
            ResourceAny,
        ) -> wasmtime::Result<T>,
    ) -> Result<Result<T, wasmtime::Error>, Error> {
        let instance = &mut self.instance;
        let ticks = self
            .limits
            .deadline_ticks()
            .saturating_mul(records.max(1) as u64);
        instance.store.set_epoch_deadline(ticks);
        let guest = instance.bindings.k8s_audit_ecs_transform_normalizer();
        let called = call(
            guest.transformer(),
            &mut instance.store,
            instance.transformer,
        );
        if called.is_err() {
            self.instance = Instance::new(self.runtime, &self.options, self.limits)?;
        }
        Ok(called)
    }

    /// Converts many records in one call. When the batch traps, its records are replayed one
    /// at a time on a fresh instance, so the trap costs only the record that caused it.
    pub fn transform_batch(&mut self, records: &[String]) -> Result<Vec<Outcome>, Error> {
        let called = self.call(records.len(), |guest, store, transformer| {
            guest.call_transform_batch(store, transformer, records)
        })?;
        match called {
            Ok(results) => Ok(results.into_iter().map(Outcome::from_wit).collect()),
            Err(_) => records
                .iter()
                .map(|record| self.transform(record))
                .collect(),
        }
    }
}

/// A record of [`Session::transform_lines`] that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFailure {
    /// Its line number in the text, from 1.
    pub line: usize,
    /// `error.type`, as in [`Outcome::Failed`].
    pub kind: String,
    /// `error.message`.
    pub message: String,
}

/// What a text of newline-delimited records gave ([`Session::transform_lines`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinesOutcome {
    /// The documents, one per line, each ending with `\n`; failed records as their error
    /// documents.
    pub documents: String,
    /// Records (lines) read.
    pub records: usize,
    /// Documents written for records that converted.
    pub converted: usize,
    /// The records that failed, in input order.
    pub failures: Vec<LineFailure>,
}

impl<'r> Session<'r> {
    /// Converts newline-delimited records in one call (the WIT `transform-lines`): one string
    /// in, one string of documents out. When the call traps, the lines are replayed one at a
    /// time on a fresh instance, so the trap costs only the record that caused it.
    pub fn transform_lines(&mut self, text: &str) -> Result<LinesOutcome, Error> {
        // The whole text gets the time of one call per line.
        let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
        let called = self.call(lines, |guest, store, transformer| {
            guest.call_transform_lines(store, transformer, text)
        })?;
        match called {
            Ok(output) => Ok(LinesOutcome {
                documents: output.documents,
                records: output.records as usize,
                converted: output.converted as usize,
                failures: output
                    .failures
                    .into_iter()
                    .map(|failure| {
                        let (kind, message) = error_parts(failure.error);
                        LineFailure {
                            line: failure.line as usize,
                            kind,
                            message,
                        }
                    })
                    .collect(),
            }),
            Err(_) => self.replay_lines(text),
        }
    }

    /// [`Session::transform_lines`], one call per line.
    fn replay_lines(&mut self, text: &str) -> Result<LinesOutcome, Error> {
        let mut outcome = LinesOutcome::default();
        for (index, record) in k8s_audit_ecs::ndjson_records(text).enumerate() {
            outcome.records += 1;
            let result = self.transform(record)?;
            match &result {
                Outcome::Documents(documents) => outcome.converted += documents.len(),
                Outcome::Failed { kind, message } => outcome.failures.push(LineFailure {
                    line: index + 1,
                    kind: kind.clone(),
                    message: message.clone(),
                }),
            }
            for document in result.into_lines(record) {
                outcome.documents.push_str(&document);
                outcome.documents.push('\n');
            }
        }
        Ok(outcome)
    }
}

impl Session<'_> {
    /// The size the instance's linear memory has grown to, in bytes (it never shrinks).
    pub fn memory_size(&self) -> usize {
        self.instance.store.data().peak_memory
    }
}

impl Instance {
    fn new(runtime: &Runtime, options: &wit::Options, limits: Limits) -> Result<Self, Error> {
        let deadline = limits.deadline_ticks();
        let limits = StoreLimitsBuilder::new()
            .memory_size(limits.memory_bytes)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(
            &runtime.engine,
            HostState {
                limits,
                peak_memory: 0,
            },
        );
        store.limiter(|state| state as &mut dyn ResourceLimiter);
        store.set_epoch_deadline(deadline);
        let bindings = runtime.pre.instantiate(&mut store)?;
        let transformer = bindings
            .k8s_audit_ecs_transform_normalizer()
            .transformer()
            .call_constructor(&mut store, options)?;
        Ok(Instance {
            store,
            bindings,
            transformer,
        })
    }
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
        define_insecure_seed(&mut linker, &component)?;
        linker.define_unknown_imports_as_traps(&component)?;
        let pre = NormalizerComponentPre::new(linker.instantiate_pre(&component)?)?;
        let limits = StoreLimitsBuilder::new().build();
        let mut store = Store::new(
            &engine,
            HostState {
                limits,
                peak_memory: 0,
            },
        );
        let reset = |store: &mut Store<HostState>| -> Result<(), Error> {
            match interruption {
                Interruption::Epoch => store.set_epoch_deadline(u64::MAX / 2),
                Interruption::Fuel => store.set_fuel(u64::MAX / 2)?,
                Interruption::None => {}
            }
            Ok(())
        };
        reset(&mut store)?;
        let bindings = pre.instantiate(&mut store)?;
        let options = wit::Options {
            profile: wit::Profile::Baseline,
            event_field: None,
        };
        let guest = bindings.k8s_audit_ecs_transform_normalizer();
        let transformer = guest.transformer().call_constructor(&mut store, &options)?;
        let start = std::time::Instant::now();
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

//! The wasmtime engine, the compiled component and its machine-code cache: [`Runtime`], built
//! once and shared by every [`crate::Session`].

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine};

use crate::bindings::Bindings;
use crate::{Error, artifact, linker};

/// How often the engine's epoch advances: the granularity of the per-call time budget.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Whether calls run under a time budget ([`crate::Limits::time_per_call`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeBudget {
    /// Epoch interruption (the default): the generated code checks a deadline at loop heads
    /// and calls, and a call that runs past its budget traps.
    #[default]
    Enforced,
    /// No time budget, for trusted input: the generated code has no deadline checks and runs
    /// faster (`host-test bench` measures by how much), but a call that never ends hangs its
    /// caller. The memory limit still holds.
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

/// The engine and the compiled component, ready to instantiate. Imports are type-checked once
/// here, so each instantiation is cheap.
pub struct Runtime {
    pub(crate) engine: Engine,
    _ticker: Option<EpochTicker>,
    pub(crate) bindings: Bindings,
    component_bytes: usize,
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

    /// Compiles a component from its bytes, with the time budget enforced or off.
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
        linker::define_imports(&mut linker, component)?;
        let bindings = Bindings::new(linker.instantiate_pre(component)?)?;
        Ok(Runtime {
            _ticker: (budget == TimeBudget::Enforced).then(|| EpochTicker::start(&engine)),
            engine,
            bindings,
            component_bytes,
        })
    }

    /// The size of the component file, in bytes.
    pub fn component_size(&self) -> usize {
        self.component_bytes
    }

    /// The profiles the component offers (its `profiles` function): name and description, in
    /// the order of its WIT `profile` enum.
    pub fn profiles(&self) -> Result<Vec<(String, String)>, Error> {
        let mut store = wasmtime::Store::new(&self.engine, crate::session::HostState::unlimited());
        store.set_epoch_deadline(u64::MAX / 2);
        let (_, bindings) = self.bindings.instantiate(&mut store)?;
        let profiles = bindings
            .k8s_audit_ecs_transform_normalizer()
            .call_profiles(&mut store)?;
        Ok(profiles
            .into_iter()
            .map(|profile| (profile.name, profile.description))
            .collect())
    }

    /// The component's imports, as `name` lines (`wasi:io/streams@0.2.6`, ...).
    pub fn imports(&self) -> Vec<String> {
        let component = self.bindings.pre.instance_pre().component();
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

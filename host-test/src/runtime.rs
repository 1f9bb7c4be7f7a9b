//! Loading the component with wasmtime and calling it.

use std::path::Path;

use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder};

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

/// The largest linear memory an instance may grow to (a 20 MB event needs a few times that).
const MEMORY_LIMIT: usize = 512 << 20;

/// The engine and the compiled component, ready to instantiate: built once, shared by every
/// [`Session`]. Imports are type-checked once here, so each instantiation is cheap.
pub struct Runtime {
    engine: Engine,
    pre: NormalizerComponentPre<HostState>,
    component_bytes: usize,
}

/// What each instance's store holds.
struct HostState {
    limits: StoreLimits,
}

impl Runtime {
    /// Loads the component that `build.rs` built from this workspace's sources.
    pub fn load_built() -> Result<Runtime, Error> {
        let bytes = artifact::read_built_component()?;
        Runtime::from_bytes(&bytes).map_err(|e| e.context(artifact::COMPONENT_PATH))
    }

    /// Loads a component file (`.wasm`).
    pub fn load_file(path: &Path) -> Result<Runtime, Error> {
        let bytes =
            std::fs::read(path).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
        Runtime::from_bytes(&bytes).map_err(|e| e.context(path.display()))
    }

    /// Compiles a component from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Runtime, Error> {
        let mut config = Config::new();
        config.cranelift_opt_level(wasmtime::OptLevel::Speed);
        let engine = Engine::new(&config)?;
        let component = Component::new(&engine, bytes)
            .map_err(|e| Error::from(e).context("not a loadable component"))?;
        let mut linker = Linker::new(&engine);
        define_insecure_seed(&mut linker, &component)?;
        // The transform calls no other WASI function; the imports Rust's standard library
        // leaves in the component are satisfied by functions that trap if ever called.
        linker.define_unknown_imports_as_traps(&component)?;
        let pre = NormalizerComponentPre::new(linker.instantiate_pre(&component)?)?;
        Ok(Runtime {
            engine,
            pre,
            component_bytes: bytes.len(),
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
                let (kind, message) = match error {
                    wit::TransformError::InvalidJson(e) => ("invalid_json", e.message),
                    wit::TransformError::NotAnObject(message) => ("not_an_object", message),
                    wit::TransformError::NotAnAuditEvent(message) => {
                        ("not_an_audit_event", message)
                    }
                };
                Outcome::Failed {
                    kind: kind.to_owned(),
                    message,
                }
            }
        }
    }
}

/// One instance of the component with one `transformer` built from the options. After a trap
/// the instance is unusable, so the session replaces it with a fresh one.
pub struct Session<'r> {
    runtime: &'r Runtime,
    options: wit::Options,
    instance: Instance,
}

struct Instance {
    store: Store<HostState>,
    bindings: NormalizerComponent,
    transformer: ResourceAny,
}

impl<'r> Session<'r> {
    /// Instantiates the component and builds a transformer with `options`.
    pub fn new(runtime: &'r Runtime, options: &k8s_audit_ecs::Options) -> Result<Self, Error> {
        let options = wit::Options {
            profile: match options.profile {
                k8s_audit_ecs::Profile::Baseline => wit::Profile::Baseline,
                k8s_audit_ecs::Profile::Extended => wit::Profile::Extended,
            },
            event_field: Some(options.event_field.clone()),
        };
        let instance = Instance::new(runtime, &options)?;
        Ok(Session {
            runtime,
            options,
            instance,
        })
    }

    /// Converts one record; a trap is reported as an [`Outcome::Failed`] of kind
    /// `component_trap` (the instance is replaced for the next record).
    pub fn transform(&mut self, record: &str) -> Result<Outcome, Error> {
        let instance = &mut self.instance;
        let called = instance
            .bindings
            .k8s_audit_ecs_transform_normalizer()
            .transformer()
            .call_transform(&mut instance.store, instance.transformer, record);
        match called {
            Ok(result) => Ok(Outcome::from_wit(result)),
            Err(trap) => {
                self.instance = Instance::new(self.runtime, &self.options)?;
                Ok(Outcome::Failed {
                    kind: "component_trap".into(),
                    message: format!("the component trapped on this record: {trap:#}"),
                })
            }
        }
    }

    /// Converts many records in one call. When the batch traps, its records are replayed one
    /// at a time on a fresh instance, so the trap costs only the record that caused it.
    pub fn transform_batch(&mut self, records: &[String]) -> Result<Vec<Outcome>, Error> {
        let instance = &mut self.instance;
        let called = instance
            .bindings
            .k8s_audit_ecs_transform_normalizer()
            .transformer()
            .call_transform_batch(&mut instance.store, instance.transformer, records);
        match called {
            Ok(results) => Ok(results.into_iter().map(Outcome::from_wit).collect()),
            Err(_) => {
                self.instance = Instance::new(self.runtime, &self.options)?;
                records
                    .iter()
                    .map(|record| self.transform(record))
                    .collect()
            }
        }
    }
}

impl Instance {
    fn new(runtime: &Runtime, options: &wit::Options) -> Result<Self, Error> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(MEMORY_LIMIT)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(&runtime.engine, HostState { limits });
        store.limiter(|state| &mut state.limits);
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

//! One instance of the component with one `transformer`, under limits: calls, traps and the
//! replacement of a trapped instance.

use std::time::Duration;

use wasmtime::component::ResourceAny;
use wasmtime::{ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder};

use k8s_audit_ecs::{
    Documents, ErrorKind, LineFailure, Options, Records, TextEnd, TransformError, error_document,
};

use crate::bindings::{NormalizerComponent, wit};
use crate::engine::EPOCH_TICK;
use crate::{Error, Runtime};

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

/// What each instance's store holds: its limits, and the largest linear memory it reached.
pub(crate) struct HostState {
    limits: StoreLimits,
    peak_memory: usize,
}

impl HostState {
    /// A store state without limits (for measurements).
    pub(crate) fn unlimited() -> Self {
        HostState {
            limits: StoreLimitsBuilder::new().build(),
            peak_memory: 0,
        }
    }
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

/// What one record gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Its documents, one JSON line each, with the error documents of events that failed on
    /// their own in their places.
    Converted(Documents),
    /// The record as a whole could not be converted (`component_trap` when the component
    /// trapped on it).
    Failed(TransformError),
}

impl Outcome {
    /// The lines to write for `record`: its documents, or its pass-through document.
    pub fn into_lines(self, record: &str) -> Vec<String> {
        match self {
            Outcome::Converted(converted) => converted.documents,
            Outcome::Failed(error) => vec![error_document(record, &error)],
        }
    }

    fn from_wit(result: Result<wit::Converted, wit::TransformError>) -> Outcome {
        match result {
            Ok(converted) => Outcome::Converted(converted.into()),
            Err(error) => Outcome::Failed(error.into()),
        }
    }

    fn trapped(trap: &wasmtime::Error) -> Outcome {
        Outcome::Failed(trap_error(trap))
    }
}

/// The error a record gets when the component trapped on it.
fn trap_error(trap: &wasmtime::Error) -> TransformError {
    TransformError::new(
        ErrorKind::ComponentTrap,
        format!("the component trapped on this record: {trap:#}"),
    )
}

/// What a text of records gave ([`Session::transform_lines`]): the core's
/// [`k8s_audit_ecs::LinesSummary`], with the documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinesOutcome {
    /// The documents, one per line, each ending with `\n`; failed records as their error
    /// documents.
    pub documents: String,
    /// Records read.
    pub records: usize,
    /// Documents written for events that converted.
    pub converted: usize,
    /// Records that yielded nothing (not failures).
    pub skipped: usize,
    /// Every failure, in input order.
    pub failures: Vec<LineFailure>,
    /// With [`TextEnd::More`]: how many bytes at the end of the text were not read (a value
    /// spread over lines opens there); to be given again in front of the next text.
    pub unconverted: usize,
}

/// One instance of the component with one `transformer` built from the options. After a trap
/// the instance is unusable, so the session replaces it with a fresh one.
pub struct Session<'r> {
    runtime: &'r Runtime,
    options: Options,
    limits: Limits,
    instance: Instance,
}

struct Instance {
    store: Store<HostState>,
    bindings: NormalizerComponent,
    transformer: ResourceAny,
}

impl Instance {
    fn new(runtime: &Runtime, options: &Options, limits: Limits) -> Result<Self, Error> {
        let deadline = limits.deadline_ticks();
        let state = HostState {
            limits: StoreLimitsBuilder::new()
                .memory_size(limits.memory_bytes)
                .trap_on_grow_failure(true)
                .build(),
            peak_memory: 0,
        };
        let mut store = Store::new(&runtime.engine, state);
        store.limiter(|state| state as &mut dyn ResourceLimiter);
        store.set_epoch_deadline(deadline);
        let (instance, bindings) = runtime.bindings.instantiate(&mut store)?;
        let transformer = runtime
            .bindings
            .transformer(&mut store, &instance, options)?;
        Ok(Instance {
            store,
            bindings,
            transformer,
        })
    }
}

impl<'r> Session<'r> {
    /// Instantiates the component and builds a transformer with `options`, with the default
    /// [`Limits`].
    pub fn new(runtime: &'r Runtime, options: &Options) -> Result<Self, Error> {
        Session::with_limits(runtime, options, Limits::default())
    }

    /// Like [`Session::new`], with these limits for each instance.
    pub fn with_limits(
        runtime: &'r Runtime,
        options: &Options,
        limits: Limits,
    ) -> Result<Self, Error> {
        let instance = Instance::new(runtime, options, limits)?;
        Ok(Session {
            runtime,
            options: options.clone(),
            limits,
            instance,
        })
    }

    /// Makes one call into the component with the time budget of `records` calls. When it
    /// traps, the instance is replaced by a fresh one and the trap is returned.
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

    /// Converts one record; a trap is reported as an [`Outcome::Failed`] of kind
    /// `component_trap` (the instance is replaced for the next record).
    pub fn transform(&mut self, record: &str) -> Result<Outcome, Error> {
        let called = self.call(1, |guest, store, transformer| {
            guest.call_transform(store, transformer, record)
        })?;
        Ok(match called {
            Ok(result) => Outcome::from_wit(result),
            Err(trap) => Outcome::trapped(&trap),
        })
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

    /// Converts a text of records in one call (the WIT `transform-lines`): one string in, one
    /// string of documents out; `end` says whether more text follows. When the call traps,
    /// the records are replayed one at a time on a fresh instance, so the trap costs only the
    /// record that caused it.
    pub fn transform_lines(&mut self, text: &str, end: TextEnd) -> Result<LinesOutcome, Error> {
        // The whole text gets the time of one call per line.
        let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
        let more = end == TextEnd::More;
        let called = self.call(lines, |guest, store, transformer| {
            guest.call_transform_lines(store, transformer, text, more)
        })?;
        match called {
            Ok(output) => Ok(LinesOutcome {
                documents: output.documents,
                records: output.records as usize,
                converted: output.converted as usize,
                skipped: output.skipped as usize,
                failures: output.failures.into_iter().map(Into::into).collect(),
                unconverted: output.unconverted as usize,
            }),
            Err(_) => self.replay_lines(text, end),
        }
    }

    /// [`Session::transform_lines`], one call per record (as the core splits the text): a
    /// record whose call traps is passed through whole with `error.type` `component_trap`.
    fn replay_lines(&mut self, text: &str, end: TextEnd) -> Result<LinesOutcome, Error> {
        let mut outcome = LinesOutcome::default();
        let mut records = Records::new(text, end);
        for (number, record) in records.by_ref() {
            let called = self.call(1, |guest, store, transformer| {
                guest.call_transform_lines(store, transformer, &record, false)
            })?;
            match called {
                Ok(output) => {
                    outcome.documents.push_str(&output.documents);
                    outcome.records += output.records as usize;
                    outcome.converted += output.converted as usize;
                    outcome.skipped += output.skipped as usize;
                    outcome
                        .failures
                        .extend(output.failures.into_iter().map(|failure| LineFailure {
                            line: number,
                            ..failure.into()
                        }));
                }
                Err(trap) => {
                    let error = trap_error(&trap);
                    outcome.records += 1;
                    outcome.documents.push_str(&error_document(&record, &error));
                    outcome.documents.push('\n');
                    outcome.failures.push(LineFailure {
                        line: number,
                        event: None,
                        error,
                    });
                }
            }
        }
        outcome.unconverted = records.unconverted();
        Ok(outcome)
    }

    /// The size the instance's linear memory has grown to, in bytes (it never shrinks).
    pub fn memory_size(&self) -> usize {
        self.instance.store.data().peak_memory
    }
}

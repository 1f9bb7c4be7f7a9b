//! What running in a component costs besides the transform: linear memory over a long run,
//! start-up, and bounding each call's time.

use std::time::Instant;

use wasmtime::component::Linker;
use wasmtime::{Config, Engine, Store};

use k8s_audit_ecs::{Options, TextEnd};

use super::{line_batches, repeat};
use crate::engine::{compile, load_precompiled, new_engine};
use crate::{Error, Runtime, Session, TimeBudget, artifact};

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

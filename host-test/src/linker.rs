//! What the component imports, and how host-test satisfies it without a WASI implementation.

use wasmtime::component::{Component, Linker};

use crate::Error;

/// Defines the component's imports in `linker`: `wasi:random/insecure-seed` with a constant,
/// and every other import as a function that traps if it is ever called.
///
/// The transform calls no WASI function but one: Rust's standard library asks
/// `insecure-seed` once, for the keys of the hash maps that woothee's regex engine builds.
/// Those maps hold the library's fixed patterns, never input, so a constant seed costs nothing
/// in safety and keeps runs reproducible. The other imports the standard library leaves in the
/// component (`wasi:cli/*`, `wasi:io/*`) are never called.
pub(crate) fn define_imports<T: 'static>(
    linker: &mut Linker<T>,
    component: &Component,
) -> Result<(), Error> {
    const SEED: (u64, u64) = (0x6b38_732d_6175_6469, 0x742d_6563_732d_7365);
    let engine = linker.engine().clone();
    let imports: Vec<String> = component
        .component_type()
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
    linker.define_unknown_imports_as_traps(component)?;
    Ok(())
}

//! The component artifact that `build.rs` built, and checks that it is the current one.

use std::fs;
use std::path::{Path, PathBuf};

use crate::Error;
use k8s_audit_ecs::fnv1a;

/// Where `build.rs` put the component built from this workspace's sources.
pub const COMPONENT_PATH: &str = env!("COMPONENT_PATH");

/// The FNV-1a hash of that component's bytes when it was built.
const COMPONENT_HASH: &str = env!("COMPONENT_HASH");

/// A file listing the sources the component was built from, after their combined hash.
const COMPONENT_SOURCES: &str = env!("COMPONENT_SOURCES");

/// Reads the built component, failing when it is missing or is not the file `build.rs` built
/// (replaced or rebuilt since with other sources).
pub fn read_built_component() -> Result<Vec<u8>, Error> {
    let path = Path::new(COMPONENT_PATH);
    let bytes = fs::read(path).map_err(|e| {
        Error::new(format!(
            "{}: component missing ({e}); rebuild it with `cargo build -p host-test`",
            path.display()
        ))
    })?;
    if format!("{:016x}", fnv1a(0, &bytes)) != COMPONENT_HASH {
        return Err(Error::new(format!(
            "{}: component is stale (it changed after host-test was built); rebuild with `cargo build -p host-test`",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Where [`crate::Runtime::load_built`] caches the component's machine code: next to it,
/// named after the hash of its bytes (code without the time budget's checks is cached apart).
pub fn precompiled_path(budget: crate::TimeBudget) -> PathBuf {
    let variant = match budget {
        crate::TimeBudget::Enforced => "",
        crate::TimeBudget::Off => ".unbudgeted",
    };
    PathBuf::from(format!("{COMPONENT_PATH}.{COMPONENT_HASH}{variant}.cwasm"))
}

/// Whether the sources the component was built from are unchanged since (a source that can
/// no longer be read counts as changed).
pub fn sources_unchanged() -> Result<bool, Error> {
    let listing = fs::read_to_string(COMPONENT_SOURCES)
        .map_err(|e| Error::new(format!("{COMPONENT_SOURCES}: {e}")))?;
    let mut lines = listing.lines();
    let recorded = lines.next().unwrap_or_default();
    let mut hash = 0;
    for source in lines.map(PathBuf::from) {
        let Ok(bytes) = fs::read(&source) else {
            return Ok(false);
        };
        hash = fnv1a(hash, source.to_string_lossy().as_bytes());
        hash = fnv1a(hash, &bytes);
    }
    Ok(format!("{hash:016x}") == recorded)
}

//! host-test: a wasmtime host for the k8s-audit-ecs component.
//!
//! It loads the component (built from this workspace's sources by `build.rs`), checks fixtures
//! against it and converts NDJSON streams through it. The binary (`src/main.rs`) only parses
//! arguments and prints; everything it does is here, so the tests drive the same code.
//!
//! ```no_run
//! use host_test::{Runtime, Session};
//! use k8s_audit_ecs::Options;
//!
//! let runtime = Runtime::load_built()?;
//! let mut session = Session::new(&runtime, &Options::default())?;
//! let documents = session.transform(r#"{"message": "{\"auditID\":\"a1\",\"verb\":\"get\"}"}"#)?;
//! # Ok::<(), host_test::Error>(())
//! ```

// One `unsafe` call, reviewed: loading machine code host-test cached itself (runtime.rs).
#![deny(unsafe_code)]
#![warn(missing_docs)]

/// The built component.
pub mod artifact;
/// `host-test bench`.
pub mod bench;
/// `host-test check`.
pub mod check;
mod error;
mod fnv;
/// `host-test transform`.
pub mod ndjson;
mod runtime;

pub use error::Error;
pub use runtime::{
    Interruption, Limits, LineFailure, LinesOutcome, Outcome, Runtime, Session, TimeBudget,
    interruption_overhead,
};

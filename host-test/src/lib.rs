//! host-test: a wasmtime host for the k8s-audit-ecs component.
//!
//! It loads the component (built from this workspace's sources by `build.rs`), checks fixtures
//! against it, converts streams of records through it and measures it. The binary
//! (`src/main.rs`) only parses arguments and prints; everything it does is here, so the tests
//! drive the same code.
//!
//! ```no_run
//! use host_test::{Outcome, Runtime, Session};
//! use k8s_audit_ecs::Options;
//!
//! let runtime = Runtime::load_built()?;
//! let mut session = Session::new(&runtime, &Options::default())?;
//! let outcome = session.transform(r#"{"message": "{\"auditID\":\"a1\",\"verb\":\"get\"}"}"#)?;
//! assert!(matches!(outcome, Outcome::Converted(_)));
//! # Ok::<(), host_test::Error>(())
//! ```

// One `unsafe` call, reviewed: loading machine code host-test cached itself (engine.rs).
#![deny(unsafe_code)]
#![warn(missing_docs)]

/// The built component.
pub mod artifact;
/// `host-test bench`.
pub mod bench;
mod bindings;
/// `host-test check`.
pub mod check;
mod engine;
mod error;
mod linker;
mod session;
/// `host-test transform`.
pub mod stream;

pub use engine::{Runtime, TimeBudget};
pub use error::Error;
pub use session::{Limits, LinesOutcome, Outcome, Session};

//! The WebAssembly component shell: the WIT `normalizer` interface over the core.
//!
//! Only type conversions live here; every decision is the core's. Profiles come from the core's
//! registry: a WIT `profile` case is the registry entry at the same position (a test checks
//! that the two lists match, name by name).

use crate::{ErrorKind, Options, Profile, TextEnd, TransformError, error_document};

wit_bindgen::generate!({
    world: "normalizer-component",
    path: "wit",
});

use exports::k8s_audit_ecs::transform::normalizer::{
    self as wit, Converted, EventFailure, Guest, GuestTransformer, JsonSyntaxError, LineFailure,
    LinesOutput, ProfileInfo,
};

struct Component;

/// The exported `transformer` resource: a core transformer.
struct Shell(crate::Transformer);

impl Guest for Component {
    type Transformer = Shell;

    fn profiles() -> Vec<ProfileInfo> {
        Profile::ALL
            .iter()
            .map(|profile| ProfileInfo {
                name: profile.name().to_owned(),
                description: profile.description().to_owned(),
            })
            .collect()
    }

    fn error_document(record: String, error: wit::TransformError) -> String {
        error_document(&record, &error.into())
    }
}

impl GuestTransformer for Shell {
    fn new(options: wit::Options) -> Self {
        let defaults = Options::default();
        // The WIT enum lists the registry's profiles in its order.
        let profile = Profile::ALL
            .get(options.profile as usize)
            .copied()
            .unwrap_or_default();
        Shell(crate::Transformer::new(Options {
            profile,
            event_field: options.event_field.unwrap_or(defaults.event_field),
            cluster_name: options.cluster_name,
        }))
    }

    fn transform(&self, record: String) -> Result<Converted, wit::TransformError> {
        self.convert(&record)
    }

    fn transform_batch(&self, records: Vec<String>) -> Vec<Result<Converted, wit::TransformError>> {
        records.iter().map(|record| self.convert(record)).collect()
    }

    fn transform_lines(&self, records: String, more: bool) -> LinesOutput {
        // Documents are usually a little larger than their records.
        let mut documents = String::with_capacity(records.len() + records.len() / 4 + 64);
        let end = if more { TextEnd::More } else { TextEnd::Final };
        let summary = self.0.transform_text(&records, end, &mut documents);
        LinesOutput {
            documents,
            records: count(summary.records),
            converted: count(summary.converted),
            skipped: count(summary.skipped),
            failures: summary
                .failures
                .into_iter()
                .map(|failure| LineFailure {
                    line: count(failure.line),
                    event: failure.event.map(count),
                    error: failure.error.into(),
                })
                .collect(),
            unconverted: count(summary.unconverted),
        }
    }
}

impl Shell {
    /// One record's documents, as the WIT `converted`.
    fn convert(&self, record: &str) -> Result<Converted, wit::TransformError> {
        let converted = self.0.transform_record(record)?;
        Ok(Converted {
            documents: converted.documents,
            failures: converted
                .failures
                .into_iter()
                .map(|failure| EventFailure {
                    index: count(failure.index),
                    error: failure.error.into(),
                })
                .collect(),
        })
    }
}

/// A count as WIT's `u32`. A string that crosses the boundary is under 4 GiB, so no count of
/// its lines or documents can exceed it; saturating keeps that an assumption, not a panic.
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<TransformError> for wit::TransformError {
    fn from(error: TransformError) -> Self {
        let message = error.message().to_owned();
        match error.kind() {
            ErrorKind::InvalidJson => {
                let (line, column) = error.position().unwrap_or((0, 0));
                wit::TransformError::InvalidJson(JsonSyntaxError {
                    line,
                    column,
                    message,
                })
            }
            ErrorKind::NotAnObject => wit::TransformError::NotAnObject(message),
            ErrorKind::InvalidBase64 => wit::TransformError::InvalidBase64(message),
            ErrorKind::InvalidGzip => wit::TransformError::InvalidGzip(message),
            ErrorKind::PayloadTooLarge => wit::TransformError::PayloadTooLarge(message),
            ErrorKind::InvalidEnvelope => wit::TransformError::InvalidEnvelope(message),
            ErrorKind::NotAnAuditEvent => wit::TransformError::NotAnAuditEvent(message),
            ErrorKind::InvalidUtf8 => wit::TransformError::InvalidUtf8(message),
            ErrorKind::ComponentTrap => wit::TransformError::ComponentTrap(message),
        }
    }
}

impl From<wit::TransformError> for TransformError {
    fn from(error: wit::TransformError) -> Self {
        match error {
            wit::TransformError::InvalidJson(e) => {
                TransformError::new(ErrorKind::InvalidJson, e.message).at(e.line, e.column)
            }
            wit::TransformError::NotAnObject(m) => TransformError::new(ErrorKind::NotAnObject, m),
            wit::TransformError::NotAnAuditEvent(m) => {
                TransformError::new(ErrorKind::NotAnAuditEvent, m)
            }
            wit::TransformError::InvalidBase64(m) => {
                TransformError::new(ErrorKind::InvalidBase64, m)
            }
            wit::TransformError::InvalidGzip(m) => TransformError::new(ErrorKind::InvalidGzip, m),
            wit::TransformError::PayloadTooLarge(m) => {
                TransformError::new(ErrorKind::PayloadTooLarge, m)
            }
            wit::TransformError::InvalidEnvelope(m) => {
                TransformError::new(ErrorKind::InvalidEnvelope, m)
            }
            wit::TransformError::InvalidUtf8(m) => TransformError::new(ErrorKind::InvalidUtf8, m),
            wit::TransformError::ComponentTrap(m) => {
                TransformError::new(ErrorKind::ComponentTrap, m)
            }
        }
    }
}

export!(Component);

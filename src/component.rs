//! The WebAssembly component shell: the WIT `normalizer` interface over the core.
//!
//! Only type conversions live here; every decision is the core's.

use crate::{Options, Profile, TransformError, error_document_with};

wit_bindgen::generate!({
    world: "normalizer-component",
    path: "wit",
});

use exports::k8s_audit_ecs::transform::normalizer::{
    self as wit, Guest, GuestTransformer, JsonSyntaxError, LineFailure, LinesOutput,
};

struct Component;

/// The exported `transformer` resource: a core transformer.
struct Shell(crate::Transformer);

impl Guest for Component {
    type Transformer = Shell;

    fn error_document(record: String, error: wit::TransformError) -> String {
        let (kind, message) = match &error {
            wit::TransformError::InvalidJson(e) => ("invalid_json", e.message.as_str()),
            wit::TransformError::NotAnObject(message) => ("not_an_object", message.as_str()),
            wit::TransformError::NotAnAuditEvent(message) => {
                ("not_an_audit_event", message.as_str())
            }
        };
        error_document_with(&record, kind, message)
    }
}

impl GuestTransformer for Shell {
    fn new(options: wit::Options) -> Self {
        let profile = match options.profile {
            wit::Profile::Baseline => Profile::Baseline,
            wit::Profile::Extended => Profile::Extended,
        };
        let defaults = Options::default();
        Shell(crate::Transformer::new(Options {
            profile,
            event_field: options.event_field.unwrap_or(defaults.event_field),
        }))
    }

    fn transform(&self, record: String) -> Result<Vec<String>, wit::TransformError> {
        self.0.transform(&record).map_err(Into::into)
    }

    fn transform_batch(
        &self,
        records: Vec<String>,
    ) -> Vec<Result<Vec<String>, wit::TransformError>> {
        records
            .iter()
            .map(|record| self.0.transform(record).map_err(Into::into))
            .collect()
    }

    fn transform_lines(&self, records: String) -> LinesOutput {
        // Documents are usually a little larger than their records.
        let mut documents = String::with_capacity(records.len() + records.len() / 4 + 64);
        let summary = self.0.transform_lines(&records, &mut documents);
        LinesOutput {
            documents,
            records: count(summary.records),
            converted: count(summary.documents),
            failures: summary
                .failures
                .into_iter()
                .map(|failure| LineFailure {
                    line: count(failure.line),
                    error: failure.error.into(),
                })
                .collect(),
        }
    }
}

/// A count as WIT's `u32`. A string that crosses the boundary is under 4 GiB, so no count of
/// its lines or documents can exceed it; saturating keeps that an assumption, not a panic.
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<TransformError> for wit::TransformError {
    fn from(error: TransformError) -> Self {
        let message = error.to_string();
        match error {
            TransformError::InvalidJson { line, column, .. } => {
                wit::TransformError::InvalidJson(JsonSyntaxError {
                    line,
                    column,
                    message,
                })
            }
            TransformError::NotAnObject { .. } => wit::TransformError::NotAnObject(message),
            TransformError::NotAnAuditEvent { .. } => wit::TransformError::NotAnAuditEvent(message),
        }
    }
}

export!(Component);

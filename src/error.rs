//! Why a record could not be converted.

use std::fmt;

/// Why a record could not be turned into ECS documents.
///
/// Each variant has a WIT twin (`transform-error` in `wit/k8s-audit-ecs.wit`) and a stable
/// keyword ([`TransformError::kind`]) that goes into the passed-through record's `error.type`.
/// A field of the wrong type *inside* a good audit event is never an error: that output field
/// is left out and the rest of the document is produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransformError {
    /// The record, or the event text found in it, is not well-formed JSON.
    InvalidJson {
        /// Where the text came from: `record`, or the name of the field that held the event.
        source: String,
        /// 1-based line of the error in that text (0 when the parser gave no position).
        line: u32,
        /// 1-based column of the error in that text (0 when the parser gave no position).
        column: u32,
        /// What the JSON parser said, without its position suffix.
        reason: String,
    },
    /// The JSON is well formed but is not an object (a string, number, array, ...).
    NotAnObject {
        /// Where the text came from: `record`, or the name of the field that held the event.
        source: String,
        /// The JSON type that was found instead (`string`, `array`, ...).
        found: &'static str,
    },
    /// An object that is neither an audit event nor an `EventList`, or an `EventList` whose
    /// items are not audit events.
    NotAnAuditEvent {
        /// What is missing or wrong, as a sentence fragment.
        reason: String,
    },
}

impl TransformError {
    /// The stable keyword written to `error.type`: `invalid_json`, `not_an_object` or
    /// `not_an_audit_event`.
    pub fn kind(&self) -> &'static str {
        match self {
            TransformError::InvalidJson { .. } => "invalid_json",
            TransformError::NotAnObject { .. } => "not_an_object",
            TransformError::NotAnAuditEvent { .. } => "not_an_audit_event",
        }
    }

    /// Builds the error for a `serde_json` failure while reading `source`.
    pub(crate) fn from_json(source: &str, error: &serde_json::Error) -> Self {
        TransformError::InvalidJson {
            source: source.to_owned(),
            line: u32::try_from(error.line()).unwrap_or(u32::MAX),
            column: u32::try_from(error.column()).unwrap_or(u32::MAX),
            reason: strip_position(&error.to_string()),
        }
    }
}

/// serde_json appends ` at line L column C` to its messages; we report the position apart.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

impl fmt::Display for TransformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransformError::InvalidJson {
                source,
                line,
                column,
                reason,
            } => {
                write!(f, "{source} is not valid JSON: {reason}")?;
                if *line > 0 {
                    write!(f, " at line {line} column {column}")?;
                }
                Ok(())
            }
            TransformError::NotAnObject { source, found } => {
                write!(f, "{source} is a JSON {found}, not an object")
            }
            TransformError::NotAnAuditEvent { reason } => {
                write!(f, "not a Kubernetes audit event: {reason}")
            }
        }
    }
}

impl std::error::Error for TransformError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_json_keeps_the_position_apart() {
        let error = serde_json::from_str::<serde_json::Value>("{\"a\":\n  tru}").unwrap_err();
        let error = TransformError::from_json("message", &error);
        let TransformError::InvalidJson {
            line,
            column,
            reason,
            ..
        } = &error
        else {
            panic!("wrong variant: {error:?}");
        };
        assert_eq!((*line, *column), (2, 6));
        assert_eq!(reason, "expected ident");
        assert_eq!(
            error.to_string(),
            "message is not valid JSON: expected ident at line 2 column 6"
        );
        assert_eq!(error.kind(), "invalid_json");
    }

    #[test]
    fn each_variant_has_its_keyword() {
        let not_object = TransformError::NotAnObject {
            source: "record".into(),
            found: "array",
        };
        assert_eq!(not_object.kind(), "not_an_object");
        assert_eq!(
            not_object.to_string(),
            "record is a JSON array, not an object"
        );
        let not_event = TransformError::NotAnAuditEvent {
            reason: "it has no auditID".into(),
        };
        assert_eq!(not_event.kind(), "not_an_audit_event");
    }
}

//! Why a record, or one event inside it, could not be converted: every error kind with its
//! `error.type` keyword, in one place (docs/errors.md lists them for users).

use std::fmt;

/// The kinds of failure, each with a stable keyword that goes into a pass-through document's
/// `error.type`. The WIT `transform-error` variant has one case for each kind the core
/// produces; the last two are produced by hosts only, and are listed here so that every
/// keyword a user can meet is defined once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The record, an event text, or a decoded envelope payload is not well-formed JSON (or,
    /// for a decoded payload, not UTF-8).
    InvalidJson,
    /// Well-formed JSON that is not an object: a string, number, array, boolean or null.
    NotAnObject,
    /// An object that is neither an audit event (`auditID`, or `kind: Event`) nor an
    /// `EventList`, nor an envelope this transform reads.
    NotAnAuditEvent,
    /// An envelope's base64 payload (`awslogs.data`, Pub/Sub `message.data`) is not valid
    /// base64.
    InvalidBase64,
    /// A CloudWatch Logs payload is not a complete gzip stream.
    InvalidGzip,
    /// A decoded or decompressed envelope payload is over the 64 MiB limit.
    PayloadTooLarge,
    /// An envelope that does not have the documented structure (a CloudWatch message without a
    /// `logEvents` array, a log event without a `message` string, ...).
    InvalidEnvelope,
    /// Host only: input bytes that are not UTF-8 and so cannot cross as a string.
    InvalidUtf8,
    /// Host only: the component trapped, or ran over its memory or time limit, on the record.
    ComponentTrap,
}

impl ErrorKind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::InvalidJson,
        ErrorKind::NotAnObject,
        ErrorKind::NotAnAuditEvent,
        ErrorKind::InvalidBase64,
        ErrorKind::InvalidGzip,
        ErrorKind::PayloadTooLarge,
        ErrorKind::InvalidEnvelope,
        ErrorKind::InvalidUtf8,
        ErrorKind::ComponentTrap,
    ];

    /// The keyword written to `error.type`.
    pub fn keyword(self) -> &'static str {
        match self {
            ErrorKind::InvalidJson => "invalid_json",
            ErrorKind::NotAnObject => "not_an_object",
            ErrorKind::NotAnAuditEvent => "not_an_audit_event",
            ErrorKind::InvalidBase64 => "invalid_base64",
            ErrorKind::InvalidGzip => "invalid_gzip",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::InvalidEnvelope => "invalid_envelope",
            ErrorKind::InvalidUtf8 => "invalid_utf8",
            ErrorKind::ComponentTrap => "component_trap",
        }
    }

    /// The kind whose keyword is `keyword`.
    pub fn from_keyword(keyword: &str) -> Option<ErrorKind> {
        ErrorKind::ALL
            .into_iter()
            .find(|kind| kind.keyword() == keyword)
    }

    /// Whether only hosts produce this kind (the core and the component never do).
    pub fn is_host_only(self) -> bool {
        matches!(self, ErrorKind::InvalidUtf8 | ErrorKind::ComponentTrap)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// Why a record, or one event inside it, could not be turned into an ECS document: its kind
/// and a human-readable sentence (with line and column where JSON is malformed).
///
/// A field of the wrong type *inside* a good audit event is never an error: that output field
/// is left out and the rest of the document is produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransformError {
    kind: ErrorKind,
    message: String,
    position: Option<(u32, u32)>,
}

impl TransformError {
    /// An error of `kind` with `message` (written to `error.message`).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        TransformError {
            kind,
            message: message.into(),
            position: None,
        }
    }

    /// The same error, with the 1-based line and column where the JSON is malformed.
    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.position = Some((line, column));
        self
    }

    /// Its kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The keyword written to `error.type` (`invalid_json`, `not_an_object`, ...).
    pub fn keyword(&self) -> &'static str {
        self.kind.keyword()
    }

    /// The sentence written to `error.message`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based line and column of a JSON syntax error, when the parser gave one.
    pub fn position(&self) -> Option<(u32, u32)> {
        self.position
    }

    /// The error for a `serde_json` failure while reading `source`: `invalid_json`, with the
    /// parser's own words and position.
    pub(crate) fn from_json(source: &dyn fmt::Display, error: &serde_json::Error) -> Self {
        let reason = error.to_string();
        // serde_json appends ` at line L column C`; the position is kept apart.
        let reason = reason
            .rfind(" at line ")
            .map_or(&reason[..], |at| &reason[..at]);
        let line = u32::try_from(error.line()).unwrap_or(u32::MAX);
        let column = u32::try_from(error.column()).unwrap_or(u32::MAX);
        let mut message = format!("{source} is not valid JSON: {reason}");
        if line > 0 {
            message.push_str(&format!(" at line {line} column {column}"));
            return TransformError::new(ErrorKind::InvalidJson, message).at(line, column);
        }
        TransformError::new(ErrorKind::InvalidJson, message)
    }

    /// `not_an_object`: `source` holds JSON of another type (`found`).
    pub(crate) fn not_an_object(source: &dyn fmt::Display, found: &str) -> Self {
        TransformError::new(
            ErrorKind::NotAnObject,
            format!("{source} is a JSON {found}, not an object"),
        )
    }

    /// `not_an_audit_event`, with what is missing or wrong.
    pub(crate) fn not_an_audit_event(reason: impl fmt::Display) -> Self {
        TransformError::new(
            ErrorKind::NotAnAuditEvent,
            format!("not a Kubernetes audit event: {reason}"),
        )
    }
}

impl fmt::Display for TransformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TransformError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_json_keeps_the_position_apart() {
        let error = serde_json::from_str::<serde_json::Value>("{\"a\":\n  tru}").unwrap_err();
        let error = TransformError::from_json(&"message", &error);
        assert_eq!(error.kind(), ErrorKind::InvalidJson);
        assert_eq!(error.position(), Some((2, 6)));
        assert_eq!(
            error.to_string(),
            "message is not valid JSON: expected ident at line 2 column 6"
        );
        assert_eq!(error.keyword(), "invalid_json");
    }

    #[test]
    fn every_kind_has_its_own_keyword() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_keyword(kind.keyword()), Some(kind));
        }
        let not_object = TransformError::not_an_object(&"the record", "array");
        assert_eq!(not_object.keyword(), "not_an_object");
        assert_eq!(
            not_object.to_string(),
            "the record is a JSON array, not an object"
        );
        assert_eq!(ErrorKind::from_keyword("event_list_in_filter"), None);
    }
}

//! Kubernetes API-server audit events to ECS (Elastic Common Schema) documents.
//!
//! The core of k8s-audit-ecs: pure Rust with no WebAssembly types, called alike by the
//! WebAssembly component (`src/component.rs`), the native tests and `host-test`. The mapping
//! it implements is specified in `mapping.md`; in short, each audit event becomes one document
//! saying who did what, to which object, from where, and whether it was allowed.
//!
//! ```
//! use k8s_audit_ecs::{Options, Transformer};
//!
//! let transformer = Transformer::new(Options::default());
//! let record = r#"{"message": "{\"auditID\":\"a1\",\"verb\":\"get\",\"user\":{\"username\":\"alice\"}}"}"#;
//! let documents = transformer.transform(record).unwrap();
//! assert_eq!(
//!     documents,
//!     [r#"{"message":"{\"auditID\":\"a1\",\"verb\":\"get\",\"user\":{\"username\":\"alice\"}}","event":{"code":"a1","action":"get"},"user":{"name":"alice"},"related":{"user":["alice"]}}"#]
//! );
//!
//! // A record that cannot be converted is written back with `error.*`, never dropped.
//! let error = transformer.transform("not json").unwrap_err();
//! assert_eq!(error.kind(), "invalid_json");
//! let passed = k8s_audit_ecs::error_document("not json", &error);
//! assert!(passed.starts_with(r#"{"message":"not json","error":{"type":"invalid_json""#));
//! ```

// No unsafe code of ours; the component shell allows it for the code wit-bindgen generates.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod document;
mod error;
mod event;
mod lenient;
mod profile;
mod prune;
mod shape;
mod timestamp;
pub mod user_agent;

#[cfg(not(target_family = "wasm"))]
pub mod compare;
#[cfg(not(target_family = "wasm"))]
pub mod fixture;

#[cfg(all(target_os = "wasi", target_env = "p2"))]
#[allow(unsafe_code)]
mod component;
#[cfg(all(target_os = "wasi", target_env = "p1"))]
#[allow(unsafe_code)]
pub mod fluent_bit;

use std::borrow::Cow;
use std::sync::Mutex;

pub use document::compact_json;
pub use error::TransformError;
pub use profile::Profile;

use document::{Fields, Node};
use event::AuditEvent;
use lenient::Shape as JsonShape;

/// How a [`Transformer`] reads records and what it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Which ECS fields to produce (default: [`Profile::Baseline`]).
    pub profile: Profile,
    /// The string field that holds the event text when the record has no `message` string
    /// (default: `log`, as log shippers' file inputs name it).
    pub event_field: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            profile: Profile::Baseline,
            event_field: "log".to_owned(),
        }
    }
}

/// Turns records holding Kubernetes audit events into ECS documents.
///
/// It keeps a bounded cache of parsed user agents; results never depend on it.
#[derive(Debug)]
pub struct Transformer {
    options: Options,
    user_agents: Mutex<user_agent::Cache>,
}

impl Clone for Transformer {
    fn clone(&self) -> Self {
        Transformer::new(self.options.clone())
    }
}

impl Transformer {
    /// A transformer with the given options.
    pub fn new(options: Options) -> Self {
        Transformer {
            options,
            user_agents: Mutex::default(),
        }
    }

    /// The user-agent families of `text`, from the cache when it can be had.
    fn parse_user_agent(&self, text: &str) -> user_agent::UserAgentFields {
        match self.user_agents.try_lock() {
            Ok(mut cache) => cache.parse(text),
            Err(_) => user_agent::parse(text),
        }
    }

    /// The options this transformer was built with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Converts one record (a JSON object, as text) into ECS documents, each one line of
    /// compact JSON: one document for an audit event, one per item for an `EventList`.
    ///
    /// # Errors
    ///
    /// The record, or the event text found in it, is not JSON, not an object, or not an audit
    /// event. [`error_document`] turns the record and the error into the pass-through document.
    pub fn transform(&self, record: &str) -> Result<Vec<String>, TransformError> {
        let mut documents = Vec::with_capacity(1);
        self.convert(record, &mut |document, size_hint| {
            documents.push(document.to_json(size_hint));
        })?;
        Ok(documents)
    }

    /// Like [`Transformer::transform`], but appends the documents to `out`, each followed by
    /// `\n`, and returns how many there were: a host that reuses `out` allocates nothing per
    /// document. On error `out` is left as it was.
    ///
    /// # Errors
    ///
    /// As [`Transformer::transform`].
    pub fn transform_into(&self, record: &str, out: &mut String) -> Result<usize, TransformError> {
        let start = out.len();
        let mut count = 0;
        let converted = self.convert(record, &mut |document, _| {
            document.write_json(out);
            out.push('\n');
            count += 1;
        });
        match converted {
            Ok(()) => Ok(count),
            Err(error) => {
                out.truncate(start);
                Err(error)
            }
        }
    }

    /// Converts newline-delimited records (NDJSON, as a log file holds them): each line is one
    /// record (a trailing `\r` is dropped; the last line needs no `\n`). Appends every
    /// record's documents to `out` in input order, one per line; a record that fails is
    /// written through as its [`error_document`] and listed in the summary's failures, so
    /// every line gives at least one output line, or none for an empty `EventList`.
    pub fn transform_lines(&self, text: &str, out: &mut String) -> LinesSummary {
        let mut summary = LinesSummary::default();
        for (index, record) in ndjson_records(text).enumerate() {
            summary.records += 1;
            match self.transform_into(record, out) {
                Ok(count) => summary.documents += count,
                Err(error) => {
                    out.push_str(&error_document(record, &error));
                    out.push('\n');
                    summary.failures.push(LineFailure {
                        line: index + 1,
                        error,
                    });
                }
            }
        }
        summary
    }

    /// Finds the event (or the events of an `EventList`) in `record` and hands each output
    /// document to `emit`, with the size it is expected to have. On error, some documents of
    /// an `EventList` may have been emitted already.
    fn convert(
        &self,
        record: &str,
        emit: &mut dyn FnMut(&Fields<'_>, usize),
    ) -> Result<(), TransformError> {
        let mut fields = Fields::parse_object(record, "the record")?;
        let found = shape::locate(record, &mut fields, &self.options.event_field);
        let event = parse_event(&found.text, &found.source)?;
        if event.is_event_list() {
            let items = event
                .items
                .0
                .ok_or_else(|| TransformError::NotAnAuditEvent {
                    reason: format!("{} is an EventList without an `items` array", found.source),
                })?;
            for (index, item) in items.iter().enumerate() {
                let source = format_args!("item {index} of the EventList");
                let event = parse_event(item.get(), &source)?;
                if !event.is_event() {
                    return Err(not_an_event(&source));
                }
                let document = self.document(shape::message_only(item.get()), &event);
                emit(&document, item.get().len());
            }
            return Ok(());
        }
        if !event.is_event() {
            return Err(match found.shape {
                shape::Shape::Bare => TransformError::NotAnAuditEvent {
                    reason: format!(
                        "the record has no `message` or `{}` string field and is not an audit event itself (no `auditID`, and `kind` is not `Event`)",
                        self.options.event_field
                    ),
                },
                shape::Shape::Wrapped => not_an_event(&found.source),
            });
        }
        let base = match found.shape {
            shape::Shape::Wrapped => fields,
            shape::Shape::Bare => shape::message_only(record),
        };
        emit(&self.document(base, &event), record.len());
        Ok(())
    }

    /// Like [`Transformer::transform`], but a record that fails yields its pass-through
    /// document ([`error_document`]) and the error: what a host writes when nothing may be lost.
    pub fn transform_or_pass_through(&self, record: &str) -> (Vec<String>, Option<TransformError>) {
        match self.transform(record) {
            Ok(documents) => (documents, None),
            Err(error) => (vec![error_document(record, &error)], Some(error)),
        }
    }

    /// The output document: `base` with the profile's fields for `event` deep-merged in.
    fn document<'a>(&self, mut base: Fields<'a>, event: &AuditEvent<'a>) -> Fields<'a> {
        // Room for every top-level object the extended profile produces.
        let mut produced = Fields::with_capacity(16);
        self.options
            .profile
            .apply(event, &mut produced, &|text| self.parse_user_agent(text));
        base.merge(produced);
        base
    }
}

/// The records of NDJSON text, as [`Transformer::transform_lines`] reads them: one per line,
/// a trailing `\r` dropped, the last line with or without its line feed.
pub fn ndjson_records(text: &str) -> impl Iterator<Item = &str> {
    text.split_terminator('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
}

/// What [`Transformer::transform_lines`] did.
#[derive(Debug, Default)]
pub struct LinesSummary {
    /// Records (lines) read.
    pub records: usize,
    /// Documents written for the records that converted.
    pub documents: usize,
    /// The records that failed, in input order; their pass-through documents were written.
    pub failures: Vec<LineFailure>,
}

/// A record of [`Transformer::transform_lines`] that failed.
#[derive(Debug)]
pub struct LineFailure {
    /// Its line number, from 1.
    pub line: usize,
    /// Why it failed.
    pub error: TransformError,
}

fn not_an_event(source: &dyn std::fmt::Display) -> TransformError {
    TransformError::NotAnAuditEvent {
        reason: format!(
            "{source} holds an object with no `auditID` whose `kind` is not `Event` or `EventList`"
        ),
    }
}

/// Reads an event text; `source` names it in errors.
fn parse_event<'t>(
    text: &'t str,
    source: &dyn std::fmt::Display,
) -> Result<AuditEvent<'t>, TransformError> {
    match serde_json::from_str::<JsonShape<AuditEvent<'t>>>(text) {
        Ok(JsonShape::Object(event)) => Ok(event),
        Ok(JsonShape::Other(found)) => Err(TransformError::NotAnObject {
            source: source.to_string(),
            found: found.name(),
        }),
        Err(error) => Err(TransformError::from_json(&source.to_string(), &error)),
    }
}

/// The document written for a record that could not be converted: the record as it came,
/// with `error.type` ([`TransformError::kind`]) and `error.message` added, so nothing is lost.
/// A record that is not a JSON object becomes `{"message": <record>, "error": {...}}`.
pub fn error_document(record: &str, error: &TransformError) -> String {
    error_document_with(record, error.kind(), &error.to_string())
}

/// [`error_document`] from an error's keyword and message, for hosts that received the error
/// across an ABI (the WIT `transform-error`) rather than as a [`TransformError`].
pub fn error_document_with(record: &str, kind: &str, message: &str) -> String {
    let mut document = match Fields::parse_object(record, "the record") {
        Ok(fields) => fields,
        Err(_) => shape::message_only(record),
    };
    let mut produced = Fields::default();
    produced.set(&["error", "type"], Node::Text(Cow::Borrowed(kind)));
    produced.set(&["error", "message"], Node::Text(Cow::Borrowed(message)));
    document.merge(produced);
    document.to_json(record.len())
}

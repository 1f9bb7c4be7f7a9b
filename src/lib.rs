//! Kubernetes API-server audit events to ECS (Elastic Common Schema) documents.
//!
//! The core of k8s-audit-ecs: pure Rust with no WebAssembly types, called alike by the
//! WebAssembly component (`src/component.rs`), the Fluent Bit module (`src/fluent_bit.rs`),
//! the native tests and `host-test`. The mapping it implements is specified in the
//! repository's `docs/` folder; in short, each audit event becomes one document saying who
//! did what, to which object, from where, and whether it was allowed.
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
//! assert_eq!(error.keyword(), "invalid_json");
//! let passed = k8s_audit_ecs::error_document("not json", &error);
//! assert!(passed.starts_with(r#"{"message":"not json","error":{"type":"invalid_json""#));
//! ```

// No unsafe code of ours; the component shell allows it for the code wit-bindgen generates.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod convert;
mod document;
mod error;
mod event;
mod fnv;
mod json_text;
mod layout;
mod lenient;
mod profile;
mod prune;
mod records;
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

pub use error::{ErrorKind, TransformError};
pub use fnv::fnv1a;
pub use json_text::compact_json;
pub use profile::Profile;
pub use records::{MAX_SPREAD_RECORD_BYTES, Records, TextEnd, lines, records};
pub use shape::MAX_PAYLOAD;

use convert::Output;
use document::{Fields, Node};

/// How a [`Transformer`] reads records and what it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Which ECS fields to produce (default: [`Profile::Baseline`]).
    pub profile: Profile,
    /// The string field that holds the event text when the record has no `message` string
    /// (default: `log`, as log shippers' file inputs name it).
    pub event_field: String,
    /// The cluster the events come from, written as `orchestrator.cluster.name` by the `ecs`
    /// profile and `unmapped.cluster_name` by `ocsf`, where the record's envelope names no
    /// cluster (audit events do not name it).
    pub cluster_name: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            profile: Profile::Baseline,
            event_field: "log".to_owned(),
            cluster_name: None,
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
    /// How produced fields group into objects, by sequence of paths (`layout`).
    layouts: Mutex<layout::Layouts>,
    /// The buffers each document's produced fields are built in, reused from one document to
    /// the next (`layout::Scratch`).
    scratch: Mutex<layout::Scratch>,
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
            layouts: Mutex::default(),
            scratch: Mutex::default(),
        }
    }

    /// The user-agent families of `text`, from the cache when it can be had.
    fn parse_user_agent(&self, text: &str) -> user_agent::UserAgentFields {
        match self.user_agents.try_lock() {
            Ok(mut cache) => cache.parse(text),
            Err(_) => user_agent::parse(text),
        }
    }

    /// How `produced` groups into objects, from the cache when it can be had (computed anew
    /// when another thread holds it); `None` when its paths need the tree.
    fn layout(&self, produced: &layout::Produced<'_>) -> Option<std::sync::Arc<layout::Layout>> {
        match self.layouts.try_lock() {
            Ok(mut layouts) => layouts.get(produced),
            Err(_) => layout::Layouts::default().get(produced),
        }
    }

    /// The buffers for a document's produced fields: the kept ones, or new ones when another
    /// thread holds them.
    fn take_scratch(&self) -> layout::Scratch {
        match self.scratch.try_lock() {
            Ok(mut kept) => std::mem::take(&mut *kept),
            Err(_) => layout::Scratch::default(),
        }
    }

    /// Keeps a document's buffers for the next one, unless they grew large or another thread
    /// holds the kept ones.
    fn keep_scratch(&self, scratch: layout::Scratch) {
        if scratch.worth_keeping()
            && let Ok(mut kept) = self.scratch.try_lock()
        {
            *kept = scratch;
        }
    }

    /// The options this transformer was built with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Converts one record (a JSON object, as text) into its documents, each one line of
    /// compact JSON, in order: one for an audit event, one per item of an `EventList`, one per
    /// event of a cloud envelope (none for an empty one). An event of an `EventList` or an
    /// envelope that fails on its own is given as its error document
    /// (`{"message": <its text>, "error": {...}}`) in its place.
    ///
    /// # Errors
    ///
    /// The record as a whole cannot be read: it, or the event text found in it, is not JSON,
    /// not an object, or not an audit event; or its envelope cannot be decoded.
    /// [`error_document`] turns the record and the error into the pass-through document.
    pub fn transform(&self, record: &str) -> Result<Vec<String>, TransformError> {
        self.transform_record(record).map(|record| record.documents)
    }

    /// Like [`Transformer::transform`], and says which documents are the error documents of
    /// events that failed on their own.
    ///
    /// # Errors
    ///
    /// As [`Transformer::transform`].
    pub fn transform_record(&self, record: &str) -> Result<Documents, TransformError> {
        let mut converted = Documents::default();
        self.convert(record, &mut |output| match output {
            Output::Document(document, size_hint) => {
                converted.documents.push(document.to_json(size_hint));
            }
            Output::Failed { text, error } => {
                converted.documents.push(event_error_document(text, &error));
                converted.failures.push(EventFailure {
                    index: converted.documents.len() - 1,
                    error,
                });
            }
        })?;
        Ok(converted)
    }

    /// Like [`Transformer::transform`], but appends the documents to `out`, each followed by
    /// `\n`, and says what was written: no `String` per document is returned, so a host that
    /// reuses `out` saves that copy. A document's produced fields, the texts a profile composes
    /// (timestamps, the description) and its lists of strings are built in buffers the
    /// transformer keeps from one document to the next; what a document still allocates is
    /// the reading of its record and event (their member lists, a decoded event text) and
    /// some objects a profile builds (OCSF's lists). On error `out` is left as it was.
    ///
    /// # Errors
    ///
    /// As [`Transformer::transform`].
    pub fn transform_into(
        &self,
        record: &str,
        out: &mut String,
    ) -> Result<Written, TransformError> {
        let start = out.len();
        let mut written = Written::default();
        let result = self.convert(record, &mut |output| {
            match output {
                Output::Document(document, _) => {
                    document.write_json(out);
                    written.converted += 1;
                }
                Output::Failed { text, error } => {
                    out.push_str(&event_error_document(text, &error));
                    written.failures.push(EventFailure {
                        index: written.converted + written.failures.len(),
                        error,
                    });
                }
            }
            out.push('\n');
        });
        match result {
            Ok(()) => Ok(written),
            Err(error) => {
                out.truncate(start);
                Err(error)
            }
        }
    }

    /// Converts a text of records ([`records`]: one per line, several objects run together on
    /// a line, a value spread over lines) and appends every record's documents to `out` in
    /// input order, one per line. A record that fails as a whole is written through as its
    /// [`error_document`]; every failure, of a record or of one event inside it, is listed in
    /// the summary. The text is the end of the input.
    pub fn transform_lines(&self, text: &str, out: &mut String) -> LinesSummary {
        self.transform_text(text, TextEnd::Final, out)
    }

    /// [`Transformer::transform_lines`] for a stream read in pieces: with [`TextEnd::More`], a
    /// value spread over lines that the text cuts off is not converted, and
    /// [`LinesSummary::unconverted`] says how many bytes at its end to give again, in front of
    /// the next piece.
    pub fn transform_text(&self, text: &str, end: TextEnd, out: &mut String) -> LinesSummary {
        let mut summary = LinesSummary::default();
        let mut records = Records::new(text, end);
        for (line, record) in records.by_ref() {
            summary.records += 1;
            match self.transform_into(&record, out) {
                Ok(written) => {
                    summary.converted += written.converted;
                    if written.is_empty() {
                        summary.skipped += 1;
                    }
                    summary
                        .failures
                        .extend(written.failures.into_iter().map(|failure| LineFailure {
                            line,
                            event: Some(failure.index),
                            error: failure.error,
                        }));
                }
                Err(error) => {
                    out.push_str(&error_document(&record, &error));
                    out.push('\n');
                    summary.failures.push(LineFailure {
                        line,
                        event: None,
                        error,
                    });
                }
            }
        }
        summary.unconverted = records.unconverted();
        summary
    }

    /// Like [`Transformer::transform`], but a record that fails yields its pass-through
    /// document ([`error_document`]) and the error: what a host writes when nothing may be lost.
    pub fn transform_or_pass_through(&self, record: &str) -> (Vec<String>, Option<TransformError>) {
        match self.transform(record) {
            Ok(documents) => (documents, None),
            Err(error) => (vec![error_document(record, &error)], Some(error)),
        }
    }
}

/// A record's documents ([`Transformer::transform_record`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Documents {
    /// The documents, in order, one line of compact JSON each, with the error documents of
    /// events that failed on their own in their places.
    pub documents: Vec<String>,
    /// The events that failed on their own, in order, each with its position in `documents`.
    pub failures: Vec<EventFailure>,
}

/// What [`Transformer::transform_into`] wrote for one record. (The WIT's `converted` record is
/// [`Documents`]: the document texts themselves.)
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Written {
    /// How many documents were written for events that converted (the WIT's and
    /// [`LinesSummary`]'s word too).
    pub converted: usize,
    /// The events that failed on their own, in order; their error documents were written in
    /// their place.
    pub failures: Vec<EventFailure>,
}

impl Written {
    /// How many lines were written: documents and error documents.
    pub fn lines(&self) -> usize {
        self.converted + self.failures.len()
    }

    /// Whether the record yielded nothing at all (a CloudWatch `CONTROL_MESSAGE`, an empty
    /// envelope or `EventList`): such a record is *skipped*, not failed.
    pub fn is_empty(&self) -> bool {
        self.lines() == 0
    }
}

/// An event that failed on its own inside a record that converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFailure {
    /// Its position among the lines written for the record, from 0.
    pub index: usize,
    /// Why it failed.
    pub error: TransformError,
}

/// What [`Transformer::transform_lines`] did.
#[derive(Debug, Default)]
pub struct LinesSummary {
    /// Records read.
    pub records: usize,
    /// How many documents were written for events that converted (error documents are not
    /// counted): the WIT's `lines-output.converted`.
    pub converted: usize,
    /// Records that yielded nothing (not failures).
    pub skipped: usize,
    /// Every failure, in input order: records passed through with `error.*`, and events that
    /// failed on their own. Each wrote one line.
    pub failures: Vec<LineFailure>,
    /// With [`TextEnd::More`]: how many bytes at the end of the text were not read, because a
    /// value spread over lines opens there and may close in the text that follows.
    pub unconverted: usize,
}

/// A failure in a text of records: a whole record, or one event inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFailure {
    /// The line the record stands on, from 1.
    pub line: usize,
    /// For an event that failed on its own: its position among the record's lines, from 0;
    /// `None` when the whole record failed.
    pub event: Option<usize>,
    /// Why it failed.
    pub error: TransformError,
}

/// The document written for a record that could not be converted: the record as it came,
/// with `error.type` ([`TransformError::keyword`]) and `error.message` added, so nothing is
/// lost. A record that is not a JSON object becomes `{"message": <record>, "error": {...}}`.
pub fn error_document(record: &str, error: &TransformError) -> String {
    let mut document = match Fields::parse_object(record, &"the record") {
        Ok(fields) => fields,
        Err(_) => message_only(record),
    };
    document.merge(error_fields(error));
    document.to_json(record.len())
}

/// The document written in place of an event that failed on its own inside a record (an
/// `EventList` item, an event of a cloud envelope): `{"message": <its text>, "error": {...}}`,
/// with nothing else.
pub fn event_error_document(text: &str, error: &TransformError) -> String {
    let mut document = message_only(text);
    document.merge(error_fields(error));
    document.to_json(text.len())
}

/// `{"message": <text>}`.
fn message_only(text: &str) -> Fields<'_> {
    let mut fields = Fields::with_capacity(2);
    fields.insert(Cow::Borrowed("message"), Node::Text(Cow::Borrowed(text)));
    fields
}

/// `error.type` and `error.message`.
fn error_fields(error: &TransformError) -> Fields<'_> {
    let mut fields = Fields::default();
    fields.set(
        &["error", "type"],
        Node::Text(Cow::Borrowed(error.keyword())),
    );
    fields.set(
        &["error", "message"],
        Node::Text(Cow::Borrowed(error.message())),
    );
    fields
}

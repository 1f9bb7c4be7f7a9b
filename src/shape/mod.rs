//! Record shapes: where a record's audit events are, what each document starts from, and what
//! metadata the shape adds (docs/record-shapes.md).
//!
//! A record is read by the first shape that recognises it, in the order of [`read`]. Each
//! shape is a small module that turns the record into items — an event text to convert, with
//! its document's start and metadata, or a failure that stands in its place — and hands them
//! one by one to the conversion loop (`crate::convert`), which is the only place that turns
//! items into documents and error documents.

mod bare;
mod cloudwatch;
mod decode;
mod event_hub;
pub(crate) mod event_list;
mod gke;
mod metadata;
mod openshift;
mod pubsub;
mod wrapped;

pub use decode::MAX_PAYLOAD;

use std::borrow::Cow;
use std::fmt;

use crate::TransformError;
use crate::document::Fields;
use crate::lenient::Member;

pub(crate) use metadata::Metadata;

/// Something found in a record: an event text to convert, or a failure in its place.
pub(crate) enum Item<'t> {
    /// An event text (an audit event, or an `EventList` of them).
    Event(Found<'t>),
    /// A part of an envelope that failed on its own: it yields the error document
    /// `{"message": <text>, "error": {...}}` and the record's other events still convert.
    Failed {
        /// The failed part's exact text.
        text: &'t str,
        /// Why it failed.
        error: TransformError,
    },
}

/// An event text found in a record.
pub(crate) struct Found<'t> {
    /// The JSON text to read as the audit event (unescaped when it came from a string).
    pub(crate) text: &'t str,
    /// The text the document keeps as the event's own: in `message`, or in `event.original`
    /// (ecs). Usually the event text itself.
    pub(crate) original: Original<'t>,
    /// What was around the event text: the record that held it in a field, or nothing.
    pub(crate) surround: Surround<'t>,
    /// Names the text in error messages.
    pub(crate) source: Source<'t>,
    /// What a failure of this text fails.
    pub(crate) scope: Scope,
    /// What the shape adds to the document (`cloud.*`, `orchestrator.cluster.*`).
    pub(crate) metadata: &'t Metadata<'t>,
    /// For an item of an `EventList`: the list's `apiVersion`.
    pub(crate) list_api_version: Option<&'t str>,
    /// The event text's members, when the shape has already read them (a bare record is its
    /// own event: it is not parsed twice).
    pub(crate) members: Option<Vec<Member<'t>>>,
}

/// The event's own text, as the document keeps it.
#[derive(Clone, Copy)]
pub(crate) enum Original<'t> {
    /// The JSON string token of a record field whose value is the event text: written back
    /// exactly as received.
    Token(&'t str),
    /// The text itself (written as a JSON string).
    Text(&'t str),
}

impl<'t> Original<'t> {
    /// The text, for an error document (a token is decoded again; it decoded once already).
    pub(crate) fn text(&self, event_text: &'t str) -> &'t str {
        match self {
            Original::Token(_) => event_text,
            Original::Text(text) => text,
        }
    }
}

/// What was around an event text in its record. The profile's start
/// ([`crate::profile::Start`]) decides what the document keeps of it.
pub(crate) enum Surround<'t> {
    /// The record as received (its event text in `field`): a `message`-wrapped record, or one
    /// whose configured field holds the event; its other fields stay beside the event.
    Record {
        /// The record's fields, each kept as its exact text.
        fields: Fields<'t>,
        /// The field that holds the event text.
        field: Cow<'t, str>,
    },
    /// Only the event text (a bare event, an `EventList` item, an event of an envelope):
    /// nothing else of the record is kept.
    EventText,
}

/// What fails when an event text cannot be read as an audit event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The whole record: it is passed through with `error.*` (the plain record shapes).
    Record,
    /// Only this event: its error document stands in its place (envelopes, `EventList` items).
    Event,
}

/// What held an event text, for error messages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source<'t> {
    /// A string field of the record (`message`, or the configured field).
    Field(&'t str),
    /// The record itself; `event_field` is the configured field it did not have.
    Record {
        /// The configured event field.
        event_field: &'t str,
    },
    /// Item `n` (from 0) of an `EventList`.
    ListItem(usize),
    /// The `message` of CloudWatch log event `n`.
    LogEvent(usize),
    /// A diagnostic record: item `n` of an Event Hub body, or a record on its own.
    DiagnosticRecord(Option<usize>),
    /// The `properties.log` of that diagnostic record.
    DiagnosticLog(Option<usize>),
    /// A GKE LogEntry's rebuilt event.
    LogEntry,
}

impl fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Field(name) => write!(f, "the `{name}` field"),
            Source::Record { .. } => f.write_str("the record"),
            Source::ListItem(index) => write!(f, "item {index} of the EventList"),
            Source::LogEvent(index) => write!(f, "the `message` of logEvents[{index}]"),
            Source::DiagnosticRecord(Some(index)) => write!(f, "records[{index}]"),
            Source::DiagnosticRecord(None) => f.write_str("the diagnostic record"),
            Source::DiagnosticLog(Some(index)) => {
                write!(f, "the `properties.log` of records[{index}]")
            }
            Source::DiagnosticLog(None) => f.write_str("its `properties.log`"),
            Source::LogEntry => f.write_str("the LogEntry"),
        }
    }
}

impl Source<'_> {
    /// Why a text from here that is an object but not an audit event was refused.
    pub(crate) fn not_an_event(&self) -> TransformError {
        match self {
            Source::Record { event_field } => TransformError::not_an_audit_event(format_args!(
                "the record has no `message` or `{event_field}` string field and is not an audit event itself (no `auditID`, and `kind` is not `Event`)"
            )),
            Source::ListItem(_) => TransformError::not_an_audit_event(format_args!(
                "{self} has no `auditID` and its `kind` is not `Event`"
            )),
            _ => TransformError::not_an_audit_event(format_args!(
                "{self} holds an object with no `auditID` whose `kind` is not `Event` or `EventList`"
            )),
        }
    }
}

/// How the transformer reads records.
pub(crate) struct ReadOptions<'o> {
    /// The string field that holds the event when a record has no `message` string.
    pub(crate) event_field: &'o str,
    /// Whether a Pub/Sub push request is unwrapped (not inside one: a doubly wrapped message
    /// is read by the shapes that follow).
    pub(crate) unwrap_pubsub: bool,
}

/// Receives the items of a record, in order; an error fails the whole record.
pub(crate) type Visit<'v> = dyn FnMut(Item<'_>) -> Result<(), TransformError> + 'v;

/// Reads a record and hands its items to `visit`, in order. After an optional byte order
/// mark, the first of these that recognises the record reads it (content decides, never a
/// name such as a log group or a category):
///
/// | rule | the record | read by |
/// | --- | --- | --- |
/// | a | `awslogs` is an object with a string `data` | [`cloudwatch`] (as a Lambda receives it) |
/// | b | has the keys `messageType` and `logEvents` | [`cloudwatch`] (decoded) |
/// | c | `message` is an object with a string `data`, and a `subscription` key | [`pubsub`] |
/// | d | a `records` array | [`event_hub`] (an Event Hub body) |
/// | d′ | a `category` key and a `properties` object with a `log` member | [`event_hub`] (one record) |
/// | e | `protoPayload.serviceName` is `k8s.io` | [`gke`] |
/// | f | a string `message`, then the configured string field | [`wrapped`] |
/// | f | anything else: the record itself | [`bare`] (with [`openshift`]'s metadata) |
///
/// A record that is not a JSON object, or an envelope that cannot itself be read, fails
/// whole, before any item.
pub(crate) fn read(
    record: &str,
    options: &ReadOptions<'_>,
    visit: &mut Visit<'_>,
) -> Result<(), TransformError> {
    let record_text = strip_bom(record);
    // An Event Hub body is read in one pass when nothing earlier in the order applies.
    if let Some(read) = event_hub::read_body(record_text, visit) {
        return read;
    }
    // The common case, a `message`-wrapped record, is read in one pass over its event text.
    if let Some((fields, wrapped)) = wrapped::read_plain(record_text, options.event_field) {
        return visit_wrapped(fields, &wrapped, visit);
    }
    let source = Source::Record {
        event_field: options.event_field,
    };
    let mut fields = Fields::parse_object(record_text, &source)?;
    if let Some(data) = cloudwatch::lambda_data(&fields) {
        return cloudwatch::read_lambda(&data, visit);
    }
    if cloudwatch::is_message(&fields) {
        return cloudwatch::read_message(&fields, visit);
    }
    if options.unwrap_pubsub
        && let Some(data) = pubsub::data(&fields)
    {
        return pubsub::read(&data, options, visit);
    }
    if let Some(records) = event_hub::records(&fields) {
        return event_hub::read_records(records, visit);
    }
    if event_hub::is_diagnostic_record(&fields) {
        return event_hub::read_record(record_text, None, visit);
    }
    if gke::is_entry(&fields) {
        return gke::read(record_text, visit);
    }
    if let Some(wrapped) = wrapped::find(&mut fields, options.event_field) {
        return visit_wrapped(fields, &wrapped, visit);
    }
    let metadata = openshift::metadata(&fields);
    visit(Item::Event(bare::found(
        record_text,
        fields,
        source,
        &metadata,
    )))
}

/// Hands the event of a record whose field holds it to `visit`.
fn visit_wrapped<'r>(
    fields: Fields<'r>,
    wrapped: &wrapped::Wrapped<'r>,
    visit: &mut Visit<'_>,
) -> Result<(), TransformError> {
    visit(Item::Event(Found {
        text: &wrapped.text,
        original: Original::Token(wrapped.token),
        surround: Surround::Record {
            fields,
            field: Cow::Borrowed(wrapped.field),
        },
        source: Source::Field(wrapped.field),
        scope: Scope::Record,
        metadata: &Metadata::NONE,
        list_api_version: None,
        members: None,
    }))
}

/// The record's text after an optional UTF-8 byte order mark.
pub(crate) fn strip_bom(record: &str) -> &str {
    record.strip_prefix('\u{feff}').unwrap_or(record)
}

//! Record shapes: where a record's audit event is, and what its output starts from
//! (mapping.md, "Input record").

use std::borrow::Cow;

use crate::document::{Fields, Node};
use crate::lenient::Key;

/// The shape of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The event is the text of a string field (`message`, or the configured field): the
    /// output starts from the record as received.
    Wrapped,
    /// The record is the event itself: the output starts from `{"message": <record text>}`.
    Bare,
}

/// What held an event's text; written into error messages only when there is an error.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source<'r> {
    /// A string field of the record.
    Field(&'r str),
    /// The record itself.
    Record,
}

impl std::fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Field(name) => write!(f, "the `{name}` field"),
            Source::Record => f.write_str("the record"),
        }
    }
}

/// An audit event's text, found in a record.
#[derive(Debug)]
pub(crate) struct Found<'r> {
    /// The event's JSON text, unescaped when it came from a string field.
    pub(crate) text: Cow<'r, str>,
    /// What held the text, for error messages.
    pub(crate) source: Source<'r>,
    /// The record's shape.
    pub(crate) shape: Shape,
}

/// Finds the event text in a record: the `message` string field, else the `event_field`
/// string field, else the record itself. The field found is marked as decoded, so writing it
/// back skips the checks a record field otherwise gets.
pub(crate) fn locate<'r>(
    record: &'r str,
    fields: &mut Fields<'r>,
    event_field: &'r str,
) -> Found<'r> {
    for name in ["message", event_field] {
        if let Some(text) = decode_string_field(fields, name) {
            return Found {
                text,
                source: Source::Field(name),
                shape: Shape::Wrapped,
            };
        }
    }
    Found {
        text: Cow::Borrowed(record),
        source: Source::Record,
        shape: Shape::Bare,
    }
}

/// The unescaped value of a top-level string field, which is then marked
/// [`Node::DecodedString`].
fn decode_string_field<'r>(fields: &mut Fields<'r>, name: &str) -> Option<Cow<'r, str>> {
    let node = fields.get_mut(name)?;
    let Node::Raw(raw) = *node else {
        return None;
    };
    let text = raw.get();
    if !text.starts_with('"') {
        return None;
    }
    let decoded = serde_json::from_str::<Key<'r>>(text).ok()?.0;
    *node = Node::DecodedString(raw);
    Some(decoded)
}

/// The fields an output starts from when the event is not wrapped in the record:
/// `{"message": <text>}`.
pub(crate) fn message_only(text: &str) -> Fields<'_> {
    let mut fields = Fields::default();
    fields.insert(Cow::Borrowed("message"), Node::Text(Cow::Borrowed(text)));
    fields
}

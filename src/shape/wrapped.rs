//! The event is the text of a string field: `message` (the intake shape of the documented
//! samples), else the configured field (`log` by default, as log shippers name a line). The
//! document starts from the record as received.

use std::borrow::Cow;

use serde_json::value::RawValue;

use crate::document::{Fields, Node};
use crate::json_text::decode_string;

/// A record field that holds the event text.
pub(crate) struct Wrapped<'r> {
    /// The field's name.
    pub(crate) field: &'r str,
    /// The event text: the field's value, unescaped.
    pub(crate) text: Cow<'r, str>,
    /// The field's JSON string token, exactly as received.
    pub(crate) token: &'r RawValue,
}

/// The `message` string field, else the `event_field` string field, of a record. The field
/// found is marked as decoded, so writing it back skips the checks a record field otherwise
/// gets. A field of another type is not looked at.
pub(crate) fn find<'r>(fields: &mut Fields<'r>, event_field: &'r str) -> Option<Wrapped<'r>> {
    ["message", event_field]
        .into_iter()
        .find_map(|field| decode_string_field(fields, field))
}

/// The unescaped value of a top-level string field, which is then marked
/// [`Node::Verbatim`].
fn decode_string_field<'r>(fields: &mut Fields<'r>, field: &'r str) -> Option<Wrapped<'r>> {
    let node = fields.get_mut(field)?;
    let Node::Raw(token) = *node else {
        return None;
    };
    let text = decode_string(token.get())?;
    *node = Node::Verbatim(token.get());
    Some(Wrapped { field, text, token })
}

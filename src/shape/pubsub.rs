//! GKE through Pub/Sub push (docs/record-shapes.md, "GKE through Pub/Sub push"): a push
//! subscription POSTs `{"message": {"data": base64, ...}, "subscription": ...}`. The decoded
//! data is a record again (normally a GKE LogEntry) and is read once more by every shape but
//! this one.

use std::borrow::Cow;

use super::{Item, ReadOptions, Visit, decode};
use crate::TransformError;
use crate::document::Fields;
use crate::lenient::{AnyString, Object, lenient_struct};

lenient_struct! {
    /// The pushed message.
    pub(crate) struct PushedMessage<'a> {
        "data" => data: AnyString<'a>,
    }
}

/// Rule (c): `message` is an object with a string `data`, and there is a `subscription` key.
pub(crate) fn data<'r>(fields: &Fields<'r>) -> Option<Cow<'r, str>> {
    fields.get("subscription")?;
    let raw = fields.raw("message")?;
    let Object(Some(message)) =
        serde_json::from_str::<Object<PushedMessage<'r>>>(raw.get()).ok()?
    else {
        return None;
    };
    message.data.0
}

/// Decodes the data and reads it as a record. The push record fails whole only when its data
/// cannot be decoded; when the decoded record fails, it yields one error document holding the
/// decoded text.
pub(crate) fn read(
    data: &str,
    options: &ReadOptions<'_>,
    visit: &mut Visit<'_>,
) -> Result<(), TransformError> {
    let bytes = decode::base64(data, "the Pub/Sub `message.data`")?;
    let text = decode::utf8(bytes, "the decoded Pub/Sub `message.data`")?;
    let inner = ReadOptions {
        event_field: options.event_field,
        unwrap_pubsub: false,
    };
    // A failure of the decoded record as a whole (not JSON, not an event or LogEntry...) is
    // reported in its place; its events' own failures come through `visit` as they are.
    match super::read(&text, &inner, visit) {
        Err(error) => visit(Item::Failed { text: &text, error }),
        Ok(()) => Ok(()),
    }
}

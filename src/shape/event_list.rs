//! A webhook batch (`kind: EventList`): each item of `items` is an event of its own. An item
//! starts its document from `{"message": <its exact text in the batch>}`; an item that is not
//! an audit event yields its own error document in its place, and the other items convert.

use serde_json::value::RawValue;

use super::{Found, Original, Scope, Source, Surround};
use crate::TransformError;
use crate::event::AuditEvent;

/// The items of the `EventList` read from `found`; an error (for `found`'s scope to fail) when
/// it has no `items` array.
pub(crate) fn items<'l>(
    list: &'l AuditEvent<'_>,
    found: &Found<'_>,
) -> Result<&'l [&'l RawValue], TransformError> {
    list.items.0.as_deref().ok_or_else(|| {
        TransformError::not_an_audit_event(format_args!(
            "{} is an EventList without an `items` array",
            found.source
        ))
    })
}

/// Item `index` of the list read from `found`, as an event text of its own.
pub(crate) fn item<'t>(
    text: &'t str,
    index: usize,
    list: &'t AuditEvent<'_>,
    found: &Found<'t>,
) -> Found<'t> {
    Found {
        text,
        original: Original::Text(text),
        surround: Surround::EventText,
        source: Source::ListItem(index),
        scope: Scope::Event,
        metadata: found.metadata,
        list_api_version: list.api_version.as_deref(),
        members: None,
    }
}

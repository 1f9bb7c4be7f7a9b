//! The record is the audit event itself (or an `EventList`), as an API server's log backend
//! writes it. The document starts from `{"message": <the record's exact text>}`: the event's
//! own fields are not copied to the top level, where names such as `user` would collide with
//! ECS fields.

use super::{Found, Metadata, Original, Scope, Source, Start};

/// The record's whole text as the event text.
pub(crate) fn found<'r>(
    record: &'r str,
    source: Source<'r>,
    metadata: &'r Metadata<'r>,
) -> Found<'r> {
    Found {
        text: record,
        original: Original::Text(record),
        start: Start::EventText,
        source,
        scope: Scope::Record,
        metadata,
        list_api_version: None,
    }
}

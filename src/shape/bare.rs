//! The record is the audit event itself (or an `EventList`), as an API server's log backend
//! writes it. The document starts from `{"message": <the record's exact text>}`: the event's
//! own fields are not copied to the top level, where names such as `user` would collide with
//! ECS fields.

use super::{Found, Metadata, Original, Scope, Source, Surround};
use crate::document::Fields;

/// The record's whole text as the event text; `fields` are the record's, already read, so
/// they serve as the event's members.
pub(crate) fn found<'r>(
    record: &'r str,
    fields: Fields<'r>,
    source: Source<'r>,
    metadata: &'r Metadata<'r>,
) -> Found<'r> {
    Found {
        text: record,
        original: Original::Text(record),
        surround: Surround::EventText,
        source,
        scope: Scope::Record,
        metadata,
        list_api_version: None,
        members: Some(fields.into_members()),
    }
}

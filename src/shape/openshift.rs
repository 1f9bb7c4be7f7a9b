//! OpenShift: the log collector forwards an audit event as one flat record — the event's own
//! fields at the top level, plus the collector's (`openshift.*`, `log_type`, `hostname`, its
//! own `@timestamp`). Such a record is a bare event; its cluster id is added to the document
//! (docs/record-shapes.md, "OpenShift"). The collector's `@timestamp` is never read.

use std::borrow::Cow;

use super::Metadata;
use crate::document::Fields;
use crate::lenient::{Object, Text, lenient_struct};

lenient_struct! {
    /// The collector's `openshift` object.
    pub(crate) struct OpenShift<'a> {
        "cluster_id" => cluster_id: Text<'a>,
    }
}

/// `orchestrator.cluster.id` from a non-empty string `openshift.cluster_id`.
pub(crate) fn metadata<'r>(fields: &Fields<'r>) -> Metadata<'r> {
    let cluster_id: Option<Cow<'r, str>> = fields
        .raw("openshift")
        .and_then(|raw| serde_json::from_str::<Object<OpenShift<'r>>>(raw.get()).ok())
        .and_then(|openshift| openshift.0)
        .and_then(|openshift| openshift.cluster_id.0);
    Metadata {
        cluster_id,
        ..Metadata::NONE
    }
}

//! AKS: diagnostic records (docs/record-shapes.md, "AKS"). The diagnostic settings
//! categories `kube-audit` and `kube-audit-admin` send records whose `properties.log` holds an
//! audit event; an Event Hub message body carries many: `{"records": [...]}`.

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::{Found, Item, Metadata, Original, Scope, Source, Surround, Visit};
use crate::document::Fields;
use crate::lenient::{List, Object, ObjectOr, Raw, RawList, StringOrOther, Text, lenient_struct};
use crate::{ErrorKind, TransformError};

lenient_struct! {
    /// One diagnostic record: only `resourceId` and `properties.log` are read (the category
    /// is not consulted: other categories share the hub, and their log text fails alone).
    pub(crate) struct DiagnosticRecord<'a> {
        "resourceId" => resource_id: Text<'a>,
        "properties" => properties: Object<Properties<'a>>,
    }
}

lenient_struct! {
    /// A diagnostic record's `properties`: `log` is read as a string in the same pass, the
    /// usual case.
    pub(crate) struct Properties<'a> {
        "log" => log: StringOrOther<'a>,
    }
}

lenient_struct! {
    /// A diagnostic record whose `properties.log` is read as its exact text (a log that is
    /// not a string: some pipelines store the event as an object).
    pub(crate) struct RecordWithRawLog<'a> {
        "properties" => properties: Object<RawProperties<'a>>,
    }
}

lenient_struct! {
    /// `properties`, its `log` as exact text.
    pub(crate) struct RawProperties<'a> {
        "log" => log: Raw<'a>,
    }
}

/// Rule (d): a `records` array; gives its exact text.
pub(crate) fn records<'r>(fields: &Fields<'r>) -> Option<&'r RawValue> {
    fields
        .raw("records")
        .filter(|raw| raw.get().starts_with('['))
}

/// Rule (d′): a `category` key and a `properties` object with a `log` member.
pub(crate) fn is_diagnostic_record(fields: &Fields<'_>) -> bool {
    fields.get("category").is_some()
        && fields.raw("properties").is_some_and(|raw| {
            serde_json::from_str::<Object<RawProperties<'_>>>(raw.get())
                .is_ok_and(|properties| properties.0.is_some_and(|p| p.log.0.is_some()))
        })
}

lenient_struct! {
    /// An Event Hub body read in one pass, its records as they are read; the keys of the
    /// envelopes tried before it are only noted (a body that has one is read the long way).
    pub(crate) struct Body<'a> {
        "records" => records: List<ObjectOr<DiagnosticRecord<'a>>>,
        "awslogs" => awslogs: Raw<'a>,
        "messageType" => message_type: Raw<'a>,
        "logEvents" => log_events: Raw<'a>,
        "message" => message: Raw<'a>,
        "subscription" => subscription: Raw<'a>,
    }
}

lenient_struct! {
    /// A body's `records` as exact text, read only when a record fails.
    pub(crate) struct RawBody<'a> {
        "records" => records: RawList<'a>,
    }
}

/// Reads a record that starts as an Event Hub body does (`{"records": ...`) in one pass: the
/// records are read as the body is. `None` when the record is anything else, or also has a
/// key of an envelope tried before this one (rules a–c): the shapes then read it in order.
pub(crate) fn read_body(text: &str, visit: &mut Visit<'_>) -> Option<Result<(), TransformError>> {
    let first_key = text
        .strip_prefix('{')?
        .trim_start_matches([' ', '\t', '\n', '\r']);
    if !first_key.starts_with("\"records\"") {
        return None;
    }
    let body = serde_json::from_str::<Body<'_>>(text).ok()?;
    let earlier = [
        &body.awslogs,
        &body.message_type,
        &body.log_events,
        &body.message,
        &body.subscription,
    ];
    if earlier.iter().any(|raw| raw.0.is_some()) {
        return None;
    }
    let records = body.records.0?;
    let texts = || {
        serde_json::from_str::<RawBody<'_>>(text)
            .ok()
            .and_then(|body| body.records.0)
    };
    Some(read_typed_records(records, &texts, visit))
}

/// Reads the records of an Event Hub body (`records`, the array's text), in order, in one
/// pass; the exact text of a record is looked up only for the records that fail.
pub(crate) fn read_records(
    records: &RawValue,
    visit: &mut Visit<'_>,
) -> Result<(), TransformError> {
    let texts = || serde_json::from_str::<Vec<&RawValue>>(records.get()).ok();
    match serde_json::from_str::<List<ObjectOr<DiagnosticRecord<'_>>>>(records.get()) {
        Ok(List(Some(typed))) => read_typed_records(typed, &texts, visit),
        // Not readable in one pass (nothing valid JSON should come here): record by record.
        _ => {
            for (index, text) in texts().unwrap_or_default().iter().enumerate() {
                read_record(text.get(), Some(index), visit)?;
            }
            Ok(())
        }
    }
}

/// Reads records already read as typed values; `texts` gives their exact texts.
fn read_typed_records<'t>(
    records: Vec<ObjectOr<DiagnosticRecord<'t>>>,
    texts: &dyn Fn() -> Option<Vec<&'t RawValue>>,
    visit: &mut Visit<'_>,
) -> Result<(), TransformError> {
    let mut known: Option<Vec<&RawValue>> = None;
    for (index, record) in records.into_iter().enumerate() {
        let mut text = || {
            known
                .get_or_insert_with(|| texts().unwrap_or_default())
                .get(index)
                .map_or("", |raw| raw.get())
        };
        read_typed(record, Some(index), &mut text, visit)?;
    }
    Ok(())
}

/// Reads one diagnostic record (`text`; item `index` of its body, or a record on its own):
/// its event text, or the failure that stands in its place.
pub(crate) fn read_record(
    text: &str,
    index: Option<usize>,
    visit: &mut Visit<'_>,
) -> Result<(), TransformError> {
    let record = match serde_json::from_str::<ObjectOr<DiagnosticRecord<'_>>>(text) {
        Ok(record) => record,
        Err(error) => {
            let error = TransformError::from_json(&Source::DiagnosticRecord(index), &error);
            return visit(Item::Failed { text, error });
        }
    };
    read_typed(record, index, &mut || text, visit)
}

/// A record read: its event text, or the failure in its place; `text` gives the record's
/// exact text when it is needed.
fn read_typed<'t>(
    record: ObjectOr<DiagnosticRecord<'t>>,
    index: Option<usize>,
    text: &mut dyn FnMut() -> &'t str,
    visit: &mut Visit<'_>,
) -> Result<(), TransformError> {
    let source = Source::DiagnosticRecord(index);
    let record = match record {
        ObjectOr::Object(record) => record,
        ObjectOr::Other(found) => {
            let error = TransformError::not_an_object(&source, found.name());
            return visit(Item::Failed {
                text: text(),
                error,
            });
        }
    };
    // A string is the event's text (its escapes decoded, its trailing newline kept); any
    // other value is its own exact text.
    let log = record.properties.0.map(|p| p.log).unwrap_or_default();
    let event: Option<Cow<'t, str>> = match log {
        StringOrOther::Text(log) => Some(log),
        StringOrOther::Other => serde_json::from_str::<RecordWithRawLog<'t>>(text())
            .ok()
            .and_then(|record| record.properties.0?.log.0)
            .map(|raw| Cow::Borrowed(raw.get())),
        StringOrOther::Missing | StringOrOther::Null => None,
    };
    let Some(event) = event else {
        let error = TransformError::new(
            ErrorKind::NotAnAuditEvent,
            format!("not a Kubernetes audit event: {source} has no `properties.log`"),
        );
        return visit(Item::Failed {
            text: text(),
            error,
        });
    };
    let metadata = metadata(record.resource_id.as_deref());
    visit(Item::Event(Found {
        text: &event,
        original: Original::Text(&event),
        surround: Surround::EventText,
        source: Source::DiagnosticLog(index),
        scope: Scope::Event,
        metadata: &metadata,
        list_api_version: None,
        members: None,
    }))
}

/// `cloud.*` and the AKS cluster, from a `resourceId` of the form
/// `/SUBSCRIPTIONS/<sub>/RESOURCEGROUPS/<rg>/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/<name>`
/// (any case).
fn metadata(resource_id: Option<&str>) -> Metadata<'static> {
    let cluster = resource_id.and_then(|id| {
        let parts: Vec<&str> = id.split('/').collect();
        let [
            empty,
            subscriptions,
            subscription,
            groups,
            group,
            providers,
            service,
            clusters,
            name,
        ] = parts[..]
        else {
            return None;
        };
        let matches = empty.is_empty()
            && subscriptions.eq_ignore_ascii_case("SUBSCRIPTIONS")
            && groups.eq_ignore_ascii_case("RESOURCEGROUPS")
            && providers.eq_ignore_ascii_case("PROVIDERS")
            && service.eq_ignore_ascii_case("MICROSOFT.CONTAINERSERVICE")
            && clusters.eq_ignore_ascii_case("MANAGEDCLUSTERS")
            && [subscription, group, name]
                .iter()
                .all(|part| !part.is_empty());
        matches.then(|| (subscription.to_ascii_lowercase(), name.to_ascii_lowercase()))
    });
    let (account, name) = cluster.unzip();
    Metadata {
        cloud_provider: Some("azure"),
        cloud_service: name.is_some().then_some("aks"),
        cloud_account_id: account.map(Cow::Owned),
        cluster_name: name.map(Cow::Owned),
        ..Metadata::NONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids_name_the_cluster_in_any_case() {
        let id = "/subscriptions/0B1F6471-1BF0-4DDA-AEC3-CB9272F09590/resourceGroups/rg-Prod/providers/Microsoft.ContainerService/managedClusters/AKS-Prod-1";
        let aks = metadata(Some(id));
        assert_eq!(aks.cloud_service, Some("aks"));
        assert_eq!(
            aks.cloud_account_id.as_deref(),
            Some("0b1f6471-1bf0-4dda-aec3-cb9272f09590")
        );
        assert_eq!(aks.cluster_name.as_deref(), Some("aks-prod-1"));
        for other in [
            "/SUBSCRIPTIONS/x/RESOURCEGROUPS/y/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/z",
            "",
            "x",
        ] {
            let azure = metadata(Some(other));
            assert_eq!(
                (azure.cloud_provider, azure.cloud_service),
                (Some("azure"), None)
            );
        }
    }
}

#[cfg(test)]
mod body_tests {
    use super::*;

    fn read(text: &str) -> Option<usize> {
        let mut items = 0;
        let result = read_body(text, &mut |_| {
            items += 1;
            Ok(())
        })?;
        result.ok()?;
        Some(items)
    }

    #[test]
    fn a_body_is_read_in_one_pass_only_when_nothing_earlier_applies() {
        let log = r#"{\"kind\":\"Event\",\"auditID\":\"a\"}\n"#;
        let body = format!(r#"{{ "records": [{{"properties":{{"log":"{log}"}}}}, 7] }}"#);
        assert_eq!(read(&body), Some(2));
        // Keys of the envelopes tried before it: the long way, in order.
        for other in [
            r#"{"records":[],"awslogs":{"data":""}}"#,
            r#"{"records":[],"messageType":"DATA_MESSAGE","logEvents":[]}"#,
            r#"{"records":[],"message":{"data":""},"subscription":"s"}"#,
        ] {
            assert_eq!(read(other), None, "{other}");
        }
        // Not a body: records not first, or not an array.
        assert_eq!(read(r#"{"category":"x","records":[]}"#), None);
        assert_eq!(read(r#"{"records":{}}"#), None);
    }
}

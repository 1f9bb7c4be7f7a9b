//! AKS: diagnostic records (docs/record-shapes.md, "AKS"). The diagnostic settings
//! categories `kube-audit` and `kube-audit-admin` send records whose `properties.log` holds an
//! audit event; an Event Hub message body carries many: `{"records": [...]}`.

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::{Found, Item, Metadata, Original, Scope, Source, Start, Visit};
use crate::document::Fields;
use crate::lenient::{Object, Raw, Shape, Text, lenient_struct};
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
    /// A diagnostic record's `properties`.
    pub(crate) struct Properties<'a> {
        "log" => log: Raw<'a>,
    }
}

/// Rule (d): a `records` array; gives its elements.
pub(crate) fn records<'r>(fields: &Fields<'r>) -> Option<Vec<&'r RawValue>> {
    let raw = fields.raw("records")?;
    serde_json::from_str::<Vec<&'r RawValue>>(raw.get()).ok()
}

/// Rule (d′): a `category` key and a `properties` object with a `log` member.
pub(crate) fn is_diagnostic_record(fields: &Fields<'_>) -> bool {
    fields.get("category").is_some()
        && fields.raw("properties").is_some_and(|raw| {
            serde_json::from_str::<Object<Properties<'_>>>(raw.get())
                .is_ok_and(|properties| properties.0.is_some_and(|p| p.log.0.is_some()))
        })
}

/// Reads the records of an Event Hub body, in order.
pub(crate) fn read_records(
    records: &[&RawValue],
    visit: &mut Visit<'_>,
) -> Result<(), TransformError> {
    for (index, record) in records.iter().enumerate() {
        read_record(record.get(), Some(index), visit)?;
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
    let source = Source::DiagnosticRecord(index);
    let record = match serde_json::from_str::<Shape<DiagnosticRecord<'_>>>(text) {
        Ok(Shape::Object(record)) => record,
        Ok(Shape::Other(found)) => {
            let error = TransformError::not_an_object(&source, found.name());
            return visit(Item::Failed { text, error });
        }
        Err(error) => {
            let error = TransformError::from_json(&source, &error);
            return visit(Item::Failed { text, error });
        }
    };
    let no_log = || {
        TransformError::new(
            ErrorKind::NotAnAuditEvent,
            format!("not a Kubernetes audit event: {source} has no `properties.log`"),
        )
    };
    let Some(log) = record.properties.0.as_ref().and_then(|p| p.log.0) else {
        return visit(Item::Failed {
            text,
            error: no_log(),
        });
    };
    // A string is the event's text (its escapes decoded, its trailing newline kept); any
    // other value (some pipelines store the event as an object) is its own exact text.
    let event: Cow<'_, str> = match serde_json::from_str::<Cow<'_, str>>(log.get()) {
        Ok(text) if log.get().starts_with('"') => text,
        _ if log.get() == "null" => {
            return visit(Item::Failed {
                text,
                error: no_log(),
            });
        }
        _ => Cow::Borrowed(log.get()),
    };
    let metadata = metadata(record.resource_id.as_deref());
    visit(Item::Event(Found {
        text: &event,
        original: Original::Text(&event),
        start: Start::EventText,
        source: Source::DiagnosticLog(index),
        scope: Scope::Event,
        metadata: &metadata,
        list_api_version: None,
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

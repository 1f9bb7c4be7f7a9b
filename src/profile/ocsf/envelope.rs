//! Where the event came from, in OCSF's terms: `metadata.product`, `cloud` (events of a cloud
//! envelope only) and `unmapped.cluster_name`/`cluster_id`, from the envelope metadata every
//! profile reads (docs/ocsf.md, "metadata.product", "cloud").

use std::borrow::Cow;

use crate::document::Node;
use crate::layout::{Path, Produced};
use crate::profile::Context;

/// Adds the product, `cloud` and the cluster; returns whether `cloud` was written (the
/// `cloud` profile).
pub(super) fn add(context: &Context<'_>, produced: &mut Produced<'_>) -> bool {
    let envelope = context.envelope;
    let product: &[(&[&'static str], &'static str)] =
        match (envelope.cloud_service, &envelope.cluster_id) {
            // AWS's own EKS mapping, so that queries written for Security Lake's EKS source
            // match these documents.
            (Some("eks"), _) => &[
                (&["metadata", "product", "name"], "Amazon EKS"),
                (&["metadata", "product", "vendor_name"], "AWS"),
                (
                    &["metadata", "product", "feature", "name"],
                    "Elastic Kubernetes Service",
                ),
            ],
            (Some("aks"), _) => &[
                (&["metadata", "product", "name"], "Azure Kubernetes Service"),
                (&["metadata", "product", "vendor_name"], "Microsoft"),
            ],
            (Some("gke"), _) => &[
                (&["metadata", "product", "name"], "Google Kubernetes Engine"),
                (&["metadata", "product", "vendor_name"], "Google"),
            ],
            (_, Some(id)) if !id.is_empty() => &[
                (
                    &["metadata", "product", "name"],
                    "OpenShift Container Platform",
                ),
                (&["metadata", "product", "vendor_name"], "Red Hat"),
            ],
            _ => &[
                (&["metadata", "product", "name"], "Kubernetes"),
                (&["metadata", "product", "vendor_name"], "Kubernetes"),
            ],
        };
    for (path, value) in product {
        produced.set(path, Node::Text(Cow::Borrowed(value)));
    }

    let cluster_name = envelope
        .cluster_name
        .as_deref()
        .or(context.cluster_name)
        .filter(|name| !name.is_empty());
    if let Some(name) = cluster_name {
        produced.set(
            &["unmapped", "cluster_name"],
            Node::Text(Cow::Owned(name.to_owned())),
        );
    }
    if let Some(id) = envelope.cluster_id.as_deref().filter(|id| !id.is_empty()) {
        produced.set(
            &["unmapped", "cluster_id"],
            Node::Text(Cow::Owned(id.to_owned())),
        );
    }

    let (provider, account, account_type) = match envelope.cloud_provider {
        Some("aws") => ("AWS", &envelope.cloud_account_id, (10, "AWS Account")),
        Some("azure") => (
            "Azure",
            &envelope.cloud_account_id,
            (13, "Azure Subscription"),
        ),
        Some("gcp") => ("GCP", &envelope.cloud_project_id, (11, "GCP Project")),
        _ => return false,
    };
    produced.set(&["cloud", "provider"], Node::Text(Cow::Borrowed(provider)));
    if let Some(uid) = account.as_deref().filter(|uid| !uid.is_empty()) {
        produced.set(
            &["cloud", "account", "uid"],
            Node::Text(Cow::Owned(uid.to_owned())),
        );
        produced.set(
            &["cloud", "account", "type_id"],
            Node::Integer(account_type.0),
        );
        produced.set(
            &["cloud", "account", "type"],
            Node::Text(Cow::Borrowed(account_type.1)),
        );
    }
    let places: [(Path, _); 2] = [
        (&["cloud", "region"], &envelope.cloud_region),
        (&["cloud", "zone"], &envelope.cloud_availability_zone),
    ];
    for (path, place) in places {
        if let Some(place) = place.as_deref().filter(|place| !place.is_empty()) {
            produced.set(path, Node::Text(Cow::Owned(place.to_owned())));
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::Metadata;

    /// The envelope part of a document, as JSON, for `metadata` and the `cluster-name` option.
    fn written(metadata: &Metadata<'_>, option: Option<&str>) -> (serde_json::Value, bool) {
        let context = Context {
            user_agent: &crate::user_agent::parse,
            cluster_name: option,
            list_api_version: None,
            in_event_list: false,
            envelope: metadata,
        };
        let mut produced = Produced::default();
        let cloud = add(&context, &mut produced);
        let written = produced.into_fields().to_json(0);
        (serde_json::from_str(&written).unwrap(), cloud)
    }

    #[test]
    fn an_envelope_that_names_no_managed_cluster_is_upstream_kubernetes_in_its_cloud() {
        // A CloudWatch log group that is not an EKS cluster's: AWS and the account, but the
        // product is Kubernetes and the option names the cluster.
        let aws = Metadata {
            cloud_provider: Some("aws"),
            cloud_account_id: Some("111122223333".into()),
            ..Metadata::NONE
        };
        let (document, cloud) = written(&aws, Some("from-option"));
        assert!(cloud);
        assert_eq!(
            document,
            serde_json::json!({
                "metadata": {"product": {"name": "Kubernetes", "vendor_name": "Kubernetes"}},
                "cloud": {"provider": "AWS", "account": {"uid": "111122223333", "type_id": 10, "type": "AWS Account"}},
                "unmapped": {"cluster_name": "from-option"},
            })
        );
        // An Event Hub record whose resourceId names no managed cluster: Azure, no account.
        let azure = Metadata {
            cloud_provider: Some("azure"),
            ..Metadata::NONE
        };
        let (document, _) = written(&azure, None);
        assert_eq!(document["cloud"], serde_json::json!({"provider": "Azure"}));
        assert_eq!(document["metadata"]["product"]["name"], "Kubernetes");
    }

    #[test]
    fn the_envelopes_own_cluster_wins_over_the_option() {
        let eks = Metadata {
            cloud_provider: Some("aws"),
            cloud_service: Some("eks"),
            cluster_name: Some("prod-eu".into()),
            ..Metadata::NONE
        };
        let (document, _) = written(&eks, Some("from-option"));
        assert_eq!(document["unmapped"]["cluster_name"], "prod-eu");
        assert_eq!(document["metadata"]["product"]["name"], "Amazon EKS");
        assert!(
            document["cloud"].get("account").is_none(),
            "no account without its uid"
        );
    }

    #[test]
    fn no_envelope_no_cloud_and_an_empty_cluster_id_is_no_openshift() {
        let (document, cloud) = written(&Metadata::NONE, None);
        assert!(!cloud);
        assert_eq!(
            document,
            serde_json::json!({"metadata": {"product": {"name": "Kubernetes", "vendor_name": "Kubernetes"}}})
        );
        let empty_id = Metadata {
            cluster_id: Some("".into()),
            ..Metadata::NONE
        };
        assert_eq!(written(&empty_id, None).0, document);
    }

    #[test]
    fn gke_places_are_a_zone_or_a_region() {
        for (zone, region) in [(Some("europe-west4-b"), None), (None, Some("us-central1"))] {
            let gke = Metadata {
                cloud_provider: Some("gcp"),
                cloud_service: Some("gke"),
                cloud_project_id: Some("acme".into()),
                cloud_availability_zone: zone.map(Into::into),
                cloud_region: region.map(Into::into),
                ..Metadata::NONE
            };
            let (document, _) = written(&gke, None);
            assert_eq!(document["cloud"]["account"]["type"], "GCP Project");
            assert_eq!(document["cloud"].get("zone").and_then(|z| z.as_str()), zone);
            assert_eq!(
                document["cloud"].get("region").and_then(|r| r.as_str()),
                region
            );
        }
    }
}

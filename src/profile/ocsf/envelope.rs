//! Where the event came from, in OCSF's terms: `metadata.product`, `cloud` (events of a cloud
//! envelope only) and `unmapped.cluster_name`/`cluster_id`, from the envelope metadata every
//! profile reads (docs/ocsf.md, "metadata.product", "cloud").

use std::borrow::Cow;

use crate::document::{Fields, Node};
use crate::profile::Context;

/// Adds the product, `cloud` and the cluster; returns whether `cloud` was written (the
/// `cloud` profile).
pub(super) fn add(context: &Context<'_>, produced: &mut Fields<'_>) -> bool {
    let envelope = context.envelope;
    let product: &[(&[&'static str], &'static str)] =
        match (envelope.cloud_service, &envelope.cluster_id) {
            // AWS's own EKS mapping, so that queries written for Security Lake's EKS source
            // match these documents.
            (Some("eks"), _) => &[
                (&["name"], "Amazon EKS"),
                (&["vendor_name"], "AWS"),
                (&["feature", "name"], "Elastic Kubernetes Service"),
            ],
            (Some("aks"), _) => &[
                (&["name"], "Azure Kubernetes Service"),
                (&["vendor_name"], "Microsoft"),
            ],
            (Some("gke"), _) => &[
                (&["name"], "Google Kubernetes Engine"),
                (&["vendor_name"], "Google"),
            ],
            (_, Some(id)) if !id.is_empty() => &[
                (&["name"], "OpenShift Container Platform"),
                (&["vendor_name"], "Red Hat"),
            ],
            _ => &[(&["name"], "Kubernetes"), (&["vendor_name"], "Kubernetes")],
        };
    let mut fields = Fields::with_capacity(3);
    for (path, value) in product {
        fields.set(path, Node::Text(Cow::Borrowed(value)));
    }
    produced.set(&["metadata", "product"], Node::Object(fields));

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
    let places = [
        ("region", &envelope.cloud_region),
        ("zone", &envelope.cloud_availability_zone),
    ];
    for (key, place) in places {
        if let Some(place) = place.as_deref().filter(|place| !place.is_empty()) {
            produced.set(&["cloud", key], Node::Text(Cow::Owned(place.to_owned())));
        }
    }
    true
}

//! What an envelope says about where its events come from: added to every document it yields,
//! in every profile (docs/record-shapes.md, "Envelope metadata").

use std::borrow::Cow;

use crate::document::Node;
use crate::layout::Produced;

/// Envelope metadata; a field whose source is absent is absent.
#[derive(Debug, Default, Clone)]
pub(crate) struct Metadata<'a> {
    /// `cloud.provider`: `aws`, `azure`, `gcp`.
    pub(crate) cloud_provider: Option<&'static str>,
    /// `cloud.service.name`: `eks`, `aks`, `gke`.
    pub(crate) cloud_service: Option<&'static str>,
    /// `cloud.account.id`.
    pub(crate) cloud_account_id: Option<Cow<'a, str>>,
    /// `cloud.project.id`.
    pub(crate) cloud_project_id: Option<Cow<'a, str>>,
    /// `cloud.region`.
    pub(crate) cloud_region: Option<Cow<'a, str>>,
    /// `cloud.availability_zone`.
    pub(crate) cloud_availability_zone: Option<Cow<'a, str>>,
    /// `orchestrator.cluster.name`.
    pub(crate) cluster_name: Option<Cow<'a, str>>,
    /// `orchestrator.cluster.id`.
    pub(crate) cluster_id: Option<Cow<'a, str>>,
}

impl<'a> Metadata<'a> {
    /// No metadata: the plain record shapes.
    pub(crate) const NONE: Metadata<'static> = Metadata {
        cloud_provider: None,
        cloud_service: None,
        cloud_account_id: None,
        cloud_project_id: None,
        cloud_region: None,
        cloud_availability_zone: None,
        cluster_name: None,
        cluster_id: None,
    };

    /// Adds the fields to `produced` (empty values are never written).
    pub(crate) fn add_to<'d>(&self, produced: &mut Produced<'d>)
    where
        'a: 'd,
    {
        let texts: [(&[&'static str], Option<Cow<'d, str>>); 8] = [
            (
                &["cloud", "provider"],
                self.cloud_provider.map(Cow::Borrowed),
            ),
            (
                &["cloud", "service", "name"],
                self.cloud_service.map(Cow::Borrowed),
            ),
            (&["cloud", "account", "id"], self.cloud_account_id.clone()),
            (&["cloud", "project", "id"], self.cloud_project_id.clone()),
            (&["cloud", "region"], self.cloud_region.clone()),
            (
                &["cloud", "availability_zone"],
                self.cloud_availability_zone.clone(),
            ),
            (
                &["orchestrator", "cluster", "name"],
                self.cluster_name.clone(),
            ),
            (&["orchestrator", "cluster", "id"], self.cluster_id.clone()),
        ];
        for (path, text) in texts {
            if let Some(text) = text.filter(|text| !text.is_empty()) {
                produced.set(path, Node::Text(text));
            }
        }
    }
}

//! The workload-security fields that the extended profile adds to the documented ones
//! (docs/profiles.md, "extended").

use crate::document::Node;
use crate::event::Event;
use crate::layout::{Path, Produced};
use crate::profile::{Context, FieldGroup};
use crate::prune::prune_raw;

/// API group, bound role, and a pod spec's host network, containers and volumes.
pub(crate) const WORKLOAD: FieldGroup = FieldGroup {
    reads_whole_event: false,
    add,
};

/// Adds the workload fields for `event` to `produced`.
fn add<'a>(event: &Event<'a>, produced: &mut Produced<'a>, _: &Context<'_>) {
    let event = &event.fields;
    if let Some(group) = event
        .object_ref
        .0
        .as_ref()
        .and_then(|o| o.api_group.0.clone())
    {
        produced.set(&["kubernetes", "api", "group"], Node::Text(group));
    }
    let Some(request) = event.request_object() else {
        return;
    };
    if let Some(role) = request.role_ref.0.as_ref().and_then(|r| r.name.0.clone()) {
        produced.set(&["kubernetes", "role", "name"], Node::Text(role));
    }
    let Some(spec) = &request.spec.0 else {
        return;
    };
    if let Some(host_network) = spec.host_network.0 {
        produced.set(
            &["kubernetes", "spec", "host_network"],
            Node::Boolean(host_network),
        );
    }
    let lists: [(Path, _); 2] = [
        (&["kubernetes", "spec", "containers"], spec.containers.0),
        (&["kubernetes", "spec", "volumes"], spec.volumes.0),
    ];
    for (path, raw) in lists {
        // Both are lists in a pod spec; a value of another type is left out.
        if let Some(pruned) = raw.and_then(prune_raw).filter(serde_json::Value::is_array) {
            produced.set(path, Node::Json(pruned));
        }
    }
}

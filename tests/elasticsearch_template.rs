//! The Elasticsearch templates in `elasticsearch/` (issue 12, part 4): the index template for
//! `logs-kubernetes.audit_logs-*` composed of its component templates maps every field the
//! `ecs` profile writes, with its ECS type, and maps `kubernetes.audit` as Elastic's
//! integration does (objects not mapped dynamically, plus the sub-fields detection rules query).
//!
//! The main check walks every expected document of `fixtures/ecs` through the merged mapping
//! as Elasticsearch would index it: a field the profile writes outside `kubernetes.audit` must
//! be mapped, with the type ECS gives it; a field inside it, or carried unchanged from the
//! record (a shipper's `stream`, `log.offset`), must be mapped or sit below an object that is
//! not mapped dynamically (it then stays in `_source` only); and a mapped field must accept
//! the value (no object where a keyword is mapped, no value where an object is mapped, and a
//! value of the field's type unless malformed values are ignored).

#[path = "common/ecs_schema.rs"]
#[allow(dead_code)]
mod ecs_schema;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

/// The component templates: the name the README installs each under, and its file.
const COMPONENTS: &[(&str, &str)] = &[
    ("k8s-audit-ecs@ecs", "component-ecs.json"),
    (
        "k8s-audit-ecs@kubernetes-audit",
        "component-kubernetes-audit.json",
    ),
];
const INDEX_TEMPLATE: &str = "index-template.json";

/// Every field the `ecs` profile writes outside `kubernetes.audit` (ecs-profile.md's field
/// table and `event.original`), the envelope metadata (cloud-envelopes.md), and the two fields
/// of a pass-through record.
const PROFILE_FIELDS: &[&str] = &[
    "@timestamp",
    "message",
    "ecs.version",
    "data_stream.type",
    "data_stream.dataset",
    "event.dataset",
    "event.module",
    "event.kind",
    "event.category",
    "event.type",
    "event.action",
    "event.outcome",
    "event.reason",
    "event.id",
    "event.start",
    "event.end",
    "event.duration",
    "event.original",
    "http.request.id",
    "http.request.method",
    "http.response.status_code",
    "user.name",
    "user.id",
    "user.group.name",
    "user.effective.name",
    "user.effective.id",
    "user.effective.group.name",
    "related.user",
    "related.ip",
    "source.address",
    "source.ip",
    "client.address",
    "client.ip",
    "url.original",
    "url.path",
    "url.query",
    "user_agent.original",
    "user_agent.name",
    "user_agent.os.name",
    "user_agent.device.name",
    "orchestrator.type",
    "orchestrator.namespace",
    "orchestrator.resource.type",
    "orchestrator.resource.name",
    "orchestrator.resource.id",
    "orchestrator.api_version",
    "orchestrator.cluster.name",
    "orchestrator.cluster.id",
    "cloud.provider",
    "cloud.account.id",
    "cloud.service.name",
    "cloud.project.id",
    "cloud.region",
    "cloud.availability_zone",
    "error.type",
    "error.message",
];

/// `kubernetes.audit` fields that Elastic's detection rules query (elastic/detection-rules,
/// `rules/integrations/kubernetes/*.toml` and `rules/cross-platform/*d4c_k8s*`), with the type
/// they need: exact and wildcard matches on strings, booleans for the pod-spec flags.
const RULE_FIELDS: &[(&str, &str)] = &[
    ("kubernetes.audit.kind", "keyword"),
    ("kubernetes.audit.level", "keyword"),
    ("kubernetes.audit.stage", "keyword"),
    ("kubernetes.audit.verb", "keyword"),
    ("kubernetes.audit.requestURI", "wildcard"),
    ("kubernetes.audit.sourceIPs", "keyword"),
    ("kubernetes.audit.userAgent", "keyword"),
    ("kubernetes.audit.user.username", "keyword"),
    ("kubernetes.audit.user.groups", "keyword"),
    (
        "kubernetes.audit.user.extra.authentication.kubernetes.io/pod-name",
        "keyword",
    ),
    ("kubernetes.audit.impersonatedUser.username", "keyword"),
    ("kubernetes.audit.impersonatedUser.groups", "keyword"),
    ("kubernetes.audit.objectRef.resource", "keyword"),
    ("kubernetes.audit.objectRef.subresource", "keyword"),
    ("kubernetes.audit.objectRef.namespace", "keyword"),
    ("kubernetes.audit.objectRef.name", "keyword"),
    ("kubernetes.audit.responseStatus.code", "long"),
    ("kubernetes.audit.responseStatus.message", "text"),
    (
        "kubernetes.audit.annotations.authorization_k8s_io/decision",
        "keyword",
    ),
    (
        "kubernetes.audit.annotations.authorization_k8s_io/reason",
        "keyword",
    ),
    (
        "kubernetes.audit.requestObject.spec.containers.image",
        "keyword",
    ),
    (
        "kubernetes.audit.requestObject.spec.containers.securityContext.privileged",
        "boolean",
    ),
    (
        "kubernetes.audit.requestObject.spec.containers.securityContext.capabilities.add",
        "keyword",
    ),
    ("kubernetes.audit.requestObject.spec.hostPID", "boolean"),
    ("kubernetes.audit.requestObject.spec.hostNetwork", "boolean"),
    ("kubernetes.audit.requestObject.spec.hostIPC", "boolean"),
    (
        "kubernetes.audit.requestObject.spec.volumes.hostPath.path",
        "keyword",
    ),
    (
        "kubernetes.audit.requestObject.spec.serviceAccountName",
        "keyword",
    ),
    ("kubernetes.audit.requestObject.spec.type", "keyword"),
    ("kubernetes.audit.requestObject.rules.verbs", "keyword"),
    ("kubernetes.audit.requestObject.rules.resources", "keyword"),
    ("kubernetes.audit.requestObject.roleRef.name", "keyword"),
    ("kubernetes.audit.responseObject.rules.verbs", "keyword"),
    ("kubernetes.audit.responseObject.rules.resources", "keyword"),
];

/// `dynamic` of an object mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dynamic {
    /// New fields are mapped (`true`, or `runtime`).
    Yes,
    /// New fields stay in `_source` only.
    No,
    /// New fields reject the document.
    Strict,
}

/// A node of a mapping.
#[derive(Debug)]
enum Node {
    Object {
        /// `None`: inherited from the parent.
        dynamic: Option<Dynamic>,
        /// `enabled: false`: the contents are not parsed at all.
        enabled: bool,
        properties: BTreeMap<String, Node>,
    },
    Leaf {
        ty: String,
        ignore_malformed: Option<bool>,
    },
}

/// The merged mapping of an index template and its component templates.
struct Template {
    root: Node,
    /// `index.mapping.ignore_malformed`.
    ignore_malformed: bool,
}

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("elasticsearch")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Merges `overlay` into `base` as Elasticsearch composes templates: objects member by
/// member, anything else replaced.
fn merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
}

/// Settings in their flat form (`index.mapping.ignore_malformed`), whether written nested or
/// flat.
fn flatten_settings(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(members) => {
            for (key, value) in members {
                let key = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten_settings(&key, value, out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), other.clone());
        }
    }
}

fn parse_dynamic(value: Option<&Value>) -> Option<Dynamic> {
    match value? {
        Value::Bool(true) => Some(Dynamic::Yes),
        Value::Bool(false) => Some(Dynamic::No),
        Value::String(text) => match text.as_str() {
            "true" | "runtime" => Some(Dynamic::Yes),
            "false" => Some(Dynamic::No),
            "strict" => Some(Dynamic::Strict),
            other => panic!("unknown dynamic value {other:?}"),
        },
        other => panic!("unknown dynamic value {other}"),
    }
}

/// Reads a mapping node (a `properties` entry, or the root `mappings`).
fn parse_node(mapping: &Value) -> Node {
    let ty = mapping.get("type").and_then(Value::as_str);
    match ty {
        None | Some("object") | Some("nested") => {
            let mut properties = BTreeMap::new();
            if let Some(members) = mapping.get("properties").and_then(Value::as_object) {
                for (name, child) in members {
                    insert_property(&mut properties, name, parse_node(child));
                }
            }
            Node::Object {
                dynamic: parse_dynamic(mapping.get("dynamic")),
                enabled: mapping.get("enabled") != Some(&Value::Bool(false)),
                properties,
            }
        }
        Some(ty) => Node::Leaf {
            ty: ty.to_owned(),
            ignore_malformed: mapping.get("ignore_malformed").and_then(Value::as_bool),
        },
    }
}

/// A property name with dots is a path of objects, as Elasticsearch expands it.
fn insert_property(properties: &mut BTreeMap<String, Node>, name: &str, node: Node) {
    match name.split_once('.') {
        None => {
            properties.insert(name.to_owned(), node);
        }
        Some((first, rest)) => {
            let parent = properties
                .entry(first.to_owned())
                .or_insert_with(|| Node::Object {
                    dynamic: None,
                    enabled: true,
                    properties: BTreeMap::new(),
                });
            match parent {
                Node::Object { properties, .. } => insert_property(properties, rest, node),
                Node::Leaf { .. } => panic!("{first} is a leaf and has properties"),
            }
        }
    }
}

impl Template {
    /// Builds the template from an index template body and the component templates it is
    /// composed of (by name).
    fn compose(index_template: &Value, components: &BTreeMap<String, Value>) -> Template {
        let mut mappings = json!({});
        let mut settings = json!({});
        let names = index_template["composed_of"]
            .as_array()
            .expect("composed_of");
        let may_be_missing = index_template
            .get("ignore_missing_component_templates")
            .and_then(Value::as_array);
        let own = &index_template["template"];
        let parts = names
            .iter()
            .filter_map(|name| {
                let body = components.get(name.as_str().expect("a component template name"));
                // Elasticsearch's own (logs@settings) may be absent: it then adds nothing.
                if body.is_none() && may_be_missing.is_some_and(|names| names.contains(name)) {
                    return None;
                }
                let body =
                    body.unwrap_or_else(|| panic!("composed_of names {name}, which no file holds"));
                Some(&body["template"])
            })
            .chain(std::iter::once(own));
        for part in parts {
            if let Some(m) = part.get("mappings") {
                merge(&mut mappings, m);
            }
            if let Some(s) = part.get("settings") {
                merge(&mut settings, s);
            }
        }
        let mut flat = BTreeMap::new();
        flatten_settings("", &settings, &mut flat);
        Template {
            root: parse_node(&mappings),
            ignore_malformed: flat.get("index.mapping.ignore_malformed")
                == Some(&Value::Bool(true)),
        }
    }

    /// The shipped templates.
    fn shipped() -> Template {
        let components = COMPONENTS
            .iter()
            .map(|(name, file)| (name.to_string(), read_json(&folder().join(file))))
            .collect();
        Template::compose(&read_json(&folder().join(INDEX_TEMPLATE)), &components)
    }

    /// The node at a dotted path.
    fn node(&self, path: &str) -> Option<&Node> {
        let mut node = &self.root;
        for segment in path.split('.') {
            match node {
                Node::Object { properties, .. } => node = properties.get(segment)?,
                Node::Leaf { .. } => return None,
            }
        }
        Some(node)
    }

    /// Every leaf, by dotted path.
    fn leaves(&self) -> Vec<(String, &str)> {
        fn collect<'a>(path: &str, node: &'a Node, out: &mut Vec<(String, &'a str)>) {
            match node {
                Node::Leaf { ty, .. } => out.push((path.to_owned(), ty)),
                Node::Object { properties, .. } => {
                    for (name, child) in properties {
                        let path = if path.is_empty() {
                            name.clone()
                        } else {
                            format!("{path}.{name}")
                        };
                        collect(&path, child, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        collect("", &self.root, &mut out);
        out
    }

    /// What Elasticsearch would not index as intended in this document, one line each.
    fn problems(&self, document: &Value) -> Vec<String> {
        self.problems_written(document, None)
    }

    /// [`Template::problems`] for a document made from `record`: the fields it carries
    /// unchanged from the record are the shipper's and need not be mapped.
    fn problems_written(&self, document: &Value, record: Option<&Value>) -> Vec<String> {
        let carried = record.map(ecs_schema::record_fields).unwrap_or_default();
        let mut out = BTreeSet::new();
        let root_dynamic = match &self.root {
            Node::Object { dynamic, .. } => dynamic.unwrap_or(Dynamic::Yes),
            Node::Leaf { .. } => unreachable!("the root is an object"),
        };
        let context = Context {
            carried: &carried,
            in_record: false,
        };
        self.visit(
            "",
            document,
            Some(&self.root),
            root_dynamic,
            context,
            &mut out,
        );
        out.into_iter().collect()
    }

    /// `node` is the mapping at `path` (None: not mapped); `dynamic` is what applies to a new
    /// field at `path`, from the closest mapped object above it.
    fn visit(
        &self,
        path: &str,
        value: &Value,
        node: Option<&Node>,
        dynamic: Dynamic,
        context: Context<'_>,
        out: &mut BTreeSet<String>,
    ) {
        let context = Context {
            in_record: context.in_record
                || (!path.is_empty() && context.carried.get(path) == Some(&value)),
            ..context
        };
        if value.is_null() {
            return; // Elasticsearch indexes nothing for null.
        }
        if let Value::Array(items) = value {
            for item in items {
                self.visit(path, item, node, dynamic, context, out);
            }
            return;
        }
        let in_mirror = path == ecs_schema::MIRROR || path.starts_with("kubernetes.audit.");
        let Some(node) = node else {
            if !in_mirror && !context.in_record {
                out.insert(format!("{path}: not mapped by the template"));
            } else {
                match dynamic {
                    Dynamic::No => {} // Kept in _source only: what a non-dynamic object is for.
                    Dynamic::Yes => {
                        out.insert(format!(
                            "{path}: not mapped, and would be mapped dynamically"
                        ));
                    }
                    Dynamic::Strict => {
                        out.insert(format!(
                            "{path}: not mapped, and rejected (dynamic: strict)"
                        ));
                    }
                }
            }
            return;
        };
        match node {
            Node::Object { enabled: false, .. } => {}
            Node::Object {
                dynamic: own,
                properties,
                ..
            } => {
                let Value::Object(members) = value else {
                    out.insert(format!(
                        "{path}: {} where the template maps an object (the document is rejected)",
                        ecs_schema::show(value)
                    ));
                    return;
                };
                let dynamic = own.unwrap_or(dynamic);
                for (key, child) in members {
                    // A dotted key is a path of objects, as Elasticsearch expands it.
                    let (first, value) = match key.split_once('.') {
                        Some((first, rest)) => {
                            let mut nested = Map::new();
                            nested.insert(rest.to_owned(), child.clone());
                            (first, std::borrow::Cow::Owned(Value::Object(nested)))
                        }
                        None => (key.as_str(), std::borrow::Cow::Borrowed(child)),
                    };
                    let child_path = if path.is_empty() {
                        first.to_owned()
                    } else {
                        format!("{path}.{first}")
                    };
                    self.visit(
                        &child_path,
                        &value,
                        properties.get(first),
                        dynamic,
                        context,
                        out,
                    );
                }
            }
            Node::Leaf {
                ty,
                ignore_malformed,
            } => {
                if value.is_object() {
                    if ty != "flattened" {
                        out.insert(format!("{path}: an object where the template maps {ty} (the document is rejected)"));
                    }
                } else if !accepts(ty, value) {
                    let ignored = supports_ignore_malformed(ty)
                        && ignore_malformed.unwrap_or(self.ignore_malformed);
                    if !ignored {
                        out.insert(format!(
                            "{path}: {} is not a {ty} value (the document is rejected)",
                            ecs_schema::show(value)
                        ));
                    }
                }
                if !in_mirror && !context.in_record {
                    match ecs_schema::schema().ty(path) {
                        None => {
                            out.insert(format!("{path}: mapped, but not an ECS field"));
                        }
                        Some(ecs) if ecs != ty => {
                            out.insert(format!(
                                "{path}: mapped as {ty}, but its ECS type is {ecs}"
                            ));
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }
}

/// Where [`Template::visit`] is.
#[derive(Clone, Copy)]
struct Context<'a> {
    /// The record's fields, by path.
    carried: &'a HashMap<String, &'a Value>,
    /// Inside a field carried unchanged from the record.
    in_record: bool,
}

/// Whether Elasticsearch indexes the scalar `value` in a field of type `ty` (with its default
/// `coerce`).
fn accepts(ty: &str, value: &Value) -> bool {
    let number = || {
        value
            .as_f64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse::<f64>().ok()))
    };
    match ty {
        "keyword" | "constant_keyword" | "wildcard" | "text" | "match_only_text" | "version" => {
            true
        }
        "long" => number()
            .is_some_and(|n| (-9.223_372_036_854_776e18..=9.223_372_036_854_776e18).contains(&n)),
        "integer" => {
            number().is_some_and(|n| (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&n))
        }
        "short" => {
            number().is_some_and(|n| (f64::from(i16::MIN)..=f64::from(i16::MAX)).contains(&n))
        }
        "byte" => number().is_some_and(|n| (f64::from(i8::MIN)..=f64::from(i8::MAX)).contains(&n)),
        "unsigned_long" => {
            number().is_some_and(|n| (0.0..=1.844_674_407_370_955_2e19).contains(&n))
        }
        "float" | "double" | "half_float" | "scaled_float" => number().is_some_and(f64::is_finite),
        "boolean" => {
            matches!(value, Value::Bool(_)) || matches!(value.as_str(), Some("true" | "false" | ""))
        }
        "date" => match value {
            Value::String(text) => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            Value::Number(n) => n.is_i64() || n.is_u64(),
            _ => false,
        },
        "ip" => value
            .as_str()
            .is_some_and(|text| text.parse::<IpAddr>().is_ok()),
        "flattened" => true,
        other => panic!("the test does not know the field type {other}"),
    }
}

/// Field types that honour `ignore_malformed`.
fn supports_ignore_malformed(ty: &str) -> bool {
    matches!(
        ty,
        "long"
            | "integer"
            | "short"
            | "byte"
            | "unsigned_long"
            | "float"
            | "double"
            | "half_float"
            | "scaled_float"
            | "boolean"
            | "date"
            | "date_nanos"
            | "ip"
            | "geo_point"
            | "geo_shape"
    )
}

#[test]
fn the_index_template_composes_the_component_templates_for_the_data_stream() {
    let index = read_json(&folder().join(INDEX_TEMPLATE));
    assert_eq!(
        index["index_patterns"],
        json!(["logs-kubernetes.audit_logs-*"])
    );
    assert!(
        index["data_stream"].is_object(),
        "not a data stream template"
    );
    // Above Elastic's built-in `logs` template (logs-*-*, priority 100).
    assert!(
        index["priority"].as_u64().is_some_and(|p| p > 100),
        "priority {}",
        index["priority"]
    );
    // Elasticsearch's logs@settings first (lifecycle, a default pipeline that stamps a
    // missing @timestamp, the failure store where the version has it) when the stack has it;
    // then ours, which win.
    let names: Vec<&str> = index["composed_of"]
        .as_array()
        .expect("composed_of")
        .iter()
        .map(|n| n.as_str().expect("a name"))
        .collect();
    let mut expected = vec!["logs@settings"];
    expected.extend(COMPONENTS.iter().map(|(name, _)| *name));
    assert_eq!(names, expected);
    assert_eq!(
        index["ignore_missing_component_templates"],
        json!(["logs@settings"])
    );
    // Every file is a bare request body: only the keys the APIs take.
    for (_, file) in COMPONENTS {
        let body = read_json(&folder().join(file));
        for key in body.as_object().expect("an object").keys() {
            assert!(
                ["template", "version", "_meta"].contains(&key.as_str()),
                "{file}: {key}"
            );
        }
    }
    let template = Template::shipped();
    assert!(
        template.ignore_malformed,
        "index.mapping.ignore_malformed is not set"
    );
    assert!(
        matches!(
            template.root,
            Node::Object {
                dynamic: Some(Dynamic::No),
                ..
            }
        ),
        "the root is mapped dynamically"
    );
}

#[test]
fn every_field_the_profile_writes_is_mapped_with_its_ecs_type() {
    let template = Template::shipped();
    let mut failures = Vec::new();
    for path in PROFILE_FIELDS {
        let ecs = ecs_schema::schema()
            .ty(path)
            .unwrap_or_else(|| panic!("{path} is not an ECS field"));
        match template.node(path) {
            Some(Node::Leaf { ty, .. }) if ty == ecs => {}
            Some(Node::Leaf { ty, .. }) => {
                failures.push(format!("{path}: mapped as {ty}, ECS type {ecs}"))
            }
            Some(Node::Object { .. }) => {
                failures.push(format!("{path}: mapped as an object, ECS type {ecs}"))
            }
            None => failures.push(format!("{path}: not mapped")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_field_mapped_outside_the_mirror_is_an_ecs_field_with_its_ecs_type() {
    let mut failures = Vec::new();
    for (path, ty) in Template::shipped().leaves() {
        if path.starts_with("kubernetes.audit.") {
            continue;
        }
        match ecs_schema::schema().ty(&path) {
            Some(ecs) if ecs == ty => {}
            Some(ecs) => failures.push(format!("{path}: mapped as {ty}, ECS type {ecs}")),
            None => failures.push(format!("{path}: not an ECS field")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn kubernetes_audit_is_mapped_as_elastics_integration_does() {
    let template = Template::shipped();
    // Not mapped dynamically: the event, its request and response objects, and the members
    // whose keys are free (annotations, extra).
    for path in [
        "kubernetes.audit",
        "kubernetes.audit.requestObject",
        "kubernetes.audit.responseObject",
        "kubernetes.audit.annotations",
        "kubernetes.audit.user.extra",
        "kubernetes.audit.impersonatedUser.extra",
    ] {
        match template.node(path) {
            Some(Node::Object {
                dynamic: Some(Dynamic::No),
                enabled: true,
                ..
            }) => {}
            other => panic!("{path}: expected a non-dynamic object, got {other:?}"),
        }
    }
    let mut failures = Vec::new();
    for (path, expected) in RULE_FIELDS {
        match template.node(path) {
            Some(Node::Leaf { ty, .. }) if ty == expected => {}
            other => failures.push(format!("{path}: expected {expected}, got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_field_of_the_ecs_fixtures_is_mapped() {
    let template = Template::shipped();
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("ecs");
    let mut failures = Vec::new();
    let mut checked = 0;
    for expected in ecs_schema::expected_documents(&folder) {
        if ecs_schema::is_error_document(&expected.document) {
            continue;
        }
        checked += 1;
        for problem in template.problems_written(&expected.document, expected.record.as_ref()) {
            failures.push(format!("{}: {problem}", expected.origin()));
        }
    }
    assert!(checked > 0, "no expected ECS document in fixtures/ecs");
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A document every field of which the shipped templates map.
fn mapped_document() -> Value {
    json!({
        "@timestamp": "2024-06-02T10:06:00.123456Z",
        "message": "alice read secrets/db in namespace default from 10.0.0.7",
        "event": {"kind": "event", "category": ["api"], "type": ["access", "allowed"], "duration": 76_544_000, "original": "{}"},
        "source": {"ip": "10.0.0.7", "address": "10.0.0.7"},
        "related": {"ip": ["10.0.0.7"], "user": ["alice"]},
        "url": {"original": "/api/v1/secrets", "path": "/api/v1/secrets"},
        "tags": ["audit"],
        "kubernetes": {"audit": {
            "kind": "Event",
            "verb": "get",
            "user": {"username": "alice", "groups": ["dev"], "extra": {
                "authentication.kubernetes.io/pod-name": ["web-0"],
                "anything.else": ["kept in _source"]
            }},
            "requestReceivedTimestamp": "2024-06-02T10:06:00.123456789Z",
            "responseStatus": {"code": 200, "metadata": {}},
            "annotations": {"authorization_k8s_io/decision": "allow", "mutation_webhook_admission_k8s_io/round_0_index_0": "{}"},
            "requestObject": {
                "kind": "Pod",
                "spec": {
                    "hostPID": true,
                    "containers": [{"name": "c", "image": "busybox", "securityContext": {"privileged": true}, "env": [{"name": "A", "value": ""}]}],
                    "volumes": [{"name": "root", "hostPath": {"path": "/", "type": ""}}]
                }
            },
            "responseObject": {"rules": [{"verbs": ["*"], "resources": ["*"], "apiGroups": [""]}]},
            "openshift": {"cluster_id": "kept in _source"}
        }}
    })
}

#[test]
fn the_check_fails_on_what_the_template_does_not_map() {
    let template = Template::shipped();
    assert_eq!(template.problems(&mapped_document()), Vec::<String>::new());
    let cases: &[(&str, Value, &str)] = &[
        // Outside the mirror, everything must be mapped, even ECS fields the profile never writes.
        (
            "url.domain",
            json!("example.com"),
            "url.domain: not mapped by the template",
        ),
        (
            "kubernetes.pod_name",
            json!("x"),
            "kubernetes.pod_name: not mapped by the template",
        ),
        (
            "stream",
            json!("stdout"),
            "stream: not mapped by the template",
        ),
        // Values Elasticsearch rejects.
        (
            "kubernetes.audit.verb",
            json!({"get": 1}),
            "kubernetes.audit.verb: an object where the template maps keyword",
        ),
        (
            "kubernetes.audit.user",
            json!("alice"),
            "kubernetes.audit.user: \"alice\" where the template maps an object",
        ),
        (
            "kubernetes.audit.requestObject.spec.containers",
            json!(["busybox"]),
            "kubernetes.audit.requestObject.spec.containers: \"busybox\" where the template maps an object",
        ),
        (
            "event",
            json!("x"),
            "event: \"x\" where the template maps an object",
        ),
    ];
    for (path, value, expected) in cases {
        let mut document = mapped_document();
        ecs_schema::set(&mut document, path, value.clone());
        let problems = template.problems(&document);
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "{path} = {value}: expected a problem starting with {expected:?}, got {problems:?}"
        );
    }
    // A field carried from the record need not be mapped, but must fit what is.
    // (A shipper's `host: "node-1"` is fine: the template leaves `host` unmapped for that.)
    let record = json!({"message": "{}", "stream": "stdout", "host": "node-1", "url": "http://x"});
    let mut document = mapped_document();
    ecs_schema::set(&mut document, "stream", json!("stdout"));
    ecs_schema::set(&mut document, "host", json!("node-1"));
    ecs_schema::set(&mut document, "url", json!("http://x"));
    assert_eq!(
        template.problems_written(&document, Some(&record)),
        ["url: \"http://x\" where the template maps an object (the document is rejected)"]
    );
    // Malformed values of types that honour index.mapping.ignore_malformed are dropped from
    // the index and the document kept: no problem.
    let mut document = mapped_document();
    ecs_schema::set(
        &mut document,
        "kubernetes.audit.requestReceivedTimestamp",
        json!("2024-06-02T25:00:00Z"),
    );
    ecs_schema::set(
        &mut document,
        "kubernetes.audit.requestObject.spec.hostPID",
        json!("yes"),
    );
    assert_eq!(template.problems(&document), Vec::<String>::new());
}

#[test]
fn the_check_fails_on_a_mapping_that_is_not_ecs_or_is_dynamic() {
    let index = json!({"composed_of": ["c"], "template": {"mappings": {"dynamic": true}}});
    let component = json!({"template": {"mappings": {"properties": {
        "source": {"properties": {"ip": {"type": "keyword"}}},
        "kubernetes": {"properties": {"audit": {"properties": {"verb": {"type": "keyword"}}}}}
    }}}});
    let template = Template::compose(&index, &BTreeMap::from([("c".to_owned(), component)]));
    let problems = template.problems(&json!({
        "source": {"ip": "10.0.0.7"},
        "kubernetes": {"audit": {"verb": "get", "requestObject": {"spec": {"hostPID": true}}}}
    }));
    assert_eq!(
        problems,
        [
            "kubernetes.audit.requestObject: not mapped, and would be mapped dynamically",
            "source.ip: mapped as keyword, but its ECS type is ip",
        ]
    );
    // An object where a keyword is mapped rejects the document.
    let problems = template.problems(&json!({"source": {"ip": {"v": 4}}}));
    assert_eq!(
        problems,
        [
            "source.ip: an object where the template maps keyword (the document is rejected)",
            "source.ip: mapped as keyword, but its ECS type is ip",
        ]
    );
    // Without ignore_malformed, so does a value of the wrong type.
    let component =
        json!({"template": {"mappings": {"properties": {"@timestamp": {"type": "date"}}}}});
    let template = Template::compose(&index, &BTreeMap::from([("c".to_owned(), component)]));
    assert_eq!(
        template.problems(&json!({"@timestamp": "2024-06-02 10:06:00"})),
        ["@timestamp: \"2024-06-02 10:06:00\" is not a date value (the document is rejected)"]
    );
}

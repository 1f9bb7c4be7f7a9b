//! The component's WIT interface as wasmtime's generated bindings, and the conversions between
//! its types and the core's (one case for one case).

use wasmtime::component::{ComponentExportIndex, Instance, InstancePre, ResourceAny, Val};
use wasmtime::{AsContextMut, Store};

use k8s_audit_ecs::{Documents, ErrorKind, EventFailure, LineFailure, Options, TransformError};

use crate::Error;
use crate::session::HostState;

mod generated {
    wasmtime::component::bindgen!({
        world: "normalizer-component",
        path: "../wit",
    });
}

pub(crate) use generated::NormalizerComponent;
use generated::NormalizerComponentPre;
pub(crate) use generated::exports::k8s_audit_ecs::transform::normalizer as wit;

/// The interface the component exports, as named in its WIT package.
const INTERFACE: &str = "k8s-audit-ecs:transform/normalizer@0.4.0";

/// The pre-instantiated component with what a session looks up in each instance.
pub(crate) struct Bindings {
    pub(crate) pre: NormalizerComponentPre<HostState>,
    /// The `transformer` constructor, called by profile name (see [`Bindings::transformer`]).
    constructor: ComponentExportIndex,
}

impl Bindings {
    pub(crate) fn new(instance_pre: InstancePre<HostState>) -> Result<Self, Error> {
        let component = instance_pre.component();
        let constructor = component
            .get_export_index(None, INTERFACE)
            .and_then(|interface| {
                component.get_export_index(Some(&interface), "[constructor]transformer")
            })
            .ok_or_else(|| {
                Error::new(format!(
                    "the component does not export `{INTERFACE}` with a `transformer` resource"
                ))
            })?;
        Ok(Bindings {
            pre: NormalizerComponentPre::new(instance_pre)?,
            constructor,
        })
    }

    /// A fresh instance with its typed bindings.
    pub(crate) fn instantiate(
        &self,
        store: &mut Store<HostState>,
    ) -> Result<(Instance, NormalizerComponent), Error> {
        let instance = self.pre.instance_pre().instantiate(&mut *store)?;
        let bindings = NormalizerComponent::new(&mut *store, &instance)?;
        Ok((instance, bindings))
    }

    /// Builds a `transformer` with `options` in `instance`. The profile crosses by its name
    /// (a case of the WIT `profile` enum), so host-test runs any profile of the core's registry
    /// without a table of its own, and a component without that profile gives a clear error.
    pub(crate) fn transformer(
        &self,
        mut store: impl AsContextMut,
        instance: &Instance,
        options: &Options,
    ) -> Result<ResourceAny, Error> {
        let constructor = instance
            .get_func(&mut store, self.constructor)
            .ok_or_else(|| Error::new("the component has no `transformer` constructor"))?;
        let text =
            |value: Option<&str>| Val::Option(value.map(|v| Box::new(Val::String(v.into()))));
        let options = Val::Record(vec![
            ("profile".into(), Val::Enum(options.profile.name().into())),
            ("event-field".into(), text(Some(&options.event_field))),
            ("cluster-name".into(), text(options.cluster_name.as_deref())),
        ]);
        let mut results = [Val::Bool(false)];
        constructor
            .call(&mut store, &[options], &mut results)
            .map_err(|e| {
                Error::from(e).context("the component cannot build a transformer with these options (does it know the profile?)")
            })?;
        match &results[0] {
            Val::Resource(transformer) => Ok(*transformer),
            other => Err(Error::new(format!(
                "the `transformer` constructor returned {other:?}, not a resource"
            ))),
        }
    }
}

impl From<wit::TransformError> for TransformError {
    fn from(error: wit::TransformError) -> Self {
        use wit::TransformError as Wit;
        match error {
            Wit::InvalidJson(e) => {
                TransformError::new(ErrorKind::InvalidJson, e.message).at(e.line, e.column)
            }
            Wit::NotAnObject(m) => TransformError::new(ErrorKind::NotAnObject, m),
            Wit::NotAnAuditEvent(m) => TransformError::new(ErrorKind::NotAnAuditEvent, m),
            Wit::InvalidBase64(m) => TransformError::new(ErrorKind::InvalidBase64, m),
            Wit::InvalidGzip(m) => TransformError::new(ErrorKind::InvalidGzip, m),
            Wit::PayloadTooLarge(m) => TransformError::new(ErrorKind::PayloadTooLarge, m),
            Wit::InvalidEnvelope(m) => TransformError::new(ErrorKind::InvalidEnvelope, m),
            Wit::InvalidUtf8(m) => TransformError::new(ErrorKind::InvalidUtf8, m),
            Wit::ComponentTrap(m) => TransformError::new(ErrorKind::ComponentTrap, m),
        }
    }
}

impl From<wit::LineFailure> for LineFailure {
    fn from(failure: wit::LineFailure) -> Self {
        LineFailure {
            line: failure.line as usize,
            event: failure.event.map(|event| event as usize),
            error: failure.error.into(),
        }
    }
}

impl From<wit::Converted> for Documents {
    fn from(converted: wit::Converted) -> Self {
        Documents {
            documents: converted.documents,
            failures: converted
                .failures
                .into_iter()
                .map(|failure| EventFailure {
                    index: failure.index as usize,
                    error: failure.error.into(),
                })
                .collect(),
        }
    }
}

//! Output profiles: which fields a document gets from an audit event (docs/profiles.md,
//! docs/ocsf.md).
//!
//! A profile is a list of named field groups and a rule for where its document starts. The
//! registry below is the one place that lists the profiles: the [`Profile`] enum, its names
//! and descriptions, `host-test --profile`, the Fluent Bit exports, the examples' choices and
//! the tests' fixture folders (`fixtures/<name>/`) all come from it. Adding a profile takes one
//! module with its field groups, one registry line, one case of the WIT `profile` enum (in the
//! registry's order), and its fixtures.

mod baseline;
mod ecs;
mod extended;
mod ocsf;

pub(crate) use ecs::mirror::Mirror;

use std::str::FromStr;

use crate::event::Event;
use crate::layout::Produced;
use crate::shape::Metadata;
use crate::user_agent::UserAgentFields;

/// The profile registry, handed to `$then!` as one line per profile:
/// `Variant "name" fluent_bit_export [field groups] (start) "description";`.
macro_rules! profile_registry {
    ($then:ident) => {
        $then! {
            Baseline "baseline" k8s_audit_ecs_baseline [baseline::DOCUMENTED] (Start::KeepEventText)
                "The documented contract: event, action, http, url, source, user, user_agent, kubernetes (namespace, resource, object, RBAC reason) and related fields.";
            Extended "extended" k8s_audit_ecs_extended [baseline::DOCUMENTED, extended::WORKLOAD] (Start::KeepEventText)
                "baseline plus workload-security fields: API group, bound role, and a pod spec's host network, containers and volumes.";
            Ecs "ecs" k8s_audit_ecs_ecs [ecs::ECS] (Start::MoveToOriginal)
                "ECS proper, for detection rules: event.kind/category/type/outcome, @timestamp, user.effective, source/client, url, orchestrator, the whole event under kubernetes.audit, event.original and a one-line message.";
            Ocsf "ocsf" k8s_audit_ecs_ocsf [ocsf::OCSF] (ocsf::START)
                "OCSF 1.8.0 API Activity (class 6003) for Security Lake and other OCSF consumers: activity, actor, api, http_request, src_endpoint, resources, status, observables, cloud for envelopes, the event text in raw_data and the rest under unmapped.";
        }
    };
}
#[cfg_attr(not(all(target_os = "wasi", target_env = "p1")), allow(unused_imports))]
pub(crate) use profile_registry;

/// Defines [`Profile`] and its table from the registry.
macro_rules! define_profiles {
    ($( $variant:ident $name:literal $export:ident [$($group:expr),+] ($start:expr) $description:literal; )+) => {
        /// Which fields the transform produces.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub enum Profile {
            #[default]
            $(
                #[doc = $description]
                $variant,
            )+
        }

        impl Profile {
            /// Every profile, in registry order (the order of the WIT `profile` enum).
            pub const ALL: [Profile; [$($name),+].len()] = [$(Profile::$variant),+];

            /// The profile's name, as on command lines, in the WIT enum and as the fixture folder.
            pub fn name(self) -> &'static str {
                match self { $(Profile::$variant => $name,)+ }
            }

            /// One sentence on what the profile produces.
            pub fn description(self) -> &'static str {
                match self { $(Profile::$variant => $description,)+ }
            }

            /// The name of the Fluent Bit filter function that runs this profile.
            pub fn fluent_bit_function(self) -> &'static str {
                match self { $(Profile::$variant => stringify!($export),)+ }
            }

            /// The field groups, applied in this order.
            pub(crate) fn groups(self) -> &'static [FieldGroup] {
                match self { $(Profile::$variant => &[$($group),+],)+ }
            }

            /// Where the profile's documents start.
            pub(crate) fn start(self) -> Start {
                match self { $(Profile::$variant => $start,)+ }
            }
        }
    };
}

profile_registry!(define_profiles);

/// Where a profile's document starts, before its fields are merged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// From the record as received (or `{"message": <event text>}`): the event text stays in
    /// `message` or the field that held it (baseline, extended).
    KeepEventText,
    /// The event text moves to `event.original`, the field that held it is removed, and the
    /// profile writes `message` itself (ecs).
    MoveToOriginal,
    /// The document holds the profile's own attributes only (ocsf): the event text goes to
    /// `event_text`, the record's other fields (as received) to `other_fields`, and the
    /// envelope's metadata is the profile's to write ([`Context::envelope`]), in its own terms.
    OwnAttributes {
        /// Where the event's exact text goes (`raw_data`).
        event_text: &'static [&'static str],
        /// Where the record's fields other than the event's go (`unmapped.record`).
        other_fields: &'static [&'static str],
    },
}

/// A named set of output fields: how to add them to the produced tree for one event.
pub(crate) struct FieldGroup {
    /// Whether it reads the event's members (the whole event), not only its typed fields.
    pub(crate) reads_whole_event: bool,
    /// Adds the group's fields.
    pub(crate) add: for<'a> fn(&'a Event<'a>, &mut Produced<'a>, &Context<'_>),
}

/// What a field group may use besides the event.
pub(crate) struct Context<'c> {
    /// Parses a user agent into its three families (through the transformer's cache).
    pub(crate) user_agent: &'c dyn Fn(&str) -> UserAgentFields,
    /// The transformer's `cluster-name` option.
    pub(crate) cluster_name: Option<&'c str>,
    /// For an item of an `EventList`: the list's `apiVersion` (items often omit their own).
    pub(crate) list_api_version: Option<&'c str>,
    /// Whether the event is an item of an `EventList`.
    pub(crate) in_event_list: bool,
    /// What the envelope says about where the event comes from. The conversion loop writes it
    /// as ECS fields for the profiles that start from the record or the event text; a profile
    /// with [`Start::OwnAttributes`] writes it itself.
    pub(crate) envelope: &'c Metadata<'c>,
}

impl Profile {
    /// Whether documents keep the event text where the record had it (in `message`, or the
    /// configured field); otherwise it moves to `event.original`, that field is removed, and
    /// `message` is the profile's own (docs/documents.md).
    pub fn keeps_event_text(self) -> bool {
        self.start() == Start::KeepEventText
    }

    /// Whether documents hold the profile's own attributes only (ocsf): the event text in an
    /// attribute of its own (`raw_data`), a wrapped record's other fields under another
    /// (`unmapped.record`), nothing merged at the top level (docs/documents.md).
    pub fn writes_own_attributes_only(self) -> bool {
        matches!(self.start(), Start::OwnAttributes { .. })
    }

    /// Whether any of the profile's groups reads the whole event.
    pub(crate) fn reads_whole_event(self) -> bool {
        self.groups().iter().any(|group| group.reads_whole_event)
    }

    /// Adds this profile's fields for `event` to `produced`.
    pub(crate) fn apply<'a>(
        self,
        event: &'a Event<'a>,
        produced: &mut Produced<'a>,
        context: &Context<'_>,
    ) {
        for group in self.groups() {
            (group.add)(event, produced, context);
        }
    }

    /// The names of every profile, for messages: `baseline`, `extended`, ...
    pub fn names() -> impl Iterator<Item = &'static str> {
        Profile::ALL.iter().map(|profile| profile.name())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|profile| profile.name() == name)
            .ok_or_else(|| {
                let names: Vec<String> = Profile::names().map(|n| format!("`{n}`")).collect();
                format!("unknown profile `{name}` (expected {})", names.join(", "))
            })
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_choices() {
        for profile in Profile::ALL {
            assert_eq!(profile.name().parse::<Profile>(), Ok(profile));
            assert!(!profile.description().is_empty());
            assert_eq!(
                profile.fluent_bit_function(),
                format!("k8s_audit_ecs_{}", profile.name())
            );
        }
        let error = "nope".parse::<Profile>().unwrap_err();
        assert!(error.starts_with("unknown profile `nope` (expected `baseline`, `extended`"));
        for name in Profile::names() {
            assert!(error.contains(&format!("`{name}`")), "{error}");
        }
    }

    #[test]
    fn baseline_and_extended_read_only_typed_fields() {
        assert!(!Profile::Baseline.reads_whole_event());
        assert!(!Profile::Extended.reads_whole_event());
    }

    #[test]
    fn only_ocsf_keeps_its_own_attributes() {
        for profile in Profile::ALL {
            let own = profile.writes_own_attributes_only();
            assert_eq!(own, profile == Profile::Ocsf, "{profile}");
        }
    }
}

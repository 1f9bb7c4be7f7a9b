//! Output profiles: which ECS fields a document gets from an audit event.
//!
//! A profile is a function that adds fields to the produced tree; a richer profile calls the
//! one it extends first. Adding a profile touches this file and one new module.

mod baseline;
mod extended;

use std::str::FromStr;

use crate::document::Fields;
use crate::event::AuditEvent;
use crate::user_agent::UserAgentFields;

/// Parses a user agent into its three families.
pub(crate) type UserAgentParser<'p> = dyn Fn(&str) -> UserAgentFields + 'p;

/// Which ECS fields the transform produces.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Profile {
    /// The documented contract: event, action, http, url, source, user, user agent,
    /// kubernetes object and authorisation fields, related.
    #[default]
    Baseline,
    /// Baseline plus workload-security fields: API group, bound role, and the pod spec's
    /// host network, containers and volumes.
    Extended,
}

impl Profile {
    /// Every profile, in the order the documentation lists them.
    pub const ALL: [Profile; 2] = [Profile::Baseline, Profile::Extended];

    /// The profile's name as used on command lines and in the WIT enum.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Baseline => "baseline",
            Profile::Extended => "extended",
        }
    }

    /// Adds this profile's fields for `event` to `produced`.
    /// `user_agent` parses a user agent (through the transformer's cache).
    pub(crate) fn apply<'a>(
        self,
        event: &AuditEvent<'a>,
        produced: &mut Fields<'a>,
        user_agent: &UserAgentParser<'_>,
    ) {
        match self {
            Profile::Baseline => baseline::apply(event, produced, user_agent),
            Profile::Extended => {
                baseline::apply(event, produced, user_agent);
                extended::apply(event, produced);
            }
        }
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|profile| profile.name() == name)
            .ok_or_else(|| format!("unknown profile `{name}` (expected `baseline` or `extended`)"))
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

//! `host-test check`: fixtures through the component, compared as docs/comparison.md says.

use std::path::PathBuf;

use k8s_audit_ecs::Profile;
use k8s_audit_ecs::compare::Difference;
use k8s_audit_ecs::fixture::Fixture;

use crate::{Error, Limits, Runtime, Session};

/// The fixtures that did not match, with their differences, and how many did.
#[derive(Debug, Default)]
pub struct Report {
    /// How many fixtures matched.
    pub passed: usize,
    /// The fixtures that did not match, each with one difference per field.
    pub failed: Vec<(PathBuf, Vec<Difference>)>,
}

impl Report {
    /// The closing line: `N passed, M failed`.
    pub fn summary(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed.len())
    }
}

/// Runs each fixture's input through the component with `profile` — when `None`, the profile
/// its folder is named after ([`Fixture::folder_profile`]), else the default — and the
/// fixture's own options, and compares what it wrote — its documents, or the pass-through document of a
/// record that failed — with the expectation. `event_field` overrides the default event field
/// of fixtures that set none.
pub fn check(
    runtime: &Runtime,
    profile: Option<Profile>,
    event_field: Option<&str>,
    limits: Limits,
    fixtures: &[Fixture],
) -> Result<Report, Error> {
    let mut report = Report::default();
    // One session per distinct set of options, most fixtures sharing the first.
    let mut sessions: Vec<(k8s_audit_ecs::Options, Session<'_>)> = Vec::new();
    for fixture in fixtures {
        let profile = profile
            .or_else(|| fixture.folder_profile())
            .unwrap_or_default();
        let mut options = fixture.options(profile);
        if let (Some(field), None) = (event_field, &fixture.event_field) {
            options.event_field = field.to_owned();
        }
        let at = match sessions.iter().position(|(o, _)| *o == options) {
            Some(at) => at,
            None => {
                let session = Session::with_limits(runtime, &options, limits)?;
                sessions.push((options, session));
                sessions.len() - 1
            }
        };
        let lines = sessions[at]
            .1
            .transform(&fixture.input)?
            .into_lines(&fixture.input);
        let differences = fixture.check(&lines);
        if differences.is_empty() {
            report.passed += 1;
        } else {
            report.failed.push((fixture.path.clone(), differences));
        }
    }
    Ok(report)
}

//! `host-test check`: fixtures through the component, compared as mapping.md says.

use std::path::PathBuf;

use k8s_audit_ecs::compare::Difference;
use k8s_audit_ecs::fixture::Fixture;

use crate::{Error, Session};

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

/// Runs each fixture's input through the component and compares what it wrote (its
/// documents, or the pass-through document of a record that failed) with the expectation.
pub fn check(session: &mut Session<'_>, fixtures: &[Fixture]) -> Result<Report, Error> {
    let mut report = Report::default();
    for fixture in fixtures {
        let lines = session
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

//! `user_agent.name`, `user_agent.os.name`, `user_agent.device.name`, named as uap-core names
//! them (the reference platform's naming).
//!
//! No regex database at run time: each of the three families is a short chain of
//! hand-written rules that reproduce uap-core's, in uap-core's order ([`name`], [`os`],
//! [`device`]), with woothee recognising the niche browsers and phone systems uap-core knows
//! by name, and a parser of client-go's shape ([`client_go`]) skipping the browser rules for
//! kubectl and the control plane. Audit logs repeat a handful of user agents millions of times, so results are
//! cached ([`Cache`]).

mod cache;
mod client_go;
mod device;
mod generic;
mod name;
mod os;
mod scan;

use std::borrow::Cow;

pub use cache::Cache;

/// The three parsed user-agent fields. `Other` is a value: all three are always set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAgentFields {
    /// `user_agent.name`: the client family (`Chrome`, `curl`, `Other`, ...).
    pub name: Cow<'static, str>,
    /// `user_agent.os.name`: the operating system family (`Linux`, `Mac OS X`, `Other`, ...).
    pub os: Cow<'static, str>,
    /// `user_agent.device.name`: the device family (`Mac`, `iPhone`, `Other`, ...).
    pub device: Cow<'static, str>,
}

/// Parses a user agent into uap-core's three families (uncached; see [`Cache::parse`]).
pub fn parse(user_agent: &str) -> UserAgentFields {
    // woothee only matters for browsers; a client-go or library user agent skips it.
    let woothee = user_agent
        .contains("Mozilla/")
        .then(|| woothee::parser::Parser::new().parse(user_agent))
        .flatten();
    let woothee_name = woothee.as_ref().map(|w| w.name);
    let woothee_os = woothee.as_ref().map(|w| w.os);
    UserAgentFields {
        name: name::family(user_agent, woothee_name),
        os: Cow::Borrowed(os::family(user_agent, woothee_os)),
        device: device::family(user_agent),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn families(user_agent: &str) -> (String, String, String) {
        let fields = parse(user_agent);
        (fields.name.into(), fields.os.into(), fields.device.into())
    }

    #[test]
    fn documented_examples() {
        let chrome_windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
        let chrome_mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
        for (user_agent, expected) in [
            (
                "kubectl/v1.24.2 (linux/amd64) kubernetes/f66044f",
                ("Other", "Linux", "Other"),
            ),
            (
                "kubectl/v1.29.0 (darwin/arm64) kubernetes/3f7a50f",
                ("Other", "Other", "Other"),
            ),
            ("curl/8.5.0", ("curl", "Other", "Other")),
            (chrome_windows, ("Chrome", "Windows", "Other")),
            (chrome_mac, ("Chrome", "Mac OS X", "Mac")),
            ("", ("Other", "Other", "Other")),
        ] {
            let (name, os, device) = expected;
            assert_eq!(
                families(user_agent),
                (name.into(), os.into(), device.into()),
                "{user_agent}"
            );
        }
    }
}

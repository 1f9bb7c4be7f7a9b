//! `user_agent.name`, `user_agent.os.name`, `user_agent.device.name`, named as uap-core names
//! them (the reference platform's naming).
//!
//! Kubernetes clients mostly use client-go's shape, `name/version (os/arch) kubernetes/commit`,
//! which uap-core does not know as a browser (`Other`) but whose OS part it reads. Browsers and
//! operating systems are recognised by woothee, whose names are mapped to uap-core's.

use std::borrow::Cow;

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

const OTHER: Cow<'static, str> = Cow::Borrowed("Other");

impl UserAgentFields {
    fn other() -> Self {
        UserAgentFields {
            name: OTHER,
            os: OTHER,
            device: OTHER,
        }
    }
}

/// Parses a user agent into uap-core's three families.
pub fn parse(user_agent: &str) -> UserAgentFields {
    if let Some(platform_os) = client_go_os(user_agent) {
        return UserAgentFields {
            name: OTHER,
            os: client_go_os_family(platform_os),
            device: OTHER,
        };
    }
    if let Some(rest) = user_agent.strip_prefix("curl/") {
        if rest.starts_with(|c: char| c.is_ascii_digit()) {
            return UserAgentFields {
                name: Cow::Borrowed("curl"),
                ..UserAgentFields::other()
            };
        }
    }
    from_woothee(user_agent)
}

/// The `os` of client-go's `name/version (os/arch) kubernetes/commit[/suffix]`.
fn client_go_os(user_agent: &str) -> Option<&str> {
    let (_product, rest) = user_agent.split_once('/')?;
    let (_version, rest) = rest.split_once(" (")?;
    let (platform, rest) = rest.split_once(") ")?;
    let (os, _arch) = platform.split_once('/')?;
    rest.starts_with("kubernetes/").then_some(os)
}

/// uap-core reads `linux` anywhere as Linux and `windows` as Windows; `darwin` it does not know.
fn client_go_os_family(os: &str) -> Cow<'static, str> {
    match os {
        "linux" => Cow::Borrowed("Linux"),
        "windows" => Cow::Borrowed("Windows"),
        _ => OTHER,
    }
}

fn from_woothee(user_agent: &str) -> UserAgentFields {
    let Some(result) = woothee::parser::Parser::new().parse(user_agent) else {
        return UserAgentFields::other();
    };
    let name = match result.name {
        "Internet Explorer" => "IE",
        "UNKNOWN" | "" => "Other",
        "Chrome" => "Chrome",
        "Firefox" => "Firefox",
        "Safari" => "Safari",
        "Edge" => "Edge",
        "Opera" => "Opera",
        _ => "Other",
    };
    let (os, device) = match result.os {
        os if os.starts_with("Windows") => ("Windows", "Other"),
        "Mac OSX" => ("Mac OS X", "Mac"),
        "Linux" => ("Linux", "Other"),
        "iPhone" => ("iOS", "iPhone"),
        "iPad" => ("iOS", "iPad"),
        "Android" => ("Android", "Generic Smartphone"),
        "ChromeOS" => ("Chrome OS", "Other"),
        _ => ("Other", "Other"),
    };
    UserAgentFields {
        name: Cow::Borrowed(name),
        os: Cow::Borrowed(os),
        device: Cow::Borrowed(device),
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

    #[test]
    fn client_go_with_a_service_account_suffix() {
        let user_agent = "kube-controller-manager/v1.28.4 (linux/amd64) kubernetes/bae2c62/system:serviceaccount:kube-system:generic-garbage-collector";
        assert_eq!(
            families(user_agent),
            ("Other".into(), "Linux".into(), "Other".into())
        );
    }
}

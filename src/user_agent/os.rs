//! `user_agent.os.name`: uap-core's operating-system family.
//!
//! uap-core's `os_parsers` in their order, for the systems Kubernetes clients run on. Note
//! the last one: a lowercase `linux` anywhere means Linux, which is why client-go's
//! `(linux/amd64)` gives Linux while `(darwin/arm64)` and `(windows/amd64)` give Other.

use super::scan::{positions, version_groups};

/// Distributions named anywhere (uap-core's `(Ubuntu|Kubuntu|Arch Linux|...)`).
const DISTRIBUTIONS: &[&str] = &[
    "Ubuntu",
    "Kubuntu",
    "Arch Linux",
    "CentOS",
    "Slackware",
    "Gentoo",
    "openSUSE",
    "SUSE",
    "Red Hat",
    "Fedora",
    "PCLinuxOS",
    "Mageia",
    "SerenityOS",
    "FreeBSD",
    "OpenBSD",
    "NetBSD",
];

/// The operating-system family of `ua`; `woothee_os` is woothee's OS name, when it has one.
pub(super) fn family(ua: &str, woothee_os: Option<&str>) -> &'static str {
    if positions(ua, "Android").any(|at| {
        let rest = &ua[at + 7..];
        rest.strip_prefix([' ', '-', '/'])
            .is_some_and(|v| version_groups(v) >= 1)
    }) {
        return "Android";
    }
    if let Some(os) = woothee_os.and_then(mobile_system) {
        return os;
    }
    if [
        "Windows NT 6.",
        "Win32NT/6.",
        "Windows NT 10.0",
        "Win 9x 4.90",
    ]
    .iter()
    .any(|t| ua.contains(t))
    {
        return "Windows";
    }
    if mac_os_x(ua) || ua.contains("darwin; arm64") {
        return "Mac OS X";
    }
    if ios(ua) {
        return "iOS";
    }
    if positions(ua, "CrOS ").any(|at| {
        let rest = &ua[at + 5..];
        let word = rest.len()
            - rest
                .trim_start_matches(|c: char| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
                })
                .len();
        word > 0
            && rest[word..]
                .strip_prefix(' ')
                .is_some_and(|v| version_groups(v) >= 2)
    }) {
        return "Chrome OS";
    }
    if ua.contains("Debian") || ua.contains("debian") {
        return "Debian";
    }
    if let Some(distribution) = versioned_distribution(ua) {
        return distribution;
    }
    match super::scan::leftmost(ua, &["Windows", "Android", "WeTab", "Maemo", "Web0S"]) {
        Some("Windows") => return "Windows",
        Some("Android") => return "Android",
        Some(other) => return other,
        None => {}
    }
    if let Some(distribution) = super::scan::leftmost(ua, DISTRIBUTIONS) {
        return distribution;
    }
    if ua.contains("Linux") || ua.contains("(linux-gnu)") {
        return "Linux";
    }
    if ua.contains("SunOS") {
        return "Solaris";
    }
    if ua.contains("(x86_64-redhat-linux-gnu)") {
        return "Red Hat";
    }
    if ua.contains("linux") {
        return "Linux";
    }
    if ua.contains("os/macos") {
        return "Mac OS X";
    }
    "Other"
}

/// uap-core: `((?:Mac[ +]?|; )OS[ +]X)[\s+/](?:d[_.]d|Mach-O)`.
fn mac_os_x(ua: &str) -> bool {
    [
        "Mac OS X", "MacOS X", "Mac+OS+X", "Mac OS+X", "Mac+OS X", "MacOS+X", "; OS X", "; OS+X",
    ]
    .iter()
    .any(|prefix| {
        positions(ua, prefix).any(|at| {
            let rest = &ua[at + prefix.len()..];
            let Some(rest) = rest.strip_prefix([' ', '\t', '+', '/']) else {
                return false;
            };
            rest.starts_with("Mach-O") || {
                let digits =
                    rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                digits > 0
                    && rest[digits..]
                        .strip_prefix(['_', '.'])
                        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            }
        })
    })
}

/// uap-core: `(CPU[ +]OS|iPhone[ +]OS|CPU[ +]iPhone|CPU IPhone OS|CPU iPad OS)[ +]+d[_.]d`.
fn ios(ua: &str) -> bool {
    [
        "CPU OS",
        "CPU+OS",
        "iPhone OS",
        "iPhone+OS",
        "CPU iPhone",
        "CPU+iPhone",
        "CPU IPhone OS",
        "CPU iPad OS",
    ]
    .iter()
    .any(|prefix| {
        positions(ua, prefix).any(|at| {
            let rest = ua[at + prefix.len()..].trim_start_matches([' ', '+']);
            let spaced = rest.len() < ua.len() - at - prefix.len();
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            spaced
                && digits > 0
                && rest[digits..]
                    .strip_prefix(['_', '.'])
                    .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        })
    })
}

/// uap-core: `(Fedora|Red Hat|...|Ubuntu|...)[/ ]d.d`.
fn versioned_distribution(ua: &str) -> Option<&'static str> {
    [
        "Fedora",
        "Red Hat",
        "PCLinuxOS",
        "Puppy",
        "Ubuntu",
        "Kindle",
        "Bada",
        "Sailfish",
        "Lubuntu",
        "BackTrack",
        "Slackware",
        "FreeBSD",
        "OpenBSD",
        "NetBSD",
    ]
    .into_iter()
    .find(|name| {
        positions(ua, name).any(|at| {
            ua[at + name.len()..]
                .strip_prefix(['/', ' '])
                .is_some_and(|v| version_groups(v) >= 2)
        })
    })
}

/// Phone and console systems woothee recognises, by uap-core's names.
fn mobile_system(woothee_os: &str) -> Option<&'static str> {
    match woothee_os {
        "Windows Phone OS" => Some("Windows Phone"),
        "BlackBerry" => Some("BlackBerry OS"),
        "BlackBerry 10" => Some("BlackBerry OS"),
        "Firefox OS" => Some("Firefox OS"),
        _ => None,
    }
}

//! client-go's user-agent shape, `program/version (os/arch) kubernetes/commit[/suffix]`: what
//! kubectl, every control-plane component and most controllers send.
//!
//! uap-core has no rule for the shape itself (its families come from the generic rules), so
//! parsing it changes no result; it tells the name rules that no browser rule can apply, which
//! skips them for the most common user agents in an audit log.

/// The parts of a client-go user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientGo<'a> {
    /// The program (`kubectl`, `kube-controller-manager`, `kubectl.exe`).
    pub(crate) program: &'a str,
    /// Its version (`v1.29.2`, `v0.0.0`).
    pub(crate) version: &'a str,
    /// GOOS (`linux`, `darwin`, `windows`).
    pub(crate) os: &'a str,
    /// GOARCH (`amd64`, `arm64`).
    pub(crate) arch: &'a str,
    /// The source commit (`4b8e819`, `$Format`).
    pub(crate) commit: &'a str,
    /// What follows the commit, without its `/` (`system:serviceaccount:kube-system:job-controller`).
    pub(crate) suffix: Option<&'a str>,
}

/// Parses `program/version (os/arch) kubernetes/commit[/suffix]`; `None` for anything else.
pub(crate) fn parse(user_agent: &str) -> Option<ClientGo<'_>> {
    let (program, rest) = user_agent.split_once('/')?;
    let (version, rest) = rest.split_once(" (")?;
    let (platform, rest) = rest.split_once(") kubernetes/")?;
    let (os, arch) = platform.split_once('/')?;
    let (commit, suffix) = match rest.split_once('/') {
        Some((commit, suffix)) => (commit, Some(suffix)),
        None => (rest, None),
    };
    let word = |s: &str| !s.is_empty() && !s.contains([' ', '(', ')', '/']);
    (word(program) && word(version) && word(os) && word(arch) && word(commit)).then_some(ClientGo {
        program,
        version,
        os,
        arch,
        commit,
        suffix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_client_go_user_agents() {
        let parsed = parse("kube-controller-manager/v1.28.4 (linux/amd64) kubernetes/bae2c62/system:serviceaccount:kube-system:job-controller").unwrap();
        assert_eq!(
            (
                parsed.program,
                parsed.version,
                parsed.os,
                parsed.arch,
                parsed.commit
            ),
            (
                "kube-controller-manager",
                "v1.28.4",
                "linux",
                "amd64",
                "bae2c62"
            )
        );
        assert_eq!(
            parsed.suffix,
            Some("system:serviceaccount:kube-system:job-controller")
        );
        let parsed = parse("kubectl.exe/v1.28.2 (windows/amd64) kubernetes/89a4ea3").unwrap();
        assert_eq!(
            (parsed.program, parsed.os, parsed.suffix),
            ("kubectl.exe", "windows", None)
        );
        assert!(parse("manager/v0.0.0 (linux/arm64) kubernetes/$Format").is_some());
    }

    #[test]
    fn rejects_other_shapes() {
        for other in [
            "curl/8.5.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            "kube-probe/1.28",
            "Go-http-client/2.0",
            "kubectl/v1.29.2 (linux) kubernetes/4b8e819",
        ] {
            assert_eq!(parse(other), None, "{other}");
        }
    }
}

//! Small matching helpers: the handful of regular-expression shapes uap-core's rules use,
//! written as plain scans over the user-agent text.

/// Byte positions where `needle` starts in `haystack`, left to right.
pub(super) fn positions<'a>(
    haystack: &'a str,
    needle: &'a str,
) -> impl Iterator<Item = usize> + 'a {
    haystack.match_indices(needle).map(|(at, _)| at)
}

/// How many dot-separated groups of digits start `text` (`"120.0.6099.71 Mobile"` → 4).
pub(super) fn version_groups(text: &str) -> usize {
    let mut groups = 0;
    let mut rest = text.as_bytes();
    loop {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return groups;
        }
        groups += 1;
        rest = &rest[digits..];
        match rest.split_first() {
            Some((b'.', tail)) => rest = tail,
            _ => return groups,
        }
    }
}

/// `token/` followed by at least `groups` version groups, anywhere (`Chrome/1.2`).
pub(super) fn has_versioned(ua: &str, token: &str, groups: usize) -> bool {
    positions(ua, token).any(|at| versioned_at(ua, at + token.len(), groups))
}

/// Whether `/` and at least `groups` version groups start at byte `at`.
pub(super) fn versioned_at(ua: &str, at: usize, groups: usize) -> bool {
    ua.get(at..)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| version_groups(rest) >= groups)
}

/// Whether the byte before `at` is not a word character (a regex `\b` before a word).
pub(super) fn word_start(ua: &str, at: usize) -> bool {
    at == 0
        || !ua
            .as_bytes()
            .get(at - 1)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// Whether `second` occurs after the end of an occurrence of `first`, starting at most
/// `within` bytes after it (`first.{0,within}second`). Returns the position of `second`.
pub(super) fn followed_by(ua: &str, first: &str, second: &str, within: usize) -> Option<usize> {
    positions(ua, first).find_map(|at| {
        let from = at + first.len();
        let rest = ua.get(from..)?;
        rest.find(second)
            .filter(|&offset| offset <= within)
            .map(|offset| from + offset)
    })
}

/// The leftmost occurrence of any of `tokens` (ties go to the earlier token), as the token.
pub(super) fn leftmost<'t>(ua: &str, tokens: &[&'t str]) -> Option<&'t str> {
    tokens
        .iter()
        .enumerate()
        .filter_map(|(rank, token)| ua.find(token).map(|at| (at, rank, *token)))
        .min()
        .map(|(_, _, token)| token)
}

/// ASCII case-insensitive `contains`.
pub(super) fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    bytes_contain_ignore_case(haystack.as_bytes(), needle)
}

/// ASCII case-insensitive `contains` over bytes (`haystack` may be cut inside a character).
pub(super) fn bytes_contain_ignore_case(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    haystack
        .windows(needle.len().max(1))
        .any(|window| window.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_tokens() {
        assert_eq!(version_groups("120.0.6099.71 Mobile"), 4);
        assert_eq!(version_groups("v1.2"), 0);
        assert_eq!(version_groups("3."), 1);
        assert!(has_versioned("a Chrome/1.2 b", "Chrome", 2));
        assert!(!has_versioned("a Chrome/1 b", "Chrome", 2));
        assert!(word_start("x curl", 2) && !word_start("xcurl", 1));
        assert_eq!(
            followed_by("Mobile; rv:1) Firefox/1", "Mobile;", "Firefox/", 200),
            Some(14)
        );
        assert_eq!(leftmost("b a", &["a", "b"]), Some("b"));
        assert!(contains_ignore_case("ArgoCD", "argo"));
    }
}

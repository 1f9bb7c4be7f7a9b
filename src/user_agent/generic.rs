//! uap-core's three generic robot rules, which name a client by the text they match: a word
//! ending in `bot`, `spider`, `crawler`, `scraper`, `indexer` or `archiver` is taken for a
//! crawler's name. Kubernetes programs are often called so (`renovate-bot`, `log-crawler`),
//! and the reference platform names them that way, so we must too.
//!
//! Each function reproduces one regular expression's leftmost-first, greedy semantics with
//! plain scans; the expression is quoted above it.

/// The client name the robot rules give, if one matches.
pub(super) fn robot_name(ua: &str) -> Option<&str> {
    // Every rule needs one of these words; most user agents have none, and skip the scans.
    let lower = ua.to_ascii_lowercase();
    let has = |word: &str| lower.contains(word);
    let any_rule = has("bot")
        || has("spider")
        || has("crawl")
        || has("scrape")
        || has("archiver")
        || has("indexer");
    if !any_rule {
        return None;
    }
    rule_61(ua).or_else(|| rule_62(ua)).or_else(|| rule_63(ua))
}

fn byte(ua: &str, at: usize) -> Option<u8> {
    ua.as_bytes().get(at).copied()
}

/// Start positions the `^.{0,200}?` prefix allows (it stops at a line break).
fn lazy_starts(ua: &str) -> impl Iterator<Item = usize> + '_ {
    let limit = ua.find('\n').unwrap_or(ua.len());
    (0..=limit.min(200)).filter(move |&at| ua.is_char_boundary(at))
}

/// `^.{0,200}?(?:\/[A-Za-z0-9\.]{0,50}|) {0,2}([A-Za-z0-9 \-_\!\[\]:]{0,50}(?:[Aa]rchiver|
/// [Ii]ndexer|[Ss]craper|[Bb]ot|[Ss]pider|[Cc]rawl[a-z]{0,50}))[/ ](\d+)`
fn rule_61(ua: &str) -> Option<&str> {
    let class = |b: u8| b.is_ascii_alphanumeric() || b" -_![]:".contains(&b);
    for k in lazy_starts(ua) {
        let mut starts = Vec::new();
        if byte(ua, k) == Some(b'/') {
            let run = ua.as_bytes()[k + 1..]
                .iter()
                .take(50)
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'.')
                .count();
            starts.extend((0..=run).rev().map(|n| k + 1 + n));
        } else {
            starts.push(k);
        }
        for start in starts {
            // ` {0,2}`: greedy, then fewer.
            let spaces = ua.as_bytes()[start..]
                .iter()
                .take(2)
                .take_while(|b| **b == b' ')
                .count();
            for skip in (0..=spaces).rev() {
                if let Some(end) = rule_61_group(ua, start + skip, class) {
                    return Some(&ua[start + skip..end]);
                }
            }
        }
    }
    None
}

/// The end of the rule-61 group starting at `start`: the greedy class run, backed off until a
/// keyword ends it with `[/ ]\d` after.
fn rule_61_group(ua: &str, start: usize, class: impl Fn(u8) -> bool) -> Option<usize> {
    let bytes = ua.as_bytes();
    let run = bytes[start..]
        .iter()
        .take(50)
        .take_while(|b| class(**b))
        .count();
    for prefix in (0..=run).rev() {
        let at = start + prefix;
        let rest = &ua[at..];
        let keyword_end = ["rchiver", "ndexer", "craper", "ot", "pider"]
            .iter()
            .zip(["Aa", "Ii", "Ss", "Bb", "Ss"])
            .find_map(|(tail, heads)| {
                (heads.as_bytes().contains(&byte(rest, 0)?) && rest[1..].starts_with(tail))
                    .then(|| at + 1 + tail.len())
            })
            .or_else(|| {
                let head = byte(rest, 0)?;
                (matches!(head, b'C' | b'c') && rest[1..].starts_with("rawl")).then(|| {
                    let lower = rest.as_bytes()[5..]
                        .iter()
                        .take(50)
                        .take_while(|b| b.is_ascii_lowercase())
                        .count();
                    at + 5 + lower
                })
            });
        if let Some(end) = keyword_end {
            let separator = byte(ua, end).is_some_and(|b| b == b'/' || b == b' ');
            if separator && byte(ua, end + 1).is_some_and(|b| b.is_ascii_digit()) {
                return Some(end);
            }
        }
    }
    None
}

/// `^.{0,200}?((?:[A-Za-z][A-Za-z0-9 -]{0,50}|)[^C][^Uu][Bb]ot)\b`
fn rule_62(ua: &str) -> Option<&str> {
    let bytes = ua.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    // `[^C][^Uu][Bb]ot\b` with the two free characters at `at` and `at + 1`.
    let tail_ends = |at: usize| -> Option<usize> {
        let first = *bytes.get(at)?;
        let second = *bytes.get(at + 1)?;
        let bot = bytes.get(at + 2..at + 5)?;
        let boundary = bytes.get(at + 5).is_none_or(|b| !is_word(*b));
        (first != b'C'
            && second != b'U'
            && second != b'u'
            && (bot == b"bot" || bot == b"Bot")
            && boundary
            && first != b'\n'
            && second != b'\n')
            .then_some(at + 5)
    };
    for k in lazy_starts(ua) {
        if bytes.get(k).is_some_and(u8::is_ascii_alphabetic) {
            let run = bytes[k + 1..]
                .iter()
                .take(50)
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b' ' || **b == b'-')
                .count();
            if let Some(end) = (0..=run).rev().find_map(|n| tail_ends(k + 1 + n)) {
                return ua.get(k..end);
            }
        }
        if let Some(end) = tail_ends(k) {
            return ua.get(k..end);
        }
    }
    None
}

/// `^.{0,200}?((?:[A-z0-9]{1,50}|[A-z\-]{1,50} ?|)(?: the |)(?:[Ss][Pp][Ii][Dd][Ee][Rr]|
/// [Ss]crape|[Cc][Rr][Aa][Ww][Ll])[A-z0-9]{0,50})`
fn rule_63(ua: &str) -> Option<&str> {
    let bytes = ua.as_bytes();
    let az = |b: u8| (b'A'..=b'z').contains(&b);
    let keyword_end = |at: usize| -> Option<usize> {
        let rest = bytes.get(at..)?;
        // `spider` in any case, or `[Ss]crape`.
        let spider = rest.len() >= 6 && rest[..6].eq_ignore_ascii_case(b"spider");
        let scrape = rest.len() >= 6 && matches!(rest[0], b'S' | b's') && &rest[1..6] == b"crape";
        let len = if spider || scrape {
            6
        } else if rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(b"crawl") {
            5
        } else {
            return None;
        };
        let more = rest[len..]
            .iter()
            .take(50)
            .take_while(|b| az(**b) || b.is_ascii_digit())
            .count();
        Some(at + len + more)
    };
    // `(?: the |)` then the keyword.
    let after_prefix = |at: usize| -> Option<usize> {
        if bytes.get(at..at + 5) == Some(b" the ")
            && let Some(end) = keyword_end(at + 5)
        {
            return Some(end);
        }
        keyword_end(at)
    };
    for k in lazy_starts(ua) {
        let alnum = bytes[k..]
            .iter()
            .take(50)
            .take_while(|b| az(**b) || b.is_ascii_digit())
            .count();
        if let Some(end) = (1..=alnum).rev().find_map(|n| after_prefix(k + n)) {
            return ua.get(k..end);
        }
        let dashed = bytes[k..]
            .iter()
            .take(50)
            .take_while(|b| az(**b) || **b == b'-')
            .count();
        for n in (1..=dashed).rev() {
            let with_space = (bytes.get(k + n) == Some(&b' '))
                .then(|| after_prefix(k + n + 1))
                .flatten();
            if let Some(end) = with_space.or_else(|| after_prefix(k + n)) {
                return ua.get(k..end);
            }
        }
        if let Some(end) = after_prefix(k) {
            return ua.get(k..end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::robot_name;

    #[test]
    fn names_robots_as_uap_core_does() {
        for (ua, expected) in [
            (
                "renovate-bot/v0.0.0 (linux/arm64) kubernetes/$Format/renovate-bot",
                Some("renovate-bot"),
            ),
            (
                "dependabot-runner/v0.18.2 (freebsd/arm64) kubernetes/$Format",
                Some("dependabot"),
            ),
            (
                "k8s-bot/v1.27.1 (linux/amd64) kubernetes/4c94112/leader-election",
                Some("k8s-bot"),
            ),
            (
                "kube-crawler.exe/v0.0.0 (windows/arm64) kubernetes/$Format",
                Some("kube-crawler"),
            ),
            (
                "spider-operator/v1.28.3 (linux/amd64) kubernetes/a8a1abc",
                Some("spider"),
            ),
            (
                "web-scraper/v1.24.2 (linux/amd64) kubernetes/f66044f",
                Some("web-scraper"),
            ),
            (
                "Mozilla/5.0 (compatible; Foobot/2.1; +http://example.com/bot)",
                Some("Foobot"),
            ),
            ("kubectl/v1.28.2 (linux/amd64) kubernetes/89a4ea3", None),
            ("cubot/1.0", Some("cubot")),
            ("Go-http-client/2.0", None),
        ] {
            assert_eq!(robot_name(ua), expected, "{ua}");
        }
    }
}

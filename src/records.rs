//! How a text of records splits into records (docs/record-shapes.md, "Streams of records"):
//! one record per line (NDJSON, as an API server's log backend writes it), except that a line
//! holding several complete JSON objects one after another, with nothing or only whitespace
//! between them, is that many records (Kinesis Data Firehose writes CloudWatch Logs
//! subscription messages to S3 run together: `{…}{…}{…}`). Any other line is one record, so
//! a bad line still passes through whole.

/// The lines of `text` with their 1-based numbers: split at `\n`, a trailing `\r` dropped,
/// the last line with or without its line feed.
pub fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_terminator('\n')
        .enumerate()
        .map(|(index, line)| (index + 1, line.strip_suffix('\r').unwrap_or(line)))
}

/// The records of `text` with the line each stands on: its [`lines`], with a line of several
/// objects split into them.
pub fn records(text: &str) -> impl Iterator<Item = (usize, &str)> {
    lines(text).flat_map(|(number, line)| {
        let values = concatenated_objects(line);
        let whole = values.is_none().then_some(line);
        values
            .into_iter()
            .flatten()
            .chain(whole)
            .map(move |record| (number, record))
    })
}

/// The objects of a line that holds two or more complete JSON objects with nothing or only
/// whitespace between and around them; `None` for any other line (one object, not JSON,
/// unbalanced, trailing text). Only braces, brackets and strings are followed, not the full
/// grammar: each object is then read as a record and fails on its own if it is malformed.
pub(crate) fn concatenated_objects(line: &str) -> Option<Vec<&str>> {
    if !may_hold_several_objects(line.as_bytes()) {
        return None;
    }
    let bytes = line.as_bytes();
    let mut objects = Vec::new();
    let mut at = skip_whitespace(bytes, line.strip_prefix('\u{feff}').map_or(0, |_| 3));
    while at < bytes.len() {
        if bytes[at] != b'{' {
            return None;
        }
        let end = value_end(bytes, at)?;
        objects.push(&line[at..end]);
        at = skip_whitespace(bytes, end);
    }
    (objects.len() >= 2).then_some(objects)
}

/// A cheap test that rules out almost every ordinary line: somewhere a `}` is followed, after
/// optional whitespace, by a `{` (which a single object never has outside its strings).
fn may_hold_several_objects(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'}', bytes)
        .any(|at| bytes.get(skip_whitespace(bytes, at + 1)) == Some(&b'{'))
}

fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
        at += 1;
    }
    at
}

/// Where the object or array opening at `start` ends (one past its closing bracket), following
/// strings and their escapes; `None` when the text ends first or brackets do not pair up.
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut stack: Vec<u8> = Vec::new();
    let mut at = start;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => at = string_end(bytes, at)?,
            open @ (b'{' | b'[') => {
                stack.push(if open == b'{' { b'}' } else { b']' });
                at += 1;
            }
            close @ (b'}' | b']') => {
                if stack.pop() != Some(close) {
                    return None;
                }
                at += 1;
                if stack.is_empty() {
                    return Some(at);
                }
            }
            _ => at += 1,
        }
    }
    None
}

/// One past the closing quote of the string opening at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut at = start + 1;
    loop {
        let next = at + memchr::memchr2(b'"', b'\\', &bytes[at..])?;
        if bytes[next] == b'"' {
            return Some(next + 1);
        }
        at = next + 2;
        if at > bytes.len() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(usize, &str)> {
        records(text).collect()
    }

    #[test]
    fn lines_are_records() {
        assert_eq!(
            split("a\r\nb\n\nc"),
            [(1, "a"), (2, "b"), (3, ""), (4, "c")]
        );
        assert_eq!(split("{\"a\":1}\n"), [(1, "{\"a\":1}")]);
        assert!(split("").is_empty());
    }

    #[test]
    fn concatenated_objects_are_several_records() {
        assert_eq!(
            split("{\"a\":\"}{\"}{\"b\":[{}]} \t{\"c\":\"\\\"}\"}\nx"),
            [
                (1, "{\"a\":\"}{\"}"),
                (1, "{\"b\":[{}]}"),
                (1, "{\"c\":\"\\\"}\"}"),
                (2, "x")
            ]
        );
        assert_eq!(
            split("\u{feff}{\"a\":1}{\"b\":2}"),
            [(1, "{\"a\":1}"), (1, "{\"b\":2}")]
        );
    }

    #[test]
    fn anything_else_stays_one_line() {
        for line in [
            "{\"a\":\"}{\"}",
            "{\"a\":1}{\"b\":",
            "{\"a\":1} x {\"b\":2}",
            "{\"a\":1}{\"b\":2} trailing",
            "{\"a\":[1}{\"b\":2}",
            "[1]{\"b\":2}",
            "{\"a\":\"unterminated}{",
            "{\"a\":\"\\",
        ] {
            assert_eq!(split(line), [(1, line)], "{line}");
        }
    }
}

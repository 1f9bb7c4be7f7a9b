//! How a text of records splits into records (docs/record-shapes.md, "Streams of records"):
//! one record per line (NDJSON, as an API server's log backend writes it), except that a line
//! holding several complete JSON objects one after another, with nothing or only whitespace
//! between them, is that many records (Kinesis Data Firehose writes CloudWatch Logs
//! subscription messages to S3 run together: `{…}{…}{…}`); and a JSON object or array that
//! opens on a line and closes on a later one (pretty-printed, as saved from a console) is one
//! record, its lines joined by `\n`, when the joined lines are well-formed JSON ending at the
//! end of a line. Any other line is one record, so a bad line still passes through whole.

use std::borrow::Cow;

use crate::json_text::{bracketed_end, skip_whitespace, string_end};

/// The most text one value spread over several lines may have; a longer one is read line by
/// line.
pub const MAX_SPREAD_RECORD_BYTES: usize = 64 << 20;

/// Whether more text follows a text of records: a host that reads a stream in pieces says
/// `More` for every piece but the last, so a value spread over lines that the piece cuts off
/// is held back for the next one ([`Records::unconverted`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TextEnd {
    /// The text is the end of the input: everything in it is read.
    #[default]
    Final,
    /// More text follows: a value that opens on a line and is still open at the end of the
    /// text is not read.
    More,
}

/// The lines of `text` with their 1-based numbers: split at `\n`, a trailing `\r` dropped,
/// the last line with or without its line feed.
pub fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_terminator('\n')
        .enumerate()
        .map(|(index, line)| (index + 1, line.strip_suffix('\r').unwrap_or(line)))
}

/// The records of `text` with the line each starts on: its [`lines`], with a line of several
/// objects split into them and a value spread over lines joined. The text is the end of the
/// input ([`TextEnd::Final`]).
pub fn records(text: &str) -> Records<'_> {
    Records::new(text, TextEnd::Final)
}

/// The records of a text, in order, each with the number of the line it starts on.
pub struct Records<'t> {
    text: &'t str,
    end: TextEnd,
    /// Where the next line starts.
    at: usize,
    /// The number of the next line, from 1.
    number: usize,
    /// No join starts on a line numbered up to this: its lines were scanned already, and did
    /// not close (so the scan is not repeated from each of them).
    no_join_until: usize,
    /// The objects of a line of several, still to give.
    queued: std::vec::IntoIter<&'t str>,
    queued_number: usize,
    /// Where the text left unread starts ([`TextEnd::More`]).
    held: Option<usize>,
}

impl<'t> Records<'t> {
    /// The records of `text`; `end` says whether more text follows it.
    pub fn new(text: &'t str, end: TextEnd) -> Self {
        Records {
            text,
            end,
            at: 0,
            number: 1,
            no_join_until: 0,
            queued: Vec::new().into_iter(),
            queued_number: 0,
            held: None,
        }
    }

    /// Once the records are read: how many bytes at the end of the text were not, because a
    /// value opened there and more text follows ([`TextEnd::More`]); 0 otherwise. A host gives
    /// them again, in front of its next text.
    pub fn unconverted(&self) -> usize {
        self.held.map_or(0, |start| self.text.len() - start)
    }

    /// The line starting at `at`, without its line end, and where the next one starts.
    fn line_at(&self, at: usize) -> (&'t str, usize) {
        let rest = &self.text[at..];
        let (line, next) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(end) => (&rest[..end], at + end + 1),
            None => (rest, self.text.len()),
        };
        (line.strip_suffix('\r').unwrap_or(line), next)
    }

    /// The value that opens on `first` (at line `number`) and closes on a later line, joined;
    /// `Err(true)` when the text ends before it closes (more may follow), `Err(false)` when it
    /// is not one value spread over lines.
    #[allow(clippy::type_complexity)]
    fn join(&mut self, first: &'t str, mut next: usize) -> Result<(String, usize, usize), bool> {
        let mut scan = Structure::default();
        scan.feed(first);
        let mut joined = first.to_owned();
        let mut last = self.number;
        loop {
            if next >= self.text.len() {
                self.no_join_until = last;
                return Err(!scan.broken);
            }
            let (line, after) = self.line_at(next);
            next = after;
            last += 1;
            joined.push('\n');
            joined.push_str(line);
            scan.feed(line);
            if scan.broken || joined.len() > MAX_SPREAD_RECORD_BYTES {
                self.no_join_until = last;
                return Err(false);
            }
            if scan.depth == 0 {
                let value = joined.strip_prefix('\u{feff}').unwrap_or(&joined);
                if serde_json::from_str::<serde::de::IgnoredAny>(value).is_ok() {
                    return Ok((joined, next, last));
                }
                self.no_join_until = last;
                return Err(false);
            }
        }
    }
}

impl<'t> Iterator for Records<'t> {
    type Item = (usize, Cow<'t, str>);

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(object) = self.queued.next() {
            return Some((self.queued_number, Cow::Borrowed(object)));
        }
        if self.at >= self.text.len() || self.held.is_some() {
            return None;
        }
        let number = self.number;
        let (line, next) = self.line_at(self.at);
        if number > self.no_join_until && opens_unfinished_value(line) {
            match self.join(line, next) {
                Ok((joined, after, last)) => {
                    self.at = after;
                    self.number = last + 1;
                    return Some((number, Cow::Owned(joined)));
                }
                Err(true) if self.end == TextEnd::More => {
                    self.held = Some(self.at);
                    return None;
                }
                // Not one value: read line by line (`join` has marked the lines it scanned, so
                // no join starts from them).
                Err(_) => {}
            }
        }
        self.at = next;
        self.number += 1;
        match concatenated_objects(line) {
            Some(objects) => {
                self.queued = objects.into_iter();
                self.queued_number = number;
                self.next()
            }
            None => Some((number, Cow::Borrowed(line))),
        }
    }
}

/// Whether `line` opens an object or array that it does not close (the first line of a value
/// spread over lines).
fn opens_unfinished_value(line: &str) -> bool {
    let text = line.strip_prefix('\u{feff}').unwrap_or(line).trim();
    if !text.starts_with(['{', '[']) || text.ends_with(['}', ']']) {
        return false;
    }
    let mut scan = Structure::default();
    scan.feed(text);
    !scan.broken && scan.depth > 0
}

/// Follows the brackets of a value over its lines (strings and their escapes skipped).
#[derive(Default)]
struct Structure {
    depth: usize,
    /// Not one value: a line outside it, a closing bracket too many, text after its end, a
    /// string that does not end on its line.
    broken: bool,
}

impl Structure {
    fn feed(&mut self, line: &str) {
        let bytes = line.as_bytes();
        let mut at = 0;
        let mut started = self.depth > 0;
        while at < bytes.len() && !self.broken {
            match bytes[at] {
                b'"' => match string_end(bytes, at) {
                    Some(end) => at = end,
                    None => self.broken = true,
                },
                b'{' | b'[' => {
                    self.depth += 1;
                    started = true;
                    at += 1;
                }
                b'}' | b']' => {
                    if self.depth == 0 {
                        self.broken = true;
                    } else {
                        self.depth -= 1;
                        at += 1;
                        if self.depth == 0 {
                            self.broken = !line[at..].trim().is_empty();
                            return;
                        }
                    }
                }
                _ => at += 1,
            }
        }
        if !started {
            self.broken = true;
        }
    }
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
        let end = bracketed_end(bytes, at)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(usize, String)> {
        records(text).map(|(n, r)| (n, r.into_owned())).collect()
    }

    fn owned<'a>(records: impl IntoIterator<Item = (usize, &'a str)>) -> Vec<(usize, String)> {
        records
            .into_iter()
            .map(|(n, r)| (n, r.to_owned()))
            .collect()
    }

    #[test]
    fn lines_are_records() {
        assert_eq!(
            split("a\r\nb\n\nc"),
            owned([(1, "a"), (2, "b"), (3, ""), (4, "c")])
        );
        assert_eq!(split("{\"a\":1}\n"), owned([(1, "{\"a\":1}")]));
        assert!(split("").is_empty());
    }

    #[test]
    fn concatenated_objects_are_several_records() {
        assert_eq!(
            split("{\"a\":\"}{\"}{\"b\":[{}]} \t{\"c\":\"\\\"}\"}\nx"),
            owned([
                (1, "{\"a\":\"}{\"}"),
                (1, "{\"b\":[{}]}"),
                (1, "{\"c\":\"\\\"}\"}"),
                (2, "x")
            ])
        );
        assert_eq!(
            split("\u{feff}{\"a\":1}{\"b\":2}"),
            owned([(1, "{\"a\":1}"), (1, "{\"b\":2}")])
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
            assert_eq!(split(line), owned([(1, line)]), "{line}");
        }
    }

    #[test]
    fn a_value_spread_over_lines_is_one_record() {
        let pretty = "{\n  \"auditID\": \"a\",\r\n  \"items\": [\n    {\"x\": \"}\"}\n  ]\n}";
        let text = format!("{{\"a\":1}}\n{pretty}\n{{\"b\":2}}\n");
        assert_eq!(
            split(&text),
            [
                (1, "{\"a\":1}".to_owned()),
                (2, pretty.replace("\r\n", "\n")),
                (8, "{\"b\":2}".to_owned())
            ]
        );
    }

    #[test]
    fn lines_that_do_not_make_one_value_stay_lines() {
        for text in [
            "{\n\"a\": 1\n} trailing\n{\"b\":2}",
            "{\n\"a\": \n{\"b\":2}",
            "{\n\"a\": 1,\n}",
            "[\n1,\n2",
        ] {
            let lines: Vec<(usize, String)> = lines(text).map(|(n, l)| (n, l.to_owned())).collect();
            assert_eq!(split(text), lines, "{text:?}");
        }
    }

    #[test]
    fn more_text_holds_back_a_value_the_text_cuts_off() {
        let text = "{\"a\":1}\n{\n  \"b\": [\n";
        let mut records = Records::new(text, TextEnd::More);
        let read: Vec<_> = records.by_ref().map(|(n, r)| (n, r.into_owned())).collect();
        assert_eq!(read, owned([(1, "{\"a\":1}")]));
        assert_eq!(records.unconverted(), text.len() - "{\"a\":1}\n".len());
        // The same text as the end of the input: its lines are read one by one.
        assert_eq!(split(text).len(), 3);
    }

    #[test]
    fn unfinished_values_are_told_apart() {
        for (line, unfinished) in [
            ("{", true),
            ("\u{feff}{", true),
            ("{\"a\": [1,", true),
            ("  \"b\": 2", false),
            ("{\"a\":1}", false),
            ("{\"a\":\"{\"", true),
            ("{\"a\":\"unterminated", false),
            ("not json", false),
            ("[", true),
            ("{\"a\":{\"b\":1}", false),
        ] {
            assert_eq!(opens_unfinished_value(line), unfinished, "{line}");
        }
    }

    #[test]
    fn structure_closes_on_the_last_line_only() {
        let mut scan = Structure::default();
        for line in ["{", "  \"a\": [1, {\"b\": \"}\"}],", "  \"c\": \"x\\\"y\""] {
            scan.feed(line);
            assert!(!scan.broken && scan.depth > 0, "{line}");
        }
        scan.feed("}");
        assert!(!scan.broken && scan.depth == 0);
        let mut trailing = Structure::default();
        trailing.feed("{");
        trailing.feed("} x");
        assert!(trailing.broken);
    }
}

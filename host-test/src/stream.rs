//! `host-test transform`: a stream of records in, NDJSON documents out, nothing lost
//! (docs/hosts.md, "host-test transform").
//!
//! Records are lines (NDJSON, as an API server writes them); a line of several JSON objects
//! run together (`{…}{…}`, as Kinesis Data Firehose writes CloudWatch messages) is that many
//! records; and a JSON value spread over several lines (a pretty-printed envelope saved from a
//! console) is one record. gzip input, with any number of members, is decompressed first.

use std::collections::VecDeque;
use std::io::{BufRead, Write};

use crate::{Error, Outcome, Session};
use k8s_audit_ecs::{ErrorKind, TransformError, error_document};

/// The most lines that cross into the component in one call.
pub const BATCH_LINES: usize = 1000;
/// The most text that crosses into the component in one call (a batch closes at the first
/// line that reaches it, so one large line still makes a batch of its own).
pub const BATCH_BYTES: usize = 4 << 20;
/// The most text one record spread over several lines may have; a longer one is read line by
/// line instead.
pub const MAX_SPREAD_RECORD_BYTES: usize = 64 << 20;

/// What a stream conversion did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Records read.
    pub records: u64,
    /// Documents written for events that converted.
    pub documents: u64,
    /// Error documents written: records passed through with `error.*`, and events that failed
    /// on their own.
    pub errors: u64,
    /// Records that yielded nothing (a CloudWatch `CONTROL_MESSAGE`, an empty envelope or
    /// `EventList`).
    pub skipped: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "records: {}, documents: {}, errors: {}, skipped: {}",
            self.records, self.documents, self.errors, self.skipped
        )
    }
}

/// Converts every record of `input` and writes the documents to `output` in input order, one
/// per line. A record that fails is written back as it came with `error.type` and
/// `error.message` added; a line that is not a JSON object becomes
/// `{"message": <line>, "error": {...}}`; a line that is not UTF-8 is read with its invalid
/// bytes replaced and passed through with `error.type` `invalid_utf8`.
///
/// # Errors
///
/// Only when reading `input` or writing `output` fails, or the component cannot be
/// instantiated again after a trap; `name` labels the input in the message.
pub fn transform_stream(
    session: &mut Session<'_>,
    input: impl BufRead,
    output: impl Write,
    name: &str,
) -> Result<Summary, Error> {
    transform_stream_with_progress(session, input, output, name, &mut |_| {})
}

/// [`transform_stream`], calling `progress` with the running totals after each batch.
///
/// Lines cross into the component as one text per batch (the WIT `transform-lines`) and the
/// documents come back as one text, so a batch costs two copies.
pub fn transform_stream_with_progress(
    session: &mut Session<'_>,
    input: impl BufRead,
    output: impl Write,
    name: &str,
    progress: &mut dyn FnMut(&Summary),
) -> Result<Summary, Error> {
    let mut converter = Converter {
        session,
        output,
        summary: Summary::default(),
        batch: String::new(),
        batch_lines: 0,
    };
    let mut lines = Lines::new(input, name);
    while let Some(line) = lines.next()? {
        let text = match String::from_utf8(line.bytes) {
            Ok(text) => text,
            Err(invalid) => {
                // It cannot cross as a string: passed through here, after the lines before it,
                // so the output keeps the input's order.
                converter.flush(progress)?;
                let record = String::from_utf8_lossy(invalid.as_bytes()).into_owned();
                let error = TransformError::new(
                    ErrorKind::InvalidUtf8,
                    "the line is not valid UTF-8; its invalid bytes were replaced by U+FFFD",
                );
                converter.write_failed(&record, &error)?;
                continue;
            }
        };
        if opens_unfinished_value(&text)
            && line.number > lines.no_join_until
            && let Some(record) = lines.join(&text)?
        {
            converter.flush(progress)?;
            converter.convert_one(&record)?;
            continue;
        }
        converter.push_line(&text, progress)?;
    }
    converter.flush(progress)?;
    converter
        .output
        .flush()
        .map_err(|e| Error::new(format!("cannot write the output: {e}")))?;
    Ok(converter.summary)
}

/// Batches lines for the component and writes what it gives.
struct Converter<'s, 'r, W> {
    session: &'s mut Session<'r>,
    output: W,
    summary: Summary,
    batch: String,
    batch_lines: usize,
}

impl<W: Write> Converter<'_, '_, W> {
    fn push_line(&mut self, line: &str, progress: &mut dyn FnMut(&Summary)) -> Result<(), Error> {
        self.batch.push_str(line);
        self.batch.push('\n');
        self.batch_lines += 1;
        if self.batch_lines == BATCH_LINES || self.batch.len() >= BATCH_BYTES {
            self.flush(progress)?;
        }
        Ok(())
    }

    /// Converts the batched lines in one call and writes their documents.
    fn flush(&mut self, progress: &mut dyn FnMut(&Summary)) -> Result<(), Error> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let converted = self.session.transform_lines(&self.batch)?;
        self.summary.records += converted.records as u64;
        self.summary.documents += converted.converted as u64;
        self.summary.errors += converted.failures.len() as u64;
        self.summary.skipped += converted.skipped as u64;
        write(&mut self.output, &converted.documents)?;
        self.batch.clear();
        self.batch_lines = 0;
        progress(&self.summary);
        Ok(())
    }

    /// Converts one record that spans several lines (it cannot cross as one line).
    fn convert_one(&mut self, record: &str) -> Result<(), Error> {
        match self.session.transform(record)? {
            Outcome::Converted(converted) => {
                self.summary.records += 1;
                let failed = converted.failures.len() as u64;
                self.summary.errors += failed;
                self.summary.documents += converted.documents.len() as u64 - failed;
                if converted.documents.is_empty() {
                    self.summary.skipped += 1;
                }
                for document in &converted.documents {
                    write(&mut self.output, document)?;
                    write(&mut self.output, "\n")?;
                }
                Ok(())
            }
            Outcome::Failed(error) => self.write_failed(record, &error),
        }
    }

    /// Writes the pass-through document of a record that failed as a whole.
    fn write_failed(&mut self, record: &str, error: &TransformError) -> Result<(), Error> {
        self.summary.records += 1;
        self.summary.errors += 1;
        write(&mut self.output, &error_document(record, error))?;
        write(&mut self.output, "\n")
    }
}

fn write(output: &mut dyn Write, text: &str) -> Result<(), Error> {
    output
        .write_all(text.as_bytes())
        .map_err(|e| Error::new(format!("cannot write the output: {e}")))
}

/// A line of input, without its line end.
struct Line {
    number: u64,
    bytes: Vec<u8>,
}

/// The lines of the input, with room to look ahead and give lines back.
struct Lines<'n, R> {
    input: R,
    name: &'n str,
    read: u64,
    pending: VecDeque<Line>,
    /// Lines up to this number were already looked through by a join that failed: they are
    /// not tried again, so no input is scanned more than twice.
    no_join_until: u64,
}

impl<'n, R: BufRead> Lines<'n, R> {
    fn new(input: R, name: &'n str) -> Self {
        Lines {
            input,
            name,
            read: 0,
            pending: VecDeque::new(),
            no_join_until: 0,
        }
    }

    fn next(&mut self) -> Result<Option<Line>, Error> {
        if let Some(line) = self.pending.pop_front() {
            return Ok(Some(line));
        }
        let mut bytes = Vec::new();
        let read = self.input.read_until(b'\n', &mut bytes).map_err(|e| {
            Error::new(format!("{}:{}: cannot read: {e}", self.name, self.read + 1))
        })?;
        if read == 0 {
            return Ok(None);
        }
        self.read += 1;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
        }
        Ok(Some(Line {
            number: self.read,
            bytes,
        }))
    }

    /// `first` opens a JSON value it does not close: reads on until the value closes at the
    /// end of a line, and gives the lines joined when they are one well-formed JSON value.
    /// Otherwise the lines read stay pending, to be read one by one.
    fn join(&mut self, first: &str) -> Result<Option<String>, Error> {
        let mut scan = Structure::default();
        scan.feed(first);
        let mut joined = first.to_owned();
        let mut taken = Vec::new();
        let closed = loop {
            let Some(line) = self.next()? else {
                break false;
            };
            let number = line.number;
            let text = std::str::from_utf8(&line.bytes).ok().map(str::to_owned);
            taken.push(line);
            let Some(text) = text else { break false };
            joined.push('\n');
            joined.push_str(&text);
            scan.feed(&text);
            if scan.broken || joined.len() > MAX_SPREAD_RECORD_BYTES {
                break false;
            }
            if scan.depth == 0 {
                self.no_join_until = self.no_join_until.max(number);
                break true;
            }
        };
        let value = joined.strip_prefix('\u{feff}').unwrap_or(&joined);
        if closed && serde_json::from_str::<serde::de::IgnoredAny>(value).is_ok() {
            return Ok(Some(joined));
        }
        if let Some(last) = taken.last() {
            self.no_join_until = self.no_join_until.max(last.number);
        }
        for line in taken.into_iter().rev() {
            self.pending.push_front(line);
        }
        Ok(None)
    }
}

/// Whether a line starts a JSON object or array (after an optional byte order mark and
/// whitespace) that it leaves open at its end, outside any string. Lines that end with a
/// closing bracket — every NDJSON record — are not looked through.
fn opens_unfinished_value(line: &str) -> bool {
    let text = line.strip_prefix('\u{feff}').unwrap_or(line).trim();
    if !text.starts_with(['{', '[']) || text.ends_with(['}', ']']) {
        return false;
    }
    let mut scan = Structure::default();
    scan.feed(text);
    !scan.broken && scan.depth > 0
}

/// Brackets and strings of JSON text fed line by line; not the full grammar (the joined text
/// is parsed to check it).
#[derive(Default)]
struct Structure {
    depth: usize,
    /// A bracket closed nothing, text followed the value's end, or a line ended inside a
    /// string (JSON strings hold no line breaks).
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
                            // Only whitespace may follow the value on its last line.
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

/// One past the closing quote of the string opening at `start`, on the same line.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut at = start + 1;
    loop {
        let next = at + memchr_quote_or_backslash(&bytes[at.min(bytes.len())..])?;
        if bytes[next] == b'"' {
            return Some(next + 1);
        }
        at = next + 2;
    }
}

fn memchr_quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'"' || b == b'\\')
}

/// Opens an input, decompressing it when it is gzip (rotated audit logs and Firehose objects
/// often are: recognised by its magic bytes, whatever its name; every member is read).
pub fn open_input<'a>(input: impl BufRead + 'a) -> Result<Box<dyn BufRead + 'a>, Error> {
    let mut input = input;
    let magic = input
        .fill_buf()
        .map_err(|e| Error::new(format!("cannot read: {e}")))?;
    if magic.starts_with(&[0x1f, 0x8b]) {
        let decoder = flate2::bufread::MultiGzDecoder::new(input);
        return Ok(Box::new(std::io::BufReader::with_capacity(
            1 << 16,
            decoder,
        )));
    }
    Ok(Box::new(input))
}

/// Opens an input file ([`open_input`]).
pub fn open_file(path: &std::path::Path) -> Result<Box<dyn BufRead>, Error> {
    let file =
        std::fs::File::open(path).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    open_input(std::io::BufReader::with_capacity(1 << 16, file))
        .map_err(|e| e.context(path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

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

    #[test]
    fn gzip_is_recognised_by_its_magic_bytes() {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(b"line\n").unwrap();
        let compressed = encoder.finish().unwrap();
        let mut text = String::new();
        open_input(&compressed[..])
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "line\n");
        let mut plain = String::new();
        open_input(&b"{}\n"[..])
            .unwrap()
            .read_to_string(&mut plain)
            .unwrap();
        assert_eq!(plain, "{}\n");
    }
}

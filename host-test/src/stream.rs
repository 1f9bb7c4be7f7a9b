//! `host-test transform`: a stream of records in, NDJSON documents out, nothing lost
//! (docs/hosts.md, "host-test transform").
//!
//! Records are lines (NDJSON, as an API server writes them); a line of several JSON objects
//! run together (`{…}{…}`, as Kinesis Data Firehose writes CloudWatch messages) is that many
//! records; and a JSON value spread over several lines (a pretty-printed envelope saved from a
//! console) is one record. gzip input, with any number of members, is decompressed first.

use std::io::{BufRead, Write};

use crate::{Error, Session};
use k8s_audit_ecs::{ErrorKind, TextEnd, TransformError, error_document};

/// The most lines that cross into the component in one call.
pub const BATCH_LINES: usize = 1000;
/// The most text that crosses into the component in one call (a batch closes at the first
/// line that reaches it, so one large line still makes a batch of its own).
pub const BATCH_BYTES: usize = 4 << 20;

/// What a stream conversion did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Records read.
    pub records: u64,
    /// Documents written for events that converted (the core's and the WIT's `converted`;
    /// the summary line says `documents:`, the word users of every command line read).
    pub converted: u64,
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
            self.records, self.converted, self.errors, self.skipped
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
/// documents come back as one text, so a batch costs two copies. The core splits each batch
/// into records; a value spread over lines that a batch cuts off comes back unconverted and
/// opens the next batch.
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
        flush_at: (BATCH_LINES, BATCH_BYTES),
    };
    let mut lines = Lines::new(input, name);
    while let Some(line) = lines.next()? {
        match String::from_utf8(line) {
            Ok(text) => converter.push_line(&text, progress)?,
            Err(invalid) => {
                // It cannot cross as a string: passed through here, after the lines before it
                // (read to the end: a value spread over lines ends before it), so the output
                // keeps the input's order.
                converter.flush(TextEnd::Final, progress)?;
                let record = String::from_utf8_lossy(invalid.as_bytes()).into_owned();
                let error = TransformError::new(
                    ErrorKind::InvalidUtf8,
                    "the line is not valid UTF-8; its invalid bytes were replaced by U+FFFD",
                );
                converter.write_failed(&record, &error)?;
            }
        }
    }
    converter.flush(TextEnd::Final, progress)?;
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
    /// Lines not converted yet, each followed by `\n`.
    batch: String,
    batch_lines: usize,
    /// The lines and bytes at which the batch crosses; raised while a value spread over many
    /// lines is held back, so it is not scanned again at every line.
    flush_at: (usize, usize),
}

impl<W: Write> Converter<'_, '_, W> {
    fn push_line(&mut self, line: &str, progress: &mut dyn FnMut(&Summary)) -> Result<(), Error> {
        self.batch.push_str(line);
        self.batch.push('\n');
        self.batch_lines += 1;
        if self.batch_lines >= self.flush_at.0 || self.batch.len() >= self.flush_at.1 {
            self.flush(TextEnd::More, progress)?;
        }
        Ok(())
    }

    /// Converts the batched lines in one call and writes their documents; with
    /// [`TextEnd::More`], keeps what the component left unconverted for the next batch.
    fn flush(&mut self, end: TextEnd, progress: &mut dyn FnMut(&Summary)) -> Result<(), Error> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let converted = self.session.transform_lines(&self.batch, end)?;
        self.summary.records += converted.records as u64;
        self.summary.converted += converted.converted as u64;
        self.summary.errors += converted.failures.len() as u64;
        self.summary.skipped += converted.skipped as u64;
        write(&mut self.output, &converted.documents)?;
        let held = converted.unconverted.min(self.batch.len());
        self.batch.drain(..self.batch.len() - held);
        self.batch_lines = self.batch.bytes().filter(|&b| b == b'\n').count();
        self.flush_at = if held == 0 {
            (BATCH_LINES, BATCH_BYTES)
        } else {
            (
                (self.batch_lines * 2).max(BATCH_LINES),
                (self.batch.len() * 2).max(BATCH_BYTES),
            )
        };
        progress(&self.summary);
        Ok(())
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

/// The lines of the input, without their line ends.
struct Lines<'n, R> {
    input: R,
    name: &'n str,
    read: u64,
}

impl<'n, R: BufRead> Lines<'n, R> {
    fn new(input: R, name: &'n str) -> Self {
        Lines {
            input,
            name,
            read: 0,
        }
    }

    fn next(&mut self) -> Result<Option<Vec<u8>>, Error> {
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
        Ok(Some(bytes))
    }
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

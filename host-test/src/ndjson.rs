//! `host-test transform`: NDJSON records in, NDJSON documents out, nothing lost.

use std::io::{BufRead, Write};

use crate::{Error, Outcome, Session};

/// The most records that cross into the component in one call.
pub const BATCH_RECORDS: usize = 1000;
/// The most text that crosses into the component in one call (a batch closes at the first
/// record that reaches it, so one large record still makes a batch of its own).
pub const BATCH_BYTES: usize = 4 << 20;

/// What a stream conversion did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Input lines read.
    pub records: u64,
    /// Documents written for records that converted.
    pub documents: u64,
    /// Records that failed, written back with `error.*`.
    pub errors: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "records: {}, documents: {}, errors: {}",
            self.records, self.documents, self.errors
        )
    }
}

/// Converts every line of `input` (one JSON record per line) and writes the documents to
/// `output` in input order, one per line. A record that fails is written back as it came
/// with `error.type` and `error.message` added; a line that is not a JSON object becomes
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
/// Records cross into the component as one NDJSON text per batch (the WIT `transform-lines`)
/// and the documents come back as one text, so a batch costs two copies.
pub fn transform_stream_with_progress(
    session: &mut Session<'_>,
    mut input: impl BufRead,
    mut output: impl Write,
    name: &str,
    progress: &mut dyn FnMut(&Summary),
) -> Result<Summary, Error> {
    let mut summary = Summary::default();
    let mut line = Vec::new();
    let mut batch = String::new();
    let mut batch_records = 0;
    let mut line_number = 0u64;
    loop {
        line.clear();
        let read = input
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::new(format!("{name}:{}: cannot read: {e}", line_number + 1)))?;
        let mut invalid = None;
        if read > 0 {
            line_number += 1;
            let record = strip_line_end(&line);
            match std::str::from_utf8(record) {
                Ok(text) => {
                    batch.push_str(text);
                    batch.push('\n');
                    batch_records += 1;
                }
                Err(_) => invalid = Some(String::from_utf8_lossy(record).into_owned()),
            }
        }
        let full = batch_records == BATCH_RECORDS || batch.len() >= BATCH_BYTES;
        if !batch.is_empty() && (full || invalid.is_some() || read == 0) {
            let converted = session.transform_lines(&batch)?;
            summary.records += converted.records as u64;
            summary.documents += converted.converted as u64;
            summary.errors += converted.failures.len() as u64;
            write(&mut output, &converted.documents)?;
            batch.clear();
            batch_records = 0;
            progress(&summary);
        }
        // A line that is not UTF-8 cannot cross as a string: it is passed through here, after
        // the lines before it, so the output keeps the input's order.
        if let Some(record) = invalid {
            let outcome = Outcome::Failed {
                kind: "invalid_utf8".into(),
                message: "the line is not valid UTF-8; its invalid bytes were replaced by U+FFFD"
                    .into(),
            };
            summary.records += 1;
            summary.errors += 1;
            for document in outcome.into_lines(&record) {
                write(&mut output, &document)?;
                write(&mut output, "\n")?;
            }
        }
        if read == 0 {
            break;
        }
    }
    output
        .flush()
        .map_err(|e| Error::new(format!("cannot write the output: {e}")))?;
    Ok(summary)
}

fn write(output: &mut dyn Write, text: &str) -> Result<(), Error> {
    output
        .write_all(text.as_bytes())
        .map_err(|e| Error::new(format!("cannot write the output: {e}")))
}

fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Opens an input file, decompressing it when it is gzip (rotated audit logs often are:
/// recognised by its magic bytes, whatever its name; concatenated members are read through).
pub fn open_input(path: &std::path::Path) -> Result<Box<dyn BufRead>, Error> {
    use std::io::{BufReader, Read};
    let name = path.display();
    let mut file = std::fs::File::open(path).map_err(|e| Error::new(format!("{name}: {e}")))?;
    let mut magic = [0u8; 2];
    let read = file
        .read(&mut magic)
        .map_err(|e| Error::new(format!("{name}: {e}")))?;
    let file = std::fs::File::open(path).map_err(|e| Error::new(format!("{name}: {e}")))?;
    if read == 2 && magic == [0x1f, 0x8b] {
        let decoder = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file));
        return Ok(Box::new(BufReader::with_capacity(1 << 16, decoder)));
    }
    Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
}

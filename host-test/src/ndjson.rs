//! `host-test transform`: NDJSON records in, NDJSON documents out, nothing lost.

use std::io::{BufRead, Write};

use crate::{Error, Outcome, Session};

/// How many records cross into the component per call.
pub const BATCH_SIZE: usize = 256;

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
pub fn transform_stream_with_progress(
    session: &mut Session<'_>,
    mut input: impl BufRead,
    mut output: impl Write,
    name: &str,
    progress: &mut dyn FnMut(&Summary),
) -> Result<Summary, Error> {
    let mut summary = Summary::default();
    let mut line = Vec::new();
    let mut batch: Vec<String> = Vec::with_capacity(BATCH_SIZE);
    let mut invalid_utf8: Vec<bool> = Vec::with_capacity(BATCH_SIZE);
    let mut line_number = 0u64;
    loop {
        line.clear();
        let read = input
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::new(format!("{name}:{}: cannot read: {e}", line_number + 1)))?;
        if read > 0 {
            line_number += 1;
            let record = strip_line_end(&line);
            match std::str::from_utf8(record) {
                Ok(text) => {
                    batch.push(text.to_owned());
                    invalid_utf8.push(false);
                }
                Err(_) => {
                    batch.push(String::from_utf8_lossy(record).into_owned());
                    invalid_utf8.push(true);
                }
            }
        }
        if batch.len() == BATCH_SIZE || (read == 0 && !batch.is_empty()) {
            let outcomes = session.transform_batch(&batch)?;
            for ((record, outcome), bad_bytes) in batch.iter().zip(outcomes).zip(&invalid_utf8) {
                let outcome = if *bad_bytes {
                    Outcome::Failed {
                        kind: "invalid_utf8".into(),
                        message:
                            "the line is not valid UTF-8; its invalid bytes were replaced by U+FFFD"
                                .into(),
                    }
                } else {
                    outcome
                };
                summary.records += 1;
                match &outcome {
                    Outcome::Documents(documents) => summary.documents += documents.len() as u64,
                    Outcome::Failed { .. } => summary.errors += 1,
                }
                for document in outcome.into_lines(record) {
                    output
                        .write_all(document.as_bytes())
                        .and_then(|()| output.write_all(b"\n"))
                        .map_err(|e| Error::new(format!("cannot write the output: {e}")))?;
                }
            }
            batch.clear();
            progress(&summary);
            invalid_utf8.clear();
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

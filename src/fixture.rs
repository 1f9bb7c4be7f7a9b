//! Fixture files: `{"input": <record>, "expected": <document>}`, the upstream test-file shape.
//!
//! `expected` may also be an array of documents, for a record that yields several (an
//! `EventList`). A record that fails is compared as its pass-through document
//! ([`crate::error_document`]), so error cases can be fixtures too.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::compact_json;
use crate::compare::{Difference, compare};

/// One fixture, loaded.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The file it came from.
    pub path: PathBuf,
    /// The record to transform: the `input` value as compact JSON text, with its key order and
    /// string escapes as written in the file.
    pub input: String,
    /// The expected documents (one, or several for an `EventList`).
    pub expected: Vec<Value>,
}

/// A fixture file that could not be read.
#[derive(Debug)]
pub struct FixtureError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line of a JSON error in it, 0 when there is none.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for FixtureError {}

#[derive(Deserialize)]
struct FixtureFile<'a> {
    #[serde(borrow)]
    input: &'a RawValue,
    expected: Value,
}

impl Fixture {
    /// Reads one fixture file.
    pub fn load(path: &Path) -> Result<Fixture, FixtureError> {
        let error = |line, message: String| FixtureError {
            path: path.to_owned(),
            line,
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(0, e.to_string()))?;
        let file: FixtureFile<'_> = serde_json::from_str(&text).map_err(|e| {
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            error(
                e.line(),
                format!("not a fixture (`{{\"input\": ..., \"expected\": ...}}`): {message}"),
            )
        })?;
        let expected = match file.expected {
            Value::Array(documents) => documents,
            document @ Value::Object(_) => vec![document],
            _ => {
                return Err(error(
                    0,
                    "`expected` must be an object or an array of objects".into(),
                ));
            }
        };
        Ok(Fixture {
            path: path.to_owned(),
            input: compact_json(file.input.get()),
            expected,
        })
    }

    /// Compares the documents written for this fixture's input (the transform's documents, or
    /// the one pass-through document of a record that failed) with the expectation.
    pub fn check(&self, documents: &[String]) -> Vec<Difference> {
        let mut differences = Vec::new();
        if documents.len() != self.expected.len() {
            differences.push(Difference {
                path: "(documents)".into(),
                expected: Some(Value::from(self.expected.len())),
                actual: Some(Value::from(documents.len())),
            });
        }
        for (index, (expected, document)) in self.expected.iter().zip(documents).enumerate() {
            let actual: Value = match serde_json::from_str(document) {
                Ok(value) => value,
                Err(e) => {
                    differences.push(Difference {
                        path: format!("(document {index})"),
                        expected: Some(Value::from("valid JSON")),
                        actual: Some(Value::from(e.to_string())),
                    });
                    continue;
                }
            };
            for mut difference in compare(expected, &actual) {
                if self.expected.len() > 1 {
                    difference.path = format!("[{index}].{}", difference.path);
                }
                differences.push(difference);
            }
        }
        differences
    }
}

/// Every `*.json` fixture in the given files and folders (folders are searched recursively,
/// in name order).
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Fixture>, FixtureError> {
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files)?;
    }
    files.into_iter().map(|file| Fixture::load(&file)).collect()
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), FixtureError> {
    let io_error = |e: std::io::Error| FixtureError {
        path: path.to_owned(),
        line: 0,
        message: e.to_string(),
    };
    if !path.is_dir() {
        // A named file is taken whatever its extension; a missing one fails when it is read.
        std::fs::metadata(path).map_err(io_error)?;
        files.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(io_error)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io_error)?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect(&entry, files)?;
        } else if entry.extension().is_some_and(|ext| ext == "json") {
            files.push(entry);
        }
    }
    Ok(())
}

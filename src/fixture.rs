//! Fixture files: `{"input": <record>, "expected": <document>}`, the upstream test-file shape.
//!
//! The format (fixtures/README.md):
//! - `input`: the record as a JSON value, turned into compact text (key order and string
//!   escapes as written); or `input_text`: the record's exact text, as a JSON string (for a
//!   byte order mark, pretty-printed JSON, whitespace);
//! - `expected`: the document, or an array of documents for a record that yields several (or
//!   none); a record that fails is compared as its pass-through document
//!   ([`crate::error_document`]), so error cases can be fixtures too. `error.message` is
//!   free-form: an expected document that gives `error.type` without `error.message` matches
//!   any non-empty message;
//! - `options` (optional): `{"cluster-name": ..., "event-field": ...}`, the transformer options
//!   the fixture runs with, over the profile of its folder.

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
    /// The transformer options the fixture sets (`None`: the folder's defaults).
    pub cluster_name: Option<String>,
    /// The event field the fixture sets (`None`: the default, `log`).
    pub event_field: Option<String>,
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
#[serde(deny_unknown_fields)]
struct FixtureFile<'a> {
    #[serde(borrow, default)]
    input: Option<&'a RawValue>,
    #[serde(default)]
    input_text: Option<String>,
    expected: Value,
    #[serde(default)]
    options: FixtureOptions,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FixtureOptions {
    cluster_name: Option<String>,
    event_field: Option<String>,
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
        let input = match (file.input, file.input_text) {
            (Some(input), None) => compact_json(input.get()),
            (None, Some(text)) => text,
            _ => {
                return Err(error(
                    0,
                    "a fixture has either `input` (a JSON value) or `input_text` (a string)".into(),
                ));
            }
        };
        Ok(Fixture {
            path: path.to_owned(),
            input,
            expected,
            cluster_name: file.options.cluster_name,
            event_field: file.options.event_field,
        })
    }

    /// The transformer options this fixture runs with: `profile`'s defaults with the
    /// fixture's own options over them.
    pub fn options(&self, profile: crate::Profile) -> crate::Options {
        let mut options = crate::Options {
            profile,
            cluster_name: self.cluster_name.clone(),
            ..crate::Options::default()
        };
        if let Some(field) = &self.event_field {
            options.event_field.clone_from(field);
        }
        options
    }

    /// The profile this fixture's folder names: the nearest folder above it whose name is a
    /// profile of the registry (`fixtures/ecs/cloud/x.json` → `ecs`); `None` when there is
    /// none.
    pub fn folder_profile(&self) -> Option<crate::Profile> {
        self.path
            .ancestors()
            .skip(1)
            .filter_map(|folder| folder.file_name()?.to_str())
            .find_map(|name| name.parse().ok())
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
            let mut actual: Value = match serde_json::from_str(document) {
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
            accept_free_form_error_message(expected, &mut actual, &mut differences);
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

/// `error.message` is free-form: when `expected` gives `error.type` but no `error.message`,
/// the produced message only has to be a non-empty string, and is then left out of the
/// comparison.
fn accept_free_form_error_message(
    expected: &Value,
    actual: &mut Value,
    differences: &mut Vec<Difference>,
) {
    let expects_message = expected
        .pointer("/error")
        .is_some_and(|error| error.get("type").is_some() && error.get("message").is_none());
    if !expects_message {
        return;
    }
    let Some(error) = actual.pointer_mut("/error").and_then(Value::as_object_mut) else {
        return;
    };
    match error.remove("message") {
        Some(Value::String(message)) if !message.is_empty() => {}
        other => differences.push(Difference {
            path: "error.message".into(),
            expected: Some(Value::from("a non-empty message")),
            actual: other,
        }),
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

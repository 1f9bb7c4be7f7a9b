//! Comparing a produced document with an expected one, as the upstream test harness does.
//!
//! Two documents are equal when, after sorting object keys and sorting every array of
//! scalars, they are the same JSON; an array of objects keeps its order, and arrays inside its
//! objects are compared as they are. Strings, `message` included, must be identical.

use std::fmt;

use serde_json::Value;

/// One field where a document differs from its expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// Where, as a dotted path with `[i]` for array positions (`user.roles`, `items[0].name`).
    pub path: String,
    /// The expected value; `None` when the field should not be there.
    pub expected: Option<Value>,
    /// The produced value; `None` when the field is missing.
    pub actual: Option<Value>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(document)"
        } else {
            &self.path
        };
        match (&self.expected, &self.actual) {
            (Some(expected), Some(actual)) => {
                write!(f, "{path}: expected {expected}, got {actual}")
            }
            (Some(expected), None) => write!(f, "{path}: missing, expected {expected}"),
            (None, Some(actual)) => write!(f, "{path}: unexpected, got {actual}"),
            (None, None) => write!(f, "{path}: differs"),
        }
    }
}

/// The differences between `expected` and `actual`, one per field; empty when they are equal.
pub fn compare(expected: &Value, actual: &Value) -> Vec<Difference> {
    let mut differences = Vec::new();
    diff(
        &normalize(expected, false),
        &normalize(actual, false),
        String::new(),
        &mut differences,
    );
    differences
}

/// Sorts every array of scalars that is not inside an array of objects (object keys are
/// already sorted: `serde_json::Map` is ordered by key).
fn normalize(value: &Value, inside_object_array: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), normalize(value, inside_object_array)))
                .collect(),
        ),
        Value::Array(items) if items.iter().all(is_scalar) => {
            let mut items = items.clone();
            if !inside_object_array {
                items.sort_by_cached_key(|item| item.to_string());
            }
            Value::Array(items)
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| normalize(item, true)).collect())
        }
        scalar => scalar.clone(),
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

fn diff(expected: &Value, actual: &Value, path: String, out: &mut Vec<Difference>) {
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            let mut keys: Vec<&String> = expected.keys().chain(actual.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match (expected.get(key), actual.get(key)) {
                    (Some(e), Some(a)) => diff(e, a, child, out),
                    (e, a) => out.push(Difference {
                        path: child,
                        expected: e.cloned(),
                        actual: a.cloned(),
                    }),
                }
            }
        }
        (Value::Array(e), Value::Array(a))
            if e.len() == a.len() && !e.iter().chain(a.iter()).all(is_scalar) =>
        {
            for (index, (e, a)) in e.iter().zip(a).enumerate() {
                diff(e, a, format!("{path}[{index}]"), out);
            }
        }
        (e, a) if e != a => out.push(Difference {
            path,
            expected: Some(e.clone()),
            actual: Some(a.clone()),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_and_scalar_array_order_do_not_matter() {
        let expected = json!({"a": 1, "roles": ["x", "y"], "b": {"c": [2, 1]}});
        let actual = json!({"b": {"c": [1, 2]}, "roles": ["y", "x"], "a": 1});
        assert_eq!(compare(&expected, &actual), []);
    }

    #[test]
    fn arrays_of_objects_keep_their_order_and_inner_arrays() {
        let expected = json!({"c": [{"n": 1, "args": ["a", "b"]}, {"n": 2}]});
        assert_eq!(compare(&expected, &expected), []);
        let swapped = json!({"c": [{"n": 2}, {"n": 1, "args": ["a", "b"]}]});
        assert!(!compare(&expected, &swapped).is_empty());
        let inner = json!({"c": [{"n": 1, "args": ["b", "a"]}, {"n": 2}]});
        let differences = compare(&expected, &inner);
        assert_eq!(differences.len(), 1);
        assert_eq!(differences[0].path, "c[0].args");
    }

    #[test]
    fn reports_each_field_with_its_path() {
        let expected = json!({"event": {"code": "a", "start": "t"}, "user": {"name": "u"}});
        let actual = json!({"event": {"code": "b"}, "user": {"name": "u"}, "extra": false});
        let lines: Vec<String> = compare(&expected, &actual)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                r#"event.code: expected "a", got "b""#,
                r#"event.start: missing, expected "t""#,
                "extra: unexpected, got false",
            ]
        );
    }

    #[test]
    fn types_matter() {
        assert_eq!(compare(&json!({"a": 200}), &json!({"a": "200"})).len(), 1);
        assert_eq!(compare(&json!({"a": false}), &json!({})).len(), 1);
    }
}

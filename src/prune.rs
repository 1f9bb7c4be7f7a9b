//! Pruning: copies of JSON subtrees with every empty value removed.

use serde_json::Value;
use serde_json::value::RawValue;

use crate::json_text::{MAX_DEPTH, depth};

/// Parses `raw` and removes every `null`, `""`, `{}` and `[]` at every depth, bottom-up, so
/// that an object or array left empty by the removal goes too. Array order and key spelling
/// are kept. Returns `None` when nothing is left, the text cannot be read, or it nests deeper
/// than [`MAX_DEPTH`] (counted on the text, before parsing).
pub(crate) fn prune_raw(raw: &RawValue) -> Option<Value> {
    if depth(raw.get()) > MAX_DEPTH {
        return None;
    }
    let value: Value = serde_json::from_str(raw.get()).ok()?;
    prune(value)
}

/// Removes every empty value from `value`; `None` when `value` itself is empty.
pub(crate) fn prune(value: Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::Array(items) => {
            let kept: Vec<Value> = items.into_iter().filter_map(prune).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        Value::Object(map) => {
            let kept: serde_json::Map<String, Value> = map
                .into_iter()
                .filter_map(|(key, value)| prune(value).map(|value| (key, value)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn removes_empty_values_at_every_depth() {
        let input = json!([
            {"name": "app", "image": "nginx:1.25", "args": [], "env": [{"name": "A", "value": ""}],
             "securityContext": {"privileged": false, "capabilities": {"add": [], "drop": [null]}},
             "resources": {}, "ports": [{"containerPort": 0}]},
            {},
            null
        ]);
        let expected = json!([
            {"name": "app", "image": "nginx:1.25", "env": [{"name": "A"}],
             "securityContext": {"privileged": false}, "ports": [{"containerPort": 0}]}
        ]);
        assert_eq!(prune(input), Some(expected));
    }

    #[test]
    fn subtrees_deeper_than_the_limit_are_left_out() {
        let nested = |levels: usize| format!("{}1{}", "[".repeat(levels), "]".repeat(levels));
        let shallow = RawValue::from_string(nested(MAX_DEPTH)).unwrap();
        assert!(prune_raw(&shallow).is_some());
        let deep = RawValue::from_string(nested(MAX_DEPTH + 1)).unwrap();
        assert_eq!(prune_raw(&deep), None);
    }

    #[test]
    fn nothing_left_is_none() {
        assert_eq!(prune(json!([{"a": {"b": [null, ""]}}])), None);
        assert_eq!(prune(json!("")), None);
        assert_eq!(prune(json!(false)), Some(json!(false)));
    }
}

//! The event is the text of a string field: `message` (the intake shape of the documented
//! samples), else the configured field (`log` by default, as log shippers name a line). The
//! document starts from the record as received.

use std::borrow::Cow;

use crate::document::{Fields, Node};
use crate::event::AuditEvent;
use crate::json_text::{
    MAX_DEPTH, decode_string, decode_string_at, skip_whitespace, split_members_with, value_extent,
};

/// A record field that holds the event text.
pub(crate) struct Wrapped<'r> {
    /// The field's name.
    pub(crate) field: &'r str,
    /// The event text: the field's value, unescaped.
    pub(crate) text: Cow<'r, str>,
    /// The field's JSON string token, exactly as received.
    pub(crate) token: &'r str,
}

/// Keys with which an earlier rule of [`super::read`] may read the record (an envelope, a GKE
/// LogEntry): [`read_plain`] leaves such a record to the full reading.
const KEYS_OF_EARLIER_RULES: [&str; 7] = [
    "awslogs",
    "messageType",
    "logEvents",
    "records",
    "category",
    "properties",
    "protoPayload",
];

/// Whether a record whose first key is `key` is most likely a bare event (or `EventList`):
/// the key is one the audit event is read for ([`AuditEvent::KEYS`]). Not the older
/// `timestamp`, with which a shipper's record may start.
fn starts_like_an_event(key: &str) -> bool {
    key != "timestamp" && AuditEvent::KEYS.contains(&key)
}

/// The first key of the JSON object `text`, when it starts as one.
fn first_key(text: &str) -> Option<Cow<'_, str>> {
    let bytes = text.as_bytes();
    let at = skip_whitespace(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    decode_string_at(text, skip_whitespace(bytes, at + 1)).map(|(key, _)| key)
}

/// A record whose `message` (or, without one, whose `event_field`) is a string, read without
/// serde_json reading that string: its token is checked as it is decoded, in one pass, and the
/// other fields are read by serde_json as usual. The fields and the event field are what
/// `Fields::parse_object` and [`find`] give, byte for byte (a test checks it).
///
/// `None` when the record is anything else, or anything about it is not plain: a key that
/// repeats or that an earlier rule reads, a `message` that is not a string, a field that is
/// not well-formed JSON or nests deep, an event field that does not decode. [`super::read`]
/// then reads the record the full way, with the same result or error as always.
pub(crate) fn read_plain<'r>(
    record: &'r str,
    event_field: &'r str,
) -> Option<(Fields<'r>, Wrapped<'r>)> {
    // A bare event (or `EventList`) is not split twice: its first key gives it away.
    if first_key(record).is_none_or(|key| starts_like_an_event(&key)) {
        return None;
    }
    // The strings of the fields that may hold the event are decoded as they are split.
    let members = split_members_with(record, |key, at| {
        let (end, depth) = if key == "message" || key == event_field {
            match decode_string_at(record, at) {
                Some((text, end)) => {
                    return Some((Value::Decoded(record.get(at..end)?, text), end));
                }
                None if record.as_bytes().get(at) == Some(&b'"') => return None,
                None => value_extent(record.as_bytes(), at)?,
            }
        } else {
            value_extent(record.as_bytes(), at)?
        };
        Some((Value::Text(record.get(at..end)?, depth), end))
    })?;
    let unusual = members.iter().enumerate().any(|(at, (key, _))| {
        KEYS_OF_EARLIER_RULES.contains(&key.as_ref())
            || members[..at].iter().any(|(earlier, _)| earlier == key)
    });
    if unusual {
        return None;
    }
    let (field, field_at) = match members.iter().position(|(key, _)| key == "message") {
        Some(at) => ("message", at),
        None => (
            event_field,
            members.iter().position(|(key, _)| key == event_field)?,
        ),
    };
    let mut wrapped = None;
    // Room for the fields the document adds at the top level, as `Fields::from_members`.
    let mut fields = Vec::with_capacity(members.len() + 8);
    for (at, (key, value)) in members.into_iter().enumerate() {
        let node = match value {
            Value::Decoded(token, text) if at == field_at => {
                wrapped = Some(Wrapped { field, text, token });
                Node::Verbatim(token)
            }
            // serde_json reads the whole record to 128 levels, the record itself one of them: a
            // deep value is left to it.
            Value::Text(_, depth) if depth > MAX_DEPTH => return None,
            Value::Decoded(text, _) | Value::Text(text, _) => {
                Node::Raw(serde_json::from_str(text).ok()?)
            }
        };
        fields.push((key, node));
    }
    Some((Fields::from_pairs(fields), wrapped?))
}

/// A member's value as [`read_plain`] splits it.
enum Value<'r> {
    /// Its text, and how deep it nests.
    Text(&'r str, usize),
    /// A string's token and its value.
    Decoded(&'r str, Cow<'r, str>),
}

/// The `message` string field, else the `event_field` string field, of a record. The field
/// found is marked as decoded, so writing it back skips the checks a record field otherwise
/// gets. A field of another type is not looked at.
pub(crate) fn find<'r>(fields: &mut Fields<'r>, event_field: &'r str) -> Option<Wrapped<'r>> {
    ["message", event_field]
        .into_iter()
        .find_map(|field| decode_string_field(fields, field))
}

/// The unescaped value of a top-level string field, which is then marked
/// [`Node::Verbatim`].
fn decode_string_field<'r>(fields: &mut Fields<'r>, field: &'r str) -> Option<Wrapped<'r>> {
    let node = fields.get_mut(field)?;
    let Node::Raw(token) = *node else {
        return None;
    };
    let token = token.get();
    let text = decode_string(token)?;
    *node = Node::Verbatim(token);
    Some(Wrapped { field, text, token })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full reading of a record: its fields by serde_json, then its event field.
    fn read_fully<'r>(record: &'r str, event_field: &'r str) -> Option<(Fields<'r>, Wrapped<'r>)> {
        let mut fields = Fields::parse_object(record, &"the record").ok()?;
        let wrapped = find(&mut fields, event_field)?;
        Some((fields, wrapped))
    }

    /// Whatever [`read_plain`] reads, the full reading reads the same.
    fn assert_read_alike(record: &str) -> bool {
        let Some((fields, wrapped)) = read_plain(record, "log") else {
            return false;
        };
        let (full_fields, full) = read_fully(record, "log")
            .unwrap_or_else(|| panic!("read plainly but not fully: {record}"));
        assert_eq!(fields.to_json(0), full_fields.to_json(0), "{record}");
        assert_eq!(
            (wrapped.field, wrapped.text.as_ref(), wrapped.token),
            (full.field, full.text.as_ref(), full.token),
            "{record}"
        );
        true
    }

    fn records() -> Vec<String> {
        let event = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a1","verb":"get","requestURI":"/api/v1/namespaces/x/pods?limit=500\u0026watch=1","user":{"username":"alice","groups":["dev"]},"annotations":{"authorization.k8s.io/reason":"RBAC: allowed by RoleBinding \"r\" é"}}"#;
        let token = serde_json::to_string(event).unwrap();
        vec![
            format!(r#"{{"message":{token}}}"#),
            format!(
                r#"{{ "stream" : "stdout", "time":"2024-01-01T00:00:00Z","message" : {token} ,"kubernetes":{{"pod_name":"api-0","labels":{{"a.b/c":"d"}}}},"n":-1.5e3,"ok":true,"none":null,"list":[1,[2],{{}}]}}"#
            ),
            format!(r#"{{"log":{token},"k\u00e9y":"v\"w"}}"#),
            format!(r#"{{"timestamp":"2024-01-01T00:00:00Z","message":{token}}}"#),
        ]
    }

    #[test]
    fn plain_records_are_read_as_the_full_reading_reads_them() {
        for record in records() {
            assert!(assert_read_alike(&record), "{record}");
        }
    }

    /// Every record one byte away from a plain one (changed, deleted or inserted, among the
    /// bytes that make JSON's structure and escapes) is either left to the full reading or
    /// read as it reads it: nothing the full reading refuses gets through.
    #[test]
    fn records_one_byte_off_are_read_alike_or_left_to_the_full_reading() {
        let bytes = [
            "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "0", "u", "\u{1}", "é",
        ];
        let mut read_plainly = 0;
        for record in records() {
            let boundaries: Vec<usize> = (0..=record.len())
                .filter(|&at| record.is_char_boundary(at))
                .collect();
            for (index, &at) in boundaries.iter().enumerate() {
                let next = boundaries.get(index + 1).copied().unwrap_or(at);
                for byte in bytes {
                    let changed = format!("{}{byte}{}", &record[..at], &record[next..]);
                    let inserted = format!("{}{byte}{}", &record[..at], &record[at..]);
                    read_plainly += usize::from(assert_read_alike(&changed));
                    read_plainly += usize::from(assert_read_alike(&inserted));
                }
                let deleted = format!("{}{}", &record[..at], &record[next..]);
                read_plainly += usize::from(assert_read_alike(&deleted));
                // Cut short, and cut short after a byte that opens something.
                read_plainly += usize::from(assert_read_alike(&record[..at]));
                for byte in bytes {
                    read_plainly +=
                        usize::from(assert_read_alike(&format!("{}{byte}", &record[..at])));
                }
            }
        }
        // Most changes inside the event text still make a plain record.
        assert!(read_plainly > 1000, "{read_plainly}");
    }

    #[test]
    fn records_for_earlier_rules_and_unusual_records_are_left_to_the_full_reading() {
        let token = r#""{\"auditID\":\"a\"}""#;
        for record in [
            format!(r#"{{"message":{token},"records":[]}}"#),
            format!(r#"{{"message":{token},"protoPayload":{{}}}}"#),
            format!(r#"{{"message":{token},"message":{token}}}"#),
            format!(r#"{{"message":{{"data":"x"}},"log":{token}}}"#),
            format!(r#"{{"message":"\ud800","log":{token}}}"#),
            format!(
                r#"{{"message":{token},"x":{}}}"#,
                "[".repeat(30) + &"]".repeat(30)
            ),
            format!(r#"{{"other":{token}}}"#),
            format!(r#"{{"kind":"Event","message":{token}}}"#),
        ] {
            assert!(read_plain(&record, "log").is_none(), "{record}");
        }
    }
}

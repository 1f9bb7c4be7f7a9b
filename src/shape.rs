//! Record shapes: where a record's audit event is, and what its output starts from
//! (mapping.md, "Input record").

use std::borrow::Cow;

use crate::document::{Fields, Node};

/// The shape of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The event is the text of a string field (`message`, or the configured field): the
    /// output starts from the record as received.
    Wrapped,
    /// The record is the event itself: the output starts from `{"message": <record text>}`.
    Bare,
}

/// What held an event's text; written into error messages only when there is an error.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source<'r> {
    /// A string field of the record.
    Field(&'r str),
    /// The record itself.
    Record,
}

impl std::fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Field(name) => write!(f, "the `{name}` field"),
            Source::Record => f.write_str("the record"),
        }
    }
}

/// An audit event's text, found in a record.
#[derive(Debug)]
pub(crate) struct Found<'r> {
    /// The event's JSON text, unescaped when it came from a string field.
    pub(crate) text: Cow<'r, str>,
    /// What held the text, for error messages.
    pub(crate) source: Source<'r>,
    /// The record's shape.
    pub(crate) shape: Shape,
}

/// Finds the event text in a record: the `message` string field, else the `event_field`
/// string field, else the record itself. The field found is marked as decoded, so writing it
/// back skips the checks a record field otherwise gets.
pub(crate) fn locate<'r>(
    record: &'r str,
    fields: &mut Fields<'r>,
    event_field: &'r str,
) -> Found<'r> {
    for name in ["message", event_field] {
        if let Some(text) = decode_string_field(fields, name) {
            return Found {
                text,
                source: Source::Field(name),
                shape: Shape::Wrapped,
            };
        }
    }
    Found {
        text: Cow::Borrowed(record),
        source: Source::Record,
        shape: Shape::Bare,
    }
}

/// The unescaped value of a top-level string field, which is then marked
/// [`Node::DecodedString`].
fn decode_string_field<'r>(fields: &mut Fields<'r>, name: &str) -> Option<Cow<'r, str>> {
    let node = fields.get_mut(name)?;
    let Node::Raw(raw) = *node else {
        return None;
    };
    let decoded = decode_string_token(raw.get())?;
    *node = Node::DecodedString(raw);
    Some(decoded)
}

/// The value of a JSON string token that serde_json has already read as part of the record
/// (so its escapes are well formed and it holds no control character), or `None` when it is
/// not a string or holds a surrogate escape that is not part of a pair (which serde_json
/// refuses too). The event text is escape-dense (`\"` every few bytes), so this finds each
/// backslash with memchr and decodes into a buffer of the right size, in one pass.
fn decode_string_token(token: &str) -> Option<Cow<'_, str>> {
    let body = token.strip_prefix('"')?.strip_suffix('"')?;
    let bytes = body.as_bytes();
    let Some(mut at) = memchr::memchr(b'\\', bytes) else {
        return Some(Cow::Borrowed(body));
    };
    let mut out = String::with_capacity(body.len());
    let mut copied = 0;
    loop {
        out.push_str(&body[copied..at]);
        let escape = *bytes.get(at + 1)?;
        copied = at + 2;
        match escape {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let unit = hex_unit(bytes, at + 2)?;
                copied = at + 6;
                let code = match unit {
                    0xD800..=0xDBFF => {
                        if bytes.get(copied..copied + 2) != Some(b"\\u") {
                            return None;
                        }
                        let low = hex_unit(bytes, copied + 2)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        copied += 6;
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => u32::from(unit),
                };
                out.push(char::from_u32(code)?);
            }
            _ => return None,
        }
        match memchr::memchr(b'\\', &bytes[copied..]) {
            Some(next) => at = copied + next,
            None => break,
        }
    }
    out.push_str(&body[copied..]);
    Some(Cow::Owned(out))
}

/// The four hex digits at `at`, as a UTF-16 code unit.
fn hex_unit(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = bytes.get(at..at + 4)?;
    digits.iter().try_fold(0u16, |unit, &digit| {
        let value = char::from(digit).to_digit(16)?;
        Some(unit << 4 | value as u16)
    })
}

/// The fields an output starts from when the event is not wrapped in the record:
/// `{"message": <text>}`.
pub(crate) fn message_only(text: &str) -> Fields<'_> {
    let mut fields = Fields::default();
    fields.insert(Cow::Borrowed("message"), Node::Text(Cow::Borrowed(text)));
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_tokens_decode_as_serde_json_decodes_them() {
        let tokens = [
            r#""""#,
            r#""plain text""#,
            r#""{\"auditID\": \"a1\", \"verb\":\"get\"}""#,
            r#""\\ \/ \b \f \n \r \t""#,
            r#""\u00e9\u0000\u001F \u2713 \ud83d\ude00 \uD83D\uDE00""#,
            r#""ends with an escape \"""#,
            r#""é ✓ 😀""#,
        ];
        for token in tokens {
            let expected: String = serde_json::from_str(token).unwrap();
            assert_eq!(
                decode_string_token(token).as_deref(),
                Some(expected.as_str()),
                "{token}"
            );
        }
        assert!(matches!(
            decode_string_token(r#""no escape""#),
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn lone_surrogates_and_non_strings_are_refused_as_serde_json_refuses_them() {
        for token in [
            r#""\ud800""#,
            r#""\ud800 x""#,
            r#""\ud800\u0041""#,
            r#""\udc00""#,
            r#""\ud83d\ud83d""#,
            "123",
            "{}",
        ] {
            assert!(serde_json::from_str::<String>(token).is_err(), "{token}");
            assert_eq!(decode_string_token(token), None, "{token}");
        }
    }
}

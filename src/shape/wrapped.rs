//! The event is the text of a string field: `message` (the intake shape of the documented
//! samples), else the configured field (`log` by default, as log shippers name a line). The
//! document starts from the record as received.

use std::borrow::Cow;

use serde_json::value::RawValue;

use crate::document::{Fields, Node};

/// A record field that holds the event text.
pub(crate) struct Wrapped<'r> {
    /// The field's name.
    pub(crate) field: &'r str,
    /// The event text: the field's value, unescaped.
    pub(crate) text: Cow<'r, str>,
    /// The field's JSON string token, exactly as received.
    pub(crate) token: &'r RawValue,
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
    let text = decode_string_token(token.get())?;
    *node = Node::Verbatim(token);
    Some(Wrapped { field, text, token })
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

//! JSON as text: what the core reads and writes without parsing — the end of a string token,
//! how deep a value nests and the one depth limit, whitespace between tokens, line breaks and
//! lone surrogate escapes in text written back, and the escapes of a string being written.
//! The record splitter (`records`), the profiles' copies of the event (`profile`) and the
//! document writer (`document`) all use these, so a string is skipped, a depth counted and a
//! string escaped the same way everywhere.

use std::borrow::Cow;

/// How deep a value copied into a document may nest (a scalar 0, an object or array 1 + its
/// deepest member). A real audit event's bodies nest well under this; deeper ones are hostile,
/// and log shippers choke on them (Fluent Bit silently drops a record nested some 60 levels
/// deep), so such a value is left out of the copy (its text stays in the event's own text).
pub(crate) const MAX_DEPTH: usize = 24;

/// One past the closing quote of the string token opening at `start` (a `"`), escapes
/// skipped; `None` when the text ends first.
pub(crate) fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut at = start + 1;
    loop {
        let next = next_quote_or_backslash(bytes, at)?;
        if bytes[next] == b'"' {
            return Some(next + 1);
        }
        at = next + 2;
        if at > bytes.len() {
            return None;
        }
    }
}

/// A member as [`split_members`] gives it: its key, its value's text and how deep that nests.
pub(crate) type SplitMember<'t> = (Cow<'t, str>, (&'t str, usize));

/// The members of the JSON object `text`: each key (unescaped), the text of its value and how
/// deep the value nests ([`depth`]), in order; a repeated key is left as it is. The object's
/// own punctuation is checked (braces, colons, commas, string keys, nothing but whitespace
/// after it), its values are not: only their strings and brackets are looked at, to find where
/// each ends and how deep it goes. `None` when the text is not such an object. The caller
/// knows the values well formed (a member of an event read once already) or checks them.
pub(crate) fn split_members(text: &str) -> Option<Vec<SplitMember<'_>>> {
    split_members_with(text, |_, at| {
        let (end, depth) = value_extent(text.as_bytes(), at)?;
        Some(((text.get(at..end)?, depth), end))
    })
}

/// As [`split_members`], each value read by `value` from the key and where the value starts:
/// what it keeps of the value, and where the value ends.
pub(crate) fn split_members_with<'t, V>(
    text: &'t str,
    mut value: impl FnMut(&str, usize) -> Option<(V, usize)>,
) -> Option<Vec<(Cow<'t, str>, V)>> {
    let bytes = text.as_bytes();
    let mut at = skip_whitespace(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    let mut members = Vec::with_capacity(8);
    at = skip_whitespace(bytes, at + 1);
    if bytes.get(at) == Some(&b'}') {
        return (skip_whitespace(bytes, at + 1) == bytes.len()).then_some(members);
    }
    loop {
        let (key, key_end) = decode_string_at(text, at)?;
        at = skip_whitespace(bytes, key_end);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at = skip_whitespace(bytes, at + 1);
        let (kept, value_end) = value(&key, at)?;
        if value_end == at {
            return None;
        }
        members.push((key, kept));
        at = skip_whitespace(bytes, value_end);
        match bytes.get(at)? {
            b',' => at = skip_whitespace(bytes, at + 1),
            b'}' => {
                return (skip_whitespace(bytes, at + 1) == bytes.len()).then_some(members);
            }
            _ => return None,
        }
    }
}

/// Where the well-formed JSON value starting at `start` ends (for a value not yet checked:
/// where it ends if it is well formed), and how deep it nests, as [`depth`] counts it (a
/// scalar 0, `[]` 1), found in the same pass.
pub(crate) fn value_extent(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    match bytes.get(start)? {
        b'"' => Some((string_end(bytes, start)?, 0)),
        b'{' | b'[' => bracketed_extent(bytes, start),
        // A number or a literal: up to the next delimiter.
        _ => Some((
            bytes[start..]
                .iter()
                .position(|&byte| matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .map_or(bytes.len(), |offset| start + offset),
            0,
        )),
    }
}

/// Where the object or array opening at `start` ends (one past its closing bracket), following
/// strings and their escapes; `None` when the text ends first or brackets do not pair up.
pub(crate) fn bracketed_end(bytes: &[u8], start: usize) -> Option<usize> {
    bracketed_extent(bytes, start).map(|(end, _)| end)
}

/// [`bracketed_end`], and how deep the value nests (`[]` 1, `[[1]]` 2).
fn bracketed_extent(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    // Whether each open level is an object (a bit a level, 1 for `{`): the first 64 levels in
    // `levels`, deeper ones in `deeper`, which only such a text allocates.
    let mut levels = 0u64;
    let mut deeper: Vec<bool> = Vec::new();
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, start);
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                at = string_end(bytes, at)?;
                continue;
            }
            open @ (b'{' | b'[') => {
                let object = open == b'{';
                if depth < 64 {
                    levels = (levels & !(1 << depth)) | (u64::from(object) << depth);
                } else {
                    deeper.push(object);
                }
                depth += 1;
                deepest = deepest.max(depth);
            }
            close @ (b'}' | b']') => {
                depth = depth.checked_sub(1)?;
                let object = if depth < 64 {
                    levels >> depth & 1 == 1
                } else {
                    deeper.pop()?
                };
                if object != (close == b'}') {
                    return None;
                }
                if depth == 0 {
                    return Some((at + 1, deepest));
                }
            }
            _ => {}
        }
        at += 1;
    }
    None
}

/// The position of the first byte from `at` on that is not JSON whitespace.
pub(crate) fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// How deep JSON text nests (a scalar 0, `[]` 1, `[[1]]` 2), reading only brackets and
/// strings; stops counting once past [`MAX_DEPTH`].
pub(crate) fn depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    if !matches!(bytes.first(), Some(b'{' | b'[')) {
        return 0;
    }
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                at = string_end(bytes, at).unwrap_or(bytes.len());
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > MAX_DEPTH {
                    return deepest;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    deepest
}

/// Appends `texts` as a JSON array of strings.
pub(crate) fn write_string_list<T: AsRef<str>>(out: &mut String, texts: &[T]) {
    out.push('[');
    for (index, text) in texts.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        write_string(out, text.as_ref());
    }
    out.push(']');
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it. Most strings need no
/// escape at all: one branch-free pass (which the compiler vectorises) finds that out, and the
/// text is then copied whole.
pub(crate) fn write_string(out: &mut String, text: &str) {
    out.push('"');
    if needs_escape(text.as_bytes()) {
        write_escaped(out, text);
    } else {
        out.push_str(text);
    }
    out.push('"');
}

/// Whether `bytes` holds a byte a JSON string must escape: a control character, `"` or `\\`.
/// Sixteen bytes at a time without a branch inside (the compiler turns each block into a few
/// SIMD instructions), then byte by byte for the rest.
fn needs_escape(bytes: &[u8]) -> bool {
    let special = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        if block.iter().fold(false, |found, &b| found | special(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| special(b))
}

/// Appends `text` with JSON escapes: the short forms for `"`, `\\` and the common control
/// characters, `\u00XX` for the other control characters, as serde_json escapes. The text
/// between escapes is copied whole; the next byte to escape is found eight bytes at a time
/// ([`next_to_escape`]), since an event's text escapes a quote every few bytes.
fn write_escaped(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    let mut copied = 0;
    while let Some(at) = next_to_escape(bytes, copied) {
        // `at` is the escaped byte, which is ASCII: a character boundary.
        out.push_str(&text[copied..at]);
        copied = at + 1;
        let byte = bytes[at];
        // Constant strings: each push is a store of known size, not a call.
        match ESCAPE[usize::from(byte)] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'n' => out.push_str("\\n"),
            b'r' => out.push_str("\\r"),
            b't' => out.push_str("\\t"),
            b'b' => out.push_str("\\b"),
            b'f' => out.push_str("\\f"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
    }
    out.push_str(&text[copied..]);
}

/// A byte of ones in each of a word's eight bytes.
const ONES: u64 = u64::from_le_bytes([1; 8]);
/// The high bit of each of a word's eight bytes.
const HIGH: u64 = ONES << 7;

/// In each byte of `word` below `bound` (at most 0x80), the high bit set — and maybe in bytes
/// above the lowest such byte, as the subtraction borrows: only the lowest mark is exact.
fn bytes_below(word: u64, bound: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(bound)) & !word & HIGH
}

/// In each byte of `word` equal to `byte`, the high bit set (only the lowest mark is exact):
/// a byte equal to `byte` is zero after the exclusive or.
fn bytes_equal(word: u64, byte: u8) -> u64 {
    bytes_below(word ^ (ONES * u64::from(byte)), 1)
}

/// The position of the first byte from `from` on that `wanted` says is wanted. Eight bytes at
/// a time, `marks` setting the high bit of the wanted bytes of a word (exactly for the lowest
/// one, which is the byte found); then byte by byte for the last few. Strings and escapes in
/// an event's text come every few bytes, too close together for a call per search.
fn find_first(
    bytes: &[u8],
    from: usize,
    marks: impl Fn(u64) -> u64,
    wanted: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let found = marks(u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = bytes.get(at..)?;
    rest.iter()
        .position(|&byte| wanted(byte))
        .map(|offset| at + offset)
}

/// The position of the first byte from `from` on that a JSON string must escape: a control
/// character, `"` or `\\`.
fn next_to_escape(bytes: &[u8], from: usize) -> Option<usize> {
    find_first(bytes, from, to_escape, |byte| {
        ESCAPE[usize::from(byte)] != 0
    })
}

/// In each byte of `word` that a JSON string must escape, the high bit set (only the lowest
/// mark is exact).
fn to_escape(word: u64) -> u64 {
    bytes_equal(word, b'"') | bytes_equal(word, b'\\') | bytes_below(word, 0x20)
}

/// The position of the first `"` or `\\` from `from` on.
fn next_quote_or_backslash(bytes: &[u8], from: usize) -> Option<usize> {
    find_first(
        bytes,
        from,
        |word| bytes_equal(word, b'"') | bytes_equal(word, b'\\'),
        |byte| byte == b'"' || byte == b'\\',
    )
}

/// The value of the JSON string token `token`, or `None` when it is not a well-formed string
/// token: a raw control character or quote inside, an escape that is not well formed, or a
/// surrogate escape that is not part of a pair (all of which serde_json refuses too). The
/// event text is escape-dense (`\"` every few bytes), so the text between escapes is copied
/// eight bytes at a time, each word written whole and the buffer cut back to the byte before
/// a backslash: a store per word, not a copy call per run.
pub(crate) fn decode_string(token: &str) -> Option<Cow<'_, str>> {
    let (decoded, end) = decode_string_at(token, 0)?;
    (end == token.len()).then_some(decoded)
}

/// The value of the JSON string token opening at `start` in `text`, and one past its closing
/// quote: the token is found and decoded in one pass (as [`decode_string`] says), so an
/// escape-dense string is not scanned twice. `None` as for [`decode_string`], or when the text
/// ends first.
pub(crate) fn decode_string_at(text: &str, start: usize) -> Option<(Cow<'_, str>, usize)> {
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let body = start + 1;
    let first = next_to_escape(bytes, body)?;
    if bytes[first] == b'"' {
        return Some((Cow::Borrowed(text.get(body..first)?), first + 1));
    }
    // Room for the rest of the text and a whole word past it, so no word needs growing.
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len() - body + 8);
    out.extend_from_slice(&bytes[body..first]);
    let mut at = first;
    loop {
        match *bytes.get(at)? {
            b'"' => break,
            b'\\' => {
                at = decode_escape(bytes, at, &mut out)?;
                continue;
            }
            // A raw control character.
            byte if ESCAPE[usize::from(byte)] != 0 => return None,
            _ => {}
        }
        let Some(word) = bytes
            .get(at..at + 8)
            .and_then(|w| <&[u8; 8]>::try_from(w).ok())
        else {
            // Fewer than eight bytes left.
            let rest = &bytes[at..];
            let run = rest
                .iter()
                .position(|&byte| ESCAPE[usize::from(byte)] != 0)
                .unwrap_or(rest.len());
            out.extend_from_slice(&rest[..run]);
            at += run;
            continue;
        };
        let found = to_escape(u64::from_le_bytes(*word));
        let run = if found == 0 {
            8
        } else {
            (found.trailing_zeros() / 8) as usize
        };
        let kept = out.len() + run;
        out.extend_from_slice(word);
        out.truncate(kept);
        at += run;
    }
    // Whole runs of valid UTF-8, cut at ASCII bytes, and whole characters: valid, which this
    // checks again (an ASCII text is checked a word at a time).
    let decoded = String::from_utf8(out).ok()?;
    Some((Cow::Owned(decoded), at + 1))
}

/// Appends the character of the escape at `at` (a backslash) to `out`; the position after
/// the escape, or `None` for an escape that is not well formed or a lone surrogate.
fn decode_escape(bytes: &[u8], at: usize, out: &mut Vec<u8>) -> Option<usize> {
    let escape = *bytes.get(at + 1)?;
    let decoded = match escape {
        b'"' | b'\\' | b'/' => escape,
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'u' => {
            let unit = hex_unit(bytes, at + 2)?;
            let mut next = at + 6;
            let code = match unit {
                0xD800..=0xDBFF => {
                    if bytes.get(next..next + 2) != Some(b"\\u") {
                        return None;
                    }
                    let low = hex_unit(bytes, next + 2)?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return None;
                    }
                    next += 6;
                    0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
                }
                0xDC00..=0xDFFF => return None,
                _ => u32::from(unit),
            };
            let mut buffer = [0; 4];
            out.extend_from_slice(char::from_u32(code)?.encode_utf8(&mut buffer).as_bytes());
            return Some(next);
        }
        _ => return None,
    };
    out.push(decoded);
    Some(at + 2)
}

/// The four hex digits at `at`, as a UTF-16 code unit.
fn hex_unit(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = bytes.get(at..at + 4)?;
    digits.iter().try_fold(0u16, |unit, &digit| {
        let value = char::from(digit).to_digit(16)?;
        Some(unit << 4 | value as u16)
    })
}

/// For each byte, the letter of its escape (`u` for `\u00XX`), or 0 when it needs none.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Whether input text must be checked before it is written back: it may hold a line break
/// or a lone surrogate escape (see `document::Node::Raw`).
pub(crate) fn needs_checks(text: &str) -> bool {
    memchr::memchr2(b'\n', b'\r', text.as_bytes()).is_some() || has_surrogate_escape(text)
}

/// Whether raw JSON text has a line break between its tokens. A string token cannot (JSON
/// strings hold no raw control characters), so the common case, a string, is not scanned.
pub(crate) fn has_line_break(text: &str) -> bool {
    !text.starts_with('"') && text.contains(['\n', '\r'])
}

/// Whether raw JSON text may hold a surrogate escape (`\uD800`-`\uDFFF`). One pass that stops
/// only at `\u`, which is rare in real text (a `\\u` also stops it, and is sorted out by
/// [`replace_lone_surrogates`]).
pub(crate) fn has_surrogate_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"\\u")
        .any(|at| matches!(bytes.get(at + 2), Some(b'd' | b'D')))
}

/// Replaces every `\u` escape of a surrogate that is not part of a pair with `\ufffd`, so the
/// text decodes to valid Unicode (serde_json refuses lone surrogates; JSON's grammar does not).
pub(crate) fn replace_lone_surrogates(text: &str) -> Cow<'_, str> {
    fn escape_at(bytes: &[u8], at: usize) -> Option<u16> {
        let hex = bytes.get(at..at + 6)?;
        if hex[0] != b'\\' || hex[1] != b'u' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    }
    if !has_surrogate_escape(text) {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            at += 1;
            continue;
        }
        match escape_at(bytes, at) {
            // A high surrogate followed by a low one: a valid pair, kept.
            Some(0xD800..=0xDBFF) if matches!(escape_at(bytes, at + 6), Some(0xDC00..=0xDFFF)) => {
                at += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str(&text[copied..at]);
                out.push_str("\\ufffd");
                at += 6;
                copied = at;
            }
            Some(_) => at += 6,
            None => at += 2,
        }
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Removes the whitespace between the tokens of well-formed JSON text, keeping key order and
/// every string (with its escapes) exactly as written. Strings are copied whole, found with
/// [`string_end`]; a string the text does not close is copied to the end.
pub fn compact_json(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => at = string_end(bytes, at).unwrap_or(bytes.len()),
            b' ' | b'\t' | b'\n' | b'\r' => {
                // Whitespace outside a string is ASCII: `copied` and `at` are boundaries.
                out.push_str(&text[copied..at]);
                at += 1;
                copied = at;
            }
            _ => at += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_end_after_their_closing_quote() {
        let text = br#""a\"b" "c\\" "open"#;
        assert_eq!(string_end(text, 0), Some(6));
        assert_eq!(string_end(text, 7), Some(12));
        assert_eq!(string_end(text, 13), None);
        assert_eq!(string_end(br#""\"#, 0), None);
    }

    #[test]
    fn brackets_pair_up_at_every_depth() {
        for levels in [1, 2, 63, 64, 65, 100] {
            // Objects and arrays by turns, so every level's closing bracket is checked.
            let (mut open, mut close) = (String::new(), String::new());
            for level in 0..levels {
                let (o, c) = if level % 2 == 0 {
                    ("{\"k\":", "}")
                } else {
                    ("[", "]")
                };
                open.push_str(o);
                close.insert_str(0, c);
            }
            let text = format!("{open}\"}}]\"{close},1");
            let end = text.len() - 2;
            assert_eq!(
                value_extent(text.as_bytes(), 0),
                Some((end, levels)),
                "{levels}"
            );
            assert_eq!(depth(&text[..end]), levels.min(MAX_DEPTH + 1), "{levels}");
            // The innermost closing bracket swapped: the brackets no longer pair up.
            let inner = if levels % 2 == 1 { "}" } else { "]" };
            let swapped = if inner == "}" { "]" } else { "}" };
            let wrong = format!("{open}1{swapped}{}", &close[1..]);
            assert_eq!(bracketed_end(wrong.as_bytes(), 0), None, "{levels}");
            assert_eq!(
                bracketed_end(&text.as_bytes()[..end - 1], 0),
                None,
                "cut short"
            );
        }
    }

    #[test]
    fn depth_counts_brackets_outside_strings() {
        assert_eq!(depth("1"), 0);
        assert_eq!(depth(r#""[[[""#), 0);
        assert_eq!(depth(&format!("[{}]", "1,".repeat(40) + "2")), 1);
        assert_eq!(depth(r#"{"a":"]]]","b":[{"c":"\"["}]}"#), 3);
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(depth(&deep), MAX_DEPTH + 1, "counting stops past the limit");
        let just = "[".repeat(24) + &"]".repeat(24);
        assert_eq!(depth(&just), 24);
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(replace_lone_surrogates(r#""a\ud800b""#), r#""a\ufffdb""#);
        assert_eq!(
            replace_lone_surrogates(r#""\udfff\ud83d\ude00""#),
            r#""\ufffd\ud83d\ude00""#
        );
        assert_eq!(
            replace_lone_surrogates(r#""\\ud800""#),
            r#""\\ud800""#,
            "an escaped backslash"
        );
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut texts: Vec<String> = (0u8..=0x7f)
            .map(|b| format!("a{}b", char::from(b)))
            .collect();
        texts.extend(
            [
                "",
                "plain",
                "\"quoted\" \\ path",
                "tab\there\u{1}\u{1f}",
                "é ✓ 😀 \u{7f}",
            ]
            .map(String::from),
        );
        // Every ASCII byte at every position of a text longer than two words, among bytes
        // that need no escape (ASCII, and the high bytes of `é`), so the word-at-a-time search
        // sees it at each place in a word.
        for position in 0..19 {
            for byte in 0u8..=0x7f {
                let mut text: Vec<char> = "xé~ \u{a0}abcdefghijklmno".chars().take(19).collect();
                text[position] = char::from(byte);
                texts.push(text.into_iter().collect());
            }
        }
        for text in &texts {
            let mut out = String::new();
            write_string(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn compact_json_keeps_strings_and_escapes() {
        assert_eq!(compact_json("[ \"é ✓\" ,\t1 ]"), r#"["é ✓",1]"#);
        assert_eq!(compact_json("{\"open\": \"a b"), r#"{"open":"a b"#);
        assert_eq!(
            compact_json("{ \"a b\" : [ 1 , \"c \\\" d\" ] ,\n\"e\":\"\\\\\" }"),
            r#"{"a b":[1,"c \" d"],"e":"\\"}"#
        );
    }

    #[test]
    fn string_tokens_decode_as_serde_json_decodes_them() {
        let tokens = [
            r#""""#,
            r#""plain text""#,
            r#""{\"auditID\": \"a1\", \"verb\":\"get\"}""#,
            r#""\\ \/ \b \f \n \r \t""#,
            r#""\u00e9\u0000\u001F \u2713 \ud83d\ude00 \uD83D\uDE00""#,
            r#""ends with an escape \"""#,
            r#""\\\\\"\"\\\/x\\""#,
            r#""é ✓ 😀""#,
        ];
        for token in tokens {
            let expected: String = serde_json::from_str(token).unwrap();
            assert_eq!(
                decode_string(token).as_deref(),
                Some(expected.as_str()),
                "{token}"
            );
        }
        assert!(matches!(
            decode_string(r#""no escape""#),
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn strings_of_every_run_length_decode_as_serde_json_decodes_them() {
        // Runs of 0 to 19 bytes between escapes, with two- and four-byte characters, so that
        // escapes and characters fall at every place in the eight-byte words.
        let pieces = ["\"", "\\", "/", "\n", "\u{1}", "é", "😀", "\u{7f}", "x"];
        for seed in 0..400usize {
            let mut text = String::new();
            for step in 0..(seed % 7 + 1) {
                text.push_str(&"abcdefghijklmnopqrs"[..(seed * 7 + step * 3) % 20]);
                text.push_str(pieces[(seed + step) % pieces.len()]);
            }
            for token in [
                serde_json::to_string(&text).unwrap(),
                serde_json::to_string(&text).unwrap().replace('/', "\\/"),
            ] {
                let decoded = decode_string(&token);
                assert_eq!(decoded.as_deref(), Some(text.as_str()), "{token}");
            }
        }
    }

    #[test]
    fn lone_surrogates_and_non_strings_are_refused_as_serde_json_refuses_them() {
        for token in [
            r#""\ud800""#,
            r#""\ud800 x""#,
            r#""\ud800\u0041""#,
            r#""\udc00""#,
            r#""\ud83d\ud83d""#,
            "\"a\u{1}b\"",
            "\"a\tb\"",
            "\"a\"b\"",
            "123",
            "{}",
        ] {
            assert!(serde_json::from_str::<String>(token).is_err(), "{token}");
            assert_eq!(decode_string(token), None, "{token}");
        }
    }

    #[test]
    fn split_members_are_those_serde_json_finds() {
        let objects = [
            r#"{}"#,
            r#" { } "#,
            r#"{"a":1}"#,
            r#"{ "a" : -1.5e3 , "b":true,"c":null ,"d":false}"#,
            r#"{"k\u00e9y":"v","k\"q":"}{][","n":{"x":[1,{"y":"]"}],"z":{}},"e":[]}"#,
            "{\n  \"a\": [\n 1,\n 2\n ],\n\t\"b\": \"x\\\\\"\r\n}",
            r#"{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"x\""}"#,
        ];
        for text in objects {
            let expected = crate::lenient::object_members(text, &"t").unwrap();
            let expected: Vec<(String, &str)> = expected
                .iter()
                .map(|(key, raw)| (key.to_string(), raw.get()))
                .collect();
            let found = split_members(text).unwrap();
            for (key, (value, deep)) in &found {
                assert_eq!(*deep, depth(value), "{key} in {text}");
            }
            let found: Vec<(String, &str)> = found
                .into_iter()
                .map(|(key, (value, _))| (key.into_owned(), value))
                .collect();
            assert_eq!(found, expected, "{text}");
        }
        let not_objects = [
            r#"[1]"#,
            r#""{}""#,
            "12",
            "null",
            r#"{"a":1"#,
            r#"{"a" 1}"#,
            r#"{a:1}"#,
            r#"{"a":}"#,
            r#"{"a":1,}"#,
            r#"{"a":1} x"#,
            r#"{"a":1 "b":2}"#,
        ];
        for text in not_objects {
            assert_eq!(split_members(text), None, "{text}");
        }
    }
}

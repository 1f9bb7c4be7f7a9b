//! Bounded decoding of envelope payloads: base64 and gzip (docs/record-shapes.md, "Bounded
//! decoding"). Nothing is inflated first and measured afterwards: gzip is read as a stream
//! that stops as soon as the output passes the limit, so a few kilobytes that would inflate
//! to gigabytes (a zip bomb) cost at most the limit.

use std::io::Read;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::{ErrorKind, TransformError};

/// The most bytes a decoded or decompressed payload may have: 64 MiB. All gzip members of a
/// payload count towards it together.
pub const MAX_PAYLOAD: usize = 64 << 20;

/// Decodes standard base64 (`+`, `/`, `=` padding, no whitespace); `what` names the payload
/// in errors.
pub(crate) fn base64(text: &str, what: &str) -> Result<Vec<u8>, TransformError> {
    // The decoded size is known from the text's length: refuse before allocating.
    let decoded = text.len() / 4 * 3;
    if decoded > MAX_PAYLOAD + 2 {
        return Err(too_large(what));
    }
    let bytes = STANDARD.decode(text).map_err(|error| {
        TransformError::new(
            ErrorKind::InvalidBase64,
            format!("{what} is not valid base64 (standard alphabet, `=` padding, no whitespace): {error}"),
        )
    })?;
    if bytes.len() > MAX_PAYLOAD {
        return Err(too_large(what));
    }
    Ok(bytes)
}

/// Decompresses a gzip stream of one or more members, stopping past [`MAX_PAYLOAD`]. The
/// output is read in chunks that are never reallocated and joined once at the end, so a
/// payload that passes the limit (a zip bomb) costs at most the limit in memory.
pub(crate) fn gunzip(bytes: &[u8], what: &str) -> Result<Vec<u8>, TransformError> {
    let invalid = |reason: &dyn std::fmt::Display| {
        TransformError::new(
            ErrorKind::InvalidGzip,
            format!("{what} is not a complete gzip stream: {reason}"),
        )
    };
    if bytes.len() < 2 || bytes[..2] != [0x1f, 0x8b] {
        return Err(invalid(
            &"it does not start with the gzip magic bytes 1f 8b",
        ));
    }
    let mut decoder = flate2::read::MultiGzDecoder::new(bytes);
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut total = 0;
    // The first chunk fits a typical payload (text compresses about tenfold); each next one is
    // twice as large, up to a few MiB.
    let mut size = (bytes.len() * 12).clamp(64 << 10, 4 << 20);
    loop {
        let mut chunk = Vec::with_capacity(size);
        let read = (&mut decoder)
            .take(size as u64)
            .read_to_end(&mut chunk)
            .map_err(|error| invalid(&error))?;
        total += read;
        if total > MAX_PAYLOAD {
            return Err(too_large(what));
        }
        let done = read < size;
        chunks.push(chunk);
        if done {
            break;
        }
        size = (size * 2).min(4 << 20);
    }
    if chunks.len() == 1 {
        return Ok(chunks.pop().unwrap_or_default());
    }
    let mut out = Vec::with_capacity(total);
    for chunk in chunks {
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Decoded bytes as UTF-8 text (`invalid_json` otherwise: the payload cannot be JSON).
pub(crate) fn utf8(bytes: Vec<u8>, what: &str) -> Result<String, TransformError> {
    String::from_utf8(bytes).map_err(|error| {
        TransformError::new(
            ErrorKind::InvalidJson,
            format!("{what} is not UTF-8 text, so not JSON: {error}"),
        )
    })
}

fn too_large(what: &str) -> TransformError {
    TransformError::new(
        ErrorKind::PayloadTooLarge,
        format!("{what} is over the limit of {MAX_PAYLOAD} bytes decoded"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(parts: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for part in parts {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(part).unwrap();
            out.extend(encoder.finish().unwrap());
        }
        out
    }

    #[test]
    fn base64_is_strict() {
        assert_eq!(base64("aGVsbG8=", "data").unwrap(), b"hello");
        assert_eq!(base64("", "data").unwrap(), b"");
        for bad in [
            "aGVsbG8",
            "aGVs bG8=",
            "aGVsbG8=\n",
            "aGVs_G8=",
            "aGVsbG8==",
            "a",
        ] {
            let error = base64(bad, "data").unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidBase64, "{bad}");
        }
    }

    #[test]
    fn gzip_members_are_read_together() {
        assert_eq!(gunzip(&gzip(&[b"ab", b"cd"]), "data").unwrap(), b"abcd");
    }

    #[test]
    fn broken_gzip_is_refused() {
        let whole = gzip(&[b"some text to compress"]);
        for bad in [
            &b"plain text"[..],
            &whole[..whole.len() - 6],
            &[],
            &[0x1f, 0x8b, 8],
        ] {
            assert_eq!(
                gunzip(bad, "data").unwrap_err().kind(),
                ErrorKind::InvalidGzip
            );
        }
        let mut trailing = whole.clone();
        trailing.extend_from_slice(b"junk");
        assert_eq!(
            gunzip(&trailing, "data").unwrap_err().kind(),
            ErrorKind::InvalidGzip
        );
    }

    #[test]
    fn a_zip_bomb_stops_at_the_limit() {
        // A few hundred kilobytes that inflate to 128 MiB of zeros.
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..128 {
            encoder.write_all(&zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
        let error = gunzip(&bomb, "awslogs.data").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::PayloadTooLarge);
    }
}

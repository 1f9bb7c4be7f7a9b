//! Timestamps (`event.start`, `@timestamp`, `event.end`): RFC 3339, normalised to UTC with
//! exactly six fractional digits (docs/timestamps.md).

use chrono::{DateTime, Datelike, Timelike, Utc};

/// The length of a normalised timestamp, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
const TEXT_LEN: usize = 27;

/// A normalised timestamp and the instant it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Time {
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, ASCII, held in place (no allocation per timestamp).
    text: [u8; TEXT_LEN],
    /// Microseconds since the Unix epoch (what the text says, to the microsecond).
    pub(crate) micros: i64,
    /// The UTC offset the text was written in, in minutes (`Z`: 0, `+05:30`: 330).
    pub(crate) offset_minutes: i32,
}

impl Time {
    /// The timestamp normalised: `YYYY-MM-DDTHH:MM:SS.ffffffZ`, in UTC.
    pub(crate) fn text(&self) -> &str {
        // Always ASCII digits and separators, so never the empty default.
        std::str::from_utf8(&self.text).unwrap_or_default()
    }
}

/// Reads an RFC 3339 timestamp, normalised to `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC
/// ([`Time::text`]), with the instant it names.
///
/// Longer fractions are truncated (not rounded) to microseconds, shorter or missing ones are
/// padded with zeros, and an offset is converted to UTC. Returns `None` for text that is not
/// an RFC 3339 timestamp.
pub(crate) fn parse(text: &str) -> Option<Time> {
    let parsed = DateTime::parse_from_rfc3339(text.trim()).ok()?;
    let offset_minutes = parsed.offset().local_minus_utc() / 60;
    let utc = parsed.with_timezone(&Utc);
    let year = utc.year();
    if !(0..=9999).contains(&year) {
        return None;
    }
    // A leap second is carried in the nanoseconds (>= 1e9); keep it as second 60.
    let (second, nanos) = match utc.nanosecond() {
        n if n >= 1_000_000_000 => (utc.second() + 1, n - 1_000_000_000),
        n => (utc.second(), n),
    };
    let micros = utc.timestamp() * 1_000_000 + i64::from(nanos / 1_000);
    // `YYYY-MM-DDTHH:MM:SS.ffffffZ`, digit by digit (formatting machinery costs more than
    // the parse on this path, which runs for every event).
    let mut out = [0u8; TEXT_LEN];
    let mut at = 0;
    let mut digits = |value: u32, width: u32, after: u8| {
        for place in (0..width).rev() {
            out[at] = b'0' + (value / 10u32.pow(place) % 10) as u8;
            at += 1;
        }
        out[at] = after;
        at += 1;
    };
    digits(year as u32, 4, b'-');
    digits(utc.month(), 2, b'-');
    digits(utc.day(), 2, b'T');
    digits(utc.hour(), 2, b':');
    digits(utc.minute(), 2, b':');
    digits(second, 2, b'.');
    digits(nanos / 1_000, 6, b'Z');
    Some(Time {
        text: out,
        micros,
        offset_minutes,
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn normalize(text: &str) -> Option<String> {
        parse(text).map(|time| time.text().to_owned())
    }

    #[test]
    fn instants_are_microseconds_since_the_epoch() {
        let start = parse("2024-06-02T12:06:00.5+02:00").unwrap();
        let end = parse("2024-06-02T10:06:01.250000999Z").unwrap();
        assert_eq!(end.micros - start.micros, 750_000);
        assert_eq!(parse("1970-01-01T00:00:00.000001Z").unwrap().micros, 1);
    }

    #[test]
    fn normalises_fractions_and_offsets() {
        for (input, expected) in [
            (
                "2022-11-23T14:36:45.243457Z",
                Some("2022-11-23T14:36:45.243457Z"),
            ),
            (
                "2024-06-02T10:06:00.123456789Z",
                Some("2024-06-02T10:06:00.123456Z"),
            ),
            (
                "2024-06-02T10:06:00.999999999Z",
                Some("2024-06-02T10:06:00.999999Z"),
            ),
            (
                "2024-06-02T10:06:00.5Z",
                Some("2024-06-02T10:06:00.500000Z"),
            ),
            ("2024-06-02T10:06:00Z", Some("2024-06-02T10:06:00.000000Z")),
            (
                "2024-06-02T12:06:00.5+02:00",
                Some("2024-06-02T10:06:00.500000Z"),
            ),
            (
                "2024-06-01T23:30:00-01:00",
                Some("2024-06-02T00:30:00.000000Z"),
            ),
            ("2024-06-02t10:06:00z", Some("2024-06-02T10:06:00.000000Z")),
            ("2024-06-02 10:06:00Z", Some("2024-06-02T10:06:00.000000Z")),
            (
                "2016-12-31T23:59:60.25Z",
                Some("2016-12-31T23:59:60.250000Z"),
            ),
            ("2024-06-02T10:06:00", None),
            ("2024-13-02T10:06:00Z", None),
            ("yesterday", None),
            ("", None),
            ("1700000000", None),
        ] {
            assert_eq!(normalize(input).as_deref(), expected, "{input}");
        }
    }
}

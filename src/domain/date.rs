//! Dates as the article format writes them, parsed without a date library.
//!
//! Accepted: RFC 3339 (`2025-01-17T19:13:00Z`, `…+03:30`, fractional seconds, `t`/`z` in any
//! case, a space instead of `T`) and the same without a zone (`2025-01-17 19:13:00`), which
//! means UTC, as the sample page writes its date. A date alone means midnight UTC.

use std::fmt;

/// An instant, in whole milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    millis: i64,
}

/// Why a date string was refused, in words a publisher can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// The text does not have the shape `YYYY-MM-DD[ HH:MM[:SS[.fff]]][Z|±HH:MM]`.
    Shape,
    /// The shape is right but a part is out of range (month 13, 31 April, hour 24 …).
    OutOfRange(&'static str),
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Shape => {
                f.write_str("expected a date like 2025-01-17T19:13:00Z or 2025-01-17 19:13:00")
            }
            DateError::OutOfRange(part) => write!(f, "the {part} is out of range"),
        }
    }
}

impl std::error::Error for DateError {}

impl Timestamp {
    pub const fn from_millis(millis: i64) -> Self {
        Timestamp { millis }
    }

    pub const fn millis(self) -> i64 {
        self.millis
    }

    /// Parses the forms described in the module documentation.
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let mut cursor = Cursor::new(text.trim());
        let year = cursor.digits(4)? as i64;
        cursor.expect(b'-')?;
        let month = cursor.digits(2)?;
        cursor.expect(b'-')?;
        let day = cursor.digits(2)?;
        if !(1..=12).contains(&month) {
            return Err(DateError::OutOfRange("month"));
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(DateError::OutOfRange("day"));
        }

        let (mut hour, mut minute, mut second, mut millis) = (0, 0, 0, 0);
        let mut offset_minutes = 0i64;
        if !cursor.at_end() {
            match cursor.next() {
                Some(b'T' | b't' | b' ') => {}
                _ => return Err(DateError::Shape),
            }
            hour = cursor.digits(2)?;
            cursor.expect(b':')?;
            minute = cursor.digits(2)?;
            if cursor.peek() == Some(b':') {
                cursor.next();
                second = cursor.digits(2)?;
                if cursor.peek() == Some(b'.') || cursor.peek() == Some(b',') {
                    cursor.next();
                    millis = cursor.fraction_millis()?;
                }
            }
            if hour > 23 {
                return Err(DateError::OutOfRange("hour"));
            }
            if minute > 59 {
                return Err(DateError::OutOfRange("minute"));
            }
            // A leap second (":60") is kept as the last second of its minute.
            if second > 60 {
                return Err(DateError::OutOfRange("second"));
            }
            second = second.min(59);
            offset_minutes = cursor.zone()?;
        }
        if !cursor.at_end() {
            return Err(DateError::Shape);
        }

        let days = days_from_civil(year, month, day);
        let seconds = days * 86_400 + (hour as i64) * 3_600 + (minute as i64) * 60 + second as i64
            - offset_minutes * 60;
        Ok(Timestamp {
            millis: seconds * 1_000 + millis as i64,
        })
    }

    /// The civil date and time in UTC: (year, month, day, hour, minute, second).
    pub fn to_utc_parts(self) -> (i64, u32, u32, u32, u32, u32) {
        let seconds = self.millis.div_euclid(1_000);
        let days = seconds.div_euclid(86_400);
        let of_day = seconds.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        (
            year,
            month,
            day,
            of_day / 3_600,
            of_day / 60 % 60,
            of_day % 60,
        )
    }

    /// The machine-readable form for `<time datetime>`: `2025-01-17T19:13:00Z`.
    /// RFC 3339 in UTC, with milliseconds when there are any (comments posted within one
    /// second keep their order).
    pub fn to_rfc3339(self) -> String {
        let (y, mo, d, h, mi, s) = self.to_utc_parts();
        match self.millis.rem_euclid(1_000) {
            0 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"),
            ms => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z"),
        }
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    fn at_end(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn expect(&mut self, wanted: u8) -> Result<(), DateError> {
        if self.next() == Some(wanted) {
            Ok(())
        } else {
            Err(DateError::Shape)
        }
    }

    fn digits(&mut self, count: usize) -> Result<u32, DateError> {
        let mut value = 0u32;
        for _ in 0..count {
            match self.next() {
                Some(b @ b'0'..=b'9') => value = value * 10 + u32::from(b - b'0'),
                _ => return Err(DateError::Shape),
            }
        }
        Ok(value)
    }

    /// Reads one or more fraction digits and keeps the first three as milliseconds.
    fn fraction_millis(&mut self) -> Result<u32, DateError> {
        let mut millis = 0u32;
        let mut count = 0;
        while let Some(b @ b'0'..=b'9') = self.peek() {
            self.at += 1;
            if count < 3 {
                millis = millis * 10 + u32::from(b - b'0');
            }
            count += 1;
        }
        if count == 0 {
            return Err(DateError::Shape);
        }
        for _ in count..3 {
            millis *= 10;
        }
        Ok(millis)
    }

    /// `Z`, `±HH:MM`, `±HHMM`, or nothing (UTC). Returns the offset east of UTC in minutes.
    fn zone(&mut self) -> Result<i64, DateError> {
        // "2025-01-17 19:13:00 UTC" and "… Z" with a space are common enough to accept.
        if self.peek() == Some(b' ') {
            let rest = &self.bytes[self.at + 1..];
            if rest.eq_ignore_ascii_case(b"utc") || rest.eq_ignore_ascii_case(b"z") {
                self.at = self.bytes.len();
                return Ok(0);
            }
        }
        match self.peek() {
            None => Ok(0),
            Some(b'Z' | b'z') => {
                self.next();
                Ok(0)
            }
            Some(sign @ (b'+' | b'-')) => {
                self.next();
                let hours = self.digits(2)?;
                if self.peek() == Some(b':') {
                    self.next();
                }
                let minutes = self.digits(2)?;
                if hours > 23 || minutes > 59 {
                    return Err(DateError::OutOfRange("time zone offset"));
                }
                let total = (hours * 60 + minutes) as i64;
                Ok(if sign == b'-' { -total } else { total })
            }
            Some(_) => Err(DateError::Shape),
        }
    }
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days-from-civil and its inverse (public domain algorithms).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_keeps_milliseconds_when_there_are_any() {
        assert_eq!(
            Timestamp::from_millis(1_737_141_180_000).to_rfc3339(),
            "2025-01-17T19:13:00Z"
        );
        let precise = Timestamp::from_millis(1_737_141_180_042);
        assert_eq!(precise.to_rfc3339(), "2025-01-17T19:13:00.042Z");
        assert_eq!(Timestamp::parse(&precise.to_rfc3339()), Ok(precise));
    }

    fn ms(text: &str) -> i64 {
        Timestamp::parse(text).unwrap().millis()
    }

    #[test]
    fn the_sample_pages_date_without_a_zone_is_utc() {
        // 2025-01-17T19:13:00Z is 1737141180 seconds after the epoch.
        assert_eq!(ms("2025-01-17 19:13:00"), 1_737_141_180_000);
        assert_eq!(ms("2025-01-17T19:13:00Z"), 1_737_141_180_000);
        assert_eq!(ms("2025-01-17t19:13:00z"), 1_737_141_180_000);
        assert_eq!(ms("2025-01-17T19:13:00"), 1_737_141_180_000);
        assert_eq!(ms("2025-01-17 19:13:00 UTC"), 1_737_141_180_000);
        assert_eq!(ms("  2025-01-17T19:13Z  "), 1_737_141_180_000);
    }

    #[test]
    fn offsets_fractions_and_date_only() {
        assert_eq!(ms("2025-01-17T22:43:00+03:30"), 1_737_141_180_000);
        assert_eq!(ms("2025-01-17T14:13:00-0500"), 1_737_141_180_000);
        assert_eq!(ms("2025-01-17T19:13:00.5Z"), 1_737_141_180_500);
        assert_eq!(ms("2025-01-17T19:13:00.123456789Z"), 1_737_141_180_123);
        assert_eq!(ms("1970-01-01"), 0);
        assert_eq!(ms("1969-12-31T23:59:59Z"), -1_000);
    }

    #[test]
    fn calendar_edges() {
        assert!(Timestamp::parse("2024-02-29").is_ok());
        assert_eq!(
            Timestamp::parse("2025-02-29"),
            Err(DateError::OutOfRange("day"))
        );
        assert_eq!(Timestamp::parse("2000-02-29").map(|_| ()), Ok(()));
        assert_eq!(
            Timestamp::parse("1900-02-29"),
            Err(DateError::OutOfRange("day"))
        );
        assert_eq!(
            Timestamp::parse("2025-04-31"),
            Err(DateError::OutOfRange("day"))
        );
        assert_eq!(
            Timestamp::parse("2025-13-01"),
            Err(DateError::OutOfRange("month"))
        );
        assert_eq!(
            Timestamp::parse("2025-00-01"),
            Err(DateError::OutOfRange("month"))
        );
        assert_eq!(
            Timestamp::parse("2025-01-01T24:00"),
            Err(DateError::OutOfRange("hour"))
        );
        assert_eq!(
            Timestamp::parse("2025-01-01T10:60"),
            Err(DateError::OutOfRange("minute"))
        );
        assert_eq!(ms("2016-12-31T23:59:60Z"), ms("2016-12-31T23:59:59Z"));
        assert_eq!(
            Timestamp::parse("2025-01-01T10:00+24:00"),
            Err(DateError::OutOfRange("time zone offset"))
        );
    }

    #[test]
    fn malformed_dates_are_refused() {
        for bad in [
            "",
            "yesterday",
            "17/01/2025",
            "2025-1-17",
            "2025-01-17T",
            "2025-01-17T19",
            "2025-01-17T19:13:00Q",
            "2025-01-17T19:13:00.Z",
            "2025-01-17 19:13:00 PST",
            "٢٠٢٥-٠١-١٧",
            "2025-01-17T19:13:00+3",
        ] {
            assert_eq!(Timestamp::parse(bad), Err(DateError::Shape), "{bad:?}");
        }
    }

    #[test]
    fn round_trips_through_civil_parts() {
        for text in [
            "2025-01-17T19:13:00Z",
            "2000-02-29T00:00:00Z",
            "1969-07-20T20:17:40Z",
            "2100-12-31T23:59:59Z",
        ] {
            assert_eq!(Timestamp::parse(text).unwrap().to_rfc3339(), text);
        }
        assert_eq!(
            Timestamp::parse("2025-01-17 19:13:00")
                .unwrap()
                .to_rfc3339(),
            "2025-01-17T19:13:00Z",
            "no zone means UTC"
        );
    }
}

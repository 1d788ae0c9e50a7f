//! Timestamps as stored: RFC 3339, UTC, millisecond precision, always the same shape, so a
//! timestamp read back from storage hashes exactly as it did when written.

use chrono::{DateTime, SecondsFormat, Utc};

pub fn format_utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_shape() {
        let t = DateTime::from_timestamp_millis(1_795_000_000_123).unwrap();
        assert_eq!(format_utc(t), "2026-11-18T11:06:40.123Z");
    }
}

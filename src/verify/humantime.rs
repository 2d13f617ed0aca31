//! Times in words: "expired 3 days ago, 2026-11-27 10:00:00 UTC".

use chrono::{DateTime, Datelike, Timelike, Utc};

/// `seconds` since the epoch as `2026-11-27 10:00:00 UTC`.
pub fn absolute(seconds: f64) -> String {
    DateTime::from_timestamp(seconds.floor() as i64, 0)
        // Written out by hand: chrono's strftime parser costs more than the rest of a verify.
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_else(|| format!("{seconds} (out of range)"))
}

/// The distance between `seconds` and `now` in the largest whole unit: "3 days", "1 hour".
pub fn distance(seconds: f64, now: DateTime<Utc>) -> String {
    let delta = (seconds - now.timestamp() as f64).abs() as i64;
    let (n, unit) = match delta {
        d if d < 60 => (d, "second"),
        d if d < 3600 => (d / 60, "minute"),
        d if d < 86_400 => (d / 3600, "hour"),
        d => (d / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// "in 3 hours" or "3 days ago".
pub fn relative(seconds: f64, now: DateTime<Utc>) -> String {
    if seconds >= now.timestamp() as f64 {
        format!("in {}", distance(seconds, now))
    } else {
        format!("{} ago", distance(seconds, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(
            relative(1_800_000_000.0 - 3.0 * 86_400.0, now),
            "3 days ago"
        );
        assert_eq!(relative(1_800_003_600.0, now), "in 1 hour");
        assert_eq!(absolute(0.0), "1970-01-01 00:00:00 UTC");
    }
}

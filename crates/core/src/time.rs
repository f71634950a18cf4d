//! Wall-clock timestamps as Unix milliseconds: the one time format of the store, the API and the UI.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `YYYY-MM-DD HH:MM:SS UTC` of Unix milliseconds (reports; the UI formats in local time).
pub fn utc_text(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, day_secs) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        day_secs / 3600,
        day_secs % 3600 / 60,
        day_secs % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_text_reads_as_a_calendar_date() {
        assert_eq!(super::utc_text(0), "1970-01-01 00:00:00 UTC");
        // 2026-12-02 01:02:03 UTC
        assert_eq!(
            super::utc_text(1_796_173_323_000),
            "2026-12-02 01:02:03 UTC"
        );
        assert_eq!(super::utc_text(951_782_400_000), "2000-02-29 00:00:00 UTC");
    }
}

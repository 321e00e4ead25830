//! RFC 3339 timestamps <-> Unix seconds, without a clock or a date crate (the POS sends
//! `2024-05-01T10:00:00Z`, `toISOString()` style, sometimes with a fraction or an offset).

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    // Count years from March so the leap day is the last day of the counted year.
    let (y, m) = if month > 2 { (year, month - 3) } else { (year - 1, month + 9) };
    let cycle = y.div_euclid(400);
    let year_in_cycle = y.rem_euclid(400);
    let day_in_year = (153 * m + 2) / 5 + day - 1;
    let day_in_cycle = year_in_cycle * 365 + year_in_cycle / 4 - year_in_cycle / 100 + day_in_year;
    cycle * 146_097 + day_in_cycle - 719_468
}

fn date_of(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let cycle = shifted.div_euclid(146_097);
    let day_in_cycle = shifted.rem_euclid(146_097);
    let year_in_cycle = (day_in_cycle - day_in_cycle / 1460 + day_in_cycle / 36_524 - day_in_cycle / 146_096) / 365;
    let day_in_year = day_in_cycle - (365 * year_in_cycle + year_in_cycle / 4 - year_in_cycle / 100);
    let m = (5 * day_in_year + 2) / 153;
    let day = day_in_year - (153 * m + 2) / 5 + 1;
    let month = if m < 10 { m + 3 } else { m - 9 };
    let year = cycle * 400 + year_in_cycle + i64::from(month <= 2);
    (year, month, day)
}

/// `1714557600` -> `"2024-05-01T10:00:00Z"`.
pub fn rfc3339_from_unix(secs: i64) -> String {
    let (y, mo, d) = date_of(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` (or a bare date) into Unix seconds.
pub fn unix_from_rfc3339(s: &str) -> Option<i64> {
    fn digits(t: &str) -> Option<i64> {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()
    }
    let s = s.trim();
    let (date, time) = match s.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut parts = date.splitn(3, '-');
    let (y, mo, d) = (digits(parts.next()?)?, digits(parts.next()?)?, digits(parts.next()?)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_since_epoch(y, mo, d) * 86_400;
    if let Some(t) = time {
        let (clock, offset) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(i) = t.rfind(['+', '-']) {
            let (c, o) = t.split_at(i);
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (h, m) = o[1..].split_once(':').unwrap_or((&o[1..], "0"));
            (c, sign * (digits(h)? * 3600 + digits(m)? * 60))
        } else {
            (t, 0)
        };
        let whole = clock.split('.').next()?;
        let mut hms = whole.split(':');
        let (h, mi) = (digits(hms.next()?)?, digits(hms.next()?)?);
        let se = match hms.next() {
            Some(x) => digits(x)?,
            None => 0,
        };
        if h > 23 || mi > 59 || se > 60 {
            return None;
        }
        secs += h * 3600 + mi * 60 + se - offset;
    }
    Some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_dates() {
        assert_eq!(rfc3339_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_from_unix(1_714_557_600), "2024-05-01T10:00:00Z");
        assert_eq!(unix_from_rfc3339("2024-02-29T13:45:07Z"), Some(1_709_214_307));
        assert_eq!(unix_from_rfc3339("2024-02-29T13:45:07.250Z"), Some(1_709_214_307));
        assert_eq!(unix_from_rfc3339("2024-02-29T15:45:07+02:00"), Some(1_709_214_307));
        assert_eq!(unix_from_rfc3339("1969-12-31T23:59:59Z"), Some(-1));
        assert_eq!(unix_from_rfc3339("2024-13-01T00:00:00Z"), None);
        assert_eq!(unix_from_rfc3339("soon"), None);
    }

    proptest! {
        #[test]
        fn unix_seconds_round_trip(secs in -2_000_000_000i64..8_000_000_000) {
            prop_assert_eq!(unix_from_rfc3339(&rfc3339_from_unix(secs)), Some(secs));
        }
    }
}

//! Exact value types: money, quantities, tax rates and timestamps.
//!
//! Everything numeric crosses the wire as a decimal string and lives here as a scaled integer,
//! so no amount ever passes through a float:
//!
//! | type | wire | stored as | scale |
//! |---|---|---|---|
//! | [`Money`] | `"12.50"` (at most 2 decimals in, exactly 2 out) | `i64` cents | 100 |
//! | [`Qty`] | `"0.5"` (at most 3 decimals in, exactly 3 out: `"0.500"`) | `i64` thousandths | 1000 |
//! | [`Rate`] | `"10"` / `"12.5"` percent (at most 2 decimals in, exactly 2 out) | `i64` hundredths of a percent | 100 |

use std::fmt;

/// Parses `-?\d+(\.\d{1,digits})?` into an integer scaled by `10^digits`.
fn parse_scaled(s: &str, digits: u32) -> Result<i64, String> {
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !all_digits(int) || !all_digits(frac) || (body.contains('.') && frac.is_empty()) {
        return Err(format!("'{s}' is not a decimal number"));
    }
    if frac.len() > digits as usize {
        return Err(format!("'{s}' has more than {digits} decimal places"));
    }
    let scale = 10i64.pow(digits);
    let int: i64 = int.parse().map_err(|_| format!("'{s}' is out of range"))?;
    let mut f: i64 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| format!("'{s}' is out of range"))? };
    f *= 10i64.pow(digits - frac.len() as u32);
    let v = int.checked_mul(scale).and_then(|v| v.checked_add(f)).ok_or_else(|| format!("'{s}' is out of range"))?;
    Ok(if neg { -v } else { v })
}

fn format_scaled(v: i64, digits: u32) -> String {
    let scale = 10i64.pow(digits);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let s = scale as u64;
    format!("{sign}{}.{:0width$}", a / s, a % s, width = digits as usize)
}

/// `a * b / div`, rounded half away from zero.
pub fn mul_div_round(a: i64, b: i64, div: i64) -> i64 {
    let n = a as i128 * b as i128;
    let d = div as i128;
    let q = n / d;
    let r = n % d;
    let adj = if (r.abs() * 2) >= d.abs() { n.signum() * d.signum() } else { 0 };
    (q + adj) as i64
}

/// An amount of money in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(pub i64);

impl Money {
    pub fn parse(s: &str) -> Result<Self, String> {
        parse_scaled(s, 2).map(Money)
    }
    /// Unit price times quantity, rounded to the cent.
    pub fn times(self, q: Qty) -> Money {
        Money(mul_div_round(self.0, q.0, 1000))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_scaled(self.0, 2))
    }
}

/// A quantity in thousandths (a POS sells fractions: `"0.5"` kg is `Qty(500)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Qty(pub i64);

impl Qty {
    pub const ONE: Qty = Qty(1000);
    pub fn parse(s: &str) -> Result<Self, String> {
        parse_scaled(s, 3).map(Qty)
    }
    /// `self * other` (both quantities), e.g. composite component quantity times sold quantity.
    pub fn times(self, other: Qty) -> Qty {
        Qty(mul_div_round(self.0, other.0, 1000))
    }
}

impl fmt::Display for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_scaled(self.0, 3))
    }
}

/// A tax rate in hundredths of a percent (`"10"` % is `Rate(1000)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rate(pub i64);

impl Rate {
    pub fn parse(s: &str) -> Result<Self, String> {
        let r = parse_scaled(s, 2)?;
        if !(0..=10_000).contains(&r) {
            return Err(format!("rate '{s}' must be between 0 and 100"));
        }
        Ok(Rate(r))
    }

    /// The tax contained in, or to add to, a gross amount.
    pub fn tax_on(self, amount: Money, tax_inclusive: bool) -> Money {
        if tax_inclusive {
            Money(mul_div_round(amount.0, self.0, 10_000 + self.0))
        } else {
            Money(mul_div_round(amount.0, self.0, 10_000))
        }
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_scaled(self.0, 2))
    }
}

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// `2024-05-01T10:00:00Z`.
pub fn rfc3339(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

/// Parses `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` with optional fraction and `Z` / `+HH:MM` offset
/// (the forms a JavaScript `toISOString()` client sends).
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |t: &str| -> Option<i64> {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut dp = date.split('-');
    let (y, m, d) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
    if dp.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    if let Some(t) = time {
        let (clock, offset) = if let Some(c) = t.strip_suffix('Z') {
            (c, 0)
        } else if let Some(i) = t.rfind(['+', '-']) {
            let (c, o) = t.split_at(i);
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (oh, om) = o[1..].split_once(':').unwrap_or((&o[1..], "0"));
            (c, sign * (num(oh)? * 3600 + num(om)? * 60))
        } else {
            (t, 0)
        };
        let clock = clock.split('.').next()?;
        let mut cp = clock.split(':');
        let h = num(cp.next()?)?;
        let mi = num(cp.next()?)?;
        let se = cp.next().map(num).unwrap_or(Some(0))?;
        secs += h * 3600 + mi * 60 + se - offset;
    }
    Some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_and_formats_exactly() {
        for (input, cents, out) in [
            ("12.5", 1250, "12.50"),
            ("0.01", 1, "0.01"),
            ("-3", -300, "-3.00"),
            ("-0.05", -5, "-0.05"),
            ("100", 10000, "100.00"),
        ] {
            let m = Money::parse(input).unwrap();
            assert_eq!(m.0, cents, "{input}");
            assert_eq!(m.to_string(), out);
        }
        for bad in ["", "1.234", "abc", "1.", ".5", "1e3", "--1"] {
            assert!(Money::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn quantities_keep_three_decimals() {
        assert_eq!(Qty::parse("0.5").unwrap(), Qty(500));
        assert_eq!(Qty::parse("0.5").unwrap().to_string(), "0.500");
        assert_eq!(Qty::parse("2.125").unwrap().to_string(), "2.125");
        assert!(Qty::parse("0.0005").is_err());
    }

    #[test]
    fn line_amounts_round_half_away_from_zero() {
        // 3.99 * 0.333 = 1.32867 -> 1.33
        assert_eq!(Money(399).times(Qty(333)), Money(133));
        // 0.05 * 0.5 = 0.025 -> 0.03 ; negative mirrors
        assert_eq!(Money(5).times(Qty(500)), Money(3));
        assert_eq!(Money(5).times(Qty(-500)), Money(-3));
    }

    #[test]
    fn tax_inclusive_and_exclusive() {
        let gst = Rate::parse("10").unwrap();
        assert_eq!(gst.tax_on(Money(1100), true), Money(100));
        assert_eq!(gst.tax_on(Money(1000), false), Money(100));
        assert_eq!(Rate::parse("12.5").unwrap().to_string(), "12.50");
        assert!(Rate::parse("101").is_err());
    }

    #[test]
    fn datetimes_round_trip() {
        let t = parse_datetime("2024-02-29T13:45:07Z").unwrap();
        assert_eq!(rfc3339(t), "2024-02-29T13:45:07Z");
        assert_eq!(parse_datetime("2024-02-29T13:45:07.123Z"), Some(t));
        assert_eq!(parse_datetime("2024-02-29T15:45:07+02:00"), Some(t));
        assert_eq!(parse_datetime("1970-01-02"), Some(86_400));
        assert_eq!(parse_datetime("2024-13-01"), None);
        assert_eq!(parse_datetime("yesterday"), None);
    }
}

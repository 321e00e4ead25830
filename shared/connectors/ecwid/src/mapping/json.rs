//! Reading and writing Ecwid JSON values without floats in the arithmetic.
//!
//! Ecwid sends money as JSON numbers (`16.64`). A number is read through its decimal text
//! (`serde_json` prints the shortest representation that round-trips), so `16.64` becomes
//! exactly 16.6400 and never 16.639999. Amounts are written with two decimals, as Ecwid stores them.

use posbridge_domain::model::{Money, Quantity};
use serde_json::{Number, Value};

use crate::MappingError;

/// Names the record a field belongs to, for error messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rec<'a> {
    pub entity: &'static str,
    pub record: &'a str,
}

impl Rec<'_> {
    pub fn invalid(&self, field: &'static str, value: &Value) -> MappingError {
        MappingError::InvalidField {
            entity: self.entity,
            record: self.record.to_string(),
            field,
            value: value.to_string(),
        }
    }
    pub fn missing(&self, field: &'static str) -> MappingError {
        MappingError::MissingRequiredField { entity: self.entity, field, record: self.record.to_string() }
    }
}

/// A trimmed, non-empty string field.
pub(crate) fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

pub(crate) fn boolean(v: &Value, key: &str) -> Option<bool> {
    v.get(key).and_then(Value::as_bool)
}

pub(crate) fn uint(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The decimal text of a JSON number or numeric string.
fn decimal_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// Money in a field; `Ok(None)` when absent or null.
pub(crate) fn money(v: &Value, key: &'static str, rec: Rec<'_>) -> Result<Option<Money>, MappingError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => decimal_text(x).and_then(|t| Money::parse(&t).ok()).map(Some).ok_or_else(|| rec.invalid(key, x)),
    }
}

/// Money as Ecwid expects it: a JSON number with at most two decimals.
pub(crate) fn money_json(m: Money) -> Value {
    let cents = m.cents();
    if cents % 100 == 0 {
        return Value::from(cents / 100);
    }
    // The text has two decimals; f64's shortest representation prints it back unchanged.
    m.to_2dp().parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
}

/// A whole-unit count (Ecwid stock and order quantities). A fraction is flagged, not rounded.
pub(crate) fn whole_quantity(
    v: &Value,
    key: &'static str,
    rec: Rec<'_>,
    what: impl FnOnce() -> String,
) -> Result<Option<Quantity>, MappingError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => {
            let q = decimal_text(x).and_then(|t| Quantity::parse(&t).ok()).ok_or_else(|| rec.invalid(key, x))?;
            if q.is_whole() {
                Ok(Some(q))
            } else {
                Err(MappingError::FractionalQuantity { record: what(), quantity: q })
            }
        }
    }
}

/// A whole number of units for Ecwid, or the fractional-quantity flag.
pub(crate) fn whole_units(q: Quantity, what: impl FnOnce() -> String) -> Result<i64, MappingError> {
    q.whole_units().ok_or_else(|| MappingError::FractionalQuantity { record: what(), quantity: q })
}

/// Splits `rate` into an ex-tax and inc-tax pair given which one was entered.
pub(crate) fn both_prices(entered: Money, entered_includes_tax: bool, rate_bp: u32) -> (Money, Money) {
    if entered_includes_tax { (entered.remove_tax(rate_bp), entered) } else { (entered, entered.add_tax(rate_bp)) }
}

/// Divides an amount by a whole, non-zero count, rounding half away from zero.
pub(crate) fn div_units(m: Money, n: i64) -> Money {
    if n == 0 {
        return Money::ZERO;
    }
    let v = i128::from(m.ten_thousandths());
    let d = i128::from(n);
    let q = (v.abs() * 2 + d.abs()) / (d.abs() * 2) * v.signum() * d.signum();
    let text = format!("{}.{:04}", q / 10_000, (q % 10_000).abs());
    let text = if q < 0 && q > -10_000 { format!("-{text}") } else { text };
    Money::parse(&text).unwrap_or(Money::ZERO)
}

const DAY: i64 = 86_400;

fn days_to_civil(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's civil-from-days, in proleptic Gregorian.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

fn civil_to_days(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Ecwid's date format, in UTC: `2014-07-30 10:32:37 +0000`.
pub(crate) fn format_date(ts: i64) -> String {
    let (y, m, d) = days_to_civil(ts.div_euclid(DAY));
    let s = ts.rem_euclid(DAY);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} +0000", s / 3_600, s / 60 % 60, s % 60)
}

/// Parses `yyyy-MM-dd HH:mm:ss ±hhmm` (the zone is optional, UTC by default).
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.split_whitespace();
    let mut date = parts.next()?.split('-');
    let (y, m, d): (i64, u32, u32) =
        (date.next()?.parse().ok()?, date.next()?.parse().ok()?, date.next()?.parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = civil_to_days(y, m, d) * DAY;
    if let Some(time) = parts.next() {
        let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
        secs += t.next()?? * 3_600 + t.next()?? * 60 + t.next().flatten().unwrap_or(0);
    }
    if let Some(zone) = parts.next() {
        let sign = match zone.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let digits = zone.get(1..)?.replace(':', "");
        let (hh, mm): (i64, i64) = (digits.get(..2)?.parse().ok()?, digits.get(2..4)?.parse().ok()?);
        secs -= sign * (hh * 3_600 + mm * 60);
    }
    Some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const R: Rec<'static> = Rec { entity: "product", record: "t" };

    #[test]
    fn money_reads_ecwid_numbers_exactly_and_writes_two_decimals() {
        let v = json!({"a": 16.64, "b": 1060, "c": "3.5", "d": null, "e": "x", "f": 0.00001});
        assert_eq!(money(&v, "a", R).unwrap().unwrap().to_4dp(), "16.6400");
        assert_eq!(money(&v, "b", R).unwrap().unwrap().to_4dp(), "1060.0000");
        assert_eq!(money(&v, "c", R).unwrap().unwrap().to_4dp(), "3.5000");
        assert_eq!(money(&v, "d", R).unwrap(), None);
        assert_eq!(money(&v, "zz", R).unwrap(), None);
        assert_eq!(money(&v, "e", R).unwrap_err().code(), "invalid_field");
        assert_eq!(money(&v, "f", R).unwrap_err().code(), "invalid_field");
        assert_eq!(money_json(Money::parse("12.5").unwrap()), json!(12.5));
        assert_eq!(money_json(Money::parse("7").unwrap()), json!(7));
        assert_eq!(money_json(Money::parse("0.1").unwrap()).to_string(), "0.1");
        assert_eq!(money_json(Money::parse("-3.33").unwrap()).to_string(), "-3.33");
    }

    #[test]
    fn fractional_quantities_are_flagged_not_rounded() {
        let v = json!({"q": 2.5, "w": 3, "s": "4.000"});
        let e = whole_quantity(&v, "q", R, || "line".into()).unwrap_err();
        assert_eq!(
            e,
            MappingError::FractionalQuantity { record: "line".into(), quantity: Quantity::parse("2.5").unwrap() }
        );
        assert_eq!(whole_quantity(&v, "w", R, String::new).unwrap(), Some(Quantity::units(3)));
        assert_eq!(whole_quantity(&v, "s", R, String::new).unwrap(), Some(Quantity::units(4)));
        assert_eq!(
            whole_units(Quantity::parse("0.25").unwrap(), || "x".into()).unwrap_err().code(),
            "fractional_quantity"
        );
    }

    #[test]
    fn division_rounds_half_away_from_zero() {
        let m = |s: &str| Money::parse(s).unwrap();
        assert_eq!(div_units(m("10"), 3).to_4dp(), "3.3333");
        assert_eq!(div_units(m("0.0005"), 2).to_4dp(), "0.0003");
        assert_eq!(div_units(m("-0.0005"), 2).to_4dp(), "-0.0003");
        assert_eq!(div_units(m("-7"), 2).to_4dp(), "-3.5000");
        assert_eq!(div_units(m("5"), 0), Money::ZERO);
    }

    #[test]
    fn dates_use_ecwids_format_in_utc() {
        assert_eq!(format_date(1_527_779_316), "2018-05-31 15:08:36 +0000");
        assert_eq!(parse_date("2018-05-31 15:08:36 +0000"), Some(1_527_779_316));
        assert_eq!(parse_date("2014-06-06 18:57:19 +0400"), Some(parse_date("2014-06-06 14:57:19").unwrap()));
        assert_eq!(parse_date("2015-09-20"), Some(1_442_707_200));
        assert_eq!(parse_date("nonsense"), None);
        for ts in [0, 951_782_400, 1_700_000_000, 4_102_444_799] {
            assert_eq!(parse_date(&format_date(ts)), Some(ts));
        }
    }
}

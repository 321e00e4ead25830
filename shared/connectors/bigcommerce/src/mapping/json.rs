//! Reading and writing BigCommerce JSON values: money as JSON numbers (v3) or 4-dp strings (v2),
//! optional strings, ids, RFC 2822 dates.

use posbridge_domain::model::Money;
use serde_json::{Number, Value};

use crate::errors::MappingError;

/// Money from a JSON number (catalog v3) or string (orders v2); `null`/absent is `None`.
///
/// v3 prices are floats: they are read at 4 decimals, the scale BigCommerce stores.
pub(crate) fn money(v: &Value, field: &'static str) -> Result<Option<Money>, MappingError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            let f = n.as_f64().ok_or_else(|| MappingError::bad(field, n.to_string()))?;
            if !f.is_finite() {
                return Err(MappingError::bad(field, n.to_string()));
            }
            Money::parse(&format!("{f:.4}")).map(Some).map_err(MappingError::invalid(field))
        }
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Money::parse(s).map(Some).map_err(MappingError::invalid(field)),
        Some(other) => Err(MappingError::bad(field, other.to_string())),
    }
}

/// Money that must be there (v2 order amounts).
pub(crate) fn money_req(v: &Value, field: &'static str) -> Result<Money, MappingError> {
    Ok(money(v, field)?.unwrap_or(Money::ZERO))
}

/// Money as a JSON number for v3 bodies. Exact: the ten-thousandths divide correctly rounded and
/// print as the shortest decimal that reads back the same.
pub(crate) fn num(m: Money) -> Value {
    Number::from_f64(m.ten_thousandths() as f64 / 10_000.0).map(Value::Number).unwrap_or(Value::Null)
}

/// Money as BigCommerce v2 writes it, `"12.5000"`.
pub(crate) fn str4(m: Money) -> Value {
    Value::String(m.to_4dp())
}

/// A non-empty trimmed string field.
pub(crate) fn text(v: &Value, field: &str) -> Option<String> {
    v.get(field).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

pub(crate) fn id(v: &Value, field: &'static str) -> Result<u64, MappingError> {
    opt_id(v, field)?.ok_or_else(|| MappingError::bad(field, "missing"))
}

/// An id; `0` and `null` mean "none" in BigCommerce (guest customer, no brand, base variant).
pub(crate) fn opt_id(v: &Value, field: &'static str) -> Result<Option<u64>, MappingError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => match x.as_u64().or_else(|| x.as_str().and_then(|s| s.trim().parse().ok())) {
            Some(0) => Ok(None),
            Some(n) => Ok(Some(n)),
            None => Err(MappingError::bad(field, x.to_string())),
        },
    }
}

pub(crate) fn int(v: &Value, field: &'static str) -> Result<Option<i64>, MappingError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => x.as_i64().map(Some).ok_or_else(|| MappingError::bad(field, x.to_string())),
    }
}

pub(crate) fn float(v: &Value, field: &'static str) -> Result<Option<f64>, MappingError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => x
            .as_f64()
            .or_else(|| x.as_str().and_then(|s| s.trim().parse().ok()))
            .map(Some)
            .ok_or_else(|| MappingError::bad(field, x.to_string())),
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

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
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Parses an RFC 2822 date as v2 writes it (`"Wed, 10 Jan 2018 21:05:30 +0000"`) to unix seconds.
pub(crate) fn rfc2822(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.split_once(", ").map_or(s, |(_, rest)| rest);
    let mut it = s.split_whitespace();
    let day: i64 = it.next()?.parse().ok()?;
    let mon = MONTHS.iter().position(|m| it.clone().next().is_some_and(|x| x.eq_ignore_ascii_case(m)))? as i64 + 1;
    it.next();
    let year: i64 = it.next()?.parse().ok()?;
    let mut hms = it.next()?.split(':').map(|x| x.parse::<i64>().ok());
    let (h, mi) = (hms.next()??, hms.next()??);
    let sec = hms.next().flatten().unwrap_or(0);
    let zone = it.next().unwrap_or("+0000");
    let offset = match zone {
        "GMT" | "UT" | "UTC" | "Z" => 0,
        z if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) => {
            let hh: i64 = z[1..3].parse().ok()?;
            let mm: i64 = z[3..5].parse().ok()?;
            let o = hh * 3600 + mm * 60;
            if z.starts_with('-') { -o } else { o }
        }
        _ => return None,
    };
    if !(1..=31).contains(&day) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    Some(days_from_civil(year, mon, day) * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// Formats unix seconds as RFC 2822 in UTC, as v2 expects for `date_created`.
pub(crate) fn to_rfc2822(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let wd = DAYS[days.rem_euclid(7) as usize];
    format!(
        "{wd}, {d:02} {} {y} {:02}:{:02}:{:02} +0000",
        MONTHS[(m - 1) as usize],
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn money_reads_numbers_and_4dp_strings() {
        let v = json!({ "a": 12.5, "b": "336.3200", "c": null, "d": 0.1, "e": "", "f": true, "g": 19.99 });
        assert_eq!(money(&v, "a").unwrap().unwrap().to_4dp(), "12.5000");
        assert_eq!(money(&v, "b").unwrap().unwrap().to_4dp(), "336.3200");
        assert_eq!(money(&v, "c").unwrap(), None);
        assert_eq!(money(&v, "missing").unwrap(), None);
        assert_eq!(money(&v, "d").unwrap().unwrap().to_4dp(), "0.1000");
        assert_eq!(money(&v, "e").unwrap(), None);
        assert_eq!(money(&v, "g").unwrap().unwrap().to_4dp(), "19.9900");
        assert_eq!(money(&v, "f").unwrap_err().code(), "bad_platform_data");
    }

    #[test]
    fn dates_read_the_v2_examples() {
        // PLATFORM-FACTS §1.3: "Wed, 10 Jan 2018 21:05:30 +0000".
        assert_eq!(rfc2822("Wed, 10 Jan 2018 21:05:30 +0000"), Some(1_515_618_330));
        assert_eq!(rfc2822("Tue, 20 Nov 2012 00:00:00 +0000"), Some(1_353_369_600));
        assert_eq!(rfc2822("Tue, 20 Nov 2012 10:00:00 +1000"), Some(1_353_369_600));
        assert_eq!(to_rfc2822(1_515_618_330), "Wed, 10 Jan 2018 21:05:30 +0000");
        assert_eq!(rfc2822("yesterday"), None);
        assert_eq!(rfc2822(""), None);
    }

    proptest! {
        #[test]
        fn money_survives_a_json_number(t in -9_000_000_000_000i64..9_000_000_000_000) {
            let m = crate::mapping::fixtures::money_tt(t);
            let text = serde_json::to_string(&json!({ "x": num(m) })).unwrap();
            let back: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(money(&back, "x").unwrap(), Some(m));
        }

        #[test]
        fn dates_round_trip(t in 0i64..4_102_444_800) {
            prop_assert_eq!(rfc2822(&to_rfc2822(t)), Some(t));
        }
    }
}

//! Small building blocks: WP-style errors, dates, money, percent-encoding and input checks.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// A WordPress REST error: `{"code","message","data":{"status",...}}`.
#[derive(Debug, Clone)]
pub struct WcError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Extra members of `data` besides `status`.
    pub extra: Map<String, Value>,
}

impl WcError {
    pub fn new(status: u16, code: &str, message: &str) -> Self {
        Self { status, code: code.into(), message: message.into(), extra: Map::new() }
    }

    pub fn with(mut self, key: &str, v: Value) -> Self {
        self.extra.insert(key.into(), v);
        self
    }

    pub fn body(&self) -> Value {
        let mut data = Map::new();
        data.insert("status".into(), json!(self.status));
        data.extend(self.extra.clone());
        json!({ "code": self.code, "message": self.message, "data": data })
    }

    /// WP core answer for unknown routes and for known routes with another method.
    pub fn no_route() -> Self {
        Self::new(404, "rest_no_route", "No route was found matching the URL and request method")
    }

    /// WP core parameter validation failure (`rest_invalid_param`).
    pub fn invalid_param(name: &str, why: &str) -> Self {
        Self::new(400, "rest_invalid_param", &format!("Invalid parameter(s): {name}"))
            .with("params", json!({ name: why }))
    }

    pub fn missing_param(names: &[&str]) -> Self {
        Self::new(400, "rest_missing_callback_param", &format!("Missing parameter(s): {}", names.join(", ")))
            .with("params", json!(names))
    }

    /// Resources that need `force=true` (WC: 501 `woocommerce_rest_trash_not_supported`).
    pub fn trash_not_supported(what: &str) -> Self {
        Self::new(
            501,
            "woocommerce_rest_trash_not_supported",
            &format!("{what} does not support trashing. Set 'force' to 'true' to delete."),
        )
    }
}

impl IntoResponse for WcError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self.body())).into_response()
    }
}

pub type WcResult<T> = Result<T, WcError>;

// ---------- dates ----------

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SS` for a unix time shifted by `offset_minutes` (WC's zone-less format).
pub fn fmt_date(unix: i64, offset_minutes: i32) -> String {
    let t = unix + offset_minutes as i64 * 60;
    let (y, mo, d) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Parses ISO-8601 `YYYY-MM-DD[THH:MM[:SS]][Z|±HH:MM]`. A zone-less value is read with
/// `default_offset_minutes` (the site's zone, as WordPress does).
pub fn parse_date(s: &str, default_offset_minutes: i32) -> Option<i64> {
    let s = s.trim();
    let (date, rest) = s.split_at(s.find(['T', ' ']).unwrap_or(s.len()));
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let m: u32 = dp.next()?.parse().ok()?;
    let d: u32 = dp.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let rest = rest.get(1..).unwrap_or("");
    let (time, zone) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let mut secs = 0i64;
    if !time.is_empty() {
        let mut tp = time.split(':');
        let h: i64 = tp.next()?.parse().ok()?;
        let mi: i64 = tp.next().unwrap_or("0").parse().ok()?;
        let se: f64 = tp.next().unwrap_or("0").parse().ok()?;
        secs = h * 3600 + mi * 60 + se as i64;
    }
    let offset_min: i64 = match zone {
        "" => default_offset_minutes as i64,
        "Z" | "z" => 0,
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let digits: String = z[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            if digits.len() < 2 {
                return None;
            }
            let h: i64 = digits[..2].parse().ok()?;
            let mi: i64 = digits.get(2..4).unwrap_or("0").parse().ok()?;
            sign * (h * 60 + mi)
        }
    };
    Some(days_from_civil(y, m, d) * 86_400 + secs - offset_min * 60)
}

// ---------- money ----------

/// Parses a decimal money string into cents (rounded half away from zero). `""` is `None`.
pub fn parse_money(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let int: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut f = frac.chars().chain(std::iter::repeat('0')).take(3);
    let d1 = f.next()?.to_digit(10)? as i64;
    let d2 = f.next()?.to_digit(10)? as i64;
    let d3 = f.next()?.to_digit(10)? as i64;
    let cents = int.checked_mul(100)? + d1 * 10 + d2 + i64::from(d3 >= 5);
    Some(if neg { -cents } else { cents })
}

/// Cents as a 2-dp string: `2199` → `"21.99"`.
pub fn fmt_money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// Cents as a JSON number (order line `price` is a number in WC responses).
pub fn money_number(cents: i64) -> Value {
    if cents % 100 == 0 { json!(cents / 100) } else { json!(cents as f64 / 100.0) }
}

// ---------- encoding ----------

/// RFC 3986 percent-encoding (unreserved characters kept), as OAuth 1.0a requires.
pub fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// URL-friendly slug from a name (lowercase ASCII words joined by `-`).
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

// ---------- input checking ----------

/// The JSON type a writable field must have (WP validates request bodies against the schema).
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Str,
    /// A string holding a decimal amount, or `""`.
    Money,
    Int,
    /// An integer or `null`.
    OptInt,
    Bool,
    Array,
    Object,
    /// One of a fixed list of strings.
    Enum(&'static [&'static str]),
    /// An ISO-8601 date string or `null`.
    Date,
}

/// Validates and copies the writable `spec` fields present in `input` into `target`.
/// WordPress coerces numeric strings to integers and `"true"`/`"false"` to booleans; so does this.
pub fn apply_fields(
    target: &mut Map<String, Value>,
    input: &Map<String, Value>,
    spec: &[(&str, Kind)],
) -> WcResult<()> {
    for (name, kind) in spec {
        let Some(v) = input.get(*name) else { continue };
        let v = coerce(name, *kind, v)?;
        target.insert((*name).to_string(), v);
    }
    Ok(())
}

/// Checks one value against a [`Kind`], returning the stored form.
pub fn coerce(name: &str, kind: Kind, v: &Value) -> WcResult<Value> {
    let bad = |t: &str| WcError::invalid_param(name, &format!("{name} is not of type {t}."));
    Ok(match kind {
        Kind::Str => match v {
            Value::String(_) => v.clone(),
            Value::Number(n) => Value::String(n.to_string()),
            _ => return Err(bad("string")),
        },
        Kind::Money => match v {
            Value::String(s) if s.trim().is_empty() => json!(""),
            Value::String(s) => match parse_money(s) {
                Some(c) => json!(fmt_money(c)),
                None => return Err(bad("string")),
            },
            _ => return Err(bad("string")),
        },
        Kind::Int => match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => v.clone(),
            Value::String(s) => json!(s.trim().parse::<i64>().map_err(|_| bad("integer"))?),
            _ => return Err(bad("integer")),
        },
        Kind::OptInt => match v {
            Value::Null => Value::Null,
            _ => coerce(name, Kind::Int, v)?,
        },
        Kind::Bool => match v {
            Value::Bool(_) => v.clone(),
            Value::String(s) if matches!(s.as_str(), "true" | "1") => json!(true),
            Value::String(s) if matches!(s.as_str(), "false" | "0" | "") => json!(false),
            Value::Number(n) if n.as_i64() == Some(1) => json!(true),
            Value::Number(n) if n.as_i64() == Some(0) => json!(false),
            _ => return Err(bad("boolean")),
        },
        Kind::Array => match v {
            Value::Array(_) => v.clone(),
            _ => return Err(bad("array")),
        },
        Kind::Object => match v {
            Value::Object(_) => v.clone(),
            _ => return Err(bad("object")),
        },
        Kind::Enum(opts) => match v.as_str() {
            Some(s) if opts.contains(&s) => v.clone(),
            _ => {
                return Err(WcError::invalid_param(name, &format!("{name} is not one of {}.", opts.join(", "))));
            }
        },
        Kind::Date => match v {
            Value::Null => Value::Null,
            Value::String(s) if s.is_empty() => Value::Null,
            Value::String(s) if parse_date(s, 0).is_some() => v.clone(),
            _ => return Err(WcError::invalid_param(name, &format!("Invalid date for {name}."))),
        },
    })
}

/// Reads an integer out of a JSON value that may be a number or numeric string.
pub fn as_i64(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub fn as_str<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("")
}

pub fn as_bool(m: &Map<String, Value>, k: &str) -> bool {
    m.get(k).and_then(Value::as_bool).unwrap_or(false)
}

/// An object built from a `json!` literal.
pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_shift_by_the_site_offset() {
        let t = parse_date("2017-03-23T17:01:14", 0).unwrap();
        assert_eq!(fmt_date(t, 0), "2017-03-23T17:01:14");
        assert_eq!(fmt_date(t, -180), "2017-03-23T14:01:14");
        assert_eq!(parse_date("2017-03-23T17:01:14Z", 0), Some(t));
        assert_eq!(parse_date("2017-03-23T20:01:14+03:00", 0), Some(t));
        assert_eq!(parse_date("2017-03-23T14:01:14", -180), Some(t));
        assert_eq!(fmt_date(0, 0), "1970-01-01T00:00:00");
        assert_eq!(fmt_date(951_782_400, 0), "2000-02-29T00:00:00");
        assert!(parse_date("yesterday", 0).is_none());
    }

    #[test]
    fn money_is_parsed_to_cents_and_printed_with_two_decimals() {
        let table = [
            ("21.99", Some(2199)),
            ("10", Some(1000)),
            ("1.5", Some(150)),
            ("0.005", Some(1)),
            ("-9", Some(-900)),
            ("", None),
            ("abc", None),
            ("1.2.3", None),
        ];
        for (s, want) in table {
            assert_eq!(parse_money(s), want, "{s}");
        }
        assert_eq!(fmt_money(2199), "21.99");
        assert_eq!(fmt_money(-900), "-9.00");
        assert_eq!(fmt_money(5), "0.05");
    }

    #[test]
    fn rfc3986_encoding_keeps_only_unreserved_characters() {
        assert_eq!(pct("a b&c=d~e"), "a%20b%26c%3Dd~e");
        assert_eq!(pct("http://x/y"), "http%3A%2F%2Fx%2Fy");
    }

    #[test]
    fn field_kinds_reject_wrong_json_types() {
        assert!(coerce("regular_price", Kind::Money, &json!(10.5)).is_err());
        assert_eq!(coerce("regular_price", Kind::Money, &json!("10.5")).unwrap(), json!("10.50"));
        assert_eq!(coerce("stock_quantity", Kind::OptInt, &json!("7")).unwrap(), json!(7));
        assert!(coerce("manage_stock", Kind::Bool, &json!("maybe")).is_err());
        let e = coerce("status", Kind::Enum(&["a", "b"]), &json!("c")).unwrap_err();
        assert_eq!(e.code, "rest_invalid_param");
    }
}

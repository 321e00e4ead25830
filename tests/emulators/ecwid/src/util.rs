//! Small value types and helpers: Ecwid dates, money, query parameters and the error body.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

/// An Ecwid error: HTTP status plus the optional `{errorMessage, errorCode}` body.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub code: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), code: None }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "errorMessage": self.message });
        if let Some(code) = self.code {
            body["errorCode"] = json!(code);
        }
        emulator_kit::json_status(self.status, body)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Ecwid's date format, always UTC: `2014-07-30 10:32:37 +0000`.
pub fn format_date(ts: i64) -> String {
    let (y, m, d) = civil_from_days(ts.div_euclid(86_400));
    let s = ts.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} +0000", s / 3600, s / 60 % 60, s % 60)
}

/// Parses the date inputs Ecwid accepts: a UNIX timestamp, `yyyy-MM-dd HH:mm:ss Z`,
/// `yyyy-MM-dd HH:mm:ss` or `yyyy-MM-dd` (UTC).
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<i64>() {
        return Some(ts);
    }
    let (date, rest) = s.split_at(s.find(' ').unwrap_or(s.len()));
    let mut dp = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (dp.next()??, dp.next()??, dp.next()??);
    if dp.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ts = days_from_civil(y, m, d) * 86_400;
    let rest = rest.trim();
    if rest.is_empty() {
        return Some(ts);
    }
    let (time, zone) = rest.split_at(rest.find(' ').unwrap_or(rest.len()));
    let mut tp = time.split(':').map(|p| p.parse::<i64>().ok());
    ts += tp.next()?? * 3600 + tp.next()?? * 60 + tp.next()??;
    let zone = zone.trim();
    if !zone.is_empty() {
        let sign = match zone.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let digits = &zone[1..];
        if digits.len() != 4 {
            return None;
        }
        let hh: i64 = digits[..2].parse().ok()?;
        let mm: i64 = digits[2..].parse().ok()?;
        ts -= sign * (hh * 3600 + mm * 60);
    }
    Some(ts)
}

/// An amount of money in 1/10000 of the currency unit. Ecwid sends money as JSON numbers; this
/// keeps the emulator's arithmetic (order totals) exact and renders back the number the client sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(pub i64);

impl Money {
    pub fn from_f64(v: f64) -> Self {
        Money((v * 10_000.0).round() as i64)
    }
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 10_000.0
    }
    pub fn times(self, qty: i64) -> Money {
        Money(self.0 * qty)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 10_000 == 0 { s.serialize_i64(self.0 / 10_000) } else { s.serialize_f64(self.as_f64()) }
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        f64::deserialize(d).map(Money::from_f64)
    }
}

/// Query parameters of one request.
pub type Params = HashMap<String, String>;

fn wrong(name: &str, v: &str, expected: &str) -> ApiError {
    ApiError::bad_request(format!("Wrong parameter '{name}' value: '{v}', expected {expected}"))
}

pub fn param_u64(p: &Params, name: &str) -> ApiResult<Option<u64>> {
    p.get(name).filter(|v| !v.is_empty()).map(|v| v.parse().map_err(|_| wrong(name, v, "a number"))).transpose()
}

pub fn param_bool(p: &Params, name: &str) -> ApiResult<Option<bool>> {
    p.get(name)
        .filter(|v| !v.is_empty())
        .map(|v| match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => Err(wrong(name, v, "one of 'true', 'false', 'yes', 'no', 'on', 'off', '1', '0'")),
        })
        .transpose()
}

pub fn param_date(p: &Params, name: &str) -> ApiResult<Option<i64>> {
    p.get(name)
        .filter(|v| !v.is_empty())
        .map(|v| parse_date(v).ok_or_else(|| wrong(name, v, "a UNIX timestamp or a date")))
        .transpose()
}

/// Comma-separated list parameter (`productId=1,2`, `paymentStatus=PAID,AWAITING_PAYMENT`).
pub fn param_list(p: &Params, name: &str) -> Option<Vec<String>> {
    p.get(name)
        .filter(|v| !v.is_empty())
        .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
}

/// Maximum `limit` on every Ecwid list endpoint.
pub const MAX_LIMIT: u64 = 100;

/// `offset`/`limit` paging: `limit` above 100 is capped at 100 (assumption, see README).
pub fn page(p: &Params, default_limit: u64) -> ApiResult<(usize, usize)> {
    let offset = param_u64(p, "offset")?.unwrap_or(0);
    let limit = param_u64(p, "limit")?.unwrap_or(default_limit).min(MAX_LIMIT);
    Ok((offset as usize, limit as usize))
}

/// The `{total, count, offset, limit, items}` envelope of every Ecwid search.
pub fn envelope(all: Vec<Value>, offset: usize, limit: usize) -> Value {
    let total = all.len();
    let items: Vec<Value> = all.into_iter().skip(offset).take(limit).collect();
    json!({ "total": total, "count": items.len(), "offset": offset, "limit": limit, "items": items })
}

/// Parses a request body as a JSON object.
pub fn body_object(body: &[u8]) -> ApiResult<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad_request("Request body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(format!("Request body is malformed: {e}"))),
    }
}

/// Typed field readers for partial updates: absent => `Ok(None)`, wrong type => 400.
pub mod field {
    use super::*;

    fn bad(name: &str, t: &str) -> ApiError {
        ApiError::bad_request(format!("Field '{name}' must be {t}"))
    }
    pub fn str(m: &Map<String, Value>, name: &str) -> ApiResult<Option<String>> {
        match m.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(name, "a string")),
        }
    }
    pub fn f64(m: &Map<String, Value>, name: &str) -> ApiResult<Option<f64>> {
        match m.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| bad(name, "a number")),
        }
    }
    pub fn money(m: &Map<String, Value>, name: &str) -> ApiResult<Option<Money>> {
        Ok(f64(m, name)?.map(Money::from_f64))
    }
    pub fn int(m: &Map<String, Value>, name: &str) -> ApiResult<Option<i64>> {
        match m.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_i64()
                .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .map(Some)
                .ok_or_else(|| bad(name, "an integer")),
        }
    }
    pub fn bool(m: &Map<String, Value>, name: &str) -> ApiResult<Option<bool>> {
        match m.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(bad(name, "a boolean")),
        }
    }
    pub fn ids(m: &Map<String, Value>, name: &str) -> ApiResult<Option<Vec<u64>>> {
        match m.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| v.as_u64().ok_or_else(|| bad(name, "an array of ids")))
                .collect::<ApiResult<Vec<u64>>>()
                .map(Some),
            Some(_) => Err(bad(name, "an array of ids")),
        }
    }
    pub fn translations(m: &Map<String, Value>, name: &str) -> ApiResult<Option<Map<String, Value>>> {
        match m.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(o)) if o.values().all(Value::is_string) => Ok(Some(o.clone())),
            Some(_) => Err(bad(name, "an object of language => text")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_in_ecwid_format() {
        assert_eq!(format_date(1_406_716_357), "2014-07-30 10:32:37 +0000");
        for s in ["1406716357", "2014-07-30 10:32:37 +0000", "2014-07-30 12:32:37 +0200", "2014-07-30 10:32:37"] {
            assert_eq!(parse_date(s), Some(1_406_716_357), "{s}");
        }
        assert_eq!(parse_date("2015-04-22"), Some(1_429_660_800));
        assert_eq!(parse_date("22/04/2015"), None);
    }

    #[test]
    fn money_renders_integers_without_fraction() {
        assert_eq!(serde_json::to_string(&Money::from_f64(20.99)).unwrap(), "20.99");
        assert_eq!(serde_json::to_string(&Money::from_f64(10.0)).unwrap(), "10");
        assert_eq!(Money::from_f64(15.0).times(2), Money::from_f64(30.0));
    }

    #[test]
    fn limit_is_capped_at_100_and_bad_numbers_are_400() {
        let mut p = Params::new();
        p.insert("limit".into(), "500".into());
        assert_eq!(page(&p, 10).unwrap(), (0, 100));
        p.insert("offset".into(), "x".into());
        assert_eq!(page(&p, 10).unwrap_err().status, StatusCode::BAD_REQUEST);
    }
}

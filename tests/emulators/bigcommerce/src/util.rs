//! Wire-format helpers shared by the handlers: error bodies, v3 envelopes and paging, v2 money
//! and dates, query and body parsing.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The `type` link every v3 error body carries.
pub const ERROR_TYPE: &str = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes";

/// Query string as a map (`id:in`, `sku:in`... are plain keys).
pub type Query = BTreeMap<String, String>;

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// A v3 error: `{status, title, type, errors}`.
pub fn v3_error(status: StatusCode, title: &str, errors: Value) -> Response {
    let body = json!({ "status": status.as_u16(), "title": title, "type": ERROR_TYPE, "errors": errors });
    (status, axum::Json(body)).into_response()
}

/// Like [`v3_error`] with `Content-Type: application/problem+json` (the Inventory API's form).
pub fn problem(status: StatusCode, title: &str, errors: Value) -> Response {
    let body = json!({ "status": status.as_u16(), "title": title, "type": ERROR_TYPE, "errors": errors });
    (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
}

/// A v2 error: a bare array of `{status, message}`.
pub fn v2_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!([{ "status": status.as_u16(), "message": message }]))).into_response()
}

pub fn not_found_v3() -> Response {
    v3_error(StatusCode::NOT_FOUND, "The requested resource was not found.", json!({}))
}

/// 413 for a batch above its documented maximum.
pub fn too_many_items(max: usize) -> Response {
    v3_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("The request payload is too large. The maximum items allowed in the array is {max}."),
        json!({}),
    )
}

/// `{data, meta:{}}`.
pub fn v3_single(data: Value) -> Response {
    axum::Json(json!({ "data": data, "meta": {} })).into_response()
}

/// `page`/`limit` from a query (`limit` default 50).
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: usize,
    pub limit: usize,
}

impl Paging {
    /// Parses paging; a `limit` above `max` is a 413, as the platform answers.
    pub fn parse(q: &Query, max: usize) -> Result<Self, Response> {
        let page = q.get("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).max(1);
        let limit = q.get("limit").and_then(|p| p.parse::<usize>().ok()).unwrap_or(50).max(1);
        if limit > max {
            return Err(v3_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("The limit parameter exceeded the maximum of {max}."),
                json!({}),
            ));
        }
        Ok(Self { page, limit })
    }

    pub fn slice<T: Clone>(&self, items: &[T]) -> Vec<T> {
        items.iter().skip((self.page - 1) * self.limit).take(self.limit).cloned().collect()
    }
}

/// A v3 list envelope with `meta.pagination`; `items` is the whole filtered list.
pub fn v3_list(items: Vec<Value>, p: Paging) -> Response {
    let total = items.len();
    let page = p.slice(&items);
    let total_pages = total.div_ceil(p.limit).max(1);
    let mut links = serde_json::Map::new();
    if p.page > 1 {
        links.insert("previous".into(), json!(format!("?page={}&limit={}", p.page - 1, p.limit)));
    }
    links.insert("current".into(), json!(format!("?page={}&limit={}", p.page, p.limit)));
    if p.page < total_pages {
        links.insert("next".into(), json!(format!("?page={}&limit={}", p.page + 1, p.limit)));
    }
    let count = page.len();
    axum::Json(json!({
        "data": page,
        "meta": { "pagination": {
            "total": total, "count": count, "per_page": p.limit, "current_page": p.page,
            "total_pages": total_pages, "links": links,
        }},
    }))
    .into_response()
}

/// A v2 collection: a bare array, or `204 No Content` when empty and so configured.
pub fn v2_list(items: Vec<Value>, empty_as_204: bool) -> Response {
    if items.is_empty() && empty_as_204 {
        return StatusCode::NO_CONTENT.into_response();
    }
    axum::Json(Value::Array(items)).into_response()
}

/// Parses a JSON body, answering 400 like the platform when it is not JSON.
pub fn parse_body(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|e| {
        v3_error(StatusCode::BAD_REQUEST, "The request body is not valid JSON.", json!({ "body": e.to_string() }))
    })
}

/// Comma-separated ids from `key` (e.g. `id:in=1,2`), or `None` when absent.
pub fn id_list(q: &Query, key: &str) -> Option<Vec<u64>> {
    q.get(key).map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
}

/// Comma-separated strings from `key`, lower-cased (for case-insensitive SKU and email filters).
pub fn str_list_lower(q: &Query, key: &str) -> Option<Vec<String>> {
    q.get(key).map(|v| v.split(',').map(|s| s.trim().to_lowercase()).collect())
}

/// Money in ten-thousandths (v2 keeps 4 decimals) rendered as `"12.3400"`.
pub fn money4(units: i64) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let a = units.unsigned_abs();
    format!("{sign}{}.{:04}", a / 10_000, a % 10_000)
}

/// A JSON number or numeric string to ten-thousandths, rounding half away from zero.
pub fn to_units(v: &Value) -> Option<i64> {
    let f = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    Some((f * 10_000.0).round() as i64)
}

/// Ten-thousandths to a float for v3 bodies (which carry money as JSON numbers).
pub fn units_f64(units: i64) -> f64 {
    units as f64 / 10_000.0
}

/// Days since 1970-01-01 to (year, month, day) (Howard Hinnant's civil-from-days algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// RFC 2822 in UTC as v2 writes it: `Wed, 10 Jan 2018 21:05:30 +0000`.
pub fn rfc2822(ts: i64) -> String {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    let wd = WEEKDAYS[days.rem_euclid(7) as usize];
    format!(
        "{wd}, {d:02} {} {y} {:02}:{:02}:{:02} +0000",
        MONTHS[m as usize - 1],
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// ISO 8601 as v3 writes it: `2018-01-10T21:05:30+00:00`.
pub fn iso8601(ts: i64) -> String {
    let (y, m, d) = civil(ts.div_euclid(86_400));
    let secs = ts.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Parses the date forms filters accept: unix seconds, ISO 8601 (`2018-01-10`,
/// `2018-01-10T21:05:30Z`, `...+00:00`) and RFC 2822 in UTC. Offsets other than UTC are applied.
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    if s.len() >= 10 && s.as_bytes()[4] == b'-' {
        let y: i64 = s.get(0..4)?.parse().ok()?;
        let m: u32 = s.get(5..7)?.parse().ok()?;
        let d: u32 = s.get(8..10)?.parse().ok()?;
        let mut ts = days_from_civil(y, m, d) * 86_400;
        if s.len() >= 19 {
            let hh: i64 = s.get(11..13)?.parse().ok()?;
            let mm: i64 = s.get(14..16)?.parse().ok()?;
            let ss: i64 = s.get(17..19)?.parse().ok()?;
            ts += hh * 3600 + mm * 60 + ss;
            ts -= offset_secs(s.get(19..).unwrap_or(""))?;
        }
        return Some(ts);
    }
    // RFC 2822: "Wed, 10 Jan 2018 21:05:30 +0000"
    let rest = s.split_once(", ").map(|(_, r)| r).unwrap_or(s);
    let parts: Vec<&str> = rest.split_whitespace().collect();
    if parts.len() < 4 {
        return None;
    }
    let d: u32 = parts[0].parse().ok()?;
    let m = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(parts[1]))? as u32 + 1;
    let y: i64 = parts[2].parse().ok()?;
    let hms: Vec<i64> = parts[3].split(':').filter_map(|x| x.parse().ok()).collect();
    if hms.len() != 3 {
        return None;
    }
    let off = offset_secs(parts.get(4).copied().unwrap_or("+0000"))?;
    Some(days_from_civil(y, m, d) * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2] - off)
}

/// `Z`, `+hh:mm`, `+hhmm`, `GMT` or empty to seconds east of UTC. Fractional seconds are skipped.
fn offset_secs(s: &str) -> Option<i64> {
    let s = s.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    if s.is_empty() || s == "Z" || s == "GMT" || s == "UT" {
        return Some(0);
    }
    let sign = match s.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() != 4 {
        return None;
    }
    let h: i64 = digits[0..2].parse().ok()?;
    let m: i64 = digits[2..4].parse().ok()?;
    Some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_in_both_wire_forms() {
        // 2018-01-10T21:05:30Z, the example in the orders guide
        let ts = 1_515_618_330;
        assert_eq!(rfc2822(ts), "Wed, 10 Jan 2018 21:05:30 +0000");
        assert_eq!(iso8601(ts), "2018-01-10T21:05:30+00:00");
        assert_eq!(parse_date(&rfc2822(ts)), Some(ts));
        assert_eq!(parse_date(&iso8601(ts)), Some(ts));
        assert_eq!(parse_date("2018-01-10T22:05:30+01:00"), Some(ts));
        assert_eq!(parse_date("2018-01-10"), Some(ts - 21 * 3600 - 5 * 60 - 30));
        assert_eq!(parse_date("1515618330"), Some(ts));
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn money_has_four_decimals() {
        assert_eq!(money4(3_363_200), "336.3200");
        assert_eq!(money4(-5), "-0.0005");
        assert_eq!(to_units(&json!("12.5")), Some(125_000));
        assert_eq!(to_units(&json!(0.1)), Some(1_000));
    }
}

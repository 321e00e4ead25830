//! Query-string access and WordPress collection paging (`page`, `per_page`, `offset`,
//! `X-WP-Total`, `X-WP-TotalPages`, `Link`).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::util::{WcError, WcResult};

/// Decoded query parameters, in request order.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()).into_owned().collect();
        Self { pairs }
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    pub fn set(&mut self, k: &str, v: &str) {
        self.pairs.retain(|(n, _)| n != k);
        self.pairs.push((k.into(), v.into()));
    }

    /// `true` when `force=true|1` (WP's boolean coercion).
    pub fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("true" | "1"))
    }

    /// An id list given as `k=1,2` or `k[]=1&k[]=2`.
    pub fn ids(&self, k: &str) -> WcResult<Vec<u64>> {
        let arr = format!("{k}[]");
        let mut out = vec![];
        for (n, v) in &self.pairs {
            if n == k || *n == arr {
                for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    out.push(
                        part.parse()
                            .map_err(|_| WcError::invalid_param(k, &format!("{k}[0] is not of type integer.")))?,
                    );
                }
            }
        }
        Ok(out)
    }

    fn int(&self, k: &str, default: i64) -> WcResult<i64> {
        match self.get(k) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| WcError::invalid_param(k, &format!("{k} is not of type integer."))),
        }
    }
}

/// Slices `items` by the paging parameters and answers with WP's paging headers.
/// `path` is the request path; `Link` URLs reuse the request's query string with `page` replaced.
pub fn paginate(items: Vec<Value>, q: &Query, site: &str, path: &str, default_per_page: i64) -> WcResult<Response> {
    let per_page = q.int("per_page", default_per_page)?;
    if !(1..=100).contains(&per_page) {
        return Err(WcError::invalid_param("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)"));
    }
    let page = q.int("page", 1)?;
    if page < 1 {
        return Err(WcError::invalid_param("page", "page must be greater than or equal to 1"));
    }
    let offset = match q.get("offset") {
        Some(_) => q.int("offset", 0)?.max(0),
        None => (page - 1) * per_page,
    };
    let total = items.len() as i64;
    let pages = (total + per_page - 1) / per_page;
    let slice: Vec<Value> = items.into_iter().skip(offset as usize).take(per_page as usize).collect();

    let link_for = |p: i64| {
        let mut q2 = q.clone();
        q2.set("page", &p.to_string());
        let qs: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(q2.pairs.iter()).finish();
        format!("<{site}{path}?{qs}>")
    };
    let mut links = vec![];
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", link_for(1)));
        links.push(format!("{}; rel=\"prev\"", link_for((page - 1).min(pages.max(1)))));
    }
    if page < pages {
        links.push(format!("{}; rel=\"next\"", link_for(page + 1)));
        links.push(format!("{}; rel=\"last\"", link_for(pages)));
    }
    let mut resp = (StatusCode::OK, axum::Json(Value::Array(slice))).into_response();
    let h = resp.headers_mut();
    h.insert("X-WP-Total", HeaderValue::from(total));
    h.insert("X-WP-TotalPages", HeaderValue::from(pages));
    if !links.is_empty()
        && let Ok(v) = HeaderValue::from_str(&links.join(", "))
    {
        h.insert("Link", v);
    }
    Ok(resp)
}

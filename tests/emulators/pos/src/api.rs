//! `/api/v1` handlers: parse, call the store, map the result.
//!
//! Lists use the ABP-style envelope seen in client code: `{totalCount, items, next}` where `next`
//! is the URL of the following page, absent (null) on the last one (PLATFORM-FACTS §5 "Pagination").

use std::collections::HashMap;
use std::convert::Infallible;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use emulator_kit::lock;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::sales::{SaleOutcome, Status};
use crate::stock::{purchase_order_json, stocktake_json, transfer_json};
use crate::store::{
    Mode, Subscription, closure_json, customer_json, named_json, outlet_json, payment_type_json, register_json,
    settings_json, subscription_json, tax_json,
};
use crate::values::{now_unix, parse_datetime};

/// Query parameters (keys lower-cased: Hike clients send both `skip_count` and `Skip_count`)
/// and the request's own URL, to build `next` links.
pub struct Ctx {
    q: HashMap<String, String>,
    pairs: Vec<(String, String)>,
    base: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()).into_owned().collect();
        let q = pairs.iter().map(|(k, v)| (k.to_lowercase(), v.clone())).collect();
        let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
        Ok(Ctx { q, pairs, base: format!("http://{host}{}", parts.uri.path()) })
    }
}

impl Ctx {
    fn get(&self, key: &str) -> Option<&str> {
        self.q.get(key).map(String::as_str).filter(|s| !s.is_empty())
    }

    fn int(&self, key: &str) -> ApiResult<Option<i64>> {
        self.get(key).map(|v| v.parse().map_err(|_| ApiError::invalid(format!("{key} must be an integer")))).transpose()
    }

    fn date(&self, key: &str) -> ApiResult<Option<i64>> {
        self.get(key)
            .map(|v| parse_datetime(v).ok_or_else(|| ApiError::invalid(format!("{key} must be an ISO 8601 date"))))
            .transpose()
    }

    fn page_size(&self, st: &AppState) -> ApiResult<usize> {
        let size = self.int("page_size")?.unwrap_or(st.cfg.default_page_size as i64);
        if size < 1 || size as usize > st.cfg.max_page_size {
            return Err(ApiError::invalid(format!("page_size must be between 1 and {}", st.cfg.max_page_size)));
        }
        Ok(size as usize)
    }

    /// URL of the same request with other paging parameters.
    fn link(&self, replace: &[(&str, String)]) -> String {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            if !replace.iter().any(|(r, _)| r.eq_ignore_ascii_case(k)) {
                ser.append_pair(k, v);
            }
        }
        for (k, v) in replace {
            ser.append_pair(k, v);
        }
        format!("{}?{}", self.base, ser.finish())
    }

    /// One page of `items` (already filtered and ordered).
    fn paged(&self, st: &AppState, items: Vec<Value>) -> ApiResult<Json<Value>> {
        let size = self.page_size(st)?;
        let skip = self.int("skip_count")?.unwrap_or(0);
        if skip < 0 {
            return Err(ApiError::invalid("skip_count must not be negative"));
        }
        let skip = skip as usize;
        let total = items.len();
        let next = (skip + size < total)
            .then(|| self.link(&[("page_size", size.to_string()), ("skip_count", (skip + size).to_string())]));
        let page: Vec<Value> = items.into_iter().skip(skip).take(size).collect();
        Ok(Json(json!({ "totalCount": total, "items": page, "next": next })))
    }
}

pub fn parse<T: DeserializeOwned>(body: &Bytes) -> ApiResult<T> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
    serde_json::from_slice(body).map_err(|e| ApiError::invalid(format!("invalid request body: {e}")))
}

type Res = ApiResult<Json<Value>>;

// ----- store, outlets, registers -----

pub async fn store_get(State(st): State<AppState>) -> Res {
    Ok(Json(settings_json(&lock(&st.store).settings)))
}

pub async fn outlets_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    let items = lock(&st.store).outlets.values().map(outlet_json).collect();
    ctx.paged(&st, items)
}

pub async fn registers_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    let outlet = ctx.int("outlet_id")?;
    let items = lock(&st.store)
        .registers
        .values()
        .filter(|r| outlet.is_none_or(|o| r.outlet_id == o))
        .map(register_json)
        .collect();
    ctx.paged(&st, items)
}

pub async fn register_open(State(st): State<AppState>, Path(id): Path<i64>) -> Res {
    lock(&st.store).open_register(id, "manual").map(Json)
}

pub async fn register_close(State(st): State<AppState>, Path(id): Path<i64>) -> Res {
    lock(&st.store).close_register(id).map(Json)
}

pub async fn closures_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    let (from, to) = (ctx.date("closure_range_from")?, ctx.date("closure_range_to")?);
    let register = ctx.int("register_id")?;
    let items = lock(&st.store)
        .closures
        .iter()
        .filter(|c| from.is_none_or(|f| c.closed_at >= f) && to.is_none_or(|t| c.closed_at <= t))
        .filter(|c| register.is_none_or(|r| c.register_id == r))
        .map(closure_json)
        .collect();
    ctx.paged(&st, items)
}

// ----- catalog -----

pub async fn products_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    let filter = ctx.get("filter").map(str::to_string);
    let items = {
        let s = lock(&st.store);
        s.products
            .values()
            .filter(|p| filter.as_deref().is_none_or(|f| p.matches_filter(f)))
            .map(|p| s.product_json(p))
            .collect()
    };
    ctx.paged(&st, items)
}

pub async fn product_get(State(st): State<AppState>, Path(id): Path<i64>) -> Res {
    let s = lock(&st.store);
    let p = s.products.get(&id).ok_or_else(|| ApiError::not_found("product", id))?;
    Ok(Json(s.product_json(p)))
}

pub async fn product_by_sku(State(st): State<AppState>, ctx: Ctx) -> Res {
    let sku = ctx.get("sku").ok_or_else(|| ApiError::invalid("sku is required"))?;
    let s = lock(&st.store);
    let p =
        s.products.values().find(|p| p.matches_sku(sku)).ok_or_else(|| ApiError::not_found("product with sku", sku))?;
    Ok(Json(s.product_json(p)))
}

pub async fn product_create(State(st): State<AppState>, body: Bytes) -> Res {
    let input = parse(&body)?;
    lock(&st.store).upsert_product(input, Mode::Api).map(|(v, _)| Json(v))
}

pub async fn product_delete(State(st): State<AppState>, Path(id): Path<i64>) -> Res {
    lock(&st.store).delete_product(id).map(Json)
}

fn named_list(st: &AppState, ctx: &Ctx, kind: &'static str) -> Res {
    let items = lock(&st.store).named_map(kind).values().map(named_json).collect();
    ctx.paged(st, items)
}

fn named_create(st: &AppState, body: &Bytes, kind: &'static str) -> Res {
    let input = parse(body)?;
    lock(&st.store).upsert_named(kind, input, Mode::Api).map(Json)
}

pub async fn product_types_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    named_list(&st, &ctx, "product_type")
}

pub async fn product_type_create(State(st): State<AppState>, body: Bytes) -> Res {
    named_create(&st, &body, "product_type")
}

pub async fn brands_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    named_list(&st, &ctx, "brand")
}

pub async fn brand_create(State(st): State<AppState>, body: Bytes) -> Res {
    named_create(&st, &body, "brand")
}

pub async fn customer_groups_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    named_list(&st, &ctx, "customer_group")
}

pub async fn customer_group_create(State(st): State<AppState>, body: Bytes) -> Res {
    named_create(&st, &body, "customer_group")
}

// ----- customers, taxes, payment types -----

pub async fn customers_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    let filter = ctx.get("filter").map(str::to_lowercase);
    let items = lock(&st.store)
        .customers
        .values()
        .filter(|c| {
            filter.as_deref().is_none_or(|f| {
                [Some(&c.first_name), Some(&c.last_name), c.email.as_ref(), c.phone.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|v| v.to_lowercase().contains(f))
            })
        })
        .map(customer_json)
        .collect();
    ctx.paged(&st, items)
}

pub async fn customer_get(State(st): State<AppState>, Path(id): Path<i64>) -> Res {
    let s = lock(&st.store);
    s.customers.get(&id).map(|c| Json(customer_json(c))).ok_or_else(|| ApiError::not_found("customer", id))
}

pub async fn customer_create(State(st): State<AppState>, body: Bytes) -> Res {
    let input = parse(&body)?;
    lock(&st.store).upsert_customer(input, Mode::Api).map(Json)
}

pub async fn taxes_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    let items = {
        let s = lock(&st.store);
        s.taxes.values().map(|t| tax_json(t, s.settings.default_tax_id)).collect()
    };
    ctx.paged(&st, items)
}

pub async fn payment_types_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    let items = lock(&st.store).payment_types.values().map(payment_type_json).collect();
    ctx.paged(&st, items)
}

// ----- sales -----

/// `invoice_range_from|to` bound the transaction date (ISO 8601, inclusive), as the observed
/// client sends `toISOString()` values; `Sorting=transactionDate [desc]`; optional `status`,
/// `outlet_id`.
pub async fn sales_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    let (from, to) = (ctx.date("invoice_range_from")?, ctx.date("invoice_range_to")?);
    let status = ctx.get("status").map(Status::parse).transpose()?;
    let outlet = ctx.int("outlet_id")?;
    let sorting = ctx.get("sorting").unwrap_or("id").to_lowercase();
    let items = {
        let s = lock(&st.store);
        let mut sales: Vec<_> = s
            .sales
            .values()
            .filter(|x| from.is_none_or(|f| x.transaction_date >= f) && to.is_none_or(|t| x.transaction_date <= t))
            .filter(|x| status.is_none_or(|st| x.status == st) && outlet.is_none_or(|o| x.outlet_id == o))
            .collect();
        if sorting.starts_with("transactiondate") {
            sales.sort_by_key(|x| (x.transaction_date, x.id));
        }
        if sorting.ends_with(" desc") {
            sales.reverse();
        }
        sales.into_iter().map(|x| s.sale_json(x)).collect()
    };
    ctx.paged(&st, items)
}

pub async fn sale_get(State(st): State<AppState>, Path(id): Path<i64>) -> Res {
    let s = lock(&st.store);
    s.sales.get(&id).map(|x| Json(s.sale_json(x))).ok_or_else(|| ApiError::not_found("sale", id))
}

/// A repeated `external_reference` answers with the existing sale and
/// `X-Pos-Idempotent-Replay: true`.
pub async fn sale_create(State(st): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let input = parse(&body)?;
    let (v, outcome) = lock(&st.store).upsert_sale(input)?;
    let mut resp = Json(v).into_response();
    if outcome == SaleOutcome::Replayed {
        resp.headers_mut().insert("x-pos-idempotent-replay", HeaderValue::from_static("true"));
    }
    Ok(resp)
}

pub async fn sale_update_serials(State(st): State<AppState>, Path(id): Path<i64>, body: Bytes) -> Res {
    let input = parse(&body)?;
    lock(&st.store).update_serial_numbers(id, input).map(Json)
}

// ----- stock documents -----

pub async fn purchase_orders_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    let items = lock(&st.store).purchase_orders.values().map(purchase_order_json).collect();
    ctx.paged(&st, items)
}

pub async fn purchase_order_create(State(st): State<AppState>, body: Bytes) -> Res {
    let input = parse(&body)?;
    lock(&st.store).create_purchase_order(input).map(Json)
}

pub async fn purchase_order_receive(State(st): State<AppState>, Path(id): Path<i64>) -> Res {
    lock(&st.store).receive_purchase_order(id).map(Json)
}

pub async fn stocktakes_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    let items = lock(&st.store).stocktakes.values().map(stocktake_json).collect();
    ctx.paged(&st, items)
}

pub async fn stocktake_create(State(st): State<AppState>, body: Bytes) -> Res {
    let input = parse(&body)?;
    lock(&st.store).create_stocktake(input).map(Json)
}

pub async fn transfers_get_all(State(st): State<AppState>, ctx: Ctx) -> Res {
    let items = lock(&st.store).transfers.values().map(transfer_json).collect();
    ctx.paged(&st, items)
}

pub async fn transfer_create(State(st): State<AppState>, body: Bytes) -> Res {
    let input = parse(&body)?;
    lock(&st.store).create_transfer(input).map(Json)
}

// ----- events and webhooks -----

/// `GET /events?since=<cursor>&page_size=N`: the change log after a cursor, oldest first, with
/// `cursor` = the last id returned (pass it as the next `since`). 410 when the cursor is older
/// than the retained log.
pub async fn events_get(State(st): State<AppState>, ctx: Ctx) -> Res {
    let since = ctx.int("since")?.unwrap_or(0);
    if since < 0 {
        return Err(ApiError::invalid("since must not be negative"));
    }
    let size = ctx.page_size(&st)?;
    let s = lock(&st.store);
    let (items, total) = s.events_since(since as u64, size)?;
    let cursor = items.last().map(|e| e.id).unwrap_or(since as u64);
    let next =
        (total > items.len()).then(|| ctx.link(&[("page_size", size.to_string()), ("since", cursor.to_string())]));
    let items: Vec<Value> = items.iter().map(|e| e.to_json()).collect();
    Ok(Json(json!({ "totalCount": total, "items": items, "next": next, "cursor": cursor })))
}

#[derive(Debug, Deserialize)]
struct SubscribeInput {
    url: Option<String>,
    events: Option<Vec<String>>,
}

/// `POST /webhooks {url, events?}` → 201 with the subscription and its signing `secret`
/// (shown only here).
pub async fn webhook_create(State(st): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let input: SubscribeInput = parse(&body)?;
    let url = input.url.unwrap_or_default();
    let ok = url::Url::parse(&url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !ok {
        return Err(ApiError::invalid("url must be an absolute http(s) URL"));
    }
    let events = input.events.filter(|e| !e.is_empty()).unwrap_or_else(|| vec!["*".into()]);
    let mut s = lock(&st.store);
    let id = s.next_id("webhook");
    let sub = Subscription {
        id,
        url,
        events,
        secret: format!("whsec_{}", hex::encode(rand::random::<[u8; 24]>())),
        created_at: now_unix(),
    };
    let out = subscription_json(&sub, true);
    s.subscriptions.insert(id, sub);
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

pub async fn webhooks_get(State(st): State<AppState>, ctx: Ctx) -> Res {
    let items = lock(&st.store).subscriptions.values().map(|s| subscription_json(s, false)).collect();
    ctx.paged(&st, items)
}

pub async fn webhook_delete(State(st): State<AppState>, Path(id): Path<i64>) -> Res {
    lock(&st.store)
        .subscriptions
        .remove(&id)
        .map(|_| Json(json!({ "id": id, "deleted": true })))
        .ok_or_else(|| ApiError::not_found("webhook", id))
}

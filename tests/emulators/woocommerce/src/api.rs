//! The `/wp-json/wc/v3` routes: one generic set of CRUD + batch handlers dispatching on [`Res`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use crate::catalog::{self, Taxonomy};
use crate::listing::{Query, paginate};
use crate::sales;
use crate::settings;
use crate::state::{App, Event, Store};
use crate::util::{WcError, WcResult};
use crate::webhooks;

pub const PREFIX: &str = "/wp-json/wc/v3";

/// A REST collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Res {
    Products,
    Variations,
    Categories,
    Tags,
    Attributes,
    Terms,
    Customers,
    Orders,
    Refunds,
    Taxes,
    Webhooks,
}

impl Res {
    /// Collection path; nested collections take the owner id.
    pub fn base(self, parent: u64) -> String {
        match self {
            Res::Products => "/products".into(),
            Res::Variations => format!("/products/{parent}/variations"),
            Res::Categories => "/products/categories".into(),
            Res::Tags => "/products/tags".into(),
            Res::Attributes => "/products/attributes".into(),
            Res::Terms => format!("/products/attributes/{parent}/terms"),
            Res::Customers => "/customers".into(),
            Res::Orders => "/orders".into(),
            Res::Refunds => format!("/orders/{parent}/refunds"),
            Res::Taxes => "/taxes".into(),
            Res::Webhooks => "/webhooks".into(),
        }
    }

    fn nested(self) -> bool {
        matches!(self, Res::Variations | Res::Terms | Res::Refunds)
    }

    fn route(self) -> &'static str {
        match self {
            Res::Products => "/products",
            Res::Variations => "/products/{id}/variations",
            Res::Categories => "/products/categories",
            Res::Tags => "/products/tags",
            Res::Attributes => "/products/attributes",
            Res::Terms => "/products/attributes/{id}/terms",
            Res::Customers => "/customers",
            Res::Orders => "/orders",
            Res::Refunds => "/orders/{id}/refunds",
            Res::Taxes => "/taxes",
            Res::Webhooks => "/webhooks",
        }
    }

    /// Looks a collection up by its seed/state name (`products`, `categories`, …).
    pub fn by_name(name: &str) -> Option<Self> {
        Some(match name {
            "products" => Res::Products,
            "variations" => Res::Variations,
            "categories" => Res::Categories,
            "tags" => Res::Tags,
            "attributes" => Res::Attributes,
            "terms" => Res::Terms,
            "customers" => Res::Customers,
            "orders" => Res::Orders,
            "refunds" => Res::Refunds,
            "taxes" => Res::Taxes,
            "webhooks" => Res::Webhooks,
            _ => return None,
        })
    }
}

type Out = WcResult<(Value, Vec<Event>)>;

fn quiet(r: WcResult<Value>) -> Out {
    r.map(|v| (v, vec![]))
}

fn term_tax(res: Res, parent: u64) -> Taxonomy {
    match res {
        Res::Categories => Taxonomy::Category,
        Res::Tags => Taxonomy::Tag,
        _ => Taxonomy::Term(parent),
    }
}

pub fn do_create(app: &App, st: &mut Store, res: Res, parent: u64, input: &Map<String, Value>) -> Out {
    match res {
        Res::Products => catalog::create_product(app, st, input),
        Res::Variations => catalog::create_variation(app, st, parent, input),
        Res::Categories | Res::Tags | Res::Terms => quiet(catalog::create_term(app, st, term_tax(res, parent), input)),
        Res::Attributes => quiet(catalog::write_attribute(app, st, None, input)),
        Res::Customers => sales::create_customer(app, st, input),
        Res::Orders => sales::create_order(app, st, input),
        Res::Refunds => sales::create_refund(app, st, parent, input),
        Res::Taxes => quiet(settings::write_tax(app, st, None, input)),
        Res::Webhooks => quiet(webhooks::write(app, st, None, input)),
    }
}

fn do_update(app: &App, st: &mut Store, res: Res, parent: u64, id: u64, input: &Map<String, Value>) -> Out {
    match res {
        Res::Products => catalog::update_product(app, st, id, input),
        Res::Variations => catalog::update_variation(app, st, parent, id, input),
        Res::Categories | Res::Tags | Res::Terms => {
            quiet(catalog::update_term(app, st, term_tax(res, parent), id, input))
        }
        Res::Attributes => quiet(catalog::write_attribute(app, st, Some(id), input)),
        Res::Customers => sales::update_customer(app, st, id, input),
        Res::Orders => sales::update_order(app, st, id, input),
        Res::Refunds => Err(WcError::no_route()),
        Res::Taxes => quiet(settings::write_tax(app, st, Some(id), input)),
        Res::Webhooks => quiet(webhooks::write(app, st, Some(id), input)),
    }
}

fn do_delete(app: &App, st: &mut Store, res: Res, parent: u64, id: u64, force: bool) -> Out {
    match res {
        Res::Products => catalog::delete_product(app, st, id, force),
        Res::Variations => catalog::delete_variation(app, st, parent, id, force),
        Res::Categories | Res::Tags | Res::Terms => {
            quiet(catalog::delete_term(app, st, term_tax(res, parent), id, force))
        }
        Res::Attributes => quiet(catalog::delete_attribute(app, st, id, force)),
        Res::Customers => sales::delete_customer(app, st, id, force),
        Res::Orders => sales::delete_order(app, st, id, force),
        Res::Refunds => sales::delete_refund(app, st, parent, id, force),
        Res::Taxes => quiet(settings::delete_tax(app, st, id, force)),
        Res::Webhooks => quiet(webhooks::delete(app, st, id, force)),
    }
}

pub fn do_get(app: &App, st: &Store, res: Res, parent: u64, id: u64) -> WcResult<Value> {
    match res {
        Res::Products => catalog::get_product(app, st, id),
        Res::Variations => catalog::get_variation(app, st, parent, id),
        Res::Categories | Res::Tags | Res::Terms => catalog::get_term(app, st, term_tax(res, parent), id),
        Res::Attributes => catalog::get_attribute(app, st, id),
        Res::Customers => sales::get_customer(app, st, id),
        Res::Orders => sales::get_order(app, st, id),
        Res::Refunds => sales::get_refund(app, st, parent, id),
        Res::Taxes => settings::get_tax(app, st, id),
        Res::Webhooks => webhooks::get(app, st, id),
    }
}

pub fn do_list(app: &App, st: &Store, res: Res, parent: u64, q: &Query) -> WcResult<Vec<Value>> {
    match res {
        Res::Products => catalog::list_products(app, st, q),
        Res::Variations => catalog::list_variations(app, st, parent, q),
        Res::Categories | Res::Tags | Res::Terms => catalog::list_terms(app, st, term_tax(res, parent), q),
        Res::Attributes => Ok(st.attributes.values().map(|r| catalog::render_attribute(app, r)).collect()),
        Res::Customers => sales::list_customers(app, st, q),
        Res::Orders => sales::list_orders(app, st, q),
        Res::Refunds => sales::list_refunds(app, st, parent, q),
        Res::Taxes => settings::list_taxes(app, st, q),
        Res::Webhooks => webhooks::list(app, st, q),
    }
}

// ---------- request plumbing ----------

fn parse_id(s: Option<&String>) -> WcResult<u64> {
    s.filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse().ok())
        .ok_or_else(WcError::no_route)
}

/// `(parent, id)` from the path; the route's first `{id}` is the owner for nested collections.
fn ids(res: Res, p: &HashMap<String, String>, with_item: bool) -> WcResult<(u64, u64)> {
    if res.nested() {
        let parent = parse_id(p.get("id"))?;
        let id = if with_item { parse_id(p.get("sub"))? } else { 0 };
        Ok((parent, id))
    } else {
        Ok((0, if with_item { parse_id(p.get("id"))? } else { 0 }))
    }
}

/// A JSON object body; an empty body is an empty object (WP reads no parameters).
pub fn body_object(bytes: &[u8]) -> WcResult<Map<String, Value>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(WcError::new(400, "rest_invalid_json", "Invalid JSON body passed.")),
    }
}

fn respond(r: WcResult<Response>) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

fn emit_all(app: &App, st: &Store, events: &[Event]) {
    for e in events {
        app.emit(st, e);
    }
}

async fn list(app: Arc<App>, res: Res, p: HashMap<String, String>, raw: Option<String>) -> Response {
    respond((|| {
        let (parent, _) = ids(res, &p, false)?;
        let q = Query::parse(raw.as_deref());
        let st = app.store();
        let items = do_list(&app, &st, res, parent, &q)?;
        if res == Res::Attributes {
            return Ok(axum::Json(Value::Array(items)).into_response());
        }
        paginate(items, &q, app.site(), &format!("{PREFIX}{}", res.base(parent)), app.cfg.per_page_default)
    })())
}

async fn create(app: Arc<App>, res: Res, p: HashMap<String, String>, body: Bytes) -> Response {
    respond((|| {
        let (parent, _) = ids(res, &p, false)?;
        let input = body_object(&body)?;
        let mut st = app.store();
        let (v, events) = do_create(&app, &mut st, res, parent, &input)?;
        emit_all(&app, &st, &events);
        let id = v.get("id").and_then(Value::as_u64).unwrap_or(0);
        let mut resp = (StatusCode::CREATED, axum::Json(v)).into_response();
        if let Ok(loc) = HeaderValue::from_str(&app.api(&format!("{}/{id}", res.base(parent)))) {
            resp.headers_mut().insert(header::LOCATION, loc);
        }
        Ok(resp)
    })())
}

async fn read(app: Arc<App>, res: Res, p: HashMap<String, String>) -> Response {
    respond((|| {
        let (parent, id) = ids(res, &p, true)?;
        let st = app.store();
        Ok(axum::Json(do_get(&app, &st, res, parent, id)?).into_response())
    })())
}

async fn update(app: Arc<App>, res: Res, p: HashMap<String, String>, body: Bytes) -> Response {
    respond((|| {
        let (parent, id) = ids(res, &p, true)?;
        let input = body_object(&body)?;
        let mut st = app.store();
        let (v, events) = do_update(&app, &mut st, res, parent, id, &input)?;
        emit_all(&app, &st, &events);
        Ok(axum::Json(v).into_response())
    })())
}

async fn delete(app: Arc<App>, res: Res, p: HashMap<String, String>, raw: Option<String>) -> Response {
    respond((|| {
        let (parent, id) = ids(res, &p, true)?;
        let force = Query::parse(raw.as_deref()).flag("force");
        let mut st = app.store();
        let (v, events) = do_delete(&app, &mut st, res, parent, id, force)?;
        emit_all(&app, &st, &events);
        Ok(axum::Json(v).into_response())
    })())
}

fn item_error(id: Value, e: &WcError) -> Value {
    let mut data = Map::new();
    data.insert("status".into(), json!(e.status));
    data.extend(e.extra.clone());
    json!({ "id": id, "error": { "code": e.code, "message": e.message, "data": data } })
}

/// `POST …/batch`: up to `batch_limit` create/update/delete items, answered 200 with per-item results.
async fn batch(app: Arc<App>, res: Res, p: HashMap<String, String>, body: Bytes) -> Response {
    respond((|| {
        let (parent, _) = ids(res, &p, false)?;
        if res == Res::Refunds {
            return Err(WcError::no_route());
        }
        let input = body_object(&body)?;
        let list = |k: &str| input.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
        let (creates, updates, deletes) = (list("create"), list("update"), list("delete"));
        let limit = app.cfg.batch_limit;
        if creates.len() + updates.len() + deletes.len() > limit {
            return Err(WcError::new(
                413,
                "woocommerce_rest_request_entity_too_large",
                &format!("Unable to accept more than {limit} items for this request."),
            ));
        }
        let mut st = app.store();
        let mut out = Map::new();
        let mut events = vec![];
        if input.contains_key("create") {
            let mut done = vec![];
            for item in creates {
                let r = match item.as_object() {
                    Some(m) => do_create(&app, &mut st, res, parent, m),
                    None => Err(WcError::new(400, "rest_invalid_param", "Invalid item.")),
                };
                match r {
                    Ok((v, ev)) => {
                        done.push(v);
                        events.extend(ev);
                    }
                    Err(e) => done.push(item_error(json!(0), &e)),
                }
            }
            out.insert("create".into(), Value::Array(done));
        }
        if input.contains_key("update") {
            let mut done = vec![];
            for item in updates {
                let id_val = item.get("id").cloned().unwrap_or(json!(0));
                let r = match (item.as_object(), crate::util::as_i64(item.get("id"))) {
                    (Some(m), Some(id)) if id > 0 => do_update(&app, &mut st, res, parent, id as u64, m),
                    _ => Err(WcError::new(400, "woocommerce_rest_invalid_id", "Invalid ID.")),
                };
                match r {
                    Ok((v, ev)) => {
                        done.push(v);
                        events.extend(ev);
                    }
                    Err(e) => done.push(item_error(id_val, &e)),
                }
            }
            out.insert("update".into(), Value::Array(done));
        }
        if input.contains_key("delete") {
            let mut done = vec![];
            for item in deletes {
                let r = match crate::util::as_i64(Some(&item)) {
                    Some(id) if id > 0 => do_delete(&app, &mut st, res, parent, id as u64, true),
                    _ => Err(WcError::new(400, "woocommerce_rest_invalid_id", "Invalid ID.")),
                };
                match r {
                    Ok((v, ev)) => {
                        done.push(v);
                        events.extend(ev);
                    }
                    Err(e) => done.push(item_error(item.clone(), &e)),
                }
            }
            out.insert("delete".into(), Value::Array(done));
        }
        emit_all(&app, &st, &events);
        Ok(axum::Json(Value::Object(out)).into_response())
    })())
}

fn crud(r: Router<Arc<App>>, res: Res) -> Router<Arc<App>> {
    let base = format!("{PREFIX}{}", res.route());
    let item = if res.nested() { format!("{base}/{{sub}}") } else { format!("{base}/{{id}}") };
    let r = r
        .route(
            &base,
            get(move |State(a): State<Arc<App>>, Path(p): Path<HashMap<String, String>>, RawQuery(q): RawQuery| {
                list(a, res, p, q)
            })
            .post(move |State(a): State<Arc<App>>, Path(p): Path<HashMap<String, String>>, b: Bytes| {
                create(a, res, p, b)
            }),
        )
        .route(
            &item,
            get(move |State(a): State<Arc<App>>, Path(p): Path<HashMap<String, String>>| read(a, res, p))
                .put(move |State(a): State<Arc<App>>, Path(p): Path<HashMap<String, String>>, b: Bytes| {
                    update(a, res, p, b)
                })
                .patch(move |State(a): State<Arc<App>>, Path(p): Path<HashMap<String, String>>, b: Bytes| {
                    update(a, res, p, b)
                })
                .delete(
                    move |State(a): State<Arc<App>>, Path(p): Path<HashMap<String, String>>, RawQuery(q): RawQuery| {
                        delete(a, res, p, q)
                    },
                ),
        );
    if res == Res::Refunds {
        return r;
    }
    r.route(
        &format!("{base}/batch"),
        post(move |State(a): State<Arc<App>>, Path(p): Path<HashMap<String, String>>, b: Bytes| batch(a, res, p, b)),
    )
}

// ---------- tax classes and payment gateways (string-keyed, no batch) ----------

async fn tax_classes(State(app): State<Arc<App>>) -> Response {
    let st = app.store();
    axum::Json(settings::list_tax_classes(&app, &st)).into_response()
}

async fn create_tax_class(State(app): State<Arc<App>>, body: Bytes) -> Response {
    respond((|| {
        let input = body_object(&body)?;
        let mut st = app.store();
        let v = settings::create_tax_class(&app, &mut st, &input)?;
        Ok((StatusCode::CREATED, axum::Json(v)).into_response())
    })())
}

async fn delete_tax_class(State(app): State<Arc<App>>, Path(slug): Path<String>, RawQuery(q): RawQuery) -> Response {
    respond((|| {
        let force = Query::parse(q.as_deref()).flag("force");
        let mut st = app.store();
        Ok(axum::Json(settings::delete_tax_class(&app, &mut st, &slug, force)?).into_response())
    })())
}

async fn gateways(State(app): State<Arc<App>>) -> Response {
    let st = app.store();
    axum::Json(settings::list_gateways(&app, &st)).into_response()
}

async fn gateway(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let st = app.store();
    respond(settings::get_gateway(&app, &st, &id).map(|v| axum::Json(v).into_response()))
}

async fn update_gateway(State(app): State<Arc<App>>, Path(id): Path<String>, body: Bytes) -> Response {
    respond((|| {
        let input = body_object(&body)?;
        let mut st = app.store();
        Ok(axum::Json(settings::update_gateway(&app, &mut st, &id, &input)?).into_response())
    })())
}

/// All authenticated REST routes.
pub fn router(app: Arc<App>) -> Router {
    let mut r: Router<Arc<App>> = Router::new();
    for res in [
        Res::Products,
        Res::Variations,
        Res::Categories,
        Res::Tags,
        Res::Attributes,
        Res::Terms,
        Res::Customers,
        Res::Orders,
        Res::Refunds,
        Res::Taxes,
        Res::Webhooks,
    ] {
        r = crud(r, res);
    }
    r.route(&format!("{PREFIX}/taxes/classes"), get(tax_classes).post(create_tax_class))
        .route(&format!("{PREFIX}/taxes/classes/{{slug}}"), axum::routing::delete(delete_tax_class))
        .route(&format!("{PREFIX}/payment_gateways"), get(gateways))
        .route(&format!("{PREFIX}/payment_gateways/{{id}}"), get(gateway).put(update_gateway).patch(update_gateway))
        .route_layer(middleware::from_fn_with_state(app.clone(), crate::auth::require_key))
        .method_not_allowed_fallback(|| async { WcError::no_route() })
        .with_state(app)
}

//! The served routes and `openapi.yaml` agree, and real responses satisfy the documented schemas.
//!
//! Three checks, each shown able to fail by the `checker_*` tests at the bottom:
//! 1. the router's `(METHOD, path)` set equals the spec's (minus the kit's own control routes);
//! 2. every spec operation is exercised by a sample request that the router really matched
//!    (request counts name the route template; kit routes must not answer the router's 404/405);
//! 3. every sample response validates against the schema documented for its status code
//!    (required fields, types, nullability, enums, and our decimal/date formats).

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::Pos;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn load_spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).expect("openapi.yaml");
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("openapi.yaml parses");
    serde_json::to_value(yaml).expect("yaml maps to json")
}

type Route = (String, String);

/// `(METHOD, path, provided_by_kit)` for every operation in the spec.
fn spec_operations(spec: &Value) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                out.push((m.to_uppercase(), path.clone(), op["x-provided-by"] == "emulator-kit"));
            }
        }
    }
    out
}

/// Differences between the routes the router serves and the spec's non-kit routes.
fn route_diff(served: &BTreeSet<Route>, spec: &Value) -> Vec<String> {
    let documented: BTreeSet<Route> =
        spec_operations(spec).into_iter().filter(|(_, _, kit)| !kit).map(|(m, p, _)| (m, p)).collect();
    let mut errs = Vec::new();
    for r in served.difference(&documented) {
        errs.push(format!("served but not in openapi.yaml: {} {}", r.0, r.1));
    }
    for r in documented.difference(served) {
        errs.push(format!("in openapi.yaml but not served: {} {}", r.0, r.1));
    }
    errs
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let target = spec.pointer(r.trim_start_matches('#')).unwrap_or_else(|| panic!("dangling $ref {r}"));
            resolve(spec, target)
        }
        None => schema,
    }
}

fn decimal_with(s: &str, places: usize) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    match body.split_once('.') {
        Some((i, f)) => {
            !i.is_empty()
                && i.bytes().all(|b| b.is_ascii_digit())
                && f.len() == places
                && f.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Validates `v` against `schema`, pushing one message per violation.
fn validate(spec: &Value, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    let s = resolve(spec, schema);
    if v.is_null() {
        if s["nullable"] != true && (s.get("type").is_some() || s.get("allOf").is_some()) {
            errs.push(format!("{at}: null where the schema does not allow it"));
        }
        return;
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for sub in all {
            validate(spec, sub, v, at, errs);
        }
    }
    match s.get("type").and_then(Value::as_str) {
        Some("object") => {
            let Some(obj) = v.as_object() else {
                errs.push(format!("{at}: expected an object, got {v}"));
                return;
            };
            for r in s["required"].as_array().into_iter().flatten() {
                let r = r.as_str().unwrap_or_default();
                if !obj.contains_key(r) {
                    errs.push(format!("{at}: missing required field '{r}'"));
                }
            }
            let props = s["properties"].as_object();
            for (k, x) in obj {
                match props.and_then(|p| p.get(k)) {
                    Some(sub) => validate(spec, sub, x, &format!("{at}.{k}"), errs),
                    None => {
                        if let Some(extra) = s.get("additionalProperties").filter(|a| a.is_object()) {
                            validate(spec, extra, x, &format!("{at}.{k}"), errs);
                        }
                    }
                }
            }
        }
        Some("array") => {
            let Some(items) = v.as_array() else {
                errs.push(format!("{at}: expected an array, got {v}"));
                return;
            };
            if let Some(sub) = s.get("items") {
                for (i, x) in items.iter().enumerate() {
                    validate(spec, sub, x, &format!("{at}[{i}]"), errs);
                }
            }
        }
        Some("string") => {
            let Some(text) = v.as_str() else {
                errs.push(format!("{at}: expected a string, got {v}"));
                return;
            };
            if let Some(allowed) = s.get("enum").and_then(Value::as_array)
                && !allowed.iter().any(|a| a == v)
            {
                errs.push(format!("{at}: '{text}' is not one of {}", Value::Array(allowed.clone())));
            }
            let ok = match s.get("format").and_then(Value::as_str) {
                Some("money") | Some("rate") => decimal_with(text, 2),
                Some("quantity") => decimal_with(text, 3),
                Some("date-time") => text.contains('T') && emu_pos::values::parse_datetime(text).is_some(),
                _ => true,
            };
            if !ok {
                errs.push(format!("{at}: '{text}' does not match format {}", s["format"]));
            }
        }
        Some("integer") if !(v.is_i64() || v.is_u64()) => errs.push(format!("{at}: expected an integer, got {v}")),
        Some("number") if !v.is_number() => errs.push(format!("{at}: expected a number, got {v}")),
        Some("boolean") if !v.is_boolean() => errs.push(format!("{at}: expected a boolean, got {v}")),
        _ => {}
    }
}

/// The documented response schema of an operation for a status (`Ok(None)` = documented without a
/// body; `Err` = status not documented).
fn response_schema<'a>(spec: &'a Value, method: &str, path: &str, status: u16) -> Result<Option<&'a Value>, String> {
    let op = &spec["paths"][path][method.to_lowercase()];
    let resp = op["responses"]
        .get(status.to_string())
        .ok_or_else(|| format!("{method} {path}: status {status} not documented"))?;
    let resp = resolve(spec, resp);
    Ok(resp.pointer("/content/application~1json/schema"))
}

/// Operations of the spec that no sample exercised.
fn unsampled(spec: &Value, sampled: &BTreeSet<Route>) -> Vec<Route> {
    spec_operations(spec).into_iter().map(|(m, p, _)| (m, p)).filter(|r| !sampled.contains(r)).collect()
}

enum Body {
    None,
    Json(Value),
    Form(Vec<(String, String)>),
}

struct Sampler<'a> {
    pos: &'a Pos,
    spec: &'a Value,
    http: reqwest::Client,
    token: String,
    sampled: BTreeSet<Route>,
    errs: Vec<String>,
}

impl Sampler<'_> {
    /// Sends one request for the operation `template`, checks its status is documented and its
    /// body validates; returns the response body and headers.
    async fn call(
        &mut self,
        method: &str,
        template: &str,
        path: &str,
        body: Body,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(m, self.pos.url(path)).bearer_auth(&self.token);
        req = match body {
            Body::None => req,
            Body::Json(v) => req.json(&v),
            Body::Form(f) => req.form(&f),
        };
        let resp = req.send().await.expect("sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let raw = resp.text().await.unwrap_or_default();
        if (status == 404 && raw.is_empty()) || status == 405 {
            self.errs.push(format!("{method} {path}: not matched by the router ({status})"));
        }
        let value: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
        match response_schema(self.spec, method, template, status) {
            Err(e) => self.errs.push(e),
            Ok(Some(schema)) => {
                validate(self.spec, schema, &value, &format!("{method} {path} -> {status}"), &mut self.errs)
            }
            Ok(None) => {}
        }
        self.sampled.insert((method.to_string(), template.to_string()));
        (status, value, headers)
    }

    async fn json(&mut self, method: &str, template: &str, path: &str, body: Value) -> Value {
        self.call(method, template, path, Body::Json(body)).await.1
    }

    async fn get(&mut self, template: &str, path: &str) -> Value {
        self.call("GET", template, path, Body::None).await.1
    }
}

#[tokio::test]
async fn served_routes_match_openapi_yaml() {
    let spec = load_spec();
    let pos = Pos::start().await;
    let served: BTreeSet<Route> = pos.emu.routes().iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(served.len(), pos.emu.routes().len(), "no route registered twice");
    let errs = route_diff(&served, &spec);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

/// Exercises every documented operation once, validating each response; then checks the request
/// counts name each platform route's template (so the router really serves what the table says).
#[tokio::test]
async fn every_operation_answers_with_its_documented_schema() {
    let spec = load_spec();
    let pos = Pos::start().await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut s =
        Sampler { pos: &pos, spec: &spec, http, token: pos.token.clone(), sampled: BTreeSet::new(), errs: Vec::new() };

    // OAuth
    let (st, _, h) = s
        .call("GET", "/oauth/authorize", "/oauth/authorize?response_type=code&client_id=posbridge&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&state=s&scope=all", Body::None)
        .await;
    assert_eq!(st, 302);
    let loc = url::Url::parse(h["location"].to_str().unwrap()).unwrap();
    let code = loc.query_pairs().find(|(k, _)| k == "code").unwrap().1.to_string();
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", "posbridge"),
        ("client_secret", "posbridge-secret"),
        ("code", &code),
        ("redirect_uri", "http://127.0.0.1:9/cb"),
    ];
    let form = form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let (st, tok, _) = s.call("POST", "/oauth/token", "/oauth/token", Body::Form(form)).await;
    assert_eq!(st, 200);
    s.token = tok["access_token"].as_str().unwrap().to_string();

    // control: seed and settings
    s.json(
        "POST",
        "/_emulator/seed",
        "/_emulator/seed",
        json!({"outlets": [{"id": 2, "name": "Web"}], "taxes": [{"name": "Zero", "rate": "0"}]}),
    )
    .await;
    s.json("POST", "/_emulator/settings", "/_emulator/settings", json!({"tax_inclusive": true})).await;

    // store, outlets, registers
    s.get("/api/v1/store/get", "/api/v1/store/get").await;
    s.get("/api/v1/outlets/get_all", "/api/v1/outlets/get_all?page_size=1").await;
    s.get("/api/v1/outlets/get_Registers_all", "/api/v1/outlets/get_Registers_all").await;
    s.json("POST", "/api/v1/registers/open/{id}", "/api/v1/registers/open/1", json!({})).await;

    // reference data
    let brand = s.json("POST", "/api/v1/brands/create", "/api/v1/brands/create", json!({"name": "Acme"})).await;
    s.get("/api/v1/brands/get_all", "/api/v1/brands/get_all").await;
    let ptype =
        s.json("POST", "/api/v1/product_types/create", "/api/v1/product_types/create", json!({"name": "Tees"})).await;
    s.get("/api/v1/product_types/get_all", "/api/v1/product_types/get_all").await;
    let group = s
        .json("POST", "/api/v1/customer_groups/create", "/api/v1/customer_groups/create", json!({"name": "VIP"}))
        .await;
    s.get("/api/v1/customer_groups/get_all", "/api/v1/customer_groups/get_all").await;
    let cust = s
        .json(
            "POST",
            "/api/v1/customers/create",
            "/api/v1/customers/create",
            json!({"first_name": "Ada", "last_name": "L", "customer_group_id": group["id"]}),
        )
        .await;
    s.get("/api/v1/customers/get_all", "/api/v1/customers/get_all").await;
    s.get("/api/v1/customers/get/{id}", &format!("/api/v1/customers/get/{}", cust["id"])).await;
    s.get("/api/v1/taxes/get_all", "/api/v1/taxes/get_all").await;
    s.get("/api/v1/payment_types/get_all", "/api/v1/payment_types/get_all").await;

    // products
    let tee = s
        .json("POST", "/api/v1/products/create", "/api/v1/products/create", json!({
            "name": "Tee", "sku": "TEE", "barcode": "123", "brand_id": brand["id"], "product_type": [ptype["id"]], "price": "20.00",
            "sales_channels": ["pos", "ecommerce"], "serial_number_enabled": true,
            "product_outlets": [{"outlet_id": 1, "stock": "10"}, {"outlet_id": 2, "stock": "1", "is_visible": false}]}))
        .await;
    let cap = s
        .json("POST", "/api/v1/products/create", "/api/v1/products/create", json!({
            "name": "Cap", "has_variants": true, "product_variants": [{"sku": "CAP-S", "attributes": [{"name": "Size", "value": "S"}],
            "product_outlets": [{"outlet_id": 1, "stock": "3"}]}]}))
        .await;
    let cap_s = cap["product_variants"][0]["id"].clone();
    s.json(
        "POST",
        "/api/v1/products/create",
        "/api/v1/products/create",
        json!({
        "name": "Bundle", "is_composite": true, "composite_components": [{"product_id": tee["id"], "quantity": "2"}]}),
    )
    .await;
    s.get("/api/v1/products/get_all", "/api/v1/products/get_all?page_size=2").await;
    s.get("/api/v1/products/get/{id}", &format!("/api/v1/products/get/{}", tee["id"])).await;
    s.get("/api/v1/products/by_sku", "/api/v1/products/by_sku?sku=CAP-S").await;
    s.get("/api/v1/products/get/{id}", "/api/v1/products/get/999").await; // 404 Error shape

    // webhooks (to a closed port: deliveries fail, which does not matter here)
    let hook = s.json("POST", "/api/v1/webhooks", "/api/v1/webhooks", json!({"url": "http://127.0.0.1:9/hook"})).await;
    s.get("/api/v1/webhooks", "/api/v1/webhooks").await;

    // sales
    let sale = s
        .json("POST", "/api/v1/sales/create", "/api/v1/sales/create", json!({
            "outlet_id": 1, "register_id": 1, "customer_id": cust["id"], "status": "completed", "external_reference": "web-1",
            "lines": [{"product_id": tee["id"], "quantity": "1.5", "serial_numbers": ["SN1"]}, {"product_id": cap["id"], "variant_id": cap_s, "quantity": "1", "price": "5.00"}],
            "shipping": {"price": "7.00"}, "payments": [{"payment_type_id": 3, "amount": "42.00"}]}))
        .await;
    assert_eq!(sale["total"], "42.00", "{sale}");
    s.json(
        "POST",
        "/api/v1/sales/create",
        "/api/v1/sales/create",
        json!({"outlet_id": 1, "status": "parked", "lines": [{"product_id": tee["id"], "quantity": "1"}]}),
    )
    .await;
    s.get(
        "/api/v1/sales/get_all",
        "/api/v1/sales/get_all?invoice_range_from=2000-01-01T00:00:00Z&Sorting=transactionDate",
    )
    .await;
    s.get("/api/v1/sales/get/{id}", &format!("/api/v1/sales/get/{}", sale["id"])).await;
    s.json(
        "POST",
        "/api/v1/sales/update_serial_numbers/{id}",
        &format!("/api/v1/sales/update_serial_numbers/{}", sale["id"]),
        json!({"lines": [{"line_id": 1, "serial_numbers": ["SN9"]}]}),
    )
    .await;

    // stock documents
    let po = s
        .json(
            "POST",
            "/api/v1/purchase_orders/create",
            "/api/v1/purchase_orders/create",
            json!({"outlet_id": 1, "lines": [{"product_id": tee["id"], "quantity": "5", "cost": "8.00"}]}),
        )
        .await;
    s.json(
        "POST",
        "/api/v1/purchase_orders/receive/{id}",
        &format!("/api/v1/purchase_orders/receive/{}", po["id"]),
        json!({}),
    )
    .await;
    s.get("/api/v1/purchase_orders/get_all", "/api/v1/purchase_orders/get_all").await;
    s.json(
        "POST",
        "/api/v1/stocktakes/create",
        "/api/v1/stocktakes/create",
        json!({"outlet_id": 1, "counts": [{"product_id": cap["id"], "variant_id": cap_s, "count": "9"}]}),
    )
    .await;
    s.get("/api/v1/stocktakes/get_all", "/api/v1/stocktakes/get_all").await;
    s.json("POST", "/api/v1/transfers/create", "/api/v1/transfers/create", json!({"source_outlet_id": 1, "destination_outlet_id": 2, "lines": [{"product_id": tee["id"], "quantity": "2"}]})).await;
    s.get("/api/v1/transfers/get_all", "/api/v1/transfers/get_all").await;
    s.json("POST", "/api/v1/registers/close/{id}", "/api/v1/registers/close/1", json!({})).await;
    s.get("/api/v1/registerClosures/get_all", "/api/v1/registerClosures/get_all").await;

    // events, unsubscribe, delete
    let events = s.get("/api/v1/events", "/api/v1/events?since=0&page_size=1000").await;
    assert!(events["totalCount"].as_u64().unwrap() > 10);
    s.call("DELETE", "/api/v1/webhooks/{id}", &format!("/api/v1/webhooks/{}", hook["id"]), Body::None).await;
    s.call("DELETE", "/api/v1/products/delete/{id}", &format!("/api/v1/products/delete/{}", cap["id"]), Body::None)
        .await;

    // control and kit routes
    s.get("/_emulator/state", "/_emulator/state").await;
    s.json("POST", "/_emulator/tokens", "/_emulator/tokens", json!({})).await;
    let counts = s.get("/_emulator/requests", "/_emulator/requests").await;
    s.json("POST", "/_emulator/requests/reset", "/_emulator/requests/reset", json!({})).await;
    s.json("POST", "/_emulator/faults", "/_emulator/faults", json!([])).await;
    s.call("DELETE", "/_emulator/faults", "/_emulator/faults", Body::None).await;
    s.json("POST", "/_emulator/latency", "/_emulator/latency", json!({"ms": 0})).await;
    s.json("POST", "/_emulator/webhooks/faults", "/_emulator/webhooks/faults", json!({})).await;
    s.json("POST", "/_emulator/webhooks/release", "/_emulator/webhooks/release", json!({})).await;
    s.get("/_emulator/webhooks/log", "/_emulator/webhooks/log").await;
    s.call("DELETE", "/_emulator/webhooks/log", "/_emulator/webhooks/log", Body::None).await;
    s.json("POST", "/_emulator/tokens/expire", "/_emulator/tokens/expire", json!({})).await;
    s.get("/api/v1/store/get", "/api/v1/store/get").await; // 401 Error shape
    s.json("POST", "/_emulator/reset", "/_emulator/reset", json!({})).await;

    let missing = unsampled(&spec, &s.sampled);
    assert!(missing.is_empty(), "operations without a sample: {missing:?}");
    assert!(s.errs.is_empty(), "contract violations:\n{}", s.errs.join("\n"));

    // the router matched each platform route by exactly the documented template
    for (m, p, kit) in spec_operations(&spec) {
        if !kit && !p.starts_with("/_emulator") {
            let key = format!("{m} {p}");
            assert!(counts.get(&key).and_then(Value::as_u64).unwrap_or(0) >= 1, "{key} was not counted: {counts}");
        }
    }
}

// ----- the checker itself can fail -----

#[test]
fn checker_reports_routes_missing_from_either_side() {
    let spec = load_spec();
    let mut served: BTreeSet<Route> =
        spec_operations(&spec).into_iter().filter(|o| !o.2).map(|(m, p, _)| (m, p)).collect();
    assert!(route_diff(&served, &spec).is_empty());

    served.insert(("GET".into(), "/api/v1/secret/get_all".into()));
    let mut trimmed = spec.clone();
    trimmed["paths"].as_object_mut().unwrap().remove("/api/v1/taxes/get_all");
    let errs = route_diff(&served, &trimmed);
    assert!(errs.iter().any(|e| e.contains("served but not in openapi.yaml: GET /api/v1/secret/get_all")), "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("served but not in openapi.yaml: GET /api/v1/taxes/get_all")), "{errs:?}");

    served.remove(&("POST".to_string(), "/api/v1/sales/create".to_string()));
    let errs = route_diff(&served, &spec);
    assert!(errs.iter().any(|e| e.contains("in openapi.yaml but not served: POST /api/v1/sales/create")), "{errs:?}");
}

#[test]
fn checker_reports_schema_violations() {
    let spec = load_spec();
    let schema = json!({"$ref": "#/components/schemas/Tax"});
    let good = json!({"id": 1, "name": "GST", "rate": "10.00", "is_default": true});
    let mut errs = Vec::new();
    validate(&spec, &schema, &good, "tax", &mut errs);
    assert!(errs.is_empty(), "{errs:?}");

    for (bad, needle) in [
        (json!({"id": 1, "name": "GST", "rate": "10.00"}), "missing required field 'is_default'"),
        (json!({"id": 1, "name": "GST", "rate": 10.0, "is_default": true}), "expected a string"),
        (json!({"id": 1, "name": "GST", "rate": "10", "is_default": true}), "does not match format"),
        (json!({"id": "1", "name": "GST", "rate": "10.00", "is_default": true}), "expected an integer"),
        (json!({"id": 1, "name": null, "rate": "10.00", "is_default": true}), "null where"),
    ] {
        let mut errs = Vec::new();
        validate(&spec, &schema, &bad, "tax", &mut errs);
        assert!(errs.iter().any(|e| e.contains(needle)), "{bad} should fail with '{needle}': {errs:?}");
    }

    // nested: a page whose item lacks a field, and an enum violation in a sale
    let mut errs = Vec::new();
    let page = json!({"totalCount": 1, "items": [{"id": 1}], "next": null});
    validate(&spec, &json!({"$ref": "#/components/schemas/OutletPage"}), &page, "page", &mut errs);
    assert!(errs.iter().any(|e| e.contains("page.items[0]: missing required field 'name'")), "{errs:?}");
    let mut errs = Vec::new();
    validate(
        &spec,
        &json!({"$ref": "#/components/schemas/Register"}),
        &json!({"id": 1, "outlet_id": 1, "name": "R", "status": "ajar", "opened_at": null, "closed_at": null}),
        "reg",
        &mut errs,
    );
    assert!(errs.iter().any(|e| e.contains("'ajar' is not one of")), "{errs:?}");
}

#[test]
fn checker_reports_unsampled_operations_and_undocumented_statuses() {
    let spec = load_spec();
    let all: BTreeSet<Route> = spec_operations(&spec).into_iter().map(|(m, p, _)| (m, p)).collect();
    assert!(unsampled(&spec, &all).is_empty());
    let mut fewer = all.clone();
    fewer.remove(&("GET".to_string(), "/api/v1/events".to_string()));
    assert_eq!(unsampled(&spec, &fewer), vec![("GET".to_string(), "/api/v1/events".to_string())]);
    assert!(response_schema(&spec, "GET", "/api/v1/events", 418).is_err());
    assert!(response_schema(&spec, "GET", "/api/v1/events", 200).unwrap().is_some());
}

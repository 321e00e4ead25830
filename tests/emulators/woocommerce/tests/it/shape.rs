//! The emulator's responses carry the field names and JSON types of the reference examples
//! (`<repo>/../shared/reference/woocommerce/examples/*.json`).

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::{Shop, shop};

/// `<repo>/../shared/reference`, found from this crate's manifest directory.
fn reference_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("POSBRIDGE_REFERENCE_DIR") {
        return PathBuf::from(dir);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let repo = manifest
        .ancestors()
        .find(|a| a.join("Cargo.lock").exists())
        .expect("the crate lives inside the posbridge workspace (no Cargo.lock found above CARGO_MANIFEST_DIR)");
    let dir = repo.join("../shared/reference");
    assert!(
        dir.join("woocommerce/examples").is_dir(),
        "reference data not found: expected {} (the read-only folder beside the repository, \
         or set POSBRIDGE_REFERENCE_DIR)",
        dir.join("woocommerce/examples").display()
    );
    dir
}

fn example(name: &str) -> Value {
    let path = reference_dir().join("woocommerce/examples").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Differences in field names and JSON types between a reference `example` and an `actual`
/// document. Objects must have exactly the same keys; `null` on either side is accepted in
/// place of any type; each element of an actual array must match some element of the example
/// array (arrays empty on either side have nothing to compare).
pub fn differences(example: &Value, actual: &Value) -> Vec<String> {
    let mut out = vec![];
    diff(example, actual, "$", &mut out);
    out
}

fn diff(ex: &Value, ac: &Value, path: &str, out: &mut Vec<String>) {
    if ex.is_null() || ac.is_null() {
        return;
    }
    if kind(ex) != kind(ac) {
        out.push(format!("{path}: example is {}, actual is {}", kind(ex), kind(ac)));
        return;
    }
    match (ex, ac) {
        (Value::Object(e), Value::Object(a)) => {
            for k in e.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{path}.{k}: missing in actual"));
            }
            for k in a.keys().filter(|k| !e.contains_key(*k)) {
                out.push(format!("{path}.{k}: not in the example"));
            }
            for (k, ev) in e {
                if let Some(av) = a.get(k) {
                    diff(ev, av, &format!("{path}.{k}"), out);
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if !e.is_empty() => {
            for (i, item) in a.iter().enumerate() {
                let fits = e.iter().any(|candidate| differences(candidate, item).is_empty());
                if !fits {
                    diff(&e[0], item, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

fn assert_same_shape(example_file: &str, actual: &Value) {
    let d = differences(&example(example_file), actual);
    assert!(d.is_empty(), "{example_file} vs emulator:\n  {}\nactual: {actual:#}", d.join("\n  "));
}

#[test]
fn comparison_rejects_renamed_fields_changed_types_and_extra_fields() {
    let ex = example("products--retrieve-a-product--json-response-example.json");
    assert!(differences(&ex, &ex).is_empty(), "an example matches itself");

    let mut renamed = ex.clone();
    let price = renamed.as_object_mut().unwrap().remove("regular_price").unwrap();
    renamed["regularPrice"] = price;
    let d = differences(&ex, &renamed);
    assert!(d.iter().any(|m| m.contains("regular_price: missing")), "{d:?}");
    assert!(d.iter().any(|m| m.contains("regularPrice: not in the example")), "{d:?}");

    let mut retyped = ex.clone();
    retyped["price"] = json!(21.99);
    assert_eq!(differences(&ex, &retyped), vec!["$.price: example is string, actual is number"]);

    let mut nested = ex.clone();
    nested["images"][0]["src"] = json!(["x"]);
    assert_eq!(differences(&ex, &nested).len(), 1, "array elements are compared recursively");

    let mut deep = ex.clone();
    deep["dimensions"]["depth"] = json!("");
    assert_eq!(differences(&ex, &deep), vec!["$.dimensions.depth: not in the example"]);

    let mut nulled = ex.clone();
    nulled["sku"] = Value::Null;
    assert!(differences(&ex, &nulled).is_empty(), "null is tolerated");
}

#[test]
fn reference_folder_is_found_from_the_manifest_dir() {
    assert!(reference_dir().join("PLATFORM-FACTS.md").is_file());
}

async fn catalog(s: &Shop) -> (Value, Value, Value, Value, Value) {
    let cat = s
        .create("/products/categories", json!({ "name": "Clothing", "image": { "src": "https://example.com/c.jpg" } }))
        .await;
    let tag = s.create("/products/tags", json!({ "name": "Leather Shoes" })).await;
    let attr = s.create("/products/attributes", json!({ "name": "Color", "has_archives": true })).await;
    let simple = s
        .create(
            "/products",
            json!({ "name": "Premium Quality", "type": "simple", "regular_price": "21.99", "sku": "PQ-1",
                    "categories": [{ "id": cat["id"] }], "tags": [{ "id": tag["id"] }],
                    "images": [{ "src": "https://example.com/a.jpg" }],
                    "meta_data": [{ "key": "origin", "value": "pos" }] }),
        )
        .await;
    let variable = s
        .create(
            "/products",
            json!({ "name": "Ship Your Idea", "type": "variable",
                    "attributes": [{ "id": attr["id"], "position": 0, "visible": false, "variation": true, "options": ["Black", "Green"] },
                                   { "name": "Size", "position": 0, "visible": true, "variation": true, "options": ["S", "M"] }],
                    "default_attributes": [] }),
        )
        .await;
    (cat, tag, attr, simple, variable)
}

#[tokio::test]
async fn catalog_responses_match_the_reference_examples() {
    let s = shop().await;
    let (cat, tag, attr, simple, variable) = catalog(&s).await;
    assert_same_shape("products--create-a-product--json-response-example.json", &simple);
    assert_same_shape("products--create-a-product--json-response-example-2.json", &variable);
    let got = s.get(&format!("/products/{}", simple["id"])).await.body;
    assert_same_shape("products--retrieve-a-product--json-response-example.json", &got);
    let upd = s.put(&format!("/products/{}", simple["id"]), json!({ "sale_price": "19.99" })).await.body;
    assert_same_shape("products--update-a-product--json-response-example.json", &upd);
    assert_same_shape("products--list-all-products--json-response-example.json", &s.get("/products").await.body);

    let vpath = format!("/products/{}/variations", variable["id"]);
    let var = s
        .create(
            &vpath,
            json!({ "regular_price": "9.00", "image": { "src": "https://example.com/v.jpg" },
                                 "attributes": [{ "id": attr["id"], "option": "Black" }] }),
        )
        .await;
    let got = s.get(&format!("{vpath}/{}", var["id"])).await.body;
    assert_same_shape("product-variations--retrieve-a-product-variation--json-response-example.json", &got);
    let upd = s.put(&format!("{vpath}/{}", var["id"]), json!({ "regular_price": "10.00" })).await.body;
    assert_same_shape("product-variations--update-a-product-variation--json-response-example.json", &upd);
    assert_same_shape(
        "product-variations--list-all-product-variations--json-response-example.json",
        &s.get(&vpath).await.body,
    );

    let got = s.get(&format!("/products/categories/{}", cat["id"])).await.body;
    assert_same_shape("product-categories--retrieve-a-product-category--json-response-example.json", &got);
    let child = s.create("/products/categories", json!({ "name": "T-shirts", "parent": cat["id"] })).await;
    assert_same_shape(
        "product-categories--list-all-product-categories--json-response-example.json",
        &s.get("/products/categories").await.body,
    );
    assert_eq!(child["_links"]["up"][0]["href"], s.url(&format!("/products/categories/{}", cat["id"])));
    assert_same_shape("product-tags--create-a-product-tag--json-response-example.json", &tag);
    assert_same_shape(
        "product-tags--list-all-product-tags--json-response-example.json",
        &s.get("/products/tags").await.body,
    );
    assert_same_shape("product-attributes--create-a-product-attribute--json-response-example.json", &attr);
    assert_same_shape(
        "product-attributes--list-all-product-attributes--json-response-example.json",
        &s.get("/products/attributes").await.body,
    );
    let tpath = format!("/products/attributes/{}/terms", attr["id"]);
    let term = s.create(&tpath, json!({ "name": "XXS", "menu_order": 1 })).await;
    assert_same_shape("product-attribute-terms--create-an-attribute-term--json-response-example.json", &term);
    assert_same_shape(
        "product-attribute-terms--list-all-attribute-terms--json-response-example.json",
        &s.get(&tpath).await.body,
    );

    let batch = s
        .post(
            "/products/batch",
            json!({ "create": [{ "name": "B1", "regular_price": "1.00" }],
                                         "update": [{ "id": simple["id"], "description": "x" }],
                                         "delete": [variable["id"]] }),
        )
        .await;
    assert_same_shape("products--batch-update-products--json-response-example.json", &batch.body);
    let del = s.delete(&format!("/products/{}?force=true", simple["id"])).await.body;
    assert_same_shape("products--delete-a-product--json-response-example.json", &del);
}

#[tokio::test]
async fn customer_and_order_responses_match_the_reference_examples() {
    let s = shop().await;
    let addr = json!({ "first_name": "John", "last_name": "Doe", "address_1": "969 Market", "city": "San Francisco",
                       "state": "CA", "postcode": "94103", "country": "US" });
    let mut billing = addr.clone();
    billing["email"] = json!("john.doe@example.com");
    billing["phone"] = json!("(555) 555-5555");
    let cust = s
        .create(
            "/customers",
            json!({ "email": "john.doe@example.com", "first_name": "John", "last_name": "Doe",
                                               "billing": billing, "shipping": addr }),
        )
        .await;
    assert_same_shape("customers--create-a-customer--json-response-example.json", &cust);
    assert_same_shape(
        "customers--retrieve-a-customer--json-response-example.json",
        &s.get(&format!("/customers/{}", cust["id"])).await.body,
    );
    assert_same_shape("customers--list-all-customers--json-response-example.json", &s.get("/customers").await.body);

    let p = s.create("/products", json!({ "name": "Woo Single #1", "regular_price": "3.00" })).await;
    let order = s
        .create("/orders", json!({ "payment_method": "bacs", "payment_method_title": "Direct Bank Transfer", "set_paid": true,
                                    "billing": billing, "shipping": addr,
                                    "line_items": [{ "product_id": p["id"], "quantity": 2, "meta_data": [{ "key": "note", "value": "gift" }] }],
                                    "shipping_lines": [{ "method_id": "flat_rate", "method_title": "Flat Rate", "total": "10.00" }],
                                    "meta_data": [{ "key": "_download_permissions_granted", "value": "yes" }] }))
        .await;
    assert_same_shape("orders--create-an-order--json-response-example.json", &order);
    let path = format!("/orders/{}", order["id"]);
    assert_same_shape("orders--retrieve-an-order--json-response-example.json", &s.get(&path).await.body);

    let item = order["line_items"][0]["id"].clone();
    let refund = s
        .create(
            &format!("{path}/refunds"),
            json!({ "api_refund": false, "reason": "",
                                                    "line_items": [{ "id": item, "quantity": 1, "refund_total": 3 }] }),
        )
        .await;
    assert_same_shape("order-refunds--create-a-refund--json-response-example.json", &refund);
    let got = s.get(&format!("{path}/refunds/{}", refund["id"])).await.body;
    assert_same_shape("order-refunds--retrieve-a-refund--json-response-example.json", &got);
    assert_same_shape(
        "order-refunds--list-all-refunds--json-response-example.json",
        &s.get(&format!("{path}/refunds")).await.body,
    );

    let upd = s.put(&path, json!({ "status": "completed" })).await.body;
    assert_same_shape("orders--update-an-order--json-response-example.json", &upd);
    assert_same_shape("orders--list-all-orders--json-response-example.json", &s.get("/orders").await.body);
    let del = s.delete(&format!("{path}?force=true")).await.body;
    assert_same_shape("orders--delete-an-order--json-response-example.json", &del);
}

#[tokio::test]
async fn settings_webhook_and_error_responses_match_the_reference_examples() {
    let s = shop().await;
    let tax = s
        .create(
            "/taxes",
            json!({ "country": "US", "state": "AL", "postcodes": ["35014", "35041"], "cities": ["Alpine", "Cardiff"],
                                   "rate": "4", "name": "State Tax", "shipping": false, "order": 1 }),
        )
        .await;
    assert_eq!(tax["rate"], "4.0000");
    assert_same_shape("taxes--create-a-tax-rate--json-response-example.json", &tax);
    assert_same_shape(
        "taxes--retrieve-a-tax-rate--json-response-example.json",
        &s.get(&format!("/taxes/{}", tax["id"])).await.body,
    );
    assert_same_shape("taxes--list-all-tax-rates--json-response-example.json", &s.get("/taxes").await.body);
    assert_same_shape(
        "tax-classes--list-all-tax-classes--json-response-example.json",
        &s.get("/taxes/classes").await.body,
    );
    let class = s.create("/taxes/classes", json!({ "name": "Zero Rated Food" })).await;
    assert_same_shape("tax-classes--create-a-tax-class--json-response-example.json", &class);

    assert_same_shape(
        "payment-gateways--retrieve-an-payment-gateway--json-response-example.json",
        &s.get("/payment_gateways/bacs").await.body,
    );
    let upd = s.put("/payment_gateways/bacs", json!({ "settings": { "title": "Bank transfer" } })).await.body;
    assert_eq!(upd["title"], "Bank transfer");
    assert_same_shape("payment-gateways--update-a-payment-gateway--json-response-example.json", &upd);

    let hook = s
        .create(
            "/webhooks",
            json!({ "name": "Order updated", "topic": "order.updated", "delivery_url": "http://127.0.0.1:9/x" }),
        )
        .await;
    assert_same_shape("webhooks--create-a-webhook--json-response-example.json", &hook);
    assert_same_shape(
        "webhooks--retrieve-a-webhook--json-response-example.json",
        &s.get(&format!("/webhooks/{}", hook["id"])).await.body,
    );
    assert_same_shape("webhooks--list-all-webhooks--json-response-example.json", &s.get("/webhooks").await.body);

    assert_same_shape(
        "introduction--errors--woocommerce-rest-api-error-example.json",
        &s.get("/products/categories/999").await.body,
    );
    assert_same_shape("introduction--errors--wp-rest-api-error-example.json", &s.get("/nothing-here").await.body);
}

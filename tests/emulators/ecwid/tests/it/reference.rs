//! Every resource the emulator serves, compared with the matching example of
//! `reference/ecwid/examples/*.json`: same field names (recursively) and JSON types.
//!
//! Deliberately omitted example fields (and why):
//! * images — product `thumbnailUrl`, `media`; variation `smallThumbnailUrl`, `hdThumbnailUrl`,
//!   `thumbnailUrl`, `imageUrl`, `originalImageUrl`; category `hdThumbnailUrl`, `thumbnailUrl`,
//!   `imageUrl`, `originalImageUrl`, `originalImage`, `thumbnail`; order item `imageUrl`,
//!   `smallThumbnailUrl`, `hdThumbnailUrl`: image upload is not emulated, and Ecwid omits these
//!   fields when there is no image.
//! * product `shipping` (per-product shipping methods), `favorites` (storefront likes),
//!   `relatedProducts` (merchandising): not part of the sync domain.
//! * order `discountCoupon` (coupons are not emulated) and `predictedPackage` (shipping
//!   calculation is not emulated).
//! * customer `password`: write-only.
//!
//! Extra fields (not in the 2020 examples, documented elsewhere):
//! * order `id`: the alphanumeric order id of current Ecwid stores ([EC-web], PLATFORM-FACTS §2.3).
//! * inventory `warning`: sent when stock goes negative ([EC-web] adjust-product-stock).
//! * category list `items[].parentId`: the `Category` table of the categories docs.
//! * customer `id`, `name`, `registered`, `updated`, `totalOrderCount`, `customerGroupName`,
//!   `countryName`, `stateOrProvinceName`: the customer response tables of the customers docs
//!   (there is no customer response example; the create request body is the closest one).

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{STORE, Sink, env};
use crate::shape::{assert_shape, example};

const PRODUCT_OMITTED: &[&str] = &["thumbnailUrl", "shipping", "media", "favorites", "relatedProducts"];
const VARIATION_OMITTED: &[&str] =
    &["smallThumbnailUrl", "hdThumbnailUrl", "thumbnailUrl", "imageUrl", "originalImageUrl"];
const CATEGORY_OMITTED: &[&str] =
    &["hdThumbnailUrl", "thumbnailUrl", "imageUrl", "originalImageUrl", "originalImage", "thumbnail"];
const ORDER_OMITTED: &[&str] =
    &["discountCoupon", "predictedPackage", "items[].imageUrl", "items[].smallThumbnailUrl", "items[].hdThumbnailUrl"];

fn prefixed(prefix: &str, paths: &[&str]) -> Vec<String> {
    paths.iter().map(|p| format!("{prefix}{p}")).collect()
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn check(name: &str, actual: &Value, omitted: &[&str], extras: &[&str]) {
    assert_shape(name, &example(name), actual, omitted, extras);
}

/// A product exercising every product field the emulator implements.
async fn rich_product(e: &crate::common::Env) -> u64 {
    let cat = e.create("/categories", json!({"name": "Fruit"})).await;
    e.create(
        "/products",
        json!({
            "name": "Orange", "sku": "00099", "price": 10, "compareToPrice": 23, "quantity": 11,
            "weight": 0.5, "wholesalePrices": [{"quantity": 2, "price": 9}],
            "tax": {"enabledManualTaxes": [1117939042]}, "categoryIds": [cat], "description": "<p>Tasty</p>",
            "seoTitle": "Orange", "seoDescription": "An orange",
            "attributes": [{"alias": "UPC", "value": "0435943543594395"}, {"name": "Width", "value": "61 mm"}]
        }),
    )
    .await
}

#[tokio::test]
async fn products_search_and_get() {
    let e = env().await;
    let id = rich_product(&e).await;
    let (_, list) = e.get("/products").await;
    check(
        "products--search-products--response-example-json.json",
        &list,
        &refs(&prefixed("items[].", PRODUCT_OMITTED)),
        &[],
    );
    // The single-product example extracted from the docs is the public-token view of a disabled
    // product; the full product shape is the search example's item.
    let (_, one) = e.get(&format!("/products/{id}")).await;
    let item = example("products--search-products--response-example-json.json")["items"][0].clone();
    assert_shape("products--search-products items[0]", &item, &one, PRODUCT_OMITTED, &[]);
    e.put(&format!("/products/{id}"), json!({"enabled": false})).await;
    let (_, hidden) = e.call_as(&e.public_token, Method::GET, &format!("/products/{id}"), None).await;
    check("products--get-a-product--response-example-json.json", &hidden, &[], &[]);
}

#[tokio::test]
async fn product_writes_and_inventory() {
    let e = env().await;
    let (_, created) = e.post("/products", json!({"name": "A", "quantity": 1})).await;
    check("products--add-a-product--response-example.json", &created, &[], &[]);
    let id = created["id"].as_u64().unwrap();
    check(
        "products--update-a-product--response-example-json.json",
        &e.put(&format!("/products/{id}"), json!({"price": 2})).await.1,
        &[],
        &[],
    );
    let (_, adj) = e.put(&format!("/products/{id}/inventory"), json!({"quantityDelta": 1})).await;
    check("products--adjust-product-inventory--response-example-json.json", &adj, &[], &[]);
    let (_, neg) = e.put(&format!("/products/{id}/inventory"), json!({"quantityDelta": -10})).await;
    check("products--adjust-product-inventory--response-example-json.json", &neg, &[], &["warning"]);
    check("products--delete-a-product--response-example.json", &e.delete(&format!("/products/{id}")).await.1, &[], &[]);
}

#[tokio::test]
async fn variations() {
    let e = env().await;
    let pid = e.create("/products", json!({"name": "Tee", "sku": "TEE", "quantity": 5})).await;
    let path = format!("/products/{pid}/combinations");
    let (_, created) = e
        .post(
            &path,
            json!({"options": [{"name": "Size", "value": "L"}, {"name": "Color", "value": "White"}], "sku": "TEE-L",
                   "quantity": 21, "price": 1.45, "compareToPrice": 2, "warningLimit": 1,
                   "wholesalePrices": [{"quantity": 10, "price": 1.05}],
                   "attributes": [{"alias": "UPC", "value": "0435943543594395"}]}),
        )
        .await;
    check("combinations--create-product-variation--response-example.json", &created, &[], &[]);
    let plain = e
        .create(
            &path,
            json!({"options": [{"name": "Size", "value": "S"}], "sku": "TEE-S", "quantity": 62, "price": 1.45,
                   "compareToPrice": 2.22, "wholesalePrices": [{"quantity": 10, "price": 1.35}]}),
        )
        .await;
    e.create(&path, json!({"options": [{"name": "Size", "value": "M"}]})).await; // inherits everything
    let (_, list) = e.get(&path).await;
    check(
        "combinations--get-all-product-variations--response-example-json.json",
        &list,
        &refs(&prefixed("[].", VARIATION_OMITTED)),
        &[],
    );
    let (_, one) = e.get(&format!("{path}/{plain}")).await;
    check("combinations--get-product-variation--response-example-json.json", &one, VARIATION_OMITTED, &[]);
    let (_, upd) = e.put(&format!("{path}/{plain}"), json!({"price": 10})).await;
    check("combinations--update-product-variation--response-example.json", &upd, &[], &[]);
    let (_, adj) = e.put(&format!("{path}/{plain}/inventory"), json!({"quantityDelta": -10})).await;
    check("combinations--adjust-variation-inventory--response-example-json.json", &adj, &[], &[]);
    check(
        "combinations--delete-product-variation--response-example.json",
        &e.delete(&format!("{path}/{plain}")).await.1,
        &[],
        &[],
    );
    check("combinations--delete-all-product-variations--response-example.json", &e.delete(&path).await.1, &[], &[]);
}

#[tokio::test]
async fn categories() {
    let e = env().await;
    let (_, created) = e.post("/categories", json!({"name": "Fruit", "description": "Fresh", "orderBy": 10})).await;
    check("categories--add-new-category--response-example.json", &created, &[], &[]);
    let fruit = created["id"].as_u64().unwrap();
    e.create("/categories", json!({"name": "Veg"})).await;
    let (_, list) = e.get("/categories").await;
    check(
        "categories--get-categories--response-example.json",
        &list,
        &refs(&prefixed("items[].", CATEGORY_OMITTED)),
        &[],
    );
    let sub = e.create("/categories", json!({"name": "Citrus", "parentId": fruit})).await;
    e.create("/products", json!({"name": "Lemon", "categoryIds": [sub]})).await;
    let (_, list) = e.get("/categories").await;
    check(
        "categories--get-categories--response-example.json",
        &list,
        &refs(&prefixed("items[].", CATEGORY_OMITTED)),
        &["items[].parentId"],
    );
    let (_, one) = e.get(&format!("/categories/{sub}")).await;
    check("categories--get-category--response-example.json", &one, CATEGORY_OMITTED, &[]);
    check(
        "categories--update-category--response-example.json",
        &e.put(&format!("/categories/{sub}"), json!({"enabled": false})).await.1,
        &[],
        &[],
    );
    let (_, hidden) = e.call_as(&e.public_token, Method::GET, &format!("/categories/{sub}"), None).await;
    check("categories--get-category--response.json", &hidden, &[], &[]);
    check(
        "categories--delete-a-category--response-example.json",
        &e.delete(&format!("/categories/{sub}")).await.1,
        &[],
        &[],
    );
}

#[tokio::test]
async fn customer_groups_and_customers() {
    let e = env().await;
    let (_, created) = e.post("/customer_groups", json!({"name": "VIP"})).await;
    check("customer_groups--create-customer-group--response-example.json", &created, &[], &[]);
    let vip = created["id"].as_u64().unwrap();
    check(
        "customer_groups--get-all-customer-groups--response-example-json.json",
        &e.get("/customer_groups").await.1,
        &[],
        &[],
    );
    check(
        "customer_groups--get-customer-group--response-example-json.json",
        &e.get(&format!("/customer_groups/{vip}")).await.1,
        &[],
        &[],
    );
    let upd = e.put(&format!("/customer_groups/{vip}"), json!({"name": "Gold"})).await.1;
    check("customer_groups--update-customer-group--response-example.json", &upd, &[], &[]);

    let mut body = example("customers--create-customer--request-body.json");
    body["customerGroupId"] = json!(vip);
    let (_, created) = e.post("/customers", body).await;
    check("customers--create-customer--response-example.json", &created, &[], &[]);
    let id = created["id"].as_u64().unwrap();
    let (_, one) = e.get(&format!("/customers/{id}")).await;
    let extras = [
        "id",
        "name",
        "registered",
        "updated",
        "totalOrderCount",
        "customerGroupName",
        "billingPerson.countryName",
        "billingPerson.stateOrProvinceName",
        "shippingAddresses[].countryName",
        "shippingAddresses[].stateOrProvinceName",
    ];
    check("customers--create-customer--request-body.json", &one, &["password"], &extras);
    // The search result is the groups envelope with customers as items.
    let mut envelope = example("customer_groups--get-all-customer-groups--response-example-json.json");
    let mut customer = example("customers--create-customer--request-body.json");
    customer.as_object_mut().unwrap().remove("password");
    envelope["items"] = json!([customer]);
    let (_, list) = e.get("/customers").await;
    assert_shape(
        "customer_groups envelope with customers--create-customer body",
        &envelope,
        &list,
        &[],
        &refs(&prefixed("items[].", &extras)),
    );
    let upd = e.put(&format!("/customers/{id}"), json!({"acceptMarketing": false})).await.1;
    check("customers--update-customer--response-example.json", &upd, &[], &[]);
    check(
        "customers--delete-customer--response-example.json",
        &e.delete(&format!("/customers/{id}")).await.1,
        &[],
        &[],
    );
    check(
        "customer_groups--delete-customer-group--response-example.json",
        &e.delete(&format!("/customer_groups/{vip}")).await.1,
        &[],
        &[],
    );
}

#[tokio::test]
async fn orders() {
    let e = env().await;
    let customer = e.create("/customers", json!({"email": "mscott@gmail.com"})).await;
    // Place the documented order itself (with a customer of this store) and read it back.
    let mut body = example("orders--get-order-details--response-example-json.json");
    body["customerId"] = json!(customer);
    let (_, created) = e.post("/orders", body).await;
    check("orders--create-order--response-example-json.json", &created, &[], &[]);
    let n = created["id"].as_u64().unwrap();
    let (_, one) = e.get(&format!("/orders/{n}")).await;
    check("orders--get-order-details--response-example-json.json", &one, ORDER_OMITTED, &["id"]);
    let (_, list) = e.get("/orders").await;
    check(
        "orders--search-orders--response-example-json.json",
        &list,
        &refs(&prefixed("items[].", ORDER_OMITTED)),
        &["items[].id"],
    );
    let (_, upd) = e.put(&format!("/orders/{n}"), json!({"fulfillmentStatus": "SHIPPED"})).await;
    check("orders--update-order--response-example-json.json", &upd, &[], &[]);
    check("orders--delete-order--response-example.json", &e.delete(&format!("/orders/{n}")).await.1, &[], &[]);
}

#[tokio::test]
async fn oauth_token() {
    let e = env().await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let base = e.emu.base_url();
    let redirect = "https://app.example.com/cb";
    let r = http
        .get(format!("{base}/api/oauth/authorize"))
        .query(&[
            ("client_id", "posbridge-dev"),
            ("redirect_uri", redirect),
            ("response_type", "code"),
            ("scope", "read_catalog public_storefront"),
        ])
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap();
    let code = loc.split("code=").nth(1).unwrap();
    let t: Value = http
        .get(format!("{base}/api/oauth/token"))
        .query(&[
            ("client_id", "posbridge-dev"),
            ("client_secret", "emulator-client-secret"),
            ("code", code),
            ("redirect_uri", redirect),
            ("grant_type", "authorization_code"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    check("authentication--complete-oauth-flow--step-3-response-example.json", &t, &[], &[]);
}

#[tokio::test]
async fn webhook_bodies() {
    let e = env().await;
    let sink = Sink::start(vec![]).await;
    e.emu.set_webhook_url(Some(sink.url.clone()));
    let p = e.create("/products", json!({"name": "P"})).await;
    e.put(&format!("/products/{p}"), json!({"price": 1})).await;
    e.delete(&format!("/products/{p}")).await;
    let c = e.create("/categories", json!({"name": "C"})).await;
    e.put(&format!("/categories/{c}"), json!({"name": "D"})).await;
    e.delete(&format!("/categories/{c}")).await;
    let cu = e.create("/customers", json!({"email": "user@example.com"})).await;
    e.put(&format!("/customers/{cu}"), json!({"taxExempt": true})).await;
    e.delete(&format!("/customers/{cu}")).await;
    let o = e.create("/orders", json!({"paymentStatus": "PAID", "items": []})).await;
    e.put(&format!("/orders/{o}"), json!({"fulfillmentStatus": "SHIPPED"})).await;
    e.delete(&format!("/orders/{o}")).await;
    let table = [
        (
            "product.created",
            "webhooks--webhook-request-body--product-with-id-667251253-created-webhook-body-example.json",
        ),
        (
            "product.updated",
            "webhooks--webhook-request-body--product-with-id-66722483-updated-webhook-body-example.json",
        ),
        (
            "product.deleted",
            "webhooks--webhook-request-body--product-with-id-667251253-deleted-webhook-body-example.json",
        ),
        (
            "category.created",
            "webhooks--webhook-request-body--category-with-id-66722483-created-webhook-body-example.json",
        ),
        (
            "category.updated",
            "webhooks--webhook-request-body--category-with-id-66722483-updated-webhook-body-example.json",
        ),
        (
            "category.deleted",
            "webhooks--webhook-request-body--category-with-id-66722483-deleted-webhook-body-example.json",
        ),
        ("customer.created", "webhooks--webhook-request-body--customer-was-created.json"),
        ("customer.updated", "webhooks--webhook-request-body--customer-was-updated.json"),
        ("customer.deleted", "webhooks--webhook-request-body--customer-was-deleted.json"),
        ("order.created", "webhooks--webhook-request-body--order-100-created-webhook-body-example.json"),
        ("order.updated", "webhooks--webhook-request-body--order-103-updated-webhook-body-example.json"),
        ("order.deleted", "webhooks--webhook-request-body--order-102-deleted-webhook-body-example.json"),
    ];
    sink.wait_for("all events", |s| table.iter().all(|(t, _)| s.iter().any(|r| r.body["eventType"] == *t))).await;
    for (event_type, file) in table {
        let got = &sink.of_type(event_type)[0];
        check(file, &got.body, &[], &[]);
    }
    let _ = STORE;
}

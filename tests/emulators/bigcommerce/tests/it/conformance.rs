//! Every route the emulator serves, driven once or more, with each answer validated against the
//! official BigCommerce OpenAPI schema for that path, method and status (the status itself must
//! be documented for the operation).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::common::Bc;
use crate::openapi::Spec;

struct Case {
    spec: &'static str,
    path: &'static str,
    method: &'static str,
    url: String,
    body: Option<Value>,
    status: u16,
}

fn case(
    spec: &'static str,
    path: &'static str,
    method: &'static str,
    url: impl Into<String>,
    body: Option<Value>,
    status: u16,
) -> Case {
    Case { spec, path, method, url: url.into(), body, status }
}

const P: &str = "products_catalog.v3.yml";
const V: &str = "product-variants_catalog.v3.yml";
const C: &str = "categories_catalog.v3.yml";
const B: &str = "brands_catalog.v3.yml";
const I: &str = "inventory.v3.yml";
const CU3: &str = "customers.v3.yml";
const CU2: &str = "customers.v2.yml";
const O2: &str = "orders.v2.oas2.yml";
const O3: &str = "orders.v3.yml";
const W: &str = "webhooks.v3.yml";
const S: &str = "store_information.v2.yml";

/// Every `METHOD /route` the emulator serves under `/stores/{store_hash}`.
const SERVED: &[&str] = &[
    "GET /v3/catalog/products",
    "POST /v3/catalog/products",
    "PUT /v3/catalog/products",
    "DELETE /v3/catalog/products",
    "GET /v3/catalog/products/{product_id}",
    "PUT /v3/catalog/products/{product_id}",
    "DELETE /v3/catalog/products/{product_id}",
    "GET /v3/catalog/products/{product_id}/variants",
    "POST /v3/catalog/products/{product_id}/variants",
    "GET /v3/catalog/products/{product_id}/variants/{variant_id}",
    "PUT /v3/catalog/products/{product_id}/variants/{variant_id}",
    "DELETE /v3/catalog/products/{product_id}/variants/{variant_id}",
    "GET /v3/catalog/variants",
    "PUT /v3/catalog/variants",
    "GET /v3/catalog/categories",
    "POST /v3/catalog/categories",
    "GET /v3/catalog/categories/{id}",
    "PUT /v3/catalog/categories/{id}",
    "DELETE /v3/catalog/categories/{id}",
    "GET /v3/catalog/brands",
    "POST /v3/catalog/brands",
    "GET /v3/catalog/brands/{id}",
    "PUT /v3/catalog/brands/{id}",
    "DELETE /v3/catalog/brands/{id}",
    "PUT /v3/inventory/adjustments/absolute",
    "POST /v3/inventory/adjustments/relative",
    "GET /v3/inventory/items",
    "GET /v3/inventory/locations/{location_id}/items",
    "PUT /v3/inventory/locations/{location_id}/items",
    "GET /v3/customers",
    "POST /v3/customers",
    "PUT /v3/customers",
    "DELETE /v3/customers",
    "GET /v2/customer_groups",
    "POST /v2/customer_groups",
    "GET /v2/customer_groups/count",
    "GET /v2/customer_groups/{id}",
    "PUT /v2/customer_groups/{id}",
    "DELETE /v2/customer_groups/{id}",
    "GET /v2/orders",
    "POST /v2/orders",
    "GET /v2/orders/{order_id}",
    "PUT /v2/orders/{order_id}",
    "GET /v2/orders/{order_id}/products",
    "GET /v2/orders/{order_id}/shipping_addresses",
    "GET /v2/order_statuses",
    "GET /v2/order_statuses/{status_id}",
    "GET /v3/orders/{order_id}/transactions",
    "POST /v3/orders/{order_id}/payment_actions/refund_quotes",
    "GET /v3/orders/{order_id}/payment_actions/refunds",
    "POST /v3/orders/{order_id}/payment_actions/refunds",
    "GET /v3/orders/payment_actions/refunds",
    "GET /v3/hooks",
    "POST /v3/hooks",
    "GET /v3/hooks/{id}",
    "PUT /v3/hooks/{id}",
    "DELETE /v3/hooks/{id}",
    "GET /v2/store",
    "GET /v2/time",
];

fn product_body(name: &str, sku: &str) -> Value {
    json!({ "name": name, "type": "physical", "weight": 1.5, "price": 12.99, "sku": sku, "inventory_tracking": "product",
            "inventory_level": 8, "categories": [1], "brand_name": "Acme",
            "variants": [{ "sku": format!("{sku}-L"), "option_values": [{ "option_display_name": "Size", "label": "L" }] }] })
}

#[tokio::test]
async fn every_served_endpoint_answers_per_the_official_openapi_schemas() {
    let bc = Bc::new().await;
    bc.emu
        .seed("abc123", &json!({
            "categories": [{ "name": "Mugs", "parent_id": 0 }],
            "products": [
                { "name": "Mug", "type": "physical", "weight": 1, "price": 10, "sku": "MUG", "inventory_tracking": "product", "inventory_level": 20, "categories": [1] },
                { "name": "Shirt", "type": "physical", "weight": 1, "price": 20, "sku": "SH", "inventory_tracking": "variant",
                  "variants": [{ "sku": "SH-R", "inventory_level": 4, "option_values": [{ "option_display_name": "Color", "label": "Red" }] }] },
            ],
            "customer_groups": [{ "name": "Retail" }],
            "customers": [{ "email": "a@example.com", "first_name": "A", "last_name": "B", "customer_group_id": 1,
                            "addresses": [{ "first_name": "A", "last_name": "B", "address1": "1 Main", "city": "Austin",
                                            "state_or_province": "Texas", "postal_code": "78701", "country_code": "US" }] }],
            "orders": [{ "customer_id": 1, "billing_address": { "first_name": "A", "last_name": "B", "email": "a@example.com", "zip": "78701" },
                         "products": [{ "product_id": 1, "quantity": 2 }, { "name": "Custom", "quantity": 1, "price_inc_tax": 3, "price_ex_tax": 3 }],
                         "shipping_addresses": [{ "first_name": "A", "street_1": "1 Main", "city": "Austin", "zip": "78701", "country_iso2": "US" }],
                         "transactions": [{ "event": "purchase", "method": "credit_card", "amount": 23.0, "gateway": "braintree" }] }],
        }))
        .unwrap();
    let line = bc.emu.snapshot("abc123").unwrap()["orders"][0]["products"][0]["id"].as_u64().unwrap();
    let refund = json!({ "items": [{ "item_type": "PRODUCT", "item_id": line, "quantity": 1 }], "payments": [{ "provider_id": "custom", "amount": 10, "offline": true }] });
    let addr = json!({ "first_name": "A", "last_name": "B", "street_1": "1 Main", "city": "Austin", "zip": "78701", "email": "a@example.com" });

    let cases = vec![
        // catalog: products
        case(P, "/catalog/products", "get", "v3/catalog/products?include=variants", None, 200),
        case(P, "/catalog/products", "post", "v3/catalog/products", Some(product_body("Cup", "CUP")), 200),
        case(P, "/catalog/products", "post", "v3/catalog/products", Some(product_body("Cup 2", "cup")), 409),
        case(P, "/catalog/products", "post", "v3/catalog/products", Some(json!({ "sku": "NOPE" })), 422),
        case(
            P,
            "/catalog/products",
            "put",
            "v3/catalog/products",
            Some(json!([{ "id": 1, "price": 11 }, { "id": 3, "is_visible": false }])),
            200,
        ),
        case(P, "/catalog/products", "put", "v3/catalog/products", Some(json!(vec![json!({ "id": 1 }); 11])), 413),
        case(P, "/catalog/products", "put", "v3/catalog/products", Some(json!([{ "id": 1, "name": "Shirt" }])), 409),
        case(P, "/catalog/products/{product_id}", "get", "v3/catalog/products/1", None, 200),
        case(P, "/catalog/products/{product_id}", "get", "v3/catalog/products/999", None, 404),
        case(
            P,
            "/catalog/products/{product_id}",
            "put",
            "v3/catalog/products/1",
            Some(json!({ "inventory_level": 15, "brand_name": "Acme" })),
            200,
        ),
        case(P, "/catalog/products/{product_id}", "put", "v3/catalog/products/1", Some(json!({ "name": "Cup" })), 409),
        case(P, "/catalog/products/{product_id}", "put", "v3/catalog/products/999", Some(json!({ "price": 1 })), 404),
        // catalog: variants
        case(V, "/catalog/products/{product_id}/variants", "get", "v3/catalog/products/2/variants", None, 200),
        case(
            V,
            "/catalog/products/{product_id}/variants",
            "post",
            "v3/catalog/products/2/variants",
            Some(
                json!({ "sku": "SH-B", "price": 21, "option_values": [{ "option_display_name": "Color", "label": "Blue" }] }),
            ),
            200,
        ),
        case(V, "/catalog/products/{product_id}/variants", "get", "v3/catalog/products/999/variants", None, 404),
        case(
            V,
            "/catalog/products/{product_id}/variants/{variant_id}",
            "get",
            "v3/catalog/products/2/variants/3",
            None,
            200,
        ),
        case(
            V,
            "/catalog/products/{product_id}/variants/{variant_id}",
            "put",
            "v3/catalog/products/2/variants/3",
            Some(json!({ "inventory_level": 6 })),
            200,
        ),
        case(
            V,
            "/catalog/products/{product_id}/variants/{variant_id}",
            "get",
            "v3/catalog/products/2/variants/999",
            None,
            404,
        ),
        case(V, "/catalog/variants", "get", "v3/catalog/variants?sku:in=sh-r,MUG", None, 200),
        case(V, "/catalog/variants", "put", "v3/catalog/variants", Some(json!([{ "id": 3, "price": 25 }])), 200),
        case(V, "/catalog/variants", "put", "v3/catalog/variants", Some(json!(vec![json!({ "id": 3 }); 51])), 413),
        case(V, "/catalog/variants", "put", "v3/catalog/variants", Some(json!([{ "nothing": true }])), 422),
        // categories and brands
        case(C, "/catalog/categories", "get", "v3/catalog/categories", None, 200),
        case(
            C,
            "/catalog/categories",
            "post",
            "v3/catalog/categories",
            Some(json!({ "name": "Cups", "parent_id": 0 })),
            200,
        ),
        case(
            C,
            "/catalog/categories",
            "post",
            "v3/catalog/categories",
            Some(json!({ "name": "cups", "parent_id": 0 })),
            409,
        ),
        case(C, "/catalog/categories", "post", "v3/catalog/categories", Some(json!({ "description": "x" })), 422),
        case(C, "/catalog/categories/{category_id}", "get", "v3/catalog/categories/1", None, 200),
        case(C, "/catalog/categories/{category_id}", "get", "v3/catalog/categories/99", None, 404),
        case(
            C,
            "/catalog/categories/{category_id}",
            "put",
            "v3/catalog/categories/1",
            Some(json!({ "description": "All mugs" })),
            200,
        ),
        case(
            C,
            "/catalog/categories/{category_id}",
            "put",
            "v3/catalog/categories/1",
            Some(json!({ "name": "Cups" })),
            409,
        ),
        case(B, "/catalog/brands", "get", "v3/catalog/brands", None, 200),
        case(B, "/catalog/brands", "post", "v3/catalog/brands", Some(json!({ "name": "Globex" })), 200),
        case(B, "/catalog/brands", "post", "v3/catalog/brands", Some(json!({ "name": "globex" })), 409),
        case(B, "/catalog/brands", "post", "v3/catalog/brands", Some(json!({})), 422),
        case(B, "/catalog/brands/{brand_id}", "get", "v3/catalog/brands/1", None, 200),
        case(B, "/catalog/brands/{brand_id}", "get", "v3/catalog/brands/99", None, 404),
        case(
            B,
            "/catalog/brands/{brand_id}",
            "put",
            "v3/catalog/brands/2",
            Some(json!({ "name": "Globex Corp" })),
            200,
        ),
        case(B, "/catalog/brands/{brand_id}", "put", "v3/catalog/brands/2", Some(json!({ "name": "acme" })), 409),
        // inventory
        case(
            I,
            "/inventory/adjustments/absolute",
            "put",
            "v3/inventory/adjustments/absolute",
            Some(
                json!({ "reason": "count", "items": [{ "location_id": 1, "product_id": 1, "quantity": 30 }, { "location_id": 1, "sku": "SH-R", "quantity": 9 }] }),
            ),
            200,
        ),
        case(
            I,
            "/inventory/adjustments/absolute",
            "put",
            "v3/inventory/adjustments/absolute",
            Some(json!({ "items": [{ "location_id": 1, "product_id": 2, "quantity": 1 }] })),
            422,
        ),
        case(
            I,
            "/inventory/adjustments/relative",
            "post",
            "v3/inventory/adjustments/relative",
            Some(json!({ "reason": "sale", "items": [{ "location_id": 1, "variant_id": 3, "quantity": -2 }] })),
            200,
        ),
        case(
            I,
            "/inventory/adjustments/relative",
            "post",
            "v3/inventory/adjustments/relative",
            Some(json!({ "items": [{ "location_id": 1, "variant_id": 3, "quantity": -999 }] })),
            422,
        ),
        case(I, "/inventory/items", "get", "v3/inventory/items", None, 200),
        case(
            I,
            "/inventory/locations/{location_id}/items",
            "get",
            "v3/inventory/locations/1/items?product_id:in=1,2",
            None,
            200,
        ),
        case(I, "/inventory/locations/{location_id}/items", "get", "v3/inventory/locations/5/items", None, 404),
        case(
            I,
            "/inventory/locations/{location_id}/items",
            "put",
            "v3/inventory/locations/1/items",
            Some(json!({ "settings": [{ "identity": { "sku": "MUG" }, "safety_stock": 2, "warning_level": 3 }] })),
            200,
        ),
        case(
            I,
            "/inventory/locations/{location_id}/items",
            "put",
            "v3/inventory/locations/1/items",
            Some(json!({ "settings": [{ "identity": { "sku": "NOPE" }, "safety_stock": 2 }] })),
            422,
        ),
        // customers
        case(CU3, "/customers", "get", "v3/customers?include=addresses", None, 200),
        case(
            CU3,
            "/customers",
            "post",
            "v3/customers",
            Some(json!([{ "email": "c@example.com", "first_name": "C", "last_name": "D", "company": "Co" }])),
            200,
        ),
        case(CU3, "/customers", "post", "v3/customers", Some(json!([{ "email": "x@example.com" }])), 422),
        case(CU3, "/customers", "post", "v3/customers", Some(json!(vec![json!({}); 11])), 413),
        case(CU3, "/customers", "put", "v3/customers", Some(json!([{ "id": 2, "phone": "555" }])), 200),
        case(CU3, "/customers", "put", "v3/customers", Some(json!([{ "id": 2, "email": "a@example.com" }])), 422),
        case(CU2, "/customer_groups", "get", "v2/customer_groups", None, 200),
        case(
            CU2,
            "/customer_groups",
            "post",
            "v2/customer_groups",
            Some(
                json!({ "name": "Wholesale", "discount_rules": [{ "type": "all", "method": "percent", "amount": "10.0000" }] }),
            ),
            200,
        ),
        case(CU2, "/customer_groups/count", "get", "v2/customer_groups/count", None, 200),
        case(CU2, "/customer_groups/{customer_group_id}", "get", "v2/customer_groups/1", None, 200),
        case(
            CU2,
            "/customer_groups/{customer_group_id}",
            "put",
            "v2/customer_groups/1",
            Some(json!({ "name": "Retail+" })),
            200,
        ),
        // orders v2
        case(O2, "/orders", "get", "v2/orders?sort=date_modified:desc", None, 200),
        case(
            O2,
            "/orders",
            "post",
            "v2/orders",
            Some(json!({ "billing_address": addr, "products": [{ "product_id": 2, "variant_id": 3, "quantity": 1 }],
             "shipping_addresses": [addr], "external_source": "POS" })),
            200,
        ),
        case(O2, "/orders/{order_id}", "get", "v2/orders/1", None, 200),
        case(O2, "/orders/{order_id}", "get", "v2/orders/999", None, 404),
        case(
            O2,
            "/orders/{order_id}",
            "put",
            "v2/orders/2",
            Some(json!({ "status_id": 11, "staff_notes": "packed" })),
            200,
        ),
        case(O2, "/orders/{order_id}/products", "get", "v2/orders/1/products", None, 200),
        case(O2, "/orders/{order_id}/shipping_addresses", "get", "v2/orders/1/shipping_addresses", None, 200),
        case(O2, "/order_statuses", "get", "v2/order_statuses", None, 200),
        case(O2, "/order_statuses/{status_id}", "get", "v2/order_statuses/11", None, 200),
        // orders v3 payments
        case(O3, "/orders/{order_id}/transactions", "get", "v3/orders/1/transactions", None, 200),
        case(O3, "/orders/{order_id}/transactions", "get", "v3/orders/2/transactions", None, 204),
        case(O3, "/orders/{order_id}/transactions", "get", "v3/orders/999/transactions", None, 404),
        case(
            O3,
            "/orders/{order_id}/payment_actions/refund_quotes",
            "post",
            "v3/orders/1/payment_actions/refund_quotes",
            Some(json!({ "items": refund["items"] })),
            201,
        ),
        case(
            O3,
            "/orders/{order_id}/payment_actions/refund_quotes",
            "post",
            "v3/orders/1/payment_actions/refund_quotes",
            Some(json!({ "items": [] })),
            422,
        ),
        case(
            O3,
            "/orders/{order_id}/payment_actions/refunds",
            "post",
            "v3/orders/1/payment_actions/refunds",
            Some(refund.clone()),
            201,
        ),
        case(
            O3,
            "/orders/{order_id}/payment_actions/refunds",
            "post",
            "v3/orders/1/payment_actions/refunds",
            Some(
                json!({ "items": [{ "item_type": "ORDER", "amount": 500 }], "payments": [{ "provider_id": "custom", "amount": 500 }] }),
            ),
            422,
        ),
        case(O3, "/orders/{order_id}/payment_actions/refunds", "get", "v3/orders/1/payment_actions/refunds", None, 200),
        case(
            O3,
            "/orders/payment_actions/refunds",
            "get",
            "v3/orders/payment_actions/refunds?order_id:in=1",
            None,
            200,
        ),
        // webhooks
        case(
            W,
            "/hooks",
            "post",
            "v3/hooks",
            Some(
                json!({ "scope": "store/order/*", "destination": "https://app.example.com/hooks", "headers": { "x-k": "v" } }),
            ),
            200,
        ),
        case(
            W,
            "/hooks",
            "post",
            "v3/hooks",
            Some(json!({ "scope": "store/order/*", "destination": "https://app.example.com/hooks" })),
            422,
        ),
        case(W, "/hooks", "get", "v3/hooks", None, 200),
        case(W, "/hooks/{webhook_id}", "get", "v3/hooks/1", None, 200),
        case(W, "/hooks/{webhook_id}", "get", "v3/hooks/99", None, 404),
        case(W, "/hooks/{webhook_id}", "put", "v3/hooks/1", Some(json!({ "is_active": false })), 200),
        case(W, "/hooks/{webhook_id}", "delete", "v3/hooks/1", None, 200),
        // store information
        case(S, "/store", "get", "v2/store", None, 200),
        case(S, "/time", "get", "v2/time", None, 200),
        // deletes last
        case(
            V,
            "/catalog/products/{product_id}/variants/{variant_id}",
            "delete",
            "v3/catalog/products/2/variants/6",
            None,
            204,
        ),
        case(P, "/catalog/products/{product_id}", "delete", "v3/catalog/products/3", None, 204),
        case(P, "/catalog/products", "delete", "v3/catalog/products?id:in=2", None, 204),
        case(C, "/catalog/categories/{category_id}", "delete", "v3/catalog/categories/2", None, 204),
        case(B, "/catalog/brands/{brand_id}", "delete", "v3/catalog/brands/2", None, 204),
        case(CU3, "/customers", "delete", "v3/customers?id:in=2", None, 204),
        case(CU2, "/customer_groups/{customer_group_id}", "delete", "v2/customer_groups/2", None, 204),
    ];

    let mut specs: HashMap<&str, Spec> = HashMap::new();
    let mut failures = Vec::new();
    for c in &cases {
        let spec = specs.entry(c.spec).or_insert_with(|| Spec::load(c.spec));
        let r = bc.call(&c.method.to_uppercase(), &c.url, c.body.clone()).await;
        let label = format!("{} {} ({} {})", c.method.to_uppercase(), c.url, c.spec, c.path);
        if r.status != c.status {
            failures.push(format!("{label}: status {} (wanted {}): {}", r.status, c.status, r.raw));
            continue;
        }
        match spec.response_schema(c.path, c.method, r.status) {
            Err(e) => failures.push(format!("{label}: {e}")),
            // HTTP forbids a 204 body, whatever schema the spec attaches to it.
            Ok(_) if r.status == 204 => {
                if !r.raw.is_empty() {
                    failures.push(format!("{label}: 204 with a body: {}", r.raw));
                }
            }
            Ok(None) => {
                if !r.raw.is_empty() {
                    failures.push(format!("{label}: the spec documents no body, got {}", r.raw));
                }
            }
            Ok(Some(schema)) => {
                if let Err(errs) = spec.validate(&schema, &r.body) {
                    failures.push(format!("{label}:\n    {}\n    body: {}", errs.join("\n    "), r.raw));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} responses do not conform:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    let counts: BTreeMap<String, u64> =
        bc.http.get(format!("{}/_emulator/requests", bc.emu.base_url())).send().await.unwrap().json().await.unwrap();
    let hit: Vec<String> = counts
        .keys()
        .filter_map(|k| k.split_once(' ').map(|(m, p)| format!("{m} {}", p.replace("/stores/{store_hash}", ""))))
        .collect();
    let missing: Vec<_> = SERVED.iter().filter(|s| !hit.contains(&s.to_string())).collect();
    assert!(missing.is_empty(), "served routes not covered by the schema check: {missing:?}");
    let unknown: Vec<_> = hit
        .iter()
        .filter(|h| h.contains("/v2/") || h.contains("/v3/"))
        .filter(|h| !SERVED.contains(&h.as_str()))
        .collect();
    assert!(unknown.is_empty(), "SERVED is missing routes: {unknown:?}");
}

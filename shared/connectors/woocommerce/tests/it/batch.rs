//! Batch writes at WooCommerce's maximum (100 items per request), per-item errors surfaced.

use posbridge_connector_woocommerce::client::{BatchRequest, ItemError};
use serde_json::{Value, json};

use crate::support::{id, shop};

#[tokio::test]
async fn large_inputs_are_split_into_requests_of_100() {
    let s = shop().await;
    let create: Vec<Value> = (0..250).map(|i| json!({ "name": format!("B{i}"), "sku": format!("B-{i}") })).collect();
    let res = s.client.batch_products(&BatchRequest { create, ..Default::default() }).await;
    assert_eq!(res.create.len(), 250);
    assert!(res.errors().is_empty(), "{:?}", res.errors());
    assert_eq!(res.create[249].as_ref().unwrap()["sku"], "B-249", "results keep input order");
    assert_eq!(s.count("POST", "/products/batch").await, 3);
    assert_eq!(s.stored("products").len(), 250);

    // Mixed: 120 updates + 90 deletes = 210 items -> 3 requests, none above 100 (else 413).
    let ids: Vec<u64> = res.create.iter().map(|r| id(r.as_ref().unwrap())).collect();
    let update = ids[..120].iter().map(|i| json!({ "id": i, "regular_price": "2.00" })).collect();
    let delete = ids[160..].to_vec();
    s.reset_counts().await;
    let res = s.client.batch_products(&BatchRequest { update, delete, ..Default::default() }).await;
    assert!(res.errors().is_empty(), "{:?}", res.errors());
    assert_eq!((res.update.len(), res.delete.len()), (120, 90));
    assert_eq!(s.count("POST", "/products/batch").await, 3);
    assert_eq!(s.stored("products").len(), 160);
}

#[tokio::test]
async fn each_failed_item_carries_its_own_error() {
    let s = shop().await;
    let taken = s.client.create_product(&json!({ "name": "Taken", "sku": "TAKEN" })).await.unwrap();
    let res = s
        .client
        .batch_products(&BatchRequest {
            create: vec![json!({ "name": "New", "sku": "NEW" }), json!({ "name": "Clash", "sku": "taken" })],
            update: vec![json!({ "id": 987_654, "name": "ghost" })],
            delete: vec![987_655],
        })
        .await;
    assert!(res.create[0].is_ok());
    assert_eq!(
        res.create[1],
        Err(ItemError::Platform {
            id: 0,
            code: "product_invalid_sku".into(),
            message: "Invalid or duplicated SKU.".into(),
            status: Some(400),
            resource_id: Some(id(&taken)),
        })
    );
    assert_eq!(res.update[0].as_ref().unwrap_err().code(), Some("woocommerce_rest_product_invalid_id"));
    assert!(res.delete[0].is_err());
    assert_eq!(res.errors().len(), 3);
}

#[tokio::test]
async fn customers_and_categories_batch_too() {
    let s = shop().await;
    let create: Vec<Value> = (0..101).map(|i| json!({ "email": format!("c{i}@example.com") })).collect();
    let res = s.client.batch_customers(&BatchRequest { create, ..Default::default() }).await;
    assert!(res.errors().is_empty());
    assert_eq!(s.count("POST", "/customers/batch").await, 2);
    let res = s
        .client
        .batch_terms(
            posbridge_connector_woocommerce::client::TermKind::Category,
            &BatchRequest { create: vec![json!({ "name": "Cups" })], ..Default::default() },
        )
        .await;
    assert_eq!(res.create[0].as_ref().unwrap()["name"], "Cups");
}

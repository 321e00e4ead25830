//! Each typed call against the emulator.

use emu_woocommerce::READ_ONLY_KEY;
use posbridge_connector_core::ConnectorError;
use posbridge_connector_woocommerce::client::{StockTarget, TermKind};
use serde_json::json;

use crate::support::{client_for, id, shop};

#[tokio::test]
async fn products_are_created_read_updated_found_by_sku_and_deleted() {
    let s = shop().await;
    let c = &s.client;
    let p = c.create_product(&json!({ "name": "Mug", "sku": "MUG-1", "regular_price": "9.50" })).await.unwrap();
    let pid = id(&p);
    assert_eq!(c.get_product(pid).await.unwrap()["sku"], "MUG-1");
    let up = c.update_product(pid, &json!({ "regular_price": "11.00" })).await.unwrap();
    assert_eq!(up["price"], "11.00");
    assert_eq!(id(&c.find_product_by_sku("mug-1").await.unwrap().expect("found case-insensitively")), pid);
    assert_eq!(c.find_product_by_sku("NOPE").await.unwrap(), None);
    assert_eq!(c.list_products(&[("sku", "MUG-1")]).await.unwrap().len(), 1);
    c.delete_product(pid).await.unwrap();
    assert_eq!(c.get_product(pid).await.unwrap_err(), ConnectorError::NotFound);
}

#[tokio::test]
async fn duplicate_skus_are_refused_with_the_platform_code() {
    let s = shop().await;
    s.client.create_product(&json!({ "name": "A", "sku": "DUP" })).await.unwrap();
    let e = s.client.create_product(&json!({ "name": "B", "sku": "dup" })).await.unwrap_err();
    assert!(
        matches!(e, ConnectorError::Rejected { status: 400, ref code, .. } if code.as_deref() == Some("product_invalid_sku")),
        "{e:?}"
    );
    assert_eq!(s.stored("products").len(), 1);
}

#[tokio::test]
async fn variations_live_under_their_product() {
    let s = shop().await;
    let c = &s.client;
    let parent = c
        .create_product(&json!({ "name": "Tee", "type": "variable",
            "attributes": [{ "name": "Size", "variation": true, "options": ["S", "M"] }] }))
        .await
        .unwrap();
    let pid = id(&parent);
    let v = c
        .create_variation(
            pid,
            &json!({ "sku": "TEE-S", "regular_price": "5.00", "attributes": [{ "name": "Size", "option": "S" }] }),
        )
        .await
        .unwrap();
    let vid = id(&v);
    c.create_variation(pid, &json!({ "sku": "TEE-M", "attributes": [{ "name": "Size", "option": "M" }] }))
        .await
        .unwrap();
    assert_eq!(c.list_variations(pid).await.unwrap().len(), 2);
    assert_eq!(c.get_variation(pid, vid).await.unwrap()["sku"], "TEE-S");
    assert_eq!(
        c.update_variation(pid, vid, &json!({ "regular_price": "6.00" })).await.unwrap()["regular_price"],
        "6.00"
    );
    assert_eq!(id(&c.find_variation_by_sku(pid, "TEE-S").await.unwrap().unwrap()), vid);
    assert_eq!(c.find_product_by_sku("TEE-S").await.unwrap(), None, "a variation is not a product");
    c.delete_variation(pid, vid).await.unwrap();
    assert_eq!(c.list_variations(pid).await.unwrap().len(), 1);
}

#[tokio::test]
async fn stock_is_set_absolutely_one_by_one_and_in_batches() {
    let s = shop().await;
    let c = &s.client;
    let simple = id(&c.create_product(&json!({ "name": "S", "sku": "S1" })).await.unwrap());
    let other = id(&c.create_product(&json!({ "name": "S2", "sku": "S2" })).await.unwrap());
    let parent = id(&c
        .create_product(&json!({ "name": "V", "type": "variable",
            "attributes": [{ "name": "Size", "variation": true, "options": ["S", "M"] }] }))
        .await
        .unwrap());
    let v1 =
        id(&c.create_variation(parent, &json!({ "attributes": [{ "name": "Size", "option": "S" }] })).await.unwrap());
    let v2 =
        id(&c.create_variation(parent, &json!({ "attributes": [{ "name": "Size", "option": "M" }] })).await.unwrap());

    let r = c.set_stock(StockTarget { product_id: simple, variation_id: 0, quantity: 7 }).await.unwrap();
    assert_eq!((r["manage_stock"].clone(), r["stock_quantity"].clone()), (json!(true), json!(7)));
    let r = c.set_stock(StockTarget { product_id: parent, variation_id: v1, quantity: 3 }).await.unwrap();
    assert_eq!(r["stock_quantity"], 3);

    s.reset_counts().await;
    let targets = [
        StockTarget { product_id: parent, variation_id: v2, quantity: 4 },
        StockTarget { product_id: simple, variation_id: 0, quantity: 1 },
        StockTarget { product_id: 999_999, variation_id: 0, quantity: 1 },
        StockTarget { product_id: other, variation_id: 0, quantity: 0 },
    ];
    let res = c.set_stocks(&targets).await;
    assert_eq!(res[0].as_ref().unwrap()["stock_quantity"], 4);
    assert_eq!(res[1].as_ref().unwrap()["stock_quantity"], 1);
    assert_eq!(res[2].as_ref().unwrap_err().code(), Some("woocommerce_rest_product_invalid_id"));
    assert_eq!(res[3].as_ref().unwrap()["stock_status"], "outofstock");
    assert_eq!(s.count("POST", "/batch").await, 2, "one batch for products, one per variable parent");
    assert_eq!(c.get_variation(parent, v2).await.unwrap()["stock_quantity"], 4);
}

#[tokio::test]
async fn terms_are_ensured_once_by_name() {
    let s = shop().await;
    let c = &s.client;
    let a = c.ensure_term(TermKind::Category, "Mugs").await.unwrap();
    let b = c.ensure_term(TermKind::Category, "mugs").await.unwrap();
    assert_eq!(id(&a), id(&b));
    let tag = c.create_term(TermKind::Tag, &json!({ "name": "Sale" })).await.unwrap();
    assert_eq!(c.update_term(TermKind::Tag, id(&tag), &json!({ "name": "Promo" })).await.unwrap()["name"], "Promo");
    let names: Vec<String> = c
        .list_terms(TermKind::Category)
        .await
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"Mugs".to_string()) && names.iter().filter(|n| *n == "Mugs").count() == 1, "{names:?}");
    c.delete_term(TermKind::Tag, id(&tag)).await.unwrap();
    assert!(c.list_terms(TermKind::Tag).await.unwrap().is_empty());
}

#[tokio::test]
async fn customers_are_created_found_by_email_updated_and_deleted() {
    let s = shop().await;
    let c = &s.client;
    let cu = c
        .create_customer(&json!({ "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee" }))
        .await
        .unwrap();
    let cid = id(&cu);
    assert_eq!(c.get_customer(cid).await.unwrap()["first_name"], "Ann");
    assert_eq!(c.update_customer(cid, &json!({ "last_name": "Li" })).await.unwrap()["last_name"], "Li");
    assert_eq!(id(&c.find_customer_by_email("ANN@example.com").await.unwrap().unwrap()), cid);
    assert_eq!(c.list_customers(&[]).await.unwrap().len(), 1);
    c.delete_customer(cid).await.unwrap();
    assert_eq!(c.find_customer_by_email("ann@example.com").await.unwrap(), None);
}

#[tokio::test]
async fn orders_change_status_and_take_refunds() {
    let s = shop().await;
    let c = &s.client;
    let p = id(&c.create_product(&json!({ "name": "Mug", "sku": "M", "regular_price": "10.00" })).await.unwrap());
    let o = c
        .create_order(&json!({ "status": "processing", "line_items": [{ "product_id": p, "quantity": 2 }] }))
        .await
        .unwrap();
    let oid = id(&o);
    assert_eq!(c.update_order_status(oid, "completed").await.unwrap()["status"], "completed");
    assert_eq!(c.get_order(oid).await.unwrap()["status"], "completed");
    assert_eq!(c.list_orders(&[("status", "completed")]).await.unwrap().len(), 1);
    let r = c
        .create_refund(
            oid,
            &json!({ "amount": "5.00", "reason": "chipped", "api_refund": false, "api_restock": false }),
        )
        .await
        .unwrap();
    assert_eq!(r["amount"], "5.00");
    assert_eq!(c.list_refunds(oid).await.unwrap().len(), 1);
    c.delete_refund(oid, id(&r)).await.unwrap();
    assert!(c.list_refunds(oid).await.unwrap().is_empty());
    c.update_order(oid, &json!({ "customer_note": "thanks" })).await.unwrap();
    c.delete_order(oid).await.unwrap();
    assert_eq!(c.get_order(oid).await.unwrap_err(), ConnectorError::NotFound);
}

#[tokio::test]
async fn webhooks_are_managed_with_posbridges_secret() {
    let s = shop().await;
    let c = &s.client;
    let url = "https://posbridge.example/webhooks/woocommerce/int-1";
    let h = c.create_webhook("posbridge orders", "order.updated", url, "first-secret").await.unwrap();
    let hid = id(&h);
    assert!(h.get("secret").is_none(), "WooCommerce never echoes the secret");
    assert_eq!(s.emu.webhook(hid).unwrap().secret, "first-secret");
    assert_eq!(c.get_webhook(hid).await.unwrap()["topic"], "order.updated");

    // Disabled after failed deliveries: ensuring it re-activates the same hook with the new secret.
    c.update_webhook(hid, &json!({ "status": "disabled" })).await.unwrap();
    let again = c.ensure_webhook("posbridge orders", "order.updated", url, "second-secret").await.unwrap();
    assert_eq!((id(&again), again["status"].as_str()), (hid, Some("active")));
    assert_eq!(s.emu.webhook(hid).unwrap().secret, "second-secret");
    let other = c.ensure_webhook("posbridge products", "product.updated", url, "s").await.unwrap();
    assert_ne!(id(&other), hid);
    assert_eq!(c.list_webhooks().await.unwrap().len(), 2);
    c.delete_webhook(hid).await.unwrap();
    assert_eq!(c.list_webhooks().await.unwrap().len(), 1);
}

#[tokio::test]
async fn wrong_or_read_only_keys_are_refused() {
    let s = shop().await;
    let bad = client_for(&s.emu, ("ck_nope", "cs_nope"));
    assert_eq!(bad.list_products(&[]).await.unwrap_err(), ConnectorError::Unauthorized);
    let ro = client_for(&s.emu, READ_ONLY_KEY);
    assert!(ro.list_products(&[]).await.is_ok());
    assert_eq!(ro.create_product(&json!({ "name": "x" })).await.unwrap_err(), ConnectorError::Unauthorized);
}

//! Purchase orders, stocktakes and transfers change stock and emit `inventory.updated`.

use serde_json::json;

use crate::common::Pos;

#[tokio::test]
async fn receiving_a_purchase_order_adds_stock_once() {
    let pos = Pos::start().await;
    let p = pos.seed_simple("PO", "4.00", "1");
    let po = pos
        .ok(
            "/api/v1/purchase_orders/create",
            json!({"outlet_id": 1, "supplier_name": "Farm", "lines": [
            {"product_id": p, "quantity": "12.25", "cost": "2.00"}]}),
        )
        .await;
    assert_eq!((po["status"].as_str(), po["total_cost"].as_str()), (Some("ordered"), Some("24.50")));
    assert_eq!(pos.stock(p, None, 1), "1.000", "ordering alone changes nothing");
    let path = format!("/api/v1/purchase_orders/receive/{}", po["id"]);
    let got = pos.ok(&path, json!({})).await;
    assert_eq!(got["status"], "received");
    assert_eq!(pos.stock(p, None, 1), "13.250");
    let r = pos.post(&path, json!({})).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (409, Some("already_received")));
    assert_eq!(pos.stock(p, None, 1), "13.250");
    let inv = pos.events_of("inventory.updated");
    assert_eq!(inv.len(), 1);
    assert_eq!(inv[0]["data"]["reason"], "purchase_order");
    assert_eq!(inv[0]["data"]["stock"], "13.250");
    assert_eq!(pos.events_of("purchase_order.received").len(), 1);
    assert_eq!(pos.get("/api/v1/purchase_orders/get_all").await.body["totalCount"], 1);
    assert_eq!(pos.post("/api/v1/purchase_orders/receive/77", json!({})).await.status, 404);
}

#[tokio::test]
async fn a_stocktake_sets_absolute_counts() {
    let pos = Pos::start().await;
    let a = pos.seed_simple("ST-A", "1.00", "7");
    let b = pos.seed_simple("ST-B", "1.00", "2");
    let st = pos
        .ok(
            "/api/v1/stocktakes/create",
            json!({"outlet_id": 1, "counts": [
            {"product_id": a, "count": "5"}, {"product_id": b, "count": "2"}]}),
        )
        .await;
    assert_eq!(
        st["lines"][0],
        json!({"product_id": a, "variant_id": null, "previous": "7.000", "counted": "5.000", "difference": "-2.000"})
    );
    assert_eq!(pos.stock(a, None, 1), "5.000");
    let inv = pos.events_of("inventory.updated");
    assert_eq!(inv.len(), 1, "an unchanged count emits nothing");
    assert_eq!(inv[0]["data"]["reason"], "stocktake");
    let r = pos
        .post("/api/v1/stocktakes/create", json!({"outlet_id": 1, "counts": [{"product_id": a, "count": "-1"}]}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(pos.get("/api/v1/stocktakes/get_all").await.body["totalCount"], 1);
}

#[tokio::test]
async fn a_transfer_moves_stock_between_outlets() {
    let pos = Pos::start().await;
    pos.emu.seed(json!({"outlets": [{"id": 2, "name": "Web store"}]})).unwrap();
    let p = pos.seed_simple("TR", "1.00", "10");
    let t = pos
        .ok(
            "/api/v1/transfers/create",
            json!({"source_outlet_id": 1, "destination_outlet_id": 2, "lines": [{"product_id": p, "quantity": "4"}]}),
        )
        .await;
    assert_eq!(t["status"], "completed");
    assert_eq!((pos.stock(p, None, 1), pos.stock(p, None, 2)), ("6.000".into(), "4.000".into()));
    let inv = pos.events_of("inventory.updated");
    let outlets: Vec<_> =
        inv.iter().map(|e| (e["data"]["outlet_id"].as_i64().unwrap(), e["data"]["delta"].clone())).collect();
    assert_eq!(outlets, vec![(1, json!("-4.000")), (2, json!("4.000"))]);
    let r = pos
        .post(
            "/api/v1/transfers/create",
            json!({"source_outlet_id": 1, "destination_outlet_id": 1, "lines": [{"product_id": p, "quantity": "1"}]}),
        )
        .await;
    assert_eq!(r.status, 400);
    let untracked = pos.emu.seed_product(json!({"name": "Service", "track_inventory": false})).unwrap();
    let r = pos
        .post("/api/v1/transfers/create", json!({"source_outlet_id": 1, "destination_outlet_id": 2, "lines": [{"product_id": untracked, "quantity": "1"}]}))
        .await;
    assert_eq!(r.status, 400, "untracked products have no stock to move");
    assert_eq!(pos.get("/api/v1/transfers/get_all").await.body["totalCount"], 1);
}

//! The emulator's own control routes: seed, state, reset, settings.

use serde_json::{Value, json};

use crate::common::Pos;

#[tokio::test]
async fn seed_state_and_reset_over_http() {
    let pos = Pos::start().await;
    let seed = json!({
        "outlets": [{"id": 5, "name": "Pop-up"}],
        "registers": [{"outlet_id": 5, "name": "Till", "status": "open"}],
        "taxes": [{"name": "VAT", "rate": "20", "is_default": true}],
        "payment_types": [{"name": "Voucher"}],
        "brands": [{"name": "B"}], "product_types": [{"name": "T"}], "customer_groups": [{"name": "G"}],
        "customers": [{"first_name": "A", "last_name": "B"}],
        "products": [{"name": "P", "sku": "SEED-1", "product_outlets": [{"outlet_id": 5, "stock": "2"}]}],
    });
    let r = pos.http.post(pos.url("/_emulator/seed")).json(&seed).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let ids: Value = r.json().await.unwrap();
    assert_eq!(ids["outlets"], json!([5]));
    assert_eq!(ids["products"], json!([1]));
    assert!(pos.emu.events().is_empty(), "seeding is silent");

    let state: Value = pos.http.get(pos.url("/_emulator/state")).send().await.unwrap().json().await.unwrap();
    assert_eq!(state["outlets"].as_array().unwrap().len(), 2);
    assert_eq!(state["settings"]["default_tax_id"], 3);
    assert_eq!(state["registers"][1]["status"], "open");
    assert_eq!(state["products"][0]["product_outlets"][1]["stock"], "2.000");
    assert_eq!(state, pos.emu.state());

    let bad = pos
        .http
        .post(pos.url("/_emulator/seed"))
        .json(&json!({"registers": [{"outlet_id": 99, "name": "x"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let r = pos.http.post(pos.url("/_emulator/reset")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let state = pos.emu.state();
    assert_eq!(state["outlets"].as_array().unwrap().len(), 1);
    assert!(state["products"].as_array().unwrap().is_empty());
    assert_eq!(pos.get("/api/v1/store/get").await.status, 200, "tokens survive a reset");
}

#[tokio::test]
async fn a_bare_store_starts_empty() {
    let pos = Pos::with(emu_pos::Config { seed_defaults: false, ..Default::default() }).await;
    assert_eq!(pos.get("/api/v1/outlets/get_all").await.body["totalCount"], 0);
    pos.emu.set_tax_inclusive(false);
    assert_eq!(pos.get("/api/v1/store/get").await.body["tax_inclusive"], false);
}

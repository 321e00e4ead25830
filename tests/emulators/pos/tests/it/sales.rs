//! Sales: statuses and their stock effect, payments, registers, taxes, shipping, serial numbers,
//! idempotency by external reference, and date-range listing.

use serde_json::{Value, json};

use crate::common::Pos;

fn completed(product: i64, qty: &str, amount: &str) -> Value {
    json!({"outlet_id": 1, "register_id": 1, "status": "completed",
           "lines": [{"product_id": product, "quantity": qty}],
           "payments": [{"payment_type_id": 1, "amount": amount}]})
}

#[tokio::test]
async fn completed_sales_take_stock_parked_ones_do_not() {
    let pos = Pos::start().await;
    let cheese = pos.seed_simple("CHEESE", "20.00", "3");
    // a fractional (weighed) sale: 0.5 kg
    let s = pos.ok("/api/v1/sales/create", completed(cheese, "0.5", "10.00")).await;
    assert_eq!(s["lines"][0]["quantity"], "0.500");
    assert_eq!(s["payment_status"], "paid");
    assert_eq!(pos.stock(cheese, None, 1), "2.500");
    let inv = pos.events_of("inventory.updated");
    assert_eq!(inv.len(), 1);
    assert_eq!(inv[0]["data"]["delta"], "-0.500");
    assert_eq!(inv[0]["data"]["reason"], "sale");

    pos.ok(
        "/api/v1/sales/create",
        json!({"outlet_id": 1, "status": "parked", "lines": [{"product_id": cheese, "quantity": "1"}]}),
    )
    .await;
    assert_eq!(pos.stock(cheese, None, 1), "2.500", "parked: no stock change");
}

#[tokio::test]
async fn parked_then_completed_takes_stock_and_void_returns_it() {
    let pos = Pos::start().await;
    let p = pos.seed_simple("P", "10.00", "5");
    let s = pos
        .ok("/api/v1/sales/create", json!({"outlet_id": 1, "register_id": 1, "status": "parked", "lines": [{"product_id": p, "quantity": "2"}]}))
        .await;
    let id = s["id"].clone();
    let s = pos
        .ok(
            "/api/v1/sales/create",
            json!({"id": id, "status": "completed", "payments": [{"payment_type_id": 2, "amount": "20.00"}]}),
        )
        .await;
    assert_eq!(s["status"], "completed");
    assert_eq!(pos.stock(p, None, 1), "3.000");
    let updated = pos.events_of("sale.updated");
    assert_eq!(updated[0]["data"]["previous_status"], "parked");

    let s = pos.ok("/api/v1/sales/create", json!({"id": id, "status": "voided"})).await;
    assert_eq!(s["payment_status"], "voided");
    assert_eq!(pos.stock(p, None, 1), "5.000");
    let r = pos.post("/api/v1/sales/create", json!({"id": id, "status": "completed"})).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (409, Some("sale_locked")));
}

#[tokio::test]
async fn layby_and_on_account_take_stock_and_are_paid_off_later() {
    let pos = Pos::start().await;
    let p = pos.seed_simple("L", "100.00", "5");
    let s = pos
        .ok(
            "/api/v1/sales/create",
            json!({"outlet_id": 1, "register_id": 1, "status": "layby",
             "lines": [{"product_id": p, "quantity": "1"}], "payments": [{"payment_type_id": 1, "amount": "30.00"}]}),
        )
        .await;
    assert_eq!((s["payment_status"].as_str(), s["balance"].as_str()), (Some("pending"), Some("70.00")));
    assert_eq!(pos.stock(p, None, 1), "4.000");
    let r = pos.post("/api/v1/sales/create", json!({"id": s["id"], "status": "completed"})).await;
    assert_eq!(r.status, 400, "completed needs full payment");
    let s = pos
        .ok(
            "/api/v1/sales/create",
            json!({"id": s["id"], "status": "completed", "payments": [{"payment_type_id": 1, "amount": "70.00"}]}),
        )
        .await;
    assert_eq!((s["payment_status"].as_str(), s["payments"].as_array().unwrap().len()), (Some("paid"), 2));
    assert_eq!(pos.stock(p, None, 1), "4.000", "no second deduction");

    pos.ok(
        "/api/v1/sales/create",
        json!({"outlet_id": 1, "status": "on_account", "lines": [{"product_id": p, "quantity": "1"}]}),
    )
    .await;
    assert_eq!(pos.stock(p, None, 1), "3.000");
}

#[tokio::test]
async fn refunds_are_negative_sales_that_return_stock() {
    let pos = Pos::start().await;
    let p = pos.seed_simple("R", "15.00", "2");
    let orig = pos.ok("/api/v1/sales/create", completed(p, "2", "30.00")).await;
    assert_eq!(pos.stock(p, None, 1), "0.000");
    let r = pos
        .post(
            "/api/v1/sales/create",
            json!({"outlet_id": 1, "status": "refunded", "lines": [{"product_id": p, "quantity": "1"}]}),
        )
        .await;
    assert_eq!(r.status, 400, "refund lines are negative");
    let refund = pos
        .ok(
            "/api/v1/sales/create",
            json!({"outlet_id": 1, "register_id": 1, "status": "refunded", "original_sale_id": orig["id"],
             "lines": [{"product_id": p, "quantity": "-1"}], "payments": [{"payment_type_id": 1, "amount": "-15.00"}]}),
        )
        .await;
    assert_eq!((refund["total"].as_str(), refund["payment_status"].as_str()), (Some("-15.00"), Some("refunded")));
    assert_eq!(pos.stock(p, None, 1), "1.000");
    assert_eq!(pos.events_of("inventory.updated").last().unwrap()["data"]["reason"], "refund");
    let r = pos.post("/api/v1/sales/create", json!({"id": orig["id"], "status": "refunded"})).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (409, Some("invalid_status_change")));
}

#[tokio::test]
async fn external_reference_makes_sale_creation_idempotent() {
    let pos = Pos::start().await;
    let p = pos.seed_simple("E", "5.00", "10");
    let mut body = completed(p, "1", "5.00");
    body["external_reference"] = json!("web-1001");
    let first = pos.post("/api/v1/sales/create", body.clone()).await;
    assert_eq!(first.status, 200);
    assert!(first.headers.get("x-pos-idempotent-replay").is_none());
    let again = pos.post("/api/v1/sales/create", body).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.headers["x-pos-idempotent-replay"], "true");
    assert_eq!(again.body, first.body);
    assert_eq!(pos.get("/api/v1/sales/get_all").await.body["totalCount"], 1);
    assert_eq!(pos.stock(p, None, 1), "9.000", "stock moved once");
    assert_eq!(pos.events_of("sale.created").len(), 1);
}

#[tokio::test]
async fn registers_open_close_and_a_payment_reopens_a_closed_one() {
    let pos = Pos::start().await;
    let p = pos.seed_simple("REG", "10.00", "10");
    let r = pos.ok("/api/v1/registers/open/1", json!({})).await;
    assert_eq!(r["status"], "open");
    pos.ok("/api/v1/sales/create", completed(p, "1", "10.00")).await;
    let r = pos.ok("/api/v1/registers/close/1", json!({})).await;
    assert_eq!(r["status"], "closed");
    assert_eq!(pos.post("/api/v1/registers/close/99", json!({})).await.status, 404);
    let closures = pos.get("/api/v1/registerClosures/get_all").await.body;
    assert_eq!(closures["items"][0]["total"], "10.00");
    assert_eq!(closures["items"][0]["payments"], json!([{"payment_type_id": 1, "total": "10.00"}]));

    // a web order paid into the closed register re-opens it
    pos.ok("/api/v1/sales/create", completed(p, "2", "20.00")).await;
    let regs = pos.get("/api/v1/outlets/get_Registers_all").await.body;
    assert_eq!(regs["items"][0]["status"], "open");
    let opened = pos.events_of("register.opened");
    assert_eq!(opened.len(), 2);
    assert_eq!(opened[1]["data"]["reason"], "payment");
    // a parked sale without payments leaves it alone
    pos.ok("/api/v1/registers/close/1", json!({})).await;
    pos.ok(
        "/api/v1/sales/create",
        json!({"outlet_id": 1, "register_id": 1, "status": "parked", "lines": [{"product_id": p, "quantity": "1"}]}),
    )
    .await;
    assert_eq!(pos.get("/api/v1/outlets/get_Registers_all").await.body["items"][0]["status"], "closed");
    let r = pos
        .post(
            "/api/v1/sales/create",
            json!({"outlet_id": 1, "status": "parked", "lines": [{"product_id": p, "quantity": "1"}],
        "payments": [{"payment_type_id": 1, "amount": "1.00"}]}),
        )
        .await;
    assert_eq!(r.status, 400, "payments need a register");
}

#[tokio::test]
async fn tax_inclusive_setting_and_the_shipping_line_drive_totals() {
    let pos = Pos::start().await;
    let p = pos.seed_simple("TAX", "11.00", "10");
    let body = json!({"outlet_id": 1, "status": "parked", "lines": [{"product_id": p, "quantity": "2"}],
                      "shipping": {"description": "Courier", "price": "5.50"}});
    let s = pos.ok("/api/v1/sales/create", body.clone()).await;
    assert_eq!(s["tax_inclusive"], true);
    assert_eq!(
        (s["total"].as_str(), s["tax_total"].as_str(), s["subtotal"].as_str()),
        (Some("27.50"), Some("2.50"), Some("25.00"))
    );
    assert_eq!(s["shipping"]["tax_amount"], "0.50");
    assert_eq!(s["lines"][0]["tax_rate"], "10.00");

    let r = pos.http.post(pos.url("/_emulator/settings")).json(&json!({"tax_inclusive": false})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(pos.get("/api/v1/store/get").await.body["tax_inclusive"], false);
    let s = pos.ok("/api/v1/sales/create", body).await;
    assert_eq!(
        (s["total"].as_str(), s["tax_total"].as_str(), s["netAmount"].as_str()),
        (Some("30.25"), Some("2.75"), Some("27.50"))
    );
    // a per-line tax override
    let s = pos
        .ok(
            "/api/v1/sales/create",
            json!({"outlet_id": 1, "status": "parked", "lines": [{"product_id": p, "quantity": "1", "tax_id": 2}]}),
        )
        .await;
    assert_eq!(s["tax_total"], "0.00");
    assert_eq!(pos.events_of("store.updated").len(), 1);
}

#[tokio::test]
async fn payment_rules_and_status_changes_are_enforced() {
    let pos = Pos::start().await;
    let p = pos.seed_simple("RULE", "10.00", "10");
    let r = pos.post("/api/v1/sales/create", completed(p, "1", "9.99")).await;
    assert_eq!(r.status, 400, "completed must be paid in full");
    let mut over = completed(p, "1", "20.00");
    over["status"] = json!("layby");
    assert_eq!(pos.post("/api/v1/sales/create", over).await.status, 400, "no overpayment");
    let r = pos
        .post(
            "/api/v1/sales/create",
            json!({"outlet_id": 1, "status": "sold", "lines": [{"product_id": p, "quantity": "1"}]}),
        )
        .await;
    assert_eq!(r.status, 400);
    let s = pos.ok("/api/v1/sales/create", completed(p, "1", "10.00")).await;
    let r = pos.post("/api/v1/sales/create", json!({"id": s["id"], "status": "parked"})).await;
    assert_eq!(r.status, 409);
    let r =
        pos.post("/api/v1/sales/create", json!({"id": s["id"], "lines": [{"product_id": p, "quantity": "3"}]})).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (409, Some("sale_locked")));
    assert_eq!(pos.post("/api/v1/sales/create", json!({"id": 999, "status": "voided"})).await.status, 404);
    assert_eq!(pos.stock(p, None, 1), "9.000", "rejected requests moved nothing");
}

#[tokio::test]
async fn serial_numbers_are_kept_and_editable_only_while_the_register_is_open() {
    let pos = Pos::start().await;
    let p = pos
        .emu
        .seed_product(json!({"name": "Phone", "sku": "PH", "price": "500.00", "serial_number_enabled": true,
        "product_outlets": [{"outlet_id": 1, "stock": "5"}]}))
        .unwrap();
    let mut body = completed(p, "2", "1000.00");
    body["lines"][0]["serial_numbers"] = json!(["SN-1"]);
    let s = pos.ok("/api/v1/sales/create", body.clone()).await;
    assert_eq!(s["lines"][0]["serial_numbers"], json!(["SN-1"]));
    body["lines"][0]["serial_numbers"] = json!(["a", "b", "c"]);
    assert_eq!(pos.post("/api/v1/sales/create", body).await.status, 400, "more serials than items");

    let path = format!("/api/v1/sales/update_serial_numbers/{}", s["id"]);
    let upd = json!({"lines": [{"line_id": 1, "serial_numbers": ["SN-1", "SN-2"]}]});
    let s2 = pos.ok(&path, upd.clone()).await; // the payment opened the register
    assert_eq!(s2["lines"][0]["serial_numbers"], json!(["SN-1", "SN-2"]));
    pos.ok("/api/v1/registers/close/1", json!({})).await;
    let r = pos.post(&path, upd).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (409, Some("register_closed")));
}

#[tokio::test]
async fn sales_list_by_transaction_date_range_and_sorting() {
    let pos = Pos::start().await;
    let p = pos.seed_simple("D", "1.00", "100");
    for (date, ext) in [("2024-03-01T10:00:00Z", "a"), ("2024-03-05T10:00:00Z", "b"), ("2024-03-09T10:00:00Z", "c")] {
        pos.ok(
            "/api/v1/sales/create",
            json!({"outlet_id": 1, "status": "parked", "transactionDate": date, "external_reference": ext,
             "lines": [{"product_id": p, "quantity": "1"}]}),
        )
        .await;
    }
    let r = pos.get("/api/v1/sales/get_all?invoice_range_from=2024-03-02T00:00:00.000Z&invoice_range_to=2024-03-31T23:59:59.000Z&Sorting=transactionDate%20desc").await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let refs: Vec<&str> =
        r.body["items"].as_array().unwrap().iter().map(|s| s["external_reference"].as_str().unwrap()).collect();
    assert_eq!(refs, ["c", "b"]);
    assert_eq!(r.body["items"][0]["transactionDate"], "2024-03-09T10:00:00Z");
    assert_eq!(pos.get("/api/v1/sales/get_all?invoice_range_from=yesterday").await.status, 400);
    assert_eq!(pos.get("/api/v1/sales/get_all?status=parked").await.body["totalCount"], 3);
    let id = r.body["items"][0]["id"].as_i64().unwrap();
    assert_eq!(pos.get(&format!("/api/v1/sales/get/{id}")).await.body["external_reference"], "c");
}

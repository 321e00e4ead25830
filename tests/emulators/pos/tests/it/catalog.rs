//! Products (simple, variants, composite), sales channels, active flag, per-outlet price, stock and
//! visibility, SKU/barcode uniqueness, and the reference data around them.

use serde_json::json;

use crate::common::Pos;

fn two_outlets() -> serde_json::Value {
    json!({ "outlets": [{"id": 2, "name": "Warehouse"}] })
}

#[tokio::test]
async fn create_get_by_sku_and_filter_a_simple_product() {
    let pos = Pos::start().await;
    pos.emu.seed(two_outlets()).unwrap();
    let brand = pos.ok("/api/v1/brands/create", json!({"name": "Acme"})).await["id"].as_i64().unwrap();
    let ptype = pos.ok("/api/v1/product_types/create", json!({"name": "Shirts"})).await["id"].as_i64().unwrap();
    let p = pos
        .ok(
            "/api/v1/products/create",
            json!({
                "name": "Tee", "sku": "TEE-1", "barcode": "9300000000011", "description": "cotton",
                "brand_id": brand, "product_type": [ptype], "price": "29.95",
                "sales_channels": ["POS", "eCommerce"], "isActive": false,
                "product_outlets": [
                    {"outlet_id": 1, "stock": "4"},
                    {"outlet_id": 2, "stock": "10.5", "is_visible": false}
                ]
            }),
        )
        .await;
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["sales_channels"], json!(["ecommerce", "pos"]));
    assert_eq!(p["isActive"], false);
    assert_eq!(p["price"], "29.95");
    assert_eq!(
        p["product_outlets"][0],
        json!({"outlet_id": 1, "price": "29.95", "stock": "4.000", "is_visible": true})
    );
    assert_eq!(p["product_outlets"][1]["stock"], "10.500");
    assert_eq!(p["product_outlets"][1]["is_visible"], false);

    let got = pos.get(&format!("/api/v1/products/get/{id}")).await;
    assert_eq!(got.body, p);
    assert_eq!(pos.get("/api/v1/products/by_sku?sku=tee-1").await.body["id"], id);
    assert_eq!(pos.get("/api/v1/products/by_sku?sku=NOPE").await.status, 404);
    assert_eq!(pos.get("/api/v1/products/get/999").await.status, 404);
    let found = pos.get("/api/v1/products/get_all?Filter=93000000").await;
    assert_eq!(found.body["totalCount"], 1);
    assert_eq!(pos.get("/api/v1/products/get_all?Filter=zzz").await.body["totalCount"], 0);
    assert_eq!(pos.events_of("product.created").len(), 1);
}

#[tokio::test]
async fn create_with_id_updates_and_keeps_absent_fields() {
    let pos = Pos::start().await;
    let id = pos.seed_simple("A-1", "5.00", "3");
    let p =
        pos.ok("/api/v1/products/create", json!({"id": id, "price": "6.50", "sales_channels": ["ecommerce"]})).await;
    assert_eq!(p["name"], "Item A-1", "absent fields are kept");
    assert_eq!(p["price"], "6.50");
    assert_eq!(p["sales_channels"], json!(["ecommerce"]));
    assert_eq!(p["product_outlets"][0]["stock"], "3.000");
    assert_eq!(pos.events_of("product.updated").len(), 1);
    let r = pos.post("/api/v1/products/create", json!({"id": 4242, "name": "ghost"})).await;
    assert_eq!(r.status, 404);
    let r = pos.post("/api/v1/products/create", json!({"sku": "no-name"})).await;
    assert_eq!(r.status, 400, "name is required");
}

#[tokio::test]
async fn sku_and_barcode_are_unique_across_products_and_variants() {
    let pos = Pos::start().await;
    pos.emu
        .seed_product(json!({"name": "Cap", "has_variants": true, "product_variants": [
            {"sku": "CAP-RED", "barcode": "111", "attributes": [{"name": "Colour", "value": "Red"}]}
        ]}))
        .unwrap();
    let r = pos.post("/api/v1/products/create", json!({"name": "Other", "sku": "cap-red"})).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (409, Some("duplicate_sku")));
    let r = pos.post("/api/v1/products/create", json!({"name": "Other", "sku": "X", "barcode": "111"})).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (409, Some("duplicate_barcode")));
    let r = pos
        .post(
            "/api/v1/products/create",
            json!({"name": "Dup", "has_variants": true, "product_variants": [{"sku": "V"}, {"sku": "v"}]}),
        )
        .await;
    assert_eq!(r.status, 409, "within one product too");
    assert_eq!(pos.get("/api/v1/products/get_all").await.body["totalCount"], 1, "nothing was created");
}

#[tokio::test]
async fn variant_products_keep_stock_and_price_on_variants() {
    let pos = Pos::start().await;
    let p = pos
        .ok(
            "/api/v1/products/create",
            json!({"name": "Shoe", "sku": "SHOE", "price": "80.00", "has_variants": true, "product_variants": [
                {"sku": "SHOE-8", "attributes": [{"name": "Size", "value": "8"}], "product_outlets": [{"outlet_id": 1, "stock": "2"}]},
                {"sku": "SHOE-9", "price": "85.00", "attributes": [{"name": "Size", "value": "9"}]}
            ]}),
        )
        .await;
    let pid = p["id"].as_i64().unwrap();
    let v8 = p["product_variants"][0]["id"].as_i64().unwrap();
    let v9 = p["product_variants"][1]["id"].as_i64().unwrap();
    assert_eq!(p["product_outlets"][0]["stock"], serde_json::Value::Null, "the parent keeps no stock");
    assert_eq!(p["product_variants"][0]["name"], "8");
    assert_eq!(p["product_variants"][0]["price"], "80.00", "variant price defaults to the product's");
    assert_eq!(p["product_variants"][1]["product_outlets"][0]["price"], "85.00");
    assert_eq!(pos.get("/api/v1/products/by_sku?sku=SHOE-9").await.body["id"], pid);

    // variants merge by id: update one, add one, keep the other
    let p = pos
        .ok(
            "/api/v1/products/create",
            json!({"id": pid, "product_variants": [{"id": v9, "isActive": false}, {"sku": "SHOE-10"}]}),
        )
        .await;
    assert_eq!(p["product_variants"].as_array().unwrap().len(), 3);
    assert_eq!(p["product_variants"][1]["isActive"], false);

    let sale = json!({"outlet_id": 1, "status": "parked", "lines": [{"product_id": pid, "quantity": "1"}]});
    let r = pos.post("/api/v1/sales/create", sale).await;
    assert_eq!(r.status, 400, "a variant product's line names the variant");
    pos.ok(
        "/api/v1/sales/create",
        json!({"outlet_id": 1, "register_id": 1, "status": "completed",
               "lines": [{"product_id": pid, "variant_id": v8, "quantity": "1"}],
               "payments": [{"payment_type_id": 1, "amount": "80.00"}]}),
    )
    .await;
    assert_eq!(pos.stock(pid, Some(v8), 1), "1.000");
}

#[tokio::test]
async fn composite_sale_deducts_its_components() {
    let pos = Pos::start().await;
    let a = pos.seed_simple("COMP-A", "1.00", "10");
    let b = pos.seed_simple("COMP-B", "1.00", "10");
    let kit = pos
        .ok(
            "/api/v1/products/create",
            json!({"name": "Gift box", "sku": "BOX", "price": "9.00", "is_composite": true, "composite_components": [
                {"product_id": a, "quantity": "2"}, {"product_id": b, "quantity": "0.5"}
            ]}),
        )
        .await;
    assert_eq!(kit["product_outlets"][0]["stock"], serde_json::Value::Null);
    pos.ok(
        "/api/v1/sales/create",
        json!({"outlet_id": 1, "register_id": 1, "status": "completed",
               "lines": [{"product_id": kit["id"], "quantity": "3"}],
               "payments": [{"payment_type_id": 1, "amount": "27.00"}]}),
    )
    .await;
    assert_eq!(pos.stock(a, None, 1), "4.000");
    assert_eq!(pos.stock(b, None, 1), "8.500");
    let r = pos
        .post("/api/v1/products/create", json!({"name": "Bad", "is_composite": true, "composite_components": [{"product_id": kit["id"], "quantity": "1"}]}))
        .await;
    assert_eq!(r.status, 400, "components cannot be composite");
}

#[tokio::test]
async fn pricing_by_outlet_sets_the_default_sale_price() {
    let pos = Pos::start().await;
    pos.emu.seed(two_outlets()).unwrap();
    pos.emu.seed(json!({"registers": [{"id": 2, "outlet_id": 2, "name": "Web"}]})).unwrap();
    let id = pos
        .emu
        .seed_product(json!({"name": "Jam", "sku": "JAM", "price": "5.00", "isPricingDifferentByOutlet": true,
            "product_outlets": [{"outlet_id": 2, "price": "6.00"}]}))
        .unwrap();
    let p = pos.get(&format!("/api/v1/products/get/{id}")).await.body;
    assert_eq!(p["product_outlets"][0]["price"], "5.00");
    assert_eq!(p["product_outlets"][1]["price"], "6.00");
    let sale = pos
        .ok(
            "/api/v1/sales/create",
            json!({"outlet_id": 2, "status": "parked", "lines": [{"product_id": id, "quantity": "2"}]}),
        )
        .await;
    assert_eq!(sale["lines"][0]["price"], "6.00");
    assert_eq!(sale["total"], "12.00");
}

#[tokio::test]
async fn delete_removes_the_product_and_emits_an_event() {
    let pos = Pos::start().await;
    let id = pos.seed_simple("DEL", "1.00", "0");
    let r = pos.delete(&format!("/api/v1/products/delete/{id}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(pos.get(&format!("/api/v1/products/get/{id}")).await.status, 404);
    assert_eq!(pos.delete(&format!("/api/v1/products/delete/{id}")).await.status, 404);
    assert_eq!(pos.events_of("product.deleted")[0]["data"]["sku"], "DEL");
}

#[tokio::test]
async fn money_and_quantities_must_be_exact_decimal_strings() {
    let pos = Pos::start().await;
    for body in [
        json!({"name": "x", "price": 12.5}),
        json!({"name": "x", "price": "12.555"}),
        json!({"name": "x", "product_outlets": [{"outlet_id": 1, "stock": "1.0001"}]}),
        json!({"name": "x", "sales_channels": ["instagram"]}),
        json!({"name": "x", "product_outlets": [{"outlet_id": 99}]}),
    ] {
        let r = pos.post("/api/v1/products/create", body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
    }
}

#[tokio::test]
async fn weighted_average_cost_refuses_manual_stock_changes() {
    let pos = Pos::with(emu_pos::Config { weighted_average_cost: true, ..Default::default() }).await;
    let id = pos.seed_simple("WAC", "1.00", "5");
    let r = pos
        .post("/api/v1/products/create", json!({"id": id, "product_outlets": [{"outlet_id": 1, "stock": "9"}]}))
        .await;
    assert_eq!(r.status, 400);
    let r = pos.post("/api/v1/products/create", json!({"id": id, "price": "2.00"})).await;
    assert_eq!(r.status, 200, "other fields still change");
}

#[tokio::test]
async fn reference_data_customers_taxes_payment_types_and_settings() {
    let pos = Pos::start().await;
    let g = pos.ok("/api/v1/customer_groups/create", json!({"name": "VIP"})).await;
    let c = pos
        .ok(
            "/api/v1/customers/create",
            json!({"first_name": "Ada", "last_name": "L", "email": "ada@x.io", "customer_group_id": g["id"]}),
        )
        .await;
    assert_eq!(c["customer_group_id"], g["id"]);
    assert_eq!(pos.post("/api/v1/customers/create", json!({"first_name": "NoLast"})).await.status, 400);
    let c2 = pos.ok("/api/v1/customers/create", json!({"id": c["id"], "phone": "123"})).await;
    assert_eq!((c2["first_name"].as_str(), c2["phone"].as_str()), (Some("Ada"), Some("123")));
    assert_eq!(pos.get(&format!("/api/v1/customers/get/{}", c["id"])).await.body["phone"], "123");
    assert_eq!(pos.get("/api/v1/customers/get_all?Filter=ada@").await.body["totalCount"], 1);
    assert_eq!(pos.get("/api/v1/customer_groups/get_all").await.body["totalCount"], 1);

    let taxes = pos.get("/api/v1/taxes/get_all").await.body;
    assert_eq!(taxes["items"][0], json!({"id": 1, "name": "GST", "rate": "10.00", "is_default": true}));
    let pts = pos.get("/api/v1/payment_types/get_all").await.body;
    assert_eq!(pts["totalCount"], 3);
    let store = pos.get("/api/v1/store/get").await.body;
    assert_eq!(store["tax_inclusive"], true);
    let regs = pos.get("/api/v1/outlets/get_Registers_all?outlet_id=1").await.body;
    assert_eq!(regs["items"][0]["status"], "closed");
    assert_eq!(pos.events_of("customer.created").len(), 1);
    assert_eq!(pos.events_of("customer.updated").len(), 1);
}

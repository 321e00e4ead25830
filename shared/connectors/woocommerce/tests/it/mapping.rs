//! The mapping's bodies are accepted by the emulator, and what it answers maps back.

use std::collections::BTreeMap;

use posbridge_connector_woocommerce::client::TermKind;
use posbridge_connector_woocommerce::{
    LinkedItem, TermIds, WooContext, WriteMode, customer_from_wc, customer_to_wc, order_to_wc, product_from_wc,
    product_to_wc,
};
use posbridge_domain::model::{
    Customer, MappingOptions, Money, OutletStock, PosId, Prices, Product, ProductKind, Quantity, Sale, SaleLine,
    SaleStatus, Sku, TaxRate, Variant,
};
use serde_json::json;

use crate::support::{TIMEOUT_MS, id, shop};

fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn stock(q: &str) -> Vec<OutletStock> {
    vec![OutletStock {
        outlet_id: PosId::parse("outlet-1").unwrap(),
        on_hand: Quantity::parse(q).unwrap(),
        visible: true,
        price: None,
    }]
}

fn tee() -> Product {
    let variant = |sku: &str, size: &str, q: &str| Variant {
        id: None,
        sku: Some(Sku::parse(sku).unwrap()),
        barcode: None,
        options: BTreeMap::from([("Size".to_string(), size.to_string())]),
        prices: Prices { retail_ex_tax: Some(m("20")), retail_inc_tax: Some(m("22")), cost: None, sale: None },
        stock: stock(q),
    };
    Product {
        id: None,
        name: "Tee".into(),
        sku: Some(Sku::parse("TEE").unwrap()),
        barcode: None,
        description_html: Some("<p>Soft</p>".into()),
        kind: ProductKind::WithVariants { options: vec!["Size".into()] },
        variants: vec![variant("TEE-S", "S", "3"), variant("TEE-M", "M", "0")],
        track_inventory: true,
        prices: Prices::default(),
        category: Some("Shirts".into()),
        brand: None,
        tags: vec![],
        images: vec![],
        active: true,
        ecommerce_channel: true,
        stock: vec![],
        weight_grams: Some(200),
    }
}

#[tokio::test]
async fn a_mapped_variable_product_is_accepted_and_maps_back() {
    let s = shop().await;
    let c = &s.client;
    let shirts = id(&c.ensure_term(TermKind::Category, "Shirts").await.unwrap());
    let ctx = WooContext {
        inventory_outlets: vec![PosId::parse("outlet-1").unwrap()],
        categories: TermIds::from([("Shirts", shirts)]),
        ..WooContext::default()
    };
    let opts =
        MappingOptions { prices_include_tax: false, default_tax_rate: TaxRate(1000), ..MappingOptions::default() };
    let write = product_to_wc(&tee(), &opts, &ctx, WriteMode::Create).unwrap().value;
    let (product, variations) = c.create_product_write_settled(&write).await.unwrap();
    assert_eq!((product["type"].as_str(), variations.len()), (Some("variable"), 2));

    let pid = id(&product);
    let back_product = c.get_product(pid).await.unwrap();
    let back_variations = c.list_variations(pid).await.unwrap();
    let back = product_from_wc(&back_product, &back_variations, &opts, &ctx).unwrap().value;
    assert_eq!(back.name, "Tee");
    assert_eq!(back.category.as_deref(), Some("Shirts"));
    let mut skus: Vec<String> =
        back.variants.iter().filter_map(|v| v.sku.as_ref().map(|s| s.as_str().to_string())).collect();
    skus.sort();
    assert_eq!(skus, vec!["TEE-M", "TEE-S"]);
    let small = back.variants.iter().find(|v| v.sku.as_ref().is_some_and(|s| s.as_str() == "TEE-S")).unwrap();
    assert_eq!(small.prices.retail_ex_tax, Some(m("20")));
    assert_eq!(small.stock[0].on_hand, Quantity::parse("3").unwrap());
}

#[tokio::test]
async fn a_mapped_customer_is_accepted_and_maps_back() {
    let s = shop().await;
    let pos = Customer {
        id: Some(PosId::parse("cust-1").unwrap()),
        first_name: Some("Ann".into()),
        last_name: Some("Lee".into()),
        email: Some("ann@example.com".into()),
        phone: Some("+61 400 000 000".into()),
        company: None,
        group: Some("VIP".into()),
        billing: None,
        shipping: None,
    };
    let body = customer_to_wc(&pos).unwrap();
    let made = s.client.create_customer_settled(&body).await.unwrap();
    let back = customer_from_wc(&s.client.get_customer(id(&made)).await.unwrap(), &WooContext::default()).unwrap();
    assert_eq!((back.first_name.as_deref(), back.email.as_deref()), (Some("Ann"), Some("ann@example.com")));
    assert_eq!(back.group.as_deref(), Some("VIP"));
    assert_eq!(made["meta_data"].as_array().map(Vec::len), Some(1), "{}", json!(made["meta_data"]));
}

#[tokio::test]
async fn a_mapped_pos_sale_is_accepted_and_a_timed_out_create_settles_by_its_sale_id() {
    let s = shop().await;
    let c = &s.client;
    let p = c.create_product(&json!({ "name": "Mug", "sku": "MUG-1", "regular_price": "12.00" })).await.unwrap();
    let cu = c.create_customer(&json!({ "email": "ann@example.com" })).await.unwrap();
    let ctx = WooContext {
        products: vec![LinkedItem {
            pos_id: PosId::parse("p-1").unwrap(),
            sku: Some(Sku::parse("MUG-1").unwrap()),
            wc_product_id: id(&p),
            wc_variation_id: 0,
        }],
        customers: BTreeMap::from([(id(&cu), PosId::parse("c-7").unwrap())]),
        ..WooContext::default()
    };
    let sale = Sale {
        id: Some(PosId::parse("sale-9").unwrap()),
        platform_id: None,
        number: Some("1009".into()),
        status: SaleStatus::Completed,
        customer_id: Some(PosId::parse("c-7").unwrap()),
        outlet_id: None,
        register_id: None,
        lines: vec![SaleLine {
            product_id: Some(PosId::parse("p-1").unwrap()),
            sku: Some(Sku::parse("MUG-1").unwrap()),
            name: "Mug".into(),
            quantity: Quantity::units(2),
            unit_price_inc_tax: m("13.2"),
            unit_price_ex_tax: m("12"),
            serial_numbers: vec![],
        }],
        shipping: None,
        payments: vec![],
        refunds: vec![],
        total_inc_tax: m("26.4"),
        total_tax: m("2.4"),
        note: None,
        created_at: 1_700_000_000,
    };
    let body = order_to_wc(&sale, None, &MappingOptions::default(), &ctx).unwrap().value;
    s.fault("POST", "/orders", 1, json!({ "type": "delay_after_apply", "ms": TIMEOUT_MS + 400 })).await;
    let o = c.create_order_settled(&body).await.unwrap();
    assert_eq!((o["status"].as_str(), o["customer_id"].as_u64()), (Some("completed"), Some(id(&cu))));
    assert_eq!(o["line_items"][0]["product_id"], id(&p));
    assert_eq!(o["line_items"][0]["quantity"], 2);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(s.stored("orders").len(), 1, "the mapped order exists once");
}

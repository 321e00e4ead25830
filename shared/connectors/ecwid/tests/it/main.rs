//! Mapping against the in-repo Ecwid emulator: bodies the mapping writes are accepted by the
//! emulator's create rules, and what the emulator renders back (the API's GET shapes) maps to the
//! same canonical records. The tests here use the emulator's Rust helpers to seed and render;
//! `client` runs the HTTP client against the emulator over real HTTP.

mod client;

use posbridge_connector_ecwid::mapping::customer::{customer_from_ecwid, customer_to_ecwid};
use posbridge_connector_ecwid::{
    CategoryLink, EcwidContext, OrderParty, category_to_ecwid, order_to_ecwid, product_from_ecwid, product_to_ecwid,
    sale_from_ecwid,
};
use posbridge_domain::model::{
    Address, Barcode, Customer, MappingOptions, Money, OutletStock, Payment, PosId, Prices, Product, ProductKind,
    Quantity, Sale, SaleLine, SaleStatus, Shipping, Sku, TaxRate, Variant,
};
use serde_json::{Value, json};

const STORE: u64 = 1003;

fn pos(s: &str) -> PosId {
    PosId::parse(s).unwrap()
}
fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn emulator() -> (tokio::runtime::Runtime, emu_ecwid::Emulator) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let emu = rt.block_on(emu_ecwid::start(emu_ecwid::Config::default(), 0)).unwrap();
    (rt, emu)
}

fn opts() -> MappingOptions {
    let mut o = MappingOptions { prices_include_tax: true, default_tax_rate: TaxRate(1000), ..Default::default() };
    o.payment_map.insert("Cash on delivery".into(), "Cash".into());
    o
}

fn stock(q: i64) -> Vec<OutletStock> {
    vec![OutletStock { outlet_id: pos("main"), on_hand: Quantity::units(q), visible: true, price: None }]
}

fn prices(inc: &str) -> Prices {
    Prices { retail_inc_tax: Some(m(inc)), retail_ex_tax: Some(m(inc).remove_tax(1000)), cost: None, sale: None }
}

fn store_list(emu: &emu_ecwid::Emulator, kind: &str) -> Vec<Value> {
    let state = emu.state();
    let store = state["stores"].as_array().unwrap().iter().find(|s| s["storeId"] == STORE).unwrap().clone();
    store[kind].as_array().unwrap().clone()
}

#[test]
fn products_written_by_the_mapping_are_accepted_and_read_back_unchanged() {
    let (_rt, emu) = emulator();
    let mut ctx = EcwidContext::new(pos("main"));
    let cat_body = category_to_ecwid(
        &posbridge_domain::model::Category { id: Some(pos("pt-tees")), name: "Tees".into(), parent: None },
        &ctx,
    )
    .unwrap();
    let cat_id = emu.seed_category(STORE, cat_body);
    ctx.categories.push(CategoryLink { ecwid_id: cat_id, name: "Tees".into(), pos_id: Some(pos("pt-tees")) });

    let simple = Product {
        id: None,
        name: "Orange".into(),
        sku: Some(Sku::parse("OR-1").unwrap()),
        barcode: Some(Barcode::parse("0123456789012").unwrap()),
        description_html: Some("<p>It's a <b>tasty</b> fruit!</p>".into()),
        kind: ProductKind::Simple,
        variants: vec![],
        track_inventory: true,
        prices: Prices { cost: Some(m("4.5")), ..prices("11") },
        category: Some("Tees".into()),
        brand: Some("Sunkist".into()),
        tags: vec![],
        images: vec![],
        active: true,
        ecommerce_channel: true,
        stock: stock(11),
        weight_grams: Some(250),
    };
    let variant = |sku: &str, size: &str, q: i64, inc: &str| Variant {
        id: None,
        sku: Some(Sku::parse(sku).unwrap()),
        barcode: Some(Barcode::parse("0123456789012").unwrap()), // Ecwid allows duplicate UPCs
        options: [("Size".to_string(), size.to_string())].into(),
        prices: prices(inc),
        stock: stock(q),
    };
    let tee = Product {
        name: "Tee".into(),
        sku: Some(Sku::parse("TEE").unwrap()),
        barcode: None,
        description_html: None,
        kind: ProductKind::WithVariants { options: vec!["Size".into()] },
        variants: vec![variant("TEE-S", "S", 3, "22"), variant("TEE-L", "L", 0, "24.20")],
        prices: prices("22"),
        brand: None,
        stock: vec![],
        weight_grams: None,
        ..simple.clone()
    };
    for p in [simple, tee] {
        let w = product_to_ecwid(&p, None, &opts(), &ctx, None).unwrap();
        let mut body = w.product.clone();
        body["combinations"] = Value::Array(w.combinations.iter().map(|c| c.body.clone()).collect());
        let id = emu.seed_product(STORE, body);
        let rendered = emu.product(STORE, id).unwrap();
        let back = product_from_ecwid(&rendered, &opts(), &ctx).unwrap();
        assert_eq!(back, p, "rendered: {rendered:#}");
        // An update computed against what Ecwid returns targets the existing variations.
        let u = product_to_ecwid(&p, Some(&rendered), &opts(), &ctx, None).unwrap();
        assert!(u.combinations.iter().all(|c| c.id.is_some()));
    }
}

#[test]
fn customers_written_by_the_mapping_are_accepted_and_read_back_unchanged() {
    let (_rt, emu) = emulator();
    let mut ctx = EcwidContext::new(pos("main"));
    let gid = emu.seed_customer_group(STORE, json!({"name": "VIP"}));
    ctx.customer_groups.push((gid, "VIP".into()));
    let c = Customer {
        id: None,
        first_name: Some("Ludwig".into()),
        last_name: Some("van Beethoven".into()),
        email: Some("lvb@example.com".into()),
        phone: Some("123456".into()),
        company: Some("Symphonies Ltd".into()),
        group: Some("VIP".into()),
        billing: Some(Address {
            line1: Some("Bonngasse 20".into()),
            line2: Some("Hinterhaus".into()),
            city: Some("Bonn".into()),
            state: None,
            postcode: Some("53111".into()),
            country_code: Some("DE".into()),
            phone: Some("123456".into()),
        }),
        shipping: None,
    };
    emu.seed_customer(STORE, customer_to_ecwid(&c, &ctx).unwrap());
    let stored = store_list(&emu, "customers");
    assert_eq!(customer_from_ecwid(&stored[0], &ctx).unwrap(), c, "{:#}", stored[0]);
}

#[test]
fn orders_written_by_the_mapping_are_accepted_and_read_back_unchanged() {
    let (_rt, emu) = emulator();
    let mut ctx = EcwidContext::new(pos("main"));
    ctx.payments_register = Some(pos("web-register"));
    let line = |sku: &str, q: i64, inc: &str, ex: &str| SaleLine {
        product_id: None,
        sku: Some(Sku::parse(sku).unwrap()),
        name: sku.to_lowercase(),
        quantity: Quantity::units(q),
        unit_price_inc_tax: m(inc),
        unit_price_ex_tax: m(ex),
        serial_numbers: vec![],
    };
    let sale = Sale {
        id: None,
        platform_id: None,
        number: None,
        status: SaleStatus::Completed,
        customer_id: None,
        outlet_id: Some(pos("main")),
        register_id: Some(pos("web-register")),
        lines: vec![line("OR-1", 2, "11", "10"), line("TEE-S", 1, "22", "20")],
        shipping: Some(Shipping {
            method: "Courier".into(),
            amount_inc_tax: m("5.5"),
            amount_ex_tax: m("5"),
            address: Some(Address { city: Some("Bonn".into()), country_code: Some("DE".into()), ..Default::default() }),
        }),
        payments: vec![Payment { method: "Cash".into(), amount: m("49.5"), reference: None }],
        refunds: vec![],
        total_inc_tax: m("49.5"),
        total_tax: m("4.5"),
        note: Some("Ring twice".into()),
        created_at: 1_700_000_000,
    };
    let body =
        order_to_ecwid(&sale, &OrderParty { email: Some("lvb@example.com".into()), ..Default::default() }, &opts())
            .unwrap();
    emu.seed_order(STORE, body);
    let stored = store_list(&emu, "orders");
    let back = sale_from_ecwid(&stored[0], &opts(), &ctx).unwrap();
    assert_eq!(stored[0]["paymentMethod"], "Cash on delivery");
    assert_eq!(Sale { platform_id: None, number: None, ..back }, sale, "{:#}", stored[0]);
}

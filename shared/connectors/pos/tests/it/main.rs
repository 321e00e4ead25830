//! The mapping against the POS emulator (`tests/emulators/pos`): every body the mapping writes
//! is accepted by the emulator's own create/upsert code, and what the emulator answers maps
//! back to the canonical record we started from. Seeding goes through the same upsert code as
//! `POST products|customers|sales/create`, so no HTTP client is needed here.

mod client;

use std::collections::BTreeMap;

use emu_pos::{Config, Emulator};
use posbridge_connector_pos::wire::{PosCustomer, PosProduct, PosSale};
use posbridge_connector_pos::{
    PosCatalogue, PosContext, PosSettings, ProductRead, customer_from_pos, customer_to_pos, product_from_pos,
    product_to_pos, refund_from_pos, refunds_to_pos, sale_from_pos, sale_to_pos, stock_to_pos,
};
use posbridge_domain::model::{
    Customer, FieldDirection, MappingOptions, Money, OutletStock, Payment, Platform, PlatformId, PosId, Prices,
    Product, ProductKind, Quantity, Refund, Sale, SaleLine, SaleStatus, Shipping, Sku, TaxRate, Variant,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn id(s: &str) -> PosId {
    PosId::parse(s).unwrap()
}

fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn list<T: DeserializeOwned>(state: &Value, key: &str) -> Vec<T> {
    serde_json::from_value(state[key].clone()).unwrap()
}

struct Pos {
    emu: Emulator,
    options: MappingOptions,
    settings: PosSettings,
    catalogue: PosCatalogue,
}

impl Pos {
    /// The emulator's defaults (outlet 1, register 1, GST 10 % and No Tax, Cash / Credit Card /
    /// eCommerce) plus two outlets, a BigCommerce payment type, brands, types and groups.
    async fn start(tax_inclusive: bool) -> Pos {
        let emu = emu_pos::start(Config { tax_inclusive, ..Config::default() }, 0).await.unwrap();
        emu.seed(json!({
            "outlets": [{"name": "Warehouse"}, {"name": "Pop-up"}],
            "payment_types": [{"name": "BigCommerce"}],
            "brands": [{"name": "Acme"}],
            "product_types": [{"name": "Mugs"}, {"name": "Kitchen"}],
            "customer_groups": [{"name": "VIP"}],
        }))
        .unwrap();
        let state = emu.state();
        let catalogue = PosCatalogue {
            outlets: list(&state, "outlets"),
            brands: list(&state, "brands"),
            product_types: list(&state, "product_types"),
            customer_groups: list(&state, "customer_groups"),
            taxes: list(&state, "taxes"),
            payment_types: list(&state, "payment_types"),
            store: serde_json::from_value(state["settings"].clone()).unwrap(),
        };
        let mut settings = PosSettings::new(Platform::BigCommerce, id("1"));
        settings.payments_register = Some(id("1"));
        settings.ecommerce_fields = true;
        let options = MappingOptions {
            prices_include_tax: tax_inclusive,
            default_tax_rate: TaxRate(1000),
            description: FieldDirection::BothWays,
            images: FieldDirection::BothWays,
            ..Default::default()
        };
        Pos { emu, options, settings, catalogue }
    }

    fn ctx(&self) -> PosContext<'_> {
        PosContext { options: &self.options, settings: &self.settings, catalogue: &self.catalogue }
    }

    fn write_product(&self, p: &Product) -> i64 {
        let body = serde_json::to_value(product_to_pos(p, None, &self.ctx()).unwrap()).unwrap();
        self.emu.seed_product(body).expect("the emulator accepts the body")
    }

    fn read_product(&self, pid: i64) -> Product {
        let v: PosProduct = serde_json::from_value(self.emu.product(pid).unwrap()).unwrap();
        product_from_pos(&v, ProductRead::Update, &self.ctx()).unwrap()
    }

    fn write_sale(&self, body: Value) -> PosSale {
        let ids = self.emu.seed(json!({ "sales": [body] })).expect("the emulator accepts the sale");
        let sid = ids["sales"][0].as_i64().unwrap();
        let sales: Vec<PosSale> = list(&self.emu.state(), "sales");
        sales.into_iter().find(|s| s.id == sid).unwrap()
    }
}

fn prices(ex: &str, inc: &str) -> Prices {
    Prices { retail_ex_tax: Some(m(ex)), retail_inc_tax: Some(m(inc)), cost: None, sale: None }
}

fn stock(on_hand: [&str; 3]) -> Vec<OutletStock> {
    on_hand
        .iter()
        .enumerate()
        .map(|(i, q)| OutletStock {
            outlet_id: id(&(i + 1).to_string()),
            on_hand: Quantity::parse(q).unwrap(),
            visible: true,
            price: None,
        })
        .collect()
}

fn mug() -> Product {
    Product {
        id: None,
        name: "Mug".into(),
        sku: Some(Sku::parse("MUG-1").unwrap()),
        barcode: None,
        description_html: Some("<p>Big</p>".into()),
        kind: ProductKind::Simple,
        variants: vec![],
        track_inventory: true,
        prices: prices("10", "11"),
        category: Some("Mugs".into()),
        brand: Some("Acme".into()),
        tags: vec![],
        images: vec![],
        active: false,
        ecommerce_channel: true,
        stock: stock(["5", "2.5", "0"]),
        weight_grams: None,
    }
}

fn tshirt() -> Product {
    let variant = |size: &str, q: &str| Variant {
        id: None,
        sku: Some(Sku::parse(format!("TS-{size}")).unwrap()),
        barcode: None,
        options: BTreeMap::from([("Size".to_string(), size.to_string())]),
        prices: prices("20", "22"),
        stock: stock([q, "0", "0"]),
    };
    Product {
        id: None,
        name: "T-shirt".into(),
        sku: None,
        kind: ProductKind::WithVariants { options: vec!["Size".into()] },
        variants: vec![variant("S", "3"), variant("M", "4")],
        category: None,
        brand: None,
        description_html: None,
        stock: stock(["0", "0", "0"]),
        ..mug()
    }
}

#[tokio::test]
async fn products_round_trip_through_the_emulator() {
    for inclusive in [true, false] {
        let pos = Pos::start(inclusive).await;
        for original in [mug(), tshirt()] {
            let pid = pos.write_product(&original);
            let back = pos.read_product(pid);
            let mut want = original.clone();
            want.id = Some(id(&pid.to_string()));
            for (v, got) in want.variants.iter_mut().zip(&back.variants) {
                v.id = got.id.clone();
            }
            assert_eq!(back, want, "tax inclusive: {inclusive}");
        }
    }
}

#[tokio::test]
async fn new_products_are_visible_only_in_mapped_outlets_when_asked() {
    // product reference 001:211-213.
    let mut pos = Pos::start(true).await;
    pos.settings.new_products_visible_in_all_outlets = false;
    pos.settings.inventory_outlets = vec![id("2")];
    let back = pos.read_product(pos.write_product(&mug()));
    let visible: Vec<_> = back.stock.iter().map(|s| s.visible).collect();
    assert_eq!(visible, [false, true, false]);
}

#[tokio::test]
async fn web_stock_counts_are_accepted_by_the_pos() {
    let pos = Pos::start(true).await;
    let pid = pos.write_product(&mug());
    let body = serde_json::to_value(stock_to_pos(&id(&pid.to_string()), 9, &pos.ctx()).unwrap()).unwrap();
    pos.emu.seed_product(body).unwrap();
    assert_eq!(pos.emu.stock(pid, None, 1), "9.000");
    let tid = pos.write_product(&tshirt());
    let vid = pos.read_product(tid).variants[1].id.clone().unwrap();
    let body = serde_json::to_value(stock_to_pos(&id(&format!("{tid}:{vid}")), 6, &pos.ctx()).unwrap()).unwrap();
    pos.emu.seed_product(body).unwrap();
    assert_eq!(pos.emu.stock(tid, Some(vid.as_str().parse().unwrap()), 1), "6.000");
}

#[tokio::test]
async fn customers_round_trip_and_skip_without_names() {
    let pos = Pos::start(true).await;
    let c = Customer {
        id: None,
        first_name: Some("Ann".into()),
        last_name: Some("Lee".into()),
        email: Some("ann@x.io".into()),
        phone: Some("0400 000 000".into()),
        company: None,
        group: Some("VIP".into()),
        billing: None,
        shipping: None,
    };
    let body = serde_json::to_value(customer_to_pos(&c, &pos.ctx()).unwrap()).unwrap();
    let ids = pos.emu.seed(json!({ "customers": [body] })).unwrap();
    let cid = ids["customers"][0].as_i64().unwrap();
    let stored: Vec<PosCustomer> = list(&pos.emu.state(), "customers");
    let back = customer_from_pos(stored.iter().find(|x| x.id == cid).unwrap(), &pos.ctx()).unwrap();
    assert_eq!(back, Customer { id: Some(id(&cid.to_string())), ..c.clone() });
    // 003:73: the POS requires both names; the mapping says so before the POS refuses.
    let e = customer_to_pos(&Customer { last_name: None, ..c }, &pos.ctx()).unwrap_err();
    assert_eq!(e.code(), "missing_required_field");
}

fn order(product: i64, status: SaleStatus, paid: &str) -> Sale {
    Sale {
        id: None,
        platform_id: Some(PlatformId::parse(format!("{status:?}")).unwrap()),
        number: None,
        status,
        customer_id: None,
        outlet_id: None,
        register_id: None,
        lines: vec![SaleLine {
            product_id: Some(id(&product.to_string())),
            sku: Some(Sku::parse("MUG-1").unwrap()),
            name: "Mug".into(),
            quantity: Quantity::units(2),
            unit_price_inc_tax: m("11"),
            unit_price_ex_tax: m("10"),
            serial_numbers: vec![],
        }],
        shipping: Some(Shipping {
            method: "Express".into(),
            amount_inc_tax: m("5.50"),
            amount_ex_tax: m("5"),
            address: None,
        }),
        payments: if paid == "0" {
            vec![]
        } else {
            vec![Payment { method: "visa".into(), amount: m(paid), reference: None }]
        },
        refunds: vec![],
        total_inc_tax: m("27.50"),
        total_tax: m("2.50"),
        note: None,
        created_at: 1_714_557_600,
    }
}

#[tokio::test]
async fn web_orders_land_with_the_statuses_of_the_tables() {
    // WooCommerce table 002:9-39: (web status, POS fulfilment status, POS payment status).
    let rows = [
        ("002:16-20", SaleStatus::Completed, "27.50", "completed", "paid"),
        ("002:22-26", SaleStatus::Cancelled, "0", "voided", "voided"),
        ("002:28-32", SaleStatus::Pending, "0", "parked", "pending"),
        ("003:84-86 awaiting fulfilment, paid", SaleStatus::Parked, "27.50", "parked", "paid"),
    ];
    for inclusive in [true, false] {
        let pos = Pos::start(inclusive).await;
        let pid = pos.write_product(&mug());
        for (doc, status, paid, want_status, want_payment) in rows {
            let body = serde_json::to_value(sale_to_pos(&order(pid, status, paid), &pos.ctx()).unwrap()).unwrap();
            let stored = pos.write_sale(body);
            assert_eq!((stored.status.as_str(), stored.payment_status.as_str()), (want_status, want_payment), "{doc}");
            // 001:362: shipping is one extra line, taxed per the general setting.
            assert_eq!(stored.total, "27.50", "{doc} inclusive={inclusive}");
            let back = sale_from_pos(&stored, &pos.ctx()).unwrap();
            assert_eq!(back.shipping.as_ref().unwrap().amount_inc_tax, m("5.50"));
            assert_eq!(back.lines[0].unit_price_ex_tax, m("10"));
            assert_eq!(back.lines[0].unit_price_inc_tax, m("11"));
            assert_eq!(back.platform_id, order(pid, status, paid).platform_id);
            let labels: Vec<_> = back.payments.iter().map(|p| p.method.as_str()).collect();
            assert_eq!(labels, if paid == "0" { vec![] } else { vec!["BigCommerce"] }, "001:344");
        }
    }
}

#[tokio::test]
async fn partial_refunds_become_refunded_sales_in_the_pos() {
    // 002:34-40.
    let pos = Pos::start(true).await;
    let pid = pos.write_product(&mug());
    let mut sale = order(pid, SaleStatus::Completed, "27.50");
    let original = pos.write_sale(serde_json::to_value(sale_to_pos(&sale, &pos.ctx()).unwrap()).unwrap());
    let one = SaleLine { quantity: Quantity::units(1), ..sale.lines[0].clone() };
    sale.status = SaleStatus::Refunded;
    sale.refunds = vec![
        Refund { id: Some("r1".into()), amount: m("11"), lines: vec![one.clone()], reason: Some("chipped".into()) },
        Refund { id: Some("r2".into()), amount: m("11"), lines: vec![one], reason: None },
    ];
    for body in refunds_to_pos(&sale, original.id, &pos.ctx()).unwrap() {
        let stored = pos.write_sale(serde_json::to_value(body).unwrap());
        assert_eq!((stored.status.as_str(), stored.payment_status.as_str()), ("refunded", "refunded"));
        let (orig, refund) = refund_from_pos(&stored, &pos.ctx()).unwrap();
        assert_eq!(orig, Some(id(&original.id.to_string())));
        assert_eq!((refund.amount, refund.lines[0].quantity), (m("11"), Quantity::units(1)));
    }
    // Stock: 5 - 2 sold + 2 returned.
    assert_eq!(pos.emu.stock(pid, None, 1), "5.000");
}

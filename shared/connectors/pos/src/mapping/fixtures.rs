//! Test fixtures: a POS catalogue, settings, and POS JSON in the exact shapes the emulator
//! answers (`tests/emulators/pos/src/catalog.rs` `product_json`, `sales.rs` `sale_json`).

use posbridge_domain::model::{MappingOptions, Platform, PosId, TaxRate};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::wire::{PosNamed, PosOutlet, PosPaymentType, PosStoreSettings, PosTax};
use super::{PosCatalogue, PosContext, PosSettings};

pub struct Ctx {
    pub options: MappingOptions,
    pub settings: PosSettings,
    pub catalogue: PosCatalogue,
}

impl Ctx {
    pub fn ctx(&self) -> PosContext<'_> {
        PosContext { options: &self.options, settings: &self.settings, catalogue: &self.catalogue }
    }
}

pub fn id(s: &str) -> PosId {
    PosId::parse(s).unwrap()
}

fn named(pairs: &[(i64, &str)]) -> Vec<PosNamed> {
    pairs.iter().map(|(id, n)| PosNamed { id: *id, name: n.to_string() }).collect()
}

pub fn catalogue() -> PosCatalogue {
    PosCatalogue {
        outlets: [(1, "Main Outlet"), (2, "Warehouse"), (3, "Pop-up")]
            .map(|(id, n)| PosOutlet { id, name: n.into(), is_active: true })
            .to_vec(),
        brands: named(&[(1, "Acme"), (2, "Globex")]),
        product_types: named(&[(1, "Mugs"), (2, "Kitchen")]),
        customer_groups: named(&[(1, "VIP"), (2, "Wholesale")]),
        taxes: vec![
            PosTax { id: 1, name: "GST".into(), rate: "10.00".into(), is_default: true },
            PosTax { id: 2, name: "No Tax".into(), rate: "0.00".into(), is_default: false },
            PosTax { id: 3, name: "Reduced".into(), rate: "5.00".into(), is_default: false },
        ],
        payment_types: ["Cash", "Credit Card", "eCommerce", "BigCommerce", "WooCommerce", "Gift Card", "Loyalty"]
            .iter()
            .enumerate()
            .map(|(i, n)| PosPaymentType { id: i as i64 + 1, name: n.to_string(), is_active: true })
            .collect(),
        store: Some(PosStoreSettings {
            name: "Shop".into(),
            currency: "AUD".into(),
            tax_inclusive: true,
            default_tax_id: 1,
            timezone: "Australia/Sydney".into(),
        }),
    }
}

/// BigCommerce on the other side, GST 10 %, invoices, stock and payments in outlet 1.
pub fn ctx(inclusive: bool) -> Ctx {
    let mut settings = PosSettings::new(Platform::BigCommerce, id("1"));
    settings.payments_register = Some(id("1"));
    Ctx {
        options: MappingOptions {
            prices_include_tax: inclusive,
            default_tax_rate: TaxRate(1000),
            ..Default::default()
        },
        settings,
        catalogue: catalogue(),
    }
}

pub fn parse<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("fixture matches the wire type")
}

fn outlet(o: i64, price: &str, stock: Option<&str>, visible: bool) -> Value {
    json!({ "outlet_id": o, "price": price, "stock": stock, "is_visible": visible })
}

/// A simple tracked product in 3 outlets, as the POS answers it.
pub fn simple_product() -> Value {
    json!({
        "id": 10, "name": "Mug", "description": "<p>Big mug</p>", "sku": "MUG-1", "barcode": "9300000000011",
        "brand_id": 1, "product_type": [1], "has_variants": false, "track_inventory": true,
        "continue_selling_no_inventory": true, "isActive": true, "isPricingDifferentByOutlet": false,
        "sales_channels": ["ecommerce", "pos"], "price": "11.00", "tax_id": null, "serial_number_enabled": false,
        "is_composite": false, "composite_components": [],
        "product_outlets": [
            outlet(1, "11.00", Some("5.000"), true),
            outlet(2, "11.00", Some("7.000"), true),
            outlet(3, "11.00", Some("1.000"), false),
        ],
        "product_variants": [],
        "created_at": "2024-05-01T10:00:00Z", "updated_at": "2024-05-01T10:00:00Z"
    })
}

/// A T-shirt with Size x Colour variants (stock on the variants, null on the parent).
pub fn variant_product() -> Value {
    let variant = |id: i64, sku: &str, size: &str, colour: &str, s1: &str| {
        json!({
            "id": id, "sku": sku, "barcode": null, "name": format!("{size} / {colour}"),
            "attributes": [{"name": "Size", "value": size}, {"name": "Colour", "value": colour}],
            "price": "22.00", "isActive": true,
            "product_outlets": [outlet(1, "22.00", Some(s1), true), outlet(2, "22.00", Some("0.000"), true),
                                outlet(3, "22.00", Some("0.000"), true)]
        })
    };
    json!({
        "id": 20, "name": "T-shirt", "description": "", "sku": null, "barcode": null,
        "brand_id": null, "product_type": [], "has_variants": true, "track_inventory": true,
        "continue_selling_no_inventory": true, "isActive": true, "isPricingDifferentByOutlet": false,
        "sales_channels": ["ecommerce", "pos"], "price": "22.00", "tax_id": 1, "serial_number_enabled": false,
        "is_composite": false, "composite_components": [],
        "product_outlets": [outlet(1, "22.00", None, true), outlet(2, "22.00", None, true), outlet(3, "22.00", None, true)],
        "product_variants": [variant(40, "TS-S-RED", "S", "Red", "3.000"), variant(41, "TS-M-RED", "M", "Red", "2.000")],
        "created_at": "2024-05-01T10:00:00Z", "updated_at": "2024-05-01T10:00:00Z"
    })
}

pub fn sale_line(id: i64, product: i64, variant: Option<i64>, qty: &str, price: &str, tax: &str) -> Value {
    json!({
        "id": id, "product_id": product, "variant_id": variant, "sku": "MUG-1", "name": "Mug",
        "quantity": qty, "price": price, "tax_id": 1, "tax_rate": "10.00", "tax_amount": tax,
        "line_total": price, "serial_numbers": []
    })
}

/// A completed tax-inclusive sale: 2 x 11.00 mug, 5.50 shipping, paid by card.
pub fn completed_sale() -> Value {
    json!({
        "id": 7, "invoice_number": "INV-1007", "outlet_id": 1, "register_id": 1, "customer_id": 3,
        "status": "completed", "payment_status": "paid", "external_reference": null, "original_sale_id": null,
        "note": "", "transactionDate": "2024-05-01T10:00:00Z", "created_at": "2024-05-01T10:00:00Z",
        "updated_at": "2024-05-01T10:00:00Z", "tax_inclusive": true,
        "lines": [sale_line(1, 10, None, "2.000", "11.00", "2.00")],
        "shipping": { "description": "Express", "price": "5.50", "tax_id": 1, "tax_amount": "0.50" },
        "payments": [{ "id": 1, "payment_type_id": 2, "payment_type_name": "Credit Card", "amount": "27.50",
                       "register_id": 1, "paid_at": "2024-05-01T10:00:00Z" }],
        "subtotal": "25.00", "netAmount": "25.00", "tax_total": "2.50", "total": "27.50",
        "total_paid": "27.50", "balance": "0.00"
    })
}

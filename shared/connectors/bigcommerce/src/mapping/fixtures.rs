//! Test fixtures: BigCommerce JSON in the shapes the emulator (`tests/emulators/bigcommerce`,
//! `state.rs` `render_*`) and the OpenAPI examples answer with, and option builders.

use std::collections::BTreeMap;

use posbridge_domain::model::{Address, BcPriceType, MappingOptions, Money, PosId, TaxRate};
use serde_json::{Value, json};

use super::{BcOptions, Lookups};

/// Money from ten-thousandths.
pub(crate) fn money_tt(t: i64) -> Money {
    let a = t.unsigned_abs();
    let s = format!("{}{}.{:04}", if t < 0 { "-" } else { "" }, a / 10_000, a % 10_000);
    Money::parse(&s).expect("valid")
}

pub(crate) fn m(s: &str) -> Money {
    Money::parse(s).expect("valid money")
}

pub(crate) fn pos(s: &str) -> PosId {
    PosId::parse(s).expect("valid id")
}

/// Tax-exclusive store, 10 % default rate, price type "Price".
pub(crate) fn opts() -> MappingOptions {
    MappingOptions { default_tax_rate: TaxRate(1000), ..MappingOptions::default() }
}

pub(crate) fn opts_with(include_tax: bool, pt: BcPriceType) -> MappingOptions {
    MappingOptions { prices_include_tax: include_tax, bc_price_type: pt, ..opts() }
}

pub(crate) fn bc() -> BcOptions {
    BcOptions {
        inventory_outlets: vec![pos("outlet-web")],
        all_outlets: vec![pos("outlet-web"), pos("outlet-shop")],
        invoice_outlet: Some(pos("outlet-web")),
        payment_register: Some(pos("register-web")),
        fallback_billing: Address {
            line1: Some("1 Shop St".into()),
            city: Some("Sydney".into()),
            postcode: Some("2000".into()),
            country_code: Some("AU".into()),
            ..Address::default()
        },
        ..BcOptions::default()
    }
}

pub(crate) fn lookups() -> Lookups {
    Lookups {
        categories: BTreeMap::from([(21, "Shirts".into()), (22, "Sale".into()), (23, "Mugs".into())]),
        brands: BTreeMap::from([(5, "Acme".into())]),
        customer_groups: BTreeMap::from([(2, "Wholesale".into())]),
    }
}

/// A simple product as `GET /v3/catalog/products/{id}?include=variants,images` returns it.
pub(crate) fn bc_simple() -> Value {
    json!({
        "id": 111, "name": "Plain Mug", "type": "physical", "sku": "MUG-1", "description": "<p>A <b>mug</b></p>",
        "weight": 0.35, "width": 9.0, "depth": 9.0, "height": 11.0,
        "price": 12.5, "cost_price": 4.25, "retail_price": 0, "sale_price": 0, "map_price": 0,
        "calculated_price": 12.5, "tax_class_id": 0, "product_tax_code": "",
        "categories": [23, 22], "brand_id": 5,
        "inventory_level": 7, "inventory_warning_level": 0, "inventory_tracking": "product",
        "is_visible": true, "availability": "available", "condition": "New",
        "upc": "9300000000017", "gtin": "", "mpn": "", "bin_picking_number": "",
        "is_free_shipping": false, "fixed_cost_shipping_price": 0,
        "custom_fields": [{ "id": 1, "name": "Plugin field", "value": "set by an app" }],
        "date_created": "2024-01-01T00:00:00+00:00", "date_modified": "2024-01-01T00:00:00+00:00",
        "base_variant_id": 201, "option_set_id": 0,
        "images": [
            { "id": 2, "product_id": 111, "sort_order": 1, "url_zoom": "https://cdn/b.jpg", "is_thumbnail": false },
            { "id": 1, "product_id": 111, "sort_order": 0, "url_zoom": "https://cdn/a.jpg", "is_thumbnail": true }
        ],
        "variants": [
            { "id": 201, "product_id": 111, "sku": "MUG-1", "sku_id": null, "price": null, "sale_price": null,
              "retail_price": null, "cost_price": null, "inventory_level": 7, "upc": "9300000000017",
              "option_values": [] }
        ]
    })
}

/// A product with Size x Colour variants tracked by variant.
pub(crate) fn bc_variants() -> Value {
    json!({
        "id": 112, "name": "Tee", "type": "physical", "sku": "TEE", "description": "",
        "weight": 0.2, "price": 30, "cost_price": 0, "retail_price": 35, "sale_price": 25,
        "categories": [21], "brand_id": 0, "inventory_level": 9, "inventory_tracking": "variant",
        "upc": "", "base_variant_id": 300,
        "variants": [
            { "id": 300, "product_id": 112, "sku": "TEE", "sku_id": null, "option_values": [],
              "price": null, "inventory_level": 0, "upc": "" },
            { "id": 301, "product_id": 112, "sku": "TEE-S-RED", "sku_id": 1, "price": 31, "sale_price": null,
              "retail_price": null, "cost_price": 11, "inventory_level": 4, "upc": "0001",
              "option_values": [
                { "id": 1, "label": "S", "option_id": 10, "option_display_name": "Size" },
                { "id": 2, "label": "Red", "option_id": 11, "option_display_name": "Colour" }
              ] },
            { "id": 302, "product_id": 112, "sku": "TEE-M-RED", "sku_id": 2, "price": null, "sale_price": null,
              "retail_price": null, "cost_price": null, "inventory_level": 5, "upc": "",
              "option_values": [
                { "id": 3, "label": "M", "option_id": 10, "option_display_name": "Size" },
                { "id": 2, "label": "Red", "option_id": 11, "option_display_name": "Colour" }
              ] }
        ]
    })
}

pub(crate) fn bc_customer() -> Value {
    json!({
        "id": 41, "email": "jane@example.com", "first_name": "Jane", "last_name": "Doe", "company": "Acme",
        "phone": "0400 000 000", "notes": "", "customer_group_id": 2, "store_credit_amounts": [{ "amount": 15 }],
        "addresses": [
            { "id": 1, "customer_id": 41, "first_name": "Jane", "last_name": "Doe", "address1": "1 Main St",
              "address2": "", "city": "Austin", "state_or_province": "Texas", "postal_code": "78751",
              "country_code": "US", "phone": "", "address_type": "residential" },
            { "id": 2, "customer_id": 41, "first_name": "Jane", "last_name": "Doe", "address1": "9 Dock Rd",
              "city": "Houston", "state_or_province": "Texas", "postal_code": "77001", "country_code": "US",
              "address_type": "commercial" }
        ]
    })
}

/// An order as `GET /v2/orders/{id}` returns it (4-dp strings, RFC 2822 dates).
pub(crate) fn bc_order(status_id: u64) -> Value {
    json!({
        "id": 100, "customer_id": 41, "status_id": status_id, "status": "", "date_created": "Wed, 10 Jan 2018 21:05:30 +0000",
        "date_modified": "Wed, 10 Jan 2018 21:05:30 +0000",
        "subtotal_ex_tax": "60.0000", "subtotal_inc_tax": "66.0000", "shipping_cost_ex_tax": "10.0000",
        "shipping_cost_inc_tax": "11.0000", "handling_cost_inc_tax": "0.0000", "total_ex_tax": "70.0000",
        "total_inc_tax": "77.0000", "total_tax": "7.0000", "payment_method": "Credit Card",
        "payment_status": "captured", "refunded_amount": "0.0000", "store_credit_amount": "0.0000",
        "gift_certificate_amount": "0.0000", "discount_amount": "0.0000", "coupon_discount": "0.0000",
        "currency_code": "AUD", "customer_message": "Leave at door", "staff_notes": "",
        "billing_address": { "first_name": "Jane", "last_name": "Doe", "street_1": "1 Main St", "city": "Austin",
            "state": "Texas", "zip": "78751", "country": "United States", "country_iso2": "US", "email": "jane@example.com" },
        "products": { "url": "https://api.bigcommerce.com/stores/x/v2/orders/100/products", "resource": "/orders/100/products" }
    })
}

pub(crate) fn bc_order_products() -> Vec<Value> {
    vec![
        json!({ "id": 501, "order_id": 100, "product_id": 111, "variant_id": 201, "order_address_id": 7,
                "name": "Plain Mug", "sku": "MUG-1", "quantity": 2, "price_ex_tax": "10.0000",
                "price_inc_tax": "11.0000", "quantity_refunded": 0, "refund_amount": "0.0000" }),
        json!({ "id": 502, "order_id": 100, "product_id": 112, "variant_id": 301, "order_address_id": 7,
                "name": "Tee", "sku": "TEE-S-RED", "quantity": 1, "price_ex_tax": "40.0000",
                "price_inc_tax": "44.0000", "quantity_refunded": 0, "refund_amount": "0.0000" }),
    ]
}

pub(crate) fn bc_shipping_addresses() -> Vec<Value> {
    vec![json!({ "id": 7, "order_id": 100, "first_name": "Jane", "last_name": "Doe", "street_1": "9 Dock Rd",
                 "city": "Houston", "state": "Texas", "zip": "77001", "country_iso2": "US",
                 "shipping_method": "Flat Rate", "cost_inc_tax": "11.0000" })]
}

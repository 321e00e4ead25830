//! In-memory state: one [`Store`] per store hash, each with its catalog, customers, orders, hooks,
//! tokens and rate-limit window. Records render themselves in the platform's JSON shapes.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use serde_json::{Value, json};

use crate::util::{iso8601, money4, rfc2822};

/// Every store the emulator knows, by hash.
#[derive(Debug, Default)]
pub struct Db {
    pub stores: BTreeMap<String, Store>,
    /// Single-use OAuth codes: code -> (store hash, scope).
    pub codes: BTreeMap<String, (String, String)>,
    pub next_store_id: u64,
}

/// An API credential: the app's (from the OAuth flow) or a store-level API account.
#[derive(Debug, Clone)]
pub struct Token {
    pub scopes: Vec<String>,
    pub client_id: String,
    /// Signs webhook deliveries for hooks this credential created.
    pub client_secret: String,
}

#[derive(Debug, Clone)]
pub struct RateWindow {
    pub started: Instant,
    pub used: u32,
}

#[derive(Debug, Clone)]
pub struct Store {
    pub hash: String,
    pub store_id: u64,
    pub name: String,
    pub account_uuid: String,
    pub tokens: BTreeMap<String, Token>,
    pub rate: RateWindow,
    /// Per-store quota and window overriding the config (plans differ).
    pub quota: Option<u32>,
    pub window_ms: Option<u64>,
    next_id: BTreeMap<&'static str, u64>,
    pub products: BTreeMap<u64, Product>,
    pub variants: BTreeMap<u64, Variant>,
    /// (product id, lower-cased option display name) -> option id; option value ids by label.
    pub options: BTreeMap<(u64, String), u64>,
    pub option_values: BTreeMap<(u64, String), u64>,
    pub categories: BTreeMap<u64, Category>,
    pub brands: BTreeMap<u64, Brand>,
    pub customers: BTreeMap<u64, Value>,
    pub groups: BTreeMap<u64, Value>,
    pub orders: BTreeMap<u64, Order>,
    pub transactions: Vec<Value>,
    pub refunds: Vec<Value>,
    pub refunds_in_progress: BTreeSet<u64>,
    pub hooks: BTreeMap<u64, Hook>,
}

impl Store {
    pub fn new(hash: &str, store_id: u64) -> Self {
        Self {
            hash: hash.to_string(),
            store_id,
            name: format!("Store {hash}"),
            account_uuid: uuid::Uuid::new_v4().to_string(),
            tokens: BTreeMap::new(),
            rate: RateWindow { started: Instant::now(), used: 0 },
            quota: None,
            window_ms: None,
            next_id: BTreeMap::new(),
            products: BTreeMap::new(),
            variants: BTreeMap::new(),
            options: BTreeMap::new(),
            option_values: BTreeMap::new(),
            categories: BTreeMap::new(),
            brands: BTreeMap::new(),
            customers: BTreeMap::new(),
            groups: BTreeMap::new(),
            orders: BTreeMap::new(),
            transactions: Vec::new(),
            refunds: Vec::new(),
            refunds_in_progress: BTreeSet::new(),
            hooks: BTreeMap::new(),
        }
    }

    /// The next id for a kind of record (ids start at 1 per kind and store, never reused).
    pub fn next(&mut self, kind: &'static str) -> u64 {
        let n = self.next_id.entry(kind).or_insert(0);
        *n += 1;
        *n
    }

    /// The variant or product already holding `sku` (case-insensitively), skipping `except_variant`.
    /// A linear scan: fine for tests, and kept allocation-free for the bulk benchmark.
    pub fn sku_owner(&self, sku: &str, except_variant: Option<u64>) -> Option<u64> {
        if sku.is_empty() {
            return None;
        }
        self.variants
            .values()
            .find(|v| Some(v.id) != except_variant && same_caseless(&v.sku, sku))
            .map(|v| v.product_id)
    }

    pub fn product_variants(&self, product_id: u64) -> Vec<&Variant> {
        self.variants.values().filter(|v| v.product_id == product_id).collect()
    }

    /// Product-level stock: the base variant's when tracking by product, the sum when by variant.
    pub fn product_level(&self, p: &Product) -> i64 {
        match p.inventory_tracking.as_str() {
            "variant" => self.product_variants(p.id).iter().filter(|v| !v.is_base).map(|v| v.inventory_level).sum(),
            _ => self.variants.get(&p.base_variant_id).map(|v| v.inventory_level).unwrap_or(0),
        }
    }

    pub fn render_product(&self, p: &Product, include_variants: bool) -> Value {
        let mut v = json!({
            "id": p.id, "name": p.name, "type": p.type_, "sku": p.sku, "description": p.description,
            "weight": p.weight, "width": 0.0, "depth": 0.0, "height": 0.0,
            "price": p.price, "cost_price": p.cost_price, "retail_price": p.retail_price,
            "sale_price": p.sale_price, "map_price": 0, "calculated_price": calculated(p.price, p.sale_price),
            "tax_class_id": 0, "product_tax_code": "",
            "categories": p.categories, "brand_id": p.brand_id,
            "inventory_level": self.product_level(p), "inventory_warning_level": p.inventory_warning_level,
            "inventory_tracking": p.inventory_tracking, "is_visible": p.is_visible,
            "availability": p.availability, "condition": "New", "is_condition_shown": false,
            "upc": p.upc, "gtin": p.gtin, "mpn": p.mpn, "bin_picking_number": "",
            "custom_url": { "url": format!("/{}/", slug(&p.name)), "is_customized": false },
            "date_created": iso8601(p.date_created), "date_modified": iso8601(p.date_modified),
            "base_variant_id": p.base_variant_id, "option_set_id": 0,
        });
        if include_variants {
            v["variants"] = Value::Array(self.product_variants(p.id).iter().map(|x| self.render_variant(x)).collect());
        }
        v
    }

    pub fn render_variant(&self, v: &Variant) -> Value {
        let p = self.products.get(&v.product_id);
        let inherited = |own: Option<f64>, f: fn(&Product) -> f64| own.or(p.map(f)).unwrap_or(0.0);
        let price = inherited(v.price, |p| p.price);
        let sale = inherited(v.sale_price, |p| p.sale_price);
        json!({
            "id": v.id, "product_id": v.product_id, "sku": v.sku, "sku_id": v.sku_id,
            "price": v.price, "sale_price": v.sale_price, "retail_price": v.retail_price,
            "cost_price": v.cost_price, "map_price": Value::Null, "weight": v.weight,
            "calculated_price": calculated(price, sale),
            "calculated_weight": v.weight.or(p.map(|p| p.weight)).unwrap_or(0.0),
            "inventory_level": v.inventory_level, "inventory_warning_level": v.inventory_warning_level,
            "upc": v.upc, "gtin": "", "mpn": v.mpn, "bin_picking_number": "",
            "purchasing_disabled": v.purchasing_disabled, "purchasing_disabled_message": "",
            "is_free_shipping": false, "fixed_cost_shipping_price": 0.0,
            "width": 0.0, "height": 0.0, "depth": 0.0, "image_url": "",
            "option_values": v.option_values,
        })
    }

    /// The Inventory API view of one variant (item) at the default location.
    pub fn render_item(&self, v: &Variant, location_shape: bool) -> Value {
        let settings = json!({
            "safety_stock": v.safety_stock, "is_in_stock": v.inventory_level > v.safety_stock,
            "warning_level": v.inventory_warning_level, "bin_picking_number": "",
        });
        let stock = json!({
            "available_to_sell": (v.inventory_level - v.safety_stock).max(0),
            "total_inventory_onhand": v.inventory_level,
        });
        let identity =
            json!({ "sku": v.sku, "variant_id": v.id, "product_id": v.product_id, "sku_id": v.sku_id.unwrap_or(0) });
        if location_shape {
            json!({ "identity": identity, "available_to_sell": stock["available_to_sell"],
                    "total_inventory_onhand": stock["total_inventory_onhand"], "settings": settings })
        } else {
            json!({ "identity": identity, "locations": [{
                "location_id": 1, "location_code": "BC-LOCATION-1", "location_name": "Default location",
                "available_to_sell": stock["available_to_sell"], "total_inventory_onhand": stock["total_inventory_onhand"],
                "location_enabled": true, "settings": settings,
            }]})
        }
    }

    pub fn render_order(&self, o: &Order) -> Value {
        let base = format!("https://api.bigcommerce.com/stores/{}/v2/orders/{}", self.hash, o.id);
        let link = |sub: &str| json!({ "url": format!("{base}/{sub}"), "resource": format!("/orders/{}/{sub}", o.id) });
        let m = |u: i64| money4(u);
        let items_total: i64 = o.products.iter().map(|l| l.quantity).sum();
        json!({
            "id": o.id, "customer_id": o.customer_id, "status_id": o.status_id,
            "status": status_name(o.status_id), "custom_status": status_name(o.status_id),
            "date_created": rfc2822(o.date_created), "date_modified": rfc2822(o.date_modified),
            "date_shipped": "", "cart_id": "", "channel_id": o.channel_id,
            "subtotal_ex_tax": m(o.subtotal_ex_tax), "subtotal_inc_tax": m(o.subtotal_inc_tax),
            "subtotal_tax": m(o.subtotal_inc_tax - o.subtotal_ex_tax),
            "base_shipping_cost": m(o.shipping_inc_tax), "shipping_cost_ex_tax": m(o.shipping_ex_tax),
            "shipping_cost_inc_tax": m(o.shipping_inc_tax), "shipping_cost_tax": m(o.shipping_inc_tax - o.shipping_ex_tax),
            "shipping_cost_tax_class_id": 0,
            "base_handling_cost": m(0), "handling_cost_ex_tax": m(0), "handling_cost_inc_tax": m(0),
            "handling_cost_tax": m(0), "handling_cost_tax_class_id": 0,
            "base_wrapping_cost": m(0), "wrapping_cost_ex_tax": m(0), "wrapping_cost_inc_tax": m(0),
            "wrapping_cost_tax": m(0), "wrapping_cost_tax_class_id": 0,
            "total_ex_tax": m(o.total_ex_tax), "total_inc_tax": m(o.total_inc_tax),
            "total_tax": m(o.total_inc_tax - o.total_ex_tax),
            "items_total": items_total, "items_shipped": 0,
            "payment_method": o.payment_method, "payment_provider_id": "", "payment_status": o.payment_status,
            "refunded_amount": m(o.refunded_amount), "order_is_digital": false,
            "store_credit_amount": m(0), "gift_certificate_amount": m(0),
            "ip_address": "", "ip_address_v6": "", "geoip_country": "", "geoip_country_iso2": "",
            "currency_id": 1, "currency_code": o.currency_code, "currency_exchange_rate": "1.0000000000",
            "default_currency_id": 1, "default_currency_code": o.currency_code,
            "store_default_currency_code": o.currency_code, "store_default_to_transactional_exchange_rate": "1.0000000000",
            "staff_notes": o.staff_notes, "customer_message": o.customer_message,
            "discount_amount": m(0), "coupon_discount": m(0), "shipping_address_count": o.shipping_addresses.len(),
            "is_deleted": o.is_deleted, "is_tax_inclusive_pricing": false, "is_email_opt_in": false,
            "ebay_order_id": "0", "external_source": o.external_source, "external_id": Value::Null,
            "external_merchant_id": Value::Null, "external_order_id": o.external_order_id,
            "order_source": o.order_source, "tax_provider_id": "", "customer_locale": "en",
            "billing_address": o.billing_address,
            "products": link("products"), "shipping_addresses": link("shipping_addresses"), "coupons": link("coupons"),
        })
    }

    pub fn render_order_product(&self, o: &Order, l: &OrderLine) -> Value {
        let m = |u: i64| money4(u);
        json!({
            "id": l.id, "order_id": o.id, "product_id": l.product_id, "variant_id": l.variant_id,
            "order_address_id": o.shipping_addresses.first().map(|a| a["id"].clone()).unwrap_or(json!(0)),
            "name": l.name, "name_customer": l.name, "name_merchant": l.name, "sku": l.sku, "upc": "",
            "type": "physical", "base_price": m(l.price_ex_tax), "price_ex_tax": m(l.price_ex_tax),
            "price_inc_tax": m(l.price_inc_tax), "price_tax": m(l.price_inc_tax - l.price_ex_tax),
            "base_total": m(l.price_ex_tax * l.quantity), "total_ex_tax": m(l.price_ex_tax * l.quantity),
            "total_inc_tax": m(l.price_inc_tax * l.quantity),
            "total_tax": m((l.price_inc_tax - l.price_ex_tax) * l.quantity),
            "quantity": l.quantity, "base_cost_price": m(0), "cost_price_inc_tax": m(0),
            "cost_price_ex_tax": m(0), "cost_price_tax": m(0), "weight": 0, "width": m(0), "height": m(0), "depth": m(0),
            "is_refunded": l.quantity_refunded >= l.quantity && l.quantity > 0,
            "quantity_refunded": l.quantity_refunded, "refund_amount": m(l.refund_amount),
            "return_id": 0, "wrapping_id": 0, "wrapping_name": Value::Null, "base_wrapping_cost": m(0),
            "wrapping_cost_ex_tax": m(0), "wrapping_cost_inc_tax": m(0), "wrapping_cost_tax": m(0),
            "wrapping_message": "", "quantity_shipped": 0, "event_name": Value::Null, "event_date": Value::Null,
            "fixed_shipping_cost": m(0), "ebay_item_id": "", "ebay_transaction_id": "",
            "option_set_id": Value::Null, "parent_order_product_id": Value::Null, "is_bundled_product": false,
            "bin_picking_number": "", "external_id": Value::Null, "brand": "",
            "applied_discounts": [], "product_options": [], "configurable_fields": [],
            "gift_certificate_id": Value::Null, "discounted_total_inc_tax": m(l.price_inc_tax * l.quantity),
        })
    }

    pub fn render_hook(&self, h: &Hook) -> Value {
        json!({
            "id": h.id, "client_id": h.client_id, "store_hash": self.hash, "scope": h.scope,
            "destination": h.destination, "headers": h.headers, "is_active": h.is_active,
            "created_at": h.created_at, "updated_at": h.updated_at,
        })
    }
}

fn calculated(price: f64, sale: f64) -> f64 {
    if sale > 0.0 { sale } else { price }
}

fn slug(name: &str) -> String {
    name.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-")
}

#[derive(Debug, Clone)]
pub struct Product {
    pub id: u64,
    pub name: String,
    pub type_: String,
    pub sku: String,
    pub description: String,
    pub weight: f64,
    pub price: f64,
    pub cost_price: f64,
    pub retail_price: f64,
    pub sale_price: f64,
    pub categories: Vec<u64>,
    pub brand_id: u64,
    pub inventory_warning_level: i64,
    pub inventory_tracking: String,
    pub is_visible: bool,
    pub availability: String,
    pub upc: String,
    pub gtin: String,
    pub mpn: String,
    pub date_created: i64,
    pub date_modified: i64,
    pub base_variant_id: u64,
}

/// A variant; every product has one base variant (`is_base`, no option values) that carries the
/// product's SKU and, when tracking by product, its stock.
#[derive(Debug, Clone)]
pub struct Variant {
    pub id: u64,
    pub product_id: u64,
    pub is_base: bool,
    pub sku: String,
    pub sku_id: Option<u64>,
    pub option_values: Vec<Value>,
    pub price: Option<f64>,
    pub sale_price: Option<f64>,
    pub retail_price: Option<f64>,
    pub cost_price: Option<f64>,
    pub weight: Option<f64>,
    pub inventory_level: i64,
    pub inventory_warning_level: i64,
    /// Whether stock was ever set (relative adjustments need an absolute one first).
    pub stock_initialised: bool,
    pub safety_stock: i64,
    pub upc: String,
    pub mpn: String,
    pub purchasing_disabled: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Category {
    pub id: u64,
    pub parent_id: u64,
    pub name: String,
    pub description: String,
    pub sort_order: i64,
    pub is_visible: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Brand {
    pub id: u64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Order {
    pub id: u64,
    pub customer_id: u64,
    pub status_id: u64,
    pub channel_id: u64,
    pub date_created: i64,
    pub date_modified: i64,
    /// Money in ten-thousandths.
    pub subtotal_ex_tax: i64,
    pub subtotal_inc_tax: i64,
    pub shipping_ex_tax: i64,
    pub shipping_inc_tax: i64,
    pub total_ex_tax: i64,
    pub total_inc_tax: i64,
    pub refunded_amount: i64,
    pub payment_method: String,
    pub payment_status: String,
    pub currency_code: String,
    pub staff_notes: String,
    pub customer_message: String,
    pub external_source: Value,
    pub external_order_id: String,
    pub order_source: String,
    pub is_deleted: bool,
    pub billing_address: Value,
    pub shipping_addresses: Vec<Value>,
    pub products: Vec<OrderLine>,
}

#[derive(Debug, Clone)]
pub struct OrderLine {
    pub id: u64,
    pub product_id: u64,
    pub variant_id: u64,
    pub name: String,
    pub sku: String,
    pub quantity: i64,
    pub price_ex_tax: i64,
    pub price_inc_tax: i64,
    pub quantity_refunded: i64,
    pub refund_amount: i64,
}

#[derive(Debug, Clone)]
pub struct Hook {
    pub id: u64,
    pub client_id: String,
    pub scope: String,
    pub destination: String,
    pub headers: Value,
    pub is_active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Order statuses 0-14 as `GET /v2/order_statuses` names them.
pub const ORDER_STATUSES: [&str; 15] = [
    "Incomplete",
    "Pending",
    "Shipped",
    "Partially Shipped",
    "Refunded",
    "Cancelled",
    "Declined",
    "Awaiting Payment",
    "Awaiting Pickup",
    "Awaiting Shipment",
    "Completed",
    "Awaiting Fulfillment",
    "Manual Verification Required",
    "Disputed",
    "Partially Refunded",
];

pub fn status_name(id: u64) -> &'static str {
    ORDER_STATUSES.get(id as usize).copied().unwrap_or("Unknown")
}

/// Case-insensitive equality as `to_lowercase() ==`, without allocating for ASCII text (the
/// uniqueness scans run once per write over the whole catalog).
pub fn same_caseless(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() { a.eq_ignore_ascii_case(b) } else { a.to_lowercase() == b.to_lowercase() }
}

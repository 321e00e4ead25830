//! The parts of WooCommerce's `wc/v3` representations posbridge reads. Everything defaults, so a
//! field a store (or an older WooCommerce) leaves out reads as empty rather than failing; money
//! stays a string here and is parsed with the field's name in the error.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `null` reads as the default (WooCommerce sends `null` for unset strings in a few places).
fn nullable<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A string or a number, as text (`line_items[].quantity`, some plug-ins' prices).
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TermRef {
    pub id: u64,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Image {
    #[serde(deserialize_with = "nullable")]
    pub src: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Meta {
    #[serde(deserialize_with = "nullable")]
    pub key: String,
    pub value: Value,
}

/// A meta value as text (string or number), `None` when absent or empty.
pub(crate) fn meta_text(meta: &[Meta], key: &str) -> Option<String> {
    let v = &meta.iter().find(|m| m.key == key)?.value;
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Attribute {
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    pub variation: bool,
    pub options: Vec<String>,
    /// Variations carry one `option` instead of `options`.
    #[serde(deserialize_with = "nullable")]
    pub option: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Product {
    pub id: u64,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(rename = "type", deserialize_with = "nullable")]
    pub kind: String,
    #[serde(deserialize_with = "nullable")]
    pub status: String,
    #[serde(deserialize_with = "nullable")]
    pub sku: String,
    #[serde(deserialize_with = "nullable")]
    pub global_unique_id: String,
    #[serde(deserialize_with = "nullable")]
    pub description: String,
    #[serde(deserialize_with = "text")]
    pub regular_price: String,
    #[serde(deserialize_with = "text")]
    pub sale_price: String,
    /// `true`, `false`, or `"parent"` on variations that inherit the parent's stock.
    pub manage_stock: Value,
    pub stock_quantity: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    pub weight: String,
    pub categories: Vec<TermRef>,
    pub tags: Vec<TermRef>,
    pub brands: Vec<TermRef>,
    pub images: Vec<Image>,
    /// A variation's single image.
    pub image: Option<Image>,
    pub attributes: Vec<Attribute>,
    pub meta_data: Vec<Meta>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Address {
    #[serde(deserialize_with = "nullable")]
    pub first_name: String,
    #[serde(deserialize_with = "nullable")]
    pub last_name: String,
    #[serde(deserialize_with = "nullable")]
    pub company: String,
    #[serde(deserialize_with = "nullable")]
    pub address_1: String,
    #[serde(deserialize_with = "nullable")]
    pub address_2: String,
    #[serde(deserialize_with = "nullable")]
    pub city: String,
    #[serde(deserialize_with = "nullable")]
    pub state: String,
    #[serde(deserialize_with = "nullable")]
    pub postcode: String,
    #[serde(deserialize_with = "nullable")]
    pub country: String,
    #[serde(deserialize_with = "nullable")]
    pub email: String,
    #[serde(deserialize_with = "nullable")]
    pub phone: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Customer {
    pub id: u64,
    #[serde(deserialize_with = "nullable")]
    pub email: String,
    #[serde(deserialize_with = "nullable")]
    pub first_name: String,
    #[serde(deserialize_with = "nullable")]
    pub last_name: String,
    pub billing: Address,
    pub shipping: Address,
    pub meta_data: Vec<Meta>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LineItem {
    pub id: u64,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    pub product_id: u64,
    pub variation_id: u64,
    #[serde(deserialize_with = "text")]
    pub quantity: String,
    #[serde(deserialize_with = "text")]
    pub total: String,
    #[serde(deserialize_with = "text")]
    pub total_tax: String,
    #[serde(deserialize_with = "nullable")]
    pub sku: String,
    pub meta_data: Vec<Meta>,
    /// Set by the Composite Products extension on composite containers and their children.
    pub composite_parent: Value,
    pub composite_children: Value,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ShippingLine {
    #[serde(deserialize_with = "nullable")]
    pub method_title: String,
    #[serde(deserialize_with = "text")]
    pub total: String,
    #[serde(deserialize_with = "text")]
    pub total_tax: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FeeLine {
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "text")]
    pub total: String,
    #[serde(deserialize_with = "text")]
    pub total_tax: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TaxLine {
    pub rate_id: u64,
    #[serde(deserialize_with = "nullable")]
    pub rate_code: String,
}

/// An entry of the order's read-only `refunds[]` summary.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RefundSummary {
    pub id: u64,
    #[serde(deserialize_with = "nullable")]
    pub refund: String,
    #[serde(deserialize_with = "text")]
    pub total: String,
}

/// A refund from `/orders/{id}/refunds`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Refund {
    pub id: u64,
    #[serde(deserialize_with = "text")]
    pub amount: String,
    #[serde(deserialize_with = "nullable")]
    pub reason: String,
    pub line_items: Vec<LineItem>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Order {
    pub id: u64,
    #[serde(deserialize_with = "text")]
    pub number: String,
    #[serde(deserialize_with = "nullable")]
    pub status: String,
    pub customer_id: u64,
    #[serde(deserialize_with = "nullable")]
    pub customer_note: String,
    pub billing: Address,
    pub shipping: Address,
    #[serde(deserialize_with = "nullable")]
    pub payment_method: String,
    #[serde(deserialize_with = "nullable")]
    pub payment_method_title: String,
    #[serde(deserialize_with = "nullable")]
    pub transaction_id: String,
    #[serde(deserialize_with = "text")]
    pub total: String,
    #[serde(deserialize_with = "text")]
    pub total_tax: String,
    pub date_created_gmt: Option<String>,
    pub line_items: Vec<LineItem>,
    pub shipping_lines: Vec<ShippingLine>,
    pub fee_lines: Vec<FeeLine>,
    pub tax_lines: Vec<TaxLine>,
    pub refunds: Vec<RefundSummary>,
    pub meta_data: Vec<Meta>,
}

//! Serde shapes shared by orders and customers (Ecwid `PersonInfo`, `OrderItem`, ...).
//!
//! Orders and customers are stored in their API shape: a partial `PUT` is applied by merging the
//! body into the stored JSON and deserializing it back, which keeps field names and types in one
//! place and turns a wrongly typed field into a 400.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::util::Money;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Person {
    pub name: String,
    pub company_name: String,
    pub street: String,
    pub city: String,
    pub country_code: String,
    pub country_name: String,
    pub postal_code: String,
    pub state_or_province_code: String,
    pub state_or_province_name: String,
    pub phone: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Dimensions {
    pub length: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Selection {
    pub selection_title: String,
    pub selection_modifier: f64,
    pub selection_modifier_type: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SelectedOption {
    pub name: String,
    pub value: String,
    pub values_array: Vec<String>,
    pub selections: Vec<Selection>,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ItemTax {
    pub name: String,
    pub value: f64,
    pub total: Money,
    pub tax_on_discounted_subtotal: Money,
    pub tax_on_shipping: Money,
    pub include_in_price: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DiscountInfo {
    pub value: f64,
    #[serde(rename = "type")]
    pub kind: String,
    pub base: String,
    pub order_total: Money,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ItemDiscount {
    pub discount_info: DiscountInfo,
    pub total: Money,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderItem {
    pub id: u64,
    pub product_id: u64,
    pub category_id: u64,
    pub price: Money,
    pub product_price: Money,
    pub sku: String,
    pub quantity: i64,
    pub short_description: String,
    pub tax: Money,
    pub shipping: Money,
    pub quantity_in_stock: i64,
    pub name: String,
    pub is_shipping_required: bool,
    pub weight: f64,
    pub track_quantity: bool,
    pub fixed_shipping_rate_only: bool,
    pub fixed_shipping_rate: Money,
    pub digital: bool,
    pub coupon_applied: bool,
    pub selected_options: Vec<SelectedOption>,
    pub taxes: Vec<ItemTax>,
    pub dimensions: Dimensions,
    pub coupon_amount: Money,
    pub discounts: Vec<ItemDiscount>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Refund {
    pub date: String,
    pub source: String,
    pub reason: String,
    pub amount: Money,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ShippingOption {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_carrier_name: Option<String>,
    pub shipping_method_name: String,
    pub shipping_rate: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_transit_time: Option<String>,
    pub is_pickup: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickup_instruction: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HandlingFee {
    pub name: String,
    pub value: Money,
    pub description: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaxOnShipping {
    pub name: String,
    pub value: f64,
    pub total: Money,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExtraField {
    pub id: String,
    pub value: String,
    pub customer_input_type: String,
    pub title: String,
    pub order_details_display_section: String,
    pub order_by: String,
}

/// An order in its API shape. `id` is the alphanumeric id of current Ecwid stores; the 2020
/// docs only know `orderNumber`, which stays the primary key (webhook `entityId`, `{id}` on create).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Order {
    pub id: String,
    pub order_number: u64,
    pub vendor_order_number: String,
    pub subtotal: Money,
    pub total: Money,
    pub usd_total: Money,
    pub tax: Money,
    pub payment_method: String,
    pub payment_module: String,
    pub payment_status: String,
    pub fulfillment_status: String,
    pub referer_url: String,
    pub global_referer: String,
    pub create_date: String,
    pub update_date: String,
    pub create_timestamp: i64,
    pub update_timestamp: i64,
    pub hidden: bool,
    pub order_comments: String,
    pub private_admin_notes: String,
    pub email: String,
    pub ip_address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<u64>,
    pub customer_group_id: u64,
    pub customer_group: String,
    pub customer_tax_exempt: bool,
    pub customer_tax_id: String,
    pub customer_tax_id_valid: bool,
    pub reversed_tax_applied: bool,
    pub discount: Money,
    pub coupon_discount: Money,
    pub volume_discount: Money,
    pub membership_based_discount: Money,
    pub total_and_membership_based_discount: Money,
    pub custom_discount: Vec<Money>,
    pub discount_info: Vec<DiscountInfo>,
    pub items: Vec<OrderItem>,
    pub refunded_amount: Money,
    pub refunds: Vec<Refund>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_person: Option<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_person: Option<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_option: Option<ShippingOption>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handling_fee: Option<HandlingFee>,
    pub taxes_on_shipping: Vec<TaxOnShipping>,
    pub additional_info: BTreeMap<String, String>,
    pub payment_params: BTreeMap<String, String>,
    pub order_extra_fields: Vec<ExtraField>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept_marketing: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referer_id: Option<String>,
    pub disable_all_customer_notifications: bool,
    pub external_fulfillment: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
}

/// A registered customer in its API shape (`password` is write-only).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Customer {
    pub id: u64,
    pub email: String,
    #[serde(skip_serializing)]
    pub password: String,
    pub name: String,
    pub registered: String,
    pub updated: String,
    pub total_order_count: u64,
    pub customer_group_id: u64,
    pub customer_group_name: String,
    pub billing_person: Person,
    pub shipping_addresses: Vec<Person>,
    pub tax_id: String,
    pub tax_id_valid: bool,
    pub tax_exempt: bool,
    pub accept_marketing: bool,
    #[serde(skip)]
    pub registered_ts: i64,
    #[serde(skip)]
    pub updated_ts: i64,
}

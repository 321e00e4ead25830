//! The POS's JSON, as typed serde structs (contract: `tests/emulators/pos/openapi.yaml`).
//!
//! Responses (`Pos*`) are read strictly: a field the contract marks required must be there, so a
//! change of the POS's shapes fails loudly instead of syncing blanks. Request bodies
//! (`Pos*Input`) leave out every field they do not set, because the POS keeps absent fields on
//! update. Money is a decimal string with 2 decimals, quantities a decimal string with up to 3.
//!
//! Fields beyond the emulator's contract, named as in Hike's public product-create body
//! (PLATFORM-FACTS §5): `primary_image`, `additional_images`. Ours, in the same style:
//! `cost_price` and `shipping_details` (see the crate README, "Decisions").

use serde::{Deserialize, Serialize};

/// `GET store/get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosStoreSettings {
    pub name: String,
    pub currency: String,
    /// "Tax-inclusive prices".
    pub tax_inclusive: bool,
    pub default_tax_id: i64,
    pub timezone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosOutlet {
    pub id: i64,
    pub name: String,
    pub is_active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosRegister {
    pub id: i64,
    pub outlet_id: i64,
    pub name: String,
    /// `open` or `closed`.
    pub status: String,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
}

/// A brand, product type or customer group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosNamed {
    pub id: i64,
    pub name: String,
}

/// Body of `brands/create`, `product_types/create`, `customer_groups/create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PosNamedInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosTax {
    pub id: i64,
    pub name: String,
    /// Percent with 2 decimals (`"10.00"`).
    pub rate: String,
    pub is_default: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosPaymentType {
    pub id: i64,
    pub name: String,
    pub is_active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosProductOutlet {
    pub outlet_id: i64,
    pub price: String,
    /// `null` when the product keeps no stock of its own (untracked, composite, variant parent).
    pub stock: Option<String>,
    pub is_visible: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosAttribute {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosVariant {
    pub id: i64,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub name: String,
    pub attributes: Vec<PosAttribute>,
    pub price: String,
    #[serde(rename = "isActive")]
    pub is_active: bool,
    pub product_outlets: Vec<PosProductOutlet>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosComponent {
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub quantity: String,
}

/// The e-commerce "Shipping details" of a product (shown when "Display e-commerce related fields
/// in product add/edit" is on). Weight in kilograms, up to 3 decimals (grams).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PosShippingDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosProduct {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub brand_id: Option<i64>,
    pub product_type: Vec<i64>,
    pub has_variants: bool,
    pub track_inventory: bool,
    pub continue_selling_no_inventory: bool,
    #[serde(rename = "isActive")]
    pub is_active: bool,
    #[serde(rename = "isPricingDifferentByOutlet")]
    pub pricing_by_outlet: bool,
    /// `pos`, `ecommerce`.
    pub sales_channels: Vec<String>,
    pub price: String,
    pub tax_id: Option<i64>,
    pub serial_number_enabled: bool,
    pub is_composite: bool,
    pub composite_components: Vec<PosComponent>,
    pub product_outlets: Vec<PosProductOutlet>,
    pub product_variants: Vec<PosVariant>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_price: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_image: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additional_images: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_details: Option<PosShippingDetails>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PosProductOutletInput {
    pub outlet_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_visible: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PosVariantInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<PosAttribute>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_outlets: Option<Vec<PosProductOutletInput>>,
}

/// Body of `POST products/create` (create, or update when `id` is set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PosProductInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_type: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_variants: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track_inventory: Option<bool>,
    #[serde(rename = "isActive", skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
    #[serde(rename = "isPricingDifferentByOutlet", skip_serializing_if = "Option::is_none")]
    pub pricing_by_outlet: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sales_channels: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_outlets: Option<Vec<PosProductOutletInput>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_variants: Option<Vec<PosVariantInput>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_images: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_details: Option<PosShippingDetails>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosCustomer {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub customer_group_id: Option<i64>,
    pub note: String,
    #[serde(rename = "isActive")]
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// Body of `POST customers/create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PosCustomerInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_group_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosSaleLine {
    pub id: i64,
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub sku: Option<String>,
    pub name: String,
    /// Negative on a refund.
    pub quantity: String,
    /// Unit price, tax-inclusive when the sale is.
    pub price: String,
    pub tax_id: i64,
    pub tax_rate: String,
    pub tax_amount: String,
    pub line_total: String,
    pub serial_numbers: Vec<String>,
}

/// The shipping charge: one extra invoice line, taxed per the store's general tax setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosSaleShipping {
    pub description: String,
    pub price: String,
    pub tax_id: i64,
    pub tax_amount: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosSalePayment {
    pub id: i64,
    pub payment_type_id: i64,
    pub payment_type_name: String,
    pub amount: String,
    pub register_id: i64,
    pub paid_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosSale {
    pub id: i64,
    pub invoice_number: String,
    pub outlet_id: i64,
    pub register_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// parked, completed, voided, layby, on_account, refunded.
    pub status: String,
    /// paid, pending, voided, refunded.
    pub payment_status: String,
    pub external_reference: Option<String>,
    pub original_sale_id: Option<i64>,
    pub note: String,
    #[serde(rename = "transactionDate")]
    pub transaction_date: String,
    pub created_at: String,
    pub updated_at: String,
    pub tax_inclusive: bool,
    pub lines: Vec<PosSaleLine>,
    pub shipping: Option<PosSaleShipping>,
    pub payments: Vec<PosSalePayment>,
    pub subtotal: String,
    #[serde(rename = "netAmount")]
    pub net_amount: String,
    pub tax_total: String,
    pub total: String,
    pub total_paid: String,
    pub balance: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PosSaleLineInput {
    pub product_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant_id: Option<i64>,
    pub quantity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub serial_numbers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PosSaleShippingInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The shipping total; the POS taxes it per the store's general tax setting.
    pub price: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PosSalePaymentInput {
    pub payment_type_id: i64,
    pub amount: String,
}

/// Body of `POST sales/create`: a new sale, or (with `id`) a status change and new payments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PosSaleInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlet_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub register_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_sale_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(rename = "transactionDate", skip_serializing_if = "Option::is_none")]
    pub transaction_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<PosSaleLineInput>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping: Option<PosSaleShippingInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payments: Option<Vec<PosSalePaymentInput>>,
}

/// `data` of an `inventory.updated` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosInventoryEvent {
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub outlet_id: i64,
    pub previous_stock: String,
    pub stock: String,
    pub delta: String,
    pub reason: String,
    pub reference_type: String,
    pub reference_id: i64,
}

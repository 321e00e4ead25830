//! The canonical records posbridge syncs. Platform JSON never appears here: connectors map their
//! platform's shapes to and from these types (issue 5), and the sync rules work on these only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::values::{Barcode, Money, PlatformId, PosId, Quantity, Sku, TaxRate};

/// What kind of record a link, status or job is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Product,
    Variant,
    Category,
    Brand,
    Customer,
    CustomerGroup,
    Order,
    Inventory,
    Outlet,
    Register,
    TaxRule,
    PaymentType,
    PurchaseOrder,
    Supplier,
}

impl EntityKind {
    pub const ALL: [EntityKind; 14] = [
        EntityKind::Product,
        EntityKind::Variant,
        EntityKind::Category,
        EntityKind::Brand,
        EntityKind::Customer,
        EntityKind::CustomerGroup,
        EntityKind::Order,
        EntityKind::Inventory,
        EntityKind::Outlet,
        EntityKind::Register,
        EntityKind::TaxRule,
        EntityKind::PaymentType,
        EntityKind::PurchaseOrder,
        EntityKind::Supplier,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Product => "product",
            EntityKind::Variant => "variant",
            EntityKind::Category => "category",
            EntityKind::Brand => "brand",
            EntityKind::Customer => "customer",
            EntityKind::CustomerGroup => "customer_group",
            EntityKind::Order => "order",
            EntityKind::Inventory => "inventory",
            EntityKind::Outlet => "outlet",
            EntityKind::Register => "register",
            EntityKind::TaxRule => "tax_rule",
            EntityKind::PaymentType => "payment_type",
            EntityKind::PurchaseOrder => "purchase_order",
            EntityKind::Supplier => "supplier",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for EntityKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The web stores posbridge connects to (and the POS, as a source of events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    BigCommerce,
    WooCommerce,
    Ecwid,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::BigCommerce => "bigcommerce",
            Platform::WooCommerce => "woocommerce",
            Platform::Ecwid => "ecwid",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Platform::BigCommerce, Platform::WooCommerce, Platform::Ecwid].into_iter().find(|p| p.as_str() == s)
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which side of an integration a change came from or goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Pos,
    Platform,
}

/// A shop location: stock and sales live per outlet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outlet {
    pub id: PosId,
    pub name: String,
}

/// A till in an outlet; web payments are recorded into a chosen register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Register {
    pub id: PosId,
    pub outlet_id: PosId,
    pub name: String,
    pub open: bool,
}

/// A tax rule on either side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaxRule {
    pub id: String,
    pub name: String,
    pub rate: TaxRate,
}

/// A way to pay (cash, card, "BigCommerce"...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentType {
    pub id: String,
    pub name: String,
}

/// A product type on the POS, a category on the web store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub id: Option<PosId>,
    pub name: String,
    pub parent: Option<PosId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Brand {
    pub id: Option<PosId>,
    pub name: String,
}

/// Simple, with variants, or composite (a bundle of other products; never synced itself, its
/// components are).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProductKind {
    Simple,
    WithVariants { options: Vec<String> },
    Composite { components: Vec<Component> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    pub product_id: PosId,
    pub quantity: Quantity,
}

/// Prices of one sellable item. Which of the two the merchant entered depends on the store's
/// tax-inclusive setting; both are kept so mappings never recompute what was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Prices {
    pub retail_ex_tax: Option<Money>,
    pub retail_inc_tax: Option<Money>,
    pub cost: Option<Money>,
    /// A lower price the web store shows when set (BigCommerce sale price).
    pub sale: Option<Money>,
}

/// Stock and visibility of a product or variant in one outlet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutletStock {
    pub outlet_id: PosId,
    pub on_hand: Quantity,
    pub visible: bool,
    pub price: Option<Prices>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub id: Option<PosId>,
    pub sku: Option<Sku>,
    pub barcode: Option<Barcode>,
    /// Option name -> value, e.g. Size -> M.
    pub options: BTreeMap<String, String>,
    pub prices: Prices,
    pub stock: Vec<OutletStock>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: Option<PosId>,
    pub name: String,
    pub sku: Option<Sku>,
    pub barcode: Option<Barcode>,
    pub description_html: Option<String>,
    pub kind: ProductKind,
    pub variants: Vec<Variant>,
    pub track_inventory: bool,
    pub prices: Prices,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub tags: Vec<String>,
    pub images: Vec<String>,
    /// The POS's active flag.
    pub active: bool,
    /// The POS's eCommerce sales-channel tick: a product syncs when ticked, even if inactive.
    pub ecommerce_channel: bool,
    pub stock: Vec<OutletStock>,
    pub weight_grams: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Address {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postcode: Option<String>,
    pub country_code: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerGroup {
    pub id: Option<PosId>,
    pub name: String,
    /// Percentage discount in basis points, when the group has one.
    pub discount_bp: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: Option<PosId>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub group: Option<String>,
    pub billing: Option<Address>,
    pub shipping: Option<Address>,
}

/// Where a sale stands, in the POS's terms (the product docs' status tables map platform
/// statuses onto these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleStatus {
    Parked,
    Completed,
    Voided,
    Layby,
    OnAccount,
    Refunded,
    /// Pending on the platform side (layby and on-account map here).
    Pending,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleLine {
    pub product_id: Option<PosId>,
    pub sku: Option<Sku>,
    pub name: String,
    pub quantity: Quantity,
    pub unit_price_inc_tax: Money,
    pub unit_price_ex_tax: Money,
    pub serial_numbers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipping {
    pub method: String,
    pub amount_inc_tax: Money,
    pub amount_ex_tax: Money,
    pub address: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// The payment type's name as the receiving side should show it.
    pub method: String,
    pub amount: Money,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refund {
    pub id: Option<String>,
    pub amount: Money,
    pub lines: Vec<SaleLine>,
    pub reason: Option<String>,
}

/// A POS sale or a web order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sale {
    pub id: Option<PosId>,
    pub platform_id: Option<PlatformId>,
    pub number: Option<String>,
    pub status: SaleStatus,
    pub customer_id: Option<PosId>,
    pub outlet_id: Option<PosId>,
    pub register_id: Option<PosId>,
    pub lines: Vec<SaleLine>,
    pub shipping: Option<Shipping>,
    pub payments: Vec<Payment>,
    pub refunds: Vec<Refund>,
    pub total_inc_tax: Money,
    pub total_tax: Money,
    pub note: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// Stock of one sellable item in one outlet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryLevel {
    pub product_id: PosId,
    pub variant_id: Option<PosId>,
    pub sku: Option<Sku>,
    pub outlet_id: PosId,
    pub on_hand: Quantity,
}

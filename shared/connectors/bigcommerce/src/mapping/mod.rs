//! Pure mapping between BigCommerce JSON and the canonical model: no I/O, no clock.
//!
//! Reads take the JSON BigCommerce answers with (catalog v3 products with `variants`, customers v3,
//! customer groups v2, orders v2 with their `products` and `shipping_addresses`, v3 refunds);
//! writes build the bodies BigCommerce accepts on create and update. Anything a mapping needs
//! besides the record (category names, linked ids, the merchant's settings) comes in as
//! arguments: [`MappingOptions`](posbridge_domain::model::MappingOptions) from the domain and
//! [`BcOptions`] / [`Lookups`] from this crate.

mod customer;
mod json;
mod order;
mod product;

use std::collections::BTreeMap;

use posbridge_domain::model::{Address, PosId};

pub use customer::{customer_from_bc, customer_group_from_bc, customer_group_to_bc, customer_to_bc};
pub use order::{
    DISCOUNT_LINE_NAME, HANDLING_LINE_NAME, OrderLinks, SHIPPING_LINE_NAME, order_from_bc, order_status_body,
    order_to_bc, payment_label, refund_as_sale, refund_from_bc, refund_to_bc, status_from_bc, status_to_bc,
};
pub use product::{
    BcProduct, DuplicateIdentifier, InventoryMethod, ShippingDetails, find_duplicate_identifiers,
    platform_stock_change_applies, pos_tax_rule_for, product_from_bc, product_to_bc, tax_class_for, variant_to_bc,
};

/// The platform's name, used as the payment label when payments are not mapped one by one.
pub const PLATFORM_LABEL: &str = "BigCommerce";

/// Whether a body creates a record or updates one that BigCommerce already has.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Write<'a> {
    Create,
    /// `current` is the record as BigCommerce last returned it (some fields merge with it).
    Update {
        current: &'a serde_json::Value,
    },
}

/// How products' POS product types become BigCommerce categories (the docs' "Category Sync
/// Preference", whose options are only shown in a screenshot: these two are posbridge's reading).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CategoryPreference {
    /// The POS product type is the product's (first) BigCommerce category.
    #[default]
    ProductTypeAsCategory,
    /// Categories are managed in BigCommerce only; posbridge never sends them.
    ManageInBigCommerce,
}

/// BigCommerce's store weight unit (`weight_units` of `GET /v2/store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeightUnit {
    Grams,
    #[default]
    Kilograms,
    Ounces,
    Pounds,
    Tonnes,
}

impl WeightUnit {
    /// Reads `weight_units` ("Ounces", "LBS", "KGS", "Grams", "Tonnes", "kg"...).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "g" | "grams" | "gram" => Some(Self::Grams),
            "kg" | "kgs" | "kilograms" | "kilogram" => Some(Self::Kilograms),
            "oz" | "ounces" | "ounce" => Some(Self::Ounces),
            "lb" | "lbs" | "pounds" | "pound" => Some(Self::Pounds),
            "t" | "tonnes" | "tonne" => Some(Self::Tonnes),
            _ => None,
        }
    }

    pub(crate) fn grams_per_unit(self) -> f64 {
        match self {
            Self::Grams => 1.0,
            Self::Kilograms => 1_000.0,
            Self::Ounces => 28.349_523_125,
            Self::Pounds => 453.592_37,
            Self::Tonnes => 1_000_000.0,
        }
    }
}

/// BigCommerce's store dimension unit (`dimension_units`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DimensionUnit {
    #[default]
    Centimeters,
    Inches,
}

impl DimensionUnit {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cm" | "centimeters" | "centimetres" => Some(Self::Centimeters),
            "in" | "inches" => Some(Self::Inches),
            _ => None,
        }
    }

    pub(crate) fn mm_per_unit(self) -> f64 {
        match self {
            Self::Centimeters => 10.0,
            Self::Inches => 25.4,
        }
    }
}

/// BigCommerce settings the domain's `MappingOptions` does not carry (an extension: the domain
/// crate is shared and these only matter to BigCommerce, or are not yet in its settings model).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BcOptions {
    /// "Display e-commerce related fields in product add/edit": shipping details sync both ways.
    pub sync_shipping_details: bool,
    pub weight_unit: WeightUnit,
    pub dimension_unit: DimensionUnit,
    pub category_preference: CategoryPreference,
    /// "Hike Outlet for Inventory Sync" first, then any outlets whose stock is shown combined.
    pub inventory_outlets: Vec<PosId>,
    /// Every POS outlet, for "Make product visibility to all outlet when created in Hike".
    pub all_outlets: Vec<PosId>,
    pub visible_in_all_outlets: bool,
    /// The outlet online orders are invoiced to ("Do you keep separate inventory for online sales?").
    pub invoice_outlet: Option<PosId>,
    /// "Select Hike register for payments".
    pub payment_register: Option<PosId>,
    /// Unix seconds of the integration's activation: older orders never sync.
    pub activated_at: Option<i64>,
    /// The billing address for POS sales without a customer address (BigCommerce requires one
    /// with a ZIP code on every order): usually the outlet's address.
    pub fallback_billing: Address,
}

impl BcOptions {
    pub(crate) fn stock_outlet(&self) -> Option<&PosId> {
        self.inventory_outlets.first()
    }
}

/// Names of BigCommerce records a product or customer refers to by id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lookups {
    pub categories: BTreeMap<u64, String>,
    pub brands: BTreeMap<u64, String>,
    pub customer_groups: BTreeMap<u64, String>,
}

impl Lookups {
    pub(crate) fn category_id(&self, name: &str) -> Option<u64> {
        find_by_name(&self.categories, name)
    }
    pub(crate) fn group_id(&self, name: &str) -> Option<u64> {
        find_by_name(&self.customer_groups, name)
    }
}

fn find_by_name(m: &BTreeMap<u64, String>, name: &str) -> Option<u64> {
    let want = name.trim().to_lowercase();
    m.iter().find(|(_, n)| n.trim().to_lowercase() == want).map(|(id, _)| *id)
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_units_parse_from_both_spellings() {
        for (s, u) in [
            ("Ounces", WeightUnit::Ounces),
            ("LBS", WeightUnit::Pounds),
            ("KGS", WeightUnit::Kilograms),
            ("kg", WeightUnit::Kilograms),
            ("Grams", WeightUnit::Grams),
            ("Tonnes", WeightUnit::Tonnes),
        ] {
            assert_eq!(WeightUnit::parse(s), Some(u), "{s}");
        }
        assert_eq!(WeightUnit::parse("stone"), None);
        assert_eq!(DimensionUnit::parse("Inches"), Some(DimensionUnit::Inches));
        assert_eq!(DimensionUnit::parse("Centimeters"), Some(DimensionUnit::Centimeters));
    }

    #[test]
    fn names_match_case_insensitively() {
        let l = Lookups { categories: BTreeMap::from([(4, "Shirts".into())]), ..Lookups::default() };
        assert_eq!(l.category_id(" shirts"), Some(4));
        assert_eq!(l.category_id("Pants"), None);
    }
}

//! The merchant's sync preferences that change how records map (product docs: "Apply tax
//! rule", "Price type", "Product Description/Image Sync Preference", "Product Sync Reference",
//! payment and tax mapping). The full settings model (directions, outlets, registers) builds on
//! this; mappings only see what they need.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::values::TaxRate;

/// Which way a field flows when both sides can change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FieldDirection {
    /// Web store -> POS only (the docs' recommendation for HTML descriptions and images).
    #[default]
    PlatformToPos,
    BothWays,
}

/// BigCommerce's three prices; the one that carries the POS retail price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BcPriceType {
    #[default]
    Price,
    RetailPrice,
    SalePrice,
}

/// What to do with a web-store product that has no SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SkuPolicy {
    /// "Sync non-SKU products to Hike and auto-assign SKU numbers".
    #[default]
    AutoAssign,
    /// "Do not sync non-SKU products and their sales orders".
    SkipWithoutSku,
}

/// Options every mapping receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MappingOptions {
    /// The store's tax-inclusive setting (it must be the same on both sides).
    pub prices_include_tax: bool,
    /// Rate used to derive the price the merchant did not enter (ex from inc or inc from ex).
    pub default_tax_rate: TaxRate,
    pub bc_price_type: BcPriceType,
    pub description: FieldDirection,
    pub images: FieldDirection,
    pub sku_policy: SkuPolicy,
    /// Platform payment method name -> POS payment type name. Unmapped methods keep the
    /// platform's name ("payments labelled as the platform").
    pub payment_map: BTreeMap<String, String>,
    /// Platform tax class/rule id -> POS tax rule id.
    pub tax_map: BTreeMap<String, String>,
}

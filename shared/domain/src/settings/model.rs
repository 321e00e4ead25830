//! The settings as the merchant picks them (and as stored and sent in a `PUT`).

use std::collections::BTreeMap;

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::{BcPriceType, FieldDirection, PosId, SkuPolicy};

/// One integration's settings. Missing sections take their defaults; unknown fields and wrong
/// types are refused by serde. Whether the result is complete and consistent is [`super::validate`]'s
/// job.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct Settings {
    /// "Hike outlet for invoice sync" (000:44-46): the outlet web orders are saved to. When
    /// absent, the only POS outlet or the only inventory outlet.
    pub invoice_outlet_id: Option<PosId>,
    pub payments: PaymentSettings,
    pub tax: TaxSettings,
    pub inventory: InventorySettings,
    pub platform_to_pos: PlatformToPos,
    pub pos_to_platform: PosToPlatform,
    /// "Product Description Sync Preference" (000:127-130, 001:250-254).
    pub description: FieldDirection,
    /// "Product Image Sync Preference" (000:132-135, 001:256-260).
    pub images: FieldDirection,
    /// "Product Sync Reference" / "Product SKU Preference" (000:137-144, 001:262-278).
    pub sku_policy: Option<SkuPolicy>,
    /// "The customer is enforced to sync in both ways" (000:148).
    pub customers: CustomerSync,
    /// BigCommerce-only options; absent for other platforms.
    pub bigcommerce: Option<BigCommerceSettings>,
}

/// "Select Hike register for payments" and "Payment mapping".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct PaymentSettings {
    /// The register web payments are recorded in (000:49-55, 001:162-171); must be in the
    /// invoice outlet.
    pub register_id: Option<PosId>,
    pub mapping: Option<PaymentMapping>,
}

/// How platform payments are named in the POS (001:110-116, 000:62-64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self", tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum PaymentMapping {
    /// "Map all such payments with Hike as 'BigCommerce'": every payment gets the platform's name.
    /// (A struct variant, so that serde refuses unknown fields beside the tag.)
    AllAsPlatform {},
    /// Each platform payment method (by id) -> a POS payment type (by id).
    PerMethod { methods: BTreeMap<String, String> },
}

/// "Tax mapping" / "Hike Tax / BigCommerce Tax" (000:57-59, 001:76-80).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct TaxSettings {
    /// POS tax rule id -> platform tax rule or class id (the POS rules are listed on the left,
    /// the platform's in the drop-downs, 000:59).
    pub mapping: BTreeMap<String, String>,
}

/// "Inventory settings" / "Hike Outlet for Inventory Sync" (000:66-82, 001:72-107).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct InventorySettings {
    /// The outlet the store draws stock from; several means their stock is shown combined
    /// (000:76-80, 001:98-105), and the platform's stock counts then never flow back.
    pub outlet_ids: Vec<PosId>,
}

impl InventorySettings {
    pub fn is_combined(&self) -> bool {
        self.outlet_ids.len() > 1
    }
}

/// Platform -> POS toggles (000:89-106, 001:173-213).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct PlatformToPos {
    /// "Update inventory in Hike when an order is created in ...".
    pub update_inventory_on_order: bool,
    /// "Send full ... order to Hike and save in Hike's sales history".
    pub send_full_orders: bool,
    /// "Send new products created in ... to Hike".
    pub send_new_products: bool,
    /// "Make product visibility to all outlet when created in Hike": only shown with several POS
    /// outlets; ticked when shown and not given.
    pub visible_in_all_outlets: Option<bool>,
}

/// POS -> platform toggles (000:108-125, 001:215-248).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct PosToPlatform {
    /// "Update inventory in ... when a sale, purchase order or inventory take is created in Hike".
    pub update_inventory: bool,
    /// "Send new products in Hike to ..." (products with the eCommerce channel on).
    pub send_new_products: bool,
    /// "Send full Hike order to ... and save in ...'s sales history" (not recommended: 000:123,
    /// 001:244).
    pub send_full_orders: bool,
    /// "Receive at least ... orders related payment updates from Hike": only shown while orders
    /// do not sync both ways; ticked when shown and not given (000:124-125).
    pub receive_payment_updates: Option<bool>,
}

/// Customers always sync both ways; the only value there is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerSync {
    #[default]
    BothWays,
}

/// Options only the BigCommerce integration has.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct BigCommerceSettings {
    /// "Hike's retail price is BigCommerce's Price Type" (001:134-160); mandatory (003:104).
    pub price_type: Option<BcPriceType>,
    /// "Display e-commerce related fields in product add/edit": the products' shipping details
    /// sync both ways (001:119-123).
    pub shipping_details: bool,
    /// "Category Sync Preference": shown once new POS products go to BigCommerce (001:280-284).
    pub category_preference: Option<CategoryPreference>,
}

/// How POS product types become BigCommerce categories. The docs show the options only in a
/// screenshot (001:284); these two are posbridge's reading, the same as the BigCommerce
/// connector's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryPreference {
    /// The POS product type becomes the product's BigCommerce category (field map, 001:336).
    ProductTypeAsCategory,
    /// Categories are managed in BigCommerce only; posbridge never sends them.
    ManageInBigCommerce,
}

/// Serde for the settings' objects: serialised by the derived code, deserialised only from a map.
/// The derives (`remote = "Self"`, which makes them inherent functions) would also accept a JSON
/// array of the fields in order, so `[]` would be read as "all defaults"; a body of the wrong
/// shape must be refused instead.
macro_rules! object_only {
    ($($t:ident: $what:literal),* $(,)?) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $t::serialize(self, s)
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> Visitor<'de> for ObjectVisitor {
                    type Value = $t;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<$t, A::Error> {
                        $t::deserialize(MapAccessDeserializer::new(map))
                    }
                }
                d.deserialize_map(ObjectVisitor)
            }
        }
    )*};
}

object_only!(
    Settings: "a settings object",
    PaymentSettings: "a payments object",
    PaymentMapping: "a payment mapping object with a \"mode\"",
    TaxSettings: "a tax object",
    InventorySettings: "an inventory object",
    PlatformToPos: "a platform_to_pos object",
    PosToPlatform: "a pos_to_platform object",
    BigCommerceSettings: "a bigcommerce object",
);

//! What the two sides offer when the merchant edits the settings. Plain data: the api function
//! reads it live from the POS and the platform (both sides' tax rules are read live, never
//! cached), then hands it to [`super::validate`].

use serde::{Deserialize, Serialize};

use crate::model::{Outlet, PaymentType, Platform, PosId, Register, TaxRate};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choices {
    /// Which web store this integration connects.
    pub platform: Platform,
    pub outlets: Vec<Outlet>,
    /// Every register, each with its outlet.
    pub registers: Vec<Register>,
    pub pos_tax_rules: Vec<TaxChoice>,
    /// The POS store's default tax rule: its rate derives the price the merchant did not enter.
    pub pos_default_tax_rule_id: Option<String>,
    /// The platform's tax rules (Ecwid) or tax classes (BigCommerce, WooCommerce).
    pub platform_tax_rules: Vec<TaxChoice>,
    pub pos_payment_types: Vec<PaymentType>,
    /// The platform's payment methods; `id` is what the settings store, `name` what its orders
    /// carry (for platforms without ids, both are the name).
    pub platform_payment_methods: Vec<PaymentType>,
    /// The POS general setting "Tax-inclusive prices".
    pub pos_prices_include_tax: bool,
    /// The platform's prices-include-tax setting; `None` when the platform does not say.
    pub platform_prices_include_tax: Option<bool>,
}

/// A tax rule or class on either side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxChoice {
    pub id: String,
    pub name: String,
    /// `None` for a class whose rate depends on the buyer's zone.
    pub rate: Option<TaxRate>,
}

impl Choices {
    pub fn outlet(&self, id: &PosId) -> Option<&Outlet> {
        self.outlets.iter().find(|o| &o.id == id)
    }
    pub fn register(&self, id: &PosId) -> Option<&Register> {
        self.registers.iter().find(|r| &r.id == id)
    }
    pub fn pos_tax(&self, id: &str) -> Option<&TaxChoice> {
        self.pos_tax_rules.iter().find(|t| t.id == id)
    }
    pub fn platform_tax(&self, id: &str) -> Option<&TaxChoice> {
        self.platform_tax_rules.iter().find(|t| t.id == id)
    }
    pub fn pos_payment_type(&self, id: &str) -> Option<&PaymentType> {
        self.pos_payment_types.iter().find(|p| p.id == id)
    }
    pub fn platform_payment_method(&self, id: &str) -> Option<&PaymentType> {
        self.platform_payment_methods.iter().find(|p| p.id == id)
    }
    /// The outlet's name for messages, or its id when it is unknown.
    pub(crate) fn outlet_name(&self, id: &PosId) -> String {
        self.outlet(id).map_or_else(|| id.to_string(), |o| o.name.clone())
    }
}

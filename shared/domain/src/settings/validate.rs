//! Validation: every missing or inconsistent setting at once, then the resolved settings.
//! The rules and the decisions behind them are listed in the module docs of [`super`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::choices::Choices;
use super::model::{BigCommerceSettings, PaymentMapping, Settings};
use crate::model::{FieldDirection, MappingOptions, Platform, PosId, TaxRate};

/// Why a field was refused (stable, machine-readable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A mandatory setting is not chosen.
    Missing,
    /// The chosen id is not among what the POS or the platform offers.
    UnknownId,
    /// A mapping row names a source (tax rule, payment method) that does not exist.
    UnknownKey,
    /// The same outlet is chosen twice.
    Duplicate,
    /// The register is not in the invoice outlet.
    NotInOutlet,
    /// The invoice outlet is not one of the inventory outlets.
    NotInInventory,
    /// A tax rule or payment method has no mapping.
    Unmapped,
    /// Two POS tax rules are mapped to one platform tax rule.
    DuplicateTarget,
    /// Mapped tax rules have different rates.
    RateMismatch,
    /// The two sides disagree on whether prices include tax.
    TaxInclusiveMismatch,
    /// The option asks for something other settings rule out.
    Contradictory,
    /// The option is not offered with the other settings (the screen would hide it).
    NotApplicable,
    /// The option belongs to another platform.
    WrongPlatform,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Missing => "missing",
            ErrorCode::UnknownId => "unknown_id",
            ErrorCode::UnknownKey => "unknown_key",
            ErrorCode::Duplicate => "duplicate",
            ErrorCode::NotInOutlet => "not_in_outlet",
            ErrorCode::NotInInventory => "not_in_inventory",
            ErrorCode::Unmapped => "unmapped",
            ErrorCode::DuplicateTarget => "duplicate_target",
            ErrorCode::RateMismatch => "rate_mismatch",
            ErrorCode::TaxInclusiveMismatch => "tax_inclusive_mismatch",
            ErrorCode::Contradictory => "contradictory",
            ErrorCode::NotApplicable => "not_applicable",
            ErrorCode::WrongPlatform => "wrong_platform",
        }
    }
}

/// One refused setting: `field` is a stable path into [`Settings`] (`payments.register_id`,
/// `inventory.outlet_ids[1]`, `tax.mapping.{POS tax rule id}`), `message` a sentence for the
/// merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.field, self.code.as_str(), self.message)
    }
}

/// A consequence of valid settings the merchant should know about (the docs' "Note:" and
/// "Please note" paragraphs). Never blocks saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeCode {
    /// Stock changed in the web store will not reach the POS (000:80, 000:102, 000:112).
    PlatformStockOneWay,
    /// Full POS orders to the platform can deduct stock twice (000:123, 001:244).
    DoubleDeductionRisk,
    /// Web orders will not deduct POS stock (000:95, 001:187).
    InventoryMayDrift,
    /// POS descriptions will overwrite the store's HTML (000:130, 001:254).
    HtmlDescriptionOverwritten,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub field: String,
    pub code: NoticeCode,
    pub message: String,
}

/// Settings that passed [`validate`], with every default resolved against the choices they were
/// checked with. Only `validate` builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSettings {
    settings: Settings,
    platform: Platform,
    invoice_outlet_id: PosId,
    receive_payment_updates: bool,
    visible_in_all_outlets: bool,
    options: MappingOptions,
    notices: Vec<Notice>,
}

impl ValidSettings {
    /// The settings as given (store these, not the resolved values: defaults then follow the
    /// POS, e.g. when a second outlet is added).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
    pub fn platform(&self) -> Platform {
        self.platform
    }
    /// The outlet web orders are saved to (given, or inferred).
    pub fn invoice_outlet_id(&self) -> &PosId {
        &self.invoice_outlet_id
    }
    pub fn register_id(&self) -> Option<&PosId> {
        self.settings.payments.register_id.as_ref()
    }
    pub fn inventory_outlet_ids(&self) -> &[PosId] {
        &self.settings.inventory.outlet_ids
    }
    /// Whether payment updates are received (false while orders sync both ways: the payments
    /// travel with the orders).
    pub fn receive_payment_updates(&self) -> bool {
        self.receive_payment_updates
    }
    /// Whether products created from the platform are visible in every POS outlet (always true
    /// with one outlet).
    pub fn visible_in_all_outlets(&self) -> bool {
        self.visible_in_all_outlets
    }
    /// Whether stock levels changed in the web store (manual counts, not orders) may overwrite the
    /// POS's: never with combined outlets (000:80), never on BigCommerce (001:225), and not while
    /// full web orders sync to the POS (000:102, 000:112: stock is then managed in the POS).
    pub fn platform_stock_flows_to_pos(&self) -> bool {
        !self.settings.inventory.is_combined()
            && self.platform != Platform::BigCommerce
            && !self.settings.platform_to_pos.send_full_orders
    }
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }
    /// What every mapping receives. Payment and tax maps are keyed the way records arrive from
    /// the platform: payment method *name* -> POS payment type *name*, platform tax id -> POS tax
    /// rule id.
    pub fn mapping_options(&self) -> MappingOptions {
        self.options.clone()
    }
}

/// Checks the settings against what both sides offer. Returns every problem, in the order of the
/// settings screen, or the resolved settings.
pub fn validate(settings: &Settings, choices: &Choices) -> Result<ValidSettings, Vec<FieldError>> {
    let mut v = Validation { s: settings, c: choices, errors: Vec::new() };
    let invoice_outlet = v.invoice_outlet();
    v.register(invoice_outlet.as_ref());
    let payment_map = v.payment_mapping();
    let tax_map = v.tax();
    v.inventory(invoice_outlet.as_ref());
    let (receive_payment_updates, visible_in_all_outlets) = v.toggles();
    if settings.sku_policy.is_none() {
        v.error(
            "sku_policy",
            ErrorCode::Missing,
            "Choose what to do with products that have no SKU: auto-assign SKU numbers, or do not sync them and their orders.",
        );
    }
    let bc = v.bigcommerce();
    let Validation { errors, .. } = v;
    // A missing invoice outlet or SKU policy has already been reported as an error.
    let (true, Some(invoice_outlet_id), Some(sku_policy)) = (errors.is_empty(), invoice_outlet, settings.sku_policy)
    else {
        return Err(errors);
    };
    let options = MappingOptions {
        prices_include_tax: choices.pos_prices_include_tax,
        default_tax_rate: default_tax_rate(choices),
        bc_price_type: bc.and_then(|b| b.price_type).unwrap_or_default(),
        description: settings.description,
        images: settings.images,
        sku_policy,
        payment_map,
        tax_map,
    };
    let mut valid = ValidSettings {
        settings: settings.clone(),
        platform: choices.platform,
        invoice_outlet_id,
        receive_payment_updates,
        visible_in_all_outlets,
        options,
        notices: Vec::new(),
    };
    valid.notices = notices(&valid);
    Ok(valid)
}

struct Validation<'a> {
    s: &'a Settings,
    c: &'a Choices,
    errors: Vec<FieldError>,
}

impl Validation<'_> {
    fn error(&mut self, field: impl Into<String>, code: ErrorCode, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), code, message: message.into() });
    }

    fn platform(&self) -> &'static str {
        platform_label(self.c.platform)
    }

    /// The invoice outlet, given or inferred; `None` when it is missing or unknown.
    fn invoice_outlet(&mut self) -> Option<PosId> {
        let field = "invoice_outlet_id";
        match &self.s.invoice_outlet_id {
            Some(id) if self.c.outlet(id).is_some() => Some(id.clone()),
            Some(id) => {
                self.error(
                    field,
                    ErrorCode::UnknownId,
                    format!("The POS has no outlet with id {id}. Choose the outlet web orders are saved to."),
                );
                None
            }
            None => {
                let inferred = match (self.c.outlets.as_slice(), self.s.inventory.outlet_ids.as_slice()) {
                    ([only], _) => Some(only.id.clone()),
                    (_, [only]) if self.c.outlet(only).is_some() => Some(only.clone()),
                    _ => None,
                };
                if inferred.is_none() {
                    let p = self.platform();
                    self.error(
                        field,
                        ErrorCode::Missing,
                        format!("Choose the POS outlet that {p} orders are saved to (the outlet you fulfil online orders from)."),
                    );
                }
                inferred
            }
        }
    }

    fn register(&mut self, invoice_outlet: Option<&PosId>) {
        let field = "payments.register_id";
        let p = self.platform();
        let Some(id) = &self.s.payments.register_id else {
            if self.s.platform_to_pos.send_full_orders {
                self.error(
                    field,
                    ErrorCode::Missing,
                    format!("Choose the POS register that records {p} payments: full {p} orders are saved in the POS, and their payments need a register."),
                );
            }
            return;
        };
        let Some(register) = self.c.register(id) else {
            self.error(
                field,
                ErrorCode::UnknownId,
                format!("The POS has no register with id {id}. Choose a register of the invoice outlet."),
            );
            return;
        };
        if let Some(outlet) = invoice_outlet.filter(|o| **o != register.outlet_id) {
            let message = format!(
                "Register {:?} belongs to outlet {:?}, not to the invoice outlet {:?}. Choose a register in the outlet {p} orders are saved to.",
                register.name,
                self.c.outlet_name(&register.outlet_id),
                self.c.outlet_name(outlet),
            );
            self.error(field, ErrorCode::NotInOutlet, message);
        }
    }

    /// Platform payment method name -> POS payment type name.
    fn payment_mapping(&mut self) -> BTreeMap<String, String> {
        let p = self.platform();
        let mut map = BTreeMap::new();
        match &self.s.payments.mapping {
            None => self.error(
                "payments.mapping",
                ErrorCode::Missing,
                format!("Choose how {p} payments appear in the POS: all as \"{p}\", or mapped method by method."),
            ),
            Some(PaymentMapping::AllAsPlatform {}) => {}
            Some(PaymentMapping::PerMethod { methods }) => {
                for (method_id, type_id) in methods {
                    let field = format!("payments.mapping.methods.{method_id}");
                    let method = self.c.platform_payment_method(method_id);
                    let pos_type = self.c.pos_payment_type(type_id);
                    if method.is_none() {
                        self.error(
                            field.clone(),
                            ErrorCode::UnknownKey,
                            format!("{p} has no payment method {method_id:?}. Remove this row."),
                        );
                    }
                    if pos_type.is_none() {
                        self.error(
                            field,
                            ErrorCode::UnknownId,
                            format!(
                                "The POS has no payment type with id {type_id:?}. Choose one of the POS payment types."
                            ),
                        );
                    }
                    if let (Some(m), Some(t)) = (method, pos_type) {
                        map.insert(m.name.clone(), t.name.clone());
                    }
                }
                for m in &self.c.platform_payment_methods {
                    if !methods.contains_key(&m.id) {
                        self.error(
                            format!("payments.mapping.methods.{}", m.id),
                            ErrorCode::Unmapped,
                            format!("Choose the POS payment type for {p} payments made with {:?}.", m.name),
                        );
                    }
                }
            }
        }
        map
    }

    /// Platform tax id -> POS tax rule id.
    fn tax(&mut self) -> BTreeMap<String, String> {
        let p = self.platform();
        if let Some(plt) = self.c.platform_prices_include_tax.filter(|plt| *plt != self.c.pos_prices_include_tax) {
            let (pos_says, plt_says) = if plt { ("exclude", "include") } else { ("include", "exclude") };
            self.error(
                "tax.prices_include_tax",
                ErrorCode::TaxInclusiveMismatch,
                format!("Prices {plt_says} tax in {p} but {pos_says} tax in the POS. Change \"Tax-inclusive prices\" in the POS general settings or the tax setting in {p} so both match."),
            );
        }
        let mapping = &self.s.tax.mapping;
        let mut inverted: BTreeMap<String, String> = BTreeMap::new();
        for (pos_id, plt_id) in mapping {
            let field = format!("tax.mapping.{pos_id}");
            let pos = self.c.pos_tax(pos_id);
            let plt = self.c.platform_tax(plt_id);
            if pos.is_none() {
                self.error(
                    field.clone(),
                    ErrorCode::UnknownKey,
                    format!("The POS has no tax rule with id {pos_id:?}. Remove this row."),
                );
            }
            let Some(plt) = plt else {
                self.error(
                    field,
                    ErrorCode::UnknownId,
                    format!("{p} has no tax rule with id {plt_id:?}. Choose one of the {p} tax rules."),
                );
                continue;
            };
            if let Some(first) = inverted.get(plt_id) {
                let first_name = self.c.pos_tax(first).map_or(first.as_str(), |t| t.name.as_str());
                let message = format!(
                    "{p} tax {:?} is already mapped to POS tax {first_name:?}. Map each POS tax rule to its own {p} tax rule.",
                    plt.name
                );
                self.error(field, ErrorCode::DuplicateTarget, message);
                continue;
            }
            inverted.insert(plt_id.clone(), pos_id.clone());
            if let Some(pos) = pos
                && let (Some(a), Some(b)) = (pos.rate, plt.rate)
                && a != b
            {
                let message = format!(
                    "POS tax {:?} is {} but {p} tax {:?} is {}. Map it to a {p} tax with the same rate, or fix the rate on one side.",
                    pos.name,
                    percent(a),
                    plt.name,
                    percent(b)
                );
                self.error(field, ErrorCode::RateMismatch, message);
            }
        }
        for rule in &self.c.pos_tax_rules {
            if !mapping.contains_key(&rule.id) {
                self.error(
                    format!("tax.mapping.{}", rule.id),
                    ErrorCode::Unmapped,
                    format!("Choose the {p} tax rule for POS tax {:?}.", rule.name),
                );
            }
        }
        inverted
    }

    fn inventory(&mut self, invoice_outlet: Option<&PosId>) {
        let ids = &self.s.inventory.outlet_ids;
        let p = self.platform();
        if ids.is_empty() {
            self.error(
                "inventory.outlet_ids",
                ErrorCode::Missing,
                format!("Choose the POS outlet (or outlets, combined) that {p} draws its stock from."),
            );
            return;
        }
        let mut seen = BTreeSet::new();
        for (i, id) in ids.iter().enumerate() {
            let field = format!("inventory.outlet_ids[{i}]");
            if self.c.outlet(id).is_none() {
                self.error(
                    field,
                    ErrorCode::UnknownId,
                    format!("The POS has no outlet with id {id}. Choose one of its outlets."),
                );
            } else if !seen.insert(id) {
                let message = format!("Outlet {:?} is chosen twice. Remove one.", self.c.outlet_name(id));
                self.error(field, ErrorCode::Duplicate, message);
            }
        }
        let orders_reach_pos =
            self.s.platform_to_pos.send_full_orders || self.s.platform_to_pos.update_inventory_on_order;
        if let Some(outlet) = invoice_outlet.filter(|o| orders_reach_pos && !ids.contains(o)) {
            let message = format!(
                "{p} orders are saved to outlet {:?}, whose stock {p} does not show, so online sales would not lower the stock online. Make the invoice outlet one of the inventory outlets.",
                self.c.outlet_name(outlet)
            );
            self.error("invoice_outlet_id", ErrorCode::NotInInventory, message);
        }
    }

    /// The effective "receive payment updates" and "visible in all outlets".
    fn toggles(&mut self) -> (bool, bool) {
        let p = self.platform();
        let both_ways = self.s.platform_to_pos.send_full_orders && self.s.pos_to_platform.send_full_orders;
        let receive = match self.s.pos_to_platform.receive_payment_updates {
            Some(true) if both_ways => {
                self.error(
                    "pos_to_platform.receive_payment_updates",
                    ErrorCode::Contradictory,
                    format!("Orders already sync both ways between the POS and {p}, so their payments travel with them. Leave \"receive payment updates\" unset."),
                );
                false
            }
            Some(false) if both_ways => {
                self.error(
                    "pos_to_platform.receive_payment_updates",
                    ErrorCode::NotApplicable,
                    "This option is only offered while orders do not sync both ways. Leave it unset.",
                );
                false
            }
            given => !both_ways && given.unwrap_or(true),
        };
        let several_outlets = self.c.outlets.len() > 1;
        let visible = match self.s.platform_to_pos.visible_in_all_outlets {
            Some(_) if !several_outlets => {
                self.error(
                    "platform_to_pos.visible_in_all_outlets",
                    ErrorCode::NotApplicable,
                    "The POS has only one outlet, so new products are always visible in it. Leave this option unset.",
                );
                true
            }
            given => given.unwrap_or(true),
        };
        (receive, visible)
    }

    fn bigcommerce(&mut self) -> Option<BigCommerceSettings> {
        let p = self.platform();
        if self.c.platform != Platform::BigCommerce {
            if self.s.bigcommerce.is_some() {
                self.error(
                    "bigcommerce",
                    ErrorCode::WrongPlatform,
                    format!("Price type, shipping details and category preference are BigCommerce options; this integration is with {p}. Remove them."),
                );
            }
            return None;
        }
        let bc = self.s.bigcommerce.clone().unwrap_or_default();
        if bc.price_type.is_none() {
            self.error(
                "bigcommerce.price_type",
                ErrorCode::Missing,
                "Choose which BigCommerce price carries the POS retail price: Price, Retail Price or Sale Price.",
            );
        }
        match (self.s.pos_to_platform.send_new_products, bc.category_preference) {
            (true, None) => self.error(
                "bigcommerce.category_preference",
                ErrorCode::Missing,
                "New POS products are sent to BigCommerce: choose how their product types become BigCommerce categories.",
            ),
            (false, Some(_)) => self.error(
                "bigcommerce.category_preference",
                ErrorCode::NotApplicable,
                "The category preference only applies while new POS products are sent to BigCommerce. Leave it unset, or turn that option on.",
            ),
            _ => {}
        }
        Some(bc)
    }
}

fn notices(v: &ValidSettings) -> Vec<Notice> {
    let s = &v.settings;
    let p = platform_label(v.platform);
    let mut out = Vec::new();
    let mut note = |field: &str, code, message: String| out.push(Notice { field: field.into(), code, message });
    if s.inventory.is_combined() {
        note(
            "inventory.outlet_ids",
            NoticeCode::PlatformStockOneWay,
            format!(
                "{p} shows the combined stock of several outlets, so stock counts changed in {p} will not reach the POS. Count stock in the POS."
            ),
        );
    } else if s.platform_to_pos.send_full_orders && v.platform != Platform::BigCommerce {
        note(
            "platform_to_pos.send_full_orders",
            NoticeCode::PlatformStockOneWay,
            format!(
                "While full {p} orders sync to the POS, manual stock changes in {p} will not reach the POS. Manage stock in the POS."
            ),
        );
    }
    if !s.platform_to_pos.update_inventory_on_order {
        note(
            "platform_to_pos.update_inventory_on_order",
            NoticeCode::InventoryMayDrift,
            format!(
                "{p} orders will not lower POS stock, so stock may differ between the POS and {p}. Reconcile stock if you turn this on later."
            ),
        );
    }
    if s.pos_to_platform.send_full_orders {
        note(
            "pos_to_platform.send_full_orders",
            NoticeCode::DoubleDeductionRisk,
            format!(
                "Sending full POS orders to {p} can, rarely, deduct stock twice; keeping POS orders in the POS is recommended."
            ),
        );
    }
    if s.description == FieldDirection::BothWays {
        note(
            "description",
            NoticeCode::HtmlDescriptionOverwritten,
            format!("POS descriptions will overwrite {p}'s, including any HTML formatting there."),
        );
    }
    out
}

/// The POS default tax rule's rate; 0 when the POS names none or its rate depends on the zone.
fn default_tax_rate(c: &Choices) -> TaxRate {
    c.pos_default_tax_rule_id.as_deref().and_then(|id| c.pos_tax(id)).and_then(|t| t.rate).unwrap_or_default()
}

pub(crate) fn platform_label(p: Platform) -> &'static str {
    match p {
        Platform::BigCommerce => "BigCommerce",
        Platform::WooCommerce => "WooCommerce",
        Platform::Ecwid => "Ecwid",
    }
}

fn percent(r: TaxRate) -> String {
    let (whole, frac) = (r.0 / 100, r.0 % 100);
    if frac == 0 {
        format!("{whole} %")
    } else {
        format!("{whole}.{}", format!("{frac:02}").trim_end_matches('0')) + " %"
    }
}

//! The merchant's sync settings per integration (issue 6): a typed model of every option in the
//! product docs, and its validation.
//!
//! Three pieces, all pure data and rules (fetching the choices live is the api function's job):
//!
//! - [`Settings`]: what the merchant picked on the settings screen, as stored and as sent in a
//!   `PUT`. Serde refuses unknown fields, wrong types and arrays in place of objects, so junk
//!   never reaches validation.
//! - [`Choices`]: what the two sides offer right now (outlets, registers, both sides' tax rules,
//!   payment types/methods, each side's tax-inclusive setting, the platform kind).
//! - [`validate`]: the docs' "Save stays greyed out until the mandatory settings are complete"
//!   (000:154, 001:295), as a function that reports **every** problem at once, each with a stable
//!   field path, a machine-readable [`ErrorCode`] and a sentence the merchant can act on. The api
//!   answers 422 with that list. Success gives [`ValidSettings`]: the settings with every default
//!   resolved, the non-blocking [`Notice`]s the screen should show, and
//!   [`ValidSettings::mapping_options`] for the connectors' mappings.
//!
//! Product doc files are cited as `file:line` of `/work/shared/product-reference/`
//! (000 Ecwid, 001 BigCommerce, 002 WooCommerce sales, 003 BigCommerce settings explained).
//!
//! # Rules (each has a test row in `tests.rs`)
//!
//! | field | code | rule |
//! |---|---|---|
//! | `inventory.outlet_ids` | `missing` | at least one inventory outlet (000:68, 001:74) |
//! | `inventory.outlet_ids[i]` | `unknown_id`, `duplicate` | each a POS outlet, once |
//! | `invoice_outlet_id` | `missing` | needed when it cannot be inferred (000:46, see below) |
//! | `invoice_outlet_id` | `unknown_id` | a POS outlet |
//! | `invoice_outlet_id` | `not_in_inventory` | when web orders or their stock reach the POS, the invoice outlet is one of the inventory outlets (posbridge, see below) |
//! | `payments.register_id` | `missing` | required while full web orders go to the POS (003:104, 000:53) |
//! | `payments.register_id` | `unknown_id` / `not_in_outlet` | a POS register in the invoice outlet (000:51, 001:164) |
//! | `payments.mapping` | `missing` | one of the two payment mapping options (003:104 "Invoice Payment", 001:112-116) |
//! | `payments.mapping.methods.{m}` | `unknown_key` / `unknown_id` / `unmapped` | per-method mapping: keys are platform methods, targets POS payment types, every method mapped (001:116) |
//! | `tax.prices_include_tax` | `tax_inclusive_mismatch` | both sides' tax-inclusive settings agree (000:19, 001:22) |
//! | `tax.mapping.{r}` | `unknown_key` / `unknown_id` / `unmapped` | keys are POS tax rules, targets platform tax rules, every POS rule mapped (000:59) |
//! | `tax.mapping.{r}` | `duplicate_target` | no two POS rules on one platform rule (000:59 "keep the same tax rules") |
//! | `tax.mapping.{r}` | `rate_mismatch` | mapped rules carry the same rate where both rates are known (001:78) |
//! | `pos_to_platform.receive_payment_updates` | `contradictory` / `not_applicable` | only when orders do not sync both ways (000:125) |
//! | `platform_to_pos.visible_in_all_outlets` | `not_applicable` | only with several POS outlets (000:106, 001:213) |
//! | `sku_policy` | `missing` | one of the two SKU options (000:140, 001:265) |
//! | `bigcommerce` | `wrong_platform` | BigCommerce-only options for another platform |
//! | `bigcommerce.price_type` | `missing` | BigCommerce only, mandatory (001:134-136, 003:104 "Sale Price") |
//! | `bigcommerce.category_preference` | `missing` / `not_applicable` | shown, and then required, once new POS products go to BigCommerce (001:282) |
//!
//! # Decisions where the docs are silent or loose
//!
//! - **Hidden options must be absent.** An option the screen would not show (payment updates
//!   while orders sync both ways, outlet visibility with one outlet, category preference without
//!   new products going out, the `bigcommerce` block on another platform) is refused when given,
//!   so stored settings never carry a value nobody can see. `receive_payment_updates: true` while
//!   orders sync both ways is `contradictory`; `false` there is merely `not_applicable`.
//! - **Invoice outlet.** 000:46 lets a single-outlet store skip it; BigCommerce has no separate
//!   selector and links online orders to the inventory outlet (001:91, likewise 000:71). So when
//!   absent it resolves to the only POS outlet, else to the only inventory outlet; only with
//!   several combined inventory outlets must the merchant pick the fulfilment outlet.
//! - **Invoice outlet inside the inventory outlets** while full web orders or their stock
//!   deductions reach the POS: otherwise online sales deduct stock from an outlet the store does
//!   not show, and the store oversells. Not in the docs; posbridge's own rule.
//! - **Register.** The docs make it a checkbox (000:51, 001:164) yet 003:104 says it must be set.
//!   posbridge requires it exactly when POS sales are created from web orders (their payments land
//!   in it, 000:53); otherwise it is optional but, when given, must be valid.
//! - **Payment mapping** is mandatory (003:104) and always shown. "Per method" must map every
//!   platform method (001:116); "all as the platform" labels every payment with the platform's
//!   name (001:112, 001:344, 002:42) and gives an empty map.
//! - **Tax mapping** must cover every POS tax rule listed (the screen lists all of them on the
//!   left, 000:59; a rule nobody uses still costs one click and can never surprise later), must be
//!   one-to-one (products and orders come back, so the map is inverted), and where both sides
//!   state a rate (platform tax *classes* often do not) the rates must agree.
//! - **Tax-inclusive** is read live from both sides; when the platform does not say, only the POS
//!   setting is used and no check is possible.
//! - **Combined inventory** (several outlets) is allowed with every toggle; the consequence the
//!   docs state (000:80: the platform's stock counts never flow back) is a [`Notice`], and
//!   [`ValidSettings::platform_stock_flows_to_pos`] encodes it.
//! - **Defaults** follow the docs' recommendations: description and images platform -> POS
//!   (000:130, 000:135, 001:254, 001:260), full POS orders to the platform off (000:123, 001:244),
//!   payment updates on when shown (000:125), outlet visibility on when shown (000:106 speaks of
//!   *unticking* it). Other toggles default off; choices without a recommendation (SKU policy,
//!   price type, category preference, payment mapping) have no default and are `missing` until
//!   picked.
//! - **Customers always sync both ways** (000:148): the field exists and accepts one value.
//! - Not settings: sync frequency ("at end of the transaction", 003:72), the first-time sync
//!   direction (000:160, chosen once at activation), the WooCommerce status table (002:9-39).

mod choices;
mod model;
mod validate;

#[cfg(test)]
mod tests;

pub use choices::*;
pub use model::*;
pub use validate::*;

//! Orders v2 (with their `products` and `shipping_addresses`) and v3 refunds <-> canonical [`Sale`].
//!
//! Statuses follow `003_babb2ce2d7f6df2c.txt:21-35`; the shipping charge is an extra sale line
//! (`001_0c79d532016484cd.txt:362`); payments are labelled "BigCommerce" or per the payment map
//! (`001:112-116`, `001:344`); a partial refund becomes its own refunded sale.

use std::collections::{BTreeMap, BTreeSet};

use posbridge_domain::model::{
    Address, Customer, MappingOptions, Money, Payment, PlatformId, PosId, Quantity, Refund, Sale, SaleLine, SaleStatus,
    Shipping, Sku, SkuPolicy,
};
use serde_json::{Map, Value, json};

use super::json::{id, int, money, money_req, num, opt_id, rfc2822, str4, text, to_rfc2822};
use super::{BcOptions, PLATFORM_LABEL};
use crate::errors::{Mapped, MappingError, MappingWarning};

/// The name of the extra sale line that carries an order's shipping charge.
pub const SHIPPING_LINE_NAME: &str = "Shipping";
/// The name of the negative line that carries an order's discounts (coupons, manual discounts):
/// the discount is not synced as an offer, but the sale must add up to what was paid.
pub const DISCOUNT_LINE_NAME: &str = "Discount";
/// The name of the line that carries handling, gift-wrapping and fee charges.
pub const HANDLING_LINE_NAME: &str = "Handling";

/// Links between BigCommerce and POS records an order refers to, both ways.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderLinks {
    /// BigCommerce customer id -> POS customer.
    pub customers: BTreeMap<u64, PosId>,
    /// BigCommerce `(product_id, variant_id)` -> the POS sellable item (product or variant).
    /// `(product_id, 0)` links a product whatever the variant.
    pub items: BTreeMap<(u64, u64), PosId>,
    /// POS customer -> BigCommerce customer id.
    pub bc_customers: BTreeMap<PosId, u64>,
    /// POS sellable item -> BigCommerce `(product_id, variant_id)`; variant 0 = the product.
    pub bc_items: BTreeMap<PosId, (u64, u64)>,
    /// POS composite products (sent as custom lines: they are not in BigCommerce).
    pub composites: BTreeSet<PosId>,
}

// ---------------------------------------------------------------------------------------------
// Statuses
// ---------------------------------------------------------------------------------------------

/// The POS status of a BigCommerce order status id (names in PLATFORM-FACTS §1.3).
/// Incomplete (0) orders are drafts and never sync.
pub fn status_from_bc(status_id: u64) -> Result<SaleStatus, MappingError> {
    Ok(match status_id {
        0 => return Err(MappingError::DraftOrder),
        // Shipped, Completed: "BC sales completed and shipped ... will sync as completed".
        2 | 10 => SaleStatus::Completed,
        // Partially Refunded: the sale stands; each refund becomes its own refunded sale.
        14 => SaleStatus::Completed,
        4 => SaleStatus::Refunded,
        5 | 6 => SaleStatus::Cancelled,
        // Awaiting Fulfillment -> Parked; every other open state waits in the POS the same way.
        1 | 3 | 7 | 8 | 9 | 11 | 12 | 13 => SaleStatus::Parked,
        other => return Err(MappingError::bad("status_id", other.to_string())),
    })
}

/// The BigCommerce status id for a POS sale status.
pub fn status_to_bc(s: SaleStatus) -> u64 {
    match s {
        SaleStatus::Parked => 11,
        SaleStatus::Completed => 10,
        SaleStatus::Layby | SaleStatus::OnAccount | SaleStatus::Pending => 1,
        SaleStatus::Voided | SaleStatus::Cancelled => 5,
        SaleStatus::Refunded => 4,
    }
}

/// The body of `PUT /v2/orders/{id}` that moves an order to a POS status.
pub fn order_status_body(s: SaleStatus) -> Value {
    json!({ "status_id": status_to_bc(s) })
}

/// Statuses in which the customer has paid (the order carries a payment).
fn paid(status_id: u64) -> bool {
    matches!(status_id, 2 | 3 | 4 | 8 | 9 | 10 | 11 | 14)
}

/// How a BigCommerce payment method shows in the POS: its mapped POS payment type, or
/// "BigCommerce" ("Map all such payments with Hike as 'BigCommerce'").
pub fn payment_label(method: &str, opts: &MappingOptions) -> String {
    let m = method.trim();
    opts.payment_map
        .get(m)
        .or_else(|| opts.payment_map.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(m)).map(|(_, v)| v))
        .cloned()
        .unwrap_or_else(|| PLATFORM_LABEL.to_string())
}

// ---------------------------------------------------------------------------------------------
// BigCommerce -> canonical
// ---------------------------------------------------------------------------------------------

/// Reads an order with its `products`, `shipping_addresses` and v3 `refunds`.
///
/// Every product and the customer must already be linked, or the whole order waits
/// (`NotLinked`). Lines keep BigCommerce's unit prices; discounts become one negative
/// [`DISCOUNT_LINE_NAME`] line and handling/wrapping one [`HANDLING_LINE_NAME`] line so the sale
/// adds up to the order total.
pub fn order_from_bc(
    order: &Value,
    products: &[Value],
    shipping_addresses: &[Value],
    refunds: &[Value],
    opts: &MappingOptions,
    bc: &BcOptions,
    links: &OrderLinks,
) -> Result<Mapped<Sale>, MappingError> {
    let oid = id(order, "id")?;
    let status_id = opt_id(order, "status_id")?.unwrap_or(0);
    let status = status_from_bc(status_id)?;
    let created_at = match text(order, "date_created") {
        Some(d) => rfc2822(&d).ok_or_else(|| MappingError::bad("date_created", d))?,
        None => return Err(MappingError::bad("date_created", "missing")),
    };
    if bc.activated_at.is_some_and(|a| created_at < a) {
        return Err(MappingError::OrderBeforeActivation);
    }
    let customer_id = match opt_id(order, "customer_id")? {
        None => None,
        Some(c) => Some(
            links
                .customers
                .get(&c)
                .cloned()
                .ok_or(MappingError::NotLinked { entity: "customer", key: format!("BigCommerce customer {c}") })?,
        ),
    };
    let mut warnings = Vec::new();
    let mut lines = Vec::new();
    for p in products {
        lines.push(line_from_bc(p, None, opts, links)?);
    }
    let rate = opts.default_tax_rate.0;
    let ship_inc = money_req(order, "shipping_cost_inc_tax")?;
    let ship_ex = money_req(order, "shipping_cost_ex_tax")?;
    let mut shipping = None;
    let first_addr = shipping_addresses.first();
    if ship_inc != Money::ZERO || first_addr.is_some() {
        let method =
            first_addr.and_then(|a| text(a, "shipping_method")).unwrap_or_else(|| SHIPPING_LINE_NAME.to_string());
        shipping = Some(Shipping {
            method,
            amount_inc_tax: ship_inc,
            amount_ex_tax: ship_ex,
            address: first_addr.map(order_address_from),
        });
    }
    if ship_inc != Money::ZERO {
        // "Hike will take only the total of the shipping charge": its tax follows the POS's
        // general tax setting, not BigCommerce's shipping tax class.
        lines.push(charge_line(SHIPPING_LINE_NAME, ship_inc, rate));
    }
    let total_inc = money_req(order, "total_inc_tax")?;
    let listed = lines.iter().try_fold(Money::ZERO, |acc, l| acc.checked_add(l.unit_price_inc_tax.times(l.quantity)));
    let listed = listed.ok_or_else(|| MappingError::bad("products", "amounts overflow"))?;
    let rest = total_inc.checked_sub(listed).ok_or_else(|| MappingError::bad("total_inc_tax", "amounts overflow"))?;
    if rest < Money::ZERO {
        lines.push(charge_line(DISCOUNT_LINE_NAME, rest, rate));
    } else if rest > Money::ZERO {
        lines.push(charge_line(HANDLING_LINE_NAME, rest, rate));
    }
    for (field, what) in [("gift_certificate_amount", "gift certificate"), ("store_credit_amount", "store credit")] {
        if money(order, field)?.is_some_and(|m| m != Money::ZERO) {
            warnings.push(MappingWarning::NotSynced { what });
        }
    }
    let payments = if paid(status_id) && total_inc != Money::ZERO {
        vec![Payment {
            method: payment_label(&text(order, "payment_method").unwrap_or_default(), opts),
            amount: total_inc,
            reference: None,
        }]
    } else {
        Vec::new()
    };
    let mut sale_refunds = Vec::new();
    for r in refunds {
        sale_refunds.push(refund_from_bc(r, products, opts, links)?);
    }
    let refunded = money_req(order, "refunded_amount")?;
    if sale_refunds.is_empty() && refunded != Money::ZERO {
        sale_refunds.push(refund_from_lines(oid, refunded, products, opts, links)?);
    }
    Ok(Mapped::new(
        Sale {
            id: None,
            platform_id: Some(PlatformId::parse(oid.to_string()).map_err(MappingError::invalid("id"))?),
            number: Some(oid.to_string()),
            status,
            customer_id,
            outlet_id: bc.invoice_outlet.clone(),
            register_id: bc.payment_register.clone(),
            lines,
            shipping,
            payments,
            refunds: sale_refunds,
            total_inc_tax: total_inc,
            total_tax: money_req(order, "total_tax")?,
            note: text(order, "customer_message").or_else(|| text(order, "staff_notes")),
            created_at,
        },
        warnings,
    ))
}

fn charge_line(name: &str, amount_inc: Money, rate: u32) -> SaleLine {
    SaleLine {
        product_id: None,
        sku: None,
        name: name.to_string(),
        quantity: Quantity::units(1),
        unit_price_inc_tax: amount_inc,
        unit_price_ex_tax: amount_inc.remove_tax(rate),
        serial_numbers: Vec::new(),
    }
}

/// One order product as a sale line; `qty` overrides the ordered quantity (refunds).
fn line_from_bc(
    p: &Value,
    qty: Option<i64>,
    opts: &MappingOptions,
    links: &OrderLinks,
) -> Result<SaleLine, MappingError> {
    let name = text(p, "name").unwrap_or_default();
    let quantity = match qty {
        Some(q) => q,
        None => int(p, "quantity")?.ok_or_else(|| MappingError::bad("quantity", "missing"))?,
    };
    let sku = text(p, "sku").map(|s| Sku::parse(s).map_err(MappingError::invalid("sku"))).transpose()?;
    if sku.is_none() && opts.sku_policy == SkuPolicy::SkipWithoutSku {
        return Err(MappingError::MissingSku { record: format!("order line {name:?}") });
    }
    let product_id = match opt_id(p, "product_id")? {
        // A custom line (not a catalog product) has nothing to link.
        None => None,
        Some(pid) => {
            let vid = opt_id(p, "variant_id")?.unwrap_or(0);
            let item = links.items.get(&(pid, vid)).or_else(|| links.items.get(&(pid, 0)));
            Some(item.cloned().ok_or_else(|| MappingError::NotLinked {
                entity: "product",
                key: sku.as_ref().map_or_else(|| name.clone(), |s| s.as_str().to_string()),
            })?)
        }
    };
    Ok(SaleLine {
        product_id,
        sku,
        name,
        quantity: Quantity::units(quantity),
        unit_price_inc_tax: money_req(p, "price_inc_tax")?,
        unit_price_ex_tax: money_req(p, "price_ex_tax")?,
        serial_numbers: Vec::new(),
    })
}

fn order_address_from(a: &Value) -> Address {
    Address {
        line1: text(a, "street_1"),
        line2: text(a, "street_2"),
        city: text(a, "city"),
        state: text(a, "state"),
        postcode: text(a, "zip"),
        country_code: text(a, "country_iso2"),
        phone: text(a, "phone"),
    }
}

/// Reads one v3 refund (`GET /v3/orders/{id}/payment_actions/refunds`) against the order's products.
pub fn refund_from_bc(
    r: &Value,
    products: &[Value],
    opts: &MappingOptions,
    links: &OrderLinks,
) -> Result<Refund, MappingError> {
    let rid = id(r, "id")?;
    let mut lines = Vec::new();
    for it in r.get("items").and_then(Value::as_array).into_iter().flatten() {
        match it.get("item_type").and_then(Value::as_str) {
            Some("PRODUCT") => {
                let item_id = id(it, "item_id")?;
                let p = products
                    .iter()
                    .find(|p| p.get("id").and_then(Value::as_u64) == Some(item_id))
                    .ok_or_else(|| MappingError::bad("items.item_id", item_id.to_string()))?;
                let q = int(it, "quantity")?.unwrap_or(0);
                lines.push(line_from_bc(p, Some(q), opts, links)?);
            }
            Some("SHIPPING") => {
                let amount = money(it, "requested_amount")?.or(money(it, "amount")?).unwrap_or(Money::ZERO);
                lines.push(charge_line(SHIPPING_LINE_NAME, amount, opts.default_tax_rate.0));
            }
            _ => {}
        }
    }
    Ok(Refund { id: Some(rid.to_string()), amount: money_req(r, "total_amount")?, lines, reason: text(r, "reason") })
}

/// A refund summed from the order lines, when the refund records are not available.
fn refund_from_lines(
    oid: u64,
    amount: Money,
    products: &[Value],
    opts: &MappingOptions,
    links: &OrderLinks,
) -> Result<Refund, MappingError> {
    let mut lines = Vec::new();
    for p in products {
        if let Some(q) = int(p, "quantity_refunded")?.filter(|q| *q > 0) {
            lines.push(line_from_bc(p, Some(q), opts, links)?);
        }
    }
    Ok(Refund { id: Some(format!("{oid}-refunded")), amount, lines, reason: None })
}

/// A refund as its own refunded sale (partial refunds are separate refunded orders in the POS):
/// negative quantities, a negative payment in the original's payment type.
pub fn refund_as_sale(original: &Sale, refund: &Refund) -> Result<Sale, MappingError> {
    let rid = refund.id.clone().unwrap_or_else(|| "refund".into());
    let lines: Vec<SaleLine> =
        refund.lines.iter().map(|l| SaleLine { quantity: -l.quantity.abs_q(), ..l.clone() }).collect();
    let tax = lines.iter().fold(Money::ZERO, |acc, l| {
        let t = l.unit_price_inc_tax.checked_sub(l.unit_price_ex_tax).unwrap_or(Money::ZERO).times(l.quantity);
        acc.checked_add(t).unwrap_or(acc)
    });
    let neg = Money::ZERO.checked_sub(refund.amount).ok_or_else(|| MappingError::bad("refund amount", "overflow"))?;
    let method = original.payments.first().map_or_else(|| PLATFORM_LABEL.to_string(), |p| p.method.clone());
    let pid = original.platform_id.as_ref().map(|p| format!("{p}:refund:{rid}"));
    Ok(Sale {
        id: None,
        platform_id: pid.map(PlatformId::parse).transpose().map_err(MappingError::invalid("id"))?,
        number: original.number.as_ref().map(|n| format!("{n}-R{rid}")),
        status: SaleStatus::Refunded,
        customer_id: original.customer_id.clone(),
        outlet_id: original.outlet_id.clone(),
        register_id: original.register_id.clone(),
        lines,
        shipping: None,
        payments: vec![Payment { method, amount: neg, reference: refund.id.clone() }],
        refunds: Vec::new(),
        total_inc_tax: neg,
        total_tax: tax,
        note: refund.reason.clone(),
        created_at: original.created_at,
    })
}

trait AbsQ {
    fn abs_q(self) -> Quantity;
}

impl AbsQ for Quantity {
    fn abs_q(self) -> Quantity {
        if self < Quantity::ZERO { -self } else { self }
    }
}

// ---------------------------------------------------------------------------------------------
// canonical -> BigCommerce
// ---------------------------------------------------------------------------------------------

/// The body of `POST /v2/orders` for a POS sale.
///
/// Lines must be whole units (BigCommerce has no fractions) and linked to BigCommerce products
/// (composites go as custom lines). Exchanges (sales mixing sold and returned lines) cannot be
/// sent; refunds go through [`refund_to_bc`].
pub fn order_to_bc(
    sale: &Sale,
    customer: Option<&Customer>,
    bc: &BcOptions,
    links: &OrderLinks,
) -> Result<Mapped<Value>, MappingError> {
    let has_sold = sale.lines.iter().any(|l| l.quantity > Quantity::ZERO && !is_charge(l));
    let has_returned = sale.lines.iter().any(|l| l.quantity < Quantity::ZERO && !is_charge(l));
    if has_sold && has_returned {
        return Err(MappingError::ExchangeNotSynced);
    }
    if has_returned || sale.status == SaleStatus::Refunded {
        return Err(MappingError::NotAcceptedByPlatform {
            field: "sale",
            value: sale.number.clone().unwrap_or_default(),
            reason: "a POS refund is sent as a refund of its original BigCommerce order",
        });
    }
    let mut products = Vec::new();
    let mut ship: Option<(Money, Money)> = None;
    let mut discount = Money::ZERO;
    for l in &sale.lines {
        let what = || l.sku.as_ref().map_or_else(|| l.name.clone(), |s| s.as_str().to_string());
        let qty = l
            .quantity
            .whole_units()
            .ok_or_else(|| MappingError::FractionalQuantity { what: what(), quantity: l.quantity.to_string() })?;
        if is_named(l, SHIPPING_LINE_NAME) {
            let (i, e) = ship.unwrap_or((Money::ZERO, Money::ZERO));
            ship =
                Some((add(i, l.unit_price_inc_tax.times(l.quantity))?, add(e, l.unit_price_ex_tax.times(l.quantity))?));
            continue;
        }
        if is_named(l, DISCOUNT_LINE_NAME) && l.unit_price_inc_tax < Money::ZERO {
            discount =
                add(discount, Money::ZERO.checked_sub(l.unit_price_inc_tax.times(l.quantity)).unwrap_or(Money::ZERO))?;
            continue;
        }
        if qty == 0 {
            continue;
        }
        let mut item = Map::new();
        match l.product_id.as_ref() {
            Some(pid) if !links.composites.contains(pid) => {
                let (bp, bv) = links
                    .bc_items
                    .get(pid)
                    .copied()
                    .ok_or_else(|| MappingError::NotLinked { entity: "product", key: what() })?;
                item.insert("product_id".into(), json!(bp));
                if bv != 0 {
                    item.insert("variant_id".into(), json!(bv));
                }
            }
            // Composites and non-catalog items go as custom lines.
            _ => {
                item.insert("name".into(), json!(l.name));
                if let Some(s) = &l.sku {
                    item.insert("sku".into(), json!(s.as_str()));
                }
            }
        }
        item.insert("quantity".into(), json!(qty));
        item.insert("price_inc_tax".into(), num(l.unit_price_inc_tax));
        item.insert("price_ex_tax".into(), num(l.unit_price_ex_tax));
        products.push(Value::Object(item));
    }
    if products.is_empty() {
        return Err(MappingError::MissingRequiredField { record: "sale", field: "product line" });
    }
    if ship.is_none()
        && let Some(s) = &sale.shipping
        && s.amount_inc_tax != Money::ZERO
    {
        ship = Some((s.amount_inc_tax, s.amount_ex_tax));
    }
    let mut b = Map::new();
    b.insert("status_id".into(), json!(status_to_bc(sale.status)));
    b.insert(
        "customer_id".into(),
        json!(match &sale.customer_id {
            None => 0,
            Some(c) =>
                *links.bc_customers.get(c).ok_or(MappingError::NotLinked { entity: "customer", key: c.to_string() })?,
        }),
    );
    b.insert("date_created".into(), json!(to_rfc2822(sale.created_at)));
    b.insert("billing_address".into(), billing(customer, bc)?);
    if let Some(s) = &sale.shipping
        && let Some(a) = &s.address
    {
        let mut sa = order_address(a, customer);
        sa["shipping_method"] = json!(s.method);
        b.insert("shipping_addresses".into(), json!([sa]));
    }
    b.insert("products".into(), Value::Array(products));
    if let Some((inc, ex)) = ship {
        b.insert("shipping_cost_inc_tax".into(), str4(inc));
        b.insert("shipping_cost_ex_tax".into(), str4(ex));
    }
    if discount != Money::ZERO {
        b.insert("discount_amount".into(), str4(discount));
    }
    let methods: Vec<&str> = sale.payments.iter().map(|p| p.method.as_str()).collect();
    if !methods.is_empty() {
        b.insert("payment_method".into(), json!(methods.join(", ")));
    }
    b.insert("external_source".into(), json!("POS (posbridge)"));
    if let Some(n) = sale.number.as_ref().or(sale.id.as_ref().map(PosId::as_str).map(str::to_string).as_ref()) {
        b.insert("external_order_id".into(), json!(n));
    }
    if let Some(n) = &sale.note {
        b.insert("staff_notes".into(), json!(n));
    }
    Ok(Mapped::new(Value::Object(b), Vec::new()))
}

fn add(a: Money, b: Money) -> Result<Money, MappingError> {
    a.checked_add(b).ok_or_else(|| MappingError::bad("amount", "overflow"))
}

fn is_named(l: &SaleLine, name: &str) -> bool {
    l.product_id.is_none() && l.sku.is_none() && l.name == name
}

fn is_charge(l: &SaleLine) -> bool {
    [SHIPPING_LINE_NAME, DISCOUNT_LINE_NAME, HANDLING_LINE_NAME].iter().any(|n| is_named(l, n))
}

fn names(customer: Option<&Customer>) -> (String, String, String) {
    let f = |s: Option<&Option<String>>| {
        s.and_then(|x| x.as_deref()).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string)
    };
    match customer {
        Some(c) => (
            f(Some(&c.first_name)).unwrap_or_else(|| "Walk-in".into()),
            f(Some(&c.last_name)).unwrap_or_else(|| "Customer".into()),
            f(Some(&c.email)).unwrap_or_default(),
        ),
        None => ("Walk-in".into(), "Customer".into(), String::new()),
    }
}

fn order_address(a: &Address, customer: Option<&Customer>) -> Value {
    let (first, last, email) = names(customer);
    let s = |x: &Option<String>| x.clone().unwrap_or_default();
    json!({
        "first_name": first, "last_name": last, "street_1": s(&a.line1), "street_2": s(&a.line2),
        "city": s(&a.city), "state": s(&a.state), "zip": s(&a.postcode),
        "country_iso2": s(&a.country_code).to_ascii_uppercase(), "phone": s(&a.phone), "email": email,
    })
}

/// The customer's billing address, or the configured fallback (the outlet's) when the customer
/// has none with a ZIP code: BigCommerce requires one of two or more characters.
fn billing(customer: Option<&Customer>, bc: &BcOptions) -> Result<Value, MappingError> {
    let zip_ok = |a: &Address| a.postcode.as_deref().is_some_and(|z| z.trim().chars().count() >= 2);
    let own = customer.and_then(|c| c.billing.as_ref()).filter(|a| zip_ok(a));
    let a = match own {
        Some(a) => a,
        None if zip_ok(&bc.fallback_billing) => &bc.fallback_billing,
        None => return Err(MappingError::MissingRequiredField { record: "order billing address", field: "ZIP code" }),
    };
    Ok(order_address(a, customer))
}

/// The body of `POST /v3/orders/{id}/payment_actions/refunds` for a POS refund of a BigCommerce
/// order: lines are matched to the order's products by SKU, shipping by amount; the refund is
/// recorded as an offline payment of the same total.
pub fn refund_to_bc(refund: &Refund, order_products: &[Value]) -> Result<Value, MappingError> {
    let mut items = Vec::new();
    let mut total = Money::ZERO;
    let mut used: BTreeMap<u64, i64> = BTreeMap::new();
    for l in &refund.lines {
        let q = l.quantity.abs_q();
        let what = || l.sku.as_ref().map_or_else(|| l.name.clone(), |s| s.as_str().to_string());
        let qty = q
            .whole_units()
            .ok_or_else(|| MappingError::FractionalQuantity { what: what(), quantity: q.to_string() })?;
        if is_named(l, SHIPPING_LINE_NAME) {
            let amount = l.unit_price_inc_tax.times(q);
            let addr = order_products.first().and_then(|p| opt_id(p, "order_address_id").ok().flatten()).unwrap_or(0);
            items.push(json!({ "item_type": "SHIPPING", "item_id": addr, "amount": num(amount) }));
            total = add(total, amount)?;
            continue;
        }
        let Some(sku) = &l.sku else {
            return Err(MappingError::NotLinked { entity: "order line", key: l.name.clone() });
        };
        let line = order_products.iter().find(|p| {
            let left = int(p, "quantity").ok().flatten().unwrap_or(0)
                - int(p, "quantity_refunded").ok().flatten().unwrap_or(0)
                - p.get("id").and_then(Value::as_u64).and_then(|i| used.get(&i)).copied().unwrap_or(0);
            text(p, "sku").is_some_and(|s| s.to_lowercase() == sku.key()) && left >= qty
        });
        let Some(line) = line else {
            return Err(MappingError::NotLinked { entity: "order line", key: sku.as_str().to_string() });
        };
        let lid = id(line, "id")?;
        *used.entry(lid).or_insert(0) += qty;
        total = add(total, money_req(line, "price_inc_tax")?.times(Quantity::units(qty)))?;
        items.push(json!({ "item_type": "PRODUCT", "item_id": lid, "quantity": qty }));
    }
    if items.is_empty() {
        return Err(MappingError::MissingRequiredField { record: "refund", field: "refunded line" });
    }
    Ok(json!({
        "items": items,
        "payments": [{ "provider_id": "custom", "amount": num(total), "offline": true }],
        "reason": refund.reason.clone().unwrap_or_else(|| "Refunded in the POS".into()),
    }))
}

#[cfg(test)]
mod tests;

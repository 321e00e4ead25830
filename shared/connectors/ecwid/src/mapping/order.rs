//! Orders <-> sales: lines, shipping, payments, refunds, statuses and the stock they move.
//!
//! Rules (product doc 000 unless noted): a web order arrives as a parked sale in the invoice
//! outlet (000:46, 000:72) with its payments in the chosen register (000:51); the shipping
//! charge is one extra invoice line whose tax follows the general tax setting (000:173);
//! payments take the POS type from the payment mapping (000:64), else the label "Ecwid";
//! gift cards, discounts, store credit and loyalty do not sync (000:22); Ecwid sells whole
//! units only (000:114); partial refunds become separate refunded sales (002:40).

use posbridge_domain::model::{
    MappingOptions, Money, Payment, PosId, Quantity, Refund, Sale, SaleLine, SaleStatus, Shipping, Sku, SkuPolicy,
};
use serde_json::{Map, Value, json};

use super::customer::{address_of, person_json};
use super::json::{
    Rec, both_prices, div_units, format_date, money, money_json, parse_date, text, uint, whole_quantity, whole_units,
};
use super::product::auto_sku;
use super::status::{PaymentStatus, ecwid_status_for, parse_statuses, sale_status_from_ecwid};
use super::{EcwidContext, PAYMENT_LABEL};
use crate::MappingError;

/// POS tenders that are not payments Ecwid knows about (000:22: gift cards, store credit and
/// loyalty points do not sync). Matched case-insensitively as parts of the payment type name.
pub const UNSYNCED_TENDERS: [&str; 4] = ["gift card", "giftcard", "store credit", "loyalty"];

fn is_unsynced_tender(method: &str) -> bool {
    let m = method.to_lowercase();
    UNSYNCED_TENDERS.iter().any(|t| m.contains(t))
}

/// The POS payment type for an Ecwid payment method: the payment mapping's entry (000:64, e.g.
/// "Cash on delivery" -> "Cash"), else [`PAYMENT_LABEL`].
pub fn payment_label(ecwid_method: Option<&str>, opts: &MappingOptions) -> String {
    let Some(method) = ecwid_method.map(str::trim).filter(|m| !m.is_empty()) else { return PAYMENT_LABEL.into() };
    opts.payment_map
        .get(method)
        .or_else(|| opts.payment_map.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(method)).map(|(_, v)| v))
        .cloned()
        .unwrap_or_else(|| PAYMENT_LABEL.into())
}

/// Ecwid's `paymentMethod` text for a POS sale's payments: each POS type shown as the Ecwid
/// method mapped to it when exactly one is, else under its POS name (002:44 shows the POS type
/// on the web store). Unsynced tenders are left out.
pub fn ecwid_payment_method(payments: &[Payment], opts: &MappingOptions) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    for p in payments.iter().filter(|p| !is_unsynced_tender(&p.method)) {
        let mapped: Vec<&String> =
            opts.payment_map.iter().filter(|(_, pos)| pos.eq_ignore_ascii_case(&p.method)).map(|(e, _)| e).collect();
        let name = match mapped.as_slice() {
            [one] => (*one).clone(),
            _ => p.method.clone(),
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    (!names.is_empty()).then(|| names.join(" + "))
}

/// The extra invoice line a shipping charge becomes in the POS (000:172-173), or `None` for
/// free shipping.
pub fn shipping_line(s: &Shipping) -> Option<SaleLine> {
    (s.amount_inc_tax != Money::ZERO || s.amount_ex_tax != Money::ZERO).then(|| SaleLine {
        product_id: None,
        sku: None,
        name: format!("Shipping: {}", s.method),
        quantity: Quantity::units(1),
        unit_price_inc_tax: s.amount_inc_tax,
        unit_price_ex_tax: s.amount_ex_tax,
        serial_numbers: Vec::new(),
    })
}

fn order_ref(o: &Value) -> String {
    uint(o, "orderNumber")
        .map(|n| n.to_string())
        .or_else(|| text(o, "id").map(str::to_string))
        .unwrap_or_else(|| "(new)".into())
}

fn line_sku(item: &Value, rec: Rec<'_>, policy: SkuPolicy) -> Result<Sku, MappingError> {
    if let Some(s) = text(item, "sku") {
        return Sku::parse(s).map_err(|_| rec.invalid("sku", &json!(s)));
    }
    match (policy, uint(item, "productId").filter(|p| *p != 0)) {
        (SkuPolicy::SkipWithoutSku, _) => {
            Err(MappingError::MissingSku { entity: rec.entity, record: rec.record.into() })
        }
        (SkuPolicy::AutoAssign, Some(pid)) => Ok(auto_sku(pid, None)),
        (SkuPolicy::AutoAssign, None) => Err(rec.missing("sku")),
    }
}

fn line_from_item(item: &Value, order: &str, n: usize, opts: &MappingOptions) -> Result<SaleLine, MappingError> {
    let what = format!("{order} line {}", n + 1);
    let rec = Rec { entity: "order line", record: &what };
    let sku = line_sku(item, rec, opts.sku_policy)?;
    let quantity =
        whole_quantity(item, "quantity", rec, || format!("order {what}"))?.ok_or_else(|| rec.missing("quantity"))?;
    let units = quantity.whole_units().unwrap_or(1);
    let price = money(item, "price", rec)?.ok_or_else(|| rec.missing("price"))?;
    let (ex, inc) = match money(item, "tax", rec)? {
        // Ecwid's item `tax` is the line's total tax.
        Some(tax) => {
            let per_unit = div_units(tax, units);
            if opts.prices_include_tax {
                (price.checked_sub(per_unit).unwrap_or(price), price)
            } else {
                (price, price.checked_add(per_unit).unwrap_or(price))
            }
        }
        None => both_prices(price, opts.prices_include_tax, opts.default_tax_rate.0),
    };
    Ok(SaleLine {
        product_id: None,
        name: text(item, "name").unwrap_or(sku.as_str()).to_string(),
        sku: Some(sku),
        quantity,
        unit_price_inc_tax: inc,
        unit_price_ex_tax: ex,
        serial_numbers: Vec::new(),
    })
}

fn created_at(o: &Value, rec: Rec<'_>) -> Result<i64, MappingError> {
    if let Some(ts) = o.get("createTimestamp").and_then(Value::as_i64) {
        return Ok(ts);
    }
    match text(o, "createDate") {
        Some(d) => parse_date(d).ok_or_else(|| rec.invalid("createDate", &json!(d))),
        None => Err(rec.missing("createDate")),
    }
}

/// An Ecwid order as a POS sale. Discounts, coupons and gift cards are not carried (000:22):
/// lines keep Ecwid's item prices and the totals are what the customer was charged.
pub fn sale_from_ecwid(o: &Value, opts: &MappingOptions, ctx: &EcwidContext) -> Result<Sale, MappingError> {
    let order = order_ref(o);
    let rec = Rec { entity: "order", record: &order };
    let (payment, fulfillment) = parse_statuses(&order, text(o, "paymentStatus"), text(o, "fulfillmentStatus"))?;
    let status = sale_status_from_ecwid(&order, payment, fulfillment)?;
    let lines = o
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(n, item)| line_from_item(item, &order, n, opts))
        .collect::<Result<Vec<_>, _>>()?;
    let total = money(o, "total", rec)?.ok_or_else(|| rec.missing("total"))?;
    let shipping = match o.get("shippingOption").filter(|s| s.is_object()) {
        None => None,
        Some(s) => {
            let rate = money(s, "shippingRate", rec)?.unwrap_or(Money::ZERO);
            let fee = match o.get("handlingFee") {
                Some(h) => money(h, "value", rec)?.unwrap_or(Money::ZERO),
                None => Money::ZERO,
            };
            let charge = rate.checked_add(fee).ok_or_else(|| rec.invalid("shippingRate", s))?;
            // "The shipping tax based on the general tax setting, Hike will take only the total".
            let (ex, inc) = both_prices(charge, opts.prices_include_tax, opts.default_tax_rate.0);
            Some(Shipping {
                method: text(s, "shippingMethodName").unwrap_or("Shipping").to_string(),
                amount_inc_tax: inc,
                amount_ex_tax: ex,
                address: address_of(o.get("shippingPerson")),
            })
        }
    };
    let payments = if payment.money_received() {
        vec![Payment {
            method: payment_label(text(o, "paymentMethod"), opts),
            amount: total,
            reference: text(o, "externalTransactionId").map(str::to_string),
        }]
    } else {
        Vec::new()
    };
    let refunds = o
        .get("refunds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, r)| {
            Ok(Refund {
                id: Some(format!("{order}-refund-{}", i + 1)),
                amount: money(r, "amount", rec)?.unwrap_or(Money::ZERO),
                lines: Vec::new(),
                reason: text(r, "reason").map(str::to_string),
            })
        })
        .collect::<Result<Vec<_>, MappingError>>()?;
    Ok(Sale {
        id: None,
        platform_id: Some(posbridge_domain::model::PlatformId::parse(&order).map_err(|_| rec.missing("orderNumber"))?),
        number: Some(text(o, "vendorOrderNumber").map(str::to_string).unwrap_or_else(|| order.clone())),
        status,
        customer_id: None,
        outlet_id: ctx.invoice_outlet.clone(),
        register_id: ctx.payments_register.clone(),
        lines,
        shipping,
        payments,
        refunds,
        total_inc_tax: total,
        total_tax: money(o, "tax", rec)?.unwrap_or(Money::ZERO),
        note: text(o, "orderComments").map(str::to_string),
        created_at: created_at(o, rec)?,
    })
}

/// Each Ecwid refund of an order as a separate refunded POS sale (002:40: "the partial refunds
/// will synced as separate refunded orders"). Ecwid records refunds as amounts without lines
/// (`refunds[]`, Ecwid Payments only), so each sale has one refund line for the amount; its tax
/// is unknown and recorded as zero. The platform id `{order}-refund-{n}` keeps re-syncs idempotent.
pub fn refund_sales_from_ecwid(
    o: &Value,
    opts: &MappingOptions,
    ctx: &EcwidContext,
) -> Result<Vec<Sale>, MappingError> {
    let order = order_ref(o);
    let rec = Rec { entity: "order", record: &order };
    let created = created_at(o, rec)?;
    let label = payment_label(text(o, "paymentMethod"), opts);
    let mut out = Vec::new();
    for (i, r) in o.get("refunds").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let amount = money(r, "amount", rec)?.ok_or_else(|| rec.missing("refund amount"))?;
        let reason = text(r, "reason").map(str::to_string);
        let id = format!("{order}-refund-{}", i + 1);
        let negative = Money::ZERO.checked_sub(amount).ok_or_else(|| rec.invalid("refund amount", r))?;
        out.push(Sale {
            id: None,
            platform_id: posbridge_domain::model::PlatformId::parse(&id).ok(),
            number: Some(id.clone()),
            status: SaleStatus::Refunded,
            customer_id: None,
            outlet_id: ctx.invoice_outlet.clone(),
            register_id: ctx.payments_register.clone(),
            lines: vec![SaleLine {
                product_id: None,
                sku: None,
                name: format!("Refund of Ecwid order {order}"),
                quantity: -Quantity::units(1),
                unit_price_inc_tax: amount,
                unit_price_ex_tax: amount,
                serial_numbers: Vec::new(),
            }],
            shipping: None,
            payments: vec![Payment { method: label.clone(), amount: negative, reference: None }],
            refunds: Vec::new(),
            total_inc_tax: negative,
            total_tax: Money::ZERO,
            note: reason,
            created_at: text(r, "date").and_then(parse_date).unwrap_or(created),
        });
    }
    Ok(out)
}

/// Who an order is for on the Ecwid side: the linked Ecwid customer, filled in by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderParty {
    pub ecwid_customer_id: Option<u64>,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// Whether the payments (all tenders, synced or not) cover the sale's total.
pub fn fully_paid(sale: &Sale) -> bool {
    let paid = sale.payments.iter().try_fold(Money::ZERO, |acc, p| acc.checked_add(p.amount));
    paid.is_some_and(|p| p >= sale.total_inc_tax)
}

fn entered(inc: Money, ex: Money, opts: &MappingOptions) -> Money {
    if opts.prices_include_tax { inc } else { ex }
}

fn abs(m: Money) -> Money {
    if m < Money::ZERO { Money::ZERO.checked_sub(m).unwrap_or(m) } else { m }
}

/// A POS sale as the body of `POST /orders` ("Send full Hike order to Ecwid", 000:121-122).
/// Every line needs a SKU already on Ecwid (000:113) and a whole quantity (000:114). A refunded
/// sale (a POS refund, or one partial refund) is written as its own order with positive
/// quantities and status `REFUNDED`; other negative lines (exchanges) cannot be expressed in
/// Ecwid and are refused (as for BigCommerce, 001:248).
pub fn order_to_ecwid(sale: &Sale, party: &OrderParty, opts: &MappingOptions) -> Result<Value, MappingError> {
    let record =
        sale.number.clone().or_else(|| sale.id.as_ref().map(PosId::to_string)).unwrap_or_else(|| "(new)".into());
    let refund = sale.status == SaleStatus::Refunded;
    let mut items = Vec::with_capacity(sale.lines.len());
    let mut subtotal = Money::ZERO;
    for (n, l) in sale.lines.iter().enumerate() {
        let what = format!("sale {record} line {} ({})", n + 1, l.name);
        let rec = Rec { entity: "sale line", record: &what };
        let sku = l.sku.as_ref().ok_or_else(|| rec.missing("SKU"))?;
        let units = whole_units(l.quantity, || what.clone())?;
        if units < 0 && !refund {
            return Err(rec.invalid("quantity", &json!(l.quantity.to_string())));
        }
        let units = units.abs();
        let price = abs(entered(l.unit_price_inc_tax, l.unit_price_ex_tax, opts));
        let unit_tax = abs(l.unit_price_inc_tax.checked_sub(l.unit_price_ex_tax).unwrap_or(Money::ZERO));
        let q = Quantity::units(units);
        subtotal = subtotal.checked_add(price.times(q)).ok_or_else(|| rec.invalid("price", &json!(price.to_4dp())))?;
        items.push(json!({
            "sku": sku.as_str(),
            "name": l.name,
            "quantity": units,
            "price": money_json(price),
            "tax": money_json(unit_tax.times(q)),
        }));
    }
    let (payment, fulfillment) = ecwid_status_for(sale.status, fully_paid(sale));
    let mut body = Map::new();
    body.insert("items".into(), Value::Array(items));
    body.insert("subtotal".into(), money_json(subtotal));
    body.insert("total".into(), money_json(abs(sale.total_inc_tax)));
    body.insert("tax".into(), money_json(abs(sale.total_tax)));
    body.insert("paymentStatus".into(), json!(payment.as_str()));
    body.insert("fulfillmentStatus".into(), json!(fulfillment.as_str()));
    body.insert("createDate".into(), json!(format_date(sale.created_at)));
    if let Some(m) = ecwid_payment_method(&sale.payments, opts) {
        body.insert("paymentMethod".into(), json!(m));
    }
    if let Some(id) = &sale.id {
        body.insert("externalOrderId".into(), json!(id.as_str()));
    }
    if let Some(n) = &sale.note {
        body.insert("orderComments".into(), json!(n));
    }
    if let Some(e) = &party.email {
        body.insert("email".into(), json!(e));
    }
    if let Some(c) = party.ecwid_customer_id {
        body.insert("customerId".into(), json!(c));
    }
    if let Some(s) = &sale.shipping {
        body.insert(
            "shippingOption".into(),
            json!({ "shippingMethodName": s.method, "shippingRate": money_json(entered(s.amount_inc_tax, s.amount_ex_tax, opts)) }),
        );
        if s.address.is_some() {
            body.insert("shippingPerson".into(), person_json(party.name.as_deref(), None, s.address.as_ref(), None));
        }
    }
    Ok(Value::Object(body))
}

/// The body of `PUT /orders/{id}` that carries a POS status change back to Ecwid (000:72).
pub fn status_update_to_ecwid(sale: &Sale) -> Value {
    let (p, f) = ecwid_status_for(sale.status, fully_paid(sale));
    json!({ "paymentStatus": p.as_str(), "fulfillmentStatus": f.as_str() })
}

/// A stock movement of one SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockDelta {
    pub sku: Sku,
    pub delta: Quantity,
}

/// The POS stock changes an Ecwid order causes ("Update inventory in Hike when an order is
/// created in Ecwid", 000:91-92): minus each line's quantity. Unfinished checkouts move nothing.
pub fn stock_deltas_from_order(o: &Value, opts: &MappingOptions) -> Result<Vec<StockDelta>, MappingError> {
    let order = order_ref(o);
    if PaymentStatus::parse(text(o, "paymentStatus").unwrap_or("")) == Some(PaymentStatus::Incomplete) {
        return Err(MappingError::UnfinishedOrder { order });
    }
    o.get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(n, item)| {
            let l = line_from_item(item, &order, n, opts)?;
            Ok(StockDelta { sku: l.sku.expect("order lines always have a SKU"), delta: -l.quantity })
        })
        .collect()
}

/// The body of `PUT /products/{id}/inventory` (or a variation's) for a POS sale line ("Update
/// inventory in Ecwid when a sale ... is created in Hike", 000:109-110). A fractional quantity is
/// flagged (000:114), never rounded.
pub fn stock_delta_for_line(line: &SaleLine) -> Result<Value, MappingError> {
    let what = || format!("sale line {} ({})", line.name, line.sku.as_ref().map(Sku::as_str).unwrap_or("no SKU"));
    let units = whole_units(line.quantity, what)?;
    Ok(json!({ "quantityDelta": -units }))
}

#[cfg(test)]
mod tests;

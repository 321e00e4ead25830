//! Orders both ways (002:2-3): the WooCommerce status table (002:9-39), refunds (002:40), payment
//! labels (002:41-44), shipping as an extra line (000:172-173, 001:359-362), historical orders
//! (002:46-50) and composite products (002:51-53).

use posbridge_domain::model::{
    Customer, MappingOptions, Money, Payment, PlatformId, PosId, Quantity, Refund, Sale, SaleLine, SaleStatus,
    Shipping, Sku, SkuPolicy,
};
use serde_json::{Map, Value, json};

use super::customer::{address_from_wc, contact_blocks};
use super::wire::{self, meta_text};
use super::{WooContext, auto_sku, money, non_empty, parse_gmt, price_2dp};
use crate::errors::{Mapped, MappingError, MappingWarning};

/// How every WooCommerce payment shows on the POS unless the merchant mapped it (002:42).
pub const PAYMENT_LABEL: &str = "WooCommerce";
/// Line meta carrying POS serial numbers to WooCommerce (002:4-6 has them entered on the POS).
pub const SERIAL_META: &str = "Serial numbers";
/// Order meta naming the POS sale an order came from (so its webhook echo is recognised).
pub const POS_SALE_ID_META: &str = "posbridge_pos_sale_id";
/// Order meta with the POS sale time: WooCommerce's `date_created` is read-only.
pub const POS_CREATED_AT_META: &str = "posbridge_pos_created_at";

/// The "Hike Payment Status" column of 002:9-39.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    Paid,
    Pending,
    Voided,
    Refunded,
}

/// Fulfilment and payment status on the POS for one WooCommerce order status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PosStatus {
    pub fulfilment: SaleStatus,
    pub payment: PaymentStatus,
}

/// WooCommerce order status -> POS statuses, per the table in 002:9-39. `pending` (awaiting
/// payment) maps to the POS's pending state; failed, draft (`checkout-draft`, like BigCommerce
/// drafts in 001:199) and trashed orders do not sync.
pub fn status_from_wc(status: &str) -> Result<PosStatus, MappingError> {
    use PaymentStatus as P;
    let (fulfilment, payment) = match status {
        "completed" => (SaleStatus::Completed, P::Paid),
        "cancelled" => (SaleStatus::Voided, P::Voided),
        "processing" | "on-hold" => (SaleStatus::Parked, P::Pending),
        "refunded" => (SaleStatus::Refunded, P::Refunded),
        "pending" => (SaleStatus::Pending, P::Pending),
        other => return Err(MappingError::OrderStatusNotSynced { status: other.to_string() }),
    };
    Ok(PosStatus { fulfilment, payment })
}

/// POS sale status -> WooCommerce order status: the table read backwards (parked -> processing),
/// layby and on-account -> pending (003:29, 003:33), void -> cancelled (003:35).
pub fn status_to_wc(status: SaleStatus) -> &'static str {
    match status {
        SaleStatus::Completed => "completed",
        SaleStatus::Parked => "processing",
        SaleStatus::Voided | SaleStatus::Cancelled => "cancelled",
        SaleStatus::Refunded => "refunded",
        SaleStatus::Layby | SaleStatus::OnAccount | SaleStatus::Pending => "pending",
    }
}

/// Orders placed before the integration was activated do not sync on their own; the merchant
/// syncs them manually (002:46-49, 000:101, 001:200).
pub fn is_historical(order_created_at: i64, integration_activated_at: i64) -> bool {
    order_created_at < integration_activated_at
}

/// Name of the extra sale line that carries a shipping charge (000:173, 001:362).
pub fn shipping_line_name(method: &str) -> String {
    format!("Shipping: {method}")
}

/// POS payment types that never sync to a web store (000:22, 001:24).
fn never_synced_payment(method: &str) -> bool {
    let m = method.to_lowercase();
    ["gift card", "giftcard", "gift voucher", "store credit", "loyalty"].iter().any(|k| m.contains(k))
}

fn from_ten_thousandths(v: i128) -> Money {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    Money::parse(&format!("{sign}{}.{:04}", a / 10_000, a % 10_000)).expect("a formatted amount parses")
}

fn neg(m: Money) -> Money {
    from_ten_thousandths(-i128::from(m.ten_thousandths()))
}

fn abs(m: Money) -> Money {
    from_ten_thousandths(i128::from(m.ten_thousandths()).abs())
}

/// `total / quantity`, rounded half away from zero to the money scale.
fn per_unit(total: Money, q: Quantity) -> Money {
    if q.thousandths() == 0 {
        return total;
    }
    let n = i128::from(total.ten_thousandths()) * i128::from(Quantity::SCALE);
    let d = i128::from(q.thousandths());
    let r = (n.abs() * 2 + d.abs()) / (d.abs() * 2);
    from_ten_thousandths(if (n < 0) != (d < 0) { -r } else { r })
}

fn is_composite_line(li: &wire::LineItem) -> bool {
    let set = |v: &Value| match v {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.is_empty() && s != "0",
        Value::Array(a) => !a.is_empty(),
        Value::Number(n) => n.as_u64() != Some(0),
        _ => true,
    };
    set(&li.composite_parent)
        || set(&li.composite_children)
        || li.meta_data.iter().any(|m| {
            let k = m.key.trim_start_matches('_');
            k.starts_with("composite_") || k.starts_with("bundled_by") || k.starts_with("bundled_items")
        })
}

fn line_from_wc(li: &wire::LineItem, opts: &MappingOptions, ctx: &WooContext) -> Result<SaleLine, MappingError> {
    // 002:51-53: a sale with a composite product is refused with an error.
    if is_composite_line(li) {
        return Err(MappingError::CompositeNotSynced { name: li.name.clone() });
    }
    let quantity = Quantity::parse(&li.quantity).map_err(|e| MappingError::InvalidValue {
        field: "line_items.quantity".into(),
        value: li.quantity.clone(),
        reason: e.to_string(),
    })?;
    let total = abs(money("line_items.total", &li.total)?);
    let tax = abs(money("line_items.total_tax", &li.total_tax)?);
    let with_tax = total.checked_add(tax).unwrap_or(total);
    let sku = match non_empty(&li.sku) {
        Some(s) => Some(Sku::parse(s).map_err(|e| MappingError::InvalidValue {
            field: "line_items.sku".into(),
            value: li.sku.clone(),
            reason: e.to_string(),
        })?),
        // 000:143: "Do not sync non-SKU products and their sales orders".
        None if opts.sku_policy == SkuPolicy::SkipWithoutSku => {
            return Err(MappingError::SkuMissing { name: li.name.clone() });
        }
        None if li.product_id != 0 => Some(auto_sku(li.product_id, li.variation_id)),
        None => None,
    };
    // 000:100, 001:198: every product of the order must have synced already.
    let link = ctx
        .item_by_wc(li.product_id, li.variation_id)
        .or_else(|| sku.as_ref().and_then(|s| ctx.item_by_sku(s)))
        .ok_or_else(|| MappingError::ProductNotSynced { line: li.name.clone() })?;
    let serial_numbers = meta_text(&li.meta_data, SERIAL_META)
        .map(|s| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    // Refund lines come negative; the refund itself says which way they go.
    let q = if quantity < Quantity::ZERO { -quantity } else { quantity };
    Ok(SaleLine {
        product_id: Some(link.pos_id.clone()),
        // The POS's SKU for the linked item; an auto-assigned one only served to find it.
        sku: link.sku.clone().or(sku),
        name: li.name.trim().to_string(),
        quantity: q,
        unit_price_inc_tax: per_unit(with_tax, q),
        unit_price_ex_tax: per_unit(total, q),
        serial_numbers,
    })
}

fn extra_line(name: String, total: Money, tax: Money) -> SaleLine {
    SaleLine {
        product_id: None,
        sku: None,
        name,
        quantity: Quantity::units(1),
        unit_price_inc_tax: total.checked_add(tax).unwrap_or(total),
        unit_price_ex_tax: total,
        serial_numbers: Vec::new(),
    }
}

fn payment_label(w: &wire::Order, opts: &MappingOptions) -> String {
    // 000:62-64, 001:110-116: a mapped method shows as the chosen POS payment type; otherwise
    // everything is labelled "WooCommerce" (002:42).
    opts.payment_map
        .get(&w.payment_method)
        .or_else(|| opts.payment_map.get(&w.payment_method_title))
        .cloned()
        .unwrap_or_else(|| PAYMENT_LABEL.to_string())
}

/// WooCommerce order (and its refunds from `/orders/{id}/refunds`, when fetched) -> POS sale.
pub fn order_from_wc(
    order: &Value,
    refunds: &[Value],
    opts: &MappingOptions,
    ctx: &WooContext,
) -> Result<Mapped<Sale>, MappingError> {
    let w: wire::Order = serde::Deserialize::deserialize(order)
        .map_err(|source| MappingError::InvalidJson { entity: "order", source })?;
    let status = status_from_wc(&w.status)?;
    let mut warnings = Vec::new();
    let customer_id = match w.customer_id {
        0 => None,
        id => Some(ctx.customers.get(&id).cloned().ok_or(MappingError::CustomerNotSynced { wc_customer_id: id })?),
    };
    // 001:78: tax amounts only match when every rate used is mapped.
    for t in &w.tax_lines {
        if !opts.tax_map.contains_key(&t.rate_id.to_string()) && !opts.tax_map.contains_key(&t.rate_code) {
            let rate = if t.rate_code.is_empty() { t.rate_id.to_string() } else { t.rate_code.clone() };
            return Err(MappingError::TaxRateNotMapped { rate });
        }
    }
    let mut lines = w.line_items.iter().map(|li| line_from_wc(li, opts, ctx)).collect::<Result<Vec<_>, _>>()?;
    for f in &w.fee_lines {
        lines.push(extra_line(
            f.name.trim().to_string(),
            money("fee_lines.total", &f.total)?,
            money("fee_lines.total_tax", &f.total_tax)?,
        ));
    }
    let mut shipping: Option<Shipping> = None;
    for s in &w.shipping_lines {
        let total = money("shipping_lines.total", &s.total)?;
        let tax = money("shipping_lines.total_tax", &s.total_tax)?;
        // 000:173, 001:362: an extra line with the shipping total.
        lines.push(extra_line(shipping_line_name(s.method_title.trim()), total, tax));
        let sh = shipping.get_or_insert_with(|| Shipping {
            method: String::new(),
            amount_inc_tax: Money::ZERO,
            amount_ex_tax: Money::ZERO,
            address: address_from_wc(&w.shipping),
        });
        if !sh.method.is_empty() {
            sh.method.push_str(", ");
        }
        sh.method.push_str(s.method_title.trim());
        sh.amount_ex_tax = sh.amount_ex_tax.checked_add(total).unwrap_or(sh.amount_ex_tax);
        let inc = total.checked_add(tax).unwrap_or(total);
        sh.amount_inc_tax = sh.amount_inc_tax.checked_add(inc).unwrap_or(sh.amount_inc_tax);
    }
    let total = money("total", &w.total)?;
    let payments = match status.payment {
        PaymentStatus::Paid | PaymentStatus::Refunded => {
            vec![Payment { method: payment_label(&w, opts), amount: total, reference: non_empty(&w.transaction_id) }]
        }
        PaymentStatus::Pending | PaymentStatus::Voided => Vec::new(),
    };
    // 002:40: refunds sync only once the order status is "refunded".
    let refunds = if status.fulfilment == SaleStatus::Refunded {
        refunds_from_wc(&w, refunds, total, opts, ctx)?
    } else {
        let count = refunds.len().max(w.refunds.len());
        if count > 0 {
            warnings.push(MappingWarning::RefundsNotSynced { count });
        }
        Vec::new()
    };
    let created_at = match meta_text(&w.meta_data, POS_CREATED_AT_META).and_then(|s| s.parse::<i64>().ok()) {
        Some(t) => t,
        None => parse_gmt(
            "date_created_gmt",
            w.date_created_gmt.as_deref().ok_or(MappingError::MissingRequiredField {
                entity: "order",
                field: "date_created_gmt",
                required_by: "posbridge",
            })?,
        )?,
    };
    let sale = Sale {
        id: meta_text(&w.meta_data, POS_SALE_ID_META).and_then(|s| PosId::parse(s).ok()),
        platform_id: PlatformId::parse(w.id.to_string()).ok(),
        number: non_empty(&w.number),
        status: status.fulfilment,
        customer_id,
        outlet_id: ctx.invoice_outlet.clone(),
        register_id: ctx.payments_register.clone(),
        lines,
        shipping,
        payments,
        refunds,
        total_inc_tax: total,
        total_tax: money("total_tax", &w.total_tax)?,
        note: non_empty(&w.customer_note),
        created_at,
    };
    Ok(Mapped::new(sale, warnings))
}

fn refunds_from_wc(
    w: &wire::Order,
    full: &[Value],
    order_total: Money,
    opts: &MappingOptions,
    ctx: &WooContext,
) -> Result<Vec<Refund>, MappingError> {
    if !full.is_empty() {
        return full
            .iter()
            .map(|raw| {
                let r: wire::Refund = serde::Deserialize::deserialize(raw)
                    .map_err(|source| MappingError::InvalidJson { entity: "refund", source })?;
                let lines = r
                    .line_items
                    .iter()
                    .filter(|li| !li.quantity.trim_start_matches('-').trim_start_matches('0').is_empty())
                    .map(|li| line_from_wc(li, opts, ctx))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Refund {
                    id: Some(r.id.to_string()),
                    amount: abs(money("refund.amount", &r.amount)?),
                    lines,
                    reason: non_empty(&r.reason),
                })
            })
            .collect();
    }
    if !w.refunds.is_empty() {
        return w
            .refunds
            .iter()
            .map(|s| {
                Ok(Refund {
                    id: Some(s.id.to_string()),
                    amount: abs(money("refunds.total", &s.total)?),
                    lines: Vec::new(),
                    reason: non_empty(&s.refund),
                })
            })
            .collect();
    }
    Ok(vec![Refund { id: None, amount: order_total, lines: Vec::new(), reason: None }])
}

/// The separate refunded sales the POS records for a refunded web order, one per WooCommerce
/// refund (002:40: "the partial refunds will be synced as separate refunded orders").
pub fn refunded_sales(sale: &Sale) -> Vec<Sale> {
    let method = sale.payments.first().map(|p| p.method.clone()).unwrap_or_else(|| PAYMENT_LABEL.to_string());
    sale.refunds
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let n = i + 1;
            let key = r.id.clone().unwrap_or_else(|| n.to_string());
            let lines: Vec<SaleLine> =
                r.lines.iter().map(|l| SaleLine { quantity: -l.quantity, ..l.clone() }).collect();
            let tax = r.lines.iter().fold(Money::ZERO, |acc, l| {
                let per = l.unit_price_inc_tax.checked_sub(l.unit_price_ex_tax).unwrap_or(Money::ZERO);
                acc.checked_add(per.times(l.quantity)).unwrap_or(acc)
            });
            Sale {
                id: None,
                platform_id: sale
                    .platform_id
                    .as_ref()
                    .and_then(|p| PlatformId::parse(format!("{p}-refund-{key}")).ok()),
                number: sale.number.as_ref().map(|s| format!("{s}-R{n}")),
                status: SaleStatus::Refunded,
                customer_id: sale.customer_id.clone(),
                outlet_id: sale.outlet_id.clone(),
                register_id: sale.register_id.clone(),
                lines,
                shipping: None,
                payments: vec![Payment { method: method.clone(), amount: neg(r.amount), reference: r.id.clone() }],
                refunds: Vec::new(),
                total_inc_tax: neg(r.amount),
                total_tax: neg(tax),
                note: r.reason.clone(),
                created_at: sale.created_at,
            }
        })
        .collect()
}

fn whole(item: &str, q: Quantity) -> Result<i64, MappingError> {
    q.whole_units().ok_or_else(|| MappingError::FractionalQuantity { item: item.to_string(), quantity: q })
}

fn line_label(l: &SaleLine) -> String {
    l.sku.as_ref().map(|s| s.as_str().to_string()).unwrap_or_else(|| l.name.clone())
}

/// POS sale -> WooCommerce order body (002:44: the POS payment type shows in WooCommerce).
/// `customer` fills billing and shipping details; the sale's products and customer must already
/// be linked.
pub fn order_to_wc(
    sale: &Sale,
    customer: Option<&Customer>,
    opts: &MappingOptions,
    ctx: &WooContext,
) -> Result<Mapped<Value>, MappingError> {
    let mut warnings = Vec::new();
    let mut body = Map::new();
    body.insert("status".into(), json!(status_to_wc(sale.status)));
    let customer_id = match &sale.customer_id {
        None => 0,
        Some(id) => ctx.wc_customer(id).ok_or_else(|| MappingError::NotLinked { what: format!("customer {id}") })?,
    };
    body.insert("customer_id".into(), json!(customer_id));
    if let Some(c) = customer {
        let (billing, mut shipping) = contact_blocks(c);
        if let Some(a) = sale.shipping.as_ref().and_then(|s| s.address.as_ref()) {
            let s = |o: &Option<String>| json!(o.clone().unwrap_or_default());
            for (k, v) in [
                ("address_1", &a.line1),
                ("address_2", &a.line2),
                ("city", &a.city),
                ("state", &a.state),
                ("postcode", &a.postcode),
                ("country", &a.country_code),
                ("phone", &a.phone),
            ] {
                shipping.insert(k.into(), s(v));
            }
        }
        body.insert("billing".into(), Value::Object(billing));
        body.insert("shipping".into(), Value::Object(shipping));
    }
    let shipping_names: Vec<String> =
        sale.shipping.as_ref().map(|s| s.method.split(", ").map(shipping_line_name).collect()).unwrap_or_default();
    let mut line_items = Vec::new();
    let mut fee_lines = Vec::new();
    for l in &sale.lines {
        let qty = whole(&line_label(l), l.quantity)?;
        let total = l.unit_price_ex_tax.times(l.quantity);
        if l.product_id.is_none() && l.sku.is_none() {
            if shipping_names.contains(&l.name) {
                continue;
            }
            fee_lines.push(json!({ "name": l.name, "total": price_2dp("fee_lines.total", total, &mut warnings) }));
            continue;
        }
        let link = l
            .product_id
            .as_ref()
            .and_then(|id| ctx.item_by_pos(id))
            .or_else(|| l.sku.as_ref().and_then(|s| ctx.item_by_sku(s)))
            .ok_or_else(|| MappingError::NotLinked { what: format!("product {}", line_label(l)) })?;
        let total = price_2dp("line_items.total", total, &mut warnings);
        let mut item = Map::new();
        item.insert("product_id".into(), json!(link.wc_product_id));
        if link.wc_variation_id != 0 {
            item.insert("variation_id".into(), json!(link.wc_variation_id));
        }
        item.insert("quantity".into(), json!(qty));
        item.insert("subtotal".into(), json!(total));
        item.insert("total".into(), json!(total));
        if !l.serial_numbers.is_empty() {
            item.insert("meta_data".into(), json!([{ "key": SERIAL_META, "value": l.serial_numbers.join(", ") }]));
        }
        line_items.push(Value::Object(item));
    }
    body.insert("line_items".into(), Value::Array(line_items));
    body.insert("fee_lines".into(), Value::Array(fee_lines));
    if let Some(s) = &sale.shipping {
        body.insert(
            "shipping_lines".into(),
            json!([{ "method_title": s.method, "total": price_2dp("shipping_lines.total", s.amount_ex_tax, &mut warnings) }]),
        );
    }
    // 000:22, 001:24: gift cards, store credit and loyalty never sync.
    let mut titles: Vec<&str> = Vec::new();
    let mut reference = None;
    for p in &sale.payments {
        if never_synced_payment(&p.method) {
            warnings.push(MappingWarning::PaymentNotSynced { method: p.method.clone() });
            continue;
        }
        if !titles.contains(&p.method.as_str()) {
            titles.push(&p.method);
        }
        reference = reference.or(p.reference.clone());
    }
    let gateway = titles
        .first()
        .and_then(|t| opts.payment_map.iter().find(|(_, pos)| pos.as_str() == *t).map(|(wc, _)| wc.clone()))
        .unwrap_or_default();
    body.insert("payment_method".into(), json!(gateway));
    body.insert("payment_method_title".into(), json!(titles.join(", ")));
    if let Some(r) = reference {
        body.insert("transaction_id".into(), json!(r));
    }
    body.insert("customer_note".into(), json!(sale.note.clone().unwrap_or_default()));
    let mut meta = vec![json!({ "key": POS_CREATED_AT_META, "value": sale.created_at.to_string() })];
    if let Some(id) = &sale.id {
        meta.push(json!({ "key": POS_SALE_ID_META, "value": id.as_str() }));
    }
    body.insert("meta_data".into(), Value::Array(meta));
    Ok(Mapped::new(Value::Object(body), warnings))
}

/// POS refund -> body for `POST /orders/{id}/refunds` against the WooCommerce order it refunds.
/// The gateway is never charged back from the POS (`api_refund: false`) and stock is not
/// restocked by WooCommerce (the POS owns stock and pushes it, 001:225).
pub fn refund_to_wc(refund: &Refund, order: &Value, ctx: &WooContext) -> Result<Mapped<Value>, MappingError> {
    let w: wire::Order = serde::Deserialize::deserialize(order)
        .map_err(|source| MappingError::InvalidJson { entity: "order", source })?;
    let mut warnings = Vec::new();
    let mut lines = Vec::new();
    for l in &refund.lines {
        let label = line_label(l);
        let q = whole(&label, l.quantity)?.abs();
        let link = l.product_id.as_ref().and_then(|id| ctx.item_by_pos(id));
        let found = w.line_items.iter().find(|li| {
            link.is_some_and(|k| k.wc_product_id == li.product_id && k.wc_variation_id == li.variation_id)
                || l.sku.as_ref().is_some_and(|s| li.sku.trim().eq_ignore_ascii_case(s.as_str()))
        });
        let li = found.ok_or(MappingError::RefundLineNotFound { item: label })?;
        let total = abs(l.unit_price_ex_tax).times(Quantity::units(q));
        lines.push(
            json!({ "id": li.id, "quantity": q, "refund_total": price_2dp("refund_total", total, &mut warnings) }),
        );
    }
    let body = json!({
        "amount": price_2dp("amount", abs(refund.amount), &mut warnings),
        "reason": refund.reason.clone().unwrap_or_default(),
        "line_items": lines,
        "api_refund": false,
        "api_restock": false,
    });
    Ok(Mapped::new(body, warnings))
}

#[cfg(test)]
mod tests {
    use super::super::LinkedItem;
    use super::*;
    use std::collections::BTreeMap;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn ctx() -> WooContext {
        let item = |pos: &str, sku: &str, p: u64, v: u64| LinkedItem {
            pos_id: PosId::parse(pos).unwrap(),
            sku: Some(Sku::parse(sku).unwrap()),
            wc_product_id: p,
            wc_variation_id: v,
        };
        WooContext {
            invoice_outlet: Some(PosId::parse("web-outlet").unwrap()),
            payments_register: Some(PosId::parse("web-register").unwrap()),
            products: vec![item("p-93", "SINGLE-1", 93, 0), item("p-23", "Bar3", 22, 23)],
            customers: BTreeMap::from([(7, PosId::parse("c-7").unwrap())]),
            ..WooContext::default()
        }
    }

    fn opts() -> MappingOptions {
        MappingOptions { tax_map: BTreeMap::from([("75".to_string(), "gst".to_string())]), ..MappingOptions::default() }
    }

    /// The docs' "retrieve an order" example (wp-api-v3 orders), trimmed to what posbridge reads.
    fn reference_order(status: &str) -> Value {
        let mut v: Value = serde_json::from_str(
            r#"{
            "id": 727, "parent_id": 0, "number": "727", "status": "placeholder", "currency": "USD",
            "date_created": "2017-03-22T16:28:02", "date_created_gmt": "2017-03-22T19:28:02",
            "discount_total": "0.00", "shipping_total": "10.00", "shipping_tax": "0.00", "cart_tax": "1.35",
            "total": "29.35", "total_tax": "1.35", "prices_include_tax": false, "customer_id": 0, "customer_note": "",
            "billing": { "first_name": "John", "last_name": "Doe", "company": "", "address_1": "969 Market", "address_2": "",
                "city": "San Francisco", "state": "CA", "postcode": "94103", "country": "US", "email": "john.doe@example.com", "phone": "(555) 555-5555" },
            "shipping": { "first_name": "John", "last_name": "Doe", "company": "", "address_1": "969 Market", "address_2": "",
                "city": "San Francisco", "state": "CA", "postcode": "94103", "country": "US" },
            "payment_method": "bacs", "payment_method_title": "Direct Bank Transfer", "transaction_id": "",
            "meta_data": [{ "id": 13106, "key": "_download_permissions_granted", "value": "yes" }],
            "line_items": [
                { "id": 315, "name": "Woo Single #1", "product_id": 93, "variation_id": 0, "quantity": 2, "tax_class": "",
                  "subtotal": "6.00", "subtotal_tax": "0.45", "total": "6.00", "total_tax": "0.45",
                  "taxes": [{ "id": 75, "total": "0.45", "subtotal": "0.45" }], "meta_data": [], "sku": "", "price": 3 },
                { "id": 316, "name": "Ship Your Idea &ndash; Color: Black, Size: M Test", "product_id": 22, "variation_id": 23,
                  "quantity": 1, "tax_class": "", "subtotal": "12.00", "subtotal_tax": "0.90", "total": "12.00", "total_tax": "0.90",
                  "taxes": [{ "id": 75, "total": "0.9", "subtotal": "0.9" }],
                  "meta_data": [{ "id": 2095, "key": "pa_color", "value": "black" }, { "id": 2096, "key": "size", "value": "M Test" }],
                  "sku": "Bar3", "price": 12 }
            ],
            "tax_lines": [{ "id": 318, "rate_code": "US-CA-STATE TAX", "rate_id": 75, "label": "State Tax", "compound": false,
                "tax_total": "1.35", "shipping_tax_total": "0.00", "meta_data": [] }],
            "shipping_lines": [{ "id": 317, "method_title": "Flat Rate", "method_id": "flat_rate", "total": "10.00",
                "total_tax": "0.00", "taxes": [], "meta_data": [] }],
            "fee_lines": [], "coupon_lines": [], "refunds": []
        }"#,
        )
        .unwrap();
        v["status"] = json!(status);
        v
    }

    #[test]
    fn woocommerce_status_table() {
        // 002_c48eda06497ecdd2.txt:9-39, one row per line of the table.
        use PaymentStatus as P;
        for (doc, wc, fulfilment, payment) in [
            ("002:16-20", "completed", SaleStatus::Completed, P::Paid),
            ("002:22-26", "cancelled", SaleStatus::Voided, P::Voided),
            ("002:28-32", "processing", SaleStatus::Parked, P::Pending),
            ("002:28-32", "on-hold", SaleStatus::Parked, P::Pending),
            ("002:34-38", "refunded", SaleStatus::Refunded, P::Refunded),
            ("decision: awaiting payment", "pending", SaleStatus::Pending, P::Pending),
        ] {
            assert_eq!(status_from_wc(wc).unwrap(), PosStatus { fulfilment, payment }, "{doc} {wc}");
        }
        for s in ["failed", "checkout-draft", "trash", "wc-custom"] {
            let e = status_from_wc(s).unwrap_err();
            assert!(e.is_skip() && e.code() == "order_status_not_synced", "{s}");
        }
    }

    #[test]
    fn pos_statuses_to_woocommerce() {
        for (doc, pos, wc) in [
            ("002:16-20 read backwards", SaleStatus::Completed, "completed"),
            ("002:28-32 read backwards; 000:72", SaleStatus::Parked, "processing"),
            ("002:34-38", SaleStatus::Refunded, "refunded"),
            ("003:29 layby -> pending", SaleStatus::Layby, "pending"),
            ("003:33 on account -> pending", SaleStatus::OnAccount, "pending"),
            ("003:35 void -> cancelled", SaleStatus::Voided, "cancelled"),
            ("003:35", SaleStatus::Cancelled, "cancelled"),
            ("pending stays pending", SaleStatus::Pending, "pending"),
        ] {
            assert_eq!(status_to_wc(pos), wc, "{doc}");
        }
    }

    #[test]
    fn reads_the_reference_order() {
        let s = order_from_wc(&reference_order("processing"), &[], &opts(), &ctx()).unwrap().value;
        assert_eq!(s.status, SaleStatus::Parked);
        assert_eq!(s.platform_id.unwrap().as_str(), "727");
        assert_eq!(s.created_at, 1_490_210_882);
        assert_eq!(s.outlet_id.unwrap().as_str(), "web-outlet", "000:44-46 invoice outlet");
        assert_eq!(s.register_id.unwrap().as_str(), "web-register", "000:49-51 payments register");
        assert_eq!(s.lines.len(), 3);
        let l0 = &s.lines[0];
        assert_eq!((l0.product_id.as_ref().unwrap().as_str(), l0.sku.as_ref().unwrap().as_str()), ("p-93", "SINGLE-1"));
        assert_eq!(l0.quantity, Quantity::units(2));
        assert_eq!((l0.unit_price_ex_tax, l0.unit_price_inc_tax), (m("3"), m("3.225")));
        assert_eq!(s.lines[1].sku.as_ref().unwrap().as_str(), "Bar3");
        assert_eq!(s.total_inc_tax, m("29.35"));
        assert_eq!(s.total_tax, m("1.35"));
        assert!(s.payments.is_empty(), "002:28-32: processing is payment pending");
    }

    #[test]
    fn shipping_charge_becomes_an_extra_line() {
        // 000_a48442fb2bf98236.txt:172-173, 001_0c79d532016484cd.txt:359-362.
        let s = order_from_wc(&reference_order("completed"), &[], &opts(), &ctx()).unwrap().value;
        let line = s.lines.last().unwrap();
        assert_eq!(line.name, "Shipping: Flat Rate");
        assert_eq!(
            (line.quantity, line.unit_price_inc_tax, line.product_id.clone()),
            (Quantity::units(1), m("10"), None)
        );
        let sh = s.shipping.unwrap();
        assert_eq!((sh.method.as_str(), sh.amount_inc_tax), ("Flat Rate", m("10")));
        assert_eq!(sh.address.unwrap().city.as_deref(), Some("San Francisco"));
    }

    #[test]
    fn woocommerce_payments_are_labelled_woocommerce_unless_mapped() {
        // 002:42 and, for the mapping option, 000:62-64 / 001:110-116.
        let s = order_from_wc(&reference_order("completed"), &[], &opts(), &ctx()).unwrap().value;
        assert_eq!(s.payments, vec![Payment { method: "WooCommerce".into(), amount: m("29.35"), reference: None }]);
        let mut mapped = opts();
        mapped.payment_map.insert("bacs".into(), "Bank transfer".into());
        let s = order_from_wc(&reference_order("completed"), &[], &mapped, &ctx()).unwrap().value;
        assert_eq!(s.payments[0].method, "Bank transfer");
    }

    #[test]
    fn pos_payment_type_shows_in_woocommerce_and_gift_cards_stay_behind() {
        // 002:44; 000:22 and 001:24 (gift cards, store credit, loyalty do not sync).
        let sale = pos_sale(vec![
            Payment { method: "Cash".into(), amount: m("20"), reference: None },
            Payment { method: "Gift Card".into(), amount: m("5"), reference: None },
            Payment { method: "Loyalty points".into(), amount: m("1"), reference: None },
        ]);
        let mut o = opts();
        o.payment_map.insert("cod".into(), "Cash".into());
        let out = order_to_wc(&sale, None, &o, &ctx()).unwrap();
        assert_eq!(out.value["payment_method_title"], json!("Cash"));
        assert_eq!(out.value["payment_method"], json!("cod"));
        assert_eq!(out.warnings.iter().filter(|w| matches!(w, MappingWarning::PaymentNotSynced { .. })).count(), 2);
    }

    fn pos_sale(payments: Vec<Payment>) -> Sale {
        Sale {
            id: Some(PosId::parse("sale-1").unwrap()),
            platform_id: None,
            number: Some("1001".into()),
            status: SaleStatus::Completed,
            customer_id: Some(PosId::parse("c-7").unwrap()),
            outlet_id: None,
            register_id: None,
            lines: vec![SaleLine {
                product_id: Some(PosId::parse("p-23").unwrap()),
                sku: Some(Sku::parse("Bar3").unwrap()),
                name: "Ship Your Idea".into(),
                quantity: Quantity::units(2),
                unit_price_inc_tax: m("13.2"),
                unit_price_ex_tax: m("12"),
                serial_numbers: vec!["SN1".into(), "SN2".into()],
            }],
            shipping: None,
            payments,
            refunds: vec![],
            total_inc_tax: m("26.4"),
            total_tax: m("2.4"),
            note: None,
            created_at: 1_700_000_000,
        }
    }

    #[test]
    fn pos_sale_becomes_a_woocommerce_order_body() {
        let out = order_to_wc(&pos_sale(vec![]), None, &opts(), &ctx()).unwrap().value;
        assert_eq!(out["status"], json!("completed"));
        assert_eq!(out["customer_id"], json!(7));
        assert_eq!(
            out["line_items"],
            json!([{ "product_id": 22, "variation_id": 23, "quantity": 2, "subtotal": "24.00", "total": "24.00",
                     "meta_data": [{ "key": SERIAL_META, "value": "SN1, SN2" }] }])
        );
        assert!(out.get("date_created").is_none(), "read-only in WooCommerce; the POS time travels in meta");
    }

    #[test]
    fn fractional_quantities_are_refused_not_rounded() {
        // 000:114, 001:227: the web store sells whole units.
        let mut sale = pos_sale(vec![]);
        sale.lines[0].quantity = Quantity::parse("1.5").unwrap();
        let e = order_to_wc(&sale, None, &opts(), &ctx()).unwrap_err();
        assert_eq!(e.code(), "fractional_quantity");
        assert!(e.to_string().contains("1.5"), "{e}");
    }

    #[test]
    fn unsynced_products_and_customers_hold_the_order_back() {
        // 000:100, 001:198: the order waits for its products and customer.
        let mut o = reference_order("completed");
        o["line_items"][0]["product_id"] = json!(500);
        o["line_items"][0]["sku"] = json!("NEW-1");
        let e = order_from_wc(&o, &[], &opts(), &ctx()).unwrap_err();
        assert!(e.code() == "product_not_synced" && e.is_retryable());
        let mut o = reference_order("completed");
        o["customer_id"] = json!(8);
        assert_eq!(order_from_wc(&o, &[], &opts(), &ctx()).unwrap_err().code(), "customer_not_synced");
        let mut o = reference_order("completed");
        o["customer_id"] = json!(7);
        assert_eq!(order_from_wc(&o, &[], &opts(), &ctx()).unwrap().value.customer_id.unwrap().as_str(), "c-7");
        let mut sale = pos_sale(vec![]);
        sale.customer_id = Some(PosId::parse("c-unknown").unwrap());
        assert_eq!(order_to_wc(&sale, None, &opts(), &ctx()).unwrap_err().code(), "not_linked");
    }

    #[test]
    fn orders_of_products_without_sku_follow_the_sku_policy() {
        // 000:143: "Do not sync non-SKU products and their sales orders".
        let skip = MappingOptions { sku_policy: SkuPolicy::SkipWithoutSku, ..opts() };
        assert_eq!(order_from_wc(&reference_order("completed"), &[], &skip, &ctx()).unwrap_err().code(), "sku_missing");
    }

    #[test]
    fn composite_lines_refuse_the_whole_order() {
        // 002:51-53.
        let mut o = reference_order("completed");
        o["line_items"][0]["meta_data"] = json!([{ "id": 1, "key": "_composite_children", "value": ["a"] }]);
        assert_eq!(order_from_wc(&o, &[], &opts(), &ctx()).unwrap_err().code(), "composite_not_synced");
        let mut o = reference_order("completed");
        o["line_items"][1]["composite_parent"] = json!("315");
        assert_eq!(order_from_wc(&o, &[], &opts(), &ctx()).unwrap_err().code(), "composite_not_synced");
    }

    #[test]
    fn unmapped_tax_rates_are_refused() {
        // 001:76-80 (tax mapping), 000:57-59.
        let e = order_from_wc(&reference_order("completed"), &[], &MappingOptions::default(), &ctx()).unwrap_err();
        assert_eq!(e.code(), "tax_rate_not_mapped");
        let by_code = MappingOptions {
            tax_map: BTreeMap::from([("US-CA-STATE TAX".to_string(), "gst".to_string())]),
            ..MappingOptions::default()
        };
        assert!(order_from_wc(&reference_order("completed"), &[], &by_code, &ctx()).is_ok());
    }

    fn refund(id: u64, amount: &str, line: Option<(u64, u64, &str, &str)>) -> Value {
        let items = match line {
            Some((p, v, sku, total)) => {
                json!([{ "id": 900 + id, "name": "x", "product_id": p, "variation_id": v, "quantity": -1,
                "subtotal": total, "total": total, "total_tax": "0.00", "sku": sku, "meta_data": [{ "key": "_refunded_item_id", "value": "315" }] }])
            }
            None => json!([]),
        };
        json!({ "id": id, "date_created_gmt": "2017-03-23T10:00:00", "amount": amount, "reason": "damaged", "line_items": items })
    }

    #[test]
    fn partial_refunds_sync_only_when_refunded_and_as_separate_refunded_orders() {
        // 002_c48eda06497ecdd2.txt:40.
        let refunds = [refund(801, "3.00", Some((93, 0, "", "-3.00"))), refund(802, "10.00", None)];
        let mut completed = reference_order("completed");
        completed["refunds"] = json!([{ "id": 801, "refund": "damaged", "total": "-3.00" }, { "id": 802, "refund": "", "total": "-10.00" }]);
        let out = order_from_wc(&completed, &refunds, &opts(), &ctx()).unwrap();
        assert!(out.value.refunds.is_empty(), "refunds on a completed order do NOT sync");
        assert_eq!(out.warnings, vec![MappingWarning::RefundsNotSynced { count: 2 }]);

        let sale = order_from_wc(&reference_order("refunded"), &refunds, &opts(), &ctx()).unwrap().value;
        assert_eq!(sale.status, SaleStatus::Refunded);
        assert_eq!(sale.refunds.len(), 2);
        let separate = refunded_sales(&sale);
        assert_eq!(separate.len(), 2, "one refunded order per partial refund");
        assert!(separate.iter().all(|s| s.status == SaleStatus::Refunded));
        assert_eq!(separate[0].number.as_deref(), Some("727-R1"));
        assert_eq!(separate[0].platform_id.as_ref().unwrap().as_str(), "727-refund-801");
        assert_eq!(separate[0].total_inc_tax, m("-3"));
        assert_eq!(separate[0].lines[0].quantity, Quantity::units(-1));
        assert_eq!(separate[0].lines[0].product_id.as_ref().unwrap().as_str(), "p-93");
        assert_eq!(separate[1].total_inc_tax, m("-10"));
        assert_eq!(separate[1].payments[0].method, "WooCommerce");

        // Without the refund resources, the order's summary is enough; without either, the whole order.
        let mut summarised = reference_order("refunded");
        summarised["refunds"] = json!([{ "id": 801, "refund": "", "total": "-3.00" }]);
        let s = order_from_wc(&summarised, &[], &opts(), &ctx()).unwrap().value;
        assert_eq!(s.refunds[0].amount, m("3"));
        let s = order_from_wc(&reference_order("refunded"), &[], &opts(), &ctx()).unwrap().value;
        assert_eq!(s.refunds[0].amount, m("29.35"));
    }

    #[test]
    fn pos_refunds_target_the_woocommerce_order_lines() {
        let r = Refund {
            id: None,
            amount: m("13.2"),
            lines: vec![SaleLine {
                quantity: Quantity::units(1),
                serial_numbers: vec![],
                ..pos_sale(vec![]).lines[0].clone()
            }],
            reason: Some("faulty".into()),
        };
        let body = refund_to_wc(&r, &reference_order("completed"), &ctx()).unwrap().value;
        assert_eq!(
            body,
            json!({ "amount": "13.20", "reason": "faulty", "line_items": [{ "id": 316, "quantity": 1, "refund_total": "12.00" }],
                    "api_refund": false, "api_restock": false })
        );
        let mut stray = r.clone();
        stray.lines[0].sku = Some(Sku::parse("OTHER").unwrap());
        stray.lines[0].product_id = None;
        assert_eq!(
            refund_to_wc(&stray, &reference_order("completed"), &ctx()).unwrap_err().code(),
            "refund_line_not_found"
        );
    }

    #[test]
    fn historical_orders_do_not_sync_by_themselves() {
        // 002:46-49, 000:101, 001:200.
        for (created, activated, historical) in [(99, 100, true), (100, 100, false), (101, 100, false)] {
            assert_eq!(is_historical(created, activated), historical, "{created} vs {activated}");
        }
    }

    #[test]
    fn serial_numbers_are_left_for_the_pos_unless_woocommerce_has_them() {
        // 002:4-6: serial numbers are entered on the POS after the web sale syncs.
        let s = order_from_wc(&reference_order("completed"), &[], &opts(), &ctx()).unwrap().value;
        assert!(s.lines.iter().all(|l| l.serial_numbers.is_empty()));
        let mut o = reference_order("completed");
        o["line_items"][0]["meta_data"] = json!([{ "id": 1, "key": SERIAL_META, "value": "A1, B2" }]);
        let s = order_from_wc(&o, &[], &opts(), &ctx()).unwrap().value;
        assert_eq!(s.lines[0].serial_numbers, vec!["A1".to_string(), "B2".to_string()]);
    }
}

//! Registers (open, close, re-open on payment) and sales (parked, completed, voided, layby,
//! on account, refunded) with payments, serial numbers and a shipping line.
//!
//! Stock rule (assumption, as Vend/Lightspeed-style POSes behave): completed, layby and on-account
//! sales take their items out of the outlet's stock; parked and voided sales hold none. A refund
//! is its own sale with negative quantities and puts the items back. Moving a parked sale to a
//! stock-taking status deducts then; voiding a stock-taking sale returns the stock.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::catalog::parse_qty;
use crate::error::{ApiError, ApiResult};
use crate::stock::Leaf;
use crate::store::{Closure, Store, register_json};
use crate::values::{Money, Qty, Rate, now_unix, parse_datetime, rfc3339};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Parked,
    Completed,
    Voided,
    Layby,
    OnAccount,
    Refunded,
}

impl Status {
    pub const ALL: [Status; 6] =
        [Status::Parked, Status::Completed, Status::Voided, Status::Layby, Status::OnAccount, Status::Refunded];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Parked => "parked",
            Status::Completed => "completed",
            Status::Voided => "voided",
            Status::Layby => "layby",
            Status::OnAccount => "on_account",
            Status::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> ApiResult<Status> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ApiError::invalid(format!("unknown status '{s}'")))
    }

    /// Whether a sale in this status holds its items out of stock.
    fn takes_stock(self) -> bool {
        matches!(self, Status::Completed | Status::Layby | Status::OnAccount | Status::Refunded)
    }

    /// Status changes allowed through `sales/create` with an `id`.
    fn may_become(self, next: Status) -> bool {
        use Status::*;
        self == next
            || matches!(
                (self, next),
                (Parked, Completed | Layby | OnAccount | Voided)
                    | (Layby | OnAccount, Completed | Voided)
                    | (Completed, Voided)
            )
    }
}

#[derive(Debug, Clone)]
pub struct SaleLine {
    pub id: i64,
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub sku: Option<String>,
    pub name: String,
    pub quantity: Qty,
    pub price: Money,
    pub tax_id: i64,
    pub tax_rate: Rate,
    pub serial_numbers: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Shipping {
    pub description: String,
    pub price: Money,
    pub tax_id: i64,
    pub tax_rate: Rate,
}

#[derive(Debug, Clone)]
pub struct Payment {
    pub id: i64,
    pub payment_type_id: i64,
    pub amount: Money,
    pub register_id: i64,
    pub paid_at: i64,
}

#[derive(Debug, Clone)]
pub struct Sale {
    pub id: i64,
    pub invoice_number: String,
    pub outlet_id: i64,
    pub register_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub status: Status,
    pub external_reference: Option<String>,
    pub original_sale_id: Option<i64>,
    pub note: String,
    pub transaction_date: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub tax_inclusive: bool,
    pub lines: Vec<SaleLine>,
    pub shipping: Option<Shipping>,
    pub payments: Vec<Payment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Excluding tax.
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub paid: Money,
}

/// Gross amount as entered, its tax, and its amount excluding tax.
fn split(gross: Money, rate: Rate, tax_inclusive: bool) -> (Money, Money) {
    let tax = rate.tax_on(gross, tax_inclusive);
    let ex = if tax_inclusive { Money(gross.0 - tax.0) } else { gross };
    (tax, ex)
}

impl Sale {
    pub fn totals(&self) -> Totals {
        let (mut sub, mut tax) = (0, 0);
        let amounts = self
            .lines
            .iter()
            .map(|l| (l.price.times(l.quantity), l.tax_rate))
            .chain(self.shipping.iter().map(|s| (s.price, s.tax_rate)));
        for (gross, rate) in amounts {
            let (t, ex) = split(gross, rate, self.tax_inclusive);
            sub += ex.0;
            tax += t.0;
        }
        Totals {
            subtotal: Money(sub),
            tax: Money(tax),
            total: Money(sub + tax),
            paid: Money(self.payments.iter().map(|p| p.amount.0).sum()),
        }
    }

    fn leaves_of(&self, store: &Store) -> Vec<Leaf> {
        self.lines.iter().flat_map(|l| store.stock_leaves(l.product_id, l.variant_id, l.quantity)).collect()
    }
}

#[derive(Debug, Deserialize)]
pub struct LineInput {
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub quantity: String,
    pub price: Option<String>,
    pub tax_id: Option<i64>,
    pub serial_numbers: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub struct ShippingInput {
    pub description: Option<String>,
    pub price: String,
    pub tax_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct PaymentInput {
    pub payment_type_id: i64,
    pub amount: String,
}

/// Body of `POST /api/v1/sales/create` (with `id`: a status change, new payments, or edits of a
/// parked sale).
#[derive(Debug, Default, Deserialize)]
pub struct SaleInput {
    pub id: Option<i64>,
    pub outlet_id: Option<i64>,
    pub register_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub status: Option<String>,
    pub external_reference: Option<String>,
    pub original_sale_id: Option<i64>,
    pub note: Option<String>,
    #[serde(rename = "transactionDate")]
    pub transaction_date: Option<String>,
    pub lines: Option<Vec<LineInput>>,
    pub shipping: Option<ShippingInput>,
    pub payments: Option<Vec<PaymentInput>>,
}

#[derive(Debug, Deserialize)]
pub struct SerialLineInput {
    pub line_id: i64,
    pub serial_numbers: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct SerialInput {
    pub lines: Vec<SerialLineInput>,
}

/// What `sales/create` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaleOutcome {
    Created,
    /// A sale with the same `external_reference` existed: returned unchanged.
    Replayed,
    Updated,
}

fn money(field: &str, s: &str) -> ApiResult<Money> {
    Money::parse(s).map_err(|e| ApiError::invalid(format!("{field}: {e}")))
}

fn check_serials(serials: &[String], q: Qty) -> ApiResult<()> {
    if serials.len() as i64 * 1000 > q.0.abs() {
        return Err(ApiError::invalid(format!("{} serial numbers given for a quantity of {q}", serials.len())));
    }
    Ok(())
}

impl Store {
    fn register_of_outlet(&self, register_id: i64, outlet_id: i64) -> ApiResult<()> {
        let r = self
            .registers
            .get(&register_id)
            .ok_or_else(|| ApiError::invalid(format!("register {register_id} does not exist")))?;
        if r.outlet_id != outlet_id {
            return Err(ApiError::invalid(format!("register {register_id} belongs to outlet {}", r.outlet_id)));
        }
        Ok(())
    }

    pub fn open_register(&mut self, id: i64, reason: &str) -> ApiResult<Value> {
        let r = self.registers.get_mut(&id).ok_or_else(|| ApiError::not_found("register", id))?;
        if !r.open {
            r.open = true;
            r.opened_at = Some(now_unix());
            r.session.clear();
            let mut out = register_json(r);
            out["reason"] = json!(reason);
            self.emit("register.opened", id, out);
        }
        Ok(register_json(&self.registers[&id]))
    }

    /// Closing records a register closure with the payments taken since it opened.
    pub fn close_register(&mut self, id: i64) -> ApiResult<Value> {
        let r = self.registers.get_mut(&id).ok_or_else(|| ApiError::not_found("register", id))?;
        if r.open {
            let now = now_unix();
            r.open = false;
            r.closed_at = Some(now);
            let closure = Closure {
                id: 0,
                register_id: id,
                outlet_id: r.outlet_id,
                opened_at: r.opened_at,
                closed_at: now,
                payments: std::mem::take(&mut r.session),
            };
            let cid = self.next_id("closure");
            self.closures.push(Closure { id: cid, ..closure });
            let mut out = register_json(&self.registers[&id]);
            out["closure_id"] = json!(cid);
            self.emit("register.closed", id, out);
        }
        Ok(register_json(&self.registers[&id]))
    }

    /// A payment lands in a register; a closed register re-opens to take it (Hike: "any sale
    /// syncing ... after you close your register will re-open the register").
    fn take_payment(&mut self, register_id: i64, payment_type_id: i64, amount: Money) {
        if self.registers.get(&register_id).is_some_and(|r| !r.open) {
            // cannot fail: the register exists
            let _ = self.open_register(register_id, "payment");
        }
        if let Some(r) = self.registers.get_mut(&register_id) {
            r.session.entry(payment_type_id).or_insert(Money(0)).0 += amount.0;
        }
    }

    fn build_lines(&self, outlet_id: i64, status: Status, input: Vec<LineInput>) -> ApiResult<Vec<SaleLine>> {
        if input.is_empty() {
            return Err(ApiError::invalid("lines must not be empty"));
        }
        let mut out = Vec::new();
        for (i, l) in input.into_iter().enumerate() {
            let (p, v) = self.resolve_item(l.product_id, l.variant_id)?;
            let quantity = parse_qty("lines.quantity", &l.quantity)?;
            if status == Status::Refunded && quantity.0 >= 0 {
                return Err(ApiError::invalid("a refund sale has negative line quantities"));
            }
            if status != Status::Refunded && quantity.0 <= 0 {
                return Err(ApiError::invalid("lines.quantity must be positive (refunds use status refunded)"));
            }
            let list_price = {
                let (entries, base) = match v {
                    Some(v) => (&v.outlets, v.price),
                    None => (&p.outlets, p.price),
                };
                let e = entries.get(&outlet_id);
                if p.pricing_by_outlet { e.and_then(|e| e.price).unwrap_or(base) } else { base }
            };
            let price = match l.price {
                Some(s) => money("lines.price", &s)?,
                None => list_price,
            };
            let tax = match l.tax_id.or(p.tax_id) {
                Some(t) => self.tax(t)?.clone(),
                None => self.default_tax(),
            };
            let serial_numbers = l.serial_numbers.unwrap_or_default();
            check_serials(&serial_numbers, quantity)?;
            out.push(SaleLine {
                id: i as i64 + 1,
                product_id: p.id,
                variant_id: v.map(|v| v.id),
                sku: v.and_then(|v| v.sku.clone()).or_else(|| p.sku.clone()),
                name: match v {
                    Some(v) => format!("{} - {}", p.name, v.name),
                    None => p.name.clone(),
                },
                quantity,
                price,
                tax_id: tax.id,
                tax_rate: tax.rate,
                serial_numbers,
            });
        }
        Ok(out)
    }

    fn build_shipping(&self, s: ShippingInput) -> ApiResult<Shipping> {
        // "The shipping tax based on the general tax setting, Hike will take only the total of the
        // shipping" (Ecwid integration FAQ 4).
        let tax = match s.tax_id {
            Some(t) => self.tax(t)?.clone(),
            None => self.default_tax(),
        };
        Ok(Shipping {
            description: s.description.unwrap_or_else(|| "Shipping".into()),
            price: money("shipping.price", &s.price)?,
            tax_id: tax.id,
            tax_rate: tax.rate,
        })
    }

    fn check_payment_types(&self, payments: &[PaymentInput]) -> ApiResult<Vec<(i64, Money)>> {
        payments
            .iter()
            .map(|p| {
                match self.payment_types.get(&p.payment_type_id) {
                    Some(t) if t.is_active => {}
                    _ => return Err(ApiError::invalid(format!("payment type {} does not exist", p.payment_type_id))),
                }
                Ok((p.payment_type_id, money("payments.amount", &p.amount)?))
            })
            .collect()
    }

    /// `POST /sales/create`.
    pub fn upsert_sale(&mut self, input: SaleInput) -> ApiResult<(Value, SaleOutcome)> {
        match input.id {
            Some(id) => self.update_sale(id, input).map(|v| (v, SaleOutcome::Updated)),
            None => self.create_sale(input),
        }
    }

    fn create_sale(&mut self, input: SaleInput) -> ApiResult<(Value, SaleOutcome)> {
        if let Some(r) = input.external_reference.as_deref().filter(|r| !r.is_empty())
            && let Some(existing) = self.sales.values().find(|s| s.external_reference.as_deref() == Some(r))
        {
            return Ok((self.sale_json(existing), SaleOutcome::Replayed));
        }
        let outlet_id = input.outlet_id.ok_or_else(|| ApiError::invalid("outlet_id is required"))?;
        self.outlet(outlet_id)?;
        if let Some(r) = input.register_id {
            self.register_of_outlet(r, outlet_id)?;
        }
        if let Some(c) = input.customer_id
            && !self.customers.contains_key(&c)
        {
            return Err(ApiError::invalid(format!("customer {c} does not exist")));
        }
        let status = Status::parse(input.status.as_deref().ok_or_else(|| ApiError::invalid("status is required"))?)?;
        if let Some(o) = input.original_sale_id
            && !self.sales.contains_key(&o)
        {
            return Err(ApiError::invalid(format!("original sale {o} does not exist")));
        }
        let lines = self.build_lines(outlet_id, status, input.lines.unwrap_or_default())?;
        let shipping = input.shipping.map(|s| self.build_shipping(s)).transpose()?;
        let pays = self.check_payment_types(input.payments.as_deref().unwrap_or_default())?;
        if !pays.is_empty() && input.register_id.is_none() {
            return Err(ApiError::invalid("register_id is required to take payments"));
        }
        let now = now_unix();
        let transaction_date = match input.transaction_date {
            Some(t) => {
                parse_datetime(&t).ok_or_else(|| ApiError::invalid("transactionDate is not an ISO 8601 date"))?
            }
            None => now,
        };
        let mut sale = Sale {
            id: 0,
            invoice_number: String::new(),
            outlet_id,
            register_id: input.register_id,
            customer_id: input.customer_id,
            status,
            external_reference: input.external_reference.filter(|r| !r.is_empty()),
            original_sale_id: input.original_sale_id,
            note: input.note.unwrap_or_default(),
            transaction_date,
            created_at: now,
            updated_at: now,
            tax_inclusive: self.settings.tax_inclusive,
            lines,
            shipping,
            payments: Vec::new(),
        };
        for (i, (t, amount)) in pays.iter().enumerate() {
            sale.payments.push(Payment {
                id: i as i64 + 1,
                payment_type_id: *t,
                amount: *amount,
                register_id: input.register_id.unwrap_or_default(),
                paid_at: now,
            });
        }
        check_paid(&sale)?;

        sale.id = self.next_id("sale");
        sale.invoice_number = format!("INV-{}", 1000 + sale.id);
        let id = sale.id;
        let leaves = sale.leaves_of(self);
        let register = sale.register_id;
        self.sales.insert(id, sale);
        for (t, amount) in pays {
            self.take_payment(register.unwrap_or_default(), t, amount);
        }
        let out = self.sale_json(&self.sales[&id]);
        self.emit("sale.created", id, out.clone());
        if status.takes_stock() {
            let reason = if status == Status::Refunded { "refund" } else { "sale" };
            self.move_stock(outlet_id, &leaves, -1, reason, "sale", id);
        }
        Ok((out, SaleOutcome::Created))
    }

    fn update_sale(&mut self, id: i64, input: SaleInput) -> ApiResult<Value> {
        let mut sale = self.sales.get(&id).cloned().ok_or_else(|| ApiError::not_found("sale", id))?;
        let before = sale.status;
        let next = match input.status.as_deref() {
            Some(s) => Status::parse(s)?,
            None => before,
        };
        if matches!(before, Status::Voided | Status::Refunded) {
            return Err(ApiError::conflict("sale_locked", format!("a {} sale cannot change", before.as_str())));
        }
        if !before.may_become(next) {
            return Err(ApiError::conflict(
                "invalid_status_change",
                format!("a {} sale cannot become {}", before.as_str(), next.as_str()),
            ));
        }
        if input.outlet_id.is_some_and(|o| o != sale.outlet_id) {
            return Err(ApiError::invalid("a sale cannot move to another outlet"));
        }
        if let Some(c) = input.customer_id {
            if !self.customers.contains_key(&c) {
                return Err(ApiError::invalid(format!("customer {c} does not exist")));
            }
            sale.customer_id = Some(c);
        }
        if let Some(r) = input.register_id {
            self.register_of_outlet(r, sale.outlet_id)?;
            sale.register_id = Some(r);
        }
        if input.lines.is_some() || input.shipping.is_some() {
            if before != Status::Parked {
                return Err(ApiError::conflict("sale_locked", "only a parked sale's lines and shipping can change"));
            }
            if let Some(lines) = input.lines {
                sale.lines = self.build_lines(sale.outlet_id, next, lines)?;
            }
            if let Some(s) = input.shipping {
                sale.shipping = Some(self.build_shipping(s)?);
            }
        }
        if let Some(n) = input.note {
            sale.note = n;
        }
        let pays = self.check_payment_types(input.payments.as_deref().unwrap_or_default())?;
        if !pays.is_empty() && sale.register_id.is_none() {
            return Err(ApiError::invalid("register_id is required to take payments"));
        }
        let now = now_unix();
        let first = sale.payments.len() as i64 + 1;
        for (i, (t, amount)) in pays.iter().enumerate() {
            sale.payments.push(Payment {
                id: first + i as i64,
                payment_type_id: *t,
                amount: *amount,
                register_id: sale.register_id.unwrap_or_default(),
                paid_at: now,
            });
        }
        sale.status = next;
        sale.updated_at = now;
        check_paid(&sale)?;

        let register = sale.register_id.unwrap_or_default();
        let outlet = sale.outlet_id;
        let leaves = sale.leaves_of(self);
        self.sales.insert(id, sale);
        for (t, amount) in pays {
            self.take_payment(register, t, amount);
        }
        let mut out = self.sale_json(&self.sales[&id]);
        let mut data = out.clone();
        data["previous_status"] = json!(before.as_str());
        self.emit("sale.updated", id, data);
        match (before.takes_stock(), next.takes_stock()) {
            (false, true) => self.move_stock(outlet, &leaves, -1, "sale", "sale", id),
            (true, false) => self.move_stock(outlet, &leaves, 1, "void", "sale", id),
            _ => {}
        }
        out = self.sale_json(&self.sales[&id]);
        Ok(out)
    }

    /// Serial numbers stay editable while the sale's register is open (WooCommerce sales FAQ).
    pub fn update_serial_numbers(&mut self, id: i64, input: SerialInput) -> ApiResult<Value> {
        let mut sale = self.sales.get(&id).cloned().ok_or_else(|| ApiError::not_found("sale", id))?;
        if sale.status == Status::Voided {
            return Err(ApiError::conflict("sale_locked", "a voided sale cannot change"));
        }
        let open = sale.register_id.and_then(|r| self.registers.get(&r)).is_some_and(|r| r.open);
        if !open {
            return Err(ApiError::conflict(
                "register_closed",
                "serial numbers can only be edited while the sale's register is open",
            ));
        }
        for l in input.lines {
            let line = sale
                .lines
                .iter_mut()
                .find(|x| x.id == l.line_id)
                .ok_or_else(|| ApiError::invalid(format!("sale {id} has no line {}", l.line_id)))?;
            check_serials(&l.serial_numbers, line.quantity)?;
            line.serial_numbers = l.serial_numbers;
        }
        sale.updated_at = now_unix();
        self.sales.insert(id, sale);
        let out = self.sale_json(&self.sales[&id]);
        let mut data = out.clone();
        data["previous_status"] = json!(self.sales[&id].status.as_str());
        self.emit("sale.updated", id, data);
        Ok(out)
    }

    pub fn sale_json(&self, s: &Sale) -> Value {
        let t = s.totals();
        let names: BTreeMap<i64, &str> = self.payment_types.values().map(|p| (p.id, p.name.as_str())).collect();
        let lines: Vec<Value> = s
            .lines
            .iter()
            .map(|l| {
                let gross = l.price.times(l.quantity);
                let (tax, _) = split(gross, l.tax_rate, s.tax_inclusive);
                json!({
                    "id": l.id,
                    "product_id": l.product_id,
                    "variant_id": l.variant_id,
                    "sku": l.sku,
                    "name": l.name,
                    "quantity": l.quantity.to_string(),
                    "price": l.price.to_string(),
                    "tax_id": l.tax_id,
                    "tax_rate": l.tax_rate.to_string(),
                    "tax_amount": tax.to_string(),
                    "line_total": gross.to_string(),
                    "serial_numbers": l.serial_numbers,
                })
            })
            .collect();
        let shipping = s.shipping.as_ref().map(|sh| {
            let (tax, _) = split(sh.price, sh.tax_rate, s.tax_inclusive);
            json!({
                "description": sh.description,
                "price": sh.price.to_string(),
                "tax_id": sh.tax_id,
                "tax_amount": tax.to_string(),
            })
        });
        let payments: Vec<Value> = s
            .payments
            .iter()
            .map(|p| {
                json!({
                    "id": p.id,
                    "payment_type_id": p.payment_type_id,
                    "payment_type_name": names.get(&p.payment_type_id).copied().unwrap_or(""),
                    "amount": p.amount.to_string(),
                    "register_id": p.register_id,
                    "paid_at": rfc3339(p.paid_at),
                })
            })
            .collect();
        let payment_status = match s.status {
            Status::Voided => "voided",
            Status::Refunded => "refunded",
            _ if t.paid == t.total => "paid",
            _ => "pending",
        };
        json!({
            "id": s.id,
            "invoice_number": s.invoice_number,
            "outlet_id": s.outlet_id,
            "register_id": s.register_id,
            "customer_id": s.customer_id,
            "status": s.status.as_str(),
            "payment_status": payment_status,
            "external_reference": s.external_reference,
            "original_sale_id": s.original_sale_id,
            "note": s.note,
            "transactionDate": rfc3339(s.transaction_date),
            "created_at": rfc3339(s.created_at),
            "updated_at": rfc3339(s.updated_at),
            "tax_inclusive": s.tax_inclusive,
            "lines": lines,
            "shipping": shipping,
            "payments": payments,
            "subtotal": t.subtotal.to_string(),
            "netAmount": t.subtotal.to_string(),
            "tax_total": t.tax.to_string(),
            "total": t.total.to_string(),
            "total_paid": t.paid.to_string(),
            "balance": Money(t.total.0 - t.paid.0).to_string(),
        })
    }
}

/// Completed and refunded sales are paid in full; others may be part-paid but never overpaid.
fn check_paid(s: &Sale) -> ApiResult<()> {
    let t = s.totals();
    match s.status {
        Status::Completed | Status::Refunded if t.paid != t.total => Err(ApiError::invalid(format!(
            "a {} sale must be paid in full: total {}, paid {}",
            s.status.as_str(),
            t.total,
            t.paid
        ))),
        Status::Voided => Ok(()),
        _ if t.paid.0.abs() > t.total.0.abs() => {
            Err(ApiError::invalid(format!("payments {} exceed the total {}", t.paid, t.total)))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_transitions_table() {
        use Status::*;
        let allowed = [
            (Parked, Completed),
            (Parked, Layby),
            (Parked, OnAccount),
            (Parked, Voided),
            (Layby, Completed),
            (Layby, Voided),
            (OnAccount, Completed),
            (OnAccount, Voided),
            (Completed, Voided),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                let expect = from == to || allowed.contains(&(from, to));
                assert_eq!(from.may_become(to), expect, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn totals_inclusive_and_exclusive() {
        let line = |q: i64, p: i64| SaleLine {
            id: 1,
            product_id: 1,
            variant_id: None,
            sku: None,
            name: String::new(),
            quantity: Qty(q),
            price: Money(p),
            tax_id: 1,
            tax_rate: Rate(1000),
            serial_numbers: vec![],
        };
        let mut s = Sale {
            id: 1,
            invoice_number: String::new(),
            outlet_id: 1,
            register_id: None,
            customer_id: None,
            status: Status::Parked,
            external_reference: None,
            original_sale_id: None,
            note: String::new(),
            transaction_date: 0,
            created_at: 0,
            updated_at: 0,
            tax_inclusive: true,
            lines: vec![line(2000, 1100), line(500, 2200)], // 22.00 + 11.00
            shipping: Some(Shipping { description: String::new(), price: Money(550), tax_id: 1, tax_rate: Rate(1000) }),
            payments: vec![],
        };
        let t = s.totals();
        assert_eq!((t.total, t.tax, t.subtotal), (Money(3850), Money(350), Money(3500)));
        s.tax_inclusive = false;
        let t = s.totals();
        assert_eq!((t.subtotal, t.tax, t.total), (Money(3850), Money(385), Money(4235)));
    }
}

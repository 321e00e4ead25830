//! Customers (v3) and customer groups (v2) <-> canonical [`Customer`] / [`CustomerGroup`].
//!
//! Required fields differ per side (`003_babb2ce2d7f6df2c.txt:10-12`): the POS needs first and
//! last name; BigCommerce needs first name, last name and email. A customer missing them is
//! skipped with a reason naming the field.

use posbridge_domain::model::{Address, Customer, CustomerGroup, Money};
use serde_json::{Map, Value, json};

use super::json::{money, opt_id, text};
use super::{Lookups, Write};
use crate::errors::{Mapped, MappingError, MappingWarning};

/// Reads a v3 customer (fetched with `include=addresses`): the first address is the billing
/// address, the second (if any) the shipping address.
pub fn customer_from_bc(v: &Value, lookups: &Lookups) -> Result<Mapped<Customer>, MappingError> {
    let first =
        text(v, "first_name").ok_or(MappingError::MissingRequiredField { record: "customer", field: "first name" })?;
    let last =
        text(v, "last_name").ok_or(MappingError::MissingRequiredField { record: "customer", field: "last name" })?;
    let group = match opt_id(v, "customer_group_id")? {
        None => None,
        Some(g) => Some(
            lookups
                .customer_groups
                .get(&g)
                .cloned()
                .ok_or(MappingError::UnknownReference { entity: "customer group", id: g })?,
        ),
    };
    let addrs: Vec<Address> =
        v.get("addresses").and_then(Value::as_array).into_iter().flatten().map(address_from).collect();
    let mut warnings = Vec::new();
    if v.get("store_credit_amounts").and_then(Value::as_array).is_some_and(|a| !a.is_empty()) {
        warnings.push(MappingWarning::NotSynced { what: "store credit" });
    }
    Ok(Mapped::new(
        Customer {
            id: None,
            first_name: Some(first),
            last_name: Some(last),
            email: text(v, "email"),
            phone: text(v, "phone"),
            company: text(v, "company"),
            group,
            billing: addrs.first().cloned(),
            shipping: addrs.get(1).cloned(),
        },
        warnings,
    ))
}

fn address_from(a: &Value) -> Address {
    Address {
        line1: text(a, "address1"),
        line2: text(a, "address2"),
        city: text(a, "city"),
        state: text(a, "state_or_province"),
        postcode: text(a, "postal_code"),
        country_code: text(a, "country_code"),
        phone: text(a, "phone"),
    }
}

fn nonblank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|x| !x.is_empty())
}

/// One item of `POST /v3/customers` (with addresses) or `PUT /v3/customers` (with `id`; addresses
/// are not part of a customer update in BigCommerce and go through `/customers/addresses`).
/// Store credit is never written.
pub fn customer_to_bc(c: &Customer, write: Write<'_>, lookups: &Lookups) -> Result<Mapped<Value>, MappingError> {
    let missing = |field| MappingError::MissingRequiredField { record: "customer", field };
    let first = nonblank(&c.first_name).ok_or(missing("first name"))?;
    let last = nonblank(&c.last_name).ok_or(missing("last name"))?;
    let email = nonblank(&c.email).ok_or(missing("email"))?;
    let mut b = Map::new();
    if let Write::Update { current } = write {
        b.insert("id".into(), json!(super::json::id(current, "id")?));
    }
    b.insert("email".into(), json!(email));
    b.insert("first_name".into(), json!(first));
    b.insert("last_name".into(), json!(last));
    for (k, val) in [("company", &c.company), ("phone", &c.phone)] {
        if let Some(x) = nonblank(val) {
            b.insert(k.into(), json!(x));
        }
    }
    match (nonblank(&c.group), write) {
        (Some(g), _) => {
            let gid = lookups.group_id(g).ok_or(MappingError::NotLinked { entity: "customer group", key: g.into() })?;
            b.insert("customer_group_id".into(), json!(gid));
        }
        (None, Write::Update { current }) if opt_id(current, "customer_group_id")?.is_some() => {
            b.insert("customer_group_id".into(), json!(0));
        }
        (None, _) => {}
    }
    let mut warnings = Vec::new();
    if write == Write::Create {
        let mut addrs = Vec::new();
        let shipping = c.shipping.as_ref().filter(|s| Some(*s) != c.billing.as_ref());
        for (which, a) in [("billing", c.billing.as_ref()), ("shipping", shipping)] {
            let Some(a) = a else { continue };
            match address_to_bc(a, first, last) {
                Some(x) => addrs.push(x),
                None => warnings.push(MappingWarning::AddressSkipped { which }),
            }
        }
        if !addrs.is_empty() {
            b.insert("addresses".into(), Value::Array(addrs));
        }
    }
    Ok(Mapped::new(Value::Object(b), warnings))
}

/// A v3 customer address; `None` when BigCommerce's required `address1`, `city` or
/// `country_code` is missing.
pub(crate) fn address_to_bc(a: &Address, first: &str, last: &str) -> Option<Value> {
    let line1 = nonblank(&a.line1)?;
    let city = nonblank(&a.city)?;
    let country = nonblank(&a.country_code)?;
    let mut m = Map::new();
    m.insert("first_name".into(), json!(first));
    m.insert("last_name".into(), json!(last));
    m.insert("address1".into(), json!(line1));
    m.insert("city".into(), json!(city));
    m.insert("country_code".into(), json!(country.to_ascii_uppercase()));
    for (k, v) in
        [("address2", &a.line2), ("state_or_province", &a.state), ("postal_code", &a.postcode), ("phone", &a.phone)]
    {
        if let Some(x) = nonblank(v) {
            m.insert(k.into(), json!(x));
        }
    }
    Some(Value::Object(m))
}

/// Reads a v2 customer group. Only a sitewide percentage discount (`type: all`, `method:
/// percent`) has a POS equivalent; other rules stay in BigCommerce.
pub fn customer_group_from_bc(v: &Value) -> Result<CustomerGroup, MappingError> {
    let name = text(v, "name").ok_or(MappingError::MissingRequiredField { record: "customer group", field: "name" })?;
    let mut discount_bp = None;
    for r in v.get("discount_rules").and_then(Value::as_array).into_iter().flatten() {
        if is_sitewide_percent(r) {
            let pct = money(r, "amount")?.unwrap_or(Money::ZERO);
            // Percent with 4 decimals -> basis points: 5.0000 % = 500 bp.
            let bp = (pct.ten_thousandths() + 50).div_euclid(100);
            discount_bp =
                Some(u32::try_from(bp).map_err(|_| MappingError::bad("discount_rules.amount", pct.to_4dp()))?);
        }
    }
    Ok(CustomerGroup { id: None, name, discount_bp })
}

fn is_sitewide_percent(r: &Value) -> bool {
    r.get("type").and_then(Value::as_str) == Some("all") && r.get("method").and_then(Value::as_str) == Some("percent")
}

/// The body of `POST /v2/customer_groups` or `PUT /v2/customer_groups/{id}`. On update, the
/// group's category, product and price-list rules are kept; only the sitewide percentage changes.
pub fn customer_group_to_bc(g: &CustomerGroup, write: Write<'_>) -> Result<Value, MappingError> {
    let name = g.name.trim();
    if name.is_empty() {
        return Err(MappingError::MissingRequiredField { record: "customer group", field: "name" });
    }
    let mut rules: Vec<Value> = match write {
        Write::Create => Vec::new(),
        Write::Update { current } => current
            .get("discount_rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|r| !is_sitewide_percent(r) && r.get("type").and_then(Value::as_str) != Some("all"))
            .cloned()
            .collect(),
    };
    if let Some(bp) = g.discount_bp {
        let pct = format!("{}.{:02}00", bp / 100, bp % 100);
        rules.retain(|r| r.get("type").and_then(Value::as_str) != Some("price_list"));
        rules.insert(0, json!({ "type": "all", "method": "percent", "amount": pct }));
    }
    Ok(json!({ "name": name, "discount_rules": rules }))
}

#[cfg(test)]
mod tests;

//! Customers and customer groups. The POS requires a first and a last name (product reference
//! 003:73, 002:62); a customer without them is skipped with that reason, never sent half-empty.

use posbridge_domain::model::{Customer, CustomerGroup};

use super::wire::{PosCustomer, PosCustomerInput, PosNamed, PosNamedInput};
use super::{PosCatalogue, PosContext, int_id, non_empty, pos_id};
use crate::errors::MappingError;

/// A POS customer in canonical form. The POS keeps no addresses, so they stay empty (the web
/// store keeps its own).
pub fn customer_from_pos(c: &PosCustomer, ctx: &PosContext<'_>) -> Result<Customer, MappingError> {
    Ok(Customer {
        id: Some(pos_id(c.id)),
        first_name: non_empty(&c.first_name),
        last_name: non_empty(&c.last_name),
        email: c.email.as_deref().and_then(non_empty),
        phone: c.phone.as_deref().and_then(non_empty),
        company: c.company.as_deref().and_then(non_empty),
        group: c
            .customer_group_id
            .map(|g| {
                PosCatalogue::name_of(&ctx.catalogue.customer_groups, g)
                    .map(str::to_string)
                    .ok_or_else(|| MappingError::UnknownReference { kind: "customer group", name: format!("#{g}") })
            })
            .transpose()?,
        billing: None,
        shipping: None,
    })
}

/// How the merchant can recognise a customer in a skip reason.
fn describe(c: &Customer) -> String {
    let name = [c.first_name.as_deref(), c.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    match (c.email.as_deref().and_then(non_empty), non_empty(&name)) {
        (Some(e), _) => format!("{e:?}"),
        (None, Some(n)) => format!("{n:?}"),
        (None, None) => c.id.as_ref().map_or_else(|| "(unnamed)".to_string(), |i| format!("#{i}")),
    }
}

/// The body of `POST customers/create` (update when the customer has a POS id). Skipped with a
/// [`MappingError::MissingRequiredField`] when the first or last name is missing.
pub fn customer_to_pos(c: &Customer, ctx: &PosContext<'_>) -> Result<PosCustomerInput, MappingError> {
    let required = |v: &Option<String>, field: &'static str| {
        v.as_deref().and_then(non_empty).ok_or_else(|| MappingError::MissingRequiredField {
            entity: "Customer",
            field,
            record: describe(c),
        })
    };
    let first_name = required(&c.first_name, "first name")?;
    let last_name = required(&c.last_name, "last name")?;
    Ok(PosCustomerInput {
        id: c.id.as_ref().map(|i| int_id("customer id", i)).transpose()?,
        first_name,
        last_name,
        email: c.email.as_deref().and_then(non_empty),
        phone: c.phone.as_deref().and_then(non_empty),
        company: c.company.as_deref().and_then(non_empty),
        customer_group_id: c
            .group
            .as_deref()
            .and_then(non_empty)
            .map(|g| PosCatalogue::id_of(&ctx.catalogue.customer_groups, "customer group", &g))
            .transpose()?,
    })
}

/// A POS customer group. The POS list carries no discount, so none is synced.
pub fn customer_group_from_pos(g: &PosNamed) -> CustomerGroup {
    CustomerGroup { id: Some(pos_id(g.id)), name: g.name.trim().to_string(), discount_bp: None }
}

/// The body of `POST customer_groups/create`.
pub fn customer_group_to_pos(g: &CustomerGroup) -> Result<PosNamedInput, MappingError> {
    let name = non_empty(&g.name).ok_or_else(|| MappingError::MissingRequiredField {
        entity: "Customer group",
        field: "name",
        record: g.id.as_ref().map_or_else(|| "(new)".to_string(), |i| format!("#{i}")),
    })?;
    Ok(PosNamedInput { id: g.id.as_ref().map(|i| int_id("customer group id", i)).transpose()?, name })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::fixtures::{self, id, parse};
    use proptest::prelude::*;
    use serde_json::json;

    fn customer(first: Option<&str>, last: Option<&str>, email: Option<&str>) -> Customer {
        Customer {
            id: None,
            first_name: first.map(String::from),
            last_name: last.map(String::from),
            email: email.map(String::from),
            phone: None,
            company: None,
            group: None,
            billing: None,
            shipping: None,
        }
    }

    #[test]
    fn the_pos_requires_first_and_last_name() {
        // 003:73 "Hike only requires first name & last name" (also 002:62).
        let rows = [
            ("003:73 both names", Some("Ann"), Some("Lee"), Some("ann@x.io"), Ok(())),
            ("003:73 email is not required by the POS", Some("Ann"), Some("Lee"), None, Ok(())),
            ("003:73 no first name", None, Some("Lee"), Some("ann@x.io"), Err("first name")),
            ("003:73 no last name", Some("Ann"), None, Some("ann@x.io"), Err("last name")),
            ("003:73 blank counts as missing", Some("Ann"), Some("  "), None, Err("last name")),
        ];
        let c = fixtures::ctx(true);
        for (doc, first, last, email, want) in rows {
            let got = customer_to_pos(&customer(first, last, email), &c.ctx());
            match (got, want) {
                (Ok(b), Ok(())) => assert_eq!((b.first_name.as_str(), b.last_name.as_str()), ("Ann", "Lee"), "{doc}"),
                (Err(MappingError::MissingRequiredField { entity, field, record }), Err(f)) => {
                    assert_eq!((entity, field), ("Customer", f), "{doc}");
                    assert!(!record.is_empty(), "{doc}: the skip reason names the customer");
                }
                (got, want) => panic!("{doc}: got {got:?}, want {want:?}"),
            }
        }
        let e = customer_to_pos(&customer(Some("Ann"), None, Some("ann@x.io")), &c.ctx()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Customer \"ann@x.io\" was not synced: the POS requires a last name. Add the last name and sync again."
        );
    }

    #[test]
    fn customer_groups_map_by_name() {
        // 000:9 "Customer profiles (including customer groups)".
        let c = fixtures::ctx(true);
        let mut cu = customer(Some("Ann"), Some("Lee"), None);
        cu.group = Some("vip".into());
        assert_eq!(customer_to_pos(&cu, &c.ctx()).unwrap().customer_group_id, Some(1));
        cu.group = Some("Gold".into());
        let e = customer_to_pos(&cu, &c.ctx()).unwrap_err();
        assert_eq!(e.code(), "unknown_reference");
        assert!(e.is_retryable(), "the engine creates the group, then maps again");

        let g = customer_group_from_pos(&crate::mapping::wire::PosNamed { id: 2, name: "Wholesale".into() });
        assert_eq!((g.id.clone(), g.name.as_str()), (Some(id("2")), "Wholesale"));
        let b = customer_group_to_pos(&g).unwrap();
        assert_eq!((b.id, b.name.as_str()), (Some(2), "Wholesale"));
    }

    #[test]
    fn reads_the_pos_shape() {
        let c = fixtures::ctx(true);
        let pc = parse(json!({
            "id": 3, "first_name": "Ann", "last_name": "Lee", "email": "ann@x.io", "phone": null, "company": "",
            "customer_group_id": 2, "note": "", "isActive": true,
            "created_at": "2024-05-01T10:00:00Z", "updated_at": "2024-05-01T10:00:00Z"
        }));
        let cu = customer_from_pos(&pc, &c.ctx()).unwrap();
        assert_eq!(cu.id, Some(id("3")));
        assert_eq!(cu.group.as_deref(), Some("Wholesale"));
        assert_eq!((cu.phone, cu.company), (None, None));
    }

    proptest! {
        #[test]
        fn round_trip(
            first in "[A-Za-z][a-z]{0,10}",
            last in "[A-Za-z][a-z' -]{0,10}[a-z]",
            email in proptest::option::of("[a-z]{1,8}@[a-z]{1,8}\\.com"),
            phone in proptest::option::of("\\+?[0-9][0-9 ]{5,11}[0-9]"),
            company in proptest::option::of("[A-Z][a-z]{1,10}"),
            group in proptest::option::of(prop_oneof![Just("VIP"), Just("Wholesale")]),
            pos_id in proptest::option::of(1i64..1_000_000),
        ) {
            let c = fixtures::ctx(true);
            let cu = Customer {
                id: pos_id.map(|i| id(&i.to_string())),
                first_name: Some(first), last_name: Some(last), email, phone, company,
                group: group.map(String::from), billing: None, shipping: None,
            };
            let b = customer_to_pos(&cu, &c.ctx()).unwrap();
            let stored = PosCustomer {
                id: b.id.unwrap_or(3), first_name: b.first_name, last_name: b.last_name, email: b.email,
                phone: b.phone, company: b.company, customer_group_id: b.customer_group_id, note: String::new(),
                is_active: true, created_at: String::new(), updated_at: String::new(),
            };
            let back = customer_from_pos(&stored, &c.ctx()).unwrap();
            let want = Customer { id: Some(id(&pos_id.unwrap_or(3).to_string())), ..cu };
            prop_assert_eq!(back, want);
        }
    }
}

//! Customers and customer groups. Customers sync both ways (000:146-148).
//!
//! Required fields differ: the POS needs a first and a last name (003:10), Ecwid needs an email
//! (its create-customer reference; the emulator refuses a customer without one). A customer
//! missing the receiving side's field is skipped with a reason naming the field.
//!
//! Ecwid keeps one full name per person (`billingPerson.name`; newer stores also send
//! `firstName`/`lastName`, which win when present). A full name is split at its first space:
//! "Mary Ann Smith" is first "Mary", last "Ann Smith" (particles such as "van" stay with the
//! last name). Posbridge writes `first + " " + last`, so its own names read back unchanged.

use posbridge_domain::model::{Address, Customer, CustomerGroup};
use serde_json::{Map, Value, json};

use super::EcwidContext;
use super::json::{Rec, text, uint};
use crate::MappingError;

/// Splits a full name at its first run of whitespace.
pub fn split_name(full: &str) -> (Option<String>, Option<String>) {
    let full = full.trim();
    match full.split_once(char::is_whitespace) {
        Some((first, rest)) => (Some(first.to_string()), Some(rest.trim().to_string()).filter(|s| !s.is_empty())),
        None if full.is_empty() => (None, None),
        None => (Some(full.to_string()), None),
    }
}

fn address_from_person(p: &Value) -> Option<Address> {
    let mut lines =
        p.get("street").and_then(Value::as_str).unwrap_or("").lines().map(str::trim).filter(|l| !l.is_empty());
    let a = Address {
        line1: lines.next().map(str::to_string),
        line2: {
            let rest: Vec<&str> = lines.collect();
            (!rest.is_empty()).then(|| rest.join(", "))
        },
        city: text(p, "city").map(str::to_string),
        state: text(p, "stateOrProvinceCode").or_else(|| text(p, "stateOrProvinceName")).map(str::to_string),
        postcode: text(p, "postalCode").map(str::to_string),
        country_code: text(p, "countryCode").map(str::to_string),
        phone: text(p, "phone").map(str::to_string),
    };
    let has_place =
        a.line1.is_some() || a.city.is_some() || a.state.is_some() || a.postcode.is_some() || a.country_code.is_some();
    has_place.then_some(a)
}

/// An Ecwid person (`billingPerson`, `shippingPerson`, an address-book entry) from an address.
pub(crate) fn person_json(
    name: Option<&str>,
    company: Option<&str>,
    a: Option<&Address>,
    phone: Option<&str>,
) -> Value {
    let mut p = Map::new();
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
            p.insert(k.to_string(), json!(v));
        }
    };
    put("name", name);
    put("companyName", company);
    if let Some(a) = a {
        let street = [a.line1.as_deref(), a.line2.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("\n");
        put("street", Some(&street));
        put("city", a.city.as_deref());
        put("stateOrProvinceCode", a.state.as_deref());
        put("postalCode", a.postcode.as_deref());
        put("countryCode", a.country_code.as_deref());
    }
    put("phone", phone.or(a.and_then(|a| a.phone.as_deref())));
    Value::Object(p)
}

/// A shipping or billing address of an Ecwid person, for orders.
pub(crate) fn address_of(person: Option<&Value>) -> Option<Address> {
    person.and_then(address_from_person)
}

/// An Ecwid customer as a POS customer. Skipped (with the field named) without first and last name.
pub fn customer_from_ecwid(c: &Value, ctx: &EcwidContext) -> Result<Customer, MappingError> {
    let id = uint(c, "id").map(|i| i.to_string()).or_else(|| text(c, "email").map(str::to_string)).unwrap_or_default();
    let rec = Rec { entity: "customer", record: &id };
    let billing = c.get("billingPerson").filter(|b| b.is_object());
    let first_shipping = c.get("shippingAddresses").and_then(Value::as_array).and_then(|a| a.first());
    let (first, last) = match billing.map(|b| (text(b, "firstName"), text(b, "lastName"))) {
        Some((Some(f), l)) => (Some(f.to_string()), l.map(str::to_string)),
        _ => {
            let full = billing
                .and_then(|b| text(b, "name"))
                .or_else(|| text(c, "name"))
                .or_else(|| first_shipping.and_then(|s| text(s, "name")))
                .unwrap_or("");
            split_name(full)
        }
    };
    let first = first.ok_or_else(|| rec.missing("first name"))?;
    let last = last.ok_or_else(|| rec.missing("last name"))?;
    let group = match uint(c, "customerGroupId").filter(|g| *g != 0) {
        None => None,
        Some(g) => Some(
            ctx.group_name(g)
                .map(str::to_string)
                .ok_or_else(|| MappingError::UnknownCustomerGroup { reference: format!("Ecwid group {g}") })?,
        ),
    };
    Ok(Customer {
        id: None,
        first_name: Some(first),
        last_name: Some(last),
        email: text(c, "email").map(str::to_string),
        phone: billing.and_then(|b| text(b, "phone")).map(str::to_string),
        company: billing.and_then(|b| text(b, "companyName")).map(str::to_string),
        group,
        billing: billing.and_then(address_from_person),
        shipping: first_shipping.and_then(address_from_person),
    })
}

/// A POS customer as the body of `POST /customers` or `PUT /customers/{id}`. Skipped without email.
pub fn customer_to_ecwid(c: &Customer, ctx: &EcwidContext) -> Result<Value, MappingError> {
    let name = [c.first_name.as_deref(), c.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let record = c.id.as_ref().map(|i| i.to_string()).unwrap_or_else(|| name.clone());
    let rec = Rec { entity: "customer", record: &record };
    let email = c.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).ok_or_else(|| rec.missing("email"))?;
    if !email.contains('@') {
        return Err(rec.invalid("email", &json!(email)));
    }
    let group = match &c.group {
        None => 0,
        Some(g) => ctx.group_id(g).ok_or_else(|| MappingError::UnknownCustomerGroup { reference: format!("{g:?}") })?,
    };
    let mut body = json!({
        "email": email,
        "customerGroupId": group,
        "billingPerson": person_json(Some(&name), c.company.as_deref(), c.billing.as_ref(), c.phone.as_deref()),
    });
    if let Some(s) = &c.shipping {
        body["shippingAddresses"] = json!([person_json(Some(&name), c.company.as_deref(), Some(s), None)]);
    }
    Ok(body)
}

/// An Ecwid customer group (`{id, name}`) as a POS customer group (000:9). Group 0 ("General")
/// is Ecwid's "no group" and is never synced.
pub fn customer_group_from_ecwid(g: &Value) -> Result<CustomerGroup, MappingError> {
    let id = uint(g, "id").unwrap_or(0);
    if id == 0 {
        return Err(MappingError::BuiltInCustomerGroup);
    }
    let id_text = id.to_string();
    let name = text(g, "name").ok_or_else(|| Rec { entity: "customer group", record: &id_text }.missing("name"))?;
    Ok(CustomerGroup { id: None, name: name.to_string(), discount_bp: None })
}

/// A POS customer group as the body of `POST /customer_groups`. Ecwid groups carry no
/// discount; a POS group discount stays in the POS.
pub fn customer_group_to_ecwid(g: &CustomerGroup) -> Result<Value, MappingError> {
    let name = g.name.trim();
    if name.is_empty() {
        let record = g.id.as_ref().map(|i| i.to_string()).unwrap_or_default();
        return Err(Rec { entity: "customer group", record: &record }.missing("name"));
    }
    Ok(json!({ "name": name }))
}

#[cfg(test)]
mod tests {
    use posbridge_domain::model::PosId;
    use proptest::prelude::*;

    use super::*;

    fn ctx() -> EcwidContext {
        let mut c = EcwidContext::new(PosId::parse("o1").unwrap());
        c.customer_groups = vec![(12345, "VIP".into()), (777, "Wholesale".into())];
        c
    }

    /// `examples/customers--create-customer--request-body.json` with an id.
    fn john() -> Value {
        json!({
            "id": 40201284, "email": "example@example.com", "customerGroupId": 12345,
            "billingPerson": {"name": "John Smith", "companyName": "Imaginary Company", "street": "Hedgehog Street, 1",
                "city": "Bucket", "countryCode": "US", "postalCode": "90002", "stateOrProvinceCode": "CA", "phone": "11111111111"},
            "shippingAddresses": [{"name": "John Smith", "companyName": "Imaginary Company", "street": "W 3d st",
                "city": "New York", "countryCode": "US", "postalCode": "10001", "stateOrProvinceCode": "NY", "phone": "11111111111"}],
            "taxId": "GB999 9999 73", "taxExempt": true, "acceptMarketing": true
        })
    }

    #[test]
    fn ecwid_customer_maps_with_names_addresses_and_group() {
        let c = customer_from_ecwid(&john(), &ctx()).unwrap();
        assert_eq!(c.first_name.as_deref(), Some("John"));
        assert_eq!(c.last_name.as_deref(), Some("Smith"));
        assert_eq!(c.email.as_deref(), Some("example@example.com"));
        assert_eq!(c.phone.as_deref(), Some("11111111111"));
        assert_eq!(c.company.as_deref(), Some("Imaginary Company"));
        assert_eq!(c.group.as_deref(), Some("VIP"), "000:9 customer groups");
        assert_eq!(c.billing.as_ref().unwrap().city.as_deref(), Some("Bucket"));
        assert_eq!(c.shipping.as_ref().unwrap().state.as_deref(), Some("NY"));
        let body = customer_to_ecwid(&c, &ctx()).unwrap();
        assert_eq!(body["email"], "example@example.com");
        assert_eq!(body["customerGroupId"], 12345);
        assert_eq!(body["billingPerson"]["name"], "John Smith");
        assert_eq!(body["billingPerson"]["street"], "Hedgehog Street, 1");
        assert_eq!(body["shippingAddresses"][0]["postalCode"], "10001");
    }

    // 003:10 POS requires first and last name; Ecwid requires email. (input, expected error field, source)
    #[test]
    fn required_fields_of_each_side_give_a_clear_skip_reason() {
        let rows: &[(Value, &str, &str)] = &[
            (
                json!({"id": 1, "email": "a@b.c", "billingPerson": {"name": "Madonna"}}),
                "last name",
                "003:10 POS needs a last name",
            ),
            (
                json!({"id": 2, "email": "a@b.c", "billingPerson": {"name": "  "}}),
                "first name",
                "003:10 POS needs a first name",
            ),
            (json!({"id": 3, "email": "a@b.c"}), "first name", "003:10"),
        ];
        for (input, field, src) in rows {
            let e = customer_from_ecwid(input, &ctx()).unwrap_err();
            assert!(matches!(&e, MappingError::MissingRequiredField { field: f, .. } if f == field), "{src}: {e}");
            assert!(e.advice().contains(field), "{src}: the advice names the field");
        }
        let mut c = customer_from_ecwid(&john(), &ctx()).unwrap();
        c.email = None;
        let e = customer_to_ecwid(&c, &ctx()).unwrap_err();
        assert_eq!(
            e,
            MappingError::MissingRequiredField { entity: "customer", field: "email", record: "John Smith".into() },
            "Ecwid needs an email"
        );
        c.email = Some("not-an-email".into());
        assert_eq!(customer_to_ecwid(&c, &ctx()).unwrap_err().code(), "invalid_field");
    }

    #[test]
    fn names_come_from_first_and_last_fields_or_the_full_name() {
        let rows = [
            (
                json!({"billingPerson": {"firstName": "Ana", "lastName": "de la Cruz", "name": "ignored"}}),
                "Ana",
                "de la Cruz",
            ),
            (json!({"billingPerson": {"name": "Ludwig van Beethoven"}}), "Ludwig", "van Beethoven"),
            (json!({"name": "Eugene K"}), "Eugene", "K"),
            (json!({"shippingAddresses": [{"name": "Pat Lee"}]}), "Pat", "Lee"),
        ];
        for (mut v, f, l) in rows {
            v["email"] = json!("x@y.z");
            let c = customer_from_ecwid(&v, &ctx()).unwrap();
            assert_eq!((c.first_name.as_deref(), c.last_name.as_deref()), (Some(f), Some(l)), "{v}");
        }
        assert_eq!(split_name("Cher"), (Some("Cher".into()), None));
        assert_eq!(split_name(""), (None, None));
    }

    #[test]
    fn customer_groups_map_and_general_is_not_synced() {
        let g = customer_group_from_ecwid(&json!({"id": 12345, "name": "VIP"})).unwrap();
        assert_eq!(g, CustomerGroup { id: None, name: "VIP".into(), discount_bp: None });
        assert_eq!(customer_group_to_ecwid(&g).unwrap(), json!({"name": "VIP"}));
        let e = customer_group_from_ecwid(&json!({"id": 0, "name": "General"})).unwrap_err();
        assert_eq!(e, MappingError::BuiltInCustomerGroup);
        assert!(e.is_skip());
        let mut c = customer_from_ecwid(&john(), &ctx()).unwrap();
        c.group = Some("Gold".into());
        assert!(customer_to_ecwid(&c, &ctx()).unwrap_err().is_retryable(), "group not synced yet");
        c.group = None;
        assert_eq!(customer_to_ecwid(&c, &ctx()).unwrap()["customerGroupId"], 0, "no group = General");
        let mut e = john();
        e["customerGroupId"] = json!(4242);
        assert_eq!(customer_from_ecwid(&e, &ctx()).unwrap_err().code(), "unknown_customer_group");
    }

    fn word() -> impl Strategy<Value = String> {
        "[A-Z][a-z]{1,8}"
    }

    fn address(phone: Option<String>) -> impl Strategy<Value = Address> {
        (word(), proptest::option::of(word()), word(), proptest::option::of("[A-Z]{2}"), "[0-9]{4,5}", "[A-Z]{2}")
            .prop_map(move |(l1, l2, city, state, pc, cc)| Address {
                line1: Some(format!("{l1} St")),
                line2: l2,
                city: Some(city),
                state,
                postcode: Some(pc),
                country_code: Some(cc),
                phone: phone.clone(),
            })
    }

    fn customer() -> impl Strategy<Value = Customer> {
        (
            word(),
            (word(), proptest::option::of(word())),
            "[a-z]{1,8}@[a-z]{1,8}\\.com",
            proptest::option::of("[0-9]{6,10}"),
            proptest::option::of(word()),
            proptest::option::of(prop_oneof![Just("VIP".to_string()), Just("Wholesale".to_string())]),
            any::<bool>(),
        )
            .prop_flat_map(|(first, (l1, l2), email, phone, company, group, has_billing)| {
                let last = match l2 {
                    Some(l2) => format!("{l1} {l2}"),
                    None => l1,
                };
                let billing =
                    if has_billing { address(phone.clone()).prop_map(Some).boxed() } else { Just(None).boxed() };
                (billing, proptest::option::of(address(None))).prop_map(move |(billing, shipping)| Customer {
                    id: None,
                    first_name: Some(first.clone()),
                    last_name: Some(last.clone()),
                    email: Some(email.clone()),
                    phone: phone.clone(),
                    company: company.clone(),
                    group: group.clone(),
                    billing,
                    shipping,
                })
            })
    }

    proptest! {
        #[test]
        fn customer_round_trip_keeps_every_owned_field(c in customer()) {
            let mut body = customer_to_ecwid(&c, &ctx()).unwrap();
            body["id"] = json!(99);
            let back = customer_from_ecwid(&body, &ctx()).unwrap();
            prop_assert_eq!(back, c);
        }
    }
}

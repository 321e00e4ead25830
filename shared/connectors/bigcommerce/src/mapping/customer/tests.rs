//! Customer and customer-group mapping tests. `003` is `003_babb2ce2d7f6df2c.txt` (BigCommerce
//! settings explained), `001` is `001_0c79d532016484cd.txt`.

use proptest::prelude::*;

use super::*;
use crate::mapping::fixtures::*;

fn canonical() -> Customer {
    customer_from_bc(&bc_customer(), &lookups()).unwrap().value
}

#[test]
fn reads_a_bigcommerce_customer() {
    let c = canonical();
    assert_eq!((c.first_name.as_deref(), c.last_name.as_deref()), (Some("Jane"), Some("Doe")));
    assert_eq!(c.email.as_deref(), Some("jane@example.com"));
    assert_eq!(c.company.as_deref(), Some("Acme"));
    assert_eq!(c.phone.as_deref(), Some("0400 000 000"));
    assert_eq!(c.group.as_deref(), Some("Wholesale"), "customer groups by name");
    assert_eq!(c.billing.as_ref().and_then(|a| a.line1.as_deref()), Some("1 Main St"));
    assert_eq!(c.billing.as_ref().and_then(|a| a.state.as_deref()), Some("Texas"));
    assert_eq!(c.shipping.as_ref().and_then(|a| a.city.as_deref()), Some("Houston"));
}

/// 003:10-12: the POS needs first and last name; BigCommerce first name, last name and email.
/// Columns: cite, direction, field removed, expected skip reason.
#[test]
fn required_fields_per_side() {
    let rows: [(&str, &str, &str, &str); 5] = [
        ("003:10 POS requires a first name", "to_pos", "first_name", "first name"),
        ("003:10 POS requires a last name", "to_pos", "last_name", "last name"),
        ("003:11 BigCommerce requires a first name", "to_bc", "first_name", "first name"),
        ("003:11 BigCommerce requires a last name", "to_bc", "last_name", "last name"),
        ("003:11-12 BigCommerce requires an email", "to_bc", "email", "email"),
    ];
    for (cite, dir, field, reason) in rows {
        let err = if dir == "to_pos" {
            let mut v = bc_customer();
            v[field] = json!("  ");
            customer_from_bc(&v, &lookups()).unwrap_err()
        } else {
            let mut c = canonical();
            match field {
                "first_name" => c.first_name = None,
                "last_name" => c.last_name = Some(String::new()),
                _ => c.email = None,
            }
            customer_to_bc(&c, Write::Create, &lookups()).unwrap_err()
        };
        assert_eq!(err, MappingError::MissingRequiredField { record: "customer", field: reason }, "{cite}");
        assert!(err.to_string().contains(reason), "{cite}: the reason names the field");
    }
    // 003:10: the POS does not need an email.
    let mut v = bc_customer();
    v["email"] = json!("");
    assert!(customer_from_bc(&v, &lookups()).is_ok(), "003:10");
}

#[test]
fn writes_a_create_body_with_addresses() {
    let b = customer_to_bc(&canonical(), Write::Create, &lookups()).unwrap();
    let v = &b.value;
    assert_eq!(v["email"], "jane@example.com");
    assert_eq!(v["customer_group_id"], 2);
    assert_eq!(v["addresses"].as_array().unwrap().len(), 2);
    assert_eq!(
        v["addresses"][0],
        json!({ "first_name": "Jane", "last_name": "Doe", "address1": "1 Main St", "city": "Austin",
                 "country_code": "US", "state_or_province": "Texas", "postal_code": "78751" })
    );
    assert!(v.get("store_credit_amounts").is_none(), "001:24 store credit is not synced");
    assert!(b.warnings.is_empty());
}

#[test]
fn updates_carry_the_id_and_no_addresses() {
    let cur = bc_customer();
    let v = customer_to_bc(&canonical(), Write::Update { current: &cur }, &lookups()).unwrap().value;
    assert_eq!(v["id"], 41);
    assert!(v.get("addresses").is_none(), "customer_Put has no addresses");
    let mut c = canonical();
    c.group = None;
    let v = customer_to_bc(&c, Write::Update { current: &cur }, &lookups()).unwrap().value;
    assert_eq!(v["customer_group_id"], 0, "leaving the group in the POS leaves it in BigCommerce");
}

#[test]
fn incomplete_addresses_are_skipped_with_a_warning() {
    let mut c = canonical();
    c.shipping.as_mut().unwrap().city = None;
    let r = customer_to_bc(&c, Write::Create, &lookups()).unwrap();
    assert_eq!(r.value["addresses"].as_array().unwrap().len(), 1);
    assert_eq!(r.warnings, vec![MappingWarning::AddressSkipped { which: "shipping" }]);
}

#[test]
fn a_shipping_address_equal_to_billing_is_sent_once() {
    let mut c = canonical();
    c.shipping = c.billing.clone();
    let r = customer_to_bc(&c, Write::Create, &lookups()).unwrap();
    assert_eq!(r.value["addresses"].as_array().unwrap().len(), 1);
}

#[test]
fn groups_must_sync_before_their_customers() {
    let mut c = canonical();
    c.group = Some("VIP".into());
    let e = customer_to_bc(&c, Write::Create, &lookups()).unwrap_err();
    assert_eq!(e, MappingError::NotLinked { entity: "customer group", key: "VIP".into() });
    assert!(e.is_retryable());
    let mut v = bc_customer();
    v["customer_group_id"] = json!(9);
    assert_eq!(customer_from_bc(&v, &lookups()).unwrap_err().code(), "unknown_reference");
    v["customer_group_id"] = json!(0);
    assert_eq!(customer_from_bc(&v, &lookups()).unwrap().value.group, None, "0 = no group");
}

#[test]
fn store_credit_is_not_synced() {
    // 001:24 (and the issue): store credit does not sync; the customer still does.
    let r = customer_from_bc(&bc_customer(), &lookups()).unwrap();
    assert_eq!(r.warnings, vec![MappingWarning::NotSynced { what: "store credit" }]);
}

#[test]
fn customer_groups_map_their_sitewide_percentage() {
    let g = json!({ "id": 2, "name": "Wholesale", "is_default": false,
        "discount_rules": [{ "type": "all", "method": "percent", "amount": "12.5000" },
                           { "type": "category", "method": "fixed", "amount": "3.0000", "category_id": 4 }] });
    let c = customer_group_from_bc(&g).unwrap();
    assert_eq!(c, CustomerGroup { id: None, name: "Wholesale".into(), discount_bp: Some(1250) });
    let plain = json!({ "id": 3, "name": "Retail", "discount_rules": [] });
    assert_eq!(customer_group_from_bc(&plain).unwrap().discount_bp, None);
    let fixed_only =
        json!({ "name": "Trade", "discount_rules": [{ "type": "all", "method": "fixed", "amount": "5" }] });
    assert_eq!(customer_group_from_bc(&fixed_only).unwrap().discount_bp, None, "no POS equivalent");

    let body = customer_group_to_bc(&c, Write::Create).unwrap();
    assert_eq!(
        body,
        json!({ "name": "Wholesale", "discount_rules": [{ "type": "all", "method": "percent", "amount": "12.5000" }] })
    );
    let upd =
        customer_group_to_bc(&CustomerGroup { discount_bp: Some(500), ..c.clone() }, Write::Update { current: &g })
            .unwrap();
    assert_eq!(upd["discount_rules"].as_array().unwrap().len(), 2, "category rules stay");
    assert_eq!(upd["discount_rules"][0]["amount"], "5.0000");
    let cleared =
        customer_group_to_bc(&CustomerGroup { discount_bp: None, ..c }, Write::Update { current: &g }).unwrap();
    assert_eq!(cleared["discount_rules"].as_array().unwrap().len(), 1, "only the category rule is left");
    assert!(
        customer_group_to_bc(&CustomerGroup { id: None, name: " ".into(), discount_bp: None }, Write::Create).is_err()
    );
}

fn answer(body: &Value) -> Value {
    // What BigCommerce answers: ids on the record and each address.
    let mut r = body.clone();
    r["id"] = json!(9);
    if let Some(a) = r.get_mut("addresses").and_then(Value::as_array_mut) {
        for (i, x) in a.iter_mut().enumerate() {
            x["id"] = json!(i + 1);
            x["customer_id"] = json!(9);
        }
    }
    r
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[A-Za-z0-9][A-Za-z0-9 ]{0,10}[A-Za-z0-9]")
}

prop_compose! {
    fn address_strategy()(line1 in "[0-9]{1,3} [A-Z][a-z]{2,8} St", line2 in opt_text(), city in "[A-Z][a-z]{2,10}",
                          state in opt_text(), postcode in proptest::option::of("[0-9]{4,5}"),
                          country in "(AU|US|NZ|GB)", phone in proptest::option::of("[0-9]{8,10}")) -> Address {
        Address { line1: Some(line1), line2, city: Some(city), state, postcode, country_code: Some(country), phone }
    }
}

prop_compose! {
    fn customer_strategy()(first in "[A-Z][a-z]{1,10}", last in "[A-Z][a-z]{1,10}", email in "[a-z]{1,8}@[a-z]{1,8}\\.com",
                           phone in opt_text(), company in opt_text(),
                           group in proptest::option::of(Just("Wholesale".to_string())),
                           billing in proptest::option::of(address_strategy()),
                           shipping in proptest::option::of(address_strategy())) -> Customer {
        let shipping = if billing.is_some() { shipping.filter(|s| Some(s) != billing.as_ref()) } else { None };
        Customer { id: None, first_name: Some(first), last_name: Some(last), email: Some(email), phone, company,
                   group, billing, shipping }
    }
}

proptest! {
    /// canonical -> BigCommerce -> canonical keeps every customer field posbridge owns.
    #[test]
    fn customer_round_trip(c in customer_strategy()) {
        let body = customer_to_bc(&c, Write::Create, &lookups()).unwrap().value;
        let back = customer_from_bc(&answer(&body), &lookups()).unwrap().value;
        prop_assert_eq!(back, c);
    }

    #[test]
    fn group_round_trip(name in "[A-Z][a-z]{2,12}", bp in proptest::option::of(0u32..10_000)) {
        let g = CustomerGroup { id: None, name, discount_bp: bp };
        let body = customer_group_to_bc(&g, Write::Create).unwrap();
        prop_assert_eq!(customer_group_from_bc(&body).unwrap(), g);
    }
}

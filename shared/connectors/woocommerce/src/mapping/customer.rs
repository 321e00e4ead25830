//! Customers. Each side has its own required fields: WooCommerce needs an email, the POS a first
//! and a last name (002:62, 003:10-12); a customer missing them is refused with the field named.
//! Customer sync is always both ways (000:146-148).

use posbridge_domain::model::{Address, Customer};
use serde_json::{Map, Value, json};

use super::wire;
use super::{WooContext, non_empty};
use crate::errors::MappingError;

/// WooCommerce core has no customer groups (PLATFORM-FACTS §3.3); the POS group travels in this
/// meta key so it survives a round trip and group plug-ins can read it.
pub const CUSTOMER_GROUP_META: &str = "posbridge_customer_group";

fn address_to_wc(a: &Address, with_phone: bool) -> Map<String, Value> {
    let mut m = Map::new();
    let s = |o: &Option<String>| json!(o.clone().unwrap_or_default());
    m.insert("address_1".into(), s(&a.line1));
    m.insert("address_2".into(), s(&a.line2));
    m.insert("city".into(), s(&a.city));
    m.insert("state".into(), s(&a.state));
    m.insert("postcode".into(), s(&a.postcode));
    m.insert("country".into(), s(&a.country_code));
    if with_phone {
        m.insert("phone".into(), s(&a.phone));
    }
    m
}

pub(crate) fn address_from_wc(a: &wire::Address) -> Option<Address> {
    let out = Address {
        line1: non_empty(&a.address_1),
        line2: non_empty(&a.address_2),
        city: non_empty(&a.city),
        state: non_empty(&a.state),
        postcode: non_empty(&a.postcode),
        country_code: non_empty(&a.country),
        phone: non_empty(&a.phone),
    };
    (out != Address::default()).then_some(out)
}

/// Billing and shipping blocks for a customer or an order. The customer's phone is the billing
/// phone (WooCommerce keeps the phone there); names, company and email repeat in the address as
/// WooCommerce shows them on invoices.
pub(crate) fn contact_blocks(c: &Customer) -> (Map<String, Value>, Map<String, Value>) {
    let names = |m: &mut Map<String, Value>| {
        m.insert("first_name".into(), json!(c.first_name.clone().unwrap_or_default()));
        m.insert("last_name".into(), json!(c.last_name.clone().unwrap_or_default()));
        m.insert("company".into(), json!(c.company.clone().unwrap_or_default()));
    };
    let mut billing = address_to_wc(&c.billing.clone().unwrap_or_default(), true);
    names(&mut billing);
    billing.insert("email".into(), json!(c.email.clone().unwrap_or_default()));
    billing.insert("phone".into(), json!(c.phone.clone().unwrap_or_default()));
    let mut shipping = address_to_wc(&c.shipping.clone().unwrap_or_default(), c.shipping.is_some());
    names(&mut shipping);
    (billing, shipping)
}

/// POS customer -> WooCommerce customer body. WooCommerce requires the email (002:62).
pub fn customer_to_wc(c: &Customer) -> Result<Value, MappingError> {
    let email = c.email.as_deref().and_then(non_empty).ok_or(MappingError::MissingRequiredField {
        entity: "customer",
        field: "email",
        required_by: "WooCommerce",
    })?;
    if !email.contains('@') {
        return Err(MappingError::InvalidValue {
            field: "email".into(),
            value: email,
            reason: "an email address needs an @".into(),
        });
    }
    let (billing, shipping) = contact_blocks(c);
    let mut m = Map::new();
    m.insert("email".into(), json!(email));
    m.insert("first_name".into(), json!(c.first_name.clone().unwrap_or_default()));
    m.insert("last_name".into(), json!(c.last_name.clone().unwrap_or_default()));
    m.insert("billing".into(), Value::Object(billing));
    m.insert("shipping".into(), Value::Object(shipping));
    // Always sent, so removing the group on the POS clears it in WooCommerce too.
    m.insert("meta_data".into(), json!([{ "key": CUSTOMER_GROUP_META, "value": c.group.clone().unwrap_or_default() }]));
    Ok(Value::Object(m))
}

/// WooCommerce customer -> POS customer. The POS requires first and last name (003:10, 002:62);
/// guests often only fill the billing names, which count.
pub fn customer_from_wc(v: &Value, ctx: &WooContext) -> Result<Customer, MappingError> {
    let w: wire::Customer = serde::Deserialize::deserialize(v)
        .map_err(|source| MappingError::InvalidJson { entity: "customer", source })?;
    let first = non_empty(&w.first_name).or_else(|| non_empty(&w.billing.first_name));
    let last = non_empty(&w.last_name).or_else(|| non_empty(&w.billing.last_name));
    let missing = |field| MappingError::MissingRequiredField { entity: "customer", field, required_by: "the POS" };
    let first = first.ok_or_else(|| missing("first name"))?;
    let last = last.ok_or_else(|| missing("last name"))?;
    let mut billing = w.billing.clone();
    billing.phone.clear();
    Ok(Customer {
        id: ctx.customers.get(&w.id).cloned(),
        first_name: Some(first),
        last_name: Some(last),
        email: non_empty(&w.email).or_else(|| non_empty(&w.billing.email)),
        phone: non_empty(&w.billing.phone),
        company: non_empty(&w.billing.company),
        group: wire::meta_text(&w.meta_data, CUSTOMER_GROUP_META),
        billing: address_from_wc(&billing).map(|mut a| {
            a.phone = non_empty(&w.billing.phone);
            a
        }),
        shipping: address_from_wc(&w.shipping),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use posbridge_domain::model::PosId;

    fn jane() -> Customer {
        Customer {
            id: None,
            first_name: Some("Jane".into()),
            last_name: Some("Doe".into()),
            email: Some("jane@example.com".into()),
            phone: Some("0400 000 000".into()),
            company: Some("Doe Pty".into()),
            group: Some("Wholesale".into()),
            billing: Some(Address {
                line1: Some("1 Main St".into()),
                city: Some("Sydney".into()),
                postcode: Some("2000".into()),
                country_code: Some("AU".into()),
                phone: Some("0400 000 000".into()),
                ..Address::default()
            }),
            shipping: None,
        }
    }

    #[test]
    fn required_fields_per_side_give_a_clear_skip_reason() {
        // 002_c48eda06497ecdd2.txt:62 ("Hike only requires first name & last name, Woo requires
        // email only") and 003_babb2ce2d7f6df2c.txt:10-12.
        let no_email = Customer { email: None, ..jane() };
        let e = customer_to_wc(&no_email).unwrap_err();
        assert_eq!(e.code(), "missing_required_field");
        assert!(e.to_string().contains("email") && e.to_string().contains("WooCommerce"), "{e}");
        // WooCommerce needs nothing but the email: no names is fine there.
        assert!(customer_to_wc(&Customer { first_name: None, last_name: None, ..jane() }).is_ok());

        for (doc, body, missing) in [
            ("002:62 no last name", json!({ "id": 5, "email": "a@b.c", "first_name": "A" }), Some("last name")),
            ("002:62 no first name", json!({ "id": 5, "email": "a@b.c", "last_name": "B" }), Some("first name")),
            (
                "billing names count",
                json!({ "id": 5, "email": "a@b.c", "billing": { "first_name": "A", "last_name": "B" } }),
                None,
            ),
            ("POS does not need the email", json!({ "id": 5, "email": "", "first_name": "A", "last_name": "B" }), None),
        ] {
            match (customer_from_wc(&body, &WooContext::default()), missing) {
                (Ok(_), None) => {}
                (Err(e), Some(f)) => assert!(e.to_string().contains(f) && e.to_string().contains("POS"), "{doc}: {e}"),
                (r, m) => panic!("{doc}: {r:?} but expected missing {m:?}"),
            }
        }
    }

    #[test]
    fn customer_groups_travel_in_meta() {
        // 000_a48442fb2bf98236.txt:9: customer profiles including customer groups.
        let w = customer_to_wc(&jane()).unwrap();
        assert_eq!(w["meta_data"], json!([{ "key": CUSTOMER_GROUP_META, "value": "Wholesale" }]));
        let back = customer_from_wc(&w, &WooContext::default()).unwrap();
        assert_eq!(back.group.as_deref(), Some("Wholesale"));
    }

    #[test]
    fn reads_the_reference_customer_and_links_it() {
        let body = json!({
            "id": 25, "email": "john.doe@example.com", "first_name": "John", "last_name": "Doe", "role": "customer",
            "username": "john.doe", "billing": { "first_name": "John", "last_name": "Doe", "company": "",
            "address_1": "969 Market", "address_2": "", "city": "San Francisco", "state": "CA", "postcode": "94103",
            "country": "US", "email": "john.doe@example.com", "phone": "(555) 555-5555" },
            "shipping": { "first_name": "John", "last_name": "Doe", "company": "", "address_1": "969 Market",
            "address_2": "", "city": "San Francisco", "state": "CA", "postcode": "94103", "country": "US" },
            "is_paying_customer": false, "avatar_url": "https://secure.gravatar.com/avatar/?s=96", "meta_data": []
        });
        let pos = PosId::parse("c-1").unwrap();
        let ctx = WooContext { customers: [(25, pos.clone())].into(), ..WooContext::default() };
        let c = customer_from_wc(&body, &ctx).unwrap();
        assert_eq!(c.id, Some(pos));
        assert_eq!(c.phone.as_deref(), Some("(555) 555-5555"));
        assert_eq!(c.billing.as_ref().unwrap().line1.as_deref(), Some("969 Market"));
        assert_eq!(c.shipping.as_ref().unwrap().phone, None);
        assert_eq!(c.company, None);
        assert_eq!(c.group, None);
    }
}

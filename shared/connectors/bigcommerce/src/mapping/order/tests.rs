//! Order mapping tests. `001` is `001_0c79d532016484cd.txt`, `003` is `003_babb2ce2d7f6df2c.txt`;
//! status names are PLATFORM-FACTS §1.3.

use posbridge_domain::model::{MappingOptions, TaxRate};
use proptest::prelude::*;

use super::*;
use crate::mapping::fixtures::*;

fn links() -> OrderLinks {
    OrderLinks {
        customers: BTreeMap::from([(41, pos("cust-jane"))]),
        items: BTreeMap::from([((111, 0), pos("mug")), ((112, 301), pos("tee-s-red")), ((112, 302), pos("tee-m-red"))]),
        bc_customers: BTreeMap::from([(pos("cust-jane"), 41)]),
        bc_items: BTreeMap::from([
            (pos("mug"), (111, 0)),
            (pos("tee-s-red"), (112, 301)),
            (pos("tee-m-red"), (112, 302)),
        ]),
        composites: BTreeSet::from([pos("gift-box")]),
    }
}

fn read(order: &Value) -> Result<Mapped<Sale>, MappingError> {
    order_from_bc(order, &bc_order_products(), &bc_shipping_addresses(), &[], &opts(), &bc(), &links())
}

/// BigCommerce -> POS statuses. Columns: cite, status id (name), POS status or error code.
#[test]
fn status_table_bigcommerce_to_pos() {
    use SaleStatus::*;
    let rows: [(&str, u64, Result<SaleStatus, &str>); 16] = [
        ("001:199 Incomplete = draft, never synced", 0, Err("draft_order")),
        ("README decision: Pending waits as parked", 1, Ok(Parked)),
        ("003:25-26 Shipped -> completed", 2, Ok(Completed)),
        ("README decision: Partially Shipped -> parked", 3, Ok(Parked)),
        ("issue: Refunded -> refunded", 4, Ok(Refunded)),
        ("003:35 Cancelled -> cancelled", 5, Ok(Cancelled)),
        ("README decision: Declined -> cancelled", 6, Ok(Cancelled)),
        ("README decision: Awaiting Payment -> parked", 7, Ok(Parked)),
        ("README decision: Awaiting Pickup -> parked", 8, Ok(Parked)),
        ("README decision: Awaiting Shipment -> parked", 9, Ok(Parked)),
        ("003:25 Completed -> completed", 10, Ok(Completed)),
        ("003:21-23 Awaiting Fulfillment -> parked (001:93)", 11, Ok(Parked)),
        ("README decision: Manual Verification Required -> parked", 12, Ok(Parked)),
        ("README decision: Disputed -> parked", 13, Ok(Parked)),
        ("issue: Partially Refunded -> completed + separate refunded sales", 14, Ok(Completed)),
        ("PF §1.3: ids are 0-14", 15, Err("bad_platform_data")),
    ];
    for (cite, id, want) in rows {
        let got = status_from_bc(id).map_err(|e| e.code());
        assert_eq!(got, want, "{cite}");
    }
}

/// POS -> BigCommerce statuses.
#[test]
fn status_table_pos_to_bigcommerce() {
    use SaleStatus::*;
    let rows: [(&str, SaleStatus, u64); 8] = [
        ("001:93 parked online order = Awaiting Fulfillment", Parked, 11),
        ("001:93 marked complete in the POS -> Completed", Completed, 10),
        ("003:29 layby -> pending", Layby, 1),
        ("003:33 on account -> pending", OnAccount, 1),
        ("003:29-33 pending", Pending, 1),
        ("003:35 void -> cancelled", Voided, 5),
        ("003:35 cancelled", Cancelled, 5),
        ("issue: refunded", Refunded, 4),
    ];
    for (cite, s, id) in rows {
        assert_eq!(status_to_bc(s), id, "{cite}");
        assert_eq!(order_status_body(s), json!({ "status_id": id }), "{cite}");
    }
}

#[test]
fn reads_an_order_into_a_sale() {
    let r = read(&bc_order(11)).unwrap();
    let s = &r.value;
    assert_eq!(s.status, SaleStatus::Parked, "001:93 an online order arrives parked");
    assert_eq!(s.platform_id.as_ref().map(|p| p.as_str()), Some("100"));
    assert_eq!(s.customer_id, Some(pos("cust-jane")));
    assert_eq!(s.outlet_id, Some(pos("outlet-web")), "001:89-91 orders link with the selected outlet");
    assert_eq!(s.register_id, Some(pos("register-web")), "001:162-166 payments go to the chosen register");
    assert_eq!(s.created_at, 1_515_618_330);
    assert_eq!(s.total_inc_tax, m("77"));
    assert_eq!(s.total_tax, m("7"));
    assert_eq!(s.note.as_deref(), Some("Leave at door"));
    assert_eq!(s.lines.len(), 3);
    let mug = &s.lines[0];
    assert_eq!(
        (mug.product_id.clone(), mug.quantity, mug.unit_price_inc_tax, mug.unit_price_ex_tax),
        (Some(pos("mug")), Quantity::units(2), m("11"), m("10"))
    );
    assert_eq!(s.lines[1].product_id, Some(pos("tee-s-red")), "variant lines link to the variant");
    assert!(r.warnings.is_empty());
}

#[test]
fn shipping_charge_is_an_extra_line() {
    // 001:359-362: an extra line; its tax follows the POS's general tax setting; the total is kept.
    let s = read(&bc_order(10)).unwrap().value;
    let ship = s.lines.last().unwrap();
    assert_eq!(ship.name, SHIPPING_LINE_NAME);
    assert_eq!((ship.product_id.clone(), ship.sku.clone(), ship.quantity), (None, None, Quantity::units(1)));
    assert_eq!(ship.unit_price_inc_tax, m("11"), "the total of the shipping charge");
    assert_eq!(ship.unit_price_ex_tax, m("10"), "ex tax at the POS default rate (10 %)");
    let o = MappingOptions { default_tax_rate: TaxRate(0), ..opts() };
    let s0 = order_from_bc(&bc_order(10), &bc_order_products(), &[], &[], &o, &bc(), &links()).unwrap().value;
    assert_eq!(s0.lines.last().unwrap().unit_price_ex_tax, m("11"), "a tax-free POS setting keeps it whole");
    let info = s.shipping.unwrap();
    assert_eq!(info.method, "Flat Rate");
    assert_eq!(info.address.and_then(|a| a.postcode), Some("77001".into()));
    let mut free = bc_order(10);
    free["shipping_cost_inc_tax"] = json!("0.0000");
    free["shipping_cost_ex_tax"] = json!("0.0000");
    free["total_inc_tax"] = json!("66.0000");
    let s = order_from_bc(&free, &bc_order_products(), &[], &[], &opts(), &bc(), &links()).unwrap().value;
    assert!(s.lines.iter().all(|l| l.name != SHIPPING_LINE_NAME), "no charge, no line");
}

/// 001:110-116 and 001:341-344: payments show as "BigCommerce" unless mapped one by one.
#[test]
fn payment_labels() {
    let mapped = MappingOptions { payment_map: BTreeMap::from([("credit card".into(), "Card".into())]), ..opts() };
    let rows: [(&str, &MappingOptions, &str, &str); 4] = [
        ("001:112 all payments as BigCommerce", &opts(), "Credit Card", "BigCommerce"),
        ("001:344 whatever the payment type", &opts(), "Cash on Delivery", "BigCommerce"),
        ("001:116 mapped card with card", &mapped, "Credit Card", "Card"),
        ("001:116 unmapped methods keep the platform label", &mapped, "PayPal", "BigCommerce"),
    ];
    for (cite, o, method, want) in rows {
        assert_eq!(payment_label(method, o), want, "{cite}");
    }
    let s = read(&bc_order(10)).unwrap().value;
    assert_eq!(s.payments, vec![Payment { method: "BigCommerce".into(), amount: m("77"), reference: None }]);
    let unpaid = read(&bc_order(7)).unwrap().value;
    assert!(unpaid.payments.is_empty(), "Awaiting Payment carries no payment");
}

#[test]
fn drafts_and_orders_before_activation_do_not_sync() {
    // 001:199 drafts; 001:200 only sales after the integration.
    let e = read(&bc_order(0)).unwrap_err();
    assert_eq!(e, MappingError::DraftOrder);
    assert!(e.is_skip());
    let later = BcOptions { activated_at: Some(1_600_000_000), ..bc() };
    let e = order_from_bc(&bc_order(11), &bc_order_products(), &[], &[], &opts(), &later, &links()).unwrap_err();
    assert_eq!(e, MappingError::OrderBeforeActivation);
    let earlier = BcOptions { activated_at: Some(1_500_000_000), ..bc() };
    assert!(order_from_bc(&bc_order(11), &bc_order_products(), &[], &[], &opts(), &earlier, &links()).is_ok());
}

#[test]
fn orders_wait_for_their_products_and_customer() {
    // 001:198: with any un-synced product or customer, the full order does not sync.
    let mut l = links();
    l.items.remove(&(112, 301));
    let e = order_from_bc(&bc_order(11), &bc_order_products(), &[], &[], &opts(), &bc(), &l).unwrap_err();
    assert_eq!(e, MappingError::NotLinked { entity: "product", key: "TEE-S-RED".into() });
    assert!(e.is_retryable());
    let mut l = links();
    l.customers.clear();
    assert_eq!(
        order_from_bc(&bc_order(11), &bc_order_products(), &[], &[], &opts(), &bc(), &l).unwrap_err().code(),
        "not_linked"
    );
    let mut guest = bc_order(11);
    guest["customer_id"] = json!(0);
    assert_eq!(read(&guest).unwrap().value.customer_id, None, "guest checkout");
}

#[test]
fn orders_with_non_sku_products_follow_the_sku_preference() {
    // 001:276 "Do not sync non-SKU products and their sales orders".
    let mut products = bc_order_products();
    products[0]["sku"] = json!("");
    let skip = MappingOptions { sku_policy: SkuPolicy::SkipWithoutSku, ..opts() };
    let e = order_from_bc(&bc_order(11), &products, &[], &[], &skip, &bc(), &links()).unwrap_err();
    assert_eq!(e.code(), "missing_sku");
    assert!(order_from_bc(&bc_order(11), &products, &[], &[], &opts(), &bc(), &links()).is_ok(), "001:272");
}

#[test]
fn discounts_and_handling_keep_the_sale_adding_up() {
    // 001:24: discount offers do not sync; the amount paid still has to match.
    let mut o = bc_order(10);
    o["discount_amount"] = json!("5.0000");
    o["total_inc_tax"] = json!("72.0000");
    let s = read(&o).unwrap().value;
    let d = s.lines.last().unwrap();
    assert_eq!((d.name.as_str(), d.unit_price_inc_tax), (DISCOUNT_LINE_NAME, m("-5")));
    let sum = s.lines.iter().fold(Money::ZERO, |a, l| a.checked_add(l.unit_price_inc_tax.times(l.quantity)).unwrap());
    assert_eq!(sum, s.total_inc_tax);
    o["total_inc_tax"] = json!("80.0000");
    let s = read(&o).unwrap().value;
    assert_eq!(s.lines.last().unwrap().name, HANDLING_LINE_NAME);
}

#[test]
fn gift_certificates_and_store_credit_are_not_synced() {
    // 001:24 gift cards and loyalty do not sync; the order still does, paid as "BigCommerce".
    let mut o = bc_order(10);
    o["gift_certificate_amount"] = json!("20.0000");
    o["store_credit_amount"] = json!("5.0000");
    let r = read(&o).unwrap();
    assert_eq!(
        r.warnings,
        vec![
            MappingWarning::NotSynced { what: "gift certificate" },
            MappingWarning::NotSynced { what: "store credit" },
        ]
    );
    assert_eq!(r.value.payments[0].amount, m("77"));
}

#[test]
fn partial_refunds_become_separate_refunded_sales() {
    let mut o = bc_order(14);
    o["refunded_amount"] = json!("22.0000");
    let refund = json!({ "id": 8, "order_id": 100, "reason": "Broken", "total_amount": 22.0,
        "items": [{ "item_type": "PRODUCT", "item_id": 501, "quantity": 2, "requested_amount": 0 }] });
    let s = order_from_bc(&o, &bc_order_products(), &[], &[refund], &opts(), &bc(), &links()).unwrap().value;
    assert_eq!(s.status, SaleStatus::Completed, "the sale itself stands");
    assert_eq!(s.refunds.len(), 1);
    let r = &s.refunds[0];
    assert_eq!((r.id.as_deref(), r.amount, r.reason.as_deref()), (Some("8"), m("22"), Some("Broken")));
    assert_eq!(r.lines[0].quantity, Quantity::units(2));

    let rs = refund_as_sale(&s, r).unwrap();
    assert_eq!(rs.status, SaleStatus::Refunded);
    assert_eq!(rs.platform_id.as_ref().map(|p| p.as_str()), Some("100:refund:8"));
    assert_eq!(rs.number.as_deref(), Some("100-R8"));
    assert_eq!(rs.lines[0].quantity, Quantity::units(-2));
    assert_eq!(rs.total_inc_tax, m("-22"));
    assert_eq!(rs.total_tax, m("-2"));
    assert_eq!(
        rs.payments,
        vec![Payment { method: "BigCommerce".into(), amount: m("-22"), reference: Some("8".into()) }]
    );
    assert_eq!(refund_as_sale(&s, r).unwrap(), rs, "same refund, same sale (idempotent)");

    // Without the refund records, the order lines still say what was refunded.
    let mut products = bc_order_products();
    products[1]["quantity_refunded"] = json!(1);
    o["refunded_amount"] = json!("44.0000");
    let s = order_from_bc(&o, &products, &[], &[], &opts(), &bc(), &links()).unwrap().value;
    assert_eq!(s.refunds[0].id.as_deref(), Some("100-refunded"));
    assert_eq!(s.refunds[0].lines[0].sku.as_ref().map(|x| x.as_str()), Some("TEE-S-RED"));
}

#[test]
fn fully_refunded_orders_read_as_refunded() {
    let s = read(&bc_order(4)).unwrap().value;
    assert_eq!(s.status, SaleStatus::Refunded);
}

fn pos_sale() -> Sale {
    let line = |id: &str, sku: &str, q: i64, inc: &str, ex: &str| SaleLine {
        product_id: Some(pos(id)),
        sku: Some(Sku::parse(sku).unwrap()),
        name: sku.into(),
        quantity: Quantity::units(q),
        unit_price_inc_tax: m(inc),
        unit_price_ex_tax: m(ex),
        serial_numbers: vec![],
    };
    Sale {
        id: Some(pos("sale-1")),
        platform_id: None,
        number: Some("S-1".into()),
        status: SaleStatus::Completed,
        customer_id: Some(pos("cust-jane")),
        outlet_id: Some(pos("outlet-shop")),
        register_id: None,
        lines: vec![line("mug", "MUG-1", 2, "11", "10"), line("tee-s-red", "TEE-S-RED", 1, "44", "40")],
        shipping: None,
        payments: vec![Payment { method: "Cash".into(), amount: m("66"), reference: None }],
        refunds: vec![],
        total_inc_tax: m("66"),
        total_tax: m("6"),
        note: Some("gift wrap".into()),
        created_at: 1_515_618_330,
    }
}

#[test]
fn writes_an_order_for_a_pos_sale() {
    // 001:242-247: POS sales of every outlet sync to BigCommerce.
    let jane = customer_from_jane();
    let b = order_to_bc(&pos_sale(), Some(&jane), &bc(), &links()).unwrap().value;
    assert_eq!(b["status_id"], 10);
    assert_eq!(b["customer_id"], 41);
    assert_eq!(b["date_created"], "Wed, 10 Jan 2018 21:05:30 +0000");
    assert_eq!(
        b["products"][0],
        json!({ "product_id": 111, "quantity": 2, "price_inc_tax": 11.0, "price_ex_tax": 10.0 })
    );
    assert_eq!(b["products"][1]["variant_id"], 301);
    assert_eq!(b["billing_address"]["zip"], "78751");
    assert_eq!(b["billing_address"]["email"], "jane@example.com");
    assert_eq!(b["external_order_id"], "S-1");
    assert_eq!(b["payment_method"], "Cash");
    assert_eq!(b["staff_notes"], "gift wrap");
}

fn customer_from_jane() -> Customer {
    crate::mapping::customer_from_bc(&bc_customer(), &lookups()).unwrap().value
}

#[test]
fn walk_in_sales_use_the_fallback_billing_address() {
    let mut s = pos_sale();
    s.customer_id = None;
    let b = order_to_bc(&s, None, &bc(), &links()).unwrap().value;
    assert_eq!(b["customer_id"], 0);
    assert_eq!(b["billing_address"]["zip"], "2000");
    assert_eq!(b["billing_address"]["first_name"], "Walk-in");
    let none = BcOptions { fallback_billing: Address::default(), ..bc() };
    let e = order_to_bc(&s, None, &none, &links()).unwrap_err();
    assert_eq!(e, MappingError::MissingRequiredField { record: "order billing address", field: "ZIP code" });
}

#[test]
fn fractional_quantities_are_flagged_not_rounded() {
    // 001:227: BigCommerce does not support fraction sales.
    let mut s = pos_sale();
    s.lines[0].quantity = Quantity::parse("1.5").unwrap();
    let e = order_to_bc(&s, None, &bc(), &links()).unwrap_err();
    assert_eq!(e, MappingError::FractionalQuantity { what: "MUG-1".into(), quantity: "1.5".into() });
}

#[test]
fn exchanges_cannot_be_sent() {
    // 001:248: exchanges in the POS cannot sync (API limitation).
    let mut s = pos_sale();
    s.lines[1].quantity = Quantity::units(-1);
    assert_eq!(order_to_bc(&s, None, &bc(), &links()).unwrap_err(), MappingError::ExchangeNotSynced);
    let mut refund_only = pos_sale();
    for l in &mut refund_only.lines {
        l.quantity = -l.quantity;
    }
    assert_eq!(order_to_bc(&refund_only, None, &bc(), &links()).unwrap_err().code(), "not_accepted_by_platform");
}

#[test]
fn products_must_be_in_bigcommerce_before_the_sale() {
    // 001:246: the sale's products must already be synced with BigCommerce.
    let mut l = links();
    l.bc_items.remove(&pos("mug"));
    let e = order_to_bc(&pos_sale(), None, &bc(), &l).unwrap_err();
    assert_eq!(e, MappingError::NotLinked { entity: "product", key: "MUG-1".into() });
}

#[test]
fn composite_lines_go_as_custom_lines() {
    // 001:238: the composite is not in BigCommerce; the line still carries its price.
    let mut s = pos_sale();
    s.lines[0].product_id = Some(pos("gift-box"));
    s.lines[0].sku = Some(Sku::parse("BOX").unwrap());
    s.lines[0].name = "Gift box".into();
    let b = order_to_bc(&s, None, &bc(), &links()).unwrap().value;
    assert_eq!(
        b["products"][0],
        json!({ "name": "Gift box", "sku": "BOX", "quantity": 2, "price_inc_tax": 11.0, "price_ex_tax": 10.0 })
    );
}

#[test]
fn charge_lines_go_back_to_their_order_fields() {
    let mut s = pos_sale();
    s.lines.push(SaleLine {
        product_id: None,
        sku: None,
        name: SHIPPING_LINE_NAME.into(),
        quantity: Quantity::units(1),
        unit_price_inc_tax: m("11"),
        unit_price_ex_tax: m("10"),
        serial_numbers: vec![],
    });
    s.lines.push(SaleLine {
        product_id: None,
        sku: None,
        name: DISCOUNT_LINE_NAME.into(),
        quantity: Quantity::units(1),
        unit_price_inc_tax: m("-5"),
        unit_price_ex_tax: m("-4.5455"),
        serial_numbers: vec![],
    });
    let b = order_to_bc(&s, None, &bc(), &links()).unwrap().value;
    assert_eq!(b["products"].as_array().unwrap().len(), 2);
    assert_eq!(
        (b["shipping_cost_inc_tax"].clone(), b["shipping_cost_ex_tax"].clone()),
        (json!("11.0000"), json!("10.0000"))
    );
    assert_eq!(b["discount_amount"], "5.0000");
}

#[test]
fn pos_refunds_become_bigcommerce_refunds() {
    let refund = Refund {
        id: None,
        amount: m("55"),
        lines: vec![
            SaleLine {
                product_id: Some(pos("tee-s-red")),
                sku: Some(Sku::parse("tee-s-red").unwrap()),
                name: "Tee".into(),
                quantity: Quantity::units(-1),
                unit_price_inc_tax: m("44"),
                unit_price_ex_tax: m("40"),
                serial_numbers: vec![],
            },
            SaleLine {
                product_id: None,
                sku: None,
                name: SHIPPING_LINE_NAME.into(),
                quantity: Quantity::units(1),
                unit_price_inc_tax: m("11"),
                unit_price_ex_tax: m("10"),
                serial_numbers: vec![],
            },
        ],
        reason: None,
    };
    let b = refund_to_bc(&refund, &bc_order_products()).unwrap();
    assert_eq!(
        b["items"],
        json!([{ "item_type": "PRODUCT", "item_id": 502, "quantity": 1 },
                                  { "item_type": "SHIPPING", "item_id": 7, "amount": 11.0 }])
    );
    assert_eq!(b["payments"], json!([{ "provider_id": "custom", "amount": 55.0, "offline": true }]));
    let mut too_many = refund.clone();
    too_many.lines[0].quantity = Quantity::units(-2);
    assert_eq!(refund_to_bc(&too_many, &bc_order_products()).unwrap_err().code(), "not_linked", "only 1 was sold");
    let mut frac = refund;
    frac.lines[0].quantity = Quantity::parse("-0.5").unwrap();
    assert_eq!(refund_to_bc(&frac, &bc_order_products()).unwrap_err().code(), "fractional_quantity");
}

// ---------------------------------------------------------------------------------------------
// Round trip: POS sale -> order body -> what BigCommerce answers -> POS sale
// ---------------------------------------------------------------------------------------------

/// BigCommerce's SKU for each linked item (the emulator fills `sku` from the catalog).
fn bc_sku(item: (u64, u64)) -> &'static str {
    match item {
        (111, _) => "MUG-1",
        (112, 301) => "TEE-S-RED",
        _ => "TEE-M-RED",
    }
}

/// Modelled on the emulator's `orders::create_core` + `render_order`/`render_order_product`.
fn bigcommerce_answer(body: &Value) -> (Value, Vec<Value>) {
    let t = |v: &Value| Money::parse(v.to_string().trim_matches('"')).unwrap_or(Money::ZERO);
    let mut products = Vec::new();
    let (mut inc, mut ex) = (Money::ZERO, Money::ZERO);
    for (i, l) in body["products"].as_array().unwrap().iter().enumerate() {
        let q = l["quantity"].as_i64().unwrap();
        let (pi, pe) = (t(&l["price_inc_tax"]), t(&l["price_ex_tax"]));
        inc = inc.checked_add(pi.times(Quantity::units(q))).unwrap();
        ex = ex.checked_add(pe.times(Quantity::units(q))).unwrap();
        let pid = l.get("product_id").and_then(Value::as_u64).unwrap_or(0);
        let vid = l.get("variant_id").and_then(Value::as_u64).unwrap_or(if pid == 111 { 201 } else { 0 });
        // Catalog lines take the catalog's SKU and name (in these fixtures the name is the SKU).
        let (sku, name) = match pid {
            0 => (l.get("sku").cloned().unwrap_or(json!("")), l["name"].clone()),
            _ => (json!(bc_sku((pid, vid))), json!(bc_sku((pid, vid)))),
        };
        products.push(json!({ "id": 900 + i, "product_id": pid, "variant_id": vid, "name": name,
            "sku": sku, "quantity": q, "price_inc_tax": pi.to_4dp(), "price_ex_tax": pe.to_4dp(), "quantity_refunded": 0 }));
    }
    let si = body.get("shipping_cost_inc_tax").map(t).unwrap_or(Money::ZERO);
    let se = body.get("shipping_cost_ex_tax").map(t).unwrap_or(Money::ZERO);
    let d = body.get("discount_amount").map(t).unwrap_or(Money::ZERO);
    let total_inc = inc.checked_add(si).unwrap().checked_sub(d).unwrap();
    let total_ex = ex.checked_add(se).unwrap().checked_sub(d).unwrap();
    let order = json!({
        "id": 555, "status_id": body["status_id"], "customer_id": body["customer_id"], "date_created": body["date_created"],
        "shipping_cost_inc_tax": si.to_4dp(), "shipping_cost_ex_tax": se.to_4dp(), "total_inc_tax": total_inc.to_4dp(),
        "total_ex_tax": total_ex.to_4dp(), "total_tax": total_inc.checked_sub(total_ex).unwrap().to_4dp(),
        "payment_method": body.get("payment_method").cloned().unwrap_or(json!("")), "refunded_amount": "0.0000",
        "discount_amount": d.to_4dp(), "staff_notes": body.get("staff_notes").cloned().unwrap_or(json!("")),
        "customer_message": "", "billing_address": body["billing_address"],
    });
    (order, products)
}

fn money_s() -> impl Strategy<Value = Money> {
    (1i64..10_000_000).prop_map(|t| money_tt(t * 100))
}

prop_compose! {
    fn line_s()(item in prop::sample::select(vec![("mug", "MUG-1"), ("tee-s-red", "TEE-S-RED"), ("tee-m-red", "TEE-M-RED")]),
                q in 1i64..20, ex in money_s(), tax in 0i64..100_000) -> SaleLine {
        SaleLine { product_id: Some(pos(item.0)), sku: Some(Sku::parse(item.1).unwrap()), name: item.1.into(),
                   quantity: Quantity::units(q), unit_price_ex_tax: ex,
                   unit_price_inc_tax: ex.checked_add(money_tt(tax * 100)).unwrap(), serial_numbers: vec![] }
    }
}

prop_compose! {
    fn sale_s()(lines in proptest::collection::vec(line_s(), 1..5), ship in proptest::option::of(money_s()),
                status in prop::sample::select(vec![SaleStatus::Parked, SaleStatus::Completed, SaleStatus::Cancelled]),
                guest in any::<bool>(), created in 1_400_000_000i64..2_000_000_000) -> Sale {
        let mut lines = lines;
        if let Some(s) = ship {
            // The POS shipping line, with ex tax at the default rate as the mapping derives it.
            lines.push(SaleLine { product_id: None, sku: None, name: SHIPPING_LINE_NAME.into(), quantity: Quantity::units(1),
                unit_price_inc_tax: s, unit_price_ex_tax: s.remove_tax(1000), serial_numbers: vec![] });
        }
        let total = lines.iter().fold(Money::ZERO, |a, l| a.checked_add(l.unit_price_inc_tax.times(l.quantity)).unwrap());
        let ex = lines.iter().fold(Money::ZERO, |a, l| a.checked_add(l.unit_price_ex_tax.times(l.quantity)).unwrap());
        Sale { id: None, platform_id: None, number: None, status, customer_id: (!guest).then(|| pos("cust-jane")),
               outlet_id: None, register_id: None, lines, shipping: None, payments: vec![], refunds: vec![],
               total_inc_tax: total, total_tax: total.checked_sub(ex).unwrap(), note: None, created_at: created }
    }
}

proptest! {
    /// Lines, quantities, unit prices, the shipping line, status, customer, totals and date survive.
    #[test]
    fn order_round_trip(sale in sale_s()) {
        let body = order_to_bc(&sale, None, &bc(), &links()).unwrap().value;
        let (order, products) = bigcommerce_answer(&body);
        let back = order_from_bc(&order, &products, &[], &[], &opts(), &bc(), &links()).unwrap().value;
        prop_assert_eq!(&back.lines, &sale.lines);
        prop_assert_eq!(back.status, sale.status);
        prop_assert_eq!(&back.customer_id, &sale.customer_id);
        prop_assert_eq!(back.total_inc_tax, sale.total_inc_tax);
        prop_assert_eq!(back.total_tax, sale.total_tax);
        prop_assert_eq!(back.created_at, sale.created_at);
    }

    /// Every status id maps, and the statuses the POS sends read back as themselves.
    #[test]
    fn status_round_trip(s in prop::sample::select(vec![SaleStatus::Parked, SaleStatus::Completed, SaleStatus::Cancelled, SaleStatus::Refunded])) {
        prop_assert_eq!(status_from_bc(status_to_bc(s)).unwrap(), s);
    }
}

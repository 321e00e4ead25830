//! Property tests: canonical -> WooCommerce -> canonical keeps every field posbridge owns.
//!
//! "WooCommerce" in between is [`echo_product`]/[`echo_order`]: the body posbridge sends, plus
//! what WooCommerce adds when it stores it (ids, term names, line names and SKUs, totals). Taxes
//! are WooCommerce's own calculation, so the order echo charges none and order lines are compared
//! on their ex-tax prices; payment labels and refunds are one-way by design (002:40-44).

use std::collections::BTreeMap;

use posbridge_domain::model::{
    Address, Barcode, Customer, MappingOptions, Money, OutletStock, PosId, Prices, Product, ProductKind, Quantity,
    Sale, SaleLine, SaleStatus, Shipping, Sku, TaxRate, Variant,
};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

const OUTLET: &str = "outlet-1";

fn ctx() -> WooContext {
    let items = (0..4u64).map(|i| LinkedItem {
        pos_id: PosId::parse(format!("p-{i}")).unwrap(),
        sku: Some(Sku::parse(format!("SKU-{i}")).unwrap()),
        wc_product_id: 100 + i,
        wc_variation_id: if i % 2 == 1 { 200 + i } else { 0 },
    });
    WooContext {
        inventory_outlets: vec![PosId::parse(OUTLET).unwrap()],
        invoice_outlet: Some(PosId::parse("web").unwrap()),
        payments_register: Some(PosId::parse("web-reg").unwrap()),
        weight_unit: WeightUnit::Kg,
        categories: TermIds::from([("Mugs", 9), ("Shirts", 10)]),
        tags: TermIds::from([("gift", 33), ("sale", 34)]),
        brands: Some(TermIds::from([("Acme", 70)])),
        products: items.collect(),
        customers: BTreeMap::from([(7, PosId::parse("c-7").unwrap())]),
    }
}

fn money_tt(tt: i64) -> Money {
    Money::parse(&format!("{}.{:04}", tt / 10_000, tt % 10_000)).unwrap()
}

fn cents() -> impl Strategy<Value = Money> {
    (0i64..10_000_000).prop_map(Money::from_cents)
}

fn opts() -> impl Strategy<Value = MappingOptions> {
    (any::<bool>(), prop::sample::select(vec![0u32, 1000, 1500])).prop_map(|(inc, rate)| MappingOptions {
        prices_include_tax: inc,
        default_tax_rate: TaxRate(rate),
        ..MappingOptions::default()
    })
}

/// Prices as the merchant enters them (cents) with the other retail price derived the same way
/// WooCommerce's side will derive it.
fn prices(o: &MappingOptions) -> impl Strategy<Value = Prices> + use<> {
    let (inc, rate) = (o.prices_include_tax, o.default_tax_rate.0);
    (prop::option::of(cents()), prop::option::of(cents()), prop::option::of(0i64..1_000_000_000))
        .prop_map(move |(r, s, c)| prices_from_entered(r, s, c.map(money_tt), inc, rate))
}

fn stock(tracked: bool) -> impl Strategy<Value = Vec<OutletStock>> {
    (-50i64..1000).prop_map(move |q| {
        if tracked {
            vec![OutletStock {
                outlet_id: PosId::parse(OUTLET).unwrap(),
                on_hand: Quantity::units(q),
                visible: true,
                price: None,
            }]
        } else {
            vec![]
        }
    })
}

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9]{0,8}( [A-Za-z0-9]{1,6}){0,2}"
}

fn product() -> impl Strategy<Value = (MappingOptions, Product)> {
    opts().prop_flat_map(|o| {
        let base = (
            text(),
            prop::option::of("[0-9]{8,14}"),
            prop::option::of("<p>[a-z ]{0,20}<b>[a-z]{1,5}</b></p>"),
            any::<bool>(),
            prop::option::of(prop::sample::select(vec!["Mugs", "Shirts"])),
            prop::option::of(Just("Acme")),
            prop::sample::subsequence(vec!["gift", "sale"], 0..=2),
            prop::collection::vec("[a-z]{1,8}", 0..3),
            prop::option::of(0u32..100_000),
        );
        let o2 = o.clone();
        (Just(o), base, any::<bool>(), prop::option::of("[A-Z0-9]{1,10}")).prop_flat_map(
            move |(o, (name, barcode, desc, tracked, category, brand, tags, images, weight), variable, parent_sku)| {
                let product = Product {
                    id: None,
                    name,
                    sku: parent_sku.map(|s| Sku::parse(s).unwrap()),
                    barcode: barcode.map(|b| Barcode::parse(b).unwrap()),
                    description_html: desc,
                    kind: ProductKind::Simple,
                    variants: vec![],
                    track_inventory: tracked,
                    prices: Prices::default(),
                    category: category.map(str::to_string),
                    brand: brand.map(str::to_string),
                    tags: tags.into_iter().map(str::to_string).collect(),
                    images: images.into_iter().map(|i| format!("https://img.example/{i}.jpg")).collect(),
                    active: true,
                    ecommerce_channel: true,
                    stock: vec![],
                    weight_grams: weight,
                };
                let simple = (prices(&o2), stock(tracked), "[A-Z0-9]{1,10}").prop_map({
                    let product = product.clone();
                    move |(prices, stock, sku)| Product {
                        sku: Some(Sku::parse(sku).unwrap()),
                        prices,
                        stock,
                        ..product.clone()
                    }
                });
                let variant = (prices(&o2), stock(tracked), prop::option::of("[0-9]{8,13}"));
                let variable_strategy = (prop::sample::select(vec![1usize, 2]), prop::collection::vec(variant, 1..4))
                    .prop_map(move |(n_opts, vs)| {
                        let names: Vec<String> = ["Size", "Colour"][..n_opts].iter().map(|s| s.to_string()).collect();
                        let variants = vs
                            .into_iter()
                            .enumerate()
                            .map(|(i, (prices, stock, barcode))| Variant {
                                id: None,
                                sku: Some(Sku::parse(format!("V{i}-X")).unwrap()),
                                barcode: barcode.map(|b| Barcode::parse(b).unwrap()),
                                options: names.iter().map(|n| (n.clone(), format!("{}{i}", &n[..1]))).collect(),
                                prices,
                                stock,
                            })
                            .collect();
                        Product {
                            kind: ProductKind::WithVariants { options: names.clone() },
                            variants,
                            ..product.clone()
                        }
                    });
                let o = o.clone();
                if variable { variable_strategy.boxed() } else { simple.boxed() }.prop_map(move |p| (o.clone(), p))
            },
        )
    })
}

fn term_names(v: &mut Value, field: &str, ids: &TermIds, names: &[&str]) {
    if let Some(arr) = v.get_mut(field).and_then(Value::as_array_mut) {
        for t in arr {
            let id = t["id"].as_u64().unwrap();
            let name = names.iter().find(|n| ids.get(n) == Some(id)).expect("a known term id");
            t["name"] = json!(name);
        }
    }
}

/// What WooCommerce answers after storing a product body.
fn echo_product(body: &Value, id: u64, ctx: &WooContext) -> Value {
    let mut v = body.clone();
    v["id"] = json!(id);
    term_names(&mut v, "categories", &ctx.categories, &["Mugs", "Shirts"]);
    term_names(&mut v, "tags", &ctx.tags, &["gift", "sale"]);
    term_names(&mut v, "brands", ctx.brands.as_ref().unwrap(), &["Acme"]);
    v
}

fn customer() -> impl Strategy<Value = Customer> {
    let address = || {
        (
            text(),
            prop::option::of(text()),
            prop::option::of(text()),
            prop::option::of("[0-9]{4}"),
            prop::option::of("[A-Z]{2}"),
        )
    };
    (
        text(),
        text(),
        "[a-z]{1,8}@[a-z]{1,8}\\.com",
        prop::option::of("[0-9]{2}( [0-9]{3}){0,2}[0-9]{4}"),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(address()),
        prop::option::of((address(), prop::option::of("[0-9]{6,10}"))),
    )
        .prop_map(|(first, last, email, phone, company, group, billing, shipping)| {
            let addr =
                |(l1, l2, city, pc, cc): (String, Option<String>, Option<String>, Option<String>, Option<String>)| {
                    Address {
                        line1: Some(l1),
                        line2: l2,
                        city,
                        state: None,
                        postcode: pc,
                        country_code: cc,
                        phone: None,
                    }
                };
            Customer {
                id: None,
                first_name: Some(first),
                last_name: Some(last),
                email: Some(email),
                phone: phone.clone(),
                company,
                group,
                billing: billing.map(|b| Address { phone: phone.clone(), ..addr(b) }),
                shipping: shipping.map(|(a, p)| Address { phone: p, ..addr(a) }),
            }
        })
}

fn sale() -> impl Strategy<Value = Sale> {
    let line = (0usize..4, 1i64..20, 0i64..100_000, prop::collection::vec("[A-Z0-9]{1,6}", 0..3));
    let fee = ("[a-z]{1,6}", 0i64..10_000);
    let shipping = ("[A-Z][a-z]{2,8}", 0i64..5_000, text(), prop::option::of("[0-9]{6,10}"));
    (
        prop::sample::select(vec![
            SaleStatus::Parked,
            SaleStatus::Completed,
            SaleStatus::Voided,
            SaleStatus::Refunded,
            SaleStatus::Pending,
        ]),
        prop::collection::vec(line, 1..4),
        prop::collection::vec(fee, 0..2),
        prop::option::of(shipping),
        any::<bool>(),
        prop::option::of("[a-z]{1,10}"),
        0i64..2_000_000_000,
        prop::option::of("[a-z0-9]{1,10}"),
    )
        .prop_map(|(status, lines, fees, shipping, with_customer, note, created_at, id)| {
            let mut out: Vec<SaleLine> = lines
                .into_iter()
                .map(|(i, q, c, serials)| SaleLine {
                    product_id: Some(PosId::parse(format!("p-{i}")).unwrap()),
                    sku: Some(Sku::parse(format!("SKU-{i}")).unwrap()),
                    name: format!("Product {i}"),
                    quantity: Quantity::units(q),
                    unit_price_inc_tax: Money::from_cents(c),
                    unit_price_ex_tax: Money::from_cents(c),
                    serial_numbers: serials,
                })
                .collect();
            for (name, c) in fees {
                out.push(fee_line(format!("Fee {name}"), Money::from_cents(c)));
            }
            let shipping = shipping.map(|(method, c, line1, phone)| {
                out.push(fee_line(shipping_line_name(&method), Money::from_cents(c)));
                Shipping {
                    method,
                    amount_inc_tax: Money::from_cents(c),
                    amount_ex_tax: Money::from_cents(c),
                    address: Some(Address { line1: Some(line1), phone, ..Address::default() }),
                }
            });
            let total =
                out.iter().fold(Money::ZERO, |a, l| a.checked_add(l.unit_price_ex_tax.times(l.quantity)).unwrap());
            Sale {
                id: id.map(|s| PosId::parse(s).unwrap()),
                platform_id: None,
                number: None,
                status,
                customer_id: with_customer.then(|| PosId::parse("c-7").unwrap()),
                outlet_id: Some(PosId::parse("web").unwrap()),
                register_id: Some(PosId::parse("web-reg").unwrap()),
                lines: out,
                shipping,
                payments: vec![],
                refunds: vec![],
                total_inc_tax: total,
                total_tax: Money::ZERO,
                note,
                created_at,
            }
        })
}

fn fee_line(name: String, amount: Money) -> SaleLine {
    SaleLine {
        product_id: None,
        sku: None,
        name,
        quantity: Quantity::units(1),
        unit_price_inc_tax: amount,
        unit_price_ex_tax: amount,
        serial_numbers: vec![],
    }
}

/// What WooCommerce answers after storing an order body: ids, line names and SKUs from the linked
/// products, no tax, totals added up.
fn echo_order(body: &Value, id: u64, ctx: &WooContext) -> Value {
    let mut v = body.clone();
    v["id"] = json!(id);
    v["number"] = json!(id.to_string());
    v["date_created_gmt"] = json!("2020-01-01T00:00:00");
    let mut total = Money::ZERO;
    for field in ["line_items", "fee_lines", "shipping_lines"] {
        for l in v.get_mut(field).and_then(Value::as_array_mut).into_iter().flatten() {
            l["total_tax"] = json!("0.00");
            total = total.checked_add(Money::parse(l["total"].as_str().unwrap()).unwrap()).unwrap();
            if field == "line_items" {
                let (p, var) = (l["product_id"].as_u64().unwrap(), l["variation_id"].as_u64().unwrap_or(0));
                let item = ctx.item_by_wc(p, var).unwrap();
                let i = item.pos_id.as_str().trim_start_matches("p-");
                l["name"] = json!(format!("Product {i}"));
                l["sku"] = json!(item.sku.as_ref().unwrap().as_str());
            }
        }
    }
    v["total"] = json!(total.to_2dp());
    v["total_tax"] = json!("0.00");
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn products_survive_pos_to_woocommerce_and_back((o, p) in product()) {
        let c = ctx();
        let out = product_to_wc(&p, &o, &c, WriteMode::Create).unwrap();
        prop_assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let vars: Vec<Value> = out.value.variations.iter().enumerate().map(|(i, v)| echo_product(v, 500 + i as u64, &c)).collect();
        let back = product_from_wc(&echo_product(&out.value.product, 42, &c), &vars, &o, &c).unwrap();
        prop_assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        prop_assert_eq!(back.value, p);
    }

    #[test]
    fn customers_survive_pos_to_woocommerce_and_back(c in customer()) {
        let mut w = customer_to_wc(&c).unwrap();
        w["id"] = json!(5);
        let back = customer_from_wc(&w, &WooContext::default()).unwrap();
        prop_assert_eq!(back, c);
    }

    #[test]
    fn sales_survive_pos_to_woocommerce_and_back(s in sale(), who in customer()) {
        let c = ctx();
        let o = MappingOptions::default();
        let out = order_to_wc(&s, Some(&who), &o, &c).unwrap();
        prop_assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let back = order_from_wc(&echo_order(&out.value, 9000, &c), &[], &o, &c).unwrap().value;
        prop_assert_eq!(back.platform_id.as_ref().map(|p| p.as_str()), Some("9000"));
        let expected = Sale {
            platform_id: back.platform_id.clone(),
            number: Some("9000".into()),
            payments: back.payments.clone(),
            refunds: back.refunds.clone(),
            ..s
        };
        prop_assert_eq!(back, expected);
    }

    #[test]
    fn woocommerce_statuses_that_sync_come_back_unchanged(
        st in prop::sample::select(vec!["completed", "cancelled", "processing", "refunded", "pending"])
    ) {
        prop_assert_eq!(status_to_wc(status_from_wc(st).unwrap().fulfilment), st);
    }
}

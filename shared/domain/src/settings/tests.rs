//! A test per validation rule (one table row each, citing the product doc line it comes from),
//! the resolved values, the conversion to `MappingOptions`, and the wire format.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::model::{
    BcPriceType, FieldDirection, MappingOptions, Outlet, PaymentType, Platform, PosId, Register, SkuPolicy, TaxRate,
};

fn id(s: &str) -> PosId {
    PosId::parse(s).unwrap()
}

fn tax(i: &str, name: &str, rate: Option<u32>) -> TaxChoice {
    TaxChoice { id: i.into(), name: name.into(), rate: rate.map(TaxRate) }
}

fn pay(i: &str, name: &str) -> PaymentType {
    PaymentType { id: i.into(), name: name.into() }
}

/// A BigCommerce store and a POS with two outlets (Main o1 with register r1, Warehouse o2 with r2).
fn choices() -> Choices {
    Choices {
        platform: Platform::BigCommerce,
        outlets: vec![Outlet { id: id("o1"), name: "Main".into() }, Outlet { id: id("o2"), name: "Warehouse".into() }],
        registers: vec![
            Register { id: id("r1"), outlet_id: id("o1"), name: "Web".into(), open: true },
            Register { id: id("r2"), outlet_id: id("o2"), name: "Back".into(), open: false },
        ],
        pos_tax_rules: vec![tax("gst", "GST", Some(1000)), tax("none", "No Tax", Some(0))],
        pos_default_tax_rule_id: Some("gst".into()),
        platform_tax_rules: vec![
            tax("std", "Standard", Some(1000)),
            tax("zero", "Zero rated", Some(0)),
            tax("class", "Default Tax Class", None),
        ],
        pos_payment_types: vec![pay("cash", "Cash"), pay("card", "Credit Card"), pay("ecom", "eCommerce")],
        platform_payment_methods: vec![pay("cod", "Cash on Delivery"), pay("stripe", "Stripe")],
        pos_prices_include_tax: true,
        platform_prices_include_tax: Some(true),
    }
}

/// Complete, consistent settings for [`choices`].
fn settings() -> Settings {
    Settings {
        invoice_outlet_id: Some(id("o1")),
        payments: PaymentSettings {
            register_id: Some(id("r1")),
            mapping: Some(PaymentMapping::PerMethod {
                methods: BTreeMap::from([("cod".into(), "cash".into()), ("stripe".into(), "card".into())]),
            }),
        },
        tax: TaxSettings { mapping: BTreeMap::from([("gst".into(), "std".into()), ("none".into(), "zero".into())]) },
        inventory: InventorySettings { outlet_ids: vec![id("o1")] },
        platform_to_pos: PlatformToPos {
            update_inventory_on_order: true,
            send_full_orders: true,
            send_new_products: true,
            visible_in_all_outlets: None,
        },
        pos_to_platform: PosToPlatform {
            update_inventory: true,
            send_new_products: true,
            send_full_orders: false,
            receive_payment_updates: None,
        },
        description: FieldDirection::PlatformToPos,
        images: FieldDirection::PlatformToPos,
        sku_policy: Some(SkuPolicy::AutoAssign),
        customers: CustomerSync::BothWays,
        bigcommerce: Some(BigCommerceSettings {
            price_type: Some(BcPriceType::SalePrice),
            shipping_details: true,
            category_preference: Some(CategoryPreference::ProductTypeAsCategory),
        }),
    }
}

fn problems(errors: &[FieldError]) -> BTreeSet<(String, ErrorCode)> {
    errors.iter().map(|e| (e.field.clone(), e.code)).collect()
}

fn valid(s: &Settings, c: &Choices) -> ValidSettings {
    validate(s, c).unwrap_or_else(|e| panic!("expected valid settings, got {e:#?}"))
}

#[test]
fn the_fixture_is_valid() {
    valid(&settings(), &choices());
}

type Mutate = fn(&mut Settings, &mut Choices);

/// One rule: the change that breaks it, and exactly the errors expected.
struct Rule {
    name: &'static str,
    doc: &'static str,
    mutate: Mutate,
    expect: &'static [(&'static str, ErrorCode)],
}

const RULES: &[Rule] = &[
    Rule {
        name: "inventory outlet is mandatory",
        doc: "000:68, 001:74",
        mutate: |s, _| s.inventory.outlet_ids.clear(),
        expect: &[("inventory.outlet_ids", ErrorCode::Missing)],
    },
    Rule {
        name: "inventory outlets must exist",
        doc: "000:82",
        mutate: |s, _| s.inventory.outlet_ids = vec![id("o1"), id("o9")],
        expect: &[("inventory.outlet_ids[1]", ErrorCode::UnknownId)],
    },
    Rule {
        name: "inventory outlets are chosen once",
        doc: "000:76 (posbridge: combined stock would count an outlet twice)",
        mutate: |s, _| s.inventory.outlet_ids = vec![id("o1"), id("o1")],
        expect: &[("inventory.outlet_ids[1]", ErrorCode::Duplicate)],
    },
    Rule {
        name: "invoice outlet is mandatory when it cannot be inferred",
        doc: "000:46",
        mutate: |s, _| {
            s.invoice_outlet_id = None;
            s.inventory.outlet_ids = vec![id("o1"), id("o2")];
        },
        expect: &[("invoice_outlet_id", ErrorCode::Missing)],
    },
    Rule {
        name: "invoice outlet must exist",
        doc: "000:46",
        mutate: |s, _| s.invoice_outlet_id = Some(id("o9")),
        expect: &[("invoice_outlet_id", ErrorCode::UnknownId)],
    },
    Rule {
        name: "invoice outlet is an inventory outlet while web orders reach the POS",
        doc: "000:71, 001:91 (posbridge rule)",
        mutate: |s, _| {
            s.invoice_outlet_id = Some(id("o2"));
            s.payments.register_id = Some(id("r2"));
        },
        expect: &[("invoice_outlet_id", ErrorCode::NotInInventory)],
    },
    Rule {
        name: "register is mandatory while full web orders go to the POS",
        doc: "003:104, 000:53",
        mutate: |s, _| s.payments.register_id = None,
        expect: &[("payments.register_id", ErrorCode::Missing)],
    },
    Rule {
        name: "register must exist",
        doc: "000:51",
        mutate: |s, _| s.payments.register_id = Some(id("r9")),
        expect: &[("payments.register_id", ErrorCode::UnknownId)],
    },
    Rule {
        name: "register belongs to the invoice outlet",
        doc: "000:51, 001:164",
        mutate: |s, _| s.payments.register_id = Some(id("r2")),
        expect: &[("payments.register_id", ErrorCode::NotInOutlet)],
    },
    Rule {
        name: "payment mapping is mandatory",
        doc: "003:104, 001:112-116",
        mutate: |s, _| s.payments.mapping = None,
        expect: &[("payments.mapping", ErrorCode::Missing)],
    },
    Rule {
        name: "payment mapping rows name platform methods",
        doc: "000:64",
        mutate: |s, _| map_payment(s, "paypal", "cash"),
        expect: &[("payments.mapping.methods.paypal", ErrorCode::UnknownKey)],
    },
    Rule {
        name: "payment mapping targets are POS payment types",
        doc: "000:64",
        mutate: |s, _| map_payment(s, "cod", "voucher"),
        expect: &[("payments.mapping.methods.cod", ErrorCode::UnknownId)],
    },
    Rule {
        name: "per-method payment mapping maps every platform method",
        doc: "001:116",
        mutate: |_, c| c.platform_payment_methods.push(pay("bacs", "Bank transfer")),
        expect: &[("payments.mapping.methods.bacs", ErrorCode::Unmapped)],
    },
    Rule {
        name: "tax-inclusive prices agree on both sides",
        doc: "000:19, 001:22",
        mutate: |_, c| c.platform_prices_include_tax = Some(false),
        expect: &[("tax.prices_include_tax", ErrorCode::TaxInclusiveMismatch)],
    },
    Rule {
        name: "tax mapping rows name POS tax rules",
        doc: "000:59",
        mutate: |s, _| {
            s.tax.mapping.insert("vat".into(), "class".into());
        },
        expect: &[("tax.mapping.vat", ErrorCode::UnknownKey)],
    },
    Rule {
        name: "tax mapping targets are platform tax rules",
        doc: "000:59, 001:78",
        mutate: |s, _| {
            s.tax.mapping.insert("gst".into(), "nope".into());
        },
        expect: &[("tax.mapping.gst", ErrorCode::UnknownId)],
    },
    Rule {
        name: "tax mapping covers every POS tax rule",
        doc: "000:59",
        mutate: |_, c| c.pos_tax_rules.push(tax("lux", "Luxury", None)),
        expect: &[("tax.mapping.lux", ErrorCode::Unmapped)],
    },
    Rule {
        name: "tax mapping is one-to-one",
        doc: "000:59",
        mutate: |s, c| {
            c.pos_tax_rules[1].rate = Some(TaxRate(1000));
            s.tax.mapping.insert("none".into(), "std".into());
        },
        expect: &[("tax.mapping.none", ErrorCode::DuplicateTarget)],
    },
    Rule {
        name: "mapped tax rules carry the same rate",
        doc: "001:78",
        mutate: |s, _| {
            s.tax.mapping.insert("gst".into(), "zero".into());
            s.tax.mapping.insert("none".into(), "class".into());
        },
        expect: &[("tax.mapping.gst", ErrorCode::RateMismatch)],
    },
    Rule {
        name: "payment updates contradict orders syncing both ways",
        doc: "000:125",
        mutate: |s, _| {
            s.pos_to_platform.send_full_orders = true;
            s.pos_to_platform.receive_payment_updates = Some(true);
        },
        expect: &[("pos_to_platform.receive_payment_updates", ErrorCode::Contradictory)],
    },
    Rule {
        name: "payment updates are not offered while orders sync both ways",
        doc: "000:125",
        mutate: |s, _| {
            s.pos_to_platform.send_full_orders = true;
            s.pos_to_platform.receive_payment_updates = Some(false);
        },
        expect: &[("pos_to_platform.receive_payment_updates", ErrorCode::NotApplicable)],
    },
    Rule {
        name: "outlet visibility is only offered with several outlets",
        doc: "000:106, 001:213",
        mutate: |s, c| {
            c.outlets.truncate(1);
            c.registers.truncate(1);
            s.platform_to_pos.visible_in_all_outlets = Some(false);
        },
        expect: &[("platform_to_pos.visible_in_all_outlets", ErrorCode::NotApplicable)],
    },
    Rule {
        name: "SKU preference is mandatory",
        doc: "000:140, 001:265",
        mutate: |s, _| s.sku_policy = None,
        expect: &[("sku_policy", ErrorCode::Missing)],
    },
    Rule {
        name: "BigCommerce options are refused for another platform",
        doc: "001:134, 001:119, 001:280 (BigCommerce only)",
        mutate: |_, c| c.platform = Platform::WooCommerce,
        expect: &[("bigcommerce", ErrorCode::WrongPlatform)],
    },
    Rule {
        name: "BigCommerce price type is mandatory",
        doc: "003:104, 001:136",
        mutate: |s, _| s.bigcommerce.as_mut().unwrap().price_type = None,
        expect: &[("bigcommerce.price_type", ErrorCode::Missing)],
    },
    Rule {
        name: "BigCommerce options are mandatory even when the block is absent",
        doc: "003:104, 001:282",
        mutate: |s, _| s.bigcommerce = None,
        expect: &[
            ("bigcommerce.price_type", ErrorCode::Missing),
            ("bigcommerce.category_preference", ErrorCode::Missing),
        ],
    },
    Rule {
        name: "category preference is required once new POS products go to BigCommerce",
        doc: "001:282",
        mutate: |s, _| s.bigcommerce.as_mut().unwrap().category_preference = None,
        expect: &[("bigcommerce.category_preference", ErrorCode::Missing)],
    },
    Rule {
        name: "category preference is not offered without new POS products going out",
        doc: "001:282",
        mutate: |s, _| s.pos_to_platform.send_new_products = false,
        expect: &[("bigcommerce.category_preference", ErrorCode::NotApplicable)],
    },
];

fn map_payment(s: &mut Settings, method: &str, pos_type: &str) {
    let Some(PaymentMapping::PerMethod { methods }) = &mut s.payments.mapping else {
        panic!("fixture maps per method")
    };
    methods.insert(method.into(), pos_type.into());
}

#[test]
fn each_rule_reports_exactly_its_errors() {
    for rule in RULES {
        let (mut s, mut c) = (settings(), choices());
        (rule.mutate)(&mut s, &mut c);
        let errors = match validate(&s, &c) {
            Ok(_) => panic!("{} ({}): accepted", rule.name, rule.doc),
            Err(e) => e,
        };
        let want: BTreeSet<_> = rule.expect.iter().map(|(f, code)| (f.to_string(), *code)).collect();
        assert_eq!(problems(&errors), want, "{} ({})", rule.name, rule.doc);
        for e in &errors {
            assert!(e.message.ends_with('.') && e.message.len() > 30, "{}: message {:?}", rule.name, e.message);
        }
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    // A brand-new BigCommerce integration: nothing chosen yet.
    let errors = validate(&Settings::default(), &choices()).unwrap_err();
    let want: BTreeSet<_> = [
        ("invoice_outlet_id", ErrorCode::Missing),
        ("payments.mapping", ErrorCode::Missing),
        ("tax.mapping.gst", ErrorCode::Unmapped),
        ("tax.mapping.none", ErrorCode::Unmapped),
        ("inventory.outlet_ids", ErrorCode::Missing),
        ("sku_policy", ErrorCode::Missing),
        ("bigcommerce.price_type", ErrorCode::Missing),
    ]
    .into_iter()
    .map(|(f, c)| (f.to_string(), c))
    .collect();
    assert_eq!(problems(&errors), want);
    assert_eq!(errors.len(), want.len(), "no problem reported twice");
}

#[test]
fn errors_name_the_records_involved() {
    let mut s = settings();
    s.payments.register_id = Some(id("r2"));
    let errors = validate(&s, &choices()).unwrap_err();
    let msg = &errors[0].message;
    assert!(msg.contains("\"Back\"") && msg.contains("\"Warehouse\"") && msg.contains("\"Main\""), "{msg}");
    assert_eq!(
        errors[0].to_string(),
        format!("payments.register_id (not_in_outlet): {msg}"),
        "Display gives field, code and message"
    );
}

// ---------- what the rules allow ----------

#[test]
fn relaxed_rules_accept_what_they_should() {
    let cases: &[(&str, Mutate)] = &[
        ("no register needed without full web orders (000:51 checkbox)", |s, _| {
            s.platform_to_pos.send_full_orders = false;
            s.payments.register_id = None;
        }),
        ("invoice outlet outside the inventory when no orders or stock reach the POS", |s, _| {
            s.platform_to_pos.send_full_orders = false;
            s.platform_to_pos.update_inventory_on_order = false;
            s.invoice_outlet_id = Some(id("o2"));
            s.payments.register_id = None;
        }),
        ("invoice outlet inferred from the single inventory outlet (001:91)", |s, _| s.invoice_outlet_id = None),
        ("invoice outlet inferred from a single-outlet POS (000:46)", |s, c| {
            c.outlets.truncate(1);
            c.registers.truncate(1);
            s.invoice_outlet_id = None;
        }),
        ("platform tax-inclusive setting unknown", |_, c| c.platform_prices_include_tax = None),
        ("zone-dependent tax class carries no rate to compare", |s, _| {
            s.tax.mapping.insert("gst".into(), "class".into());
        }),
        ("all payments as the platform need no per-method rows (001:112)", |s, _| {
            s.payments.mapping = Some(PaymentMapping::AllAsPlatform {})
        }),
        ("combined inventory with every toggle on (000:76-80)", |s, _| {
            s.inventory.outlet_ids = vec![id("o1"), id("o2")];
            s.platform_to_pos.visible_in_all_outlets = Some(false);
        }),
        ("payment updates given while orders sync one way (000:125)", |s, _| {
            s.pos_to_platform.receive_payment_updates = Some(false)
        }),
        ("WooCommerce without BigCommerce options", |s, c| {
            c.platform = Platform::WooCommerce;
            s.bigcommerce = None;
        }),
        ("no category preference while new POS products stay in the POS", |s, _| {
            s.pos_to_platform.send_new_products = false;
            s.bigcommerce.as_mut().unwrap().category_preference = None;
        }),
    ];
    for (name, mutate) in cases {
        let (mut s, mut c) = (settings(), choices());
        mutate(&mut s, &mut c);
        if let Err(e) = validate(&s, &c) {
            panic!("{name}: refused with {e:#?}");
        }
    }
}

#[test]
fn inferred_invoice_outlet_is_the_inventory_outlet() {
    let mut s = settings();
    s.invoice_outlet_id = None;
    s.inventory.outlet_ids = vec![id("o2")];
    s.payments.register_id = Some(id("r2"));
    let v = valid(&s, &choices());
    assert_eq!(v.invoice_outlet_id(), &id("o2"));
    assert_eq!(v.settings().invoice_outlet_id, None, "the stored settings keep the default open");
}

#[test]
fn toggles_shown_only_sometimes_resolve_to_the_docs_defaults() {
    // 000:125: ticked by default when shown.
    let v = valid(&settings(), &choices());
    assert!(v.receive_payment_updates());
    // 000:106: visibility to all outlets ticked unless unticked.
    assert!(v.visible_in_all_outlets());

    let mut s = settings();
    s.pos_to_platform.send_full_orders = true;
    assert!(!valid(&s, &choices()).receive_payment_updates(), "hidden while orders sync both ways");

    s.pos_to_platform.send_full_orders = false;
    s.pos_to_platform.receive_payment_updates = Some(false);
    s.platform_to_pos.visible_in_all_outlets = Some(false);
    let v = valid(&s, &choices());
    assert!(!v.receive_payment_updates());
    assert!(!v.visible_in_all_outlets());
}

#[test]
fn platform_stock_flows_to_pos_only_from_one_outlet_without_full_orders() {
    // (platform, inventory outlets, full web orders to the POS) -> web stock counts reach the POS
    let rows: &[(Platform, &[&str], bool, bool, &str)] = &[
        (Platform::Ecwid, &["o1"], false, true, "000:102"),
        (Platform::Ecwid, &["o1"], true, false, "000:102, 000:112"),
        (Platform::Ecwid, &["o1", "o2"], false, false, "000:80"),
        (Platform::WooCommerce, &["o1"], false, true, "as Ecwid"),
        (Platform::WooCommerce, &["o1", "o2"], false, false, "000:80"),
        (Platform::BigCommerce, &["o1"], false, false, "001:225"),
    ];
    for (platform, outlets, full_orders, flows, doc) in rows {
        let (mut s, mut c) = (settings(), choices());
        c.platform = *platform;
        if *platform != Platform::BigCommerce {
            s.bigcommerce = None;
        }
        s.inventory.outlet_ids = outlets.iter().map(|o| id(o)).collect();
        s.platform_to_pos.send_full_orders = *full_orders;
        assert_eq!(valid(&s, &c).platform_stock_flows_to_pos(), *flows, "{platform} {outlets:?} {full_orders} ({doc})");
    }
}

#[test]
fn notices_say_what_the_docs_warn_about() {
    let notices = |s: &Settings, c: &Choices| -> BTreeSet<(String, NoticeCode)> {
        valid(s, c).notices().iter().map(|n| (n.field.clone(), n.code)).collect()
    };
    assert!(notices(&settings(), &choices()).is_empty(), "the recommended setup warns about nothing");

    let mut s = settings();
    s.inventory.outlet_ids = vec![id("o1"), id("o2")];
    s.platform_to_pos.update_inventory_on_order = false;
    s.pos_to_platform.send_full_orders = true;
    s.description = FieldDirection::BothWays;
    let want: BTreeSet<_> = [
        ("inventory.outlet_ids", NoticeCode::PlatformStockOneWay),
        ("platform_to_pos.update_inventory_on_order", NoticeCode::InventoryMayDrift),
        ("pos_to_platform.send_full_orders", NoticeCode::DoubleDeductionRisk),
        ("description", NoticeCode::HtmlDescriptionOverwritten),
    ]
    .into_iter()
    .map(|(f, c)| (f.to_string(), c))
    .collect();
    assert_eq!(notices(&s, &choices()), want);

    let mut c = choices();
    c.platform = Platform::Ecwid;
    let mut s = settings();
    s.bigcommerce = None;
    let want = BTreeSet::from([("platform_to_pos.send_full_orders".to_string(), NoticeCode::PlatformStockOneWay)]);
    assert_eq!(notices(&s, &c), want, "000:102: full Ecwid orders stop manual stock flowing back");
}

// ---------- conversion ----------

#[test]
fn mapping_options_carry_the_settings_and_both_sides_choices() {
    let opts = valid(&settings(), &choices()).mapping_options();
    let want = MappingOptions {
        prices_include_tax: true,
        default_tax_rate: TaxRate(1000),
        bc_price_type: BcPriceType::SalePrice,
        description: FieldDirection::PlatformToPos,
        images: FieldDirection::PlatformToPos,
        sku_policy: SkuPolicy::AutoAssign,
        payment_map: BTreeMap::from([
            ("Cash on Delivery".into(), "Cash".into()),
            ("Stripe".into(), "Credit Card".into()),
        ]),
        tax_map: BTreeMap::from([("std".into(), "gst".into()), ("zero".into(), "none".into())]),
    };
    assert_eq!(opts, want);
}

#[test]
fn mapping_options_for_other_choices() {
    let (mut s, mut c) = (settings(), choices());
    c.platform = Platform::Ecwid;
    c.pos_prices_include_tax = false;
    c.platform_prices_include_tax = None;
    c.pos_default_tax_rule_id = None;
    s.bigcommerce = None;
    s.payments.mapping = Some(PaymentMapping::AllAsPlatform {});
    s.sku_policy = Some(SkuPolicy::SkipWithoutSku);
    s.images = FieldDirection::BothWays;
    let opts = valid(&s, &c).mapping_options();
    assert!(!opts.prices_include_tax);
    assert_eq!(opts.default_tax_rate, TaxRate(0), "no default POS tax rule");
    assert_eq!(opts.bc_price_type, BcPriceType::default(), "irrelevant off BigCommerce");
    assert!(opts.payment_map.is_empty(), "all payments keep the platform's name");
    assert_eq!(opts.sku_policy, SkuPolicy::SkipWithoutSku);
    assert_eq!(opts.images, FieldDirection::BothWays);
}

// ---------- wire format ----------

#[test]
fn serde_round_trip() {
    for s in [settings(), Settings::default()] {
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Settings>(&json).unwrap(), s, "{json}");
    }
}

#[test]
fn wire_format_reads_as_documented() {
    let json = r#"{
        "invoice_outlet_id": "o1",
        "payments": {"register_id": "r1", "mapping": {"mode": "per_method", "methods": {"cod": "cash", "stripe": "card"}}},
        "tax": {"mapping": {"gst": "std", "none": "zero"}},
        "inventory": {"outlet_ids": ["o1"]},
        "platform_to_pos": {"update_inventory_on_order": true, "send_full_orders": true, "send_new_products": true},
        "pos_to_platform": {"update_inventory": true, "send_new_products": true},
        "description": "platform_to_pos",
        "images": "platform_to_pos",
        "sku_policy": "auto_assign",
        "customers": "both_ways",
        "bigcommerce": {"price_type": "sale_price", "shipping_details": true, "category_preference": "product_type_as_category"}
    }"#;
    assert_eq!(serde_json::from_str::<Settings>(json).unwrap(), settings());
    let all: PaymentMapping = serde_json::from_str(r#"{"mode": "all_as_platform"}"#).unwrap();
    assert_eq!(all, PaymentMapping::AllAsPlatform {});
}

#[test]
fn absent_fields_take_the_docs_defaults() {
    let s: Settings = serde_json::from_str("{}").unwrap();
    assert_eq!(s, Settings::default());
    assert_eq!(s.description, FieldDirection::PlatformToPos, "000:130, 001:254");
    assert_eq!(s.images, FieldDirection::PlatformToPos, "000:135, 001:260");
    assert!(!s.pos_to_platform.send_full_orders, "000:123, 001:244: not recommended");
    assert_eq!(s.pos_to_platform.receive_payment_updates, None, "resolved to ticked when shown (000:125)");
    assert_eq!(s.customers, CustomerSync::BothWays, "000:148");
    assert_eq!(s.sku_policy, None, "no recommendation: the merchant must choose");
}

#[test]
fn unknown_fields_are_refused_everywhere() {
    for json in [
        r#"{"colour": "red"}"#,
        r#"{"payments": {"register": "r1"}}"#,
        r#"{"payments": {"mapping": {"mode": "per_method", "methods": {}, "extra": 1}}}"#,
        r#"{"payments": {"mapping": {"mode": "all_as_platform", "methods": {}}}}"#,
        r#"{"tax": {"mapping": {}, "inclusive": true}}"#,
        r#"{"inventory": {"outlet_ids": [], "combined": true}}"#,
        r#"{"platform_to_pos": {"send_full_order": true}}"#,
        r#"{"pos_to_platform": {"update_inventory_on_sale": true}}"#,
        r#"{"bigcommerce": {"price_type": "price", "weight_unit": "kg"}}"#,
    ] {
        let err = serde_json::from_str::<Settings>(json).expect_err(json);
        assert!(err.to_string().contains("unknown field"), "{json}: {err}");
    }
}

#[test]
fn wrong_types_and_values_are_refused() {
    for json in [
        r#"{"inventory": {"outlet_ids": "o1"}}"#,
        r#"{"inventory": {"outlet_ids": [""]}}"#,
        r#"{"invoice_outlet_id": 7}"#,
        r#"{"payments": {"register_id": "   "}}"#,
        r#"{"payments": {"mapping": {"mode": "per_type"}}}"#,
        r#"{"payments": {"mapping": {"mode": "per_method"}}}"#,
        r#"{"platform_to_pos": {"send_full_orders": "yes"}}"#,
        r#"{"pos_to_platform": {"receive_payment_updates": 1}}"#,
        r#"{"description": "pos_to_platform"}"#,
        r#"{"sku_policy": "skip"}"#,
        r#"{"customers": "pos_to_platform"}"#,
        r#"{"bigcommerce": {"price_type": "cheapest"}}"#,
        r#"{"bigcommerce": {"category_preference": "none"}}"#,
        r#"{"tax": {"mapping": {"gst": 10}}}"#,
        r#"[]"#,
    ] {
        assert!(serde_json::from_str::<Settings>(json).is_err(), "{json} should be refused");
    }
}

#[test]
fn field_errors_serialise_for_the_422_body() {
    let e = FieldError {
        field: "payments.register_id".into(),
        code: ErrorCode::NotInOutlet,
        message: "Choose a register in the invoice outlet.".into(),
    };
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["code"], "not_in_outlet");
    assert_eq!(v["code"], ErrorCode::NotInOutlet.as_str());
    assert_eq!(v["field"], "payments.register_id");
}

#[test]
fn objects_given_as_arrays_are_refused() {
    for json in [
        r#"[]"#,
        r#"{"payments": []}"#,
        r#"{"payments": {"mapping": ["all_as_platform"]}}"#,
        r#"{"tax": [{}]}"#,
        r#"{"inventory": [["o1"]]}"#,
        r#"{"platform_to_pos": [true, true]}"#,
        r#"{"pos_to_platform": []}"#,
        r#"{"bigcommerce": ["price"]}"#,
    ] {
        assert!(serde_json::from_str::<Settings>(json).is_err(), "{json} should be refused");
    }
}

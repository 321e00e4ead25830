//! Reference records: outlets, registers, tax rules and the tax mapping, payment types, brands,
//! product types (the web store's categories), and stock levels from inventory events.

use posbridge_domain::model::{Brand, Category, InventoryLevel, Outlet, PaymentType, Register, TaxRule};

use super::wire::{PosInventoryEvent, PosNamed, PosNamedInput, PosOutlet, PosPaymentType, PosRegister, PosTax};
use super::{PosContext, int_id, item_pos_id, non_empty, parse_rate, pos_id, quantity};
use crate::errors::MappingError;

pub fn outlet_from_pos(o: &PosOutlet) -> Outlet {
    Outlet { id: pos_id(o.id), name: o.name.clone() }
}

pub fn register_from_pos(r: &PosRegister) -> Register {
    Register { id: pos_id(r.id), outlet_id: pos_id(r.outlet_id), name: r.name.clone(), open: r.status == "open" }
}

pub fn tax_rule_from_pos(t: &PosTax) -> Result<TaxRule, MappingError> {
    Ok(TaxRule { id: t.id.to_string(), name: t.name.clone(), rate: parse_rate(&t.rate)? })
}

pub fn payment_type_from_pos(p: &PosPaymentType) -> PaymentType {
    PaymentType { id: p.id.to_string(), name: p.name.clone() }
}

/// A POS product type is a web-store category (product reference 001:336).
pub fn category_from_pos(t: &PosNamed) -> Category {
    Category { id: Some(pos_id(t.id)), name: t.name.trim().to_string(), parent: None }
}

/// The body of `POST product_types/create`. POS product types are flat: a parent is not kept.
pub fn category_to_pos(c: &Category) -> Result<PosNamedInput, MappingError> {
    named_input("Category", c.id.as_ref(), &c.name)
}

/// Brands map by name (product reference 001:338).
pub fn brand_from_pos(b: &PosNamed) -> Brand {
    Brand { id: Some(pos_id(b.id)), name: b.name.trim().to_string() }
}

pub fn brand_to_pos(b: &Brand) -> Result<PosNamedInput, MappingError> {
    named_input("Brand", b.id.as_ref(), &b.name)
}

fn named_input(
    entity: &'static str,
    id: Option<&posbridge_domain::model::PosId>,
    name: &str,
) -> Result<PosNamedInput, MappingError> {
    let name = non_empty(name).ok_or_else(|| MappingError::MissingRequiredField {
        entity,
        field: "name",
        record: id.map_or_else(|| "(new)".to_string(), |i| format!("#{i}")),
    })?;
    Ok(PosNamedInput { id: id.map(|i| int_id("id", i)).transpose()?, name })
}

/// The stock level an `inventory.updated` event reports (absolute, so a replayed or reordered
/// event cannot double count). The item id is `product` or `product:variant`.
pub fn inventory_from_pos_event(e: &PosInventoryEvent) -> Result<InventoryLevel, MappingError> {
    Ok(InventoryLevel {
        product_id: item_pos_id(e.product_id, e.variant_id),
        variant_id: e.variant_id.map(pos_id),
        sku: None,
        outlet_id: pos_id(e.outlet_id),
        on_hand: quantity("stock", &e.stock)?,
    })
}

/// The POS tax rule mapped to a web-store tax rule or class ("Tax mapping", product reference
/// 000:57-59, 001:76-80). Unmapped, or mapped to a rule the POS no longer has: the merchant must
/// map it.
pub fn pos_tax_for(platform_tax: &str, ctx: &PosContext<'_>) -> Result<i64, MappingError> {
    let unmapped = || MappingError::UnknownReference { kind: "tax rule mapping for", name: platform_tax.to_string() };
    let pos = ctx.options.tax_map.get(platform_tax).ok_or_else(unmapped)?;
    let id: i64 = pos.parse().map_err(|_| unmapped())?;
    ctx.catalogue.taxes.iter().any(|t| t.id == id).then_some(id).ok_or_else(unmapped)
}

/// The web-store tax rule a POS tax rule is mapped to, if any (the mapping read backwards).
pub fn platform_tax_for(pos_tax_id: i64, ctx: &PosContext<'_>) -> Option<String> {
    let key = pos_tax_id.to_string();
    ctx.options.tax_map.iter().find(|(_, v)| **v == key).map(|(k, _)| k.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::fixtures::{id, parse};
    use posbridge_domain::model::{Quantity, TaxRate};
    use serde_json::json;

    #[test]
    fn reference_records_read_from_the_pos_shapes() {
        let r: PosRegister = parse(json!({"id": 4, "outlet_id": 2, "name": "Web", "status": "open",
                                          "opened_at": "2024-05-01T10:00:00Z", "closed_at": null}));
        assert_eq!(register_from_pos(&r), Register { id: id("4"), outlet_id: id("2"), name: "Web".into(), open: true });
        let t: PosTax = parse(json!({"id": 3, "name": "Reduced", "rate": "12.50", "is_default": false}));
        assert_eq!(tax_rule_from_pos(&t).unwrap().rate, TaxRate(1250));
        let o: PosOutlet = parse(json!({"id": 2, "name": "Warehouse", "is_active": true}));
        assert_eq!(outlet_from_pos(&o).id, id("2"));
        let pt: PosPaymentType = parse(json!({"id": 4, "name": "BigCommerce", "is_active": true}));
        assert_eq!(payment_type_from_pos(&pt).name, "BigCommerce");
    }

    #[test]
    fn product_types_are_categories_and_brands_map_by_name() {
        // 001:336 product types <-> categories, 001:338 brand <-> brand name.
        let t = PosNamed { id: 1, name: " Mugs ".into() };
        let c = category_from_pos(&t);
        assert_eq!((c.id.clone(), c.name.as_str()), (Some(id("1")), "Mugs"));
        assert_eq!(category_to_pos(&c).unwrap(), PosNamedInput { id: Some(1), name: "Mugs".into() });
        let new = Category { id: None, name: "Bowls".into(), parent: Some(id("1")) };
        assert_eq!(serde_json::to_value(category_to_pos(&new).unwrap()).unwrap(), json!({"name": "Bowls"}));
        let b = brand_from_pos(&PosNamed { id: 2, name: "Acme".into() });
        assert_eq!(brand_to_pos(&b).unwrap(), PosNamedInput { id: Some(2), name: "Acme".into() });
        assert_eq!(brand_to_pos(&Brand { id: None, name: " ".into() }).unwrap_err().code(), "missing_required_field");
    }

    #[test]
    fn inventory_events_give_absolute_levels() {
        // 000:109-110 / 001:218-221: sales, purchase orders and stocktakes update the web store.
        let e: PosInventoryEvent = parse(json!({"product_id": 20, "variant_id": 41, "outlet_id": 1,
            "previous_stock": "3.000", "stock": "2.500", "delta": "-0.500", "reason": "sale",
            "reference_type": "sale", "reference_id": 9}));
        let l = inventory_from_pos_event(&e).unwrap();
        assert_eq!((l.product_id, l.variant_id, l.outlet_id), (id("20:41"), Some(id("41")), id("1")));
        assert_eq!(l.on_hand, Quantity::parse("2.5").unwrap());
    }
}

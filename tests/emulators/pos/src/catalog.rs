//! Products: simple, with variants, or composite; per-outlet price, stock and visibility;
//! sales channels; SKU and barcode unique across products and variants.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::store::{Mode, Store};
use crate::values::{Money, Qty, now_unix, rfc3339};

/// The sales channels a product can be listed on (Hike: POS, eCommerce).
pub const SALES_CHANNELS: [&str; 2] = ["pos", "ecommerce"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutletEntry {
    /// Outlet-specific price; used only when the product has `isPricingDifferentByOutlet`.
    pub price: Option<Money>,
    pub stock: Qty,
    pub visible: bool,
}

impl Default for OutletEntry {
    fn default() -> Self {
        Self { price: None, stock: Qty(0), visible: true }
    }
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub id: i64,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub price: Money,
    pub is_active: bool,
    pub outlets: BTreeMap<i64, OutletEntry>,
}

#[derive(Debug, Clone)]
pub struct Component {
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub quantity: Qty,
}

#[derive(Debug, Clone)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub brand_id: Option<i64>,
    pub product_type: Vec<i64>,
    pub has_variants: bool,
    pub track_inventory: bool,
    pub continue_selling_no_inventory: bool,
    pub is_active: bool,
    pub pricing_by_outlet: bool,
    pub sales_channels: Vec<String>,
    pub price: Money,
    pub tax_id: Option<i64>,
    pub serial_number_enabled: bool,
    pub is_composite: bool,
    pub components: Vec<Component>,
    pub outlets: BTreeMap<i64, OutletEntry>,
    pub variants: Vec<Variant>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Product {
    fn blank() -> Self {
        let now = now_unix();
        Self {
            id: 0,
            name: String::new(),
            description: String::new(),
            sku: None,
            barcode: None,
            brand_id: None,
            product_type: Vec::new(),
            has_variants: false,
            track_inventory: true,
            continue_selling_no_inventory: true,
            is_active: true,
            pricing_by_outlet: false,
            sales_channels: vec!["pos".into()],
            price: Money(0),
            tax_id: None,
            serial_number_enabled: false,
            is_composite: false,
            components: Vec::new(),
            outlets: BTreeMap::new(),
            variants: Vec::new(),
            created_at: now,
            updated_at: now,
        }
    }

    pub fn variant(&self, id: i64) -> Option<&Variant> {
        self.variants.iter().find(|v| v.id == id)
    }

    /// Whether stock is counted for this product (variants carry it for variant products).
    pub fn tracks_stock(&self) -> bool {
        self.track_inventory && !self.is_composite
    }

    /// Stored stock per `(variant, outlet)` for every tracked leaf.
    pub fn leaf_stocks(&self) -> BTreeMap<(Option<i64>, i64), Qty> {
        let mut out = BTreeMap::new();
        if !self.tracks_stock() {
            return out;
        }
        if self.has_variants {
            for v in &self.variants {
                for (o, e) in &v.outlets {
                    out.insert((Some(v.id), *o), e.stock);
                }
            }
        } else {
            for (o, e) in &self.outlets {
                out.insert((None, *o), e.stock);
            }
        }
        out
    }

    /// SKUs and barcodes of the product and its variants, upper-cased.
    fn identifiers(&self) -> Vec<(&'static str, String)> {
        let mut ids = Vec::new();
        let mut push = |kind, v: &Option<String>| {
            if let Some(s) = v {
                ids.push((kind, s.to_uppercase()));
            }
        };
        push("sku", &self.sku);
        push("barcode", &self.barcode);
        for v in &self.variants {
            push("sku", &v.sku);
            push("barcode", &v.barcode);
        }
        ids
    }

    pub fn matches_sku(&self, sku: &str) -> bool {
        let eq = |s: &Option<String>| s.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(sku));
        eq(&self.sku) || self.variants.iter().any(|v| eq(&v.sku))
    }

    /// Free-text `Filter` over name, SKU and barcode (of the product and its variants).
    pub fn matches_filter(&self, f: &str) -> bool {
        let f = f.to_lowercase();
        let has = |s: &str| s.to_lowercase().contains(&f);
        let opt = |s: &Option<String>| s.as_deref().is_some_and(has);
        has(&self.name)
            || opt(&self.sku)
            || opt(&self.barcode)
            || self.variants.iter().any(|v| opt(&v.sku) || opt(&v.barcode) || has(&v.name))
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct OutletInput {
    pub outlet_id: i64,
    pub price: Option<String>,
    pub stock: Option<String>,
    pub is_visible: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AttributeInput {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct VariantInput {
    pub id: Option<i64>,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub name: Option<String>,
    pub attributes: Option<Vec<AttributeInput>>,
    pub price: Option<String>,
    #[serde(rename = "isActive")]
    pub is_active: Option<bool>,
    pub product_outlets: Option<Vec<OutletInput>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ComponentInput {
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub quantity: String,
}

/// Body of `POST /api/v1/products/create`: absent fields keep their current value on update.
#[derive(Debug, Default, Deserialize)]
pub struct ProductInput {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub brand_id: Option<i64>,
    pub product_type: Option<Vec<i64>>,
    pub has_variants: Option<bool>,
    pub track_inventory: Option<bool>,
    pub continue_selling_no_inventory: Option<bool>,
    #[serde(rename = "isActive")]
    pub is_active: Option<bool>,
    #[serde(rename = "isPricingDifferentByOutlet")]
    pub pricing_by_outlet: Option<bool>,
    pub sales_channels: Option<Vec<String>>,
    pub price: Option<String>,
    pub tax_id: Option<i64>,
    pub serial_number_enabled: Option<bool>,
    pub is_composite: Option<bool>,
    pub composite_components: Option<Vec<ComponentInput>>,
    pub product_outlets: Option<Vec<OutletInput>>,
    pub product_variants: Option<Vec<VariantInput>>,
}

fn parse_money(field: &str, s: &str) -> ApiResult<Money> {
    Money::parse(s).map_err(|e| ApiError::invalid(format!("{field}: {e}")))
}

pub fn parse_qty(field: &str, s: &str) -> ApiResult<Qty> {
    Qty::parse(s).map_err(|e| ApiError::invalid(format!("{field}: {e}")))
}

fn opt_text(s: String) -> Option<String> {
    let t = s.trim();
    if t.is_empty() { None } else { Some(t.to_string()) }
}

impl Store {
    fn merge_outlets(&self, entries: &mut BTreeMap<i64, OutletEntry>, input: Vec<OutletInput>) -> ApiResult<()> {
        for o in input {
            self.outlet(o.outlet_id)?;
            let e = entries.entry(o.outlet_id).or_default();
            if let Some(p) = o.price {
                e.price = Some(parse_money("product_outlets.price", &p)?);
            }
            if let Some(s) = o.stock {
                e.stock = parse_qty("product_outlets.stock", &s)?;
            }
            if let Some(v) = o.is_visible {
                e.visible = v;
            }
        }
        Ok(())
    }

    /// `POST /products/create`: creates, or updates when `id` names an existing product.
    /// Returns the product and whether it was created.
    pub fn upsert_product(&mut self, input: ProductInput, mode: Mode) -> ApiResult<(Value, bool)> {
        let existing = input.id.and_then(|id| self.products.get(&id).cloned());
        if let (Some(id), None, Mode::Api) = (input.id, &existing, mode) {
            return Err(ApiError::not_found("product", id));
        }
        let created = existing.is_none();
        let before = existing.as_ref().map(Product::leaf_stocks).unwrap_or_default();
        let mut p = existing.unwrap_or_else(Product::blank);

        if let Some(v) = input.name {
            p.name = v.trim().to_string();
        }
        if p.name.is_empty() {
            return Err(ApiError::invalid("name is required"));
        }
        if let Some(v) = input.description {
            p.description = v;
        }
        if let Some(v) = input.sku {
            p.sku = opt_text(v);
        }
        if let Some(v) = input.barcode {
            p.barcode = opt_text(v);
        }
        if let Some(b) = input.brand_id {
            if !self.brands.contains_key(&b) {
                return Err(ApiError::invalid(format!("brand {b} does not exist")));
            }
            p.brand_id = Some(b);
        }
        if let Some(types) = input.product_type {
            if let Some(t) = types.iter().find(|t| !self.product_types.contains_key(t)) {
                return Err(ApiError::invalid(format!("product type {t} does not exist")));
            }
            p.product_type = types;
        }
        if let Some(t) = input.tax_id {
            self.tax(t)?;
            p.tax_id = Some(t);
        }
        if let Some(channels) = input.sales_channels {
            let mut set = BTreeSet::new();
            for c in channels {
                let c = c.to_lowercase().replace(['-', ' '], "");
                if !SALES_CHANNELS.contains(&c.as_str()) {
                    return Err(ApiError::invalid(format!("unknown sales channel '{c}' (expected pos or ecommerce)")));
                }
                set.insert(c);
            }
            p.sales_channels = set.into_iter().collect();
        }
        if let Some(v) = input.price {
            p.price = parse_money("price", &v)?;
        }
        let flags = [
            (input.has_variants, &mut p.has_variants),
            (input.track_inventory, &mut p.track_inventory),
            (input.continue_selling_no_inventory, &mut p.continue_selling_no_inventory),
            (input.is_active, &mut p.is_active),
            (input.pricing_by_outlet, &mut p.pricing_by_outlet),
            (input.serial_number_enabled, &mut p.serial_number_enabled),
            (input.is_composite, &mut p.is_composite),
        ];
        for (given, field) in flags {
            if let Some(v) = given {
                *field = v;
            }
        }
        if let Some(comps) = input.composite_components {
            let mut out = Vec::new();
            for c in comps {
                let q = parse_qty("composite_components.quantity", &c.quantity)?;
                if q.0 <= 0 {
                    return Err(ApiError::invalid("composite_components.quantity must be positive"));
                }
                let (cp, _) = self.resolve_item(c.product_id, c.variant_id)?;
                if cp.is_composite || Some(cp.id) == input.id {
                    return Err(ApiError::invalid("a composite component cannot itself be composite"));
                }
                out.push(Component { product_id: c.product_id, variant_id: c.variant_id, quantity: q });
            }
            p.components = out;
        }
        if let Some(o) = input.product_outlets {
            let mut entries = std::mem::take(&mut p.outlets);
            self.merge_outlets(&mut entries, o)?;
            p.outlets = entries;
        }
        if let Some(vars) = input.product_variants {
            for vi in vars {
                let idx = match vi.id {
                    Some(id) => p.variants.iter().position(|v| v.id == id).ok_or_else(|| {
                        ApiError::invalid(format!("variant {id} does not belong to product {}", p.id))
                    })?,
                    None => {
                        p.variants.push(Variant {
                            id: 0,
                            sku: None,
                            barcode: None,
                            name: String::new(),
                            attributes: Vec::new(),
                            price: p.price,
                            is_active: true,
                            outlets: BTreeMap::new(),
                        });
                        p.variants.len() - 1
                    }
                };
                let mut v = p.variants[idx].clone();
                if let Some(s) = vi.sku {
                    v.sku = opt_text(s);
                }
                if let Some(s) = vi.barcode {
                    v.barcode = opt_text(s);
                }
                if let Some(s) = vi.name {
                    v.name = s;
                }
                if let Some(a) = vi.attributes {
                    v.attributes = a.into_iter().map(|a| (a.name, a.value)).collect();
                }
                if let Some(s) = vi.price {
                    v.price = parse_money("product_variants.price", &s)?;
                }
                if let Some(b) = vi.is_active {
                    v.is_active = b;
                }
                if let Some(o) = vi.product_outlets {
                    self.merge_outlets(&mut v.outlets, o)?;
                }
                if v.name.is_empty() {
                    v.name = v.attributes.iter().map(|(_, val)| val.as_str()).collect::<Vec<_>>().join(" / ");
                }
                p.variants[idx] = v;
            }
        }

        // consistency of the product kind
        if p.has_variants && p.variants.is_empty() {
            return Err(ApiError::invalid("has_variants is true but product_variants is empty"));
        }
        if !p.has_variants && !p.variants.is_empty() {
            return Err(ApiError::invalid("product_variants given but has_variants is false"));
        }
        if p.is_composite && (p.has_variants || p.components.is_empty()) {
            return Err(ApiError::invalid("a composite product needs composite_components and no variants"));
        }
        if !p.is_composite && !p.components.is_empty() {
            return Err(ApiError::invalid("composite_components given but is_composite is false"));
        }
        if (p.has_variants || p.is_composite) && p.outlets.values().any(|e| e.stock.0 != 0) {
            return Err(ApiError::invalid(
                "stock of a variant or composite product is kept on its variants or components",
            ));
        }

        // Hike does not allow duplicate SKUs or barcodes (product reference, all integrations).
        let mine = p.identifiers();
        let mut seen = BTreeSet::new();
        for id in &mine {
            if !seen.insert(id.clone()) {
                return Err(duplicate(id.0, &id.1));
            }
        }
        for other in self.products.values().filter(|o| o.id != p.id) {
            if let Some(id) = other.identifiers().into_iter().find(|i| seen.contains(i)) {
                return Err(duplicate(id.0, &id.1));
            }
        }

        let after = p.leaf_stocks();
        if self.weighted_average_cost && mode == Mode::Api {
            let keys: BTreeSet<_> = before.keys().chain(after.keys()).collect();
            if keys
                .iter()
                .any(|k| before.get(k).copied().unwrap_or_default() != after.get(k).copied().unwrap_or_default())
            {
                return Err(ApiError::invalid(
                    "Hike will not accept manual inventory updates without corresponding purchase orders or sales \
                     transactions while weighted Average Cost Price is active",
                ));
            }
        }

        // ids last, so a rejected request consumes none
        p.id = match (created, input.id) {
            (false, _) => p.id,
            (true, Some(id)) => {
                self.bump_id("product", id);
                id
            }
            (true, None) => self.next_id("product"),
        };
        for i in 0..p.variants.len() {
            if p.variants[i].id == 0 {
                p.variants[i].id = self.next_id("variant");
            }
        }
        p.updated_at = now_unix();
        let pid = p.id;
        self.products.insert(pid, p);
        let out = self.product_json(&self.products[&pid]);
        self.emit(if created { "product.created" } else { "product.updated" }, pid, out.clone());
        let after = self.products[&pid].leaf_stocks();
        let keys: BTreeSet<_> = before.keys().chain(after.keys()).copied().collect();
        for (variant, outlet) in keys {
            let old = before.get(&(variant, outlet)).copied().unwrap_or_default();
            let new = after.get(&(variant, outlet)).copied().unwrap_or_default();
            if old != new {
                self.emit_inventory(pid, variant, outlet, old, new, "product_update", "product", pid);
            }
        }
        Ok((out, created))
    }

    pub fn delete_product(&mut self, id: i64) -> ApiResult<Value> {
        let p = self.products.remove(&id).ok_or_else(|| ApiError::not_found("product", id))?;
        let out = json!({ "id": id, "sku": p.sku, "deleted": true });
        self.emit("product.deleted", id, out.clone());
        Ok(out)
    }

    fn outlets_json(&self, entries: &BTreeMap<i64, OutletEntry>, base: Money, p: &Product, stocked: bool) -> Value {
        let rows = self.outlets.keys().map(|o| {
            let e = entries.get(o).cloned().unwrap_or_default();
            let price = if p.pricing_by_outlet { e.price.unwrap_or(base) } else { base };
            json!({
                "outlet_id": o,
                "price": price.to_string(),
                "stock": if stocked { Value::String(e.stock.to_string()) } else { Value::Null },
                "is_visible": e.visible,
            })
        });
        Value::Array(rows.collect())
    }

    pub fn product_json(&self, p: &Product) -> Value {
        let variants: Vec<Value> = p
            .variants
            .iter()
            .map(|v| {
                json!({
                    "id": v.id,
                    "sku": v.sku,
                    "barcode": v.barcode,
                    "name": v.name,
                    "attributes": v.attributes.iter().map(|(n, val)| json!({"name": n, "value": val})).collect::<Vec<_>>(),
                    "price": v.price.to_string(),
                    "isActive": v.is_active,
                    "product_outlets": self.outlets_json(&v.outlets, v.price, p, p.tracks_stock()),
                })
            })
            .collect();
        let components: Vec<Value> = p
            .components
            .iter()
            .map(
                |c| json!({"product_id": c.product_id, "variant_id": c.variant_id, "quantity": c.quantity.to_string()}),
            )
            .collect();
        json!({
            "id": p.id,
            "name": p.name,
            "description": p.description,
            "sku": p.sku,
            "barcode": p.barcode,
            "brand_id": p.brand_id,
            "product_type": p.product_type,
            "has_variants": p.has_variants,
            "track_inventory": p.track_inventory,
            "continue_selling_no_inventory": p.continue_selling_no_inventory,
            "isActive": p.is_active,
            "isPricingDifferentByOutlet": p.pricing_by_outlet,
            "sales_channels": p.sales_channels,
            "price": p.price.to_string(),
            "tax_id": p.tax_id,
            "serial_number_enabled": p.serial_number_enabled,
            "is_composite": p.is_composite,
            "composite_components": components,
            "product_outlets": self.outlets_json(&p.outlets, p.price, p, p.tracks_stock() && !p.has_variants),
            "product_variants": variants,
            "created_at": rfc3339(p.created_at),
            "updated_at": rfc3339(p.updated_at),
        })
    }
}

fn duplicate(kind: &str, value: &str) -> ApiError {
    let code = if kind == "sku" { "duplicate_sku" } else { "duplicate_barcode" };
    ApiError::conflict(code, format!("a product or variant with {kind} '{value}' already exists"))
}

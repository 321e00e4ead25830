//! One Ecwid store's data and the rules the platform applies to it: SKU uniqueness, stock
//! tracking and deltas, variation inheritance, order statuses and stock deduction.
//!
//! Every mutating operation returns the webhook events it causes ([`EventSpec`]); the caller
//! decides whether to send them (API and merchant actions do, seeding does not).

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::model::{Customer, Order, OrderItem, Selection};
use crate::util::{self, ApiError, ApiResult, Money, Params, field, format_date};

/// A webhook event before it gets an id and a timestamp.
#[derive(Debug, Clone)]
pub struct EventSpec {
    pub event_type: String,
    pub entity_id: i64,
    pub data: Option<Value>,
}

impl EventSpec {
    fn new(event_type: &str, entity_id: u64) -> Self {
        Self { event_type: event_type.to_string(), entity_id: entity_id as i64, data: None }
    }
}

/// A product attribute definition (the store's attribute registry).
#[derive(Debug, Clone)]
pub struct AttrDef {
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone)]
pub struct AttrValue {
    pub id: u64,
    pub value: String,
    pub show: String,
}

#[derive(Debug, Clone)]
pub struct Combination {
    pub id: u64,
    pub number: u64,
    pub options: Vec<(String, String)>,
    /// `None` = inherits the product SKU (and with it the product's stock).
    pub sku: Option<String>,
    /// Own stock; only meaningful when the variation has its own SKU or stock.
    pub own_stock: bool,
    pub quantity: i64,
    pub unlimited: Option<bool>,
    pub price: Option<Money>,
    pub compare_to_price: Option<Money>,
    pub wholesale_prices: Option<Vec<(i64, Money)>>,
    pub weight: Option<f64>,
    pub warning_limit: Option<i64>,
    pub is_shipping_required: Option<bool>,
    pub attributes: Vec<AttrValue>,
}

#[derive(Debug, Clone, Default)]
pub struct Product {
    pub id: u64,
    pub sku: String,
    pub name: String,
    pub name_translated: Map<String, Value>,
    pub price: Money,
    pub cost_price: Option<Money>,
    pub compare_to_price: Option<Money>,
    pub wholesale_prices: Vec<(i64, Money)>,
    pub quantity: i64,
    pub unlimited: bool,
    pub warning_limit: i64,
    pub enabled: bool,
    pub weight: Option<f64>,
    pub is_shipping_required: bool,
    pub fixed_shipping_rate_only: bool,
    pub fixed_shipping_rate: Money,
    pub description: String,
    pub description_translated: Map<String, Value>,
    pub category_ids: Vec<u64>,
    pub default_category_id: u64,
    pub product_class_id: u64,
    pub tax_ids: Vec<u64>,
    pub seo_title: String,
    pub seo_description: String,
    pub options: Vec<Value>,
    pub attributes: Vec<AttrValue>,
    pub dimensions: Option<Map<String, Value>>,
    pub combinations: Vec<Combination>,
    pub next_combination_number: u64,
    pub created: i64,
    pub updated: i64,
}

impl Product {
    fn combination_in_stock(&self, c: &Combination) -> bool {
        if c.own_stock { c.unlimited.unwrap_or(false) || c.quantity > 0 } else { self.unlimited || self.quantity > 0 }
    }
    pub fn in_stock(&self) -> bool {
        self.unlimited || self.quantity > 0 || self.combinations.iter().any(|c| self.combination_in_stock(c))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Category {
    pub id: u64,
    pub parent_id: u64,
    pub order_by: i64,
    pub name: String,
    pub name_translated: Map<String, Value>,
    pub description: String,
    pub description_translated: Map<String, Value>,
    pub enabled: bool,
    pub updated: i64,
}

/// One store (keyed by `storeId`) with its catalog, customers and orders.
#[derive(Debug, Clone)]
pub struct Store {
    pub id: u64,
    pub email: String,
    /// `false` = the merchant is on the Free plan: every API call answers 402.
    pub api_enabled: bool,
    /// `false` = the plan lacks "Product Variations": variation writes answer 402.
    pub variations_enabled: bool,
    /// Scopes granted to the app in this store; `None` = app not installed (no webhooks).
    pub app_scopes: Option<BTreeSet<String>>,
    pub products: BTreeMap<u64, Product>,
    pub categories: BTreeMap<u64, Category>,
    pub customers: BTreeMap<u64, Customer>,
    pub customer_groups: BTreeMap<u64, String>,
    pub orders: BTreeMap<u64, Order>,
    pub attributes: BTreeMap<u64, AttrDef>,
    next_id: u64,
    next_order_number: u64,
    next_sku: u64,
}

pub const PAYMENT_STATUSES: &[&str] = &[
    "AWAITING_PAYMENT",
    "PAID",
    "CANCELLED",
    "REFUNDED",
    "PARTIALLY_REFUNDED",
    "INCOMPLETE",
    "CUSTOM_PAYMENT_STATUS_1",
    "CUSTOM_PAYMENT_STATUS_2",
    "CUSTOM_PAYMENT_STATUS_3",
];

pub const FULFILLMENT_STATUSES: &[&str] = &[
    "AWAITING_PROCESSING",
    "PROCESSING",
    "SHIPPED",
    "DELIVERED",
    "WILL_NOT_DELIVER",
    "RETURNED",
    "READY_FOR_PICKUP",
    "OUT_FOR_DELIVERY",
    "CUSTOM_FULFILLMENT_STATUS_1",
    "CUSTOM_FULFILLMENT_STATUS_2",
    "CUSTOM_FULFILLMENT_STATUS_3",
];

const UPC_ATTRIBUTE_ID: u64 = 9_998_010;
const BRAND_ATTRIBUTE_ID: u64 = 9_998_011;

fn translations(base: &str, given: &Map<String, Value>) -> Value {
    let mut m = given.clone();
    m.entry("en").or_insert_with(|| json!(base));
    Value::Object(m)
}

fn price_text(m: Money) -> String {
    format!("${:.2}", m.as_f64())
}

fn slug(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if s.is_empty() { "Product".into() } else { s }
}

fn conflict(message: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, message)
}

fn sku_exists() -> ApiError {
    conflict("The product with such SKU already exists").with_code("SKU_ALREADY_EXISTS")
}

fn parse_wholesale(m: &Map<String, Value>) -> ApiResult<Option<Vec<(i64, Money)>>> {
    let Some(v) = m.get("wholesalePrices") else { return Ok(None) };
    let Some(arr) = v.as_array() else { return Err(ApiError::bad_request("Field 'wholesalePrices' must be an array")) };
    let mut tiers = Vec::new();
    for t in arr {
        let t = t.as_object().ok_or_else(|| ApiError::bad_request("A wholesale price tier must be an object"))?;
        let price = match t.get("price") {
            None | Some(Value::Null) => {
                return Err(
                    conflict("Specified wholesale price can't be null").with_code("WHOLESALE_PRICES_CANT_BE_NULL")
                );
            }
            Some(p) => p.as_f64().ok_or_else(|| ApiError::bad_request("Wholesale price must be a number"))?,
        };
        if price < 0.0 {
            return Err(
                conflict("Specified wholesale price can't be negative").with_code("WHOLESALE_PRICES_CANT_BE_NEGATIVE")
            );
        }
        let qty = field::int(t, "quantity")?.unwrap_or(0);
        if qty < 2 {
            return Err(conflict("Specified wholesale price quantity is too small")
                .with_code("WHOLESALE_PRICES_QUANTITY_TOO_SMALL"));
        }
        tiers.push((qty, Money::from_f64(price)));
    }
    tiers.sort_by_key(|t| t.0);
    Ok(Some(tiers))
}

fn render_wholesale(t: &[(i64, Money)]) -> Value {
    Value::Array(t.iter().map(|(q, p)| json!({ "quantity": q, "price": p })).collect())
}

fn check_status(kind: &str, value: &str, allowed: &[&str]) -> ApiResult<()> {
    if value == "QUEUED" {
        return Err(ApiError::bad_request("Status QUEUED is deprecated, use AWAITING_PAYMENT instead"));
    }
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!("Wrong {kind} status: '{value}'")))
    }
}

/// Overlays the top-level keys of `patch` on the serialized `current` and deserializes the result.
fn merge<T: serde::Serialize + serde::de::DeserializeOwned>(current: &T, patch: &Map<String, Value>) -> ApiResult<T> {
    let mut v = serde_json::to_value(current).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if let Value::Object(m) = &mut v {
        for (k, val) in patch {
            m.insert(k.clone(), val.clone());
        }
    }
    serde_json::from_value(v).map_err(|e| ApiError::bad_request(format!("Request body is malformed: {e}")))
}

impl Store {
    pub fn new(id: u64, email: String) -> Self {
        let mut attributes = BTreeMap::new();
        attributes.insert(UPC_ATTRIBUTE_ID, AttrDef { name: "UPC".into(), kind: "UPC".into() });
        attributes.insert(BRAND_ATTRIBUTE_ID, AttrDef { name: "Brand".into(), kind: "BRAND".into() });
        let mut customer_groups = BTreeMap::new();
        customer_groups.insert(0, "General".to_string());
        Self {
            id,
            email,
            api_enabled: true,
            variations_enabled: true,
            app_scopes: None,
            products: BTreeMap::new(),
            categories: BTreeMap::new(),
            customers: BTreeMap::new(),
            customer_groups,
            orders: BTreeMap::new(),
            attributes,
            next_id: 100_000_001,
            next_order_number: 1,
            next_sku: 1,
        }
    }

    fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    // ---------- SKUs and attributes ----------

    /// Whether `sku` is used by a product or a variation other than the one being written.
    fn sku_taken(&self, sku: &str, except_product: Option<u64>, except_combination: Option<u64>) -> bool {
        self.products.values().any(|p| {
            (Some(p.id) != except_product && p.sku == sku)
                || p.combinations.iter().any(|c| Some(c.id) != except_combination && c.sku.as_deref() == Some(sku))
        })
    }

    fn generate_sku(&mut self) -> String {
        loop {
            let sku = format!("{:05}", self.next_sku);
            self.next_sku += 1;
            if !self.sku_taken(&sku, None, None) {
                return sku;
            }
        }
    }

    /// Parses `attributes: [{id|alias|name, value, show?}]`; duplicate UPC values are allowed.
    fn parse_attributes(&mut self, m: &Map<String, Value>) -> ApiResult<Option<Vec<AttrValue>>> {
        let Some(v) = m.get("attributes") else { return Ok(None) };
        let arr = v.as_array().ok_or_else(|| ApiError::bad_request("Field 'attributes' must be an array"))?;
        let mut out = Vec::new();
        for a in arr {
            let a = a.as_object().ok_or_else(|| ApiError::bad_request("An attribute must be an object"))?;
            let value = field::str(a, "value")?.unwrap_or_default();
            let show = field::str(a, "show")?.unwrap_or_else(|| "DESCR".into());
            let id = if let Some(id) = field::int(a, "id")? {
                let id = id as u64;
                if !self.attributes.contains_key(&id) {
                    return Err(ApiError::new(StatusCode::NOT_FOUND, format!("Attribute {id} not found")));
                }
                id
            } else if let Some(alias) = field::str(a, "alias")? {
                match alias.to_ascii_uppercase().as_str() {
                    "UPC" => UPC_ATTRIBUTE_ID,
                    "BRAND" => BRAND_ATTRIBUTE_ID,
                    _ => return Err(ApiError::bad_request(format!("Unknown attribute alias '{alias}'"))),
                }
            } else if let Some(name) = field::str(a, "name")? {
                match self.attributes.iter().find(|(_, d)| d.name.eq_ignore_ascii_case(&name)) {
                    Some((id, _)) => *id,
                    None => {
                        let id = self.fresh_id();
                        self.attributes.insert(id, AttrDef { name, kind: "CUSTOM".into() });
                        id
                    }
                }
            } else {
                return Err(ApiError::bad_request("An attribute needs 'id', 'alias' or 'name'"));
            };
            out.push(AttrValue { id, value, show });
        }
        Ok(Some(out))
    }

    fn render_attributes(&self, attrs: &[AttrValue]) -> Value {
        Value::Array(
            attrs
                .iter()
                .map(|a| {
                    let d = self.attributes.get(&a.id);
                    json!({
                        "id": a.id,
                        "name": d.map(|d| d.name.as_str()).unwrap_or(""),
                        "value": a.value,
                        "type": d.map(|d| d.kind.as_str()).unwrap_or("CUSTOM"),
                        "show": a.show,
                    })
                })
                .collect(),
        )
    }

    // ---------- products ----------

    fn apply_product(&mut self, p: &mut Product, m: &Map<String, Value>, creating: bool) -> ApiResult<()> {
        if let Some(name) = field::str(m, "name")? {
            p.name = name;
        }
        if creating && p.name.trim().is_empty() {
            return Err(ApiError::bad_request("Product name is required"));
        }
        if let Some(t) = field::translations(m, "nameTranslated")? {
            p.name_translated = t;
        }
        match field::str(m, "sku")? {
            Some(s) if !s.is_empty() => {
                if self.sku_taken(&s, Some(p.id), None) {
                    return Err(sku_exists());
                }
                p.sku = s;
            }
            _ if creating => p.sku = self.generate_sku(),
            _ => {}
        }
        if let Some(v) = field::money(m, "price")? {
            p.price = v;
        }
        if let Some(v) = field::money(m, "costPrice")? {
            p.cost_price = Some(v);
        }
        if let Some(v) = field::money(m, "compareToPrice")? {
            p.compare_to_price = (v.0 > 0).then_some(v);
        }
        if let Some(t) = parse_wholesale(m)? {
            p.wholesale_prices = t;
        }
        let quantity = field::int(m, "quantity")?;
        let unlimited = field::bool(m, "unlimited")?;
        if let Some(q) = quantity {
            p.quantity = q;
        }
        match (unlimited, quantity) {
            (Some(u), _) => p.unlimited = u,
            (None, Some(_)) => p.unlimited = false,
            (None, None) if creating => p.unlimited = true,
            _ => {}
        }
        if let Some(v) = field::int(m, "warningLimit")? {
            p.warning_limit = v;
        }
        if let Some(v) = field::bool(m, "enabled")? {
            p.enabled = v;
        }
        if let Some(v) = field::f64(m, "weight")? {
            p.weight = Some(v);
        }
        if let Some(v) = field::bool(m, "isShippingRequired")? {
            p.is_shipping_required = v;
        }
        if let Some(v) = field::bool(m, "fixedShippingRateOnly")? {
            p.fixed_shipping_rate_only = v;
        }
        if let Some(v) = field::money(m, "fixedShippingRate")? {
            p.fixed_shipping_rate = v;
        }
        if let Some(v) = field::str(m, "description")? {
            p.description = v;
        }
        if let Some(t) = field::translations(m, "descriptionTranslated")? {
            p.description_translated = t;
        }
        if let Some(ids) = field::ids(m, "categoryIds")? {
            if let Some(missing) = ids.iter().find(|id| !self.categories.contains_key(id)) {
                return Err(ApiError::new(StatusCode::NOT_FOUND, format!("Category {missing} not found")));
            }
            p.category_ids = ids;
        }
        if let Some(v) = field::int(m, "defaultCategoryId")? {
            p.default_category_id = v as u64;
        }
        if let Some(v) = field::int(m, "productClassId")? {
            p.product_class_id = v as u64;
        }
        if let Some(tax) = m.get("tax").and_then(Value::as_object)
            && let Some(ids) = field::ids(tax, "enabledManualTaxes")?
        {
            p.tax_ids = ids;
        }
        if let Some(v) = field::str(m, "seoTitle")? {
            p.seo_title = v;
        }
        if let Some(v) = field::str(m, "seoDescription")? {
            p.seo_description = v;
        }
        if let Some(v) = m.get("options") {
            let arr = v.as_array().ok_or_else(|| ApiError::bad_request("Field 'options' must be an array"))?;
            if arr.iter().any(|o| o.get("name").and_then(Value::as_str).is_none()) {
                return Err(ApiError::bad_request("Product option name is required"));
            }
            p.options = arr.clone();
        }
        if let Some(a) = self.parse_attributes(m)? {
            p.attributes = a;
        }
        if let Some(d) = m.get("dimensions") {
            p.dimensions = Some(
                d.as_object().cloned().ok_or_else(|| ApiError::bad_request("Field 'dimensions' must be an object"))?,
            );
        }
        Ok(())
    }

    pub fn create_product(&mut self, m: &Map<String, Value>, now: i64) -> ApiResult<(u64, Vec<EventSpec>)> {
        let id = self.fresh_id();
        let mut p =
            Product { id, enabled: true, is_shipping_required: true, created: now, updated: now, ..Default::default() };
        p.next_combination_number = 1;
        self.apply_product(&mut p, m, true)?;
        self.products.insert(id, p);
        Ok((id, vec![EventSpec::new("product.created", id)]))
    }

    pub fn update_product(&mut self, id: u64, m: &Map<String, Value>, now: i64) -> ApiResult<Vec<EventSpec>> {
        let mut p = self.products.get(&id).cloned().ok_or_else(|| ApiError::not_found("Product"))?;
        self.apply_product(&mut p, m, false)?;
        p.updated = now;
        self.products.insert(id, p);
        Ok(vec![EventSpec::new("product.updated", id)])
    }

    pub fn delete_product(&mut self, id: u64) -> ApiResult<Vec<EventSpec>> {
        self.products.remove(&id).ok_or_else(|| ApiError::not_found("Product"))?;
        Ok(vec![EventSpec::new("product.deleted", id)])
    }

    /// `quantityDelta` on a product; a result below zero is kept and reported in `warning`.
    pub fn adjust_product(&mut self, id: u64, delta: i64, now: i64) -> ApiResult<(Value, Vec<EventSpec>)> {
        let p = self.products.get_mut(&id).ok_or_else(|| ApiError::not_found("Product"))?;
        if p.unlimited {
            return Ok((json!({ "updateCount": 0 }), vec![]));
        }
        p.quantity += delta;
        p.updated = now;
        let mut body = json!({ "updateCount": 1 });
        if p.quantity < 0 {
            body["warning"] = json!(format!("Product stock is negative: {}", p.quantity));
        }
        Ok((body, vec![EventSpec::new("product.updated", id)]))
    }

    pub fn render_product(&self, p: &Product, public: bool) -> Value {
        if public && !p.enabled {
            return json!({ "id": p.id, "enabled": false });
        }
        let mut v = json!({
            "id": p.id,
            "sku": p.sku,
            "unlimited": p.unlimited,
            "inStock": p.in_stock(),
            "name": p.name,
            "nameTranslated": translations(&p.name, &p.name_translated),
            "price": p.price,
            "defaultDisplayedPrice": p.price,
            "defaultDisplayedPriceFormatted": price_text(p.price),
            "tax": { "defaultLocationIncludedTaxRate": 0, "enabledManualTaxes": p.tax_ids },
            "wholesalePrices": render_wholesale(&p.wholesale_prices),
            "isShippingRequired": p.is_shipping_required,
            "url": format!("https://store{}.company.site/{}-p{}", self.id, slug(&p.name), p.id),
            "created": format_date(p.created),
            "updated": format_date(p.updated),
            "createTimestamp": p.created,
            "updateTimestamp": p.updated,
            "productClassId": p.product_class_id,
            "enabled": p.enabled,
            "options": p.options,
            "warningLimit": p.warning_limit,
            "fixedShippingRateOnly": p.fixed_shipping_rate_only,
            "fixedShippingRate": p.fixed_shipping_rate,
            "defaultCombinationId": 0,
            "description": p.description,
            "descriptionTranslated": translations(&p.description, &p.description_translated),
            "categoryIds": p.category_ids,
            "categories": p.category_ids.iter().map(|c| json!({
                "id": c, "enabled": self.categories.get(c).is_some_and(|c| c.enabled)
            })).collect::<Vec<_>>(),
            "seoTitle": p.seo_title,
            "seoDescription": p.seo_description,
            "defaultCategoryId": p.default_category_id,
            "attributes": self.render_attributes(&p.attributes),
            "files": [],
            "combinations": p.combinations.iter().map(|c| self.render_combination(p, c)).collect::<Vec<_>>(),
            "dimensions": p.dimensions.clone().unwrap_or_default(),
            "isSampleProduct": false,
        });
        if !p.unlimited {
            v["quantity"] = json!(p.quantity);
        }
        if let Some(w) = p.weight {
            v["weight"] = json!(w);
        }
        if let Some(c) = p.cost_price {
            v["costPrice"] = json!(c);
        }
        if let Some(c) = p.compare_to_price {
            let discount = Money(c.0 - p.price.0);
            let percent = if c.0 > 0 { (discount.0 as f64 * 100.0 / c.0 as f64).round() as i64 } else { 0 };
            v["compareToPrice"] = json!(c);
            v["compareToPriceFormatted"] = json!(price_text(c));
            v["compareToPriceDiscount"] = json!(discount);
            v["compareToPriceDiscountFormatted"] = json!(price_text(discount));
            v["compareToPriceDiscountPercent"] = json!(percent);
            v["compareToPriceDiscountPercentFormatted"] = json!(format!("{percent}%"));
        }
        v
    }

    pub fn search_products(&self, q: &Params, public: bool) -> ApiResult<Vec<Value>> {
        let ids: Option<Vec<u64>> = util::param_list(q, "productId")
            .map(|l| {
                l.iter().map(|s| s.parse().map_err(|_| ApiError::bad_request("Wrong parameter 'productId'"))).collect()
            })
            .transpose()?;
        let sku = q.get("sku").filter(|s| !s.is_empty());
        let keyword = q.get("keyword").map(|k| k.trim_matches('"').to_lowercase()).filter(|k| !k.is_empty());
        let category = util::param_u64(q, "category")?;
        let enabled = util::param_bool(q, "enabled")?;
        let in_stock = util::param_bool(q, "inStock")?;
        let (cf, ct) = (util::param_date(q, "createdFrom")?, util::param_date(q, "createdTo")?);
        let (uf, ut) = (util::param_date(q, "updatedFrom")?, util::param_date(q, "updatedTo")?);
        let mut found: Vec<&Product> = self
            .products
            .values()
            .filter(|p| !public || p.enabled)
            .filter(|p| ids.as_ref().is_none_or(|ids| ids.contains(&p.id)))
            .filter(|p| {
                // `sku` and `productId` override every other filter.
                if ids.is_some() {
                    return sku.is_none_or(|s| p.sku == *s || p.combinations.iter().any(|c| c.sku.as_ref() == Some(s)));
                }
                if let Some(s) = sku {
                    return p.sku == *s || p.combinations.iter().any(|c| c.sku.as_ref() == Some(s));
                }
                keyword.as_ref().is_none_or(|k| {
                    p.name.to_lowercase().contains(k)
                        || p.sku.to_lowercase().contains(k)
                        || p.description.to_lowercase().contains(k)
                }) && category
                    .is_none_or(|c| if c == 0 { p.category_ids.is_empty() } else { p.category_ids.contains(&c) })
                    && enabled.is_none_or(|e| p.enabled == e)
                    && in_stock.is_none_or(|s| p.in_stock() == s)
                    && cf.is_none_or(|t| p.created >= t)
                    && ct.is_none_or(|t| p.created <= t)
                    && uf.is_none_or(|t| p.updated >= t)
                    && ut.is_none_or(|t| p.updated <= t)
            })
            .collect();
        match q.get("sortBy").map(String::as_str) {
            None | Some("RELEVANCE" | "DEFINED_BY_STORE_OWNER" | "ADDED_TIME_ASC") => {}
            Some("ADDED_TIME_DESC") => found.reverse(),
            Some("NAME_ASC") => found.sort_by(|a, b| a.name.cmp(&b.name)),
            Some("NAME_DESC") => found.sort_by(|a, b| b.name.cmp(&a.name)),
            Some("PRICE_ASC") => found.sort_by_key(|p| p.price),
            Some("PRICE_DESC") => found.sort_by_key(|p| std::cmp::Reverse(p.price)),
            Some("UPDATED_TIME_ASC") => found.sort_by_key(|p| (p.updated, p.id)),
            Some("UPDATED_TIME_DESC") => found.sort_by_key(|p| std::cmp::Reverse((p.updated, p.id))),
            Some(other) => return Err(ApiError::bad_request(format!("Wrong parameter 'sortBy' value: '{other}'"))),
        }
        Ok(found.into_iter().map(|p| self.render_product(p, public)).collect())
    }

    // ---------- variations ----------

    fn apply_combination(&mut self, product_id: u64, c: &mut Combination, m: &Map<String, Value>) -> ApiResult<()> {
        if let Some(v) = m.get("options") {
            let arr = v.as_array().ok_or_else(|| ApiError::bad_request("Field 'options' must be an array"))?;
            let mut opts = Vec::new();
            for o in arr {
                let o = o.as_object().ok_or_else(|| ApiError::bad_request("A variation option must be an object"))?;
                let name =
                    field::str(o, "name")?.ok_or_else(|| ApiError::bad_request("Variation option name is required"))?;
                let value = field::str(o, "value")?.unwrap_or_default();
                opts.push((name, value));
            }
            c.options = opts;
        }
        if let Some(s) = field::str(m, "sku")? {
            if s.is_empty() {
                c.sku = None;
            } else {
                if self.sku_taken(&s, None, Some(c.id)) {
                    return Err(conflict("The specified sku or options variation already exists"));
                }
                c.sku = Some(s);
                c.own_stock = true;
            }
        }
        let key = |o: &[(String, String)]| -> BTreeSet<(String, String)> { o.iter().cloned().collect() };
        let product = self.products.get(&product_id).ok_or_else(|| ApiError::not_found("Product"))?;
        if product.combinations.iter().any(|o| o.id != c.id && key(&o.options) == key(&c.options)) {
            return Err(conflict("The specified sku or options variation already exists"));
        }
        if let Some(q) = field::int(m, "quantity")? {
            c.quantity = q;
            c.own_stock = true;
            if !m.contains_key("unlimited") {
                c.unlimited = Some(false);
            }
        }
        if let Some(u) = field::bool(m, "unlimited")? {
            c.unlimited = Some(u);
            c.own_stock = true;
        }
        if let Some(v) = field::money(m, "price")? {
            c.price = Some(v);
        }
        if let Some(v) = field::money(m, "compareToPrice")? {
            c.compare_to_price = Some(v);
        }
        if let Some(t) = parse_wholesale(m)? {
            c.wholesale_prices = Some(t);
        }
        if let Some(v) = field::f64(m, "weight")? {
            c.weight = Some(v);
        }
        if let Some(v) = field::int(m, "warningLimit")? {
            c.warning_limit = Some(v);
        }
        if let Some(v) = field::bool(m, "isShippingRequired")? {
            c.is_shipping_required = Some(v);
        }
        if let Some(a) = self.parse_attributes(m)? {
            c.attributes = a;
        }
        Ok(())
    }

    fn require_variations(&self) -> ApiResult<()> {
        if self.variations_enabled {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                "The \"Product Variations\" feature are not available on the merchant plan",
            ))
        }
    }

    pub fn create_combination(
        &mut self,
        pid: u64,
        m: &Map<String, Value>,
        now: i64,
    ) -> ApiResult<(u64, Vec<EventSpec>)> {
        self.require_variations()?;
        let number = self.products.get(&pid).ok_or_else(|| ApiError::not_found("Product"))?.next_combination_number;
        let id = self.fresh_id();
        let mut c = Combination {
            id,
            number,
            options: vec![],
            sku: None,
            own_stock: false,
            quantity: 0,
            unlimited: None,
            price: None,
            compare_to_price: None,
            wholesale_prices: None,
            weight: None,
            warning_limit: None,
            is_shipping_required: None,
            attributes: vec![],
        };
        self.apply_combination(pid, &mut c, m)?;
        if c.options.is_empty() {
            return Err(ApiError::bad_request("Variation options are required"));
        }
        let p = self.products.get_mut(&pid).ok_or_else(|| ApiError::not_found("Product"))?;
        p.next_combination_number += 1;
        p.combinations.push(c);
        p.updated = now;
        Ok((id, vec![EventSpec::new("product.updated", pid)]))
    }

    pub fn update_combination(
        &mut self,
        pid: u64,
        cid: u64,
        m: &Map<String, Value>,
        now: i64,
    ) -> ApiResult<Vec<EventSpec>> {
        self.require_variations()?;
        let mut c = self.combination(pid, cid)?.clone();
        self.apply_combination(pid, &mut c, m)?;
        let p = self.products.get_mut(&pid).ok_or_else(|| ApiError::not_found("Product"))?;
        if let Some(slot) = p.combinations.iter_mut().find(|x| x.id == cid) {
            *slot = c;
        }
        p.updated = now;
        Ok(vec![EventSpec::new("product.updated", pid)])
    }

    pub fn delete_combinations(&mut self, pid: u64, cid: Option<u64>, now: i64) -> ApiResult<(usize, Vec<EventSpec>)> {
        let p = self.products.get_mut(&pid).ok_or_else(|| ApiError::not_found("Product"))?;
        let before = p.combinations.len();
        match cid {
            Some(cid) => p.combinations.retain(|c| c.id != cid),
            None => p.combinations.clear(),
        }
        let n = before - p.combinations.len();
        if cid.is_some() && n == 0 {
            return Err(ApiError::not_found("Variation"));
        }
        p.updated = now;
        Ok((n, vec![EventSpec::new("product.updated", pid)]))
    }

    /// `quantityDelta` on a variation; a variation without own stock adjusts the product's stock.
    pub fn adjust_combination(
        &mut self,
        pid: u64,
        cid: u64,
        delta: i64,
        now: i64,
    ) -> ApiResult<(Value, Vec<EventSpec>)> {
        let c = self.combination(pid, cid)?;
        if !c.own_stock {
            return self.adjust_product(pid, delta, now);
        }
        let p = self.products.get_mut(&pid).ok_or_else(|| ApiError::not_found("Product"))?;
        let c = p.combinations.iter_mut().find(|c| c.id == cid).ok_or_else(|| ApiError::not_found("Variation"))?;
        if c.unlimited == Some(true) {
            return Ok((json!({ "updateCount": 0 }), vec![]));
        }
        c.quantity += delta;
        let mut body = json!({ "updateCount": 1 });
        if c.quantity < 0 {
            body["warning"] = json!(format!("Variation stock is negative: {}", c.quantity));
        }
        p.updated = now;
        Ok((body, vec![EventSpec::new("product.updated", pid)]))
    }

    pub fn combination(&self, pid: u64, cid: u64) -> ApiResult<&Combination> {
        let p = self.products.get(&pid).ok_or_else(|| ApiError::not_found("Product"))?;
        p.combinations.iter().find(|c| c.id == cid).ok_or_else(|| ApiError::not_found("Variation"))
    }

    /// A variation as Ecwid shows it: `sku` and `price` omitted when inherited, `quantity` and
    /// `unlimited` taken from the product when the variation has no stock of its own.
    pub fn render_combination(&self, p: &Product, c: &Combination) -> Value {
        let (quantity, unlimited) =
            if c.own_stock { (c.quantity, c.unlimited.unwrap_or(false)) } else { (p.quantity, p.unlimited) };
        let mut v = json!({
            "id": c.id,
            "combinationNumber": c.number,
            "options": c.options.iter().map(|(n, val)| json!({
                "name": n, "nameTranslated": { "en": n }, "value": val, "valueTranslated": { "en": val },
            })).collect::<Vec<_>>(),
            "quantity": quantity,
            "unlimited": unlimited,
            "isShippingRequired": c.is_shipping_required.unwrap_or(p.is_shipping_required),
            "warningLimit": c.warning_limit.unwrap_or(p.warning_limit),
        });
        if let Some(s) = &c.sku {
            v["sku"] = json!(s);
        }
        if let Some(x) = c.price {
            v["price"] = json!(x);
        }
        if let Some(x) = c.compare_to_price {
            v["compareToPrice"] = json!(x);
        }
        if let Some(t) = &c.wholesale_prices {
            v["wholesalePrices"] = render_wholesale(t);
        }
        if let Some(w) = c.weight {
            v["weight"] = json!(w);
        }
        if !c.attributes.is_empty() {
            v["attributes"] = self.render_attributes(&c.attributes);
        }
        v
    }

    // ---------- categories ----------

    fn apply_category(
        &mut self,
        c: &mut Category,
        m: &Map<String, Value>,
        creating: bool,
    ) -> ApiResult<Option<Vec<u64>>> {
        if let Some(v) = field::str(m, "name")? {
            c.name = v;
        }
        if creating && c.name.trim().is_empty() {
            return Err(ApiError::bad_request("Category name is required"));
        }
        if let Some(t) = field::translations(m, "nameTranslated")? {
            c.name_translated = t;
        }
        if let Some(v) = field::str(m, "description")? {
            c.description = v;
        }
        if let Some(t) = field::translations(m, "descriptionTranslated")? {
            c.description_translated = t;
        }
        if let Some(v) = field::bool(m, "enabled")? {
            c.enabled = v;
        }
        if let Some(v) = field::int(m, "orderBy")? {
            c.order_by = v;
        }
        if let Some(v) = field::int(m, "parentId")? {
            let v = v as u64;
            if v != 0 && (v == c.id || !self.categories.contains_key(&v)) {
                return Err(ApiError::new(StatusCode::NOT_FOUND, format!("Parent category {v} not found")));
            }
            c.parent_id = v;
        }
        let product_ids = field::ids(m, "productIds")?;
        if let Some(ids) = &product_ids
            && let Some(missing) = ids.iter().find(|id| !self.products.contains_key(id))
        {
            return Err(ApiError::new(StatusCode::NOT_FOUND, format!("Product {missing} not found")));
        }
        Ok(product_ids)
    }

    /// Makes exactly `ids` members of category `cid`; returns the products whose list changed.
    fn assign_products(&mut self, cid: u64, ids: &[u64], now: i64) -> Vec<EventSpec> {
        let mut events = Vec::new();
        for p in self.products.values_mut() {
            let member = p.category_ids.contains(&cid);
            let want = ids.contains(&p.id);
            if member != want {
                if want {
                    p.category_ids.push(cid);
                } else {
                    p.category_ids.retain(|c| *c != cid);
                }
                p.updated = now;
                events.push(EventSpec::new("product.updated", p.id));
            }
        }
        events
    }

    pub fn create_category(&mut self, m: &Map<String, Value>, now: i64) -> ApiResult<(u64, Vec<EventSpec>)> {
        let id = self.fresh_id();
        let mut c = Category { id, enabled: true, updated: now, ..Default::default() };
        let ids = self.apply_category(&mut c, m, true)?;
        self.categories.insert(id, c);
        let mut events = vec![EventSpec::new("category.created", id)];
        if let Some(ids) = ids {
            events.extend(self.assign_products(id, &ids, now));
        }
        Ok((id, events))
    }

    pub fn update_category(&mut self, id: u64, m: &Map<String, Value>, now: i64) -> ApiResult<Vec<EventSpec>> {
        let mut c = self.categories.get(&id).cloned().ok_or_else(|| ApiError::not_found("Category"))?;
        let ids = self.apply_category(&mut c, m, false)?;
        c.updated = now;
        self.categories.insert(id, c);
        let mut events = vec![EventSpec::new("category.updated", id)];
        if let Some(ids) = ids {
            events.extend(self.assign_products(id, &ids, now));
        }
        Ok(events)
    }

    pub fn delete_category(&mut self, id: u64, now: i64) -> ApiResult<Vec<EventSpec>> {
        self.categories.remove(&id).ok_or_else(|| ApiError::not_found("Category"))?;
        let mut events = vec![EventSpec::new("category.deleted", id)];
        events.extend(self.assign_products(id, &[], now));
        for c in self.categories.values_mut().filter(|c| c.parent_id == id) {
            c.parent_id = 0;
        }
        Ok(events)
    }

    pub fn render_category(&self, c: &Category, public: bool, with_products: bool) -> Value {
        if public && !c.enabled {
            return json!({ "id": c.id, "enabled": false });
        }
        let members: Vec<&Product> = self.products.values().filter(|p| p.category_ids.contains(&c.id)).collect();
        let mut v = json!({
            "id": c.id,
            "orderBy": c.order_by,
            "name": c.name,
            "nameTranslated": translations(&c.name, &c.name_translated),
            "url": format!("https://store{}.company.site/{}-c{}", self.id, slug(&c.name), c.id),
            "productCount": members.len(),
            "enabledProductCount": members.iter().filter(|p| p.enabled).count(),
            "description": c.description,
            "descriptionTranslated": translations(&c.description, &c.description_translated),
            "enabled": c.enabled,
        });
        if c.parent_id != 0 {
            v["parentId"] = json!(c.parent_id);
        }
        if with_products {
            v["productIds"] = json!(members.iter().map(|p| p.id).collect::<Vec<_>>());
        }
        v
    }

    pub fn search_categories(&self, q: &Params, public: bool) -> ApiResult<Vec<Value>> {
        let parent = util::param_u64(q, "parent")?;
        let hidden = util::param_bool(q, "hidden_categories")?.unwrap_or(false) && !public;
        let with_products = util::param_bool(q, "productIds")?.unwrap_or(false);
        let mut found: Vec<&Category> = self
            .categories
            .values()
            .filter(|c| hidden || c.enabled)
            .filter(|c| parent.is_none_or(|p| c.parent_id == p))
            .collect();
        found.sort_by_key(|c| (c.order_by, c.id));
        Ok(found.into_iter().map(|c| self.render_category(c, public, with_products)).collect())
    }

    // ---------- customer groups and customers ----------

    pub fn create_group(&mut self, m: &Map<String, Value>) -> ApiResult<u64> {
        let name = field::str(m, "name")?.filter(|n| !n.trim().is_empty());
        let name = name.ok_or_else(|| ApiError::bad_request("Customer group name is required"))?;
        let id = self.fresh_id();
        self.customer_groups.insert(id, name);
        Ok(id)
    }

    pub fn update_group(&mut self, id: u64, m: &Map<String, Value>) -> ApiResult<()> {
        let name = field::str(m, "name")?;
        let g = self
            .customer_groups
            .get_mut(&id)
            .filter(|_| id != 0)
            .ok_or_else(|| ApiError::not_found("Customer group"))?;
        if let Some(n) = name {
            *g = n;
        }
        Ok(())
    }

    pub fn delete_group(&mut self, id: u64, now: i64) -> ApiResult<Vec<EventSpec>> {
        if id == 0 || self.customer_groups.remove(&id).is_none() {
            return Err(ApiError::not_found("Customer group"));
        }
        let mut events = Vec::new();
        for c in self.customers.values_mut().filter(|c| c.customer_group_id == id) {
            c.customer_group_id = 0;
            c.updated_ts = now;
            events.push(EventSpec {
                data: Some(json!({ "customerEmail": c.email })),
                ..EventSpec::new("customer.updated", c.id)
            });
        }
        Ok(events)
    }

    fn validate_customer(&self, c: &Customer) -> ApiResult<()> {
        if c.email.trim().is_empty() || !c.email.contains('@') {
            return Err(ApiError::bad_request("Customer email is required"));
        }
        if self.customers.values().any(|o| o.id != c.id && o.email.eq_ignore_ascii_case(&c.email)) {
            return Err(conflict("The customer with such email already exists"));
        }
        if !self.customer_groups.contains_key(&c.customer_group_id) {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                format!("Customer group {} not found", c.customer_group_id),
            ));
        }
        Ok(())
    }

    pub fn create_customer(&mut self, m: &Map<String, Value>, now: i64) -> ApiResult<(u64, Vec<EventSpec>)> {
        let mut c: Customer = merge(&Customer::default(), m)?;
        c.id = self.fresh_id();
        c.registered_ts = now;
        c.updated_ts = now;
        self.validate_customer(&c)?;
        let (id, email) = (c.id, c.email.clone());
        self.customers.insert(id, c);
        Ok((
            id,
            vec![EventSpec { data: Some(json!({ "customerEmail": email })), ..EventSpec::new("customer.created", id) }],
        ))
    }

    pub fn update_customer(&mut self, id: u64, m: &Map<String, Value>, now: i64) -> ApiResult<Vec<EventSpec>> {
        let old = self.customers.get(&id).ok_or_else(|| ApiError::not_found("Customer"))?;
        let mut c: Customer = merge(old, m)?;
        c.id = id;
        c.registered_ts = old.registered_ts;
        c.updated_ts = now;
        if !m.contains_key("password") {
            c.password = old.password.clone();
        }
        self.validate_customer(&c)?;
        let email = c.email.clone();
        self.customers.insert(id, c);
        Ok(vec![EventSpec { data: Some(json!({ "customerEmail": email })), ..EventSpec::new("customer.updated", id) }])
    }

    pub fn delete_customer(&mut self, id: u64) -> ApiResult<Vec<EventSpec>> {
        let c = self.customers.remove(&id).ok_or_else(|| ApiError::not_found("Customer"))?;
        Ok(vec![EventSpec {
            data: Some(json!({ "customerEmail": c.email })),
            ..EventSpec::new("customer.deleted", id)
        }])
    }

    pub fn render_customer(&self, c: &Customer) -> Value {
        let mut c = c.clone();
        c.name = c.billing_person.name.clone();
        c.registered = format_date(c.registered_ts);
        c.updated = format_date(c.updated_ts);
        c.total_order_count =
            self.orders.values().filter(|o| o.customer_id == Some(c.id) && o.payment_status != "INCOMPLETE").count()
                as u64;
        c.customer_group_name = self.customer_groups.get(&c.customer_group_id).cloned().unwrap_or_default();
        serde_json::to_value(&c).unwrap_or_default()
    }

    pub fn search_customers(&self, q: &Params) -> ApiResult<Vec<Value>> {
        let keyword = q.get("keyword").map(|k| k.to_lowercase()).filter(|k| !k.is_empty());
        let name = q.get("name").map(|k| k.to_lowercase()).filter(|k| !k.is_empty());
        let email = q.get("email").filter(|k| !k.is_empty());
        let group = util::param_u64(q, "customerGroup")?;
        let (cf, ct) = (util::param_date(q, "createdFrom")?, util::param_date(q, "createdTo")?);
        let (uf, ut) = (util::param_date(q, "updatedFrom")?, util::param_date(q, "updatedTo")?);
        let mut found: Vec<&Customer> = self
            .customers
            .values()
            .filter(|c| {
                keyword.as_ref().is_none_or(|k| {
                    c.email.to_lowercase().contains(k) || c.billing_person.name.to_lowercase().contains(k)
                }) && name.as_ref().is_none_or(|n| c.billing_person.name.to_lowercase().contains(n))
                    && email.is_none_or(|e| c.email.eq_ignore_ascii_case(e))
                    && group.is_none_or(|g| c.customer_group_id == g)
                    && cf.is_none_or(|t| c.registered_ts >= t)
                    && ct.is_none_or(|t| c.registered_ts <= t)
                    && uf.is_none_or(|t| c.updated_ts >= t)
                    && ut.is_none_or(|t| c.updated_ts <= t)
            })
            .collect();
        match q.get("sortBy").map(String::as_str) {
            None | Some("NAME_ASC") => {
                found.sort_by(|a, b| (&a.billing_person.name, a.id).cmp(&(&b.billing_person.name, b.id)))
            }
            Some("NAME_DESC") => {
                found.sort_by(|a, b| (&b.billing_person.name, b.id).cmp(&(&a.billing_person.name, a.id)))
            }
            Some("EMAIL_ASC") => found.sort_by(|a, b| a.email.cmp(&b.email)),
            Some("EMAIL_DESC") => found.sort_by(|a, b| b.email.cmp(&a.email)),
            Some("REGISTERED_DATE_ASC") => found.sort_by_key(|c| (c.registered_ts, c.id)),
            Some("REGISTERED_DATE_DESC") => found.sort_by_key(|c| std::cmp::Reverse((c.registered_ts, c.id))),
            Some("UPDATED_DATE_ASC") => found.sort_by_key(|c| (c.updated_ts, c.id)),
            Some("UPDATED_DATE_DESC") => found.sort_by_key(|c| std::cmp::Reverse((c.updated_ts, c.id))),
            Some(other) => return Err(ApiError::bad_request(format!("Wrong parameter 'sortBy' value: '{other}'"))),
        }
        Ok(found.into_iter().map(|c| self.render_customer(c)).collect())
    }

    // ---------- orders ----------

    fn order_events(kind: &str, o: &Order) -> &'static str {
        match (o.payment_status == "INCOMPLETE", kind) {
            (true, "created") => "unfinished_order.created",
            (true, "updated") => "unfinished_order.updated",
            (true, _) => "unfinished_order.deleted",
            (false, "created") => "order.created",
            (false, "updated") => "order.updated",
            (false, _) => "order.deleted",
        }
    }

    /// Finds the variation an order item refers to: by SKU, else by selected options.
    fn match_item(&self, item: &OrderItem) -> Option<(u64, Option<u64>)> {
        for p in self.products.values() {
            if item.product_id != 0 && item.product_id != p.id {
                continue;
            }
            if let Some(c) =
                p.combinations.iter().find(|c| !item.sku.is_empty() && c.sku.as_deref() == Some(item.sku.as_str()))
            {
                return Some((p.id, Some(c.id)));
            }
            let chosen: BTreeSet<(String, String)> =
                item.selected_options.iter().map(|o| (o.name.clone(), o.value.clone())).collect();
            if !chosen.is_empty()
                && let Some(c) = p.combinations.iter().find(|c| c.options.iter().all(|o| chosen.contains(o)))
            {
                return Some((p.id, Some(c.id)));
            }
            if item.product_id == p.id || (!item.sku.is_empty() && p.sku == item.sku) {
                return Some((p.id, None));
            }
        }
        None
    }

    /// Fills item details from the catalog and, when `deduct`, takes the items out of stock.
    fn settle_items(&mut self, items: &mut [OrderItem], deduct: bool, now: i64) -> Vec<EventSpec> {
        let mut touched = BTreeSet::new();
        for item in items.iter_mut() {
            if item.id == 0 {
                item.id = self.fresh_id();
            }
            for o in &mut item.selected_options {
                if o.values_array.is_empty() {
                    o.values_array = vec![o.value.clone()];
                }
                if o.selections.is_empty() {
                    o.selections = vec![Selection {
                        selection_title: o.value.clone(),
                        selection_modifier: 0.0,
                        selection_modifier_type: "ABSOLUTE".into(),
                    }];
                }
                if o.kind.is_empty() {
                    o.kind = "CHOICE".into();
                }
            }
            let Some((pid, cid)) = self.match_item(item) else { continue };
            let Some(p) = self.products.get_mut(&pid) else { continue };
            item.product_id = pid;
            if item.name.is_empty() {
                item.name = p.name.clone();
            }
            if item.product_price == Money(0) {
                item.product_price = p.price;
            }
            if item.category_id == 0 {
                item.category_id = p.default_category_id;
            }
            let combo = cid.and_then(|cid| p.combinations.iter_mut().find(|c| c.id == cid));
            let (stock, unlimited, sku) = match combo {
                Some(c) if c.own_stock => {
                    let unlimited = c.unlimited.unwrap_or(false);
                    if deduct && !unlimited {
                        c.quantity -= item.quantity;
                    }
                    (c.quantity, unlimited, c.sku.clone().unwrap_or_else(|| p.sku.clone()))
                }
                other => {
                    let sku = other.and_then(|c| c.sku.clone()).unwrap_or_else(|| p.sku.clone());
                    if deduct && !p.unlimited {
                        p.quantity -= item.quantity;
                    }
                    (p.quantity, p.unlimited, sku)
                }
            };
            if item.sku.is_empty() {
                item.sku = sku;
            }
            item.track_quantity = !unlimited;
            item.quantity_in_stock = stock;
            if deduct && !unlimited {
                p.updated = now;
                touched.insert(pid);
            }
        }
        touched.into_iter().map(|id| EventSpec::new("product.updated", id)).collect()
    }

    fn validate_order(&self, o: &Order, raw: &Map<String, Value>) -> ApiResult<()> {
        check_status("payment", &o.payment_status, PAYMENT_STATUSES)?;
        check_status("fulfillment", &o.fulfillment_status, FULFILLMENT_STATUSES)?;
        if let Some(Value::Array(items)) = raw.get("items")
            && items.iter().any(|i| i.get("quantity").is_none())
        {
            return Err(ApiError::bad_request("Field OrderItem.quantity is absent"));
        }
        if let Some(cid) = o.customer_id
            && !self.customers.contains_key(&cid)
        {
            return Err(ApiError::new(StatusCode::NOT_FOUND, format!("Customer {cid} not found")));
        }
        Ok(())
    }

    /// Places an order. `deduct` takes ordered items out of stock (not for unfinished orders).
    pub fn create_order(&mut self, m: &Map<String, Value>, deduct: bool, now: i64) -> ApiResult<(u64, Vec<EventSpec>)> {
        let mut o: Order = merge(&Order::default(), m)?;
        if o.payment_status.is_empty() {
            o.payment_status = "AWAITING_PAYMENT".into();
        }
        if o.fulfillment_status.is_empty() {
            o.fulfillment_status = "AWAITING_PROCESSING".into();
        }
        self.validate_order(&o, m)?;
        let number = self.next_order_number;
        self.next_order_number += 1;
        o.order_number = number;
        o.id = order_id(self.id, number);
        if o.vendor_order_number.is_empty() {
            o.vendor_order_number = number.to_string();
        }
        o.create_timestamp = util::parse_date(&o.create_date).unwrap_or(now);
        o.create_date = format_date(o.create_timestamp);
        o.update_timestamp = now;
        o.update_date = format_date(now);
        if !m.contains_key("subtotal") {
            o.subtotal = Money(o.items.iter().map(|i| i.price.times(i.quantity).0).sum());
        }
        if !m.contains_key("total") {
            let shipping = o.shipping_option.as_ref().map(|s| s.shipping_rate.0).unwrap_or(0);
            o.total = Money(o.subtotal.0 + o.tax.0 + shipping);
        }
        if !m.contains_key("usdTotal") {
            o.usd_total = o.total;
        }
        if o.customer_group.is_empty() {
            o.customer_group = self.customer_groups.get(&o.customer_group_id).cloned().unwrap_or_default();
        }
        let unfinished = o.payment_status == "INCOMPLETE";
        let mut items = std::mem::take(&mut o.items);
        let stock_events = self.settle_items(&mut items, deduct && !unfinished, now);
        o.items = items;
        let mut ev = EventSpec::new(Self::order_events("created", &o), number);
        if !unfinished {
            ev.data =
                Some(json!({ "newPaymentStatus": o.payment_status, "newFulfillmentStatus": o.fulfillment_status }));
        }
        self.orders.insert(number, o);
        let mut events = vec![ev];
        events.extend(stock_events);
        Ok((number, events))
    }

    /// Resolves the `{orderId}` path segment: the order number or the alphanumeric id.
    pub fn order_number(&self, key: &str) -> ApiResult<u64> {
        if let Ok(n) = key.parse::<u64>()
            && self.orders.contains_key(&n)
        {
            return Ok(n);
        }
        self.orders.values().find(|o| o.id == key).map(|o| o.order_number).ok_or_else(|| ApiError::not_found("Order"))
    }

    /// Partial update; `items`, when present, replaces all items (omitted items are removed).
    pub fn update_order(&mut self, number: u64, m: &Map<String, Value>, now: i64) -> ApiResult<Vec<EventSpec>> {
        let old = self.orders.get(&number).ok_or_else(|| ApiError::not_found("Order"))?.clone();
        let mut o: Order = merge(&old, m)?;
        self.validate_order(&o, m)?;
        o.id = old.id.clone();
        o.order_number = number;
        o.create_timestamp = old.create_timestamp;
        o.create_date = old.create_date.clone();
        o.update_timestamp = now;
        o.update_date = format_date(now);
        if m.contains_key("items") {
            let mut items = std::mem::take(&mut o.items);
            self.settle_items(&mut items, false, now);
            o.items = items;
        }
        let mut ev = EventSpec::new(Self::order_events("updated", &o), number);
        ev.data = Some(json!({
            "oldPaymentStatus": old.payment_status,
            "newPaymentStatus": o.payment_status,
            "oldFulfillmentStatus": old.fulfillment_status,
            "newFulfillmentStatus": o.fulfillment_status,
        }));
        self.orders.insert(number, o);
        Ok(vec![ev])
    }

    pub fn delete_order(&mut self, number: u64) -> ApiResult<Vec<EventSpec>> {
        let o = self.orders.remove(&number).ok_or_else(|| ApiError::not_found("Order"))?;
        Ok(vec![EventSpec::new(Self::order_events("deleted", &o), number)])
    }

    pub fn render_order(&self, o: &Order) -> Value {
        serde_json::to_value(o).unwrap_or_default()
    }

    pub fn search_orders(&self, q: &Params) -> ApiResult<Vec<Value>> {
        let numbers: Option<Vec<u64>> = util::param_list(q, "orderNumber")
            .map(|l| {
                l.iter()
                    .map(|s| s.parse().map_err(|_| ApiError::bad_request("Wrong parameter 'orderNumber'")))
                    .collect()
            })
            .transpose()?;
        let payment = util::param_list(q, "paymentStatus");
        let fulfillment = util::param_list(q, "fulfillmentStatus");
        let products: Option<Vec<u64>> = util::param_list(q, "productId")
            .map(|l| {
                l.iter().map(|s| s.parse().map_err(|_| ApiError::bad_request("Wrong parameter 'productId'"))).collect()
            })
            .transpose()?;
        let customer = util::param_u64(q, "customerId")?;
        let email = q.get("email").filter(|e| !e.is_empty());
        let vendor = q.get("vendorOrderNumber").filter(|e| !e.is_empty());
        let keywords = q.get("keywords").map(|k| k.to_lowercase()).filter(|k| !k.is_empty());
        let (cf, ct) = (util::param_date(q, "createdFrom")?, util::param_date(q, "createdTo")?);
        let (uf, ut) = (util::param_date(q, "updatedFrom")?, util::param_date(q, "updatedTo")?);
        let found = self.orders.values().rev().filter(|o| {
            if let Some(n) = &numbers {
                return n.contains(&o.order_number);
            }
            let status_ok = match &payment {
                Some(p) => p.contains(&o.payment_status),
                // Unfinished orders are returned only when asked for with paymentStatus=INCOMPLETE.
                None => o.payment_status != "INCOMPLETE",
            };
            status_ok
                && fulfillment.as_ref().is_none_or(|f| f.contains(&o.fulfillment_status))
                && products.as_ref().is_none_or(|ps| o.items.iter().any(|i| ps.contains(&i.product_id)))
                && customer.is_none_or(|c| o.customer_id == Some(c))
                && email.is_none_or(|e| o.email.eq_ignore_ascii_case(e))
                && vendor.is_none_or(|v| o.vendor_order_number == *v)
                && keywords.as_ref().is_none_or(|k| {
                    o.email.to_lowercase().contains(k)
                        || o.order_number.to_string() == *k
                        || o.items.iter().any(|i| i.sku.to_lowercase().contains(k) || i.name.to_lowercase().contains(k))
                })
                && cf.is_none_or(|t| o.create_timestamp >= t)
                && ct.is_none_or(|t| o.create_timestamp <= t)
                && uf.is_none_or(|t| o.update_timestamp >= t)
                && ut.is_none_or(|t| o.update_timestamp <= t)
        });
        Ok(found.map(|o| self.render_order(o)).collect())
    }

    /// The whole store as JSON, for `/_emulator/state` and `Emulator::state()`.
    pub fn snapshot(&self) -> Value {
        json!({
            "storeId": self.id,
            "email": self.email,
            "apiEnabled": self.api_enabled,
            "variationsEnabled": self.variations_enabled,
            "appScopes": self.app_scopes,
            "products": self.products.values().map(|p| self.render_product(p, false)).collect::<Vec<_>>(),
            "categories": self.categories.values().map(|c| self.render_category(c, false, true)).collect::<Vec<_>>(),
            "customerGroups": self.customer_groups.iter().map(|(id, n)| json!({ "id": id, "name": n })).collect::<Vec<_>>(),
            "customers": self.customers.values().map(|c| self.render_customer(c)).collect::<Vec<_>>(),
            "orders": self.orders.values().map(|o| self.render_order(o)).collect::<Vec<_>>(),
        })
    }
}

/// A short alphanumeric order id in the style of current Ecwid stores (e.g. `JJ5HH`).
fn order_id(store: u64, number: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut n = store.wrapping_mul(1_000_003).wrapping_add(number.wrapping_mul(7_919)) % 33_554_432;
    let mut s = String::new();
    for _ in 0..5 {
        s.push(ALPHABET[(n % 32) as usize] as char);
        n /= 32;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn product_without_quantity_is_unlimited_and_gets_a_generated_sku() {
        let mut s = Store::new(1, "o@x".into());
        let (id, _) = s.create_product(&obj(json!({"name": "A"})), 0).unwrap();
        let p = &s.products[&id];
        assert!(p.unlimited);
        assert_eq!(p.sku, "00001");
        let v = s.render_product(p, false);
        assert!(v.get("quantity").is_none(), "unlimited hides quantity");
    }

    #[test]
    fn order_id_is_unique_per_number() {
        let ids: BTreeSet<String> = (1..500).map(|n| order_id(1003, n)).collect();
        assert_eq!(ids.len(), 499);
    }
}

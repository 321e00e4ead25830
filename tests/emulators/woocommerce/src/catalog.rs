//! Products, variations, categories, tags, global attributes and their terms.

use serde_json::{Map, Value, json};

use crate::listing::Query;
use crate::state::{App, Event, Rec, Store};
use crate::util::*;

const PRODUCT_TYPES: &[&str] = &["simple", "grouped", "external", "variable"];
const POST_STATUSES: &[&str] = &["draft", "pending", "private", "publish"];
const STOCK_STATUSES: &[&str] = &["instock", "outofstock", "onbackorder"];
const BACKORDERS: &[&str] = &["no", "notify", "yes"];
const TAX_STATUSES: &[&str] = &["taxable", "shipping", "none"];

/// Fields a product and a variation share, with the JSON type each must have.
const SHARED_FIELDS: &[(&str, Kind)] = &[
    ("description", Kind::Str),
    ("sku", Kind::Str),
    ("regular_price", Kind::Money),
    ("sale_price", Kind::Money),
    ("date_on_sale_from", Kind::Date),
    ("date_on_sale_to", Kind::Date),
    ("virtual", Kind::Bool),
    ("downloadable", Kind::Bool),
    ("downloads", Kind::Array),
    ("download_limit", Kind::Int),
    ("download_expiry", Kind::Int),
    ("tax_status", Kind::Enum(TAX_STATUSES)),
    ("tax_class", Kind::Str),
    ("manage_stock", Kind::Bool),
    ("stock_quantity", Kind::OptInt),
    ("stock_status", Kind::Enum(STOCK_STATUSES)),
    ("backorders", Kind::Enum(BACKORDERS)),
    ("weight", Kind::Str),
    ("dimensions", Kind::Object),
    ("shipping_class", Kind::Str),
    ("menu_order", Kind::Int),
    ("meta_data", Kind::Array),
];

const PRODUCT_FIELDS: &[(&str, Kind)] = &[
    ("name", Kind::Str),
    ("slug", Kind::Str),
    ("type", Kind::Enum(PRODUCT_TYPES)),
    ("status", Kind::Enum(POST_STATUSES)),
    ("featured", Kind::Bool),
    ("catalog_visibility", Kind::Enum(&["visible", "catalog", "search", "hidden"])),
    ("short_description", Kind::Str),
    ("external_url", Kind::Str),
    ("button_text", Kind::Str),
    ("sold_individually", Kind::Bool),
    ("reviews_allowed", Kind::Bool),
    ("upsell_ids", Kind::Array),
    ("cross_sell_ids", Kind::Array),
    ("parent_id", Kind::Int),
    ("purchase_note", Kind::Str),
    ("categories", Kind::Array),
    ("tags", Kind::Array),
    ("images", Kind::Array),
    ("attributes", Kind::Array),
    ("default_attributes", Kind::Array),
    ("grouped_products", Kind::Array),
];

const VARIATION_FIELDS: &[(&str, Kind)] =
    &[("status", Kind::Enum(POST_STATUSES)), ("image", Kind::Object), ("attributes", Kind::Array)];

fn shared_template() -> Map<String, Value> {
    obj(json!({
        "description": "", "sku": "", "regular_price": "", "sale_price": "",
        "date_on_sale_from": null, "date_on_sale_from_gmt": null, "date_on_sale_to": null, "date_on_sale_to_gmt": null,
        "virtual": false, "downloadable": false, "downloads": [], "download_limit": -1, "download_expiry": -1,
        "tax_status": "taxable", "tax_class": "", "manage_stock": false, "stock_quantity": null,
        "stock_status": "instock", "backorders": "no", "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""}, "shipping_class": "",
        "menu_order": 0, "meta_data": []
    }))
}

fn product_template() -> Map<String, Value> {
    let mut m = shared_template();
    m.extend(obj(json!({
        "name": "", "slug": "", "type": "simple", "status": "publish", "featured": false,
        "catalog_visibility": "visible", "short_description": "", "total_sales": 0,
        "external_url": "", "button_text": "", "sold_individually": false, "reviews_allowed": true,
        "upsell_ids": [], "cross_sell_ids": [], "parent_id": 0, "purchase_note": "",
        "categories": [], "tags": [], "images": [], "attributes": [], "default_attributes": [],
        "grouped_products": []
    })));
    m
}

fn variation_template() -> Map<String, Value> {
    let mut m = shared_template();
    m.extend(obj(json!({ "status": "publish", "image": null, "attributes": [] })));
    m
}

// ---------- SKU rules ----------

/// Who owns `sku` (case-insensitively, trashed products excluded), other than `except`.
pub fn sku_owner(st: &Store, sku: &str, except: u64) -> Option<u64> {
    let same = |r: &Rec| r.id != except && as_str(&r.data, "sku").eq_ignore_ascii_case(sku);
    let live_product = |r: &&Rec| as_str(&r.data, "status") != "trash";
    st.products
        .values()
        .filter(live_product)
        .find(|r| same(r))
        .or_else(|| {
            st.variations
                .values()
                .filter(|v| st.products.get(&v.parent).is_some_and(|p| as_str(&p.data, "status") != "trash"))
                .find(|r| same(r))
        })
        .map(|r| r.id)
}

fn check_sku(st: &Store, input: &Map<String, Value>, self_id: u64) -> WcResult<()> {
    let Some(sku) = input.get("sku").and_then(Value::as_str) else { return Ok(()) };
    if sku.is_empty() {
        return Ok(());
    }
    if let Some(owner) = sku_owner(st, sku, self_id) {
        let mut n = 1;
        let unique = loop {
            let cand = format!("{sku}-{n}");
            if sku_owner(st, &cand, self_id).is_none() {
                break cand;
            }
            n += 1;
        };
        return Err(WcError::new(400, "product_invalid_sku", "Invalid or duplicated SKU.")
            .with("resource_id", json!(owner))
            .with("unique_sku", json!(unique)));
    }
    Ok(())
}

// ---------- derived fields ----------

/// Recomputes stock fields the way `WC_Product::validate_props` does.
fn normalise_stock(d: &mut Map<String, Value>) {
    if !as_bool(d, "manage_stock") {
        d.insert("stock_quantity".into(), Value::Null);
        d.insert("backorders".into(), json!("no"));
        return;
    }
    let qty = as_i64(d.get("stock_quantity")).unwrap_or(0);
    d.insert("stock_quantity".into(), json!(qty));
    let status = if qty > 0 {
        "instock"
    } else if as_str(d, "backorders") != "no" {
        "onbackorder"
    } else {
        "outofstock"
    };
    d.insert("stock_status".into(), json!(status));
}

/// `(price, on_sale)` from `regular_price`/`sale_price` and the sale window.
fn active_price(d: &Map<String, Value>, now: i64) -> (Option<i64>, bool) {
    let regular = parse_money(as_str(d, "regular_price"));
    let sale = parse_money(as_str(d, "sale_price"));
    let in_window = {
        let from = d.get("date_on_sale_from").and_then(Value::as_str).and_then(|s| parse_date(s, 0));
        let to = d.get("date_on_sale_to").and_then(Value::as_str).and_then(|s| parse_date(s, 0));
        from.is_none_or(|f| f <= now) && to.is_none_or(|t| now <= t)
    };
    match (regular, sale) {
        (Some(r), Some(s)) if s < r && in_window => (Some(s), true),
        (None, Some(s)) if in_window => (Some(s), true),
        (r, _) => (r, false),
    }
}

fn price_html(price: Option<i64>, regular: Option<i64>, on_sale: bool) -> String {
    let amount = |c: i64| {
        format!(
            "<span class=\"woocommerce-Price-amount amount\"><span class=\"woocommerce-Price-currencySymbol\">&#36;</span>{}</span>",
            fmt_money(c)
        )
    };
    match (price, regular) {
        (Some(p), Some(r)) if on_sale => format!("<del>{}</del> <ins>{}</ins>", amount(r), amount(p)),
        (Some(p), _) => amount(p),
        _ => String::new(),
    }
}

fn fill_sales_fields(m: &mut Map<String, Value>, price: Option<i64>, on_sale: bool) {
    let regular = parse_money(as_str(m, "regular_price"));
    m.insert("price".into(), json!(price.map(fmt_money).unwrap_or_default()));
    m.insert("on_sale".into(), json!(on_sale));
    m.insert("purchasable".into(), json!(price.is_some()));
    let backorders = as_str(m, "backorders") != "no";
    m.insert("backorders_allowed".into(), json!(backorders));
    m.insert("backordered".into(), json!(as_str(m, "stock_status") == "onbackorder"));
    m.insert("shipping_class_id".into(), json!(0));
    m.insert("price_html".into(), json!(price_html(price, regular, on_sale)));
}

// ---------- products ----------

fn children(st: &Store, product: u64) -> Vec<&Rec> {
    let mut v: Vec<&Rec> = st.variations.values().filter(|v| v.parent == product).collect();
    v.sort_by_key(|r| (as_i64(r.data.get("menu_order")).unwrap_or(0), r.id));
    v
}

fn term_refs(refs: &Value, taxonomy: &std::collections::BTreeMap<u64, Rec>) -> Value {
    let out: Vec<Value> = refs
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| as_i64(r.get("id")))
        .filter_map(|id| taxonomy.get(&(id as u64)))
        .map(|t| json!({ "id": t.id, "name": t.data["name"], "slug": t.data["slug"] }))
        .collect();
    Value::Array(out)
}

/// The REST representation of a product (`GET /products/{id}`).
pub fn render_product(app: &App, st: &Store, r: &Rec) -> Value {
    let mut m = r.data.clone();
    m.insert("id".into(), json!(r.id));
    app.put_date(&mut m, "date_created", Some(r.created));
    app.put_date(&mut m, "date_modified", Some(r.modified));
    let slug = as_str(&m, "slug").to_string();
    m.insert("permalink".into(), json!(format!("{}/product/{slug}/", app.site())));
    let now = app.now();
    let kids = children(st, r.id);
    let (price, on_sale) = if as_str(&m, "type") == "variable" {
        let prices: Vec<(Option<i64>, bool)> = kids.iter().map(|k| active_price(&k.data, now)).collect();
        (prices.iter().filter_map(|p| p.0).min(), prices.iter().any(|p| p.1))
    } else {
        active_price(&m, now)
    };
    if as_str(&m, "type") == "variable" && !kids.is_empty() && !as_bool(&m, "manage_stock") {
        let any_in = kids.iter().any(|k| as_str(&k.data, "stock_status") == "instock");
        m.insert("stock_status".into(), json!(if any_in { "instock" } else { "outofstock" }));
    }
    fill_sales_fields(&mut m, price, on_sale);
    let virt = as_bool(&m, "virtual");
    m.insert("shipping_required".into(), json!(!virt));
    m.insert("shipping_taxable".into(), json!(!virt && as_str(&m, "tax_status") != "none"));
    m.insert("average_rating".into(), json!("0.00"));
    m.insert("rating_count".into(), json!(0));
    m.insert("related_ids".into(), json!([]));
    m.insert("variations".into(), json!(kids.iter().map(|k| k.id).collect::<Vec<_>>()));
    m.insert("categories".into(), term_refs(&r.data["categories"], &st.categories));
    m.insert("tags".into(), term_refs(&r.data["tags"], &st.tags));
    let mut extra = vec![];
    if as_i64(m.get("parent_id")).unwrap_or(0) > 0 {
        extra.push(("up", format!("/products/{}", m["parent_id"])));
    }
    m.insert("_links".into(), app.links(Some(&format!("/products/{}", r.id)), "/products", &extra));
    Value::Object(m)
}

/// A variation as the products endpoint (and product webhooks) show it: product fields, `type: "variation"`.
pub fn render_variation_as_product(app: &App, st: &Store, v: &Rec) -> Value {
    let parent = st.products.get(&v.parent);
    let mut m = product_template();
    for (k, val) in &v.data {
        if k != "image" && k != "attributes" {
            m.insert(k.clone(), val.clone());
        }
    }
    let options: Vec<String> = v.data["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("option").and_then(Value::as_str).map(str::to_string))
        .collect();
    let pname = parent.map(|p| as_str(&p.data, "name").to_string()).unwrap_or_default();
    let name = if options.is_empty() { pname.clone() } else { format!("{pname} - {}", options.join(", ")) };
    m.insert("name".into(), json!(name));
    m.insert("slug".into(), json!(slugify(&name)));
    m.insert("type".into(), json!("variation"));
    m.insert("parent_id".into(), json!(v.parent));
    m.insert("attributes".into(), v.data["attributes"].clone());
    let images = if v.data["image"].is_object() { json!([v.data["image"]]) } else { json!([]) };
    m.insert("images".into(), images);
    let rec = Rec { id: v.id, parent: 0, data: m, created: v.created, modified: v.modified };
    render_product(app, st, &rec)
}

/// The REST representation of a variation (`GET /products/{p}/variations/{id}`).
pub fn render_variation(app: &App, st: &Store, v: &Rec) -> Value {
    let mut m = v.data.clone();
    m.insert("id".into(), json!(v.id));
    app.put_date(&mut m, "date_created", Some(v.created));
    app.put_date(&mut m, "date_modified", Some(v.modified));
    let parent_slug = st.products.get(&v.parent).map(|p| as_str(&p.data, "slug").to_string()).unwrap_or_default();
    let query: Vec<String> = m["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            format!(
                "attribute_{}={}",
                slugify(a.get("name").and_then(Value::as_str).unwrap_or("")),
                slugify(a.get("option").and_then(Value::as_str).unwrap_or(""))
            )
        })
        .collect();
    let q = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    m.insert("permalink".into(), json!(format!("{}/product/{parent_slug}/{q}", app.site())));
    let (price, on_sale) = active_price(&m, app.now());
    fill_sales_fields(&mut m, price, on_sale);
    m.remove("price_html");
    let base = format!("/products/{}/variations", v.parent);
    m.insert(
        "_links".into(),
        app.links(Some(&format!("{base}/{}", v.id)), &base, &[("up", format!("/products/{}", v.parent))]),
    );
    Value::Object(m)
}

fn image_obj(app: &App, st: &mut Store, v: &Value) -> Value {
    let now = app.now();
    let mut m = Map::new();
    let id = as_i64(v.get("id")).filter(|i| *i > 0).map(|i| i as u64).unwrap_or_else(|| st.post_id());
    m.insert("id".into(), json!(id));
    app.put_date(&mut m, "date_created", Some(now));
    app.put_date(&mut m, "date_modified", Some(now));
    let src = v.get("src").and_then(Value::as_str).unwrap_or("").to_string();
    let src = if src.is_empty() { format!("{}/wp-content/uploads/image-{id}.jpg", app.site()) } else { src };
    m.insert("src".into(), json!(src));
    m.insert("name".into(), json!(v.get("name").and_then(Value::as_str).unwrap_or("")));
    m.insert("alt".into(), json!(v.get("alt").and_then(Value::as_str).unwrap_or("")));
    Value::Object(m)
}

/// Merges `meta_data` by key: updated entries keep their id, new keys get one.
fn merge_meta(st: &mut Store, old: &Value, new: &Value) -> Value {
    let mut out: Vec<Value> = old.as_array().cloned().unwrap_or_default();
    for item in new.as_array().into_iter().flatten() {
        let Some(key) = item.get("key").and_then(Value::as_str) else { continue };
        match out.iter_mut().find(|o| o.get("key").and_then(Value::as_str) == Some(key)) {
            Some(o) => o["value"] = item.get("value").cloned().unwrap_or(Value::Null),
            None => {
                let id = st.meta_id();
                out.push(json!({ "id": id, "key": key, "value": item.get("value").cloned().unwrap_or(Value::Null) }));
            }
        }
    }
    Value::Array(out)
}

/// Applies the shared and resource-specific writable fields of `input` onto `d`.
fn apply_catalog_input(
    app: &App,
    st: &mut Store,
    d: &mut Map<String, Value>,
    input: &Map<String, Value>,
    specific: &[(&str, Kind)],
) -> WcResult<()> {
    let old_meta = d.get("meta_data").cloned().unwrap_or(json!([]));
    apply_fields(d, input, SHARED_FIELDS)?;
    apply_fields(d, input, specific)?;
    if input.contains_key("meta_data") {
        let merged = merge_meta(st, &old_meta, &d["meta_data"]);
        d.insert("meta_data".into(), merged);
    }
    for k in ["date_on_sale_from", "date_on_sale_to"] {
        let gmt = d.get(k).and_then(Value::as_str).and_then(|s| parse_date(s, app.cfg.utc_offset_minutes));
        app.put_date(d, k, gmt);
    }
    if input.get("images").is_some() {
        let imgs: Vec<Value> =
            d["images"].as_array().cloned().unwrap_or_default().iter().map(|i| image_obj(app, st, i)).collect();
        d.insert("images".into(), Value::Array(imgs));
    }
    if let Some(i) = input.get("image") {
        let img = if i.is_object() { image_obj(app, st, i) } else { Value::Null };
        d.insert("image".into(), img);
    }
    if input.get("attributes").is_some() && d.contains_key("default_attributes") {
        let attrs: Vec<Value> = d["attributes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|a| {
                let id = as_i64(a.get("id")).unwrap_or(0);
                let global = st.attributes.get(&(id as u64));
                json!({
                    "id": if global.is_some() { id } else { 0 },
                    "name": global.map(|g| g.data["name"].clone()).unwrap_or(a.get("name").cloned().unwrap_or(json!(""))),
                    "position": as_i64(a.get("position")).unwrap_or(0),
                    "visible": a.get("visible").and_then(Value::as_bool).unwrap_or(false),
                    "variation": a.get("variation").and_then(Value::as_bool).unwrap_or(false),
                    "options": a.get("options").cloned().unwrap_or(json!([])),
                })
            })
            .collect();
        d.insert("attributes".into(), Value::Array(attrs));
    }
    if input.get("attributes").is_some() && !d.contains_key("default_attributes") {
        let attrs: Vec<Value> = d["attributes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|a| {
                let id = as_i64(a.get("id")).unwrap_or(0);
                let global = st.attributes.get(&(id as u64));
                json!({
                    "id": if global.is_some() { id } else { 0 },
                    "name": global.map(|g| g.data["name"].clone()).unwrap_or(a.get("name").cloned().unwrap_or(json!(""))),
                    "option": a.get("option").cloned().unwrap_or(json!("")),
                })
            })
            .collect();
        d.insert("attributes".into(), Value::Array(attrs));
    }
    normalise_stock(d);
    Ok(())
}

fn unique_slug(st: &Store, base: &str, except: u64) -> String {
    let base = if base.is_empty() { "product".to_string() } else { base.to_string() };
    let taken = |s: &str| st.products.values().any(|p| p.id != except && as_str(&p.data, "slug") == s);
    if !taken(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}-{n}")).find(|s| !taken(s)).unwrap_or(base)
}

pub fn create_product(app: &App, st: &mut Store, input: &Map<String, Value>) -> WcResult<(Value, Vec<Event>)> {
    check_sku(st, input, 0)?;
    let mut d = product_template();
    apply_catalog_input(app, st, &mut d, input, PRODUCT_FIELDS)?;
    let slug = if as_str(&d, "slug").is_empty() { slugify(as_str(&d, "name")) } else { as_str(&d, "slug").to_string() };
    d.insert("slug".into(), json!(unique_slug(st, &slug, 0)));
    let now = app.now();
    let id = st.post_id();
    st.products.insert(id, Rec { id, parent: 0, data: d, created: now, modified: now });
    let body = render_product(app, st, &st.products[&id]);
    let ev = Event { resource: "product", event: "created", resource_id: id, body: body.clone() };
    Ok((body, vec![ev]))
}

pub fn update_product(app: &App, st: &mut Store, id: u64, input: &Map<String, Value>) -> WcResult<(Value, Vec<Event>)> {
    if st.variations.contains_key(&id) {
        let parent = st.variations[&id].parent;
        return update_variation(app, st, parent, id, input);
    }
    let mut d = st.products.get(&id).ok_or_else(product_not_found)?.data.clone();
    check_sku(st, input, id)?;
    apply_catalog_input(app, st, &mut d, input, PRODUCT_FIELDS)?;
    if input.contains_key("slug") || input.contains_key("name") && as_str(&d, "slug").is_empty() {
        let base =
            if as_str(&d, "slug").is_empty() { slugify(as_str(&d, "name")) } else { as_str(&d, "slug").to_string() };
        d.insert("slug".into(), json!(unique_slug(st, &base, id)));
    }
    let now = app.now();
    let r = st.products.get_mut(&id).expect("checked above");
    r.data = d;
    r.modified = now;
    let body = render_product(app, st, &st.products[&id]);
    Ok((body.clone(), vec![Event { resource: "product", event: "updated", resource_id: id, body }]))
}

pub fn product_not_found() -> WcError {
    WcError::new(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
}

pub fn get_product(app: &App, st: &Store, id: u64) -> WcResult<Value> {
    if let Some(p) = st.products.get(&id) {
        return Ok(render_product(app, st, p));
    }
    if let Some(v) = st.variations.get(&id) {
        return Ok(render_variation_as_product(app, st, v));
    }
    Err(product_not_found())
}

pub fn delete_product(app: &App, st: &mut Store, id: u64, force: bool) -> WcResult<(Value, Vec<Event>)> {
    if let Some(parent) = st.variations.get(&id).map(|v| v.parent) {
        return delete_variation(app, st, parent, id, force);
    }
    let r = st.products.get(&id).ok_or_else(product_not_found)?;
    let body = render_product(app, st, r);
    let was_trashed = as_str(&r.data, "status") == "trash";
    if force {
        st.products.remove(&id);
        st.variations.retain(|_, v| v.parent != id);
    } else {
        if was_trashed {
            return Err(WcError::new(410, "woocommerce_rest_already_trashed", "The product has already been deleted."));
        }
        let now = app.now();
        let r = st.products.get_mut(&id).expect("checked above");
        r.data.insert("status".into(), json!("trash"));
        r.modified = now;
    }
    let events = if was_trashed {
        vec![]
    } else {
        vec![Event { resource: "product", event: "deleted", resource_id: id, body: json!({ "id": id }) }]
    };
    Ok((body, events))
}

fn date_filter(q: &Query, app: &App, name: &str, t: i64, after: bool) -> WcResult<bool> {
    let Some(v) = q.get(name) else { return Ok(true) };
    let offset = if q.get("dates_are_gmt") == Some("true") { 0 } else { app.cfg.utc_offset_minutes };
    let limit = parse_date(v, offset).ok_or_else(|| WcError::invalid_param(name, "Invalid date."))?;
    Ok(if after { t > limit } else { t < limit })
}

/// Filters shared by most collections: include, exclude, search, dates, parent.
pub fn common_filter(q: &Query, app: &App, r: &Rec, name: &str) -> WcResult<bool> {
    let include = q.ids("include")?;
    if !include.is_empty() && !include.contains(&r.id) {
        return Ok(false);
    }
    if q.ids("exclude")?.contains(&r.id) {
        return Ok(false);
    }
    if let Some(s) = q.get("search")
        && !name.to_lowercase().contains(&s.to_lowercase())
    {
        return Ok(false);
    }
    Ok(date_filter(q, app, "modified_after", r.modified, true)?
        && date_filter(q, app, "modified_before", r.modified, false)?
        && date_filter(q, app, "after", r.created, true)?
        && date_filter(q, app, "before", r.created, false)?)
}

/// Sorts by `orderby`/`order` (default: newest first, as WordPress does).
pub fn sort_recs(q: &Query, recs: &mut [(&Rec, String)], default_orderby: &str) -> WcResult<()> {
    let orderby = q.get("orderby").unwrap_or(default_orderby);
    let desc = match q.get("order") {
        None => default_orderby == "date",
        Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(WcError::invalid_param("order", "order is not one of asc, desc.")),
    };
    let include = q.ids("include")?;
    match orderby {
        "date" => recs.sort_by_key(|(r, _)| (r.created, r.id)),
        "modified" => recs.sort_by_key(|(r, _)| (r.modified, r.id)),
        "id" => recs.sort_by_key(|(r, _)| r.id),
        "title" | "name" | "slug" => recs.sort_by_key(|a| a.1.to_lowercase()),
        "include" => recs.sort_by_key(|(r, _)| include.iter().position(|i| *i == r.id).unwrap_or(usize::MAX)),
        "price" => recs.sort_by_key(|(r, _)| parse_money(as_str(&r.data, "regular_price")).unwrap_or(0)),
        "menu_order" => recs.sort_by_key(|(r, _)| as_i64(r.data.get("menu_order")).unwrap_or(0)),
        other => {
            return Err(WcError::invalid_param(
                "orderby",
                &format!("orderby is not one of date, id, include, title, slug ({other})."),
            ));
        }
    }
    if desc {
        recs.reverse();
    }
    Ok(())
}

pub fn list_products(app: &App, st: &Store, q: &Query) -> WcResult<Vec<Value>> {
    let status = q.get("status").unwrap_or("any");
    if status != "any" && status != "trash" && !POST_STATUSES.contains(&status) {
        return Err(WcError::invalid_param(
            "status",
            "status is not one of any, future, trash, draft, pending, private, publish.",
        ));
    }
    let skus: Vec<String> =
        q.get("sku").map(|s| s.split(',').map(|x| x.trim().to_lowercase()).collect()).unwrap_or_default();
    let mut picked: Vec<(&Rec, String)> = vec![];
    let variations = if skus.is_empty() { vec![] } else { st.variations.values().collect() };
    for r in st.products.values().chain(variations) {
        let is_var = st.variations.contains_key(&r.id);
        let pstatus = if is_var { "publish" } else { as_str(&r.data, "status") };
        let ok_status = match status {
            "any" => pstatus != "trash",
            s => pstatus == s,
        };
        if !ok_status || !skus.is_empty() && !skus.contains(&as_str(&r.data, "sku").to_lowercase()) {
            continue;
        }
        if let Some(t) = q.get("type")
            && (is_var || as_str(&r.data, "type") != t)
        {
            continue;
        }
        if let Some(c) = q.get("category") {
            let want: Vec<i64> = c.split(',').filter_map(|x| x.trim().parse().ok()).collect();
            let has = r.data["categories"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|x| as_i64(x.get("id")).is_some_and(|i| want.contains(&i)));
            if !has {
                continue;
            }
        }
        if let Some(t) = q.get("tag") {
            let want: Vec<i64> = t.split(',').filter_map(|x| x.trim().parse().ok()).collect();
            let has = r.data["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|x| as_i64(x.get("id")).is_some_and(|i| want.contains(&i)));
            if !has {
                continue;
            }
        }
        if let Some(s) = q.get("stock_status")
            && as_str(&r.data, "stock_status") != s
        {
            continue;
        }
        if let Some(p) = q.get("parent") {
            let want: Vec<i64> = p.split(',').filter_map(|x| x.trim().parse().ok()).collect();
            if !want.contains(&as_i64(r.data.get("parent_id")).unwrap_or(0)) {
                continue;
            }
        }
        let name = as_str(&r.data, "name").to_string();
        if !common_filter(q, app, r, &name)? {
            continue;
        }
        let key = if q.get("orderby") == Some("slug") { as_str(&r.data, "slug").to_string() } else { name };
        picked.push((r, key));
    }
    sort_recs(q, &mut picked, "date")?;
    Ok(picked
        .into_iter()
        .map(|(r, _)| {
            if st.variations.contains_key(&r.id) {
                render_variation_as_product(app, st, r)
            } else {
                render_product(app, st, r)
            }
        })
        .collect())
}

// ---------- variations ----------

fn variation_not_found() -> WcError {
    WcError::new(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
}

fn parent_events(app: &App, st: &Store, product: u64) -> Event {
    let body = render_product(app, st, &st.products[&product]);
    Event { resource: "product", event: "updated", resource_id: product, body }
}

pub fn create_variation(
    app: &App,
    st: &mut Store,
    product: u64,
    input: &Map<String, Value>,
) -> WcResult<(Value, Vec<Event>)> {
    if !st.products.contains_key(&product) {
        return Err(product_not_found());
    }
    check_sku(st, input, 0)?;
    let mut d = variation_template();
    apply_catalog_input(app, st, &mut d, input, VARIATION_FIELDS)?;
    let now = app.now();
    let id = st.post_id();
    st.variations.insert(id, Rec { id, parent: product, data: d, created: now, modified: now });
    let body = render_variation(app, st, &st.variations[&id]);
    // Variation saves fire the product topics with the variation itself as the resource.
    let hook_body = render_variation_as_product(app, st, &st.variations[&id]);
    Ok((body, vec![Event { resource: "product", event: "created", resource_id: id, body: hook_body }]))
}

pub fn update_variation(
    app: &App,
    st: &mut Store,
    product: u64,
    id: u64,
    input: &Map<String, Value>,
) -> WcResult<(Value, Vec<Event>)> {
    let mut d = match st.variations.get(&id) {
        Some(v) if v.parent == product => v.data.clone(),
        _ => return Err(variation_not_found()),
    };
    check_sku(st, input, id)?;
    apply_catalog_input(app, st, &mut d, input, VARIATION_FIELDS)?;
    let now = app.now();
    let v = st.variations.get_mut(&id).expect("checked above");
    v.data = d;
    v.modified = now;
    let body = render_variation(app, st, &st.variations[&id]);
    let hook_body = render_variation_as_product(app, st, &st.variations[&id]);
    Ok((body, vec![Event { resource: "product", event: "updated", resource_id: id, body: hook_body }]))
}

pub fn get_variation(app: &App, st: &Store, product: u64, id: u64) -> WcResult<Value> {
    match st.variations.get(&id) {
        Some(v) if v.parent == product => Ok(render_variation(app, st, v)),
        _ => Err(variation_not_found()),
    }
}

pub fn delete_variation(
    app: &App,
    st: &mut Store,
    product: u64,
    id: u64,
    force: bool,
) -> WcResult<(Value, Vec<Event>)> {
    let body = get_variation(app, st, product, id)?;
    if !force {
        return Err(WcError::trash_not_supported("Variations"));
    }
    st.variations.remove(&id);
    // The parent is re-synced (price range, variation list) and saved: a product.updated for it.
    let ev = parent_events(app, st, product);
    Ok((body, vec![ev]))
}

pub fn list_variations(app: &App, st: &Store, product: u64, q: &Query) -> WcResult<Vec<Value>> {
    if !st.products.contains_key(&product) {
        return Err(product_not_found());
    }
    let skus: Vec<String> =
        q.get("sku").map(|s| s.split(',').map(|x| x.trim().to_lowercase()).collect()).unwrap_or_default();
    let mut picked = vec![];
    for v in children(st, product) {
        if !skus.is_empty() && !skus.contains(&as_str(&v.data, "sku").to_lowercase()) {
            continue;
        }
        if let Some(s) = q.get("stock_status")
            && as_str(&v.data, "stock_status") != s
        {
            continue;
        }
        if common_filter(q, app, v, as_str(&v.data, "sku"))? {
            picked.push((v, String::new()));
        }
    }
    sort_recs(q, &mut picked, "date")?;
    Ok(picked.into_iter().map(|(v, _)| render_variation(app, st, v)).collect())
}

/// Adds `delta` to the stock of a product or variation that manages stock; returns the product event.
pub fn adjust_stock(app: &App, st: &mut Store, product_id: u64, variation_id: u64, delta: i64) -> Option<Event> {
    let now = app.now();
    let (map_is_var, id) = if variation_id > 0 { (true, variation_id) } else { (false, product_id) };
    let rec = if map_is_var { st.variations.get_mut(&id)? } else { st.products.get_mut(&id)? };
    if !as_bool(&rec.data, "manage_stock") {
        return None;
    }
    let qty = as_i64(rec.data.get("stock_quantity")).unwrap_or(0) + delta;
    rec.data.insert("stock_quantity".into(), json!(qty));
    if delta < 0 {
        let sales = as_i64(rec.data.get("total_sales")).unwrap_or(0) - delta;
        if !map_is_var {
            rec.data.insert("total_sales".into(), json!(sales));
        }
    }
    normalise_stock(&mut rec.data);
    rec.modified = now;
    let body = if map_is_var {
        render_variation_as_product(app, st, &st.variations[&id])
    } else {
        render_product(app, st, &st.products[&id])
    };
    Some(Event { resource: "product", event: "updated", resource_id: id, body })
}

// ---------- taxonomy terms: categories, tags, attribute terms; attributes ----------

/// Which term collection a request addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taxonomy {
    Category,
    Tag,
    /// Terms of the global attribute with this id.
    Term(u64),
}

impl Taxonomy {
    fn base(self) -> String {
        match self {
            Taxonomy::Category => "/products/categories".into(),
            Taxonomy::Tag => "/products/tags".into(),
            Taxonomy::Term(a) => format!("/products/attributes/{a}/terms"),
        }
    }

    fn map(self, st: &Store) -> &std::collections::BTreeMap<u64, Rec> {
        match self {
            Taxonomy::Category => &st.categories,
            Taxonomy::Tag => &st.tags,
            Taxonomy::Term(_) => &st.terms,
        }
    }

    fn map_mut(self, st: &mut Store) -> &mut std::collections::BTreeMap<u64, Rec> {
        match self {
            Taxonomy::Category => &mut st.categories,
            Taxonomy::Tag => &mut st.tags,
            Taxonomy::Term(_) => &mut st.terms,
        }
    }

    fn owner(self) -> u64 {
        if let Taxonomy::Term(a) = self { a } else { 0 }
    }
}

fn term_not_found() -> WcError {
    WcError::new(404, "woocommerce_rest_term_invalid", "Resource does not exist.")
}

fn check_attr(st: &Store, tax: Taxonomy) -> WcResult<()> {
    match tax {
        Taxonomy::Term(a) if !st.attributes.contains_key(&a) => Err(attribute_not_found()),
        _ => Ok(()),
    }
}

pub fn render_term(app: &App, st: &Store, tax: Taxonomy, r: &Rec) -> Value {
    let mut m = r.data.clone();
    m.insert("id".into(), json!(r.id));
    let count = st
        .products
        .values()
        .filter(|p| as_str(&p.data, "status") != "trash")
        .filter(|p| {
            let field = match tax {
                Taxonomy::Category => "categories",
                Taxonomy::Tag => "tags",
                Taxonomy::Term(_) => return false,
            };
            p.data[field].as_array().into_iter().flatten().any(|x| as_i64(x.get("id")) == Some(r.id as i64))
        })
        .count();
    m.insert("count".into(), json!(count));
    let base = tax.base();
    let parent = as_i64(m.get("parent")).unwrap_or(0);
    let extra = if tax == Taxonomy::Category && parent > 0 { vec![("up", format!("{base}/{parent}"))] } else { vec![] };
    m.insert("_links".into(), app.links(Some(&format!("{base}/{}", r.id)), &base, &extra));
    Value::Object(m)
}

fn term_spec(tax: Taxonomy) -> Vec<(&'static str, Kind)> {
    let mut s = vec![("name", Kind::Str), ("slug", Kind::Str), ("description", Kind::Str)];
    match tax {
        Taxonomy::Category => s.extend([
            ("parent", Kind::Int),
            ("display", Kind::Enum(&["default", "products", "subcategories", "both"])),
            ("image", Kind::Object),
            ("menu_order", Kind::Int),
        ]),
        Taxonomy::Term(_) => s.push(("menu_order", Kind::Int)),
        Taxonomy::Tag => {}
    }
    s
}

fn write_term(
    app: &App,
    st: &mut Store,
    tax: Taxonomy,
    id: Option<u64>,
    input: &Map<String, Value>,
) -> WcResult<Value> {
    check_attr(st, tax)?;
    let mut d = match id {
        Some(id) => match tax.map(st).get(&id) {
            Some(r) if r.parent == tax.owner() => r.data.clone(),
            _ => return Err(term_not_found()),
        },
        None => {
            if input.get("name").and_then(Value::as_str).is_none_or(str::is_empty) {
                return Err(WcError::missing_param(&["name"]));
            }
            let mut d = obj(json!({ "name": "", "slug": "", "description": "" }));
            match tax {
                Taxonomy::Category => {
                    d.extend(obj(json!({ "parent": 0, "display": "default", "image": null, "menu_order": 0 })))
                }
                Taxonomy::Term(_) => d.extend(obj(json!({ "menu_order": 0 }))),
                Taxonomy::Tag => {}
            }
            d
        }
    };
    apply_fields(&mut d, input, &term_spec(tax))?;
    if let Some(i) = input.get("image") {
        let img = if i.is_object() { image_obj(app, st, i) } else { Value::Null };
        d.insert("image".into(), img);
    }
    let name = as_str(&d, "name").to_string();
    let parent = as_i64(d.get("parent")).unwrap_or(0);
    if let Some(dupe) = tax.map(st).values().find(|t| {
        Some(t.id) != id
            && t.parent == tax.owner()
            && as_i64(t.data.get("parent")).unwrap_or(0) == parent
            && as_str(&t.data, "name").eq_ignore_ascii_case(&name)
    }) {
        return Err(WcError::new(400, "term_exists", "A term with the name provided already exists with this parent.")
            .with("resource_id", json!(dupe.id)));
    }
    if as_str(&d, "slug").is_empty() {
        d.insert("slug".into(), json!(slugify(&name)));
    }
    let now = app.now();
    let id = match id {
        Some(id) => id,
        None => st.term_id(),
    };
    let owner = tax.owner();
    let map = tax.map_mut(st);
    let created = map.get(&id).map(|r| r.created).unwrap_or(now);
    map.insert(id, Rec { id, parent: owner, data: d, created, modified: now });
    Ok(render_term(app, st, tax, &tax.map(st)[&id]))
}

pub fn create_term(app: &App, st: &mut Store, tax: Taxonomy, input: &Map<String, Value>) -> WcResult<Value> {
    write_term(app, st, tax, None, input)
}

pub fn update_term(app: &App, st: &mut Store, tax: Taxonomy, id: u64, input: &Map<String, Value>) -> WcResult<Value> {
    write_term(app, st, tax, Some(id), input)
}

pub fn get_term(app: &App, st: &Store, tax: Taxonomy, id: u64) -> WcResult<Value> {
    check_attr(st, tax)?;
    match tax.map(st).get(&id) {
        Some(r) if r.parent == tax.owner() => Ok(render_term(app, st, tax, r)),
        _ => Err(term_not_found()),
    }
}

pub fn delete_term(app: &App, st: &mut Store, tax: Taxonomy, id: u64, force: bool) -> WcResult<Value> {
    let body = get_term(app, st, tax, id)?;
    if !force {
        return Err(WcError::trash_not_supported("Resource"));
    }
    tax.map_mut(st).remove(&id);
    Ok(body)
}

pub fn list_terms(app: &App, st: &Store, tax: Taxonomy, q: &Query) -> WcResult<Vec<Value>> {
    check_attr(st, tax)?;
    let mut picked = vec![];
    for r in tax.map(st).values().filter(|r| r.parent == tax.owner()) {
        if let Some(p) = q.get("parent")
            && p.parse::<i64>().ok() != as_i64(r.data.get("parent"))
        {
            continue;
        }
        if let Some(s) = q.get("slug")
            && as_str(&r.data, "slug") != s
        {
            continue;
        }
        let rendered = render_term(app, st, tax, r);
        if q.get("hide_empty") == Some("true") && rendered["count"] == json!(0) {
            continue;
        }
        let include = q.ids("include")?;
        if !include.is_empty() && !include.contains(&r.id) || q.ids("exclude")?.contains(&r.id) {
            continue;
        }
        if let Some(s) = q.get("search")
            && !as_str(&r.data, "name").to_lowercase().contains(&s.to_lowercase())
        {
            continue;
        }
        picked.push((r, as_str(&r.data, "name").to_string()));
    }
    let default = if matches!(tax, Taxonomy::Term(_)) { "menu_order" } else { "name" };
    let mut q2 = q.clone();
    if q.get("order").is_none() {
        q2.set("order", "asc");
    }
    sort_recs(&q2, &mut picked, default)?;
    Ok(picked.into_iter().map(|(r, _)| render_term(app, st, tax, r)).collect())
}

fn attribute_not_found() -> WcError {
    WcError::new(404, "woocommerce_rest_attribute_invalid", "Resource does not exist.")
}

pub fn render_attribute(app: &App, r: &Rec) -> Value {
    let mut m = r.data.clone();
    m.insert("id".into(), json!(r.id));
    m.insert("_links".into(), app.links(Some(&format!("/products/attributes/{}", r.id)), "/products/attributes", &[]));
    Value::Object(m)
}

pub fn write_attribute(app: &App, st: &mut Store, id: Option<u64>, input: &Map<String, Value>) -> WcResult<Value> {
    let mut d = match id {
        Some(id) => st.attributes.get(&id).ok_or_else(attribute_not_found)?.data.clone(),
        None => {
            if input.get("name").and_then(Value::as_str).is_none_or(str::is_empty) {
                return Err(WcError::missing_param(&["name"]));
            }
            obj(json!({ "name": "", "slug": "", "type": "select", "order_by": "menu_order", "has_archives": false }))
        }
    };
    apply_fields(
        &mut d,
        input,
        &[
            ("name", Kind::Str),
            ("slug", Kind::Str),
            ("type", Kind::Enum(&["select", "text"])),
            ("order_by", Kind::Enum(&["menu_order", "name", "name_num", "id"])),
            ("has_archives", Kind::Bool),
        ],
    )?;
    let raw = if as_str(&d, "slug").is_empty() { slugify(as_str(&d, "name")) } else { as_str(&d, "slug").to_string() };
    let slug = if raw.starts_with("pa_") { raw } else { format!("pa_{raw}") };
    if st.attributes.values().any(|a| Some(a.id) != id && as_str(&a.data, "slug") == slug) {
        return Err(WcError::new(
            400,
            "woocommerce_rest_cannot_create",
            &format!("Slug \"{slug}\" is already in use. Change it, please."),
        ));
    }
    d.insert("slug".into(), json!(slug));
    let now = app.now();
    let id = id.unwrap_or_else(|| {
        let i = st.next_attr;
        st.next_attr += 1;
        i
    });
    let created = st.attributes.get(&id).map(|r| r.created).unwrap_or(now);
    st.attributes.insert(id, Rec { id, parent: 0, data: d, created, modified: now });
    Ok(render_attribute(app, &st.attributes[&id]))
}

pub fn get_attribute(app: &App, st: &Store, id: u64) -> WcResult<Value> {
    st.attributes.get(&id).map(|r| render_attribute(app, r)).ok_or_else(attribute_not_found)
}

pub fn delete_attribute(app: &App, st: &mut Store, id: u64, force: bool) -> WcResult<Value> {
    let body = get_attribute(app, st, id)?;
    if !force {
        return Err(WcError::trash_not_supported("Resource"));
    }
    st.attributes.remove(&id);
    st.terms.retain(|_, t| t.parent != id);
    Ok(body)
}

/// Unit price in cents an order line uses for a product or variation (sale price when lower;
/// the sale schedule is ignored here).
pub fn unit_price(d: &Map<String, Value>) -> i64 {
    let regular = parse_money(as_str(d, "regular_price"));
    let sale = parse_money(as_str(d, "sale_price"));
    match (regular, sale) {
        (Some(r), Some(s)) => r.min(s),
        (r, s) => r.or(s).unwrap_or(0),
    }
}

//! Tax rates, tax classes and payment gateways.

use serde_json::{Map, Value, json};

use crate::listing::Query;
use crate::state::{App, Rec, Store};
use crate::util::*;

fn tax_not_found() -> WcError {
    WcError::new(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")
}

pub fn render_tax(app: &App, r: &Rec) -> Value {
    let mut m = r.data.clone();
    m.insert("id".into(), json!(r.id));
    m.insert("_links".into(), app.links(Some(&format!("/taxes/{}", r.id)), "/taxes", &[]));
    Value::Object(m)
}

fn fmt_rate(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return Some(String::new());
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| format!("{f:.4}"))
}

pub fn write_tax(app: &App, st: &mut Store, id: Option<u64>, input: &Map<String, Value>) -> WcResult<Value> {
    let mut d = match id {
        Some(id) => st.taxes.get(&id).ok_or_else(tax_not_found)?.data.clone(),
        None => obj(json!({
            "country": "", "state": "", "postcode": "", "city": "", "postcodes": [], "cities": [],
            "rate": "", "name": "", "priority": 1, "compound": false, "shipping": true, "order": 0, "class": "standard"
        })),
    };
    apply_fields(
        &mut d,
        input,
        &[
            ("country", Kind::Str),
            ("state", Kind::Str),
            ("postcode", Kind::Str),
            ("city", Kind::Str),
            ("postcodes", Kind::Array),
            ("cities", Kind::Array),
            ("rate", Kind::Str),
            ("name", Kind::Str),
            ("priority", Kind::Int),
            ("compound", Kind::Bool),
            ("shipping", Kind::Bool),
            ("order", Kind::Int),
            ("class", Kind::Str),
        ],
    )?;
    if !st.tax_classes.iter().any(|(s, _)| s == as_str(&d, "class")) {
        let slugs: Vec<&str> = st.tax_classes.iter().map(|(s, _)| s.as_str()).collect();
        return Err(WcError::invalid_param("class", &format!("class is not one of {}.", slugs.join(", "))));
    }
    let rate = fmt_rate(as_str(&d, "rate")).ok_or_else(|| WcError::invalid_param("rate", "rate is not a number."))?;
    d.insert("rate".into(), json!(rate));
    for (one, many) in [("postcode", "postcodes"), ("city", "cities")] {
        if input.contains_key(many) {
            let last = d[many].as_array().and_then(|a| a.last()).cloned().unwrap_or(json!(""));
            d.insert(one.into(), last);
        } else if input.contains_key(one) {
            let v = d[one].clone();
            d.insert(many.into(), if v == json!("") { json!([]) } else { json!([v]) });
        }
    }
    let now = app.now();
    let id = id.unwrap_or_else(|| {
        let i = st.next_tax;
        st.next_tax += 1;
        i
    });
    let created = st.taxes.get(&id).map(|r| r.created).unwrap_or(now);
    st.taxes.insert(id, Rec { id, parent: 0, data: d, created, modified: now });
    Ok(render_tax(app, &st.taxes[&id]))
}

pub fn get_tax(app: &App, st: &Store, id: u64) -> WcResult<Value> {
    st.taxes.get(&id).map(|r| render_tax(app, r)).ok_or_else(tax_not_found)
}

pub fn delete_tax(app: &App, st: &mut Store, id: u64, force: bool) -> WcResult<Value> {
    let body = get_tax(app, st, id)?;
    if !force {
        return Err(WcError::trash_not_supported("Taxes"));
    }
    st.taxes.remove(&id);
    Ok(body)
}

pub fn list_taxes(app: &App, st: &Store, q: &Query) -> WcResult<Vec<Value>> {
    let mut v: Vec<&Rec> =
        st.taxes.values().filter(|r| q.get("class").is_none_or(|c| as_str(&r.data, "class") == c)).collect();
    match q.get("orderby").unwrap_or("order") {
        "order" => v.sort_by_key(|r| (as_i64(r.data.get("order")).unwrap_or(0), r.id)),
        "id" => v.sort_by_key(|r| r.id),
        o => return Err(WcError::invalid_param("orderby", &format!("orderby is not one of id, order ({o})."))),
    }
    if q.get("order") == Some("desc") {
        v.reverse();
    }
    Ok(v.into_iter().map(|r| render_tax(app, r)).collect())
}

// ---------- tax classes ----------

pub fn render_tax_class(app: &App, slug: &str, name: &str) -> Value {
    json!({ "slug": slug, "name": name, "_links": app.links(None, "/taxes/classes", &[]) })
}

pub fn list_tax_classes(app: &App, st: &Store) -> Vec<Value> {
    st.tax_classes.iter().map(|(s, n)| render_tax_class(app, s, n)).collect()
}

pub fn create_tax_class(app: &App, st: &mut Store, input: &Map<String, Value>) -> WcResult<Value> {
    let name = match input.get("name") {
        None => return Err(WcError::missing_param(&["name"])),
        Some(v) => coerce("name", Kind::Str, v)?.as_str().unwrap_or("").trim().to_string(),
    };
    let slug = slugify(&name);
    if name.is_empty() || st.tax_classes.iter().any(|(s, n)| *s == slug || n.eq_ignore_ascii_case(&name)) {
        return Err(WcError::new(400, "tax_class_exists", "Tax class already exists"));
    }
    st.tax_classes.push((slug.clone(), name.clone()));
    Ok(render_tax_class(app, &slug, &name))
}

pub fn delete_tax_class(app: &App, st: &mut Store, slug: &str, force: bool) -> WcResult<Value> {
    let pos = st
        .tax_classes
        .iter()
        .position(|(s, _)| s == slug && s != "standard")
        .ok_or_else(|| WcError::new(404, "woocommerce_rest_tax_class_invalid_slug", "Tax class does not exist."))?;
    if !force {
        return Err(WcError::trash_not_supported("Taxes classes"));
    }
    let (s, n) = st.tax_classes.remove(pos);
    st.taxes.retain(|_, t| as_str(&t.data, "class") != s);
    Ok(render_tax_class(app, &s, &n))
}

// ---------- payment gateways ----------

fn setting(id: &str, label: &str, kind: &str, value: &str, default: &str, description: &str) -> (String, Value) {
    (
        id.to_string(),
        json!({ "id": id, "label": label, "description": description, "type": kind, "value": value,
                "default": default, "tip": description, "placeholder": "" }),
    )
}

/// The core gateways of a fresh shop: bank transfer, cheque, cash on delivery (no automatic
/// refunds) and PayPal Standard (supports refunds).
pub fn default_gateways() -> Vec<Map<String, Value>> {
    let gw = |id: &str, order: i64, enabled: bool, title: &str, method_title: &str, desc: &str, supports: &[&str]| {
        let settings: Map<String, Value> = [
            setting(
                "title",
                "Title",
                "text",
                title,
                title,
                "This controls the title which the user sees during checkout.",
            ),
            setting(
                "instructions",
                "Instructions",
                "textarea",
                desc,
                "",
                "Instructions that will be added to the thank you page and emails.",
            ),
        ]
        .into_iter()
        .collect();
        obj(json!({
            "id": id, "title": title, "description": desc, "order": order, "enabled": enabled,
            "method_title": method_title, "method_description": format!("{method_title} payments."),
            "method_supports": supports, "settings": settings
        }))
    };
    vec![
        gw(
            "bacs",
            0,
            true,
            "Direct bank transfer",
            "BACS",
            "Make your payment directly into our bank account.",
            &["products"],
        ),
        gw("cheque", 1, false, "Check payments", "Check payments", "Please send a check to Store Name.", &["products"]),
        gw("cod", 2, true, "Cash on delivery", "Cash on delivery", "Pay with cash upon delivery.", &["products"]),
        gw("paypal", 3, false, "PayPal", "PayPal Standard", "Pay via PayPal.", &["products", "refunds"]),
    ]
}

fn gateway_not_found() -> WcError {
    WcError::new(404, "woocommerce_rest_payment_gateway_invalid", "Invalid payment gateway ID.")
}

pub fn render_gateway(app: &App, g: &Map<String, Value>) -> Value {
    let mut m = g.clone();
    let id = as_str(g, "id").to_string();
    m.insert("_links".into(), app.links(Some(&format!("/payment_gateways/{id}")), "/payment_gateways", &[]));
    Value::Object(m)
}

pub fn get_gateway(app: &App, st: &Store, id: &str) -> WcResult<Value> {
    st.gateways.iter().find(|g| as_str(g, "id") == id).map(|g| render_gateway(app, g)).ok_or_else(gateway_not_found)
}

pub fn update_gateway(app: &App, st: &mut Store, id: &str, input: &Map<String, Value>) -> WcResult<Value> {
    let g = st.gateways.iter_mut().find(|g| as_str(g, "id") == id).ok_or_else(gateway_not_found)?;
    apply_fields(
        g,
        input,
        &[("title", Kind::Str), ("description", Kind::Str), ("order", Kind::Int), ("enabled", Kind::Bool)],
    )?;
    if let Some(t) = input.get("title").and_then(Value::as_str)
        && let Some(s) = g.get_mut("settings").and_then(|s| s.get_mut("title"))
    {
        s["value"] = json!(t);
    }
    if let Some(Value::Object(given)) = input.get("settings") {
        for (k, v) in given {
            let Some(s) = g.get_mut("settings").and_then(|s| s.get_mut(k)) else {
                return Err(WcError::invalid_param("settings", &format!("{k} is not a setting of this gateway.")));
            };
            s["value"] = v.clone();
        }
        if let Some(t) = given.get("title") {
            g.insert("title".into(), t.clone());
        }
    }
    Ok(render_gateway(app, g))
}

pub fn list_gateways(app: &App, st: &Store) -> Vec<Value> {
    st.gateways.iter().map(|g| render_gateway(app, g)).collect()
}

//! Structural comparison of an emulator response with a reference example: same field names
//! (recursively) and the same JSON types.
//!
//! Both documents are flattened to `path -> {types}` with `a.b` for object fields and `a[]` for
//! array elements (all elements of an array share one path). Then:
//! * every path of the actual document must exist in the example with a type the example uses,
//!   unless it is under an example container whose contents the example does not show (an empty
//!   array or object) or it is listed in `extras` (fields from the current docs, say why);
//! * every path of the example must exist in the actual document unless it is listed (or lies
//!   under an entry) in `omitted` (fields the emulator deliberately leaves out, say why).
//!
//! `omitted` entries must name example paths that the actual document really lacks, and `extras`
//! entries must not be example paths, so the lists cannot go stale silently.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JType {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

fn jtype(v: &Value) -> JType {
    match v {
        Value::Null => JType::Null,
        Value::Bool(_) => JType::Bool,
        Value::Number(_) => JType::Number,
        Value::String(_) => JType::String,
        Value::Array(_) => JType::Array,
        Value::Object(_) => JType::Object,
    }
}

pub type Flat = BTreeMap<String, BTreeSet<JType>>;

pub fn flatten(v: &Value) -> Flat {
    fn walk(path: &str, v: &Value, out: &mut Flat) {
        out.entry(path.to_string()).or_default().insert(jtype(v));
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    walk(&p, child, out);
                }
            }
            Value::Array(a) => {
                for child in a {
                    walk(&format!("{path}[]"), child, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Flat::new();
    walk("", v, &mut out);
    out
}

/// `path` is `prefix` or lies below it.
fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.') || rest.starts_with("[]"))
        || (prefix.is_empty() && !path.is_empty())
}

/// Compares `actual` with `example`; returns every difference found.
pub fn compare(example: &Value, actual: &Value, omitted: &[&str], extras: &[&str]) -> Result<(), Vec<String>> {
    let ex = flatten(example);
    let ac = flatten(actual);
    let mut errors = Vec::new();
    // Example containers shown empty: their contents are not described by the example.
    let open: Vec<&String> = ex
        .iter()
        .filter(|(p, t)| {
            (t.contains(&JType::Array) || t.contains(&JType::Object)) && !ex.keys().any(|k| k != *p && under(k, p))
        })
        .map(|(p, _)| p)
        .collect();
    for (path, types) in &ac {
        match ex.get(path) {
            Some(et) => {
                for t in types {
                    if !et.contains(t) {
                        errors.push(format!("`{path}`: type {t:?}, example has {et:?}"));
                    }
                }
            }
            None => {
                let in_open = open.iter().any(|o| under(path, o) && path != *o);
                let allowed = extras.iter().any(|e| under(path, e));
                if !in_open && !allowed {
                    errors.push(format!("`{path}`: field not in the example"));
                }
            }
        }
    }
    for path in ex.keys() {
        if !ac.contains_key(path) && !omitted.iter().any(|o| under(path, o)) {
            errors.push(format!("`{path}`: missing (example has it)"));
        }
    }
    for o in omitted {
        if !ex.contains_key(*o) {
            errors.push(format!("omitted `{o}` is not an example field"));
        } else if ac.contains_key(*o) {
            errors.push(format!("omitted `{o}` is present after all"));
        }
    }
    for e in extras {
        if ex.contains_key(*e) {
            errors.push(format!("extra `{e}` is an example field; do not list it"));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// `<repo>/../shared/reference`, found from this crate's manifest dir (or `POSBRIDGE_REFERENCE_DIR`).
pub fn reference_dir() -> PathBuf {
    let dir = std::env::var_os("POSBRIDGE_REFERENCE_DIR").map(PathBuf::from).unwrap_or_else(|| {
        // tests/emulators/ecwid -> repo root -> sibling `shared/reference`
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/reference")
    });
    assert!(
        dir.join("ecwid/examples").is_dir(),
        "Ecwid reference examples not found at {}: the shape tests need the read-only reference folder \
         `<repo>/../shared/reference` (set POSBRIDGE_REFERENCE_DIR to point elsewhere)",
        dir.display()
    );
    dir
}

/// Loads `reference/ecwid/examples/{name}`.
pub fn example(name: &str) -> Value {
    let path = reference_dir().join("ecwid/examples").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Asserts the shapes match, printing every difference.
pub fn assert_shape(example_name: &str, example: &Value, actual: &Value, omitted: &[&str], extras: &[&str]) {
    if let Err(errors) = compare(example, actual, omitted, extras) {
        panic!("response differs from {example_name}:\n  {}\nactual: {actual:#}", errors.join("\n  "));
    }
}

// The comparison itself must reject mismatching documents.
mod self_tests {
    use super::*;
    use serde_json::json;

    fn product() -> Value {
        example("products--search-products--response-example-json.json")
    }

    #[test]
    fn an_example_matches_itself() {
        assert_eq!(compare(&product(), &product(), &[], &[]), Ok(()));
    }

    #[test]
    fn rejects_a_renamed_field() {
        let mut doc = product();
        let item = doc["items"][0].as_object_mut().unwrap();
        let v = item.remove("unlimited").unwrap();
        item.insert("isUnlimited".into(), v);
        let errs = compare(&product(), &doc, &[], &[]).unwrap_err();
        assert!(errs.iter().any(|e| e.contains("items[].isUnlimited") && e.contains("not in the example")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("items[].unlimited") && e.contains("missing")), "{errs:?}");
    }

    #[test]
    fn rejects_a_wrong_type_deep_inside() {
        let mut doc = product();
        doc["items"][0]["attributes"][0]["id"] = json!("8258226");
        let errs = compare(&product(), &doc, &[], &[]).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains("items[].attributes[].id") && errs[0].contains("String"), "{errs:?}");
    }

    #[test]
    fn rejects_a_missing_field_unless_declared_omitted() {
        let mut doc = product();
        doc["items"][0].as_object_mut().unwrap().remove("media");
        assert!(compare(&product(), &doc, &[], &[]).is_err());
        assert_eq!(compare(&product(), &doc, &["items[].media"], &[]), Ok(()));
    }

    #[test]
    fn stale_omitted_and_extra_lists_are_rejected() {
        let errs =
            compare(&product(), &product(), &["items[].media", "items[].noSuchField"], &["items[].sku"]).unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
    }

    #[test]
    fn contents_of_containers_shown_empty_are_not_judged() {
        let ex = json!({ "options": [], "dimensions": {}, "id": 1 });
        let ok = json!({ "options": [{ "name": "Size" }], "dimensions": { "length": 1 }, "id": 2 });
        assert_eq!(compare(&ex, &ok, &[], &[]), Ok(()));
        let bad = json!({ "options": {}, "dimensions": {}, "id": 2 });
        assert!(compare(&ex, &bad, &[], &[]).is_err(), "the container's own type still counts");
    }

    #[test]
    fn integers_and_decimals_are_both_numbers() {
        assert_eq!(compare(&json!({ "price": 10 }), &json!({ "price": 10.5 }), &[], &[]), Ok(()));
        assert!(compare(&json!({ "price": 10 }), &json!({ "price": "10" }), &[], &[]).is_err());
    }
}

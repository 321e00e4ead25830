//! A small validator for the OpenAPI 3.0 subset the BigCommerce specs use: `$ref` (local),
//! `type`, `properties`, `required`, `items`, `enum`, `nullable` / `x-nullable`,
//! `allOf` / `oneOf` / `anyOf`, `additionalProperties`. Not checked: `format`, lengths,
//! `minItems`/`maxItems`/`uniqueItems`, patterns. `oneOf` passes when at least one branch matches
//! (the specs' `oneOf`s are not mutually exclusive, e.g. four array shapes that all accept `[]`).

use std::path::PathBuf;

use serde_json::Value;

/// `<repo>/../shared/reference/bigcommerce/openapi`, or a panic that says where it looked.
pub fn spec_dir() -> PathBuf {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let dir = repo.join("../shared/reference/bigcommerce/openapi");
    assert!(
        dir.is_dir(),
        "BigCommerce OpenAPI reference not found at {} (expected <repo>/../shared/reference/bigcommerce/openapi)",
        dir.display()
    );
    dir
}

fn yaml_to_json(y: serde_yaml::Value) -> Value {
    match y {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                serde_json::Number::from_f64(n.as_f64().unwrap_or(0.0)).map(Value::Number).unwrap_or(Value::Null)
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(s) => Value::Array(s.into_iter().map(yaml_to_json).collect()),
        serde_yaml::Value::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        serde_yaml::Value::String(s) => s,
                        serde_yaml::Value::Number(n) => n.to_string(),
                        serde_yaml::Value::Bool(b) => b.to_string(),
                        other => format!("{other:?}"),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        serde_yaml::Value::Tagged(t) => yaml_to_json(t.value),
    }
}

pub struct Spec {
    pub name: String,
    root: Value,
}

impl Spec {
    pub fn load(file: &str) -> Self {
        let path = spec_dir().join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let y: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("bad YAML in {file}: {e}"));
        Self { name: file.to_string(), root: yaml_to_json(y) }
    }

    /// A spec from an in-memory JSON document (for the validator's own tests).
    pub fn from_json(root: Value) -> Self {
        Self { name: "inline".into(), root }
    }

    /// Follows a local `$ref` (`#/components/schemas/X`, `#/definitions/X`, ...).
    pub fn resolve<'a>(&'a self, mut s: &'a Value) -> &'a Value {
        for _ in 0..64 {
            let Some(r) = s.get("$ref").and_then(Value::as_str) else { return s };
            let ptr =
                r.strip_prefix('#').unwrap_or_else(|| panic!("{}: only local $refs are supported, got {r}", self.name));
            s = self.root.pointer(ptr).unwrap_or_else(|| panic!("{}: unresolvable $ref {r}", self.name));
        }
        panic!("{}: $ref chain too long", self.name)
    }

    fn operation(&self, path: &str, method: &str) -> &Value {
        let paths = self.root.get("paths").unwrap_or_else(|| panic!("{}: no paths", self.name));
        let item = paths.get(path).unwrap_or_else(|| panic!("{}: no path {path}", self.name));
        let item = self.resolve(item);
        item.get(method).unwrap_or_else(|| panic!("{}: no {method} on {path}", self.name))
    }

    /// The response schema for a status (`None` when the response has no body; `{}` when it has
    /// a body of any shape), or an error when the status is not documented for the operation.
    pub fn response_schema(&self, path: &str, method: &str, status: u16) -> Result<Option<Value>, String> {
        let responses = self.operation(path, method).get("responses").cloned().unwrap_or(Value::Null);
        let key = [status.to_string(), format!("{}XX", status / 100), "default".to_string()]
            .into_iter()
            .find(|k| responses.get(k).is_some())
            .ok_or_else(|| format!("{}: {method} {path} does not document status {status}", self.name))?;
        let op = self.operation(path, method);
        let resp = self.resolve(&op["responses"][&key]);
        let Some(content) = resp.get("content").and_then(Value::as_object) else { return Ok(None) };
        let media = ["application/json", "application/problem+json"]
            .iter()
            .find_map(|m| content.get(*m))
            .or_else(|| content.values().next());
        Ok(media.map(|m| m.get("schema").cloned().unwrap_or(Value::Object(Default::default()))))
    }

    /// Validates `v` against `schema`; returns every violation with its JSON path.
    pub fn validate(&self, schema: &Value, v: &Value) -> Result<(), Vec<String>> {
        let mut errs = Vec::new();
        self.check(schema, v, "$", &mut errs);
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }

    fn check(&self, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
        let s = self.resolve(schema);
        if v.is_null()
            && (s.get("nullable") == Some(&Value::Bool(true)) || s.get("x-nullable") == Some(&Value::Bool(true)))
        {
            return;
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for sub in all {
                self.check(sub, v, at, errs);
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(alts) = s.get(key).and_then(Value::as_array) {
                let ok = alts.iter().any(|sub| {
                    let mut e = Vec::new();
                    self.check(sub, v, at, &mut e);
                    e.is_empty()
                });
                if !ok {
                    errs.push(format!("{at}: matches no branch of {key}"));
                }
            }
        }
        if let Some(t) = s.get("type").and_then(Value::as_str) {
            let ok = match t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                _ => true,
            };
            if !ok {
                errs.push(format!("{at}: expected {t}, got {}", short(v)));
                return;
            }
        }
        if let Some(allowed) = s.get("enum").and_then(Value::as_array)
            && !allowed.contains(v)
        {
            errs.push(format!("{at}: {} is not one of {}", short(v), Value::Array(allowed.clone())));
        }
        if let Some(obj) = v.as_object() {
            let props = s.get("properties").and_then(Value::as_object);
            for r in s.get("required").and_then(Value::as_array).into_iter().flatten() {
                if let Some(r) = r.as_str()
                    && !obj.contains_key(r)
                {
                    errs.push(format!("{at}: missing required property {r}"));
                }
            }
            for (k, val) in obj {
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => self.check(ps, val, &format!("{at}.{k}"), errs),
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => errs.push(format!("{at}: unexpected property {k}")),
                        Some(extra @ Value::Object(_)) => self.check(extra, val, &format!("{at}.{k}"), errs),
                        _ => {}
                    },
                }
            }
        }
        if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
            for (i, el) in arr.iter().enumerate() {
                self.check(items, el, &format!("{at}[{i}]"), errs);
            }
        }
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 { format!("{}…", &s[..60]) } else { s }
}

mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Spec {
        Spec::from_json(json!({
            "components": { "schemas": {
                "Base": { "type": "object", "required": ["id"], "properties": {
                    "id": { "type": "integer" },
                    "kind": { "type": "string", "enum": ["a", "b"] },
                    "note": { "type": "string", "nullable": true },
                    "legacy": { "type": "string", "x-nullable": true },
                    "tags": { "type": "array", "items": { "type": "string" } },
                }},
                "Closed": { "type": "object", "additionalProperties": false, "properties": { "x": { "type": "number" } } },
                "Either": { "oneOf": [ { "type": "string" }, { "type": "number" } ] },
                "Env": { "type": "object", "properties": { "data": { "allOf": [ { "$ref": "#/components/schemas/Base" } ] } } },
                "Map": { "type": "object", "additionalProperties": { "type": "string" } },
            }},
        }))
    }

    fn check(name: &str, v: Value) -> Result<(), Vec<String>> {
        let s = spec();
        let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
        s.validate(&schema, &v)
    }

    #[test]
    fn validator_accepts_conforming_documents() {
        assert_eq!(
            check("Env", json!({ "data": { "id": 1, "kind": "a", "note": null, "legacy": null, "tags": ["x"] } })),
            Ok(())
        );
        assert_eq!(check("Closed", json!({ "x": 1.5 })), Ok(()));
        assert_eq!(check("Either", json!(3)), Ok(()));
        assert_eq!(check("Map", json!({ "a": "b" })), Ok(()));
    }

    #[test]
    fn validator_rejects_wrong_documents() {
        let cases = [
            ("Env", json!({ "data": { "kind": "a" } }), "missing required property id"),
            ("Env", json!({ "data": { "id": "1" } }), "expected integer"),
            ("Env", json!({ "data": { "id": 1.5 } }), "expected integer"),
            ("Env", json!({ "data": { "id": 1, "kind": "c" } }), "is not one of"),
            ("Env", json!({ "data": { "id": 1, "tags": [1] } }), "$.data.tags[0]: expected string"),
            ("Env", json!({ "data": null }), "expected object"),
            ("Base", json!({ "id": 1, "kind": null }), "expected string"),
            ("Closed", json!({ "x": 1, "y": 2 }), "unexpected property y"),
            ("Either", json!(true), "matches no branch of oneOf"),
            ("Map", json!({ "a": 1 }), "$.a: expected string"),
        ];
        for (name, doc, want) in cases {
            let errs = check(name, doc.clone()).expect_err(&format!("{name} should reject {doc}"));
            assert!(errs.iter().any(|e| e.contains(want)), "{name} {doc}: wanted `{want}` in {errs:?}");
        }
    }

    #[test]
    fn real_spec_schema_rejects_a_wrong_product() {
        let s = Spec::load("products_catalog.v3.yml");
        let schema = s.response_schema("/catalog/products/{product_id}", "get", 200).unwrap().unwrap();
        let bad = json!({ "data": { "id": "seven", "inventory_tracking": "sometimes" }, "meta": {} });
        let errs = s.validate(&schema, &bad).unwrap_err();
        assert!(errs.iter().any(|e| e.contains("$.data.id")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("inventory_tracking")), "{errs:?}");
        assert!(s.response_schema("/catalog/products/{product_id}", "get", 418).is_err());
    }
}

//! The JSON Schema (2020-12) of omeroconf's TOML/JSON form, generated from
//! the catalog, and validation of a parsed TOML document against it.
//!
//! Property keys nest by their dots (`[omero.web]` then `debug = true`),
//! except where a key is also the prefix of another key: the rest of the
//! longer key stays one quoted name (`"application_server.port" = 4080`).

use crate::catalog::{catalog, Property, ValueType, Version};
use crate::shape;
use serde_json::{json, Map, Value as Json};

/// The nesting path of a key in the TOML form.
pub fn toml_path(key: &str) -> Vec<String> {
    let segments: Vec<&str> = key.split('.').collect();
    for cut in 1..segments.len() {
        let prefix = segments[..cut].join(".");
        if catalog().property(&prefix).is_some() {
            // The shorter key's table holds both: `application_server` and
            // `"application_server.port"` side by side.
            let mut path: Vec<String> = segments[..cut - 1].iter().map(|s| s.to_string()).collect();
            path.push(segments[cut - 1..].join("."));
            return path;
        }
    }
    segments.into_iter().map(str::to_string).collect()
}

/// The schema of one property's typed value.
pub fn value_schema(property: &Property) -> Json {
    let mut schema = match property.value_type {
        ValueType::Bool | ValueType::Truthy => json!({"type": ["boolean", "string"]}),
        ValueType::Int => json!({"type": ["integer", "string"]}),
        ValueType::Enum => json!({"enum": property.enforced_values.clone().unwrap_or_default()}),
        ValueType::Json => match &property.shape {
            Some(s) => {
                json!({"anyOf": [shape::to_json_schema(s), {"type": "string", "description": "the JSON text itself"}]})
            }
            None => json!({}),
        },
        ValueType::String | ValueType::Path | ValueType::Regex | ValueType::Timezone => json!({"type": "string"}),
    };
    schema["description"] = Json::String(property.description.clone());
    if !property.default.is_null() {
        schema["default"] = property.default.clone();
    }
    if property.is_deprecated() {
        schema["deprecated"] = Json::Bool(true);
    }
    schema
}

/// The whole schema, for the keys of `release` (every key when `None`).
pub fn generate(release: Option<Version>) -> Json {
    let mut root = Map::new();
    for property in &catalog().properties {
        if release.is_some_and(|r| !property.in_release(r)) {
            continue;
        }
        let path = toml_path(&property.key);
        insert(&mut root, &path, value_schema(property));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/omeroconf/omeroconf/schema/omero-web.schema.json",
        "title": "OMERO.web configuration",
        "description": format!("omeroconf's TOML form of OMERO.web properties (releases {} to {}).", catalog().oldest(), catalog().latest),
        "type": "object",
        "properties": root,
    })
}

fn insert(level: &mut Map<String, Json>, path: &[String], leaf: Json) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        level.insert(first.clone(), leaf);
        return;
    }
    let node = level
        .entry(first.clone())
        .or_insert_with(|| json!({"type": "object", "properties": {}}));
    if let Some(Json::Object(children)) = node.get_mut("properties") {
        insert(children, rest, leaf);
    }
}

/// The committed schema file's text.
pub fn committed() -> &'static str {
    include_str!("../schema/omero-web.schema.json")
}

/// The schema text as it should be committed.
pub fn render() -> String {
    let mut text = serde_json::to_string_pretty(&generate(None)).unwrap_or_default();
    text.push('\n');
    text
}

/// One place where an instance breaks the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Object keys from the root to the offending value.
    pub path: Vec<String>,
    pub message: String,
}

/// Validates a nested TOML/JSON instance with the `jsonschema` crate.
pub fn validate(instance: &Json) -> Vec<Violation> {
    let schema = generate(None);
    let Ok(validator) = jsonschema::draft202012::new(&schema) else {
        return Vec::new();
    };
    validator
        .iter_errors(instance)
        .map(|error| Violation {
            path: error
                .instance_path()
                .iter()
                .map(|segment| match segment {
                    jsonschema::paths::LocationSegment::Property(p) => p.to_string(),
                    jsonschema::paths::LocationSegment::Index(i) => i.to_string(),
                })
                .collect(),
            message: error.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_are_also_prefixes_stay_quoted() {
        assert_eq!(toml_path("omero.web.debug"), vec!["omero", "web", "debug"]);
        assert_eq!(
            toml_path("omero.web.application_server.port"),
            vec!["omero", "web", "application_server.port"]
        );
        assert_eq!(
            toml_path("omero.web.admins.email_subject_prefix"),
            vec!["omero", "web", "admins.email_subject_prefix"]
        );
    }

    #[test]
    fn committed_schema_is_fresh() {
        assert!(
            committed() == render(),
            "schema/omero-web.schema.json is stale: run `cargo run -- schema > schema/omero-web.schema.json`"
        );
    }

    #[test]
    fn validation_reports_wrong_types_with_their_path() {
        let instance =
            json!({"omero": {"web": {"debug": 3, "apps": ["omero_iviewer"], "application_server": "wsgi_tcp"}}});
        let violations = validate(&instance);
        let paths: Vec<String> = violations.iter().map(|v| v.path.join(".")).collect();
        assert!(paths.contains(&"omero.web.debug".to_string()), "{paths:?}");
        assert!(paths.contains(&"omero.web.application_server".to_string()), "{paths:?}");
        assert!(!paths.contains(&"omero.web.apps".to_string()), "{paths:?}");
    }
}

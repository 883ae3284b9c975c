//! The JSON Schema (draft-07, the draft taplo and other TOML editors read) of
//! omeroconf's TOML/JSON form, generated from the catalog, and validation of a
//! parsed TOML document against it. Keys outside the catalog stay allowed:
//! apps read keys of their own.
//!
//! Property keys nest by their dots (`[omero.web]` then `debug = true`),
//! except where a key is also the prefix of another key: the rest of the
//! longer key stays one quoted name (`"application_server.port" = 4080`).

use crate::catalog::{catalog, Property, ValueType, Version, PORT, SERVER_LIST, TCP_PORTS};
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

/// Text Python's `int()` reads: ASCII digits, a sign, `_` between digits,
/// surrounding whitespace (its other Unicode digits are left out).
const INT_TEXT: &str = r"^\s*[+-]?[0-9]+(_[0-9]+)*\s*$";
/// Text omero-web's `parse_boolean` reads as intended: `true`/`t`/`1` or one
/// of the spellings of false, in any case (anything else silently means False).
const BOOL_TEXT: &str = r"^\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[TtFf01])?\s*$";

fn port_range(mut schema: Json) -> Json {
    schema["minimum"] = json!(TCP_PORTS.start());
    schema["maximum"] = json!(TCP_PORTS.end());
    schema
}

/// The schema of one property's typed value.
pub fn value_schema(property: &Property) -> Json {
    let mut schema = match property.value_type {
        ValueType::Bool => json!({"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": BOOL_TEXT}]}),
        ValueType::Truthy => json!({"type": ["boolean", "string"]}),
        ValueType::Int => {
            let mut integer = json!({"type": "integer"});
            if property.key == PORT {
                integer = port_range(integer);
            }
            json!({"anyOf": [integer, {"type": "string", "pattern": INT_TEXT}]})
        }
        ValueType::Enum => json!({"enum": property.enforced_values.clone().unwrap_or_default()}),
        ValueType::Json => match &property.shape {
            Some(s) => {
                let mut value = shape::to_json_schema(s);
                // Each entry's second item is an OMERO.server port.
                if property.key == SERVER_LIST {
                    if let Some(port) = value.pointer_mut("/items/items/1/anyOf/0") {
                        *port = port_range(port.take());
                    }
                }
                json!({"anyOf": [value, {"type": "string", "description": "the JSON text itself"}]})
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

/// What the schema asks of a property's value, in an admin's words.
fn expected(property: &Property) -> String {
    match property.value_type {
        ValueType::Bool => "true or false".into(),
        ValueType::Truthy => "a boolean or a string".into(),
        ValueType::Int if property.key == PORT => {
            format!("a port from {} to {}", TCP_PORTS.start(), TCP_PORTS.end())
        }
        ValueType::Int => "an integer".into(),
        ValueType::Enum => format!(
            "one of: {}",
            property.enforced_values.as_deref().unwrap_or_default().join(", ")
        ),
        ValueType::Json => match &property.shape {
            Some(s) => format!("{}, or its JSON text", shape::describe(s)),
            None => "any JSON value".into(),
        },
        ValueType::String | ValueType::Path | ValueType::Regex | ValueType::Timezone => "a string".into(),
    }
}

/// The kind of a TOML value, never the value itself (it may be a secret).
fn kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "nothing",
        Json::Bool(_) => "a boolean",
        Json::Number(n) if n.is_f64() => "a float",
        Json::Number(_) => "an integer",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "a table",
    }
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
        "$schema": "http://json-schema.org/draft-07/schema#",
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

/// A property whose TOML value breaks the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Table keys from the root to the property's value.
    pub path: Vec<String>,
    /// Property key: what the schema expects and what the value is.
    pub message: String,
}

/// Validates a nested TOML/JSON instance with the `jsonschema` crate: one
/// violation per property, worded from the catalog (the validator's own
/// text names schema keywords no admin wrote).
pub fn validate(instance: &Json) -> Vec<Violation> {
    let schema = generate(None);
    let Ok(validator) = jsonschema::draft7::new(&schema) else {
        return Vec::new();
    };
    let mut violations: Vec<Violation> = Vec::new();
    for error in validator.iter_errors(instance) {
        let segments: Vec<String> = error
            .instance_path()
            .iter()
            .map(|segment| match segment {
                jsonschema::paths::LocationSegment::Property(p) => p.to_string(),
                jsonschema::paths::LocationSegment::Index(i) => i.to_string(),
            })
            .collect();
        // The property is the longest prefix of the path the catalog knows.
        let Some((cut, property)) = (1..=segments.len())
            .rev()
            .find_map(|cut| catalog().property(&segments[..cut].join(".")).map(|p| (cut, p)))
        else {
            continue;
        };
        let path = segments[..cut].to_vec();
        if violations.iter().any(|v| v.path == path) {
            continue;
        }
        let value = path
            .iter()
            .try_fold(instance, |node, segment| node.get(segment.as_str()));
        let message = format!(
            "{}: {} where the schema expects {}",
            property.key,
            value.map_or("a value", kind),
            expected(property)
        );
        violations.push(Violation { path, message });
    }
    violations
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

    /// The mistakes the issue planted: each one breaks the schema, with a
    /// message in the catalog's words; keys apps add stay allowed.
    #[test]
    fn planted_mistakes_break_the_schema_in_our_words() {
        let cases = [
            (
                json!({"wsgi_workers": "five"}),
                "wsgi_workers",
                "a string where the schema expects an integer",
            ),
            (
                json!({"debug": "yes"}),
                "debug",
                "a string where the schema expects true or false",
            ),
            (
                json!({"application_server.port": 70000}),
                "application_server.port",
                "an integer where the schema expects a port from 1 to 65535",
            ),
            (
                json!({"server_list": [[1, 4064, "omero"]]}),
                "server_list",
                "an array where",
            ),
            (
                json!({"server_list": [["h", 70000, "omero"]]}),
                "server_list",
                "an array where",
            ),
        ];
        for (web, key, message) in cases {
            let violations = validate(&json!({"omero": {"web": web}}));
            assert_eq!(violations.len(), 1, "{web}: {violations:?}");
            assert_eq!(violations[0].path, vec!["omero", "web", key]);
            assert!(violations[0].message.contains(message), "{:?}", violations[0]);
            assert!(!violations[0].message.contains("schemas"), "{:?}", violations[0]);
        }
        let fine = json!({"omero": {"web": {
            "wsgi_workers": " 5 ", "debug": "True", "application_server.port": 4080,
            "server_list": [["h", 4064, "omero"]], "myapp": {"colour": 3}, "myapp_flag": true,
        }}});
        assert_eq!(validate(&fine), Vec::new());
    }
}

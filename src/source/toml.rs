//! omeroconf's native TOML form: typed values under nested tables
//! (`[omero.web]` / `debug = true`), JSON properties as TOML arrays and
//! tables, a JSON property's value also accepted as its JSON text.
//! Each value becomes the string `omero config set` would store.

use crate::catalog::{catalog, ValueType};
use crate::diagnostic::Finding;
use crate::document::{Document, Format, Operation, Span, Suppression, Value};
use crate::python::json::{self as pyjson, PyJson};
use crate::schema;
use crate::source::rules;
use toml_edit::{Item, Table, Value as TomlValue};

pub fn parse(path: &str, source: &str) -> Document {
    let mut doc = Document::new(path, Format::Toml, source);
    let parsed = match toml_edit::Document::parse(source) {
        Ok(parsed) => parsed,
        Err(e) => {
            let span = e.span().map_or(Span::new(0, 0), Span::from);
            doc.findings.push(
                Finding::new(&rules::SYNTAX_ERROR, format!("invalid TOML: {}", e.message()))
                    .at(span, "here")
                    .help("see https://toml.io for the syntax"),
            );
            return doc;
        }
    };
    let mut nested = serde_json::Map::new();
    walk(&mut doc, parsed.as_table(), "", &mut nested);
    validate(&mut doc, &serde_json::Value::Object(nested));
    doc
}

/// Flattens tables into property keys; a known key stops the descent.
fn walk(doc: &mut Document, table: &Table, prefix: &str, nested: &mut serde_json::Map<String, serde_json::Value>) {
    for (name, item) in table.iter() {
        let key = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        let key_span = table
            .get_key_value(name)
            .and_then(|(k, _)| k.span())
            .map_or(Span::default(), Span::from);
        let known = catalog().property(&key);
        let is_table = matches!(item, Item::Table(_) | Item::Value(TomlValue::InlineTable(_)));
        if known.is_none() && is_table {
            let child = nested.entry(name.to_string()).or_insert_with(|| serde_json::json!({}));
            if let (Some(sub), Some(child)) = (as_table(item), child.as_object_mut()) {
                walk(doc, &sub, &key, child);
            }
            continue;
        }
        let value_span = item.span().map_or(Span::new(key_span.end, key_span.end), Span::from);
        let json_key = known.is_some_and(|p| p.value_type == ValueType::Json);
        match stored_text(item, json_key) {
            Ok((text, typed)) => {
                nested.insert(name.to_string(), typed);
                let mut op = Operation::set(key.clone(), key_span, Value::Known(text), value_span);
                op.span = key_span.join(value_span);
                if let Some(codes) = comment_before(&doc.source, key_span.start) {
                    doc.suppressions.push(Suppression { codes, applies_to: op.span });
                }
                doc.operations.push(op);
            }
            Err(why) => doc.findings.push(
                Finding::new(&rules::VALUE_NOT_REPRESENTABLE, format!("{key}: {why}"))
                    .key(key.clone())
                    .at(value_span, "cannot be stored")
                    .help("OMERO stores strings: use a string, a number, a boolean, or (for JSON properties) an array or table"),
            ),
        }
    }
}

/// A table-like item as a standalone table (inline tables included).
fn as_table(item: &Item) -> Option<Table> {
    match item {
        Item::Table(t) => Some(t.clone()),
        Item::Value(TomlValue::InlineTable(t)) => Some(t.clone().into_table()),
        _ => None,
    }
}

/// The string OMERO would store for a TOML value, and the value as JSON for
/// schema validation.
fn stored_text(item: &Item, json_key: bool) -> Result<(String, serde_json::Value), String> {
    let value = match item {
        Item::Value(v) => to_pyjson(v)?,
        Item::Table(t) => PyJson::Object(table_members(t)?),
        Item::ArrayOfTables(array) => PyJson::Array(
            array
                .iter()
                .map(|t| table_members(t).map(PyJson::Object))
                .collect::<Result<_, _>>()?,
        ),
        Item::None => return Err("no value".to_string()),
    };
    let typed = to_serde(&value);
    let text = match (&value, json_key) {
        (PyJson::Str(s), _) => s.clone(),
        (PyJson::Bool(b), false) => if *b { "true" } else { "false" }.to_string(),
        (PyJson::Array(_) | PyJson::Object(_), false) => {
            return Err("arrays and tables are only for JSON properties".to_string());
        }
        (other, _) => pyjson::dumps(other),
    };
    Ok((text, typed))
}

/// The value as serde JSON for schema validation (NaN and infinities become null).
fn to_serde(value: &PyJson) -> serde_json::Value {
    match value {
        PyJson::Null => serde_json::Value::Null,
        PyJson::Bool(b) => serde_json::Value::Bool(*b),
        PyJson::Int(text) => text
            .parse::<serde_json::Number>()
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        PyJson::Float(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number),
        PyJson::Str(s) => serde_json::Value::String(s.clone()),
        PyJson::Array(items) => serde_json::Value::Array(items.iter().map(to_serde).collect()),
        PyJson::Object(pairs) => {
            serde_json::Value::Object(pairs.iter().map(|(k, v)| (k.clone(), to_serde(v))).collect())
        }
    }
}

fn table_members(table: &Table) -> Result<Vec<(String, PyJson)>, String> {
    table
        .iter()
        .map(|(k, item)| match item {
            Item::Value(v) => to_pyjson(v).map(|v| (k.to_string(), v)),
            Item::Table(t) => table_members(t).map(|m| (k.to_string(), PyJson::Object(m))),
            _ => Err(format!("`{k}` is an array of tables inside a value")),
        })
        .collect()
}

fn to_pyjson(value: &TomlValue) -> Result<PyJson, String> {
    Ok(match value {
        TomlValue::String(s) => PyJson::Str(s.value().clone()),
        TomlValue::Integer(i) => PyJson::Int(i.value().to_string()),
        TomlValue::Float(f) => PyJson::Float(*f.value()),
        TomlValue::Boolean(b) => PyJson::Bool(*b.value()),
        TomlValue::Datetime(d) => return Err(format!("`{}` is a date, which OMERO cannot store", d.value())),
        TomlValue::Array(items) => PyJson::Array(items.iter().map(to_pyjson).collect::<Result<_, _>>()?),
        TomlValue::InlineTable(t) => PyJson::Object(
            t.iter()
                .map(|(k, v)| to_pyjson(v).map(|v| (k.to_string(), v)))
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// `# omeroconf: ignore[...]` on the line before `offset`.
fn comment_before(source: &str, offset: usize) -> Option<Vec<String>> {
    let line_start = source[..offset].rfind('\n')?;
    let previous = source[..line_start].rsplit('\n').next()?;
    super::suppressed_codes(previous.trim())
}

/// Schema violations as findings at the offending key.
fn validate(doc: &mut Document, instance: &serde_json::Value) {
    for violation in schema::validate(instance) {
        let key = violation.path.join(".");
        let op = doc
            .operations
            .iter()
            .find(|op| key == op.key || key.starts_with(&format!("{}.", op.key)));
        let mut finding = Finding::new(&rules::SCHEMA_MISMATCH, violation.message).key(key.clone());
        if let Some(op) = op {
            finding = finding.at(op.value_span, "does not match the schema");
        }
        doc.findings
            .push(finding.help("see `omeroconf explain KEY` for the expected type"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(doc: &Document) -> Vec<(String, String)> {
        doc.operations
            .iter()
            .map(|o| {
                (
                    o.key.clone(),
                    o.value.as_ref().and_then(Value::known).unwrap_or("?").to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn typed_values_become_the_strings_omero_stores() {
        let source = r#"#:schema ./schema/omero-web.schema.json
[omero.web]
debug = true
wsgi_workers = 5
application_server = "wsgi-tcp"
"application_server.port" = 4090
apps = ["omero_iviewer", "omero_figure"]
middleware = [{index = 0, class = "whitenoise.middleware.WhiteNoiseMiddleware"}]
server_list = '[["localhost", 4064, "omero"]]'

[omero.web.caches.default]
BACKEND = "django.core.cache.backends.locmem.LocMemCache"
"#;
        let doc = parse("web.toml", source);
        assert!(doc.findings.is_empty(), "{:?}", doc.findings);
        assert_eq!(
            stored(&doc),
            vec![
                ("omero.web.debug".into(), "true".into()),
                ("omero.web.wsgi_workers".into(), "5".into()),
                ("omero.web.application_server".into(), "wsgi-tcp".into()),
                ("omero.web.application_server.port".into(), "4090".into()),
                ("omero.web.apps".into(), r#"["omero_iviewer", "omero_figure"]"#.into()),
                (
                    "omero.web.middleware".into(),
                    r#"[{"index": 0, "class": "whitenoise.middleware.WhiteNoiseMiddleware"}]"#.into()
                ),
                (
                    "omero.web.server_list".into(),
                    r#"[["localhost", 4064, "omero"]]"#.into()
                ),
                (
                    "omero.web.caches".into(),
                    r#"{"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}"#.into()
                ),
            ]
        );
        assert_eq!(&source[doc.operations[0].value_span.range()].trim(), &"true");
    }

    #[test]
    fn wrong_types_and_syntax_are_reported() {
        let doc = parse("web.toml", "[omero.web]\ndebug = 3\nprefix = [\"/omero\"]\n");
        let codes: Vec<_> = doc.findings.iter().map(|f| f.code()).collect();
        assert_eq!(codes, vec!["IN010", "IN011"]);
        let doc = parse("web.toml", "[omero.web\n");
        assert_eq!(doc.findings[0].code(), "IN001");
    }
}

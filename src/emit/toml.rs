//! omeroconf's TOML form (read by `source::toml`): keys nest by their dots,
//! typed values where the stored string comes back exactly, the string
//! itself everywhere else, so every value survives.
//!
//! A key that is also the prefix of another key (stored, or known to the
//! catalog) keeps the rest of the longer key as one quoted name, as
//! `schema::toml_path` does for the catalog's keys.

use crate::catalog::{catalog, ValueType};
use crate::python::json::{self, PyJson};
use indexmap::IndexMap;
use std::collections::HashSet;
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

pub fn write(stored: &IndexMap<String, String>) -> String {
    let keys: HashSet<&str> = stored.keys().map(String::as_str).collect();
    let mut document = DocumentMut::new();
    for (key, raw) in stored {
        let path = path(key, &keys);
        let Some((name, parents)) = path.split_last() else {
            continue;
        };
        // `path` never puts a value where a table goes; were it to, the
        // whole key at the top level still reads back the same.
        match descend(document.as_table_mut(), parents) {
            Some(table) => table.insert(name, Item::Value(typed(key, raw))),
            None => document.as_table_mut().insert(key, Item::Value(typed(key, raw))),
        };
    }
    document.to_string()
}

/// The table at `parents`, made (implicit) where missing; `None` when a
/// value is in the way.
fn descend<'a>(table: &'a mut Table, parents: &[String]) -> Option<&'a mut Table> {
    let Some((first, rest)) = parents.split_first() else {
        return Some(table);
    };
    let child = table.entry(first).or_insert_with(|| {
        let mut child = Table::new();
        child.set_implicit(true);
        Item::Table(child)
    });
    descend(child.as_table_mut()?, rest)
}

/// Where a key goes: split at its dots, except that the rest stays one
/// quoted name after the first prefix that is itself a key; a key with an
/// empty segment stays whole at the top level.
fn path(key: &str, keys: &HashSet<&str>) -> Vec<String> {
    let segments: Vec<&str> = key.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return vec![key.to_string()];
    }
    for cut in 1..segments.len() {
        let prefix = segments[..cut].join(".");
        if keys.contains(prefix.as_str()) || catalog().property(&prefix).is_some() {
            let mut path: Vec<String> = segments[..cut - 1].iter().map(|s| s.to_string()).collect();
            path.push(segments[cut - 1..].join("."));
            return path;
        }
    }
    segments.into_iter().map(str::to_string).collect()
}

/// The value in TOML: a boolean, an integer, or (for JSON properties) an
/// array or table only when source::toml turns it back into `raw` exactly.
fn typed(key: &str, raw: &str) -> Value {
    let value_type = catalog().property(key).map(|p| p.value_type);
    let exact = match value_type {
        Some(ValueType::Bool) if raw == "true" || raw == "false" => Some(Value::from(raw == "true")),
        Some(ValueType::Int) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| n.to_string() == raw)
            .map(Value::from),
        Some(ValueType::Json) => json::loads(raw)
            .ok()
            .filter(|v| matches!(v, PyJson::Array(_) | PyJson::Object(_)) && json::dumps(v) == raw)
            .and_then(|v| to_toml(&v)),
        _ => None,
    };
    exact.unwrap_or_else(|| Value::from(raw))
}

/// A parsed JSON value in TOML; `None` for what TOML has no form of (null)
/// or cannot hold exactly (integers beyond 64 bits).
pub(crate) fn to_toml(value: &PyJson) -> Option<Value> {
    Some(match value {
        PyJson::Null => return None,
        PyJson::Bool(b) => Value::from(*b),
        PyJson::Int(text) => Value::from(text.parse::<i64>().ok()?),
        PyJson::Float(f) => Value::from(*f),
        PyJson::Str(s) => Value::from(s.as_str()),
        PyJson::Array(items) => Value::Array(items.iter().map(to_toml).collect::<Option<Array>>()?),
        PyJson::Object(pairs) => {
            let mut table = InlineTable::new();
            for (k, v) in pairs {
                table.insert(k, to_toml(v)?);
            }
            Value::InlineTable(table)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::stored_from as map;

    #[test]
    fn writes_the_native_form() {
        let text = write(&map(&[
            ("omero.web.debug", "true"),
            ("omero.web.application_server.port", "4090"),
            ("omero.web.wsgi_workers", "05"),
            ("omero.web.apps", "[\"omero_iviewer\"]"),
            ("omero.web.server_list", "[[\"localhost\", 4064, \"omero\"]]"),
            ("omero.web.caches", "{\"default\": null}"),
            ("x.y", "1"),
            ("x.y.z", "2"),
        ]));
        assert_eq!(
            text,
            "[omero.web]\ndebug = true\n\"application_server.port\" = 4090\nwsgi_workers = \"05\"\n\
             apps = [\"omero_iviewer\"]\nserver_list = [[\"localhost\", 4064, \"omero\"]]\n\
             caches = '{\"default\": null}'\n\n[x]\ny = \"1\"\n\"y.z\" = \"2\"\n"
        );
    }
}

//! JSON shapes of properties (schema/shapes.json): checking a parsed value
//! against one, and describing one as JSON Schema.

use crate::catalog::{Scalar, Shape};
use crate::python::json::PyJson;
use serde_json::{json, Value as Json};

/// Where inside a value a mismatch is (`[2].class`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub path: String,
    pub expected: String,
}

pub fn check(shape: &Shape, value: &PyJson) -> Vec<Mismatch> {
    let mut out = Vec::new();
    walk(shape, value, String::new(), &mut out);
    out
}

fn walk(shape: &Shape, value: &PyJson, path: String, out: &mut Vec<Mismatch>) {
    if matches(shape, value) {
        match (shape, value) {
            (Shape::List { list, .. }, PyJson::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    walk(list, item, format!("{path}[{i}]"), out);
                }
            }
            (Shape::Tuple { tuple, .. }, PyJson::Array(items)) => {
                for (i, (item, part)) in items.iter().zip(tuple).enumerate() {
                    walk(part, item, format!("{path}[{i}]"), out);
                }
            }
            (Shape::Object { object, values, .. }, PyJson::Object(pairs)) => {
                for (name, member) in pairs {
                    let part = object.get(name).or(values.as_deref());
                    if let Some(part) = part {
                        walk(part, member, format!("{path}.{name}"), out);
                    }
                }
            }
            _ => {}
        }
        return;
    }
    out.push(Mismatch {
        path: if path.is_empty() { "the value".to_string() } else { path },
        expected: describe(shape),
    });
}

/// Whether the outer level of `value` fits `shape` (members are walked separately).
fn matches(shape: &Shape, value: &PyJson) -> bool {
    match (shape, value) {
        (Shape::Scalar(Scalar::Any), _) => true,
        (Shape::Scalar(Scalar::String), PyJson::Str(_)) => true,
        (Shape::Scalar(Scalar::Int), PyJson::Int(_)) => true,
        (Shape::Scalar(Scalar::Number), PyJson::Int(_) | PyJson::Float(_)) => true,
        (Shape::Scalar(Scalar::Bool), PyJson::Bool(_)) => true,
        (Shape::List { lengths, .. }, PyJson::Array(items)) => {
            lengths.as_ref().is_none_or(|l| l.contains(&items.len()))
        }
        (Shape::Tuple { min, .. }, PyJson::Array(items)) => items.len() >= *min,
        (Shape::Object { required, .. }, PyJson::Object(pairs)) => {
            required.iter().all(|r| pairs.iter().any(|(name, _)| name == r))
        }
        (Shape::OneOf { one_of }, value) => one_of.iter().any(|s| matches(s, value) && check(s, value).is_empty()),
        _ => false,
    }
}

/// A short English description of a shape.
pub fn describe(shape: &Shape) -> String {
    match shape {
        Shape::Scalar(Scalar::Any) => "any value".into(),
        Shape::Scalar(Scalar::String) => "a string".into(),
        Shape::Scalar(Scalar::Int) => "an integer".into(),
        Shape::Scalar(Scalar::Number) => "a number".into(),
        Shape::Scalar(Scalar::Bool) => "true or false".into(),
        Shape::List { list, lengths } => {
            let items = describe(list);
            match lengths {
                Some(l) => format!(
                    "a list of {} items, each {items}",
                    l.iter().map(ToString::to_string).collect::<Vec<_>>().join(" or ")
                ),
                None => format!("a list, each item {items}"),
            }
        }
        Shape::Tuple { tuple, min } => {
            let parts: Vec<String> = tuple
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    if i < *min {
                        describe(s)
                    } else {
                        format!("optionally {}", describe(s))
                    }
                })
                .collect();
            format!("a list [{}]", parts.join(", "))
        }
        Shape::Object { required, .. } if required.is_empty() => "a JSON object".into(),
        Shape::Object { required, .. } => format!(
            "a JSON object with {}",
            required
                .iter()
                .map(|r| format!("\"{r}\""))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        Shape::OneOf { one_of } => one_of.iter().map(describe).collect::<Vec<_>>().join(" or "),
    }
}

/// The JSON Schema (draft-07, which taplo reads) of a shape.
pub fn to_json_schema(shape: &Shape) -> Json {
    match shape {
        Shape::Scalar(Scalar::Any) => json!({}),
        Shape::Scalar(Scalar::String) => json!({"type": "string"}),
        Shape::Scalar(Scalar::Int) => json!({"type": "integer"}),
        Shape::Scalar(Scalar::Number) => json!({"type": "number"}),
        Shape::Scalar(Scalar::Bool) => json!({"type": "boolean"}),
        Shape::List { list, lengths } => {
            let mut schema = json!({"type": "array", "items": to_json_schema(list)});
            if let Some(lengths) = lengths {
                let options: Vec<Json> = lengths.iter().map(|n| json!({"minItems": n, "maxItems": n})).collect();
                schema["anyOf"] = Json::Array(options);
            }
            schema
        }
        Shape::Tuple { tuple, min } => json!({
            "type": "array",
            "items": tuple.iter().map(to_json_schema).collect::<Vec<_>>(),
            "minItems": min,
        }),
        Shape::Object {
            object,
            required,
            values,
        } => {
            let properties: serde_json::Map<String, Json> =
                object.iter().map(|(k, s)| (k.clone(), to_json_schema(s))).collect();
            let mut schema = json!({"type": "object", "properties": properties});
            if !required.is_empty() {
                schema["required"] = json!(required);
            }
            if let Some(values) = values {
                schema["additionalProperties"] = to_json_schema(values);
            }
            schema
        }
        Shape::OneOf { one_of } => json!({"anyOf": one_of.iter().map(to_json_schema).collect::<Vec<_>>()}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::python::json::loads;

    fn mismatches(key: &str, text: &str) -> Vec<String> {
        let shape = catalog()
            .property(key)
            .and_then(|p| p.shape.as_ref())
            .expect("key has a shape");
        let value = loads(text).expect("test value is JSON");
        check(shape, &value)
            .into_iter()
            .map(|m| format!("{}: {}", m.path, m.expected))
            .collect()
    }

    #[test]
    fn middleware_entries_need_index_and_class() {
        assert!(mismatches("omero.web.middleware", r#"[{"index": 1, "class": "a.B"}]"#).is_empty());
        assert_eq!(
            mismatches(
                "omero.web.middleware",
                r#"[{"index": 1, "class": "a.B"}, {"class": "c.D"}]"#
            ),
            vec!["[1]: a JSON object with \"index\" and \"class\""]
        );
        assert_eq!(
            mismatches("omero.web.middleware", r#"{"index": 1}"#),
            vec!["the value: a list, each item a JSON object with \"index\" and \"class\""]
        );
    }

    #[test]
    fn string_lists_and_fixed_lengths() {
        assert_eq!(
            mismatches("omero.web.apps", r#"["omero_iviewer", 3]"#),
            vec!["[1]: a string"]
        );
        assert!(mismatches(
            "omero.web.secure_proxy_ssl_header",
            r#"["HTTP_X_FORWARDED_PROTO", "https"]"#
        )
        .is_empty());
        assert_eq!(mismatches("omero.web.secure_proxy_ssl_header", r#"["https"]"#).len(), 1);
        assert!(mismatches(
            "omero.web.server_list",
            r#"[["localhost", "4064", "omero"], ["h", 4064]]"#
        )
        .is_empty());
        assert_eq!(mismatches("omero.web.server_list", r#"[["localhost"]]"#).len(), 1);
    }
}

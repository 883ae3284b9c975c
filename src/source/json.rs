//! The flat JSON form `{key: string}` (what `convert --to json` writes):
//! each member is an `omero config set`. OMERO stores strings only, so any
//! other JSON value is reported, not guessed at.

use crate::diagnostic::Finding;
use crate::document::{Document, Format, Operation, Span, Value};
use crate::source::rules;

pub fn parse(path: &str, source: &str) -> Document {
    let mut doc = Document::new(path, Format::Json, source);
    let object = match serde_json::from_str::<serde_json::Value>(source) {
        Ok(serde_json::Value::Object(object)) => object,
        Ok(_) => {
            doc.findings.push(
                Finding::new(
                    &rules::SYNTAX_ERROR,
                    "the JSON form is one object {\"key\": \"value\", ...}",
                )
                .at(Span::new(0, 0), "not an object")
                .help("write each property as a member whose value is a string"),
            );
            return doc;
        }
        Err(e) => {
            let at = offset(source, e.line(), e.column());
            doc.findings.push(
                Finding::new(&rules::SYNTAX_ERROR, format!("invalid JSON: {e}"))
                    .at(Span::new(at, at), "here")
                    .help("JSON strings use double quotes; no trailing commas"),
            );
            return doc;
        }
    };
    let mut from = 0;
    for (key, value) in object {
        let key_span = locate(source, &mut from, &serde_json::Value::String(key.clone()));
        let value_span = locate(source, &mut from, &value);
        match value {
            serde_json::Value::String(text) => {
                doc.operations
                    .push(Operation::set(key, key_span, Value::Known(text), value_span));
            }
            other => doc.findings.push(
                Finding::new(
                    &rules::VALUE_NOT_REPRESENTABLE,
                    format!("{key}: {other} is not a string"),
                )
                .key(key.clone())
                .at(value_span, "OMERO stores strings")
                .help(format!(
                    "write the value as a JSON string: {}",
                    serde_json::Value::String(other.to_string())
                )),
            ),
        }
    }
    doc
}

/// The span of `value`'s JSON text at or after `from` (the whole file's end
/// when written differently, e.g. with other escapes).
fn locate(source: &str, from: &mut usize, value: &serde_json::Value) -> Span {
    let text = value.to_string();
    match source.get(*from..).and_then(|rest| rest.find(&text)) {
        Some(i) => {
            let start = *from + i;
            *from = start + text.len();
            Span::new(start, *from)
        }
        None => Span::new(*from, *from),
    }
}

/// Byte offset of serde_json's 1-based line and column.
fn offset(source: &str, line: usize, column: usize) -> usize {
    let start: usize = source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(source.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_become_set_operations() {
        let source = "{\n  \"omero.web.prefix\": \"/omero\",\n  \"omero.web.debug\": true\n}\n";
        let doc = parse("c.json", source);
        assert_eq!(doc.operations.len(), 1);
        assert_eq!(&source[doc.operations[0].key_span.range()], "\"omero.web.prefix\"");
        assert_eq!(&source[doc.operations[0].value_span.range()], "\"/omero\"");
        assert_eq!(doc.findings.iter().map(|f| f.code()).collect::<Vec<_>>(), vec!["IN010"]);
        assert_eq!(parse("c.json", "{\"a\": }").findings[0].code(), "IN001");
        assert_eq!(parse("c.json", "[]").findings[0].code(), "IN001");
    }
}

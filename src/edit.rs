//! Span-preserving edits of an input file, shared by `lint --fix` and (later)
//! `migrate --write`: each edit replaces exactly its byte span and every
//! other byte of the file stays as it was. This module never re-serialises
//! a whole file, and it only offers an edit where the format stores the
//! replacement text literally (no escaping to get wrong), or, for a whole
//! config.xml value, where the source holds exactly ElementTree's escaping
//! of it (the escaping omeroconf's own XML writer uses).

use crate::document::{Document, Format, Operation};
use crate::python::etree;
use crate::python::json::{self, PyJson};
use crate::span::Span;
pub use crate::span::{apply, overlaps, Edit, EditError};
use std::ops::Range;
use toml_edit::{Item, Table as TomlTable, Value as TomlValue};

/// A unified diff of two versions of a file, for `lint --diff`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// What surrounds a value's text in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// Nothing: the whole span is the value.
    Bare,
    /// `'...'`: everything inside is literal.
    Single,
    /// `"..."`, known to hold no escape sequence.
    Double,
}

/// Where a stored value appears byte for byte in the source.
#[derive(Debug, Clone, Copy)]
pub struct Literal {
    start: usize,
    quoting: Quoting,
}

/// Finds `raw` (the value `op` stores) verbatim inside the operation's value
/// span, in a form whose content the format takes literally.
pub fn literal_value(document: &Document, op: &Operation, raw: &str) -> Option<Literal> {
    let span = op.value_span;
    let text = document.source.get(span.range())?;
    let quoted = |quote: char| {
        text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) && &text[1..text.len() - 1] == raw
    };
    let literal = |quoting| {
        Some(Literal {
            start: if quoting == Quoting::Bare {
                span.start
            } else {
                span.start + 1
            },
            quoting,
        })
    };
    match document.format {
        Format::Properties if text == raw => literal(Quoting::Bare),
        Format::Xml if text == raw && !raw.contains(['&', '<', '\n', '\r', '\t']) => {
            // The span excludes the attribute's quotes; the one before it says which.
            let quote = document.source[..span.start].chars().next_back()?;
            Some(Literal {
                start: span.start,
                quoting: if quote == '\'' {
                    Quoting::Single
                } else {
                    Quoting::Double
                },
            })
        }
        Format::Toml if quoted('\'') && !text.starts_with("'''") => literal(Quoting::Single),
        Format::Toml | Format::Json if quoted('"') && !text.starts_with("\"\"\"") && !raw.contains('\\') => {
            literal(Quoting::Double)
        }
        Format::Script | Format::Dockerfile | Format::Omero => {
            if text == raw && !raw.is_empty() && raw.chars().all(shell_word_char) {
                literal(Quoting::Bare)
            } else if quoted('\'') {
                literal(Quoting::Single)
            } else if quoted('"') && !raw.contains(['\\', '$', '`', '"', '!']) {
                literal(Quoting::Double)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Characters a plain shell word may hold without quoting.
fn shell_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | ':' | ',' | '=' | '@' | '%' | '+' | '-')
}

/// Whether `text` can be written as is where a literal value sits.
fn fits(format: Format, literal: Literal, text: &str) -> bool {
    if text.chars().any(char::is_control) {
        return false;
    }
    let quote_ok = match literal.quoting {
        Quoting::Single => !text.contains('\''),
        Quoting::Double => !text.contains(['"', '\\']),
        Quoting::Bare => true,
    };
    let format_ok = match (format, literal.quoting) {
        (Format::Xml, _) => !text.contains(['&', '<']),
        (Format::Properties, _) => !text.contains('\\'),
        (Format::Script | Format::Dockerfile | Format::Omero, Quoting::Bare) => text.chars().all(shell_word_char),
        (Format::Script | Format::Dockerfile | Format::Omero, Quoting::Double) => !text.contains(['$', '`', '!']),
        _ => true,
    };
    quote_ok && format_ok
}

/// An edit replacing `range` of the stored value `raw` (byte offsets into
/// it) with `replacement`, when the value appears literally in the source.
pub fn replace_in_value(
    document: &Document,
    op: &Operation,
    raw: &str,
    range: Range<usize>,
    replacement: &str,
) -> Option<Edit> {
    replace_in_literal(document, literal_value(document, op, raw)?, raw, range, replacement)
}

/// [`replace_in_value`] once the value's [`literal_value`] is known (it
/// compares the whole value: a rule editing many items of one long value
/// finds it once).
pub fn replace_in_literal(
    document: &Document,
    literal: Literal,
    raw: &str,
    range: Range<usize>,
    replacement: &str,
) -> Option<Edit> {
    if range.end > raw.len() || !raw.is_char_boundary(range.start) || !raw.is_char_boundary(range.end) {
        return None;
    }
    // A properties value loses leading and trailing spaces to `strip()`.
    let first = raw[..range.start]
        .chars()
        .chain(replacement.chars())
        .chain(raw[range.end..].chars())
        .next();
    let last = raw[range.end..]
        .chars()
        .rev()
        .chain(replacement.chars().rev())
        .chain(raw[..range.start].chars().rev())
        .next();
    if document.format == Format::Properties && [first, last].iter().flatten().any(|c| c.is_whitespace()) {
        return None;
    }
    fits(document.format, literal, replacement).then(|| Edit {
        span: Span::new(literal.start + range.start, literal.start + range.end),
        replacement: replacement.to_string(),
    })
}

/// The span inside the source of `range` of the stored value `raw`, when the
/// value appears literally there.
pub fn span_in_value(document: &Document, op: &Operation, raw: &str, range: Range<usize>) -> Option<Span> {
    span_in_literal(literal_value(document, op, raw)?, raw, range)
}

/// [`span_in_value`] once the value's [`literal_value`] is known.
pub fn span_in_literal(literal: Literal, raw: &str, range: Range<usize>) -> Option<Span> {
    (range.end <= raw.len()).then(|| Span::new(literal.start + range.start, literal.start + range.end))
}

/// An edit renaming the key of `op` to `new_key`, when the format writes the
/// key literally: whole keys in properties, XML and scripts; in TOML the last
/// segment, when both keys share the table they live in.
pub fn rename_key(document: &Document, op: &Operation, new_key: &str) -> Option<Edit> {
    let text = document.source.get(op.key_span.range())?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if !new_key.chars().all(plain) || new_key.is_empty() {
        return None;
    }
    match document.format {
        Format::Properties | Format::Xml | Format::Script | Format::Dockerfile | Format::Omero if text == op.key => {
            Some(Edit {
                span: op.key_span,
                replacement: new_key.to_string(),
            })
        }
        Format::Toml => {
            let (old_parent, old_last) = op.key.rsplit_once('.')?;
            let (new_parent, new_last) = new_key.rsplit_once('.')?;
            let bare = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
            (old_parent == new_parent && text == old_last && bare(new_last)).then(|| Edit {
                span: op.key_span,
                replacement: new_last.to_string(),
            })
        }
        _ => None,
    }
}

/// Edits replacing the whole stored value `raw` of `op` with `new`.
pub fn replace_value(document: &Document, op: &Operation, raw: &str, new: &str) -> Option<Vec<Edit>> {
    if let Some(edit) = replace_in_value(document, op, raw, 0..raw.len(), new) {
        return Some(vec![edit]);
    }
    if document.format == Format::Toml {
        return toml_value_edits(document, op, raw, new);
    }
    let text = document.source.get(op.value_span.range())?;
    let quote = document.source.get(..op.value_span.start)?.chars().next_back()?;
    let escaped = document.format == Format::Xml && quote == '"' && text == etree::escape_attrib(raw);
    escaped.then(|| {
        vec![Edit {
            span: op.value_span,
            replacement: etree::escape_attrib(new),
        }]
    })
}

/// Edits making the TOML value of `op`, which stores `raw`, store `new`: in
/// an array or table (a JSON property's value) only the items and members
/// that differ are rewritten, so comments and layout around them stay; a
/// string is rewritten whole. toml_edit writes each new value, so its
/// quoting is TOML's.
fn toml_value_edits(document: &Document, op: &Operation, raw: &str, new: &str) -> Option<Vec<Edit>> {
    let parsed = toml_edit::Document::parse(document.source.as_str()).ok()?;
    let item = toml_item(parsed.as_table(), op.key_span)?;
    let mut edits = Vec::new();
    if let Item::Value(value @ TomlValue::String(_)) = item {
        edits.push(rewrite(value, &TomlValue::from(new))?);
        return Some(edits);
    }
    let (old, new_json) = (json::loads(raw).ok()?, json::loads(new).ok()?);
    if item_edits(item, &old, &new_json, &mut edits).is_some() {
        return Some(edits);
    }
    // A value TOML has no form of (null): the JSON text as a string, as the TOML writer stores it.
    let value = item.as_value()?;
    Some(vec![rewrite(value, &TomlValue::from(new))?])
}

/// The item whose key is at `key_span`, in any table of the document.
fn toml_item(table: &TomlTable, key_span: Span) -> Option<&Item> {
    table.iter().find_map(|(name, item)| {
        let (key, _) = table.get_key_value(name)?;
        if key.span().map(Span::from) == Some(key_span) {
            return Some(item);
        }
        match item {
            Item::Table(child) => toml_item(child, key_span),
            _ => None,
        }
    })
}

/// Edits of `item`, which holds `old`, so that it holds `new`.
fn item_edits(item: &Item, old: &PyJson, new: &PyJson, edits: &mut Vec<Edit>) -> Option<()> {
    match (item, old, new) {
        (Item::Value(value), ..) => value_edits(value, old, new, edits),
        (Item::Table(table), PyJson::Object(old), PyJson::Object(new)) => {
            let same_members = old.len() == new.len() && old.iter().zip(new).all(|((a, _), (b, _))| a == b);
            if !same_members {
                return None;
            }
            for ((name, old), (_, new)) in old.iter().zip(new) {
                item_edits(table.get(name)?, old, new, edits)?;
            }
            Some(())
        }
        (Item::ArrayOfTables(tables), PyJson::Array(old), PyJson::Array(new)) if old.len() == new.len() => {
            for ((table, old), new) in tables.iter().zip(old).zip(new) {
                item_edits(&Item::Table(table.clone()), old, new, edits)?;
            }
            Some(())
        }
        _ => None,
    }
}

/// Edits of an inline value: items of equal arrays and members of equal
/// tables one by one, anything else whole.
fn value_edits(value: &TomlValue, old: &PyJson, new: &PyJson, edits: &mut Vec<Edit>) -> Option<()> {
    if json::dumps(old) == json::dumps(new) {
        return Some(());
    }
    match (value, old, new) {
        (TomlValue::Array(items), PyJson::Array(old), PyJson::Array(new))
            if old.len() == new.len() && items.len() == old.len() =>
        {
            for ((item, old), new) in items.iter().zip(old).zip(new) {
                value_edits(item, old, new, edits)?;
            }
            Some(())
        }
        (TomlValue::InlineTable(table), PyJson::Object(old), PyJson::Object(new))
            if old.len() == new.len() && old.iter().zip(new).all(|((a, _), (b, _))| a == b) =>
        {
            for ((name, old), (_, new)) in old.iter().zip(new) {
                value_edits(table.get(name)?, old, new, edits)?;
            }
            Some(())
        }
        _ => {
            edits.push(rewrite(value, &crate::emit::toml::to_toml(new)?)?);
            Some(())
        }
    }
}

/// An edit writing `replacement` where `value` is.
fn rewrite(value: &TomlValue, replacement: &TomlValue) -> Option<Edit> {
    Some(Edit {
        span: Span::from(value.span()?),
        replacement: replacement.to_string(),
    })
}

/// An edit turning the one line that holds `op` into a comment, in formats
/// whose comments start with `#`; `None` where that is not exact (the
/// operation spans lines or shares its line). In config.xml an empty
/// `<property />` element becomes an XML comment wherever it is.
pub fn comment_out_operation(document: &Document, op: &Operation) -> Option<Edit> {
    if document.format == Format::Xml {
        // The span of an element with content is its start tag only.
        let element = document.source.get(op.span.range()).filter(|e| e.ends_with("/>"))?;
        return Some(Edit {
            span: op.span,
            replacement: format!("<!-- {} -->", xml_comment_text(element)),
        });
    }
    if !matches!(
        document.format,
        Format::Properties | Format::Script | Format::Dockerfile | Format::Omero | Format::Toml | Format::Env
    ) {
        return None;
    }
    let source = &document.source;
    let span = op.span;
    let (line_start, line_end) = line_around(source, span)?;
    let line = source.get(line_start..line_end)?;
    // A trailing comment goes with it; another command on the line would too, so then no edit.
    let rest = source[span.end..line_end].trim();
    let alone = source[line_start..span.start].trim().is_empty() && (rest.is_empty() || rest.starts_with('#'));
    (alone && !line.contains('\r') && !source[span.range()].contains('\n') && !line.trim_end().ends_with('\\')).then(
        || Edit {
            span: Span::new(line_start, line_start),
            replacement: "# ".to_string(),
        },
    )
}

/// The start of the line where `span` starts and the end (before its line
/// break) of the line where it ends.
fn line_around(source: &str, span: Span) -> Option<(usize, usize)> {
    let start = source.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let end = source
        .get(span.end..)?
        .find('\n')
        .map_or(source.len(), |i| span.end + i);
    Some((start, end))
}

/// An element as the text of an XML comment, which may not hold `--`: a
/// `-` right after another is written `&#45;`. That reference means `-`
/// again in an attribute value, so uncommenting the element restores it.
fn xml_comment_text(element: &str) -> String {
    let mut out = String::with_capacity(element.len());
    for c in element.chars() {
        if c == '-' && out.ends_with('-') {
            out.push_str("&#45;");
        } else {
            out.push(c);
        }
    }
    out
}

/// An edit deleting the line that holds `op` and nothing else (comments and
/// other commands on it would go too, so they get no edit); in config.xml,
/// the `<property />` element wherever it is.
pub fn remove_operation(document: &Document, op: &Operation) -> Option<Edit> {
    let source = &document.source;
    let span = op.span;
    let (line_start, line_end) = line_around(source, span)?;
    // The line's own line break goes with it.
    let line_end = (line_end + 1).min(source.len());
    let alone = source[line_start..span.start].trim().is_empty() && source[span.end..line_end].trim().is_empty();
    if alone {
        Some(Edit {
            span: Span::new(line_start, line_end),
            replacement: String::new(),
        })
    } else {
        (document.format == Format::Xml).then(|| Edit {
            span,
            replacement: String::new(),
        })
    }
}

/// Byte ranges of the items of a top-level JSON array in `text`, each
/// without surrounding whitespace; `None` when `text` is not an array.
pub fn json_array_items(text: &str) -> Option<Vec<Range<usize>>> {
    let bytes = text.as_bytes();
    let open = text.find(|c: char| !c.is_whitespace())?;
    if bytes[open] != b'[' {
        return None;
    }
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut item_start: Option<usize> = None;
    let mut last_non_space = open;
    let mut i = open + 1;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                item_start.get_or_insert(i);
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' | b'{' => {
                item_start.get_or_insert(i);
                depth += 1;
            }
            b']' | b'}' if depth > 0 => depth -= 1,
            b']' => {
                if let Some(start) = item_start.take() {
                    items.push(start..last_non_space + 1);
                }
                return Some(items);
            }
            b',' if depth == 0 => {
                let start = item_start.take()?;
                items.push(start..last_non_space + 1);
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => {
                item_start.get_or_insert(i);
            }
        }
        if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            last_non_space = i.min(bytes.len() - 1);
        }
        i += 1;
    }
    None
}

/// The range of `raw` to delete to drop item `index` of a JSON array whose
/// items are at `items`, separator included.
pub fn array_item_removal(items: &[Range<usize>], index: usize) -> Option<Range<usize>> {
    let item = items.get(index)?;
    if index > 0 {
        Some(items[index - 1].end..item.end)
    } else if let Some(next) = items.get(1) {
        Some(item.start..next.start)
    } else {
        Some(item.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Value;
    use crate::source::{properties, toml, xml};

    fn stored(doc: &Document, key: &str) -> Option<String> {
        doc.operations
            .iter()
            .rev()
            .find(|o| o.key == key)
            .and_then(|o| o.value.as_ref().and_then(Value::known))
            .map(str::to_string)
    }

    /// Everything outside the edited spans is byte-identical.
    fn assert_only_spans_changed(old: &str, new: &str, edits: &[Edit]) {
        let mut sorted = edits.to_vec();
        sorted.sort_by_key(|e| e.span.start);
        let (mut old_at, mut new_at) = (0, 0);
        for edit in &sorted {
            let keep = edit.span.start - old_at;
            assert_eq!(
                old.as_bytes()[old_at..edit.span.start],
                new.as_bytes()[new_at..new_at + keep]
            );
            new_at += keep + edit.replacement.len();
            old_at = edit.span.end;
        }
        assert_eq!(old.as_bytes()[old_at..], new.as_bytes()[new_at..]);
    }

    #[test]
    fn apply_changes_only_the_edited_spans() {
        let old = "omero.web.prefix=/omero/\n# keep me\nomero.web.debug=true\r\nomero.web.x=é\n";
        let edits = vec![
            Edit {
                span: Span::new(23, 24),
                replacement: String::new(),
            },
            Edit {
                span: Span::new(0, 9),
                replacement: "omero.web".to_string(),
            },
            Edit {
                span: Span::new(60, 60),
                replacement: "+".to_string(),
            },
        ];
        let new = apply(old, &edits).expect("edits apply");
        assert_only_spans_changed(old, &new, &edits);
        assert!(new.starts_with("omero.web.prefix=/omero\n# keep me\n"));
    }

    #[test]
    fn apply_refuses_overlaps_and_split_characters() {
        let a = Edit {
            span: Span::new(0, 3),
            replacement: "x".into(),
        };
        let b = Edit {
            span: Span::new(2, 4),
            replacement: "y".into(),
        };
        assert!(matches!(apply("abcdef", &[b, a]), Err(EditError::Overlap(..))));
        let inside = Edit {
            span: Span::new(1, 2),
            replacement: String::new(),
        };
        assert!(matches!(apply("é", &[inside]), Err(EditError::OutOfBounds(_))));
    }

    #[test]
    fn value_edits_round_trip_through_each_parser() {
        type Parse = fn(&str) -> Document;
        let cases: [(&str, Parse); 4] = [
            ("omero.web.prefix=/omero/\n", |s| properties::parse("p", s)),
            ("[omero.web]\nprefix = \"/omero/\"\n", |s| toml::parse("t.toml", s)),
            ("[omero.web]\nprefix = '/omero/'\n", |s| toml::parse("t.toml", s)),
            (
                "<icegrid><properties id=\"default\"><property name=\"omero.web.prefix\" value=\"/omero/\" /></properties></icegrid>",
                |s| xml::parse("c.xml", s, None),
            ),
        ];
        for (source, parse) in cases {
            let doc = parse(source);
            let op = &doc.operations[0];
            let edit = replace_in_value(&doc, op, "/omero/", 6..7, "").expect("value is literal");
            let new = apply(source, std::slice::from_ref(&edit)).expect("applies");
            assert_only_spans_changed(source, &new, &[edit]);
            assert_eq!(
                stored(&parse(&new), "omero.web.prefix").as_deref(),
                Some("/omero"),
                "{source}"
            );
        }
    }

    #[test]
    fn toml_json_values_are_edited_item_by_item() {
        let source = "# site\n[omero.web]\napps = [\n  \"figure\",  # the figure app\n  'omero_iviewer',\n]\n\
                      ui.top_links = [[\"A\", \"a\"]]\nsession_serializer = \"p\\u0069ckle\"\n\
                      [omero.web.caches.default]\nBACKEND = \"redis_cache.RedisCache\" # old\nLOCATION = \"r:6379:1\"\n";
        let doc = toml::parse("t.toml", source);
        let op = |key: &str| doc.operations.iter().find(|o| o.key == key).expect("parsed");
        let cases = [
            ("omero.web.apps", "[\"omero_figure\", \"omero_iviewer\"]"),
            (
                "omero.web.ui.top_links",
                "[[\"A\", \"a\"], [\"B\", \"b\", {\"k\": null}]]",
            ),
            ("omero.web.session_serializer", "json's \"serializer\""),
            (
                "omero.web.caches",
                "{\"default\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": \"redis://r:6379/1\"}}",
            ),
        ];
        let mut edits = Vec::new();
        for (key, new) in cases {
            let raw = stored(&doc, key).unwrap_or_default();
            edits.extend(replace_value(&doc, op(key), &raw, new).unwrap_or_else(|| panic!("{key}")));
        }
        let new = apply(source, &edits).expect("applies");
        assert_only_spans_changed(source, &new, &edits);
        let after = toml::parse("t.toml", &new);
        assert!(after.findings.is_empty(), "{new}");
        for (key, value) in cases {
            assert_eq!(stored(&after, key).as_deref(), Some(value), "{new}");
        }
        // Only what differs is written: the comments inside and beside the values stay.
        assert!(
            new.contains("\"omero_figure\",  # the figure app\n  'omero_iviewer',"),
            "{new}"
        );
        assert!(
            new.contains("BACKEND = \"django_redis.cache.RedisCache\" # old\n"),
            "{new}"
        );
        // A table that would gain or lose a member is not rewritten in place.
        let raw = stored(&doc, "omero.web.caches").unwrap_or_default();
        assert!(replace_value(&doc, op("omero.web.caches"), &raw, "{\"default\": {}}").is_none());
    }

    #[test]
    fn escaped_or_continued_values_get_no_edit() {
        let doc = xml::parse(
            "c.xml",
            "<icegrid><properties id=\"default\"><property name=\"omero.web.apps\" value=\"[&quot;figure&quot;]\" /></properties></icegrid>",
            None,
        );
        assert!(replace_in_value(&doc, &doc.operations[0], "[\"figure\"]", 1..9, "\"omero_figure\"").is_none());
        let doc = toml::parse("t.toml", "[omero.web]\nprefix = \"/om\\u0065ro/\"\n");
        assert!(replace_in_value(&doc, &doc.operations[0], "/omero/", 6..7, "").is_none());
        // A value continued over lines is not one piece of the source.
        let doc = properties::parse("p", "omero.web.prefix=/om\\\n  ero/\n");
        let raw = stored(&doc, "omero.web.prefix").unwrap_or_default();
        assert_eq!(raw, "/om  ero/");
        assert!(replace_in_value(&doc, &doc.operations[0], &raw, 8..9, "").is_none());
        // A double quote cannot go into a double-quoted TOML string unescaped.
        let doc = toml::parse("t.toml", "[omero.web]\nlogin_view = \"weblogin\"\n");
        assert!(replace_in_value(&doc, &doc.operations[0], "weblogin", 0..3, "\"").is_none());
    }

    /// A script operation whose value is the word at `value` in `source`.
    fn script(source: &str, value: &str, raw: &str) -> Document {
        let mut doc = Document::new("setup.sh", Format::Script, source);
        let start = source.find(value).unwrap_or_default();
        let key_start = source.find("omero.web").unwrap_or_default();
        let key_span = Span::new(key_start, key_start + "omero.web.prefix".len());
        doc.operations.push(Operation::set(
            "omero.web.prefix",
            key_span,
            Value::Known(raw.into()),
            Span::new(start, start + value.len()),
        ));
        doc
    }

    #[test]
    fn script_values_are_edited_only_when_plain_or_quoted_literally() {
        for (source, value) in [
            ("omero config set omero.web.prefix /omero/\n", "/omero/"),
            ("omero config set omero.web.prefix '/omero/'\n", "'/omero/'"),
            ("omero config set omero.web.prefix \"/omero/\"\n", "\"/omero/\""),
        ] {
            let doc = script(source, value, "/omero/");
            let edit = replace_in_value(&doc, &doc.operations[0], "/omero/", 6..7, "").expect("literal");
            assert_eq!(
                apply(source, &[edit]).expect("applies"),
                source.replacen("/omero/", "/omero", 1)
            );
        }
        // Expansions and escapes make the stored text differ from the source.
        let doc = script("omero config set omero.web.prefix \"$P/\"\n", "\"$P/\"", "/omero/");
        assert!(replace_in_value(&doc, &doc.operations[0], "/omero/", 6..7, "").is_none());
        let doc = script("omero config set omero.web.prefix /omero/\n", "/omero/", "/omero/");
        assert!(
            replace_in_value(&doc, &doc.operations[0], "/omero/", 0..0, "a b").is_none(),
            "a space splits a plain word"
        );
    }

    #[test]
    fn key_renames_keep_the_value() {
        let source = "omero.web.force_script_name=/omero\n";
        let doc = properties::parse("p", source);
        let edit = rename_key(&doc, &doc.operations[0], "omero.web.prefix").expect("literal key");
        let new = apply(source, &[edit]).expect("applies");
        assert_eq!(new, "omero.web.prefix=/omero\n");
        let source = "[omero.web]\nforce_script_name = \"/omero\"\n";
        let doc = toml::parse("t.toml", source);
        let edit = rename_key(&doc, &doc.operations[0], "omero.web.prefix").expect("same table");
        let new = apply(source, &[edit]).expect("applies");
        assert_eq!(
            stored(&toml::parse("t.toml", &new), "omero.web.prefix").as_deref(),
            Some("/omero")
        );
        assert!(rename_key(&doc, &doc.operations[0], "omero.mail.host").is_none());
    }

    #[test]
    fn operations_are_removed_with_their_line_only_when_alone() {
        let source = "# keep\nomero.web.webgateway_cache=/tmp\nomero.web.debug=true\n";
        let doc = properties::parse("p", source);
        let edit = remove_operation(&doc, &doc.operations[0]).expect("alone on its line");
        assert_eq!(
            apply(source, &[edit]).expect("applies"),
            "# keep\nomero.web.debug=true\n"
        );
        let last = remove_operation(&doc, &doc.operations[1]).expect("alone on its line");
        assert_eq!(
            apply(source, &[last]).expect("applies"),
            "# keep\nomero.web.webgateway_cache=/tmp\n"
        );
        let doc = script(
            "omero config set omero.web.prefix /omero/ && echo done\n",
            "/omero/",
            "/omero/",
        );
        let mut op = doc.operations[0].clone();
        op.span = Span::new(0, 41);
        assert_eq!(remove_operation(&doc, &op), None);
    }

    #[test]
    fn config_xml_properties_are_commented_out_without_a_double_dash() {
        let element = "<property name=\"omero.web.webgateway_cache\" value=\"/a--b---c-\" />";
        let source = format!("<icegrid><properties id=\"default\">{element}<property name=\"omero.web.debug\" value=\"true\" /></properties></icegrid>");
        let doc = xml::parse("c.xml", &source, None);
        let edit = comment_out_operation(&doc, &doc.operations[0]).expect("an empty element");
        let new = apply(&source, std::slice::from_ref(&edit)).expect("applies");
        assert_only_spans_changed(&source, &new, &[edit]);
        let comment = new
            .split("<!--")
            .nth(1)
            .and_then(|c| c.split("-->").next())
            .unwrap_or_default();
        assert!(!comment.contains("--") && !comment.ends_with('-'), "{new}");
        let after = xml::parse("c.xml", &new, None);
        assert!(after.findings.is_empty(), "{new}");
        assert_eq!(stored(&after, "omero.web.webgateway_cache"), None);
        assert_eq!(stored(&after, "omero.web.debug").as_deref(), Some("true"));
        // Uncommented, the element stores the value it had.
        let restored = new.replacen("<!-- ", "", 1).replacen(" -->", "", 1);
        assert_eq!(
            stored(&xml::parse("c.xml", &restored, None), "omero.web.webgateway_cache").as_deref(),
            Some("/a--b---c-")
        );
    }

    #[test]
    fn escaped_config_xml_values_are_replaced_whole() {
        let source =
            "<icegrid><properties id=\"default\"><property name=\"omero.web.apps\" value=\"[&quot;figure&quot;]\" />\
<property name=\"omero.web.debug\" value=\"true\" /></properties></icegrid>";
        let doc = xml::parse("c.xml", source, None);
        let edits = replace_value(&doc, &doc.operations[0], "[\"figure\"]", "[\"omero_figure\", \"a&b\"]")
            .expect("ElementTree's escaping");
        let new = apply(source, &edits).expect("applies");
        assert_eq!(
            stored(&xml::parse("c.xml", &new, None), "omero.web.apps").as_deref(),
            Some("[\"omero_figure\", \"a&b\"]")
        );
        let removal = remove_operation(&doc, &doc.operations[1]).expect("an element");
        let new = apply(source, &[removal]).expect("applies");
        assert!(
            new.ends_with("/></properties></icegrid>") && !new.contains("debug"),
            "{new}"
        );
        // Escaped differently from ElementTree (&#34;): no edit.
        let other = source.replace("&quot;", "&#34;");
        let doc = xml::parse("c.xml", &other, None);
        assert!(replace_value(&doc, &doc.operations[0], "[\"figure\"]", "[]").is_none());
    }

    #[test]
    fn json_array_items_and_removal() {
        let text = r#"[{"index": 0, "class": "a.B"}, "x,]", 3 , [1, [2]]]"#;
        let items = json_array_items(text).expect("an array");
        let got: Vec<&str> = items.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            got,
            vec![r#"{"index": 0, "class": "a.B"}"#, r#""x,]""#, "3", "[1, [2]]"]
        );
        let drop = |i| {
            let r = array_item_removal(&items, i).expect("exists");
            format!("{}{}", &text[..r.start], &text[r.end..])
        };
        assert_eq!(drop(0), r#"["x,]", 3 , [1, [2]]]"#);
        assert_eq!(drop(2), r#"[{"index": 0, "class": "a.B"}, "x,]" , [1, [2]]]"#);
        assert_eq!(json_array_items(" [] "), Some(vec![]));
        assert_eq!(json_array_items("{}"), None);
        assert_eq!(json_array_items("[1, 2"), None);
    }

    #[test]
    fn diff_is_unified() {
        let diff = unified_diff("web.properties", "a=1\nb=2\n", "a=1\nb=3\n");
        assert!(diff.contains("--- a/web.properties\n+++ b/web.properties\n"), "{diff}");
        assert!(diff.contains("-b=2\n+b=3\n"), "{diff}");
    }
}

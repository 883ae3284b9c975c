//! `$OMERODIR/etc/grid/config.xml` as omero-py's `ConfigXml` reads it:
//! `<properties id=...>` profiles of `<property name=... value=...>`, the
//! active profile named by `omero.config.profile` in `__ACTIVE__`.

use crate::diagnostic::Finding;
use crate::document::{Document, Format, Operation, Span, Suppression, Value};
use crate::rules::input;
use quick_xml::events::Event;
use quick_xml::Reader;

/// Profile bookkeeping keys OMERO keeps in every profile.
const INTERNAL_KEYS: [&str; 2] = ["omero.config.version", "omero.config.profile"];
const ACTIVE: &str = "__ACTIVE__";

/// One `<property>` element.
#[derive(Debug, Clone)]
struct Property {
    profile: String,
    name: String,
    name_span: Span,
    value: String,
    value_span: Span,
    span: Span,
    silenced: Option<Vec<String>>,
}

/// Parses the active profile, or `profile` when given.
pub fn parse(path: &str, source: &str, profile: Option<&str>) -> Document {
    let mut doc = Document::new(path, Format::Xml, source);
    let properties = match elements(source) {
        Ok(properties) => properties,
        Err((message, at)) => {
            doc.findings.push(
                Finding::new(&input::SYNTAX_ERROR, format!("config.xml is not well-formed XML: {message}"))
                    .at(Span::new(at, at), "here")
                    .help("OMERO cannot read this file at all; restore it from a backup or `omero config load` a properties file"),
            );
            return doc;
        }
    };
    let active = profile.map(str::to_string).unwrap_or_else(|| {
        properties
            .iter()
            .find(|p| p.profile == ACTIVE && p.name == "omero.config.profile")
            .map_or_else(|| "default".to_string(), |p| p.value.clone())
    });
    if !properties.iter().any(|p| p.profile == active) && !properties.is_empty() {
        let profiles: Vec<&str> = properties
            .iter()
            .map(|p| p.profile.as_str())
            .filter(|p| *p != ACTIVE)
            .collect();
        doc.findings.push(
            Finding::new(&input::SYNTAX_ERROR, format!("config.xml has no profile `{active}`"))
                .help(format!("profiles in the file: {}", dedup(profiles).join(", "))),
        );
    }
    for p in properties
        .into_iter()
        .filter(|p| p.profile == active && !INTERNAL_KEYS.contains(&p.name.as_str()))
    {
        let mut op = Operation::set(p.name, p.name_span, Value::Known(p.value), p.value_span);
        op.span = p.span;
        if let Some(codes) = p.silenced {
            doc.suppressions.push(Suppression {
                codes,
                applies_to: p.span,
            });
        }
        doc.operations.push(op);
    }
    doc
}

/// The names of every profile in a config.xml (the active one first).
pub fn profiles(source: &str) -> Vec<String> {
    let properties = elements(source).unwrap_or_default();
    dedup(
        properties
            .iter()
            .map(|p| p.profile.as_str())
            .filter(|p| *p != ACTIVE)
            .collect(),
    )
    .into_iter()
    .map(str::to_string)
    .collect()
}

fn dedup(mut names: Vec<&str>) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(*n));
    names
}

/// Every `<property>` inside a `<properties>` element, in document order.
fn elements(source: &str) -> Result<Vec<Property>, (String, usize)> {
    // expat (omero-py's reader) refuses these anywhere; quick-xml lets them through.
    let forbidden = |c: char| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}');
    if let Some((at, c)) = source.char_indices().find(|&(_, c)| forbidden(c)) {
        return Err((format!("character U+{:04X} is not allowed in XML", u32::from(c)), at));
    }
    // A UTF-8 byte order mark is read by expat as the encoding's mark, not
    // as text: blank it with as many bytes, so offsets stay the file's.
    let blanked;
    let source = match source.strip_prefix('\u{feff}') {
        Some(rest) => {
            blanked = format!("   {rest}");
            blanked.as_str()
        }
        None => source,
    };
    let mut reader = Reader::from_str(source);
    reader.config_mut().check_end_names = true;
    let mut out = Vec::new();
    let mut profile: Option<String> = None;
    let mut silenced: Option<Vec<String>> = None;
    loop {
        let start = position(&reader);
        let event = reader
            .read_event()
            .map_err(|e| (e.to_string(), position(&reader).min(source.len())))?;
        let end = position(&reader);
        match event {
            Event::Start(ref tag) | Event::Empty(ref tag) => {
                let is_empty = matches!(event, Event::Empty(_));
                let raw = &source[start..end];
                match tag.name().as_ref() {
                    "properties" => {
                        let id = attribute(raw, start, "id").map(|(v, _)| v).unwrap_or_default();
                        profile = (!is_empty).then_some(id);
                    }
                    "property" => {
                        if let (Some(profile), Some((name, name_span))) = (&profile, attribute(raw, start, "name")) {
                            let (value, value_span) =
                                attribute(raw, start, "value").unwrap_or((String::new(), Span::new(end, end)));
                            out.push(Property {
                                profile: profile.clone(),
                                name,
                                name_span,
                                value,
                                value_span,
                                span: Span::new(start, end),
                                silenced: silenced.take(),
                            });
                        }
                    }
                    _ => {}
                }
            }
            Event::End(ref tag) if tag.name().as_ref() == "properties" => profile = None,
            Event::Comment(_) => {
                let text = source[start..end].trim_start_matches("<!--").trim_end_matches("-->");
                silenced = super::suppressed_codes(text.trim()).or(silenced);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn position(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// The value of attribute `name` in a raw start tag, unescaped and
/// normalised as an XML parser does, with the span of its raw text.
fn attribute(tag: &str, offset: usize, name: &str) -> Option<(String, Span)> {
    let bytes = tag.as_bytes();
    // Skip `<` and the element name.
    let mut i = bytes.iter().position(|b| b.is_ascii_whitespace())?;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b'/' | b'>') && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let attr_name = &tag[name_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            return None;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let quote = *bytes.get(i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value_start = i + 1;
        let value_end = value_start + tag[value_start..].find(quote as char)?;
        if attr_name == name {
            let raw = &tag[value_start..value_end];
            return Some((
                unescape_attribute(raw),
                Span::new(offset + value_start, offset + value_end),
            ));
        }
        i = value_end + 1;
    }
    None
}

/// XML attribute-value normalisation: literal line ends and tabs become
/// spaces (a `\r\n` pair one space); character references keep theirs.
fn unescape_attribute(raw: &str) -> String {
    let normalised = raw.replace("\r\n", " ").replace(['\r', '\n', '\t'], " ");
    quick_xml::escape::unescape(&normalised).map_or(normalised.clone(), |s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"<?xml version='1.0' encoding='UTF-8'?>
<icegrid><!-- generated --><properties id="__ACTIVE__"><property name="omero.config.profile" value="default" /><property name="omero.config.version" value="5.1.0" /><property name="omero.web.debug" value="true" /></properties><properties id="default"><property name="omero.config.version" value="5.1.0" /><!-- omeroconf: ignore[TY006] --><property name="omero.web.debug" value="yes" /><property name="omero.web.apps" value="[&quot;omero_iviewer&quot;]" /><property name="omero.web.x" value="a&#10;b
c" /></properties><properties id="test"><property name="omero.web.debug" value="false" /></properties><include file="templates.xml" /></icegrid>"#;

    #[test]
    fn control_characters_are_not_well_formed() {
        let doc = parse("config.xml", "<icegrid>\u{0}</icegrid>", None);
        assert_eq!(doc.findings.len(), 1);
        assert_eq!(doc.findings[0].code(), "IN001");
        assert!(
            doc.findings[0].message.contains("U+0000"),
            "{}",
            doc.findings[0].message
        );
        assert_eq!(doc.findings[0].span, Some(Span::new(9, 9)));
        assert!(parse("config.xml", "<icegrid>\t\r\n</icegrid>", None)
            .findings
            .is_empty());
    }

    #[test]
    fn reads_the_active_profile() {
        let doc = parse("config.xml", CONFIG, None);
        let ops: Vec<(&str, &str)> = doc
            .operations
            .iter()
            .map(|o| (o.key.as_str(), o.value.as_ref().and_then(Value::known).unwrap_or("?")))
            .collect();
        assert_eq!(
            ops,
            vec![
                ("omero.web.debug", "yes"),
                ("omero.web.apps", "[\"omero_iviewer\"]"),
                ("omero.web.x", "a\nb c")
            ]
        );
        assert_eq!(&CONFIG[doc.operations[0].value_span.range()], "yes");
        assert_eq!(&CONFIG[doc.operations[1].key_span.range()], "omero.web.apps");
        assert_eq!(doc.suppressions.len(), 1);
        assert_eq!(doc.suppressions[0].applies_to, doc.operations[0].span);
    }

    #[test]
    fn reads_another_profile_on_request() {
        let doc = parse("config.xml", CONFIG, Some("test"));
        assert_eq!(doc.operations.len(), 1);
        assert_eq!(profiles(CONFIG), vec!["default", "test"]);
    }

    #[test]
    fn malformed_xml_is_a_syntax_error() {
        let doc = parse(
            "config.xml",
            "<icegrid><properties id=\"default\"><property name=\"a\" value=\"1\"></icegrid>",
            None,
        );
        assert_eq!(doc.findings.len(), 1);
        assert_eq!(doc.findings[0].code(), "IN001");
        assert!(doc.operations.is_empty());
    }
}

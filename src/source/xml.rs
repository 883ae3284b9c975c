//! `$OMERODIR/etc/grid/config.xml` as omero-py's `ConfigXml` reads it:
//! `<properties id=...>` profiles of `<property name=... value=...>`, the
//! active profile named by `omero.config.profile` in `__ACTIVE__`.

use crate::diagnostic::Finding;
use crate::document::{Document, Format, Operation, Span, Suppression, Value};
use crate::source::rules;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::path::{Path, PathBuf};

/// Where an OMERO install keeps its configuration: `OMERODIR/etc/grid/config.xml`.
pub fn in_omerodir(omerodir: &Path) -> PathBuf {
    omerodir.join("etc").join("grid").join("config.xml")
}

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
                Finding::new(&rules::SYNTAX_ERROR, format!("config.xml is not well-formed XML: {message}"))
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
            Finding::new(&rules::SYNTAX_ERROR, format!("config.xml has no profile `{active}`"))
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
    let mut entities: Vec<(String, String)> = Vec::new();
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
                check_references(raw, start, &entities)?;
                match tag.name().as_ref() {
                    "properties" => {
                        let id = attribute(raw, start, "id", &entities)
                            .map(|(v, _)| v)
                            .unwrap_or_default();
                        profile = (!is_empty).then_some(id);
                    }
                    "property" => {
                        if let (Some(profile), Some((name, name_span))) =
                            (&profile, attribute(raw, start, "name", &entities))
                        {
                            let (value, value_span) = attribute(raw, start, "value", &entities)
                                .unwrap_or((String::new(), Span::new(end, end)));
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
            Event::Text(_) => check_references(&source[start..end], start, &entities)?,
            Event::DocType(_) => entities = declared_entities(&source[start..end], start)?,
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
fn attribute(tag: &str, offset: usize, name: &str, entities: &[(String, String)]) -> Option<(String, Span)> {
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
                unescape_attribute(raw, entities),
                Span::new(offset + value_start, offset + value_end),
            ));
        }
        i = value_end + 1;
    }
    None
}

/// XML attribute-value normalisation: literal line ends and tabs become
/// spaces (a `\r\n` pair one space); character references keep theirs.
fn unescape_attribute(raw: &str, entities: &[(String, String)]) -> String {
    let normalised = raw.replace("\r\n", " ").replace(['\r', '\n', '\t'], " ");
    quick_xml::escape::unescape_with(&normalised, |name| resolve(name, entities))
        .map_or(normalised.clone(), |s| s.into_owned())
}

/// An entity reference's text: the five XML defines, then the DOCTYPE's.
fn resolve<'a>(name: &str, entities: &'a [(String, String)]) -> Option<&'a str> {
    quick_xml::escape::resolve_predefined_entity(name)
        .or_else(|| entities.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str()))
}

/// Refuses what expat refuses in text and tags: a bare `&` and a reference
/// to an entity neither XML nor the DOCTYPE defines (`&nbsp;` is HTML's).
fn check_references(raw: &str, offset: usize, entities: &[(String, String)]) -> Result<(), (String, usize)> {
    match quick_xml::escape::unescape_with(raw, |name| resolve(name, entities)) {
        Ok(_) => Ok(()),
        Err(quick_xml::escape::EscapeError::UnrecognizedEntity(at, name)) => Err((
            format!("undefined entity `&{name};`"),
            offset + at.start.saturating_sub(1),
        )),
        Err(quick_xml::escape::EscapeError::UnterminatedEntity(at)) => Err((
            "not well-formed (invalid token): a bare `&` (write `&amp;`)".to_string(),
            offset + at.start,
        )),
        Err(e) => Err((e.to_string(), offset)),
    }
}

/// The internal entities a DOCTYPE declares (`<!ENTITY name "text">`),
/// which expat expands. A replacement text that refers to other entities or
/// holds markup is refused rather than expanded differently from expat.
fn declared_entities(doctype: &str, offset: usize) -> Result<Vec<(String, String)>, (String, usize)> {
    let mut out = Vec::new();
    let mut rest = doctype;
    while let Some(at) = rest.find("<!ENTITY") {
        let declaration = &rest[at + "<!ENTITY".len()..];
        let here = offset + (doctype.len() - rest.len()) + at;
        let mut words = declaration.trim_start().splitn(2, char::is_whitespace);
        let name = words.next().unwrap_or_default();
        let body = words.next().unwrap_or_default().trim_start();
        let quote = body.chars().next().filter(|q| matches!(q, '"' | '\''));
        let text = quote.and_then(|q| body[1..].find(q).map(|end| &body[1..1 + end]));
        match text {
            // A parameter entity (`%`) or an external one (SYSTEM) defines no text here.
            _ if name == "%" || body.starts_with("SYSTEM") || body.starts_with("PUBLIC") => {}
            Some(text) if !text.contains(['&', '<', '%']) => out.push((name.to_string(), text.to_string())),
            _ => {
                return Err((
                    format!("omeroconf does not expand the entity `{name}` as expat would; write its text instead"),
                    here,
                ))
            }
        }
        rest = &declaration[declaration.find('>').unwrap_or(declaration.len())..];
    }
    Ok(out)
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

    /// What omero-py's reader (expat, through `oracle xml`) did with each value.
    #[test]
    fn entity_references_as_expat_reads_them() {
        let config = |doctype: &str, value: &str| {
            format!(
                "{doctype}<icegrid><!-- a & b --><properties id=\"__ACTIVE__\"><property name=\"omero.config.profile\" value=\"default\" /></properties>\
<properties id=\"default\"><property name=\"omero.web.top_logo\" value=\"{value}\" /></properties></icegrid>\n"
            )
        };
        let read = |text: &str| elements(text).map(|p| p.last().map(|p| p.value.clone()).unwrap_or_default());
        assert_eq!(read(&config("", "a&#65;b")), Ok("aAb".to_string()));
        let entity = "<!DOCTYPE icegrid [<!ENTITY x \"LOGO\">]>\n";
        assert_eq!(read(&config(entity, "&x;")), Ok("LOGO".to_string()));
        let undefined = read(&config("", "a&nbsp;b")).map_err(|(message, _)| message);
        assert_eq!(undefined, Err("undefined entity `&nbsp;`".to_string()));
        let bare = read(&config("", "a & b")).map_err(|(message, _)| message);
        assert!(
            bare.as_ref()
                .is_err_and(|m| m.starts_with("not well-formed (invalid token)")),
            "{bare:?}"
        );
        let nested = "<!DOCTYPE icegrid [<!ENTITY a \"x\"><!ENTITY b \"&a;&a;\">]>\n";
        assert!(read(&config(nested, "&b;")).is_err());
    }
}

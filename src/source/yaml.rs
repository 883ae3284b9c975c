//! A YAML tree with byte spans, built from yaml-rust2's events, shared by
//! the YAML inputs (compose, Kubernetes, Ansible). Scalars keep their text
//! and quoting style untyped: each input resolves types with the YAML rules
//! of the tool that reads it (Ansible's PyYAML reads YAML 1.1, so `yes` is a
//! boolean there and a string for compose). Anchors, aliases and `<<` merge
//! keys are expanded here because both readers expand them.

use crate::diagnostic::Finding;
use crate::document::{Document, Span};
use crate::source::rules;
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    /// Single- or double-quoted: always a string.
    Quoted,
    /// A `|` or `>` block: always a string.
    Block,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The value after unquoting and folding.
    pub text: String,
    pub style: Style,
    /// The tag as written, e.g. `!unsafe`, `!vault`, `!!str`.
    pub tag: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Scalar(Scalar),
    Seq { items: Vec<Node>, span: Span },
    Map { entries: Vec<(Node, Node)>, span: Span },
}

impl Node {
    pub fn span(&self) -> Span {
        match self {
            Node::Scalar(s) => s.span,
            Node::Seq { span, .. } | Node::Map { span, .. } => *span,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar node.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    /// A mapping's entries; empty for anything else.
    pub fn entries(&self) -> &[(Node, Node)] {
        match self {
            Node::Map { entries, .. } => entries,
            _ => &[],
        }
    }

    /// A sequence's items; empty for anything else.
    pub fn items(&self) -> &[Node] {
        match self {
            Node::Seq { items, .. } => items,
            _ => &[],
        }
    }

    /// The value of a mapping's key (the last one, as both readers keep it).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// A mapping's key node and value for `key`.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.entries()
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }
}

/// Why a YAML text could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub span: Span,
    pub message: String,
}

/// Every document of a YAML stream.
pub fn parse(source: &str) -> Result<Vec<Node>, YamlError> {
    let mut builder = Builder {
        offsets: CharOffsets::new(source),
        source,
        ..Builder::default()
    };
    let mut parser = Parser::new_from_str(source);
    match parser.load(&mut builder, true) {
        Ok(()) => Ok(builder.documents),
        Err(e) => {
            let at = builder.offsets.byte(e.marker().index());
            Err(YamlError {
                span: Span::new(at, at),
                message: e.info().to_string(),
            })
        }
    }
}

/// The documents of an input's YAML source, or `None` after recording
/// the syntax error (with the input's own `help`) on the document.
pub fn parse_document(doc: &mut Document, help: &str) -> Option<Vec<Node>> {
    match parse(&doc.source) {
        Ok(documents) => Some(documents),
        // A Helm or Jinja template is YAML only once rendered.
        Err(e) if doc.source.contains("{{") => {
            doc.findings.push(
                Finding::new(
                    &rules::TEMPLATE_VALUE,
                    "this file is a template (`{{ ... }}`), YAML only once it is rendered: it is not checked",
                )
                .at(e.span, "not YAML before rendering")
                .help("render it (`helm template`, `ansible-playbook --check`) and lint the result"),
            );
            None
        }
        Err(e) => {
            doc.findings.push(
                Finding::new(&rules::SYNTAX_ERROR, format!("invalid YAML: {}", e.message))
                    .at(e.span, "here")
                    .help(help.to_string()),
            );
            None
        }
    }
}

/// Char index to byte offset (yaml-rust2's markers count chars).
#[derive(Default)]
struct CharOffsets {
    /// Byte offset of every char, plus the end; empty for ASCII text.
    bytes: Vec<usize>,
    len: usize,
}

impl CharOffsets {
    fn new(source: &str) -> CharOffsets {
        let bytes = if source.is_ascii() {
            Vec::new()
        } else {
            source
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(source.len()))
                .collect()
        };
        CharOffsets {
            bytes,
            len: source.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.bytes.is_empty() {
            char_index.min(self.len)
        } else {
            self.bytes.get(char_index).copied().unwrap_or(self.len)
        }
    }
}

enum Open {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
        start: usize,
        anchor: usize,
    },
}

#[derive(Default)]
struct Builder<'a> {
    source: &'a str,
    offsets: CharOffsets,
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    documents: Vec<Node>,
}

impl Builder<'_> {
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map {
                entries, pending_key, ..
            }) => match pending_key.take() {
                Some(key) => entries.push((key, node)),
                None => *pending_key = Some(node),
            },
            None => self.documents.push(node),
        }
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }

    fn scalar_span(&self, start: usize, style: TScalarStyle, text: &str) -> Span {
        let rest = &self.source[start..];
        let line_end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let len = match style {
            TScalarStyle::Plain if rest.starts_with(text) => text.len(),
            TScalarStyle::SingleQuoted => quoted_len(rest, b'\''),
            TScalarStyle::DoubleQuoted => quoted_len(rest, b'"'),
            _ => rest[..line_end].trim_end().len(),
        };
        Span::new(start, start + len)
    }
}

/// The length of a quoted scalar, closing quote included.
fn quoted_len(text: &str, quote: u8) -> usize {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `<<: *defaults` entries merged after the explicit ones, which win.
fn merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let is_merge = |k: &Node| matches!(k, Node::Scalar(s) if s.text == "<<" && s.style == Style::Plain);
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return entries;
    }
    let (merges, mut own): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, _)| is_merge(k));
    for (_, source) in merges {
        let maps: Vec<Node> = match source {
            Node::Seq { items, .. } => items,
            map => vec![map],
        };
        for map in maps {
            if let Node::Map { entries, .. } = map {
                for (key, value) in entries {
                    if !own
                        .iter()
                        .any(|(k, _)| k.as_str().is_some() && k.as_str() == key.as_str())
                    {
                        own.push((key, value));
                    }
                }
            }
        }
    }
    own
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let start = self.offsets.byte(mark.index());
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let span = self.scalar_span(start, style, &text);
                let style = match style {
                    TScalarStyle::Plain => Style::Plain,
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => Style::Quoted,
                    _ => Style::Block,
                };
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let node = Node::Scalar(Scalar { text, style, tag, span });
                self.remember(anchor, &node);
                self.push(node);
            }
            Event::Alias(anchor) => {
                // An unknown anchor is a scan error before we get here.
                if let Some(node) = self.anchors.get(&anchor).cloned() {
                    self.push(node);
                }
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Open::Seq {
                items: Vec::new(),
                start,
                anchor,
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Open::Map {
                entries: Vec::new(),
                pending_key: None,
                start,
                anchor,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Open::Seq { items, start, anchor }) => {
                        let end = items.last().map_or(start, |n| n.span().end);
                        (
                            Node::Seq {
                                items,
                                span: Span::new(start, end.max(start)),
                            },
                            anchor,
                        )
                    }
                    Some(Open::Map {
                        entries, start, anchor, ..
                    }) => {
                        let end = entries.last().map_or(start, |(_, v)| v.span().end);
                        (
                            Node::Map {
                                entries: merge_keys(entries),
                                span: Span::new(start, end.max(start)),
                            },
                            anchor,
                        )
                    }
                    None => return,
                };
                self.remember(anchor, &node);
                self.push(node);
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd | Event::Nothing => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_at(source: &str, node: &Node) -> String {
        source[node.span().range()].to_string()
    }

    #[test]
    fn spans_cover_plain_and_quoted_scalars() {
        let source = "a: plain value  # c\nb: 'it''s'\nc: \"x\\\"y\"\nd: é-ü\n";
        let docs = parse(source).unwrap_or_default();
        let map = &docs[0];
        assert_eq!(text_at(source, map.get("a").unwrap_or(map)), "plain value");
        assert_eq!(text_at(source, map.get("b").unwrap_or(map)), "'it''s'");
        assert_eq!(map.get("b").and_then(Node::as_str), Some("it's"));
        assert_eq!(text_at(source, map.get("c").unwrap_or(map)), "\"x\\\"y\"");
        assert_eq!(text_at(source, map.get("d").unwrap_or(map)), "é-ü");
        let (key, _) = map.entry("d").unwrap_or((map, map));
        assert_eq!(text_at(source, key), "d");
    }

    #[test]
    fn anchors_aliases_and_merge_keys_expand() {
        let source = "x: &env\n  A: '1'\n  B: '2'\ny:\n  <<: *env\n  B: '3'\n";
        let docs = parse(source).unwrap_or_default();
        let y = docs[0].get("y").cloned().unwrap_or(Node::Seq {
            items: vec![],
            span: Span::default(),
        });
        let pairs: Vec<_> = y.entries().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, vec![(Some("B"), Some("3")), (Some("A"), Some("1"))]);
    }

    #[test]
    fn several_documents_and_errors_with_positions() {
        assert_eq!(parse("a: 1\n---\nb: 2\n").map(|d| d.len()), Ok(2));
        let error = parse("a: [1, 2\nb: 3\n").err();
        assert!(error.is_some_and(|e| e.span.start > 0 && !e.message.is_empty()));
    }
}

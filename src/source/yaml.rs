//! A YAML tree with byte spans, built from yaml-rust2's events, shared by
//! the YAML inputs (compose, Kubernetes, Ansible). Scalars keep their text
//! and quoting style untyped: each input resolves types with the YAML rules
//! of the tool that reads it (Ansible's PyYAML reads YAML 1.1, so `yes` is a
//! boolean there and a string for compose). Anchors, aliases and `<<` merge
//! keys are resolved here because both readers resolve them, but an alias
//! shares its anchor's node (as PyYAML does) instead of copying it: nine
//! nested levels of aliases cost a few hundred bytes, not gigabytes. Whoever
//! walks a value built from aliases bounds its own work ([`Budget`]).

use crate::diagnostic::Finding;
use crate::document::{Document, Span};
use crate::source::rules;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
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

/// A node; cloning one (as an alias does) shares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Scalar(Rc<Scalar>),
    Seq { items: Rc<Vec<Node>>, span: Span },
    Map { entries: Rc<Vec<(Node, Node)>>, span: Span },
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

    /// An identity shared by every alias of one collection, for walks
    /// that must visit it once; `None` for scalars.
    pub fn shared_id(&self) -> Option<*const ()> {
        match self {
            Node::Scalar(_) => None,
            Node::Seq { items, .. } => Some(Rc::as_ptr(items).cast()),
            Node::Map { entries, .. } => Some(Rc::as_ptr(entries).cast()),
        }
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

/// The documents of a YAML stream, and whether Go's YAML readers refuse it.
#[derive(Debug, Default)]
pub struct Stream {
    pub documents: Vec<Node>,
    /// The alias at which go-yaml (Docker Compose, kubectl) stops with
    /// "document contains excessive aliasing", if it does.
    pub excessive_aliasing: Option<Span>,
}

/// Every document of a YAML stream.
pub fn parse(source: &str) -> Result<Stream, YamlError> {
    // PyYAML and go-yaml skip a byte order mark; yaml-rust2 would read it
    // into the first key. Parse after it, counting it in the positions.
    let text = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut builder = Builder {
        offsets: CharOffsets::new(source),
        source,
        bom: usize::from(text.len() < source.len()),
        ..Builder::default()
    };
    let mut parser = Parser::new_from_str(text);
    let loaded = parser.load(&mut builder, true);
    if let Some(error) = builder.error.take() {
        return Err(error);
    }
    match loaded {
        Ok(()) => Ok(Stream {
            documents: builder.documents,
            excessive_aliasing: builder.excessive_aliasing,
        }),
        Err(e) => {
            let at = builder.offsets.byte(e.marker().index() + builder.bom);
            Err(YamlError {
                span: Span::new(at, at),
                message: e.info().to_string(),
            })
        }
    }
}

/// The documents of an input's YAML source, or `None` after recording
/// the syntax error (with the input's own `help`) on the document.
pub fn parse_document(doc: &mut Document, help: &str) -> Option<Stream> {
    match parse(&doc.source) {
        Ok(stream) => Some(stream),
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

/// The work a reader may spend expanding values built from aliases: each
/// node and each byte of scalar text costs one unit. Sharing makes a tree
/// cheap to hold but not to expand (nine nested aliases stand for 387
/// million scalars), so every value expanded draws on one budget per file,
/// proportional to the file's size. A value's cost is known before it is
/// expanded, so one that does not fit costs nothing and the rest go on.
#[derive(Debug)]
pub struct Budget {
    left: usize,
    /// The cost of each shared collection, computed once.
    costs: HashMap<*const (), usize>,
}

impl Budget {
    /// Units for a source of `len` bytes: far more than any value of a file
    /// without aliases needs.
    pub fn for_source(len: usize) -> Budget {
        Budget {
            left: 1_000_000usize.saturating_add(len.saturating_mul(4)),
            costs: HashMap::new(),
        }
    }

    /// Takes what expanding `node` costs; `false`, taking nothing, when
    /// that is more than is left.
    pub fn take(&mut self, node: &Node) -> bool {
        let cost = self.cost(node);
        match self.left.checked_sub(cost) {
            Some(left) => {
                self.left = left;
                true
            }
            None => false,
        }
    }

    fn cost(&mut self, node: &Node) -> usize {
        let id = match node {
            Node::Scalar(s) => return s.text.len().saturating_add(1),
            _ => node.shared_id(),
        };
        if let Some(cost) = id.and_then(|id| self.costs.get(&id)) {
            return *cost;
        }
        let cost = match node {
            Node::Seq { items, .. } => items.iter().fold(1usize, |sum, i| sum.saturating_add(self.cost(i))),
            _ => node.entries().iter().fold(1usize, |sum, (k, v)| {
                sum.saturating_add(self.cost(k)).saturating_add(self.cost(v))
            }),
        };
        if let Some(id) = id {
            self.costs.insert(id, cost);
        }
        cost
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
        size: u64,
    },
    Map {
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
        start: usize,
        anchor: usize,
        size: u64,
    },
}

/// Entries `<<` merge keys may copy in one file: each merge copies its
/// maps' entries (shared, not deep), so only their number needs a bound.
const MERGE_BUDGET: usize = 200_000;

/// go-yaml's limit on alias expansion (`allowedAliasRatio` in its
/// decode.go): the share of decoded nodes that may come from aliases.
fn allowed_alias_ratio(decoded: u64) -> f64 {
    const LOW: u64 = 400_000;
    const HIGH: u64 = 4_000_000;
    match decoded {
        d if d <= LOW => 0.99,
        d if d >= HIGH => 0.10,
        d => 0.99 - 0.89 * ((d - LOW) as f64 / (HIGH - LOW) as f64),
    }
}

#[derive(Default)]
struct Builder<'a> {
    source: &'a str,
    offsets: CharOffsets,
    /// 1 when the source starts with a byte order mark the parser does not see.
    bom: usize,
    stack: Vec<Open>,
    /// Each anchor's node and its size once aliases are expanded.
    anchors: HashMap<usize, (Node, u64)>,
    documents: Vec<Node>,
    /// go-yaml's counters for the current document: nodes decoded, and
    /// how many of them an alias expanded.
    decoded: u64,
    aliased: u64,
    excessive_aliasing: Option<Span>,
    merged: usize,
    error: Option<YamlError>,
}

impl Builder<'_> {
    /// Adds a node whose expanded size is `size` to the open collection.
    fn push(&mut self, node: Node, size: u64) {
        match self.stack.last_mut() {
            Some(Open::Seq { items, size: total, .. }) => {
                items.push(node);
                *total = total.saturating_add(size);
            }
            Some(Open::Map {
                entries,
                pending_key,
                size: total,
                ..
            }) => {
                *total = total.saturating_add(size);
                match pending_key.take() {
                    Some(key) => entries.push((key, node)),
                    None => *pending_key = Some(node),
                }
            }
            None => self.documents.push(node),
        }
    }

    fn remember(&mut self, anchor: usize, node: &Node, size: u64) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
    }

    /// Counts nodes the way go-yaml does while it decodes; it checks after
    /// every node, and the ratio peaks at the end of an alias's expansion.
    fn count_decoded(&mut self, nodes: u64, aliased: u64, at: usize) {
        self.decoded = self.decoded.saturating_add(nodes);
        self.aliased = self.aliased.saturating_add(aliased);
        if self.excessive_aliasing.is_none()
            && self.aliased > 100
            && self.decoded > 1000
            && self.aliased as f64 / self.decoded as f64 > allowed_alias_ratio(self.decoded)
        {
            self.excessive_aliasing = Some(Span::new(at, at));
        }
    }

    fn scalar_span(&self, start: usize, style: TScalarStyle, text: &str) -> Span {
        let rest = &self.source[start..];
        let len = match style {
            TScalarStyle::Plain if rest.starts_with(text) => text.len(),
            TScalarStyle::SingleQuoted => quoted_len(rest, b'\''),
            TScalarStyle::DoubleQuoted => quoted_len(rest, b'"'),
            // Only here: searching every scalar's line end is quadratic on one long line.
            _ => rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())].trim_end().len(),
        };
        Span::new(start, start + len)
    }

    /// `<<: *defaults` entries merged after the explicit ones, which win.
    fn merge_keys(&mut self, entries: Vec<(Node, Node)>, at: usize) -> Vec<(Node, Node)> {
        let is_merge = |k: &Node| matches!(k, Node::Scalar(s) if s.text == "<<" && s.style == Style::Plain);
        if !entries.iter().any(|(k, _)| is_merge(k)) {
            return entries;
        }
        let (merges, mut own): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, _)| is_merge(k));
        let mut seen: HashSet<String> = own.iter().filter_map(|(k, _)| k.as_str()).map(str::to_string).collect();
        for (_, source) in merges {
            let maps: Vec<Node> = match source {
                Node::Seq { items, .. } => items.to_vec(),
                map => vec![map],
            };
            for map in maps {
                for (key, value) in map.entries() {
                    self.merged += 1;
                    if self.merged > MERGE_BUDGET {
                        self.error.get_or_insert(YamlError {
                            span: Span::new(at, at),
                            message: format!(
                                "the `<<` merge keys copy more than {MERGE_BUDGET} entries; omeroconf stops reading here"
                            ),
                        });
                        return own;
                    }
                    let fresh = match key.as_str() {
                        Some(name) => seen.insert(name.to_string()),
                        None => true,
                    };
                    if fresh {
                        own.push((key.clone(), value.clone()));
                    }
                }
            }
        }
        own
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

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let start = self.offsets.byte(mark.index() + self.bom);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let span = self.scalar_span(start, style, &text);
                let style = match style {
                    TScalarStyle::Plain => Style::Plain,
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => Style::Quoted,
                    _ => Style::Block,
                };
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let node = Node::Scalar(Rc::new(Scalar { text, style, tag, span }));
                self.count_decoded(1, 0, start);
                self.remember(anchor, &node, 1);
                self.push(node, 1);
            }
            Event::Alias(anchor) => {
                // An unknown anchor is a scan error before we get here.
                if let Some((node, size)) = self.anchors.get(&anchor).cloned() {
                    self.count_decoded(size.saturating_add(1), size, start);
                    self.push(node, size.saturating_add(1));
                }
            }
            Event::SequenceStart(anchor, _) => {
                self.count_decoded(1, 0, start);
                self.stack.push(Open::Seq {
                    items: Vec::new(),
                    start,
                    anchor,
                    size: 1,
                })
            }
            Event::MappingStart(anchor, _) => {
                self.count_decoded(1, 0, start);
                self.stack.push(Open::Map {
                    entries: Vec::new(),
                    pending_key: None,
                    start,
                    anchor,
                    size: 1,
                })
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor, size) = match self.stack.pop() {
                    Some(Open::Seq {
                        items,
                        start,
                        anchor,
                        size,
                    }) => {
                        let end = items.last().map_or(start, |n| n.span().end);
                        let span = Span::new(start, end.max(start));
                        let items = Rc::new(items);
                        (Node::Seq { items, span }, anchor, size)
                    }
                    Some(Open::Map {
                        entries,
                        start,
                        anchor,
                        size,
                        ..
                    }) => {
                        let end = entries.last().map_or(start, |(_, v)| v.span().end);
                        let span = Span::new(start, end.max(start));
                        let entries = Rc::new(self.merge_keys(entries, start));
                        (Node::Map { entries, span }, anchor, size)
                    }
                    None => return,
                };
                self.remember(anchor, &node, size);
                self.push(node, size);
            }
            Event::DocumentStart => {
                // go-yaml decodes each document on its own, the document node counted.
                self.decoded = 1;
                self.aliased = 0;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
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
        let docs = parse(source).map(|s| s.documents).unwrap_or_default();
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
        let docs = parse(source).map(|s| s.documents).unwrap_or_default();
        let y = docs[0].get("y").cloned().unwrap_or(Node::Seq {
            items: Rc::default(),
            span: Span::default(),
        });
        let pairs: Vec<_> = y.entries().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, vec![(Some("B"), Some("3")), (Some("A"), Some("1"))]);
    }

    #[test]
    fn several_documents_and_errors_with_positions() {
        assert_eq!(parse("a: 1\n---\nb: 2\n").map(|s| s.documents.len()), Ok(2));
        let error = parse("a: [1, 2\nb: 3\n").err();
        assert!(error.is_some_and(|e| e.span.start > 0 && !e.message.is_empty()));
    }

    /// `levels` anchors, each a list of `fanout` aliases of the one before.
    fn laughs(levels: usize, fanout: usize) -> String {
        let mut text = format!("a0: &a0 [{}]\n", vec!["x"; fanout].join(","));
        for level in 1..levels {
            let items = vec![format!("*a{}", level - 1); fanout].join(",");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        text
    }

    #[test]
    fn aliases_share_their_anchor_instead_of_copying_it() {
        let stream = parse(&laughs(9, 9)).unwrap_or_default();
        let lists: Vec<&Node> = stream.documents[0].entries().iter().map(|(_, v)| v).collect();
        assert_eq!(lists.len(), 9);
        let (a7, a8) = (lists[7].shared_id(), lists[8].items()[0].shared_id());
        assert!(a7.is_some() && a7 == a8);
        // The value is 9^9 scalars once expanded: more than a file's budget.
        let mut budget = Budget::for_source(1000);
        assert!(!budget.take(lists[8]));
        assert!(
            budget.take(lists[2]),
            "a value that fits is still expanded after one that does not"
        );
    }

    #[test]
    fn go_yaml_refuses_excessive_aliasing() {
        // As go-yaml v3 decides: 1111 nodes of which 1100 from aliases pass, 11111 with 11000 do not.
        let accepted = parse(&laughs(3, 10)).map(|s| s.excessive_aliasing);
        assert_eq!(accepted, Ok(None));
        let refused = parse(&laughs(4, 10)).map(|s| s.excessive_aliasing.map(|at| at.start));
        assert!(matches!(refused, Ok(Some(at)) if at > 0), "{refused:?}");
    }

    #[test]
    fn merge_keys_are_bounded() {
        let keys: Vec<String> = (0..1000).map(|i| format!("k{i}: v")).collect();
        let mut text = format!("x: &a {{{}}}\ny:\n", keys.join(", "));
        text.push_str(&"  - {<<: *a}\n".repeat(MERGE_BUDGET / 1000));
        assert!(parse(&text).is_ok());
        text.push_str("  - {<<: *a}\n");
        let error = parse(&text).err().map(|e| e.message);
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("merge keys copy more than")),
            "{error:?}"
        );
    }
}

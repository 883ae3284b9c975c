//! CPython 3.11 `re` compatibility for `omero.web.public.url_filter`.
//!
//! OMERO.web runs `re.compile` on the filter at start-up and calls
//! `.search(request.path)` on every public request, so this module offers:
//!
//! 1. [`check`]: accept or reject a pattern exactly as CPython 3.11's
//!    `re._parser` / `re._compiler` do, with the same message and position
//!    ([`ReError`]). On success it returns a [`Pattern`] (a small AST).
//! 2. [`to_fancy_regex`]: a `fancy-regex` 0.20 pattern with Python's *search*
//!    semantics on `str` subjects, or a [`TranslateError`] when a construct
//!    cannot be carried over faithfully.
//! 3. [`backtracking_risk`]: flags patterns on which CPython's backtracking
//!    engine can take exponential time, with an explanation and a span.
//!
//! Positions are character (code point) indices, as Python reports them.
//! Things that cannot be modelled exactly are listed on the items concerned
//! (`\N{...}` names, the recursion limit, Unicode table versions).

use super::int::repr_str;
use super::tables::{decimal_value, is_space, DECIMAL_ZEROS};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------
// Constants mirrored from CPython 3.11 (`_sre`, `re._constants`, `re._parser`)
// ---------------------------------------------------------------------------

/// `_sre.MAXREPEAT`: a repeat bound must be below this.
const MAXREPEAT: u64 = 4_294_967_295;
/// `_sre.MAXGROUPS` for 4-byte code units.
const MAXGROUPS: u64 = 1_073_741_823;
/// `_compiler.MAXCODE`: the largest look-behind width.
const MAXCODE: u128 = (1 << 32) - 1;
/// `_parser.MAXWIDTH`: widths are capped here.
const MAXWIDTH: u128 = 1 << 64;
/// `sys.get_int_max_str_digits()` default: `int()` refuses longer strings.
const INT_MAX_STR_DIGITS: usize = 4300;
/// Python frames used by nested `_parse` calls before a `RecursionError`.
/// Calibrated on omero-web 5.33.2 settings import (491 nested groups or 982
/// nested conditionals parse; one more fails). Real deployments import the
/// settings from a slightly different stack depth, so this is approximate.
const PARSE_FRAME_LIMIT: u32 = 985;

/// Inline flag bits, with CPython's values (`re.I` == 2, ...).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags(pub u32);

impl Flags {
    /// `t` (`re.TEMPLATE`), undocumented and deprecated.
    pub const TEMPLATE: u32 = 1;
    /// `i`
    pub const IGNORECASE: u32 = 2;
    /// `L` (bytes patterns only)
    pub const LOCALE: u32 = 4;
    /// `m`
    pub const MULTILINE: u32 = 8;
    /// `s`
    pub const DOTALL: u32 = 16;
    /// `u` (implied for str patterns without `a`)
    pub const UNICODE: u32 = 32;
    /// `x`
    pub const VERBOSE: u32 = 64;
    /// `a`
    pub const ASCII: u32 = 256;

    const TYPE: u32 = Self::ASCII | Self::LOCALE | Self::UNICODE;
    const GLOBAL: u32 = 128 | Self::TEMPLATE; // DEBUG | TEMPLATE

    /// Whether every bit of `bits` is set.
    pub fn contains(self, bits: u32) -> bool {
        self.0 & bits == bits
    }

    fn from_letter(c: char) -> Option<u32> {
        Some(match c {
            'i' => Self::IGNORECASE,
            'L' => Self::LOCALE,
            'm' => Self::MULTILINE,
            's' => Self::DOTALL,
            'x' => Self::VERBOSE,
            'a' => Self::ASCII,
            't' => Self::TEMPLATE,
            'u' => Self::UNICODE,
            _ => return None,
        })
    }

    /// `_compiler._combine_flags`: scoped flags on top of the outer ones.
    fn combine(self, add: Flags, del: Flags) -> Flags {
        let mut f = self.0;
        if add.0 & Self::TYPE != 0 {
            f &= !Self::TYPE;
        }
        Flags((f | add.0) & !del.0)
    }
}

// ---------------------------------------------------------------------------
// Errors and warnings
// ---------------------------------------------------------------------------

/// The Python exception class that `re.compile` raises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReErrorKind {
    /// `re.error` (not a `ValueError`: OMERO.web lets it escape unwrapped).
    Error,
    /// `OverflowError`, e.g. `the repetition number is too large`.
    Overflow,
    /// `ValueError`; OMERO.web wraps it as `Invalid PUBLIC_URL_FILTER (...)`.
    Value,
    /// `RecursionError` for very deeply nested patterns.
    Recursion,
}

/// Why CPython 3.11 rejects a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReError {
    /// CPython's message without the position suffix (`error.msg`).
    pub message: String,
    /// Character index Python reports (`error.pos`), if any.
    pub position: Option<usize>,
    /// The same position as a byte offset into the pattern.
    pub byte_offset: Option<usize>,
    /// Exception class.
    pub kind: ReErrorKind,
    /// `(lineno, colno)` as Python computes them, when `position` is set.
    line_col: Option<(usize, usize)>,
    /// Python adds "(line L, column C)" only for patterns containing `\n`.
    multiline: bool,
}

impl ReError {
    fn new(chars: &[char], message: String, pos: Option<usize>, kind: ReErrorKind) -> Self {
        let mut byte_offset = None;
        let mut line_col = None;
        if let Some(p) = pos {
            let p = p.min(chars.len());
            byte_offset = Some(chars[..p].iter().map(|c| c.len_utf8()).sum());
            let line = chars[..p].iter().filter(|&&c| c == '\n').count() + 1;
            let col = match chars[..p].iter().rposition(|&c| c == '\n') {
                Some(nl) => p - nl,
                None => p + 1,
            };
            line_col = Some((line, col));
        }
        ReError {
            message,
            position: pos,
            byte_offset,
            kind,
            line_col,
            multiline: chars.contains(&'\n'),
        }
    }

    /// Python's exception class name (`error`, `OverflowError`, ...).
    pub fn python_type(&self) -> &'static str {
        match self.kind {
            ReErrorKind::Error => "error",
            ReErrorKind::Overflow => "OverflowError",
            ReErrorKind::Value => "ValueError",
            ReErrorKind::Recursion => "RecursionError",
        }
    }

    /// `(line, column)` of the position, 1-based as in `re.error`.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        self.line_col
    }
}

impl fmt::Display for ReError {
    /// Exactly `str(exc)` in Python.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(p) = self.position {
            write!(f, " at position {p}")?;
            if let (true, Some((l, c))) = (self.multiline, self.line_col) {
                write!(f, " (line {l}, column {c})")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ReError {}

/// A warning CPython emits while compiling (the pattern still compiles).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReWarning {
    /// `FutureWarning` or `DeprecationWarning`.
    pub category: &'static str,
    /// Python's warning text.
    pub message: String,
    /// Character index the warning refers to.
    pub position: usize,
}

// ---------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------

/// Half-open character span `[start, end)` in the pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// First character index.
    pub start: usize,
    /// One past the last character index.
    pub end: usize,
}

/// A node of the parsed pattern, with its source span.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// Where it is in the pattern.
    pub span: Span,
}

/// Kinds of nodes. Unlike CPython, non-capturing groups are kept (for spans)
/// and alternations are not factored.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// One code point (may be a surrogate from `\ud800`). [`UNRESOLVED_CHAR`]
    /// stands for a `\N{...}` name this module could not resolve.
    Literal(u32),
    /// `.`
    Any,
    /// `[...]` or a category escape such as `\d` outside a set.
    Class(Class),
    /// `^ $ \A \Z \b \B`
    Assert(Assertion),
    /// Concatenation.
    Seq(Vec<Node>),
    /// `a|b|...`
    Alt(Vec<Node>),
    /// `(...)`, `(?P<name>...)`, `(?:...)`, `(?flags:...)`.
    Group {
        /// Capture group number, if capturing.
        index: Option<u32>,
        /// Group name for `(?P<name>...)`.
        name: Option<String>,
        /// Flags turned on for the body.
        add: Flags,
        /// Flags turned off for the body.
        del: Flags,
        /// The body.
        body: Box<Node>,
    },
    /// `(?>...)`
    Atomic(Box<Node>),
    /// `(?=...)`, `(?!...)`, `(?<=...)`, `(?<!...)`.
    Look {
        /// Look-behind instead of look-ahead.
        behind: bool,
        /// Negative assertion.
        negative: bool,
        /// The body.
        body: Box<Node>,
    },
    /// `*`, `+`, `?`, `{m,n}` with their lazy/possessive forms.
    Repeat {
        /// Lower bound.
        min: u32,
        /// Upper bound; `None` means unbounded (`MAXREPEAT`).
        max: Option<u32>,
        /// Greedy, lazy (`?`) or possessive (`+`).
        mode: RepeatMode,
        /// The repeated item.
        body: Box<Node>,
    },
    /// `\1` or `(?P=name)`.
    Backref(u32),
    /// `(?(group)yes|no)`.
    Cond {
        /// Group number tested.
        group: u32,
        /// Branch when the group matched.
        yes: Box<Node>,
        /// Branch otherwise (`None`: matches empty).
        no: Option<Box<Node>>,
    },
}

impl Drop for Node {
    /// Iterative, so that dropping a deeply nested tree cannot overflow the stack.
    fn drop(&mut self) {
        fn take(n: &mut Node) -> NodeKind {
            std::mem::replace(&mut n.kind, NodeKind::Seq(Vec::new()))
        }
        let has_children = match &self.kind {
            NodeKind::Seq(v) | NodeKind::Alt(v) => !v.is_empty(),
            NodeKind::Group { .. }
            | NodeKind::Atomic(_)
            | NodeKind::Look { .. }
            | NodeKind::Repeat { .. }
            | NodeKind::Cond { .. } => true,
            _ => false,
        };
        if !has_children {
            return;
        }
        let mut stack = vec![take(self)];
        while let Some(kind) = stack.pop() {
            match kind {
                NodeKind::Seq(v) | NodeKind::Alt(v) => {
                    for mut n in v {
                        stack.push(take(&mut n));
                    }
                }
                NodeKind::Group { mut body, .. }
                | NodeKind::Atomic(mut body)
                | NodeKind::Look { mut body, .. }
                | NodeKind::Repeat { mut body, .. } => stack.push(take(&mut body)),
                NodeKind::Cond { mut yes, no, .. } => {
                    stack.push(take(&mut yes));
                    if let Some(mut n) = no {
                        stack.push(take(&mut n));
                    }
                }
                _ => {}
            }
        }
    }
}

/// A marker code point for `\N{...}` names that could not be resolved here.
pub const UNRESOLVED_CHAR: u32 = 0x11_0000;

/// A character set.
#[derive(Clone, Debug, PartialEq)]
pub struct Class {
    /// `[^...]`
    pub negated: bool,
    /// Members.
    pub items: Vec<ClassItem>,
}

/// A member of a character set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ClassItem {
    /// Inclusive code point range (a single character has `lo == hi`).
    Range(u32, u32),
    /// `\d \D \s \S \w \W`
    Cat(Category),
}

/// Category escapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// `\d`
    Digit,
    /// `\D`
    NotDigit,
    /// `\s`
    Space,
    /// `\S`
    NotSpace,
    /// `\w`
    Word,
    /// `\W`
    NotWord,
}

/// Zero-width assertions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assertion {
    /// `^`
    Start,
    /// `$`
    End,
    /// `\A`
    StartText,
    /// `\Z`
    EndText,
    /// `\b`
    WordBoundary,
    /// `\B`
    NotWordBoundary,
}

/// Quantifier flavour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepeatMode {
    /// `*`
    Greedy,
    /// `*?`
    Lazy,
    /// `*+` (3.11+)
    Possessive,
}

/// A pattern CPython 3.11 accepts, as parsed by [`check`].
#[derive(Clone, Debug)]
pub struct Pattern {
    source: String,
    root: Node,
    flags: Flags,
    groups: u32,
    names: Vec<(String, u32)>,
    warnings: Vec<ReWarning>,
    unresolved_names: Vec<(String, Span)>,
    groupwidths: Vec<Option<Width>>,
    /// Upper bound of the parenthesis nesting (see [`with_stack`]).
    depth: usize,
}

impl Pattern {
    /// The pattern text.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// The parsed tree.
    pub fn root(&self) -> &Node {
        &self.root
    }
    /// Global flags after compilation (`Pattern.flags`, includes `u` unless `a`).
    pub fn flags(&self) -> Flags {
        self.flags
    }
    /// Number of capture groups (`Pattern.groups`).
    pub fn group_count(&self) -> u32 {
        self.groups
    }
    /// Named groups and their numbers (`Pattern.groupindex`).
    pub fn group_names(&self) -> &[(String, u32)] {
        &self.names
    }
    /// Warnings CPython would print (`FutureWarning: Possible nested set`, ...).
    pub fn warnings(&self) -> &[ReWarning] {
        &self.warnings
    }
    /// `\N{...}` names that look valid but are not in this module's small
    /// name table: CPython may still reject them (`undefined character name`).
    pub fn unresolved_names(&self) -> &[(String, Span)] {
        &self.unresolved_names
    }
}

// ---------------------------------------------------------------------------
// Tokenizer (mirrors `re._parser.Tokenizer`, including its eager look-ahead)
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tk {
    /// A plain character.
    C(char),
    /// A backslash and the character after it.
    E(char),
}

impl Tk {
    fn len(self) -> usize {
        match self {
            Tk::C(_) => 1,
            Tk::E(_) => 2,
        }
    }
    fn text(self) -> String {
        match self {
            Tk::C(c) => c.to_string(),
            Tk::E(c) => format!("\\{c}"),
        }
    }
    fn is(self, c: char) -> bool {
        self == Tk::C(c)
    }
    fn plain(self) -> Option<char> {
        match self {
            Tk::C(c) => Some(c),
            Tk::E(_) => None,
        }
    }
}

type PResult<T> = Result<T, ReError>;

struct Tokenizer<'a> {
    s: &'a [char],
    index: usize,
    next: Option<Tk>,
}

impl<'a> Tokenizer<'a> {
    fn new(s: &'a [char]) -> PResult<Self> {
        let mut t = Tokenizer {
            s,
            index: 0,
            next: None,
        };
        t.advance()?;
        Ok(t)
    }

    fn advance(&mut self) -> PResult<()> {
        let i = self.index;
        let Some(&c) = self.s.get(i) else {
            self.next = None;
            return Ok(());
        };
        if c == '\\' {
            let Some(&d) = self.s.get(i + 1) else {
                return Err(self.err_at("bad escape (end of pattern)".into(), self.s.len() - 1));
            };
            self.next = Some(Tk::E(d));
            self.index = i + 2;
        } else {
            self.next = Some(Tk::C(c));
            self.index = i + 1;
        }
        Ok(())
    }

    fn matches(&mut self, c: char) -> PResult<bool> {
        if self.next == Some(Tk::C(c)) {
            self.advance()?;
            return Ok(true);
        }
        Ok(false)
    }

    fn get(&mut self) -> PResult<Option<Tk>> {
        let this = self.next;
        self.advance()?;
        Ok(this)
    }

    fn next_plain(&self) -> Option<char> {
        self.next.and_then(Tk::plain)
    }

    /// Up to `n` plain characters satisfying `pred`.
    fn getwhile(&mut self, n: usize, pred: impl Fn(char) -> bool) -> PResult<String> {
        let mut out = String::new();
        for _ in 0..n {
            match self.next_plain() {
                Some(c) if pred(c) => {
                    out.push(c);
                    self.advance()?;
                }
                _ => break,
            }
        }
        Ok(out)
    }

    /// Tokens up to `terminator`; escapes are kept as two characters.
    fn getuntil(&mut self, terminator: char, name: &str) -> PResult<String> {
        let mut result = String::new();
        let mut len = 0usize;
        loop {
            let c = self.get()?;
            match c {
                None => {
                    if result.is_empty() {
                        return Err(self.error(format!("missing {name}"), 0));
                    }
                    return Err(self.error(format!("missing {terminator}, unterminated name"), len));
                }
                Some(t) if t.is(terminator) => {
                    if result.is_empty() {
                        return Err(self.error(format!("missing {name}"), 1));
                    }
                    break;
                }
                Some(t) => {
                    result.push_str(&t.text());
                    len += t.len();
                }
            }
        }
        Ok(result)
    }

    fn tell(&self) -> usize {
        self.index - self.next.map_or(0, Tk::len)
    }

    fn seek(&mut self, index: usize) -> PResult<()> {
        self.index = index;
        self.advance()
    }

    fn err_at(&self, msg: String, pos: usize) -> ReError {
        ReError::new(self.s, msg, Some(pos), ReErrorKind::Error)
    }

    /// `source.error(msg, offset)`: position is `tell() - offset`.
    fn error(&self, msg: String, offset: usize) -> ReError {
        self.err_at(msg, self.tell().saturating_sub(offset))
    }
}

// ---------------------------------------------------------------------------
// Widths (`SubPattern.getwidth`)
// ---------------------------------------------------------------------------

type Width = (u128, u128);

fn cap(w: Width) -> Width {
    (w.0.min(MAXWIDTH), w.1.min(MAXWIDTH))
}

fn repeat_width(item: Width, min: u32, max: Option<u32>) -> Width {
    let lo = item.0 * u128::from(min);
    let hi = match max {
        None if item.1 > 0 => MAXWIDTH,
        None => 0,
        Some(m) => item.1 * u128::from(m),
    };
    cap((lo, hi))
}

/// Width of a node as CPython computes it; `groupwidths[g]` for back-references.
fn node_width(node: &Node, groupwidths: &[Option<Width>]) -> Width {
    match &node.kind {
        NodeKind::Literal(_) | NodeKind::Any | NodeKind::Class(_) => (1, 1),
        NodeKind::Assert(_) | NodeKind::Look { .. } => (0, 0),
        NodeKind::Seq(items) => {
            let mut w = (0u128, 0u128);
            for it in items {
                let iw = node_width(it, groupwidths);
                w = cap((w.0 + iw.0, w.1 + iw.1));
            }
            w
        }
        NodeKind::Alt(items) => {
            let mut lo = MAXWIDTH;
            let mut hi = 0;
            for it in items {
                let iw = node_width(it, groupwidths);
                lo = lo.min(iw.0);
                hi = hi.max(iw.1);
            }
            (lo, hi)
        }
        NodeKind::Group { body, .. } | NodeKind::Atomic(body) => node_width(body, groupwidths),
        NodeKind::Repeat { min, max, body, .. } => repeat_width(node_width(body, groupwidths), *min, *max),
        NodeKind::Backref(g) => groupwidths.get(*g as usize).copied().flatten().unwrap_or((0, 0)),
        NodeKind::Cond { yes, no, .. } => {
            let y = node_width(yes, groupwidths);
            match no {
                Some(n) => {
                    let n = node_width(n, groupwidths);
                    (y.0.min(n.0), y.1.max(n.1))
                }
                None => (0, y.1),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Parser (mirrors `re._parser._parse_sub` / `_parse`)
// ---------------------------------------------------------------------------

struct State {
    flags: u32,
    groupdict: HashMap<String, u32>,
    names: Vec<(String, u32)>,
    /// Index 0 is group 0; `None` while a group is open.
    groupwidths: Vec<Option<Width>>,
    lookbehindgroups: Option<usize>,
    /// `grouprefpos` in insertion order, and its keys.
    grouprefpos: Vec<(u64, usize)>,
    grouprefs: std::collections::HashSet<u64>,
    warnings: Vec<ReWarning>,
    unresolved: Vec<(String, Span)>,
}

impl State {
    fn groups(&self) -> usize {
        self.groupwidths.len()
    }
    fn checkgroup(&self, gid: u64) -> bool {
        (gid as usize) < self.groups() && self.groupwidths.get(gid as usize).copied().flatten().is_some()
    }
    fn checklookbehindgroup(&self, gid: u64, src: &Tokenizer) -> PResult<()> {
        if let Some(lb) = self.lookbehindgroups {
            if !self.checkgroup(gid) {
                return Err(src.error("cannot refer to an open group".into(), 0));
            }
            if gid >= lb as u64 {
                return Err(src.error(
                    "cannot refer to group defined in the same lookbehind subpattern".into(),
                    0,
                ));
            }
        }
        Ok(())
    }
}

/// An escape's meaning (`_escape` / `_class_escape` results).
enum Code {
    Literal(u32),
    Cat(Category),
    At(Assertion),
    GroupRef(u32),
}

/// One element of the sequence being built, with what CPython checks on it.
struct Item {
    node: Node,
    width: Width,
}

fn is_at(n: &Node) -> bool {
    matches!(n.kind, NodeKind::Assert(_))
}

fn is_repeat(n: &Node) -> bool {
    matches!(n.kind, NodeKind::Repeat { .. })
}

const SPECIAL_CHARS: &str = ".\\[{()*+?^$|";

fn is_py_whitespace_verbose(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

fn is_octal(c: char) -> bool {
    ('0'..='7').contains(&c)
}

struct Parser<'a> {
    src: Tokenizer<'a>,
    st: State,
}

impl<'a> Parser<'a> {
    fn err(&self, msg: impl Into<String>, offset: usize) -> ReError {
        self.src.error(msg.into(), offset)
    }

    /// A token where an inline flag belongs: an unknown letter, or else
    /// `missing` (what CPython expected there).
    fn flag_error(&self, ch: Tk, missing: &str) -> ReError {
        let msg = if tk_isalpha(ch) { "unknown flag" } else { missing };
        self.err(msg, ch.len())
    }

    /// `_parse_sub`: alternatives separated by `|`.
    fn parse_sub(&mut self, mut verbose: bool, top: bool, frames: u32) -> PResult<(Node, Width)> {
        let start = self.src.tell();
        let mut items: Vec<(Node, Width)> = Vec::new();
        loop {
            let first = top && items.is_empty();
            let (n, w) = self.parse(verbose, first, frames + 1)?;
            items.push((n, w));
            if !self.src.matches('|')? {
                break;
            }
            if top {
                verbose = self.st.flags & Flags::VERBOSE != 0;
            }
        }
        if items.len() == 1 {
            if let Some(only) = items.pop() {
                return Ok(only);
            }
        }
        let mut lo = MAXWIDTH;
        let mut hi = 0;
        for (_, w) in &items {
            lo = lo.min(w.0);
            hi = hi.max(w.1);
        }
        let span = Span {
            start,
            end: self.src.tell(),
        };
        let nodes = items.into_iter().map(|(n, _)| n).collect();
        Ok((
            Node {
                kind: NodeKind::Alt(nodes),
                span,
            },
            (lo, hi),
        ))
    }

    /// `_parse`: one alternative.
    fn parse(&mut self, mut verbose: bool, first: bool, frames: u32) -> PResult<(Node, Width)> {
        if frames >= PARSE_FRAME_LIMIT {
            // CPython fails in `SubPattern(state)`; which check trips decides the text.
            let msg = if frames == PARSE_FRAME_LIMIT {
                "maximum recursion depth exceeded"
            } else {
                "maximum recursion depth exceeded while calling a Python object"
            };
            return Err(ReError::new(self.src.s, msg.into(), None, ReErrorKind::Recursion));
        }
        let seq_start = self.src.tell();
        let mut sub: Vec<Item> = Vec::new();
        while let Some(this) = self.src.next {
            if this.is('|') || this.is(')') {
                break;
            }
            let start = self.src.tell();
            self.src.get()?;
            if verbose {
                if let Tk::C(c) = this {
                    if is_py_whitespace_verbose(c) {
                        continue;
                    }
                    if c == '#' {
                        loop {
                            match self.src.get()? {
                                None => break,
                                Some(t) if t.is('\n') => break,
                                _ => {}
                            }
                        }
                        continue;
                    }
                }
            }
            let c = match this {
                Tk::E(e) => {
                    let code = self.escape(e, start)?;
                    let kind = match code {
                        Code::Literal(v) => NodeKind::Literal(v),
                        Code::Cat(cat) => NodeKind::Class(Class {
                            negated: false,
                            items: vec![ClassItem::Cat(cat)],
                        }),
                        Code::At(a) => NodeKind::Assert(a),
                        Code::GroupRef(g) => NodeKind::Backref(g),
                    };
                    let width = match &kind {
                        NodeKind::Assert(_) => (0, 0),
                        NodeKind::Backref(g) => self
                            .st
                            .groupwidths
                            .get(*g as usize)
                            .copied()
                            .flatten()
                            .unwrap_or((0, 0)),
                        _ => (1, 1),
                    };
                    let span = Span {
                        start,
                        end: self.src.tell(),
                    };
                    sub.push(Item {
                        node: Node { kind, span },
                        width,
                    });
                    continue;
                }
                Tk::C(c) => c,
            };
            if !SPECIAL_CHARS.contains(c) {
                let span = Span {
                    start,
                    end: self.src.tell(),
                };
                sub.push(Item {
                    node: Node {
                        kind: NodeKind::Literal(c as u32),
                        span,
                    },
                    width: (1, 1),
                });
            } else if c == '[' {
                let node = self.parse_class(start)?;
                sub.push(Item { node, width: (1, 1) });
            } else if matches!(c, '*' | '+' | '?' | '{') {
                self.parse_repeat(c, start, &mut sub)?;
            } else if c == '.' {
                let span = Span {
                    start,
                    end: self.src.tell(),
                };
                sub.push(Item {
                    node: Node {
                        kind: NodeKind::Any,
                        span,
                    },
                    width: (1, 1),
                });
            } else if c == '(' {
                if self.parse_group(start, verbose, frames, &mut sub)?.is_some() {
                    // Global flags: only allowed before anything else.
                    if !first || !sub.is_empty() {
                        return Err(self.err(
                            "global flags not at the start of the expression",
                            self.src.tell() - start,
                        ));
                    }
                    verbose = self.st.flags & Flags::VERBOSE != 0;
                }
            } else if c == '^' || c == '$' {
                let a = if c == '^' { Assertion::Start } else { Assertion::End };
                let span = Span {
                    start,
                    end: self.src.tell(),
                };
                sub.push(Item {
                    node: Node {
                        kind: NodeKind::Assert(a),
                        span,
                    },
                    width: (0, 0),
                });
            } else {
                // `)` and `|` were handled above; nothing else is special.
                return Err(self.err(format!("unsupported special character {c:?}"), 0));
            }
        }
        let mut w = (0u128, 0u128);
        for it in &sub {
            w = cap((w.0 + it.width.0, w.1 + it.width.1));
        }
        let end = self.src.tell();
        let nodes: Vec<Node> = sub.into_iter().map(|i| i.node).collect();
        let node = Node {
            kind: NodeKind::Seq(nodes),
            span: Span { start: seq_start, end },
        };
        Ok((node, w))
    }

    fn parse_repeat(&mut self, this: char, start: usize, sub: &mut Vec<Item>) -> PResult<()> {
        let here = self.src.tell();
        let (min, max): (u64, u64) = match this {
            '?' => (0, 1),
            '*' => (0, MAXREPEAT),
            '+' => (1, MAXREPEAT),
            _ => {
                // '{'
                if self.src.next == Some(Tk::C('}')) {
                    let span = Span {
                        start,
                        end: self.src.tell(),
                    };
                    sub.push(Item {
                        node: Node {
                            kind: NodeKind::Literal('{' as u32),
                            span,
                        },
                        width: (1, 1),
                    });
                    return Ok(());
                }
                let mut lo = String::new();
                let mut hi = String::new();
                while let Some(d) = self.src.next_plain().filter(char::is_ascii_digit) {
                    lo.push(d);
                    self.src.get()?;
                }
                if self.src.matches(',')? {
                    while let Some(d) = self.src.next_plain().filter(char::is_ascii_digit) {
                        hi.push(d);
                        self.src.get()?;
                    }
                } else {
                    hi = lo.clone();
                }
                if !self.src.matches('}')? {
                    let span = Span { start, end: start + 1 };
                    sub.push(Item {
                        node: Node {
                            kind: NodeKind::Literal('{' as u32),
                            span,
                        },
                        width: (1, 1),
                    });
                    self.src.seek(here)?;
                    return Ok(());
                }
                let mut min = 0u64;
                let mut max = MAXREPEAT;
                if !lo.is_empty() {
                    min = self.repeat_number(&lo)?;
                }
                if !hi.is_empty() {
                    max = self.repeat_number(&hi)?;
                    if max < min {
                        return Err(self.err("min repeat greater than max repeat", self.src.tell() - here));
                    }
                }
                (min, max)
            }
        };
        let offset = self.src.tell() - here + 1;
        let Some(last) = sub.last() else {
            return Err(self.err("nothing to repeat", offset));
        };
        if is_at(&last.node) {
            return Err(self.err("nothing to repeat", offset));
        }
        if is_repeat(&last.node) {
            return Err(self.err("multiple repeat", offset));
        }
        let mode = if self.src.matches('?')? {
            RepeatMode::Lazy
        } else if self.src.matches('+')? {
            RepeatMode::Possessive
        } else {
            RepeatMode::Greedy
        };
        let Some(item) = sub.pop() else {
            return Err(self.err("nothing to repeat", offset));
        };
        // Bounds fit in u32: both were checked against MAXREPEAT.
        let min32 = u32::try_from(min).unwrap_or(u32::MAX);
        let max32 = if max >= MAXREPEAT {
            None
        } else {
            Some(u32::try_from(max).unwrap_or(u32::MAX))
        };
        let width = repeat_width(item.width, min32, max32);
        let span = Span {
            start: item.node.span.start,
            end: self.src.tell(),
        };
        let node = Node {
            kind: NodeKind::Repeat {
                min: min32,
                max: max32,
                mode,
                body: Box::new(item.node),
            },
            span,
        };
        sub.push(Item { node, width });
        Ok(())
    }

    /// `int(digits)` for a repeat bound, with Python's errors.
    fn repeat_number(&self, digits: &str) -> PResult<u64> {
        if digits.len() > INT_MAX_STR_DIGITS {
            return Err(int_digits_error(self.src.s, digits.len()));
        }
        let v = parse_small_decimal(digits);
        if v >= MAXREPEAT {
            return Err(ReError::new(
                self.src.s,
                "the repetition number is too large".into(),
                None,
                ReErrorKind::Overflow,
            ));
        }
        Ok(v)
    }

    /// `(`: groups, assertions, conditionals, comments, flags.
    /// Returns `Some(())` for global flags, which the caller validates.
    fn parse_group(&mut self, start: usize, verbose: bool, frames: u32, sub: &mut Vec<Item>) -> PResult<Option<()>> {
        let mut capture = true;
        let mut atomic = false;
        let mut name: Option<String> = None;
        let mut add = 0u32;
        let mut del = 0u32;
        if self.src.matches('?')? {
            let Some(ch) = self.src.get()? else {
                return Err(self.err("unexpected end of pattern", 0));
            };
            match ch {
                Tk::C('P') => {
                    if self.src.matches('<')? {
                        let n = self.src.getuntil('>', "group name")?;
                        self.checkgroupname(&n, 1)?;
                        name = Some(n);
                    } else if self.src.matches('=')? {
                        let n = self.src.getuntil(')', "group name")?;
                        self.checkgroupname(&n, 1)?;
                        let nlen = n.chars().count();
                        let Some(&gid) = self.st.groupdict.get(&n) else {
                            return Err(self.err(format!("unknown group name {}", repr_str(&n)), nlen + 1));
                        };
                        if !self.st.checkgroup(u64::from(gid)) {
                            return Err(self.err("cannot refer to an open group", nlen + 1));
                        }
                        self.st.checklookbehindgroup(u64::from(gid), &self.src)?;
                        let width = self
                            .st
                            .groupwidths
                            .get(gid as usize)
                            .copied()
                            .flatten()
                            .unwrap_or((0, 0));
                        let span = Span {
                            start,
                            end: self.src.tell(),
                        };
                        sub.push(Item {
                            node: Node {
                                kind: NodeKind::Backref(gid),
                                span,
                            },
                            width,
                        });
                        return Ok(None);
                    } else {
                        let Some(c2) = self.src.get()? else {
                            return Err(self.err("unexpected end of pattern", 0));
                        };
                        return Err(self.err(format!("unknown extension ?P{}", c2.text()), c2.len() + 2));
                    }
                }
                Tk::C(':') => capture = false,
                Tk::C('#') => {
                    loop {
                        if self.src.next.is_none() {
                            return Err(self.err("missing ), unterminated comment", self.src.tell() - start));
                        }
                        if self.src.get()? == Some(Tk::C(')')) {
                            break;
                        }
                    }
                    return Ok(None);
                }
                Tk::C(c @ ('=' | '!' | '<')) => {
                    let mut kind_char = c;
                    let mut behind = false;
                    let mut saved_lb = None;
                    if c == '<' {
                        let Some(c2) = self.src.get()? else {
                            return Err(self.err("unexpected end of pattern", 0));
                        };
                        match c2 {
                            Tk::C(k @ ('=' | '!')) => kind_char = k,
                            other => {
                                return Err(self.err(format!("unknown extension ?<{}", other.text()), other.len() + 2))
                            }
                        }
                        behind = true;
                        saved_lb = Some(self.st.lookbehindgroups);
                        if self.st.lookbehindgroups.is_none() {
                            self.st.lookbehindgroups = Some(self.st.groups());
                        }
                    }
                    let (body, _) = self.parse_sub(verbose, false, frames + 1)?;
                    if let Some(None) = saved_lb {
                        self.st.lookbehindgroups = None;
                    }
                    if !self.src.matches(')')? {
                        return Err(self.err("missing ), unterminated subpattern", self.src.tell() - start));
                    }
                    let span = Span {
                        start,
                        end: self.src.tell(),
                    };
                    let node = Node {
                        kind: NodeKind::Look {
                            behind,
                            negative: kind_char == '!',
                            body: Box::new(body),
                        },
                        span,
                    };
                    sub.push(Item { node, width: (0, 0) });
                    return Ok(None);
                }
                Tk::C('(') => {
                    self.parse_conditional(start, verbose, frames, sub)?;
                    return Ok(None);
                }
                Tk::C('>') => {
                    capture = false;
                    atomic = true;
                }
                Tk::C(c) if c == '-' || Flags::from_letter(c).is_some() => match self.parse_flags(c)? {
                    None => return Ok(Some(())),
                    Some((a, d)) => {
                        add = a;
                        del = d;
                        capture = false;
                    }
                },
                other => {
                    return Err(self.err(format!("unknown extension ?{}", other.text()), other.len() + 1));
                }
            }
        }
        let mut group = None;
        if capture {
            let gid = self.st.groups();
            if gid as u64 >= MAXGROUPS {
                let off = name.as_ref().map_or(0, |n| n.chars().count()) + 1;
                return Err(self.err("too many groups", off));
            }
            if let Some(n) = &name {
                if let Some(&ogid) = self.st.groupdict.get(n) {
                    return Err(self.err(
                        format!(
                            "redefinition of group name {} as group {gid}; was group {ogid}",
                            repr_str(n)
                        ),
                        n.chars().count() + 1,
                    ));
                }
                // gid < MAXGROUPS < u32::MAX
                self.st.groupdict.insert(n.clone(), gid as u32);
                self.st.names.push((n.clone(), gid as u32));
            }
            self.st.groupwidths.push(None);
            group = Some(gid);
        }
        let sub_verbose = (verbose || add & Flags::VERBOSE != 0) && del & Flags::VERBOSE == 0;
        let (body, width) = self.parse_sub(sub_verbose, false, frames + 1)?;
        if !self.src.matches(')')? {
            return Err(self.err("missing ), unterminated subpattern", self.src.tell() - start));
        }
        if let Some(g) = group {
            if let Some(slot) = self.st.groupwidths.get_mut(g) {
                *slot = Some(width);
            }
        }
        let span = Span {
            start,
            end: self.src.tell(),
        };
        let node = if atomic {
            Node {
                kind: NodeKind::Atomic(Box::new(body)),
                span,
            }
        } else {
            Node {
                kind: NodeKind::Group {
                    index: group.map(|g| g as u32),
                    name,
                    add: Flags(add),
                    del: Flags(del),
                    body: Box::new(body),
                },
                span,
            }
        };
        sub.push(Item { node, width });
        Ok(None)
    }

    fn parse_conditional(&mut self, start: usize, verbose: bool, frames: u32, sub: &mut Vec<Item>) -> PResult<()> {
        let condname = self.src.getuntil(')', "group name")?;
        let clen = condname.chars().count();
        let condgroup: u64;
        if is_identifier(&condname) {
            match self.st.groupdict.get(&condname) {
                Some(&g) => condgroup = u64::from(g),
                None => {
                    return Err(self.err(format!("unknown group name {}", repr_str(&condname)), clen + 1));
                }
            }
        } else {
            let bad = || format!("bad character in group name {}", repr_str(&condname));
            let Some(v) = py_int(&condname) else {
                return Err(self.err(bad(), clen + 1));
            };
            match v {
                PyInt::TooManyDigits | PyInt::Negative => return Err(self.err(bad(), clen + 1)),
                PyInt::Zero => return Err(self.err("bad group number", clen + 1)),
                PyInt::Big => {
                    return Err(self.err(format!("invalid group reference {}", py_int_text(&condname)), clen + 1));
                }
                PyInt::Value(g) => {
                    if g >= MAXGROUPS {
                        return Err(self.err(format!("invalid group reference {g}"), clen + 1));
                    }
                    condgroup = g;
                }
            }
            if self.st.grouprefs.insert(condgroup) {
                let pos = self.src.tell() - clen - 1;
                self.st.grouprefpos.push((condgroup, pos));
            }
            if !condname.chars().all(|c| c.is_ascii_digit()) {
                let pos = self.src.tell() - clen - 1;
                self.st.warnings.push(ReWarning {
                    category: "DeprecationWarning",
                    message: format!("bad character in group name {} at position {pos}", repr_str(&condname)),
                    position: pos,
                });
            }
        }
        self.st.checklookbehindgroup(condgroup, &self.src)?;
        let (yes, _) = self.parse(verbose, false, frames + 1)?;
        let mut no = None;
        if self.src.matches('|')? {
            let (n, _) = self.parse(verbose, false, frames + 1)?;
            no = Some(Box::new(n));
            if self.src.next == Some(Tk::C('|')) {
                return Err(self.err("conditional backref with more than two branches", 0));
            }
        }
        if !self.src.matches(')')? {
            return Err(self.err("missing ), unterminated subpattern", self.src.tell() - start));
        }
        // condgroup < MAXGROUPS fits in u32.
        let group = u32::try_from(condgroup).unwrap_or(u32::MAX);
        let span = Span {
            start,
            end: self.src.tell(),
        };
        let node = Node {
            kind: NodeKind::Cond {
                group,
                yes: Box::new(yes),
                no,
            },
            span,
        };
        let width = node_width(&node, &self.st.groupwidths);
        sub.push(Item { node, width });
        Ok(())
    }

    fn checkgroupname(&self, name: &str, offset: usize) -> PResult<()> {
        if !is_identifier(name) {
            return Err(self.err(
                format!("bad character in group name {}", repr_str(name)),
                name.chars().count() + offset,
            ));
        }
        Ok(())
    }

    /// `_parse_flags`; `None` for global flags `(?x)`.
    fn parse_flags(&mut self, first: char) -> PResult<Option<(u32, u32)>> {
        let mut add = 0u32;
        let mut del = 0u32;
        let mut ch = Tk::C(first);
        if first != '-' {
            loop {
                let c = ch.plain().unwrap_or('\0');
                let flag = Flags::from_letter(c).unwrap_or(0);
                if c == 'L' {
                    return Err(self.err("bad inline flags: cannot use 'L' flag with a str pattern", 0));
                }
                add |= flag;
                if flag & Flags::TYPE != 0 && add & Flags::TYPE != flag {
                    return Err(self.err("bad inline flags: flags 'a', 'u' and 'L' are incompatible", 0));
                }
                let Some(next) = self.src.get()? else {
                    return Err(self.err("missing -, : or )", 0));
                };
                ch = next;
                if matches!(ch, Tk::C(')' | '-' | ':')) {
                    break;
                }
                if ch.plain().and_then(Flags::from_letter).is_none() {
                    return Err(self.flag_error(ch, "missing -, : or )"));
                }
            }
        }
        if ch.is(')') {
            self.st.flags |= add;
            return Ok(None);
        }
        if add & Flags::GLOBAL != 0 {
            return Err(self.err("bad inline flags: cannot turn on global flag", 1));
        }
        if ch.is('-') {
            let Some(next) = self.src.get()? else {
                return Err(self.err("missing flag", 0));
            };
            ch = next;
            if ch.plain().and_then(Flags::from_letter).is_none() {
                return Err(self.flag_error(ch, "missing flag"));
            }
            loop {
                let flag = ch.plain().and_then(Flags::from_letter).unwrap_or(0);
                if flag & Flags::TYPE != 0 {
                    return Err(self.err("bad inline flags: cannot turn off flags 'a', 'u' and 'L'", 0));
                }
                del |= flag;
                let Some(next) = self.src.get()? else {
                    return Err(self.err("missing :", 0));
                };
                ch = next;
                if ch.is(':') {
                    break;
                }
                if ch.plain().and_then(Flags::from_letter).is_none() {
                    return Err(self.flag_error(ch, "missing :"));
                }
            }
        }
        if del & Flags::GLOBAL != 0 {
            return Err(self.err("bad inline flags: cannot turn off global flag", 1));
        }
        if add & del != 0 {
            return Err(self.err("bad inline flags: flag turned on and off", 1));
        }
        Ok(Some((add, del)))
    }

    /// `[...]`
    fn parse_class(&mut self, here: usize) -> PResult<Node> {
        let mut set: Vec<ClassItem> = Vec::new();
        if self.src.next == Some(Tk::C('[')) {
            let pos = self.src.tell();
            self.st.warnings.push(ReWarning {
                category: "FutureWarning",
                message: format!("Possible nested set at position {pos}"),
                position: pos,
            });
        }
        let negate = self.src.matches('^')?;
        // Tracks the unresolved `\N{}` markers so that range checks skip them.
        loop {
            let Some(this) = self.src.get()? else {
                return Err(self.err("unterminated character set", self.src.tell() - here));
            };
            if this.is(']') && !set.is_empty() {
                break;
            }
            let code1 = match this {
                Tk::E(e) => self.class_escape(e)?,
                Tk::C(c) => {
                    if !set.is_empty() && "-&~|".contains(c) && self.src.next == Some(Tk::C(c)) {
                        let what = match c {
                            '-' => "difference",
                            '&' => "intersection",
                            '~' => "symmetric difference",
                            _ => "union",
                        };
                        let pos = self.src.tell() - 1;
                        self.st.warnings.push(ReWarning {
                            category: "FutureWarning",
                            message: format!("Possible set {what} at position {pos}"),
                            position: pos,
                        });
                    }
                    Code::Literal(c as u32)
                }
            };
            if self.src.matches('-')? {
                let Some(that) = self.src.get()? else {
                    return Err(self.err("unterminated character set", self.src.tell() - here));
                };
                if that.is(']') {
                    set.push(code_to_item(&code1));
                    set.push(ClassItem::Range('-' as u32, '-' as u32));
                    break;
                }
                let code2 = match that {
                    Tk::E(e) => self.class_escape(e)?,
                    Tk::C(c) => {
                        if c == '-' {
                            let pos = self.src.tell() - 2;
                            self.st.warnings.push(ReWarning {
                                category: "FutureWarning",
                                message: format!("Possible set difference at position {pos}"),
                                position: pos,
                            });
                        }
                        Code::Literal(c as u32)
                    }
                };
                let bad = || format!("bad character range {}-{}", this.text(), that.text());
                let (Code::Literal(lo), Code::Literal(hi)) = (&code1, &code2) else {
                    return Err(self.err(bad(), this.len() + 1 + that.len()));
                };
                let (lo, hi) = (*lo, *hi);
                if lo != UNRESOLVED_CHAR && hi != UNRESOLVED_CHAR && hi < lo {
                    return Err(self.err(bad(), this.len() + 1 + that.len()));
                }
                set.push(ClassItem::Range(lo, hi));
            } else {
                set.push(code_to_item(&code1));
            }
        }
        // `_uniq` keeps the first occurrence of each member.
        let mut seen = std::collections::HashSet::new();
        let mut uniq: Vec<ClassItem> = Vec::with_capacity(set.len());
        for it in set {
            let key = match it {
                ClassItem::Range(a, b) => (0u8, a, b),
                ClassItem::Cat(c) => (1u8, c as u32, 0),
            };
            if seen.insert(key) {
                uniq.push(it);
            }
        }
        let span = Span {
            start: here,
            end: self.src.tell(),
        };
        Ok(Node {
            kind: NodeKind::Class(Class {
                negated: negate,
                items: uniq,
            }),
            span,
        })
    }

    /// `\x \u \U \N` shared by `_escape` and `_class_escape`.
    /// Returns `None` when `c` is not one of them.
    fn unicode_escape(&mut self, c: char, esc_start: usize) -> PResult<Option<u32>> {
        let digits = match c {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            'N' => {
                if !self.src.matches('{')? {
                    return Err(self.err("missing {", 0));
                }
                let name = self.src.getuntil('}', "character name")?;
                let nlen = name.chars().count();
                return match lookup_char_name(&name) {
                    NameLookup::Found(v) => Ok(Some(v)),
                    NameLookup::Unknown => Ok({
                        let span = Span {
                            start: esc_start,
                            end: self.src.tell(),
                        };
                        self.st.unresolved.push((name, span));
                        Some(UNRESOLVED_CHAR)
                    }),
                    NameLookup::Invalid => {
                        Err(self.err(format!("undefined character name {}", repr_str(&name)), nlen + 4))
                    }
                };
            }
            _ => return Ok(None),
        };
        let hex = self.src.getwhile(digits, |d| d.is_ascii_hexdigit())?;
        let escape = format!("\\{c}{hex}");
        if hex.len() != digits {
            return Err(self.err(format!("incomplete escape {escape}"), escape.len()));
        }
        let v = u32::from_str_radix(&hex, 16).unwrap_or(u32::MAX);
        if v > 0x10_FFFF {
            // `chr()` raises ValueError, which `_escape` turns into "bad escape".
            return Err(self.err(format!("bad escape {escape}"), escape.len()));
        }
        Ok(Some(v))
    }

    /// `_class_escape`
    fn class_escape(&mut self, c: char) -> PResult<Code> {
        let esc_start = self.src.tell().saturating_sub(2);
        if let Some(v) = simple_escape(c) {
            return Ok(Code::Literal(v));
        }
        if c == 'b' {
            return Ok(Code::Literal(8));
        }
        if let Some(cat) = category_escape(c) {
            return Ok(Code::Cat(cat));
        }
        if let Some(v) = self.unicode_escape(c, esc_start)? {
            return Ok(Code::Literal(v));
        }
        if is_octal(c) {
            let more = self.src.getwhile(2, is_octal)?;
            let escape = format!("\\{c}{more}");
            let v = u32::from_str_radix(&escape[1..], 8).unwrap_or(u32::MAX);
            if v > 0o377 {
                return Err(self.err(
                    format!("octal escape value {escape} outside of range 0-0o377"),
                    escape.chars().count(),
                ));
            }
            return Ok(Code::Literal(v));
        }
        if c.is_ascii_alphanumeric() {
            // Digits 8/9 and unknown ASCII letters.
            return Err(self.err(format!("bad escape \\{c}"), 2));
        }
        Ok(Code::Literal(c as u32))
    }

    /// `_escape` (outside sets).
    fn escape(&mut self, c: char, esc_start: usize) -> PResult<Code> {
        match c {
            'A' => return Ok(Code::At(Assertion::StartText)),
            'Z' => return Ok(Code::At(Assertion::EndText)),
            'b' => return Ok(Code::At(Assertion::WordBoundary)),
            'B' => return Ok(Code::At(Assertion::NotWordBoundary)),
            _ => {}
        }
        if let Some(cat) = category_escape(c) {
            return Ok(Code::Cat(cat));
        }
        if let Some(v) = simple_escape(c) {
            return Ok(Code::Literal(v));
        }
        if let Some(v) = self.unicode_escape(c, esc_start)? {
            return Ok(Code::Literal(v));
        }
        if c == '0' {
            let more = self.src.getwhile(2, is_octal)?;
            let v = u32::from_str_radix(&format!("0{more}"), 8).unwrap_or(0);
            return Ok(Code::Literal(v));
        }
        if c.is_ascii_digit() {
            let mut escape = format!("\\{c}");
            if let Some(d) = self.src.next_plain().filter(char::is_ascii_digit) {
                self.src.get()?;
                escape.push(d);
                if is_octal(c) && is_octal(d) {
                    if let Some(e) = self.src.next_plain().filter(|&e| is_octal(e)) {
                        self.src.get()?;
                        escape.push(e);
                        let v = u32::from_str_radix(&escape[1..], 8).unwrap_or(u32::MAX);
                        if v > 0o377 {
                            return Err(self.err(
                                format!("octal escape value {escape} outside of range 0-0o377"),
                                escape.len(),
                            ));
                        }
                        return Ok(Code::Literal(v));
                    }
                }
            }
            let group: u64 = escape[1..].parse().unwrap_or(0);
            if (group as usize) < self.st.groups() {
                if !self.st.checkgroup(group) {
                    return Err(self.err("cannot refer to an open group", escape.len()));
                }
                self.st.checklookbehindgroup(group, &self.src)?;
                return Ok(Code::GroupRef(group as u32));
            }
            return Err(self.err(format!("invalid group reference {group}"), escape.len() - 1));
        }
        if c.is_ascii_alphabetic() {
            return Err(self.err(format!("bad escape \\{c}"), 2));
        }
        Ok(Code::Literal(c as u32))
    }
}

fn code_to_item(code: &Code) -> ClassItem {
    match code {
        Code::Literal(v) => ClassItem::Range(*v, *v),
        Code::Cat(c) => ClassItem::Cat(*c),
        // `_class_escape` never yields these.
        Code::At(_) | Code::GroupRef(_) => ClassItem::Range(0, 0),
    }
}

/// `ESCAPES` (without `\b`, whose meaning depends on the context).
fn simple_escape(c: char) -> Option<u32> {
    Some(match c {
        'a' => 7,
        'f' => 12,
        'n' => 10,
        'r' => 13,
        't' => 9,
        'v' => 11,
        '\\' => 92,
        _ => return None,
    })
}

fn category_escape(c: char) -> Option<Category> {
    Some(match c {
        'd' => Category::Digit,
        'D' => Category::NotDigit,
        's' => Category::Space,
        'S' => Category::NotSpace,
        'w' => Category::Word,
        'W' => Category::NotWord,
        _ => return None,
    })
}

/// Value of an ASCII digit string, saturating at `u64::MAX`.
fn parse_small_decimal(digits: &str) -> u64 {
    let mut v: u64 = 0;
    for d in digits.bytes() {
        v = v.saturating_mul(10).saturating_add(u64::from(d.wrapping_sub(b'0')));
    }
    v
}

fn int_digits_error(chars: &[char], n: usize) -> ReError {
    ReError::new(
        chars,
        format!(
            "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion: \
             value has {n} digits; use sys.set_int_max_str_digits() to increase the limit"
        ),
        None,
        ReErrorKind::Value,
    )
}

// ---------------------------------------------------------------------------
// Python `str` helpers: int(), isidentifier(), isalpha(), repr()
// ---------------------------------------------------------------------------

enum PyInt {
    Value(u64),
    Zero,
    Negative,
    /// Fits `int()` but not in u64 (only possible message: invalid reference).
    Big,
    TooManyDigits,
}

/// `int(s)` for base 10, as far as `(?(...)...)` needs it. `None` is a ValueError.
fn py_int(s: &str) -> Option<PyInt> {
    let t: Vec<char> = s.chars().collect();
    let mut a = 0;
    let mut b = t.len();
    while a < b && is_space(t[a]) {
        a += 1;
    }
    while b > a && is_space(t[b - 1]) {
        b -= 1;
    }
    let body = &t[a..b];
    let (neg, digits) = match body.first() {
        Some('-') => (true, &body[1..]),
        Some('+') => (false, &body[1..]),
        _ => (false, body),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: Vec<u32> = Vec::new();
    let mut prev_us = true; // no leading underscore
    for &c in digits {
        if c == '_' {
            if prev_us {
                return None;
            }
            prev_us = true;
            continue;
        }
        value.push(decimal_value(c)?);
        prev_us = false;
    }
    if prev_us {
        return None;
    }
    if value.len() > INT_MAX_STR_DIGITS {
        return Some(PyInt::TooManyDigits);
    }
    let significant: Vec<u32> = value.iter().copied().skip_while(|&d| d == 0).collect();
    if significant.is_empty() {
        return Some(PyInt::Zero);
    }
    if neg {
        return Some(PyInt::Negative);
    }
    if significant.len() > 19 {
        return Some(PyInt::Big);
    }
    let mut v: u64 = 0;
    for d in significant {
        v = match v.checked_mul(10).and_then(|x| x.checked_add(u64::from(d))) {
            Some(x) => x,
            None => return Some(PyInt::Big),
        };
    }
    Some(PyInt::Value(v))
}

/// Decimal text of a big `int()` value (for the error message).
fn py_int_text(s: &str) -> String {
    let digits: String = s
        .chars()
        .filter_map(decimal_value)
        .filter_map(|d| char::from_digit(d, 10))
        .collect();
    let t = digits.trim_start_matches('0');
    if t.is_empty() {
        "0".into()
    } else {
        t.into()
    }
}

fn unicode_regex(
    cell: &'static OnceLock<Option<fancy_regex::Regex>>,
    pat: &str,
) -> Option<&'static fancy_regex::Regex> {
    cell.get_or_init(|| fancy_regex::Regex::new(pat).ok()).as_ref()
}

/// `str.isidentifier()`. Uses the regex crate's Unicode tables, which may be
/// newer than CPython 3.11's Unicode 14.0.
fn is_identifier(s: &str) -> bool {
    static RE: OnceLock<Option<fancy_regex::Regex>> = OnceLock::new();
    if s.is_empty() {
        return false;
    }
    if s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return !s.as_bytes()[0].is_ascii_digit();
    }
    unicode_regex(&RE, r"\A[_\p{XID_Start}]\p{XID_Continue}*\z")
        .and_then(|re| re.is_match(s).ok())
        .unwrap_or(false)
}

fn char_matches(cell: &'static OnceLock<Option<fancy_regex::Regex>>, pat: &str, c: char) -> bool {
    let mut buf = [0u8; 4];
    unicode_regex(cell, pat)
        .and_then(|re| re.is_match(c.encode_utf8(&mut buf)).ok())
        .unwrap_or(false)
}

/// `str.isalpha()` for one token (an escape pair is never alphabetic).
fn tk_isalpha(t: Tk) -> bool {
    static RE: OnceLock<Option<fancy_regex::Regex>> = OnceLock::new();
    match t {
        Tk::C(c) if c.is_ascii() => c.is_ascii_alphabetic(),
        Tk::C(c) => char_matches(&RE, r"\A\p{L}\z", c),
        Tk::E(_) => false,
    }
}

// ---------------------------------------------------------------------------
// `\N{...}` names
// ---------------------------------------------------------------------------

enum NameLookup {
    Found(u32),
    /// Looks like a name but is not in our small table.
    Unknown,
    /// Cannot be a Unicode name or alias.
    Invalid,
}

/// `unicodedata.lookup` as far as it can be answered without the full name
/// table: Latin-1 names, `CJK UNIFIED IDEOGRAPH-XXXX` and `HANGUL SYLLABLE X`
/// are exact; other well-formed names are `Unknown`; the rest `Invalid`.
fn lookup_char_name(name: &str) -> NameLookup {
    if let Some(hex) = name.strip_prefix("CJK UNIFIED IDEOGRAPH-") {
        if (hex.len() == 4 || hex.len() == 5) && hex.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)) {
            let v = u32::from_str_radix(hex, 16).unwrap_or(0);
            if CJK_UNIFIED.iter().any(|&(lo, hi)| (lo..=hi).contains(&v)) {
                return NameLookup::Found(v);
            }
        }
        return NameLookup::Invalid;
    }
    if let Some(rest) = name.strip_prefix("HANGUL SYLLABLE ") {
        if let Some(v) = hangul_syllable(rest) {
            return NameLookup::Found(v);
        }
        return NameLookup::Invalid;
    }
    let upper = name.to_ascii_uppercase();
    // Algorithmic names only match in upper case; 3.11 has no Tangut names.
    if ["CJK UNIFIED IDEOGRAPH-", "HANGUL SYLLABLE ", "TANGUT IDEOGRAPH-"]
        .iter()
        .any(|p| upper.starts_with(p))
    {
        return NameLookup::Invalid;
    }
    if let Some(&(cp, _)) = LATIN1_NAMES.iter().find(|(_, n)| *n == upper) {
        return NameLookup::Found(cp);
    }
    let well_formed = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
        && !name.starts_with(' ')
        && !name.ends_with(' ')
        && !name.contains("  ");
    if well_formed {
        NameLookup::Unknown
    } else {
        NameLookup::Invalid
    }
}

/// CPython's `find_syllable`: longest jamo short name first.
fn hangul_syllable(s: &str) -> Option<u32> {
    const L: [&str; 19] = [
        "G", "GG", "N", "D", "DD", "R", "M", "B", "BB", "S", "SS", "", "J", "JJ", "C", "K", "T", "P", "H",
    ];
    const V: [&str; 21] = [
        "A", "AE", "YA", "YAE", "EO", "E", "YEO", "YE", "O", "WA", "WAE", "OE", "YO", "U", "WEO", "WE", "WI", "YU",
        "EU", "YI", "I",
    ];
    const T: [&str; 28] = [
        "", "G", "GG", "GS", "N", "NJ", "NH", "D", "L", "LG", "LM", "LB", "LS", "LT", "LP", "LH", "M", "B", "BS", "S",
        "SS", "NG", "J", "C", "K", "T", "P", "H",
    ];
    fn find(s: &str, table: &[&str]) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for (i, n) in table.iter().enumerate() {
            if s.starts_with(n) && best.is_none_or(|(_, l)| n.len() > l) {
                best = Some((i, n.len()));
            }
        }
        best
    }
    let (l, a) = find(s, &L)?;
    let s = &s[a..];
    let (v, b) = find(s, &V)?;
    let s = &s[b..];
    let (t, c) = find(s, &T)?;
    if c != s.len() {
        return None;
    }
    Some(0xAC00 + ((l as u32 * 21) + v as u32) * 28 + t as u32)
}

const CJK_UNIFIED: &[(u32, u32)] = &[
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B738),
    (0x2B740, 0x2B81D),
    (0x2B820, 0x2CEA1),
    (0x2CEB0, 0x2EBE0),
    (0x30000, 0x3134A),
];

// (code point, Unicode name) for U+0020..U+007E and U+00A0..U+00FF.
const LATIN1_NAMES: &[(u32, &str)] = &[
    (0x20, "SPACE"),
    (0x21, "EXCLAMATION MARK"),
    (0x22, "QUOTATION MARK"),
    (0x23, "NUMBER SIGN"),
    (0x24, "DOLLAR SIGN"),
    (0x25, "PERCENT SIGN"),
    (0x26, "AMPERSAND"),
    (0x27, "APOSTROPHE"),
    (0x28, "LEFT PARENTHESIS"),
    (0x29, "RIGHT PARENTHESIS"),
    (0x2A, "ASTERISK"),
    (0x2B, "PLUS SIGN"),
    (0x2C, "COMMA"),
    (0x2D, "HYPHEN-MINUS"),
    (0x2E, "FULL STOP"),
    (0x2F, "SOLIDUS"),
    (0x30, "DIGIT ZERO"),
    (0x31, "DIGIT ONE"),
    (0x32, "DIGIT TWO"),
    (0x33, "DIGIT THREE"),
    (0x34, "DIGIT FOUR"),
    (0x35, "DIGIT FIVE"),
    (0x36, "DIGIT SIX"),
    (0x37, "DIGIT SEVEN"),
    (0x38, "DIGIT EIGHT"),
    (0x39, "DIGIT NINE"),
    (0x3A, "COLON"),
    (0x3B, "SEMICOLON"),
    (0x3C, "LESS-THAN SIGN"),
    (0x3D, "EQUALS SIGN"),
    (0x3E, "GREATER-THAN SIGN"),
    (0x3F, "QUESTION MARK"),
    (0x40, "COMMERCIAL AT"),
    (0x41, "LATIN CAPITAL LETTER A"),
    (0x42, "LATIN CAPITAL LETTER B"),
    (0x43, "LATIN CAPITAL LETTER C"),
    (0x44, "LATIN CAPITAL LETTER D"),
    (0x45, "LATIN CAPITAL LETTER E"),
    (0x46, "LATIN CAPITAL LETTER F"),
    (0x47, "LATIN CAPITAL LETTER G"),
    (0x48, "LATIN CAPITAL LETTER H"),
    (0x49, "LATIN CAPITAL LETTER I"),
    (0x4A, "LATIN CAPITAL LETTER J"),
    (0x4B, "LATIN CAPITAL LETTER K"),
    (0x4C, "LATIN CAPITAL LETTER L"),
    (0x4D, "LATIN CAPITAL LETTER M"),
    (0x4E, "LATIN CAPITAL LETTER N"),
    (0x4F, "LATIN CAPITAL LETTER O"),
    (0x50, "LATIN CAPITAL LETTER P"),
    (0x51, "LATIN CAPITAL LETTER Q"),
    (0x52, "LATIN CAPITAL LETTER R"),
    (0x53, "LATIN CAPITAL LETTER S"),
    (0x54, "LATIN CAPITAL LETTER T"),
    (0x55, "LATIN CAPITAL LETTER U"),
    (0x56, "LATIN CAPITAL LETTER V"),
    (0x57, "LATIN CAPITAL LETTER W"),
    (0x58, "LATIN CAPITAL LETTER X"),
    (0x59, "LATIN CAPITAL LETTER Y"),
    (0x5A, "LATIN CAPITAL LETTER Z"),
    (0x5B, "LEFT SQUARE BRACKET"),
    (0x5C, "REVERSE SOLIDUS"),
    (0x5D, "RIGHT SQUARE BRACKET"),
    (0x5E, "CIRCUMFLEX ACCENT"),
    (0x5F, "LOW LINE"),
    (0x60, "GRAVE ACCENT"),
    (0x61, "LATIN SMALL LETTER A"),
    (0x62, "LATIN SMALL LETTER B"),
    (0x63, "LATIN SMALL LETTER C"),
    (0x64, "LATIN SMALL LETTER D"),
    (0x65, "LATIN SMALL LETTER E"),
    (0x66, "LATIN SMALL LETTER F"),
    (0x67, "LATIN SMALL LETTER G"),
    (0x68, "LATIN SMALL LETTER H"),
    (0x69, "LATIN SMALL LETTER I"),
    (0x6A, "LATIN SMALL LETTER J"),
    (0x6B, "LATIN SMALL LETTER K"),
    (0x6C, "LATIN SMALL LETTER L"),
    (0x6D, "LATIN SMALL LETTER M"),
    (0x6E, "LATIN SMALL LETTER N"),
    (0x6F, "LATIN SMALL LETTER O"),
    (0x70, "LATIN SMALL LETTER P"),
    (0x71, "LATIN SMALL LETTER Q"),
    (0x72, "LATIN SMALL LETTER R"),
    (0x73, "LATIN SMALL LETTER S"),
    (0x74, "LATIN SMALL LETTER T"),
    (0x75, "LATIN SMALL LETTER U"),
    (0x76, "LATIN SMALL LETTER V"),
    (0x77, "LATIN SMALL LETTER W"),
    (0x78, "LATIN SMALL LETTER X"),
    (0x79, "LATIN SMALL LETTER Y"),
    (0x7A, "LATIN SMALL LETTER Z"),
    (0x7B, "LEFT CURLY BRACKET"),
    (0x7C, "VERTICAL LINE"),
    (0x7D, "RIGHT CURLY BRACKET"),
    (0x7E, "TILDE"),
    (0xA0, "NO-BREAK SPACE"),
    (0xA1, "INVERTED EXCLAMATION MARK"),
    (0xA2, "CENT SIGN"),
    (0xA3, "POUND SIGN"),
    (0xA4, "CURRENCY SIGN"),
    (0xA5, "YEN SIGN"),
    (0xA6, "BROKEN BAR"),
    (0xA7, "SECTION SIGN"),
    (0xA8, "DIAERESIS"),
    (0xA9, "COPYRIGHT SIGN"),
    (0xAA, "FEMININE ORDINAL INDICATOR"),
    (0xAB, "LEFT-POINTING DOUBLE ANGLE QUOTATION MARK"),
    (0xAC, "NOT SIGN"),
    (0xAD, "SOFT HYPHEN"),
    (0xAE, "REGISTERED SIGN"),
    (0xAF, "MACRON"),
    (0xB0, "DEGREE SIGN"),
    (0xB1, "PLUS-MINUS SIGN"),
    (0xB2, "SUPERSCRIPT TWO"),
    (0xB3, "SUPERSCRIPT THREE"),
    (0xB4, "ACUTE ACCENT"),
    (0xB5, "MICRO SIGN"),
    (0xB6, "PILCROW SIGN"),
    (0xB7, "MIDDLE DOT"),
    (0xB8, "CEDILLA"),
    (0xB9, "SUPERSCRIPT ONE"),
    (0xBA, "MASCULINE ORDINAL INDICATOR"),
    (0xBB, "RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK"),
    (0xBC, "VULGAR FRACTION ONE QUARTER"),
    (0xBD, "VULGAR FRACTION ONE HALF"),
    (0xBE, "VULGAR FRACTION THREE QUARTERS"),
    (0xBF, "INVERTED QUESTION MARK"),
    (0xC0, "LATIN CAPITAL LETTER A WITH GRAVE"),
    (0xC1, "LATIN CAPITAL LETTER A WITH ACUTE"),
    (0xC2, "LATIN CAPITAL LETTER A WITH CIRCUMFLEX"),
    (0xC3, "LATIN CAPITAL LETTER A WITH TILDE"),
    (0xC4, "LATIN CAPITAL LETTER A WITH DIAERESIS"),
    (0xC5, "LATIN CAPITAL LETTER A WITH RING ABOVE"),
    (0xC6, "LATIN CAPITAL LETTER AE"),
    (0xC7, "LATIN CAPITAL LETTER C WITH CEDILLA"),
    (0xC8, "LATIN CAPITAL LETTER E WITH GRAVE"),
    (0xC9, "LATIN CAPITAL LETTER E WITH ACUTE"),
    (0xCA, "LATIN CAPITAL LETTER E WITH CIRCUMFLEX"),
    (0xCB, "LATIN CAPITAL LETTER E WITH DIAERESIS"),
    (0xCC, "LATIN CAPITAL LETTER I WITH GRAVE"),
    (0xCD, "LATIN CAPITAL LETTER I WITH ACUTE"),
    (0xCE, "LATIN CAPITAL LETTER I WITH CIRCUMFLEX"),
    (0xCF, "LATIN CAPITAL LETTER I WITH DIAERESIS"),
    (0xD0, "LATIN CAPITAL LETTER ETH"),
    (0xD1, "LATIN CAPITAL LETTER N WITH TILDE"),
    (0xD2, "LATIN CAPITAL LETTER O WITH GRAVE"),
    (0xD3, "LATIN CAPITAL LETTER O WITH ACUTE"),
    (0xD4, "LATIN CAPITAL LETTER O WITH CIRCUMFLEX"),
    (0xD5, "LATIN CAPITAL LETTER O WITH TILDE"),
    (0xD6, "LATIN CAPITAL LETTER O WITH DIAERESIS"),
    (0xD7, "MULTIPLICATION SIGN"),
    (0xD8, "LATIN CAPITAL LETTER O WITH STROKE"),
    (0xD9, "LATIN CAPITAL LETTER U WITH GRAVE"),
    (0xDA, "LATIN CAPITAL LETTER U WITH ACUTE"),
    (0xDB, "LATIN CAPITAL LETTER U WITH CIRCUMFLEX"),
    (0xDC, "LATIN CAPITAL LETTER U WITH DIAERESIS"),
    (0xDD, "LATIN CAPITAL LETTER Y WITH ACUTE"),
    (0xDE, "LATIN CAPITAL LETTER THORN"),
    (0xDF, "LATIN SMALL LETTER SHARP S"),
    (0xE0, "LATIN SMALL LETTER A WITH GRAVE"),
    (0xE1, "LATIN SMALL LETTER A WITH ACUTE"),
    (0xE2, "LATIN SMALL LETTER A WITH CIRCUMFLEX"),
    (0xE3, "LATIN SMALL LETTER A WITH TILDE"),
    (0xE4, "LATIN SMALL LETTER A WITH DIAERESIS"),
    (0xE5, "LATIN SMALL LETTER A WITH RING ABOVE"),
    (0xE6, "LATIN SMALL LETTER AE"),
    (0xE7, "LATIN SMALL LETTER C WITH CEDILLA"),
    (0xE8, "LATIN SMALL LETTER E WITH GRAVE"),
    (0xE9, "LATIN SMALL LETTER E WITH ACUTE"),
    (0xEA, "LATIN SMALL LETTER E WITH CIRCUMFLEX"),
    (0xEB, "LATIN SMALL LETTER E WITH DIAERESIS"),
    (0xEC, "LATIN SMALL LETTER I WITH GRAVE"),
    (0xED, "LATIN SMALL LETTER I WITH ACUTE"),
    (0xEE, "LATIN SMALL LETTER I WITH CIRCUMFLEX"),
    (0xEF, "LATIN SMALL LETTER I WITH DIAERESIS"),
    (0xF0, "LATIN SMALL LETTER ETH"),
    (0xF1, "LATIN SMALL LETTER N WITH TILDE"),
    (0xF2, "LATIN SMALL LETTER O WITH GRAVE"),
    (0xF3, "LATIN SMALL LETTER O WITH ACUTE"),
    (0xF4, "LATIN SMALL LETTER O WITH CIRCUMFLEX"),
    (0xF5, "LATIN SMALL LETTER O WITH TILDE"),
    (0xF6, "LATIN SMALL LETTER O WITH DIAERESIS"),
    (0xF7, "DIVISION SIGN"),
    (0xF8, "LATIN SMALL LETTER O WITH STROKE"),
    (0xF9, "LATIN SMALL LETTER U WITH GRAVE"),
    (0xFA, "LATIN SMALL LETTER U WITH ACUTE"),
    (0xFB, "LATIN SMALL LETTER U WITH CIRCUMFLEX"),
    (0xFC, "LATIN SMALL LETTER U WITH DIAERESIS"),
    (0xFD, "LATIN SMALL LETTER Y WITH ACUTE"),
    (0xFE, "LATIN SMALL LETTER THORN"),
    (0xFF, "LATIN SMALL LETTER Y WITH DIAERESIS"),
];

// ---------------------------------------------------------------------------
// check()
// ---------------------------------------------------------------------------

/// Validate `pattern` exactly as CPython 3.11's `re.compile(pattern)` would
/// for a `str`, returning the parsed [`Pattern`] or Python's error.
///
/// Known approximations: `\N{...}` names outside Latin-1, CJK unified
/// ideographs and Hangul syllables are accepted when well-formed and listed
/// in [`Pattern::unresolved_names`]; `RecursionError` is raised at a nesting
/// depth calibrated on OMERO.web's settings import; identifier checks use the
/// regex crate's (newer) Unicode tables.
pub fn check(pattern: &str) -> Result<Pattern, ReError> {
    let depth = nesting_bound(pattern);
    with_stack(depth, || check_inner(pattern, depth)).unwrap_or_else(|| {
        let chars: Vec<char> = pattern.chars().collect();
        Err(ReError::new(
            &chars,
            "maximum recursion depth exceeded".into(),
            None,
            ReErrorKind::Recursion,
        ))
    })
}

/// Nesting deeper than this runs on a helper thread with [`BIG_STACK`]:
/// unoptimised builds use tens of KiB of stack per level, and CPython allows
/// about 490 levels (980 for conditionals).
const INLINE_DEPTH: usize = 24;
const BIG_STACK: usize = 128 << 20;

/// Upper bound of the nesting depth: `(` not escaped (sets are not skipped,
/// which only over-estimates).
fn nesting_bound(pattern: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '(' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Run `f` on a thread with a large stack when `depth` calls for it.
/// `None` only if that thread could not run it.
fn with_stack<T: Send>(depth: usize, f: impl FnOnce() -> T + Send) -> Option<T> {
    if depth <= INLINE_DEPTH {
        return Some(f());
    }
    let cell = std::sync::Mutex::new(Some(f));
    std::thread::scope(|s| {
        let job = || cell.lock().ok().and_then(|mut g| g.take()).map(|f| f());
        let spawned = std::thread::Builder::new().stack_size(BIG_STACK).spawn_scoped(s, job);
        match spawned {
            Ok(h) => h.join().ok().flatten(),
            // No thread: running inline is all that is left.
            Err(_) => cell.lock().ok().and_then(|mut g| g.take()).map(|f| f()),
        }
    })
}

fn check_inner(pattern: &str, depth: usize) -> Result<Pattern, ReError> {
    let chars: Vec<char> = pattern.chars().collect();
    let src = Tokenizer::new(&chars)?;
    let st = State {
        flags: 0,
        groupdict: HashMap::new(),
        names: Vec::new(),
        groupwidths: vec![None],
        lookbehindgroups: None,
        grouprefpos: Vec::new(),
        grouprefs: std::collections::HashSet::new(),
        warnings: Vec::new(),
        unresolved: Vec::new(),
    };
    let mut p = Parser { src, st };
    let (root, _) = p.parse_sub(false, true, 1)?;

    // `fix_flags` for a str pattern.
    let mut flags = p.st.flags;
    if flags & Flags::LOCALE != 0 {
        return Err(ReError::new(
            &chars,
            "cannot use LOCALE flag with a str pattern".into(),
            None,
            ReErrorKind::Value,
        ));
    }
    if flags & Flags::ASCII == 0 {
        flags |= Flags::UNICODE;
    } else if flags & Flags::UNICODE != 0 {
        return Err(ReError::new(
            &chars,
            "ASCII and UNICODE flags are incompatible".into(),
            None,
            ReErrorKind::Value,
        ));
    }
    if p.src.next.is_some() {
        return Err(p.err("unbalanced parenthesis", 0));
    }
    let groups = p.st.groups();
    for &(g, pos) in &p.st.grouprefpos {
        if g >= groups as u64 {
            return Err(ReError::new(
                &chars,
                format!("invalid group reference {g}"),
                Some(pos),
                ReErrorKind::Error,
            ));
        }
    }
    // Errors `_compiler._compile` raises, in its (pre-order) walk.
    compile_checks(&root, Flags(flags), &p.st.groupwidths, &chars)?;
    Ok(Pattern {
        source: pattern.to_string(),
        root,
        flags: Flags(flags),
        groups: (groups - 1) as u32,
        names: p.st.names,
        warnings: p.st.warnings,
        unresolved_names: p.st.unresolved,
        groupwidths: p.st.groupwidths,
        depth,
    })
}

fn compile_checks(node: &Node, flags: Flags, gw: &[Option<Width>], chars: &[char]) -> PResult<()> {
    let err = |m: String| ReError::new(chars, m, None, ReErrorKind::Error);
    match &node.kind {
        NodeKind::Repeat { mode, body, .. } => {
            if flags.contains(Flags::TEMPLATE) {
                let op = match mode {
                    RepeatMode::Greedy => "MAX_REPEAT",
                    RepeatMode::Lazy => "MIN_REPEAT",
                    RepeatMode::Possessive => "POSSESSIVE_REPEAT",
                };
                return Err(err(format!("internal: unsupported template operator {op}")));
            }
            compile_checks(body, flags, gw, chars)
        }
        NodeKind::Look { behind, body, .. } => {
            if *behind {
                let (lo, hi) = node_width(body, gw);
                if lo > MAXCODE {
                    return Err(err("looks too much behind".into()));
                }
                if lo != hi {
                    return Err(err("look-behind requires fixed-width pattern".into()));
                }
            }
            compile_checks(body, flags, gw, chars)
        }
        NodeKind::Seq(items) | NodeKind::Alt(items) => {
            for it in items {
                compile_checks(it, flags, gw, chars)?;
            }
            Ok(())
        }
        NodeKind::Group { body, add, del, .. } => compile_checks(body, flags.combine(*add, *del), gw, chars),
        NodeKind::Atomic(body) => compile_checks(body, flags, gw, chars),
        NodeKind::Cond { yes, no, .. } => {
            compile_checks(yes, flags, gw, chars)?;
            if let Some(n) = no {
                compile_checks(n, flags, gw, chars)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------
// Translation to fancy-regex (Python `re.search` semantics on a str)
// ---------------------------------------------------------------------------

/// Why a [`Pattern`] has no faithful fancy-regex equivalent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslateError {
    /// What could not be translated.
    pub message: String,
    /// The construct concerned, if known.
    pub span: Option<Span>,
}

impl fmt::Display for TranslateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(s) = self.span {
            write!(f, " (characters {}..{})", s.start, s.end)?;
        }
        Ok(())
    }
}

impl std::error::Error for TranslateError {}

/// Python's Unicode `\w` for str patterns is `str.isalnum() or '_'`, which is
/// exactly letters (L*) and numbers (N*) in Unicode 14.0.
const UNI_WORD: &str = r"\p{L}\p{N}_";
const ASCII_WORD: &str = "0-9A-Za-z_";
/// Python's `\s` for str patterns (`str.isspace()`), and its ASCII form.
const UNI_SPACE: &str =
    r"\t-\r\u{1C}-\u{20}\u{85}\u{A0}\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}";
const ASCII_SPACE: &str = r"\t-\r\u{20}";
const ANY_CHAR: &str = r"[\u{0}-\u{10FFFF}]";

/// Translate a checked pattern to `fancy-regex` 0.20 syntax so that
/// `Regex::find` gives the same match span as Python's `re.search`
/// (on a `str`, in characters once converted from bytes).
///
/// Handled: `$` (end or before a final `\n`), `\Z` (absolute end), Python's
/// Unicode `\d \s \w \b \B` (CPython 3.11 tables; `\w` uses the regex crate's
/// `\p{L}\p{N}`, whose Unicode version is newer), the ASCII flag, scoped
/// flags, possessive quantifiers, atomic groups, conditionals, back-references,
/// and set members that fancy-regex would read as set operations.
///
/// Not faithful, hence an error: `\N{...}` names not resolved by [`check`],
/// and case-insensitive back-references under the ASCII flag.
/// Approximated: case-insensitive back-references compare with Unicode case
/// folding rather than CPython's `lower()` (they differ for `İ`/`ı` and
/// U+0345); literals and sets follow CPython exactly (checked on every cased
/// character of Unicode 14.0).
pub fn to_fancy_regex(p: &Pattern) -> Result<String, TranslateError> {
    if let Some((name, span)) = p.unresolved_names.first() {
        return Err(TranslateError {
            message: format!("cannot resolve \\N{{{name}}} without the full Unicode name table"),
            span: Some(*span),
        });
    }
    with_stack(p.depth, || {
        let mut out = String::new();
        emit(&p.root, p.flags, &p.groupwidths, &mut out)?;
        Ok(out)
    })
    .unwrap_or_else(|| {
        Err(TranslateError {
            message: "pattern too deeply nested".into(),
            span: None,
        })
    })
}

/// [`to_fancy_regex`] and compile it. A fancy-regex compile error (e.g. more
/// than 64 nested groups, or a look-behind fancy-regex cannot run) becomes a
/// [`TranslateError`].
pub fn compile_fancy(p: &Pattern) -> Result<fancy_regex::Regex, TranslateError> {
    let text = to_fancy_regex(p)?;
    fancy_regex::Regex::new(&text).map_err(|e| TranslateError {
        message: format!("fancy-regex rejects the translation: {e}"),
        span: None,
    })
}

fn hex_char(v: u32, out: &mut String) {
    if let Some(c) = char::from_u32(v).filter(char::is_ascii_alphanumeric) {
        out.push(c);
    } else {
        out.push_str(&format!("\\u{{{v:X}}}"));
    }
}

/// Push `lo-hi` without surrogates (which no Rust `str` contains).
fn push_range(lo: u32, hi: u32, out: &mut String) -> bool {
    let mut any = false;
    for (a, b) in [(lo, hi.min(0xD7FF)), (lo.max(0xE000), hi)] {
        if a <= b {
            hex_char(a, out);
            if b > a {
                out.push('-');
                hex_char(b, out);
            }
            any = true;
        }
    }
    any
}

fn digit_ranges(ascii: bool, out: &mut String) {
    if ascii {
        out.push_str("0-9");
        return;
    }
    for &z in DECIMAL_ZEROS {
        push_range(z, z + 9, out);
    }
}

/// Members of a category, for use inside `[...]`.
fn push_category(cat: Category, ascii: bool, out: &mut String) {
    let (neg, body) = match cat {
        Category::Digit | Category::NotDigit => {
            let mut s = String::new();
            digit_ranges(ascii, &mut s);
            (cat == Category::NotDigit, s)
        }
        Category::Space | Category::NotSpace => (
            cat == Category::NotSpace,
            (if ascii { ASCII_SPACE } else { UNI_SPACE }).to_string(),
        ),
        Category::Word | Category::NotWord => (
            cat == Category::NotWord,
            (if ascii { ASCII_WORD } else { UNI_WORD }).to_string(),
        ),
    };
    if neg {
        out.push_str("[^");
        out.push_str(&body);
        out.push(']');
    } else {
        out.push_str(&body);
    }
}

/// ASCII-only case closure of a range (`re.A | re.I`).
fn ascii_case_extra(lo: u32, hi: u32, out: &mut String) {
    for (a, b, delta) in [(0x41u32, 0x5Au32, 32i64), (0x61, 0x7A, -32)] {
        let (x, y) = (lo.max(a), hi.min(b));
        if x <= y {
            push_range((i64::from(x) + delta) as u32, (i64::from(y) + delta) as u32, out);
        }
    }
}

fn is_cased_ascii_letter(v: u32) -> bool {
    char::from_u32(v).is_some_and(|c| c.is_ascii_alphabetic())
}

/// `I`, `i`, `İ`, `ı`: CPython's `lower()` plus `_casefix` join all four
/// under IGNORECASE, Unicode simple case folding does not.
const DOTTED_I: [u32; 4] = [0x49, 0x69, 0x130, 0x131];

fn touches_dotted_i(lo: u32, hi: u32) -> bool {
    DOTTED_I.iter().any(|&c| (lo..=hi).contains(&c))
}

fn emit_class(class: &Class, flags: Flags, out: &mut String) {
    let ascii = flags.contains(Flags::ASCII);
    let icase = flags.contains(Flags::IGNORECASE);
    let mut ranges = String::new();
    let mut cats = String::new();
    for it in &class.items {
        match *it {
            ClassItem::Range(lo, hi) => {
                push_range(lo, hi, &mut ranges);
                if icase && ascii {
                    ascii_case_extra(lo, hi, &mut ranges);
                } else if icase && touches_dotted_i(lo, hi) {
                    for c in DOTTED_I {
                        push_range(c, c, &mut ranges);
                    }
                }
            }
            ClassItem::Cat(c) => push_category(c, ascii, &mut cats),
        }
    }
    const NOTHING: &str = "[^\\u{0}-\\u{10FFFF}]";
    if ranges.is_empty() && cats.is_empty() {
        // Only surrogates: matches nothing (or anything, negated).
        out.push_str(if class.negated { ANY_CHAR } else { NOTHING });
        return;
    }
    if !icase || ascii || ranges.is_empty() {
        // Categories are tested on `lower(ch)`, which keeps them unchanged:
        // no case folding for them (`(?i)\\W` must not match U+0345).
        let neg = if class.negated { "^" } else { "" };
        out.push_str(&format!("[{neg}{ranges}{cats}]"));
        return;
    }
    match (class.negated, cats.is_empty()) {
        (false, true) => out.push_str(&format!("(?i:[{ranges}])")),
        (true, true) => out.push_str(&format!("(?i:[^{ranges}])")),
        (false, false) => out.push_str(&format!("(?:(?i:[{ranges}])|[{cats}])")),
        (true, false) => out.push_str(&format!("(?:(?!(?i:[{ranges}]))[^{cats}])")),
    }
}

fn word_class(flags: Flags) -> String {
    format!(
        "[{}]",
        if flags.contains(Flags::ASCII) {
            ASCII_WORD
        } else {
            UNI_WORD
        }
    )
}

/// Whether the emitted form of `n` is a single atom a quantifier can follow.
fn is_atom(n: &Node) -> bool {
    matches!(
        n.kind,
        NodeKind::Literal(_) | NodeKind::Any | NodeKind::Class(_) | NodeKind::Backref(_) | NodeKind::Atomic(_)
    ) || matches!(n.kind, NodeKind::Group { index: Some(_), .. })
}

fn emit(node: &Node, flags: Flags, gw: &[Option<Width>], out: &mut String) -> Result<(), TranslateError> {
    match &node.kind {
        NodeKind::Literal(v) => {
            let v = *v;
            if v == UNRESOLVED_CHAR {
                return Err(TranslateError {
                    message: "unresolved \\N{...} name".into(),
                    span: Some(node.span),
                });
            }
            if (0xD800..=0xDFFF).contains(&v) {
                out.push_str("[^\\u{0}-\\u{10FFFF}]");
            } else if flags.contains(Flags::IGNORECASE) && flags.contains(Flags::ASCII) {
                if is_cased_ascii_letter(v) {
                    out.push('[');
                    push_range(v, v, out);
                    ascii_case_extra(v, v, out);
                    out.push(']');
                } else {
                    hex_char(v, out);
                }
            } else if flags.contains(Flags::IGNORECASE) && DOTTED_I.contains(&v) {
                out.push('[');
                for c in DOTTED_I {
                    hex_char(c, out);
                }
                out.push(']');
            } else if flags.contains(Flags::IGNORECASE) && (v >= 0x80 || is_cased_ascii_letter(v)) {
                out.push_str("(?i:");
                hex_char(v, out);
                out.push(')');
            } else {
                hex_char(v, out);
            }
        }
        NodeKind::Any => out.push_str(if flags.contains(Flags::DOTALL) {
            ANY_CHAR
        } else {
            "[^\\n]"
        }),
        NodeKind::Class(c) => emit_class(c, flags, out),
        NodeKind::Assert(a) => {
            let w = word_class(flags);
            match a {
                Assertion::Start if flags.contains(Flags::MULTILINE) => out.push_str("(?m:^)"),
                Assertion::Start | Assertion::StartText => out.push_str("\\A"),
                Assertion::End if flags.contains(Flags::MULTILINE) => out.push_str("(?m:$)"),
                Assertion::End => out.push_str("(?=\\n?\\z)"),
                Assertion::EndText => out.push_str("\\z"),
                // CPython 3.11: neither \b nor \B matches in an empty string.
                Assertion::WordBoundary => out.push_str(&format!("(?:(?<={w})(?!{w})|(?<!{w})(?={w}))")),
                Assertion::NotWordBoundary => out.push_str(&format!(
                    "(?:(?<={w})(?={w})|(?<!{w})(?!{w})(?:(?<={ANY_CHAR})|(?={ANY_CHAR})))"
                )),
            }
        }
        NodeKind::Seq(items) => {
            for it in items {
                emit(it, flags, gw, out)?;
            }
        }
        NodeKind::Alt(items) => {
            out.push_str("(?:");
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                emit(it, flags, gw, out)?;
            }
            out.push(')');
        }
        NodeKind::Group {
            index, add, del, body, ..
        } => {
            let inner = flags.combine(*add, *del);
            if index.is_some() {
                out.push('(');
                emit(body, inner, gw, out)?;
                out.push(')');
            } else {
                // Flags are applied per atom, so no wrapper is needed here.
                emit(body, inner, gw, out)?;
            }
        }
        NodeKind::Atomic(body) => {
            out.push_str("(?>");
            emit(body, flags, gw, out)?;
            out.push(')');
        }
        NodeKind::Look { behind, negative, body } => {
            out.push_str(match (behind, negative) {
                (false, false) => "(?=",
                (false, true) => "(?!",
                (true, false) => "(?<=",
                (true, true) => "(?<!",
            });
            emit(body, flags, gw, out)?;
            out.push(')');
        }
        NodeKind::Repeat { min, max, mode, body } => {
            if node_width(body, gw).1 == 0 {
                // fancy-regex refuses to repeat a zero-width item; repeating it
                // changes nothing beyond whether it runs at all.
                if *min > 0 {
                    return emit(body, flags, gw, out);
                }
                out.push_str(if *mode == RepeatMode::Lazy { "(?:|" } else { "(?:" });
                emit(body, flags, gw, out)?;
                out.push_str(if *mode == RepeatMode::Lazy { ")" } else { "|)" });
                return Ok(());
            }
            let possessive = *mode == RepeatMode::Possessive;
            if possessive {
                out.push_str("(?>");
            }
            // A non-capturing group is emitted without parentheses: look inside.
            let mut inner = body.as_ref();
            while let NodeKind::Group {
                index: None, body: b, ..
            } = &inner.kind
            {
                inner = b;
            }
            let single = match &inner.kind {
                NodeKind::Seq(v) if v.len() == 1 => is_atom(&v[0]),
                _ => is_atom(inner),
            };
            if single {
                emit(body, flags, gw, out)?;
            } else {
                out.push_str("(?:");
                emit(body, flags, gw, out)?;
                out.push(')');
            }
            match (*min, *max) {
                (0, None) => out.push('*'),
                (1, None) => out.push('+'),
                (0, Some(1)) => out.push('?'),
                (m, None) => out.push_str(&format!("{{{m},}}")),
                (m, Some(n)) if m == n => out.push_str(&format!("{{{m}}}")),
                (m, Some(n)) => out.push_str(&format!("{{{m},{n}}}")),
            }
            if *mode == RepeatMode::Lazy {
                out.push('?');
            }
            if possessive {
                out.push(')');
            }
        }
        NodeKind::Backref(g) => {
            if flags.contains(Flags::IGNORECASE) && flags.contains(Flags::ASCII) {
                // fancy-regex compares with Unicode case folding; CPython
                // would only fold ASCII letters here.
                return Err(TranslateError {
                    message: "case-insensitive back-reference under the ASCII flag".into(),
                    span: Some(node.span),
                });
            }
            if flags.contains(Flags::IGNORECASE) {
                out.push_str(&format!("(?i:\\k<{g}>)"));
            } else {
                out.push_str(&format!("\\k<{g}>"));
            }
        }
        NodeKind::Cond { group, yes, no } => {
            let yes_empty = matches!(&yes.kind, NodeKind::Seq(v) if v.is_empty());
            let no_empty = no
                .as_ref()
                .is_none_or(|n| matches!(&n.kind, NodeKind::Seq(v) if v.is_empty()));
            if yes_empty && no_empty {
                // Matches the empty string either way.
                return Ok(());
            }
            out.push_str(&format!("(?({group})(?:"));
            emit(yes, flags, gw, out)?;
            out.push_str(")|(?:");
            if let Some(n) = no {
                emit(n, flags, gw, out)?;
            }
            out.push_str("))");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Catastrophic backtracking
// ---------------------------------------------------------------------------

/// What makes a pattern slow on CPython's backtracking engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RiskKind {
    /// A quantifier inside a quantifier over the same text, e.g. `(a+)+`.
    NestedQuantifier,
    /// Alternatives under a quantifier that can match the same text, e.g. `(\d+|\d+\.)*`.
    OverlappingAlternatives,
    /// Consecutive quantified items under a quantifier that can exchange
    /// characters, e.g. `(.*a){12}` or `(\w*\w*)+`.
    OverlappingSequence,
}

/// A pattern on which `re.search` can take exponential (or very
/// high-degree polynomial) time on some subjects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Risk {
    /// Category of the problem.
    pub kind: RiskKind,
    /// Human explanation, naming the sub-pattern.
    pub explanation: String,
    /// The offending quantified sub-pattern (character span).
    pub span: Span,
}

/// Bounded repeats with at least this many iterations are analysed as
/// unbounded: `(x){n}` over ambiguous `x` costs about `len**n` steps.
const RISK_LOOP_THRESHOLD: u32 = 4;
/// A required count alone (nothing after the repeat can fail) costs about
/// `2**(min-1)` steps: `(.*a){12}` is still fast, `(.*a){24}` is not.
const RISK_MIN_COUNT: u32 = 20;
/// Limits that keep the analysis linear-ish; beyond them it gives up (`None`).
const RISK_MAX_POSITIONS: usize = 4000;
const RISK_MAX_PRODUCT: usize = 200_000;
const RISK_MAX_EDGES: usize = 100_000;
/// Product-automaton transitions examined, over all checks of one pattern.
const RISK_MAX_WORK: usize = 5_000_000;

/// Flag patterns on which CPython's backtracking matcher can take
/// exponential time: a quantified sub-pattern that can match the same text
/// in more than one way per iteration (so `k` iterations give `2**k` ways),
/// followed by something that can fail (otherwise the first attempt wins).
///
/// Mirrors CPython's own rewrites first (`a|a` becomes `a(?:|)`, single
/// characters in alternatives become a set), ignores what atomic groups and
/// possessive quantifiers cut off, and looks inside look-arounds. Non-ASCII
/// characters are grouped into four classes (digits, other word characters,
/// spaces, the rest), which can over-report for patterns that intersect
/// non-ASCII sets. Returns `None` when the pattern looks safe or too large
/// to analyse.
pub fn backtracking_risk(pattern: &Pattern) -> Option<Risk> {
    with_stack(pattern.depth, || risk_inner(pattern)).flatten()
}

fn risk_inner(pattern: &Pattern) -> Option<Risk> {
    let src: Vec<char> = pattern.source.chars().collect();
    let mut roots: Vec<(&Node, Flags)> = vec![(&pattern.root, pattern.flags)];
    let mut i = 0;
    while i < roots.len() {
        let (node, flags) = roots[i];
        i += 1;
        let mut b = NfaBuilder {
            positions: Vec::new(),
            edges: Vec::new(),
            repeats: Vec::new(),
            sub_roots: Vec::new(),
            too_big: false,
            branch_seq: 0,
        };
        // Look-around, atomic and possessive bodies come back as sub-roots.
        b.lower(node, flags, false);
        roots.extend(b.sub_roots.iter().copied());
        if b.too_big {
            continue;
        }
        if let Some(r) = find_exponential(&b, &src) {
            return Some(r);
        }
    }
    None
}

/// Abstract character set: exact for ASCII, four classes above it.
/// `opaque` marks an atomic chunk (atomic group, possessive repeat): it
/// never hands characters to a plain neighbour, so it only overlaps
/// other chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CSet {
    ascii: u128,
    other: u8,
    opaque: bool,
}

const NA_DIGIT: u8 = 1;
const NA_WORD: u8 = 2;
const NA_SPACE: u8 = 4;
const NA_OTHER: u8 = 8;
const NA_ALL: u8 = 15;

impl CSet {
    const EMPTY: CSet = CSet {
        ascii: 0,
        other: 0,
        opaque: false,
    };
    const ALL: CSet = CSet {
        ascii: u128::MAX,
        other: NA_ALL,
        opaque: false,
    };
    fn union(self, o: CSet) -> CSet {
        CSet {
            ascii: self.ascii | o.ascii,
            other: self.other | o.other,
            opaque: self.opaque,
        }
    }
    fn complement(self) -> CSet {
        CSet {
            ascii: !self.ascii,
            other: !self.other & NA_ALL,
            opaque: self.opaque,
        }
    }
    fn intersect(self, o: CSet) -> CSet {
        if self.opaque != o.opaque {
            return Self::EMPTY;
        }
        CSet {
            ascii: self.ascii & o.ascii,
            other: self.other & o.other,
            opaque: self.opaque,
        }
    }
    fn is_empty(self) -> bool {
        self.ascii == 0 && self.other == 0
    }
    fn ascii_range(lo: u32, hi: u32) -> u128 {
        let mut m = 0u128;
        for c in lo.min(128)..=hi.min(127) {
            if c < 128 {
                m |= 1u128 << c;
            }
        }
        m
    }
    fn char_class(v: u32) -> u8 {
        let Some(c) = char::from_u32(v) else {
            return NA_OTHER;
        };
        static WORD: OnceLock<Option<fancy_regex::Regex>> = OnceLock::new();
        if decimal_value(c).is_some() {
            NA_DIGIT
        } else if is_space(c) {
            NA_SPACE
        } else if char_matches(&WORD, r"\A[\p{L}\p{N}]\z", c) {
            NA_WORD
        } else {
            NA_OTHER
        }
    }
    fn range(lo: u32, hi: u32, icase: bool) -> CSet {
        let mut s = CSet {
            ascii: Self::ascii_range(lo, hi),
            other: 0,
            opaque: false,
        };
        if hi >= 0x80 {
            s.other = if lo == hi { Self::char_class(lo) } else { NA_ALL };
        }
        if icase {
            let upper = s.ascii & (((1u128 << 26) - 1) << 0x41);
            let lower = s.ascii & (((1u128 << 26) - 1) << 0x61);
            s.ascii |= (upper << 32) | (lower >> 32);
        }
        s
    }
    fn category(cat: Category, ascii: bool) -> CSet {
        let digit = CSet {
            ascii: Self::ascii_range(0x30, 0x39),
            other: if ascii { 0 } else { NA_DIGIT },
            opaque: false,
        };
        let word = CSet {
            ascii: Self::ascii_range(0x30, 0x39)
                | Self::ascii_range(0x41, 0x5A)
                | Self::ascii_range(0x61, 0x7A)
                | (1u128 << 0x5F),
            other: if ascii { 0 } else { NA_DIGIT | NA_WORD },
            opaque: false,
        };
        let space = CSet {
            ascii: Self::ascii_range(0x09, 0x0D)
                | (1u128 << 0x20)
                | if ascii { 0 } else { Self::ascii_range(0x1C, 0x1F) },
            other: if ascii { 0 } else { NA_SPACE },
            opaque: false,
        };
        match cat {
            Category::Digit => digit,
            Category::NotDigit => digit.complement(),
            Category::Word => word,
            Category::NotWord => word.complement(),
            Category::Space => space,
            Category::NotSpace => space.complement(),
        }
    }
    fn example(self) -> String {
        if self.ascii != 0 {
            let c = self.ascii.trailing_zeros();
            if let Some(ch) = char::from_u32(c).filter(|ch| ch.is_ascii_graphic()) {
                return format!("'{ch}'");
            }
            return format!("U+{c:04X}");
        }
        match self.other {
            o if o & NA_WORD != 0 => "a non-ASCII letter".into(),
            o if o & NA_DIGIT != 0 => "a non-ASCII digit".into(),
            o if o & NA_SPACE != 0 => "a non-ASCII space".into(),
            _ => "a non-ASCII character".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EdgeOrigin {
    Concat,
    Loop(usize),
}

struct Position {
    set: CSet,
    /// Alternation branch path, to tell overlapping alternatives apart.
    branch: Vec<(usize, usize)>,
}

struct RepeatInfo {
    span: Span,
    tail_can_fail: bool,
    /// Edges created while lowering this repeat (its body and its loop).
    edges: std::ops::Range<usize>,
}

/// Glushkov fragment. Multiplicities (1, or 2 for "two or more") count the
/// distinct ways CPython can reach a position without consuming anything,
/// e.g. through `(?:|)`: each way is retried on failure.
struct Frag {
    first: Vec<(usize, u8)>,
    last: Vec<(usize, u8)>,
    /// Ways to match the empty string (0, 1, or 2 for "two or more").
    null: u8,
}

impl Frag {
    fn empty() -> Frag {
        Frag {
            first: Vec::new(),
            last: Vec::new(),
            null: 1,
        }
    }
    /// `F?`-like: one more way to match empty (skipping).
    fn optional(mut self) -> Frag {
        self.null = (self.null + 1).min(2);
        self
    }
}

fn scale(v: &[(usize, u8)], k: u8) -> impl Iterator<Item = (usize, u8)> + '_ {
    v.iter().map(move |&(p, m)| (p, (m * k).min(2)))
}

/// Structural "can match the empty string".
fn nullable(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Literal(_) | NodeKind::Any | NodeKind::Class(_) => false,
        NodeKind::Seq(v) => v.iter().all(nullable),
        NodeKind::Alt(v) => v.iter().any(nullable),
        NodeKind::Repeat { min, body, .. } => *min == 0 || nullable(body),
        NodeKind::Group { body, .. } | NodeKind::Atomic(body) => nullable(body),
        _ => true,
    }
}

struct NfaBuilder<'p> {
    positions: Vec<Position>,
    /// (from, to, origin); `from == usize::MAX` is the start state.
    edges: Vec<(usize, usize, EdgeOrigin)>,
    repeats: Vec<RepeatInfo>,
    /// Bodies analysed on their own (atomic, possessive, look-arounds).
    sub_roots: Vec<(&'p Node, Flags)>,
    too_big: bool,
    branch_seq: usize,
}

/// Whether `n` can fail to match where it is tried (conservative: `true`
/// unless it surely matches, e.g. `x*` or an empty sequence).
fn can_fail(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Seq(v) => v.iter().any(can_fail),
        NodeKind::Alt(v) => v.iter().all(can_fail),
        NodeKind::Repeat { min, body, .. } => *min > 0 && can_fail(body),
        NodeKind::Group { body, .. } | NodeKind::Atomic(body) => can_fail(body),
        _ => true,
    }
}

/// `out[i]`: whether any of `items[i..]` can fail.
fn suffix_can_fail(items: &[&Node]) -> Vec<bool> {
    let mut out = vec![false; items.len() + 1];
    for i in (0..items.len()).rev() {
        out[i] = out[i + 1] || can_fail(items[i]);
    }
    out
}

/// CPython's view of a branch item: the elements of a sequence with plain
/// non-capturing groups spliced in (`_parse` unpacks them).
fn splice<'n>(n: &'n Node, out: &mut Vec<&'n Node>) {
    match &n.kind {
        NodeKind::Seq(v) => {
            for c in v {
                match &c.kind {
                    NodeKind::Group {
                        index: None,
                        add,
                        del,
                        body,
                        ..
                    } if add.0 == 0 && del.0 == 0 => splice(body, out),
                    _ => out.push(c),
                }
            }
        }
        NodeKind::Group {
            index: None,
            add,
            del,
            body,
            ..
        } if add.0 == 0 && del.0 == 0 => splice(body, out),
        _ => out.push(n),
    }
}

/// Python tuple equality of two parse items (anything holding a
/// `SubPattern` compares by identity, so never equal).
fn py_item_eq(a: &Node, b: &Node) -> bool {
    fn lit(n: &Node) -> Option<(bool, u32)> {
        match &n.kind {
            NodeKind::Literal(v) => Some((false, *v)),
            NodeKind::Class(c) if c.items.len() == 1 => match c.items[0] {
                ClassItem::Range(x, y) if x == y => Some((c.negated, x)),
                _ => None,
            },
            _ => None,
        }
    }
    if let (Some(x), Some(y)) = (lit(a), lit(b)) {
        return x == y;
    }
    match (&a.kind, &b.kind) {
        (NodeKind::Any, NodeKind::Any) => true,
        (NodeKind::Assert(x), NodeKind::Assert(y)) => x == y,
        (NodeKind::Backref(x), NodeKind::Backref(y)) => x == y,
        (NodeKind::Class(x), NodeKind::Class(y)) => lit(a).is_none() && lit(b).is_none() && x == y,
        _ => false,
    }
}

impl<'p> NfaBuilder<'p> {
    fn position(&mut self, set: CSet, branch: &[(usize, usize)]) -> Frag {
        if self.positions.len() >= RISK_MAX_POSITIONS {
            self.too_big = true;
            return Frag::empty();
        }
        let id = self.positions.len();
        self.positions.push(Position {
            set,
            branch: branch.to_vec(),
        });
        Frag {
            first: vec![(id, 1)],
            last: vec![(id, 1)],
            null: 0,
        }
    }

    fn lower(&mut self, node: &'p Node, flags: Flags, tail_can_fail: bool) -> Frag {
        let mut path = Vec::new();
        self.lower_in(node, flags, tail_can_fail, &mut path)
    }

    fn link(&mut self, from: &[(usize, u8)], to: &[(usize, u8)], origin: EdgeOrigin) {
        if self.edges.len() + from.len() * to.len() * 2 > RISK_MAX_EDGES {
            self.too_big = true;
            return;
        }
        for &(p, mp) in from {
            for &(q, mq) in to {
                // Two ways along the same edge are two parallel edges.
                for _ in 0..(mp * mq).min(2) {
                    self.edges.push((p, q, origin));
                }
            }
        }
    }

    fn concat(&mut self, frags: Vec<Frag>) -> Frag {
        let mut out = Frag::empty();
        for f in frags {
            if self.too_big || out.first.len() + out.last.len() > RISK_MAX_POSITIONS {
                self.too_big = true;
                return Frag::empty();
            }
            self.link(&out.last, &f.first, EdgeOrigin::Concat);
            if out.null > 0 {
                let add: Vec<_> = scale(&f.first, out.null).collect();
                out.first.extend(add);
            }
            let mut last: Vec<(usize, u8)> = f.last;
            if f.null > 0 {
                last.extend(scale(&out.last, f.null));
            }
            out.last = last;
            out.null = (out.null * f.null).min(2);
        }
        out
    }

    fn lower_seq(
        &mut self,
        items: &[&'p Node],
        flags: Flags,
        tail_can_fail: bool,
        path: &mut Vec<(usize, usize)>,
    ) -> Frag {
        let fails_after = suffix_can_fail(items);
        let mut frags = Vec::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            let tail = tail_can_fail || fails_after[i + 1];
            frags.push(self.lower_in(it, flags, tail, path));
        }
        self.concat(frags)
    }

    fn lower_in(&mut self, node: &'p Node, flags: Flags, tail_can_fail: bool, path: &mut Vec<(usize, usize)>) -> Frag {
        if self.too_big {
            return Frag::empty();
        }
        let icase = flags.contains(Flags::IGNORECASE);
        let ascii = flags.contains(Flags::ASCII);
        match &node.kind {
            NodeKind::Literal(v) => self.position(CSet::range(*v, *v, icase), path),
            NodeKind::Any => {
                let set = if flags.contains(Flags::DOTALL) {
                    CSet::ALL
                } else {
                    CSet::range(10, 10, false).complement()
                };
                self.position(set, path)
            }
            NodeKind::Class(c) => {
                let mut s = CSet::EMPTY;
                for it in &c.items {
                    s = s.union(match *it {
                        ClassItem::Range(lo, hi) => CSet::range(lo, hi, icase),
                        ClassItem::Cat(cat) => CSet::category(cat, ascii),
                    });
                }
                self.position(if c.negated { s.complement() } else { s }, path)
            }
            NodeKind::Backref(_) => self.position(CSet::ALL, path),
            NodeKind::Assert(_) => Frag::empty(),
            NodeKind::Look { body, .. } => {
                self.sub_roots.push((body, flags));
                Frag::empty()
            }
            NodeKind::Atomic(body) => {
                self.sub_roots.push((body, flags));
                let set = CSet {
                    opaque: true,
                    ..self.reach_set(body, flags)
                };
                let mut f = self.position(set, path);
                f.null = u8::from(nullable(body));
                f
            }
            NodeKind::Seq(_) | NodeKind::Group { index: None, .. } => {
                let inner = match &node.kind {
                    NodeKind::Group { add, del, .. } => flags.combine(*add, *del),
                    _ => flags,
                };
                if let NodeKind::Group { add, del, body, .. } = &node.kind {
                    if add.0 != 0 || del.0 != 0 {
                        return self.lower_in(body, inner, tail_can_fail, path);
                    }
                }
                let mut items = Vec::new();
                splice(node, &mut items);
                if items.len() == 1 && std::ptr::eq(items[0], node) {
                    if let NodeKind::Group { body, .. } = &node.kind {
                        return self.lower_in(body, inner, tail_can_fail, path);
                    }
                }
                self.lower_seq(&items, inner, tail_can_fail, path)
            }
            NodeKind::Group { add, del, body, .. } => {
                self.lower_in(body, flags.combine(*add, *del), tail_can_fail, path)
            }
            NodeKind::Alt(branches) => self.lower_alt(branches, flags, tail_can_fail, path),
            NodeKind::Cond { yes, no, .. } => {
                let id = self.next_branch();
                path.push((id, 0));
                let y = self.lower_in(yes, flags, tail_can_fail, path);
                path.pop();
                path.push((id, 1));
                let n = match no {
                    Some(n) => self.lower_in(n, flags, tail_can_fail, path),
                    None => Frag::empty(),
                };
                path.pop();
                union_frags(vec![y, n])
            }
            NodeKind::Repeat { min, max, mode, body } => {
                if *mode == RepeatMode::Possessive {
                    self.sub_roots.push((body, flags));
                    let set = CSet {
                        opaque: true,
                        ..self.reach_set(body, flags)
                    };
                    let mut f = self.position(set, path);
                    f.null = u8::from(*min == 0 || nullable(body));
                    return f;
                }
                let looping = max.is_none_or(|m| m >= RISK_LOOP_THRESHOLD);
                if looping {
                    // Required iterations after the first can fail too (`(.*a){12}`).
                    let own_fail = tail_can_fail || (*min >= RISK_MIN_COUNT && can_fail(body));
                    let rid = self.repeats.len();
                    let first_edge = self.edges.len();
                    self.repeats.push(RepeatInfo {
                        span: node.span,
                        tail_can_fail: own_fail,
                        edges: first_edge..first_edge,
                    });
                    let f = self.lower_in(body, flags, own_fail, path);
                    self.link(&f.last, &f.first, EdgeOrigin::Loop(rid));
                    let end = self.edges.len();
                    if let Some(r) = self.repeats.get_mut(rid) {
                        r.edges = first_edge..end;
                    }
                    return if *min == 0 { f.optional() } else { f };
                }
                // Small bounded repeat: min copies, then nested optional ones.
                let n = max.unwrap_or(1);
                let mut frags = Vec::new();
                let body_fails = can_fail(body);
                for i in 0..*min {
                    let tail = tail_can_fail || (i + 1 < *min && body_fails);
                    frags.push(self.lower_in(body, flags, tail, path));
                }
                let mut opt = Vec::new();
                for _ in *min..n {
                    opt.push(self.lower_in(body, flags, tail_can_fail, path));
                }
                // x(x(x)?)? : each optional copy only follows the previous one.
                let mut tail: Option<Frag> = None;
                while let Some(f) = opt.pop() {
                    tail = Some(match tail {
                        None => f.optional(),
                        Some(t) => self.concat(vec![f, t]).optional(),
                    });
                }
                if let Some(t) = tail {
                    frags.push(t);
                }
                self.concat(frags)
            }
        }
    }

    fn next_branch(&mut self) -> usize {
        self.branch_seq += 1;
        self.branch_seq
    }

    /// An alternation after CPython's prefix factoring and set folding.
    fn lower_alt(
        &mut self,
        branches: &'p [Node],
        flags: Flags,
        tail_can_fail: bool,
        path: &mut Vec<(usize, usize)>,
    ) -> Frag {
        let mut items: Vec<Vec<&'p Node>> = branches
            .iter()
            .map(|b| {
                let mut v = Vec::new();
                splice(b, &mut v);
                v
            })
            .collect();
        let mut prefix: Vec<&'p Node> = Vec::new();
        let mut k = 0;
        while let Some(head) = items.first().and_then(|v| v.get(k)).copied() {
            if items.iter().all(|v| v.get(k).is_some_and(|n| py_item_eq(n, head))) {
                prefix.push(head);
                k += 1;
            } else {
                break;
            }
        }
        for v in &mut items {
            v.drain(..k);
        }
        let rest_can_fail = items.iter().all(|v| suffix_can_fail(v)[0]);
        let prefix_fails = suffix_can_fail(&prefix);
        let mut frags = Vec::new();
        for (i, p) in prefix.iter().enumerate() {
            let tail = tail_can_fail || prefix_fails[i + 1] || rest_can_fail;
            frags.push(self.lower_in(p, flags, tail, path));
        }
        // Branches of single characters become one set.
        let all_chars = items.iter().all(|v| {
            v.len() == 1 && matches!(&v[0].kind, NodeKind::Literal(_))
                || v.len() == 1 && matches!(&v[0].kind, NodeKind::Class(c) if !c.negated)
        });
        if all_chars {
            let mut s = CSet::EMPTY;
            let icase = flags.contains(Flags::IGNORECASE);
            for v in &items {
                s = s.union(match &v[0].kind {
                    NodeKind::Literal(x) => CSet::range(*x, *x, icase),
                    NodeKind::Class(c) => c.items.iter().fold(CSet::EMPTY, |acc, it| {
                        acc.union(match *it {
                            ClassItem::Range(lo, hi) => CSet::range(lo, hi, icase),
                            ClassItem::Cat(cat) => CSet::category(cat, flags.contains(Flags::ASCII)),
                        })
                    }),
                    _ => CSet::EMPTY,
                });
            }
            frags.push(self.position(s, path));
        } else {
            let id = self.next_branch();
            let mut alts = Vec::new();
            for (i, v) in items.iter().enumerate() {
                path.push((id, i));
                let f = self.lower_seq(v, flags, tail_can_fail, path);
                path.pop();
                alts.push(f);
                // If this branch cannot fail and nothing after it can, the
                // later branches are never tried.
                if !tail_can_fail && !suffix_can_fail(v)[0] {
                    break;
                }
            }
            frags.push(union_frags(alts));
        }
        self.concat(frags)
    }

    /// Every character a sub-pattern can consume (for opaque atomic parts).
    fn reach_set(&self, node: &Node, flags: Flags) -> CSet {
        let icase = flags.contains(Flags::IGNORECASE);
        let ascii = flags.contains(Flags::ASCII);
        match &node.kind {
            NodeKind::Literal(v) => CSet::range(*v, *v, icase),
            NodeKind::Any | NodeKind::Backref(_) => CSet::ALL,
            NodeKind::Class(c) => {
                let s = c.items.iter().fold(CSet::EMPTY, |acc, it| {
                    acc.union(match *it {
                        ClassItem::Range(lo, hi) => CSet::range(lo, hi, icase),
                        ClassItem::Cat(cat) => CSet::category(cat, ascii),
                    })
                });
                if c.negated {
                    s.complement()
                } else {
                    s
                }
            }
            NodeKind::Assert(_) | NodeKind::Look { .. } => CSet::EMPTY,
            NodeKind::Seq(v) | NodeKind::Alt(v) => {
                v.iter().fold(CSet::EMPTY, |acc, n| acc.union(self.reach_set(n, flags)))
            }
            NodeKind::Group { add, del, body, .. } => self.reach_set(body, flags.combine(*add, *del)),
            NodeKind::Atomic(b) | NodeKind::Repeat { body: b, .. } => self.reach_set(b, flags),
            NodeKind::Cond { yes, no, .. } => {
                let y = self.reach_set(yes, flags);
                no.as_ref().map_or(y, |n| y.union(self.reach_set(n, flags)))
            }
        }
    }
}

fn union_frags(frags: Vec<Frag>) -> Frag {
    let mut out = Frag {
        first: Vec::new(),
        last: Vec::new(),
        null: 0,
    };
    for f in frags {
        out.first.extend(f.first);
        out.last.extend(f.last);
        out.null = (out.null + f.null).min(2);
    }
    out
}

/// Exponential ambiguity: some state has two different cycles reading the
/// same text. In the product automaton that is a strongly connected
/// component holding a diagonal pair `(q, q)` together with an off-diagonal
/// pair or two distinct parallel edges. Only `edges` are considered.
/// Returns the two positions witnessing it (equal for parallel edges) and a
/// preference rank, or `None` (also when the product grows too large).
fn eda_witness(b: &NfaBuilder, edges: std::ops::Range<usize>, work: &mut usize) -> Option<(usize, usize, u8)> {
    let n = b.positions.len();
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in edges {
        if let Some(&(from, _, _)) = b.edges.get(i) {
            if let Some(v) = out_edges.get_mut(from) {
                v.push(i);
            }
        }
    }
    let mut index: HashMap<(usize, usize), usize> = HashMap::new();
    let mut nodes: Vec<(usize, usize)> = Vec::new();
    let mut succ: Vec<Vec<(usize, bool)>> = Vec::new(); // (target, via parallel edges)
    let mut stack: Vec<usize> = Vec::new();
    for (p, out) in out_edges.iter().enumerate() {
        if out.is_empty() {
            continue;
        }
        index.insert((p, p), nodes.len());
        stack.push(nodes.len());
        nodes.push((p, p));
        succ.push(Vec::new());
    }
    while let Some(id) = stack.pop() {
        let (p, q) = nodes[id];
        let mut list = Vec::new();
        *work += out_edges[p].len() * out_edges[q].len();
        if *work > RISK_MAX_WORK {
            return None;
        }
        for &e1 in &out_edges[p] {
            for &e2 in &out_edges[q] {
                let (_, p2, _) = b.edges[e1];
                let (_, q2, _) = b.edges[e2];
                if b.positions[p2].set.intersect(b.positions[q2].set).is_empty() {
                    continue;
                }
                // The product is symmetric: keep pairs ordered.
                let key = if p2 <= q2 { (p2, q2) } else { (q2, p2) };
                let t = match index.get(&key) {
                    Some(&t) => t,
                    None => {
                        if nodes.len() >= RISK_MAX_PRODUCT {
                            return None;
                        }
                        let t = nodes.len();
                        index.insert(key, t);
                        nodes.push(key);
                        succ.push(Vec::new());
                        stack.push(t);
                        t
                    }
                };
                list.push((t, p == q && p2 == q2 && e1 != e2));
            }
        }
        succ[id] = list;
    }
    let comp = tarjan(&succ);
    let ncomp = comp.iter().copied().max().map_or(0, |m| m + 1);
    let mut has_diag = vec![false; ncomp];
    for (id, &(p, q)) in nodes.iter().enumerate() {
        if p == q {
            has_diag[comp[id]] = true;
        }
    }
    // Preference: overlapping alternatives (2), nesting (1), the rest (0).
    let mut best: Option<(usize, usize, u8)> = None;
    for (id, &(p, q)) in nodes.iter().enumerate() {
        let c = comp[id];
        if !has_diag[c] {
            continue;
        }
        for &(t, parallel) in &succ[id] {
            if comp[t] != c {
                continue;
            }
            let (tp, tq) = nodes[t];
            let cand = if parallel {
                Some((tp, tp, 1))
            } else if p != q {
                Some((
                    p,
                    q,
                    if branches_differ(&b.positions[p].branch, &b.positions[q].branch) {
                        2
                    } else {
                        0
                    },
                ))
            } else if tp != tq {
                Some((
                    tp,
                    tq,
                    if branches_differ(&b.positions[tp].branch, &b.positions[tq].branch) {
                        2
                    } else {
                        0
                    },
                ))
            } else {
                None
            };
            if let Some(w) = cand {
                if best.is_none_or(|old| old.2 < w.2) {
                    best = Some(w);
                }
            }
        }
    }
    best
}

/// The outermost loop whose own edges are exponentially ambiguous and whose
/// continuation can fail.
fn find_exponential(b: &NfaBuilder, src: &[char]) -> Option<Risk> {
    let mut work = 0usize;
    eda_witness(b, 0..b.edges.len(), &mut work)?;
    let mut order: Vec<usize> = (0..b.repeats.len()).filter(|&r| b.repeats[r].tail_can_fail).collect();
    order.sort_by_key(|&r| {
        let s = b.repeats[r].span;
        (usize::MAX - (s.end - s.start), s.start)
    });
    for r in order {
        let info = &b.repeats[r];
        if work > RISK_MAX_WORK {
            return None;
        }
        let Some((x, y, rank)) = eda_witness(b, info.edges.clone(), &mut work) else {
            continue;
        };
        let set = b.positions[x].set.intersect(b.positions[y].set);
        let kind = match rank {
            2 => RiskKind::OverlappingAlternatives,
            1 => RiskKind::NestedQuantifier,
            _ => RiskKind::OverlappingSequence,
        };
        let text: String = src
            .get(info.span.start..info.span.end)
            .map(|s| s.iter().collect())
            .unwrap_or_default();
        let why = match kind {
            RiskKind::NestedQuantifier => {
                "repeats a sub-pattern that can itself match the same characters in several ways"
            }
            RiskKind::OverlappingAlternatives => "repeats alternatives that can match the same text",
            RiskKind::OverlappingSequence => "repeats items that can pass characters to each other",
        };
        let explanation = format!(
            "`{text}` {why} (e.g. {}), so on a subject where what follows fails, \
             CPython's backtracking tries exponentially many ways to split the text",
            set.example()
        );
        return Some(Risk {
            kind,
            explanation,
            span: info.span,
        });
    }
    None
}

fn branches_differ(a: &[(usize, usize)], b: &[(usize, usize)]) -> bool {
    a.iter().any(|&(id, i)| b.iter().any(|&(id2, j)| id == id2 && i != j))
}

/// Iterative Tarjan: component index for every node.
fn tarjan(succ: &[Vec<(usize, bool)>]) -> Vec<usize> {
    let n = succ.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![usize::MAX; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next_index = 0;
    let mut next_comp = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = call.last_mut() {
            if let Some(&(w, ..)) = succ[v].get(*i) {
                *i += 1;
                if index[w] == usize::MAX {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(u, _)) = call.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = next_comp;
                        if w == v {
                            break;
                        }
                    }
                    next_comp += 1;
                }
            }
        }
    }
    comp
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const VALIDITY: &str = include_str!("../../tests/fixtures/python/re_cases.json");
    const MATCHES: &str = include_str!("../../tests/fixtures/python/re_match_cases.json");
    const RISKS: &str = include_str!("../../tests/fixtures/python/re_risk_cases.json");

    fn cases(text: &str) -> Vec<Value> {
        let doc: Value = serde_json::from_str(text).expect("fixture is JSON");
        doc["cases"].as_array().expect("fixture has cases").clone()
    }

    /// A string, or `[[text, count], ...]` for very long patterns.
    fn pattern_of(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Array(parts) => parts
                .iter()
                .map(|p| {
                    p[0].as_str()
                        .expect("text")
                        .repeat(p[1].as_u64().expect("count") as usize)
                })
                .collect(),
            other => panic!("bad pattern {other}"),
        }
    }

    fn short(p: &str) -> String {
        p.chars().take(60).collect()
    }

    #[test]
    fn validity_matches_omero() {
        let mut failures = Vec::new();
        let mut gaps = Vec::new();
        for c in cases(VALIDITY) {
            let pat = pattern_of(&c["pattern"]);
            let got = check(&pat);
            if c["accepted"].as_bool() == Some(true) {
                if let Err(e) = got {
                    failures.push(format!("{:?}: OMERO accepts, we say {e}", short(&pat)));
                }
                continue;
            }
            let want_str = c["str"].as_str().unwrap_or_default();
            match got {
                Ok(p) if !p.unresolved_names().is_empty() && want_str.starts_with("undefined character name") => {
                    gaps.push(pat.clone());
                }
                Ok(_) => failures.push(format!("{:?}: OMERO rejects ({want_str}), we accept", short(&pat))),
                Err(e) => {
                    let pos = c["position"].as_u64().map(|p| p as usize);
                    if e.python_type() != c["type"].as_str().unwrap_or_default()
                        || e.to_string() != want_str
                        || e.message != c["message"].as_str().unwrap_or_default()
                        || e.position != pos
                    {
                        failures.push(format!(
                            "{:?}: want {} {want_str:?}, got {} {:?} (msg {:?}, pos {:?})",
                            short(&pat),
                            c["type"],
                            e.python_type(),
                            e.to_string(),
                            e.message,
                            e.position
                        ));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} mismatches:\n{}",
            failures.len(),
            failures.join("\n")
        );
        // The one documented gap: names outside the embedded table.
        assert_eq!(gaps, vec![r"\N{NOT A CHARACTER NAME}".to_string()]);
    }

    #[test]
    fn validity_fixture_is_big_enough() {
        let all = cases(VALIDITY);
        assert!(all.len() >= 40);
        assert!(all.iter().filter(|c| c["accepted"] == Value::Bool(false)).count() >= 25);
    }

    #[test]
    fn search_spans_match_python() {
        let mut failures = Vec::new();
        for c in cases(MATCHES) {
            let pat = c["pattern"].as_str().expect("pattern");
            let subject = c["subject"].as_str().expect("subject");
            let want: Option<(usize, usize)> = c["span"]
                .as_array()
                .map(|a| (a[0].as_u64().unwrap_or(0) as usize, a[1].as_u64().unwrap_or(0) as usize));
            let p = match check(pat) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{pat:?}: check failed: {e}"));
                    continue;
                }
            };
            let re = match compile_fancy(&p) {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!("{pat:?}: {e}"));
                    continue;
                }
            };
            let got = match re.find(subject) {
                Ok(m) => m.map(|m| {
                    let s = subject[..m.start()].chars().count();
                    (s, s + subject[m.start()..m.end()].chars().count())
                }),
                Err(e) => {
                    failures.push(format!("{pat:?}: runtime error {e}"));
                    continue;
                }
            };
            if got != want {
                failures.push(format!(
                    "{pat:?} on {subject:?}: python {want:?}, fancy {got:?} via {:?}",
                    to_fancy_regex(&p)
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} mismatches:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn risk_flags_exactly_the_patterns_that_hang() {
        let mut failures = Vec::new();
        for c in cases(RISKS) {
            let pat = c["pattern"].as_str().expect("pattern");
            let hangs = c["hangs"].as_bool().expect("hangs");
            let Ok(p) = check(pat) else {
                failures.push(format!("{pat:?} does not compile"));
                continue;
            };
            let risk = backtracking_risk(&p);
            if risk.is_some() != hangs {
                failures.push(format!("{pat:?}: CPython hangs={hangs}, we say {risk:?}"));
            }
            if let Some(r) = risk {
                let chars: Vec<char> = pat.chars().collect();
                assert!(
                    r.span.start < r.span.end && r.span.end <= chars.len(),
                    "{pat:?}: span {:?}",
                    r.span
                );
                let text: String = chars[r.span.start..r.span.end].iter().collect();
                assert!(r.explanation.contains(&text), "{pat:?}: {}", r.explanation);
            }
        }
        assert!(
            failures.is_empty(),
            "{} mismatches:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn risk_spans_point_at_the_quantifier() {
        let span = |p: &str| {
            check(p)
                .ok()
                .and_then(|p| backtracking_risk(&p))
                .map(|r| (r.span.start, r.span.end, r.kind))
        };
        assert_eq!(span("(a+)+$"), Some((0, 5, RiskKind::NestedQuantifier)));
        assert_eq!(
            span(r"^x(\d+|\d+\.)*$"),
            Some((2, 14, RiskKind::OverlappingAlternatives))
        );
        assert_eq!(span("((a+)+$)*"), Some((1, 6, RiskKind::NestedQuantifier)));
        assert_eq!(span("(.*a){12}$").map(|s| (s.0, s.1)), Some((0, 9)));
    }

    #[test]
    fn errors_carry_positions_and_byte_offsets() {
        let e = check("é(?<x").expect_err("invalid");
        assert_eq!(e.message, "unknown extension ?<x");
        assert_eq!(e.position, Some(2));
        assert_eq!(e.byte_offset, Some(3));
        assert_eq!(e.kind, ReErrorKind::Error);
        assert_eq!(e.to_string(), "unknown extension ?<x at position 2");
        let e = check("a\nb\n(c").expect_err("invalid");
        assert_eq!(e.line_col(), Some((3, 1)));
        assert_eq!(
            e.to_string(),
            "missing ), unterminated subpattern at position 4 (line 3, column 1)"
        );
        let e = check("(?<=a*)").expect_err("invalid");
        assert_eq!((e.position, e.byte_offset), (None, None));
    }

    #[test]
    fn pattern_reports_groups_flags_and_warnings() {
        let p = check("(?i)(?P<year>\\d{4})-(\\d\\d)[[x]").expect("valid");
        assert_eq!(p.group_count(), 2);
        assert_eq!(p.group_names(), &[("year".to_string(), 1)]);
        assert!(p.flags().contains(Flags::IGNORECASE | Flags::UNICODE));
        assert_eq!(p.warnings().len(), 1);
        assert_eq!(p.warnings()[0].message, "Possible nested set at position 27");
        let a = check("(?a)x").expect("valid");
        assert!(a.flags().contains(Flags::ASCII) && !a.flags().contains(Flags::UNICODE));
    }

    #[test]
    fn unresolved_names_are_reported_not_translated() {
        let p = check(r"x\N{EM DASH}").expect("well-formed name is accepted");
        assert_eq!(p.unresolved_names().len(), 1);
        assert_eq!(p.unresolved_names()[0].0, "EM DASH");
        assert!(to_fancy_regex(&p).is_err());
        let p = check(r"\N{CJK UNIFIED IDEOGRAPH-4E00}\N{HANGUL SYLLABLE GAG}").expect("valid");
        assert!(p.unresolved_names().is_empty());
        let re = compile_fancy(&p).expect("translatable");
        assert!(re.is_match("\u{4E00}\u{AC01}").unwrap_or(false));
        assert!(check(r"\N{cjk unified ideograph-4e00}").is_err());
    }

    #[test]
    fn huge_and_deep_inputs_do_not_panic() {
        // Runs on a small stack to show recursion stays bounded.
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| {
                let deep = "(".repeat(100_000);
                let e = check(&deep).expect_err("too deep");
                assert_eq!(e.kind, ReErrorKind::Recursion);
                let ok = format!("{}a{}", "(?:".repeat(491), ")*".repeat(491));
                let p = check(&ok).expect("491 levels compile");
                let _ = backtracking_risk(&p);
                let _ = to_fancy_regex(&p);
                let conds = format!("(a){}{}", "(?(1)".repeat(982), ")".repeat(982));
                let p = check(&conds).expect("982 conditionals compile");
                let _ = backtracking_risk(&p);
                let _ = to_fancy_regex(&p);
                let long = "a|".repeat(50_000);
                let p = check(&long).expect("long alternation");
                let _ = backtracking_risk(&p);
                let many = "(a*)*".repeat(2_000);
                let p = check(&many).expect("many groups");
                let _ = backtracking_risk(&p);
            })
            .expect("thread");
        assert!(handle.join().is_ok());
    }

    #[test]
    fn translation_handles_python_only_syntax() {
        let t = |p: &str| check(p).ok().and_then(|p| to_fancy_regex(&p).ok());
        assert_eq!(t(r"a\Z").as_deref(), Some(r"a\z"));
        assert_eq!(t("a$").as_deref(), Some(r"a(?=\n?\z)"));
        assert_eq!(t("[&&]").as_deref(), Some(r"[\u{26}]"));
        assert_eq!(t("x{").as_deref(), Some(r"x\u{7B}"));
        assert_eq!(t("a*+").as_deref(), Some("(?>a*)"));
        assert_eq!(t("(?P<n>a)(?P=n)").as_deref(), Some(r"(a)\k<1>"));
    }
}

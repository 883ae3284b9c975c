//! The tokenizer and parser, mirroring `re._parser` (`Tokenizer`, `_parse_sub`, `_parse`).

use super::*;

// ---------------------------------------------------------------------------
// Tokenizer (mirrors `re._parser.Tokenizer`, including its eager look-ahead)
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tk {
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

pub(super) type PResult<T> = Result<T, ReError>;

pub(super) struct Tokenizer<'a> {
    pub(super) s: &'a [char],
    pub(super) index: usize,
    pub(super) next: Option<Tk>,
}

impl<'a> Tokenizer<'a> {
    pub(super) fn new(s: &'a [char]) -> PResult<Self> {
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

pub(super) type Width = (u128, u128);

pub(super) fn cap(w: Width) -> Width {
    (w.0.min(MAXWIDTH), w.1.min(MAXWIDTH))
}

pub(super) fn repeat_width(item: Width, min: u32, max: Option<u32>) -> Width {
    let lo = item.0 * u128::from(min);
    let hi = match max {
        None if item.1 > 0 => MAXWIDTH,
        None => 0,
        Some(m) => item.1 * u128::from(m),
    };
    cap((lo, hi))
}

/// Width of a node as CPython computes it; `groupwidths[g]` for back-references.
pub(super) fn node_width(node: &Node, groupwidths: &[Option<Width>]) -> Width {
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

pub(super) struct State {
    pub(super) flags: u32,
    pub(super) groupdict: HashMap<String, u32>,
    pub(super) names: Vec<(String, u32)>,
    /// Index 0 is group 0; `None` while a group is open.
    pub(super) groupwidths: Vec<Option<Width>>,
    pub(super) lookbehindgroups: Option<usize>,
    /// `grouprefpos` in insertion order, and its keys.
    pub(super) grouprefpos: Vec<(u64, usize)>,
    pub(super) grouprefs: std::collections::HashSet<u64>,
    pub(super) warnings: Vec<ReWarning>,
    pub(super) unresolved: Vec<(String, Span)>,
}

impl State {
    pub(super) fn groups(&self) -> usize {
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
pub(super) enum Code {
    Literal(u32),
    Cat(Category),
    At(Assertion),
    GroupRef(u32),
}

/// The sequence `_parse` is building, with its width summed as it grows
/// (one width per item would double the parse's memory on long patterns).
#[derive(Default)]
pub(super) struct Sequence {
    nodes: Vec<Node>,
    /// Uncapped sum of the items' widths: capping once at the end gives
    /// what capping after each addition gives, as widths are not negative.
    width: Width,
    /// The last item's width, for a repeat that replaces it.
    last_width: Width,
}

impl Sequence {
    fn push(&mut self, node: Node, width: Width) {
        self.nodes.push(node);
        self.width = (self.width.0 + width.0, self.width.1 + width.1);
        self.last_width = width;
    }

    fn last(&self) -> Option<&Node> {
        self.nodes.last()
    }

    fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Replace the last item by `f(item, its width)`.
    fn replace_last(&mut self, f: impl FnOnce(Node, Width) -> (Node, Width)) {
        if let Some(node) = self.nodes.pop() {
            let w = self.last_width;
            self.width = (self.width.0 - w.0, self.width.1 - w.1);
            let (node, width) = f(node, w);
            self.push(node, width);
        }
    }
}

pub(super) fn is_at(n: &Node) -> bool {
    matches!(n.kind, NodeKind::Assert(_))
}

pub(super) fn is_repeat(n: &Node) -> bool {
    matches!(n.kind, NodeKind::Repeat { .. })
}

pub(super) const SPECIAL_CHARS: &str = ".\\[{()*+?^$|";

pub(super) fn is_py_whitespace_verbose(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

pub(super) fn is_octal(c: char) -> bool {
    ('0'..='7').contains(&c)
}

pub(super) struct Parser<'a> {
    pub(super) src: Tokenizer<'a>,
    pub(super) st: State,
}

impl<'a> Parser<'a> {
    pub(super) fn err(&self, msg: impl Into<String>, offset: usize) -> ReError {
        self.src.error(msg.into(), offset)
    }

    /// A token where an inline flag belongs: an unknown letter, or else
    /// `missing` (what CPython expected there).
    fn flag_error(&self, ch: Tk, missing: &str) -> ReError {
        let msg = if tk_isalpha(ch) { "unknown flag" } else { missing };
        self.err(msg, ch.len())
    }

    /// `_parse_sub`: alternatives separated by `|`.
    pub(super) fn parse_sub(&mut self, mut verbose: bool, top: bool, frames: u32) -> PResult<(Node, Width)> {
        let start = self.src.tell();
        let mut items: Vec<Node> = Vec::new();
        let (mut lo, mut hi) = (MAXWIDTH, 0);
        loop {
            let first = top && items.is_empty();
            let (n, w) = self.parse(verbose, first, frames + 1)?;
            items.push(n);
            lo = lo.min(w.0);
            hi = hi.max(w.1);
            if !self.src.matches('|')? {
                break;
            }
            if top {
                verbose = self.st.flags & Flags::VERBOSE != 0;
            }
        }
        if items.len() == 1 {
            if let Some(only) = items.pop() {
                return Ok((only, (lo, hi)));
            }
        }
        items.shrink_to_fit();
        let span = Span {
            start,
            end: self.src.tell(),
        };
        Ok((
            Node {
                kind: NodeKind::Alt(items),
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
        let mut sub = Sequence::default();
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
                            items: Box::new([ClassItem::Cat(cat)]),
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
                    sub.push(Node { kind, span }, width);
                    continue;
                }
                Tk::C(c) => c,
            };
            if !SPECIAL_CHARS.contains(c) {
                let span = Span {
                    start,
                    end: self.src.tell(),
                };
                sub.push(
                    Node {
                        kind: NodeKind::Literal(c as u32),
                        span,
                    },
                    (1, 1),
                );
            } else if c == '[' {
                let node = self.parse_class(start)?;
                sub.push(node, (1, 1));
            } else if matches!(c, '*' | '+' | '?' | '{') {
                self.parse_repeat(c, start, &mut sub)?;
            } else if c == '.' {
                let span = Span {
                    start,
                    end: self.src.tell(),
                };
                sub.push(
                    Node {
                        kind: NodeKind::Any,
                        span,
                    },
                    (1, 1),
                );
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
                sub.push(
                    Node {
                        kind: NodeKind::Assert(a),
                        span,
                    },
                    (0, 0),
                );
            } else {
                // `)` and `|` were handled above; nothing else is special.
                return Err(self.err(format!("unsupported special character {c:?}"), 0));
            }
        }
        let end = self.src.tell();
        let w = cap(sub.width);
        // Most sequences are short: spare capacity would be most of their memory.
        sub.nodes.shrink_to_fit();
        let node = Node {
            kind: NodeKind::Seq(sub.nodes),
            span: Span { start: seq_start, end },
        };
        Ok((node, w))
    }

    fn parse_repeat(&mut self, this: char, start: usize, sub: &mut Sequence) -> PResult<()> {
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
                    sub.push(
                        Node {
                            kind: NodeKind::Literal('{' as u32),
                            span,
                        },
                        (1, 1),
                    );
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
                    sub.push(
                        Node {
                            kind: NodeKind::Literal('{' as u32),
                            span,
                        },
                        (1, 1),
                    );
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
        if is_at(last) {
            return Err(self.err("nothing to repeat", offset));
        }
        if is_repeat(last) {
            return Err(self.err("multiple repeat", offset));
        }
        let mode = if self.src.matches('?')? {
            RepeatMode::Lazy
        } else if self.src.matches('+')? {
            RepeatMode::Possessive
        } else {
            RepeatMode::Greedy
        };
        // Bounds fit in u32: both were checked against MAXREPEAT.
        let min32 = u32::try_from(min).unwrap_or(u32::MAX);
        let max32 = if max >= MAXREPEAT {
            None
        } else {
            Some(u32::try_from(max).unwrap_or(u32::MAX))
        };
        let end = self.src.tell();
        sub.replace_last(|body, width| {
            let span = Span {
                start: body.span.start,
                end,
            };
            let kind = NodeKind::Repeat {
                min: min32,
                max: max32,
                mode,
                body: Box::new(body),
            };
            (Node { kind, span }, repeat_width(width, min32, max32))
        });
        Ok(())
    }

    /// `int(digits)` for a repeat bound, with Python's errors.
    fn repeat_number(&self, digits: &str) -> PResult<u64> {
        let text = parse_int(digits)
            .map_err(|e| ReError::new(self.src.s, e.message().to_string(), None, ReErrorKind::Value))?;
        // Only ASCII digits reach here, so the one failure is too many of them.
        let v = text.parse::<u64>().unwrap_or(u64::MAX);
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
    fn parse_group(&mut self, start: usize, verbose: bool, frames: u32, sub: &mut Sequence) -> PResult<Option<()>> {
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
                        sub.push(
                            Node {
                                kind: NodeKind::Backref(gid),
                                span,
                            },
                            width,
                        );
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
                    sub.push(node, (0, 0));
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
                    add: Flags(add),
                    del: Flags(del),
                    body: Box::new(body),
                },
                span,
            }
        };
        sub.push(node, width);
        Ok(None)
    }

    fn parse_conditional(&mut self, start: usize, verbose: bool, frames: u32, sub: &mut Sequence) -> PResult<()> {
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
            // `int()` raising ValueError, or a negative value, is a bad character.
            let text = match parse_int(&condname) {
                Ok(t) if !t.starts_with('-') => t,
                _ => return Err(self.err(bad(), clen + 1)),
            };
            if text == "0" {
                return Err(self.err("bad group number", clen + 1));
            }
            match text.parse::<u64>() {
                Ok(g) if g < MAXGROUPS => condgroup = g,
                _ => return Err(self.err(format!("invalid group reference {text}"), clen + 1)),
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
        sub.push(node, width);
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
                items: uniq.into_boxed_slice(),
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

pub(super) fn code_to_item(code: &Code) -> ClassItem {
    match code {
        Code::Literal(v) => ClassItem::Range(*v, *v),
        Code::Cat(c) => ClassItem::Cat(*c),
        // `_class_escape` never yields these.
        Code::At(_) | Code::GroupRef(_) => ClassItem::Range(0, 0),
    }
}

/// `ESCAPES` (without `\b`, whose meaning depends on the context).
pub(super) fn simple_escape(c: char) -> Option<u32> {
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

pub(super) fn category_escape(c: char) -> Option<Category> {
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

// ---------------------------------------------------------------------------
// Python `str` helpers: isidentifier(), isalpha()
// ---------------------------------------------------------------------------

pub(super) fn unicode_regex(
    cell: &'static OnceLock<Option<fancy_regex::Regex>>,
    pat: &str,
) -> Option<&'static fancy_regex::Regex> {
    cell.get_or_init(|| fancy_regex::Regex::new(pat).ok()).as_ref()
}

/// `str.isidentifier()`. Uses the regex crate's Unicode tables, which may be
/// newer than CPython 3.11's Unicode 14.0.
pub(super) fn is_identifier(s: &str) -> bool {
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

pub(super) fn char_matches(cell: &'static OnceLock<Option<fancy_regex::Regex>>, pat: &str, c: char) -> bool {
    let mut buf = [0u8; 4];
    unicode_regex(cell, pat)
        .and_then(|re| re.is_match(c.encode_utf8(&mut buf)).ok())
        .unwrap_or(false)
}

/// `str.isalpha()` for one token (an escape pair is never alphabetic).
pub(super) fn tk_isalpha(t: Tk) -> bool {
    static RE: OnceLock<Option<fancy_regex::Regex>> = OnceLock::new();
    match t {
        Tk::C(c) if c.is_ascii() => c.is_ascii_alphabetic(),
        Tk::C(c) => char_matches(&RE, r"\A\p{L}\z", c),
        Tk::E(_) => false,
    }
}

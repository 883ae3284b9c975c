//! Catastrophic backtracking: patterns on which CPython's engine can take exponential time.

use super::*;

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
pub(super) const RISK_LOOP_THRESHOLD: u32 = 4;
/// A required count alone (nothing after the repeat can fail) costs about
/// `2**(min-1)` steps: `(.*a){12}` is still fast, `(.*a){24}` is not.
pub(super) const RISK_MIN_COUNT: u32 = 20;
/// Limits that keep the analysis linear-ish; beyond them it gives up (`None`).
pub(super) const RISK_MAX_POSITIONS: usize = 4000;
pub(super) const RISK_MAX_PRODUCT: usize = 200_000;
pub(super) const RISK_MAX_EDGES: usize = 100_000;
/// Product-automaton transitions examined, over all checks of one pattern.
pub(super) const RISK_MAX_WORK: usize = 5_000_000;

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

pub(super) fn risk_inner(pattern: &Pattern) -> Option<Risk> {
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
pub(super) struct CSet {
    ascii: u128,
    other: u8,
    opaque: bool,
}

pub(super) const NA_DIGIT: u8 = 1;
pub(super) const NA_WORD: u8 = 2;
pub(super) const NA_SPACE: u8 = 4;
pub(super) const NA_OTHER: u8 = 8;
pub(super) const NA_ALL: u8 = 15;

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
pub(super) enum EdgeOrigin {
    Concat,
    Loop(usize),
}

pub(super) struct Position {
    set: CSet,
    /// Alternation branch path, to tell overlapping alternatives apart.
    branch: Vec<(usize, usize)>,
}

pub(super) struct RepeatInfo {
    span: Span,
    tail_can_fail: bool,
    /// Edges created while lowering this repeat (its body and its loop).
    edges: std::ops::Range<usize>,
}

/// Glushkov fragment. Multiplicities (1, or 2 for "two or more") count the
/// distinct ways CPython can reach a position without consuming anything,
/// e.g. through `(?:|)`: each way is retried on failure.
pub(super) struct Frag {
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

pub(super) fn scale(v: &[(usize, u8)], k: u8) -> impl Iterator<Item = (usize, u8)> + '_ {
    v.iter().map(move |&(p, m)| (p, (m * k).min(2)))
}

/// Structural "can match the empty string".
pub(super) fn nullable(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Literal(_) | NodeKind::Any | NodeKind::Class(_) => false,
        NodeKind::Seq(v) => v.iter().all(nullable),
        NodeKind::Alt(v) => v.iter().any(nullable),
        NodeKind::Repeat { min, body, .. } => *min == 0 || nullable(body),
        NodeKind::Group { body, .. } | NodeKind::Atomic(body) => nullable(body),
        _ => true,
    }
}

pub(super) struct NfaBuilder<'p> {
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
pub(super) fn can_fail(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Seq(v) => v.iter().any(can_fail),
        NodeKind::Alt(v) => v.iter().all(can_fail),
        NodeKind::Repeat { min, body, .. } => *min > 0 && can_fail(body),
        NodeKind::Group { body, .. } | NodeKind::Atomic(body) => can_fail(body),
        _ => true,
    }
}

/// `out[i]`: whether any of `items[i..]` can fail.
pub(super) fn suffix_can_fail(items: &[&Node]) -> Vec<bool> {
    let mut out = vec![false; items.len() + 1];
    for i in (0..items.len()).rev() {
        out[i] = out[i + 1] || can_fail(items[i]);
    }
    out
}

/// CPython's view of a branch item: the elements of a sequence with plain
/// non-capturing groups spliced in (`_parse` unpacks them).
pub(super) fn splice<'n>(n: &'n Node, out: &mut Vec<&'n Node>) {
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
pub(super) fn py_item_eq(a: &Node, b: &Node) -> bool {
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
        let mut frags = Vec::new();
        for (i, it) in items.iter().enumerate() {
            if self.too_big {
                return Frag::empty();
            }
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

pub(super) fn union_frags(frags: Vec<Frag>) -> Frag {
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
pub(super) fn eda_witness(
    b: &NfaBuilder,
    edges: std::ops::Range<usize>,
    work: &mut usize,
) -> Option<(usize, usize, u8)> {
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
pub(super) fn find_exponential(b: &NfaBuilder, src: &[char]) -> Option<Risk> {
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

pub(super) fn branches_differ(a: &[(usize, usize)], b: &[(usize, usize)]) -> bool {
    a.iter().any(|&(id, i)| b.iter().any(|&(id2, j)| id == id2 && i != j))
}

/// Iterative Tarjan: component index for every node.
pub(super) fn tarjan(succ: &[Vec<(usize, bool)>]) -> Vec<usize> {
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

//! CPython 3.11 `re` compatibility for `omero.web.public.url_filter`.
//!
//! OMERO.web runs `re.compile` on the filter at start-up and calls
//! `.search(request.path)` on every public request, so this module offers:
//!
//! 1. [`check`]: accept or reject a pattern exactly as CPython 3.11's
//!    `re._parser` / `re._compiler` do, with the same message and position
//!    ([`ReError`]). On success it returns a [`Pattern`] (a small AST).
//! 2. [`Program`]: `re.search` run as CPython's backtracking engine runs it,
//!    within a [`Budget`] of steps; when the budget runs out the answer is
//!    unknown ([`Exhausted`]).
//! 3. [`backtracking_risk`]: flags patterns on which CPython's backtracking
//!    engine can take exponential time, with an explanation and a span.
//!
//! Positions are character (code point) indices, as Python reports them.
//! Things that cannot be modelled exactly are listed on the items concerned
//! (`\N{...}` names, the recursion limit, Unicode table versions).
//!
//! Files follow that list: `parse` and `check` (1), `search` (2), `risk`
//! (3), and `names` for the `\N{...}` table the parser consults.

use super::int::{parse_int, repr_str};
use super::tables::{decimal_value, is_space};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

mod check;
mod names;
mod parse;
mod risk;
mod search;

pub use check::check;
pub use risk::{backtracking_risk, Risk, RiskKind};
pub use search::{Budget, CompileError, Exhausted, Program};

use check::with_stack;
use names::*;
use parse::*;

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
        /// Capture group number, if capturing (its name, if any, is in
        /// [`Pattern::group_names`]).
        index: Option<u32>,
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
    pub items: Box<[ClassItem]>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const VALIDITY: &str = include_str!("../../../tests/fixtures/python/re_cases.json");
    const MATCHES: &str = include_str!("../../../tests/fixtures/python/re_match_cases.json");
    const RANDOM_MATCHES: &str = include_str!("../../../tests/fixtures/python/re_random_match_cases.json");
    const RISKS: &str = include_str!("../../../tests/fixtures/python/re_risk_cases.json");

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
        let all = cases(MATCHES).into_iter().chain(cases(RANDOM_MATCHES));
        for c in all {
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
            let mut budget = Budget::new(10_000_000);
            let got = Program::compile(&p, &mut budget)
                .map_err(|e| format!("{e:?}"))
                .and_then(|prog| prog.search(subject, &mut budget).map_err(|e| format!("{e:?}")));
            match got {
                Ok(got) if got == want => {}
                other => failures.push(format!("{pat:?} on {subject:?}: python {want:?}, we {other:?}")),
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
    fn unresolved_names_are_reported_not_run() {
        let p = check(r"x\N{EM DASH}").expect("well-formed name is accepted");
        assert_eq!(p.unresolved_names().len(), 1);
        assert_eq!(p.unresolved_names()[0].0, "EM DASH");
        let mut budget = Budget::new(1_000);
        assert_eq!(
            Program::compile(&p, &mut budget).err(),
            Some(CompileError::UnresolvedName("EM DASH".into()))
        );
        let p = check(r"\N{CJK UNIFIED IDEOGRAPH-4E00}\N{HANGUL SYLLABLE GAG}").expect("valid");
        assert!(p.unresolved_names().is_empty());
        let program = Program::compile(&p, &mut budget).expect("compiles");
        assert_eq!(program.search("\u{4E00}\u{AC01}", &mut budget), Ok(Some((0, 2))));
        assert!(check(r"\N{cjk unified ideograph-4e00}").is_err());
    }

    #[test]
    fn huge_and_deep_inputs_do_not_panic() {
        fn run(p: &Pattern, subject: &str) {
            let mut budget = Budget::new(1_000_000);
            let program = Program::compile(p, &mut budget).expect("compiles");
            assert!(program.search(subject, &mut budget).is_ok_and(|m| m.is_some()));
        }
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
                run(&p, "aaa");
                let conds = format!("(a){}{}", "(?(1)".repeat(982), ")".repeat(982));
                let p = check(&conds).expect("982 conditionals compile");
                let _ = backtracking_risk(&p);
                run(&p, "a");
                let long = "a|".repeat(50_000);
                let p = check(&long).expect("long alternation");
                let _ = backtracking_risk(&p);
                let too_long = Program::compile(&p, &mut Budget::new(1_000_000));
                assert_eq!(
                    too_long.err(),
                    Some(CompileError::Exhausted),
                    "over 100 000 instructions"
                );
                let many = "(a*)*".repeat(2_000);
                let p = check(&many).expect("many groups");
                let _ = backtracking_risk(&p);
                run(&p, "a");
            })
            .expect("thread");
        assert!(handle.join().is_ok());
    }
}

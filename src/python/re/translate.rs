//! Translation to fancy-regex with Python `re.search` semantics on a `str`.

use super::*;

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
pub(super) const UNI_WORD: &str = r"\p{L}\p{N}_";
pub(super) const ASCII_WORD: &str = "0-9A-Za-z_";
/// Python's `\s` for str patterns (`str.isspace()`), and its ASCII form.
pub(super) const UNI_SPACE: &str =
    r"\t-\r\u{1C}-\u{20}\u{85}\u{A0}\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}";
pub(super) const ASCII_SPACE: &str = r"\t-\r\u{20}";
pub(super) const ANY_CHAR: &str = r"[\u{0}-\u{10FFFF}]";

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

pub(super) fn hex_char(v: u32, out: &mut String) {
    if let Some(c) = char::from_u32(v).filter(char::is_ascii_alphanumeric) {
        out.push(c);
    } else {
        out.push_str(&format!("\\u{{{v:X}}}"));
    }
}

/// Push `lo-hi` without surrogates (which no Rust `str` contains).
pub(super) fn push_range(lo: u32, hi: u32, out: &mut String) -> bool {
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

pub(super) fn digit_ranges(ascii: bool, out: &mut String) {
    if ascii {
        out.push_str("0-9");
        return;
    }
    for &z in DECIMAL_ZEROS {
        push_range(z, z + 9, out);
    }
}

/// Members of a category, for use inside `[...]`.
pub(super) fn push_category(cat: Category, ascii: bool, out: &mut String) {
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
pub(super) fn ascii_case_extra(lo: u32, hi: u32, out: &mut String) {
    for (a, b, delta) in [(0x41u32, 0x5Au32, 32i64), (0x61, 0x7A, -32)] {
        let (x, y) = (lo.max(a), hi.min(b));
        if x <= y {
            push_range((i64::from(x) + delta) as u32, (i64::from(y) + delta) as u32, out);
        }
    }
}

pub(super) fn is_cased_ascii_letter(v: u32) -> bool {
    char::from_u32(v).is_some_and(|c| c.is_ascii_alphabetic())
}

/// `I`, `i`, `İ`, `ı`: CPython's `lower()` plus `_casefix` join all four
/// under IGNORECASE, Unicode simple case folding does not.
pub(super) const DOTTED_I: [u32; 4] = [0x49, 0x69, 0x130, 0x131];

pub(super) fn touches_dotted_i(lo: u32, hi: u32) -> bool {
    DOTTED_I.iter().any(|&c| (lo..=hi).contains(&c))
}

pub(super) fn emit_class(class: &Class, flags: Flags, out: &mut String) {
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

pub(super) fn word_class(flags: Flags) -> String {
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
pub(super) fn is_atom(n: &Node) -> bool {
    matches!(
        n.kind,
        NodeKind::Literal(_) | NodeKind::Any | NodeKind::Class(_) | NodeKind::Backref(_) | NodeKind::Atomic(_)
    ) || matches!(n.kind, NodeKind::Group { index: Some(_), .. })
}

pub(super) fn emit(node: &Node, flags: Flags, gw: &[Option<Width>], out: &mut String) -> Result<(), TranslateError> {
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

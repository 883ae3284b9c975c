//! [`check`]: the parse plus the checks `re._parser` and `re._compiler` run after it.

use super::*;

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
pub(super) const INLINE_DEPTH: usize = 24;
pub(super) const BIG_STACK: usize = 128 << 20;

/// Upper bound of the nesting depth: `(` not escaped (sets are not skipped,
/// which only over-estimates).
pub(super) fn nesting_bound(pattern: &str) -> usize {
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
pub(super) fn with_stack<T: Send>(depth: usize, f: impl FnOnce() -> T + Send) -> Option<T> {
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

pub(super) fn check_inner(pattern: &str, depth: usize) -> Result<Pattern, ReError> {
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

pub(super) fn compile_checks(node: &Node, flags: Flags, gw: &[Option<Width>], chars: &[char]) -> PResult<()> {
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

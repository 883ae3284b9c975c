//! `re.search` on a `str`, run the way CPython 3.11's `_sre` runs it, within
//! a budget of steps.
//!
//! OMERO.web tests the public URL filter with CPython's backtracking engine.
//! [`Program`] is a backtracking matcher over the [`Pattern`] that follows
//! `_sre`'s rules where they decide the answer: the leftmost match with
//! alternatives tried in order, greedy and lazy repeats with `_sre`'s
//! zero-width protection (`MAX_UNTIL`, `MIN_UNTIL`), possessive repeats and
//! atomic groups, look-arounds, back-references and conditionals. Its work
//! grows as CPython's does, so every step is charged to a [`Budget`]: when the
//! budget runs out the answer is unknown ([`Exhausted`]), never guessed. It
//! never recurses on the subject, and keeps at most one backtracking entry
//! per step taken.
//!
//! Characters follow CPython's Unicode `str` rules: `\d \s \w \b` with
//! Python's tables, the ASCII flag, and IGNORECASE by Unicode simple case
//! folding (plus `I i İ ı`, which `_sre`'s `lower()` and `_casefix` join);
//! back-references under IGNORECASE compare `lower()`ed characters, as
//! `GROUPREF_UNI_IGNORE` and `GROUPREF_IGNORE` do.

use super::*;
use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};

/// Steps of matching work allowed, shared by every search of one
/// evaluation: a step is one instruction, one character compared, or one
/// backtracking entry taken back.
#[derive(Clone, Debug)]
pub struct Budget {
    left: u64,
}

impl Budget {
    /// A budget of `steps`.
    pub fn new(steps: u64) -> Self {
        Budget { left: steps }
    }

    fn charge(&mut self, steps: u64) -> Result<(), Exhausted> {
        match self.left.checked_sub(steps) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => {
                self.left = 0;
                Err(Exhausted)
            }
        }
    }
}

/// The [`Budget`] ran out: the answer is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exhausted;

/// Why a [`Pattern`] has no [`Program`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// The budget ran out while compiling, or the program would be longer
    /// than 100 000 instructions (a very long pattern).
    Exhausted,
    /// A `\N{...}` name this module cannot resolve: what it matches is unknown.
    UnresolvedName(String),
}

impl From<Exhausted> for CompileError {
    fn from(_: Exhausted) -> Self {
        CompileError::Exhausted
    }
}

/// The most instructions a [`Program`] may have: it is kept for every
/// search, beside the pattern's tree. About one per pattern character, and
/// 500 times what the longest real-world filter needs.
const MAX_INSTRUCTIONS: usize = 100_000;

/// "No position" for slots, and "no iteration yet" for repeat counters.
const NONE: u32 = u32::MAX;
/// An unbounded repeat's maximum.
const UNBOUNDED: u32 = u32::MAX;

/// One character test.
#[derive(Clone, Copy, Debug)]
enum Atom {
    Char(u32),
    /// Index into [`Program::sets`].
    Set(u32),
    /// `.` without DOTALL.
    NotNewline,
    /// `.` with DOTALL.
    Any,
}

/// `_sre`'s `AT` codes for a `str` pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    Beginning,
    BeginningLine,
    /// `$`: the end, or before a final `\n`.
    End,
    EndLine,
    EndString,
    Boundary {
        ascii: bool,
    },
    NotBoundary {
        ascii: bool,
    },
}

/// How a back-reference compares characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fold {
    Exact,
    Ascii,
    Unicode,
}

#[derive(Clone, Copy, Debug)]
enum Inst {
    One(Atom),
    Assert(At),
    /// Go on at the next instruction; on failure, at the target.
    Split(u32),
    Jump(u32),
    /// Record the position in a capture slot.
    Save(u32),
    /// A repeat of one character (`REPEAT_ONE`, `MIN_REPEAT_ONE`).
    RepeatOne {
        atom: Atom,
        min: u32,
        max: u32,
        lazy: bool,
    },
    /// `REPEAT`: a fresh counter for the repeat (its `Until` follows or is
    /// jumped to).
    RepeatInit(u32),
    /// `MAX_UNTIL` / `MIN_UNTIL`; the body starts at the next instruction.
    Until {
        rep: u32,
        min: u32,
        max: u32,
        lazy: bool,
        exit: u32,
    },
    /// The second half of `MIN_UNTIL`, just before its `Until`: one more
    /// iteration once the tail failed.
    LazyMore {
        rep: u32,
        max: u32,
    },
    AtomicStart,
    AtomicEnd,
    /// `ASSERT` / `ASSERT_NOT`, `back` characters behind; `end` follows the `LookEnd`.
    LookStart {
        negative: bool,
        back: u32,
        end: u32,
    },
    LookEnd {
        negative: bool,
    },
    Backref {
        group: u32,
        fold: Fold,
    },
    /// `GROUPREF_EXISTS`: on to the next instruction if the group matched, else to `no`.
    Exists {
        group: u32,
        no: u32,
    },
    Match,
}

/// A character set, with IGNORECASE already applied to its ranges.
#[derive(Clone, Debug)]
struct CharSet {
    negated: bool,
    /// Sorted, disjoint, inclusive.
    ranges: Box<[(u32, u32)]>,
    cats: Box<[Category]>,
    ascii: bool,
}

impl CharSet {
    fn contains(&self, c: char) -> bool {
        let v = c as u32;
        let i = self.ranges.partition_point(|&(_, hi)| hi < v);
        let hit = self.ranges.get(i).is_some_and(|&(lo, _)| lo <= v)
            || self.cats.iter().any(|&cat| in_category(cat, c, self.ascii));
        hit != self.negated
    }
}

/// A compiled pattern, ready for [`Program::search`].
#[derive(Clone, Debug)]
pub struct Program {
    insts: Vec<Inst>,
    sets: Vec<CharSet>,
    /// Capture slots: two per group, group 0 included.
    slots: usize,
    reps: usize,
    /// Starts with `^` or `\A`: only position 0 can match (as `_sre` knows).
    anchored: bool,
}

impl Program {
    /// Compile `pattern`, charging `budget` one step per instruction and per
    /// set range; a program of more than 100 000 instructions exhausts it too.
    pub fn compile(pattern: &Pattern, budget: &mut Budget) -> Result<Program, CompileError> {
        if let Some((name, _)) = pattern.unresolved_names.first() {
            return Err(CompileError::UnresolvedName(name.clone()));
        }
        let mut c = Compiler {
            insts: Vec::new(),
            sets: Vec::new(),
            reps: 0,
            groupwidths: &pattern.groupwidths,
            budget,
        };
        with_stack(pattern.depth, || -> Result<(), CompileError> {
            c.node(&pattern.root, pattern.flags)?;
            c.push(Inst::Match)?;
            Ok(())
        })
        .unwrap_or(Err(CompileError::Exhausted))?;
        let anchored = c
            .insts
            .iter()
            .find(|i| !matches!(i, Inst::Save(_)))
            .is_some_and(|i| matches!(i, Inst::Assert(At::Beginning)));
        Ok(Program {
            slots: 2 * (pattern.groups as usize + 1),
            reps: c.reps as usize,
            insts: c.insts,
            sets: c.sets,
            anchored,
        })
    }

    /// `re.search(pattern, subject)`: the span of the match in characters.
    pub fn search(&self, subject: &str, budget: &mut Budget) -> Result<Option<(usize, usize)>, Exhausted> {
        let text: Vec<char> = subject.chars().collect();
        // Positions are kept as u32, NONE excluded.
        if text.len() >= NONE as usize {
            return Err(Exhausted);
        }
        // Setting up the captures and counters is work too.
        budget.charge((self.slots + self.reps) as u64)?;
        let mut vm = Vm {
            prog: self,
            text: &text,
            slots: vec![NONE; self.slots],
            reps: vec![(NONE, NONE); self.reps],
            stack: Vec::new(),
            budget,
        };
        let last_start = if self.anchored { 0 } else { text.len() };
        for start in 0..=last_start {
            vm.budget.charge(1)?;
            if let Some(end) = vm.run(start as u32)? {
                return Ok(Some((start, end as usize)));
            }
        }
        Ok(None)
    }
}

struct Compiler<'a> {
    insts: Vec<Inst>,
    sets: Vec<CharSet>,
    reps: u32,
    groupwidths: &'a [Option<Width>],
    budget: &'a mut Budget,
}

impl Compiler<'_> {
    fn push(&mut self, inst: Inst) -> Result<u32, Exhausted> {
        if self.insts.len() >= MAX_INSTRUCTIONS {
            return Err(Exhausted);
        }
        self.budget.charge(1)?;
        let pc = self.pc();
        self.insts.push(inst);
        Ok(pc)
    }

    fn pc(&self) -> u32 {
        // MAX_INSTRUCTIONS fits in u32.
        self.insts.len() as u32
    }

    /// Point the jump-like instruction at `at` to `target`.
    fn patch(&mut self, at: u32, target: u32) {
        match self.insts.get_mut(at as usize) {
            Some(Inst::Split(t) | Inst::Jump(t)) => *t = target,
            Some(Inst::Until { exit, .. }) => *exit = target,
            Some(Inst::LookStart { end, .. }) => *end = target,
            Some(Inst::Exists { no, .. }) => *no = target,
            _ => {}
        }
    }

    fn set(&mut self, set: CharSet) -> Result<Atom, Exhausted> {
        self.budget.charge(set.ranges.len() as u64 + 1)?;
        self.sets.push(set);
        Ok(Atom::Set((self.sets.len() - 1) as u32))
    }

    /// The single-character test a node is, if it is one (`_simple` bodies).
    fn atom(&mut self, node: &Node, flags: Flags) -> Result<Option<Atom>, Exhausted> {
        Ok(Some(match &node.kind {
            NodeKind::Literal(v) => self.literal(*v, flags)?,
            NodeKind::Any if flags.contains(Flags::DOTALL) => Atom::Any,
            NodeKind::Any => Atom::NotNewline,
            NodeKind::Class(class) => {
                let set = class_set(class, flags);
                self.set(set)?
            }
            NodeKind::Seq(items) if items.len() == 1 => return self.atom(&items[0], flags),
            NodeKind::Group {
                index: None,
                add,
                del,
                body,
            } => return self.atom(body, flags.combine(*add, *del)),
            _ => return Ok(None),
        }))
    }

    fn literal(&mut self, v: u32, flags: Flags) -> Result<Atom, Exhausted> {
        if !flags.contains(Flags::IGNORECASE) {
            return Ok(Atom::Char(v));
        }
        let ascii = flags.contains(Flags::ASCII);
        let ranges = folded(&[(v, v)], ascii);
        if ranges.len() == 1 && ranges[0] == (v, v) {
            return Ok(Atom::Char(v));
        }
        self.set(CharSet {
            negated: false,
            ranges,
            cats: Box::new([]),
            ascii,
        })
    }

    fn node(&mut self, node: &Node, flags: Flags) -> Result<(), CompileError> {
        match &node.kind {
            NodeKind::Literal(_) | NodeKind::Any | NodeKind::Class(_) => {
                if let Some(atom) = self.atom(node, flags)? {
                    self.push(Inst::One(atom))?;
                }
            }
            NodeKind::Assert(a) => {
                let multiline = flags.contains(Flags::MULTILINE);
                let ascii = flags.contains(Flags::ASCII);
                let at = match a {
                    Assertion::Start if multiline => At::BeginningLine,
                    Assertion::Start | Assertion::StartText => At::Beginning,
                    Assertion::End if multiline => At::EndLine,
                    Assertion::End => At::End,
                    Assertion::EndText => At::EndString,
                    Assertion::WordBoundary => At::Boundary { ascii },
                    Assertion::NotWordBoundary => At::NotBoundary { ascii },
                };
                self.push(Inst::Assert(at))?;
            }
            NodeKind::Seq(items) => {
                for it in items {
                    self.node(it, flags)?;
                }
            }
            NodeKind::Alt(items) => {
                let mut jumps = Vec::new();
                for (i, it) in items.iter().enumerate() {
                    let split = (i + 1 < items.len()).then(|| self.push(Inst::Split(0))).transpose()?;
                    self.node(it, flags)?;
                    if let Some(split) = split {
                        jumps.push(self.push(Inst::Jump(0))?);
                        let next = self.pc();
                        self.patch(split, next);
                    }
                }
                let end = self.pc();
                for j in jumps {
                    self.patch(j, end);
                }
            }
            NodeKind::Group {
                index, add, del, body, ..
            } => {
                let inner = flags.combine(*add, *del);
                match index {
                    Some(g) => {
                        self.push(Inst::Save(2 * g))?;
                        self.node(body, inner)?;
                        self.push(Inst::Save(2 * g + 1))?;
                    }
                    None => self.node(body, inner)?,
                }
            }
            NodeKind::Atomic(body) => {
                self.push(Inst::AtomicStart)?;
                self.node(body, flags)?;
                self.push(Inst::AtomicEnd)?;
            }
            NodeKind::Look { behind, negative, body } => {
                // `check` refused look-behinds that are not of one width below MAXCODE.
                let back = if *behind {
                    u32::try_from(node_width(body, self.groupwidths).0).unwrap_or(NONE)
                } else {
                    0
                };
                let start = self.push(Inst::LookStart {
                    negative: *negative,
                    back,
                    end: 0,
                })?;
                self.node(body, flags)?;
                self.push(Inst::LookEnd { negative: *negative })?;
                let end = self.pc();
                self.patch(start, end);
            }
            NodeKind::Repeat { min, max, mode, body } => {
                self.repeat(*min, max.unwrap_or(UNBOUNDED), *mode, body, flags)?
            }
            NodeKind::Backref(group) => {
                let fold = match (flags.contains(Flags::IGNORECASE), flags.contains(Flags::ASCII)) {
                    (false, _) => Fold::Exact,
                    (true, true) => Fold::Ascii,
                    (true, false) => Fold::Unicode,
                };
                self.push(Inst::Backref { group: *group, fold })?;
            }
            NodeKind::Cond { group, yes, no } => {
                let test = self.push(Inst::Exists { group: *group, no: 0 })?;
                self.node(yes, flags)?;
                let jump = self.push(Inst::Jump(0))?;
                let no_start = self.pc();
                self.patch(test, no_start);
                if let Some(no) = no {
                    self.node(no, flags)?;
                }
                let end = self.pc();
                self.patch(jump, end);
            }
        }
        Ok(())
    }

    fn repeat(&mut self, min: u32, max: u32, mode: RepeatMode, body: &Node, flags: Flags) -> Result<(), CompileError> {
        // `POSSESSIVE_REPEAT` runs each iteration atomically and never gives one back.
        let possessive = mode == RepeatMode::Possessive;
        if possessive {
            self.push(Inst::AtomicStart)?;
        }
        if let Some(atom) = self.atom(body, flags)? {
            self.push(Inst::RepeatOne {
                atom,
                min,
                max,
                lazy: mode == RepeatMode::Lazy,
            })?;
        } else {
            let rep = self.reps;
            self.reps += 1;
            self.push(Inst::RepeatInit(rep))?;
            let lazy = mode == RepeatMode::Lazy;
            if lazy {
                let skip = self.push(Inst::Jump(0))?;
                self.push(Inst::LazyMore { rep, max })?;
                let until = self.pc();
                self.patch(skip, until);
            }
            let until = self.push(Inst::Until {
                rep,
                min,
                max,
                lazy,
                exit: 0,
            })?;
            if possessive {
                self.push(Inst::AtomicStart)?;
            }
            self.node(body, flags)?;
            if possessive {
                self.push(Inst::AtomicEnd)?;
            }
            self.push(Inst::Jump(until))?;
            let exit = self.pc();
            self.patch(until, exit);
        }
        if possessive {
            self.push(Inst::AtomicEnd)?;
        }
        Ok(())
    }
}

/// The set a `[...]` (or a category escape) stands for under `flags`.
fn class_set(class: &Class, flags: Flags) -> CharSet {
    let ascii = flags.contains(Flags::ASCII);
    let mut ranges = Vec::new();
    let mut cats = Vec::new();
    for item in class.items.iter() {
        match *item {
            ClassItem::Range(lo, hi) => ranges.push((lo, hi)),
            ClassItem::Cat(cat) => cats.push(cat),
        }
    }
    // Categories are tested on `lower(ch)`, which keeps them unchanged:
    // IGNORECASE applies to the ranges only.
    let ranges = if flags.contains(Flags::IGNORECASE) {
        folded(&ranges, ascii)
    } else {
        normalized(ranges)
    };
    CharSet {
        negated: class.negated,
        ranges,
        cats: cats.into_boxed_slice(),
        ascii,
    }
}

/// `I`, `i`, `İ`, `ı`: CPython's `lower()` plus `_casefix` join all four
/// under IGNORECASE; Unicode simple case folding does not.
const DOTTED_I: [u32; 4] = [0x49, 0x69, 0x130, 0x131];

/// `ranges` with every character IGNORECASE makes equal to one in them:
/// ASCII letters only under the ASCII flag, else Unicode simple case folding.
fn folded(ranges: &[(u32, u32)], ascii: bool) -> Box<[(u32, u32)]> {
    let mut out: Vec<(u32, u32)> = ranges.to_vec();
    if ascii {
        for &(lo, hi) in ranges {
            for (a, b, other) in [(0x41u32, 0x5Au32, 0x61u32), (0x61, 0x7A, 0x41)] {
                let (x, y) = (lo.max(a), hi.min(b));
                if x <= y {
                    out.push((x - a + other, y - a + other));
                }
            }
        }
        return normalized(out);
    }
    if ranges
        .iter()
        .any(|&(lo, hi)| DOTTED_I.iter().any(|c| (lo..=hi).contains(c)))
    {
        out.extend(DOTTED_I.iter().map(|&c| (c, c)));
    }
    let mut class = ClassUnicode::new(out.iter().flat_map(|&(lo, hi)| char_ranges(lo, hi)));
    // Fails only without regex-syntax's `unicode-case` feature, which its
    // default features (and fancy-regex's) turn on.
    if class.try_case_fold_simple().is_err() {
        return normalized(out);
    }
    let mut folded: Vec<(u32, u32)> = class
        .ranges()
        .iter()
        .map(|r| (r.start() as u32, r.end() as u32))
        .collect();
    // Surrogates are no `char`: keep them (they can match no subject anyway).
    folded.extend(out.iter().filter_map(|&(lo, hi)| {
        let (a, b) = (lo.max(0xD800), hi.min(0xDFFF));
        (a <= b).then_some((a, b))
    }));
    normalized(folded)
}

/// The `char` ranges of `lo..=hi` (surrogates left out).
fn char_ranges(lo: u32, hi: u32) -> impl Iterator<Item = ClassUnicodeRange> {
    [(lo, hi.min(0xD7FF)), (lo.max(0xE000), hi)]
        .into_iter()
        .filter(|(a, b)| a <= b)
        .filter_map(|(a, b)| Some(ClassUnicodeRange::new(char::from_u32(a)?, char::from_u32(b)?)))
}

/// Sorted, merged ranges.
fn normalized(mut ranges: Vec<(u32, u32)>) -> Box<[(u32, u32)]> {
    ranges.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out.into_boxed_slice()
}

/// Python's Unicode `\w` for `str`: `str.isalnum()` or `_`, which is exactly
/// letters (L*) and numbers (N*) in Unicode 14.0 (the regex crate's tables
/// are newer).
fn is_unicode_word(c: char) -> bool {
    static WORD: OnceLock<Box<[(u32, u32)]>> = OnceLock::new();
    let ranges = WORD.get_or_init(|| {
        let class = regex_syntax::ParserBuilder::new()
            .build()
            .parse(r"[\p{L}\p{N}_]")
            .ok()
            .and_then(|hir| match hir.into_kind() {
                regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(c)) => Some(c),
                _ => None,
            });
        class
            .map(|c| c.ranges().iter().map(|r| (r.start() as u32, r.end() as u32)).collect())
            .unwrap_or_default()
    });
    let v = c as u32;
    let i = ranges.partition_point(|&(_, hi)| hi < v);
    ranges.get(i).is_some_and(|&(lo, _)| lo <= v)
}

fn is_word(c: char, ascii: bool) -> bool {
    if ascii || c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        is_unicode_word(c)
    }
}

fn in_category(cat: Category, c: char, ascii: bool) -> bool {
    match cat {
        Category::Digit => is_digit(c, ascii),
        Category::NotDigit => !is_digit(c, ascii),
        Category::Space => is_category_space(c, ascii),
        Category::NotSpace => !is_category_space(c, ascii),
        Category::Word => is_word(c, ascii),
        Category::NotWord => !is_word(c, ascii),
    }
}

fn is_digit(c: char, ascii: bool) -> bool {
    if ascii {
        c.is_ascii_digit()
    } else {
        decimal_value(c).is_some()
    }
}

fn is_category_space(c: char, ascii: bool) -> bool {
    if ascii {
        matches!(c, '\t'..='\r' | ' ')
    } else {
        is_space(c)
    }
}

/// `sre_lower_unicode`: the simple lowercase mapping (the first character
/// of the full one, which differs only for `İ`, whose simple lowercase is `i`).
fn lower_unicode(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// A backtracking entry.
#[derive(Clone, Copy, Debug)]
enum Entry {
    /// Resume here.
    Branch { pc: u32, pos: u32 },
    /// Undo a capture.
    Slot { slot: u32, old: u32 },
    /// Undo a repeat counter.
    Rep { rep: u32, count: u32, last: u32 },
    /// A `RepeatOne` at `pc` that can give back (greedy) or take (lazy) one more.
    One { pc: u32, start: u32, count: u32 },
    /// Start of an atomic group or look-around; `pc` and `pos` are where a
    /// negative look-around goes on once its body failed.
    Barrier { negative: bool, pc: u32, pos: u32 },
}

struct Vm<'a> {
    prog: &'a Program,
    text: &'a [char],
    slots: Vec<u32>,
    /// Per repeat: iterations done (`NONE` before the first) and where the
    /// last optional iteration started (`_sre`'s `last_ptr`).
    reps: Vec<(u32, u32)>,
    stack: Vec<Entry>,
    budget: &'a mut Budget,
}

impl Vm<'_> {
    fn matches(&self, atom: Atom, pos: u32) -> bool {
        let Some(&c) = self.text.get(pos as usize) else {
            return false;
        };
        match atom {
            Atom::Char(v) => c as u32 == v,
            Atom::Set(i) => self.prog.sets.get(i as usize).is_some_and(|s| s.contains(c)),
            Atom::NotNewline => c != '\n',
            Atom::Any => true,
        }
    }

    fn at(&self, at: At, pos: u32) -> bool {
        let pos = pos as usize;
        let len = self.text.len();
        let before = pos.checked_sub(1).and_then(|p| self.text.get(p)).copied();
        let here = self.text.get(pos).copied();
        let word_edge = |ascii: bool| {
            (
                before.is_some_and(|c| is_word(c, ascii)),
                here.is_some_and(|c| is_word(c, ascii)),
            )
        };
        match at {
            At::Beginning => pos == 0,
            At::BeginningLine => pos == 0 || before == Some('\n'),
            At::End => pos == len || (pos + 1 == len && here == Some('\n')),
            At::EndLine => pos == len || here == Some('\n'),
            At::EndString => pos == len,
            // CPython 3.11: neither `\b` nor `\B` matches in an empty string.
            At::Boundary { ascii } => {
                len > 0 && {
                    let (a, b) = word_edge(ascii);
                    a != b
                }
            }
            At::NotBoundary { ascii } => {
                len > 0 && {
                    let (a, b) = word_edge(ascii);
                    a == b
                }
            }
        }
    }

    fn set_slot(&mut self, slot: u32, pos: u32) {
        if let Some(s) = self.slots.get_mut(slot as usize) {
            self.stack.push(Entry::Slot { slot, old: *s });
            *s = pos;
        }
    }

    fn set_rep(&mut self, rep: u32, value: (u32, u32)) {
        if let Some(r) = self.reps.get_mut(rep as usize) {
            let (count, last) = *r;
            self.stack.push(Entry::Rep { rep, count, last });
            *r = value;
        }
    }

    fn undo(&mut self, entry: Entry) {
        match entry {
            Entry::Slot { slot, old } => {
                if let Some(s) = self.slots.get_mut(slot as usize) {
                    *s = old;
                }
            }
            Entry::Rep { rep, count, last } => {
                if let Some(r) = self.reps.get_mut(rep as usize) {
                    *r = (count, last);
                }
            }
            _ => {}
        }
    }

    /// The span group `group` matched, if it did.
    fn group(&self, group: u32) -> Option<(u32, u32)> {
        let start = *self.slots.get(2 * group as usize)?;
        let end = *self.slots.get(2 * group as usize + 1)?;
        (start != NONE && end != NONE && end >= start).then_some((start, end))
    }

    /// An atomic group or positive look-around succeeded: drop the ways back
    /// into it, keep the undo entries. Returns the position it started at.
    fn cut(&mut self) -> Result<u32, Exhausted> {
        let Some(barrier) = self.stack.iter().rposition(|e| matches!(e, Entry::Barrier { .. })) else {
            return Ok(0);
        };
        self.budget.charge((self.stack.len() - barrier) as u64)?;
        let pos = match self.stack[barrier] {
            Entry::Barrier { pos, .. } => pos,
            _ => 0,
        };
        let mut kept = barrier;
        for i in barrier + 1..self.stack.len() {
            let entry = self.stack[i];
            if matches!(entry, Entry::Slot { .. } | Entry::Rep { .. }) {
                self.stack[kept] = entry;
                kept += 1;
            }
        }
        self.stack.truncate(kept);
        Ok(pos)
    }

    /// A negative look-around's body matched: undo it, drop its barrier.
    fn unwind_to_barrier(&mut self) -> Result<(), Exhausted> {
        while let Some(entry) = self.stack.pop() {
            self.budget.charge(1)?;
            if matches!(entry, Entry::Barrier { .. }) {
                break;
            }
            self.undo(entry);
        }
        Ok(())
    }

    /// Backtrack: the next `(pc, pos)` to try, or `None` when every way failed.
    fn backtrack(&mut self) -> Result<Option<(u32, u32)>, Exhausted> {
        while let Some(entry) = self.stack.pop() {
            self.budget.charge(1)?;
            match entry {
                Entry::Branch { pc, pos } => return Ok(Some((pc, pos))),
                Entry::Slot { .. } | Entry::Rep { .. } => self.undo(entry),
                Entry::One { pc, start, count } => {
                    let Some(&Inst::RepeatOne { atom, min, max, lazy }) = self.prog.insts.get(pc as usize) else {
                        continue;
                    };
                    let count = if lazy {
                        if count >= max || !self.matches(atom, start + count) {
                            continue;
                        }
                        count + 1
                    } else {
                        count - 1
                    };
                    if (lazy && count < max) || (!lazy && count > min) {
                        self.stack.push(Entry::One { pc, start, count });
                    }
                    return Ok(Some((pc + 1, start + count)));
                }
                Entry::Barrier {
                    negative: true,
                    pc,
                    pos,
                } => return Ok(Some((pc, pos))),
                Entry::Barrier { .. } => {}
            }
        }
        Ok(None)
    }

    /// One match attempt at `start`: the end of the match, if any. A failed
    /// attempt has undone every capture and counter it set.
    fn run(&mut self, start: u32) -> Result<Option<u32>, Exhausted> {
        let (mut pc, mut pos) = (0u32, start);
        loop {
            self.budget.charge(1)?;
            let Some(&inst) = self.prog.insts.get(pc as usize) else {
                return Ok(None);
            };
            let ok = match inst {
                Inst::Match => return Ok(Some(pos)),
                Inst::One(atom) => {
                    let ok = self.matches(atom, pos);
                    pos += u32::from(ok);
                    pc += 1;
                    ok
                }
                Inst::Assert(at) => {
                    pc += 1;
                    self.at(at, pos)
                }
                Inst::Split(alt) => {
                    self.stack.push(Entry::Branch { pc: alt, pos });
                    pc += 1;
                    true
                }
                Inst::Jump(target) => {
                    pc = target;
                    true
                }
                Inst::Save(slot) => {
                    self.set_slot(slot, pos);
                    pc += 1;
                    true
                }
                Inst::RepeatOne { atom, min, max, lazy } => {
                    let want = if lazy { min } else { max };
                    let mut count = 0u32;
                    while count < want && self.matches(atom, pos + count) {
                        self.budget.charge(1)?;
                        count += 1;
                    }
                    let ok = count >= min;
                    if ok && ((lazy && count < max) || (!lazy && count > min)) {
                        self.stack.push(Entry::One { pc, start: pos, count });
                    }
                    pos += count;
                    pc += 1;
                    ok
                }
                Inst::RepeatInit(rep) => {
                    self.set_rep(rep, (NONE, NONE));
                    pc += 1;
                    true
                }
                Inst::Until {
                    rep,
                    min,
                    max,
                    lazy,
                    exit,
                } => {
                    let (done, last) = self.reps.get(rep as usize).copied().unwrap_or((NONE, NONE));
                    let count = done.wrapping_add(1);
                    if count < min {
                        self.set_rep(rep, (count, last));
                        pc += 1;
                    } else if lazy {
                        // Try the tail first; `LazyMore` (just before) iterates once it failed.
                        self.stack.push(Entry::Branch { pc: pc - 1, pos });
                        pc = exit;
                    } else if (max == UNBOUNDED || count < max) && pos != last {
                        self.stack.push(Entry::Branch { pc: exit, pos });
                        self.set_rep(rep, (count, pos));
                        pc += 1;
                    } else {
                        pc = exit;
                    }
                    true
                }
                Inst::LazyMore { rep, max } => {
                    let (done, last) = self.reps.get(rep as usize).copied().unwrap_or((NONE, NONE));
                    let count = done.wrapping_add(1);
                    let ok = (max == UNBOUNDED || count < max) && pos != last;
                    if ok {
                        self.set_rep(rep, (count, pos));
                        // Past the `Until`, into the body.
                        pc += 2;
                    }
                    ok
                }
                Inst::AtomicStart => {
                    self.stack.push(Entry::Barrier {
                        negative: false,
                        pc,
                        pos,
                    });
                    pc += 1;
                    true
                }
                Inst::AtomicEnd => {
                    self.cut()?;
                    pc += 1;
                    true
                }
                Inst::LookStart { negative, back, end } => match pos.checked_sub(back) {
                    Some(from) => {
                        self.stack.push(Entry::Barrier { negative, pc: end, pos });
                        pos = from;
                        pc += 1;
                        true
                    }
                    // Not enough text behind: the body cannot match.
                    None => {
                        pc = end;
                        negative
                    }
                },
                Inst::LookEnd { negative: false } => {
                    pos = self.cut()?;
                    pc += 1;
                    true
                }
                Inst::LookEnd { negative: true } => {
                    self.unwind_to_barrier()?;
                    false
                }
                Inst::Backref { group, fold } => match self.group(group) {
                    None => false,
                    Some((from, to)) => {
                        let len = to - from;
                        self.budget.charge(u64::from(len))?;
                        let ok = (0..len).all(|i| {
                            match (self.text.get((from + i) as usize), self.text.get((pos + i) as usize)) {
                                (Some(&a), Some(&b)) => match fold {
                                    Fold::Exact => a == b,
                                    Fold::Ascii => a.eq_ignore_ascii_case(&b),
                                    Fold::Unicode => lower_unicode(a) == lower_unicode(b),
                                },
                                _ => false,
                            }
                        });
                        pos += len;
                        pc += 1;
                        ok
                    }
                },
                Inst::Exists { group, no } => {
                    pc = if self.group(group).is_some() { pc + 1 } else { no };
                    true
                }
            };
            if !ok {
                match self.backtrack()? {
                    Some((next_pc, next_pos)) => (pc, pos) = (next_pc, next_pos),
                    None => return Ok(None),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(pattern: &str, budget: &mut Budget) -> Program {
        let p = check(pattern).expect("valid");
        Program::compile(&p, budget).expect("compiles")
    }

    #[test]
    fn catastrophic_paths_run_out_of_budget_instead_of_hanging() {
        let mut budget = Budget::new(1_000_000);
        let program = compiled("^/(a+)+$", &mut budget);
        assert_eq!(program.search("/aaaa", &mut budget), Ok(Some((0, 5))));
        let crafted = format!("/{}!", "a".repeat(40));
        assert_eq!(program.search(&crafted, &mut budget), Err(Exhausted));
        // The budget is spent for the whole evaluation.
        assert_eq!(program.search("/aaaa", &mut budget), Err(Exhausted));
    }

    #[test]
    fn work_grows_with_the_subject_as_in_cpython() {
        let long = format!("/{}/webadmin/", "y".repeat(100_000));
        // Anchored: one attempt, whatever the length before the page.
        let mut budget = Budget::new(100);
        let anchored = compiled("^/webclient/", &mut budget);
        assert_eq!(anchored.search(&long, &mut budget), Ok(None));
        // Unanchored: one attempt per position, each cheap.
        let mut budget = Budget::new(1_000_000);
        let unanchored = compiled("/webadmin/", &mut budget);
        assert_eq!(unanchored.search(&long, &mut budget), Ok(Some((100_001, 100_011))));
        // A look-ahead and `.*` cost the rest of the path at every position.
        let mut budget = Budget::new(1_000_000);
        let quadratic = compiled("(?!x).*/nowhere/", &mut budget);
        assert_eq!(quadratic.search(&long, &mut budget), Err(Exhausted));
    }

    #[test]
    fn compiling_is_charged_too() {
        let words: Vec<String> = (0..10_000).map(|i| format!("w{i}")).collect();
        let p = check(&format!("/(?:{})/", words.join("|"))).expect("valid");
        assert_eq!(
            Program::compile(&p, &mut Budget::new(10_000)).err(),
            Some(CompileError::Exhausted)
        );
        let mut budget = Budget::new(1_000_000);
        let program = Program::compile(&p, &mut budget).expect("within budget");
        assert_eq!(program.search("/w9999/", &mut budget), Ok(Some((0, 7))));
    }

    #[test]
    fn possessive_repeats_never_give_an_iteration_back() {
        // `_sre` runs each iteration of `{2}+` atomically: `ab` is never retried as `a`.
        let mut budget = Budget::new(1_000);
        let program = compiled("(?:a|ab){2}+c", &mut budget);
        assert_eq!(program.search("abac", &mut budget), Ok(None));
        assert_eq!(program.search("aac", &mut budget), Ok(Some((0, 3))));
    }

    #[test]
    fn ignorecase_follows_python() {
        let mut budget = Budget::new(10_000);
        let search =
            |pattern: &str, subject: &str, budget: &mut Budget| compiled(pattern, budget).search(subject, budget);
        // Kelvin sign and long s fold to ASCII letters, but not under (?a).
        assert_eq!(search("(?i)k", "\u{212A}", &mut budget), Ok(Some((0, 1))));
        assert_eq!(search("(?ai)k", "\u{212A}", &mut budget), Ok(None));
        assert_eq!(search("(?i)[r-t]", "\u{17F}", &mut budget), Ok(Some((0, 1))));
        // `lower()` joins I, i, İ and ı; back-references compare `lower()`.
        assert_eq!(search("(?i)ı", "I", &mut budget), Ok(Some((0, 1))));
        assert_eq!(search("(?i)(İ)\\1", "İi", &mut budget), Ok(Some((0, 2))));
        assert_eq!(search("(?ai)(k)\\1", "kK", &mut budget), Ok(Some((0, 2))));
        // Categories are not folded: U+0345 is no word character, though it
        // folds to one (ι).
        assert_eq!(search("(?i)[\\W]", "\u{345}", &mut budget), Ok(Some((0, 1))));
    }
}

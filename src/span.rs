//! Byte ranges of a source text and the edits that replace them: the
//! vocabulary shared by readers, findings and fixes. Knows nothing about
//! formats, documents or rules, so every other module can use it.

use std::fmt;
use std::ops::Range;

/// A byte range in a document's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

/// Replace `span` of the source with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// Two edits touch the same bytes.
    Overlap(Span, Span),
    /// An edit lies outside the source or splits a character.
    OutOfBounds(Span),
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::Overlap(a, b) => write!(f, "edits {}..{} and {}..{} overlap", a.start, a.end, b.start, b.end),
            EditError::OutOfBounds(s) => write!(f, "edit {}..{} is not inside the text", s.start, s.end),
        }
    }
}

impl std::error::Error for EditError {}

/// Whether two spans share a byte, or are the same insertion point.
pub fn overlaps(a: Span, b: Span) -> bool {
    a.start < b.end && b.start < a.end || a == b
}

/// Applies non-overlapping edits, in any order, to `source`.
pub fn apply(source: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    for pair in sorted.windows(2) {
        if overlaps(pair[0].span, pair[1].span) {
            return Err(EditError::Overlap(pair[0].span, pair[1].span));
        }
    }
    let mut out = String::with_capacity(source.len());
    let mut last = 0;
    for edit in sorted {
        let Span { start, end } = edit.span;
        if end > source.len() || start > end || !source.is_char_boundary(start) || !source.is_char_boundary(end) {
            return Err(EditError::OutOfBounds(edit.span));
        }
        out.push_str(&source[last..start]);
        out.push_str(&edit.replacement);
        last = end;
    }
    out.push_str(&source[last..]);
    Ok(out)
}

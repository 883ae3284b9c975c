//! Python's text-mode reading: universal newlines and `for line in file`.

use std::borrow::Cow;

/// How a file's lines end: Python's universal newlines for a file opened in
/// text mode, only `\n` where the reader sees raw lines (omero-py's standard input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Newlines {
    Universal,
    Lf,
}

/// Text as Python reads a file opened in text mode: `\r\n` and `\r` become `\n`.
pub fn universal_newlines(text: &str) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A line of a text: `start..end` without its terminator of `terminator` bytes.
pub struct Line {
    pub start: usize,
    pub end: usize,
    pub terminator: usize,
}

/// The lines of a text, as `for line in file` yields them.
pub struct Lines<'a> {
    text: &'a str,
    pos: usize,
    newlines: Newlines,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str, newlines: Newlines) -> Self {
        Lines { text, pos: 0, newlines }
    }
}

impl Iterator for Lines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        let rest = self.text.get(self.pos..).filter(|rest| !rest.is_empty())?;
        let start = self.pos;
        let found = match self.newlines {
            Newlines::Lf => rest.find('\n').map(|i| (i, 1)),
            Newlines::Universal => rest.find(['\n', '\r']).map(|i| {
                let crlf = rest.as_bytes()[i] == b'\r' && rest.as_bytes().get(i + 1) == Some(&b'\n');
                (i, if crlf { 2 } else { 1 })
            }),
        };
        let (len, terminator) = found.unwrap_or((rest.len(), 0));
        self.pos = start + len + terminator;
        Some(Line {
            start,
            end: start + len,
            terminator,
        })
    }
}

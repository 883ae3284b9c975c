//! CPython 3.11's `json.loads(str)` and `json.dumps(value)` (default
//! arguments, C accelerator), and Python's `==` on the values they produce,
//! as OMERO.web and `omero config append/remove` use them.
//!
//! What `json.loads` accepts beyond RFC 8259: `NaN`, `Infinity` and
//! `-Infinity`; integers of any size up to CPython 3.11's 4300-digit limit
//! (a plain `ValueError`, not a decode error); floats that overflow to
//! infinity (`1e400`); lone surrogate escapes (`"\ud800"`). It rejects
//! everything else a lenient parser might take: a leading BOM, whitespace
//! other than space, `\t`, `\n` and `\r`, control characters inside
//! strings, trailing commas, single quotes, leading zeros (`01` is `0`
//! followed by "Extra data").
//!
//! Nesting: the scanner is recursive C code that counts against Python's
//! recursion limit (1000), so how deep a value may nest depends on how deep
//! the Python stack already is, and going past it raises `RecursionError`,
//! which OMERO.web does not catch as a bad value. [`loads`] uses the depth
//! measured for OMERO.web's settings import; [`loads_with_max_depth`] takes
//! another (for instance [`CLI_MAX_DEPTH`]).
//!
//! Lone surrogates: a Rust `String` cannot hold U+D800..U+DFFF, so a `Str`
//! stores such a code point as [`SURROGATE_MARK`] followed by
//! U+F0000 + (surrogate - 0xD800), and a real U+FDD0 (a noncharacter) as
//! two marks. The encoding is one-to-one, so `String` equality is Python
//! `str` equality; [`dumps`] writes the surrogate back as `\udXXX` and
//! [`py_code_points`] decodes a `Str` to Python's code points.

use std::collections::HashMap;
use std::fmt;

/// A Python value produced by `json.loads`. There is deliberately no
/// `PartialEq`: Python's equality is [`PyJson::py_eq`].
#[derive(Debug, Clone)]
pub enum PyJson {
    /// `None`.
    Null,
    /// `True` / `False`.
    Bool(bool),
    /// An `int`, as normalised decimal text (`-0` is `0`).
    Int(String),
    /// A `float`. Every NaN stands for `json.decoder.NaN`, the one object
    /// that `json.loads` returns for each `NaN` (see [`position_in`]).
    Float(f64),
    /// A `str`; lone surrogates are encoded, see the module docs.
    Str(String),
    /// A `list`.
    Array(Vec<PyJson>),
    /// A `dict`: keys in first-insertion order, each once, with the last
    /// value given for it.
    Object(Vec<(String, PyJson)>),
}

/// Deepest nesting `json.loads` survives in OMERO.web's settings import
/// (`omeroweb/settings.py` parsing `omero.web.apps`, as the oracle imports
/// it): 986 levels parse, the 987th `[` or `{` raises `RecursionError`.
/// Other call stacks give other limits: the same parser called on its own
/// in the oracle survives 990, `python3 -c` 995; a server started through
/// more frames would stop a little earlier.
pub const SETTINGS_IMPORT_MAX_DEPTH: usize = 986;

/// Deepest nesting `json.loads` survives in `omero config append` / `remove`
/// on the value given on the command line (`append` then also needs
/// `json.dumps` of the list one level deeper, which fails from 984 on).
pub const CLI_MAX_DEPTH: usize = 984;

/// [`loads_with_max_depth`] never nests deeper than this: CPython's default
/// recursion limit, which no Python context can exceed. It also keeps the
/// recursive derived `Clone`, `Debug` and `Drop` well within a thread's
/// stack (they manage about 2000 levels on a 2 MiB debug-build stack).
pub const MAX_SUPPORTED_DEPTH: usize = 1000;

/// Starts the encoding of a lone surrogate (or a real U+FDD0) in a `Str`.
pub const SURROGATE_MARK: char = '\u{FDD0}';

/// First code point of the block that numbers lone surrogates after a mark.
const SURROGATE_BASE: u32 = 0xF0000;

/// Which exception `json.loads` raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonErrorKind {
    /// `json.JSONDecodeError` (a `ValueError`).
    Decode,
    /// A plain `ValueError`: an integer literal over the 4300-digit limit.
    IntTooLong,
    /// `RecursionError` (not a `ValueError`): nested too deep.
    Recursion,
}

/// A failed `json.loads`; `Display` gives Python's `str(e)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub kind: JsonErrorKind,
    /// Python's message without the position, e.g. `Expecting value`.
    pub msg: String,
    /// Python's character index (`e.pos`, the `char N` of the message). For
    /// the other kinds: where the number or the bracket that failed starts.
    pub pos: usize,
    /// The same place as a byte offset into the text.
    pub byte_offset: usize,
    /// Python's `e.lineno` (1-based).
    pub lineno: usize,
    /// Python's `e.colno` (1-based, in characters).
    pub colno: usize,
}

impl JsonError {
    /// The Python exception class name.
    pub fn python_type(&self) -> &'static str {
        match self.kind {
            JsonErrorKind::Decode => "JSONDecodeError",
            JsonErrorKind::IntTooLong => "ValueError",
            JsonErrorKind::Recursion => "RecursionError",
        }
    }

    /// Whether `except ValueError` catches it (OMERO.web reports those as
    /// invalid settings; a `RecursionError` escapes).
    pub fn is_value_error(&self) -> bool {
        self.kind != JsonErrorKind::Recursion
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            JsonErrorKind::Decode => write!(
                f,
                "{}: line {} column {} (char {})",
                self.msg, self.lineno, self.colno, self.pos
            ),
            _ => f.write_str(&self.msg),
        }
    }
}

impl std::error::Error for JsonError {}

/// `json.loads(text)`, nesting limited as in OMERO.web's settings import.
pub fn loads(text: &str) -> Result<PyJson, JsonError> {
    loads_with_max_depth(text, SETTINGS_IMPORT_MAX_DEPTH)
}

/// `json.loads(text)` where the `max_depth + 1`-th nested `[`/`{` raises
/// `RecursionError` (capped at [`MAX_SUPPORTED_DEPTH`]).
pub fn loads_with_max_depth(text: &str, max_depth: usize) -> Result<PyJson, JsonError> {
    // Index by code point, exactly as CPython's scanner does.
    let chars: Vec<char> = text.chars().collect();
    let parser = Parser {
        chars: &chars,
        max_depth: max_depth.min(MAX_SUPPORTED_DEPTH),
    };
    parser.document().map_err(|fail| {
        let before = chars.get(..fail.pos).unwrap_or(&chars);
        let last_newline = before.iter().rposition(|&c| c == '\n');
        JsonError {
            kind: fail.kind,
            msg: fail.msg,
            pos: fail.pos,
            byte_offset: before.iter().map(|c| c.len_utf8()).sum(),
            lineno: before.iter().filter(|&&c| c == '\n').count() + 1,
            colno: match last_newline {
                Some(i) => fail.pos - i,
                None => fail.pos + 1,
            },
        }
    })
}

struct Fail {
    kind: JsonErrorKind,
    msg: String,
    pos: usize,
}

fn decode_error(msg: &str, pos: usize) -> Fail {
    Fail {
        kind: JsonErrorKind::Decode,
        msg: msg.to_string(),
        pos,
    }
}

/// A container being filled; the parser keeps these on the heap so that
/// nesting depth never touches the Rust stack.
enum Frame {
    Array(Vec<PyJson>),
    Object {
        items: Vec<(String, PyJson)>,
        index: HashMap<String, usize>,
        key: String,
    },
}

struct Parser<'a> {
    chars: &'a [char],
    max_depth: usize,
}

impl Parser<'_> {
    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    /// `[ \t\n\r]*`, the only whitespace JSON allows.
    fn skip_ws(&self, mut i: usize) -> usize {
        while matches!(self.at(i), Some(' ' | '\t' | '\n' | '\r')) {
            i += 1;
        }
        i
    }

    fn matches_at(&self, i: usize, word: &str) -> bool {
        word.chars().enumerate().all(|(k, w)| self.at(i + k) == Some(w))
    }

    /// `json.loads`: BOM check, leading whitespace, one value, then only
    /// whitespace ("Extra data" otherwise).
    fn document(&self) -> Result<PyJson, Fail> {
        if self.at(0) == Some('\u{feff}') {
            return Err(decode_error("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0));
        }
        let (value, end) = self.value(self.skip_ws(0))?;
        let end = self.skip_ws(end);
        if end != self.chars.len() {
            return Err(decode_error("Extra data", end));
        }
        Ok(value)
    }

    /// The scanner's `scan_once` from `idx`, iteratively: returns the value
    /// and the index after it. Errors come in text order, as in CPython.
    fn value(&self, mut idx: usize) -> Result<(PyJson, usize), Fail> {
        let mut stack: Vec<Frame> = Vec::new();
        'next_value: loop {
            let mut value = match self.at(idx) {
                None => return Err(decode_error("Expecting value", idx)),
                Some('"') => {
                    let (s, next) = self.string(idx + 1)?;
                    idx = next;
                    PyJson::Str(s)
                }
                Some(open @ ('[' | '{')) => {
                    if stack.len() >= self.max_depth {
                        return Err(Fail {
                            kind: JsonErrorKind::Recursion,
                            msg: format!(
                                "maximum recursion depth exceeded while decoding a JSON {} \
                                 from a unicode string",
                                if open == '[' { "array" } else { "object" }
                            ),
                            pos: idx,
                        });
                    }
                    idx = self.skip_ws(idx + 1);
                    if open == '[' {
                        if self.at(idx) == Some(']') {
                            idx += 1;
                            PyJson::Array(Vec::new())
                        } else {
                            stack.push(Frame::Array(Vec::new()));
                            continue 'next_value;
                        }
                    } else if self.at(idx) == Some('}') {
                        idx += 1;
                        PyJson::Object(Vec::new())
                    } else {
                        let key = self.key(&mut idx)?;
                        stack.push(Frame::Object {
                            items: Vec::new(),
                            index: HashMap::new(),
                            key,
                        });
                        continue 'next_value;
                    }
                }
                Some(c) => {
                    let (v, next) = self.scalar(idx, c)?;
                    idx = next;
                    v
                }
            };
            // Hand the finished value to its container; close containers
            // that end here, until one expects another value.
            loop {
                let Some(frame) = stack.pop() else {
                    return Ok((value, idx));
                };
                match frame {
                    Frame::Array(mut items) => {
                        items.push(value);
                        idx = self.skip_ws(idx);
                        match self.at(idx) {
                            Some(']') => {
                                idx += 1;
                                value = PyJson::Array(items);
                            }
                            Some(',') => {
                                idx = self.skip_ws(idx + 1);
                                stack.push(Frame::Array(items));
                                continue 'next_value;
                            }
                            _ => return Err(decode_error("Expecting ',' delimiter", idx)),
                        }
                    }
                    Frame::Object {
                        mut items,
                        mut index,
                        key,
                    } => {
                        // dict semantics: a repeated key keeps its first
                        // position and takes the new value.
                        match index.get(&key) {
                            Some(&i) => {
                                if let Some(slot) = items.get_mut(i) {
                                    slot.1 = value;
                                }
                            }
                            None => {
                                index.insert(key.clone(), items.len());
                                items.push((key, value));
                            }
                        }
                        idx = self.skip_ws(idx);
                        match self.at(idx) {
                            Some('}') => {
                                idx += 1;
                                value = PyJson::Object(items);
                            }
                            Some(',') => {
                                idx = self.skip_ws(idx + 1);
                                let key = self.key(&mut idx)?;
                                stack.push(Frame::Object { items, index, key });
                                continue 'next_value;
                            }
                            _ => return Err(decode_error("Expecting ',' delimiter", idx)),
                        }
                    }
                }
            }
        }
    }

    /// `"key"`, optional whitespace, `:`, optional whitespace.
    fn key(&self, idx: &mut usize) -> Result<String, Fail> {
        if self.at(*idx) != Some('"') {
            return Err(decode_error("Expecting property name enclosed in double quotes", *idx));
        }
        let (key, next) = self.string(*idx + 1)?;
        let i = self.skip_ws(next);
        if self.at(i) != Some(':') {
            return Err(decode_error("Expecting ':' delimiter", i));
        }
        *idx = self.skip_ws(i + 1);
        Ok(key)
    }

    /// Constants, then numbers; anything else is "Expecting value".
    fn scalar(&self, idx: usize, c: char) -> Result<(PyJson, usize), Fail> {
        let constant = match c {
            'n' if self.matches_at(idx, "null") => Some((PyJson::Null, 4)),
            't' if self.matches_at(idx, "true") => Some((PyJson::Bool(true), 4)),
            'f' if self.matches_at(idx, "false") => Some((PyJson::Bool(false), 5)),
            'N' if self.matches_at(idx, "NaN") => Some((PyJson::Float(f64::NAN), 3)),
            'I' if self.matches_at(idx, "Infinity") => Some((PyJson::Float(f64::INFINITY), 8)),
            '-' if self.matches_at(idx, "-Infinity") => Some((PyJson::Float(f64::NEG_INFINITY), 9)),
            _ => None,
        };
        match constant {
            Some((v, len)) => Ok((v, idx + len)),
            None => self.number(idx),
        }
    }

    fn is_digit_at(&self, i: usize) -> bool {
        self.at(i).is_some_and(|c| c.is_ascii_digit())
    }

    /// `_match_number_unicode`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`
    /// where a fraction or exponent that is not complete is left unread.
    fn number(&self, start: usize) -> Result<(PyJson, usize), Fail> {
        let expecting = || decode_error("Expecting value", start);
        let mut idx = start;
        if self.at(idx) == Some('-') {
            idx += 1;
        }
        match self.at(idx) {
            Some('1'..='9') => {
                idx += 1;
                while self.is_digit_at(idx) {
                    idx += 1;
                }
            }
            Some('0') => idx += 1,
            _ => return Err(expecting()),
        }
        let mut is_float = false;
        if self.at(idx) == Some('.') && self.is_digit_at(idx + 1) {
            is_float = true;
            idx += 2;
            while self.is_digit_at(idx) {
                idx += 1;
            }
        }
        if matches!(self.at(idx), Some('e' | 'E')) {
            let e_start = idx;
            idx += 1;
            if matches!(self.at(idx), Some('-' | '+')) {
                idx += 1;
            }
            while self.is_digit_at(idx) {
                idx += 1;
            }
            if idx > 0 && self.is_digit_at(idx - 1) {
                is_float = true;
            } else {
                idx = e_start;
            }
        }
        let text: String = self.chars.get(start..idx).unwrap_or_default().iter().collect();
        if is_float {
            // Both CPython and Rust round correctly; overflow gives inf.
            return match text.parse::<f64>() {
                Ok(f) => Ok((PyJson::Float(f), idx)),
                Err(_) => Err(expecting()),
            };
        }
        let digits = text.strip_prefix('-').unwrap_or(&text);
        if digits.len() > super::int::INT_MAX_STR_DIGITS {
            return Err(Fail {
                kind: JsonErrorKind::IntTooLong,
                msg: format!(
                    "Exceeds the limit ({} digits) for integer string conversion: value \
                     has {} digits; use sys.set_int_max_str_digits() to increase the limit",
                    super::int::INT_MAX_STR_DIGITS,
                    digits.len()
                ),
                pos: start,
            });
        }
        let text = if digits == "0" { "0".to_string() } else { text };
        Ok((PyJson::Int(text), idx))
    }

    /// `scanstring_unicode` from `end`, just after the opening quote.
    fn string(&self, end: usize) -> Result<(String, usize), Fail> {
        let begin = end - 1;
        let unterminated = || decode_error("Unterminated string starting at", begin);
        let mut out = String::new();
        let mut i = end;
        loop {
            let c = loop {
                match self.at(i) {
                    None => return Err(unterminated()),
                    Some(c @ ('"' | '\\')) => break c,
                    Some(c) if (c as u32) <= 0x1f => {
                        return Err(decode_error("Invalid control character at", i));
                    }
                    Some(c) => {
                        push_code_point(&mut out, c as u32);
                        i += 1;
                    }
                }
            };
            if c == '"' {
                return Ok((out, i + 1));
            }
            i += 1;
            let escaped = match self.at(i) {
                None => return Err(unterminated()),
                Some('u') => None,
                Some('"') => Some('"'),
                Some('\\') => Some('\\'),
                Some('/') => Some('/'),
                Some('b') => Some('\u{8}'),
                Some('f') => Some('\u{c}'),
                Some('n') => Some('\n'),
                Some('r') => Some('\r'),
                Some('t') => Some('\t'),
                Some(_) => return Err(decode_error("Invalid \\escape", i - 1)),
            };
            if let Some(e) = escaped {
                out.push(e);
                i += 1;
                continue;
            }
            // `\uXXXX`: CPython wants the four digits *and* one more
            // character before it looks at them.
            let first = i + 1;
            let after = first + 4;
            if after >= self.chars.len() {
                return Err(decode_error("Invalid \\uXXXX escape", i));
            }
            let mut cp = self.hex4(first)?;
            let mut resume = after;
            if (0xD800..=0xDBFF).contains(&cp)
                && after + 6 < self.chars.len()
                && self.at(after) == Some('\\')
                && self.at(after + 1) == Some('u')
            {
                let low = self.hex4(after + 2)?;
                if (0xDC00..=0xDFFF).contains(&low) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    resume = after + 6;
                }
            }
            push_code_point(&mut out, cp);
            i = resume;
        }
    }

    /// Four hex digits at `i`; an error points at the `u` before them.
    fn hex4(&self, i: usize) -> Result<u32, Fail> {
        let mut cp = 0;
        for j in i..i + 4 {
            match self.at(j).and_then(|c| c.to_digit(16)) {
                Some(d) => cp = cp * 16 + d,
                None => return Err(decode_error("Invalid \\uXXXX escape", i - 1)),
            }
        }
        Ok(cp)
    }
}

/// Appends a Python code point to a `Str`, encoding lone surrogates.
fn push_code_point(out: &mut String, cp: u32) {
    if (0xD800..=0xDFFF).contains(&cp) {
        out.push(SURROGATE_MARK);
        if let Some(c) = char::from_u32(SURROGATE_BASE + (cp - 0xD800)) {
            out.push(c);
        }
    } else if cp == SURROGATE_MARK as u32 {
        out.push(SURROGATE_MARK);
        out.push(SURROGATE_MARK);
    } else if let Some(c) = char::from_u32(cp) {
        out.push(c);
    }
}

/// The Python code points of a `Str` (lone surrogates decoded). A mark that
/// does not start a valid pair counts as itself.
pub fn py_code_points(s: &str) -> impl Iterator<Item = u32> + '_ {
    let mut chars = s.chars().peekable();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        if c != SURROGATE_MARK {
            return Some(c as u32);
        }
        match chars.peek().map(|&n| n as u32) {
            Some(n) if n == SURROGATE_MARK as u32 => {
                chars.next();
                Some(n)
            }
            Some(n) if (SURROGATE_BASE..SURROGATE_BASE + 0x800).contains(&n) => {
                chars.next();
                Some(0xD800 + (n - SURROGATE_BASE))
            }
            _ => Some(c as u32),
        }
    })
}

/// A `Str` as Rust text: the Python string itself, except that each lone
/// surrogate becomes U+FFFD.
pub fn py_str_lossy(s: &str) -> String {
    py_code_points(s)
        .map(|cp| char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// `json.dumps(value)` with default arguments: `", "` and `": "`
/// separators, ASCII-only output, `NaN`/`Infinity` allowed.
pub fn dumps(value: &PyJson) -> String {
    enum Work<'a> {
        Value(&'a PyJson),
        Key(&'a str),
        Text(&'static str),
    }
    let mut out = String::new();
    // An explicit stack: values may nest deeper than the Rust stack likes.
    let mut work = vec![Work::Value(value)];
    while let Some(item) = work.pop() {
        match item {
            Work::Text(t) => out.push_str(t),
            Work::Key(k) => {
                write_json_str(&mut out, k);
                out.push_str(": ");
            }
            Work::Value(v) => match v {
                PyJson::Null => out.push_str("null"),
                PyJson::Bool(true) => out.push_str("true"),
                PyJson::Bool(false) => out.push_str("false"),
                PyJson::Int(text) => out.push_str(text),
                PyJson::Float(f) => out.push_str(&json_float(*f)),
                PyJson::Str(s) => write_json_str(&mut out, s),
                PyJson::Array(items) if items.is_empty() => out.push_str("[]"),
                PyJson::Object(items) if items.is_empty() => out.push_str("{}"),
                PyJson::Array(items) => {
                    out.push('[');
                    work.push(Work::Text("]"));
                    for (i, item) in items.iter().enumerate().rev() {
                        work.push(Work::Value(item));
                        if i > 0 {
                            work.push(Work::Text(", "));
                        }
                    }
                }
                PyJson::Object(items) => {
                    out.push('{');
                    work.push(Work::Text("}"));
                    for (i, (k, item)) in items.iter().enumerate().rev() {
                        work.push(Work::Value(item));
                        work.push(Work::Key(k));
                        if i > 0 {
                            work.push(Work::Text(", "));
                        }
                    }
                }
            },
        }
    }
    out
}

/// `ensure_ascii` string escaping: printable ASCII as is, the short escapes,
/// `\uXXXX` (lower-case hex) for the rest, surrogate pairs above the BMP.
fn write_json_str(out: &mut String, s: &str) {
    out.push('"');
    for cp in py_code_points(s) {
        match cp {
            0x22 => out.push_str("\\\""),
            0x5C => out.push_str("\\\\"),
            0x08 => out.push_str("\\b"),
            0x0C => out.push_str("\\f"),
            0x0A => out.push_str("\\n"),
            0x0D => out.push_str("\\r"),
            0x09 => out.push_str("\\t"),
            0x20..=0x7E => out.extend(char::from_u32(cp)),
            0x10000.. => {
                let v = cp - 0x10000;
                out.push_str(&format!("\\u{:04x}\\u{:04x}", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)));
            }
            _ => out.push_str(&format!("\\u{cp:04x}")),
        }
    }
    out.push('"');
}

fn json_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        float_repr(f)
    }
}

/// Python's `repr(f)`: the shortest text that reads back as `f`, positional
/// when the decimal exponent is in -4..16 (`0.0001`, `123.0`,
/// `1000000000000000.0`), else scientific (`1e-05`, `1e+16`); `nan`, `inf`.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    // Rust's `{:e}` gives a shortest round-trip digit string, but when
    // several exist CPython takes the one closest to `f`: the correctly
    // rounded string of that length, whenever it reads back as `f`.
    let shortest = format!("{:e}", f.abs());
    let len = shortest
        .split('e')
        .next()
        .map_or(1, |m| m.chars().filter(char::is_ascii_digit).count());
    let closest = format!("{:.*e}", len.saturating_sub(1), f.abs());
    let sci = if closest.parse::<f64>() == Ok(f.abs()) {
        closest
    } else {
        shortest
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let decpt = exp + 1;
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    if (-3..=16).contains(&decpt) {
        let len = digits.len() as i32;
        if decpt <= 0 {
            out.push_str("0.");
            out.push_str(&"0".repeat((-decpt) as usize));
            out.push_str(&digits);
        } else if decpt >= len {
            out.push_str(&digits);
            out.push_str(&"0".repeat((decpt - len) as usize));
            out.push_str(".0");
        } else {
            let (int_part, frac) = digits.split_at(decpt as usize);
            out.push_str(int_part);
            out.push('.');
            out.push_str(frac);
        }
    } else {
        let (first, rest) = digits.split_at(digits.len().min(1));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push_str(&format!("e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs()));
    }
    out
}

impl PyJson {
    /// Python's `self == other`: numbers compare by exact value across
    /// `bool`, `int` and `float` (`True == 1 == 1.0`, `10**20 == 1e20`,
    /// `2**53 + 1 != 2.0**53`), NaN is unequal to itself, a `list` compares
    /// element-wise and a `dict` ignores order.
    ///
    /// Like CPython, elements inside containers are first compared by
    /// identity, and every NaN `json.loads` makes is the same object
    /// (`json.decoder.NaN`), so `[NaN] == [NaN]` although `NaN != NaN`.
    pub fn py_eq(&self, other: &PyJson) -> bool {
        equal(self, other, false)
    }
}

/// `list.index(item)` (also `item in list` and `list.remove(item)`): the
/// first element that is `item` or `== item`. A parsed NaN is found, since
/// all of them are the one `json.decoder.NaN` object.
pub fn position_in(list: &[PyJson], item: &PyJson) -> Option<usize> {
    list.iter().position(|x| equal(x, item, true))
}

fn is_nan(v: &PyJson) -> bool {
    matches!(v, PyJson::Float(f) if f.is_nan())
}

/// `PyObject_RichCompareBool` when `identity` (identical objects are equal
/// without asking `__eq__`), plain `==` otherwise; without recursion.
fn equal(a: &PyJson, b: &PyJson, identity: bool) -> bool {
    let mut work = vec![(a, b, identity)];
    while let Some((a, b, identity)) = work.pop() {
        if identity && is_nan(a) && is_nan(b) {
            continue;
        }
        match (a, b) {
            (PyJson::Null, PyJson::Null) => {}
            (PyJson::Str(x), PyJson::Str(y)) => {
                if x != y {
                    return false;
                }
            }
            (PyJson::Array(x), PyJson::Array(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                work.extend(x.iter().zip(y).map(|(p, q)| (p, q, true)));
            }
            (PyJson::Object(x), PyJson::Object(y)) => {
                // As dicts: each key once, its last value.
                let x: HashMap<&str, &PyJson> = x.iter().map(|(k, v)| (k.as_str(), v)).collect();
                let y: HashMap<&str, &PyJson> = y.iter().map(|(k, v)| (k.as_str(), v)).collect();
                if x.len() != y.len() {
                    return false;
                }
                for (k, v) in x {
                    match y.get(k) {
                        Some(w) => work.push((v, w, true)),
                        None => return false,
                    }
                }
            }
            _ => match (number(a), number(b)) {
                (Some(p), Some(q)) => {
                    if !numbers_equal(&p, &q) {
                        return false;
                    }
                }
                _ => return false,
            },
        }
    }
    true
}

enum Number {
    Int(String),
    Float(f64),
}

fn number(v: &PyJson) -> Option<Number> {
    match v {
        PyJson::Bool(b) => Some(Number::Int(if *b { "1" } else { "0" }.to_string())),
        PyJson::Int(t) => Some(Number::Int(normalise_int(t))),
        PyJson::Float(f) => Some(Number::Float(*f)),
        _ => None,
    }
}

/// Canonical decimal text of an integer (sign, no `+`, no leading zeros).
fn normalise_int(text: &str) -> String {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let digits = digits.trim_start_matches('0');
    match (digits.is_empty(), negative) {
        (true, _) => "0".to_string(),
        (false, true) => format!("-{digits}"),
        (false, false) => digits.to_string(),
    }
}

fn numbers_equal(p: &Number, q: &Number) -> bool {
    match (p, q) {
        (Number::Int(x), Number::Int(y)) => x == y,
        (Number::Float(x), Number::Float(y)) => x == y,
        (Number::Int(i), Number::Float(f)) | (Number::Float(f), Number::Int(i)) => {
            // CPython compares an int with a float exactly, never by
            // rounding the int to a float.
            f.is_finite() && f.fract() == 0.0 && normalise_int(&format!("{f:.0}")) == *i
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const JSON_CASES: &str = include_str!("../../tests/fixtures/python/json_cases.json");
    const EQ_CASES: &str = include_str!("../../tests/fixtures/python/eq_cases.json");

    /// A member of a fixture object.
    pub(crate) fn get<'a>(v: &'a PyJson, key: &str) -> Option<&'a PyJson> {
        match v {
            PyJson::Object(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn text<'a>(v: &'a PyJson, key: &str) -> &'a str {
        match get(v, key) {
            Some(PyJson::Str(s)) => s,
            other => panic!("fixture field {key}: expected a string, got {other:?}"),
        }
    }

    fn flag(v: &PyJson, key: &str) -> bool {
        match get(v, key) {
            Some(PyJson::Bool(b)) => *b,
            other => panic!("fixture field {key}: expected a bool, got {other:?}"),
        }
    }

    /// A fixture input: a string, or `[[piece, count], ...]` to concatenate.
    pub(crate) fn fixture_input(case: &PyJson) -> String {
        match get(case, "input") {
            Some(PyJson::Str(s)) => py_str_lossy(s),
            Some(PyJson::Array(parts)) => parts
                .iter()
                .map(|part| match part {
                    PyJson::Array(p) => match p.as_slice() {
                        [PyJson::Str(s), PyJson::Int(n)] => {
                            py_str_lossy(s).repeat(n.parse().expect("fixture repeat count"))
                        }
                        _ => panic!("bad input part {part:?}"),
                    },
                    _ => panic!("bad input part {part:?}"),
                })
                .collect(),
            other => panic!("bad input {other:?}"),
        }
    }

    pub(crate) fn fixture_cases(doc: &str) -> Vec<PyJson> {
        let doc = loads(doc).expect("fixture file is JSON");
        match get(&doc, "cases") {
            Some(PyJson::Array(cases)) => cases.clone(),
            _ => panic!("fixture has no cases"),
        }
    }

    /// Same Python value and type (unlike `py_eq`: `1 != 1.0 != True`,
    /// NaN matches NaN, dict order matters).
    fn identical(a: &PyJson, b: &PyJson) -> bool {
        match (a, b) {
            (PyJson::Null, PyJson::Null) => true,
            (PyJson::Bool(x), PyJson::Bool(y)) => x == y,
            (PyJson::Int(x), PyJson::Int(y)) => x == y,
            (PyJson::Float(x), PyJson::Float(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            (PyJson::Str(x), PyJson::Str(y)) => x == y,
            (PyJson::Array(x), PyJson::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| identical(p, q)),
            (PyJson::Object(x), PyJson::Object(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|((k, p), (l, q))| k == l && identical(p, q))
            }
            _ => false,
        }
    }

    #[test]
    fn oracle_json_cases() {
        let cases = fixture_cases(JSON_CASES);
        assert!(cases.len() >= 35, "only {} cases", cases.len());
        for case in &cases {
            let name = text(case, "name");
            let input = fixture_input(case);
            let got = loads(&input);
            if flag(case, "ok") {
                let value = got.unwrap_or_else(|e| panic!("{name}: oracle accepted, we said {e}"));
                if let Some(expected) = get(case, "value") {
                    assert!(identical(&value, expected), "{name}: {value:?} != {expected:?}");
                }
            } else {
                let err = match got {
                    Ok(v) => panic!("{name}: oracle rejected, we parsed {}", dumps(&v)),
                    Err(e) => e,
                };
                assert_eq!(err.python_type(), text(case, "error_type"), "{name}");
                assert_eq!(err.to_string(), text(case, "message"), "{name}");
                if let Some(PyJson::Str(wrapped)) = get(case, "import_error") {
                    let prefix = format!(
                        "Invalid ADDITIONAL_APPS (omero.web.apps = {}). {}. ",
                        super::super::int::repr_str(&input),
                        err
                    );
                    assert!(wrapped.starts_with(&prefix), "{name}: {wrapped} vs {prefix}");
                }
            }
            // `omero config append`: its own nesting limit, and the dumps text.
            let cli = get(case, "cli").expect("cli field");
            let got = loads_with_max_depth(&input, CLI_MAX_DEPTH);
            if flag(cli, "ok") {
                let value = got.unwrap_or_else(|e| panic!("{name}: cli accepted, we said {e}"));
                assert_eq!(dumps(&value), text(cli, "dumps"), "{name}");
            } else if text(cli, "message").contains("while encoding") {
                // json.dumps of the appended list overflowed; loads was fine.
                assert!(got.is_ok(), "{name}: cli parsed it before dumps failed");
            } else {
                let err = got.err().unwrap_or_else(|| panic!("{name}: cli rejected it"));
                assert_eq!(err.python_type(), text(cli, "error_type"), "{name}");
                assert_eq!(err.to_string(), text(cli, "message"), "{name}");
            }
        }
    }

    #[test]
    fn oracle_remove_cases() {
        for case in fixture_cases(EQ_CASES) {
            let PyJson::Array(mut list) = loads(text(&case, "list")).expect("list") else {
                panic!("not a list")
            };
            let item = loads(text(&case, "item")).expect("item");
            let found = position_in(&list, &item);
            assert_eq!(found.is_some(), flag(&case, "found"), "{case:?}");
            if let Some(i) = found {
                list.remove(i);
                assert_eq!(dumps(&PyJson::Array(list)), text(&case, "after"), "{case:?}");
            }
        }
    }

    fn py(s: &str) -> PyJson {
        loads(s).expect("test JSON")
    }

    #[test]
    fn dumps_formatting() {
        let cases = [
            (
                "[1, 2.5, \"x\", null, true, false]",
                "[1, 2.5, \"x\", null, true, false]",
            ),
            ("{\"a\":{\"b\":[]},\"c\":{}}", "{\"a\": {\"b\": []}, \"c\": {}}"),
            (
                "[1e16, 1e15, 1e-5, 1e-4, 123.0, 1E2, -0.0, 5e-324]",
                "[1e+16, 1000000000000000.0, 1e-05, 0.0001, 123.0, 100.0, -0.0, 5e-324]",
            ),
            (
                "[NaN, Infinity, -Infinity, 1e999]",
                "[NaN, Infinity, -Infinity, Infinity]",
            ),
            (
                "\"\\u0000\\u001f\\u007f\\u0080\\u00e9\\u2028\\uffff\"",
                "\"\\u0000\\u001f\\u007f\\u0080\\u00e9\\u2028\\uffff\"",
            ),
            ("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\\"\\\\/\\b\\f\\n\\r\\t\""),
            ("\"\u{1F600}\"", "\"\\ud83d\\ude00\""),
            ("\"\\ud800x\\udfff\"", "\"\\ud800x\\udfff\""),
            ("{\"\\udc00\": \"\\ufdd0\"}", "{\"\\udc00\": \"\\ufdd0\"}"),
            ("-0", "0"),
            ("100000000000000000000000000001", "100000000000000000000000000001"),
        ];
        for (input, want) in cases {
            assert_eq!(dumps(&py(input)), want, "{input}");
        }
    }

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e100, "1e+100"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (123456789.0, "123456789.0"),
            // several 16-digit strings read back as this float; CPython
            // picks the closest.
            (640516715113068.2, "640516715113068.2"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(f), want);
        }
    }

    #[test]
    fn py_eq_follows_python() {
        let eq = |a: &str, b: &str| py(a).py_eq(&py(b));
        assert!(eq("1", "1.0") && eq("true", "1") && eq("true", "1.0"));
        assert!(eq("0", "false") && eq("false", "-0.0") && eq("0", "-0"));
        assert!(!eq("1", "\"1\"") && !eq("null", "false") && !eq("[]", "{}"));
        assert!(!eq("2", "true") && !eq("0.5", "0"));
        assert!(eq("100000000000000000000", "1e20"));
        assert!(!eq("9007199254740993", "9007199254740992.0"));
        assert!(!eq("100000000000000000000000", "1e23"));
        assert!(eq("Infinity", "1e400") && !eq("Infinity", "-Infinity"));
        // NaN is never == itself, but containers compare identity first
        // and json.loads hands out one NaN object.
        assert!(!eq("NaN", "NaN"));
        assert!(eq("[NaN]", "[NaN]") && eq("{\"a\": [NaN]}", "{\"a\": [NaN]}"));
        assert!(!eq("[NaN]", "[1]"));
        assert!(eq("{\"a\": 1, \"b\": [2]}", "{\"b\": [2.0], \"a\": true}"));
        assert!(!eq("{\"a\": 1}", "{\"b\": 1}") && !eq("{\"a\": 1}", "{\"a\": 1, \"b\": 1}"));
        assert!(!eq("[1, 2]", "[2, 1]") && !eq("[1]", "[1, 1]"));
        assert!(eq("\"\\ud800\"", "\"\\ud800\"") && !eq("\"\\ud800\"", "\"\\udc00\""));
        assert!(eq("\"\\u00e9\"", "\"\u{e9}\""));
        // Int text that is not normalised still compares by value.
        assert!(PyJson::Int("+007".into()).py_eq(&PyJson::Float(7.0)));
        assert_eq!(position_in(&[py("1"), py("NaN")], &py("NaN")), Some(1));
        assert_eq!(position_in(&[py("\"NaN\"")], &py("NaN")), None);
        assert_eq!(position_in(&[py("false"), py("0")], &py("0.0")), Some(0));
    }

    #[test]
    fn duplicate_keys_keep_first_position_last_value() {
        let v = py("{\"a\": 1, \"b\": 2, \"a\": 3, \"c\": 4, \"b\": 5}");
        assert_eq!(dumps(&v), "{\"a\": 3, \"b\": 5, \"c\": 4}");
    }

    #[test]
    fn lone_surrogates_are_encoded_one_to_one() {
        let PyJson::Str(s) = py("\"a\\ud800\\udc00\\udbff\\ufdd0\"") else {
            panic!()
        };
        let cps: Vec<u32> = py_code_points(&s).collect();
        assert_eq!(cps, [0x61, 0x10000, 0xDBFF, 0xFDD0]);
        let PyJson::Str(lone) = py("\"\\ud800\"") else { panic!() };
        assert_eq!(lone, "\u{FDD0}\u{F0000}");
        // A real U+FDD0 followed by a real U+F0000 is not a surrogate.
        let PyJson::Str(real) = py("\"\u{FDD0}\u{F0000}\"") else {
            panic!()
        };
        assert_ne!(real, lone);
        assert_eq!(py_code_points(&real).collect::<Vec<_>>(), [0xFDD0, 0xF0000]);
        assert_eq!(dumps(&PyJson::Str(real)), "\"\\ufdd0\\udb80\\udc00\"");
        // A stray mark in a hand-built Str is itself.
        assert_eq!(dumps(&PyJson::Str("\u{FDD0}x".into())), "\"\\ufdd0x\"");
    }

    #[test]
    fn error_positions_in_chars_and_bytes() {
        let err = loads("[\"\u{e9}\u{1F600}\",\n  x]").expect_err("bad");
        assert_eq!(err.kind, JsonErrorKind::Decode);
        assert_eq!(err.msg, "Expecting value");
        assert_eq!((err.pos, err.byte_offset), (9, 13));
        assert_eq!((err.lineno, err.colno), (2, 3));
        assert_eq!(err.to_string(), "Expecting value: line 2 column 3 (char 9)");
        assert!(err.is_value_error());
        let err = loads("\u{a0}1").expect_err("nbsp is not JSON whitespace");
        assert_eq!((err.pos, err.byte_offset), (0, 0));
        let err = loads("\"\u{e9}\u{1}\"").expect_err("control");
        assert_eq!((err.pos, err.byte_offset), (2, 3));
    }

    #[test]
    fn nesting_limit_is_a_recursion_error() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(loads(&deep(SETTINGS_IMPORT_MAX_DEPTH)).is_ok());
        let err = loads(&deep(SETTINGS_IMPORT_MAX_DEPTH + 1)).expect_err("too deep");
        assert_eq!(err.kind, JsonErrorKind::Recursion);
        assert!(!err.is_value_error());
        assert_eq!(err.pos, SETTINGS_IMPORT_MAX_DEPTH);
        assert_eq!(err.python_type(), "RecursionError");
        assert!(loads_with_max_depth(&deep(3), 3).is_ok());
        assert!(loads_with_max_depth(&deep(4), 3).is_err());
        assert!(loads_with_max_depth("1", 0).is_ok());
        assert!(loads_with_max_depth("[]", 0).is_err());
        // The cap keeps huge limits from building values too deep to drop.
        let err = loads_with_max_depth(&deep(MAX_SUPPORTED_DEPTH + 1), usize::MAX).expect_err("cap");
        assert_eq!(err.pos, MAX_SUPPORTED_DEPTH);
        let v = loads_with_max_depth(&deep(MAX_SUPPORTED_DEPTH), usize::MAX).expect("at the cap");
        assert_eq!(dumps(&v).len(), 2 * MAX_SUPPORTED_DEPTH);
        assert!(v.py_eq(&v.clone()));
        // Objects count the same way, and errors come in text order.
        let objects = format!("{}1{}", "{\"a\":".repeat(5), "}".repeat(5));
        assert!(loads_with_max_depth(&objects, 5).is_ok());
        assert!(loads_with_max_depth(&objects, 4)
            .unwrap_err()
            .msg
            .contains("JSON object"));
        assert_eq!(
            loads_with_max_depth("[[x", 1).unwrap_err().kind,
            JsonErrorKind::Recursion
        );
        assert_eq!(loads_with_max_depth("[x[", 1).unwrap_err().kind, JsonErrorKind::Decode);
    }

    #[test]
    fn big_ints_and_the_digit_limit() {
        let ok = format!("-{}", "9".repeat(4300));
        assert_eq!(dumps(&py(&ok)), ok);
        let err = loads(&format!("[1, {}]", "5".repeat(4301))).expect_err("limit");
        assert_eq!(err.kind, JsonErrorKind::IntTooLong);
        assert_eq!(err.python_type(), "ValueError");
        assert!(err.is_value_error());
        assert_eq!(err.pos, 4);
        // Floats have no digit limit.
        assert!(matches!(py(&format!("1.{}", "1".repeat(5000))), PyJson::Float(_)));
    }

    /// Tiny deterministic generator: no dependencies.
    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn garbage_never_panics() {
        let pieces = [
            "[",
            "]",
            "{",
            "}",
            "\"",
            "\\",
            "u",
            "d8",
            "00",
            "dc",
            ",",
            ":",
            "-",
            "0",
            "1",
            "e",
            "E",
            "+",
            ".",
            " ",
            "\n",
            "\t",
            "null",
            "tru",
            "NaN",
            "Infinity",
            "\u{e9}",
            "\u{1F600}",
            "\u{FDD0}",
            "\u{feff}",
            "\u{0}",
            "\u{1f}",
            "x",
            "/",
            "\\u",
            "\\ud800",
            "\\uDC00",
        ];
        let mut seed = 42;
        for _ in 0..20_000 {
            let n = lcg(&mut seed) % 24;
            let s: String = (0..n)
                .map(|_| pieces[(lcg(&mut seed) as usize) % pieces.len()])
                .collect();
            if let Ok(v) = loads(&s) {
                // What we print must read back as the same value.
                let again = loads(&dumps(&v)).expect("dumps output parses");
                assert_eq!(dumps(&again), dumps(&v), "{s:?}");
            }
        }
        for deep in [
            "[".repeat(100_000),
            "{\"a\":".repeat(100_000),
            "[{\"a\":".repeat(50_000),
        ] {
            let err = loads(&deep).expect_err("too deep");
            assert_eq!(err.kind, JsonErrorKind::Recursion);
            assert!(loads_with_max_depth(&deep, usize::MAX).is_err());
        }
        let long = format!("[{}1]", "1, ".repeat(200_000));
        assert!(matches!(loads(&long), Ok(PyJson::Array(v)) if v.len() == 200_001));
    }
}

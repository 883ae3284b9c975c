//! CPython 3.11's `int(text)` for a `str`, which OMERO.web applies to its
//! integer properties, and `repr(text)`, which appears in its messages.
//!
//! `int()` first maps every non-ASCII character (code point >= 127): a
//! Unicode space (`str.isspace`) becomes `' '`, a decimal digit
//! (`unicodedata.decimal`) its ASCII digit, and anything else ends the
//! text with an invalid marker. The ASCII result is then parsed by C code
//! whose own whitespace is only `" \t\n\x0b\x0c\r"`: so `"\u{a0}7"` and
//! `"\u{3000}7"` are 7, but `"\x1c7"` is invalid even though
//! `"\x1c".isspace()` is true. Base 10 allows leading zeros (`"007"`) and
//! single underscores between digits. More than 4300 digits (leading zeros
//! count, underscores and sign do not) raise CPython 3.11's digit-limit
//! error, which wins over any junk after the digits (`"1"*4301 + "x"`).

use std::fmt;

use super::tables;

/// CPython 3.11's default `sys.get_int_max_str_digits()`.
pub const INT_MAX_STR_DIGITS: usize = 4300;

/// Why `int(text)` raised `ValueError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntErrorKind {
    /// `invalid literal for int() with base 10: ...`
    InvalidLiteral,
    /// `Exceeds the limit (4300 digits) for integer string conversion ...`
    TooManyDigits {
        /// Digits counted by CPython (the limit is [`INT_MAX_STR_DIGITS`]).
        digits: usize,
    },
}

/// A `ValueError` from `int(text)`; `Display` gives Python's `str(e)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntError {
    pub kind: IntErrorKind,
    message: String,
}

impl IntError {
    /// Python's exception text, as `str(e)`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for IntError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IntError {}

/// `int(text)`: the value as normalised decimal text (`"-0"` and `"+0"` give
/// `"0"`, `" 0_07 "` gives `"7"`), or Python's `ValueError`.
pub fn parse_int(text: &str) -> Result<String, IntError> {
    let ascii = to_ascii(text);
    let invalid = || IntError {
        kind: IntErrorKind::InvalidLiteral,
        message: format!(
            "invalid literal for int() with base 10: {}",
            truncate_chars(&repr_str(text), 200)
        ),
    };
    // C reads up to the first NUL; whatever follows makes the literal
    // invalid, but only once the digits before it parsed (limit errors
    // still win).
    let (c_str, has_nul) = match ascii.iter().position(|&b| b == 0) {
        Some(i) => (&ascii[..i], true),
        None => (&ascii[..], false),
    };
    let mut i = 0;
    while c_str.get(i).is_some_and(|&b| is_c_space(b)) {
        i += 1;
    }
    let negative = match c_str.get(i) {
        Some(b'+') => {
            i += 1;
            false
        }
        Some(b'-') => {
            i += 1;
            true
        }
        _ => false,
    };
    if c_str.get(i) == Some(&b'_') {
        return Err(invalid());
    }
    let mut digits = String::new();
    let mut prev_underscore = false;
    while let Some(&b) = c_str.get(i) {
        if b.is_ascii_digit() {
            digits.push(char::from(b));
            prev_underscore = false;
        } else if b == b'_' {
            if prev_underscore {
                return Err(invalid());
            }
            prev_underscore = true;
        } else {
            break;
        }
        i += 1;
    }
    if prev_underscore {
        return Err(invalid());
    }
    if digits.len() > INT_MAX_STR_DIGITS {
        return Err(IntError {
            kind: IntErrorKind::TooManyDigits { digits: digits.len() },
            message: format!(
                "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string \
                 conversion: value has {} digits; use sys.set_int_max_str_digits() \
                 to increase the limit",
                digits.len()
            ),
        });
    }
    if digits.is_empty() {
        return Err(invalid());
    }
    while c_str.get(i).is_some_and(|&b| is_c_space(b)) {
        i += 1;
    }
    if i != c_str.len() || has_nul {
        return Err(invalid());
    }
    let trimmed = digits.trim_start_matches('0');
    Ok(match (trimmed.is_empty(), negative) {
        (true, _) => "0".to_string(),
        (false, true) => format!("-{trimmed}"),
        (false, false) => trimmed.to_string(),
    })
}

/// `_PyUnicode_TransformDecimalAndSpaceToASCII`: code points below 127 are
/// kept, other spaces and decimal digits become ASCII, and the first other
/// character becomes `?` and ends the text.
fn to_ascii(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let cp = c as u32;
        if cp < 127 {
            out.push(cp as u8);
        } else if tables::is_space(c) {
            out.push(b' ');
        } else if let Some(d) = tables::decimal_value(c) {
            out.push(b'0' + d as u8);
        } else {
            out.push(b'?');
            break;
        }
    }
    out
}

/// C's `Py_ISSPACE`: ASCII space, `\t`, `\n`, `\x0b`, `\x0c` and `\r`.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The first `n` characters of `s`, as `%.200R` truncates a repr.
fn truncate_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Python's `repr(s)` for a `str`: single quotes unless `s` holds a `'` and
/// no `"`, and `\t \n \r \\`, `\xNN`, `\uNNNN` or `\UNNNNNNNN` escapes for
/// the quote and for what `str.isprintable()` rejects.
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if c == quote => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ if (c as u32) >= 0x80 && tables::is_printable(c) => out.push(c),
            _ if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
            _ if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            _ => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::super::json::tests::{fixture_input as input, get};
    use super::super::json::{loads, py_str_lossy, PyJson};
    use super::*;

    const INT_CASES: &str = include_str!("../../tests/fixtures/python/int_cases.json");

    fn text(v: &PyJson, key: &str) -> String {
        match get(v, key) {
            Some(PyJson::Str(s)) => py_str_lossy(s),
            other => panic!("fixture field {key}: expected a string, got {other:?}"),
        }
    }

    #[test]
    fn oracle_int_cases() {
        let doc = loads(INT_CASES).expect("fixture is JSON");
        let Some(PyJson::Array(cases)) = get(&doc, "cases") else {
            panic!("no cases")
        };
        assert!(cases.len() >= 35, "only {} cases", cases.len());
        for case in cases {
            let name = text(case, "name");
            let input = input(case);
            let got = parse_int(&input);
            match get(case, "ok") {
                Some(PyJson::Bool(true)) => {
                    assert_eq!(got.as_deref(), Ok(text(case, "value").as_str()), "{name}");
                }
                Some(PyJson::Bool(false)) => {
                    let err = got.expect_err(&name);
                    let message = text(case, "message");
                    assert_eq!(err.to_string(), message, "{name}");
                    assert_eq!(
                        matches!(err.kind, IntErrorKind::TooManyDigits { .. }),
                        message.starts_with("Exceeds the limit"),
                        "{name}"
                    );
                    if get(case, "import_error").is_some() {
                        // settings.py: "Invalid %s (%s = %r). %s. %s"
                        let prefix = format!("Invalid PAGE (omero.web.page_size = {}). {}. ", repr_str(&input), err);
                        let wrapped = text(case, "import_error");
                        assert!(wrapped.starts_with(&prefix), "{name}: {wrapped} vs {prefix}");
                    }
                }
                other => panic!("{name}: bad ok field {other:?}"),
            }
        }
    }

    #[test]
    fn normalises_and_rejects() {
        let ok = |s: &str| parse_int(s).ok();
        assert_eq!(ok(" \t+0_0_7\n").as_deref(), Some("7"));
        assert_eq!(ok("-000").as_deref(), Some("0"));
        assert_eq!(ok("-\u{0661}\u{0660}").as_deref(), Some("-10"));
        assert_eq!(ok("\u{2000}\u{200a}5\u{205f}").as_deref(), Some("5"));
        for bad in [
            "",
            "+",
            "-",
            "1_",
            "_1",
            "1__2",
            "1 2",
            "++1",
            "1-",
            "0b1",
            "1.",
            "\u{1c}1",
            "1\u{0}",
            "\u{ff11}\u{ff0e}",
        ] {
            let err = parse_int(bad).expect_err(bad);
            assert_eq!(err.kind, IntErrorKind::InvalidLiteral, "{bad:?}");
            assert_eq!(
                err.message(),
                format!("invalid literal for int() with base 10: {}", repr_str(bad))
            );
        }
        let limit = parse_int(&format!("0{}", "1".repeat(INT_MAX_STR_DIGITS))).expect_err("limit");
        assert_eq!(
            limit.kind,
            IntErrorKind::TooManyDigits {
                digits: INT_MAX_STR_DIGITS + 1
            }
        );
        assert!(parse_int(&"1".repeat(INT_MAX_STR_DIGITS)).is_ok());
        // The message quotes at most 200 characters of the repr.
        let long = parse_int(&"\u{e9}".repeat(300)).expect_err("long");
        assert_eq!(long.message().chars().count(), 40 + 200);
    }

    #[test]
    fn repr_matches_python() {
        let cases = [
            ("abc", "'abc'"),
            ("it's", "\"it's\""),
            ("'\"", "'\\'\"'"),
            ("a\\b", "'a\\\\b'"),
            ("\t\n\r\u{0}\u{1f}\u{7f}", "'\\t\\n\\r\\x00\\x1f\\x7f'"),
            ("\u{85}\u{a0}\u{ad}\u{e9}", "'\\x85\\xa0\\xad\u{e9}'"),
            (
                "\u{2028}\u{3000}\u{200b}\u{378}\u{4e00}",
                "'\\u2028\\u3000\\u200b\\u0378\u{4e00}'",
            ),
            ("\u{1F600}\u{E0001}\u{10FFFF}", "'\u{1F600}\\U000e0001\\U0010ffff'"),
        ];
        for (s, want) in cases {
            assert_eq!(repr_str(s), want, "{s:?}");
        }
    }

    #[test]
    fn tables_agree_with_python() {
        use super::super::tables::{decimal_value, is_printable, is_space};
        for c in [
            '\t', '\u{b}', '\u{1c}', '\u{1f}', ' ', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}', '\u{200a}', '\u{2028}',
            '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}',
        ] {
            assert!(is_space(c), "{c:?}");
        }
        for c in [
            '\u{8}',
            '\u{e}',
            '\u{1b}',
            '!',
            '\u{84}',
            '\u{180e}',
            '\u{200b}',
            '\u{feff}',
            '\u{10ffff}',
        ] {
            assert!(!is_space(c), "{c:?}");
        }
        assert_eq!(decimal_value('0'), Some(0));
        assert_eq!(decimal_value('\u{669}'), Some(9));
        assert_eq!(decimal_value('\u{1d7ce}'), Some(0));
        assert_eq!(decimal_value('\u{1d7ff}'), Some(9));
        assert_eq!(decimal_value('\u{1fbf9}'), Some(9));
        assert_eq!(decimal_value('/'), None);
        assert_eq!(decimal_value('\u{b9}'), None);
        assert_eq!(decimal_value('\u{66a}'), None);
        assert_eq!(decimal_value('\u{10ffff}'), None);
        assert!(is_printable(' ') && is_printable('\u{e9}') && is_printable('\u{1F600}'));
        assert!(!is_printable('\u{7f}') && !is_printable('\u{a0}') && !is_printable('\u{378}'));
        assert!(!is_printable('\u{e0001}') && !is_printable('\u{10ffff}'));
    }

    #[test]
    fn garbage_never_panics() {
        let pieces = [
            "1",
            "0",
            "_",
            "+",
            "-",
            " ",
            "\u{0}",
            "\u{a0}",
            "\u{663}",
            "\u{1d7ce}",
            "x",
            "\u{e9}",
            "\u{7f}",
            "\u{1c}",
            "\u{10ffff}",
        ];
        let mut seed: u64 = 7;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let n = (seed >> 59) as usize;
            let s: String = (0..n)
                .map(|i| pieces[((seed >> (i % 8 * 4)) as usize + i) % pieces.len()])
                .collect();
            match parse_int(&s) {
                Ok(v) => assert_eq!(parse_int(&v).as_deref(), Ok(v.as_str())),
                Err(e) => assert!(!e.message().is_empty()),
            }
        }
    }
}

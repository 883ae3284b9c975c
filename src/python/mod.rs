//! Python's own rules, re-implemented where OMERO relies on them: `str.strip`,
//! `int()`, `json.loads`/`json.dumps`, ElementTree's escaping, `re.compile`, `shlex.split`, text-mode
//! line reading and omero-py's argparse. Each is checked against the real
//! CPython or omero-py (recorded cases in tests/fixtures/python, the oracle).
//! Nothing outside this module emulates Python.

pub mod argparse;
pub mod etree;
pub mod int;
pub mod io;
pub mod json;
pub mod re;
pub mod shlex;
pub mod tables;

/// Python's `str.isspace` for one character (CPython 3.11).
pub use tables::is_space;

/// Python's `str.strip()` with no argument.
pub fn strip(text: &str) -> &str {
    text.trim_matches(is_space)
}

/// Python's `str.rstrip()` with no argument.
pub fn rstrip(text: &str) -> &str {
    text.trim_end_matches(is_space)
}

/// Python's `parse_boolean` from omero-web: true only for `true`, `1` or `t`
/// after `strip()` and `lower()`; everything else is false.
pub fn parse_boolean(text: &str) -> bool {
    let word = strip(text).to_lowercase();
    matches!(word.as_str(), "true" | "1" | "t")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_removes_python_whitespace_only() {
        assert_eq!(strip("\u{a0} x \u{1f}\r\n"), "x");
        assert_eq!(strip("\u{200b}x"), "\u{200b}x");
        assert_eq!(rstrip(" a \t\n\u{1f}\u{a0}"), " a");
    }

    #[test]
    fn parse_boolean_is_strict() {
        assert!(parse_boolean(" TRUE "));
        assert!(parse_boolean("t"));
        assert!(parse_boolean("1"));
        assert!(!parse_boolean("yes"));
        assert!(!parse_boolean("on"));
        assert!(!parse_boolean("True!"));
    }
}

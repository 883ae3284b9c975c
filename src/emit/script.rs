//! A bash script of `omero config set KEY VALUE` lines that rebuilds the
//! stored properties. Values are single-quoted, which bash (and Python's
//! `shlex`) read back exactly; only NUL cannot be passed as an argument.

use super::{not_carried, Refusal, Written};
use crate::document::Format;
use crate::resolve::valid_key;
use indexmap::IndexMap;

pub fn write(stored: &IndexMap<String, String>, force: bool) -> Result<Written, Refusal> {
    let mut text = String::from(
        "#!/usr/bin/env bash\n\
         # Sets the OMERO.web configuration; run as the OMERO.web user with OMERODIR set.\n\
         set -eu\n",
    );
    let mut altered = Vec::new();
    for (key, value) in stored {
        let Some(value) = argument(key, value, Format::Script, force, &mut altered)? else {
            continue;
        };
        text.push_str(&format!(
            "omero config set {}\n",
            set_arguments(key, &value, bash_quote)
        ));
    }
    Ok(Written {
        text,
        altered,
        warnings: Vec::new(),
    })
}

/// The value as a command argument, or `None` when the key cannot be set
/// at all (`omero config set` rejects it; skipped and reported with force).
pub(crate) fn argument(
    key: &str,
    value: &str,
    format: Format,
    force: bool,
    altered: &mut Vec<String>,
) -> Result<Option<String>, Refusal> {
    if !valid_key(key) {
        not_carried(key, "`omero config set` rejects this key", format, force, altered)?;
        return Ok(None);
    }
    if value.contains('\0') {
        not_carried(key, "a command argument cannot hold NUL", format, force, altered)?;
        return Ok(Some(value.replace('\0', "")));
    }
    Ok(Some(value.to_string()))
}

/// `KEY VALUE` quoted for the shell, with `--` first when either starts
/// with `-` (argparse would take it for an option).
pub(crate) fn set_arguments(key: &str, value: &str, quote: fn(&str) -> String) -> String {
    let separator = if key.starts_with('-') || value.starts_with('-') {
        "-- "
    } else {
        ""
    };
    format!("{separator}{} {}", quote(key), quote(value))
}

/// [`quote`], except that a value with control characters other than tab
/// and newline uses bash's `$'...'`: a literal carriage return does not
/// survive editors and checkouts, an escape does.
fn bash_quote(word: &str) -> String {
    let awkward = |c: char| (c < ' ' && c != '\n' && c != '\t') || c == '\u{7f}';
    if !word.contains(awkward) {
        return quote(word);
    }
    let mut out = String::from("$'");
    for c in word.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if awkward(c) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Python's `shlex.quote`: bare when only safe characters, else single
/// quotes with `'"'"'` for each quote inside; bash and shlex agree on it.
pub(crate) fn quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', "'\"'\"'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_quoting() {
        assert_eq!(quote("/omero"), "/omero");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("it's $x"), "'it'\"'\"'s $x'");
        assert_eq!(set_arguments("omero.web.x", "-1", quote), "-- omero.web.x -1");
        assert_eq!(bash_quote("a\r\nb'\\\u{1}c"), "$'a\\r\\nb\\'\\\\\\x01c'");
        let stored = crate::emit::stored_from(&[("a", "[\"x\"]")]);
        let written = write(&stored, false).map(|w| w.text).unwrap_or_default();
        assert!(written.ends_with("\nomero config set a '[\"x\"]'\n"), "{written}");
    }
}

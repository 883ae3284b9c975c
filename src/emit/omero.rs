//! A command file for `omero load`: one `config set -- KEY VALUE` per line.
//! omero-py reads it line by line and splits each with `shlex.split`, so
//! values are quoted as for the shell but cannot hold a line break.

use super::script::{argument, quote};
use super::{not_carried, Refusal, Written};
use crate::document::Format;
use indexmap::IndexMap;

pub fn write(stored: &IndexMap<String, String>, force: bool) -> Result<Written, Refusal> {
    let mut text = String::from("# Load with `omero load FILE` as the OMERO.web user, with OMERODIR set.\n");
    let mut altered = Vec::new();
    for (key, value) in stored {
        let Some(mut value) = argument(key, value, Format::Omero, force, &mut altered)? else {
            continue;
        };
        if value.contains(['\n', '\r']) {
            not_carried(key, "every command is one line", Format::Omero, force, &mut altered)?;
            value = value.replace("\r\n", " ").replace(['\n', '\r'], " ");
        }
        // Always `--`: a key or value may start with `-`.
        text.push_str(&format!("config set -- {} {}\n", quote(key), quote(&value)));
    }
    Ok(Written {
        text,
        altered,
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_property_and_no_line_breaks() {
        let stored = crate::emit::stored_from(&[("a", "it's"), ("b", "x\ny")]);
        assert_eq!(write(&stored, false).err().and_then(|r| r.key).as_deref(), Some("b"));
        let written = write(&stored, true).ok();
        let text = written.as_ref().map(|w| w.text.as_str()).unwrap_or_default();
        assert!(
            text.ends_with("config set -- a 'it'\"'\"'s'\nconfig set -- b 'x y'\n"),
            "{text}"
        );
        assert_eq!(written.map(|w| w.altered), Some(vec!["b".to_string()]));
    }
}

//! The `key=value` file `omero config load` reads (and `omero config get`
//! prints). omero-py reads it line by line and `strip()`s each line, and a
//! line ending in `\` continues on the next, so a value cannot hold a line
//! break, end in whitespace or end in `\`.

use super::{not_carried, Refusal, Written};
use crate::document::Format;
use crate::python;
use indexmap::IndexMap;

pub fn write(stored: &IndexMap<String, String>, force: bool) -> Result<Written, Refusal> {
    let mut text = String::new();
    let mut altered = Vec::new();
    for (key, value) in stored {
        let mut value = value.clone();
        if value.contains(['\n', '\r']) {
            not_carried(
                key,
                "a line break ends the line",
                Format::Properties,
                force,
                &mut altered,
            )?;
            value = value.replace("\r\n", " ").replace(['\n', '\r'], " ");
        }
        if value.ends_with(python::is_space) {
            not_carried(
                key,
                "trailing whitespace is stripped",
                Format::Properties,
                force,
                &mut altered,
            )?;
            value = value.trim_end_matches(python::is_space).to_string();
        }
        if value.ends_with('\\') {
            not_carried(
                key,
                "a trailing `\\` joins the next line",
                Format::Properties,
                force,
                &mut altered,
            )?;
            value = value.trim_end_matches('\\').to_string();
        }
        text.push_str(&format!("{key}={value}\n"));
    }
    altered.dedup();
    Ok(Written {
        text,
        altered,
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::stored_from as map;

    #[test]
    fn refuses_values_the_format_cannot_carry_naming_the_key() {
        for value in ["a\nb", "a ", "a\\", "x\r"] {
            let refusal = write(&map(&[("omero.web.x", value)]), false).err();
            assert_eq!(refusal.and_then(|r| r.key).as_deref(), Some("omero.web.x"), "{value:?}");
        }
        let written = write(&map(&[("a", "x\\ "), ("b", " kept")]), true).ok();
        assert_eq!(
            written,
            Some(Written {
                text: "a=x\nb= kept\n".into(),
                altered: vec!["a".into()],
                warnings: Vec::new()
            })
        );
    }
}

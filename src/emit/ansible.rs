//! Ansible variables for the ome.omero_web role: every property as a
//! string under `omero_web_config_set`, so the role stores it unchanged
//! (strings are written as they are; only non-strings go through
//! `to_json`). Text Jinja would render is tagged `!unsafe`.

use super::{not_carried, Refusal, Written};
use crate::document::Format;
use indexmap::IndexMap;

pub fn write(stored: &IndexMap<String, String>, force: bool) -> Result<Written, Refusal> {
    let mut text = String::from("---\n# Variables for the ome.omero_web Ansible role.\nomero_web_config_set:\n");
    let mut warnings = Vec::new();
    let mut altered = Vec::new();
    for (key, value) in stored {
        if value.contains(['\n', '\r']) {
            not_carried(key, "a line break", Format::Ansible, force, &mut altered)?;
            // The role's `.omero` file is read one line at a time by `omero load`.
            warnings.push(format!(
                "{key}: the role cannot write a value with a line break (omero load reads one line per command)"
            ));
            text.push_str(&format!(
                "  # {} has a line break in its value; see the warning\n",
                quoted(key)
            ));
            continue;
        }
        let unsafe_tag = if value.contains("{{") || value.contains("{%") || value.contains("{#") {
            "!unsafe "
        } else {
            ""
        };
        text.push_str(&format!("  {}: {unsafe_tag}{}\n", quoted(key), quoted(value)));
    }
    Ok(Written {
        text,
        warnings,
        altered,
    })
}

/// A YAML double-quoted scalar: always a string, any character escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Value;
    use crate::source::ansible::parse;

    #[test]
    fn written_variables_read_back_to_the_same_strings() {
        let stored = crate::emit::stored_from(&[
            ("omero.web.debug", "yes"),
            ("omero.web.wsgi_workers", "5"),
            ("omero.web.apps", r#"["omero_iviewer"]"#),
            ("omero.web.top_logo", "{{ not a template }}"),
            ("omero.web.public.password", "p\"a\\ss\tword"),
            ("omero.web.login_logo", "a\nb"),
        ]);
        assert!(
            write(&stored, false).is_err(),
            "a line break is refused without --force"
        );
        let Ok(written) = write(&stored, true) else {
            panic!("written with force")
        };
        assert_eq!(written.warnings.len(), 1);
        let doc = parse("vars.yml", &written.text);
        assert!(doc.findings.is_empty(), "{:?}\n{}", doc.findings, written.text);
        let read: Vec<(&str, &str)> = doc
            .operations
            .iter()
            .map(|o| (o.key.as_str(), o.value.as_ref().and_then(Value::known).unwrap_or("?")))
            .collect();
        let expected: Vec<(&str, &str)> = stored.iter().take(5).map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(read, expected);
    }
}

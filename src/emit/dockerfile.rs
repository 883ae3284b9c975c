//! `ENV` lines for a Dockerfile built on omero-web-docker: one
//! `CONFIG_name='value'` per property, which the image applies when a
//! container starts. Values are single-quoted (literal in a Dockerfile);
//! one holding a `'` is double-quoted with `\`, `"` and `$` escaped. A line
//! break cannot be held (a trailing `\` continues the instruction).

use super::env::write_variables;
use super::{Refusal, Written};
use crate::document::Format;
use indexmap::IndexMap;

pub fn write(stored: &IndexMap<String, String>, force: bool) -> Result<Written, Refusal> {
    write_variables(
        stored,
        force,
        Format::Dockerfile,
        "# omero-web-docker settings, applied when a container starts:\n\
         # add these lines to a Dockerfile FROM openmicroscopy/omero-web-standalone\n",
        |name, value| {
            if value.contains(['\n', '\r']) {
                Err("a line break")
            } else if value.contains('\'') {
                let escaped: String = value
                    .chars()
                    .flat_map(|c| matches!(c, '\\' | '"' | '$').then_some('\\').into_iter().chain([c]))
                    .collect();
                Ok(format!("ENV {name}=\"{escaped}\"\n"))
            } else {
                Ok(format!("ENV {name}='{value}'\n"))
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Value;
    use crate::formats;
    use crate::source::Options;

    #[test]
    fn written_lines_read_back_to_the_same_properties() {
        let stored = crate::emit::stored_from(&[
            ("omero.web.server_list", r#"[["omero.example.org", 4064, "omero"]]"#),
            ("omero.web.prefix", " /omero"),
            ("omero.web.login_view", r#"it's "$HOME" \ here"#),
            ("omero.web.public.enabled", ""),
            ("omero.x.y", "unreachable"),
            ("omero.web.login_logo", "a\nb"),
        ]);
        let refused = write(&stored, false).err().map(|r| r.message);
        assert!(
            refused
                .as_deref()
                .is_some_and(|r| r.starts_with("omero.web.login_logo: ")),
            "{refused:?}"
        );
        let Ok(written) = write(&stored, true) else {
            panic!("written with force")
        };
        assert_eq!(written.altered, ["omero.web.login_logo"]);
        assert_eq!(written.warnings.len(), 2, "{:?}", written.warnings);
        let text = format!("FROM openmicroscopy/omero-web-standalone:5.33.2\n{}", written.text);
        let doc = formats::read("Dockerfile", text, Format::Dockerfile, &Options::default());
        assert!(doc.findings.is_empty(), "{:?}", doc.findings);
        let read: Vec<(&str, &str)> = doc
            .operations
            .iter()
            .map(|o| (o.key.as_str(), o.value.as_ref().and_then(Value::known).unwrap_or("?")))
            .collect();
        let expected: Vec<(&str, &str)> = stored.iter().take(4).map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(read, expected);
    }
}

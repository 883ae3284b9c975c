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
    use crate::formats;
    use crate::source::Options;

    #[test]
    fn quoted_values_read_back_as_written_and_line_breaks_are_refused() {
        let stored = crate::emit::stored_from(&[
            ("omero.web.server_list", r#"[["omero.example.org", 4064, "omero"]]"#),
            ("omero.web.prefix", " /omero"),
            ("omero.web.login_view", r#"it's "$HOME" \ here"#),
            ("omero.web.public.enabled", ""),
        ]);
        let Ok(written) = write(&stored, false) else {
            panic!("every value fits a Dockerfile")
        };
        assert!(written
            .text
            .contains(r#"ENV CONFIG_omero_web_login__view="it's \"\$HOME\" \\ here""#));
        let image = format!("FROM openmicroscopy/omero-web-standalone:5.33.2\n{}", written.text);
        let doc = formats::read("Dockerfile", image, Format::Dockerfile, &Options::default());
        assert!(doc.findings.is_empty(), "{:?}", doc.findings);
        let read: IndexMap<String, String> = doc
            .operations
            .iter()
            .filter_map(|o| Some((o.key.clone(), o.value.as_ref()?.known()?.to_string())))
            .collect();
        assert_eq!(read, stored);
        let broken = crate::emit::stored_from(&[("omero.web.login_logo", "a\nb")]);
        let refused = write(&broken, false).err().map(|r| r.message).unwrap_or_default();
        assert!(refused.contains("a line break"), "{refused}");
    }
}

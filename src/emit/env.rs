//! A `docker run --env-file` file for omero-web-docker: one
//! `CONFIG_name=value` line per property, the value verbatim (docker keeps
//! everything after `=`). A key no variable name maps back to is written
//! as a comment and reported; so is a value with a line break, which is
//! refused unless `force`.

use super::{not_carried, Refusal, Written};
use crate::document::Format;
use crate::source::env::{config_key, env_name};
use indexmap::IndexMap;

pub fn write(stored: &IndexMap<String, String>, force: bool) -> Result<Written, Refusal> {
    write_variables(
        stored,
        force,
        Format::Env,
        "# omero-web-docker settings: docker run --env-file FILE\n",
        |name, value| match value.contains(['\n', '\r']) {
            true => Err("a line break"),
            false => Ok(format!("{name}={value}\n")),
        },
    )
}

/// One omero-web-docker `CONFIG_` variable per property, each written by
/// `line` (or refused by it with the reason). A key no variable name maps
/// back to, and a refused value, become a comment and a warning.
pub(crate) fn write_variables(
    stored: &IndexMap<String, String>,
    force: bool,
    format: Format,
    header: &str,
    line: fn(name: &str, value: &str) -> Result<String, &'static str>,
) -> Result<Written, Refusal> {
    let mut text = String::from(header);
    let mut warnings = Vec::new();
    let mut altered = Vec::new();
    for (key, value) in stored {
        let Some(name) = env_name(key) else {
            let attempt = format!("CONFIG_{}", key.replace('_', "__").replace('.', "_"));
            let lands = config_key(&attempt).unwrap_or_default();
            warnings.push(format!(
                "{key}: no CONFIG_ variable sets this key (`{attempt}` would set `{lands}`); set it in a mounted .omero file"
            ));
            text.push_str(&format!("# {key} cannot be set by a variable; see the warning\n"));
            continue;
        };
        match line(&name, value) {
            Ok(line) => text.push_str(&line),
            Err(why) => {
                not_carried(key, why, format, force, &mut altered)?;
                warnings.push(format!(
                    "{key}: a {format} file cannot hold a value with {why}; set it in a mounted .omero file"
                ));
                text.push_str(&format!("# {name} has {why} in its value; see the warning\n"));
            }
        }
    }
    Ok(Written {
        text,
        warnings,
        altered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Value;
    use crate::source::env::{parse, EnvStyle};

    #[test]
    fn written_files_read_back_to_the_same_properties() {
        let stored = crate::emit::stored_from(&[
            ("omero.web.server_list", r#"[["omero.example.org", 4064, "omero"]]"#),
            ("omero.web.prefix", " /omero"),
            ("omero.web.public.enabled", "\"true\""),
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
        assert_eq!(written.warnings.len(), 2);
        assert!(
            written.warnings[0].contains("`CONFIG_omero_x_y` would set `omero.x_y`"),
            "{:?}",
            written.warnings
        );
        let doc = parse("web.env", &written.text, EnvStyle::Docker);
        let read: Vec<(&str, &str)> = doc
            .operations
            .iter()
            .map(|o| (o.key.as_str(), o.value.as_ref().and_then(Value::known).unwrap_or("?")))
            .collect();
        let expected: Vec<(&str, &str)> = stored.iter().take(3).map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(read, expected);
    }
}

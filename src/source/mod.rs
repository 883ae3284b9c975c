//! One parser per input format, each producing a [`Document`]; format
//! detection from the file name and content.

use crate::document::{Document, Format, Operation, Span, Suppression};
use std::path::{Path, PathBuf};

pub mod ansible;
pub mod compose;
pub mod env;
pub mod json;
pub mod omero;
pub mod properties;
pub mod script;
pub mod toml;
pub mod xml;
pub mod yaml;

/// The codes of a `# omeroconf: ignore[CODE, ...]` comment (`comment` is the
/// whole comment, `#` included); an empty list silences every code.
pub fn suppressed_codes(comment: &str) -> Option<Vec<String>> {
    let body = comment.trim_start_matches('#').trim();
    let rest = body.strip_prefix("omeroconf:")?.trim_start();
    let rest = rest.strip_prefix("ignore")?;
    if rest.trim().is_empty() {
        return Some(Vec::new());
    }
    let inner = rest.trim_start().strip_prefix('[')?.split(']').next()?;
    Some(
        inner
            .split(',')
            .map(|c| c.trim().to_uppercase())
            .filter(|c| !c.is_empty())
            .collect(),
    )
}

/// Applies a `# omeroconf: ignore[...]` comment on the line before each
/// operation's `anchor` span (where the YAML inputs write a key or value).
pub(crate) fn suppress_from_previous_lines(doc: &mut Document, anchor: fn(&Operation) -> Span) {
    let found: Vec<Suppression> = doc
        .operations
        .iter()
        .filter_map(|op| {
            let at = anchor(op);
            let line_start = doc.source.get(..at.start)?.rfind('\n')?;
            let previous = doc.source[..line_start].rsplit('\n').next()?;
            let codes = suppressed_codes(previous.trim())?;
            Some(Suppression { codes, applies_to: at })
        })
        .collect();
    doc.suppressions.extend(found);
}

/// Guesses a file's format from its name, then from its first bytes.
pub fn detect(path: &Path, source: &str) -> Format {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let extension = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match extension {
        "sh" | "bash" => return Format::Script,
        "omero" => return Format::Omero,
        "xml" => return Format::Xml,
        "toml" => return Format::Toml,
        "json" => return Format::Json,
        "properties" | "backup" | "cfg" => return Format::Properties,
        "env" | "envfile" => return Format::Env,
        "yml" | "yaml" => return yaml_format(source),
        _ => {}
    }
    if name == "env.list" || name.ends_with(".env.list") || name.starts_with(".env") {
        return Format::Env;
    }
    let head = source.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("#!") {
        Format::Script
    } else if head.starts_with('<') {
        Format::Xml
    } else if head.starts_with('{') {
        Format::Json
    } else if looks_like_script(source) {
        Format::Script
    } else {
        Format::Properties
    }
}

/// A YAML file is Ansible when it sets one of the role's variables, else
/// compose or Kubernetes.
fn yaml_format(source: &str) -> Format {
    let sets_role_variable = source.lines().any(|line| {
        let name = line
            .trim_start()
            .trim_start_matches("- ")
            .split(':')
            .next()
            .unwrap_or("")
            .trim();
        ansible::VARIABLES.contains(&name)
    });
    if sets_role_variable {
        Format::Ansible
    } else {
        Format::Compose
    }
}

/// A file without a telling name is a script when some line starts with a
/// command that runs `omero config`.
fn looks_like_script(source: &str) -> bool {
    source.lines().take(200).any(|line| {
        let line = line.trim_start();
        !line.starts_with('#') && !line.contains('=') || line.contains("omero config ")
    }) && source.contains("omero")
}

/// The format of a file met while walking a directory, or `None` for files
/// omeroconf should leave alone (stricter than [`detect`]: a directory holds
/// `Cargo.toml`, CI YAML and unrelated XML too).
pub fn recognise(path: &Path, source: &str) -> Option<Format> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let extension = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let format = match extension {
        "sh" | "bash" => Format::Script,
        "omero" => Format::Omero,
        // `log4j.properties` and the like hold no `omero.` key.
        "properties" | "backup" if source.contains("omero.") => Format::Properties,
        "xml" if source.contains("<icegrid") => Format::Xml,
        "toml" if source.contains("[omero") || source.contains("omero.web") => Format::Toml,
        "yml" | "yaml" => match yaml_format(source) {
            Format::Ansible => Format::Ansible,
            _ if source.contains("omero-web") || source.contains("CONFIG_omero") => Format::Compose,
            _ => return None,
        },
        _ => match detect(path, source) {
            Format::Env if source.contains("CONFIG_") || source.contains("OMEROHOST") => Format::Env,
            _ => return None,
        },
    };
    Some(format)
}

/// Whether a script runs an `omero` command at all (the word `omero`, or a
/// path ending in `/omero`, outside comments).
pub fn runs_omero(source: &str) -> bool {
    source.lines().any(|line| {
        let code = line.split(" #").next().unwrap_or(line).trim_start();
        !code.starts_with('#')
            && code
                .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '`' | '"' | '\''))
                .any(|word| word == "omero" || word.ends_with("/omero"))
    })
}

/// What a parser may need beyond the text.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Shell variables given on the command line (`--var NAME=VALUE`).
    pub vars: Vec<(String, String)>,
    /// Where relative file names in the input resolve from.
    pub base_dir: Option<PathBuf>,
    /// The config.xml profile to read instead of the active one.
    pub profile: Option<String>,
    /// Who reads an env file (`None`: compose for `.env`, else docker).
    pub env_style: Option<env::EnvStyle>,
}

/// Parses `source` in `format`.
/// Given the text as a `String`, the script and properties readers keep it
/// in the document without a copy (their inputs are the ones that get large).
pub fn parse<S: AsRef<str> + Into<String>>(path: &str, source: S, format: Format, options: &Options) -> Document {
    let text = source.as_ref();
    match format {
        Format::Properties => properties::parse(path, source),
        Format::Xml => xml::parse(path, text, options.profile.as_deref()),
        Format::Toml => toml::parse(path, text),
        Format::Json => json::parse(path, text),
        Format::Omero => omero::parse(path, text),
        Format::Script => script::parse(
            path,
            source,
            &script::ScriptOptions {
                vars: options.vars.clone(),
                base_dir: options.base_dir.clone(),
            },
        ),
        Format::Env => env::parse(path, text, options.env_style.unwrap_or_else(|| default_env_style(path))),
        Format::Ansible => ansible::parse(path, text),
        Format::Compose => compose::parse(path, text, options),
    }
}

/// compose reads `.env` files; any other env file is taken as docker's `--env-file`.
fn default_env_style(path: &str) -> env::EnvStyle {
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name == ".env" {
        env::EnvStyle::Compose
    } else {
        env::EnvStyle::Docker
    }
}

/// What the parser tests compare: stored values (`?` when unknown) and codes.
#[cfg(test)]
pub(crate) mod test_util {
    use crate::document::{Document, Value};

    pub fn stored(doc: &Document) -> Vec<(String, String)> {
        doc.operations
            .iter()
            .map(|o| {
                (
                    o.key.clone(),
                    o.value.as_ref().and_then(Value::known).unwrap_or("?").to_string(),
                )
            })
            .collect()
    }

    pub fn codes(doc: &Document) -> Vec<&'static str> {
        doc.findings.iter().map(|f| f.code()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppression_comments() {
        assert_eq!(
            suppressed_codes("# omeroconf: ignore[ty006, KY001]"),
            Some(vec!["TY006".into(), "KY001".into()])
        );
        assert_eq!(suppressed_codes("#omeroconf: ignore"), Some(vec![]));
        assert_eq!(suppressed_codes("# ignore[TY006]"), None);
        assert_eq!(suppressed_codes("# omeroconf: ignored stuff"), None);
    }

    #[test]
    fn directories_only_yield_configuration_files() {
        assert_eq!(recognise(Path::new("Cargo.toml"), "[package]\nname = \"x\"\n"), None);
        assert_eq!(
            recognise(Path::new("web.toml"), "[omero.web]\ndebug = true\n"),
            Some(Format::Toml)
        );
        assert_eq!(
            recognise(Path::new(".github/workflows/ci.yml"), "on: push\njobs: {}\n"),
            None
        );
        assert_eq!(
            recognise(
                Path::new("compose.yaml"),
                "services:\n  web:\n    image: openmicroscopy/omero-web\n"
            ),
            Some(Format::Compose)
        );
        assert_eq!(recognise(Path::new("pom.xml"), "<project/>"), None);
        assert_eq!(
            recognise(Path::new("web.env"), "CONFIG_omero_web_debug=true\n"),
            Some(Format::Env)
        );
        assert_eq!(recognise(Path::new("db.env"), "POSTGRES_PASSWORD=x\n"), None);
        assert_eq!(recognise(Path::new("README.md"), "omero"), None);
        assert_eq!(
            recognise(Path::new("log4j.properties"), "log4j.rootLogger=INFO, stdout\n"),
            None
        );
        assert_eq!(
            recognise(Path::new("web.properties"), "omero.web.debug=true\n"),
            Some(Format::Properties)
        );
    }

    #[test]
    fn scripts_without_omero_commands() {
        assert!(runs_omero("set -e\n$OMERODIR/bin/omero config set a b\n"));
        assert!(runs_omero("sudo -u omero omero config get\n"));
        assert!(!runs_omero(
            "#!/bin/sh\n# configure omero later\necho omero-web is great\n"
        ));
    }

    #[test]
    fn detection_by_name_and_content() {
        assert_eq!(detect(Path::new("setup-web.sh"), ""), Format::Script);
        assert_eq!(
            detect(Path::new("properties.backup"), "omero.web.debug=true"),
            Format::Properties
        );
        assert_eq!(detect(Path::new("config"), "<icegrid>"), Format::Xml);
        assert_eq!(detect(Path::new("web"), "omero.web.debug=true\n"), Format::Properties);
        assert_eq!(
            detect(Path::new("web"), "set -e\nomero config set omero.web.debug true\n"),
            Format::Script
        );
        assert_eq!(
            detect(Path::new("web.env"), "CONFIG_omero_web_debug=true\n"),
            Format::Env
        );
        assert_eq!(detect(Path::new(".env"), ""), Format::Env);
        assert_eq!(
            detect(Path::new("docker-compose.yml"), "services:\n  web:\n"),
            Format::Compose
        );
        assert_eq!(
            detect(Path::new("group_vars/all.yml"), "omero_web_config_set:\n  a: b\n"),
            Format::Ansible
        );
        assert_eq!(
            detect(
                Path::new("site.yml"),
                "- hosts: all\n  roles:\n    - role: ome.omero_web\n      omero_web_apps_names: [x]\n"
            ),
            Format::Ansible
        );
    }
}

//! Every configuration format as one row of [`FORMATS`]: the names that
//! identify a file, how a directory search tells it from unrelated files,
//! its reader (`source::<format>`) and its writer (`emit::<format>`). A new
//! format is a reader module, a writer module and one row; a test fails
//! when a [`Format`] has no row.
//!
//! What stays with the code that needs it, because it is behaviour rather
//! than a fact to look up: which values `edit` may rewrite in place
//! (`edit::literal_value`), and how `resolve` loads a format (a properties
//! file is applied all or nothing, config.xml keys are not checked).

use crate::document::{Document, Format};
use crate::emit::{self, Refusal, WriteOptions, Written};
use crate::resolve::Config;
use crate::source::{ansible, compose, env, json, omero, properties, script, toml, xml, Options};
use indexmap::IndexMap;
use std::path::Path;

/// Reads a file's text into a document.
type Reader = fn(path: &str, text: String, options: &Options) -> Document;
/// Writes stored properties; `force` writes what the format cannot carry exactly, altered.
type Writer = fn(stored: &IndexMap<String, String>, force: bool) -> Result<Written, Refusal>;

/// One format.
pub struct Spec {
    pub format: Format,
    /// File name endings (after the last `.`) that name this format, once a
    /// template ending such as `.j2` is taken off.
    pub extensions: &'static [&'static str],
    /// Whole names, `prefix*` or `*suffix`, that name it too (checked after
    /// every row's extensions).
    pub names: &'static [&'static str],
    /// For formats that share an ending (YAML): whether the text is this one.
    pub claims: fn(text: &str) -> bool,
    /// Whether a file named as this format and met by walking a directory is
    /// configuration (a directory also holds `Cargo.toml`, CI YAML, `pom.xml`).
    pub found: fn(name: &str, text: &str) -> bool,
    pub read: Reader,
    pub write: Writer,
}

fn always(_: &str) -> bool {
    true
}

pub static FORMATS: [Spec; 10] = [
    Spec {
        format: Format::Script,
        extensions: &["sh", "bash"],
        names: &[],
        claims: always,
        found: |_, _| true,
        read: |path, text, options| script::parse(path, text, &script_options(options, false)),
        write: emit::script::write,
    },
    Spec {
        format: Format::Omero,
        extensions: &["omero"],
        names: &[],
        claims: always,
        found: |_, _| true,
        read: |path, text, _| omero::parse(path, &text),
        write: emit::omero::write,
    },
    Spec {
        format: Format::Properties,
        extensions: &["properties", "backup", "cfg"],
        names: &[],
        claims: always,
        // `.cfg` is too common a name to take from a directory; `log4j.properties`
        // and the like hold no `omero.` key.
        found: |name, text| (name.ends_with(".properties") || name.ends_with(".backup")) && text.contains("omero."),
        read: |path, text, _| properties::parse(path, text),
        write: emit::properties::write,
    },
    Spec {
        format: Format::Xml,
        extensions: &["xml"],
        names: &[],
        claims: always,
        found: |_, text| text.contains("<icegrid"),
        read: |path, text, options| xml::parse(path, &text, options.profile.as_deref()),
        write: |stored, force| emit::xml::write(stored, &emit::xml::generated_now(), force),
    },
    Spec {
        format: Format::Toml,
        extensions: &["toml"],
        names: &[],
        claims: always,
        found: |_, text| text.contains("[omero") || text.contains("omero.web"),
        read: |path, text, _| toml::parse(path, &text),
        write: |stored, _| {
            Ok(Written {
                text: emit::toml::write(stored),
                ..Written::default()
            })
        },
    },
    Spec {
        format: Format::Json,
        extensions: &["json"],
        names: &[],
        claims: always,
        found: |_, _| false,
        read: |path, text, _| json::parse(path, &text),
        write: |stored, _| {
            Ok(Written {
                text: emit::json::write(stored),
                ..Written::default()
            })
        },
    },
    Spec {
        format: Format::Env,
        extensions: &["env", "envfile"],
        names: &["env.list", "*.env.list", ".env*"],
        claims: always,
        found: |_, text| text.contains("CONFIG_") || text.contains("OMEROHOST"),
        read: |path, text, options| match options.env_style.or_else(|| compose_env_file(path)) {
            Some(style) => env::parse(path, &text, style),
            None => env::parse_either(path, &text),
        },
        write: |stored, force| emit::env::write(stored, force),
    },
    // Before compose: a YAML file is Ansible when it sets one of the role's variables.
    Spec {
        format: Format::Ansible,
        extensions: &["yml", "yaml"],
        names: &[],
        claims: sets_role_variable,
        found: |_, _| true,
        read: |path, text, _| ansible::parse(path, &text),
        write: |stored, force| emit::ansible::write(stored, force),
    },
    Spec {
        format: Format::Compose,
        extensions: &["yml", "yaml"],
        names: &[],
        claims: always,
        found: |_, text| text.contains("omero-web") || text.contains("CONFIG_omero"),
        read: |path, text, options| compose::parse(path, &text, options),
        write: |_, _| {
            Err(Refusal::new(
                "omeroconf does not write compose files; convert --to env and use it as env_file",
            ))
        },
    },
    Spec {
        format: Format::Dockerfile,
        extensions: &[],
        names: &[
            "dockerfile",
            "containerfile",
            "*.dockerfile",
            "*.containerfile",
            "dockerfile.*",
            "containerfile.*",
        ],
        claims: always,
        // A Dockerfile that never names OMERO builds something else.
        found: |_, text| text.contains("omero"),
        read: |path, text, options| script::parse(path, text, &script_options(options, true)),
        write: emit::dockerfile::write,
    },
];

/// The script reader's options; a Dockerfile is read as the script its build runs.
fn script_options(options: &Options, dockerfile: bool) -> script::ScriptOptions {
    script::ScriptOptions {
        vars: options.vars.clone(),
        base_dir: options.base_dir.clone(),
        dockerfile,
    }
}

/// The row of `format`: rows are in the order of the variants (tested).
pub fn spec(format: Format) -> &'static Spec {
    &FORMATS[format as usize]
}

/// Parses `text` in `format`. Given the text as a `String`, the script and
/// properties readers keep it in the document without a copy (their inputs
/// are the ones that get large).
pub fn read(path: &str, text: impl Into<String>, format: Format, options: &Options) -> Document {
    (spec(format).read)(path, text.into(), options)
}

/// The stored properties of `config` in `format`.
pub fn write(config: &Config, format: Format, options: WriteOptions) -> Result<Written, Refusal> {
    let stored = emit::stored(config)?;
    let stored = if options.mask_secrets {
        emit::masked(&stored)
    } else {
        stored
    };
    (spec(format).write)(&stored, options.force)
}

/// The name of omeroconf's own project configuration (see the `project` module):
/// TOML, but never OMERO.web configuration, so no format claims it.
pub const PROJECT_FILE: &str = ".omeroconf.toml";

/// Whether `path` is named as omeroconf's project configuration.
pub fn is_project_file(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name == PROJECT_FILE)
}

/// Endings of template files, taken off before the name is read.
const TEMPLATE_SUFFIXES: [&str; 3] = [".j2", ".jinja2", ".jinja"];

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// The format a (lower-case) file name gives, reading `text` only where
/// formats share an ending.
fn by_name(name: &str, text: &str) -> Option<Format> {
    let extension = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let named = |pattern: &&str| match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(suffix), _) => name.ends_with(suffix),
        (_, Some(prefix)) => name.starts_with(prefix),
        _ => name == *pattern,
    };
    FORMATS
        .iter()
        .find(|s| s.extensions.contains(&extension) && (s.claims)(text))
        .or_else(|| FORMATS.iter().find(|s| s.names.iter().any(named)))
        .map(|s| s.format)
}

/// Whether a file's name alone names a configuration format (its text may
/// be unreadable: this is how a directory search tells a configuration file
/// that is not UTF-8 from the other files of a tree).
pub fn named(path: &Path) -> bool {
    named_as(path).is_some()
}

/// The format a file's name alone gives (YAML: compose, as the text is not read).
pub fn named_as(path: &Path) -> Option<Format> {
    if is_project_file(path) {
        return None;
    }
    by_name(&file_name(path), "")
}

/// Guesses a file's format from its name, then from its first bytes.
pub fn detect(path: &Path, text: &str) -> Format {
    let name = file_name(path);
    // A Jinja template is judged as the file it renders (`web.omero.j2`).
    let name = TEMPLATE_SUFFIXES
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .map_or(name.as_str(), |inner| inner);
    by_name(name, text).unwrap_or_else(|| sniff(text))
}

/// The format of a file without a telling name, from its content.
fn sniff(text: &str) -> Format {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("#!") {
        Format::Script
    } else if head.starts_with('<') {
        Format::Xml
    } else if head.starts_with('{') {
        Format::Json
    } else if looks_like_command_file(text) {
        Format::Omero
    } else if looks_like_script(text) {
        Format::Script
    } else {
        Format::Properties
    }
}

/// The format of a file met while walking a directory, or `None` for files
/// omeroconf should leave alone (stricter than [`detect`]: templates and
/// files named only by their content are not taken).
pub fn recognise(path: &Path, text: &str) -> Option<Format> {
    if is_project_file(path) {
        return None;
    }
    let name = file_name(path);
    let format = by_name(&name, text)?;
    (spec(format).found)(&name, text).then_some(format)
}

/// Whether a YAML text sets one of the ome.omero_web role's variables.
fn sets_role_variable(text: &str) -> bool {
    text.lines().any(|line| {
        let name = line
            .trim_start_matches('\u{feff}')
            .trim_start()
            .trim_start_matches("- ")
            .split(':')
            .next()
            .unwrap_or("")
            .trim();
        ansible::VARIABLES.contains(&name)
    })
}

/// A command file for `omero load`: its first command line is `config ...`.
fn looks_like_command_file(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .find(|line| !line.is_empty() && !line.starts_with('#') && !line.starts_with("{%"))
        .is_some_and(|line| line.starts_with("config "))
}

/// A file without a telling name is a script when some line starts with a
/// command that runs `omero config`.
fn looks_like_script(text: &str) -> bool {
    text.lines().take(200).any(|line| {
        let line = line.trim_start();
        !line.starts_with('#') && !line.contains('=') || line.contains("omero config ")
    }) && text.contains("omero")
}

/// compose reads `.env` files; who reads any other env file is not known.
fn compose_env_file(path: &str) -> Option<env::EnvStyle> {
    let name = Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned());
    (name.as_deref() == Some(".env")).then_some(env::EnvStyle::Compose)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_its_row() {
        assert_eq!(FORMATS.len(), Format::ALL.len());
        for format in Format::ALL {
            assert_eq!(spec(format).format, format, "FORMATS is not in the order of Format");
        }
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
        // omeroconf's own project configuration, even when it mentions omero.web.
        let project = "# the omero.web release this repository runs\nomero-web-version = \"5.24.0\"\n";
        assert_eq!(recognise(Path::new("deploy/.omeroconf.toml"), project), None);
        assert!(!named(Path::new(".omeroconf.toml")));
    }

    #[test]
    fn dockerfiles_are_read_as_the_script_their_build_runs_and_the_start_of_the_image() {
        assert_eq!(detect(Path::new("Dockerfile"), "FROM x\n"), Format::Dockerfile);
        assert_eq!(
            detect(Path::new("docker/Dockerfile.dev"), "FROM x\n"),
            Format::Dockerfile
        );
        assert_eq!(detect(Path::new("Containerfile"), "FROM x\n"), Format::Dockerfile);
        assert_eq!(detect(Path::new("dockerfiles.sh"), "ls\n"), Format::Script);
        // A Dockerfile that never names OMERO is not taken from a directory.
        assert_eq!(
            recognise(Path::new("Dockerfile"), "FROM python:3\nRUN pip install flask\n"),
            None
        );
        // Read by name or by `--from`, a Dockerfile is a document of its own format.
        let named_otherwise = read(
            "build/web",
            "FROM x\nENV CONFIG_omero_web_debug=true\n",
            Format::Dockerfile,
            &Options::default(),
        );
        assert_eq!(named_otherwise.format, Format::Dockerfile);
        assert_eq!(named_otherwise.operations.len(), 1);
        let source = "FROM x\nENV WEB=/opt/omero/web\nRUN $WEB/venv3/bin/omero config set omero.web.debug false\n";
        assert_eq!(recognise(Path::new("web.Dockerfile"), source), Some(Format::Dockerfile));
        let doc = read("web.Dockerfile", source, Format::Dockerfile, &Options::default());
        assert_eq!(doc.operations.len(), 1);
        assert_eq!(&source[doc.operations[0].value_span.range()], "false");
        assert!(doc.findings.is_empty(), "{:?}", doc.findings);
        // The image applies ENV CONFIG_* at start, after the build's RUN lines.
        let image = "FROM openmicroscopy/omero-web-standalone:5\nCOPY web.omero /opt/omero/web/config/\nRUN /opt/omero/web/venv3/bin/omero config set omero.web.debug true\nENV CONFIG_omero_web_debug=false\n";
        let doc = read("Dockerfile", image, Format::Dockerfile, &Options::default());
        let codes: Vec<&str> = doc.findings.iter().map(|f| f.code()).collect();
        assert_eq!(codes, vec!["IN016", "IN014"]);
        let last = doc.operations.last().expect("the variable's operation");
        assert_eq!(
            (last.key.as_str(), last.value.as_ref().and_then(|v| v.known())),
            ("omero.web.debug", Some("false"))
        );
    }

    #[test]
    fn templates_are_read_as_what_they_render() {
        assert_eq!(detect(Path::new("web.omero.j2"), ""), Format::Omero);
        assert_eq!(detect(Path::new("cors.sh.j2"), ""), Format::Script);
        let command_file = "# {{ ansible_managed }}\n{% for a in apps %}\nconfig append -- omero.web.apps x\n";
        assert_eq!(detect(Path::new("apps.j2"), command_file), Format::Omero);
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

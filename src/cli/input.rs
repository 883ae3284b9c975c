//! The arguments of every command that reads configuration (`--from`,
//! `--var`, `--profile`, `--env-style`, the project configuration, and the
//! release it is read for), declared once and flattened into each command,
//! and reading the inputs they describe.

use clap::Args;
use omeroconf::catalog::{catalog, Version};
use omeroconf::document::{Document, Format};
use omeroconf::formats;
use omeroconf::project::{Discovery, Finder, Project};
use omeroconf::source::{self, env::EnvStyle};
use omeroconf::venv::Venv;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to read an input file.
#[derive(Args, Clone, Default)]
pub struct InputArgs {
    /// Input format; detected from the file name and content when omitted.
    #[arg(long = "from", value_name = "FORMAT", value_parser = parse_format())]
    pub from: Option<Format>,
    /// Define a shell variable for scripts (NAME=VALUE); repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// The config.xml profile to read instead of the active one.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Who reads env files: `docker` (`docker run --env-file`, quotes kept)
    /// or `compose` (`env_file`, quotes removed); default the project
    /// configuration's `env-style`, else compose for `.env`, else docker.
    #[arg(long, value_name = "STYLE", value_parser = parse_env_style)]
    pub env_style: Option<EnvStyle>,
    /// The project configuration for every input, instead of the nearest
    /// `.omeroconf.toml` at or above each input's directory.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Read no project configuration (`.omeroconf.toml`).
    #[arg(long)]
    pub isolated: bool,
}

/// The OMERO.web release a command reads and judges its input for.
#[derive(Args, Clone)]
pub struct ReleaseArgs {
    #[arg(long, value_name = "VERSION", value_parser = parse_version, help = release_help())]
    pub omero_web_version: Option<Version>,
}

fn release_help() -> String {
    format!(
        "The OMERO.web release to check against [default: lint takes the virtualenv's, else the project \
         configuration's `omero-web-version`, else the one the input pins; the other commands take the project \
         configuration's; otherwise the latest omeroconf knows, {}]",
        catalog().latest
    )
}

impl ReleaseArgs {
    /// The release given, else the project's, else the latest.
    pub fn version(&self, project: Option<&Project>) -> Version {
        self.omero_web_version
            .or_else(|| project?.omero_web_version)
            .unwrap_or(catalog().latest)
    }
}

/// The OMERO.web install a command reads: its OMERODIR and its virtualenv.
/// (`emit` has options of the same names for the paths it writes into
/// deployment files, so these stay out of [`InputArgs`].)
#[derive(Args, Clone, Default)]
pub struct InstallArgs {
    /// An OMERO.web install: read its `etc/grid/config.xml` (active profile).
    #[arg(long, value_name = "DIR")]
    pub omerodir: Option<PathBuf>,
    /// The virtualenv OMERO.web runs in, read as files (never run): its
    /// omero-web release, and whether what the configuration names can be
    /// imported from it.
    #[arg(long, value_name = "DIR")]
    pub venv: Option<PathBuf>,
}

impl InstallArgs {
    /// `--omerodir`'s config.xml, or why it has none.
    pub fn config_file(&self) -> Option<Result<PathBuf, String>> {
        self.omerodir.as_deref().map(omerodir_config)
    }

    /// `--venv` and the omero-web release installed in it; with
    /// `from_environment`, else `$VIRTUAL_ENV` when it holds omero-web (a
    /// pre-commit hook's own virtualenv does not, and is ignored).
    pub fn installed(&self, from_environment: bool) -> Result<Option<(Version, Venv)>, String> {
        if let Some(dir) = &self.venv {
            return installed(dir).map(Some);
        }
        let from_environment = std::env::var_os("VIRTUAL_ENV").filter(|v| from_environment && !v.is_empty());
        Ok(from_environment.and_then(|dir| installed(Path::new(&dir)).ok()))
    }
}

/// An OMERODIR's `etc/grid/config.xml`, or why it has none.
pub fn omerodir_config(dir: &Path) -> Result<PathBuf, String> {
    let config = source::xml::in_omerodir(dir);
    if config.is_file() {
        Ok(config)
    } else {
        Err(format!("{} has no etc/grid/config.xml", dir.display()))
    }
}

/// A virtualenv and the omero-web release installed in it.
pub fn installed(dir: &Path) -> Result<(Version, Venv), String> {
    let venv = Venv::read(dir)?;
    Ok((venv.omero_web()?, venv))
}

/// Format names as clap values, so help and completions list them.
pub fn parse_format() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Format::ALL.map(Format::name)).try_map(|name| name.parse::<Format>())
}

fn parse_env_style(text: &str) -> Result<EnvStyle, String> {
    text.parse()
}

/// A release number the catalog knows.
pub fn parse_version(text: &str) -> Result<Version, String> {
    catalog().known_release(text)
}

fn parse_var(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .ok_or_else(|| format!("`{text}` is not NAME=VALUE"))
}

/// The name standard input is reported under.
const STDIN_NAME: &str = "<stdin>";

/// Reads one input as text (`-` is standard input), or says why it cannot;
/// a file `found` by walking a directory must still be a regular file.
pub fn read_text(path: &Path, found: bool) -> Result<String, String> {
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        bytes
    } else if found {
        let mut bytes = Vec::new();
        omeroconf::walk::open_regular(path)
            .and_then(|mut file| file.read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        bytes
    } else {
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!(
            "{} is not UTF-8 text (invalid byte at offset {at}); OMERO reads configuration as UTF-8",
            display_name(path)
        )
    })
}

pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

impl InputArgs {
    /// Finds each input's project configuration as `--config`/`--isolated` say.
    pub fn finder(&self) -> Finder {
        Finder::new(match (&self.config, self.isolated) {
            (Some(file), _) => Discovery::File(file.clone()),
            (None, true) => Discovery::Isolated,
            (None, false) => Discovery::Upward,
        })
    }

    /// Parses one input's text in `format` (else `--from`, else detected).
    pub fn parse(&self, path: &Path, text: String, format: Option<Format>, project: Option<&Project>) -> Document {
        let format = format.or(self.from).unwrap_or_else(|| formats::detect(path, &text));
        let options = source::Options {
            vars: self.vars.clone(),
            base_dir: path.parent().map(Path::to_path_buf),
            profile: self.profile.clone(),
            env_style: self.env_style.or_else(|| project?.env_style),
        };
        formats::read(&display_name(path), text, format, &options)
    }

    /// Reads and parses one input file with its project configuration, or
    /// says why it cannot.
    pub fn load(&self, path: &Path) -> Result<(Document, Option<Arc<Project>>), String> {
        if formats::is_project_file(path) {
            return Err(format!(
                "{} is omeroconf's project configuration, not OMERO.web configuration",
                path.display()
            ));
        }
        let project = self.finder().for_input(path)?;
        let text = read_text(path, false)?;
        Ok((self.parse(path, text, None, project.as_deref()), project))
    }
}

/// The inputs behind the command-line paths: files as given (read even
/// when a FIFO or device, such as `<(cmd)`; with `only_recognised`, only
/// those a directory search would take), directories searched by the safe
/// walker without what `excluded` says (each file with the format it was
/// recognised as), and what could not be read. A named project
/// configuration is checked as one, never taken as an input.
pub fn expand(
    paths: &[PathBuf],
    only_recognised: bool,
    excluded: &dyn Fn(&Path, bool) -> bool,
) -> (Vec<(PathBuf, Option<Format>)>, Vec<String>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_dir() {
            let found = omeroconf::walk::walk(path, excluded);
            inputs.extend(found.inputs.into_iter().map(|(p, f)| (p, Some(f))));
            errors.extend(found.errors);
        } else if formats::is_project_file(path) {
            errors.extend(Project::read(path).err());
        } else if only_recognised && path.as_os_str() != "-" {
            // An unreadable file stays an input, so it is reported.
            match std::fs::read_to_string(path) {
                Ok(text) => inputs.extend(formats::recognise(path, &text).map(|f| (path.clone(), Some(f)))),
                Err(_) => inputs.push((path.clone(), None)),
            }
        } else {
            inputs.push((path.clone(), None));
        }
    }
    (inputs, errors)
}

//! `omeroconf diff`: what changes between two configurations or two
//! installs, each side read at its own release.

use super::input::{parse_version, InputArgs};
use super::{usage_error, write_out, FINDINGS, OK};
use clap::{Args, ValueEnum};
use omeroconf::catalog::{catalog, Version};
use omeroconf::diff;
use omeroconf::emit;
use omeroconf::project::Project;
use omeroconf::resolve::{self, Config};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct DiffArgs {
    /// The old configuration (any input format), or an OMERODIR.
    #[arg(value_name = "OLD")]
    old: PathBuf,
    /// The new configuration (any input format), or an OMERODIR.
    #[arg(value_name = "NEW")]
    new: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    /// The release OLD is read at (default: the one in --old-venv, else the
    /// project configuration's, else the latest).
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    old_version: Option<Version>,
    /// The release NEW is read at (default: the one in --new-venv, else the
    /// project configuration's, else the latest).
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    new_version: Option<Version>,
    /// The virtualenv of the old install; its omero-web release is used.
    #[arg(long, value_name = "DIR")]
    old_venv: Option<PathBuf>,
    /// The virtualenv of the new install; its omero-web release is used.
    #[arg(long, value_name = "DIR")]
    new_venv: Option<PathBuf>,
    /// Compare effective values: stored values, else each release's default.
    #[arg(long)]
    effective: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Show secret values instead of masking them.
    #[arg(long)]
    show_secrets: bool,
}

/// How `diff` prints its report.
#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// Grouped changes with line diffs, for people.
    Human,
    /// The same as one JSON object.
    Json,
}

/// The release one side is read at: given, else installed in its
/// virtualenv, else its project configuration's, else the latest.
fn release(version: Option<Version>, venv: Option<&Path>, project: Option<&Project>) -> Result<Version, String> {
    match (version, venv) {
        (Some(version), _) => Ok(version),
        (None, Some(venv)) => omeroconf::venv::installed_release(venv),
        (None, None) => Ok(project.and_then(|p| p.omero_web_version).unwrap_or(catalog().latest)),
    }
}

/// One side's name and resolved configuration.
fn side(
    args: &DiffArgs,
    path: &Path,
    version: Option<Version>,
    venv: Option<&PathBuf>,
) -> Result<(String, Config), String> {
    let (document, project) = args.input.load(&diff::config_file(path))?;
    let release = release(version, venv.map(PathBuf::as_path), project.as_deref())?;
    emit::readable(&document).map_err(|r| r.to_string())?;
    Ok((document.path.clone(), resolve::resolve(&document, release)))
}

pub fn run(args: &DiffArgs) -> u8 {
    let sides = side(args, &args.old, args.old_version, args.old_venv.as_ref())
        .and_then(|old| Ok((old, side(args, &args.new, args.new_version, args.new_venv.as_ref())?)));
    let options = diff::Options {
        effective: args.effective,
        show_secrets: args.show_secrets,
    };
    let result = sides.and_then(|((old_name, old), (new_name, new))| {
        let mut report = diff::diff(&old, &new, options)?;
        if let Some(venv) = &args.new_venv {
            report.missing_apps = diff::missing_apps(&new, venv);
        }
        Ok((report, old_name, new_name))
    });
    let (report, old_name, new_name) = match result {
        Ok(found) => found,
        Err(message) => return usage_error(&message),
    };
    let text = match args.format {
        DiffFormat::Human => report.render(&old_name, &new_name),
        DiffFormat::Json => format!("{:#}\n", report.to_json(&old_name, &new_name)),
    };
    match write_out(&text) {
        OK if report.is_empty() => OK,
        OK => FINDINGS,
        failed => failed,
    }
}

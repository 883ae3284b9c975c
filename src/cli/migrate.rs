//! `omeroconf migrate`: a configuration rewritten for a target release,
//! reported with a diff (the default), edited in place (`--write`) or
//! written to a new file (`--output`).

use super::input::{parse_format, parse_version, InputArgs, InstallArgs};
use super::{usage_error, write_out, FINDINGS, OK, USAGE};
use clap::Args;
use omeroconf::catalog::Version;
use omeroconf::document::{Document, Format};
use omeroconf::migrate::{self, Migration};
use omeroconf::resolve::Config;
use omeroconf::venv::{self, Venv};
use omeroconf::{atomic, edit, emit, formats, release, report, rules};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct MigrateArgs {
    /// The configuration to migrate (any input format).
    #[arg(
        value_name = "INPUT",
        required_unless_present = "omerodir",
        conflicts_with = "omerodir"
    )]
    file: Option<PathBuf>,
    /// The install as it runs now: `--omerodir` gives INPUT (its config.xml),
    /// `--venv` the release it is migrated from.
    #[command(flatten)]
    install: InstallArgs,
    #[command(flatten)]
    input: InputArgs,
    /// The release to migrate to (default: the one installed in --to-venv).
    #[arg(long, value_name = "VERSION", value_parser = parse_version, required_unless_present = "to_venv")]
    to_version: Option<Version>,
    /// The virtualenv of the upgraded install: its omero-web release is the
    /// target, and what the migrated configuration names must be importable
    /// from it (IS003 in the report's list of what is left).
    #[arg(long, value_name = "DIR")]
    to_venv: Option<PathBuf>,
    /// The release the configuration was written for (default: the one
    /// installed in --venv, else the project configuration's
    /// `omero-web-version`, else the one the input pins, else the oldest
    /// release in which every key of the input exists).
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    from_version: Option<Version>,
    /// Print the report and the diff without writing (the default).
    #[arg(long, conflicts_with_all = ["write", "output"])]
    dry_run: bool,
    /// Edit INPUT in place (atomically, keeping INPUT.bak).
    #[arg(long, conflicts_with = "output")]
    write: bool,
    /// Write the migrated configuration to this new file instead.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Format of --output (default: the input's).
    #[arg(long = "to", value_name = "FORMAT", value_parser = parse_format(), requires = "output")]
    to: Option<Format>,
    /// Replace an existing --output file.
    #[arg(long)]
    force: bool,
    /// Show secret values in the report and diff instead of masking them.
    #[arg(long)]
    show_secrets: bool,
    /// Report format: text (with a diff) or json (changes with before and after).
    #[arg(long, value_enum, default_value = "text")]
    format: ReportFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

/// The document after the migration's edits, its configuration, or why
/// the format cannot be edited in place.
type Edited = Result<(String, Document, Config), String>;

/// The input, the releases and the target deployment the command line names.
struct Planned {
    file: PathBuf,
    /// What the command line says of the source release (the project's comes with the input).
    from: release::Given,
    to: Version,
    target: rules::Options,
}

fn planned(args: &MigrateArgs) -> Result<Planned, String> {
    let file = match (&args.file, args.install.config_file()) {
        (Some(file), _) => file.clone(),
        (None, Some(config)) => config?,
        (None, None) => return Err("give the configuration to migrate, or --omerodir".into()),
    };
    let venv = match &args.install.venv {
        Some(dir) => Some((venv::installed_release(dir)?, dir.display().to_string())),
        None => None,
    };
    let from = release::Given {
        option: args.from_version,
        venv,
        project: None,
    };
    let target_venv = args.to_venv.as_deref().map(Venv::read).transpose()?;
    let to = match (args.to_version, &target_venv) {
        (Some(given), _) => given,
        (None, Some(venv)) => venv.known_release()?,
        (None, None) => return Err("give --to-version or --to-venv".into()),
    };
    let target = rules::Options {
        venv: target_venv.map(std::sync::Arc::new),
        ..rules::Options::default()
    };
    Ok(Planned { file, from, to, target })
}

pub fn run(args: &MigrateArgs) -> u8 {
    let Planned { file, from, to, target } = match planned(args) {
        Ok(planned) => planned,
        Err(message) => return usage_error(&message),
    };
    if args.write && file == Path::new("-") {
        return usage_error(&atomic::WriteError::StandardInput.to_string());
    }
    let planned = args.input.load(&file).and_then(|(document, project)| {
        emit::readable(&document).map_err(|r| r.to_string())?;
        let given = release::Given {
            project: project.as_ref().and_then(|p| p.release()),
            ..from
        };
        let migration = migrate::plan_with(&document, &given, to, &target)?;
        Ok((document, migration, project))
    });
    let (document, migration, project) = match planned {
        Ok(planned) => planned,
        Err(message) => return usage_error(&message),
    };
    let reparse = |text: &str| args.input.parse(&file, text.to_string(), None, project.as_deref());
    let edited = migration.edit_in_place(&document, &reparse);
    let status = if migration.is_empty() { OK } else { FINDINGS };
    if let Some(path) = &args.output {
        return write_new(args, path, &document, &migration, status);
    }
    if args.write {
        return write_in_place(args, &file, &document, &migration, edited, status);
    }
    if args.format == ReportFormat::Json {
        return write_out(&migration.to_json(&document.path, args.show_secrets)).max(status);
    }
    let mut text = migration.render(&document.path, args.show_secrets);
    let masked = |doc: &Document, config: &Config| {
        if args.show_secrets {
            doc.source.clone()
        } else {
            report::masked_source(doc, config)
        }
    };
    match &edited {
        Ok((_, after, config)) => {
            text.push_str(&edit::unified_diff(
                &document.path,
                &masked(&document, &migration.source),
                &masked(after, config),
            ));
        }
        Err(why) => {
            text.push_str(&format!(
                "note: {why}; --write is not possible, --output FILE --to FORMAT is\n"
            ));
            let options = emit::WriteOptions {
                force: true,
                mask_secrets: !args.show_secrets,
            };
            let old = formats::write(&migration.source, emit::DIFF_FORMAT, options)
                .map(|w| w.text)
                .unwrap_or_default();
            let new = migration
                .write(emit::DIFF_FORMAT, options)
                .map(|w| w.text)
                .unwrap_or_default();
            text.push_str(&edit::unified_diff(&document.path, &old, &new));
        }
    }
    write_out(&text).max(status)
}

/// `--output FILE [--to FORMAT]`: the migrated configuration in a new file.
fn write_new(args: &MigrateArgs, path: &std::path::Path, document: &Document, migration: &Migration, status: u8) -> u8 {
    let format = args.to.unwrap_or(document.format);
    let options = emit::WriteOptions {
        force: args.force,
        mask_secrets: false,
    };
    let written = match migration.write(format, options) {
        Ok(written) => written,
        Err(refusal) => return usage_error(&refusal.to_string()),
    };
    match super::write_file(path, &written.text, args.force) {
        OK => {
            eprintln!("wrote {} ({format}) for OMERO.web {}", path.display(), migration.to);
            status
        }
        failed => failed,
    }
}

/// `--write`: INPUT edited in place, the original kept beside it.
fn write_in_place(
    args: &MigrateArgs,
    file: &Path,
    document: &Document,
    migration: &Migration,
    edited: Edited,
    status: u8,
) -> u8 {
    let (text, ..) = match edited {
        Ok(edited) => edited,
        Err(why) => return usage_error(&format!("{why}; write a new file with --output FILE --to FORMAT")),
    };
    let report = match args.format {
        ReportFormat::Text => migration.render(&document.path, args.show_secrets),
        ReportFormat::Json => migration.to_json(&document.path, args.show_secrets),
    };
    if text == document.source {
        return write_out(&report).max(status);
    }
    match migrate::write_in_place(file, &document.source, &text) {
        Ok(backup) => {
            eprintln!("migrated {} (the original is in {})", file.display(), backup.display());
            write_out(&report).max(status)
        }
        Err(message) => {
            eprintln!("error: {message}");
            USAGE
        }
    }
}

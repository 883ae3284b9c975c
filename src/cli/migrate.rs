//! `omeroconf migrate`: a configuration rewritten for a target release,
//! reported with a diff (the default), edited in place (`--write`) or
//! written to a new file (`--output`).

use super::input::{parse_format, parse_version, InputArgs};
use super::{usage_error, write_out, FINDINGS, OK, USAGE};
use clap::Args;
use omeroconf::catalog::Version;
use omeroconf::document::{Document, Format};
use omeroconf::migrate::{self, Migration};
use omeroconf::resolve::Config;
use omeroconf::{atomic, edit, emit, formats, report};
use std::path::PathBuf;

#[derive(Args)]
pub struct MigrateArgs {
    /// The configuration to migrate (any input format).
    #[arg(value_name = "INPUT")]
    file: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    /// The release to migrate to.
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    to_version: Version,
    /// The release the configuration was written for (default: the project
    /// configuration's `omero-web-version`, else the oldest release in which
    /// every key of the input exists).
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

pub fn run(args: &MigrateArgs) -> u8 {
    if args.write && args.file == std::path::Path::new("-") {
        return usage_error(&atomic::WriteError::StandardInput.to_string());
    }
    let planned = args.input.load(&args.file).and_then(|(document, project)| {
        emit::readable(&document).map_err(|r| r.to_string())?;
        let from = args.from_version.or_else(|| project.as_ref()?.omero_web_version);
        let migration = migrate::plan(&document, from, args.to_version)?;
        Ok((document, migration, project))
    });
    let (document, migration, project) = match planned {
        Ok(planned) => planned,
        Err(message) => return usage_error(&message),
    };
    let reparse = |text: &str| args.input.parse(&args.file, text.to_string(), None, project.as_deref());
    let edited = migration.edit_in_place(&document, &reparse);
    let status = if migration.is_empty() { OK } else { FINDINGS };
    if let Some(path) = &args.output {
        return write_new(args, path, &document, &migration, status);
    }
    if args.write {
        return write_in_place(args, &document, &migration, edited, status);
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
fn write_in_place(args: &MigrateArgs, document: &Document, migration: &Migration, edited: Edited, status: u8) -> u8 {
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
    match migrate::write_in_place(&args.file, &document.source, &text) {
        Ok(backup) => {
            eprintln!(
                "migrated {} (the original is in {})",
                args.file.display(),
                backup.display()
            );
            write_out(&report).max(status)
        }
        Err(message) => {
            eprintln!("error: {message}");
            USAGE
        }
    }
}

//! `omeroconf convert`: the properties a configuration stores, written in
//! another format.

use super::input::{parse_format, InputArgs, ReleaseArgs};
use super::{refused, usage_error, write_out};
use clap::Args;
use omeroconf::diagnostic::Severity;
use omeroconf::document::Format;
use omeroconf::lint::{self, Filter};
use omeroconf::{emit, formats};
use std::path::PathBuf;

#[derive(Args)]
pub struct ConvertArgs {
    /// The file to convert.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    release: ReleaseArgs,
    /// Output format: script, omero, properties, xml, toml, json, env or ansible.
    #[arg(long = "to", value_name = "FORMAT", value_parser = parse_format())]
    to: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace an existing output file, and write values the format cannot
    /// carry exactly in the closest form it can (each one is reported).
    #[arg(long)]
    force: bool,
    /// Replace secret values with a mask, for sharing.
    #[arg(long)]
    mask_secrets: bool,
}

pub fn run(args: &ConvertArgs) -> u8 {
    let (document, project) = match args.input.load(&args.file) {
        Ok(loaded) => loaded,
        Err(message) => return usage_error(&message),
    };
    if let Err(refusal) = emit::readable(&document) {
        return refused(&refusal);
    }
    let linted = lint::lint(
        document,
        args.release.version(project.as_deref()),
        &Filter {
            select: vec!["IN".into()],
            ignore: vec![],
        },
    );
    for finding in linted.findings.iter().filter(|f| f.severity == Severity::Error) {
        eprintln!("warning: {}: {}", linted.document.path, finding.message);
    }
    let options = emit::WriteOptions {
        force: args.force,
        mask_secrets: args.mask_secrets,
    };
    let written = match formats::write(&linted.config, args.to, options) {
        Ok(written) => written,
        Err(refusal) => return refused(&refusal),
    };
    for key in &written.altered {
        eprintln!(
            "warning: {key}: written altered, the {} format cannot carry its value exactly",
            args.to
        );
    }
    for warning in &written.warnings {
        eprintln!("warning: {warning}");
    }
    match &args.output {
        None => write_out(&written.text),
        Some(path) => super::write_file(path, &written.text, args.force),
    }
}

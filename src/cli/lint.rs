//! `omeroconf lint`: read every input (directories searched, on all cores),
//! judge it, report, and with `--fix`/`--diff` apply or show the fixes.

use super::input::{self, InputArgs, ReleaseArgs};
use super::{usage_error, write_out, FINDINGS, OK, USAGE};
use clap::Args;
use omeroconf::diagnostic::Severity;
use omeroconf::document::{Document, Format};
use omeroconf::lint::{self, Filter, Linted};
use omeroconf::{formats, report, rules, source};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct LintArgs {
    /// Files to check; directories are searched for files omeroconf
    /// recognises; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    release: ReleaseArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t = report::Format::Human)]
    format: report::Format,
    /// Only report these codes or code prefixes (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Vec<String>,
    /// Never report these codes or code prefixes (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,
    /// Exit with status 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Show secret values in the report instead of masking them.
    #[arg(long)]
    show_secrets: bool,
    /// Findings drawn per file by the human report.
    #[arg(long, default_value_t = 50, value_name = "N")]
    max_findings: usize,
    /// CPU cores of the server OMERO.web runs on (for the worker-count rules;
    /// never guessed from this machine).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    cores: Option<u32>,
    /// Apply the safe automatic fixes to the files in place, then report what is left.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// Print the automatic fixes as a unified diff (secrets masked) without
    /// writing; exit status 1 means there are fixes to apply.
    #[arg(long)]
    diff: bool,
}

/// Lints one document with the command's release, filter and deployment facts.
type LintOne<'a> = dyn Fn(Document) -> Linted + Sync + 'a;

/// What linting one input gave.
enum Outcome {
    Linted(Box<Linted>, PathBuf),
    /// A script that runs no `omero` command: nothing to check.
    Skipped,
    Unreadable(String),
}

pub fn run(args: &LintArgs) -> u8 {
    let filter = Filter {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    };
    let options = rules::Options { cores: args.cores };
    let release = args.release.omero_web_version;
    let lint_one = |document| lint::lint_with(document, release, &filter, &options);
    let (inputs, errors) = input::expand(&args.files);
    for message in &errors {
        eprintln!("error: {message}");
    }
    if inputs.is_empty() && !errors.is_empty() {
        return USAGE;
    }
    if inputs.is_empty() {
        eprintln!(
            "note: no configuration file omeroconf recognises in {}",
            args.files
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return OK;
    }
    let mut results: Vec<(Linted, PathBuf)> = Vec::new();
    let mut unreadable = !errors.is_empty();
    for outcome in lint_all(&inputs, args, &lint_one) {
        match outcome {
            Outcome::Linted(one, path) => results.push((*one, path)),
            Outcome::Skipped => {}
            Outcome::Unreadable(message) => {
                eprintln!("error: {message}");
                unreadable = true;
            }
        }
    }
    // Deterministic whatever the order of the command line or the threads.
    results.sort_by(|a, b| a.0.document.path.cmp(&b.0.document.path));
    let (mut linted, paths): (Vec<Linted>, Vec<PathBuf>) = results.into_iter().unzip();
    let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    if linted.is_empty() {
        // Nothing to report: every input was unreadable, or a script
        // without `omero` commands that is skipped quietly.
        return if unreadable { USAGE } else { OK };
    }
    if args.diff {
        return show_fixes(args, &linted, &paths, &lint_one, unreadable);
    }
    if args.fix {
        linted = linted
            .into_iter()
            .zip(&paths)
            .map(|(l, path)| {
                let (l, written) = apply_fixes(args, l, path, &lint_one);
                unreadable |= !written;
                l
            })
            .collect();
    }
    let options = report::Options {
        human: report::human::Options {
            show_secrets: args.show_secrets,
            color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            max_per_file: args.max_findings,
        },
        root: std::env::current_dir().ok(),
    };
    let text = match report::render(args.format, &linted, &options) {
        Ok(text) => text,
        Err(message) => return usage_error(&message),
    };
    if write_out(&text) != OK {
        return USAGE;
    }
    let errors: usize = linted.iter().map(|l| l.count(Severity::Error)).sum();
    let warnings: usize = linted.iter().map(|l| l.count(Severity::Warning)).sum();
    if unreadable {
        USAGE
    } else if errors > 0 || (args.deny_warnings && warnings > 0) {
        FINDINGS
    } else {
        OK
    }
}

fn lint_input(path: &Path, recognised: Option<Format>, args: &LintArgs, lint_one: &LintOne) -> Outcome {
    let text = match input::read_text(path, recognised.is_some()) {
        Ok(text) => text,
        Err(message) => return Outcome::Unreadable(message),
    };
    let format = recognised
        .or(args.input.from)
        .unwrap_or_else(|| formats::detect(path, &text));
    // A script found by walking that runs no `omero` command is not
    // configuration; one named on the command line is still reported on.
    if recognised.is_some() && format == Format::Script && !source::runs_omero(&text) {
        return Outcome::Skipped;
    }
    let document = args.input.parse(path, text, Some(format));
    Outcome::Linted(Box::new(lint_one(document)), path.to_path_buf())
}

/// Lints every input on all cores; results come back in input order.
fn lint_all(inputs: &[(PathBuf, Option<Format>)], args: &LintArgs, lint_one: &LintOne) -> Vec<Outcome> {
    // A thread for one input only adds a wait for the scheduler (and
    // asking for the core count reads the cgroup files).
    let workers = match inputs.len() {
        0 | 1 => 1,
        many => std::thread::available_parallelism().map_or(1, |n| n.get()).min(many),
    };
    if workers == 1 {
        return inputs.iter().map(|(p, f)| lint_input(p, *f, args, lint_one)).collect();
    }
    let chunk = inputs.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(p, f)| lint_input(p, *f, args, lint_one))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|_| vec![Outcome::Unreadable("internal error: a lint worker panicked".into())])
            })
            .collect()
    })
}

/// `--diff`: the fixes as a unified diff of the masked texts.
fn show_fixes(args: &LintArgs, linted: &[Linted], paths: &[&Path], lint_one: &LintOne, unreadable: bool) -> u8 {
    let mut text = String::new();
    let mut any = false;
    for (l, path) in linted.iter().zip(paths) {
        let Some(fixed) = lint::fix(l) else { continue };
        any = true;
        let after = lint_one(args.input.parse(path, fixed.source.clone(), None));
        let (old, new) = if args.show_secrets {
            (l.document.source.clone(), fixed.source)
        } else {
            (
                report::masked_source(&l.document, &l.config),
                report::masked_source(&after.document, &after.config),
            )
        };
        text.push_str(&omeroconf::edit::unified_diff(&l.document.path, &old, &new));
    }
    if write_out(&text) != OK || unreadable {
        return USAGE;
    }
    if any {
        FINDINGS
    } else {
        OK
    }
}

/// `--fix`: writes the fixed text in place and lints it again; a file that
/// cannot be written is reported and comes back unchanged with `false`.
fn apply_fixes(args: &LintArgs, linted: Linted, path: &Path, lint_one: &LintOne) -> (Linted, bool) {
    let Some(fixed) = lint::fix(&linted) else {
        return (linted, true);
    };
    if let Err(e) = omeroconf::atomic::replace(path, &linted.document.source, &fixed.source) {
        eprintln!("error: cannot fix {}: {e}", input::display_name(path));
        return (linted, false);
    }
    let left = if fixed.deferred > 0 {
        format!("; {} more after another run", fixed.deferred)
    } else {
        String::new()
    };
    eprintln!("fixed {} problem(s) in {}{left}", fixed.applied.len(), path.display());
    (lint_one(args.input.parse(path, fixed.source, None)), true)
}

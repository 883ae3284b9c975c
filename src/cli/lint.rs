//! `omeroconf lint`: read every input (directories searched, on all cores),
//! judge it, report, and with `--fix`/`--diff` apply or show the fixes.

use super::input::{self, InputArgs, InstallArgs, ReleaseArgs};
use super::{usage_error, write_out, FINDINGS, OK, USAGE};
use clap::{Args, ValueEnum};
use omeroconf::diagnostic::Severity;
use omeroconf::document::{Document, Format};
use omeroconf::lint::{self, Filter, Linted};
use omeroconf::{atomic, formats, release, report, rules, source};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct LintArgs {
    /// Files to check; directories are searched for files omeroconf
    /// recognises; `-` reads standard input.
    #[arg(required_unless_present = "omerodir", value_name = "PATH")]
    files: Vec<PathBuf>,
    /// The install to judge against (`--venv` default: `$VIRTUAL_ENV` when it holds omero-web).
    #[command(flatten)]
    install: InstallArgs,
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
    /// Skip named files a directory search would skip (for pre-commit, which
    /// names every file its patterns match, such as CI YAML or Cargo.toml).
    #[arg(long)]
    only_recognised: bool,
    /// Exit with status 0 even when there are findings (2 still means an error).
    #[arg(long)]
    exit_zero: bool,
    /// Print the findings only: no summary line, no notes.
    #[arg(short, long)]
    quiet: bool,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Colour in the human report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set (FORCE_COLOR forces it).
    Auto,
    Always,
    Never,
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
    let venv = match args.install.installed(true) {
        Ok(venv) => venv,
        Err(message) => return usage_error(&message),
    };
    let given = release::Given {
        option: args.release.omero_web_version,
        venv: venv
            .as_ref()
            .map(|(version, v)| (*version, v.root.display().to_string())),
    };
    let options = rules::Options {
        cores: args.cores,
        venv: venv.map(|(_, v)| std::sync::Arc::new(v)),
    };
    let lint_one = |document| lint::lint_deployed(document, &given, &filter, &options);
    let mut files = args.files.clone();
    match args.install.config_file() {
        Some(Ok(config)) => files.push(config),
        Some(Err(message)) => return usage_error(&message),
        None => {}
    }
    let (inputs, errors) = input::expand(&files, args.only_recognised);
    for message in &errors {
        eprintln!("error: {message}");
    }
    if inputs.is_empty() && !errors.is_empty() {
        return USAGE;
    }
    if inputs.is_empty() {
        if args.quiet {
            return OK;
        }
        eprintln!(
            "note: no configuration file omeroconf recognises in {}",
            files
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
            color: colour(args.color, args.output.is_none() && std::io::stdout().is_terminal()),
            max_per_file: args.max_findings,
        },
        // Machine reports name files relative to here, as a CI checkout expects.
        root: std::env::current_dir().ok(),
        summary: !args.quiet,
    };
    let text = match report::render(args.format, &linted, &options) {
        Ok(text) => text,
        Err(message) => return usage_error(&message),
    };
    let written = match &args.output {
        None => write_out(&text),
        Some(path) => match atomic::write(path, &text, true) {
            Ok(()) => OK,
            Err(e) => usage_error(&format!("cannot write {}: {e}", path.display())),
        },
    };
    if written != OK {
        return USAGE;
    }
    let errors: usize = linted.iter().map(|l| l.count(Severity::Error)).sum();
    let warnings: usize = linted.iter().map(|l| l.count(Severity::Warning)).sum();
    if unreadable {
        USAGE
    } else if !args.exit_zero && (errors > 0 || (args.deny_warnings && warnings > 0)) {
        FINDINGS
    } else {
        OK
    }
}

/// `--color`: `auto` colours a terminal unless NO_COLOR is set, and always
/// when FORCE_COLOR is (both only when not empty).
fn colour(choice: ColorChoice, terminal: bool) -> bool {
    let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => set("FORCE_COLOR") || (terminal && !set("NO_COLOR")),
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

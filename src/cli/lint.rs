//! `omeroconf lint`: read every input (directories searched, on all cores),
//! judge it with the command line and its project configuration, report,
//! and with `--fix`/`--diff` apply or show the fixes.

use super::input::{self, InputArgs, InstallArgs, ReleaseArgs};
use super::{usage_error, write_out, FINDINGS, OK, USAGE};
use clap::{Args, ValueEnum};
use omeroconf::catalog::Version;
use omeroconf::diagnostic::Severity;
use omeroconf::document::{Document, Format};
use omeroconf::lint::{self, Filter, Linted};
use omeroconf::project::{self, Globs, Project};
use omeroconf::venv::Venv;
use omeroconf::{atomic, formats, release, report, rules, source, walk};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// Leave out of directory searches what this gitignore-style glob
    /// matches, relative to the current directory (`old/`, `*.bak`,
    /// `deploy/test.env`); repeatable. Paths named on the command line are
    /// still linted, unless --force-exclude.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Leave out paths named on the command line too when --exclude or the
    /// project's `exclude` match them (for pre-commit, which names files itself).
    #[arg(long)]
    force_exclude: bool,
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

/// How one input is judged: the command line with its project configuration.
struct Judge {
    project: Option<Arc<Project>>,
    given: release::Given,
    filter: Filter,
    options: rules::Options,
}

impl Judge {
    fn new(args: &LintArgs, venv: Option<&(Version, Arc<Venv>)>, project: Option<Arc<Project>>, path: &Path) -> Judge {
        let command_line = Filter {
            select: args.select.clone(),
            ignore: args.ignore.clone(),
        };
        Judge {
            given: release::Given {
                option: args.release.omero_web_version,
                venv: venv.map(|(version, v)| (*version, v.root.display().to_string())),
                project: project.as_ref().and_then(|p| p.release()),
            },
            filter: project::filter(project.as_deref(), &command_line, path),
            options: rules::Options {
                cores: args.cores.or_else(|| project.as_ref()?.cores),
                venv: venv.map(|(_, v)| Arc::clone(v)),
            },
            project,
        }
    }

    fn lint(&self, document: Document) -> Linted {
        lint::lint_deployed(document, &self.given, &self.filter, &self.options)
    }
}

/// One input: its path, the format a directory search recognised, how it is judged.
struct Input {
    path: PathBuf,
    recognised: Option<Format>,
    judge: Judge,
}

/// What linting one input gave.
enum Outcome<'a> {
    Linted(Box<Linted>, &'a Input),
    /// A script that runs no `omero` command: nothing to check.
    Skipped,
    Unreadable(String),
}

pub fn run(args: &LintArgs) -> u8 {
    let venv = match args.install.installed(true) {
        Ok(venv) => venv.map(|(version, v)| (version, Arc::new(v))),
        Err(message) => return usage_error(&message),
    };
    let command_line_exclude = match Globs::new(Path::new("."), &args.exclude) {
        Ok(globs) => globs,
        Err(message) => return usage_error(&format!("--exclude {message}")),
    };
    let mut files = args.files.clone();
    match args.install.config_file() {
        Some(Ok(config)) => files.push(config),
        Some(Err(message)) => return usage_error(&message),
        None => {}
    }
    let finder = RefCell::new(args.input.finder());
    // A directory search asks of each path before it enters it; a named
    // path is also left out when a directory above it is (--force-exclude).
    let leaves_out = |path: &Path, is_dir: bool, named: bool| {
        let says = |globs: &Globs| {
            if named {
                globs.covers(path, is_dir)
            } else {
                globs.matches(path, is_dir)
            }
        };
        says(&command_line_exclude)
            || matches!(finder.borrow_mut().for_input(path), Ok(Some(p)) if p.exclude.as_ref().is_some_and(says))
    };
    if args.force_exclude {
        files.retain(|path| path.as_os_str() == "-" || !leaves_out(&walk::absolute(path), path.is_dir(), true));
    }
    let excluded = |path: &Path, is_dir: bool| leaves_out(path, is_dir, false);
    let (found, errors) = input::expand(&files, args.only_recognised, &excluded);
    // A project configuration that cannot be read stops the command, as a
    // bad option does: its choices cannot be guessed.
    let mut finder = finder.into_inner();
    let mut broken = BTreeSet::new();
    let mut inputs = Vec::new();
    for (path, recognised) in found {
        match finder.for_input(&path) {
            Ok(project) => inputs.push(Input {
                judge: Judge::new(args, venv.as_ref(), project, &path),
                path,
                recognised,
            }),
            Err(message) => {
                broken.insert(message);
            }
        }
    }
    for message in errors.iter().chain(&broken) {
        eprintln!("error: {message}");
    }
    if !broken.is_empty() || inputs.is_empty() && !errors.is_empty() {
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
    let mut results: Vec<(Linted, &Input)> = Vec::new();
    let mut unreadable = !errors.is_empty();
    for outcome in lint_all(&inputs, args) {
        match outcome {
            Outcome::Linted(one, input) => results.push((*one, input)),
            Outcome::Skipped => {}
            Outcome::Unreadable(message) => {
                eprintln!("error: {message}");
                unreadable = true;
            }
        }
    }
    // Deterministic whatever the order of the command line or the threads.
    results.sort_by(|a, b| a.0.document.path.cmp(&b.0.document.path));
    if results.is_empty() {
        // Nothing to report: every input was unreadable, or a script
        // without `omero` commands that is skipped quietly.
        return if unreadable { USAGE } else { OK };
    }
    if args.diff {
        return show_fixes(args, &results, unreadable);
    }
    if args.fix {
        results = results
            .into_iter()
            .map(|(l, input)| {
                let (l, written) = apply_fixes(args, l, input);
                unreadable |= !written;
                (l, input)
            })
            .collect();
    }
    let linted: Vec<Linted> = results.into_iter().map(|(l, _)| l).collect();
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

fn lint_input<'a>(input: &'a Input, args: &LintArgs) -> Outcome<'a> {
    let path = &input.path;
    let text = match input::read_text(path, input.recognised.is_some()) {
        Ok(text) => text,
        Err(message) => return Outcome::Unreadable(message),
    };
    let format = input
        .recognised
        .or(args.input.from)
        .unwrap_or_else(|| formats::detect(path, &text));
    // A script found by walking that runs no `omero` command is not
    // configuration; one named on the command line is still reported on.
    if input.recognised.is_some() && format == Format::Script && !source::runs_omero(&text) {
        return Outcome::Skipped;
    }
    let document = args
        .input
        .parse(path, text, Some(format), input.judge.project.as_deref());
    Outcome::Linted(Box::new(input.judge.lint(document)), input)
}

/// Lints every input on all cores; results come back in input order.
fn lint_all<'a>(inputs: &'a [Input], args: &LintArgs) -> Vec<Outcome<'a>> {
    // A thread for one input only adds a wait for the scheduler (and
    // asking for the core count reads the cgroup files).
    let workers = match inputs.len() {
        0 | 1 => 1,
        many => std::thread::available_parallelism().map_or(1, |n| n.get()).min(many),
    };
    if workers == 1 {
        return inputs.iter().map(|input| lint_input(input, args)).collect();
    }
    let chunk = inputs.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|input| lint_input(input, args)).collect::<Vec<_>>()))
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

/// Lints a fixed text of `input` again, as the input was.
fn relint(args: &LintArgs, input: &Input, text: String) -> Linted {
    let project = input.judge.project.as_deref();
    input.judge.lint(args.input.parse(&input.path, text, None, project))
}

/// `--diff`: the fixes as a unified diff of the masked texts.
fn show_fixes(args: &LintArgs, results: &[(Linted, &Input)], unreadable: bool) -> u8 {
    let mut text = String::new();
    let mut any = false;
    for (l, input) in results {
        let Some(fixed) = lint::fix(l) else { continue };
        any = true;
        let after = relint(args, input, fixed.source.clone());
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
fn apply_fixes(args: &LintArgs, linted: Linted, input: &Input) -> (Linted, bool) {
    let Some(fixed) = lint::fix(&linted) else {
        return (linted, true);
    };
    let path = &input.path;
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
    (relint(args, input, fixed.source), true)
}

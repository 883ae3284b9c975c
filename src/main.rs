//! The `omeroconf` command line: argument parsing and dispatch only.

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use omeroconf::catalog::{catalog, Version};
use omeroconf::diagnostic::Severity;
use omeroconf::document::Format;
use omeroconf::emit::{self, runtime::Runtime, Refusal};
use omeroconf::lint::{self, Filter, Linted};
use omeroconf::source::env::EnvStyle;
use omeroconf::{atomic, report, rules, source};
use std::io::{IsTerminal, Read, Write};

mod man;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "omeroconf",
    version,
    about = "Check OMERO.web configuration before OMERO.web reads it"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report problems in configuration files and directories (`-` reads stdin).
    Lint(LintArgs),
    /// Write the properties a configuration stores in another format.
    Convert(ConvertArgs),
    /// Print the nginx file, gunicorn command or systemd unit OMERO.web would use.
    Emit {
        #[command(subcommand)]
        target: EmitTarget,
    },
    /// List every rule.
    Rules {
        /// Print the rule table as Markdown (the README's table).
        #[arg(long, conflicts_with = "format")]
        markdown: bool,
        /// `text`: a table; `json`: an array of {code, name, severity, summary, fix}.
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Explain a rule (by code or name) or a property (by key).
    Explain {
        /// A rule code such as TY006, a rule name, or a property key.
        topic: String,
    },
    /// Show what changes between two configurations or two installs
    /// (exit status 0 equal, 1 different, 2 error).
    Diff(DiffArgs),
    /// Rewrite a configuration for a target release (exit status 0 nothing
    /// to change, 1 changes reported or written, 2 error).
    Migrate(MigrateArgs),
    /// Print the JSON Schema of the TOML form (for editors and taplo).
    Schema {
        /// Only the keys of this release.
        #[arg(long, value_name = "VERSION", value_parser = parse_version)]
        omero_web_version: Option<Version>,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff), or write every page into a directory.
    Man {
        /// Write omeroconf.1 and a page per subcommand (omeroconf-lint.1, ...) here.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Args)]
struct InputArgs {
    /// Input format; detected from the file name and content when omitted.
    #[arg(long = "from", value_name = "FORMAT", value_parser = parse_format())]
    from: Option<Format>,
    /// The OMERO.web release to check against.
    #[arg(long, value_name = "VERSION", default_value = "5.33.2", value_parser = parse_version)]
    omero_web_version: Version,
    /// Define a shell variable for scripts (NAME=VALUE); repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    /// The config.xml profile to read instead of the active one.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Who reads env files: `docker` (`docker run --env-file`, quotes kept)
    /// or `compose` (`env_file`, quotes removed); default compose for `.env`, else docker.
    #[arg(long, value_name = "STYLE", value_parser = parse_env_style)]
    env_style: Option<EnvStyle>,
}

#[derive(Args)]
struct LintArgs {
    /// Files to check; directories are searched for files omeroconf
    /// recognises; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    format: ReportFormat,
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

#[derive(Args)]
struct ConvertArgs {
    /// The file to convert.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    input: InputArgs,
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

#[derive(Args)]
struct DiffArgs {
    /// The old configuration (any input format), or an OMERODIR.
    #[arg(value_name = "OLD")]
    old: PathBuf,
    /// The new configuration (any input format), or an OMERODIR.
    #[arg(value_name = "NEW")]
    new: PathBuf,
    /// Input format of both files; detected from each file when omitted.
    #[arg(long = "from", value_name = "FORMAT", value_parser = parse_format())]
    from: Option<Format>,
    /// The release OLD is read at (default: the one in --old-venv, else the latest).
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    old_version: Option<Version>,
    /// The release NEW is read at (default: the one in --new-venv, else the latest).
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
    /// Define a shell variable for scripts (NAME=VALUE); repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
}

#[derive(Args)]
struct MigrateArgs {
    /// The configuration to migrate (any input format).
    #[arg(value_name = "INPUT")]
    file: PathBuf,
    /// Input format; detected from the file name and content when omitted.
    #[arg(long = "from", value_name = "FORMAT", value_parser = parse_format())]
    from: Option<Format>,
    /// The release to migrate to.
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    to_version: Version,
    /// The release the configuration was written for (default: the oldest
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
    /// Define a shell variable for scripts (NAME=VALUE); repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    /// The config.xml profile to read instead of the active one.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

#[derive(Subcommand)]
enum EmitTarget {
    /// The server block `omero web config nginx` prints.
    Nginx(NginxArgs),
    /// The location blocks `omero web config nginx-location` prints.
    NginxLocation(NginxArgs),
    /// The whole nginx.conf `omero web config nginx-development` prints.
    NginxDevelopment(NginxArgs),
    /// The gunicorn command `omero web start` runs.
    Gunicorn(GunicornArgs),
    /// A systemd unit running OMERO.web through `omero web start|stop`.
    Systemd(SystemdArgs),
}

#[derive(Args)]
struct EmitInput {
    /// The configuration (any input format).
    #[arg(value_name = "CONFIG")]
    file: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    /// OMERO.web's OMERODIR on the target machine.
    #[arg(long, value_name = "DIR", default_value = emit::DEFAULT_OMERODIR)]
    omerodir: String,
}

#[derive(Args)]
struct NginxArgs {
    #[command(flatten)]
    emit: EmitInput,
    /// The HTTP port nginx listens on (default 80, 8080 for nginx-development).
    #[arg(long, value_name = "PORT", value_parser = emit::nginx::parse_port)]
    http: Option<String>,
    /// nginx's server_name.
    #[arg(long, value_name = "NAME", default_value = "$hostname")]
    servername: String,
    /// nginx's client_max_body_size (0: unlimited).
    #[arg(long, value_name = "SIZE", default_value = "0")]
    max_body_size: String,
}

#[derive(Args)]
struct GunicornArgs {
    #[command(flatten)]
    emit: EmitInput,
    /// `argv`: the command on one line, as OMERO runs it; `shell`: the same command for a shell, with its
    /// environment and each word quoted; `conf`: an equivalent gunicorn.conf.py.
    #[arg(long, value_enum, default_value_t = GunicornStyle::Argv)]
    style: GunicornStyle,
}

#[derive(Args)]
struct SystemdArgs {
    #[command(flatten)]
    emit: EmitInput,
    /// The system user OMERO.web runs as.
    #[arg(long, value_name = "USER", default_value = "omero-web")]
    user: String,
    /// The virtual environment OMERO.web is installed in.
    #[arg(long, value_name = "DIR", default_value = "/opt/omero/web/venv3")]
    venv: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set (FORCE_COLOR forces it).
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum GunicornStyle {
    Argv,
    Shell,
    Conf,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// Drawn on the source, for people.
    Human,
    /// omeroconf's JSON report.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations.
    Github,
    /// One `path:line:col: severity[CODE] message` line per finding.
    Short,
}

/// How `diff` prints its report.
#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// Grouped changes with line diffs, for people.
    Human,
    /// The same as one JSON object.
    Json,
}

/// Format names as clap values, so help and completions list them.
fn parse_format() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Format::ALL.map(Format::name)).try_map(|name| name.parse::<Format>())
}

fn parse_env_style(text: &str) -> Result<EnvStyle, String> {
    text.parse()
}

fn parse_version(text: &str) -> Result<Version, String> {
    let version = Version::parse(text).ok_or_else(|| format!("`{text}` is not a release number such as 5.33.2"))?;
    if catalog().release(version).is_none() {
        let known = catalog()
            .releases
            .iter()
            .map(|r| r.version.to_string())
            .collect::<Vec<_>>();
        return Err(format!(
            "omeroconf knows OMERO.web {} to {}, not {version}",
            known[0],
            known[known.len() - 1]
        ));
    }
    Ok(version)
}

fn parse_var(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .ok_or_else(|| format!("`{text}` is not NAME=VALUE"))
}

/// Exit statuses shared by every command.
const OK: u8 = 0;
const FINDINGS: u8 = 1;
const USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Lint(args) => run_lint(&args),
        Command::Convert(args) => run_convert(&args),
        Command::Emit { target } => run_emit(&target),
        Command::Rules { markdown: true, .. } => write_out(&rules::markdown_table()),
        Command::Rules {
            format: RulesFormat::Json,
            ..
        } => write_out(&rules::json_list()),
        Command::Rules { .. } => run_rules(),
        Command::Explain { topic } => run_explain(&topic),
        Command::Diff(args) => run_diff(&args),
        Command::Migrate(args) => run_migrate(&args),
        Command::Schema { omero_web_version } => match omero_web_version {
            None => write_out(&omeroconf::schema::render()),
            Some(release) => {
                let schema = omeroconf::schema::generate(Some(release));
                write_out(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&schema).unwrap_or_default()
                ))
            }
        },
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "omeroconf", &mut out);
            write_out(&String::from_utf8_lossy(&out))
        }
        Command::Man { dir: None } => match man::main_page(Cli::command()) {
            Ok(page) => write_out(&page),
            Err(e) => {
                eprintln!("error: cannot render the man page: {e}");
                USAGE
            }
        },
        Command::Man { dir: Some(dir) } => match man::write_all(Cli::command(), &dir) {
            Ok(_) => OK,
            Err(e) => {
                eprintln!("error: cannot write the man pages into {}: {e}", dir.display());
                USAGE
            }
        },
    };
    ExitCode::from(status)
}

/// The name standard input is reported under.
const STDIN_NAME: &str = "<stdin>";

/// Reads one input as text (`-` is standard input), or says why it cannot.
fn read_text(path: &Path) -> Result<String, String> {
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
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

fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

/// Parses one input's text in `format` (detected when `None`).
fn parse_input(path: &Path, text: String, format: Option<Format>, input: &InputArgs) -> omeroconf::document::Document {
    let format = format.or(input.from).unwrap_or_else(|| source::detect(path, &text));
    let options = source::Options {
        vars: input.vars.clone(),
        base_dir: path.parent().map(Path::to_path_buf),
        profile: input.profile.clone(),
        env_style: input.env_style,
    };
    source::parse(&display_name(path), text, format, &options)
}

/// Reads and parses one input file, or says why it cannot.
fn load(path: &Path, input: &InputArgs) -> Result<omeroconf::document::Document, String> {
    read_text(path).map(|text| parse_input(path, text, None, input))
}

/// Unused directories: version control, build output, dependencies.
const SKIPPED_DIRS: [&str; 4] = [".git", "target", "node_modules", ".venv"];

/// The inputs behind the command-line paths: files as given (or, with
/// `only_recognised`, as a directory search would take them), directories
/// searched (each file with the format it was recognised as).
fn expand(paths: &[PathBuf], only_recognised: bool) -> Result<Vec<(PathBuf, Option<Format>)>, String> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut inputs).map_err(|e| format!("cannot read the directory {}: {e}", path.display()))?;
        } else if only_recognised && path.as_os_str() != "-" {
            // An unreadable file stays an input, so it is reported.
            match std::fs::read_to_string(path) {
                Ok(text) => inputs.extend(source::recognise(path, &text).map(|f| (path.clone(), Some(f)))),
                Err(_) => inputs.push((path.clone(), None)),
            }
        } else {
            inputs.push((path.clone(), None));
        }
    }
    Ok(inputs)
}

fn walk(dir: &Path, inputs: &mut Vec<(PathBuf, Option<Format>)>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_str()) {
                walk(&path, inputs)?;
            }
            continue;
        }
        // Unreadable or binary files are not configuration: skip them here.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if let Some(format) = source::recognise(&path, &text) {
            inputs.push((path, Some(format)));
        }
    }
    Ok(())
}

/// What linting one input gave.
enum Outcome {
    Linted(Box<Linted>, PathBuf),
    /// A script that runs no `omero` command: nothing to check.
    Skipped,
    Unreadable(String),
}

fn lint_input(
    path: &Path,
    recognised: Option<Format>,
    args: &LintArgs,
    lint_one: &(dyn Fn(omeroconf::document::Document) -> Linted + Sync),
) -> Outcome {
    let text = match read_text(path) {
        Ok(text) => text,
        Err(message) => return Outcome::Unreadable(message),
    };
    let format = recognised
        .or(args.input.from)
        .unwrap_or_else(|| source::detect(path, &text));
    if format == Format::Script && !source::runs_omero(&text) {
        return Outcome::Skipped;
    }
    let document = parse_input(path, text, Some(format), &args.input);
    Outcome::Linted(Box::new(lint_one(document)), path.to_path_buf())
}

/// Lints every input on all cores; results come back in input order.
fn lint_all(
    inputs: &[(PathBuf, Option<Format>)],
    args: &LintArgs,
    lint_one: &(dyn Fn(omeroconf::document::Document) -> Linted + Sync),
) -> Vec<Outcome> {
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

fn run_lint(args: &LintArgs) -> u8 {
    let filter = Filter {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    };
    let options = rules::Options { cores: args.cores };
    let lint_one = |document| lint::lint_with(document, args.input.omero_web_version, &filter, &options);
    let inputs = match expand(&args.files, args.only_recognised) {
        Ok(inputs) => inputs,
        Err(message) => {
            eprintln!("error: {message}");
            return USAGE;
        }
    };
    if inputs.is_empty() {
        if args.quiet {
            return OK;
        }
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
    let mut unreadable = false;
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
            .map(|(l, path)| apply_fixes(args, l, path, &lint_one))
            .collect();
    }
    // Machine reports name files relative to here, as a CI checkout expects.
    let root = std::env::current_dir().ok();
    let text = match args.format {
        ReportFormat::Json => format!("{}\n", report::json::render(&linted, root.as_deref())),
        ReportFormat::Sarif => report::sarif::render(&linted, root.as_deref()),
        ReportFormat::Github => report::github::render(&linted, root.as_deref()),
        ReportFormat::Short => report::short::render(&linted, root.as_deref()),
        ReportFormat::Human => {
            let options = report::human::Options {
                show_secrets: args.show_secrets,
                color: colour(args.color, args.output.is_none() && std::io::stdout().is_terminal()),
                max_per_file: args.max_findings,
            };
            let mut text: String = linted.iter().map(|l| report::human::render(l, &options)).collect();
            if !args.quiet {
                text.push_str(&summary(&linted));
            }
            text
        }
    };
    let written = match &args.output {
        None => write_out(&text),
        Some(path) => match atomic::write(path, &text, true) {
            Ok(()) => OK,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                USAGE
            }
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

/// `--diff`: the fixes as a unified diff of the masked texts.
fn show_fixes(
    args: &LintArgs,
    linted: &[Linted],
    paths: &[&Path],
    lint_one: &dyn Fn(omeroconf::document::Document) -> Linted,
    unreadable: bool,
) -> u8 {
    let mut text = String::new();
    let mut any = false;
    for (l, path) in linted.iter().zip(paths) {
        let Some(fixed) = lint::fix(l) else { continue };
        any = true;
        let after = lint_one(parse_input(path, fixed.source.clone(), None, &args.input));
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

/// `--fix`: writes the fixed text in place and lints it again.
fn apply_fixes(
    args: &LintArgs,
    linted: Linted,
    path: &Path,
    lint_one: &dyn Fn(omeroconf::document::Document) -> Linted,
) -> Linted {
    let Some(fixed) = lint::fix(&linted) else { return linted };
    if let Err(e) = omeroconf::edit::write_file(path, &fixed.source) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return linted;
    }
    let left = if fixed.deferred > 0 {
        format!("; {} more after another run", fixed.deferred)
    } else {
        String::new()
    };
    eprintln!("fixed {} problem(s) in {}{left}", fixed.applied.len(), path.display());
    lint_one(parse_input(path, fixed.source, None, &args.input))
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

fn summary(linted: &[Linted]) -> String {
    let count = |s| linted.iter().map(|l| l.count(s)).sum::<usize>();
    let (errors, warnings, infos) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    if errors + warnings + infos == 0 {
        return format!(
            "{} file{} checked: no problems found\n",
            linted.len(),
            if linted.len() == 1 { "" } else { "s" }
        );
    }
    format!(
        "{errors} error(s), {warnings} warning(s), {infos} info(s) in {} file(s)\n",
        linted.len()
    )
}

fn run_convert(args: &ConvertArgs) -> u8 {
    let document = match load(&args.file, &args.input) {
        Ok(document) => document,
        Err(message) => {
            eprintln!("error: {message}");
            return USAGE;
        }
    };
    if let Err(refusal) = emit::readable(&document) {
        return refused(&refusal);
    }
    let linted = lint::lint(
        document,
        args.input.omero_web_version,
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
    let written = match emit::write(&linted.config, args.to, options) {
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
        Some(path) => match atomic::write(path, &written.text, args.force) {
            Ok(()) => OK,
            Err(atomic::WriteError::Exists) => {
                eprintln!("error: {}: {}", path.display(), atomic::WriteError::Exists);
                FINDINGS
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                USAGE
            }
        },
    }
}

fn run_emit(target: &EmitTarget) -> u8 {
    let common = match target {
        EmitTarget::Nginx(a) | EmitTarget::NginxLocation(a) | EmitTarget::NginxDevelopment(a) => &a.emit,
        EmitTarget::Gunicorn(a) => &a.emit,
        EmitTarget::Systemd(a) => &a.emit,
    };
    let document = match load(&common.file, &common.input) {
        Ok(document) => document,
        Err(message) => {
            eprintln!("error: {message}");
            return USAGE;
        }
    };
    let runtime = match Runtime::load(&document, common.input.omero_web_version, &common.omerodir) {
        Ok(runtime) => runtime,
        Err(refusal) => return refused(&refusal),
    };
    let nginx = |kind, a: &NginxArgs| {
        let options = emit::nginx::Options {
            http: a.http.clone(),
            servername: a.servername.clone(),
            max_body_size: a.max_body_size.clone(),
        };
        let text = emit::nginx::render(&runtime, kind, &options)?;
        for warning in emit::nginx::warnings(&runtime)? {
            eprintln!("warning: {warning}");
        }
        Ok(text)
    };
    let text = match target {
        EmitTarget::Nginx(a) => nginx(emit::nginx::Kind::Nginx, a),
        EmitTarget::NginxLocation(a) => nginx(emit::nginx::Kind::Location, a),
        EmitTarget::NginxDevelopment(a) => nginx(emit::nginx::Kind::Development, a),
        EmitTarget::Gunicorn(a) => emit::gunicorn::render(
            &runtime,
            match a.style {
                GunicornStyle::Argv => emit::gunicorn::Style::Argv,
                GunicornStyle::Shell => emit::gunicorn::Style::Shell,
                GunicornStyle::Conf => emit::gunicorn::Style::Conf,
            },
        ),
        EmitTarget::Systemd(a) => emit::systemd::render(
            &runtime,
            &emit::systemd::Options {
                user: a.user.clone(),
                venv: a.venv.clone(),
            },
        ),
    };
    match text {
        Ok(text) => write_out(&text),
        Err(refusal) => refused(&refusal),
    }
}

/// The release one side of `diff` is read at: given, else installed in its virtualenv, else the latest.
fn diff_release(version: Option<Version>, venv: Option<&Path>) -> Result<Version, String> {
    match (version, venv) {
        (Some(version), _) => Ok(version),
        (None, Some(venv)) => {
            let release = omeroconf::diff::installed_release(venv)?;
            catalog().release(release).map(|r| r.version).ok_or_else(|| {
                format!(
                    "{} has omero-web {release}, which omeroconf does not know",
                    venv.display()
                )
            })
        }
        (None, None) => Ok(catalog().latest),
    }
}

fn run_diff(args: &DiffArgs) -> u8 {
    let side = |path: &Path, version, venv: Option<&PathBuf>| -> Result<(String, omeroconf::resolve::Config), String> {
        let release = diff_release(version, venv.map(PathBuf::as_path))?;
        let input = InputArgs {
            from: args.from,
            omero_web_version: release,
            vars: args.vars.clone(),
            profile: None,
            env_style: None,
        };
        let file = omeroconf::diff::config_file(path);
        let document = load(&file, &input)?;
        emit::readable(&document).map_err(|r| r.to_string())?;
        Ok((document.path.clone(), omeroconf::resolve::resolve(&document, release)))
    };
    let sides = side(&args.old, args.old_version, args.old_venv.as_ref())
        .and_then(|old| Ok((old, side(&args.new, args.new_version, args.new_venv.as_ref())?)));
    let options = omeroconf::diff::Options {
        effective: args.effective,
        show_secrets: args.show_secrets,
    };
    let result = sides.and_then(|((old_name, old), (new_name, new))| {
        let mut report = omeroconf::diff::diff(&old, &new, options)?;
        if let Some(venv) = &args.new_venv {
            report.missing_apps = omeroconf::diff::missing_apps(&new, venv);
        }
        Ok((report, old_name, new_name))
    });
    let (report, old_name, new_name) = match result {
        Ok(found) => found,
        Err(message) => {
            eprintln!("error: {message}");
            return USAGE;
        }
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

fn run_migrate(args: &MigrateArgs) -> u8 {
    let input = InputArgs {
        from: args.from,
        omero_web_version: args.to_version,
        vars: args.vars.clone(),
        profile: args.profile.clone(),
        env_style: None,
    };
    let planned = load(&args.file, &input).and_then(|document| {
        emit::readable(&document).map_err(|r| r.to_string())?;
        let migration = omeroconf::migrate::plan(&document, args.from_version, args.to_version)?;
        Ok((document, migration))
    });
    let (document, migration) = match planned {
        Ok(planned) => planned,
        Err(message) => {
            eprintln!("error: {message}");
            return USAGE;
        }
    };
    let reparse = |text: &str| parse_input(&args.file, text.to_string(), None, &input);
    let edited = migration.edit_in_place(&document, &reparse);
    let status = if migration.is_empty() { OK } else { FINDINGS };
    if let Some(path) = &args.output {
        let format = args.to.unwrap_or(document.format);
        let written = match migration.write(
            format,
            emit::WriteOptions {
                force: args.force,
                mask_secrets: false,
            },
        ) {
            Ok(written) => written,
            Err(refusal) => {
                eprintln!("error: {refusal}");
                return USAGE;
            }
        };
        return match atomic::write(path, &written.text, args.force) {
            Ok(()) => {
                eprintln!("wrote {} ({format}) for OMERO.web {}", path.display(), migration.to);
                status
            }
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                USAGE
            }
        };
    }
    if args.write {
        let (text, ..) = match edited {
            Ok(edited) => edited,
            Err(why) => {
                eprintln!("error: {why}; write a new file with --output FILE --to FORMAT");
                return USAGE;
            }
        };
        if text == document.source {
            return write_out(&migration.render(&document.path, args.show_secrets)).max(status);
        }
        return match omeroconf::migrate::write_in_place(&args.file, &document.source, &text) {
            Ok(backup) => {
                eprintln!(
                    "migrated {} (the original is in {})",
                    args.file.display(),
                    backup.display()
                );
                write_out(&migration.render(&document.path, args.show_secrets)).max(status)
            }
            Err(message) => {
                eprintln!("error: {message}");
                USAGE
            }
        };
    }
    let mut text = migration.render(&document.path, args.show_secrets);
    let masked = |doc: &omeroconf::document::Document, config: &omeroconf::resolve::Config| {
        if args.show_secrets {
            doc.source.clone()
        } else {
            report::masked_source(doc, config)
        }
    };
    match &edited {
        Ok((_, after, config)) => {
            text.push_str(&omeroconf::edit::unified_diff(
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
            let old = emit::write(&migration.source, emit::DIFF_FORMAT, options)
                .map(|w| w.text)
                .unwrap_or_default();
            let new = migration
                .write(emit::DIFF_FORMAT, options)
                .map(|w| w.text)
                .unwrap_or_default();
            text.push_str(&omeroconf::edit::unified_diff(&document.path, &old, &new));
        }
    }
    write_out(&text).max(status)
}

/// Reports a refusal; its message already names the key and hides secrets.
fn refused(refusal: &Refusal) -> u8 {
    eprintln!("error: {refusal}");
    FINDINGS
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn write_out(text: &str) -> u8 {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            USAGE
        }
    }
}

fn run_rules() -> u8 {
    let mut text = format!(
        "{:<6}  {:<26}  {:<8}  {:<3}  SUMMARY\n",
        "CODE", "NAME", "SEVERITY", "FIX"
    );
    for rule in rules::RULES {
        text.push_str(&format!(
            "{:<6}  {:<26}  {:<8}  {:<3}  {}\n",
            rule.code,
            rule.name,
            rule.severity,
            if rule.fix { "yes" } else { "" },
            rule.summary
        ));
    }
    write_out(&text)
}

fn run_explain(topic: &str) -> u8 {
    if let Some(rule) = rules::find(topic) {
        let fix = if rule.fix {
            "; `omeroconf lint --fix` can repair it"
        } else {
            ""
        };
        return write_out(&format!(
            "{} ({}): {}\n\nSeverity: {}{fix}\n\n{}\n\nExample:\n{}\n\nInstead:\n{}\n",
            rule.code,
            rule.name,
            rule.summary,
            rule.severity,
            rule.explanation,
            indent(rule.example),
            indent(rule.fixed_example)
        ));
    }
    if let Some(property) = catalog().property(topic) {
        return write_out(&omeroconf::catalog::describe(property));
    }
    let suggestions = catalog().similar_keys(topic);
    eprintln!("error: `{topic}` is neither a rule code nor a known property");
    if !suggestions.is_empty() {
        eprintln!("did you mean: {}", suggestions.join(", "));
    }
    USAGE
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

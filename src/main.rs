//! The `omeroconf` command line: argument parsing and dispatch only.

use clap::{Args, Parser, Subcommand, ValueEnum};
use omeroconf::catalog::{catalog, Version};
use omeroconf::diagnostic::Severity;
use omeroconf::document::Format;
use omeroconf::lint::{self, Filter, Linted};
use omeroconf::emit::{self, runtime::Runtime, Refusal};
use omeroconf::{atomic, report, rules, source};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "omeroconf", version, about = "Check OMERO.web configuration before OMERO.web reads it")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report problems in configuration files (scripts, backups, config.xml, TOML).
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
        #[arg(long)]
        markdown: bool,
    },
    /// Explain a rule (by code or name) or a property (by key).
    Explain {
        /// A rule code such as TY006, a rule name, or a property key.
        topic: String,
    },
    /// Print the JSON Schema of the TOML form (for editors and taplo).
    Schema {
        /// Only the keys of this release.
        #[arg(long, value_name = "VERSION", value_parser = parse_version)]
        omero_web_version: Option<Version>,
    },
}

#[derive(Args)]
struct InputArgs {
    /// Input format; detected from the file name and content when omitted.
    #[arg(long = "from", value_name = "FORMAT", value_parser = parse_format)]
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
}

#[derive(Args)]
struct LintArgs {
    /// Files to check.
    #[arg(required = true, value_name = "FILE")]
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
}

#[derive(Args)]
struct ConvertArgs {
    /// The file to convert.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    /// Output format: script, omero, properties, xml, toml or json.
    #[arg(long = "to", value_name = "FORMAT", value_parser = parse_format)]
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
    /// `argv`: the command on one line; `conf`: an equivalent gunicorn.conf.py.
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
enum GunicornStyle {
    Argv,
    Conf,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Human,
    Json,
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
}

fn parse_version(text: &str) -> Result<Version, String> {
    let version = Version::parse(text).ok_or_else(|| format!("`{text}` is not a release number such as 5.33.2"))?;
    if catalog().release(version).is_none() {
        let known = catalog().releases.iter().map(|r| r.version.to_string()).collect::<Vec<_>>();
        return Err(format!("omeroconf knows OMERO.web {} to {}, not {version}", known[0], known[known.len() - 1]));
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
        Command::Rules { markdown: true } => write_out(&rules::markdown_table()),
        Command::Rules { markdown: false } => run_rules(),
        Command::Explain { topic } => run_explain(&topic),
        Command::Schema { omero_web_version } => match omero_web_version {
            None => write_out(&omeroconf::schema::render()),
            Some(release) => {
                let schema = omeroconf::schema::generate(Some(release));
                write_out(&format!("{}\n", serde_json::to_string_pretty(&schema).unwrap_or_default()))
            }
        },
    };
    ExitCode::from(status)
}

/// Reads one input file as UTF-8 text, or says why it cannot.
fn read(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!("{} is not UTF-8 text (invalid byte at offset {at}); OMERO reads configuration as UTF-8", path.display())
    })
}

/// Parses a file's text in its format.
fn parse(path: &Path, text: &str, input: &InputArgs) -> omeroconf::document::Document {
    let format = input.from.unwrap_or_else(|| source::detect(path, text));
    let options = source::Options {
        vars: input.vars.clone(),
        base_dir: path.parent().map(Path::to_path_buf),
        profile: input.profile.clone(),
    };
    source::parse(&path.display().to_string(), text, format, &options)
}

/// Reads and parses one input file, or says why it cannot.
fn load(path: &Path, input: &InputArgs) -> Result<omeroconf::document::Document, String> {
    read(path).map(|text| parse(path, &text, input))
}

fn run_lint(args: &LintArgs) -> u8 {
    let filter = Filter { select: args.select.clone(), ignore: args.ignore.clone() };
    let options = rules::Options { cores: args.cores };
    let lint_one = |document| lint::lint_with(document, args.input.omero_web_version, &filter, &options);
    let mut linted: Vec<Linted> = Vec::new();
    // The path of each linted file, for writing fixes back.
    let mut paths: Vec<&Path> = Vec::new();
    let mut unreadable = false;
    for path in &args.files {
        match load(path, &args.input) {
            Ok(document) => {
                linted.push(lint_one(document));
                paths.push(path);
            }
            Err(message) => {
                eprintln!("error: {message}");
                unreadable = true;
            }
        }
    }
    if linted.is_empty() {
        // No report at all rather than "0 files checked: no problems found".
        return USAGE;
    }
    if args.diff {
        return show_fixes(args, &linted, &paths, &lint_one, unreadable);
    }
    if args.fix {
        linted = linted.into_iter().zip(&paths).map(|(l, path)| apply_fixes(args, l, path, &lint_one)).collect();
    }
    let text = match args.format {
        ReportFormat::Json => format!("{}\n", report::json::render(&linted)),
        ReportFormat::Human => {
            let options = report::human::Options {
                show_secrets: args.show_secrets,
                color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                max_per_file: args.max_findings,
            };
            let mut text: String = linted.iter().map(|l| report::human::render(l, &options)).collect();
            text.push_str(&summary(&linted));
            text
        }
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
        let after = lint_one(parse(path, &fixed.source, &args.input));
        let (old, new) = if args.show_secrets {
            (l.document.source.clone(), fixed.source)
        } else {
            (report::masked_source(&l.document, &l.config), report::masked_source(&after.document, &after.config))
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
fn apply_fixes(args: &LintArgs, linted: Linted, path: &Path, lint_one: &dyn Fn(omeroconf::document::Document) -> Linted) -> Linted {
    let Some(fixed) = lint::fix(&linted) else { return linted };
    if let Err(e) = omeroconf::edit::write_file(path, &fixed.source) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return linted;
    }
    let left = if fixed.deferred > 0 { format!("; {} more after another run", fixed.deferred) } else { String::new() };
    eprintln!("fixed {} problem(s) in {}{left}", fixed.applied.len(), path.display());
    lint_one(parse(path, &fixed.source, &args.input))
}

fn summary(linted: &[Linted]) -> String {
    let count = |s| linted.iter().map(|l| l.count(s)).sum::<usize>();
    let (errors, warnings, infos) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    if errors + warnings + infos == 0 {
        return format!("{} file{} checked: no problems found\n", linted.len(), if linted.len() == 1 { "" } else { "s" });
    }
    format!("{errors} error(s), {warnings} warning(s), {infos} info(s) in {} file(s)\n", linted.len())
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
    let linted = lint::lint(document, args.input.omero_web_version, &Filter { select: vec!["IN".into()], ignore: vec![] });
    for finding in linted.findings.iter().filter(|f| f.severity == Severity::Error) {
        eprintln!("warning: {}: {}", linted.document.path, finding.message);
    }
    let options = emit::WriteOptions { force: args.force, mask_secrets: args.mask_secrets };
    let written = match emit::write(&linted.config, args.to, options) {
        Ok(written) => written,
        Err(refusal) => return refused(&refusal),
    };
    for key in &written.altered {
        eprintln!("warning: {key}: written altered, the {} format cannot carry its value exactly", args.to);
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
                GunicornStyle::Conf => emit::gunicorn::Style::Conf,
            },
        ),
        EmitTarget::Systemd(a) => {
            emit::systemd::render(&runtime, &emit::systemd::Options { user: a.user.clone(), venv: a.venv.clone() })
        }
    };
    match text {
        Ok(text) => write_out(&text),
        Err(refusal) => refused(&refusal),
    }
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
    let mut text = format!("{:<6}  {:<26}  {:<8}  {:<3}  SUMMARY\n", "CODE", "NAME", "SEVERITY", "FIX");
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
        let fix = if rule.fix { "; `omeroconf lint --fix` can repair it" } else { "" };
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

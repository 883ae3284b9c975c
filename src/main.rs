//! The `omeroconf` command line: argument parsing and dispatch only.

use clap::{Args, Parser, Subcommand, ValueEnum};
use omeroconf::catalog::{catalog, Version};
use omeroconf::diagnostic::Severity;
use omeroconf::document::Format;
use omeroconf::lint::{self, Filter, Linted};
use omeroconf::{report, rules, source};
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
    /// Print the properties a configuration stores, in another format.
    Convert(ConvertArgs),
    /// List every rule.
    Rules,
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
}

#[derive(Args)]
struct ConvertArgs {
    /// The file to convert.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long = "to", value_enum)]
    to: OutputFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    /// The stored properties as one JSON object {key: string}.
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
        Command::Rules => run_rules(),
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

/// Reads and parses one input file, or says why it cannot.
fn load(path: &Path, input: &InputArgs) -> Result<omeroconf::document::Document, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            return Err(format!(
                "{} is not UTF-8 text (invalid byte at offset {at}); OMERO reads configuration as UTF-8",
                path.display()
            ));
        }
    };
    let format = input.from.unwrap_or_else(|| source::detect(path, &text));
    let options = source::Options {
        vars: input.vars.clone(),
        base_dir: path.parent().map(Path::to_path_buf),
        profile: input.profile.clone(),
        env_style: None,
    };
    Ok(source::parse(&path.display().to_string(), &text, format, &options))
}

fn run_lint(args: &LintArgs) -> u8 {
    let filter = Filter { select: args.select.clone(), ignore: args.ignore.clone() };
    let mut linted: Vec<Linted> = Vec::new();
    let mut unreadable = false;
    for path in &args.files {
        match load(path, &args.input) {
            Ok(document) => linted.push(lint::lint(document, args.input.omero_web_version, &filter)),
            Err(message) => {
                eprintln!("error: {message}");
                unreadable = true;
            }
        }
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
    let linted = lint::lint(document, args.input.omero_web_version, &Filter { select: vec!["IN".into()], ignore: vec![] });
    let stored = match linted.config.stored() {
        Ok(stored) => stored,
        Err(unknown) => {
            eprintln!(
                "error: the stored value of {} is unknown until the script runs (see `omeroconf lint`)",
                unknown.join(", ")
            );
            return FINDINGS;
        }
    };
    for finding in linted.findings.iter().filter(|f| f.severity == Severity::Error) {
        eprintln!("warning: {}: {}", linted.document.path, finding.message);
    }
    match args.to {
        OutputFormat::Json => match serde_json::to_string_pretty(&stored) {
            Ok(text) => write_out(&format!("{text}\n")),
            Err(e) => {
                eprintln!("error: {e}");
                USAGE
            }
        },
    }
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

//! The `omeroconf` command line: argument parsing and dispatch only; each
//! command lives in `cli/`.

mod cli;

use clap::{CommandFactory, Parser, Subcommand};
use clap_complete::Shell;
use cli::{convert, diff, emit, explain, input, lint, man, migrate, write_out};
use omeroconf::catalog::Version;
use std::path::PathBuf;
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
    Lint(lint::LintArgs),
    /// Write the properties a configuration stores in another format.
    Convert(convert::ConvertArgs),
    /// Print the nginx file, gunicorn command or systemd unit OMERO.web would use.
    Emit {
        #[command(subcommand)]
        target: emit::EmitTarget,
    },
    /// List every rule.
    Rules {
        /// Print the rule table as Markdown (the README's table).
        #[arg(long, conflicts_with = "format")]
        markdown: bool,
        /// `text`: a table; `json`: an array of {code, name, severity, summary, fix}.
        #[arg(long, value_enum, default_value_t = explain::RulesFormat::Text)]
        format: explain::RulesFormat,
    },
    /// Explain a rule (by code or name) or a property (by key).
    Explain {
        /// A rule code such as TY006, a rule name, or a property key.
        topic: String,
    },
    /// Show what changes between two configurations or two installs
    /// (exit status 0 equal, 1 different, 2 error).
    Diff(diff::DiffArgs),
    /// Rewrite a configuration for a target release (exit status 0 nothing
    /// to change, 1 changes reported or written, 2 error).
    Migrate(migrate::MigrateArgs),
    /// Print the JSON Schema of the TOML form (for editors and taplo).
    Schema {
        /// Only the keys of this release.
        #[arg(long, value_name = "VERSION", value_parser = input::parse_version)]
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

fn main() -> ExitCode {
    let status = match Cli::parse().command {
        Command::Lint(args) => lint::run(&args),
        Command::Convert(args) => convert::run(&args),
        Command::Emit { target } => emit::run(&target),
        Command::Rules { markdown, format } => explain::rules(markdown, format),
        Command::Explain { topic } => explain::explain(&topic),
        Command::Diff(args) => diff::run(&args),
        Command::Migrate(args) => migrate::run(&args),
        Command::Schema { omero_web_version } => schema(omero_web_version),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "omeroconf", &mut out);
            write_out(&String::from_utf8_lossy(&out))
        }
        Command::Man { dir } => man::run(Cli::command(), dir.as_deref()),
    };
    ExitCode::from(status)
}

/// `omeroconf schema`: the TOML form's JSON Schema, for every release or one.
fn schema(release: Option<Version>) -> u8 {
    match release {
        None => write_out(&omeroconf::schema::render()),
        Some(release) => {
            let schema = omeroconf::schema::generate(Some(release));
            write_out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            ))
        }
    }
}

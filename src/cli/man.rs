//! `omeroconf man`: man pages from the clap command: `omeroconf.1` and one page per
//! subcommand (`omeroconf-lint.1`, `omeroconf-emit-nginx.1`, ...), the names
//! the main page's SUBCOMMANDS section refers to, each with EXIT STATUS and
//! EXAMPLES sections clap does not know about.

use std::io::Write;
use std::path::Path;

// Pages are written with omeroconf's one writer (atomic, never partial).

/// What a command's exit status means, by the page's name.
fn exit_status(page: &str) -> &'static str {
    match page {
        "omeroconf-lint" => {
            "0 no errors (warnings and infos do not count unless --deny-warnings is given; with --diff, \
             nothing to fix), 1 errors found (or fixes to apply with --diff), 2 usage error or an \
             input that cannot be read."
        }
        "omeroconf-diff" => "0 the two sides are equal, 1 they differ, 2 error.",
        "omeroconf-migrate" => "0 nothing to change, 1 changes reported or written, 2 error.",
        p if p.starts_with("omeroconf-emit") || p == "omeroconf-convert" => {
            "0 written, 1 refused (OMERO would not load the configuration, or the target cannot \
             carry it; the key is named), 2 usage error or an input that cannot be read."
        }
        "omeroconf" => {
            "0 success, 1 findings (lint), differences (diff), changes (migrate) or a refusal \
             (convert, emit), 2 usage error or an input that cannot be read. Each subcommand's \
             page gives the details."
        }
        _ => "0 success, 2 usage error.",
    }
}

/// Command lines worth copying, by the page's name.
fn examples(page: &str) -> &'static [(&'static str, &'static str)] {
    match page {
        "omeroconf" | "omeroconf-lint" => &[
            (
                "omeroconf lint properties.backup",
                "Check a backup made with omero config get --show-password.",
            ),
            (
                "omeroconf lint --format github .",
                "Annotate a pull request from every file a directory holds.",
            ),
            (
                "omeroconf lint --fix setup-web.sh",
                "Apply the safe fixes in place, then report what is left.",
            ),
        ],
        "omeroconf-convert" => &[(
            "omeroconf convert --to toml properties.backup",
            "Write a backup in omeroconf's TOML form.",
        )],
        "omeroconf-emit-nginx" => &[(
            "omeroconf emit nginx --http 8080 config.xml",
            "The server block omero web config nginx prints.",
        )],
        "omeroconf-emit-gunicorn" => &[(
            "omeroconf emit gunicorn --style shell config.xml",
            "The command omero web start runs, for a shell.",
        )],
        "omeroconf-emit-systemd" => &[(
            "omeroconf emit systemd --user omero-web config.xml > omero-web.service",
            "A sandboxed unit for OMERO.web.",
        )],
        "omeroconf-diff" => &[(
            "omeroconf diff old.backup new.backup",
            "What changes between two backups.",
        )],
        "omeroconf-migrate" => &[(
            "omeroconf migrate --to-version 5.33.2 setup-web.sh",
            "What to change for a newer OMERO.web.",
        )],
        "omeroconf-explain" => &[
            ("omeroconf explain TY006", "A rule: what it finds and why it matters."),
            (
                "omeroconf explain omero.web.prefix",
                "A property: type, default, releases.",
            ),
        ],
        "omeroconf-schema" => &[(
            "omeroconf schema > omero-web.schema.json",
            "The JSON Schema taplo and editors check the TOML form with.",
        )],
        "omeroconf-completions" => &[(
            "omeroconf completions bash > /etc/bash_completion.d/omeroconf",
            "Completion for bash.",
        )],
        "omeroconf-man" => &[("omeroconf man --dir /usr/local/share/man/man1", "Install every page.")],
        _ => &[],
    }
}

/// One page: clap's sections, then EXIT STATUS and EXAMPLES.
fn page(command: clap::Command) -> std::io::Result<(String, String)> {
    let man = clap_mangen::Man::new(command);
    let name = man.get_filename().trim_end_matches(".1").to_string();
    let mut out = Vec::new();
    man.render(&mut out)?;
    writeln!(out, ".SH \"EXIT STATUS\"\n{}", roff_text(exit_status(&name)))?;
    let examples = examples(&name);
    if !examples.is_empty() {
        writeln!(out, ".SH EXAMPLES")?;
        for (command, what) in examples {
            writeln!(out, ".TP\n\\fB{}\\fR\n{}", roff_text(command), roff_text(what))?;
        }
    }
    let text = String::from_utf8(out).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    Ok((name, text))
}

/// Text safe in roff: a backslash is `\e`, a leading `.` or `'` is escaped,
/// `-` is a real hyphen-minus (so options can be copied).
fn roff_text(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with(['.', '\'']) {
        format!("\\&{text}")
    } else {
        text
    }
}

/// `omeroconf man`: the main page on standard output, or every page into `dir`.
pub fn run(command: clap::Command, dir: Option<&Path>) -> u8 {
    match dir {
        None => match main_page(command) {
            Ok(page) => super::write_out(&page),
            Err(e) => super::usage_error(&format!("cannot render the man page: {e}")),
        },
        Some(dir) => match write_all(command, dir) {
            Ok(()) => super::OK,
            Err(e) => super::usage_error(&format!("cannot write the man pages into {}: {e}", dir.display())),
        },
    }
}

/// The main page alone.
fn main_page(command: clap::Command) -> std::io::Result<String> {
    let mut command = command.disable_help_subcommand(true);
    command.build();
    page(command).map(|(_, text)| text)
}

/// Every page, written into `dir`.
fn write_all(command: clap::Command, dir: &Path) -> std::io::Result<()> {
    fn walk(command: clap::Command, dir: &Path) -> std::io::Result<()> {
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
            walk(sub, dir)?;
        }
        let (name, text) = page(command)?;
        let path = dir.join(format!("{name}.1"));
        omeroconf::atomic::write(&path, &text, true).map_err(|e| std::io::Error::other(e.to_string()))
    }
    let mut command = command.disable_help_subcommand(true);
    command.build();
    walk(command, dir)
}

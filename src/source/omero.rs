//! The `omero` command line as omero-py reads it, shared by every input that
//! runs omero commands: argparse's rules for `omero [options] config
//! set|append|remove ...` (options after positionals, `--`, abbreviations,
//! usage errors), and the command files of `omero load FILE`, one
//! `shlex.split` command per line.
//!
//! It turns commands into operations and never decides what they store
//! (`resolve` does). It reads another file (`omero load FILE`, `config set
//! -f FILE`) only below the base directory the caller gives, and never runs
//! anything.

use crate::diagnostic::{Finding, Severity};
use crate::document::{Document, Format, OpKind, Operation, Span, Suppression, Unknown, Value};
use crate::python::argparse::{exiting, flag, parse_args, with_value, Nargs, Parsed, Parser, Word, HELP};
use crate::python::io::{universal_newlines, Lines, Newlines};
use crate::python::{is_space, rstrip, shlex};
use crate::source::rules::{
    COMMAND_FAILS, COMMAND_SUBSTITUTION, EXTERNAL_SOURCE, SYNTAX_ERROR, TEMPLATE_VALUE, UNEVALUATED_EXPANSION,
    UNRESOLVED_VARIABLE, UNSUPPORTED_COMMAND,
};
use crate::source::suppressed_codes;
use std::borrow::Cow;
use std::path::Path;

/// Reads an `omero load` command file (or a Jinja template of one: each
/// `{{ ... }}` is a value known only when the template is rendered).
pub fn parse(path: &str, source: &str) -> Document {
    let mut doc = Document::new(path, Format::Omero, source);
    let mut cli = Cli {
        doc: &mut doc,
        base_dir: None,
        depth: 0,
    };
    let (text, unknown) = match without_templates(source) {
        Some(text) => (Cow::Owned(text), Some(Unknown::Template)),
        None => (Cow::Borrowed(source), None),
    };
    let text = [Piece {
        text,
        origin: Origin::Verbatim(0),
        unknown,
    }];
    cli.read_commands(&text, Newlines::Universal, Session::Load { keep_going: false }, false);
    super::env::report_overridden(&mut doc, 0, "a later line of this file sets or removes it");
    doc
}

/// The text with every Jinja `{{ ... }}` replaced by [`UNKNOWN_MARK`]
/// (padded to the same length, so offsets stay those of the source) and
/// every `{% ... %}` and `{# ... #}` tag blanked; `None` without any.
/// Newlines inside an expression go too: the rendered value is one word.
fn without_templates(source: &str) -> Option<String> {
    if !source.contains("{{") && !source.contains("{%") && !source.contains("{#") {
        return None;
    }
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    let mut changed = false;
    while let Some(start) = rest.find(['{']) {
        let (open, close) = match rest.get(start..start + 2) {
            Some("{{") => ("{{", "}}"),
            Some("{%") => ("{%", "%}"),
            Some("{#") => ("{#", "#}"),
            _ => {
                out.push_str(&rest[..=start]);
                rest = &rest[start + 1..];
                continue;
            }
        };
        let Some(length) = rest[start + open.len()..]
            .find(close)
            .map(|at| at + open.len() + close.len())
        else {
            break;
        };
        out.push_str(&rest[..start]);
        let tag = &rest[start..start + length];
        if open == "{{" {
            out.push(UNKNOWN_MARK);
            out.extend(std::iter::repeat_n('x', length - UNKNOWN_MARK.len_utf8()));
        } else {
            // A tag renders to nothing; its line ends stay for the line numbers.
            for c in tag.chars() {
                match c {
                    '\n' => out.push('\n'),
                    _ => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
                }
            }
        }
        changed = true;
        rest = &rest[start + length..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// The profile omero-py reads and writes unless told otherwise.
const ACTIVE_PROFILE: &str = "default";

/// Files that load files (`omero load` of a file that loads another, nested
/// `bash -c` scripts) are followed this deep and no deeper.
pub(crate) const MAX_DEPTH: usize = 16;

/// One command-line argument as the omero process receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arg {
    pub value: Value,
    /// The word as written, quotes included.
    pub span: Span,
}

impl Word for Arg {
    fn text(&self) -> Option<&str> {
        self.value.known()
    }

    fn attached(&self, value: String) -> Self {
        Arg {
            value: Value::Known(value),
            span: self.span,
        }
    }
}

impl Arg {
    /// How a usage message shows the argument.
    fn shown(&self) -> &str {
        self.text().unwrap_or("<unknown>")
    }
}

/// Where a piece of text handed to the reader was written in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A verbatim copy of the source starting at this offset.
    Verbatim(usize),
    /// Rewritten on the way (expanded, unescaped, read from another file):
    /// every span points at this part of the source.
    Within(Span),
}

impl Origin {
    /// The document span of bytes `start..end` of the piece.
    fn span(self, start: usize, end: usize) -> Span {
        match self {
            Origin::Verbatim(offset) => Span::new(offset + start, offset + end),
            Origin::Within(span) => span,
        }
    }

    fn map(self, span: Span) -> Span {
        self.span(span.start, span.end)
    }
}

/// Stands in a piece of text for a part that cannot be known (a variable
/// from outside the script expanded in a here-document); a noncharacter, so
/// no real text contains it.
pub(crate) const UNKNOWN_MARK: char = '\u{FDD0}';

/// Text fed to an omero process, in pieces that each end at a line end.
#[derive(Debug, Clone)]
pub(crate) struct Piece<'a> {
    pub text: Cow<'a, str>,
    pub origin: Origin,
    /// Why the parts marked with [`UNKNOWN_MARK`] are unknown.
    pub unknown: Option<Unknown>,
}

/// What an omero process reads on its standard input.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stdin<'a> {
    /// Whatever the script itself was given: unknown.
    Inherited,
    /// A here-document, here-string or redirected file.
    Text(&'a [Piece<'a>]),
}

/// How omero-py reads a command file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Session {
    /// `omero load`: each line includes its newline; without `-k` the first
    /// failing command ends the load.
    Load { keep_going: bool },
    /// `omero` with no arguments: lines without their newline, failures are
    /// reported and skipped, `quit` or a line `EOF` ends the session.
    Interactive,
}

/// What became of one command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Done,
    /// argparse refused the arguments: the command exits with status 2 and
    /// changes nothing.
    UsageError,
    /// `quit`: an interactive session ends.
    Quit,
}

/// Runs omero commands into a document's operations.
pub(crate) struct Cli<'d> {
    pub doc: &'d mut Document,
    /// Relative file names (`omero load FILE`, `-f FILE`) are read from here;
    /// without it no other file is read.
    pub base_dir: Option<&'d Path>,
    pub depth: usize,
}

impl Cli<'_> {
    /// An `omero ...` process started with these arguments (the program name
    /// left out).
    pub(crate) fn run_program(&mut self, args: &[Arg], span: Span, stdin: Stdin<'_>, tolerated: bool) -> Outcome {
        if let Some(operation) = simple_change(args, span, tolerated) {
            self.doc.operations.push(operation);
            return Outcome::Done;
        }
        // omero.cli.argv() takes `--path DIR` (or `--p`, `--pa`...) out of
        // the whole command line before anything else parses it.
        let mentions_path = args
            .iter()
            .any(|arg| arg.text().is_some_and(|text| text.starts_with("--p")));
        let args: Cow<[Arg]> = if !mentions_path {
            Cow::Borrowed(args)
        } else {
            match parse_args(&PLUGIN_PATH, args) {
                Ok(parsed) => Cow::Owned(parsed.extras.into_iter().cloned().collect()),
                Err(message) => return self.usage_error("omero", &message, span),
            }
        };
        if !args.is_empty() {
            return self.run(&args, span, stdin, tolerated);
        }
        match stdin {
            Stdin::Text(text) => {
                self.read_commands(text, Newlines::Lf, Session::Interactive, true);
            }
            Stdin::Inherited => self.unsupported(
                span,
                "`omero` without arguments reads commands from standard input, which omeroconf \
                 cannot see",
            ),
        }
        Outcome::Done
    }

    /// One command line of a session, as `CLI.invoke` runs it.
    fn run(&mut self, args: &[Arg], span: Span, stdin: Stdin<'_>, tolerated: bool) -> Outcome {
        let parsed = match self.parse(&OMERO, args, span) {
            Ok(parsed) => parsed,
            Err(outcome) => return outcome,
        };
        let Some((name, rest)) = parsed.subcommand() else {
            return Outcome::Done;
        };
        match &name.value {
            Value::Unknown(unknown) => {
                self.doc
                    .findings
                    .push(unknown_finding(unknown, name.span, "the omero subcommand"));
                Outcome::Done
            }
            Value::Known(name_text) => match name_text.as_str() {
                "config" => self.config(rest, span, stdin, tolerated),
                "load" => self.load(rest, span, stdin, tolerated),
                "shell" => {
                    if let Stdin::Text(_) = stdin {
                        self.unsupported(
                            span,
                            "`omero shell` runs its input as Python (IPython), not as omero commands",
                        );
                    }
                    Outcome::Done
                }
                "quit" => Outcome::Quit,
                // Other plugins exist beyond those omero-py ships, so only this
                // common slip (a command file line starting with the program
                // name) is known to be an invalid choice.
                "omero" => self.usage_error(
                    "omero",
                    "argument <subcommand>: invalid choice: 'omero' (commands are written without \
                     the program name)",
                    span,
                ),
                _ => Outcome::Done,
            },
        }
    }

    /// `omero config [--source FILE] SUBCOMMAND ...`
    fn config(&mut self, args: &[Arg], span: Span, stdin: Stdin<'_>, tolerated: bool) -> Outcome {
        let parsed = match self.parse(&CONFIG, args, span) {
            Ok(parsed) => parsed,
            Err(outcome) => return outcome,
        };
        let source = parsed.option(&CONFIG, "--source");
        let Some((name, rest)) = parsed.subcommand() else {
            return Outcome::Done;
        };
        let name_text = match &name.value {
            Value::Known(text) => text.as_str(),
            Value::Unknown(unknown) => {
                self.doc
                    .findings
                    .push(unknown_finding(unknown, name.span, "the `omero config` subcommand"));
                return Outcome::Done;
            }
        };
        let verb = match name_text {
            "set" => Verb::Set,
            "append" => Verb::Append,
            "remove" => Verb::Remove,
            // Dropping the active profile empties the configuration.
            "drop" if rest.first().and_then(|arg| arg.text()) == Some(ACTIVE_PROFILE) => {
                self.drop_all(span);
                return Outcome::Done;
            }
            "drop" => return Outcome::Done,
            "load" | "edit" | "upgrade" => {
                self.unsupported(
                    span,
                    &format!("`omero config {name_text}` changes the configuration from outside the script"),
                );
                return Outcome::Done;
            }
            "def" => {
                if !rest.is_empty() {
                    self.unsupported(span, "`omero config def NAME` switches to another profile");
                }
                return Outcome::Done;
            }
            "all" | "list" | "get" | "keys" | "parse" | "version" | "path" | "lock" => return Outcome::Done,
            other => {
                let message = format!(
                    "argument <subcommand>: invalid choice: '{other}' (choose from 'all', 'def', \
                     'list', 'get', 'set', 'append', 'remove', 'drop', 'keys', 'load', 'parse', \
                     'edit', 'version', 'path', 'lock', 'upgrade')"
                );
                return self.usage_error("omero config", &message, span);
            }
        };
        if let Some(source) = source {
            self.unsupported(
                span,
                &format!("`--source {}` makes the command change another file", source.shown()),
            );
            return Outcome::Done;
        }
        self.change(verb, rest, span, stdin, tolerated)
    }

    /// `omero config set|append|remove ...`: argparse, then the operation.
    fn change(&mut self, verb: Verb, args: &[Arg], span: Span, stdin: Stdin<'_>, tolerated: bool) -> Outcome {
        let parser = match verb {
            Verb::Set => &CONFIG_SET,
            Verb::Append => &CONFIG_APPEND,
            Verb::Remove => &CONFIG_REMOVE,
        };
        let parsed = match self.parse(parser, args, span) {
            Ok(parsed) => parsed,
            Err(outcome) => {
                self.name_the_property(args, outcome);
                return outcome;
            }
        };
        let Some(&key_arg) = parsed.values(0).first() else {
            return Outcome::Done;
        };
        let value_arg = parsed.values(1).first().copied();
        let key = match &key_arg.value {
            Value::Known(key) => key.clone(),
            Value::Unknown(unknown) => {
                let finding = unknown_finding(unknown, key_arg.span, "the property name")
                    .help("omeroconf skips the command: it cannot tell which property it changes");
                self.doc.findings.push(finding);
                return Outcome::Done;
            }
        };
        let (kind, value, value_span) = match verb {
            Verb::Set => {
                if key.contains('=') {
                    // prefs.py checks this before anything else and then only
                    // prints a hint (or nothing at all).
                    // The command exits 0: nothing fails, nothing is set.
                    let meant = key.split('=').next().unwrap_or_default();
                    let finding = Finding::new(
                        &COMMAND_FAILS,
                        format!("`omero config set {key}` changes nothing (the property name contains `=`), so {meant} keeps its value"),
                    )
                    .severity(Severity::Warning)
                    .key(meant)
                    .at(key_arg.span, "`=` in the property name")
                    .help("write the name and the value as two arguments: `omero config set KEY VALUE`");
                    self.doc.findings.push(finding);
                    return Outcome::Done;
                }
                match (parsed.option(&CONFIG_SET, "--file"), value_arg) {
                    (Some(file), _) => match self.file_value(file, stdin) {
                        Some(value) => (OpKind::Set, Some(value), file.span),
                        None => return Outcome::Done,
                    },
                    (None, None) => (OpKind::Unset, None, key_arg.span),
                    (None, Some(value)) => (OpKind::Set, Some(value.value.clone()), value.span),
                }
            }
            Verb::Append | Verb::Remove => {
                // argparse has already required VALUE.
                let Some(value) = value_arg else {
                    return Outcome::Done;
                };
                let kind = match verb {
                    Verb::Append => OpKind::Append {
                        unique: parsed.option(&CONFIG_APPEND, "--set").is_some(),
                    },
                    _ => OpKind::Remove,
                };
                (kind, Some(value.value.clone()), value.span)
            }
        };
        if let Some(Value::Unknown(unknown)) = &value {
            let finding = unknown_finding(unknown, value_span, &format!("the value of {key}")).key(key.as_str());
            self.doc.findings.push(finding);
        }
        self.doc.operations.push(Operation {
            kind,
            key,
            key_span: key_arg.span,
            value,
            value_span,
            span,
            failure_tolerated: tolerated,
            runs_if_previous: None,
        });
        Outcome::Done
    }

    /// The value of `config set -f FILE`: the file's text without trailing
    /// whitespace, or `None` (with a finding) when it cannot be read here.
    fn file_value(&mut self, file: &Arg, stdin: Stdin<'_>) -> Option<Value> {
        let name = match &file.value {
            Value::Known(name) => name,
            Value::Unknown(unknown) => return Some(Value::Unknown(unknown.clone())),
        };
        let text = if name == "-" {
            match stdin {
                Stdin::Text(pieces) => pieces.iter().map(|piece| piece.text.as_ref()).collect::<String>(),
                Stdin::Inherited => {
                    self.unsupported(
                        file.span,
                        "`-f -` reads the value from standard input, which omeroconf cannot see",
                    );
                    return None;
                }
            }
        } else {
            match self.read_file(name) {
                Ok(text) => universal_newlines(&text).into_owned(),
                Err(why) => {
                    self.unsupported(file.span, &format!("the value is read from `{name}`, which {why}"));
                    return None;
                }
            }
        };
        Some(Value::Known(rstrip(&text).to_string()))
    }

    /// `omero load [-g] [-k] [FILE ...]` (omero-py's LoadControl).
    fn load(&mut self, args: &[Arg], span: Span, stdin: Stdin<'_>, tolerated: bool) -> Outcome {
        let parsed = match self.parse(&LOAD, args, span) {
            Ok(parsed) => parsed,
            Err(outcome) => return outcome,
        };
        if parsed.option(&LOAD, "--glob").is_some() {
            self.unsupported(span, "`omero load --glob` loads files matched when the script runs");
            return Outcome::Done;
        }
        let keep_going = parsed.option(&LOAD, "--keep-going").is_some();
        let session = Session::Load { keep_going };
        // Without -k a failing line stops the load, and the script sees the
        // load fail; with -k every failure is ignored.
        let tolerated = tolerated || keep_going;
        let files = parsed.values(0);
        if files.is_empty() {
            match stdin {
                Stdin::Text(text) => {
                    self.read_commands(text, Newlines::Lf, session, tolerated);
                }
                Stdin::Inherited => self.unsupported(
                    span,
                    "`omero load` without a file reads commands from standard input, which \
                     omeroconf cannot see",
                ),
            }
            return Outcome::Done;
        }
        for file in files {
            let completed = match (&file.value, stdin) {
                (Value::Known(name), Stdin::Text(text)) if name == "/dev/stdin" => {
                    self.read_commands(text, Newlines::Lf, session, tolerated)
                }
                (Value::Known(name), _) => match self.read_file(name) {
                    Ok(_) if self.depth >= MAX_DEPTH => {
                        self.unsupported(file.span, "files load each other deeper than omeroconf follows");
                        false
                    }
                    Ok(text) => {
                        let text = [Piece {
                            text: Cow::Owned(text),
                            origin: Origin::Within(file.span),
                            unknown: None,
                        }];
                        self.depth += 1;
                        let completed = self.read_commands(&text, Newlines::Universal, session, tolerated);
                        self.depth -= 1;
                        completed
                    }
                    Err(why) if name == "-" => {
                        self.unsupported(file.span, &format!("`omero load` reads `{name}`, which {why}"));
                        true
                    }
                    Err(why) => {
                        // Often a file the deployment provides (a mounted or
                        // generated .omero): not checked, not wrong.
                        let finding = Finding::new(
                            &EXTERNAL_SOURCE,
                            format!(
                                "`omero load` reads `{name}`, which {why}: its commands are not part of this check"
                            ),
                        )
                        .at(file.span, "read when the command runs")
                        .help(format!("lint `{name}` too"));
                        self.doc.findings.push(finding);
                        true
                    }
                },
                (Value::Unknown(unknown), _) => {
                    self.doc
                        .findings
                        .push(unknown_finding(unknown, file.span, "the file `omero load` reads"));
                    true
                }
            };
            if !completed {
                break;
            }
        }
        Outcome::Done
    }

    /// Runs a command file line by line the way omero-py does; `false` when
    /// the session ended early (a line shlex cannot split kills the process,
    /// a usage error ends a strict load).
    fn read_commands(&mut self, text: &[Piece<'_>], newlines: Newlines, session: Session, tolerated: bool) -> bool {
        // Where a strict load stopped (operations and findings so far): the
        // lines after it never run, but their own errors are still reported,
        // so that one pass over a file shows every bad line.
        let mut stopped: Option<(usize, usize)> = None;
        let completed = self.read_lines(text, newlines, session, tolerated, &mut stopped);
        let Some((operations, findings)) = stopped else {
            return completed;
        };
        self.doc.operations.truncate(operations);
        let later: Vec<Finding> = self.doc.findings.drain(findings..).collect();
        self.doc.findings.extend(
            later
                .into_iter()
                .filter(|f| matches!(f.code(), "IN001" | "IN008"))
                .map(|mut f| {
                    f.message
                        .push_str(" (this line never runs: the load stopped at an earlier line)");
                    f
                }),
        );
        false
    }

    fn read_lines(
        &mut self,
        text: &[Piece<'_>],
        newlines: Newlines,
        session: Session,
        tolerated: bool,
        stopped: &mut Option<(usize, usize)>,
    ) -> bool {
        let mut pending: Vec<Vec<String>> = Vec::new();
        for piece in text {
            for line in Lines::new(&piece.text, newlines) {
                let content = &piece.text[line.start..line.end];
                let span = piece.origin.span(line.start, line.end);
                // cli.py's COMMENT regex `^\s*#`.
                if content.trim_start_matches(is_space).starts_with('#') {
                    if let (Origin::Verbatim(_), Some(codes)) = (piece.origin, suppressed_codes(content.trim_start())) {
                        pending.push(codes);
                    }
                    continue;
                }
                // `for line in file` keeps the newline; input() drops it.
                let keeps_newline = matches!(session, Session::Load { .. }) && line.terminator > 0;
                let words = match shlex::split(content, keeps_newline) {
                    Ok(words) => words,
                    Err(why) => {
                        let finding = Finding::new(&SYNTAX_ERROR, format!("omero cannot split this command: {why}"))
                            .at(span, why)
                            .help("shlex raises an exception here: the omero process stops and no later line runs");
                        let at = (self.doc.operations.len(), self.doc.findings.len() + 1);
                        self.doc.findings.push(finding);
                        stopped.get_or_insert(at);
                        continue;
                    }
                };
                if words.is_empty() {
                    continue;
                }
                for codes in pending.drain(..) {
                    self.doc.suppressions.push(Suppression {
                        codes,
                        applies_to: span,
                    });
                }
                if session == Session::Interactive && words.len() == 1 && words[0].0 == "EOF" {
                    return true;
                }
                // A word can end in the newline a load line keeps.
                let line_end = content.len() + line.terminator;
                let args: Vec<Arg> = words
                    .into_iter()
                    .map(|(word, start, end)| Arg {
                        value: match &piece.unknown {
                            Some(unknown) if word.contains(UNKNOWN_MARK) => Value::Unknown(unknown.clone()),
                            _ => Value::Known(word),
                        },
                        span: piece.origin.span(line.start + start, line.start + end.min(line_end)),
                    })
                    .collect();
                let outcome = self.run(
                    &args,
                    span,
                    Stdin::Inherited,
                    tolerated || session == Session::Interactive,
                );
                match (outcome, session) {
                    (Outcome::UsageError, Session::Load { keep_going: false }) => {
                        stopped.get_or_insert((self.doc.operations.len(), self.doc.findings.len()));
                    }
                    (Outcome::Quit, Session::Interactive) => return false,
                    _ => {}
                }
            }
        }
        true
    }

    /// argparse's `parse_args`: the parsed arguments, or how the command
    /// ended (a usage error, or `-h` having printed help).
    fn parse<'a>(&mut self, parser: &Parser, args: &'a [Arg], span: Span) -> Result<Parsed<'a, Arg>, Outcome> {
        match parse_args(parser, args) {
            Ok(parsed) if parsed.exit => Err(Outcome::Done),
            Ok(parsed) if !parsed.extras.is_empty() => {
                let mut extras: Vec<&str> = parsed.extras.iter().map(|arg| arg.shown()).collect();
                // An unquoted passphrase splits into extra arguments: never show them for a secret key.
                if args.iter().any(|arg| crate::secrets::is_secret_key(arg.shown())) {
                    extras = vec![crate::secrets::MASK];
                }
                let message = format!("unrecognized arguments: {}", extras.join(" "));
                Err(self.usage_error(parser.prog, &message, span))
            }
            Ok(parsed) => Ok(parsed),
            Err(message) => Err(self.usage_error(parser.prog, &message, span)),
        }
    }

    pub(crate) fn read_file(&self, name: &str) -> Result<String, &'static str> {
        let Some(base_dir) = self.base_dir else {
            return Err("omeroconf was given no directory to read files from");
        };
        let bytes = std::fs::read(base_dir.join(name)).map_err(|_| "cannot be read")?;
        String::from_utf8(bytes).map_err(|_| "is not UTF-8 text (omero-py fails to read it)")
    }

    fn usage_error(&mut self, prog: &str, message: &str, span: Span) -> Outcome {
        let finding = Finding::new(&COMMAND_FAILS, format!("{prog}: error: {message}"))
            .at(span, "omero exits with status 2 here")
            .help("argparse rejects the arguments, so the command changes nothing");
        self.doc.findings.push(finding);
        Outcome::UsageError
    }

    /// Says which property a refused `config set|append|remove` was meant
    /// to change: its first word that is not an option.
    fn name_the_property(&mut self, args: &[Arg], outcome: Outcome) {
        let meant = args
            .iter()
            .filter_map(Arg::text)
            .find(|word| !word.starts_with('-') && word.contains('.'));
        let (Outcome::UsageError, Some(key), Some(finding)) = (outcome, meant, self.doc.findings.last_mut()) else {
            return;
        };
        finding.message = format!("{} ({key} is not changed)", finding.message);
        finding.key = Some(key.to_string());
        finding.help = Some(format!(
            "argparse rejects the arguments, so {key} keeps the value it had"
        ));
    }

    /// `omero config drop default`: every key set so far is gone.
    fn drop_all(&mut self, span: Span) {
        let mut keys: Vec<String> = self.doc.operations.iter().map(|op| op.key.clone()).collect();
        keys.sort();
        keys.dedup();
        self.doc.operations.extend(keys.into_iter().map(|key| Operation {
            kind: OpKind::Unset,
            key,
            key_span: span,
            value: None,
            value_span: span,
            span,
            failure_tolerated: false,
            runs_if_previous: None,
        }));
    }

    fn unsupported(&mut self, span: Span, message: &str) {
        let finding = Finding::new(&UNSUPPORTED_COMMAND, message).at(span, "not followed by omeroconf");
        self.doc.findings.push(finding);
    }
}

#[derive(Debug, Clone, Copy)]
enum Verb {
    Set,
    Append,
    Remove,
}

/// The finding for a value omeroconf cannot know: IN003 for the output of a
/// command, IN019 for an expansion it does not evaluate, IN015 for a Jinja
/// expression, IN002 otherwise.
pub(crate) fn unknown_finding(unknown: &Unknown, span: Span, what: &str) -> Finding {
    let (rule, when) = match unknown {
        Unknown::CommandSubstitution => (&COMMAND_SUBSTITUTION, "not known before the script runs"),
        Unknown::UnresolvedVariable(_) => (&UNRESOLVED_VARIABLE, "not known before the script runs"),
        Unknown::Template => (&TEMPLATE_VALUE, "known only when the template is rendered"),
        Unknown::Unevaluated(_) => (&UNEVALUATED_EXPANSION, "not known before the script runs"),
    };
    Finding::new(rule, format!("{what} is {unknown}")).at(span, when)
}

/// Moves what was read from other text (a `bash -c` script) into `doc`.
/// Suppressions survive only when the text maps to the source byte for byte.
pub(crate) fn relocate(doc: &mut Document, from: Document, origin: Origin, tolerated: bool) {
    doc.operations.extend(from.operations.into_iter().map(|op| Operation {
        key_span: origin.map(op.key_span),
        value_span: origin.map(op.value_span),
        span: origin.map(op.span),
        failure_tolerated: op.failure_tolerated || tolerated,
        ..op
    }));
    doc.findings.extend(from.findings.into_iter().map(|mut finding| {
        finding.span = finding.span.map(|span| origin.map(span));
        for related in &mut finding.related {
            related.span = origin.map(related.span);
        }
        finding
    }));
    if let Origin::Verbatim(_) = origin {
        doc.suppressions
            .extend(from.suppressions.into_iter().map(|suppression| Suppression {
                applies_to: origin.map(suppression.applies_to),
                ..suppression
            }));
    }
}

/// What `omero.cli.argv()` parses first: only `--path`, wherever it is.
static PLUGIN_PATH: Parser = Parser {
    prog: "omero",
    options: &[with_value(&["--path"])],
    positionals: &[],
};

/// `omero`'s own parser (omero-py 5.23: `CLI.parser_init` and the login arguments).
static OMERO: Parser = Parser {
    prog: "omero",
    options: &[
        HELP,
        exiting(&["-v", "--version"]),
        with_value(&["-d", "--debug"]),
        with_value(&["--path"]),
        flag(&["-C", "--create"]),
        with_value(&["-s", "--server"]),
        with_value(&["-p", "--port"]),
        with_value(&["-g", "--group"]),
        with_value(&["-u", "--user"]),
        with_value(&["-w", "--password"]),
        with_value(&["-k", "--key"]),
        with_value(&["--sudo"]),
        flag(&["-q", "--quiet"]),
    ],
    positionals: &[Nargs::Subcommand],
};

static CONFIG: Parser = Parser {
    prog: "omero config",
    options: &[HELP, with_value(&["--source"])],
    positionals: &[Nargs::Subcommand],
};

static CONFIG_SET: Parser = Parser {
    prog: "omero config set",
    options: &[HELP, flag(&["--report"]), with_value(&["-f", "--file"])],
    // KEY [VALUE]
    positionals: &[Nargs::One, Nargs::Optional],
};

static CONFIG_APPEND: Parser = Parser {
    prog: "omero config append",
    options: &[HELP, flag(&["--report"]), flag(&["--set"])],
    // KEY VALUE
    positionals: &[Nargs::One, Nargs::One],
};

static CONFIG_REMOVE: Parser = Parser {
    prog: "omero config remove",
    options: &[HELP, flag(&["--report"])],
    // KEY VALUE
    positionals: &[Nargs::One, Nargs::One],
};

/// `omero load` (LoadControl).
static LOAD: Parser = Parser {
    prog: "omero load",
    options: &[HELP, flag(&["-g", "--glob"]), flag(&["-k", "--keep-going"])],
    // [infile ...]
    positionals: &[Nargs::Any],
};

/// `config set|append|remove KEY [VALUE]` with no word that argparse could
/// take for an option: the operation the parsers would produce, found
/// without running them (most commands of a long script look like this).
fn simple_change(args: &[Arg], span: Span, tolerated: bool) -> Option<Operation> {
    fn plain(arg: &Arg) -> Option<&str> {
        arg.text().filter(|text| !text.starts_with('-'))
    }
    let (config, verb, key_arg, value_arg) = match args {
        [config, verb, key] => (config, verb, key, None),
        [config, verb, key, value] => (config, verb, key, Some(value)),
        _ => return None,
    };
    let key = plain(key_arg).filter(|key| !key.contains('='))?;
    if plain(config)? != "config" {
        return None;
    }
    let value = match value_arg {
        Some(arg) => Some(plain(arg)?),
        None => None,
    };
    let kind = match (plain(verb)?, value) {
        ("set", Some(_)) => OpKind::Set,
        ("set", None) => OpKind::Unset,
        ("append", Some(_)) => OpKind::Append { unique: false },
        ("remove", Some(_)) => OpKind::Remove,
        _ => return None,
    };
    Some(Operation {
        kind,
        key: key.to_string(),
        key_span: key_arg.span,
        value: value.map(|v| Value::Known(v.to_string())),
        value_span: value_arg.map_or(key_arg.span, |arg| arg.span),
        span,
        failure_tolerated: tolerated,
        runs_if_previous: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn args(words: &[&str]) -> Vec<Arg> {
        words
            .iter()
            .map(|w| Arg {
                value: Value::Known(w.to_string()),
                span: Span::default(),
            })
            .collect()
    }

    /// (verb, key, value) of each operation.
    fn ops(doc: &Document) -> Vec<(String, String, Option<String>)> {
        doc.operations
            .iter()
            .map(|op| {
                let value = op.value.as_ref().map(|v| v.known().unwrap_or("<unknown>").to_string());
                (op.kind.verb().to_string(), op.key.clone(), value)
            })
            .collect()
    }

    fn op(verb: &str, key: &str, value: Option<&str>) -> (String, String, Option<String>) {
        (verb.to_string(), key.to_string(), value.map(String::from))
    }

    fn run_words(words: &[&str]) -> Document {
        let mut doc = Document::new("t", Format::Omero, "");
        let mut cli = Cli {
            doc: &mut doc,
            base_dir: None,
            depth: 0,
        };
        cli.run_program(&args(words), Span::default(), Stdin::Inherited, false);
        doc
    }

    /// The shortcut for `config set|append|remove KEY [VALUE]` makes what
    /// the argparse emulation makes, and stands aside for everything else.
    #[test]
    fn simple_changes_are_what_argparse_makes() {
        let words = [
            "config",
            "set",
            "append",
            "remove",
            "get",
            "omero.web.debug",
            "k=v",
            "-1",
            "--",
            "--set",
            "",
            "a b",
        ];
        let mut taken = 0;
        for len in 2..=4u32 {
            for n in 0..words.len().pow(len) {
                let combo: Vec<&str> = (0..len).map(|i| words[n / words.len().pow(i) % words.len()]).collect();
                let args: Vec<Arg> = combo
                    .iter()
                    .enumerate()
                    .map(|(i, w)| Arg {
                        value: Value::Known(w.to_string()),
                        span: Span::new(10 * i, 10 * i + 5),
                    })
                    .collect();
                let Some(operation) = simple_change(&args, Span::new(0, 99), true) else {
                    continue;
                };
                taken += 1;
                let mut doc = Document::new("t", Format::Omero, "");
                let mut cli = Cli {
                    doc: &mut doc,
                    base_dir: None,
                    depth: 0,
                };
                cli.run(&args, Span::new(0, 99), Stdin::Inherited, true);
                assert_eq!(doc.operations, vec![operation], "{combo:?}");
                assert!(doc.findings.is_empty(), "{combo:?}");
            }
        }
        assert!(taken > 20, "{taken}");
    }

    fn codes(doc: &Document) -> Vec<&str> {
        doc.findings.iter().map(Finding::code).collect()
    }

    #[test]
    fn argparse_matches_python_3_11() {
        // Each case was checked against omero-py 5.23 (its argparse 1.1).
        // The words after `omero`, and the (verb, key, value) stored or a usage error.
        type Case<'a> = (&'a [&'a str], Option<(&'a str, &'a str, Option<&'a str>)>);
        let cases: &[Case] = &[
            (&["config", "set", "k", "v"], Some(("set", "k", Some("v")))),
            (&["config", "set", "k"], Some(("unset", "k", None))),
            (&["config", "set", "--report", "k", "v"], Some(("set", "k", Some("v")))),
            (&["config", "set", "k", "v", "--report"], Some(("set", "k", Some("v")))),
            // VALUE is matched (empty) together with KEY before `--report`.
            (&["config", "set", "k", "--report", "v"], None),
            (&["config", "set", "--", "k", "-v"], Some(("set", "k", Some("-v")))),
            (&["config", "set", "k", "--", "-v"], Some(("set", "k", Some("-v")))),
            (&["config", "set", "k", "-v"], None),
            (&["config", "set", "k", "-1"], Some(("set", "k", Some("-1")))),
            (&["config", "set", "k", "-.5"], Some(("set", "k", Some("-.5")))),
            (&["config", "set", "k", "-1e5"], None),
            (&["config", "set", "k", "-a b"], Some(("set", "k", Some("-a b")))),
            (&["config", "set", "k", "-"], Some(("set", "k", Some("-")))),
            (&["config", "set", "--", "k", "--"], Some(("unset", "k", None))),
            (&["config", "set", "--rep", "k", "v"], Some(("set", "k", Some("v")))),
            (&["config", "set", "--report=1", "k", "v"], None),
            (&["config", "set", "k", "v", "extra"], None),
            (&["config", "set"], None),
            (
                &["config", "append", "--set", "k", "1"],
                Some(("append --set", "k", Some("1"))),
            ),
            (
                &["config", "append", "k", "1", "--se"],
                Some(("append --set", "k", Some("1"))),
            ),
            // `omero`'s own parser sees `--s` first: --server or --sudo?
            (&["config", "append", "k", "1", "--s"], None),
            (&["-d", "1", "config", "set", "k", "v"], Some(("set", "k", Some("v")))),
            (&["config", "set", "k", "-qx"], None),
            (&["config", "set", "k", "--", "--"], Some(("unset", "k", None))),
            (
                &["config", "append", "--", "k", "[1]"],
                Some(("append", "k", Some("[1]"))),
            ),
            (&["config", "append", "k"], None),
            (
                &["config", "remove", "k", "\"x\""],
                Some(("remove", "k", Some("\"x\""))),
            ),
            (&["-q", "config", "set", "k", "v"], Some(("set", "k", Some("v")))),
            (
                &["config", "set", "k", "--path", "/x", "v"],
                Some(("set", "k", Some("v"))),
            ),
            (&["config", "set", "k", "v", "--p"], None),
            (&["config", "sett", "k", "v"], None),
        ];
        for (words, expected) in cases {
            let doc = run_words(words);
            match expected {
                Some((verb, key, value)) => {
                    assert_eq!(ops(&doc), vec![op(verb, key, *value)], "{words:?}");
                    assert!(doc.findings.is_empty(), "{words:?}: {:?}", doc.findings);
                }
                None => {
                    assert!(doc.operations.is_empty(), "{words:?}");
                    assert_eq!(codes(&doc), vec!["IN008"], "{words:?}");
                }
            }
        }
    }

    #[test]
    fn help_and_read_only_commands_change_nothing() {
        for words in [
            &["config", "set", "-h", "k", "v"][..],
            &["config", "get"],
            &["web", "start"],
            &["-h"],
            &["config", "set", "k", "v", "--help"],
        ] {
            let doc = run_words(words);
            assert!(doc.operations.is_empty() && doc.findings.is_empty(), "{words:?}");
        }
    }

    #[test]
    fn equals_in_set_key_changes_nothing() {
        let doc = run_words(&["config", "set", "omero.web.debug=true"]);
        assert!(doc.operations.is_empty());
        assert_eq!(codes(&doc), vec!["IN008"]);
    }

    #[test]
    fn commands_that_change_the_store_from_outside_are_reported() {
        for words in [
            &["config", "load", "x.properties"][..],
            &["config", "edit"],
            &["config", "def", "other"],
            &["config", "--source", "x.xml", "set", "k", "v"],
            &["load"],
        ] {
            assert_eq!(codes(&run_words(words)), vec!["IN009"], "{words:?}");
        }
        // A file the deployment provides is not checked, which is no fault.
        assert_eq!(codes(&run_words(&["load", "missing.omero"])), vec!["IN016"]);
    }

    #[test]
    fn jinja_expressions_are_unknown_values_and_tags_render_nothing() {
        let source = "# {{ ansible_managed }}\n{% for item in apps %}\nconfig append -- omero.web.apps {{ item | to_json | quote }}\n{% endfor %}\nconfig set omero.web.debug false\nconfig set -- {{ key | quote }} {{\n  value | quote\n}}\n";
        let doc = parse("apps.omero.j2", source);
        let ops: Vec<(&str, Option<&Value>)> = doc
            .operations
            .iter()
            .map(|op| (op.key.as_str(), op.value.as_ref()))
            .collect();
        assert_eq!(
            ops[..2],
            [
                ("omero.web.apps", Some(&Value::Unknown(Unknown::Template))),
                ("omero.web.debug", Some(&Value::Known("false".into())))
            ]
        );
        let value = &doc.operations[0].value_span;
        assert_eq!(&source[value.range()], "{{ item | to_json | quote }}");
        assert!(doc.findings.iter().all(|f| f.code() == "IN015"), "{:?}", doc.findings);
        assert!(!doc.findings.is_empty());
    }

    #[test]
    fn dropping_the_active_profile_empties_the_configuration() {
        let doc = parse(
            "web.omero",
            "config set omero.web.debug true\nconfig drop default\nconfig set omero.web.prefix /x\nconfig drop other\n",
        );
        let ops: Vec<(OpKind, &str)> = doc.operations.iter().map(|op| (op.kind, op.key.as_str())).collect();
        assert_eq!(
            ops,
            vec![
                (OpKind::Set, "omero.web.debug"),
                (OpKind::Unset, "omero.web.debug"),
                (OpKind::Set, "omero.web.prefix")
            ]
        );
        assert!(doc.findings.is_empty(), "{:?}", doc.findings);
    }

    #[test]
    fn a_line_replaced_by_a_later_line_is_reported() {
        let doc = parse(
            "web.omero",
            "config set omero.web.debug true\nconfig set omero.web.debug\nconfig set omero.web.prefix /a\nconfig set omero.web.prefix /a\n",
        );
        let found: Vec<(&str, Severity)> = doc.findings.iter().map(|f| (f.code(), f.severity)).collect();
        assert_eq!(found, vec![("IN014", Severity::Warning), ("IN014", Severity::Info)]);
    }

    #[test]
    fn a_refused_change_names_its_property() {
        let doc = run_words(&["config", "set", "omero.web.apps", "[\"a\"]", "Do", "not", "forget"]);
        assert_eq!(doc.findings.len(), 1);
        assert_eq!(doc.findings[0].key.as_deref(), Some("omero.web.apps"));
        assert!(
            doc.findings[0].message.ends_with("(omero.web.apps is not changed)"),
            "{}",
            doc.findings[0].message
        );
    }

    #[test]
    fn command_file_lines() {
        let source = "# set the prefix\nconfig set -- omero.web.prefix /omero\r\n\nconfig append omero.web.apps '\"omero_iviewer\"'\n  # omeroconf: ignore[IN008, TY002]\nconfig set omero.web.debug\n";
        let doc = parse("web.omero", source);
        assert_eq!(
            ops(&doc),
            vec![
                op("set", "omero.web.prefix", Some("/omero")),
                op("append", "omero.web.apps", Some("\"omero_iviewer\"")),
                op("unset", "omero.web.debug", None),
            ]
        );
        let text = |span: Span| &source[span.range()];
        assert_eq!(text(doc.operations[0].value_span), "/omero");
        assert_eq!(text(doc.operations[0].span), "config set -- omero.web.prefix /omero");
        assert_eq!(text(doc.operations[1].value_span), "'\"omero_iviewer\"'");
        assert_eq!(doc.suppressions.len(), 1);
        assert_eq!(doc.suppressions[0].codes, ["IN008", "TY002"]);
        assert_eq!(text(doc.suppressions[0].applies_to), "config set omero.web.debug");
    }

    #[test]
    fn every_bad_line_of_a_command_file_is_reported() {
        let doc = parse(
            "web.omero",
            "config set omero.web.a 1\nconfig set omero.web.b 2 extra\nconfig set omero.web.c 3\nconfig set omero.web.d 4 more\nconfig set omero.web.e 'open\n",
        );
        let keys: Vec<&str> = doc.operations.iter().map(|op| op.key.as_str()).collect();
        assert_eq!(keys, vec!["omero.web.a"]);
        let found: Vec<&str> = doc.findings.iter().map(|f| f.code()).collect();
        assert_eq!(found, vec!["IN008", "IN008", "IN001"]);
        assert!(!doc.findings[0].message.contains("never runs"));
        assert!(doc.findings[1]
            .message
            .ends_with("(this line never runs: the load stopped at an earlier line)"));
    }

    #[test]
    fn load_stops_at_the_first_usage_error_or_unsplittable_line() {
        let doc = parse("x.omero", "config set a 1\nconfig set b -x\nconfig set c 3\n");
        assert_eq!(ops(&doc), vec![op("set", "a", Some("1"))]);
        assert_eq!(codes(&doc), vec!["IN008"]);
        let doc = parse("x.omero", "config set a 1\nconfig set b 'x\nconfig set c 3\n");
        assert_eq!(ops(&doc), vec![op("set", "a", Some("1"))]);
        assert_eq!(codes(&doc), vec!["IN001"]);
        let doc = parse("x.omero", "omero config set a 1\n");
        assert_eq!(codes(&doc), vec!["IN008"]);
        // A line `EOF` ends only an interactive session.
        let doc = parse("x.omero", "EOF\nconfig set a 1\n");
        assert_eq!(ops(&doc), vec![op("set", "a", Some("1"))]);
    }

    #[test]
    fn universal_newlines_split_lines_at_a_lone_carriage_return() {
        let doc = parse("x.omero", "config set a 1\rconfig set b 2\r\n");
        assert_eq!(ops(&doc), vec![op("set", "a", Some("1")), op("set", "b", Some("2"))]);
    }
}

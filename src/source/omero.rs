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

use crate::diagnostic::Finding;
use crate::document::{Document, Format, OpKind, Operation, Span, Suppression, Unknown, Value};
use crate::rules::input::{
    COMMAND_FAILS, COMMAND_SUBSTITUTION, SYNTAX_ERROR, UNEVALUATED_EXPANSION, UNRESOLVED_VARIABLE, UNSUPPORTED_COMMAND,
};
use crate::source::suppressed_codes;
use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

/// Reads an `omero load` command file.
pub fn parse(path: &str, source: &str) -> Document {
    let mut doc = Document::new(path, Format::Omero, source);
    let mut cli = Cli {
        doc: &mut doc,
        base_dir: None,
        depth: 0,
    };
    let text = [Piece {
        text: Cow::Borrowed(source),
        origin: Origin::Verbatim(0),
        unknown: None,
    }];
    cli.read_commands(&text, Newlines::Universal, Session::Load { keep_going: false }, false);
    doc
}

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

impl Arg {
    fn text(&self) -> Option<&str> {
        self.value.known()
    }

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

/// How a file's lines end for the reader: Python's universal newlines when
/// omero-py opens a file, only `\n` on standard input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Newlines {
    Universal,
    Lf,
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
            "load" | "edit" | "upgrade" | "drop" => {
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
            Err(outcome) => return outcome,
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
                    let finding = Finding::new(
                        &COMMAND_FAILS,
                        format!("`omero config set {key}` changes nothing: the property name contains `=`"),
                    )
                    .key(key.as_str())
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
        Some(Value::Known(python_rstrip(&text).to_string()))
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
                    Err(why) => {
                        self.unsupported(file.span, &format!("`omero load` reads `{name}`, which {why}"));
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
        let mut pending: Vec<Vec<String>> = Vec::new();
        for piece in text {
            for line in Lines::new(&piece.text, newlines) {
                let content = &piece.text[line.start..line.end];
                let span = piece.origin.span(line.start, line.end);
                // cli.py's COMMENT regex `^\s*#`.
                if content.trim_start_matches(python_isspace).starts_with('#') {
                    if let (Origin::Verbatim(_), Some(codes)) = (piece.origin, suppressed_codes(content.trim_start())) {
                        pending.push(codes);
                    }
                    continue;
                }
                // `for line in file` keeps the newline; input() drops it.
                let keeps_newline = matches!(session, Session::Load { .. }) && line.terminator > 0;
                let words = match shlex_split(content, keeps_newline) {
                    Ok(words) => words,
                    Err(why) => {
                        let finding = Finding::new(&SYNTAX_ERROR, format!("omero cannot split this command: {why}"))
                            .at(span, why)
                            .help("shlex raises an exception here: the omero process stops and no later line runs");
                        self.doc.findings.push(finding);
                        return false;
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
                    (Outcome::UsageError, Session::Load { keep_going: false })
                    | (Outcome::Quit, Session::Interactive) => {
                        return false;
                    }
                    _ => {}
                }
            }
        }
        true
    }

    /// argparse's `parse_args`: the parsed arguments, or how the command
    /// ended (a usage error, or `-h` having printed help).
    fn parse<'a>(&mut self, parser: &Parser, args: &'a [Arg], span: Span) -> Result<Parsed<'a>, Outcome> {
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
/// command, IN019 for an expansion it does not evaluate, IN002 otherwise.
pub(crate) fn unknown_finding(unknown: &Unknown, span: Span, what: &str) -> Finding {
    let rule = match unknown {
        Unknown::CommandSubstitution => &COMMAND_SUBSTITUTION,
        Unknown::UnresolvedVariable(_) | Unknown::Template => &UNRESOLVED_VARIABLE,
        Unknown::Unevaluated(_) => &UNEVALUATED_EXPANSION,
    };
    Finding::new(rule, format!("{what} is {unknown}")).at(span, "not known before the script runs")
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

/// Python's `str.isspace()`, which also counts the separators U+001C..U+001F.
fn python_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.rstrip()` without arguments.
fn python_rstrip(text: &str) -> &str {
    text.trim_end_matches(python_isspace)
}

/// Text as Python reads a file opened in text mode: `\r\n` and `\r` become `\n`.
fn universal_newlines(text: &str) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A line of a piece: `start..end` without its terminator of `terminator` bytes.
struct Line {
    start: usize,
    end: usize,
    terminator: usize,
}

struct Lines<'a> {
    text: &'a str,
    pos: usize,
    newlines: Newlines,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str, newlines: Newlines) -> Self {
        Lines { text, pos: 0, newlines }
    }
}

impl Iterator for Lines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        let rest = self.text.get(self.pos..).filter(|rest| !rest.is_empty())?;
        let start = self.pos;
        let found = match self.newlines {
            Newlines::Lf => rest.find('\n').map(|i| (i, 1)),
            Newlines::Universal => rest.find(['\n', '\r']).map(|i| {
                let crlf = rest.as_bytes()[i] == b'\r' && rest.as_bytes().get(i + 1) == Some(&b'\n');
                (i, if crlf { 2 } else { 1 })
            }),
        };
        let (len, terminator) = found.unwrap_or((rest.len(), 0));
        self.pos = start + len + terminator;
        Some(Line {
            start,
            end: start + len,
            terminator,
        })
    }
}

/// Splits a line like Python's `shlex.split` (POSIX mode, no comments): words
/// with their byte ranges in `line`, quotes included. `newline` adds the
/// `\n` that `for line in file` keeps, just past the end of `line`.
fn shlex_split(line: &str, newline: bool) -> Result<Vec<(String, usize, usize)>, &'static str> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Between,
        Word,
        Quoted(char),
        Escaped { in_double_quotes: bool },
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut start = 0;
    let mut state = State::Between;
    let chars = line.char_indices().chain(newline.then_some((line.len(), '\n')));
    for (i, c) in chars {
        state = match state {
            State::Between | State::Word if matches!(c, ' ' | '\t' | '\r' | '\n') => {
                if state == State::Word {
                    words.push((std::mem::take(&mut word), start, i));
                }
                State::Between
            }
            State::Between | State::Word => {
                if state == State::Between {
                    start = i;
                }
                match c {
                    '\'' | '"' => State::Quoted(c),
                    '\\' => State::Escaped {
                        in_double_quotes: false,
                    },
                    _ => {
                        word.push(c);
                        State::Word
                    }
                }
            }
            State::Quoted(quote) if c == quote => State::Word,
            State::Quoted('"') if c == '\\' => State::Escaped { in_double_quotes: true },
            State::Quoted(quote) => {
                word.push(c);
                State::Quoted(quote)
            }
            State::Escaped { in_double_quotes } => {
                // Inside "...", a backslash escapes only `\` and `"`.
                if in_double_quotes && c != '\\' && c != '"' {
                    word.push('\\');
                }
                word.push(c);
                if in_double_quotes {
                    State::Quoted('"')
                } else {
                    State::Word
                }
            }
        };
    }
    let end = line.len() + usize::from(newline);
    match state {
        State::Quoted(_) => Err("No closing quotation"),
        State::Escaped { .. } => Err("No escaped character"),
        State::Word => {
            words.push((word, start, end));
            Ok(words)
        }
        State::Between => Ok(words),
    }
}

// ---------------------------------------------------------------------------
// argparse as omero-py uses it: its own copy of argparse 1.1
// (`omero_ext/argparse.py`), not the standard library's. It differs from
// Python 3's in removing every `--` from a positional's arguments, in
// "too few arguments" for any positional left unmatched, and in clustering
// single-dash flags.

/// How many arguments a positional takes (argparse's `nargs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nargs {
    /// Exactly one (`nargs=None`).
    One,
    /// `?`
    Optional,
    /// `*`
    Any,
    /// A subcommand and everything after it (`argparse.PARSER`).
    Subcommand,
}

struct Opt {
    flags: &'static [&'static str],
    takes_value: bool,
    /// `-h` and `--version` print something and exit 0 as soon as they are seen.
    exits: bool,
}

const fn flag(flags: &'static [&'static str]) -> Opt {
    Opt {
        flags,
        takes_value: false,
        exits: false,
    }
}

const fn with_value(flags: &'static [&'static str]) -> Opt {
    Opt {
        flags,
        takes_value: true,
        exits: false,
    }
}

const fn exiting(flags: &'static [&'static str]) -> Opt {
    Opt {
        flags,
        takes_value: false,
        exits: true,
    }
}

struct Parser {
    prog: &'static str,
    options: &'static [Opt],
    positionals: &'static [Nargs],
}

impl Parser {
    /// The option with this exact flag, and the flag as the parser spells it.
    fn find(&self, flag: &str) -> Option<(usize, &'static str)> {
        self.options.iter().enumerate().find_map(|(index, opt)| {
            opt.flags
                .iter()
                .find(|known| **known == flag)
                .map(|known| (index, *known))
        })
    }

    fn option_name(&self, index: usize) -> String {
        self.options[index].flags.join("/")
    }
}

const HELP: Opt = exiting(&["-h", "--help"]);

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

/// The result of a parse that did not fail, borrowing the arguments.
#[derive(Debug)]
struct Parsed<'a> {
    args: &'a [Arg],
    /// An option such as `-h` ended the program (status 0) before anything ran.
    exit: bool,
    /// Per option of the parser: its last value (the option word itself for a flag).
    options: Vec<Option<OptionValue<'a>>>,
    /// Per positional: the arguments it matched, `None` when never matched.
    positionals: Vec<Option<Range<usize>>>,
    /// Arguments nothing claimed (an error unless the parse is `parse_known_args`).
    extras: Vec<&'a Arg>,
}

#[derive(Debug)]
enum OptionValue<'a> {
    Given(&'a Arg),
    /// Written into the option word: `-fFILE`, `--file=FILE`.
    Attached(Arg),
}

impl<'a> Parsed<'a> {
    /// The value of an option (the option word itself for a flag), if given.
    fn option(&self, parser: &Parser, flag: &str) -> Option<&Arg> {
        match parser.find(flag).and_then(|(index, _)| self.options.get(index))? {
            Some(OptionValue::Given(arg)) => Some(arg),
            Some(OptionValue::Attached(arg)) => Some(arg),
            None => None,
        }
    }

    /// The arguments of a positional, without `--`.
    fn values(&self, index: usize) -> Vec<&'a Arg> {
        let args = self.args;
        let range = self.positionals.get(index).cloned().flatten().unwrap_or_default();
        args[range].iter().filter(|arg| arg.text() != Some("--")).collect()
    }

    /// The subcommand and the arguments after it.
    fn subcommand(&self) -> Option<(&'a Arg, &'a [Arg])> {
        let args = self.args;
        let range = self.positionals.first().cloned().flatten()?;
        args[range].split_first()
    }
}

/// An option word: which option (if any) and the argument written into it.
#[derive(Debug, Clone)]
struct OptionWord {
    option: Option<usize>,
    flag: &'static str,
    explicit: Option<String>,
}

/// argparse's `_parse_known_args`; `Err` is the usage error message.
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

fn parse_args<'a>(parser: &Parser, args: &'a [Arg]) -> Result<Parsed<'a>, String> {
    let mut pattern = Vec::with_capacity(args.len());
    let mut option_words = Vec::with_capacity(args.len());
    let mut after_double_dash = false;
    for arg in args {
        let word = if after_double_dash || arg.text() == Some("--") {
            None
        } else {
            classify(parser, arg)?
        };
        pattern.push(match (&word, after_double_dash) {
            (Some(_), _) => b'O',
            (None, true) => b'A',
            (None, false) if arg.text() == Some("--") => b'-',
            (None, false) => b'A',
        });
        after_double_dash = after_double_dash || arg.text() == Some("--");
        option_words.push(word);
    }

    let mut state = ParseState {
        parser,
        args,
        pattern: &pattern,
        parsed: Parsed {
            args,
            exit: false,
            options: parser.options.iter().map(|_| None).collect(),
            positionals: vec![None; parser.positionals.len()],
            extras: Vec::new(),
        },
        next_positional: 0,
    };
    let mut start = 0;
    if let Some(last_option) = pattern.iter().rposition(|&c| c == b'O') {
        while start <= last_option {
            let next_option = (start..pattern.len())
                .find(|&i| pattern[i] == b'O')
                .unwrap_or(pattern.len());
            if start != next_option {
                let end = state.consume_positionals(start);
                if end > start {
                    start = end;
                    continue;
                }
            }
            if pattern.get(start) != Some(&b'O') {
                state.parsed.extras.extend(&args[start..next_option]);
                start = next_option;
            }
            let Some(word) = option_words.get(start).cloned().flatten() else {
                break;
            };
            start = state.consume_optional(start, word)?;
            if state.parsed.exit {
                return Ok(state.parsed);
            }
        }
    }
    let stop = state.consume_positionals(start);
    state.parsed.extras.extend(&args[stop.min(args.len())..]);
    if state.next_positional < parser.positionals.len() {
        return Err("too few arguments".to_string());
    }
    Ok(state.parsed)
}

/// argparse's `_parse_optional`: `None` for a positional argument.
fn classify(parser: &Parser, arg: &Arg) -> Result<Option<OptionWord>, String> {
    let Some(text) = arg.text() else {
        return Ok(None);
    };
    if !text.starts_with('-') {
        return Ok(None);
    }
    if let Some((option, flag)) = parser.find(text) {
        return Ok(Some(OptionWord {
            option: Some(option),
            flag,
            explicit: None,
        }));
    }
    if text.chars().count() == 1 {
        return Ok(None);
    }
    if let Some((name, explicit)) = text.split_once('=') {
        if let Some((option, flag)) = parser.find(name) {
            return Ok(Some(OptionWord {
                option: Some(option),
                flag,
                explicit: Some(explicit.to_string()),
            }));
        }
    }
    let mut matches = option_prefix_matches(parser, text);
    if matches.len() > 1 {
        let flags: Vec<&str> = matches.iter().map(|word| word.flag).collect();
        return Err(format!("ambiguous option: {text} could match {}", flags.join(", ")));
    }
    if let Some(word) = matches.pop() {
        return Ok(Some(word));
    }
    if is_negative_number(text) || text.contains(' ') {
        return Ok(None);
    }
    Ok(Some(OptionWord {
        option: None,
        flag: "",
        explicit: None,
    }))
}

/// argparse's `_get_option_tuples`: abbreviated long options, and short
/// options with their argument attached (`-fFILE`).
fn option_prefix_matches(parser: &Parser, text: &str) -> Vec<OptionWord> {
    let all = parser
        .options
        .iter()
        .enumerate()
        .flat_map(|(i, opt)| opt.flags.iter().map(move |flag| (i, *flag)));
    if text.starts_with("--") {
        let (prefix, explicit) = match text.split_once('=') {
            Some((prefix, explicit)) => (prefix, Some(explicit)),
            None => (text, None),
        };
        all.filter(|(_, flag)| flag.starts_with(prefix))
            .map(|(i, flag)| OptionWord {
                option: Some(i),
                flag,
                explicit: explicit.map(String::from),
            })
            .collect()
    } else {
        let short_end = text.char_indices().nth(2).map_or(text.len(), |(i, _)| i);
        let (short, attached) = text.split_at(short_end);
        all.filter_map(|(i, flag)| {
            if flag == short {
                Some(OptionWord {
                    option: Some(i),
                    flag,
                    explicit: Some(attached.to_string()),
                })
            } else if flag.starts_with(text) {
                Some(OptionWord {
                    option: Some(i),
                    flag,
                    explicit: None,
                })
            } else {
                None
            }
        })
        .collect()
    }
}

/// argparse's `^-\d+$|^-\d*\.\d+$` (where `$` also matches before a final newline).
fn is_negative_number(text: &str) -> bool {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let Some(number) = text.strip_prefix('-') else {
        return false;
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    match number.split_once('.') {
        None => !number.is_empty() && digits(number),
        Some((whole, fraction)) => digits(whole) && !fraction.is_empty() && digits(fraction),
    }
}

struct ParseState<'p, 'a> {
    parser: &'p Parser,
    args: &'a [Arg],
    /// One byte per argument: `O` option, `A` argument, `-` the first `--`.
    pattern: &'p [u8],
    parsed: Parsed<'a>,
    next_positional: usize,
}

impl ParseState<'_, '_> {
    /// argparse's `consume_positionals`: gives as many positionals as match
    /// their arguments from `start` on, and returns where they stopped.
    fn consume_positionals(&mut self, start: usize) -> usize {
        let remaining = &self.parser.positionals[self.next_positional..];
        let pattern = &self.pattern[start.min(self.pattern.len())..];
        let mut counts = Vec::with_capacity(remaining.len());
        (1..=remaining.len())
            .rev()
            .any(|n| match_positionals(&remaining[..n], pattern, &mut counts));
        // `--` is left out of the values later, except for a subcommand's.
        let mut position = start;
        for count in counts {
            self.parsed.positionals[self.next_positional] = Some(position..position + count);
            self.next_positional += 1;
            position += count;
        }
        position
    }

    /// argparse's `consume_optional`: takes the option at `start` (and the
    /// flags clustered with it) and returns where its arguments stopped.
    fn consume_optional(&mut self, start: usize, word: OptionWord) -> Result<usize, String> {
        let OptionWord {
            option,
            mut flag,
            mut explicit,
        } = word;
        let Some(mut option) = option else {
            self.parsed.extras.push(&self.args[start]);
            return Ok(start + 1);
        };
        let mut taken = Vec::new();
        let stop = loop {
            let opt = &self.parser.options[option];
            match explicit.take() {
                Some(attached) if !opt.takes_value && !flag.starts_with("--") => {
                    // `-qk`: more single-dash flags in one word (`-q=` makes
                    // argparse 1.1 crash, which changes nothing either).
                    taken.push((option, OptionValue::Given(&self.args[start])));
                    let mut rest = attached.chars();
                    let next_flag = rest.next().map(|c| format!("-{c}")).unwrap_or_default();
                    let Some((next, next_flag)) = self.parser.find(&next_flag) else {
                        return Err(format!(
                            "argument {}: ignored explicit argument '{attached}'",
                            self.parser.option_name(option)
                        ));
                    };
                    option = next;
                    flag = next_flag;
                    explicit = Some(rest.as_str().to_string()).filter(|rest| !rest.is_empty());
                }
                Some(attached) if opt.takes_value => {
                    let value = Arg {
                        value: Value::Known(attached),
                        span: self.args[start].span,
                    };
                    taken.push((option, OptionValue::Attached(value)));
                    break start + 1;
                }
                Some(attached) => {
                    return Err(format!(
                        "argument {}: ignored explicit argument '{attached}'",
                        self.parser.option_name(option)
                    ));
                }
                None if opt.takes_value => {
                    if self.pattern.get(start + 1) != Some(&b'A') {
                        return Err(format!(
                            "argument {}: expected one argument",
                            self.parser.option_name(option)
                        ));
                    }
                    taken.push((option, OptionValue::Given(&self.args[start + 1])));
                    break start + 2;
                }
                None => {
                    taken.push((option, OptionValue::Given(&self.args[start])));
                    break start + 1;
                }
            }
        };
        for (option, value) in taken {
            if self.parser.options[option].exits {
                self.parsed.exit = true;
                break;
            }
            self.parsed.options[option] = Some(value);
        }
        Ok(stop)
    }
}

/// Python's `re.match` of the positionals' nargs patterns, concatenated,
/// against the start of `pattern`: how many arguments each one takes
/// (pushed onto `counts`), or `false` when they do not match.
fn match_positionals(positionals: &[Nargs], pattern: &[u8], counts: &mut Vec<usize>) -> bool {
    let Some((&nargs, rest)) = positionals.split_first() else {
        return true;
    };
    try_lengths(nargs, pattern, |length| {
        counts.push(length);
        let matched = match_positionals(rest, &pattern[length..], counts);
        if !matched {
            counts.pop();
        }
        matched
    })
}

/// Tries the lengths one nargs pattern can match at the start of `pattern`,
/// in the order a backtracking regex engine does (greedy first), until
/// `attempt` accepts one.
fn try_lengths(nargs: Nargs, pattern: &[u8], mut attempt: impl FnMut(usize) -> bool) -> bool {
    let dashes = |from: usize| {
        pattern
            .get(from..)
            .map_or(0, |p| p.iter().take_while(|&&c| c == b'-').count())
    };
    let lead = dashes(0);
    let is_arg = |at: usize| pattern.get(at) == Some(&b'A');
    match nargs {
        // `-*A-*`
        Nargs::One => is_arg(lead) && (0..=dashes(lead + 1)).rev().any(|t| attempt(lead + 1 + t)),
        // `-*A?-*`
        Nargs::Optional => (0..=lead).rev().any(|l| {
            (is_arg(l) && (0..=dashes(l + 1)).rev().any(|t| attempt(l + 1 + t)))
                || (0..=dashes(l)).rev().any(|t| attempt(l + t))
        }),
        // `-*[A-]*`
        Nargs::Any => {
            let run = pattern.iter().take_while(|&&c| c == b'A' || c == b'-').count();
            (0..=run).rev().any(attempt)
        }
        // `-*A[-AO]*`
        Nargs::Subcommand => is_arg(lead) && (lead + 1..=pattern.len()).rev().any(attempt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            &["load", "missing.omero"],
            &["load"],
        ] {
            assert_eq!(codes(&run_words(words)), vec!["IN009"], "{words:?}");
        }
    }

    #[test]
    fn shlex_follows_python() {
        let split = |line: &str| shlex_split(line, false).map(|w| w.into_iter().map(|(w, _, _)| w).collect::<Vec<_>>());
        assert_eq!(split("config set k 'a b'").unwrap(), ["config", "set", "k", "a b"]);
        assert_eq!(split(r#"a"b c"d ''"#).unwrap(), ["ab cd", ""]);
        assert_eq!(split(r#""\$x \" \\ \n""#).unwrap(), [r#"\$x " \ \n"#]);
        assert_eq!(split(r"a\ b \'c").unwrap(), ["a b", "'c"]);
        assert_eq!(split("# not a comment").unwrap(), ["#", "not", "a", "comment"]);
        assert_eq!(split("a\r b").unwrap(), ["a", "b"]);
        assert_eq!(split("'unterminated"), Err("No closing quotation"));
        assert_eq!(split("a\\"), Err("No escaped character"));
        // `for line in file` keeps the newline, which a trailing backslash escapes.
        let words = shlex_split("v\\", true).unwrap();
        assert_eq!(words, [("v\n".to_string(), 0, 3)]);
        let words = shlex_split(" k  'x y'", false).unwrap();
        assert_eq!(words, [("k".to_string(), 1, 2), ("x y".to_string(), 4, 9)]);
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

    #[test]
    fn python_whitespace() {
        assert_eq!(python_rstrip("a \t\n\u{1f}\u{a0}"), "a");
        assert!(is_negative_number("-12") && is_negative_number("-.5") && is_negative_number("-1\n"));
        assert!(!is_negative_number("-") && !is_negative_number("-1.") && !is_negative_number("-a"));
    }
}

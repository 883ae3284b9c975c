//! Bash scripts full of `omero config ...` lines, read the way bash would
//! run them and omero-py would take their arguments: quoting, variables
//! assigned earlier in the script, wrappers (`sudo -u omero`, `env`,
//! `su - omero -c "..."`, `bash -c '...'`) and here-documents fed to
//! `omero load`. It never runs anything: the output of a command and a
//! variable from outside the script become unknown values with a finding.
//!
//! A pre-commit hook runs this on every commit, so a byte scan skips the
//! physical lines that cannot matter (no quote, expansion, assignment,
//! here-document or `omero`), and only the others go through the grammar
//! `grammar/script.pest`, one logical line at a time.

use crate::diagnostic::Finding;
use crate::document::{Document, Format, Span, Suppression, Unknown, Value};
use crate::rules::input::{SYNTAX_ERROR, UNSUPPORTED_COMMAND};
use crate::source::omero::{
    relocate, unknown_finding, Arg, Cli, Origin, Outcome, Piece, Stdin, MAX_DEPTH, UNKNOWN_MARK,
};
use crate::source::suppressed_codes;
use pest::iterators::Pair;
use pest::Parser as _;
use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::rc::Rc;

#[derive(pest_derive::Parser)]
#[grammar = "grammar/script.pest"]
struct Bash;

/// What the caller knows about the script's surroundings.
#[derive(Debug, Clone, Default)]
pub struct ScriptOptions {
    /// Variables given on the command line (`--var NAME=VALUE`), as if the
    /// script's environment had them.
    pub vars: Vec<(String, String)>,
    /// Where relative file names (`omero config set -f FILE`, `omero load
    /// FILE`) are read from; without it no other file is read.
    pub base_dir: Option<PathBuf>,
}

/// Reads a bash script into the `omero config` operations it would run.
pub fn parse(path: &str, source: impl Into<String>, options: &ScriptOptions) -> Document {
    let mut doc = Document::new(path, Format::Script, source);
    // Read from the document's own text: no second copy of a large script.
    let source = std::mem::take(&mut doc.source);
    let cli = Cli {
        doc: &mut doc,
        base_dir: options.base_dir.as_deref(),
        depth: 0,
    };
    let mut shell = Shell::new(&source, cli, &options.vars, HashMap::new());
    shell.errexit = shebang_sets_errexit(&source);
    shell.run();
    doc.source = source;
    doc
}

/// A shell variable as far as the script tells.
#[derive(Debug, Clone)]
struct Var {
    /// `None` after `unset NAME`: certainly unset, unlike a name the script
    /// never mentions, which may come from the environment.
    value: Option<Value>,
    exported: bool,
}

/// One bash process reading a script.
struct Shell<'a> {
    source: &'a str,
    cli: Cli<'a>,
    vars: HashMap<String, Var>,
    /// The `--var` values, which every inner shell also gets.
    given: &'a [(String, String)],
    /// Codes of `# omeroconf: ignore[...]` lines waiting for the next command.
    pending: Vec<Vec<String>>,
    /// Where the logical line being run starts: its pairs' offsets count from here.
    line_offset: usize,
    /// `$IFS` when the script sets it (kept apart: every word needs it).
    ifs: Option<Rc<str>>,
    /// `set -e` is in force: a failing command that is not tested stops the script.
    errexit: bool,
}

/// A simple command of a logical line, with its words still unexpanded.
struct Command<'a> {
    words: Vec<Pair<'a, Rule>>,
    /// Start and end of every word and redirection.
    parts: Vec<Span>,
    /// The `&&`, `||` or `|` after it: its failure does not stop the script.
    joiner: Option<Joiner>,
    /// Where its standard input comes from (the last redirection wins).
    input: Option<Input<'a>>,
}

impl Command<'_> {
    fn new() -> Self {
        // Most commands have a few words: no reallocation while collecting them.
        Command {
            words: Vec::with_capacity(8),
            parts: Vec::with_capacity(8),
            joiner: None,
            input: None,
        }
    }
}

/// What joins a command to the next one of its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Joiner {
    /// `&&`: the next runs when this one succeeds.
    And,
    /// `||`: the next runs when this one fails.
    Or,
    /// `|` or `|&`: the next always runs.
    Pipe,
}

/// What the script knows about the exit status of the commands run so far
/// in an and-or list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Known before anything runs: `true`, `false`, an argparse usage error.
    Known(bool),
    /// That of the last `omero config` operation, known once resolved.
    LastOperation,
    /// Not known (other commands): the next command is taken to run.
    Unknown,
}

impl Status {
    /// The status after `next`, whose own status is `ran`, joined to this
    /// one by `joiner`; `next` ran only if this status allowed it.
    fn then(self, joiner: Option<Joiner>, ran: Status) -> Status {
        match (self, joiner) {
            // `a && true`: a's status; `a && false`: failure.
            (Status::LastOperation, Some(Joiner::And)) => match ran {
                Status::Known(true) => Status::LastOperation,
                other => other,
            },
            // `a || false`: a's status; `a || true`: success.
            (Status::LastOperation, Some(Joiner::Or)) => match ran {
                Status::Known(false) => Status::LastOperation,
                other => other,
            },
            _ => ran,
        }
    }

    /// Whether a command joined by `joiner` runs: `None` when that depends
    /// on the last operation; known statuses decide now.
    fn runs(self, joiner: Option<Joiner>) -> Option<bool> {
        match (self, joiner) {
            (Status::Known(ok), Some(Joiner::And)) => Some(ok),
            (Status::Known(ok), Some(Joiner::Or)) => Some(!ok),
            (Status::LastOperation, Some(Joiner::And | Joiner::Or)) => None,
            _ => Some(true),
        }
    }
}

enum Input<'a> {
    /// Index into the line's here-document bodies.
    Heredoc(usize),
    Herestring(Pair<'a, Rule>),
    File(Pair<'a, Rule>),
}

/// A here-document operator: `<<EOF`, `<<'EOF'`, `<<-EOF`.
struct Heredoc {
    delimiter: String,
    strip_tabs: bool,
    /// An unquoted delimiter: `$X`, `$(...)` and backslashes work in the body.
    expand: bool,
    operator: Span,
}

/// A here-document body: the lines between the operator's line and the delimiter.
struct Body {
    start: usize,
    end: usize,
    strip_tabs: bool,
    /// An unquoted delimiter: `$X`, `$(...)` and backslashes work in the body.
    expand: bool,
}

/// One field a word expands to: its text with [`UNKNOWN_MARK`] where an
/// unknown part was, and the word it came from.
#[derive(Debug, Clone)]
struct Field {
    text: String,
    unknown: Option<Unknown>,
    span: Span,
}

impl Field {
    fn empty(span: Span) -> Field {
        Field {
            text: String::new(),
            unknown: None,
            span,
        }
    }

    fn known(&self) -> Option<&str> {
        self.unknown.is_none().then_some(self.text.as_str())
    }

    fn value(self) -> Value {
        match self.unknown {
            Some(unknown) => Value::Unknown(unknown),
            None => Value::Known(self.text),
        }
    }

    fn into_arg(self) -> Arg {
        let span = self.span;
        Arg {
            value: self.value(),
            span,
        }
    }

    /// The command name this field runs: its last path component, if known
    /// (`$VENV/bin/omero` runs `omero` whatever `$VENV` is).
    fn command_name(&self) -> Option<&str> {
        let known_tail = self.text.rsplit(UNKNOWN_MARK).next()?;
        if self.unknown.is_some() && !known_tail.contains('/') {
            return None;
        }
        known_tail.rsplit('/').next()
    }
}

impl<'a> Shell<'a> {
    fn new(source: &'a str, cli: Cli<'a>, given: &'a [(String, String)], mut vars: HashMap<String, Var>) -> Self {
        for (name, value) in given {
            vars.insert(
                name.clone(),
                Var {
                    value: Some(Value::Known(value.clone())),
                    exported: true,
                },
            );
        }
        let ifs = vars
            .get("IFS")
            .and_then(|var: &Var| var.value.as_ref()?.known())
            .map(Rc::from);
        Shell {
            source,
            cli,
            vars,
            given,
            pending: Vec::new(),
            line_offset: 0,
            ifs,
            errexit: false,
        }
    }

    fn run(&mut self) {
        let bytes = self.source.as_bytes();
        let mut pos = 0;
        while pos < bytes.len() {
            pos = match scan_line(bytes, pos) {
                Scan::Blank(end) => end,
                Scan::Plain(command, end) => {
                    self.claim_pending(command);
                    end
                }
                Scan::Candidate { plain } => match plain.then(|| self.simple_omero_line(pos)).flatten() {
                    // argparse refused the command and `set -e` stops here.
                    Some(Outcome::UsageError) if self.errexit => return,
                    Some(_) => line_end(self.source, pos),
                    None => match self.logical_line(pos, plain) {
                        Some(next) => next,
                        None => return,
                    },
                },
            };
        }
    }

    /// Runs a line that is one `omero` command of plain words (the usual
    /// line of a long script) without the grammar; `None`, having done
    /// nothing, for any other line; how `omero` ended otherwise. Words here
    /// expand to their own text: the scan found no expansion, escape or
    /// tilde, and globbing and brace characters are left to the full reader.
    fn simple_omero_line(&mut self, start: usize) -> Option<Outcome> {
        if self.ifs.is_some() {
            return None;
        }
        let bytes = self.source.as_bytes();
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| start + i);
        let mut words: Vec<(Span, Span)> = Vec::with_capacity(8);
        let mut i = start;
        while i < end {
            match bytes[i] {
                b' ' | b'\t' => i += 1,
                quote @ (b'\'' | b'"') => {
                    let close = i + 1 + bytes[i + 1..end].iter().position(|&b| b == quote)?;
                    words.push((Span::new(i, close + 1), Span::new(i + 1, close)));
                    i = close + 1;
                }
                _ => {
                    let word_end = bytes[i..end]
                        .iter()
                        .position(|&b| b == b' ' || b == b'\t')
                        .map_or(end, |n| i + n);
                    let word = &bytes[i..word_end];
                    let first = words.is_empty();
                    if word[0] == b'#'
                        || word
                            .iter()
                            .any(|&b| matches!(b, b'*' | b'?' | b'[' | b'{' | b'}') || (first && b == b'='))
                    {
                        return None;
                    }
                    words.push((Span::new(i, word_end), Span::new(i, word_end)));
                    i = word_end;
                }
            }
        }
        let ((head, _), rest) = words.split_first()?;
        let head_text = &self.source[head.start..head.end];
        if head_text.rsplit('/').next() != Some("omero") || bytes[head.start] == b'\'' || bytes[head.start] == b'"' {
            return None;
        }
        let args: Vec<Arg> = rest
            .iter()
            .map(|&(word, text)| Arg {
                value: Value::Known(self.source[text.start..text.end].to_string()),
                span: word,
            })
            .collect();
        let span = Span::new(head.start, words.last().map_or(head.end, |(word, _)| word.end));
        self.claim_pending(span);
        Some(self.cli.run_program(&args, span, Stdin::Inherited, !self.errexit))
    }

    /// Parses and runs the logical line starting at `start` (`plain`: the
    /// scan found only ordinary words on it); returns where the next one
    /// starts, or `None` when bash would stop reading here.
    fn logical_line(&mut self, start: usize, plain: bool) -> Option<usize> {
        let source = self.source;
        // Most lines are complete; a quote or `&&` left open at the end of
        // the text asks for more, doubling what is given each time.
        let mut end = line_end(source, start);
        let rule = if plain { Rule::plain_line } else { Rule::line };
        loop {
            let Ok(mut pairs) = Bash::parse(rule, &source[start..end]) else {
                // The grammar accepts every text; only pest's stack guard fails it.
                let finding = Finding::new(
                    &SYNTAX_ERROR,
                    "the line nests substitutions deeper than omeroconf can follow",
                )
                .at(Span::new(start, line_end(source, start)), "too deeply nested");
                self.cli.doc.findings.push(finding);
                return None;
            };
            let line = pairs.next()?;
            let open = line
                .clone()
                .into_inner()
                .next_back()
                .is_some_and(|last| last.as_rule() == Rule::eoi);
            if !open || end == source.len() {
                self.line_offset = start;
                return self.run_line(line, open);
            }
            end = line_end(source, start + 2 * (end - start));
        }
    }

    /// Runs a parsed logical line (`open`: it ended at the end of the text).
    fn run_line(&mut self, line: Pair<'a, Rule>, open: bool) -> Option<usize> {
        if let Some(construct) = open.then(|| unterminated(&line)).flatten() {
            self.report_unterminated(&construct);
            return None;
        }
        let mut next = self.span(&line).end;
        let mut commands = Vec::new();
        let mut current = Command::new();
        let mut comment = None;
        let mut heredocs = Vec::new();
        for pair in line.into_inner() {
            let span = self.span(&pair);
            match pair.as_rule() {
                Rule::word | Rule::plain_text | Rule::plain_single | Rule::plain_double => {
                    current.parts.push(span);
                    current.words.push(pair);
                }
                Rule::redirect => {
                    current.parts.push(span);
                    if let Some(input) = self.redirect(pair, &mut heredocs) {
                        current.input = Some(input);
                    }
                }
                Rule::joiner => {
                    current.joiner = Some(match pair.as_str().get(..2) {
                        Some("&&") => Joiner::And,
                        Some("||") => Joiner::Or,
                        _ => Joiner::Pipe,
                    });
                    commands.push(std::mem::replace(&mut current, Command::new()));
                }
                Rule::separator => commands.push(std::mem::replace(&mut current, Command::new())),
                Rule::comment => comment = Some(pair.as_str()),
                _ => {}
            }
        }
        commands.push(current);
        commands.retain(|command| !command.parts.is_empty());

        let mut bodies = Vec::with_capacity(heredocs.len());
        for heredoc in heredocs {
            let (body, after) = self.heredoc_body(next, heredoc);
            bodies.push(body);
            next = after;
        }

        let (Some(first), Some(last)) = (commands.first(), commands.last()) else {
            if let Some(codes) = comment.and_then(suppressed_codes) {
                self.pending.push(codes);
            }
            return Some(next);
        };
        let start = first.parts.first().map_or(next, |span| span.start);
        let end = last.parts.last().map_or(start, |span| span.end);
        let body_end = bodies.last().map_or(end, |body: &Body| body.end.max(end));
        self.claim_pending(Span::new(start, body_end));
        if let Some(codes) = comment.and_then(suppressed_codes) {
            self.cli.doc.suppressions.push(Suppression {
                codes,
                applies_to: Span::new(start, end),
            });
        }
        let mut condition = false;
        // bash's and-or lists: `&&` and `||` run a command depending on the
        // status of the one before.
        let mut status = Status::Known(true);
        let mut joiner = None;
        for command in &commands {
            let runs = status.runs(joiner);
            if runs != Some(false) {
                let first = self.cli.doc.operations.len();
                let ran = self.command(command, &bodies, &mut condition)?;
                // The guard goes on a command's one operation; the operations
                // of a command with several run unguarded, and so does what follows.
                let ran = match &mut self.cli.doc.operations[first..] {
                    [op] => {
                        if runs.is_none() {
                            op.runs_if_previous = joiner.map(|j| j == Joiner::And);
                        }
                        ran
                    }
                    _ if ran == Status::LastOperation => Status::Unknown,
                    _ => ran,
                };
                status = status.then(joiner, ran);
            }
            joiner = command.joiner;
        }
        Some(next)
    }

    /// Notes a redirection; returns the input it gives the command.
    fn redirect(&mut self, pair: Pair<'a, Rule>, heredocs: &mut Vec<Heredoc>) -> Option<Input<'a>> {
        let mut inner = pair.into_inner().peekable();
        let fd = inner.next_if(|p| p.as_rule() == Rule::fd).map(|p| p.as_str());
        let stdin = fd.is_none_or(|fd| fd.trim_start_matches('0').is_empty());
        let kind = inner.next()?;
        match kind.as_rule() {
            Rule::heredoc => {
                let mut parts = kind.into_inner();
                let operator = parts.next()?;
                let strip_tabs = operator.as_str() == "<<-";
                let operator = self.span(&operator);
                let (delimiter, quoted) = parts.next().map_or((String::new(), false), |word| delimiter(&word));
                heredocs.push(Heredoc {
                    delimiter,
                    strip_tabs,
                    expand: !quoted,
                    operator,
                });
                stdin.then(|| Input::Heredoc(heredocs.len() - 1))
            }
            Rule::herestring => kind.into_inner().next().filter(|_| stdin).map(Input::Herestring),
            Rule::redirect_op if kind.as_str() == "<" && stdin => inner.next().map(Input::File),
            _ => None,
        }
    }

    /// Finds the end of a here-document body starting at `start`; returns
    /// the body and where the script goes on.
    fn heredoc_body(&mut self, start: usize, heredoc: Heredoc) -> (Body, usize) {
        let Heredoc {
            delimiter,
            strip_tabs,
            expand,
            operator,
        } = heredoc;
        let source = self.source;
        let mut pos = start;
        while pos < source.len() {
            let end = line_end(source, pos);
            let line = source[pos..end].trim_end_matches('\n');
            // A CRLF script's delimiter line ends in `\r`, which bash would
            // keep; it is taken as the delimiter all the same.
            let line = line.strip_suffix('\r').unwrap_or(line);
            let line = if strip_tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if line == delimiter {
                return (
                    Body {
                        start,
                        end: pos,
                        strip_tabs,
                        expand,
                    },
                    end,
                );
            }
            pos = end;
        }
        let finding = Finding::new(
            &SYNTAX_ERROR,
            format!("the here-document is never closed by a line `{delimiter}`"),
        )
        .at(operator, "opened here")
        .help("bash warns and takes the rest of the file as the here-document");
        self.cli.doc.findings.push(finding);
        (
            Body {
                start,
                end: source.len(),
                strip_tabs,
                expand,
            },
            source.len(),
        )
    }

    /// Runs one simple command; returns its status, or `None` when bash
    /// stops the script here (`set -e` and an untested usage error).
    fn command(&mut self, command: &Command<'a>, bodies: &[Body], condition: &mut bool) -> Option<Status> {
        let mut words = command.words.as_slice();
        let mut negated = false;
        // Reserved words that can start a command.
        while let Some(first) = words.first() {
            match plain_word(first) {
                Some("if" | "elif" | "while" | "until") => *condition = true,
                Some("then" | "do" | "else") => *condition = false,
                Some("!") => negated = true,
                Some("{" | "}" | "fi" | "done" | "esac" | "time") => {}
                _ => break,
            }
            words = &words[1..];
        }
        // Without `set -e` a failing command never stops the script.
        let tolerated = command.joiner.is_some() || *condition || negated || !self.errexit;
        let assignments = words.iter().take_while(|word| assignment(word).is_some()).count();
        let (prefix, words) = words.split_at(assignments);
        let Some(head) = words.first() else {
            for word in prefix {
                self.assign(word, false);
            }
            return Some(Status::Known(true));
        };
        let span = Span::new(self.span(head).start, command.parts.last().map_or(0, |span| span.end));
        match plain_word(head) {
            Some(builtin @ ("export" | "declare" | "typeset" | "local" | "readonly")) => {
                self.declare(builtin == "export", &words[1..]);
                return Some(Status::Known(true));
            }
            Some("set") => {
                let options: Vec<&str> = words[1..].iter().filter_map(plain_word).collect();
                if let Some(errexit) = errexit_option(&options) {
                    self.errexit = errexit;
                }
                return Some(Status::Known(true));
            }
            // `: ${X:=default}` assigns X while expanding.
            Some(":" | "true") => {
                for word in &words[1..] {
                    self.expand_word(word, true);
                }
                return Some(Status::Known(true));
            }
            Some("false") => return Some(Status::Known(negated)),
            Some("unset") => {
                self.unset(&words[1..]);
                return Some(Status::Known(true));
            }
            _ => {}
        }
        let input = match &command.input {
            Some(Input::Heredoc(index)) => bodies.get(*index).map(|body| self.heredoc_text(body)),
            Some(Input::Herestring(word)) => Some(self.herestring(word)),
            Some(Input::File(word)) => self.input_file(word),
            None => None,
        };
        let stdin = input.as_deref().map_or(Stdin::Inherited, Stdin::Text);
        let mut fields = Fields::new(words);
        let status = match self.run_command(&mut fields, span, tolerated, stdin) {
            // argparse refused: the command exits with status 2.
            Some(Outcome::UsageError) if !tolerated => return None,
            Some(Outcome::UsageError) => Status::Known(negated),
            Some(_) if negated => Status::Unknown,
            Some(_) => Status::LastOperation,
            None => Status::Unknown,
        };
        Some(status)
    }

    /// Follows the wrappers before a command down to `omero` or a shell.
    /// Returns how `omero` ended, `None` for any other command.
    fn run_command(
        &mut self,
        fields: &mut Fields<'_, 'a>,
        span: Span,
        tolerated: bool,
        stdin: Stdin<'_>,
    ) -> Option<Outcome> {
        let mut keeps_env = true;
        while let Some(head) = fields.next(self) {
            match head.command_name() {
                Some("omero") => {
                    let args: Vec<Arg> = std::iter::from_fn(|| fields.next(self)).map(Field::into_arg).collect();
                    return Some(self.cli.run_program(&args, span, stdin, tolerated));
                }
                Some("sudo") => keeps_env &= self.skip_sudo_options(fields),
                Some("env") => keeps_env &= self.skip_env_options(fields),
                Some("exec" | "command" | "builtin" | "nohup" | "time") => {
                    // `command -v omero` only looks the command up.
                    let looks_up = fields
                        .peek(self)
                        .and_then(Field::known)
                        .is_some_and(|arg| arg.starts_with("-v") || arg.starts_with("-V"));
                    if looks_up {
                        return None;
                    }
                    while fields
                        .peek(self)
                        .and_then(Field::known)
                        .is_some_and(|arg| arg.starts_with('-'))
                    {
                        fields.next(self);
                    }
                }
                Some("su" | "runuser") => {
                    if let Some((script, preserves_env)) = self.su_command(fields) {
                        self.inner_script(script, keeps_env && preserves_env, span, tolerated);
                    }
                    return None;
                }
                Some("bash" | "sh" | "dash") => {
                    if let Some(script) = self.shell_command(fields) {
                        self.inner_script(script, keeps_env, span, tolerated);
                    }
                    return None;
                }
                _ => return None,
            }
        }
        None
    }

    /// Skips `sudo`'s options and `NAME=VALUE` words; returns whether the
    /// environment reaches the command (`-E`; sudo resets it otherwise).
    fn skip_sudo_options(&mut self, fields: &mut Fields<'_, 'a>) -> bool {
        let mut keeps_env = false;
        while let Some(arg) = fields.peek(self).map(|field| field.text.clone()) {
            if arg == "--" {
                fields.next(self);
                break;
            }
            if let Some(long) = arg.strip_prefix("--") {
                keeps_env |= long.starts_with("preserve-env");
                let takes_value = [
                    "chdir",
                    "close-from",
                    "group",
                    "host",
                    "prompt",
                    "chroot",
                    "role",
                    "type",
                    "command-timeout",
                    "other-user",
                    "user",
                ];
                fields.next(self);
                if !long.contains('=') && takes_value.contains(&long) {
                    fields.next(self);
                }
            } else if let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) {
                fields.next(self);
                for (i, c) in cluster.char_indices() {
                    keeps_env |= c == 'E';
                    if "CDghpRrtTUu".contains(c) {
                        if i + c.len_utf8() == cluster.len() {
                            fields.next(self);
                        }
                        break;
                    }
                }
            } else if is_assignment_text(&arg) {
                fields.next(self);
            } else {
                break;
            }
        }
        keeps_env
    }

    /// Skips `env`'s options and `NAME=VALUE` words; returns whether the
    /// environment reaches the command (not with `-i`).
    fn skip_env_options(&mut self, fields: &mut Fields<'_, 'a>) -> bool {
        let mut keeps_env = true;
        while let Some(arg) = fields.peek(self).map(|field| field.text.clone()) {
            if !arg.starts_with('-') && !is_assignment_text(&arg) {
                break;
            }
            fields.next(self);
            match arg.as_str() {
                "--" => break,
                "-" | "-i" | "--ignore-environment" => keeps_env = false,
                "-u" | "-C" | "-S" | "--unset" | "--chdir" | "--split-string" => {
                    fields.next(self);
                }
                _ => {}
            }
        }
        keeps_env
    }

    /// `su [options] [-] [USER] -c SCRIPT`: the script, and whether the
    /// environment is kept (`-m` without a login shell).
    fn su_command(&mut self, fields: &mut Fields<'_, 'a>) -> Option<(Field, bool)> {
        let mut script = None;
        let mut login = false;
        let mut preserve = false;
        while let Some(field) = fields.next(self) {
            let Some(arg) = field.known().map(String::from) else {
                continue;
            };
            match arg.as_str() {
                "-" | "-l" | "--login" => login = true,
                "-m" | "-p" | "--preserve-environment" => preserve = true,
                "-c" | "--command" | "--session-command" => script = fields.next(self),
                "-s"
                | "-g"
                | "-G"
                | "-w"
                | "-u"
                | "--shell"
                | "--group"
                | "--supp-group"
                | "--whitelist-environment"
                | "--user" => {
                    fields.next(self);
                }
                _ => {
                    if let Some(command) = arg
                        .strip_prefix("--command=")
                        .or_else(|| arg.strip_prefix("--session-command="))
                    {
                        script = Some(Field {
                            text: command.to_string(),
                            ..field
                        });
                    } else if let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty() && !c.starts_with('-'))
                    {
                        login |= cluster.contains('l');
                        preserve |= cluster.contains(['m', 'p']);
                        if cluster.ends_with('c') {
                            script = fields.next(self);
                        }
                    }
                }
            }
        }
        script.map(|script| (script, preserve && !login))
    }

    /// `bash [options] -c SCRIPT [NAME [ARG ...]]`: the script.
    fn shell_command(&mut self, fields: &mut Fields<'_, 'a>) -> Option<Field> {
        let mut has_c = false;
        while let Some(field) = fields.next(self) {
            let arg = field.known()?;
            match arg {
                "--" | "-" => return if has_c { fields.next(self) } else { None },
                "--rcfile" | "--init-file" => {
                    fields.next(self);
                }
                _ if arg.starts_with("--") => {}
                _ if arg.starts_with(['-', '+']) => {
                    has_c |= arg.contains('c');
                    if arg.contains(['o', 'O']) {
                        fields.next(self);
                    }
                }
                // The script, or a script file's name.
                _ => return has_c.then_some(field),
            }
        }
        None
    }

    /// Runs a script given as an argument (`bash -c`, `su -c`) in its own shell.
    fn inner_script(&mut self, script: Field, keeps_env: bool, span: Span, tolerated: bool) {
        let Some(text) = script.known() else {
            if let Some(unknown) = &script.unknown {
                let finding = unknown_finding(unknown, script.span, "the script this command runs");
                self.cli.doc.findings.push(finding);
            }
            return;
        };
        if self.cli.depth >= MAX_DEPTH {
            let finding = Finding::new(
                &UNSUPPORTED_COMMAND,
                "scripts run scripts deeper than omeroconf follows",
            )
            .at(span, "not followed by omeroconf");
            self.cli.doc.findings.push(finding);
            return;
        }
        let origin = self.exact_origin(&script, text);
        let vars = if keeps_env {
            self.vars
                .iter()
                .filter(|(_, var)| var.exported)
                .map(|(name, var)| (name.clone(), var.clone()))
                .collect()
        } else {
            HashMap::new()
        };
        let mut doc = Document::new(self.cli.doc.path.clone(), Format::Script, text);
        let cli = Cli {
            doc: &mut doc,
            base_dir: self.cli.base_dir,
            depth: self.cli.depth + 1,
        };
        Shell::new(text, cli, self.given, vars).run();
        relocate(self.cli.doc, doc, origin, tolerated);
    }

    /// Where a field's text sits in the source byte for byte (a word whose
    /// quotes hold it unchanged), or else the whole word.
    fn exact_origin(&self, field: &Field, text: &str) -> Origin {
        let written = self.source.get(field.span.range()).unwrap_or_default();
        if written == text {
            return Origin::Verbatim(field.span.start);
        }
        let quoted = ['\'', '"']
            .iter()
            .any(|&q| written.len() >= 2 && written.starts_with(q) && written.ends_with(q));
        if quoted && written.get(1..written.len() - 1) == Some(text) {
            return Origin::Verbatim(field.span.start + 1);
        }
        Origin::Within(field.span)
    }

    /// `export`, `declare`, `local`...: their `NAME=VALUE` arguments assign.
    fn declare(&mut self, export: bool, words: &[Pair<'a, Rule>]) {
        let mut exported = export;
        for word in words {
            if assignment(word).is_some() {
                self.assign(word, exported);
            } else if let Some(flags) = plain_word(word).and_then(|w| w.strip_prefix('-')) {
                exported |= flags.contains('x');
            } else if let (true, Some(var)) = (exported, plain_word(word).and_then(|name| self.vars.get_mut(name))) {
                var.exported = true;
            }
        }
    }

    /// `NAME=VALUE` or `NAME+=VALUE`: no field splitting, `~` expands after `=`.
    fn assign(&mut self, word: &Pair<'a, Rule>, export: bool) {
        let Some((name, appends, value_start)) = assignment(word) else {
            return;
        };
        let Some(first) = leading_literal(word) else { return };
        let mut expansion = self.expansion(word, false);
        let rest = word.clone().into_inner().skip(1);
        self.literal_with_tilde(
            &mut expansion,
            &first[value_start..],
            rest.clone().next().is_none(),
            true,
        );
        self.expand_parts(&mut expansion, rest, false);
        let value = expansion.single().value();
        let old = self.vars.remove(name);
        let value = match (appends, old.as_ref().and_then(|var| var.value.as_ref()), value) {
            (true, Some(Value::Known(old)), Value::Known(new)) => Value::Known(format!("{old}{new}")),
            (true, Some(Value::Unknown(unknown)), _) => Value::Unknown(unknown.clone()),
            (_, _, value) => value,
        };
        let exported = export || old.is_some_and(|var| var.exported);
        self.set_var(
            name,
            Var {
                value: Some(value),
                exported,
            },
        );
    }

    fn set_var(&mut self, name: &str, var: Var) {
        if name == "IFS" {
            self.ifs = var.value.as_ref().and_then(Value::known).map(Rc::from);
        }
        self.vars.insert(name.to_string(), var);
    }

    /// `unset NAME ...` (`-f` names functions, which have no values here).
    fn unset(&mut self, words: &[Pair<'a, Rule>]) {
        if words.first().and_then(plain_word) == Some("-f") {
            return;
        }
        for name in words
            .iter()
            .filter_map(plain_word)
            .filter(|name| is_name(name.as_bytes()))
        {
            self.set_var(
                name,
                Var {
                    value: None,
                    exported: false,
                },
            );
        }
    }

    fn lookup(&self, name: &str) -> Lookup {
        if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            // $1, $@, $?, $$...: the script's arguments and state.
            return Lookup::Unknown(Unknown::UnresolvedVariable(name.to_string()));
        }
        match self.vars.get(name).map(|var| &var.value) {
            None => Lookup::Unset,
            Some(None) => Lookup::Removed,
            Some(Some(Value::Known(value))) => Lookup::Known(value.clone()),
            Some(Some(Value::Unknown(unknown))) => Lookup::Unknown(unknown.clone()),
        }
    }

    fn expansion(&self, word: &Pair<'a, Rule>, split: bool) -> Expansion {
        Expansion::new(split, self.ifs.clone(), self.span(word))
    }

    /// The fields a word expands to (field splitting when `split`).
    fn expand_word(&mut self, word: &Pair<'a, Rule>, split: bool) -> Vec<Field> {
        let mut expansion = self.expansion(word, split);
        if matches!(word.as_rule(), Rule::plain_single | Rule::plain_double) {
            expansion.quote();
            let quoted = word.as_str();
            expansion.text(quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default());
            return expansion.finish();
        }
        let mut parts = word.clone().into_inner().peekable();
        if let Some(first) = leading_literal(word) {
            parts.next_if(|part| part.as_rule() == Rule::literal);
            self.literal_with_tilde(&mut expansion, first, parts.peek().is_none(), false);
        }
        self.expand_parts(&mut expansion, parts, false);
        expansion.finish()
    }

    /// Unquoted text at the start of a word: a leading `~`, `~+` or `~-`
    /// means `$HOME`, `$PWD` or `$OLDPWD` when the text up to the first `/`
    /// (or the whole word, `ends_word`: nothing follows the text) is
    /// unquoted; the name ends at a `:`. In an assignment's value a `~`
    /// after each `:` counts too.
    fn literal_with_tilde(&self, expansion: &mut Expansion, text: &str, ends_word: bool, assignment: bool) {
        let mut rest = text;
        loop {
            let (segment, tail) = match if assignment { rest.find(':') } else { None } {
                Some(colon) => rest.split_at(colon),
                None => (rest, ""),
            };
            self.tilde(expansion, segment, ends_word || !tail.is_empty());
            let Some(after) = tail.strip_prefix(':') else { return };
            expansion.text(":");
            rest = after;
        }
    }

    fn tilde(&self, expansion: &mut Expansion, text: &str, ends_word: bool) {
        let Some(after) = text.strip_prefix('~') else {
            expansion.text(text);
            return;
        };
        // A prefix running on into quotes or an expansion is no tilde-prefix.
        let prefix = &after[..after.find('/').unwrap_or(after.len())];
        let name_end = prefix.find(':').unwrap_or(prefix.len());
        let name = match &prefix[..name_end] {
            "" => "HOME",
            "+" => "PWD",
            "-" => "OLDPWD",
            // `~user` needs the password database.
            _ => "",
        };
        if name.is_empty() || (prefix.len() == after.len() && !ends_word) {
            expansion.text(text);
            return;
        }
        match self.lookup(name) {
            Lookup::Known(value) => expansion.text(&value),
            Lookup::Unknown(unknown) => expansion.unknown(unknown),
            Lookup::Unset | Lookup::Removed => expansion.unknown(Unknown::UnresolvedVariable(name.to_string())),
        }
        expansion.text(&after[name_end..]);
    }

    fn expand_parts<'i>(
        &mut self,
        expansion: &mut Expansion,
        parts: impl Iterator<Item = Pair<'i, Rule>>,
        quoted: bool,
    ) {
        for part in parts {
            match part.as_rule() {
                Rule::literal | Rule::dq_text | Rule::hd_literal => expansion.text(part.as_str()),
                Rule::escaped | Rule::dq_escaped | Rule::hd_escaped => {
                    expansion.text(part.as_str().get(1..).unwrap_or_default())
                }
                Rule::backslash => expansion.text("\\"),
                Rule::dollar => expansion.text("$"),
                // Inside `"${X:-'a'}"` single quotes are plain text.
                Rule::single_quoted | Rule::ansi_c if quoted => expansion.text(part.as_str()),
                Rule::single_quoted => {
                    expansion.quote();
                    expansion.text(part.into_inner().next().map_or("", |text| text.as_str()));
                }
                Rule::ansi_c => {
                    expansion.quote();
                    expansion.text(&ansi_c(part.into_inner().next().map_or("", |text| text.as_str())));
                }
                Rule::double_quoted => {
                    expansion.quote();
                    self.expand_parts(expansion, part.into_inner(), true);
                }
                // The word of `${X:-a b}` is split when unquoted.
                Rule::pw_text => expansion.value(part.as_str(), quoted),
                Rule::param => self.param(expansion, part.as_str().get(1..).unwrap_or_default(), quoted),
                Rule::braced => self.braced(expansion, part, quoted),
                Rule::command_sub | Rule::backquoted => expansion.unknown(Unknown::CommandSubstitution),
                Rule::arithmetic => expansion.unknown(Unknown::Unevaluated("an arithmetic expansion")),
                _ => {}
            }
        }
    }

    /// `$NAME`, `${NAME}`.
    fn param(&self, expansion: &mut Expansion, name: &str, quoted: bool) {
        match self.lookup(name) {
            Lookup::Known(value) => expansion.value(&value, quoted),
            Lookup::Removed => expansion.value("", quoted),
            Lookup::Unknown(unknown) => expansion.unknown(unknown),
            Lookup::Unset => expansion.unknown(Unknown::UnresolvedVariable(name.to_string())),
        }
    }

    /// `${...}`.
    fn braced(&mut self, expansion: &mut Expansion, pair: Pair<'_, Rule>, quoted: bool) {
        let mut inner = pair.into_inner();
        let Some(first) = inner.next() else { return };
        if first.as_rule() == Rule::length {
            let name = first.as_str().get(1..).unwrap_or_default();
            match self.lookup(name) {
                Lookup::Known(value) => expansion.value(&value.chars().count().to_string(), quoted),
                Lookup::Unset | Lookup::Removed => expansion.value("0", quoted),
                Lookup::Unknown(unknown) => expansion.unknown(unknown),
            }
            return;
        }
        if !matches!(first.as_rule(), Rule::name | Rule::positional | Rule::special_param) {
            expansion.unknown(Unknown::Unevaluated("an indirect `${...}` expansion"));
            return;
        }
        let name = first.as_str();
        let value = self.lookup(name);
        let operator = inner.next().filter(|op| op.as_rule() != Rule::unterminated);
        let Some(operator) = operator else {
            self.param(expansion, name, quoted);
            return;
        };
        if operator.as_rule() == Rule::other_op {
            match value {
                Lookup::Unknown(unknown) => expansion.unknown(unknown),
                Lookup::Unset => expansion.unknown(Unknown::UnresolvedVariable(name.to_string())),
                Lookup::Removed => expansion.value("", quoted),
                Lookup::Known(value) => match transform(&value, operator.as_str()) {
                    Some(result) => expansion.value(&result, quoted),
                    // Not evaluated here: computed when the script runs.
                    None => expansion.unknown(Unknown::Unevaluated("a `${...}` expansion")),
                },
            }
            return;
        }
        let word = inner.next();
        let op = operator.as_str();
        // With `:` an empty value counts as unset. A variable the script
        // never assigns counts as unset too, so its default applies.
        let use_word = match &value {
            Lookup::Unset | Lookup::Removed => true,
            Lookup::Known(value) => value.is_empty() && op.starts_with(':'),
            Lookup::Unknown(unknown) => {
                expansion.unknown(unknown.clone());
                return;
            }
        };
        let value = match value {
            Lookup::Known(value) => value,
            _ => String::new(),
        };
        match op.trim_start_matches(':') {
            "-" if use_word => self.expand_parts(expansion, word.into_iter().flat_map(Pair::into_inner), quoted),
            "+" if !use_word => self.expand_parts(expansion, word.into_iter().flat_map(Pair::into_inner), quoted),
            "+" => {}
            "=" if use_word => {
                let mut assigned = Expansion::new(false, None, expansion.span);
                self.expand_parts(&mut assigned, word.into_iter().flat_map(Pair::into_inner), quoted);
                let assigned = assigned.single();
                match &assigned.unknown {
                    Some(unknown) => expansion.unknown(unknown.clone()),
                    None => expansion.value(&assigned.text, quoted),
                }
                let exported = self.vars.get(name).is_some_and(|var| var.exported);
                self.set_var(
                    name,
                    Var {
                        value: Some(assigned.value()),
                        exported,
                    },
                );
            }
            // `${X:?message}` stops the script when X is unset.
            "?" if use_word => expansion.unknown(Unknown::UnresolvedVariable(name.to_string())),
            _ => expansion.value(&value, quoted),
        }
    }

    /// The standard input of `<<<WORD`.
    fn herestring(&mut self, word: &Pair<'a, Rule>) -> Vec<Piece<'a>> {
        let field = self
            .expand_word(word, false)
            .into_iter()
            .next()
            .unwrap_or_else(|| Field::empty(self.span(word)));
        let text = format!("{}\n", field.text);
        vec![Piece {
            text: Cow::Owned(text),
            origin: Origin::Within(field.span),
            unknown: field.unknown,
        }]
    }

    /// The standard input of `< FILE`, when the file can be read.
    fn input_file(&mut self, word: &Pair<'a, Rule>) -> Option<Vec<Piece<'a>>> {
        let field = self.expand_word(word, false).into_iter().next()?;
        let text = self.cli.read_file(field.known()?).ok()?;
        Some(vec![Piece {
            text: Cow::Owned(text),
            origin: Origin::Within(field.span),
            unknown: None,
        }])
    }

    /// The text a here-document feeds a command, line by line.
    fn heredoc_text(&mut self, body: &Body) -> Vec<Piece<'a>> {
        let source = self.source;
        let mut pieces = Vec::new();
        let mut group = String::new();
        let mut group_start = None;
        let mut pos = body.start;
        while pos < body.end {
            let end = line_end(source, pos).min(body.end);
            let tabs = if body.strip_tabs {
                source[pos..end].bytes().take_while(|&b| b == b'\t').count()
            } else {
                0
            };
            let line = &source[pos + tabs..end];
            if !body.expand {
                pieces.push(Piece {
                    text: Cow::Borrowed(line),
                    origin: Origin::Verbatim(pos + tabs),
                    unknown: None,
                });
                pos = end;
                continue;
            }
            // A backslash-newline joins the next line before expansion.
            let start = *group_start.get_or_insert(pos + tabs);
            group.push_str(line);
            pos = end;
            let content = line.trim_end_matches('\n');
            let continues = content.len() - content.trim_end_matches('\\').len();
            if continues % 2 == 1 && pos < body.end {
                continue;
            }
            let written = Span::new(start, start + source[start..end].trim_end_matches(['\n', '\r']).len());
            let field = self.expand_heredoc_line(&group, written);
            let origin = if field.unknown.is_none() && field.text == group {
                Origin::Verbatim(start)
            } else {
                Origin::Within(written)
            };
            pieces.push(Piece {
                text: Cow::Owned(field.text),
                origin,
                unknown: field.unknown,
            });
            group.clear();
            group_start = None;
        }
        pieces
    }

    fn expand_heredoc_line(&mut self, text: &str, span: Span) -> Field {
        let mut expansion = Expansion::new(false, None, span);
        match Bash::parse(Rule::heredoc_text, text) {
            Ok(mut pairs) => {
                let parts = pairs.next().map(Pair::into_inner).into_iter().flatten();
                self.expand_parts(&mut expansion, parts, true);
            }
            Err(_) => expansion.unknown(Unknown::CommandSubstitution),
        }
        expansion.single()
    }

    /// Where a pair of the current logical line is in the source.
    fn span(&self, pair: &Pair<'a, Rule>) -> Span {
        Span::new(
            self.line_offset + pair.as_span().start(),
            self.line_offset + pair.as_span().end(),
        )
    }

    fn claim_pending(&mut self, command: Span) {
        for codes in self.pending.drain(..) {
            self.cli.doc.suppressions.push(Suppression {
                codes,
                applies_to: command,
            });
        }
    }

    fn report_unterminated(&mut self, construct: &Pair<'a, Rule>) {
        let text = construct.as_str();
        let opener_len = match construct.as_rule() {
            Rule::single_quoted | Rule::backquoted => 1,
            Rule::double_quoted => 1 + usize::from(text.starts_with('$')),
            Rule::ansi_c | Rule::command_sub | Rule::braced => 2,
            Rule::arithmetic => 3,
            // `&&`, `||`, `|`, `|&`
            _ => text.find(char::is_whitespace).unwrap_or(text.len()),
        };
        let opener = text.get(..opener_len).unwrap_or(text);
        let message = match construct.as_rule() {
            Rule::joiner => format!("the file ends after `{opener}`, which needs a command to follow"),
            _ => format!("the file ends inside `{opener}`: it is never closed"),
        };
        let start = self.span(construct).start;
        let finding = Finding::new(&SYNTAX_ERROR, message)
            .at(Span::new(start, start + opener.len()), "opened here")
            .help("bash stops with a syntax error: this line and the rest of the file do not run");
        self.cli.doc.findings.push(finding);
    }
}

/// A variable's value as an expansion sees it.
enum Lookup {
    Known(String),
    Unknown(Unknown),
    /// Never assigned by the script.
    Unset,
    /// Removed by `unset`: expands to nothing.
    Removed,
}

/// The words of a command, expanded one at a time as they are needed.
struct Fields<'p, 'a> {
    words: std::slice::Iter<'p, Pair<'a, Rule>>,
    queue: VecDeque<Field>,
}

impl<'p, 'a> Fields<'p, 'a> {
    fn new(words: &'p [Pair<'a, Rule>]) -> Self {
        Fields {
            words: words.iter(),
            queue: VecDeque::new(),
        }
    }

    fn fill(&mut self, shell: &mut Shell<'a>) -> bool {
        while self.queue.is_empty() {
            let Some(word) = self.words.next() else { return false };
            self.queue.extend(shell.expand_word(word, true));
        }
        true
    }

    fn next(&mut self, shell: &mut Shell<'a>) -> Option<Field> {
        self.fill(shell);
        self.queue.pop_front()
    }

    fn peek(&mut self, shell: &mut Shell<'a>) -> Option<&Field> {
        self.fill(shell);
        self.queue.front()
    }
}

/// The fields of one word, built part by part as bash expands it.
struct Expansion {
    split: bool,
    /// `$IFS` when the script sets it.
    ifs: Option<Rc<str>>,
    span: Span,
    fields: Vec<Field>,
    current: Option<Field>,
    /// White space from `$IFS` has just ended a field.
    after_blank: bool,
}

impl Expansion {
    fn new(split: bool, ifs: Option<Rc<str>>, span: Span) -> Self {
        Expansion {
            split,
            ifs,
            span,
            fields: Vec::new(),
            current: None,
            after_blank: false,
        }
    }

    fn field(&mut self) -> &mut Field {
        self.after_blank = false;
        let span = self.span;
        self.current.get_or_insert_with(|| Field::empty(span))
    }

    /// A quoted part: the field exists even if it stays empty.
    fn quote(&mut self) {
        self.field();
    }

    /// Text that is never split.
    fn text(&mut self, text: &str) {
        self.field().text.push_str(text);
    }

    fn unknown(&mut self, unknown: Unknown) {
        let field = self.field();
        field.text.push(UNKNOWN_MARK);
        field.unknown.get_or_insert(unknown);
    }

    /// The value of an expansion: split at `$IFS` when unquoted.
    fn value(&mut self, value: &str, quoted: bool) {
        if quoted || !self.split {
            self.text(value);
            return;
        }
        let ifs = self.ifs.clone();
        let ifs = ifs.as_deref().unwrap_or(" \t\n");
        for c in value.chars() {
            if !ifs.contains(c) {
                self.field().text.push(c);
            } else if matches!(c, ' ' | '\t' | '\n') {
                if let Some(field) = self.current.take() {
                    self.fields.push(field);
                    self.after_blank = true;
                }
            } else {
                // Any other IFS character ends a field, even an empty one,
                // unless white space has just ended it.
                match self.current.take() {
                    Some(field) => self.fields.push(field),
                    None if self.after_blank => {}
                    None => self.fields.push(Field::empty(self.span)),
                }
                self.after_blank = false;
            }
        }
    }

    fn finish(mut self) -> Vec<Field> {
        self.fields.extend(self.current);
        self.fields
    }

    /// The one field of an expansion without splitting.
    fn single(self) -> Field {
        let span = self.span;
        self.finish().into_iter().next().unwrap_or_else(|| Field::empty(span))
    }
}

/// What the byte scan found on one physical line.
enum Scan {
    /// Nothing runs here (blank or a comment); the next line starts at the offset.
    Blank(usize),
    /// A command that cannot matter (its span), and where the next line starts.
    Plain(Span, usize),
    /// Needs the grammar; `plain` when the line holds only ordinary words.
    Candidate { plain: bool },
}

/// Looks at one physical line without the grammar. A line is left alone
/// only when it certainly ends at its newline (quotes closed on the line, no
/// backslash, backquote, `$(`, `${` or `$'`) and cannot run `omero` (it has
/// neither `omero` nor `config` as a word or a path's last part), assign a
/// variable or open a here-document; anything else is a candidate.
fn scan_line(bytes: &[u8], start: usize) -> Scan {
    // The closing quote on this line, if the text up to it is plain.
    let closing = |from: usize, quote: u8| {
        let close = from + bytes[from..].iter().position(|&b| b == quote || b == b'\n')?;
        let inner = &bytes[from..close];
        let plain = bytes[close] == quote
            && !(0..inner.len()).any(|i| names_omero(inner, i))
            && (quote == b'\''
                || !(inner.iter().any(|&b| b == b'\\' || b == b'`')
                    || inner.windows(2).any(|w| w[0] == b'$' && matches!(w[1], b'(' | b'{'))));
        plain.then_some(close)
    };
    let mut candidate = false;
    // Only ordinary words, blanks and a comment so far.
    let mut plain = true;
    let mut i = start;
    // Where the current word started while it can still become `NAME=`.
    let mut name_start = Some(start);
    let mut at_word_start = true;
    let mut first_word_end = None;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_alphanumeric() || b == b'_' {
            // A run of name characters: only its start can begin `omero`.
            let after_slash = i > start && bytes[i - 1] == b'/';
            candidate |= (at_word_start || after_slash) && names_omero(bytes, i);
            i += bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            at_word_start = false;
            continue;
        }
        match b {
            b'\n' => break,
            b' ' | b'\t' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' => {
                if b == b'<' && bytes.get(i + 1) == Some(&b'<') {
                    return Scan::Candidate { plain: false };
                }
                plain &= matches!(b, b' ' | b'\t');
                if !at_word_start {
                    first_word_end.get_or_insert(i);
                }
                at_word_start = true;
                name_start = Some(i + 1);
                i += 1;
                continue;
            }
            b'#' if at_word_start => {
                // A comment: only `# omeroconf: ...` matters.
                let end = bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |n| i + n);
                candidate |= contains(&bytes[i..end], b"omero");
                plain &= !bytes[i..end].contains(&b'\r');
                i = end;
                break;
            }
            b'\'' | b'"' => match closing(i + 1, b) {
                Some(close) => {
                    // A wholly quoted word keeps the line plain.
                    plain &= at_word_start
                        && matches!(bytes.get(close + 1), None | Some(b' ' | b'\t' | b'\n'))
                        && (b == b'\'' || !bytes[i + 1..close].contains(&b'$'));
                    i = close;
                }
                None => return Scan::Candidate { plain: false },
            },
            b'\\' | b'`' => return Scan::Candidate { plain: false },
            b'$' if matches!(bytes.get(i + 1), Some(b'(' | b'{' | b'\'' | b'"')) => {
                return Scan::Candidate { plain: false }
            }
            b'$' | b'\r' => plain = false,
            b'~' if at_word_start => plain = false,
            b'=' => {
                let word = name_start.map(|s| &bytes[s..i]);
                candidate |= word.is_some_and(|word| is_name(word.strip_suffix(b"+").unwrap_or(word)));
            }
            _ => {}
        }
        if b != b'+' {
            name_start = None;
        }
        at_word_start = false;
        i += 1;
    }
    let end = i;
    let next = (end + 1).min(bytes.len());
    let is_blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
    let leading = bytes[start..end].iter().take_while(|b| is_blank(b)).count();
    let trailing = bytes[start + leading..end]
        .iter()
        .rev()
        .take_while(|b| is_blank(b))
        .count();
    let content = &bytes[start + leading..end - trailing];
    let first_word = bytes
        .get(start + leading..first_word_end.unwrap_or(end))
        .unwrap_or_default();
    // `export NAME` makes a variable reach inner shells, `unset NAME`
    // removes one; `set -e` changes what a failing command does.
    if candidate || matches!(first_word, b"export" | b"unset" | b"set") {
        return Scan::Candidate { plain };
    }
    match content.first() {
        None | Some(b'#') => Scan::Blank(next),
        Some(_) => Scan::Plain(Span::new(start + leading, end - trailing), next),
    }
}

/// What `set` options do to errexit: `-e`, `-o errexit`, combined flags
/// such as `-eu`; `+e` and `+o errexit` turn it off. `None`: unchanged.
fn errexit_option(options: &[&str]) -> Option<bool> {
    let mut state = None;
    let mut words = options.iter();
    while let Some(word) = words.next() {
        let (on, flags) = match word.as_bytes().first() {
            Some(b'-') if *word != "--" => (true, &word[1..]),
            Some(b'+') => (false, &word[1..]),
            _ => break,
        };
        if flags == "o" {
            if words.next() == Some(&"errexit") {
                state = Some(on);
            }
        } else if flags.contains('e') {
            state = Some(on);
        }
    }
    state
}

/// `#!/bin/bash -e` (or `-eu`, ...) starts the script with errexit on.
fn shebang_sets_errexit(source: &str) -> bool {
    let first = source.lines().next().unwrap_or_default();
    first.starts_with("#!") && errexit_option(&first.split_whitespace().skip(1).collect::<Vec<_>>()) == Some(true)
}

/// Whether `omero` or `config` starts at `i` as a whole word or a path's
/// last part (`/opt/omero/web` does not count, `$VENV/bin/omero` does).
fn names_omero(bytes: &[u8], i: usize) -> bool {
    let boundary =
        |b: Option<&u8>| b.is_none_or(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/')));
    let before = i.checked_sub(1).and_then(|j| bytes.get(j));
    [&b"omero"[..], b"config"].iter().any(|word| {
        bytes[i..].starts_with(word)
            && boundary(bytes.get(i + word.len()))
            && (before == Some(&b'/') || boundary(before))
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// Just after the newline that ends the line containing `pos`, or the end.
fn line_end(source: &str, pos: usize) -> usize {
    let bytes = source.as_bytes();
    let pos = pos.min(bytes.len());
    bytes[pos..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| pos + i + 1)
}

/// The unquoted text a word starts with (all of a plain line's word).
fn leading_literal<'a>(word: &Pair<'a, Rule>) -> Option<&'a str> {
    match word.as_rule() {
        Rule::plain_text => return Some(word.as_str()),
        Rule::plain_single | Rule::plain_double => return None,
        _ => {}
    }
    word.clone()
        .into_inner()
        .next()
        .filter(|part| part.as_rule() == Rule::literal)
        .map(|part| part.as_str())
}

/// The text of a word that is a single unquoted literal (a reserved word or
/// builtin name only counts when written that way).
fn plain_word<'a>(word: &Pair<'a, Rule>) -> Option<&'a str> {
    leading_literal(word).filter(|text| text.len() == word.as_str().len())
}

/// `NAME=` or `NAME+=` at the start of a word: the name, whether it
/// appends, and where the value starts in the first literal.
fn assignment<'a>(word: &Pair<'a, Rule>) -> Option<(&'a str, bool, usize)> {
    let text = leading_literal(word)?;
    let (name, _) = text.split_once('=')?;
    let (name, appends) = match name.strip_suffix('+') {
        Some(name) => (name, true),
        None => (name, false),
    };
    is_name(name.as_bytes()).then_some((name, appends, text.find('=')? + 1))
}

fn is_assignment_text(text: &str) -> bool {
    text.split_once('=').is_some_and(|(name, _)| is_name(name.as_bytes()))
}

/// A shell variable name: letters, digits and `_`, not starting with a digit.
fn is_name(name: &[u8]) -> bool {
    name.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A here-document delimiter after quote removal, and whether any of it was quoted.
fn delimiter(word: &Pair<'_, Rule>) -> (String, bool) {
    let mut text = String::new();
    let mut quoted = false;
    for part in word.clone().into_inner() {
        match part.as_rule() {
            Rule::single_quoted | Rule::double_quoted | Rule::ansi_c => {
                quoted = true;
                let inner = part.as_str().trim_start_matches('$');
                let inner = inner.get(1..inner.len().saturating_sub(1)).unwrap_or_default();
                text.push_str(inner);
            }
            Rule::escaped => {
                quoted = true;
                text.push_str(part.as_str().get(1..).unwrap_or_default());
            }
            _ => text.push_str(part.as_str()),
        }
    }
    (text, quoted)
}

/// The innermost-first search for a construct the text ended inside.
fn unterminated<'a>(pair: &Pair<'a, Rule>) -> Option<Pair<'a, Rule>> {
    if pair
        .clone()
        .into_inner()
        .any(|child| child.as_rule() == Rule::unterminated)
    {
        return Some(pair.clone());
    }
    pair.clone().into_inner().find_map(|child| unterminated(&child))
}

/// Decodes the inside of `$'...'`.
fn ansi_c(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(escape) = chars.next() else {
            out.push('\\');
            break;
        };
        let mut number = |radix: u32, max: usize, first: Option<char>| {
            let mut digits: String = first.into_iter().collect();
            while digits.len() < max {
                match chars.peek() {
                    Some(d) if d.is_digit(radix) => digits.push(*d),
                    _ => break,
                }
                chars.next();
            }
            u32::from_str_radix(&digits, radix).ok()
        };
        let decoded = match escape {
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'e' | 'E' => Some('\u{1b}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            '\\' | '\'' | '"' | '?' => Some(escape),
            '0'..='7' => number(8, 3, Some(escape)).and_then(char::from_u32),
            'x' => number(16, 2, None).and_then(char::from_u32),
            'u' => number(16, 4, None).and_then(char::from_u32),
            'U' => number(16, 8, None).and_then(char::from_u32),
            'c' => chars
                .next()
                .and_then(|c| char::from_u32(c.to_ascii_uppercase() as u32 ^ 0x40)),
            _ => None,
        };
        match decoded {
            Some(decoded) => out.push(decoded),
            None => {
                out.push('\\');
                out.push(escape);
            }
        }
    }
    out
}

/// `${X#pattern}`, `${X%pattern}`, `${X/pattern/string}` and case changes,
/// for patterns written without quotes or expansions; `None` for any other form.
fn transform(value: &str, operator: &str) -> Option<String> {
    if operator.contains(['$', '`', '\'', '"', '\\']) {
        return None;
    }
    let chars: Vec<char> = value.chars().collect();
    let text = |range: std::ops::Range<usize>| chars[range].iter().collect::<String>();
    let matches = |pattern: &str, range: std::ops::Range<usize>| glob_match(pattern, &chars[range]);
    let n = chars.len();
    if let Some(pattern) = operator.strip_prefix("##") {
        let cut = (0..=n).rev().find(|&i| matches(pattern, 0..i)).unwrap_or(0);
        return Some(text(cut..n));
    }
    if let Some(pattern) = operator.strip_prefix('#') {
        let cut = (0..=n).find(|&i| matches(pattern, 0..i)).unwrap_or(0);
        return Some(text(cut..n));
    }
    if let Some(pattern) = operator.strip_prefix("%%") {
        let cut = (0..=n).find(|&i| matches(pattern, i..n)).unwrap_or(n);
        return Some(text(0..cut));
    }
    if let Some(pattern) = operator.strip_prefix('%') {
        let cut = (0..=n).rev().find(|&i| matches(pattern, i..n)).unwrap_or(n);
        return Some(text(0..cut));
    }
    if let Some(rest) = operator.strip_prefix('/') {
        let (all, rest) = match rest.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let (pattern, replacement) = rest.split_once('/').unwrap_or((rest, ""));
        if pattern.is_empty() || pattern.starts_with(['#', '%']) {
            return None;
        }
        let mut out = String::new();
        let mut i = 0;
        let mut replaced = false;
        while i < n {
            let found = (!replaced || all)
                .then(|| (i + 1..=n).rev().find(|&j| matches(pattern, i..j)))
                .flatten();
            match found {
                Some(j) => {
                    out.push_str(replacement);
                    replaced = true;
                    i = j;
                }
                None => {
                    out.push(chars[i]);
                    i += 1;
                }
            }
        }
        return Some(out);
    }
    match operator {
        "^^" => Some(value.to_uppercase()),
        ",," => Some(value.to_lowercase()),
        "^" | "," => {
            let mut rest = value.chars();
            let first = rest.next().map(|c| {
                if operator == "^" {
                    c.to_uppercase().collect::<String>()
                } else {
                    c.to_lowercase().collect()
                }
            });
            Some(first.unwrap_or_default() + rest.as_str())
        }
        _ => None,
    }
}

/// Bash pattern matching with `*`, `?` and `[...]` against all of `text`.
fn glob_match(pattern: &str, text: &[char]) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    // Positions of the pattern reachable after each character of the text.
    let mut states = vec![false; pattern.len() + 1];
    states[0] = true;
    let close_stars = |states: &mut Vec<bool>| {
        for p in 0..pattern.len() {
            if states[p] && pattern[p] == '*' {
                states[p + 1] = true;
            }
        }
    };
    close_stars(&mut states);
    for &c in text {
        let mut next = vec![false; pattern.len() + 1];
        let mut p = 0;
        while p < pattern.len() {
            let (matched, width) = match pattern[p] {
                '*' => (true, 0),
                '?' => (true, 1),
                '[' => match bracket(&pattern[p..], c) {
                    Some((matched, width)) => (matched, width),
                    None => (c == '[', 1),
                },
                other => (other == c, 1),
            };
            if states[p] {
                if width == 0 {
                    next[p] = true;
                } else if matched {
                    next[p + width] = true;
                }
            }
            p += width.max(1);
        }
        close_stars(&mut next);
        states = next;
    }
    states[pattern.len()]
}

/// A `[...]` class at the start of `pattern`: whether `c` is in it and the
/// class's length, or `None` when the bracket is never closed.
fn bracket(pattern: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negated = matches!(pattern.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while let Some(&p) = pattern.get(i) {
        if p == ']' && !first {
            return Some((matched != negated, i + 1));
        }
        first = false;
        if pattern.get(i + 1) == Some(&'-') && pattern.get(i + 2).is_some_and(|&end| end != ']') {
            matched |= (p..=pattern[i + 2]).contains(&c);
            i += 3;
        } else {
            matched |= p == c;
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_options_that_change_errexit() {
        assert_eq!(errexit_option(&["-eu"]), Some(true));
        assert_eq!(errexit_option(&["-o", "errexit"]), Some(true));
        assert_eq!(errexit_option(&["-euo", "pipefail"]), Some(true));
        assert_eq!(errexit_option(&["+e"]), Some(false));
        assert_eq!(errexit_option(&["-u"]), None);
        assert_eq!(errexit_option(&["--", "-e"]), None);
        assert!(shebang_sets_errexit("#!/bin/bash -e\n"));
        assert!(!shebang_sets_errexit("#!/bin/bash\nset -e\n"));
    }
    use crate::document::LineIndex;
    use serde_json::Value as Json;
    use std::path::Path;

    fn fixtures() -> PathBuf {
        // `file!()` is this file's path as given to rustc: relative to the
        // crate root in the crate, absolute when included from elsewhere.
        Path::new(file!())
            .parent()
            .unwrap_or(Path::new(""))
            .join("../../tests/fixtures/script")
    }

    fn parse_text(source: &str) -> Document {
        parse("test.sh", source, &ScriptOptions::default())
    }

    /// Plain `omero` lines read without the grammar give exactly what the
    /// grammar gives (a `;` after the command sends it to the grammar; a
    /// blank keeps the other offsets equal).
    #[test]
    fn plain_omero_lines_read_as_the_grammar_reads_them() {
        let heads = ["omero", "/opt/omero/web/venv3/bin/omero", "omeroo", "bin/omero"];
        let commands = [
            "config set",
            "config append",
            "config remove --",
            "config  set",
            "config\tset",
            "config get",
            "load",
        ];
        let keys = [
            "omero.web.debug",
            "'omero.web.apps'",
            "\"omero.web.prefix\"",
            "k=v",
            "-x",
        ];
        let values = [
            "",
            " true",
            " 'a b'",
            " \"[1, 2]\"",
            " ''",
            " -1",
            " a*b",
            " {a,b}",
            " x y",
            " é",
        ];
        let mut fast_lines = 0;
        let lines = heads
            .iter()
            .flat_map(|head| commands.iter().map(move |command| format!("{head} {command}")));
        let lines: Vec<String> = lines
            .flat_map(|start| keys.iter().map(move |key| format!("{start} {key}")))
            .collect();
        let lines = lines
            .iter()
            .flat_map(|start| values.iter().map(move |value| format!("{start}{value}")));
        for (n, line) in lines.enumerate() {
            let errexit = if n % 2 == 0 { "set -e\n" } else { "" };
            let prefix = format!("{errexit}# omeroconf: ignore[TY006]\n");
            // The next line shows whether `set -e` stopped the script.
            let next = "omero config set omero.web.after 1\n";
            let fast = parse_text(&format!("{prefix}{line} \n{next}"));
            let full = parse_text(&format!("{prefix}{line};\n{next}"));
            assert_eq!(fast.operations, full.operations, "{line}");
            assert_eq!(fast.findings, full.findings, "{line}");

            let mut doc = Document::new("t", Format::Script, "");
            let cli = Cli {
                doc: &mut doc,
                base_dir: None,
                depth: 0,
            };
            if Shell::new(&line, cli, &[], HashMap::new())
                .simple_omero_line(0)
                .is_some()
            {
                // Other lines' suppressions cover the `;` too.
                assert_eq!(fast.suppressions, full.suppressions, "{line}");
                fast_lines += 1;
            }
        }
        // The comparison means something only if many lines took the shortcut.
        assert!(fast_lines > 400, "{fast_lines}");
    }

    /// (verb, key, value) of an operation; `None` for an unknown value.
    type Op = (String, String, Option<Option<String>>);

    fn op_of(op: &crate::document::Operation) -> Op {
        let value = match &op.value {
            None => Some(None),
            Some(Value::Known(value)) => Some(Some(value.clone())),
            Some(Value::Unknown(_)) => None,
        };
        (op.kind.verb().to_string(), op.key.clone(), value)
    }

    fn ops(doc: &Document) -> Vec<Op> {
        doc.operations.iter().map(op_of).collect()
    }

    fn set(key: &str, value: &str) -> Op {
        ("set".to_string(), key.to_string(), Some(Some(value.to_string())))
    }

    fn codes(doc: &Document) -> Vec<(&'static str, usize)> {
        let index = LineIndex::new(&doc.source);
        doc.findings
            .iter()
            .map(|f| (f.code(), f.span.map_or(0, |span| index.position(span.start).0)))
            .collect()
    }

    fn text(doc: &Document, span: Span) -> &str {
        &doc.source[span.range()]
    }

    /// What one fixture is expected to differ from the recorded run.
    struct Fixture {
        name: &'static str,
        /// Operations come from inner scripts or here-documents, so they sit
        /// on or after the line of the command that started omero.
        nested: bool,
        /// Findings besides the usage errors recorded on command lines: (code, line).
        findings: &'static [(&'static str, usize)],
        /// Turns the recorded operations and usage-error lines into what
        /// omeroconf reports where it knowingly differs (every branch of an
        /// `if` runs, CRLF...).
        adjust: fn(&mut Vec<(Op, usize)>, &mut Vec<usize>),
    }

    const NONE: fn(&mut Vec<(Op, usize)>, &mut Vec<usize>) = |_, _| {};

    /// The operations and usage errors real bash and omero-py recorded:
    /// ((verb, key, value), line), and the lines of usage errors on the
    /// command line (those of lines omero read from a here-document are on
    /// the `omero` command's line; fixtures list them themselves).
    fn recorded(name: &str) -> (Vec<(Op, usize)>, Vec<usize>) {
        let path = fixtures().join(format!("{name}.oracle.json"));
        let json: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut ops = Vec::new();
        let mut usage_errors = Vec::new();
        for record in json["bash"].as_array().unwrap() {
            let line = record["line"].as_u64().unwrap() as usize;
            if record["exit"] == 2 {
                if record["argv"].is_array() {
                    usage_errors.push(line);
                }
                continue;
            }
            let Some(verb) = record["verb"].as_str() else { continue };
            let key = record["key"].as_str().unwrap().to_string();
            let value = record["value"].as_str().map(String::from);
            let verb = match (verb, &value, record["unique"].as_bool()) {
                ("set", None, _) => "unset",
                ("append", _, Some(true)) => "append --set",
                (verb, _, _) => verb,
            };
            ops.push(((verb.to_string(), key, Some(value)), line));
        }
        (ops, usage_errors)
    }

    fn check(fixture: &Fixture) {
        let path = fixtures().join(format!("{}.sh", fixture.name));
        let source = std::fs::read_to_string(&path).unwrap();
        let options = ScriptOptions {
            vars: Vec::new(),
            base_dir: Some(fixtures()),
        };
        let doc = parse(fixture.name, &source, &options);
        let index = LineIndex::new(&source);
        let line = |span: Span| index.position(span.start).0;
        let (mut expected, mut usage_errors) = recorded(fixture.name);
        (fixture.adjust)(&mut expected, &mut usage_errors);

        let found: Vec<(Op, usize)> = doc.operations.iter().map(|op| (op_of(op), line(op.span))).collect();
        assert_eq!(
            found.len(),
            expected.len(),
            "{}: {found:#?}\nexpected {expected:#?}",
            fixture.name
        );
        for ((op, op_line), (want, want_line)) in found.iter().zip(&expected) {
            assert_eq!((&op.0, &op.1), (&want.0, &want.1), "{}", fixture.name);
            // An unknown value matches whatever the run saw.
            if op.2.is_some() {
                assert_eq!(op.2, want.2, "{}: {}", fixture.name, op.1);
            }
            if fixture.nested {
                assert!(
                    op_line >= want_line,
                    "{}: {} on line {op_line}, run from line {want_line}",
                    fixture.name,
                    op.1
                );
            } else {
                assert_eq!(op_line, want_line, "{}: {}", fixture.name, op.1);
            }
        }
        // Every unknown value has its finding at the value.
        for op in &doc.operations {
            if let Some(Value::Unknown(_)) = &op.value {
                let covered = doc
                    .findings
                    .iter()
                    .any(|f| f.span == Some(op.value_span) && matches!(f.code(), "IN002" | "IN003" | "IN019"));
                assert!(
                    covered,
                    "{}: no finding for the unknown value of {}",
                    fixture.name, op.key
                );
            }
        }
        let mut want: Vec<(&str, usize)> = fixture.findings.to_vec();
        want.extend(usage_errors.iter().map(|&line| ("IN008", line)));
        let mut got = codes(&doc);
        want.sort();
        got.sort();
        assert_eq!(got, want, "{}: {:#?}", fixture.name, doc.findings);
    }

    /// Every fixture, with how omeroconf knowingly differs from the run.
    const FIXTURES: &[Fixture] = &[
        Fixture {
            name: "walkthrough",
            nested: false,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "argparse-order",
            nested: false,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "quoting",
            nested: false,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "continuations",
            nested: false,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "variables",
            nested: false,
            findings: &[("IN002", 8)],
            adjust: NONE,
        },
        Fixture {
            name: "field-splitting",
            nested: false,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "tolerated",
            nested: false,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "wrappers",
            nested: false,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "su-and-bash-c",
            nested: true,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "heredoc-load",
            nested: true,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "heredoc-interactive",
            nested: true,
            findings: &[("IN008", 6), ("IN008", 14), ("IN008", 19)],
            adjust: NONE,
        },
        Fixture {
            name: "heredoc-other",
            nested: false,
            findings: &[],
            adjust: NONE,
        },
        // A missing `-f FILE` makes argparse fail when the script runs; here
        // it is a file omeroconf cannot read.
        Fixture {
            name: "set-file",
            nested: false,
            findings: &[("IN009", 6)],
            adjust: |_, usage_errors| usage_errors.retain(|&line| line != 6),
        },
        Fixture {
            name: "load-file",
            nested: false,
            findings: &[("IN009", 4)],
            adjust: NONE,
        },
        // bash keeps the `\r` of CRLF line ends in the last word (and a
        // backslash before it escapes the `\r`, not the newline); omeroconf
        // reads CRLF as a newline. Inside quotes the `\r` stays.
        Fixture {
            name: "crlf",
            nested: false,
            findings: &[],
            adjust: |ops, _| {
                for (op, _) in ops.iter_mut() {
                    if let Some(Some(value)) = &mut op.2 {
                        if let Some(stripped) = value.strip_suffix('\r') {
                            *value = stripped.to_string();
                        }
                    }
                }
                if let Some((op, _)) = ops.iter_mut().find(|(op, _)| op.1 == "omero.web.crlf4") {
                    *op = set("omero.web.crlf4", "continued");
                }
            },
        },
        // argparse accepts `set KEY=VALUE`, then prefs.py only prints a hint.
        Fixture {
            name: "keys-and-values",
            nested: false,
            findings: &[("IN008", 2), ("IN008", 3)],
            adjust: |ops, _| ops.retain(|(op, _)| !op.1.contains('=')),
        },
        Fixture {
            name: "comments",
            nested: false,
            findings: &[("IN002", 3), ("IN002", 4)],
            adjust: NONE,
        },
        Fixture {
            name: "command-substitution",
            nested: false,
            findings: &[
                ("IN003", 2),
                ("IN003", 3),
                ("IN003", 4),
                ("IN003", 6),
                ("IN019", 7),
                ("IN003", 10),
            ],
            // The key comes from `$(...)`: omeroconf skips the command.
            adjust: |ops, _| ops.retain(|(op, _)| op.1 != "omero.web.cs6"),
        },
        Fixture {
            name: "separators",
            nested: false,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "special-params",
            nested: false,
            findings: &[("IN002", 2), ("IN002", 3), ("IN002", 4), ("IN002", 5), ("IN002", 9)],
            // "$@" is the script's arguments: none in the run, one unknown word here.
            adjust: |ops, _| {
                for (op, line) in ops.iter_mut() {
                    if *line == 3 {
                        *op = set("omero.web.sp2", "");
                    }
                }
            },
        },
        Fixture {
            name: "here-string",
            nested: true,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "heredoc-two-on-a-line",
            nested: true,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "assignment-forms",
            nested: false,
            findings: &[],
            adjust: NONE,
        },
        Fixture {
            name: "config-other",
            nested: false,
            findings: &[("IN009", 6)],
            adjust: NONE,
        },
        Fixture {
            name: "unterminated-quote",
            nested: false,
            findings: &[("IN001", 3)],
            adjust: NONE,
        },
        Fixture {
            name: "unterminated-heredoc",
            nested: true,
            findings: &[("IN001", 3)],
            adjust: NONE,
        },
        // Every branch runs: the `if` and `case` conditions are not evaluated.
        Fixture {
            name: "if-blocks",
            nested: false,
            findings: &[],
            adjust: |ops, _| {
                *ops = vec![
                    (set("omero.web.debug", "true"), 3),
                    (set("omero.web.debug", "false"), 5),
                    (set("omero.web.b1", "dev"), 11),
                    (set("omero.web.b2", "other"), 12),
                    (set("omero.web.b3", "in a function"), 15),
                ]
            },
        },
    ];

    #[test]
    fn fixtures_match_the_recorded_runs() {
        let failed: Vec<&str> = FIXTURES
            .iter()
            .filter(|fixture| std::panic::catch_unwind(|| check(fixture)).is_err())
            .map(|fixture| fixture.name)
            .collect();
        assert!(
            failed.is_empty(),
            "fixtures differing from their recorded run: {failed:?}"
        );
    }

    #[test]
    fn every_fixture_is_checked() {
        let mut names: Vec<String> = std::fs::read_dir(fixtures())
            .unwrap()
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.strip_suffix(".sh").map(String::from))
            .collect();
        names.sort();
        let mut checked: Vec<&str> = FIXTURES.iter().map(|f| f.name).collect();
        checked.sort();
        assert_eq!(names, checked);
        assert!(names.len() >= 25);
    }

    #[test]
    fn spans_cover_the_words_as_written() {
        let source = "X=1\nsudo -u omero omero config set  omero.web.prefix   \"/omero\"  # set it\nomero config append omero.web.apps '\"a\"'\r\n";
        let doc = parse_text(source);
        let prefix = &doc.operations[0];
        assert_eq!(text(&doc, prefix.key_span), "omero.web.prefix");
        assert_eq!(text(&doc, prefix.value_span), "\"/omero\"");
        assert_eq!(
            text(&doc, prefix.span),
            "sudo -u omero omero config set  omero.web.prefix   \"/omero\""
        );
        let apps = &doc.operations[1];
        assert_eq!(text(&doc, apps.value_span), "'\"a\"'");
        assert_eq!(apps.value, Some(Value::Known("\"a\"".to_string())));
    }

    #[test]
    fn inner_scripts_keep_exact_spans_when_they_can() {
        let source = "su - omero -c 'omero config set omero.web.a \"x y\"'\nbash -c \"omero config set omero.web.b \\\"z\\\"\"\n";
        let doc = parse_text(source);
        assert_eq!(ops(&doc), vec![set("omero.web.a", "x y"), set("omero.web.b", "z")]);
        assert_eq!(text(&doc, doc.operations[0].key_span), "omero.web.a");
        assert_eq!(text(&doc, doc.operations[0].value_span), "\"x y\"");
        // Escaped quotes: the inner script is not the text as written.
        assert_eq!(
            text(&doc, doc.operations[1].value_span),
            "\"omero config set omero.web.b \\\"z\\\"\""
        );
    }

    #[test]
    fn unknown_values_and_keys() {
        let source = "$VENV/bin/omero config set omero.web.a \"$UNSET\"\nomero config set \"$KEY\" x\nomero config set omero.web.b `date`\n";
        let doc = parse_text(source);
        assert_eq!(ops(&doc).len(), 2);
        assert_eq!(
            doc.operations[0].value,
            Some(Value::Unknown(Unknown::UnresolvedVariable("UNSET".to_string())))
        );
        assert_eq!(
            doc.operations[1].value,
            Some(Value::Unknown(Unknown::CommandSubstitution))
        );
        assert_eq!(codes(&doc), vec![("IN002", 1), ("IN002", 2), ("IN003", 3)]);
        let key = &doc.findings[1];
        assert_eq!(text(&doc, key.span.unwrap_or_default()), "\"$KEY\"");
    }

    #[test]
    fn wrappers_that_clear_the_environment() {
        let source = "X=1\nexport Y=2\nenv -i PATH=\"$PATH\" omero config set a b\nbash -c 'omero config set c \"$X$Y\"'\nsudo bash -c 'omero config set d \"$Y\"'\nsudo -E bash -c 'omero config set e \"$Y\"'\n";
        let doc = parse_text(source);
        let values: Vec<(String, Option<Option<String>>)> =
            ops(&doc).into_iter().map(|(_, key, value)| (key, value)).collect();
        let known = |key: &str, value: &str| (key.to_string(), Some(Some(value.to_string())));
        // Only exported variables reach an inner shell, and sudo resets the environment.
        assert_eq!(
            values,
            vec![
                known("a", "b"),
                (String::from("c"), None),
                (String::from("d"), None),
                known("e", "2")
            ]
        );
    }

    #[test]
    fn unset_variables_expand_to_nothing() {
        let source = "X=1\nunset X\nomero config set a \"$X\"\nomero config set b \"${X-default}\"\nIFS=,\nunset IFS\nV='p q'\nomero config set c $V\n";
        let doc = parse_text(source);
        assert_eq!(ops(&doc), vec![set("a", ""), set("b", "default")]);
        assert_eq!(codes(&doc), vec![("IN008", 8)]);
    }

    #[test]
    fn tilde_prefixes() {
        // Checked against bash 5.2 with HOME=/h.
        let source = "HOME=/h\nX=~:~/b\nomero config set a \"$X\"\nomero config set b ~/x\nomero config set c ~:x\nomero config set d ~\"/q\"\nomero config set e ~root\nomero config set f a:~/d\n";
        let doc = parse_text(source);
        assert_eq!(
            ops(&doc),
            vec![
                set("a", "/h:/h/b"),
                set("b", "/h/x"),
                set("c", "/h:x"),
                set("d", "~/q"),
                set("e", "~root"),
                set("f", "a:~/d")
            ]
        );
    }

    #[test]
    fn given_variables_are_known() {
        let options = ScriptOptions {
            vars: vec![("PREFIX".to_string(), "/web".to_string())],
            base_dir: None,
        };
        let doc = parse("t.sh", "omero config set omero.web.prefix \"$PREFIX\"\n", &options);
        assert_eq!(ops(&doc), vec![set("omero.web.prefix", "/web")]);
        assert!(doc.findings.is_empty());
    }

    #[test]
    fn here_documents_expand_unless_quoted() {
        let source = "P=/x\nomero load <<EOF\nconfig set omero.web.a $P\nconfig set omero.web.b $NOPE\nEOF\nomero <<'EOF'\nconfig set omero.web.c $P\nEOF\n";
        let doc = parse_text(source);
        assert_eq!(doc.operations.len(), 3);
        assert_eq!(op_of(&doc.operations[0]), set("omero.web.a", "/x"));
        assert_eq!(
            doc.operations[1].value,
            Some(Value::Unknown(Unknown::UnresolvedVariable("NOPE".to_string())))
        );
        assert_eq!(op_of(&doc.operations[2]), set("omero.web.c", "$P"));
        // An expanded line points at the whole line; a verbatim one at the word.
        assert_eq!(text(&doc, doc.operations[0].value_span), "config set omero.web.a $P");
        assert_eq!(text(&doc, doc.operations[2].value_span), "$P");
        assert_eq!(codes(&doc), vec![("IN002", 4)]);
    }

    #[test]
    fn stdin_that_omeroconf_cannot_see() {
        let source = "omero load\nomero load - <<EOF\nconfig set a b\nEOF\nomero shell <<EOF\nprint(1)\nEOF\ncat x.omero | omero load\n";
        let doc = parse_text(source);
        assert!(doc.operations.is_empty());
        assert_eq!(
            codes(&doc),
            vec![("IN009", 1), ("IN009", 2), ("IN009", 5), ("IN009", 8)]
        );
    }

    #[test]
    fn carriage_returns_inside_quotes_stay() {
        let doc = parse_text("omero config set a 'x\r\ny'\r\nomero config set b z\r\n");
        assert_eq!(ops(&doc), vec![set("a", "x\r\ny"), set("b", "z")]);
    }

    #[test]
    fn suppression_comments() {
        let source = "# omeroconf: ignore[IN002]\n\nomero config set a \"$X\"\nomero config set b \"$Y\" # omeroconf: ignore\n# omeroconf: ignore[IN003, IN001]\necho hi\nomero config set c d\n";
        let doc = parse_text(source);
        let suppressions: Vec<(Vec<String>, &str)> = doc
            .suppressions
            .iter()
            .map(|s| (s.codes.clone(), text(&doc, s.applies_to)))
            .collect();
        assert_eq!(
            suppressions,
            vec![
                (vec!["IN002".to_string()], "omero config set a \"$X\""),
                (vec![], "omero config set b \"$Y\""),
                (vec!["IN003".to_string(), "IN001".to_string()], "echo hi"),
            ]
        );
    }

    #[test]
    fn and_or_lists_guard_operations_on_the_status_before() {
        let source = "omero config set a 1 && omero config set b 2 || omero config set c 3\n\
                      false && omero config set d 4\n\
                      false || omero config set e 5\n\
                      omero config set f 6 && false || omero config set g 7\n\
                      omero config set h 8 || true && omero config set i 9\n\
                      omero config set j 1 2 || omero config set k 10\n\
                      grep -q x y && omero config set l 11\n";
        let doc = parse_text(source);
        let guards: Vec<(&str, Option<bool>)> = doc
            .operations
            .iter()
            .map(|op| (op.key.as_str(), op.runs_if_previous))
            .collect();
        assert_eq!(
            guards,
            vec![
                ("a", None),
                ("b", Some(true)),
                ("c", Some(false)),
                ("e", None),
                ("f", None),
                ("g", None),
                ("h", None),
                ("i", None),
                ("k", None),
                ("l", None),
            ]
        );
    }

    #[test]
    fn set_e_stops_at_an_untested_usage_error() {
        let doc = parse_text("set -e\nomero config set a 1\nomero config set b 1 2 || true\nomero config set c 1 2\nomero config set d 4\n");
        assert_eq!(ops(&doc), vec![set("a", "1")]);
        assert_eq!(codes(&doc), vec![("IN008", 3), ("IN008", 4)]);
    }

    #[test]
    fn syntax_errors_keep_what_came_before() {
        let doc = parse_text("omero config set a b\necho \"unterminated\n");
        assert_eq!(ops(&doc), vec![set("a", "b")]);
        assert_eq!(codes(&doc), vec![("IN001", 2)]);
        let doc = parse_text("omero config set a b &&\n");
        assert!(doc.operations.is_empty());
        assert_eq!(codes(&doc), vec![("IN001", 1)]);
        let doc = parse_text("omero config set a $(echo\n");
        assert_eq!(codes(&doc), vec![("IN001", 1)]);
    }

    #[test]
    fn a_quote_left_open_at_the_end_of_a_large_file() {
        let mut source = "omero config set omero.web.a b\n".repeat(20_000);
        source.push_str(&"echo filler line\n".repeat(40_000));
        source.push_str("omero config set omero.web.z 'never closed\n");
        source.push_str(&"x".repeat(1 << 20));
        let doc = parse_text(&source);
        assert_eq!(doc.operations.len(), 20_000);
        assert_eq!(doc.findings.len(), 1);
        assert_eq!(doc.findings[0].code(), "IN001");
    }

    #[test]
    fn a_quote_left_open_at_the_start_of_a_large_file() {
        let source = format!("omero config set omero.web.a \"{}", "line\n".repeat(200_000));
        let doc = parse_text(&source);
        assert!(doc.operations.is_empty());
        assert_eq!(codes(&doc), vec![("IN001", 1)]);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        for open in ["$(", "${X:-", "\"$("] {
            let source = format!("omero config set a {}\n", open.repeat(10_000));
            let doc = parse_text(&source);
            assert!(doc.operations.is_empty(), "{open}");
            assert_eq!(doc.findings.len(), 1, "{open}: {:?}", doc.findings);
        }
        let closed = format!(
            "omero config set a \"{}x{}\"\n",
            "${X:-".repeat(2_000),
            "}".repeat(2_000)
        );
        let doc = parse_text(&closed);
        assert_eq!(doc.findings.len(), 1);
        let inner = format!("bash -c {}\n", "'bash -c \"".repeat(100));
        parse_text(&inner);
    }

    #[test]
    fn random_input_never_panics() {
        // A fixed xorshift stream: bytes weighted towards shell syntax.
        let alphabet = b"omero config set  '\"$(){}`\\\n\r#;&|<>=-x-~:EOF\t";
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for round in 0..300 {
            let mut bytes = Vec::with_capacity(400);
            for _ in 0..(round * 7 % 400) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let pick = (state >> 24) as usize;
                bytes.push(if pick % 5 == 0 {
                    (state >> 40) as u8
                } else {
                    alphabet[pick % alphabet.len()]
                });
            }
            let source = String::from_utf8_lossy(&bytes);
            let doc = parse_text(&source);
            let index = LineIndex::new(&source);
            for op in &doc.operations {
                for span in [op.span, op.key_span, op.value_span] {
                    assert!(
                        span.end <= source.len()
                            && source.is_char_boundary(span.start)
                            && source.is_char_boundary(span.end)
                    );
                    index.position(span.start);
                }
            }
        }
    }
}

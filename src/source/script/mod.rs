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
//!
//! `lines` reads the script, `commands` runs each simple command and its
//! wrappers, `expand` expands words as bash does.

use crate::catalog::{catalog, ValueType};
use crate::diagnostic::Finding;
use crate::document::{Document, Format, Span, Suppression, Unknown, Value};
use crate::source::omero::{relocate, Arg, Cli, Origin, Outcome, Piece, Stdin, MAX_DEPTH, UNKNOWN_MARK};
use crate::source::rules::{CRLF_LINE_ENDS, EXTERNAL_SOURCE, SYNTAX_ERROR, UNSUPPORTED_COMMAND};
use crate::source::suppressed_codes;
use pest::iterators::Pair;
use pest::Parser as _;
use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::rc::Rc;

mod commands;
pub mod dockerfile;
mod expand;
mod lines;

use commands::*;
use lines::*;

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
    /// The text is a Dockerfile: its `RUN` lines are the script.
    pub dockerfile: bool,
}

/// Reads a bash script into the `omero config` operations it would run.
pub fn parse(path: &str, source: impl Into<String>, options: &ScriptOptions) -> Document {
    let format = if options.dockerfile {
        Format::Dockerfile
    } else {
        Format::Script
    };
    let mut doc = Document::new(path, format, source);
    // Read from the document's own text: no second copy of a large script.
    let source = std::mem::take(&mut doc.source);
    let cli = Cli {
        doc: &mut doc,
        base_dir: options.base_dir.as_deref(),
        depth: 0,
    };
    let dockerfile = options.dockerfile.then(|| dockerfile::as_shell(&source));
    let mut shell = Shell::new(
        dockerfile.as_deref().unwrap_or(&source),
        cli,
        &options.vars,
        HashMap::new(),
    );
    shell.errexit = shebang_sets_errexit(&source);
    shell.run();
    let conditional = std::mem::take(&mut shell.conditional);
    let started = dockerfile.is_some().then(|| container_start(&source, &shell.vars));
    crlf_line_ends(&mut doc, &source);
    if let Some((copies, variables)) = started {
        doc.findings.extend(copies);
        super::env::apply(&mut doc, &variables);
    }
    doc.source = source;
    // Only commands that run whatever happens can be said to be replaced.
    let runs_always = |i: usize| !conditional.contains(&i) && doc.operations[i].runs_if_previous.is_none();
    let always: Vec<bool> = (0..doc.operations.len()).map(runs_always).collect();
    super::env::report_overridden_among(&mut doc, 0, "a later command sets or removes it", &|i| always[i]);
    doc
}

/// What omero-web-docker reads when a container of this Dockerfile's image
/// starts: the `.omero` files copied into its config directory (not read
/// here), then its `ENV CONFIG_*` variables, with the values the build gave.
fn container_start(source: &str, vars: &HashMap<String, Var>) -> (Vec<Finding>, Vec<super::env::Variable>) {
    let sources = dockerfile::start_sources(source);
    let copies = sources
        .copies
        .into_iter()
        .map(|(span, what)| {
            Finding::new(
                &EXTERNAL_SOURCE,
                format!(
                    "the commands in `{what}` (copied into the image's config directory) are not part of this check"
                ),
            )
            .at(span, "loaded when the container starts")
            .help("lint the copied .omero files too; the image loads them before the CONFIG_ variables, which win")
        })
        .collect();
    let variables = sources
        .variables
        .into_iter()
        .map(|(name, name_span, value_span)| super::env::Variable {
            value: vars.get(&name).and_then(|var| var.value.clone()),
            name,
            name_span,
            value_span,
            span: name_span.join(value_span),
        })
        .collect();
    (copies, variables)
}

/// One finding for a CRLF script, naming the values whose `\r` OMERO
/// keeps and cannot read past (Python's int(), json.loads() and the
/// boolean parser strip it).
fn crlf_line_ends(doc: &mut Document, source: &str) {
    let Some(at) = source.find("\r\n") else { return };
    let mut broken: Vec<&str> = doc
        .operations
        .iter()
        .filter(|op| {
            op.value
                .as_ref()
                .and_then(Value::known)
                .is_some_and(|v| v.ends_with('\r'))
        })
        .filter(|op| {
            !catalog()
                .property(&op.key)
                .is_some_and(|p| matches!(p.value_type, ValueType::Int | ValueType::Bool | ValueType::Json))
        })
        .map(|op| op.key.as_str())
        .collect();
    broken.dedup();
    let consequence = match broken.as_slice() {
        [] => String::new(),
        keys => format!("; OMERO keeps it in {}", keys.join(", ")),
    };
    let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    doc.findings.push(
        Finding::new(
            &CRLF_LINE_ENDS,
            format!("this script has Windows (CRLF) line ends, and bash keeps each line's `\\r`{consequence}"),
        )
        .at(Span::new(line_start, at + 1), "ends in \\r\\n")
        .help("convert it with `dos2unix` or `sed -i 's/\\r$//'`"),
    );
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
    /// Why each [`UNKNOWN_MARK`] of the source is unknown, in order: a script
    /// given to `su -c` or `bash -c` with parts the outer script cannot know.
    marked: Vec<Unknown>,
    /// How many `if`, `case` and loops the current line is inside.
    nesting: usize,
    /// Operations that run only in some branch or loop, or after `&&`/`||`.
    conditional: std::collections::HashSet<usize>,
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
    /// Why each [`UNKNOWN_MARK`] of the text is unknown, in order.
    marks: Vec<Unknown>,
    span: Span,
}

impl Field {
    fn empty(span: Span) -> Field {
        Field {
            text: String::new(),
            unknown: None,
            marks: Vec::new(),
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
            marked: Vec::new(),
            nesting: 0,
            conditional: Default::default(),
        }
    }
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
            .join("../../../tests/fixtures/script")
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
            base_dir: Some(fixtures()),
            ..ScriptOptions::default()
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
            findings: &[("IN016", 4)],
            adjust: NONE,
        },
        // bash keeps the `\r` of CRLF line ends in the last word (and a
        // backslash before it escapes the `\r`, not the newline), and so
        // does omeroconf.
        Fixture {
            name: "crlf",
            nested: false,
            findings: &[("IN020", 1)],
            adjust: NONE,
        },
        // argparse accepts `set KEY=VALUE`, then prefs.py only prints a hint.
        Fixture {
            name: "keys-and-values",
            nested: false,
            findings: &[("IN008", 2), ("IN008", 3), ("IN014", 5)],
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
        // bash keeps the CRLF line's `\r` in the last word.
        let apps = &doc.operations[1];
        assert_eq!(text(&doc, apps.value_span), "'\"a\"'\r");
        assert_eq!(apps.value, Some(Value::Known("\"a\"\r".to_string())));
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
    fn unknown_parts_of_an_inner_script_reach_only_what_uses_them() {
        let source = "su - web -c \"env OMERODIR=$OMERODIR omero config set omero.web.debug false\"\nvalue=$(get_name)\nsu - web -c \"env OMERODIR=$OMERODIR omero config set omero.web.apps '[\\\"$value\\\"]'\"\nfor cmd in a b; do\n  su - web -c \"omero $cmd\"\ndone\n";
        let doc = parse_text(source);
        assert_eq!(ops(&doc)[0], set("omero.web.debug", "false"));
        assert_eq!(
            doc.operations[1].value,
            Some(Value::Unknown(Unknown::CommandSubstitution))
        );
        let messages: Vec<&str> = doc.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "the value of omero.web.apps is the output of a command substitution",
                "the omero subcommand is a `for` loop variable, which omeroconf does not evaluate"
            ]
        );
    }

    #[test]
    fn a_set_replaced_by_a_later_one_is_reported_outside_branches_only() {
        let source = "omero config set omero.web.debug true\nomero config set omero.web.debug false\nif [ -f x ]; then\n  omero config set omero.web.prefix /a\nelse\n  omero config set omero.web.prefix /b\nfi\nomero config set omero.web.page_size 10 && omero config set omero.web.page_size 20\nfor f in a b; do omero config set omero.web.logdir /x; done\nomero config set omero.web.logdir /y\n";
        let doc = parse_text(source);
        let replaced: Vec<(&str, usize)> = codes(&doc).into_iter().filter(|(code, _)| *code == "IN014").collect();
        assert_eq!(replaced, vec![("IN014", 1)]);
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
            ..ScriptOptions::default()
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
    fn carriage_returns_stay_as_bash_keeps_them() {
        let doc = parse_text("omero config set a 'x\r\ny'\r\nomero config set b z\r\n");
        assert_eq!(ops(&doc), vec![set("a", "x\r\ny\r"), set("b", "z\r")]);
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
        // The repeated line is one note, not one per repetition.
        let found: Vec<&str> = doc.findings.iter().map(|f| f.code()).collect();
        assert_eq!(found, vec!["IN001", "IN014"]);
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
                bytes.push(if pick.is_multiple_of(5) {
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

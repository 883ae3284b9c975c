//! Simple commands: the wrappers in front of `omero` (`sudo`, `env`, `su -c`,
//! `bash -c`), `set`, and the builtins that assign or unset variables.

use super::*;

impl<'a> Shell<'a> {
    /// Runs one simple command; returns its status, or `None` when bash
    /// stops the script here (`set -e` and an untested usage error).
    pub(super) fn command(&mut self, command: &Command<'a>, bodies: &[Body], condition: &mut bool) -> Option<Status> {
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
            // `for NAME in ...` (and `select`): the loop is read once, so the
            // variable holds a value omeroconf does not follow.
            Some(keyword @ ("for" | "select")) => {
                if let Some(name) = words.get(1).and_then(plain_word) {
                    let loop_value = Unknown::Unevaluated(if keyword == "for" {
                        "a `for` loop variable"
                    } else {
                        "a `select` variable"
                    });
                    self.vars.insert(
                        name.to_string(),
                        Var {
                            value: Some(Value::Unknown(loop_value)),
                            exported: false,
                        },
                    );
                }
                return Some(Status::Known(true));
            }
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
    pub(super) fn run_command(
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
    pub(super) fn skip_sudo_options(&mut self, fields: &mut Fields<'_, 'a>) -> bool {
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
    pub(super) fn skip_env_options(&mut self, fields: &mut Fields<'_, 'a>) -> bool {
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
    pub(super) fn su_command(&mut self, fields: &mut Fields<'_, 'a>) -> Option<(Field, bool)> {
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
    pub(super) fn shell_command(&mut self, fields: &mut Fields<'_, 'a>) -> Option<Field> {
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
    pub(super) fn inner_script(&mut self, script: Field, keeps_env: bool, span: Span, tolerated: bool) {
        // Unknown parts stay marked in the text: only what they reach is unknown.
        let text = script.text.as_str();
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
        let mut shell = Shell::new(text, cli, self.given, vars);
        shell.marked = script.marks.clone();
        shell.run();
        relocate(self.cli.doc, doc, origin, tolerated);
    }

    /// Where a field's text sits in the source byte for byte (a word whose
    /// quotes hold it unchanged), or else the whole word.
    pub(super) fn exact_origin(&self, field: &Field, text: &str) -> Origin {
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
    pub(super) fn declare(&mut self, export: bool, words: &[Pair<'a, Rule>]) {
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
    pub(super) fn assign(&mut self, word: &Pair<'a, Rule>, export: bool) {
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

    pub(super) fn set_var(&mut self, name: &str, var: Var) {
        if name == "IFS" {
            self.ifs = var.value.as_ref().and_then(Value::known).map(Rc::from);
        }
        self.vars.insert(name.to_string(), var);
    }

    /// `unset NAME ...` (`-f` names functions, which have no values here).
    pub(super) fn unset(&mut self, words: &[Pair<'a, Rule>]) {
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
}

/// The words of a command, expanded one at a time as they are needed.
pub(super) struct Fields<'p, 'a> {
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

/// What `set` options do to errexit: `-e`, `-o errexit`, combined flags
/// such as `-eu`; `+e` and `+o errexit` turn it off. `None`: unchanged.
pub(super) fn errexit_option(options: &[&str]) -> Option<bool> {
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

/// The unquoted text a word starts with (all of a plain line's word).
pub(super) fn leading_literal<'a>(word: &Pair<'a, Rule>) -> Option<&'a str> {
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
pub(super) fn plain_word<'a>(word: &Pair<'a, Rule>) -> Option<&'a str> {
    leading_literal(word).filter(|text| text.len() == word.as_str().len())
}

/// `NAME=` or `NAME+=` at the start of a word: the name, whether it
/// appends, and where the value starts in the first literal.
pub(super) fn assignment<'a>(word: &Pair<'a, Rule>) -> Option<(&'a str, bool, usize)> {
    let text = leading_literal(word)?;
    let (name, _) = text.split_once('=')?;
    let (name, appends) = match name.strip_suffix('+') {
        Some(name) => (name, true),
        None => (name, false),
    };
    is_name(name.as_bytes()).then_some((name, appends, text.find('=')? + 1))
}

pub(super) fn is_assignment_text(text: &str) -> bool {
    text.split_once('=').is_some_and(|(name, _)| is_name(name.as_bytes()))
}

/// A shell variable name: letters, digits and `_`, not starting with a digit.
pub(super) fn is_name(name: &[u8]) -> bool {
    name.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

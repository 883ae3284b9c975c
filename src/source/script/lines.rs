//! Reading the script: the byte scan that skips lines which cannot matter,
//! logical lines through the grammar, redirections and here-document bodies.

use super::*;

impl<'a> Shell<'a> {
    pub(super) fn run(&mut self) {
        let bytes = self.source.as_bytes();
        let mut pos = 0;
        while pos < bytes.len() {
            let operations = self.cli.doc.operations.len();
            let (opens, closes) = nesting_words(&self.source[pos..line_end(self.source, pos)]);
            self.nesting += opens;
            let inside = self.nesting > 0;
            let start = pos;
            pos = self.next_line(bytes, pos);
            if inside {
                self.conditional.extend(operations..self.cli.doc.operations.len());
            }
            self.nesting = self.nesting.saturating_sub(closes);
            if pos <= start {
                return;
            }
        }
    }

    /// Runs the line at `pos`; where the next one starts, or the end of the
    /// text when bash would stop reading here.
    fn next_line(&mut self, bytes: &[u8], pos: usize) -> usize {
        match scan_line(bytes, pos) {
            Scan::Blank(end) => end,
            Scan::Plain(command, end) => {
                self.claim_pending(command);
                end
            }
            Scan::Candidate { plain } => match plain.then(|| self.simple_omero_line(pos)).flatten() {
                // argparse refused the command and `set -e` stops here.
                Some(Outcome::UsageError) if self.errexit => bytes.len(),
                Some(_) => line_end(self.source, pos),
                None => self.logical_line(pos, plain).unwrap_or(bytes.len()),
            },
        }
    }

    /// Runs a line that is one `omero` command of plain words (the usual
    /// line of a long script) without the grammar; `None`, having done
    /// nothing, for any other line; how `omero` ended otherwise. Words here
    /// expand to their own text: the scan found no expansion, escape or
    /// tilde, and globbing and brace characters are left to the full reader.
    pub(super) fn simple_omero_line(&mut self, start: usize) -> Option<Outcome> {
        if self.ifs.is_some() || !self.marked.is_empty() {
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
    pub(super) fn logical_line(&mut self, start: usize, plain: bool) -> Option<usize> {
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
    pub(super) fn run_line(&mut self, line: Pair<'a, Rule>, open: bool) -> Option<usize> {
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
    pub(super) fn redirect(&mut self, pair: Pair<'a, Rule>, heredocs: &mut Vec<Heredoc>) -> Option<Input<'a>> {
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
    pub(super) fn heredoc_body(&mut self, start: usize, heredoc: Heredoc) -> (Body, usize) {
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
            // In a CRLF script both the delimiter word and this line end in
            // `\r`, as bash compares them.
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

    /// Where a pair of the current logical line is in the source.
    pub(super) fn span(&self, pair: &Pair<'a, Rule>) -> Span {
        Span::new(
            self.line_offset + pair.as_span().start(),
            self.line_offset + pair.as_span().end(),
        )
    }

    pub(super) fn claim_pending(&mut self, command: Span) {
        for codes in self.pending.drain(..) {
            self.cli.doc.suppressions.push(Suppression {
                codes,
                applies_to: command,
            });
        }
    }

    pub(super) fn report_unterminated(&mut self, construct: &Pair<'a, Rule>) {
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

/// What the byte scan found on one physical line.
pub(super) enum Scan {
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
pub(super) fn scan_line(bytes: &[u8], start: usize) -> Scan {
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
    // removes one, `for NAME` assigns one; `set -e` changes what a failing
    // command does.
    if candidate || matches!(first_word, b"export" | b"unset" | b"set" | b"for" | b"select") {
        return Scan::Candidate { plain };
    }
    match content.first() {
        None | Some(b'#') => Scan::Blank(next),
        Some(_) => Scan::Plain(Span::new(start + leading, end - trailing), next),
    }
}

/// The compound commands a line opens and closes, by the first word of each
/// `;`-separated part (`if x; then y; fi` opens one and closes it): enough to
/// tell the commands that always run from those in a branch or a loop.
fn nesting_words(line: &str) -> (usize, usize) {
    let code = line.split(" #").next().unwrap_or(line);
    let mut opens = 0;
    let mut closes = 0;
    for part in code.split([';', '&', '|']) {
        match part.split_whitespace().next() {
            Some("if" | "while" | "until" | "for" | "select" | "case") => opens += 1,
            Some("fi" | "done" | "esac") => closes += 1,
            _ => {}
        }
    }
    (opens, closes)
}

/// `#!/bin/bash -e` (or `-eu`, ...) starts the script with errexit on.
pub(super) fn shebang_sets_errexit(source: &str) -> bool {
    let first = source.lines().next().unwrap_or_default();
    first.starts_with("#!") && errexit_option(&first.split_whitespace().skip(1).collect::<Vec<_>>()) == Some(true)
}

/// Whether `omero` or `config` starts at `i` as a whole word or a path's
/// last part (`/opt/omero/web` does not count, `$VENV/bin/omero` does).
pub(super) fn names_omero(bytes: &[u8], i: usize) -> bool {
    let boundary =
        |b: Option<&u8>| b.is_none_or(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/')));
    let before = i.checked_sub(1).and_then(|j| bytes.get(j));
    [&b"omero"[..], b"config"].iter().any(|word| {
        bytes[i..].starts_with(word)
            && boundary(bytes.get(i + word.len()))
            && (before == Some(&b'/') || boundary(before))
    })
}

pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// Just after the newline that ends the line containing `pos`, or the end.
pub(super) fn line_end(source: &str, pos: usize) -> usize {
    let bytes = source.as_bytes();
    let pos = pos.min(bytes.len());
    bytes[pos..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| pos + i + 1)
}

/// A here-document delimiter after quote removal, and whether any of it was quoted.
pub(super) fn delimiter(word: &Pair<'_, Rule>) -> (String, bool) {
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
pub(super) fn unterminated<'a>(pair: &Pair<'a, Rule>) -> Option<Pair<'a, Rule>> {
    if pair
        .clone()
        .into_inner()
        .any(|child| child.as_rule() == Rule::unterminated)
    {
        return Some(pair.clone());
    }
    pair.clone().into_inner().find_map(|child| unterminated(&child))
}

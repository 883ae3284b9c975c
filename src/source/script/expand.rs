//! Word expansion as bash does it: parameters, `${...}` operators, tilde,
//! ANSI-C quoting, field splitting and the text of here-documents.

use super::*;

impl<'a> Shell<'a> {
    pub(super) fn lookup(&self, name: &str) -> Lookup {
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

    pub(super) fn expansion(&self, word: &Pair<'a, Rule>, split: bool) -> Expansion {
        Expansion::new(split, self.ifs.clone(), self.span(word))
    }

    /// The fields a word expands to (field splitting when `split`).
    pub(super) fn expand_word(&mut self, word: &Pair<'a, Rule>, split: bool) -> Vec<Field> {
        let mut fields = self.expand_word_text(word, split);
        // Marks in the text itself stand for what the outer script could not
        // know; the first one in the word gives the reason.
        if !self.marked.is_empty() && word.as_str().contains(UNKNOWN_MARK) {
            let start = self.span(word).start;
            let before = self.source[..start].matches(UNKNOWN_MARK).count();
            for field in fields
                .iter_mut()
                .filter(|f| f.unknown.is_none() && f.text.contains(UNKNOWN_MARK))
            {
                field.unknown = self.marked.get(before).cloned();
            }
        }
        fields
    }

    fn expand_word_text(&mut self, word: &Pair<'a, Rule>, split: bool) -> Vec<Field> {
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
    pub(super) fn literal_with_tilde(&self, expansion: &mut Expansion, text: &str, ends_word: bool, assignment: bool) {
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

    pub(super) fn tilde(&self, expansion: &mut Expansion, text: &str, ends_word: bool) {
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

    pub(super) fn expand_parts<'i>(
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
    pub(super) fn param(&self, expansion: &mut Expansion, name: &str, quoted: bool) {
        match self.lookup(name) {
            Lookup::Known(value) => expansion.value(&value, quoted),
            Lookup::Removed => expansion.value("", quoted),
            Lookup::Unknown(unknown) => expansion.unknown(unknown),
            Lookup::Unset => expansion.unknown(Unknown::UnresolvedVariable(name.to_string())),
        }
    }

    /// `${...}`.
    pub(super) fn braced(&mut self, expansion: &mut Expansion, pair: Pair<'_, Rule>, quoted: bool) {
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
    pub(super) fn herestring(&mut self, word: &Pair<'a, Rule>) -> Vec<Piece<'a>> {
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
    pub(super) fn input_file(&mut self, word: &Pair<'a, Rule>) -> Option<Vec<Piece<'a>>> {
        let field = self.expand_word(word, false).into_iter().next()?;
        let text = self.cli.read_file(field.known()?).ok()?;
        Some(vec![Piece {
            text: Cow::Owned(text),
            origin: Origin::Within(field.span),
            unknown: None,
        }])
    }

    /// The text a here-document feeds a command, line by line.
    pub(super) fn heredoc_text(&mut self, body: &Body) -> Vec<Piece<'a>> {
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

    pub(super) fn expand_heredoc_line(&mut self, text: &str, span: Span) -> Field {
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
}

/// A variable's value as an expansion sees it.
pub(super) enum Lookup {
    Known(String),
    Unknown(Unknown),
    /// Never assigned by the script.
    Unset,
    /// Removed by `unset`: expands to nothing.
    Removed,
}

/// The fields of one word, built part by part as bash expands it.
pub(super) struct Expansion {
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
        field.marks.push(unknown.clone());
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
    pub(super) fn single(self) -> Field {
        let span = self.span;
        self.finish().into_iter().next().unwrap_or_else(|| Field::empty(span))
    }
}

/// Decodes the inside of `$'...'`.
pub(super) fn ansi_c(text: &str) -> String {
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
pub(super) fn transform(value: &str, operator: &str) -> Option<String> {
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
pub(super) fn glob_match(pattern: &str, text: &[char]) -> bool {
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
pub(super) fn bracket(pattern: &[char], c: char) -> Option<(bool, usize)> {
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

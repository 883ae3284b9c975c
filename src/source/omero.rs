//! Command files for `omero load`: one CLI command per line, without the
//! leading `omero`, split with Python's `shlex.split` (POSIX rules) as
//! omero-py does. `config set|append|remove` lines become operations;
//! other commands do not change the configuration.

use crate::diagnostic::Finding;
use crate::document::{Document, Format, OpKind, Operation, Span, Value};
use crate::rules::input;

pub fn parse(path: &str, source: &str) -> Document {
    let mut doc = Document::new(path, Format::Omero, source);
    let mut start = 0;
    for line in source.split_inclusive(['\n', '\r']) {
        let span = Span::new(start, start + line.trim_end_matches(['\n', '\r']).len());
        start += line.len();
        let text = &source[span.range()];
        if text.trim_start().starts_with('#') {
            continue;
        }
        match split(text) {
            Ok(mut words) => {
                for word in &mut words {
                    word.span = Span::new(word.span.start + span.start, word.span.end + span.start);
                }
                command(&mut doc, span, &words);
            }
            Err(why) => doc.findings.push(
                Finding::new(&input::SYNTAX_ERROR, format!("`omero load` cannot split this line: {why}"))
                    .at(span, "here")
                    .help("close every quote; a value cannot continue on the next line"),
            ),
        }
    }
    doc
}

/// A word and where it is in the line.
struct Word {
    text: String,
    span: Span,
}

/// `shlex.split(line)`: whitespace separates words; `'...'` is literal;
/// in `"..."` a backslash escapes only `"` and `\`; outside quotes it
/// escapes any character.
fn split(line: &str) -> Result<Vec<Word>, &'static str> {
    let mut words = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(start, _)) = chars.peek() {
        let mut text = String::new();
        let mut in_word = false;
        // The word ends at the whitespace that stops it, else at the line's end.
        let mut end = line.len();
        while let Some((i, c)) = chars.next() {
            match c {
                ' ' | '\t' | '\r' | '\n' => {
                    end = i;
                    break;
                }
                '\'' => loop {
                    match chars.next() {
                        Some((_, '\'')) => break,
                        Some((_, c)) => text.push(c),
                        None => return Err("no closing quotation"),
                    }
                },
                '"' => loop {
                    match chars.next() {
                        Some((_, '"')) => break,
                        Some((_, '\\')) => match chars.next_if(|(_, c)| matches!(c, '"' | '\\')) {
                            Some((_, c)) => text.push(c),
                            None => text.push('\\'),
                        },
                        Some((_, c)) => text.push(c),
                        None => return Err("no closing quotation"),
                    }
                },
                '\\' => match chars.next() {
                    Some((_, c)) => text.push(c),
                    None => return Err("no escaped character"),
                },
                c => text.push(c),
            }
            in_word = true;
        }
        if in_word {
            words.push(Word { text, span: Span::new(start, end.max(start)) });
        }
    }
    Ok(words)
}

/// One command's words as an operation, when it changes the configuration.
fn command(doc: &mut Document, line: Span, words: &[Word]) {
    let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    let (kind, rest) = match texts.as_slice() {
        [] => return,
        ["config", "set", rest @ ..] => (OpKind::Set, rest),
        ["config", "append", "--set", rest @ ..] => (OpKind::Append { unique: true }, rest),
        ["config", "append", rest @ ..] => (OpKind::Append { unique: false }, rest),
        ["config", "remove", rest @ ..] => (OpKind::Remove, rest),
        ["config", "get" | "list" | "keys" | "def" | "info", ..] => return,
        ["config", ..] => {
            doc.findings.push(
                Finding::new(&input::UNSUPPORTED_COMMAND, format!("`{}` is not followed here", texts.join(" ")))
                    .at(line, "this command")
                    .help("write the properties it sets as `config set -- KEY VALUE` lines"),
            );
            return;
        }
        _ => return,
    };
    let offset = words.len() - rest.len();
    let args: Vec<&Word> = words[offset..].iter().skip(usize::from(rest.first() == Some(&"--"))).collect();
    let operation = match (kind, args.as_slice()) {
        (OpKind::Set, [key]) => Operation {
            kind: OpKind::Unset,
            key: key.text.clone(),
            key_span: key.span,
            value: None,
            value_span: key.span,
            span: line,
            failure_tolerated: false,
        },
        (_, [key, value]) => {
            let mut op = Operation::set(key.text.clone(), key.span, Value::Known(value.text.clone()), value.span);
            op.kind = kind;
            op.span = line;
            op
        }
        _ => {
            doc.findings.push(
                Finding::new(&input::SYNTAX_ERROR, format!("`{}` needs a key and a value", texts.join(" ")))
                    .at(line, "OMERO stops with a usage error here")
                    .help("quote a value that holds spaces: config set -- KEY 'a value'"),
            );
            return;
        }
    };
    doc.operations.push(operation);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_shlex() {
        let words = |line: &str| split(line).map(|w| w.into_iter().map(|w| w.text).collect::<Vec<_>>());
        assert_eq!(words(r#"a 'b c' "d\"e\x" f\ g ''"#), Ok(vec!["a".into(), "b c".into(), "d\"e\\x".into(), "f g".into(), String::new()]));
        assert_eq!(words("'it'\"'\"'s'"), Ok(vec!["it's".to_string()]));
        assert!(words("'open").is_err());
    }

    #[test]
    fn config_lines_become_operations() {
        let source = "# comment\nconfig set -- omero.web.prefix '/my web'\nconfig append --set omero.web.apps '\"x\"'\nconfig set omero.web.debug\nlogin\nconfig edit\n";
        let doc = parse("web.omero", source);
        let ops: Vec<_> = doc.operations.iter().map(|o| (o.kind, o.key.as_str(), o.value.as_ref().and_then(Value::known))).collect();
        assert_eq!(
            ops,
            vec![
                (OpKind::Set, "omero.web.prefix", Some("/my web")),
                (OpKind::Append { unique: true }, "omero.web.apps", Some("\"x\"")),
                (OpKind::Unset, "omero.web.debug", None),
            ]
        );
        assert_eq!(&source[doc.operations[0].value_span.range()], "'/my web'");
        assert_eq!(doc.findings.iter().map(|f| f.code()).collect::<Vec<_>>(), vec!["IN009"]);
    }
}

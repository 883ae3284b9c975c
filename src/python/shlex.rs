//! Python's `shlex.split`, as omero-py applies it to each line of a command file.

/// Splits a line like Python's `shlex.split` (POSIX mode, no comments): words
/// with their byte ranges in `line`, quotes included. `newline` adds the
/// `\n` that `for line in file` keeps, just past the end of `line`.
pub fn split(line: &str, newline: bool) -> Result<Vec<(String, usize, usize)>, &'static str> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shlex_follows_python() {
        let words_of = |line: &str| split(line, false).map(|w| w.into_iter().map(|(w, _, _)| w).collect::<Vec<_>>());
        assert_eq!(words_of("config set k 'a b'").unwrap(), ["config", "set", "k", "a b"]);
        assert_eq!(words_of(r#"a"b c"d ''"#).unwrap(), ["ab cd", ""]);
        assert_eq!(words_of(r#""\$x \" \\ \n""#).unwrap(), [r#"\$x " \ \n"#]);
        assert_eq!(words_of(r"a\ b \'c").unwrap(), ["a b", "'c"]);
        assert_eq!(words_of("# not a comment").unwrap(), ["#", "not", "a", "comment"]);
        assert_eq!(words_of("a\r b").unwrap(), ["a", "b"]);
        assert_eq!(words_of("'unterminated"), Err("No closing quotation"));
        assert_eq!(words_of("a\\"), Err("No escaped character"));
        // `for line in file` keeps the newline, which a trailing backslash escapes.
        let words = split("v\\", true).unwrap();
        assert_eq!(words, [("v\n".to_string(), 0, 3)]);
        let words = split(" k  'x y'", false).unwrap();
        assert_eq!(words, [("k".to_string(), 1, 2), ("x y".to_string(), 4, 9)]);
    }
}

//! argparse as omero-py uses it: its own copy of argparse 1.1
//! (`omero_ext/argparse.py`), not the standard library's. It differs from
//! Python 3's in removing every `--` from a positional's arguments, in
//! "too few arguments" for any positional left unmatched, and in clustering
//! single-dash flags.
//!
//! The parser tables (which options a command has) belong to their callers.

use std::ops::Range;

/// An argument as argparse sees it.
pub trait Word: Sized {
    /// Its text; `None` (a value not known here) is never an option.
    fn text(&self) -> Option<&str>;
    /// The argument written into this option word (`-fFILE`, `--file=FILE`).
    fn attached(&self, value: String) -> Self;
}

/// How many arguments a positional takes (argparse's `nargs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nargs {
    /// Exactly one (`nargs=None`).
    One,
    /// `?`
    Optional,
    /// `*`
    Any,
    /// A subcommand and everything after it (`argparse.PARSER`).
    Subcommand,
}

pub struct Opt {
    flags: &'static [&'static str],
    takes_value: bool,
    /// `-h` and `--version` print something and exit 0 as soon as they are seen.
    exits: bool,
}

pub const fn flag(flags: &'static [&'static str]) -> Opt {
    Opt {
        flags,
        takes_value: false,
        exits: false,
    }
}

pub const fn with_value(flags: &'static [&'static str]) -> Opt {
    Opt {
        flags,
        takes_value: true,
        exits: false,
    }
}

pub const fn exiting(flags: &'static [&'static str]) -> Opt {
    Opt {
        flags,
        takes_value: false,
        exits: true,
    }
}

pub struct Parser {
    pub prog: &'static str,
    pub options: &'static [Opt],
    pub positionals: &'static [Nargs],
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

/// `-h`/`--help`, which every parser has.
pub const HELP: Opt = exiting(&["-h", "--help"]);

/// The result of a parse that did not fail, borrowing the arguments.
#[derive(Debug)]
pub struct Parsed<'a, A> {
    args: &'a [A],
    /// An option such as `-h` ended the program (status 0) before anything ran.
    pub exit: bool,
    /// Per option of the parser: its last value (the option word itself for a flag).
    options: Vec<Option<OptionValue<'a, A>>>,
    /// Per positional: the arguments it matched, `None` when never matched.
    positionals: Vec<Option<Range<usize>>>,
    /// Arguments nothing claimed (an error unless the parse is `parse_known_args`).
    pub extras: Vec<&'a A>,
}

#[derive(Debug)]
enum OptionValue<'a, A> {
    Given(&'a A),
    /// Written into the option word: `-fFILE`, `--file=FILE`.
    Attached(A),
}

impl<'a, A: Word> Parsed<'a, A> {
    /// The value of an option (the option word itself for a flag), if given.
    pub fn option(&self, parser: &Parser, flag: &str) -> Option<&A> {
        match parser.find(flag).and_then(|(index, _)| self.options.get(index))? {
            Some(OptionValue::Given(arg)) => Some(arg),
            Some(OptionValue::Attached(arg)) => Some(arg),
            None => None,
        }
    }

    /// The arguments of a positional, without `--`.
    pub fn values(&self, index: usize) -> Vec<&'a A> {
        let args = self.args;
        let range = self.positionals.get(index).cloned().flatten().unwrap_or_default();
        args[range].iter().filter(|arg| arg.text() != Some("--")).collect()
    }

    /// The subcommand and the arguments after it.
    pub fn subcommand(&self) -> Option<(&'a A, &'a [A])> {
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
pub fn parse_args<'a, A: Word>(parser: &Parser, args: &'a [A]) -> Result<Parsed<'a, A>, String> {
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
fn classify<A: Word>(parser: &Parser, arg: &A) -> Result<Option<OptionWord>, String> {
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

struct ParseState<'p, 'a, A> {
    parser: &'p Parser,
    args: &'a [A],
    /// One byte per argument: `O` option, `A` argument, `-` the first `--`.
    pattern: &'p [u8],
    parsed: Parsed<'a, A>,
    next_positional: usize,
}

impl<A: Word> ParseState<'_, '_, A> {
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
                    let value = self.args[start].attached(attached);
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

    #[test]
    fn negative_numbers_are_arguments() {
        assert!(is_negative_number("-12") && is_negative_number("-.5") && is_negative_number("-1\n"));
        assert!(!is_negative_number("-") && !is_negative_number("-1.") && !is_negative_number("-a"));
    }
}

//! A Dockerfile seen as the shell script its build runs: `RUN` lines are
//! bash, `ENV` and `ARG` with a value are assignments, every other
//! instruction is blank. The text keeps the Dockerfile's length and line
//! ends, so every span points into the Dockerfile itself.

use crate::document::Span;

/// Where the omero-web-docker image reads configuration when the container
/// starts, after the build's `RUN` lines: files copied into its config
/// directory, then `CONFIG_*` variables set with `ENV`.
#[derive(Debug, Default)]
pub struct StartSources {
    /// `ADD`/`COPY` into `/opt/omero/web/config/`: the instruction's span and
    /// what it copies.
    pub copies: Vec<(Span, String)>,
    /// `ENV CONFIG_...`: the name, its span, and the span of its value.
    pub variables: Vec<(String, Span, Span)>,
}

/// The directory omero-web-docker loads `*.omero` files from.
const CONFIG_DIR: &str = "/opt/omero/web/config";

/// What a Dockerfile gives the image to read at start (see [`StartSources`]).
pub fn start_sources(source: &str) -> StartSources {
    let mut found = StartSources::default();
    let mut offset = 0;
    let mut rest = source;
    while !rest.is_empty() {
        let end = instruction_end(rest);
        let instruction = &rest[..end];
        let body = instruction.trim_start();
        let start = offset + instruction.len() - body.len();
        let word_end = body.find(char::is_whitespace).unwrap_or(body.len());
        let args = &body[word_end..];
        let args_start = start + word_end;
        match body[..word_end].to_ascii_uppercase().as_str() {
            "ADD" | "COPY" => {
                let words: Vec<&str> = args
                    .split_whitespace()
                    .filter(|w| *w != "\\" && !w.starts_with("--"))
                    .collect();
                if let [sources @ .., dest] = words.as_slice() {
                    if !sources.is_empty() && dest.trim_end_matches('/').starts_with(CONFIG_DIR) {
                        let span = Span::new(start, offset + instruction.trim_end().len());
                        found.copies.push((span, sources.join(" ")));
                    }
                }
            }
            "ENV" => found.variables.extend(env_names(args, args_start)),
            _ => {}
        }
        offset += end;
        rest = &rest[end..];
    }
    found
}

/// The `CONFIG_` names an `ENV` instruction sets, with their spans and the
/// spans of their values (`NAME=value ...`, or the old `NAME value`).
fn env_names(args: &str, at: usize) -> Vec<(String, Span, Span)> {
    let mut names = Vec::new();
    let mut words = args.char_indices().peekable();
    let mut word_start = None;
    let mut quote = None;
    let mut spans = Vec::new();
    while let Some((i, c)) = words.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => {
                quote = Some(c);
                word_start.get_or_insert(i);
            }
            (None, c) if c.is_whitespace() || c == '\\' && words.peek().is_some_and(|(_, n)| n.is_whitespace()) => {
                if let Some(s) = word_start.take() {
                    spans.push((s, i));
                }
            }
            (None, _) => {
                word_start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = word_start {
        spans.push((s, args.len()));
    }
    let legacy = spans.first().is_some_and(|(s, e)| !args[*s..*e].contains('='));
    for (n, (s, e)) in spans.iter().enumerate() {
        let word = &args[*s..*e];
        let (name, value) = match (legacy, word.split_once('=')) {
            (false, Some((name, _))) => (name, Span::new(at + s + name.len() + 1, at + e)),
            (true, None) if n == 0 => match spans.get(1) {
                Some((vs, _)) => (word, Span::new(at + vs, at + spans.last().map_or(*e, |l| l.1))),
                None => continue,
            },
            _ => continue,
        };
        if name.starts_with("CONFIG_") {
            names.push((name.to_string(), Span::new(at + s, at + s + name.len()), value));
        }
        if legacy {
            break;
        }
    }
    names
}

/// The Dockerfile as bash, byte for byte the same length.
pub fn as_shell(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while !rest.is_empty() {
        let end = instruction_end(rest);
        let (instruction, after) = rest.split_at(end);
        out.push_str(&rewrite(instruction));
        rest = after;
    }
    out
}

/// Where the instruction starting `text` ends: after its line end, lines
/// continued with a trailing `\` included.
fn instruction_end(text: &str) -> usize {
    let mut pos = 0;
    while let Some(newline) = text[pos..].find('\n') {
        let line = text[pos..pos + newline].trim_end_matches('\r');
        pos += newline + 1;
        let comment = line.trim_start().starts_with('#');
        if comment || !line.trim_end().ends_with('\\') {
            return pos;
        }
    }
    text.len()
}

fn rewrite(instruction: &str) -> String {
    let body = instruction.trim_start();
    let indent = instruction.len() - body.len();
    let word_end = body.find(char::is_whitespace).unwrap_or(body.len());
    let (keyword, args) = body.split_at(word_end);
    let head = &instruction[..indent + keyword.len()];
    match keyword.to_ascii_uppercase().as_str() {
        _ if body.starts_with('#') || body.is_empty() => instruction.to_string(),
        // The exec form `RUN ["..."]` runs no shell.
        "RUN" if !args.trim_start().starts_with('[') => format!("{}{args}", blank(head)),
        "ENV" | "ARG" => format!("{}{}", blank(head), assignment(args)),
        _ => blank(instruction),
    }
}

/// `NAME value` (the old form of `ENV`) as `NAME=value`, the whitespace
/// between them rewritten to the same number of bytes; `NAME=value ...`
/// as it is; an `ARG NAME` without a default assigns nothing.
fn assignment(args: &str) -> String {
    let text = args.trim_start();
    let lead = &args[..args.len() - text.len()];
    let name_end = text.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(text.len());
    match text[name_end..].chars().next() {
        Some('=') => args.to_string(),
        Some(c) if c != '\n' && c != '\r' => {
            let value = text[name_end..].trim_start_matches([' ', '\t']);
            let gap = text.len() - name_end - value.len();
            // `=` then empty quotes pad the gap; an odd byte left over
            // becomes a backslash that quotes the value's first character.
            let mut joined = String::from("=");
            joined.push_str(&"''".repeat((gap - 1) / 2));
            if (gap - 1) % 2 == 1 {
                joined.push('\\');
            }
            format!("{lead}{}{joined}{value}", &text[..name_end])
        }
        _ => blank(args),
    }
}

/// Spaces for every byte but line ends.
fn blank(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '\n' => "\n".chars().cycle().take(1),
            _ => " ".chars().cycle().take(c.len_utf8()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_image_reads_when_the_container_starts() {
        let source = "FROM openmicroscopy/omero-web-standalone:5\nADD 01-apps.omero /opt/omero/web/config/\nCOPY --chown=omero a.txt /tmp/\nENV CONFIG_omero_web_debug=true OTHER=1 \\\n    CONFIG_omero_web_prefix=\"/omero\"\nENV CONFIG_omero_web_logdir /var/log/omero\n";
        let found = start_sources(source);
        assert_eq!(found.copies.len(), 1);
        assert_eq!(
            &source[found.copies[0].0.range()],
            "ADD 01-apps.omero /opt/omero/web/config/"
        );
        let names: Vec<(&str, &str)> = found
            .variables
            .iter()
            .map(|(name, _, value)| (name.as_str(), &source[value.range()]))
            .collect();
        assert_eq!(
            names,
            vec![
                ("CONFIG_omero_web_debug", "true"),
                ("CONFIG_omero_web_prefix", "\"/omero\""),
                ("CONFIG_omero_web_logdir", "/var/log/omero")
            ]
        );
    }

    #[test]
    fn instructions_become_the_shell_their_build_runs() {
        let source = "FROM omero-web:5\nENV A=1 \\\n    B=\"x y\"\nENV OLD  value\nENV OLDER   v\nARG TAG\nARG V=2\n# note\nRUN omero config set omero.web.a $A &&\\\n    omero config set omero.web.b \"$B\"\nCOPY x.omero /opt/\n";
        let shell = as_shell(source);
        assert_eq!(shell.len(), source.len());
        assert_eq!(shell.lines().count(), source.lines().count());
        assert_eq!(
            shell,
            "                \n    A=1 \\\n    B=\"x y\"\n    OLD=\\value\n    OLDER=''v\n       \n    V=2\n# note\n    omero config set omero.web.a $A &&\\\n    omero config set omero.web.b \"$B\"\n                  \n"
        );
    }
}

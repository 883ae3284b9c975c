//! The `key=value` format of `omero config get` output and `omero config load`
//! input, read exactly as omero-py reads it: Python's universal newlines,
//! `strip()` of each (joined) line, `#` comment lines, a trailing `\` joining
//! the next raw line, the first `=` splitting key from value.

use crate::diagnostic::Finding;
use crate::document::{Document, Format, Operation, Span, Suppression, Value};
use crate::python;
use crate::source::rules;
use indexmap::IndexMap;

/// The mask `omero config get` prints for password keys without `--show-password`.
const MASK: &str = "********";

pub fn parse(path: &str, source: impl Into<String>) -> Document {
    let mut doc = Document::new(path, Format::Properties, source);
    // Read from the document's own text: no second copy of a large file.
    let owned = std::mem::take(&mut doc.source);
    let source = owned.as_str();
    let mut repeated: IndexMap<String, Repeats> = IndexMap::new();
    let mut pending: Option<Pending> = None;
    let mut silenced: Option<Vec<String>> = None;

    for line in physical_lines(source) {
        let text = &source[line.start..line.end];
        let (joined, start, joined_continuation) = match pending.take() {
            Some(p) => (format!("{}{}", p.text, text), p.start, true),
            None => (text.to_string(), line.start, false),
        };
        let stripped = python::strip(&joined);
        if stripped.is_empty() || stripped.starts_with('#') {
            if !joined_continuation {
                silenced = super::suppressed_codes(stripped).or(silenced);
            }
            continue;
        }
        if let Some(head) = stripped.strip_suffix('\\') {
            pending = Some(Pending {
                text: head.to_string(),
                start,
                backslash: line.end - 1,
            });
            continue;
        }
        let (key, value) = stripped.split_once('=').unwrap_or((stripped, ""));
        if key.is_empty() {
            continue;
        }
        let span = Span::new(start, line.end);
        let (key_span, value_span) = if joined_continuation {
            (locate(source, span, key), locate_value(source, span, value))
        } else {
            let key_start = start + (joined.len() - joined.trim_start_matches(python::is_space).len());
            let key_span = Span::new(key_start, key_start + key.len());
            let value_start = (key_span.end + 1).min(line.end);
            (
                key_span,
                Span::new(value_start, (value_start + value.len()).min(line.end)),
            )
        };
        check_line(&mut doc, key, value, value_span, joined_continuation);
        match repeated.get_mut(key) {
            Some(repeats) => {
                repeats.last = key_span;
                repeats.count += 1;
            }
            None => {
                repeated.insert(
                    key.to_string(),
                    Repeats {
                        first: key_span,
                        last: key_span,
                        count: 1,
                    },
                );
            }
        }
        let mut op = Operation::set(key, key_span, Value::Known(value.to_string()), value_span);
        op.span = span;
        if let Some(codes) = silenced.take() {
            doc.suppressions.push(Suppression {
                codes,
                applies_to: span,
            });
        }
        doc.operations.push(op);
    }

    if let Some(p) = pending {
        doc.findings.push(
            Finding::new(
                &rules::VALUE_NOT_PRESERVED,
                "the last line ends with `\\`, so `omero config load` drops it",
            )
            .at(
                Span::new(p.backslash, p.backslash + 1),
                "nothing follows this continuation",
            )
            .help("remove the trailing backslash; a value cannot end with `\\` in a properties file"),
        );
    }
    // One finding per repeated key: a generated file may repeat one key a
    // million times.
    for (key, repeats) in repeated.iter().filter(|(_, r)| r.count > 1) {
        doc.findings.push(
            Finding::new(
                &rules::DUPLICATE_KEY,
                format!("`{key}` is set {} times; the last value wins", repeats.count),
            )
            .key(key.as_str())
            .at(repeats.last, "set for the last time here")
            .related(repeats.first, "first set here")
            .help("keep only the line with the value you mean"),
        );
    }
    doc.source = owned;
    doc
}

/// Where a key of the file is set.
struct Repeats {
    first: Span,
    last: Span,
    count: usize,
}

struct Pending {
    text: String,
    start: usize,
    backslash: usize,
}

fn check_line(doc: &mut Document, key: &str, value: &str, value_span: Span, continued: bool) {
    if value == MASK && (ends_with_ignore_case(key, "pass") || ends_with_ignore_case(key, "password")) {
        doc.findings.push(
            Finding::new(
                &rules::MASKED_VALUE,
                format!("`{key}` holds the mask `{MASK}`, not a password"),
            )
            .key(key)
            .at(value_span, "masked by `omero config get`")
            .help("export the configuration again with `omero config get --show-password`"),
        );
    }
    if continued && value != python::strip(value) {
        doc.findings.push(
            Finding::new(
                &rules::VALUE_NOT_PRESERVED,
                format!("the value of `{key}` keeps the indentation of its continuation line"),
            )
            .key(key)
            .at(value_span, "leading spaces become part of the value")
            .help("join the value onto one line, or set it with `omero config set` in a script"),
        );
    }
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len() && text.as_bytes()[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// Line ranges (without terminators) split the way Python's universal
/// newlines split text: at `\n`, `\r\n` and a lone `\r`.
fn physical_lines(source: &str) -> impl Iterator<Item = Span> + '_ {
    let bytes = source.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map_or(bytes.len(), |i| start + i);
        pos = match bytes.get(end) {
            Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
            Some(_) => end + 1,
            None => end,
        };
        Some(Span::new(start, end))
    })
}

/// Where `needle` first occurs inside `within`, or `within` itself.
fn locate(source: &str, within: Span, needle: &str) -> Span {
    source[within.range()]
        .find(needle)
        .filter(|_| !needle.is_empty())
        .map_or(within, |i| Span::new(within.start + i, within.start + i + needle.len()))
}

/// The last line of a continued value is where its text ends; point there.
fn locate_value(source: &str, within: Span, value: &str) -> Span {
    let tail = python::strip(value.rsplit(['\n', '\r']).next().unwrap_or(value));
    match source[within.range()].rfind(tail) {
        Some(i) if !tail.is_empty() => Span::new(within.start + i, within.start + i + tail.len()),
        _ => Span::new(within.end, within.end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(doc: &Document) -> Vec<(&str, &str)> {
        doc.operations
            .iter()
            .map(|o| (o.key.as_str(), o.value.as_ref().and_then(Value::known).unwrap_or("?")))
            .collect()
    }

    #[test]
    fn reads_lines_like_omero_config_load() {
        let doc = parse(
            "p",
            "# comment\n  omero.web.debug=true  \r\nomero.web.prefix=/omero\rnovalue\n=ignored\nomero.web.x=a=b\n",
        );
        assert_eq!(
            ops(&doc),
            vec![
                ("omero.web.debug", "true"),
                ("omero.web.prefix", "/omero"),
                ("novalue", ""),
                ("omero.web.x", "a=b")
            ]
        );
        let debug = &doc.operations[0];
        assert_eq!(&doc.source[debug.key_span.range()], "omero.web.debug");
        assert_eq!(&doc.source[debug.value_span.range()], "true");
        assert_eq!(&doc.source[doc.operations[3].value_span.range()], "a=b");
    }

    #[test]
    fn continuation_keeps_the_next_lines_indentation() {
        let doc = parse("p", "omero.web.login_logo=\\\n    /static/logo.png\n");
        assert_eq!(ops(&doc), vec![("omero.web.login_logo", "    /static/logo.png")]);
        assert_eq!(doc.findings.len(), 1);
        assert_eq!(doc.findings[0].code(), "IN007");
        assert_eq!(&doc.source[doc.operations[0].value_span.range()], "/static/logo.png");
    }

    #[test]
    fn comment_after_continuation_is_part_of_the_value() {
        let doc = parse("p", "a=b\\\n# c\n");
        assert_eq!(ops(&doc), vec![("a", "b# c")]);
    }

    #[test]
    fn trailing_backslash_at_end_drops_the_line() {
        let doc = parse("p", "a=1\nb=2\\");
        assert_eq!(ops(&doc), vec![("a", "1")]);
        assert_eq!(doc.findings[0].code(), "IN007");
    }

    #[test]
    fn reports_duplicates_and_masked_passwords() {
        let doc = parse(
            "p",
            "omero.web.debug=true\nomero.web.debug=false\nomero.web.public.password=********\nomero.web.debug=1\n",
        );
        let codes: Vec<_> = doc.findings.iter().map(|f| f.code()).collect();
        assert_eq!(codes, vec!["IN005", "IN004"]);
        let repeated = &doc.findings[1];
        assert_eq!(
            repeated.message,
            "`omero.web.debug` is set 3 times; the last value wins"
        );
        assert_eq!(repeated.span, Some(Span::new(78, 93)));
        assert_eq!(repeated.related[0].span, Span::new(0, 15));
    }

    #[test]
    fn suppression_comment_applies_to_the_next_line() {
        let doc = parse("p", "# omeroconf: ignore[TY006]\nomero.web.debug=yes\n");
        assert_eq!(doc.suppressions.len(), 1);
        assert_eq!(doc.suppressions[0].codes, vec!["TY006".to_string()]);
    }
}

//! Turns linted documents into text: miette's graphical report for people,
//! JSON for machines. Secrets are masked here unless the user asks.

use crate::diagnostic::Finding;
use crate::document::{Document, LineIndex, Span};
use crate::lint::Linted;
use crate::resolve::Config;
use crate::secrets;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod short;

/// The report formats of `omeroconf lint --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Drawn on the source, for people.
    Human,
    /// omeroconf's JSON report.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations.
    Github,
    /// One `path:line:col: severity[CODE] message` line per finding.
    Short,
}

/// What every report format may need beyond the findings.
#[derive(Debug, Clone)]
pub struct Options {
    /// The human report: secrets shown, colour, findings drawn per file.
    pub human: human::Options,
    /// What machine reports name files relative to (a CI checkout).
    pub root: Option<std::path::PathBuf>,
    /// Whether the human report ends with its summary line (not with `--quiet`).
    pub summary: bool,
}

/// The report of `files` in `format`; an error only for a defect of
/// omeroconf (see [`sarif::render`]).
pub fn render(format: Format, files: &[Linted], options: &Options) -> Result<String, String> {
    let root = options.root.as_deref();
    Ok(match format {
        Format::Json => format!("{}\n", json::render(files, root)),
        Format::Sarif => sarif::render(files, root)?,
        Format::Github => github::render(files, root),
        Format::Short => short::render(files, root),
        Format::Human => {
            let mut text = String::new();
            match shared_release(files) {
                Some(release) => text.push_str(&format!("{}\n\n", release.describe(None))),
                None => {
                    for l in files {
                        text.push_str(&format!(
                            "{}: {}\n",
                            l.document.path,
                            l.release.describe(Some(&l.document.path))
                        ));
                    }
                    text.push('\n');
                }
            }
            text.extend(files.iter().map(|l| human::render(l, &options.human)));
            if options.summary {
                text.push_str(&human::summary(files));
            }
            text
        }
    })
}

/// The release every file was judged against, when they agree (the
/// file's own pin named only when there is one file).
pub fn shared_release(files: &[Linted]) -> Option<&crate::release::Release> {
    let first = &files.first()?.release;
    files.iter().all(|l| l.release == *first).then_some(first)
}

/// A file's path as every machine report writes it: relative to `root` (the
/// working directory) when under it, `/` separators, no `.` parts, so
/// `./deploy/web.env` is `deploy/web.env` (GitHub matches annotations to
/// files by this path).
pub fn report_path(path: &str, root: Option<&Path>) -> String {
    let unified = path.replace('\\', "/");
    let as_path = Path::new(&unified);
    let relative = root.and_then(|r| as_path.strip_prefix(r).ok()).unwrap_or(as_path);
    let normal: PathBuf = relative.components().filter(|c| *c != Component::CurDir).collect();
    match normal.to_string_lossy() {
        shown if shown.is_empty() => path.to_string(),
        shown => shown.into_owned(),
    }
}

/// A finding with its 1-based (line, column) start and end, columns in characters.
pub struct Located<'a> {
    pub finding: &'a Finding,
    pub start: Option<(usize, usize)>,
    pub end: Option<(usize, usize)>,
}

/// Every finding of a linted file with its positions, in report order.
pub fn located(linted: &Linted) -> Vec<Located<'_>> {
    let index = LineIndex::new(&linted.document.source);
    linted
        .findings
        .iter()
        .map(|finding| Located {
            finding,
            start: finding.span.map(|s| index.position(s.start)),
            end: finding.span.map(|s| index.position(s.end)),
        })
        .collect()
}

/// The source text as reports may show it: each secret replaced by
/// [`secrets::MASK`], whatever its length, and a map from the source's
/// offsets to the masked text's.
pub struct Masked {
    pub text: String,
    /// Masked source ranges, in order, each with its start in `text`.
    masks: Vec<(Range<usize>, usize)>,
}

impl Masked {
    /// Where a source offset lands in the masked text; inside a mask, at its start.
    pub fn offset(&self, at: usize) -> usize {
        let before = self.masks.partition_point(|(range, _)| range.start < at);
        match before.checked_sub(1).map(|i| &self.masks[i]) {
            None => at,
            Some((range, new)) if at < range.end => *new,
            Some((range, new)) => new + secrets::MASK.len() + (at - range.end),
        }
    }

    /// A source span in the masked text; a span inside a mask covers the mask.
    pub fn span(&self, span: Span) -> Span {
        let start = self.offset(span.start);
        let end = if span.end > span.start {
            self.offset(span.end)
        } else {
            start
        };
        let inside = self.masks.iter().any(|(range, _)| range.contains(&span.start));
        let end = if inside {
            end.max(start + secrets::MASK.len())
        } else {
            end
        };
        Span::new(start, end.max(start))
    }
}

/// The names of `$NAME` and `${NAME...}` expansions in a value's text.
fn variable_names(text: &str) -> Vec<&str> {
    text.match_indices('$')
        .filter_map(|(i, _)| {
            let rest = text[i + 1..].strip_prefix('{').unwrap_or(&text[i + 1..]);
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (len > 0).then(|| &rest[..len])
        })
        .collect()
}

/// The values of `NAME=...` (or `export NAME=...`) assignments of `names`.
fn assignments(source: &str, names: &[&str]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if names.is_empty() {
        return out;
    }
    let mut start = 0;
    for line in source.split_inclusive('\n') {
        let code = line.trim_end_matches(['\n', '\r']);
        let trimmed = code.trim_start();
        let statement = ["export ", "local ", "readonly ", "declare "]
            .iter()
            .find_map(|p| trimmed.strip_prefix(p))
            .unwrap_or(trimmed)
            .trim_start();
        if let Some((name, value)) = statement.split_once('=') {
            if names.contains(&name) && !value.is_empty() {
                let at = start + code.len() - value.len();
                out.push(at..start + code.len());
            }
        }
        start += line.len();
    }
    out
}

/// On a line that names a secret key but holds no located value (a
/// command that failed, a heredoc body, a syntax error), everything after
/// that name: the value is there somewhere.
fn unlocated_lines(source: &str, located: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in source.split_inclusive('\n') {
        let end = start + line.trim_end_matches(['\n', '\r']).len();
        let masked = located.iter().any(|r| r.start < end && r.end > start);
        let words = line[..end - start].split(|c: char| c.is_whitespace() || "=:\"'`;,()[]{}<>".contains(c));
        let mut at = start;
        for word in words {
            let word_end = at + word.len();
            if !masked && word.len() > 2 && secrets::names_secret(word) {
                let rest = &source[word_end..end];
                let value = rest.len()
                    - rest
                        .trim_start_matches(|c: char| c.is_whitespace() || "=:\"'".contains(c))
                        .len();
                if word_end + value < end {
                    out.push(word_end + value..end);
                }
                break;
            }
            at = word_end + 1;
        }
        start += line.len();
    }
    out
}

/// The source text as reports may show it (see [`Masked`]).
pub fn masked_source(document: &Document, config: &Config) -> String {
    masked(document, config).text
}

/// Masks the spans of secret values: the whole value of a secret key; the
/// secret part of other values (a password in a URL, a `PASSWORD` member),
/// or the whole value when that part cannot be found in its source text;
/// a secret written elsewhere (a shell variable, a comment) where it
/// stands as a whole word, never inside other text; and every password in
/// a URL.
pub fn masked(document: &Document, config: &Config) -> Masked {
    let source = document.source.as_str();
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut secret_texts: Vec<&str> = Vec::new();
    let mut secret_variables: Vec<&str> = Vec::new();
    for op in &document.operations {
        let Some(value) = op.value.as_ref().and_then(|v| v.known()) else {
            continue;
        };
        let parts = secrets::secret_ranges(&op.key, value);
        if parts.is_empty() {
            continue;
        }
        let written = op.value_span.range();
        let Some(text) = source.get(written.clone()) else {
            continue;
        };
        if text != value {
            // Built from shell variables: their assignments hold the secret.
            secret_variables.extend(variable_names(text));
        }
        if secrets::is_secret_key(&op.key) {
            ranges.push(written.clone());
        } else if text == value {
            ranges.extend(parts.iter().map(|r| written.start + r.start..written.start + r.end));
        } else {
            for part in &parts {
                let found: Vec<_> = text.match_indices(&value[part.clone()]).collect();
                if found.is_empty() {
                    // Written escaped or split: the whole value, rather than a guess.
                    ranges.push(written.clone());
                }
                ranges.extend(
                    found
                        .iter()
                        .map(|(i, s)| written.start + i..written.start + i + s.len()),
                );
            }
        }
        secret_texts.extend(parts.into_iter().map(|r| &value[r]));
    }
    for (key, value) in config.entries.iter().filter_map(|(k, e)| Some((k, e.value.known()?))) {
        secret_texts.extend(secrets::secret_ranges(key, value).into_iter().map(|r| &value[r]));
    }
    secret_texts.sort_unstable();
    secret_texts.dedup();
    let word_edge = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || "=:\"'`;,@()[]{}&<>".contains(c));
    for secret in secret_texts.into_iter().filter(|s| s.chars().count() >= 3) {
        for (start, _) in source.match_indices(secret) {
            let end = start + secret.len();
            if word_edge(source[..start].chars().next_back()) && word_edge(source[end..].chars().next()) {
                ranges.push(start..end);
            }
        }
    }
    ranges.extend(assignments(source, &secret_variables));
    ranges.extend(unlocated_lines(source, &ranges));
    // A password in a URL is one wherever it stands (text a syntax error
    // left unread, a comment).
    ranges.extend(secrets::url_passwords(source));
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut text = String::with_capacity(source.len());
    let mut masks: Vec<(Range<usize>, usize)> = Vec::new();
    let mut last = 0;
    for range in ranges {
        match masks.last_mut() {
            // Overlapping or touching ranges form one mask.
            Some((previous, _)) if range.start <= previous.end => previous.end = previous.end.max(range.end),
            _ => masks.push((range, 0)),
        }
    }
    for (range, new) in &mut masks {
        text.push_str(&source[last..range.start]);
        *new = text.len();
        text.push_str(secrets::MASK);
        last = range.end;
    }
    text.push_str(&source[last..]);
    Masked { text, masks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::resolve::resolve;
    use crate::source::properties;

    #[test]
    fn masks_secret_values_and_their_other_occurrences() {
        let doc = properties::parse(
            "p",
            "omero.web.public.password=hunter22\nomero.web.caches={\"default\": {\"BACKEND\": \"x\", \"LOCATION\": \"redis://:pässwörd@h:1/0\"}}\n# old: hunter22\n",
        );
        let config = resolve(&doc, catalog().latest);
        let shown = masked_source(&doc, &config);
        assert!(!shown.contains("hunter22"), "{shown}");
        assert!(!shown.contains("pässwörd"), "{shown}");
        assert!(shown.contains("omero.web.public.password=********\n"), "{shown}");
        assert!(shown.contains("\n# old: ********\n"), "{shown}");
    }

    #[test]
    fn masks_passwords_in_urls_the_reader_never_reached() {
        // A syntax error stops the script before the last command.
        let doc = crate::source::script::parse(
            "s",
            "omero config set omero.web.prefix '/omero\nomero config set omero.web.server_list '[[\"wss://u:hunter22@h/ws\", 443, \"ws\"]]'\n",
            &Default::default(),
        );
        let config = resolve(&doc, catalog().latest);
        let shown = masked_source(&doc, &config);
        assert!(shown.contains("wss://u:********@h/ws"), "{shown}");
    }

    #[test]
    fn masks_only_the_spans_of_secrets_and_hides_their_length() {
        let source = "omero.web.public.password=omero\nomero.web.prefix=/omero/\nomero.web.time_zone=Europe/Londn\n\
# the old password was omero\nomero.web.signup.admin.password=Lond\n";
        let doc = properties::parse("p", source);
        let config = resolve(&doc, catalog().latest);
        let masked = masked(&doc, &config);
        assert_eq!(
            masked.text,
            "omero.web.public.password=********\nomero.web.prefix=/omero/\nomero.web.time_zone=Europe/Londn\n\
# the old password was ********\nomero.web.signup.admin.password=********\n"
        );
        // Spans after a mask move with it; a span inside one covers the mask.
        let prefix = source.find("/omero/").unwrap_or_default();
        assert_eq!(
            &masked.text[masked.span(Span::new(prefix, prefix + 7)).range()],
            "/omero/"
        );
        let inside = source.find("=omero").unwrap_or_default() + 2;
        assert_eq!(
            &masked.text[masked.span(Span::new(inside, inside + 1)).range()],
            secrets::MASK
        );
    }
}

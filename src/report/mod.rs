//! Turns linted documents into text: miette's graphical report for people,
//! JSON for machines. Secrets are masked here unless the user asks.

use crate::diagnostic::Finding;
use crate::document::{Document, LineIndex};
use crate::lint::Linted;
use crate::resolve::Config;
use crate::secrets;
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
            let mut text: String = files.iter().map(|l| human::render(l, &options.human)).collect();
            if options.summary {
                text.push_str(&human::summary(files));
            }
            text
        }
    })
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

/// The source text as reports may show it: every secret value masked with
/// `*` of the same byte length, so spans stay valid.
pub fn masked_source(document: &Document, config: &Config) -> String {
    let mut bytes = document.source.clone().into_bytes();
    let mut mask = |start: usize, end: usize| {
        for b in bytes.iter_mut().take(end.min(document.source.len())).skip(start) {
            // Overwrite whole characters only: continuation bytes become `*` too.
            *b = b'*';
        }
    };
    let mut secret_texts: Vec<String> = Vec::new();
    for op in &document.operations {
        let Some(value) = op.value.as_ref().and_then(|v| v.known()) else {
            continue;
        };
        let ranges = secrets::secret_ranges(&op.key, value);
        if ranges.is_empty() {
            continue;
        }
        if secrets::is_secret_key(&op.key) {
            mask(op.value_span.start, op.value_span.end);
        }
        secret_texts.extend(ranges.into_iter().map(|r| value[r].to_string()));
    }
    for entry in config.entries.iter().filter_map(|(k, e)| Some((k, e.value.known()?))) {
        secret_texts.extend(
            secrets::secret_ranges(entry.0, entry.1)
                .into_iter()
                .map(|r| entry.1[r].to_string()),
        );
    }
    // Secrets also appear where the file defines them (a shell variable, a
    // continuation line): mask every occurrence long enough to be specific.
    for secret in secret_texts.iter().filter(|s| s.chars().count() >= 3) {
        let found: Vec<usize> = document.source.match_indices(secret.as_str()).map(|(i, _)| i).collect();
        for start in found {
            mask(start, start + secret.len());
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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
        assert_eq!(shown.len(), doc.source.len());
    }
}

//! One parser per input format, each producing a [`Document`]; format
//! detection from the file name and content.

use crate::document::{Document, Operation, Span, Suppression};
use std::path::PathBuf;

pub mod ansible;
pub mod compose;
pub mod env;
pub mod json;
pub mod omero;
pub mod properties;
pub mod rules;
pub mod script;
pub mod toml;
pub mod xml;
pub mod yaml;

/// The codes of a `# omeroconf: ignore[CODE, ...]` comment (`comment` is the
/// whole comment, `#` included); an empty list silences every code.
pub fn suppressed_codes(comment: &str) -> Option<Vec<String>> {
    let body = comment.trim_start_matches('#').trim();
    let rest = body.strip_prefix("omeroconf:")?.trim_start();
    let rest = rest.strip_prefix("ignore")?;
    if rest.trim().is_empty() {
        return Some(Vec::new());
    }
    let inner = rest.trim_start().strip_prefix('[')?.split(']').next()?;
    Some(
        inner
            .split(',')
            .map(|c| c.trim().to_uppercase())
            .filter(|c| !c.is_empty())
            .collect(),
    )
}

/// Applies a `# omeroconf: ignore[...]` comment on the line before each
/// operation's `anchor` span (where the YAML inputs write a key or value).
pub(crate) fn suppress_from_previous_lines(doc: &mut Document, anchor: fn(&Operation) -> Span) {
    let found: Vec<Suppression> = doc
        .operations
        .iter()
        .filter_map(|op| {
            let at = anchor(op);
            let line_start = doc.source.get(..at.start)?.rfind('\n')?;
            let previous = doc.source[..line_start].rsplit('\n').next()?;
            let codes = suppressed_codes(previous.trim())?;
            Some(Suppression { codes, applies_to: at })
        })
        .collect();
    doc.suppressions.extend(found);
}

/// Whether a script runs an `omero` command at all (the word `omero`, or a
/// path ending in `/omero`, outside comments).
pub fn runs_omero(source: &str) -> bool {
    source.lines().any(|line| {
        let code = line.split(" #").next().unwrap_or(line).trim_start();
        !code.starts_with('#')
            && code
                .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '`' | '"' | '\''))
                .any(|word| word == "omero" || word.ends_with("/omero"))
    })
}

/// What a parser may need beyond the text.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Shell variables given on the command line (`--var NAME=VALUE`).
    pub vars: Vec<(String, String)>,
    /// Where relative file names in the input resolve from.
    pub base_dir: Option<PathBuf>,
    /// The config.xml profile to read instead of the active one.
    pub profile: Option<String>,
    /// Who reads an env file (`None`: compose for `.env`, else docker).
    pub env_style: Option<env::EnvStyle>,
}

/// What the parser tests compare: stored values (`?` when unknown) and codes.
#[cfg(test)]
pub(crate) mod test_util {
    use crate::document::{Document, Value};

    pub fn stored(doc: &Document) -> Vec<(String, String)> {
        doc.operations
            .iter()
            .map(|o| {
                (
                    o.key.clone(),
                    o.value.as_ref().and_then(Value::known).unwrap_or("?").to_string(),
                )
            })
            .collect()
    }

    pub fn codes(doc: &Document) -> Vec<&'static str> {
        doc.findings.iter().map(|f| f.code()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppression_comments() {
        assert_eq!(
            suppressed_codes("# omeroconf: ignore[ty006, KY001]"),
            Some(vec!["TY006".into(), "KY001".into()])
        );
        assert_eq!(suppressed_codes("#omeroconf: ignore"), Some(vec![]));
        assert_eq!(suppressed_codes("# ignore[TY006]"), None);
        assert_eq!(suppressed_codes("# omeroconf: ignored stuff"), None);
    }

    #[test]
    fn scripts_without_omero_commands() {
        assert!(runs_omero("set -e\n$OMERODIR/bin/omero config set a b\n"));
        assert!(runs_omero("sudo -u omero omero config get\n"));
        assert!(!runs_omero(
            "#!/bin/sh\n# configure omero later\necho omero-web is great\n"
        ));
    }
}

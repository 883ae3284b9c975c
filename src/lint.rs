//! The lint pipeline for one document: resolve, run the rules, then apply
//! suppression comments and `--select`/`--ignore`.

use crate::catalog::Version;
use crate::diagnostic::{Finding, Severity};
use crate::document::Document;
use crate::resolve::{self, Config};
use crate::rules;

/// Which codes to report: `select` empty means all; prefixes match (`TY` selects every TY rule).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Filter {
    fn keeps(&self, code: &str) -> bool {
        let matches = |pattern: &String| code.starts_with(&pattern.to_uppercase());
        (self.select.is_empty() || self.select.iter().any(matches)) && !self.ignore.iter().any(matches)
    }
}

/// A linted document.
pub struct Linted {
    pub document: Document,
    pub config: Config,
    pub findings: Vec<Finding>,
}

impl Linted {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
}

pub fn lint(document: Document, release: Version, filter: &Filter) -> Linted {
    let config = resolve::resolve(&document, release);
    let mut findings = document.findings.clone();
    findings.extend(config.findings.iter().cloned());
    findings.extend(rules::check(&document, &config));
    findings.retain(|f| filter.keeps(f.code()) && !suppressed(&document, f));
    findings.sort_by_key(|f| (f.span.map_or(usize::MAX, |s| s.start), f.code()));
    Linted { document, config, findings }
}

fn suppressed(document: &Document, finding: &Finding) -> bool {
    let Some(span) = finding.span else { return false };
    document.suppressions.iter().any(|s| {
        s.applies_to.start <= span.start
            && span.start <= s.applies_to.end
            && (s.codes.is_empty() || s.codes.iter().any(|c| c == finding.code()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::source::properties;

    fn codes(text: &str, filter: &Filter) -> Vec<&'static str> {
        lint(properties::parse("p", text), catalog().latest, filter).findings.iter().map(|f| f.code()).collect()
    }

    #[test]
    fn suppression_comment_silences_only_its_line_and_code() {
        let text = "# omeroconf: ignore[TY006]\nomero.web.debug=yes\nomero.web.secure=yes\n";
        assert_eq!(codes(text, &Filter::default()), vec!["TY006"]);
        let text = "# omeroconf: ignore[KY001]\nomero.web.debug=yes\n";
        assert_eq!(codes(text, &Filter::default()), vec!["TY006"]);
    }

    #[test]
    fn select_and_ignore_by_prefix() {
        let text = "omero.web.debug=yes\nomero.web.debgu=true\n";
        assert_eq!(codes(text, &Filter::default()), vec!["TY006", "KY001"]);
        assert_eq!(codes(text, &Filter { select: vec!["ky".into()], ignore: vec![] }), vec!["KY001"]);
        assert_eq!(codes(text, &Filter { select: vec![], ignore: vec!["TY006".into()] }), vec!["KY001"]);
    }
}

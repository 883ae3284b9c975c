//! The lint pipeline for one document: resolve, run the rules, then apply
//! suppression comments and `--select`/`--ignore`.

use crate::catalog::Version;
use crate::diagnostic::{Finding, Fix, Severity};
use crate::document::{Document, Format, Span, Value};
use crate::edit::{self, Edit};
use crate::release::{self, Given, Release};
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
    /// The release it was judged against, and why.
    pub release: Release,
}

impl Linted {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
}

pub fn lint(document: Document, release: Version, filter: &Filter) -> Linted {
    lint_with(document, release, filter, &rules::Options::default())
}

/// [`lint`] with the deployment facts the user gave (`--cores`).
pub fn lint_with(document: Document, release: Version, filter: &Filter, options: &rules::Options) -> Linted {
    lint_judged(document, &Release::given(release), filter, options)
}

/// [`lint_with`] against the release the deployment says (see [`release::decide`]).
pub fn lint_deployed(mut document: Document, given: &Given, filter: &Filter, options: &rules::Options) -> Linted {
    let (release, found) = release::decide(&document, given);
    document.findings.extend(found);
    lint_judged(document, &release, filter, options)
}

fn lint_judged(document: Document, release: &Release, filter: &Filter, options: &rules::Options) -> Linted {
    let config = resolve::resolve(&document, release.version);
    let mut findings = document.findings.clone();
    findings.extend(config.findings.iter().cloned());
    findings.extend(rules::check_with(&document, &config, options));
    findings.extend(as_meant(&document, release, options));
    findings.retain(|f| filter.keeps(f.code()) && !suppressed(&document, f));
    drop_repeated_schema_mismatches(&mut findings);
    findings.sort_by_key(|f| (f.span.map_or(usize::MAX, |s| s.start), f.code()));
    Linted {
        document,
        config,
        findings,
        release: release.clone(),
    }
}

/// A properties file that `omero config load` refuses only for spaces
/// around `=` (IN006) stores nothing; its lines are also checked as the keys
/// they meant, as notes, so one pass shows what else the file holds.
fn as_meant(document: &Document, release: &Release, options: &rules::Options) -> Vec<Finding> {
    // Asked of every input: other formats leave before any key is looked at.
    if document.format != Format::Properties {
        return Vec::new();
    }
    let mut refused = document
        .operations
        .iter()
        .filter(|op| !resolve::valid_key(&op.key))
        .peekable();
    let spaced_only = refused.peek().is_some() && refused.all(|op| resolve::valid_key(op.key.trim()));
    if !spaced_only {
        return Vec::new();
    }
    let mut meant = document.clone();
    meant.findings.clear();
    for op in &mut meant.operations {
        op.key = op.key.trim().to_string();
        if let Some(Value::Known(value)) = &mut op.value {
            *value = value.trim_start().to_string();
        }
    }
    let config = resolve::resolve(&meant, release.version);
    let mut findings = rules::check_with(&meant, &config, options);
    findings.extend(config.findings);
    // Notes about the file as meant: today OMERO stores nothing from it.
    findings
        .into_iter()
        .map(|mut f| {
            f.message.push_str(" (once the spaces around `=` are gone)");
            f.severity(Severity::Info)
        })
        .collect()
}

/// One root cause, one finding: an IN011 goes when another finding about the
/// same key points into the same value (TY001 for `"five"`, SE005 for a port).
fn drop_repeated_schema_mismatches(findings: &mut Vec<Finding>) {
    let judged: Vec<(String, Span)> = findings
        .iter()
        .filter(|f| f.rule.code != crate::source::rules::SCHEMA_MISMATCH.code)
        .filter_map(|f| Some((f.key.clone()?, f.span?)))
        .collect();
    findings.retain(|f| {
        f.rule.code != crate::source::rules::SCHEMA_MISMATCH.code
            || !judged.iter().any(|(key, span)| {
                f.key.as_ref() == Some(key) && f.span.is_some_and(|s| s.start <= span.start && span.end <= s.end)
            })
    });
}

/// A document's source with the fixes of its reported findings applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    pub source: String,
    /// What each applied fix did.
    pub applied: Vec<String>,
    /// Fixes left for another run because they touch text an applied fix changed.
    pub deferred: usize,
}

/// Applies every fix of the reported findings that does not clash with an
/// earlier one; `None` when there is nothing to fix. Suppressed and
/// unselected findings bring no fix.
pub fn fix(linted: &Linted) -> Option<Fixed> {
    let mut accepted: Vec<&Fix> = Vec::new();
    let mut deferred = 0;
    for fix in linted
        .findings
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .filter(|f| f.is_exact())
    {
        let clashes = fix.edits.iter().any(|e| {
            accepted
                .iter()
                .flat_map(|a| a.edits.iter())
                .any(|a| edit::overlaps(a.span, e.span))
        });
        if clashes {
            deferred += 1;
        } else {
            accepted.push(fix);
        }
    }
    if accepted.is_empty() {
        return None;
    }
    let edits: Vec<Edit> = accepted.iter().flat_map(|f| f.edits.iter().cloned()).collect();
    // Accepted edits never overlap, and rules build them inside the source.
    let source = edit::apply(&linted.document.source, &edits).ok()?;
    Some(Fixed {
        source,
        applied: accepted.iter().map(|f| f.description.clone()).collect(),
        deferred,
    })
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
        lint(properties::parse("p", text), catalog().latest, filter)
            .findings
            .iter()
            .map(|f| f.code())
            .collect()
    }

    #[test]
    fn a_properties_line_with_spaces_around_the_equals_sign_is_checked_as_meant() {
        let doc =
            crate::source::properties::parse("web.properties", "omero.web.debug = yes\nomero.web.page_size=ten\n");
        let codes: Vec<&str> = lint(doc, crate::catalog::catalog().latest, &Filter::default())
            .findings
            .iter()
            .map(|f| f.code())
            .collect();
        assert_eq!(codes, vec!["IN006", "TY006", "TY001"]);
        let meant = lint(
            crate::source::properties::parse("web.properties", "omero.web.debug = yes\n"),
            crate::catalog::catalog().latest,
            &Filter::default(),
        );
        assert_eq!(meant.findings[1].severity, Severity::Info);
    }

    #[test]
    fn suppression_comment_silences_only_its_line_and_code() {
        let text = "# omeroconf: ignore[TY006]\nomero.web.debug=yes\nomero.web.secure=yes\n";
        assert_eq!(codes(text, &Filter::default()), vec!["TY006"]);
        let text = "# omeroconf: ignore[KY001]\nomero.web.debug=yes\n";
        assert_eq!(codes(text, &Filter::default()), vec!["TY006"]);
    }

    #[test]
    fn fixes_apply_together_and_respect_suppressions() {
        let text = "omero.web.force_script_name=/omero/\nomero.web.apps=[\"figure\"]\n";
        let linted = lint(properties::parse("p", text), catalog().latest, &Filter::default());
        let fixed = fix(&linted).expect("two fixes");
        assert_eq!(
            fixed.source,
            "omero.web.prefix=/omero\nomero.web.apps=[\"omero_figure\"]\n"
        );
        assert_eq!(fixed.applied.len(), 3);
        let silenced = format!(
            "# omeroconf: ignore[AP001]\n{}",
            text.lines().nth(1).unwrap_or_default()
        );
        let linted = lint(properties::parse("p", &silenced), catalog().latest, &Filter::default());
        assert_eq!(fix(&linted), None);
        let linted = lint(
            properties::parse("p", text),
            catalog().latest,
            &Filter {
                select: vec!["PA".into()],
                ignore: vec![],
            },
        );
        assert_eq!(
            fix(&linted).map(|f| f.source),
            Some("omero.web.force_script_name=/omero\nomero.web.apps=[\"figure\"]\n".to_string())
        );
    }

    #[test]
    fn toml_suppressions_and_fixes() {
        let text = "[omero.web]\nstatic_url = \"/omero/static/\"\n# omeroconf: ignore[PA002]\nprefix = \"/omero/\"\n";
        let linted = lint(
            crate::source::toml::parse("web.toml", text),
            catalog().latest,
            &Filter::default(),
        );
        assert!(linted.findings.is_empty(), "{:?}", linted.findings);
        let text = "[omero.web]\nstatic_url = \"/omero/static/\"\nprefix = \"/omero/\"  # served under /omero\n";
        let linted = lint(
            crate::source::toml::parse("web.toml", text),
            catalog().latest,
            &Filter::default(),
        );
        let fixed = fix(&linted).expect("fixable");
        assert_eq!(fixed.source, text.replace("\"/omero/\"  #", "\"/omero\"  #"));
    }

    #[test]
    fn select_and_ignore_by_prefix() {
        let text = "omero.web.debug=yes\nomero.web.debgu=true\n";
        assert_eq!(codes(text, &Filter::default()), vec!["TY006", "KY001"]);
        assert_eq!(
            codes(
                text,
                &Filter {
                    select: vec!["ky".into()],
                    ignore: vec![]
                }
            ),
            vec!["KY001"]
        );
        assert_eq!(
            codes(
                text,
                &Filter {
                    select: vec![],
                    ignore: vec!["TY006".into()]
                }
            ),
            vec!["KY001"]
        );
    }

    #[test]
    fn schema_mismatch_gives_way_to_the_rule_that_judges_the_value() {
        let doc = crate::source::toml::parse(
            "web.toml",
            "[omero.web]\nwsgi_workers = \"five\"\nlogin_incorrect_credentials_text = 3\n",
        );
        let linted = lint(doc, catalog().latest, &Filter::default());
        let codes: Vec<_> = linted.findings.iter().map(|f| f.code()).collect();
        assert_eq!(codes, vec!["TY001", "IN011"]);
    }
}

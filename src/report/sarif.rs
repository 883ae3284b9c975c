//! SARIF 2.1.0 for GitHub code scanning: the whole rule registry in
//! `tool.driver.rules`, one result per finding with a repository-relative
//! URI and a region (columns in Unicode code points, as `columnKind` says).

use super::{located, short::one_line};
use crate::diagnostic::Severity;
use crate::lint::Linted;
use crate::rules::RULES;
use serde_json::{json, Value as Json};
use std::path::Path;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rules() -> Vec<Json> {
    RULES
        .iter()
        .map(|rule| {
            let markdown = format!(
                "{}\n\nExample:\n\n```\n{}\n```\n\nInstead:\n\n```\n{}\n```\n",
                rule.explanation, rule.example, rule.fixed_example
            );
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.explanation},
                "help": {"text": format!("{}\n\nExample:\n{}\n\nInstead:\n{}", rule.explanation, rule.example, rule.fixed_example), "markdown": markdown},
                "defaultConfiguration": {"level": level(rule.severity)},
                "properties": {"tags": [rule.code.get(..2).unwrap_or(rule.code)], "blocksStart": rule.blocks_start},
            })
        })
        .collect()
}

/// The path as a URI reference relative to the repository root (taken to
/// be the working directory): `/` separators, percent-encoded.
pub fn relative_uri(path: &str, root: Option<&Path>) -> String {
    let text = super::report_path(path, root);
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The SARIF log of `files`. A finding whose rule is missing from
/// [`RULES`] is a defect of omeroconf, reported as an error rather than
/// pointed at another rule's entry.
pub fn render(files: &[Linted], root: Option<&Path>) -> Result<String, String> {
    let mut results = Vec::new();
    for linted in files {
        let uri = relative_uri(&linted.document.path, root);
        for found in located(linted) {
            let finding = found.finding;
            let (line, column) = found.start.unwrap_or((1, 1));
            let (end_line, end_column) = found.end.unwrap_or((line, column));
            let mut text = one_line(&finding.message);
            if let Some(help) = &finding.help {
                text.push_str(&format!(" (help: {})", one_line(help)));
            }
            let index = RULES
                .iter()
                .position(|r| std::ptr::eq(*r, finding.rule))
                .ok_or_else(|| format!("internal error: rule {} is not listed in rules::RULES", finding.code()))?;
            let mut result = json!({
                "ruleId": finding.code(),
                "ruleIndex": index,
                "level": level(finding.severity),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column},
                    }
                }],
            });
            if let Some(key) = &finding.key {
                result["properties"] = json!({"key": key});
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "omeroconf",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/omeroconf/omeroconf",
                "rules": rules(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    // A tree of plain JSON values always serialises.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Finding, Rule};
    use crate::document::{Document, Format};

    #[test]
    fn a_finding_of_an_unregistered_rule_is_an_internal_error() {
        // Every field of a registered rule but its code.
        let stray: &'static Rule = Box::leak(Box::new(Rule {
            code: "XX001",
            ..RULES[0].clone()
        }));
        let document = Document::new("web.properties", Format::Properties, "");
        let config = crate::resolve::resolve(&document, crate::catalog::catalog().latest);
        let linted = Linted {
            document,
            config,
            findings: vec![Finding::new(stray, "a finding")],
            release: crate::release::Release::given(crate::catalog::catalog().latest),
        };
        let error = render(&[linted], None).expect_err("XX001 is in no registry");
        assert!(error.contains("XX001"), "{error}");
    }

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(relative_uri("./deploy/web config.env", None), "deploy/web%20config.env");
        assert_eq!(
            relative_uri("/repo/deploy/web.env", Some(Path::new("/repo"))),
            "deploy/web.env"
        );
        assert_eq!(relative_uri("deploy\\web.env", None), "deploy/web.env");
        assert_eq!(relative_uri("café.env", None), "caf%C3%A9.env");
        assert_eq!(relative_uri("deploy/./web.env", None), "deploy/web.env");
    }
}

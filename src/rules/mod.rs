//! The rule registry: every finding omeroconf can report is declared once
//! here or in a family file, with its code, name, severity and explanation.
//! `omeroconf rules`, `omeroconf explain`, the JSON report and (later) SARIF
//! all read [`RULES`].

pub use crate::diagnostic::Rule;
use crate::catalog::{catalog, Property};
use crate::diagnostic::Finding;
use crate::document::Document;
use crate::resolve::Config;

pub mod input;
pub mod keys;
pub mod types;

/// Every rule, in code order within each family.
pub static RULES: &[&Rule] = &[
    &input::SYNTAX_ERROR,
    &input::UNRESOLVED_VARIABLE,
    &input::COMMAND_SUBSTITUTION,
    &input::DUPLICATE_KEY,
    &input::MASKED_VALUE,
    &input::ILLEGAL_KEY,
    &input::VALUE_NOT_PRESERVED,
    &input::COMMAND_FAILS,
    &input::UNSUPPORTED_COMMAND,
    &input::VALUE_NOT_REPRESENTABLE,
    &input::SCHEMA_MISMATCH,
    &input::ENV_NAME,
    &input::ENV_QUOTES_KEPT,
    &input::OVERRIDDEN,
    &input::TEMPLATE_VALUE,
    &input::EXTERNAL_SOURCE,
    &input::ROLE_TEMPLATE_FAILS,
    &input::YAML_NUMBER,
    &types::INVALID_INT,
    &types::INVALID_JSON,
    &types::INVALID_REGEX,
    &types::UNKNOWN_TIME_ZONE,
    &types::VALUE_NOT_ALLOWED,
    &types::BOOLEAN_MEANS_FALSE,
    &types::JSON_SHAPE,
    &types::ADVISORY_VALUE,
    &types::TRUTHY_STRING,
    &types::EMPTY_REQUIRED,
    &types::PLACEHOLDER,
    &types::SETTING_CRASHES,
    &keys::UNKNOWN_KEY,
    &keys::DEPRECATED_HONOURED,
    &keys::DEPRECATED_IGNORED,
    &keys::NOT_IN_RELEASE,
];

/// A family's check: reads the resolved configuration, appends findings.
type Check = fn(&LintContext, &mut Vec<Finding>);

/// Every family's check, run in this order.
static CHECKS: &[Check] = &[keys::check, types::check];

/// What a rule sees: the document and the configuration it resolves to.
pub struct LintContext<'a> {
    pub document: &'a Document,
    pub config: &'a Config,
}

impl LintContext<'_> {
    pub fn property(&self, key: &str) -> Option<&'static Property> {
        catalog().property(key)
    }

    /// Points a finding at the value that last set `key`.
    pub fn at_value(&self, key: &str, finding: Finding) -> Finding {
        self.place(key, finding, |op| op.value_span, "set here")
    }

    /// Points a finding at the key of the operation that last set it.
    pub fn at_key(&self, key: &str, finding: Finding) -> Finding {
        self.place(key, finding, |op| op.key_span, "this key")
    }

    fn place(
        &self,
        key: &str,
        mut finding: Finding,
        span: fn(&crate::document::Operation) -> crate::document::Span,
        label: &str,
    ) -> Finding {
        let op = self.config.entries.get(key).and_then(|e| self.document.operations.get(e.op));
        if let Some(op) = op {
            finding.span = Some(span(op));
            finding.label.get_or_insert_with(|| label.to_string());
        }
        finding
    }
}

/// Runs every rule family.
pub fn check(document: &Document, config: &Config) -> Vec<Finding> {
    let ctx = LintContext { document, config };
    let mut out = Vec::new();
    for check in CHECKS {
        check(&ctx, &mut out);
    }
    out
}

/// Looks a rule up by code (case-insensitive) or by name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for rule in RULES {
            assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
            assert!(names.insert(rule.name), "duplicate name {}", rule.name);
        }
    }

    #[test]
    fn every_rule_is_documented_with_examples() {
        for rule in RULES {
            assert!(rule.summary.len() > 10, "{} lacks a summary", rule.code);
            assert!(rule.explanation.len() > 60, "{} lacks an explanation", rule.code);
            assert!(!rule.example.trim().is_empty(), "{} lacks an example", rule.code);
            assert!(!rule.fixed_example.trim().is_empty(), "{} lacks a fixed example", rule.code);
            assert_ne!(rule.example, rule.fixed_example, "{}: example equals its fix", rule.code);
        }
    }
}

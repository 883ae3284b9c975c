//! Findings: plain data produced by parsers, resolution and rules, and turned
//! into text only by `report`.

use crate::span::{Edit, Span};
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Works and is not wrong, but worth knowing.
    Info,
    /// OMERO.web starts, but the value is wrong, unsafe or ignored.
    Warning,
    /// OMERO.web will not start, or the value cannot work.
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Metadata of one rule. Codes are stable: never reuse or renumber one.
/// Every rule is listed in `rules::RULES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    /// Kebab-case name, e.g. `invalid-json`.
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// What the rule finds and why it matters.
    pub explanation: &'static str,
    /// A configuration that triggers the rule.
    pub example: &'static str,
    /// The same configuration, fixed.
    pub fixed_example: &'static str,
    /// `omeroconf lint --fix` can repair it.
    pub fix: bool,
    /// An error finding of this rule means OMERO.web does not start: its
    /// settings import, `django.setup()` or Django's system checks raise.
    /// Only error rules can (a finding lowered to a warning does not block).
    pub blocks_start: bool,
}

/// An automatic repair of one finding: edits applied together, each
/// replacing exactly its span of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, e.g. "drop the second WhiteNoiseMiddleware entry".
    pub description: String,
    pub edits: Vec<Edit>,
}

/// A secondary place in the source that explains a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub key: Option<String>,
    pub message: String,
    pub help: Option<String>,
    pub span: Option<Span>,
    pub label: Option<String>,
    pub related: Vec<Related>,
    /// Offered only where the edit is exact for the input's format.
    pub fix: Option<Fix>,
}

/// Control characters of quoted values written as escapes (`/omero\\r`),
/// so a report shows them and a terminal never acts on them.
fn visible(text: String) -> String {
    if !text.chars().any(char::is_control) {
        return text;
    }
    text.chars()
        .map(|c| match c {
            '\r' => "\\r".to_string(),
            '\n' => "\\n".to_string(),
            '\t' => "\\t".to_string(),
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

impl Finding {
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            key: None,
            message: visible(message.into()),
            help: None,
            span: None,
            label: None,
            related: Vec::new(),
            fix: None,
        }
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.label = Some(label.into());
        self
    }

    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            label: label.into(),
        });
        self
    }

    pub fn fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn code(&self) -> &'static str {
        self.rule.code
    }

    /// OMERO.web does not start with this configuration (see [`Rule::blocks_start`]).
    pub fn blocks_start(&self) -> bool {
        self.rule.blocks_start && self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_messages_are_shown_escaped() {
        // A stand-in, not a rule of the registry.
        let rule: &'static Rule = Box::leak(Box::new(Rule {
            code: "XX000",
            name: "test",
            severity: Severity::Info,
            summary: "",
            explanation: "",
            example: "",
            fixed_example: "",
            fix: false,
            blocks_start: false,
        }));
        assert_eq!(
            Finding::new(rule, "`/omero\r` and \u{1b}[2J").message,
            "`/omero\\r` and \\u{1b}[2J"
        );
        assert_eq!(Finding::new(rule, "plain").message, "plain");
    }
}

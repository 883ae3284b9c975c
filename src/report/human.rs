//! The report for people: one miette diagnostic per finding, drawn on the
//! (masked) source, capped per file so huge inputs stay fast to render.

use crate::diagnostic::{Finding, Severity};
use crate::lint::Linted;
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use std::fmt;

pub struct Options {
    pub show_secrets: bool,
    pub color: bool,
    /// Findings drawn per file; the rest are counted.
    pub max_per_file: usize,
}

struct Rendered<'a> {
    finding: &'a Finding,
    source: &'a NamedSource<String>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("{}({})", self.finding.code(), self.finding.rule.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let fix = self.finding.fix.as_ref().map(|f| format!("`omeroconf lint --fix` can {}", f.description));
        match (&self.finding.help, fix) {
            (Some(help), Some(fix)) => Some(Box::new(format!("{help}\n{fix}"))),
            (Some(help), None) => Some(Box::new(help)),
            (None, Some(fix)) => Some(Box::new(fix)),
            (None, None) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.finding.span.map(|_| self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.finding.span?;
        let primary = LabeledSpan::new_primary_with_span(self.finding.label.clone(), span.range());
        let related = self.finding.related.iter().map(|r| LabeledSpan::new_with_span(Some(r.label.clone()), r.span.range()));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// Renders every finding of one linted file.
pub fn render(linted: &Linted, options: &Options) -> String {
    let text = if options.show_secrets {
        linted.document.source.clone()
    } else {
        super::masked_source(&linted.document, &linted.config)
    };
    let source = NamedSource::new(linted.document.path.clone(), text);
    let theme = if options.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1).with_width(100);
    let mut out = String::new();
    for finding in linted.findings.iter().take(options.max_per_file) {
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &Rendered { finding, source: &source });
        out.push('\n');
    }
    let hidden = linted.findings.len().saturating_sub(options.max_per_file);
    if hidden > 0 {
        out.push_str(&format!(
            "... and {hidden} more finding{} in {} (use --format json to see all)\n",
            if hidden == 1 { "" } else { "s" },
            linted.document.path
        ));
    }
    out
}

//! The report for people: one miette diagnostic per finding, drawn on the
//! (masked) source, capped per file so huge inputs stay fast to render.

use crate::diagnostic::{Finding, Severity};
use crate::lint::Linted;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, NamedSource,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

#[derive(Debug, Clone)]
pub struct Options {
    pub show_secrets: bool,
    pub color: bool,
    /// Findings drawn per file; the rest are counted.
    pub max_per_file: usize,
}

struct Rendered<'a> {
    finding: &'a Finding,
    source: &'a NamedSource<Indexed>,
    /// The masks drawn over the source, which move the spans after them.
    masked: Option<&'a super::Masked>,
}

impl Rendered<'_> {
    fn range(&self, span: crate::document::Span) -> std::ops::Range<usize> {
        self.masked.map_or(span, |m| m.span(span)).range()
    }
}

/// The text of a report with its line starts: miette reads a span's
/// context by counting lines from the start of the text, which took time
/// in proportion to the file for every finding.
struct Indexed {
    text: String,
    /// Where each line starts, lines ending as miette ends them (`\n`,
    /// `\r\n` or a lone `\r`).
    line_starts: Vec<usize>,
}

impl Indexed {
    fn new(text: String) -> Indexed {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                line_starts.push(i + 1);
            }
        }
        Indexed { text, line_starts }
    }
}

impl SourceCode for Indexed {
    /// miette's own reading of the span, from shortly before it.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let line = self
            .line_starts
            .partition_point(|&start| start <= span.offset())
            .saturating_sub(1);
        // One line more than the context: miette looks at the character
        // before a span, which may end the line before.
        let first = line.saturating_sub(before + 1);
        let start = self.line_starts[first];
        let shifted = SourceSpan::new((span.offset() - start).into(), span.len());
        let contents = self.text.as_bytes()[start..].read_span(&shifted, before, after)?;
        Ok(Box::new(MietteSpanContents::new(
            contents.data(),
            SourceSpan::new((contents.span().offset() + start).into(), contents.span().len()),
            contents.line() + first,
            contents.column(),
            contents.line_count() + first,
        )))
    }
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
        let fix = self
            .finding
            .fix
            .as_ref()
            .map(|f| format!("`omeroconf lint --fix` can {}", f.description));
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
        let primary = LabeledSpan::new_primary_with_span(self.finding.label.clone(), self.range(span));
        let related = self
            .finding
            .related
            .iter()
            .map(|r| LabeledSpan::new_with_span(Some(r.label.clone()), self.range(r.span)));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// Renders every finding of one linted file.
pub fn render(linted: &Linted, options: &Options) -> String {
    let masked = (!options.show_secrets).then(|| super::masked(&linted.document, &linted.config));
    let text = match &masked {
        Some(masked) => masked.text.clone(),
        None => linted.document.source.clone(),
    };
    let source = NamedSource::new(linted.document.path.clone(), Indexed::new(text));
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_width(100);
    let mut out = String::new();
    for finding in linted.findings.iter().take(options.max_per_file) {
        // Writing into a String cannot fail.
        let _ = handler.render_report(
            &mut out,
            &Rendered {
                finding,
                source: &source,
                masked: masked.as_ref(),
            },
        );
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

/// The closing line: counts by severity, or that nothing was found.
pub fn summary(linted: &[Linted]) -> String {
    let count = |s| linted.iter().map(|l| l.count(s)).sum::<usize>();
    let (errors, warnings, infos) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    if errors + warnings + infos == 0 {
        return format!(
            "{} file{} checked: no problems found\n",
            linted.len(),
            if linted.len() == 1 { "" } else { "s" }
        );
    }
    format!(
        "{errors} error(s), {warnings} warning(s), {infos} info(s) in {} file(s)\n",
        linted.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every span of a text with all three line endings reads as miette
    /// reads it from the plain text.
    #[test]
    fn indexed_source_reads_spans_as_miette_does() {
        let text = "omero config set a 1\r\nb\rc é\n\nomero.web.debug=yes\r\r\nlast line";
        let indexed = Indexed::new(text.to_string());
        for offset in 0..=text.len() {
            for len in [0, 1, 3, 12] {
                for (before, after) in [(0, 0), (1, 1), (2, 0), (0, 3)] {
                    let span = SourceSpan::new(offset.into(), len);
                    let ours = indexed.read_span(&span, before, after);
                    let theirs = text.read_span(&span, before, after);
                    match (ours, theirs) {
                        (Ok(ours), Ok(theirs)) => {
                            let facts = |c: &dyn SpanContents| {
                                (c.data().to_vec(), *c.span(), c.line(), c.column(), c.line_count())
                            };
                            assert_eq!(facts(&*ours), facts(&*theirs), "{offset} {len} {before} {after}");
                        }
                        (ours, theirs) => assert_eq!(ours.is_ok(), theirs.is_ok(), "{offset} {len} {before} {after}"),
                    }
                }
            }
        }
    }
}

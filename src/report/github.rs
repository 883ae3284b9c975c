//! GitHub Actions workflow commands: `::error file=..,line=..::message`
//! lines that the Actions runner turns into annotations on the pull request.

use super::located;
use crate::diagnostic::Severity;
use crate::lint::Linted;
use std::path::Path;

pub fn render(files: &[Linted], root: Option<&Path>) -> String {
    let mut out = String::new();
    for linted in files {
        for found in located(linted) {
            let finding = found.finding;
            let level = match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut properties = vec![format!(
                "file={}",
                property(&super::report_path(&linted.document.path, root))
            )];
            if let (Some((line, col)), Some((end_line, end_col))) = (found.start, found.end) {
                properties.push(format!("line={line}"));
                properties.push(format!("endLine={end_line}"));
                // GitHub ignores columns on annotations that span lines.
                if line == end_line {
                    properties.push(format!("col={col}"));
                    properties.push(format!("endColumn={end_col}"));
                }
            }
            properties.push(format!(
                "title={}",
                property(&format!("{} ({})", finding.code(), finding.rule.name))
            ));
            let mut message = finding.message.clone();
            if let Some(help) = &finding.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            out.push_str(&format!("::{level} {}::{}\n", properties.join(","), data(&message)));
        }
    }
    out
}

/// The escaping the runner undoes in a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// The escaping the runner undoes in a command's `key=value` properties.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::lint::{lint, Filter};
    use crate::source::properties;

    #[test]
    fn annotations_escape_their_properties_and_message() {
        let linted = lint(
            properties::parse("a,b:c.properties", "omero.web.debug=yes\n"),
            catalog().latest,
            &Filter::default(),
        );
        let text = render(&[linted], None);
        assert!(
            text.starts_with("::warning file=a%2Cb%3Ac.properties,line=1,endLine=1,col=17,endColumn=20,title=TY006 (boolean-means-false)::"),
            "{text}"
        );
        assert!(text.contains("%0Ahelp: "), "{text}");
        assert_eq!(text.lines().count(), 1);
    }
}

//! One line per finding, `path:line:col: severity[CODE] message`, the shape
//! editors and `grep` understand.

use super::located;
use crate::lint::Linted;
use std::path::Path;

pub fn render(files: &[Linted], root: Option<&Path>) -> String {
    let mut out = String::new();
    for linted in files {
        for found in located(linted) {
            let (line, column) = found.start.unwrap_or((1, 1));
            out.push_str(&format!(
                "{}:{line}:{column}: {}[{}] {}\n",
                super::report_path(&linted.document.path, root),
                found.finding.severity,
                found.finding.code(),
                one_line(&found.finding.message)
            ));
        }
    }
    out
}

/// A message on one line: line breaks become spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::lint::{lint, Filter};
    use crate::source::properties;

    #[test]
    fn one_line_per_finding_with_position() {
        let linted = lint(
            properties::parse("web.properties", "omero.web.page_size=100\nomero.web.debug=yes\n"),
            catalog().latest,
            &Filter::default(),
        );
        let text = render(&[linted], None);
        assert_eq!(
            text,
            "web.properties:2:17: warning[TY006] omero.web.debug: `yes` is read as False\n"
        );
    }
}

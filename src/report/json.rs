//! The machine report: `{"version":1,"files":[...],"summary":{...}}` with
//! 1-based lines and columns.

use crate::diagnostic::Severity;
use crate::document::LineIndex;
use crate::lint::Linted;
use serde_json::{json, Value};

pub fn render(files: &[Linted]) -> Value {
    let mut summary = [0usize; 3];
    let files: Vec<Value> = files
        .iter()
        .map(|linted| {
            let index = LineIndex::new(&linted.document.source);
            let diagnostics: Vec<Value> = linted
                .findings
                .iter()
                .map(|f| {
                    summary[match f.severity {
                        Severity::Error => 0,
                        Severity::Warning => 1,
                        Severity::Info => 2,
                    }] += 1;
                    let start = f.span.map(|s| index.position(s.start));
                    let end = f.span.map(|s| index.position(s.end));
                    json!({
                        "code": f.code(),
                        "severity": f.severity,
                        "key": f.key,
                        "message": f.message,
                        "line": start.map(|p| p.0),
                        "column": start.map(|p| p.1),
                        "end_line": end.map(|p| p.0),
                        "end_column": end.map(|p| p.1),
                        "help": f.help,
                        "fix": f.fix.as_ref().map(|fix| fix.description.clone()),
                    })
                })
                .collect();
            json!({"path": linted.document.path, "diagnostics": diagnostics})
        })
        .collect();
    json!({
        "version": 1,
        "files": files,
        "summary": {"errors": summary[0], "warnings": summary[1], "infos": summary[2]},
    })
}

//! The machine report: `{"version":1,"files":[...],"summary":{...}}` with
//! 1-based lines and columns, serialised straight from the findings.

use super::located;
use crate::diagnostic::{Change, Severity};
use crate::lint::Linted;
use crate::secrets;
use serde::Serialize;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    files: Vec<File<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    diagnostics: Vec<Diagnostic<'a>>,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    code: &'static str,
    severity: Severity,
    key: Option<&'a str>,
    message: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    help: Option<&'a str>,
    /// The repair as a change of the configuration, values masked where secret.
    fix: Option<FixReport<'a>>,
}

#[derive(Serialize)]
struct FixReport<'a> {
    description: &'a str,
    changes: Vec<Change>,
    /// `lint --fix` can apply it to this file.
    exact: bool,
    /// `migrate` applies it by itself.
    upgrade: bool,
    note: Option<&'a str>,
}

#[derive(Serialize, Default)]
struct Summary {
    errors: usize,
    warnings: usize,
    infos: usize,
}

fn masked(change: &Change) -> Change {
    match change {
        Change::Set { key, value } => Change::Set {
            key: key.clone(),
            value: secrets::mask_value(key, value),
        },
        other => other.clone(),
    }
}

/// The report as JSON text.
pub fn render(files: &[Linted]) -> String {
    let mut summary = Summary::default();
    let files = files
        .iter()
        .map(|linted| {
            let diagnostics = located(linted)
                .into_iter()
                .map(|found| {
                    let (f, start, end) = (found.finding, found.start, found.end);
                    match f.severity {
                        Severity::Error => summary.errors += 1,
                        Severity::Warning => summary.warnings += 1,
                        Severity::Info => summary.infos += 1,
                    }
                    Diagnostic {
                        code: f.code(),
                        severity: f.severity,
                        key: f.key.as_deref(),
                        message: &f.message,
                        line: start.map(|p| p.0),
                        column: start.map(|p| p.1),
                        end_line: end.map(|p| p.0),
                        end_column: end.map(|p| p.1),
                        help: f.help.as_deref(),
                        fix: f.fix.as_ref().map(|fix| FixReport {
                            description: &fix.description,
                            changes: fix.changes.iter().map(masked).collect(),
                            exact: fix.is_exact(),
                            upgrade: fix.upgrade,
                            note: fix.note.as_deref(),
                        }),
                    }
                })
                .collect();
            File {
                path: &linted.document.path,
                diagnostics,
            }
        })
        .collect();
    // Serialising plain structs with string keys cannot fail.
    serde_json::to_string(&Report {
        version: 1,
        files,
        summary,
    })
    .unwrap_or_default()
}

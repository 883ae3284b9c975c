//! The machine report: `{"version":1,"files":[...],"summary":{...}}` with
//! 1-based lines and columns, serialised straight from the findings.

use super::located;
use crate::diagnostic::Severity;
use crate::lint::Linted;
use crate::release::Release;
use serde::Serialize;
use std::path::Path;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    /// The release every file was judged against; `null` when they differ.
    release: Option<Judged<'a>>,
    files: Vec<File<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct File<'a> {
    path: String,
    release: Judged<'a>,
    diagnostics: Vec<Diagnostic<'a>>,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    code: &'static str,
    severity: Severity,
    /// OMERO.web does not start with this configuration.
    blocks_start: bool,
    key: Option<&'a str>,
    message: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    help: Option<&'a str>,
}

#[derive(Serialize, Clone, PartialEq)]
struct Judged<'a> {
    version: String,
    source: &'static str,
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

fn judged(release: &Release) -> Judged<'_> {
    Judged {
        version: release.version.to_string(),
        source: release.source.name(),
        path: release.path.as_deref(),
        note: release.note.as_deref(),
    }
}

#[derive(Serialize, Default)]
struct Summary {
    errors: usize,
    warnings: usize,
    infos: usize,
}

/// The report as JSON text.
pub fn render(linted: &[Linted], root: Option<&Path>) -> String {
    let mut summary = Summary::default();
    let files = linted
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
                        blocks_start: f.blocks_start(),
                        key: f.key.as_deref(),
                        message: &f.message,
                        line: start.map(|p| p.0),
                        column: start.map(|p| p.1),
                        end_line: end.map(|p| p.0),
                        end_column: end.map(|p| p.1),
                        help: f.help.as_deref(),
                    }
                })
                .collect();
            File {
                path: super::report_path(&linted.document.path, root),
                release: judged(&linted.release),
                diagnostics,
            }
        })
        .collect();
    // Serialising plain structs with string keys cannot fail.
    let release = super::shared_release(linted).map(judged);
    serde_json::to_string(&Report {
        version: 1,
        release,
        files,
        summary,
    })
    .unwrap_or_default()
}

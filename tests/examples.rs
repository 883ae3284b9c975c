//! The bundled examples: the human report of each is a reviewed snapshot
//! (tests/snapshots), and the production-style configuration is clean.
//! examples/setup-web.sh joins them once the bash script input lands.

use omeroconf::catalog::catalog;
use omeroconf::lint::{lint, Filter, Linted};
use omeroconf::{report, source};
use std::path::Path;

fn lint_example(name: &str) -> Linted {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(!text.is_empty(), "examples/{name} is missing");
    let format = source::detect(&path, &text);
    let document = source::parse(&format!("examples/{name}"), &text, format, &source::Options::default());
    lint(document, catalog().latest, &Filter::default())
}

fn human(linted: &Linted) -> String {
    report::human::render(linted, &report::human::Options { show_secrets: false, color: false, max_per_file: 100 })
}

#[test]
fn production_config_is_clean() {
    let linted = lint_example("production.properties");
    let codes: Vec<_> = linted.findings.iter().map(|f| (f.code(), f.message.clone())).collect();
    assert!(codes.is_empty(), "{codes:#?}");
}

#[test]
fn properties_backup_report() {
    let linted = lint_example("properties.backup");
    insta::assert_snapshot!(human(&linted));
}

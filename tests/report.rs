//! Snapshots of the human report (reviewed like code) for the bundled
//! examples, and the production-style example, which must be clean.

use omeroconf::catalog::{catalog, Version};
use omeroconf::lint::{lint, Filter};
use omeroconf::report::human::{render, Options};
use omeroconf::{formats, source};
use std::path::Path;

fn report(path: &str, release: Version) -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("example exists");
    let format = formats::detect(Path::new(path), &text);
    let document = formats::read(path, &text, format, &source::Options::default());
    let linted = lint(document, release, &Filter::default());
    render(
        &linted,
        &Options {
            show_secrets: false,
            color: false,
            max_per_file: 50,
        },
    )
}

#[test]
fn properties_backup() {
    insta::assert_snapshot!(report("examples/properties.backup", catalog().latest));
}

#[test]
fn install_walkthrough_script() {
    insta::assert_snapshot!(report("examples/setup-web.sh", catalog().latest));
}

#[test]
fn production_config_is_clean() {
    let shown = report("examples/production.properties", catalog().latest);
    assert!(shown.is_empty(), "{shown}");
}

#[test]
fn toml_on_an_old_release() {
    insta::assert_snapshot!(report("examples/omero-web.toml", Version(5, 6, 1)));
}

#[test]
fn findings_beyond_the_cap_are_counted() {
    let text: String = (0..60).map(|i| format!("omero.web.debug{i}=true\n")).collect();
    let document = formats::read(
        "many.properties",
        &text,
        omeroconf::document::Format::Properties,
        &source::Options::default(),
    );
    let linted = lint(document, catalog().latest, &Filter::default());
    let shown = render(
        &linted,
        &Options {
            show_secrets: false,
            color: false,
            max_per_file: 5,
        },
    );
    assert_eq!(shown.matches("KY001").count(), 5);
    assert!(shown.contains("... and 55 more findings in many.properties"));
}

//! `lint --omerodir DIR --venv DIR` on an install laid out as the OMERO.web
//! install guide lays it out: the release comes from the virtualenv, and
//! what the configuration names must be importable from it.

mod common;

use common::{omeroconf, stderr};
use std::process::Command;

const VENV: &str = "tests/fixtures/venv";

/// An OMERODIR whose `etc/grid/config.xml` is written by `convert`.
fn omerodir(properties: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = dir.path().join("web.properties");
    std::fs::write(&source, properties).expect("write");
    let xml = omeroconf(&["convert", "--to", "xml", source.to_str().unwrap_or_default()]);
    assert_eq!(xml.status.code(), Some(0), "{}", stderr(&xml));
    let grid = dir.path().join("OMERO.web/etc/grid");
    std::fs::create_dir_all(&grid).expect("mkdir");
    std::fs::write(grid.join("config.xml"), &xml.stdout).expect("write config.xml");
    dir
}

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(output)))
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["files"][0]["diagnostics"]
        .as_array()
        .map(|d| d.iter().filter_map(|f| f["code"].as_str().map(String::from)).collect())
        .unwrap_or_default()
}

#[test]
fn a_live_install_is_judged_against_its_virtualenv() {
    let dir = omerodir("omero.web.apps=[\"omero_iviewer\", \"omero_figure\"]\nomero.web.wsgi_worker_class=gevent\n");
    let web = dir.path().join("OMERO.web");
    let web = web.to_str().unwrap_or_default();
    let output = omeroconf(&["lint", "--format", "json", "--omerodir", web, "--venv", VENV]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["release"]["version"], "5.33.2");
    assert_eq!(report["release"]["source"], "venv");
    assert_eq!(report["release"]["path"], VENV);
    assert_eq!(codes(&report), vec!["IS003", "IS003"]);
    // An explicit release wins over the virtualenv's.
    let output = omeroconf(&[
        "lint",
        "--format",
        "json",
        "--omerodir",
        web,
        "--venv",
        VENV,
        "--omero-web-version",
        "5.20.0",
    ]);
    assert_eq!(json(&output)["release"]["source"], "option");
    // The human report says which release it judged against, and why.
    let output = omeroconf(&["lint", "--omerodir", web, "--venv", VENV]);
    let text = common::stdout(&output);
    assert!(text.starts_with(&format!("OMERO.web 5.33.2 (venv {VENV})\n")), "{text}");
}

#[test]
fn bad_install_paths_are_usage_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_str().unwrap_or_default();
    let output = omeroconf(&["lint", "--omerodir", path]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no etc/grid/config.xml"),
        "{}",
        stderr(&output)
    );
    let output = omeroconf(&["lint", "--venv", path, "examples/properties.backup"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("is not a virtualenv"), "{}", stderr(&output));
}

/// `$VIRTUAL_ENV` counts only when it holds omero-web: a pre-commit hook's
/// own virtualenv does not.
#[test]
fn virtual_env_is_used_only_when_it_holds_omero_web() {
    let run = |venv: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_omeroconf"))
            .args(["lint", "--format", "json", "examples/properties.backup"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("VIRTUAL_ENV", venv)
            .output()
            .expect("the binary runs");
        json(&output)["release"]["source"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(run(VENV), "venv");
    let other = tempfile::tempdir().expect("temp dir");
    let site = other
        .path()
        .join("lib/python3.12/site-packages/pre_commit-4.0.1.dist-info");
    std::fs::create_dir_all(&site).expect("mkdir");
    assert_eq!(run(other.path().to_str().unwrap_or_default()), "assumed");
}

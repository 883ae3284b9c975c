//! The command line as a user runs it: exit statuses, the JSON report's
//! exact shape, conversion output (secrets: tests/secrets.rs).

mod common;

use common::{omeroconf, stdout, temp_file};
use std::path::Path;

#[test]
fn json_report_has_the_documented_shape() {
    let output = omeroconf(&["lint", "--format", "json", "examples/properties.backup"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let top: Vec<&str> = report.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    assert_eq!(top, vec!["version", "files", "summary"]);
    assert_eq!(report["version"], 1);
    assert_eq!(report["files"][0]["path"], "examples/properties.backup");
    let first = &report["files"][0]["diagnostics"][0];
    let fields: Vec<&str> = first.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    assert_eq!(fields, vec!["code", "severity", "key", "message", "line", "column", "end_line", "end_column", "help"]);
    assert_eq!(first["code"], "IN005");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(7), Some(27)));
    let errors = report["files"][0]["diagnostics"].as_array().map_or(0, |d| d.iter().filter(|d| d["severity"] == "error").count());
    assert_eq!(report["summary"]["errors"].as_u64(), Some(errors as u64));
}

#[test]
fn exit_status_follows_severity() {
    let (_dir, clean) = temp_file("clean.properties", b"omero.web.debug=false\nomero.web.prefix=/omero\n");
    assert_eq!(omeroconf(&["lint", clean.to_str().unwrap_or_default()]).status.code(), Some(0));
    let (_dir, warn) = temp_file("warn.properties", b"omero.web.debug=yes\n");
    let path = warn.to_str().unwrap_or_default();
    assert_eq!(omeroconf(&["lint", path]).status.code(), Some(0));
    assert_eq!(omeroconf(&["lint", "--deny-warnings", path]).status.code(), Some(1));
    assert_eq!(omeroconf(&["lint", "--ignore", "TY006", "--deny-warnings", path]).status.code(), Some(0));
}

#[test]
fn unreadable_input_is_a_usage_error() {
    let missing = omeroconf(&["lint", "no/such/file.properties"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read no/such/file.properties"));
    let (_dir, latin1) = temp_file("latin1.properties", b"omero.web.top_logo=caf\xe9\n");
    let output = omeroconf(&["lint", latin1.to_str().unwrap_or_default()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not UTF-8 text (invalid byte at offset 22)"));
    let bad_version = omeroconf(&["lint", "--omero-web-version", "5.99.0", "examples/properties.backup"]);
    assert_eq!(bad_version.status.code(), Some(2));
}

#[test]
fn nul_bytes_and_crlf_are_handled() {
    let (_dir, nul) = temp_file("nul.properties", b"omero.web.top_logo=a\x00b\r\nomero.web.debug=true\r\n");
    let output = omeroconf(&["lint", "--format", "json", nul.to_str().unwrap_or_default()]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(report["files"][0]["diagnostics"][0]["code"], "IN010");
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn convert_prints_what_omero_stores() {
    let output = omeroconf(&["convert", "--to", "json", "tests/differential/cases/continuation.properties"]);
    assert_eq!(output.status.code(), Some(0));
    let ours: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let answer: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new("tests/differential/answers/continuation.json")).expect("answer recorded"),
    )
    .expect("answer is JSON");
    assert_eq!(ours, answer["stored"]);
}

#[test]
fn explain_and_rules() {
    let rules = stdout(&omeroconf(&["rules"]));
    assert!(rules.lines().any(|l| l.starts_with("TY006") && l.contains("boolean-means-false")));
    let explained = omeroconf(&["explain", "ty006"]);
    assert_eq!(explained.status.code(), Some(0));
    assert!(stdout(&explained).contains("omero config set omero.web.public.enabled true"));
    let key = stdout(&omeroconf(&["explain", "omero.web.csrf_trusted_origins"]));
    assert!(key.contains("5.22.0 and later"), "{key}");
    let unknown = omeroconf(&["explain", "omero.web.debgu"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("omero.web.debug"));
}

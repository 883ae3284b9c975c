//! The `omeroconf` binary: `rules`, `explain`, and `lint` with `--fix`,
//! `--diff` and `--cores`.

use omeroconf::catalog::catalog;
use omeroconf::rules::RULES;
use std::path::Path;
use std::process::{Command, Output};

fn omeroconf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_omeroconf"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn rules_lists_every_rule() {
    let output = omeroconf(&["rules"]);
    assert!(output.status.success());
    let text = stdout(&output);
    for rule in RULES {
        assert!(
            text.lines().any(|l| l.starts_with(rule.code) && l.contains(rule.name)),
            "{} missing",
            rule.code
        );
    }
}

#[test]
fn explain_works_for_every_rule_and_every_key() {
    for rule in RULES {
        let output = omeroconf(&["explain", rule.code]);
        assert!(output.status.success(), "{}", rule.code);
        let text = stdout(&output);
        assert!(
            text.contains(rule.explanation) && text.contains("Example:") && text.contains("Instead:"),
            "{}",
            rule.code
        );
    }
    for property in &catalog().properties {
        let output = omeroconf(&["explain", &property.key]);
        assert!(output.status.success(), "{}", property.key);
        assert!(stdout(&output).starts_with(&property.key), "{}", property.key);
    }
    assert_eq!(omeroconf(&["explain", "omero.web.debgu"]).status.code(), Some(2));
}

const FIXABLE: &str =
    "omero.web.public.password=Secret-Pa55\nomero.web.prefix=/omero/\nomero.web.static_url=/omero/static/\n";

fn temp_file(dir: &Path, text: &str) -> String {
    let path = dir.join("web.properties");
    std::fs::write(&path, text).expect("written");
    path.display().to_string()
}

#[test]
fn diff_shows_fixes_with_secrets_masked_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_file(dir.path(), FIXABLE);
    let output = omeroconf(&["lint", "--diff", &path]);
    assert_eq!(output.status.code(), Some(1), "there are fixes to apply");
    let diff = stdout(&output);
    assert!(
        diff.contains("-omero.web.prefix=/omero/\n+omero.web.prefix=/omero\n"),
        "{diff}"
    );
    assert!(!diff.contains("Secret-Pa55"), "{diff}");
    // The mask does not reveal the secret's length.
    assert!(diff.contains("omero.web.public.password=********\n"), "{diff}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("web.properties")).expect("readable"),
        FIXABLE
    );
    let clean = temp_file(
        dir.path(),
        "omero.web.prefix=/omero\nomero.web.static_url=/omero/static/\n",
    );
    let output = omeroconf(&["lint", "--diff", &clean]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).is_empty());
}

#[test]
fn fix_rewrites_only_what_it_fixes_and_reports_the_rest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("{FIXABLE}omero.web.debug=true\n");
    let path = temp_file(dir.path(), &text);
    let output = omeroconf(&["lint", "--fix", &path]);
    let after = std::fs::read_to_string(dir.path().join("web.properties")).expect("readable");
    assert_eq!(after, text.replace("/omero/\n", "/omero\n"));
    let report = stdout(&output);
    assert!(report.contains("SC001") && !report.contains("PA002"), "{report}");
    assert_eq!(output.status.code(), Some(0), "only a warning is left");
}

#[test]
fn cores_is_a_lint_option() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_file(dir.path(), "omero.web.wsgi_workers=16\n");
    let with = stdout(&omeroconf(&["lint", "--cores", "2", "--format", "json", &path]));
    assert!(with.contains("\"GU001\""), "{with}");
    let without = stdout(&omeroconf(&["lint", "--format", "json", &path]));
    assert!(
        !without.contains("\"GU001\"") && without.contains("\"GU002\""),
        "{without}"
    );
    assert_eq!(omeroconf(&["lint", "--cores", "0", &path]).status.code(), Some(2));
}

//! Rules as checked data: every declared rule is registered, each rule's
//! `example` triggers it through the real pipeline (format detection,
//! reader, resolution, rules) and its `fixed_example` does not, and the
//! finding each example produces is snapshotted (reviewed like code).
//!
//! An example may start with a comment that sets the lint context, as a
//! reader would: a release number (`# on OMERO.web 5.13`, `# linted for
//! 5.21.0`), `--cores N` and `--venv DIR` (a virtualenv under the crate).

mod common;

use omeroconf::catalog::{catalog, Version};
use omeroconf::lint::{lint_deployed, Filter, Linted};
use omeroconf::release::Given;
use omeroconf::report::human::{render, Options};
use omeroconf::rules::{self, RULES};
use omeroconf::venv::Venv;
use omeroconf::{formats, source};
use std::collections::BTreeSet;
use std::path::Path;

/// A file name that makes `formats::detect` read the example as what it shows.
fn example_name(text: &str) -> &'static str {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let first = lines.first().copied().unwrap_or_default();
    if text.contains("omero config ") {
        "example.sh"
    } else if first.starts_with('[') {
        "example.toml"
    } else if first.starts_with("CONFIG_") || first.starts_with("OMEROHOST") {
        "example.env"
    } else if first.starts_with("environment:") || first.starts_with("services:") {
        "docker-compose.yml"
    } else if first.ends_with(':') || first.starts_with("omero_") {
        "group_vars/all.yml"
    } else {
        "example.properties"
    }
}

/// The release and deployment facts a leading comment of the example names.
fn context(text: &str) -> (Option<Version>, rules::Options) {
    let comment = text.lines().next().filter(|l| l.starts_with('#')).unwrap_or_default();
    let words: Vec<&str> = comment.split_whitespace().collect();
    let release = words
        .iter()
        .filter(|w| w.contains('.'))
        .find_map(|w| Version::parse(w))
        .map(|v| {
            // `5.13` means the newest 5.13.x the catalog knows.
            catalog()
                .releases
                .iter()
                .rev()
                .map(|r| r.version)
                .find(|r| *r == v || (v.2 == 0 && r.0 == v.0 && r.1 == v.1))
                .unwrap_or_else(|| panic!("the example names release {v}, which the catalog lacks"))
        });
    let cores = words
        .iter()
        .position(|w| *w == "--cores")
        .and_then(|i| words.get(i + 1))
        .and_then(|n| n.parse().ok());
    // `--venv DIR` (relative to the crate) is the virtualenv judged against.
    let venv = words
        .iter()
        .position(|w| *w == "--venv")
        .and_then(|i| words.get(i + 1))
        .map(|dir| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            std::sync::Arc::new(Venv::read(&dir).unwrap_or_else(|e| panic!("{e}")))
        });
    (release, rules::Options { cores, venv })
}

fn lint_example(text: &str) -> Linted {
    let name = example_name(text);
    let format = formats::detect(Path::new(name), text);
    let document = formats::read(name, text, format, &source::Options::default());
    // Without a release in the comment, the one the example pins (else the latest).
    let (option, options) = context(text);
    let installed = options
        .venv
        .as_ref()
        .and_then(|v| Some((v.omero_web().ok()?, v.root.display().to_string())));
    let given = Given {
        option,
        venv: installed,
        ..Given::default()
    };
    lint_deployed(document, &given, &Filter::default(), &options)
}

fn codes(linted: &Linted) -> Vec<&'static str> {
    linted.findings.iter().map(|f| f.code()).collect()
}

#[test]
fn examples_trigger_their_rule_and_fixed_examples_do_not() {
    let mut wrong = Vec::new();
    for rule in RULES {
        let found = lint_example(rule.example);
        if !codes(&found).contains(&rule.code) {
            wrong.push(format!(
                "{}: example does not trigger it: {:?}",
                rule.code,
                codes(&found)
            ));
        }
        let fixed = lint_example(rule.fixed_example);
        if codes(&fixed).contains(&rule.code) {
            wrong.push(format!("{}: fixed example still triggers it", rule.code));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The rendered finding of each rule's example.
#[test]
fn example_findings() {
    for rule in RULES {
        let mut linted = lint_example(rule.example);
        linted.findings.retain(|f| f.code() == rule.code);
        let shown = render(
            &linted,
            &Options {
                show_secrets: false,
                color: false,
                max_per_file: 10,
            },
        );
        insta::assert_snapshot!(rule.code, shown, rule.example);
    }
}

/// Forgetting to list a rule in `RULES` compiles; this test fails instead.
#[test]
fn every_declared_rule_is_registered() {
    let files = common::rust_sources();
    let mut declared = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source readable");
        // Rules declared by a test module (to test rendering) are not the program's.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (at, _) in text.match_indices(": Rule = Rule {") {
            let code = text[at..]
                .split("code: \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("a rule in {} has no code", file.display()));
            declared.insert(code.to_string());
        }
    }
    let registered: BTreeSet<String> = RULES.iter().map(|r| r.code.to_string()).collect();
    assert!(declared.len() > 80, "the scan found only {} rules", declared.len());
    assert_eq!(
        declared, registered,
        "every `static ...: Rule` must be listed in rules::RULES"
    );
}

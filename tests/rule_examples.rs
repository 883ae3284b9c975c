//! Rules as checked data: every declared rule is registered, each rule's
//! `example` triggers it through the real pipeline (format detection,
//! reader, resolution, rules) and its `fixed_example` does not, and the
//! finding each example produces is snapshotted (reviewed like code).
//!
//! An example may start with a comment that sets the lint context (see
//! `common::examples`).

mod common;

use common::examples::lint_example;
use omeroconf::lint::Linted;
use omeroconf::report::human::{render, Options};
use omeroconf::rules::RULES;
use std::collections::BTreeSet;

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

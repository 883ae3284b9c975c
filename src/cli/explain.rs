//! `omeroconf rules` and `omeroconf explain`: the rule registry and the
//! catalog, as text.

use super::{write_out, USAGE};
use clap::ValueEnum;
use omeroconf::catalog::{self, catalog};
use omeroconf::rules;

/// How `omeroconf rules` prints the registry.
#[derive(Clone, Copy, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

/// `omeroconf rules`: one line per rule, the README's Markdown table, or JSON.
pub fn rules(markdown: bool, format: RulesFormat) -> u8 {
    if markdown {
        return write_out(&rules::markdown_table());
    }
    if let RulesFormat::Json = format {
        return write_out(&rules::json_list());
    }
    let mut text = format!(
        "{:<6}  {:<26}  {:<8}  {:<3}  SUMMARY\n",
        "CODE", "NAME", "SEVERITY", "FIX"
    );
    for rule in rules::RULES {
        text.push_str(&format!(
            "{:<6}  {:<26}  {:<8}  {:<3}  {}\n",
            rule.code,
            rule.name,
            rule.severity,
            if rule.fix { "yes" } else { "" },
            rule.summary
        ));
    }
    write_out(&text)
}

/// `omeroconf explain TOPIC`: a rule by code or name, else a property.
pub fn explain(topic: &str) -> u8 {
    if let Some(rule) = rules::find(topic) {
        let fix = if rule.fix {
            "; `omeroconf lint --fix` can repair it"
        } else {
            ""
        };
        let blocks = if rule.blocks_start {
            "; OMERO.web does not start"
        } else {
            ""
        };
        return write_out(&format!(
            "{} ({}): {}\n\nSeverity: {}{blocks}{fix}\n\n{}\n\nExample:\n{}\n\nInstead:\n{}\n",
            rule.code,
            rule.name,
            rule.summary,
            rule.severity,
            rule.explanation,
            indent(rule.example),
            indent(rule.fixed_example)
        ));
    }
    if let Some(property) = catalog().property(topic) {
        return write_out(&catalog::describe(property));
    }
    let suggestions = catalog().similar_keys(topic);
    eprintln!("error: `{topic}` is neither a rule code nor a known property");
    if !suggestions.is_empty() {
        eprintln!("did you mean: {}", suggestions.join(", "));
    }
    USAGE
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

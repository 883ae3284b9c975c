//! The layering of the library: the top-level modules under `src/` import
//! each other without a circle (`span` at the bottom, then `diagnostic`,
//! `document`, the readers, `resolve`, `rules`, the reports and emitters).
//! Test modules may reach anywhere and are not counted.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which top-level modules each top-level module imports outside its tests.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = common::rust_sources();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let first = relative.components().next().expect("a file name");
        let module = first.as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" || module == "bin" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("source readable");
        // Test modules close each file.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let imports = graph.entry(module.clone()).or_default();
        for (at, _) in code.match_indices("crate::") {
            let name: String = code[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != module {
                imports.insert(name);
            }
        }
    }
    graph
}

/// A circle through `start`, if there is one.
fn circle(
    graph: &BTreeMap<String, BTreeSet<String>>,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    let here = path.last().cloned().unwrap_or_default();
    for next in graph.get(&here).into_iter().flatten() {
        if let Some(at) = path.iter().position(|m| m == next) {
            let mut found = path[at..].to_vec();
            found.push(next.clone());
            return Some(found);
        }
        if done.contains(next) {
            continue;
        }
        path.push(next.clone());
        if let Some(found) = circle(graph, path, done) {
            return Some(found);
        }
        path.pop();
    }
    done.insert(here);
    None
}

#[test]
fn top_level_modules_import_each_other_without_a_circle() {
    let graph = module_graph();
    assert!(graph.contains_key("span") && graph.contains_key("rules"), "{graph:?}");
    let mut done = BTreeSet::new();
    for start in graph.keys() {
        if let Some(found) = circle(&graph, &mut vec![start.clone()], &mut done) {
            panic!("import circle: {}", found.join(" -> "));
        }
    }
    // The vocabulary at the bottom imports nothing of the crate.
    assert!(graph["span"].is_empty(), "span imports {:?}", graph["span"]);
    assert_eq!(graph["diagnostic"], BTreeSet::from(["span".to_string()]));
}

/// Every `scripts/...` path the documentation, CI and code mention exists,
/// so moving a script cannot leave a stale instruction behind.
#[test]
fn every_script_mentioned_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["README.md", "CONTRIBUTING.md", ".ci/run"]
        .iter()
        .map(|name| root.join(name))
        .collect();
    for dir in ["scripts", "src", "tests"] {
        let found = common::files_under(&root.join(dir));
        // Fixtures are data, some of it generated; they name no instructions.
        files.extend(
            found
                .into_iter()
                .filter(|p| !p.components().any(|c| c.as_os_str() == "fixtures")),
        );
    }
    let mut checked = 0;
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (at, _) in text.match_indices("scripts/") {
            let mentioned: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '.' | '-'))
                .collect();
            let mentioned = mentioned.trim_end_matches('.');
            if mentioned.ends_with(".sh") || mentioned.ends_with(".py") {
                assert!(
                    root.join(mentioned).is_file(),
                    "{} names {mentioned}, which does not exist",
                    file.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} script paths found");
}

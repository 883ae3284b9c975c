//! Differential suite: omeroconf against the real OMERO's recorded answers
//! (tests/differential/answers, recorded by scripts/record_differential.py
//! from ../shared/oracle). For every case, the stored properties must be equal,
//! and the keys omeroconf calls invalid must be exactly those OMERO.web's own
//! parsers reject.

use omeroconf::catalog::{catalog, Section};
use omeroconf::diagnostic::Severity;
use omeroconf::lint::{lint, Filter};
use omeroconf::source;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Rules that say "OMERO.web's parser rejects this value".
const REJECTION_CODES: &[&str] = &["TY001", "TY002", "TY003", "TY004", "TY005", "TY007", "TY010", "TY012", "MW001", "MW002"];

struct Outcome {
    name: String,
    problems: Vec<String>,
}

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    cases.sort();
    cases
}

fn check(path: &Path) -> Outcome {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
    let answer_path = path.parent().and_then(Path::parent).map(|p| p.join("answers").join(format!("{stem}.json")));
    let mut problems = Vec::new();
    let answer: serde_json::Value = match answer_path.as_deref().map(std::fs::read_to_string) {
        Some(Ok(text)) => serde_json::from_str(&text).unwrap_or_default(),
        _ => {
            problems.push("no recorded answer".to_string());
            return Outcome { name, problems };
        }
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let format = source::detect(path, &text);
    let options = source::Options { base_dir: path.parent().map(Path::to_path_buf), ..Default::default() };
    let document = source::parse(&name, &text, format, &options);
    let linted = lint(document, catalog().latest, &Filter::default());

    let ours: Vec<(String, String)> = match linted.config.stored() {
        Ok(stored) => stored.into_iter().collect(),
        Err(unknown) => {
            problems.push(format!("unknown values for {unknown:?}"));
            Vec::new()
        }
    };
    let theirs: Vec<(String, String)> = answer["stored"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default();
    if ours != theirs {
        problems.push(format!("stored properties differ:\n  omeroconf: {ours:?}\n  OMERO:     {theirs:?}"));
    }

    // Apps are not installed in the oracle, so their keys are never judged there.
    let judged = |key: &str| catalog().property(key).is_none_or(|p| !matches!(p.section, Section::App(_)));
    // `--per-key` also runs the parsers of deprecated keys, which the real
    // import never does; only the import's own failure counts for them.
    let deprecated = |key: &str| catalog().property(key).is_some_and(|p| p.section == Section::Deprecated);
    let mut rejected: BTreeSet<String> = answer["rejected"]
        .as_object()
        .map(|m| m.keys().filter(|k| !deprecated(k)).cloned().collect())
        .unwrap_or_default();
    if let Some(key) = answer["import_error"]["key"].as_str() {
        rejected.insert(key.to_string());
    }
    let errors: BTreeSet<String> = linted
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && REJECTION_CODES.contains(&f.code()))
        .filter_map(|f| f.key.clone())
        .filter(|k| judged(k))
        .collect();
    if errors != rejected {
        problems.push(format!("rejected keys differ:\n  omeroconf: {errors:?}\n  OMERO:     {rejected:?}"));
    }
    Outcome { name, problems }
}

#[test]
fn omeroconf_agrees_with_the_real_omero() {
    let outcomes: Vec<Outcome> = cases().iter().map(|c| check(c)).collect();
    let agreeing = outcomes.iter().filter(|o| o.problems.is_empty()).count();
    println!(
        "differential agreement: {agreeing}/{} cases ({:.1}%)",
        outcomes.len(),
        100.0 * agreeing as f64 / outcomes.len().max(1) as f64
    );
    let failures: Vec<String> =
        outcomes.iter().filter(|o| !o.problems.is_empty()).map(|o| format!("{}: {}", o.name, o.problems.join("\n"))).collect();
    assert!(outcomes.len() >= 20, "the corpus is too small: {}", outcomes.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

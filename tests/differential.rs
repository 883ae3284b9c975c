//! Differential suite: omeroconf against the real OMERO's recorded answers
//! (tests/differential/answers, recorded by scripts/record/differential.py
//! from ../shared/oracle). For every case, the stored properties must be
//! equal, the keys omeroconf calls invalid must be exactly those OMERO.web's
//! own parsers reject, and the nginx file and gunicorn command must be
//! OMERO's, or refused where OMERO refuses.

use omeroconf::catalog::{catalog, Section};
use omeroconf::emit::runtime::{import_failures, Runtime};
use omeroconf::emit::{self, gunicorn, nginx, Refusal, DEFAULT_OMERODIR};
use omeroconf::lint::{lint, Filter, Linted};
use omeroconf::{formats, source};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The inputs the recorder reads (other files are data the cases use).
const EXTENSIONS: &[&str] = &["sh", "properties", "xml"];

/// What each case is compared on.
const ASPECTS: [&str; 4] = ["stored", "rejected", "nginx", "gunicorn"];

struct Outcome {
    name: String,
    /// Per aspect of [`ASPECTS`], what differs (empty when it agrees).
    problems: [Vec<String>; 4],
}

impl Outcome {
    fn agrees(&self) -> bool {
        self.problems.iter().all(Vec::is_empty)
    }
}

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    cases.retain(|p| p.extension().is_some_and(|e| EXTENSIONS.iter().any(|x| e == *x)));
    cases.sort();
    cases
}

fn answer_of(path: &Path) -> Option<Value> {
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    let answer = path.parent()?.parent()?.join("answers").join(format!("{stem}.json"));
    serde_json::from_str(&std::fs::read_to_string(answer).ok()?).ok()
}

fn check(path: &Path) -> Outcome {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut outcome = Outcome {
        name: name.clone(),
        problems: Default::default(),
    };
    let Some(answer) = answer_of(path) else {
        outcome.problems[0].push("no recorded answer; run scripts/record/differential.py".to_string());
        return outcome;
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let format = formats::detect(path, &text);
    let options = source::Options {
        base_dir: path.parent().map(Path::to_path_buf),
        ..Default::default()
    };
    let document = formats::read(&name, &text, format, &options);
    let linted = lint(document, catalog().latest, &Filter::default());
    outcome.problems = [
        stored(&linted, &answer),
        rejected(&linted, &answer),
        nginx(&linted, &answer),
        gunicorn(&linted, &answer),
    ];
    outcome
}

fn stored(linted: &Linted, answer: &Value) -> Vec<String> {
    // The oracle leaves out the keys config.xml keeps for itself.
    let ours: Vec<(String, String)> = match linted.config.stored() {
        Ok(stored) => stored
            .into_iter()
            .filter(|(k, _)| k != "omero.config.version" && k != "omero.config.profile")
            .collect(),
        Err(unknown) => return vec![format!("unknown values for {unknown:?}")],
    };
    let theirs: Vec<(String, String)> = answer["stored"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    if ours == theirs {
        return Vec::new();
    }
    vec![format!(
        "stored properties differ:\n  omeroconf: {ours:?}\n  OMERO:     {theirs:?}"
    )]
}

fn rejected(linted: &Linted, answer: &Value) -> Vec<String> {
    // Apps are not installed in the oracle, so their keys are never judged there.
    let judged = |key: &str| {
        catalog()
            .property(key)
            .is_none_or(|p| !matches!(p.section, Section::App(_)))
    };
    // `--per-key` also runs the parsers of deprecated keys, which the real
    // import never does; only the import's own failure counts for them.
    let deprecated = |key: &str| {
        catalog()
            .property(key)
            .is_some_and(|p| p.section == Section::Deprecated)
    };
    let mut theirs: BTreeSet<String> = answer["rejected"]
        .as_object()
        .map(|m| m.keys().filter(|k| !deprecated(k)).cloned().collect())
        .unwrap_or_default();
    let import_errors = answer["import_errors"].as_array().into_iter().flatten();
    theirs.extend(import_errors.filter_map(|e| e["key"].as_str()).map(str::to_string));
    let Ok(stored) = emit::stored(&linted.config) else {
        return vec!["unknown stored values".to_string()];
    };
    let ours: BTreeSet<String> = import_failures(&stored, linted.config.release)
        .into_iter()
        .map(|(key, _)| key)
        .filter(|k| judged(k))
        .collect();
    let mut problems = Vec::new();
    if ours != theirs {
        problems.push(format!(
            "rejected keys differ:\n  omeroconf: {ours:?}\n  OMERO:     {theirs:?}"
        ));
    }
    // lint reports every key the settings import rejects as blocking start.
    let blocking: BTreeSet<&str> = linted
        .findings
        .iter()
        .filter(|f| f.blocks_start())
        .filter_map(|f| f.key.as_deref())
        .collect();
    let unreported: Vec<&String> = ours.iter().filter(|k| !blocking.contains(k.as_str())).collect();
    if !unreported.is_empty() {
        problems.push(format!("lint reports no blocks_start error for {unreported:?}"));
    }
    problems
}

fn runtime(linted: &Linted) -> Result<Runtime, Refusal> {
    Runtime::new(&linted.document, &linted.config, DEFAULT_OMERODIR)
}

/// Compares an output with OMERO's: the same text, or refused by both.
fn compare(what: &str, ours: Result<String, Refusal>, theirs: Option<&str>, refusal: &Value) -> Vec<String> {
    match (ours, theirs) {
        (Ok(ours), Some(theirs)) if ours == theirs => Vec::new(),
        (Ok(ours), Some(theirs)) => vec![format!(
            "{what} differs:\n{}",
            similar::TextDiff::from_lines(theirs, &ours)
                .unified_diff()
                .header("OMERO", "omeroconf")
        )],
        (Ok(_), None) => vec![format!("{what}: OMERO refused ({refusal}), omeroconf wrote it")],
        (Err(refusal), Some(_)) => vec![format!("{what}: OMERO writes it, omeroconf refused: {refusal}")],
        (Err(_), None) => Vec::new(),
    }
}

fn nginx(linted: &Linted, answer: &Value) -> Vec<String> {
    let ours = runtime(linted).and_then(|rt| nginx::render(&rt, nginx::Kind::Nginx, &nginx::Options::default()));
    compare(
        "nginx",
        ours,
        answer["nginx"]["text"].as_str(),
        &answer["nginx"]["refused"],
    )
}

fn gunicorn(linted: &Linted, answer: &Value) -> Vec<String> {
    let recorded = &answer["gunicorn"];
    let theirs = recorded["command"].as_str().map(|c| format!("{c}\n"));
    let ours = runtime(linted).and_then(|rt| gunicorn::render(&rt, gunicorn::Style::Argv));
    let mut problems = compare("gunicorn command", ours, theirs.as_deref(), &recorded["refused"]);
    // `omero web start` exports SCRIPT_NAME for a prefix.
    if theirs.is_some() {
        let ours = runtime(linted).and_then(|rt| rt.script_name());
        let theirs = recorded["script_name"].as_str();
        if ours.as_ref().map(Option::as_deref) != Ok(theirs) {
            problems.push(format!("SCRIPT_NAME: omeroconf {ours:?}, OMERO {theirs:?}"));
        }
    }
    problems
}

#[test]
fn omeroconf_agrees_with_the_real_omero() {
    let outcomes: Vec<Outcome> = cases().iter().map(|c| check(c)).collect();
    let total = outcomes.len();
    let agreeing = outcomes.iter().filter(|o| o.agrees()).count();
    let percent = |n: usize| 100.0 * n as f64 / total.max(1) as f64;
    let aspects: Vec<String> = ASPECTS
        .iter()
        .enumerate()
        .map(|(i, aspect)| {
            let n = outcomes.iter().filter(|o| o.problems[i].is_empty()).count();
            format!("{aspect} {n}/{total}")
        })
        .collect();
    // Straight to stderr: libtest captures print! and eprint!, and the
    // figure belongs in every `cargo test` log.
    let figure = format!(
        "differential agreement: {agreeing}/{total} cases ({:.1}%); {}\n",
        percent(agreeing),
        aspects.join(", ")
    );
    let _ = std::io::stderr().write_all(figure.as_bytes());
    let failures: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.agrees())
        .map(|o| {
            format!(
                "{}: {}",
                o.name,
                o.problems.iter().flatten().cloned().collect::<Vec<_>>().join("\n")
            )
        })
        .collect();
    assert!(
        total >= 300,
        "the corpus is too small: {total} cases; the issue asks for several hundred"
    );
    assert!(
        failures.is_empty(),
        "{} of {total} cases disagree:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

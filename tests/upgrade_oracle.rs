//! The proof that an upgrade finishes the job: for every example, every
//! real-world file and every generated upgrade case (tests/upgrades/cases,
//! one per fact of the upgrade table), what `migrate --to-version 5.33.2 -o
//! OUT --to properties` writes lints without error and the real OMERO.web
//! 5.33.2 loads it (settings import and Django's checks), as recorded by
//! scripts/record/upgrades.py. This test migrates again and fails when the
//! output is not the one the oracle judged, or when the oracle refused it.
//! An input with errors of its own (the examples show some on purpose)
//! keeps them: migrate lists them for a person and OMERO refuses OUT too.

use serde_json::Value;
use std::path::{Path, PathBuf};

mod common;
use common::{omeroconf, stderr};

const TARGET: &str = "5.33.2";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn realworld() -> PathBuf {
    root().join("../shared/realworld")
}

fn answers() -> Vec<(String, Value)> {
    let dir = root().join("tests/upgrades/answers");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let answer = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
            (entry.file_name().to_string_lossy().to_string(), answer)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn input_path(label: &str) -> Option<PathBuf> {
    let (folder, name) = label.split_once('/')?;
    Some(match folder {
        "examples" => root().join("examples").join(name),
        "realworld" => realworld().join(name),
        "cases" => root().join("tests/upgrades/cases").join(name),
        _ => return None,
    })
}

/// The keys of the properties file omeroconf wrote.
fn keys_of(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut keys: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.to_string()))
        .collect();
    keys.sort();
    keys
}

#[test]
fn omero_web_accepts_every_migrated_configuration() -> Result<(), Box<dyn std::error::Error>> {
    let have_realworld = realworld().is_dir();
    assert!(
        have_realworld || std::env::var_os("CI").is_none(),
        "../shared/realworld is missing in CI"
    );
    let dir = tempfile::tempdir()?;
    let mut checked = 0;
    for (name, answer) in answers() {
        let label = answer["input"].as_str().unwrap_or_default();
        let Some(input) = input_path(label) else {
            panic!("{name}: unknown input {label}")
        };
        if label.starts_with("realworld/") && !have_realworld {
            continue;
        }
        let out = dir.path().join(format!("{checked}.properties"));
        let output = omeroconf(&[
            "migrate",
            &input.display().to_string(),
            "--to-version",
            TARGET,
            "-o",
            &out.display().to_string(),
            "--to",
            "properties",
        ]);
        checked += 1;
        let status = i64::from(output.status.code().unwrap_or(-1));
        assert_eq!(Some(status), answer["migrate"].as_i64(), "{name}: {}", stderr(&output));
        if !answer["refused"].is_null() {
            continue;
        }
        // The file the oracle judged is the one migrate writes now.
        let keys: Vec<Value> = keys_of(&out).into_iter().map(Value::String).collect();
        assert_eq!(Some(&keys), answer["migrated_keys"].as_array(), "{name}: re-record");
        let lint = omeroconf(&[
            "lint",
            "--format",
            "json",
            "--omero-web-version",
            TARGET,
            &out.display().to_string(),
        ]);
        let report: Value = serde_json::from_slice(&lint.stdout)?;
        let mut errors: Vec<Value> = report["files"][0]["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["severity"] == "error")
            .map(|d| d["code"].clone())
            .collect();
        errors.sort_by_key(|c| c.as_str().unwrap_or_default().to_string());
        assert_eq!(Some(&errors), answer["lint_errors"].as_array(), "{name}: re-record");
        // Every error left is one migrate's report gives to a person.
        assert_eq!(answer["lint_errors"], answer["left_errors"], "{name}");
        // The proof: without an error from omeroconf, OMERO.web loads and checks it
        // (a failure inside a faked site module says nothing of migrate); with one,
        // OMERO.web refuses it too, so lint and OMERO agree.
        let accepted = answer["settings"]["ok"] == true
            && (answer["check"]["ok"] == true || answer["check"]["in_faked_module"] == true);
        assert_eq!(
            accepted,
            errors.is_empty(),
            "{name}: lint errors {errors:?}, OMERO: {answer}"
        );
    }
    assert!(checked > 0);
    Ok(())
}

#[test]
fn every_input_has_an_answer() {
    let recorded: Vec<String> = answers()
        .into_iter()
        .filter_map(|(_, a)| a["input"].as_str().map(str::to_string))
        .collect();
    let mut folders = vec![
        ("examples", root().join("examples")),
        ("cases", root().join("tests/upgrades/cases")),
    ];
    if realworld().is_dir() {
        folders.push(("realworld", realworld()));
    }
    for (label, dir) in folders {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().filter_map(Result::ok) {
            let input = format!("{label}/{}", entry.file_name().to_string_lossy());
            assert!(
                recorded.contains(&input),
                "{input} has no answer: run scripts/record/upgrades.py"
            );
        }
    }
}

//! The real-world review: every file of `../shared/realworld/` is linted as a
//! user would lint it, and every finding must match a reviewed row of
//! `tests/realworld/verdicts.tsv` (file, line, code, severity, reason).
//!
//! A new finding or a vanished one fails with its file and line. To review a
//! change, run with `OMEROCONF_REALWORLD_BLESS=1`: the verdict file is
//! rewritten with the reasons kept and `REVIEW` in the reason of every new
//! row, and the test keeps failing until each `REVIEW` is replaced by a
//! reason an OMERO admin would accept (or the tool is fixed).

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

const VERDICTS: &str = "tests/realworld/verdicts.tsv";
const UNREVIEWED: &str = "REVIEW";

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld");
    dir.join("SOURCES.tsv").is_file().then_some(dir)
}

/// One corpus file with the format its provenance names (empty: detected).
struct Source {
    file: String,
    format: String,
}

fn sources(dir: &Path) -> Vec<Source> {
    let text = std::fs::read_to_string(dir.join("SOURCES.tsv")).expect("SOURCES.tsv is readable");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("SOURCES.tsv has a header").split('\t').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect("SOURCES.tsv column");
    let (file, format) = (column("local_file"), column("format"));
    lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            Source {
                file: fields[file].to_string(),
                format: fields.get(format).unwrap_or(&"").trim().to_string(),
            }
        })
        .collect()
}

/// (file, line, code, severity) of one finding; a count per key.
type Key = (String, u64, String, String);

fn findings(dir: &Path, source: &Source) -> Vec<Key> {
    let path = dir.join(&source.file);
    let path = path.to_str().expect("corpus paths are UTF-8");
    let mut args = vec!["lint", "--format", "json"];
    if !source.format.is_empty() {
        args.extend(["--from", source.format.as_str()]);
    }
    args.push(path);
    let output = common::omeroconf(&args);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{}: no JSON report ({error}); stderr: {}",
            source.file,
            common::stderr(&output)
        )
    });
    let mut found = Vec::new();
    for file in report["files"].as_array().expect("files array") {
        for diagnostic in file["diagnostics"].as_array().expect("diagnostics array") {
            found.push((
                source.file.clone(),
                diagnostic["line"].as_u64().unwrap_or(0),
                diagnostic["code"].as_str().unwrap_or("").to_string(),
                diagnostic["severity"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    found
}

/// The reviewed verdicts: a reason per finding, in file order.
fn verdicts() -> Vec<(Key, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(VERDICTS);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.splitn(5, '\t').collect();
            assert_eq!(
                fields.len(),
                5,
                "{VERDICTS}: a row needs file, line, code, severity, reason: {line}"
            );
            let number = fields[1]
                .parse()
                .unwrap_or_else(|_| panic!("{VERDICTS}: bad line number in {line}"));
            let key = (
                fields[0].to_string(),
                number,
                fields[2].to_string(),
                fields[3].to_string(),
            );
            (key, fields[4].to_string())
        })
        .collect()
}

fn counts<'a>(keys: impl Iterator<Item = &'a Key>) -> BTreeMap<&'a Key, usize> {
    let mut counts = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

fn bless(found: &[Key], reviewed: &[(Key, String)]) {
    let mut reasons: BTreeMap<&Key, Vec<&str>> = BTreeMap::new();
    for (key, reason) in reviewed {
        reasons.entry(key).or_default().push(reason);
    }
    let mut text = String::from("file\tline\tcode\tseverity\treason\n");
    for key in found {
        let reason = reasons
            .get_mut(key)
            .and_then(|r| (!r.is_empty()).then(|| r.remove(0)))
            .unwrap_or(UNREVIEWED);
        text.push_str(&format!("{}\t{}\t{}\t{}\t{}\n", key.0, key.1, key.2, key.3, reason));
    }
    std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join(VERDICTS), text).expect("write the verdict file");
}

#[test]
fn every_finding_on_real_deployments_is_reviewed() {
    let Some(dir) = corpus() else {
        assert!(std::env::var_os("CI").is_none(), "../shared/realworld is missing in CI");
        eprintln!("note: ../shared/realworld is not beside the checkout; the real-world review is skipped");
        return;
    };
    let sources = sources(&dir);
    let found: Vec<Key> = sources.iter().flat_map(|source| findings(&dir, source)).collect();
    let reviewed = verdicts();
    if std::env::var_os("OMEROCONF_REALWORLD_BLESS").is_some() {
        bless(&found, &reviewed);
    }
    let reviewed = verdicts();

    let tally = |severity: &str| found.iter().filter(|key| key.3 == severity).count();
    // Straight to stderr: libtest captures print! and eprint!, and the
    // figure belongs in every `cargo test` log.
    let figure = format!(
        "realworld: {} files, {} errors, {} warnings, {} infos\n",
        sources.len(),
        tally("error"),
        tally("warning"),
        tally("info")
    );
    let _ = std::io::stderr().write_all(figure.as_bytes());

    let (have, want) = (counts(found.iter()), counts(reviewed.iter().map(|(key, _)| key)));
    let mut problems = Vec::new();
    for (key, n) in &have {
        let expected = want.get(key).copied().unwrap_or(0);
        if *n > expected {
            problems.push(format!(
                "new finding: {}:{} {} {} (x{})",
                key.0,
                key.1,
                key.3,
                key.2,
                n - expected
            ));
        }
    }
    for (key, n) in &want {
        let actual = have.get(key).copied().unwrap_or(0);
        if *n > actual {
            problems.push(format!(
                "vanished finding: {}:{} {} {} (x{})",
                key.0,
                key.1,
                key.3,
                key.2,
                n - actual
            ));
        }
    }
    for (key, reason) in &reviewed {
        if reason.trim().is_empty() || reason.trim() == UNREVIEWED {
            problems.push(format!("not reviewed: {}:{} {} {}", key.0, key.1, key.3, key.2));
        }
    }
    let files: std::collections::BTreeSet<&str> = sources.iter().map(|s| s.file.as_str()).collect();
    for (key, _) in &reviewed {
        if !files.contains(key.0.as_str()) {
            problems.push(format!("verdict for a file not in SOURCES.tsv: {}", key.0));
        }
    }
    assert!(
        problems.is_empty(),
        "{} differences from {VERDICTS}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

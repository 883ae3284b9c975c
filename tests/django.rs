//! Django's own judgment as a second oracle (tests/django, recorded by
//! scripts/record/django.py from ../shared/oracle): for the examples, the
//! differential corpus and the real-world files the oracle can load,
//! omeroconf reports an error that blocks start exactly when OMERO.web's
//! settings import or `django.setup()` and Django's checks (`oracle check`)
//! fail; and its security findings are among Django's deploy warnings.

use omeroconf::catalog::catalog;
use omeroconf::diagnostic::Finding;
use omeroconf::lint::{lint, Filter};
use omeroconf::{formats, source};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where the recorder read each group's inputs; real-world files stay outside
/// the repository, beside the checkout.
fn input_path(input: &str) -> Option<PathBuf> {
    let (group, name) = input.split_once('/')?;
    let dir = match group {
        "examples" => root().join("examples"),
        "differential" => root().join("tests/differential/cases"),
        "realworld" => root().join("../shared/realworld"),
        _ => return None,
    };
    Some(dir.join(name))
}

fn answers() -> Vec<Value> {
    let mut paths: Vec<PathBuf> = ["examples", "differential", "realworld"]
        .iter()
        .flat_map(|group| {
            std::fs::read_dir(root().join("tests/django").join(group))
                .into_iter()
                .flatten()
        })
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

/// omeroconf's findings for an input, as `lint` reads it for the latest release.
fn findings(path: &Path) -> Option<Vec<Finding>> {
    let text = std::fs::read_to_string(path).ok()?;
    let name = path.file_name()?.to_string_lossy().into_owned();
    let options = source::Options {
        base_dir: path.parent().map(Path::to_path_buf),
        ..Default::default()
    };
    let document = formats::read(&name, text.as_str(), formats::detect(path, &text), &options);
    Some(lint(document, catalog().latest, &Filter::default()).findings)
}

/// Django's failure for a recorded answer, if OMERO.web does not start.
fn django_failure(answer: &Value) -> Option<String> {
    let settings = &answer["settings"];
    if settings["ok"] == false {
        return Some(format!("settings import: {}", settings["error"]));
    }
    let check = &answer["check"];
    (check["ok"] == false).then(|| format!("check ({}): {}", check["stage"], check["error"]))
}

struct Judged {
    input: String,
    answer: Value,
    findings: Vec<Finding>,
}

/// The recorded cases omeroconf can read here, and how many were left out.
fn judged() -> (Vec<Judged>, usize, usize) {
    let (mut cases, mut excluded, mut absent) = (Vec::new(), 0, 0);
    for answer in answers() {
        let input = answer["input"].as_str().unwrap_or_default().to_string();
        if answer.get("excluded").is_some() {
            excluded += 1;
            continue;
        }
        match input_path(&input).and_then(|p| findings(&p)) {
            Some(findings) => cases.push(Judged {
                input,
                answer,
                findings,
            }),
            None => absent += 1,
        }
    }
    (cases, excluded, absent)
}

#[test]
fn omeroconf_blocks_start_exactly_when_django_fails() {
    let (cases, excluded, absent) = judged();
    let mut disagreements = Vec::new();
    for case in &cases {
        let ours: Vec<String> = case
            .findings
            .iter()
            .filter(|f| f.blocks_start())
            .map(|f| format!("{} {}", f.code(), f.message))
            .collect();
        let theirs = django_failure(&case.answer);
        // Where the settings import names the key it failed on, omeroconf blames that key too.
        let failed_key = case.answer["settings"]["error"]["key"].as_str();
        let blamed = failed_key.is_none_or(|key| {
            case.findings
                .iter()
                .any(|f| f.blocks_start() && f.key.as_deref() == Some(key))
        });
        if ours.is_empty() == theirs.is_none() && blamed {
            continue;
        }
        disagreements.push(format!(
            "{}:\n  omeroconf: {}\n  Django:    {}",
            case.input,
            if ours.is_empty() {
                "starts".to_string()
            } else {
                ours.join("; ")
            },
            theirs.as_deref().unwrap_or("starts")
        ));
    }
    let total = cases.len();
    let figure = format!(
        "django agreement: {}/{total} cases ({excluded} excluded by the recorder, {absent} inputs absent here)\n",
        total - disagreements.len()
    );
    let _ = std::io::stderr().write_all(figure.as_bytes());
    assert!(
        disagreements.is_empty(),
        "{} of {total} cases disagree with Django:\n\n{}",
        disagreements.len(),
        disagreements.join("\n\n")
    );
    assert!(
        total >= 400,
        "too few judged cases: {total}; run scripts/record/django.py"
    );
}

/// Django's deploy checks that omeroconf's security findings stand for: a
/// finding is reported only where Django warns too (W012/W016 Django gives
/// for every site, omeroconf only where the site is evidently HTTPS).
/// W001 and W019 are OMERO.web's deliberate choices, never reported.
fn django_ids(finding: &Finding) -> Option<&'static str> {
    match (finding.code(), finding.key.as_deref()) {
        ("SC001", _) => Some("security.W018"),
        ("SC002", Some("omero.web.session_cookie_secure")) => Some("security.W012"),
        ("SC002", Some("omero.web.csrf_cookie_secure")) => Some("security.W016"),
        ("SC004", _) => Some("4_0.E001"),
        _ => None,
    }
}

/// Security rules Django has no check for: SameSite=None without Secure
/// (browsers drop the cookie), CORS for every origin (django-cors-headers),
/// secrets written into scripts.
const BEYOND_DJANGO: [&str; 3] = ["SC003", "SC005", "SC006"];

#[test]
fn security_findings_are_among_djangos_deploy_warnings() {
    let (cases, _, _) = judged();
    let mut problems = Vec::new();
    let mut compared = 0;
    let mut matched: std::collections::BTreeMap<&str, usize> = Default::default();
    for case in cases.iter().filter(|c| c.answer["check"]["ok"] == true) {
        compared += 1;
        let messages: Vec<&str> = case.answer["check"]["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        // Notes (info) describe no running site: only warnings and errors count.
        let claims = |f: &&Finding| f.severity != omeroconf::diagnostic::Severity::Info;
        for finding in case
            .findings
            .iter()
            .filter(claims)
            .filter(|f| f.code().starts_with("SC"))
        {
            match django_ids(finding) {
                Some(id) if !messages.contains(&id) => {
                    problems.push(format!("{}: {} but Django has no {id}", case.input, finding.message))
                }
                Some(id) => *matched.entry(id).or_default() += 1,
                None if !BEYOND_DJANGO.contains(&finding.code()) => {
                    problems.push(format!("{}: {} stands for no Django check", case.input, finding.code()))
                }
                _ => {}
            }
        }
        // Debug mode is Django's W018 exactly.
        let debug = case.findings.iter().filter(claims).any(|f| f.code() == "SC001");
        if debug != messages.contains(&"security.W018") {
            problems.push(format!("{}: SC001 {debug}, Django's W018 {}", case.input, !debug));
        }
    }
    let figure = format!("django security: {compared} cases compared, findings matched {matched:?}\n");
    let _ = std::io::stderr().write_all(figure.as_bytes());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Not vacuous: the corpus has debug and insecure-cookie findings.
    for id in ["security.W018", "security.W012", "security.W016"] {
        assert!(matched.contains_key(id), "no finding stood for {id}: {matched:?}");
    }
}

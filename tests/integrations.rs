//! The deployment formats on realistic files (docker env files, compose,
//! Kubernetes, Ansible inventories), and the machine reports a CI reads:
//! SARIF validated against the SARIF 2.1.0 schema, plus every field GitHub
//! code scanning requires.

use omeroconf::catalog::catalog;
use omeroconf::lint::{lint, Filter, Linted};
use omeroconf::report;
use omeroconf::{formats, source};
use std::path::Path;

const FIXTURES: [&str; 4] = [
    "tests/fixtures/integrations/web.env",
    "tests/fixtures/integrations/docker-compose.yml",
    "tests/fixtures/integrations/omero-web-deployment.yaml",
    "tests/fixtures/integrations/group_vars/omero-web.yml",
];

fn linted(path: &str) -> Linted {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&full).expect("fixture exists");
    let format = formats::detect(Path::new(path), &text);
    let options = source::Options {
        base_dir: full.parent().map(Path::to_path_buf),
        ..source::Options::default()
    };
    lint(
        formats::read(path, &text, format, &options),
        catalog().latest,
        &Filter::default(),
    )
}

#[test]
fn docker_env_file() {
    insta::assert_snapshot!(report::short::render(&[linted(FIXTURES[0])], None));
}

#[test]
fn compose_file() {
    insta::assert_snapshot!(report::short::render(&[linted(FIXTURES[1])], None));
}

#[test]
fn kubernetes_deployment() {
    insta::assert_snapshot!(report::short::render(&[linted(FIXTURES[2])], None));
}

#[test]
fn ansible_inventory() {
    let linted = linted(FIXTURES[3]);
    // What the role writes: YAML 1.1 numbers and booleans, JSON with Python's separators.
    assert_eq!(linted.config.get("omero.web.page_size"), Some("128"));
    assert_eq!(linted.config.get("omero.web.public.enabled"), Some("true"));
    assert_eq!(
        linted.config.get("omero.web.server_list"),
        Some(r#"[["omero.example.org", 4064, "production"]]"#)
    );
    assert_eq!(linted.config.get("omero.web.prefix"), Some("/web"));
    insta::assert_snapshot!(report::short::render(&[linted], None));
}

fn sarif_log() -> serde_json::Value {
    let files: Vec<Linted> = FIXTURES.iter().map(|f| linted(f)).collect();
    serde_json::from_str(&report::sarif::render(&files, None).expect("every rule is registered"))
        .expect("SARIF is JSON")
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema_text = include_str!("fixtures/sarif/sarif-2.1.0-rtm.5.json");
    // The rtm.5 file's `run.language` pattern has a stray `]` that the draft-04
    // meta-schema's `format: regex` rejects; omeroconf never writes `language`,
    // so the pattern is replaced by the one the field documents (`en`, `en-US`).
    let schema_text = schema_text.replace(
        "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
        "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
    );
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let validator = jsonschema::draft4::new(&schema).expect("the schema compiles");
    let log = sarif_log();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does reject a broken log (the test can fail).
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_has_every_field_github_code_scanning_requires() {
    let log = sarif_log();
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["$schema"], report::sarif::SCHEMA_URI);
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "omeroconf");
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), omeroconf::rules::RULES.len());
    for rule in rules {
        assert!(
            rule["id"].is_string()
                && rule["shortDescription"]["text"].is_string()
                && rule["fullDescription"]["text"].is_string()
        );
        assert!(rule["help"]["text"].is_string() && rule["defaultConfiguration"]["level"].is_string());
        let blocks = rule["properties"]["blocksStart"].as_bool();
        let error = rule["defaultConfiguration"]["level"] == "error";
        assert!(blocks.is_some_and(|b| !b || error), "{rule}");
    }
    assert!(rules.iter().any(|r| r["properties"]["blocksStart"] == true));
    let results = run["results"].as_array().expect("results");
    assert!(results.len() > 10, "{}", results.len());
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(result["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(
            uri.starts_with("tests/fixtures/integrations/") && !uri.contains('\\'),
            "{uri}"
        );
        let region = &location["region"];
        for field in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[field].as_u64().is_some_and(|n| n >= 1), "{field} in {region}");
        }
    }
    // A finding's region is where the short report points.
    let short = report::short::render(&[linted(FIXTURES[0])], None);
    let first = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert!(
        short.starts_with(&format!(
            "{}:{}:{}:",
            FIXTURES[0], first["startLine"], first["startColumn"]
        )),
        "{short}"
    );
}

#[test]
fn toml_schema_line_points_at_the_committed_schema() {
    // taplo (and Even Better TOML) read a `#:schema PATH` comment at the top,
    // PATH relative to the TOML file.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/omero-web.toml");
    let text = std::fs::read_to_string(&example).expect("example exists");
    let first = text.lines().next().unwrap_or_default();
    let path = first
        .strip_prefix("#:schema ")
        .expect("the first line is a #:schema directive");
    let schema_path = example
        .parent()
        .map(|dir| dir.join(path))
        .expect("the example has a directory");
    let schema = std::fs::read_to_string(&schema_path).expect("the #:schema path resolves");
    assert_eq!(schema, omeroconf::schema::committed());
    let schema: serde_json::Value = serde_json::from_str(&schema).expect("schema is JSON");
    assert!(schema["properties"]["omero"]["properties"]["web"]["properties"]["prefix"]["description"].is_string());
}

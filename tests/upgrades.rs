//! `omeroconf diff` and `omeroconf migrate` on real upgrade paths: exit
//! statuses, reports (snapshots), secrets kept out, files rewritten in place.

use std::path::Path;

mod common;
use common::{omeroconf, stderr, stdout};

const OLD_SITE: &str = "tests/fixtures/upgrades/web-5.6.properties";

#[test]
fn diff_exit_status_is_like_diff() {
    assert_eq!(omeroconf(&["diff", OLD_SITE, OLD_SITE]).status.code(), Some(0));
    assert_eq!(
        omeroconf(&["diff", OLD_SITE, "examples/properties.backup"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        omeroconf(&["diff", OLD_SITE, "tests/fixtures/upgrades/missing"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn diff_between_two_releases_masks_secrets() {
    let output = omeroconf(&["diff", "--old-version", "5.6.0", OLD_SITE, "examples/properties.backup"]);
    let text = stdout(&output);
    assert!(!text.contains("Pa55"), "{text}");
    insta::assert_snapshot!("diff_5_6_site_to_backup", text);
}

#[test]
fn diff_of_two_installs_reads_config_xml_and_the_venv_releases() -> Result<(), Box<dyn std::error::Error>> {
    let root = tempfile::tempdir()?;
    let install = |name: &str, release: &str, value: &str| -> Result<(), std::io::Error> {
        let omerodir = root.path().join(name);
        std::fs::create_dir_all(omerodir.join("etc/grid"))?;
        std::fs::write(
            omerodir.join("etc/grid/config.xml"),
            format!("<icegrid><properties id=\"default\"><property name=\"omero.web.page_size\" value=\"{value}\" /><property name=\"omero.web.apps\" value=\"[&quot;omero_figure&quot;]\" /></properties><properties id=\"__ACTIVE__\"><property name=\"omero.config.profile\" value=\"default\" /></properties></icegrid>"),
        )?;
        std::fs::create_dir_all(root.path().join(format!(
            "venv-{name}/lib/python3.12/site-packages/omero_web-{release}.dist-info"
        )))
    };
    install("old", "5.29.3", "100")?;
    install("new", "5.30.0", "100")?;
    let dir = |name: &str| root.path().join(name).display().to_string();
    let (old_venv, new_venv) = (dir("venv-old"), dir("venv-new"));
    let output = omeroconf(&[
        "diff",
        "--format",
        "json",
        &dir("old"),
        &dir("new"),
        "--old-venv",
        &old_venv,
        "--new-venv",
        &new_venv,
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(report["old"]["release"], "5.29.3");
    assert_eq!(report["new"]["release"], "5.30.0");
    assert_eq!(report["changed"], serde_json::json!([]));
    assert_eq!(report["defaults_changed"][0]["key"], "omero.web.session_serializer");
    assert_eq!(
        report["missing_apps"],
        serde_json::json!(["omero_figure"]),
        "the new virtualenv lacks the app"
    );
    assert!(Path::new(&dir("old")).join("etc/grid/config.xml").exists());
    Ok(())
}

const SITE_5_22: &str = "tests/fixtures/upgrades/web-5.22.properties";

/// Codes of the findings migrate exists to remove.
const MIGRATED: &[&str] = &["KY002", "KY003", "KY004", "AP001", "SE003", "SC004", "TY005"];

fn lint_codes(path: &str, release: &str) -> Vec<String> {
    let output = omeroconf(&["lint", "--format", "json", "--omero-web-version", release, path]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("lint prints JSON");
    let diagnostics = report["files"][0]["diagnostics"]
        .as_array()
        .cloned()
        .expect("a file was linted");
    diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn dry_run_reports_and_diffs_with_secrets_masked() {
    for (name, path) in [("migrate_5_6_site", OLD_SITE), ("migrate_5_22_site", SITE_5_22)] {
        let output = omeroconf(&["migrate", path, "--to-version", "5.33.2"]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        let text = stdout(&output);
        assert!(!text.contains("Pa55"), "{text}");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn nothing_to_change_exits_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("web.properties");
    std::fs::write(&path, "omero.web.debug=false\n").expect("written");
    let output = omeroconf(&[
        "migrate",
        &path.display().to_string(),
        "--from-version",
        "5.33.2",
        "--to-version",
        "5.33.2",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(
        omeroconf(&["migrate", OLD_SITE, "--from-version", "5.33.2", "--to-version", "5.6.0"])
            .status
            .code(),
        Some(2)
    );
}

/// A copy of a fixture under `name` in a new directory, and its text.
fn copy_of(fixture: &str, name: &str) -> Result<(tempfile::TempDir, std::path::PathBuf, String), std::io::Error> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join(name);
    let original = std::fs::read_to_string(fixture)?;
    std::fs::write(&path, &original)?;
    Ok((dir, path, original))
}

#[test]
fn write_edits_only_the_migrated_spans_and_keeps_a_backup() -> Result<(), Box<dyn std::error::Error>> {
    let (dir, path, original) = copy_of(SITE_5_22, "web.properties")?;
    let output = omeroconf(&[
        "migrate",
        &path.display().to_string(),
        "--to-version",
        "5.33.2",
        "--write",
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read_to_string(&path)?;
    let expected = original
        .replace("[\"omero.example.org\"", "[\"https://omero.example.org\"")
        .replace("[\"figure\"]", "[\"omero_figure\"]")
        .replace("omero.web.force_script_name=", "omero.web.prefix=");
    assert_eq!(
        written, expected,
        "every byte outside the edited spans, comments included, stays"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("web.properties.bak"))?,
        original
    );
    // Migrating again finds nothing left to rewrite.
    let again = omeroconf(&[
        "migrate",
        &path.display().to_string(),
        "--to-version",
        "5.33.2",
        "--write",
    ]);
    assert_eq!(std::fs::read_to_string(&path)?, expected, "{}", stdout(&again));
    Ok(())
}

#[test]
fn write_edits_config_xml_as_elementtree_escapes_it() -> Result<(), Box<dyn std::error::Error>> {
    let (_dir, path, original) = copy_of("tests/fixtures/upgrades/config-5.22.xml", "config.xml")?;
    let output = omeroconf(&[
        "migrate",
        &path.display().to_string(),
        "--to-version",
        "5.33.2",
        "--write",
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The removed key is commented out, its `--` (which an XML comment may
    // not hold) written `-&#45;`, which uncommented means `--` again.
    let expected = original
        .replace("[&quot;figure&quot;]", "[&quot;omero_figure&quot;]")
        .replace(
            "<property name=\"omero.web.webgateway_cache\" value=\"/var/cache/omero--web\" />",
            "<!-- <property name=\"omero.web.webgateway_cache\" value=\"/var/cache/omero-&#45;web\" /> -->",
        )
        .replace(
            "[&quot;omero.example.org&quot;]",
            "[&quot;https://omero.example.org&quot;]",
        );
    let written = std::fs::read_to_string(&path)?;
    assert_eq!(written, expected);
    // omero-py reads it as meant (without the commented-out key): the
    // differential case holds this file and OMERO's answer.
    assert_eq!(
        written,
        std::fs::read_to_string("tests/differential/cases/migrated-comment.xml")?
    );
    Ok(())
}

#[test]
fn a_failed_write_leaves_the_original_intact() -> Result<(), Box<dyn std::error::Error>> {
    let (dir, path, original) = copy_of(SITE_5_22, "web.properties")?;
    // A user who may read the file but not write in its folder (tests run as root).
    std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    let output = std::process::Command::new("setpriv")
        .args(["--reuid", "nobody", "--regid", "nogroup", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_omeroconf"))
        .args([
            "migrate",
            &path.display().to_string(),
            "--to-version",
            "5.33.2",
            "--write",
        ])
        .output()?;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot back up") && stderr(&output).contains("Permission denied"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&path)?, original);
    let mut names: Vec<_> = std::fs::read_dir(dir.path())?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![std::ffi::OsString::from("web.properties")],
        "no backup or temporary file left"
    );
    Ok(())
}

/// `migrate PATH --from-version 5.18.0 --to-version 5.33.2 --write`.
fn migrate_5_18_in_place(path: &str) -> std::process::Output {
    omeroconf(&[
        "migrate",
        path,
        "--from-version",
        "5.18.0",
        "--to-version",
        "5.33.2",
        "--write",
    ])
}

/// `migrate INPUT --to-version 5.33.2 --output OUT --to FORMAT`.
fn migrate_to(input: &str, out: &str, format: &str) -> std::process::Output {
    omeroconf(&[
        "migrate",
        input,
        "--to-version",
        "5.33.2",
        "--output",
        out,
        "--to",
        format,
    ])
}

#[test]
fn output_as_a_script_keeps_secrets_and_sets_refreshed_lists() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let script_of = |input: &str, name: &str| -> Result<String, Box<dyn std::error::Error>> {
        let out = dir.path().join(name).display().to_string();
        let output = migrate_to(input, &out, "script");
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        Ok(std::fs::read_to_string(&out)?)
    };
    let script = script_of(OLD_SITE, "site.sh")?;
    assert!(
        script.contains("omero config set omero.mail.password Smtp-Pa55"),
        "files omeroconf writes keep secrets: {script}"
    );
    // Top links frozen at OMERO 5.1-5.4's default (AP005): today's default, then the site's own link.
    let script = script_of(
        "tests/upgrades/cases/frozen-omero.web.ui.top_links.properties",
        "links.sh",
    )?;
    assert!(
        script.contains(
            "omero config set omero.web.ui.top_links '[[\"Data\", \"webindex\", {\"title\": \"Browse Data via Projects, Tags etc\"}], \
             [\"History\", \"history\", {\"title\": \"History\"}], [\"Help\", \"https://help.openmicroscopy.org/\", \
             {\"title\": \"Open OMERO user guide in a new tab\", \"target\": \"new\"}], [\"Figure\", \"figure_index\"]]'\n"
        ),
        "{script}"
    );
    Ok(())
}

#[test]
fn migrated_output_lints_clean_of_what_migrate_fixes() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    // The upgrade paths have what migrate fixes before it runs.
    let before = lint_codes(OLD_SITE, "5.33.2");
    for code in ["KY002", "KY003", "KY004", "AP001", "SE003", "TY005"] {
        assert!(before.iter().any(|c| c == code), "{code} in {before:?}");
    }
    assert!(lint_codes(SITE_5_22, "5.33.2").iter().any(|c| c == "SC004"));
    let inputs = [
        OLD_SITE,
        SITE_5_22,
        "examples/properties.backup",
        "examples/production.properties",
        "examples/setup-web.sh",
        "examples/omero-web.toml",
    ];
    for (i, input) in inputs.iter().enumerate() {
        for format in ["properties", "script"] {
            let out = dir.path().join(format!("{i}.{format}")).display().to_string();
            let output = migrate_to(input, &out, format);
            assert!(
                matches!(output.status.code(), Some(0 | 1)),
                "{input}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let left: Vec<String> = lint_codes(&out, "5.33.2")
                .into_iter()
                .filter(|c| MIGRATED.contains(&c.as_str()))
                .collect();
            assert!(left.is_empty(), "{input} as {format} still has {left:?}");
        }
    }
    Ok(())
}

const SITE_5_18: &str = "tests/fixtures/upgrades/setup-5.18.sh";

fn json_of(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

#[test]
fn a_5_18_script_is_finished_by_the_rules_fixes() -> Result<(), Box<dyn std::error::Error>> {
    let args = [
        "migrate",
        SITE_5_18,
        "--from-version",
        "5.18.0",
        "--to-version",
        "5.33.2",
    ];
    let report = json_of(&omeroconf(&[&args[..], &["--format", "json"]].concat()));
    let change = |key: &str| {
        report["changes"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["key"] == key).cloned())
            .unwrap_or_default()
    };
    assert_eq!(
        change("omero.web.session_serializer")["after"],
        "django.contrib.sessions.serializers.JSONSerializer"
    );
    assert!(change("omero.web.session_serializer")["why"]
        .as_str()
        .is_some_and(|w| w.starts_with("VR001")));
    assert_eq!(change("omero.web.webgateway_cache")["change"], "leave-out");
    assert!(report["notes"].as_array().is_some_and(|n| n
        .iter()
        .any(|n| n.as_str().is_some_and(|n| n.contains("logs in again once")))));
    // In place: every byte outside the edited spans stays, and the removed key is commented out.
    let (_dir, path, original) = copy_of(SITE_5_18, "setup.sh")?;
    let path = path.display().to_string();
    migrate_5_18_in_place(&path);
    let mut expected = original.replace(
        "omero config set omero.web.webgateway_cache",
        "# omero config set omero.web.webgateway_cache",
    );
    for (old, new) in EDITS_5_18 {
        expected = expected.replace(old, new);
    }
    assert_eq!(std::fs::read_to_string(&path)?, expected);
    Ok(())
}

#[test]
fn toml_write_edits_json_values_inside_arrays_and_tables() -> Result<(), Box<dyn std::error::Error>> {
    let (_dir, path, original) = copy_of("tests/fixtures/upgrades/web-5.18.toml", "omero-web.toml")?;
    let path = path.display().to_string();
    let output = migrate_5_18_in_place(&path);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // Every byte outside the edited spans stays: comments inside arrays and
    // tables too, and the removed key is commented out.
    let mut expected = original
        .replace(
            "[\n  \".example.org\",            # every subdomain\n  \"omero.example.org:4080\",",
            "[\n  \"https://*.example.org\",            # every subdomain\n  \"https://omero.example.org:4080\",",
        )
        .replace("\nwebgateway_cache = ", "\n# webgateway_cache = ")
        .replace("[\"omero_webtagging_autotag\", ", "[\"omero_autotag\", ")
        .replace(
            "\"http://help.openmicroscopy.org/\"",
            "\"https://help.openmicroscopy.org/\"",
        );
    for (old, new) in EDITS_5_18.iter().filter(|(old, _)| !old.starts_with("[\".example")) {
        expected = expected.replace(old, new);
    }
    assert_eq!(std::fs::read_to_string(&path)?, expected);
    assert!(
        lint_codes(&path, "5.33.2")
            .iter()
            .all(|c| !MIGRATED.contains(&c.as_str()) && c != "AP005"),
        "{path}"
    );
    Ok(())
}

#[test]
fn explain_shows_the_upgrade_fix_of_every_rule_migrate_applies() -> Result<(), Box<dyn std::error::Error>> {
    // One generated case per fact of the upgrade table.
    let mut codes: Vec<String> = Vec::new();
    for entry in std::fs::read_dir("tests/upgrades/cases")? {
        let path = entry?.path().display().to_string();
        let report = json_of(&omeroconf(&[
            "migrate",
            &path,
            "--to-version",
            "5.33.2",
            "--format",
            "json",
        ]));
        for change in report["changes"].as_array().into_iter().flatten() {
            let code = change["why"]
                .as_str()
                .and_then(|w| w.split(' ').next())
                .unwrap_or_default();
            codes.push(code.to_string());
        }
    }
    codes.sort();
    codes.dedup();
    assert!(codes.len() > 5, "{codes:?}");
    for code in codes {
        let explained = stdout(&omeroconf(&["explain", &code]));
        assert!(
            explained.contains("On upgrade, `omeroconf migrate`"),
            "{code}: {explained}"
        );
    }
    Ok(())
}

#[test]
fn migrated_files_have_no_error_and_diff_lists_exactly_the_announced_changes() -> Result<(), Box<dyn std::error::Error>>
{
    let dir = tempfile::tempdir()?;
    for (i, input) in [OLD_SITE, SITE_5_22, SITE_5_18].iter().enumerate() {
        let out = dir.path().join(format!("{i}.properties")).display().to_string();
        let migrate = ["migrate", input, "--to-version", "5.33.2"];
        let output = omeroconf(&[&migrate[..], &["--format", "json"]].concat());
        assert!(!stdout(&output).contains("Pa55"), "secrets are masked");
        let report = json_of(&output);
        let written = omeroconf(&[&migrate[..], &["-o", &out, "--to", "properties"]].concat());
        assert!(matches!(written.status.code(), Some(0 | 1)), "{input}");
        let lint = json_of(&omeroconf(&[
            "lint",
            "--format",
            "json",
            "--omero-web-version",
            "5.33.2",
            &out,
        ]));
        let errors: Vec<&serde_json::Value> = lint["files"][0]["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["severity"] == "error")
            .collect();
        assert!(errors.is_empty(), "{input}: {errors:?}");
        let mut announced: Vec<String> = report["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["before"] != c["after"] || !c["new_key"].is_null())
            .flat_map(|c| [c["key"].as_str(), c["new_key"].as_str()])
            .flatten()
            .map(str::to_string)
            .collect();
        let from = report["from"].as_str().unwrap_or_default().to_string();
        let diff = json_of(&omeroconf(&[
            "diff",
            "--format",
            "json",
            "--old-version",
            &from,
            "--new-version",
            "5.33.2",
            input,
            &out,
        ]));
        let mut listed: Vec<String> = ["added", "removed", "changed"]
            .iter()
            .flat_map(|k| diff[k].as_array().cloned().unwrap_or_default())
            .filter_map(|d| d["key"].as_str().map(str::to_string))
            .collect();
        announced.sort();
        announced.dedup();
        listed.sort();
        assert_eq!(listed, announced, "{input}");
    }
    Ok(())
}

/// The value edits of the 5.18 script, as (old, new) text.
const EDITS_5_18: &[(&str, &str)] = &[
    ("serializers.PickleSerializer", "serializers.JSONSerializer"),
    (
        "[\".example.org\", \"omero.example.org:4080\"]",
        "[\"https://*.example.org\", \"https://omero.example.org:4080\"]",
    ),
    ("memcached.MemcachedCache", "memcached.PyMemcacheCache"),
    ("omeroweb.filesessionstore", "django.contrib.sessions.backends.file"),
    ("[\"omero_webtagging_autotag\"]", "[\"omero_autotag\"]"),
    ("\"omero_webtagging_autotag/", "\"omero_autotag/"),
    ("fastcgi-tcp", "wsgi-tcp"),
];

#[test]
fn write_keeps_every_byte_outside_the_upgrade_edits_in_omero_toml_and_config_xml(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    for format in ["omero", "toml", "xml"] {
        let path = dir.path().join(format!("web.{format}")).display().to_string();
        let converted = omeroconf(&["convert", SITE_5_18, "--to", format, "-o", &path]);
        assert!(
            converted.status.success(),
            "{}",
            String::from_utf8_lossy(&converted.stderr)
        );
        let original = std::fs::read_to_string(&path)?;
        let output = migrate_5_18_in_place(&path);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // The removed key is commented out, the JSON values edited where they differ.
        let expected = match format {
            "xml" => {
                // Only the active profile is edited.
                let (head, profile) = original
                    .split_once("<properties id=\"default\">")
                    .ok_or("a default profile")?;
                let removed = "<property name=\"omero.web.webgateway_cache\" value=\"/var/cache/omero\" />";
                let mut profile = profile.replace(removed, &format!("<!-- {removed} -->"));
                for (old, new) in EDITS_5_18 {
                    profile = profile.replace(&old.replace('"', "&quot;"), &new.replace('"', "&quot;"));
                }
                format!("{head}<properties id=\"default\">{profile}")
            }
            _ => {
                let removed = if format == "toml" {
                    "webgateway_cache = "
                } else {
                    "config set -- omero.web.webgateway_cache"
                };
                let mut text = original.replace(removed, &format!("# {removed}"));
                for (old, new) in EDITS_5_18 {
                    text = text.replace(old, new);
                }
                text
            }
        };
        assert_eq!(std::fs::read_to_string(&path)?, expected, "{format}");
    }
    Ok(())
}

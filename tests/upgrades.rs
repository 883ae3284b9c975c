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
    let expected = original
        .replace("[&quot;figure&quot;]", "[&quot;omero_figure&quot;]")
        .replace(
            "    <property name=\"omero.web.webgateway_cache\" value=\"/var/cache/omero\" />\n",
            "",
        )
        .replace(
            "[&quot;omero.example.org&quot;]",
            "[&quot;https://omero.example.org&quot;]",
        );
    assert_eq!(std::fs::read_to_string(&path)?, expected);
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

#[test]
fn output_as_a_script_unfreezes_lists_with_append_set() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("setup.sh").display().to_string();
    let output = omeroconf(&[
        "migrate",
        OLD_SITE,
        "--to-version",
        "5.33.2",
        "--output",
        &out,
        "--to",
        "script",
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let script = std::fs::read_to_string(&out)?;
    assert!(!script.contains("omero config set omero.web.open_with"), "{script}");
    assert!(
        script.contains("omero config append --set omero.web.open_with '[\"omero_iviewer\", \"omero_iviewer_index\""),
        "{script}"
    );
    assert!(
        script.contains("omero config set omero.mail.password Smtp-Pa55"),
        "files omeroconf writes keep secrets: {script}"
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
            let output = omeroconf(&[
                "migrate",
                input,
                "--to-version",
                "5.33.2",
                "--output",
                &out,
                "--to",
                format,
            ]);
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

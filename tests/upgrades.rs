//! `omeroconf diff` and `omeroconf migrate` on real upgrade paths: exit
//! statuses, reports (snapshots), secrets kept out, files rewritten in place.

use std::path::Path;
use std::process::{Command, Output};

fn omeroconf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_omeroconf"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const OLD_SITE: &str = "tests/fixtures/upgrades/web-5.6.properties";

#[test]
fn diff_exit_status_is_like_diff() {
    assert_eq!(omeroconf(&["diff", OLD_SITE, OLD_SITE]).status.code(), Some(0));
    assert_eq!(omeroconf(&["diff", OLD_SITE, "examples/properties.backup"]).status.code(), Some(1));
    assert_eq!(omeroconf(&["diff", OLD_SITE, "tests/fixtures/upgrades/missing"]).status.code(), Some(2));
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
            format!("<icegrid><properties id=\"default\"><property name=\"omero.web.page_size\" value=\"{value}\" /></properties><properties id=\"__ACTIVE__\"><property name=\"omero.config.profile\" value=\"default\" /></properties></icegrid>"),
        )?;
        std::fs::create_dir_all(root.path().join(format!("venv-{name}/lib/python3.12/site-packages/omero_web-{release}.dist-info")))
    };
    install("old", "5.29.3", "100")?;
    install("new", "5.30.0", "100")?;
    let dir = |name: &str| root.path().join(name).display().to_string();
    let (old_venv, new_venv) = (dir("venv-old"), dir("venv-new"));
    let output = omeroconf(&[
        "diff", "--format", "json", &dir("old"), &dir("new"), "--old-venv", &old_venv, "--new-venv", &new_venv,
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(report["old"]["release"], "5.29.3");
    assert_eq!(report["new"]["release"], "5.30.0");
    assert_eq!(report["changed"], serde_json::json!([]));
    assert_eq!(report["defaults_changed"][0]["key"], "omero.web.session_serializer");
    assert!(Path::new(&dir("old")).join("etc/grid/config.xml").exists());
    Ok(())
}

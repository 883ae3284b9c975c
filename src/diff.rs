//! `omeroconf diff`: what changes between two configurations, each read at
//! its own OMERO.web release. JSON values are compared as Python compares
//! them (reordered object members are equal), list and object changes are
//! shown line by line, and defaults that moved between the two releases are
//! reported for keys neither side sets.
//!
//! Values leave this module masked unless the caller asks for secrets: a
//! report must never quote a password.

use crate::catalog::{catalog, Version};
use crate::python::json::{self, PyJson};
use crate::resolve::Config;
use crate::secrets;
use crate::venv::Venv;
use std::path::{Path, PathBuf};

/// What to compare.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Compare effective values (stored, else the release's default).
    pub effective: bool,
    pub show_secrets: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added {
        key: String,
        new: String,
    },
    Removed {
        key: String,
        old: String,
    },
    /// `lines` is a line diff of JSON lists and objects.
    Changed {
        key: String,
        old: String,
        new: String,
        lines: Option<String>,
    },
    /// Neither side sets the key, but its default differs between the releases.
    Default {
        key: String,
        old: String,
        new: String,
    },
}

impl Change {
    pub fn key(&self) -> &str {
        match self {
            Change::Added { key, .. }
            | Change::Removed { key, .. }
            | Change::Changed { key, .. }
            | Change::Default { key, .. } => key,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    pub old_release: Version,
    pub new_release: Version,
    pub changes: Vec<Change>,
    /// Apps NEW lists that its virtualenv does not install (with `--new-venv`).
    pub missing_apps: Vec<String>,
}

/// Compares two resolved configurations; `Err` names keys whose stored
/// value is unknown until a script runs.
pub fn diff(old: &Config, new: &Config, options: Options) -> Result<Report, String> {
    let unknown = |c: &Config| c.stored().err().map(|keys| keys.join(", "));
    if let Some(keys) = unknown(old).or_else(|| unknown(new)) {
        return Err(format!("the value of {keys} is unknown until the script runs"));
    }
    let value = |c: &Config, key: &str| {
        if options.effective {
            c.effective(key)
        } else {
            c.get(key).map(str::to_string)
        }
    };
    let show = |key: &str, text: &str| {
        if options.show_secrets {
            text.to_string()
        } else {
            secrets::mask_value(key, text)
        }
    };
    let mut keys: Vec<&str> = old.entries.keys().map(String::as_str).collect();
    keys.extend(
        new.entries
            .keys()
            .map(String::as_str)
            .filter(|k| !old.entries.contains_key(*k)),
    );
    let mut changes = Vec::new();
    for key in keys {
        match (value(old, key), value(new, key)) {
            (None, Some(n)) => changes.push(Change::Added {
                key: key.to_string(),
                new: show(key, &n),
            }),
            (Some(o), None) => changes.push(Change::Removed {
                key: key.to_string(),
                old: show(key, &o),
            }),
            (Some(o), Some(n)) if !same_value(&o, &n) => {
                // A line diff of a secret key's value would show it piece by piece.
                let lines = if options.show_secrets || !secrets::is_secret_key(key) {
                    line_diff(key, &o, &n, options.show_secrets)
                } else {
                    None
                };
                changes.push(Change::Changed {
                    key: key.to_string(),
                    old: show(key, &o),
                    new: show(key, &n),
                    lines,
                });
            }
            _ => {}
        }
    }
    for (key, o, n) in default_changes(old, new) {
        changes.push(Change::Default {
            old: show(&key, &o),
            new: show(&key, &n),
            key,
        });
    }
    Ok(Report {
        old_release: old.release,
        new_release: new.release,
        changes,
        missing_apps: Vec::new(),
    })
}

/// Keys neither configuration sets whose default differs between the two
/// releases (both releases must have the key).
pub fn default_changes(old: &Config, new: &Config) -> Vec<(String, String, String)> {
    if old.release == new.release {
        return Vec::new();
    }
    catalog()
        .properties
        .iter()
        .filter(|p| p.in_release(old.release) && p.in_release(new.release))
        .filter(|p| !old.entries.contains_key(&p.key) && !new.entries.contains_key(&p.key))
        .filter_map(|p| {
            let (o, n) = (old.effective(&p.key)?, new.effective(&p.key)?);
            (!same_value(&o, &n)).then(|| (p.key.clone(), o, n))
        })
        .collect()
}

/// Equal strings, or JSON containers Python finds equal (member order aside).
pub fn same_value(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (json::loads(a), json::loads(b)) {
        (Ok(x @ (PyJson::Array(_) | PyJson::Object(_))), Ok(y)) => x.py_eq(&y),
        _ => false,
    }
}

/// One line per list item or object member, for a line diff.
fn json_lines(text: &str) -> Option<String> {
    let lines: Vec<String> = match json::loads(text).ok()? {
        PyJson::Array(items) => items.iter().map(json::dumps).collect(),
        PyJson::Object(members) => {
            let mut lines: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{}: {}", json::dumps(&PyJson::Str(k.clone())), json::dumps(v)))
                .collect();
            // Member order does not matter to Python; sorting keeps a reorder out of the diff.
            lines.sort();
            lines
        }
        _ => return None,
    };
    Some(lines.iter().map(|l| format!("{l}\n")).collect())
}

/// A `-`/`+` line diff of two JSON lists or objects; `None` for other values.
fn line_diff(key: &str, old: &str, new: &str, show_secrets: bool) -> Option<String> {
    let (old, new) = (json_lines(old)?, json_lines(new)?);
    let mut out = String::new();
    for change in similar::TextDiff::from_lines(&old, &new).iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        let line = change.value().trim_end_matches('\n');
        let line = if show_secrets {
            line.to_string()
        } else {
            secrets::mask_value(key, line)
        };
        out.push_str(&format!("{sign} {line}\n"));
    }
    Some(out)
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The report for people: one line per change, line diffs indented.
    pub fn render(&self, old_name: &str, new_name: &str) -> String {
        let mut out = format!(
            "--- {old_name} (OMERO.web {})\n+++ {new_name} (OMERO.web {})\n",
            self.old_release, self.new_release
        );
        if self.changes.is_empty() {
            out.push_str("no differences\n");
        }
        for change in &self.changes {
            match change {
                Change::Added { key, new } => out.push_str(&format!("added    {key} = {new}\n")),
                Change::Removed { key, old } => out.push_str(&format!("removed  {key} = {old}\n")),
                Change::Changed {
                    key,
                    lines: Some(lines),
                    ..
                } => {
                    out.push_str(&format!("changed  {key}:\n"));
                    out.extend(lines.lines().map(|l| format!("    {l}\n")));
                }
                Change::Changed {
                    key,
                    old,
                    new,
                    lines: None,
                } => out.push_str(&format!("changed  {key}: {old} -> {new}\n")),
                Change::Default { key, old, new } => out.push_str(&format!(
                    "default  {key}: {old} -> {new} (not set; the default changed)\n"
                )),
            }
        }
        for app in &self.missing_apps {
            out.push_str(&format!(
                "missing  {app}: listed in omero.web.apps of {new_name}, not installed in its virtualenv\n"
            ));
        }
        out
    }

    /// The report for machines.
    pub fn to_json(&self, old_name: &str, new_name: &str) -> serde_json::Value {
        let pick = |kind: &str| -> Vec<serde_json::Value> {
            self.changes
                .iter()
                .filter_map(|c| match (kind, c) {
                    ("added", Change::Added { key, new }) => Some(serde_json::json!({"key": key, "new": new})),
                    ("removed", Change::Removed { key, old }) => Some(serde_json::json!({"key": key, "old": old})),
                    ("changed", Change::Changed { key, old, new, .. })
                    | ("defaults_changed", Change::Default { key, old, new }) => {
                        Some(serde_json::json!({"key": key, "old": old, "new": new}))
                    }
                    _ => None,
                })
                .collect()
        };
        serde_json::json!({
            "old": {"path": old_name, "release": self.old_release.to_string()},
            "new": {"path": new_name, "release": self.new_release.to_string()},
            "equal": self.is_empty(),
            "added": pick("added"),
            "removed": pick("removed"),
            "changed": pick("changed"),
            "defaults_changed": pick("defaults_changed"),
            "missing_apps": self.missing_apps,
        })
    }
}

/// The configuration file of an input: a file itself, or an OMERODIR's
/// `etc/grid/config.xml`.
pub fn config_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        crate::source::xml::in_omerodir(path)
    } else {
        path.to_path_buf()
    }
}

/// The apps `config` lists in `omero.web.apps` that the virtualenv cannot
/// import (Django would fail to start).
pub fn missing_apps(config: &Config, venv: &Path) -> Vec<String> {
    let Ok(venv) = Venv::read(venv) else { return Vec::new() };
    let Some(Ok(PyJson::Array(apps))) = config.get("omero.web.apps").map(json::loads) else {
        return Vec::new();
    };
    apps.iter()
        .filter_map(|app| match app {
            PyJson::Str(name) => Some(name.clone()),
            _ => None,
        })
        .filter(|name| !crate::venv::app_importable(&venv, name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::resolve;
    use crate::source::properties;
    use crate::venv::installed_release;

    fn config(text: &str, release: Version) -> Config {
        resolve(&properties::parse("p", text), release)
    }

    #[test]
    fn reordered_json_is_no_change_and_lists_diff_by_line() {
        let latest = catalog().latest;
        let old = config("omero.web.caches={\"a\": {\"X\": 1}, \"b\": 2}\nomero.web.apps=[\"figure\", \"omero_iviewer\"]\nomero.web.debug=true\n", latest);
        let new = config("omero.web.caches={\"b\": 2, \"a\": {\"X\": 1.0}}\nomero.web.apps=[\"omero_figure\", \"omero_iviewer\"]\nomero.web.prefix=/omero\n", latest);
        let report = diff(&old, &new, Options::default()).expect("known values");
        let keys: Vec<&str> = report.changes.iter().map(Change::key).collect();
        assert_eq!(keys, vec!["omero.web.apps", "omero.web.debug", "omero.web.prefix"]);
        let Change::Changed { lines: Some(lines), .. } = &report.changes[0] else {
            panic!("a list change")
        };
        assert_eq!(lines, "- \"figure\"\n+ \"omero_figure\"\n  \"omero_iviewer\"\n");
    }

    #[test]
    fn secrets_are_masked_unless_asked() {
        let latest = catalog().latest;
        let old = config("omero.web.public.password=old-secret\nomero.web.caches={\"default\": {\"LOCATION\": \"redis://:pw1@h:6379/0\"}}\n", latest);
        let new = config("omero.web.public.password=new-secret\nomero.web.caches={\"default\": {\"LOCATION\": \"redis://:pw2@h:6379/0\"}}\n", latest);
        let text = diff(&old, &new, Options::default()).expect("known").render("a", "b");
        for secret in ["old-secret", "new-secret", "pw1", "pw2"] {
            assert!(!text.contains(secret), "{text}");
        }
        let shown = diff(
            &old,
            &new,
            Options {
                show_secrets: true,
                ..Options::default()
            },
        )
        .expect("known")
        .render("a", "b");
        assert!(shown.contains("new-secret"), "{shown}");
    }

    #[test]
    fn default_changes_between_releases_and_effective_values() {
        let old = config("omero.web.page_size=100\n", Version(5, 29, 3));
        let new = config("", Version(5, 30, 0));
        let report = diff(&old, &new, Options::default()).expect("known");
        assert!(report.changes.contains(&Change::Removed {
            key: "omero.web.page_size".into(),
            old: "100".into()
        }));
        assert!(report
            .changes
            .iter()
            .any(|c| matches!(c, Change::Default { key, new, .. }
            if key == "omero.web.session_serializer" && new.ends_with("JSONSerializer"))));
        // Effective: an unset key falls back to its default, so it is changed, not removed.
        let report = diff(
            &old,
            &new,
            Options {
                effective: true,
                ..Options::default()
            },
        )
        .expect("known");
        assert!(report
            .changes
            .iter()
            .any(|c| matches!(c, Change::Changed { key, new, .. } if key == "omero.web.page_size" && new == "200")));
        let same = diff(&new, &new, Options::default()).expect("known");
        assert!(same.is_empty());
    }

    #[test]
    fn release_from_a_virtualenv() -> Result<(), Box<dyn std::error::Error>> {
        let venv = tempfile::tempdir()?;
        let site = venv.path().join("lib/python3.12/site-packages");
        std::fs::create_dir_all(site.join("omero_web-5.29.3.dist-info"))?;
        std::fs::create_dir_all(site.join("omero_py-5.19.0.dist-info"))?;
        assert_eq!(installed_release(venv.path()), Ok(Version(5, 29, 3)));
        std::fs::create_dir_all(site.join("omero_iviewer"))?;
        let config = resolve(
            &properties::parse("p", "omero.web.apps=[\"omero_iviewer\", \"omero_figure.app\"]\n"),
            catalog().latest,
        );
        assert_eq!(missing_apps(&config, venv.path()), vec!["omero_figure.app".to_string()]);
        std::fs::create_dir_all(site.join("omero_web-5.30.0.dist-info"))?;
        assert!(installed_release(venv.path()).is_err());
        assert!(installed_release(&venv.path().join("missing")).is_err());
        Ok(())
    }
}

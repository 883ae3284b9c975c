//! `omeroconf migrate`: a configuration upgraded to a target OMERO.web
//! release by the rules' own fixes. The configuration is resolved at the
//! source release, linted at the target, and every fix a rule marks safe
//! for upgrades is applied until none is left; what is still reported
//! needs a person and is listed with the rule that found it. Migrate knows
//! no upgrade fact of its own: each lives once, with the rule that finds it.
//!
//! The result is written either in place, as span-preserving edits (`edit`)
//! that are checked by reading the result back, or as a new file by `emit`.
//! Reports never quote a secret unless asked.

use crate::catalog::{catalog, Property, Version};
use crate::diagnostic::{Change, Severity};
use crate::diff;
use crate::document::{Document, Format, OpKind};
use crate::edit::{self, Edit};
use crate::resolve::{self, Config, Entry};
use crate::{atomic, emit, rules, secrets};
use indexmap::IndexMap;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The key has a successor; the value moves to it.
    Rename { key: String, to: String, why: String },
    /// The key goes: its successor is set, or it was ignored already.
    Remove { key: String, why: String },
    /// The value cannot work at the target and nothing replaces it: left out
    /// of a new file, commented out in place.
    Comment { key: String, why: String },
    /// The target rejects the value; `value` is the one it accepts.
    Value { key: String, value: String, why: String },
}

impl Action {
    pub fn key(&self) -> &str {
        match self {
            Action::Rename { key, .. }
            | Action::Remove { key, .. }
            | Action::Comment { key, .. }
            | Action::Value { key, .. } => key,
        }
    }

    /// Why: the rule code and its finding.
    pub fn why(&self) -> &str {
        match self {
            Action::Rename { why, .. }
            | Action::Remove { why, .. }
            | Action::Comment { why, .. }
            | Action::Value { why, .. } => why,
        }
    }

    fn describe(&self, show_secrets: bool) -> String {
        let show = |key: &str, value: &str| {
            if show_secrets {
                value.to_string()
            } else {
                secrets::mask_value(key, value)
            }
        };
        match self {
            Action::Rename { key, to, why } => format!("rename    {key} -> {to}: {why}"),
            Action::Remove { key, why } => format!("remove    {key}: {why}"),
            Action::Comment { key, why } => format!("leave out {key}: {why}"),
            Action::Value { key, value, why } => format!("value     {key} = {}: {why}", show(key, value)),
        }
    }
}

/// A finding at the target release that migrate leaves to a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Left {
    pub rule: &'static str,
    pub severity: Severity,
    pub key: Option<String>,
    pub message: String,
    pub help: Option<String>,
}

/// What migrating a configuration does.
#[derive(Debug, Clone)]
pub struct Migration {
    pub from: Version,
    /// Why the source release is `from` when the caller did not say: the
    /// release the file pins, else the oldest that has all its keys.
    pub from_reason: Option<String>,
    pub to: Version,
    pub actions: Vec<Action>,
    /// Behaviour changes the configuration cannot fix, and what the applied fixes mean.
    pub notes: Vec<String>,
    /// Errors and warnings at the target that no upgrade fix handles.
    pub left: Vec<Left>,
    /// The stored properties for the target.
    pub stored: IndexMap<String, String>,
    /// The configuration at the source release.
    pub source: Config,
    /// What is known of the target deployment.
    pub target: rules::Options,
}

/// The oldest release in which every catalog key of the input exists
/// (keys the catalog does not know say nothing about the release).
pub fn oldest_release<'a>(keys: impl Iterator<Item = &'a str> + Clone) -> Version {
    let known: Vec<&Property> = keys.filter_map(|k| catalog().property(k)).collect();
    catalog()
        .releases
        .iter()
        .map(|r| r.version)
        .find(|&release| known.iter().all(|p| p.in_release(release)))
        .unwrap_or(catalog().oldest())
}

/// Rounds of lint-and-fix: one fix per key per round, so fixes of one
/// value (two cache aliases) build on each other; a chain longer than this
/// is a bug in the fixes, and what is left is reported.
const ROUNDS: usize = 8;

/// Plans the migration of `document` to release `to`, from `from`, else
/// the release the file pins, else the oldest release that has all its keys.
pub fn plan(document: &Document, from: Option<Version>, to: Version) -> Result<Migration, String> {
    let given = crate::release::Given {
        option: from,
        ..Default::default()
    };
    plan_with(document, &given, to, &rules::Options::default())
}

/// [`plan`] for a known deployment: the source release is the one the
/// deployment says, in `lint`'s precedence (`given`, then what the file
/// pins), else the oldest that has every key of the file; what the migrated
/// configuration names must be importable from the target's virtualenv.
pub fn plan_with(
    document: &Document,
    given: &crate::release::Given,
    to: Version,
    target: &rules::Options,
) -> Result<Migration, String> {
    use crate::release::Source;
    let (release, _) = crate::release::decide(document, given);
    let said = || {
        let place = release.path.as_deref().unwrap_or_default();
        let unused = release
            .note
            .as_ref()
            .map(|note| format!("; {note}"))
            .unwrap_or_default();
        format!("{} {place}{unused}", release.source.name())
    };
    let (from, from_reason) = match release.source {
        Source::Option => (release.version, None),
        Source::Assumed => (
            oldest_release(document.operations.iter().map(|op| op.key.as_str())),
            Some("the oldest release that has every key of the file".to_string()),
        ),
        _ => (release.version, Some(said())),
    };
    if from > to {
        return Err(format!("the source release {from} is newer than the target {to}"));
    }
    let source = resolve::resolve(document, from);
    let stored = source
        .stored()
        .map_err(|keys| format!("the value of {} is unknown until the script runs", keys.join(", ")))?;
    let mut migration = Migration {
        from,
        from_reason,
        to,
        actions: Vec::new(),
        notes: Vec::new(),
        left: Vec::new(),
        stored,
        source,
        target: target.clone(),
    };
    for _ in 0..ROUNDS {
        if !migration.apply_upgrade_fixes()? {
            break;
        }
    }
    let (findings, _) = migration.lint_target()?;
    migration.left = findings
        .into_iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| Left {
            rule: f.code(),
            severity: f.severity,
            key: f.key,
            message: f.message,
            help: f.help,
        })
        .collect();
    let notes = behaviour_notes(&migration);
    migration.notes.extend(notes);
    Ok(migration)
}

impl Migration {
    /// The findings of the rules on the stored properties at the target.
    fn lint_target(&self) -> Result<(Vec<crate::diagnostic::Finding>, Config), String> {
        let options = emit::WriteOptions {
            force: true,
            mask_secrets: false,
        };
        let written = crate::formats::write(&self.target_config(), Format::Properties, options)
            .map_err(|r| format!("cannot check the migrated configuration: {r}"))?;
        let document = crate::source::properties::parse("migrated.properties", written.text);
        let config = resolve::resolve(&document, self.to);
        // The readers' findings too (a masked password), as `lint` reports them.
        let mut findings = document.findings.clone();
        findings.extend(config.findings.iter().cloned());
        findings.extend(rules::check_with(&document, &config, &self.target));
        Ok((findings, config))
    }

    /// One round: lints the stored properties at the target and applies every
    /// upgrade fix, one per key; whether anything changed.
    fn apply_upgrade_fixes(&mut self) -> Result<bool, String> {
        let (findings, _) = self.lint_target()?;
        let mut touched: Vec<String> = Vec::new();
        for finding in findings {
            let Some(fix) = finding.fix.filter(|f| f.upgrade && !f.changes.is_empty()) else {
                continue;
            };
            if fix.changes.iter().any(|c| touched.iter().any(|t| t == c.key())) {
                continue;
            }
            // A fix that would change nothing must not count as progress, or the rounds never settle.
            let changes_something = |c: &Change| match c {
                Change::Set { key, .. } | Change::Splice { key, .. } => self
                    .stored
                    .get(key)
                    .is_some_and(|v| c.new_value(v).is_some_and(|new| new != *v)),
                Change::Remove { key } | Change::Rename { key, .. } => self.stored.contains_key(key),
            };
            if !fix.changes.iter().any(changes_something) {
                continue;
            }
            let why = format!("{} {}", finding.rule.code, finding.message);
            for change in &fix.changes {
                touched.push(change.key().to_string());
                if let Change::Rename { to, .. } = change {
                    touched.push(to.clone());
                }
                self.apply(change, why.clone(), fix.note.is_some());
            }
            self.notes.extend(fix.note);
        }
        Ok(!touched.is_empty())
    }

    /// Applies one change to the stored properties and records it.
    fn apply(&mut self, change: &Change, why: String, noted: bool) {
        match change {
            Change::Set { key, .. } | Change::Splice { key, .. } => {
                let Some(value) = self.stored.get(key).and_then(|stored| change.new_value(stored)) else {
                    return;
                };
                if let Some(stored) = self.stored.get_mut(key) {
                    *stored = value.clone();
                }
                // Fixes of one value in successive rounds are one change.
                let last = self.actions.iter_mut().rev().find(|a| a.key() == key);
                if let Some(Action::Value {
                    value: last_value,
                    why: last_why,
                    ..
                }) = last
                {
                    *last_value = value.clone();
                    last_why.push_str(&format!("; {why}"));
                    return;
                }
                self.actions.push(Action::Value {
                    key: key.clone(),
                    value: value.clone(),
                    why,
                });
            }
            Change::Remove { key } => {
                self.stored.shift_remove(key);
                let key = key.clone();
                self.actions.push(if noted {
                    Action::Comment { key, why }
                } else {
                    Action::Remove { key, why }
                });
            }
            Change::Rename { key, to } => {
                let Some(index) = self.stored.get_index_of(key) else {
                    return;
                };
                if let Some((_, value)) = self.stored.shift_remove_index(index) {
                    self.stored.shift_insert(index, to.clone(), value);
                }
                self.actions.push(Action::Rename {
                    key: key.clone(),
                    to: to.clone(),
                    why,
                });
            }
        }
    }

    /// The key `key` had in the source, before renames.
    fn original_key<'a>(&'a self, key: &'a str) -> &'a str {
        self.actions
            .iter()
            .find_map(|a| match a {
                Action::Rename { key: old, to, .. } if to == key => Some(old.as_str()),
                _ => None,
            })
            .unwrap_or(key)
    }

    /// The configuration the target reads, for emitting and for checks.
    pub fn target_config(&self) -> Config {
        let entries = self
            .stored
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    Entry {
                        value: crate::document::Value::Known(v.clone()),
                        op: 0,
                    },
                )
            })
            .collect();
        Config {
            release: self.to,
            entries,
            findings: Vec::new(),
        }
    }

    /// Anything to do or to know.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty() && self.notes.is_empty() && self.left.is_empty()
    }

    /// The report for people: the changes, then what the admin must handle.
    pub fn render(&self, name: &str, show_secrets: bool) -> String {
        let mut out = match &self.from_reason {
            Some(why) => format!(
                "migrate {name}: OMERO.web {} -> {}\nsource release: {why}\n",
                self.from, self.to
            ),
            None => format!("migrate {name}: OMERO.web {} -> {}\n", self.from, self.to),
        };
        if self.actions.is_empty() {
            out.push_str("no changes needed\n");
        } else {
            out.push_str("changes:\n");
            out.extend(self.actions.iter().map(|a| format!("  {}\n", a.describe(show_secrets))));
        }
        if !self.notes.is_empty() {
            out.push_str("behaviour changes omeroconf cannot fix:\n");
            out.extend(self.notes.iter().map(|n| format!("  - {n}\n")));
        }
        if !self.left.is_empty() {
            out.push_str(&format!("left to a person (lint at {}):\n", self.to));
            for left in &self.left {
                let help = left.help.as_ref().map_or_else(String::new, |h| format!(" ({h})"));
                out.push_str(&format!("  {} {}: {}{help}\n", left.rule, left.severity, left.message));
            }
        }
        out
    }

    /// The report for programs: every change with the value before and
    /// after (secrets masked unless asked), the notes, and what is left.
    pub fn to_json(&self, name: &str, show_secrets: bool) -> String {
        let show = |key: &str, value: Option<&String>| {
            value.map(|v| {
                if show_secrets {
                    v.clone()
                } else {
                    secrets::mask_value(key, v)
                }
            })
        };
        let changes: Vec<serde_json::Value> = self
            .actions
            .iter()
            .map(|action| {
                let (key, target) = match action {
                    Action::Rename { key, to, .. } => (key.as_str(), Some(to.as_str())),
                    Action::Remove { key, .. } | Action::Comment { key, .. } => (key.as_str(), None),
                    Action::Value { key, .. } => (self.original_key(key), Some(key.as_str())),
                };
                let why = action.why();
                let kind = match action {
                    Action::Rename { .. } => "rename",
                    Action::Remove { .. } => "remove",
                    Action::Comment { .. } => "leave-out",
                    Action::Value { .. } => "value",
                };
                serde_json::json!({
                    "change": kind,
                    "key": key,
                    "new_key": target.filter(|t| *t != key),
                    "before": show(key, self.source.get(key).map(str::to_string).as_ref()),
                    "after": target.and_then(|t| show(t, self.stored.get(t))),
                    "why": why,
                })
            })
            .collect();
        let report = serde_json::json!({
            "file": name,
            "from": self.from.to_string(),
            "from_reason": self.from_reason,
            "to": self.to.to_string(),
            "changes": changes,
            "notes": self.notes,
            "left": self.left,
        });
        format!("{}\n", serde_json::to_string_pretty(&report).unwrap_or_default())
    }

    /// The migrated configuration as a new file in `format`.
    pub fn write(&self, format: Format, options: emit::WriteOptions) -> Result<emit::Written, emit::Refusal> {
        crate::formats::write(&self.target_config(), format, options)
    }

    /// The document's source with the plan applied as span-preserving
    /// edits, checked by reading it back with `reparse`; `Err` says what
    /// cannot be edited in place.
    pub fn edit_in_place(
        &self,
        document: &Document,
        reparse: &dyn Fn(&str) -> Document,
    ) -> Result<(String, Document, Config), String> {
        let mut edits: Vec<Edit> = Vec::new();
        let mut stuck: Vec<String> = Vec::new();
        let mut value_done: Vec<&str> = Vec::new();
        for action in &self.actions {
            let key = action.key();
            let Some((op, raw)) = self.single_set(document, key) else {
                stuck.push(key.to_string());
                continue;
            };
            let edit = match action {
                Action::Rename { to, .. } => edit::rename_key(document, op, to).map(|e| vec![e]),
                Action::Remove { .. } => edit::remove_operation(document, op).map(|e| vec![e]),
                // Kept visible where the format has comments; the report says why.
                Action::Comment { .. } => edit::comment_out_operation(document, op)
                    .or_else(|| edit::remove_operation(document, op))
                    .map(|e| vec![e]),
                Action::Value { value, .. } => {
                    let target_key = self.renamed(key);
                    let final_value = self.stored.get(target_key).unwrap_or(value);
                    if value_done.contains(&target_key) || same_text(raw, final_value) {
                        continue;
                    }
                    value_done.push(target_key);
                    edit::replace_value(document, op, raw, final_value)
                }
            };
            match edit {
                Some(edit) => edits.extend(edit),
                None => stuck.push(key.to_string()),
            }
        }
        if !stuck.is_empty() {
            stuck.dedup();
            return Err(format!("{} cannot be edited in place in this file", stuck.join(", ")));
        }
        let text = edit::apply(&document.source, &edits).map_err(|e| e.to_string())?;
        let after = reparse(&text);
        let config = resolve::resolve(&after, self.to);
        // Values Python reads the same were left as written, so compare them as Python does.
        let matches = config.stored().is_ok_and(|stored| {
            stored.len() == self.stored.len()
                && stored
                    .iter()
                    .zip(&self.stored)
                    .all(|((k, v), (k2, v2))| k == k2 && same_text(v, v2))
        });
        if !matches {
            return Err("the edited file would not store the migrated values".to_string());
        }
        Ok((text, after, config))
    }

    /// The key a value action's key ends up under (value fixes follow renames).
    fn renamed<'a>(&'a self, key: &'a str) -> &'a str {
        self.actions
            .iter()
            .find_map(|a| match a {
                Action::Rename { key: old, to, .. } if old == key => Some(to.as_str()),
                _ => None,
            })
            .unwrap_or(key)
    }

    /// The one `set` in the document that stores `key` (after renames, the
    /// key it had in the source), and the value it stores.
    fn single_set<'d>(
        &'d self,
        document: &'d Document,
        key: &str,
    ) -> Option<(&'d crate::document::Operation, &'d str)> {
        let original = self.original_key(key);
        let mut writes = document.operations.iter().filter(|op| op.key == original);
        let op = writes.next().filter(|op| op.kind == OpKind::Set)?;
        if writes.next().is_some() {
            return None;
        }
        Some((op, self.source.get(original)?))
    }
}

/// Equal text, or equal JSON: a value Python reads the same needs no edit.
fn same_text(a: &str, b: &str) -> bool {
    diff::same_value(a, b)
}

/// The session serializer a release uses when none is set: releases before
/// the key existed hard-coded pickle.
fn default_serializer(release: Version) -> String {
    catalog()
        .property(rules::version::SERIALIZER)
        .filter(|p| p.in_release(release))
        .and_then(|p| p.default_in(release).as_str().map(str::to_string))
        .unwrap_or_else(|| rules::version::PICKLE.to_string())
}

/// Default changes, sessions the upgrade invalidates, and the target's platform.
fn behaviour_notes(migration: &Migration) -> Vec<String> {
    let (from, to) = (migration.from, migration.to);
    let mut notes = Vec::new();
    let target = migration.target_config();
    for (key, old, new) in diff::default_changes(&migration.source, &target) {
        let (old, new) = (secrets::mask_value(&key, &old), secrets::mask_value(&key, &new));
        notes.push(format!("{key} is not set: its default changes from {old} to {new}"));
    }
    let serializer = rules::version::SERIALIZER;
    let (old_serializer, new_serializer) = (default_serializer(from), default_serializer(to));
    if !migration.stored.contains_key(serializer) && old_serializer != new_serializer {
        notes.push(format!(
            "sessions stored with {old_serializer} cannot be read with {new_serializer}: every user logs in again after the upgrade"
        ));
    }
    if let (Some(old), Some(new)) = (catalog().release(from), catalog().release(to)) {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "unspecified".to_string());
        if (&old.python, &old.django) != (&new.python, &new.django) {
            notes.push(format!(
                "OMERO.web {to} needs Python {} and Django {} ({from}: Python {}, Django {})",
                show(&new.python),
                show(&new.django),
                show(&old.python),
                show(&old.django)
            ));
        }
    }
    notes
}

/// Replaces `path`, read as `original`, with `text` atomically after saving
/// the original beside it (`FILE.bak`, or the next free `FILE.bak.N`); a
/// failure at any step leaves the original untouched.
pub fn write_in_place(path: &Path, original: &str, text: &str) -> Result<PathBuf, String> {
    let name = if path == Path::new("-") {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    let backup = atomic::backup(path, original).map_err(|e| format!("cannot back up {name}: {e}"))?;
    atomic::replace(path, original, text).map_err(|e| format!("cannot write {name}: {e}"))?;
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::properties;

    fn planned(text: &str, from: Option<Version>) -> Migration {
        let doc = properties::parse("web.properties", text);
        plan(&doc, from, catalog().latest).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_source_release_is_given_else_pinned_else_the_oldest_with_every_key() {
        let compose = "services:\n  web:\n    image: openmicroscopy/omero-web-standalone:5.27.0\n    environment:\n      CONFIG_omero_web_debug: 'true'\n";
        let doc = crate::formats::read("c.yml", compose, Format::Compose, &Default::default());
        let pinned = plan(&doc, None, catalog().latest).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pinned.from, Version(5, 27, 0));
        let why = pinned.from_reason.as_deref().unwrap_or_default();
        assert!(why.contains("image-tag c.yml:3"), "{why}");
        let given = plan(&doc, Some(Version(5, 24, 0)), catalog().latest).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((given.from, given.from_reason), (Version(5, 24, 0), None));
        let unpinned = planned("omero.web.debug=true\n", None);
        assert_eq!(unpinned.from, catalog().oldest());
        assert!(unpinned.from_reason.is_some_and(|why| why.contains("oldest")));
    }

    /// `explain` describes the upgrade fix of every rule that made a change.
    fn explained(m: &Migration) {
        assert!(!m.actions.is_empty());
        for action in &m.actions {
            let code = action.why().split(' ').next().unwrap_or_default();
            assert!(rules::upgrade_fix(code).is_some(), "{code}");
        }
    }

    #[test]
    fn source_release_is_the_oldest_with_every_key() {
        assert_eq!(
            oldest_release(["omero.web.debug", "x.y"].into_iter()),
            catalog().oldest()
        );
        assert_eq!(
            oldest_release(["omero.web.csrf_trusted_origins"].into_iter()),
            Version(5, 22, 0)
        );
        assert_eq!(
            oldest_release(["omero.web.webgateway_cache", "omero.web.time_zone"].into_iter()),
            Version(5, 10, 0)
        );
    }

    #[test]
    fn deprecated_and_removed_keys() {
        let m = planned(
            "omero.web.force_script_name=/omero\nomero.web.email_host=smtp\nomero.web.webgateway_cache=x\n",
            None,
        );
        let keys: Vec<&str> = m.stored.keys().map(String::as_str).collect();
        assert_eq!(keys, vec!["omero.web.prefix", "omero.mail.host"]);
        explained(&m);
        assert!(
            m.notes
                .iter()
                .any(|n| n.starts_with("omero.web.email_host was silently ignored")),
            "{:?}",
            m.notes
        );
        assert!(
            m.actions.iter().any(|a| matches!(a, Action::Comment { key, why } if key == "omero.web.webgateway_cache" && why.contains("5.26.0") && why.contains("KY004"))),
            "{:?}",
            m.actions
        );
        assert!(
            m.notes.iter().any(|n| n.contains("has nothing that replaces it")),
            "{:?}",
            m.notes
        );
        let both = planned("omero.web.force_script_name=/omero\nomero.web.prefix=/web\n", None);
        assert_eq!(both.stored.get("omero.web.prefix").map(String::as_str), Some("/web"));
    }

    #[test]
    fn values_the_target_rejects() {
        let m = planned(
            "omero.web.apps=[\"figure\", \"omero_iviewer\"]\nomero.web.application_server=fastcgi-tcp\n\
             omero.web.caches={\"default\": {\"BACKEND\": \"redis_cache.RedisCache\", \"LOCATION\": \"127.0.0.1:6379:1\"}}\n\
             omero.web.csrf_trusted_origins=[\"a.org\", \"https://b.org\"]\n",
            None,
        );
        explained(&m);
        let get = |k: &str| m.stored.get(k).map(String::as_str);
        assert_eq!(get("omero.web.apps"), Some("[\"omero_figure\", \"omero_iviewer\"]"));
        assert_eq!(get("omero.web.application_server"), Some("wsgi-tcp"));
        assert_eq!(get("omero.web.caches"), Some("{\"default\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": \"redis://127.0.0.1:6379/1\"}}"));
        assert_eq!(
            get("omero.web.csrf_trusted_origins"),
            Some("[\"https://a.org\", \"https://b.org\"]")
        );
    }

    #[test]
    fn upgrade_fixes_of_the_rules_leave_nothing_for_lint() {
        let m = planned(
            "omero.web.session_serializer=django.contrib.sessions.serializers.PickleSerializer\n\
             omero.web.csrf_trusted_origins=[\".example.org\"]\n\
             omero.web.apps=[\"omero_webtagging_autotag\"]\n\
             omero.web.ui.center_plugins=[[\"Auto Tag\", \"omero_webtagging_autotag/auto_tag_init.js.html\", \"auto_tag_panel\"]]\n\
             omero.web.caches={\"a\": {\"BACKEND\": \"django.core.cache.backends.memcached.MemcachedCache\", \"LOCATION\": \"m:11211\"}, \
             \"b\": {\"BACKEND\": \"redis_cache.cache.RedisCache\", \"LOCATION\": \"r:6379:2\"}}\n",
            Some(Version(5, 18, 0)),
        );
        let get = |k: &str| m.stored.get(k).map(String::as_str);
        assert_eq!(
            get("omero.web.session_serializer"),
            Some("django.contrib.sessions.serializers.JSONSerializer")
        );
        assert!(
            m.notes.iter().any(|n| n.contains("every user logs in again once")),
            "{:?}",
            m.notes
        );
        assert_eq!(
            get("omero.web.csrf_trusted_origins"),
            Some("[\"https://*.example.org\"]")
        );
        assert_eq!(get("omero.web.apps"), Some("[\"omero_autotag\"]"));
        assert_eq!(
            get("omero.web.ui.center_plugins"),
            Some("[[\"Auto Tag\", \"omero_autotag/auto_tag_init.js.html\", \"auto_tag_panel\"]]")
        );
        assert_eq!(
            get("omero.web.caches"),
            Some("{\"a\": {\"BACKEND\": \"django.core.cache.backends.memcached.PyMemcacheCache\", \"LOCATION\": \"m:11211\"}, \
             \"b\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": \"redis://r:6379/2\"}}")
        );
        explained(&m);
        // One change per value, with every rule that asked for it.
        assert_eq!(m.actions.iter().filter(|a| a.key() == "omero.web.caches").count(), 1);
        assert!(m.left.iter().all(|l| l.severity < Severity::Error), "{:?}", m.left);
    }

    #[test]
    fn frozen_lists_get_the_target_default_and_keep_the_additions() {
        use crate::python::json::{self, PyJson};
        let top_links = catalog()
            .property("omero.web.ui.top_links")
            .and_then(|p| p.default.as_str());
        let Some(Ok(PyJson::Array(mut expected))) = top_links.map(json::loads) else {
            panic!("a list default")
        };
        let legacy = catalog()
            .legacy_defaults
            .iter()
            .find(|l| l.key == "omero.web.ui.top_links")
            .map(|l| l.default.clone())
            .unwrap_or_default();
        let Ok(PyJson::Array(mut links)) = json::loads(&legacy) else {
            panic!("a list default")
        };
        let figure = PyJson::Array(vec![PyJson::Str("Figure".into()), PyJson::Str("figure_index".into())]);
        links.push(figure.clone());
        let m = planned(
            &format!("omero.web.ui.top_links={}\n", json::dumps(&PyJson::Array(links))),
            None,
        );
        expected.push(figure);
        assert_eq!(
            m.stored.get("omero.web.ui.top_links"),
            Some(&json::dumps(&PyJson::Array(expected)))
        );
        assert!(
            m.actions.iter().any(|a| a.why().starts_with("AP005")),
            "{:?}",
            m.actions
        );
        explained(&m);
        // A list that does not start with a default is the user's own, and
        // the current default plus additions is not frozen.
        for own in [
            "omero.web.open_with=[[\"x\", \"y\"]]\n",
            "omero.web.open_with=[[\"Image viewer\", \"webgateway\", {\"supported_objects\": [\"image\"], \"script_url\": \"webclient/javascript/ome.openwith_viewer.js\"}], [\"x\", \"y\"]]\n",
        ] {
            assert!(planned(own, Some(Version(5, 6, 0))).actions.is_empty(), "{own}");
        }
        // A script appending to the unset key starts from the running release's default.
        let doc = crate::formats::read(
            "setup.sh",
            "omero config append omero.web.ui.top_links '[\"Figure\", \"figure_index\"]'\n",
            Format::Script,
            &crate::source::Options::default(),
        );
        assert!(plan(&doc, None, catalog().latest).is_ok_and(|m| m.actions.is_empty()));
    }

    #[test]
    fn sessions_and_platform_notes() {
        let m = planned("omero.web.debug=false\n", Some(Version(5, 29, 3)));
        assert!(
            m.notes.iter().any(|n| n.contains("every user logs in again")),
            "{:?}",
            m.notes
        );
        assert!(
            m.notes
                .iter()
                .any(|n| n.starts_with("omero.web.session_serializer is not set")),
            "{:?}",
            m.notes
        );
        assert!(
            m.notes.iter().any(|n| n.contains("needs Python >=3.10,<3.15")),
            "{:?}",
            m.notes
        );
        let current = planned("omero.web.debug=false\n", Some(catalog().latest));
        assert!(current.is_empty());
    }
}

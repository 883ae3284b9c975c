//! `omeroconf migrate`: rewrites a configuration for a target OMERO.web
//! release using only the catalog's per-release data (keys, defaults,
//! deprecations, app renames), so a release added to the catalog is a
//! release migrate can target.
//!
//! A plan is computed from the stored properties at the source release;
//! it is written either in place, as span-preserving edits (`edit`) that
//! are checked by reading the result back, or as a new file by `emit`.
//! Reports never quote a secret unless asked.

use crate::catalog::{catalog, DjangoFrom, Property, Version};
use crate::diff;
use crate::document::{Document, Format, OpKind};
use crate::edit::{self, Edit};
use crate::python::json::{self, PyJson};
use crate::resolve::{self, Config, Entry};
use crate::rules::server::redis_url;
use crate::{atomic, emit, secrets};
use indexmap::IndexMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The key has a successor; the value moves to it.
    Rename { key: String, to: String, why: String },
    /// The target does not read the key.
    Remove { key: String, why: String },
    /// The target rejects the value; `value` is the one it accepts.
    Value { key: String, value: String, why: String },
    /// The stored list is an old default plus `additions`; `value` is the
    /// target's default plus the additions.
    Unfreeze {
        key: String,
        additions: Vec<String>,
        value: String,
        why: String,
    },
}

impl Action {
    pub fn key(&self) -> &str {
        match self {
            Action::Rename { key, .. }
            | Action::Remove { key, .. }
            | Action::Value { key, .. }
            | Action::Unfreeze { key, .. } => key,
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
            Action::Value { key, value, why } => format!("value     {key} = {}: {why}", show(key, value)),
            Action::Unfreeze {
                key, additions, why, ..
            } => {
                let items: Vec<String> = additions.iter().map(|a| show(key, a)).collect();
                format!(
                    "unfreeze  {key}: {why}; keeps only [{}] (append --set)",
                    items.join(", ")
                )
            }
        }
    }
}

/// What migrating a configuration does.
#[derive(Debug, Clone)]
pub struct Migration {
    pub from: Version,
    pub to: Version,
    pub actions: Vec<Action>,
    /// Behaviour changes the configuration cannot fix.
    pub notes: Vec<String>,
    /// The stored properties for the target.
    pub stored: IndexMap<String, String>,
    /// Unfrozen lists: the items to `append --set` in a script instead of storing the list.
    pub appends: IndexMap<String, Vec<String>>,
    /// The configuration at the source release.
    pub source: Config,
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

/// Plans the migration of `document` to release `to`, from `from` or else
/// the oldest release that has all its keys.
pub fn plan(document: &Document, from: Option<Version>, to: Version) -> Result<Migration, String> {
    let from = from.unwrap_or_else(|| oldest_release(document.operations.iter().map(|op| op.key.as_str())));
    if from > to {
        return Err(format!("the source release {from} is newer than the target {to}"));
    }
    let source = resolve::resolve(document, from);
    let stored = source
        .stored()
        .map_err(|keys| format!("the value of {} is unknown until the script runs", keys.join(", ")))?;
    let mut migration = Migration {
        from,
        to,
        actions: Vec::new(),
        notes: Vec::new(),
        stored: IndexMap::new(),
        appends: IndexMap::new(),
        source,
    };
    for (key, value) in &stored {
        // A list a script builds by appending to the unset key starts from
        // the running release's default: only a stored list can be frozen.
        let literal = document
            .operations
            .iter()
            .find(|op| op.key == *key)
            .is_some_and(|op| op.kind == OpKind::Set);
        let Some(key) = migration.key_in_target(key, &stored) else {
            continue;
        };
        let mut value = value.clone();
        if let Some((fixed, why)) = fix_value(&key, &value, to) {
            migration.actions.push(Action::Value {
                key: key.clone(),
                value: fixed.clone(),
                why,
            });
            value = fixed;
        }
        if let Some((additions, refreshed, why)) = frozen(&key, &value, to).filter(|_| literal) {
            migration.actions.push(Action::Unfreeze {
                key: key.clone(),
                additions: additions.clone(),
                value: refreshed.clone(),
                why,
            });
            migration.appends.insert(key.clone(), additions);
            value = refreshed;
        }
        migration.stored.insert(key, value);
    }
    migration.notes.extend(behaviour_notes(&migration));
    Ok(migration)
}

impl Migration {
    /// The key `key` is stored under in the target, recording a rename or
    /// removal; `None` when the target does not read it.
    fn key_in_target(&mut self, key: &str, stored: &IndexMap<String, String>) -> Option<String> {
        let Some(property) = catalog().property(key) else {
            return Some(key.to_string());
        };
        let (from, to) = (self.from, self.to);
        let remove = |why: String| Action::Remove {
            key: key.to_string(),
            why,
        };
        if property.is_deprecated() {
            let successor = property
                .deprecated_by
                .as_deref()
                .filter(|s| catalog().property(s).is_some());
            match successor {
                Some(s) if stored.contains_key(s) => {
                    self.actions
                        .push(remove(format!("deprecated; {s} is also set and wins")));
                    None
                }
                Some(s) => {
                    let why = if property.deprecated_honoured {
                        format!("deprecated; OMERO.web still reads it as {s}, so the new name keeps the behaviour")
                    } else {
                        self.notes
                            .push(format!("{key} was silently ignored; as {s} its value takes effect"));
                        format!("deprecated and ignored by OMERO.web; {s} is the key it reads")
                    };
                    self.actions.push(Action::Rename {
                        key: key.to_string(),
                        to: s.to_string(),
                        why,
                    });
                    Some(s.to_string())
                }
                None => {
                    self.actions.push(remove(
                        "deprecated without a successor; it was silently ignored before".to_string(),
                    ));
                    None
                }
            }
        } else if !property.in_release(to) {
            let before = if property.in_release(from) {
                format!("OMERO.web {from} still read it")
            } else {
                format!("it was silently ignored already in {from}")
            };
            let removed = property
                .until
                .map_or_else(String::new, |u| format!(" (removed in {u})"));
            self.actions
                .push(remove(format!("OMERO.web {to} does not read it{removed}; {before}")));
            None
        } else {
            Some(key.to_string())
        }
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
        self.actions.is_empty() && self.notes.is_empty()
    }

    /// The report for people: the changes, then what the admin must handle.
    pub fn render(&self, name: &str, show_secrets: bool) -> String {
        let mut out = format!("migrate {name}: OMERO.web {} -> {}\n", self.from, self.to);
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
        out
    }

    /// The migrated configuration as a new file in `format`; scripts get
    /// unfrozen lists as `append --set` commands.
    pub fn write(&self, format: Format, options: emit::WriteOptions) -> Result<emit::Written, emit::Refusal> {
        let script = matches!(format, Format::Script | Format::Omero);
        let mut config = self.target_config();
        if script {
            config.entries.retain(|k, _| !self.appends.contains_key(k));
        }
        let mut written = crate::formats::write(&config, format, options)?;
        if script {
            let command = if format == Format::Script {
                "omero config"
            } else {
                "config"
            };
            for (key, items) in &self.appends {
                for item in items {
                    let item = if options.mask_secrets {
                        secrets::mask_value(key, item)
                    } else {
                        item.clone()
                    };
                    written.text.push_str(&format!(
                        "{command} append --set {} {}\n",
                        emit::script::quote(key),
                        emit::script::quote(&item)
                    ));
                }
            }
        }
        Ok(written)
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
                Action::Rename { to, .. } => edit::rename_key(document, op, to),
                Action::Remove { .. } => edit::remove_operation(document, op),
                Action::Value { value, .. } | Action::Unfreeze { value, .. } => {
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
                Some(edit) => edits.push(edit),
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
        let original = self
            .actions
            .iter()
            .find_map(|a| match a {
                Action::Rename { key: old, to, .. } if to == key => Some(old.as_str()),
                _ => None,
            })
            .unwrap_or(key);
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

/// A value the target rejects, rewritten as it accepts it, and why.
fn fix_value(key: &str, value: &str, to: Version) -> Option<(String, String)> {
    let parsed = json::loads(value).ok();
    match (key, parsed) {
        ("omero.web.apps", Some(PyJson::Array(mut apps))) => {
            let mut renamed = Vec::new();
            for app in apps.iter_mut() {
                let PyJson::Str(name) = app else { continue };
                if let Some(rename) = catalog().app_renames.iter().find(|r| r.old == *name) {
                    renamed.push(format!("{} is now {} ({})", rename.old, rename.new, rename.source()));
                    *name = rename.new.clone();
                }
            }
            (!renamed.is_empty()).then(|| {
                (
                    json::dumps(&PyJson::Array(apps)),
                    format!("renamed apps: {}", renamed.join("; ")),
                )
            })
        }
        ("omero.web.caches", Some(PyJson::Object(mut aliases))) => {
            let mut why = Vec::new();
            for (alias, settings) in aliases.iter_mut() {
                let PyJson::Object(members) = settings else { continue };
                why.extend(fix_cache(alias, members, to));
            }
            (!why.is_empty()).then(|| (json::dumps(&PyJson::Object(aliases)), why.join("; ")))
        }
        ("omero.web.application_server", _) if value.starts_with("fastcgi") => {
            let allowed = catalog()
                .property(key)
                .and_then(|p| p.enforced_values.as_ref())
                .is_some_and(|v| v.iter().any(|a| a == value));
            (!allowed).then(|| {
                (
                    "wsgi-tcp".to_string(),
                    format!("OMERO.web {to} has no FastCGI server; gunicorn (wsgi-tcp) replaces it"),
                )
            })
        }
        ("omero.web.csrf_trusted_origins", Some(PyJson::Array(mut origins)))
            if catalog().django_from(to, Version(4, 0, 0)) != DjangoFrom::Never =>
        {
            let mut fixed = Vec::new();
            for origin in origins.iter_mut() {
                let PyJson::Str(text) = origin else { continue };
                if !text.contains("://") {
                    fixed.push(text.clone());
                    *text = format!("https://{text}");
                }
            }
            (!fixed.is_empty()).then(|| {
                (
                    json::dumps(&PyJson::Array(origins)),
                    format!(
                        "Django 4 and later need a scheme: https:// added to {}",
                        fixed.join(", ")
                    ),
                )
            })
        }
        _ => None,
    }
}

/// Rewrites one cache alias's old backend and location; says what changed.
fn fix_cache(alias: &str, members: &mut [(String, PyJson)], to: Version) -> Vec<String> {
    let mut why = Vec::new();
    let text = |members: &[(String, PyJson)], name: &str| {
        members
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| if let PyJson::Str(s) = v { Some(s.clone()) } else { None })
    };
    let set = |members: &mut [(String, PyJson)], name: &str, value: String| {
        if let Some((_, v)) = members.iter_mut().find(|(k, _)| k == name) {
            *v = PyJson::Str(value);
        }
    };
    let backend = text(members, "BACKEND").unwrap_or_default();
    let successor = match backend.as_str() {
        "redis_cache.RedisCache" | "redis_cache.cache.RedisCache" => Some("django_redis.cache.RedisCache"),
        "django.core.cache.backends.memcached.MemcachedCache"
            if catalog().django_from(to, Version(4, 1, 0)) != DjangoFrom::Never =>
        {
            Some("django.core.cache.backends.memcached.PyMemcacheCache")
        }
        _ => None,
    };
    if let Some(successor) = successor {
        why.push(format!("{alias}: {backend} -> {successor}"));
        set(members, "BACKEND", successor.to_string());
    }
    // OMERO.web's `redis` extra installs django-redis 5, which needs URLs, from 5.14.0 on.
    let redis = text(members, "BACKEND").is_some_and(|b| b.ends_with("RedisCache"));
    if let Some(location) = text(members, "LOCATION").filter(|l| redis && to >= Version(5, 14, 0) && !l.contains("://"))
    {
        why.push(format!("{alias}: the location is now a redis:// URL"));
        set(members, "LOCATION", redis_url(&location));
    }
    why
}

/// A list stored as an old (or current) default plus the user's additions:
/// the additions, the target's default plus them, and why.
fn frozen(key: &str, value: &str, to: Version) -> Option<(Vec<String>, String, String)> {
    let property = catalog().property(key).filter(|p| p.append_starts_from_default())?;
    let Ok(PyJson::Array(stored)) = json::loads(value) else {
        return None;
    };
    let Some(Ok(PyJson::Array(target))) = property.default_in(to).as_str().map(json::loads) else {
        return None;
    };
    // The longest known default the stored list starts with.
    let (release, default) = known_defaults(property, to)
        .into_iter()
        .filter(|(_, d)| !d.is_empty() && d.len() <= stored.len() && d.iter().zip(&stored).all(|(a, b)| a.py_eq(b)))
        .max_by_key(|(_, d)| d.len())?;
    let additions: Vec<PyJson> = stored[default.len()..].to_vec();
    let mut refreshed = target;
    for item in &additions {
        // `append --set` adds only what is not there already.
        if json::position_in(&refreshed, item).is_none() {
            refreshed.push(item.clone());
        }
    }
    let why = format!("holds the default of OMERO.web {release}, frozen there by `omero config append`");
    Some((
        additions.iter().map(json::dumps).collect(),
        json::dumps(&PyJson::Array(refreshed)),
        why,
    ))
}

/// Every distinct default list of a key up to `to`, with the first release
/// (or legacy release range) that had it.
fn known_defaults(property: &Property, to: Version) -> Vec<(String, Vec<PyJson>)> {
    let mut out: Vec<(String, Vec<PyJson>)> = Vec::new();
    let legacy = catalog()
        .legacy_defaults
        .iter()
        .filter(|l| l.key == property.key)
        .map(|l| (l.releases.clone(), l.default.clone()));
    let released = catalog()
        .releases
        .iter()
        .filter(|r| r.version <= to && property.in_release(r.version))
        .filter_map(|r| {
            Some((
                r.version.to_string(),
                property.default_in(r.version).as_str()?.to_string(),
            ))
        });
    for (release, text) in legacy.chain(released) {
        let Ok(PyJson::Array(items)) = json::loads(&text) else {
            continue;
        };
        if !out
            .iter()
            .any(|(_, d)| d.len() == items.len() && d.iter().zip(&items).all(|(a, b)| a.py_eq(b)))
        {
            out.push((release, items));
        }
    }
    out
}

/// The session serializer a release uses when none is set: releases before
/// the key existed hard-coded pickle.
fn default_serializer(release: Version) -> String {
    catalog()
        .property("omero.web.session_serializer")
        .filter(|p| p.in_release(release))
        .and_then(|p| p.default_in(release).as_str().map(str::to_string))
        .unwrap_or_else(|| "django.contrib.sessions.serializers.PickleSerializer".to_string())
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
    let serializer = "omero.web.session_serializer";
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
        assert!(
            m.notes
                .iter()
                .any(|n| n.starts_with("omero.web.email_host was silently ignored")),
            "{:?}",
            m.notes
        );
        assert!(
            matches!(&m.actions[2], Action::Remove { key, why } if key == "omero.web.webgateway_cache" && why.contains("5.26.0"))
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
    fn frozen_lists_keep_only_the_additions() {
        let default = catalog()
            .property("omero.web.open_with")
            .map(|p| p.default_in(Version(5, 6, 0)).as_str().unwrap_or_default().to_string())
            .unwrap_or_default();
        let Ok(PyJson::Array(mut items)) = json::loads(&default) else {
            panic!("a list default")
        };
        items.push(PyJson::Str("mine".into()));
        let m = planned(
            &format!("omero.web.open_with={}\n", json::dumps(&PyJson::Array(items))),
            Some(Version(5, 6, 0)),
        );
        assert_eq!(
            m.appends.get("omero.web.open_with"),
            Some(&vec!["\"mine\"".to_string()])
        );
        // A list that does not start with a default is the user's own.
        let own = planned("omero.web.open_with=[[\"x\", \"y\"]]\n", None);
        assert!(own.appends.is_empty());
        // A pre-5.6 default (schema/legacy-defaults.json) is recognised too.
        let legacy = catalog()
            .legacy_defaults
            .iter()
            .find(|l| l.key == "omero.web.ui.top_links")
            .map(|l| l.default.clone())
            .unwrap_or_default();
        let Ok(PyJson::Array(mut links)) = json::loads(&legacy) else {
            panic!("a list default")
        };
        links.push(PyJson::Array(vec![
            PyJson::Str("Figure".into()),
            PyJson::Str("figure_index".into()),
        ]));
        let m = planned(
            &format!("omero.web.ui.top_links={}\n", json::dumps(&PyJson::Array(links))),
            None,
        );
        assert_eq!(
            m.appends.get("omero.web.ui.top_links"),
            Some(&vec!["[\"Figure\", \"figure_index\"]".to_string()])
        );
        assert!(m
            .stored
            .get("omero.web.ui.top_links")
            .is_some_and(|v| v.contains("https://help.openmicroscopy.org/")));
        // A script appending to the unset key is not frozen: it starts from the running release's default.
        let doc = crate::formats::read(
            "setup.sh",
            "omero config append omero.web.ui.top_links '[\"Figure\", \"figure_index\"]'\n",
            Format::Script,
            &crate::source::Options::default(),
        );
        assert!(plan(&doc, None, catalog().latest).is_ok_and(|m| m.appends.is_empty()));
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

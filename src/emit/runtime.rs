//! The values `omero web config` and `omero web start` read from OMERO.web's
//! settings (see shared/reference/runtime-emit.md): each stored string or
//! catalog default through the key's own parser, after judging the whole
//! configuration the way OMERO.web's settings import does.
//!
//! This module must never accept a configuration OMERO.web would refuse to
//! load: OMERO prints no nginx file and starts no gunicorn then either.

use super::Refusal;
use crate::catalog::{catalog, Section, Version};
use crate::document::Document;
use crate::python::json::{self, PyJson};
use crate::resolve::Config;
use crate::secrets;
use crate::settings::{self, Parsed, Rejection};
use indexmap::IndexMap;

/// OMERO.web's view of a configuration, for one OMERODIR.
#[derive(Debug, Clone)]
pub struct Runtime {
    /// `$OMERODIR` as given, unnormalised, as the `omero` CLI keeps it.
    pub omerodir: String,
    release: Version,
    stored: IndexMap<String, String>,
}

impl Runtime {
    /// Resolves `document` for `release` and judges it, see [`Runtime::new`].
    pub fn load(document: &Document, release: Version, omerodir: &str) -> Result<Runtime, Refusal> {
        Runtime::new(document, &crate::resolve::resolve(document, release), omerodir)
    }

    /// Judges `config` (resolved from `document`) like OMERO.web's settings
    /// import, which is all `omero web config` and `omero web start` run
    /// before writing: what fails later, in `django.setup()` or Django's
    /// checks, does not stop them (lint's `blocks_start` covers both).
    pub fn new(document: &Document, config: &Config, omerodir: &str) -> Result<Runtime, Refusal> {
        super::readable(document)?;
        let stored = super::stored(config)?;
        if let Some((key, rejection)) = import_failures(&stored, config.release).into_iter().next() {
            let message = format!(
                "OMERO.web would refuse to load this configuration, so OMERO writes nothing either: {key}: {}",
                secrets::mask_message(&key, &rejection.to_string())
            );
            return Err(Refusal {
                key: Some(key),
                message,
            });
        }
        Ok(Runtime {
            omerodir: omerodir.to_string(),
            release: config.release,
            stored,
        })
    }

    /// The value OMERO.web's settings hold for `key`: the stored string or
    /// the release's default, through the key's parser; `None` when the key
    /// is unset and OMERO leaves it unset.
    pub fn parsed(&self, key: &str) -> Result<Option<Parsed>, Refusal> {
        let property = catalog()
            .property(key)
            .ok_or_else(|| Refusal::at(key, format!("{key} is not in omeroconf's catalog")))?;
        let raw = match self.stored.get(key) {
            Some(raw) => raw.clone(),
            None => match self.default_text(property.default_in(self.release)) {
                Some(text) => text,
                None => return Ok(None),
            },
        };
        settings::parse(property, self.release, &raw)
            .map(Some)
            .map_err(|r| Refusal::at(key, format!("{key}: {}", secrets::mask_message(key, &r.to_string()))))
    }

    /// A catalog default as the string OMERO feeds its parser; `$OMERODIR`
    /// stands for `os.path.join(OMERODIR, ...)`.
    fn default_text(&self, default: &serde_json::Value) -> Option<String> {
        match default {
            serde_json::Value::Null => None,
            serde_json::Value::String(text) => Some(match text.strip_prefix("$OMERODIR/") {
                Some(rest) => rest
                    .split('/')
                    .fold(self.omerodir.clone(), |dir, part| join(&dir, part)),
                None => text.clone(),
            }),
            other => Some(other.to_string()),
        }
    }

    /// The value as Python's `str()` would print it (`%s`).
    pub fn text(&self, key: &str) -> Result<Option<String>, Refusal> {
        Ok(self.parsed(key)?.map(|parsed| match parsed {
            Parsed::Str(s) | Parsed::Int(s) => s,
            Parsed::Bool(b) => if b { "True" } else { "False" }.to_string(),
            Parsed::Json(value) => json::dumps(&value),
        }))
    }

    /// An integer setting as decimal text (`%d`).
    pub fn int(&self, key: &str) -> Result<String, Refusal> {
        match self.parsed(key)? {
            Some(Parsed::Int(n)) => Ok(n),
            _ => Err(Refusal::at(key, format!("{key} has no integer value"))),
        }
    }

    /// A parsed JSON setting.
    pub fn json(&self, key: &str) -> Result<Option<PyJson>, Refusal> {
        Ok(match self.parsed(key)? {
            Some(Parsed::Json(value)) => Some(value),
            _ => None,
        })
    }

    /// `omero.web.application_server`.
    pub fn server_type(&self) -> Result<String, Refusal> {
        Ok(self.text("omero.web.application_server")?.unwrap_or_default())
    }

    /// `HOST:PORT` of the application server, as both nginx and gunicorn use it.
    pub fn application_address(&self) -> Result<String, Refusal> {
        let host = self.text("omero.web.application_server.host")?.unwrap_or_default();
        Ok(format!("{host}:{}", self.int("omero.web.application_server.port")?))
    }

    /// Django's `FORCE_SCRIPT_NAME`: `omero.web.prefix`, else its deprecated
    /// predecessor `omero.web.force_script_name`; `None` when neither is set.
    pub fn script_name(&self) -> Result<Option<String>, Refusal> {
        match self.text("omero.web.prefix")? {
            Some(prefix) => Ok(Some(prefix)),
            None => self.text("omero.web.force_script_name"),
        }
    }

    /// The pid file of `omero web start`: OMERO appends the path as text,
    /// so a trailing `/` on OMERODIR doubles.
    pub fn pid_file(&self) -> String {
        format!("{}/var/django.pid", self.omerodir)
    }
}

/// Test helper: the runtime of a properties text.
#[cfg(test)]
pub(crate) fn from_properties(text: &str, omerodir: &str) -> Result<Runtime, Refusal> {
    let document = crate::source::properties::parse("test.properties", text);
    Runtime::load(&document, catalog().latest, omerodir)
}

/// The apps of `omero.web.apps` whose own mappings the settings import
/// processes; other apps read their keys only when Django loads them.
fn imported_apps(stored: &IndexMap<String, String>) -> Vec<&'static str> {
    let listed = match stored.get("omero.web.apps").map(|raw| json::loads(raw)) {
        Some(Ok(PyJson::Array(items))) => items,
        _ => return Vec::new(),
    };
    catalog()
        .apps
        .iter()
        .filter(|app| {
            app.settings_at_import
                && listed
                    .iter()
                    .any(|item| matches!(item, PyJson::Str(s) if *s == app.module))
        })
        .map(|app| app.module.as_str())
        .collect()
}

/// Every failure of OMERO.web's settings import for the stored values, in
/// their order: each value through its key's parser (apps' keys only for the
/// apps the import processes; deprecated keys' parsers never run), then the
/// module code after the mappings. Empty when the settings load.
pub fn import_failures(stored: &IndexMap<String, String>, release: Version) -> Vec<(String, Rejection)> {
    let imported = imported_apps(stored);
    let mut failures: Vec<(String, Rejection)> = stored
        .iter()
        .filter_map(|(key, raw)| {
            let property = catalog().property(key)?;
            let processed = match &property.section {
                Section::Deprecated => false,
                Section::App(_) => property.app.as_deref().is_some_and(|app| imported.contains(&app)),
                _ => !property.server_side,
            };
            let rejection = settings::parse(property, release, raw).err().filter(|_| processed)?;
            Some((key.clone(), rejection))
        })
        .collect();
    let parsed = |key: &str| stored.get(key).and_then(|raw| json::loads(raw).ok());
    let (apps, middleware, extra, servers) = (
        parsed("omero.web.apps"),
        parsed("omero.web.middleware"),
        parsed("omero.web.django_additional_settings"),
        parsed("omero.web.server_list"),
    );
    let inputs = settings::ModuleInputs {
        apps: apps.as_ref(),
        middleware: middleware.as_ref(),
        extra: extra.as_ref(),
        servers: servers.as_ref(),
    };
    failures.extend(
        settings::module_checks(inputs)
            .into_iter()
            .map(|failure| (failure.key.to_string(), failure.rejection)),
    );
    failures
}

/// Python's `os.path.join(a, b)` on POSIX.
pub fn join(a: &str, b: &str) -> String {
    if b.starts_with('/') {
        b.to_string()
    } else if a.is_empty() || a.ends_with('/') {
        format!("{a}{b}")
    } else {
        format!("{a}/{b}")
    }
}

/// Python's truth value of a parsed JSON value.
pub fn truthy(value: &PyJson) -> bool {
    match value {
        PyJson::Null => false,
        PyJson::Bool(b) => *b,
        PyJson::Int(n) => n != "0",
        PyJson::Float(f) => *f != 0.0,
        PyJson::Str(s) => !s.is_empty(),
        PyJson::Array(items) => !items.is_empty(),
        PyJson::Object(pairs) => !pairs.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime(text: &str) -> Result<Runtime, Refusal> {
        from_properties(text, "/srv/web/")
    }

    #[test]
    fn defaults_come_from_the_catalog_through_the_parsers() -> Result<(), Refusal> {
        let rt = runtime("omero.web.application_server.port=04090\n")?;
        assert_eq!(rt.application_address()?, "127.0.0.1:4090");
        assert_eq!(
            rt.text("omero.web.static_root")?.as_deref(),
            Some("/srv/web/var/static")
        );
        assert_eq!(rt.text("omero.web.static_url")?.as_deref(), Some("/static/"));
        assert_eq!(rt.script_name()?, None);
        assert_eq!(rt.pid_file(), "/srv/web//var/django.pid");
        Ok(())
    }

    #[test]
    fn the_prefix_wins_over_its_deprecated_key() -> Result<(), Refusal> {
        assert_eq!(
            runtime("omero.web.force_script_name=/old\n")?.script_name()?.as_deref(),
            Some("/old")
        );
        let both = runtime("omero.web.force_script_name=/old\nomero.web.prefix=\n")?;
        assert_eq!(both.script_name()?.as_deref(), Some(""));
        Ok(())
    }

    #[test]
    fn refuses_what_omero_web_refuses_without_quoting_secrets() {
        let refusal = runtime("omero.web.wsgi_workers=four\n").err();
        assert_eq!(
            refusal.as_ref().and_then(|r| r.key.as_deref()),
            Some("omero.web.wsgi_workers")
        );
        let refusal = runtime("# omeroconf: ignore[TY002]\nomero.web.caches={\"default\": \"redis://:pw@x\"\n").err();
        let message = refusal.map(|r| r.message).unwrap_or_default();
        assert!(
            message.contains("omero.web.caches") && !message.contains("pw@"),
            "{message}"
        );
        assert!(
            runtime("omero.web.debug=yes\n").is_ok(),
            "a warning does not stop OMERO.web"
        );
    }

    #[test]
    fn a_broken_middleware_list_stops_omero_web_a_bad_app_key_only_if_imported() {
        let refusal = runtime("omero.web.middleware=[{\"class\": \"a.B\"}]\n").err();
        assert_eq!(refusal.and_then(|r| r.key).as_deref(), Some("omero.web.middleware"));
        assert!(runtime("omero.web.iviewer.max_active_channels=ten\n").is_ok());
        // omero_figure's settings are processed by the import, once listed.
        assert!(runtime("omero.figure.max_active_channels=ten\n").is_ok());
        assert!(runtime("omero.figure.max_active_channels=ten\nomero.web.apps=[\"omero_figure\"]\n").is_err());
        assert!(runtime("omero.web.iviewer.max_active_channels=ten\nomero.web.apps=[\"omero_iviewer\"]\n").is_ok());
    }

    #[test]
    fn python_truth_and_join() {
        assert!(
            !truthy(&PyJson::Array(vec![])) && truthy(&PyJson::Str("x".into())) && !truthy(&PyJson::Int("0".into()))
        );
        assert_eq!(join("/a/", "b"), "/a/b");
        assert_eq!(join("/a", "/b"), "/b");
    }
}

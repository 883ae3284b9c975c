//! Files derived from a resolved [`Config`]: the deployment files OMERO.web
//! itself would produce (`nginx`, `gunicorn`, `systemd`, computed in
//! [`runtime`] with OMERO's own parsers and defaults) and the configuration
//! written back in every input format (one writer per format).
//!
//! Nothing here parses configuration text; every emitter starts from a
//! `Config`. Emitters return text or a [`Refusal`]; writing files is
//! [`crate::atomic`]'s job and the binary's.

use crate::document::Format;
use crate::resolve::Config;
use indexmap::IndexMap;
use std::fmt;

pub mod ansible;
pub mod dockerfile;
pub mod env;
pub mod gunicorn;
mod gunicorn_settings;
pub mod json;
pub mod nginx;
pub mod omero;
pub mod properties;
pub mod runtime;
pub mod script;
pub mod systemd;
pub mod toml;
pub mod xml;

/// Where OMERO.web lives when `--omerodir` is not given (the install guide's).
pub const DEFAULT_OMERODIR: &str = "/opt/omero/web/OMERO.web";

/// Why a file cannot be emitted: OMERO itself would refuse, or the target
/// format cannot carry a value. The message never quotes a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The property at fault, when one is.
    pub key: Option<String>,
    pub message: String,
}

impl Refusal {
    pub fn new(message: impl Into<String>) -> Refusal {
        Refusal {
            key: None,
            message: message.into(),
        }
    }

    pub fn at(key: impl Into<String>, message: impl Into<String>) -> Refusal {
        Refusal {
            key: Some(key.into()),
            message: message.into(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refusal {}

/// A deployment file `omeroconf emit` derives from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deployment {
    Nginx(nginx::Kind, nginx::Options),
    Gunicorn(gunicorn::Style),
    Systemd(systemd::Options),
}

/// A deployment file's text and what to warn about beside it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Emitted {
    pub text: String,
    pub warnings: Vec<String>,
}

/// The deployment file `target` for the configuration `runtime` holds.
pub fn deployment(runtime: &runtime::Runtime, target: &Deployment) -> Result<Emitted, Refusal> {
    match target {
        Deployment::Nginx(kind, options) => Ok(Emitted {
            text: nginx::render(runtime, *kind, options)?,
            warnings: nginx::warnings(runtime)?,
        }),
        Deployment::Gunicorn(style) => Ok(Emitted {
            text: gunicorn::render(runtime, *style)?,
            warnings: Vec::new(),
        }),
        Deployment::Systemd(options) => Ok(Emitted {
            text: systemd::render(runtime, options)?,
            warnings: Vec::new(),
        }),
    }
}

/// The format diffs of whole configurations are shown in: one line per key.
pub const DIFF_FORMAT: Format = Format::Properties;

/// How a configuration writer treats values and secrets.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Write what the format can carry even when a value would change
    /// (the changed keys are still reported); never drops a key silently.
    pub force: bool,
    /// Replace secret values with the mask, for sharing.
    pub mask_secrets: bool,
}

/// A configuration written in a format, the keys whose values the format
/// could not carry exactly (only non-empty with `force`), and warnings about
/// keys the format left out or commented (env files, Ansible variables).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Written {
    pub text: String,
    pub altered: Vec<String>,
    pub warnings: Vec<String>,
}

/// A value a format cannot carry: refused, or with `force` written as the
/// format allows and reported.
pub(crate) fn not_carried(
    key: &str,
    why: &str,
    format: Format,
    force: bool,
    altered: &mut Vec<String>,
) -> Result<(), Refusal> {
    if force {
        altered.push(key.to_string());
        return Ok(());
    }
    Err(Refusal::at(
        key,
        format!("{key}: the {format} format cannot carry this value ({why}); use another format, or --force to write it altered"),
    ))
}

/// Refuses a document that could not be read as a whole: a conversion or
/// a deployment file from part of it would silently lack the rest.
pub fn readable(document: &crate::document::Document) -> Result<(), Refusal> {
    let unread = document
        .findings
        .iter()
        .find(|f| f.code() == crate::source::rules::SYNTAX_ERROR.code);
    match unread {
        Some(finding) => Err(Refusal::new(format!(
            "{} cannot be read as a whole: {}",
            document.path, finding.message
        ))),
        None => Ok(()),
    }
}

/// The stored strings, or a refusal naming the keys whose value is unknown.
pub fn stored(config: &Config) -> Result<IndexMap<String, String>, Refusal> {
    config.stored().map_err(|unknown| {
        let mut refusal = Refusal::new(format!(
            "the stored value of {} is unknown until the script runs (see `omeroconf lint`)",
            unknown.join(", ")
        ));
        refusal.key = unknown.into_iter().next();
        refusal
    })
}

/// The stored properties with every secret masked.
pub(crate) fn masked(stored: &IndexMap<String, String>) -> IndexMap<String, String> {
    stored
        .iter()
        .map(|(k, v)| (k.clone(), crate::secrets::mask_value(k, v)))
        .collect()
}

/// Test helper: a stored configuration from `(key, value)` pairs.
#[cfg(test)]
pub(crate) fn stored_from(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

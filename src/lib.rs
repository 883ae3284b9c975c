//! omeroconf: OMERO.web configuration checked before it reaches production.
//!
//! Data flows one way: `source` parses an input into a [`document::Document`]
//! of `omero config` operations; `resolve` replays them with omero-py's
//! semantics into a [`resolve::Config`]; `rules` judge it with OMERO.web's
//! own parsers (re-implemented in `python` and `settings`) and the
//! [`catalog`]; `report` renders the findings; `emit` derives deployment
//! files (nginx, gunicorn, systemd) and writes the configuration in every
//! format.

pub mod atomic;
pub mod catalog;
pub mod diagnostic;
pub mod diff;
pub mod document;
pub mod edit;
pub mod emit;
pub mod formats;
pub mod lint;
pub mod migrate;
pub mod project;
pub mod python;
pub mod release;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod schema;
pub mod secrets;
pub mod settings;
pub mod shape;
pub mod similarity;
pub mod source;
pub mod span;
pub mod venv;
pub mod walk;

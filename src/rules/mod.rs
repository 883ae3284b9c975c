//! The rule registry: every finding omeroconf can report is declared once
//! in a family file (the IN rules beside the readers, in `source/rules.rs`),
//! with its code, name, severity and explanation.
//! `omeroconf rules`, `omeroconf explain`, the JSON report and (later) SARIF
//! all read [`RULES`].

use crate::catalog::{catalog, Property, Version};
pub use crate::diagnostic::Rule;
use crate::diagnostic::{Change, Finding, Fix};
use crate::document::{Document, OpKind, Operation, Span};
use crate::edit;
use crate::python::{self, json::PyJson};
use crate::resolve::Config;
use crate::source;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

pub mod apps;
pub mod gunicorn;
pub mod install;
pub mod keys;
pub mod middleware;
pub mod paths;
pub mod public;
pub mod security;
pub mod server;
pub mod server_keys;
pub mod types;
pub mod version;

/// Every rule, in code order within each family.
pub static RULES: &[&Rule] = &[
    &source::rules::SYNTAX_ERROR,
    &source::rules::UNRESOLVED_VARIABLE,
    &source::rules::COMMAND_SUBSTITUTION,
    &source::rules::DUPLICATE_KEY,
    &source::rules::MASKED_VALUE,
    &source::rules::ILLEGAL_KEY,
    &source::rules::VALUE_NOT_PRESERVED,
    &source::rules::COMMAND_FAILS,
    &source::rules::UNSUPPORTED_COMMAND,
    &source::rules::VALUE_NOT_REPRESENTABLE,
    &source::rules::SCHEMA_MISMATCH,
    &source::rules::ENV_NAME,
    &source::rules::ENV_QUOTES_KEPT,
    &source::rules::OVERRIDDEN,
    &source::rules::TEMPLATE_VALUE,
    &source::rules::EXTERNAL_SOURCE,
    &source::rules::ROLE_TEMPLATE_FAILS,
    &source::rules::YAML_NUMBER,
    &source::rules::UNEVALUATED_EXPANSION,
    &source::rules::CRLF_LINE_ENDS,
    &crate::release::PIN_TOO_OLD,
    &crate::release::PIN_UNKNOWN,
    &install::NOT_IMPORTABLE,
    &install::REQUIREMENT_EXCLUDES,
    &install::APP_NOT_LISTED,
    &types::INVALID_INT,
    &types::INVALID_JSON,
    &types::INVALID_REGEX,
    &types::UNKNOWN_TIME_ZONE,
    &types::VALUE_NOT_ALLOWED,
    &types::BOOLEAN_MEANS_FALSE,
    &types::JSON_SHAPE,
    &types::ADVISORY_VALUE,
    &types::TRUTHY_STRING,
    &types::EMPTY_REQUIRED,
    &types::PLACEHOLDER,
    &types::SETTING_CRASHES,
    &types::SHAPE_STOPS_START,
    &keys::UNKNOWN_KEY,
    &keys::DEPRECATED_HONOURED,
    &keys::DEPRECATED_IGNORED,
    &keys::NOT_IN_RELEASE,
    &keys::DEPRECATED_VALUE,
    &public::INCOMPLETE,
    &public::EXPOSES_SENSITIVE,
    &public::ANCHOR_FIRST_BRANCH,
    &public::MATCHES_EVERYTHING,
    &public::GET_ONLY_OFF,
    &public::ADMIN_USER,
    &public::BACKTRACKING,
    &public::MISSES_PREFIX,
    &public::MATCHES_NOTHING,
    &public::TOO_COMPLEX,
    &middleware::ENTRY_INCOMPLETE,
    &middleware::INDEX_NOT_NUMBER,
    &middleware::DUPLICATE_CLASS,
    &middleware::DUPLICATE_INDEX,
    &middleware::CORS_ORDER,
    &middleware::CLASS_PATH,
    &middleware::CORS_WITHOUT_MIDDLEWARE,
    &middleware::CORS_MIDDLEWARE_UNUSED,
    &middleware::INDEX_TYPES_MIXED,
    &middleware::REQUIRED_MISSING,
    &gunicorn::WORKERS_FOR_CORES,
    &gunicorn::TOO_MANY_WORKERS,
    &gunicorn::THREADS_IGNORED,
    &gunicorn::CONNECTIONS_IGNORED,
    &gunicorn::GEVENT_MAX_REQUESTS,
    &gunicorn::TIMEOUT,
    &gunicorn::MAX_REQUESTS,
    &gunicorn::NOT_POSITIVE,
    &gunicorn::ARGS_MANAGED_FLAG,
    &gunicorn::ARGS_QUOTES,
    &server::SESSIONS_IN_LOCAL_CACHE,
    &server::SESSIONS_NEED_DATABASE,
    &server::OLD_CACHE_BACKEND,
    &server::DEVELOPMENT_SERVER,
    &server::PORT_RANGE,
    &server::SERVER_LIST_EMPTY,
    &server::PUBLIC_SERVER_ID,
    &source::rules::CONTAINER_WITHOUT_SERVER,
    &paths::PREFIX_LEADING_SLASH,
    &paths::PREFIX_TRAILING_SLASH,
    &paths::STATIC_URL_OUTSIDE_PREFIX,
    &paths::TEMPLATE_WITHOUT_DIRS,
    &paths::STATIC_URL_EMPTY,
    &security::DEBUG_ON,
    &security::COOKIE_NOT_SECURE,
    &security::SAMESITE_NONE_INSECURE,
    &security::ORIGIN_WITHOUT_SCHEME,
    &security::CORS_ALLOW_ALL,
    &security::CLEAR_TEXT_SECRET,
    &server_keys::SERVER_SIDE_KEY,
    &apps::RENAMED_APP,
    &apps::NOT_A_MODULE,
    &apps::UNKNOWN_APP,
    &apps::PLUGIN_APP_MISSING,
    &apps::FROZEN_DEFAULT,
    &apps::DUPLICATE_UI_ENTRY,
    &version::PICKLE_SERIALIZER,
    &version::SETTING_WITHOUT_EFFECT,
];

/// A family's check: reads the resolved configuration, appends findings.
type Check = fn(&LintContext, &mut Vec<Finding>);

/// Every family's check, run in this order.
static CHECKS: &[Check] = &[
    keys::check,
    types::check,
    public::check,
    middleware::check,
    gunicorn::check,
    server::check,
    paths::check,
    security::check,
    server_keys::check,
    apps::check,
    version::check,
    install::check,
];

/// Facts about the deployment that no configuration file holds.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// CPU cores of the machine OMERO.web runs on (`--cores`). Never guessed:
    /// the machine running omeroconf is rarely the server.
    pub cores: Option<u32>,
    /// The virtualenv OMERO.web runs in (`--venv`): what it can import.
    pub venv: Option<std::sync::Arc<crate::venv::Venv>>,
}

/// What a rule sees: the document, the configuration it resolves to, and
/// the deployment facts the user gave.
pub struct LintContext<'a> {
    pub document: &'a Document,
    pub config: &'a Config,
    pub options: &'a Options,
    /// Each JSON list's items, found once per key: a rule reporting on
    /// many items of one long list would otherwise parse it per finding.
    lists: RefCell<HashMap<String, Rc<List>>>,
}

/// The items of a stored JSON list, and where its value is literal in the source.
struct List {
    items: Vec<Range<usize>>,
    literal: Option<edit::Literal>,
}

impl LintContext<'_> {
    pub fn property(&self, key: &str) -> Option<&'static Property> {
        catalog().property(key)
    }

    pub fn release(&self) -> Version {
        self.config.release
    }

    pub fn is_set(&self, key: &str) -> bool {
        self.config.entries.contains_key(key)
    }

    /// The operation that last wrote `key`.
    pub fn op(&self, key: &str) -> Option<&Operation> {
        self.config
            .entries
            .get(key)
            .and_then(|e| self.document.operations.get(e.op))
    }

    /// The stored value, else OMERO.web's default in the target release.
    pub fn effective(&self, key: &str) -> Option<String> {
        self.config.effective(key)
    }

    /// A boolean as OMERO.web's `parse_boolean` reads the effective value.
    pub fn flag(&self, key: &str) -> bool {
        self.effective(key).is_some_and(|v| python::parse_boolean(&v))
    }

    /// An integer as Python's `int()` reads the effective value.
    pub fn int(&self, key: &str) -> Option<i64> {
        let text = self.effective(key)?;
        python::int::parse_int(&text).ok()?.parse().ok()
    }

    /// The effective value as `json.loads` reads it.
    pub fn json(&self, key: &str) -> Option<PyJson> {
        python::json::loads(&self.effective(key)?).ok()
    }

    /// The stored value when this document wrote it with a plain `set`.
    fn set_value(&self, key: &str) -> Option<(&Operation, &str)> {
        let op = self.op(key).filter(|op| op.kind == OpKind::Set)?;
        Some((op, self.config.get(key)?))
    }

    /// Points a finding at item `index` of the JSON list stored in `key`
    /// when the source shows it literally, else at the whole value.
    pub fn at_item(&self, key: &str, index: usize, label: &str, finding: Finding) -> Finding {
        match self.item_span(key, index) {
            Some(span) => finding.at(span, label),
            None => {
                let mut finding = self.at_value(key, finding);
                finding.label = Some(label.to_string());
                finding
            }
        }
    }

    /// The stored value of `key` (when a set operation wrote it) and its items.
    fn list(&self, key: &str) -> Option<(&str, Rc<List>)> {
        let (op, raw) = self.set_value(key)?;
        if let Some(list) = self.lists.borrow().get(key) {
            return Some((raw, Rc::clone(list)));
        }
        let list = Rc::new(List {
            items: edit::json_array_items(raw)?,
            literal: edit::literal_value(self.document, op, raw),
        });
        self.lists.borrow_mut().insert(key.to_string(), Rc::clone(&list));
        Some((raw, list))
    }

    /// Where item `index` of the JSON list stored in `key` is in the source.
    pub fn item_span(&self, key: &str, index: usize) -> Option<Span> {
        let (raw, list) = self.list(key)?;
        edit::span_in_literal(list.literal?, raw, list.items.get(index)?.clone())
    }

    /// A fix replacing `range` of the stored value of `key`; exact when the
    /// source holds that value literally (see `edit`).
    pub fn value_fix(&self, key: &str, range: Range<usize>, replacement: &str, description: String) -> Option<Fix> {
        let change = splice(key, self.config.get(key)?, &range, replacement)?;
        let edit = self
            .set_value(key)
            .and_then(|(op, raw)| edit::replace_in_value(self.document, op, raw, range, replacement));
        Some(Fix::new(description, change, edit))
    }

    /// The upgrade-table fix of the whole value stored in `key`, safe for
    /// `migrate` (schema/deprecated-values.json).
    pub fn successor_fix(&self, key: &str) -> Option<Fix> {
        let stored = self.config.get(key)?;
        let row = catalog().value_successor(key, None, stored)?;
        let fix = self.value_fix(
            key,
            0..stored.len(),
            &row.successor,
            format!("replace {} with {}", row.value, row.successor),
        )?;
        Some(match &row.note {
            Some(note) => fix.note(note.clone()),
            None => fix,
        })
    }

    /// A fix replacing `range` of the JSON list stored in `key`.
    fn list_fix(&self, key: &str, range: Range<usize>, replacement: &str, description: String) -> Option<Fix> {
        let change = splice(key, self.config.get(key)?, &range, replacement)?;
        let edit = self
            .list(key)
            .and_then(|(raw, list)| edit::replace_in_literal(self.document, list.literal?, raw, range, replacement));
        Some(Fix::new(description, change, edit))
    }

    /// What `pick` makes of the items of the JSON list stored in `key`
    /// (cached, not copied, when a plain `set` wrote it).
    fn with_items<T>(&self, key: &str, pick: impl Fn(&[Range<usize>]) -> Option<T>) -> Option<T> {
        match self.list(key) {
            Some((_, list)) => pick(&list.items),
            None => pick(&edit::json_array_items(self.config.get(key)?)?),
        }
    }

    /// A fix dropping item `index` of the JSON list stored in `key`.
    pub fn drop_item_fix(&self, key: &str, index: usize, description: String) -> Option<Fix> {
        let range = self.with_items(key, |items| edit::array_item_removal(items, index))?;
        self.list_fix(key, range, "", description)
    }

    /// A fix replacing item `index` of the JSON list stored in `key`.
    pub fn replace_item_fix(&self, key: &str, index: usize, replacement: &str, description: String) -> Option<Fix> {
        let item = self.with_items(key, |items| items.get(index).cloned())?;
        self.list_fix(key, item, replacement, description)
    }

    /// The text of item `index` of the JSON list stored in `key`.
    pub fn item_text(&self, key: &str, index: usize) -> Option<&str> {
        let raw = self.config.get(key)?;
        raw.get(edit::json_array_items(raw)?.get(index)?.clone())
    }

    /// A fix renaming `key`; exact where the document sets it.
    pub fn rename_fix(&self, key: &str, new_key: &str, description: String) -> Option<Fix> {
        let edit = self.op(key).and_then(|op| edit::rename_key(self.document, op, new_key));
        let change = Change::Rename {
            key: key.to_string(),
            to: new_key.to_string(),
        };
        Some(Fix::new(description, change, edit))
    }

    /// A fix dropping `key`; exact where one operation sets it and the format
    /// can lose that line.
    pub fn remove_fix(&self, key: &str, description: String) -> Fix {
        let edit = self
            .op(key)
            .filter(|_| self.document.operations.iter().filter(|op| op.key == key).count() == 1)
            .and_then(|op| edit::remove_operation(self.document, op));
        Fix::new(description, Change::Remove { key: key.to_string() }, edit)
    }

    /// Points a finding at the value that last set `key`.
    pub fn at_value(&self, key: &str, finding: Finding) -> Finding {
        self.place(key, finding, |op| op.value_span, "set here")
    }

    /// A finding of `rule` about `key`, pointed at the value that set it.
    pub fn on_value(&self, rule: &'static Rule, key: &str, message: impl Into<String>) -> Finding {
        self.at_value(key, Finding::new(rule, message).key(key))
    }

    /// A finding of `rule` about `key`, pointed at the key that set it.
    pub fn on_key(&self, rule: &'static Rule, key: &str, message: impl Into<String>) -> Finding {
        self.at_key(key, Finding::new(rule, message).key(key))
    }

    /// Points a finding at the key of the operation that last set it.
    pub fn at_key(&self, key: &str, finding: Finding) -> Finding {
        self.place(key, finding, |op| op.key_span, "this key")
    }

    fn place(
        &self,
        key: &str,
        mut finding: Finding,
        span: fn(&crate::document::Operation) -> crate::document::Span,
        label: &str,
    ) -> Finding {
        let op = self
            .config
            .entries
            .get(key)
            .and_then(|e| self.document.operations.get(e.op));
        if let Some(op) = op {
            finding.span = Some(span(op));
            finding.label.get_or_insert_with(|| label.to_string());
        }
        finding
    }
}

/// Replacing `range` of the value `stored` under `key`, when it fits.
fn splice(key: &str, stored: &str, range: &Range<usize>, replacement: &str) -> Option<Change> {
    stored.get(range.clone())?;
    Some(Change::Splice {
        key: key.to_string(),
        start: range.start,
        end: range.end,
        replacement: replacement.to_string(),
    })
}

/// Runs every rule family.
pub fn check(document: &Document, config: &Config) -> Vec<Finding> {
    check_with(document, config, &Options::default())
}

/// Runs every rule family with the deployment facts the user gave.
pub fn check_with(document: &Document, config: &Config, options: &Options) -> Vec<Finding> {
    let ctx = LintContext {
        document,
        config,
        options,
        lists: RefCell::default(),
    };
    let mut out = Vec::new();
    for check in CHECKS {
        check(&ctx, &mut out);
    }
    out
}

/// What `omeroconf migrate` does by itself about each rule's findings (the
/// fixes marked for upgrades), for `explain`; the values it replaces are
/// the rows of schema/deprecated-values.json, listed by [`upgrade_fix`].
const UPGRADE_FIXES: &[(&str, &str)] = &[
    ("AP001", "writes the app's new module name, and the new form of its UI entries"),
    ("AP005", "replaces a list stored as an old default (copied by `omero config append`) with the target's default, keeping the entries added to it"),
    ("KY002", "renames the key to its successor, or drops it when the successor is also set"),
    ("KY003", "renames the key to its successor (its value then takes effect: the report says so), or drops it"),
    ("KY004", "moves a removed key to its successor; with none, leaves it out of a new file and comments it out in place, with a note"),
    ("KY005", "writes the value that replaces the deprecated one"),
    ("SC004", "adds https:// (a leading dot becomes https://*.) where the target surely runs Django 4 or later"),
    ("SE003", "moves the cache to the backend that replaces it, with a redis:// location for django-redis"),
    ("TY005", "writes the value that replaces one the target rejects, where one does"),
    ("VR001", "switches to JSONSerializer where the target may run Django 5 (every user logs in again once)"),
];

/// `explain`'s account of what `migrate` does about findings of `code`.
pub fn upgrade_fix(code: &str) -> Option<String> {
    let (_, what) = UPGRADE_FIXES.iter().find(|(c, _)| *c == code)?;
    let mut text = format!("On upgrade, `omeroconf migrate` {what}.");
    for row in catalog()
        .deprecated_values
        .iter()
        .filter(|row| row.reported_by.as_deref().unwrap_or("KY005") == code)
    {
        let member = row.member.as_ref().map_or_else(String::new, |m| format!(" ({m})"));
        text.push_str(&format!("\n  {}{member}: {} -> {}", row.key, row.value, row.successor));
        if let Some(note) = &row.note {
            text.push_str(&format!("; {note}"));
        }
    }
    Some(text)
}

/// The rule table of the README (`omeroconf rules --markdown`).
pub fn markdown_table() -> String {
    let mut out =
        String::from("| code | name | severity | blocks start | fix | summary |\n|---|---|---|---|---|---|\n");
    for rule in RULES {
        let summary = rule.summary.replace('|', "\\|");
        let fix = if rule.fix { "yes" } else { "" };
        let blocks = if rule.blocks_start { "yes" } else { "" };
        out.push_str(&format!(
            "| {} | `{}` | {} | {blocks} | {fix} | {summary} |\n",
            rule.code, rule.name, rule.severity
        ));
    }
    out
}

/// Every rule as a JSON array (`omeroconf rules --format json`): code, name,
/// severity, summary and whether a fix is offered.
pub fn json_list() -> String {
    let rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|rule| {
            serde_json::json!({
                "code": rule.code,
                "name": rule.name,
                "severity": rule.severity.name(),
                "summary": rule.summary,
                "fix": rule.fix,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&rules).unwrap_or_default();
    text.push('\n');
    text
}

/// Looks a rule up by code (case-insensitive) or by name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// Helpers for the families' tests: lint a properties text end to end.
#[cfg(test)]
pub(crate) mod testing {
    use super::Options;
    use crate::catalog::{catalog, Version};
    use crate::diagnostic::Finding;
    use crate::lint::{lint_with, Filter};
    use crate::source::properties;

    /// Every finding for a properties file, linted for the latest release.
    pub fn findings(text: &str) -> Vec<Finding> {
        findings_with(text, catalog().latest, &Options::default())
    }

    pub fn findings_with(text: &str, release: Version, options: &Options) -> Vec<Finding> {
        lint_with(
            properties::parse("web.properties", text),
            release,
            &Filter::default(),
            options,
        )
        .findings
    }

    /// The codes starting with `prefix`, in report order.
    pub fn codes(text: &str, prefix: &str) -> Vec<&'static str> {
        codes_of(&findings(text), prefix)
    }

    pub fn codes_of(findings: &[Finding], prefix: &str) -> Vec<&'static str> {
        findings
            .iter()
            .map(Finding::code)
            .filter(|c| c.starts_with(prefix))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for rule in RULES {
            assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
            assert!(names.insert(rule.name), "duplicate name {}", rule.name);
        }
    }

    #[test]
    fn only_errors_block_start() {
        for rule in RULES.iter().filter(|r| r.blocks_start) {
            assert_eq!(
                rule.severity,
                crate::diagnostic::Severity::Error,
                "{} blocks start but is not an error",
                rule.code
            );
        }
        assert!(RULES.iter().any(|r| r.blocks_start));
    }

    #[test]
    fn readme_rule_table_is_current() {
        let readme = include_str!("../../README.md");
        let table = readme
            .split("<!-- rules:start -->\n")
            .nth(1)
            .and_then(|rest| rest.split("<!-- rules:end -->").next())
            .unwrap_or_default();
        assert_eq!(table, markdown_table(), "regenerate with `omeroconf rules --markdown`");
    }

    #[test]
    fn every_rule_is_documented_with_examples() {
        for rule in RULES {
            assert!(rule.summary.len() > 10, "{} lacks a summary", rule.code);
            assert!(rule.explanation.len() > 60, "{} lacks an explanation", rule.code);
            assert!(!rule.example.trim().is_empty(), "{} lacks an example", rule.code);
            assert!(
                !rule.fixed_example.trim().is_empty(),
                "{} lacks a fixed example",
                rule.code
            );
            assert_ne!(
                rule.example, rule.fixed_example,
                "{}: example equals its fix",
                rule.code
            );
        }
    }
}

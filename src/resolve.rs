//! Replays a document's operations the way omero-py's `omero config` does,
//! giving the properties config.xml would hold afterwards.
//!
//! The omero-py facts mirrored here (prefs.py): `set` checks the key against
//! `[^A-Za-z0-9._-]`; `set KEY` with no value deletes it; `append` and
//! `remove` on an unset `omero.web.*` key start from the parsed default of
//! OMERO.web's custom mapping, which needs OMERO.web's settings to import;
//! lists are stored as CPython's `json.dumps` text; membership uses Python
//! equality; a failed command changes nothing. `omero config load` applies a
//! whole file or nothing. In a script, `&&` and `||` run a command by the
//! exit status (the die code & 0xFF) of the one before.

use crate::catalog::{catalog, Section, Version};
use crate::diagnostic::{Finding, Severity};
use crate::document::{Document, Format, OpKind, Operation, Value};
use crate::python::json::{self, PyJson};
use crate::secrets;
use crate::settings;
use crate::source::rules;
use indexmap::{IndexMap, IndexSet};

/// A stored property and the operation that last wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub value: Value,
    /// Index into the document's operations.
    pub op: usize,
}

/// The stored configuration after replaying a document.
#[derive(Debug, Clone)]
pub struct Config {
    pub release: Version,
    pub entries: IndexMap<String, Entry>,
    pub findings: Vec<Finding>,
}

impl Config {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).and_then(|e| e.value.known())
    }

    /// The stored value of `key`, or else the default OMERO.web uses in this
    /// release, as the string its parser sees; `None` when neither is known.
    pub fn effective(&self, key: &str) -> Option<String> {
        match self.entries.get(key) {
            Some(entry) => entry.value.known().map(str::to_string),
            None => default_text(&self.entries, key, self.release),
        }
    }

    /// The stored properties as plain strings; `Err` lists keys whose value
    /// is unknown.
    pub fn stored(&self) -> Result<IndexMap<String, String>, Vec<String>> {
        let unknown: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, e)| e.value.known().is_none())
            .map(|(k, _)| k.clone())
            .collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        Ok(self
            .entries
            .iter()
            .filter_map(|(k, e)| Some((k.clone(), e.value.known()?.to_string())))
            .collect())
    }
}

/// Why a command fails, with OMERO's die code.
struct Failure {
    rc: u32,
    message: String,
    help: Option<String>,
}

impl Failure {
    fn new(rc: u32, message: impl Into<String>) -> Failure {
        Failure {
            rc,
            message: message.into(),
            help: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Failure {
        self.help = Some(help.into());
        self
    }
}

/// The JSON decoder's traceback ends the `omero` process with status 1.
const TRACEBACK: u32 = 1;

pub fn resolve(doc: &Document, release: Version) -> Config {
    // config.xml holds whatever keys it holds: no command checks them there.
    let checks_keys = doc.format != Format::Xml;
    let mut state = State {
        release,
        entries: IndexMap::new(),
        failing: IndexMap::new(),
        unchecked: IndexSet::new(),
        checks_keys,
    };
    let mut findings = Vec::new();

    if doc.format == Format::Properties {
        // `omero config load` checks every line before applying any.
        if let Some(op) = doc.operations.iter().find(|op| !valid_key(&op.key)) {
            findings.push(illegal_key(op).help(
                "`omero config load` stops at this line and applies none of the file; \
                 remove the spaces around `=` or the illegal characters",
            ));
            return Config {
                release,
                entries: IndexMap::new(),
                findings,
            };
        }
    }

    // The exit status of the last command run: `&&` and `||` depend on it.
    let mut succeeded = true;
    for (index, op) in doc.operations.iter().enumerate() {
        if op.runs_if_previous.is_some_and(|wanted| wanted != succeeded) {
            continue;
        }
        let result = state.apply(index, op);
        succeeded = result.as_ref().map_or_else(|failure| failure.rc & 0xff == 0, |_| true);
        match result {
            Err(failure) => {
                // `set -e` (or `omero load`) stops at a failure nothing tests.
                let stops = failure.rc & 0xff != 0 && !op.failure_tolerated;
                let skipped = doc.operations.len() - index - 1;
                findings.push(command_failed(op, failure, stops.then_some(skipped)));
                if stops {
                    break;
                }
            }
            Ok(()) => findings.extend(set_with_equals(op)),
        }
    }
    Config {
        release,
        entries: state.entries,
        findings,
    }
}

struct State {
    release: Version,
    entries: IndexMap<String, Entry>,
    /// Keys whose current value stops OMERO.web's settings import.
    failing: IndexMap<String, String>,
    /// Keys written since `failing` was last brought up to date: parsing
    /// every value at every write made long scripts slow, and only `append`
    /// and `remove` of unset keys need to know.
    unchecked: IndexSet<String>,
    /// Keys go through `omero config set`'s name check.
    checks_keys: bool,
}

impl State {
    fn apply(&mut self, index: usize, op: &Operation) -> Result<(), Failure> {
        match op.kind {
            OpKind::Unset => {
                // `set KEY=VALUE` typed as one word only prints a hint.
                if !op.key.contains('=') {
                    self.entries.shift_remove(&op.key);
                    self.mark_unchecked(&op.key);
                }
                Ok(())
            }
            OpKind::Set => {
                if op.key.contains('=') {
                    return Ok(());
                }
                if self.checks_keys && !valid_key(&op.key) {
                    return Err(Failure::new(506, format!("Illegal property name: {}", op.key)));
                }
                let value = op.value.clone().unwrap_or(Value::Known(String::new()));
                self.write(&op.key, value, index);
                Ok(())
            }
            OpKind::Append { unique } => self.append(index, op, unique),
            OpKind::Remove => self.remove(index, op),
        }
    }

    fn write(&mut self, key: &str, value: Value, op: usize) {
        match self.entries.get_mut(key) {
            Some(entry) => *entry = Entry { value, op },
            None => {
                self.entries.insert(key.to_string(), Entry { value, op });
            }
        }
        self.mark_unchecked(key);
    }

    fn mark_unchecked(&mut self, key: &str) {
        if !self.unchecked.contains(key) {
            self.unchecked.insert(key.to_string());
        }
    }

    /// Brings `failing` up to date, in the order the keys were written.
    fn check_written(&mut self) {
        for key in std::mem::take(&mut self.unchecked) {
            self.revalidate(&key);
        }
    }

    /// Keeps `failing` current for a key written or removed.
    fn revalidate(&mut self, key: &str) {
        let Some(property) = catalog().property(key) else {
            return;
        };
        let in_mappings = matches!(
            property.section,
            Section::Internal | Section::Custom | Section::Development
        );
        if !in_mappings || !property.in_release(self.release) {
            return;
        }
        let rejection = self
            .entries
            .get(key)
            .and_then(|e| e.value.known())
            .and_then(|raw| settings::parse(property, self.release, raw).err());
        match rejection {
            Some(r) => {
                self.failing.insert(key.to_string(), r.to_string());
            }
            None => {
                self.failing.shift_remove(key);
            }
        }
    }

    /// The list an unset `omero.web.*` key starts from: OMERO.web's parsed
    /// default for custom keys, `[]` for the rest; both need the settings
    /// module to import.
    fn web_default(&mut self, key: &str) -> Result<Vec<PyJson>, Failure> {
        self.check_written();
        let module_failure = || {
            self.module_failure()
                .map(|f| (f.key.to_string(), f.rejection.to_string()))
        };
        let failure = self
            .failing
            .first()
            .map(|(k, v)| (k.clone(), v.clone()))
            .or_else(module_failure);
        if let Some((bad, why)) = &failure {
            return Err(Failure::new(
                514,
                format!(
                    "Cannot retrieve default value for property {key}: OMERO.web's settings do not load ({bad}: {})",
                    secrets::mask_message(bad, why)
                ),
            )
            .help(format!(
                "fix `{bad}` first: OMERO reads its settings to find the default list of `{key}`"
            )));
        }
        if !catalog()
            .property(key)
            .is_some_and(|p| p.append_starts_from_default() && p.in_release(self.release))
        {
            return Ok(Vec::new());
        }
        let default = default_text(&self.entries, key, self.release);
        match default.as_deref().map(json::loads) {
            Some(Ok(PyJson::Array(items))) => Ok(items),
            _ => Err(Failure::new(515, format!("Property {key} is not a list"))),
        }
    }

    /// The first failure of the module code settings.py runs after its
    /// mappings, on the stored or default values; `None` when a value is unknown.
    fn module_failure(&self) -> Option<settings::ModuleFailure> {
        let parsed = |key: &'static str| -> Option<Result<PyJson, settings::ModuleFailure>> {
            let text = match self.entries.get(key) {
                Some(entry) => entry.value.known()?.to_string(),
                None => default_text(&self.entries, key, self.release)?,
            };
            // Only a default can fail here (a stored value's failure is in
            // `failing`): server_list's embeds the server host unescaped.
            Some(json::loads(&text).map_err(|e| settings::ModuleFailure {
                key,
                rejection: settings::Rejection::new(settings::Exception::ValueError, e.to_string()),
            }))
        };
        let mut values = Vec::with_capacity(4);
        for key in [
            "omero.web.apps",
            "omero.web.middleware",
            "omero.web.django_additional_settings",
            "omero.web.server_list",
        ] {
            values.push(match parsed(key) {
                Some(Ok(value)) => Some(value),
                Some(Err(failure)) => return Some(failure),
                None => None,
            });
        }
        let inputs = settings::ModuleInputs {
            apps: values[0].as_ref(),
            middleware: values[1].as_ref(),
            extra: values[2].as_ref(),
            servers: values[3].as_ref(),
        };
        settings::module_checks(inputs).into_iter().next()
    }

    /// The stored list of a set key (510 not JSON, 511 not a list), `None` when unknown.
    fn stored_list(&self, key: &str) -> Result<Option<Vec<PyJson>>, Failure> {
        let Some(entry) = self.entries.get(key) else {
            return Ok(Some(Vec::new()));
        };
        let Some(text) = entry.value.known() else {
            return Ok(None);
        };
        match json::loads_with_max_depth(text, json::CLI_MAX_DEPTH) {
            Ok(PyJson::Array(items)) => Ok(Some(items)),
            Ok(_) => Err(Failure::new(511, format!("Property {key} is not a list"))),
            Err(_) => Err(Failure::new(510, "No JSON object could be decoded").help(format!(
                "the stored value of `{key}` is not JSON, so it cannot be appended to or removed from"
            ))),
        }
    }

    fn argument(op: &Operation) -> Result<Option<PyJson>, Failure> {
        let Some(text) = op.value.as_ref().and_then(Value::known) else {
            return Ok(None);
        };
        json::loads_with_max_depth(text, json::CLI_MAX_DEPTH)
            .map(Some)
            .map_err(|e| {
                Failure::new(TRACEBACK, format!("the value is not JSON ({e})"))
                    .help("quote JSON strings twice: '\"omero_iviewer\"'")
            })
    }

    /// The list `append` or `remove` starts from: the stored list; for an
    /// unset `omero.web.*` key OMERO.web's default; otherwise `unset()`.
    /// `None` when the stored value is unknown.
    fn starting_list(
        &mut self,
        key: &str,
        unset: impl FnOnce() -> Result<Vec<PyJson>, Failure>,
    ) -> Result<Option<Vec<PyJson>>, Failure> {
        if self.entries.contains_key(key) {
            self.stored_list(key)
        } else if key.starts_with("omero.web.") {
            self.web_default(key).map(Some)
        } else {
            unset().map(Some)
        }
    }

    /// Why the result of an append or remove is unknown: its argument's or
    /// the stored value's reason.
    fn unknown_result(&self, op: &Operation) -> Value {
        let from_argument = op.value.clone().filter(|v| v.known().is_none());
        let from_stored = || {
            self.entries
                .get(&op.key)
                .map(|e| e.value.clone())
                .filter(|v| v.known().is_none())
        };
        from_argument
            .or_else(from_stored)
            .unwrap_or(Value::Unknown(crate::document::Unknown::CommandSubstitution))
    }

    fn append(&mut self, index: usize, op: &Operation, unique: bool) -> Result<(), Failure> {
        let key = op.key.as_str();
        let list = self.starting_list(key, || Ok(Vec::new()))?;
        let item = Self::argument(op)?;
        let (Some(mut list), Some(item)) = (list, item) else {
            let unknown = self.unknown_result(op);
            self.write(key, unknown, index);
            return Ok(());
        };
        if !unique || json::position_in(&list, &item).is_none() {
            list.push(item);
            self.write(key, Value::Known(json::dumps(&PyJson::Array(list))), index);
        }
        Ok(())
    }

    fn remove(&mut self, index: usize, op: &Operation) -> Result<(), Failure> {
        let key = op.key.as_str();
        let list = self.starting_list(key, || Err(Failure::new(512, format!("Property {key} is not defined"))))?;
        let item = Self::argument(op)?;
        let (Some(mut list), Some(item)) = (list, item) else {
            let unknown = self.unknown_result(op);
            self.write(key, unknown, index);
            return Ok(());
        };
        let Some(position) = json::position_in(&list, &item) else {
            return Err(Failure::new(
                513,
                format!("{} is not defined in {key}", json::dumps(&item)),
            ));
        };
        list.remove(position);
        self.write(key, Value::Known(json::dumps(&PyJson::Array(list))), index);
        Ok(())
    }
}

/// The keys OMERO.web reads from config.xml to build the default server
/// list, in order of preference.
pub const SERVER_HOST_KEYS: [&str; 2] = ["omero.master.host", "Ice.Default.Host"];

/// The default of `key` in `release` as the string OMERO.web's parser gets
/// (numbers as their text); `server_list` embeds the configured server host.
fn default_text(entries: &IndexMap<String, Entry>, key: &str, release: Version) -> Option<String> {
    if key == "omero.web.server_list" {
        let host = SERVER_HOST_KEYS
            .iter()
            .find_map(|k| entries.get(*k).and_then(|e| e.value.known()))
            .unwrap_or("localhost");
        return Some(format!("[[\"{host}\", 4064, \"omero\"]]"));
    }
    match catalog().property(key)?.default_in(release) {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// omero-py's `assert_valid_property_name`: only ASCII letters, digits, `.`, `_`, `-`.
pub fn valid_key(key: &str) -> bool {
    key.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn illegal_key(op: &Operation) -> Finding {
    Finding::new(
        &rules::ILLEGAL_KEY,
        format!("illegal property name `{}`", op.key.escape_debug()),
    )
    .key(op.key.clone())
    .at(op.key_span, "only letters, digits, `.`, `_` and `-` are allowed")
}

/// `skipped`: how many later commands never run because the script stops here.
fn command_failed(op: &Operation, failure: Failure, skipped: Option<usize>) -> Finding {
    let status = failure.rc & 0xff;
    let consequence = match (status, skipped) {
        (0, _) => "OMERO prints an error but exits with status 0, so the script goes on".to_string(),
        (_, None) => "the script goes on without it".to_string(),
        (_, Some(0)) => "the script stops here".to_string(),
        (_, Some(n)) => format!("the script stops here and the {n} later `omero` command(s) never run"),
    };
    if failure.rc == 506 {
        return illegal_key(op).help(format!(
            "`omero config set` exits with status 250 here and stores nothing; {consequence}"
        ));
    }
    let mut finding = Finding::new(
        &rules::COMMAND_FAILS,
        format!(
            "`omero config {}` fails: {} (exit status {status}); {consequence}",
            op.kind.verb(),
            failure.message
        ),
    )
    .key(op.key.clone())
    .at(op.value_span.join(op.key_span), "this command fails");
    if status == 0 {
        finding = finding.severity(Severity::Warning);
    }
    match failure.help {
        Some(help) => finding.help(help),
        None => finding,
    }
}

/// `set KEY=VALUE` (one word) only prints a hint and stores nothing.
fn set_with_equals(op: &Operation) -> Option<Finding> {
    if !op.key.contains('=') {
        return None;
    }
    let (key, value) = op.key.split_once('=')?;
    let stores_nothing = matches!(op.kind, OpKind::Unset) || op.key.ends_with('=') || op.kind == OpKind::Set;
    stores_nothing.then(|| {
        Finding::new(
            &rules::ILLEGAL_KEY,
            format!("`{}` contains `=`, so nothing is stored", op.key.escape_debug()),
        )
        .key(op.key.clone())
        .at(op.key_span, "`=` is not allowed in a property name")
        .help(format!(
            "write `omero config set {key} {}`",
            if value.is_empty() { "VALUE" } else { value }
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Span;

    /// An operation of a script without `set -e`.
    fn op(kind: OpKind, key: &str, value: Option<&str>) -> Operation {
        Operation {
            kind,
            key: key.to_string(),
            key_span: Span::default(),
            value: value.map(|v| Value::Known(v.to_string())),
            value_span: Span::default(),
            span: Span::default(),
            failure_tolerated: true,
            runs_if_previous: None,
        }
    }

    fn run(ops: Vec<Operation>) -> Config {
        let mut doc = Document::new("t", Format::Script, "");
        doc.operations = ops;
        resolve(&doc, catalog().latest)
    }

    #[test]
    fn append_to_unset_custom_key_starts_from_its_default() {
        let config = run(vec![op(
            OpKind::Append { unique: false },
            "omero.web.ui.top_links",
            Some(r#"["GitHub", "https://github.com/ome"]"#),
        )]);
        let stored = config.get("omero.web.ui.top_links").unwrap_or_default();
        assert!(stored.starts_with(r#"[["Data", "webindex""#), "{stored}");
        assert!(stored.ends_with(r#"["GitHub", "https://github.com/ome"]]"#), "{stored}");
    }

    #[test]
    fn append_to_internal_or_other_keys_starts_empty() {
        let config = run(vec![
            op(
                OpKind::Append { unique: false },
                "omero.web.allowed_hosts",
                Some(r#""example.org""#),
            ),
            op(OpKind::Append { unique: false }, "omero.client.x", Some("1")),
        ]);
        assert_eq!(config.get("omero.web.allowed_hosts"), Some(r#"["example.org"]"#));
        assert_eq!(config.get("omero.client.x"), Some("[1]"));
    }

    #[test]
    fn append_set_and_remove_use_python_equality() {
        let config = run(vec![
            op(OpKind::Set, "omero.web.apps", Some("[1, \"a\"]")),
            op(OpKind::Append { unique: true }, "omero.web.apps", Some("true")),
            op(OpKind::Remove, "omero.web.apps", Some("1.0")),
        ]);
        assert_eq!(config.get("omero.web.apps"), Some(r#"["a"]"#));
        assert!(config.findings.is_empty());
    }

    #[test]
    fn append_fails_while_another_value_breaks_settings() {
        let config = run(vec![
            op(OpKind::Set, "omero.web.page_size", Some("ten")),
            op(
                OpKind::Append { unique: false },
                "omero.web.apps",
                Some(r#""omero_iviewer""#),
            ),
        ]);
        assert_eq!(config.get("omero.web.apps"), None);
        assert_eq!(config.findings.len(), 1);
        assert_eq!(config.findings[0].code(), "IN008");
        assert!(config.findings[0].message.contains("omero.web.page_size"));
    }

    #[test]
    fn append_fails_while_the_module_code_after_the_parsers_fails() {
        for (key, value, failing) in [
            (
                "omero.web.server_list",
                r#"{"h": 4064}"#,
                "omero.web.server_list: IndexError",
            ),
            (
                "omero.web.middleware",
                r#"[{"class": "a.B"}]"#,
                "omero.web.middleware: KeyError",
            ),
            (
                "omero.web.django_additional_settings",
                r#"[["A"]]"#,
                "omero.web.django_additional_settings: ValueError",
            ),
            ("omero.web.apps", "5", "omero.web.apps: TypeError"),
            // The default server list embeds the host unescaped.
            ("Ice.Default.Host", r#"a"b"#, "omero.web.server_list: ValueError"),
        ] {
            let config = run(vec![
                op(OpKind::Set, key, Some(value)),
                op(
                    OpKind::Append { unique: false },
                    "omero.web.open_with",
                    Some(r#"["A", "a"]"#),
                ),
            ]);
            assert_eq!(config.get("omero.web.open_with"), None, "{key}");
            let messages: Vec<&str> = config.findings.iter().map(|f| f.message.as_str()).collect();
            assert!(
                messages
                    .iter()
                    .any(|m| m.contains("Cannot retrieve default value") && m.contains(failing)),
                "{key}: {messages:?}"
            );
        }
    }

    #[test]
    fn failing_commands_change_nothing() {
        let config = run(vec![
            op(OpKind::Set, "omero.web.middleware", Some("{broken")),
            op(OpKind::Append { unique: false }, "omero.web.middleware", Some("{}")),
            op(OpKind::Remove, "omero.client.x", Some("1")),
            op(
                OpKind::Append { unique: false },
                "omero.web.apps",
                Some("omero_iviewer"),
            ),
            op(OpKind::Set, "bad key", Some("x")),
        ]);
        assert_eq!(config.get("omero.web.middleware"), Some("{broken"));
        let codes: Vec<_> = config.findings.iter().map(|f| (f.code(), f.severity)).collect();
        assert_eq!(
            codes,
            vec![
                ("IN008", Severity::Error),
                ("IN008", Severity::Warning),
                ("IN008", Severity::Error),
                ("IN006", Severity::Error),
            ]
        );
        assert_eq!(config.entries.len(), 1);
    }

    #[test]
    fn an_untested_failure_stops_the_script() {
        let mut failing = op(OpKind::Remove, "omero.web.apps", Some(r#""missing""#));
        failing.failure_tolerated = false;
        let mut undefined = op(OpKind::Remove, "omero.client.x", Some("1"));
        undefined.failure_tolerated = false;
        let config = run(vec![
            op(OpKind::Set, "a", Some("1")),
            undefined,
            failing,
            op(OpKind::Set, "b", Some("2")),
        ]);
        assert_eq!(config.get("a"), Some("1"));
        assert_eq!(config.get("b"), None, "the script stopped before this");
        assert_eq!(config.findings.len(), 2, "status 0 of the undefined remove goes on");
        assert!(
            config.findings[1]
                .message
                .contains("the script stops here and the 1 later"),
            "{}",
            config.findings[1].message
        );
    }

    #[test]
    fn and_or_guards_follow_the_last_exit_status() {
        let guarded = |kind, key, value, wanted| Operation {
            runs_if_previous: Some(wanted),
            ..op(kind, key, value)
        };
        let config = run(vec![
            op(OpKind::Remove, "omero.web.apps", Some(r#""missing""#)),
            guarded(OpKind::Set, "skipped", Some("1"), true),
            guarded(OpKind::Set, "fallback", Some("2"), false),
            // 512 exits with status 0.
            op(OpKind::Remove, "omero.client.x", Some("1")),
            guarded(OpKind::Set, "after_512", Some("3"), true),
        ]);
        assert_eq!(config.get("skipped"), None);
        assert_eq!(config.get("fallback"), Some("2"));
        assert_eq!(config.get("after_512"), Some("3"));
    }

    #[test]
    fn unset_and_reset_moves_the_key_to_the_end() {
        let config = run(vec![
            op(OpKind::Set, "a", Some("1")),
            op(OpKind::Set, "b", Some("2")),
            op(OpKind::Set, "a", Some("3")),
            op(OpKind::Unset, "b", None),
            op(OpKind::Set, "b", Some("4")),
            op(OpKind::Set, "c=d", None),
        ]);
        let keys: Vec<_> = config.entries.keys().map(String::as_str).collect();
        assert_eq!(keys, vec!["a", "b"]);
        assert_eq!(config.get("a"), Some("3"));
    }

    #[test]
    fn properties_file_with_illegal_key_applies_nothing() {
        let mut doc = Document::new("p", Format::Properties, "");
        doc.operations = vec![
            op(OpKind::Set, "omero.web.debug", Some("true")),
            op(OpKind::Set, "omero.web.prefix ", Some(" /x")),
        ];
        let config = resolve(&doc, catalog().latest);
        assert!(config.entries.is_empty());
        assert_eq!(config.findings[0].code(), "IN006");
    }
}

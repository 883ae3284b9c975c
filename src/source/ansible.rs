//! Ansible variables for the ome.omero_web role (a group_vars/host_vars
//! file, or a playbook setting them as play vars or role parameters),
//! turned into the `omero config` commands the role's templates write.
//!
//! What the role does (ansible-role-omero-web, templates
//! `00-omero-web-omero.j2` and `omero-web-apps-omero.j2`, loaded in that
//! order by `omero load --glob config/*.omero`):
//! - `omero_web_config_set` and then `omero_web_apps_config_set`: `config set
//!   KEY VALUE`, where VALUE is the string itself when `(v | string) == v`,
//!   else `v | to_json`;
//! - `omero_web_apps_names`, `omero_web_apps_top_links` (`[label, link,
//!   attrs | default({})]`), `omero_web_apps_ui_metadata_panes` and every
//!   item of each `omero_web_apps_config_append` list: `config append KEY
//!   (item | to_json)`.
//!
//! Ansible's `to_json` is `json.dumps(v, cls=AnsibleJSONEncoder)` with
//! Python's default `", "`/`": "` separators and ASCII escapes, which
//! [`pyjson::dumps`] reproduces. Values are typed as PyYAML reads them
//! (YAML 1.1: `yes` is True, `0755` is 493, `1:30` is 90). Jinja
//! expressions are never evaluated: such a value is unknown.

use super::yaml::{self, Budget, Node, Scalar, Style};
use crate::diagnostic::Finding;
use crate::document::{Document, Format, OpKind, Operation, Span, Unknown, Value};
use crate::python::json::{self as pyjson, PyJson};
use crate::source::rules;
use std::collections::{HashMap, HashSet};

/// The role's variables that write configuration, in the order it applies them.
pub const VARIABLES: [&str; 6] = [
    "omero_web_config_set",
    "omero_web_apps_names",
    "omero_web_apps_top_links",
    "omero_web_apps_ui_metadata_panes",
    "omero_web_apps_config_append",
    "omero_web_apps_config_set",
];

pub fn parse(path: &str, source: &str) -> Document {
    let mut doc = Document::new(path, Format::Ansible, source);
    let Some(stream) = yaml::parse_document(
        &mut doc,
        "Ansible reads variables files as YAML; check the indentation and quotes",
    ) else {
        return doc;
    };
    let mut found: Vec<Option<(&Node, &Node)>> = vec![None; VARIABLES.len()];
    let mut seen = HashSet::new();
    for node in &stream.documents {
        collect(node, &mut found, &mut seen);
    }
    let budget = &mut Budget::for_source(source.len());
    for (name, entry) in VARIABLES.iter().zip(found) {
        let Some((key, value)) = entry else { continue };
        // The whole variable built by a Jinja expression is known only when
        // the play renders it: unknown here, not of the wrong shape.
        if value.as_str().is_some_and(|text| text.contains("{{")) {
            doc.findings.push(
                Finding::new(
                    &rules::TEMPLATE_VALUE,
                    format!(
                        "`{name}` is a Jinja expression, known only when the play runs: its properties are not checked"
                    ),
                )
                .at(value.span(), "unknown until Ansible renders it")
                .help("lint the variables it combines, or the rendered configuration"),
            );
            continue;
        }
        match *name {
            "omero_web_config_set" | "omero_web_apps_config_set" => set_all(&mut doc, key, value, budget),
            "omero_web_apps_names" => append_each(&mut doc, key, value, "omero.web.apps", budget),
            "omero_web_apps_ui_metadata_panes" => {
                append_each(&mut doc, key, value, "omero.web.ui.metadata_panes", budget)
            }
            "omero_web_apps_top_links" => top_links(&mut doc, key, value, budget),
            _ => append_lists(&mut doc, value, budget),
        }
    }
    super::env::report_overridden(
        &mut doc,
        0,
        "the role writes omero_web_config_set first, then the apps variables",
    );
    super::suppress_from_previous_lines(&mut doc, |op| op.value_span);
    doc
}

/// The last definition of each role variable anywhere in the tree (play
/// vars, role parameters, a vars file), the way a later one takes precedence.
/// A collection reached again through an alias is not searched again.
fn collect<'a>(node: &'a Node, found: &mut [Option<(&'a Node, &'a Node)>], seen: &mut HashSet<*const ()>) {
    if node.shared_id().is_some_and(|id| !seen.insert(id)) {
        return;
    }
    match node {
        Node::Map { entries, .. } => {
            for (key, value) in entries.iter() {
                match VARIABLES.iter().position(|v| key.as_str() == Some(v)) {
                    Some(i) => found[i] = Some((key, value)),
                    None => collect(value, found, seen),
                }
            }
        }
        Node::Seq { items, .. } => items.iter().for_each(|item| collect(item, found, seen)),
        Node::Scalar(_) => {}
    }
}

fn shape_error(doc: &mut Document, at: &Node, message: String, help: &str) {
    doc.findings.push(
        Finding::new(&rules::ROLE_TEMPLATE_FAILS, message)
            .at(at.span(), "here")
            .help(help.to_string()),
    );
}

/// `config set KEY VALUE` for each entry: strings as they are, the rest as JSON.
fn set_all(doc: &mut Document, name: &Node, dict: &Node, budget: &mut Budget) {
    let Node::Map { entries, .. } = dict else {
        let variable = name.as_str().unwrap_or_default();
        return shape_error(
            doc,
            dict,
            format!("`{variable}` must be a dictionary of property: value"),
            "write one `key: value` per line under it",
        );
    };
    for (key, value) in entries.iter() {
        let Some(property) = scalar_key(key) else { continue };
        surprising_numbers(doc, &property, value, &mut HashSet::new());
        let stored = match expand(value, budget) {
            Ok(PyJson::Str(text)) => Ok(text),
            Ok(other) => Ok(pyjson::dumps(&other)),
            Err(why) => Err(why),
        };
        push(doc, OpKind::Set, property, key.span(), value.span(), stored);
    }
}

/// `config append KEY (item | to_json)` for each item of a list.
fn append_each(doc: &mut Document, name: &Node, list: &Node, property: &str, budget: &mut Budget) {
    let Node::Seq { items, .. } = list else {
        let variable = name.as_str().unwrap_or_default();
        return shape_error(
            doc,
            list,
            format!("`{variable}` must be a list"),
            "write one `- item` per line under it",
        );
    };
    for item in items.iter() {
        let stored = expand(item, budget).map(|v| pyjson::dumps(&v));
        push(
            doc,
            OpKind::Append { unique: false },
            property.to_string(),
            name.span(),
            item.span(),
            stored,
        );
    }
}

/// `[label, link, attrs | default({})]` for each top link.
fn top_links(doc: &mut Document, name: &Node, list: &Node, budget: &mut Budget) {
    let Node::Seq { items, .. } = list else {
        return shape_error(
            doc,
            list,
            "`omero_web_apps_top_links` must be a list".into(),
            "write one `- label: ...` item per link",
        );
    };
    for item in items.iter() {
        let mut field = |f: &str| item.get(f).map(|node| expand(node, budget));
        let (Some(label), Some(link)) = (field("label"), field("link")) else {
            shape_error(
                doc,
                item,
                "a top link needs `label` and `link`: the role's template stops with \"'dict object' has no attribute\"".into(),
                "give every item a `label` and a `link` (and optionally `attrs`)",
            );
            continue;
        };
        let attrs = field("attrs").unwrap_or(Ok(PyJson::Object(Vec::new())));
        let stored = label.and_then(|l| link.and_then(|k| attrs.map(|a| pyjson::dumps(&PyJson::Array(vec![l, k, a])))));
        push(
            doc,
            OpKind::Append { unique: false },
            "omero.web.ui.top_links".into(),
            name.span(),
            item.span(),
            stored,
        );
    }
}

/// `omero_web_apps_config_append`: every item of each key's list.
fn append_lists(doc: &mut Document, dict: &Node, budget: &mut Budget) {
    let Node::Map { entries, .. } = dict else {
        return shape_error(
            doc,
            dict,
            "`omero_web_apps_config_append` must be a dictionary of property: list".into(),
            "write `key:` then one `- item` per value",
        );
    };
    for (key, values) in entries.iter() {
        let Some(property) = scalar_key(key) else { continue };
        match values {
            Node::Seq { items, .. } => {
                for item in items.iter() {
                    let stored = expand(item, budget).map(|v| pyjson::dumps(&v));
                    push(doc, OpKind::Append { unique: false }, property.clone(), key.span(), item.span(), stored);
                }
            }
            other => shape_error(
                doc,
                other,
                format!("the values to append to `{property}` must be a list: Jinja loops over a string one character at a time"),
                "write the value as a one-item list: `- value`",
            ),
        }
    }
}

/// IN018 for plain octal and base-60 numbers anywhere in a value, each
/// scalar once however many aliases repeat it.
fn surprising_numbers(doc: &mut Document, property: &str, node: &Node, seen: &mut HashSet<*const ()>) {
    if node.shared_id().is_some_and(|id| !seen.insert(id)) {
        return;
    }
    match node {
        Node::Scalar(s) if s.style == Style::Plain && s.tag.is_none() => {
            let digits = s.text.trim_start_matches(['+', '-']);
            let octal =
                digits.len() > 1 && digits.starts_with('0') && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
            let sexagesimal = digits.contains(':');
            let n = match resolve_plain(&s.text) {
                Ok(PyJson::Int(n)) => n,
                Ok(PyJson::Float(f)) => pyjson::float_repr(f),
                _ => return,
            };
            if !(octal || sexagesimal) {
                return;
            }
            let how = if octal { "an octal" } else { "a base-60" };
            doc.findings.push(
                Finding::new(
                    &rules::YAML_NUMBER,
                    format!("Ansible reads `{}` as {how} number: `{property}` gets {n}", s.text),
                )
                .key(property)
                .at(s.span, format!("PyYAML reads this as {n}"))
                .help(format!("quote it (`\"{}\"`) to keep the text, or write {n}", s.text)),
            );
        }
        Node::Seq { items, .. } => items.iter().for_each(|i| surprising_numbers(doc, property, i, seen)),
        Node::Map { entries, .. } => entries
            .iter()
            .for_each(|(_, v)| surprising_numbers(doc, property, v, seen)),
        Node::Scalar(_) => {}
    }
}

fn scalar_key(key: &Node) -> Option<String> {
    key.as_str().map(str::to_string)
}

/// Why a value is not known: a template or vault, or a type OMERO cannot take.
enum NotKnown {
    Template,
    Vault,
    Timestamp(String),
    /// Aliases expand it beyond the file's [`Budget`].
    TooLarge,
}

fn push(
    doc: &mut Document,
    kind: OpKind,
    key: String,
    key_span: Span,
    value_span: Span,
    stored: Result<String, NotKnown>,
) {
    let value = match stored {
        Ok(text) => Value::Known(text),
        Err(NotKnown::Timestamp(text)) => {
            doc.findings.push(
                Finding::new(
                    &rules::VALUE_NOT_REPRESENTABLE,
                    format!(
                        "PyYAML reads `{text}` as a timestamp, which the role writes as its ISO form, not as written"
                    ),
                )
                .key(key.clone())
                .at(value_span, "a timestamp to Ansible")
                .help("quote the value to keep it a string"),
            );
            return;
        }
        Err(NotKnown::TooLarge) => {
            doc.findings.push(
                Finding::new(
                    &rules::TEMPLATE_VALUE,
                    format!("the value of `{key}` is built from YAML aliases that expand too far to analyse"),
                )
                .key(key.clone())
                .at(value_span, "expands beyond omeroconf's budget for this file")
                .help("the role would write every copy; write the value without nested aliases"),
            );
            Value::Unknown(Unknown::Unevaluated("a value built from nested YAML aliases"))
        }
        Err(why) => {
            let message = match why {
                NotKnown::Vault => {
                    format!("the value of `{key}` is encrypted with Ansible Vault and cannot be checked")
                }
                _ => format!("the value of `{key}` is a Jinja expression, known only when the play runs"),
            };
            doc.findings.push(
                Finding::new(&rules::TEMPLATE_VALUE, message)
                    .key(key.clone())
                    .at(value_span, "unknown until Ansible renders it")
                    .help("check the variable it comes from; the rules that need this value were skipped"),
            );
            Value::Unknown(Unknown::Template)
        }
    };
    let mut op = Operation::set(key, key_span, value, value_span);
    op.kind = kind;
    op.span = key_span.join(value_span);
    doc.operations.push(op);
}

/// [`python_value`] for a value whose expansion `budget` can pay for.
fn expand(node: &Node, budget: &mut Budget) -> Result<PyJson, NotKnown> {
    if budget.take(node) {
        python_value(node)
    } else {
        Err(NotKnown::TooLarge)
    }
}

/// The Python value PyYAML builds for a node, as the role's JSON sees it.
fn python_value(node: &Node) -> Result<PyJson, NotKnown> {
    match node {
        Node::Scalar(scalar) => scalar_value(scalar),
        Node::Seq { items, .. } => items
            .iter()
            .map(python_value)
            .collect::<Result<_, _>>()
            .map(PyJson::Array),
        Node::Map { entries, .. } => {
            let mut members: Vec<(String, PyJson)> = Vec::new();
            let mut index: HashMap<String, usize> = HashMap::new();
            for (key, value) in entries.iter() {
                let key = match python_value(key)? {
                    PyJson::Str(s) => s,
                    // json.dumps turns non-string keys into their JSON text.
                    other => pyjson::dumps(&other),
                };
                let value = python_value(value)?;
                // A repeated key keeps its first place and its last value, as in a dict.
                match index.get(&key) {
                    Some(&at) => members[at].1 = value,
                    None => {
                        index.insert(key.clone(), members.len());
                        members.push((key, value));
                    }
                }
            }
            Ok(PyJson::Object(members))
        }
    }
}

fn scalar_value(scalar: &Scalar) -> Result<PyJson, NotKnown> {
    let tag = scalar.tag.as_deref().unwrap_or("");
    if tag == "!vault" {
        return Err(NotKnown::Vault);
    }
    let text = scalar.text.as_str();
    // `!unsafe` marks text Ansible must never template.
    if tag != "!unsafe" && (text.contains("{{") || text.contains("{%")) {
        return Err(NotKnown::Template);
    }
    if scalar.style != Style::Plain || tag == "!unsafe" || tag.ends_with("str") {
        return Ok(PyJson::Str(text.to_string()));
    }
    resolve_plain(text)
}

/// PyYAML's implicit resolvers (YAML 1.1) for a plain scalar.
fn resolve_plain(text: &str) -> Result<PyJson, NotKnown> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(PyJson::Null),
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => return Ok(PyJson::Bool(true)),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => return Ok(PyJson::Bool(false)),
        _ => {}
    }
    if let Some(int) = yaml11_int(text) {
        return Ok(PyJson::Int(int));
    }
    if let Some(float) = yaml11_float(text) {
        return Ok(PyJson::Float(float));
    }
    if is_timestamp(text) {
        if is_date(text) {
            // AnsibleJSONEncoder writes a date as `date.isoformat()`.
            return Ok(PyJson::Str(text.to_string()));
        }
        return Err(NotKnown::Timestamp(text.to_string()));
    }
    Ok(PyJson::Str(text.to_string()))
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

/// An int as PyYAML's int resolver and constructor read it, as decimal text.
fn yaml11_int(text: &str) -> Option<String> {
    let (negative, body) = split_sign(text);
    let digits_in = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c == '_' || c.is_digit(radix));
    let value: u128 = if let Some(bin) = body.strip_prefix("0b") {
        digits_in(bin, 2).then(|| parse_radix(bin, 2))??
    } else if let Some(hex) = body.strip_prefix("0x") {
        digits_in(hex, 16).then(|| parse_radix(hex, 16))??
    } else if body.contains(':') {
        let mut parts = body.split(':');
        let head = parts.next()?;
        if !(head.starts_with(|c: char| ('1'..='9').contains(&c)) && digits_in(head, 10)) {
            return None;
        }
        let mut value = parse_radix(head, 10)?;
        for part in parts {
            let ok = (1..=2).contains(&part.len())
                && part.chars().all(|c| c.is_ascii_digit())
                && (part.len() == 1 || part.as_bytes()[0] <= b'5');
            if !ok {
                return None;
            }
            value = value.checked_mul(60)?.checked_add(part.parse().ok()?)?;
        }
        value
    } else if body == "0" {
        0
    } else if let Some(octal) = body.strip_prefix('0') {
        digits_in(octal, 8).then(|| parse_radix(octal, 8))??
    } else if body.starts_with(|c: char| ('1'..='9').contains(&c)) && digits_in(body, 10) {
        parse_radix(body, 10)?
    } else {
        return None;
    };
    Some(if negative && value != 0 {
        format!("-{value}")
    } else {
        value.to_string()
    })
}

fn parse_radix(digits: &str, radix: u32) -> Option<u128> {
    u128::from_str_radix(&digits.replace('_', ""), radix).ok()
}

/// A float as PyYAML's float resolver and constructor read it.
fn yaml11_float(text: &str) -> Option<f64> {
    let (negative, body) = split_sign(text);
    let sign = if negative { -1.0 } else { 1.0 };
    match body {
        ".inf" | ".Inf" | ".INF" => return Some(sign * f64::INFINITY),
        ".nan" | ".NaN" | ".NAN" if text == body => return Some(f64::NAN),
        _ => {}
    }
    let plain = body.replace('_', "");
    if body.contains(':') {
        // Base 60 with a fraction: `1:30.5`.
        let mut parts: Vec<&str> = body.split(':').collect();
        let last = parts.pop()?;
        if !last.contains('.')
            || parts
                .first()
                .is_none_or(|p| !p.starts_with(|c: char| c.is_ascii_digit()))
        {
            return None;
        }
        let mut value = 0.0;
        for part in parts {
            value = value * 60.0 + part.replace('_', "").parse::<f64>().ok()?;
        }
        return Some(sign * (value * 60.0 + last.replace('_', "").parse::<f64>().ok()?));
    }
    let (mantissa, exponent) = match plain.find(['e', 'E']) {
        Some(i) => (&plain[..i], Some(&plain[i + 1..])),
        None => (plain.as_str(), None),
    };
    // YAML 1.1 needs a dot, and a signed exponent.
    let (whole, fraction) = mantissa.split_once('.')?;
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let valid_mantissa = digits(whole) && digits(fraction) && (!whole.is_empty() || !fraction.is_empty());
    let valid_exponent = exponent.is_none_or(|e| e.len() > 1 && e.starts_with(['+', '-']) && digits(&e[1..]));
    if !valid_mantissa || !valid_exponent || (whole.is_empty() && body.starts_with(['+', '-'])) {
        return None;
    }
    plain.parse::<f64>().ok().map(|f| sign * f)
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && text
            .chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// PyYAML's timestamp resolver: `YYYY-M-D` followed by a time, or a date.
fn is_timestamp(text: &str) -> bool {
    if is_date(text) {
        return true;
    }
    let mut parts = text.splitn(3, '-');
    let (Some(year), Some(month), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let day: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = &rest[day.len()..];
    year.len() == 4
        && year.chars().all(|c| c.is_ascii_digit())
        && (1..=2).contains(&month.len())
        && month.chars().all(|c| c.is_ascii_digit())
        && (1..=2).contains(&day.len())
        && after.starts_with(['T', 't', ' ', '\t'])
        && after[1..]
            .trim_start()
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
        && after.contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(doc: &Document) -> Vec<(&str, String, String)> {
        doc.operations
            .iter()
            .map(|o| {
                (
                    o.kind.verb(),
                    o.key.clone(),
                    o.value.as_ref().and_then(Value::known).unwrap_or("?").to_string(),
                )
            })
            .collect()
    }

    use crate::source::test_util::codes;

    #[test]
    fn yaml_1_1_scalars_as_pyyaml_reads_them() {
        let json = |t: &str| resolve_plain(t).ok().map(|v| pyjson::dumps(&v));
        let cases = [
            ("yes", "true"),
            ("Off", "false"),
            ("~", "null"),
            ("0755", "493"),
            ("0x1F", "31"),
            ("0b101", "5"),
            ("1_000", "1000"),
            ("1:30", "90"),
            ("-0", "0"),
            ("1.5", "1.5"),
            ("1.0e+3", "1000.0"),
            ("1e3", "\"1e3\""),
            (".inf", "Infinity"),
            ("-.inf", "-Infinity"),
            (".5", "0.5"),
            ("1:30.5", "90.5"),
            ("2024-01-31", "\"2024-01-31\""),
            ("y", "\"y\""),
            ("08", "\"08\""),
            ("omero.example.org", "\"omero.example.org\""),
        ];
        for (text, expected) in cases {
            assert_eq!(json(text).as_deref(), Some(expected), "{text}");
        }
        assert!(matches!(
            resolve_plain("2001-12-14 21:59:43.10 -5"),
            Err(NotKnown::Timestamp(_))
        ));
    }

    #[test]
    fn config_set_stores_strings_raw_and_the_rest_as_json() {
        // The role's README example, plus the traps.
        let source = r#"omero_web_config_set:
  omero.web.server_list:
    - [omero.example.org, 4064, omero-example]
  omero.web.public.enabled: True
  omero.web.public.server_id: 1
  omero.web.public.password: "{{ vault_public_password }}"
  omero.web.debug: yes
  omero.web.prefix: /omero
  omero.web.login_logo: "yes"
  omero.web.top_logo:
  omero.web.ui.top_links: '[["Data", "webindex"]]'
  omero.web.caches: {default: {BACKEND: "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 300}}
  omero.web.public.user: "caf\u00e9"
"#;
        let doc = parse("group_vars/omero.yml", source);
        assert_eq!(
            stored(&doc),
            vec![
                (
                    "set",
                    "omero.web.server_list".into(),
                    r#"[["omero.example.org", 4064, "omero-example"]]"#.into()
                ),
                ("set", "omero.web.public.enabled".into(), "true".into()),
                ("set", "omero.web.public.server_id".into(), "1".into()),
                ("set", "omero.web.public.password".into(), "?".into()),
                ("set", "omero.web.debug".into(), "true".into()),
                ("set", "omero.web.prefix".into(), "/omero".into()),
                ("set", "omero.web.login_logo".into(), "yes".into()),
                ("set", "omero.web.top_logo".into(), "null".into()),
                (
                    "set",
                    "omero.web.ui.top_links".into(),
                    r#"[["Data", "webindex"]]"#.into()
                ),
                (
                    "set",
                    "omero.web.caches".into(),
                    r#"{"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 300}}"#
                        .into()
                ),
                ("set", "omero.web.public.user".into(), "café".into()),
            ]
        );
        assert_eq!(codes(&doc), vec!["IN015"]);
        let password = &doc.operations[3];
        assert_eq!(&source[password.value_span.range()], "\"{{ vault_public_password }}\"");
    }

    #[test]
    fn apps_variables_append_json_in_the_roles_order() {
        let source = r#"- hosts: omero-web
  roles:
    - role: ome.omero_web
      omero_web_apps_config_set:
        omero.web.viewer.view: omero_iviewer.views.index
      omero_web_apps_names:
        - omero_iviewer
        - omero_figure
      omero_web_apps_top_links:
        - label: Figure
          link: figure_index
          attrs: {title: "Open Figure", target: _blank}
        - label: Help
          link: {viewname: help}
      omero_web_apps_config_append:
        omero.web.open_with:
          - [omero_figure, new_figure, {supported_objects: [images], label: "OMERO.figure"}]
      omero_web_config_set:
        omero.web.apps: '["omero_mapr"]'
"#;
        let doc = parse("site.yml", source);
        assert_eq!(
            stored(&doc),
            vec![
                ("set", "omero.web.apps".into(), r#"["omero_mapr"]"#.into()),
                ("append", "omero.web.apps".into(), r#""omero_iviewer""#.into()),
                ("append", "omero.web.apps".into(), r#""omero_figure""#.into()),
                (
                    "append",
                    "omero.web.ui.top_links".into(),
                    r#"["Figure", "figure_index", {"title": "Open Figure", "target": "_blank"}]"#.into()
                ),
                (
                    "append",
                    "omero.web.ui.top_links".into(),
                    r#"["Help", {"viewname": "help"}, {}]"#.into()
                ),
                (
                    "append",
                    "omero.web.open_with".into(),
                    r#"["omero_figure", "new_figure", {"supported_objects": ["images"], "label": "OMERO.figure"}]"#
                        .into()
                ),
                (
                    "set",
                    "omero.web.viewer.view".into(),
                    "omero_iviewer.views.index".into()
                ),
            ]
        );
        assert!(doc.findings.is_empty(), "{:?}", doc.findings);
    }

    #[test]
    fn octal_and_base_60_numbers_are_flagged() {
        let doc = parse("vars.yml", "omero_web_config_set:\n  omero.web.page_size: 0200\n  omero.web.session_cookie_age: 1:00:00\n  omero.web.wsgi_workers: 10\n");
        assert_eq!(codes(&doc), vec!["IN018", "IN018"]);
        let values: Vec<String> = stored(&doc).into_iter().map(|(_, _, v)| v).collect();
        assert_eq!(values, vec!["128", "3600", "10"]);
    }

    #[test]
    fn shapes_the_role_cannot_render_and_later_sets() {
        let source = "omero_web_apps_top_links:\n  - name: Figure\n    link: figure_index\nomero_web_apps_config_append:\n  omero.web.apps: omero_figure\nomero_web_config_set:\n  omero.web.viewer.view: a\nomero_web_apps_config_set:\n  omero.web.viewer.view: b\n";
        let doc = parse("vars.yml", source);
        assert_eq!(codes(&doc), vec!["IN017", "IN017", "IN014"]);
        assert_eq!(stored(&doc).len(), 2);
    }

    #[test]
    fn a_variable_built_by_a_jinja_expression_is_unknown() {
        let source = "omero_web_config_set: \"{{ defaults | combine(extra | default({})) }}\"\n";
        let doc = parse("vars.yml", source);
        assert_eq!(codes(&doc), vec!["IN015"]);
        assert!(doc.operations.is_empty());
    }
}

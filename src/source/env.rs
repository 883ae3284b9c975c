//! Environment variables for omero-web-docker: `docker run --env-file`
//! files, compose `env_file` files, `-e NAME=VALUE` lists, and (through
//! [`apply`]) compose `environment:` entries.
//!
//! The image's startup (omero-web-docker `50-config.py`, then
//! `60-default-web-config.sh`) runs `omero load --glob
//! /opt/omero/web/config/*.omero`, then `omero config set -- PROP VALUE` for
//! every variable starting with `CONFIG_`, where PROP is the name without
//! `CONFIG_` after `re.sub('([^_])_([^_])', r'\1.\2', name)` and then
//! `re.sub('__', '_', name)`; last, a non-empty `OMEROHOST` sets
//! `omero.web.server_list` to `[["HOST", 4064, "omero"]]`. Nothing here
//! runs or reads the environment: a variable without a value is unknown.

use crate::catalog::catalog;
use crate::diagnostic::{Finding, Severity::Info};
use crate::document::{Document, Format, OpKind, Operation, Span, Suppression, Unknown, Value};
use crate::source::rules;
use std::collections::HashMap;

/// Who reads an env file: the quoting rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnvStyle {
    /// `docker run --env-file`: everything after `=` is the value, quotes included.
    #[default]
    Docker,
    /// compose's `env_file`: quotes removed, `${VAR}` interpolated, ` #` comments.
    Compose,
}

impl EnvStyle {
    pub fn describe(self) -> &'static str {
        match self {
            EnvStyle::Docker => "a `docker run --env-file` file, which keeps quotes",
            EnvStyle::Compose => "a compose `env_file`, which removes quotes",
        }
    }
}

impl std::str::FromStr for EnvStyle {
    type Err = String;

    fn from_str(name: &str) -> Result<EnvStyle, String> {
        match name {
            "docker" => Ok(EnvStyle::Docker),
            "compose" => Ok(EnvStyle::Compose),
            _ => Err(format!("unknown env style `{name}` (expected docker or compose)")),
        }
    }
}

/// The prefix the image looks for (case-sensitive).
pub const PREFIX: &str = "CONFIG_";

/// The property omero-web-docker sets for a variable name, `None` when the
/// name does not start with `CONFIG_`.
pub fn config_key(name: &str) -> Option<String> {
    let chars: Vec<char> = name.strip_prefix(PREFIX)?.chars().collect();
    // re.sub scans left to right and resumes after each match, so a
    // one-letter part between two `_` is consumed by the previous match.
    let mut dotted = String::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if i + 2 < chars.len() && chars[i] != '_' && chars[i + 1] == '_' && chars[i + 2] != '_' {
            dotted.extend([chars[i], '.', chars[i + 2]]);
            i += 3;
        } else {
            dotted.push(chars[i]);
            i += 1;
        }
    }
    Some(dotted.replace("__", "_"))
}

/// The `CONFIG_` variable that sets `key`, or `None` when no name maps
/// back to it (a one-letter part, `_` next to `.`, a leading `_`, ...).
pub fn env_name(key: &str) -> Option<String> {
    let name = format!("{PREFIX}{}", key.replace('_', "__").replace('.', "_"));
    (config_key(&name).as_deref() == Some(key)).then_some(name)
}

/// One variable as the container receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    pub name_span: Span,
    /// `None`: the name alone, so the value comes from the environment
    /// docker or compose runs in.
    pub value: Option<Value>,
    pub value_span: Span,
    /// The whole line or entry.
    pub span: Span,
}

/// An env file whose reader is not known (no `--env-style`, not named
/// `.env`): where docker's and compose's readings differ, one warning says
/// so and the values are checked as compose reads them; otherwise it is
/// the one reading both give.
pub fn parse_either(path: &str, source: &str) -> Document {
    let docker = parse(path, source, EnvStyle::Docker);
    let mut compose = parse(path, source, EnvStyle::Compose);
    let differing: Vec<&Operation> = compose
        .operations
        .iter()
        .zip(&docker.operations)
        .filter(|(c, d)| c.key == d.key && c.value != d.value)
        .map(|(c, _)| c)
        .collect();
    if differing.is_empty() && docker.operations.len() == compose.operations.len() {
        return docker;
    }
    let Some(first) = differing.first().map(|op| op.value_span) else {
        return compose;
    };
    let names: Vec<String> = differing
        .iter()
        .map(|op| env_name(&op.key).unwrap_or_else(|| op.key.clone()))
        .collect();
    compose.findings.push(
        Finding::new(
            &rules::ENV_QUOTES_KEPT,
            format!(
                "docker and compose read this file differently: `docker run --env-file` keeps the quotes that \
compose's env_file removes, in {}; the values are checked as compose reads them",
                names.join(", ")
            ),
        )
        .at(first, "read with its quotes by docker")
        .help("write the values without quotes, or say who reads the file with --env-style docker|compose"),
    );
    compose
}

pub fn parse(path: &str, source: &str, style: EnvStyle) -> Document {
    let mut doc = Document::new(path, Format::Env, source);
    let mut variables = Vec::new();
    let mut silenced: Option<Vec<String>> = None;
    let mut offset = 0;
    for raw in source.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let mut line = raw.trim_end_matches(['\n', '\r']);
        let mut line_start = start;
        if let Some(rest) = line.strip_prefix('\u{feff}').filter(|_| start == 0) {
            line = rest;
            line_start += '\u{feff}'.len_utf8();
        }
        let body = line.trim_start();
        let body_start = line_start + (line.len() - body.len());
        if body.is_empty() {
            continue;
        }
        if body.starts_with('#') {
            silenced = super::suppressed_codes(body).or(silenced);
            continue;
        }
        let parsed = match run_flag(body) {
            Some(arg) => Ok(shell_assignment(arg, body_start + (body.len() - arg.len()))),
            None => match style {
                EnvStyle::Docker => docker_line(body, body_start),
                EnvStyle::Compose => Ok(compose_line(body, body_start)),
            },
        };
        match parsed {
            Ok(Some(variable)) => {
                if let Some(codes) = silenced.take() {
                    doc.suppressions.push(Suppression {
                        codes,
                        applies_to: variable.span,
                    });
                }
                if style == EnvStyle::Docker && run_flag(body).is_none() {
                    check_kept_quotes(&mut doc, &variable);
                }
                variables.push(variable);
            }
            Ok(None) => {}
            Err((span, why)) => {
                // docker refuses the whole file: the container never starts.
                doc.findings.push(
                    Finding::new(
                        &rules::SYNTAX_ERROR,
                        format!("`docker run --env-file` refuses this file: {why}"),
                    )
                    .at(span, "docker stops here")
                    .help("remove the spaces around `=`: everything after `=` is the value, spaces included"),
                );
                return doc;
            }
        }
    }
    apply(&mut doc, &variables);
    report_overridden(
        &mut doc,
        0,
        "docker keeps the last value of a variable, and the image applies OMEROHOST after every CONFIG_ variable",
    );
    doc
}

/// The argument of a `-e`/`--env` line of a `docker run` command.
fn run_flag(body: &str) -> Option<&str> {
    let arg = body
        .strip_prefix("-e ")
        .or_else(|| body.strip_prefix("--env "))
        .or_else(|| body.strip_prefix("--env="))?;
    Some(arg.trim_end().trim_end_matches('\\').trim())
}

/// A line as `docker run --env-file` reads it (docker/cli `parseKeyValueFile`).
/// `Err` is docker's refusal of the whole file: where, and why.
fn docker_line(body: &str, start: usize) -> Result<Option<Variable>, (Span, String)> {
    let end = start + body.len();
    let (name, value) = match body.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (body, None),
    };
    let name_span = Span::new(start, start + name.len());
    if name.contains([' ', '\t']) || name.is_empty() {
        let why = if name.is_empty() {
            "no variable name on the line".to_string()
        } else {
            format!("variable '{name}' has white spaces")
        };
        return Err((name_span, why));
    }
    let value_start = (name_span.end + 1).min(end);
    Ok(Some(Variable {
        name: name.to_string(),
        name_span,
        value: value.map(|v| Value::Known(v.to_string())),
        value_span: Span::new(value_start, end),
        span: Span::new(start, end),
    }))
}

/// A line as compose's `env_file` reads it: `export` allowed, quotes
/// removed, `${VAR}` interpolated, ` #` starting a comment when unquoted.
fn compose_line(body: &str, start: usize) -> Option<Variable> {
    let (body, start) = match body.strip_prefix("export ") {
        Some(rest) => (rest.trim_start(), start + (body.len() - rest.trim_start().len())),
        None => (body, start),
    };
    let end = start + body.len();
    let Some((raw_name, raw_value)) = body.split_once('=') else {
        let name = body.trim_end();
        let name_span = Span::new(start, start + name.len());
        return Some(Variable {
            name: name.to_string(),
            name_span,
            value: None,
            value_span: name_span,
            span: name_span,
        });
    };
    let name = raw_name.trim();
    let name_span = Span::new(
        start + (raw_name.len() - raw_name.trim_start().len()),
        start + raw_name.trim_end().len(),
    );
    let trimmed = raw_value.trim_start();
    let value_start = start + raw_name.len() + 1 + (raw_value.len() - trimmed.len());
    let (value, len) = match trimmed.chars().next() {
        Some(quote @ ('\'' | '"')) => unquote(trimmed, quote),
        _ => {
            let text = trimmed.find(" #").map_or(trimmed, |i| &trimmed[..i]).trim_end();
            (interpolate(text), text.len())
        }
    };
    Some(Variable {
        name: name.to_string(),
        name_span,
        value: Some(value),
        value_span: Span::new(value_start, value_start + len),
        span: Span::new(start, end),
    })
}

/// `NAME=VALUE` as a shell passes it after `-e`: one pair of quotes around
/// the value (or the whole argument) is removed.
fn shell_assignment(arg: &str, start: usize) -> Option<Variable> {
    let (arg, start) = match arg.chars().next() {
        Some(q @ ('\'' | '"')) if arg.len() >= 2 && arg.ends_with(q) && arg[1..].find(q) == Some(arg.len() - 2) => {
            (&arg[1..arg.len() - 1], start + 1)
        }
        _ => (arg, start),
    };
    let Some((name, raw)) = arg.split_once('=') else {
        let name_span = Span::new(start, start + arg.len());
        return Some(Variable {
            name: arg.to_string(),
            name_span,
            value: None,
            value_span: name_span,
            span: name_span,
        });
    };
    let value_start = start + name.len() + 1;
    let value = match raw.chars().next() {
        Some(quote @ ('\'' | '"')) => unquote(raw, quote).0,
        _ => interpolate(raw),
    };
    Some(Variable {
        name: name.to_string(),
        name_span: Span::new(start, start + name.len()),
        value: Some(value),
        value_span: Span::new(value_start, start + arg.len()),
        span: Span::new(start, start + arg.len()),
    })
}

/// A quoted value and the length of its source text: single quotes are
/// literal, double quotes take backslash escapes and `$` references.
fn unquote(text: &str, quote: char) -> (Value, usize) {
    let mut out = String::new();
    let mut chars = text.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if c == quote {
            let value = if quote == '"' {
                interpolate(&out)
            } else {
                Value::Known(out)
            };
            return (value, i + 1);
        }
        if c == '\\' && quote == '"' {
            match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                // `\$` stays escaped until interpolation sees it.
                Some((_, '$')) => out.push_str("$$"),
                Some((_, other)) => out.push(other),
                None => out.push('\\'),
            }
            continue;
        }
        out.push(c);
    }
    // An unterminated quote: the rest of the line, quote included.
    (Value::Known(text.to_string()), text.len())
}

/// Compose's and the shell's `$NAME` / `${NAME...}`: unknown here; `$$` is `$`.
pub(crate) fn interpolate(text: &str) -> Value {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        let name: String = match after.strip_prefix('{') {
            Some(inner) => inner
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect(),
            None => after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect(),
        };
        if !name.is_empty() {
            return Value::Unknown(Unknown::UnresolvedVariable(name));
        }
        out.push('$');
        rest = after;
    }
    out.push_str(rest);
    Value::Known(out)
}

fn check_kept_quotes(doc: &mut Document, variable: &Variable) {
    let Some(Value::Known(value)) = &variable.value else {
        return;
    };
    let quoted = value.len() >= 2 && ['"', '\''].iter().any(|&q| value.starts_with(q) && value.ends_with(q));
    if !quoted || !(variable.name.starts_with(PREFIX) || variable.name == "OMEROHOST") {
        return;
    }
    let key = config_key(&variable.name).unwrap_or_else(|| variable.name.clone());
    let shown = if crate::secrets::is_secret_key(&key) {
        crate::secrets::MASK
    } else {
        value
    };
    doc.findings.push(
        Finding::new(
            &rules::ENV_QUOTES_KEPT,
            format!(
                "{} keeps the quotes: the value of `{}` is {shown}, quotes included (this file is treated as {})",
                "`docker run --env-file`",
                variable.name,
                EnvStyle::Docker.describe()
            ),
        )
        .key(key)
        .at(variable.value_span, "these quotes become part of the value")
        .help("remove the quotes, or use `--env-style compose` if only compose's env_file reads this file"),
    );
}

/// Turns the variables into the operations the image performs, in its
/// order: every `CONFIG_` variable, then `OMEROHOST`.
pub(crate) fn apply(doc: &mut Document, variables: &[Variable]) {
    let mut host_ops = Vec::new();
    for variable in variables {
        let value = match &variable.value {
            Some(value) => value.clone(),
            None => Value::Unknown(Unknown::UnresolvedVariable(variable.name.clone())),
        };
        if let Value::Unknown(Unknown::UnresolvedVariable(name)) = &value {
            if variable.name.starts_with(PREFIX) || variable.name == "OMEROHOST" {
                doc.findings.push(unresolved(variable, name));
            }
        }
        if variable.name == "OMEROHOST" {
            let host_value = match &value {
                Value::Known(host) if host.is_empty() => continue,
                Value::Known(host) => Value::Known(format!("[[\"{host}\", 4064, \"omero\"]]")),
                unknown => unknown.clone(),
            };
            let mut op = Operation::set(
                "omero.web.server_list",
                variable.name_span,
                host_value,
                variable.value_span,
            );
            op.span = variable.span;
            host_ops.push(op);
            continue;
        }
        let Some(key) = config_key(&variable.name) else {
            if variable.name.to_ascii_uppercase().starts_with(PREFIX) {
                doc.findings.push(wrong_prefix(variable));
            }
            continue;
        };
        if let Some(finding) = unknown_key_hint(variable, &key) {
            doc.findings.push(finding);
            // The hint above says more than KY001's generic one.
            doc.suppressions.push(Suppression {
                codes: vec!["KY001".into()],
                applies_to: variable.name_span,
            });
        }
        let mut op = Operation::set(key, variable.name_span, value, variable.value_span);
        op.span = variable.span;
        doc.operations.push(op);
    }
    doc.operations.extend(host_ops);
}

fn unresolved(variable: &Variable, name: &str) -> Finding {
    let (message, help) = if variable.value.is_none() {
        (
            format!(
                "`{}` has no value in this file: the container gets it from the environment it is started from",
                variable.name
            ),
            "give the value in the file, or check it where the environment is set",
        )
    } else {
        (
            format!(
                "the value of `{}` uses ${name}, which is set outside this file",
                variable.name
            ),
            "check the value where the variable is set (the shell, a `.env` file, the CI secrets)",
        )
    };
    Finding::new(&rules::UNRESOLVED_VARIABLE, message)
        .key(config_key(&variable.name).unwrap_or_else(|| variable.name.clone()))
        .at(variable.value_span, "unknown here")
        .help(help)
}

fn wrong_prefix(variable: &Variable) -> Finding {
    let fixed = format!("{PREFIX}{}", &variable.name[PREFIX.len()..]);
    Finding::new(
        &rules::ENV_NAME,
        format!(
            "`{}` is ignored: omero-web-docker only reads variables starting with `{PREFIX}`",
            variable.name
        ),
    )
    .at(variable.name_span, "wrong case")
    .help(format!("rename it `{fixed}`"))
}

/// A key's words, case aside: `omero.web.Public_URL` is `omero web public url`.
fn key_words(key: &str) -> Vec<String> {
    key.split(['.', '_'])
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// For a `CONFIG_` name mapping to an unknown key: the name that sets the
/// key the user probably meant.
fn unknown_key_hint(variable: &Variable, key: &str) -> Option<Finding> {
    // Other `omero.*` keys configure OMERO.server, which reads the same
    // variables when the file is shared with the server container.
    let web_side = ["omero.web", "omero.client.", "omero.mail."]
        .iter()
        .any(|prefix| key.starts_with(prefix));
    if !web_side || catalog().property(key).is_some() {
        return None;
    }
    // Each known key by its words, built once: per variable it cost a pass
    // over the catalog with an allocation per key.
    static BY_WORDS: std::sync::OnceLock<std::collections::HashMap<Vec<String>, &'static str>> =
        std::sync::OnceLock::new();
    let by_words = BY_WORDS.get_or_init(|| {
        let mut map = std::collections::HashMap::new();
        for property in &catalog().properties {
            map.entry(key_words(&property.key)).or_insert(property.key.as_str());
        }
        map
    });
    let meant = by_words
        .get(&key_words(key))
        .copied()
        .or_else(|| catalog().similar_keys(key).into_iter().next())?;
    let finding = Finding::new(
        &rules::ENV_NAME,
        format!("`{}` sets `{key}`, which OMERO.web does not read", variable.name),
    )
    .key(key)
    .at(variable.name_span, format!("the image maps this name to `{key}`"));
    Some(match env_name(meant) {
        Some(name) => finding.help(format!("to set `{meant}`, name the variable `{name}` (`_` in a key is written `__`)")),
        None => finding.help(format!(
            "`{meant}` cannot be set through a CONFIG_ variable (no name maps to it); set it in a `.omero` file mounted into /opt/omero/web/config/"
        )),
    })
}

/// IN014 for every operation from `first` on whose key a later one sets
/// again (the operations before `first` belong to another source).
pub(crate) fn report_overridden(doc: &mut Document, first: usize, why: &str) {
    report_overridden_among(doc, first, why, &|_| true);
}

/// [`report_overridden`] among the operations `counts` takes (by index in
/// the document): a script leaves out those that run only in some branch.
pub(crate) fn report_overridden_among(doc: &mut Document, first: usize, why: &str, counts: &dyn Fn(usize) -> bool) {
    let ops = doc.operations.get(first..).unwrap_or_default();
    // A later `set` replaces whatever came before; a later `append` keeps it.
    let mut last_set: HashMap<&str, usize> = HashMap::new();
    // A written `set KEY` without a value removes it too (not a `config
    // drop`, whose removals name no key).
    let source = &doc.source;
    let removes = |op: &Operation| op.kind == OpKind::Unset && source.get(op.key_span.range()) == Some(op.key.as_str());
    for (i, op) in ops.iter().enumerate() {
        if (op.kind == OpKind::Set || removes(op)) && counts(first + i) {
            last_set.insert(op.key.as_str(), i);
        }
    }
    // One finding per key and kind (replaced, or repeated with the same
    // value), at the last such line, so a long script stays one finding.
    let mut groups: indexmap::IndexMap<(&str, bool), (usize, usize, usize)> = indexmap::IndexMap::new();
    for (i, op) in ops.iter().enumerate() {
        if !counts(first + i) || op.kind == OpKind::Unset {
            continue;
        }
        let Some(&later) = last_set.get(op.key.as_str()).filter(|&&l| l > i) else {
            continue;
        };
        let same = op.kind == OpKind::Set && op.value.is_some() && op.value == ops[later].value;
        let group = groups.entry((op.key.as_str(), same)).or_insert((i, later, 0));
        *group = (i, later, group.2 + 1);
    }
    let mut found = Vec::new();
    for ((key, same), (last, winner, count)) in groups {
        let (op, winner) = (&ops[last], &ops[winner]);
        let earlier = match count {
            1 => String::new(),
            n => format!(" (and {} earlier line(s) like it)", n - 1),
        };
        let finding = if same {
            Finding::new(
                &rules::OVERRIDDEN,
                format!("`{key}` is set again later to the same value; this line changes nothing{earlier}"),
            )
            .severity(Info)
            .help("remove one of them")
        } else {
            let by = if winner.kind == OpKind::Unset {
                "a later line removes it"
            } else {
                "a later value replaces it"
            };
            Finding::new(
                &rules::OVERRIDDEN,
                format!(
                    "this `{}` of `{key}` never takes effect: {by} ({why}){earlier}",
                    op.kind.verb()
                ),
            )
            .help("keep one of them")
        };
        found.push(
            finding
                .key(key.to_string())
                .at(op.span, "replaced")
                .related(winner.span, "this value wins"),
        );
    }
    doc.findings.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::source::test_util::{codes, stored};

    #[test]
    fn names_map_like_the_image_with_non_overlapping_matches() {
        let cases = [
            ("CONFIG_omero_web_public_enabled", "omero.web.public.enabled"),
            ("CONFIG_omero_web_server__list", "omero.web.server_list"),
            ("CONFIG_omero_x_y_z", "omero.x_y.z"),
            ("CONFIG_omero_web_server_list", "omero.web.server.list"),
            ("CONFIG_a___b", "a__b"),
            ("CONFIG_omero.web.debug", "omero.web.debug"),
            ("CONFIG_omero_web_ui_top__links", "omero.web.ui.top_links"),
        ];
        for (name, key) in cases {
            assert_eq!(config_key(name).as_deref(), Some(key), "{name}");
        }
        assert_eq!(config_key("config_omero_web_debug"), None);
    }

    #[test]
    fn env_names_round_trip_or_are_refused() {
        assert_eq!(
            env_name("omero.web.server_list").as_deref(),
            Some("CONFIG_omero_web_server__list")
        );
        assert_eq!(env_name("omero.x.y").as_deref(), None);
        assert_eq!(env_name("omero.web._x").as_deref(), None);
        for property in &catalog().properties {
            if let Some(name) = env_name(&property.key) {
                assert_eq!(config_key(&name).as_deref(), Some(property.key.as_str()));
            }
        }
    }

    #[test]
    fn docker_env_file_keeps_quotes_and_spaces() {
        let source =
            "\u{feff}# web settings\nCONFIG_omero_web_debug=\"true\"\n  CONFIG_omero_web_prefix= /omero \nOMEROHOST\n";
        let doc = parse("web.env", source, EnvStyle::Docker);
        assert_eq!(
            stored(&doc),
            vec![
                ("omero.web.debug".into(), "\"true\"".into()),
                ("omero.web.prefix".into(), " /omero ".into()),
                ("omero.web.server_list".into(), "?".into()),
            ]
        );
        assert_eq!(codes(&doc), vec!["IN013", "IN002"]);
        assert!(doc.findings[0].message.contains("docker run --env-file"));
        assert_eq!(&source[doc.operations[0].value_span.range()], "\"true\"");
    }

    #[test]
    fn docker_refuses_spaces_in_names() {
        let doc = parse("web.env", "CONFIG_omero_web_debug = true\n", EnvStyle::Docker);
        assert_eq!(codes(&doc), vec!["IN001"]);
        assert!(doc.operations.is_empty());
    }

    #[test]
    fn compose_env_file_removes_quotes_and_comments() {
        let source = "export CONFIG_omero_web_debug='true'\nCONFIG_omero_web_prefix=/omero # path\nCONFIG_omero_web_login__logo=\"${LOGO}\"\nCONFIG_omero_web_secret__key=\"a\\$b\"\n";
        let doc = parse(".env", source, EnvStyle::Compose);
        assert_eq!(
            stored(&doc),
            vec![
                ("omero.web.debug".into(), "true".into()),
                ("omero.web.prefix".into(), "/omero".into()),
                ("omero.web.login_logo".into(), "?".into()),
                ("omero.web.secret_key".into(), "a$b".into()),
            ]
        );
        assert_eq!(codes(&doc), vec!["IN002"]);
        assert_eq!(&source[doc.operations[1].value_span.range()], "/omero");
    }

    #[test]
    fn run_flags_are_unquoted_like_the_shell() {
        let source = "-e CONFIG_omero_web_server__list='[[\"omero.example.org\", 4064, \"omero\"]]' \\\n--env CONFIG_omero_web_debug=true\n";
        let doc = parse("run.env", source, EnvStyle::Docker);
        assert_eq!(
            stored(&doc),
            vec![
                (
                    "omero.web.server_list".into(),
                    "[[\"omero.example.org\", 4064, \"omero\"]]".into()
                ),
                ("omero.web.debug".into(), "true".into()),
            ]
        );
        assert!(doc.findings.is_empty(), "{:?}", doc.findings);
    }

    #[test]
    fn a_file_either_reader_may_read_warns_once_where_they_differ() {
        let source =
            "CONFIG_omero_web_debug=\"true\"\nCONFIG_omero_web_prefix='/omero'\nCONFIG_omero_web_page__size=10\n";
        let doc = parse_either("web.env", source);
        assert_eq!(codes(&doc), vec!["IN013"]);
        assert!(doc.findings[0]
            .message
            .contains("CONFIG_omero_web_debug, CONFIG_omero_web_prefix"));
        // Checked as compose reads them.
        assert_eq!(stored(&doc)[0], ("omero.web.debug".into(), "true".into()));
        let plain = parse_either("web.env", "CONFIG_omero_web_debug=true\n");
        assert!(plain.findings.is_empty());
    }

    #[test]
    fn unknown_keys_name_the_variable_meant() {
        let doc = parse(
            "web.env",
            "CONFIG_omero_web_server_list=x\nconfig_omero_web_debug=true\nCONFIG_omero_web_debgu=true\n",
            EnvStyle::Docker,
        );
        assert_eq!(codes(&doc), vec!["IN012", "IN012", "IN012"]);
        assert_eq!(
            doc.findings[0]
                .help
                .as_deref()
                .map(|h| h.contains("`CONFIG_omero_web_server__list`")),
            Some(true)
        );
        assert_eq!(
            doc.findings[1].help.as_deref(),
            Some("rename it `CONFIG_omero_web_debug`")
        );
        assert!(doc.findings[2]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("CONFIG_omero_web_debug`")));
        assert_eq!(doc.suppressions.len(), 2);
        // A file shared with the server container: its keys are not typos.
        let shared = parse(
            "omero.env",
            "CONFIG_omero_db_user=omero\nCONFIG_omero_db_host=db\n",
            EnvStyle::Docker,
        );
        assert!(codes(&shared).is_empty());
    }

    #[test]
    fn omerohost_is_applied_last_and_wins() {
        let doc = parse(
            "web.env",
            "OMEROHOST=omero.example.org\nCONFIG_omero_web_server__list=[[\"other\", 4064, \"omero\"]]\n",
            EnvStyle::Docker,
        );
        assert_eq!(
            stored(&doc),
            vec![
                ("omero.web.server_list".into(), "[[\"other\", 4064, \"omero\"]]".into()),
                (
                    "omero.web.server_list".into(),
                    "[[\"omero.example.org\", 4064, \"omero\"]]".into()
                ),
            ]
        );
        assert_eq!(codes(&doc), vec!["IN014"]);
        assert_eq!(doc.findings[0].span, Some(Span::new(28, 84)));
    }
}

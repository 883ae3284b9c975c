//! What OMERO.web's settings import does with stored values: each key's
//! parser applied to its string, then the checks the module runs on the
//! parsed values (middleware sorting, extra Django settings, server list).
//! Validity here means exactly "omero-web's own parser accepts it".

use crate::catalog::{catalog, Property, Version};
use crate::python::{self, json::PyJson, re::ReErrorKind};
use std::fmt;

/// A stored value after OMERO's parser.
#[derive(Debug, Clone)]
pub enum Parsed {
    Bool(bool),
    /// Normalised decimal text.
    Int(String),
    Str(String),
    Json(PyJson),
}

/// The Python exception a parser raises; only `ValueError` is wrapped into
/// OMERO's "Invalid SETTING" message, the rest are raw tracebacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exception {
    ValueError,
    TypeError,
    KeyError,
    RegexError,
    UnknownTimeZoneError,
    RecursionError,
    AttributeError,
    IndexError,
    OverflowError,
}

impl Exception {
    pub fn name(self) -> &'static str {
        match self {
            Exception::ValueError => "ValueError",
            Exception::TypeError => "TypeError",
            Exception::KeyError => "KeyError",
            Exception::RegexError => "re.error",
            Exception::UnknownTimeZoneError => "UnknownTimeZoneError",
            Exception::RecursionError => "RecursionError",
            Exception::AttributeError => "AttributeError",
            Exception::IndexError => "IndexError",
            Exception::OverflowError => "OverflowError",
        }
    }
}

/// Why OMERO.web rejects a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub exception: Exception,
    pub message: String,
    /// Byte offset of the problem inside the value, when known.
    pub offset: Option<usize>,
}

impl Rejection {
    pub fn new(exception: Exception, message: impl Into<String>) -> Self {
        Rejection {
            exception,
            message: message.into(),
            offset: None,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.exception.name(), self.message)
    }
}

/// Applies `property`'s parser, as of `release`, to a stored string.
pub fn parse(property: &Property, release: Version, raw: &str) -> Result<Parsed, Rejection> {
    let Some(parser) = property.parser_in(release) else {
        return Ok(Parsed::Str(raw.to_string()));
    };
    match parser {
        "parse_boolean" => Ok(Parsed::Bool(python::parse_boolean(raw))),
        "bool" => Ok(Parsed::Bool(!raw.is_empty())),
        "int" | "leave_none_unset_int" => parse_int(raw),
        "check_threading" if release < Version(5, 14, 1) => Err(Rejection::new(
            Exception::TypeError,
            "'>' not supported between instances of 'str' and 'int'",
        )),
        "check_threading" => parse_int(raw),
        "json.loads" => parse_json(raw).map(Parsed::Json),
        "config_list_to_dict" => parse_config_list(raw),
        "re.compile" => python::re::check(raw)
            .map(|_| Parsed::Str(raw.to_string()))
            .map_err(|e| Rejection {
                exception: match e.kind {
                    ReErrorKind::Value => Exception::ValueError,
                    ReErrorKind::Overflow => Exception::OverflowError,
                    ReErrorKind::Recursion => Exception::RecursionError,
                    ReErrorKind::Error => Exception::RegexError,
                },
                offset: e.byte_offset,
                message: e.to_string(),
            }),
        "str_slash" => Ok(Parsed::Str(if raw.is_empty() || raw.ends_with('/') {
            raw.to_string()
        } else {
            format!("{raw}/")
        })),
        "os.path.normpath" => Ok(Parsed::Str(normpath(raw))),
        "check_server_type" | "check_session_engine" => {
            let allowed = property.enforced_values.as_deref().unwrap_or_default();
            if allowed.iter().any(|v| v == raw) {
                Ok(Parsed::Str(raw.to_string()))
            } else {
                Err(Rejection::new(
                    Exception::ValueError,
                    format!("not one of: {}", allowed.join(", ")),
                ))
            }
        }
        "check_timezone" => match catalog().time_zone(raw) {
            Some(_) => Ok(Parsed::Str(raw.to_string())),
            None => Err(Rejection::new(Exception::UnknownTimeZoneError, format!("'{raw}'"))),
        },
        "str_not_empty" if raw.is_empty() => Err(Rejection::new(Exception::ValueError, "the value must not be empty")),
        _ => Ok(Parsed::Str(raw.to_string())),
    }
}

fn parse_int(raw: &str) -> Result<Parsed, Rejection> {
    python::int::parse_int(raw)
        .map(Parsed::Int)
        .map_err(|e| Rejection::new(Exception::ValueError, e.to_string()))
}

fn parse_json(raw: &str) -> Result<PyJson, Rejection> {
    python::json::loads(raw).map_err(|e| Rejection {
        exception: if e.is_value_error() {
            Exception::ValueError
        } else {
            Exception::RecursionError
        },
        offset: Some(e.byte_offset),
        message: e.to_string(),
    })
}

/// omero-mapr's parser: keeps list items with both `menu` and `config`.
fn parse_config_list(raw: &str) -> Result<Parsed, Rejection> {
    let value = parse_json(raw)?;
    if let PyJson::Array(items) = &value {
        if items.iter().any(|i| !matches!(i, PyJson::Object(_))) {
            return Err(Rejection::new(
                Exception::AttributeError,
                "every item must be a JSON object",
            ));
        }
    }
    Ok(Parsed::Json(value))
}

/// Python's `os.path.normpath` on POSIX.
pub fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    // POSIX keeps exactly two leading slashes, folds three or more into one.
    let leading = match path.len() - path.trim_start_matches('/').len() {
        0 => "",
        2 => "//",
        _ => "/",
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if !leading.is_empty() => {}
            _ => parts.push(part),
        }
    }
    let joined = format!("{leading}{}", parts.join("/"));
    if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// A failure of the module-level code that runs after the mappings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleFailure {
    pub key: &'static str,
    pub rejection: Rejection,
}

/// The parsed values the module code after the mappings reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModuleInputs<'a> {
    pub apps: Option<&'a PyJson>,
    pub middleware: Option<&'a PyJson>,
    pub extra: Option<&'a PyJson>,
    pub servers: Option<&'a PyJson>,
}

/// One of the checks of [`module_checks`].
type ModuleCheck = fn(&PyJson) -> Result<(), Rejection>;

/// The checks settings.py runs on parsed values after processing the
/// mappings, in its order; each fails the whole import.
pub fn module_checks(inputs: ModuleInputs<'_>) -> Vec<ModuleFailure> {
    let ModuleInputs {
        apps,
        middleware,
        extra,
        servers,
    } = inputs;
    let mut out = Vec::new();
    let checks: [(&'static str, Option<&PyJson>, ModuleCheck); 4] = [
        ("omero.web.apps", apps, check_apps),
        ("omero.web.middleware", middleware, check_middleware),
        ("omero.web.django_additional_settings", extra, check_additional_settings),
        ("omero.web.server_list", servers, check_server_list),
    ];
    for (key, value, check) in checks {
        if let Some(Err(rejection)) = value.map(check) {
            out.push(ModuleFailure { key, rejection });
        }
    }
    out
}

/// Python's `type(value).__name__` for a parsed JSON value.
fn type_name(value: &PyJson) -> &'static str {
    match value {
        PyJson::Null => "NoneType",
        PyJson::Bool(_) => "bool",
        PyJson::Int(_) => "int",
        PyJson::Float(_) => "float",
        PyJson::Str(_) => "str",
        PyJson::Array(_) => "list",
        PyJson::Object(_) => "dict",
    }
}

/// Python's iteration over a JSON value: lists yield items, objects their
/// keys, strings their characters; anything else is not iterable.
fn iterate(value: &PyJson) -> Result<Vec<PyJson>, Rejection> {
    match value {
        PyJson::Array(items) => Ok(items.clone()),
        PyJson::Object(pairs) => Ok(pairs.iter().map(|(k, _)| PyJson::Str(k.clone())).collect()),
        PyJson::Str(s) => Ok(s.chars().map(|c| PyJson::Str(c.to_string())).collect()),
        other => Err(Rejection::new(
            Exception::TypeError,
            format!("'{}' object is not iterable", type_name(other)),
        )),
    }
}

/// `obj[name]` for a JSON value, with Python's exceptions.
fn subscript<'a>(value: &'a PyJson, name: &str) -> Result<&'a PyJson, Rejection> {
    match value {
        PyJson::Object(pairs) => pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .ok_or_else(|| Rejection::new(Exception::KeyError, format!("'{name}'"))),
        PyJson::Str(_) => Err(Rejection::new(
            Exception::TypeError,
            "string indices must be integers, not 'str'",
        )),
        PyJson::Array(_) => Err(Rejection::new(
            Exception::TypeError,
            "list indices must be integers or slices, not str",
        )),
        other => Err(Rejection::new(
            Exception::TypeError,
            format!("'{}' object is not subscriptable", type_name(other)),
        )),
    }
}

/// `for app in ADDITIONAL_APPS: importlib.import_module("%s.settings" % app)`:
/// a name starting with `.` (or empty) is a relative import, which needs a
/// package (TypeError); other missing modules are tolerated ImportErrors.
fn check_apps(value: &PyJson) -> Result<(), Rejection> {
    for app in iterate(value)? {
        if let PyJson::Str(name) = &app {
            if name.is_empty() || name.starts_with('.') {
                return Err(Rejection::new(
                    Exception::TypeError,
                    format!("the 'package' argument is required to perform a relative import for '{name}.settings'"),
                ));
            }
        }
    }
    Ok(())
}

/// `sorted(items, key=lambda k: k["index"])` then `e["class"]` for each.
fn check_middleware(value: &PyJson) -> Result<(), Rejection> {
    let items = iterate(value)?;
    let mut indices = Vec::with_capacity(items.len());
    for item in &items {
        indices.push(subscript(item, "index")?);
    }
    // Sorting compares neighbours: mixing kinds Python cannot order fails.
    if items.len() > 1 {
        let kinds: Vec<&str> = indices.iter().map(|i| order_kind(i)).collect();
        if let Some(bad) = kinds.iter().find(|k| **k != kinds[0] || **k == "unorderable") {
            let other = if *bad == kinds[0] { kinds[0] } else { bad };
            return Err(Rejection::new(
                Exception::TypeError,
                format!(
                    "'<' not supported between instances of '{}' and '{}'",
                    python_type(other),
                    python_type(kinds[0])
                ),
            ));
        }
    }
    for item in &items {
        subscript(item, "class")?;
    }
    Ok(())
}

/// Which values Python can order against each other.
fn order_kind(value: &PyJson) -> &'static str {
    match value {
        PyJson::Int(_) | PyJson::Float(_) | PyJson::Bool(_) => "number",
        PyJson::Str(_) => "str",
        PyJson::Array(_) => "list",
        PyJson::Object(_) | PyJson::Null => "unorderable",
    }
}

fn python_type(kind: &str) -> &str {
    match kind {
        "number" => "int",
        "unorderable" => "dict",
        other => other,
    }
}

/// `for k, v in DJANGO_ADDITIONAL_SETTINGS: setattr(module, k, v)`.
fn check_additional_settings(value: &PyJson) -> Result<(), Rejection> {
    for item in iterate(value)? {
        let parts = iterate(&item).map_err(|_| {
            Rejection::new(
                Exception::TypeError,
                format!("cannot unpack non-iterable {} object", type_name(&item)),
            )
        })?;
        if parts.len() != 2 {
            return Err(Rejection::new(
                Exception::ValueError,
                format!("expected 2 values to unpack, got {}", parts.len()),
            ));
        }
        if !matches!(parts[0], PyJson::Str(_)) {
            return Err(Rejection::new(
                Exception::TypeError,
                format!("attribute name must be string, not '{}'", type_name(&parts[0])),
            ));
        }
    }
    Ok(())
}

/// `load_server_list`: `len(s)`, `str(s[0])`, `int(s[1])` for every entry.
fn check_server_list(value: &PyJson) -> Result<(), Rejection> {
    for server in iterate(value)? {
        let parts = match &server {
            PyJson::Array(items) => items.clone(),
            PyJson::Str(s) => s.chars().map(|c| PyJson::Str(c.to_string())).collect(),
            other => {
                return Err(Rejection::new(
                    Exception::TypeError,
                    format!("object of type '{}' has no len()", type_name(other)),
                ))
            }
        };
        if parts.len() < 2 {
            return Err(Rejection::new(Exception::IndexError, "list index out of range"));
        }
        match &parts[1] {
            PyJson::Int(_) | PyJson::Bool(_) => {}
            PyJson::Float(f) if f.is_finite() => {}
            PyJson::Float(_) => {
                return Err(Rejection::new(
                    Exception::ValueError,
                    "cannot convert float NaN or infinity to integer",
                ))
            }
            PyJson::Str(s) => {
                python::int::parse_int(s).map_err(|e| Rejection::new(Exception::ValueError, e.to_string()))?;
            }
            other => {
                return Err(Rejection::new(
                    Exception::TypeError,
                    format!(
                        "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                        type_name(other)
                    ),
                ))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_must_be_iterable_and_never_relative() {
        let check = |text: &str| {
            python::json::loads(text)
                .ok()
                .map(|v| check_apps(&v).map_err(|r| r.exception))
        };
        assert_eq!(check(r#"["omero_iviewer", 1, null, "a b"]"#), Some(Ok(())));
        assert_eq!(check(r#""abc""#), Some(Ok(())));
        assert_eq!(check("5"), Some(Err(Exception::TypeError)));
        assert_eq!(check(r#"["ok", ""]"#), Some(Err(Exception::TypeError)));
        assert_eq!(check(r#"[".x"]"#), Some(Err(Exception::TypeError)));
    }

    #[test]
    fn normpath_matches_posixpath() {
        for (input, expected) in [
            ("", "."),
            ("a//b/../c", "a/c"),
            ("/../x", "/x"),
            ("//a", "//a"),
            ("///a/./b/", "/a/b"),
            ("../../a", "../../a"),
            ("a/..", "."),
        ] {
            assert_eq!(normpath(input), expected, "{input}");
        }
    }
}

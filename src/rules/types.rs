//! Values judged by OMERO.web's own parsers: whether settings load at all,
//! and values that load but do not mean what was written.

use super::LintContext;
use crate::catalog::{Property, Section, ValueType};
use crate::diagnostic::{Finding, Rule, Severity::*};
use crate::python::{self, json::PyJson};
use crate::secrets;
use crate::settings::{self, Exception, Parsed};
use crate::shape;

pub static INVALID_INT: Rule = Rule {
    code: "TY001",
    name: "invalid-int",
    severity: Error,
    summary: "An integer property holds text Python's int() rejects",
    explanation: "OMERO.web converts the value with Python's `int()`, which accepts an optional \
sign, decimal digits, `_` between digits and surrounding spaces, but not `1.0`, `1e3`, `0x10` or \
an empty value. Any other text stops OMERO.web from starting.",
    example: "omero config set omero.web.wsgi_workers 4.0",
    fixed_example: "omero config set omero.web.wsgi_workers 4",
    fix: false,
    blocks_start: true,
};

pub static INVALID_JSON: Rule = Rule {
    code: "TY002",
    name: "invalid-json",
    severity: Error,
    summary: "A JSON property holds text Python's json.loads() rejects",
    explanation: "OMERO.web parses the value with Python's `json.loads`. Single quotes, trailing \
commas, bare words and unbalanced brackets are errors, and OMERO.web will not start. In a shell \
script, wrap the JSON in single quotes so the double quotes inside survive.",
    example: "omero config set omero.web.apps \"['omero_iviewer']\"",
    fixed_example: "omero config set omero.web.apps '[\"omero_iviewer\"]'",
    fix: false,
    blocks_start: true,
};

pub static INVALID_REGEX: Rule = Rule {
    code: "TY003",
    name: "invalid-regex",
    severity: Error,
    summary: "A regular expression Python's re.compile() rejects",
    explanation: "`omero.web.public.url_filter` is compiled with Python's `re` module when \
OMERO.web starts; an invalid pattern crashes it with a traceback. Python syntax applies: \
lookaheads such as `(?!archived_files)` are fine, while a lone `*` or an unbalanced `(` is not.",
    example: "omero config set omero.web.public.url_filter '^/(webgateway|webclient'",
    fixed_example: "omero config set omero.web.public.url_filter '^/(webgateway|webclient)'",
    fix: false,
    blocks_start: true,
};

pub static UNKNOWN_TIME_ZONE: Rule = Rule {
    code: "TY004",
    name: "unknown-time-zone",
    severity: Error,
    summary: "A time zone pytz does not know",
    explanation: "`omero.web.time_zone` must be a tz database name (`Europe/London`, \
`America/New_York`). pytz rejects unknown names and OMERO.web crashes at start. pytz ignores \
case, but Django then looks for the exact file under /usr/share/zoneinfo, so spell the name as \
the database does: Django does not start when that file is missing.",
    example: "omero config set omero.web.time_zone London",
    fixed_example: "omero config set omero.web.time_zone Europe/London",
    fix: false,
    blocks_start: true,
};

pub static VALUE_NOT_ALLOWED: Rule = Rule {
    code: "TY005",
    name: "value-not-allowed",
    severity: Error,
    summary: "A value outside the fixed set OMERO.web accepts",
    explanation: "Some properties accept only a fixed list of values, compared case-sensitively \
(`omero.web.application_server`: `wsgi`, `wsgi-tcp`, `development`; `omero.web.session_engine`: \
five Django session engines). Anything else stops OMERO.web from starting.",
    example: "omero config set omero.web.application_server wsgi_tcp",
    fixed_example: "omero config set omero.web.application_server wsgi-tcp",
    fix: false,
    blocks_start: true,
};

pub static BOOLEAN_MEANS_FALSE: Rule = Rule {
    code: "TY006",
    name: "boolean-means-false",
    severity: Warning,
    summary: "A boolean written in a way OMERO silently reads as False",
    explanation: "OMERO.web's boolean parser is true only for `true`, `1` or `t` (any case, \
spaces ignored). Every other word, including `yes`, `on` and `enabled`, silently means False.",
    example: "omero config set omero.web.public.enabled yes",
    fixed_example: "omero config set omero.web.public.enabled true",
    fix: false,
    blocks_start: false,
};

pub static JSON_SHAPE: Rule = Rule {
    code: "TY007",
    name: "json-shape",
    severity: Warning,
    summary: "Valid JSON of the wrong structure for the property",
    explanation: "`json.loads` accepts any JSON, so a value of the wrong structure loads and \
fails later, when a page uses it. (A structure that stops OMERO.web from starting is TY013.)",
    example: "omero config set omero.web.ui.top_links '[[\"Data\"]]'",
    fixed_example: "omero config set omero.web.ui.top_links '[[\"Data\", \"webindex\"]]'",
    fix: false,
    blocks_start: false,
};

pub static SHAPE_STOPS_START: Rule = Rule {
    code: "TY013",
    name: "json-shape-stops-start",
    severity: Error,
    summary: "Valid JSON of a structure that stops OMERO.web from starting",
    explanation: "`json.loads` accepts any JSON, but some values are used straight away. \
OMERO.web's settings read the `omero.web.apps` names, the `omero.web.server_list` entries, the \
`omero.web.django_additional_settings` pairs and the members a parser reads; Django's set-up and \
checks then need `omero.web.apps` entries that are module names, `allowed_hosts` and \
`template_dirs` as lists, `caches` as an object of objects, `staticfile_dirs` entries that are \
paths or `[prefix, path]` pairs and text `csrf_trusted_origins`. A value of the wrong structure \
raises there and OMERO.web does not start.",
    example: "omero config set omero.web.server_list '[[\"omero.example.org\"]]'",
    fixed_example: "omero config set omero.web.server_list '[[\"omero.example.org\", 4064, \"omero\"]]'",
    fix: false,
    blocks_start: true,
};

pub static ADVISORY_VALUE: Rule = Rule {
    code: "TY008",
    name: "unexpected-value",
    severity: Warning,
    summary: "A value OMERO.web loads but cannot use as intended",
    explanation: "Some properties load any string but only work with a few: the worker class \
(`sync`, `gevent`), cookie SameSite (`Lax`, `Strict`, `None`), `plate_layout` (`expand`, `shrink`, \
`trim`), `x_frame_options` (`DENY`, `SAMEORIGIN`). Other values fail later or behave like a default.",
    example: "omero config set omero.web.wsgi_worker_class async",
    fixed_example: "omero config set omero.web.wsgi_worker_class gevent",
    fix: false,
    blocks_start: false,
};

pub static TRUTHY_STRING: Rule = Rule {
    code: "TY009",
    name: "false-means-true",
    severity: Warning,
    summary: "An app flag where any non-empty text, even `false`, means True",
    explanation: "omero-iviewer reads its flags with Python's `bool()` of the string, so `false`, \
`0` and `no` all mean True. Only removing the property turns the flag off.",
    example: "omero config set omero.web.iviewer.enable_mirror false",
    fixed_example: "omero config set omero.web.iviewer.enable_mirror",
    fix: false,
    blocks_start: false,
};

pub static EMPTY_REQUIRED: Rule = Rule {
    code: "TY010",
    name: "empty-required",
    severity: Error,
    summary: "An app property that must not be empty is empty",
    explanation: "omero-signup refuses to load while its admin user, admin password or group name \
is empty (their defaults are empty), so the sign-up page fails.",
    example: "omero config append omero.web.apps '\"omero_signup\"'\nomero config set omero.web.signup.group.name ''",
    fixed_example: "omero config append omero.web.apps '\"omero_signup\"'\nomero config set omero.web.signup.group.name 'Sign-up users'",
    fix: false,
    blocks_start: true,
};

pub static PLACEHOLDER: Rule = Rule {
    code: "TY011",
    name: "placeholder-value",
    severity: Error,
    summary: "A value still holds a placeholder from a template or documentation",
    explanation: "Values like `<password>` or a literal `$(hostname)` in a file that no shell \
expands are stored as written, so the setting cannot work (an error). A documentation default \
such as `CHANGEME` works, but everyone who read the same documentation knows it (a warning).",
    example: "omero.web.public.password=<password>",
    fixed_example: "omero.web.public.password=the-real-password",
    fix: false,
    blocks_start: false,
};

pub static SETTING_CRASHES: Rule = Rule {
    code: "TY012",
    name: "setting-crashes",
    severity: Error,
    summary: "The target release crashes on any value of this property",
    explanation: "Before 5.14.1, OMERO.web compared the string value of `omero.web.wsgi_threads` \
with a number, which raises a TypeError for every configured value; only the default works.",
    example: "# on OMERO.web 5.13\nomero config set omero.web.wsgi_threads 4",
    fixed_example: "# on OMERO.web 5.13\nomero config set omero.web.wsgi_threads",
    fix: false,
    blocks_start: true,
};

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    for (key, entry) in &ctx.config.entries {
        let Some(raw) = entry.value.known() else { continue };
        if let Some(c) = raw.chars().find(|&c| !xml_can_hold(c)) {
            out.push(ctx.at_value(
                key,
                Finding::new(
                    &crate::source::rules::VALUE_NOT_REPRESENTABLE,
                    format!("{key}: the value holds the control character U+{:04X}, which config.xml cannot hold", c as u32),
                )
                .key(key)
                .help("OMERO writes it unescaped, and from then on neither `omero config` nor OMERO.web can read config.xml; remove the character"),
            ));
        }
        let Some(property) = ctx.property(key) else { continue };
        if property.server_side || property.section == Section::Deprecated {
            continue;
        }
        if let Some(finding) = placeholder(key, raw) {
            out.push(ctx.at_value(key, finding));
        }
        match settings::parse(property, ctx.config.release, raw) {
            Err(rejection) => {
                let mut finding = rejected(ctx, property, raw, &rejection);
                // An app's settings are read only when Django loads the app.
                if let Some(app) = unlisted_app(ctx, property) {
                    finding = finding.severity(Warning);
                    finding.message = format!(
                        "{} (OMERO.web starts: {app} is not in omero.web.apps, so nothing reads it yet)",
                        finding.message
                    );
                    finding.label = Some(format!("{app} fails to load here once listed"));
                }
                out.push(ctx.at_value(key, finding));
            }
            Ok(parsed) => accepted(ctx, property, raw, &parsed, out),
        }
    }
    module_checks(ctx, out);
}

/// Why a value that loads stops `django.setup()` or Django's checks, which
/// OMERO.web's settings import does not notice.
fn stops_django(key: &str, value: &PyJson) -> Option<String> {
    match (key, value) {
        // INSTALLED_APPS gets each character of a string, each key of an object.
        ("omero.web.apps", PyJson::Str(s)) if !s.is_empty() => {
            Some("a string: Django loads each of its characters as an app and fails".to_string())
        }
        ("omero.web.apps", PyJson::Object(pairs)) if !pairs.is_empty() => {
            Some("an object: Django loads each of its keys as an app and fails".to_string())
        }
        ("omero.web.apps", PyJson::Array(items)) => {
            items.iter().position(|item| !matches!(item, PyJson::Str(_))).map(|i| {
                format!(
                    "entry {} is not a module name (text), which Django cannot load as an app",
                    i + 1
                )
            })
        }
        // Django's cache checks take CACHES as a mapping of aliases to mappings.
        ("omero.web.caches", PyJson::Object(pairs)) => pairs
            .iter()
            .find(|(_, v)| !matches!(v, PyJson::Object(_)))
            .map(|(alias, _)| format!("the cache `{alias}` is not an object, which Django's cache set-up cannot read")),
        ("omero.web.caches", _) => Some("not an object, which Django's cache checks cannot read".to_string()),
        // Django's settings refuse anything but a list or tuple for these.
        ("omero.web.allowed_hosts" | "omero.web.template_dirs", value) if !matches!(value, PyJson::Array(_)) => {
            Some("not a list, which Django's settings refuse (ImproperlyConfigured)".to_string())
        }
        // The static files check takes each entry as a path or a (prefix, path) pair.
        ("omero.web.staticfile_dirs", PyJson::Array(items)) => items.iter().enumerate().find_map(|(i, item)| {
            let path_or_pair = match item {
                PyJson::Str(_) => true,
                PyJson::Array(pair) => matches!(pair.as_slice(), [PyJson::Str(_), PyJson::Str(_)]),
                _ => false,
            };
            (!path_or_pair).then(|| {
                format!(
                    "entry {} is neither a path nor [prefix, path]: Django's static files check raises",
                    i + 1
                )
            })
        }),
        // Django's check of the origins tests `"://" in` each entry.
        ("omero.web.csrf_trusted_origins", PyJson::Null | PyJson::Bool(_) | PyJson::Int(_) | PyJson::Float(_)) => {
            Some("not a list: Django's check of the origins raises a TypeError".to_string())
        }
        ("omero.web.csrf_trusted_origins", PyJson::Array(items)) => items.iter().enumerate().find_map(|(i, item)| {
            matches!(item, PyJson::Null | PyJson::Bool(_) | PyJson::Int(_) | PyJson::Float(_)).then(|| {
                format!(
                    "entry {} is not text: Django's check of the origins raises a TypeError",
                    i + 1
                )
            })
        }),
        _ => None,
    }
}

/// The app whose property this is, when `omero.web.apps` does not list it.
fn unlisted_app<'p>(ctx: &LintContext, property: &'p Property) -> Option<&'p str> {
    let app = property
        .app
        .as_deref()
        .filter(|_| matches!(property.section, Section::App(_)))?;
    let listed = matches!(ctx.json("omero.web.apps"), Some(PyJson::Array(items))
        if items.iter().any(|item| matches!(item, PyJson::Str(s) if s == app)));
    (!listed).then_some(app)
}

fn rejected(ctx: &LintContext, property: &Property, raw: &str, rejection: &settings::Rejection) -> Finding {
    let key = property.key.as_str();
    let shown = secrets::mask_value(key, raw);
    let (rule, what) = match (
        property.parser_in(ctx.config.release).unwrap_or_default(),
        rejection.exception,
    ) {
        (_, Exception::RecursionError) => (&INVALID_JSON, "JSON nested too deeply for Python".to_string()),
        ("check_threading", Exception::TypeError) => (
            &SETTING_CRASHES,
            "OMERO.web raises a TypeError for any value".to_string(),
        ),
        ("str_not_empty", _) => (&EMPTY_REQUIRED, "the value is empty".to_string()),
        (_, Exception::AttributeError) => (&SHAPE_STOPS_START, secrets::mask_message(key, &rejection.message)),
        _ => match property.value_type {
            ValueType::Int => (&INVALID_INT, format!("`{shown}` is not an integer")),
            ValueType::Json => (
                &INVALID_JSON,
                format!("invalid JSON: {}", secrets::mask_message(key, &rejection.message)),
            ),
            ValueType::Regex => (
                &INVALID_REGEX,
                format!("invalid regular expression: {}", rejection.message),
            ),
            ValueType::Timezone => (
                &UNKNOWN_TIME_ZONE,
                format!("pytz does not know the time zone `{shown}`"),
            ),
            _ => (&VALUE_NOT_ALLOWED, format!("`{shown}` is {}", rejection.message)),
        },
    };
    let mut finding = Finding::new(rule, format!("{key}: {what}")).severity(Error).key(key);
    finding.label = Some(format!(
        "OMERO.web raises {} here and does not start",
        rejection.exception.name()
    ));
    finding.help = Some(match rule.code {
        "TY001" => "write a whole number such as `4`".to_string(),
        "TY002" => "check quotes and brackets; JSON strings use double quotes".to_string(),
        "TY004" => close_time_zone(raw),
        "TY005" => format!(
            "use one of: {}",
            property.enforced_values.as_deref().unwrap_or_default().join(", ")
        ),
        "TY003" => "close every group and class, and escape a literal `(`, `)` or `[` with `\\`".to_string(),
        "TY010" => format!("give it a value, or remove it: `omero config set {key}`"),
        "TY012" => format!("remove it: `omero config set {key}`"),
        _ => format!("`omeroconf explain {key}` shows the value OMERO.web expects"),
    });
    finding
}

fn close_time_zone(raw: &str) -> String {
    let best = crate::catalog::catalog().closest_time_zone(raw);
    match best {
        Some((score, name)) if score > 0.8 => format!("did you mean `{name}`?"),
        _ => "use a tz database name such as `Europe/London`".to_string(),
    }
}

fn accepted(ctx: &LintContext, property: &Property, raw: &str, parsed: &Parsed, out: &mut Vec<Finding>) {
    let key = property.key.as_str();
    match (property.value_type, parsed) {
        (ValueType::Bool, Parsed::Bool(false)) => {
            let word = python::strip(raw).to_lowercase();
            if !matches!(word.as_str(), "false" | "0" | "f" | "") {
                out.push(
                    ctx.at_value(
                        key,
                        Finding::new(
                            &BOOLEAN_MEANS_FALSE,
                            format!("{key}: `{}` is read as False", raw.trim()),
                        )
                        .key(key)
                        .help("write `true` or `false`"),
                    ),
                );
            }
        }
        (ValueType::Truthy, _) => {
            let word = python::strip(raw).to_lowercase();
            if matches!(word.as_str(), "false" | "0" | "no" | "off" | "f" | "n") {
                out.push(
                    ctx.at_value(
                        key,
                        Finding::new(
                            &TRUTHY_STRING,
                            format!("{key}: `{}` means True for this app flag", raw.trim()),
                        )
                        .key(key)
                        .help(format!("remove the property to turn it off: `omero config set {key}`")),
                    ),
                );
            }
        }
        (ValueType::Timezone, _) => {
            if let Some(canonical) = crate::catalog::catalog().time_zone(raw).filter(|c| *c != raw) {
                // pytz ignores case; Django's set-up then wants the exact file.
                out.push(
                    ctx.at_value(
                        key,
                        Finding::new(
                            &UNKNOWN_TIME_ZONE,
                            format!("{key}: `{raw}` is spelled `{canonical}` in the tz database; Django finds no /usr/share/zoneinfo/{raw} and does not start"),
                        )
                        .key(key)
                        .help(format!("write `{canonical}`: Django looks for the exact file name")),
                    ),
                );
            }
        }
        (ValueType::Json, Parsed::Json(value)) => {
            if let Some(reason) = stops_django(key, value) {
                let finding = Finding::new(&SHAPE_STOPS_START, format!("{key}: {reason}"))
                    .key(key)
                    .help(format!(
                        "the value should be {}",
                        property.shape.as_ref().map(shape::describe).unwrap_or_default()
                    ));
                out.push(ctx.at_value(key, finding));
                return;
            }
            // The middleware family judges the entries of a middleware list.
            let middleware_list = key == "omero.web.middleware" && matches!(value, PyJson::Array(_));
            if let Some(expected) = property.shape.as_ref().filter(|_| !middleware_list) {
                let mismatches = shape::check(expected, value);
                if let Some(first) = mismatches.first() {
                    let more = if mismatches.len() > 1 {
                        format!(" (and {} more)", mismatches.len() - 1)
                    } else {
                        String::new()
                    };
                    out.push(
                        ctx.at_value(
                            key,
                            Finding::new(
                                &JSON_SHAPE,
                                format!("{key}: {} should be {}{more}", first.path, first.expected),
                            )
                            .key(key)
                            .help(format!("the value should be {}", shape::describe(expected))),
                        ),
                    );
                }
            }
        }
        _ => {}
    }
    if let Some(advisory) = &property.advisory_values {
        let fits = advisory.values.iter().any(|v| {
            if advisory.case_sensitive {
                v == raw
            } else {
                v.eq_ignore_ascii_case(raw)
            }
        });
        let enforced = property.enforced_values.is_some();
        if !fits && !enforced || (!fits && property.key == "omero.web.application_server" && raw == "wsgi") {
            out.push(
                ctx.at_value(
                    key,
                    Finding::new(
                        &ADVISORY_VALUE,
                        format!(
                            "{key}: `{}` is not one of {}",
                            secrets::mask_value(key, raw),
                            advisory.values.join(", ")
                        ),
                    )
                    .key(key)
                    .help(advisory.enforced_by.clone().map_or_else(
                        || format!("use one of: {}", advisory.values.join(", ")),
                        |by| format!("use one of: {} (checked by {by})", advisory.values.join(", ")),
                    )),
                ),
            );
        }
    }
}

/// Characters XML 1.0 allows (tab, line feed and carriage return are
/// escaped by ElementTree; the rest of the C0 controls are not allowed).
fn xml_can_hold(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Words that mark a value nobody filled in.
fn placeholder(key: &str, raw: &str) -> Option<Finding> {
    let lower = raw.to_lowercase();
    let marker = if let Some(start) = raw.find('<') {
        let inner = raw[start + 1..].split('>').next().unwrap_or("");
        let looks_filled = raw[start..].contains('>')
            && !inner.is_empty()
            && inner.len() <= 40
            && inner
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' ' | '.'));
        looks_filled.then(|| format!("<{inner}>"))
    } else {
        None
    };
    // A word like `changeme` is a working value, only one everybody knows;
    // `<...>` or an unexpanded `$(...)` is never what was meant.
    let default_word = ["changeme", "change_me", "replace_me", "xxxxxxxx"]
        .iter()
        .find(|w| lower.contains(*w))
        .map(|w| w.to_string());
    let (marker, severity) = match marker.or_else(|| {
        ["$(", "${", "`"]
            .iter()
            .find(|w| raw.contains(*w))
            .map(|w| format!("{w}..."))
    }) {
        Some(marker) => (marker, Error),
        None => (default_word?, Warning),
    };
    let shown = if secrets::is_secret_key(key) {
        "the value".to_string()
    } else {
        format!("`{marker}`")
    };
    let message = match (severity, secrets::is_secret_key(key)) {
        (Error, _) => format!("{key}: {shown} looks like a placeholder that was never filled in"),
        (_, true) => format!("{key}: the value is a documentation default that was never replaced"),
        (_, false) => format!("{key}: `{marker}` is a documentation default that was never replaced"),
    };
    Some(
        Finding::new(&PLACEHOLDER, message)
            .severity(severity)
            .key(key)
            .help("replace it with the real value; nothing expands it"),
    )
}

/// settings.py's code after the mappings: middleware sorting, extra Django
/// settings and the server list, each of which fails the whole import.
fn module_checks(ctx: &LintContext, out: &mut Vec<Finding>) {
    let parsed = |key: &str| -> Option<PyJson> {
        let raw = ctx.config.get(key)?;
        python::json::loads(raw).ok()
    };
    let (apps, middleware, extra, servers) = (
        parsed("omero.web.apps"),
        parsed("omero.web.middleware"),
        parsed("omero.web.django_additional_settings"),
        parsed("omero.web.server_list"),
    );
    // Entries of a middleware list are the middleware family's (MW001, MW010).
    let middleware = middleware.filter(|m| !matches!(m, PyJson::Array(_)));
    let inputs = settings::ModuleInputs {
        apps: apps.as_ref(),
        middleware: middleware.as_ref(),
        extra: extra.as_ref(),
        servers: servers.as_ref(),
    };
    for failure in settings::module_checks(inputs) {
        let finding = Finding::new(
            &SHAPE_STOPS_START,
            format!(
                "{}: OMERO.web fails to start: {}",
                failure.key,
                secrets::mask_message(failure.key, &failure.rejection.to_string())
            ),
        )
        .key(failure.key)
        .help(match failure.key {
            "omero.web.apps" => "a list of app module names, none empty or starting with `.`",
            "omero.web.middleware" => "every entry needs a numeric \"index\" and a \"class\"",
            "omero.web.server_list" => "every entry is [host, port] or [host, port, name], with an integer port",
            _ => "every entry is a [SETTING_NAME, value] pair",
        });
        out.push(ctx.at_value(failure.key, finding));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::findings;
    use crate::diagnostic::Severity;

    /// The codes of the findings that stop OMERO.web from starting.
    fn blocking(text: &str) -> Vec<&'static str> {
        findings(text)
            .iter()
            .filter(|f| f.blocks_start())
            .map(|f| f.code())
            .collect()
    }

    #[test]
    fn values_django_refuses_after_the_settings_load() {
        for text in [
            "omero.web.apps=\"omero_iviewer\"\n",
            "omero.web.apps={\"omero_iviewer\": 1}\n",
            "omero.web.apps=[\"omero_iviewer\", null]\n",
            "omero.web.template_dirs={\"a\": 1}\n",
            "omero.web.allowed_hosts=\"*\"\n",
            "omero.web.staticfile_dirs=[[]]\n",
            "omero.web.staticfile_dirs=[Infinity]\n",
            "omero.web.staticfile_dirs=[[1, \"/srv/static\"]]\n",
            "omero.web.csrf_trusted_origins=[1]\n",
            "omero.web.csrf_trusted_origins=1\n",
            "omero.web.caches=[[]]\n",
            "omero.web.caches={\"default\": \"redis\"}\n",
        ] {
            assert_eq!(blocking(text), vec!["TY013"], "{text}");
        }
        for text in [
            "omero.web.apps=\"\"\n",
            "omero.web.staticfile_dirs=[\"/srv/a\", [\"pre\", \"/srv/b\"]]\n",
            "omero.web.csrf_trusted_origins=[\"https://omero.example.org\"]\n",
        ] {
            assert!(blocking(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_time_zone_in_the_wrong_case_stops_django() {
        assert_eq!(blocking("omero.web.time_zone=utc\n"), vec!["TY004"]);
        assert_eq!(blocking("omero.web.time_zone=europe/london\n"), vec!["TY004"]);
        assert!(blocking("omero.web.time_zone=UTC\n").is_empty());
        assert!(blocking("omero.web.time_zone=Europe/London\n").is_empty());
    }

    #[test]
    fn an_unlisted_apps_bad_value_does_not_stop_omero_web() {
        let unlisted = findings("omero.web.iviewer.max_active_channels=ten\n");
        let bad = unlisted.iter().find(|f| f.code() == "TY001");
        assert_eq!(bad.map(|f| f.severity), Some(Severity::Warning), "{unlisted:?}");
        assert!(blocking("omero.web.iviewer.max_active_channels=ten\n").is_empty());
        let listed = "omero.web.iviewer.max_active_channels=ten\nomero.web.apps=[\"omero_iviewer\"]\n";
        assert_eq!(blocking(listed), vec!["TY001"]);
    }

    fn placeholder(text: &str) -> Option<(Severity, String)> {
        findings(text)
            .into_iter()
            .find(|f| f.code() == "TY011")
            .map(|f| (f.severity, f.message))
    }

    #[test]
    fn placeholders_that_cannot_work_and_defaults_that_do() {
        let (severity, message) = placeholder("omero.web.public.server_id=<server-id>\n").expect("reported");
        assert_eq!(severity, Severity::Error);
        assert!(message.contains("`<server-id>`"), "{message}");
        let (severity, _) = placeholder("omero.web.secret_key=$(openssl rand -hex 32)\n").expect("reported");
        assert_eq!(severity, Severity::Error);
        // A documentation default works; it is only known to everybody.
        let (severity, message) = placeholder("omero.web.public.password=changeme\n").expect("reported");
        assert_eq!(severity, Severity::Warning);
        assert!(!message.contains("changeme"), "a secret is not shown: {message}");
        assert!(placeholder("omero.web.public.password=s3cret\n").is_none());
    }

    #[test]
    fn a_query_string_may_be_a_string_or_an_object() {
        // reverse_with_params urlencodes only what is not already a string.
        let shape_findings = |query: &str| {
            let text = format!("omero.web.login_redirect={{\"viewname\": \"load_template\", \"args\": [\"userdata\"], \"query_string\": {query}}}\n");
            findings(&text).into_iter().filter(|f| f.code() == "TY007").count()
        };
        assert_eq!(shape_findings("\"experimenter=-1\""), 0);
        assert_eq!(shape_findings("{\"experimenter\": -1}"), 0);
        assert_eq!(shape_findings("[1]"), 1);
    }
}

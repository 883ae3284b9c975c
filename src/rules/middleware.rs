//! `omero.web.middleware` after resolution (the stored list, else OMERO.web's
//! default): the entries settings.py sorts into Django's MIDDLEWARE, whether
//! Django's own session, CSRF and common middleware are still in it, and
//! whether the CORS settings and the CORS middleware go together.

use super::LintContext;
use crate::diagnostic::{Finding, Rule, Severity::*};
use crate::python::json::PyJson;
use crate::settings::{self, Exception, ModuleInputs};
use std::collections::HashMap;

pub static ENTRY_INCOMPLETE: Rule = Rule {
    code: "MW001",
    name: "middleware-entry-incomplete",
    severity: Error,
    summary: "A middleware entry lacks `index` or `class`",
    explanation: "OMERO.web sorts the entries of `omero.web.middleware` by their `index` and \
takes each `class` while its settings load. An entry that is not an object with both members \
raises a KeyError or TypeError there, and OMERO.web does not start.",
    example: "omero config append omero.web.middleware '{\"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}'",
    fixed_example: "omero config append omero.web.middleware '{\"index\": 0, \"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}'",
    fix: false,
    blocks_start: true,
};

pub static INDEX_NOT_NUMBER: Rule = Rule {
    code: "MW002",
    name: "middleware-index-not-number",
    severity: Warning,
    summary: "Every middleware `index` is text, so the entries sort alphabetically",
    explanation: "The entries are ordered with Python's `sorted` on `index`. When every index is \
text the list loads but sorts alphabetically: `\"10\"` comes before `\"2\"`. (Text mixed with \
numbers stops OMERO.web from starting: MW010.)",
    example: "omero config set omero.web.middleware '[{\"index\": \"2\", \"class\": \"django.middleware.common.CommonMiddleware\"}, {\"index\": \"10\", \"class\": \"django.contrib.sessions.middleware.SessionMiddleware\"}]'",
    fixed_example: "omero config set omero.web.middleware '[{\"index\": 2, \"class\": \"django.middleware.common.CommonMiddleware\"}, {\"index\": 10, \"class\": \"django.contrib.sessions.middleware.SessionMiddleware\"}]'",
    fix: false,
    blocks_start: false,
};

pub static INDEX_TYPES_MIXED: Rule = Rule {
    code: "MW010",
    name: "middleware-index-mixed",
    severity: Error,
    summary: "Middleware indices mix numbers and text",
    explanation: "The entries are ordered with Python's `sorted` on `index`. Python 3 cannot \
compare numbers with text, so a list mixing them raises a TypeError while the settings load and \
OMERO.web does not start.",
    example: "omero config append omero.web.middleware '{\"index\": \"0\", \"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}'",
    fixed_example: "omero config append omero.web.middleware '{\"index\": 0, \"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}'",
    fix: false,
    blocks_start: true,
};

pub static DUPLICATE_CLASS: Rule = Rule {
    code: "MW003",
    name: "duplicate-middleware",
    severity: Warning,
    summary: "The same middleware class is listed twice",
    explanation: "`omero config append` on an unset `omero.web.middleware` starts from OMERO.web's \
default list, so running an install script twice, or appending a class the default already has, \
lists it twice. OMERO.web keeps both (the derived Django MIDDLEWARE names the class twice) and \
Django runs it twice on every request. `--fix` drops a later entry identical to an earlier one.",
    example: "omero config append omero.web.middleware '{\"index\": 0, \"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}'\n\
omero config append omero.web.middleware '{\"index\": 0, \"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}'",
    fixed_example: "omero config append --set omero.web.middleware '{\"index\": 0, \"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}'",
    fix: true,
    blocks_start: false,
};

pub static DUPLICATE_INDEX: Rule = Rule {
    code: "MW004",
    name: "duplicate-middleware-index",
    severity: Info,
    summary: "Two middleware entries share an index",
    explanation: "Entries with the same `index` keep their order in the list (Python's sort is \
stable), so their relative order depends on the order of the `append` commands rather than on \
the index. Give each entry its own index so the order is explicit.",
    example: "omero.web.middleware=[{\"index\": 0, \"class\": \"corsheaders.middleware.CorsMiddleware\"}, \
{\"index\": 0, \"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}]",
    fixed_example: "omero.web.middleware=[{\"index\": 0, \"class\": \"corsheaders.middleware.CorsMiddleware\"}, \
{\"index\": 0.5, \"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}]",
    fix: false,
    blocks_start: false,
};

pub static CORS_ORDER: Rule = Rule {
    code: "MW005",
    name: "cors-middleware-order",
    severity: Warning,
    summary: "CorsMiddleware is not first, or CorsPostCsrfMiddleware runs before the CSRF check",
    explanation: "django-cors-headers must see a request before any middleware that can answer it \
(CommonMiddleware redirects, WhiteNoise serves files), or those responses lack the CORS headers. \
`CorsPostCsrfMiddleware` undoes the Referer rewrite made for the CSRF check, so it has to run \
after `CsrfViewMiddleware`. Give CorsMiddleware the lowest index and CorsPostCsrfMiddleware one \
above CsrfViewMiddleware's.",
    example: "omero config append omero.web.middleware '{\"index\": 7, \"class\": \"corsheaders.middleware.CorsMiddleware\"}'",
    fixed_example: "omero config append omero.web.middleware '{\"index\": 0.5, \"class\": \"corsheaders.middleware.CorsMiddleware\"}'",
    fix: false,
    blocks_start: false,
};

pub static CLASS_PATH: Rule = Rule {
    code: "MW006",
    name: "middleware-class-path",
    severity: Error,
    summary: "A middleware class is not a dotted Python path",
    explanation: "Django imports each middleware from its dotted path (`package.module.Class`) \
when the first worker starts. A name without a dot, with spaces or slashes, or that is not text \
cannot be imported, and OMERO.web fails to serve any page.",
    example: "omero config append omero.web.middleware '{\"index\": 0, \"class\": \"whitenoise\"}'",
    fixed_example: "omero config append omero.web.middleware '{\"index\": 0, \"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}'",
    fix: false,
    blocks_start: false,
};

pub static CORS_WITHOUT_MIDDLEWARE: Rule = Rule {
    code: "MW007",
    name: "cors-without-middleware",
    severity: Warning,
    summary: "CORS origins are configured but the CORS middleware is not installed",
    explanation: "`omero.web.cors_origin_whitelist` and `omero.web.cors_origin_allow_all` are read \
by django-cors-headers, which only acts when `corsheaders.middleware.CorsMiddleware` is in \
`omero.web.middleware` (and `corsheaders` in `omero.web.apps`). Without it no browser gets a CORS \
header and the settings do nothing.",
    example: "omero config set omero.web.cors_origin_whitelist '[\"https://viewer.example.org\"]'",
    fixed_example: "omero config append omero.web.apps '\"corsheaders\"'\n\
omero config append omero.web.middleware '{\"index\": 0.5, \"class\": \"corsheaders.middleware.CorsMiddleware\"}'\n\
omero config set omero.web.cors_origin_whitelist '[\"https://viewer.example.org\"]'",
    fix: false,
    blocks_start: false,
};

pub static CORS_MIDDLEWARE_UNUSED: Rule = Rule {
    code: "MW008",
    name: "cors-middleware-unused",
    severity: Info,
    summary: "The CORS middleware is installed but no origin is allowed",
    explanation: "With `corsheaders.middleware.CorsMiddleware` installed but both \
`omero.web.cors_origin_whitelist` empty and `omero.web.cors_origin_allow_all` false, the \
middleware allows no origin and only costs time on each request.",
    example: "omero config append omero.web.middleware '{\"index\": 0.5, \"class\": \"corsheaders.middleware.CorsMiddleware\"}'",
    fixed_example: "omero config append omero.web.middleware '{\"index\": 0.5, \"class\": \"corsheaders.middleware.CorsMiddleware\"}'\n\
omero config set omero.web.cors_origin_whitelist '[\"https://viewer.example.org\"]'",
    fix: false,
    blocks_start: false,
};

pub static REQUIRED_MISSING: Rule = Rule {
    code: "MW009",
    name: "required-middleware-missing",
    severity: Error,
    summary: "The middleware list drops Django's session, CSRF or common middleware",
    explanation: "Setting `omero.web.middleware` (with `omero config set`, an env variable, or \
Ansible's `omero_web_config_set`) replaces OMERO.web's whole default list; `omero config append` \
adds to it. Without `SessionMiddleware` every OMERO.web page fails (its views read the session: \
an AttributeError, a server error). Without `CsrfViewMiddleware` forms are no longer protected \
against cross-site request forgery; without `CommonMiddleware` a URL missing its trailing slash \
is not redirected and gets a 404. Django's own checks say nothing: they look for these only when \
Django's admin is installed.",
    example: "omero config set omero.web.middleware '[{\"index\": 0, \"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}]'",
    fixed_example: "omero config append omero.web.middleware '{\"index\": 0, \"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}'",
    fix: false,    blocks_start: false,
};

const KEY: &str = "omero.web.middleware";
/// Django middleware OMERO.web cannot do without, and what goes without it
/// (tests/fixtures/rules/facts.json, `middleware_replaced`).
const REQUIRED: [(&str, &str); 3] = [
    (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "every page fails (OMERO.web's views read the session)",
    ),
    (
        "django.middleware.csrf.CsrfViewMiddleware",
        "forms lose their protection against cross-site request forgery",
    ),
    (
        "django.middleware.common.CommonMiddleware",
        "URLs without their trailing slash get a 404 instead of a redirect",
    ),
];
const CORS: &str = "corsheaders.middleware.CorsMiddleware";
const CORS_POST_CSRF: &str = "corsheaders.middleware.CorsPostCsrfMiddleware";
const CSRF: &str = "django.middleware.csrf.CsrfViewMiddleware";
const WHITELIST: &str = "omero.web.cors_origin_whitelist";
const ALLOW_ALL: &str = "omero.web.cors_origin_allow_all";

/// One list entry: its position, `index` and `class`.
struct Entry<'a> {
    position: usize,
    index: &'a PyJson,
    class: &'a PyJson,
}

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    let Some(value) = ctx.json(KEY) else { return };
    let PyJson::Array(items) = &value else { return };
    if let Some(failure) = settings::module_checks(ModuleInputs {
        middleware: Some(&value),
        ..Default::default()
    })
    .into_iter()
    .next()
    {
        out.extend(start_failure(ctx, items, &failure.rejection));
        return;
    }
    let entries = entries(items);
    text_indices(ctx, &entries, out);
    class_paths(ctx, &entries, out);
    duplicates(ctx, &entries, out);
    let order = sorted_classes(&entries);
    required(ctx, &order, out);
    cors(ctx, &order, out);
}

fn required(ctx: &LintContext, order: &[String], out: &mut Vec<Finding>) {
    let missing: Vec<(&str, &str)> = REQUIRED
        .into_iter()
        .filter(|(class, _)| !order.iter().any(|c| c == class))
        .collect();
    let Some(&(first, _)) = missing.first() else { return };
    // Only a missing session middleware breaks every page.
    let severity = if first == REQUIRED[0].0 { Error } else { Warning };
    let names: Vec<&str> = missing.iter().map(|(c, _)| c.rsplit('.').next().unwrap_or(c)).collect();
    let effects: Vec<&str> = missing.iter().map(|(_, effect)| *effect).collect();
    let defaults = default_entries(ctx);
    let entries: Vec<String> = missing
        .iter()
        .filter_map(|(class, _)| defaults.iter().find(|(_, c)| c == class))
        .map(|(index, class)| format!("{{\"index\": {index}, \"class\": \"{class}\"}}"))
        .collect();
    out.push(
        ctx.on_value(
            &REQUIRED_MISSING,
            KEY,
            format!("{KEY} lacks {}: {}", and_list(&names), effects.join("; ")),
        )
        .severity(severity)
        .help(format!(
            "setting the key replaces OMERO.web's default list; add {} to it, or add your own entries with `omero config append`",
            and_list(&entries)
        )),
    );
}

fn entries(items: &[PyJson]) -> Vec<Entry<'_>> {
    items
        .iter()
        .enumerate()
        .filter_map(|(position, item)| {
            let PyJson::Object(members) = item else { return None };
            let get = |name: &str| members.iter().find(|(k, _)| k == name).map(|(_, v)| v);
            Some(Entry {
                position,
                index: get("index")?,
                class: get("class")?,
            })
        })
        .collect()
}

/// Django's MIDDLEWARE as OMERO.web derives it from a middleware list;
/// `None` when its settings would not load.
pub fn derived(value: &PyJson) -> Option<Vec<String>> {
    let PyJson::Array(items) = value else { return None };
    settings::module_checks(ModuleInputs {
        middleware: Some(value),
        ..Default::default()
    })
    .is_empty()
    .then(|| sorted_classes(&entries(items)))
}

/// Findings for a list OMERO.web's settings import rejects.
fn start_failure(ctx: &LintContext, items: &[PyJson], rejection: &settings::Rejection) -> Vec<Finding> {
    let incomplete: Vec<(usize, String)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let PyJson::Object(members) = item else {
                return Some((i, "is not an object".to_string()));
            };
            let missing: Vec<&str> = ["index", "class"]
                .into_iter()
                .filter(|m| !members.iter().any(|(k, _)| k == m))
                .collect();
            (!missing.is_empty()).then(|| (i, format!("has no \"{}\"", missing.join("\" or \""))))
        })
        .collect();
    let raised = format!("OMERO.web raises {} and does not start", rejection.exception.name());
    if rejection.exception == Exception::TypeError && incomplete.is_empty() {
        let finding = Finding::new(
            &INDEX_TYPES_MIXED,
            format!("{KEY}: the indices mix numbers and text ({raised})"),
        )
        .key(KEY)
        .help("make every \"index\" a number");
        return vec![ctx.at_value(KEY, finding)];
    }
    incomplete
        .into_iter()
        .map(|(i, what)| {
            let finding = Finding::new(&ENTRY_INCOMPLETE, format!("{KEY}: entry {} {what}; {raised}", i + 1))
                .key(KEY)
                .help("every entry is {\"index\": NUMBER, \"class\": \"dotted.path.Class\"}");
            ctx.at_item(KEY, i, "incomplete entry", finding)
        })
        .collect()
}

/// All-text indices load but sort alphabetically.
fn text_indices(ctx: &LintContext, entries: &[Entry], out: &mut Vec<Finding>) {
    if entries.len() < 2 || !entries.iter().all(|e| matches!(e.index, PyJson::Str(_))) {
        return;
    }
    out.push(
        ctx.on_value(
            &INDEX_NOT_NUMBER,
            KEY,
            format!("{KEY}: every index is text, so the entries are sorted alphabetically (\"10\" before \"2\")"),
        )
        .help("write the indices as numbers"),
    );
}

fn class_paths(ctx: &LintContext, entries: &[Entry], out: &mut Vec<Finding>) {
    for entry in entries {
        let problem = match entry.class {
            PyJson::Str(class) if dotted_path(class) => continue,
            PyJson::Str(class) => format!("`{class}` is not a dotted Python path"),
            _ => "the class is not text".to_string(),
        };
        let finding = Finding::new(
            &CLASS_PATH,
            format!("{KEY}: {problem}; Django cannot import it and OMERO.web serves no page"),
        )
        .key(KEY)
        .help("name the class with its full path, e.g. `whitenoise.middleware.WhiteNoiseMiddleware`");
        out.push(ctx.at_item(KEY, entry.position, "not importable", finding));
    }
}

/// `package.module.Class`: at least two identifiers joined by dots.
fn dotted_path(text: &str) -> bool {
    let identifier = |part: &str| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || c == '_')
    };
    text.contains('.') && text.split('.').all(identifier)
}

/// An index as Python's `==` compares it, for a set of the indexes seen:
/// `1`, `1.0` and `True` are one. `None` for a value with no such form
/// (NaN equals nothing; lists and dicts are compared one by one).
fn index_key(index: &PyJson) -> Option<String> {
    match index {
        PyJson::Int(text) => Some(text.clone()),
        PyJson::Bool(b) => Some(u8::from(*b).to_string()),
        // `+ 0.0` turns -0.0 into 0.0, which Python compares equal to 0.
        PyJson::Float(f) if f.is_finite() && f.fract() == 0.0 => Some(format!("{:.0}", f + 0.0)),
        PyJson::Float(f) if !f.is_nan() => Some(format!("float:{f}")),
        PyJson::Str(s) => Some(format!("str:{s}")),
        PyJson::Null => Some("None".to_string()),
        _ => None,
    }
}

fn duplicates(ctx: &LintContext, entries: &[Entry], out: &mut Vec<Finding>) {
    let default_classes: Vec<String> = default_classes(ctx);
    // The first entry of each class and of each index: a set, not a search
    // of every earlier entry (20 000 entries took minutes).
    let mut classes: HashMap<&str, &Entry> = HashMap::new();
    let mut indexes: HashMap<String, &Entry> = HashMap::new();
    for (n, later) in entries.iter().enumerate() {
        let key = index_key(later.index);
        let clash = match &key {
            Some(key) => indexes.get(key).copied(),
            None => entries[..n].iter().find(|e| e.index.py_eq(later.index)),
        };
        if let Some(key) = key {
            indexes.entry(key).or_insert(later);
        }
        let PyJson::Str(class) = later.class else { continue };
        let earlier = classes.get(class.as_str()).copied();
        classes.entry(class.as_str()).or_insert(later);
        if let Some(first) = earlier {
            let identical = first.index.py_eq(later.index);
            let in_default = if default_classes.contains(class) {
                "; OMERO.web's default list already has it"
            } else {
                ""
            };
            let fix = identical
                .then(|| ctx.drop_item_fix(KEY, later.position, format!("drop the repeated {class} entry")))
                .flatten();
            let mut finding = Finding::new(
                &DUPLICATE_CLASS,
                format!("{KEY}: `{class}` is listed twice, so Django runs it twice on every request{in_default}"),
            )
            .key(KEY)
            .help(if identical {
                "remove the repeated entry"
            } else {
                "keep one entry, at the index you mean"
            })
            .fix(fix);
            finding = ctx.at_item(KEY, later.position, "listed again here", finding);
            if let Some(span) = ctx.item_span(KEY, first.position) {
                finding = finding.related(span, "first listed here");
            }
            out.push(finding);
            continue;
        }
        if let Some(other) = clash {
            let other_class = match other.class {
                PyJson::Str(c) => c.as_str(),
                _ => "another entry",
            };
            let finding = Finding::new(
                &DUPLICATE_INDEX,
                format!("{KEY}: `{class}` has the same index as `{other_class}`; their order follows the list, not the index"),
            )
            .key(KEY)
            .help("give each entry its own index");
            out.push(ctx.at_item(KEY, later.position, "same index", finding));
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => format!(
            "{} and {}",
            rest.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "),
            last.as_ref()
        ),
    }
}

fn default_classes(ctx: &LintContext) -> Vec<String> {
    default_entries(ctx).into_iter().map(|(_, class)| class).collect()
}

/// OMERO.web's default list for the release: each entry's index (as JSON
/// text) and class.
fn default_entries(ctx: &LintContext) -> Vec<(String, String)> {
    let default = ctx
        .property(KEY)
        .and_then(|p| p.default_in(ctx.release()).as_str().map(str::to_string));
    let Some(Ok(PyJson::Array(items))) = default.as_deref().map(crate::python::json::loads) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let PyJson::Object(members) = item else { return None };
            let get = |name: &str| members.iter().find(|(k, _)| k == name).map(|(_, v)| v);
            match (get("index"), get("class")) {
                (Some(index), Some(PyJson::Str(class))) => Some((crate::python::json::dumps(index), class.clone())),
                _ => None,
            }
        })
        .collect()
}

/// Django's MIDDLEWARE as settings.py derives it: a stable sort on `index`.
fn sorted_classes(entries: &[Entry]) -> Vec<String> {
    let key = |e: &Entry| -> (f64, String) {
        match e.index {
            PyJson::Int(text) => (text.parse().unwrap_or(0.0), String::new()),
            PyJson::Float(f) => (*f, String::new()),
            PyJson::Bool(b) => (f64::from(u8::from(*b)), String::new()),
            PyJson::Str(s) => (0.0, s.clone()),
            _ => (0.0, String::new()),
        }
    };
    let mut order: Vec<&Entry> = entries.iter().collect();
    order.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.total_cmp(&kb.0).then_with(|| ka.1.cmp(&kb.1))
    });
    order
        .into_iter()
        .filter_map(|e| match e.class {
            PyJson::Str(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

fn cors(ctx: &LintContext, order: &[String], out: &mut Vec<Finding>) {
    let position = |class: &str| order.iter().position(|c| c == class);
    if let Some(at) = position(CORS).filter(|at| *at > 0) {
        out.push(
            ctx.on_value(
                &CORS_ORDER,
                KEY,
                format!(
                    "{KEY}: CorsMiddleware runs after `{}`, whose responses then lack CORS headers",
                    order[at - 1]
                ),
            )
            .help("give CorsMiddleware the lowest index"),
        );
    }
    let post_csrf = position(CORS_POST_CSRF);
    if let (Some(post), Some(csrf)) = (post_csrf, position(CSRF)) {
        if post < csrf {
            out.push(
                ctx.on_value(
                    &CORS_ORDER,
                    KEY,
                    format!("{KEY}: CorsPostCsrfMiddleware runs before Django's CSRF check (`{CSRF}`)"),
                )
                .help("give CorsPostCsrfMiddleware an index above CsrfViewMiddleware's"),
            );
        }
    }
    let whitelist = matches!(ctx.json(WHITELIST), Some(PyJson::Array(items)) if !items.is_empty());
    let allow_all = ctx.flag(ALLOW_ALL);
    let installed = position(CORS).is_some();
    if (whitelist || allow_all) && !installed {
        let key = if allow_all { ALLOW_ALL } else { WHITELIST };
        out.push(
            ctx.on_value(
                &CORS_WITHOUT_MIDDLEWARE,
                key,
                format!("{key} has no effect: {CORS} is not in {KEY}"),
            )
            .help(format!(
                "append {{\"index\": 0.5, \"class\": \"{CORS}\"}} to {KEY} and \"corsheaders\" to omero.web.apps"
            )),
        );
    }
    if installed && !whitelist && !allow_all {
        out.push(
            ctx.on_value(
                &CORS_MIDDLEWARE_UNUSED,
                KEY,
                format!("{KEY}: CorsMiddleware is installed but {WHITELIST} is empty, so it allows no origin"),
            )
            .help(format!(
                "list the allowed origins in {WHITELIST}, or remove the middleware"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{codes, findings};

    const DEFAULT_PLUS: &str = r#"[{"index": 1, "class": "django.middleware.common.BrokenLinkEmailsMiddleware"}, {"index": 2, "class": "django.middleware.common.CommonMiddleware"}, {"index": 3, "class": "django.contrib.sessions.middleware.SessionMiddleware"}, {"index": 4, "class": "django.middleware.csrf.CsrfViewMiddleware"}, {"index": 5, "class": "django.contrib.messages.middleware.MessageMiddleware"}, {"index": 6, "class": "django.middleware.clickjacking.XFrameOptionsMiddleware"}"#;

    fn middleware(extra: &str) -> String {
        format!("omero.web.middleware={DEFAULT_PLUS}{extra}]\n")
    }

    const WHITENOISE: &str = r#", {"index": 0, "class": "whitenoise.middleware.WhiteNoiseMiddleware"}"#;

    #[test]
    fn incomplete_entries_stop_omero_web() {
        let found = findings(r#"omero.web.middleware=[{"class": "a.B"}, {"index": 1, "class": "c.D"}]"#);
        let mw: Vec<_> = found.iter().filter(|f| f.code() == "MW001").collect();
        assert_eq!(mw.len(), 1, "{found:?}");
        assert!(mw[0].message.contains("entry 1 has no \"index\""), "{}", mw[0].message);
        // The middleware family owns this case: no second finding from the type checks.
        assert!(!found.iter().any(|f| f.code() == "TY007"), "{found:?}");
        assert!(codes(&middleware(WHITENOISE), "MW").is_empty());
    }

    #[test]
    fn index_types() {
        let mixed = findings(r#"omero.web.middleware=[{"index": "1", "class": "a.B"}, {"index": 2, "class": "c.D"}]"#);
        assert!(mixed.iter().any(|f| f.code() == "MW010" && f.blocks_start()));
        let text =
            findings(r#"omero.web.middleware=[{"index": "10", "class": "a.B"}, {"index": "2", "class": "c.D"}]"#);
        assert!(text
            .iter()
            .any(|f| f.code() == "MW002" && f.severity == crate::diagnostic::Severity::Warning));
        assert!(!codes(
            r#"omero.web.middleware=[{"index": 0.5, "class": "a.B"}, {"index": 2, "class": "c.D"}]"#,
            "MW"
        )
        .contains(&"MW002"));
    }

    #[test]
    fn duplicate_class_is_fixable_when_identical() {
        let text = middleware(&format!("{WHITENOISE}{WHITENOISE}"));
        let found = findings(&text);
        let dup = found.iter().find(|f| f.code() == "MW003").expect("reported");
        let fix = dup.fix.as_ref().expect("identical entries can be dropped");
        let fixed = crate::edit::apply(&text, &fix.edits).expect("applies");
        assert_eq!(fixed, middleware(WHITENOISE));
        assert_eq!(dup.related.len(), 1, "points at the first entry too");
        // Not identical: reported, no fix; a single entry: nothing.
        let moved = middleware(&format!(
            "{WHITENOISE}, {{\"index\": 9, \"class\": \"whitenoise.middleware.WhiteNoiseMiddleware\"}}"
        ));
        let found = findings(&moved);
        assert!(found.iter().any(|f| f.code() == "MW003" && f.fix.is_none()));
        assert!(!codes(&middleware(WHITENOISE), "MW").contains(&"MW003"));
    }

    #[test]
    fn duplicate_of_a_default_class() {
        let text = middleware(r#", {"index": 7, "class": "django.middleware.common.CommonMiddleware"}"#);
        let found = findings(&text);
        assert!(found
            .iter()
            .any(|f| f.code() == "MW003" && f.message.contains("default list already has it")));
    }

    #[test]
    fn indexes_equal_as_python_compares_them_share_a_key() {
        use super::{index_key, PyJson};
        let one = index_key(&PyJson::Int("1".into()));
        assert!(one.is_some());
        assert_eq!(index_key(&PyJson::Float(1.0)), one);
        assert_eq!(index_key(&PyJson::Bool(true)), one);
        assert_eq!(index_key(&PyJson::Float(-0.0)), index_key(&PyJson::Int("0".into())));
        assert_ne!(index_key(&PyJson::Float(1.5)), one);
        assert_ne!(index_key(&PyJson::Str("1".into())), one);
        assert_eq!(index_key(&PyJson::Float(f64::NAN)), None);
    }

    #[test]
    fn duplicate_index() {
        let text = middleware(
            r#", {"index": 0, "class": "whitenoise.middleware.WhiteNoiseMiddleware"}, {"index": 0, "class": "x.Y"}"#,
        );
        assert!(codes(&text, "MW").contains(&"MW004"));
        assert!(!codes(&middleware(WHITENOISE), "MW").contains(&"MW004"));
    }

    #[test]
    fn cors_order_and_settings() {
        let cors_late = middleware(&format!(
            "{WHITENOISE}, {{\"index\": 0.5, \"class\": \"corsheaders.middleware.CorsMiddleware\"}}"
        ));
        let with_origins = format!("{cors_late}omero.web.cors_origin_whitelist=[\"https://viewer.example.org\"]\n");
        assert_eq!(codes(&with_origins, "MW"), vec!["MW005"]);
        let cors_first = middleware(
            r#", {"index": 0, "class": "corsheaders.middleware.CorsMiddleware"}, {"index": 9, "class": "corsheaders.middleware.CorsPostCsrfMiddleware"}"#,
        );
        let ok = format!("{cors_first}omero.web.cors_origin_allow_all=false\nomero.web.cors_origin_whitelist=[\"https://viewer.example.org\"]\n");
        assert!(codes(&ok, "MW").is_empty(), "{:?}", codes(&ok, "MW"));
        let post_early = middleware(
            r#", {"index": 0, "class": "corsheaders.middleware.CorsMiddleware"}, {"index": 3.5, "class": "corsheaders.middleware.CorsPostCsrfMiddleware"}"#,
        );
        assert!(codes(&format!("{post_early}omero.web.cors_origin_allow_all=true\n"), "MW").contains(&"MW005"));
        // After the CSRF check is all it needs, last or not.
        let post_middle = middleware(
            r#", {"index": 0, "class": "corsheaders.middleware.CorsMiddleware"}, {"index": 5.5, "class": "corsheaders.middleware.CorsPostCsrfMiddleware"}"#,
        );
        assert!(!codes(&format!("{post_middle}omero.web.cors_origin_allow_all=true\n"), "MW").contains(&"MW005"));
        // Settings without middleware, and the reverse.
        assert!(codes("omero.web.cors_origin_whitelist=[\"https://a.example.org\"]\n", "MW").contains(&"MW007"));
        assert!(codes(&cors_first, "MW").contains(&"MW008"));
        assert!(codes("omero.web.cors_origin_whitelist=[]\n", "MW").is_empty());
    }

    #[test]
    fn class_paths() {
        let bad = middleware(r#", {"index": 0, "class": "whitenoise"}, {"index": 8, "class": "my app.Middleware"}"#);
        let found = findings(&bad);
        assert_eq!(found.iter().filter(|f| f.code() == "MW006").count(), 2);
        assert!(!codes(&middleware(WHITENOISE), "MW").contains(&"MW006"));
    }

    #[test]
    fn the_default_list_is_clean() {
        assert!(codes("omero.web.debug=false\n", "MW").is_empty());
    }

    #[test]
    fn a_list_set_whole_must_keep_session_csrf_and_common() {
        let whitenoise_only = format!("omero.web.middleware=[{}]\n", &WHITENOISE[2..]);
        let found = findings(&whitenoise_only);
        let mw = found.iter().find(|f| f.code() == "MW009").expect("MW009 reported");
        assert_eq!(mw.severity, crate::diagnostic::Severity::Error);
        assert!(
            mw.message
                .contains("lacks SessionMiddleware, CsrfViewMiddleware and CommonMiddleware"),
            "{}",
            mw.message
        );
        let help = mw.help.as_deref().unwrap_or_default();
        assert!(
            help.contains(r#"{"index": 3, "class": "django.contrib.sessions.middleware.SessionMiddleware"}"#),
            "{help}"
        );
        // The session kept: the rest is a warning.
        let session_only =
            r#"omero.web.middleware=[{"index": 3, "class": "django.contrib.sessions.middleware.SessionMiddleware"}]"#;
        let found = findings(session_only);
        let mw = found.iter().find(|f| f.code() == "MW009").expect("MW009 reported");
        assert_eq!(mw.severity, crate::diagnostic::Severity::Warning);
        // The default list, with additions, is fine.
        assert!(!codes(&middleware(WHITENOISE), "MW").contains(&"MW009"));
    }
}

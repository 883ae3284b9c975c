//! The URL prefix, the static URL and custom templates: values that load
//! but put OMERO.web somewhere nginx, gunicorn or Django do not look.

use super::LintContext;
use crate::diagnostic::{Finding, Rule, Severity::*};
use crate::python::json::PyJson;

pub static PREFIX_LEADING_SLASH: Rule = Rule {
    code: "PA001",
    name: "prefix-without-leading-slash",
    severity: Error,
    summary: "`omero.web.prefix` does not start with `/`",
    explanation: "The prefix is the path OMERO.web is served under. Gunicorn removes it from the \
start of each request path, and `omero web config nginx` writes it into a `location`; a prefix \
without the leading `/` matches no request, so every page fails.",
    example: "omero config set omero.web.prefix omero",
    fixed_example: "omero config set omero.web.prefix /omero",
    fix: false,
    blocks_start: false,
};

pub static PREFIX_TRAILING_SLASH: Rule = Rule {
    code: "PA002",
    name: "prefix-trailing-slash",
    severity: Error,
    summary: "`omero.web.prefix` ends with `/`",
    explanation: "`omero web start` hands the prefix to gunicorn as SCRIPT_NAME as written. With \
`/omero/`, gunicorn cuts `/omero/` from `/omero/webclient/` and Django receives `webclient/` \
without its leading slash, which matches no URL; `/omero` itself is rejected. A prefix of just \
`/` gives nginx a `location` without a path. Write the prefix without the trailing slash, or \
remove it to serve OMERO.web at the root. `--fix` removes the trailing slashes.",
    example: "omero config set omero.web.prefix /omero/",
    fixed_example: "omero config set omero.web.prefix /omero",
    fix: true,
    blocks_start: false,
};

pub static STATIC_URL_OUTSIDE_PREFIX: Rule = Rule {
    code: "PA003",
    name: "static-url-outside-prefix",
    severity: Warning,
    summary: "OMERO.web runs under a prefix but its static files do not",
    explanation: "The prefix does not move `omero.web.static_url`: pages under `/omero` still \
link their scripts and styles at `/static/`, outside the prefix. nginx configurations that \
forward only the prefix (a shared host, `omero web config nginx-location`) then serve no static \
files. Put the static URL under the prefix; OMERO adds a missing trailing `/` itself.",
    example: "omero config set omero.web.prefix /omero",
    fixed_example: "omero config set omero.web.prefix /omero\nomero config set omero.web.static_url /omero/static/",
    fix: false,
    blocks_start: false,
};

pub static TEMPLATE_WITHOUT_DIRS: Rule = Rule {
    code: "PA004",
    name: "template-without-template-dirs",
    severity: Warning,
    summary: "A custom template is named but `omero.web.template_dirs` is empty",
    explanation: "`omero.web.index_template` and `omero.web.base_include_template` name Django \
templates, which Django looks for in `omero.web.template_dirs` and in the installed apps. With no \
template directory, a template of your own is not found: the custom index silently falls back \
to OMERO's page.",
    example: "omero config set omero.web.index_template mysite/index.html",
    fixed_example: "omero config set omero.web.template_dirs '[\"/opt/omero/web/templates\"]'\n\
omero config set omero.web.index_template mysite/index.html",
    fix: false,
    blocks_start: false,
};

const PREFIX: &str = "omero.web.prefix";
const OLD_PREFIX: &str = "omero.web.force_script_name";
const STATIC_URL: &str = "omero.web.static_url";
const TEMPLATE_DIRS: &str = "omero.web.template_dirs";
const INDEX_TEMPLATE: &str = "omero.web.index_template";

/// The key that gives OMERO.web its prefix: `prefix`, else the deprecated
/// `force_script_name`, which OMERO still honours while `prefix` is unset.
fn prefix_key(ctx: &LintContext) -> Option<&'static str> {
    [PREFIX, OLD_PREFIX].into_iter().find(|k| ctx.is_set(k))
}

/// The prefix request paths start with (Django strips trailing slashes),
/// `None` when OMERO.web is served at the root.
pub fn effective_prefix(ctx: &LintContext) -> Option<String> {
    let raw = ctx.config.get(prefix_key(ctx)?)?;
    let trimmed = raw.trim_end_matches('/');
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

pub static STATIC_URL_EMPTY: Rule = Rule {
    code: "PA005",
    name: "static-url-empty",
    severity: Error,
    summary: "`omero.web.static_url` is empty",
    explanation: "Django's static files need their own URL. OMERO.web leaves Django's \
`MEDIA_URL` empty, so an empty `omero.web.static_url` equals it, and Django's static files \
check raises ImproperlyConfigured (\"The MEDIA_URL and STATIC_URL settings must have different \
values\"): OMERO.web does not start.",
    example: "omero config set omero.web.static_url ''",
    fixed_example: "omero config set omero.web.static_url /static/",
    fix: false,
    blocks_start: true,
};

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    prefix(ctx, out);
    static_url(ctx, out);
    if ctx.config.get(STATIC_URL).is_some_and(str::is_empty) {
        out.push(
            ctx.on_value(
                &STATIC_URL_EMPTY,
                STATIC_URL,
                format!("{STATIC_URL} is empty, the same as Django's MEDIA_URL, which Django refuses"),
            )
            .help(format!(
                "omero config set {STATIC_URL} /static/ (or remove it for the default)"
            )),
        );
    }
    templates(ctx, out);
}

fn prefix(ctx: &LintContext, out: &mut Vec<Finding>) {
    let Some(key) = prefix_key(ctx) else { return };
    let Some(raw) = ctx.config.get(key) else { return };
    if raw.is_empty() {
        return;
    }
    if !raw.starts_with('/') {
        out.push(
            ctx.on_value(
                &PREFIX_LEADING_SLASH,
                key,
                format!("{key}: `{raw}` does not start with `/`, so no request path matches it"),
            )
            .help(format!("write `/{raw}`")),
        );
    }
    if raw.ends_with('/') {
        let trimmed = raw.trim_end_matches('/');
        let (message, fix) = if trimmed.is_empty() {
            (
                "`/` gives nginx a `location` without a path; remove the property to serve OMERO.web at the root"
                    .to_string(),
                None,
            )
        } else {
            (
                format!("`{raw}` ends with `/`: gunicorn strips it from request paths and Django then matches no URL"),
                ctx.value_fix(key, trimmed.len()..raw.len(), "", format!("write {key} as `{trimmed}`")),
            )
        };
        out.push(
            ctx.on_value(&PREFIX_TRAILING_SLASH, key, format!("{key}: {message}"))
                .help(if trimmed.is_empty() {
                    format!("remove {key}")
                } else {
                    format!("write `{trimmed}`")
                })
                .fix(fix),
        );
    }
}

fn static_url(ctx: &LintContext, out: &mut Vec<Finding>) {
    let Some(prefix) = effective_prefix(ctx).filter(|p| p.starts_with('/')) else {
        return;
    };
    let Some(url) = ctx.effective(STATIC_URL) else { return };
    // A CDN or another host is a deliberate choice.
    if url.contains("://") || url.starts_with("//") || url.is_empty() {
        return;
    }
    let with_slash = if url.ends_with('/') {
        url.clone()
    } else {
        format!("{url}/")
    };
    if with_slash.starts_with(&format!("{prefix}/")) {
        return;
    }
    let finding = Finding::new(
        &STATIC_URL_OUTSIDE_PREFIX,
        format!("OMERO.web runs under `{prefix}` but links its static files at `{with_slash}`, outside the prefix"),
    )
    .key(STATIC_URL)
    .help(format!("omero config set {STATIC_URL} {prefix}/static/"));
    let located = if ctx.is_set(STATIC_URL) {
        STATIC_URL
    } else {
        prefix_key(ctx).unwrap_or(PREFIX)
    };
    out.push(ctx.at_value(located, finding));
}

fn templates(ctx: &LintContext, out: &mut Vec<Finding>) {
    let dirs = matches!(ctx.json(TEMPLATE_DIRS), Some(PyJson::Array(items)) if !items.is_empty());
    if dirs {
        return;
    }
    let apps: Vec<String> = match ctx.json("omero.web.apps") {
        Some(PyJson::Array(items)) => items
            .iter()
            .filter_map(|i| if let PyJson::Str(s) = i { Some(s.clone()) } else { None })
            .collect(),
        _ => Vec::new(),
    };
    // Templates shipped by OMERO.web itself or by an installed app are found without template_dirs.
    let shipped = |name: &str| {
        let folder = name.split('/').next().unwrap_or_default();
        ["webclient", "webgateway", "webadmin", "webredirect", "feedback"].contains(&folder)
            || apps.iter().any(|a| a == folder)
    };
    for key in [INDEX_TEMPLATE, "omero.web.base_include_template"] {
        let Some(name) = ctx.config.get(key).filter(|n| !n.is_empty()) else {
            continue;
        };
        if shipped(name) {
            continue;
        }
        out.push(
            ctx.on_value(
                &TEMPLATE_WITHOUT_DIRS,
                key,
                format!("{key}: Django cannot find `{name}` because {TEMPLATE_DIRS} is empty"),
            )
            .help(format!("add the directory that holds `{name}` to {TEMPLATE_DIRS}")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{codes, findings};

    #[test]
    fn an_empty_static_url_stops_django() {
        let found = super::super::testing::findings("omero.web.static_url=\n");
        let empty: Vec<_> = found.iter().filter(|f| f.code() == "PA005").collect();
        assert!(empty.len() == 1 && empty[0].blocks_start(), "{found:?}");
        assert!(codes("omero.web.static_url=/static/\n", "PA").is_empty());
    }

    #[test]
    fn prefix_slashes() {
        assert_eq!(
            codes("omero.web.prefix=omero\nomero.web.static_url=omero/static/\n", "PA"),
            vec!["PA001"]
        );
        let text = "omero.web.prefix=/omero/\nomero.web.static_url=/omero/static/\n";
        let found = findings(text);
        let trailing = found.iter().find(|f| f.code() == "PA002").expect("reported");
        let fixed = crate::edit::apply(text, &trailing.fix.as_ref().expect("fixable").edits).expect("applies");
        assert_eq!(fixed, "omero.web.prefix=/omero\nomero.web.static_url=/omero/static/\n");
        let root = findings("omero.web.prefix=/\n");
        assert!(root.iter().any(|f| f.code() == "PA002" && f.fix.is_none()));
        assert!(codes("omero.web.prefix=/omero\nomero.web.static_url=/omero/static/\n", "PA").is_empty());
    }

    #[test]
    fn deprecated_prefix_key_counts_while_prefix_is_unset() {
        assert!(codes(
            "omero.web.force_script_name=/omero/\nomero.web.static_url=/omero/static/\n",
            "PA"
        )
        .contains(&"PA002"));
    }

    #[test]
    fn static_url_under_the_prefix() {
        assert_eq!(codes("omero.web.prefix=/omero\n", "PA"), vec!["PA003"]);
        assert_eq!(
            codes("omero.web.prefix=/omero\nomero.web.static_url=/static/\n", "PA"),
            vec!["PA003"]
        );
        // OMERO appends the missing slash itself; a CDN is deliberate.
        assert!(codes("omero.web.prefix=/omero\nomero.web.static_url=/omero/static\n", "PA").is_empty());
        assert!(codes(
            "omero.web.prefix=/omero\nomero.web.static_url=https://cdn.example.org/omero/\n",
            "PA"
        )
        .is_empty());
        assert!(codes(
            "omero.web.prefix=/omero-test\nomero.web.static_url=/omero/static/\n",
            "PA"
        )
        .contains(&"PA003"));
    }

    #[test]
    fn templates_need_template_dirs() {
        assert_eq!(
            codes("omero.web.index_template=mysite/index.html\n", "PA"),
            vec!["PA004"]
        );
        let with_dirs =
            "omero.web.template_dirs=[\"/opt/omero/web/templates\"]\nomero.web.index_template=mysite/index.html\n";
        assert!(codes(with_dirs, "PA").is_empty());
        let from_app = "omero.web.apps=[\"omero_gallery\"]\nomero.web.base_include_template=omero_gallery/base.html\n";
        assert!(codes(from_app, "PA").is_empty());
        // Without index_template the custom index shows OMERO's own page: it works.
        let redirect = "omero.web.login_redirect={\"redirect\": [\"webindex\"], \"viewname\": \"webindex_custom\"}\n";
        assert!(codes(redirect, "PA").is_empty());
    }
}

//! Judged against the virtualenv OMERO.web runs in (`lint --venv`): every
//! module the configuration makes Django or gunicorn import must be there,
//! and the apps installed should accept the installed omero-web and Django.

use super::LintContext;
use crate::catalog::catalog;
use crate::diagnostic::{Finding, Rule, Severity::*};
use crate::python::json::PyJson;
use crate::venv::{self, Venv};

pub static NOT_IMPORTABLE: Rule = Rule {
    code: "IS003",
    name: "module-not-installed",
    severity: Error,
    summary: "The configuration names a module the virtualenv cannot import",
    explanation: "Django imports every `omero.web.apps` entry, middleware class, cache backend, \
session engine and serializer when OMERO.web starts, and gunicorn imports gevent for the gevent \
worker class. A module missing from the virtualenv stops OMERO.web with `ModuleNotFoundError` \
(or fails every request). Install the distribution named, or remove the entry. omeroconf reads \
the virtualenv's files (`--venv`) and runs nothing.",
    example: "# with --venv tests/fixtures/venv\nomero config append omero.web.apps '\"omero_figure\"'",
    fixed_example: "# with --venv tests/fixtures/venv\nomero config append omero.web.apps '\"omero_iviewer\"'",
    fix: false,
    blocks_start: true,
};

pub static REQUIREMENT_EXCLUDES: Rule = Rule {
    code: "IS004",
    name: "app-requirement-excludes",
    severity: Warning,
    summary: "An installed app declares it does not support the installed omero-web or Django",
    explanation: "The app's `Requires-Dist` range (its wheel's METADATA) excludes the omero-web or \
Django installed beside it, which pip allows when packages are installed one by one or with \
`--no-deps`. The app may still work, but its authors have not tested it with that release; \
upgrade the app or check its release notes.",
    example: "# with --venv tests/fixtures/venv\nomero config append omero.web.apps '\"omero_mapr\"'",
    fixed_example: "# with --venv tests/fixtures/venv\nomero config append omero.web.apps '\"omero_iviewer\"'",
    fix: false,
    blocks_start: false,
};

pub static APP_NOT_LISTED: Rule = Rule {
    code: "IS005",
    name: "installed-app-not-listed",
    severity: Warning,
    summary: "A setting of an app that is installed but not in `omero.web.apps`",
    explanation: "An app's settings are read by the app itself when Django loads it. The app is \
installed in the virtualenv but `omero.web.apps` does not list it, so OMERO.web never loads it and \
the setting does nothing. Add the app to `omero.web.apps`, or remove the setting.",
    example: "# with --venv tests/fixtures/venv\nomero config set omero.web.apps '[]'\nomero config set omero.web.iviewer.roi_page_size 500",
    fixed_example: "# with --venv tests/fixtures/venv\nomero config set omero.web.apps '[\"omero_iviewer\"]'\nomero config set omero.web.iviewer.roi_page_size 500",
    fix: false,
    blocks_start: false,
};

/// Apps whose settings another app reads when it is listed: omero-gallery
/// imports `omero_mapr.mapr_settings` whenever omero-mapr is installed.
const READ_BY: [(&str, &str); 1] = [("omero_mapr", "omero_gallery")];

/// Top-level modules of distributions the configuration often names,
/// beside the catalog's apps.
const DISTRIBUTIONS: [(&str, &str); 8] = [
    ("corsheaders", "django-cors-headers"),
    ("whitenoise", "whitenoise"),
    ("django_redis", "django-redis"),
    ("pymemcache", "pymemcache"),
    ("gevent", "gevent"),
    ("django", "Django"),
    ("omeroweb", "omero-web"),
    ("redis", "redis"),
];

fn distribution_of(module: &str) -> Option<String> {
    let top = module.split('.').next().unwrap_or(module);
    catalog()
        .apps
        .iter()
        .find(|a| a.module.split('.').next() == Some(top))
        .map(|a| a.distribution.clone())
        .or_else(|| {
            DISTRIBUTIONS
                .iter()
                .find(|(m, _)| *m == top)
                .map(|(_, d)| d.to_string())
        })
}

/// The module part of a dotted class path (`whitenoise.middleware.WhiteNoiseMiddleware`).
fn module_of(class: &str) -> &str {
    class.rsplit_once('.').map_or(class, |(module, _)| module)
}

/// What the configuration makes Python import: (key, list index, module, what it is).
fn imported(ctx: &LintContext) -> Vec<(&'static str, Option<usize>, String, &'static str)> {
    let mut out = Vec::new();
    if let Some(PyJson::Array(apps)) = ctx.json("omero.web.apps") {
        for (i, app) in apps.iter().enumerate() {
            if let PyJson::Str(name) = app {
                out.push(("omero.web.apps", Some(i), name.clone(), "app"));
            }
        }
    }
    if let Some(PyJson::Array(entries)) = ctx.json("omero.web.middleware") {
        for (i, entry) in entries.iter().enumerate() {
            let class = match entry {
                PyJson::Object(fields) => fields.iter().find(|(k, _)| k == "class").map(|(_, v)| v),
                _ => None,
            };
            if let Some(PyJson::Str(class)) = class {
                out.push((
                    "omero.web.middleware",
                    Some(i),
                    module_of(class).to_string(),
                    "middleware",
                ));
            }
        }
    }
    if let Some(PyJson::Object(caches)) = ctx.json("omero.web.caches") {
        for (_, cache) in caches {
            let PyJson::Object(fields) = cache else { continue };
            if let Some((_, PyJson::Str(backend))) = fields.iter().find(|(k, _)| k == "BACKEND") {
                out.push((
                    "omero.web.caches",
                    None,
                    module_of(backend).to_string(),
                    "cache backend",
                ));
            }
        }
    }
    if let Some(engine) = ctx.effective("omero.web.session_engine") {
        out.push((
            "omero.web.session_engine",
            None,
            engine.trim().to_string(),
            "session engine",
        ));
    }
    if let Some(serializer) = ctx.effective("omero.web.session_serializer") {
        let module = module_of(serializer.trim()).to_string();
        out.push(("omero.web.session_serializer", None, module, "session serializer"));
    }
    if ctx.effective("omero.web.wsgi_worker_class").as_deref().map(str::trim) == Some("gevent") {
        out.push((
            "omero.web.wsgi_worker_class",
            None,
            "gevent".to_string(),
            "gunicorn worker class",
        ));
    }
    out
}

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    let Some(venv) = ctx.options.venv.as_deref() else {
        return;
    };
    let mut reported: Vec<String> = Vec::new();
    for (key, index, module, what) in imported(ctx) {
        let importable = if what == "app" {
            venv::app_importable(venv, &module)
        } else {
            venv.importable(&module)
        };
        // One finding per missing distribution: its other modules fail for the same reason.
        let top = module.split('.').next().unwrap_or(&module).to_string();
        if importable || module.is_empty() || reported.contains(&top) {
            continue;
        }
        let top_missing = !venv.importable(&top);
        if top_missing {
            reported.push(top.clone());
        }
        let help = match distribution_of(&module) {
            Some(dist) if top_missing => format!("install {dist} into the virtualenv (pip install {dist})"),
            Some(dist) => format!("{module} is not in the installed {dist}: check the name against its release"),
            None => format!("install the distribution that provides {top}, or remove the entry"),
        };
        let message =
            format!("{key}: the {what} {module} cannot be imported from the virtualenv: OMERO.web will not start");
        let finding = Finding::new(&NOT_IMPORTABLE, message).key(key).help(help);
        out.push(match index {
            Some(i) => ctx.at_item(key, i, "not installed", finding),
            None => ctx.at_value(key, finding),
        });
    }
    excluded_requirements(ctx, venv, out);
    unlisted_apps(ctx, venv, out);
}

/// IS005: settings of catalog apps installed in the virtualenv that a
/// complete `omero.web.apps` does not list.
fn unlisted_apps(ctx: &LintContext, venv: &Venv, out: &mut Vec<Finding>) {
    if !super::apps::apps_list_complete(ctx) {
        return;
    }
    let listed: Vec<String> = match ctx.json("omero.web.apps") {
        Some(PyJson::Array(apps)) => apps
            .iter()
            .filter_map(|a| match a {
                PyJson::Str(name) => name.split('.').next().map(String::from),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    for key in ctx.config.entries.keys() {
        let Some(app) = ctx.property(key).and_then(|p| p.app.as_deref()) else {
            continue;
        };
        let top = app.split('.').next().unwrap_or(app);
        let read_by_listed = READ_BY
            .iter()
            .any(|(owner, reader)| *owner == top && listed.iter().any(|l| l == reader));
        if listed.iter().any(|l| l == top) || read_by_listed || !venv.importable(app) {
            continue;
        }
        let message =
            format!("{key} belongs to {app}, which is installed but not in omero.web.apps: OMERO.web ignores it");
        let finding = Finding::new(&APP_NOT_LISTED, message)
            .key(key.as_str())
            .help(format!("add \"{app}\" to omero.web.apps, or remove the setting"));
        out.push(ctx.at_key(key, finding));
    }
}

/// IS004: listed apps whose `Requires-Dist` excludes the installed omero-web or Django.
fn excluded_requirements(ctx: &LintContext, venv: &Venv, out: &mut Vec<Finding>) {
    let Some(PyJson::Array(apps)) = ctx.json("omero.web.apps") else {
        return;
    };
    for (i, app) in apps.iter().enumerate() {
        let PyJson::Str(name) = app else { continue };
        let top = name.split('.').next().unwrap_or(name);
        let Some(dist) = venv.distributions.iter().find(|d| d.modules.iter().any(|m| m == top)) else {
            continue;
        };
        for line in &dist.requires {
            let Some((required, specifier)) = venv::requirement(line) else {
                continue;
            };
            let Some(installed) = ["omero-web", "django"]
                .iter()
                .find(|n| venv::normalise(required) == **n)
                .and_then(|n| venv.distribution(n))
            else {
                continue;
            };
            if venv::satisfies(&installed.version, specifier) != Some(false) {
                continue;
            }
            let message = format!(
                "{} {} requires {required}{specifier}, but {} {} is installed",
                dist.name, dist.version, installed.name, installed.version
            );
            let finding = Finding::new(&REQUIREMENT_EXCLUDES, message)
                .key("omero.web.apps")
                .help(format!(
                    "upgrade {} to a release that supports {} {}",
                    dist.name, installed.name, installed.version
                ));
            out.push(ctx.at_item("omero.web.apps", i, "installed app", finding));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::findings_with;
    use super::super::Options;
    use crate::catalog::catalog;
    use crate::venv::Venv;
    use std::path::Path;
    use std::sync::Arc;

    fn fixture() -> Options {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/venv");
        let venv = Venv::read(&dir).expect("the fixture virtualenv reads");
        Options {
            venv: Some(Arc::new(venv)),
            ..Default::default()
        }
    }

    fn found(text: &str) -> Vec<(String, String)> {
        findings_with(text, catalog().latest, &fixture())
            .iter()
            .filter(|f| f.code().starts_with("IS"))
            .map(|f| (f.code().to_string(), f.message.clone()))
            .collect()
    }

    #[test]
    fn every_imported_module_is_checked() {
        let text = r#"omero.web.apps=["omero_iviewer", "omero_figure", "omero_iviewer.apps.Config"]
omero.web.middleware=[{"index": 0.5, "class": "corsheaders.middleware.CorsMiddleware"}, {"index": 7, "class": "whitenoise.middleware.WhiteNoiseMiddleware"}]
omero.web.caches={"default": {"BACKEND": "django_redis.cache.RedisCache"}}
omero.web.session_engine=django.contrib.sessions.backends.cache
omero.web.wsgi_worker_class=gevent
"#;
        let found = found(text);
        let missing = [
            "omero_figure",
            "corsheaders.middleware",
            "whitenoise.middleware",
            "django_redis.cache",
            "gevent",
        ];
        assert_eq!(found.len(), missing.len(), "{found:?}");
        for (module, (code, message)) in missing.iter().zip(&found) {
            assert_eq!(code, "IS003");
            assert!(message.contains(&format!(" {module} cannot be imported")), "{message}");
        }
    }

    #[test]
    fn settings_of_an_installed_app_that_is_not_listed() {
        let text = "omero.web.apps=[\"omero_iviewer\"]\nomero.web.mapr.config=[]\nomero.web.gallery.title=x\n";
        let found = found(text);
        // omero_gallery is not installed: its key is judged without the virtualenv.
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "IS005");
        assert!(
            found[0].1.starts_with("omero.web.mapr.config belongs to omero_mapr"),
            "{found:?}"
        );
        // A script that only appends may be one of several that build the list.
        let script = crate::source::script::parse(
            "s.sh",
            "omero config append omero.web.apps '\"omero_iviewer\"'\nomero config set omero.web.mapr.config '[]'\n",
            &Default::default(),
        );
        let config = crate::resolve::resolve(&script, catalog().latest);
        let found = super::super::check_with(&script, &config, &fixture());
        assert!(found.iter().all(|f| f.code() != "IS005"), "{found:?}");
    }

    #[test]
    fn without_a_virtualenv_nothing_is_judged() {
        let text = "omero.web.apps=[\"omero_figure\"]\n";
        let plain = findings_with(text, catalog().latest, &Options::default());
        assert!(plain.iter().all(|f| !f.code().starts_with("IS")));
    }

    #[test]
    fn an_app_requiring_another_omero_web() {
        let found = found("omero.web.apps=[\"omero_mapr\"]\nomero.web.mapr.config=[]\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "IS004");
        assert!(found[0].1.contains("requires omero-web<5.27"), "{found:?}");
    }
}

//! The behaviours of OMERO, gunicorn and Django that the lint rules rely on,
//! as recorded by scripts/record/rule_facts.py (tests/fixtures/rules/facts.json),
//! and the rules' verdicts on the same inputs.

use omeroconf::catalog::catalog;
use omeroconf::diagnostic::{Finding, Severity};
use omeroconf::lint::{lint, Filter};
use omeroconf::python::json;
use omeroconf::rules::middleware;
use omeroconf::source::properties;

fn facts() -> serde_json::Value {
    let text = include_str!("fixtures/rules/facts.json");
    serde_json::from_str(text).unwrap_or_default()
}

fn findings(text: &str) -> Vec<Finding> {
    lint(
        properties::parse("web.properties", text),
        catalog().latest,
        &Filter::default(),
    )
    .findings
}

fn has(findings: &[Finding], code: &str, severity: Severity) -> bool {
    findings.iter().any(|f| f.code() == code && f.severity == severity)
}

#[test]
fn appending_a_middleware_twice_lists_it_twice() {
    let facts = facts();
    let fact = &facts["middleware_appended_twice"];
    let stored = fact["stored"]["omero.web.middleware"].as_str().unwrap_or_default();
    let omero: Vec<&str> = fact["derived_middleware"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        omero
            .iter()
            .filter(|c| **c == "whitenoise.middleware.WhiteNoiseMiddleware")
            .count(),
        2
    );
    // omeroconf derives the same Django MIDDLEWARE and reports the repetition.
    let ours = json::loads(stored)
        .ok()
        .as_ref()
        .and_then(middleware::derived)
        .unwrap_or_default();
    assert_eq!(ours, omero);
    let found = findings(&format!("omero.web.middleware={stored}\n"));
    let dup = found.iter().find(|f| f.code() == "MW003").expect("MW003 reported");
    assert!(dup.fix.is_some());
}

#[test]
fn a_trailing_slash_in_the_prefix_breaks_every_url() {
    let facts = facts();
    assert_eq!(facts["prefix_trailing_slash"]["gunicorn_script_name"], "/omero/");
    assert_eq!(facts["django"]["prefix_trailing_slash"]["resolves"], false);
    assert_eq!(facts["django"]["prefix"]["resolves"], true);
    let text = facts["prefix_trailing_slash"]["properties"]
        .as_str()
        .unwrap_or_default();
    assert!(has(&findings(text), "PA002", Severity::Error));
}

#[test]
fn request_paths_include_the_prefix() {
    let facts = facts();
    let path = facts["django"]["prefix"]["path"].as_str().unwrap_or_default();
    assert_eq!(path, "/omero/webclient/");
    let public = "omero.web.prefix=/omero\nomero.web.static_url=/omero/static/\nomero.web.public.enabled=true\n\
omero.web.public.user=public\nomero.web.public.password=pw\n";
    assert!(has(
        &findings(&format!("{public}omero.web.public.url_filter=^/webclient/\n")),
        "PU008",
        Severity::Warning
    ));
    assert!(
        findings(&format!("{public}omero.web.public.url_filter=^/omero/webclient/$\n"))
            .iter()
            .all(|f| !f.code().starts_with("PU"))
    );
}

#[test]
fn django_5_2_no_longer_has_what_old_configurations_name() {
    let facts = facts();
    let django = &facts["django"];
    assert!(django["django_version"].as_str().is_some_and(|v| v.starts_with("5.2")));
    assert_eq!(django["pickle_serializer"], false);
    assert!(has(
        &findings("omero.web.session_serializer=django.contrib.sessions.serializers.PickleSerializer\n"),
        "VR001",
        Severity::Error
    ));
    assert_eq!(django["memcached_cache"], false);
    let memcached = "omero.web.caches={\"default\": {\"BACKEND\": \"django.core.cache.backends.memcached.MemcachedCache\", \"LOCATION\": \"127.0.0.1:11211\"}}\n";
    assert!(has(&findings(memcached), "SE003", Severity::Error));
    assert_eq!(django["staticfiles_storage_setting"], false);
    assert_eq!(facts["pipeline_staticfile_storage_setting"], "STATICFILES_STORAGE");
    assert!(has(
        &findings("omero.web.pipeline_staticfile_storage=pipeline.storage.PipelineManifestStorage\n"),
        "VR002",
        Severity::Warning
    ));
}

/// The real OMERO.web, asked with Django's test client: a list set whole
/// that drops the session middleware fails every page; one that keeps it
/// but drops CSRF and common middleware accepts a POST without a CSRF token
/// and answers 404 where a slash was missing. MW009 says so, as an error
/// and a warning; the default list passes.
#[test]
fn a_middleware_list_set_whole_drops_what_omero_web_needs() {
    let facts = facts();
    let cases = &facts["middleware_replaced"];
    let default = &cases["default"];
    assert_eq!(default["get_webclient"], 302);
    assert_eq!(default["get_webclient_login_without_slash"], 301);
    assert_eq!(default["post_logout_without_csrf_token"], 403);
    assert!(!findings("omero.web.debug=false\n").iter().any(|f| f.code() == "MW009"));

    let whitenoise = &cases["whitenoise_only"];
    assert_eq!(whitenoise["get_webclient"], "AttributeError");
    let stored = whitenoise["stored"].as_str().unwrap_or_default();
    assert!(has(
        &findings(&format!("omero.web.middleware={stored}\n")),
        "MW009",
        Severity::Error
    ));

    let session = &cases["session_and_messages_only"];
    assert_eq!(session["get_webclient"], 302);
    assert_eq!(session["get_webclient_login_without_slash"], 404);
    assert_eq!(session["post_logout_without_csrf_token"], 302);
    let stored = session["stored"].as_str().unwrap_or_default();
    let found = findings(&format!("omero.web.middleware={stored}\n"));
    assert!(has(&found, "MW009", Severity::Warning), "{found:?}");
    assert!(!has(&found, "MW009", Severity::Error), "{found:?}");
}

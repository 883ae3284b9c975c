//! Values whose meaning depends on the release: settings that the Django
//! of the target release (the catalog's requirement data) no longer has.

use super::LintContext;
use crate::catalog::{catalog, DjangoFrom, Version};
use crate::diagnostic::{Finding, Rule, Severity::*};

pub static PICKLE_SERIALIZER: Rule = Rule {
    code: "VR001",
    name: "pickle-serializer",
    severity: Error,
    summary: "Sessions use PickleSerializer, which Django 5 removed",
    explanation: "Django 5.0 removed `django.contrib.sessions.serializers.PickleSerializer`. \
OMERO.web 5.31.0 and later require Django 5.2, so a configuration that still names it cannot \
load any session (an error); 5.30 runs on Django 4.2 or 5 (a warning); earlier releases use it \
by default, and setting it explicitly only blocks the upgrade (information). OMERO.web 5.30 \
switched its default to the JSON serializer.",
    example: "omero config set omero.web.session_serializer django.contrib.sessions.serializers.PickleSerializer",
    fixed_example: "omero config set omero.web.session_serializer django.contrib.sessions.serializers.JSONSerializer",
    fix: false,
    blocks_start: false,
};

pub static SETTING_WITHOUT_EFFECT: Rule = Rule {
    code: "VR002",
    name: "setting-without-effect",
    severity: Warning,
    summary: "A property whose Django setting the release's Django no longer reads",
    explanation: "`omero.web.pipeline_staticfile_storage` sets Django's `STATICFILES_STORAGE`, \
which Django 5.1 removed in favour of `STORAGES`. OMERO.web 5.31.0 and later run on Django 5.2 \
and still map the property only to the old name, so the value has no effect.",
    example: "# OMERO.web 5.33\nomero config set omero.web.pipeline_staticfile_storage pipeline.storage.PipelineManifestStorage",
    fixed_example: "# OMERO.web 5.33\nomero config set omero.web.pipeline_staticfile_storage",
    fix: false,
    blocks_start: false,
};

pub(crate) const SERIALIZER: &str = "omero.web.session_serializer";
pub(crate) const PICKLE: &str = "django.contrib.sessions.serializers.PickleSerializer";
const STORAGE: &str = "omero.web.pipeline_staticfile_storage";

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    let release = ctx.release();
    let django = |version| catalog().django_from(release, version);
    if ctx.is_set(SERIALIZER) && ctx.config.get(SERIALIZER).map(str::trim) == Some(PICKLE) {
        let (severity, why) = match django(Version(5, 0, 0)) {
            DjangoFrom::Always => (
                Error,
                format!("OMERO.web {release} runs on Django 5, which has no PickleSerializer: no session can load"),
            ),
            DjangoFrom::Possibly => (
                Warning,
                format!("OMERO.web {release} may run on Django 5, which has no PickleSerializer"),
            ),
            DjangoFrom::Never => (
                Info,
                "Django 5 removed PickleSerializer; switch before upgrading to OMERO.web 5.31 or later".to_string(),
            ),
        };
        // Before Django 5 the switch only costs every user a login: not an upgrade's business.
        let fix = ctx
            .successor_fix(SERIALIZER)
            .filter(|_| severity != Info)
            .map(|f| f.upgrade_only());
        out.push(
            ctx.on_value(&PICKLE_SERIALIZER, SERIALIZER, format!("{SERIALIZER}: {why}"))
                .severity(severity)
                .help("use django.contrib.sessions.serializers.JSONSerializer (users log in again once)")
                .fix(fix),
        );
    }
    if ctx.is_set(STORAGE) && django(Version(5, 1, 0)) == DjangoFrom::Always {
        out.push(ctx.on_key(&SETTING_WITHOUT_EFFECT, STORAGE, format!("{STORAGE} has no effect: OMERO.web {release} runs on Django 5.2, which no longer reads STATICFILES_STORAGE"))
            .help("remove it; configure Django's STORAGES through omero.web.django_additional_settings if you need another storage"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{codes_of, findings_with};
    use crate::catalog::{catalog, Version};
    use crate::diagnostic::Severity;

    const PICKLE: &str = "omero.web.session_serializer=django.contrib.sessions.serializers.PickleSerializer\n";

    fn severities(text: &str, release: Version) -> Vec<(&'static str, Severity)> {
        findings_with(text, release, &Default::default())
            .iter()
            .filter(|f| f.code().starts_with("VR"))
            .map(|f| (f.code(), f.severity))
            .collect()
    }

    #[test]
    fn pickle_serializer_by_release() {
        assert_eq!(severities(PICKLE, catalog().latest), vec![("VR001", Severity::Error)]);
        assert_eq!(
            severities(PICKLE, Version(5, 30, 0)),
            vec![("VR001", Severity::Warning)]
        );
        assert_eq!(severities(PICKLE, Version(5, 29, 3)), vec![("VR001", Severity::Info)]);
        let json = "omero.web.session_serializer=django.contrib.sessions.serializers.JSONSerializer\n";
        assert!(severities(json, catalog().latest).is_empty());
        // The 5.29 default is pickle; unset is no finding.
        assert!(severities("omero.web.debug=false\n", Version(5, 29, 3)).is_empty());
    }

    #[test]
    fn staticfile_storage_without_effect_on_django_5_2() {
        let text = "omero.web.pipeline_staticfile_storage=pipeline.storage.PipelineManifestStorage\n";
        assert_eq!(
            codes_of(&findings_with(text, catalog().latest, &Default::default()), "VR"),
            vec!["VR002"]
        );
        assert!(codes_of(&findings_with(text, Version(5, 29, 3), &Default::default()), "VR").is_empty());
    }
}

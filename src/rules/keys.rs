//! Property names: unknown keys, deprecated keys, and keys the target
//! release does not have. OMERO.web itself never reports any of these.

use super::LintContext;
use crate::catalog::catalog;
use crate::diagnostic::{Finding, Rule, Severity::*};
use crate::document::Format;

pub static UNKNOWN_KEY: Rule = Rule {
    code: "KY001",
    name: "unknown-key",
    severity: Warning,
    summary: "A property no OMERO.web release, app or OMERO.server reads",
    explanation: "OMERO.web silently ignores keys it does not know, so a misspelt key looks \
accepted while the setting keeps its default. Keys outside `omero.web.*` that omeroconf does not \
know are reported only when they look like a misspelt OMERO.web key, or, as information, in a \
container that runs OMERO.web alone; OMERO.server's keys are fine in a file that configures both.",
    example: "omero config set omero.web.sesion_cookie_age 3600",
    fixed_example: "omero config set omero.web.session_cookie_age 3600",
    fix: false,
    blocks_start: false,
};

pub static DEPRECATED_HONOURED: Rule = Rule {
    code: "KY002",
    name: "deprecated-key",
    severity: Warning,
    summary: "A deprecated key that OMERO.web still honours",
    explanation: "OMERO.web still feeds this deprecated key's value to its successor, but only \
while the successor is unset, and it may drop the old key in any release. Rename it; `--fix` \
does so while the successor is unset, which keeps the behaviour unchanged.",
    example: "omero config set omero.web.force_script_name /omero",
    fixed_example: "omero config set omero.web.prefix /omero",
    fix: true,
    blocks_start: false,
};

pub static DEPRECATED_IGNORED: Rule = Rule {
    code: "KY003",
    name: "deprecated-key-ignored",
    severity: Warning,
    summary: "A deprecated key that OMERO.web silently ignores",
    explanation: "OMERO.web declares this key deprecated and never uses its value: the setting \
you meant has no effect. Set the successor key instead (for the e-mail keys, the `omero.mail.*` \
keys).",
    example: "omero config set omero.web.email_host smtp.example.org",
    fixed_example: "omero config set omero.mail.host smtp.example.org",
    fix: false,
    blocks_start: false,
};

pub static NOT_IN_RELEASE: Rule = Rule {
    code: "KY004",
    name: "not-in-release",
    severity: Warning,
    summary: "A key the target OMERO.web release does not have",
    explanation: "The key was added in a later release or removed before the target release, so \
OMERO.web ignores it there. Check `--omero-web-version` or the upgrade notes.",
    example: "# linted for 5.21.0\nomero config set omero.web.csrf_trusted_origins '[\"https://omero.example.org\"]'",
    fixed_example: "# linted for 5.22.0 or later\nomero config set omero.web.csrf_trusted_origins '[\"https://omero.example.org\"]'",
    fix: false,
    blocks_start: false,
};

pub static DEPRECATED_VALUE: Rule = Rule {
    code: "KY005",
    name: "deprecated-value",
    severity: Warning,
    summary: "A value OMERO.web still accepts but has deprecated",
    explanation: "Some values of enumerated properties are kept only for old configurations: \
`omero.web.session_engine omeroweb.filesessionstore` behaves exactly like Django's file backend \
and is deprecated since 5.22.0. A later release may refuse it, and OMERO.web cannot start then. \
`--fix` writes the value that replaces it.",
    example: "omero config set omero.web.session_engine omeroweb.filesessionstore",
    fixed_example: "omero config set omero.web.session_engine django.contrib.sessions.backends.file",
    fix: true,
    blocks_start: false,
};

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    deprecated_values(ctx, out);
    let release = ctx.config.release;
    let app_namespaces = super::apps::unknown_app_namespaces(ctx);
    for key in ctx.config.entries.keys() {
        let Some(property) = ctx.property(key) else {
            // omero-py's own bookkeeping, and the settings of listed apps
            // omeroconf does not know (AP003 says they are not checked).
            let owned_elsewhere =
                key.starts_with(OMERO_PY_KEYS) || app_namespaces.iter().any(|ns| key.starts_with(ns.as_str()));
            if let Some(finding) = unknown(ctx, key).filter(|_| !owned_elsewhere) {
                out.push(ctx.at_key(key, finding));
            }
            continue;
        };
        if !property.in_release(release) {
            let when = match (property.since, property.until) {
                (Some(since), _) if release < since => format!("was added in {since}"),
                (_, Some(until)) => format!("was removed in {until}"),
                _ => "is not part of it".to_string(),
            };
            out.push(
                ctx.at_key(
                    key,
                    Finding::new(&NOT_IN_RELEASE, format!("{key} {when}; OMERO.web {release} ignores it"))
                        .key(key)
                        .help("remove it, or lint for the release you run with `--omero-web-version`"),
                ),
            );
            continue;
        }
        if property.is_deprecated() {
            let successor = property.deprecated_by.as_deref();
            let finding = if property.deprecated_honoured {
                let successor_set = successor.is_some_and(|s| ctx.config.entries.contains_key(s));
                let effect = if successor_set {
                    "but the successor is also set and wins"
                } else {
                    "and still honoured"
                };
                // Renaming keeps the behaviour only while the successor is unset.
                let fix = successor
                    .filter(|_| !successor_set)
                    .and_then(|s| ctx.rename_fix(key, s, format!("rename {key} to {s}")));
                Finding::new(&DEPRECATED_HONOURED, format!("{key} is deprecated {effect}")).fix(fix)
            } else {
                Finding::new(
                    &DEPRECATED_IGNORED,
                    format!("{key} is deprecated and OMERO.web ignores its value"),
                )
            };
            let help = match successor {
                Some(s) => format!("use `{s}` instead"),
                None => "remove it; it has no effect".to_string(),
            };
            out.push(ctx.at_key(key, finding.key(key).help(help)));
        }
    }
}

fn deprecated_values(ctx: &LintContext, out: &mut Vec<Finding>) {
    for deprecated in &catalog().deprecated_values {
        let Some(value) = ctx.config.get(&deprecated.key) else {
            continue;
        };
        if value.trim() != deprecated.value || ctx.release() < deprecated.since {
            continue;
        }
        let whole = 0..value.len();
        let fix = ctx.value_fix(
            &deprecated.key,
            whole,
            &deprecated.successor,
            format!("replace {} with {}", deprecated.value, deprecated.successor),
        );
        out.push(
            ctx.on_value(
                &DEPRECATED_VALUE,
                &deprecated.key,
                format!(
                    "{}: `{}` is deprecated since {}; `{}` does the same",
                    deprecated.key, deprecated.value, deprecated.since, deprecated.successor
                ),
            )
            .help(format!("omero config set {} {}", deprecated.key, deprecated.successor))
            .fix(fix),
        );
    }
}

/// Keys omero-py writes for itself (`omero.config.version`, `omero.config.profile`).
const OMERO_PY_KEYS: &str = "omero.config.";

/// KY001 for a key no catalog entry describes, or `None` when the key is
/// another OMERO component's and nothing suggests a typo.
fn unknown(ctx: &LintContext, key: &str) -> Option<Finding> {
    if key.starts_with("omero.web.") {
        let suggestions = catalog().similar_keys(key);
        let help = match suggestions.as_slice() {
            [] => "check the spelling against `omeroconf explain omero.web.` keys".to_string(),
            [one] => format!("did you mean `{one}`?"),
            many => format!(
                "did you mean one of: {}?",
                many.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ),
        };
        let message = format!("{key} is not a known OMERO.web property; OMERO.web ignores it");
        return Some(Finding::new(&UNKNOWN_KEY, message).key(key).help(help));
    }
    if let Some(meant) = misplaced_web_key(key) {
        return Some(
            Finding::new(&UNKNOWN_KEY, format!("{key} is not read by OMERO.web"))
                .key(key)
                .help(format!("did you mean `{meant}`?")),
        );
    }
    // OMERO.server's keys (omero.db.*, omero.data.dir, ...) belong in a file
    // that configures both; only a container running OMERO.web alone makes
    // them worth a note.
    let web_only = ctx.document.format == Format::Compose;
    (!key.starts_with("omero.") || web_only).then(|| {
        Finding::new(&UNKNOWN_KEY, format!("{key} is not read by OMERO.web"))
            .severity(Info)
            .key(key)
            .help("OMERO.web ignores it; remove it if it was meant for OMERO.web")
    })
}

/// The OMERO.web key that a key outside `omero.web.` spells with the wrong
/// separators or without `web.` (`omero.web_check.version`,
/// `omero.application_server.port`).
fn misplaced_web_key(key: &str) -> Option<&'static str> {
    let folded = |k: &str| k.to_lowercase().replace('_', ".");
    let wanted = folded(key);
    let with_web = key
        .strip_prefix("omero.")
        .map(|rest| folded(&format!("omero.web.{rest}")));
    catalog()
        .properties
        .iter()
        .map(|p| p.key.as_str())
        .filter(|k| k.starts_with("omero.web."))
        .find(|k| folded(k) == wanted || Some(folded(k)) == with_web)
}

#[cfg(test)]
mod tests {
    use super::super::testing::findings;

    #[test]
    fn honoured_deprecated_key_is_renamed_while_the_successor_is_unset() {
        let text = "omero.web.force_script_name=/omero\n";
        let found = findings(text);
        let deprecated = found.iter().find(|f| f.code() == "KY002").expect("reported");
        let fix = deprecated.fix.as_ref().expect("renamable");
        assert_eq!(
            crate::edit::apply(text, &fix.edits).expect("applies"),
            "omero.web.prefix=/omero\n"
        );
        let both = findings("omero.web.force_script_name=/omero\nomero.web.prefix=/web\n");
        assert!(both.iter().any(|f| f.code() == "KY002" && f.fix.is_none()));
        let ignored = findings("omero.web.email_host=smtp.example.org\n");
        assert!(ignored.iter().any(|f| f.code() == "KY003" && f.fix.is_none()));
    }

    #[test]
    fn keys_of_a_listed_unknown_app_are_the_apps_business() {
        use super::super::testing::codes;
        // omero_oauth reads omero.web.oauth.*; ome_seadragon its own module name.
        let oauth = "omero.web.apps=[\"omero_oauth\"]\nomero.web.oauth.client.id=abc\n";
        assert!(codes(oauth, "KY").is_empty());
        let seadragon = "omero.web.apps=[\"ome_seadragon\"]\nomero.web.ome_seadragon.repository=/data\n";
        assert!(codes(seadragon, "KY").is_empty());
        // Not listed: OMERO.web ignores the key, a typo or a missing app.
        assert_eq!(codes("omero.web.oauth.client.id=abc\n", "KY"), vec!["KY001"]);
        // A known app's keys are still checked against the app's table.
        assert_eq!(
            codes(
                "omero.web.apps=[\"omero_iviewer\"]\nomero.web.iviewer.no_such_key=1\n",
                "KY"
            ),
            vec!["KY001"]
        );
        assert!(codes("omero.config.version=5.1.0\n", "KY").is_empty());
    }

    #[test]
    fn deprecated_values_have_their_successor() {
        use super::super::testing::{codes, findings, findings_with};
        let text = "omero.web.session_engine=omeroweb.filesessionstore\n";
        let found = findings(text);
        let finding = found.iter().find(|f| f.code() == "KY005").expect("reported");
        let fix = finding.fix.as_ref().expect("fixable");
        assert_eq!(
            crate::edit::apply(text, &fix.edits).expect("applies"),
            "omero.web.session_engine=django.contrib.sessions.backends.file\n"
        );
        // Not yet deprecated in 5.21.
        let old = findings_with(text, crate::catalog::Version(5, 21, 0), &Default::default());
        assert!(!old.iter().any(|f| f.code() == "KY005"));
        assert!(codes(
            "omero.web.session_engine=django.contrib.sessions.backends.cache\n",
            "KY"
        )
        .is_empty());
    }

    #[test]
    fn server_keys_are_fine_and_misplaced_web_keys_are_not() {
        use super::super::testing::findings;
        assert!(findings("omero.db.user=omero\nomero.data.dir=/OMERO\n").is_empty());
        for (key, meant) in [
            ("omero.application_server.port", "omero.web.application_server.port"),
            ("omero.web_check.version", "omero.web.check_version"),
        ] {
            let found = findings(&format!("{key}=1\n"));
            assert_eq!(found.len(), 1, "{key}");
            assert_eq!(found[0].severity, crate::diagnostic::Severity::Warning);
            assert_eq!(
                found[0].help.as_deref(),
                Some(format!("did you mean `{meant}`?").as_str())
            );
        }
        let other = findings("example.string=x\n");
        assert_eq!(other[0].severity, crate::diagnostic::Severity::Info);
    }
}

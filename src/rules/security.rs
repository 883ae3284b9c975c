//! Settings that make a working site unsafe: debug pages, cookies sent over
//! plain HTTP, origins Django cannot match, and secrets written into
//! scripts. OMERO's own defaults (`allowed_hosts ["*"]`, a secret key
//! generated into `var/django_secret_key`) are not findings on their own.

use super::LintContext;
use crate::catalog::{catalog, DjangoFrom, Version};
use crate::diagnostic::{Finding, Rule, Severity::*};
use crate::document::{Format, Value};
use crate::emit::runtime::truthy;
use crate::python::json::{self, PyJson};
use crate::secrets;

pub static DEBUG_ON: Rule = Rule {
    code: "SC001",
    name: "debug-on",
    severity: Warning,
    summary: "Django's debug mode is on",
    explanation: "With `omero.web.debug` true, every error page shows settings, paths and \
request data to whoever caused the error, and Django keeps every SQL query in memory. Use it \
only on a development machine.",
    example: "omero config set omero.web.debug true",
    fixed_example: "omero config set omero.web.debug false",
    fix: false,
    blocks_start: false,
};

pub static COOKIE_NOT_SECURE: Rule = Rule {
    code: "SC002",
    name: "cookie-not-secure",
    severity: Warning,
    summary: "The site is HTTPS but session or CSRF cookies may travel over plain HTTP",
    explanation: "`omero.web.secure_proxy_ssl_header` tells Django that nginx terminates HTTPS, \
and `https://` entries in `omero.web.csrf_trusted_origins` or `omero.web.cors_origin_whitelist` \
show the site is served over HTTPS. Then `omero.web.session_cookie_secure` and `omero.web.csrf_cookie_secure` should be true, so that \
browsers never send the cookies over plain HTTP. (`omero.web.secure` is something else: SSL \
between OMERO.web and OMERO.server.)",
    example: "omero config set omero.web.secure_proxy_ssl_header '[\"HTTP_X_FORWARDED_PROTO\", \"https\"]'",
    fixed_example: "omero config set omero.web.secure_proxy_ssl_header '[\"HTTP_X_FORWARDED_PROTO\", \"https\"]'\n\
omero config set omero.web.session_cookie_secure true\nomero config set omero.web.csrf_cookie_secure true",
    fix: false,
    blocks_start: false,
};

pub static SAMESITE_NONE_INSECURE: Rule = Rule {
    code: "SC003",
    name: "samesite-none-without-secure",
    severity: Error,
    summary: "A cookie with SameSite=None that is not marked Secure",
    explanation: "Browsers reject cookies with `SameSite=None` unless they are also `Secure`. \
With `omero.web.session_cookie_samesite None` (or the CSRF one) and the matching `*_secure` \
false, the browser drops the cookie, and logins or form posts fail.",
    example: "omero config set omero.web.session_cookie_samesite None",
    fixed_example:
        "omero config set omero.web.session_cookie_samesite None\nomero config set omero.web.session_cookie_secure true",
    fix: false,
    blocks_start: false,
};

pub static ORIGIN_WITHOUT_SCHEME: Rule = Rule {
    code: "SC004",
    name: "csrf-origin-without-scheme",
    severity: Error,
    summary: "A CSRF trusted origin without `https://`",
    explanation: "From Django 4.0 (required by OMERO.web 5.23.0 and later) each entry of \
`omero.web.csrf_trusted_origins` is a full origin such as `https://omero.example.org`; an entry \
without a scheme never matches, so form posts from that site fail the CSRF check.",
    example: "omero config set omero.web.csrf_trusted_origins '[\"omero.example.org\"]'",
    fixed_example: "omero config set omero.web.csrf_trusted_origins '[\"https://omero.example.org\"]'",
    fix: false,
    blocks_start: false,
};

pub static CORS_ALLOW_ALL: Rule = Rule {
    code: "SC005",
    name: "cors-allow-all",
    severity: Warning,
    summary: "Every web site may read OMERO.web's responses (CORS allow all)",
    explanation: "`omero.web.cors_origin_allow_all` true lets scripts on any web site read \
OMERO.web's answers in a visitor's browser. List the sites that need it in \
`omero.web.cors_origin_whitelist` instead.",
    example: "omero config set omero.web.cors_origin_allow_all true",
    fixed_example: "omero config set omero.web.cors_origin_whitelist '[\"https://viewer.example.org\"]'",
    fix: false,
    blocks_start: false,
};

pub static CLEAR_TEXT_SECRET: Rule = Rule {
    code: "SC006",
    name: "clear-text-secret",
    severity: Warning,
    summary: "A password or key is written in clear text in a script or Dockerfile",
    explanation: "Install scripts are kept in version control, copied between machines and shown \
in shell history; a password or secret key written into one is known to everyone who can read \
it, and one in a Dockerfile is also kept in every layer of the image built from it. Read it from \
the environment or from a file only the service account can read. The public \
user's password is not reported (it is shared with every visitor on purpose), nor are files that \
store configuration (`.omero`, properties, config.xml).",
    example: "omero config set omero.mail.password 'Sm7p-Pa55'",
    fixed_example: "omero config set omero.mail.password \"$OMERO_MAIL_PASSWORD\"",
    fix: false,
    blocks_start: false,
};

const SSL_HEADER: &str = "omero.web.secure_proxy_ssl_header";
const ORIGINS: &str = "omero.web.csrf_trusted_origins";
const CORS_ORIGINS: &str = "omero.web.cors_origin_whitelist";
const EXTRA: &str = "omero.web.django_additional_settings";

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    match django_setting(ctx, "DEBUG") {
        Some(value) if truthy(&value) => out.push(ctx.on_value(
            &DEBUG_ON,
            EXTRA,
            format!("{EXTRA} sets DEBUG: debug mode shows settings and request data on error pages"),
        )),
        Some(_) => {}
        None if ctx.flag("omero.web.debug") => out.push(
            ctx.on_value(
                &DEBUG_ON,
                "omero.web.debug",
                "debug mode shows settings and request data on error pages",
            )
            .help("omero config set omero.web.debug false"),
        ),
        None => {}
    }
    let https = https_evidence(ctx);
    for cookie in ["session", "csrf"] {
        let secure_key = format!("omero.web.{cookie}_cookie_secure");
        let setting = format!("{}_COOKIE_SECURE", cookie.to_ascii_uppercase());
        let secure = django_setting(ctx, &setting).map_or_else(|| ctx.flag(&secure_key), |v| truthy(&v));
        if let Some((evidence, why)) = https.as_ref().filter(|_| !secure) {
            let finding = Finding::new(
                &COOKIE_NOT_SECURE,
                format!("the site is HTTPS ({why}) but {secure_key} is false, so the {cookie} cookie may travel over plain HTTP"),
            )
            .key(secure_key.clone())
            .help(format!("omero config set {secure_key} true"));
            let at = if ctx.is_set(&secure_key) {
                secure_key.as_str()
            } else {
                evidence
            };
            out.push(ctx.at_value(at, finding));
        }
        let samesite_key = format!("omero.web.{cookie}_cookie_samesite");
        let none = ctx
            .config
            .get(&samesite_key)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("none"));
        if none && !secure {
            let message =
                format!("{samesite_key} is None but {secure_key} is false: browsers reject the {cookie} cookie");
            out.push(
                ctx.on_value(&SAMESITE_NONE_INSECURE, &samesite_key, message)
                    .help(format!("omero config set {secure_key} true (the site must be HTTPS)")),
            );
        }
    }
    origins(ctx, out);
    if ctx.flag("omero.web.cors_origin_allow_all") {
        out.push(
            ctx.on_value(
                &CORS_ALLOW_ALL,
                "omero.web.cors_origin_allow_all",
                "any web site may read OMERO.web's responses in a visitor's browser",
            )
            .help("list the allowed sites in omero.web.cors_origin_whitelist"),
        );
    }
    clear_text(ctx, out);
}

/// A Django setting as `omero.web.django_additional_settings` sets it: OMERO
/// applies each pair after its own settings, so the last pair wins.
fn django_setting(ctx: &LintContext, name: &str) -> Option<PyJson> {
    let Some(PyJson::Array(pairs)) = ctx.json(EXTRA) else {
        return None;
    };
    pairs.into_iter().rev().find_map(|pair| match pair {
        PyJson::Array(mut kv) if kv.len() == 2 && matches!(&kv[0], PyJson::Str(k) if k == name) => kv.pop(),
        _ => None,
    })
}

/// The key that shows the site is served over HTTPS, and how: nginx
/// terminating HTTPS (`secure_proxy_ssl_header`), or the site's own
/// `https://` origins for CSRF or CORS.
fn https_evidence(ctx: &LintContext) -> Option<(&'static str, String)> {
    if matches!(ctx.json(SSL_HEADER), Some(PyJson::Array(items)) if items.len() == 2) {
        return Some((SSL_HEADER, format!("{SSL_HEADER} is set")));
    }
    [ORIGINS, CORS_ORIGINS].into_iter().find_map(|key| {
        let Some(PyJson::Array(items)) = ctx.json(key) else {
            return None;
        };
        items.iter().find_map(|item| match item {
            PyJson::Str(origin) if origin.to_ascii_lowercase().starts_with("https://") => {
                Some((key, format!("{key} lists `{origin}`")))
            }
            _ => None,
        })
    })
}

fn origins(ctx: &LintContext, out: &mut Vec<Finding>) {
    let severity = match catalog().django_from(ctx.release(), Version(4, 0, 0)) {
        DjangoFrom::Always => Error,
        DjangoFrom::Possibly => Warning,
        // Django 3 compares host names, so an entry without a scheme is right there.
        DjangoFrom::Never => return,
    };
    let Some(PyJson::Array(items)) = ctx.json(ORIGINS) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let PyJson::Str(origin) = item else { continue };
        if origin.contains("://") {
            continue;
        }
        let finding = Finding::new(
            &ORIGIN_WITHOUT_SCHEME,
            format!("{ORIGINS}: `{origin}` has no scheme, so Django 4 and later never match it"),
        )
        .severity(severity)
        .key(ORIGINS)
        .help(format!("write `{}`", with_scheme(origin)));
        // Which scheme the site uses is the admin's call, except where Django 3's
        // host names surely stop working; with Django 3 an https:// entry would not match.
        let fix = (severity == Error)
            .then_some(())
            .and_then(|()| {
                ctx.replace_item_fix(
                    ORIGINS,
                    i,
                    &json::dumps(&PyJson::Str(with_scheme(origin))),
                    format!("write {origin} as {}", with_scheme(origin)),
                )
            })
            .map(|f| {
                f.upgrade_only()
                    .note(format!("{ORIGINS}: `{origin}` is now trusted over HTTPS only"))
            });
        out.push(ctx.at_item(ORIGINS, i, "no scheme", finding.fix(fix)));
    }
}

/// An origin as Django 4 reads it: a leading dot (Django 3's "this domain
/// and its subdomains") becomes a wildcard, as Django 4.0's release notes say.
fn with_scheme(origin: &str) -> String {
    match origin.strip_prefix('.') {
        Some(domain) => format!("https://*.{domain}"),
        None => format!("https://{origin}"),
    }
}

/// The public user's password: every visitor uses that account, and the
/// password is shared on purpose.
const PUBLIC_PASSWORD: &str = "omero.web.public.password";

/// Secrets whose text is in a script, literally or through a variable the
/// script assigns; a value from the environment is unknown here and fine.
/// Files that store configuration (`.omero`, properties, config.xml) hold
/// secrets by design.
fn clear_text(ctx: &LintContext, out: &mut Vec<Finding>) {
    let (place, readable_by, instead) = match ctx.document.format {
        Format::Script => (
            "the script",
            "readable by anyone who can read the script",
            "read it from the environment: omero config set {key} \"$SECRET_VARIABLE\"",
        ),
        Format::Dockerfile => (
            "the Dockerfile",
            "kept in every image built from it",
            "pass it when the container starts (`docker run -e CONFIG_...`, a compose secret or a mounted .omero file), not in the image",
        ),
        _ => return,
    };
    for op in &ctx.document.operations {
        let Some(Value::Known(value)) = &op.value else { continue };
        let shared_on_purpose = op.key == PUBLIC_PASSWORD;
        if value.is_empty() || value == secrets::MASK || !secrets::is_secret_key(&op.key) || shared_on_purpose {
            continue;
        }
        out.push(
            Finding::new(
                &CLEAR_TEXT_SECRET,
                format!("{} is written in clear text in {place}", op.key),
            )
            .key(op.key.clone())
            .at(op.value_span, readable_by)
            .help(instead.replace("{key}", &op.key)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{codes, findings, findings_with};
    use crate::catalog::{catalog, Version};
    use crate::diagnostic::Severity;
    use crate::document::{Document, Format, Operation, Span, Unknown, Value};
    use crate::lint::{lint, Filter};

    #[test]
    fn debug() {
        assert_eq!(codes("omero.web.debug=true\n", "SC"), vec!["SC001"]);
        assert!(codes("omero.web.debug=false\n", "SC").is_empty());
        // OMERO applies its extra Django settings last.
        let extra = "omero.web.django_additional_settings=[[\"DEBUG\", true]]\n";
        assert_eq!(codes(extra, "SC"), vec!["SC001"]);
        let off = "omero.web.debug=true\nomero.web.django_additional_settings=[[\"DEBUG\", 0]]\n";
        assert!(codes(off, "SC").is_empty());
    }

    #[test]
    fn cookies_behind_https() {
        let https = "omero.web.secure_proxy_ssl_header=[\"HTTP_X_FORWARDED_PROTO\", \"https\"]\n";
        assert_eq!(codes(https, "SC"), vec!["SC002", "SC002"]);
        let secure = format!("{https}omero.web.session_cookie_secure=true\nomero.web.csrf_cookie_secure=true\n");
        assert!(codes(&secure, "SC").is_empty());
        // `omero.web.secure` is SSL to OMERO.server, not HTTPS.
        assert!(codes("omero.web.secure=true\n", "SC").is_empty());
    }

    #[test]
    fn https_origins_show_the_site_is_https() {
        let csrf = "omero.web.csrf_trusted_origins=[\"https://omero.example.org\"]\n";
        assert_eq!(codes(csrf, "SC"), vec!["SC002", "SC002"]);
        let cors = "omero.web.cors_origin_whitelist=[\"HTTPS://viewer.example.org\"]\n";
        assert_eq!(codes(cors, "SC"), vec!["SC002", "SC002"]);
        let message = findings(csrf)
            .into_iter()
            .find(|f| f.code() == "SC002")
            .map(|f| f.message);
        assert!(message.is_some_and(|m| m.contains("lists `https://omero.example.org`")));
        // Plain HTTP origins say nothing about the site's own scheme.
        let http = "omero.web.csrf_trusted_origins=[\"http://omero.example.org\"]\n\
                    omero.web.cors_origin_whitelist=[\"http://viewer.example.org\"]\n";
        assert!(codes(http, "SC").is_empty());
        let secure = format!("{csrf}omero.web.session_cookie_secure=true\nomero.web.csrf_cookie_secure=true\n");
        assert!(codes(&secure, "SC").is_empty());
        let extra = format!("{csrf}omero.web.django_additional_settings=[[\"SESSION_COOKIE_SECURE\", true]]\n");
        let found = findings(&extra);
        let keys: Vec<_> = found
            .iter()
            .filter(|f| f.code() == "SC002")
            .filter_map(|f| f.key.as_deref())
            .collect();
        assert_eq!(keys, vec!["omero.web.csrf_cookie_secure"]);
    }

    #[test]
    fn samesite_none_needs_secure() {
        assert_eq!(codes("omero.web.session_cookie_samesite=None\n", "SC"), vec!["SC003"]);
        let ok = "omero.web.session_cookie_samesite=None\nomero.web.session_cookie_secure=true\n";
        assert!(codes(ok, "SC").is_empty());
        assert!(codes("omero.web.session_cookie_samesite=Strict\n", "SC").is_empty());
    }

    #[test]
    fn trusted_origins_need_a_scheme_from_django_4() {
        let text = "omero.web.csrf_trusted_origins=[\"https://a.example.org\", \"omero.example.org\"]\n";
        let found = findings(text);
        let origin = found.iter().find(|f| f.code() == "SC004").expect("reported");
        assert_eq!(origin.severity, Severity::Error);
        assert_eq!(&text[origin.span.expect("located").range()], "\"omero.example.org\"");
        let straddling = findings_with(text, Version(5, 22, 0), &Default::default());
        assert!(straddling
            .iter()
            .any(|f| f.code() == "SC004" && f.severity == Severity::Warning));
        assert!(codes(
            "omero.web.csrf_trusted_origins=[\"https://omero.example.org\"]\n",
            "SC004"
        )
        .is_empty());
    }

    #[test]
    fn cors_allow_all() {
        assert!(codes("omero.web.cors_origin_allow_all=true\n", "SC").contains(&"SC005"));
        assert!(codes("omero.web.cors_origin_allow_all=false\n", "SC").is_empty());
    }

    fn script(ops: Vec<Operation>) -> Document {
        let mut doc = Document::new("setup.sh", Format::Script, "x".repeat(64));
        doc.operations = ops;
        doc
    }

    #[test]
    fn clear_text_secrets_only_in_scripts() {
        let literal = Operation::set(
            "omero.mail.password",
            Span::new(0, 25),
            Value::Known("Sm7p-Pa55".into()),
            Span::new(26, 32),
        );
        let public = Operation::set(
            "omero.web.public.password",
            Span::new(0, 25),
            Value::Known("Pub1ic".into()),
            Span::new(26, 32),
        );
        let from_env = Operation::set(
            "omero.web.secret_key",
            Span::new(33, 53),
            Value::Unknown(Unknown::UnresolvedVariable("SECRET".into())),
            Span::new(54, 61),
        );
        let linted = lint(
            script(vec![literal.clone(), from_env]),
            catalog().latest,
            &Filter::default(),
        );
        let found: Vec<_> = linted.findings.iter().filter(|f| f.code() == "SC006").collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span, Some(Span::new(26, 32)));
        // The same value in a properties backup is what a backup is for.
        assert!(codes("omero.mail.password=Sm7p-Pa55\n", "SC").is_empty());
        // The public user's password is shared with every visitor on purpose.
        let shared = lint(script(vec![public]), catalog().latest, &Filter::default());
        assert!(!shared.findings.iter().any(|f| f.code() == "SC006"));
        // A Dockerfile's secret is baked into the image.
        let text = "FROM openmicroscopy/omero-web-standalone:5.33.2\nENV CONFIG_omero_web_secret__key=s3cr3t-k3y\n";
        let document = crate::formats::read("Dockerfile", text, Format::Dockerfile, &Default::default());
        let linted = lint(document, catalog().latest, &Filter::default());
        let found: Vec<_> = linted.findings.iter().filter(|f| f.code() == "SC006").collect();
        assert_eq!(found.len(), 1, "{:?}", linted.findings);
        assert!(found[0].message.ends_with("in the Dockerfile"), "{}", found[0].message);
    }
}

//! Sessions, caches, the application server and the OMERO.server list:
//! values that load but leave users unable to log in or stay logged in.

use super::LintContext;
use crate::catalog::{catalog, DjangoFrom, Version, PORT, SERVER_LIST, TCP_PORTS};
use crate::diagnostic::{Finding, Rule, Severity::*};
use crate::python::json::PyJson;

pub static SESSIONS_IN_LOCAL_CACHE: Rule = Rule {
    code: "SE001",
    name: "sessions-in-local-cache",
    severity: Warning,
    summary: "Sessions are stored in a cache that is not shared between workers",
    explanation: "With `omero.web.session_engine` set to Django's `cache` (or `cached_db`) \
backend, sessions live in the `default` entry of `omero.web.caches`. OMERO's default cache is \
Django's DummyCache, which stores nothing, so nobody stays logged in (an error); a LocMemCache \
lives inside one worker process, so users are logged out whenever a request reaches another \
worker. Use a shared cache such as Redis.",
    example: "omero config set omero.web.session_engine django.contrib.sessions.backends.cache",
    fixed_example: "omero config set omero.web.caches '{\"default\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \
\"LOCATION\": \"redis://127.0.0.1:6379/0\"}}'\nomero config set omero.web.session_engine django.contrib.sessions.backends.cache",
    fix: false,
    blocks_start: false,
};

pub static SESSIONS_NEED_DATABASE: Rule = Rule {
    code: "SE002",
    name: "sessions-need-database",
    severity: Error,
    summary: "Database-backed sessions without a database",
    explanation: "The `db` and `cached_db` session engines store sessions in Django's database, \
but OMERO.web configures none unless `omero.web.databases` says so; every login then fails. \
Use the default file engine, or a cache engine with a shared cache.",
    example: "omero config set omero.web.session_engine django.contrib.sessions.backends.db",
    fixed_example: "omero config set omero.web.session_engine django.contrib.sessions.backends.file",
    fix: false,
    blocks_start: false,
};

pub static OLD_CACHE_BACKEND: Rule = Rule {
    code: "SE003",
    name: "old-cache-backend",
    severity: Error,
    summary: "A cache backend or location the Django of this release rejects",
    explanation: "Older install guides used Django's `MemcachedCache` (removed in Django 4.1) and \
`host:port:db` locations for django-redis, which from django-redis 5 (OMERO.web 5.14) needs a \
`redis://` URL: errors where the release's Django or django-redis refuses them, warnings where \
they are only deprecated. `redis_cache.RedisCache` (django-redis-cache) still imports but is no \
longer maintained: a warning.",
    example: "omero config set omero.web.caches '{\"default\": {\"BACKEND\": \"django.core.cache.backends.memcached.MemcachedCache\", \"LOCATION\": \"127.0.0.1:11211\"}}'",
    fixed_example: "omero config set omero.web.caches '{\"default\": {\"BACKEND\": \"django.core.cache.backends.memcached.PyMemcacheCache\", \"LOCATION\": \"127.0.0.1:11211\"}}'",
    fix: false,
    blocks_start: true,
};

pub static DEVELOPMENT_SERVER: Rule = Rule {
    code: "SE004",
    name: "development-server",
    severity: Warning,
    summary: "OMERO.web runs Django's development server",
    explanation: "`omero.web.application_server development` makes `omero web start` run \
Django's `runserver` in the foreground, single-threaded and without gunicorn; it is meant for \
development only. Production sites use `wsgi-tcp` behind nginx (FastCGI, `fastcgi-tcp`, is no \
longer supported at all).",
    example: "omero config set omero.web.application_server development",
    fixed_example: "omero config set omero.web.application_server wsgi-tcp",
    fix: false,
    blocks_start: false,
};

pub static PORT_RANGE: Rule = Rule {
    code: "SE005",
    name: "port-out-of-range",
    severity: Error,
    summary: "A port outside 1–65535",
    explanation: "`omero.web.application_server.port` is the port gunicorn binds to, and the \
second item of each `omero.web.server_list` entry is the port of an OMERO.server. A TCP port is \
a number from 1 to 65535; anything else cannot be bound or reached.",
    example: "omero config set omero.web.application_server.port 80800",
    fixed_example: "omero config set omero.web.application_server.port 4080",
    fix: false,
    blocks_start: false,
};

pub static SERVER_LIST_EMPTY: Rule = Rule {
    code: "SE006",
    name: "server-list-empty",
    severity: Error,
    summary: "`omero.web.server_list` names no OMERO.server",
    explanation: "The login page offers the servers of `omero.web.server_list`. An empty list \
leaves nothing to log in to.",
    example: "omero config set omero.web.server_list '[]'",
    fixed_example: "omero config set omero.web.server_list '[[\"omero.example.org\", 4064, \"omero\"]]'",
    fix: false,
    blocks_start: false,
};

pub static PUBLIC_SERVER_ID: Rule = Rule {
    code: "SE007",
    name: "public-server-id",
    severity: Error,
    summary: "`omero.web.public.server_id` is not an entry of the server list",
    explanation: "The public user logs in to entry number `server_id` (counting from 1) of \
`omero.web.server_list`. A number outside the list leaves public access without a server.",
    example: "omero config set omero.web.public.enabled true\n\
omero config set omero.web.server_list '[[\"omero.example.org\", 4064, \"omero\"]]'\n\
omero config set omero.web.public.server_id 2",
    fixed_example: "omero config set omero.web.public.enabled true\n\
omero config set omero.web.server_list '[[\"omero.example.org\", 4064, \"omero\"]]'\n\
omero config set omero.web.public.server_id 1",
    fix: false,
    blocks_start: false,
};

const ENGINE: &str = "omero.web.session_engine";
const CACHES: &str = "omero.web.caches";

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    sessions(ctx, out);
    cache_backends(ctx, out);
    if ctx.config.get("omero.web.application_server") == Some("development") {
        out.push(
            ctx.on_value(
                &DEVELOPMENT_SERVER,
                "omero.web.application_server",
                "OMERO.web runs Django's single-threaded development server instead of gunicorn",
            )
            .help("use wsgi-tcp in production"),
        );
    }
    if let Some(port) = ctx.int(PORT).filter(|p| !TCP_PORTS.contains(p)) {
        out.push(
            ctx.on_value(&PORT_RANGE, PORT, format!("{PORT} is {port}; gunicorn cannot bind it"))
                .help("use a port from 1 to 65535"),
        );
    }
    server_list(ctx, out);
}

/// `BACKEND` and `LOCATION` of each cache alias.
fn caches(ctx: &LintContext) -> Vec<(String, String, Option<String>)> {
    let Some(PyJson::Object(aliases)) = ctx.json(CACHES) else {
        return Vec::new();
    };
    aliases
        .iter()
        .filter_map(|(alias, settings)| {
            let PyJson::Object(members) = settings else { return None };
            let text = |name: &str| {
                members.iter().find(|(k, _)| k == name).and_then(|(_, v)| {
                    if let PyJson::Str(s) = v {
                        Some(s.clone())
                    } else {
                        None
                    }
                })
            };
            Some((alias.clone(), text("BACKEND")?, text("LOCATION")))
        })
        .collect()
}

fn sessions(ctx: &LintContext, out: &mut Vec<Finding>) {
    let Some(engine) = ctx.effective(ENGINE) else { return };
    // `cached_db` reads through to the database, so only `cache` loses sessions.
    if engine.ends_with(".cache") {
        let default = caches(ctx).into_iter().find(|(alias, _, _)| alias == "default");
        let backend = default.map_or_else(String::new, |(_, backend, _)| backend);
        let problem = if backend.ends_with("DummyCache") || backend.is_empty() {
            Some((
                Error,
                "the default cache is Django's DummyCache, which stores nothing, so nobody stays logged in",
            ))
        } else if backend.ends_with("LocMemCache") {
            Some((Warning, "the default cache is a LocMemCache inside each worker, so users are logged out when another worker answers"))
        } else {
            None
        };
        if let Some((severity, why)) = problem {
            out.push(
                ctx.on_value(
                    &SESSIONS_IN_LOCAL_CACHE,
                    ENGINE,
                    format!("sessions are kept in the cache, but {why}"),
                )
                .severity(severity)
                .help(format!(
                    "configure a shared cache (e.g. django_redis with a redis:// URL) as \"default\" in {CACHES}"
                )),
            );
        }
    }
    let databases = matches!(ctx.json("omero.web.databases"), Some(PyJson::Object(members)) if !members.is_empty());
    if (engine.ends_with(".db") || engine.ends_with(".cached_db")) && !databases {
        out.push(
            ctx.on_value(
                &SESSIONS_NEED_DATABASE,
                ENGINE,
                format!("`{engine}` stores sessions in a database, but omero.web.databases defines none"),
            )
            .help("use django.contrib.sessions.backends.file, or a cache engine with a shared cache"),
        );
    }
}

/// An error where the release guarantees the software that rejects the
/// value, a warning where it only may.
fn rejected_from(rejecting: DjangoFrom) -> crate::diagnostic::Severity {
    if rejecting == DjangoFrom::Always {
        Error
    } else {
        Warning
    }
}

fn cache_backends(ctx: &LintContext, out: &mut Vec<Finding>) {
    let release = ctx.release();
    let django = |version| catalog().django_from(release, version);
    for (alias, backend, location) in caches(ctx) {
        let problem = match backend.as_str() {
            // A third-party backend that still imports with Django 5 (its
            // last release, 3.0.1, uses only stable Django APIs): it works,
            // but nobody maintains it.
            "redis_cache.RedisCache" | "redis_cache.cache.RedisCache" => Some((
                Warning,
                format!("`{backend}` is django-redis-cache, which is no longer maintained (last release 3.0.1)"),
                "use django_redis.cache.RedisCache with a redis:// URL".to_string(),
            )),
            "django.core.cache.backends.memcached.MemcachedCache" => Some((
                rejected_from(django(Version(4, 1, 0))),
                "Django removed MemcachedCache in 4.1".to_string(),
                "use django.core.cache.backends.memcached.PyMemcacheCache".to_string(),
            )),
            // OMERO.web's `redis` extra installs django-redis 5 from 5.14.0 on.
            "django_redis.cache.RedisCache" | "django.core.cache.backends.redis.RedisCache" => location
                .as_deref()
                .filter(|l| !["redis://", "rediss://", "unix://"].iter().any(|s| l.starts_with(s)))
                .map(|l| {
                    (
                        if release >= Version(5, 14, 0) { Error } else { Warning },
                        format!("the location `{l}` is not a redis:// URL, which django-redis 5 and Django require"),
                        format!("write it as {}", redis_url(l)),
                    )
                }),
            _ => None,
        };
        let Some((severity, why, help)) = problem else { continue };
        out.push(
            ctx.on_value(&OLD_CACHE_BACKEND, CACHES, format!("{CACHES}[\"{alias}\"]: {why}"))
                .severity(severity)
                .help(help),
        );
    }
}

/// A django-redis-cache `host:port:db` location as django-redis's URL.
pub fn redis_url(location: &str) -> String {
    format!("redis://{}", location.replace(':', "/").replacen('/', ":", 1))
}

fn server_list(ctx: &LintContext, out: &mut Vec<Finding>) {
    let Some(PyJson::Array(servers)) = ctx.json(SERVER_LIST) else {
        return;
    };
    if servers.is_empty() {
        out.push(
            ctx.on_value(
                &SERVER_LIST_EMPTY,
                SERVER_LIST,
                "the server list is empty, so the login page offers no OMERO.server",
            )
            .help("list at least one [host, port, name] entry"),
        );
        return;
    }
    for (i, server) in servers.iter().enumerate() {
        let PyJson::Array(parts) = server else { continue };
        let port = match parts.get(1) {
            Some(PyJson::Int(text)) => text.parse::<i64>().ok(),
            Some(PyJson::Str(text)) => crate::python::int::parse_int(text).ok().and_then(|t| t.parse().ok()),
            _ => None,
        };
        if let Some(port) = port.filter(|p| !TCP_PORTS.contains(p)) {
            let finding = Finding::new(
                &PORT_RANGE,
                format!(
                    "{SERVER_LIST}: entry {} has port {port}, which no server can listen on",
                    i + 1
                ),
            )
            .key(SERVER_LIST)
            .help("OMERO.server listens on 4064 (4063 without SSL) by default");
            out.push(ctx.at_item(SERVER_LIST, i, "port out of range", finding));
        }
    }
    if ctx.flag("omero.web.public.enabled") {
        let Some(id) = ctx.int("omero.web.public.server_id") else {
            return;
        };
        if id < 1 || id > servers.len() as i64 {
            let finding = Finding::new(
                &PUBLIC_SERVER_ID,
                format!(
                    "omero.web.public.server_id is {id}, but the server list has {} entr{}",
                    servers.len(),
                    if servers.len() == 1 { "y" } else { "ies" }
                ),
            )
            .key("omero.web.public.server_id")
            .help("server_id counts the entries of omero.web.server_list from 1");
            let key = if ctx.is_set("omero.web.public.server_id") {
                "omero.web.public.server_id"
            } else {
                SERVER_LIST
            };
            out.push(ctx.at_value(key, finding));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{codes, codes_of, findings, findings_with};
    use crate::catalog::Version;
    use crate::diagnostic::Severity;

    const CACHE_ENGINE: &str = "omero.web.session_engine=django.contrib.sessions.backends.cache\n";

    #[test]
    fn cache_sessions_need_a_shared_cache() {
        let dummy = findings(CACHE_ENGINE);
        assert!(dummy
            .iter()
            .any(|f| f.code() == "SE001" && f.severity == Severity::Error));
        let locmem = format!("{CACHE_ENGINE}omero.web.caches={{\"default\": {{\"BACKEND\": \"django.core.cache.backends.locmem.LocMemCache\"}}}}\n");
        assert!(findings(&locmem)
            .iter()
            .any(|f| f.code() == "SE001" && f.severity == Severity::Warning));
        let redis = format!("{CACHE_ENGINE}omero.web.caches={{\"default\": {{\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": \"redis://127.0.0.1:6379/0\"}}}}\n");
        assert!(codes(&redis, "SE").is_empty());
        assert!(codes(
            "omero.web.caches={\"default\": {\"BACKEND\": \"django.core.cache.backends.locmem.LocMemCache\"}}\n",
            "SE"
        )
        .is_empty());
    }

    #[test]
    fn database_sessions_need_a_database() {
        assert_eq!(
            codes("omero.web.session_engine=django.contrib.sessions.backends.db\n", "SE"),
            vec!["SE002"]
        );
        let with_db = "omero.web.session_engine=django.contrib.sessions.backends.db\nomero.web.databases={\"default\": {\"ENGINE\": \"django.db.backends.postgresql\", \"NAME\": \"omeroweb\"}}\n";
        assert!(codes(with_db, "SE").is_empty());
    }

    #[test]
    fn old_cache_backends_depend_on_the_release() {
        let memcached = "omero.web.caches={\"default\": {\"BACKEND\": \"django.core.cache.backends.memcached.MemcachedCache\", \"LOCATION\": \"127.0.0.1:11211\"}}\n";
        assert!(findings(memcached)
            .iter()
            .any(|f| f.code() == "SE003" && f.severity == Severity::Error));
        let old = findings_with(memcached, Version(5, 14, 0), &Default::default());
        assert!(old
            .iter()
            .any(|f| f.code() == "SE003" && f.severity == Severity::Warning));
        let host_port = "omero.web.caches={\"default\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": \"127.0.0.1:6379:0\"}}\n";
        let found = findings(host_port);
        let finding = found.iter().find(|f| f.code() == "SE003").expect("reported");
        assert!(
            finding
                .help
                .as_deref()
                .unwrap_or_default()
                .contains("redis://127.0.0.1:6379/0"),
            "{:?}",
            finding.help
        );
        assert!(codes("omero.web.caches={\"default\": {\"BACKEND\": \"redis_cache.RedisCache\", \"LOCATION\": \"127.0.0.1:6379\"}}\n", "SE").contains(&"SE003"));
        let current = "omero.web.caches={\"default\": {\"BACKEND\": \"django.core.cache.backends.memcached.PyMemcacheCache\", \"LOCATION\": \"127.0.0.1:11211\"}}\n";
        assert!(codes(current, "SE").is_empty());
    }

    #[test]
    fn application_server_and_ports() {
        assert_eq!(codes("omero.web.application_server=development\n", "SE"), vec!["SE004"]);
        assert!(codes("omero.web.application_server=wsgi-tcp\n", "SE").is_empty());
        assert_eq!(codes("omero.web.application_server.port=80800\n", "SE"), vec!["SE005"]);
        assert_eq!(
            codes(
                "omero.web.server_list=[[\"omero.example.org\", 70000, \"omero\"]]\n",
                "SE"
            ),
            vec!["SE005"]
        );
        assert!(codes(
            "omero.web.server_list=[[\"omero.example.org\", \"4064\", \"omero\"]]\n",
            "SE"
        )
        .is_empty());
    }

    #[test]
    fn server_list_and_public_server_id() {
        assert_eq!(codes("omero.web.server_list=[]\n", "SE"), vec!["SE006"]);
        let public = "omero.web.public.enabled=true\nomero.web.public.user=public\nomero.web.public.password=pw\nomero.web.public.url_filter=^/webclient/$\n";
        let two = format!(
            "{public}omero.web.server_list=[[\"a.example.org\", 4064, \"a\"], [\"b.example.org\", 4064, \"b\"]]\n"
        );
        assert!(!codes(&format!("{two}omero.web.public.server_id=2\n"), "SE").contains(&"SE007"));
        assert!(codes_of(&findings(&format!("{two}omero.web.public.server_id=3\n")), "SE").contains(&"SE007"));
        assert!(codes(&format!("{public}omero.web.public.server_id=2\n"), "SE").contains(&"SE007"));
        assert!(
            !codes("omero.web.public.server_id=2\n", "SE").contains(&"SE007"),
            "public access is off"
        );
    }
}

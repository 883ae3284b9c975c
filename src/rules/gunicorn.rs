//! The gunicorn command `omero web start` builds: worker counts, the flags
//! OMERO passes only for one worker class, timeouts, and `wsgi_args`, which
//! OMERO appends after its own flags and splits on whitespace. The number of
//! cores is only known when the user gives `--cores`.

use super::LintContext;
use crate::diagnostic::{Finding, Rule, Severity::*};

pub static WORKERS_FOR_CORES: Rule = Rule {
    code: "GU001",
    name: "workers-for-cores",
    severity: Warning,
    summary: "`wsgi_workers` does not fit the server's cores (given with --cores)",
    explanation: "Gunicorn's guideline is (2 × cores) + 1 workers. More workers than that compete \
for the CPU and each holds its own memory and OMERO sessions; far fewer leave cores idle. \
omeroconf only judges this when `--cores N` gives the core count of the server OMERO.web runs on.",
    example: "# omeroconf lint --cores 2\nomero config set omero.web.wsgi_workers 16",
    fixed_example: "# omeroconf lint --cores 2\nomero config set omero.web.wsgi_workers 5",
    fix: false,
    blocks_start: false,
};

pub static TOO_MANY_WORKERS: Rule = Rule {
    code: "GU002",
    name: "too-many-workers",
    severity: Info,
    summary: "More than 12 gunicorn workers",
    explanation: "Each OMERO.web worker is a separate process with its own memory, caches and \
connections to OMERO.server. Above 12 workers, memory rather than CPU usually limits the server. \
Without the server's core count this is only a note (13 is right for 6 cores); give `--cores N` \
to check the count against the actual machine.",
    example: "omero config set omero.web.wsgi_workers 32",
    fixed_example: "omero config set omero.web.wsgi_workers 9",
    fix: false,
    blocks_start: false,
};

pub static THREADS_IGNORED: Rule = Rule {
    code: "GU003",
    name: "threads-ignored",
    severity: Warning,
    summary: "`wsgi_threads` is set but the worker class is not sync",
    explanation: "`omero web start` passes `--threads` only to sync workers. With the gevent \
worker class the value is ignored; concurrency comes from `wsgi_worker_connections` instead.",
    example: "omero config set omero.web.wsgi_worker_class gevent\nomero config set omero.web.wsgi_threads 8",
    fixed_example:
        "omero config set omero.web.wsgi_worker_class gevent\nomero config set omero.web.wsgi_worker_connections 1000",
    fix: false,
    blocks_start: false,
};

pub static CONNECTIONS_IGNORED: Rule = Rule {
    code: "GU004",
    name: "worker-connections-ignored",
    severity: Warning,
    summary: "`wsgi_worker_connections` is set but the workers are sync",
    explanation: "`omero web start` passes `--worker-connections` only with the gevent worker \
class. Sync workers handle one request per thread, so the value has no effect; use \
`wsgi_threads` or switch to gevent.",
    example: "omero config set omero.web.wsgi_worker_connections 2000",
    fixed_example: "omero config set omero.web.wsgi_threads 4",
    fix: false,
    blocks_start: false,
};

pub static GEVENT_MAX_REQUESTS: Rule = Rule {
    code: "GU005",
    name: "gevent-max-requests",
    severity: Warning,
    summary: "gevent workers with `application_server.max_requests` other than 0",
    explanation: "A gevent worker serves many requests at once. When it reaches \
`max_requests` gunicorn restarts it, cutting off every request it is still serving, including \
long downloads. Use `max_requests 0` with gevent.",
    example: "omero config set omero.web.wsgi_worker_class gevent\nomero config set omero.web.application_server.max_requests 500",
    fixed_example: "omero config set omero.web.wsgi_worker_class gevent\nomero config set omero.web.application_server.max_requests 0",
    fix: false,
    blocks_start: false,
};

pub static TIMEOUT: Rule = Rule {
    code: "GU006",
    name: "wsgi-timeout",
    severity: Warning,
    summary: "`wsgi_timeout` is 0 or very short",
    explanation: "Gunicorn kills a worker that has been silent longer than the timeout. Below 30 \
seconds, large exports, downloads and figure renders are cut off; 0 disables the timeout, so a \
hung worker is never replaced. OMERO's default is 60.",
    example: "omero config set omero.web.wsgi_timeout 10",
    fixed_example: "omero config set omero.web.wsgi_timeout 60",
    fix: false,
    blocks_start: false,
};

pub static MAX_REQUESTS: Rule = Rule {
    code: "GU007",
    name: "max-requests-low",
    severity: Warning,
    summary: "`application_server.max_requests` restarts workers every few requests",
    explanation: "A worker is restarted after `max_requests` requests; below 100 the workers spend \
much of their time starting up and dropping their caches. Use 0 (never) or a value in the \
thousands.",
    example: "omero config set omero.web.application_server.max_requests 10",
    fixed_example: "omero config set omero.web.application_server.max_requests 5000",
    fix: false,
    blocks_start: false,
};

pub static NOT_POSITIVE: Rule = Rule {
    code: "GU008",
    name: "gunicorn-value-out-of-range",
    severity: Error,
    summary: "A negative gunicorn setting, or zero workers",
    explanation: "OMERO.web's `int()` accepts negative numbers, but gunicorn refuses negative \
values for workers, threads, worker connections, timeout and max requests and does not start. \
With 0 workers gunicorn starts but nothing serves requests.",
    example: "omero config set omero.web.wsgi_workers 0",
    fixed_example: "omero config set omero.web.wsgi_workers 5",
    fix: false,
    blocks_start: false,
};

pub static ARGS_MANAGED_FLAG: Rule = Rule {
    code: "GU009",
    name: "wsgi-args-managed-flag",
    severity: Warning,
    summary: "`wsgi_args` repeats a flag OMERO already sets",
    explanation: "`omero web start` builds the bind address, workers, threads, worker class, \
timeout, max requests, pid file and daemon flag from properties, then appends `wsgi_args`. \
Gunicorn takes the last value, so the duplicate silently overrides the property, and `omero web \
stop` relies on the pid file OMERO chose. Set the property instead.",
    example: "omero config set omero.web.wsgi_args '--workers 8 --timeout 120'",
    fixed_example: "omero config set omero.web.wsgi_workers 8\nomero config set omero.web.wsgi_timeout 120",
    fix: false,
    blocks_start: false,
};

pub static ARGS_QUOTES: Rule = Rule {
    code: "GU010",
    name: "wsgi-args-quotes",
    severity: Warning,
    summary: "`wsgi_args` contains quotes, which OMERO passes on literally",
    explanation: "OMERO splits the whole gunicorn command on whitespace, without a shell: quotes \
stay part of the arguments and a quoted value with spaces becomes several arguments. Only \
options whose values have no spaces can be given in `wsgi_args`.",
    example: "omero config set omero.web.wsgi_args \"--access-logformat '%(h)s %(r)s'\"",
    fixed_example:
        "omero config set omero.web.wsgi_args \"--access-logfile /opt/omero/web/OMERO.web/var/log/access.log\"",
    fix: false,
    blocks_start: false,
};

const WORKERS: &str = "omero.web.wsgi_workers";
const THREADS: &str = "omero.web.wsgi_threads";
const CLASS: &str = "omero.web.wsgi_worker_class";
const CONNECTIONS: &str = "omero.web.wsgi_worker_connections";
const TIMEOUT_KEY: &str = "omero.web.wsgi_timeout";
const MAX_REQUESTS_KEY: &str = "omero.web.application_server.max_requests";
const ARGS: &str = "omero.web.wsgi_args";

/// Flags `omero web start` sets itself, with the property that sets each.
const MANAGED: &[(&[&str], &str)] = &[
    (&["-w", "--workers"], WORKERS),
    (&["--threads"], THREADS),
    (&["--worker-connections"], CONNECTIONS),
    (&["-k", "--worker-class"], CLASS),
    (&["-t", "--timeout"], TIMEOUT_KEY),
    (&["--max-requests"], MAX_REQUESTS_KEY),
    (&["-b", "--bind"], "omero.web.application_server.host and .port"),
    (&["-p", "--pid"], "omero web start (the pid file omero web stop reads)"),
    (&["-D", "--daemon"], "omero web start (--foreground turns it off)"),
];

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    // Only `wsgi-tcp` runs gunicorn; `development` ignores all of this.
    if ctx.effective("omero.web.application_server").as_deref() != Some("wsgi-tcp") {
        return;
    }
    let gevent = ctx.effective(CLASS).as_deref() == Some("gevent");
    ranges(ctx, gevent, out);
    workers(ctx, gevent, out);
    if gevent && ctx.is_set(THREADS) && ctx.int(THREADS).is_some_and(|t| t != 1) {
        out.push(
            ctx.on_key(
                &THREADS_IGNORED,
                THREADS,
                format!("{THREADS} is ignored: OMERO passes --threads only to sync workers"),
            )
            .help(format!("remove it; tune {CONNECTIONS} for gevent")),
        );
    }
    if !gevent && ctx.is_set(CONNECTIONS) {
        out.push(
            ctx.on_key(
                &CONNECTIONS_IGNORED,
                CONNECTIONS,
                format!("{CONNECTIONS} is ignored: OMERO passes it only to gevent workers"),
            )
            .help(format!("remove it, or use {THREADS} with sync workers")),
        );
    }
    let max_requests = ctx.int(MAX_REQUESTS_KEY).unwrap_or(0);
    if gevent && max_requests > 0 {
        out.push(
            ctx.on_value(
                &GEVENT_MAX_REQUESTS,
                MAX_REQUESTS_KEY,
                format!("gevent workers restart after {max_requests} requests and drop the requests in flight"),
            )
            .help(format!("omero config set {MAX_REQUESTS_KEY} 0")),
        );
    }
    if !gevent && (1..100).contains(&max_requests) {
        out.push(
            ctx.on_value(
                &MAX_REQUESTS,
                MAX_REQUESTS_KEY,
                format!("workers restart after every {max_requests} requests"),
            )
            .help("use 0 (never restart) or a value in the thousands"),
        );
    }
    if ctx.is_set(TIMEOUT_KEY) {
        let why = match ctx.int(TIMEOUT_KEY) {
            Some(0) => Some("0 disables the timeout, so a hung worker is never replaced".to_string()),
            Some(t) if (1..30).contains(&t) => Some(format!("{t} s cuts off large exports, downloads and renders")),
            _ => None,
        };
        if let Some(why) = why {
            out.push(
                ctx.on_value(&TIMEOUT, TIMEOUT_KEY, format!("{TIMEOUT_KEY}: {why}"))
                    .help("OMERO's default of 60 suits most sites"),
            );
        }
    }
    wsgi_args(ctx, out);
}

/// Values gunicorn itself refuses.
fn ranges(ctx: &LintContext, gevent: bool, out: &mut Vec<Finding>) {
    let passed = [
        WORKERS,
        if gevent { CONNECTIONS } else { THREADS },
        TIMEOUT_KEY,
        MAX_REQUESTS_KEY,
    ];
    for key in passed.into_iter().filter(|k| ctx.is_set(k)) {
        let Some(value) = ctx.int(key) else { continue };
        let why = if value < 0 {
            "gunicorn refuses negative values and does not start"
        } else if value == 0 && key == WORKERS {
            "gunicorn starts no worker, so no request is served"
        } else {
            continue;
        };
        out.push(
            ctx.on_value(&NOT_POSITIVE, key, format!("{key} is {value}: {why}"))
                .help("use a positive number"),
        );
    }
}

fn workers(ctx: &LintContext, gevent: bool, out: &mut Vec<Finding>) {
    let Some(workers) = ctx.int(WORKERS).filter(|w| *w > 0) else {
        return;
    };
    match ctx.options.cores {
        Some(cores) => {
            let advised = 2 * i64::from(cores) + 1;
            if workers > advised {
                out.push(
                    ctx.on_value(
                        &WORKERS_FOR_CORES,
                        WORKERS,
                        format!("{workers} workers for {cores} cores; (2 × cores) + 1 is {advised}"),
                    )
                    .help(format!("omero config set {WORKERS} {advised}")),
                );
            } else if !gevent && workers < i64::from(cores) {
                out.push(
                    ctx.on_value(
                        &WORKERS_FOR_CORES,
                        WORKERS,
                        format!("{workers} sync workers leave some of the {cores} cores idle"),
                    )
                    .severity(Info)
                    .help(format!("(2 × cores) + 1 is {advised}")),
                );
            }
        }
        None if workers > 12 => out.push(
            ctx.on_value(
                &TOO_MANY_WORKERS,
                WORKERS,
                format!("{workers} gunicorn workers, each with its own memory and OMERO sessions"),
            )
            .help("check the count with `omeroconf lint --cores N` for the server's core count"),
        ),
        None => {}
    }
}

fn wsgi_args(ctx: &LintContext, out: &mut Vec<Finding>) {
    let Some(args) = ctx.config.get(ARGS) else { return };
    // `str.split()`: any run of whitespace separates arguments.
    let tokens: Vec<&str> = args.split_whitespace().collect();
    for (i, token) in tokens.iter().enumerate() {
        let Some((flags, owner)) = MANAGED
            .iter()
            .find(|(flags, _)| flags.iter().any(|f| names_flag(token, f)))
        else {
            continue;
        };
        let value = if token.contains('=')
            || (token.len() > 2 && !token.starts_with("--"))
            || matches!(*token, "-D" | "--daemon")
        {
            String::new()
        } else {
            tokens.get(i + 1).map(|v| format!(" {v}")).unwrap_or_default()
        };
        out.push(
            ctx.on_value(
                &ARGS_MANAGED_FLAG,
                ARGS,
                format!("{ARGS}: `{token}{value}` overrides what {owner} sets"),
            )
            .help(format!("remove {} from {ARGS}; set {owner} instead", flags.join("/"))),
        );
    }
    if args.contains(['"', '\'']) {
        out.push(
            ctx.on_value(
                &ARGS_QUOTES,
                ARGS,
                format!("{ARGS}: OMERO splits the arguments on whitespace, so gunicorn receives the quotes literally"),
            )
            .help("only options whose values contain no spaces work in wsgi_args"),
        );
    }
}

/// `--workers`, `--workers=4`, `-w`, `-w4`.
fn names_flag(token: &str, flag: &str) -> bool {
    if flag.starts_with("--") {
        token == flag || token.strip_prefix(flag).is_some_and(|rest| rest.starts_with('='))
    } else {
        token.starts_with(flag) && !token.starts_with("--")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{codes, codes_of, findings_with};
    use super::super::Options;
    use crate::catalog::catalog;

    fn with_cores(text: &str, cores: u32) -> Vec<&'static str> {
        codes_of(
            &findings_with(
                text,
                catalog().latest,
                &Options {
                    cores: Some(cores),
                    ..Default::default()
                },
            ),
            "GU",
        )
    }

    #[test]
    fn workers_against_cores_only_when_given() {
        assert_eq!(with_cores("omero.web.wsgi_workers=16\n", 2), vec!["GU001"]);
        assert!(with_cores("omero.web.wsgi_workers=5\n", 2).is_empty());
        assert!(with_cores("omero.web.wsgi_workers=9\n", 4).is_empty());
        // The machine running omeroconf is never assumed to be the server.
        assert!(codes("omero.web.wsgi_workers=16\n", "GU").contains(&"GU002"));
        assert!(codes("omero.web.wsgi_workers=12\n", "GU").is_empty());
        assert!(with_cores("omero.web.wsgi_workers=20\n", 16)
            .iter()
            .all(|c| *c != "GU002"));
    }

    #[test]
    fn class_specific_flags() {
        let gevent = "omero.web.wsgi_worker_class=gevent\nomero.web.wsgi_threads=8\n";
        assert_eq!(codes(gevent, "GU"), vec!["GU003"]);
        assert!(codes("omero.web.wsgi_threads=8\n", "GU").is_empty());
        assert_eq!(codes("omero.web.wsgi_worker_connections=2000\n", "GU"), vec!["GU004"]);
        assert!(codes(
            "omero.web.wsgi_worker_class=gevent\nomero.web.wsgi_worker_connections=2000\n",
            "GU"
        )
        .is_empty());
    }

    #[test]
    fn max_requests_and_timeout() {
        let gevent = "omero.web.wsgi_worker_class=gevent\nomero.web.application_server.max_requests=500\n";
        assert_eq!(codes(gevent, "GU"), vec!["GU005"]);
        assert!(codes("omero.web.application_server.max_requests=500\n", "GU").is_empty());
        assert_eq!(
            codes("omero.web.application_server.max_requests=10\n", "GU"),
            vec!["GU007"]
        );
        assert_eq!(codes("omero.web.wsgi_timeout=10\n", "GU"), vec!["GU006"]);
        assert_eq!(codes("omero.web.wsgi_timeout=0\n", "GU"), vec!["GU006"]);
        assert!(codes("omero.web.wsgi_timeout=120\n", "GU").is_empty());
    }

    #[test]
    fn values_gunicorn_refuses() {
        assert_eq!(codes("omero.web.wsgi_workers=0\n", "GU"), vec!["GU008"]);
        assert_eq!(codes("omero.web.wsgi_timeout=-1\n", "GU"), vec!["GU008"]);
        // Threads are not passed to gevent workers, so gunicorn never sees them.
        assert_eq!(
            codes("omero.web.wsgi_worker_class=gevent\nomero.web.wsgi_threads=-1\n", "GU"),
            vec!["GU003"]
        );
    }

    #[test]
    fn wsgi_args() {
        let found = codes("omero.web.wsgi_args=--workers=8 -t 120 --access-logfile -\n", "GU");
        assert_eq!(found, vec!["GU009", "GU009"]);
        assert_eq!(
            codes("omero.web.wsgi_args=--access-logformat '%(h)s %(r)s'\n", "GU"),
            vec!["GU010"]
        );
        assert!(codes(
            "omero.web.wsgi_args=--access-logfile /var/log/omero/access.log --keep-alive 5\n",
            "GU"
        )
        .is_empty());
    }

    #[test]
    fn development_server_ignores_gunicorn_settings() {
        assert!(!codes(
            "omero.web.application_server=development\nomero.web.wsgi_workers=40\n",
            "GU"
        )
        .contains(&"GU002"));
    }
}

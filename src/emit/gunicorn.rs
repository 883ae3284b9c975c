//! The gunicorn command `omero web start` runs for a `wsgi-tcp` server, word
//! for word, or the same settings as a `gunicorn.conf.py`.
//!
//! OMERO builds one command string and splits it on whitespace, so
//! `omero.web.wsgi_args` cannot carry quoted spaces; this module splits the
//! same way and never pretends otherwise.

use super::runtime::Runtime;
use super::script::quote;
use super::Refusal;
use crate::python;
use crate::python::int::repr_str;
use indexmap::IndexMap;

/// How to print the command (`emit gunicorn --style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Style {
    /// The command on one line, words separated by single spaces.
    Argv,
    /// The same words for a POSIX shell, quoted, after the environment
    /// `omero web start` gives gunicorn.
    Shell,
    /// A `gunicorn.conf.py` with the same settings.
    Conf,
}

/// What a gunicorn command-line option does (see gunicorn_settings.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `store_true`.
    Flag,
    /// `store_const` with this boolean.
    Const(bool),
    /// Repeatable; values accumulate in a list.
    Append,
    /// Takes a value only when one follows; this constant otherwise.
    Optional(&'static str),
    /// An integer (`type=int`).
    Int,
    /// Any other value, kept as text.
    Text,
}

/// One gunicorn setting and its command-line flags.
#[derive(Debug)]
pub struct Setting {
    pub flags: &'static [&'static str],
    pub name: &'static str,
    pub kind: Kind,
}

/// The application `omero web start` serves.
const APPLICATION: &str = "omeroweb.wsgi:application";

/// The command's words, exactly as OMERO passes them to gunicorn.
pub fn command(runtime: &Runtime) -> Result<Vec<String>, Refusal> {
    match runtime.server_type()?.as_str() {
        "wsgi-tcp" => {}
        "development" => {
            return Err(Refusal::at(
                "omero.web.application_server",
                "omero.web.application_server is `development`: `omero web start` runs Django's development server, \
                 not gunicorn; set it to `wsgi-tcp` for gunicorn",
            ))
        }
        other => {
            return Err(Refusal::at(
                "omero.web.application_server",
                format!(
                    "omero.web.application_server is `{other}`: `omero web start` does not manage that server \
                     (OMERO stops with error 609); set it to `wsgi-tcp` for gunicorn"
                ),
            ))
        }
    }
    let class = runtime.text("omero.web.wsgi_worker_class")?.unwrap_or_default();
    let class_flags = match class.as_str() {
        "sync" => format!("--threads {}", runtime.int("omero.web.wsgi_threads")?),
        "gevent" => format!(
            "--worker-connections {} --worker-class gevent",
            runtime.int("omero.web.wsgi_worker_connections")?
        ),
        other => {
            return Err(Refusal::at(
                "omero.web.wsgi_worker_class",
                format!(
                    "omero.web.wsgi_worker_class is `{other}`: `omero web start` only runs `sync` or `gevent` workers \
                     (OMERO stops with error 609)"
                ),
            ))
        }
    };
    let line = format!(
        "gunicorn -D -p {pid} --bind {address} --workers {workers} {class_flags} --timeout {timeout} \
         --max-requests {max_requests} {extra} {APPLICATION}",
        pid = runtime.pid_file(),
        address = runtime.application_address()?,
        workers = runtime.int("omero.web.wsgi_workers")?,
        timeout = runtime.int("omero.web.wsgi_timeout")?,
        max_requests = runtime.int("omero.web.application_server.max_requests")?,
        extra = runtime.text("omero.web.wsgi_args")?.unwrap_or_default(),
    );
    // Python's `str.split()`: any run of Unicode whitespace separates words.
    Ok(line
        .split(python::is_space)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect())
}

/// The command in the requested style.
pub fn render(runtime: &Runtime, style: Style) -> Result<String, Refusal> {
    let words = command(runtime)?;
    match style {
        Style::Argv => Ok(format!("{}\n", words.join(" "))),
        Style::Shell => Ok(shell(&words, &runtime.omerodir, runtime.script_name()?.as_deref())),
        Style::Conf => conf(&words, runtime.script_name()?.as_deref()),
    }
}

/// `NAME=VALUE ... gunicorn ...`: OMERODIR, which gunicorn's workers read
/// the configuration from, and SCRIPT_NAME, which `omero web start` exports
/// for a prefix; every word quoted as Python's `shlex.quote` would.
fn shell(words: &[String], omerodir: &str, script_name: Option<&str>) -> String {
    let mut line = vec![format!("OMERODIR={}", quote(omerodir))];
    if let Some(prefix) = script_name {
        line.push(format!("SCRIPT_NAME={}", quote(prefix)));
    }
    line.extend(words.iter().map(|w| quote(w)));
    format!("{}\n", line.join(" "))
}

/// A conf value as gunicorn's validators accept it.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Bool(bool),
    Int(String),
    Text(String),
    List(Vec<String>),
}

/// `gunicorn.conf.py` with the settings the command line sets, in the order
/// they first appear; later occurrences win as with argparse.
fn conf(words: &[String], script_name: Option<&str>) -> Result<String, Refusal> {
    let mut values: IndexMap<&'static str, Value> = IndexMap::new();
    // `omero web start` exports SCRIPT_NAME for a prefix; a conf file does
    // that through gunicorn's own environment setting.
    if let Some(prefix) = script_name {
        values.insert("raw_env", Value::List(vec![format!("SCRIPT_NAME={prefix}")]));
    }
    let mut application: Option<&str> = None;
    let mut rest = words.iter().skip(1).map(String::as_str).peekable();
    while let Some(word) = rest.next() {
        if !word.starts_with('-') || word == "-" {
            if let Some(first) = application {
                return Err(refuse_conf(format!(
                    "gunicorn would get two application names, `{first}` and `{word}`"
                )));
            }
            application = Some(word);
            continue;
        }
        let (setting, attached) = find(word)?;
        let value = match (setting.kind, attached) {
            (Kind::Flag | Kind::Const(_), Some(_)) => {
                return Err(refuse_conf(format!("`{word}` takes no value")));
            }
            (Kind::Flag, None) => Value::Bool(true),
            (Kind::Const(b), None) => Value::Bool(b),
            (Kind::Optional(constant), None) => match rest.next_if(|next| !next.starts_with('-')) {
                Some(next) => Value::Text(next.to_string()),
                None => Value::Text(constant.to_string()),
            },
            (_, attached) => {
                let text = match attached {
                    Some(text) => text.to_string(),
                    None => rest
                        .next()
                        .ok_or_else(|| refuse_conf(format!("`{word}` needs a value")))?
                        .to_string(),
                };
                match setting.kind {
                    Kind::Int => Value::Int(
                        python::int::parse_int(&text)
                            .map_err(|e| refuse_conf(format!("`{word} {text}`: gunicorn rejects it ({e})")))?,
                    ),
                    Kind::Append => match values.get(setting.name) {
                        Some(Value::List(list)) => Value::List(list.iter().cloned().chain([text]).collect()),
                        _ => Value::List(vec![text]),
                    },
                    _ => Value::Text(text),
                }
            }
        };
        values.insert(setting.name, value);
    }
    let application =
        application.ok_or_else(|| refuse_conf("no application name is left on the command line".to_string()))?;
    values.insert("wsgi_app", Value::Text(application.to_string()));

    let mut out = format!(
        "# gunicorn.conf.py written by omeroconf: the settings of the command `omero web start` runs,\n\
         # {}\n\
         # Start gunicorn with `-c` and this file, from the same virtual environment as OMERO.web.\n\n",
        words.join(" ")
    );
    for (name, value) in &values {
        let literal = match value {
            Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            Value::Int(n) => n.clone(),
            Value::Text(text) => repr_str(text),
            Value::List(items) => format!("[{}]", items.iter().map(|i| repr_str(i)).collect::<Vec<_>>().join(", ")),
        };
        out.push_str(&format!("{name} = {literal}\n"));
    }
    Ok(out)
}

/// The setting of a command-line word, with a value attached to it
/// (`--timeout=30`, `-t30`); unique abbreviations of long flags count, as
/// with argparse.
fn find(word: &str) -> Result<(&'static Setting, Option<&str>), Refusal> {
    let settings = super::gunicorn_settings::SETTINGS;
    let (flag, attached) = match word.split_once('=') {
        Some((flag, value)) if word.starts_with("--") => (flag, Some(value)),
        _ => (word, None),
    };
    if let Some(setting) = settings.iter().find(|s| s.flags.contains(&flag)) {
        return Ok((setting, attached));
    }
    if !flag.starts_with("--") {
        // `-t30`: a short flag with its value attached.
        let short = flag.get(..2).unwrap_or(flag);
        if let Some(setting) = settings.iter().find(|s| s.flags.contains(&short)) {
            return Ok((setting, flag.get(2..).filter(|v| !v.is_empty())));
        }
        return Err(refuse_conf(format!("gunicorn has no option `{word}`")));
    }
    let candidates: Vec<&Setting> = settings
        .iter()
        .filter(|s| s.flags.iter().any(|f| f.starts_with("--") && f.starts_with(flag)))
        .collect();
    match candidates.as_slice() {
        [only] => Ok((only, attached)),
        [] => Err(refuse_conf(format!("gunicorn has no option `{word}`"))),
        _ => Err(refuse_conf(format!("`{flag}` is ambiguous for gunicorn"))),
    }
}

fn refuse_conf(why: String) -> Refusal {
    Refusal::at(
        "omero.web.wsgi_args",
        format!("omero.web.wsgi_args: {why}; use --style argv"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::runtime::from_properties;

    fn render_text(text: &str, style: Style) -> Result<String, Refusal> {
        render(&from_properties(text, "/srv/web")?, style)
    }

    #[test]
    fn conf_carries_every_word_of_the_command() -> Result<(), Refusal> {
        let conf = render_text(
            "omero.web.prefix=/omero\nomero.web.wsgi_args=--timeout=30 -b 0.0.0.0:4081 --log-lev debug --preload -e A=1\n",
            Style::Conf,
        )?;
        let body: Vec<&str> = conf.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).collect();
        assert_eq!(
            body,
            vec![
                "raw_env = ['SCRIPT_NAME=/omero', 'A=1']",
                "daemon = True",
                "pidfile = '/srv/web/var/django.pid'",
                "bind = ['127.0.0.1:4080', '0.0.0.0:4081']",
                "workers = 5",
                "threads = 1",
                "timeout = 30",
                "max_requests = 0",
                "loglevel = 'debug'",
                "preload_app = True",
                "wsgi_app = 'omeroweb.wsgi:application'",
            ]
        );
        Ok(())
    }

    #[test]
    fn conf_refuses_what_it_cannot_express() {
        for (args, why) in [
            ("--no-such-option", "no option"),
            ("--log", "ambiguous"),
            ("--workers x", "rejects"),
            ("extra.app:application", "two application names"),
        ] {
            let refusal = render_text(&format!("omero.web.wsgi_args={args}\n"), Style::Conf).err();
            let message = refusal.map(|r| r.message).unwrap_or_default();
            assert!(
                message.contains(why) && message.contains("omero.web.wsgi_args"),
                "{args}: {message}"
            );
        }
    }

    #[test]
    fn only_sync_and_gevent_workers_under_wsgi_tcp() {
        let refused = |text: &str| render_text(text, Style::Argv).err().and_then(|r| r.key);
        assert_eq!(
            refused("omero.web.wsgi_worker_class=eventlet\n").as_deref(),
            Some("omero.web.wsgi_worker_class")
        );
        assert_eq!(
            refused("omero.web.application_server=development\n").as_deref(),
            Some("omero.web.application_server")
        );
        assert_eq!(
            refused("omero.web.application_server=wsgi\n").as_deref(),
            Some("omero.web.application_server")
        );
    }
}

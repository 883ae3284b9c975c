//! The secrets canary: distinctive passwords go through every command that
//! reports and must never show there unless `--show-secrets` is given;
//! outputs that are configuration files carry them. Every rule's example is
//! run with a canary in each secret place, so every message template is.

mod common;

use common::examples::{context_args, example_name, lint_example};
use common::{omeroconf, stderr, stdout, temp_file};
use omeroconf::catalog::catalog;
use omeroconf::report::{self, human, Format};
use omeroconf::rules::{Rule, RULES};
use omeroconf::{formats, secrets, source};
use std::path::Path;
use std::process::Output;

const CANARIES: [&str; 5] = [
    "Canary-Pw-123",
    "Canary-Typo-456",
    "Canary-Cache-789",
    "Canary-Key-000",
    "Canary-Esc-111",
];

/// A configuration holding every canary, with findings to report (a typo,
/// a fixable prefix) so that reports have something to say.
const CANARY_CONFIG: &str = "omero.web.public.password=Canary-Pw-123\n\
omero.web.public.pasword=Canary-Typo-456\n\
omero.web.caches={\"default\": {\"BACKEND\": \"x\", \"LOCATION\": \"redis://:Canary-Cache-789@h:6379/0\"}}\n\
omero.web.secret_key=Canary-Key-000\n\
omero.web.django_additional_settings=[[\"EMAIL_BACKEND\", \"smtp:\\/\\/:Canary-Esc-111@mail\"]]\n\
omero.web.static_url=/omero/static/\n\
omero.web.prefix=/omero/\n";

/// How many of [`reports_of`]'s runs are `lint`.
const LINT_RUNS: usize = 6;

/// Every command that reports on `path`, with what it printed (stdout and
/// stderr). Commands added later (diff, migrate's dry run) belong here.
fn reports_of(path: &str) -> Vec<(String, Output)> {
    let mut runs: Vec<Vec<&str>> = vec![vec!["lint", path], vec!["lint", "--diff", path]];
    for format in ["json", "sarif", "github", "short"] {
        runs.push(vec!["lint", "--format", format, path]);
    }
    assert_eq!(runs.len(), LINT_RUNS);
    for target in ["nginx", "nginx-location", "nginx-development", "gunicorn", "systemd"] {
        runs.push(vec!["emit", target, path]);
    }
    runs.into_iter()
        .map(|args| (args.join(" "), omeroconf(&args)))
        .collect()
}

fn assert_no_canary(what: &str, output: &Output) {
    for text in [stdout(output), stderr(output)] {
        for canary in CANARIES {
            assert!(!text.contains(canary), "`{what}` leaks {canary}: {text}");
        }
    }
}

/// The canary configuration written in `format` (by `convert`, which carries the values).
fn canary_in(dir: &Path, format: &str) -> String {
    let (_keep, properties) = temp_file("canary.properties", CANARY_CONFIG.as_bytes());
    let output = omeroconf(&["convert", "--to", format, properties.to_str().unwrap_or_default()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    for canary in CANARIES {
        assert!(text.contains(canary), "convert --to {format} drops {canary}: {text}");
    }
    let extension = match format {
        "script" => "sh",
        "ansible" => "yml",
        other => other,
    };
    let path = dir.join(format!("canary.{extension}"));
    std::fs::write(&path, text).expect("write converted canary");
    path.to_string_lossy().into_owned()
}

#[test]
fn reports_never_show_secrets_in_any_input_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    for format in ["script", "omero", "properties", "xml", "toml", "json", "env", "ansible"] {
        let path = canary_in(dir.path(), format);
        let reports = reports_of(&path);
        let lint = stdout(&reports[0].1);
        assert!(lint.contains("pasword"), "{format}: the typo is reported: {lint}");
        // `lint --fix` edits the formats omero config writes.
        if !["env", "ansible"].contains(&format) {
            assert!(
                stdout(&reports[1].1).contains("+++"),
                "{format}: --diff has a fix to show"
            );
        }
        for (what, output) in &reports {
            assert_no_canary(what, output);
        }
    }
}

#[test]
fn show_secrets_shows_them() {
    let (_dir, path) = temp_file("canary.properties", CANARY_CONFIG.as_bytes());
    let path = path.to_str().unwrap_or_default();
    let shown = stdout(&omeroconf(&["lint", "--show-secrets", path]));
    assert!(shown.contains("Canary-Typo-456"), "{shown}");
    let diff = stdout(&omeroconf(&["lint", "--diff", "--show-secrets", path]));
    assert!(diff.contains("Canary-Esc-111"), "{diff}");
}

#[test]
fn error_messages_of_convert_and_emit_never_show_secrets() {
    // Values no properties or omero file can carry, and a cache setting
    // OMERO.web cannot parse: both refusals name the key only.
    let (_dir, path) = temp_file(
        "canary.json",
        b"{\"omero.web.public.password\": \"Canary-Pw-123\\n\", \"omero.web.secret_key\": \"Canary-Key-000 \",\
          \"omero.web.caches\": \"{\\\"default\\\": {\\\"LOCATION\\\": \\\"redis://:Canary-Cache-789@h\\\"\"}",
    );
    let path = path.to_str().unwrap_or_default();
    for to in ["properties", "omero"] {
        let output = omeroconf(&["convert", "--to", to, path]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("omero.web.public.password"),
            "{}",
            stderr(&output)
        );
        assert_no_canary(&format!("convert --to {to}"), &output);
        // With --force the file carries the values; the warnings do not.
        let forced = omeroconf(&["convert", "--to", to, "--force", path]);
        assert!(stdout(&forced).contains("Canary-Pw-123"));
        assert!(!stderr(&forced).contains("Canary"), "{}", stderr(&forced));
    }
    for (what, output) in reports_of(path).iter().skip(LINT_RUNS) {
        assert_eq!(output.status.code(), Some(1), "{what}: {}", stderr(output));
        assert!(
            stderr(output).contains("omero.web.caches"),
            "{what}: {}",
            stderr(output)
        );
        assert_no_canary(what, output);
    }
}

#[test]
fn explain_of_secret_keys_shows_no_value() {
    for topic in [
        "omero.web.secret_key",
        "omero.web.public.password",
        "omero.web.caches",
        "SC001",
    ] {
        let output = omeroconf(&["explain", topic]);
        assert_eq!(output.status.code(), Some(0), "{topic}");
        assert_no_canary(&format!("explain {topic}"), &output);
    }
}

#[test]
fn configuration_outputs_carry_the_values_unless_masked() {
    let (_dir, path) = temp_file("canary.properties", CANARY_CONFIG.as_bytes());
    let path = path.to_str().unwrap_or_default();
    for to in ["script", "omero", "properties", "xml", "toml", "json", "env", "ansible"] {
        let masked = omeroconf(&["convert", "--to", to, "--mask-secrets", path]);
        assert_eq!(masked.status.code(), Some(0));
        assert_no_canary(&format!("convert --to {to} --mask-secrets"), &masked);
    }
}

#[test]
fn values_no_operation_holds_are_masked_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files: [(&str, &str); 8] = [
        // IN003 and IN002 on values built from a command or an unset variable.
        (
            "unknown.sh",
            "omero config set omero.web.public.password \"Canary-Pw-123$(cat /x)\"\n\
             omero config set omero.web.secret_key \"Canary-Key-000${UNSET}\"\n",
        ),
        (
            "docker-compose.yml",
            "services:\n  web:\n    image: omero-web\n    environment:\n      \
             CONFIG_omero_web_secret__key: \"Canary-Key-000${UNSET}\"\n      \
             CONFIG_omero_web_public_password: ${PW:-Canary-Pw-123}\n",
        ),
        // IN013 quotes its value; IN008 its extra arguments.
        ("quoted.env", "CONFIG_omero_web_secret__key=\"Canary-Pw-123\"\n"),
        (
            "split.sh",
            "omero config set omero.web.public.password horse Canary-Typo-456\n",
        ),
        // A value built from a variable, and a command that failed.
        (
            "variable.sh",
            "PW=Canary-Cache-789\nomero config set omero.web.public.password \"x$PW\"\n",
        ),
        // A syntax error on the secret's line; a heredoc body.
        ("broken.toml", "[omero.web]\nsecret_key = Canary-Key-000\n"),
        (
            "heredoc.sh",
            "omero config load <<EOF\nconfig set omero.web.public.password Canary-Esc-111\nEOF\n",
        ),
        (
            "server.properties",
            "omero.web.wsgi_args=--keyfile-password Canary-Pw-123\n\
             omero.web.caches={\"default\": {\"LOCATION\": \"redis:\\/\\/:Canary-Cache-789@h\"}}\n",
        ),
    ];
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write input");
        let path = path.to_str().unwrap_or_default();
        for (what, output) in reports_of(path).iter().take(LINT_RUNS) {
            assert_no_canary(what, output);
        }
    }
}

/// Canaries planted in the rules' examples all start with this.
const PLANTED: &str = "Canary-Planted-";

/// Secret places every example can take, `{}` standing for the
/// canary: secret keys, a password in a cache or session URL, a
/// `PASSWORD` member, an environment variable gunicorn sets from
/// `wsgi_args`, and a URL in the server list.
const PLACES: [(&str, &str); 7] = [
    ("omero.web.secret_key", "{}"),
    ("omero.web.public.password", "{}"),
    ("omero.web.email_host_password", "{}"),
    (
        "omero.web.caches",
        r#"{"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://:{}@redis:6379/0"}}"#,
    ),
    ("omero.web.wsgi_args", "--env EMAIL_HOST_PASSWORD={}"),
    (
        "omero.web.django_additional_settings",
        r#"[["DATABASES", {"default": {"ENGINE": "django.db.backends.postgresql", "PASSWORD": "{}"}}], ["SESSION_REDIS", {"url": "redis://:{}@redis:6379/1"}]]"#,
    ),
    (
        "omero.web.server_list",
        r#"[["omero.example.org", 4064, "omero"], ["wss://root:{}@omero.example.org/ws", 443, "ws"]]"#,
    ),
];

/// An edit of an example: the bytes to replace and the text that replaces them.
type Edit = (std::ops::Range<usize>, String);

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut out = text.to_string();
    for (range, canary) in sorted {
        out.replace_range(range.clone(), canary);
    }
    out
}

/// Numbers the canaries.
struct Planter {
    next: usize,
}

impl Planter {
    fn canary(&mut self) -> String {
        self.next += 1;
        format!("{PLANTED}{}", self.next)
    }

    /// A canary for each secret place of the values `text` writes
    /// literally: secret values and URL passwords replaced, a password
    /// added to URLs without one.
    fn in_place(&mut self, text: &str) -> Vec<Edit> {
        let name = example_name(text);
        let format = formats::detect(Path::new(name), text);
        let document = formats::read(name, text, format, &source::Options::default());
        let mut edits = Vec::new();
        for op in &document.operations {
            let Some(value) = op.value.as_ref().and_then(|v| v.known()) else {
                continue;
            };
            let written = op.value_span.range();
            if text.get(written.clone()) != Some(value) {
                continue;
            }
            for range in secrets::secret_ranges(&op.key, value) {
                edits.push((written.start + range.start..written.start + range.end, self.canary()));
            }
            for (at, _) in value.match_indices("://") {
                let authority = &value[at + 3..];
                let end = authority.find(['/', '"', '\'', ' ']).unwrap_or(authority.len());
                if !authority[..end].contains('@') {
                    let insert = written.start + at + 3;
                    edits.push((insert..insert, format!(":{}@", self.canary())));
                }
            }
        }
        edits
    }

    /// The places of [`PLACES`] with their canaries: (key, value).
    fn places(&mut self) -> Vec<(&'static str, String)> {
        PLACES
            .iter()
            .map(|&(key, value)| {
                let mut value = value.to_string();
                while value.contains("{}") {
                    value = value.replacen("{}", &self.canary(), 1);
                }
                (key, value)
            })
            .collect()
    }
}

/// `text` with one more setting, written as its format writes one (as
/// `example_name` tells the format), or `None` where it has no place for it.
fn with_setting(text: &str, key: &str, value: &str) -> Option<String> {
    let env = format!("CONFIG_{}", key.replace('_', "__").replace('.', "_"));
    match example_name(text) {
        "example.sh" => Some(format!("{text}\nomero config set {key} '{value}'")),
        "example.properties" => Some(format!("{text}\n{key}={value}")),
        "example.env" => Some(format!("{text}\n{env}={value}")),
        "example.toml" => {
            let relative = key.strip_prefix("omero.web.")?;
            insert_after(text, "[omero.web]", |indent, _| {
                format!("{indent}{relative} = '{value}'")
            })
        }
        "docker-compose.yml" => insert_after(text, "environment:", |indent, list| match list {
            true => format!("{indent}- '{env}={value}'"),
            false => format!("{indent}{env}: '{value}'"),
        })
        .or_else(|| {
            let image = text.lines().find(|l| l.trim_start().starts_with("image:"))?;
            let indent = &image[..image.len() - image.trim_start().len()];
            insert_after(text, image.trim(), |_, _| {
                format!("{indent}environment:\n{indent}  {env}: '{value}'")
            })
        }),
        "group_vars/all.yml" => insert_after(text, "omero_web_config_set:", |indent, _| {
            format!("{indent}{key}: '{value}'")
        })
        .or_else(|| Some(format!("{text}\nomero_web_config_set:\n  {key}: '{value}'"))),
        _ => None,
    }
}

/// `text` with `line(indent, list)` inserted after the first line that is
/// `header`, indented as the line after it (or two more than the header),
/// `list` telling whether that line is a YAML list item.
fn insert_after(text: &str, header: &str, line: impl Fn(&str, bool) -> String) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.trim() == header)?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let (width, list) = match lines.get(at + 1) {
        Some(next) if indent(next) > indent(lines[at]) => (indent(next), next.trim_start().starts_with("- ")),
        _ => (indent(lines[at]) + 2, false),
    };
    let mut out: Vec<String> = lines[..=at].iter().map(|l| l.to_string()).collect();
    out.push(line(&" ".repeat(width), list));
    out.extend(lines[at + 1..].iter().map(|l| l.to_string()));
    Some(out.join("\n"))
}

/// `rule`'s example with a canary in every secret place that keeps the
/// rule firing (a value that triggers it by what it is, such as the mask
/// `********`, stays): its own secret values and URLs, and each place of
/// [`PLACES`] whose key it does not set.
fn planted(rule: &Rule, planter: &mut Planter) -> String {
    let fires = |text: &str| lint_example(text).findings.iter().any(|f| f.code() == rule.code);
    let mut kept: Vec<Edit> = Vec::new();
    for edit in planter.in_place(rule.example) {
        kept.push(edit);
        if !fires(&apply(rule.example, &kept)) {
            kept.pop();
        }
    }
    let mut text = apply(rule.example, &kept);
    for (key, value) in planter.places() {
        if rule.example.contains(key) {
            continue;
        }
        if let Some(with) = with_setting(&text, key, &value).filter(|with| fires(with)) {
            text = with;
        }
    }
    assert!(fires(&text), "{}: its example does not trigger it", rule.code);
    text
}

fn assert_not_planted(what: &str, text: &str) {
    assert!(!text.contains(PLANTED), "{what} shows a secret:\n{text}");
}

#[test]
fn no_rule_message_shows_a_secret_in_any_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let latest = catalog()
        .releases
        .last()
        .map(|r| r.version.to_string())
        .unwrap_or_default();
    let mut planter = Planter { next: 0 };
    let mut without_canary = Vec::new();
    for rule in RULES {
        let text = planted(rule, &mut planter);
        if !text.contains(PLANTED) {
            without_canary.push(rule.code);
        }
        let linted = lint_example(&text);
        let options = report::Options {
            human: human::Options {
                show_secrets: false,
                color: false,
                max_per_file: 100,
            },
            root: None,
            summary: true,
        };
        for format in [
            Format::Human,
            Format::Json,
            Format::Sarif,
            Format::Github,
            Format::Short,
        ] {
            let shown = report::render(format, std::slice::from_ref(&linted), &options).unwrap_or_else(|e| e);
            assert_not_planted(&format!("{}: lint --format {format:?}", rule.code), &shown);
        }
        // The commands that report on a file: lint's diff of fixes, migrate's
        // report (text and JSON), diff against the fixed example, convert's
        // warnings. Each file in a folder of its own: its name says its format.
        let write = |folder: &str, text: &str| {
            let path = dir.path().join(rule.code).join(folder).join(example_name(text));
            std::fs::create_dir_all(path.parent().unwrap_or(dir.path())).expect("create folder");
            std::fs::write(&path, text).expect("write example");
            path
        };
        let path = write("example", &text);
        let fixed = write(
            "fixed",
            &apply(rule.fixed_example, &planter.in_place(rule.fixed_example)),
        );
        let (path, fixed) = (path.to_str().unwrap_or_default(), fixed.to_str().unwrap_or_default());
        let context = context_args(&text);
        let context: Vec<&str> = context.iter().map(String::as_str).collect();
        let runs: [Vec<&str>; 4] = [
            [&["lint", "--diff", path][..], &context].concat(),
            vec!["migrate", path, "--to-version", &latest],
            vec!["migrate", path, "--to-version", &latest, "--format", "json"],
            vec!["diff", path, fixed],
        ];
        for args in runs {
            let output = omeroconf(&args);
            let what = format!("{}: {}", rule.code, args[0]);
            assert_not_planted(&what, &stdout(&output));
            assert_not_planted(&what, &stderr(&output));
        }
        let converted = omeroconf(&["convert", "--to", "properties", path]);
        assert_not_planted(&format!("{}: convert's warnings", rule.code), &stderr(&converted));
    }
    // A new rule whose example's format takes no place fails here: teach
    // `with_setting` that format.
    assert!(
        without_canary.is_empty(),
        "examples without a canary: {without_canary:?}"
    );
}

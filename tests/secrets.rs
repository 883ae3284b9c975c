//! The secrets canary: distinctive passwords go through every command that
//! reports and must never show there unless `--show-secrets` is given;
//! outputs that are configuration files carry them.

mod common;

use common::{omeroconf, stderr, stdout, temp_file};
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

//! The command line as a user runs it: exit statuses, the JSON report's
//! exact shape, conversion output (secrets: tests/secrets.rs).

mod common;

use common::{omeroconf, stdout, temp_file};
use std::path::Path;
use std::process::{Command, Output};

#[test]
fn json_report_has_the_documented_shape() {
    let output = omeroconf(&["lint", "--format", "json", "examples/properties.backup"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let top: Vec<&str> = report
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(top, vec!["version", "release", "files", "summary"]);
    assert_eq!(report["version"], 1);
    let latest = omeroconf::catalog::catalog().latest.to_string();
    let assumed = serde_json::json!({"version": latest, "source": "assumed", "path": null});
    assert_eq!(report["release"], assumed);
    assert_eq!(report["files"][0]["path"], "examples/properties.backup");
    assert_eq!(report["files"][0]["release"], assumed);
    let first = &report["files"][0]["diagnostics"][0];
    let fields: Vec<&str> = first
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        vec![
            "code",
            "severity",
            "blocks_start",
            "key",
            "message",
            "line",
            "column",
            "end_line",
            "end_column",
            "help"
        ]
    );
    assert_eq!(first["code"], "IN005");
    // The masked value does not stop OMERO.web; the bad thread count in the same file does.
    assert_eq!(first["blocks_start"], false);
    let blocking: Vec<&serde_json::Value> = report["files"][0]["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["blocks_start"] == true)
        .collect();
    assert!(
        blocking.iter().all(|d| d["severity"] == "error") && !blocking.is_empty(),
        "{blocking:?}"
    );
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(7), Some(27)));
    let errors = report["files"][0]["diagnostics"]
        .as_array()
        .map_or(0, |d| d.iter().filter(|d| d["severity"] == "error").count());
    assert_eq!(report["summary"]["errors"].as_u64(), Some(errors as u64));
}

#[test]
fn exit_status_follows_severity() {
    let (_dir, clean) = temp_file("clean.properties", b"omero.web.debug=false\nomero.web.prefix=/omero\n");
    assert_eq!(
        omeroconf(&["lint", clean.to_str().unwrap_or_default()]).status.code(),
        Some(0)
    );
    let (_dir, warn) = temp_file("warn.properties", b"omero.web.debug=yes\n");
    let path = warn.to_str().unwrap_or_default();
    assert_eq!(omeroconf(&["lint", path]).status.code(), Some(0));
    assert_eq!(omeroconf(&["lint", "--deny-warnings", path]).status.code(), Some(1));
    assert_eq!(
        omeroconf(&["lint", "--ignore", "TY006", "--deny-warnings", path])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn unreadable_input_is_a_usage_error() {
    let missing = omeroconf(&["lint", "no/such/file.properties"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read no/such/file.properties"));
    let (_dir, latin1) = temp_file("latin1.properties", b"omero.web.top_logo=caf\xe9\n");
    let output = omeroconf(&["lint", latin1.to_str().unwrap_or_default()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not UTF-8 text (invalid byte at offset 22)"));
    let bad_version = omeroconf(&["lint", "--omero-web-version", "5.99.0", "examples/properties.backup"]);
    assert_eq!(bad_version.status.code(), Some(2));
}

#[test]
fn nul_bytes_and_crlf_are_handled() {
    let (_dir, nul) = temp_file(
        "nul.properties",
        b"omero.web.top_logo=a\x00b\r\nomero.web.debug=true\r\n",
    );
    let output = omeroconf(&["lint", "--format", "json", nul.to_str().unwrap_or_default()]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(report["files"][0]["diagnostics"][0]["code"], "IN010");
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn convert_prints_what_omero_stores() {
    let output = omeroconf(&[
        "convert",
        "--to",
        "json",
        "tests/differential/cases/continuation.properties",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let ours: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let answer: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new("tests/differential/answers/continuation.json")).expect("answer recorded"),
    )
    .expect("answer is JSON");
    assert_eq!(ours, answer["stored"]);
}

#[test]
fn explain_and_rules() {
    let rules = stdout(&omeroconf(&["rules"]));
    assert!(rules
        .lines()
        .any(|l| l.starts_with("TY006") && l.contains("boolean-means-false")));
    let explained = omeroconf(&["explain", "ty006"]);
    assert_eq!(explained.status.code(), Some(0));
    assert!(stdout(&explained).contains("omero config set omero.web.public.enabled true"));
    let key = stdout(&omeroconf(&["explain", "omero.web.csrf_trusted_origins"]));
    assert!(key.contains("5.22.0 and later"), "{key}");
    let unknown = omeroconf(&["explain", "omero.web.debgu"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("omero.web.debug"));
}

#[test]
fn directories_are_searched_and_scripts_without_omero_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    };
    write("deploy/web.env", "CONFIG_omero_web_wsgi__workers=five\n");
    write("deploy/docker-compose.yml", "services:\n  web:\n    image: openmicroscopy/omero-web\n    environment:\n      CONFIG_omero_web_debug: 'yes'\n      OMEROHOST: omero\n");
    write("Cargo.toml", "[package]\nname = \"x\"\n");
    write("backup.sh", "#!/bin/sh\ntar czf backup.tgz /srv\n");
    write(".git/config.env", "CONFIG_omero_web_debug=maybe\n");
    let root = dir.path().to_str().unwrap_or_default();
    let output = omeroconf(&["lint", "--format", "short", root]);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    // An image without a tag runs whatever `latest` is when it is pulled.
    assert!(
        lines[0].contains("deploy/docker-compose.yml:3:36: info[IS002]"),
        "{text}"
    );
    assert!(
        lines[1].contains("deploy/docker-compose.yml:5:31: warning[TY006]"),
        "{text}"
    );
    assert!(lines[2].contains("deploy/web.env:1:32: error[TY001]"), "{text}");
    assert_eq!(output.status.code(), Some(1));
    // A script that runs no omero command is skipped quietly.
    let script = dir.path().join("backup.sh");
    let skipped = omeroconf(&["lint", "--format", "short", script.to_str().unwrap_or_default()]);
    assert_eq!((skipped.status.code(), stdout(&skipped)), (Some(0), String::new()));
}

fn omeroconf_with_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_omeroconf"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("stdin accepts the input");
    }
    child.wait_with_output().expect("the binary finishes")
}

#[test]
fn stdin_and_the_ci_formats() {
    let output = omeroconf_with_stdin(
        &["lint", "--from", "env", "--format", "short", "-"],
        "CONFIG_omero_web_debug=yes\n",
    );
    assert_eq!(
        stdout(&output),
        "<stdin>:1:24: warning[TY006] omero.web.debug: `yes` is read as False\n"
    );
    let output = omeroconf_with_stdin(
        &["lint", "--from", "env", "--format", "github", "-"],
        "CONFIG_omero_web_debug=yes\n",
    );
    assert!(stdout(&output).starts_with(
        "::warning file=<stdin>,line=1,endLine=1,col=24,endColumn=27,title=TY006 (boolean-means-false)::"
    ));
    // Not a terminal: the human report has no colour codes even without NO_COLOR.
    let output = omeroconf_with_stdin(&["lint", "--from", "env", "-"], "CONFIG_omero_web_debug=yes\n");
    assert!(
        stdout(&output).contains("TY006") && !stdout(&output).contains('\u{1b}'),
        "{}",
        stdout(&output)
    );
}

#[test]
fn completions_and_man_page_name_every_subcommand() {
    let help = stdout(&omeroconf(&["--help"]));
    let subcommands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // Wrapped descriptions continue with deeper indentation.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    assert!(subcommands.len() >= 7, "{subcommands:?}");
    for generated in [
        vec!["completions", "bash"],
        vec!["completions", "zsh"],
        vec!["completions", "fish"],
        vec!["man"],
    ] {
        let output = omeroconf(&generated);
        assert_eq!(output.status.code(), Some(0), "{generated:?}");
        let text = stdout(&output);
        for name in &subcommands {
            assert!(text.contains(name), "{generated:?} does not mention `{name}`");
        }
    }
}

#[test]
fn convert_to_env_and_ansible() {
    let (_dir, path) = temp_file(
        "web.properties",
        b"omero.web.server_list=[[\"omero.example.org\", 4064, \"omero\"]]\nomero.web.debug=false\nomero.x.y=1\n",
    );
    let path = path.to_str().unwrap_or_default();
    let env = omeroconf(&["convert", "--to", "env", path]);
    assert_eq!(
        stdout(&env),
        "# omero-web-docker settings: docker run --env-file FILE\nCONFIG_omero_web_server__list=[[\"omero.example.org\", 4064, \"omero\"]]\nCONFIG_omero_web_debug=false\n# omero.x.y cannot be set by a variable; see the warning\n"
    );
    assert!(String::from_utf8_lossy(&env.stderr).contains("warning: omero.x.y: no CONFIG_ variable sets this key"));
    let ansible = stdout(&omeroconf(&["convert", "--to", "ansible", path]));
    assert!(ansible.contains("omero_web_config_set:\n  \"omero.web.server_list\": \"[[\\\"omero.example.org\\\", 4064, \\\"omero\\\"]]\"\n"), "{ansible}");
}

/// Every command that reads configuration takes the same input arguments.
#[test]
fn diff_and_migrate_take_every_input_argument() {
    let dir = tempfile::tempdir().expect("temp dir");
    let quoted = dir.path().join("old.env");
    let plain = dir.path().join("new.env");
    std::fs::write(&quoted, "CONFIG_omero_web_prefix=\"/omero\"\n").expect("write");
    std::fs::write(&plain, "CONFIG_omero_web_prefix=/omero\n").expect("write");
    let (old, new) = (quoted.to_string_lossy(), plain.to_string_lossy());
    // docker's --env-file keeps the quotes: the values differ.
    assert_eq!(
        omeroconf(&["diff", "--env-style", "docker", &old, &new]).status.code(),
        Some(1)
    );
    let compose = omeroconf(&["diff", "--env-style", "compose", &old, &new]);
    assert_eq!(compose.status.code(), Some(0), "{}", common::stderr(&compose));
    // Who reads the files is not said: they are compared as compose reads them.
    assert_eq!(omeroconf(&["diff", &old, &new]).status.code(), Some(0));
    let profile = omeroconf(&["diff", "--profile", "default", &old, &new]);
    assert_eq!(profile.status.code(), Some(0), "{}", common::stderr(&profile));
    let latest = omeroconf::catalog::catalog().latest.to_string();
    let migrated = omeroconf(&["migrate", "--env-style", "compose", "--to-version", &latest, &old]);
    assert_ne!(migrated.status.code(), Some(2), "{}", common::stderr(&migrated));
}

/// Help text with its wrapping undone.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The default release is the newest the catalog knows, not a number in the code.
#[test]
fn the_default_release_is_the_catalogs_latest() {
    let latest = omeroconf::catalog::catalog().latest.to_string();
    for command in ["lint", "convert"] {
        let help = words(&stdout(&omeroconf(&[command, "--help"])));
        assert!(
            help.contains(&format!("the latest omeroconf knows, {latest}]")),
            "{help}"
        );
    }
    let help = words(&stdout(&omeroconf(&["emit", "nginx", "--help"])));
    assert!(
        help.contains(&format!("the latest omeroconf knows, {latest}]")),
        "{help}"
    );
}

/// `lint .` names files as SARIF does: relative, without `./`, which is
/// what GitHub needs to attach an annotation.
#[test]
fn machine_reports_name_files_without_a_dot_prefix() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("deploy")).expect("mkdir");
    std::fs::write(
        dir.path().join("deploy/web.env"),
        "CONFIG_omero_web_wsgi__workers=five\n",
    )
    .expect("write");
    for (format, expected) in [
        ("github", "file=deploy/web.env,"),
        ("short", "\ndeploy/web.env:1:"),
        ("json", "\"path\":\"deploy/web.env\""),
        ("sarif", "\"uri\": \"deploy/web.env\""),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_omeroconf"))
            .args(["lint", "--format", format, "."])
            .current_dir(dir.path())
            .output()
            .expect("the binary runs");
        let text = format!("\n{}", stdout(&output));
        assert!(text.contains(expected), "{format}: {text}");
        assert!(!text.contains("./deploy"), "{format}: {text}");
    }
}

/// `--only-recognised` (the pre-commit hook's flag) lints named files only
/// when a directory search would pick them: CI YAML and Cargo.toml pass.
#[test]
fn only_recognised_skips_files_a_directory_search_skips() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        std::fs::write(dir.path().join(name), text).expect("write");
        dir.path().join(name).display().to_string()
    };
    let ci = write(
        "ci.yml",
        "name: CI\non: push\njobs:\n  t:\n    steps:\n      - run: echo omero\n",
    );
    let cargo = write("Cargo.toml", "[package]\nname = \"x\"\n");
    let vars = write(
        "omero-web.yml",
        "omero_web_config_set:\n  omero.web.wsgi_workers: five\n",
    );
    let run = |files: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_omeroconf"))
            .args(["lint", "--only-recognised", "--format", "short"])
            .args(files)
            .output()
            .expect("the binary runs")
    };
    let skipped = run(&[&ci, &cargo]);
    assert_eq!(skipped.status.code(), Some(0), "{skipped:?}");
    let linted = run(&[&ci, &cargo, &vars]);
    assert_eq!(linted.status.code(), Some(1), "{linted:?}");
    let text = stdout(&linted);
    assert!(text.contains("omero-web.yml:2:27: error[TY001]"), "{text}");
    assert!(!text.contains("ci.yml") && !text.contains("Cargo.toml"), "{text}");
}

/// `man --dir` writes the page of every subcommand the main page refers to
/// (`omeroconf-lint(1)` ...), each with EXIT STATUS, and groff renders them
/// without a warning.
#[test]
fn man_pages_for_every_subcommand_with_exit_status_and_examples() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().unwrap_or_default();
    let output = omeroconf(&["man", "--dir", out]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let main = std::fs::read_to_string(dir.path().join("omeroconf.1")).expect("omeroconf.1 written");
    let referred: Vec<String> = main
        .split("omeroconf\\-")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("(1)")
                .map(|(name, _)| format!("omeroconf-{}.1", name.replace("\\-", "-")))
        })
        .collect();
    assert!(referred.contains(&"omeroconf-lint.1".to_string()), "{referred:?}");
    for page in referred.iter().chain(["omeroconf-emit-systemd.1".to_string()].iter()) {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap_or_else(|_| panic!("{page} is missing"));
        assert!(text.contains(".SH \"EXIT STATUS\""), "{page}");
    }
    let lint = std::fs::read_to_string(dir.path().join("omeroconf-lint.1")).unwrap_or_default();
    assert!(
        lint.contains(".SH EXAMPLES") && lint.contains("1 errors found"),
        "{lint}"
    );
    // The page printed without --dir is the main page.
    assert_eq!(stdout(&omeroconf(&["man"])), main);
    // groff, when installed, renders each page without a warning.
    for page in &referred {
        let Ok(rendered) = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(dir.path().join(page))
            .output()
        else {
            eprintln!("SKIPPED: groff is not installed");
            return;
        };
        assert!(
            rendered.status.success() && rendered.stderr.is_empty(),
            "{page}: {rendered:?}"
        );
    }
}

/// `--from` completes format names, not file names.
#[test]
fn from_completes_format_names() {
    let bash = stdout(&omeroconf(&["completions", "bash"]));
    assert!(
        bash.contains("script omero properties xml toml json env ansible compose"),
        "bash completion does not offer the formats"
    );
    let rejected = omeroconf(&["lint", "--from", "yaml", "examples/properties.backup"]);
    assert_eq!(rejected.status.code(), Some(2));
    assert!(
        common::stderr(&rejected).contains("possible values: script, omero"),
        "{rejected:?}"
    );
}

/// ruff's and ripgrep's conventions: `--exit-zero`, `--quiet`, `-o FILE`,
/// `--color` with FORCE_COLOR, `rules --format json`.
#[test]
fn lint_output_conventions() {
    let walkthrough = "examples/setup-web.sh";
    let quiet = omeroconf(&["lint", "--exit-zero", "--quiet", "--format", "human", walkthrough]);
    assert_eq!(quiet.status.code(), Some(0), "{quiet:?}");
    let text = stdout(&quiet);
    assert!(text.contains("TY004") && !text.contains("error(s)"), "{text}");
    // Unreadable input is still status 2.
    assert_eq!(
        omeroconf(&["lint", "--exit-zero", "no/such/file"]).status.code(),
        Some(2)
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.sarif");
    let written = omeroconf(&[
        "lint",
        "--format",
        "sarif",
        "-o",
        report.to_str().unwrap_or_default(),
        walkthrough,
    ]);
    assert_eq!(written.status.code(), Some(1));
    assert!(written.stdout.is_empty());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report written")).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");

    let coloured = |extra: &[&str], force: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_omeroconf"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["lint", walkthrough])
            .args(extra)
            .env_remove("NO_COLOR")
            .env("FORCE_COLOR", force)
            .output()
            .expect("the binary runs");
        stdout(&output).contains('\u{1b}')
    };
    assert!(!coloured(&[], ""), "no terminal, no FORCE_COLOR: no colour");
    assert!(coloured(&[], "1"));
    assert!(coloured(&["--color", "always"], ""));
    assert!(!coloured(&["--color", "never"], "1"));

    let rules: serde_json::Value =
        serde_json::from_slice(&omeroconf(&["rules", "--format", "json"]).stdout).expect("JSON array");
    let first = &rules[0];
    for field in ["code", "name", "severity", "summary", "fix"] {
        assert!(!first[field].is_null(), "{field} missing: {first}");
    }
    assert_eq!(rules.as_array().map(Vec::len), Some(omeroconf::rules::RULES.len()));
}

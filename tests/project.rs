//! The project configuration, `.omeroconf.toml`, as a repository uses it:
//! found upward from each input, merged with the command line, never
//! linted as OMERO.web configuration, and refused whole when it is wrong.

mod common;

use common::{omeroconf_with_input, stderr, stdout};
use std::path::Path;
use std::process::{Command, Output, Stdio};

type Result = std::result::Result<(), Box<dyn std::error::Error>>;

/// The binary run in `dir`, without colour or an activated virtualenv; a
/// hang fails the test.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new("timeout")
        .args(["60", env!("CARGO_BIN_EXE_omeroconf")])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("VIRTUAL_ENV")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn write(dir: &Path, name: &str, text: &str) -> std::io::Result<()> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

/// The codes of every finding, as `path:CODE`, from the short report.
fn findings(output: &Output) -> Vec<String> {
    stdout(output)
        .lines()
        .filter_map(|line| {
            let path = line.split(':').next()?;
            let code = line.split('[').nth(1)?.split(']').next()?;
            Some(format!("{path}:{code}"))
        })
        .collect()
}

/// The command stopped with exit status 2 and said `expected`, without a panic.
fn refused(output: &Output, expected: &str) {
    let errors = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{errors}");
    assert!(
        errors.contains(expected) && !errors.contains("panicked"),
        "{expected}: {errors}"
    );
}

fn release(output: &Output) -> serde_json::Value {
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(output), stderr(output)));
    report["files"][0]["release"].clone()
}

const COMPOSE: &str = "services:\n  web:\n    image: openmicroscopy/omero-web-standalone:5.24.0\n";

/// `--omero-web-version` > `--venv` > project configuration > pin > latest.
#[test]
fn the_project_release_has_its_place_in_the_precedence() -> Result {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    write(root, "deploy/docker-compose.yml", COMPOSE)?;
    write(root, ".omeroconf.toml", "omero-web-version = \"5.27.1\"\n")?;
    let lint = |extra: &[&str]| {
        let mut args = vec!["lint", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("deploy/docker-compose.yml");
        release(&run_in(root, &args))
    };
    // Over the image tag, found from the directory above the input.
    let judged = lint(&[]);
    assert_eq!(
        (&judged["version"], &judged["source"], &judged["path"]),
        (&"5.27.1".into(), &"project-config".into(), &".omeroconf.toml".into())
    );
    assert_eq!(
        judged["note"],
        "image-tag 5.24.0 at deploy/docker-compose.yml:3 not used"
    );
    // The virtualenv over the project configuration.
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/venv");
    let judged = lint(&["--venv", venv]);
    assert_eq!(
        (&judged["version"], &judged["source"]),
        (&"5.33.2".into(), &"venv".into())
    );
    assert!(
        judged["note"]
            .as_str()
            .is_some_and(|n| n.starts_with("project-config 5.27.1 at .omeroconf.toml not used")),
        "{judged}"
    );
    // The option over everything.
    let judged = lint(&["--venv", venv, "--omero-web-version", "5.8.1"]);
    assert_eq!(
        (&judged["version"], &judged["source"]),
        (&"5.8.1".into(), &"option".into())
    );
    // Without the project configuration, the pin.
    let judged = lint(&["--isolated"]);
    assert_eq!(
        (&judged["version"], &judged["source"]),
        (&"5.24.0".into(), &"image-tag".into())
    );
    // A nearer file wins whole.
    write(root, "deploy/.omeroconf.toml", "omero-web-version = \"5.20.0\"\n")?;
    let judged = lint(&[]);
    assert_eq!(
        (&judged["version"], &judged["path"]),
        (&"5.20.0".into(), &"deploy/.omeroconf.toml".into())
    );
    // --config names one for every input.
    write(root, "ci/strict.toml", "omero-web-version = \"5.22.0\"\n")?;
    let judged = lint(&["--config", "ci/strict.toml"]);
    assert_eq!(
        (&judged["version"], &judged["path"]),
        (&"5.22.0".into(), &"ci/strict.toml".into())
    );
    let output = run_in(root, &["lint", "--isolated", "--config", "x", "deploy"]);
    assert_eq!(output.status.code(), Some(2), "--config and --isolated conflict");
    // The human header says it too.
    let output = run_in(root, &["lint", "deploy/docker-compose.yml"]);
    assert!(
        stdout(&output).starts_with("OMERO.web 5.20.0 (project-config deploy/.omeroconf.toml; image-tag 5.24.0 at deploy/docker-compose.yml:3 not used)"),
        "{}",
        stdout(&output)
    );
    Ok(())
}

#[test]
fn every_command_reads_at_the_project_release() -> Result {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    write(root, "web.properties", "omero.web.prefix=/omero\n")?;
    write(root, ".omeroconf.toml", "omero-web-version = \"5.6.0\"\n")?;
    let shown = |output: Output| (output.status.code(), stdout(&output), stderr(&output));
    for command in [&["emit", "gunicorn"][..], &["convert", "--to", "json"]] {
        let run = |extra: &[&str]| {
            let mut args = command.to_vec();
            args.extend_from_slice(extra);
            args.push("web.properties");
            shown(run_in(root, &args))
        };
        let pinned = run(&["--isolated", "--omero-web-version", "5.6.0"]);
        assert_eq!(run(&[]), pinned, "{command:?}");
        // The option wins over the project's release.
        assert_eq!(
            run(&["--omero-web-version", "5.33.2"]),
            run(&["--isolated"]),
            "{command:?}"
        );
    }
    // 5.6.0 reads the default wsgi_threads as a string and cannot start
    // gunicorn; the latest can.
    let emitted = shown(run_in(root, &["emit", "gunicorn", "web.properties"]));
    assert_eq!(emitted.0, Some(1), "{emitted:?}");
    assert!(emitted.2.contains("wsgi_threads"), "{emitted:?}");
    let latest = shown(run_in(root, &["emit", "gunicorn", "--isolated", "web.properties"]));
    assert_eq!(latest.0, Some(0), "{latest:?}");
    // diff reads both sides there unless told otherwise; migrate starts there.
    write(root, ".omeroconf.toml", "omero-web-version = \"5.20.0\"\n")?;
    let json =
        |args: &[&str]| -> serde_json::Value { serde_json::from_slice(&run_in(root, args).stdout).unwrap_or_default() };
    let diff = json(&[
        "diff",
        "--format",
        "json",
        "--old-version",
        "5.6.0",
        "web.properties",
        "web.properties",
    ]);
    assert_eq!(
        (&diff["old"]["release"], &diff["new"]["release"]),
        (&"5.6.0".into(), &"5.20.0".into())
    );
    let migrated = json(&[
        "migrate",
        "--format",
        "json",
        "--to-version",
        "5.33.2",
        "web.properties",
    ]);
    assert_eq!(migrated["from"], "5.20.0");
    let migrated = json(&[
        "migrate",
        "--isolated",
        "--format",
        "json",
        "--to-version",
        "5.33.2",
        "web.properties",
    ]);
    assert_eq!(migrated["from"], "5.6.0");
    Ok(())
}

#[test]
fn select_and_ignore_merge_with_the_command_line_as_ruff_does() -> Result {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    // TY006 (`yes` is False), KY001 (a misspelt key).
    let text = "omero.web.debug=yes\nomero.web.debgu=true\n";
    write(root, "web.properties", text)?;
    write(root, "legacy/web.properties", text)?;
    let lint = |extra: &[&str]| {
        let mut args = vec!["lint", "--format", "short"];
        args.extend_from_slice(extra);
        args.extend(["web.properties", "legacy/web.properties"]);
        let output = run_in(root, &args);
        assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
        findings(&output)
    };
    let everything = lint(&["--isolated"]);
    assert!(
        everything.contains(&"web.properties:TY006".to_string()),
        "{everything:?}"
    );
    assert!(
        everything.contains(&"web.properties:KY001".to_string()),
        "{everything:?}"
    );
    write(
        root,
        ".omeroconf.toml",
        "select = [\"TY\", \"KY\"]\nignore = [\"KY001\"]\n[per-file-ignores]\n\"legacy/\" = [\"TY006\"]\n",
    )?;
    assert_eq!(lint(&[]), vec!["web.properties:TY006"]);
    // --ignore adds to the project's.
    assert!(lint(&["--ignore", "TY006"]).is_empty());
    // --select starts afresh: the project's ignore goes, its per-file ignores stay.
    assert_eq!(
        lint(&["--select", "KY001,TY006"]),
        vec![
            "legacy/web.properties:KY001",
            "web.properties:TY006",
            "web.properties:KY001"
        ]
    );
    Ok(())
}

#[test]
fn env_style_and_cores_come_from_the_project() -> Result {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    write(root, "web.env", "CONFIG_omero_web_prefix=\"/omero\"\n")?;
    write(root, "w.properties", "omero.web.wsgi_workers=64\n")?;
    let codes = |args: &[&str]| findings(&run_in(root, args));
    // Who reads the env file is not known: both readings are said.
    assert!(codes(&["lint", "--format", "short", "web.env"]).contains(&"web.env:IN013".to_string()));
    write(root, ".omeroconf.toml", "env-style = \"docker\"\ncores = 2\n")?;
    // docker keeps the quotes: the prefix does not start with `/`.
    assert!(codes(&["lint", "--format", "short", "web.env"]).contains(&"web.env:PA001".to_string()));
    assert!(
        !codes(&["lint", "--format", "short", "--env-style", "compose", "web.env"])
            .contains(&"web.env:PA001".to_string())
    );
    // Converting reads the file the same way.
    let output = run_in(root, &["convert", "--to", "properties", "web.env"]);
    assert!(
        stdout(&output).contains("omero.web.prefix=\"/omero\""),
        "{}",
        stdout(&output)
    );
    // 64 workers for 2 cores.
    assert!(codes(&["lint", "--format", "short", "w.properties"]).contains(&"w.properties:GU001".to_string()));
    assert!(!codes(&["lint", "--format", "short", "--cores", "64", "w.properties"])
        .contains(&"w.properties:GU001".to_string()));
    // Standard input takes the current directory's.
    let output = omeroconf_with_input(
        root,
        &["lint", "--format", "short", "--from", "properties", "-"],
        b"omero.web.wsgi_workers=64\n",
    )?;
    assert!(
        stdout(&output).contains("GU001"),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    Ok(())
}

#[test]
fn exclude_leaves_paths_out_of_directory_searches() -> Result {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    for name in [
        "deploy/web.properties",
        "deploy/old/web.properties",
        "test/web.properties",
        "web.properties.backup",
    ] {
        write(root, name, "omero.web.debug=true\n")?;
    }
    let walked = |args: &[&str]| {
        let mut all = vec!["lint", "--format", "short"];
        all.extend_from_slice(args);
        let output = run_in(root, &all);
        assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
        findings(&output)
    };
    assert_eq!(walked(&["."]).len(), 4);
    write(root, ".omeroconf.toml", "exclude = [\"old/\", \"*.backup\"]\n")?;
    assert_eq!(
        walked(&["."]),
        vec!["deploy/web.properties:SC001", "test/web.properties:SC001"]
    );
    // --exclude adds to it, relative to the current directory.
    assert_eq!(
        walked(&["--exclude", "/test", "."]),
        vec!["deploy/web.properties:SC001"]
    );
    assert_eq!(
        walked(&["--exclude", "test", "--exclude", "deploy/web.properties", "."]),
        Vec::<String>::new()
    );
    // A project's globs are relative to its own directory, whatever the current one.
    let output = run_in(&root.join("deploy"), &["lint", "--format", "short", "."]);
    assert_eq!(findings(&output), vec!["web.properties:SC001"]);
    // Paths named on the command line are linted, unless --force-exclude.
    assert_eq!(walked(&["web.properties.backup"]), vec!["web.properties.backup:SC001"]);
    assert_eq!(walked(&["deploy/old"]), vec!["deploy/old/web.properties:SC001"]);
    let named = [
        "web.properties.backup",
        "deploy/old/web.properties",
        "deploy/old",
        "test/web.properties",
    ];
    let mut forced = vec!["--force-exclude", "--exclude", "test/"];
    forced.extend(named);
    assert!(walked(&forced).is_empty());
    let output = run_in(root, &["lint", "--exclude", "a{b", "."]);
    refused(&output, "--exclude `a{b` is not a glob");
    Ok(())
}

#[test]
fn a_wrong_project_configuration_is_an_error_naming_file_line_and_key() -> Result {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    write(root, "deploy/web.properties", "omero.web.debug=true\n")?;
    let cases = [
        ("selet = [\"SC\"]\n", "deploy/.omeroconf.toml:1: unknown key `selet`"),
        (
            "cores = 2\nselect = \"SC\"\n",
            "deploy/.omeroconf.toml:2: `select` must be an array of strings",
        ),
        (
            "omero-web-version = \"4.4.0\"\n",
            "`omero-web-version` omeroconf knows OMERO.web",
        ),
        (
            "[per-file-ignores]\n\"*\" = \"SC001\"\n",
            "`per-file-ignores` \"*\" must be an array of codes",
        ),
        ("select = [\n", "deploy/.omeroconf.toml:1: invalid TOML: unclosed array"),
    ];
    for (text, expected) in cases {
        write(root, "deploy/.omeroconf.toml", text)?;
        for args in [
            &["lint", "."][..],
            &["lint", "deploy/web.properties"],
            &["convert", "--to", "json", "deploy/web.properties"],
        ] {
            refused(&run_in(root, args), expected);
        }
        // It is only one input's configuration: --isolated does without it.
        let output = run_in(root, &["lint", "--isolated", "--format", "short", "."]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    // A --config that cannot be read.
    let output = run_in(root, &["lint", "--config", "missing.toml", "deploy/web.properties"]);
    refused(&output, "cannot read the project configuration missing.toml");
    Ok(())
}

#[test]
fn the_project_configuration_is_never_linted_as_omero_web_toml() -> Result {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    // It mentions omero.web, as an OMERO.web TOML file does.
    let project = "# the omero.web release this repository runs\nomero-web-version = \"5.33.2\"\n";
    write(root, ".omeroconf.toml", project)?;
    write(root, "web.toml", "[omero.web]\ndebug = true\n")?;
    let output = run_in(root, &["lint", "--format", "short", "."]);
    assert_eq!(findings(&output), vec!["web.toml:SC001"], "{}", stderr(&output));
    // Named, it is checked as a project configuration and not linted.
    let output = run_in(root, &["lint", "--format", "short", ".omeroconf.toml"]);
    assert_eq!(
        (output.status.code(), stdout(&output)),
        (Some(0), String::new()),
        "{}",
        stderr(&output)
    );
    write(root, ".omeroconf.toml", "[omero.web]\ndebug = true\n")?;
    let output = run_in(root, &["lint", "--isolated", "--only-recognised", ".omeroconf.toml"]);
    refused(&output, ".omeroconf.toml:1: unknown key `omero`");
    let output = run_in(root, &["convert", "--isolated", "--to", "json", ".omeroconf.toml"]);
    refused(&output, "omeroconf's project configuration");
    Ok(())
}

#[test]
fn a_project_file_that_is_a_fifo_is_reported_without_blocking() -> Result {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    write(root, "web.properties", "omero.web.debug=true\n")?;
    assert!(Command::new("mkfifo")
        .arg(root.join(".omeroconf.toml"))
        .status()?
        .success());
    refused(
        &run_in(root, &["lint", "web.properties"]),
        "cannot read the project configuration .omeroconf.toml: not a regular file",
    );
    Ok(())
}

/// The README's example is a project configuration omeroconf reads.
#[test]
fn the_readme_example_is_valid() -> Result {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))?;
    let example = readme
        .split("```toml\n# .omeroconf.toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .ok_or("the README shows no .omeroconf.toml")?;
    let dir = tempfile::tempdir()?;
    write(dir.path(), ".omeroconf.toml", example)?;
    write(dir.path(), "legacy/web.omero", "config set omero.web.debgu true\n")?;
    let output = run_in(dir.path(), &["lint", "--format", "json", "legacy/web.omero"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let judged = release(&output);
    assert_eq!(
        (&judged["version"], &judged["source"]),
        (&"5.24.0".into(), &"project-config".into())
    );
    // KY001 is selected, and ignored for legacy/*.omero.
    assert!(!stdout(&output).contains("KY001"), "{}", stdout(&output));
    write(dir.path(), "web.omero", "config set omero.web.debgu true\n")?;
    let output = run_in(dir.path(), &["lint", "--format", "short", "web.omero"]);
    assert!(stdout(&output).contains("KY001"), "{}", stdout(&output));
    Ok(())
}

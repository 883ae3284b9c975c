//! The `convert` and `emit` commands as a user runs them: exit statuses
//! (0 written, 1 refused, 2 usage or I/O error), files never overwritten
//! without --force, secrets masked on request.

use std::path::Path;
use std::process::{Command, Output};

fn omeroconf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_omeroconf"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run omeroconf: {e}"))
}

fn status(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{name}: {e}"));
    path.display().to_string()
}

#[test]
fn convert_writes_refuses_and_never_overwrites_without_force() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let input = write(
        dir.path(),
        "web.properties",
        "omero.web.prefix=/omero\nomero.web.public.password=hunter2\n",
    );
    let out = dir.path().join("config.xml").display().to_string();

    let first = omeroconf(&["convert", &input, "--to", "xml", "-o", &out]);
    assert_eq!(status(&first), 0, "{}", stderr(&first));
    let written = std::fs::read_to_string(&out)?;
    assert!(written.contains("value=\"hunter2\""), "config outputs carry secrets");

    let again = omeroconf(&["convert", &input, "--to", "toml", "-o", &out]);
    assert_eq!(status(&again), 1);
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(&out)?,
        written,
        "the existing file is untouched"
    );

    let forced = omeroconf(&[
        "convert",
        &input,
        "--to",
        "toml",
        "-o",
        &out,
        "--force",
        "--mask-secrets",
    ]);
    assert_eq!(status(&forced), 0, "{}", stderr(&forced));
    let toml = std::fs::read_to_string(&out)?;
    assert!(
        toml.contains("prefix = \"/omero\"") && !toml.contains("hunter2"),
        "{toml}"
    );

    let missing_dir = dir.path().join("no/such/dir/x.json").display().to_string();
    assert_eq!(
        status(&omeroconf(&["convert", &input, "--to", "json", "-o", &missing_dir])),
        2
    );
    assert_eq!(status(&omeroconf(&["convert", &input, "--to", "yaml"])), 2);
    Ok(())
}

#[test]
fn convert_names_the_key_a_format_cannot_carry() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let input = write(
        dir.path(),
        "web.json",
        "{\"omero.web.login_logo\": \"/static/logo.png \"}\n",
    );
    let refused = omeroconf(&["convert", &input, "--to", "properties"]);
    assert_eq!(status(&refused), 1);
    assert!(
        stderr(&refused).contains("omero.web.login_logo"),
        "{}",
        stderr(&refused)
    );
    assert!(refused.stdout.is_empty(), "nothing is printed when refused");

    let forced = omeroconf(&["convert", &input, "--to", "properties", "--force"]);
    assert_eq!(status(&forced), 0);
    assert_eq!(
        String::from_utf8_lossy(&forced.stdout),
        "omero.web.login_logo=/static/logo.png\n"
    );
    assert!(
        stderr(&forced).contains("warning: omero.web.login_logo"),
        "{}",
        stderr(&forced)
    );
    Ok(())
}

#[test]
fn emit_refuses_like_omero_with_status_1() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let conflict = write(
        dir.path(),
        "conflict.properties",
        "omero.web.application_server.port=8080\n",
    );
    let refused = omeroconf(&["emit", "nginx-development", &conflict]);
    assert_eq!(status(&refused), 1);
    assert!(
        stderr(&refused).contains("omero.web.application_server.port"),
        "{}",
        stderr(&refused)
    );
    let moved = omeroconf(&["emit", "nginx-development", &conflict, "--http", "8081"]);
    assert_eq!(status(&moved), 0, "{}", stderr(&moved));
    assert!(String::from_utf8_lossy(&moved.stdout).contains("listen 8081;"));

    let argv = omeroconf(&["emit", "gunicorn", &conflict, "--omerodir", "/srv/web"]);
    assert_eq!(String::from_utf8_lossy(&argv.stdout).lines().count(), 1);
    assert!(String::from_utf8_lossy(&argv.stdout)
        .starts_with("gunicorn -D -p /srv/web/var/django.pid --bind 127.0.0.1:8080 "));

    let unit = omeroconf(&["emit", "systemd", &conflict, "--omerodir", "/srv/web", "--user", "web"]);
    assert!(String::from_utf8_lossy(&unit.stdout).contains("\nPIDFile=/srv/web/var/django.pid\n"));

    assert_eq!(status(&omeroconf(&["emit", "nginx", &conflict, "--http", "eighty"])), 2);
    assert_eq!(status(&omeroconf(&["emit", "nginx", "/no/such/file.properties"])), 2);
    Ok(())
}

#[test]
fn unreadable_inputs_are_refused_not_half_converted() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let script = write(dir.path(), "setup.sh", "omero config set omero.web.prefix '/omero\n");
    let toml = write(dir.path(), "web.toml", "[omero.web\nprefix = 1\n");
    for input in [&script, &toml] {
        for args in [
            vec!["convert", input.as_str(), "--to", "json"],
            vec!["emit", "nginx", input.as_str()],
        ] {
            let output = omeroconf(&args);
            assert_eq!(status(&output), 1, "{args:?}");
            assert!(
                stderr(&output).contains("cannot be read as a whole"),
                "{args:?}: {}",
                stderr(&output)
            );
            assert!(output.stdout.is_empty(), "{args:?}");
        }
    }
    Ok(())
}

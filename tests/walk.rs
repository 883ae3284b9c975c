//! `lint DIR` on hostile trees: FIFOs, devices, symlink loops, links out of
//! the tree, unreadable paths and huge files. Each run has a `timeout`
//! guard (a hang fails the test, not the suite) and a memory cap.

mod common;

use common::{omeroconf_with_input, stderr, stdout};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

type Result = std::result::Result<(), Box<dyn std::error::Error>>;

const CONFIG: &str = "omero.web.prefix=/omero\n";

/// `lint --format short` on `args`, optionally as `nobody`, capped at 100 MB.
fn lint(dir: &Path, args: &[&str], nobody: bool) -> Output {
    let mut command = Command::new("prlimit");
    command.arg(format!("--as={}", 100u64 << 20));
    if nobody {
        command.args(["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"]);
    }
    command
        .args([
            "timeout",
            "60",
            env!("CARGO_BIN_EXE_omeroconf"),
            "lint",
            "--format",
            "short",
        ])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("prlimit runs")
}

/// A tree everyone may read, with one configuration file in `etc/`.
fn tree() -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
    std::fs::create_dir(dir.path().join("etc"))?;
    std::fs::write(dir.path().join("etc/web.properties"), "omero.web.debug=true\n")?;
    Ok(dir)
}

#[test]
fn fifos_devices_and_links_out_of_the_tree_are_not_opened() -> Result {
    let dir = tree()?;
    let root = dir.path();
    assert!(Command::new("mkfifo")
        .arg(root.join("etc/pipe.properties"))
        .status()?
        .success());
    std::os::unix::fs::symlink("/dev/zero", root.join("zero.properties"))?;
    std::os::unix::fs::symlink("/", root.join("everything"))?;
    // A sparse 1 GB file: only its first bytes are read to recognise it.
    std::fs::File::create(root.join("huge.xml"))?.set_len(1 << 30)?;
    let output = lint(root, &["."], false);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "etc/web.properties:1:17: warning[SC001] debug mode shows settings and request data on error pages\n"
    );
    Ok(())
}

#[test]
fn symlink_loops_visit_each_file_once() -> Result {
    let dir = tree()?;
    let etc = dir.path().join("etc");
    std::os::unix::fs::symlink(".", etc.join("x"))?;
    std::os::unix::fs::symlink(".", etc.join("y"))?;
    std::os::unix::fs::symlink("..", etc.join("up"))?;
    let output = lint(dir.path(), &["etc"], false);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 1, "{}", stdout(&output));
    Ok(())
}

#[test]
fn unreadable_paths_are_reported_and_the_scan_goes_on() -> Result {
    let dir = tree()?;
    let root = dir.path();
    std::fs::write(root.join("secret.properties"), CONFIG)?;
    std::fs::set_permissions(root.join("secret.properties"), std::fs::Permissions::from_mode(0o000))?;
    std::fs::create_dir(root.join("locked"))?;
    std::fs::write(root.join("locked/web.properties"), CONFIG)?;
    std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o000))?;
    std::fs::create_dir(root.join("later"))?;
    std::fs::write(root.join("later/web.properties"), "omero.web.debug=true\n")?;
    let output = lint(root, &["."], true);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let errors = stderr(&output);
    assert!(
        errors.contains("error: cannot read the directory ./locked: Permission denied"),
        "{errors}"
    );
    assert!(
        errors.contains("error: cannot read ./secret.properties: Permission denied"),
        "{errors}"
    );
    // Both readable files, before and after the locked folder, are judged.
    assert_eq!(stdout(&output).matches("SC001").count(), 2, "{}", stdout(&output));
    Ok(())
}

#[test]
fn inputs_named_on_the_command_line_are_read_even_when_not_regular_files() -> Result {
    let output = omeroconf_with_input(
        Path::new("."),
        &["lint", "--format", "short", "--from", "properties", "/dev/stdin"],
        b"omero.web.debug=true\n",
    )?;
    assert!(
        stdout(&output).contains("SC001"),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    Ok(())
}

/// The files a short report names, in order.
fn reported(output: &Output) -> Vec<String> {
    stdout(output)
        .lines()
        .filter_map(|line| line.split(':').next().map(String::from))
        .collect()
}

#[test]
fn ignore_files_leave_paths_out_but_not_the_env_files_git_does_not_keep() -> Result {
    let dir = tree()?;
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git"))?;
    std::fs::create_dir_all(root.join("build"))?;
    std::fs::create_dir_all(root.join("deploy"))?;
    std::fs::write(root.join(".gitignore"), "build/\n*.env\n.env\nsecret.properties\n")?;
    std::fs::write(root.join("build/web.properties"), "omero.web.debug=true\n")?;
    std::fs::write(root.join("secret.properties"), "omero.web.debug=true\n")?;
    std::fs::write(root.join(".env"), "CONFIG_omero_web_debug=true\n")?;
    std::fs::write(root.join("deploy/web.env"), "CONFIG_omero_web_debug=true\n")?;
    let output = lint(root, &["."], false);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        reported(&output),
        vec![".env", "deploy/web.env", "etc/web.properties"],
        "{}",
        stdout(&output)
    );
    // `.ignore` wins over `.gitignore`: it leaves out an env file, and takes build/ back.
    std::fs::write(root.join(".ignore"), "deploy/web.env\n!build/\n")?;
    let output = lint(root, &["."], false);
    assert_eq!(
        reported(&output),
        vec![".env", "build/web.properties", "etc/web.properties"],
        "{}",
        stdout(&output)
    );
    // A file named on the command line is linted, ignored or not.
    let output = lint(root, &["secret.properties", "deploy/web.env"], false);
    assert_eq!(reported(&output), vec!["deploy/web.env", "secret.properties"]);
    Ok(())
}

#[test]
fn gitignore_applies_inside_a_work_tree_from_its_root_down() -> Result {
    let dir = tree()?;
    let root = dir.path();
    std::fs::write(root.join(".gitignore"), "etc/\n*.backup\n")?;
    std::fs::write(root.join("etc/old.backup"), "omero.web.debug=true\n")?;
    // Not a git work tree: `.gitignore` means nothing to git here.
    let output = lint(root, &["."], false);
    assert_eq!(reported(&output), vec!["etc/old.backup", "etc/web.properties"]);
    std::fs::create_dir(root.join(".git"))?;
    let output = lint(root, &["."], false);
    assert_eq!((output.status.code(), reported(&output)), (Some(0), vec![]));
    // A directory named on the command line is searched, with the
    // `.gitignore` files above it.
    let output = lint(root, &["etc"], false);
    assert_eq!(reported(&output), vec!["etc/web.properties"]);
    // A deeper `.gitignore` takes a file back.
    std::fs::write(root.join("etc/.gitignore"), "!old.backup\n")?;
    let output = lint(root, &["etc"], false);
    assert_eq!(reported(&output), vec!["etc/old.backup", "etc/web.properties"]);
    // A nested work tree does not take its parent's `.gitignore`.
    std::fs::create_dir(root.join("etc/.git"))?;
    std::fs::remove_file(root.join("etc/.gitignore"))?;
    let output = lint(root, &["etc"], false);
    assert_eq!(reported(&output), vec!["etc/old.backup", "etc/web.properties"]);
    Ok(())
}

#[test]
fn hostile_ignore_files_are_reported_not_followed() -> Result {
    let dir = tree()?;
    let root = dir.path();
    std::fs::create_dir(root.join(".git"))?;
    assert!(Command::new("mkfifo").arg(root.join(".gitignore")).status()?.success());
    std::os::unix::fs::symlink("/dev/zero", root.join("etc/.ignore"))?;
    std::fs::create_dir(root.join("big"))?;
    std::fs::write(root.join("big/web.properties"), "omero.web.debug=true\n")?;
    // A sparse 1 GB ignore file is not read, nor any part of one a little
    // too large (a cut `*.env` would be `*`).
    std::fs::File::create(root.join("big/.gitignore"))?.set_len(1 << 30)?;
    std::fs::create_dir(root.join("cut"))?;
    std::fs::write(root.join("cut/web.properties"), "omero.web.debug=true\n")?;
    let mut patterns = "old.properties\n".repeat(64 * 1024 / 15);
    patterns.push_str("*.env\n");
    std::fs::write(root.join("cut/.gitignore"), patterns)?;
    let output = lint(root, &["."], false);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let errors = stderr(&output);
    for expected in [
        "cannot read ./.gitignore: not a regular file",
        "cannot read ./etc/.ignore: not a regular file",
        "cannot read ./big/.gitignore: larger than 65536 bytes, so not used",
        "cannot read ./cut/.gitignore: larger than",
    ] {
        assert!(errors.contains(expected), "{expected}: {errors}");
    }
    assert_eq!(
        reported(&output),
        vec!["big/web.properties", "cut/web.properties", "etc/web.properties"]
    );
    Ok(())
}

//! What every writing command does to the files it touches: symlinks,
//! hard links, mode, owner, devices, standard input, and failures (tests run
//! as root, so permission cases run the binary as `nobody`, and a full disk is
//! a small tmpfs).

mod common;

use common::{stderr, stdout};
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};

type Result = std::result::Result<(), Box<dyn std::error::Error>>;

/// A property `lint --fix` rewrites (the trailing slash of the prefix).
const FIXABLE: &str = "omero.web.prefix=/omero/\n";
const FIXED: &str = "omero.web.prefix=/omero\n";
/// A key `migrate` renames for 5.33.2 (to `omero.web.prefix`).
const MIGRATABLE: &str = "omero.web.force_script_name=/omero\n";

/// Runs the binary in `dir`, optionally as `nobody` and under a shell umask.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_omeroconf"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn as_nobody(dir: &Path, args: &[&str]) -> Output {
    Command::new("setpriv")
        .args(["--reuid", "nobody", "--regid", "nogroup", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_omeroconf"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("setpriv runs")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).map_or(0, |m| m.mode() & 0o7777)
}

#[test]
fn fix_through_a_symlink_edits_the_real_file_and_keeps_mode_and_owner() -> Result {
    let dir = tempfile::tempdir()?;
    let real_dir = dir.path().join("etc");
    std::fs::create_dir(&real_dir)?;
    let real = real_dir.join("web.properties");
    std::fs::write(&real, FIXABLE)?;
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640))?;
    // Owned by the user OMERO.web runs as, not by root who runs the fix.
    std::os::unix::fs::chown(&real, Some(65534), Some(65534))?;
    let link = dir.path().join("web.properties");
    std::os::unix::fs::symlink(&real, &link)?;
    let output = run(dir.path(), &["lint", "--fix", "web.properties"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        std::fs::symlink_metadata(&link)?.file_type().is_symlink(),
        "the link stays a link"
    );
    assert_eq!(std::fs::read_to_string(&real)?, FIXED);
    let metadata = std::fs::metadata(&real)?;
    assert_eq!(
        (metadata.mode() & 0o7777, metadata.uid(), metadata.gid()),
        (0o640, 65534, 65534)
    );
    // The temporary file was written beside the real file and is gone.
    assert_eq!(std::fs::read_dir(&real_dir)?.count(), 1);
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 2);
    Ok(())
}

#[test]
fn fix_keeps_hard_links() -> Result {
    let dir = tempfile::tempdir()?;
    let one = dir.path().join("web.properties");
    let other = dir.path().join("same.properties");
    std::fs::write(&one, FIXABLE)?;
    std::fs::hard_link(&one, &other)?;
    let output = run(dir.path(), &["lint", "--fix", "web.properties"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&other)?, FIXED, "both names show the fix");
    assert_eq!(std::fs::metadata(&one)?.nlink(), 2);
    Ok(())
}

#[test]
fn convert_force_keeps_the_mode_and_new_files_follow_the_umask() -> Result {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("web.properties"), FIXED)?;
    let out = dir.path().join("config.json");
    std::fs::write(&out, "{}\n")?;
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644))?;
    let output = run(
        dir.path(),
        &[
            "convert",
            "--to",
            "json",
            "web.properties",
            "-o",
            "config.json",
            "--force",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(mode(&out), 0o644);
    let output = Command::new("sh")
        .args([
            "-c",
            "umask 027 && exec \"$0\" convert --to json web.properties -o new.json",
        ])
        .arg(env!("CARGO_BIN_EXE_omeroconf"))
        .current_dir(dir.path())
        .output()?;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(mode(&dir.path().join("new.json")), 0o640);
    Ok(())
}

#[test]
fn outputs_that_are_not_regular_files() -> Result {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("web.properties"), FIXED)?;
    // /dev/stdout needs no --force and is written, not replaced.
    let output = run(
        dir.path(),
        &["convert", "--to", "json", "web.properties", "-o", "/dev/stdout"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("\"omero.web.prefix\": \"/omero\""),
        "{}",
        stdout(&output)
    );
    // A device node is written in place, never replaced by a regular file.
    let null = dir.path().join("null");
    let made = Command::new("mknod").arg(&null).args(["c", "1", "3"]).status()?;
    if made.success() {
        let output = run(
            dir.path(),
            &["convert", "--to", "json", "web.properties", "-o", "null", "--force"],
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(std::fs::symlink_metadata(&null)?.file_type().is_char_device());
    }
    // A directory says so.
    let output = run(dir.path(), &["convert", "--to", "json", "web.properties", "-o", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("is a directory"), "{}", stderr(&output));
    Ok(())
}

#[test]
fn standard_input_is_never_written_to_a_file_named_dash() -> Result {
    let dir = tempfile::tempdir()?;
    for args in [
        vec!["lint", "--fix", "-"],
        vec![
            "migrate",
            "-",
            "--to-version",
            "5.33.2",
            "--from-version",
            "5.22.0",
            "--write",
        ],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_omeroconf"))
            .args(&args)
            .current_dir(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            // `migrate` refuses before reading: a closed pipe is fine.
            let _ = std::io::Write::write_all(&mut stdin, format!("{FIXABLE}{MIGRATABLE}").as_bytes());
        }
        let output = child.wait_with_output()?;
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("standard input cannot be edited in place"),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(std::fs::read_dir(dir.path())?.count(), 0, "{args:?}: no file `-`");
    }
    Ok(())
}

#[test]
fn a_fix_that_cannot_be_written_exits_2() -> Result {
    let dir = tempfile::tempdir()?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
    let path = dir.path().join("web.properties");
    std::fs::write(&path, FIXABLE)?;
    let output = as_nobody(dir.path(), &["lint", "--fix", "web.properties"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot fix web.properties: Permission denied"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&path)?, FIXABLE);
    Ok(())
}

#[test]
fn migrate_write_numbers_backups_beside_the_real_file() -> Result {
    let dir = tempfile::tempdir()?;
    let real = dir.path().join("real.properties");
    std::fs::write(&real, MIGRATABLE)?;
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640))?;
    std::fs::write(dir.path().join("real.properties.bak"), "older\n")?;
    std::os::unix::fs::symlink("real.properties", dir.path().join("web.properties"))?;
    let output = run(
        dir.path(),
        &[
            "migrate",
            "web.properties",
            "--to-version",
            "5.33.2",
            "--from-version",
            "5.22.0",
            "--write",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real.properties.bak"))?,
        "older\n"
    );
    let backup = dir.path().join("real.properties.bak.1");
    assert_eq!(std::fs::read_to_string(&backup)?, MIGRATABLE);
    assert_eq!(mode(&backup), 0o640);
    assert!(std::fs::symlink_metadata(dir.path().join("web.properties"))?
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&real)?, "omero.web.prefix=/omero\n");
    Ok(())
}

/// A 64 KiB tmpfs mounted on a fresh directory, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// A small tmpfs, or `None` where this machine does not let the tests mount
/// one (in CI, which runs as root, that fails the test instead).
fn small_tmpfs() -> Option<Tmpfs> {
    let dir = tempfile::tempdir().ok()?;
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(dir.path())
        .output();
    let why = match mounted {
        Ok(output) if output.status.success() => return Some(Tmpfs { dir }),
        Ok(output) => String::from_utf8_lossy(&output.stderr).trim().to_string(),
        Err(e) => e.to_string(),
    };
    assert!(
        std::env::var_os("CI").is_none(),
        "CI runs as root and must be able to mount a tmpfs for the disk-full test: {why}"
    );
    eprintln!("SKIPPED: cannot mount a tmpfs ({why}), so writes to a full disk were not tested");
    None
}

/// Fill the file system holding `dir`.
fn fill(dir: &Path) -> Result {
    let mut filler = std::fs::File::create(dir.join("filler"))?;
    let block = [0u8; 4096];
    for _ in 0..1024 {
        if filler.write_all(&block).and_then(|()| filler.sync_data()).is_err() {
            return Ok(());
        }
    }
    Err("a 64 KiB tmpfs took 4 MiB".into())
}

#[test]
fn writes_to_a_full_disk_exit_2_and_leave_the_original() -> Result {
    let Some(tmpfs) = small_tmpfs() else {
        return Ok(());
    };
    let dir = tmpfs.dir.path();
    std::fs::write(dir.join("web.properties"), FIXABLE)?;
    std::fs::write(dir.join("old.properties"), MIGRATABLE)?;
    std::fs::write(dir.join("out.xml"), "previous\n")?;
    fill(dir)?;
    let migrate = [
        "migrate",
        "old.properties",
        "--to-version",
        "5.33.2",
        "--from-version",
        "5.22.0",
        "--write",
    ];
    let convert = ["convert", "--to", "xml", "web.properties", "-o", "out.xml", "--force"];
    let convert_new = ["convert", "--to", "xml", "web.properties", "-o", "new.xml"];
    for (args, message) in [
        (
            &["lint", "--fix", "web.properties"][..],
            "cannot fix web.properties: No space left on device",
        ),
        (&migrate[..], "cannot back up old.properties: No space left on device"),
        (&convert[..], "cannot write out.xml: No space left on device"),
        (&convert_new[..], "cannot write new.xml: No space left on device"),
    ] {
        let output = run(dir, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(message), "{args:?}: {}", stderr(&output));
    }
    assert_eq!(std::fs::read_to_string(dir.join("web.properties"))?, FIXABLE);
    assert_eq!(std::fs::read_to_string(dir.join("old.properties"))?, MIGRATABLE);
    assert_eq!(std::fs::read_to_string(dir.join("out.xml"))?, "previous\n");
    // No temporary file, backup or new output is left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()?;
    names.sort();
    assert_eq!(names, ["filler", "old.properties", "out.xml", "web.properties"]);
    Ok(())
}

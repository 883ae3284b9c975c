//! Finding configuration files under a directory, safely on any tree.
//!
//! Only regular files are opened, without blocking (a FIFO swapped in
//! after the check cannot hang the scan), and only their first
//! [`SNIFF_BYTES`] are read to recognise them. A directory is entered once
//! (by device and inode), so `ln -s . x` loops end; a directory symlink is
//! followed only when it stays inside the root, so a link to `/` is not a
//! walk of the whole filesystem. Each path that cannot be read is reported
//! and the walk goes on. Hidden files (`.env`) are searched; version
//! control, build output and dependency folders are not.
//!
//! ripgrep's `ignore` crate was considered: with its ignore-file filters
//! off (a `.env` is usually git-ignored, and is exactly what we look for)
//! it would add a dependency for what these few lines do; `.gitignore` and
//! `--exclude` support can switch to it.

use crate::document::Format;
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Folders never searched: version control, build output, dependencies.
pub const SKIPPED_DIRS: [&str; 4] = [".git", "target", "node_modules", ".venv"];

/// How much of a file is read to recognise it.
pub const SNIFF_BYTES: u64 = 64 * 1024;

/// What a walk found: configuration files in path order, with the format
/// each was recognised as, and one message per path it could not read.
#[derive(Debug, Default)]
pub struct Walk {
    pub inputs: Vec<(PathBuf, Format)>,
    pub errors: Vec<String>,
}

/// Searches `root` for configuration files.
pub fn walk(root: &Path) -> Walk {
    let mut walk = Walk::default();
    match std::fs::canonicalize(root) {
        Ok(real_root) => {
            let mut seen = Seen::default();
            visit(root, &real_root, &mut seen, &mut walk);
        }
        Err(e) => walk
            .errors
            .push(format!("cannot read the directory {}: {e}", root.display())),
    }
    walk
}

/// Opens a regular file for reading without blocking, and checks on the
/// open file that it is one (it may have been swapped since it was listed).
pub fn open_regular(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(io::Error::other("not a regular file"))
    }
}

/// Directories entered and files found, by device and inode.
#[derive(Default)]
struct Seen {
    dirs: HashSet<(u64, u64)>,
    files: HashSet<(u64, u64)>,
}

fn visit(dir: &Path, real_root: &Path, seen: &mut Seen, walk: &mut Walk) {
    let entries = match std::fs::metadata(dir).and_then(|m| {
        let fresh = seen.dirs.insert((m.dev(), m.ino()));
        std::fs::read_dir(dir).map(|entries| (fresh, entries))
    }) {
        Ok((false, _)) => return,
        Ok((true, entries)) => entries,
        Err(e) => {
            return walk
                .errors
                .push(format!("cannot read the directory {}: {e}", dir.display()))
        }
    };
    let mut paths = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => paths.push(entry.path()),
            Err(e) => walk
                .errors
                .push(format!("cannot read the directory {}: {e}", dir.display())),
        }
    }
    paths.sort();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        let metadata = match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_symlink() => match std::fs::metadata(&path) {
                Ok(target) => target,
                // A dangling link names nothing to check.
                Err(_) => continue,
            },
            Ok(m) => m,
            Err(e) => {
                walk.errors.push(format!("cannot read {}: {e}", path.display()));
                continue;
            }
        };
        if metadata.is_dir() {
            let inside = std::fs::canonicalize(&path).is_ok_and(|real| real.starts_with(real_root));
            if !SKIPPED_DIRS.contains(&name.as_ref()) && inside {
                visit(&path, real_root, seen, walk);
            }
        } else if metadata.is_file() && seen.files.insert((metadata.dev(), metadata.ino())) {
            match sniff(&path) {
                Ok(Some(text)) => {
                    if let Some(format) = crate::formats::recognise(&path, &text) {
                        walk.inputs.push((path, format));
                    }
                }
                // Not UTF-8: configuration only if named as such and it
                // mentions omero, which is then worth saying.
                Ok(None) if crate::formats::named(&path) && mentions_omero(&path) => walk.errors.push(format!(
                    "{} is not UTF-8 text, so it is not checked; OMERO reads configuration as UTF-8",
                    path.display()
                )),
                Ok(None) => {}
                Err(e) => walk.errors.push(format!("cannot read {}: {e}", path.display())),
            }
        }
        // FIFOs, devices and sockets are never opened.
    }
}

/// Whether the first [`SNIFF_BYTES`] of a file contain `omero`.
fn mentions_omero(path: &Path) -> bool {
    let mut bytes = Vec::new();
    open_regular(path)
        .and_then(|file| file.take(SNIFF_BYTES).read_to_end(&mut bytes))
        .is_ok_and(|_| bytes.windows(5).any(|w| w == b"omero"))
}

/// The first [`SNIFF_BYTES`] of a file as text, cut at a character
/// boundary; `None` for bytes that are not UTF-8.
fn sniff(path: &Path) -> io::Result<Option<String>> {
    let mut bytes = Vec::new();
    open_regular(path)?.take(SNIFF_BYTES).read_to_end(&mut bytes)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(text)),
        // Only a character cut at the end of the sample is forgiven.
        Err(e) if e.utf8_error().error_len().is_none() => {
            let valid = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.truncate(valid);
            Ok(String::from_utf8(bytes).ok())
        }
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configuration_file_that_is_not_utf8_is_reported() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(
            dir.path().join("web.properties"),
            b"omero.web.logdir=/var/log/\xe9t\xe9\n",
        )?;
        // Latin-1 files of other tools stay out of it.
        std::fs::write(dir.path().join("log4j.properties"), b"log4j.appender=caf\xe9\n")?;
        std::fs::write(dir.path().join("logo.png"), b"\x89PNG omero")?;
        let found = walk(dir.path());
        assert!(found.inputs.is_empty());
        assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
        assert!(
            found.errors[0].contains("web.properties is not UTF-8"),
            "{:?}",
            found.errors
        );
        Ok(())
    }

    #[test]
    fn a_sample_cut_inside_a_character_is_still_text() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("web.toml");
        // `é` is two bytes: the sample ends between them.
        let mut text = String::from("[omero.web]\n#");
        text.push_str(&"x".repeat(SNIFF_BYTES as usize - text.len() - 1));
        text.push_str("é\n");
        std::fs::write(&path, &text)?;
        let sample = sniff(&path)?.unwrap_or_default();
        assert_eq!(sample.len(), SNIFF_BYTES as usize - 1);
        std::fs::write(&path, b"[omero.web]\n\xff\n")?;
        assert_eq!(sniff(&path)?, None);
        // A configuration file that is not UTF-8 is said, not skipped.
        let found = walk(dir.path());
        assert!(found.inputs.is_empty() && found.errors.len() == 1, "{found:?}");
        Ok(())
    }
}

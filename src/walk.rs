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
//! What the repository leaves out is left out, as ripgrep does: `.ignore`
//! files, and `.gitignore` files inside a git work tree (up to its root),
//! in the tree and in the directories above it, with ripgrep's own matcher
//! (the `ignore` crate's; its walker is not used, so the guarantees above
//! hold, and each ignore file is read here like any other file); `.ignore`
//! wins over `.gitignore`, a deeper file over a shallower one, and an
//! ignored directory is not entered. So are the caller's `excluded` paths
//! (`--exclude`, a project's `exclude`). One exception: an env file
//! (`.env`, `*.env`, `env.list`) that only `.gitignore` leaves out is still
//! searched. A deployment keeps the secrets it does not commit there, and
//! compose reads it all the same, so it is exactly what needs checking;
//! `.ignore` or `--exclude` leave it out.

use crate::document::Format;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

/// Folders never searched: version control, build output, dependencies.
pub const SKIPPED_DIRS: [&str; 4] = [".git", "target", "node_modules", ".venv"];

/// How much of a file is read to recognise it.
pub const SNIFF_BYTES: u64 = 64 * 1024;

/// The largest ignore file read, and the longest pattern taken from it (a
/// path is at most 4096 bytes): more is no hand-written list, and each
/// pattern costs the matcher memory.
const IGNORE_FILE_BYTES: u64 = SNIFF_BYTES;
const IGNORE_PATTERN_BYTES: usize = 4096;

/// What a walk found: configuration files in path order, with the format
/// each was recognised as, and one message per path it could not read.
#[derive(Debug, Default)]
pub struct Walk {
    pub inputs: Vec<(PathBuf, Format)>,
    pub errors: Vec<String>,
}

/// Searches `root` for configuration files, leaving out what ignore files
/// and `excluded` (asked with absolute paths, and whether each is a
/// directory) leave out.
pub fn walk(root: &Path, excluded: &dyn Fn(&Path, bool) -> bool) -> Walk {
    let mut walker = Walker {
        excluded,
        seen: Seen::default(),
        levels: Vec::new(),
        walk: Walk::default(),
    };
    match std::fs::canonicalize(root) {
        Ok(real_root) => {
            let absolute = absolute(root);
            let above: Vec<&Path> = absolute.ancestors().skip(1).collect();
            for dir in above.into_iter().rev() {
                let level = walker.level(dir, dir);
                walker.levels.push(level);
            }
            walker.visit(root, &absolute, &real_root);
        }
        Err(e) => walker
            .walk
            .errors
            .push(format!("cannot read the directory {}: {e}", root.display())),
    }
    walker.walk
}

/// `path` made absolute from the current directory, with `.` and `..`
/// resolved by name as a shell's `cd` does (no link is read).
pub fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
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

/// The ignore files of one directory.
struct Level {
    ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
    /// It holds `.git`: a work tree's root, above which `.gitignore` files do not apply.
    repository: bool,
}

/// What the ignore files and the caller say of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Take,
    Skip,
    /// Left out by `.gitignore` only.
    GitIgnored,
}

struct Walker<'a> {
    excluded: &'a dyn Fn(&Path, bool) -> bool,
    seen: Seen,
    /// The ignore files from the filesystem root down to the directory being read.
    levels: Vec<Level>,
    walk: Walk,
}

impl Walker<'_> {
    /// Reads the ignore files of `dir` (named `shown` in messages).
    fn level(&mut self, dir: &Path, shown: &Path) -> Level {
        Level {
            ignore: self.ignore_file(dir, shown, ".ignore"),
            gitignore: self.ignore_file(dir, shown, ".gitignore"),
            repository: std::fs::symlink_metadata(dir.join(".git")).is_ok(),
        }
    }

    fn ignore_file(&mut self, dir: &Path, shown: &Path, name: &str) -> Option<Gitignore> {
        let path = dir.join(name);
        let mut bytes = Vec::new();
        let read = open_regular(&path).and_then(|file| file.take(IGNORE_FILE_BYTES + 1).read_to_end(&mut bytes));
        // Part of the file could ignore what the rest takes back (`!path`), or
        // a cut pattern (`*.env` as `*`) ignore everything: all or nothing.
        let error = match read {
            Ok(_) if bytes.len() as u64 <= IGNORE_FILE_BYTES => None,
            Ok(_) => Some(format!("larger than {IGNORE_FILE_BYTES} bytes, so not used")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
            Err(e) => Some(e.to_string()),
        };
        if let Some(error) = error {
            self.walk
                .errors
                .push(format!("cannot read {}: {error}", shown.join(name).display()));
            return None;
        }
        let mut builder = GitignoreBuilder::new(dir);
        for line in String::from_utf8_lossy(&bytes).lines() {
            // git skips a pattern it cannot read, and so does this.
            if line.len() <= IGNORE_PATTERN_BYTES {
                let _ = builder.add_line(Some(path.clone()), line);
            }
        }
        match builder.build() {
            Ok(matcher) => Some(matcher),
            Err(e) => {
                self.walk
                    .errors
                    .push(format!("cannot use {}: {e}", shown.join(name).display()));
                None
            }
        }
    }

    /// `path` is absolute, below the directory whose level is the last.
    fn verdict(&self, path: &Path, is_dir: bool) -> Verdict {
        if (self.excluded)(path, is_dir) {
            return Verdict::Skip;
        }
        // The deepest file with a say: `Some(true)` ignores, `Some(false)` takes back.
        let deepest = |levels: &[Level], pick: fn(&Level) -> Option<&Gitignore>| {
            levels
                .iter()
                .rev()
                .filter_map(pick)
                .map(|matcher| matcher.matched(path, is_dir))
                .find(|m| !m.is_none())
                .map(|m| m.is_ignore())
        };
        match deepest(&self.levels, |l| l.ignore.as_ref()) {
            Some(true) => return Verdict::Skip,
            Some(false) => return Verdict::Take,
            None => {}
        }
        let Some(work_tree) = self.levels.iter().rposition(|l| l.repository) else {
            return Verdict::Take;
        };
        match deepest(&self.levels[work_tree..], |l| l.gitignore.as_ref()) {
            Some(true) => Verdict::GitIgnored,
            _ => Verdict::Take,
        }
    }

    /// Searches `dir` (`absolute` is the same directory, absolute).
    fn visit(&mut self, dir: &Path, absolute: &Path, real_root: &Path) {
        let entries = match std::fs::metadata(dir).and_then(|m| {
            let fresh = self.seen.dirs.insert((m.dev(), m.ino()));
            std::fs::read_dir(dir).map(|entries| (fresh, entries))
        }) {
            Ok((false, _)) => return,
            Ok((true, entries)) => entries,
            Err(e) => {
                return self
                    .walk
                    .errors
                    .push(format!("cannot read the directory {}: {e}", dir.display()))
            }
        };
        let mut paths = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => paths.push(entry.path()),
                Err(e) => self
                    .walk
                    .errors
                    .push(format!("cannot read the directory {}: {e}", dir.display())),
            }
        }
        paths.sort();
        let level = self.level(absolute, dir);
        self.levels.push(level);
        for path in paths {
            let Some(name) = path.file_name() else { continue };
            let metadata = match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_symlink() => match std::fs::metadata(&path) {
                    Ok(target) => target,
                    // A dangling link names nothing to check.
                    Err(_) => continue,
                },
                Ok(m) => m,
                Err(e) => {
                    self.walk.errors.push(format!("cannot read {}: {e}", path.display()));
                    continue;
                }
            };
            let inner = absolute.join(name);
            let verdict = self.verdict(&inner, metadata.is_dir());
            if metadata.is_dir() {
                let skipped = SKIPPED_DIRS.iter().any(|skipped| name == *skipped);
                let inside = std::fs::canonicalize(&path).is_ok_and(|real| real.starts_with(real_root));
                if verdict == Verdict::Take && !skipped && inside {
                    self.visit(&path, &inner, real_root);
                }
            } else if metadata.is_file()
                && (verdict == Verdict::Take
                    || verdict == Verdict::GitIgnored && crate::formats::named_as(&path) == Some(Format::Env))
                && self.seen.files.insert((metadata.dev(), metadata.ino()))
            {
                self.take(path);
            }
            // FIFOs, devices and sockets are never opened.
        }
        self.levels.pop();
    }

    /// Takes a regular file when it is configuration.
    fn take(&mut self, path: PathBuf) {
        match sniff(&path) {
            Ok(Some(text)) => {
                if let Some(format) = crate::formats::recognise(&path, &text) {
                    self.walk.inputs.push((path, format));
                }
            }
            // Not UTF-8: configuration only if named as such and it
            // mentions omero, which is then worth saying.
            Ok(None) if crate::formats::named(&path) && mentions_omero(&path) => self.walk.errors.push(format!(
                "{} is not UTF-8 text, so it is not checked; OMERO reads configuration as UTF-8",
                path.display()
            )),
            Ok(None) => {}
            Err(e) => self.walk.errors.push(format!("cannot read {}: {e}", path.display())),
        }
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
        let found = walk(dir.path(), &|_, _| false);
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
        let found = walk(dir.path(), &|_, _| false);
        assert!(found.inputs.is_empty() && found.errors.len() == 1, "{found:?}");
        Ok(())
    }
}

//! The one writer of files: every command that writes (`convert -o`,
//! `migrate -o`, `migrate --write`, `lint --fix`) goes through here, so
//! they share one policy.
//!
//! - A regular file is written whole to a temporary file beside the real
//!   file (symlinks resolved), synced, then renamed over it: a reader or a
//!   crash sees the old text or the new, never half. The replacement keeps
//!   the old file's mode, owner and group; a file with several hard links
//!   is rewritten in place instead, so every name still shows the new text.
//! - A new file gets the mode the umask gives (as `>` in a shell does).
//! - A character device or FIFO (`/dev/stdout`, `/dev/null`, `>(cmd)`) is
//!   written in place and never replaced; a directory, a block device or a
//!   socket is refused. `-` is standard output for new output and refused
//!   for edits in place (standard input has no file to edit).
//! - An edit in place checks, just before the rename, that the file still
//!   holds the text it was read with, so a concurrent edit is not lost.
//! - A backup never replaces an older one: `FILE.bak`, then `FILE.bak.1`, ...
//!
//! Nothing here prints; the caller reports the error with
//! [`WriteError::exit_status`].

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why a file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The target exists and `force` was not given.
    Exists,
    /// The target is a directory.
    Directory,
    /// The target is a block device or a socket.
    NotAFile(&'static str),
    /// `-` named for an edit in place.
    StandardInput,
    /// The file changed since it was read: another edit would be lost.
    Changed,
    Io(io::Error),
}

impl WriteError {
    /// The exit status: 1 for a refusal to overwrite (as for a finding), 2 otherwise.
    pub fn exit_status(&self) -> u8 {
        match self {
            WriteError::Exists => 1,
            _ => 2,
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Exists => f.write_str("the file exists (use --force to replace it)"),
            WriteError::Directory => f.write_str("it is a directory; name a file"),
            WriteError::NotAFile(kind) => write!(f, "it is a {kind}, which omeroconf never writes to"),
            WriteError::StandardInput => {
                f.write_str("standard input cannot be edited in place; show the changes with `lint --diff`, or write them with `migrate --output FILE`")
            }
            WriteError::Changed => {
                f.write_str("the file changed while omeroconf was working on it; nothing was written, run again")
            }
            WriteError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for WriteError {}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// Writes new output `text` to `path`; an existing regular file is replaced only with `force`.
pub fn write(path: &Path, text: &str, force: bool) -> Result<(), WriteError> {
    write_with(path, force, |out| out.write_all(text.as_bytes()))
}

/// [`write`] with the content produced by `fill`; when `fill` fails
/// half-way, the temporary file is removed and `path` is left as it was.
pub fn write_with(
    path: &Path,
    force: bool,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), WriteError> {
    if path == Path::new("-") {
        let mut out = io::stdout().lock();
        fill(&mut out)?;
        return Ok(out.flush()?);
    }
    match Target::of(path)? {
        Target::Stream => in_place(path, fill),
        Target::Missing(real) => commit(&real, None, fill, Place::New),
        Target::File(..) if !force => Err(WriteError::Exists),
        Target::File(real, metadata) if metadata.nlink() > 1 => in_place(&real, fill),
        Target::File(real, metadata) => commit(&real, Some(&metadata), fill, Place::Over(&|| Ok(()))),
    }
}

/// Replaces the input file at `path`, read as `original`, with `text`
/// (`lint --fix`, `migrate --write`).
pub fn replace(path: &Path, original: &str, text: &str) -> Result<(), WriteError> {
    if path == Path::new("-") {
        return Err(WriteError::StandardInput);
    }
    let fill = |out: &mut dyn Write| out.write_all(text.as_bytes());
    match Target::of(path)? {
        Target::File(real, metadata) => {
            let unchanged = || -> Result<(), WriteError> {
                match std::fs::read(&real)? == original.as_bytes() {
                    true => Ok(()),
                    false => Err(WriteError::Changed),
                }
            };
            if metadata.nlink() > 1 {
                unchanged()?;
                return in_place(&real, fill);
            }
            commit(&real, Some(&metadata), fill, Place::Over(&unchanged))
        }
        // An input read from a pipe or device has no file to put the result in.
        Target::Stream => Err(WriteError::StandardInput),
        Target::Missing(_) => Err(WriteError::Changed),
    }
}

/// Saves `text` beside the real file of `path` under the first free name of
/// `FILE.bak`, `FILE.bak.1`, `FILE.bak.2`, ..., with the file's mode, owner
/// and group; returns that name.
pub fn backup(path: &Path, text: &str) -> Result<PathBuf, WriteError> {
    if path == Path::new("-") {
        return Err(WriteError::StandardInput);
    }
    let Target::File(real, metadata) = Target::of(path)? else {
        return Err(WriteError::StandardInput);
    };
    for n in 0.. {
        let mut name = real.clone().into_os_string();
        name.push(if n == 0 {
            ".bak".to_string()
        } else {
            format!(".bak.{n}")
        });
        let name = PathBuf::from(name);
        let saved = commit(&name, Some(&metadata), |out| out.write_all(text.as_bytes()), Place::New);
        match saved {
            Err(WriteError::Exists) => continue,
            other => return other.map(|()| name),
        }
    }
    Err(WriteError::Exists)
}

/// What a path names once symlinks are followed.
enum Target {
    /// Nothing yet: a new file at this real path.
    Missing(PathBuf),
    /// A regular file at this real path.
    File(PathBuf, std::fs::Metadata),
    /// A character device or FIFO, written in place.
    Stream,
}

impl Target {
    fn of(path: &Path) -> Result<Target, WriteError> {
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::Missing(real_new_path(path)?)),
            Err(e) => return Err(e.into()),
        };
        let kind = metadata.file_type();
        if kind.is_file() {
            Ok(Target::File(std::fs::canonicalize(path)?, metadata))
        } else if kind.is_dir() {
            Err(WriteError::Directory)
        } else if kind.is_char_device() || kind.is_fifo() {
            Ok(Target::Stream)
        } else if kind.is_block_device() {
            Err(WriteError::NotAFile("block device"))
        } else {
            Err(WriteError::NotAFile("socket"))
        }
    }
}

/// Where a file that does not exist yet will be: through a dangling
/// symlink to its target, else the path itself.
fn real_new_path(path: &Path) -> Result<PathBuf, WriteError> {
    let mut path = path.to_path_buf();
    // A chain of dangling links ends, or loops (then the OS error says so).
    for _ in 0..40 {
        match std::fs::read_link(&path) {
            Ok(target) => {
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                }
            }
            Err(e) if e.kind() == io::ErrorKind::InvalidInput || e.kind() == io::ErrorKind::NotFound => {
                return Ok(path)
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(io::Error::other("too many levels of symbolic links").into())
}

/// Rewrites a file or stream in place: for devices and FIFOs, and for
/// files with hard links a rename would break.
fn in_place(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), WriteError> {
    let mut file = OpenOptions::new().write(true).open(path)?;
    let regular = file.metadata()?.is_file();
    if regular {
        file.set_len(0)?;
    }
    let mut out = io::BufWriter::new(&mut file);
    fill(&mut out)?;
    out.flush()?;
    drop(out);
    if regular {
        file.sync_all()?;
    }
    Ok(())
}

/// How a finished temporary file takes its place.
enum Place<'a> {
    /// Only where nothing is (a link fails if the target appeared meanwhile).
    New,
    /// Renamed over the file, once `check` passes.
    Over(&'a dyn Fn() -> Result<(), WriteError>),
}

/// Writes a temporary file beside `real` (owned and moded like `like`, or
/// as the umask gives for a new file), then puts it at `real`. The
/// temporary file never survives a failure.
fn commit(
    real: &Path,
    like: Option<&std::fs::Metadata>,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    place: Place,
) -> Result<(), WriteError> {
    let dir = match real.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // 0666 less the umask for new output; 0600 until a replacement's mode is copied.
    let mode = if like.is_some() { 0o600 } else { 0o666 };
    let mut temp = tempfile::Builder::new()
        .prefix(".omeroconf-")
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)?;
    if let Some(like) = like {
        keep_owner_and_mode(temp.as_file(), like)?;
    }
    let mut out = io::BufWriter::new(&mut temp);
    fill(&mut out)?;
    out.flush()?;
    drop(out);
    temp.as_file().sync_all()?;
    match place {
        Place::New => {
            temp.persist_noclobber(real).map_err(|e| match e.error.kind() {
                io::ErrorKind::AlreadyExists => WriteError::Exists,
                _ => WriteError::Io(e.error),
            })?;
        }
        Place::Over(check) => {
            check()?;
            temp.persist(real).map_err(|e| WriteError::Io(e.error))?;
        }
    }
    // The rename is durable once the directory is synced; a failure here changes nothing.
    let _ = File::open(dir).and_then(|d| d.sync_all());
    Ok(())
}

/// Gives the temporary file the owner, group and mode of the file it replaces.
fn keep_owner_and_mode(file: &File, like: &std::fs::Metadata) -> Result<(), WriteError> {
    let own = file.metadata()?;
    if (own.uid(), own.gid()) != (like.uid(), like.gid()) {
        std::os::unix::fs::fchown(file, Some(like.uid()), Some(like.gid())).map_err(|e| {
            WriteError::Io(io::Error::new(
                e.kind(),
                format!("cannot keep the file's owner and group ({e}); nothing was written"),
            ))
        })?;
    }
    // After chown, which may clear the set-id bits.
    file.set_permissions(std::fs::Permissions::from_mode(like.mode() & 0o7777))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn refuses_to_overwrite_without_force_and_leaves_no_temporary_file() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("web.properties");
        write(&target, "a=1\n", false)?;
        assert!(matches!(write(&target, "a=2\n", false), Err(WriteError::Exists)));
        assert_eq!(std::fs::read_to_string(&target)?, "a=1\n");
        write(&target, "a=3\n", true)?;
        assert_eq!(std::fs::read_to_string(&target)?, "a=3\n");
        assert_eq!(names(dir.path()), ["web.properties"]);
        assert!(matches!(
            write(&dir.path().join("missing/x"), "", true),
            Err(WriteError::Io(_))
        ));
        assert!(matches!(write(dir.path(), "", true), Err(WriteError::Directory)));
        Ok(())
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_replaced() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("web.properties");
        std::fs::write(&target, "a=1\nb=2\n")?;
        // Another run (or an editor) wrote `b=2` after this one read the file.
        let result = replace(&target, "a=1\n", "a=10\n");
        assert!(matches!(result, Err(WriteError::Changed)), "{result:?}");
        assert_eq!(std::fs::read_to_string(&target)?, "a=1\nb=2\n");
        assert_eq!(names(dir.path()), ["web.properties"]);
        replace(&target, "a=1\nb=2\n", "a=10\n")?;
        assert_eq!(std::fs::read_to_string(&target)?, "a=10\n");
        assert!(matches!(
            replace(Path::new("-"), "", ""),
            Err(WriteError::StandardInput)
        ));
        Ok(())
    }

    #[test]
    fn backups_never_replace_an_older_one() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("web.properties");
        std::fs::write(&target, "now\n")?;
        std::fs::write(dir.path().join("web.properties.bak"), "first\n")?;
        let saved = backup(&target, "second\n")?;
        assert_eq!(saved, std::fs::canonicalize(dir.path())?.join("web.properties.bak.1"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("web.properties.bak"))?,
            "first\n"
        );
        assert_eq!(std::fs::read_to_string(&saved)?, "second\n");
        Ok(())
    }
}

//! Writing an output file all at once: the text goes to a temporary file in
//! the target's directory, which then replaces (or, without `force`,
//! becomes) the target in one rename. A failure leaves no partial file and
//! never touches an existing one it may not overwrite.

use std::fmt;
use std::io::Write;
use std::path::Path;

/// Why a file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The target exists and `force` was not given.
    Exists,
    Io(std::io::Error),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Exists => f.write_str("the file exists (use --force to replace it)"),
            WriteError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for WriteError {}

/// Writes `text` to `path` atomically; an existing file is replaced only with `force`.
pub fn write(path: &Path, text: &str, force: bool) -> Result<(), WriteError> {
    write_with(path, force, |out| out.write_all(text.as_bytes()))
}

/// [`write`] with the content produced by `fill`; when `fill` fails
/// half-way, the temporary file is removed and `path` is left as it was.
pub fn write_with(
    path: &Path,
    force: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".omeroconf-")
        .tempfile_in(dir)
        .map_err(WriteError::Io)?;
    fill(&mut file).map_err(WriteError::Io)?;
    file.as_file().sync_all().map_err(WriteError::Io)?;
    if force {
        file.persist(path).map_err(|e| WriteError::Io(e.error))?;
    } else {
        // `persist_noclobber` fails if the target appeared meanwhile, too.
        file.persist_noclobber(path).map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => WriteError::Exists,
            _ => WriteError::Io(e.error),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_without_force_and_leaves_no_temporary_file() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("web.properties");
        write(&target, "a=1\n", false)?;
        assert!(matches!(write(&target, "a=2\n", false), Err(WriteError::Exists)));
        assert_eq!(std::fs::read_to_string(&target)?, "a=1\n");
        write(&target, "a=3\n", true)?;
        assert_eq!(std::fs::read_to_string(&target)?, "a=3\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(matches!(
            write(&dir.path().join("missing/x"), "", true),
            Err(WriteError::Io(_))
        ));
        Ok(())
    }
}

//! The commands of the `omeroconf` binary, one file each, and what they
//! share: the input arguments ([`input`]), exit statuses and the standard
//! output. Each command reads its inputs, calls the library and prints; the
//! judging, rendering and writing live in the library.

pub mod convert;
pub mod diff;
pub mod emit;
pub mod explain;
pub mod input;
pub mod lint;
pub mod man;
pub mod migrate;

use omeroconf::emit::Refusal;
use std::io::Write;

/// Exit statuses shared by every command.
pub const OK: u8 = 0;
/// Findings, differences or changes to report, or a refusal.
pub const FINDINGS: u8 = 1;
/// Bad usage, unreadable input, or a failed write.
pub const USAGE: u8 = 2;

/// Reports a refusal; its message already names the key and hides secrets.
pub fn refused(refusal: &Refusal) -> u8 {
    eprintln!("error: {refusal}");
    FINDINGS
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub fn write_out(text: &str) -> u8 {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            USAGE
        }
    }
}

/// Prints an error message and gives the usage status.
pub fn usage_error(message: &str) -> u8 {
    eprintln!("error: {message}");
    USAGE
}

/// Writes an output file with the one writer and its exit status.
pub fn write_file(path: &std::path::Path, text: &str, force: bool) -> u8 {
    match omeroconf::atomic::write(path, text, force) {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            e.exit_status()
        }
    }
}

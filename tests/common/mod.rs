//! Helpers shared by the command-line test files: running the binary,
//! writing inputs into a temporary directory, reading rules' examples.
#![allow(dead_code)] // each test file uses a different part

pub mod examples;

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the built binary from the crate root, without colour or an
/// activated virtualenv (which would choose the release).
pub fn omeroconf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_omeroconf"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("VIRTUAL_ENV")
        .output()
        .expect("the binary runs")
}

/// Runs the built binary in `dir` with `input` on its standard input.
pub fn omeroconf_with_input(dir: &std::path::Path, args: &[&str], input: &[u8]) -> std::io::Result<Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_omeroconf"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("VIRTUAL_ENV")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        std::io::Write::write_all(&mut stdin, input)?;
    }
    child.wait_with_output()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes `content` to `name` in a new temporary directory.
pub fn temp_file(name: &str, content: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write temp file");
    (dir, path)
}

/// Every file below `dir`, in no particular order.
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("folder readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// The Rust files below `src/`.
pub fn rust_sources() -> Vec<PathBuf> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    files_under(&src)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect()
}

//! Running the built binary as a user does, shared by the command-line tests.

use std::process::{Command, Output};

/// `omeroconf ARGS` from the crate root, without colour.
pub fn omeroconf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_omeroconf"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

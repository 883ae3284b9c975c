//! schema/catalog.json must be what scripts/gen/catalog.py generates from
//! ../shared/reference today. Needs python3 with pytz and the reference
//! folder; in CI both must be there, elsewhere the test says why it skips.

use std::path::Path;
use std::process::Command;

#[test]
fn committed_catalog_is_generated_from_the_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = root.join("../shared/reference");
    let has_pytz = Command::new("python3")
        .args(["-c", "import pytz"])
        .status()
        .is_ok_and(|s| s.success());
    if !reference.is_dir() || !has_pytz {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs ../shared/reference and python3 with pytz"
        );
        eprintln!("skipped: needs ../shared/reference and python3 with pytz");
        return;
    }
    let output = Command::new("python3")
        .arg(root.join("scripts/gen/catalog.py"))
        .arg("--check")
        .arg("--reference")
        .arg(&reference)
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

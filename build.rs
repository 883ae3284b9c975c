//! Build steps that make a short lint run shorter (most runs are a
//! pre-commit hook on a few files, where start-up is most of the time).

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=schema/catalog.json");
    embed_catalog();
    // A position-dependent executable has no relocations to apply at start,
    // which spares ~80 copied pages per run. Linux/GNU toolchains only.
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
}

/// schema/catalog.json as MessagePack, which reads in about two thirds of
/// the time JSON text takes.
fn embed_catalog() {
    let text = std::fs::read_to_string("schema/catalog.json").unwrap_or_else(|e| panic!("schema/catalog.json: {e}"));
    let mut catalog: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("schema/catalog.json: {e}"));
    positional(&mut catalog);
    let bytes = rmp_serde::to_vec_named(&catalog).unwrap_or_else(|e| panic!("catalog as MessagePack: {e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("catalog.msgpack");
    std::fs::write(&out, bytes).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

/// Records become arrays of their values, in the order of their keys, which
/// is the order of the fields of the structs in src/catalog.rs (a test there
/// reads both forms and compares): no field names to match while reading.
/// JSON values (defaults, shapes) stay as they are.
fn positional(catalog: &mut serde_json::Value) {
    fn values(record: &mut serde_json::Value) {
        if let serde_json::Value::Object(map) = record {
            *record = serde_json::Value::Array(std::mem::take(map).into_iter().map(|(_, v)| v).collect());
        }
    }
    for list in [
        "releases",
        "apps",
        "app_renames",
        "legacy_defaults",
        "deprecated_values",
    ] {
        catalog[list].as_array_mut().into_iter().flatten().for_each(values);
    }
    for property in catalog["properties"].as_array_mut().into_iter().flatten() {
        property["variants"]
            .as_array_mut()
            .into_iter()
            .flatten()
            .for_each(values);
        values(&mut property["advisory_values"]);
        values(property);
    }
    values(&mut catalog["time_zones"]);
}

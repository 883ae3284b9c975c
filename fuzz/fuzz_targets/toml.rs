//! The toml parser on arbitrary text: it must return a document, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use omeroconf::document::Format;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = omeroconf::formats::read("fuzz", text, Format::Toml, &Default::default());
    }
});

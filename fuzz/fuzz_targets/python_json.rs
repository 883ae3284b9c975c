//! `python::json` on arbitrary text: `loads`, and `dumps` of what it loaded,
//! must return, never panic. Nothing is compared.
#![no_main]

use libfuzzer_sys::fuzz_target;
use omeroconf::python::json;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(value) = json::loads(text) {
            let _ = json::loads(&json::dumps(&value));
        }
    }
});

//! `python::re` on arbitrary patterns: check, translation and the backtracking
//! analysis must return, never panic. Nothing is compared.
#![no_main]

use libfuzzer_sys::fuzz_target;
use omeroconf::python::re;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(pattern) = re::check(text) {
            let _ = re::to_fancy_regex(&pattern);
            let _ = re::backtracking_risk(&pattern);
        }
    }
});

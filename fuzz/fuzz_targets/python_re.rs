//! `python::re` on arbitrary patterns: check, the backtracking analysis and
//! a search within a budget must return, never panic. Nothing is compared.
#![no_main]

use libfuzzer_sys::fuzz_target;
use omeroconf::python::re;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(pattern) = re::check(text) {
            let _ = re::backtracking_risk(&pattern);
            let mut budget = re::Budget::new(100_000);
            if let Ok(program) = re::Program::compile(&pattern, &mut budget) {
                let _ = program.search(text, &mut budget);
            }
        }
    }
});

//! Resolution and every rule on whatever a parser makes of arbitrary text;
//! the first byte picks the format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use omeroconf::catalog::catalog;
use omeroconf::document::Format;
use omeroconf::lint::{lint, Filter};

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let format = Format::ALL[usize::from(*first) % Format::ALL.len()];
    let document = omeroconf::formats::read("fuzz", text, format, &Default::default());
    let linted = lint(document, catalog().latest, &Filter::default());
    let _ = omeroconf::lint::fix(&linted);
    let options = omeroconf::report::human::Options { show_secrets: false, color: false, max_per_file: 50 };
    let _ = omeroconf::report::human::render(&linted, &options);
    let _ = omeroconf::report::json::render(std::slice::from_ref(&linted), None);
});

//! YAML built from anchors, aliases and `<<` merges, read as Ansible
//! variables and as a compose file: each reader must return a document,
//! never panic, and stay within libFuzzer's memory and time limits however
//! the aliases nest (the bytes choose the grammar's productions).
#![no_main]

use libfuzzer_sys::fuzz_target;
use omeroconf::document::Format;

fuzz_target!(|data: &[u8]| {
    let mut text = String::from("x-anchors:\n");
    let mut anchors = 0usize;
    for (i, pair) in data.chunks(2).enumerate().take(64) {
        let (op, arg) = (pair[0], pair.get(1).copied().unwrap_or(0) as usize);
        let alias = |n: usize| if anchors == 0 { "x".to_string() } else { format!("*a{}", n % anchors) };
        let line = match op % 5 {
            // A list of `arg % 12` aliases of earlier anchors.
            0 | 1 => format!("[{}]", (0..arg % 12).map(|k| alias(arg + k)).collect::<Vec<_>>().join(", ")),
            // A map merging earlier anchors.
            2 => format!("{{<<: [{}], k{i}: {}}}", alias(arg), alias(arg / 2)),
            // A scalar, possibly a number PyYAML reads in base 60.
            3 => format!("'{arg}:{i}'"),
            _ => format!("{{k{i}: [{}, {}]}}", alias(arg), alias(arg + 1)),
        };
        text.push_str(&format!("  a{anchors}: &a{anchors} {line}\n"));
        anchors += 1;
    }
    let last = anchors.saturating_sub(1);
    text.push_str(&format!(
        "omero_web_config_set:\n  omero.web.apps: *a{last}\nservices:\n  web:\n    image: omero-web\n    environment: *a{last}\n"
    ));
    let _ = omeroconf::source::parse("fuzz", &text, Format::Ansible, &Default::default());
    let _ = omeroconf::source::parse("fuzz", &text, Format::Compose, &Default::default());
});

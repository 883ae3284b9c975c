//! The env-file reader, as docker and as compose read it, on arbitrary
//! text: it must return a document, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use omeroconf::document::Format;
use omeroconf::source::{env::EnvStyle, Options};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for style in [EnvStyle::Docker, EnvStyle::Compose] {
            let options = Options { env_style: Some(style), ..Default::default() };
            let _ = omeroconf::formats::read("fuzz", text, Format::Env, &options);
        }
    }
});

//! `convert` round trips: generated configurations written in each format
//! and read back must store exactly the same properties; a value a format
//! cannot carry must be refused with its key named, and with `force` be
//! reported, never dropped silently. Scripts, command files and config.xml
//! are also checked against the real OMERO's readers through recorded
//! fixtures (tests/fixtures/convert).

use indexmap::IndexMap;
use omeroconf::catalog::catalog;
use omeroconf::document::Format;
use omeroconf::emit::{self, Refusal, Written};
use omeroconf::{formats, resolve, source};

type Stored = IndexMap<String, String>;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SEGMENTS: &[&str] = &["omero", "web", "a", "b-c", "x_y", "0", "prefix", "Z"];
const KNOWN: &[&str] = &[
    "omero.web.debug",
    "omero.web.apps",
    "omero.web.application_server",
    "omero.web.application_server.port",
    "omero.web.wsgi_workers",
    "omero.web.caches",
    "omero.web.prefix",
    "omero.web.public.password",
];
const PIECES: &[&str] = &[
    "",
    "plain",
    "'",
    "\"",
    "\\",
    "é",
    "日本",
    " ",
    "\t",
    "\n",
    "\r\n",
    "#",
    "=",
    "-",
    "$HOME",
    "%",
    "true",
    "false",
    "4080",
    "05",
    "[\"omero_iviewer\"]",
    "[1, 2.5, true]",
    "{\"a\": {\"b\": [\"c\"]}}",
    "{\"a\": null}",
    "[]",
    "]]>",
    "&amp;",
    "<x>",
    "\u{1}",
    "\u{85}",
    "\u{a0}",
    "'''",
    "\"\"\"",
    "\\n",
];

/// A configuration with keys that are both a value and a prefix, known
/// keys with typed values, and values built from awkward pieces.
fn generate(rng: &mut Rng) -> Stored {
    let mut stored = Stored::new();
    for _ in 0..1 + rng.below(8) {
        let key = if rng.below(3) == 0 {
            rng.pick(KNOWN).to_string()
        } else {
            (0..1 + rng.below(4))
                .map(|_| rng.pick(SEGMENTS))
                .collect::<Vec<_>>()
                .join(".")
        };
        let value: String = (0..rng.below(4)).map(|_| rng.pick(PIECES)).collect();
        if rng.below(4) == 0 {
            // The same key as a prefix of another.
            stored.insert(format!("{key}.{}", rng.pick(SEGMENTS)), value.clone());
        }
        stored.insert(key, value);
    }
    stored
}

/// What omeroconf reads back from `text` in `format`.
fn read_back(text: &str, format: Format) -> Result<Stored, String> {
    let document = formats::read("converted", text, format, &source::Options::default());
    let config = resolve::resolve(&document, catalog().latest);
    config
        .stored()
        .map_err(|unknown| format!("unknown values for {unknown:?}"))
}

fn write(stored: &Stored, format: Format, force: bool) -> Result<Written, Refusal> {
    match format {
        Format::Properties => emit::properties::write(stored, force),
        Format::Omero => emit::omero::write(stored, force),
        Format::Script => emit::script::write(stored, force),
        Format::Xml => emit::xml::write(stored, "Thu Jan  1 00:00:00 1970", force),
        Format::Toml => Ok(Written {
            text: emit::toml::write(stored),
            ..Written::default()
        }),
        Format::Json => Ok(Written {
            text: emit::json::write(stored),
            ..Written::default()
        }),
        Format::Env => emit::env::write(stored, force),
        Format::Dockerfile => emit::dockerfile::write(stored, force),
        Format::Ansible => emit::ansible::write(stored, force),
        Format::Compose => Err(Refusal::new("compose is not written")),
    }
}

/// The formats omeroconf reads itself.
const READABLE: [Format; 6] = [
    Format::Properties,
    Format::Omero,
    Format::Script,
    Format::Xml,
    Format::Toml,
    Format::Json,
];

#[test]
fn generated_configurations_survive_every_format() {
    let mut rng = Rng(0x5eed_0f0e_1e5c_0f01);
    let mut counts: IndexMap<&str, (usize, usize)> = IndexMap::new();
    for round in 0..400 {
        let stored = generate(&mut rng);
        for format in READABLE {
            let count = counts.entry(format.name()).or_default();
            match write(&stored, format, false) {
                Ok(written) => {
                    assert!(written.altered.is_empty());
                    let back = read_back(&written.text, format);
                    assert_eq!(
                        back.as_ref().ok(),
                        Some(&stored),
                        "round {round}, {format}: {back:?}\n--- written:\n{}",
                        written.text
                    );
                    count.0 += 1;
                }
                Err(refusal) => {
                    let key = refusal.key.clone().unwrap_or_default();
                    assert!(
                        stored.contains_key(&key) && refusal.message.contains(&key),
                        "round {round}, {format}: {refusal}"
                    );
                    count.1 += 1;
                    // With force, every key comes back exactly or is reported.
                    let forced = write(&stored, format, true).map_err(|r| r.to_string());
                    let written = forced.unwrap_or_else(|e| panic!("round {round}, {format} --force: {e}"));
                    assert!(
                        written.altered.contains(&key),
                        "round {round}, {format}: {key} not reported"
                    );
                    let back = read_back(&written.text, format).unwrap_or_default();
                    for (k, v) in &stored {
                        assert!(
                            back.get(k) == Some(v) || written.altered.contains(k),
                            "round {round}, {format} --force: {k} changed silently"
                        );
                    }
                }
            }
        }
    }
    // Every format carried most configurations; the refusals were exercised.
    for (format, (carried, refused)) in &counts {
        println!("{format}: {carried} carried exactly, {refused} refused");
        assert!(*carried > 100, "{format}: only {carried} round trips");
    }
    assert!(counts["properties"].1 > 0 && counts["omero"].1 > 0 && counts["xml"].1 > 0);
    assert_eq!(
        (counts["json"].1, counts["toml"].1),
        (0, 0),
        "JSON and TOML carry every string"
    );
}

#[test]
fn values_that_cannot_be_carried_name_their_key() {
    let cases: [(Format, &str); 5] = [
        (Format::Properties, "a\nb"),
        (Format::Properties, "leading is fine, trailing is not "),
        (Format::Properties, "ends in \\"),
        (Format::Omero, "two\nlines"),
        (Format::Xml, "bell \u{7}"),
    ];
    for (format, value) in cases {
        let stored: Stored = [("omero.web.x".to_string(), value.to_string())].into_iter().collect();
        let refusal = write(&stored, format, false).err();
        assert_eq!(
            refusal.and_then(|r| r.key).as_deref(),
            Some("omero.web.x"),
            "{format}: {value:?}"
        );
    }
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/convert");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}"))
        .unwrap_or_else(|e| panic!("{name}: {e}; run scripts/record/convert_fixtures.sh"))
}

fn map(text: &str) -> Stored {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not a flat JSON map: {e}"))
}

/// Each input map, written by omeroconf, is read back by the real OMERO
/// (config.xml by `ConfigXml`, the script by `omero config set`, the
/// command file by `shlex.split`) as exactly the same properties; the xml
/// is byte for byte what `ConfigXml.save()` writes.
#[test]
fn omero_reads_back_what_omeroconf_writes() {
    for name in ["tricky", "multiline"] {
        let input = map(&fixture(&format!("{name}.json")));
        let xml = write(&input, Format::Xml, false).map(|w| w.text).unwrap_or_default();
        assert_eq!(
            xml,
            fixture(&format!("{name}.xml")),
            "{name}.xml differs from ConfigXml.save()"
        );
        assert_eq!(
            map(&fixture(&format!("{name}.xml.readback.json"))),
            input,
            "{name}: ConfigXml read back"
        );
        assert_eq!(
            read_back(&xml, Format::Xml).ok(),
            Some(input.clone()),
            "{name}: omeroconf read back the xml"
        );

        let script = write(&input, Format::Script, false).map(|w| w.text).unwrap_or_default();
        assert_eq!(
            script,
            fixture(&format!("{name}.sh")),
            "{name}.sh is not what OMERO ran; re-record"
        );
        assert_eq!(
            map(&fixture(&format!("{name}.sh.readback.json"))),
            input,
            "{name}: omero config set read back"
        );

        let path = format!("{FIXTURES}/{name}.omero");
        match write(&input, Format::Omero, false) {
            Ok(written) => {
                assert_eq!(
                    written.text,
                    fixture(&format!("{name}.omero")),
                    "{name}.omero changed; re-record"
                );
                assert_eq!(
                    map(&fixture(&format!("{name}.omero.readback.json"))),
                    input,
                    "{name}: shlex read back"
                );
            }
            Err(_) => assert!(
                !std::path::Path::new(&path).exists(),
                "{name}.omero recorded but now refused"
            ),
        }
    }
}

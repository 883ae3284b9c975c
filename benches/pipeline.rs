//! Parse, resolve and lint timed per input format, on the install
//! walkthrough (examples/setup-web.sh) written in each format.
//! Run: `cargo bench --bench pipeline`.

use omeroconf::catalog::catalog;
use omeroconf::document::{Document, Format};
use omeroconf::lint::{lint, Filter};
use omeroconf::{emit, formats, resolve, source};

fn main() {
    divan::main();
}

/// The walkthrough's stored properties in `format`.
fn input(format: Format) -> String {
    let text = include_str!("../examples/setup-web.sh");
    let linted = lint(parse(Format::Script, text), catalog().latest, &Filter::default());
    let options = emit::WriteOptions {
        force: true,
        mask_secrets: false,
    };
    formats::write(&linted.config, format, options)
        .map(|w| w.text)
        .unwrap_or_else(|_| text.to_string())
}

fn parse(format: Format, text: &str) -> Document {
    formats::read("bench", text, format, &source::Options::default())
}

#[divan::bench(args = Format::ALL)]
fn parse_format(bencher: divan::Bencher, format: Format) {
    let text = input(format);
    bencher.bench(|| parse(format, divan::black_box(&text)));
}

#[divan::bench(args = Format::ALL)]
fn resolve_format(bencher: divan::Bencher, format: Format) {
    let document = parse(format, &input(format));
    bencher.bench(|| resolve::resolve(divan::black_box(&document), catalog().latest));
}

#[divan::bench(args = Format::ALL)]
fn lint_format(bencher: divan::Bencher, format: Format) {
    let document = parse(format, &input(format));
    bencher.bench(|| lint(divan::black_box(document.clone()), catalog().latest, &Filter::default()));
}

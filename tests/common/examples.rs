//! Rules' examples as the tests read them. An example may start with a
//! comment that sets the lint context, as a reader would: a release number
//! (`# on OMERO.web 5.13`, `# linted for 5.21.0`), `--cores N` and `--venv
//! DIR` (a virtualenv under the crate).

use omeroconf::catalog::{catalog, Version};
use omeroconf::lint::{lint_deployed, Filter, Linted};
use omeroconf::release::Given;
use omeroconf::rules;
use omeroconf::venv::Venv;
use omeroconf::{formats, source};
use std::path::Path;

/// A file name that makes `formats::detect` read the example as what it shows.
pub fn example_name(text: &str) -> &'static str {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let first = lines.first().copied().unwrap_or_default();
    if text.contains("omero config ") {
        "example.sh"
    } else if first.starts_with('[') {
        "example.toml"
    } else if first.starts_with("CONFIG_") || first.starts_with("OMEROHOST") {
        "example.env"
    } else if first.starts_with("environment:") || first.starts_with("services:") {
        "docker-compose.yml"
    } else if first.ends_with(':') || first.starts_with("omero_") {
        "group_vars/all.yml"
    } else {
        "example.properties"
    }
}

/// The release and deployment facts a leading comment of the example names.
pub fn context(text: &str) -> (Option<Version>, rules::Options) {
    let comment = text.lines().next().filter(|l| l.starts_with('#')).unwrap_or_default();
    let words: Vec<&str> = comment.split_whitespace().collect();
    let release = words
        .iter()
        .filter(|w| w.contains('.'))
        .find_map(|w| Version::parse(w))
        .map(|v| {
            // `5.13` means the newest 5.13.x the catalog knows.
            catalog()
                .releases
                .iter()
                .rev()
                .map(|r| r.version)
                .find(|r| *r == v || (v.2 == 0 && r.0 == v.0 && r.1 == v.1))
                .unwrap_or_else(|| panic!("the example names release {v}, which the catalog lacks"))
        });
    let cores = words
        .iter()
        .position(|w| *w == "--cores")
        .and_then(|i| words.get(i + 1))
        .and_then(|n| n.parse().ok());
    // `--venv DIR` (relative to the crate) is the virtualenv judged against.
    let venv = words
        .iter()
        .position(|w| *w == "--venv")
        .and_then(|i| words.get(i + 1))
        .map(|dir| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            std::sync::Arc::new(Venv::read(&dir).unwrap_or_else(|e| panic!("{e}")))
        });
    (release, rules::Options { cores, venv })
}

pub fn lint_example(text: &str) -> Linted {
    let name = example_name(text);
    let format = formats::detect(Path::new(name), text);
    let document = formats::read(name, text, format, &source::Options::default());
    // Without a release in the comment, the one the example pins (else the latest).
    let (option, options) = context(text);
    let installed = options
        .venv
        .as_ref()
        .and_then(|v| Some((v.omero_web().ok()?, v.root.display().to_string())));
    let given = Given {
        option,
        venv: installed,
        ..Given::default()
    };
    lint_deployed(document, &given, &Filter::default(), &options)
}

/// The options that give the binary the context `text`'s comment names.
pub fn context_args(text: &str) -> Vec<String> {
    let (release, options) = context(text);
    let mut args = Vec::new();
    if let Some(release) = release {
        args.extend(["--omero-web-version".to_string(), release.to_string()]);
    }
    if let Some(cores) = options.cores {
        args.extend(["--cores".to_string(), cores.to_string()]);
    }
    if let Some(venv) = &options.venv {
        args.extend(["--venv".to_string(), venv.root.display().to_string()]);
    }
    args
}

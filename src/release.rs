//! Which OMERO.web release a file is judged against, and why: the release
//! the user names, the one installed in the virtualenv, the project
//! configuration's, the one the file pins (an image tag, `pip install
//! omero-web==X`, `omero_web_release`), or else the latest omeroconf knows.
//! Reads text only; never runs anything.

use crate::catalog::{catalog, Version};
use crate::diagnostic::{Finding, Rule, Severity::*};
use crate::document::{Document, Format, Span};

pub static PIN_TOO_OLD: Rule = Rule {
    code: "IS001",
    name: "release-before-catalog",
    severity: Info,
    summary: "The file pins an OMERO.web release older than omeroconf knows",
    explanation: "omeroconf knows the properties of OMERO.web 5.6.0 and later. A file pinning an \
older release (an image tag, a pip pin, `omero_web_release`) is judged at 5.6.0, the closest \
release it knows, so findings about properties added or removed before 5.6.0 may be off.",
    example: "omero_web_release: 5.3.0\nomero_web_config_set:\n  omero.web.debug: false",
    fixed_example: "omero_web_release: 5.33.2\nomero_web_config_set:\n  omero.web.debug: false",
    fix: false,
    blocks_start: false,
};

pub static PIN_UNKNOWN: Rule = Rule {
    code: "IS002",
    name: "release-not-pinned",
    severity: Info,
    summary: "The OMERO.web image or release the file names has no fixed version",
    explanation: "An image tag `latest`, an image digest, a `FROM` taken from a build argument or \
a templated release says which OMERO.web runs only when the deployment runs, so the file is \
judged against the latest release omeroconf knows. Pin a release tag, or pass \
`--omero-web-version` to judge against the release you run.",
    example: "services:\n  web:\n    image: openmicroscopy/omero-web-standalone:latest",
    fixed_example: "services:\n  web:\n    image: openmicroscopy/omero-web-standalone:5.33.2",
    fix: false,
    blocks_start: false,
};

/// Where the judged release came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `--omero-web-version`.
    Option,
    /// The virtualenv's `omero_web-X.dist-info`.
    Venv,
    /// `omero-web-version` in the project configuration (`.omeroconf.toml`).
    ProjectConfig,
    /// An omero-web image tag (compose, Kubernetes, Dockerfile `FROM`).
    ImageTag,
    /// `pip install omero-web==X`.
    PipPin,
    /// `omero_web_release` of the ome.omero_web Ansible role.
    Ansible,
    /// Nothing says: the latest release omeroconf knows.
    Assumed,
}

impl Source {
    /// The name the JSON report and the header use.
    pub fn name(self) -> &'static str {
        match self {
            Source::Option => "option",
            Source::Venv => "venv",
            Source::ProjectConfig => "project-config",
            Source::ImageTag => "image-tag",
            Source::PipPin => "pip-pin",
            Source::Ansible => "ansible",
            Source::Assumed => "assumed",
        }
    }
}

/// The release a file is judged against, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: Version,
    pub source: Source,
    /// The file (with `:line`) or virtualenv that says so.
    pub path: Option<String>,
    /// What else the deployment says, when it is not the same.
    pub note: Option<String>,
}

impl Release {
    /// A release chosen by the caller (`--omero-web-version`, a library user).
    pub fn given(version: Version) -> Release {
        Release {
            version,
            source: Source::Option,
            path: None,
            note: None,
        }
    }

    /// One line for the report header; a pin in `file` is named by its line.
    pub fn describe(&self, file: Option<&str>) -> String {
        let path = self.path.as_deref().unwrap_or("");
        let place = match file
            .and_then(|f| path.strip_prefix(f))
            .and_then(|p| p.strip_prefix(':'))
        {
            Some(line) => format!("line {line}"),
            None => path.to_string(),
        };
        let why = match self.source {
            Source::Option => "--omero-web-version".to_string(),
            Source::Assumed => {
                "assumed: the latest omeroconf knows; pass --omero-web-version or --venv, or set omero-web-version \
                 in .omeroconf.toml"
                    .to_string()
            }
            source => format!("{} {place}", source.name()),
        };
        match &self.note {
            Some(note) => format!("OMERO.web {} ({why}; {note})", self.version),
            None => format!("OMERO.web {} ({why})", self.version),
        }
    }
}

/// A release the file names: its text, where, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub source: Source,
    /// The tag or version as written (`5.8`, `latest`, `$BASE`).
    pub text: String,
    pub span: Span,
}

/// What a pin's text means in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meaning {
    /// A release the catalog knows (a partial tag: the newest matching).
    Known(Version),
    /// Older than every release the catalog knows.
    TooOld,
    /// Not a release number (`latest`, a digest, a variable).
    Unknown,
}

fn meaning(text: &str) -> Meaning {
    let digits: String = text
        .trim_start_matches(['v', 'V'])
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let parts: Vec<u32> = match digits.trim_end_matches('.').split('.').map(str::parse).collect() {
        Ok(parts) => parts,
        Err(_) => return Meaning::Unknown,
    };
    if parts.is_empty() || parts.len() > 3 {
        return Meaning::Unknown;
    }
    let matching = |v: &Version| [v.0, v.1, v.2].iter().zip(&parts).all(|(a, b)| a == b);
    if let Some(newest) = catalog().releases.iter().map(|r| r.version).filter(matching).max() {
        return Meaning::Known(newest);
    }
    let padded = |i: usize| parts.get(i).copied().unwrap_or(0);
    if Version(padded(0), padded(1), padded(2)) < catalog().oldest() {
        Meaning::TooOld
    } else {
        // A release newer than the catalog, or one that never existed.
        Meaning::Unknown
    }
}

/// Every release pin in a document's text, in file order.
pub fn pins(document: &Document) -> Vec<Pin> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in document.source.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let found = match document.format {
            Format::Compose => image_line(body).map(|t| (Source::ImageTag, t)),
            Format::Ansible => ansible_line(body).map(|t| (Source::Ansible, t)),
            Format::Dockerfile => from_line(body)
                .map(|t| (Source::ImageTag, t))
                .or_else(|| pip_pin(body).map(|t| (Source::PipPin, t))),
            Format::Script => pip_pin(body).map(|t| (Source::PipPin, t)),
            _ => None,
        };
        if let Some((source, (at, text))) = found {
            out.push(Pin {
                source,
                span: Span {
                    start: start + at,
                    end: start + at + text.len(),
                },
                text: text.to_string(),
            });
        }
    }
    out
}

/// The tag of an omero-web image reference (`openmicroscopy/omero-web-standalone:5.8`):
/// its offset in `reference` and text; `latest` when there is none.
fn omero_web_tag(reference: &str) -> Option<(usize, &str)> {
    let (name, digest) = match reference.split_once('@') {
        Some((name, _)) => (name, true),
        None => (reference, false),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    let (repo, tag) = match last.split_once(':') {
        Some((repo, tag)) => (repo, Some(tag)),
        None => (last, None),
    };
    if repo != "omero-web-standalone" && repo != "omero-web" {
        return None;
    }
    if digest {
        let at = name.len() + 1;
        return Some((at, &reference[at..]));
    }
    match tag {
        Some(tag) => Some((reference.len() - tag.len(), tag)),
        None => Some((reference.len(), "")),
    }
}

/// `image: openmicroscopy/omero-web-standalone:5.8` in compose or Kubernetes YAML.
fn image_line(line: &str) -> Option<(usize, &str)> {
    let body = line.trim_start().trim_start_matches("- ").trim_start();
    let value = body.strip_prefix("image:")?;
    let value_start = line.len() - value.len();
    let trimmed = value.trim_start();
    let lead = value.len() - trimmed.len();
    let end = trimmed.find(" #").unwrap_or(trimmed.len());
    let reference = trimmed[..end].trim_end().trim_matches(['"', '\'']);
    let quote = trimmed.len() - trimmed.trim_start_matches(['"', '\'']).len();
    // `${WEB_IMAGE:-...}`: compose chooses the image when it runs.
    if reference.contains('$') {
        return reference
            .contains("omero-web")
            .then_some((value_start + lead + quote, reference));
    }
    let (at, tag) = omero_web_tag(reference)?;
    Some((value_start + lead + quote + at, tag))
}

/// `FROM [--platform=...] IMAGE [AS name]` of a Dockerfile; a `$VARIABLE` image is a pin
/// whose text is the variable.
fn from_line(line: &str) -> Option<(usize, &str)> {
    let body = line.trim_start();
    if !body.get(..5).is_some_and(|w| w.eq_ignore_ascii_case("FROM ")) {
        return None;
    }
    let mut at = line.len() - body.len() + 4;
    for word in line[at..].split_whitespace() {
        at += line[at..].find(word).unwrap_or(0);
        if word.starts_with("--") {
            at += word.len();
            continue;
        }
        if word.starts_with('$') {
            return Some((at, word));
        }
        return omero_web_tag(word).map(|(offset, tag)| (at + offset, tag));
    }
    None
}

/// `omero-web==X` (or `omero_web==X`) in a pip command.
fn pip_pin(line: &str) -> Option<(usize, &str)> {
    let lower = line.to_ascii_lowercase();
    if !lower.contains("pip") {
        return None;
    }
    for name in ["omero-web==", "omero_web=="] {
        if let Some(at) = lower.find(name) {
            let start = at + name.len();
            let len = line[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
                .unwrap_or(line.len() - start);
            return Some((start, &line[start..start + len]));
        }
    }
    None
}

/// `omero_web_release: X` of the ome.omero_web role; a Jinja
/// `default('X')` is the release unless the override is set.
fn ansible_line(line: &str) -> Option<(usize, &str)> {
    let body = line.trim_start().trim_start_matches("- ").trim_start();
    let value = body.strip_prefix("omero_web_release:")?;
    let value_start = line.len() - value.len();
    let trimmed = value.trim();
    let lead = value.len() - value.trim_start().len();
    let unquoted = trimmed.trim_matches(['"', '\'']);
    let quote = trimmed.len() - trimmed.trim_start_matches(['"', '\'']).len();
    if unquoted.contains("{{") {
        if let Some(at) = unquoted.find("default(") {
            let inner = &unquoted[at + 8..];
            let inner_trim = inner.trim_start_matches(['\'', '"']);
            let len = inner_trim.find(['\'', '"', ')']).unwrap_or(inner_trim.len());
            let offset = value_start + lead + quote + at + 8 + (inner.len() - inner_trim.len());
            if len > 0 {
                return Some((offset, &inner_trim[..len]));
            }
        }
    }
    Some((value_start + lead + quote, unquoted))
}

/// What the deployment says beyond the file: the user's choice, the
/// virtualenv's install and the project configuration, in that precedence.
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub option: Option<Version>,
    /// The release installed in `--venv`, and the virtualenv's path.
    pub venv: Option<(Version, String)>,
    /// The project configuration's `omero-web-version`, and the file's path.
    pub project: Option<(Version, String)>,
}

/// The release `document` is judged against, with the findings that say
/// what its pin could not tell.
pub fn decide(document: &Document, given: &Given) -> (Release, Vec<Finding>) {
    let pins = pins(document);
    let latest = catalog().latest;
    let oldest = catalog().oldest();
    let place = |pin: &Pin| {
        let line = document.source[..pin.span.start].matches('\n').count() + 1;
        format!("{}:{line}", document.path)
    };
    // The last known pin wins: a later `pip install` replaces the image's omero-web.
    let known = pins
        .iter()
        .filter_map(|p| match meaning(&p.text) {
            Meaning::Known(v) => Some((p, v)),
            Meaning::TooOld => Some((p, oldest)),
            Meaning::Unknown => None,
        })
        .next_back();
    // What the deployment says above the file's pins, in precedence order.
    let stated = [
        given.option.map(|v| (v, Source::Option, None)),
        given.venv.as_ref().map(|(v, path)| (*v, Source::Venv, Some(path))),
        given
            .project
            .as_ref()
            .map(|(v, path)| (*v, Source::ProjectConfig, Some(path))),
    ];
    let mut stated = stated.into_iter().flatten();
    let mut findings = Vec::new();
    let release = if let Some((version, source, path)) = stated.next() {
        // The sources that lose and name another release, each said once.
        let unused: Vec<String> = stated
            .filter(|(v, ..)| *v != version)
            .map(|(v, source, path)| format!("{} {v} at {} not used", source.name(), path.map_or("", String::as_str)))
            .chain(
                known
                    .filter(|(_, v)| *v != version)
                    .map(|(p, _)| format!("{} {} at {} not used", p.source.name(), p.text, place(p))),
            )
            .collect();
        Release {
            version,
            source,
            path: path.cloned(),
            note: (!unused.is_empty()).then(|| unused.join("; ")),
        }
    } else if let Some((pin, version)) = known {
        if meaning(&pin.text) == Meaning::TooOld {
            findings.push(
                Finding::new(
                    &PIN_TOO_OLD,
                    format!(
                        "OMERO.web {} is older than every release omeroconf knows: judged at {oldest}",
                        pin.text
                    ),
                )
                .at(pin.span, "pinned here")
                .help("upgrade to a supported release, or read the findings with care"),
            );
        }
        Release {
            version,
            source: pin.source,
            path: Some(place(pin)),
            note: None,
        }
    } else {
        let unknown = pins.first();
        if let Some(pin) = unknown {
            let what = if pin.text.is_empty() || pin.text == "latest" {
                "the image tag latest".to_string()
            } else if pin.text.starts_with('$') {
                format!("the build argument {}", pin.text)
            } else {
                format!("`{}`", pin.text)
            };
            findings.push(
                Finding::new(
                    &PIN_UNKNOWN,
                    format!("{what} names no fixed OMERO.web release: judged at the latest, {latest}"),
                )
                .at(pin.span, "release not fixed here")
                .help("pin a release, or pass --omero-web-version with the release you run"),
            );
        }
        Release {
            version: latest,
            source: Source::Assumed,
            path: None,
            note: unknown.map(|p| format!("{} at {} names no release", p.source.name(), place(p))),
        }
    };
    (release, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats;
    use crate::source::Options;

    fn judged(path: &str, text: &str, format: Format, given: &Given) -> (Release, Vec<&'static str>) {
        let document = formats::read(path, text.to_string(), format, &Options::default());
        let (release, findings) = decide(&document, given);
        (release, findings.iter().map(|f| f.code()).collect())
    }

    fn newest(major: u32, minor: u32) -> Version {
        catalog()
            .releases
            .iter()
            .map(|r| r.version)
            .filter(|v| v.0 == major && v.1 == minor)
            .max()
            .expect("the catalog holds the series")
    }

    const COMPOSE: &str = "services:\n  web:\n    image: \"openmicroscopy/omero-web-standalone:TAG\"\n";

    fn compose(tag: &str) -> (Release, Vec<&'static str>) {
        judged(
            "docker-compose.yml",
            &COMPOSE.replace("TAG", tag),
            Format::Compose,
            &Given::default(),
        )
    }

    #[test]
    fn pins_point_at_their_text() {
        let cases = [
            ("c.yml", COMPOSE.replace("TAG", "5.8"), Format::Compose),
            (
                "k.yaml",
                "    - image: 'openmicroscopy/omero-web:latest'\n".into(),
                Format::Compose,
            ),
            (
                "Dockerfile",
                "FROM --platform=linux/amd64 openmicroscopy/omero-web-standalone:5.9 AS web\n".into(),
                Format::Dockerfile,
            ),
            ("s.sh", "pip3 install omero_web==5.6.0\n".into(), Format::Script),
            ("v.yml", "omero_web_release: '5.11.0'\n".into(), Format::Ansible),
        ];
        for (path, text, format) in cases {
            let document = formats::read(path, text, format, &Options::default());
            let found = pins(&document);
            assert_eq!(found.len(), 1, "{path}");
            assert_eq!(
                &document.source[found[0].span.start..found[0].span.end],
                found[0].text,
                "{path}"
            );
        }
    }

    /// Odd quoting and non-ASCII text never put a span off the text.
    #[test]
    fn hostile_pins_stay_on_their_text() {
        let cases = [
            ("v.yml", "omero_web_release: é''\n", Format::Ansible),
            ("v.yml", "omero_web_release: '''5.8\n", Format::Ansible),
            (
                "v.yml",
                "omero_web_release: \"{{ x | default('é') }}\"\n",
                Format::Ansible,
            ),
            ("v.yml", "omero_web_release: \"{{ x | default( }}\"\n", Format::Ansible),
            ("c.yml", "    image: '''openmicroscopy/omero-web:é'\n", Format::Compose),
            ("c.yml", "    image: omero-web@\n", Format::Compose),
            ("c.yml", "    image: \"\n", Format::Compose),
            ("Dockerfile", "FROM\tomero-web:5 é\nFROM --x\n", Format::Dockerfile),
            ("s.sh", "pip install omero-web==é\n", Format::Script),
        ];
        for (path, text, format) in cases {
            let document = formats::read(path, text.to_string(), format, &Options::default());
            for pin in pins(&document) {
                assert_eq!(
                    document.source.get(pin.span.start..pin.span.end),
                    Some(pin.text.as_str()),
                    "{text:?}"
                );
            }
            decide(&document, &Given::default());
        }
    }

    #[test]
    fn image_tags_full_partial_and_unknown() {
        let (release, codes) = compose("5.24.0");
        assert_eq!(
            (release.version, release.source, codes),
            (Version(5, 24, 0), Source::ImageTag, vec![])
        );
        assert_eq!(release.path.as_deref(), Some("docker-compose.yml:3"));
        assert_eq!(compose("5.8").0.version, newest(5, 8));
        assert_eq!(compose("5").0.version, catalog().latest);
        for unknown in ["latest", "5.99.0"] {
            let (release, codes) = compose(unknown);
            assert_eq!((release.version, release.source), (catalog().latest, Source::Assumed));
            assert_eq!(codes, vec!["IS002"], "{unknown}");
        }
        let text = "services:\n  web:\n    image: ${WEB:-openmicroscopy/omero-web-standalone:5.24.0}\n";
        let (release, codes) = judged("c.yml", text, Format::Compose, &Given::default());
        assert_eq!((release.source, codes), (Source::Assumed, vec!["IS002"]));
        let text = COMPOSE.replace(":TAG\"", "@sha256:0123abcd\"");
        let (release, codes) = judged("c.yml", &text, Format::Compose, &Given::default());
        assert_eq!((release.source, codes), (Source::Assumed, vec!["IS002"]));
        let (release, codes) = compose("5.5.1");
        assert_eq!(
            (release.version, release.source),
            (catalog().oldest(), Source::ImageTag)
        );
        assert_eq!(codes, vec!["IS001"]);
        // Other images say nothing about OMERO.web.
        let text = "services:\n  db:\n    image: postgres:16\n  server:\n    image: openmicroscopy/omero-server:5.6\n";
        assert_eq!(
            judged("c.yml", text, Format::Compose, &Given::default()).0.source,
            Source::Assumed
        );
    }

    #[test]
    fn kubernetes_lists_and_unquoted_images() {
        let text = "spec:\n  containers:\n    - image: openmicroscopy/omero-web-standalone:5.27.1\n      name: web\n";
        let (release, _) = judged("web.yaml", text, Format::Compose, &Given::default());
        assert_eq!(release.version, Version(5, 27, 1));
    }

    #[test]
    fn dockerfile_from_and_pip_pins() {
        let text = "FROM openmicroscopy/omero-web-standalone:5.24.0\nRUN omero config set omero.web.debug false\n";
        let (release, _) = judged("Dockerfile", text, Format::Dockerfile, &Given::default());
        assert_eq!((release.version, release.source), (Version(5, 24, 0), Source::ImageTag));
        // A later pip install replaces the image's omero-web.
        let text = format!("{text}RUN /opt/omero/web/venv3/bin/pip install omero-web==5.27.0\n");
        let (release, _) = judged("web.Dockerfile", &text, Format::Dockerfile, &Given::default());
        assert_eq!((release.version, release.source), (Version(5, 27, 0), Source::PipPin));
        assert_eq!(release.path.as_deref(), Some("web.Dockerfile:3"));
        let text =
            "ARG BASE=openmicroscopy/omero-web-standalone:5\nFROM $BASE\nRUN omero config set omero.web.debug false\n";
        let (release, codes) = judged("Dockerfile", text, Format::Dockerfile, &Given::default());
        assert_eq!((release.source, codes), (Source::Assumed, vec!["IS002"]));
        let text = "FROM ubuntu:22.04\nRUN omero config set omero.web.debug false\n";
        let (release, codes) = judged("Dockerfile", text, Format::Dockerfile, &Given::default());
        assert_eq!((release.source, codes), (Source::Assumed, vec![]));
    }

    #[test]
    fn scripts_pin_with_pip() {
        let text = "pip install \"omero-web==5.8.1\" omero-figure\nomero config set omero.web.debug false\n";
        let (release, _) = judged("setup.sh", text, Format::Script, &Given::default());
        assert_eq!((release.version, release.source), (Version(5, 8, 1), Source::PipPin));
    }

    #[test]
    fn ansible_release_pins() {
        let (release, _) = judged(
            "vars.yml",
            "omero_web_release: \"{{ override | default('5.11.0') }}\"\n",
            Format::Ansible,
            &Given::default(),
        );
        assert_eq!((release.version, release.source), (Version(5, 11, 0), Source::Ansible));
        let (release, codes) = judged(
            "vars.yml",
            "omero_web_release: 5.3.0-m9\n",
            Format::Ansible,
            &Given::default(),
        );
        assert_eq!((release.version, codes), (catalog().oldest(), vec!["IS001"]));
        let (release, codes) = judged(
            "vars.yml",
            "omero_web_release: present\n",
            Format::Ansible,
            &Given::default(),
        );
        assert_eq!((release.source, codes), (Source::Assumed, vec!["IS002"]));
    }

    #[test]
    fn the_option_and_the_venv_win_over_a_pin_and_say_so() {
        let text = COMPOSE.replace("TAG", "5.24.0");
        let venv = Given {
            venv: Some((Version(5, 33, 2), "/opt/omero/web/venv3".into())),
            ..Given::default()
        };
        let (release, codes) = judged("c.yml", &text, Format::Compose, &venv);
        assert_eq!((release.version, release.source), (Version(5, 33, 2), Source::Venv));
        assert_eq!(release.note.as_deref(), Some("image-tag 5.24.0 at c.yml:3 not used"));
        assert!(codes.is_empty());
        let both = Given {
            option: Some(Version(5, 8, 1)),
            ..venv
        };
        let (release, _) = judged("c.yml", &text, Format::Compose, &both);
        assert_eq!((release.version, release.source), (Version(5, 8, 1), Source::Option));
        let (release, _) = judged("c.yml", "services: {}\n", Format::Compose, &Given::default());
        assert_eq!(
            (release.version, release.source, release.note),
            (catalog().latest, Source::Assumed, None)
        );
    }

    /// Each step of the precedence against every step below it:
    /// `--omero-web-version` > `--venv` > project configuration > pin > latest.
    #[test]
    fn the_project_configuration_sits_between_the_venv_and_the_pin() {
        let text = COMPOSE.replace("TAG", "5.24.0");
        let project = Some((Version(5, 27, 1), "deploy/.omeroconf.toml".to_string()));
        let venv = Some((Version(5, 33, 2), "/opt/omero/web/venv3".to_string()));
        // The project configuration over a pin, and says which pin it overrode.
        let given = Given {
            project: project.clone(),
            ..Given::default()
        };
        let (release, codes) = judged("c.yml", &text, Format::Compose, &given);
        assert_eq!(
            (release.version, release.source, release.path.as_deref()),
            (Version(5, 27, 1), Source::ProjectConfig, Some("deploy/.omeroconf.toml"))
        );
        assert_eq!(release.note.as_deref(), Some("image-tag 5.24.0 at c.yml:3 not used"));
        assert!(codes.is_empty());
        assert_eq!(
            release.describe(Some("c.yml")),
            "OMERO.web 5.27.1 (project-config deploy/.omeroconf.toml; image-tag 5.24.0 at c.yml:3 not used)"
        );
        // Without a pin it is the release, with nothing overridden.
        let (release, _) = judged("c.yml", "services: {}\n", Format::Compose, &given);
        assert_eq!(
            (release.version, release.source, release.note),
            (Version(5, 27, 1), Source::ProjectConfig, None)
        );
        // An unpinned image is no question when the project says the release.
        let (release, codes) = judged("c.yml", &COMPOSE.replace("TAG", "latest"), Format::Compose, &given);
        assert_eq!((release.source, codes), (Source::ProjectConfig, vec![]));
        // The venv over the project configuration and the pin.
        let given = Given {
            venv: venv.clone(),
            project: project.clone(),
            ..Given::default()
        };
        let (release, _) = judged("c.yml", &text, Format::Compose, &given);
        assert_eq!((release.version, release.source), (Version(5, 33, 2), Source::Venv));
        assert_eq!(
            release.note.as_deref(),
            Some("project-config 5.27.1 at deploy/.omeroconf.toml not used; image-tag 5.24.0 at c.yml:3 not used")
        );
        // The option over all of them.
        let given = Given {
            option: Some(Version(5, 8, 1)),
            venv,
            project,
        };
        let (release, _) = judged("c.yml", &text, Format::Compose, &given);
        assert_eq!((release.version, release.source), (Version(5, 8, 1), Source::Option));
        assert_eq!(
            release.note.as_deref(),
            Some(
                "venv 5.33.2 at /opt/omero/web/venv3 not used; project-config 5.27.1 at deploy/.omeroconf.toml not \
                 used; image-tag 5.24.0 at c.yml:3 not used"
            )
        );
        // A project configuration that agrees with the pin overrides nothing.
        let given = Given {
            project: Some((Version(5, 24, 0), ".omeroconf.toml".into())),
            ..Given::default()
        };
        let (release, _) = judged("c.yml", &text, Format::Compose, &given);
        assert_eq!((release.source, release.note), (Source::ProjectConfig, None));
    }
}

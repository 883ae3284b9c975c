//! The project configuration, `.omeroconf.toml`: what a repository states
//! once instead of on every command line (the release it runs, the rules
//! it selects and ignores, per-file ignores, the env style, the paths a
//! directory search leaves out, the server's cores).
//!
//! Each input takes the nearest file at or above its directory, up to the
//! filesystem root (standard input: the current directory), as ruff finds
//! `ruff.toml`; the nearest file wins whole, nothing is merged from files
//! further up. `--config FILE` names one for every input, `--isolated`
//! reads none. A key omeroconf does not know, or a value of the wrong
//! type, is an error naming the file, line and key: a misspelt setting
//! must not be ignored silently. The file is never read as OMERO.web
//! configuration (`formats::PROJECT_FILE`).

use crate::catalog::{catalog, Version};
use crate::lint::Filter;
use crate::source::env::EnvStyle;
use crate::walk;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml_edit::Item;

pub use crate::formats::PROJECT_FILE as FILE_NAME;

/// The keys a project configuration may set.
const KEYS: [&str; 7] = [
    "omero-web-version",
    "select",
    "ignore",
    "per-file-ignores",
    "env-style",
    "exclude",
    "cores",
];

/// A larger file is no hand-written configuration.
const MAX_BYTES: u64 = 1 << 20;

/// One `.omeroconf.toml`.
#[derive(Debug, Clone)]
pub struct Project {
    /// The file, as reports name it (relative to the current directory when below it).
    pub shown: String,
    /// The release to judge at, below `--omero-web-version` and the virtualenv.
    pub omero_web_version: Option<Version>,
    /// Codes or prefixes to report (`None`: every rule).
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    /// Codes not reported for the files a glob matches.
    pub per_file_ignores: Vec<(Globs, Vec<String>)>,
    pub env_style: Option<EnvStyle>,
    /// Paths a directory search leaves out.
    pub exclude: Option<Globs>,
    pub cores: Option<u32>,
}

/// Gitignore-style globs rooted at a directory (a project's `exclude` and
/// `per-file-ignores` at the file's directory, `--exclude` at the current
/// one): `*.env` matches at any depth, `deploy/*.env` only below the root,
/// `build/` a directory and what it holds, `!keep.env` takes a path back.
#[derive(Debug, Clone)]
pub struct Globs(Gitignore);

impl Globs {
    pub fn new(root: &Path, patterns: &[String]) -> Result<Globs, String> {
        let mut builder = GitignoreBuilder::new(walk::absolute(root));
        for pattern in patterns {
            builder
                .add_line(None, pattern)
                .map_err(|e| format!("`{pattern}` is not a glob: {e}"))?;
        }
        builder.build().map(Globs).map_err(|e| e.to_string())
    }

    /// Whether `path` itself matches (a directory search asks of each
    /// directory before it enters it).
    pub fn matches(&self, path: &Path, is_dir: bool) -> bool {
        self.0.matched(walk::absolute(path), is_dir).is_ignore()
    }

    /// Whether `path`, or a directory above it below the root, matches.
    pub fn covers(&self, path: &Path, is_dir: bool) -> bool {
        let path = walk::absolute(path);
        let matched = if path.starts_with(self.0.path()) {
            self.0.matched_path_or_any_parents(&path, is_dir)
        } else {
            self.0.matched(&path, is_dir)
        };
        matched.is_ignore()
    }
}

impl Project {
    /// The release it names and where, as the release precedence takes it.
    pub fn release(&self) -> Option<(Version, String)> {
        Some((self.omero_web_version?, self.shown.clone()))
    }

    /// Reads and checks the project configuration at `path`.
    pub fn read(path: &Path) -> Result<Project, String> {
        let path = walk::absolute(path);
        let shown = shown(&path);
        let mut bytes = Vec::new();
        walk::open_regular(&path)
            .and_then(|file| file.take(MAX_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read the project configuration {shown}: {e}"))?;
        if bytes.len() as u64 > MAX_BYTES {
            return Err(format!(
                "{shown}: larger than {MAX_BYTES} bytes, not a project configuration"
            ));
        }
        let text = String::from_utf8(bytes).map_err(|_| format!("{shown}: not UTF-8 text"))?;
        Project::parse(&path, shown, &text)
    }

    /// Checks the text of the project configuration at `path` (absolute).
    pub fn parse(path: &Path, shown: String, text: &str) -> Result<Project, String> {
        let line = |span: Option<std::ops::Range<usize>>| {
            let before = span.map_or(&[][..], |s| &text.as_bytes()[..s.start.min(text.len())]);
            before.iter().filter(|b| **b == b'\n').count() + 1
        };
        let parsed = toml_edit::Document::parse(text)
            .map_err(|e| format!("{shown}:{}: invalid TOML: {}", line(e.span()), e.message().trim_end()))?;
        let root = path.parent().unwrap_or(Path::new("/"));
        let mut project = Project {
            shown: shown.clone(),
            omero_web_version: None,
            select: None,
            ignore: Vec::new(),
            per_file_ignores: Vec::new(),
            env_style: None,
            exclude: None,
            cores: None,
        };
        let table = parsed.as_table();
        for (key, item) in table.iter() {
            let at = line(table.get_key_value(key).and_then(|(k, _)| k.span()));
            let wrong = |why: String| format!("{shown}:{at}: `{key}` {why}");
            let list = || strings(item).ok_or_else(|| wrong("must be an array of strings".into()));
            match key {
                "omero-web-version" => {
                    let text = item
                        .as_str()
                        .ok_or_else(|| wrong(format!("must be a string such as \"{}\"", catalog().latest)))?;
                    project.omero_web_version = Some(catalog().known_release(text).map_err(wrong)?);
                }
                "select" => project.select = Some(list()?),
                "ignore" => project.ignore = list()?,
                "exclude" => project.exclude = Some(Globs::new(root, &list()?).map_err(wrong)?),
                "env-style" => {
                    let style = item
                        .as_str()
                        .ok_or_else(|| wrong("must be \"docker\" or \"compose\"".into()))?;
                    project.env_style = Some(style.parse().map_err(wrong)?);
                }
                "cores" => {
                    let cores = item
                        .as_integer()
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| wrong("must be a whole number of cores, 1 or more".into()))?;
                    project.cores = Some(cores);
                }
                "per-file-ignores" => {
                    let globs = item
                        .as_table_like()
                        .ok_or_else(|| wrong("must be a table of globs to arrays of codes".into()))?;
                    for (glob, codes) in globs.iter() {
                        let codes = strings(codes).ok_or_else(|| {
                            wrong(format!("\"{glob}\" must be an array of codes such as [\"SC001\"]"))
                        })?;
                        let globs = Globs::new(root, &[glob.to_string()]).map_err(wrong)?;
                        project.per_file_ignores.push((globs, codes));
                    }
                }
                _ => {
                    return Err(format!(
                        "{shown}:{at}: unknown key `{key}` (a project configuration sets {})",
                        KEYS.join(", ")
                    ))
                }
            }
        }
        Ok(project)
    }
}

/// An array of strings, or `None` for anything else.
fn strings(item: &Item) -> Option<Vec<String>> {
    item.as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// `path` relative to the current directory when it is below it.
fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|here| path.strip_prefix(here).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// The codes `file` is judged for, from the command line's and the
/// project's choices, as ruff resolves them: a `--select` on the command
/// line starts afresh (the project's `select` and `ignore` are dropped), a
/// command-line `--ignore` adds to the project's `ignore`, and the project's
/// `per-file-ignores` always apply.
pub fn filter(project: Option<&Project>, command_line: &Filter, file: &Path) -> Filter {
    let Some(project) = project else {
        return command_line.clone();
    };
    let (select, mut ignore) = if command_line.select.is_empty() {
        (project.select.clone().unwrap_or_default(), project.ignore.clone())
    } else {
        (command_line.select.clone(), Vec::new())
    };
    ignore.extend(command_line.ignore.iter().cloned());
    if file != Path::new("-") {
        for (globs, codes) in &project.per_file_ignores {
            if globs.covers(file, false) {
                ignore.extend(codes.iter().cloned());
            }
        }
    }
    Filter { select, ignore }
}

/// Where project configuration comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovery {
    /// The nearest `.omeroconf.toml` at or above each input.
    Upward,
    /// `--config FILE`, for every input.
    File(PathBuf),
    /// `--isolated`: none.
    Isolated,
}

/// Finds the project configuration of each input, reading each file once.
#[derive(Debug)]
pub struct Finder {
    discovery: Discovery,
    /// The file that governs each directory asked about (`None`: no file).
    governing: HashMap<PathBuf, Option<PathBuf>>,
    read: HashMap<PathBuf, Result<Arc<Project>, String>>,
}

impl Finder {
    pub fn new(discovery: Discovery) -> Finder {
        Finder {
            discovery,
            governing: HashMap::new(),
            read: HashMap::new(),
        }
    }

    /// The project configuration of `input` (`-`: of the current
    /// directory), or why it cannot be read.
    pub fn for_input(&mut self, input: &Path) -> Result<Option<Arc<Project>>, String> {
        let file = match &self.discovery {
            Discovery::Isolated => return Ok(None),
            Discovery::File(file) => file.clone(),
            Discovery::Upward => {
                // Standard input, `./-`, is read in the current directory.
                let input = walk::absolute(input);
                match self.nearest(input.parent().unwrap_or(&input)) {
                    Some(file) => file,
                    None => return Ok(None),
                }
            }
        };
        self.read
            .entry(file)
            .or_insert_with_key(|file| Project::read(file).map(Arc::new))
            .clone()
            .map(Some)
    }

    /// The nearest project file at or above `dir`.
    fn nearest(&mut self, dir: &Path) -> Option<PathBuf> {
        let mut asked = Vec::new();
        let mut found = None;
        for ancestor in dir.ancestors() {
            if let Some(known) = self.governing.get(ancestor) {
                found = known.clone();
                break;
            }
            asked.push(ancestor.to_path_buf());
            let candidate = ancestor.join(FILE_NAME);
            // Whatever it is, it was meant as the configuration: reading it says what is wrong.
            if std::fs::symlink_metadata(&candidate).is_ok() {
                found = Some(candidate);
                break;
            }
        }
        for dir in asked {
            self.governing.insert(dir, found.clone());
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<Project, String> {
        Project::parse(Path::new("/srv/repo/.omeroconf.toml"), ".omeroconf.toml".into(), text)
    }

    #[test]
    fn every_key_is_read() -> Result<(), String> {
        let project = parsed(
            "omero-web-version = \"5.24.0\"\nselect = [\"SC\", \"TY\"]\nignore = [\"SC001\"]\n\
             env-style = \"docker\"\nexclude = [\"old/\", \"*.bak\"]\ncores = 8\n\
             [per-file-ignores]\n\"deploy/*.env\" = [\"SE\"]\n",
        )?;
        assert_eq!(project.omero_web_version, Some(Version(5, 24, 0)));
        assert_eq!(project.select, Some(vec!["SC".to_string(), "TY".to_string()]));
        assert_eq!(project.ignore, vec!["SC001".to_string()]);
        assert_eq!(project.env_style, Some(EnvStyle::Docker));
        assert_eq!(project.cores, Some(8));
        let exclude = project.exclude.ok_or("exclude is read")?;
        assert!(exclude.matches(Path::new("/srv/repo/x/old"), true));
        assert!(!exclude.matches(Path::new("/srv/repo/x/old"), false));
        assert!(!exclude.matches(Path::new("/srv/repo/old/web.env"), false));
        assert!(exclude.covers(Path::new("/srv/repo/old/web.env"), false));
        assert!(exclude.matches(Path::new("/srv/repo/a/web.properties.bak"), false));
        assert!(!exclude.covers(Path::new("/srv/repo/web.properties"), false));
        assert_eq!(project.per_file_ignores.len(), 1);
        Ok(())
    }

    #[test]
    fn mistakes_name_the_file_line_and_key() {
        let cases = [
            ("selct = [\"SC\"]\n", ".omeroconf.toml:1: unknown key `selct`"),
            (
                "\nselect = \"SC\"\n",
                ".omeroconf.toml:2: `select` must be an array of strings",
            ),
            ("ignore = [1]\n", "`ignore` must be an array of strings"),
            ("omero-web-version = 5.24\n", "`omero-web-version` must be a string"),
            ("omero-web-version = \"5.99.0\"\n", "omeroconf knows OMERO.web"),
            ("omero-web-version = \"five\"\n", "`five` is not a release number"),
            ("env-style = \"podman\"\n", "`env-style` unknown env style `podman`"),
            ("cores = 0\n", "`cores` must be a whole number"),
            ("cores = -4\n", "`cores` must be a whole number"),
            ("exclude = [\"a{b\"]\n", "`exclude` `a{b` is not a glob"),
            ("per-file-ignores = [\"x\"]\n", "`per-file-ignores` must be a table"),
            (
                "[per-file-ignores]\n\"*.env\" = \"SE\"\n",
                "\"*.env\" must be an array of codes",
            ),
            ("select = [\n", ".omeroconf.toml:1: invalid TOML"),
            ("[tool.omeroconf]\nselect = []\n", "unknown key `tool`"),
        ];
        for (text, expected) in cases {
            match parsed(text) {
                Ok(_) => panic!("{text:?} was accepted"),
                Err(message) => assert!(message.contains(expected), "{text:?}: {message}"),
            }
        }
        // Odd text is an error, never a panic.
        for text in [
            "é = 1\n",
            "\"é\u{301}\" = [",
            "select = [\"\u{0}\"]\n[[x]]\n",
            "\u{feff}cores = 1e9\n",
            "a.b.c = {",
        ] {
            assert!(parsed(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn the_command_line_select_starts_afresh_and_ignore_extends() -> Result<(), String> {
        let project = parsed(
            "select = [\"SC\", \"TY\"]\nignore = [\"SC001\"]\n[per-file-ignores]\n\"legacy/*\" = [\"TY006\"]\n",
        )?;
        let cli = |select: &[&str], ignore: &[&str]| Filter {
            select: select.iter().map(|s| s.to_string()).collect(),
            ignore: ignore.iter().map(|s| s.to_string()).collect(),
        };
        let file = Path::new("/srv/repo/web.properties");
        let merged = filter(Some(&project), &cli(&[], &["TY001"]), file);
        assert_eq!(
            (merged.select, merged.ignore),
            (vec!["SC".into(), "TY".into()], vec!["SC001".into(), "TY001".into()])
        );
        let merged = filter(Some(&project), &cli(&["SC001"], &[]), file);
        assert_eq!((merged.select, merged.ignore), (vec!["SC001".to_string()], vec![]));
        let legacy = Path::new("/srv/repo/legacy/web.properties");
        let merged = filter(Some(&project), &cli(&["SC001"], &[]), legacy);
        assert_eq!(merged.ignore, vec!["TY006".to_string()]);
        // A file elsewhere is not below the project's directory.
        let merged = filter(
            Some(&project),
            &cli(&[], &[]),
            Path::new("/elsewhere/legacy/web.properties"),
        );
        assert_eq!(merged.ignore, vec!["SC001".to_string()]);
        let merged = filter(None, &cli(&["KY"], &["KY002"]), file);
        assert_eq!(
            (merged.select, merged.ignore),
            (vec!["KY".to_string()], vec!["KY002".to_string()])
        );
        Ok(())
    }

    #[test]
    fn the_nearest_file_wins_up_to_the_root() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        std::fs::create_dir_all(root.join("deploy/web"))?;
        std::fs::create_dir_all(root.join("other"))?;
        std::fs::write(root.join(FILE_NAME), "omero-web-version = \"5.24.0\"\n")?;
        std::fs::write(root.join("deploy").join(FILE_NAME), "cores = 4\n")?;
        let mut finder = Finder::new(Discovery::Upward);
        let found = |finder: &mut Finder, path: &str| {
            finder
                .for_input(&root.join(path))
                .ok()
                .flatten()
                .map(|p| (p.omero_web_version, p.cores))
        };
        assert_eq!(found(&mut finder, "deploy/web/web.env"), Some((None, Some(4))));
        assert_eq!(found(&mut finder, "deploy/web.env"), Some((None, Some(4))));
        assert_eq!(
            found(&mut finder, "other/web.env"),
            Some((Some(Version(5, 24, 0)), None))
        );
        assert_eq!(found(&mut finder, "web.env"), Some((Some(Version(5, 24, 0)), None)));
        let mut isolated = Finder::new(Discovery::Isolated);
        assert_eq!(found(&mut isolated, "deploy/web.env"), None);
        let mut named = Finder::new(Discovery::File(root.join(FILE_NAME)));
        assert_eq!(
            found(&mut named, "deploy/web.env"),
            Some((Some(Version(5, 24, 0)), None))
        );
        // A broken file is an error for every input it governs, not a default.
        std::fs::write(root.join("deploy").join(FILE_NAME), "cores = \"four\"\n")?;
        let mut finder = Finder::new(Discovery::Upward);
        let error = finder.for_input(&root.join("deploy/web.env")).err().unwrap_or_default();
        assert!(error.contains("`cores` must be a whole number"), "{error}");
        Ok(())
    }
}

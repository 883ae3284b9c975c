//! A Python virtualenv read as files, never run: the distributions its
//! `*.dist-info` directories describe, the Python version of its layout,
//! and whether a module can be found on its path the way
//! `importlib.util.find_spec` finds it (no module is executed).

use crate::catalog::Version;
use std::path::{Path, PathBuf};

/// One installed distribution (`NAME-VERSION.dist-info`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    /// The `Name` of its METADATA, as written.
    pub name: String,
    pub version: String,
    /// Its `Requires-Dist` lines (`Django>=4.2,<5.0`, markers kept).
    pub requires: Vec<String>,
    /// The top-level modules it provides (`top_level.txt`, else RECORD).
    pub modules: Vec<String>,
}

impl Distribution {
    /// PyPI names compare case-insensitively with `-`, `_` and `.` alike.
    pub fn is(&self, name: &str) -> bool {
        normalise(&self.name) == normalise(name)
    }
}

/// A PyPI name in its canonical form (PEP 503).
pub fn normalise(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

/// The omero-web release installed in a virtualenv, which must be one the
/// catalog knows (a command reading at that release cannot guess another).
pub fn installed_release(dir: &Path) -> Result<Version, String> {
    Venv::read(dir)?.known_release()
}

/// A virtualenv (or a `pip install --target` directory) as read from disk.
#[derive(Debug, Clone)]
pub struct Venv {
    pub root: PathBuf,
    /// `(major, minor)` from `lib/pythonX.Y` or `pyvenv.cfg`.
    pub python: Option<(u32, u32)>,
    /// The import path: each site-packages, then the paths its `.pth` files add.
    pub path: Vec<PathBuf>,
    pub distributions: Vec<Distribution>,
}

impl Venv {
    /// Reads `dir`: a virtualenv (`lib*/python*/site-packages`) or a
    /// directory that is itself a site-packages.
    pub fn read(dir: &Path) -> Result<Venv, String> {
        let mut python = None;
        let mut sites = Vec::new();
        for lib in ["lib", "lib64"] {
            let Ok(entries) = std::fs::read_dir(dir.join(lib)) else {
                continue;
            };
            let mut found: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
            found.sort();
            for entry in found {
                let site = entry.join("site-packages");
                if !site.is_dir() || sites.iter().any(|s: &PathBuf| same_dir(s, &site)) {
                    continue;
                }
                let name = entry
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                python = python.or_else(|| python_version(name.strip_prefix("python")?));
                sites.push(site);
            }
        }
        if sites.is_empty() && has_dist_info(dir) {
            sites.push(dir.to_path_buf());
        }
        if sites.is_empty() {
            return Err(format!(
                "{} is not a virtualenv: no lib/python*/site-packages and no *.dist-info",
                dir.display()
            ));
        }
        if python.is_none() {
            python = std::fs::read_to_string(dir.join("pyvenv.cfg")).ok().and_then(|cfg| {
                cfg.lines()
                    .filter_map(|l| l.split_once('='))
                    .find(|(k, _)| matches!(k.trim(), "version" | "version_info"))
                    .and_then(|(_, v)| python_version(v.trim()))
            });
        }
        let mut path = sites.clone();
        let mut distributions = Vec::new();
        for site in &sites {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(site)
                .map_err(|e| format!("cannot read {}: {e}", site.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .collect();
            entries.sort();
            for entry in entries {
                let name = entry
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if name.ends_with(".dist-info") && entry.is_dir() {
                    if let Some(dist) = read_dist_info(&entry) {
                        distributions.push(dist);
                    }
                } else if name.ends_with(".pth") {
                    path.extend(pth_paths(site, &entry));
                }
            }
        }
        Ok(Venv {
            root: dir.to_path_buf(),
            python,
            path,
            distributions,
        })
    }

    pub fn distribution(&self, name: &str) -> Option<&Distribution> {
        self.distributions.iter().find(|d| d.is(name))
    }

    /// [`Venv::omero_web`], when the catalog knows that release.
    pub fn known_release(&self) -> Result<Version, String> {
        crate::catalog::catalog()
            .known(self.omero_web()?)
            .map_err(|why| format!("{} holds omero-web: {why}", self.root.display()))
    }

    /// The omero-web release installed, from its dist-info.
    pub fn omero_web(&self) -> Result<Version, String> {
        let mut found: Vec<&Distribution> = self.distributions.iter().filter(|d| d.is("omero-web")).collect();
        found.dedup_by(|a, b| a.version == b.version);
        match found.as_slice() {
            [one] => Version::parse(&one.version).ok_or_else(|| {
                format!(
                    "{} holds omero-web {}, which is not a release number",
                    self.root.display(),
                    one.version
                )
            }),
            [] => Err(format!("no omero_web-*.dist-info in {}", self.root.display())),
            many => Err(format!(
                "{} holds several omero-web installs ({})",
                self.root.display(),
                many.iter().map(|d| d.version.as_str()).collect::<Vec<_>>().join(", ")
            )),
        }
    }

    /// Whether `importlib.util.find_spec(module)` finds `module` on this
    /// path: a regular package, a module file, an extension module, or a
    /// namespace package, each parent found first.
    pub fn importable(&self, module: &str) -> bool {
        let mut search: Vec<PathBuf> = self.path.clone();
        let parts: Vec<&str> = module.split('.').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return false;
        }
        for (i, part) in parts.iter().enumerate() {
            match find(&search, part) {
                Found::Package(dir) => search = vec![dir],
                Found::Namespace(dirs) => search = dirs,
                Found::Module if i + 1 == parts.len() => return true,
                // A module has no submodules; nothing found is not importable.
                Found::Module | Found::Nothing => return false,
            }
        }
        true
    }
}

/// Whether Django can import an `INSTALLED_APPS` entry: the module itself,
/// or for an AppConfig path (`omero_figure.apps.FigureConfig`) its module.
pub fn app_importable(venv: &Venv, entry: &str) -> bool {
    venv.importable(entry)
        || entry
            .rsplit_once('.')
            .is_some_and(|(module, _)| venv.importable(module))
}

/// A `Requires-Dist` line as (distribution, specifier), `None` when a
/// marker limits it (an extra, a Python version): it may not apply.
pub fn requirement(line: &str) -> Option<(&str, &str)> {
    if line.contains(';') {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let rest = line[end..].trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(extras) => extras.split_once(']').map_or("", |(_, r)| r),
        None => rest,
    };
    Some((
        &line[..end],
        rest.trim().trim_start_matches('(').trim_end_matches(')').trim(),
    ))
}

/// Whether `version` satisfies a PEP 440 specifier (`>=4.2,<5.0`, `==5.*`,
/// `~=5.8`); `None` when a clause cannot be read. Release numbers only:
/// pre-release and local parts are dropped.
pub fn satisfies(version: &str, specifier: &str) -> Option<bool> {
    let have = release_parts(version)?;
    let mut all = true;
    for clause in specifier.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let op_end = clause.find(|c: char| c.is_ascii_alphanumeric()).unwrap_or(clause.len());
        let (op, want) = (clause[..op_end].trim(), clause[op_end..].trim());
        let ok = if let Some(prefix) = want.strip_suffix(".*") {
            let prefix = release_parts(prefix)?;
            let matches = have
                .iter()
                .chain(std::iter::repeat(&0))
                .zip(&prefix)
                .all(|(a, b)| a == b);
            match op {
                "==" => matches,
                "!=" => !matches,
                _ => return None,
            }
        } else {
            let want_parts = release_parts(want)?;
            let order = compare(&have, &want_parts);
            match op {
                "==" | "===" => order.is_eq(),
                "!=" => order.is_ne(),
                "<" => order.is_lt(),
                "<=" => order.is_le(),
                ">" => order.is_gt(),
                ">=" => order.is_ge(),
                "~=" if want_parts.len() >= 2 => {
                    let prefix = &want_parts[..want_parts.len() - 1];
                    order.is_ge()
                        && have
                            .iter()
                            .chain(std::iter::repeat(&0))
                            .zip(prefix)
                            .all(|(a, b)| a == b)
                }
                _ => return None,
            }
        };
        all &= ok;
    }
    Some(all)
}

fn release_parts(text: &str) -> Option<Vec<u64>> {
    let text = text.trim().trim_start_matches(['v', 'V']);
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let parts: Vec<u64> = text[..end]
        .trim_end_matches('.')
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    (!parts.is_empty()).then_some(parts)
}

fn compare(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let len = a.len().max(b.len());
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    (0..len)
        .map(|i| at(a, i).cmp(&at(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// What one name is on an import path.
enum Found {
    Package(PathBuf),
    Namespace(Vec<PathBuf>),
    Module,
    Nothing,
}

/// Python's path-based finder for one name: the first entry holding a
/// package or a module wins; directories without `__init__` only count
/// when no entry does.
fn find(path: &[PathBuf], name: &str) -> Found {
    let mut portions = Vec::new();
    for entry in path {
        let dir = entry.join(name);
        if dir.is_dir() {
            if has_file(&dir, "__init__") {
                return Found::Package(dir);
            }
            // A directory without `__init__` is passed over for a module of the same name here.
            if has_file(entry, name) {
                return Found::Module;
            }
            portions.push(dir);
        } else if has_file(entry, name) {
            return Found::Module;
        }
    }
    if portions.is_empty() {
        Found::Nothing
    } else {
        Found::Namespace(portions)
    }
}

/// Whether `dir` holds a module file `stem.py`, `stem.pyc` or an extension `stem.<tag>.so`.
fn has_file(dir: &Path, stem: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(stem).and_then(|r| r.strip_prefix('.')) else {
            return false;
        };
        let module_file =
            matches!(rest, "py" | "pyc" | "so" | "pyd") || rest.ends_with(".so") || rest.ends_with(".pyd");
        module_file && e.path().is_file()
    })
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn python_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.split('.');
    let major = parts.next()?.trim().parse().ok()?;
    let minor: String = parts.next()?.chars().take_while(char::is_ascii_digit).collect();
    Some((major, minor.parse().ok()?))
}

fn has_dist_info(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().ends_with(".dist-info"))
    })
}

/// The directories a `.pth` file adds: lines that are not comments or
/// `import` lines, relative to the site directory, kept when they exist.
fn pth_paths(site: &Path, file: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("import ") && !l.starts_with("import\t"))
        .map(|l| site.join(l))
        .filter(|p| p.is_dir())
        .collect()
}

/// A distribution from its dist-info directory; without a readable
/// METADATA, the name and version of the directory's name.
fn read_dist_info(dir: &Path) -> Option<Distribution> {
    let dir_name = dir.file_name()?.to_string_lossy();
    let (stem_name, stem_version) = dir_name.strip_suffix(".dist-info")?.split_once('-')?;
    let metadata = std::fs::read_to_string(dir.join("METADATA")).unwrap_or_default();
    let mut name = None;
    let mut version = None;
    let mut requires = Vec::new();
    // The headers end at the first blank line; the description follows.
    for line in metadata.lines().take_while(|l| !l.trim().is_empty()) {
        let Some((field, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        match field.trim().to_ascii_lowercase().as_str() {
            "name" => name = name.or(Some(value)),
            "version" => version = version.or(Some(value)),
            "requires-dist" => requires.push(value),
            _ => {}
        }
    }
    let modules = match std::fs::read_to_string(dir.join("top_level.txt")) {
        Ok(text) => text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        Err(_) => record_modules(dir),
    };
    Some(Distribution {
        name: name.unwrap_or_else(|| stem_name.to_string()),
        version: version.unwrap_or_else(|| stem_version.to_string()),
        requires,
        modules,
    })
}

/// The top-level modules of a RECORD: the first component of each
/// installed file that is not metadata or a script outside site-packages.
fn record_modules(dir: &Path) -> Vec<String> {
    let Ok(record) = std::fs::read_to_string(dir.join("RECORD")) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for line in record.lines() {
        let file = line.split(',').next().unwrap_or("").trim_matches('"');
        let first = file.split('/').next().unwrap_or("");
        let module = if file.contains('/') {
            first
        } else {
            first.split('.').next().unwrap_or("")
        };
        let skip = module.is_empty()
            || first.ends_with(".dist-info")
            || first.ends_with(".data")
            || first == ".."
            || first == "__pycache__"
            || !(file.contains('/') || file.ends_with(".py") || file.ends_with(".so") || file.ends_with(".pyd"));
        if !skip && !out.iter().any(|m| m == module) {
            out.push(module.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) -> std::io::Result<()> {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)
    }

    #[test]
    fn reads_distributions_modules_and_the_path() -> std::io::Result<()> {
        let venv = tempfile::tempdir()?;
        let root = venv.path();
        let site = "lib/python3.12/site-packages";
        write(root, "pyvenv.cfg", "home = /usr/bin\nversion = 3.12.3\n")?;
        write(
            root,
            &format!("{site}/omero_web-5.29.3.dist-info/METADATA"),
            "Metadata-Version: 2.1\nName: omero-web\nVersion: 5.29.3\nRequires-Dist: Django<4.3,>=4.2.3\n\nName: not a header\n",
        )?;
        write(
            root,
            &format!("{site}/omero_web-5.29.3.dist-info/top_level.txt"),
            "omeroweb\n",
        )?;
        write(root, &format!("{site}/omeroweb/__init__.py"), "")?;
        write(root, &format!("{site}/omeroweb/webclient/__init__.py"), "")?;
        write(root, &format!("{site}/omeroweb/settings.py"), "")?;
        write(
            root,
            &format!("{site}/whitenoise-6.6.0.dist-info/METADATA"),
            "Name: whitenoise\nVersion: 6.6.0\n",
        )?;
        write(
            root,
            &format!("{site}/whitenoise-6.6.0.dist-info/RECORD"),
            "whitenoise/__init__.py,sha256=x,0\nwhitenoise-6.6.0.dist-info/METADATA,,\n../../../bin/x,,\n",
        )?;
        write(root, &format!("{site}/whitenoise/middleware.py"), "")?;
        write(root, &format!("{site}/six.py"), "")?;
        write(root, &format!("{site}/_speedups.cpython-312-x86_64-linux-gnu.so"), "")?;
        write(root, &format!("{site}/nspkg/sub/mod.py"), "")?;
        write(
            root,
            &format!("{site}/dev.pth"),
            "# comment\nimport os\n../../../src\nmissing\n",
        )?;
        write(root, "src/devapp/__init__.py", "")?;
        let venv = Venv::read(root).map_err(std::io::Error::other)?;
        assert_eq!(venv.python, Some((3, 12)));
        assert_eq!(venv.omero_web(), Ok(Version(5, 29, 3)));
        let web = venv.distribution("OMERO_Web").expect("normalised name");
        assert_eq!(web.requires, vec!["Django<4.3,>=4.2.3".to_string()]);
        assert_eq!(web.modules, vec!["omeroweb".to_string()]);
        assert_eq!(
            venv.distribution("whitenoise").map(|d| d.modules.clone()),
            Some(vec!["whitenoise".into()])
        );
        for yes in [
            "omeroweb",
            "omeroweb.webclient",
            "omeroweb.settings",
            "whitenoise.middleware",
            "six",
            "_speedups",
            "nspkg",
            "nspkg.sub.mod",
            "devapp",
        ] {
            assert!(venv.importable(yes), "{yes}");
        }
        for no in [
            "omeroweb.missing",
            "six.moves",
            "whitenoise.storage",
            "corsheaders",
            "nspkg.other",
            "",
            "a..b",
        ] {
            assert!(!venv.importable(no), "{no}");
        }
        Ok(())
    }

    #[test]
    fn requirements_and_specifiers() {
        assert_eq!(requirement("Django<4.3,>=4.2.3"), Some(("Django", "<4.3,>=4.2.3")));
        assert_eq!(requirement("omero-web (>=5.6.0)"), Some(("omero-web", ">=5.6.0")));
        assert_eq!(requirement("redis[hiredis]>=4"), Some(("redis", ">=4")));
        assert_eq!(requirement("pytest; extra == \"test\""), None);
        assert_eq!(satisfies("4.2.16", "<4.3,>=4.2.3"), Some(true));
        assert_eq!(satisfies("5.2.1", "<4.3,>=4.2.3"), Some(false));
        assert_eq!(satisfies("5.33.2", "==5.*"), Some(true));
        assert_eq!(satisfies("6.0", "!=6.*"), Some(false));
        assert_eq!(satisfies("5.9.1", "~=5.8"), Some(true));
        assert_eq!(satisfies("6.0.0", "~=5.8"), Some(false));
        assert_eq!(satisfies("5.2rc1", ">=5.2"), Some(true));
        assert_eq!(satisfies("5.2", ""), Some(true));
        assert_eq!(satisfies("5.2", "@ https://x"), None);
    }

    #[test]
    fn a_target_directory_is_its_own_site_packages() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        write(
            dir.path(),
            "gevent-24.2.1.dist-info/METADATA",
            "Name: gevent\nVersion: 24.2.1\n",
        )?;
        write(dir.path(), "gevent/__init__.py", "")?;
        let venv = Venv::read(dir.path()).map_err(std::io::Error::other)?;
        assert!(venv.importable("gevent"));
        assert!(venv.omero_web().is_err());
        assert!(Venv::read(&dir.path().join("gevent")).is_err());
        Ok(())
    }
}

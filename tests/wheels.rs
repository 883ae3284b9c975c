//! omeroconf's static virtualenv reader against layouts built from real
//! PyPI wheels by scripts/run/wheels.sh (run by scripts/run/test.sh in CI or as
//! root): for every module a configuration may name, "importable" must be
//! what Python's own path finder answers on the same directory. Python
//! finds the spec of each dotted part in its parent's search locations, as
//! `importlib.util.find_spec` does once the parents are imported, without
//! executing any module (old Django on a new Python and the missing Ice
//! do not matter).

mod common;

use omeroconf::catalog::Version;
use omeroconf::venv::Venv;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Modules an OMERO.web configuration names: apps, middleware, cache
/// backends, session engines and serializers, the gevent worker; some
/// missing on purpose.
const MODULES: &[&str] = &[
    "omeroweb",
    "omeroweb.webclient",
    "omeroweb.webgateway",
    "omeroweb.filesessionstore",
    "omeroweb.settings",
    "omeroweb.nothing_here",
    "omero",
    "omero.plugins.web",
    "omero_iviewer",
    "omero_iviewer.apps",
    "omero_figure",
    "omero_mapr",
    "corsheaders",
    "corsheaders.middleware",
    "whitenoise",
    "whitenoise.middleware",
    "django_redis",
    "django_redis.cache",
    "pymemcache",
    "gevent",
    "django",
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.file",
    "django.contrib.sessions.serializers",
    "django.core.cache.backends.memcached",
    "django.core.cache.backends.redis",
    "django.core.cache.backends.dummy",
    "django.middleware.common",
    "django.contrib.messages.middleware",
    "django.utils.six",
];

/// Python's answer for every module, on `site` only (no site-packages of its own).
const FINDER: &str = r#"
import sys, importlib.machinery as machinery, importlib.util as util
site = sys.argv[1]
sys.path[:] = [site] + [p for p in sys.path if p and 'site-packages' not in p]
def found(name):
    parts = name.split('.')
    spec = util.find_spec(parts[0])
    for i in range(1, len(parts)):
        if spec is None or spec.submodule_search_locations is None:
            return False
        # The parent as an unexecuted module, so a namespace child can name it.
        sys.modules.setdefault(spec.name, util.module_from_spec(spec))
        spec = machinery.PathFinder.find_spec('.'.join(parts[:i + 1]), spec.submodule_search_locations)
    return spec is not None
for name in sys.argv[2:]:
    print(name, found(name))
"#;

fn layouts() -> Option<Vec<(PathBuf, Version)>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/wheels");
    let wanted = [("old", Version(5, 6, 0)), ("new", Version(5, 33, 2))];
    let found: Vec<(PathBuf, Version)> = wanted
        .iter()
        .map(|(name, version)| (root.join(name), *version))
        .filter(|(dir, _)| dir.join("lib").is_dir())
        .collect();
    if found.len() == wanted.len() {
        return Some(found);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must build the wheel layouts (scripts/run/wheels.sh)"
    );
    eprintln!(
        "note: no wheel layouts in {}; run scripts/run/wheels.sh",
        root.display()
    );
    None
}

fn site_packages(layout: &Path) -> PathBuf {
    let lib = layout.join("lib");
    let python = std::fs::read_dir(&lib)
        .expect("lib/ reads")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .next()
        .expect("lib/pythonX.Y");
    python.join("site-packages")
}

#[test]
fn importable_is_what_python_finds() {
    let Some(layouts) = layouts() else { return };
    for (layout, release) in layouts {
        let venv = Venv::read(&layout).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(venv.omero_web(), Ok(release));
        let site = site_packages(&layout);
        let output = Command::new("python3")
            .args(["-I", "-c", FINDER])
            .arg(&site)
            .args(MODULES)
            .output()
            .expect("python3 runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let mut disagree = Vec::new();
        for line in text.lines() {
            let (module, answer) = line.split_once(' ').expect("NAME True|False");
            let python = answer == "True";
            if venv.importable(module) != python {
                disagree.push(format!(
                    "{module}: python {python}, omeroconf {}",
                    venv.importable(module)
                ));
            }
        }
        assert_eq!(text.lines().count(), MODULES.len());
        assert!(disagree.is_empty(), "{}: {disagree:#?}", layout.display());
    }
}

/// An OMERODIR beside `properties` whose config.xml holds its properties.
fn omerodir_of(properties: &Path) -> PathBuf {
    let xml = common::omeroconf(&["convert", "--to", "xml", properties.to_str().unwrap_or_default()]);
    let omerodir = properties.with_file_name("OMERO.web");
    let grid = omerodir.join("etc/grid");
    std::fs::create_dir_all(&grid).expect("mkdir");
    std::fs::write(grid.join("config.xml"), &xml.stdout).expect("write config.xml");
    omerodir
}

/// The README's command (`lint --omerodir --venv`) on the layouts: the release from the virtualenv,
/// the missing distributions and an app that excludes the installed omero-web.
#[test]
fn lint_a_live_install() {
    let Some(layouts) = layouts() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let properties = dir.path().join("web.properties");
    std::fs::write(
        &properties,
        "omero.web.apps=[\"omero_iviewer\"]\n\
         omero.web.middleware=[{\"index\": 0.5, \"class\": \"corsheaders.middleware.CorsMiddleware\"}]\n\
         omero.web.caches={\"default\": {\"BACKEND\": \"django_redis.cache.RedisCache\"}}\n",
    )
    .expect("write");
    let omerodir = omerodir_of(&properties);
    // old: omero-iviewer 0.19.1 requires omero-web>=5.33.0, no corsheaders; new: no django_redis.
    let expected = [vec!["IS004", "IS003"], vec!["IS003"]];
    for ((layout, release), codes) in layouts.iter().zip(expected) {
        let output = common::omeroconf(&[
            "lint",
            "--format",
            "json",
            "--omerodir",
            omerodir.to_str().unwrap_or_default(),
            "--venv",
            layout.to_str().unwrap_or_default(),
        ]);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(report["release"]["version"], release.to_string());
        assert_eq!(report["release"]["source"], "venv");
        let found: Vec<&str> = report["files"][0]["diagnostics"]
            .as_array()
            .map(|d| {
                d.iter()
                    .filter_map(|f| f["code"].as_str())
                    .filter(|c| c.starts_with("IS"))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(found, codes, "{}: {report}", layout.display());
    }
}

/// An upgrade dry run of a live install: `migrate --omerodir --venv OLD
/// --to-venv NEW` reads from the old virtualenv's release to the new one's,
/// and leaves to a person what the new virtualenv cannot import.
#[test]
fn migrate_a_live_install_to_an_upgraded_virtualenv() {
    let Some(layouts) = layouts() else { return };
    let [(old, old_release), (new, new_release)] = layouts.as_slice() else {
        panic!("two layouts")
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let properties = dir.path().join("web.properties");
    std::fs::write(
        &properties,
        "omero.web.caches={\"default\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": \"redis://redis:6379/0\"}}\n\
         omero.web.session_engine=django.contrib.sessions.backends.cache\n",
    )
    .expect("write");
    let omerodir = omerodir_of(&properties);
    let output = common::omeroconf(&[
        "migrate",
        "--format",
        "json",
        "--omerodir",
        omerodir.to_str().unwrap_or_default(),
        "--venv",
        old.to_str().unwrap_or_default(),
        "--to-venv",
        new.to_str().unwrap_or_default(),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["from"], old_release.to_string(), "{report}");
    assert_eq!(report["to"], new_release.to_string(), "{report}");
    assert!(
        report["file"].as_str().is_some_and(|f| f.ends_with("config.xml")),
        "{report}"
    );
    let left: Vec<(&str, &str)> = report["left"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|f| Some((f["rule"].as_str()?, f["message"].as_str()?)))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        left.iter()
            .any(|(rule, message)| *rule == "IS003" && message.contains("django_redis")),
        "{report}"
    );
    // Without the new virtualenv nothing says the module is missing.
    let output = common::omeroconf(&[
        "migrate",
        "--format",
        "json",
        "--omerodir",
        omerodir.to_str().unwrap_or_default(),
        "--to-version",
        &new_release.to_string(),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(!report["left"].to_string().contains("IS003"), "{report}");
    // An INPUT and --omerodir together are refused.
    let both = common::omeroconf(&[
        "migrate",
        properties.to_str().unwrap_or_default(),
        "--omerodir",
        omerodir.to_str().unwrap_or_default(),
        "--to-version",
        "5.33.2",
    ]);
    assert_eq!(both.status.code(), Some(2));
}

//! `omero.web.apps` and the UI lists that point into apps: module names
//! Django cannot import, apps renamed since the configuration was written,
//! plugins and links of apps that are not installed, and list properties
//! that still hold a copy of an old default.

use super::LintContext;
use crate::catalog::{catalog, App, Property, Version};
use crate::diagnostic::{Finding, Fix, Rule, Severity::*};
use crate::document::{Format, OpKind};
use crate::python::json::{self, PyJson};

pub static RENAMED_APP: Rule = Rule {
    code: "AP001",
    name: "renamed-app",
    severity: Info,
    summary: "`omero.web.apps` names an app by a module name it no longer has",
    explanation: "Several OMERO.web apps changed their Python module when they moved to PyPI \
(`figure` became `omero_figure`, `omero_webtagging_autotag` became `omero_autotag`). The old \
module works only while its old distribution is installed; the current packages do not provide \
it, so the next upgrade of the app stops Django from loading it. `--fix` writes the new name.",
    example: "omero config append omero.web.apps '\"figure\"'",
    fixed_example: "omero config append omero.web.apps '\"omero_figure\"'",
    fix: true,
    blocks_start: false,
};

pub static NOT_A_MODULE: Rule = Rule {
    code: "AP002",
    name: "app-not-a-module",
    severity: Error,
    summary: "An `omero.web.apps` entry is not a Python module name",
    explanation: "Entries of `omero.web.apps` are Python module names (`omero_iviewer`), not \
the names of the packages pip installs (`omero-iviewer`). Django cannot import a name with a \
dash, space or slash, and OMERO.web fails to start.",
    example: "omero config append omero.web.apps '\"omero-iviewer\"'",
    fixed_example: "omero config append omero.web.apps '\"omero_iviewer\"'",
    fix: false,
    blocks_start: true,
};

pub static UNKNOWN_APP: Rule = Rule {
    code: "AP003",
    name: "unknown-app",
    severity: Info,
    summary: "An app omeroconf does not know",
    explanation: "omeroconf knows the popular OMERO.web apps. Any other module in \
`omero.web.apps` must be installed in OMERO.web's Python environment, or Django fails to load \
it; check the spelling against the app's documentation. The app's own settings \
(`omero.web.<app>.*`) are the app's business and are not checked.",
    example: "omero config append omero.web.apps '\"omero_iviewr\"'",
    fixed_example: "omero config append omero.web.apps '\"omero_iviewer\"'",
    fix: false,
    blocks_start: false,
};

pub static PLUGIN_APP_MISSING: Rule = Rule {
    code: "AP004",
    name: "plugin-app-missing",
    severity: Warning,
    summary: "A UI entry points at an app that `omero.web.apps` does not list",
    explanation: "`omero.web.ui.top_links`, `ui.right_plugins`, `ui.center_plugins` and \
`omero.web.open_with` entries name an app's URLs, templates or scripts. When that app is not in \
`omero.web.apps` its URLs and templates do not exist, so the link, panel or Open-with entry \
fails.",
    example: "omero config append omero.web.ui.top_links '[\"Figure\", \"figure_index\"]'",
    fixed_example: "omero config append omero.web.apps '\"omero_figure\"'\n\
omero config append omero.web.ui.top_links '[\"Figure\", \"figure_index\"]'",
    fix: false,
    blocks_start: false,
};

pub static FROZEN_DEFAULT: Rule = Rule {
    code: "AP005",
    name: "frozen-default",
    severity: Info,
    summary: "A stored list holds an old copy of OMERO.web's default entries",
    explanation: "`omero config append` on an unset list copies OMERO.web's default list into \
the configuration. After an upgrade the stored copy keeps the old default entries: changed or \
new default entries (links, panes, middleware) never reach the site. Compare with `omeroconf \
explain KEY` and update the copied entries, or unset the key and append your own entries again. \
A copied middleware list that lacks a default middleware (clickjacking protection, say) is a \
warning; dated links and panes are information.",
    example: "omero.web.ui.top_links=[[\"Data\", \"webindex\", {\"title\": \"Browse Data via Projects, Tags etc\"}], \
[\"History\", \"history\", {\"title\": \"History\"}], [\"Help\", \"http://help.openmicroscopy.org/\"]]",
    fixed_example:
        "omero.web.ui.top_links=[[\"Data\", \"webindex\", {\"title\": \"Browse Data via Projects, Tags etc\"}], \
[\"History\", \"history\", {\"title\": \"History\"}], [\"Help\", \"https://help.openmicroscopy.org/\", \
{\"title\": \"Open OMERO user guide in a new tab\", \"target\": \"new\"}]]",
    fix: false,
    blocks_start: false,
};

pub static DUPLICATE_UI_ENTRY: Rule = Rule {
    code: "AP006",
    name: "duplicate-ui-entry",
    severity: Warning,
    summary: "A UI list holds the same entry twice",
    explanation: "`omero config append` adds an entry even when the list already has it (only \
`append --set` does not), so a setup script run twice, or two files appending the same link, \
panel or pane, make OMERO.web show it twice. Keep one; `append --set` avoids it.",
    example: "omero config append omero.web.ui.top_links '[\"Figure\", \"figure_index\"]'\n\
omero config append omero.web.ui.top_links '[\"Figure\", \"figure_index\"]'",
    fixed_example: "omero config append --set omero.web.ui.top_links '[\"Figure\", \"figure_index\"]'",
    fix: false,
    blocks_start: false,
};

const APPS: &str = "omero.web.apps";

/// Modules of Django apps that are not OMERO.web apps but are commonly listed.
const OTHER_DJANGO_APPS: &[&str] = &["corsheaders"];

/// How entries of a list property are told apart.
#[derive(Clone, Copy)]
enum Identity {
    /// The first item of an array entry (a label or id).
    First,
    /// A member of an object entry.
    Member(&'static str),
}

/// List properties whose default `append` copies, and how to match entries.
const DEFAULT_LISTS: &[(&str, Identity)] = &[
    ("omero.web.ui.top_links", Identity::First),
    ("omero.web.ui.right_plugins", Identity::First),
    ("omero.web.open_with", Identity::First),
    ("omero.web.ui.metadata_panes", Identity::Member("name")),
    ("omero.web.middleware", Identity::Member("class")),
];

/// Where a UI list names apps: which items of an entry to look at.
const UI_LISTS: &[&str] = &[
    "omero.web.ui.top_links",
    "omero.web.ui.right_plugins",
    "omero.web.ui.center_plugins",
    "omero.web.open_with",
];

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    let listed = strings(ctx.json(APPS).as_ref());
    apps(ctx, &listed, out);
    renamed_ui_entries(ctx, out);
    for key in UI_LISTS {
        plugins(ctx, key, &listed, out);
    }
    for (key, identity) in DEFAULT_LISTS {
        if ctx.is_set(key) {
            frozen(ctx, key, *identity, out);
        }
    }
    for key in UI_LISTS.iter().chain(["omero.web.ui.metadata_panes"].iter()) {
        if ctx.is_set(key) {
            duplicates(ctx, key, out);
        }
    }
}

/// Entries a UI list shows twice: equal entries, or metadata panes of one name.
fn duplicates(ctx: &LintContext, key: &str, out: &mut Vec<Finding>) {
    let Some(PyJson::Array(entries)) = ctx.json(key) else {
        return;
    };
    for (index, entry) in entries.iter().enumerate() {
        let same = |earlier: &PyJson| match (identity_of(entry, Identity::Member("name")), key) {
            (Some(name), "omero.web.ui.metadata_panes") => identity_of(earlier, Identity::Member("name")) == Some(name),
            _ => earlier.py_eq(entry),
        };
        let Some(first) = entries[..index].iter().position(same) else {
            continue;
        };
        let shown = identity_of(entry, Identity::First)
            .or_else(|| identity_of(entry, Identity::Member("name")))
            .map_or_else(|| format!("entry {}", index + 1), |id| format!("`{id}`"));
        let finding = Finding::new(
            &DUPLICATE_UI_ENTRY,
            format!(
                "{key}: {shown} is listed twice (entries {} and {}), so OMERO.web shows it twice",
                first + 1,
                index + 1
            ),
        )
        .key(key)
        .help("remove one; `omero config append --set` adds an entry only once");
        out.push(ctx.at_item(key, index, "listed again", finding));
    }
}

/// The string items of a JSON list, with their positions.
fn strings(value: Option<&PyJson>) -> Vec<(usize, String)> {
    match value {
        Some(PyJson::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                if let PyJson::Str(s) = v {
                    Some((i, s.clone()))
                } else {
                    None
                }
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A dotted Python module name.
fn module_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && chars.all(|c| c.is_alphanumeric() || c == '_')
        })
}

fn apps(ctx: &LintContext, listed: &[(usize, String)], out: &mut Vec<Finding>) {
    let catalog = catalog();
    for (index, name) in listed {
        if let Some(rename) = catalog.app_renames.iter().find(|r| r.old == *name) {
            let quoted_old = format!("\"{}\"", rename.old);
            let fix = (ctx.item_text(APPS, *index) == Some(quoted_old.as_str()))
                .then(|| {
                    ctx.replace_item_fix(
                        APPS,
                        *index,
                        &format!("\"{}\"", rename.new),
                        format!("rename {} to {}", rename.old, rename.new),
                    )
                })
                .flatten()
                .map(Fix::upgrade);
            let finding = Finding::new(
                &RENAMED_APP,
                format!(
                    "{APPS}: `{name}` is now the module `{}` ({})",
                    rename.new,
                    rename.source()
                ),
            )
            .key(APPS)
            .help(format!("write \"{}\"", rename.new))
            .fix(fix);
            out.push(ctx.at_item(APPS, *index, "old module name", finding));
        } else if !module_name(name) {
            let module = name.replace('-', "_");
            let suggestion = catalog
                .apps
                .iter()
                .find(|a| a.distribution == *name || a.module == module)
                .map_or_else(
                    || "use the module name the app's documentation gives".to_string(),
                    |a| format!("write \"{}\"", a.module),
                );
            let finding = Finding::new(
                &NOT_A_MODULE,
                format!("{APPS}: `{name}` is not a Python module name; Django cannot import it"),
            )
            .key(APPS)
            .help(suggestion);
            out.push(ctx.at_item(APPS, *index, "not importable", finding));
        } else if !catalog.apps.iter().any(|a| a.module == *name) && !OTHER_DJANGO_APPS.contains(&name.as_str()) {
            let close = catalog
                .apps
                .iter()
                .find(|a| crate::similarity::jaro_winkler(&a.module, name) > 0.9);
            let help = close.map_or_else(
                || "make sure the app is installed in OMERO.web's Python environment".to_string(),
                |a| format!("did you mean \"{}\"?", a.module),
            );
            let finding = Finding::new(
                &UNKNOWN_APP,
                format!("{APPS}: omeroconf does not know the app `{name}`; its own settings are not checked"),
            )
            .key(APPS)
            .help(help);
            out.push(ctx.at_item(APPS, *index, "unknown app", finding));
        }
    }
}

/// The key prefixes an app's own settings use: `omero.web.<module>.` and,
/// for `omero_<name>` modules, `omero.web.<name>.` (omero_oauth reads
/// `omero.web.oauth.*`).
fn app_namespaces(module: &str) -> Vec<String> {
    let last = module.rsplit('.').next().unwrap_or(module);
    let mut names = vec![last];
    names.extend(last.strip_prefix("omero_").filter(|rest| !rest.is_empty()));
    names.into_iter().map(|name| format!("omero.web.{name}.")).collect()
}

/// The key prefixes of the apps `omero.web.apps` lists that omeroconf does
/// not know: their keys are read by those apps, not by OMERO.web.
pub fn unknown_app_namespaces(ctx: &LintContext) -> Vec<String> {
    strings(ctx.json(APPS).as_ref())
        .iter()
        .filter(|(_, name)| !catalog().apps.iter().any(|a| a.module == *name))
        .flat_map(|(_, name)| app_namespaces(name))
        .collect()
}

/// The catalog app an entry's URL name, template, script or id belongs to.
fn app_of(texts: &[&str]) -> Option<&'static App> {
    catalog().apps.iter().find(|app| {
        texts.iter().any(|text| {
            let folder = text.split('/').next().unwrap_or_default();
            *text == app.module
                || (text.contains('/') && (folder == app.module || folder == app.label))
                || text.starts_with(&format!("{}_", app.module))
                || text.starts_with(&format!("{}_", app.label))
        })
    })
}

/// The texts of a UI entry that can name an app: its label or id, its URL
/// name or template, and the view name or script URL of its options.
fn entry_texts(parts: &[PyJson]) -> Vec<&str> {
    let mut texts: Vec<&str> = parts.iter().take(2).filter_map(as_str).collect();
    for part in parts.iter().skip(1) {
        if let PyJson::Object(members) = part {
            texts.extend(
                members
                    .iter()
                    .filter(|(k, _)| k == "viewname" || k == "script_url")
                    .filter_map(|(_, v)| as_str(v)),
            );
        }
    }
    texts
}

fn as_str(value: &PyJson) -> Option<&str> {
    match value {
        PyJson::Str(s) => Some(s),
        _ => None,
    }
}

/// UI entries written for an app's old module: their template paths moved
/// with the module, so the panel fails to load once the app is renamed.
fn renamed_ui_entries(ctx: &LintContext, out: &mut Vec<Finding>) {
    for rename in &catalog().app_renames {
        for ui in &rename.ui {
            let Some(PyJson::Array(entries)) = ctx.json(&ui.key) else {
                continue;
            };
            let as_py = |v: &serde_json::Value| json::loads(&v.to_string()).ok();
            let (Some(old), Some(new)) = (as_py(&ui.old), as_py(&ui.new)) else {
                continue;
            };
            for (index, _) in entries.iter().enumerate().filter(|(_, e)| e.py_eq(&old)) {
                let fix = ctx
                    .replace_item_fix(
                        &ui.key,
                        index,
                        &json::dumps(&new),
                        format!("write the {} entry for {}", ui.key, rename.new),
                    )
                    .map(Fix::upgrade);
                let finding = Finding::new(
                    &RENAMED_APP,
                    format!(
                        "{}: the entry `{}` is written for the module `{}`, which is now `{}` ({})",
                        ui.key,
                        json::dumps(&old),
                        rename.old,
                        rename.new,
                        rename.source()
                    ),
                )
                .key(ui.key.clone())
                .help(format!("write {}", json::dumps(&new)))
                .fix(fix);
                out.push(ctx.at_item(&ui.key, index, "old module's paths", finding));
            }
        }
    }
}

fn plugins(ctx: &LintContext, key: &str, listed: &[(usize, String)], out: &mut Vec<Finding>) {
    let Some(PyJson::Array(entries)) = ctx.json(key) else {
        return;
    };
    let installed = |module: &str| {
        listed
            .iter()
            .any(|(_, name)| name == module || catalog().app_renames.iter().any(|r| r.old == *name && r.new == module))
    };
    // A URL name or template of a listed app (`parade_crossfilter_index`
    // is parade_crossfilter's, however close omero_parade's label is).
    let of_listed_app = |texts: &[&str]| {
        listed.iter().any(|(_, name)| {
            texts.iter().any(|text| {
                text == name || text.starts_with(&format!("{name}_")) || text.split('/').next() == Some(name.as_str())
            })
        })
    };
    let complete = apps_list_complete(ctx);
    for (index, entry) in entries.iter().enumerate() {
        let PyJson::Array(parts) = entry else { continue };
        let label = parts.first().and_then(as_str).unwrap_or_default();
        let texts = entry_texts(parts);
        let Some(app) = app_of(&texts) else {
            continue;
        };
        if installed(&app.module) || of_listed_app(&texts) {
            continue;
        }
        let (which, severity) = if complete {
            (format!("which {APPS} does not list"), Warning)
        } else {
            (
                format!("which {APPS} as built here does not list (other files may append it)"),
                Info,
            )
        };
        let finding = Finding::new(
            &PLUGIN_APP_MISSING,
            format!("{key}: the entry `{label}` belongs to the app {}, {which}", app.module),
        )
        .severity(severity)
        .key(key)
        .help(format!(
            "omero config append {APPS} '\"{}\"' (after pip install {})",
            app.module, app.distribution
        ));
        out.push(ctx.at_item(key, index, "needs an app that is not installed", finding));
    }
}

/// Whether this document holds the whole `omero.web.apps` list: a store
/// (a backup, config.xml) or a `set` of it. A script or `.omero` file that
/// only appends is often one of several that build the list (an image's
/// own files included).
pub fn apps_list_complete(ctx: &LintContext) -> bool {
    let store = matches!(
        ctx.document.format,
        Format::Properties | Format::Xml | Format::Toml | Format::Json
    );
    store
        || ctx
            .document
            .operations
            .iter()
            .any(|op| op.key == APPS && op.kind == OpKind::Set)
}

fn identity_of(entry: &PyJson, identity: Identity) -> Option<&str> {
    match (identity, entry) {
        (Identity::First, PyJson::Array(parts)) => parts.first().and_then(as_str),
        (Identity::Member(name), PyJson::Object(members)) => {
            members.iter().find(|(k, _)| k == name).and_then(|(_, v)| as_str(v))
        }
        _ => None,
    }
}

fn frozen(ctx: &LintContext, key: &str, identity: Identity, out: &mut Vec<Finding>) {
    let Some(PyJson::Array(stored)) = ctx.json(key) else {
        return;
    };
    let Some(property) = ctx.property(key) else {
        return;
    };
    let Some(Ok(PyJson::Array(defaults))) = property.default_in(ctx.release()).as_str().map(json::loads) else {
        return;
    };
    let mut matched = 0;
    let mut changed = Vec::new();
    let mut missing = Vec::new();
    for entry in &defaults {
        let Some(id) = identity_of(entry, identity) else {
            continue;
        };
        match stored.iter().find(|s| identity_of(s, identity) == Some(id)) {
            Some(copy) => {
                matched += 1;
                if !copy.py_eq(entry) {
                    changed.push(format!("`{id}`"));
                }
            }
            None => missing.push(format!("`{id}`")),
        }
    }
    // A known old default the list starts with: migrate can refresh it.
    let copy = copied_default(property, &stored, ctx.release()).filter(|(_, old)| !same_list(old, &defaults));
    // Entries of the copied default that the current default no longer has.
    let dropped: Vec<String> = copy
        .iter()
        .flat_map(|(_, old)| old.iter().filter_map(|entry| identity_of(entry, identity)))
        .filter(|id| !defaults.iter().any(|d| identity_of(d, identity) == Some(*id)))
        .map(|id| format!("`{id}`"))
        .collect();
    // Two default entries (or the only one) mark the list as a copy of the
    // default, as does starting with an old default list.
    let looks_copied = matched >= defaults.len().min(2) && !(changed.is_empty() && missing.is_empty());
    if !looks_copied && copy.is_none() {
        return;
    }
    let mut parts = Vec::new();
    if !changed.is_empty() {
        parts.push(format!(
            "{} differ{} from the current default",
            changed.join(", "),
            if changed.len() == 1 { "s" } else { "" }
        ));
    }
    if !missing.is_empty() {
        parts.push(format!(
            "{} of the current default {} missing",
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" }
        ));
    }
    if !dropped.is_empty() {
        parts.push(format!(
            "{} {} no longer in the default",
            dropped.join(", "),
            if dropped.len() == 1 { "is" } else { "are" }
        ));
    }
    if parts.is_empty() {
        parts.push("it differs from the current default".to_string());
    }
    // Graded by what the stale copy changes: a default middleware it lacks
    // is a protection or a service the site goes without; an old link or
    // pane is only dated.
    let severity = if key == "omero.web.middleware" && !missing.is_empty() {
        Warning
    } else {
        Info
    };
    let whose = copy
        .as_ref()
        .map_or_else(|| "OMERO.web's".to_string(), |(release, _)| format!("{release}'s"));
    let fix = copy.and_then(|(release, old)| {
        let additions = &stored[old.len()..];
        let stored_text = ctx.config.get(key)?;
        let description = format!(
            "replace the copy of {release}'s default with {}'s, keeping the {} entr{} added to it",
            ctx.release(),
            additions.len(),
            if additions.len() == 1 { "y" } else { "ies" }
        );
        let value = json::dumps(&PyJson::Array(refreshed(&defaults, additions)));
        // New default entries change what the site shows: a person's call
        // outside an upgrade.
        ctx.value_fix(key, 0..stored_text.len(), &value, description)
            .map(Fix::upgrade_only)
    });
    out.push(
        ctx.on_value(
            &FROZEN_DEFAULT,
            key,
            format!(
                "{key} holds a copy of {whose} default list: {} in {}",
                parts.join("; "),
                ctx.release()
            ),
        )
        .severity(severity)
        .help(format!(
            "compare with `omeroconf explain {key}` and update the copied entries"
        ))
        .fix(fix),
    );
}

/// The known default list `stored` starts with (the longest, when several
/// do), named by the release that had it: what `omero config append` on the
/// unset key copied. Old releases' lists come from schema/legacy-defaults.json.
fn copied_default(property: &Property, stored: &[PyJson], to: Version) -> Option<(String, Vec<PyJson>)> {
    known_defaults(property, to)
        .into_iter()
        .filter(|(_, d)| !d.is_empty() && d.len() <= stored.len() && same_list(d, &stored[..d.len()]))
        .max_by_key(|(_, d)| d.len())
}

/// Every distinct default list of a key up to `to`, with the first release
/// (or legacy release range) that had it.
fn known_defaults(property: &Property, to: Version) -> Vec<(String, Vec<PyJson>)> {
    let legacy = catalog()
        .legacy_defaults
        .iter()
        .filter(|l| l.key == property.key)
        .map(|l| (l.releases.clone(), l.default.as_str()));
    let released = catalog()
        .releases
        .iter()
        .filter(|r| r.version <= to && property.in_release(r.version))
        .filter_map(|r| {
            Some((
                format!("OMERO.web {}", r.version),
                property.default_in(r.version).as_str()?,
            ))
        });
    let mut out: Vec<(String, Vec<PyJson>)> = Vec::new();
    let mut last_text = "";
    for (release, text) in legacy.chain(released) {
        // Most releases repeat the default of the one before.
        if std::mem::replace(&mut last_text, text) == text {
            continue;
        }
        let Ok(PyJson::Array(items)) = json::loads(text) else {
            continue;
        };
        if !out.iter().any(|(_, d)| same_list(d, &items)) {
            out.push((release, items));
        }
    }
    out
}

/// Lists Python compares equal.
fn same_list(a: &[PyJson], b: &[PyJson]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.py_eq(y))
}

/// The current default with `additions` appended as `omero config append
/// --set` would: an entry the default already has is not added again.
fn refreshed(defaults: &[PyJson], additions: &[PyJson]) -> Vec<PyJson> {
    let mut list = defaults.to_vec();
    for item in additions {
        if json::position_in(&list, item).is_none() {
            list.push(item.clone());
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::super::testing::{codes, findings};
    use crate::diagnostic::Severity::{Info, Warning};

    #[test]
    fn renamed_apps_are_fixed_in_place() {
        let text = "omero.web.apps=[\"omero_iviewer\", \"figure\"]\n";
        let found = findings(text);
        let renamed = found.iter().find(|f| f.code() == "AP001").expect("reported");
        let fix = renamed.fix.as_ref().expect("literal value");
        assert_eq!(
            crate::edit::apply(text, &fix.edits).expect("applies"),
            "omero.web.apps=[\"omero_iviewer\", \"omero_figure\"]\n"
        );
        assert_eq!(
            codes("omero.web.apps=[\"omero_webtagging_autotag\"]\n", "AP"),
            vec!["AP001"]
        );
        assert!(codes("omero.web.apps=[\"omero_iviewer\", \"omero_figure\"]\n", "AP").is_empty());
    }

    #[test]
    fn module_names_and_unknown_apps() {
        let found = findings("omero.web.apps=[\"omero-iviewer\"]\n");
        let bad = found.iter().find(|f| f.code() == "AP002").expect("reported");
        assert_eq!(bad.help.as_deref(), Some("write \"omero_iviewer\""));
        let typo = findings("omero.web.apps=[\"omero_iviewr\"]\n");
        assert!(typo
            .iter()
            .any(|f| f.code() == "AP003" && f.help.as_deref() == Some("did you mean \"omero_iviewer\"?")));
        assert!(codes("omero.web.apps=[\"corsheaders\"]\n", "AP").is_empty());
    }

    #[test]
    fn ui_entries_need_their_app() {
        let link = "omero.web.ui.top_links=[[\"Figure\", \"figure_index\", {\"title\": \"Open Figure\"}]]\n";
        assert_eq!(codes(link, "AP"), vec!["AP004"]);
        assert!(codes(&format!("omero.web.apps=[\"omero_figure\"]\n{link}"), "AP").is_empty());
        let plugin = "omero.web.ui.center_plugins=[[\"Auto Tag\", \"omero_autotag/auto_tag_init.js.html\", \"auto_tag_panel\"]]\n";
        assert_eq!(codes(plugin, "AP"), vec!["AP004"]);
        let viewer = "omero.web.open_with=[[\"omero_iviewer\", \"omero_iviewer_index\", {\"script_url\": \"omero_iviewer/openwith.js\"}]]\n";
        assert_eq!(codes(viewer, "AP"), vec!["AP004"]);
        // OMERO.web's own entries and unknown apps are not judged.
        assert!(codes(
            "omero.web.ui.right_plugins=[[\"ROIs\", \"webtest/right_plugin.rois.js.html\", \"image_roi_tab\"]]\n",
            "AP"
        )
        .is_empty());
        // A listed app's own URL name, however close another app's label is.
        let parade = "omero.web.apps=[\"parade_crossfilter\"]\nomero.web.open_with=[[\"Parade\", \"parade_crossfilter_index\", {}]]\n";
        assert!(!codes(parade, "AP").contains(&"AP004"));
    }

    #[test]
    fn a_file_that_only_appends_apps_may_be_one_of_several() {
        use crate::catalog::catalog;
        use crate::diagnostic::Severity::{Info, Warning};
        use crate::source::omero;
        let fragment = "config append -- omero.web.apps '\"omero_iviewer\"'\nconfig set -- omero.web.ui.top_links '[[\"Figure\", \"figure_index\"]]'\n";
        let severity = |text: &str| {
            let linted = crate::lint::lint(omero::parse("web.omero", text), catalog().latest, &Default::default());
            linted.findings.iter().find(|f| f.code() == "AP004").map(|f| f.severity)
        };
        assert_eq!(severity(fragment), Some(Info));
        let whole = fragment.replace(
            "config append -- omero.web.apps '\"omero_iviewer\"'",
            "config set -- omero.web.apps '[\"omero_iviewer\"]'",
        );
        assert_eq!(severity(&whole), Some(Warning));
    }

    #[test]
    fn ui_entries_listed_twice() {
        let twice = "omero.web.ui.top_links=[[\"Figure\", \"figure_index\"], [\"Figure\", \"figure_index\"]]\nomero.web.apps=[\"omero_figure\"]\n";
        assert_eq!(codes(twice, "AP"), vec!["AP006"]);
        let panes = "omero.web.ui.metadata_panes=[{\"name\": \"tag\", \"label\": \"Tags\"}, {\"name\": \"tag\", \"label\": \"Tags again\"}]\n";
        assert_eq!(codes(panes, "AP"), vec!["AP006"]);
        let different = "omero.web.ui.top_links=[[\"Figure\", \"figure_index\"], [\"Figure\", \"figure_index\", {\"title\": \"x\"}]]\nomero.web.apps=[\"omero_figure\"]\n";
        assert!(codes(different, "AP").is_empty());
    }

    #[test]
    fn frozen_defaults() {
        let old_help = "omero.web.ui.top_links=[[\"Data\", \"webindex\", {\"title\": \"Browse Data via Projects, Tags etc\"}], [\"History\", \"history\", {\"title\": \"History\"}], [\"Help\", \"http://help.openmicroscopy.org/\"], [\"GitHub\", \"https://github.com/ome\"]]\n";
        let found = findings(old_help);
        let frozen = found.iter().find(|f| f.code() == "AP005").expect("reported");
        assert!(frozen.message.contains("`Help` differs"), "{}", frozen.message);
        assert_eq!(frozen.severity, Info);
        // A copied middleware list without today's clickjacking protection.
        let old_middleware = "omero.web.middleware=[{\"index\": 1, \"class\": \"django.middleware.common.BrokenLinkEmailsMiddleware\"}, {\"index\": 2, \"class\": \"django.middleware.common.CommonMiddleware\"}, {\"index\": 3, \"class\": \"django.contrib.sessions.middleware.SessionMiddleware\"}, {\"index\": 4, \"class\": \"django.middleware.csrf.CsrfViewMiddleware\"}, {\"index\": 5, \"class\": \"django.contrib.messages.middleware.MessageMiddleware\"}]\n";
        let found = findings(old_middleware);
        let frozen = found.iter().find(|f| f.code() == "AP005").expect("reported");
        assert_eq!(frozen.severity, Warning, "{}", frozen.message);
        let current = "omero.web.ui.top_links=[[\"Data\", \"webindex\", {\"title\": \"Browse Data via Projects, Tags etc\"}], [\"History\", \"history\", {\"title\": \"History\"}], [\"Help\", \"https://help.openmicroscopy.org/\", {\"title\": \"Open OMERO user guide in a new tab\", \"target\": \"new\"}], [\"GitHub\", \"https://github.com/ome\"]]\n";
        assert!(codes(current, "AP").is_empty());
        // A list of one's own is no copy of the default.
        assert!(codes("omero.web.ui.top_links=[[\"Data\", \"webindex\"]]\n", "AP").is_empty());
        let panes = "omero.web.ui.metadata_panes=[{\"name\": \"tag\", \"label\": \"Tags\", \"index\": 1}, {\"name\": \"map\", \"label\": \"Key-Value Pairs\", \"index\": 2}]\n";
        assert!(findings(panes)
            .iter()
            .any(|f| f.code() == "AP005" && f.message.contains("`table`")));
    }

    #[test]
    fn an_old_default_with_additions_is_refreshed_on_upgrade() {
        use crate::diagnostic::Change;
        // OMERO 5.3.0's open_with default (schema/legacy-defaults.json) and an entry of one's own.
        let old_viewer = "[\"Image viewer\", \"webindex\", {\"supported_objects\": [\"image\"], \"script_url\": \"webclient/javascript/ome.openwith_viewer.js\"}]";
        let text = format!("omero.web.open_with=[{old_viewer}, [\"mine\", \"mine_index\"]]\n");
        let found = findings(&text);
        let frozen = found.iter().find(|f| f.code() == "AP005").expect("reported");
        assert!(
            frozen.message.contains("OMERO 5.3.0's default list"),
            "{}",
            frozen.message
        );
        let fix = frozen.fix.as_ref().expect("a known default");
        assert!(
            fix.upgrade && !fix.is_exact(),
            "migrate applies it, lint --fix does not"
        );
        let stored = text["omero.web.open_with=".len()..].trim_end();
        let refreshed = fix.changes.first().and_then(|c| c.new_value(stored));
        assert_eq!(
            refreshed.as_deref(),
            Some("[[\"Image viewer\", \"webgateway\", {\"supported_objects\": [\"image\"], \"script_url\": \"webclient/javascript/ome.openwith_viewer.js\"}], [\"mine\", \"mine_index\"]]")
        );
        assert!(matches!(fix.changes.as_slice(), [Change::Splice { .. }]));
        // An entry the current default has already is not added twice (as `append --set`).
        let current_viewer = old_viewer.replace("webindex", "webgateway");
        let text = format!("omero.web.open_with=[{old_viewer}, {current_viewer}]\n");
        let found = findings(&text);
        let fix = found
            .iter()
            .find_map(|f| f.fix.as_ref().filter(|_| f.code() == "AP005"))
            .expect("a fix");
        let stored = text["omero.web.open_with=".len()..].trim_end();
        assert_eq!(
            fix.changes.first().and_then(|c| c.new_value(stored)),
            Some(format!("[{current_viewer}]"))
        );
    }
}

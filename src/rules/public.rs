//! The public user and its URL filter: whether public access works, and
//! which pages it opens to anyone. OMERO.web tests the filter with Python's
//! `re.search` (unanchored) on the request path, which starts with the
//! prefix when one is set; a request that is not a GET is refused first
//! unless `get_only` is off.

use super::{paths, LintContext};
use crate::catalog::catalog;
use crate::diagnostic::{Finding, Rule, Severity::*};
use crate::document::Span;
use crate::python::json::PyJson;
use crate::python::re::{self, Assertion, Node, NodeKind, Pattern};

pub static INCOMPLETE: Rule = Rule {
    code: "PU001",
    name: "public-incomplete",
    severity: Warning,
    summary: "Public access is on, but its user, password or URL filter is missing",
    explanation: "With `omero.web.public.enabled` true, OMERO.web logs anonymous visitors in \
as `omero.web.public.user` with `omero.web.public.password`. If either is unset it logs a warning \
and turns public access off at the first request. The default `omero.web.public.url_filter` \
matches no page at all, so without a filter public access serves nothing.",
    example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.user public",
    fixed_example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.user public\n\
omero config set omero.web.public.password \"$PUBLIC_PASSWORD\"\nomero config set omero.web.public.url_filter '^/webclient/'",
    fix: false,
    blocks_start: false,
};

pub static EXPOSES_SENSITIVE: Rule = Rule {
    code: "PU002",
    name: "public-exposes-sensitive",
    severity: Warning,
    summary: "The public URL filter lets anonymous visitors reach downloads, scripts, webadmin or API writes",
    explanation: "omeroconf tests the filter as OMERO.web does (`re.search` on the request path, \
prefix included) against representative paths of sensitive URL families: original-file and \
export downloads (`webgateway/archived_files`, `webgateway/download_as`), script launching, `webadmin` and writes through the JSON API. Families that need a POST are only \
reachable when `omero.web.public.get_only` is false. Anything the public user can read can then \
be downloaded by anyone.",
    example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.url_filter '^/web(gateway|client)'",
    fixed_example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.url_filter '^/web(gateway|client)/(?!archived_files|download_as)'",
    fix: false,
    blocks_start: false,
};

pub static ANCHOR_FIRST_BRANCH: Rule = Rule {
    code: "PU003",
    name: "anchor-first-branch-only",
    severity: Warning,
    summary: "`^` anchors only the first alternative of the URL filter",
    explanation: "In `^/iviewer|webgateway|api` the `^` belongs to the first alternative only; \
`webgateway` and `api` match anywhere in the path (`re.search` is unanchored), so a path such as \
`/webclient/?x=api` or any URL containing the word passes the filter. Group the alternatives \
after the anchor.",
    example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.url_filter '^/iviewer|webgateway|api'",
    fixed_example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.url_filter '^/(iviewer|webgateway|api)/'",
    fix: false,
    blocks_start: false,
};

pub static MATCHES_EVERYTHING: Rule = Rule {
    code: "PU004",
    name: "public-filter-matches-everything",
    severity: Warning,
    summary: "The public URL filter matches every URL",
    explanation: "A filter such as `^/` or `.*` lets the public user reach every page OMERO.web \
serves, including downloads of original files, script launching and webadmin. Name the pages \
that should be public instead.",
    example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.url_filter '^/'",
    fixed_example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.url_filter '^/webclient/(?!download)'",
    fix: false,
    blocks_start: false,
};

pub static GET_ONLY_OFF: Rule = Rule {
    code: "PU005",
    name: "public-get-only-off",
    severity: Warning,
    summary: "The public user may send POST, PUT and DELETE requests",
    explanation: "With `omero.web.public.get_only` false, anonymous visitors can send any request \
the filter allows, not only GETs: they can change annotations, launch scripts or write through \
the API with the public user's permissions. Keep the default `true` unless an app needs it.",
    example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.get_only false",
    fixed_example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.get_only true",
    fix: false,
    blocks_start: false,
};

pub static ADMIN_USER: Rule = Rule {
    code: "PU006",
    name: "public-user-admin",
    severity: Warning,
    summary: "The public user is root or looks like an administrator",
    explanation: "Every anonymous visitor acts as the public user. If that is `root` or an \
administrator account, anyone on the internet can see and, with `get_only` off, change all data. \
Create a dedicated, unprivileged user in a read-only group.",
    example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.user root",
    fixed_example:
        "omero config set omero.web.public.enabled true\nomero config set omero.web.public.user public-reader",
    fix: false,
    blocks_start: false,
};

pub static BACKTRACKING: Rule = Rule {
    code: "PU007",
    name: "catastrophic-backtracking",
    severity: Warning,
    summary: "The public URL filter can take exponential time in CPython",
    explanation: "CPython's `re` engine backtracks: a pattern with nested or overlapping \
quantifiers such as `(\\w+/?)+$` can try every way of splitting a long request path, and a single \
crafted URL keeps a worker busy for minutes. The filter runs on every public request, so this is \
a denial of service. Rewrite the pattern so that each character can only be matched one way.",
    example:
        "omero config set omero.web.public.enabled true\nomero config set omero.web.public.url_filter '^/(\\w+/?)+$'",
    fixed_example:
        "omero config set omero.web.public.enabled true\nomero config set omero.web.public.url_filter '^/[\\w/]+$'",
    fix: false,
    blocks_start: false,
};

pub static MISSES_PREFIX: Rule = Rule {
    code: "PU008",
    name: "public-filter-misses-prefix",
    severity: Warning,
    summary: "The public URL filter is anchored at `/` but OMERO.web runs under a prefix",
    explanation: "The path OMERO.web tests includes `omero.web.prefix`: under `/omero` the \
webclient is `/omero/webclient/`, so `^/webclient/` never matches and public access serves no \
page. Put the prefix into the filter.",
    example: "omero config set omero.web.public.enabled true\nomero config set omero.web.prefix /omero\nomero config set omero.web.public.url_filter '^/webclient/'",
    fixed_example:
        "omero config set omero.web.public.enabled true\nomero config set omero.web.prefix /omero\nomero config set omero.web.public.url_filter '^/omero/webclient/'",
    fix: false,
    blocks_start: false,
};

/// A family of sensitive URLs, with paths (under the root) that stand for it.
struct Family {
    name: &'static str,
    paths: &'static [&'static str],
    /// Reached with POST, PUT or DELETE, so `get_only` protects it.
    writes: bool,
}

static SENSITIVE: &[Family] = &[
    Family {
        name: "downloads",
        // Original image files and exports. `webclient/download_placeholder`
        // only links to these, and `download_original_file` serves files
        // the public user can read in the webclient anyway (attachments,
        // script output).
        paths: &["/webgateway/archived_files/download/1/", "/webgateway/download_as/1/"],
        writes: false,
    },
    Family {
        name: "script launching",
        paths: &["/webclient/script_run/1/"],
        writes: true,
    },
    Family {
        name: "webadmin",
        paths: &["/webadmin/", "/webadmin/myaccount/"],
        writes: false,
    },
    Family {
        name: "API writes",
        paths: &["/api/v0/m/save/", "/api/v0/m/images/1/"],
        writes: true,
    },
];

pub static MATCHES_NOTHING: Rule = Rule {
    code: "PU009",
    name: "public-filter-matches-nothing",
    severity: Warning,
    summary: "The public URL filter matches no page of OMERO.web or of the listed apps",
    explanation: "The public user serves only the URLs the filter matches. A filter that names \
an app `omero.web.apps` does not list (`^/gallery/` without omero_gallery), or a path OMERO.web \
does not have, matches nothing: public access is on and serves nothing. Checked only when every \
listed app is one omeroconf knows the URLs of.",
    example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.user public\n\
omero config set omero.web.public.password secret\nomero config set omero.web.public.url_filter '^/gallery/'",
    fixed_example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.user public\n\
omero config set omero.web.public.password secret\nomero config append omero.web.apps '\"omero_gallery\"'\n\
omero config set omero.web.public.url_filter '^/gallery/'",
    fix: false,
    blocks_start: false,
};

pub static TOO_COMPLEX: Rule = Rule {
    code: "PU010",
    name: "public-filter-too-complex",
    severity: Info,
    summary: "The public URL filter is too complex to analyse",
    explanation: "omeroconf runs the filter as CPython's backtracking `re` engine does, on the \
request paths that stand for OMERO.web's pages (prefix included), within a fixed budget of \
matching steps. A filter that needs more (a very long pattern, a very long prefix, or nested \
quantifiers that try many ways on each path) is not judged: which pages it opens, and whether it \
matches every page or none, are then unknown. CPython does the same work on every public request.",
    example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.url_filter '^/.*.*.*.*.*.*/x'",
    fixed_example: "omero config set omero.web.public.enabled true\nomero config set omero.web.public.url_filter '^/webclient/(?!download)'",
    fix: false,
    blocks_start: false,
};

/// Matching steps one analysis of the filter may take: real-world filters
/// need a few thousand, and a step keeps at most one 16-byte backtracking
/// entry.
const FILTER_BUDGET: u64 = 1_000_000;

/// Pages of OMERO.web itself, whatever apps are installed.
static CORE_PAGES: &[&str] = &[
    "/",
    "/webclient/",
    "/webclient/img_detail/1/",
    "/webgateway/render_image/1/0/0/",
    "/webgateway/render_thumbnail/1/",
    "/webadmin/",
    "/api/v0/",
    "/api/v0/m/images/",
    "/url/",
    "/feedback/",
];

/// Pages a public site typically opens: viewing, not downloading.
static VIEWING: &[&str] = &[
    "/webclient/",
    "/webclient/img_detail/1/",
    "/webgateway/render_image/1/0/0/",
    "/webgateway/render_thumbnail/1/",
    "/iviewer/",
    "/figure/",
    "/gallery/",
    "/api/v0/m/images/",
];

const USER: &str = "omero.web.public.user";
const PASSWORD: &str = "omero.web.public.password";
const FILTER: &str = "omero.web.public.url_filter";
const ENABLED: &str = "omero.web.public.enabled";
const GET_ONLY: &str = "omero.web.public.get_only";

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    if !ctx.flag(ENABLED) {
        return;
    }
    // An empty user or password cannot log in; an empty filter matches everything.
    let missing: Vec<&str> = [USER, PASSWORD, FILTER]
        .into_iter()
        .filter(|key| match ctx.config.entries.get(*key) {
            None => true,
            Some(entry) => *key != FILTER && entry.value.known() == Some(""),
        })
        .collect();
    if !missing.is_empty() {
        let consequence = if missing.iter().any(|k| *k != FILTER) {
            "OMERO.web turns public access off at the first request"
        } else {
            "the default filter matches no page, so public access serves nothing"
        };
        out.push(
            ctx.on_value(
                &INCOMPLETE,
                ENABLED,
                format!("public access is on but {} not set: {consequence}", list_keys(&missing)),
            )
            .help(format!(
                "set {}",
                list_keys(&missing).replace(" is", "").replace(" are", "")
            )),
        );
    }
    if ctx.is_set(USER) {
        admin_user(ctx, out);
    }
    if ctx.is_set(GET_ONLY) && !ctx.flag(GET_ONLY) {
        out.push(
            ctx.on_value(
                &GET_ONLY_OFF,
                GET_ONLY,
                "the public user may send POST, PUT and DELETE requests".to_string(),
            )
            .help("set omero.web.public.get_only to true unless an app needs public writes"),
        );
    }
    let Some(raw) = ctx.config.get(FILTER) else { return };
    let Ok(pattern) = re::check(raw) else { return };
    filter_checks(ctx, raw, &pattern, out);
}

/// "`a` is" / "`a` and `b` are" for a message.
fn list_keys(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match quoted.as_slice() {
        [one] => format!("{one} is"),
        [init @ .., last] => format!("{} and {last} are", init.join(", ")),
        [] => String::new(),
    }
}

fn admin_user(ctx: &LintContext, out: &mut Vec<Finding>) {
    let Some(user) = ctx.config.get(USER) else { return };
    let lower = user.trim().to_lowercase();
    let why = if user.trim() == "root" {
        "`root` is OMERO's administrator"
    } else if lower.contains("admin") {
        "the name looks like an administrator account"
    } else {
        return;
    };
    out.push(
        ctx.on_value(
            &ADMIN_USER,
            USER,
            format!("the public user is `{user}`: {why}, and every anonymous visitor acts as it"),
        )
        .help("use a dedicated user with no administrator rights, in a read-only group"),
    );
}

fn filter_checks(ctx: &LintContext, raw: &str, pattern: &Pattern, out: &mut Vec<Finding>) {
    let mut budget = re::Budget::new(FILTER_BUDGET);
    let program = re::Program::compile(pattern, &mut budget);
    let too_complex = || {
        ctx.on_value(
            &TOO_COMPLEX,
            FILTER,
            "the public URL filter is too complex to analyse: which pages it opens to anonymous visitors is unknown",
        )
        .help("name the public pages in a short, anchored filter, e.g. `^/webclient/(?!download)`")
    };
    if program.as_ref().is_err_and(|e| *e == re::CompileError::Exhausted) {
        out.push(too_complex());
        return;
    }
    if let Some(risk) = re::backtracking_risk(pattern) {
        let finding = Finding::new(
            &BACKTRACKING,
            format!(
                "the public URL filter can take exponential time in CPython: {}",
                risk.explanation
            ),
        )
        .key(FILTER)
        .help("rewrite the repeated part so that each character can be matched only one way");
        out.push(at_pattern(
            ctx,
            raw,
            risk.span.start,
            risk.span.end,
            "this part can backtrack exponentially",
            finding,
        ));
    }
    if let Some((branches, first)) = unanchored_branches(pattern) {
        let shown: Vec<String> = branches.iter().map(|b| format!("`{b}`")).collect();
        let finding = Finding::new(
            &ANCHOR_FIRST_BRANCH,
            format!(
                "`^` anchors only the first alternative: {} match anywhere in the path",
                shown.join(", ")
            ),
        )
        .key(FILTER)
        .help(format!(
            "group the alternatives after the anchor, e.g. `{}`",
            grouped(&first, &branches)
        ));
        out.push(at_pattern(
            ctx,
            raw,
            0,
            raw.chars().count(),
            "the alternatives after the first are not anchored",
            finding,
        ));
    }
    // An unresolved `\N{...}` name: what the filter matches is unknown.
    let Ok(program) = program else { return };
    match matching(ctx, raw, &program, &mut budget) {
        Ok(found) => out.extend(found),
        Err(re::Exhausted) => out.push(too_complex()),
    }
}

/// A search of the filter on one request path.
type Search<'a> = dyn FnMut(&str) -> Result<bool, re::Exhausted> + 'a;

/// Whether the filter matches one of `paths` (`every`: all of them),
/// searching no further than needed.
fn matches(search: &mut Search, paths: impl IntoIterator<Item = String>, every: bool) -> Result<bool, re::Exhausted> {
    for path in paths {
        if search(&path)? != every {
            return Ok(!every);
        }
    }
    Ok(every)
}

/// The findings that need the filter run on request paths (PU002, PU004,
/// PU008, PU009), or `Exhausted` when the budget runs out before all are known.
fn matching(
    ctx: &LintContext,
    raw: &str,
    program: &re::Program,
    budget: &mut re::Budget,
) -> Result<Vec<Finding>, re::Exhausted> {
    let mut out = Vec::new();
    let mut search = |path: &str| program.search(path, budget).map(|m| m.is_some());
    let prefix = paths::effective_prefix(ctx).unwrap_or_default();
    let under = |path: &str| format!("{prefix}{path}");
    let all = || {
        SENSITIVE
            .iter()
            .flat_map(|f| f.paths.iter().copied())
            .chain(VIEWING.iter().copied())
    };
    if matches(&mut search, all().chain(["/", "/anything/"]).map(under), true)? {
        out.push(
            ctx.on_value(
                &MATCHES_EVERYTHING,
                FILTER,
                "the public URL filter matches every URL, downloads and webadmin included",
            )
            .help("list the pages that should be public, e.g. `^/webclient/(?!download)`"),
        );
        return Ok(out);
    }
    let get_only = ctx.flag(GET_ONLY);
    let mut exposed = Vec::new();
    for family in SENSITIVE.iter().filter(|f| !(f.writes && get_only)) {
        let mut hits = Vec::new();
        for path in family.paths.iter().copied().map(under) {
            if search(&path)? {
                hits.push(path);
            }
        }
        if !hits.is_empty() {
            exposed.push(format!("{} ({})", family.name, hits.join(", ")));
        }
    }
    if !exposed.is_empty() {
        out.push(
            ctx.on_value(
                &EXPOSES_SENSITIVE,
                FILTER,
                format!("the public URL filter exposes {}", exposed.join("; ")),
            )
            .help("exclude these paths, e.g. with a negative lookahead `(?!archived_files|download_as)`"),
        );
    }
    let mut misses_prefix = false;
    if !prefix.is_empty() {
        let under_prefix = matches(&mut search, all().map(under), false)?;
        misses_prefix = !under_prefix && matches(&mut search, all().map(str::to_string), false)?;
        if misses_prefix {
            out.push(ctx.on_value(&MISSES_PREFIX, FILTER, format!("OMERO.web runs under `{prefix}`, so request paths start with it and the public URL filter matches no page"))
                .help(match raw.strip_prefix("^/") {
                    Some(rest) => format!("write the prefix into the filter: `^{prefix}/{rest}`"),
                    None => format!("write the prefix into the filter, e.g. `^{prefix}/webclient/`"),
                }));
        }
    }
    if !misses_prefix {
        matches_nothing(ctx, &mut search, &under, &mut out)?;
    }
    Ok(out)
}

/// PU009: no page of OMERO.web or of a listed app matches. Apps whose URLs
/// omeroconf does not know make the answer unknown.
fn matches_nothing(
    ctx: &LintContext,
    search: &mut Search,
    under: &dyn Fn(&str) -> String,
    out: &mut Vec<Finding>,
) -> Result<(), re::Exhausted> {
    let listed = match ctx.json("omero.web.apps") {
        Some(PyJson::Array(items)) => items,
        Some(_) => return Ok(()),
        None => Vec::new(),
    };
    let mut app_pages = Vec::new();
    for item in &listed {
        let PyJson::Str(module) = item else { return Ok(()) };
        match catalog().apps.iter().find(|app| app.module == *module) {
            Some(app) => app_pages.extend([format!("/{}/", app.label), format!("/{}/1/", app.label)]),
            None if module == "corsheaders" => {}
            None => return Ok(()),
        }
    }
    let pages = CORE_PAGES.iter().map(|p| p.to_string()).chain(app_pages);
    if !matches(search, pages.map(|p| under(&p)), false)? {
        out.push(
            ctx.on_value(
                &MATCHES_NOTHING,
                FILTER,
                "the public URL filter matches no page of OMERO.web or of the listed apps, so public access serves nothing",
            )
            .help("check the paths it names against the installed apps, e.g. `^/webclient/` or `^/iviewer/`"),
        );
    }
    Ok(())
}

/// Points a finding at characters `start..end` of the filter when the source
/// shows it literally, else at the whole value.
fn at_pattern(ctx: &LintContext, raw: &str, start: usize, end: usize, label: &str, finding: Finding) -> Finding {
    let bytes = |chars: usize| raw.char_indices().nth(chars).map_or(raw.len(), |(i, _)| i);
    let span = ctx
        .op(FILTER)
        .and_then(|op| crate::edit::span_in_value(ctx.document, op, raw, bytes(start)..bytes(end)))
        .filter(|s: &Span| !s.is_empty());
    match span {
        Some(span) => finding.at(span, label),
        None => {
            let mut finding = ctx.at_value(FILTER, finding);
            finding.label = Some(label.to_string());
            finding
        }
    }
}

/// The source of the alternatives after the first of a top-level
/// alternation whose first alternative starts with `^` and others do not,
/// with the first alternative's text.
fn unanchored_branches(pattern: &Pattern) -> Option<(Vec<String>, String)> {
    let source: Vec<char> = pattern.source().chars().collect();
    let text = |node: &Node| {
        source
            .get(node.span.start..node.span.end)
            .map(|c| c.iter().collect::<String>())
    };
    let mut node = pattern.root();
    loop {
        match &node.kind {
            NodeKind::Seq(items) if items.len() == 1 => node = &items[0],
            NodeKind::Group { body, .. } => node = body,
            _ => break,
        }
    }
    let NodeKind::Alt(branches) = &node.kind else {
        return None;
    };
    let (first, rest) = branches.split_first()?;
    if !anchored(first) {
        return None;
    }
    let loose: Vec<String> = rest.iter().filter(|b| !anchored(b)).filter_map(text).collect();
    (!loose.is_empty()).then(|| (loose, text(first).unwrap_or_default()))
}

fn anchored(branch: &Node) -> bool {
    let first = match &branch.kind {
        NodeKind::Seq(items) => items.first(),
        _ => Some(branch),
    };
    first.is_some_and(|n| matches!(n.kind, NodeKind::Assert(Assertion::Start | Assertion::StartText)))
}

/// The alternation rewritten with the anchor in front of a group.
fn grouped(first: &str, others: &[String]) -> String {
    let head = first.trim_start_matches('^');
    match head.strip_prefix('/') {
        Some(rest) if others.iter().all(|o| !o.starts_with('/')) => format!("^/({rest}|{})", others.join("|")),
        _ => format!("^(?:{head}|{})", others.join("|")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{codes, findings};

    const BASE: &str =
        "omero.web.public.enabled=true\nomero.web.public.user=public-reader\nomero.web.public.password=s3cret-Pw\n";

    fn with_filter(filter: &str) -> String {
        format!("{BASE}omero.web.public.url_filter={filter}\n")
    }

    #[test]
    fn incomplete_public_setup() {
        let found = findings("omero.web.public.enabled=true\nomero.web.public.user=public\n");
        let pu: Vec<_> = found.iter().filter(|f| f.code() == "PU001").collect();
        assert_eq!(pu.len(), 1);
        assert!(pu[0].message.contains("omero.web.public.password"), "{}", pu[0].message);
        assert!(pu[0].message.contains("turns public access off"), "{}", pu[0].message);
        let only_filter = findings(BASE);
        assert!(only_filter
            .iter()
            .any(|f| f.code() == "PU001" && f.message.contains("matches no page")));
        // Near misses: complete setup, or public access off.
        assert!(!codes(&with_filter("^/webclient/$"), "PU").contains(&"PU001"));
        assert!(codes("omero.web.public.enabled=false\nomero.web.public.user=public\n", "PU").is_empty());
    }

    #[test]
    fn exposed_families_are_listed_with_paths() {
        let found = findings(&with_filter("^/webgateway/"));
        let exposed = found.iter().find(|f| f.code() == "PU002").expect("downloads exposed");
        assert!(
            exposed
                .message
                .contains("downloads (/webgateway/archived_files/download/1/, /webgateway/download_as/1/)"),
            "{}",
            exposed.message
        );
        assert!(!exposed.message.contains("webadmin"));
        // The lookahead from OMERO's documentation closes webgateway's downloads.
        let safe = with_filter("^/webgateway/(?!archived_files|download_as)");
        assert!(!codes(&safe, "PU").contains(&"PU002"), "{:?}", codes(&safe, "PU"));
    }

    #[test]
    fn write_families_need_get_only_off() {
        let filter = with_filter("^/(webclient|api)/(?!download)");
        assert!(!codes(&filter, "PU").contains(&"PU002"));
        let open = format!("{filter}omero.web.public.get_only=false\n");
        let found = findings(&open);
        let exposed = found.iter().find(|f| f.code() == "PU002").expect("writes exposed");
        assert!(
            exposed.message.contains("script launching (/webclient/script_run/1/)"),
            "{}",
            exposed.message
        );
        assert!(exposed.message.contains("API writes"), "{}", exposed.message);
        assert!(codes(&open, "PU").contains(&"PU005"));
    }

    #[test]
    fn matching_includes_the_prefix() {
        let root_filter = format!("omero.web.prefix=/omero\n{}", with_filter("^/webclient/"));
        assert!(codes(&root_filter, "PU").contains(&"PU008"));
        let prefixed = format!(
            "omero.web.prefix=/omero\n{}",
            with_filter("^/omero/webclient/(?!download)")
        );
        assert!(codes(&prefixed, "PU").is_empty(), "{:?}", codes(&prefixed, "PU"));
        // Exposure is judged on the prefixed path too.
        let exposing = format!("omero.web.prefix=/omero/\n{}", with_filter("^/omero/webgateway/"));
        assert!(findings(&exposing)
            .iter()
            .any(|f| f.code() == "PU002" && f.message.contains("/omero/webgateway/archived_files")));
    }

    #[test]
    fn alternation_anchored_only_first() {
        let found = findings(&with_filter("^/iviewer|webgateway|api"));
        let finding = found.iter().find(|f| f.code() == "PU003").expect("reported");
        assert!(finding.message.contains("`webgateway`, `api`"), "{}", finding.message);
        assert!(finding
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("^/(iviewer|webgateway|api)"));
        assert!(!codes(&with_filter("^/(iviewer|webgateway|api)/"), "PU").contains(&"PU003"));
        assert!(!codes(&with_filter("^/iviewer/|^/webgateway/"), "PU").contains(&"PU003"));
    }

    #[test]
    fn filters_that_match_no_page() {
        let gallery = with_filter("^/gallery/");
        assert!(codes(&gallery, "PU").contains(&"PU009"));
        let listed = format!("{gallery}omero.web.apps=[\"omero_gallery\"]\n");
        assert!(!codes(&listed, "PU").contains(&"PU009"));
        // An app omeroconf does not know may serve it: not judged.
        let unknown = format!("{}omero.web.apps=[\"my_app\"]\n", with_filter("^/my_app/"));
        assert!(!codes(&unknown, "PU").contains(&"PU009"));
        assert!(!codes(&with_filter("^/webclient/"), "PU").contains(&"PU009"));
    }

    #[test]
    fn filters_that_match_everything() {
        for filter in ["^/", ".*", "/"] {
            let c = codes(&with_filter(filter), "PU");
            assert!(c.contains(&"PU004"), "{filter}: {c:?}");
            assert!(!c.contains(&"PU002"), "{filter}: {c:?}");
        }
        assert!(!codes(&with_filter("^/web"), "PU").contains(&"PU004"));
    }

    #[test]
    fn admin_looking_public_users() {
        for user in ["root", "webadmin", "Administrator"] {
            let text = format!("{}omero.web.public.user={user}\n", with_filter("^/webclient/$"));
            assert!(codes(&text, "PU").contains(&"PU006"), "{user}");
        }
        assert!(!codes(&with_filter("^/webclient/$"), "PU").contains(&"PU006"));
        assert!(
            !codes("omero.web.public.user=root\n", "PU").contains(&"PU006"),
            "public access is off"
        );
    }

    /// Patterns on which CPython's `re.search` runs for minutes on a short
    /// path (measured: `^/(\w+/?)+$` took 10 s on a 31-character path and did
    /// not finish in 60 s on 35 characters).
    #[test]
    fn catastrophic_backtracking() {
        for filter in [r"^/(\w+/?)+$", r"^/(a+)+$", r"^/(webclient|\w+)*/x"] {
            let found = findings(&with_filter(filter));
            let risk = found.iter().find(|f| f.code() == "PU007");
            assert!(risk.is_some(), "{filter}");
        }
        for filter in [
            r"^/[\w/]+$",
            r"^/webgateway/(?!archived_files)",
            r"^/(webclient|webgateway)/",
        ] {
            assert!(!codes(&with_filter(filter), "PU").contains(&"PU007"), "{filter}");
        }
    }

    #[test]
    fn backtracking_finding_points_into_the_pattern() {
        let text = with_filter(r"^/(\w+/?)+$");
        let found = findings(&text);
        let risk = found.iter().find(|f| f.code() == "PU007").expect("reported");
        let span = risk.span.expect("located");
        let shown = &text[span.range()];
        assert!(shown.contains("(\\w+/?)+"), "{shown}");
    }

    /// What needs the filter run on request paths (PU002, PU004, PU008,
    /// PU009) is unknown once the step budget runs out: one PU010 instead.
    #[test]
    fn filters_too_complex_to_analyse_are_reported_not_judged() {
        let judged = ["PU002", "PU004", "PU008", "PU009"];
        let unknown = |text: &str| {
            let c = codes(text, "PU");
            assert_eq!(c.iter().filter(|c| **c == "PU010").count(), 1, "{c:?}");
            assert!(!c.iter().any(|c| judged.contains(c)), "{c:?}");
        };
        // Each `.*` can end anywhere: about n**6 ways on an n-character path.
        unknown(&with_filter("^/.*.*.*.*.*.*/x"));
        // Cheap on short paths, but every position costs the rest of the path.
        let quadratic = with_filter("(?!x).*/webadmin/");
        assert!(codes(&quadratic, "PU").contains(&"PU002"));
        unknown(&format!("omero.web.prefix=/{}\n{quadratic}", "p".repeat(20_000)));
        // A filter of 100 000 alternatives is not even compiled.
        let words: Vec<String> = (0..100_000).map(|i| format!("w{i}")).collect();
        unknown(&with_filter(&format!("^/({})/", words.join("|"))));
        // A long prefix alone is no problem for an anchored filter.
        let prefixed = format!(
            "omero.web.prefix=/{}\n{}",
            "p".repeat(20_000),
            with_filter("^/webgateway/")
        );
        assert!(
            codes(&prefixed, "PU").contains(&"PU008"),
            "{:?}",
            codes(&prefixed, "PU")
        );
    }

    #[test]
    fn python_end_of_string_semantics() {
        // Django decodes `%0A`, so a path can end with a newline: Python's
        // `\Z` is the absolute end, `$` also matches before a final newline.
        let found = |p: &str, path: &str| {
            let mut budget = super::re::Budget::new(super::FILTER_BUDGET);
            let pattern = super::re::check(p).expect("valid");
            let program = super::re::Program::compile(&pattern, &mut budget).expect("compiles");
            program.search(path, &mut budget).expect("within budget").is_some()
        };
        assert!(!found(r"^/webadmin/\Z", "/webadmin/\n"));
        assert!(found(r"^/webadmin/$", "/webadmin/\n"));
        let found = findings(&with_filter(r"^/webadmin/\Z"));
        assert!(found
            .iter()
            .any(|f| f.code() == "PU002" && f.message.contains("webadmin (/webadmin/)")));
    }
}

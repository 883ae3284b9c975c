//! docker-compose files and Kubernetes manifests that run omero-web-docker:
//! the `environment:` map or list of each omero-web service, the `env:`
//! list of each omero-web container, and `.omero` files a compose service
//! mounts into /opt/omero/web/config/ (loaded by the image before the
//! variables, see `env`). Spans point into the YAML, never elsewhere.

use super::env::{self, Variable};
use super::yaml::{self, Node, Style};
use super::Options;
use crate::diagnostic::Finding;
use crate::document::{Document, Format, Operation, Span, Value};
use crate::source::rules;
use std::path::{Path, PathBuf};

/// Where the image loads `*.omero` files from.
pub const CONFIG_DIR: &str = "/opt/omero/web/config";

pub fn parse(path: &str, source: &str, options: &Options) -> Document {
    let mut doc = Document::new(path, Format::Compose, source);
    let Some(stream) = yaml::parse_document(
        &mut doc,
        "compose and Kubernetes files are YAML; check the indentation and quotes",
    ) else {
        return doc;
    };
    if let Some(at) = stream.excessive_aliasing {
        doc.findings.push(
            Finding::new(
                &rules::SYNTAX_ERROR,
                "Docker Compose and kubectl refuse this file: their YAML reader stops with \"document contains excessive aliasing\"",
            )
            .at(at, "aliases expand to most of the document from here")
            .help("go-yaml allows aliases to make up at most 99% of a document's nodes (less for large ones); repeat fewer nested aliases"),
        );
        return doc;
    }
    for node in &stream.documents {
        if let Some(services) = node.get("services") {
            for (name, service) in services.entries() {
                if is_web(name.as_str().unwrap_or(""), service, service.get("environment")) {
                    compose_service(&mut doc, service, options);
                }
            }
        } else if node.get("kind").is_some() {
            for container in containers(node) {
                if is_web("", container, container.get("env")) {
                    kubernetes_container(&mut doc, container);
                }
            }
        }
    }
    super::suppress_from_previous_lines(&mut doc, |op| op.span);
    doc
}

/// A service or container running omero-web-docker: by its image, or by
/// the variables only that image reads. An omero-server image is the
/// server, whatever `CONFIG_omero_web_*` it carries.
fn is_web(name: &str, service: &Node, environment: Option<&Node>) -> bool {
    let image = service.get("image").and_then(Node::as_str).unwrap_or("");
    if image.contains("omero-web") {
        return true;
    }
    if image.contains("omero-server") {
        return false;
    }
    if name.contains("omero-web") || name == "omeroweb" {
        return true;
    }
    let Some(environment) = environment else { return false };
    let names: Vec<&str> = match environment {
        Node::Map { entries, .. } => entries.iter().filter_map(|(k, _)| k.as_str()).collect(),
        Node::Seq { items, .. } => items
            .iter()
            .filter_map(|i| i.as_str().or_else(|| i.get("name").and_then(Node::as_str)))
            .map(|s| s.split('=').next().unwrap_or(s))
            .collect(),
        Node::Scalar(_) => Vec::new(),
    };
    names
        .iter()
        .any(|n| n.starts_with(WEB_VARIABLE_PREFIX) || *n == "OMEROHOST")
}

/// The variables that configure OMERO.web itself (server images read
/// `CONFIG_omero_*` too).
const WEB_VARIABLE_PREFIX: &str = "CONFIG_omero_web_";

fn compose_service(doc: &mut Document, service: &Node, options: &Options) {
    let first = doc.operations.len();
    let findings_before = doc.findings.len();
    for mount in config_mounts(service) {
        mounted_file(doc, &mount, options);
    }
    if let Some(env_file) = service.get("env_file") {
        let files: Vec<&Node> = match env_file {
            Node::Seq { items, .. } => items.iter().collect(),
            other => vec![other],
        };
        for file in files {
            let name = file
                .as_str()
                .or_else(|| file.get("path").and_then(Node::as_str))
                .unwrap_or("?");
            doc.findings.push(
                Finding::new(
                    &rules::EXTERNAL_SOURCE,
                    format!("variables from the env_file `{name}` are not checked here"),
                )
                .at(file.span(), "read by compose")
                .help(format!(
                    "lint it too: `omeroconf lint --env-style compose {name}`; `environment:` wins over it"
                )),
            );
        }
    }
    let variables = match service.get("environment") {
        Some(Node::Map { entries, .. }) => entries.iter().filter_map(|(k, v)| map_variable(k, v)).collect(),
        Some(Node::Seq { items, .. }) => items.iter().filter_map(list_variable).collect(),
        _ => Vec::new(),
    };
    env::apply(doc, &variables);
    env::report_overridden(
        doc,
        first,
        "the image loads mounted .omero files, then CONFIG_ variables, then OMEROHOST",
    );
    talks_to_itself(doc, service, first, findings_before);
}

/// A web container that names no OMERO.server keeps OMERO.web's default
/// server list, `localhost`: the container itself. Skipped when a source
/// this check does not read (a mounted file, an env file) may name one.
fn talks_to_itself(doc: &mut Document, container: &Node, first_op: usize, first_finding: usize) {
    let names_server = doc.operations[first_op..].iter().any(|op| op.key == SERVER_LIST);
    let unread_source = doc.findings[first_finding..]
        .iter()
        .any(|f| matches!(f.code(), "IN016" | "IN002"));
    if names_server || unread_source {
        return;
    }
    let at = container.get("image").unwrap_or(container);
    doc.findings.push(
        Finding::new(
            &rules::CONTAINER_WITHOUT_SERVER,
            "this OMERO.web container sets neither OMEROHOST nor omero.web.server_list, so it connects to localhost: the container itself",
        )
        .key(SERVER_LIST)
        .at(at.span(), "no OMERO.server named")
        .help("set OMEROHOST to the OMERO.server's host name (the server's service name in compose)"),
    );
}

const SERVER_LIST: &str = "omero.web.server_list";

/// `NAME: value` (a null value is copied from the environment compose runs in).
fn map_variable(key: &Node, value: &Node) -> Option<Variable> {
    let name = key.as_str()?.to_string();
    let scalar = value.as_scalar();
    let is_null = scalar
        .is_some_and(|s| s.style == Style::Plain && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL"));
    let value_span = if is_null { key.span() } else { value.span() };
    Some(Variable {
        name,
        name_span: key.span(),
        value: if is_null {
            None
        } else {
            Some(env::interpolate(scalar.map_or("", |s| s.text.as_str())))
        },
        value_span,
        span: key.span().join(value_span),
    })
}

/// `- NAME=value` (no `=`: copied from the environment compose runs in).
fn list_variable(item: &Node) -> Option<Variable> {
    let scalar = item.as_scalar()?;
    let text_start = scalar.span.start + usize::from(scalar.style == Style::Quoted);
    let (name, value) = match scalar.text.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (scalar.text.as_str(), None),
    };
    let name_span = Span::new(text_start, text_start + name.len());
    let value_span = match value {
        Some(v) => Span::new(
            name_span.end + 1,
            (name_span.end + 1 + v.len()).min(scalar.span.end.max(name_span.end + 1)),
        ),
        None => name_span,
    };
    Some(Variable {
        name: name.to_string(),
        name_span,
        value: value.map(env::interpolate),
        value_span,
        span: scalar.span,
    })
}

/// A mount into the image's configuration directory.
struct Mount {
    /// The host path, relative to the compose file.
    source: String,
    /// The path in the container.
    target: String,
    span: Span,
}

fn config_mounts(service: &Node) -> Vec<Mount> {
    let mut mounts: Vec<Mount> = service
        .get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|volume| {
            let (source, target) = match volume {
                Node::Scalar(s) => {
                    let mut parts = s.text.split(':');
                    (parts.next()?.to_string(), parts.next()?.to_string())
                }
                map => (
                    map.get("source")?.as_str()?.to_string(),
                    map.get("target")?.as_str()?.to_string(),
                ),
            };
            let target = target.trim_end_matches('/').to_string();
            let inside = target == CONFIG_DIR || target.starts_with(&format!("{CONFIG_DIR}/"));
            inside.then_some(Mount {
                source,
                target,
                span: volume.span(),
            })
        })
        .collect();
    // `omero load --glob` sorts the paths it finds.
    mounts.sort_by(|a, b| a.target.cmp(&b.target));
    mounts
}

/// The `.omero` files behind one mount: host path, the path as the compose
/// file names it, and the container path.
fn mounted_paths(mount: &Mount, base: &Path) -> Vec<(PathBuf, String, String)> {
    let host = base.join(&mount.source);
    if mount.target == CONFIG_DIR {
        let mut files: Vec<(PathBuf, String, String)> = std::fs::read_dir(&host)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "omero"))
                    .filter_map(|p| {
                        let name = p.file_name()?.to_string_lossy().into_owned();
                        let shown = format!("{}/{name}", mount.source.trim_end_matches('/'));
                        (!name.starts_with('.')).then(|| (p.clone(), shown, format!("{CONFIG_DIR}/{name}")))
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort_by(|a, b| a.2.cmp(&b.2));
        files
    } else if mount.target.ends_with(".omero") {
        vec![(host, mount.source.clone(), mount.target.clone())]
    } else {
        Vec::new()
    }
}

fn mounted_file(doc: &mut Document, mount: &Mount, options: &Options) {
    let base = options.base_dir.clone().unwrap_or_default();
    let paths = mounted_paths(mount, &base);
    if paths.is_empty() {
        doc.findings.push(external(
            mount,
            format!("nothing under `{}` was found to check", mount.source),
        ));
    }
    for (host, shown, target) in paths {
        let parsed = std::fs::read_to_string(&host)
            .ok()
            .map(|text| super::omero::parse(&host.display().to_string(), &text))
            .filter(|parsed| parsed.format == Format::Omero);
        match parsed {
            Some(parsed) => import(doc, &parsed, mount.span),
            None => doc.findings.push(external(
                mount,
                format!("the commands in `{shown}` (loaded as {target}) are not part of this check"),
            )),
        }
    }
}

fn external(mount: &Mount, message: String) -> Finding {
    Finding::new(&rules::EXTERNAL_SOURCE, message)
        .at(mount.span, "mounted into the image's config directory")
        .help("lint the mounted files too; the image loads them before the CONFIG_ variables, which win")
}

/// A mounted file's operations, placed at its mount: findings about them
/// belong to the file itself and are reported when it is linted.
pub(crate) fn import(doc: &mut Document, mounted: &Document, at: Span) {
    for op in &mounted.operations {
        doc.operations.push(Operation {
            key_span: at,
            value_span: at,
            span: at,
            ..op.clone()
        });
    }
}

/// The containers of a Kubernetes object (Pod, Deployment, StatefulSet, Job, CronJob, ...).
fn containers(object: &Node) -> Vec<&Node> {
    let mut spec = object.get("spec");
    // Walk down `template.spec` and `jobTemplate.spec` to the pod spec.
    for _ in 0..3 {
        let Some(current) = spec else { break };
        if current.get("containers").is_some() {
            break;
        }
        spec = current
            .get("template")
            .or_else(|| current.get("jobTemplate"))
            .and_then(|t| t.get("spec"));
    }
    spec.and_then(|s| s.get("containers"))
        .map(|c| c.items().iter().collect())
        .unwrap_or_default()
}

fn kubernetes_container(doc: &mut Document, container: &Node) {
    let first = doc.operations.len();
    let findings_before = doc.findings.len();
    let variables: Vec<Variable> = container
        .get("env")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| {
            let (name_key, name) = item.entry("name")?;
            let value = item.get("value");
            let value_span = value.map_or(name.span(), Node::span);
            Some(Variable {
                name: name.as_str()?.to_string(),
                name_span: name.span(),
                // `valueFrom` (a Secret or ConfigMap) is unknown here.
                value: value.and_then(Node::as_str).map(|v| Value::Known(v.to_string())),
                value_span,
                span: name_key.span().join(value_span),
            })
        })
        .collect();
    if let Some(env_from) = container.get("envFrom") {
        doc.findings.push(
            Finding::new(&rules::EXTERNAL_SOURCE, "variables from `envFrom` are not checked here")
                .at(env_from.span(), "a ConfigMap or Secret")
                .help("lint the ConfigMap's data as an env file"),
        );
    }
    for mount in container.get("volumeMounts").map(Node::items).unwrap_or_default() {
        let path = mount.get("mountPath").and_then(Node::as_str).unwrap_or("");
        if path.trim_end_matches('/') == CONFIG_DIR || path.starts_with(&format!("{CONFIG_DIR}/")) {
            doc.findings.push(
                Finding::new(
                    &rules::EXTERNAL_SOURCE,
                    format!("files mounted at `{path}` are not part of this check"),
                )
                .at(mount.span(), "loaded by the image before the CONFIG_ variables")
                .help("lint the mounted .omero files too; the CONFIG_ variables win over them"),
            );
        }
    }
    env::apply(doc, &variables);
    env::report_overridden(doc, first, "the image applies CONFIG_ variables, then OMEROHOST");
    talks_to_itself(doc, container, first, findings_before);
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::source::test_util::{codes, stored};

    #[test]
    fn map_and_list_environments_of_web_services_only() {
        let source = r#"services:
  database:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: postgres
  omeroweb:
    image: openmicroscopy/omero-web-standalone:5
    environment:
      CONFIG_omero_web_debug: true
      CONFIG_omero_web_prefix: "/omero"
      CONFIG_omero_web_secret__key: ${WEB_SECRET}
      CONFIG_omero_web_public_user: $$public
  other:
    image: example/web
    environment:
      - CONFIG_omero_web_wsgi__workers=5
      - "CONFIG_omero_web_public_enabled=yes"
      - OMEROHOST
"#;
        let doc = parse("docker-compose.yml", source, &Options::default());
        assert_eq!(
            stored(&doc),
            vec![
                ("omero.web.debug".into(), "true".into()),
                ("omero.web.prefix".into(), "/omero".into()),
                ("omero.web.secret_key".into(), "?".into()),
                ("omero.web.public.user".into(), "$public".into()),
                ("omero.web.wsgi_workers".into(), "5".into()),
                ("omero.web.public.enabled".into(), "yes".into()),
                ("omero.web.server_list".into(), "?".into()),
            ]
        );
        assert_eq!(codes(&doc), vec!["IN002", "IN002"]);
        assert_eq!(&source[doc.operations[1].value_span.range()], "\"/omero\"");
        assert_eq!(
            &source[doc.operations[5].key_span.range()],
            "CONFIG_omero_web_public_enabled"
        );
        assert_eq!(&source[doc.operations[5].value_span.range()], "yes");
    }

    #[test]
    fn an_omero_server_service_is_not_web_configuration() {
        // The server image reads CONFIG_omero_* too (omero.db.*), and a
        // CONFIG_omero_web_* there never reaches the web container.
        let source = r#"services:
  omeroserver:
    image: "openmicroscopy/omero-server:5"
    environment:
      CONFIG_omero_db_host: database
      CONFIG_omero_web_debug: "true"
  built:
    build: ./server
    environment:
      CONFIG_omero_db_user: omero
  omeroweb:
    image: "openmicroscopy/omero-web-standalone:5"
    environment:
      OMEROHOST: omeroserver
"#;
        let doc = parse("docker-compose.yml", source, &Options::default());
        assert_eq!(
            stored(&doc),
            vec![(
                "omero.web.server_list".into(),
                "[[\"omeroserver\", 4064, \"omero\"]]".into()
            )]
        );
        assert!(codes(&doc).is_empty());
    }

    #[test]
    fn a_web_container_without_a_server_talks_to_itself() {
        let alone = "services:\n  web:\n    image: openmicroscopy/omero-web-standalone:5\n    environment:\n      CONFIG_omero_web_debug: \"false\"\n";
        assert_eq!(
            codes(&parse("docker-compose.yml", alone, &Options::default())),
            vec!["SE008"]
        );
        let with_host = format!("{alone}      OMEROHOST: omeroserver\n");
        assert!(codes(&parse("docker-compose.yml", &with_host, &Options::default())).is_empty());
        // An env file may name the server: not known here.
        let env_file = "services:\n  web:\n    image: openmicroscopy/omero-web-standalone:5\n    env_file: web.env\n";
        assert_eq!(
            codes(&parse("docker-compose.yml", env_file, &Options::default())),
            vec!["IN016"]
        );
    }

    #[test]
    fn kubernetes_env_lists() {
        let source = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: omero-web
spec:
  template:
    spec:
      containers:
        - name: web
          image: openmicroscopy/omero-web-standalone:5.28.0
          env:
            - name: OMEROHOST
              value: omero-server
            - name: CONFIG_omero_web_secret__key
              valueFrom:
                secretKeyRef: {name: web, key: secret}
          volumeMounts:
            - name: config
              mountPath: /opt/omero/web/config
"#;
        let doc = parse("web.yaml", source, &Options::default());
        assert_eq!(
            stored(&doc),
            vec![
                ("omero.web.secret_key".into(), "?".into()),
                (
                    "omero.web.server_list".into(),
                    "[[\"omero-server\", 4064, \"omero\"]]".into()
                ),
            ]
        );
        assert_eq!(codes(&doc), vec!["IN016", "IN002"]);
    }

    #[test]
    fn mounted_files_come_before_the_variables() {
        let source = "services:\n  web:\n    image: openmicroscopy/omero-web\n    volumes:\n      - ./config/apps.omero:/opt/omero/web/config/apps.omero:ro\n    environment:\n      CONFIG_omero_web_apps: '[\"omero_figure\"]'\n";
        let mut doc = parse("docker-compose.yml", source, &Options::default());
        // This build has no reader for the mounted file: it says so.
        assert_eq!(codes(&doc), vec!["IN016"]);
        // With the mounted file's operations, the variable wins over them.
        let mount = Span::new(
            source.find("- ./config").unwrap_or(0) + 2,
            source.find(":ro").unwrap_or(0) + 3,
        );
        let mut mounted = Document::new("apps.omero", Format::Omero, "");
        let append = Operation {
            kind: crate::document::OpKind::Append { unique: false },
            ..Operation::set("omero.web.apps", mount, Value::Known("\"omero_iviewer\"".into()), mount)
        };
        mounted.operations.push(append);
        let variables = std::mem::take(&mut doc.operations);
        doc.findings.clear();
        import(&mut doc, &mounted, mount);
        doc.operations.extend(variables);
        env::report_overridden(&mut doc, 0, "mounted files first");
        assert_eq!(codes(&doc), vec!["IN014"]);
        assert_eq!(doc.findings[0].span, Some(mount));
    }

    #[test]
    fn invalid_yaml_is_a_syntax_error() {
        let doc = parse("docker-compose.yml", "services:\n  web: [\n", &Options::default());
        assert_eq!(codes(&doc), vec!["IN001"]);
        // A Helm chart's template is not YAML until it is rendered.
        let helm = "data:\n{{- if .Values.config }}\n  web.omero: |\n    x\n{{- end }}\n";
        let doc = parse("configmap.yaml", helm, &Options::default());
        assert_eq!(codes(&doc), vec!["IN015"]);
    }
}

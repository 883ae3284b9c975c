//! The three nginx files `omero web config nginx|nginx-location|nginx-development`
//! prints, byte for byte, with the same refusals. The text is ours, written
//! from what OMERO prints (recorded in tests/fixtures/emit); which setting
//! feeds which placeholder is in shared/reference/runtime-emit.md.

use super::runtime::{truthy, Runtime};
use super::Refusal;
use crate::python::{self, json::PyJson};

/// Which file to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A server block with its upstream, for a system-wide nginx.
    Nginx,
    /// Location blocks to include in an existing server block.
    Location,
    /// A whole nginx.conf for running nginx as the OMERO user.
    Development,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::Location => "nginx-location",
            Kind::Development => "nginx-development",
        }
    }

    /// The port OMERO assumes without `--http`.
    fn default_port(self) -> &'static str {
        match self {
            Kind::Development => "8080",
            Kind::Nginx | Kind::Location => "80",
        }
    }
}

/// The options of `omero web config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `--http`, as decimal text (see [`parse_port`]).
    pub http: Option<String>,
    /// `--servername`; nginx's `$hostname` by default.
    pub servername: String,
    /// `--max-body-size`; `0` (unlimited) by default.
    pub max_body_size: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            http: None,
            servername: "$hostname".to_string(),
            max_body_size: "0".to_string(),
        }
    }
}

/// `--http` goes through Python's `int()` (argparse `type=int`), so `080` is 80.
pub fn parse_port(text: &str) -> Result<String, String> {
    python::int::parse_int(text).map_err(|e| e.to_string())
}

/// Marks around `omero.web.nginx_server_extra_config` in the server block.
const EXTRA_START: &str = "# <<<<< omero.web.nginx_server_extra_config";
const EXTRA_END: &str = "# omero.web.nginx_server_extra_config >>>>>";

/// The placeholder values of OMERO's templates.
struct Values {
    root: String,
    static_url: String,
    static_root: String,
    script_name: String,
    prefix_name: String,
    address: String,
    http: String,
    extra: String,
}

/// The file `omero web config KIND` prints for this configuration.
pub fn render(runtime: &Runtime, kind: Kind, options: &Options) -> Result<String, Refusal> {
    let values = values(runtime, kind, options)?;
    let upstream_name = format!("omeroweb{}", values.prefix_name);
    let upstream = |pad: &str| {
        format!(
            "{pad}upstream {upstream_name} {{\n{pad}    server {} fail_timeout=0;\n{pad}}}\n",
            values.address
        )
    };
    let root = &values.root;
    Ok(match kind {
        Kind::Nginx => {
            let server = server(
                &values,
                options,
                "",
                &options.servername,
                None,
                &locations(&values, &upstream_name, "    "),
            );
            format!("{}\n{server}\n", upstream(""))
        }
        Kind::Location => format!("{LOCATION_HEADER}\n{}\n", locations(&values, &values.address, "")),
        Kind::Development => {
            let temp = format!("{root}/var/nginx_tmp");
            let server = server(
                &values,
                options,
                "    ",
                "_",
                Some(&temp),
                &locations(&values, &upstream_name, "        "),
            );
            format!(
                "{header}\n\nhttp {{\n    \
                 access_log    {root}/var/log/nginx_access.log;\n    \
                 include       {root}/etc/mime.types;\n    \
                 default_type  application/octet-stream;\n    \
                 client_body_temp_path {temp};\n\n    \
                 keepalive_timeout 65;\n\n{upstream}    \n{server}\n}}\n\n",
                header = development_header(root),
                upstream = upstream("    "),
            )
        }
    })
}

/// What OMERO prints without a word but nginx cannot use as meant: the
/// file is still written byte for byte, these go to the user beside it.
pub fn warnings(runtime: &Runtime) -> Result<Vec<String>, Refusal> {
    let mut out = Vec::new();
    if let Some(prefix) = runtime.script_name()? {
        if prefix.trim_end_matches('/').is_empty() {
            out.push(format!(
                "omero.web.prefix `{prefix}` leaves the application's location without a path, which nginx rejects; \
                 unset the prefix to serve OMERO.web at /"
            ));
        } else if !prefix.starts_with('/') {
            out.push(format!(
                "omero.web.prefix `{prefix}` does not start with `/`, so its location never matches a request"
            ));
        }
    }
    let static_url = runtime.text("omero.web.static_url")?.unwrap_or_default();
    if static_url.trim_end_matches('/').is_empty() {
        out.push("omero.web.static_url is empty or `/`, which leaves the static location without a path".to_string());
    } else if static_url.contains("://") {
        out.push(format!(
            "omero.web.static_url `{static_url}` is a full URL: nginx cannot serve it as a location; \
             serve static files from that host instead"
        ));
    }
    Ok(out)
}

/// The placeholders, after OMERO's checks in OMERO's order.
fn values(runtime: &Runtime, kind: Kind, options: &Options) -> Result<Values, Refusal> {
    let server_type = runtime.server_type()?;
    if server_type != "wsgi-tcp" {
        return Err(Refusal::at(
            "omero.web.application_server",
            format!(
                "omero.web.application_server is `{server_type}`: `omero web config {}` only writes nginx files \
                 for `wsgi-tcp` (OMERO stops with error 680, configuration mismatch)",
                kind.name()
            ),
        ));
    }
    let http = options.http.clone().unwrap_or_else(|| kind.default_port().to_string());
    let port = runtime.int("omero.web.application_server.port")?;
    if port == http {
        return Err(Refusal::at(
            "omero.web.application_server.port",
            format!(
                "port conflict: omero.web.application_server.port is {port}, the HTTP port nginx would listen on \
                 (OMERO stops with error 678); give another port with --http or move the application server"
            ),
        ));
    }
    let script_name = runtime.script_name()?;
    let prefix_name = script_name.as_deref().map_or_else(String::new, |prefix| {
        // Python's `re.sub(r"\W", "", prefix)`: keep word characters only.
        format!(
            "_{}",
            prefix
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        )
    });
    Ok(Values {
        root: runtime.omerodir.clone(),
        static_url: runtime
            .text("omero.web.static_url")?
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string(),
        static_root: runtime.text("omero.web.static_root")?.unwrap_or_default(),
        script_name: script_name.map_or_else(|| "/".to_string(), |s| s.trim_end_matches('/').to_string()),
        prefix_name,
        address: runtime.application_address()?,
        http,
        extra: extra_config(runtime)?,
    })
}

/// `omero.web.nginx_server_extra_config` between its marker lines; empty
/// when the value is falsy. OMERO itself crashes (TypeError) on anything
/// but a list of strings.
fn extra_config(runtime: &Runtime) -> Result<String, Refusal> {
    let key = "omero.web.nginx_server_extra_config";
    let Some(value) = runtime.json(key)?.filter(truthy) else {
        return Ok(String::new());
    };
    let crash = |why: String| {
        Refusal::at(
            key,
            format!("{key}: {why}; `omero web config` crashes with a TypeError, so it must be a list of strings"),
        )
    };
    let PyJson::Array(items) = value else {
        return Err(crash("the value is not a JSON list".to_string()));
    };
    let mut lines = vec![EXTRA_START.to_string()];
    for (index, item) in items.into_iter().enumerate() {
        match item {
            PyJson::Str(line) => lines.push(line),
            _ => return Err(crash(format!("item {index} is not a string"))),
        }
    }
    lines.push(EXTRA_END.to_string());
    Ok(lines.join("\n"))
}

/// The server block of `nginx` and `nginx-development` (indented by `pad`
/// there, `locations` already indented); the extra configuration lines go in
/// verbatim, unindented.
fn server(
    values: &Values,
    options: &Options,
    pad: &str,
    servername: &str,
    temp: Option<&str>,
    locations: &str,
) -> String {
    let temp = temp.map_or_else(String::new, |t| format!("{pad}    proxy_temp_path {t};\n"));
    format!(
        "{pad}server {{\n{pad}    listen {http};\n{pad}    server_name {servername};\n{temp}\n{pad}    sendfile on;\n\
         {pad}    client_max_body_size {max};\n\n{extra}\n\n{locations}\n{pad}}}\n",
        http = values.http,
        max = options.max_body_size,
        extra = values.extra,
    )
}

/// The four location blocks every file has, each template line indented by
/// `pad` (values go in as they are, line breaks and all); `proxy` is the
/// upstream name or the application server's address.
fn locations(values: &Values, proxy: &str, pad: &str) -> String {
    let Values {
        root,
        static_url,
        static_root,
        script_name,
        prefix_name: p,
        ..
    } = values;
    let lines = [
        "# maintenance page serve from here".to_string(),
        format!("location @maintenance{p} {{"),
        format!("    root {root}/etc/templates/error;"),
        "    try_files $uri /maintainance.html =502;".to_string(),
        "}".to_string(),
        String::new(),
        "# weblitz django apps serve media from here".to_string(),
        format!("location {static_url} {{"),
        format!("    alias {static_root};"),
        "}".to_string(),
        String::new(),
        format!("location @proxy_to_app{p} {{"),
        "    proxy_set_header X-Forwarded-Proto $scheme;".to_string(),
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;".to_string(),
        "    proxy_set_header Host $http_host;".to_string(),
        "    proxy_redirect off;".to_string(),
        "    proxy_buffering off;".to_string(),
        String::new(),
        format!("    proxy_pass http://{proxy};"),
        "}".to_string(),
        String::new(),
        format!("location {script_name} {{"),
        String::new(),
        format!("    error_page 502 @maintenance{p};"),
        "    # checks for static file, if not found proxy to app".to_string(),
        format!("    try_files $uri @proxy_to_app{p};"),
        "}".to_string(),
    ];
    lines
        .iter()
        .map(|line| {
            if line.is_empty() {
                "\n".to_string()
            } else {
                format!("{pad}{line}\n")
            }
        })
        .collect()
}

const LOCATION_HEADER: &str = "# These location blocks should be included in your server configuration
# For example:
#
##server {
##    listen 80;
##    server_name $hostname;
##
##    # SSL configuration ...
##
##    sendfile on;
##    client_max_body_size 0;
##
##    # Include generated file from omero web config nginx-location:
##    include /opt/omero/web/omero-web-location.include;
##}
";

fn development_header(root: &str) -> String {
    format!(
        "# \n# nginx userland template\n\
         # this configuration is designed for running nginx as the omero user or similar\n\
         # nginx -c etc/nginx.conf\n\
         # for inclusion in a system-wide nginx configuration see omero web config nginx\n#\n\
         pid {root}/var/pid.nginx;\n\
         error_log {root}/var/log/nginx_error.log;\n\
         worker_processes  5;\n\
         working_directory {root}/var;\n\n\
         events {{\n    worker_connections  1024;\n}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::runtime::from_properties;

    #[test]
    fn warns_about_locations_nginx_cannot_use() -> Result<(), Refusal> {
        let count = |text: &str| {
            from_properties(text, "/srv/web")
                .and_then(|rt| warnings(&rt))
                .map(|w| w.len())
        };
        assert_eq!(
            count("omero.web.prefix=/omero\nomero.web.static_url=/omero/static/\n")?,
            0
        );
        assert_eq!(count("omero.web.prefix=/\n")?, 1);
        assert_eq!(count("omero.web.prefix=omero\n")?, 1);
        assert_eq!(count("omero.web.static_url=https://cdn.example.org/static/\n")?, 1);
        assert_eq!(count("omero.web.static_url=\nomero.web.prefix=\n")?, 2);
        Ok(())
    }

    #[test]
    fn values_go_in_as_they_are_only_template_lines_are_indented() -> Result<(), Refusal> {
        let mut document = crate::document::Document::new("t.sh", crate::document::Format::Script, "");
        let span = crate::document::Span::default();
        let value = crate::document::Value::Known("/two\nlines/".to_string());
        document.operations.push(crate::document::Operation::set(
            "omero.web.static_url",
            span,
            value,
            span,
        ));
        let runtime = Runtime::load(&document, crate::catalog::catalog().latest, "/srv/web")?;
        let text = render(&runtime, Kind::Nginx, &Options::default())?;
        assert!(
            text.contains("\n    location /two\nlines {\n        alias /srv/web/var/static;\n"),
            "{text}"
        );
        Ok(())
    }
}

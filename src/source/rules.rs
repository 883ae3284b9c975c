//! The IN rules: problems found while reading an input file or replaying
//! its commands (the file itself, not a property's meaning, is at fault).
//! They live beside the readers that report them, below `rules`, which
//! lists them in `RULES` with every other rule.

use crate::diagnostic::Rule;
use crate::diagnostic::Severity::*;

pub static SYNTAX_ERROR: Rule = Rule {
    code: "IN001",
    name: "syntax-error",
    severity: Error,
    summary: "The file cannot be read in its format",
    explanation: "The file does not follow the syntax of its format (an unterminated quote in a \
script, a malformed XML element, invalid TOML), so neither omeroconf nor OMERO can read the \
commands after the error. Nothing after the reported position was checked.",
    example: "omero config set omero.web.prefix '/omero",
    fixed_example: "omero config set omero.web.prefix '/omero'",
    fix: false,
    blocks_start: false,
};

pub static UNRESOLVED_VARIABLE: Rule = Rule {
    code: "IN002",
    name: "unresolved-variable",
    severity: Info,
    summary: "A value uses a variable the file never assigns",
    explanation: "The value depends on a variable that comes from outside the file (the \
environment, a sourced file, compose's `${VAR}` interpolation, an env-file line with a name and \
no `=`), so its value cannot be checked here. If the variable is unset, bash and compose \
substitute an empty string and OMERO stores that. Assign the variable in the file or pass it with \
`--var NAME=VALUE`.",
    example: "omero config set omero.web.prefix \"$WEB_PREFIX\"",
    fixed_example: "WEB_PREFIX=/omero\nomero config set omero.web.prefix \"$WEB_PREFIX\"",
    fix: false,
    blocks_start: false,
};

pub static COMMAND_SUBSTITUTION: Rule = Rule {
    code: "IN003",
    name: "command-substitution",
    severity: Info,
    summary: "A value is the output of a command and cannot be checked",
    explanation: "`$(...)` and backquotes run a command when the script runs; omeroconf never \
runs commands, so the value is unknown and rules that need it are skipped for that property.",
    example: "omero config set omero.web.secret_key \"$(openssl rand -hex 32)\"",
    fixed_example:
        "# generated once and kept in a secrets store\nomero config set omero.web.secret_key \"$SECRET_KEY\"",
    fix: false,
    blocks_start: false,
};

pub static DUPLICATE_KEY: Rule = Rule {
    code: "IN004",
    name: "duplicate-key",
    severity: Warning,
    summary: "A properties file sets the same key twice",
    explanation: "`omero config load` applies lines in order, so the last value silently wins. \
A repeated key is usually a leftover from editing; keep one line.",
    example: "omero.web.debug=true\nomero.web.debug=false",
    fixed_example: "omero.web.debug=false",
    fix: false,
    blocks_start: false,
};

pub static MASKED_VALUE: Rule = Rule {
    code: "IN005",
    name: "masked-value",
    severity: Error,
    summary: "A value is the mask `********` of a backup made without --show-password",
    explanation: "`omero config get` replaces the values of password keys with `********` \
unless `--show-password` is given. Loading such a backup stores the eight asterisks as the \
password, and logins with that account fail. Make the backup with \
`omero config get --show-password`.",
    example: "omero.web.public.password=********",
    fixed_example: "omero.web.public.password=the-real-password",
    fix: false,
    blocks_start: false,
};

pub static ILLEGAL_KEY: Rule = Rule {
    code: "IN006",
    name: "illegal-key",
    severity: Error,
    summary: "A property name has characters OMERO refuses",
    explanation: "Property names may only contain letters, digits, `.`, `_` and `-`. `omero \
config set` and `omero config load` stop with `Illegal property name` (exit status 250) at such a \
key. In a properties file, spaces around `=` become part of the name.",
    example: "omero.web.debug = true",
    fixed_example: "omero.web.debug=true",
    fix: false,
    blocks_start: false,
};

pub static VALUE_NOT_PRESERVED: Rule = Rule {
    code: "IN007",
    name: "value-not-preserved",
    severity: Warning,
    summary: "A value does not survive `omero config get` and `load` unchanged",
    explanation: "Properties files have no quoting: a value with a newline, a trailing \
backslash, or leading spaces on a continuation line is read back differently from how it was \
meant. Such values are better set with `omero config set` in a script.",
    example: "omero.web.login_logo=\\\n    /static/logo.png",
    fixed_example: "omero.web.login_logo=/static/logo.png",
    fix: false,
    blocks_start: false,
};

pub static COMMAND_FAILS: Rule = Rule {
    code: "IN008",
    name: "command-fails",
    severity: Error,
    summary: "An `omero config` command would fail when the script runs",
    explanation: "Replaying the commands the way omero-py does shows that this one fails: \
arguments argparse refuses (exit status 2), `append` or `remove` with a value that is not JSON, a stored value that is not a JSON list, \
`remove` of a value that is not in the list, or `append` to an unset `omero.web.*` key while \
another property stops OMERO.web's settings from loading (OMERO needs them to find the \
default list). With `set -e` the script stops there; otherwise the property keeps its old value.",
    example: "omero config append omero.web.apps omero_iviewer",
    fixed_example: "omero config append omero.web.apps '\"omero_iviewer\"'",
    fix: false,
    blocks_start: false,
};

pub static UNSUPPORTED_COMMAND: Rule = Rule {
    code: "IN009",
    name: "unsupported-command",
    severity: Warning,
    summary: "A command changes the configuration in a way omeroconf cannot follow",
    explanation: "Some commands change the stored configuration from outside the file (`omero \
config load` of a file that cannot be read, `omero config edit`, `omero config set -f` of a \
missing file). Findings after such a command may not match what OMERO stores.",
    example: "omero config edit",
    fixed_example: "omero config set omero.web.debug false",
    fix: false,
    blocks_start: false,
};

pub static VALUE_NOT_REPRESENTABLE: Rule = Rule {
    code: "IN010",
    name: "value-not-representable",
    severity: Error,
    summary: "A value OMERO cannot store as written",
    explanation: "OMERO stores every property as a string. A TOML date, an array or table for a \
property that is not JSON, or a character that config.xml cannot hold (a NUL or another control \
character) cannot be stored as intended.",
    example: "[omero.web]\nprefix = [\"/omero\"]",
    fixed_example: "[omero.web]\nprefix = \"/omero\"",
    fix: false,
    blocks_start: false,
};

pub static SCHEMA_MISMATCH: Rule = Rule {
    code: "IN011",
    name: "schema-mismatch",
    severity: Warning,
    summary: "A TOML value of the wrong type for its property",
    explanation: "The TOML form is checked against omeroconf's JSON Schema \
(schema/omero-web.schema.json): booleans for boolean properties, integers for integer ones, a \
value from the allowed set where there is one, a port from 1 to 65535. OMERO stores the value as \
text anyway, but it will not mean what the type suggests. Where another rule already judges the \
same value (TY001 for `wsgi_workers = \"five\"`), only that rule reports it.",
    example: "[omero.web]\nsecure = 1",
    fixed_example: "[omero.web]\nsecure = true",
    fix: false,
    blocks_start: false,
};

pub static ENV_NAME: Rule = Rule {
    code: "IN012",
    name: "env-name",
    severity: Warning,
    summary: "An environment variable omero-web-docker maps to no known property",
    explanation: "omero-web-docker turns `CONFIG_*` variables into property names: it strips \
`CONFIG_`, turns every `_` between two other characters into `.`, then `__` into `_`. The \
matches do not overlap, so `CONFIG_omero_web_server_list` sets `omero.web.server.list`, which \
nothing reads, and a key with a one-letter part cannot be written at all. Variables that do not \
start with exactly `CONFIG_` are ignored. The setting you meant keeps its default.",
    example: "CONFIG_omero_web_server_list=[[\"omero.example.org\", 4064, \"omero\"]]",
    fixed_example: "CONFIG_omero_web_server__list=[[\"omero.example.org\", 4064, \"omero\"]]",
    fix: false,
    blocks_start: false,
};

pub static ENV_QUOTES_KEPT: Rule = Rule {
    code: "IN013",
    name: "env-quotes-kept",
    severity: Warning,
    summary: "`docker run --env-file` keeps the quotes around a value",
    explanation: "`docker run --env-file` passes everything after `=` unchanged, quotes \
included, while compose's `env_file` and shells remove them. `CONFIG_omero_web_debug=\"true\"` \
stores `\"true\"` with its quotes, which OMERO.web reads as False. Write the value without quotes \
(or lint the file with `--env-style compose` if only compose reads it).",
    example: "CONFIG_omero_web_prefix=\"/omero\"",
    fixed_example: "CONFIG_omero_web_prefix=/omero",
    fix: false,
    blocks_start: false,
};

pub static OVERRIDDEN: Rule = Rule {
    code: "IN014",
    name: "overridden-value",
    severity: Warning,
    summary: "A value is replaced by a source that is applied later",
    explanation: "The deployment applies its sources in a fixed order: omero-web-docker loads the \
mounted `*.omero` files, then the `CONFIG_*` variables, then `OMEROHOST`; the ome.omero_web role \
writes `omero_web_config_set` before the apps file. A value set earlier is silently replaced, and \
a list built with `append` is thrown away by a later `set`.",
    example: "services:\n  web:\n    image: openmicroscopy/omero-web-standalone\n    environment:\n      \
CONFIG_omero_web_server__list: '[[\"omero\", 4064, \"omero\"]]'\n      OMEROHOST: omero.example.org",
    fixed_example: "services:\n  web:\n    image: openmicroscopy/omero-web-standalone\n    environment:\n      \
OMEROHOST: omero.example.org",
    fix: false,
    blocks_start: false,
};

pub static TEMPLATE_VALUE: Rule = Rule {
    code: "IN015",
    name: "template-value",
    severity: Info,
    summary: "A value is a Jinja template expression and cannot be checked",
    explanation: "Ansible renders `{{ ... }}` when the play runs (often from a vault or another \
variable), in playbooks and in the Jinja templates of `.omero` files alike, so omeroconf cannot \
know the value and skips the rules that need it. This is the \
right way to keep secrets out of an inventory; it is reported so you know what was not checked.",
    example: "omero_web_config_set:\n  omero.web.secret_key: \"{{ lookup('env', 'SECRET') }}\"",
    fixed_example: "omero_web_config_set:\n  # omeroconf: ignore[IN015]\n  omero.web.secret_key: \"{{ vault_omero_web_secret_key }}\"",
    fix: false,
    blocks_start: false,
};

pub static EXTERNAL_SOURCE: Rule = Rule {
    code: "IN016",
    name: "external-source",
    severity: Info,
    summary: "Part of the configuration comes from a file this check does not read",
    explanation: "A compose file names an `env_file`, or mounts configuration files into \
`/opt/omero/web/config/` that omeroconf cannot read from here. Values set there are not part of \
this check; lint those files too, or write the values into the compose file.",
    example: "services:\n  web:\n    image: openmicroscopy/omero-web-standalone\n    env_file: web.env",
    fixed_example: "services:\n  web:\n    image: openmicroscopy/omero-web-standalone\n    environment:\n      \
CONFIG_omero_web_prefix: /omero",
    fix: false,
    blocks_start: false,
};

pub static ROLE_TEMPLATE_FAILS: Rule = Rule {
    code: "IN017",
    name: "role-template-fails",
    severity: Error,
    summary: "The ome.omero_web role cannot render this variable",
    explanation: "The role's templates expect a shape: `omero_web_config_set` and \
`omero_web_apps_config_set` are dictionaries, `omero_web_apps_config_append` maps keys to lists, \
`omero_web_apps_top_links` items have a `label` and a `link`. Anything else stops the play with a \
template error, and no configuration is written.",
    example: "omero_web_apps_top_links:\n  - name: Figure\n    link: figure_index",
    fixed_example: "omero_web_apps_top_links:\n  - label: Figure\n    link: figure_index",
    fix: false,
    blocks_start: false,
};

pub static UNEVALUATED_EXPANSION: Rule = Rule {
    code: "IN019",
    name: "unevaluated-expansion",
    severity: Info,
    summary: "A value comes from a shell expansion omeroconf does not evaluate",
    explanation: "Arithmetic (`$((...))`), substrings and replacements on values omeroconf cannot \
follow, and indirect expansions (`${!NAME}`) are computed by bash when the script runs. omeroconf \
does not evaluate them, so the value is unknown and rules that need it are skipped for that \
property. Write the value out, or compute it into a variable assigned plainly.",
    example: "omero config set omero.web.wsgi_workers $((2 * CORES + 1))",
    fixed_example: "omero config set omero.web.wsgi_workers 5",
    fix: false,
    blocks_start: false,
};

pub static CRLF_LINE_ENDS: Rule = Rule {
    code: "IN020",
    name: "crlf-line-ends",
    severity: Warning,
    summary: "A script with Windows (CRLF) line ends",
    explanation: "bash ends a line at `\\n` only: the `\\r` before it stays in the line's last word, \
so `omero config set omero.web.prefix /omero` written on Windows stores `/omero\\r`. Integers, \
booleans and JSON still read (Python strips the `\\r`), but text, paths, regular expressions and \
fixed choices do not. omeroconf judges every value with its `\\r`, as OMERO stores it. Convert the \
file with `dos2unix` or `sed -i 's/\\r$//'`.",
    example: "omero config set omero.web.prefix /omero\r\n",
    fixed_example: "omero config set omero.web.prefix /omero\n",
    fix: false,
    blocks_start: false,
};

pub static YAML_NUMBER: Rule = Rule {
    code: "IN018",
    name: "yaml-1-1-number",
    severity: Warning,
    summary: "Ansible's YAML reads a plain value as a number it does not look like",
    explanation: "Ansible reads variables with PyYAML, which follows YAML 1.1: a plain value with a \
leading zero is octal (`0200` is 128) and one with colons is base 60 (`1:30` is 90). The role \
then stores the number it read, not the digits you wrote. Quote the value to keep it as written.",
    example: "omero_web_config_set:\n  omero.web.page_size: 0200",
    fixed_example: "omero_web_config_set:\n  omero.web.page_size: 200",
    fix: false,
    blocks_start: false,
};

/// Judged where the compose or Kubernetes file is read: only the reader
/// knows that the configuration belongs to a container.
pub static CONTAINER_WITHOUT_SERVER: Rule = Rule {
    code: "SE008",
    name: "container-without-server",
    severity: Warning,
    summary: "An OMERO.web container names no OMERO.server",
    explanation: "omero-web-docker sets `omero.web.server_list` from `OMEROHOST` (or a \
`CONFIG_omero_web_server__list` variable). Without either, OMERO.web keeps its default list, \
`localhost`, which inside a container is the container itself: every login fails to connect. \
Reported only when every source of the container's configuration is in the file.",
    example: "services:\n  web:\n    image: openmicroscopy/omero-web-standalone:5\n    ports:\n      - \"4080:4080\"",
    fixed_example: "services:\n  web:\n    image: openmicroscopy/omero-web-standalone:5\n    environment:\n      OMEROHOST: omeroserver",
    fix: false,
    blocks_start: false,
};

//! Problems found while reading an input file or replaying its commands:
//! the file itself, not a property's meaning, is at fault.

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
};

pub static UNRESOLVED_VARIABLE: Rule = Rule {
    code: "IN002",
    name: "unresolved-variable",
    severity: Warning,
    summary: "A value uses a shell variable the script never assigns",
    explanation: "The value depends on a variable that comes from outside the script (the \
environment, a sourced file), so its value cannot be checked here. If the variable is unset when \
the script runs, bash substitutes an empty string and OMERO stores that. Assign the variable in \
the script or pass it with `--var NAME=VALUE`.",
    example: "omero config set omero.web.prefix \"$WEB_PREFIX\"",
    fixed_example: "WEB_PREFIX=/omero\nomero config set omero.web.prefix \"$WEB_PREFIX\"",
    fix: false,
};

pub static COMMAND_SUBSTITUTION: Rule = Rule {
    code: "IN003",
    name: "command-substitution",
    severity: Warning,
    summary: "A value is the output of a command and cannot be checked",
    explanation: "`$(...)` and backquotes run a command when the script runs; omeroconf never \
runs commands, so the value is unknown and rules that need it are skipped for that property.",
    example: "omero config set omero.web.secret_key \"$(openssl rand -hex 32)\"",
    fixed_example: "# generated once and kept in a secrets store\nomero config set omero.web.secret_key \"$SECRET_KEY\"",
    fix: false,
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
};

pub static COMMAND_FAILS: Rule = Rule {
    code: "IN008",
    name: "command-fails",
    severity: Error,
    summary: "An `omero config` command would fail when the script runs",
    explanation: "Replaying the commands the way omero-py does shows that this one fails: \
`append` or `remove` with a value that is not JSON, a stored value that is not a JSON list, \
`remove` of a value that is not in the list, or `append` to an unset `omero.web.*` key while \
another property stops OMERO.web's settings from loading (OMERO needs them to find the \
default list). With `set -e` the script stops there; otherwise the property keeps its old value.",
    example: "omero config append omero.web.apps omero_iviewer",
    fixed_example: "omero config append omero.web.apps '\"omero_iviewer\"'",
    fix: false,
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
};

pub static SCHEMA_MISMATCH: Rule = Rule {
    code: "IN011",
    name: "schema-mismatch",
    severity: Warning,
    summary: "A TOML value of the wrong type for its property",
    explanation: "The TOML form is checked against omeroconf's JSON Schema \
(schema/omero-web.schema.json): booleans for boolean properties, integers for integer ones, a \
value from the allowed set where there is one. OMERO stores the value as text anyway, but it will \
not mean what the type suggests.",
    example: "[omero.web]\ndebug = 3",
    fixed_example: "[omero.web]\ndebug = false",
    fix: false,
};

//! The one model every input format parses into: a list of `omero config`
//! operations, each remembering where in the source file its key and value
//! came from. Nothing here knows about a particular input format or about
//! OMERO's semantics; `resolve` gives the operations their meaning.

use crate::diagnostic::Finding;
/// Every reader speaks of spans; they live in `crate::span`.
pub use crate::span::Span;
use std::fmt;

/// Input formats omeroconf reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Bash script with `omero config ...` lines.
    Script,
    /// Command file for `omero load` (one `config ...` command per line).
    Omero,
    /// `key=value` file as written by `omero config get` and read by `omero config load`.
    Properties,
    /// `$OMERODIR/etc/grid/config.xml`.
    Xml,
    /// omeroconf's native TOML form.
    Toml,
    /// A flat JSON object `{key: string}` (the output of `convert --to json`).
    Json,
    /// Environment variables for omero-web-docker (`CONFIG_omero_web_debug=true`).
    Env,
    /// Ansible variables for the ome.omero_web role.
    Ansible,
    /// docker-compose or Kubernetes YAML running omero-web-docker.
    Compose,
    /// A Dockerfile (or Containerfile): its `RUN` lines as bash, its `ENV
    /// CONFIG_*` as omero-web-docker applies them when a container starts.
    Dockerfile,
}

impl Format {
    pub const ALL: [Format; 10] = [
        Format::Script,
        Format::Omero,
        Format::Properties,
        Format::Xml,
        Format::Toml,
        Format::Json,
        Format::Env,
        Format::Ansible,
        Format::Compose,
        Format::Dockerfile,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Script => "script",
            Format::Omero => "omero",
            Format::Properties => "properties",
            Format::Xml => "xml",
            Format::Toml => "toml",
            Format::Json => "json",
            Format::Env => "env",
            Format::Ansible => "ansible",
            Format::Compose => "compose",
            Format::Dockerfile => "dockerfile",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(name: &str) -> Result<Format, String> {
        Format::ALL.into_iter().find(|f| f.name() == name).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            format!("unknown format `{name}` (expected one of: {})", names.join(", "))
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an operation does to the stored configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// `omero config set KEY VALUE` (and every `key=value` of a loaded file).
    Set,
    /// `omero config append [--set] KEY JSON`; `unique` is `--set`.
    Append { unique: bool },
    /// `omero config remove KEY JSON`.
    Remove,
    /// `omero config set KEY` with no value: deletes the key.
    Unset,
}

impl OpKind {
    pub fn verb(self) -> &'static str {
        match self {
            OpKind::Set => "set",
            OpKind::Append { unique: false } => "append",
            OpKind::Append { unique: true } => "append --set",
            OpKind::Remove => "remove",
            OpKind::Unset => "unset",
        }
    }
}

/// Why a value cannot be known before the script runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    /// `$(...)` or backquotes: the output of a command.
    CommandSubstitution,
    /// `$NAME` for a variable the script never assigns.
    UnresolvedVariable(String),
    /// A `{{ ... }}` template expression (Ansible).
    Template,
    /// A shell expansion omeroconf does not evaluate (arithmetic, `${X:1:2}`,
    /// `${!X}`), described for the report.
    Unevaluated(&'static str),
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unknown::CommandSubstitution => f.write_str("the output of a command substitution"),
            // `$1`, `$@`: what the script or function was called with.
            Unknown::UnresolvedVariable(name)
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_digit() || c == '@' || c == '*') =>
            {
                write!(f, "${name}, an argument the script is called with")
            }
            Unknown::UnresolvedVariable(name) => {
                write!(f, "the variable ${name}, which the file never assigns")
            }
            Unknown::Template => f.write_str("a template expression"),
            Unknown::Unevaluated(what) => write!(f, "{what}, which omeroconf does not evaluate"),
        }
    }
}

/// The value of an operation as the command would receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Known(String),
    Unknown(Unknown),
}

impl Value {
    pub fn known(&self) -> Option<&str> {
        match self {
            Value::Known(s) => Some(s),
            Value::Unknown(_) => None,
        }
    }
}

/// One `omero config` operation with the source spans of its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub kind: OpKind,
    pub key: String,
    pub key_span: Span,
    /// `None` only for [`OpKind::Unset`].
    pub value: Option<Value>,
    pub value_span: Span,
    /// The whole command or line.
    pub span: Span,
    /// The script tolerates this command failing (`cmd || true`, `if cmd`).
    pub failure_tolerated: bool,
    /// In an and-or list after another operation: `Some(true)` runs only
    /// if that one's exit status was 0 (`&&`), `Some(false)` only if not
    /// (`||`); `None` always runs.
    pub runs_if_previous: Option<bool>,
}

impl Operation {
    pub fn set(key: impl Into<String>, key_span: Span, value: Value, value_span: Span) -> Self {
        Operation {
            kind: OpKind::Set,
            key: key.into(),
            key_span,
            value: Some(value),
            value_span,
            span: key_span.join(value_span),
            failure_tolerated: false,
            runs_if_previous: None,
        }
    }
}

/// A request in a comment to silence findings: `# omeroconf: ignore[CODE, ...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Codes silenced; empty means every code.
    pub codes: Vec<String>,
    /// Findings whose primary span starts inside this range are silenced.
    pub applies_to: Span,
}

/// A parsed input file.
#[derive(Debug, Clone)]
pub struct Document {
    /// The name shown to the user.
    pub path: String,
    pub format: Format,
    pub source: String,
    pub operations: Vec<Operation>,
    /// Problems found while parsing (syntax, unknown values, ...).
    pub findings: Vec<Finding>,
    pub suppressions: Vec<Suppression>,
}

impl Document {
    pub fn new(path: impl Into<String>, format: Format, source: impl Into<String>) -> Document {
        Document {
            path: path.into(),
            format,
            source: source.into(),
            operations: Vec::new(),
            findings: Vec::new(),
            suppressions: Vec::new(),
        }
    }
}

/// Maps byte offsets to 1-based line and column numbers (columns count
/// characters), in time independent of the line's length: built once per
/// file, asked once per finding. Lines end at `\n`, `\r\n` or a lone `\r`,
/// as the human report (miette) and Python's universal newlines end them.
pub struct LineIndex<'a> {
    source: &'a str,
    line_starts: Vec<usize>,
    /// Characters before every [`CHECKPOINT`]th byte; empty for ASCII text.
    chars_before: Vec<usize>,
}

/// Bytes between the character counts [`LineIndex`] keeps.
const CHECKPOINT: usize = 1024;

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let bytes = source.as_bytes();
        let mut line_starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_starts.push(i + 1);
            }
        }
        let chars_before = if source.is_ascii() {
            Vec::new()
        } else {
            let mut counts = vec![0];
            for chunk in bytes.chunks(CHECKPOINT) {
                counts.push(counts[counts.len() - 1] + starts_of_chars(chunk));
            }
            counts
        };
        LineIndex {
            source,
            line_starts,
            chars_before,
        }
    }

    /// Characters before byte `offset`.
    fn chars(&self, offset: usize) -> usize {
        if self.chars_before.is_empty() {
            return offset;
        }
        let block = offset / CHECKPOINT;
        self.chars_before[block] + starts_of_chars(&self.source.as_bytes()[block * CHECKPOINT..offset])
    }

    /// 1-based (line, column) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        (line + 1, self.chars(offset) - self.chars(start) + 1)
    }
}

/// The bytes that start a character (all but UTF-8 continuation bytes).
fn starts_of_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_characters_not_bytes() {
        let index = LineIndex::new("a=é\nbb=1\n");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(4), (1, 4));
        assert_eq!(index.position(5), (2, 1));
        assert_eq!(index.position(8), (2, 4));
        // A lone CR ends a line; CRLF is one line end.
        let index = LineIndex::new("a=1\rb=2\r\nc=3");
        assert_eq!(index.position(4), (2, 1));
        assert_eq!(index.position(9), (3, 1));
        // Columns far along one long non-ASCII line.
        let long = format!("{}x", "é".repeat(5000));
        assert_eq!(LineIndex::new(&long).position(10_000), (1, 5001));
    }
}

//! A Dockerfile seen as the shell script its build runs: `RUN` lines are
//! bash, `ENV` and `ARG` with a value are assignments, every other
//! instruction is blank. The text keeps the Dockerfile's length and line
//! ends, so every span points into the Dockerfile itself.

/// Whether a file name is a Dockerfile's (`Dockerfile`, `Containerfile`,
/// `web.Dockerfile`, `Dockerfile.dev`).
pub fn is_dockerfile(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path).to_ascii_lowercase();
    ["dockerfile", "containerfile"]
        .iter()
        .any(|base| name == *base || name.ends_with(&format!(".{base}")) || name.starts_with(&format!("{base}.")))
}

/// The Dockerfile as bash, byte for byte the same length.
pub fn as_shell(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while !rest.is_empty() {
        let end = instruction_end(rest);
        let (instruction, after) = rest.split_at(end);
        out.push_str(&rewrite(instruction));
        rest = after;
    }
    out
}

/// Where the instruction starting `text` ends: after its line end, lines
/// continued with a trailing `\` included.
fn instruction_end(text: &str) -> usize {
    let mut pos = 0;
    while let Some(newline) = text[pos..].find('\n') {
        let line = text[pos..pos + newline].trim_end_matches('\r');
        pos += newline + 1;
        let comment = line.trim_start().starts_with('#');
        if comment || !line.trim_end().ends_with('\\') {
            return pos;
        }
    }
    text.len()
}

fn rewrite(instruction: &str) -> String {
    let body = instruction.trim_start();
    let indent = instruction.len() - body.len();
    let word_end = body.find(char::is_whitespace).unwrap_or(body.len());
    let (keyword, args) = body.split_at(word_end);
    let head = &instruction[..indent + keyword.len()];
    match keyword.to_ascii_uppercase().as_str() {
        _ if body.starts_with('#') || body.is_empty() => instruction.to_string(),
        // The exec form `RUN ["..."]` runs no shell.
        "RUN" if !args.trim_start().starts_with('[') => format!("{}{args}", blank(head)),
        "ENV" | "ARG" => format!("{}{}", blank(head), assignment(args)),
        _ => blank(instruction),
    }
}

/// `NAME value` (the old form of `ENV`) as `NAME=value`, the whitespace
/// between them rewritten to the same number of bytes; `NAME=value ...`
/// as it is; an `ARG NAME` without a default assigns nothing.
fn assignment(args: &str) -> String {
    let text = args.trim_start();
    let lead = &args[..args.len() - text.len()];
    let name_end = text.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(text.len());
    match text[name_end..].chars().next() {
        Some('=') => args.to_string(),
        Some(c) if c != '\n' && c != '\r' => {
            let value = text[name_end..].trim_start_matches([' ', '\t']);
            let gap = text.len() - name_end - value.len();
            // `=` then empty quotes pad the gap; an odd byte left over
            // becomes a backslash that quotes the value's first character.
            let mut joined = String::from("=");
            joined.push_str(&"''".repeat((gap - 1) / 2));
            if (gap - 1) % 2 == 1 {
                joined.push('\\');
            }
            format!("{lead}{}{joined}{value}", &text[..name_end])
        }
        _ => blank(args),
    }
}

/// Spaces for every byte but line ends.
fn blank(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '\n' => "\n".chars().cycle().take(1),
            _ => " ".chars().cycle().take(c.len_utf8()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for name in ["Dockerfile", "docker/Dockerfile.dev", "web.Dockerfile", "Containerfile"] {
            assert!(is_dockerfile(name), "{name}");
        }
        assert!(!is_dockerfile("dockerfiles.sh"));
    }

    #[test]
    fn instructions_become_the_shell_their_build_runs() {
        let source = "FROM omero-web:5\nENV A=1 \\\n    B=\"x y\"\nENV OLD  value\nENV OLDER   v\nARG TAG\nARG V=2\n# note\nRUN omero config set omero.web.a $A &&\\\n    omero config set omero.web.b \"$B\"\nCOPY x.omero /opt/\n";
        let shell = as_shell(source);
        assert_eq!(shell.len(), source.len());
        assert_eq!(shell.lines().count(), source.lines().count());
        assert_eq!(
            shell,
            "                \n    A=1 \\\n    B=\"x y\"\n    OLD=\\value\n    OLDER=''v\n       \n    V=2\n# note\n    omero config set omero.web.a $A &&\\\n    omero config set omero.web.b \"$B\"\n                  \n"
        );
    }
}

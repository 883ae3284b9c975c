//! Hostile input: every case ends with a clear message and the documented
//! exit status (0 clean, 1 findings or refusal, 2 usage or I/O error), never
//! a panic, and never a partial output file.

mod common;

use common::{omeroconf, stderr, stdout, temp_file};
use omeroconf::atomic;
use std::io::Write;
use std::path::Path;
use std::process::Output;

/// Asserts the exit status and that the process did not panic.
fn assert_status(output: &Output, code: i32) {
    let err = stderr(output);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(output.status.code(), Some(code), "stderr: {err}");
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

/// The names in a directory, to show that no temporary file was left.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn invalid_utf8_is_a_usage_error_in_every_command() {
    let (_dir, path) = temp_file("web.sh", b"omero config set omero.web.top_logo caf\xe9\n");
    let path = path_str(&path);
    for args in [
        vec!["lint", path],
        vec!["convert", "--to", "json", path],
        vec!["emit", "nginx", path],
    ] {
        let output = omeroconf(&args);
        assert_status(&output, 2);
        assert!(
            stderr(&output).contains("is not UTF-8 text (invalid byte at offset 39)"),
            "{}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn nul_bytes_in_every_input_format() {
    let inputs: [(&str, &[u8]); 6] = [
        ("a.sh", b"omero config set omero.web.top_logo a\x00b\n"),
        ("a.omero", b"config set omero.web.top_logo a\x00b\n"),
        ("a.properties", b"omero.web.top_logo=a\x00b\n"),
        ("a.xml", b"<icegrid>\x00</icegrid>"),
        ("a.toml", b"[omero.web]\ntop_logo = \"a\x00b\"\n"),
        ("a.json", b"{\"omero.web.top_logo\": \"a\x00b\"}"),
    ];
    for (name, content) in inputs {
        let (_dir, path) = temp_file(name, content);
        let output = omeroconf(&["lint", "--format", "json", path_str(&path)]);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
        let codes = report["files"][0]["diagnostics"]
            .as_array()
            .map(|d| d.iter().map(|d| d["code"].to_string()).collect::<Vec<_>>());
        assert!(
            codes.is_some_and(|c| !c.is_empty()),
            "{name}: the NUL byte is reported: {}",
            stdout(&output)
        );
        assert_status(&output, 1);
    }
}

#[test]
fn crlf_line_ends_are_read_as_omero_and_bash_read_them() {
    // omero config load reads a properties file in universal-newline mode;
    // bash keeps the `\r` in the last word of each line.
    for (name, content, prefix) in [
        (
            "web.properties",
            &b"omero.web.debug=true\r\nomero.web.prefix=/omero\r\n"[..],
            "/omero",
        ),
        (
            "web.sh",
            b"#!/bin/bash\r\nomero config set omero.web.debug true\r\nomero config set omero.web.prefix /omero\r\n",
            "/omero\r",
        ),
    ] {
        let (_dir, path) = temp_file(name, content);
        let output = omeroconf(&["convert", "--to", "json", path_str(&path)]);
        assert_status(&output, 0);
        let stored: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
        let debug = if name.ends_with(".sh") { "true\r" } else { "true" };
        assert_eq!(
            stored,
            serde_json::json!({"omero.web.debug": debug, "omero.web.prefix": prefix}),
            "{name}"
        );
    }
}

/// A properties file of at least `bytes`, one valid line repeated.
fn big_properties(bytes: usize) -> Vec<u8> {
    let line = b"omero.web.server_list=[[\"localhost\", 4064, \"omero\"]]\n";
    line.repeat(bytes / line.len() + 1)
}

#[test]
#[ignore = "100 MB: run by scripts/run/test.sh with --release --ignored"]
fn a_100_mb_file_is_linted() {
    let (_dir, path) = temp_file("big.properties", &big_properties(100 << 20));
    let output = omeroconf(&["lint", "--format", "json", path_str(&path)]);
    assert_status(&output, 0);
    assert!(stdout(&output).contains("\"errors\":0"), "{}", stdout(&output));
}

/// A script of `lines` lines: settings, a warning every 4th line, other commands and comments.
fn big_script(lines: usize) -> String {
    let mut text = String::from("#!/bin/bash\n");
    for i in 1..lines {
        text.push_str(&match i % 4 {
            0 => format!("omero config set omero.web.server_list '[[\"localhost\", 4064, \"omero{i}\"]]'\n"),
            1 => format!("echo step {i}\n"),
            2 => format!(
                "omero config set omero.web.debug {}\n",
                if i % 8 == 2 { "true" } else { "yes" }
            ),
            _ => format!("# comment {i}\n"),
        });
    }
    text
}

#[test]
fn a_million_line_script_is_linted() {
    let (_dir, path) = temp_file("big.sh", big_script(1_000_000).as_bytes());
    let output = omeroconf(&["lint", "--format", "json", path_str(&path)]);
    assert_status(&output, 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    // Rules judge what is stored at the end: the last `debug` value, `yes`;
    // each key set again and again is one IN014, not one per line.
    assert_eq!(report["summary"]["warnings"].as_u64(), Some(3), "{}", report["summary"]);
    let diagnostics = report["files"][0]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let boolean = diagnostics
        .iter()
        .find(|d| d["code"] == "TY006")
        .expect("the last debug value is judged");
    assert_eq!(boolean["line"].as_u64(), Some(999_999), "{boolean}");
    assert_eq!(diagnostics.iter().filter(|d| d["code"] == "IN014").count(), 3);
}

#[test]
fn json_nested_ten_thousand_deep_is_a_syntax_error() {
    let deep = format!("{{\"omero.web.apps\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let (_dir, path) = temp_file("deep.json", deep.as_bytes());
    let lint = omeroconf(&["lint", path_str(&path)]);
    assert_status(&lint, 1);
    assert!(stdout(&lint).contains("recursion limit exceeded"), "{}", stdout(&lint));
    let convert = omeroconf(&["convert", "--to", "properties", path_str(&path)]);
    assert_status(&convert, 1);
    assert!(convert.stdout.is_empty());
}

#[test]
fn catastrophic_url_filter_is_reported_not_run() {
    let (_dir, path) = temp_file(
        "re.properties",
        b"omero.web.public.url_filter=^(a+)+$\nomero.web.public.enabled=true\n",
    );
    let output = omeroconf(&["lint", "--format", "json", path_str(&path)]);
    assert_status(&output, 0);
    assert!(stdout(&output).contains("\"code\":\"PU007\""), "{}", stdout(&output));
}

#[test]
fn missing_files_and_directories_are_usage_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = path_str(dir.path());
    let missing = dir.path().join("missing.properties");
    // `lint` searches a directory: an empty one is no error, only a note.
    let empty = omeroconf(&["lint", folder]);
    assert_status(&empty, 0);
    assert!(
        stderr(&empty).contains("no configuration file omeroconf recognises"),
        "{}",
        stderr(&empty)
    );
    assert!(empty.stdout.is_empty());
    for (input, why) in [(folder, "Is a directory"), (path_str(&missing), "No such file")] {
        let commands = if input == folder {
            vec![]
        } else {
            vec![vec!["lint", input]]
        };
        for args in commands
            .into_iter()
            .chain([vec!["convert", "--to", "xml", input], vec!["emit", "gunicorn", input]])
        {
            let output = omeroconf(&args);
            assert_status(&output, 2);
            assert!(
                stderr(&output).contains(&format!("cannot read {input}: {why}")),
                "{}",
                stderr(&output)
            );
            assert!(output.stdout.is_empty());
        }
    }
    assert_eq!(names(dir.path()), Vec::<String>::new());
}

#[test]
fn output_in_a_missing_folder_is_an_io_error_and_writes_nothing() {
    let (dir, input) = temp_file("web.properties", b"omero.web.prefix=/omero\n");
    let output_path = dir.path().join("no/such/config.xml");
    let output = omeroconf(&["convert", "--to", "xml", path_str(&input), "-o", path_str(&output_path)]);
    assert_status(&output, 2);
    assert!(stderr(&output).contains("cannot write"), "{}", stderr(&output));
    assert_eq!(names(dir.path()), vec!["web.properties"]);
}

#[test]
fn a_write_failing_half_way_leaves_the_original_and_no_temporary_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("config.xml");
    std::fs::write(&target, "original\n").expect("write original");
    let result = atomic::write_with(&target, true, |out: &mut dyn Write| {
        out.write_all(b"<icegrid>half")?;
        Err(std::io::Error::other("disk full"))
    });
    assert!(
        matches!(result, Err(atomic::WriteError::Io(ref e)) if e.to_string() == "disk full"),
        "{result:?}"
    );
    assert_eq!(std::fs::read_to_string(&target).ok().as_deref(), Some("original\n"));
    assert_eq!(names(dir.path()), vec!["config.xml"]);
    // Without an original, nothing appears at all.
    let fresh = dir.path().join("fresh.xml");
    assert!(atomic::write_with(&fresh, false, |_| Err(std::io::Error::other("interrupted"))).is_err());
    assert_eq!(names(dir.path()), vec!["config.xml"]);
}

/// Runs the binary with its address space capped at `megabytes` (an
/// allocation beyond fails and aborts) and a guard against hangs.
fn omeroconf_within(megabytes: u64, args: &[&str]) -> Output {
    std::process::Command::new("prlimit")
        .arg(format!("--as={}", megabytes << 20))
        .args(["timeout", "60", env!("CARGO_BIN_EXE_omeroconf")])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("prlimit runs")
}

/// Nine levels of nine aliases: 387 million scalars once expanded, in under 500 bytes.
fn laughs(indent: &str) -> String {
    let mut text = format!("{indent}a0: &a0 [x,x,x,x,x,x,x,x,x]\n");
    for level in 1..9 {
        let items = vec![format!("*a{}", level - 1); 9].join(",");
        text.push_str(&format!("{indent}a{level}: &a{level} [{items}]\n"));
    }
    text
}

#[test]
fn yaml_alias_bombs_stay_under_100_mb() {
    let ansible = format!(
        "{}omero_web_config_set:\n  omero.web.apps: *a8\n  omero.web.debug: true\n",
        laughs("")
    );
    let (_dir, path) = temp_file("vars.yml", ansible.as_bytes());
    let output = omeroconf_within(
        100,
        &["lint", "--from", "ansible", "--format", "short", path_str(&path)],
    );
    assert_status(&output, 0);
    let report = stdout(&output);
    // Only the value built from the aliases is given up; the rest is judged.
    assert!(
        report.contains("info[IN015] the value of `omero.web.apps` is built from YAML aliases that expand too far"),
        "{report}"
    );
    assert!(report.contains("warning[SC001]"), "{report}");
    assert_eq!(report.matches("IN015").count(), 1, "{report}");

    let compose = format!(
        "x-laughs:\n{}services:\n  web:\n    image: openmicroscopy/omero-web-standalone\n",
        laughs("  ")
    );
    let (_dir, path) = temp_file("docker-compose.yml", compose.as_bytes());
    let output = omeroconf_within(100, &["lint", "--format", "short", path_str(&path)]);
    assert_status(&output, 1);
    assert!(
        stdout(&output).contains("error[IN001] Docker Compose and kubectl refuse this file"),
        "{}",
        stdout(&output)
    );

    // `<<` merges copy entries: 900 merges of a 1000-key map.
    let keys: Vec<String> = (0..1000).map(|i| format!("k{i}: v")).collect();
    let merges = format!("x: &a {{{}}}\ny:\n{}", keys.join(", "), "  - {<<: *a}\n".repeat(900));
    let (_dir, path) = temp_file("vars.yml", merges.as_bytes());
    let output = omeroconf_within(
        100,
        &["lint", "--from", "ansible", "--format", "short", path_str(&path)],
    );
    assert_status(&output, 1);
    assert!(
        stdout(&output).contains("merge keys copy more than"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn long_lists_lines_and_many_keys_stay_under_100_mb() {
    // Every entry a duplicate: one finding (and fix) per entry.
    let entry = r#"{"index": 1, "class": "django.middleware.common.CommonMiddleware"}"#;
    let middleware = format!("omero.web.middleware=[{}]\n", vec![entry; 12_000].join(","));
    // One line, one finding per key: columns far along the line.
    let wide: Vec<String> = (0..30_000).map(|i| format!("\"omero.web.k{i}\": \"x\"")).collect();
    let wide = format!("{{{}}}", wide.join(", "));
    let env: String = (0..20_000).map(|i| format!("CONFIG_omero_web_k{i}=v\n")).collect();
    let compose = format!(
        "services:\n  web:\n    image: openmicroscopy/omero-web-standalone:5.33.2\n    environment:\n{}",
        (0..20_000)
            .map(|i| format!("      CONFIG_omero_web_k{i}: v\n"))
            .collect::<String>()
    );
    for (name, text, code, count) in [
        ("mw.properties", middleware, "MW003", 11_999),
        ("wide.json", wide, "KY001", 30_000),
        ("web.env", env, "KY001", 20_000),
        ("docker-compose.yml", compose, "KY001", 20_000),
    ] {
        assert!(text.len() < 1 << 20, "{name}: under 1 MB");
        let (_dir, path) = temp_file(name, text.as_bytes());
        let output = omeroconf_within(100, &["lint", "--format", "short", path_str(&path)]);
        let err = stderr(&output);
        assert!(!err.contains("memory allocation"), "{name}: {err}");
        let report = stdout(&output);
        // One finding per entry (an unknown key, or a hint at a known one).
        assert!(report.contains(code), "{name}: {err}");
        assert!(report.lines().count() >= count, "{name}: {err}");
        if name == "wide.json" {
            // The last key's column is right, however far along the line.
            let last = report.lines().last().unwrap_or_default();
            let column = wide_column(&text, "omero.web.k29999");
            assert!(last.starts_with(&format!("{}:1:{column}:", path_str(&path))), "{last}");
        }
    }
}

#[test]
fn url_filters_too_complex_to_analyse_stay_under_100_mb_and_say_so() {
    const PUBLIC: &str = "omero.web.public.enabled=true\nomero.web.public.user=public\nomero.web.public.password=pw\n";
    // The filter runs on every request path, prefix included: a look-ahead
    // makes each of the prefix's positions cost the rest of the path.
    let prefix = format!(
        "{PUBLIC}omero.web.prefix=/{}\nomero.web.public.url_filter=(?!x).*/webadmin/\n",
        "p".repeat(900_000)
    );
    let words: Vec<String> = (0..120_000).map(|i| format!("w{i}")).collect();
    let alternation = format!("{PUBLIC}omero.web.public.url_filter=^/({})/\n", words.join("|"));
    // Each `.*` can end anywhere: about n**6 ways on an n-character path.
    let polynomial = format!("{PUBLIC}omero.web.public.url_filter=^/.*.*.*.*.*.*/x\n");
    for (name, text) in [
        ("prefix", prefix),
        ("alternation", alternation),
        ("polynomial", polynomial),
    ] {
        assert!(text.len() < 1 << 20, "{name}: under 1 MB");
        let (_dir, path) = temp_file("web.properties", text.as_bytes());
        let output = omeroconf_within(100, &["lint", "--format", "short", path_str(&path)]);
        let err = stderr(&output);
        assert!(!err.contains("memory allocation"), "{name}: {err}");
        let report = stdout(&output);
        assert_eq!(
            report
                .matches("info[PU010] the public URL filter is too complex to analyse")
                .count(),
            1,
            "{name}: {report}"
        );
        // What needs the filter run is unknown, so it is not guessed.
        for judged in ["PU002", "PU004", "PU008", "PU009"] {
            assert!(!report.contains(judged), "{name}: {report}");
        }
        assert!(matches!(output.status.code(), Some(0 | 1)), "{name}: {err}");
    }
}

/// The 1-based column of `needle`'s opening quote in one-line `text`.
fn wide_column(text: &str, needle: &str) -> usize {
    text.find(&format!("\"{needle}\""))
        .map_or(0, |at| text[..at].chars().count() + 1)
}

#[test]
fn a_byte_order_mark_is_read_as_python_and_go_read_it() {
    let xml = "<icegrid><properties id=\"__ACTIVE__\"><property name=\"omero.config.profile\" value=\"default\" />\
<property name=\"omero.web.debug\" value=\"true\" /></properties><properties id=\"default\">\
<property name=\"omero.web.debug\" value=\"true\" /></properties></icegrid>\n";
    for (name, text) in [
        (
            "docker-compose.yml",
            "services:\n  web:\n    image: openmicroscopy/omero-web-standalone\n    environment:\n      CONFIG_omero_web_debug: 'true'\n",
        ),
        ("vars.yml", "omero_web_config_set:\n  omero.web.debug: true\n"),
        ("config.xml", xml),
    ] {
        let (_dir, path) = temp_file(name, format!("\u{feff}{text}").as_bytes());
        let output = omeroconf(&["lint", "--format", "short", path_str(&path)]);
        assert_status(&output, 0);
        assert!(stdout(&output).contains("warning[SC001]"), "{name}: {}", stdout(&output));
    }
}

#[test]
fn deep_shell_nesting_stays_under_100_mb() {
    for (name, text) in [
        (
            "parens.sh",
            format!("omero config set omero.web.debug true\n{}\n", "(".repeat(900_000)),
        ),
        (
            "substitutions.sh",
            format!("omero config set omero.web.debug \"{}\"\n", "$(".repeat(450_000)),
        ),
    ] {
        let (_dir, path) = temp_file(name, text.as_bytes());
        let output = omeroconf_within(100, &["lint", "--format", "short", path_str(&path)]);
        let err = stderr(&output);
        assert!(
            !err.contains("panicked") && !err.contains("memory allocation"),
            "{name}: {err}"
        );
        assert!(matches!(output.status.code(), Some(0..=2)), "{name}: {err}");
    }
}

#[test]
fn a_lone_cr_ends_a_line_in_every_report() {
    let (_dir, path) = temp_file("web.properties", b"omero.web.prefix=/omero\romero.web.debug=true\r");
    let short = stdout(&omeroconf(&["lint", "--format", "short", path_str(&path)]));
    assert!(short.contains("web.properties:2:17: warning[SC001]"), "{short}");
    let github = stdout(&omeroconf(&["lint", "--format", "github", path_str(&path)]));
    assert!(github.contains("line=2,endLine=2,col=17"), "{github}");
}

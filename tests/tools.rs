//! What omeroconf writes, checked by the tools admins run it with: taplo
//! (the editor schema), systemd-analyze (the unit), bash (the gunicorn
//! command). scripts/run/test.sh installs them; outside CI a missing
//! tool skips its test with a note, in CI it fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A tool on PATH or at one of `candidates`; `None` (with a note) when it is
/// absent outside CI.
fn find_tool(name: &str, candidates: &[PathBuf], installed_by: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    let found = candidates.iter().find(|p| p.is_file()).cloned().or(on_path);
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but {name} is not installed ({installed_by} installs it)"
        );
        eprintln!("SKIPPED: {name} is not installed ({installed_by} installs it)");
    }
    found
}

fn taplo() -> Option<PathBuf> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools/node_modules/.bin/taplo");
    find_tool("taplo", &[local], "scripts/run/test.sh, with npm")
}

/// `taplo check` of TOML files against the committed schema: the files it
/// reports as invalid (one run: taplo takes seconds to start).
fn taplo_invalid(taplo: &Path, files: &[PathBuf]) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/omero-web.schema.json");
    let output = Command::new(taplo)
        .arg("check")
        .arg("--schema")
        .arg(format!("file://{}", schema.display()))
        .args(files)
        .output()?;
    let log = String::from_utf8_lossy(&output.stderr);
    let invalid: Vec<PathBuf> = files
        .iter()
        .filter(|f| log.contains(&format!("path=\"{}\"", f.display())))
        .cloned()
        .collect();
    // A failure that names no file (a schema taplo cannot load) is no verdict.
    assert_eq!(output.status.success(), invalid.is_empty(), "{log}");
    Ok(invalid)
}

/// The mistakes `omeroconf lint` catches in the TOML form also fail
/// `taplo check` with the schema, so an editor marks them as they are typed.
#[test]
fn taplo_check_catches_the_mistakes_lint_catches() -> Result<(), Box<dyn std::error::Error>> {
    let Some(taplo) = taplo() else { return Ok(()) };
    let dir = tempfile::tempdir()?;
    let write = |name: String, text: String| -> std::io::Result<PathBuf> {
        let file = dir.path().join(name);
        std::fs::write(&file, text)?;
        Ok(file)
    };
    let mistakes = [
        "wsgi_workers = \"five\"",
        "debug = \"yes\"",
        "debug = 3",
        "\"application_server.port\" = 70000",
        "server_list = [[1, 4064, \"omero\"]]",
        "server_list = [[\"omero.example.org\", 0, \"omero\"]]",
        "session_engine = \"django.contrib.sessions.backends.nothing\"",
    ];
    let files = mistakes
        .iter()
        .enumerate()
        .map(|(i, mistake)| write(format!("mistake-{i}.toml"), format!("[omero.web]\n{mistake}\n")))
        .collect::<Result<Vec<_>, _>>()?;
    let invalid = taplo_invalid(&taplo, &files)?;
    for (mistake, file) in mistakes.iter().zip(&files) {
        assert!(invalid.contains(file), "taplo check passed {mistake}");
    }
    // Right values, in either form, and keys apps add stay allowed.
    let fine = "[omero.web]\nwsgi_workers = \"5\"\ndebug = \"True\"\n\"application_server.port\" = 4080\n\
server_list = [[\"omero.example.org\", 4064, \"omero\"]]\napps = '[\"omero_iviewer\"]'\nmyapp_colour = 3\n\n\
[omero.web.myapp]\nx = 1\n";
    let example = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/omero-web.toml"))?;
    let good = [
        write("fine.toml".into(), fine.into())?,
        write("example.toml".into(), example)?,
    ];
    assert_eq!(taplo_invalid(&taplo, &good)?, Vec::<PathBuf>::new());
    Ok(())
}

fn systemd_analyze() -> Option<PathBuf> {
    find_tool(
        "systemd-analyze",
        &[PathBuf::from("/usr/bin/systemd-analyze")],
        "scripts/run/test.sh, with apt (package systemd)",
    )
}

fn run(command: &mut Command) -> Result<(bool, String), Box<dyn std::error::Error>> {
    let output = command.output()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((output.status.success(), text))
}

/// `emit systemd` units pass `systemd-analyze verify` and score an exposure
/// of at most 5.0 in `systemd-analyze security`, both offline: there is no
/// systemd PID 1 here, so the unit is checked statically, never started.
#[test]
fn systemd_units_verify_and_are_sandboxed() -> Result<(), Box<dyn std::error::Error>> {
    let Some(analyze) = systemd_analyze() else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    // verify wants ExecStart executable and the units it requires present.
    let venv = dir.path().join("venv");
    std::fs::create_dir_all(venv.join("bin"))?;
    std::fs::write(venv.join("bin/omero"), "#!/bin/sh\n")?;
    std::fs::set_permissions(
        venv.join("bin/omero"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )?;
    std::fs::write(dir.path().join("nginx.service"), "[Service]\nExecStart=/bin/true\n")?;
    let custom = dir.path().join("web.properties");
    std::fs::write(
        &custom,
        "omero.web.logdir=/var/log/omero web\nomero.web.static_root=/srv/static\n\
omero.web.application_server.port=80\n",
    )?;
    let cases = [
        ("examples/omero-web.toml".to_string(), "/opt/omero/web/OMERO.web"),
        (custom.display().to_string(), "/home/web/OMERO.web"),
    ];
    for (config, omerodir) in cases {
        let (ok, unit) = run(Command::new(env!("CARGO_BIN_EXE_omeroconf"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["emit", "systemd", &config, "--omerodir", omerodir, "--venv"])
            .arg(&venv))?;
        assert!(ok, "{config}: {unit}");
        let path = dir.path().join("omero-web.service");
        std::fs::write(&path, &unit)?;
        let (ok, log) = run(Command::new(&analyze).args(["verify", "--man=no"]).arg(&path))?;
        assert!(ok, "{config}: systemd-analyze verify failed:\n{log}\n{unit}");
        let (_, log) = run(Command::new(&analyze).args(["security", "--offline=true"]).arg(&path))?;
        let exposure: f64 = log
            .lines()
            .find_map(|l| l.split_once("Overall exposure level for omero-web.service: "))
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("{config}: no exposure level in\n{log}"))?;
        assert!(exposure <= 5.0, "{config}: exposure {exposure}\n{log}");
    }
    Ok(())
}

/// `emit gunicorn --style shell` run by a real bash: a stand-in `gunicorn`
/// first on PATH receives exactly the words of `--style argv` (what OMERO
/// runs) and the environment `omero web start` gives it.
#[test]
fn gunicorn_shell_command_gives_gunicorn_omeros_words() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin)?;
    std::fs::write(
        bin.join("gunicorn"),
        "#!/bin/sh\nprintf '%s\\n' \"OMERODIR=$OMERODIR\" \"SCRIPT_NAME=${SCRIPT_NAME-unset}\" \"$@\"\n",
    )?;
    std::fs::set_permissions(
        bin.join("gunicorn"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )?;
    let config = dir.path().join("web.properties");
    // Words a shell would otherwise expand, split or glob.
    std::fs::write(
        &config,
        "omero.web.prefix=/my omero's $HOME\nomero.web.wsgi_args=--log-level=debug --name=*;x `id` \"q\"\n",
    )?;
    let omerodir = "/srv/OMERO web/$x";
    let emit = |style: &str| {
        Command::new(env!("CARGO_BIN_EXE_omeroconf"))
            .args(["emit", "gunicorn", "--style", style, "--omerodir", omerodir])
            .arg(&config)
            .output()
    };
    let argv = emit("argv")?;
    let shell = emit("shell")?;
    assert!(argv.status.success() && shell.status.success(), "{argv:?} {shell:?}");
    let line = String::from_utf8(shell.stdout)?;
    let (parsed, log) = run(Command::new("bash").args(["-n", "-c", &line]))?;
    assert!(parsed, "bash -n: {log}");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let (ran, got) = run(Command::new("bash")
        .args(["-c", &line])
        .env("PATH", path)
        .env_remove("SCRIPT_NAME"))?;
    assert!(ran, "{got}");
    let argv = String::from_utf8(argv.stdout)?;
    let mut expected = vec![
        format!("OMERODIR={omerodir}"),
        "SCRIPT_NAME=/my omero's $HOME".to_string(),
    ];
    expected.extend(argv.split_whitespace().skip(1).map(str::to_string));
    assert_eq!(got.lines().collect::<Vec<_>>(), expected, "{line}");
    Ok(())
}

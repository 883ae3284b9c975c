//! The systemd unit the OMERO.web install guide describes: `omero web start`
//! forks gunicorn, which writes `$OMERODIR/var/django.pid`; systemd follows
//! that pid file and stops the service through `omero web stop`.
//!
//! Only written for a configuration `omero web start` would run under
//! gunicorn: a development server stays in the foreground, which a
//! `Type=forking` unit would wait on forever.
//!
//! The sandbox is what OMERO.web can live with: the file system read-only
//! except the directories the configuration says it writes, no devices, no
//! capabilities (but binding a port below 1024), the system calls of an
//! ordinary service. `systemd-analyze security` rates it below 2 (tests/tools.rs).

use super::runtime::Runtime;
use super::{gunicorn, Refusal};

/// The options of `omeroconf emit systemd`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The system user OMERO.web runs as.
    pub user: String,
    /// The virtual environment OMERO.web is installed in.
    pub venv: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            user: "omero-web".to_string(),
            venv: "/opt/omero/web/venv3".to_string(),
        }
    }
}

/// The unit file, `omero-web.service`.
pub fn render(runtime: &Runtime, options: &Options) -> Result<String, Refusal> {
    gunicorn::command(runtime)?;
    for (what, path) in [
        ("--omerodir", runtime.omerodir.as_str()),
        ("--venv", options.venv.as_str()),
    ] {
        if !path.starts_with('/') {
            return Err(Refusal::new(format!(
                "{what} must be an absolute path for systemd, not `{path}`"
            )));
        }
    }
    if let Some(bad) = [&options.user, &options.venv, &runtime.omerodir]
        .into_iter()
        .find(|v| v.contains(['\n', '\r']))
    {
        return Err(Refusal::new(format!(
            "{} cannot hold a line break in a unit file",
            bad.escape_debug()
        )));
    }
    if options.user.is_empty() || options.user.contains(char::is_whitespace) {
        return Err(Refusal::new(format!("`{}` is not a user name", options.user)));
    }
    let sandbox = sandbox(runtime, options)?;
    let venv_bin = format!("{}/bin", options.venv.trim_end_matches('/'));
    let omero = format!("{venv_bin}/omero");
    let path = format!("{venv_bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    Ok(format!(
        "# OMERO.web under systemd, written by omeroconf.\n\
         # Install as /etc/systemd/system/omero-web.service, then run\n\
         # `systemctl daemon-reload` and `systemctl enable --now omero-web`.\n\
         [Unit]\n\
         Description=OMERO.web\n\
         # Remove this line when nginx runs on another machine.\n\
         Requires=nginx.service\n\
         After=network.target\n\
         \n\
         [Service]\n\
         User={user}\n\
         Type=forking\n\
         PIDFile={pid}\n\
         Restart=no\n\
         RestartSec=10\n\
         Environment={path_env}\n\
         Environment={omerodir_env}\n\
         ExecStart={start} web start\n\
         ExecStop={start} web stop\n\
         {sandbox}\
         \n\
         [Install]\n\
         WantedBy=multi-user.target\n",
        user = escape(&options.user),
        pid = escape(&runtime.pid_file()),
        path_env = quote(&format!("PATH={path}")),
        omerodir_env = quote(&format!("OMERODIR={}", runtime.omerodir)),
        start = word(&omero),
    ))
}

/// The service's sandbox, one directive a line.
fn sandbox(runtime: &Runtime, options: &Options) -> Result<String, Refusal> {
    let mut lines = vec![
        "\n# Sandbox: `systemd-analyze security omero-web.service` rates it.".to_string(),
        "NoNewPrivileges=yes".into(),
        "ProtectSystem=strict".into(),
    ];
    // OMERO.web writes its pid file under var/ (which must exist), its logs
    // and, on `collectstatic`, the static root; a missing optional one (`-`)
    // is no error. Relative paths depend on the working directory: left out.
    let var = format!("{}/var", runtime.omerodir.trim_end_matches('/'));
    let mut writable: Vec<String> = vec![var.clone()];
    for key in ["omero.web.logdir", "omero.web.static_root"] {
        if let Some(path) = runtime.text(key)?.filter(|p| p.starts_with('/')) {
            let path = path.trim_end_matches('/').to_string();
            if !writable
                .iter()
                .any(|w| path == *w || path.starts_with(&format!("{w}/")))
            {
                writable.push(path);
            }
        }
    }
    for path in &writable {
        let optional = if *path == var { "" } else { "-" };
        lines.push(format!("ReadWritePaths={optional}{}", word(path)));
    }
    lines.push("PrivateTmp=yes".into());
    // A home directory must stay visible when OMERO.web lives in one.
    let homes = ["/home", "/root", "/run/user"];
    let in_home = [runtime.omerodir.as_str(), options.venv.as_str()]
        .iter()
        .any(|p| homes.iter().any(|h| p == h || p.starts_with(&format!("{h}/"))));
    if !in_home {
        lines.push("ProtectHome=yes".into());
    }
    lines.extend(
        [
            "PrivateDevices=yes",
            "PrivateMounts=yes",
            "ProtectKernelTunables=yes",
            "ProtectKernelModules=yes",
            "ProtectKernelLogs=yes",
            "ProtectControlGroups=yes",
            "ProtectClock=yes",
            "ProtectHostname=yes",
            "ProtectProc=invisible",
            // Local sockets (wsgi-unix), TCP to nginx, OMERO.server, Redis.
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
            "RestrictNamespaces=yes",
            "RestrictRealtime=yes",
            "RestrictSUIDSGID=yes",
            "LockPersonality=yes",
            "RemoveIPC=yes",
            "SystemCallArchitectures=native",
            "SystemCallFilter=@system-service",
            "SystemCallErrorNumber=EPERM",
            "UMask=0027",
        ]
        .map(String::from),
    );
    let low_port = runtime.server_type()? == "wsgi-tcp"
        && runtime
            .int("omero.web.application_server.port")?
            .parse::<u32>()
            .is_ok_and(|port| port < 1024);
    if low_port {
        lines.push("# Binding a port below 1024 takes this one capability.".into());
        lines.push("CapabilityBoundingSet=CAP_NET_BIND_SERVICE".into());
        lines.push("AmbientCapabilities=CAP_NET_BIND_SERVICE".into());
    } else {
        lines.push("CapabilityBoundingSet=".into());
    }
    Ok(lines.iter().map(|l| format!("{l}\n")).collect())
}

/// `%` starts a systemd specifier; `%%` is a literal percent sign.
fn escape(text: &str) -> String {
    text.replace('%', "%%")
}

/// A double-quoted systemd word, with `\` and `"` escaped.
fn quote(text: &str) -> String {
    format!("\"{}\"", escape(text).replace('\\', "\\\\").replace('"', "\\\""))
}

/// A command word, quoted only when it needs to be.
fn word(text: &str) -> String {
    if text.contains(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | ';')) {
        quote(text)
    } else {
        escape(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::runtime::from_properties;

    fn unit(text: &str, omerodir: &str, options: &Options) -> Result<String, Refusal> {
        render(&from_properties(text, omerodir)?, options)
    }

    #[test]
    fn unit_follows_the_pid_file_and_the_venv() -> Result<(), Refusal> {
        let options = Options {
            user: "web".into(),
            venv: "/opt/my venv/".into(),
        };
        let text = unit("", "/srv/100%/OMERO.web", &options)?;
        assert!(text.contains("\nType=forking\n"), "{text}");
        assert!(
            text.contains("\nPIDFile=/srv/100%%/OMERO.web/var/django.pid\n"),
            "{text}"
        );
        assert!(
            text.contains("\nEnvironment=\"OMERODIR=/srv/100%%/OMERO.web\"\n"),
            "{text}"
        );
        assert!(
            text.contains("\nEnvironment=\"PATH=/opt/my venv/bin:/usr/local/sbin:"),
            "{text}"
        );
        assert!(
            text.contains("\nExecStart=\"/opt/my venv/bin/omero\" web start\n"),
            "{text}"
        );
        assert!(
            text.contains("\nExecStop=\"/opt/my venv/bin/omero\" web stop\n"),
            "{text}"
        );
        assert!(text.contains("\nUser=web\n"), "{text}");
        Ok(())
    }

    #[test]
    fn refuses_what_cannot_fork_or_be_written() {
        let defaults = Options::default();
        assert!(unit("omero.web.application_server=development\n", "/srv/w", &defaults).is_err());
        assert!(unit("", "relative/dir", &defaults).is_err());
        assert!(unit(
            "",
            "/srv/w",
            &Options {
                user: "a b".into(),
                ..Options::default()
            }
        )
        .is_err());
        assert!(unit("", "/srv/w", &defaults).is_ok());
    }

    #[test]
    fn sandbox_opens_what_the_configuration_writes() -> Result<(), Refusal> {
        let defaults = Options::default();
        let text = unit("", "/srv/w/", &defaults)?;
        // logdir and static_root default inside var/.
        assert_eq!(text.matches("ReadWritePaths=").count(), 1, "{text}");
        assert!(text.contains("\nReadWritePaths=/srv/w/var\n"), "{text}");
        assert!(text.contains("\nProtectHome=yes\n"), "{text}");
        assert!(text.contains("\nCapabilityBoundingSet=\n"), "{text}");
        let text = unit(
            "omero.web.logdir=/var/log/omero web\nomero.web.static_root=/srv/static/\n\
omero.web.application_server.port=80\n",
            "/home/web/OMERO.web",
            &defaults,
        )?;
        assert!(text.contains("\nReadWritePaths=-\"/var/log/omero web\"\n"), "{text}");
        assert!(text.contains("\nReadWritePaths=-/srv/static\n"), "{text}");
        assert!(!text.contains("ProtectHome"), "{text}");
        assert!(text.contains("\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n"), "{text}");
        Ok(())
    }
}

//! `omeroconf emit`: the deployment files OMERO.web would use (nginx,
//! gunicorn, systemd), rendered by `omeroconf::emit`.

use super::input::{InputArgs, ReleaseArgs};
use super::{refused, usage_error, write_out};
use clap::{Args, Subcommand};
use omeroconf::emit::{self, runtime::Runtime, Deployment};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum EmitTarget {
    /// The server block `omero web config nginx` prints.
    Nginx(NginxArgs),
    /// The location blocks `omero web config nginx-location` prints.
    NginxLocation(NginxArgs),
    /// The whole nginx.conf `omero web config nginx-development` prints.
    NginxDevelopment(NginxArgs),
    /// The gunicorn command `omero web start` runs.
    Gunicorn(GunicornArgs),
    /// A systemd unit running OMERO.web through `omero web start|stop`.
    Systemd(SystemdArgs),
}

#[derive(Args)]
pub struct EmitInput {
    /// The configuration (any input format).
    #[arg(value_name = "CONFIG")]
    file: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    release: ReleaseArgs,
    /// OMERO.web's OMERODIR on the target machine.
    #[arg(long, value_name = "DIR", default_value = emit::DEFAULT_OMERODIR)]
    omerodir: String,
}

#[derive(Args)]
pub struct NginxArgs {
    #[command(flatten)]
    emit: EmitInput,
    /// The HTTP port nginx listens on (default 80, 8080 for nginx-development).
    #[arg(long, value_name = "PORT", value_parser = emit::nginx::parse_port)]
    http: Option<String>,
    /// nginx's server_name.
    #[arg(long, value_name = "NAME", default_value = "$hostname")]
    servername: String,
    /// nginx's client_max_body_size (0: unlimited).
    #[arg(long, value_name = "SIZE", default_value = "0")]
    max_body_size: String,
}

#[derive(Args)]
pub struct GunicornArgs {
    #[command(flatten)]
    emit: EmitInput,
    /// How to print the command.
    #[arg(long, value_enum, default_value_t = emit::gunicorn::Style::Argv)]
    style: emit::gunicorn::Style,
}

#[derive(Args)]
pub struct SystemdArgs {
    #[command(flatten)]
    emit: EmitInput,
    /// The system user OMERO.web runs as.
    #[arg(long, value_name = "USER", default_value = "omero-web")]
    user: String,
    /// The virtual environment OMERO.web is installed in.
    #[arg(long, value_name = "DIR", default_value = "/opt/omero/web/venv3")]
    venv: String,
}

impl NginxArgs {
    fn deployment(&self, kind: emit::nginx::Kind) -> Deployment {
        Deployment::Nginx(
            kind,
            emit::nginx::Options {
                http: self.http.clone(),
                servername: self.servername.clone(),
                max_body_size: self.max_body_size.clone(),
            },
        )
    }
}

pub fn run(target: &EmitTarget) -> u8 {
    let (common, deployment) = match target {
        EmitTarget::Nginx(a) => (&a.emit, a.deployment(emit::nginx::Kind::Nginx)),
        EmitTarget::NginxLocation(a) => (&a.emit, a.deployment(emit::nginx::Kind::Location)),
        EmitTarget::NginxDevelopment(a) => (&a.emit, a.deployment(emit::nginx::Kind::Development)),
        EmitTarget::Gunicorn(a) => (&a.emit, Deployment::Gunicorn(a.style)),
        EmitTarget::Systemd(a) => (
            &a.emit,
            Deployment::Systemd(emit::systemd::Options {
                user: a.user.clone(),
                venv: a.venv.clone(),
            }),
        ),
    };
    let (document, project) = match common.input.load(&common.file) {
        Ok(loaded) => loaded,
        Err(message) => return usage_error(&message),
    };
    let emitted = Runtime::load(&document, common.release.version(project.as_deref()), &common.omerodir)
        .and_then(|runtime| emit::deployment(&runtime, &deployment));
    match emitted {
        Ok(emitted) => {
            for warning in &emitted.warnings {
                eprintln!("warning: {warning}");
            }
            write_out(&emitted.text)
        }
        Err(refusal) => refused(&refusal),
    }
}

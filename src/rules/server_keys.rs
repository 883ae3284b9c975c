//! OMERO.server's keys in OMERO.web's configuration. Since 5.6 OMERO.web is
//! installed apart from the server with its own config.xml; keys such as
//! `omero.client.*` and `omero.policy.binary_access` are read by OMERO.server
//! from its own configuration, so setting them for the web has no effect.

use super::LintContext;
use crate::diagnostic::{Finding, Rule, Severity::*};
use crate::resolve::SERVER_HOST_KEYS;

pub static SERVER_SIDE_KEY: Rule = Rule {
    code: "SV001",
    name: "server-side-key",
    severity: Warning,
    summary: "An OMERO.server property set in OMERO.web's configuration",
    explanation: "OMERO.web (5.6 and later) has its own configuration, separate from \
OMERO.server's. `omero.client.*` values reach OMERO.web from the server when a user logs in, and \
`omero.policy.binary_access` is enforced by the server, so setting them in the web's \
configuration changes nothing. Set them on the OMERO.server host, in the server's OMERODIR. \
(`omero.master.host` and `Ice.Default.Host` are different: OMERO.web reads them to build its \
default server list.)",
    example: "# in OMERO.web's OMERODIR\nomero config set omero.client.viewer.roi_limit 5000",
    fixed_example: "# in OMERO.server's OMERODIR\nomero config set omero.client.viewer.roi_limit 5000",
    fix: false,
};

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    for key in ctx.config.entries.keys() {
        let Some(property) = ctx.property(key) else { continue };
        if !property.server_side || SERVER_HOST_KEYS.contains(&key.as_str()) {
            continue;
        }
        let how = if key.starts_with("omero.client.") {
            "OMERO.web receives omero.client.* values from OMERO.server at login"
        } else {
            "only OMERO.server reads it"
        };
        out.push(
            ctx.on_key(
                &SERVER_SIDE_KEY,
                key,
                format!("{key} has no effect in OMERO.web's configuration: {how}"),
            )
            .help(format!(
                "set it on the OMERO.server host: `omero config set {key} ...` with the server's OMERODIR"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::codes;

    #[test]
    fn server_keys_belong_to_the_server() {
        assert_eq!(codes("omero.client.viewer.roi_limit=5000\n", "SV"), vec!["SV001"]);
        assert_eq!(codes("omero.policy.binary_access=-read,-write\n", "SV"), vec!["SV001"]);
        // Read by OMERO.web itself.
        assert!(codes(
            "omero.master.host=omero.example.org\nomero.mail.host=smtp.example.org\n",
            "SV"
        )
        .is_empty());
        assert!(codes("omero.web.debug=false\n", "SV").is_empty());
    }
}

//! OMERO.server's keys in OMERO.web's configuration. Since 5.6 OMERO.web is
//! installed apart from the server with its own config.xml. Most
//! `omero.client.*` keys do take effect there (OMERO.web lays its own values
//! over the server's at login); the keys this rule names are the ones only
//! the server applies, such as `omero.policy.binary_access`.

use super::LintContext;
use crate::diagnostic::{Finding, Rule, Severity::*};
use crate::resolve::SERVER_HOST_KEYS;

pub static SERVER_SIDE_KEY: Rule = Rule {
    code: "SV001",
    name: "server-side-key",
    severity: Warning,
    summary: "An OMERO.server property set in OMERO.web's configuration",
    explanation: "OMERO.web (5.6 and later) has its own configuration, separate from \
OMERO.server's. Some server properties do nothing there: `omero.policy.binary_access` is enforced \
by the server, OMERO.web asks the server for `omero.mail.config` and `omero.upgrades.url`, and \
nothing in OMERO.web reads `omero.client.icetransports` or `omero.client.web.host`. Set them on the \
OMERO.server host, in the server's OMERODIR. (The other `omero.client.*` keys do take effect in \
OMERO.web's configuration: its values win over the server's for OMERO.web's users, after a \
restart and a new login. `omero.master.host` and `Ice.Default.Host` feed the default server list.)",
    example: "# in OMERO.web's OMERODIR\nomero config set -- omero.policy.binary_access -read",
    fixed_example:
        "# in OMERO.web's OMERODIR (set it in OMERO.server's instead)\nomero config set omero.policy.binary_access",
    fix: false,
    blocks_start: false,
};

pub fn check(ctx: &LintContext, out: &mut Vec<Finding>) {
    for key in ctx.config.entries.keys() {
        let Some(property) = ctx.property(key) else { continue };
        if !property.server_side || SERVER_HOST_KEYS.contains(&key.as_str()) {
            continue;
        }
        let how = if key.starts_with("omero.client.") {
            "nothing in OMERO.web reads it"
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
        assert_eq!(codes("omero.client.icetransports=ssl,tcp\n", "SV"), vec!["SV001"]);
        assert_eq!(codes("omero.policy.binary_access=-read,-write\n", "SV"), vec!["SV001"]);
        // OMERO.web's own omero.client.* values win over the server's.
        assert!(codes("omero.client.viewer.roi_limit=5000\n", "SV").is_empty());
        // Read by OMERO.web itself.
        assert!(codes(
            "omero.master.host=omero.example.org\nomero.mail.host=smtp.example.org\n",
            "SV"
        )
        .is_empty());
        assert!(codes("omero.web.debug=false\n", "SV").is_empty());
    }
}

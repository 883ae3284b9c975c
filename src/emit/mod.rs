//! Configuration written back in the deployment formats omeroconf reads:
//! omero-web-docker env files and Ansible variables for ome.omero_web.
//! Writers start from the stored strings and never parse text.

pub mod ansible;
pub mod env;

/// A written file and the warnings about keys it could not carry as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub text: String,
    pub warnings: Vec<String>,
}

/// Test helper: a stored configuration from `(key, value)` pairs.
#[cfg(test)]
pub(crate) fn stored_from(pairs: &[(&str, &str)]) -> indexmap::IndexMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

//! Which values are secrets, and where inside a value a secret sits, so that
//! reports can mask them. Configuration files omeroconf writes keep them.

use crate::catalog::catalog;
use std::ops::Range;

pub const MASK: &str = "********";

/// A key whose whole value is secret: the catalog says so for known keys;
/// unknown keys (typos of secret keys among them) are judged by their name.
pub fn is_secret_key(key: &str) -> bool {
    if let Some(property) = catalog().property(key) {
        return property.secret;
    }
    let last = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    let looks_secret = ["pass", "pwd", "secret", "token", "apikey", "api_key", "credential"]
        .iter()
        .any(|w| last.contains(w));
    // A misspelt secret key is as secret as the key it was meant to be.
    looks_secret || catalog().closest_is_secret(key)
}

/// Byte ranges of secrets inside the value of `key`: the whole value of a
/// secret key; passwords in URLs (`redis://:pw@host`) and `PASSWORD`-like
/// JSON members anywhere else.
pub fn secret_ranges(key: &str, value: &str) -> Vec<Range<usize>> {
    if value.is_empty() {
        return Vec::new();
    }
    if is_secret_key(key) {
        #[allow(clippy::single_range_in_vec_init)] // one range: the whole value
        return vec![0..value.len()];
    }
    let mut ranges = url_passwords(value);
    ranges.extend(json_member_secrets(value));
    ranges.sort_by_key(|r| r.start);
    ranges
}

/// `scheme://user:password@host`: the password part.
fn url_passwords(value: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = value[from..].find("://") {
        let authority_start = from + found + 3;
        let authority_end = value[authority_start..]
            .find(|c: char| c == '/' || c == '"' || c == '\'' || c.is_whitespace() || c == ',')
            .map_or(value.len(), |i| authority_start + i);
        let authority = &value[authority_start..authority_end];
        if let Some(at) = authority.rfind('@') {
            if let Some(colon) = authority[..at].find(':') {
                let start = authority_start + colon + 1;
                let end = authority_start + at;
                if start < end {
                    out.push(start..end);
                }
            }
        }
        from = authority_end.max(authority_start);
    }
    out
}

/// `"PASSWORD": "x"`, `["SECRET_KEY", "x"]` and similar inside JSON text:
/// the string that follows a member or pair whose name looks secret.
fn json_member_secrets(value: &str) -> Vec<Range<usize>> {
    let bytes = value.as_bytes();
    let strings = string_literals(bytes);
    let mut out = Vec::new();
    for pair in strings.windows(2) {
        let name = &value[pair[0].start + 1..pair[0].end - 1];
        let between = &value[pair[0].end..pair[1].start];
        let separated = matches!(between.trim(), ":" | ",");
        if separated && is_secret_key(name) && pair[1].end - pair[1].start > 2 {
            out.push(pair[1].start + 1..pair[1].end - 1);
        }
    }
    out
}

/// Ranges of `"..."` literals, quotes included.
fn string_literals(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            if i < bytes.len() {
                out.push(start..i + 1);
            }
        }
        i += 1;
    }
    out
}

/// `text` with every secret of `key`'s value masked.
pub fn mask_value(key: &str, value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut last = 0;
    for range in secret_ranges(key, value) {
        if range.start < last {
            continue;
        }
        out.push_str(&value[last..range.start]);
        out.push_str(MASK);
        last = range.end;
    }
    out.push_str(&value[last..]);
    out
}

/// A message about `key` that may quote its value: masked when the key is secret.
pub fn mask_message(key: &str, message: &str) -> String {
    if is_secret_key(key) {
        format!("(message hidden: `{key}` is secret)")
    } else {
        message.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys() {
        assert!(is_secret_key("omero.web.public.password"));
        assert!(is_secret_key("omero.web.secret_key"));
        assert!(is_secret_key("omero.web.publc.password"));
        assert!(is_secret_key("omero.web.public.pasword"));
        assert!(is_secret_key("omero.web.secretkey"));
        assert!(!is_secret_key("omero.web.publc.user"));
        assert!(is_secret_key("omero.web.signup.admin.password"));
        assert!(!is_secret_key("omero.web.show_forgot_password"));
        assert!(!is_secret_key("omero.web.debug"));
    }

    #[test]
    fn masks_passwords_inside_values() {
        let caches =
            r#"{"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://:hunter2@redis:6379/0"}}"#;
        assert_eq!(
            mask_value("omero.web.caches", caches),
            r#"{"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://:********@redis:6379/0"}}"#
        );
        let databases = r#"{"default": {"ENGINE": "x", "PASSWORD": "s3cret"}}"#;
        assert_eq!(
            mask_value("omero.web.databases", databases),
            r#"{"default": {"ENGINE": "x", "PASSWORD": "********"}}"#
        );
        let extra = r#"[["EMAIL_HOST_PASSWORD", "pw"], ["X", "y"]]"#;
        assert_eq!(
            mask_value("omero.web.django_additional_settings", extra),
            r#"[["EMAIL_HOST_PASSWORD", "********"], ["X", "y"]]"#
        );
        assert_eq!(mask_value("omero.web.public.password", "abc"), MASK);
        assert_eq!(mask_value("omero.web.prefix", "/omero"), "/omero");
    }
}

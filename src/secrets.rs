//! Which values are secrets, and where inside a value a secret sits, so that
//! reports can mask them. Configuration files omeroconf writes keep them.

use crate::catalog::catalog;
use std::ops::Range;

pub const MASK: &str = "********";

/// Parts of a key's name that make an unknown key secret.
const SECRET_WORDS: [&str; 7] = ["pass", "pwd", "secret", "token", "apikey", "api_key", "credential"];

/// A key whose whole value is secret: the catalog says so for known keys;
/// unknown keys (typos of secret keys among them) are judged by their name.
pub fn is_secret_key(key: &str) -> bool {
    if let Some(property) = catalog().property(key) {
        return property.secret;
    }
    let last = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    let looks_secret = SECRET_WORDS.iter().any(|w| last.contains(w));
    // A misspelt secret key is as secret as the key it was meant to be.
    looks_secret || catalog().closest_is_secret(key)
}

/// Whether a word of a file names a secret key, judged cheaply (no search
/// for the closest known key): for masking lines whose value was never read.
pub fn names_secret(word: &str) -> bool {
    if let Some(property) = catalog().property(word) {
        return property.secret;
    }
    let lower = word.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| lower.contains(w))
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
    ranges.extend(named_secrets(value));
    ranges.sort_by_key(|r| r.start);
    ranges
}

/// `NAME=value` and `--name value` where the name looks secret: an
/// environment variable gunicorn sets from `wsgi_args` (`--env
/// EMAIL_HOST_PASSWORD=x`), a secret option, a URL's `?token=x`.
fn named_secrets(value: &str) -> Vec<Range<usize>> {
    let ends_value = |c: char| c.is_whitespace() || "&\"',;".contains(c);
    let words: Vec<(usize, &str)> = value
        .split(char::is_whitespace)
        .scan(0, |at, word| {
            let start = *at;
            *at += word.len() + 1;
            Some((start, word))
        })
        .filter(|(_, word)| !word.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, &(at, word)) in words.iter().enumerate() {
        for (eq, _) in word.match_indices('=') {
            let name = word[..eq].rsplit(['?', '&', ';', '-']).next().unwrap_or_default();
            let rest = &word[eq + 1..];
            let len = rest.find(ends_value).unwrap_or(rest.len());
            if len > 0 && names_secret(name) {
                out.push(at + eq + 1..at + eq + 1 + len);
            }
        }
        let option = word.strip_prefix("--").filter(|o| !o.contains('='));
        if let (Some(option), Some(&(next_at, next))) = (option, words.get(i + 1)) {
            if names_secret(option) && !next.starts_with('-') {
                out.push(next_at..next_at + next.len());
            }
        }
    }
    out
}

/// `scheme://user:password@host`: the password part.
pub fn url_passwords(value: &str) -> Vec<Range<usize>> {
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

/// `"PASSWORD": "x"`, `["SECRET_KEY", "x"]`, `"PASSWORD": 123456` and
/// similar inside JSON text: the string or number that follows a member or
/// pair whose name, once decoded (`"P\u0041SSWORD"`), looks secret; and
/// the whole of a string whose decoded text has a password in a URL that
/// its escapes hide (`redis:\/\/:pw@host`).
fn json_member_secrets(value: &str) -> Vec<Range<usize>> {
    let tokens = json_tokens(value.as_bytes());
    let decoded = |range: &Range<usize>| -> String {
        serde_json::from_str::<String>(&value[range.clone()])
            .unwrap_or_else(|_| value[range.start + 1..range.end - 1].to_string())
    };
    let mut out = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if let Token::Str(range) = token {
            let text = decoded(range);
            let raw = &value[range.start + 1..range.end - 1];
            if text != raw && !url_passwords(&text).is_empty() {
                out.push(range.start + 1..range.end - 1);
            }
        }
        let (Token::Str(name), Some(Token::Punct(b':' | b',')), Some(next)) =
            (token, tokens.get(i + 1), tokens.get(i + 2))
        else {
            continue;
        };
        if !is_secret_key(&decoded(name)) {
            continue;
        }
        match next {
            Token::Str(range) if range.len() > 2 => out.push(range.start + 1..range.end - 1),
            Token::Scalar(range) => out.push(range.clone()),
            _ => {}
        }
    }
    out
}

/// A piece of JSON text.
enum Token {
    /// A `"..."` literal, quotes included.
    Str(Range<usize>),
    /// A number or `true`/`false`/`null`.
    Scalar(Range<usize>),
    Punct(u8),
}

fn json_tokens(bytes: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if i < bytes.len() {
                    out.push(Token::Str(start..i + 1));
                }
                i += 1;
            }
            b if b.is_ascii_whitespace() => i += 1,
            b @ (b'{' | b'}' | b'[' | b']' | b':' | b',') => {
                out.push(Token::Punct(b));
                i += 1;
            }
            _ => {
                let start = i;
                while i < bytes.len() && !b"{}[]:,\" \t\r\n".contains(&bytes[i]) {
                    i += 1;
                }
                out.push(Token::Scalar(start..i));
            }
        }
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
    fn masks_secrets_named_in_arguments() {
        let args = "--env EMAIL_HOST_PASSWORD=hunter2 --keyfile-password hunter3 --workers 4";
        let shown: Vec<&str> = secret_ranges("omero.web.wsgi_args", args)
            .into_iter()
            .map(|r| &args[r])
            .collect();
        assert_eq!(shown, ["hunter2", "hunter3"]);
        let url = "https://h/x?token=abc&page=2";
        assert_eq!(mask_value("omero.web.x_url", url), "https://h/x?token=********&page=2");
        assert!(secret_ranges("omero.web.wsgi_args", "--workers=4 --forwarded-allow-ips=*").is_empty());
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

    #[test]
    fn masks_secrets_json_hides_behind_escapes_and_numbers() {
        let escaped = r#"{"default": {"LOCATION": "redis:\/\/:hunter2@redis:6379\/0"}}"#;
        assert_eq!(
            mask_value("omero.web.caches", escaped),
            r#"{"default": {"LOCATION": "********"}}"#
        );
        let number = r#"{"default": {"PASSWORD": 123456, "PORT": 5432}}"#;
        assert_eq!(
            mask_value("omero.web.databases", number),
            r#"{"default": {"PASSWORD": ********, "PORT": 5432}}"#
        );
        let unicode = r#"{"P\u0041SSWORD": "s3cret"}"#;
        assert_eq!(
            mask_value("omero.web.databases", unicode),
            r#"{"P\u0041SSWORD": "********"}"#
        );
    }
}

//! ElementTree's escaping of attribute values, which omero-py's
//! `ConfigXml` writes config.xml with (`xml.etree.ElementTree._escape_attrib`).

/// ElementTree's attribute escaping.
pub fn escape_attrib(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#09;"),
            c => out.push(c),
        }
    }
    out
}

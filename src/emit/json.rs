//! The flat JSON form: one object `{key: string}` of the stored properties,
//! in their stored order. JSON carries every string, so nothing is refused.

use indexmap::IndexMap;

pub fn write(stored: &IndexMap<String, String>) -> String {
    // Serialising a map of strings cannot fail; an empty object is the
    // honest answer if it ever did.
    let text = serde_json::to_string_pretty(stored).unwrap_or_else(|_| "{}".to_string());
    format!("{text}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_an_ordered_flat_object() {
        let stored = crate::emit::stored_from(&[("b", "é\n\""), ("a", "")]);
        assert_eq!(write(&stored), "{\n  \"b\": \"é\\n\\\"\",\n  \"a\": \"\"\n}\n");
    }
}

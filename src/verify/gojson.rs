//! How Go's `encoding/json` fills a struct from an object, which is how the controller reads
//! token claims and JWKS documents: a member matches a field by exact name or, failing that,
//! case-insensitively (with Go's folding: `ſ` is `s` and the Kelvin sign is `k`), and when
//! several members match one field the last one wins.

use serde_json::{Map, Value};

/// Folds a member name the way Go compares it with an ASCII field name; None when it cannot
/// match any ASCII name.
pub fn fold(name: &str) -> Option<String> {
    name.chars()
        .map(|c| match c {
            'ſ' => Some('s'),
            '\u{212a}' => Some('k'),
            c if c.is_ascii() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// The members of `object` that Go would decode into the field named `field` (ASCII,
/// lowercase), in document order; the last is the value the field ends with.
pub fn members<'a>(object: &'a Map<String, Value>, field: &str) -> Vec<(&'a str, &'a Value)> {
    object
        .iter()
        .filter(|(name, _)| name.as_str() == field || fold(name).as_deref() == Some(field))
        .map(|(name, value)| (name.as_str(), value))
        .collect()
}

/// The value Go ends with for the string field `field`: the last matching member, when it
/// is a string.
pub fn last_string<'a>(object: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    members(object, field)
        .last()
        .and_then(|(_, value)| value.as_str())
}

/// Go's name for a JSON value's type in its `UnmarshalTypeError` messages.
pub fn go_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn folds_like_go() {
        assert_eq!(fold("ISS").as_deref(), Some("iss"));
        assert_eq!(fold("ſcope").as_deref(), Some("scope"));
        assert_eq!(fold("\u{212a}id").as_deref(), Some("kid"));
        assert_eq!(fold("ïss"), None);
    }

    #[test]
    fn last_matching_member_wins() {
        let v = json!({"iss": "a", "ISS": "b"});
        assert_eq!(last_string(v.as_object().unwrap(), "iss"), Some("b"));
    }
}

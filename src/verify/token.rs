//! Check 1, `format`: what a token must look like before anything else is looked at.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// base64url without padding, tolerating non-zero trailing bits as Go's `RawURLEncoding` (the
/// controller's decoder) does, so a token is judged on the same bytes the controller sees.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);
use serde_json::{Map, Value};

/// Largest token accepted: the controller's HTTP header limit (design §3).
pub const MAX_TOKEN_BYTES: usize = 1024 * 1024;

/// A token split into its parts, with header and payload decoded but nothing verified.
#[derive(Debug, Clone)]
pub struct ParsedToken {
    /// The decoded header object.
    pub header: Map<String, Value>,
    /// The decoded payload object.
    pub payload: Map<String, Value>,
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: String,
    /// The decoded signature.
    pub signature: Vec<u8>,
}

/// Strips what people paste around a token: whitespace anywhere (a token has none, but a
/// wrapped terminal or a log line adds it), surrounding quotes, a whole `Authorization:` header
/// line and a leading `Bearer `. (The controller itself reads the header's `Bearer ` value; the
/// rest is what a copy from a log, a curl command or a JSON string brings along.)
pub fn normalize(raw: &str) -> String {
    let mut text = unquote(raw.trim());
    if let Some(prefix) = text.get(..14)
        && prefix.eq_ignore_ascii_case("authorization:")
    {
        text = unquote(text[14..].trim());
    }
    if let Some(prefix) = text.get(..7)
        && prefix.eq_ignore_ascii_case("bearer ")
    {
        text = unquote(text[7..].trim());
    }
    if text.bytes().any(|b| b.is_ascii_whitespace()) || !text.is_ascii() {
        text.chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        text.to_string()
    }
}

/// `text` without one pair of matching surrounding quotes.
fn unquote(text: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = text
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner.trim();
        }
    }
    text
}

/// What is wrong with a token's format, for the `format` check's detail.
pub fn parse(token: &str) -> Result<ParsedToken, String> {
    if token.is_empty() {
        return Err("the token is empty".into());
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(format!(
            "the token is {} bytes; the controller refuses requests whose headers exceed {} bytes (1 MiB)",
            token.len(),
            MAX_TOKEN_BYTES
        ));
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(format!(
            "a JWT has 3 parts separated by dots (header.payload.signature); this has {}",
            parts.len()
        ));
    }
    let header = decode_object(parts[0], "header")?;
    let payload = decode_object(parts[1], "payload")?;
    let signature = BASE64URL
        .decode(parts[2])
        .map_err(|e| format!("the signature is not base64url ({e})"))?;
    Ok(ParsedToken {
        header,
        payload,
        signing_input: format!("{}.{}", parts[0], parts[1]),
        signature,
    })
}

fn decode_object(part: &str, name: &str) -> Result<Map<String, Value>, String> {
    let bytes = BASE64URL
        .decode(part)
        .map_err(|e| format!("the {name} is not base64url ({e})"))?;
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("the {name} is not JSON ({e})"))?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(format!(
            "the {name} must be a JSON object, found {}",
            kind_of(&other)
        )),
    }
}

/// "an array", "a string", … for messages.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_strips_bearer_and_whitespace() {
        assert_eq!(normalize("  Bearer a.b\n.c \n"), "a.b.c");
        assert_eq!(normalize("bearer a.b.c"), "a.b.c");
        assert_eq!(normalize("\"a.b.c\""), "a.b.c");
        assert_eq!(normalize("Authorization: Bearer a.b.c\r\n"), "a.b.c");
        assert_eq!(normalize("'authorization: bearer \"a.b.c\"'"), "a.b.c");
        assert_eq!(normalize("a.b.c"), "a.b.c");
    }

    #[test]
    fn counts_parts() {
        assert!(parse("a.b").unwrap_err().contains("this has 2"));
        assert!(parse("a.b.c.d").unwrap_err().contains("this has 4"));
    }
}

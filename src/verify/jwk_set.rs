//! A JWKS document read as the controller reads it (openziti/jwks `Response`/`Key`, resolved by
//! `controller/model/jwks_resolver.go`): one typed decode of the whole set, where a member of the
//! wrong type makes the set unusable; then keys resolved in order (`x5c[0]` when present, else
//! `RSA` n/e or `EC` x/y), where the first key that cannot be resolved stops the resolution and
//! every key after it is never loaded; a repeated `kid` replaces the earlier key.

use std::collections::HashMap;

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

use super::gojson::{fold, go_kind, last_string, members};
use super::keys::{Curve, PublicKey};

/// Go's `base64.StdEncoding` (padding required, line breaks ignored by the caller).
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);
/// Go's `base64.RawURLEncoding` (no padding allowed).
const GO_RAW_URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// Go's decoders skip `\r` and `\n` anywhere in the input.
fn go_decode(engine: &GeneralPurpose, text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    if text.contains(['\r', '\n']) {
        engine.decode(text.replace(['\r', '\n'], ""))
    } else {
        engine.decode(text)
    }
}

/// The string members of the controller's `jwks.Key`.
const STRING_FIELDS: [&str; 20] = [
    "alg", "kty", "use", "kid", "x5t", "x5t#s256", "x5u", "crv", "x", "y", "n", "e", "k", "d", "p",
    "q", "dp", "dq", "qi", "t",
];
/// Its `[]string` members.
const LIST_FIELDS: [&str; 2] = ["key_ops", "x5c"];

/// A key set as the controller ends up holding it.
#[derive(Debug, Default, Clone)]
pub struct JwkSet {
    /// Resolved keys by kid (a later duplicate replaced an earlier one).
    pub keys: HashMap<String, PublicKey>,
    /// Kids in the order they were resolved (duplicates once).
    pub order: Vec<String>,
    /// Kids that appear more than once.
    pub duplicates: Vec<String>,
    /// The key that stopped resolution: its position, kid and why.
    pub stopped: Option<StoppedAt>,
    /// Kids of the keys after the one that stopped resolution, never loaded.
    pub never_loaded: Vec<String>,
}

/// Where resolution stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct StoppedAt {
    /// Position in `keys` (0-based).
    pub index: usize,
    /// Its kid ("" when none).
    pub kid: String,
    /// Why the controller could not resolve it.
    pub why: String,
}

impl StoppedAt {
    /// "key 2 (kid "ed") stops the controller's resolution: …".
    pub fn describe(&self) -> String {
        format!(
            "key {} (kid \"{}\") stops the controller's resolution: {}; keys after it are never loaded",
            self.index, self.kid, self.why
        )
    }
}

/// Reads a JWKS body. Err when the controller could not use the set at all.
pub fn read(body: &[u8]) -> Result<JwkSet, String> {
    let document: Value =
        serde_json::from_slice(body).map_err(|e| format!("the JWKS is not JSON ({e})"))?;
    let Value::Object(top) = document else {
        return Err(format!(
            "the JWKS is {}, not an object with a \"keys\" list",
            go_kind(&document)
        ));
    };
    // The typed decode: every member that lands in a field must have its type, or the whole
    // decode fails (Go reports the first such member).
    let mut entries: Vec<&Map<String, Value>> = Vec::new();
    let mut has_keys = false;
    for (name, value) in &top {
        if fold(name).as_deref() != Some("keys") {
            continue;
        }
        has_keys = true;
        entries.clear();
        match value {
            Value::Null => {}
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::Object(key) => {
                            typed_key(key).map_err(|e| format!("keys[{i}].{e}"))?;
                            entries.push(key);
                        }
                        Value::Null => {}
                        other => {
                            return Err(format!(
                                "keys[{i}] is {}, not an object: the controller's typed decode fails and the whole set is unusable",
                                go_kind(other)
                            ));
                        }
                    }
                }
            }
            other => {
                return Err(format!(
                    "\"{name}\" is {}, not a list: the whole set is unusable",
                    go_kind(other)
                ));
            }
        }
    }
    if !has_keys {
        return Err("the JWKS has no \"keys\" list".into());
    }
    let mut set = JwkSet::default();
    for (index, key) in entries.iter().enumerate() {
        let kid = last_string(key, "kid").unwrap_or("").to_string();
        if set.stopped.is_some() {
            set.never_loaded.push(kid);
            continue;
        }
        match resolve(key) {
            Ok(public) => {
                if set.keys.insert(kid.clone(), public).is_some() {
                    if !set.duplicates.contains(&kid) {
                        set.duplicates.push(kid);
                    }
                } else {
                    set.order.push(kid);
                }
            }
            Err(why) => set.stopped = Some(StoppedAt { index, kid, why }),
        }
    }
    Ok(set)
}

fn typed_key(key: &Map<String, Value>) -> Result<(), String> {
    for (name, value) in key {
        let Some(folded) = fold(name) else { continue };
        let wrong = if STRING_FIELDS.contains(&folded.as_str()) {
            !matches!(value, Value::String(_) | Value::Null)
        } else if LIST_FIELDS.contains(&folded.as_str()) {
            match value {
                Value::Array(items) => items.iter().any(|i| !i.is_string() && !i.is_null()),
                Value::Null => false,
                _ => true,
            }
        } else {
            false
        };
        if wrong {
            return Err(format!(
                "{name} is {}, not {}: the controller's typed decode fails and the whole set is unusable",
                go_kind(value),
                if STRING_FIELDS.contains(&folded.as_str()) {
                    "a string"
                } else {
                    "a list of strings"
                }
            ));
        }
    }
    Ok(())
}

/// One key as `jwks_resolver.go` resolves it.
fn resolve(key: &Map<String, Value>) -> Result<PublicKey, String> {
    let x5c = members(key, "x5c")
        .last()
        .and_then(|(_, v)| v.as_array())
        .and_then(|chain| chain.first())
        .and_then(Value::as_str);
    if let Some(first) = x5c {
        let der = go_decode(&GO_STD, first).map_err(|e| format!("x5c[0] is not base64 ({e})"))?;
        return PublicKey::from_certificate_der(&der).map_err(|e| format!("x5c[0]: {e}"));
    }
    let field = |name: &str| last_string(key, name).unwrap_or("");
    let decode = |name: &str| {
        go_decode(&GO_RAW_URL, field(name))
            .map_err(|e| format!("its {name} is not unpadded base64url ({e})"))
    };
    match field("kty") {
        "RSA" => Ok(PublicKey::rsa(&decode("n")?, &decode("e")?)),
        "EC" => Ok(PublicKey::ec(
            Curve::from_name(field("crv")),
            &decode("x")?,
            &decode("y")?,
        )),
        other => Err(format!(
            "key type \"{other}\" is not RSA or EC (the controller reads no other JWK type; an Ed25519 key needs an x5c certificate)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn okp_stops_resolution_and_later_keys_are_never_loaded() {
        let body = br#"{"keys":[{"kid":"a","kty":"RSA","n":"AQAB","e":"AQAB"},{"kid":"ed","kty":"OKP","crv":"Ed25519","x":"AA"},{"kid":"b","kty":"RSA","n":"AQAB","e":"AQAB"}]}"#;
        let set = read(body).unwrap();
        assert_eq!(set.order, vec!["a"]);
        assert_eq!(set.stopped.as_ref().map(|s| s.kid.as_str()), Some("ed"));
        assert_eq!(set.never_loaded, vec!["b"]);
    }

    #[test]
    fn wrong_typed_member_breaks_the_whole_set() {
        assert!(
            read(br#"{"keys":[{"kid":1}]}"#)
                .unwrap_err()
                .contains("keys[0].kid")
        );
        assert!(
            read(br#"{"keys":["x"]}"#)
                .unwrap_err()
                .contains("keys[0] is string")
        );
    }

    #[test]
    fn member_names_fold_and_padding_stops() {
        let set = read(br#"{"KEYS":[{"KID":"a","Kty":"RSA","n":"AQAB","e":"AQAB"}]}"#).unwrap();
        assert_eq!(set.order, vec!["a"]);
        let padded =
            read(br#"{"keys":[{"kid":"a","kty":"RSA","n":"AQAB==","e":"AQAB"}]}"#).unwrap();
        assert!(padded.stopped.is_some());
    }
}

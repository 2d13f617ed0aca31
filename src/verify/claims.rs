//! The controller's first look at a token: before choosing a signer it decodes the payload into
//! its typed access-token claims (openziti/ziti `common/oidc_tokens.go` `AccessClaims`: zitadel
//! `oidc.AccessTokenClaims`, then ziti's `CustomClaims`). A claim of the wrong JSON type fails
//! that decode, and the token is rejected before any signer is looked at, however good its
//! signature. This module says which claim, and what type the controller needs.

use serde_json::{Map, Value};

use super::gojson::{fold, go_kind, members};

/// The JSON types a typed claim accepts.
#[derive(Clone, Copy)]
enum Shape {
    /// Go `string`.
    Text,
    /// Go `bool`.
    Flag,
    /// Go `[]string`.
    TextList,
    /// zitadel `oidc.Time`: a number, an RFC 3339 string, or null.
    Time,
    /// zitadel `oidc.Audience`: a string or an array; other types are read as empty, and a
    /// non-string element makes the decoder panic (a type assertion).
    Audience,
    /// zitadel `SpaceDelimitedArray`: one space-separated string.
    SpaceDelimited,
    /// zitadel `AuthenticationMethodsReferences`: a string or an array of strings.
    Amr,
    /// A Go struct pointer: an object (its inner fields are not checked here).
    Object,
    /// zitadel `ActorClaims`: an object whose `iss` and `sub` are strings and whose `act` is
    /// again an actor.
    Actor,
}

/// `AccessTokenClaims` (decoded first), then `CustomClaims`, each in declaration order.
const ACCESS_TOKEN_CLAIMS: &[(&str, Shape)] = &[
    ("iss", Shape::Text),
    ("sub", Shape::Text),
    ("aud", Shape::Audience),
    ("exp", Shape::Time),
    ("iat", Shape::Time),
    ("auth_time", Shape::Time),
    ("nbf", Shape::Time),
    ("nonce", Shape::Text),
    ("acr", Shape::Text),
    ("amr", Shape::Amr),
    ("azp", Shape::Text),
    ("client_id", Shape::Text),
    ("jti", Shape::Text),
    ("act", Shape::Actor),
    ("scope", Shape::SpaceDelimited),
];
const CUSTOM_CLAIMS: &[(&str, Shape)] = &[
    ("z_asid", Shape::Text),
    ("z_eid", Shape::Text),
    ("z_ia", Shape::Flag),
    ("z_ct", Shape::TextList),
    ("z_aid", Shape::Text),
    ("z_t", Shape::Text),
    ("z_cfs", Shape::TextList),
    ("z_acf", Shape::Text),
    ("scopes", Shape::TextList),
    ("z_sdk", Shape::Object),
    ("z_env", Shape::Object),
    ("z_ra", Shape::Text),
    ("z_ice", Shape::Flag),
    ("z_cae", Shape::Flag),
    ("z_authid", Shape::Text),
    ("z_cer", Shape::Flag),
    ("z_ckrr", Shape::Flag),
    ("z_iccc", Shape::Flag),
];

/// A claim the controller's typed decode refuses.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedClaimError {
    /// The member's name as the token spells it.
    pub claim: String,
    /// What is wrong, for the `format` check's detail.
    pub detail: String,
    /// The decoder panics rather than returning an error (a non-string in `aud`).
    pub panics: bool,
}

/// Decodes `payload` as the controller's typed claims would, returning the first refusal.
pub fn check(payload: &Map<String, Value>) -> Result<(), TypedClaimError> {
    // Go decodes members in document order; AccessTokenClaims over the whole payload first.
    for table in [ACCESS_TOKEN_CLAIMS, CUSTOM_CLAIMS] {
        for (name, value) in payload {
            let folded = fold(name);
            let field = table.iter().find(|(field, _)| name == field).or_else(|| {
                table
                    .iter()
                    .find(|(field, _)| folded.as_deref() == Some(*field))
            });
            if let Some((field, shape)) = field {
                check_shape(name, field, *shape, value)?;
            }
        }
    }
    Ok(())
}

fn refuse(claim: &str, detail: String) -> Result<(), TypedClaimError> {
    Err(TypedClaimError {
        claim: claim.to_string(),
        detail,
        panics: false,
    })
}

fn check_shape(
    name: &str,
    field: &str,
    shape: Shape,
    value: &Value,
) -> Result<(), TypedClaimError> {
    let kind = go_kind(value);
    let named = if name == field {
        name.to_string()
    } else {
        format!("{name} (read as {field}: Go matches claim names case-insensitively)")
    };
    match (shape, value) {
        (_, Value::Null) => Ok(()),
        (Shape::Text, Value::String(_)) | (Shape::Flag, Value::Bool(_)) => Ok(()),
        (Shape::Text, _) => refuse(
            name,
            format!("{named} is {kind}; the controller reads it as a string and rejects the token"),
        ),
        (Shape::Flag, _) => refuse(
            name,
            format!(
                "{named} is {kind}; the controller reads it as a boolean and rejects the token"
            ),
        ),
        (Shape::TextList | Shape::Amr, Value::Array(items)) => {
            match items.iter().find(|i| !i.is_string() && !i.is_null()) {
                Some(item) => refuse(
                    name,
                    format!(
                        "{named} holds {} ({item}); the controller reads it as a list of strings and rejects the token",
                        go_kind(item)
                    ),
                ),
                None => Ok(()),
            }
        }
        (Shape::Amr, Value::String(_)) => Ok(()),
        (Shape::TextList | Shape::Amr, _) => refuse(
            name,
            format!(
                "{named} is {kind}; the controller reads it as a list of strings and rejects the token"
            ),
        ),
        (Shape::Time, Value::Number(_)) => Ok(()),
        (Shape::Time, Value::String(s)) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(_) => Ok(()),
            Err(_) => refuse(
                name,
                format!(
                    "{named} is the string \"{s}\"; the controller reads a time as seconds or an RFC 3339 string and rejects the token"
                ),
            ),
        },
        (Shape::Time, _) => refuse(
            name,
            format!(
                "{named} is {kind}; the controller reads it as seconds since 1970 and rejects the token"
            ),
        ),
        (Shape::Audience, Value::Array(items)) => match items.iter().find(|i| !i.is_string()) {
            Some(item) => Err(TypedClaimError {
                claim: name.to_string(),
                detail: format!(
                    "{named} holds {} ({item}); the controller's audience decoder (zitadel Audience.UnmarshalJSON) panics on a non-string element, so the request fails",
                    go_kind(item)
                ),
                panics: true,
            }),
            None => Ok(()),
        },
        (Shape::Audience, _) => Ok(()),
        (Shape::SpaceDelimited, Value::String(_)) => Ok(()),
        (Shape::SpaceDelimited, _) => refuse(
            name,
            format!(
                "{named} is {kind}; the controller reads {field} as one space-separated string and rejects the token"
            ),
        ),
        (Shape::Object, Value::Object(_)) => Ok(()),
        (Shape::Object, _) => refuse(
            name,
            format!(
                "{named} is {kind}; the controller reads it as an object and rejects the token"
            ),
        ),
        (Shape::Actor, Value::Object(actor)) => {
            for (inner, inner_shape) in [
                ("iss", Shape::Text),
                ("sub", Shape::Text),
                ("act", Shape::Actor),
            ] {
                for (n, v) in members(actor, inner) {
                    check_shape(&format!("{name}.{n}"), inner, inner_shape, v)?;
                }
            }
            Ok(())
        }
        (Shape::Actor, _) => refuse(
            name,
            format!(
                "{named} is {kind}; the controller reads it as an object and rejects the token"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn first_error(v: Value) -> Option<String> {
        check(v.as_object().unwrap()).err().map(|e| e.detail)
    }

    #[test]
    fn scope_array_is_refused_and_string_accepted() {
        assert!(
            first_error(json!({"scope": ["a", "b"]}))
                .unwrap()
                .contains("space-separated")
        );
        assert_eq!(first_error(json!({"scope": "a b"})), None);
    }

    #[test]
    fn times_take_numbers_rfc3339_and_null() {
        assert_eq!(
            first_error(json!({"exp": 1.5, "nbf": null, "iat": "2026-01-01T00:00:00Z"})),
            None
        );
        assert!(first_error(json!({"exp": "tomorrow"})).is_some());
        assert!(first_error(json!({"exp": true})).is_some());
    }

    #[test]
    fn names_fold_and_custom_claims_are_typed() {
        assert!(
            first_error(json!({"ISS": 5}))
                .unwrap()
                .contains("read as iss")
        );
        assert!(
            first_error(json!({"z_ia": "yes"}))
                .unwrap()
                .contains("boolean")
        );
        assert!(first_error(json!({"scopes": "openid"})).is_some());
        assert!(
            first_error(json!({"act": {"sub": 1}}))
                .unwrap()
                .starts_with("act.sub")
        );
    }

    #[test]
    fn audience_quirks() {
        assert_eq!(first_error(json!({"aud": 7})), None);
        let err = check(json!({"aud": ["a", 1]}).as_object().unwrap()).unwrap_err();
        assert!(err.panics);
    }
}

//! Public keys and the algorithms each may verify: algorithms are pinned to the key, never taken
//! from the token alone.

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey as ParsedKey;

/// The kinds of key a signer can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// RSA of any size the backend accepts.
    Rsa,
    /// NIST P-256.
    EcP256,
    /// NIST P-384.
    EcP384,
    /// Ed25519.
    Ed25519,
}

impl KeyType {
    /// The JWS algorithms this key type verifies.
    pub fn algorithms(self) -> &'static [Algorithm] {
        match self {
            KeyType::Rsa => &[
                Algorithm::RS256,
                Algorithm::RS384,
                Algorithm::RS512,
                Algorithm::PS256,
                Algorithm::PS384,
                Algorithm::PS512,
            ],
            KeyType::EcP256 => &[Algorithm::ES256],
            KeyType::EcP384 => &[Algorithm::ES384],
            KeyType::Ed25519 => &[Algorithm::EdDSA],
        }
    }

    /// A name for messages.
    pub fn label(self) -> &'static str {
        match self {
            KeyType::Rsa => "RSA",
            KeyType::EcP256 => "EC P-256",
            KeyType::EcP384 => "EC P-384",
            KeyType::Ed25519 => "Ed25519",
        }
    }
}

/// A verification key with its type.
#[derive(Clone)]
pub struct PublicKey {
    /// What kind of key it is.
    pub key_type: KeyType,
    /// The key as jsonwebtoken takes it.
    pub decoding: DecodingKey,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.key_type.label())
    }
}

/// The asymmetric JWS algorithms extjwt accepts, by header name. `none` and HS* are absent on
/// purpose: a signer's key is public, so an HMAC "signature" with it proves nothing.
pub fn asymmetric_algorithm(name: &str) -> Option<Algorithm> {
    Some(match name {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "EdDSA" => Algorithm::EdDSA,
        _ => return None,
    })
}

const OID_ED25519: &str = "1.3.101.112";

impl PublicKey {
    /// The key of a DER certificate.
    pub fn from_certificate_der(der: &[u8]) -> Result<PublicKey, String> {
        let (_, cert) = X509Certificate::from_der(der)
            .map_err(|e| format!("the certificate does not parse ({e})"))?;
        let spki = cert.public_key();
        if spki.algorithm.algorithm.to_id_string() == OID_ED25519 {
            return Ok(PublicKey {
                key_type: KeyType::Ed25519,
                decoding: DecodingKey::from_ed_der(&spki.subject_public_key.data),
            });
        }
        match spki.parsed() {
            Ok(ParsedKey::RSA(_)) => Ok(PublicKey {
                key_type: KeyType::Rsa,
                decoding: DecodingKey::from_rsa_der(&spki.subject_public_key.data),
            }),
            Ok(ParsedKey::EC(point)) => {
                let key_type = match point.key_size() {
                    256 => KeyType::EcP256,
                    384 => KeyType::EcP384,
                    bits => return Err(format!("EC keys of {bits} bits are not supported")),
                };
                Ok(PublicKey {
                    key_type,
                    decoding: DecodingKey::from_ec_der(point.data()),
                })
            }
            _ => Err(format!(
                "the certificate's key type ({}) is not RSA, EC P-256/P-384 or Ed25519",
                spki.algorithm.algorithm.to_id_string()
            )),
        }
    }

    /// One JWK of a JWKS: its kid and key. `x5c` wins when present (as the controller does).
    pub fn from_jwk(jwk: &Value) -> Result<(String, PublicKey), String> {
        let kid = jwk
            .get("kid")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty())
            .ok_or("a key without a kid cannot be selected")?
            .to_string();
        let field = |name: &str| -> Result<&str, String> {
            jwk.get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("key {kid} has no \"{name}\""))
        };
        if let Some(first) = jwk
            .get("x5c")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            let b64 = first.as_str().ok_or("x5c entries must be strings")?;
            let der = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| format!("key {kid}: x5c is not base64 ({e})"))?;
            return Ok((kid, PublicKey::from_certificate_der(&der)?));
        }
        let kty = field("kty")?;
        let bad = |e: jsonwebtoken::errors::Error| format!("key {kid} is malformed ({e})");
        let key = match kty {
            "RSA" => PublicKey {
                key_type: KeyType::Rsa,
                decoding: DecodingKey::from_rsa_components(field("n")?, field("e")?)
                    .map_err(bad)?,
            },
            "EC" => {
                let key_type = match field("crv")? {
                    "P-256" => KeyType::EcP256,
                    "P-384" => KeyType::EcP384,
                    other => return Err(format!("key {kid}: curve {other} is not supported")),
                };
                PublicKey {
                    key_type,
                    decoding: DecodingKey::from_ec_components(field("x")?, field("y")?)
                        .map_err(bad)?,
                }
            }
            "OKP" => match field("crv")? {
                "Ed25519" => PublicKey {
                    key_type: KeyType::Ed25519,
                    decoding: DecodingKey::from_ed_components(field("x")?).map_err(bad)?,
                },
                other => return Err(format!("key {kid}: curve {other} is not supported")),
            },
            other => return Err(format!("key {kid}: key type {other} is not supported")),
        };
        Ok((kid, key))
    }

    /// Whether the signature of `signing_input` verifies with this key under `alg`.
    pub fn verifies(&self, alg: Algorithm, signing_input: &str, signature: &str) -> bool {
        jsonwebtoken::crypto::verify(signature, signing_input.as_bytes(), &self.decoding, alg)
            .unwrap_or(false)
    }
}

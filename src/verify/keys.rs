//! Public keys and signature verification as golang-jwt does it (the controller's library):
//! the header's `alg` picks the method, the key's type must fit it, and nothing else is asked of
//! the key. Verification calls aws-lc-rs directly rather than jsonwebtoken, because jsonwebtoken
//! has no ES512, insists that an ES256 key be P-256 (golang-jwt does not check the curve), and
//! refuses RSA keys under 2048 bits and PSS salts other than the hash length, all of which the
//! controller accepts. What aws-lc-rs cannot do either is in `verify::rsa`.

use std::sync::{Arc, OnceLock};

use aws_lc_rs::digest;
use aws_lc_rs::signature::{self as lc, ParsedPublicKey, RsaPublicKeyComponents};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey as ParsedKey;

use super::rsa;

/// The NIST curves the controller reads from a JWK or a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// P-224 (resolved by the controller; no library here verifies with it).
    P224,
    /// P-256.
    P256,
    /// P-384.
    P384,
    /// P-521.
    P521,
}

impl Curve {
    /// The JWK `crv` name.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P224 => "P-224",
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    /// The curve of a JWK `crv`, matched exactly as Go's `elliptic.P256().Params().Name`.
    pub fn from_name(name: &str) -> Option<Curve> {
        [Curve::P224, Curve::P256, Curve::P384, Curve::P521]
            .into_iter()
            .find(|c| c.name() == name)
    }

    fn from_bits(bits: usize) -> Option<Curve> {
        Some(match bits {
            224 => Curve::P224,
            256 => Curve::P256,
            384 => Curve::P384,
            // x509-parser counts whole bytes of a coordinate: 66 × 8 for P-521.
            521 | 528 => Curve::P521,
            _ => return None,
        })
    }

    /// Bytes of one coordinate.
    pub fn coordinate_bytes(self) -> usize {
        match self {
            Curve::P224 => 28,
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

/// What a verification key is.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyMaterial {
    /// RSA: modulus and exponent, big-endian without leading zeros.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
    /// ECDSA: the curve (None when a JWK named one the controller does not know, which it keeps
    /// as a key that never verifies) and the uncompressed point.
    Ec {
        /// The curve.
        curve: Option<Curve>,
        /// `04 ‖ x ‖ y`.
        point: Vec<u8>,
    },
    /// Ed25519: the 32-byte public key.
    Ed25519(Vec<u8>),
}

/// A verification key. Cheap to clone (shared), and it keeps aws-lc-rs's parsed form of
/// itself per algorithm, so a key used again (a batch, the console) is not rebuilt (for RSA
/// that is the Montgomery set-up, a quarter of a verify).
#[derive(Clone)]
pub struct PublicKey(Arc<KeyEntry>);

struct KeyEntry {
    material: KeyMaterial,
    parsed: [OnceLock<Option<ParsedPublicKey>>; Alg::COUNT],
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.material == other.0.material
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    fn new(material: KeyMaterial) -> PublicKey {
        PublicKey(Arc::new(KeyEntry {
            material,
            parsed: Default::default(),
        }))
    }

    /// aws-lc-rs's parsed form of this key for `alg`, made by `make` on first use (None when
    /// aws-lc-rs refuses the key for that algorithm).
    fn parsed(
        &self,
        alg: Alg,
        make: impl FnOnce(&KeyMaterial) -> Option<ParsedPublicKey>,
    ) -> Option<&ParsedPublicKey> {
        self.0.parsed[alg as usize]
            .get_or_init(|| make(&self.0.material))
            .as_ref()
    }

    /// Verifies with the cached parsed EC or Ed25519 key; false when aws-lc-rs refuses the
    /// key or the signature.
    fn verifies_parsed(
        &self,
        alg: Alg,
        algorithm: &'static dyn lc::VerificationAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        self.parsed(alg, |material| {
            let bytes: &[u8] = match material {
                KeyMaterial::Rsa { .. } => return None,
                KeyMaterial::Ec { point, .. } => point,
                KeyMaterial::Ed25519(public) => public,
            };
            ParsedPublicKey::new(algorithm, bytes).ok()
        })
        .is_some_and(|key| key.verify_sig(message, signature).is_ok())
    }

    /// Like [`Self::verifies_parsed`] for RSA, with aws-lc-rs's parameters for `alg`.
    fn verifies_rsa(
        &self,
        alg: Alg,
        params: &'static lc::RsaParameters,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        self.parsed(alg, |material| match material {
            KeyMaterial::Rsa { n, e } => RsaPublicKeyComponents { n, e }
                .to_parsed_public_key(params)
                .ok(),
            _ => None,
        })
        .is_some_and(|key| key.verify_sig(message, signature).is_ok())
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.label())
    }
}

/// The signing methods golang-jwt registers, minus the ones no signer key can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Alg {
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    ES512,
    EdDSA,
}

/// What the header's `alg` names, as golang-jwt's registry reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlgorithmName {
    /// An asymmetric method a signer's key can verify.
    Asymmetric(Alg),
    /// A method golang-jwt knows but the controller's key function can never satisfy: `none`
    /// and HS256/384/512 (a signer's key is public, so an HMAC with it proves nothing).
    Refused,
    /// Not a method golang-jwt knows (or not a string): the controller's first, unverified parse
    /// fails, so the token is not even a candidate.
    Unknown,
}

/// The method named `name` (case-sensitive, as golang-jwt's registry).
pub fn algorithm(name: &str) -> AlgorithmName {
    use Alg::*;
    let alg = match name {
        "RS256" => RS256,
        "RS384" => RS384,
        "RS512" => RS512,
        "PS256" => PS256,
        "PS384" => PS384,
        "PS512" => PS512,
        "ES256" => ES256,
        "ES384" => ES384,
        "ES512" => ES512,
        "EdDSA" => EdDSA,
        "none" | "HS256" | "HS384" | "HS512" => return AlgorithmName::Refused,
        _ => return AlgorithmName::Unknown,
    };
    AlgorithmName::Asymmetric(alg)
}

#[derive(PartialEq)]
enum Family {
    Pkcs1,
    Pss,
    Ecdsa,
    EdDsa,
}

impl Alg {
    /// How many there are (the parsed-key cache has a slot for each).
    const COUNT: usize = 10;

    /// The header name.
    pub fn name(self) -> &'static str {
        use Alg::*;
        match self {
            RS256 => "RS256",
            RS384 => "RS384",
            RS512 => "RS512",
            PS256 => "PS256",
            PS384 => "PS384",
            PS512 => "PS512",
            ES256 => "ES256",
            ES384 => "ES384",
            ES512 => "ES512",
            EdDSA => "EdDSA",
        }
    }

    fn family(self) -> Family {
        use Alg::*;
        match self {
            RS256 | RS384 | RS512 => Family::Pkcs1,
            PS256 | PS384 | PS512 => Family::Pss,
            ES256 | ES384 | ES512 => Family::Ecdsa,
            EdDSA => Family::EdDsa,
        }
    }

    fn hash(self) -> &'static digest::Algorithm {
        use Alg::*;
        match self {
            RS384 | PS384 | ES384 => &digest::SHA384,
            RS512 | PS512 | ES512 => &digest::SHA512,
            _ => &digest::SHA256,
        }
    }

    /// The curve an ES alg is meant for (golang-jwt's `KeySize` is its coordinate size).
    fn ec_curve(self) -> Option<Curve> {
        match self {
            Alg::ES256 => Some(Curve::P256),
            Alg::ES384 => Some(Curve::P384),
            Alg::ES512 => Some(Curve::P521),
            _ => None,
        }
    }
}

/// Go's crypto/rsa refuses smaller keys outright (since Go 1.24).
pub const RSA_MIN_BITS: usize = 1024;
/// Under this an RSA key is accepted with a warning.
pub const RSA_WEAK_BITS: usize = 2048;

const OID_ED25519: &str = "1.3.101.112";

fn strip_leading_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

impl PublicKey {
    /// An RSA key from its modulus and exponent (big-endian; leading zeros allowed).
    pub fn rsa(n: &[u8], e: &[u8]) -> PublicKey {
        PublicKey::new(KeyMaterial::Rsa {
            n: strip_leading_zeros(n),
            e: strip_leading_zeros(e),
        })
    }

    /// An EC key from its curve and coordinates (big-endian; shorter ones are left-padded as
    /// Go's `big.Int` reads them).
    pub fn ec(curve: Option<Curve>, x: &[u8], y: &[u8]) -> PublicKey {
        let size = curve.map_or(x.len().max(y.len()), Curve::coordinate_bytes);
        let mut point = vec![0x04];
        for coordinate in [x, y] {
            let c = strip_leading_zeros(coordinate);
            point.extend(std::iter::repeat_n(0, size.saturating_sub(c.len())));
            point.extend_from_slice(&c);
        }
        PublicKey::new(KeyMaterial::Ec { curve, point })
    }

    /// What the key is.
    pub fn material(&self) -> &KeyMaterial {
        &self.0.material
    }

    /// The RSA modulus size in bits.
    pub fn rsa_bits(&self) -> Option<usize> {
        match &self.0.material {
            KeyMaterial::Rsa { n, .. } => {
                Some(n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize))
            }
            _ => None,
        }
    }

    /// "RSA 2048-bit", "EC P-256", "Ed25519", for messages.
    pub fn label(&self) -> String {
        match &self.0.material {
            KeyMaterial::Rsa { .. } => format!("RSA {}-bit", self.rsa_bits().unwrap_or(0)),
            KeyMaterial::Ec { curve, .. } => {
                format!("EC {}", curve.map_or("(unknown curve)", Curve::name))
            }
            KeyMaterial::Ed25519(_) => "Ed25519".into(),
        }
    }

    /// The key of a DER certificate.
    pub fn from_certificate_der(der: &[u8]) -> Result<PublicKey, String> {
        let (_, cert) = X509Certificate::from_der(der)
            .map_err(|e| format!("the certificate does not parse ({e})"))?;
        let spki = cert.public_key();
        if spki.algorithm.algorithm.to_id_string() == OID_ED25519 {
            return Ok(PublicKey::new(KeyMaterial::Ed25519(
                spki.subject_public_key.data.to_vec(),
            )));
        }
        match spki.parsed() {
            Ok(ParsedKey::RSA(key)) => Ok(PublicKey::rsa(key.modulus, key.exponent)),
            Ok(ParsedKey::EC(point)) => {
                let curve = Curve::from_bits(point.key_size()).ok_or_else(|| {
                    format!("EC keys of {} bits are not supported", point.key_size())
                })?;
                Ok(PublicKey::new(KeyMaterial::Ec {
                    curve: Some(curve),
                    point: point.data().to_vec(),
                }))
            }
            _ => Err(format!(
                "the certificate's key type ({}) is not RSA, EC or Ed25519",
                spki.algorithm.algorithm.to_id_string()
            )),
        }
    }

    /// The algorithm check: whether golang-jwt would try this key with `alg` at all, with the
    /// warnings the combination earns.
    pub fn fits(&self, alg: Alg) -> Result<Vec<String>, String> {
        let mut warnings = Vec::new();
        match (&self.0.material, alg.family()) {
            (KeyMaterial::Rsa { .. }, Family::Pkcs1 | Family::Pss) => {
                let bits = self.rsa_bits().unwrap_or(0);
                if bits < RSA_MIN_BITS {
                    return Err(format!(
                        "the signer's RSA key has {bits} bits; Go's crypto/rsa refuses keys under {RSA_MIN_BITS} bits"
                    ));
                }
                if bits < RSA_WEAK_BITS {
                    warnings.push(format!(
                        "weak key: the signer's RSA key has {bits} bits; the controller accepts it, but keys under {RSA_WEAK_BITS} bits can be factored"
                    ));
                }
            }
            (KeyMaterial::Ec { curve, .. }, Family::Ecdsa) => {
                if let (Some(curve), Some(meant)) = (curve, alg.ec_curve())
                    && *curve != meant
                {
                    warnings.push(format!(
                        "{} is meant for {} keys; the signer's key is {}. golang-jwt does not check the curve, so the controller accepts it",
                        alg.name(),
                        meant.name(),
                        curve.name()
                    ));
                }
            }
            (KeyMaterial::Ed25519(_), Family::EdDsa) => {}
            _ => {
                return Err(format!(
                    "alg {} needs {} key; the signer's key is {}",
                    alg.name(),
                    match alg.family() {
                        Family::Pkcs1 | Family::Pss => "an RSA",
                        Family::Ecdsa => "an EC",
                        Family::EdDsa => "an Ed25519",
                    },
                    self.label()
                ));
            }
        }
        Ok(warnings)
    }

    /// The signature check: whether `signature` signs `message` under `alg`, as golang-jwt
    /// verifies it. On success, warnings about how (a PSS salt of unusual length).
    pub fn verify(
        &self,
        alg: Alg,
        message: &[u8],
        signature: &[u8],
    ) -> Result<Vec<String>, String> {
        let bad = || Err("does not verify: the token was altered or signed by another key".into());
        match &self.0.material {
            KeyMaterial::Rsa { n, e } => {
                let bits = self.rsa_bits().unwrap_or(0);
                if alg.family() == Family::Pkcs1 {
                    let fast: Option<&'static lc::RsaParameters> =
                        match (alg, bits >= RSA_WEAK_BITS) {
                            (Alg::RS256, true) => Some(&lc::RSA_PKCS1_2048_8192_SHA256),
                            (Alg::RS384, true) => Some(&lc::RSA_PKCS1_2048_8192_SHA384),
                            (Alg::RS512, true) => Some(&lc::RSA_PKCS1_2048_8192_SHA512),
                            _ => None,
                        };
                    let ok = match fast {
                        Some(params) if bits <= 8192 => {
                            self.verifies_rsa(alg, params, message, signature)
                        }
                        _ => rsa::verify_pkcs1(n, e, alg.hash(), message, signature),
                    };
                    return if ok { Ok(Vec::new()) } else { bad() };
                }
                let fast: &'static lc::RsaParameters = match alg {
                    Alg::PS256 => &lc::RSA_PSS_2048_8192_SHA256,
                    Alg::PS384 => &lc::RSA_PSS_2048_8192_SHA384,
                    _ => &lc::RSA_PSS_2048_8192_SHA512,
                };
                if (RSA_WEAK_BITS..=8192).contains(&bits)
                    && self.verifies_rsa(alg, fast, message, signature)
                {
                    return Ok(Vec::new());
                }
                // golang-jwt verifies PSS with the salt length read from the signature.
                match rsa::verify_pss_auto_salt(n, e, alg.hash(), message, signature) {
                    Some(salt) if salt == alg.hash().output_len() => Ok(Vec::new()),
                    Some(salt) => Ok(vec![format!(
                        "PSS salt of {salt} bytes, not the hash length ({}): golang-jwt reads any salt length, other verifiers may not",
                        alg.hash().output_len()
                    )]),
                    None => bad(),
                }
            }
            KeyMaterial::Ec { curve, .. } => {
                let size = alg.ec_curve().map_or(32, Curve::coordinate_bytes);
                if signature.len() != 2 * size {
                    return Err(format!(
                        "an {} signature is {} bytes (r ‖ s of {size} each); this one is {}",
                        alg.name(),
                        2 * size,
                        signature.len()
                    ));
                }
                let Some(curve) = curve else {
                    return Err(
                        "the key's curve is not one the controller knows, so nothing verifies with it"
                            .into(),
                    );
                };
                let algorithm: &'static lc::EcdsaVerificationAlgorithm = match (curve, alg) {
                    (Curve::P256, Alg::ES256) => &lc::ECDSA_P256_SHA256_ASN1,
                    (Curve::P256, Alg::ES384) => &lc::ECDSA_P256_SHA384_ASN1,
                    (Curve::P256, _) => &lc::ECDSA_P256_SHA512_ASN1,
                    (Curve::P384, Alg::ES256) => &lc::ECDSA_P384_SHA256_ASN1,
                    (Curve::P384, Alg::ES384) => &lc::ECDSA_P384_SHA384_ASN1,
                    (Curve::P384, _) => &lc::ECDSA_P384_SHA512_ASN1,
                    (Curve::P521, Alg::ES256) => &lc::ECDSA_P521_SHA256_ASN1,
                    (Curve::P521, Alg::ES384) => &lc::ECDSA_P521_SHA384_ASN1,
                    (Curve::P521, _) => &lc::ECDSA_P521_SHA512_ASN1,
                    (Curve::P224, _) => {
                        return Err("P-224 signatures cannot be checked by extjwt (aws-lc-rs has no P-224); the controller would check it".into());
                    }
                };
                let (r, s) = signature.split_at(size);
                let der = ecdsa_der(r, s);
                if self.verifies_parsed(alg, algorithm, message, &der) {
                    Ok(Vec::new())
                } else {
                    bad()
                }
            }
            KeyMaterial::Ed25519(_) => {
                if self.verifies_parsed(alg, &lc::ED25519, message, signature) {
                    Ok(Vec::new())
                } else {
                    bad()
                }
            }
        }
    }
}

/// `r ‖ s` as the DER `SEQUENCE { INTEGER r, INTEGER s }` the curve-agnostic verifiers take.
fn ecdsa_der(r: &[u8], s: &[u8]) -> Vec<u8> {
    fn integer(out: &mut Vec<u8>, value: &[u8]) {
        let v = strip_leading_zeros(value);
        let pad = v.first().is_none_or(|b| b & 0x80 != 0);
        out.push(0x02);
        push_len(out, v.len() + usize::from(pad));
        if pad {
            out.push(0);
        }
        out.extend_from_slice(&v);
    }
    fn push_len(out: &mut Vec<u8>, len: usize) {
        if len < 0x80 {
            out.push(len as u8);
        } else {
            out.push(0x81);
            out.push(len as u8);
        }
    }
    let mut body = Vec::with_capacity(r.len() + s.len() + 8);
    integer(&mut body, r);
    integer(&mut body, s);
    let mut der = vec![0x30];
    push_len(&mut der, body.len());
    der.extend(body);
    der
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_follow_golang_jwt_registry() {
        assert_eq!(algorithm("ES512"), AlgorithmName::Asymmetric(Alg::ES512));
        assert_eq!(algorithm("HS256"), AlgorithmName::Refused);
        assert_eq!(algorithm("none"), AlgorithmName::Refused);
        assert_eq!(algorithm("es256"), AlgorithmName::Unknown);
        assert_eq!(algorithm("Ed25519"), AlgorithmName::Unknown);
    }

    #[test]
    fn der_of_zero_and_high_bit_integers() {
        assert_eq!(
            ecdsa_der(&[0, 0], &[0x80]),
            vec![0x30, 0x07, 0x02, 0x01, 0x00, 0x02, 0x02, 0x00, 0x80]
        );
    }

    #[test]
    fn rsa_bits_count_the_modulus() {
        let key = PublicKey::rsa(&[0x00, 0x7f, 0xff], &[1, 0, 1]);
        assert_eq!(key.rsa_bits(), Some(15));
    }
}

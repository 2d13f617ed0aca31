//! The facts extjwt derives from a signer's certificate: common name, SHA-1 fingerprint and
//! validity. Parsing is x509-parser's; this module only decides what counts as "one certificate".

use chrono::{DateTime, Utc};
use sha1::{Digest, Sha1};
use x509_parser::pem::Pem;
use x509_parser::prelude::{FromDer, X509Certificate};

/// What a signer's certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateDetails {
    /// The subject's common name, when it has one.
    pub common_name: Option<String>,
    /// SHA-1 of the DER encoding as lowercase hex without separators (the controller's form).
    pub fingerprint: String,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// The DER bytes, kept so the verifier can take the public key without parsing the PEM again.
    pub der: Vec<u8>,
}

impl CertificateDetails {
    /// Parses a PEM text that must hold exactly one X.509 certificate. The error says what was
    /// found instead, for the `certPem` field.
    pub fn from_pem(pem_text: &str) -> Result<Self, String> {
        let mut certificates = Vec::new();
        for block in Pem::iter_from_buffer(pem_text.as_bytes()) {
            let block = block.map_err(|e| format!("not a valid PEM text ({e})"))?;
            if block.label == "CERTIFICATE" {
                certificates.push(block.contents);
            } else {
                return Err(format!(
                    "holds a \"{}\" block; paste the certificate (BEGIN CERTIFICATE), never a key",
                    block.label
                ));
            }
        }
        let der = match certificates.len() {
            0 => {
                return Err(
                    "is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)".to_string(),
                );
            }
            1 => certificates.remove(0),
            n => {
                return Err(format!(
                    "holds {n} certificates; a signer takes exactly one (the IdP's signing certificate)"
                ));
            }
        };
        Self::from_der(der)
    }

    fn from_der(der: Vec<u8>) -> Result<Self, String> {
        let (_, cert) = X509Certificate::from_der(&der)
            .map_err(|e| format!("the PEM block is not a valid X.509 certificate ({e})"))?;
        let common_name = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(str::to_string);
        let validity = cert.validity();
        let not_before = to_utc(validity.not_before.timestamp())?;
        let not_after = to_utc(validity.not_after.timestamp())?;
        let fingerprint = Sha1::digest(&der)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        drop(cert);
        Ok(Self {
            common_name,
            fingerprint,
            not_before,
            not_after,
            der,
        })
    }

    /// Whole days from `now` until the certificate expires (negative once it has).
    pub fn days_until_expiry(&self, now: DateTime<Utc>) -> i64 {
        (self.not_after - now).num_days()
    }
}

fn to_utc(seconds: i64) -> Result<DateTime<Utc>, String> {
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| "the certificate's validity dates are out of range".to_string())
}

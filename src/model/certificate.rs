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
        check_pem_layout(pem_text)?;
        // The layout is checked; the reader gets it without the indentation and CRs a mail or
        // a Windows editor added.
        let tidy: String = pem_text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .flat_map(|l| [l, "\n"])
            .collect();
        let mut certificates = Vec::new();
        for block in Pem::iter_from_buffer(tidy.as_bytes()) {
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

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// The layout rules x509-parser's lenient reader lets through: the text is one PEM block and
/// whitespace, each `-----` line is whole and on its own line, and the `END` line is there. A
/// paste cut short, two blocks glued on one line, or a log line around the certificate would
/// otherwise be stored as a certificate the controller reads differently (or not at all).
fn check_pem_layout(text: &str) -> Result<(), String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let Some(first) = lines.first() else {
        return Err("is empty; paste the IdP's signing certificate (BEGIN CERTIFICATE)".into());
    };
    if !first.starts_with(BEGIN) {
        return Err(if lines.iter().any(|l| l.contains(BEGIN)) {
            format!(
                "has text before the BEGIN line (\"{}\"); paste only the certificate",
                shorten(first)
            )
        } else {
            "is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)".to_string()
        });
    }
    let mut open = false;
    let mut blocks = 0;
    for (n, line) in lines.iter().enumerate() {
        let row = n + 1;
        if line.matches(DASHES).count() > 2 {
            return Err(format!(
                "has two PEM lines glued together on line {row}; each BEGIN and END line stands alone"
            ));
        }
        if let Some(label) = line.strip_prefix(BEGIN) {
            if open {
                return Err(format!(
                    "has a BEGIN line on line {row} before the END line of the block above (a truncated paste?)"
                ));
            }
            if !label.ends_with(DASHES) {
                return Err(format!("has an incomplete BEGIN line on line {row}"));
            }
            open = true;
            blocks += 1;
        } else if let Some(label) = line.strip_prefix("-----END ") {
            if !open || !label.ends_with(DASHES) {
                return Err(format!("has an incomplete or stray END line on line {row}"));
            }
            open = false;
        } else if line.contains(DASHES) {
            return Err(format!("has a cut BEGIN or END line on line {row}"));
        } else if !open {
            return Err(format!(
                "has text after the END line (\"{}\"); paste only the certificate",
                shorten(line)
            ));
        }
    }
    if open {
        return Err(
            "ends without its -----END CERTIFICATE----- line (a truncated paste?)".to_string(),
        );
    }
    debug_assert!(blocks >= 1);
    Ok(())
}

/// A line cut to 40 characters for an error message (which the output path escapes).
fn shorten(line: &str) -> String {
    match line.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem() -> String {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let params = rcgen::CertificateParams::new(vec!["idp.test".to_string()]).unwrap();
        params.self_signed(&key).unwrap().pem()
    }

    fn refusal(text: &str) -> String {
        CertificateDetails::from_pem(text).unwrap_err()
    }

    #[test]
    fn one_whole_certificate_with_whitespace_around_it_is_read() {
        let pem = pem();
        assert!(CertificateDetails::from_pem(&pem).is_ok());
        assert!(
            CertificateDetails::from_pem(&format!("\n  {}\r\n\n", pem.replace('\n', "\r\n")))
                .is_ok()
        );
    }

    #[test]
    fn a_truncated_glued_or_wrapped_pem_is_refused_saying_how() {
        let pem = pem();
        let truncated = &pem[..pem.len() - 10];
        assert!(
            refusal(truncated).contains("incomplete or stray END line"),
            "{}",
            refusal(truncated)
        );
        let no_end = pem.replace("-----END CERTIFICATE-----", "");
        assert!(
            refusal(&no_end).contains("ends without its -----END"),
            "{}",
            refusal(&no_end)
        );
        let glued = format!("{}{}", pem.trim_end(), pem);
        assert!(
            refusal(&glued).contains("glued together"),
            "{}",
            refusal(&glued)
        );
        let two = format!("{pem}{pem}");
        assert!(
            refusal(&two).contains("holds 2 certificates"),
            "{}",
            refusal(&two)
        );
        let before = format!("cert for okta: {pem}");
        assert!(
            refusal(&before).contains("text before the BEGIN line"),
            "{}",
            refusal(&before)
        );
        let after = format!("{pem}# expires 2027\n");
        assert!(
            refusal(&after).contains("text after the END line (\"# expires 2027\")"),
            "{}",
            refusal(&after)
        );
        let cut_begin = pem.replacen("-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFI", 1);
        assert!(
            refusal(&cut_begin).contains("incomplete BEGIN line"),
            "{}",
            refusal(&cut_begin)
        );
    }
}

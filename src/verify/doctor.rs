//! `signer check`, the doctor (design §3): what is wrong with a signer before any token shows
//! it. Certificates (validity, days left, key), JWKS endpoints read exactly as the controller
//! reads them (which key breaks the set, duplicate kids), kids shared across signers
//! (ziti#4118), the `""` kid trap, and issuers that differ only by a trailing slash or case.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::jwks::KeyCache;
use super::keys::{KeyMaterial, PublicKey, RSA_MIN_BITS, RSA_WEAK_BITS};
use crate::model::{CertificateDetails, Signer};

/// Days before a certificate's end that earn a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Tokens fail, or will.
    Error,
    /// Works, but should be looked at.
    Warning,
    /// For the record.
    Info,
}

impl Severity {
    /// `error`, `warning`, `info`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One thing the doctor found about one signer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// The signer's name.
    pub signer: String,
    /// A stable code for scripts.
    pub code: &'static str,
    /// What was found, and what to do.
    pub message: String,
}

/// Checks `targets`, comparing them with `all` (every signer) for shared kids and near-twin
/// issuers. With `fetch`, every JWKS endpoint is fetched once first (blocking); without it
/// (the console, which fetches on a worker) only what `jwks` already holds is used.
pub fn check(
    targets: &[Signer],
    all: &[Signer],
    jwks: &KeyCache,
    now: DateTime<Utc>,
    fetch: bool,
) -> Vec<Finding> {
    // Every set is fetched once, first: shared kids are compared across all signers, not only
    // the ones checked so far.
    let mut urls: Vec<&str> = all
        .iter()
        .chain(targets)
        .filter_map(|s| s.draft.jwks_endpoint.as_deref())
        .collect();
    urls.sort_unstable();
    urls.dedup();
    for url in urls.into_iter().filter(|_| fetch) {
        let _ = jwks.fetch(url);
    }
    let mut findings = Vec::new();
    for signer in targets {
        let mut add = |severity, code, message: String| {
            findings.push(Finding {
                severity,
                signer: signer.draft.name.clone(),
                code,
                message,
            })
        };
        if !signer.draft.enabled {
            add(
                Severity::Info,
                "disabled",
                "the signer is disabled: its tokens are refused (error=missing)".into(),
            );
        }
        if signer.draft.kid.as_deref() == Some("") && signer.draft.cert_pem.is_some() {
            add(
                Severity::Error,
                "empty_kid",
                "kid is \"\" (empty, not null): the controller matches tokens' kid against \"\" and never falls back to the certificate fingerprint, so no token verifies; set the IdP's kid, or clear the kid (null)".into(),
            );
        }
        if let Some(pem) = &signer.draft.cert_pem {
            match CertificateDetails::from_pem(pem) {
                Err(why) => add(
                    Severity::Error,
                    "certificate",
                    format!("the certificate does not parse: {why}"),
                ),
                Ok(cert) => {
                    certificate_findings(&cert, now, &mut add);
                    match PublicKey::from_certificate_der(&cert.der) {
                        Ok(key) => key_findings(&key, "the certificate's key", &mut add),
                        Err(why) => add(Severity::Error, "key_type", why),
                    }
                }
            }
        }
        if let Some(url) = &signer.draft.jwks_endpoint {
            match jwks.set(url) {
                None => add(
                    Severity::Info,
                    "jwks_pending",
                    format!("fetching the JWKS from {url}…"),
                ),
                Some(Err(why)) => add(Severity::Error, "jwks_unavailable", why),
                Some(Ok(set)) => {
                    add(
                        Severity::Info,
                        "jwks_keys",
                        format!(
                            "the JWKS at {url} gives the controller {} key(s): {}",
                            set.order.len(),
                            if set.order.is_empty() {
                                "none".into()
                            } else {
                                set.order.join(", ")
                            }
                        ),
                    );
                    if let Some(stop) = &set.stopped {
                        let lost = if set.never_loaded.is_empty() {
                            String::new()
                        } else {
                            format!(" (never loaded: {})", set.never_loaded.join(", "))
                        };
                        add(
                            Severity::Error,
                            "jwks_resolution_stops",
                            format!("{}{lost}", stop.describe()),
                        );
                    }
                    for kid in &set.duplicates {
                        add(
                            Severity::Warning,
                            "jwks_duplicate_kid",
                            format!(
                                "kid \"{kid}\" appears more than once; the controller keeps the last"
                            ),
                        );
                    }
                    for kid in &set.order {
                        if let Some(key) = set.keys.get(kid) {
                            key_findings(key, &format!("JWKS key \"{kid}\""), &mut add);
                        }
                    }
                }
            }
        }
        let mine = kids_of(signer, jwks);
        for other in all.iter().filter(|o| o.id != signer.id) {
            let theirs = kids_of(other, jwks);
            for kid in mine.iter().filter(|k| theirs.contains(k)) {
                add(
                    Severity::Warning,
                    "shared_kid",
                    format!(
                        "kid \"{kid}\" is also signer {}'s: a token is bound by its iss, but logs and lookups by kid are ambiguous (ziti#4118)",
                        other.draft.name
                    ),
                );
            }
            let a = signer.draft.issuer.trim_end_matches('/');
            let b = other.draft.issuer.trim_end_matches('/');
            if a.eq_ignore_ascii_case(b) {
                add(
                    Severity::Warning,
                    "near_twin_issuer",
                    format!(
                        "issuer \"{}\" differs from signer {}'s \"{}\" only by a trailing slash or case; iss is compared byte for byte, so tokens bind to exactly one of them",
                        signer.draft.issuer, other.draft.name, other.draft.issuer
                    ),
                );
            }
        }
    }
    findings
}

fn kids_of(signer: &Signer, jwks: &KeyCache) -> Vec<String> {
    if let Some(url) = &signer.draft.jwks_endpoint {
        return match jwks.set(url) {
            Some(Ok(set)) => set.order,
            _ => Vec::new(),
        };
    }
    signer
        .draft
        .kid
        .iter()
        .filter(|k| !k.is_empty())
        .cloned()
        .collect()
}

fn certificate_findings(
    cert: &CertificateDetails,
    now: DateTime<Utc>,
    add: &mut impl FnMut(Severity, &'static str, String),
) {
    let stamp = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    if cert.not_before > now {
        add(
            Severity::Error,
            "certificate_not_yet_valid",
            format!(
                "the certificate is valid only from {}",
                stamp(cert.not_before)
            ),
        );
    }
    let days = (cert.not_after - now).num_days();
    if cert.not_after <= now {
        add(
            Severity::Warning,
            "certificate_expired",
            format!(
                "the certificate expired {} ({} days ago): verification does not look at its dates, but an IdP whose certificate expired has usually moved to a new key; replace it with the current one",
                stamp(cert.not_after),
                -days
            ),
        );
    } else if days < EXPIRY_WARNING_DAYS {
        add(
            Severity::Warning,
            "certificate_expiring",
            format!(
                "the certificate expires {} ({days} days left)",
                stamp(cert.not_after)
            ),
        );
    } else {
        add(
            Severity::Info,
            "certificate_valid",
            format!(
                "the certificate is valid until {} ({days} days left)",
                stamp(cert.not_after)
            ),
        );
    }
}

fn key_findings(key: &PublicKey, what: &str, add: &mut impl FnMut(Severity, &'static str, String)) {
    if let (KeyMaterial::Rsa { .. }, Some(bits)) = (key.material(), key.rsa_bits()) {
        if bits < RSA_MIN_BITS {
            add(
                Severity::Error,
                "weak_key",
                format!(
                    "{what} is RSA {bits}-bit: Go refuses keys under {RSA_MIN_BITS} bits, so nothing verifies"
                ),
            );
        } else if bits < RSA_WEAK_BITS {
            add(
                Severity::Warning,
                "weak_key",
                format!(
                    "{what} is RSA {bits}-bit: accepted by the controller, but under {RSA_WEAK_BITS} bits"
                ),
            );
        }
    }
}

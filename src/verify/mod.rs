//! Token → [`VerifyReport`]: the controller's checks (design §3), with every failure explained.
//! No UI here; the CLI and the console render the same report.

mod humantime;
pub mod jwks;
pub mod keys;
mod reason;
mod report;
mod steps;
pub mod token;

pub use humantime::{absolute as absolute_time, relative as relative_time};
pub use jwks::{KeyCache, KeyLookup};
pub use reason::{Check, CheckOutcome, Reason, Status};
pub use report::{ClaimRef, IdentityRef, SignerRef, VerifyReport};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::store::{Store, StoreError};
use keys::asymmetric_algorithm;
use steps::{KeyResult, audience_outcome};

/// Whether the verifier may block on a JWKS fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchPolicy {
    /// Fetch inline (the CLI).
    Blocking,
    /// Never block: report the fetch as pending (the console fetches on a worker and reruns).
    CacheOnly,
}

/// Checks tokens against the signers and identities of a store.
pub struct Verifier<'a> {
    store: &'a Store,
    jwks: &'a KeyCache,
    policy: FetchPolicy,
}

impl<'a> Verifier<'a> {
    /// A verifier over `store`, fetching JWKS through `jwks`.
    pub fn new(store: &'a Store, jwks: &'a KeyCache, policy: FetchPolicy) -> Self {
        Verifier {
            store,
            jwks,
            policy,
        }
    }

    /// Runs every check on `raw_token` (whitespace and `Bearer ` are ignored) as of `now`,
    /// allowing `leeway` seconds of clock skew on `exp` and `nbf`.
    pub fn verify(
        &self,
        raw_token: &str,
        now: DateTime<Utc>,
        leeway: u64,
    ) -> Result<VerifyReport, StoreError> {
        let mut report = VerifyReport::default();
        let token = token::normalize(raw_token);
        let parsed = match token::parse(&token) {
            Ok(parsed) => parsed,
            Err(why) => {
                report.push(Check::Format, Status::Fail, why, Some(Reason::Malformed));
                for check in &Check::ALL[1..] {
                    report.push(
                        *check,
                        Status::Skip,
                        "the token could not be read".into(),
                        None,
                    );
                }
                return Ok(report);
            }
        };
        let header = &parsed.header;
        let payload = &parsed.payload;
        let alg_name = header.get("alg").and_then(Value::as_str).unwrap_or("");
        report.push(
            Check::Format,
            Status::Pass,
            format!(
                "{} bytes, three parts, header and payload are JSON objects",
                token.len()
            ),
            None,
        );

        // 2. signer
        let signer = self.bind_signer(&mut report, payload.get("iss"))?;

        // 3. enabled
        match &signer {
            Some(s) if s.draft.enabled => report.push(
                Check::Enabled,
                Status::Pass,
                format!("signer {} is enabled", s.draft.name),
                None,
            ),
            Some(s) => report.push(
                Check::Enabled,
                Status::Fail,
                format!("signer {} is disabled", s.draft.name),
                Some(Reason::SignerDisabled),
            ),
            None => report.skip(Check::Enabled, "no signer"),
        }

        // 4 and 5: the key is looked up first so the algorithm can be checked against it, but
        // they are reported in the controller's order.
        let kid = header
            .get("kid")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty());
        let key = signer.as_ref().map(|s| self.find_key(s, kid));
        let algorithm = asymmetric_algorithm(alg_name);
        let alg_ok = match (&signer, algorithm, &key) {
            (None, _, _) => {
                report.skip(Check::Algorithm, "no signer");
                false
            }
            (Some(_), None, _) => {
                let detail = match alg_name {
                    "none" | "" => {
                        format!("alg \"{alg_name}\" is refused: unsigned tokens are never accepted")
                    }
                    a if a.starts_with("HS") => format!(
                        "alg {a} is refused: HMAC needs a shared secret, and a signer's key is public"
                    ),
                    a => format!("alg \"{a}\" is not an accepted asymmetric JWS algorithm"),
                };
                report.push(
                    Check::Algorithm,
                    Status::Fail,
                    detail,
                    Some(Reason::UnsupportedAlgorithm),
                );
                false
            }
            (Some(_), Some(alg), Some(KeyResult::Found(k, _))) => {
                if k.key_type.algorithms().contains(&alg) {
                    report.push(
                        Check::Algorithm,
                        Status::Pass,
                        format!("{alg_name} matches the {} key", k.key_type.label()),
                        None,
                    );
                    true
                } else {
                    let accepted: Vec<String> = k
                        .key_type
                        .algorithms()
                        .iter()
                        .map(|a| format!("{a:?}"))
                        .collect();
                    report.push(
                        Check::Algorithm,
                        Status::Fail,
                        format!(
                            "alg {alg_name} does not match the signer's {} key (accepts {})",
                            k.key_type.label(),
                            accepted.join(", ")
                        ),
                        Some(Reason::UnsupportedAlgorithm),
                    );
                    false
                }
            }
            (Some(_), Some(_), _) => {
                report.push(
                    Check::Algorithm,
                    Status::Pass,
                    format!("{alg_name} is an accepted asymmetric algorithm"),
                    None,
                );
                true
            }
        };
        let verifying_key = match key {
            None => {
                report.skip(Check::Key, "no signer");
                None
            }
            Some(KeyResult::Found(k, detail)) => {
                report.push(Check::Key, Status::Pass, detail, None);
                Some(k)
            }
            Some(KeyResult::Failed(reason, detail)) => {
                report.push(Check::Key, Status::Fail, detail, Some(reason));
                None
            }
            Some(KeyResult::Pending(url)) => {
                report.skip(Check::Key, &format!("fetching the JWKS from {url}…"));
                report.pending_fetch = Some(url);
                None
            }
        };

        // 6. signature
        match (verifying_key, algorithm) {
            (Some(k), Some(alg)) if alg_ok => {
                if k.verifies(alg, &parsed.signing_input, &parsed.signature) {
                    report.push(
                        Check::Signature,
                        Status::Pass,
                        format!("verifies with the signer's {} key", k.key_type.label()),
                        None,
                    );
                } else {
                    report.push(
                        Check::Signature,
                        Status::Fail,
                        "does not verify: the token was altered or signed by another key".into(),
                        Some(Reason::BadSignature),
                    );
                }
            }
            _ => report.skip(Check::Signature, "needs an accepted algorithm and a key"),
        }

        // 7, 8. times
        let now_s = now.timestamp() as f64;
        let leeway_f = leeway as f64;
        let leeway_note = if leeway > 0 {
            format!(" (leeway {leeway} s)")
        } else {
            String::new()
        };
        match payload.get("exp").and_then(Value::as_f64) {
            None => report.push(
                Check::Expiry,
                Status::Pass,
                "no exp claim: the token does not expire".into(),
                None,
            ),
            Some(exp) if now_s < exp + leeway_f => report.push(
                Check::Expiry,
                Status::Pass,
                format!(
                    "exp {}, expires {}{leeway_note}",
                    humantime::absolute(exp),
                    humantime::relative(exp, now)
                ),
                None,
            ),
            Some(exp) => report.push(
                Check::Expiry,
                Status::Fail,
                format!(
                    "exp {}, expired {}{leeway_note}",
                    humantime::absolute(exp),
                    humantime::relative(exp, now)
                ),
                Some(Reason::Expired),
            ),
        }
        match payload.get("nbf").and_then(Value::as_f64) {
            None => report.push(Check::NotBefore, Status::Pass, "no nbf claim".into(), None),
            Some(nbf) if now_s >= nbf - leeway_f => report.push(
                Check::NotBefore,
                Status::Pass,
                format!(
                    "nbf {}, valid since {}{leeway_note}",
                    humantime::absolute(nbf),
                    humantime::relative(nbf, now)
                ),
                None,
            ),
            Some(nbf) => report.push(
                Check::NotBefore,
                Status::Fail,
                format!(
                    "nbf {}, not valid until {}{leeway_note}",
                    humantime::absolute(nbf),
                    humantime::relative(nbf, now)
                ),
                Some(Reason::NotYetValid),
            ),
        }

        // 9. audience
        match &signer {
            None => report.skip(Check::Audience, "no signer"),
            Some(s) => {
                let (status, detail) = audience_outcome(payload.get("aud"), &s.draft.audience);
                let reason = (status == Status::Fail).then_some(Reason::AudienceMismatch);
                report.push(Check::Audience, status, detail, reason);
            }
        }

        // 10. claim
        let claim_value = match &signer {
            None => {
                report.skip(Check::Claim, "no signer");
                None
            }
            Some(s) => self.read_claim(&mut report, s, payload),
        };

        // 11, 12. identity
        let identity = match (&signer, &claim_value) {
            (Some(s), Some(value)) => self.map_identity(&mut report, s, value)?,
            _ => {
                report.skip(Check::Identity, "no claim value to map");
                None
            }
        };
        match &identity {
            Some(i) if !i.draft.disabled => report.push(
                Check::IdentityEnabled,
                Status::Pass,
                format!("identity {} is enabled", i.draft.name),
                None,
            ),
            Some(i) => report.push(
                Check::IdentityEnabled,
                Status::Fail,
                format!("identity {} is disabled", i.draft.name),
                Some(Reason::IdentityDisabled),
            ),
            None => report.skip(Check::IdentityEnabled, "no identity"),
        }
        report.signer = signer.as_ref().map(SignerRef::from);
        report.identity = identity.as_ref().map(IdentityRef::from);
        report.header = Some(parsed.header);
        report.payload = Some(parsed.payload);
        Ok(report)
    }
}

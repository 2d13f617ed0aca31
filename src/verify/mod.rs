//! Token → [`VerifyReport`]: the controller's checks (design §3), with every failure explained.
//! No UI here; the CLI and the console render the same report.

mod humantime;
pub mod jwks;
pub mod keys;
mod reason;
mod report;
pub mod token;

pub use humantime::{absolute as absolute_time, relative as relative_time};
pub use jwks::{KeyCache, KeyLookup};
pub use reason::{Check, CheckOutcome, Reason, Status};
pub use report::{ClaimRef, IdentityRef, SignerRef, VerifyReport};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::model::{Identity, Signer, pointer};
use crate::store::{Store, StoreError};
use keys::{PublicKey, asymmetric_algorithm};

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

/// The key check's result, before it is written into the report.
enum KeyResult {
    Found(PublicKey, String),
    Failed(Reason, String),
    Pending(String),
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

    fn bind_signer(
        &self,
        report: &mut VerifyReport,
        iss: Option<&Value>,
    ) -> Result<Option<Signer>, StoreError> {
        let issuer = match iss {
            None => {
                report.push(
                    Check::Signer,
                    Status::Fail,
                    "the token has no iss claim, so no signer can be chosen".into(),
                    Some(Reason::UnknownIssuer),
                );
                return Ok(None);
            }
            Some(Value::String(s)) => s,
            Some(other) => {
                report.push(
                    Check::Signer,
                    Status::Fail,
                    format!("iss must be a string, found {other}"),
                    Some(Reason::UnknownIssuer),
                );
                return Ok(None);
            }
        };
        if let Some(signer) = self.store.signer_by_issuer(issuer)? {
            report.push(
                Check::Signer,
                Status::Pass,
                format!("iss \"{issuer}\" → signer {}", signer.draft.name),
                None,
            );
            return Ok(Some(signer));
        }
        // A near miss (trailing slash, case) is the usual cause; name it.
        let near = self.store.list_signers()?.into_iter().find(|s| {
            s.draft
                .issuer
                .trim_end_matches('/')
                .eq_ignore_ascii_case(issuer.trim_end_matches('/'))
        });
        let detail = match near {
            Some(s) => format!(
                "no signer has issuer \"{issuer}\"; signer {} has \"{}\" (issuers are compared byte for byte)",
                s.draft.name, s.draft.issuer
            ),
            None => format!("no signer has issuer \"{issuer}\""),
        };
        report.push(
            Check::Signer,
            Status::Fail,
            detail,
            Some(Reason::UnknownIssuer),
        );
        Ok(None)
    }

    fn find_key(&self, signer: &Signer, kid: Option<&str>) -> KeyResult {
        let Some(kid) = kid else {
            return KeyResult::Failed(
                Reason::KeyNotFound,
                "the token's header has no kid, so no key can be chosen".into(),
            );
        };
        if let Some(url) = &signer.draft.jwks_endpoint {
            let mut lookup = self.jwks.lookup(url, kid);
            if matches!(lookup, KeyLookup::NeedsFetch) {
                if self.policy == FetchPolicy::CacheOnly {
                    return KeyResult::Pending(url.clone());
                }
                if let Err(cause) = self.jwks.fetch(url) {
                    return KeyResult::Failed(Reason::KeyUnavailable, cause);
                }
                lookup = self.jwks.lookup(url, kid);
            }
            return match lookup {
                KeyLookup::Found(key) => {
                    KeyResult::Found(key, format!("kid \"{kid}\" found in the JWKS at {url}"))
                }
                KeyLookup::NotFound { known } => KeyResult::Failed(
                    Reason::KeyNotFound,
                    format!(
                        "the JWKS at {url} has no key \"{kid}\" (it has: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                ),
                KeyLookup::Unavailable(cause) => KeyResult::Failed(Reason::KeyUnavailable, cause),
                KeyLookup::NeedsFetch => KeyResult::Failed(
                    Reason::KeyUnavailable,
                    format!("the JWKS at {url} could not be fetched"),
                ),
            };
        }
        let (Some(pem), Some(fingerprint)) = (&signer.draft.cert_pem, &signer.fingerprint) else {
            return KeyResult::Failed(
                Reason::KeyUnavailable,
                format!(
                    "signer {} has neither a certificate nor a JWKS endpoint",
                    signer.draft.name
                ),
            );
        };
        let (expected, what) = match &signer.draft.kid {
            Some(k) => (k.as_str(), "kid"),
            None => (fingerprint.as_str(), "certificate fingerprint"),
        };
        if kid != expected {
            let note = if signer.draft.kid.is_none() {
                " (it has no kid)"
            } else {
                ""
            };
            return KeyResult::Failed(
                Reason::KeyNotFound,
                format!(
                    "kid \"{kid}\" does not match signer {}'s {what} \"{expected}\"{note}",
                    signer.draft.name
                ),
            );
        }
        match self.jwks.certificate_key(fingerprint, pem) {
            Ok(key) => KeyResult::Found(
                key,
                format!("kid \"{kid}\" is signer {}'s {what}", signer.draft.name),
            ),
            Err(why) => KeyResult::Failed(Reason::KeyUnavailable, why),
        }
    }

    fn read_claim(
        &self,
        report: &mut VerifyReport,
        signer: &Signer,
        payload: &serde_json::Map<String, Value>,
    ) -> Option<String> {
        let ptr = pointer::normalize(&signer.draft.claims_property, "/sub");
        let found = pointer::resolve_in(payload, &ptr).cloned();
        report.claim = Some(ClaimRef {
            pointer: ptr.clone(),
            value: found.clone().unwrap_or(Value::Null),
        });
        match found {
            None => {
                report.push(
                    Check::Claim,
                    Status::Fail,
                    format!("claim {ptr} is not in the payload"),
                    Some(Reason::ClaimInvalid),
                );
                None
            }
            Some(Value::String(s)) => {
                report.push(Check::Claim, Status::Pass, format!("{ptr} = \"{s}\""), None);
                Some(s)
            }
            Some(other) => {
                report.push(
                    Check::Claim,
                    Status::Fail,
                    format!(
                        "claim {ptr} is {} ({other}); it must be a string",
                        token::kind_of(&other)
                    ),
                    Some(Reason::ClaimInvalid),
                );
                None
            }
        }
    }

    fn map_identity(
        &self,
        report: &mut VerifyReport,
        signer: &Signer,
        value: &str,
    ) -> Result<Option<Identity>, StoreError> {
        let (found, by) = if signer.draft.use_external_id {
            (self.store.identity_by_external_id(value)?, "external ID")
        } else {
            (self.store.identity_by_id(value)?, "id")
        };
        match &found {
            Some(i) => report.push(
                Check::Identity,
                Status::Pass,
                format!("{by} \"{value}\" → identity {}", i.draft.name),
                None,
            ),
            None => report.push(
                Check::Identity,
                Status::Fail,
                format!(
                    "no identity has {by} \"{value}\" (signer {} maps by {by})",
                    signer.draft.name
                ),
                Some(Reason::IdentityNotFound),
            ),
        }
        Ok(found)
    }
}

fn audience_outcome(aud: Option<&Value>, expected: &str) -> (Status, String) {
    let values: Vec<&str> = match aud {
        None => {
            return (
                Status::Fail,
                format!("the token has no aud; the signer expects \"{expected}\""),
            );
        }
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).collect()
        }
        Some(other) => {
            return (
                Status::Fail,
                format!("aud must be a string or a list of strings, found {other}"),
            );
        }
    };
    if values.contains(&expected) {
        (Status::Pass, format!("aud contains \"{expected}\""))
    } else {
        (
            Status::Fail,
            format!(
                "aud {} does not contain \"{expected}\" (the signer's audience)",
                serde_json::to_string(&values).unwrap_or_default()
            ),
        )
    }
}

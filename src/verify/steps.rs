//! The steps of verification that look things up: the signer an `iss` binds to, the key a
//! `kid` selects (certificate or JWKS), the claim the signer reads, and the identity it maps to.

use serde_json::Value;

use super::keys::PublicKey;
use super::report::{ClaimRef, VerifyReport};
use super::{Check, FetchPolicy, KeyLookup, Reason, Status, Verifier, token};
use crate::model::{Identity, Signer, pointer};
use crate::store::StoreError;

/// The key check's result, before it is written into the report.
pub(super) enum KeyResult {
    Found(PublicKey, String),
    Failed(Reason, String),
    Pending(String),
}

impl Verifier<'_> {
    pub(super) fn bind_signer(
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

    pub(super) fn find_key(&self, signer: &Signer, kid: Option<&str>) -> KeyResult {
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

    pub(super) fn read_claim(
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

    pub(super) fn map_identity(
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

pub(super) fn audience_outcome(aud: Option<&Value>, expected: &str) -> (Status, String) {
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

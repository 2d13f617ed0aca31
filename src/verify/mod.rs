//! Token → [`VerifyReport`]: the controller's checks (design §3), with every failure explained.
//! No UI here; the CLI and the console render the same report.
//!
//! Each check is one method over a shared `Context`; [`Check::ALL`] fixes their order and the
//! report is built by walking it, so the order is written down once.

pub mod batch;
mod claims;
pub mod doctor;
mod gojson;
mod humantime;
pub mod jwk_set;
pub mod jwks;
pub mod keys;
mod reason;
mod report;
mod rsa;
pub mod token;

pub use humantime::{absolute as absolute_time, relative as relative_time};
pub use jwks::{KeyCache, KeyLookup};
pub use reason::{Check, CheckOutcome, ClientError, ControllerAnswer, Fix, Reason, Status};
pub use report::{ClaimRef, IdentityRef, PolicyRef, SignerRef, VerifyReport};
pub use token::normalize as normalize_token;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::model::{AuthPolicy, Identity, PolicyRefusal, Signer, pointer};
use crate::store::{Store, StoreError};
use keys::{Alg, AlgorithmName, PublicKey};
use token::ParsedToken;

/// Whether the verifier may block on a JWKS fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchPolicy {
    /// Fetch inline (the CLI).
    Blocking,
    /// Never block: report the fetch as pending (the console fetches on a worker and reruns).
    CacheOnly,
    /// Use only what was fetched before, never fetch again (`verify --batch`, which fetches
    /// each signer's set once before it starts).
    Prefetched,
}

/// Checks tokens against the signers and identities of a store.
pub struct Verifier<'a> {
    store: &'a Store,
    jwks: &'a KeyCache,
    policy: FetchPolicy,
}

/// What one check found: its status, its detail, and the client's answer when it differs from
/// the reason's usual one.
struct Finding {
    status: Status,
    detail: String,
    client_error: Option<ClientError>,
}

impl Finding {
    fn pass(detail: impl Into<String>) -> Self {
        Finding {
            status: Status::Pass,
            detail: detail.into(),
            client_error: None,
        }
    }
    fn fail(reason: Reason, detail: impl Into<String>) -> Self {
        Finding {
            status: Status::Fail(reason),
            detail: detail.into(),
            client_error: None,
        }
    }
    fn skip(detail: impl Into<String>) -> Self {
        Finding {
            status: Status::Skip,
            detail: detail.into(),
            client_error: None,
        }
    }
    fn answering(mut self, error: ClientError) -> Self {
        self.client_error = Some(error);
        self
    }
}

/// The key check's result, kept for the algorithm and signature checks.
enum KeyResult {
    Found(PublicKey, String),
    Failed(Reason, String),
    Pending(String),
}

/// What the checks so far established, for the checks after them.
struct Context {
    now: DateTime<Utc>,
    leeway: u64,
    token_len: usize,
    parsed: Option<ParsedToken>,
    signer: Option<Arc<Signer>>,
    alg: Option<Alg>,
    key: Option<KeyResult>,
    claim_value: Option<String>,
    identity: Option<Arc<Identity>>,
    auth_policy: Option<AuthPolicy>,
}

impl Context {
    fn payload(&self) -> Option<&Map<String, Value>> {
        self.parsed.as_ref().map(|p| &p.payload)
    }
    fn leeway_note(&self) -> String {
        if self.leeway > 0 {
            format!(" (leeway {} s)", self.leeway)
        } else {
            String::new()
        }
    }
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
        let token = token::normalize(raw_token);
        let mut report = VerifyReport::default();
        let mut ctx = Context {
            now,
            leeway,
            token_len: token.len(),
            parsed: None,
            signer: None,
            alg: None,
            key: None,
            claim_value: None,
            identity: None,
            auth_policy: None,
        };
        for check in Check::ALL {
            let finding = match check {
                Check::Format => self.format(&mut ctx, &token, &mut report),
                Check::Signer => self.signer(&mut ctx)?,
                Check::Enabled => enabled(&ctx),
                Check::Algorithm => self.algorithm(&mut ctx, &mut report),
                Check::Key => key(&mut ctx, &mut report),
                Check::Signature => signature(&mut ctx, &mut report),
                Check::Expiry => expiry(&ctx, &mut report),
                Check::NotBefore => not_before(&ctx),
                Check::Audience => audience(&ctx),
                Check::Claim => claim(&mut ctx, &mut report),
                Check::Identity => self.identity(&mut ctx)?,
                Check::IdentityEnabled => identity_enabled(&ctx),
                Check::AuthPolicy => self.auth_policy(&mut ctx, &mut report)?,
            };
            report.checks.push(CheckOutcome {
                check,
                status: finding.status,
                detail: finding.detail,
                client_error: finding.client_error,
            });
        }
        report.signer = ctx.signer.as_deref().map(SignerRef::from);
        report.identity = ctx.identity.as_deref().map(IdentityRef::from);
        report.auth_policy = ctx.auth_policy.as_ref().map(PolicyRef::from);
        if let Some(parsed) = ctx.parsed {
            report.header = Some(parsed.header);
            report.payload = Some(parsed.payload);
        }
        Ok(report)
    }

    /// 1. Size, parts, JSON, and the controller's typed-claims decode.
    fn format(&self, ctx: &mut Context, token: &str, report: &mut VerifyReport) -> Finding {
        let parsed = match token::parse(token) {
            Ok(parsed) => parsed,
            Err(why) => return Finding::fail(Reason::Malformed, why),
        };
        if let Err(refusal) = claims::check(&parsed.payload) {
            if refusal.panics {
                report.warnings.push(
                    "the controller's claims decoder panics on this token rather than refusing it; the request fails either way".into(),
                );
            }
            // Shown decoded even though refused: the admin needs to see the claim.
            report.header = Some(parsed.header.clone());
            report.payload = Some(parsed.payload.clone());
            return Finding::fail(
                Reason::Malformed,
                format!(
                    "{}: the controller decodes the payload into its typed claims before choosing a signer",
                    refusal.detail
                ),
            );
        }
        let finding = Finding::pass(format!(
            "{} bytes; parts, JSON and claim types as the controller reads them",
            ctx.token_len
        ));
        ctx.parsed = Some(parsed);
        finding
    }

    /// Check 2: the signer the typed `iss` names (openziti `GetByIssuerString`); its
    /// verification then wants the exact `iss` member to match too (`verifyIssuerAndAudience`).
    fn signer(&self, ctx: &mut Context) -> Result<Finding, StoreError> {
        let Some(payload) = ctx.payload() else {
            return Ok(Finding::skip("the token could not be read"));
        };
        let typed = gojson::last_string(payload, "iss").filter(|s| !s.is_empty());
        let Some(issuer) = typed else {
            return Ok(Finding::fail(
                Reason::UnknownIssuer,
                "the token has no iss claim, so no signer can be chosen",
            ));
        };
        let Some(signer) = self.store.signer_by_issuer(issuer)? else {
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
            return Ok(Finding::fail(Reason::UnknownIssuer, detail));
        };
        let exact = payload.get("iss").and_then(Value::as_str);
        let finding = if exact != Some(issuer) {
            Finding::fail(
                Reason::UnknownIssuer,
                format!(
                    "the controller picks signer {} from a claim named like iss (names match case-insensitively there), but its verification reads the exact \"iss\" member, which is {}",
                    signer.draft.name,
                    exact.map_or("absent".to_string(), |e| format!("\"{e}\""))
                ),
            )
            .answering(ClientError::Invalid)
        } else {
            Finding::pass(format!("iss \"{issuer}\" → signer {}", signer.draft.name))
        };
        ctx.signer = Some(signer);
        Ok(finding)
    }

    /// Check 4: the header's `alg` as golang-jwt reads it, against the signer's key. The key
    /// is looked up here so the algorithm can be checked against it; check 5 reports it.
    fn algorithm(&self, ctx: &mut Context, report: &mut VerifyReport) -> Finding {
        let (Some(signer), Some(header)) = (&ctx.signer, ctx.parsed.as_ref().map(|p| &p.header))
        else {
            return Finding::skip("no signer");
        };
        let alg_value = header.get("alg");
        let name = alg_value.and_then(Value::as_str).unwrap_or("");
        let alg = match alg_value.map(|_| keys::algorithm(name)) {
            Some(AlgorithmName::Asymmetric(alg)) => alg,
            Some(AlgorithmName::Refused) if name == "none" => {
                return Finding::fail(
                    Reason::UnsupportedAlgorithm,
                    "alg \"none\" is refused: unsigned tokens are never accepted",
                );
            }
            Some(AlgorithmName::Refused) => {
                return Finding::fail(
                    Reason::UnsupportedAlgorithm,
                    format!(
                        "alg {name} is refused: HMAC needs a shared secret, and a signer's key is public"
                    ),
                );
            }
            _ => {
                let shown = alg_value.map_or("absent".to_string(), Value::to_string);
                return Finding::fail(
                    Reason::UnsupportedAlgorithm,
                    format!(
                        "alg {shown} is not a signing method golang-jwt knows, so the controller's first, unverified parse fails and the token is not even a candidate"
                    ),
                )
                .answering(ClientError::Missing);
            }
        };
        ctx.alg = Some(alg);
        let kid = header.get("kid");
        let found = self.find_key(signer, kid, report);
        let finding = match &found {
            KeyResult::Found(key, _) => match key.fits(alg) {
                Ok(warnings) => {
                    report.warnings.extend(warnings);
                    Finding::pass(format!(
                        "{} fits the signer's {} key",
                        alg.name(),
                        key.label()
                    ))
                }
                Err(why) => Finding::fail(Reason::UnsupportedAlgorithm, why),
            },
            _ => Finding::pass(format!(
                "{} is an accepted asymmetric algorithm",
                alg.name()
            )),
        };
        ctx.key = Some(found);
        finding
    }

    fn find_key(
        &self,
        signer: &Signer,
        kid: Option<&Value>,
        report: &mut VerifyReport,
    ) -> KeyResult {
        // openziti `keyFunc`: kid must be a non-empty string.
        let kid = match kid {
            Some(Value::String(k)) if !k.is_empty() => k.as_str(),
            Some(Value::String(_)) => {
                return KeyResult::Failed(
                    Reason::KeyNotFound,
                    "the token's kid is empty, so no key can be chosen".into(),
                );
            }
            Some(other) => {
                return KeyResult::Failed(
                    Reason::KeyNotFound,
                    format!(
                        "the token's kid is {}, not a string",
                        gojson::go_kind(other)
                    ),
                );
            }
            None => {
                return KeyResult::Failed(
                    Reason::KeyNotFound,
                    "the token's header has no kid, so no key can be chosen".into(),
                );
            }
        };
        if let Some(url) = &signer.draft.jwks_endpoint {
            return self.find_jwks_key(url, kid, report);
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
        // A certificate signer answers to its kid, or to the fingerprint only when its kid is
        // null: a kid of "" (what the ziti CLI and web console save by default) matches nothing.
        let (expected, what) = match signer.draft.kid.as_deref() {
            Some("") => {
                return KeyResult::Failed(
                    Reason::KeyNotFound,
                    format!(
                        "signer {}'s kid is \"\" (empty, not null): the controller matches it against the token's kid \"{kid}\" and never falls back to the certificate's fingerprint; set the signer's kid to \"{kid}\", or clear it (null) so the fingerprint {fingerprint} is used",
                        signer.draft.name
                    ),
                );
            }
            Some(k) => (k, "kid"),
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

    fn find_jwks_key(&self, url: &str, kid: &str, report: &mut VerifyReport) -> KeyResult {
        let mut lookup = match self.policy {
            FetchPolicy::Prefetched => self.jwks.lookup_settled(url, kid),
            _ => self.jwks.lookup(url, kid),
        };
        if matches!(lookup, KeyLookup::NeedsFetch) {
            match self.policy {
                FetchPolicy::CacheOnly => return KeyResult::Pending(url.to_string()),
                FetchPolicy::Prefetched => {
                    return KeyResult::Failed(
                        Reason::KeyUnavailable,
                        format!("the JWKS at {url} was not fetched"),
                    );
                }
                FetchPolicy::Blocking => {}
            }
            if let Err(cause) = self.jwks.fetch(url) {
                return KeyResult::Failed(Reason::KeyUnavailable, cause);
            }
            lookup = self.jwks.lookup(url, kid);
        }
        match lookup {
            KeyLookup::Found { key, retired } => {
                if retired {
                    report.warnings.push(format!(
                        "the JWKS at {url} no longer publishes kid \"{kid}\": a running controller still holds keys it has seen until it restarts, so it accepts this token now and rejects it after a restart"
                    ));
                }
                KeyResult::Found(key, format!("kid \"{kid}\" found in the JWKS at {url}"))
            }
            KeyLookup::NotFound {
                known,
                stopped,
                after_stop,
            } => {
                let known = if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                };
                let detail = match stopped {
                    Some(stop) if after_stop => format!(
                        "kid \"{kid}\" is in the JWKS at {url}, but after a key the controller cannot resolve: {}",
                        stop.describe()
                    ),
                    Some(stop) => format!(
                        "the JWKS at {url} has no key \"{kid}\" (the controller loaded: {known}; {})",
                        stop.describe()
                    ),
                    None => format!("the JWKS at {url} has no key \"{kid}\" (it has: {known})"),
                };
                KeyResult::Failed(Reason::KeyNotFound, detail)
            }
            KeyLookup::Unavailable(cause) => KeyResult::Failed(Reason::KeyUnavailable, cause),
            KeyLookup::NeedsFetch => KeyResult::Failed(
                Reason::KeyUnavailable,
                format!("the JWKS at {url} could not be fetched"),
            ),
        }
    }

    /// 11. The identity the claim names, by external ID or by id.
    fn identity(&self, ctx: &mut Context) -> Result<Finding, StoreError> {
        let (Some(signer), Some(value)) = (&ctx.signer, &ctx.claim_value) else {
            return Ok(Finding::skip("no claim value to map"));
        };
        let (found, by) = if signer.draft.use_external_id {
            (self.store.identity_by_external_id(value)?, "external ID")
        } else {
            (self.store.shared_identity_by_id(value)?, "id")
        };
        let finding = match &found {
            Some(i) => Finding::pass(format!("{by} \"{value}\" → identity {}", i.draft.name)),
            None => Finding::fail(
                Reason::IdentityNotFound,
                format!(
                    "no identity has {by} \"{value}\" (signer {} maps by {by})",
                    signer.draft.name
                ),
            ),
        };
        ctx.identity = found;
        Ok(finding)
    }

    /// Check 13: the identity's auth policy allows ext-JWT login from this signer, as the
    /// controller's `AuthModuleExtJwt.ProcessPrimary`. A required secondary ext-JWT signer does
    /// not refuse the primary login; it is noted.
    fn auth_policy(
        &self,
        ctx: &mut Context,
        report: &mut VerifyReport,
    ) -> Result<Finding, StoreError> {
        let (Some(signer), Some(identity)) = (&ctx.signer, &ctx.identity) else {
            return Ok(Finding::skip("no identity"));
        };
        let policy_id = &identity.draft.auth_policy_id;
        let Some(policy) = self.store.auth_policy_by_id(policy_id)? else {
            // The schema makes this impossible; the controller fails the login the same way.
            return Ok(Finding::fail(
                Reason::ExtJwtNotAllowed,
                format!(
                    "identity {} names auth policy \"{policy_id}\", which does not exist",
                    identity.draft.name
                ),
            ));
        };
        let name = &policy.draft.name;
        let finding = match policy.draft.admits(&signer.id) {
            Err(PolicyRefusal::ExtJwtNotAllowed) => Finding::fail(
                Reason::ExtJwtNotAllowed,
                format!("auth policy {name} does not allow ext-JWT login"),
            ),
            Err(PolicyRefusal::SignerNotAllowed) => Finding::fail(
                Reason::SignerNotAllowed,
                format!(
                    "auth policy {name} allows ext-JWT login only from {}; not from signer {}",
                    self.signer_names(&policy.draft.primary.ext_jwt.allowed_signers)?,
                    signer.draft.name
                ),
            ),
            Ok(()) => {
                let from = if policy.draft.primary.ext_jwt.allowed_signers.is_empty() {
                    "any signer".to_string()
                } else {
                    format!("signer {}", signer.draft.name)
                };
                let mut detail = format!("auth policy {name} allows ext-JWT login from {from}");
                if let Some(second) = &policy.draft.secondary.require_ext_jwt_signer {
                    let note = format!(
                        "auth policy {name} also requires a second token from signer {} after this login (secondary ext-JWT)",
                        self.signer_names(std::slice::from_ref(second))?
                    );
                    detail.push_str("; note: ");
                    detail.push_str(&note);
                    report.warnings.push(note);
                }
                Finding::pass(detail)
            }
        };
        ctx.auth_policy = Some(policy);
        Ok(finding)
    }

    /// "okta, azure" for signer ids (an id that names no signer is shown as itself).
    fn signer_names(&self, ids: &[String]) -> Result<String, StoreError> {
        let names = self.store.signer_names(ids)?;
        Ok(ids
            .iter()
            .map(|id| names.get(id).unwrap_or(id).as_str())
            .collect::<Vec<_>>()
            .join(", "))
    }
}

/// 3.
fn enabled(ctx: &Context) -> Finding {
    match &ctx.signer {
        Some(s) if s.draft.enabled => Finding::pass(format!("signer {} is enabled", s.draft.name)),
        Some(s) => Finding::fail(
            Reason::SignerDisabled,
            format!("signer {} is disabled", s.draft.name),
        ),
        None => Finding::skip("no signer"),
    }
}

/// 5.
fn key(ctx: &mut Context, report: &mut VerifyReport) -> Finding {
    match &ctx.key {
        None => Finding::skip(if ctx.signer.is_none() {
            "no signer"
        } else {
            "needs an accepted algorithm"
        }),
        Some(KeyResult::Found(_, detail)) => Finding::pass(detail.clone()),
        Some(KeyResult::Failed(reason, detail)) => Finding::fail(*reason, detail.clone()),
        Some(KeyResult::Pending(url)) => {
            report.pending_fetch = Some(url.clone());
            Finding::skip(format!("fetching the JWKS from {url}…"))
        }
    }
}

/// 6. golang-jwt verifies the signature before it looks at any claim.
fn signature(ctx: &mut Context, report: &mut VerifyReport) -> Finding {
    let algorithm_passed = report
        .outcome(Check::Algorithm)
        .is_some_and(|c| c.status == Status::Pass);
    let (Some(KeyResult::Found(key, _)), Some(alg), Some(parsed)) =
        (&ctx.key, ctx.alg, &ctx.parsed)
    else {
        return Finding::skip("needs an accepted algorithm and a key");
    };
    if !algorithm_passed {
        return Finding::skip("needs an accepted algorithm and a key");
    }
    match key.verify(alg, parsed.signing_input.as_bytes(), &parsed.signature) {
        Ok(warnings) => {
            report.warnings.extend(warnings);
            Finding::pass(format!("verifies with the signer's {} key", key.label()))
        }
        Err(why) => Finding::fail(Reason::BadSignature, why),
    }
}

/// `exp` or `nbf` as golang-jwt's `MapClaims` reads it: absent, or a number where 0 means
/// absent and fractions truncate. Anything else is the check's failure (`ErrInvalidType`: the
/// signer's verification fails, so the client gets "invalid").
fn numeric_date(payload: &Map<String, Value>, claim: &str) -> Result<Option<i64>, Finding> {
    let seconds = match payload.get(claim) {
        None => return Ok(None),
        Some(Value::Number(n)) => n.as_f64(),
        Some(_) => None,
    };
    match seconds {
        Some(0.0) => Ok(None),
        Some(v) => Ok(Some(v.trunc() as i64)),
        None => Err(Finding::fail(
            Reason::Malformed,
            format!(
                "{claim} is {}; golang-jwt's MapClaims reads {claim} only as a number, so the signer's verification fails (ErrInvalidType)",
                payload.get(claim).map(Value::to_string).unwrap_or_default()
            ),
        )
        .answering(ClientError::Invalid)),
    }
}

/// "exp 2026-11-27 10:00:00 UTC, expired 3 days ago (leeway 30 s)".
fn time_detail(ctx: &Context, claim: &str, at: i64, verb: &str) -> String {
    let at = at as f64;
    format!(
        "{claim} {}, {verb} {}{}",
        humantime::absolute(at),
        humantime::relative(at, ctx.now),
        ctx.leeway_note()
    )
}

/// 7.
fn expiry(ctx: &Context, report: &mut VerifyReport) -> Finding {
    let Some(payload) = ctx.payload() else {
        return Finding::skip("the token could not be read");
    };
    match numeric_date(payload, "exp") {
        Err(failed) => failed,
        Ok(None) if payload.contains_key("exp") => {
            report
                .warnings
                .push("exp is 0, which golang-jwt reads as absent: the token never expires".into());
            Finding::pass("exp 0 is read as no expiry")
        }
        Ok(None) => {
            report
                .warnings
                .push("the token has no exp: it never expires".into());
            Finding::pass("no exp claim: the token does not expire")
        }
        Ok(Some(exp)) if ctx.now.timestamp() < exp.saturating_add(ctx.leeway as i64) => {
            Finding::pass(time_detail(ctx, "exp", exp, "expires"))
        }
        Ok(Some(exp)) => Finding::fail(Reason::Expired, time_detail(ctx, "exp", exp, "expired")),
    }
}

/// 8.
fn not_before(ctx: &Context) -> Finding {
    let Some(payload) = ctx.payload() else {
        return Finding::skip("the token could not be read");
    };
    match numeric_date(payload, "nbf") {
        Err(failed) => failed,
        Ok(None) => Finding::pass("no nbf claim"),
        Ok(Some(nbf)) if ctx.now.timestamp() >= nbf.saturating_sub(ctx.leeway as i64) => {
            Finding::pass(time_detail(ctx, "nbf", nbf, "valid since"))
        }
        Ok(Some(nbf)) => Finding::fail(
            Reason::NotYetValid,
            time_detail(ctx, "nbf", nbf, "not valid until"),
        ),
    }
}

/// 9. `verifyIssuerAndAudience`: `aud` through golang-jwt's `ClaimStrings`.
fn audience(ctx: &Context) -> Finding {
    let (Some(signer), Some(payload)) = (&ctx.signer, ctx.payload()) else {
        return Finding::skip("no signer");
    };
    let expected = &signer.draft.audience;
    let values: Vec<&str> = match payload.get("aud") {
        None | Some(Value::Null) => {
            return Finding::fail(
                Reason::AudienceMismatch,
                format!("the token has no aud; the signer expects \"{expected}\""),
            );
        }
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).collect()
        }
        Some(other) => {
            return Finding::fail(
                Reason::AudienceMismatch,
                format!("aud must be a string or a list of strings, found {other}"),
            );
        }
    };
    if values.is_empty() {
        return Finding::fail(
            Reason::AudienceMismatch,
            format!("aud is an empty list; the signer expects \"{expected}\""),
        );
    }
    if values.contains(&expected.as_str()) {
        Finding::pass(format!("aud contains \"{expected}\""))
    } else {
        Finding::fail(
            Reason::AudienceMismatch,
            format!(
                "aud {} does not contain \"{expected}\" (the signer's audience)",
                serde_json::to_string(&values).unwrap_or_default()
            ),
        )
    }
}

/// 10. `resolveStringClaimSelector` with go-openapi/jsonpointer.
fn claim(ctx: &mut Context, report: &mut VerifyReport) -> Finding {
    let (Some(signer), Some(payload)) = (&ctx.signer, ctx.parsed.as_ref().map(|p| &p.payload))
    else {
        return Finding::skip("no signer");
    };
    let ptr = pointer::normalize(&signer.draft.claims_property, "/sub");
    let found = pointer::resolve_like_controller(payload, &ptr);
    report.claim = Some(ClaimRef {
        pointer: ptr.clone(),
        value: found.as_ref().map_or(Value::Null, |v| (*v).clone()),
    });
    match found {
        Err(why) => Finding::fail(
            Reason::ClaimInvalid,
            format!("claim {ptr} does not resolve: {why}"),
        ),
        Ok(Value::String(s)) => {
            let finding = Finding::pass(format!("{ptr} = \"{s}\""));
            ctx.claim_value = Some(s.clone());
            finding
        }
        Ok(other) => Finding::fail(
            Reason::ClaimInvalid,
            format!(
                "claim {ptr} is {} ({other}); it must be a string",
                token::kind_of(other)
            ),
        ),
    }
}

/// 12. Disabled at `now`, with a timed lock's end.
fn identity_enabled(ctx: &Context) -> Finding {
    match &ctx.identity {
        Some(i) if i.draft.is_disabled_at(ctx.now) => Finding::fail(
            Reason::IdentityDisabled,
            match &i.draft.disabled_until {
                Some(until) => format!("identity {} is disabled until {until}", i.draft.name),
                None => format!("identity {} is disabled", i.draft.name),
            },
        ),
        Some(i) => Finding::pass(match &i.draft.disabled_until {
            Some(until) if i.draft.disabled => {
                format!(
                    "identity {} is enabled (its lock ended {until})",
                    i.draft.name
                )
            }
            _ => format!("identity {} is enabled", i.draft.name),
        }),
        None => Finding::skip("no identity"),
    }
}

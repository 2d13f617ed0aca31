//! What verification found, and its two renderings: the JSON of `verify --json` and the
//! verdict line the CLI and the console both show.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::reason::{Check, CheckOutcome, ClientError, ControllerAnswer, Reason, Status};
use crate::model::{AuthPolicy, Identity, Signer};
use crate::text::SafeText;

/// The signer a token bound to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignerRef {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its issuer.
    pub issuer: String,
}

impl From<&Signer> for SignerRef {
    fn from(s: &Signer) -> Self {
        SignerRef {
            id: s.id.clone(),
            name: s.draft.name.clone(),
            issuer: s.draft.issuer.clone(),
        }
    }
}

/// The identity a token mapped to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentityRef {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its external ID.
    #[serde(rename = "externalId")]
    pub external_id: Option<String>,
}

impl From<&Identity> for IdentityRef {
    fn from(i: &Identity) -> Self {
        IdentityRef {
            id: i.id.clone(),
            name: i.draft.name.clone(),
            external_id: i.draft.external_id.clone(),
        }
    }
}

/// The auth policy of the identity a token mapped to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyRef {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

impl From<&AuthPolicy> for PolicyRef {
    fn from(p: &AuthPolicy) -> Self {
        PolicyRef {
            id: p.id.clone(),
            name: p.draft.name.clone(),
        }
    }
}

/// The claim the signer reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimRef {
    /// The JSON pointer.
    pub pointer: String,
    /// What it resolved to (null when missing).
    pub value: Value,
}

/// Everything verification found out about one token.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VerifyReport {
    /// The decoded header, when it decodes.
    pub header: Option<Map<String, Value>>,
    /// The decoded payload, when it decodes.
    pub payload: Option<Map<String, Value>>,
    /// The signer `iss` bound to.
    pub signer: Option<SignerRef>,
    /// The identity the claim mapped to.
    pub identity: Option<IdentityRef>,
    /// The identity's auth policy.
    pub auth_policy: Option<PolicyRef>,
    /// The claim read.
    pub claim: Option<ClaimRef>,
    /// One outcome per check, in the controller's order.
    pub checks: Vec<CheckOutcome>,
    /// A JWKS URL that must be fetched before the key check can run (console only).
    pub pending_fetch: Option<String>,
    /// Things worth knowing that do not change the verdict (a weak key, a quirk the token
    /// relies on).
    pub warnings: Vec<String>,
}

impl VerifyReport {
    /// The first failing check: what the controller would reject the token for.
    pub fn verdict(&self) -> Option<&CheckOutcome> {
        self.checks
            .iter()
            .find(|c| matches!(c.status, Status::Fail(_)))
    }

    /// The reason code of the verdict.
    pub fn reason(&self) -> Option<Reason> {
        self.verdict().and_then(|c| c.status.reason())
    }

    /// What the controller answers the client: 200, or 401 with the error it maps the
    /// verdict to. None while a JWKS fetch is pending.
    pub fn controller(&self) -> Option<ControllerAnswer> {
        if self.pending_fetch.is_some() {
            return None;
        }
        Some(match self.verdict() {
            None => ControllerAnswer {
                status: 200,
                error: None,
            },
            Some(failed) => ControllerAnswer {
                status: 401,
                error: Some(failed.client_error().unwrap_or(ClientError::Invalid)),
            },
        })
    }

    /// True when every check passed.
    pub fn is_valid(&self) -> bool {
        self.pending_fetch.is_none()
            && !self.checks.is_empty()
            && self.checks.iter().all(|c| c.status == Status::Pass)
    }

    /// The outcome of one check.
    pub fn outcome(&self, check: Check) -> Option<&CheckOutcome> {
        self.checks.iter().find(|c| c.check == check)
    }

    /// One line: `VALID → identity alice (externalId alice@example.com) via signer okta` or
    /// `REJECTED (expired): exp 2026-11-27 10:00:00 UTC, expired 3 days ago`.
    pub fn verdict_line(&self) -> String {
        if let Some(url) = &self.pending_fetch {
            return format!("PENDING: fetching the JWKS from {url}");
        }
        let answer = self
            .controller()
            .map(|a| format!(" · {}", a.describe()))
            .unwrap_or_default();
        if let Some(failed) = self.verdict() {
            let code = failed.status.reason().map_or("rejected", Reason::code);
            return format!("REJECTED ({code}): {}{answer}", failed.detail);
        }
        let valid = match (&self.identity, &self.signer) {
            (Some(i), Some(s)) => format!(
                "VALID → identity {} (externalId {}) via signer {}",
                i.name,
                i.external_id.as_deref().unwrap_or("none"),
                s.name
            ),
            _ => "VALID".to_string(),
        };
        format!("{valid}{answer}")
    }

    /// The JSON object of `extjwt verify --json` (design §4).
    pub fn to_json(&self) -> Value {
        let reason = self.verdict().map(
            |c| json!({"code": c.status.reason().map_or("rejected", Reason::code), "message": c.detail}),
        );
        json!({
            "valid": self.is_valid(),
            "reason": reason,
            "signer": self.signer,
            "identity": self.identity,
            "claim": self.claim,
            "authPolicy": self.auth_policy,
            "header": self.header,
            "payload": self.payload,
            "checks": self.checks,
            "controller": self.controller(),
            "warnings": self.warnings,
            "fix": self.reason().and_then(Reason::fix),
        })
    }

    /// The short human report of `extjwt verify` without `--json`, every token-derived value
    /// escaped.
    pub fn to_text(&self) -> SafeText {
        let mut out = crate::safe!("{}\n", self.verdict_line());
        let width = Check::ALL.iter().map(|c| c.name().len()).max().unwrap_or(0);
        for c in &self.checks {
            let name = format!("{:<width$}", c.check.name());
            out.push(&crate::safe!(
                "  {} {}  {}\n",
                c.status.mark(),
                name,
                c.detail
            ));
        }
        for warning in &self.warnings {
            out.push(&crate::safe!("warning: {}\n", warning));
        }
        if let Some(fix) = self.reason().and_then(Reason::fix) {
            out.push(&crate::safe!("fix: {}\n", fix.hint));
        }
        out
    }
}

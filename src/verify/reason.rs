//! The checks of design §3, their order, the reason codes they fail with, and what the
//! controller answers the client for each. One table here drives the CLI's JSON, its human
//! report and the console's messages.

use serde::{Serialize, Serializer};

/// One of the controller's checks, in the order it applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Size, parts, JSON, the typed claims.
    Format,
    /// `iss` names exactly one signer.
    Signer,
    /// That signer is enabled.
    Enabled,
    /// `alg` names a method the signer's key fits.
    Algorithm,
    /// `kid` selects a key.
    Key,
    /// The signature verifies.
    Signature,
    /// `exp`.
    Expiry,
    /// `nbf`.
    NotBefore,
    /// `aud` holds the signer's audience.
    Audience,
    /// The claims property resolves to a string.
    Claim,
    /// The claim maps to an identity.
    Identity,
    /// That identity is not disabled.
    IdentityEnabled,
    /// The identity's auth policy allows ext-JWT login from this signer.
    AuthPolicy,
}

impl Check {
    /// Every check, in order: the report is built by walking this list.
    pub const ALL: [Check; 13] = [
        Check::Format,
        Check::Signer,
        Check::Enabled,
        Check::Algorithm,
        Check::Key,
        Check::Signature,
        Check::Expiry,
        Check::NotBefore,
        Check::Audience,
        Check::Claim,
        Check::Identity,
        Check::IdentityEnabled,
        Check::AuthPolicy,
    ];

    /// The name used in JSON and on screen.
    pub fn name(self) -> &'static str {
        match self {
            Check::Format => "format",
            Check::Signer => "signer",
            Check::Enabled => "enabled",
            Check::Algorithm => "algorithm",
            Check::Key => "key",
            Check::Signature => "signature",
            Check::Expiry => "expiry",
            Check::NotBefore => "not-before",
            Check::Audience => "audience",
            Check::Claim => "claim",
            Check::Identity => "identity",
            Check::IdentityEnabled => "identity-enabled",
            Check::AuthPolicy => "auth-policy",
        }
    }
}

impl Serialize for Check {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// Why the controller would reject a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Check 1 (also a non-numeric `exp`/`nbf`, which fails at checks 7 and 8).
    Malformed,
    /// Check 2.
    UnknownIssuer,
    /// Check 3.
    SignerDisabled,
    /// Check 4.
    UnsupportedAlgorithm,
    /// Check 5: no key with that kid.
    KeyNotFound,
    /// Check 5: the JWKS could not be fetched or parsed.
    KeyUnavailable,
    /// Check 6.
    BadSignature,
    /// Check 7.
    Expired,
    /// Check 8.
    NotYetValid,
    /// Check 9.
    AudienceMismatch,
    /// Check 10.
    ClaimInvalid,
    /// Check 11.
    IdentityNotFound,
    /// Check 12.
    IdentityDisabled,
    /// Check 13: the policy does not allow ext-JWT primary login.
    ExtJwtNotAllowed,
    /// Check 13: the policy's allowed signers do not hold this signer.
    SignerNotAllowed,
}

/// Where an admin fixes a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// The form to open: `signer`, `identity` or `auth-policy` (None when no form fixes it).
    pub form: Option<&'static str>,
    /// The field in that form.
    pub field: Option<&'static str>,
    /// What to do.
    pub hint: &'static str,
}

impl Reason {
    /// The reason code of the JSON output.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Malformed => "malformed",
            Reason::UnknownIssuer => "unknown_issuer",
            Reason::SignerDisabled => "signer_disabled",
            Reason::UnsupportedAlgorithm => "unsupported_algorithm",
            Reason::KeyNotFound => "key_not_found",
            Reason::KeyUnavailable => "key_unavailable",
            Reason::BadSignature => "bad_signature",
            Reason::Expired => "expired",
            Reason::NotYetValid => "not_yet_valid",
            Reason::AudienceMismatch => "audience_mismatch",
            Reason::ClaimInvalid => "claim_invalid",
            Reason::IdentityNotFound => "identity_not_found",
            Reason::IdentityDisabled => "identity_disabled",
            Reason::ExtJwtNotAllowed => "ext_jwt_not_allowed",
            Reason::SignerNotAllowed => "signer_not_allowed",
        }
    }

    /// The check this reason belongs to.
    pub fn check(self) -> Check {
        match self {
            Reason::Malformed => Check::Format,
            Reason::UnknownIssuer => Check::Signer,
            Reason::SignerDisabled => Check::Enabled,
            Reason::UnsupportedAlgorithm => Check::Algorithm,
            Reason::KeyNotFound | Reason::KeyUnavailable => Check::Key,
            Reason::BadSignature => Check::Signature,
            Reason::Expired => Check::Expiry,
            Reason::NotYetValid => Check::NotBefore,
            Reason::AudienceMismatch => Check::Audience,
            Reason::ClaimInvalid => Check::Claim,
            Reason::IdentityNotFound => Check::Identity,
            Reason::IdentityDisabled => Check::IdentityEnabled,
            Reason::ExtJwtNotAllowed | Reason::SignerNotAllowed => Check::AuthPolicy,
        }
    }

    /// What the controller answers the client for this failure (openziti/ziti
    /// `authenticator_mod_ext_jwt.go`): a token that does not even parse, names no known and
    /// enabled signer, or maps to no usable identity is "missing" (it is not a candidate);
    /// one that fails the signer's verification is "invalid", or "expired" when only its
    /// time ran out. A policy refusal is "missing" too: `ProcessPrimary` skips the candidate
    /// and, with no expired or invalid one left, answers `NewUnauthorizedPrimaryExtTokenMissing`.
    pub fn client_error(self) -> ClientError {
        match self {
            Reason::Malformed
            | Reason::UnknownIssuer
            | Reason::SignerDisabled
            | Reason::IdentityNotFound
            | Reason::IdentityDisabled
            | Reason::ExtJwtNotAllowed
            | Reason::SignerNotAllowed => ClientError::Missing,
            Reason::Expired => ClientError::Expired,
            Reason::UnsupportedAlgorithm
            | Reason::KeyNotFound
            | Reason::KeyUnavailable
            | Reason::BadSignature
            | Reason::NotYetValid
            | Reason::AudienceMismatch
            | Reason::ClaimInvalid => ClientError::Invalid,
        }
    }

    /// Where an admin fixes this, when it is something a form can change.
    pub fn fix(self) -> Option<Fix> {
        let (form, field, hint) = match self {
            Reason::UnknownIssuer => (
                Some("signer"),
                Some("issuer"),
                "add a signer with this issuer, or correct the Issuer field of the signer you meant (compared byte for byte)",
            ),
            Reason::SignerDisabled => (
                Some("signer"),
                Some("enabled"),
                "signer form: turn Enabled on",
            ),
            Reason::KeyNotFound => (
                Some("signer"),
                Some("kid"),
                "signer form: set Kid to the token's kid (certificate signers), or check the IdP's JWKS",
            ),
            Reason::AudienceMismatch => (
                Some("signer"),
                Some("audience"),
                "signer form: set Audience to the token's aud, or fix the audience at the IdP",
            ),
            Reason::ClaimInvalid => (
                Some("signer"),
                Some("claimsProperty"),
                "signer form: point Claims property at a string claim of the token",
            ),
            Reason::IdentityNotFound => (
                Some("identity"),
                Some("externalId"),
                "identity form: set External ID to the claim value (or create that identity)",
            ),
            Reason::IdentityDisabled => (
                Some("identity"),
                Some("disabled"),
                "identity form: turn Disabled off (or clear Disabled until)",
            ),
            Reason::ExtJwtNotAllowed => (
                Some("auth-policy"),
                Some("primary.extJwt.allowed"),
                "auth policy form: turn Ext-JWT allowed on, or move the identity to a policy that allows it",
            ),
            Reason::SignerNotAllowed => (
                Some("auth-policy"),
                Some("primary.extJwt.allowedSigners"),
                "auth policy form: add this signer to Allowed signers (or empty the list to allow every signer)",
            ),
            Reason::Expired | Reason::NotYetValid => (
                None,
                None,
                "get a fresh token, or check this host's clock (--leeway allows skew)",
            ),
            Reason::KeyUnavailable => (
                Some("signer"),
                Some("jwksEndpoint"),
                "signer form: check JWKS endpoint (the controller must reach it and get a JWKS back), then verify again",
            ),
            Reason::Malformed | Reason::UnsupportedAlgorithm | Reason::BadSignature => {
                return None;
            }
        };
        Some(Fix { form, field, hint })
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// The `error` of the controller's 401 (`WWW-Authenticate: Bearer error=...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientError {
    /// No usable token was found.
    Missing,
    /// The token failed its signer's verification.
    Invalid,
    /// The token's time ran out.
    Expired,
}

impl ClientError {
    /// `missing`, `invalid`, `expired`.
    pub fn code(self) -> &'static str {
        match self {
            ClientError::Missing => "missing",
            ClientError::Invalid => "invalid",
            ClientError::Expired => "expired",
        }
    }
}

impl Serialize for ClientError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// What the controller answers the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ControllerAnswer {
    /// 200 or 401.
    pub status: u16,
    /// The 401's error, None on 200.
    pub error: Option<ClientError>,
}

impl ControllerAnswer {
    /// "200" or "401 error=missing".
    pub fn describe(self) -> String {
        match self.error {
            None => format!("client got {}", self.status),
            Some(e) => format!("client got {} error={}", self.status, e.code()),
        }
    }
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Holds.
    Pass,
    /// Does not hold; the token is rejected, for this reason.
    Fail(Reason),
    /// Could not be evaluated because a check it depends on failed (or a fetch is pending).
    Skip,
}

impl Status {
    /// ✓, ✗ or –, so status never depends on colour alone.
    pub fn mark(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Fail(_) => "✗",
            Status::Skip => "–",
        }
    }

    /// `pass`, `fail`, `skip`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail(_) => "fail",
            Status::Skip => "skip",
        }
    }

    /// The reason, when it failed.
    pub fn reason(self) -> Option<Reason> {
        match self {
            Status::Fail(reason) => Some(reason),
            _ => None,
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    /// Which check.
    pub check: Check,
    /// How it came out.
    pub status: Status,
    /// What was found and what was expected.
    pub detail: String,
    /// When the controller answers this failure other than its reason's usual answer (an
    /// unknown `alg` fails the first, unverified parse: "missing"; a string `exp` fails the
    /// signer's verification: "invalid").
    pub client_error: Option<ClientError>,
}

impl CheckOutcome {
    /// The client's error for this failure.
    pub fn client_error(&self) -> Option<ClientError> {
        self.client_error
            .or_else(|| self.status.reason().map(Reason::client_error))
    }
}

impl Serialize for CheckOutcome {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("CheckOutcome", 4)?;
        s.serialize_field("check", &self.check)?;
        s.serialize_field("status", self.status.name())?;
        s.serialize_field("reason", &self.status.reason())?;
        s.serialize_field("detail", &self.detail)?;
        s.end()
    }
}

//! The checks of design §3, their order, and the reason codes they fail with. One table here
//! drives the CLI's JSON, its human report and the console's messages.

use serde::Serialize;

/// One of the controller's checks, in the order it applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Check {
    /// Size, parts, JSON, number types.
    #[serde(rename = "format")]
    Format,
    /// `iss` names exactly one signer.
    #[serde(rename = "signer")]
    Signer,
    /// That signer is enabled.
    #[serde(rename = "enabled")]
    Enabled,
    /// `alg` is asymmetric and matches the key.
    #[serde(rename = "algorithm")]
    Algorithm,
    /// `kid` selects a key.
    #[serde(rename = "key")]
    Key,
    /// The signature verifies.
    #[serde(rename = "signature")]
    Signature,
    /// `exp`.
    #[serde(rename = "expiry")]
    Expiry,
    /// `nbf`.
    #[serde(rename = "not-before")]
    NotBefore,
    /// `aud` holds the signer's audience.
    #[serde(rename = "audience")]
    Audience,
    /// The claims property resolves to a string.
    #[serde(rename = "claim")]
    Claim,
    /// The claim maps to an identity.
    #[serde(rename = "identity")]
    Identity,
    /// That identity is not disabled.
    #[serde(rename = "identity-enabled")]
    IdentityEnabled,
}

impl Check {
    /// Every check, in order.
    pub const ALL: [Check; 12] = [
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
        }
    }
}

/// Why the controller would reject a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Check 1.
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
        }
    }

    /// Where an admin fixes this, when it is something a form can change.
    pub fn fix(self) -> Option<&'static str> {
        Some(match self {
            Reason::UnknownIssuer => {
                "add a signer with this issuer, or correct the Issuer field of the signer you meant (compared byte for byte)"
            }
            Reason::SignerDisabled => "signer form: turn Enabled on",
            Reason::KeyNotFound => {
                "signer form: set Kid to the token's kid (certificate signers), or check the IdP's JWKS"
            }
            Reason::AudienceMismatch => {
                "signer form: set Audience to the token's aud, or fix the audience at the IdP"
            }
            Reason::ClaimInvalid => {
                "signer form: point Claims property at a string claim of the token"
            }
            Reason::IdentityNotFound => {
                "identity form: set External ID to the claim value (or create that identity)"
            }
            Reason::IdentityDisabled => "identity form: turn Disabled off",
            Reason::Expired | Reason::NotYetValid => {
                "get a fresh token, or check this host's clock (--leeway allows skew)"
            }
            Reason::Malformed
            | Reason::UnsupportedAlgorithm
            | Reason::KeyUnavailable
            | Reason::BadSignature => return None,
        })
    }
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Holds.
    Pass,
    /// Does not hold; the token is rejected.
    Fail,
    /// Could not be evaluated because a check it depends on failed (or a fetch is pending).
    Skip,
}

impl Status {
    /// ✓, ✗ or –, so status never depends on colour alone.
    pub fn mark(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Fail => "✗",
            Status::Skip => "–",
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckOutcome {
    /// Which check.
    pub check: Check,
    /// How it came out.
    pub status: Status,
    /// What was found and what was expected.
    pub detail: String,
    /// The reason code, when it failed.
    #[serde(skip)]
    pub reason: Option<Reason>,
}

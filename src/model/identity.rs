//! Identities: who a token maps to, through its external ID (or its id).

use serde::{Deserialize, Serialize};

use super::error::ValidationErrors;
use super::limits::{self, Characters};
use super::signer::DEFAULT_AUTH_POLICY;

/// The controller's identity types, as controllers since v0.30 have them. Older controllers
/// also had `User`, `Device` and `Service`; the controller now reads those as `Default`, and so
/// does [`IdentityType::parse_legacy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum IdentityType {
    /// Every identity that is not a router (the controller's default).
    #[default]
    Default,
    /// A router's identity.
    Router,
}

/// The type names older controllers had, which now mean `Default`.
pub const LEGACY_IDENTITY_TYPES: [&str; 3] = ["User", "Device", "Service"];

impl IdentityType {
    /// Every value, in the order a form cycles through them.
    pub const ALL: [IdentityType; 2] = [IdentityType::Default, IdentityType::Router];

    /// Every value's name, in [`IdentityType::ALL`] order (a form's choices).
    pub const NAMES: [&'static str; 2] = [Self::ALL[0].as_str(), Self::ALL[1].as_str()];

    /// The stored and displayed name.
    pub const fn as_str(self) -> &'static str {
        match self {
            IdentityType::Default => "Default",
            IdentityType::Router => "Router",
        }
    }

    /// Parses a current type name, case-insensitively.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(raw.trim()))
    }

    /// Parses a type name as a controller reads it: a legacy `User`, `Device` or `Service` is
    /// `Default` (the bool says it was one, for import summaries).
    pub fn parse_legacy(raw: &str) -> Option<(Self, bool)> {
        match Self::parse(raw) {
            Some(t) => Some((t, false)),
            None => LEGACY_IDENTITY_TYPES
                .iter()
                .any(|l| l.eq_ignore_ascii_case(raw.trim()))
                .then_some((IdentityType::Default, true)),
        }
    }
}

/// Everything an admin can set on an identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityDraft {
    /// Unique name.
    pub name: String,
    /// Type of identity.
    #[serde(rename = "type")]
    pub identity_type: IdentityType,
    /// Whether the identity is an administrator.
    pub is_admin: bool,
    /// The value a token's claim must equal (case-sensitive) to map here.
    pub external_id: Option<String>,
    /// The identity's auth policy.
    pub auth_policy_id: String,
    /// Set when the controller's `disabledAt` is: the identity cannot log in (until
    /// `disabled_until`, when that is set).
    pub disabled: bool,
    /// The end of a timed lock, RFC 3339 UTC; None locks until turned off. Only meaningful
    /// while `disabled` is set.
    #[serde(default)]
    pub disabled_until: Option<String>,
    /// The controller's role attributes (its service and router policies select identities by
    /// them); kept so data round-trips.
    #[serde(default)]
    pub role_attributes: Vec<String>,
}

impl Default for IdentityDraft {
    fn default() -> Self {
        Self {
            name: String::new(),
            identity_type: IdentityType::Default,
            is_admin: false,
            external_id: None,
            auth_policy_id: DEFAULT_AUTH_POLICY.to_string(),
            disabled: false,
            disabled_until: None,
            role_attributes: Vec::new(),
        }
    }
}

impl IdentityDraft {
    /// Normalises (trimmed name, blank externalId → none, empty policy → default) and validates.
    pub fn validate(&self) -> Result<IdentityDraft, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut d = self.clone();
        d.name = d.name.trim().to_string();
        // The external ID is matched exactly, so only a blank one is changed (to none).
        d.external_id = d.external_id.filter(|x| !x.trim().is_empty());
        d.auth_policy_id = match d.auth_policy_id.trim() {
            "" => DEFAULT_AUTH_POLICY.to_string(),
            other => other.to_string(),
        };
        if d.name.is_empty() {
            errors.push("name", "required: give the identity a unique name");
        }
        d.disabled_until = match d.disabled_until.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(_) if !d.disabled => None,
            Some(raw) => match chrono::DateTime::parse_from_rfc3339(raw) {
                Ok(t) => Some(
                    t.with_timezone(&chrono::Utc)
                        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                ),
                Err(e) => {
                    errors.push(
                        "disabledUntil",
                        format!(
                            "\"{raw}\" is not an RFC 3339 time ({e}); write e.g. 2026-12-24T18:00:00Z"
                        ),
                    );
                    None
                }
            },
        };
        limits::check_name(&mut errors, "name", &d.name);
        if let Some(external_id) = &d.external_id {
            limits::check(
                &mut errors,
                "externalId",
                external_id,
                limits::TEXT_MAX_BYTES,
                Characters::Plain,
            );
        }
        limits::check(
            &mut errors,
            "authPolicyId",
            &d.auth_policy_id,
            limits::TEXT_MAX_BYTES,
            Characters::Any,
        );
        d.role_attributes = d
            .role_attributes
            .iter()
            .map(|a| a.trim().to_string())
            .collect();
        if d.role_attributes.iter().any(String::is_empty) {
            errors.push("roleAttributes", "an empty role attribute; remove it");
        }
        for attribute in &d.role_attributes {
            limits::check_name(&mut errors, "roleAttributes", attribute);
        }
        errors.into_result(d)
    }
}

impl IdentityDraft {
    /// Whether the identity is disabled at `now`, as the controller computes it: `disabledAt`
    /// set, and `disabledUntil` absent or later than `now`.
    pub fn is_disabled_at(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.disabled
            && match &self.disabled_until {
                None => true,
                Some(until) => chrono::DateTime::parse_from_rfc3339(until)
                    .map(|t| t > now)
                    .unwrap_or(true),
            }
    }
}

/// Warnings for values that hold invisible or bidi characters, for `show` and the detail view.
pub fn lookalike_warnings(d: &IdentityDraft) -> Vec<String> {
    d.external_id
        .as_deref()
        .and_then(|x| limits::lookalike_warning("externalId", x))
        .into_iter()
        .collect()
}

/// A stored identity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// UUID v4.
    pub id: String,
    /// The editable fields.
    #[serde(flatten)]
    pub draft: IdentityDraft,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
    /// Bumped on every update.
    #[serde(skip)]
    pub version: i64,
}

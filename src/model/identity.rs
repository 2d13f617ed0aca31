//! Identities: who a token maps to, through its external ID (or its id).

use serde::{Deserialize, Serialize};

use super::error::ValidationErrors;
use super::limits::{self, Characters};
use super::signer::DEFAULT_AUTH_POLICY;

/// The controller's identity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum IdentityType {
    /// A person (the default).
    #[default]
    User,
    /// A device.
    Device,
    /// A service.
    Service,
    /// A router.
    Router,
    /// The controller's "Default" type.
    Default,
}

impl IdentityType {
    /// Every value, in the order a form cycles through them.
    pub const ALL: [IdentityType; 5] = [
        IdentityType::User,
        IdentityType::Device,
        IdentityType::Service,
        IdentityType::Router,
        IdentityType::Default,
    ];

    /// Every value's name, in [`IdentityType::ALL`] order (a form's choices).
    pub const NAMES: [&'static str; 5] = {
        let mut names = [""; 5];
        let mut i = 0;
        while i < names.len() {
            names[i] = Self::ALL[i].as_str();
            i += 1;
        }
        names
    };

    /// The stored and displayed name.
    pub const fn as_str(self) -> &'static str {
        match self {
            IdentityType::User => "User",
            IdentityType::Device => "Device",
            IdentityType::Service => "Service",
            IdentityType::Router => "Router",
            IdentityType::Default => "Default",
        }
    }

    /// Parses a type name, case-insensitively.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(raw.trim()))
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
}

impl Default for IdentityDraft {
    fn default() -> Self {
        Self {
            name: String::new(),
            identity_type: IdentityType::User,
            is_admin: false,
            external_id: None,
            auth_policy_id: DEFAULT_AUTH_POLICY.to_string(),
            disabled: false,
            disabled_until: None,
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

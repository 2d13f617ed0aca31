//! Auth policies: which primary authentications an identity may use, and from which signers
//! (design §2 "Auth policy"). Only the ext-JWT parts have behaviour here (verify check 13); the
//! rest is kept so a controller's data round-trips. Field names and defaults are the
//! controller's (openziti/ziti `controller/db/auth_policy_store.go`, edge-api
//! `source/management/auth-policies.yml`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::ValidationErrors;
use super::limits::{self, Characters};
use super::signer::DEFAULT_AUTH_POLICY;

/// The built-in policy's name (its id is [`DEFAULT_AUTH_POLICY`]).
pub const DEFAULT_AUTH_POLICY_NAME: &str = "Default";

/// The controller raises a shorter minimum password length to this on save.
pub const MIN_PASSWORD_LENGTH: i64 = 5;

/// Certificate primary authentication (kept, no behaviour here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertPrimary {
    /// Whether certificate login is allowed.
    pub allowed: bool,
    /// Whether an expired client certificate still logs in.
    pub allow_expired_certs: bool,
}

/// Password (updb) primary authentication (kept, no behaviour here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdbPrimary {
    /// Whether password login is allowed.
    pub allowed: bool,
    /// Needs a special character.
    pub require_special_char: bool,
    /// Needs a digit.
    pub require_number_char: bool,
    /// Needs upper and lower case.
    pub require_mixed_case: bool,
    /// Minimum length (the controller raises anything under 5 to 5).
    pub min_password_length: i64,
    /// Failed attempts before a lockout; 0 is unlimited.
    pub max_attempts: i64,
    /// Lockout length; 0 is until unlocked.
    pub lockout_duration_minutes: i64,
}

/// External-JWT primary authentication: what check 13 reads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtJwtPrimary {
    /// Whether ext-JWT login is allowed at all.
    pub allowed: bool,
    /// Signer ids a token may come from; empty allows every signer.
    #[serde(default)]
    pub allowed_signers: Vec<String>,
}

/// The primary authentications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrimaryAuth {
    /// Certificates.
    pub cert: CertPrimary,
    /// External JWTs.
    pub ext_jwt: ExtJwtPrimary,
    /// Passwords.
    pub updb: UpdbPrimary,
}

/// Secondary (second-factor) requirements.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecondaryAuth {
    /// A TOTP code is required after the primary login.
    pub require_totp: bool,
    /// A token from this signer (id) is required after the primary login.
    #[serde(default)]
    pub require_ext_jwt_signer: Option<String>,
}

/// Everything an admin can set on an auth policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthPolicyDraft {
    /// Unique name.
    pub name: String,
    /// Primary authentications.
    pub primary: PrimaryAuth,
    /// Secondary requirements.
    pub secondary: SecondaryAuth,
    /// Free-form tags (a JSON object).
    #[serde(default)]
    pub tags: Map<String, Value>,
}

impl Default for AuthPolicyDraft {
    /// What the controller gives a new policy: everything allowed, no second factor.
    fn default() -> Self {
        Self {
            name: String::new(),
            primary: PrimaryAuth {
                cert: CertPrimary {
                    allowed: true,
                    allow_expired_certs: true,
                },
                ext_jwt: ExtJwtPrimary {
                    allowed: true,
                    allowed_signers: Vec::new(),
                },
                updb: UpdbPrimary {
                    allowed: true,
                    require_special_char: false,
                    require_number_char: false,
                    require_mixed_case: false,
                    min_password_length: MIN_PASSWORD_LENGTH,
                    max_attempts: 0,
                    lockout_duration_minutes: 0,
                },
            },
            secondary: SecondaryAuth::default(),
            tags: Map::new(),
        }
    }
}

impl AuthPolicyDraft {
    /// The built-in `Default` policy as every database starts with it.
    pub fn builtin_default() -> Self {
        Self {
            name: DEFAULT_AUTH_POLICY_NAME.to_string(),
            ..Self::default()
        }
    }

    /// Normalises (trimmed name, duplicate signers dropped, the controller's clamps on the
    /// password numbers) and validates. Signer references are checked by the store, which
    /// knows the signers.
    pub fn validate(&self) -> Result<AuthPolicyDraft, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut d = self.clone();
        d.name = d.name.trim().to_string();
        if d.name.is_empty() {
            errors.push("name", "required: give the auth policy a unique name");
        }
        limits::check_name(&mut errors, "name", &d.name);
        let mut seen = std::collections::HashSet::new();
        d.primary
            .ext_jwt
            .allowed_signers
            .retain(|id| seen.insert(id.clone()));
        for id in &d.primary.ext_jwt.allowed_signers {
            limits::check(
                &mut errors,
                "primary.extJwt.allowedSigners",
                id,
                limits::TEXT_MAX_BYTES,
                Characters::Plain,
            );
        }
        d.secondary.require_ext_jwt_signer = d
            .secondary
            .require_ext_jwt_signer
            .filter(|id| !id.trim().is_empty());
        // As the controller's PersistEntity: negative counts mean "unlimited"/"indefinite",
        // a short minimum length is raised.
        let updb = &mut d.primary.updb;
        updb.max_attempts = updb.max_attempts.max(0);
        updb.lockout_duration_minutes = updb.lockout_duration_minutes.max(0);
        updb.min_password_length = updb.min_password_length.max(MIN_PASSWORD_LENGTH);
        errors.into_result(d)
    }

    /// Every field by its JSON path (`primary.extJwt.allowed`), in serialisation order; `tags`
    /// is one value. The paths are the names validation errors, the CLI's "what changed" line
    /// and the console's form rows use.
    pub fn fields(&self) -> Map<String, Value> {
        fn walk(prefix: &str, value: Value, out: &mut Map<String, Value>) {
            match value {
                Value::Object(map) if prefix != "tags" => {
                    for (k, v) in map {
                        let key = if prefix.is_empty() {
                            k
                        } else {
                            format!("{prefix}.{k}")
                        };
                        walk(&key, v, out);
                    }
                }
                other => {
                    out.insert(prefix.to_string(), other);
                }
            }
        }
        let mut out = Map::new();
        // A draft is plain data: serialising it cannot fail.
        walk("", serde_json::to_value(self).unwrap_or_default(), &mut out);
        out
    }

    /// Whether a token from signer `signer_id` may log in under this policy (check 13, as the
    /// controller's `AuthModuleExtJwt.ProcessPrimary`).
    pub fn admits(&self, signer_id: &str) -> Result<(), PolicyRefusal> {
        let ext_jwt = &self.primary.ext_jwt;
        if !ext_jwt.allowed {
            return Err(PolicyRefusal::ExtJwtNotAllowed);
        }
        if !ext_jwt.allowed_signers.is_empty()
            && !ext_jwt.allowed_signers.iter().any(|id| id == signer_id)
        {
            return Err(PolicyRefusal::SignerNotAllowed);
        }
        Ok(())
    }
}

/// Why a policy refuses an ext-JWT login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyRefusal {
    /// `primary.extJwt.allowed` is false.
    ExtJwtNotAllowed,
    /// `primary.extJwt.allowedSigners` is set and does not hold the signer.
    SignerNotAllowed,
}

/// A stored auth policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthPolicy {
    /// `default` for the built-in policy, else as other rows (design §2 "Ids").
    pub id: String,
    /// The editable fields.
    #[serde(flatten)]
    pub draft: AuthPolicyDraft,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
    /// Bumped on every update.
    #[serde(skip)]
    pub version: i64,
}

impl AuthPolicy {
    /// The built-in policy, which exists in every database and cannot be deleted.
    pub fn is_builtin(&self) -> bool {
        self.id == DEFAULT_AUTH_POLICY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_follows_allowed_and_the_signer_list() {
        let mut d = AuthPolicyDraft::builtin_default();
        assert_eq!(d.admits("s1"), Ok(()));
        d.primary.ext_jwt.allowed_signers = vec!["s2".into()];
        assert_eq!(d.admits("s1"), Err(PolicyRefusal::SignerNotAllowed));
        assert_eq!(d.admits("s2"), Ok(()));
        d.primary.ext_jwt.allowed = false;
        assert_eq!(d.admits("s2"), Err(PolicyRefusal::ExtJwtNotAllowed));
    }

    #[test]
    fn validate_applies_the_controllers_clamps_and_names_the_field() {
        let mut d = AuthPolicyDraft {
            name: "  Contractors ".into(),
            ..AuthPolicyDraft::default()
        };
        d.primary.updb.min_password_length = 2;
        d.primary.updb.max_attempts = -3;
        d.primary.ext_jwt.allowed_signers = vec!["a".into(), "a".into()];
        let valid = d.validate().expect("valid");
        assert_eq!(valid.name, "Contractors");
        assert_eq!(valid.primary.updb.min_password_length, 5);
        assert_eq!(valid.primary.updb.max_attempts, 0);
        assert_eq!(valid.primary.ext_jwt.allowed_signers, vec!["a".to_string()]);
        let blank = AuthPolicyDraft::default().validate().unwrap_err();
        assert!(blank.for_field("name").is_some());
    }
}

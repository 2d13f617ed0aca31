//! Reading one import record field by field, with the controller's defaults.

use serde_json::{Map, Value};

use super::ImportError;
use crate::model::auth_policy::{
    CertPrimary, ExtJwtPrimary, PrimaryAuth, SecondaryAuth, UpdbPrimary,
};
use crate::model::import::{Imported, check_id};
use crate::model::signer::{DEFAULT_AUTH_POLICY, DEFAULT_CLAIMS_PROPERTY};
use crate::model::{AuthPolicyDraft, IdentityDraft, IdentityType, SignerDraft, TargetToken};

/// Fields of a record that are not part of a draft.
pub struct RecordMeta {
    /// `id`, if present (checked: kept as given).
    pub id: Option<String>,
    /// `createdAt`, if it is RFC 3339.
    pub created_at: Option<String>,
    /// `updatedAt`, if it is RFC 3339.
    pub updated_at: Option<String>,
}

impl RecordMeta {
    /// The validated record `draft` at `list[index]`, with these fields.
    pub fn with<T>(self, list: &'static str, index: usize, draft: T) -> Imported<T> {
        Imported {
            list,
            index,
            id: self.id,
            created_at: self.created_at,
            updated_at: self.updated_at,
            draft,
        }
    }
}

/// One JSON object of an import list.
pub struct Reader<'a> {
    object: &'a Map<String, Value>,
    list: &'static str,
    index: usize,
}

impl<'a> Reader<'a> {
    pub fn new(value: &'a Value, list: &'static str, index: usize) -> Result<Self, ImportError> {
        match value {
            Value::Object(object) => Ok(Reader {
                object,
                list,
                index,
            }),
            _ => Err(ImportError::Record {
                list,
                index,
                field: "record",
                message: "must be a JSON object".into(),
            }),
        }
    }

    fn error(&self, field: &'static str, message: impl Into<String>) -> ImportError {
        ImportError::Record {
            list: self.list,
            index: self.index,
            field,
            message: message.into(),
        }
    }

    fn string(&self, field: &'static str) -> Result<Option<String>, ImportError> {
        match self.object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.error(field, format!("must be a string, found {other}"))),
        }
    }

    fn boolean(&self, field: &'static str, default: bool) -> Result<bool, ImportError> {
        match self.object.get(field) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.error(field, format!("must be true or false, found {other}"))),
        }
    }

    fn strings(&self, field: &'static str) -> Result<Vec<String>, ImportError> {
        match self.object.get(field) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.error(field, format!("must hold strings, found {other}"))),
                })
                .collect(),
            Some(other) => {
                Err(self.error(field, format!("must be a list of strings, found {other}")))
            }
        }
    }

    /// The value at a dotted path (`primary.extJwt.allowed`); a missing or null step is None,
    /// a step that is not an object an error naming the path so far.
    fn at(&self, path: &'static str) -> Result<Option<&'a Value>, ImportError> {
        let mut object = self.object;
        let mut steps = path.split('.').peekable();
        while let Some(step) = steps.next() {
            let value = match object.get(step) {
                None | Some(Value::Null) => return Ok(None),
                Some(value) => value,
            };
            if steps.peek().is_none() {
                return Ok(Some(value));
            }
            match value {
                Value::Object(inner) => object = inner,
                other => {
                    return Err(
                        self.error(path, format!("{step} must be an object, found {other}"))
                    );
                }
            }
        }
        Ok(None)
    }

    fn bool_at(&self, path: &'static str, default: bool) -> Result<bool, ImportError> {
        match self.at(path)? {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.error(path, format!("must be true or false, found {other}"))),
        }
    }

    fn int_at(&self, path: &'static str, default: i64) -> Result<i64, ImportError> {
        match self.at(path)? {
            None => Ok(default),
            Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64().unwrap_or(default)),
            Some(other) => Err(self.error(path, format!("must be an integer, found {other}"))),
        }
    }

    fn string_at(&self, path: &'static str) -> Result<Option<String>, ImportError> {
        match self.at(path)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.error(path, format!("must be a string, found {other}"))),
        }
    }

    fn strings_at(&self, path: &'static str) -> Result<Vec<String>, ImportError> {
        match self.at(path)? {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.error(path, format!("must hold strings, found {other}"))),
                })
                .collect(),
            Some(other) => {
                Err(self.error(path, format!("must be a list of strings, found {other}")))
            }
        }
    }

    fn tags(&self) -> Result<Map<String, Value>, ImportError> {
        match self.object.get("tags") {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(map)) => Ok(map.clone()),
            Some(other) => Err(self.error("tags", format!("must be an object, found {other}"))),
        }
    }

    fn time(&self, field: &'static str) -> Option<String> {
        self.object
            .get(field)
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| crate::model::format_rfc3339(t.with_timezone(&chrono::Utc)))
    }

    fn meta(&self) -> Result<RecordMeta, ImportError> {
        let id = self.string("id")?;
        if let Some(id) = &id {
            check_id(id).map_err(|message| self.error("id", message))?;
        }
        Ok(RecordMeta {
            id,
            created_at: self.time("createdAt"),
            updated_at: self.time("updatedAt"),
        })
    }

    /// A signer draft, with the import defaults (useExternalId false, like the controller's API).
    pub fn signer(&self) -> Result<(SignerDraft, RecordMeta), ImportError> {
        let target_token = match self.string("targetToken")? {
            None => TargetToken::Access,
            Some(raw) => TargetToken::parse(&raw).ok_or_else(|| {
                self.error("targetToken", format!("\"{raw}\" is not ACCESS or ID"))
            })?,
        };
        let tags = self.tags()?;
        let draft = SignerDraft {
            name: self.string("name")?.unwrap_or_default(),
            issuer: self.string("issuer")?.unwrap_or_default(),
            audience: self.string("audience")?.unwrap_or_default(),
            cert_pem: self.string("certPem")?,
            jwks_endpoint: self.string("jwksEndpoint")?,
            kid: self.string("kid")?,
            claims_property: self
                .string("claimsProperty")?
                .unwrap_or_else(|| DEFAULT_CLAIMS_PROPERTY.into()),
            use_external_id: self.boolean("useExternalId", false)?,
            enabled: self.boolean("enabled", false)?,
            external_auth_url: self.string("externalAuthUrl")?,
            client_id: self.string("clientId")?,
            scopes: self.strings("scopes")?,
            target_token,
            enroll_to_cert_enabled: self.boolean("enrollToCertEnabled", false)?,
            enroll_to_token_enabled: self.boolean("enrollToTokenEnabled", false)?,
            enroll_name_claims_selector: self
                .string("enrollNameClaimsSelector")?
                .unwrap_or_else(|| DEFAULT_CLAIMS_PROPERTY.into()),
            enroll_attribute_claims_selector: self.string("enrollAttributeClaimsSelector")?,
            enroll_auth_policy_id: self
                .string("enrollAuthPolicyId")?
                .unwrap_or_else(|| DEFAULT_AUTH_POLICY.into()),
            tags,
        };
        Ok((draft, self.meta()?))
    }

    /// An identity draft, from this tool's export, the controller's list output or a
    /// `ziti ops export` file (openziti/edge-api `source/shared/identities.yml`
    /// `identityDetail`; openziti/ziti `ziti/cmd/ascode/exporter/exporter_identities.go`):
    /// - the type is `type` (a name here, an entity reference `{"id": "Default", ...}` in list
    ///   output) or `typeId`; a legacy `User`, `Device` or `Service` reads as `Default` and the
    ///   bool says so;
    /// - the policy is `authPolicyId`, else `authPolicy` (an entity reference, or `@name` in
    ///   an ascode file, resolved by name later);
    /// - `disabledAt` set means disabled (the controller computes `disabled` from it and
    ///   `disabledUntil`).
    pub fn identity(&self) -> Result<(IdentityDraft, RecordMeta, bool), ImportError> {
        let type_name = match (self.object.get("type"), self.string("typeId")?) {
            (Some(Value::Object(reference)), _) => reference
                .get("id")
                .or_else(|| reference.get("name"))
                .and_then(Value::as_str)
                .map(str::to_string),
            (_, Some(type_id)) => Some(type_id),
            _ => self.string("type")?,
        };
        let (identity_type, legacy) = match type_name {
            None => (IdentityType::Default, false),
            Some(raw) => IdentityType::parse_legacy(&raw).ok_or_else(|| {
                self.error(
                    "type",
                    format!(
                        "\"{raw}\" is not an identity type: Default or Router (or the legacy User, Device, Service)"
                    ),
                )
            })?,
        };
        let auth_policy_id = match (self.string("authPolicyId")?, self.object.get("authPolicy")) {
            (Some(id), _) => id,
            (None, Some(Value::String(reference))) => reference.clone(),
            (None, Some(Value::Object(reference))) => reference
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or(DEFAULT_AUTH_POLICY)
                .to_string(),
            (None, Some(Value::Null) | None) => DEFAULT_AUTH_POLICY.into(),
            (None, Some(other)) => {
                return Err(self.error(
                    "authPolicy",
                    format!("must be \"@name\" or an entity reference, found {other}"),
                ));
            }
        };
        // A lock is `disabledAt` with an optional end; the controller sets both together, so
        // an end alone (an ascode file drops `disabledAt`) is a lock too.
        let disabled_at = self.string("disabledAt")?;
        let disabled_until = self.string("disabledUntil")?;
        let draft = IdentityDraft {
            name: self.string("name")?.unwrap_or_default(),
            identity_type,
            is_admin: self.boolean("isAdmin", false)?,
            external_id: self.string("externalId")?,
            auth_policy_id,
            disabled: disabled_at.is_some()
                || disabled_until.is_some()
                || self.boolean("disabled", false)?,
            disabled_until,
            role_attributes: self.strings("roleAttributes")?,
        };
        Ok((draft, self.meta()?, legacy))
    }

    /// An auth policy draft, with the controller's defaults for anything missing (its store's
    /// `FillEntity`: everything allowed, minimum password length 5, 5 attempts).
    pub fn auth_policy(&self) -> Result<(AuthPolicyDraft, RecordMeta), ImportError> {
        let draft = AuthPolicyDraft {
            name: self.string("name")?.unwrap_or_default(),
            primary: PrimaryAuth {
                cert: CertPrimary {
                    allowed: self.bool_at("primary.cert.allowed", true)?,
                    allow_expired_certs: self.bool_at("primary.cert.allowExpiredCerts", true)?,
                },
                ext_jwt: ExtJwtPrimary {
                    allowed: self.bool_at("primary.extJwt.allowed", true)?,
                    allowed_signers: self.strings_at("primary.extJwt.allowedSigners")?,
                },
                updb: UpdbPrimary {
                    allowed: self.bool_at("primary.updb.allowed", true)?,
                    require_special_char: self.bool_at("primary.updb.requireSpecialChar", false)?,
                    require_number_char: self.bool_at("primary.updb.requireNumberChar", false)?,
                    require_mixed_case: self.bool_at("primary.updb.requireMixedCase", false)?,
                    min_password_length: self.int_at(
                        "primary.updb.minPasswordLength",
                        crate::model::auth_policy::MIN_PASSWORD_LENGTH,
                    )?,
                    max_attempts: self.int_at("primary.updb.maxAttempts", 5)?,
                    lockout_duration_minutes: self
                        .int_at("primary.updb.lockoutDurationMinutes", 0)?,
                },
            },
            secondary: SecondaryAuth {
                require_totp: self.bool_at("secondary.requireTotp", false)?,
                require_ext_jwt_signer: self.string_at("secondary.requireExtJwtSigner")?,
            },
            tags: self.tags()?,
        };
        Ok((draft, self.meta()?))
    }
}

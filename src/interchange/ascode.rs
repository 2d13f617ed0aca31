//! `export --format ascode`: the file `ziti ops import` reads (openziti/ziti
//! `ziti/cmd/ascode/importer/`), written the way `ziti ops export` writes it
//! (`ziti/cmd/ascode/exporter/`):
//! - references by `@name`: an identity's `authPolicy`, a policy's `allowedSigners` and
//!   `requireExtJwtSigner`;
//! - no ids, times or fields the controller computes (`commonName`, `fingerprint`,
//!   `notBefore`, `notAfter`, `disabled`);
//! - every identity with an `authPolicy` string and a `roleAttributes` array (the importer
//!   reads both without checking they are there) and `typeId` for its type;
//! - the built-in Default policy left out (the exporter skips it; `@Default` names it).
//!
//! The importer reads the type from a `TypeID` path that the exporter never writes, so every
//! identity it creates is `Default`; `typeId` is written anyway, as the exporter does.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::model::signer::DEFAULT_AUTH_POLICY;
use crate::store::{Store, StoreError};

/// The ascode document for everything in `store`.
pub fn export(store: &Store) -> Result<Value, StoreError> {
    let signers = store.list_signers()?;
    let policies = store.list_auth_policies()?;
    let signer_names: HashMap<&str, &str> = signers
        .iter()
        .map(|s| (s.id.as_str(), s.draft.name.as_str()))
        .collect();
    let policy_names: HashMap<&str, &str> = policies
        .iter()
        .map(|p| (p.id.as_str(), p.draft.name.as_str()))
        .collect();
    // An id nothing names (it cannot happen: the schema enforces references) is written as
    // is rather than dropped.
    let signer_ref = |id: &str| format!("@{}", signer_names.get(id).copied().unwrap_or(id));

    let external_jwt_signers: Vec<Value> = signers
        .iter()
        .map(|s| {
            let mut object = match serde_json::to_value(&s.draft) {
                Ok(Value::Object(object)) => object,
                _ => Map::new(),
            };
            // Computed or read-only on the controller.
            for key in [
                "id",
                "createdAt",
                "updatedAt",
                "commonName",
                "fingerprint",
                "notBefore",
                "notAfter",
            ] {
                object.remove(key);
            }
            object.retain(|_, v| !v.is_null());
            Value::Object(object)
        })
        .collect();

    let auth_policies: Vec<Value> = policies
        .iter()
        .filter(|p| !p.is_builtin())
        .map(|p| {
            let d = &p.draft;
            let u = &d.primary.updb;
            json!({
                "name": d.name,
                "primary": {
                    "cert": {
                        "allowed": d.primary.cert.allowed,
                        "allowExpiredCerts": d.primary.cert.allow_expired_certs,
                    },
                    "extJwt": {
                        "allowed": d.primary.ext_jwt.allowed,
                        "allowedSigners": d.primary.ext_jwt.allowed_signers.iter().map(|id| signer_ref(id)).collect::<Vec<_>>(),
                    },
                    "updb": {
                        "allowed": u.allowed,
                        "lockoutDurationMinutes": u.lockout_duration_minutes,
                        "maxAttempts": u.max_attempts,
                        "minPasswordLength": u.min_password_length,
                        "requireMixedCase": u.require_mixed_case,
                        "requireNumberChar": u.require_number_char,
                        "requireSpecialChar": u.require_special_char,
                    },
                },
                "secondary": {
                    "requireExtJwtSigner": d.secondary.require_ext_jwt_signer.as_deref().map(signer_ref),
                    "requireTotp": d.secondary.require_totp,
                },
                "tags": d.tags,
            })
        })
        .collect();

    let mut identities = Vec::new();
    store.for_each_identity::<StoreError>(|i| {
        let d = &i.draft;
        let policy = policy_names
            .get(d.auth_policy_id.as_str())
            .copied()
            .unwrap_or(DEFAULT_AUTH_POLICY);
        let mut object = json!({
            "name": d.name,
            "typeId": d.identity_type.as_str(),
            "isAdmin": d.is_admin,
            "externalId": d.external_id,
            "roleAttributes": d.role_attributes,
            "authPolicy": format!("@{policy}"),
        });
        if let (true, Some(until), Value::Object(map)) =
            (d.disabled, &d.disabled_until, &mut object)
        {
            map.insert("disabledUntil".into(), until.clone().into());
        }
        identities.push(object);
        Ok(())
    })?;

    Ok(json!({
        "authPolicies": auth_policies,
        "externalJwtSigners": external_jwt_signers,
        "identities": identities,
    }))
}

//! Signer rows: CRUD, lookups and conflict reporting.

use std::sync::Arc;

use rusqlite::types::Value;
use rusqlite::{Row, Transaction, params_from_iter};

use super::entity::{self, Entity};
use super::{Store, StoreError};
use crate::model::{Signer, SignerDraft, SignerSummary, TargetToken, ValidSigner, format_rfc3339};

const COLUMNS: &str = "id, name, issuer, audience, cert_pem, jwks_endpoint, kid, claims_property,
    use_external_id, enabled, external_auth_url, client_id, scopes, target_token,
    enroll_to_cert_enabled, enroll_to_token_enabled, enroll_name_claims_selector,
    enroll_attribute_claims_selector, enroll_auth_policy_id, tags, common_name, fingerprint,
    not_before, not_after, created_at, updated_at, version";

impl Entity for Signer {
    const TABLE: &'static str = "signers";
    const KIND: &'static str = "signer";
    const LABEL: &'static str = "signer";
    const COLUMNS: &'static str = COLUMNS;

    fn from_row(r: &Row<'_>) -> rusqlite::Result<Signer> {
        from_row(r)
    }

    fn name(&self) -> &str {
        &self.draft.name
    }

    fn version(&self) -> i64 {
        self.version
    }
}

/// Reads a row selected with `COLUMNS`, by position (name lookups cost more than the query).
fn from_row(r: &Row<'_>) -> rusqlite::Result<Signer> {
    let scopes: String = r.get(12)?;
    let tags: String = r.get(19)?;
    let target: String = r.get(13)?;
    Ok(Signer {
        id: r.get(0)?,
        draft: SignerDraft {
            name: r.get(1)?,
            issuer: r.get(2)?,
            audience: r.get(3)?,
            cert_pem: r.get(4)?,
            jwks_endpoint: r.get(5)?,
            kid: r.get(6)?,
            claims_property: r.get(7)?,
            use_external_id: r.get(8)?,
            enabled: r.get(9)?,
            external_auth_url: r.get(10)?,
            client_id: r.get(11)?,
            // The schema's CHECK constraints guarantee these parse.
            scopes: serde_json::from_str(&scopes).unwrap_or_default(),
            target_token: TargetToken::parse(&target).unwrap_or_default(),
            enroll_to_cert_enabled: r.get(14)?,
            enroll_to_token_enabled: r.get(15)?,
            enroll_name_claims_selector: r.get(16)?,
            enroll_attribute_claims_selector: r.get(17)?,
            enroll_auth_policy_id: r.get(18)?,
            tags: serde_json::from_str(&tags).unwrap_or_default(),
        },
        common_name: r.get(20)?,
        fingerprint: r.get(21)?,
        not_before: r.get(22)?,
        not_after: r.get(23)?,
        created_at: r.get(24)?,
        updated_at: r.get(25)?,
        version: r.get(26)?,
    })
}

/// Every field of `d` whose value another signer (not `own_id`) already has: name, issuer,
/// kid, certificate fingerprint.
fn conflicts(
    conn: &rusqlite::Connection,
    own_id: Option<&str>,
    d: &SignerDraft,
    fingerprint: Option<&str>,
) -> Result<Vec<entity::FieldConflict>, StoreError> {
    let checks: [(&'static str, &str, &str, Option<&str>); 4] = [
        ("name", "name", "name", Some(d.name.as_str())),
        ("issuer", "issuer", "issuer", Some(d.issuer.as_str())),
        (
            "kid",
            "kid",
            "kid",
            d.kid.as_deref().filter(|k| !k.is_empty()),
        ),
        (
            "certPem",
            "fingerprint",
            "certificate fingerprint",
            fingerprint,
        ),
    ];
    let mut found = Vec::new();
    for (field, column, label, value) in checks {
        let Some(value) = value else { continue };
        if let Some(other) = entity::other_with::<Signer>(conn, own_id, column, value)? {
            found.push((
                field,
                format!("a signer with {label} \"{value}\" already exists ({other})"),
            ));
        }
    }
    Ok(found)
}

/// Refuses a signer whose name, issuer, kid or certificate another signer already has, naming
/// that signer.
fn check_conflicts(
    tx: &Transaction<'_>,
    own_id: Option<&str>,
    valid: &ValidSigner,
) -> Result<(), StoreError> {
    let fingerprint = valid.certificate.as_ref().map(|c| c.fingerprint.as_str());
    entity::refuse_first(conflicts(tx, own_id, &valid.draft, fingerprint)?)
}

pub(super) fn insert(
    tx: &Transaction<'_>,
    id: &str,
    valid: &ValidSigner,
    created_at: &str,
    updated_at: &str,
) -> Result<(), StoreError> {
    entity::check_name_id_crossing::<Signer>(tx, id, &valid.draft.name)?;
    // The constraints find a clash; the queries that name the other row run only then.
    let values = std::iter::once(Value::from(id.to_string()))
        .chain(field_values(valid))
        .chain([
            Value::from(created_at.to_string()),
            Value::from(updated_at.to_string()),
        ]);
    tx.prepare_cached(&format!(
        "INSERT INTO signers ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
         ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, 1)"
    ))?
    .execute(params_from_iter(values))
    .map_err(|e| match check_conflicts(tx, None, valid) {
        Err(named) => named,
        Ok(()) => entity::map_constraint(e, "signers"),
    })?;
    Ok(())
}

/// The stored values of every column from `name` to `not_after`, in `COLUMNS` order: one list
/// for both the insert and the update.
fn field_values(valid: &ValidSigner) -> Vec<Value> {
    let d = &valid.draft;
    let cert = valid.certificate.as_ref();
    vec![
        d.name.clone().into(),
        d.issuer.clone().into(),
        d.audience.clone().into(),
        d.cert_pem.clone().into(),
        d.jwks_endpoint.clone().into(),
        d.kid.clone().into(),
        d.claims_property.clone().into(),
        d.use_external_id.into(),
        d.enabled.into(),
        d.external_auth_url.clone().into(),
        d.client_id.clone().into(),
        serde_json::to_string(&d.scopes)
            .unwrap_or_else(|_| "[]".into())
            .into(),
        d.target_token.as_str().to_string().into(),
        d.enroll_to_cert_enabled.into(),
        d.enroll_to_token_enabled.into(),
        d.enroll_name_claims_selector.clone().into(),
        d.enroll_attribute_claims_selector.clone().into(),
        d.enroll_auth_policy_id.clone().into(),
        serde_json::to_string(&d.tags)
            .unwrap_or_else(|_| "{}".into())
            .into(),
        cert.and_then(|c| c.common_name.clone()).into(),
        cert.map(|c| c.fingerprint.clone()).into(),
        cert.map(|c| format_rfc3339(c.not_before)).into(),
        cert.map(|c| format_rfc3339(c.not_after)).into(),
    ]
}

/// Writes `valid` over row `id` if it still has `version`; returns false if it moved.
pub(super) fn overwrite(
    tx: &Transaction<'_>,
    id: &str,
    version: i64,
    valid: &ValidSigner,
) -> Result<bool, StoreError> {
    check_conflicts(tx, Some(id), valid)?;
    entity::check_name_id_crossing::<Signer>(tx, id, &valid.draft.name)?;
    let values = [Value::from(id.to_string()), Value::from(version)]
        .into_iter()
        .chain(field_values(valid))
        .chain([Value::from(super::now())]);
    let changed = tx
        .prepare_cached(
            "UPDATE signers SET name = ?3, issuer = ?4, audience = ?5, cert_pem = ?6,
             jwks_endpoint = ?7, kid = ?8, claims_property = ?9, use_external_id = ?10,
             enabled = ?11, external_auth_url = ?12, client_id = ?13, scopes = ?14,
             target_token = ?15, enroll_to_cert_enabled = ?16, enroll_to_token_enabled = ?17,
             enroll_name_claims_selector = ?18, enroll_attribute_claims_selector = ?19,
             enroll_auth_policy_id = ?20, tags = ?21, common_name = ?22, fingerprint = ?23,
             not_before = ?24, not_after = ?25, updated_at = ?26, version = version + 1
             WHERE id = ?1 AND version = ?2",
        )?
        .execute(params_from_iter(values))
        .map_err(|e| entity::map_constraint(e, "signers"))?;
    Ok(changed == 1)
}

impl Store {
    /// Every signer, ordered by name.
    pub fn list_signers(&self) -> Result<Vec<Signer>, StoreError> {
        entity::list(&self.conn)
    }

    /// Calls `each` with every signer, ordered by name, one row at a time (so listing 100 000
    /// signers does not hold them all in memory).
    pub fn for_each_signer<E: From<StoreError>>(
        &self,
        each: impl FnMut(Signer) -> Result<(), E>,
    ) -> Result<(), E> {
        entity::for_each(&self.conn, each)
    }

    /// Every signer's table columns, ordered by name (no certificate bodies).
    pub fn list_signer_summaries(&self) -> Result<Vec<SignerSummary>, StoreError> {
        let mut out = Vec::new();
        self.for_each_signer_summary(|s| {
            out.push(s);
            Ok::<(), StoreError>(())
        })?;
        Ok(out)
    }

    /// Calls `each` with every signer's table columns, ordered by name, one row at a time.
    pub fn for_each_signer_summary<E: From<StoreError>>(
        &self,
        mut each: impl FnMut(SignerSummary) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, name, issuer, audience, enabled, created_at, not_after, jwks_endpoint IS NOT NULL
                 FROM signers ORDER BY name",
            )
            .map_err(StoreError::from)?;
        let mut rows = stmt.query([]).map_err(StoreError::from)?;
        while let Some(r) = rows.next().map_err(StoreError::from)? {
            let summary = (|| {
                Ok::<_, rusqlite::Error>(SignerSummary {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    issuer: r.get(2)?,
                    audience: r.get(3)?,
                    enabled: r.get(4)?,
                    created_at: r.get(5)?,
                    not_after: r.get(6)?,
                    uses_jwks: r.get(7)?,
                })
            })()
            .map_err(StoreError::from)?;
            each(summary)?;
        }
        Ok(())
    }

    /// The signer with this id.
    pub fn signer_by_id(&self, id: &str) -> Result<Option<Signer>, StoreError> {
        entity::by_id(&self.conn, id)
    }

    /// The signer with this name.
    pub fn signer_by_name(&self, name: &str) -> Result<Option<Signer>, StoreError> {
        entity::query_one(&self.conn, "name", name)
    }

    /// The signer whose issuer is exactly `issuer` (byte for byte, as the controller matches).
    pub fn signer_by_issuer(&self, issuer: &str) -> Result<Option<Arc<Signer>>, StoreError> {
        self.lookups.signer_by_issuer(&self.conn, issuer, || {
            entity::query_one(&self.conn, "issuer", issuer)
        })
    }

    /// The signer with id `key`, or else named `key` (the id first: a name can never equal
    /// another signer's id, but matching names first would let such a row hijack lookups).
    pub fn find_signer(&self, key: &str) -> Result<Signer, StoreError> {
        entity::find(&self.conn, key)
    }

    /// Every field of `draft` another signer (not `own_id`) already holds, for a form to show
    /// all of them at once next to the model's errors. A certificate that does not parse has no
    /// fingerprint to compare (the model reports it).
    pub fn signer_conflicts(
        &self,
        own_id: Option<&str>,
        draft: &SignerDraft,
    ) -> Result<Vec<entity::FieldConflict>, StoreError> {
        let fingerprint = draft
            .cert_pem
            .as_deref()
            .and_then(|pem| crate::model::CertificateDetails::from_pem(pem).ok())
            .map(|c| c.fingerprint);
        conflicts(&self.conn, own_id, draft, fingerprint.as_deref())
    }

    /// Stores a new signer and returns it.
    pub fn create_signer(&mut self, valid: &ValidSigner) -> Result<Signer, StoreError> {
        self.create_entity(&valid.draft.name, |tx, id, now| {
            insert(tx, id, valid, now, now)
        })
    }

    /// Replaces signer `id`'s fields if it is still at `version`; otherwise `StoreError::Stale`.
    pub fn update_signer(
        &mut self,
        id: &str,
        version: i64,
        valid: &ValidSigner,
    ) -> Result<Signer, StoreError> {
        self.update_entity(
            id,
            version,
            &valid.draft.name,
            |s: &Signer| &s.draft,
            &valid.draft,
            |tx| overwrite(tx, id, version, valid),
        )
    }

    /// Deletes signer `id`, unless an auth policy names it (as the controller's 409, the
    /// error names the policy and where).
    pub fn delete_signer(&mut self, id: &str) -> Result<(), StoreError> {
        self.delete_entity(id, |tx, signer: &Signer| {
            super::auth_policies::refuse_if_signer_referenced(tx, signer)
        })
    }
}

//! Auth policy rows and the references around them: a policy's signers (a join table, so the
//! schema itself refuses a dangling or still-referenced signer), and identities' policies.

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::entity::{self, Entity, map_constraint};
use super::{Store, StoreError};
use crate::model::auth_policy::{
    CertPrimary, ExtJwtPrimary, PrimaryAuth, SecondaryAuth, UpdbPrimary,
};
use crate::model::{AuthPolicy, AuthPolicyDraft, Signer, ValidationErrors};

/// The allowed signers come back as one JSON array, in the order they were given.
const COLUMNS: &str = "id, name, ext_jwt_allowed,
    (SELECT json_group_array(signer_id ORDER BY position) FROM auth_policy_signers
     WHERE policy_id = auth_policies.id),
    cert_allowed, cert_allow_expired_certs, updb_allowed, updb_require_special_char,
    updb_require_number_char, updb_require_mixed_case, updb_min_password_length,
    updb_max_attempts, updb_lockout_duration_minutes, require_totp, require_ext_jwt_signer,
    tags, created_at, updated_at, version";

impl Entity for AuthPolicy {
    const TABLE: &'static str = "auth_policies";
    const KIND: &'static str = "auth-policy";
    const LABEL: &'static str = "auth policy";
    const COLUMNS: &'static str = COLUMNS;

    fn from_row(r: &Row<'_>) -> rusqlite::Result<AuthPolicy> {
        let signers: String = r.get(3)?;
        let tags: String = r.get(15)?;
        Ok(AuthPolicy {
            id: r.get(0)?,
            draft: AuthPolicyDraft {
                name: r.get(1)?,
                primary: PrimaryAuth {
                    ext_jwt: ExtJwtPrimary {
                        allowed: r.get(2)?,
                        // json_group_array always yields an array of strings.
                        allowed_signers: serde_json::from_str(&signers).unwrap_or_default(),
                    },
                    cert: CertPrimary {
                        allowed: r.get(4)?,
                        allow_expired_certs: r.get(5)?,
                    },
                    updb: UpdbPrimary {
                        allowed: r.get(6)?,
                        require_special_char: r.get(7)?,
                        require_number_char: r.get(8)?,
                        require_mixed_case: r.get(9)?,
                        min_password_length: r.get(10)?,
                        max_attempts: r.get(11)?,
                        lockout_duration_minutes: r.get(12)?,
                    },
                },
                secondary: SecondaryAuth {
                    require_totp: r.get(13)?,
                    require_ext_jwt_signer: r.get(14)?,
                },
                // The schema's CHECK constraint guarantees a JSON object.
                tags: serde_json::from_str(&tags).unwrap_or_default(),
            },
            created_at: r.get(16)?,
            updated_at: r.get(17)?,
            version: r.get(18)?,
        })
    }

    fn name(&self) -> &str {
        &self.draft.name
    }

    fn version(&self) -> i64 {
        self.version
    }
}

/// Refuses an identity's policy id that names no policy.
pub(super) fn require_policy(tx: &Transaction<'_>, policy_id: &str) -> Result<(), StoreError> {
    let exists: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM auth_policies WHERE id = ?1")?
        .query_row([policy_id], |r| r.get(0))
        .optional()?;
    match exists {
        Some(_) => Ok(()),
        None => Err(invalid(
            "authPolicyId",
            format!(
                "no auth policy with id \"{policy_id}\" (list them with `extjwt auth-policy list`)"
            ),
        )),
    }
}

fn invalid(field: &'static str, message: String) -> StoreError {
    let mut errors = ValidationErrors::default();
    errors.push(field, message);
    StoreError::Invalid(errors)
}

/// Refuses to delete a signer that a policy names, naming the policy and where (the
/// controller answers such a delete with 409).
pub(super) fn refuse_if_signer_referenced(
    tx: &Transaction<'_>,
    signer: &Signer,
) -> Result<(), StoreError> {
    let uses = references_to_signer(tx, &signer.id)?;
    let Some((policy, place)) = uses.first() else {
        return Ok(());
    };
    let more = match uses.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    Err(StoreError::InUse(format!(
        "signer {} is used by auth policy {policy} ({place}){more}; remove it there first",
        signer.draft.name
    )))
}

/// Every (policy name, "allowed signers" | "required secondary signer") naming `signer_id`.
fn references_to_signer(
    conn: &rusqlite::Connection,
    signer_id: &str,
) -> Result<Vec<(String, &'static str)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.name, 0 FROM auth_policy_signers s JOIN auth_policies p ON p.id = s.policy_id
         WHERE s.signer_id = ?1
         UNION ALL
         SELECT name, 1 FROM auth_policies WHERE require_ext_jwt_signer = ?1
         ORDER BY 1",
    )?;
    let rows = stmt.query_map([signer_id], |r| {
        let secondary: bool = r.get(1)?;
        Ok((
            r.get::<_, String>(0)?,
            if secondary {
                "required secondary signer"
            } else {
                "allowed signers"
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Refuses signer ids that name no signer, naming the field.
fn check_signers_exist(tx: &Transaction<'_>, d: &AuthPolicyDraft) -> Result<(), StoreError> {
    let mut errors = ValidationErrors::default();
    let mut stmt = tx.prepare_cached("SELECT 1 FROM signers WHERE id = ?1")?;
    for id in &d.primary.ext_jwt.allowed_signers {
        if stmt.query_row([id], |_| Ok(())).optional()?.is_none() {
            errors.push(
                "primary.extJwt.allowedSigners",
                format!("no signer with id \"{id}\""),
            );
        }
    }
    if let Some(id) = &d.secondary.require_ext_jwt_signer
        && stmt.query_row([id], |_| Ok(())).optional()?.is_none()
    {
        errors.push(
            "secondary.requireExtJwtSigner",
            format!("no signer with id \"{id}\""),
        );
    }
    errors.into_result(()).map_err(StoreError::Invalid)
}

fn check_conflicts(
    tx: &Transaction<'_>,
    own_id: Option<&str>,
    d: &AuthPolicyDraft,
) -> Result<(), StoreError> {
    entity::refuse_first(conflicts(tx, own_id, d)?)
}

/// Every field of `d` whose value another policy (not `own_id`) already has: its name.
fn conflicts(
    conn: &rusqlite::Connection,
    own_id: Option<&str>,
    d: &AuthPolicyDraft,
) -> Result<Vec<entity::FieldConflict>, StoreError> {
    Ok(
        entity::other_with::<AuthPolicy>(conn, own_id, "name", &d.name)?
            .map(|other| {
                (
                    "name",
                    format!("an auth policy named \"{other}\" already exists"),
                )
            })
            .into_iter()
            .collect(),
    )
}

/// The stored values from `name` to `tags`, in the order of the insert and the update.
fn field_values(d: &AuthPolicyDraft) -> [rusqlite::types::Value; 14] {
    let p = &d.primary;
    [
        d.name.clone().into(),
        p.ext_jwt.allowed.into(),
        p.cert.allowed.into(),
        p.cert.allow_expired_certs.into(),
        p.updb.allowed.into(),
        p.updb.require_special_char.into(),
        p.updb.require_number_char.into(),
        p.updb.require_mixed_case.into(),
        p.updb.min_password_length.into(),
        p.updb.max_attempts.into(),
        p.updb.lockout_duration_minutes.into(),
        d.secondary.require_totp.into(),
        d.secondary.require_ext_jwt_signer.clone().into(),
        serde_json::to_string(&d.tags)
            .unwrap_or_else(|_| "{}".into())
            .into(),
    ]
}

fn write_signers(tx: &Transaction<'_>, id: &str, d: &AuthPolicyDraft) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM auth_policy_signers WHERE policy_id = ?1")?
        .execute([id])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO auth_policy_signers (policy_id, signer_id, position) VALUES (?1, ?2, ?3)",
    )?;
    for (position, signer_id) in d.primary.ext_jwt.allowed_signers.iter().enumerate() {
        stmt.execute(params![id, signer_id, position as i64])?;
    }
    Ok(())
}

/// [`insert_unchecked`] after checking that the named signers exist.
fn insert(
    tx: &Transaction<'_>,
    id: &str,
    d: &AuthPolicyDraft,
    created_at: &str,
    updated_at: &str,
) -> Result<(), StoreError> {
    check_signers_exist(tx, d)?;
    insert_unchecked(tx, id, d, created_at, updated_at)
}

/// Writes a new policy row; the signer references are left to the schema (an import checks
/// them at commit, since a signer may come later in the file).
pub(super) fn insert_unchecked(
    tx: &Transaction<'_>,
    id: &str,
    d: &AuthPolicyDraft,
    created_at: &str,
    updated_at: &str,
) -> Result<(), StoreError> {
    entity::check_name_id_crossing::<AuthPolicy>(tx, id, &d.name)?;
    check_conflicts(tx, None, d)?;
    let values = std::iter::once(rusqlite::types::Value::from(id.to_string()))
        .chain(field_values(d))
        .chain([created_at.to_string().into(), updated_at.to_string().into()]);
    tx.prepare_cached(
        "INSERT INTO auth_policies (id, name, ext_jwt_allowed, cert_allowed,
            cert_allow_expired_certs, updb_allowed, updb_require_special_char,
            updb_require_number_char, updb_require_mixed_case, updb_min_password_length,
            updb_max_attempts, updb_lockout_duration_minutes, require_totp,
            require_ext_jwt_signer, tags, created_at, updated_at, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 1)",
    )?
    .execute(rusqlite::params_from_iter(values))
    .map_err(|e| map_constraint(e, "auth_policies"))?;
    write_signers(tx, id, d)
}

/// [`overwrite_unchecked`] after checking that the named signers exist.
fn overwrite(
    tx: &Transaction<'_>,
    id: &str,
    version: i64,
    d: &AuthPolicyDraft,
) -> Result<bool, StoreError> {
    check_signers_exist(tx, d)?;
    overwrite_unchecked(tx, id, version, d)
}

/// Writes `d` over policy `id` if it still has `version`; returns false if it moved. Signer
/// references as [`insert_unchecked`].
pub(super) fn overwrite_unchecked(
    tx: &Transaction<'_>,
    id: &str,
    version: i64,
    d: &AuthPolicyDraft,
) -> Result<bool, StoreError> {
    entity::check_name_id_crossing::<AuthPolicy>(tx, id, &d.name)?;
    check_conflicts(tx, Some(id), d)?;
    let values = [id.to_string().into(), version.into()]
        .into_iter()
        .chain(field_values(d))
        .chain([super::now().into()]);
    let changed = tx
        .prepare_cached(
            "UPDATE auth_policies SET name = ?3, ext_jwt_allowed = ?4, cert_allowed = ?5,
             cert_allow_expired_certs = ?6, updb_allowed = ?7, updb_require_special_char = ?8,
             updb_require_number_char = ?9, updb_require_mixed_case = ?10,
             updb_min_password_length = ?11, updb_max_attempts = ?12,
             updb_lockout_duration_minutes = ?13, require_totp = ?14,
             require_ext_jwt_signer = ?15, tags = ?16, updated_at = ?17, version = version + 1
             WHERE id = ?1 AND version = ?2",
        )?
        .execute(rusqlite::params_from_iter(values))
        .map_err(|e| map_constraint(e, "auth_policies"))?;
    if changed == 1 {
        write_signers(tx, id, d)?;
    }
    Ok(changed == 1)
}

/// Where a signer is named by auth policies, for detail views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyReference {
    /// The policy's name.
    pub policy: String,
    /// "allowed signers" or "required secondary signer".
    pub place: &'static str,
}

impl Store {
    /// Every auth policy, ordered by name.
    pub fn list_auth_policies(&self) -> Result<Vec<AuthPolicy>, StoreError> {
        entity::list(&self.conn)
    }

    /// Calls `each` with every auth policy, ordered by name, one row at a time.
    pub fn for_each_auth_policy<E: From<StoreError>>(
        &self,
        each: impl FnMut(AuthPolicy) -> Result<(), E>,
    ) -> Result<(), E> {
        entity::for_each(&self.conn, each)
    }

    /// The auth policy with this id.
    pub fn auth_policy_by_id(&self, id: &str) -> Result<Option<AuthPolicy>, StoreError> {
        entity::by_id(&self.conn, id)
    }

    /// The auth policy with id `key`, or else named `key` (the id first).
    pub fn find_auth_policy(&self, key: &str) -> Result<AuthPolicy, StoreError> {
        entity::find(&self.conn, key)
    }

    /// Every field of `draft` another policy (not `own_id`) already holds (for a form).
    pub fn auth_policy_conflicts(
        &self,
        own_id: Option<&str>,
        draft: &AuthPolicyDraft,
    ) -> Result<Vec<entity::FieldConflict>, StoreError> {
        conflicts(&self.conn, own_id, draft)
    }

    /// Stores a new auth policy from a validated draft.
    pub fn create_auth_policy(
        &mut self,
        draft: &AuthPolicyDraft,
    ) -> Result<AuthPolicy, StoreError> {
        self.create_entity(&draft.name, |tx, id, now| insert(tx, id, draft, now, now))
    }

    /// Replaces auth policy `id`'s fields if it is still at `version`.
    pub fn update_auth_policy(
        &mut self,
        id: &str,
        version: i64,
        draft: &AuthPolicyDraft,
    ) -> Result<AuthPolicy, StoreError> {
        self.update_entity(
            id,
            version,
            &draft.name,
            |p: &AuthPolicy| &p.draft,
            draft,
            |tx| overwrite(tx, id, version, draft),
        )
    }

    /// Deletes auth policy `id`, unless it is the built-in one or identities use it.
    pub fn delete_auth_policy(&mut self, id: &str) -> Result<(), StoreError> {
        self.delete_entity(id, |tx, policy: &AuthPolicy| {
            if policy.is_builtin() {
                return Err(StoreError::InUse(format!(
                    "auth policy {} is built in and cannot be deleted (edit it instead)",
                    policy.draft.name
                )));
            }
            let users: i64 = tx
                .prepare_cached("SELECT count(*) FROM identities WHERE auth_policy_id = ?1")?
                .query_row([id], |r| r.get(0))?;
            match users {
                0 => Ok(()),
                n => Err(StoreError::InUse(format!(
                    "auth policy {} is used by {n} {}; move {} to another policy first",
                    policy.draft.name,
                    if n == 1 { "identity" } else { "identities" },
                    if n == 1 { "it" } else { "them" },
                ))),
            }
        })
    }

    /// How many identities use each policy, by policy id (policies nobody uses are absent).
    pub fn identity_counts_by_policy(
        &self,
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT auth_policy_id, count(*) FROM identities GROUP BY auth_policy_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The names of the first `limit` identities on policy `id`, by name, and how many there
    /// are in all.
    pub fn identities_on_policy(
        &self,
        id: &str,
        limit: usize,
    ) -> Result<(Vec<String>, i64), StoreError> {
        let total: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM identities WHERE auth_policy_id = ?1")?
            .query_row([id], |r| r.get(0))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT name FROM identities WHERE auth_policy_id = ?1 ORDER BY name LIMIT ?2",
        )?;
        let names = stmt
            .query_map(params![id, limit as i64], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok((names, total))
    }

    /// The names of the signers with these ids (an id that names none is left out): what a
    /// policy's cells show, without reading every signer.
    pub fn signer_names<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a String>,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM signers WHERE id = ?1")?;
        let mut names = std::collections::HashMap::new();
        for id in ids {
            if names.contains_key(id) {
                continue;
            }
            if let Some(name) = stmt.query_row([id], |r| r.get(0)).optional()? {
                names.insert(id.clone(), name);
            }
        }
        Ok(names)
    }

    /// The policies that name signer `id`, and where.
    pub fn policies_naming_signer(&self, id: &str) -> Result<Vec<PolicyReference>, StoreError> {
        Ok(references_to_signer(&self.conn, id)?
            .into_iter()
            .map(|(policy, place)| PolicyReference { policy, place })
            .collect())
    }
}

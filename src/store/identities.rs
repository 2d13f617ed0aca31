//! Identity rows: CRUD, lookups (by external ID for the verifier) and conflict reporting.

use std::sync::Arc;

use rusqlite::{Row, Transaction, params};

use super::entity::{self, Entity, map_constraint};
use super::{Store, StoreError};
use crate::model::{Identity, IdentityDraft, IdentityType};

const COLUMNS: &str = "id, name, type, is_admin, external_id, auth_policy_id, disabled, created_at, updated_at, version, disabled_until, role_attributes";

impl Entity for Identity {
    const TABLE: &'static str = "identities";
    const KIND: &'static str = "identity";
    const LABEL: &'static str = "identity";
    const COLUMNS: &'static str = COLUMNS;

    fn from_row(r: &Row<'_>) -> rusqlite::Result<Identity> {
        from_row(r)
    }

    fn name(&self) -> &str {
        &self.draft.name
    }

    fn version(&self) -> i64 {
        self.version
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Identity> {
    let kind: String = r.get(2)?;
    Ok(Identity {
        id: r.get(0)?,
        draft: IdentityDraft {
            name: r.get(1)?,
            // The schema's CHECK constraint guarantees a known type.
            identity_type: IdentityType::parse(&kind).unwrap_or_default(),
            is_admin: r.get(3)?,
            external_id: r.get(4)?,
            auth_policy_id: r.get(5)?,
            disabled: r.get(6)?,
            disabled_until: r.get(10)?,
            // The schema checks the column is JSON; an array of strings is all this writes.
            role_attributes: serde_json::from_str(&r.get::<_, String>(11)?).unwrap_or_default(),
        },
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        version: r.get(9)?,
    })
}

fn check_conflicts(
    tx: &Transaction<'_>,
    own_id: Option<&str>,
    d: &IdentityDraft,
) -> Result<(), StoreError> {
    entity::refuse_first(conflicts(tx, own_id, d)?)
}

/// Every field of `d` whose value another identity (not `own_id`) already has.
fn conflicts(
    conn: &rusqlite::Connection,
    own_id: Option<&str>,
    d: &IdentityDraft,
) -> Result<Vec<entity::FieldConflict>, StoreError> {
    let lookup =
        |column: &str, value: &str| entity::other_with::<Identity>(conn, own_id, column, value);
    let mut found = Vec::new();
    if let Some(other) = lookup("name", &d.name)? {
        found.push((
            "name",
            format!("an identity named \"{other}\" already exists"),
        ));
    }
    if let Some(external_id) = &d.external_id
        && let Some(other) = lookup("external_id", external_id)?
    {
        found.push((
            "externalId",
            format!("identity {other} already has external ID \"{external_id}\""),
        ));
    }
    Ok(found)
}

pub(super) fn insert(
    tx: &Transaction<'_>,
    id: &str,
    d: &IdentityDraft,
    created_at: &str,
    updated_at: &str,
) -> Result<(), StoreError> {
    entity::check_name_id_crossing::<Identity>(tx, id, &d.name)?;
    // The constraints (the policy's foreign key among them) find a clash; the queries that name
    // the other row run only then, so an import pays one index probe per column, not two.
    tx.prepare_cached(&format!(
        "INSERT INTO identities ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?11)"
    ))?
    .execute(params![
        id,
        d.name,
        d.identity_type.as_str(),
        d.is_admin,
        d.external_id,
        d.auth_policy_id,
        d.disabled,
        created_at,
        updated_at,
        d.disabled_until,
        role_attributes_json(d),
    ])
    .map_err(|e| explain_constraint(tx, None, d, e))?;
    Ok(())
}

/// The role attributes as the JSON array the column holds.
fn role_attributes_json(d: &IdentityDraft) -> String {
    serde_json::Value::from(d.role_attributes.clone()).to_string()
}

/// A constraint failure, named by the conflict check when it can say which row clashes.
fn explain_constraint(
    tx: &Transaction<'_>,
    own_id: Option<&str>,
    d: &IdentityDraft,
    e: rusqlite::Error,
) -> StoreError {
    if let Err(missing) = super::auth_policies::require_policy(tx, &d.auth_policy_id) {
        return missing;
    }
    match check_conflicts(tx, own_id, d) {
        Err(named) => named,
        Ok(()) => map_constraint(e, "identities"),
    }
}

/// [`overwrite_unchecked`] after checking that the identity's policy exists.
pub(super) fn overwrite(
    tx: &Transaction<'_>,
    id: &str,
    version: i64,
    d: &IdentityDraft,
) -> Result<bool, StoreError> {
    super::auth_policies::require_policy(tx, &d.auth_policy_id)?;
    overwrite_unchecked(tx, id, version, d)
}

/// Writes `d` over identity `id` if it still has `version`; returns false if it moved. The
/// policy reference is left to the schema (an import checks it at commit).
pub(super) fn overwrite_unchecked(
    tx: &Transaction<'_>,
    id: &str,
    version: i64,
    d: &IdentityDraft,
) -> Result<bool, StoreError> {
    check_conflicts(tx, Some(id), d)?;
    entity::check_name_id_crossing::<Identity>(tx, id, &d.name)?;
    let changed = tx
        .prepare_cached(
            "UPDATE identities SET name = ?3, type = ?4, is_admin = ?5, external_id = ?6,
             auth_policy_id = ?7, disabled = ?8, updated_at = ?9, disabled_until = ?10,
             role_attributes = ?11, version = version + 1
             WHERE id = ?1 AND version = ?2",
        )?
        .execute(params![
            id,
            version,
            d.name,
            d.identity_type.as_str(),
            d.is_admin,
            d.external_id,
            d.auth_policy_id,
            d.disabled,
            super::now(),
            d.disabled_until,
            role_attributes_json(d),
        ])
        .map_err(|e| map_constraint(e, "identities"))?;
    Ok(changed == 1)
}

impl Store {
    /// Every identity, ordered by name.
    pub fn list_identities(&self) -> Result<Vec<Identity>, StoreError> {
        entity::list(&self.conn)
    }

    /// Calls `each` with every identity, ordered by name, one row at a time.
    pub fn for_each_identity<E: From<StoreError>>(
        &self,
        each: impl FnMut(Identity) -> Result<(), E>,
    ) -> Result<(), E> {
        entity::for_each(&self.conn, each)
    }

    /// The identity with this id.
    pub fn identity_by_id(&self, id: &str) -> Result<Option<Identity>, StoreError> {
        Ok(self
            .shared_identity_by_id(id)?
            .map(|shared| Identity::clone(&shared)))
    }

    /// The identity with this id, shared with the lookup cache (the verifier's path).
    pub fn shared_identity_by_id(&self, id: &str) -> Result<Option<Arc<Identity>>, StoreError> {
        self.lookups
            .identity(&self.conn, false, id, || entity::by_id(&self.conn, id))
    }

    /// The identity with this name.
    pub fn identity_by_name(&self, name: &str) -> Result<Option<Identity>, StoreError> {
        entity::query_one(&self.conn, "name", name)
    }

    /// The identity whose external ID is exactly `external_id` (case-sensitive; indexed).
    pub fn identity_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<Arc<Identity>>, StoreError> {
        self.lookups.identity(&self.conn, true, external_id, || {
            entity::query_one(&self.conn, "external_id", external_id)
        })
    }

    /// The identity with id `key`, or else named `key` (the id first, as signers).
    pub fn find_identity(&self, key: &str) -> Result<Identity, StoreError> {
        entity::find(&self.conn, key)
    }

    /// Every field of `draft` another identity (not `own_id`) already holds (for a form).
    pub fn identity_conflicts(
        &self,
        own_id: Option<&str>,
        draft: &IdentityDraft,
    ) -> Result<Vec<entity::FieldConflict>, StoreError> {
        conflicts(&self.conn, own_id, draft)
    }

    /// Stores a new identity from a validated draft.
    pub fn create_identity(&mut self, draft: &IdentityDraft) -> Result<Identity, StoreError> {
        self.create_entity(&draft.name, |tx, id, now| insert(tx, id, draft, now, now))
    }

    /// Replaces identity `id`'s fields if it is still at `version`.
    pub fn update_identity(
        &mut self,
        id: &str,
        version: i64,
        draft: &IdentityDraft,
    ) -> Result<Identity, StoreError> {
        self.update_entity(
            id,
            version,
            &draft.name,
            |i: &Identity| &i.draft,
            draft,
            |tx| overwrite(tx, id, version, draft),
        )
    }

    /// Deletes identity `id`.
    pub fn delete_identity(&mut self, id: &str) -> Result<(), StoreError> {
        self.delete_entity(id, |_, _: &Identity| Ok(()))
    }
}

//! Identity rows: CRUD, lookups (by external ID for the verifier) and conflict reporting.

use std::sync::Arc;

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::audit::{self, AuditRecord};
use super::signers::map_constraint;
use super::{Store, StoreError};
use crate::model::{Identity, IdentityDraft, IdentityType};

const COLUMNS: &str = "id, name, type, is_admin, external_id, auth_policy_id, disabled, created_at, updated_at, version, disabled_until";

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
        },
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        version: r.get(9)?,
    })
}

fn query_one(
    conn: &rusqlite::Connection,
    filter: &str,
    value: &str,
) -> Result<Option<Identity>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM identities WHERE {filter} = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([value], from_row)
        .optional()?)
}

fn check_conflicts(
    tx: &Transaction<'_>,
    own_id: Option<&str>,
    d: &IdentityDraft,
) -> Result<(), StoreError> {
    let lookup = |column: &str, value: &str| -> Result<Option<String>, StoreError> {
        Ok(tx
            .prepare_cached(&format!(
                "SELECT name FROM identities WHERE {column} = ?1 AND id IS NOT ?2"
            ))?
            .query_row(params![value, own_id], |r| r.get(0))
            .optional()?)
    };
    if let Some(other) = lookup("name", &d.name)? {
        return Err(StoreError::Conflict {
            field: "name",
            message: format!("an identity named \"{other}\" already exists"),
        });
    }
    if let Some(external_id) = &d.external_id
        && let Some(other) = lookup("external_id", external_id)?
    {
        return Err(StoreError::Conflict {
            field: "externalId",
            message: format!("identity {other} already has external ID \"{external_id}\""),
        });
    }
    Ok(())
}

/// Refuses a name equal to another row's id: a `NAME|ID` argument matches the id first, so
/// such a name would let one row hijack the other's lookups (design §2 "Ids"). (An id equal to
/// another row's name can only come from an import file; the importer checks that.)
fn check_name_id_crossing(
    tx: &Transaction<'_>,
    own_id: &str,
    name: &str,
) -> Result<(), StoreError> {
    let other: Option<String> = tx
        .prepare_cached("SELECT name FROM identities WHERE id = ?1 AND id <> ?2")?
        .query_row(params![name, own_id], |r| r.get(0))
        .optional()?;
    match other {
        Some(other) => Err(StoreError::Conflict {
            field: "name",
            message: format!(
                "\"{name}\" is the id of identity {other}; a name may not equal another identity's id"
            ),
        }),
        None => Ok(()),
    }
}

pub(super) fn insert(
    tx: &Transaction<'_>,
    id: &str,
    d: &IdentityDraft,
    created_at: &str,
    updated_at: &str,
) -> Result<(), StoreError> {
    check_name_id_crossing(tx, id, &d.name)?;
    // The constraints find a clash; the query that names the other row runs only then, so
    // an import pays one index probe per unique column, not two.
    tx.prepare_cached(&format!(
        "INSERT INTO identities ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10)"
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
    ])
    .map_err(|e| explain_constraint(tx, None, d, e))?;
    Ok(())
}

/// A constraint failure, named by the conflict check when it can say which row clashes.
fn explain_constraint(
    tx: &Transaction<'_>,
    own_id: Option<&str>,
    d: &IdentityDraft,
    e: rusqlite::Error,
) -> StoreError {
    match check_conflicts(tx, own_id, d) {
        Err(named) => named,
        Ok(()) => map_constraint(e, "identities"),
    }
}

pub(super) fn overwrite(
    tx: &Transaction<'_>,
    id: &str,
    version: i64,
    d: &IdentityDraft,
) -> Result<bool, StoreError> {
    check_conflicts(tx, Some(id), d)?;
    check_name_id_crossing(tx, id, &d.name)?;
    let changed = tx
        .prepare_cached(
            "UPDATE identities SET name = ?3, type = ?4, is_admin = ?5, external_id = ?6,
             auth_policy_id = ?7, disabled = ?8, updated_at = ?9, disabled_until = ?10,
             version = version + 1
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
        ])
        .map_err(|e| map_constraint(e, "identities"))?;
    Ok(changed == 1)
}

pub(super) fn by_id_tx(tx: &Transaction<'_>, id: &str) -> Result<Option<Identity>, StoreError> {
    query_one(tx, "id", id)
}

impl Store {
    /// Every identity, ordered by name.
    pub fn list_identities(&self) -> Result<Vec<Identity>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM identities ORDER BY name"))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Calls `each` with every identity, ordered by name, one row at a time.
    pub fn for_each_identity<E: From<StoreError>>(
        &self,
        mut each: impl FnMut(Identity) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM identities ORDER BY name"))
            .map_err(StoreError::from)?;
        let mut rows = stmt.query([]).map_err(StoreError::from)?;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            each(from_row(row).map_err(StoreError::from)?)?;
        }
        Ok(())
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
            .identity(&self.conn, false, id, || query_one(&self.conn, "id", id))
    }

    /// The identity with this name.
    pub fn identity_by_name(&self, name: &str) -> Result<Option<Identity>, StoreError> {
        query_one(&self.conn, "name", name)
    }

    /// The identity whose external ID is exactly `external_id` (case-sensitive; indexed).
    pub fn identity_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<Arc<Identity>>, StoreError> {
        self.lookups.identity(&self.conn, true, external_id, || {
            query_one(&self.conn, "external_id", external_id)
        })
    }

    /// The identity with id `key`, or else named `key` (the id first, as signers).
    pub fn find_identity(&self, key: &str) -> Result<Identity, StoreError> {
        match self.identity_by_id(key)? {
            Some(i) => Ok(i),
            None => self
                .identity_by_name(key)?
                .ok_or_else(|| StoreError::NotFound {
                    entity: "identity",
                    key: key.to_string(),
                }),
        }
    }

    /// Stores a new identity from a validated draft.
    pub fn create_identity(&mut self, draft: &IdentityDraft) -> Result<Identity, StoreError> {
        let id = super::new_row_id();
        let now = super::now();
        let actor = self.actor();
        let tx = self.write_tx()?;
        insert(&tx, &id, draft, &now, &now)?;
        audit::record(
            &tx,
            &actor,
            AuditRecord {
                action: "create",
                entity: "identity",
                id: &id,
                name: &draft.name,
                fields: Vec::new(),
            },
        )?;
        let created = by_id_tx(&tx, &id)?;
        tx.commit()?;
        created.ok_or_else(|| StoreError::Corrupt("a created identity vanished".into()))
    }

    /// Replaces identity `id`'s fields if it is still at `version`.
    pub fn update_identity(
        &mut self,
        id: &str,
        version: i64,
        draft: &IdentityDraft,
    ) -> Result<Identity, StoreError> {
        let actor = self.actor();
        let tx = self.write_tx()?;
        let before = by_id_tx(&tx, id)?.ok_or_else(|| StoreError::NotFound {
            entity: "identity",
            key: id.to_string(),
        })?;
        let stale = || StoreError::Stale {
            entity: "identity",
            name: before.draft.name.clone(),
        };
        if before.version != version {
            return Err(stale());
        }
        let fields = audit::changed_fields(&before.draft, draft);
        if !overwrite(&tx, id, version, draft)? {
            return Err(stale());
        }
        audit::record(
            &tx,
            &actor,
            AuditRecord {
                action: "update",
                entity: "identity",
                id,
                name: &draft.name,
                fields,
            },
        )?;
        let updated = by_id_tx(&tx, id)?;
        tx.commit()?;
        updated.ok_or_else(|| StoreError::Corrupt("an updated identity vanished".into()))
    }

    /// Deletes identity `id`.
    pub fn delete_identity(&mut self, id: &str) -> Result<(), StoreError> {
        let actor = self.actor();
        let tx = self.write_tx()?;
        let before = by_id_tx(&tx, id)?.ok_or_else(|| StoreError::NotFound {
            entity: "identity",
            key: id.to_string(),
        })?;
        tx.execute("DELETE FROM identities WHERE id = ?1", [id])?;
        audit::record(
            &tx,
            &actor,
            AuditRecord {
                action: "delete",
                entity: "identity",
                id,
                name: &before.draft.name,
                fields: Vec::new(),
            },
        )?;
        tx.commit()?;
        Ok(())
    }
}

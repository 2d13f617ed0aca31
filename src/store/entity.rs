//! What every entity table shares: reading rows, `NAME|ID` lookups, the name-versus-id rule,
//! and the create / update / delete transactions with their version check and audit entry.
//! Each entity module keeps only what is its own (columns, conflicts, references).

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use super::audit::{self, AuditRecord};
use super::{Store, StoreError};

/// A row type stored in its own table, with an `id`, a unique `name` and a `version`.
pub(super) trait Entity: Sized {
    /// The SQL table.
    const TABLE: &'static str;
    /// The audit log's entity name and the word in errors (`signer`, `identity`, `auth-policy`).
    const KIND: &'static str;
    /// How messages name one row ("signer", "identity", "auth policy").
    const LABEL: &'static str;
    /// The selected columns, in the order `from_row` reads them.
    const COLUMNS: &'static str;
    /// Reads a row selected with `COLUMNS`.
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self>;
    /// The row's unique name.
    fn name(&self) -> &str;
    /// The row's version.
    fn version(&self) -> i64;
}

/// The row whose `column` equals `value`.
pub(super) fn query_one<E: Entity>(
    conn: &rusqlite::Connection,
    column: &str,
    value: &str,
) -> Result<Option<E>, StoreError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE {column} = ?1",
        E::COLUMNS,
        E::TABLE
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([value], E::from_row)
        .optional()?)
}

/// The row with this id.
pub(super) fn by_id<E: Entity>(
    conn: &rusqlite::Connection,
    id: &str,
) -> Result<Option<E>, StoreError> {
    query_one(conn, "id", id)
}

/// Calls `each` with every row, ordered by name, one row at a time (so listing 100 000 rows
/// does not hold them all in memory).
pub(super) fn for_each<E: Entity, Err: From<StoreError>>(
    conn: &rusqlite::Connection,
    mut each: impl FnMut(E) -> Result<(), Err>,
) -> Result<(), Err> {
    let sql = format!("SELECT {} FROM {} ORDER BY name", E::COLUMNS, E::TABLE);
    let mut stmt = conn.prepare_cached(&sql).map_err(StoreError::from)?;
    let mut rows = stmt.query([]).map_err(StoreError::from)?;
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        each(E::from_row(row).map_err(StoreError::from)?)?;
    }
    Ok(())
}

/// Every row, ordered by name.
pub(super) fn list<E: Entity>(conn: &rusqlite::Connection) -> Result<Vec<E>, StoreError> {
    let mut out = Vec::new();
    for_each(conn, |row: E| {
        out.push(row);
        Ok::<(), StoreError>(())
    })?;
    Ok(out)
}

/// The row with id `key`, or else named `key`. The id comes first: a name can never equal
/// another row's id, but matching names first would let such a row hijack lookups.
pub(super) fn find<E: Entity>(conn: &rusqlite::Connection, key: &str) -> Result<E, StoreError> {
    match by_id(conn, key)? {
        Some(row) => Ok(row),
        None => query_one(conn, "name", key)?.ok_or_else(|| not_found::<E>(key)),
    }
}

/// The error for a missing row.
pub(super) fn not_found<E: Entity>(key: &str) -> StoreError {
    StoreError::NotFound {
        entity: E::LABEL,
        key: key.to_string(),
    }
}

/// Refuses a name equal to another row's id: a `NAME|ID` argument matches the id first, so
/// such a name would let one row hijack the other's lookups (design §2 "Ids"). (An id equal to
/// another row's name can only come from an import file; the importer checks that.)
pub(super) fn check_name_id_crossing<E: Entity>(
    tx: &Transaction<'_>,
    own_id: &str,
    name: &str,
) -> Result<(), StoreError> {
    let sql = format!("SELECT name FROM {} WHERE id = ?1 AND id <> ?2", E::TABLE);
    let other: Option<String> = tx
        .prepare_cached(&sql)?
        .query_row(params![name, own_id], |r| r.get(0))
        .optional()?;
    match other {
        Some(other) => Err(StoreError::Conflict {
            field: "name",
            message: format!(
                "\"{name}\" is the id of {label} {other}; a name may not equal another {label}'s id",
                label = E::LABEL
            ),
        }),
        None => Ok(()),
    }
}

/// The name of the row other than `own_id` whose `column` equals `value`.
pub(super) fn other_with<E: Entity>(
    tx: &rusqlite::Connection,
    own_id: Option<&str>,
    column: &str,
    value: &str,
) -> Result<Option<String>, StoreError> {
    let sql = format!(
        "SELECT name FROM {} WHERE {column} = ?1 AND id IS NOT ?2",
        E::TABLE
    );
    Ok(tx
        .prepare_cached(&sql)?
        .query_row(params![value, own_id], |r| r.get(0))
        .optional()?)
}

/// A field whose value another row already has, with a message naming that row.
pub type FieldConflict = (&'static str, String);

/// The first of `conflicts` as the store's error (a write refuses at the first).
pub(super) fn refuse_first(conflicts: Vec<FieldConflict>) -> Result<(), StoreError> {
    match conflicts.into_iter().next() {
        Some((field, message)) => Err(StoreError::Conflict { field, message }),
        None => Ok(()),
    }
}

/// Maps a constraint failure that slipped past `check_conflicts` (a race with another writer)
/// to the field it concerns.
pub(super) fn map_constraint(e: rusqlite::Error, table: &str) -> StoreError {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
        let text = e.to_string();
        let prefix = format!("{table}.");
        if let Some(pos) = text.find(&prefix) {
            let column = text[pos + prefix.len()..]
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap_or("");
            let field = match column {
                "name" => "name",
                "issuer" => "issuer",
                "kid" => "kid",
                "fingerprint" => "certPem",
                "external_id" => "externalId",
                "auth_policy_id" => "authPolicyId",
                _ => "record",
            };
            return StoreError::Conflict {
                field,
                message: format!("another session just saved a {table} row with the same {field}"),
            };
        }
    }
    StoreError::Sqlite(e)
}

impl Store {
    /// Creates a row: `insert` writes it under a new id (and checks its conflicts and the
    /// name-versus-id rule, as the importer's path does too); the audit entry and the read-back
    /// share its transaction.
    pub(super) fn create_entity<E: Entity>(
        &mut self,
        name: &str,
        insert: impl FnOnce(&Transaction<'_>, &str, &str) -> Result<(), StoreError>,
    ) -> Result<E, StoreError> {
        let id = super::new_row_id();
        let now = super::now();
        let actor = self.actor();
        let tx = self.write_tx()?;
        insert(&tx, &id, &now)?;
        audit::record(
            &tx,
            &actor,
            AuditRecord {
                action: "create",
                entity: E::KIND,
                id: &id,
                name,
                fields: Vec::new(),
            },
        )?;
        let created = by_id::<E>(&tx, &id)?;
        tx.commit()?;
        created.ok_or_else(|| StoreError::Corrupt(format!("a created {} vanished", E::LABEL)))
    }

    /// Replaces row `id` if it is still at `version` (else `StoreError::Stale`): `overwrite`
    /// writes the new fields and returns false when the version moved under it. The audit
    /// entry lists the JSON names of the fields `draft_of` shows changed.
    pub(super) fn update_entity<E: Entity, D: Serialize>(
        &mut self,
        id: &str,
        version: i64,
        name: &str,
        draft_of: impl Fn(&E) -> &D,
        after: &D,
        overwrite: impl FnOnce(&Transaction<'_>) -> Result<bool, StoreError>,
    ) -> Result<E, StoreError> {
        let actor = self.actor();
        let tx = self.write_tx()?;
        let before = by_id::<E>(&tx, id)?.ok_or_else(|| not_found::<E>(id))?;
        let stale = || StoreError::Stale {
            entity: E::LABEL,
            name: before.name().to_string(),
        };
        if before.version() != version {
            return Err(stale());
        }
        let fields = audit::changed_fields(draft_of(&before), after);
        if !overwrite(&tx)? {
            return Err(stale());
        }
        audit::record(
            &tx,
            &actor,
            AuditRecord {
                action: "update",
                entity: E::KIND,
                id,
                name,
                fields,
            },
        )?;
        let updated = by_id::<E>(&tx, id)?;
        tx.commit()?;
        updated.ok_or_else(|| StoreError::Corrupt(format!("an updated {} vanished", E::LABEL)))
    }

    /// Deletes row `id` after `guard` has found nothing that still refers to it (its error
    /// names what does, and nothing is changed).
    pub(super) fn delete_entity<E: Entity>(
        &mut self,
        id: &str,
        guard: impl FnOnce(&Transaction<'_>, &E) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let actor = self.actor();
        let tx = self.write_tx()?;
        let before = by_id::<E>(&tx, id)?.ok_or_else(|| not_found::<E>(id))?;
        guard(&tx, &before)?;
        tx.execute(&format!("DELETE FROM {} WHERE id = ?1", E::TABLE), [id])?;
        audit::record(
            &tx,
            &actor,
            AuditRecord {
                action: "delete",
                entity: E::KIND,
                id,
                name: before.name(),
                fields: Vec::new(),
            },
        )?;
        tx.commit()?;
        Ok(())
    }
}

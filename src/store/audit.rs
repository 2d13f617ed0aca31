//! The audit log: who changed what, when. Never a token or a PEM body, only field names.

use rusqlite::{Transaction, params};
use serde::Serialize;

use super::{Store, StoreError};

/// Who is making changes: the account the process really runs as, and what the session
/// claims about itself (`$USER`, and over SSH the client's address), which anyone can set and
/// is recorded only as a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The login name of the process's real uid (or `uid N` when it has no name).
    pub account: String,
    /// `$USER` (or `$LOGNAME`), as claimed.
    pub claimed_user: Option<String>,
    /// The address part of `$SSH_CLIENT`, as claimed.
    pub client_address: Option<String>,
}

impl Actor {
    /// The actor of this process.
    pub fn from_process() -> Actor {
        let uid = nix::unistd::getuid();
        let account = nix::unistd::User::from_uid(uid)
            .ok()
            .flatten()
            .map(|u| u.name)
            .unwrap_or_else(|| format!("uid {uid}"));
        let claimed_user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .ok()
            .filter(|u| !u.trim().is_empty());
        let client_address = std::env::var("SSH_CLIENT")
            .ok()
            .and_then(|v| v.split_whitespace().next().map(str::to_string));
        Actor {
            account,
            claimed_user,
            client_address,
        }
    }
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Sequence number.
    pub seq: i64,
    /// RFC 3339 UTC.
    pub at: String,
    /// The account of the process's real uid.
    pub actor: String,
    /// `$USER` as the session claimed it.
    pub claimed_user: Option<String>,
    /// SSH client address as the session claimed it (`$SSH_CLIENT`).
    pub client_address: Option<String>,
    /// `create`, `update`, `delete` or `import`.
    pub action: String,
    /// `signer`, `identity` or `file`.
    pub entity: String,
    /// The row's id.
    pub entity_id: Option<String>,
    /// The row's name at the time.
    pub entity_name: Option<String>,
    /// JSON names of the changed fields.
    pub fields: Vec<String>,
}

/// What is being recorded.
pub(crate) struct AuditRecord<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub id: &'a str,
    pub name: &'a str,
    pub fields: Vec<String>,
}

pub(crate) fn record(
    tx: &Transaction<'_>,
    actor: &Actor,
    entry: AuditRecord<'_>,
) -> Result<(), StoreError> {
    record_at(tx, actor, &super::now(), entry)
}

/// [`record`] with the time given (an import stamps every entry with its start).
pub(crate) fn record_at(
    tx: &Transaction<'_>,
    actor: &Actor,
    at: &str,
    entry: AuditRecord<'_>,
) -> Result<(), StoreError> {
    let fields = if entry.fields.is_empty() {
        "[]".to_string()
    } else {
        serde_json::to_string(&entry.fields).unwrap_or_else(|_| "[]".into())
    };
    tx.prepare_cached(
        "INSERT INTO audit (at, actor, claimed_user, client_address, action, entity, entity_id,
                            entity_name, fields)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        at,
        actor.account,
        actor.claimed_user,
        actor.client_address,
        entry.action,
        entry.entity,
        entry.id,
        entry.name,
        fields,
    ])?;
    Ok(())
}

/// The JSON names whose values differ between two serialised drafts.
pub(crate) fn changed_fields<T: Serialize>(before: &T, after: &T) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    b.iter()
        .filter(|(k, v)| a.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}

impl Store {
    /// The newest `limit` entries, newest first; for one entity when `entity_id` is given.
    pub fn audit_log(
        &self,
        limit: usize,
        entity_id: Option<&str>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, actor, claimed_user, client_address, action, entity, entity_id,
                    entity_name, fields
             FROM audit WHERE (?1 IS NULL OR entity_id = ?1) ORDER BY seq DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![entity_id, limit as i64], |r| {
            let fields: String = r.get(9)?;
            Ok(AuditEntry {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                claimed_user: r.get(3)?,
                client_address: r.get(4)?,
                action: r.get(5)?,
                entity: r.get(6)?,
                entity_id: r.get(7)?,
                entity_name: r.get(8)?,
                fields: serde_json::from_str(&fields).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

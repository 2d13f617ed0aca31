//! The audit log: who changed what, when. Never a token or a PEM body, only field names.

use rusqlite::{Transaction, params};
use serde::Serialize;

use super::{Store, StoreError};

/// Who is making changes: the login name and, over SSH, the client's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `$USER` (or `$LOGNAME`), else "unknown".
    pub user: String,
    /// The address part of `$SSH_CLIENT`.
    pub client_address: Option<String>,
}

impl Actor {
    /// Reads the actor from the environment (`$USER`, `$LOGNAME`), else from the account
    /// database for this process's user id, so a shell without `$USER` is still named.
    pub fn from_env() -> Actor {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .ok()
            .filter(|u| !u.trim().is_empty())
            .or_else(account_name)
            .unwrap_or_else(|| "unknown".to_string());
        let client_address = std::env::var("SSH_CLIENT")
            .ok()
            .and_then(|v| v.split_whitespace().next().map(str::to_string));
        Actor {
            user,
            client_address,
        }
    }
}

/// The login name of this process's user: `/proc/self` belongs to it, and `/etc/passwd` names
/// it (read by hand rather than through libc to stay free of `unsafe`).
fn account_name() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let entry_uid: u32 = fields.nth(1)?.parse().ok()?;
        (entry_uid == uid).then(|| name.to_string())
    })
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Sequence number.
    pub seq: i64,
    /// RFC 3339 UTC.
    pub at: String,
    /// Login name.
    pub actor: String,
    /// SSH client address, when over SSH.
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
    tx.execute(
        "INSERT INTO audit (at, actor, client_address, action, entity, entity_id, entity_name, fields)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            super::now(),
            actor.user,
            actor.client_address,
            entry.action,
            entry.entity,
            entry.id,
            entry.name,
            serde_json::to_string(&entry.fields).unwrap_or_else(|_| "[]".into()),
        ],
    )?;
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
            "SELECT seq, at, actor, client_address, action, entity, entity_id, entity_name, fields
             FROM audit WHERE (?1 IS NULL OR entity_id = ?1) ORDER BY seq DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![entity_id, limit as i64], |r| {
            let fields: String = r.get(8)?;
            Ok(AuditEntry {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                client_address: r.get(3)?,
                action: r.get(4)?,
                entity: r.get(5)?,
                entity_id: r.get(6)?,
                entity_name: r.get(7)?,
                fields: serde_json::from_str(&fields).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

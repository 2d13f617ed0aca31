//! Memoised lookups for the verifier's hot path (signer by issuer, identity by external ID or
//! id). Entries stay valid while SQLite's `data_version` (bumped by other connections' commits)
//! and this connection's own write count are unchanged, so a change from any session is seen
//! on the next lookup.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::Connection;

use crate::model::{Identity, Signer};

/// Entries beyond this are dropped wholesale; a burst of unknown issuers cannot grow memory.
const MAX_ENTRIES: usize = 1024;

#[derive(Default)]
struct Entries {
    generation: Option<(i64, u64)>,
    // Shared, not cloned, on a hit: a verify used to copy the whole signer (PEM included).
    signers_by_issuer: HashMap<String, Option<Arc<Signer>>>,
    identities_by_external_id: HashMap<String, Option<Arc<Identity>>>,
    identities_by_id: HashMap<String, Option<Arc<Identity>>>,
}

/// The memo; interior mutability because lookups take `&Store`.
pub(super) struct LookupCache {
    local_writes: u64,
    entries: RefCell<Entries>,
    enabled: bool,
    /// Inside one read transaction nothing can change, so entries are checked against
    /// `data_version` once when it begins, not on every lookup.
    in_snapshot: std::cell::Cell<bool>,
}

impl Default for LookupCache {
    fn default() -> Self {
        LookupCache {
            local_writes: 0,
            entries: RefCell::default(),
            enabled: true,
            in_snapshot: std::cell::Cell::new(false),
        }
    }
}

impl LookupCache {
    pub(super) fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
        self.entries.borrow_mut().generation = None;
    }

    pub(super) fn note_local_write(&mut self) {
        self.local_writes += 1;
    }

    /// Drops every entry if the database changed since they were stored.
    /// Marks the start or end of a read transaction (see `in_snapshot`).
    pub(super) fn set_snapshot(&self, conn: &Connection, active: bool) -> rusqlite::Result<()> {
        self.in_snapshot.set(false);
        if active {
            self.revalidate(conn)?;
            self.in_snapshot.set(true);
        }
        Ok(())
    }

    fn revalidate(&self, conn: &Connection) -> rusqlite::Result<()> {
        if self.in_snapshot.get() {
            return Ok(());
        }
        let data_version: i64 = conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        let now = (data_version, self.local_writes);
        let mut entries = self.entries.borrow_mut();
        let size = entries.signers_by_issuer.len()
            + entries.identities_by_external_id.len()
            + entries.identities_by_id.len();
        if entries.generation != Some(now) || size > MAX_ENTRIES {
            entries.signers_by_issuer.clear();
            entries.identities_by_external_id.clear();
            entries.identities_by_id.clear();
            entries.generation = Some(now);
        }
        Ok(())
    }

    pub(super) fn signer_by_issuer(
        &self,
        conn: &Connection,
        issuer: &str,
        load: impl FnOnce() -> Result<Option<Signer>, super::StoreError>,
    ) -> Result<Option<Arc<Signer>>, super::StoreError> {
        if !self.enabled {
            return Ok(load()?.map(Arc::new));
        }
        self.revalidate(conn)?;
        if let Some(hit) = self.entries.borrow().signers_by_issuer.get(issuer) {
            return Ok(hit.clone());
        }
        let loaded = load()?.map(Arc::new);
        self.entries
            .borrow_mut()
            .signers_by_issuer
            .insert(issuer.to_string(), loaded.clone());
        Ok(loaded)
    }

    pub(super) fn identity(
        &self,
        conn: &Connection,
        by_external_id: bool,
        key: &str,
        load: impl FnOnce() -> Result<Option<Identity>, super::StoreError>,
    ) -> Result<Option<Arc<Identity>>, super::StoreError> {
        if !self.enabled {
            return Ok(load()?.map(Arc::new));
        }
        self.revalidate(conn)?;
        let pick = |entries: &Entries| {
            if by_external_id {
                entries.identities_by_external_id.get(key).cloned()
            } else {
                entries.identities_by_id.get(key).cloned()
            }
        };
        if let Some(hit) = pick(&self.entries.borrow()) {
            return Ok(hit);
        }
        let loaded = load()?.map(Arc::new);
        let mut entries = self.entries.borrow_mut();
        let map = if by_external_id {
            &mut entries.identities_by_external_id
        } else {
            &mut entries.identities_by_id
        };
        map.insert(key.to_string(), loaded.clone());
        Ok(loaded)
    }
}

//! Versioned schema migrations, applied in order inside one transaction each. `user_version`
//! records how many have run; `application_id` marks the file as extjwt's.

use rusqlite::Connection;

/// `application_id` of an extjwt database ("exjw").
pub const APPLICATION_ID: i64 = 0x6578_6a77;

/// Migration N (1-based) is `MIGRATIONS[N - 1]`. Never edit one that has shipped; append.
const MIGRATIONS: &[&str] = &[
    // 1: signers, identities, audit log.
    "
    CREATE TABLE signers (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
        issuer TEXT NOT NULL UNIQUE CHECK (length(issuer) > 0),
        audience TEXT NOT NULL CHECK (length(audience) > 0),
        cert_pem TEXT,
        jwks_endpoint TEXT,
        kid TEXT UNIQUE CHECK (kid IS NULL OR length(kid) > 0),
        claims_property TEXT NOT NULL CHECK (substr(claims_property, 1, 1) = '/'),
        use_external_id INTEGER NOT NULL CHECK (use_external_id IN (0, 1)),
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        external_auth_url TEXT,
        client_id TEXT,
        scopes TEXT NOT NULL CHECK (json_valid(scopes) AND json_type(scopes) = 'array'),
        target_token TEXT NOT NULL CHECK (target_token IN ('ACCESS', 'ID')),
        enroll_to_cert_enabled INTEGER NOT NULL CHECK (enroll_to_cert_enabled IN (0, 1)),
        enroll_to_token_enabled INTEGER NOT NULL CHECK (enroll_to_token_enabled IN (0, 1)),
        enroll_name_claims_selector TEXT NOT NULL,
        enroll_attribute_claims_selector TEXT,
        enroll_auth_policy_id TEXT NOT NULL,
        tags TEXT NOT NULL CHECK (json_valid(tags) AND json_type(tags) = 'object'),
        common_name TEXT,
        fingerprint TEXT UNIQUE,
        not_before TEXT,
        not_after TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        CHECK ((cert_pem IS NULL) <> (jwks_endpoint IS NULL)),
        CHECK ((cert_pem IS NULL) = (fingerprint IS NULL))
    ) STRICT;

    CREATE TABLE identities (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
        type TEXT NOT NULL CHECK (type IN ('User', 'Device', 'Service', 'Router', 'Default')),
        is_admin INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
        external_id TEXT UNIQUE CHECK (external_id IS NULL OR length(trim(external_id)) > 0),
        auth_policy_id TEXT NOT NULL,
        disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1)
    ) STRICT;

    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        client_address TEXT,
        action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'import')),
        entity TEXT NOT NULL CHECK (entity IN ('signer', 'identity', 'file')),
        entity_id TEXT,
        entity_name TEXT,
        fields TEXT NOT NULL CHECK (json_valid(fields))
    ) STRICT;
    CREATE INDEX audit_entity ON audit (entity_id, seq);
    ",
    // 2: the audit log names the account of the process's real uid (`actor`) and keeps
    // `$USER` only as what the session claimed; entities include auth policies. `seq` loses
    // AUTOINCREMENT (entries are never deleted, so rowids are never reused anyway), which
    // saved a write to sqlite_sequence per entry: an import writes one entry per record.
    "
    CREATE TABLE audit_v2 (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        claimed_user TEXT,
        client_address TEXT,
        action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'import')),
        entity TEXT NOT NULL CHECK (entity IN ('signer', 'identity', 'auth-policy', 'file')),
        entity_id TEXT,
        entity_name TEXT,
        fields TEXT NOT NULL CHECK (json_valid(fields))
    ) STRICT;
    INSERT INTO audit_v2 (seq, at, actor, claimed_user, client_address, action, entity,
                          entity_id, entity_name, fields)
        SELECT seq, at, actor, actor, client_address, action, entity, entity_id, entity_name,
               fields FROM audit;
    DROP TABLE audit;
    ALTER TABLE audit_v2 RENAME TO audit;
    CREATE INDEX audit_entity ON audit (entity_id, seq);
    ",
    // 3: timed locks, as the controller's `disabledUntil`; a signer's kid may be "" (the
    // controller keeps it: such a certificate signer matches no token), and only non-empty kids
    // are unique. SQLite cannot drop a CHECK, so the signers table is rebuilt.
    "
    ALTER TABLE identities ADD COLUMN disabled_until TEXT;
    CREATE TABLE signers_v3 (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
        issuer TEXT NOT NULL UNIQUE CHECK (length(issuer) > 0),
        audience TEXT NOT NULL CHECK (length(audience) > 0),
        cert_pem TEXT,
        jwks_endpoint TEXT,
        kid TEXT,
        claims_property TEXT NOT NULL CHECK (substr(claims_property, 1, 1) = '/'),
        use_external_id INTEGER NOT NULL CHECK (use_external_id IN (0, 1)),
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        external_auth_url TEXT,
        client_id TEXT,
        scopes TEXT NOT NULL CHECK (json_valid(scopes) AND json_type(scopes) = 'array'),
        target_token TEXT NOT NULL CHECK (target_token IN ('ACCESS', 'ID')),
        enroll_to_cert_enabled INTEGER NOT NULL CHECK (enroll_to_cert_enabled IN (0, 1)),
        enroll_to_token_enabled INTEGER NOT NULL CHECK (enroll_to_token_enabled IN (0, 1)),
        enroll_name_claims_selector TEXT NOT NULL,
        enroll_attribute_claims_selector TEXT,
        enroll_auth_policy_id TEXT NOT NULL,
        tags TEXT NOT NULL CHECK (json_valid(tags) AND json_type(tags) = 'object'),
        common_name TEXT,
        fingerprint TEXT UNIQUE,
        not_before TEXT,
        not_after TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        CHECK ((cert_pem IS NULL) <> (jwks_endpoint IS NULL)),
        CHECK ((cert_pem IS NULL) = (fingerprint IS NULL))
    ) STRICT;
    INSERT INTO signers_v3 SELECT * FROM signers;
    DROP TABLE signers;
    ALTER TABLE signers_v3 RENAME TO signers;
    CREATE UNIQUE INDEX signers_kid ON signers (kid) WHERE kid <> '';
    ",
    // 4: auth policies (design §2), with the built-in `default`; a policy's signers in a join
    // table so the schema refuses a dangling signer and a delete of one still named; identities
    // rebuilt so their policy is a real reference. A policy id that identities named before
    // this (free text then) becomes a policy of its own that allows everything, as `default`:
    // nothing is lost or silently re-pointed.
    "
    CREATE TABLE auth_policies (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
        ext_jwt_allowed INTEGER NOT NULL CHECK (ext_jwt_allowed IN (0, 1)),
        cert_allowed INTEGER NOT NULL CHECK (cert_allowed IN (0, 1)),
        cert_allow_expired_certs INTEGER NOT NULL CHECK (cert_allow_expired_certs IN (0, 1)),
        updb_allowed INTEGER NOT NULL CHECK (updb_allowed IN (0, 1)),
        updb_require_special_char INTEGER NOT NULL CHECK (updb_require_special_char IN (0, 1)),
        updb_require_number_char INTEGER NOT NULL CHECK (updb_require_number_char IN (0, 1)),
        updb_require_mixed_case INTEGER NOT NULL CHECK (updb_require_mixed_case IN (0, 1)),
        updb_min_password_length INTEGER NOT NULL,
        updb_max_attempts INTEGER NOT NULL CHECK (updb_max_attempts >= 0),
        updb_lockout_duration_minutes INTEGER NOT NULL CHECK (updb_lockout_duration_minutes >= 0),
        require_totp INTEGER NOT NULL CHECK (require_totp IN (0, 1)),
        require_ext_jwt_signer TEXT REFERENCES signers (id),
        tags TEXT NOT NULL CHECK (json_valid(tags) AND json_type(tags) = 'object'),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1)
    ) STRICT;
    CREATE INDEX auth_policies_secondary ON auth_policies (require_ext_jwt_signer)
        WHERE require_ext_jwt_signer IS NOT NULL;
    CREATE TABLE auth_policy_signers (
        policy_id TEXT NOT NULL REFERENCES auth_policies (id) ON DELETE CASCADE ON UPDATE CASCADE,
        signer_id TEXT NOT NULL REFERENCES signers (id),
        position INTEGER NOT NULL,
        PRIMARY KEY (policy_id, signer_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX auth_policy_signers_signer ON auth_policy_signers (signer_id);
    INSERT INTO auth_policies VALUES ('default', 'Default', 1, 1, 1, 1, 0, 0, 0, 5, 0, 0, 0,
        NULL, '{}', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 1);
    INSERT INTO auth_policies
        SELECT auth_policy_id,
               CASE WHEN auth_policy_id = 'Default' THEN 'Default (migrated)' ELSE auth_policy_id END,
               1, 1, 1, 1, 0, 0, 0, 5, 0, 0, 0, NULL, '{}',
               strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 1
        FROM (SELECT DISTINCT auth_policy_id FROM identities WHERE auth_policy_id <> 'default');
    CREATE TABLE identities_v4 (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
        type TEXT NOT NULL CHECK (type IN ('User', 'Device', 'Service', 'Router', 'Default')),
        is_admin INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
        external_id TEXT UNIQUE CHECK (external_id IS NULL OR length(trim(external_id)) > 0),
        auth_policy_id TEXT NOT NULL REFERENCES auth_policies (id),
        disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        disabled_until TEXT
    ) STRICT;
    INSERT INTO identities_v4 SELECT * FROM identities;
    DROP TABLE identities;
    ALTER TABLE identities_v4 RENAME TO identities;
    CREATE INDEX identities_auth_policy ON identities (auth_policy_id);
    ",
    // 5: identity types as controllers since v0.30 have them (the legacy User, Device and
    // Service are Default there, as they become here), and role attributes (a JSON array).
    "
    CREATE TABLE identities_v5 (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
        type TEXT NOT NULL CHECK (type IN ('Default', 'Router')),
        is_admin INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
        external_id TEXT UNIQUE CHECK (external_id IS NULL OR length(trim(external_id)) > 0),
        auth_policy_id TEXT NOT NULL REFERENCES auth_policies (id),
        disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        disabled_until TEXT,
        role_attributes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(role_attributes))
    ) STRICT;
    INSERT INTO identities_v5
        SELECT id, name, CASE WHEN type = 'Router' THEN 'Router' ELSE 'Default' END, is_admin,
               external_id, auth_policy_id, disabled, created_at, updated_at, version,
               disabled_until, '[]'
        FROM identities;
    DROP TABLE identities;
    ALTER TABLE identities_v5 RENAME TO identities;
    CREATE INDEX identities_auth_policy ON identities (auth_policy_id);
    ",
];

/// The file's application id, schema version and table count, in one statement (a one-shot
/// command pays for every statement it compiles).
fn identify(conn: &Connection) -> Result<(i64, i64, i64), rusqlite::Error> {
    conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id),
                (SELECT user_version FROM pragma_user_version),
                (SELECT count(*) FROM sqlite_master)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// Refuses a file that belongs to another application or to a newer extjwt. Reads only: it
/// runs before any pragma that could write, so a refused file is never modified. True when the
/// file is an extjwt database at the current version (nothing to migrate).
pub fn check_ownership(conn: &Connection) -> Result<bool, MigrationError> {
    let (app_id, version, table_count) = identify(conn)?;
    if app_id != APPLICATION_ID && (app_id != 0 || table_count > 0) {
        return Err(MigrationError::Foreign);
    }
    if version > MIGRATIONS.len() as i64 {
        return Err(MigrationError::Newer(version));
    }
    Ok(app_id == APPLICATION_ID && version == MIGRATIONS.len() as i64)
}

/// Brings the schema up to date. Fails when the file belongs to another application or was
/// written by a newer extjwt.
pub fn migrate(conn: &mut Connection) -> Result<(), MigrationError> {
    check_ownership(conn)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while this one waited for the write lock.
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current > index as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!(
            "PRAGMA user_version = {}; PRAGMA application_id = {APPLICATION_ID};",
            index + 1
        ))?;
        tx.commit()?;
    }
    Ok(())
}

/// Why a file could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The file is a SQLite database of some other application.
    #[error("is a SQLite database of another application, not an extjwt database")]
    Foreign,
    /// The file was written by a newer extjwt.
    #[error("has schema version {0}, newer than this extjwt understands; upgrade extjwt")]
    Newer(i64),
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

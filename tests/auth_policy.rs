//! Auth policies through the real binary: every `auth-policy` command and refusal, the
//! references that protect signers and policies, and the interchange round trip.

mod common;

use common::TempDb;
use serde_json::{Value, json};

/// Two JWKS signers (the URLs are never fetched here).
fn with_signers() -> TempDb {
    let db = TempDb::new();
    for name in ["okta", "azure"] {
        db.ok(&[
            "signer",
            "create",
            name,
            &format!("https://{name}.example"),
            "-a",
            "ziti",
            "-u",
            &format!("https://{name}.example/jwks"),
        ]);
    }
    db
}

fn signer_id(db: &TempDb, name: &str) -> String {
    db.json(&["signer", "show", name, "--json"])["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_default_policy_exists_allows_everything_and_cannot_be_deleted() {
    let db = with_signers();
    let default = db.json(&["auth-policy", "show", "default", "--json"]);
    assert_eq!(default["name"], "Default");
    assert_eq!(default["primary"]["extJwt"]["allowed"], true);
    assert_eq!(default["primary"]["extJwt"]["allowedSigners"], json!([]));
    assert_eq!(default["primary"]["updb"]["minPasswordLength"], 5);
    // By name as well as by id.
    assert_eq!(
        db.json(&["auth-policy", "show", "Default", "--json"])["id"],
        "default"
    );
    db.refused(&["auth-policy", "delete", "default"], "built in");
    // Editable, though.
    db.ok(&["auth-policy", "update", "Default", "--require-totp", "true"]);
    assert_eq!(
        db.json(&["auth-policy", "show", "default", "--json"])["secondary"]["requireTotp"],
        true
    );
}

#[test]
fn create_list_show_update_delete() {
    let db = with_signers();
    let okta = signer_id(&db, "okta");
    let id = db.ok(&[
        "auth-policy",
        "create",
        "Contractors",
        "--ext-jwt-signer",
        "okta",
        "--ext-jwt-signer",
        &signer_id(&db, "azure"),
        "--cert-allowed",
        "false",
        "--require-ext-jwt-signer",
        "okta",
        "--tag",
        "team=ops",
    ]);
    let id = id.trim();
    let shown = db.json(&["auth-policy", "show", id, "--json"]);
    assert_eq!(shown["name"], "Contractors");
    assert_eq!(
        shown["primary"]["extJwt"]["allowedSigners"],
        json!([okta, signer_id(&db, "azure")]),
        "names resolved to ids, in the order given"
    );
    assert_eq!(shown["primary"]["cert"]["allowed"], false);
    assert_eq!(shown["secondary"]["requireExtJwtSigner"], okta);
    assert_eq!(shown["tags"], json!({"team": "ops"}));
    assert_eq!(shown["version"], 1);

    let table = db.ok(&["auth-policy", "list"]);
    let header = table.lines().next().unwrap();
    for column in [
        "NAME",
        "EXT-JWT",
        "ALLOWED SIGNERS",
        "SECONDARY",
        "IDENTITIES",
        "CREATED AT",
        "ID",
    ] {
        assert!(header.contains(column), "{header}");
    }
    let row = table
        .lines()
        .find(|l| l.starts_with("Contractors"))
        .unwrap();
    assert!(
        row.contains("okta, azure") && row.contains("signer okta"),
        "{row}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("Default") && l.contains("any")),
        "{table}"
    );
    let listed: Value = db.json(&["auth-policy", "list", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 2);

    // update changes only what is given, and says what changed.
    let said = db.ok(&[
        "auth-policy",
        "update",
        "Contractors",
        "--ext-jwt-signer",
        "azure",
    ]);
    assert!(
        said.contains("Updated auth policy Contractors: primary.extJwt.allowedSigners"),
        "{said}"
    );
    let after = db.json(&["auth-policy", "show", id, "--json"]);
    assert_eq!(
        after["primary"]["extJwt"]["allowedSigners"],
        json!([signer_id(&db, "azure")])
    );
    assert_eq!(after["primary"]["cert"]["allowed"], false, "untouched");
    assert_eq!(after["secondary"]["requireExtJwtSigner"], okta, "untouched");
    db.ok(&[
        "auth-policy",
        "update",
        id,
        "--clear-ext-jwt-signers",
        "-n",
        "Vendors",
    ]);
    let cleared = db.json(&["auth-policy", "show", "Vendors", "--json"]);
    assert_eq!(cleared["primary"]["extJwt"]["allowedSigners"], json!([]));
    assert_eq!(cleared["version"], 3);
    db.refused(
        &[
            "auth-policy",
            "update",
            "Vendors",
            "--require-totp",
            "true",
            "--if-version",
            "1",
        ],
        "changed by another session",
    );

    let said = db.ok(&[
        "auth-policy",
        "update",
        "Vendors",
        "--require-ext-jwt-signer",
        "",
    ]);
    assert!(said.contains("secondary.requireExtJwtSigner"), "{said}");
    assert!(
        db.ok(&["auth-policy", "delete", "Vendors"])
            .contains("Deleted auth policy Vendors")
    );
    assert_eq!(
        db.json(&["auth-policy", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn bad_input_is_refused_naming_the_field_and_nothing_is_written() {
    let db = with_signers();
    db.ok(&["auth-policy", "create", "Contractors"]);
    db.refused(
        &["auth-policy", "create", "Contractors"],
        "name: an auth policy named \"Contractors\" already exists",
    );
    db.refused(&["auth-policy", "create", "  "], "name: required");
    db.refused(
        &["auth-policy", "create", "X", "--ext-jwt-signer", "nobody"],
        "--ext-jwt-signer: no signer named or with id \"nobody\"",
    );
    db.refused(
        &[
            "auth-policy",
            "create",
            "X",
            "--require-ext-jwt-signer",
            "nobody",
        ],
        "--require-ext-jwt-signer",
    );
    db.refused(
        &["auth-policy", "create", "X", "--ext-jwt-allowed", "maybe"],
        "--ext-jwt-allowed",
    );
    db.refused(
        &["auth-policy", "show", "nope"],
        "auth policy \"nope\" not found",
    );
    db.refused(&["auth-policy", "delete", "nope"], "not found");
    db.refused(
        &[
            "auth-policy",
            "update",
            "Contractors",
            "--clear-ext-jwt-signers",
            "--ext-jwt-signer",
            "okta",
        ],
        "cannot be used with",
    );
    db.refused(
        &["identity", "create", "bob", "--auth-policy", "nope"],
        "-P/--auth-policy: no auth policy",
    );
}

#[test]
fn references_protect_signers_and_policies() {
    let db = with_signers();
    db.ok(&[
        "auth-policy",
        "create",
        "Contractors",
        "--ext-jwt-signer",
        "okta",
    ]);
    db.ok(&[
        "auth-policy",
        "create",
        "Second",
        "--require-ext-jwt-signer",
        "azure",
    ]);
    db.ok(&["identity", "create", "bob", "--auth-policy", "Contractors"]);
    db.ok(&["identity", "create", "eve", "--auth-policy", "Contractors"]);

    db.refused(
        &["signer", "delete", "okta"],
        "signer okta is used by auth policy Contractors (allowed signers); remove it there first",
    );
    db.refused(
        &["signer", "delete", "azure"],
        "signer azure is used by auth policy Second (required secondary signer)",
    );
    db.refused(
        &["auth-policy", "delete", "Contractors"],
        "auth policy Contractors is used by 2 identities",
    );
    // The identity shows its policy by name; the policy shows its identities.
    let shown = db.ok(&["identity", "show", "bob"]);
    assert!(
        shown.contains("Auth policy:") && shown.contains("Contractors"),
        "{shown}"
    );
    let policy = db.ok(&["auth-policy", "show", "Contractors"]);
    assert!(policy.contains("bob, eve"), "{policy}");

    // Once nothing refers to them, both can go.
    db.ok(&["identity", "update", "bob", "--auth-policy", "default"]);
    db.ok(&["identity", "delete", "eve"]);
    db.ok(&["auth-policy", "delete", "Contractors"]);
    db.ok(&["signer", "delete", "okta"]);
}

#[test]
fn export_import_export_is_identical_with_policies_and_references_resolve_within_a_file() {
    let db = with_signers();
    db.ok(&[
        "auth-policy",
        "create",
        "Contractors",
        "--ext-jwt-signer",
        "okta",
        "--require-totp",
        "true",
    ]);
    db.ok(&[
        "auth-policy",
        "update",
        "Default",
        "--cert-allow-expired-certs",
        "false",
    ]);
    db.ok(&[
        "identity",
        "create",
        "bob",
        "--external-id",
        "bob",
        "--auth-policy",
        "Contractors",
    ]);
    let exported = db.export();
    let doc: Value = serde_json::from_str(&exported).unwrap();
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["externalJwtSigners", "authPolicies", "identities"],
        "dependency order"
    );

    let fresh = TempDb::new();
    let file = fresh.file("export.json", &exported);
    let summary = fresh.ok(&["import", common::path_str(&file)]);
    assert!(
        summary.contains("auth policies: 1 created, 1 updated, 0 unchanged"),
        "Contractors new, the built-in Default updated: {summary}"
    );
    assert_eq!(fresh.export(), exported);

    // Lists in the reverse order: an identity names a policy, and a policy a signer, that come
    // later in the same file.
    let reversed = json!({
        "identities": doc["identities"],
        "authPolicies": doc["authPolicies"],
        "externalJwtSigners": doc["externalJwtSigners"],
    });
    let third = TempDb::new();
    let file = third.file("reversed.json", &reversed.to_string());
    third.ok(&["import", common::path_str(&file)]);
    assert_eq!(third.export(), exported);

    // A reference to nothing, anywhere: refused naming the record and field, nothing written.
    let mut broken = doc.clone();
    broken["identities"][0]["authPolicyId"] = json!("missing-policy");
    let file = fresh.file("broken.json", &broken.to_string());
    fresh.refused(
        &["import", common::path_str(&file)],
        "identities[0]: authPolicyId: no auth policy with id \"missing-policy\"",
    );
    let mut broken = doc.clone();
    broken["authPolicies"][0]["primary"]["extJwt"]["allowedSigners"] = json!(["gone"]);
    let file = fresh.file("broken2.json", &broken.to_string());
    fresh.refused(
        &["import", common::path_str(&file)],
        "authPolicies[0]: primary.extJwt.allowedSigners: no signer with id \"gone\"",
    );
    let mut broken = doc.clone();
    broken["authPolicies"][0]["primary"]["extJwt"]["allowed"] = json!("yes");
    let file = fresh.file("broken3.json", &broken.to_string());
    fresh.refused(
        &["import", common::path_str(&file)],
        "authPolicies[0].primary.extJwt.allowed: must be true or false",
    );
}

#[test]
fn a_version_3_database_is_migrated_without_losing_policy_references() {
    let db = TempDb::new();
    db.ok(&["identity", "create", "alice"]);
    // Make the file look like schema 3, whose auth_policy_id was free text.
    {
        let conn = rusqlite::Connection::open(&db.path).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             DROP TABLE auth_policy_signers;
             CREATE TABLE identities_v3 AS SELECT id, name, 'User' AS type, is_admin, external_id,
                 auth_policy_id, disabled, created_at, updated_at, version, disabled_until
                 FROM identities;
             DROP TABLE identities;
             DROP TABLE auth_policies;
             ALTER TABLE identities_v3 RENAME TO identities;
             UPDATE identities SET auth_policy_id = 'kPq3.Zx9a';
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let alice = db.json(&["identity", "show", "alice", "--json"]);
    assert_eq!(alice["authPolicyId"], "kPq3.Zx9a", "the reference is kept");
    assert_eq!(
        alice["type"], "Default",
        "schema 5 reads the legacy User as Default"
    );
    assert_eq!(alice["roleAttributes"], serde_json::json!([]));
    let policy = db.json(&["auth-policy", "show", "kPq3.Zx9a", "--json"]);
    assert_eq!(policy["primary"]["extJwt"]["allowed"], true);
    assert_eq!(
        db.json(&["auth-policy", "show", "default", "--json"])["name"],
        "Default"
    );
}

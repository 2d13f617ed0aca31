//! A real controller's data in and out, through the real binary: every shape the ziti CLI
//! prints or reads, from fixtures that follow the controller's own definitions field for
//! field, and the ziti CLI's flag names.
//!
//! Sources of the fixtures in tests/fixtures/controller:
//! - `list-ext-jwt-signers.json`: `ziti edge list ext-jwt-signers 'limit none' -j`, records as
//!   openziti/edge-api `source/management/ext-jwt-signers.yml` `externalJwtSignerDetail` (JWKS
//!   signers carry `commonName: ""`, `fingerprint: null` and `0001-01-01` dates);
//! - `list-auth-policies.json`: `ziti edge list auth-policies`, `source/management/auth-policies.yml`
//!   `authPolicyDetail`;
//! - `list-identities.json`: `ziti edge list identities`, `source/shared/identities.yml`
//!   `identityDetail` (`type` an entity reference, `typeId`, `disabledAt`/`disabledUntil`, a
//!   legacy `User` from an older controller);
//! - `list-identities-first-page.json`: the same cut at a page (`totalCount` 37);
//! - `list-mixed.json`, `list-duplicate-names.json`: broken lists;
//! - `ops-export.json`: `ziti ops export`, as openziti/ziti `ziti/cmd/ascode/exporter/`
//!   writes it (keys sorted, policies before signers, `@name` references, other lists).

mod common;

use common::{TempDb, path_str};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/controller/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Imports fixture files in order (each is one transaction) and returns the `--json` summaries.
fn import(db: &TempDb, files: &[(&str, String)]) -> Vec<Value> {
    files
        .iter()
        .map(|(name, text)| {
            let path = db.file(name, text);
            db.json(&["import", path_str(&path), "--json"])
        })
        .collect()
}

fn controller_lists() -> Vec<(&'static str, String)> {
    vec![
        ("signers.json", fixture("list-ext-jwt-signers.json")),
        ("policies.json", fixture("list-auth-policies.json")),
        ("identities.json", fixture("list-identities.json")),
    ]
}

#[test]
fn the_controllers_list_output_imports_with_ids_types_references_and_locks_kept() {
    let db = TempDb::new();
    let summaries = import(&db, &controller_lists());
    assert_eq!(summaries[0]["signers"]["created"], 2, "{}", summaries[0]);
    assert_eq!(summaries[1]["authPolicies"]["created"], 1, "Contractors");
    assert_eq!(
        summaries[1]["authPolicies"]["updated"], 0,
        "the built-in Default is the same"
    );
    assert_eq!(summaries[2]["identities"]["created"], 5);
    assert_eq!(
        summaries[2]["legacyTypes"], 1,
        "bob's User is read as Default"
    );

    // Ids kept as given, short ids included (one starts with '-').
    // An id that starts with "-" goes after "--", as for any command line tool.
    let okta = db.json(&["signer", "show", "-j", "--", "-Ml7.Qe2b"]);
    assert_eq!(okta["name"], "okta");
    assert_eq!(
        okta["claimsProperty"], "/email",
        "a bare claim name is a pointer"
    );
    assert_eq!(okta["targetToken"], "ID");
    assert_eq!(okta["tags"]["owner"], "netops");
    assert_eq!(
        okta["fingerprint"],
        Value::Null,
        "derived fields are recomputed"
    );
    let keycloak = db.json(&["signer", "show", "keycloak-ops", "-j"]);
    assert_eq!(keycloak["id"], "kPq3.Zx9a");
    assert_eq!(keycloak["useExternalId"], false);

    let policy = db.json(&["auth-policy", "show", "Contractors", "-j"]);
    assert_eq!(policy["id"], "Ctr8.Pq41");
    assert_eq!(
        policy["primary"]["extJwt"]["allowedSigners"],
        json!(["kPq3.Zx9a"])
    );
    assert_eq!(policy["secondary"]["requireTotp"], true);

    let alice = db.json(&["identity", "show", "alice", "-j"]);
    assert_eq!(alice["id"], "Al1c.E001");
    assert_eq!(alice["authPolicyId"], "Ctr8.Pq41");
    assert_eq!(alice["roleAttributes"], json!(["contractors", "vpn"]));
    let bob = db.json(&["identity", "show", "bob", "-j"]);
    assert_eq!(bob["type"], "Default");
    // An expired lock (disabledAt and a past disabledUntil) no longer refuses logins.
    assert_eq!(bob["disabledUntil"], "2026-11-21T00:00:00Z");
    assert!(
        !db.ok(&["identity", "show", "bob"])
            .contains("Disabled         yes")
    );
    let carol = db.ok(&["identity", "show", "carol"]);
    assert!(
        carol
            .lines()
            .any(|l| l.starts_with("Disabled") && l.contains("yes")),
        "{carol}"
    );
    let router = db.json(&["identity", "show", "edge-router-1", "-j"]);
    assert_eq!(router["type"], "Router");

    // Importing the same lists again changes nothing.
    let again = import(&db, &controller_lists());
    assert_eq!(again[2]["identities"]["unchanged"], 5, "{}", again[2]);
}

#[test]
fn a_truncated_mixed_or_duplicated_list_is_refused_and_nothing_is_written() {
    let db = TempDb::new();
    import(&db, &controller_lists()[..2]);
    let refused = |name: &str, needle: &str| {
        let path = db.file(name, &fixture(name));
        db.refused(&["import", path_str(&path)], needle)
    };
    let cut = refused(
        "list-identities-first-page.json",
        "holds 3 of the controller's 37 records",
    );
    assert!(
        cut.contains("ziti edge list identities 'limit none' -j"),
        "{cut}"
    );
    refused(
        "list-mixed.json",
        "data[1].record: is an identity in a list of signer records",
    );
    refused("list-duplicate-names.json", "appears twice");
}

#[test]
fn a_ziti_ops_export_file_imports_by_name_in_dependency_order() {
    let db = TempDb::new();
    let summary = import(&db, &[("ops.json", fixture("ops-export.json"))]).remove(0);
    assert_eq!(summary["signers"]["created"], 2, "{summary}");
    assert_eq!(summary["authPolicies"]["created"], 1);
    assert_eq!(summary["identities"]["created"], 2);
    assert_eq!(
        summary["ignoredKeys"], 9,
        "services, configs and the other lists are skipped and counted"
    );
    let keycloak = db.json(&["signer", "show", "keycloak-ops", "-j"]);
    let okta = db.json(&["signer", "show", "okta", "-j"]);
    let policy = db.json(&["auth-policy", "show", "Contractors", "-j"]);
    assert_eq!(
        policy["primary"]["extJwt"]["allowedSigners"],
        json!([keycloak["id"]]),
        "@keycloak-ops, listed before the signers, resolves at the end of the file"
    );
    assert_eq!(policy["secondary"]["requireExtJwtSigner"], okta["id"]);
    let alice = db.json(&["identity", "show", "alice", "-j"]);
    assert_eq!(alice["authPolicyId"], policy["id"]);
    let bob = db.json(&["identity", "show", "bob", "-j"]);
    assert_eq!(
        bob["authPolicyId"], "default",
        "@Default is the built-in policy"
    );
    assert_eq!(bob["disabled"], true);
    assert_eq!(bob["disabledUntil"], "2027-01-01T00:00:00Z");

    // A reference to a name nowhere in the file or the database is refused, naming it.
    let broken = fixture("ops-export.json").replace("@Contractors", "@Contractor");
    let path = db.file("broken.json", &broken);
    let fresh = TempDb::new();
    let empty = fresh.file("empty.json", r#"{"identities": []}"#);
    fresh.ok(&["import", path_str(&empty)]);
    let stderr = fresh.refused(&["import", path_str(&path)], "identities[0].authPolicy");
    assert!(
        stderr.contains("no auth policy named \"Contractor\""),
        "{stderr}"
    );
}

#[test]
fn export_as_ascode_reimports_to_the_same_names_and_fields() {
    let db = TempDb::new();
    import(&db, &controller_lists());
    let ascode: Value = serde_json::from_str(&db.ok(&["export", "--format", "ascode"])).unwrap();
    // What `ziti ops import` needs (ziti/cmd/ascode/importer/importer_identities.go reads
    // authPolicy as a string and roleAttributes as an array without checking), and nothing
    // it would not take.
    for identity in ascode["identities"].as_array().unwrap() {
        assert!(
            identity["authPolicy"].as_str().unwrap().starts_with('@'),
            "{identity}"
        );
        assert!(identity["roleAttributes"].is_array(), "{identity}");
        assert!(identity["typeId"].is_string(), "{identity}");
        for key in [
            "id",
            "createdAt",
            "updatedAt",
            "disabled",
            "type",
            "authPolicyId",
        ] {
            assert!(identity.get(key).is_none(), "{key} in {identity}");
        }
    }
    for signer in ascode["externalJwtSigners"].as_array().unwrap() {
        for key in [
            "id",
            "createdAt",
            "commonName",
            "fingerprint",
            "notBefore",
            "notAfter",
        ] {
            assert!(signer.get(key).is_none(), "{key} in {signer}");
        }
    }
    let names: Vec<&str> = ascode["authPolicies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Contractors"], "the built-in Default is left out");
    assert_eq!(
        ascode["authPolicies"][0]["primary"]["extJwt"]["allowedSigners"],
        json!(["@keycloak-ops"])
    );

    let fresh = TempDb::new();
    let path = fresh.file("ops.json", &ascode.to_string());
    fresh.ok(&["import", path_str(&path)]);
    let again: Value = serde_json::from_str(&fresh.ok(&["export", "--format", "ascode"])).unwrap();
    assert_eq!(again, ascode, "names and fields survive the round trip");

    // This tool's own format stays byte for byte.
    let own = db.export();
    let copy = TempDb::new();
    let path = copy.file("own.json", &own);
    copy.ok(&["import", path_str(&path)]);
    assert_eq!(copy.export(), own);
}

#[test]
fn a_controller_short_id_maps_through_a_signer_with_use_external_id_off() {
    let key = common::rsa("sso.corp.test");
    let (jwks_url, _) = common::serve_json(&json!({"keys": [key.rsa_jwk("kc-1")]}));
    let db = TempDb::new();
    let mut lists = controller_lists();
    lists[0].1 = lists[0].1.replace(
        "https://sso.corp.test/realms/ops/protocol/openid-connect/certs",
        &jwks_url,
    );
    import(&db, &lists);
    let now = chrono::Utc::now().timestamp();
    let token = key.mint(
        Algorithm::RS256,
        Some("kc-1"),
        &json!({"iss": "https://sso.corp.test/realms/ops", "aud": "openziti", "sub": "Al1c.E001", "exp": now + 600}),
    );
    let report = db.json(&["verify", &token, "--json"]);
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["identity"]["name"], "alice", "{report}");
    assert_eq!(report["authPolicy"]["name"], "Contractors", "{report}");
}

#[test]
fn the_ziti_clis_flags_work_bare_and_valued_and_update_changes_only_what_is_given() {
    let db = TempDb::new();
    let id = db.ok(&[
        "ext-jwt-signer",
        "create",
        "kc",
        "https://kc.test",
        "-a",
        "ziti",
        "-u",
        "https://kc.test/jwks",
        "-xe",
        "-t",
        "team=net,env=prod",
        "--tags-json",
        r#"{"owner": "ops"}"#,
        "--enroll-to-cert",
        "--enroll-name-claims-selector",
        "/name",
        "--enroll-auth-policy",
        "Default",
    ]);
    let kc = db.json(&["external-jwt-signer", "show", id.trim(), "-j"]);
    assert_eq!(kc["useExternalId"], true);
    assert_eq!(kc["enabled"], true);
    assert_eq!(
        kc["tags"],
        json!({"owner": "ops", "team": "net", "env": "prod"})
    );
    assert_eq!(kc["enrollToCertEnabled"], true);
    assert_eq!(kc["enrollToTokenEnabled"], false);
    assert_eq!(kc["enrollNameClaimsSelector"], "/name");
    assert_eq!(kc["enrollAuthPolicyId"], "default");

    // Valued booleans, long and aliased; only the flags given change.
    let line = db.ok(&[
        "signer",
        "update",
        "kc",
        "--enabled",
        "false",
        "--external-id=no",
    ]);
    assert_eq!(line.trim(), "Updated signer kc: enabled, useExternalId");
    let kc2 = db.json(&["signer", "show", "kc", "-j"]);
    assert_eq!(kc2["enabled"], false);
    assert_eq!(kc2["useExternalId"], false);
    for same in [
        "audience",
        "jwksEndpoint",
        "tags",
        "enrollToCertEnabled",
        "claimsProperty",
    ] {
        assert_eq!(kc2[same], kc[same], "{same} kept");
    }
    let line = db.ok(&["signer", "update", "kc", "-e", "--use-external-id"]);
    assert_eq!(line.trim(), "Updated signer kc: enabled, useExternalId");
    let json = db.json(&["signer", "update", "kc", "-a", "ziti2", "-j"]);
    assert_eq!(json["audience"], "ziti2");
    let json = db.json(&[
        "signer",
        "update",
        "kc",
        "--enroll-to-token",
        "true",
        "--enroll-attr-claims-selector",
        "/groups",
        "--tags",
        "tier=1",
        "--scope",
        "openid",
        "--scope",
        "email",
        "-j",
    ]);
    assert_eq!(json["enrollToTokenEnabled"], true);
    assert_eq!(json["enrollAttributeClaimsSelector"], "/groups");
    assert_eq!(json["tags"]["tier"], "1");
    assert_eq!(json["tags"]["owner"], "ops", "tags are added to");
    assert_eq!(json["scopes"], json!(["openid", "email"]));
    assert_eq!(json["enrollToCertEnabled"], true, "kept");

    // Identities: -A, -a, -P as `ziti edge create identity`; update -n, -x.
    db.ok(&[
        "auth-policy",
        "create",
        "Contractors",
        "--primary-ext-jwt-allowed-signers",
        "kc",
        "--secondary-req-totp",
    ]);
    let alice_id = db.ok(&[
        "identity",
        "create",
        "alice",
        "-A",
        "-a",
        "vpn,ops",
        "-P",
        "Contractors",
        "--external-id",
        "alice@x",
    ]);
    let alice = db.json(&["identity", "show", alice_id.trim(), "-j"]);
    assert_eq!(alice["isAdmin"], true);
    assert_eq!(alice["type"], "Default", "as the ziti CLI creates them");
    assert_eq!(alice["roleAttributes"], json!(["vpn", "ops"]));
    let policy = db.json(&["auth-policy", "show", "Contractors", "-j"]);
    assert_eq!(alice["authPolicyId"], policy["id"]);
    assert_eq!(policy["secondary"]["requireTotp"], true);
    assert_eq!(
        db.ok(&[
            "identity",
            "update",
            "alice",
            "-x",
            "alice@corp",
            "-A",
            "false"
        ])
        .trim(),
        "Updated identity alice: externalId, isAdmin"
    );
    let after = db.json(&["identity", "show", "alice", "-j"]);
    assert_eq!(after["roleAttributes"], alice["roleAttributes"], "kept");
    assert_eq!(after["authPolicyId"], alice["authPolicyId"], "kept");

    // Deletes say what they did; errors name the flag typed.
    db.refused(
        &["signer", "update", "kc", "--enabled", "maybe"],
        "--enabled",
    );
    db.refused(
        &["signer", "update", "kc", "-u", "ftp://x"],
        "-u/--jwks-endpoint",
    );
    db.refused(
        &["signer", "update", "kc", "--tags-json", "[1]"],
        "--tags-json: must be a JSON object",
    );
    assert_eq!(
        db.ok(&["identity", "delete", "alice"]).trim(),
        format!("Deleted identity alice (id {})", alice_id.trim())
    );
    let deleted = db.json(&["auth-policy", "delete", "Contractors", "-j"]);
    assert_eq!(deleted["deleted"]["name"], "Contractors");
}

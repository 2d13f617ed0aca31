//! The scripting CLI, driven as a user would: the real binary on a real SQLite file.

mod common;

use common::{TempDb, p256, path_str, rsa};
use serde_json::Value;

/// A database with one certificate signer (okta), one JWKS signer (auth0) and one identity.
fn seeded() -> (TempDb, common::TestKey) {
    let db = TempDb::new();
    let key = rsa("okta.example.com");
    let cert = db.file("okta.pem", &key.cert_pem);
    db.ok(&[
        "signer",
        "create",
        "okta",
        "https://okta.example.com",
        "-a",
        "ziti",
        "-f",
        path_str(&cert),
        "-k",
        "okta-key-1",
    ]);
    db.ok(&[
        "signer",
        "create",
        "auth0",
        "https://auth0.example.com/",
        "-a",
        "openziti",
        "-u",
        "https://auth0.example.com/.well-known/jwks.json",
        "-c",
        "email",
        "--scopes",
        "openid,email",
        "--tag",
        "team=net",
    ]);
    db.ok(&[
        "identity",
        "create",
        "alice",
        "--external-id",
        "alice@example.com",
    ]);
    (db, key)
}

fn assert_refused(db: &TempDb, args: &[&str], field: &str) {
    db.refused(args, field);
}

#[test]
fn create_list_update_export_import_round_trip() {
    let (db, _) = seeded();
    let list: Value = db.json(&["signer", "list", "--json"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["auth0", "okta"]);
    let auth0 = &list[0];
    assert_eq!(
        auth0["claimsProperty"], "/email",
        "email is stored as /email"
    );
    assert_eq!(
        auth0["useExternalId"], true,
        "CLI create defaults useExternalId to true"
    );
    assert_eq!(auth0["scopes"], serde_json::json!(["openid", "email"]));
    assert_eq!(auth0["tags"]["team"], "net");

    db.ok(&[
        "signer",
        "update",
        "okta",
        "-a",
        "ziti-edge",
        "--enabled",
        "false",
    ]);
    db.ok(&["identity", "update", "alice", "--disabled", "true"]);
    let okta = db.json(&["signer", "show", "okta", "--json"]);
    assert_eq!(okta["audience"], "ziti-edge");
    assert_eq!(okta["enabled"], false);
    assert_eq!(
        okta["issuer"], "https://okta.example.com",
        "fields not given stay"
    );
    assert_eq!(okta["version"], 2);

    let exported = db.export();
    let file = db.file("export.json", &exported);
    let fresh = TempDb::new();
    let summary = fresh.ok(&["import", path_str(&file)]);
    assert!(summary.contains("signers: 2 created"), "{summary}");
    assert!(summary.contains("identities: 1 created"), "{summary}");
    assert_eq!(
        fresh.export(),
        exported,
        "export → import → export is identical"
    );

    let again = fresh.ok(&["import", path_str(&file)]);
    assert!(
        again.contains("2 unchanged") && again.contains("1 unchanged"),
        "{again}"
    );
}

#[test]
fn show_json_of_certificate_signer_has_derived_fields() {
    let (db, key) = seeded();
    let okta = db.json(&["signer", "show", "okta", "--json"]);
    assert_eq!(okta["commonName"], "okta.example.com");
    assert_eq!(okta["fingerprint"], key.fingerprint());
    assert!(okta["notBefore"].as_str().unwrap().ends_with('Z'));
    let not_after =
        chrono::DateTime::parse_from_rfc3339(okta["notAfter"].as_str().unwrap()).unwrap();
    let days = (not_after.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days();
    assert!(
        (363..=365).contains(&days),
        "notAfter is a year out, got {days} days"
    );
    let by_id = db.json(&["signer", "show", okta["id"].as_str().unwrap(), "--json"]);
    assert_eq!(by_id["name"], "okta", "show accepts an id");
}

#[test]
fn refuses_duplicates_naming_the_conflicting_signer() {
    let (db, _) = seeded();
    let other = p256("other");
    let cert = db.file("other.pem", &other.cert_pem);
    let c = path_str(&cert);
    assert_refused(
        &db,
        &[
            "signer",
            "create",
            "okta",
            "https://new",
            "-a",
            "z",
            "-f",
            c,
        ],
        "name",
    );
    let out = db
        .cmd()
        .args([
            "signer",
            "create",
            "x",
            "https://okta.example.com",
            "-a",
            "z",
            "-f",
            c,
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: issuer: a signer with issuer \"https://okta.example.com\" already exists (okta)"
    );
    assert_refused(
        &db,
        &[
            "signer",
            "create",
            "x",
            "https://okta.example.com",
            "-a",
            "z",
            "-f",
            c,
        ],
        "issuer",
    );
    assert_refused(
        &db,
        &[
            "signer",
            "create",
            "x",
            "https://new",
            "-a",
            "z",
            "-f",
            c,
            "-k",
            "okta-key-1",
        ],
        "kid",
    );
    assert_refused(&db, &["signer", "update", "auth0", "-n", "okta"], "name");
}

#[test]
fn refuses_bad_key_sources() {
    let (db, key) = seeded();
    let cert = db.file("c.pem", &key.cert_pem);
    let c = path_str(&cert);
    assert_refused(
        &db,
        &[
            "signer",
            "create",
            "x",
            "https://x",
            "-a",
            "z",
            "-f",
            c,
            "-u",
            "https://x/jwks",
        ],
        "-f/--cert-file",
    );
    assert_refused(
        &db,
        &["signer", "create", "x", "https://x", "-a", "z"],
        "certPem",
    );
    let junk = db.file("junk.pem", "this is not a certificate\n");
    assert_refused(
        &db,
        &[
            "signer",
            "create",
            "x",
            "https://x",
            "-a",
            "z",
            "-f",
            path_str(&junk),
        ],
        "-f/--cert-file",
    );
    let two = db.file(
        "two.pem",
        &format!("{}{}", key.cert_pem, p256("b").cert_pem),
    );
    assert_refused(
        &db,
        &[
            "signer",
            "create",
            "x",
            "https://x",
            "-a",
            "z",
            "-f",
            path_str(&two),
        ],
        "-f/--cert-file",
    );
    assert_refused(
        &db,
        &[
            "signer",
            "create",
            "x",
            "https://x",
            "-a",
            "z",
            "-u",
            "ftp://x/jwks",
        ],
        "-u/--jwks-endpoint",
    );
    assert_refused(
        &db,
        &[
            "signer",
            "create",
            "x",
            "https://x",
            "-a",
            "z",
            "-u",
            "https://",
        ],
        "-u/--jwks-endpoint",
    );
    let out = db
        .cmd()
        .args([
            "signer",
            "create",
            "x",
            "https://x",
            "-a",
            "z",
            "-u",
            "https://",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("host"),
        "the error says the host is missing"
    );
    assert_refused(
        &db,
        &[
            "signer",
            "create",
            "x",
            "https://x",
            "-a",
            "z",
            "-u",
            "http://169.254.169.254/jwks",
        ],
        "-u/--jwks-endpoint",
    );
    assert_refused(
        &db,
        &[
            "signer",
            "create",
            "x",
            "https://x",
            "-a",
            "",
            "-u",
            "https://x/jwks",
        ],
        "audience",
    );
    assert_refused(
        &db,
        &[
            "signer",
            "create",
            "x",
            "https://x",
            "-a",
            "z",
            "-u",
            "https://x/jwks",
            "--target-token",
            "FOO",
        ],
        "target-token",
    );
}

#[test]
fn refuses_bad_identities() {
    let (db, _) = seeded();
    let out = db
        .cmd()
        .args([
            "identity",
            "create",
            "bob",
            "--external-id",
            "alice@example.com",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: --external-id: identity alice already has external ID \"alice@example.com\""
    );
    assert_refused(
        &db,
        &[
            "identity",
            "create",
            "bob",
            "--external-id",
            "alice@example.com",
        ],
        "--external-id",
    );
    assert_refused(
        &db,
        &["identity", "create", "bob", "--type", "Robot"],
        "type",
    );
    assert_refused(&db, &["identity", "create", "alice"], "name");
}

#[test]
fn blank_external_id_is_stored_as_none() {
    let (db, _) = seeded();
    db.ok(&["identity", "create", "bob", "--external-id", "   "]);
    db.ok(&["identity", "create", "carol", "--external-id", ""]);
    let bob = db.json(&["identity", "show", "bob", "--json"]);
    assert_eq!(bob["externalId"], Value::Null);
}

#[test]
fn import_is_all_or_nothing() {
    let (db, key) = seeded();
    let good = |name: &str, iss: &str| serde_json::json!({"name": name, "issuer": iss, "audience": "z", "jwksEndpoint": "https://x/jwks", "enabled": true});
    let doc = serde_json::json!({
        "externalJwtSigners": [good("a", "https://a"), good("b", "https://b"), {"name": "c", "issuer": "https://c", "audience": "z", "certPem": "nope"}],
        "identities": [{"name": "dave"}]
    });
    let file = db.file("bad.json", &doc.to_string());
    assert_refused(
        &db,
        &["import", path_str(&file)],
        "externalJwtSigners[2].certPem",
    );

    let dup = serde_json::json!({"externalJwtSigners": [good("a", "https://okta.example.com")]});
    let file = db.file("dup.json", &dup.to_string());
    assert_refused(
        &db,
        &["import", path_str(&file)],
        "externalJwtSigners[0]: issuer",
    );

    let not_json = db.file("x.json", "{ this is not json");
    assert_refused(&db, &["import", path_str(&not_json)], "not JSON");

    let bad_type = db.file(
        "t.json",
        r#"{"identities": [{"name": "ok"}, {"name": "bad", "type": "Robot"}]}"#,
    );
    assert_refused(&db, &["import", path_str(&bad_type)], "identities[1].type");

    // The controller's list output imports, with useExternalId defaulting to false.
    let controller = serde_json::json!({
        "data": [{"name": "ctrl", "issuer": "https://ctrl", "audience": "z", "certPem": key.cert_pem.clone(),
                  "enabled": true, "fingerprint": "ignored", "_links": {}, "kid": ""}],
        "meta": {"pagination": {"totalCount": 1}}
    });
    let file = db.file("ctrl.json", &controller.to_string());
    // The certificate is okta's, so its fingerprint conflicts and nothing is imported.
    assert_refused(
        &db,
        &["import", path_str(&file)],
        "data[0]: certPem: a signer with certificate fingerprint",
    );
}

#[test]
fn imports_the_controllers_list_output() {
    let db = TempDb::new();
    let key = p256("ctrl.example.com");
    let controller = serde_json::json!({
        "data": [{"id": "1lgbmE0pR", "name": "ctrl", "issuer": "https://ctrl", "audience": "z",
                  "certPem": key.cert_pem, "enabled": true, "fingerprint": "ignored", "_links": {},
                  "kid": "", "claimsProperty": "email", "unknownField": 3}],
        "meta": {"pagination": {"totalCount": 1}}
    });
    let file = db.file("ctrl.json", &controller.to_string());
    let out = db.ok(&["import", path_str(&file)]);
    assert!(out.contains("signers: 1 created"), "{out}");
    let ctrl = db.json(&["signer", "show", "ctrl", "--json"]);
    assert_eq!(
        ctrl["useExternalId"], false,
        "import defaults useExternalId to false"
    );
    assert_eq!(
        ctrl["fingerprint"],
        key.fingerprint(),
        "read-only fields are recomputed"
    );
    assert_eq!(
        ctrl["kid"], "",
        "an empty kid is kept as the controller keeps it (design §2)"
    );
    assert_eq!(ctrl["claimsProperty"], "/email");
}

#[test]
fn refuses_unusable_database_paths() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/x.db");
    let out = assert_cmd::Command::cargo_bin("extjwt")
        .unwrap()
        .args(["--db", path_str(&missing), "signer", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: db: ") && err.contains("does not exist"),
        "{err}"
    );
    assert!(!missing.exists());

    // /proc refuses new files even to root, so this holds whoever runs the tests.
    let out = assert_cmd::Command::cargo_bin("extjwt")
        .unwrap()
        .args(["--db", "/proc/extjwt-test.db", "identity", "create", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: db: /proc/extjwt-test.db cannot create it"),
        "{err}"
    );

    let not_sqlite = dir.path().join("notes.db");
    std::fs::write(
        &not_sqlite,
        "these are my notes, not a database ".repeat(100),
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("extjwt")
        .unwrap()
        .args(["--db", path_str(&not_sqlite), "signer", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a SQLite database"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&not_sqlite).unwrap().len(),
        3500,
        "the file is untouched"
    );
}

#[test]
fn new_database_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let db = TempDb::new();
    db.ok(&["identity", "create", "alice"]);
    let mode = std::fs::metadata(&db.path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn second_update_from_the_same_read_is_refused() {
    let (db, _) = seeded();
    let read = db.json(&["signer", "show", "okta", "--json"]);
    let version = read["version"].as_i64().unwrap().to_string();
    // Two sessions read version 1; the first to write wins, the second is told.
    db.ok(&[
        "signer",
        "update",
        "okta",
        "-a",
        "first",
        "--if-version",
        &version,
    ]);
    let out = db
        .cmd()
        .args([
            "signer",
            "update",
            "okta",
            "-a",
            "second",
            "--if-version",
            &version,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("changed by another session"), "{err}");
    assert_eq!(
        db.json(&["signer", "show", "okta", "--json"])["audience"],
        "first"
    );
}

#[test]
fn readonly_refuses_changes() {
    let (db, _) = seeded();
    let before = db.export();
    let out = db
        .cmd()
        .args(["--readonly", "signer", "delete", "okta"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"));
    assert_eq!(db.export(), before);
}

#[test]
fn delete_removes_and_audit_names_the_actor() {
    let (db, _) = seeded();
    db.cmd()
        .args(["signer", "delete", "auth0"])
        .env("USER", "ops-anna")
        .env("SSH_CLIENT", "10.1.2.3 50000 22")
        .assert()
        .success();
    let list = db.json(&["signer", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let audit = db.json(&["audit", "--json"]);
    let latest = &audit[0];
    assert_eq!(latest["action"], "delete");
    assert_eq!(latest["entityName"], "auth0");
    assert_eq!(latest["actor"], account(), "the real account, not $USER");
    assert_eq!(latest["claimedUser"], "ops-anna");
    assert_eq!(latest["clientAddress"], "10.1.2.3");
    assert_eq!(
        audit.as_array().unwrap().len(),
        4,
        "three creates and a delete"
    );
}

#[test]
fn audit_has_one_entry_per_change_with_the_actor() {
    let db = TempDb::new();
    let run = |args: &[&str]| {
        db.cmd()
            .args(args)
            .env("USER", "ops-ben")
            .env("SSH_CLIENT", "192.0.2.7 51000 22")
            .assert()
            .success();
    };
    run(&[
        "signer",
        "create",
        "a",
        "https://a",
        "-a",
        "z",
        "-u",
        "https://a/jwks",
    ]);
    run(&["signer", "update", "a", "-a", "y", "--enabled", "false"]);
    run(&["identity", "create", "alice", "--external-id", "alice@x"]);
    run(&["identity", "update", "alice", "--disabled", "true"]);
    let file = db.file("in.json", r#"{"identities": [{"name": "bob"}, {"name": "alice", "externalId": "alice@x", "disabled": true}]}"#);
    run(&["import", path_str(&file)]);
    run(&["signer", "delete", "a"]);
    let audit = db.json(&["audit", "--json"]);
    let entries = audit.as_array().unwrap();
    let summary: Vec<(String, String, String)> = entries
        .iter()
        .rev()
        .map(|e| {
            (
                e["action"].as_str().unwrap().into(),
                e["entity"].as_str().unwrap().into(),
                e["entityName"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = [
        ("create", "signer", "a"),
        ("update", "signer", "a"),
        ("create", "identity", "alice"),
        ("update", "identity", "alice"),
        ("import", "identity", "bob"),
        ("delete", "signer", "a"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(
        summary, expected,
        "one entry per change; the unchanged alice is not logged"
    );
    assert!(entries.iter().all(|e| e["actor"] == account()
        && e["claimedUser"] == "ops-ben"
        && e["clientAddress"] == "192.0.2.7"));
    let update = &entries[4];
    assert_eq!(
        update["fields"],
        serde_json::json!(["audience", "enabled"]),
        "changed field names, never values"
    );
    let text = db.ok(&["audit"]);
    assert!(text.contains("ops-ben@192.0.2.7"), "{text}");
}

/// The login name of the account running the tests (what the audit log records).
fn account() -> String {
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .unwrap()
        .map(|u| u.name)
        .unwrap()
}

#[test]
fn a_truncated_or_glued_certificate_is_refused_and_nothing_is_written() {
    let (db, _) = seeded();
    let pem = p256("strict").cert_pem;
    let truncated = db.file("cut.pem", &pem[..pem.len() / 2]);
    let glued = db.file("glued.pem", &format!("{}{}", pem.trim_end(), pem));
    let chatty = db.file("chatty.pem", &format!("{pem}subject=CN=strict\n"));
    for (file, needle) in [
        (&truncated, "a truncated paste?"),
        (&glued, "glued together"),
        (&chatty, "text after the END line"),
    ] {
        let stderr = db.refused(
            &[
                "signer",
                "create",
                "strict",
                "https://strict.test",
                "-a",
                "z",
                "-f",
                path_str(file),
            ],
            needle,
        );
        assert!(
            stderr.contains("certPem") || stderr.contains("cert"),
            "{stderr}"
        );
    }
}

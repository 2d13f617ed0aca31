//! Hostile input and output (design §7), through the real binary: nothing an attacker puts in
//! a token, a database or an import file reaches the terminal raw; no file is clobbered;
//! nothing panics.

mod common;

use common::{TempDb, path_str, rsa};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every character a terminal or a reader could be fooled by, as the escaping path sees them.
fn is_dangerous(c: char) -> bool {
    extjwt::text::needs_escape(c) && c != '\n'
}

/// Asserts that `bytes` (a command's stdout or stderr) hold no raw dangerous character.
fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if let Some(c) = text.chars().find(|c| is_dangerous(*c)) {
        panic!(
            "{what}: raw U+{:04X} reached the terminal:\n{text}",
            c as u32
        );
    }
}

const HOSTILE: &str =
    "https://idp\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{9b}2J\u{1b}]52;c;ZXZpbA==\u{7}\u{202e}\u{200b}";

/// Writes a row the model would refuse, as an older extjwt (or another tool) could have.
fn plant_hostile_rows(db: &TempDb) {
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute(
        "UPDATE signers SET name = ?1, issuer = ?2, audience = ?3, client_id = ?4, kid = ?5,
         common_name = ?6 WHERE name = 'okta'",
        rusqlite::params![
            format!("okta{HOSTILE}"),
            HOSTILE,
            format!("aud{HOSTILE}"),
            format!("client{HOSTILE}"),
            format!("kid{HOSTILE}"),
            format!("cn{HOSTILE}"),
        ],
    )
    .unwrap();
    conn.execute(
        "UPDATE identities SET name = ?1, external_id = ?2 WHERE name = 'alice'",
        rusqlite::params![format!("alice{HOSTILE}"), format!("alice@x{HOSTILE}")],
    )
    .unwrap();
    conn.execute(
        "UPDATE audit SET entity_name = ?1, claimed_user = ?2",
        rusqlite::params![format!("n{HOSTILE}"), format!("u{HOSTILE}")],
    )
    .unwrap();
}

fn seeded() -> (TempDb, common::TestKey) {
    let db = TempDb::new();
    let key = rsa("okta.test");
    let cert = db.file("okta.pem", &key.cert_pem);
    db.ok(&[
        "signer",
        "create",
        "okta",
        "https://okta.test",
        "-a",
        "ziti",
        "-f",
        path_str(&cert),
        "-k",
        "k1",
        "-c",
        "email",
    ]);
    db.ok(&["identity", "create", "alice", "--external-id", "alice@x"]);
    (db, key)
}

#[test]
fn stored_values_print_escaped_in_every_listing_and_error() {
    let (db, _) = seeded();
    plant_hostile_rows(&db);
    let id = db.json(&["signer", "list", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for args in [
        vec!["signer", "list"],
        vec!["signer", "list", "--json"],
        vec!["signer", "show", &id],
        vec!["signer", "show", &id, "--json"],
        vec!["identity", "list"],
        vec!["identity", "list", "--json"],
        vec!["audit"],
        vec!["audit", "--json"],
        vec!["export"],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert_clean(&format!("{args:?}"), &out.stdout);
    }
    let shown = db.ok(&["signer", "show", &id]);
    assert!(shown.contains("\\u{1b}]0;PWNED\\u{7}"), "{shown}");
    assert!(
        shown.contains("Warning"),
        "bidi and zero-width values are flagged: {shown}"
    );
    let json = db.ok(&["signer", "list", "--json"]);
    assert!(
        json.contains("\\u009b2J") && json.contains("\\u202e"),
        "{json}"
    );

    // An error quoting what the user typed.
    let out = db
        .cmd()
        .args(["signer", "show", "x\u{1b}]0;T\u{7}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_clean("error", &out.stderr);
    assert!(String::from_utf8_lossy(&out.stderr).contains("x\\u{1b}]0;T\\u{7}"));
}

#[test]
fn a_token_nobody_signed_cannot_write_to_the_terminal() {
    let (db, key) = seeded();
    let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
    header.kid = Some(format!("k{HOSTILE}"));
    let claims = json!({"iss": HOSTILE, "aud": "ziti", "email": format!("a{HOSTILE}")});
    let token = jsonwebtoken::encode(&header, &claims, &key.encoding_key()).unwrap();
    // The same claims under the real issuer reach the claim and identity checks.
    let bound = key.mint(
        Algorithm::RS256,
        Some("k1"),
        &json!({"iss": "https://okta.test", "aud": "ziti", "email": format!("a{HOSTILE}")}),
    );
    let alg = format!(
        "{}.{}.sig",
        common::b64url(&json!({"alg": format!("RS256{HOSTILE}"), "kid": "k1"})),
        common::b64url(&json!({"iss": "https://okta.test", "aud": "ziti"}))
    );
    for token in [token, bound, alg] {
        for json in [false, true] {
            let mut cmd = db.cmd();
            cmd.arg("verify").arg(&token);
            if json {
                cmd.arg("--json");
            }
            let out = cmd.output().unwrap();
            assert_eq!(out.status.code(), Some(1));
            assert_clean("verify", &out.stdout);
            assert_clean("verify stderr", &out.stderr);
        }
    }
}

#[test]
fn a_forged_user_cannot_add_an_audit_entry() {
    let db = TempDb::new();
    db.cmd()
        .args(["identity", "create", "bob"])
        .env(
            "USER",
            "mallory\n2026-01-01T00:00:00Z  root  create  identity  alice",
        )
        .env("SSH_CLIENT", "10.0.0.1\u{1b}[2J 5 22")
        .assert()
        .success();
    let text = db.ok(&["audit"]);
    assert_eq!(text.lines().count(), 2, "a header and one entry:\n{text}");
    assert!(text.contains("mallory\\u{a}2026"), "{text}");
    assert_clean("audit", text.as_bytes());
    let audit = db.json(&["audit", "--json"]);
    assert_ne!(
        audit[0]["actor"], audit[0]["claimedUser"],
        "$USER is only a claim"
    );
}

#[test]
fn export_output_files_are_handled_as_their_kind() {
    let (db, _) = seeded();
    let dir = db.dir.path();

    // A regular file keeps its mode; a new one is private.
    let kept = dir.join("kept.json");
    std::fs::write(&kept, "old").unwrap();
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
    db.ok(&["export", "-o", path_str(&kept)]);
    let mode = std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert!(std::fs::read_to_string(&kept).unwrap().contains("okta"));
    let fresh = dir.join("fresh.json");
    db.ok(&["export", "-o", path_str(&fresh)]);
    assert_eq!(
        std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // A symlink is followed: the target changes, the link stays a link.
    let target = dir.join("target.json");
    std::fs::write(&target, "old").unwrap();
    let link = dir.join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    db.ok(&["export", "-o", path_str(&link)]);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(std::fs::read_to_string(&target).unwrap().contains("okta"));

    // A FIFO is written into, not replaced.
    let fifo = dir.join("pipe");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    db.ok(&["export", "-o", path_str(&fifo)]);
    assert!(reader.join().unwrap().contains("okta"));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());

    // A character device (the one every system has) stays a device.
    db.ok(&["export", "-o", "/dev/null"]);
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );

    // A directory and a dangling link are refused with a clear error.
    let out = db
        .cmd()
        .args(["export", "-o", path_str(dir)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"));
    let dangling = dir.join("dangling.json");
    std::os::unix::fs::symlink(dir.join("nowhere/x.json"), &dangling).unwrap();
    let out = db
        .cmd()
        .args(["export", "-o", path_str(&dangling)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("which does not exist"));
}

#[test]
fn huge_fields_are_refused_and_listings_of_old_huge_rows_do_not_panic() {
    let (db, _) = seeded();
    let huge = "x".repeat(70_000);
    for (args, field) in [
        (vec!["identity", "create", &huge], "name"),
        (
            vec!["identity", "create", "z", "--external-id", &huge],
            "--external-id",
        ),
        (
            vec![
                "signer",
                "create",
                "h",
                "https://h",
                "-a",
                &huge,
                "-u",
                "https://h/j",
            ],
            "-a/--audience",
        ),
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{field}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(field) && err.contains("at most"), "{err}");
    }
    // A row written past the model (an older build let one in).
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute("UPDATE identities SET name = ?1", [&huge])
        .unwrap();
    conn.execute("UPDATE signers SET audience = ?1", [&huge])
        .unwrap();
    drop(conn);
    for args in [
        ["identity", "list"],
        ["signer", "list"],
        ["audit", "--limit"],
    ] {
        let mut cmd = db.cmd();
        cmd.args(args);
        if args[1] == "--limit" {
            cmd.arg("5");
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_name_equal_to_another_rows_id_is_refused_and_ids_win_lookups() {
    let (db, _) = seeded();
    let okta = db.json(&["signer", "show", "okta", "--json"]);
    let id = okta["id"].as_str().unwrap();
    let out = db
        .cmd()
        .args([
            "signer",
            "create",
            id,
            "https://decoy",
            "-a",
            "z",
            "-u",
            "https://decoy/j",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is the id of signer okta"));
    // Planted by an import file: refused as well, naming the record.
    let file = db.file(
        "decoy.json",
        &json!({"externalJwtSigners": [{"name": id, "issuer": "https://decoy", "audience": "z",
                                         "jwksEndpoint": "https://decoy/j"}]})
        .to_string(),
    );
    let out = db.cmd().args(["import", path_str(&file)]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("externalJwtSigners[0]: name"));
    // A row planted past the model still loses to the id.
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute(
        "INSERT INTO signers SELECT 'decoy-id', ?1, 'https://decoy', audience, NULL,
         'https://decoy/j', NULL, claims_property, use_external_id, enabled, external_auth_url,
         client_id, scopes, target_token, enroll_to_cert_enabled, enroll_to_token_enabled,
         enroll_name_claims_selector, enroll_attribute_claims_selector, enroll_auth_policy_id,
         tags, NULL, NULL, NULL, NULL, created_at, updated_at, version FROM signers WHERE name = 'okta'",
        [id],
    )
    .unwrap();
    drop(conn);
    db.ok(&["signer", "delete", id]);
    let names: Vec<String> = db
        .json(&["signer", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        vec![id.to_string()],
        "okta was deleted, the decoy stays"
    );
}

fn sha1_of(path: &std::path::Path) -> String {
    use sha1::Digest;
    sha1::Sha1::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn another_applications_database_is_never_modified() {
    let db = TempDb::new();
    let other = db.dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("PRAGMA application_id = 42; CREATE TABLE notes (t TEXT);")
        .unwrap();
    drop(conn);
    let before = sha1_of(&other);
    for args in [vec!["identity", "create", "x"], vec!["signer", "list"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_extjwt"))
            .arg("--db")
            .arg(&other)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("another application"));
    }
    assert_eq!(sha1_of(&other), before, "not even journal_mode changed");
    assert!(!db.dir.path().join("other.db-wal").exists());
}

fn run_db(path: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_extjwt"))
        .arg("--db")
        .arg(path)
        .args(args)
        .env_remove("EXTJWT_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("extjwt {args:?} on {} hung", path.display());
}

#[test]
fn database_paths_are_checked_by_kind() {
    let db = TempDb::new();
    let dir = db.dir.path();
    let fifo = dir.join("fifo.db");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let dangling = dir.join("dangling.db");
    std::os::unix::fs::symlink(dir.join("gone/x.db"), &dangling).unwrap();
    for (path, says) in [
        (
            fifo.as_path(),
            "is a named pipe (FIFO), not a database file",
        ),
        (dir, "is a directory, not a database file"),
        (std::path::Path::new("/dev/null"), "is a character device"),
        (dangling.as_path(), "is a symbolic link to"),
    ] {
        for args in [vec!["identity", "create", "x"], vec!["signer", "list"]] {
            let out = run_db(path, &args);
            assert_eq!(out.status.code(), Some(2), "{}", path.display());
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(says), "{}: {err}", path.display());
        }
    }

    // Read-only commands on a missing path create nothing.
    let missing = dir.join("typo.db");
    for args in [
        vec!["signer", "list"],
        vec!["identity", "show", "x"],
        vec!["export"],
        vec!["audit"],
        vec!["verify", "a.b.c"],
    ] {
        let out = run_db(&missing, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
        assert!(!missing.exists(), "{args:?} created the database");
    }

    // An existing database readable by others is tightened, and the admin told.
    db.ok(&["identity", "create", "x"]);
    std::fs::set_permissions(&db.path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = db.cmd().args(["signer", "list"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tightened to 0600"));
    assert_eq!(
        std::fs::metadata(&db.path).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // --demo with a command is a usage error, and writes no database.
    let out = Command::new(env!("CARGO_BIN_EXE_extjwt"))
        .args(["--demo", "signer", "list"])
        .env("EXTJWT_DB", dir.join("default.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--demo"));
    assert!(!dir.join("default.db").exists());
}

#[test]
fn a_closed_pipe_ends_output_quietly_with_the_commands_exit_code() {
    let db = TempDb::new();
    let many: Vec<Value> = (0..3000)
        .map(|i| json!({"name": format!("user-{i}"), "externalId": format!("u{i}@x")}))
        .collect();
    let file = db.file("many.json", &json!({"identities": many}).to_string());
    db.ok(&["import", path_str(&file)]);
    for args in [
        vec!["identity", "list"],
        vec!["identity", "list", "--json"],
        vec!["export"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_extjwt"))
            .arg("--db")
            .arg(&db.path)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -0`: the reader is gone before the first write.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // verify keeps its own exit code (1: rejected) when the pipe closes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_extjwt"))
        .arg("--db")
        .arg(&db.path)
        .args(["verify", "not.a.token"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_empty());
}

#[test]
fn certificate_files_are_capped_before_reading() {
    let db = TempDb::new();
    let start = Instant::now();
    let out = db
        .cmd()
        .args([
            "signer",
            "create",
            "z",
            "https://z",
            "-a",
            "a",
            "-f",
            "/dev/zero",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("-f/--cert-file") && err.contains("larger than 1024 KiB"),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn import_refuses_twins_controls_and_lookalikes_and_accepts_a_bom() {
    let db = TempDb::new();
    db.ok(&["identity", "create", "carol"]);
    let before = db.export();
    for (doc, says) in [
        (
            json!({"identities": [{"name": "a"}, {"name": "bob"}, {"name": "bob"}]}),
            "identities[2]: name: \"bob\" appears twice in this file (also at identities[1])",
        ),
        (
            json!({"identities": [{"name": "a\u{0}b"}]}),
            "identities[0].name",
        ),
        (
            json!({"identities": [{"name": "a\u{1b}[2J"}]}),
            "control character \\u{1b}",
        ),
        (
            json!({"identities": [{"name": "carol\u{200b}"}]}),
            "look alike",
        ),
        (
            json!({"externalJwtSigners": [{"name": "s", "issuer": "https://s\u{9b}", "audience": "z",
                                           "jwksEndpoint": "https://s/j"}]}),
            "externalJwtSigners[0].issuer",
        ),
    ] {
        let file = db.file("in.json", &doc.to_string());
        let out = db.cmd().args(["import", path_str(&file)]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{doc}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{doc}: {err}");
        assert_clean("import error", &out.stderr);
        assert_eq!(db.export(), before, "nothing written");
    }
    let file = db.file(
        "bom.json",
        &format!("\u{feff}{}", json!({"identities": [{"name": "dave"}]})),
    );
    let out = db.ok(&["import", path_str(&file)]);
    assert!(out.contains("identities: 1 created"), "{out}");
}

#[test]
fn jwks_addresses_that_embed_a_refused_one_are_refused_at_save() {
    let db = TempDb::new();
    for url in [
        "http://[fd00:ec2::254]/jwks",
        "http://[64:ff9b::a9fe:a9fe]/jwks",
        "http://[::a9fe:a9fe]/jwks",
        "http://[2002:a9fe:a9fe::]/jwks",
        "http://[::ffff:169.254.169.254]/jwks",
    ] {
        let out = db
            .cmd()
            .args(["signer", "create", "m", "https://m", "-a", "z", "-u", url])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("-u/--jwks-endpoint"),
            "{url}"
        );
    }
}

#[test]
fn an_identity_create_during_a_large_import_waits_and_succeeds() {
    let db = TempDb::new();
    db.ok(&["identity", "create", "first"]);
    let many: Vec<Value> = (0..150_000)
        .map(|i| json!({"name": format!("user-{i:06}"), "externalId": format!("u{i}@x")}))
        .collect();
    let file = db.file("big.json", &json!({"identities": many}).to_string());
    let mut import = Command::new(env!("CARGO_BIN_EXE_extjwt"))
        .arg("--db")
        .arg(&db.path)
        .arg("import")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Midway: the import holds the write lock by now.
    std::thread::sleep(Duration::from_millis(700));
    let out = db
        .cmd()
        .args(["identity", "create", "during"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the create waited for the import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(import.wait().unwrap().success());
    let list = db.json(&["identity", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 150_002);
}

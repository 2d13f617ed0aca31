//! `extjwt signer check`, the doctor: one test per finding, through the real binary (JWKS from
//! a server the test starts on 127.0.0.1).

mod common;

use common::{TempDb, path_str};
use serde_json::{Value, json};

/// Runs `signer check --json` and returns (exit code, findings as (severity, signer, code)).
fn check(db: &TempDb, args: &[&str]) -> (i32, Vec<(String, String, String)>, Value) {
    let mut all = vec!["signer", "check", "--json"];
    all.extend_from_slice(args);
    let out = db.cmd().args(&all).output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["severity"].as_str().unwrap().to_string(),
                f["signer"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (out.status.code().unwrap(), findings, json)
}

fn has(findings: &[(String, String, String)], severity: &str, signer: &str, code: &str) -> bool {
    findings
        .iter()
        .any(|(s, n, c)| s == severity && n == signer && c == code)
}

#[test]
fn certificate_health_and_key_size() {
    let db = TempDb::new();
    let soon = common::p256_valid("soon.idp", 10, 5);
    let gone = common::p256_valid("gone.idp", 10, -2);
    let fine = common::p256("fine.idp");
    let weak = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rsa/rsa1024.cert.pem"
    ))
    .unwrap();
    for (name, pem) in [
        ("soon", &soon.cert_pem),
        ("gone", &gone.cert_pem),
        ("fine", &fine.cert_pem),
        ("weak", &weak),
    ] {
        let file = db.file(&format!("{name}.pem"), pem);
        db.ok(&[
            "signer",
            "create",
            name,
            &format!("https://{name}.idp"),
            "-a",
            "z",
            "-f",
            path_str(&file),
        ]);
    }
    let (code, findings, _) = check(&db, &[]);
    assert_eq!(code, 0, "warnings only: {findings:?}");
    assert!(
        has(&findings, "warning", "soon", "certificate_expiring"),
        "{findings:?}"
    );
    assert!(
        has(&findings, "warning", "gone", "certificate_expired"),
        "{findings:?}"
    );
    assert!(
        has(&findings, "info", "fine", "certificate_valid"),
        "{findings:?}"
    );
    assert!(
        has(&findings, "warning", "weak", "weak_key"),
        "{findings:?}"
    );
    let (_, only_fine, _) = check(&db, &["fine"]);
    assert!(
        only_fine.iter().all(|(_, n, _)| n == "fine"),
        "{only_fine:?}"
    );
}

#[test]
fn the_empty_kid_trap_is_an_error() {
    let db = TempDb::new();
    let key = common::p256("ctrl.idp");
    let file = db.file(
        "ctrl.json",
        &json!({"data": [{"name": "ctrl", "issuer": "https://ctrl", "audience": "z", "certPem": key.cert_pem, "kid": "", "enabled": true}],
                "meta": {"pagination": {"totalCount": 1}}})
        .to_string(),
    );
    db.ok(&["import", path_str(&file)]);
    let (code, findings, _) = check(&db, &[]);
    assert_eq!(code, 1);
    assert!(has(&findings, "error", "ctrl", "empty_kid"), "{findings:?}");
}

#[test]
fn a_jwks_that_breaks_duplicates_and_shares_kids() {
    let db = TempDb::new();
    let rsa = json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"});
    let mut k1 = rsa.clone();
    k1["kid"] = json!("k1");
    let mut okp = json!({"kty": "OKP", "crv": "Ed25519", "x": "AA"});
    okp["kid"] = json!("ed");
    let mut late = rsa.clone();
    late["kid"] = json!("late");
    let (url, _) = common::serve_json(&json!({"keys": [k1.clone(), k1, okp, late]}));
    db.ok(&[
        "signer",
        "create",
        "idp",
        "https://idp.test",
        "-a",
        "z",
        "-u",
        &url,
    ]);
    let cert = common::p256("other.idp");
    let file = db.file("other.pem", &cert.cert_pem);
    db.ok(&[
        "signer",
        "create",
        "other",
        "https://IDP.test/",
        "-a",
        "z",
        "-f",
        path_str(&file),
        "-k",
        "k1",
    ]);
    let (code, findings, json) = check(&db, &[]);
    assert_eq!(code, 1, "{json}");
    assert!(
        has(&findings, "error", "idp", "jwks_resolution_stops"),
        "{findings:?}"
    );
    let stop = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "jwks_resolution_stops")
        .unwrap();
    assert!(
        stop["message"]
            .as_str()
            .unwrap()
            .contains("never loaded: late"),
        "{stop}"
    );
    assert!(
        has(&findings, "warning", "idp", "jwks_duplicate_kid"),
        "{findings:?}"
    );
    assert!(
        has(&findings, "warning", "idp", "shared_kid"),
        "{findings:?}"
    );
    assert!(
        has(&findings, "warning", "other", "shared_kid"),
        "{findings:?}"
    );
    assert!(
        has(&findings, "warning", "idp", "near_twin_issuer"),
        "{findings:?}"
    );
    // The human view: one line per finding, errors first.
    let text = db.cmd().args(["signer", "check"]).output().unwrap();
    let stdout = String::from_utf8(text.stdout).unwrap();
    let first = stdout.lines().nth(1).unwrap();
    assert!(first.starts_with("error"), "{stdout}");
}

#[test]
fn an_unreachable_jwks_is_an_error() {
    let db = TempDb::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    db.ok(&[
        "signer",
        "create",
        "down",
        "https://down.test",
        "-a",
        "z",
        "-u",
        &format!("http://127.0.0.1:{port}/jwks"),
    ]);
    let (code, findings, _) = check(&db, &[]);
    assert_eq!(code, 1);
    assert!(
        has(&findings, "error", "down", "jwks_unavailable"),
        "{findings:?}"
    );
}

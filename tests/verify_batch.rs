//! `extjwt verify --batch` on a mixed file: counts, first lines, NDJSON in input order, the
//! exit code, and each JWKS fetched once however many tokens name it.

mod common;

use chrono::Utc;
use common::{TempDb, path_str};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

fn setup() -> (TempDb, common::TestKey) {
    let db = TempDb::new();
    let key = common::p256("okta.test");
    let pem = db.file("okta.pem", &key.cert_pem);
    db.ok(&[
        "signer",
        "create",
        "okta",
        "https://okta.test",
        "-a",
        "ziti",
        "-f",
        path_str(&pem),
        "-k",
        "k1",
        "-c",
        "email",
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

fn token(key: &common::TestKey, iss: &str, exp_in: i64) -> String {
    key.mint(
        Algorithm::ES256,
        Some("k1"),
        &json!({"iss": iss, "aud": "ziti", "email": "alice@example.com", "exp": Utc::now().timestamp() + exp_in}),
    )
}

#[test]
fn a_mixed_file_is_counted_by_reason_and_signer() {
    let (db, key) = setup();
    let good = token(&key, "https://okta.test", 600);
    let lines = [
        good.clone(),
        String::new(),
        token(&key, "https://okta.test", -600),
        token(&key, "https://other.test", 600),
        "not a token".to_string(),
        good.clone(),
    ];
    let file = db.file("tokens.txt", &lines.join("\n"));
    let out = db
        .cmd()
        .args(["verify", "--batch", path_str(&file)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "some are rejected");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("5 tokens: 2 valid, 3 rejected"), "{text}");
    let row = |first: &str| {
        text.lines()
            .find(|l| l.starts_with(first))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(row("expired"), ["expired", "1", "3"], "{text}");
    assert_eq!(
        row("unknown_issuer"),
        ["unknown_issuer", "1", "4"],
        "{text}"
    );
    assert_eq!(row("malformed"), ["malformed", "1", "5"], "{text}");
    assert_eq!(row("okta"), ["okta", "3", "1", "1"], "{text}");
    assert_eq!(row("(no"), ["(no", "signer)", "2", "2", "4"], "{text}");

    let json = db
        .cmd()
        .args(["verify", "--batch", "--json", "-"])
        .write_stdin(lines.join("\n"))
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(1));
    let reports: Vec<Value> = String::from_utf8(json.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let numbers: Vec<u64> = reports
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        numbers,
        [1, 3, 4, 5, 6],
        "one report a line, in input order, blanks skipped"
    );
    assert_eq!(reports[1]["reason"]["code"], "expired");
    assert_eq!(reports[4]["valid"], true);

    let all_good = db.file("good.txt", &format!("{good}\n{good}\n"));
    let ok = db
        .cmd()
        .args(["verify", "--batch", path_str(&all_good)])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
}

#[test]
fn a_thousand_tokens_fetch_the_jwks_once_and_agree_with_single_verify() {
    let db = TempDb::new();
    let key = common::rsa("sso.test");
    let (url, hits) = common::serve_json(&json!({"keys": [key.rsa_jwk("k1")]}));
    db.ok(&[
        "signer",
        "create",
        "sso",
        "https://sso.test",
        "-a",
        "ziti",
        "-u",
        &url,
        "-c",
        "email",
    ]);
    db.ok(&[
        "identity",
        "create",
        "alice",
        "--external-id",
        "alice@example.com",
    ]);
    let good = key.mint(Algorithm::RS256, Some("k1"), &json!({"iss": "https://sso.test", "aud": "ziti", "email": "alice@example.com", "exp": Utc::now().timestamp() + 600}));
    let unknown_kid = key.mint(
        Algorithm::RS256,
        Some("k2"),
        &json!({"iss": "https://sso.test", "aud": "ziti", "email": "alice@example.com"}),
    );
    let mut lines = Vec::new();
    for i in 0..1000 {
        lines.push(if i % 10 == 9 {
            unknown_kid.clone()
        } else {
            good.clone()
        });
    }
    let out = db
        .cmd()
        .args(["verify", "--batch", "-"])
        .write_stdin(lines.join("\n"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("1000 tokens: 900 valid, 100 rejected"),
        "{text}"
    );
    assert!(text.contains("key_not_found"), "{text}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "one fetch for the whole batch"
    );
    // The same verdict as a single verify of the rejected token.
    let single = db
        .cmd()
        .args(["verify", "--json", &unknown_kid])
        .output()
        .unwrap();
    let single: Value = serde_json::from_slice(&single.stdout).unwrap();
    assert_eq!(single["reason"]["code"], "key_not_found");
}

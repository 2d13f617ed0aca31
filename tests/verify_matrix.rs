//! The verification table: every row mints a real token with a real key and asserts the reason
//! code and the failing check, through the library and through `extjwt verify --json`.

mod common;
mod matrix;

use extjwt::store::Store;
use extjwt::verify::{Check, FetchPolicy, KeyCache, Status, Verifier};
use jsonwebtoken::Algorithm;
use matrix::{Fixture, fixture, rows};
use serde_json::{Value, json};

fn verify(f: &Fixture, token: &str, leeway: u64) -> extjwt::verify::VerifyReport {
    let store = Store::open(&f.db.path).unwrap();
    let cache = KeyCache::new();
    Verifier::new(&store, &cache, FetchPolicy::Blocking)
        .verify(token, f.now, leeway)
        .unwrap()
}

#[test]
fn every_row_of_the_table_gives_its_reason_and_failing_check() {
    let f = fixture();
    for row in rows(&f) {
        let report = verify(&f, &row.token, row.leeway);
        let verdict = report.verdict();
        assert_eq!(
            report.reason().map(|r| r.code()),
            row.reason,
            "{}: {}",
            row.name,
            report.to_text()
        );
        assert_eq!(
            verdict.map(|c| c.check.name()),
            row.check,
            "{}: {}",
            row.name,
            report.to_text()
        );
        assert_eq!(report.is_valid(), row.reason.is_none(), "{}", row.name);
        assert_eq!(
            report.checks.len(),
            13,
            "{}: one outcome per check",
            row.name
        );
        let names: Vec<&str> = report.checks.iter().map(|c| c.check.name()).collect();
        assert_eq!(
            names,
            Check::ALL.iter().map(|c| c.name()).collect::<Vec<_>>(),
            "{}: in order",
            row.name
        );
        if row.reason.is_none() {
            assert!(
                report.identity.is_some(),
                "{}: a valid token maps to an identity",
                row.name
            );
        }
    }
}

#[test]
fn cli_json_agrees_with_the_library_on_every_row() {
    let f = fixture();
    let at = f.now.timestamp().to_string();
    for row in rows(&f) {
        let report = verify(&f, &row.token, row.leeway);
        let out =
            f.db.cmd()
                .args([
                    "verify",
                    "--json",
                    "--at",
                    &at,
                    "--leeway",
                    &row.leeway.to_string(),
                    "-",
                ])
                .write_stdin(row.token.clone())
                .output()
                .unwrap();
        assert_eq!(
            out.status.code(),
            Some(if row.reason.is_none() { 0 } else { 1 }),
            "{}",
            row.name
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            json,
            report.to_json(),
            "{}: CLI and library differ",
            row.name
        );
        assert_eq!(json["reason"]["code"].as_str(), row.reason, "{}", row.name);
    }
}

#[test]
fn expired_token_with_wrong_audience_reports_both() {
    let f = fixture();
    let now = f.now.timestamp();
    let token = f.rsa.mint(Algorithm::RS256, Some("rsa-1"), &json!({"iss": "https://rsa.idp", "aud": "other", "email": "alice@example.com", "exp": now - 60}));
    let report = verify(&f, &token, 0);
    assert_eq!(report.reason().unwrap().code(), "expired");
    assert_eq!(
        report.outcome(Check::Audience).unwrap().status,
        Status::Fail(extjwt::verify::Reason::AudienceMismatch)
    );
    assert_eq!(
        report.outcome(Check::Identity).unwrap().status,
        Status::Pass,
        "later checks still run"
    );
    assert!(
        report
            .outcome(Check::Expiry)
            .unwrap()
            .detail
            .contains("expired 1 minute ago")
    );
}

#[test]
fn pointer_with_escaped_slash_resolves() {
    let f = fixture();
    // The "slash" signer's key was generated inside the fixture; re-key it here so the test
    // can sign for it.
    let key = common::p256("slash2.idp");
    let mut store = Store::open(&f.db.path).unwrap();
    let slash = store.find_signer("slash").unwrap();
    let mut draft = slash.draft.clone();
    draft.cert_pem = Some(key.cert_pem.clone());
    store
        .update_signer(&slash.id, slash.version, &draft.validate().unwrap())
        .unwrap();
    let token = key.mint(
        Algorithm::ES256,
        Some("s-1"),
        &json!({"iss": "https://slash.idp", "aud": "ziti", "a/b": "alice@example.com"}),
    );
    let report = verify(&f, &token, 0);
    assert!(report.is_valid(), "{}", report.to_text());
    assert_eq!(report.claim.unwrap().pointer, "/a~1b");
}

#[test]
fn unknown_issuer_near_miss_names_the_signer() {
    let f = fixture();
    let token = f.rsa.mint(
        Algorithm::RS256,
        Some("rsa-1"),
        &json!({"iss": "https://rsa.idp/", "aud": "ziti"}),
    );
    let report = verify(&f, &token, 0);
    let detail = &report.verdict().unwrap().detail;
    assert!(
        detail.contains("signer rsa has \"https://rsa.idp\""),
        "{detail}"
    );
}

#[test]
fn cli_reads_the_token_from_stdin_and_from_a_bearer_argument() {
    let f = fixture();
    let token = f.rsa.mint(
        Algorithm::RS256,
        Some("rsa-1"),
        &json!({"iss": "https://rsa.idp", "aud": "ziti", "email": "alice@example.com"}),
    );
    let out =
        f.db.cmd()
            .args(["verify", "--json"])
            .write_stdin(format!("{token}\n"))
            .output()
            .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["identity"]["name"], "alice");
    assert_eq!(json["signer"]["name"], "rsa");
    assert_eq!(
        json["claim"],
        json!({"pointer": "/email", "value": "alice@example.com"})
    );

    let out =
        f.db.cmd()
            .args(["verify", &format!("Bearer {token}")])
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("VALID → identity alice (externalId alice@example.com) via signer rsa"),
        "{text}"
    );

    let out = f.db.cmd().args(["verify", "not-a-token"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("REJECTED (malformed)"));

    let out =
        f.db.cmd()
            .args(["verify", &token, "--at", "yesterday"])
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(2), "a bad --at is a usage error");
}

#[test]
fn auth_policy_check_names_the_policy_and_answers_like_the_controller() {
    let f = fixture();
    let now = f.now.timestamp();
    let token_for = |email: &str| {
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &json!({"iss": "https://rsa.idp", "aud": "ziti", "email": email, "exp": now + 60}),
        )
    };
    // Refused by the policy: ProcessPrimary skips the candidate, so the client sees "missing".
    let refused = verify(&f, &token_for("erin@example.com"), 0).to_json();
    assert_eq!(
        refused["controller"],
        json!({"status": 401, "error": "missing"})
    );
    assert_eq!(refused["authPolicy"]["name"], "only-p256");
    assert_eq!(refused["fix"]["form"], "auth-policy");
    assert_eq!(refused["fix"]["field"], "primary.extJwt.allowedSigners");
    let detail = refused["reason"]["message"].as_str().unwrap();
    assert!(
        detail.contains("only from p256") && detail.contains("not from signer rsa"),
        "{detail}"
    );
    let off = verify(&f, &token_for("dave@example.com"), 0).to_json();
    assert_eq!(off["reason"]["code"], "ext_jwt_not_allowed");
    assert_eq!(off["controller"]["error"], "missing");
    // A required secondary signer: valid, with a note naming that signer.
    let second = verify(&f, &token_for("frank@example.com"), 0);
    assert!(second.is_valid());
    let note = second.warnings.join("\n");
    assert!(
        note.contains("second-factor") && note.contains("signer p384"),
        "{note}"
    );
    let outcome = second.outcome(Check::AuthPolicy).unwrap();
    assert!(outcome.detail.contains("note:"), "{}", outcome.detail);
}

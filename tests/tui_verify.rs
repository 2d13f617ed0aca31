//! The Identities tab and the Verify pane on a `TestBackend`, and the pane's verdict against
//! `extjwt verify --json` for every row of the verification table.

mod common;
mod matrix;
mod support;

use extjwt::tui::{Entity, Tab};
use jsonwebtoken::Algorithm;
use serde_json::json;
use support::*;

fn snap(name: &str, app: &mut extjwt::tui::App) {
    let mut settings = settings();
    // Tokens and signatures are random (fresh keys each run): mask long base64url runs.
    settings.add_filter(r"(?m)^│[A-Za-z0-9_\-\.]+ *│$", "│[token]│");
    for (w, h) in [(80, 24), (100, 30), (160, 40)] {
        let text = screen(app, w, h);
        settings.bind(|| insta::assert_snapshot!(format!("{name}_{w}x{h}"), text));
    }
}

/// A token from the seeded okta signer, times relative to the fixed clock.
fn okta_token(key: &str, claims: serde_json::Value) -> String {
    let mut header = jsonwebtoken::Header::new(Algorithm::ES256);
    header.kid = Some("okta-1".into());
    let encoding = jsonwebtoken::EncodingKey::from_ec_pem(key.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, &claims, &encoding).unwrap()
}

fn claims(email: &str, exp_offset: i64) -> serde_json::Value {
    let now = fixed_now().timestamp();
    json!({"iss": "https://okta.test/oauth2/default", "aud": "api://ziti", "email": email, "iat": now - 600, "exp": now + exp_offset})
}

#[test]
fn identities_table_and_detail() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "2");
    snap("identities_table", &mut app);
    press(&mut app, "Enter");
    let shown = screen(&mut app, 160, 40);
    assert!(
        shown.contains("okta") && shown.contains("/email = \"alice@example.com\" (external ID)"),
        "{shown}"
    );
    assert!(
        shown.contains("keycloak") && shown.contains(ALICE_ID),
        "id-mapping signers are listed: {shown}"
    );
}

#[test]
fn identity_form_names_the_holder_of_a_duplicate_external_id() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "2");
    press(&mut app, "n");
    type_text(&mut app, "alice2");
    press(&mut app, "Tab");
    type_text(&mut app, "alice@example.com");
    press(&mut app, "C-s");
    snap("identity_form_duplicate_external_id", &mut app);
    let shown = screen(&mut app, 160, 40);
    assert!(
        shown.contains("✗ identity alice already has external ID \"alice@example.com\""),
        "{shown}"
    );
    assert!(shown.contains("alice2"), "the typing stays");
    assert_eq!(app.store().list_identities().unwrap().len(), 3);
}

#[test]
fn verify_pane_valid_expired_malformed_and_pending() {
    let (store, key) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "3");
    app.handle_paste(&okta_token(&key, claims("alice@example.com", 3600)));
    assert_eq!(
        app.verdict_text(),
        "VALID → identity alice (externalId alice@example.com) via signer okta · client got 200"
    );
    snap("verify_valid", &mut app);

    press(&mut app, "c");
    app.handle_paste(&format!(
        "Bearer {}",
        okta_token(&key, claims("alice@example.com", -3 * 86_400))
    ));
    assert!(
        app.verdict_text()
            .starts_with("REJECTED (expired): exp 2026-11-28 12:00:00 UTC, expired 3 days ago"),
        "{}",
        app.verdict_text()
    );
    snap("verify_expired", &mut app);
    assert!(screen(&mut app, 160, 40).contains("fix: get a fresh token"));

    press(&mut app, "c");
    app.handle_paste("eyJhbGciOiJSUzI1NiJ9.not-json.sig");
    assert!(
        app.verdict_text().starts_with("REJECTED (malformed)"),
        "{}",
        app.verdict_text()
    );
    snap("verify_malformed", &mut app);

    press(&mut app, "c");
    let keycloak = okta_token(
        &key,
        json!({"iss": "https://sso.test/realms/ops", "aud": "openziti", "sub": ALICE_ID}),
    );
    app.handle_paste(&keycloak);
    assert!(
        app.verdict_text()
            .contains("Fetching the JWKS from http://127.0.0.1:9/realms/ops/certs"),
        "{}",
        app.verdict_text()
    );
    assert_eq!(
        app.take_effects(),
        vec![extjwt::tui::Effect::Fetch(
            "http://127.0.0.1:9/realms/ops/certs".into()
        )],
        "the fetch goes to a worker"
    );
    snap("verify_pending_fetch", &mut app);
    press(&mut app, "Esc");
    assert!(
        app.verdict_text().contains("cancelled"),
        "{}",
        app.verdict_text()
    );
}

#[test]
fn pending_fetch_completes_on_a_worker_and_the_verdict_follows() {
    let (store, key) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "3");
    let token = okta_token(
        &key,
        json!({"iss": "https://sso.test/realms/ops", "aud": "openziti", "sub": ALICE_ID}),
    );
    app.handle_paste(&token);
    let Some(extjwt::tui::Effect::Fetch(url)) = app.take_effects().into_iter().next() else {
        panic!("no fetch")
    };
    let cache = app.key_cache();
    std::thread::spawn(move || cache.fetch(&url).map(|_| url.clone()).unwrap_or(url))
        .join()
        .map(|url| app.fetch_finished(&url))
        .unwrap();
    assert!(
        app.verdict_text().starts_with("REJECTED (key_unavailable)"),
        "{}",
        app.verdict_text()
    );
}

#[test]
fn verdict_jumps_to_the_signer_and_the_identity() {
    let (store, key) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "3");
    app.handle_paste(&okta_token(&key, claims("alice@example.com", 3600)));
    press(&mut app, "o");
    assert_eq!(app.tab(), Tab::Identities);
    assert_eq!(app.selected_id(Entity::Identity), Some(ALICE_ID));
    press(&mut app, "3");
    press(&mut app, "s");
    assert_eq!(app.tab(), Tab::Signers);
    assert_eq!(app.selected_id(Entity::Signer), Some(OKTA_ID));
}

#[test]
fn verdict_names_the_form_field_to_fix() {
    let (store, key) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "3");
    app.handle_paste(&okta_token(&key, claims("zoe@example.com", 3600)));
    let shown = screen(&mut app, 160, 40);
    assert!(shown.contains("REJECTED (identity_not_found)"), "{shown}");
    assert!(
        shown.contains("fix: identity form: set External ID to the claim value"),
        "{shown}"
    );
    // Creating the identity through the form turns the same token valid.
    press(&mut app, "2");
    press(&mut app, "n");
    type_text(&mut app, "zoe");
    press(&mut app, "Tab");
    type_text(&mut app, "zoe@example.com");
    press(&mut app, "C-s");
    assert!(
        app.verdict_text().starts_with("VALID → identity zoe"),
        "{}",
        app.verdict_text()
    );
}

#[test]
fn copy_report_puts_the_cli_json_on_the_clipboard() {
    let (store, key) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "3");
    app.handle_paste(&okta_token(&key, claims("alice@example.com", 3600)));
    app.take_effects();
    press(&mut app, "y");
    let effects = app.take_effects();
    let Some(extjwt::tui::Effect::Copy(text)) = effects.first() else {
        panic!("{effects:?}")
    };
    let json: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["identity"]["name"], "alice");
}

#[test]
fn pane_and_cli_agree_on_every_row_of_the_verification_table() {
    let f = matrix::fixture();
    let at = f.now.timestamp().to_string();
    // The pane, like the controller, allows no leeway, so the CLI runs without one too (the
    // "inside leeway" row is then expired in both).
    for row in matrix::rows(&f) {
        let store = extjwt::store::Store::open(&f.db.path).unwrap();
        let mut app = extjwt::tui::App::new(store, options(false)).unwrap();
        app.set_clock(f.now);
        press(&mut app, "3");
        press(&mut app, "c");
        app.handle_paste(&row.token);
        let out =
            f.db.cmd()
                .args(["verify", "--json", "--at", &at, "-"])
                .write_stdin(row.token.clone())
                .output()
                .unwrap();
        let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let answer = match cli["controller"]["error"].as_str() {
            Some(error) => format!(" · client got 401 error={error}"),
            None => " · client got 200".to_string(),
        };
        let expected = match cli["reason"]["code"].as_str() {
            Some(code) => format!(
                "REJECTED ({code}): {}{answer}",
                cli["reason"]["message"].as_str().unwrap()
            ),
            None => format!(
                "VALID → identity {} (externalId {}) via signer {}{answer}",
                cli["identity"]["name"].as_str().unwrap(),
                cli["identity"]["externalId"].as_str().unwrap_or("none"),
                cli["signer"]["name"].as_str().unwrap()
            ),
        };
        assert_eq!(app.verdict_text(), expected, "{}", row.name);
        let first_line: String = expected.chars().take(60).collect();
        assert!(
            screen(&mut app, 200, 50).contains(&first_line),
            "{}: the verdict is on screen",
            row.name
        );
    }
}

#[test]
fn demo_opens_with_a_valid_token_and_the_help_lists_the_others() {
    let demo = extjwt::demo::create().unwrap();
    let (store, tokens, _file) = demo.into_parts();
    let labels: Vec<String> = tokens.iter().map(|(label, _)| label.clone()).collect();
    let samples: Vec<String> = tokens.iter().map(|(_, token)| token.clone()).collect();
    let app_tokens = || samples.clone();
    let mut app = extjwt::tui::App::new(
        store,
        extjwt::tui::AppOptions {
            demo: true,
            sample_tokens: tokens,
            ..options(false)
        },
    )
    .unwrap();
    press(&mut app, "3");
    assert!(
        app.verdict_text().starts_with("VALID → identity alice"),
        "{}",
        app.verdict_text()
    );
    press(&mut app, "?");
    // The demo tokens come after the keys: End scrolls to them. Five tokens of ~6 lines each:
    // a tall terminal shows them all at once.
    let top = screen(&mut app, 200, 60);
    assert!(top.contains("This screen: Verify pane"), "{top}");
    press(&mut app, "End");
    let help = screen(&mut app, 200, 60);
    for label in [
        "expired 3 days ago",
        "wrong audience",
        "unknown identity",
        "auth policy Contractors",
    ] {
        assert!(labels.iter().any(|l| l.contains(label)), "{labels:?}");
    }
    assert!(
        help.contains("Demo tokens: press 3, then t to load them"),
        "{help}"
    );
    for label in &labels {
        assert!(help.contains(label.as_str()), "help lists {label}: {help}");
    }
    // Each listed token gives the outcome its label promises: pasted over the one before
    // (a paste replaces the token), and loaded in turn with t.
    press(&mut app, "Esc");
    let outcomes = [
        (1, "expired"),
        (2, "audience_mismatch"),
        (3, "identity_not_found"),
        (4, "signer_not_allowed"),
    ];
    for (label, code) in outcomes {
        let token = &app_tokens()[label];
        app.handle_paste(token);
        assert!(
            app.verdict_text()
                .starts_with(&format!("REJECTED ({code})")),
            "{}",
            app.verdict_text()
        );
    }
    for (_, code) in outcomes {
        press(&mut app, "t");
        assert!(
            app.verdict_text()
                .starts_with(&format!("REJECTED ({code})")),
            "t loads the next demo token: {}",
            app.verdict_text()
        );
    }
    press(&mut app, "t");
    assert!(app.verdict_text().starts_with("VALID"), "and wraps around");
}

#[test]
fn an_enormous_paste_is_refused_and_the_token_kept() {
    let (store, key) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "3");
    app.handle_paste(&okta_token(&key, claims("alice@example.com", 3600)));
    app.handle_paste(&"x".repeat(10 * 1024 * 1024));
    assert!(
        app.message()
            .unwrap()
            .text
            .starts_with("Paste of 10240 KiB refused"),
        "{:?}",
        app.message()
    );
    assert!(
        app.verdict_text().starts_with("VALID"),
        "the token before the paste is kept"
    );
}

#[test]
fn a_paste_replaces_the_token_and_strips_what_comes_around_it() {
    let (store, key) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "3");
    let expired = okta_token(&key, claims("alice@example.com", -3600));
    let valid = okta_token(&key, claims("alice@example.com", 3600));
    app.handle_paste(&expired);
    assert!(app.verdict_text().starts_with("REJECTED (expired)"));
    // A second paste is a new token, not glued onto the first.
    app.handle_paste(&valid);
    assert!(
        app.verdict_text().starts_with("VALID"),
        "{}",
        app.verdict_text()
    );
    for wrapped in [
        format!("Authorization: Bearer {expired}\r\n"),
        format!("\"{expired}\""),
        format!("  bearer '{expired}'  "),
    ] {
        app.handle_paste(&valid);
        app.handle_paste(&wrapped);
        assert!(
            app.verdict_text().starts_with("REJECTED (expired)"),
            "{wrapped:?}: {}",
            app.verdict_text()
        );
    }
    app.handle_paste(&format!("authorization: Bearer {valid}"));
    assert!(
        app.verdict_text().starts_with("VALID"),
        "{}",
        app.verdict_text()
    );
    // In the editor (i), a paste inserts at the cursor: here, after the whole token.
    press(&mut app, "i");
    app.handle_paste("xyz");
    assert!(
        app.verdict_text().starts_with("REJECTED"),
        "the signature no longer matches: {}",
        app.verdict_text()
    );
}

#[test]
fn unknown_issuer_and_jwks_failure_verdicts_wrap_whole_and_a_check_expands() {
    let (store, key) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "3");
    // A near miss: okta's issuer with a trailing slash.
    app.handle_paste(&okta_token(
        &key,
        json!({"iss": "https://okta.test/oauth2/default/", "aud": "api://ziti", "email": "alice@example.com"}),
    ));
    assert!(
        app.verdict_text().starts_with("REJECTED (unknown_issuer)"),
        "{}",
        app.verdict_text()
    );
    snap("verify_unknown_issuer", &mut app);
    let shown = screen(&mut app, 100, 30);
    let fix_line = shown
        .lines()
        .find(|l| l.starts_with("fix: "))
        .unwrap_or_else(|| panic!("no fix line: {shown}"));
    assert!(!fix_line.ends_with('…'), "{fix_line}");

    // The keycloak signer's JWKS cannot be fetched (nothing listens on port 9): the failure,
    // then its fix.
    let keycloak = okta_token(
        &key,
        json!({"iss": "https://sso.test/realms/ops", "aud": "openziti", "sub": ALICE_ID}),
    );
    app.handle_paste(&keycloak);
    let url = "http://127.0.0.1:9/realms/ops/certs";
    assert!(
        !screen(&mut app, 100, 30).contains("fix: "),
        "no fix while the fetch is pending"
    );
    let _ = app.key_cache().fetch(url);
    app.fetch_finished(url);
    assert!(
        app.verdict_text().starts_with(
            "REJECTED (key_unavailable): fetching http://127.0.0.1:9/realms/ops/certs failed"
        ),
        "{}",
        app.verdict_text()
    );
    snap("verify_jwks_failure", &mut app);
    let shown = screen(&mut app, 100, 30);
    assert!(shown.lines().any(|l| l.starts_with("fix: ")), "{shown}");

    // Enter on a check shows its whole detail; ↓ moves to the next check.
    for _ in 0..4 {
        press(&mut app, "Down"); // format, signer, enabled, algorithm → key
    }
    let folded = screen(&mut app, 80, 24);
    let key_line = folded
        .lines()
        .find(|l| l.contains("✗ key"))
        .unwrap()
        .to_string();
    assert!(key_line.trim_end_matches('│').ends_with('…'), "{folded}");
    press(&mut app, "Enter");
    let expanded = screen(&mut app, 80, 24);
    assert!(
        expanded
            .lines()
            .filter(|l| l.starts_with("│                   "))
            .count()
            >= 1,
        "the detail continues on its own lines: {expanded}"
    );
    press(&mut app, "Enter");
    assert_eq!(screen(&mut app, 80, 24), folded, "Enter folds it again");
}

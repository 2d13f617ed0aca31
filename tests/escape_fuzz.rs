//! Property test of the one escaping path: arbitrary Unicode, weighted towards every C0 and C1
//! control, DEL, the bidi controls and the zero-width characters, planted in every stored field
//! (past the model, as an older build or another tool could have written them) and in tokens,
//! goes through every CLI output path and every console screen; no raw control, bidi or
//! invisible character reaches the output.

mod common;
mod support;

use clap::Parser;
use extjwt::cli::output::Out;
use extjwt::cli::{self, Cli};
use extjwt::text::needs_escape;
use proptest::prelude::*;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Characters weighted towards the dangerous ones.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => (0u32..=0x9f).prop_map(|c| char::from_u32(c).unwrap()),
        1 => (0x202au32..=0x202e).prop_map(|c| char::from_u32(c).unwrap()),
        1 => (0x2066u32..=0x2069).prop_map(|c| char::from_u32(c).unwrap()),
        1 => (0x200bu32..=0x200f).prop_map(|c| char::from_u32(c).unwrap()),
        1 => Just('\u{feff}'),
        1 => Just('\u{e0041}'),
        2 => prop::char::range('a', 'z'),
        1 => prop::sample::select(vec!['東', 'é', '🙂', ' ', '/', '"']),
    ]
}

fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 1..24).prop_map(|v| v.into_iter().collect())
}

fn assert_clean(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| needs_escape(*c) && *c != '\n') {
        panic!("{what}: raw U+{:04X} in output:\n{text:?}", c as u32);
    }
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A database whose every text field holds `s` (written past the model).
fn hostile_database(s: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let mut store = extjwt::store::Store::open(&path).unwrap();
    let key = common::p256("h.test");
    let draft = extjwt::model::SignerDraft {
        name: "okta".into(),
        issuer: "https://okta.test".into(),
        audience: "ziti".into(),
        cert_pem: Some(key.cert_pem.clone()),
        ..Default::default()
    };
    store.create_signer(&draft.validate().unwrap()).unwrap();
    let signer_id = store.list_signers().unwrap()[0].id.clone();
    let mut policy = extjwt::model::AuthPolicyDraft {
        name: "hostile-policy".into(),
        ..Default::default()
    };
    policy.primary.ext_jwt.allowed_signers = vec![signer_id];
    store
        .create_auth_policy(&policy.validate().unwrap())
        .unwrap();
    store
        .create_identity(&extjwt::model::IdentityDraft {
            name: "alice".into(),
            ..Default::default()
        })
        .unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE signers SET name = ?1, issuer = ?1, audience = ?1, kid = ?1, client_id = ?1,
         claims_property = '/' || ?1, external_auth_url = ?1, common_name = ?1,
         enroll_auth_policy_id = ?1, scopes = ?2, tags = ?3",
        rusqlite::params![s, json!([s]).to_string(), json!({ s: s }).to_string()],
    )
    .unwrap();
    // The policy gets the hostile string as its id and name, and the identity points at it.
    conn.execute(
        "UPDATE auth_policies SET id = ?1, name = ?1, tags = ?2 WHERE name = 'hostile-policy'",
        rusqlite::params![s, json!({ s: s }).to_string()],
    )
    .unwrap();
    conn.execute(
        "UPDATE identities SET name = ?1, external_id = ?1, auth_policy_id = ?1",
        [s],
    )
    .unwrap();
    conn.execute(
        "UPDATE audit SET entity_name = ?1, claimed_user = ?1, client_address = ?1, actor = ?1",
        [s],
    )
    .unwrap();
    (dir, path)
}

fn run_cli(path: &std::path::Path, args: &[&str]) -> String {
    let mut argv = vec!["extjwt", "--db", path.to_str().unwrap()];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).unwrap();
    let captured = Captured::default();
    let mut out = Out::to(Box::new(captured.clone()));
    let result = cli::run_to(&cli, cli.command.as_ref().unwrap(), &mut out);
    out.finish().unwrap();
    let mut text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    if let Err(e) = result {
        // main prints errors through the same escaping function.
        text.push_str(&extjwt::text::escape(&format!("{e:#}")));
    }
    text
}

fn token_with(s: &str) -> String {
    let key = common::p256("t.test");
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(s.to_string());
    jsonwebtoken::encode(
        &header,
        &json!({"iss": s, "aud": [s], "sub": s, s: s}),
        &key.encoding_key(),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(common::fuzz_config(48, 0x5afe_0001))]
    #[test]
    fn no_cli_output_path_prints_a_raw_control_character(s in hostile()) {
        let (_dir, path) = hostile_database(&s);
        let id = {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.query_row("SELECT id FROM signers", [], |r| r.get::<_, String>(0)).unwrap()
        };
        let token = token_with(&s);
        let at_okta = token.clone();
        for args in [
            vec!["signer", "list"],
            vec!["signer", "list", "--json"],
            vec!["signer", "show", &id],
            vec!["signer", "show", &id, "--json"],
            vec!["signer", "show", &s],
            vec!["identity", "list"],
            vec!["identity", "list", "--json"],
            vec!["identity", "show", &s],
            vec!["identity", "show", &s, "--json"],
            vec!["auth-policy", "list"],
            vec!["auth-policy", "list", "--json"],
            vec!["auth-policy", "show", &s],
            vec!["auth-policy", "show", &s, "--json"],
            vec!["auth-policy", "delete", &s],
            vec!["signer", "delete", &id],
            vec!["audit"],
            vec!["audit", "--json"],
            vec!["export"],
            vec!["verify", &token],
            vec!["verify", &at_okta, "--json"],
            vec!["identity", "create", &s],
            vec!["signer", "update", &id, "-a", &s],
        ] {
            let text = run_cli(&path, &args);
            assert_clean(&format!("{args:?}"), &text);
        }
    }
}

proptest! {
    #![proptest_config(common::fuzz_config(32, 0x5afe_0002))]
    #[test]
    fn no_console_screen_draws_a_raw_control_character(s in hostile()) {
        let (_dir, path) = hostile_database(&s);
        let store = extjwt::store::Store::open(&path).unwrap();
        let mut app = support::app(store, support::options(false));
        let mut screens = Vec::new();
        for keys in [
            vec![],
            vec!["Enter"],
            vec!["Esc", "e"],
            vec!["Esc", "Esc", "d"],
            vec!["n", "2"],
            vec!["Esc", "Esc", "2", "Enter"],
            vec!["Esc", "2", "e"],
            // Tab 4: the hostile policy and Default, whichever sorts first.
            vec!["4"],
            vec!["4", "Enter"],
            vec!["4", "Down", "Enter"],
            vec!["4", "e"],
            vec!["4", "Down", "e"],
            vec!["4", "d"],
            vec!["4", "Down", "d"],
        ] {
            for key in keys {
                support::press(&mut app, key);
            }
            screens.push(support::screen(&mut app, 120, 40));
            support::press(&mut app, "Esc");
            support::press(&mut app, "Esc");
        }
        support::press(&mut app, "3");
        app.handle_paste(&token_with(&s));
        screens.push(support::screen(&mut app, 160, 40));
        app.handle_paste(&s);
        screens.push(support::screen(&mut app, 100, 30));
        support::press(&mut app, "1");
        support::press(&mut app, "n");
        app.handle_paste(&s);
        screens.push(support::screen(&mut app, 120, 40));
        support::press(&mut app, "C-s");
        screens.push(support::screen(&mut app, 120, 40));
        for (n, screen) in screens.iter().enumerate() {
            assert_clean(&format!("screen {n}"), screen);
        }
    }
}

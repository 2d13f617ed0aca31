//! Console test support: an app over an in-memory store with fixed ids, times and certificate
//! dates, driven by synthetic keys and drawn on a `TestBackend`.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use extjwt::store::Store;
use extjwt::tui::theme::Theme;
use extjwt::tui::{App, AppOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use serde_json::json;

/// The console's "now" in every snapshot.
pub fn fixed_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A certificate with fixed validity (its key, and so its fingerprint, is random).
pub fn certificate(cn: &str, from: (i32, u8, u8), to: (i32, u8, u8)) -> (String, String) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec![cn.to_string()]).unwrap();
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, cn);
    params.distinguished_name = dn;
    params.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
    params.not_after = rcgen::date_time_ymd(to.0, to.1, to.2);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

pub const OKTA_ID: &str = "1f0c9a2e-1111-4a4a-8b8b-000000000001";
pub const ADFS_ID: &str = "2b7d4c11-2222-4a4a-8b8b-000000000002";
pub const LEGACY_ID: &str = "3c8e5d22-3333-4a4a-8b8b-000000000003";
pub const KEYCLOAK_ID: &str = "4d9f6e33-4444-4a4a-8b8b-000000000004";
pub const ALICE_ID: &str = "a11ce000-aaaa-4bbb-8ccc-000000000001";
/// The Contractors auth policy of the seeded store (okta and adfs only, TOTP).
pub const CONTRACTORS_ID: &str = "c0c00000-aaaa-4bbb-8ccc-000000000004";

/// The seeded store: four signers (one near expiry, one expired and disabled, one JWKS) and
/// three identities, with fixed ids and times. Returns the store and okta's private key.
pub fn seeded_store() -> (Store, String) {
    let (okta_cert, okta_key) = certificate("okta.test", (2026, 1, 1), (2036, 1, 1));
    let (adfs_cert, _) = certificate("adfs.test", (2025, 12, 20), (2026, 12, 20));
    let (legacy_cert, _) = certificate("legacy.test", (2024, 1, 1), (2026, 6, 1));
    let doc = json!({
        "externalJwtSigners": [
            {"id": OKTA_ID, "name": "okta", "issuer": "https://okta.test/oauth2/default", "audience": "api://ziti",
             "certPem": okta_cert, "kid": "okta-1", "claimsProperty": "/email", "useExternalId": true, "enabled": true,
             "scopes": ["openid", "email"], "tags": {"owner": "netops"},
             "createdAt": "2026-11-02T09:15:00Z", "updatedAt": "2026-11-02T09:15:00Z"},
            {"id": ADFS_ID, "name": "adfs", "issuer": "https://adfs.test/adfs", "audience": "urn:ziti",
             "certPem": adfs_cert, "kid": "adfs-1", "useExternalId": true, "enabled": true,
             "createdAt": "2026-10-20T08:00:00Z", "updatedAt": "2026-10-20T08:00:00Z"},
            {"id": LEGACY_ID, "name": "legacy", "issuer": "https://legacy.test", "audience": "ziti",
             "certPem": legacy_cert, "kid": "legacy-1", "useExternalId": true, "enabled": false,
             "createdAt": "2024-01-05T10:00:00Z", "updatedAt": "2024-01-05T10:00:00Z"},
            {"id": KEYCLOAK_ID, "name": "keycloak", "issuer": "https://sso.test/realms/ops", "audience": "openziti",
             "jwksEndpoint": "http://127.0.0.1:9/realms/ops/certs", "useExternalId": false, "enabled": true,
             "createdAt": "2026-11-28T16:45:00Z", "updatedAt": "2026-11-28T16:45:00Z"}
        ],
        "authPolicies": [
            {"id": "default", "name": "Default",
             "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"},
            {"id": CONTRACTORS_ID, "name": "Contractors",
             "primary": {"cert": {"allowed": false}, "extJwt": {"allowed": true, "allowedSigners": [OKTA_ID, ADFS_ID]}},
             "secondary": {"requireTotp": true, "requireExtJwtSigner": null},
             "createdAt": "2026-11-05T12:00:00Z", "updatedAt": "2026-11-05T12:00:00Z"},
            {"id": "0ff00000-aaaa-4bbb-8ccc-000000000009", "name": "No ext-JWT",
             "primary": {"extJwt": {"allowed": false}},
             "createdAt": "2026-11-06T12:00:00Z", "updatedAt": "2026-11-06T12:00:00Z"}
        ],
        "identities": [
            {"id": ALICE_ID, "name": "alice", "externalId": "alice@example.com", "isAdmin": true,
             "createdAt": "2026-11-02T09:20:00Z", "updatedAt": "2026-11-02T09:20:00Z"},
            {"id": "b0b00000-aaaa-4bbb-8ccc-000000000002", "name": "bob", "externalId": "bob@example.com", "disabled": true,
             "authPolicyId": CONTRACTORS_ID,
             "createdAt": "2026-11-03T09:20:00Z", "updatedAt": "2026-11-03T09:20:00Z"},
            {"id": "e0e00000-aaaa-4bbb-8ccc-000000000003", "name": "edge-router-1", "type": "Router",
             "createdAt": "2026-11-04T09:20:00Z", "updatedAt": "2026-11-04T09:20:00Z"}
        ]
    });
    let mut store = Store::open_in_memory().unwrap();
    extjwt::interchange::import_str(&mut store, &doc.to_string()).unwrap();
    (store, okta_key)
}

pub fn options(plain: bool) -> AppOptions {
    AppOptions {
        demo: false,
        theme: Theme::new(plain),
        ..AppOptions::default()
    }
}

/// An app over `store` with the fixed clock.
pub fn app(store: Store, options: AppOptions) -> App {
    let mut app = App::new(store, options).unwrap();
    app.set_clock(fixed_now());
    app
}

/// Presses a key: "n", "Enter", "Esc", "Tab", "S-Tab", "Up", "Down", "Left", "Right", "C-s", "Space".
pub fn press(app: &mut App, name: &str) {
    let (code, modifiers) = match name {
        "Enter" => (KeyCode::Enter, KeyModifiers::NONE),
        "Esc" => (KeyCode::Esc, KeyModifiers::NONE),
        "Tab" => (KeyCode::Tab, KeyModifiers::NONE),
        "S-Tab" => (KeyCode::BackTab, KeyModifiers::SHIFT),
        "Up" => (KeyCode::Up, KeyModifiers::NONE),
        "Down" => (KeyCode::Down, KeyModifiers::NONE),
        "Left" => (KeyCode::Left, KeyModifiers::NONE),
        "Right" => (KeyCode::Right, KeyModifiers::NONE),
        "Space" => (KeyCode::Char(' '), KeyModifiers::NONE),
        "Backspace" => (KeyCode::Backspace, KeyModifiers::NONE),
        "PgDn" => (KeyCode::PageDown, KeyModifiers::NONE),
        "Home" => (KeyCode::Home, KeyModifiers::NONE),
        "End" => (KeyCode::End, KeyModifiers::NONE),
        "F1" => (KeyCode::F(1), KeyModifiers::NONE),
        "Delete" => (KeyCode::Delete, KeyModifiers::NONE),
        "PgUp" => (KeyCode::PageUp, KeyModifiers::NONE),
        other if other.starts_with("C-") => (
            KeyCode::Char(other.chars().nth(2).unwrap()),
            KeyModifiers::CONTROL,
        ),
        other if other.chars().count() == 1 => (
            KeyCode::Char(other.chars().next().unwrap()),
            KeyModifiers::NONE,
        ),
        other => panic!("unknown key {other}"),
    };
    app.handle_event(Event::Key(KeyEvent::new(code, modifiers)));
}

/// Types text into whatever has focus.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

/// Draws the app at `width` x `height` and returns the buffer.
pub fn draw(app: &mut App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| app.render(f)).unwrap();
    terminal.backend().buffer().clone()
}

/// The buffer as text, one line per row, trailing spaces trimmed.
pub fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buffer.cell((x, y)).map_or(" ", |c| c.symbol()));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Draws and returns the text.
pub fn screen(app: &mut App, width: u16, height: u16) -> String {
    text(&draw(app, width, height))
}

/// Snapshot settings: certificate fingerprints are random, so they are masked.
pub fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"[0-9a-f]{40}", "[fingerprint]");
    // The audit log records real times and the real $USER.
    settings.add_filter(
        r"(import|create|update) by \S+ at \S+",
        "$1 by [actor] at [time]",
    );
    settings.set_prepend_module_to_snapshot(false);
    settings
}

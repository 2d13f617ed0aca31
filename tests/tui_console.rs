//! The console's truthfulness and liveness on a `TestBackend`: every key a screen names is bound
//! there, `--readonly` offers no change keys, only `y` confirms, messages fade, the help opens
//! on the current screen's keys, and another session's change shows up without a key.

mod support;

use extjwt::store::Store;
use extjwt::tui::keymap::{Action, Key, Keymap};
use extjwt::tui::theme::{Palette, Theme};
use extjwt::tui::{App, AppOptions, Entity};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use support::*;

/// A colour no other role uses, so key names can be found on screen by their style.
const KEY_COLOUR: Color = Color::Rgb(1, 2, 3);

fn key_coloured(keymap: Keymap) -> AppOptions {
    AppOptions {
        theme: Theme {
            plain: false,
            palette: Palette {
                key: KEY_COLOUR,
                ..Palette::default()
            },
        },
        keymap,
        ..options(false)
    }
}

/// Every word drawn in the key style.
fn named_keys(buffer: &Buffer) -> Vec<String> {
    let mut keys = Vec::new();
    for y in 0..buffer.area.height {
        let mut run = String::new();
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            if cell.fg == KEY_COLOUR && cell.modifier.contains(Modifier::BOLD) {
                run.push_str(cell.symbol());
            } else {
                keys.extend(run.split_whitespace().map(str::to_string));
                run.clear();
            }
        }
        keys.extend(run.split_whitespace().map(str::to_string));
    }
    keys
}

/// Checks that each key the screen names does something where it is named (in the help:
/// somewhere in the console).
fn assert_named_keys_bound(app: &mut App, keymap: &Keymap, state: &str) {
    for (w, h) in [(80, 24), (160, 40)] {
        let buffer = draw(app, w, h);
        let named = named_keys(&buffer);
        assert!(!named.is_empty(), "{state}: no key named at {w}x{h}");
        let contexts = app.contexts();
        let bound = if contexts == [extjwt::tui::keymap::Context::Help] {
            // The help lists every key of the console, and the text editor's own.
            let mut all = keymap.bound_labels(&extjwt::tui::keymap::STACKS.concat());
            all.extend(
                extjwt::tui::strings::TEXT_EDITING_KEYS
                    .iter()
                    .flat_map(|(names, _)| names.iter().map(|n| n.to_string())),
            );
            all
        } else {
            keymap.bound_labels(&contexts)
        };
        for key in named {
            assert!(
                bound.contains(&key),
                "{state} at {w}x{h} names {key:?}, which is not bound in {contexts:?}:\n{}",
                text(&buffer)
            );
        }
    }
}

#[test]
fn every_key_a_screen_names_is_bound_there() {
    // With the defaults, and with keys moved, so text that was typed rather than generated
    // would name the old key.
    let mut moved = Keymap::default();
    moved
        .rebind(Action::New, &[Key::parse("a").unwrap()])
        .unwrap();
    moved
        .rebind(Action::Confirm, &[Key::parse("Y").unwrap()])
        .unwrap();
    moved
        .rebind(Action::ToggleHelp, &[Key::parse("f2").unwrap()])
        .unwrap();
    for keymap in [Keymap::default(), moved] {
        let help = keymap.label_for(extjwt::tui::keymap::Context::Global, Action::ToggleHelp);
        let help = help.unwrap();
        let (store, _) = seeded_store();
        let mut app = app(store, key_coloured(keymap.clone()));
        let visit = |app: &mut App, keys: &[&str], state: &str| {
            for key in keys {
                match *key {
                    "HELP" => press_label(app, &help),
                    other => press(app, other),
                }
            }
            assert_named_keys_bound(app, &keymap, state);
        };
        visit(&mut app, &[], "signers table");
        visit(&mut app, &["/", "z", "z", "z"], "filter typing, no match");
        visit(&mut app, &["Enter"], "filter kept, no match");
        visit(&mut app, &["Esc", "Enter"], "signer detail");
        visit(&mut app, &["Esc", "c"], "signer check");
        visit(&mut app, &["Esc", "d"], "delete confirmation");
        visit(&mut app, &["n", "e"], "signer form, text field");
        for _ in 0..6 {
            press(&mut app, "Tab");
        }
        visit(&mut app, &[], "signer form, further down");
        visit(&mut app, &["Esc", "2"], "identities table");
        visit(&mut app, &["4", "Enter"], "auth policy detail");
        visit(&mut app, &["Esc", "3"], "verify pane");
        visit(&mut app, &["i"], "verify pane, editing");
        visit(&mut app, &["Esc", "HELP"], "help over the verify pane");
        visit(&mut app, &["Esc", "1", "HELP"], "help over a table");

        let empty = Store::open_in_memory().unwrap();
        let mut app = App::new(empty, key_coloured(keymap.clone())).unwrap();
        visit(&mut app, &[], "empty signers table");
    }
}

/// Presses a key given as its label ("?", "F2").
fn press_label(app: &mut App, label: &str) {
    let code = match label.strip_prefix('F').and_then(|n| n.parse::<u8>().ok()) {
        Some(n) => crossterm::event::KeyCode::F(n),
        None => crossterm::event::KeyCode::Char(label.chars().next().unwrap()),
    };
    app.handle_event(crossterm::event::Event::Key(
        crossterm::event::KeyEvent::new(code, crossterm::event::KeyModifiers::NONE),
    ));
}

#[test]
fn a_moved_key_changes_the_text_that_names_it() {
    let mut keymap = Keymap::default();
    keymap
        .rebind(Action::New, &[Key::parse("a").unwrap()])
        .unwrap();
    let mut app = App::new(Store::open_in_memory().unwrap(), key_coloured(keymap)).unwrap();
    let shown = screen(&mut app, 80, 24);
    assert!(
        shown.contains("No signers yet: press a to add one"),
        "{shown}"
    );
    assert!(shown.contains("a new"), "{shown}");
}

#[test]
fn only_y_confirms_a_delete() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "j"); // keycloak: no policy names it
    for cancel in ["Enter", "Esc", "n"] {
        press(&mut app, "d");
        assert!(screen(&mut app, 80, 24).contains("Delete signer keycloak"));
        press(&mut app, cancel);
        assert!(
            !screen(&mut app, 80, 24).contains("Delete signer"),
            "{cancel} closes the question"
        );
        assert_eq!(
            app.store().list_signers().unwrap().len(),
            4,
            "{cancel} deletes nothing"
        );
    }
    press(&mut app, "d");
    press(&mut app, "y");
    assert_eq!(app.store().list_signers().unwrap().len(), 3, "y deletes");
}

#[test]
fn readonly_offers_no_change_keys_anywhere() {
    let (mut store, _) = seeded_store();
    store.set_readonly(true);
    let mut app = app(store, options(false));
    let hint_bar = |app: &mut App, w, h| {
        let shown = screen(app, w, h);
        shown.lines().nth(h as usize - 2).unwrap_or("").to_string()
    };
    for (keys, state) in [
        (&[][..], "signers"),
        (&["Enter"][..], "detail"),
        (&["Esc", "2"][..], "identities"),
        (&["4"][..], "auth policies"),
    ] {
        for key in keys {
            press(&mut app, key);
        }
        let bar = hint_bar(&mut app, 200, 50);
        for change in [" new", " edit", " delete", " save"] {
            assert!(!bar.contains(change), "{state}: {bar}");
        }
        assert!(bar.contains("help"), "{state}: {bar}");
    }
    press(&mut app, "?");
    let help = screen(&mut app, 200, 50);
    for line in ["new", "edit", "delete (asks first)", "save"] {
        assert!(
            !help
                .lines()
                .any(|l| l.trim_end().ends_with(&format!(" {line}"))),
            "help offers {line}: {help}"
        );
    }
    let empty = {
        let mut store = Store::open_in_memory().unwrap();
        store.set_readonly(true);
        store
    };
    let mut app = App::new(empty, options(false)).unwrap();
    let shown = screen(&mut app, 80, 24);
    assert!(
        shown.contains("No signers yet (read-only: nothing can be added here)"),
        "{shown}"
    );
    assert!(!shown.contains("press n"), "{shown}");
}

#[test]
fn q_in_a_detail_view_reads_back_and_goes_back() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "Enter");
    let shown = screen(&mut app, 80, 24);
    let bar = shown.lines().nth(22).unwrap();
    assert!(bar.starts_with("q back"), "{bar}");
    assert!(!bar.contains("q quit"), "{bar}");
    press(&mut app, "q");
    assert!(!app.should_quit());
    assert!(screen(&mut app, 80, 24).contains("4 signers"));
}

#[test]
fn a_status_message_fades_at_the_next_action() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "y");
    assert!(app.message().unwrap().text.starts_with("Copied"));
    assert!(
        !app.tick() || app.message().is_some(),
        "a tick keeps a new message"
    );
    assert!(app.message().is_some());
    press(&mut app, "j");
    assert!(app.message().is_none(), "the next action clears it");
}

#[test]
fn help_opens_on_the_current_screen_scrolls_and_opens_from_forms() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "n");
    press(&mut app, "F1");
    let form_help = screen(&mut app, 80, 24);
    assert!(form_help.contains("This screen: Forms"), "{form_help}");
    assert!(
        app.contexts() == [extjwt::tui::keymap::Context::Help],
        "F1 in a form opens the help"
    );
    press(&mut app, "PgDn");
    let paged = screen(&mut app, 80, 24);
    assert!(
        !paged.contains("This screen: Forms"),
        "PgDn scrolls: {paged}"
    );
    press(&mut app, "Home");
    assert!(screen(&mut app, 80, 24).contains("This screen: Forms"));
    press(&mut app, "x");
    assert!(
        screen(&mut app, 80, 24).contains("New signer"),
        "another key closes the help, back to the form"
    );
    press(&mut app, "Esc");
    press(&mut app, "3");
    press(&mut app, "?");
    assert!(screen(&mut app, 80, 24).contains("This screen: Verify pane"));
}

#[test]
fn another_sessions_change_shows_up_at_the_next_tick() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.db");
    let mut console_store = Store::open(&path).unwrap();
    let (seed, _) = seeded_store();
    let export = extjwt::interchange::export(&seed).unwrap();
    extjwt::interchange::import_str(&mut console_store, &export.to_string()).unwrap();
    let mut app = app(console_store, options(false));
    press(&mut app, "G"); // okta, the last row by name
    assert_eq!(app.selected_id(Entity::Signer), Some(OKTA_ID));
    assert!(!app.tick(), "nothing changed");

    let mut other = Store::open(&path).unwrap();
    let aaa = other
        .find_signer("keycloak")
        .map(|s| s.draft)
        .map(|mut draft| {
            draft.name = "aaa-new".into();
            draft.issuer = "https://aaa.test".into();
            draft.kid = Some("aaa-1".into());
            draft
        })
        .unwrap();
    other.create_signer(&aaa.validate().unwrap()).unwrap();
    assert!(app.tick(), "the tick notices the other connection's commit");
    let shown = screen(&mut app, 160, 40);
    assert!(
        shown.contains("aaa-new") && shown.contains("5 signers"),
        "{shown}"
    );
    assert_eq!(
        app.selected_id(Entity::Signer),
        Some(OKTA_ID),
        "the selection stays on the same row"
    );
}

#[test]
fn names_stay_whole_at_80x24_while_a_long_issuer_gives_way() {
    let mut store = Store::open_in_memory().unwrap();
    let issuer = format!("https://login.example.com/{}/v2.0", "t".repeat(60 - 31));
    assert_eq!(issuer.len(), 60);
    for (n, name) in ["sixteen-chars-ab", "another-16-chars", "short"]
        .iter()
        .enumerate()
    {
        let draft = extjwt::model::SignerDraft {
            name: name.to_string(),
            issuer: format!("{issuer}{n}"),
            audience: "ziti".into(),
            jwks_endpoint: Some(format!("https://login.example.com/{n}/keys")),
            ..Default::default()
        };
        store.create_signer(&draft.validate().unwrap()).unwrap();
    }
    let mut app = app(store, options(false));
    let shown = screen(&mut app, 80, 24);
    for name in ["sixteen-chars-ab", "another-16-chars"] {
        assert!(shown.contains(name), "{name} is cut:\n{shown}");
    }
    // The issuer is cut in the middle: its start and its distinguishing end both show.
    assert!(
        shown.contains("https://log") && shown.contains("v2.00"),
        "{shown}"
    );
    // Created At shows the date; the empty certificate column makes room.
    assert!(!shown.contains("Cert"), "{shown}");
    // Ids made together share their time-ordered start: the cut keeps both ends, so rows
    // still differ.
    let ids: std::collections::HashSet<&str> = shown
        .lines()
        .skip(3)
        .take(3)
        .filter_map(|l| l.trim_end_matches('│').split_whitespace().last())
        .collect();
    assert_eq!(ids.len(), 3, "{shown}");
}

#[test]
fn the_verify_pane_verifies_again_when_the_token_expires_on_screen() {
    // The real clock: a token valid for two more seconds turns REJECTED at a tick after that,
    // with no key pressed.
    let (store, key) = seeded_store();
    let mut app = App::new(store, options(false)).unwrap();
    press(&mut app, "3");
    let exp = chrono::Utc::now().timestamp() + 2;
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("okta-1".into());
    let token = jsonwebtoken::encode(
        &header,
        &serde_json::json!({"iss": "https://okta.test/oauth2/default", "aud": "api://ziti", "email": "alice@example.com", "exp": exp}),
        &jsonwebtoken::EncodingKey::from_ec_pem(key.as_bytes()).unwrap(),
    )
    .unwrap();
    app.handle_paste(&token);
    assert!(
        app.verdict_text().starts_with("VALID"),
        "{}",
        app.verdict_text()
    );
    assert!(!app.tick() || app.verdict_text().starts_with("VALID"));
    std::thread::sleep(std::time::Duration::from_millis(3100));
    assert!(app.tick(), "the tick redraws");
    assert!(
        app.verdict_text().starts_with("REJECTED (expired)"),
        "{}",
        app.verdict_text()
    );
}

//! The console on a `TestBackend`: snapshots of every screen at 80x24, 100x30 and 160x40, style checks
//! on buffer cells, and the flows of the signers tab driven by synthetic keys.

mod support;

use extjwt::tui::{Entity, Tab};
use ratatui::style::Modifier;
use support::*;

fn snap(name: &str, app: &mut extjwt::tui::App) {
    let settings = settings();
    for (w, h) in [(80, 24), (100, 30), (160, 40)] {
        let text = screen(app, w, h);
        settings.bind(|| insta::assert_snapshot!(format!("{name}_{w}x{h}"), text));
    }
}

#[test]
fn signers_table_filtered_and_sorted() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    snap("signers_table", &mut app);
    press(&mut app, "s"); // sort by Name
    press(&mut app, "S"); // reversed
    snap("signers_sorted_by_name_reversed", &mut app);
    press(&mut app, "/");
    type_text(&mut app, "TEST/A");
    press(&mut app, "Enter");
    snap("signers_filtered", &mut app);
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("1 of 4 signers /TEST/A"), "{shown}");
    assert!(
        shown.contains("adfs") && !shown.contains("okta"),
        "only the match is shown"
    );
    press(&mut app, "Esc");
    assert!(
        screen(&mut app, 80, 24).contains("4 signers"),
        "Esc clears the filter"
    );
}

#[test]
fn signer_detail_view() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "Down"); // keycloak? rows are ordered by name: adfs, keycloak, legacy, okta
    press(&mut app, "Up");
    press(&mut app, "Enter");
    snap("signer_detail", &mut app);
    let shown = screen(&mut app, 160, 40);
    assert!(shown.contains("⚠ expires in 18 days"), "{shown}");
    assert!(shown.contains(ADFS_ID), "the full id is shown");
}

#[test]
fn empty_state_says_what_to_do() {
    let store = extjwt::store::Store::open_in_memory().unwrap();
    let mut app = app(store, options(false));
    snap("signers_empty", &mut app);
    assert!(screen(&mut app, 80, 24).contains("No signers yet: press n to add one"));
}

#[test]
fn new_signer_form_shows_validation_errors_and_keeps_typing() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "n");
    type_text(&mut app, "okta");
    press(&mut app, "Tab");
    type_text(&mut app, "https://new.test");
    press(&mut app, "Tab");
    press(&mut app, "Tab"); // audience left empty
    press(&mut app, "Right"); // key source: JWKS
    press(&mut app, "Tab");
    type_text(&mut app, "ftp://keys.test/jwks");
    press(&mut app, "C-s");
    snap("signer_form_errors", &mut app);
    let shown = screen(&mut app, 160, 40);
    assert!(shown.contains("✗ required: the \"aud\" value"), "{shown}");
    assert!(shown.contains("✗ scheme \"ftp\" is not allowed"), "{shown}");
    assert!(shown.contains("ftp://keys.test/jwks"), "the typing stays");
    assert_eq!(
        app.store().list_signers().unwrap().len(),
        4,
        "nothing was saved"
    );
    // Every problem at once: the model's and the store's (the name okta is taken).
    assert!(
        shown.contains("✗ a signer with name \"okta\" already exists (okta)"),
        "{shown}"
    );
    // Fix the fields, from Name (the first error has focus); an error goes as its field is
    // edited.
    type_text(&mut app, "-2");
    assert!(
        !screen(&mut app, 160, 40).contains("already exists"),
        "the name's error clears on the edit"
    );
    assert!(
        screen(&mut app, 160, 40).contains("✗ scheme \"ftp\""),
        "others stay"
    );
    press(&mut app, "Tab");
    press(&mut app, "Enter"); // Enter on a one-line field moves on, as Tab does
    type_text(&mut app, "api://ziti");
    press(&mut app, "Tab");
    press(&mut app, "Tab");
    press(&mut app, "Home");
    for _ in 0.."ftp".len() {
        press(&mut app, "Delete");
    }
    type_text(&mut app, "https");
    press(&mut app, "C-s");
    let saved = app.store().find_signer("okta-2").expect("saved");
    assert_eq!(saved.draft.audience, "api://ziti");
    assert_eq!(
        saved.draft.jwks_endpoint.as_deref(),
        Some("https://keys.test/jwks")
    );
}

#[test]
fn creating_editing_and_deleting_a_signer() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "n");
    type_text(&mut app, "auth0");
    press(&mut app, "Tab");
    type_text(&mut app, "https://auth0.test/");
    press(&mut app, "Tab");
    type_text(&mut app, "ziti");
    press(&mut app, "Tab");
    press(&mut app, "Right");
    press(&mut app, "Tab");
    type_text(&mut app, "https://auth0.test/.well-known/jwks.json");
    press(&mut app, "C-s");
    assert_eq!(
        app.message().map(|m| m.text.as_str()),
        Some("Created signer auth0")
    );
    let created = app.store().find_signer("auth0").unwrap();
    assert_eq!(
        created.draft.jwks_endpoint.as_deref(),
        Some("https://auth0.test/.well-known/jwks.json")
    );
    assert!(
        created.draft.use_external_id,
        "the form defaults useExternalId to true"
    );
    assert_eq!(
        app.selected_id(Entity::Signer),
        Some(created.id.as_str()),
        "the new row is selected"
    );

    press(&mut app, "e");
    press(&mut app, "Tab");
    press(&mut app, "Tab");
    type_text(&mut app, "-edge");
    press(&mut app, "C-s");
    assert_eq!(
        app.store().find_signer("auth0").unwrap().draft.audience,
        "ziti-edge"
    );

    press(&mut app, "d");
    assert!(screen(&mut app, 80, 24).contains("Delete signer auth0 (https://auth0.test/)?"));
    press(&mut app, "n");
    assert!(app.store().find_signer("auth0").is_ok(), "n keeps it");
    press(&mut app, "d");
    press(&mut app, "y");
    assert!(app.store().find_signer("auth0").is_err(), "y deletes it");
}

#[test]
fn delete_asks_naming_the_row() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "G"); // okta, the last row
    press(&mut app, "d");
    snap("delete_confirmation", &mut app);
    assert!(
        screen(&mut app, 80, 24).contains("Delete signer okta (https://okta.test/oauth2/default)?")
    );
    press(&mut app, "Esc");
    assert_eq!(
        app.store().list_signers().unwrap().len(),
        4,
        "Esc deletes nothing"
    );
}

#[test]
fn cancel_with_unsaved_changes_asks_first() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "n");
    press(&mut app, "Esc");
    assert!(
        !screen(&mut app, 80, 24).contains("New signer"),
        "an untouched form just closes"
    );
    press(&mut app, "n");
    type_text(&mut app, "x");
    press(&mut app, "Esc");
    assert!(screen(&mut app, 80, 24).contains("Discard the unsaved changes"));
    press(&mut app, "n");
    assert!(
        screen(&mut app, 80, 24).contains("New signer"),
        "the form and its typing stay"
    );
    press(&mut app, "q");
    assert!(!app.should_quit(), "q is typed into the form");
}

#[test]
fn edit_that_lost_a_race_offers_reload() {
    let db = tempfile::tempdir().unwrap();
    let path = db.path().join("x.db");
    let mut other = extjwt::store::Store::open(&path).unwrap();
    let draft = extjwt::model::SignerDraft {
        name: "okta".into(),
        issuer: "https://okta.test".into(),
        audience: "a".into(),
        jwks_endpoint: Some("https://okta.test/jwks".into()),
        ..Default::default()
    };
    let s = other.create_signer(&draft.validate().unwrap()).unwrap();
    let mut app = app(extjwt::store::Store::open(&path).unwrap(), options(false));
    press(&mut app, "e");
    let mut changed = s.draft.clone();
    changed.audience = "by-the-other-session".into();
    other
        .update_signer(&s.id, s.version, &changed.validate().unwrap())
        .unwrap();
    press(&mut app, "Tab");
    press(&mut app, "Tab");
    type_text(&mut app, "-mine");
    press(&mut app, "C-s");
    let shown = screen(&mut app, 100, 30);
    assert!(shown.contains("changed by another session"), "{shown}");
    press(&mut app, "y");
    let shown = screen(&mut app, 100, 30);
    assert!(shown.contains("by-the-other-session"), "reloaded: {shown}");
    assert_eq!(
        other.find_signer("okta").unwrap().draft.audience,
        "by-the-other-session",
        "nothing was overwritten"
    );
}

#[test]
fn help_overlay_is_generated_from_the_keymap() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "?");
    snap("help", &mut app);
    let shown = screen(&mut app, 160, 40);
    for binding in extjwt::tui::keymap::BINDINGS
        .iter()
        .filter(|b| b.context == extjwt::tui::keymap::Context::Table)
    {
        assert!(
            shown.contains(binding.help),
            "help lists {:?}",
            binding.help
        );
    }
    press(&mut app, "x");
    assert!(!screen(&mut app, 80, 24).contains("Help (any key closes"));
}

#[test]
fn readonly_mode_says_so_and_refuses_changes() {
    let (mut store, _) = seeded_store();
    store.set_readonly(true);
    let mut app = app(store, options(false));
    press(&mut app, "d");
    snap("readonly", &mut app);
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("READ-ONLY"), "{shown}");
    assert!(
        !shown.contains("Delete signer"),
        "no confirmation is offered"
    );
    press(&mut app, "n");
    assert!(!screen(&mut app, 80, 24).contains("New signer"));
}

#[test]
fn selected_row_is_reversed_and_disabled_marker_shows_without_colour() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(true));
    let buffer = draw(&mut app, 80, 24);
    let rows = text(&buffer);
    let lines: Vec<&str> = rows.lines().collect();
    let selected_y = lines.iter().position(|l| l.contains("adfs")).unwrap() as u16;
    let cell = buffer.cell((3, selected_y)).unwrap();
    assert!(
        cell.modifier.contains(Modifier::REVERSED),
        "the selected row is reversed"
    );
    let other_y = lines.iter().position(|l| l.contains("okta")).unwrap() as u16;
    assert!(
        !buffer
            .cell((3, other_y))
            .unwrap()
            .modifier
            .contains(Modifier::REVERSED)
    );
    let legacy = lines.iter().find(|l| l.contains("legacy")).unwrap();
    assert!(
        legacy.contains("✗ no"),
        "disabled is marked by text: {legacy}"
    );
    assert!(legacy.contains("✗ expired"), "{legacy}");
    for cell in buffer.content() {
        assert_eq!(
            cell.fg,
            ratatui::style::Color::Reset,
            "NO_COLOR: no foreground colour anywhere"
        );
        assert_eq!(
            cell.bg,
            ratatui::style::Color::Reset,
            "NO_COLOR: no background colour anywhere"
        );
    }
}

#[test]
fn header_click_sorts_and_tabs_switch() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    screen(&mut app, 80, 24);
    // The Audience header is in row 2 (tabs, border, header).
    let shown = screen(&mut app, 80, 24);
    let header = shown.lines().nth(2).unwrap();
    let x = header.find("Audience").unwrap() as u16;
    app.handle_event(crossterm::event::Event::Mouse(
        crossterm::event::MouseEvent {
            kind: crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
            column: x + 1,
            row: 2,
            modifiers: crossterm::event::KeyModifiers::NONE,
        },
    ));
    let shown = screen(&mut app, 80, 24);
    assert!(shown.lines().nth(2).unwrap().contains('▲'), "{shown}");
    let first_row = shown.lines().nth(3).unwrap();
    assert!(
        first_row.contains("okta"),
        "sorted by audience, api://ziti first: {shown}"
    );
    press(&mut app, "2");
    assert_eq!(app.tab(), Tab::Identities);
    press(&mut app, "Tab");
    assert_eq!(app.tab(), Tab::Verify);
}

#[test]
fn every_screen_renders_at_every_size_without_panicking() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    let screens: Vec<Vec<&str>> = vec![
        vec![],
        vec!["Enter"],
        vec!["Esc", "n"],
        vec!["C-s"],
        vec!["Esc", "y", "Esc", "d"],
        vec!["n", "?"],
        vec!["Esc", "2"],
        vec!["Enter"],
        vec!["Esc", "3"],
        vec!["1", "/", "z", "z", "z"],
    ];
    for keys in screens {
        for k in keys {
            press(&mut app, k);
        }
        for w in 1..=100u16 {
            for h in 1..=40u16 {
                draw(&mut app, w, h);
            }
        }
    }
}

#[test]
fn certificate_pasted_into_the_form_is_one_edit_and_saved_with_its_facts() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    let (pem, _) = certificate("new-idp.test", (2026, 1, 1), (2030, 1, 1));
    press(&mut app, "n");
    type_text(&mut app, "new-idp");
    press(&mut app, "Tab");
    type_text(&mut app, "https://new-idp.test");
    press(&mut app, "Tab");
    type_text(&mut app, "ziti");
    press(&mut app, "Tab"); // key source stays Certificate
    press(&mut app, "Tab");
    app.handle_paste(&pem.replace('\n', "\r\n")); // terminals paste CRLF
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("-----END CERTIFICATE-----"), "{shown}");
    assert_eq!(
        shown.matches("Certificate PEM").count(),
        1,
        "one label for the multi-line field"
    );
    press(&mut app, "C-s");
    assert_eq!(
        app.message().map(|m| m.text.as_str()),
        Some("Created signer new-idp")
    );
    let saved = app.store().find_signer("new-idp").unwrap();
    assert_eq!(saved.common_name.as_deref(), Some("new-idp.test"));
    assert_eq!(saved.not_after.as_deref(), Some("2030-01-01T00:00:00Z"));
    assert_eq!(
        saved.draft.cert_pem.as_deref().map(str::trim),
        Some(pem.trim()),
        "the PEM arrives intact"
    );
}

#[test]
fn a_key_pair_pasted_instead_of_a_certificate_is_refused_under_its_field() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    let (_, key) = certificate("x.test", (2026, 1, 1), (2030, 1, 1));
    press(&mut app, "n");
    for _ in 0..4 {
        press(&mut app, "Tab");
    }
    app.handle_paste(&key);
    press(&mut app, "C-s");
    let shown = screen(&mut app, 160, 40);
    assert!(
        shown.contains("✗ holds a \"PRIVATE KEY\" block; paste the certificate"),
        "{shown}"
    );
    assert_eq!(app.store().list_signers().unwrap().len(), 4);
}

#[test]
fn arrows_move_through_the_list_while_filtering() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "/");
    type_text(&mut app, "test");
    press(&mut app, "Down");
    assert_eq!(
        app.selected_id(Entity::Signer),
        Some(KEYCLOAK_ID),
        "second match selected"
    );
    type_text(&mut app, "/");
    assert!(
        screen(&mut app, 80, 24).contains("/test/▏"),
        "still typing the filter"
    );
}

#[test]
fn page_down_moves_one_screenful() {
    let mut store = extjwt::store::Store::open_in_memory().unwrap();
    for i in 0..100 {
        let draft = extjwt::model::SignerDraft {
            name: format!("s-{i:03}"),
            issuer: format!("https://s{i}.test"),
            audience: "z".into(),
            jwks_endpoint: Some(format!("https://s{i}.test/jwks")),
            ..Default::default()
        };
        store.create_signer(&draft.validate().unwrap()).unwrap();
    }
    let mut app = app(store, options(false));
    let shown = screen(&mut app, 80, 24);
    let visible = shown.lines().filter(|l| l.contains("│s-0")).count();
    assert!(visible > 10, "{shown}");
    press(&mut app, "PgDn");
    let selected = app.selected_id(Entity::Signer).unwrap().to_string();
    let name = app
        .store()
        .signer_by_id(&selected)
        .unwrap()
        .unwrap()
        .draft
        .name;
    assert_eq!(name, format!("s-{visible:03}"));
}

#[test]
fn detail_view_shows_an_edit_made_from_it() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "G"); // okta
    press(&mut app, "Enter");
    assert!(screen(&mut app, 120, 40).contains("api://ziti"));
    press(&mut app, "e");
    press(&mut app, "Tab");
    press(&mut app, "Tab");
    type_text(&mut app, "-edge");
    press(&mut app, "C-s");
    let shown = screen(&mut app, 120, 40);
    assert!(
        shown.contains("Signer okta") && shown.contains("api://ziti-edge"),
        "{shown}"
    );
    assert!(shown.contains("Version  2"), "{shown}");
}

#[test]
fn c_checks_the_selected_signer_and_is_offered_only_for_signers() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    assert!(
        screen(&mut app, 160, 40).contains("c check"),
        "offered on the signers tab"
    );
    press(&mut app, "c"); // adfs, first by name, its certificate expiring in 18 days
    snap("signer_check", &mut app);
    let shown = screen(&mut app, 160, 40);
    assert!(shown.contains("Check: signer adfs"), "{shown}");
    assert!(shown.contains("! 1 warning, no errors"), "{shown}");
    assert!(shown.contains("the certificate expires"), "{shown}");
    assert!(shown.contains("18 days left"), "{shown}");
    press(&mut app, "Esc");
    press(&mut app, "2");
    let identities = screen(&mut app, 160, 40);
    assert!(
        !identities.contains("c check"),
        "not offered for identities: {identities}"
    );
    press(&mut app, "c");
    assert!(
        !screen(&mut app, 160, 40).contains("Check: signer"),
        "c does nothing on the identities tab"
    );
}

#[test]
fn a_rebound_key_changes_handling_hints_and_help_together() {
    let (store, _) = seeded_store();
    let mut keymap = extjwt::tui::keymap::Keymap::default();
    let big_c = extjwt::tui::keymap::Key::parse("C").unwrap();
    keymap
        .rebind(extjwt::tui::keymap::Action::CheckSigner, &[big_c])
        .unwrap();
    let mut app = app(
        store,
        extjwt::tui::AppOptions {
            keymap,
            ..options(false)
        },
    );
    let shown = screen(&mut app, 160, 40);
    assert!(
        shown.contains("C check") && !shown.contains("c check"),
        "{shown}"
    );
    press(&mut app, "c");
    assert!(
        !screen(&mut app, 160, 40).contains("Check: signer"),
        "c is no longer bound"
    );
    press(&mut app, "C");
    assert!(screen(&mut app, 160, 40).contains("Check: signer adfs"));
    press(&mut app, "Esc");
    press(&mut app, "?");
    let help = screen(&mut app, 160, 40);
    assert!(
        help.contains("C  check the signer")
            || help.contains("C check the signer")
            || help
                .lines()
                .any(|l| l.contains("C") && l.contains("check the signer")),
        "{help}"
    );
}

#[test]
fn every_context_stack_the_console_uses_is_known_to_the_keymap() {
    // Rebinding checks clashes within these stacks; a screen with another stack would escape it.
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    let check = |app: &mut extjwt::tui::App, keys: &str| {
        press(app, keys);
        let stack = app.contexts();
        assert!(
            extjwt::tui::keymap::STACKS.contains(&stack.as_slice()),
            "after {keys}: {stack:?}"
        );
    };
    for keys in [
        "1", "Enter", "Esc", "/", "Esc", "2", "Enter", "Esc", "1", "n", "Tab", "Tab", "Tab", "Esc",
        "y", "3", "i", "Esc", "?", "?", "2", "d",
    ] {
        check(&mut app, keys);
    }
}

#[test]
fn auth_policies_tab_detail_and_form() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "4");
    assert_eq!(app.tab(), Tab::AuthPolicies);
    snap("auth_policies_table", &mut app);
    let shown = screen(&mut app, 160, 40);
    for cell in [
        "Contractors",
        "okta, adfs",
        "TOTP",
        "any",
        "✗ no",
        "3 auth policies",
    ] {
        assert!(shown.contains(cell), "{cell}: {shown}");
    }
    // Rows by name: Contractors, Default, No ext-JWT.
    assert_eq!(app.selected_id(Entity::AuthPolicy), Some(CONTRACTORS_ID));
    press(&mut app, "Enter");
    snap("auth_policy_detail", &mut app);
    let detail = screen(&mut app, 160, 40);
    assert!(detail.contains("Identities on this policy (1)"), "{detail}");
    assert!(detail.contains("  bob"), "{detail}");
    press(&mut app, "e");
    snap("auth_policy_form", &mut app);
    let form = screen(&mut app, 160, 40);
    assert!(
        form.contains("[x] adfs") && form.contains("[ ] keycloak") && form.contains("[x] okta"),
        "signers are chosen from the store: {form}"
    );
    // Untick okta (the cursor starts on adfs) and save: only adfs is left.
    for key in ["Tab", "Tab", "Right", "Right", "Right", "Space", "C-s"] {
        press(&mut app, key);
    }
    let saved = app.store().find_auth_policy("Contractors").unwrap();
    assert_eq!(
        saved.draft.primary.ext_jwt.allowed_signers,
        vec![ADFS_ID.to_string()]
    );
    assert!(
        saved.draft.secondary.require_totp,
        "fields not in view are kept"
    );
}

#[test]
fn deleting_a_used_policy_or_a_named_signer_is_refused_in_the_status_line() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    press(&mut app, "4");
    press(&mut app, "d");
    press(&mut app, "y");
    let message = app.message().unwrap();
    assert!(message.is_error, "{message:?}");
    assert_eq!(
        message.text,
        "auth policy Contractors is used by 1 identity; move it to another policy first"
    );
    assert!(app.store().find_auth_policy("Contractors").is_ok());
    // Signers tab: okta is named by Contractors; its detail says so.
    press(&mut app, "1");
    press(&mut app, "/");
    type_text(&mut app, "okta");
    press(&mut app, "Enter");
    press(&mut app, "Enter");
    let detail = screen(&mut app, 160, 40);
    assert!(
        detail.contains("Contractors") && detail.contains("(allowed signers)"),
        "{detail}"
    );
    press(&mut app, "Esc");
    press(&mut app, "d");
    press(&mut app, "y");
    assert!(
        app.message()
            .unwrap()
            .text
            .starts_with("signer okta is used by auth policy Contractors"),
        "{:?}",
        app.message()
    );
    assert!(app.store().find_signer("okta").is_ok());
}

#[test]
fn a_certificate_pasted_over_the_old_one_replaces_it_previews_it_and_undoes() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    let old = app.store().find_signer("adfs").unwrap();
    let old_fingerprint = old.fingerprint.clone().unwrap();
    let (pem, _) = certificate("renewed-adfs.test", (2026, 11, 1), (2028, 11, 1));
    let new_fingerprint = extjwt::model::CertificateDetails::from_pem(&pem)
        .unwrap()
        .fingerprint;
    press(&mut app, "e"); // adfs, the first row
    for _ in 0..4 {
        press(&mut app, "Tab"); // name, issuer, audience, key source → certificate
    }
    let shown = screen(&mut app, 160, 40);
    assert!(
        shown.contains(&old_fingerprint),
        "the old one is previewed: {shown}"
    );
    app.handle_paste(&pem.replace('\n', "\r\n"));
    let shown = screen(&mut app, 160, 40);
    assert!(
        shown.contains(&format!("✓ CN renewed-adfs.test · SHA-1 {new_fingerprint}"))
            && shown.contains("valid 2026-11-01 to 2028-11-01"),
        "the new one is previewed: {shown}"
    );
    assert!(!shown.contains(&old_fingerprint), "{shown}");
    press(&mut app, "C-z");
    let shown = screen(&mut app, 160, 40);
    assert!(
        shown.contains(&old_fingerprint),
        "Ctrl-Z brings the old certificate back in one step: {shown}"
    );
    app.handle_paste(&pem);
    // ↓ on the certificate's last line leaves it for the next field.
    press(&mut app, "Down");
    assert!(
        app.contexts()
            .contains(&extjwt::tui::keymap::Context::FormLine)
    );
    press(&mut app, "C-s");
    let saved = app.store().find_signer("adfs").unwrap();
    assert_eq!(saved.fingerprint.as_deref(), Some(new_fingerprint.as_str()));
    assert_eq!(saved.common_name.as_deref(), Some("renewed-adfs.test"));
}

#[test]
fn a_truncated_certificate_is_refused_under_its_field() {
    let (store, _) = seeded_store();
    let mut app = app(store, options(false));
    let (pem, _) = certificate("cut.test", (2026, 1, 1), (2030, 1, 1));
    press(&mut app, "e");
    for _ in 0..4 {
        press(&mut app, "Tab");
    }
    app.handle_paste(&pem[..pem.len() - 12]);
    press(&mut app, "C-s");
    let shown = screen(&mut app, 160, 40);
    assert!(shown.contains("incomplete or stray END line"), "{shown}");
    assert_ne!(
        app.store()
            .find_signer("adfs")
            .unwrap()
            .common_name
            .as_deref(),
        Some("cut.test")
    );
}

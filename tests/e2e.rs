//! End to end: the real binary in a pseudo-terminal, driven by keystrokes as an admin would.

mod pty;

use pty::*;
use std::time::Duration;

fn list_json(db: &std::path::Path) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_extjwt"))
        .args(["--db", db.to_str().unwrap(), "signer", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn create_signer(term: &mut Pty, name: &str, issuer: &str, audience: &str) {
    term.send("n");
    term.wait_for("New signer");
    term.type_text(name);
    term.send(TAB);
    term.type_text(issuer);
    term.send(TAB);
    term.type_text(audience);
    term.send(TAB);
    term.send(RIGHT); // key source: JWKS endpoint
    term.send(TAB);
    term.type_text(&format!("{issuer}/jwks"));
    term.send(CTRL_S);
    term.wait_for(&format!("Created signer {name}"));
}

#[test]
fn create_edit_delete_through_the_forms_then_check_with_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e2e.db");
    let mut term = Pty::spawn(&["--db", db.to_str().unwrap()], &[], 100, 30);
    term.wait_for("No signers yet: press n to add one");

    create_signer(&mut term, "okta", "https://okta.e2e", "ziti");
    create_signer(&mut term, "auth0", "https://auth0.e2e", "ziti");
    term.wait_for("2 signers");

    // okta is the second row (sorted by name): edit its audience.
    term.send("j");
    term.send("e");
    term.wait_for("Edit signer okta");
    term.send(TAB);
    term.send(TAB);
    term.type_text("-edge");
    term.send(CTRL_S);
    term.wait_for("Saved signer okta");
    term.wait_for("ziti-edge");

    // Delete auth0 through the confirmation.
    term.send("g");
    term.send("d");
    term.wait_for("Delete signer auth0 (https://auth0.e2e)?");
    term.send("y");
    term.wait_for("1 signer");

    term.send("q");
    assert_eq!(term.wait_exit(Duration::from_secs(10)), Some(0));

    let signers = list_json(&db);
    let signers = signers.as_array().unwrap();
    assert_eq!(signers.len(), 1, "{signers:?}");
    assert_eq!(signers[0]["name"], "okta");
    assert_eq!(signers[0]["audience"], "ziti-edge");
    assert_eq!(signers[0]["jwksEndpoint"], "https://okta.e2e/jwks");
}

fn local_flags(term: &Pty) -> nix::sys::termios::LocalFlags {
    term.master.get_termios().expect("termios").local_flags
}

#[test]
fn hangup_restores_the_terminal_and_ends_the_process() {
    use nix::sys::termios::LocalFlags;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hup.db");
    let mut term = Pty::spawn(&["--db", db.to_str().unwrap()], &[], 80, 24);
    term.wait_for("No signers yet");
    assert!(
        !local_flags(&term).contains(LocalFlags::ICANON),
        "raw mode while running"
    );
    let pid = term.child.process_id().unwrap() as i32;
    let sent = std::time::Instant::now();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
    let code = term.wait_exit(Duration::from_secs(5));
    assert!(code.is_some(), "the process ended after SIGHUP");
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "within a second: {:?}",
        sent.elapsed()
    );
    assert_eq!(code, Some(129), "exit status 128 + SIGHUP");
    std::thread::sleep(Duration::from_millis(100));
    let flags = local_flags(&term);
    assert!(
        flags.contains(LocalFlags::ICANON) && flags.contains(LocalFlags::ECHO),
        "raw mode is off"
    );
    let out = String::from_utf8_lossy(&term.raw_output()).to_string();
    for (sequence, what) in [
        ("\x1b[?1049l", "alternate screen left"),
        ("\x1b[?2004l", "bracketed paste off"),
        ("\x1b[?1000l", "mouse capture off"),
    ] {
        assert!(out.contains(sequence), "{what}");
    }
}

#[test]
fn sigterm_also_restores_the_terminal() {
    use nix::sys::termios::LocalFlags;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("term.db");
    let mut term = Pty::spawn(&["--db", db.to_str().unwrap()], &[], 80, 24);
    term.wait_for("No signers yet");
    let pid = term.child.process_id().unwrap() as i32;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert_eq!(term.wait_exit(Duration::from_secs(5)), Some(143));
    std::thread::sleep(Duration::from_millis(100));
    assert!(local_flags(&term).contains(LocalFlags::ICANON));
    assert!(String::from_utf8_lossy(&term.raw_output()).contains("\x1b[?1049l"));
}

#[test]
fn too_small_terminal_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("small.db");
    let mut term = Pty::spawn(&["--db", db.to_str().unwrap()], &[], 60, 15);
    term.wait_for("Terminal too small: 60x15");
    term.send("q");
    assert_eq!(term.wait_exit(Duration::from_secs(5)), Some(0));
}

/// A token from the demo `okta` signer, minted with the demo-only key in assets/.
fn demo_token(email: &str) -> String {
    let key = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo-keys/okta-demo.key"
    ))
    .unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("okta-demo-2026".into());
    let now = chrono::Utc::now().timestamp();
    let claims = serde_json::json!({"iss": "https://dev-418352.okta.demo/oauth2/default", "aud": "api://openziti",
                                    "email": email, "iat": now, "exp": now + 3600});
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(&key).unwrap(),
    )
    .unwrap()
}

/// True when the screen row holding `text` is drawn in reverse video (the selection).
fn row_is_selected(term: &Pty, text: &str) -> bool {
    let parser = term.screen();
    let row = parser.lines().position(|l| l.contains(text));
    row.is_some_and(|row| term.cell_inverse(row as u16, 2))
}

#[test]
fn pasted_token_in_the_demo_maps_to_its_identity_and_turns_valid_once_the_identity_exists() {
    let mut term = Pty::spawn(&["--demo"], &[], 120, 40);
    term.wait_for("JWT Signers");
    term.wait_for("DEMO");
    term.send("3");
    term.wait_for("VALID → identity alice"); // the demo opens with a valid token
    term.send("c");
    term.paste(&format!("Bearer {}", demo_token("alice@example.com")));
    term.wait_for("VALID → identity alice (externalId alice@example.com) via signer okta");
    term.send("o");
    term.wait_for("Identities");
    term.wait_for("7 identities");
    assert!(
        row_is_selected(&term, "alice@example.com"),
        "alice is selected:\n{}",
        term.screen()
    );

    term.send("3");
    term.send("c");
    term.paste(&demo_token("zoe@example.com"));
    term.wait_for("REJECTED (identity_not_found)");
    term.wait_for("fix: identity form: set External ID");

    term.send("2");
    term.send("n");
    term.wait_for("New identity");
    term.type_text("zoe");
    term.send(TAB);
    term.type_text("zoe@example.com");
    term.send(CTRL_S);
    term.wait_for("Created identity zoe");
    term.send("3");
    term.wait_for("VALID → identity zoe (externalId zoe@example.com) via signer okta");
    term.send("q");
    assert_eq!(term.wait_exit(Duration::from_secs(10)), Some(0));
}

#[test]
fn readonly_console_says_so_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ro.db");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_extjwt"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "signer",
            "create",
            "okta",
            "https://okta.ro",
            "-a",
            "z",
            "-u",
            "https://okta.ro/jwks",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let mut term = Pty::spawn(&["--db", db.to_str().unwrap(), "--readonly"], &[], 100, 30);
    term.wait_for("READ-ONLY");
    term.send("d");
    term.wait_for("READ-ONLY: changes are disabled");
    term.send("q");
    assert_eq!(term.wait_exit(Duration::from_secs(10)), Some(0));
    assert_eq!(list_json(&db).as_array().unwrap().len(), 1);
    let missing = dir.path().join("missing.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_extjwt"))
        .args(["--db", missing.to_str().unwrap(), "--readonly"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    assert!(!missing.exists(), "--readonly creates nothing");
}

fn process_state(pid: i32) -> char {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // "pid (comm) S ...": the state follows the closing parenthesis.
    stat.rsplit_once(") ")
        .and_then(|(_, rest)| rest.chars().next())
        .unwrap_or('?')
}

#[test]
fn stop_restores_the_terminal_and_continue_takes_it_back_and_redraws() {
    use nix::sys::signal::{Signal, kill};
    use nix::sys::termios::LocalFlags;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("stop.db");
    let mut term = Pty::spawn(&["--db", db.to_str().unwrap()], &[], 80, 24);
    term.wait_for("No signers yet");
    let pid = term.child.process_id().unwrap() as i32;
    let before = term.raw_output().len();
    kill(nix::unistd::Pid::from_raw(pid), Signal::SIGTSTP).unwrap();
    let start = std::time::Instant::now();
    while process_state(pid) != 'T' && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(process_state(pid), 'T', "stopped");
    let flags = local_flags(&term);
    assert!(
        flags.contains(LocalFlags::ICANON) && flags.contains(LocalFlags::ECHO),
        "the shell gets a cooked terminal while the console is stopped"
    );
    let stopped = String::from_utf8_lossy(&term.raw_output()[before..]).to_string();
    for (sequence, what) in [
        ("\x1b[?1049l", "alternate screen left"),
        ("\x1b[?1000l", "mouse capture off"),
        ("\x1b[?2004l", "bracketed paste off"),
    ] {
        assert!(stopped.contains(sequence), "{what}");
    }

    assert!(
        !term.screen().contains("No signers yet"),
        "the shell's screen is back while stopped"
    );
    kill(nix::unistd::Pid::from_raw(pid), Signal::SIGCONT).unwrap();
    // Redrawn into the alternate screen again.
    term.wait_for("No signers yet");
    assert!(
        !local_flags(&term).contains(LocalFlags::ICANON),
        "raw mode again"
    );
    term.send("q");
    assert_eq!(term.wait_exit(Duration::from_secs(10)), Some(0));
}

#[test]
fn mouse_off_in_the_config_or_by_flag_leaves_mouse_capture_off() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let db = db.to_str().unwrap();
    let config_home = dir.path().join("config");
    std::fs::create_dir_all(config_home.join("extjwt")).unwrap();
    let xdg = config_home.to_str().unwrap();
    for (args, config) in [
        (vec!["--db", db], "mouse = false\n"),
        (vec!["--db", db, "--no-mouse"], ""),
        (vec!["--db", db], ""),
    ] {
        std::fs::write(config_home.join("extjwt/config.toml"), config).unwrap();
        let mut term = Pty::spawn(&args, &[("XDG_CONFIG_HOME", xdg)], 80, 24);
        term.wait_for("No signers yet");
        let out = String::from_utf8_lossy(&term.raw_output()).to_string();
        let expected_on = config.is_empty() && !args.contains(&"--no-mouse");
        assert_eq!(
            out.contains("\x1b[?1000h"),
            expected_on,
            "{args:?} with config {config:?}: mouse capture {}",
            if expected_on { "on" } else { "off" }
        );
        term.send("q");
        assert!(term.wait_exit(Duration::from_secs(5)).is_some());
    }
}

#[test]
fn a_policy_made_in_the_form_and_given_to_alice_refuses_her_okta_token() {
    let mut term = Pty::spawn(&["--demo"], &[], 120, 40);
    term.wait_for("DEMO");
    term.send("3");
    term.wait_for("VALID → identity alice");
    // Tab 4: a new policy that allows only the entra signer, picked from the list.
    term.send("4");
    term.wait_for("Contractors");
    term.send("n");
    term.wait_for("New auth policy");
    term.type_text("Entra only");
    term.send(TAB); // Ext-JWT allowed
    term.send(TAB); // Allowed signers: adfs, entra, keycloak, legacy-idp, okta
    term.wait_for("[ ] entra");
    term.send(RIGHT);
    term.send(" ");
    term.wait_for("[x] entra");
    term.send(CTRL_S);
    term.wait_for("Created auth policy Entra only");
    // Alice moves to it, chosen from the identity form's policy picker.
    term.send("2");
    term.send("/");
    term.type_text("alice");
    term.send(ENTER);
    term.send("e");
    term.wait_for("Edit identity alice");
    for _ in 0..6 {
        term.send(TAB);
    }
    term.wait_for("Default");
    term.send(RIGHT); // Contractors, Default, Entra only
    term.wait_for("Entra only");
    term.send(CTRL_S);
    term.wait_for("Saved identity alice");
    // The okta token she had is now refused by check 13, and the pane can jump to the policy.
    term.send("3");
    term.wait_for("REJECTED (signer_not_allowed)");
    term.wait_for("client got 401 error=missing");
    term.send("p");
    term.wait_for("Auth Policies");
    assert!(
        row_is_selected(&term, "Entra only"),
        "the policy is selected:\n{}",
        term.screen()
    );
    term.send("q");
    assert_eq!(term.wait_exit(Duration::from_secs(10)), Some(0));
}

mod common;

/// Waits for `text` at most `limit` (the console's promise, not the test's patience).
fn wait_within(term: &Pty, text: &str, limit: Duration) {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if term.screen().contains(text) {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!(
        "{text:?} did not appear within {limit:?}:\n{}",
        term.screen()
    );
}

#[test]
fn a_change_made_with_the_cli_shows_in_the_open_console_within_two_seconds() {
    let db = common::TempDb::new();
    let key = common::p256("live.test");
    let cert = db.file("live.pem", &key.cert_pem);
    db.ok(&[
        "signer",
        "create",
        "live",
        "https://live.test",
        "-a",
        "ziti",
        "-f",
        common::path_str(&cert),
    ]);
    db.ok(&[
        "identity",
        "create",
        "alice",
        "--external-id",
        "alice@live.test",
    ]);
    let exp = chrono::Utc::now().timestamp() + 3600;
    let token = key.mint(
        jsonwebtoken::Algorithm::ES256,
        Some(&key.fingerprint()),
        &serde_json::json!({"iss": "https://live.test", "aud": "ziti", "sub": "alice@live.test", "exp": exp}),
    );
    let mut term = Pty::spawn(&["--db", common::path_str(&db.path)], &[], 120, 30);
    term.wait_for("1 signer");
    term.send("3");
    term.paste(&token);
    term.wait_for("VALID → identity alice");

    // Another session disables the signer: the verdict flips by itself.
    db.ok(&["signer", "update", "live", "--enabled", "false"]);
    wait_within(&term, "REJECTED (signer_disabled)", Duration::from_secs(2));

    // And a new signer appears in the table, with the selection where it was.
    term.send("1");
    term.wait_for("1 signer");
    db.ok(&[
        "signer",
        "create",
        "another",
        "https://another.test",
        "-a",
        "ziti",
        "-u",
        "https://another.test/jwks",
    ]);
    wait_within(&term, "2 signers", Duration::from_secs(2));
    assert!(term.screen().contains("another"), "{}", term.screen());
    term.send("q");
    assert_eq!(term.wait_exit(Duration::from_secs(10)), Some(0));
}

#[test]
fn a_certificate_pasted_over_the_old_one_is_saved_with_its_new_fingerprint() {
    let db = common::TempDb::new();
    let old = common::p256("old-idp.test");
    let new = common::p256("new-idp.test");
    let cert = db.file("old.pem", &old.cert_pem);
    db.ok(&[
        "signer",
        "create",
        "idp",
        "https://idp.test",
        "-a",
        "ziti",
        "-f",
        common::path_str(&cert),
    ]);
    let mut term = Pty::spawn(&["--db", common::path_str(&db.path)], &[], 120, 40);
    term.wait_for("1 signer");
    term.send("e");
    term.wait_for("Edit signer idp");
    for _ in 0..4 {
        term.send(TAB);
    }
    term.wait_for(&old.fingerprint());
    term.paste(&new.cert_pem);
    term.wait_for(&new.fingerprint());
    term.send(CTRL_S);
    term.wait_for("Saved signer idp");
    let shown = db.json(&["signer", "show", "idp", "--json"]);
    assert_eq!(shown["fingerprint"], new.fingerprint().as_str(), "{shown}");
    term.send("q");
    assert_eq!(term.wait_exit(Duration::from_secs(10)), Some(0));
}

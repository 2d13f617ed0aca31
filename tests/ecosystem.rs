//! The conventions of terminal tools: completions, the man page, `--help` that lists exit
//! codes and the environment, and the one crypto library.

mod common;

use assert_cmd::Command;

fn extjwt() -> Command {
    let mut cmd = Command::cargo_bin("extjwt").unwrap();
    cmd.env_remove("EXTJWT_DB");
    cmd
}

const SUBCOMMANDS: [&str; 8] = [
    "signer",
    "identity",
    "export",
    "import",
    "verify",
    "audit",
    "completions",
    "man",
];

#[test]
fn completions_for_every_shell_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = extjwt().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.len() > 500, "{shell}: {script}");
        for sub in SUBCOMMANDS.iter().chain(&["check", "--disabled-until"]) {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let bad = extjwt().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_man_page_names_every_subcommand() {
    let out = extjwt().arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH extjwt"),
        "{page}"
    );
    for sub in SUBCOMMANDS {
        assert!(page.contains(sub), "man page lacks {sub}");
    }
    assert!(page.contains("EXTJWT_DB"), "the environment is in the page");
}

#[test]
fn help_lists_exit_codes_and_the_environment() {
    let out = extjwt().arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "Exit codes:",
        "1  the token is rejected",
        "EXTJWT_DB",
        "EXTJWT_LOG",
        "NO_COLOR",
        "XDG_CONFIG_HOME",
        "SSH_CLIENT",
        "TMUX",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}: {help}");
    }
}

#[test]
fn extjwt_db_is_read_by_clap_and_demo_refuses_only_an_explicit_db() {
    let db = common::TempDb::new();
    db.ok(&["identity", "create", "alice"]);
    let listed = extjwt()
        .env("EXTJWT_DB", &db.path)
        .args(["identity", "list", "--json"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).contains("alice"));
    let both = extjwt()
        .args(["--demo", "--db", common::path_str(&db.path)])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be combined with --db"));
}

fn with_config(text: &str) -> (tempfile::TempDir, Command) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("extjwt")).unwrap();
    std::fs::write(dir.path().join("extjwt/config.toml"), text).unwrap();
    let mut cmd = extjwt();
    cmd.env("XDG_CONFIG_HOME", dir.path());
    (dir, cmd)
}

#[test]
fn an_invalid_config_is_an_error_naming_the_line_and_key() {
    for (text, expected) in [
        (
            "mouse = false\n[keys]\nquit = \"hyper-q\"\n",
            ":3: keys.quit: \"hyper-q\" is not a key",
        ),
        (
            "[theme]\nheader = \"chartreuse-ish\"\n",
            ":2: theme.header:",
        ),
        ("mosue = true\n", ":1: mosue:"),
        (
            "[jwksFetch]\ndeniedIPs = [\"ten\"]\n",
            ":2: jwksFetch.deniedIPs:",
        ),
        (
            "[keys]\ncheck_signer = \"n\"\n",
            ":2: keys.check_signer: n would do both",
        ),
    ] {
        let (_dir, mut cmd) = with_config(text);
        let db = common::TempDb::new();
        let out = cmd
            .args(["--db", common::path_str(&db.path), "signer", "list"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{text}: {stderr}");
        assert!(
            !db.path.exists(),
            "nothing was written with a broken config"
        );
    }
    // A missing config is fine, and completions never read it.
    let (_dir, mut cmd) = with_config("mosue = 1\n");
    assert!(
        cmd.args(["completions", "bash"])
            .output()
            .unwrap()
            .status
            .success()
    );
}

#[test]
fn extjwt_config_prints_each_setting_with_its_source() {
    let (dir, mut cmd) = with_config(
        "database = \"/srv/extjwt.db\"\n[keys]\ncheck_signer = \"C\"\n[jwksFetch]\nblockPrivateAddresses = true\n",
    );
    let out = cmd.arg("config").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let row = |setting: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(setting))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(row("config").contains(&dir.path().join("extjwt/config.toml").display().to_string()));
    assert_eq!(row("database"), "database /srv/extjwt.db config file");
    assert_eq!(row("keys.check_signer"), "keys.check_signer C config file");
    assert_eq!(row("keys.filter"), "keys.filter / default");
    assert_eq!(
        row("jwksFetch.blockPrivateAddresses"),
        "jwksFetch.blockPrivateAddresses true config file"
    );
    assert_eq!(row("mouse"), "mouse on default");
}

#[test]
fn the_jwks_fetch_policy_of_the_config_refuses_a_private_endpoint_in_verify() {
    // The controller's defaults allow loopback; blockPrivateAddresses refuses it, as a
    // hardened controller would.
    let db = common::TempDb::new();
    let key = common::rsa("sso.test");
    db.ok(&[
        "signer",
        "create",
        "sso",
        "https://sso.test",
        "-a",
        "z",
        "-u",
        "http://127.0.0.1:9/jwks",
    ]);
    let token = key.mint(
        jsonwebtoken::Algorithm::RS256,
        Some("k1"),
        &serde_json::json!({"iss": "https://sso.test", "aud": "z", "sub": "x"}),
    );
    let (_dir, mut cmd) = with_config("[jwksFetch]\nblockPrivateAddresses = true\n");
    let out = cmd
        .args([
            "--db",
            common::path_str(&db.path),
            "verify",
            "--json",
            &token,
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["reason"]["code"], "key_unavailable");
    let message = report["reason"]["message"].as_str().unwrap();
    assert!(message.contains("blockPrivateAddresses"), "{message}");
}

#[test]
fn the_debug_log_holds_the_jwks_fetch_and_never_the_token() {
    let key = common::rsa("sso.test");
    let (url, _) = common::serve_json(&serde_json::json!({"keys": [key.rsa_jwk("k1")]}));
    let db = common::TempDb::new();

    db.ok(&[
        "signer",
        "create",
        "sso",
        "https://sso.test",
        "-a",
        "z",
        "-u",
        &url,
        "-c",
        "email",
    ]);
    let token = key.mint(
        jsonwebtoken::Algorithm::RS256,
        Some("k1"),
        &serde_json::json!({"iss": "https://sso.test", "aud": "z", "email": "secret-claim@example.com"}),
    );
    let state = tempfile::tempdir().unwrap();
    // $EXTJWT_LOG alone writes under $XDG_STATE_HOME.
    let out = db
        .cmd()
        .env("EXTJWT_LOG", "debug")
        .env("XDG_STATE_HOME", state.path())
        .args(["verify", &token])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "no identity: rejected");
    let log = std::fs::read_to_string(state.path().join("extjwt/extjwt.log")).unwrap();
    assert!(log.contains("fetching JWKS") && log.contains(&url), "{log}");
    assert!(
        log.contains("JWKS fetched") && log.contains("keys=1"),
        "{log}"
    );
    assert!(log.contains("resolved JWKS host"), "{log}");
    assert!(
        log.contains("verified") && log.contains("identity_not_found"),
        "{log}"
    );
    for part in token.split('.') {
        assert!(
            !log.contains(part),
            "a token part leaked into the log: {log}"
        );
    }
    assert!(
        !log.contains("secret-claim"),
        "a claim value leaked into the log: {log}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).is_empty(),
        "nothing is logged to the terminal"
    );
    // --log-file names the file; an unknown level is a clear error.
    let file = state.path().join("named.log");
    db.cmd()
        .args(["--log-file", common::path_str(&file), "signer", "list"])
        .output()
        .unwrap();
    assert!(std::fs::read_to_string(&file).is_ok());
    let bad = db
        .cmd()
        .env("EXTJWT_LOG", "chatty")
        .args(["--log-file", common::path_str(&file), "signer", "list"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("EXTJWT_LOG"));
}

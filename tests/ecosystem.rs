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

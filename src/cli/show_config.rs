//! `extjwt config`: the effective configuration, one setting a line with where it came from.

use anyhow::Result;

use super::args::Cli;
use super::output::Out;
use super::{Exit, database_path};
use crate::config::Source;
use crate::text::SafeText;
use crate::tui::keymap::{Action, Key};

/// Prints every setting: the config file, the database, the mouse, each action's keys, each
/// colour and the jwksFetch policy.
pub fn effective(cli: &Cli, out: &mut Out) -> Result<Exit> {
    let config = &cli.config;
    let mut rows: Vec<[String; 3]> = Vec::new();
    let file = match (&config.file, crate::config::default_path()) {
        (Some(path), _) => [path.display().to_string(), "read".into()],
        (None, Some(path)) => [path.display().to_string(), "not found: defaults".into()],
        (None, None) => ["(no config directory)".into(), "defaults".into()],
    };
    rows.push(["config file".into(), file[0].clone(), file[1].clone()]);
    let db_source = if cli.db.is_some() && cli.db_from_env {
        Source::Env("EXTJWT_DB")
    } else if cli.db.is_some() {
        Source::Flag("--db")
    } else if config.database.is_some() {
        Source::File
    } else {
        Source::Default
    };
    rows.push([
        "database".into(),
        database_path(cli, false)?.display().to_string(),
        db_source.describe(),
    ]);
    let (mouse, mouse_source) = if cli.no_mouse {
        (false, Source::Flag("--no-mouse"))
    } else {
        config.mouse.clone()
    };
    rows.push([
        "mouse".into(),
        if mouse { "on" } else { "off" }.into(),
        mouse_source.describe(),
    ]);
    for (action, name) in Action::NAMES {
        let rebound = config.rebound.iter().find(|(a, _)| *a == action);
        let keys: Vec<String> = match rebound {
            Some((_, keys)) => keys.iter().map(Key::label).collect(),
            None => config
                .keymap
                .keys_of(action)
                .iter()
                .map(Key::label)
                .collect(),
        };
        let source = if rebound.is_some() {
            Source::File
        } else {
            Source::Default
        };
        rows.push([format!("keys.{name}"), keys.join(" "), source.describe()]);
    }
    let mut palette = config.palette;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    for (role, colour) in palette.roles_mut() {
        let source = if no_color {
            Source::Env("NO_COLOR")
        } else if config.themed.contains(&role) {
            Source::File
        } else {
            Source::Default
        };
        let value = if no_color {
            "none".into()
        } else {
            colour.to_string().to_lowercase()
        };
        rows.push([format!("theme.{role}"), value, source.describe()]);
    }
    let policy = &config.jwks_fetch;
    let fetch_source = if config.jwks_fetch_from_file {
        Source::File
    } else {
        Source::Default
    };
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "(none)".to_string()
        } else {
            items.join(", ")
        }
    };
    for (key, value) in [
        (
            "blockPrivateAddresses",
            policy.block_private_addresses.to_string(),
        ),
        (
            "deniedIPs",
            list(policy.denied_ips.iter().map(|n| n.to_string()).collect()),
        ),
        (
            "allowedIPs",
            list(policy.allowed_ips.iter().map(|n| n.to_string()).collect()),
        ),
        ("deniedHostnames", list(policy.denied_hostnames.clone())),
        ("allowedHostnames", list(policy.allowed_hostnames.clone())),
    ] {
        rows.push([format!("jwksFetch.{key}"), value, fetch_source.describe()]);
    }
    let rows: Vec<Vec<SafeText>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| SafeText::escape(cell)).collect())
        .collect();
    out.table(&["SETTING", "VALUE", "SOURCE"], &rows)?;
    Ok(Exit::Success)
}

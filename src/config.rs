//! The config file, `$XDG_CONFIG_HOME/extjwt/config.toml` (design §6): key rebindings, theme
//! colours, the mouse, the default database and the controller's `jwksFetch` policy. A missing
//! file is the defaults; an invalid one is an error naming the line and the key. Every setting
//! remembers where it came from, for `extjwt config`.
//!
//! ```toml
//! database = "/var/lib/extjwt/extjwt.db"
//! mouse = false
//!
//! [keys]                  # action = key or [keys]; replaces that action's keys everywhere
//! check_signer = "C"
//! quit = ["q", "ctrl-q"]
//!
//! [theme]                 # role = colour (a name such as "lightblue", or "#rrggbb")
//! header = "magenta"
//!
//! [jwksFetch]             # as the controller's edge.externalJwtSigners.jwksFetch
//! blockPrivateAddresses = true
//! deniedIPs = ["10.9.0.0/16"]
//! allowedHostnames = ["*.okta.com"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;
use toml::Spanned;

use crate::model::address::JwksFetchPolicy;
use crate::tui::keymap::{Action, Key, Keymap};
use crate::tui::theme::Palette;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Built in.
    Default,
    /// The config file.
    File,
    /// An environment variable.
    Env(&'static str),
    /// A command-line flag.
    Flag(&'static str),
}

impl Source {
    /// "default", "config file", "$EXTJWT_DB", "--no-mouse".
    pub fn describe(&self) -> String {
        match self {
            Source::Default => "default".into(),
            Source::File => "config file".into(),
            Source::Env(name) => format!("${name}"),
            Source::Flag(flag) => flag.to_string(),
        }
    }
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file read, when one exists.
    pub file: Option<PathBuf>,
    /// The default database, when the file sets one.
    pub database: Option<PathBuf>,
    /// Mouse capture, and where that came from.
    pub mouse: (bool, Source),
    /// The key bindings.
    pub keymap: Keymap,
    /// The actions the file rebinds.
    pub rebound: Vec<(Action, Vec<Key>)>,
    /// The colours.
    pub palette: Palette,
    /// The roles the file sets.
    pub themed: Vec<&'static str>,
    /// The controller's JWKS fetch policy.
    pub jwks_fetch: JwksFetchPolicy,
    /// Whether the file has a `[jwksFetch]` table.
    pub jwks_fetch_from_file: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            file: None,
            database: None,
            mouse: (true, Source::Default),
            keymap: Keymap::default(),
            rebound: Vec::new(),
            palette: Palette::default(),
            themed: Vec::new(),
            jwks_fetch: JwksFetchPolicy::default(),
            jwks_fetch_from_file: false,
        }
    }
}

/// A config file that cannot be used: the file, line and key, and why.
#[derive(Debug, thiserror::Error)]
#[error("config: {}:{line}: {key}: {message}", .file.display())]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// The key at fault (`keys.quit`, `jwksFetch.deniedIPs`).
    pub key: String,
    /// What is wrong and what is expected.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    database: Option<Spanned<String>>,
    mouse: Option<bool>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, Spanned<KeyList>>,
    #[serde(default)]
    theme: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(rename = "jwksFetch")]
    jwks_fetch: Option<RawJwksFetch>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum KeyList {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawJwksFetch {
    #[serde(default)]
    block_private_addresses: bool,
    #[serde(rename = "deniedIPs", default)]
    denied_ips: Vec<Spanned<String>>,
    #[serde(rename = "allowedIPs", default)]
    allowed_ips: Vec<Spanned<String>>,
    #[serde(default)]
    denied_hostnames: Vec<Spanned<String>>,
    #[serde(default)]
    allowed_hostnames: Vec<Spanned<String>>,
}

/// `$XDG_CONFIG_HOME/extjwt/config.toml` (usually `~/.config/extjwt/config.toml`).
pub fn default_path() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|b| b.config_dir().join("extjwt").join("config.toml"))
}

/// Reads the config at `path`; a missing file is the defaults.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => {
            return Err(ConfigError {
                file: path.to_path_buf(),
                line: 0,
                key: "(file)".into(),
                message: format!("cannot be read ({e})"),
            });
        }
    };
    let mut config = parse(path, &text)?;
    config.file = Some(path.to_path_buf());
    Ok(config)
}

/// Parses config text (`file` names it in errors).
pub fn parse(file: &Path, text: &str) -> Result<Config, ConfigError> {
    let error = |span: Option<std::ops::Range<usize>>, key: &str, message: String| ConfigError {
        file: file.to_path_buf(),
        line: span.map_or(0, |s| {
            text[..s.start.min(text.len())].matches('\n').count() + 1
        }),
        key: key.to_string(),
        message,
    };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_string();
        // toml names unknown fields and wrong types in its message; the key is its span's text.
        let key = e
            .span()
            .and_then(|s| text.get(s))
            .map(|k| k.trim().trim_matches('"').to_string())
            .unwrap_or_else(|| "(syntax)".into());
        error(e.span(), &key, message)
    })?;
    let mut config = Config::default();
    if let Some(database) = raw.database {
        if database.get_ref().trim().is_empty() {
            return Err(error(
                Some(database.span()),
                "database",
                "must not be empty".into(),
            ));
        }
        config.database = Some(PathBuf::from(database.into_inner()));
    }
    if let Some(mouse) = raw.mouse {
        config.mouse = (mouse, Source::File);
    }
    for (name, keys) in raw.keys {
        let key_path = format!("keys.{}", name.get_ref());
        let action = Action::from_name(name.get_ref()).ok_or_else(|| {
            error(
                Some(name.span()),
                &key_path,
                format!(
                    "no such action; the actions are: {}",
                    Action::NAMES.map(|(_, n)| n).join(", ")
                ),
            )
        })?;
        let span = keys.span();
        let written = match keys.into_inner() {
            KeyList::One(one) => vec![one],
            KeyList::Many(many) => many,
        };
        let parsed = written
            .iter()
            .map(|k| {
                Key::parse(k).ok_or_else(|| {
                    error(
                        Some(span.clone()),
                        &key_path,
                        format!("\"{k}\" is not a key (write a character, or enter, esc, tab, shift-tab, space, up, down, left, right, pgup, pgdn, home, end, f1-f12, with an optional ctrl-)"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        config
            .keymap
            .rebind(action, &parsed)
            .map_err(|why| error(Some(span.clone()), &key_path, why))?;
        config.rebound.push((action, parsed));
    }
    for (role, colour) in raw.theme {
        let key_path = format!("theme.{}", role.get_ref());
        let value = ratatui::style::Color::from_str(colour.get_ref()).map_err(|_| {
            error(
                Some(colour.span()),
                &key_path,
                format!(
                    "\"{}\" is not a colour (a name such as red, lightblue, darkgray, or #rrggbb)",
                    colour.get_ref()
                ),
            )
        })?;
        let Some((name, slot)) = config
            .palette
            .roles_mut()
            .into_iter()
            .find(|(n, _)| *n == role.get_ref().as_str())
        else {
            let known: Vec<&str> = Palette::default().roles_mut().map(|(n, _)| n).to_vec();
            return Err(error(
                Some(role.span()),
                &key_path,
                format!("no such colour role; the roles are: {}", known.join(", ")),
            ));
        };
        *slot = value;
        config.themed.push(name);
    }
    if let Some(fetch) = raw.jwks_fetch {
        config.jwks_fetch_from_file = true;
        let policy = &mut config.jwks_fetch;
        policy.block_private_addresses = fetch.block_private_addresses;
        for (field, list, out) in [
            ("deniedIPs", fetch.denied_ips, &mut policy.denied_ips),
            ("allowedIPs", fetch.allowed_ips, &mut policy.allowed_ips),
        ] {
            for entry in list {
                let raw = entry.get_ref().trim();
                // A bare address is a /32 (or /128), as the controller's parseCidrOrIp.
                let net = raw
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        error(
                            Some(entry.span()),
                            &format!("jwksFetch.{field}"),
                            format!(
                                "\"{raw}\" is not an IP address or CIDR (10.0.0.0/8, fd00::/8)"
                            ),
                        )
                    })?;
                out.push(net);
            }
        }
        for (field, list, out) in [
            (
                "deniedHostnames",
                fetch.denied_hostnames,
                &mut policy.denied_hostnames,
            ),
            (
                "allowedHostnames",
                fetch.allowed_hostnames,
                &mut policy.allowed_hostnames,
            ),
        ] {
            for entry in list {
                let pattern =
                    JwksFetchPolicy::hostname_pattern(entry.get_ref()).map_err(|why| {
                        error(
                            Some(entry.span()),
                            &format!("jwksFetch.{field}"),
                            format!("\"{}\" {why}", entry.get_ref()),
                        )
                    })?;
                out.push(pattern);
            }
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config, ConfigError> {
        parse(Path::new("config.toml"), text)
    }

    #[test]
    fn a_full_config_is_read() {
        let config = parse_str(
            "database = \"/tmp/x.db\"\nmouse = false\n[keys]\ncheck_signer = \"C\"\n[theme]\nheader = \"magenta\"\n[jwksFetch]\nblockPrivateAddresses = true\ndeniedIPs = [\"10.9.0.0/16\", \"192.0.2.1\"]\nallowedHostnames = [\"*.okta.com\"]\n",
        )
        .unwrap();
        assert_eq!(config.database, Some(PathBuf::from("/tmp/x.db")));
        assert_eq!(config.mouse, (false, Source::File));
        assert_eq!(config.rebound.len(), 1);
        assert_eq!(config.palette.header, ratatui::style::Color::Magenta);
        assert!(config.jwks_fetch.block_private_addresses);
        assert_eq!(config.jwks_fetch.denied_ips.len(), 2);
        assert_eq!(config.jwks_fetch.allowed_hostnames, ["*.okta.com"]);
    }

    #[test]
    fn errors_name_the_line_and_the_key() {
        let err = parse_str("mouse = true\n[keys]\nquit = \"hyper-q\"\n").unwrap_err();
        assert_eq!((err.line, err.key.as_str()), (3, "keys.quit"), "{err}");
        let err = parse_str("\n\n[theme]\nheader = \"chartreuse-ish\"\n").unwrap_err();
        assert_eq!((err.line, err.key.as_str()), (4, "theme.header"), "{err}");
        let err = parse_str("mosue = false\n").unwrap_err();
        assert_eq!((err.line, err.key.as_str()), (1, "mosue"), "{err}");
        let err = parse_str("[jwksFetch]\ndeniedIPs = [\"ten\"]\n").unwrap_err();
        assert_eq!(
            (err.line, err.key.as_str()),
            (2, "jwksFetch.deniedIPs"),
            "{err}"
        );
        let err = parse_str("[keys]\nteleport = \"t\"\n").unwrap_err();
        assert!(err.message.contains("no such action"), "{err}");
        let err = parse_str("mouse = \"no\"\n").unwrap_err();
        assert_eq!(err.line, 1, "{err}");
    }
}

//! The command line, as clap definitions (design §4).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// What `--help` ends with: exit codes and the environment, which clap does not list itself.
const AFTER_HELP: &str = "\
Exit codes:
  0  success; the token is valid
  1  the token is rejected (verify --batch: any is); signer check found an error
  2  bad usage, bad input, or a store error (nothing was written)

Environment:
  EXTJWT_DB        database file when --db is not given
  EXTJWT_LOG       log level for --log-file (error, warn, info, debug, trace)
  NO_COLOR         any value: no colours in the console
  XDG_DATA_HOME    where the default database lives (extjwt/extjwt.db)
  XDG_CONFIG_HOME  where the config file lives (extjwt/config.toml)
  SSH_CLIENT       recorded in the audit log as the claimed client address
  TMUX, STY        when set, clipboard copies are wrapped for tmux or screen";

/// extjwt: external JWT signers of an OpenZiti controller, in a terminal console and a CLI.
#[derive(Debug, Parser)]
#[command(name = "extjwt", version, about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    /// Database file.
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        env = "EXTJWT_DB",
        hide_env_values = true,
        help = "Database file [default: <data dir>/extjwt/extjwt.db]"
    )]
    pub db: Option<PathBuf>,
    /// Refuse every change (the console shows READ-ONLY)
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Open the console over a fresh demo database. (`--db` on the command line is refused with
    /// it; `$EXTJWT_DB` is simply not used.)
    #[arg(long, help = "Open the console over a fresh demo database")]
    pub demo: bool,
    /// Draw the console once and exit (for measuring start-up; not for people)
    #[arg(long, hide = true)]
    pub exit_after_first_frame: bool,
    /// Leave the mouse to the terminal (its own selection and copy work)
    #[arg(long)]
    pub no_mouse: bool,
    /// Write debugging logs to this file (level: $EXTJWT_LOG, else info)
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// The config file's settings, read after parsing (not a flag).
    #[arg(skip)]
    pub config: crate::config::Config,
    /// True when `db` came from `$EXTJWT_DB` rather than `--db` (set after parsing).
    #[arg(skip)]
    pub db_from_env: bool,
    /// A scripting command; without one, the console opens
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The scripting commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, show, create, update and delete external JWT signers
    #[command(subcommand)]
    Signer(Box<SignerCommand>),
    /// List, show, create, update and delete identities
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// List, show, create, update and delete auth policies (which signers an identity may
    /// log in with)
    #[command(subcommand)]
    AuthPolicy(AuthPolicyCommand),
    /// Write every signer and identity as JSON
    Export {
        /// Write to FILE instead of standard output
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Read signers and identities from this tool's export or the controller's list output
    Import {
        /// The file, or - for standard input
        #[arg(value_name = "FILE|-")]
        file: String,
    },
    /// Check a token as the controller would and map it to its identity
    Verify(VerifyArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
    /// Print the effective configuration and where each setting comes from
    Config,
    /// Show who changed what
    Audit {
        /// Print JSON
        #[arg(long)]
        json: bool,
        /// How many entries, newest first
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

/// `extjwt verify` options.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The token (a leading "Bearer " is ignored), or - / nothing to read standard input; with
    /// --batch, a file of tokens (or - / nothing for standard input)
    #[arg(value_name = "TOKEN|FILE|-")]
    pub token: Option<String>,
    /// Check many tokens, one a line, on every core: a summary, or one JSON report a line
    /// with --json; exit 1 when any is rejected
    #[arg(long)]
    pub batch: bool,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
    /// Check as of this time (RFC 3339 or UNIX seconds) instead of now
    #[arg(long, value_name = "RFC3339|UNIX_SECONDS")]
    pub at: Option<String>,
    /// Clock skew allowed on exp and nbf, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub leeway: u64,
}

/// `extjwt signer …`
#[derive(Debug, Subcommand)]
pub enum SignerCommand {
    /// List every signer
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Check one signer or all of them without a token (certificate, key, JWKS as the
    /// controller reads it, shared kids, the "" kid trap, near-twin issuers); exit 1 on errors
    Check {
        /// Name or id (all signers when absent)
        key: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Show one signer with its certificate details
    Show {
        /// Name or id
        key: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Create a signer (mirrors `ziti edge create ext-jwt-signer`); prints the new id
    Create {
        /// Unique name
        name: String,
        /// The exact `iss` of the IdP's tokens
        issuer: String,
        /// The other signer options.
        #[command(flatten)]
        fields: SignerFields,
    },
    /// Change the given fields of a signer; the others stay
    Update {
        /// Name or id
        key: String,
        /// New name
        #[arg(short = 'n', long = "name")]
        name: Option<String>,
        /// New issuer
        #[arg(short = 'l', long = "issuer")]
        issuer: Option<String>,
        /// The other signer options.
        #[command(flatten)]
        fields: SignerFields,
        /// Only update if the signer is still at this version (as `signer show` prints it)
        #[arg(long, value_name = "VERSION")]
        if_version: Option<i64>,
    },
    /// Delete a signer
    Delete {
        /// Name or id
        key: String,
    },
}

/// The signer options shared by `create` and `update`.
#[derive(Debug, Args)]
pub struct SignerFields {
    /// Audience tokens must carry
    #[arg(short = 'a', long = "audience")]
    pub audience: Option<String>,
    /// PEM file holding the IdP's signing certificate
    #[arg(short = 'f', long = "cert-file", value_name = "CERT_FILE")]
    pub cert_file: Option<PathBuf>,
    /// The IdP's signing certificate as PEM text
    #[arg(short = 'p', long = "cert-pem", value_name = "CERT_PEM")]
    pub cert_pem: Option<String>,
    /// The IdP's JWKS URL
    #[arg(short = 'u', long = "jwks-endpoint", value_name = "JWKS_URL")]
    pub jwks_endpoint: Option<String>,
    /// Key id tokens carry (empty clears it)
    #[arg(short = 'k', long = "kid")]
    pub kid: Option<String>,
    /// JSON pointer to the claim naming the identity [default: /sub]
    #[arg(short = 'c', long = "claims-property")]
    pub claims_property: Option<String>,
    /// Map the claim to an identity's external ID (true) or its id (false) [create default: true]
    #[arg(long, value_name = "true|false")]
    pub use_external_id: Option<bool>,
    /// Whether the signer accepts tokens [create default: true]
    #[arg(long, value_name = "true|false")]
    pub enabled: Option<bool>,
    /// Where clients send users to log in (empty clears it)
    #[arg(
        short = 'y',
        long = "external-auth-url",
        value_name = "EXTERNAL_AUTH_URL"
    )]
    pub external_auth_url: Option<String>,
    /// OAuth client id (empty clears it)
    #[arg(long = "client-id", value_name = "ID")]
    pub client_id: Option<String>,
    /// OAuth scopes, comma separated
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub scopes: Option<Vec<String>>,
    /// Which token the IdP hands over
    #[arg(long, value_enum, ignore_case = true)]
    pub target_token: Option<TargetTokenArg>,
    /// A tag, repeatable
    #[arg(long = "tag", value_name = "K=V", value_parser = parse_tag)]
    pub tags: Vec<(String, String)>,
}

/// `--target-token` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TargetTokenArg {
    /// The access token
    #[value(name = "ACCESS")]
    Access,
    /// The ID token
    #[value(name = "ID")]
    Id,
}

/// `extjwt identity …`
#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// List every identity
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Show one identity
    Show {
        /// Name or id
        key: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Create an identity; prints the new id
    Create {
        /// Unique name
        name: String,
        /// The value a token's claim must equal to map here
        #[arg(long)]
        external_id: Option<String>,
        /// Identity type
        #[arg(long = "type", value_enum, ignore_case = true, default_value = "User")]
        identity_type: IdentityTypeArg,
        /// Make it an administrator
        #[arg(long)]
        admin: bool,
        /// Create it disabled (no end)
        #[arg(long)]
        disabled: bool,
        /// Create it disabled until this time (a timed lock), RFC 3339
        #[arg(long, value_name = "RFC3339")]
        disabled_until: Option<String>,
        /// Auth policy, by name or id [default: the built-in Default]
        #[arg(long = "auth-policy", value_name = "NAME|ID")]
        auth_policy: Option<String>,
    },
    /// Change the given fields of an identity
    Update {
        /// Name or id
        key: String,
        /// New name
        #[arg(long)]
        name: Option<String>,
        /// New external ID (empty clears it)
        #[arg(long)]
        external_id: Option<String>,
        /// New type
        #[arg(long = "type", value_enum, ignore_case = true)]
        identity_type: Option<IdentityTypeArg>,
        /// Administrator or not
        #[arg(long, value_name = "true|false")]
        admin: Option<bool>,
        /// Disabled or not (false also clears --disabled-until)
        #[arg(long, value_name = "true|false")]
        disabled: Option<bool>,
        /// Disable it until this time (a timed lock), RFC 3339
        #[arg(long, value_name = "RFC3339")]
        disabled_until: Option<String>,
        /// Auth policy, by name or id
        #[arg(long = "auth-policy", value_name = "NAME|ID")]
        auth_policy: Option<String>,
        /// Only update if the identity is still at this version
        #[arg(long, value_name = "VERSION")]
        if_version: Option<i64>,
    },
    /// Delete an identity
    Delete {
        /// Name or id
        key: String,
    },
}

/// `extjwt auth-policy …`
#[derive(Debug, Subcommand)]
pub enum AuthPolicyCommand {
    /// List every auth policy
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Show one auth policy, the signers it names and the identities on it
    Show {
        /// Name or id
        key: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Create an auth policy (everything allowed unless told otherwise); prints the new id
    Create {
        /// Unique name
        name: String,
        /// The policy options.
        #[command(flatten)]
        fields: AuthPolicyFields,
    },
    /// Change the given fields of an auth policy; the others stay
    Update {
        /// Name or id
        key: String,
        /// New name
        #[arg(short = 'n', long = "name")]
        name: Option<String>,
        /// The policy options.
        #[command(flatten)]
        fields: AuthPolicyFields,
        /// Allow every signer again (empties the allowed signers)
        #[arg(long, conflicts_with = "ext_jwt_signers")]
        clear_ext_jwt_signers: bool,
        /// Only update if the policy is still at this version
        #[arg(long, value_name = "VERSION")]
        if_version: Option<i64>,
    },
    /// Delete an auth policy (refused for the built-in Default and for policies in use)
    Delete {
        /// Name or id
        key: String,
    },
}

/// The auth policy options shared by `create` and `update`.
#[derive(Debug, Args)]
pub struct AuthPolicyFields {
    /// Whether identities on this policy may log in with an external JWT [create default: true]
    #[arg(long, value_name = "true|false")]
    pub ext_jwt_allowed: Option<bool>,
    /// A signer tokens may come from, by name or id; repeatable. Given on update, the list
    /// replaces the old one. None: every signer
    #[arg(long = "ext-jwt-signer", value_name = "NAME|ID")]
    pub ext_jwt_signers: Vec<String>,
    /// Certificate login allowed [create default: true]
    #[arg(long, value_name = "true|false")]
    pub cert_allowed: Option<bool>,
    /// Expired client certificates still log in [create default: true]
    #[arg(long, value_name = "true|false")]
    pub cert_allow_expired_certs: Option<bool>,
    /// Password login allowed [create default: true]
    #[arg(long, value_name = "true|false")]
    pub updb_allowed: Option<bool>,
    /// A TOTP code is required after the primary login [create default: false]
    #[arg(long, value_name = "true|false")]
    pub require_totp: Option<bool>,
    /// A second token from this signer is required after the primary login (empty clears it)
    #[arg(long, value_name = "NAME|ID")]
    pub require_ext_jwt_signer: Option<String>,
    /// A tag, repeatable
    #[arg(long = "tag", value_name = "K=V", value_parser = parse_tag)]
    pub tags: Vec<(String, String)>,
}

/// `--type` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum IdentityTypeArg {
    /// A person
    User,
    /// A device
    Device,
    /// A service
    Service,
    /// A router
    Router,
    /// The controller's default type
    Default,
}

fn parse_tag(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("tag \"{raw}\" is not KEY=VALUE")),
    }
}

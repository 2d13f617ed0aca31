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
    /// List, show, create, update and delete external JWT signers (also: ext-jwt-signer,
    /// external-jwt-signer, as the ziti CLI names them)
    #[command(
        subcommand,
        visible_alias = "ext-jwt-signer",
        alias = "external-jwt-signer"
    )]
    Signer(Box<SignerCommand>),
    /// List, show, create, update and delete identities
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// List, show, create, update and delete auth policies (which signers an identity may
    /// log in with)
    #[command(subcommand)]
    AuthPolicy(AuthPolicyCommand),
    /// Write every signer, auth policy and identity as JSON
    Export {
        /// Write to FILE instead of standard output
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// extjwt (keeps ids, times and versions: export → import → export is identical) or
        /// ascode (what `ziti ops import` reads: @name references, no ids)
        #[arg(long, value_enum, default_value = "extjwt")]
        format: ExportFormat,
    },
    /// Read signers, auth policies and identities from this tool's export, the controller's
    /// list output (`ziti edge list … 'limit none' -j`) or a `ziti ops export` file
    Import {
        /// The file, or - for standard input
        #[arg(value_name = "FILE|-")]
        file: String,
        /// Print what was imported as JSON (counts per entity)
        #[arg(short = 'j', long)]
        json: bool,
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

/// `export --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// This tool's format
    Extjwt,
    /// The `ziti ops export` / `ziti ops import` format
    Ascode,
}

/// A boolean flag as the ziti CLI writes it: bare (`--enabled`) means true, and a value may
/// follow (`--enabled false`, `--enabled=no`).
macro_rules! boolish {
    () => {
        clap::builder::BoolishValueParser::new()
    };
}

/// `-j/--json` on every command that prints.
#[derive(Debug, Clone, Copy, Args)]
pub struct JsonFlag {
    /// Print JSON
    #[arg(short = 'j', long = "json")]
    pub json: bool,
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
        #[arg(short = 'j', long)]
        json: bool,
    },
    /// Check one signer or all of them without a token (certificate, key, JWKS as the
    /// controller reads it, shared kids, the "" kid trap, near-twin issuers); exit 1 on errors
    Check {
        /// Name or id (all signers when absent)
        key: Option<String>,
        /// Print JSON
        #[arg(short = 'j', long)]
        json: bool,
    },
    /// Show one signer with its certificate details
    Show {
        /// Name or id
        key: String,
        /// Print JSON
        #[arg(short = 'j', long)]
        json: bool,
    },
    /// Create a signer; prints the new id (with -j, the signer). The flags are those of
    /// `ziti edge create ext-jwt-signer`, with the same defaults
    Create {
        /// Unique name
        name: String,
        /// The exact `iss` of the IdP's tokens
        issuer: String,
        /// The other signer options.
        #[command(flatten)]
        fields: SignerFields,
        /// -j/--json
        #[command(flatten)]
        output: JsonFlag,
    },
    /// Change the given fields of a signer; the others stay (as `ziti edge update
    /// ext-jwt-signer`). Prints what changed
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
        /// -j/--json
        #[command(flatten)]
        output: JsonFlag,
    },
    /// Delete a signer (refused while an auth policy names it)
    Delete {
        /// Name or id
        key: String,
        /// -j/--json
        #[command(flatten)]
        output: JsonFlag,
    },
}

/// The signer options shared by `create` and `update`, named as the ziti CLI names them.
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
    /// JSON pointer (or top-level name) of the claim naming the identity [default: /sub]
    #[arg(short = 'c', long = "claims-property")]
    pub claims_property: Option<String>,
    /// Map the claim to an identity's external ID (true) or its id (false); bare means true;
    /// -x is the same [create default: true]
    #[arg(
        long = "use-external-id",
        visible_alias = "external-id",
        value_name = "true|false",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = boolish!()
    )]
    pub use_external_id: Option<bool>,
    /// -x: --use-external-id (bare, so -xe works as in the ziti CLI)
    #[arg(short = 'x', hide = true)]
    pub use_external_id_short: bool,
    /// Whether the signer accepts tokens; bare means true; -e is the same [create default: true]
    #[arg(
        long = "enabled",
        value_name = "true|false",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = boolish!()
    )]
    pub enabled: Option<bool>,
    /// -e: --enabled (bare)
    #[arg(short = 'e', hide = true)]
    pub enabled_short: bool,
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
    /// OAuth scopes, comma separated or repeated
    #[arg(
        long,
        visible_alias = "scope",
        value_delimiter = ',',
        value_name = "A,B"
    )]
    pub scopes: Option<Vec<String>>,
    /// Which token the IdP hands over
    #[arg(long, value_enum, ignore_case = true)]
    pub target_token: Option<TargetTokenArg>,
    /// Enrollment to a certificate allowed (stored, no behaviour here); bare means true
    #[arg(long = "enroll-to-cert", value_name = "true|false", num_args = 0..=1, default_missing_value = "true", value_parser = boolish!())]
    pub enroll_to_cert: Option<bool>,
    /// Enrollment to a token allowed (stored, no behaviour here); bare means true
    #[arg(long = "enroll-to-token", value_name = "true|false", num_args = 0..=1, default_missing_value = "true", value_parser = boolish!())]
    pub enroll_to_token: Option<bool>,
    /// Claim naming enrolling identities [default: /sub]
    #[arg(long = "enroll-name-claims-selector", value_name = "POINTER")]
    pub enroll_name_claims_selector: Option<String>,
    /// Claim holding enrolling identities' role attributes (empty clears it)
    #[arg(long = "enroll-attr-claims-selector", value_name = "POINTER")]
    pub enroll_attr_claims_selector: Option<String>,
    /// Auth policy of enrolling identities, by name or id [default: default]
    #[arg(long = "enroll-auth-policy", value_name = "NAME|ID")]
    pub enroll_auth_policy: Option<String>,
    /// Tags, K=V, comma separated or repeated (added to the existing ones)
    #[arg(short = 't', long = "tags", visible_alias = "tag", value_name = "K=V", value_delimiter = ',', value_parser = parse_tag)]
    pub tags: Vec<(String, String)>,
    /// Tags as a JSON object (added to the existing ones; -t wins on the same key)
    #[arg(long = "tags-json", value_name = "JSON")]
    pub tags_json: Option<String>,
}

impl SignerFields {
    /// `--use-external-id` or `-x`.
    pub fn use_external_id(&self) -> Option<bool> {
        self.use_external_id
            .or(self.use_external_id_short.then_some(true))
    }

    /// `--enabled` or `-e`.
    pub fn enabled(&self) -> Option<bool> {
        self.enabled.or(self.enabled_short.then_some(true))
    }
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
        #[arg(short = 'j', long)]
        json: bool,
    },
    /// Show one identity
    Show {
        /// Name or id
        key: String,
        /// Print JSON
        #[arg(short = 'j', long)]
        json: bool,
    },
    /// Create an identity; prints the new id (with -j, the identity). The flags are those of
    /// `ziti edge create identity` where it has them
    Create {
        /// Unique name
        name: String,
        /// The value a token's claim must equal to map here
        #[arg(long)]
        external_id: Option<String>,
        /// Identity type (the ziti CLI always creates Default; Router identities come from
        /// enrolling a router)
        #[arg(
            long = "type",
            value_enum,
            ignore_case = true,
            default_value = "Default"
        )]
        identity_type: IdentityTypeArg,
        /// The other identity options.
        #[command(flatten)]
        fields: IdentityFields,
        /// -j/--json
        #[command(flatten)]
        output: JsonFlag,
    },
    /// Change the given fields of an identity; the others stay. Prints what changed
    Update {
        /// Name or id
        key: String,
        /// New name
        #[arg(short = 'n', long)]
        name: Option<String>,
        /// New external ID (empty clears it)
        #[arg(short = 'x', long)]
        external_id: Option<String>,
        /// New type
        #[arg(long = "type", value_enum, ignore_case = true)]
        identity_type: Option<IdentityTypeArg>,
        /// The other identity options.
        #[command(flatten)]
        fields: IdentityFields,
        /// Only update if the identity is still at this version
        #[arg(long, value_name = "VERSION")]
        if_version: Option<i64>,
        /// -j/--json
        #[command(flatten)]
        output: JsonFlag,
    },
    /// Delete an identity
    Delete {
        /// Name or id
        key: String,
        /// -j/--json
        #[command(flatten)]
        output: JsonFlag,
    },
}

/// The identity options shared by `create` and `update`, named as `ziti edge create|update
/// identity` names them.
#[derive(Debug, Args)]
pub struct IdentityFields {
    /// Administrator or not; bare means true
    #[arg(short = 'A', long, value_name = "true|false", num_args = 0..=1, default_missing_value = "true", value_parser = boolish!())]
    pub admin: Option<bool>,
    /// Role attributes, comma separated or repeated (on update they replace the old ones;
    /// empty clears them)
    #[arg(
        short = 'a',
        long = "role-attributes",
        value_delimiter = ',',
        value_name = "A,B"
    )]
    pub role_attributes: Option<Vec<String>>,
    /// Disabled (with no end) or not (false also clears --disabled-until); bare means true
    #[arg(long, value_name = "true|false", num_args = 0..=1, default_missing_value = "true", value_parser = boolish!())]
    pub disabled: Option<bool>,
    /// Disabled until this time (a timed lock), RFC 3339
    #[arg(long, value_name = "RFC3339")]
    pub disabled_until: Option<String>,
    /// Auth policy, by name or id [create default: the built-in Default]
    #[arg(short = 'P', long = "auth-policy", value_name = "NAME|ID")]
    pub auth_policy: Option<String>,
}

/// `extjwt auth-policy …`
#[derive(Debug, Subcommand)]
pub enum AuthPolicyCommand {
    /// List every auth policy
    List {
        /// Print JSON
        #[arg(short = 'j', long)]
        json: bool,
    },
    /// Show one auth policy, the signers it names and the identities on it
    Show {
        /// Name or id
        key: String,
        /// Print JSON
        #[arg(short = 'j', long)]
        json: bool,
    },
    /// Create an auth policy; prints the new id. Everything is allowed unless told otherwise,
    /// as the controller fills a policy in (the ziti CLI's flags default to false instead)
    Create {
        /// Unique name
        name: String,
        /// The policy options.
        #[command(flatten)]
        fields: AuthPolicyFields,
        /// -j/--json
        #[command(flatten)]
        output: JsonFlag,
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
        /// -j/--json
        #[command(flatten)]
        output: JsonFlag,
    },
    /// Delete an auth policy (refused for the built-in Default and for policies in use)
    Delete {
        /// Name or id
        key: String,
        /// -j/--json
        #[command(flatten)]
        output: JsonFlag,
    },
}

/// The auth policy options shared by `create` and `update`.
#[derive(Debug, Args)]
pub struct AuthPolicyFields {
    /// Whether identities on this policy may log in with an external JWT; bare means true
    /// [create default: true]
    #[arg(long, visible_alias = "primary-ext-jwt-allowed", value_name = "true|false", num_args = 0..=1, default_missing_value = "true", value_parser = boolish!())]
    pub ext_jwt_allowed: Option<bool>,
    /// A signer tokens may come from, by name or id; repeatable. Given on update, the list
    /// replaces the old one. None: every signer
    #[arg(
        long = "ext-jwt-signer",
        visible_alias = "primary-ext-jwt-allowed-signers",
        value_name = "NAME|ID"
    )]
    pub ext_jwt_signers: Vec<String>,
    /// Certificate login allowed; bare means true [create default: true]
    #[arg(long, visible_alias = "primary-cert-allowed", value_name = "true|false", num_args = 0..=1, default_missing_value = "true", value_parser = boolish!())]
    pub cert_allowed: Option<bool>,
    /// Expired client certificates still log in; bare means true [create default: true]
    #[arg(long, visible_alias = "primary-cert-expired-allowed", value_name = "true|false", num_args = 0..=1, default_missing_value = "true", value_parser = boolish!())]
    pub cert_allow_expired_certs: Option<bool>,
    /// Password login allowed; bare means true [create default: true]
    #[arg(long, visible_alias = "primary-updb-allowed", value_name = "true|false", num_args = 0..=1, default_missing_value = "true", value_parser = boolish!())]
    pub updb_allowed: Option<bool>,
    /// A TOTP code is required after the primary login; bare means true [create default: false]
    #[arg(long, visible_alias = "secondary-req-totp", value_name = "true|false", num_args = 0..=1, default_missing_value = "true", value_parser = boolish!())]
    pub require_totp: Option<bool>,
    /// A second token from this signer is required after the primary login (empty clears it)
    #[arg(
        long,
        visible_alias = "secondary-req-ext-jwt-signer",
        value_name = "NAME|ID"
    )]
    pub require_ext_jwt_signer: Option<String>,
    /// Tags, K=V, comma separated or repeated (added to the existing ones)
    #[arg(short = 't', long = "tags", visible_alias = "tag", value_name = "K=V", value_delimiter = ',', value_parser = parse_tag)]
    pub tags: Vec<(String, String)>,
    /// Tags as a JSON object (added to the existing ones; -t wins on the same key)
    #[arg(long = "tags-json", value_name = "JSON")]
    pub tags_json: Option<String>,
}

/// `--type` values: the controller's types since v0.30.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum IdentityTypeArg {
    /// Every identity that is not a router's
    Default,
    /// A router's identity
    Router,
}

fn parse_tag(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("tag \"{raw}\" is not KEY=VALUE")),
    }
}

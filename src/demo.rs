//! The demo: a fresh database seeded from `assets/demo.json`, and sample tokens minted at start
//! with the demo-only keys in `assets/demo-keys/`, so a new user sees both outcomes at once.

use anyhow::{Context, Result, anyhow};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::interchange;
use crate::store::Store;

const DEMO_JSON: &str = include_str!("../assets/demo.json");
const FILES: &[(&str, &str)] = &[
    (
        "okta-demo.crt",
        include_str!("../assets/demo-keys/okta-demo.crt"),
    ),
    (
        "okta-demo.key",
        include_str!("../assets/demo-keys/okta-demo.key"),
    ),
    (
        "entra-demo.crt",
        include_str!("../assets/demo-keys/entra-demo.crt"),
    ),
    (
        "entra-demo.key",
        include_str!("../assets/demo-keys/entra-demo.key"),
    ),
    (
        "adfs-demo.key",
        include_str!("../assets/demo-keys/adfs-demo.key"),
    ),
    (
        "legacy-demo.crt",
        include_str!("../assets/demo-keys/legacy-demo.crt"),
    ),
];

fn asset(name: &str) -> Result<&'static str> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .ok_or_else(|| anyhow!("demo asset {name} is missing"))
}

/// A demo database in a temporary file (removed when this is dropped) and its sample tokens.
pub struct Demo {
    /// The store over the demo database.
    pub store: Store,
    /// `(label, token)` pairs: valid, expired, wrong audience, unknown identity, refused by an
    /// auth policy.
    pub tokens: Vec<(String, String)>,
    _file: tempfile::TempPath,
}

/// A certificate for `key_pem` that expires `days_left` days from now (the "near expiry" one).
fn mint_certificate(key_pem: &str, days_left: i64) -> Result<String> {
    let key = rcgen::KeyPair::from_pem(key_pem).context("demo key")?;
    let mut params = rcgen::CertificateParams::new(vec!["adfs.corp.demo".to_string()])?;
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "adfs.corp.demo");
    dn.push(rcgen::DnType::OrganizationName, "extjwt demo IdP");
    params.distinguished_name = dn;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(365 - days_left);
    params.not_after = now + time::Duration::days(days_left);
    Ok(params.self_signed(&key)?.pem())
}

/// The demo document with certificate references resolved.
fn demo_document() -> Result<Value> {
    let mut doc: Value = serde_json::from_str(DEMO_JSON).context("assets/demo.json")?;
    let signers = doc
        .get_mut("externalJwtSigners")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| anyhow!("assets/demo.json has no externalJwtSigners"))?;
    for signer in signers {
        let Some(object) = signer.as_object_mut() else {
            continue;
        };
        if let Some(Value::String(file)) = object.remove("certFile") {
            object.insert("certPem".into(), Value::String(asset(&file)?.to_string()));
        }
        if let Some(Value::String(key)) = object.remove("certMintFromKey") {
            let days = object
                .remove("certDaysLeft")
                .and_then(|d| d.as_i64())
                .unwrap_or(12);
            object.insert(
                "certPem".into(),
                Value::String(mint_certificate(asset(&key)?, days)?),
            );
        }
    }
    Ok(doc)
}

fn mint(claims: &Value) -> Result<String> {
    let key = EncodingKey::from_rsa_pem(asset("okta-demo.key")?.as_bytes())?;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("okta-demo-2026".into());
    Ok(jsonwebtoken::encode(&header, claims, &key)?)
}

/// Sample tokens from the demo `okta` signer, relative to now.
pub fn sample_tokens() -> Result<Vec<(String, String)>> {
    let now = chrono::Utc::now().timestamp();
    let base = |email: &str, aud: &str, iat: i64, exp: i64| {
        json!({
            "iss": "https://dev-418352.okta.demo/oauth2/default",
            "aud": aud,
            "sub": "00u1demo",
            "email": email,
            "name": "Demo User",
            "iat": iat,
            "exp": exp,
        })
    };
    Ok(vec![
        (
            "valid: maps to alice".into(),
            mint(&base(
                "alice@example.com",
                "api://openziti",
                now - 60,
                now + 3600,
            ))?,
        ),
        (
            "expired 3 days ago".into(),
            mint(&base(
                "alice@example.com",
                "api://openziti",
                now - 3 * 86_400 - 3600,
                now - 3 * 86_400,
            ))?,
        ),
        (
            "wrong audience".into(),
            mint(&base(
                "alice@example.com",
                "api://other-app",
                now - 60,
                now + 3600,
            ))?,
        ),
        (
            "unknown identity (zoe@example.com)".into(),
            mint(&base(
                "zoe@example.com",
                "api://openziti",
                now - 60,
                now + 3600,
            ))?,
        ),
        (
            "refused by auth policy Contractors (frank, Entra only)".into(),
            mint(&base(
                "frank@contractor.demo",
                "api://openziti",
                now - 60,
                now + 3600,
            ))?,
        ),
    ])
}

impl Demo {
    /// The store, the tokens, and the file's guard (the file is removed when it drops).
    pub fn into_parts(self) -> (Store, Vec<(String, String)>, tempfile::TempPath) {
        (self.store, self.tokens, self._file)
    }
}

/// Creates a fresh demo database.
pub fn create() -> Result<Demo> {
    let file = tempfile::Builder::new()
        .prefix("extjwt-demo-")
        .suffix(".db")
        .tempfile()
        .context("db: cannot create a temporary demo database")?
        .into_temp_path();
    let mut store = Store::open(&file)?;
    interchange::import_str(&mut store, &demo_document()?.to_string())?;
    Ok(Demo {
        store,
        tokens: sample_tokens()?,
        _file: file,
    })
}

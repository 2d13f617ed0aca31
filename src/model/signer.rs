//! External JWT signers: the trust link between the controller and an identity provider.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::net::IpAddr;

use super::address;
use super::certificate::CertificateDetails;
use super::error::ValidationErrors;
use super::limits::{self, Characters};
use super::pointer;

/// The default claims property and enrollment name selector.
pub const DEFAULT_CLAIMS_PROPERTY: &str = "/sub";
/// The default enrollment auth policy.
pub const DEFAULT_AUTH_POLICY: &str = "default";

/// Which token an external IdP hands the controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TargetToken {
    /// The access token (the controller's default).
    #[default]
    Access,
    /// The ID token.
    Id,
}

impl TargetToken {
    /// Every value, in the order a form cycles through them.
    pub const ALL: [TargetToken; 2] = [TargetToken::Access, TargetToken::Id];

    /// Every value's name, in [`TargetToken::ALL`] order (a form's choices).
    pub const NAMES: [&'static str; 2] = [Self::ALL[0].as_str(), Self::ALL[1].as_str()];

    /// The stored and displayed name.
    pub const fn as_str(self) -> &'static str {
        match self {
            TargetToken::Access => "ACCESS",
            TargetToken::Id => "ID",
        }
    }

    /// Parses `ACCESS` or `ID` (case-insensitive).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "ACCESS" => Some(TargetToken::Access),
            "ID" => Some(TargetToken::Id),
            _ => None,
        }
    }
}

/// Everything an admin can set on a signer, as typed in a form, a CLI or an import file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerDraft {
    /// Unique display name.
    pub name: String,
    /// The `iss` value tokens carry; matched byte for byte.
    pub issuer: String,
    /// The audience tokens must carry.
    pub audience: String,
    /// The IdP's signing certificate (exactly one of this and `jwks_endpoint`).
    pub cert_pem: Option<String>,
    /// The IdP's JWKS URL.
    pub jwks_endpoint: Option<String>,
    /// The key id tokens name; for a certificate signer without one, the certificate fingerprint.
    pub kid: Option<String>,
    /// JSON pointer to the claim that names the identity.
    pub claims_property: String,
    /// Map the claim to an identity's external ID (true) or to its id (false).
    pub use_external_id: bool,
    /// Disabled signers reject every token.
    pub enabled: bool,
    /// Where clients send users to log in.
    pub external_auth_url: Option<String>,
    /// OAuth client id for that login.
    pub client_id: Option<String>,
    /// OAuth scopes for that login.
    pub scopes: Vec<String>,
    /// Which token the IdP hands over.
    pub target_token: TargetToken,
    /// Enrollment: issue certificates to identities created from tokens.
    pub enroll_to_cert_enabled: bool,
    /// Enrollment: issue tokens to identities created from tokens.
    pub enroll_to_token_enabled: bool,
    /// Enrollment: pointer to the claim naming a new identity.
    pub enroll_name_claims_selector: String,
    /// Enrollment: pointer to the claim holding role attributes.
    pub enroll_attribute_claims_selector: Option<String>,
    /// Enrollment: auth policy of new identities.
    pub enroll_auth_policy_id: String,
    /// Free-form tags.
    pub tags: Map<String, Value>,
}

impl Default for SignerDraft {
    /// The defaults of the form and of `signer create` (useExternalId and enabled on).
    fn default() -> Self {
        Self {
            name: String::new(),
            issuer: String::new(),
            audience: String::new(),
            cert_pem: None,
            jwks_endpoint: None,
            kid: None,
            claims_property: DEFAULT_CLAIMS_PROPERTY.to_string(),
            use_external_id: true,
            enabled: true,
            external_auth_url: None,
            client_id: None,
            scopes: Vec::new(),
            target_token: TargetToken::Access,
            enroll_to_cert_enabled: false,
            enroll_to_token_enabled: false,
            enroll_name_claims_selector: DEFAULT_CLAIMS_PROPERTY.to_string(),
            enroll_attribute_claims_selector: None,
            enroll_auth_policy_id: DEFAULT_AUTH_POLICY.to_string(),
            tags: Map::new(),
        }
    }
}

/// A draft that passed validation, normalised, with what its certificate says.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSigner {
    /// The normalised draft.
    pub draft: SignerDraft,
    /// Derived from `cert_pem`, when the signer has one.
    pub certificate: Option<CertificateDetails>,
}

/// A stored signer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signer {
    /// UUID v4.
    pub id: String,
    /// The editable fields.
    #[serde(flatten)]
    pub draft: SignerDraft,
    /// Subject CN of the certificate.
    pub common_name: Option<String>,
    /// SHA-1 fingerprint of the certificate.
    pub fingerprint: Option<String>,
    /// Certificate validity start, RFC 3339.
    pub not_before: Option<String>,
    /// Certificate validity end, RFC 3339.
    pub not_after: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
    /// Bumped on every update; an update names the version it read.
    #[serde(skip)]
    pub version: i64,
}

impl Signer {
    /// The certificate's details, parsed again from the stored PEM (None for JWKS signers).
    pub fn certificate(&self) -> Option<CertificateDetails> {
        self.draft
            .cert_pem
            .as_deref()
            .and_then(|pem| CertificateDetails::from_pem(pem).ok())
    }

    /// "certificate" or "JWKS", for tables and messages.
    pub fn key_source_label(&self) -> &'static str {
        if self.draft.jwks_endpoint.is_some() {
            "JWKS"
        } else {
            "certificate"
        }
    }
}

fn trimmed_opt(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl SignerDraft {
    /// Normalises the draft and checks every rule of design §2, returning all problems at once.
    pub fn validate(&self) -> Result<ValidSigner, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut d = self.clone();
        d.name = d.name.trim().to_string();
        d.issuer = d.issuer.trim().to_string();
        d.audience = d.audience.trim().to_string();
        // An empty kid is kept: the controller keeps "" (it is not null), and verify explains
        // what it does. Forms and the CLI turn an empty field into none before this.
        d.kid = d.kid.as_deref().map(|k| k.trim().to_string());
        d.cert_pem = trimmed_opt(&d.cert_pem);
        d.jwks_endpoint = trimmed_opt(&d.jwks_endpoint);
        d.external_auth_url = trimmed_opt(&d.external_auth_url);
        d.client_id = trimmed_opt(&d.client_id);
        d.enroll_attribute_claims_selector = trimmed_opt(&d.enroll_attribute_claims_selector);
        d.claims_property = pointer::normalize(&d.claims_property, DEFAULT_CLAIMS_PROPERTY);
        d.enroll_name_claims_selector =
            pointer::normalize(&d.enroll_name_claims_selector, DEFAULT_CLAIMS_PROPERTY);
        d.enroll_auth_policy_id = match d.enroll_auth_policy_id.trim() {
            "" => DEFAULT_AUTH_POLICY.to_string(),
            other => other.to_string(),
        };
        d.scopes = d
            .scopes
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();

        if d.name.is_empty() {
            errors.push("name", "required: give the signer a unique name");
        }
        limits::check_name(&mut errors, "name", &d.name);
        limits::check(
            &mut errors,
            "issuer",
            &d.issuer,
            limits::URL_MAX_BYTES,
            Characters::Plain,
        );
        limits::check(
            &mut errors,
            "audience",
            &d.audience,
            limits::TEXT_MAX_BYTES,
            Characters::Plain,
        );
        let optional_caps = [
            ("certPem", &d.cert_pem, limits::PEM_MAX_BYTES),
            ("jwksEndpoint", &d.jwks_endpoint, limits::URL_MAX_BYTES),
            (
                "externalAuthUrl",
                &d.external_auth_url,
                limits::URL_MAX_BYTES,
            ),
            ("kid", &d.kid, limits::TEXT_MAX_BYTES),
            ("clientId", &d.client_id, limits::TEXT_MAX_BYTES),
            (
                "enrollAttributeClaimsSelector",
                &d.enroll_attribute_claims_selector,
                limits::TEXT_MAX_BYTES,
            ),
        ];
        for (field, value, cap) in optional_caps {
            if let Some(value) = value {
                limits::check(&mut errors, field, value, cap, Characters::Any);
            }
        }
        for (field, value) in [
            ("claimsProperty", &d.claims_property),
            ("enrollNameClaimsSelector", &d.enroll_name_claims_selector),
            ("enrollAuthPolicyId", &d.enroll_auth_policy_id),
        ] {
            limits::check(
                &mut errors,
                field,
                value,
                limits::TEXT_MAX_BYTES,
                Characters::Any,
            );
        }
        let scopes_bytes: usize = d.scopes.iter().map(|s| s.len() + 1).sum();
        if scopes_bytes > limits::TAGS_MAX_BYTES {
            errors.push(
                "scopes",
                format!(
                    "are {scopes_bytes} bytes; at most {} are allowed",
                    limits::TAGS_MAX_BYTES
                ),
            );
        }
        let tags_bytes = serde_json::to_string(&d.tags).map_or(0, |t| t.len());
        if tags_bytes > limits::TAGS_MAX_BYTES {
            errors.push(
                "tags",
                format!(
                    "are {tags_bytes} bytes as JSON; at most {} are allowed",
                    limits::TAGS_MAX_BYTES
                ),
            );
        }

        if d.issuer.is_empty() {
            errors.push(
                "issuer",
                "required: the exact \"iss\" value of the IdP's tokens",
            );
        }
        if d.audience.is_empty() {
            errors.push(
                "audience",
                "required: the \"aud\" value the IdP puts in tokens for the controller",
            );
        }
        let mut certificate = None;
        match (&d.cert_pem, &d.jwks_endpoint) {
            (Some(_), Some(_)) => errors.push(
                "certPem",
                "give either a certificate or a JWKS endpoint, not both",
            ),
            (None, None) => errors.push(
                "certPem",
                "a signer needs a key source: a certificate or a JWKS endpoint",
            ),
            // An oversized PEM was refused above; parsing it would cost more than it tells.
            (Some(pem), None) if pem.len() > limits::PEM_MAX_BYTES => {}
            (Some(pem), None) => match CertificateDetails::from_pem(pem) {
                Ok(details) => certificate = Some(details),
                Err(message) => errors.push("certPem", message),
            },
            (None, Some(url)) => {
                if let Err(message) = check_url(url, true) {
                    errors.push("jwksEndpoint", message);
                }
            }
        }
        if let Some(url) = &d.external_auth_url
            && let Err(message) = check_url(url, false)
        {
            errors.push("externalAuthUrl", message);
        }
        if let Err(message) = pointer::check_syntax(&d.claims_property) {
            errors.push("claimsProperty", message);
        }
        if let Err(message) = pointer::check_syntax(&d.enroll_name_claims_selector) {
            errors.push("enrollNameClaimsSelector", message);
        }
        errors.into_result(ValidSigner {
            draft: d,
            certificate,
        })
    }
}

/// Warnings for values that hold invisible or bidi characters (allowed, but they may not be
/// what they look like), for `show` and the detail view.
pub fn lookalike_warnings(d: &SignerDraft) -> Vec<String> {
    [
        ("issuer", Some(&d.issuer)),
        ("audience", Some(&d.audience)),
        ("kid", d.kid.as_ref()),
        ("claimsProperty", Some(&d.claims_property)),
        ("jwksEndpoint", d.jwks_endpoint.as_ref()),
        ("clientId", d.client_id.as_ref()),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.and_then(|v| limits::lookalike_warning(label, v)))
    .collect()
}

/// Checks a URL: http or https with a host; for JWKS endpoints, a literal host address must not
/// be in a refused range.
pub fn check_url(raw: &str, is_jwks: bool) -> Result<(), String> {
    let url = url::Url::parse(raw).map_err(|e| format!("\"{raw}\" is not a URL ({e})"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!(
            "scheme \"{}\" is not allowed; use https:// (or http://)",
            url.scheme()
        ));
    }
    let host = match url.host() {
        Some(host) => host,
        None => return Err(format!("\"{raw}\" has no host")),
    };
    if is_jwks {
        let literal: Option<IpAddr> = match host {
            url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            url::Host::Domain(_) => None,
        };
        if let Some(ip) = literal
            && address::is_refused(ip)
        {
            return Err(format!(
                "{ip} is a link-local, metadata or multicast address, which the controller refuses to fetch keys from"
            ));
        }
    }
    Ok(())
}

/// The columns of the signers table: what a list needs, without certificate bodies, so that
/// 100 000 signers fit in a few tens of MiB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerSummary {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Issuer.
    pub issuer: String,
    /// Audience.
    pub audience: String,
    /// Enabled.
    pub enabled: bool,
    /// RFC 3339 creation time.
    pub created_at: String,
    /// Certificate expiry (RFC 3339), for certificate signers.
    pub not_after: Option<String>,
    /// True for JWKS signers.
    pub uses_jwks: bool,
}

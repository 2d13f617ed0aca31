//! The JWT Signers tab: its columns, its form and its detail view.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use serde_json::Value;

use super::entity::{Descriptor, DetailContext, Entity, SaveFailure, field_lines};
use super::form::{FieldKind, FieldSpec, Form};
use super::table::{CellContext, Column, Width};
use super::theme::{Theme, untrusted, untrusted_styled};
use crate::model::{Signer, SignerDraft, SignerSummary, TargetToken};
use crate::store::{Store, StoreError};

/// The signers' descriptor for the generic entity table.
pub struct Signers;

impl Descriptor for Signers {
    type Row = SignerSummary;
    const ENTITY: Entity = Entity::Signer;
    const TITLE: &'static str = "JWT Signers";
    const NOUNS: (&'static str, &'static str) = ("signer", "signers");
    const ID_COLUMN: usize = ID_COLUMN;

    fn columns() -> &'static [Column<SignerSummary>] {
        &COLUMNS
    }

    fn contexts() -> &'static [super::keymap::Context] {
        &[super::keymap::Context::Signers]
    }

    fn decorate(column: usize, text: &str, theme: &Theme) -> Style {
        decorate(column, text, theme)
    }

    fn load(store: &Store, push: &mut dyn FnMut(&SignerSummary)) -> Result<(), StoreError> {
        store.for_each_signer_summary(|s| {
            push(&s);
            Ok::<(), StoreError>(())
        })
    }

    fn new_form(_store: &Store) -> Result<Form, StoreError> {
        Ok(form_for("New signer".into(), &SignerDraft::default()))
    }

    fn edit_form(store: &Store, id: &str) -> Result<(Form, i64), StoreError> {
        let s = store
            .signer_by_id(id)?
            .ok_or_else(|| StoreError::NotFound {
                entity: "signer",
                key: id.to_string(),
            })?;
        Ok((
            form_for(format!("Edit signer {}", s.draft.name), &s.draft),
            s.version,
        ))
    }

    fn save(
        store: &mut Store,
        form: &Form,
        editing: Option<&(String, i64)>,
    ) -> Result<(String, String), SaveFailure> {
        let draft = draft_from(form).map_err(SaveFailure::Fields)?;
        let own_id = editing.map(|(id, _)| id.as_str());
        let taken = store
            .signer_conflicts(own_id, &draft)
            .map_err(SaveFailure::Store)?;
        let valid = SaveFailure::check(|| draft.validate(), taken, |f| form_key(f, form))?;
        match editing {
            None => store.create_signer(&valid),
            Some((id, version)) => store.update_signer(id, *version, &valid),
        }
        .map(|s| (s.id, s.draft.name))
        .map_err(SaveFailure::Store)
    }

    fn form_key(field: &'static str, form: &Form) -> &'static str {
        form_key(field, form)
    }

    fn delete_question(store: &Store, id: &str) -> Result<Option<String>, StoreError> {
        Ok(store
            .signer_by_id(id)?
            .map(|s| format!("Delete signer {} ({})?", s.draft.name, s.draft.issuer)))
    }

    fn delete(store: &mut Store, id: &str) -> Result<(), StoreError> {
        store.delete_signer(id)
    }

    fn detail(
        store: &Store,
        id: &str,
        ctx: &DetailContext<'_>,
    ) -> Result<Option<(String, Vec<Line<'static>>)>, StoreError> {
        let Some(s) = store.signer_by_id(id)? else {
            return Ok(None);
        };
        let mut lines = detail_lines(&s, ctx.now, ctx.theme, ctx.last_change.clone());
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Auth policies that name this signer",
            ctx.theme.header(),
        )));
        match store.policies_naming_signer(id) {
            Ok(uses) if uses.is_empty() => lines.push(Line::from(Span::styled(
                "  none (policies with no allowed signers accept it too)",
                ctx.theme.muted(),
            ))),
            Ok(uses) => lines.extend(
                uses.into_iter()
                    .map(|u| Line::from(untrusted(format!("  {:<18} ({})", u.policy, u.place)))),
            ),
            Err(e) => lines.push(Line::from(untrusted_styled(
                format!("  cannot read the auth policies: {e}"),
                ctx.theme.error(),
            ))),
        }
        Ok(Some((format!(" Signer {} ", s.draft.name), lines)))
    }
}

/// Days before expiry at which a certificate is marked.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

fn expiry_mark(s: &SignerSummary, ctx: &CellContext) -> String {
    let Some(not_after) = s.not_after.as_deref() else {
        return String::new();
    };
    match DateTime::parse_from_rfc3339(not_after) {
        Ok(t) => {
            let days = (t.with_timezone(&Utc) - ctx.now).num_days();
            if t.with_timezone(&Utc) <= ctx.now {
                "✗ expired".into()
            } else if days < EXPIRY_WARNING_DAYS {
                format!("⚠ {days}d")
            } else {
                String::new()
            }
        }
        Err(_) => String::new(),
    }
}

/// The console's columns: Name, Issuer, Audience, Enabled, Created At, ID, and the certificate
/// expiry mark.
pub static COLUMNS: [Column<SignerSummary>; 7] = [
    Column {
        title: "Name",
        width: Width::new(6, 40, 0),
        cell: |s, _| s.name.clone(),
    },
    Column {
        title: "Issuer",
        width: Width::new(12, u16::MAX, 1).middle(),
        cell: |s, _| s.issuer.clone(),
    },
    Column {
        title: "Audience",
        width: Width::new(8, 30, 2),
        cell: |s, _| s.audience.clone(),
    },
    Column {
        title: "Enabled",
        width: Width::fixed(7, 3),
        cell: |s, _| {
            if s.enabled {
                "✓ yes".into()
            } else {
                "✗ no".into()
            }
        },
    },
    Column {
        title: "Created At",
        width: Width::new(10, 16, 5).prefix(10),
        cell: |s, _| created_at_cell(&s.created_at),
    },
    Column {
        title: "ID",
        width: Width::new(9, 36, 6).middle(),
        cell: |s, _| s.id.clone(),
    },
    Column {
        title: "Cert",
        width: Width::fixed(9, 4).hide_empty(),
        cell: expiry_mark,
    },
];

/// "2026-11-30 07:04" from an RFC 3339 time.
pub fn created_at_cell(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replacen('T', " ", 1)
}

/// The column holding ids.
pub const ID_COLUMN: usize = 5;

/// Styles the Enabled and Cert cells by what they say.
pub fn decorate(column: usize, text: &str, theme: &Theme) -> Style {
    match column {
        3 if text.starts_with('✗') => theme.error(),
        3 => theme.ok(),
        6 if text.starts_with('✗') => theme.error(),
        6 if text.starts_with('⚠') => theme.warn(),
        _ => Style::default(),
    }
}

const KEY_SOURCES: &[&str] = &["Certificate", "JWKS endpoint"];

/// What the form shows under the certificate once it parses: whose it is, its fingerprint
/// (what the controller matches a token's `kid` against when the kid is empty) and its dates.
fn certificate_note(pem: &str) -> Option<String> {
    let c = crate::model::CertificateDetails::from_pem(pem).ok()?;
    Some(format!(
        "✓ CN {} · SHA-1 {} · valid {} to {}",
        c.common_name.as_deref().unwrap_or("(none)"),
        c.fingerprint,
        c.not_before.format("%Y-%m-%d"),
        c.not_after.format("%Y-%m-%d"),
    ))
}

/// The target-token choices, from the model.
const TARGET_TOKENS: &[&str] = &crate::model::TargetToken::NAMES;

/// Every signer field of design §2, advanced enrollment fields folded.
pub const FORM_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("name", "Name", FieldKind::Text, "okta").required(),
    FieldSpec::new(
        "issuer",
        "Issuer",
        FieldKind::Text,
        "https://dev-123.okta.com/oauth2/default",
    )
    .required(),
    FieldSpec::new("audience", "Audience", FieldKind::Text, "api://ziti").required(),
    FieldSpec::new(
        "keySource",
        "Key source",
        FieldKind::Choice(KEY_SOURCES),
        "",
    ),
    FieldSpec::new(
        "certPem",
        "Certificate PEM",
        FieldKind::Multiline,
        "-----BEGIN CERTIFICATE----- … (paste it)",
    )
    .required()
    .with_note(certificate_note),
    FieldSpec::new(
        "jwksEndpoint",
        "JWKS endpoint",
        FieldKind::Text,
        "https://idp.example.com/.well-known/jwks.json",
    )
    .required(),
    FieldSpec::new(
        "kid",
        "Kid",
        FieldKind::Text,
        "okta-key-1 (empty: the certificate fingerprint)",
    )
    .placeholder_when("keySource", 0),
    FieldSpec::new("claimsProperty", "Claims property", FieldKind::Text, "/sub"),
    FieldSpec::new("useExternalId", "Use external ID", FieldKind::Bool, ""),
    FieldSpec::new("enabled", "Enabled", FieldKind::Bool, ""),
    FieldSpec::new(
        "externalAuthUrl",
        "External auth URL",
        FieldKind::Text,
        "https://idp.example.com/authorize",
    ),
    FieldSpec::new("clientId", "Client ID", FieldKind::Text, "0oa1b2c3d4"),
    FieldSpec::new("scopes", "Scopes", FieldKind::Text, "openid, email"),
    FieldSpec::new(
        "targetToken",
        "Target token",
        FieldKind::Choice(TARGET_TOKENS),
        "",
    ),
    FieldSpec::new("tags", "Tags", FieldKind::Text, "team=net, env=prod"),
    FieldSpec::new("advanced", "Enrollment", FieldKind::Fold, ""),
    FieldSpec::new("enrollToCertEnabled", "Enroll to cert", FieldKind::Bool, "").advanced(),
    FieldSpec::new(
        "enrollToTokenEnabled",
        "Enroll to token",
        FieldKind::Bool,
        "",
    )
    .advanced(),
    FieldSpec::new(
        "enrollNameClaimsSelector",
        "Name claims selector",
        FieldKind::Text,
        "/sub",
    )
    .advanced(),
    FieldSpec::new(
        "enrollAttributeClaimsSelector",
        "Attribute claims selector",
        FieldKind::Text,
        "/groups",
    )
    .advanced(),
    FieldSpec::new(
        "enrollAuthPolicyId",
        "Auth policy ID",
        FieldKind::Text,
        "default",
    )
    .advanced(),
];

fn tags_text(tags: &serde_json::Map<String, Value>) -> String {
    tags.iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A form filled from `draft`; `title` says whether it creates or edits.
pub fn form_for(title: String, draft: &SignerDraft) -> Form {
    let mut values: HashMap<&'static str, String> = HashMap::new();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    values.insert("name", draft.name.clone());
    values.insert("issuer", draft.issuer.clone());
    values.insert("audience", draft.audience.clone());
    values.insert(
        "keySource",
        if draft.jwks_endpoint.is_some() {
            KEY_SOURCES[1]
        } else {
            KEY_SOURCES[0]
        }
        .into(),
    );
    values.insert("certPem", opt(&draft.cert_pem));
    values.insert("jwksEndpoint", opt(&draft.jwks_endpoint));
    values.insert("kid", opt(&draft.kid));
    values.insert("claimsProperty", draft.claims_property.clone());
    values.insert("useExternalId", draft.use_external_id.to_string());
    values.insert("enabled", draft.enabled.to_string());
    values.insert("externalAuthUrl", opt(&draft.external_auth_url));
    values.insert("clientId", opt(&draft.client_id));
    values.insert("scopes", draft.scopes.join(", "));
    values.insert("targetToken", draft.target_token.as_str().into());
    values.insert("tags", tags_text(&draft.tags));
    values.insert(
        "enrollToCertEnabled",
        draft.enroll_to_cert_enabled.to_string(),
    );
    values.insert(
        "enrollToTokenEnabled",
        draft.enroll_to_token_enabled.to_string(),
    );
    values.insert(
        "enrollNameClaimsSelector",
        draft.enroll_name_claims_selector.clone(),
    );
    values.insert(
        "enrollAttributeClaimsSelector",
        opt(&draft.enroll_attribute_claims_selector),
    );
    values.insert("enrollAuthPolicyId", draft.enroll_auth_policy_id.clone());
    let mut form = Form::new(title, FORM_FIELDS, &values);
    form.show_when("certPem", "keySource", 0);
    form.show_when("jwksEndpoint", "keySource", 1);
    form
}

/// The draft the form describes, or the field errors of what cannot even be read (tags).
pub fn draft_from(form: &Form) -> Result<SignerDraft, Vec<(&'static str, String)>> {
    let text = |k: &str| form.value(k);
    let opt = |k: &str| {
        let v = form.value(k);
        (!v.trim().is_empty()).then_some(v)
    };
    let mut tags = serde_json::Map::new();
    for part in text("tags")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                tags.insert(k.trim().to_string(), Value::String(v.trim().to_string()));
            }
            _ => {
                return Err(vec![(
                    "tags",
                    format!("\"{part}\" is not key=value; separate tags with commas"),
                )]);
            }
        }
    }
    let uses_jwks = text("keySource") == KEY_SOURCES[1];
    Ok(SignerDraft {
        name: text("name"),
        issuer: text("issuer"),
        audience: text("audience"),
        cert_pem: if uses_jwks { None } else { opt("certPem") },
        jwks_endpoint: if uses_jwks { opt("jwksEndpoint") } else { None },
        kid: opt("kid"),
        claims_property: text("claimsProperty"),
        use_external_id: form.flag("useExternalId"),
        enabled: form.flag("enabled"),
        external_auth_url: opt("externalAuthUrl"),
        client_id: opt("clientId"),
        scopes: text("scopes")
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        target_token: TargetToken::parse(&text("targetToken")).unwrap_or_default(),
        enroll_to_cert_enabled: form.flag("enrollToCertEnabled"),
        enroll_to_token_enabled: form.flag("enrollToTokenEnabled"),
        enroll_name_claims_selector: text("enrollNameClaimsSelector"),
        enroll_attribute_claims_selector: opt("enrollAttributeClaimsSelector"),
        enroll_auth_policy_id: text("enrollAuthPolicyId"),
        tags,
    })
}

/// Maps a validation field to the form row that shows it (the key source rows).
pub fn form_key(field: &'static str, form: &Form) -> &'static str {
    match field {
        "certPem" if form.value("keySource") == KEY_SOURCES[1] => "jwksEndpoint",
        other => other,
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The detail view: every field, the certificate's facts or the JWKS endpoint, tags, times.
pub fn detail_lines(
    s: &Signer,
    now: DateTime<Utc>,
    theme: &Theme,
    last_change: Option<String>,
) -> Vec<Line<'static>> {
    let d = &s.draft;
    let mut rows: Vec<(&str, Span<'static>)> = vec![
        ("Name", untrusted(d.name.clone())),
        ("ID", untrusted(s.id.clone())),
        ("Issuer", untrusted(d.issuer.clone())),
        ("Audience", untrusted(d.audience.clone())),
        (
            "Enabled",
            if d.enabled {
                Span::styled("✓ yes", theme.ok())
            } else {
                Span::styled("✗ no (rejects every token)", theme.error())
            },
        ),
    ];
    match (&d.jwks_endpoint, s.certificate()) {
        (Some(url), _) => rows.push(("JWKS endpoint", untrusted(url.clone()))),
        (None, Some(cert)) => {
            rows.push((
                "Certificate CN",
                untrusted(cert.common_name.clone().unwrap_or_else(|| "(none)".into())),
            ));
            rows.push(("SHA-1 fingerprint", untrusted(cert.fingerprint.clone())));
            rows.push((
                "Valid from",
                untrusted(cert.not_before.format("%Y-%m-%d %H:%M UTC").to_string()),
            ));
            let days = cert.days_until_expiry(now);
            let until = cert.not_after.format("%Y-%m-%d %H:%M UTC").to_string();
            let span = if cert.not_after <= now {
                untrusted_styled(
                    format!("{until}  ✗ expired {} days ago", -days),
                    theme.error(),
                )
            } else if days < EXPIRY_WARNING_DAYS {
                untrusted_styled(format!("{until}  ⚠ expires in {days} days"), theme.warn())
            } else {
                untrusted(format!("{until}  (expires in {days} days)"))
            };
            rows.push(("Valid until", span));
        }
        (None, None) => rows.push((
            "Certificate",
            Span::styled("✗ does not parse", theme.error()),
        )),
    }
    let kid = match &d.kid {
        Some(k) => k.clone(),
        None if d.cert_pem.is_some() => "(none: tokens name the certificate fingerprint)".into(),
        None => "(none)".into(),
    };
    rows.extend([
        ("Kid", untrusted(kid)),
        ("Claims property", untrusted(d.claims_property.clone())),
        (
            "Use external ID",
            untrusted(if d.use_external_id {
                "yes: the claim must equal an identity's external ID"
            } else {
                "no: the claim must equal an identity's id"
            }),
        ),
        ("Target token", untrusted(d.target_token.as_str())),
        (
            "External auth URL",
            untrusted(d.external_auth_url.clone().unwrap_or_else(|| "-".into())),
        ),
        (
            "Client ID",
            untrusted(d.client_id.clone().unwrap_or_else(|| "-".into())),
        ),
        (
            "Scopes",
            untrusted(if d.scopes.is_empty() {
                "-".into()
            } else {
                d.scopes.join(", ")
            }),
        ),
        (
            "Tags",
            untrusted(if d.tags.is_empty() {
                "-".into()
            } else {
                tags_text(&d.tags)
            }),
        ),
        (
            "Enroll to cert",
            untrusted(yes_no(d.enroll_to_cert_enabled)),
        ),
        (
            "Enroll to token",
            untrusted(yes_no(d.enroll_to_token_enabled)),
        ),
        (
            "Name claims selector",
            untrusted(d.enroll_name_claims_selector.clone()),
        ),
        (
            "Attribute selector",
            untrusted(
                d.enroll_attribute_claims_selector
                    .clone()
                    .unwrap_or_else(|| "-".into()),
            ),
        ),
        ("Auth policy ID", untrusted(d.enroll_auth_policy_id.clone())),
        ("Created at", untrusted(s.created_at.clone())),
        ("Updated at", untrusted(s.updated_at.clone())),
        ("Version", untrusted(s.version.to_string())),
    ]);
    if let Some(change) = last_change {
        rows.push(("Last changed", untrusted(change)));
    }
    field_lines(rows, theme)
}

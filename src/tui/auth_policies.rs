//! The Auth Policies tab: its columns, its form (signers chosen from the store, never typed
//! ids) and its detail view, as a descriptor of the generic entity table.

use std::collections::HashMap;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::entity::{Descriptor, DetailContext, Entity, SaveFailure, field_lines};
use super::form::{FieldKind, FieldSpec, Form};
use super::table::{Column, Width};
use super::theme::{Theme, untrusted, untrusted_styled};
use crate::model::{AuthPolicy, AuthPolicyDraft};
use crate::store::{Store, StoreError};

/// One table row: the policy and what its cells show of other rows.
pub struct PolicyRow {
    /// The policy.
    pub policy: AuthPolicy,
    /// Its allowed signers by name, "any" when empty.
    pub signers: String,
    /// Its secondary requirements, "-" when none.
    pub secondary: String,
    /// How many identities use it.
    pub identities: i64,
}

fn yes_no(flag: bool) -> String {
    if flag { "yes".into() } else { "✗ no".into() }
}

/// Name, Ext-JWT, Allowed signers, Secondary, Identities, Created At, ID.
pub static COLUMNS: [Column<PolicyRow>; 7] = [
    Column {
        title: "Name",
        width: Width::new(8, 40, 0),
        cell: |r, _| r.policy.draft.name.clone(),
    },
    Column {
        title: "Ext-JWT",
        width: Width::fixed(7, 2),
        cell: |r, _| yes_no(r.policy.draft.primary.ext_jwt.allowed),
    },
    Column {
        title: "Allowed signers",
        width: Width::new(12, u16::MAX, 1),
        cell: |r, _| r.signers.clone(),
    },
    Column {
        title: "Secondary",
        width: Width::new(9, 30, 3),
        cell: |r, _| r.secondary.clone(),
    },
    Column {
        title: "Identities",
        width: Width::fixed(10, 4),
        // Zero-padded so the text sort is the numeric one; trimmed for display below.
        cell: |r, _| format!("{:>10}", r.identities),
    },
    Column {
        title: "Created At",
        width: Width::new(10, 16, 5).prefix(10),
        cell: |r, _| super::signers::created_at_cell(&r.policy.created_at),
    },
    Column {
        title: "ID",
        width: Width::new(9, 36, 6).middle(),
        cell: |r, _| r.policy.id.clone(),
    },
];

/// The column holding ids.
pub const ID_COLUMN: usize = 6;

/// The auth policies' descriptor for the generic entity table.
pub struct AuthPolicies;

/// The form's rows; keys are the JSON paths validation and the store name.
pub const FORM_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("name", "Name", FieldKind::Text, "Contractors").required(),
    FieldSpec::new(
        "primary.extJwt.allowed",
        "Ext-JWT allowed",
        FieldKind::Bool,
        "",
    ),
    FieldSpec::new(
        "primary.extJwt.allowedSigners",
        "Allowed signers",
        FieldKind::Many,
        "none chosen: every signer",
    ),
    FieldSpec::new(
        "secondary.requireExtJwtSigner",
        "Second token from",
        FieldKind::Pick,
        "",
    ),
    FieldSpec::new("secondary.requireTotp", "Require TOTP", FieldKind::Bool, ""),
    FieldSpec::new("primary.cert.allowed", "Cert allowed", FieldKind::Bool, ""),
    FieldSpec::new(
        "primary.cert.allowExpiredCerts",
        "Expired certs",
        FieldKind::Bool,
        "",
    ),
    FieldSpec::new(
        "primary.updb.allowed",
        "Password allowed",
        FieldKind::Bool,
        "",
    ),
    FieldSpec::new("advanced", "Password rules", FieldKind::Fold, ""),
    FieldSpec::new(
        "primary.updb.minPasswordLength",
        "Min length",
        FieldKind::Text,
        "5",
    )
    .advanced(),
    FieldSpec::new(
        "primary.updb.maxAttempts",
        "Max attempts",
        FieldKind::Text,
        "0 (unlimited)",
    )
    .advanced(),
    FieldSpec::new(
        "primary.updb.lockoutDurationMinutes",
        "Lockout minutes",
        FieldKind::Text,
        "0 (until unlocked)",
    )
    .advanced(),
    FieldSpec::new(
        "primary.updb.requireSpecialChar",
        "Special character",
        FieldKind::Bool,
        "",
    )
    .advanced(),
    FieldSpec::new(
        "primary.updb.requireNumberChar",
        "Digit",
        FieldKind::Bool,
        "",
    )
    .advanced(),
    FieldSpec::new(
        "primary.updb.requireMixedCase",
        "Mixed case",
        FieldKind::Bool,
        "",
    )
    .advanced(),
];

/// A form filled from `draft`, its signer choices read from the store.
fn form_for(title: String, draft: &AuthPolicyDraft, store: &Store) -> Result<Form, StoreError> {
    // Each row's key is the field's JSON path: its value is read from the draft by that path.
    let fields = draft.fields();
    let values: HashMap<&'static str, String> = FORM_FIELDS
        .iter()
        .filter_map(|spec| {
            let text = match fields.get(spec.key)? {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .filter_map(serde_json::Value::as_str)
                    .collect::<Vec<_>>()
                    .join("\n"),
                other => other.to_string(),
            };
            Some((spec.key, text))
        })
        .collect();
    let mut form = Form::new(title, FORM_FIELDS, &values);
    let signers: Vec<(String, String)> = store
        .list_signer_summaries()?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut second = vec![(String::new(), "(none)".to_string())];
    second.extend(signers.iter().cloned());
    form.set_options("primary.extJwt.allowedSigners", signers);
    form.set_options("secondary.requireExtJwtSigner", second);
    Ok(form)
}

/// The draft the form describes over `base` (the row as read, so fields the form does not
/// show, such as tags, are kept), or the errors of numbers that do not read.
fn draft_from(form: &Form, base: AuthPolicyDraft) -> Result<AuthPolicyDraft, SaveFailure> {
    let mut errors = Vec::new();
    let mut number = |key: &'static str| -> i64 {
        let text = form.value(key);
        match text.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                errors.push((key, format!("\"{}\" is not a whole number", text.trim())));
                0
            }
        }
    };
    let mut d = base;
    d.name = form.value("name");
    d.primary.ext_jwt.allowed = form.flag("primary.extJwt.allowed");
    d.primary.ext_jwt.allowed_signers = form
        .value("primary.extJwt.allowedSigners")
        .lines()
        .map(str::to_string)
        .collect();
    d.secondary.require_ext_jwt_signer =
        Some(form.value("secondary.requireExtJwtSigner")).filter(|v| !v.is_empty());
    d.secondary.require_totp = form.flag("secondary.requireTotp");
    d.primary.cert.allowed = form.flag("primary.cert.allowed");
    d.primary.cert.allow_expired_certs = form.flag("primary.cert.allowExpiredCerts");
    d.primary.updb.allowed = form.flag("primary.updb.allowed");
    d.primary.updb.min_password_length = number("primary.updb.minPasswordLength");
    d.primary.updb.max_attempts = number("primary.updb.maxAttempts");
    d.primary.updb.lockout_duration_minutes = number("primary.updb.lockoutDurationMinutes");
    d.primary.updb.require_special_char = form.flag("primary.updb.requireSpecialChar");
    d.primary.updb.require_number_char = form.flag("primary.updb.requireNumberChar");
    d.primary.updb.require_mixed_case = form.flag("primary.updb.requireMixedCase");
    if errors.is_empty() {
        Ok(d)
    } else {
        Err(SaveFailure::Fields(errors))
    }
}

/// Every signer id a policy names.
fn referenced_signers(p: &AuthPolicy) -> impl Iterator<Item = &String> {
    p.draft
        .primary
        .ext_jwt
        .allowed_signers
        .iter()
        .chain(&p.draft.secondary.require_ext_jwt_signer)
}

/// Signer ids as names, "any" for none.
fn signer_names(names: &HashMap<String, String>, ids: &[String]) -> String {
    if ids.is_empty() {
        return "any".into();
    }
    ids.iter()
        .map(|id| names.get(id).cloned().unwrap_or_else(|| id.clone()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn secondary_text(names: &HashMap<String, String>, p: &AuthPolicyDraft) -> String {
    let mut parts = Vec::new();
    if p.secondary.require_totp {
        parts.push("TOTP".to_string());
    }
    if let Some(id) = &p.secondary.require_ext_jwt_signer {
        parts.push(format!(
            "token from {}",
            signer_names(names, std::slice::from_ref(id))
        ));
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

impl Descriptor for AuthPolicies {
    type Row = PolicyRow;
    const ENTITY: Entity = Entity::AuthPolicy;
    const TITLE: &'static str = "Auth Policies";
    const NOUNS: (&'static str, &'static str) = ("auth policy", "auth policies");
    const ID_COLUMN: usize = ID_COLUMN;

    fn columns() -> &'static [Column<PolicyRow>] {
        &COLUMNS
    }

    fn decorate(column: usize, text: &str, theme: &Theme) -> Style {
        match column {
            1 if text.starts_with('✗') => theme.error(),
            _ => Style::default(),
        }
    }

    fn load(store: &Store, push: &mut dyn FnMut(&PolicyRow)) -> Result<(), StoreError> {
        // Policies are few, signers may be 100 000: only the names the policies use are read.
        let policies = store.list_auth_policies()?;
        let names = store.signer_names(policies.iter().flat_map(referenced_signers))?;
        let counts = store.identity_counts_by_policy()?;
        for policy in policies {
            let row = PolicyRow {
                signers: signer_names(&names, &policy.draft.primary.ext_jwt.allowed_signers),
                secondary: secondary_text(&names, &policy.draft),
                identities: counts.get(&policy.id).copied().unwrap_or(0),
                policy,
            };
            push(&row);
        }
        Ok(())
    }

    fn new_form(store: &Store) -> Result<Form, StoreError> {
        form_for("New auth policy".into(), &AuthPolicyDraft::default(), store)
    }

    fn edit_form(store: &Store, id: &str) -> Result<(Form, i64), StoreError> {
        let p = store
            .auth_policy_by_id(id)?
            .ok_or_else(|| StoreError::NotFound {
                entity: "auth policy",
                key: id.to_string(),
            })?;
        let title = format!("Edit auth policy {}", p.draft.name);
        Ok((form_for(title, &p.draft, store)?, p.version))
    }

    fn save(
        store: &mut Store,
        form: &Form,
        editing: Option<&(String, i64)>,
    ) -> Result<(String, String), SaveFailure> {
        let base = match editing {
            Some((id, _)) => store
                .auth_policy_by_id(id)
                .map_err(SaveFailure::Store)?
                .map(|p| p.draft)
                .unwrap_or_default(),
            None => AuthPolicyDraft::default(),
        };
        let draft = draft_from(form, base)?;
        let own_id = editing.map(|(id, _)| id.as_str());
        let taken = store
            .auth_policy_conflicts(own_id, &draft)
            .map_err(SaveFailure::Store)?;
        let draft = SaveFailure::check(|| draft.validate(), taken, |f| f)?;
        let saved = match editing {
            None => store.create_auth_policy(&draft),
            Some((id, version)) => store.update_auth_policy(id, *version, &draft),
        };
        match saved {
            Ok(p) => Ok((p.id, p.draft.name)),
            // A signer deleted while the form was open: shown under its field.
            Err(StoreError::Invalid(errors)) => Err(SaveFailure::Fields(
                errors.0.into_iter().map(|e| (e.field, e.message)).collect(),
            )),
            Err(e) => Err(SaveFailure::Store(e)),
        }
    }

    fn delete_question(store: &Store, id: &str) -> Result<Option<String>, StoreError> {
        Ok(store
            .auth_policy_by_id(id)?
            .map(|p| format!("Delete auth policy {}?", p.draft.name)))
    }

    fn delete(store: &mut Store, id: &str) -> Result<(), StoreError> {
        store.delete_auth_policy(id)
    }

    fn detail(
        store: &Store,
        id: &str,
        ctx: &DetailContext<'_>,
    ) -> Result<Option<(String, Vec<Line<'static>>)>, StoreError> {
        let Some(p) = store.auth_policy_by_id(id)? else {
            return Ok(None);
        };
        let theme = ctx.theme;
        let names = store.signer_names(referenced_signers(&p))?;
        let d = &p.draft;
        let flag = |on: bool, yes: &'static str, no: &'static str| {
            if on {
                Span::styled(yes, theme.ok())
            } else {
                Span::styled(no, theme.error())
            }
        };
        let updb = &d.primary.updb;
        let mut rows: Vec<(&str, Span<'static>)> = vec![
            ("Name", untrusted(d.name.clone())),
            ("ID", untrusted(p.id.clone())),
            (
                "Ext-JWT allowed",
                flag(
                    d.primary.ext_jwt.allowed,
                    "✓ yes",
                    "✗ no (every ext-JWT login is refused)",
                ),
            ),
            (
                "Allowed signers",
                untrusted(
                    match signer_names(&names, &d.primary.ext_jwt.allowed_signers) {
                        any if d.primary.ext_jwt.allowed_signers.is_empty() => {
                            format!("{any} (every signer)")
                        }
                        listed => listed,
                    },
                ),
            ),
            ("Secondary", untrusted(secondary_text(&names, d))),
            (
                "Cert allowed",
                untrusted(
                    match (d.primary.cert.allowed, d.primary.cert.allow_expired_certs) {
                        (true, true) => "yes, expired certificates too",
                        (true, false) => "yes, unexpired certificates only",
                        (false, _) => "no",
                    },
                ),
            ),
            (
                "Password allowed",
                untrusted(if updb.allowed { "yes" } else { "no" }),
            ),
            (
                "Password rules",
                untrusted(format!(
                    "min length {}, max attempts {}, lockout {} min{}{}{}",
                    updb.min_password_length,
                    updb.max_attempts,
                    updb.lockout_duration_minutes,
                    if updb.require_special_char {
                        ", special"
                    } else {
                        ""
                    },
                    if updb.require_number_char {
                        ", digit"
                    } else {
                        ""
                    },
                    if updb.require_mixed_case {
                        ", mixed case"
                    } else {
                        ""
                    },
                )),
            ),
            (
                "Built in",
                untrusted(if p.is_builtin() {
                    "yes (cannot be deleted)"
                } else {
                    "no"
                }),
            ),
            ("Created at", untrusted(p.created_at.clone())),
            ("Updated at", untrusted(p.updated_at.clone())),
            ("Version", untrusted(p.version.to_string())),
        ];
        if let Some(change) = ctx.last_change.clone() {
            rows.push(("Last changed", untrusted(change)));
        }
        let mut lines = field_lines(rows, theme);
        lines.push(Line::from(""));
        const SHOWN: usize = 50;
        match store.identities_on_policy(id, SHOWN) {
            Ok((identities, total)) => {
                lines.push(Line::from(Span::styled(
                    format!("Identities on this policy ({total})"),
                    theme.header(),
                )));
                if identities.is_empty() {
                    lines.push(Line::from(Span::styled("  none", theme.muted())));
                }
                lines.extend(
                    identities
                        .into_iter()
                        .map(|name| Line::from(untrusted(format!("  {name}")))),
                );
                if total as usize > SHOWN {
                    lines.push(Line::from(Span::styled(
                        format!("  … and {} more", total as usize - SHOWN),
                        theme.muted(),
                    )));
                }
            }
            Err(e) => lines.push(Line::from(untrusted_styled(
                format!("cannot read the identities: {e}"),
                theme.error(),
            ))),
        }
        Ok(Some((format!(" Auth policy {} ", d.name), lines)))
    }
}

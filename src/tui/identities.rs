//! The Identities tab: its columns, its form and its detail view.

use std::collections::HashMap;

use ratatui::layout::Constraint;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::form::{FieldKind, FieldSpec, Form};
use super::table::Column;
use super::theme::{Theme, untrusted, untrusted_styled};
use crate::model::{Identity, IdentityDraft, IdentityType, Signer};

/// Name, External ID, Type, Admin, Disabled, Created At, ID.
pub static COLUMNS: [Column<Identity>; 7] = [
    Column {
        title: "Name",
        width: Constraint::Fill(2),
        cell: |i, _| i.draft.name.clone(),
    },
    Column {
        title: "External ID",
        width: Constraint::Fill(3),
        cell: |i, _| i.draft.external_id.clone().unwrap_or_default(),
    },
    Column {
        title: "Type",
        width: Constraint::Length(7),
        cell: |i, _| i.draft.identity_type.as_str().into(),
    },
    Column {
        title: "Admin",
        width: Constraint::Length(5),
        cell: |i, _| {
            if i.draft.is_admin {
                "yes".into()
            } else {
                "no".into()
            }
        },
    },
    Column {
        title: "Disabled",
        width: Constraint::Length(8),
        cell: |i, _| {
            if i.draft.is_disabled_at(chrono::Utc::now()) {
                "✗ yes".into()
            } else {
                "no".into()
            }
        },
    },
    Column {
        title: "Created At",
        width: Constraint::Length(16),
        cell: |i, _| super::signers::created_at_cell(&i.created_at),
    },
    Column {
        title: "ID",
        width: Constraint::Length(10),
        cell: |i, _| i.id.clone(),
    },
];

/// The column holding ids.
pub const ID_COLUMN: usize = 6;

/// Styles the Disabled cell.
pub fn decorate(column: usize, text: &str, theme: &Theme) -> Style {
    match column {
        4 if text.starts_with('✗') => theme.error(),
        _ => Style::default(),
    }
}

const TYPES: &[&str] = &["User", "Device", "Service", "Router", "Default"];

/// The identity form's rows.
pub const FORM_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("name", "Name", FieldKind::Text, "alice"),
    FieldSpec::new(
        "externalId",
        "External ID",
        FieldKind::Text,
        "alice@example.com (the claim value tokens carry)",
    ),
    FieldSpec::new("type", "Type", FieldKind::Choice(TYPES), ""),
    FieldSpec::new("isAdmin", "Admin", FieldKind::Bool, ""),
    FieldSpec::new("disabled", "Disabled", FieldKind::Bool, ""),
    FieldSpec::new(
        "disabledUntil",
        "Disabled until",
        FieldKind::Text,
        "2026-12-24T18:00:00Z (empty: no end)",
    ),
    FieldSpec::new("authPolicyId", "Auth policy ID", FieldKind::Text, "default"),
];

/// A form filled from `draft`.
pub fn form_for(title: String, draft: &IdentityDraft) -> Form {
    let mut values: HashMap<&'static str, String> = HashMap::new();
    values.insert("name", draft.name.clone());
    values.insert("externalId", draft.external_id.clone().unwrap_or_default());
    values.insert("type", draft.identity_type.as_str().into());
    values.insert("isAdmin", draft.is_admin.to_string());
    values.insert("disabled", draft.disabled.to_string());
    values.insert(
        "disabledUntil",
        draft.disabled_until.clone().unwrap_or_default(),
    );
    values.insert("authPolicyId", draft.auth_policy_id.clone());
    Form::new(title, FORM_FIELDS, &values)
}

/// The draft the form describes.
pub fn draft_from(form: &Form) -> IdentityDraft {
    let external = form.value("externalId");
    IdentityDraft {
        name: form.value("name"),
        identity_type: IdentityType::parse(&form.value("type")).unwrap_or_default(),
        is_admin: form.flag("isAdmin"),
        external_id: (!external.is_empty()).then_some(external),
        auth_policy_id: form.value("authPolicyId"),
        disabled: form.flag("disabled") || !form.value("disabledUntil").trim().is_empty(),
        disabled_until: Some(form.value("disabledUntil")).filter(|v| !v.trim().is_empty()),
    }
}

/// The detail view, with the signers whose tokens would map here.
pub fn detail_lines(
    i: &Identity,
    signers: &[Signer],
    theme: &Theme,
    last_change: Option<String>,
) -> Vec<Line<'static>> {
    let d = &i.draft;
    let mut rows: Vec<(&str, Span<'static>)> = vec![
        ("Name", untrusted(d.name.clone())),
        ("ID", untrusted(i.id.clone())),
        (
            "External ID",
            untrusted(d.external_id.clone().unwrap_or_else(|| "(none)".into())),
        ),
        ("Type", untrusted(d.identity_type.as_str())),
        ("Admin", untrusted(if d.is_admin { "yes" } else { "no" })),
        (
            "Disabled",
            match (d.is_disabled_at(chrono::Utc::now()), &d.disabled_until) {
                (true, None) => Span::styled("✗ yes (logins are refused)", theme.error()),
                (true, Some(until)) => Span::styled(
                    format!(
                        "✗ yes, until {} (logins are refused)",
                        crate::text::escape(until)
                    ),
                    theme.error(),
                ),
                (false, Some(until)) if d.disabled => Span::styled(
                    format!("✓ no (lock ended {})", crate::text::escape(until)),
                    theme.ok(),
                ),
                _ => Span::styled("✓ no", theme.ok()),
            },
        ),
        ("Auth policy ID", untrusted(d.auth_policy_id.clone())),
        ("Created at", untrusted(i.created_at.clone())),
        ("Updated at", untrusted(i.updated_at.clone())),
        ("Version", untrusted(i.version.to_string())),
    ];
    if let Some(change) = last_change {
        rows.push(("Last changed", untrusted(change)));
    }
    let mut lines: Vec<Line<'static>> = rows
        .into_iter()
        .map(|(label, value)| {
            Line::from(vec![
                untrusted_styled(format!("{label:>20}  "), theme.header()),
                value,
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Signers whose tokens map here",
        theme.header(),
    )));
    let mut any = false;
    for s in signers {
        let how = if s.draft.use_external_id {
            d.external_id
                .as_ref()
                .map(|x| format!("{} = \"{x}\" (external ID)", s.draft.claims_property))
        } else {
            Some(format!(
                "{} = \"{}\" (identity id)",
                s.draft.claims_property, i.id
            ))
        };
        if let Some(how) = how {
            any = true;
            let state = if s.draft.enabled {
                untrusted("")
            } else {
                Span::styled("  ✗ signer disabled", theme.error())
            };
            lines.push(Line::from(vec![
                untrusted(format!("  {:<18} when ", s.draft.name)),
                untrusted(how),
                state,
            ]));
        }
    }
    if !any {
        lines.push(Line::from(Span::styled(
            "  none: give this identity an external ID, or use a signer with useExternalId off",
            theme.muted(),
        )));
    }
    lines
}

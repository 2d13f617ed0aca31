//! The Identities tab: its columns, its form and its detail view.

use std::collections::HashMap;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::entity::{Descriptor, DetailContext, Entity, SaveFailure, field_lines};
use super::form::{FieldKind, FieldSpec, Form};
use super::table::{Column, Width};
use super::theme::{Theme, untrusted};
use crate::model::{Identity, IdentityDraft, IdentityType, Signer};
use crate::store::{Store, StoreError};

/// The identities' descriptor for the generic entity table.
pub struct Identities;

impl Descriptor for Identities {
    type Row = Identity;
    const ENTITY: Entity = Entity::Identity;
    const TITLE: &'static str = "Identities";
    const NOUNS: (&'static str, &'static str) = ("identity", "identities");
    const ID_COLUMN: usize = ID_COLUMN;

    fn columns() -> &'static [Column<Identity>] {
        &COLUMNS
    }

    fn decorate(column: usize, text: &str, theme: &Theme) -> Style {
        decorate(column, text, theme)
    }

    fn load(store: &Store, push: &mut dyn FnMut(&Identity)) -> Result<(), StoreError> {
        store.for_each_identity(|i| {
            push(&i);
            Ok::<(), StoreError>(())
        })
    }

    fn new_form(store: &Store) -> Result<Form, StoreError> {
        with_policies(
            form_for("New identity".into(), &IdentityDraft::default()),
            store,
        )
    }

    fn edit_form(store: &Store, id: &str) -> Result<(Form, i64), StoreError> {
        let i = store
            .identity_by_id(id)?
            .ok_or_else(|| StoreError::NotFound {
                entity: "identity",
                key: id.to_string(),
            })?;
        let form = form_for(format!("Edit identity {}", i.draft.name), &i.draft);
        Ok((with_policies(form, store)?, i.version))
    }

    fn save(
        store: &mut Store,
        form: &Form,
        editing: Option<&(String, i64)>,
    ) -> Result<(String, String), SaveFailure> {
        let draft = draft_from(form);
        let own_id = editing.map(|(id, _)| id.as_str());
        let taken = store
            .identity_conflicts(own_id, &draft)
            .map_err(SaveFailure::Store)?;
        let draft = SaveFailure::check(|| draft.validate(), taken, |f| f)?;
        match editing {
            None => store.create_identity(&draft),
            Some((id, version)) => store.update_identity(id, *version, &draft),
        }
        .map(|i| (i.id, i.draft.name))
        .map_err(SaveFailure::Store)
    }

    fn delete_question(store: &Store, id: &str) -> Result<Option<String>, StoreError> {
        Ok(store
            .identity_by_id(id)?
            .map(|i| match &i.draft.external_id {
                Some(x) => format!("Delete identity {} (external ID {x})?", i.draft.name),
                None => format!("Delete identity {}?", i.draft.name),
            }))
    }

    fn delete(store: &mut Store, id: &str) -> Result<(), StoreError> {
        store.delete_identity(id)
    }

    fn detail(
        store: &Store,
        id: &str,
        ctx: &DetailContext<'_>,
    ) -> Result<Option<(String, Vec<Line<'static>>)>, StoreError> {
        let Some(i) = store.identity_by_id(id)? else {
            return Ok(None);
        };
        let all = store.list_signers()?;
        let policy = store
            .auth_policy_by_id(&i.draft.auth_policy_id)?
            .map(|p| p.draft.name);
        let lines = detail_lines(&i, &all, policy, ctx);
        Ok(Some((format!(" Identity {} ", i.draft.name), lines)))
    }
}

/// The policy picker's options: every auth policy by name.
fn with_policies(mut form: Form, store: &Store) -> Result<Form, StoreError> {
    let options = store
        .list_auth_policies()?
        .into_iter()
        .map(|p| (p.id, p.draft.name))
        .collect();
    form.set_options("authPolicyId", options);
    Ok(form)
}

/// Name, External ID, Type, Admin, Disabled, Created At, ID.
pub static COLUMNS: [Column<Identity>; 7] = [
    Column {
        title: "Name",
        width: Width::new(6, 40, 0),
        cell: |i, _| i.draft.name.clone(),
    },
    Column {
        title: "External ID",
        width: Width::new(12, u16::MAX, 1).middle(),
        cell: |i, _| i.draft.external_id.clone().unwrap_or_default(),
    },
    Column {
        title: "Type",
        width: Width::fixed(7, 2),
        cell: |i, _| i.draft.identity_type.as_str().into(),
    },
    Column {
        title: "Admin",
        width: Width::fixed(5, 3),
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
        width: Width::fixed(8, 4),
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
        width: Width::new(10, 16, 5).prefix(10),
        cell: |i, _| super::signers::created_at_cell(&i.created_at),
    },
    Column {
        title: "ID",
        width: Width::new(9, 36, 6).middle(),
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

const TYPES: &[&str] = &crate::model::IdentityType::NAMES;

/// The identity form's rows.
pub const FORM_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("name", "Name", FieldKind::Text, "alice").required(),
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
    FieldSpec::new("authPolicyId", "Auth policy", FieldKind::Pick, ""),
    FieldSpec::new(
        "roleAttributes",
        "Role attributes",
        FieldKind::Text,
        "vpn, contractors (comma separated)",
    ),
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
    values.insert("roleAttributes", draft.role_attributes.join(", "));
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
        role_attributes: form
            .value("roleAttributes")
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

/// The detail view, with its auth policy and the signers whose tokens would map here.
pub fn detail_lines(
    i: &Identity,
    signers: &[Signer],
    policy_name: Option<String>,
    ctx: &DetailContext<'_>,
) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let last_change = ctx.last_change.clone();
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
            match (d.is_disabled_at(ctx.now), &d.disabled_until) {
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
        (
            "Auth policy",
            untrusted(match policy_name {
                Some(name) => format!("{name} (id {})", d.auth_policy_id),
                None => d.auth_policy_id.clone(),
            }),
        ),
        (
            "Role attributes",
            untrusted(if d.role_attributes.is_empty() {
                "(none)".to_string()
            } else {
                d.role_attributes.join(", ")
            }),
        ),
        ("Created at", untrusted(i.created_at.clone())),
        ("Updated at", untrusted(i.updated_at.clone())),
        ("Version", untrusted(i.version.to_string())),
    ];
    if let Some(change) = last_change {
        rows.push(("Last changed", untrusted(change)));
    }
    let mut lines = field_lines(rows, theme);
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

//! Changing rows from the console: the forms' open and save flows, and the confirmation that
//! guards deletes and discarded changes. The store does the writing and the model the checking.

use super::app::{App, Confirmation, Entity, FormState, Pending};
use super::{identities, signers};
use crate::store::StoreError;

impl App {
    pub(super) fn refuse_if_readonly(&mut self) -> bool {
        if self.store.is_readonly() {
            self.error("READ-ONLY: changes are disabled (--readonly)");
            true
        } else {
            false
        }
    }

    pub(super) fn open_new_form(&mut self) {
        if self.refuse_if_readonly() {
            return;
        }
        let Some(entity) = self.current_entity() else {
            return;
        };
        let form = match entity {
            Entity::Signer => {
                signers::form_for("New signer".into(), &crate::model::SignerDraft::default())
            }
            Entity::Identity => identities::form_for(
                "New identity".into(),
                &crate::model::IdentityDraft::default(),
            ),
        };
        self.form = Some(FormState {
            form,
            entity,
            editing: None,
        });
    }

    pub(super) fn open_edit_form(&mut self) {
        if self.refuse_if_readonly() {
            return;
        }
        let Some(entity) = self.current_entity() else {
            return;
        };
        let Some(id) = self.target_id() else { return };
        match self.edit_form(entity, &id) {
            Ok(state) => self.form = Some(state),
            Err(e) => self.error(e.to_string()),
        }
    }

    pub(super) fn edit_form(&self, entity: Entity, id: &str) -> Result<FormState, StoreError> {
        let not_found = || StoreError::NotFound {
            entity: entity.noun(),
            key: id.to_string(),
        };
        Ok(match entity {
            Entity::Signer => {
                let s = self.store.signer_by_id(id)?.ok_or_else(not_found)?;
                FormState {
                    form: signers::form_for(format!("Edit signer {}", s.draft.name), &s.draft),
                    entity,
                    editing: Some((s.id, s.version)),
                }
            }
            Entity::Identity => {
                let i = self.store.identity_by_id(id)?.ok_or_else(not_found)?;
                FormState {
                    form: identities::form_for(format!("Edit identity {}", i.draft.name), &i.draft),
                    entity,
                    editing: Some((i.id, i.version)),
                }
            }
        })
    }

    pub(super) fn ask_delete(&mut self) {
        if self.refuse_if_readonly() {
            return;
        }
        let Some(entity) = self.current_entity() else {
            return;
        };
        let Some(id) = self.target_id() else { return };
        let question = match entity {
            Entity::Signer => match self.store.signer_by_id(&id) {
                Ok(Some(s)) => format!("Delete signer {} ({})?", s.draft.name, s.draft.issuer),
                _ => return,
            },
            Entity::Identity => match self.store.identity_by_id(&id) {
                Ok(Some(i)) => match &i.draft.external_id {
                    Some(x) => format!("Delete identity {} (external ID {x})?", i.draft.name),
                    None => format!("Delete identity {}?", i.draft.name),
                },
                _ => return,
            },
        };
        self.confirm = Some(Confirmation {
            question,
            pending: Pending::Delete(entity, id),
        });
    }

    pub(super) fn confirmed(&mut self) {
        let Some(confirmation) = self.confirm.take() else {
            return;
        };
        match confirmation.pending {
            Pending::Delete(entity, id) => {
                let result = match entity {
                    Entity::Signer => self.store.delete_signer(&id),
                    Entity::Identity => self.store.delete_identity(&id),
                };
                match result {
                    Ok(()) => {
                        self.detail = None;
                        self.info(format!(
                            "Deleted: {}",
                            confirmation
                                .question
                                .trim_start_matches("Delete ")
                                .trim_end_matches('?')
                        ));
                        self.reload_or_report();
                        self.rerun_verify();
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            Pending::DiscardForm => self.form = None,
            Pending::QuitDiscarding => self.quit = true,
            Pending::ReloadForm => {
                if let Some(state) = &self.form
                    && let Some((id, _)) = &state.editing
                {
                    match self.edit_form(state.entity, &id.clone()) {
                        Ok(fresh) => {
                            self.form = Some(fresh);
                            self.info("Reloaded the latest version; apply your change again");
                        }
                        Err(e) => self.error(e.to_string()),
                    }
                }
            }
        }
    }

    pub(super) fn save_form(&mut self) {
        let Some(state) = &mut self.form else { return };
        state.form.banner = None;
        let result: Result<(String, String), SaveFailure> = match state.entity {
            Entity::Signer => match signers::draft_from(&state.form) {
                Err(errors) => Err(SaveFailure::Fields(errors)),
                Ok(draft) => match draft.validate() {
                    Err(errors) => Err(SaveFailure::Fields(
                        errors
                            .0
                            .into_iter()
                            .map(|e| (signers::form_key(e.field, &state.form), e.message))
                            .collect(),
                    )),
                    Ok(valid) => match &state.editing {
                        None => self.store.create_signer(&valid),
                        Some((id, version)) => self.store.update_signer(id, *version, &valid),
                    }
                    .map(|s| (s.id, s.draft.name))
                    .map_err(SaveFailure::Store),
                },
            },
            Entity::Identity => match identities::draft_from(&state.form).validate() {
                Err(errors) => Err(SaveFailure::Fields(
                    errors.0.into_iter().map(|e| (e.field, e.message)).collect(),
                )),
                Ok(draft) => match &state.editing {
                    None => self.store.create_identity(&draft),
                    Some((id, version)) => self.store.update_identity(id, *version, &draft),
                }
                .map(|i| (i.id, i.draft.name))
                .map_err(SaveFailure::Store),
            },
        };
        let entity = state.entity;
        match result {
            Ok((id, name)) => {
                let verb = if state.editing.is_some() {
                    "Saved"
                } else {
                    "Created"
                };
                self.form = None;
                self.reload_or_report();
                match entity {
                    Entity::Signer => {
                        self.signers.select_id(&id);
                    }
                    Entity::Identity => {
                        self.identities.select_id(&id);
                    }
                }
                self.info(format!("{verb} {} {name}", entity.noun()));
                self.rerun_verify();
            }
            Err(SaveFailure::Fields(errors)) => {
                state.form.set_errors(errors);
                state.form.banner =
                    Some("Not saved: fix the fields marked ✗ (your typing is kept)".into());
            }
            Err(SaveFailure::Store(StoreError::Conflict { field, message })) => {
                let key = if entity == Entity::Signer {
                    signers::form_key(field, &state.form)
                } else {
                    field
                };
                state.form.set_errors([(key, message)]);
                state.form.banner = Some("Not saved: a value is already taken".into());
            }
            Err(SaveFailure::Store(e)) if e.is_stale() => {
                state.form.banner = Some(e.to_string());
                self.confirm = Some(Confirmation {
                    question: format!("{e}. Reload it now (your edits in this form are dropped)?"),
                    pending: Pending::ReloadForm,
                });
            }
            Err(SaveFailure::Store(e)) => state.form.banner = Some(e.to_string()),
        }
    }
}

enum SaveFailure {
    Fields(Vec<(&'static str, String)>),
    Store(StoreError),
}

//! Changing rows from the console: the forms' open and save flows, and the confirmation that
//! guards deletes and discarded changes. The store does the writing and the model the checking.

use super::app::{App, Confirmation, Entity, FormState, Pending};
use super::entity::SaveFailure;
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
        match self.screen(entity).new_form(&self.store) {
            Ok(form) => {
                self.form = Some(FormState {
                    form,
                    entity,
                    editing: None,
                })
            }
            Err(e) => self.error(e.to_string()),
        }
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
        let (form, version) = self.screen(entity).edit_form(&self.store, id)?;
        Ok(FormState {
            form,
            entity,
            editing: Some((id.to_string(), version)),
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
        let question = match self.screen(entity).delete_question(&self.store, &id) {
            Ok(Some(question)) => question,
            Ok(None) => return self.error(format!("This {} no longer exists", entity.noun())),
            Err(e) => return self.error(e.to_string()),
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
                let result = self.screens[entity.index()].delete(&mut self.store, &id);
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
        let entity = state.entity;
        let screen = &self.screens[entity.index()];
        let result = screen.save(&mut self.store, &state.form, state.editing.as_ref());
        match result {
            Ok((id, name)) => {
                let verb = if state.editing.is_some() {
                    "Saved"
                } else {
                    "Created"
                };
                self.form = None;
                self.reload_or_report();
                self.screen_mut(entity).table_mut().select_id(&id);
                self.info(format!("{verb} {} {name}", entity.noun()));
                self.rerun_verify();
            }
            Err(SaveFailure::Fields(errors)) => {
                state.form.set_errors(errors);
                state.form.banner =
                    Some("Not saved: fix the fields marked ✗ (your typing is kept)".into());
            }
            Err(SaveFailure::Store(StoreError::Conflict { field, message })) => {
                let key = screen.form_key(field, &state.form);
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

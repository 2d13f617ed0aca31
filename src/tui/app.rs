//! The console's state and its one update path: terminal event → keymap → [`Action`] →
//! [`App::apply`] → state. Input decoding is in `input`, the edit flows in `editing`, and
//! rendering (in `view`) only reads what is here.

use chrono::{DateTime, Utc};

use super::form::Form;
use super::keymap::{Action, Context};
use super::table::{CellContext, TableModel};
use super::theme::Theme;
use super::verify_pane::VerifyPane;
use super::{identities, signers};
use crate::model::{Identity, SignerSummary};
use crate::store::{Store, StoreError};

/// The tabs, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// 1: JWT Signers.
    Signers,
    /// 2: Identities.
    Identities,
    /// 3: Verify.
    Verify,
}

impl Tab {
    /// Every tab with its title.
    pub const ALL: [(Tab, &'static str); 3] = [
        (Tab::Signers, "JWT Signers"),
        (Tab::Identities, "Identities"),
        (Tab::Verify, "Verify"),
    ];

    fn index(self) -> usize {
        Tab::ALL.iter().position(|(t, _)| *t == self).unwrap_or(0)
    }
}

/// Which kind of row a table, form or detail view is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// A signer.
    Signer,
    /// An identity.
    Identity,
}

impl Entity {
    /// "signer" or "identity".
    pub fn noun(self) -> &'static str {
        match self {
            Entity::Signer => "signer",
            Entity::Identity => "identity",
        }
    }
}

/// Something the confirmation popup will do if the user says yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// Delete this row.
    Delete(Entity, String),
    /// Close the form, losing its changes.
    DiscardForm,
    /// Quit, losing the form's changes.
    QuitDiscarding,
    /// Reload the form from the store (after losing a race).
    ReloadForm,
}

/// A question waiting for y/n.
#[derive(Debug, Clone)]
pub struct Confirmation {
    /// The question, naming the row.
    pub question: String,
    /// What yes does.
    pub pending: Pending,
}

/// An open form.
pub struct FormState {
    /// The fields.
    pub form: Form,
    /// What it edits.
    pub entity: Entity,
    /// `(id, version)` when editing an existing row.
    pub editing: Option<(String, i64)>,
}

/// An open detail view.
pub struct DetailState {
    /// What it shows.
    pub entity: Entity,
    /// Which row.
    pub id: String,
    /// Lines scrolled.
    pub scroll: u16,
    /// Shows the doctor's findings instead of the row's fields.
    pub check: bool,
    /// The title, read from the store when the view opens or the data changes.
    pub title: String,
    /// The content, likewise: drawing a frame never queries the store.
    pub lines: Vec<ratatui::text::Line<'static>>,
}

/// What the runner must do outside the UI state (terminal writes, threads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Put text on the clipboard with OSC 52.
    Copy(String),
    /// Fetch this JWKS URL on a worker thread, then call [`App::fetch_finished`].
    Fetch(String),
}

/// The status line's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// Shown as an error.
    pub is_error: bool,
}

/// Settings the console starts with. (Read-only is the store's own state.)
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Running over a demo database.
    pub demo: bool,
    /// Colours or `NO_COLOR`.
    pub theme: Theme,
    /// Sample tokens, shown in the help and loaded into the verify pane (demo mode).
    pub sample_tokens: Vec<(String, String)>,
    /// Draw once and return (start-up measurements).
    pub exit_after_first_frame: bool,
    /// The key bindings (defaults plus the config file's rebindings).
    pub keymap: super::keymap::Keymap,
    /// Capture the mouse (off: the terminal's own selection works).
    pub mouse: bool,
    /// The controller's JWKS fetch policy, for the Verify pane and the doctor.
    pub jwks_fetch: crate::model::address::JwksFetchPolicy,
}

impl Default for AppOptions {
    /// Colours, the default keys, the mouse on, no demo.
    fn default() -> Self {
        AppOptions {
            demo: false,
            theme: Theme::new(false),
            sample_tokens: Vec::new(),
            exit_after_first_frame: false,
            keymap: super::keymap::Keymap::default(),
            mouse: true,
            jwks_fetch: crate::model::address::JwksFetchPolicy::default(),
        }
    }
}

/// The whole console.
pub struct App {
    pub(super) store: Store,
    pub(super) options: AppOptions,
    pub(super) tab: Tab,
    pub(super) signers: TableModel<SignerSummary>,
    pub(super) identities: TableModel<Identity>,
    pub(super) verify: VerifyPane,
    pub(super) filtering: bool,
    pub(super) detail: Option<DetailState>,
    pub(super) form: Option<FormState>,
    pub(super) confirm: Option<Confirmation>,
    pub(super) help: bool,
    pub(super) help_scroll: u16,
    pub(super) message: Option<Message>,
    pub(super) quit: bool,
    effects: Vec<Effect>,
    fixed_now: Option<DateTime<Utc>>,
}

impl App {
    /// A console over `store`.
    pub fn new(store: Store, options: AppOptions) -> Result<App, StoreError> {
        let verify = VerifyPane::new(&options.sample_tokens, options.jwks_fetch.clone());
        let mut app = App {
            store,
            options,
            tab: Tab::Signers,
            signers: TableModel::new(&signers::COLUMNS, signers::ID_COLUMN, ("signer", "signers")),
            identities: TableModel::new(
                &identities::COLUMNS,
                identities::ID_COLUMN,
                ("identity", "identities"),
            ),
            verify,
            filtering: false,
            detail: None,
            form: None,
            confirm: None,
            help: false,
            help_scroll: 0,
            message: None,
            quit: false,
            effects: Vec::new(),
            fixed_now: None,
        };
        app.reload()?;
        if app.options.demo {
            app.info("Demo database: changes are thrown away on exit. Press 3 to verify a demo token, ? for help.");
        }
        app.rerun_verify();
        Ok(app)
    }

    /// Pins the clock (snapshot tests).
    pub fn set_clock(&mut self, now: DateTime<Utc>) {
        self.fixed_now = Some(now);
        let _ = self.reload();
        self.rerun_verify();
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        self.fixed_now.unwrap_or_else(Utc::now)
    }

    /// The verify pane's verdict line, as shown.
    pub fn verdict_text(&self) -> String {
        self.verify.verdict_text()
    }

    /// True when started only to draw one frame.
    pub fn exits_after_first_frame(&self) -> bool {
        self.options.exit_after_first_frame
    }

    /// True once the user has quit.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Effects queued since the last call.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// The store (tests read the database through it).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The current tab.
    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// The status message.
    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    /// The selected id of a table.
    pub fn selected_id(&self, entity: Entity) -> Option<&str> {
        match entity {
            Entity::Signer => self.signers.selected_id(),
            Entity::Identity => self.identities.selected_id(),
        }
    }

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            is_error: false,
        });
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            is_error: true,
        });
    }

    /// Reloads both tables from the store, keeping selections.
    pub fn reload(&mut self) -> Result<(), StoreError> {
        let ctx = CellContext { now: self.now() };
        // Streamed into table rows: 100 000 signers never sit in memory twice.
        let mut rows = Vec::new();
        let table = &self.signers;
        self.store.for_each_signer_summary(|s| {
            rows.push(table.row(&s, &ctx));
            Ok::<(), StoreError>(())
        })?;
        self.signers.set_rows(rows);
        let identities = self.store.list_identities()?;
        self.identities.set_items(&identities, &ctx);
        if let Some((entity, id, check)) = self
            .detail
            .as_ref()
            .map(|d| (d.entity, d.id.clone(), d.check))
        {
            let (title, lines) = if check {
                self.check_content(&id)
            } else {
                self.detail_content(entity, &id)
            };
            if let Some(detail) = &mut self.detail {
                detail.title = title;
                detail.lines = lines;
            }
        }
        Ok(())
    }

    pub(super) fn reload_or_report(&mut self) {
        if let Err(e) = self.reload() {
            self.error(e.to_string());
        }
    }

    /// The keymap contexts in force, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        if self.confirm.is_some() {
            vec![Context::Confirm]
        } else if self.help {
            vec![Context::Global]
        } else if let Some(state) = &self.form {
            // The focused field decides what Space and the arrows mean.
            if !state.form.focused_is_text() {
                vec![Context::FormChoice, Context::Form]
            } else if state.form.focused_is_multiline() {
                vec![Context::Form]
            } else {
                vec![Context::FormLine, Context::Form]
            }
        } else if self.filtering {
            vec![Context::Filter]
        } else if let Some(detail) = &self.detail {
            if detail.entity == Entity::Signer {
                vec![Context::Detail, Context::Signers, Context::Global]
            } else {
                vec![Context::Detail, Context::Global]
            }
        } else if self.tab == Tab::Verify && self.verify.editing {
            vec![Context::VerifyEdit]
        } else if self.tab == Tab::Verify {
            vec![Context::Verify, Context::Global]
        } else if self.tab == Tab::Signers {
            vec![Context::Table, Context::Signers, Context::Global]
        } else {
            vec![Context::Table, Context::Global]
        }
    }

    /// The row an action is about: the open detail view's, else the table's selection.
    pub(super) fn target_id(&self) -> Option<String> {
        match &self.detail {
            Some(d) => Some(d.id.clone()),
            None => self
                .current_entity()
                .and_then(|e| self.selected_id(e).map(str::to_string)),
        }
    }

    pub(super) fn current_entity(&self) -> Option<Entity> {
        if let Some(d) = &self.detail {
            return Some(d.entity);
        }
        match self.tab {
            Tab::Signers => Some(Entity::Signer),
            Tab::Identities => Some(Entity::Identity),
            Tab::Verify => None,
        }
    }

    fn table_mut(&mut self) -> Option<&mut dyn TableOps> {
        match self.tab {
            Tab::Signers => Some(&mut self.signers),
            Tab::Identities => Some(&mut self.identities),
            Tab::Verify => None,
        }
    }

    /// Carries out one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Quit => {
                if self.form.as_ref().is_some_and(|f| f.form.is_dirty()) {
                    self.confirm = Some(Confirmation {
                        question: "Quit and lose the unsaved changes in this form?".into(),
                        pending: Pending::QuitDiscarding,
                    });
                } else {
                    self.quit = true;
                }
            }
            Action::ToggleHelp => {
                self.help = !self.help;
                self.help_scroll = 0;
            }
            Action::NextTab => self.switch_tab((self.tab.index() + 1) % 3),
            Action::PrevTab => self.switch_tab((self.tab.index() + 2) % 3),
            Action::GoTab(n) => self.switch_tab(n.saturating_sub(1) as usize),
            Action::Up => self.scroll(-1),
            Action::Down => self.scroll(1),
            Action::PageUp => self.scroll(-(self.page_size() as isize)),
            Action::PageDown => self.scroll(self.page_size() as isize),
            Action::Home => {
                if let Some(t) = self.table_mut() {
                    t.home();
                }
            }
            Action::End => {
                if let Some(t) = self.table_mut() {
                    t.end();
                }
            }
            Action::Filter => self.filtering = true,
            Action::Accept => self.filtering = false,
            Action::SortNext => {
                if let Some(t) = self.table_mut() {
                    t.sort_next();
                }
            }
            Action::SortReverse => {
                if let Some(t) = self.table_mut() {
                    t.sort_reverse();
                }
            }
            Action::Open => self.open_detail(),
            Action::CheckSigner => self.open_signer_check(),
            Action::New => self.open_new_form(),
            Action::Edit => self.open_edit_form(),
            Action::Delete => self.ask_delete(),
            Action::CopyId => {
                let id = self.target_id();
                if let Some(id) = id {
                    self.info(format!("Copied {id} to the clipboard (OSC 52)"));
                    self.effects.push(Effect::Copy(id));
                }
            }
            Action::Back => self.back(),
            Action::NextField => self.with_form(|f| f.move_focus(true)),
            Action::PrevField => self.with_form(|f| f.move_focus(false)),
            Action::Toggle => self.with_form(Form::toggle),
            Action::ChoicePrev => self.with_form(|f| f.choose(false)),
            Action::ChoiceNext => self.with_form(|f| f.choose(true)),
            Action::Save => self.save_form(),
            Action::Confirm => self.confirmed(),
            Action::Cancel => self.confirm = None,
            Action::JumpSigner => self.jump_from_verdict(Entity::Signer),
            Action::JumpIdentity => self.jump_from_verdict(Entity::Identity),
            Action::CopyReport => {
                if let Some(json) = self.verify.report_json() {
                    self.effects.push(Effect::Copy(json));
                    self.info("Copied the verification report as JSON (OSC 52)");
                }
            }
            Action::ClearToken => {
                self.verify.clear();
                self.rerun_verify();
            }
            Action::StartEditing => self.verify.editing = true,
            Action::StopEditing => self.verify.editing = false,
            Action::ToggleDecoded => self.verify.show_decoded = !self.verify.show_decoded,
            Action::CancelFetch => {
                if self.verify.cancel_fetch() {
                    self.info("JWKS fetch cancelled; edit the token to try again");
                }
            }
        }
    }

    fn with_form(&mut self, f: impl FnOnce(&mut Form)) {
        if let Some(state) = &mut self.form {
            f(&mut state.form);
        }
    }

    fn switch_tab(&mut self, index: usize) {
        self.tab = Tab::ALL[index.min(2)].0;
        self.detail = None;
        self.filtering = false;
    }

    fn page_size(&self) -> usize {
        match self.tab {
            Tab::Identities => self.identities.page_size(),
            _ => self.signers.page_size(),
        }
    }

    fn scroll(&mut self, delta: isize) {
        if let Some(d) = &mut self.detail {
            d.scroll = (d.scroll as isize + delta).max(0) as u16;
        } else if let Some(t) = self.table_mut() {
            t.move_by(delta);
        }
    }

    fn back(&mut self) {
        if self.detail.is_some() {
            self.detail = None;
        } else if let Some(state) = &self.form {
            if state.form.is_dirty() {
                self.confirm = Some(Confirmation {
                    question: "Discard the unsaved changes in this form?".into(),
                    pending: Pending::DiscardForm,
                });
            } else {
                self.form = None;
            }
        } else {
            self.filtering = false;
            self.set_table_filter("");
        }
    }

    fn open_detail(&mut self) {
        let Some(entity) = self.current_entity() else {
            return;
        };
        if let Some(id) = self.selected_id(entity).map(str::to_string) {
            let (title, lines) = self.detail_content(entity, &id);
            self.detail = Some(DetailState {
                entity,
                id,
                scroll: 0,
                check: false,
                title,
                lines,
            });
        }
    }

    /// The doctor's findings for the selected signer. JWKS sets not yet fetched are fetched on
    /// a worker; the view fills in when they arrive.
    fn open_signer_check(&mut self) {
        let Some(id) = self.target_id() else {
            return;
        };
        let Ok(Some(signer)) = self.store.signer_by_id(&id) else {
            return;
        };
        let cache = self.key_cache();
        for url in self
            .store
            .list_signers()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| s.draft.jwks_endpoint)
        {
            if cache.set(&url).is_none() {
                self.effects.push(Effect::Fetch(url));
            }
        }
        let (title, lines) = self.check_content(&signer.id);
        self.detail = Some(DetailState {
            entity: Entity::Signer,
            id: signer.id,
            scroll: 0,
            check: true,
            title,
            lines,
        });
    }

    fn jump_from_verdict(&mut self, entity: Entity) {
        let id = match entity {
            Entity::Signer => self.verify.signer_id(),
            Entity::Identity => self.verify.identity_id(),
        };
        let Some(id) = id else {
            self.error(format!("The token maps to no {}", entity.noun()));
            return;
        };
        let (tab, table): (Tab, &mut dyn TableOps) = match entity {
            Entity::Signer => (Tab::Signers, &mut self.signers),
            Entity::Identity => (Tab::Identities, &mut self.identities),
        };
        table.clear_filter();
        table.select(&id);
        self.tab = tab;
        self.detail = None;
    }

    /// Runs verification on the pane's token again (after an edit, a save, a fetch).
    pub fn rerun_verify(&mut self) {
        let now = self.now();
        if let Some(url) = self.verify.rerun(&self.store, now) {
            self.effects.push(Effect::Fetch(url));
        }
    }

    /// A worker's JWKS fetch of `url` has finished (the outcome is in the shared cache).
    pub fn fetch_finished(&mut self, url: &str) {
        if self.verify.fetch_finished(url) {
            self.rerun_verify();
        }
        if let Some(detail) = &self.detail
            && detail.check
        {
            let id = detail.id.clone();
            let (title, lines) = self.check_content(&id);
            if let Some(detail) = &mut self.detail {
                detail.title = title;
                detail.lines = lines;
            }
        }
    }

    /// The pane's key cache, shared with fetch workers.
    pub fn key_cache(&self) -> std::sync::Arc<crate::verify::KeyCache> {
        self.verify.cache()
    }

    /// Advances the spinner while a fetch is pending; true when a redraw is due.
    pub fn tick(&mut self) -> bool {
        self.verify.tick()
    }
}

/// What the app needs of a table regardless of its row type.
trait TableOps {
    fn move_by(&mut self, delta: isize);
    fn home(&mut self);
    fn end(&mut self);
    fn sort_next(&mut self);
    fn sort_reverse(&mut self);
    fn clear_filter(&mut self);
    fn select(&mut self, id: &str);
}

impl<T> TableOps for TableModel<T> {
    fn move_by(&mut self, delta: isize) {
        TableModel::move_by(self, delta)
    }
    fn home(&mut self) {
        TableModel::home(self)
    }
    fn end(&mut self) {
        TableModel::end(self)
    }
    fn sort_next(&mut self) {
        TableModel::sort_next(self)
    }
    fn sort_reverse(&mut self) {
        TableModel::sort_reverse(self)
    }
    fn clear_filter(&mut self) {
        self.set_filter("")
    }
    fn select(&mut self, id: &str) {
        self.select_id(id);
    }
}

//! The console's state and its one update path: terminal event → keymap → [`Action`] →
//! [`App::apply`] → state. Input decoding is in `input`, the edit flows in `editing`, and
//! rendering (in `view`) only reads what is here.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub use super::entity::Entity;
use super::entity::{EntityScreen, EntityTable, TableView};
use super::form::Form;
use super::keymap::{Action, Context};
use super::table::CellContext;
use super::theme::Theme;
use super::verify_pane::VerifyPane;
use super::view::Viewport;
use super::{auth_policies, identities, signers};
use crate::store::{Store, StoreError};

/// The tabs, in order: what a tab shows is an entity's table or the Verify pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// 1: JWT Signers.
    Signers,
    /// 2: Identities.
    Identities,
    /// 3: Verify.
    Verify,
    /// 4: Auth Policies.
    AuthPolicies,
}

impl Tab {
    /// Every tab with its title.
    pub const ALL: [(Tab, &'static str); 4] = [
        (Tab::Signers, "JWT Signers"),
        (Tab::Identities, "Identities"),
        (Tab::Verify, "Verify"),
        (Tab::AuthPolicies, "Auth Policies"),
    ];

    fn index(self) -> usize {
        Tab::ALL.iter().position(|(t, _)| *t == self).unwrap_or(0)
    }

    /// The entity whose table the tab shows (none for Verify).
    pub fn entity(self) -> Option<Entity> {
        match self {
            Tab::Signers => Some(Entity::Signer),
            Tab::Identities => Some(Entity::Identity),
            Tab::AuthPolicies => Some(Entity::AuthPolicy),
            Tab::Verify => None,
        }
    }

    /// The tab showing `entity`'s table.
    pub fn of(entity: Entity) -> Tab {
        Tab::ALL
            .iter()
            .map(|(t, _)| *t)
            .find(|t| t.entity() == Some(entity))
            .unwrap_or(Tab::Signers)
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
    /// One entity table per [`Entity`], in [`Entity::ALL`] order.
    pub(super) screens: [Box<dyn EntityScreen>; 3],
    pub(super) verify: VerifyPane,
    pub(super) filtering: bool,
    pub(super) detail: Option<DetailState>,
    pub(super) form: Option<FormState>,
    pub(super) confirm: Option<Confirmation>,
    pub(super) help: bool,
    pub(super) help_scroll: u16,
    pub(super) message: Option<Message>,
    /// Bumped by every new message: a message nobody renewed during an action fades.
    message_serial: u64,
    message_at: Instant,
    pub(super) quit: bool,
    effects: Vec<Effect>,
    fixed_now: Option<DateTime<Utc>>,
    /// The last frame's layout facts.
    viewport: Viewport,
    /// The database's `data_version` when the tables were last loaded.
    seen_data_version: Option<i64>,
    /// When the Verify pane next verifies again by itself (a time it shows passes).
    verify_due: Option<DateTime<Utc>>,
    /// The last tick reloaded after another session's change.
    data_changed: bool,
}

/// How long a status message stays when nothing else replaces it.
const MESSAGE_LIFETIME: Duration = Duration::from_secs(5);

impl App {
    /// A console over `store`.
    pub fn new(store: Store, options: AppOptions) -> Result<App, StoreError> {
        let labels = super::strings::Keys::new(&options.keymap, &options.theme).pane_labels();
        let verify = VerifyPane::new(&options.sample_tokens, options.jwks_fetch.clone(), labels);
        let mut app = App {
            store,
            options,
            tab: Tab::Signers,
            screens: [
                Box::new(EntityTable::<signers::Signers>::new()),
                Box::new(EntityTable::<identities::Identities>::new()),
                Box::new(EntityTable::<auth_policies::AuthPolicies>::new()),
            ],
            verify,
            filtering: false,
            detail: None,
            form: None,
            confirm: None,
            help: false,
            help_scroll: 0,
            message: None,
            message_serial: 0,
            message_at: Instant::now(),
            quit: false,
            effects: Vec::new(),
            fixed_now: None,
            viewport: Viewport::default(),
            seen_data_version: None,
            verify_due: None,
            data_changed: false,
        };
        debug_assert!(
            Entity::ALL
                .iter()
                .all(|e| app.screens[e.index()].entity() == *e),
            "one screen per entity, in Entity::ALL order"
        );
        app.reload()?;
        if app.options.demo {
            let welcome = app.keys().demo_welcome();
            app.info(welcome);
        }
        app.rerun_verify();
        Ok(app)
    }

    /// Pins the clock (snapshot tests).
    pub fn set_clock(&mut self, now: DateTime<Utc>) {
        self.fixed_now = Some(now);
        self.reload_or_report();
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
        self.screen(entity).table().selected_id()
    }

    pub(super) fn screen(&self, entity: Entity) -> &dyn EntityScreen {
        &*self.screens[entity.index()]
    }

    pub(super) fn screen_mut(&mut self, entity: Entity) -> &mut dyn EntityScreen {
        &mut *self.screens[entity.index()]
    }

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.show(text.into(), false);
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.show(text.into(), true);
    }

    fn show(&mut self, text: String, is_error: bool) {
        self.message = Some(Message { text, is_error });
        self.message_serial += 1;
        self.message_at = Instant::now();
    }

    /// Reloads every table from the store, keeping selections.
    pub fn reload(&mut self) -> Result<(), StoreError> {
        // Read first, so a change committed while the tables load is seen by the next poll.
        self.seen_data_version = Some(self.store.data_version()?);
        let ctx = CellContext { now: self.now() };
        for screen in &mut self.screens {
            screen.reload(&self.store, &ctx)?;
        }
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
        if self.help && self.confirm.is_none() {
            vec![Context::Help]
        } else {
            self.screen_contexts()
        }
    }

    /// True when the console offers `action` at all: no change keys under `--readonly`, no
    /// demo-token key without demo tokens. (Hints and help leave the others out.)
    pub fn offers(&self, action: Action) -> bool {
        match action {
            Action::LoadSample => !self.options.sample_tokens.is_empty(),
            action if action.changes_data() => !self.store.is_readonly(),
            _ => true,
        }
    }

    /// The contexts of the screen under the help overlay (the help lists them first).
    pub(super) fn screen_contexts(&self) -> Vec<Context> {
        if self.confirm.is_some() {
            vec![Context::Confirm]
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
            let mut contexts = vec![Context::Detail];
            contexts.extend(self.screen(detail.entity).contexts());
            contexts.push(Context::Global);
            contexts
        } else if let Some(entity) = self.tab.entity() {
            let mut contexts = vec![Context::Table];
            contexts.extend(self.screen(entity).contexts());
            contexts.push(Context::Global);
            contexts
        } else if self.verify.editing() {
            vec![Context::VerifyEdit]
        } else {
            vec![Context::Verify, Context::Global]
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
        self.tab.entity()
    }

    /// The current tab's table, if it shows one.
    pub(super) fn table_mut(&mut self) -> Option<&mut dyn TableView> {
        let entity = self.tab.entity()?;
        Some(self.screen_mut(entity).table_mut())
    }

    /// The current tab's table, if it shows one.
    pub(super) fn table(&self) -> Option<&dyn TableView> {
        self.tab.entity().map(|e| self.screen(e).table())
    }

    /// Carries out one action. A status message fades at the next action that does not renew
    /// it (a tick only fades it after a few seconds).
    pub fn apply(&mut self, action: Action) {
        let serial = self.message_serial;
        self.update(action);
        if action != Action::Tick && self.message_serial == serial {
            self.message = None;
        }
    }

    fn update(&mut self, action: Action) {
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
            Action::NextTab => self.switch_tab((self.tab.index() + 1) % Tab::ALL.len()),
            Action::PrevTab => {
                self.switch_tab((self.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len())
            }
            Action::GoTab(n) => self.switch_tab(n.saturating_sub(1) as usize),
            action if action.moves() && (self.help || self.detail.is_some()) => {
                self.scroll_overlay(action)
            }
            // Movement, sorting and clicks belong to the screen in front: its component
            // takes them.
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Home
            | Action::End
            | Action::SortNext
            | Action::SortReverse
            | Action::SortBy(_)
            | Action::SelectRow(_) => match self.tab.entity() {
                Some(entity) => {
                    self.screen_mut(entity).update(action);
                }
                None => {
                    self.verify.update(action);
                }
            },
            Action::Reload => {
                self.verify.refetch();
                self.reload_or_report();
                self.rerun_verify();
                if let Some(detail) = &self.detail
                    && detail.check
                {
                    self.open_signer_check();
                }
                self.info("Reloaded from the database; JWKS will be fetched again");
            }
            Action::LoadSample => {
                if self.verify.load_next_sample() {
                    self.rerun_verify();
                }
            }
            Action::Tick => {
                self.on_tick();
            }
            Action::Filter => self.filtering = true,
            Action::Accept => self.filtering = false,
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
            Action::Undo => self.with_form(Form::undo),
            Action::Confirm => self.confirmed(),
            Action::Cancel => self.confirm = None,
            Action::JumpSigner => self.jump_from_verdict(Entity::Signer),
            Action::JumpIdentity => self.jump_from_verdict(Entity::Identity),
            Action::JumpPolicy => self.jump_from_verdict(Entity::AuthPolicy),
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
            Action::StartEditing | Action::StopEditing | Action::ToggleDecoded => {
                self.verify.update(action);
            }
            Action::CancelFetch => {
                if self.verify.cancel_fetch() {
                    let retry = self
                        .options
                        .keymap
                        .label_for(Context::Verify, Action::Reload)
                        .map(|key| format!("; press {key} to try again"))
                        .unwrap_or_default();
                    self.info(format!("JWKS fetch cancelled{retry}"));
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
        self.tab = Tab::ALL[index.min(Tab::ALL.len() - 1)].0;
        self.detail = None;
        self.filtering = false;
    }

    /// Scrolls the help or the open detail view, as far as the last frame says there is to
    /// scroll (a page is what it showed).
    fn scroll_overlay(&mut self, action: Action) {
        let (max, page) = if self.help {
            self.viewport.help
        } else {
            self.viewport.detail
        };
        let delta = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -(page.max(1) as isize),
            Action::PageDown => page.max(1) as isize,
            Action::Home => isize::MIN / 2,
            _ => isize::MAX / 2,
        };
        let by = |at: u16| (at as isize + delta).clamp(0, max as isize) as u16;
        if self.help {
            self.help_scroll = by(self.help_scroll);
        } else if let Some(d) = &mut self.detail {
            d.scroll = by(d.scroll);
        }
    }

    /// Takes in the last frame's layout facts: page sizes, scroll positions, hit boxes.
    pub(super) fn apply_viewport(&mut self, viewport: Viewport) {
        if let Some(geometry) = &viewport.table
            && let Some(table) = self.table_mut()
        {
            table.apply_geometry(geometry);
        }
        if let Some(detail) = &mut self.detail {
            detail.scroll = detail.scroll.min(viewport.detail.0);
        }
        self.help_scroll = self.help_scroll.min(viewport.help.0);
        if let (Some(state), Some(scroll)) = (&mut self.form, viewport.form_scroll) {
            state.form.set_scroll(scroll);
        }
        self.viewport = viewport;
    }

    /// The last frame's layout facts (mouse hit boxes).
    pub(super) fn viewport(&self) -> &Viewport {
        &self.viewport
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
            // The Verify pane: Enter expands the selected check.
            self.verify.update(Action::Open);
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
        let (signer, all) = match (self.store.signer_by_id(&id), self.store.list_signers()) {
            (Ok(Some(signer)), Ok(all)) => (signer, all),
            (Ok(None), _) => return self.error("This signer no longer exists"),
            (Err(e), _) | (_, Err(e)) => return self.error(e.to_string()),
        };
        let cache = self.key_cache();
        for url in all.into_iter().filter_map(|s| s.draft.jwks_endpoint) {
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
        let Some(id) = self.verify.bound_id(entity) else {
            self.error(format!("The token maps to no {}", entity.noun()));
            return;
        };
        let table = self.screen_mut(entity).table_mut();
        table.set_filter("");
        table.select_id(&id);
        self.tab = Tab::of(entity);
        self.detail = None;
    }

    /// Runs verification on the pane's token again (after an edit, a save, a fetch).
    pub fn rerun_verify(&mut self) {
        let now = self.now();
        if let Some(url) = self.verify.rerun(&self.store, now) {
            self.effects.push(Effect::Fetch(url));
        }
        self.verify_due = self.verify.next_time_boundary(now);
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

    /// Time passed: the event loop calls this about every [`App::tick_interval`]. Returns
    /// true when the screen changed.
    pub fn tick(&mut self) -> bool {
        let before = (self.message.clone(), self.verdict_text());
        let spinning = self.verify.tick();
        self.apply(Action::Tick);
        spinning || before != (self.message.clone(), self.verdict_text()) || self.data_changed
    }

    /// How often the loop should tick: often while a spinner turns, else often enough to
    /// notice another session's change within a second.
    pub fn tick_interval(&self) -> Duration {
        if self.verify.fetch_pending() {
            Duration::from_millis(120)
        } else {
            Duration::from_millis(400)
        }
    }

    /// A tick: fade an old message, reload when another connection changed the database,
    /// verify again when a time the pane shows has passed.
    fn on_tick(&mut self) {
        self.data_changed = false;
        if self.message.is_some() && self.message_at.elapsed() >= MESSAGE_LIFETIME {
            self.message = None;
        }
        match self.store.data_version() {
            Ok(version) if Some(version) != self.seen_data_version => {
                self.reload_or_report();
                self.rerun_verify();
                self.data_changed = true;
            }
            Ok(_) => {}
            Err(e) => self.error(format!("Watching the database failed: {e}")),
        }
        let now = self.now();
        if self.verify_due.is_some_and(|due| due <= now) {
            self.rerun_verify();
        }
    }
}

//! Input: keys (through the keymap), bracketed pastes and the mouse, turned into actions or
//! typing for whichever field has focus.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

use super::app::{App, Tab};
use super::keymap::Action;

/// The largest paste accepted anywhere in the console.
pub const MAX_PASTE_BYTES: usize = 2 * 1024 * 1024;

impl App {
    /// Handles one terminal event.
    pub fn handle_event(&mut self, event: Event) {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.handle_key(key),
            Event::Paste(text) => self.handle_paste(&text),
            Event::Mouse(mouse) => self.handle_mouse(mouse),
            _ => {}
        }
    }

    /// Handles one key: the keymap turns it into an action for the contexts in force; a key
    /// it does not bind is typing for the field with focus (and closes the help).
    pub fn handle_key(&mut self, key: KeyEvent) {
        let contexts = self.contexts();
        let action = self.options.keymap.lookup(&contexts, &key);
        match action {
            Some(action) => self.apply(action),
            None if self.help => self.apply(Action::ToggleHelp),
            None if self.form.is_some() => self.type_into_form(key),
            None if self.filtering => self.type_into_filter(key),
            None if self.tab == Tab::Verify
                && self.detail.is_none()
                && self.verify.editing()
                && self.verify.type_key(key) =>
            {
                self.rerun_verify()
            }
            None => {}
        }
    }

    pub(super) fn type_into_form(&mut self, key: KeyEvent) {
        if let Some(state) = &mut self.form {
            state.form.type_key(key);
        }
    }

    pub(super) fn type_into_filter(&mut self, key: KeyEvent) {
        let table_filter = self.current_table_filter();
        let mut text = table_filter;
        match key.code {
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => text.push(c),
            KeyCode::Backspace => {
                text.pop();
            }
            _ => return,
        }
        self.set_table_filter(&text);
    }

    /// Sets the current table's filter, as typing after `/` does.
    pub fn set_filter(&mut self, text: &str) {
        self.set_table_filter(text);
    }

    pub(super) fn current_table_filter(&self) -> String {
        self.table()
            .map(|t| t.filter().to_string())
            .unwrap_or_default()
    }

    pub(super) fn set_table_filter(&mut self, text: &str) {
        if let Some(table) = self.table_mut() {
            table.set_filter(text);
        }
    }

    /// A bracketed paste: one event, whatever its length.
    pub fn handle_paste(&mut self, text: &str) {
        // Nothing an admin pastes here is this large (the controller reads tokens up to 1 MiB, a
        // certificate is a few KiB); refusing keeps a stray paste of a log file from filling
        // memory.
        if text.len() > MAX_PASTE_BYTES {
            self.error(format!(
                "Paste of {} KiB refused: tokens are at most 1 MiB and certificates a few KiB",
                text.len() / 1024
            ));
            return;
        }
        if let Some(state) = &mut self.form {
            state.form.paste(text);
        } else if self.filtering {
            let mut filter = self.current_table_filter();
            filter.push_str(text.lines().next().unwrap_or(""));
            self.set_table_filter(&filter);
        } else if self.tab == Tab::Verify && self.detail.is_none() && self.confirm.is_none() {
            self.verify.paste(text);
            self.rerun_verify();
        }
    }

    /// The mouse, as actions: the wheel moves, a click on a header sorts by it
    /// ([`Action::SortBy`]) and a click on a row selects it ([`Action::SelectRow`]), where the
    /// last frame drew them.
    pub(super) fn handle_mouse(&mut self, mouse: crossterm::event::MouseEvent) {
        if self.form.is_some() || self.confirm.is_some() || self.help || self.detail.is_some() {
            return;
        }
        let table_tab = self.tab.entity().is_some();
        let action = match mouse.kind {
            MouseEventKind::ScrollDown if table_tab => Some(Action::Down),
            MouseEventKind::ScrollUp if table_tab => Some(Action::Up),
            MouseEventKind::Down(MouseButton::Left) => {
                self.viewport().table.as_ref().and_then(|geometry| {
                    match (
                        geometry.header_at(mouse.column, mouse.row),
                        geometry.row_at(mouse.row),
                    ) {
                        (Some(column), _) => Some(Action::SortBy(column)),
                        (None, Some(row)) => Some(Action::SelectRow(row)),
                        _ => None,
                    }
                })
            }
            _ => None,
        };
        if let Some(action) = action {
            self.apply(action);
        }
    }
}

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

    /// Handles one key.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if self.help {
            // Any key closes the help, except scrolling it.
            match key.code {
                KeyCode::Down | KeyCode::Char('j') => {
                    self.help_scroll = self.help_scroll.saturating_add(1)
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    self.help_scroll = self.help_scroll.saturating_sub(1)
                }
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    self.apply(Action::Quit)
                }
                _ => self.help = false,
            }
            return;
        }
        let contexts = self.contexts();
        let action = self.options.keymap.lookup(&contexts, &key);
        match action {
            Some(action) => self.apply(action),
            None if self.form.is_some() => self.type_into_form(key),
            None if self.filtering => self.type_into_filter(key),
            None if self.tab == Tab::Verify
                && self.detail.is_none()
                && self.verify.editing
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

    pub(super) fn handle_mouse(&mut self, mouse: crossterm::event::MouseEvent) {
        if self.form.is_some() || self.confirm.is_some() || self.help || self.detail.is_some() {
            return;
        }
        let table_tab = self.tab.entity().is_some();
        match mouse.kind {
            MouseEventKind::ScrollDown if table_tab => self.apply(Action::Down),
            MouseEventKind::ScrollUp if table_tab => self.apply(Action::Up),
            MouseEventKind::Down(MouseButton::Left) => {
                let Some(table) = self.table_mut() else {
                    return;
                };
                match (
                    table.header_at(mouse.column, mouse.row),
                    table.row_at(mouse.row),
                ) {
                    (Some(column), _) => table.sort_by(column),
                    (None, Some(row)) => table.select_position(row),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

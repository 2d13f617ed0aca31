//! User-facing text that names keys. Every key name here comes from the keymap in force and is
//! styled as a key, so a rebinding changes the text together with the handling, and a test can
//! check that every key the screen names is bound where it is shown.

use ratatui::text::{Line, Span};

use super::keymap::{Action, Context, Keymap};
use super::theme::{Theme, untrusted, untrusted_styled};

/// The text editor's own keys: ratatui-textarea's defaults, which the forms' text fields and
/// the token editor use as they are (the keymap binds the rest). The help lists them; they are
/// named here once, from the crate's input handling.
pub const TEXT_EDITING_KEYS: &[(&[&str], &str)] = &[
    (&["←", "→", "Home", "End"], "move along the line"),
    (&["Ctrl-A", "Ctrl-E"], "start, end of the line"),
    (&["Ctrl-←", "Ctrl-→"], "a word back, forward"),
    (&["Backspace", "Delete"], "delete a character"),
    (
        &["Ctrl-W", "Alt-D"],
        "delete the word before, after the cursor",
    ),
    (&["Ctrl-K"], "delete to the end of the line"),
    (
        &["Ctrl-U", "Ctrl-R"],
        "undo, redo (Ctrl-Z also undoes in forms)",
    ),
    (&["Ctrl-Y"], "put back what was deleted"),
];

/// The keymap and theme, for writing text that names keys.
#[derive(Clone, Copy)]
pub struct Keys<'a> {
    /// The bindings in force.
    pub keymap: &'a Keymap,
    /// The styles.
    pub theme: &'a Theme,
}

impl<'a> Keys<'a> {
    /// Text naming keys, over `keymap` and `theme`.
    pub fn new(keymap: &'a Keymap, theme: &'a Theme) -> Keys<'a> {
        Keys { keymap, theme }
    }

    /// The first key of `action` in `context`, styled as a key.
    pub fn key(&self, context: Context, action: Action) -> Option<Span<'static>> {
        self.keymap
            .label_for(context, action)
            .map(|label| Span::styled(label, self.theme.key()))
    }

    /// Every key of `action` in `context`, as styled spans separated by " / ".
    pub fn all(&self, context: Context, action: Action) -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        for label in self.keymap.labels_for(context, action) {
            if !spans.is_empty() {
                spans.push(Span::raw(" / "));
            }
            spans.push(Span::styled(label, self.theme.key()));
        }
        spans
    }

    /// "Terminal too small … press q to quit."
    pub fn too_small(&self, width: u16, height: u16, min: (u16, u16)) -> Line<'static> {
        let mut spans = vec![Span::raw(format!(
            "Terminal too small: {width}x{height}. extjwt needs {}x{}; enlarge the window",
            min.0, min.1
        ))];
        if let Some(key) = self.key(Context::Global, Action::Quit) {
            spans.extend([Span::raw(" or press "), key, Span::raw(" to quit")]);
        }
        spans.push(Span::raw("."));
        Line::from(spans)
    }

    /// An empty table: how to add a row, unless changes are off.
    pub fn empty_table(&self, plural: &str, readonly: bool) -> Line<'static> {
        match self.key(Context::Table, Action::New) {
            Some(key) if !readonly => Line::from(vec![
                Span::raw(format!("No {plural} yet: press ")),
                key,
                Span::raw(" to add one"),
            ]),
            _ if readonly => Line::from(format!(
                "No {plural} yet (read-only: nothing can be added here)"
            )),
            _ => Line::from(format!("No {plural} yet")),
        }
    }

    /// A filter that matches nothing: how to clear it.
    pub fn no_match(&self, plural: &str, filter: &str) -> Line<'static> {
        let mut spans = vec![untrusted(format!("No {plural} match \"{filter}\""))];
        if let Some(key) = self.key(Context::Table, Action::Back) {
            spans.extend([
                Span::raw(": press "),
                key,
                Span::raw(" to clear the filter"),
            ]);
        }
        Line::from(spans)
    }

    /// The table title's filter note: the filter being typed, or the one kept and its clear key.
    pub fn filter_note(&self, count: &str, filter: &str, typing: bool) -> Vec<Span<'static>> {
        let muted = self.theme.muted();
        let mut spans = vec![untrusted_styled(format!(" {count}"), muted)];
        if typing {
            spans.push(untrusted_styled(format!(" /{filter}▏"), muted));
        } else if !filter.is_empty() {
            spans.push(untrusted_styled(format!(" /{filter}"), muted));
            if let Some(key) = self.key(Context::Table, Action::Back) {
                spans.extend([
                    Span::styled(" (", muted),
                    key,
                    Span::styled(" clears)", muted),
                ]);
            }
        }
        spans.push(Span::raw(" "));
        spans
    }

    /// The confirmation's answers: "y: yes    n / Esc / Enter: no".
    pub fn confirm_answers(&self) -> Line<'static> {
        let mut spans = self.all(Context::Confirm, Action::Confirm);
        spans.push(Span::raw(": yes    "));
        spans.extend(self.all(Context::Confirm, Action::Cancel));
        spans.push(Span::raw(": no"));
        Line::from(spans)
    }

    /// The help overlay's title: how to scroll and close it.
    pub fn help_title(&self) -> Line<'static> {
        let header = self.theme.header();
        let mut spans = vec![Span::styled(" Help: ", header)];
        for (action, what) in [
            (Action::Down, " "),
            (Action::Up, " scroll, "),
            (Action::PageDown, " page, "),
        ] {
            if let Some(key) = self.key(Context::Help, action) {
                spans.extend([key, Span::styled(what, header)]);
            }
        }
        if let Some(key) = self.key(Context::Help, Action::ToggleHelp) {
            spans.extend([key, Span::styled(" or any other key closes ", header)]);
        }
        Line::from(spans)
    }

    /// The heading over the demo tokens in the help.
    pub fn demo_tokens_heading(&self) -> Line<'static> {
        let header = self.theme.header();
        let mut spans = vec![Span::styled("Demo tokens", header)];
        if let (Some(tab), Some(load)) = (
            self.key(Context::Global, Action::GoTab(3)),
            self.key(Context::Verify, Action::LoadSample),
        ) {
            spans.extend([
                Span::styled(": press ", header),
                tab,
                Span::styled(", then ", header),
                load,
                Span::styled(" to load them in turn (or copy one and paste it)", header),
            ]);
        }
        Line::from(spans)
    }

    /// The status message a demo console starts with.
    pub fn demo_welcome(&self) -> String {
        let label = |context, action| self.keymap.label_for(context, action);
        match (
            label(Context::Global, Action::GoTab(3)),
            label(Context::Verify, Action::LoadSample),
            label(Context::Global, Action::ToggleHelp),
        ) {
            (Some(tab), Some(load), Some(help)) => {
                format!(
                    "Demo: changes vanish on exit. {tab} then {load}: a demo token; {help}: help"
                )
            }
            _ => "Demo: changes vanish on exit.".into(),
        }
    }

    /// The form's fold row: shown or hidden, and (when it has focus, where the key works)
    /// the key that flips it.
    pub fn fold(&self, expanded: bool, focused: bool) -> Vec<Span<'static>> {
        let muted = self.theme.muted();
        let (state, verb) = if expanded {
            ("▾ shown", " hides)")
        } else {
            ("▸ hidden", " shows)")
        };
        match self.key(Context::FormChoice, Action::Toggle) {
            Some(key) if focused => vec![
                Span::styled(format!("{state} ("), muted),
                key,
                Span::styled(verb, muted),
            ],
            _ => vec![Span::styled(state, muted)],
        }
    }

    /// Titles of the Verify pane's boxes.
    pub fn pane_labels(&self) -> super::verify_pane::PaneLabels {
        let label = |context, action| self.keymap.label_for(context, action);
        let edit = label(Context::Verify, Action::StartEditing);
        let done = self
            .keymap
            .labels_for(Context::VerifyEdit, Action::StopEditing);
        let toggle = label(Context::Verify, Action::ToggleDecoded);
        super::verify_pane::PaneLabels {
            idle_title: match edit {
                Some(key) => format!(" Token ({key} to edit, or paste) "),
                None => " Token (paste one) ".into(),
            },
            editing_title: match done.as_slice() {
                [] => " Token (editing) ".into(),
                keys => format!(" Token (editing: {} when done) ", keys.join(" or ")),
            },
            to_decoded: toggle
                .as_ref()
                .map(|k| format!(" ({k}: decoded token) "))
                .unwrap_or_default(),
            to_checks: toggle
                .map(|k| format!(" ({k}: checks) "))
                .unwrap_or_default(),
            cancel_note: label(Context::Verify, Action::CancelFetch)
                .map(|k| format!(" ({k} cancels)"))
                .unwrap_or_default(),
            retry_note: label(Context::Verify, Action::Reload)
                .map(|k| format!("; press {k} to try again"))
                .unwrap_or_default(),
        }
    }
}

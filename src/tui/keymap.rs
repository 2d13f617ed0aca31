//! The key bindings: one table drives key handling, the `?` help overlay and the hint bar.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What the user asked for, independent of the key that asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Leave (asks first when a form has unsaved changes).
    Quit,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Next tab.
    NextTab,
    /// Previous tab.
    PrevTab,
    /// Tab 1, 2 or 3.
    GoTab(u8),
    /// Selection up.
    Up,
    /// Selection down.
    Down,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// First row.
    Home,
    /// Last row.
    End,
    /// Start typing a filter.
    Filter,
    /// Sort by the next column.
    SortNext,
    /// Reverse the sort.
    SortReverse,
    /// Open the detail view.
    Open,
    /// New row.
    New,
    /// Edit the selected row.
    Edit,
    /// Delete the selected row (asks first).
    Delete,
    /// Copy the selected ID (OSC 52).
    CopyId,
    /// Close the detail view, clear the filter, or cancel.
    Back,
    /// Form: next field.
    NextField,
    /// Form: previous field.
    PrevField,
    /// Form: toggle a boolean or fold.
    Toggle,
    /// Form: previous choice.
    ChoicePrev,
    /// Form: next choice.
    ChoiceNext,
    /// Form: save.
    Save,
    /// Form: undo the last edit of the focused text field (a pasted certificate at once).
    Undo,
    /// Confirmation: yes.
    Confirm,
    /// Confirmation: no.
    Cancel,
    /// Filter: done typing, keep the filter.
    Accept,
    /// Verify: jump to the bound signer.
    JumpSigner,
    /// Verify: jump to the mapped identity.
    JumpIdentity,
    /// Verify: jump to that identity's auth policy.
    JumpPolicy,
    /// Verify: copy the report as JSON.
    CopyReport,
    /// Verify: clear the token.
    ClearToken,
    /// Verify: cancel a pending JWKS fetch.
    CancelFetch,
    /// Verify: type into the token editor.
    StartEditing,
    /// Verify: leave the token editor.
    StopEditing,
    /// Verify: switch between the checks and the decoded token when both do not fit.
    ToggleDecoded,
    /// Signers: run the doctor on the selected signer.
    CheckSigner,
    /// Reload from the database now and refetch JWKS (also retries a cancelled fetch).
    Reload,
    /// Verify: put the next demo token into the pane (demo mode).
    LoadSample,
    /// Mouse: sort by this column (a header click).
    SortBy(usize),
    /// Mouse: select this row of the visible page (a row click).
    SelectRow(usize),
    /// Time passed (the event loop's tick): fades messages, turns the spinner, watches the
    /// database and the verify pane's times.
    Tick,
}

impl Action {
    /// Every action with its name in the config file's `[keys]` table.
    pub const NAMES: [(Action, &'static str); 45] = [
        (Action::Quit, "quit"),
        (Action::ToggleHelp, "help"),
        (Action::NextTab, "next_tab"),
        (Action::PrevTab, "previous_tab"),
        (Action::GoTab(1), "tab_1"),
        (Action::GoTab(2), "tab_2"),
        (Action::GoTab(3), "tab_3"),
        (Action::GoTab(4), "tab_4"),
        (Action::Up, "up"),
        (Action::Down, "down"),
        (Action::PageUp, "page_up"),
        (Action::PageDown, "page_down"),
        (Action::Home, "first"),
        (Action::End, "last"),
        (Action::Filter, "filter"),
        (Action::SortNext, "sort"),
        (Action::SortReverse, "sort_reverse"),
        (Action::Open, "open"),
        (Action::New, "new"),
        (Action::Edit, "edit"),
        (Action::Delete, "delete"),
        (Action::CopyId, "copy_id"),
        (Action::Back, "back"),
        (Action::NextField, "next_field"),
        (Action::PrevField, "previous_field"),
        (Action::Toggle, "toggle"),
        (Action::ChoicePrev, "previous_choice"),
        (Action::ChoiceNext, "next_choice"),
        (Action::Save, "save"),
        (Action::Undo, "undo"),
        (Action::Confirm, "confirm"),
        (Action::Cancel, "cancel"),
        (Action::Accept, "accept_filter"),
        (Action::JumpSigner, "jump_to_signer"),
        (Action::JumpIdentity, "jump_to_identity"),
        (Action::JumpPolicy, "jump_to_auth_policy"),
        (Action::CopyReport, "copy_report"),
        (Action::ClearToken, "clear_token"),
        (Action::CancelFetch, "cancel_fetch"),
        (Action::CheckSigner, "check_signer"),
        (Action::StartEditing, "edit_token"),
        (Action::StopEditing, "stop_editing"),
        (Action::ToggleDecoded, "toggle_decoded"),
        (Action::Reload, "reload"),
        (Action::LoadSample, "load_demo_token"),
    ];

    /// The action a config name stands for.
    pub fn from_name(name: &str) -> Option<Action> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(action, _)| *action)
    }

    /// True for the movement keys (a row, a page, the ends), which scroll whatever is in front.
    pub fn moves(self) -> bool {
        matches!(
            self,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Home
                | Action::End
        )
    }

    /// True for actions that change the database: never offered under `--readonly`.
    pub fn changes_data(self) -> bool {
        matches!(
            self,
            Action::New | Action::Edit | Action::Delete | Action::Save
        )
    }

    /// Its config name.
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(a, _)| *a == self)
            .map_or("", |(_, n)| n)
    }
}

/// Where a binding applies; the first context that binds a key wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Everywhere except while typing.
    Global,
    /// A table has focus.
    Table,
    /// A detail view is open.
    Detail,
    /// The signers table or a signer's detail view (after Table/Detail: their keys come first).
    Signers,
    /// A form is open.
    Form,
    /// A form's focused field is one line of text.
    FormLine,
    /// A form's focused field is yes/no, a choice, or the fold.
    FormChoice,
    /// A confirmation is shown.
    Confirm,
    /// The filter line is being typed.
    Filter,
    /// The verify pane.
    Verify,
    /// The verify pane's token editor has focus.
    VerifyEdit,
    /// The help overlay is open (keys it does not bind close it).
    Help,
}

impl Context {
    /// The heading of this context in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Table => "Tables",
            Context::Detail => "Detail view",
            Context::Signers => "JWT Signers",
            Context::Form => "Forms",
            Context::FormLine => "Forms, on a one-line text field",
            Context::FormChoice => "Forms, on a yes/no or choice field",
            Context::Confirm => "Confirmation",
            Context::Filter => "Filter",
            Context::Verify => "Verify pane",
            Context::VerifyEdit => "Verify pane, editing the token",
            Context::Help => "Help",
        }
    }
}

/// A key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, Alt, Shift.
    pub modifiers: KeyModifiers,
}

const fn plain(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

const fn ch(c: char) -> Key {
    plain(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
    }
}

impl Key {
    /// How the key is written in help and hints.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            _ => "?".into(),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{}", base.to_uppercase())
        } else {
            base
        }
    }

    /// Parses a key as the config file writes it: a character (`q`, `/`, `C`), or a name
    /// (`enter`, `esc`, `tab`, `shift-tab`, `space`, `up`, `down`, `left`, `right`, `pgup`,
    /// `pgdn`, `home`, `end`, `f1`…`f12`), optionally after `ctrl-`.
    pub fn parse(raw: &str) -> Option<Key> {
        let (ctrl_held, name) = match raw.get(..5) {
            Some(prefix) if prefix.eq_ignore_ascii_case("ctrl-") && raw.len() > 5 => {
                (true, &raw[5..])
            }
            _ => (false, raw),
        };
        let mut chars = name.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(if ctrl_held { c.to_ascii_lowercase() } else { c }),
            _ => match name.to_ascii_lowercase().as_str() {
                "enter" => KeyCode::Enter,
                "esc" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "shift-tab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pgup" => KeyCode::PageUp,
                "pgdn" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                f => KeyCode::F(
                    f.strip_prefix('f')?
                        .parse()
                        .ok()
                        .filter(|n| (1..=12).contains(n))?,
                ),
            },
        };
        Some(Key {
            code,
            modifiers: if ctrl_held {
                KeyModifiers::CONTROL
            } else {
                KeyModifiers::NONE
            },
        })
    }

    fn matches(&self, event: &KeyEvent) -> bool {
        // Shift is part of the character for letters (`S` vs `s`), so only Ctrl and Alt are
        // compared, except for keys where Shift is the whole point.
        let mask = KeyModifiers::CONTROL | KeyModifiers::ALT;
        self.code == event.code && (self.modifiers & mask) == (event.modifiers & mask)
    }
}

/// One binding.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Where it applies.
    pub context: Context,
    /// The keys that trigger it.
    pub keys: &'static [Key],
    /// What it does.
    pub action: Action,
    /// The help text.
    pub help: &'static str,
    /// The hint bar text, for the most used bindings.
    pub hint: Option<&'static str>,
}

const fn bind(
    context: Context,
    keys: &'static [Key],
    action: Action,
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        help,
        hint,
    }
}

use Context::*;
use KeyCode::*;

/// Every binding of the console.
pub const BINDINGS: &[Binding] = &[
    // Confirmation first: while it is shown, nothing else answers.
    bind(
        Confirm,
        &[ch('y')],
        Action::Confirm,
        "yes, do it (only y: a reflexive Enter must not delete)",
        Some("yes"),
    ),
    bind(
        Confirm,
        &[ch('n'), plain(Esc), plain(Enter)],
        Action::Cancel,
        "no, go back",
        Some("no"),
    ),
    bind(
        Help,
        &[plain(Down), ch('j')],
        Action::Down,
        "scroll down",
        None,
    ),
    bind(Help, &[plain(Up), ch('k')], Action::Up, "scroll up", None),
    bind(
        Help,
        &[plain(PageDown), ch(' ')],
        Action::PageDown,
        "page down",
        Some("page"),
    ),
    bind(Help, &[plain(PageUp)], Action::PageUp, "page up", None),
    bind(Help, &[plain(Home), ch('g')], Action::Home, "top", None),
    bind(Help, &[plain(End), ch('G')], Action::End, "bottom", None),
    bind(
        Help,
        &[plain(Esc), ch('?'), plain(F(1)), ch('q')],
        Action::ToggleHelp,
        "close the help (so does any key not listed here)",
        Some("close"),
    ),
    bind(Help, &[ctrl('c')], Action::Quit, "quit", None),
    bind(
        Filter,
        &[plain(Enter)],
        Action::Accept,
        "keep the filter and return to the table",
        Some("done"),
    ),
    bind(
        Filter,
        &[plain(Esc)],
        Action::Back,
        "clear the filter",
        Some("clear"),
    ),
    bind(
        Filter,
        &[plain(Down)],
        Action::Down,
        "move down through the matches",
        None,
    ),
    bind(
        Filter,
        &[plain(Up)],
        Action::Up,
        "move up through the matches",
        None,
    ),
    bind(Form, &[ctrl('s')], Action::Save, "save", Some("save")),
    bind(
        Form,
        &[plain(F(1))],
        Action::ToggleHelp,
        "help",
        Some("help"),
    ),
    bind(
        Form,
        &[ctrl('z')],
        Action::Undo,
        "undo the last edit of a text field (a pasted certificate in one step)",
        None,
    ),
    bind(
        Form,
        &[plain(Esc)],
        Action::Back,
        "cancel (asks if there are unsaved changes)",
        Some("cancel"),
    ),
    bind(
        Form,
        &[plain(Tab)],
        Action::NextField,
        "next field",
        Some("next"),
    ),
    bind(
        Form,
        &[plain(BackTab)],
        Action::PrevField,
        "previous field",
        None,
    ),
    // On one-line text and on yes/no or choice fields the arrows also move between fields;
    // in the certificate field they move the cursor, so they are not bound there.
    bind(
        FormLine,
        &[plain(Down), plain(Enter)],
        Action::NextField,
        "next field",
        None,
    ),
    bind(
        FormLine,
        &[plain(Up)],
        Action::PrevField,
        "previous field",
        None,
    ),
    bind(
        FormChoice,
        &[plain(Down), plain(Enter)],
        Action::NextField,
        "next field",
        None,
    ),
    bind(
        FormChoice,
        &[plain(Up)],
        Action::PrevField,
        "previous field",
        None,
    ),
    bind(
        FormChoice,
        &[ch(' ')],
        Action::Toggle,
        "toggle a yes/no field or the advanced section",
        Some("toggle"),
    ),
    bind(
        FormChoice,
        &[plain(Left)],
        Action::ChoicePrev,
        "previous choice",
        None,
    ),
    bind(
        FormChoice,
        &[plain(Right)],
        Action::ChoiceNext,
        "next choice",
        Some("choose"),
    ),
    bind(
        Form,
        &[ctrl('c')],
        Action::Quit,
        "quit (asks about unsaved changes)",
        None,
    ),
    bind(
        VerifyEdit,
        &[plain(Esc), plain(Enter)],
        Action::StopEditing,
        "stop editing the token",
        Some("done"),
    ),
    bind(
        VerifyEdit,
        &[ctrl('g')],
        Action::JumpSigner,
        "go to the bound signer",
        Some("signer"),
    ),
    bind(
        VerifyEdit,
        &[ctrl('o')],
        Action::JumpIdentity,
        "go to the mapped identity",
        Some("identity"),
    ),
    bind(
        VerifyEdit,
        &[ctrl('p')],
        Action::JumpPolicy,
        "go to the identity's auth policy",
        Some("policy"),
    ),
    bind(
        VerifyEdit,
        &[ctrl('y')],
        Action::CopyReport,
        "copy the report as JSON (OSC 52)",
        Some("copy"),
    ),
    bind(
        VerifyEdit,
        &[ctrl('l')],
        Action::ClearToken,
        "clear the token",
        Some("clear"),
    ),
    bind(VerifyEdit, &[plain(F(1))], Action::ToggleHelp, "help", None),
    bind(VerifyEdit, &[ctrl('c')], Action::Quit, "quit", None),
    bind(
        Verify,
        &[ch('i')],
        Action::StartEditing,
        "edit the token (a paste anywhere in the tab replaces it)",
        Some("edit token"),
    ),
    bind(
        Verify,
        &[plain(Enter)],
        Action::Open,
        "expand or fold the selected check's detail",
        Some("expand"),
    ),
    bind(
        Verify,
        &[ch('j'), plain(Down)],
        Action::Down,
        "next check",
        None,
    ),
    bind(
        Verify,
        &[ch('k'), plain(Up)],
        Action::Up,
        "previous check",
        None,
    ),
    bind(
        Verify,
        &[ch('s')],
        Action::JumpSigner,
        "go to the bound signer",
        Some("signer"),
    ),
    bind(
        Verify,
        &[ch('o')],
        Action::JumpIdentity,
        "go to the mapped identity",
        Some("identity"),
    ),
    bind(
        Verify,
        &[ch('p')],
        Action::JumpPolicy,
        "go to the identity's auth policy",
        Some("policy"),
    ),
    bind(
        Verify,
        &[ch('y')],
        Action::CopyReport,
        "copy the report as JSON (OSC 52, same shape as verify --json)",
        Some("copy"),
    ),
    bind(
        Verify,
        &[ch('c'), ctrl('l')],
        Action::ClearToken,
        "clear the token",
        Some("clear"),
    ),
    bind(
        Verify,
        &[ch('v')],
        Action::ToggleDecoded,
        "show checks or the decoded token (narrow terminals)",
        Some("checks/decoded"),
    ),
    bind(
        Verify,
        &[plain(Esc)],
        Action::CancelFetch,
        "cancel a pending JWKS fetch",
        None,
    ),
    bind(
        Verify,
        &[ch('r')],
        Action::Reload,
        "verify again, refetching the JWKS (retries a cancelled fetch)",
        Some("re-run"),
    ),
    bind(
        Verify,
        &[ch('t')],
        Action::LoadSample,
        "put the next demo token into the pane (demo only)",
        Some("demo token"),
    ),
    bind(
        Signers,
        &[ch('c')],
        Action::CheckSigner,
        "check the signer without a token (certificate, key, JWKS as the controller reads it)",
        Some("check"),
    ),
    bind(
        Detail,
        &[ch('q'), plain(Esc), plain(Left)],
        Action::Back,
        "back to the table",
        Some("back"),
    ),
    bind(
        Detail,
        &[ch('r')],
        Action::Reload,
        "reload from the database (and refetch JWKS)",
        None,
    ),
    bind(Detail, &[ch('e')], Action::Edit, "edit", Some("edit")),
    bind(
        Detail,
        &[ch('d')],
        Action::Delete,
        "delete (asks first)",
        Some("delete"),
    ),
    bind(
        Detail,
        &[ch('y')],
        Action::CopyId,
        "copy the ID (OSC 52)",
        Some("copy id"),
    ),
    bind(
        Detail,
        &[ch('j'), plain(Down)],
        Action::Down,
        "scroll down",
        None,
    ),
    bind(Detail, &[ch('k'), plain(Up)], Action::Up, "scroll up", None),
    bind(
        Table,
        &[ch('j'), plain(Down)],
        Action::Down,
        "move down",
        None,
    ),
    bind(Table, &[ch('k'), plain(Up)], Action::Up, "move up", None),
    bind(
        Table,
        &[plain(PageDown), ctrl('d')],
        Action::PageDown,
        "page down",
        None,
    ),
    bind(
        Table,
        &[plain(PageUp), ctrl('u')],
        Action::PageUp,
        "page up",
        None,
    ),
    bind(
        Table,
        &[plain(Home), ch('g')],
        Action::Home,
        "first row",
        None,
    ),
    bind(Table, &[plain(End), ch('G')], Action::End, "last row", None),
    bind(
        Table,
        &[ch('/')],
        Action::Filter,
        "filter (every column, case-insensitive)",
        Some("filter"),
    ),
    bind(Table, &[plain(Esc)], Action::Back, "clear the filter", None),
    bind(
        Table,
        &[ch('s')],
        Action::SortNext,
        "sort by the next column (or click a header)",
        Some("sort"),
    ),
    bind(
        Table,
        &[ch('S')],
        Action::SortReverse,
        "reverse the sort",
        None,
    ),
    bind(
        Table,
        &[plain(Enter)],
        Action::Open,
        "details",
        Some("details"),
    ),
    bind(Table, &[ch('n')], Action::New, "new", Some("new")),
    bind(
        Table,
        &[ch('r')],
        Action::Reload,
        "reload now and refetch JWKS (changes also show by themselves)",
        None,
    ),
    bind(Table, &[ch('e')], Action::Edit, "edit", Some("edit")),
    bind(
        Table,
        &[ch('d')],
        Action::Delete,
        "delete (asks first)",
        Some("delete"),
    ),
    bind(
        Table,
        &[ch('y')],
        Action::CopyId,
        "copy the ID (OSC 52, works over SSH)",
        None,
    ),
    bind(
        Global,
        &[ch('?'), plain(F(1))],
        Action::ToggleHelp,
        "help",
        Some("help"),
    ),
    bind(Global, &[ch('1')], Action::GoTab(1), "JWT Signers", None),
    bind(Global, &[ch('2')], Action::GoTab(2), "Identities", None),
    bind(Global, &[ch('3')], Action::GoTab(3), "Verify", None),
    bind(Global, &[ch('4')], Action::GoTab(4), "Auth Policies", None),
    bind(Global, &[plain(Tab)], Action::NextTab, "next tab", None),
    bind(
        Global,
        &[plain(BackTab)],
        Action::PrevTab,
        "previous tab",
        None,
    ),
    bind(
        Global,
        &[ch('q'), ctrl('c')],
        Action::Quit,
        "quit",
        Some("quit"),
    ),
];

/// The context stacks the console is ever in (most specific first), as `App::contexts`
/// returns them: a key must not mean two things within one of these.
pub const STACKS: &[&[Context]] = &[
    &[Context::Confirm],
    &[Context::Help],
    &[Context::FormChoice, Context::Form],
    &[Context::FormLine, Context::Form],
    &[Context::Filter],
    &[Context::Detail, Context::Signers, Context::Global],
    &[Context::Detail, Context::Global],
    &[Context::VerifyEdit],
    &[Context::Verify, Context::Global],
    &[Context::Table, Context::Signers, Context::Global],
    &[Context::Table, Context::Global],
];

/// The bindings in force: the defaults of [`BINDINGS`] with the config file's rebindings.
/// Key handling, the hint bar and the help overlay all read this one value.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(Binding, Vec<Key>)>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: BINDINGS.iter().map(|b| (*b, b.keys.to_vec())).collect(),
        }
    }
}

impl Keymap {
    /// The defaults with `action`'s keys replaced by `keys` in every context it is bound in.
    /// Err names a key that would then do two things on one screen (in one of the context
    /// stacks the console uses), where one of them could never be reached.
    pub fn rebind(&mut self, action: Action, keys: &[Key]) -> Result<(), String> {
        for (binding, bound) in &mut self.bindings {
            if binding.action == action {
                *bound = keys.to_vec();
            }
        }
        for stack in STACKS {
            let on_screen: Vec<&(Binding, Vec<Key>)> = self
                .bindings
                .iter()
                .filter(|(b, _)| stack.contains(&b.context))
                .collect();
            for (mine, _) in on_screen.iter().filter(|(b, _)| b.action == action) {
                for key in keys {
                    if let Some((other, _)) = on_screen
                        .iter()
                        .find(|(b, bound)| b.action != action && bound.contains(key))
                    {
                        return Err(format!(
                            "{} would do both {} and {} in {} ({})",
                            key.label(),
                            action.name(),
                            other.action.name(),
                            mine.context.title(),
                            other.context.title()
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The action `event` triggers in `contexts` (searched in order), if any.
    pub fn lookup(&self, contexts: &[Context], event: &KeyEvent) -> Option<Action> {
        contexts.iter().find_map(|context| {
            self.bindings
                .iter()
                .filter(|(b, _)| b.context == *context)
                .find(|(_, keys)| keys.iter().any(|k| k.matches(event)))
                .map(|(b, _)| b.action)
        })
    }

    /// `(context, key, label)` for the hint bar of `contexts`, for the actions `offered`
    /// accepts. A binding is offered under its first key that no earlier context takes (so a
    /// detail view, where `q` goes back, never shows `q quit`); actions left without keys are
    /// not.
    pub fn hints(
        &self,
        contexts: &[Context],
        offered: impl Fn(Action) -> bool,
    ) -> Vec<(Context, String, &'static str)> {
        let mut out: Vec<(Context, String, &'static str)> = Vec::new();
        for (depth, context) in contexts.iter().enumerate() {
            for (b, keys) in self.bindings.iter().filter(|(b, _)| b.context == *context) {
                let shadowed = |key: &Key| {
                    self.bindings.iter().any(|(other, bound)| {
                        contexts[..depth].contains(&other.context) && bound.contains(key)
                    })
                };
                if let (Some(hint), Some(key)) = (b.hint, keys.iter().find(|k| !shadowed(k)))
                    && offered(b.action)
                    && !out.iter().any(|(_, _, h)| *h == hint)
                {
                    out.push((*context, key.label(), hint));
                }
            }
        }
        out
    }

    /// Every key bound to `action`, across its contexts, each once.
    pub fn keys_of(&self, action: Action) -> Vec<Key> {
        let mut keys: Vec<Key> = Vec::new();
        for (_, bound) in self.bindings.iter().filter(|(b, _)| b.action == action) {
            for key in bound {
                if !keys.contains(key) {
                    keys.push(*key);
                }
            }
        }
        keys
    }

    /// The keys bound to `action` in `context`, as help and hints write them.
    pub fn label_for(&self, context: Context, action: Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|(b, _)| b.context == context && b.action == action)
            .and_then(|(_, keys)| keys.first())
            .map(Key::label)
    }

    /// Every key bound to `action` in `context`, as help and hints write them.
    pub fn labels_for(&self, context: Context, action: Action) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|(b, _)| b.context == context && b.action == action)
            .flat_map(|(_, keys)| keys.iter().map(Key::label))
            .collect()
    }

    /// The labels of every key that does something in `contexts` (a test checks that each key
    /// a screen names is one of them).
    pub fn bound_labels(&self, contexts: &[Context]) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|(b, _)| contexts.contains(&b.context))
            .flat_map(|(_, keys)| keys.iter().map(Key::label))
            .collect()
    }

    /// The help overlay's sections, a context title and `keys — help` lines each: the
    /// contexts of the current screen (`first`) come first, then every other one; actions
    /// `offered` refuses are left out.
    pub fn help_sections(
        &self,
        first: &[Context],
        offered: impl Fn(Action) -> bool,
    ) -> Vec<(&'static str, Vec<(String, &'static str)>)> {
        let order = [
            Global, Table, Signers, Detail, Form, FormLine, FormChoice, Filter, Confirm, Verify,
            VerifyEdit, Help,
        ];
        let rest = order.iter().filter(|c| !first.contains(c));
        first
            .iter()
            .chain(rest)
            .map(|context| {
                let lines = self
                    .bindings
                    .iter()
                    .filter(|(b, keys)| {
                        b.context == *context && !keys.is_empty() && offered(b.action)
                    })
                    .map(|(b, keys)| {
                        let labels: Vec<String> = keys.iter().map(Key::label).collect();
                        (labels.join(" "), b.help)
                    })
                    .collect();
                (context.title(), lines)
            })
            .filter(|(_, lines): &(_, Vec<_>)| !lines.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_bound_once_per_context() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                if a.context == b.context {
                    for k in a.keys {
                        assert!(
                            !b.keys.contains(k),
                            "{:?} bound twice in {:?}",
                            k,
                            a.context
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_bound_action_has_a_config_name() {
        for b in BINDINGS {
            assert_eq!(
                Action::from_name(b.action.name()),
                Some(b.action),
                "{:?}",
                b.action
            );
        }
    }

    #[test]
    fn keys_parse_as_the_config_writes_them() {
        assert_eq!(Key::parse("ctrl-s"), Some(ctrl('s')));
        assert_eq!(Key::parse("C"), Some(ch('C')));
        assert_eq!(Key::parse("shift-tab"), Some(plain(KeyCode::BackTab)));
        assert_eq!(Key::parse("f1"), Some(plain(KeyCode::F(1))));
        assert_eq!(Key::parse("f13"), None);
        assert_eq!(Key::parse("hyper-x"), None);
    }

    #[test]
    fn a_rebinding_that_clashes_is_refused() {
        let mut keymap = Keymap::default();
        let err = keymap.rebind(Action::CheckSigner, &[ch('n')]).unwrap_err();
        assert!(err.contains("n would do both"), "{err}");
    }

    #[test]
    fn context_order_decides() {
        let keymap = Keymap::default();
        let lookup = |contexts: &[Context], event: &KeyEvent| keymap.lookup(contexts, event);
        let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(lookup(&[Form, Global], &esc), Some(Action::Back));
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(&[Table, Global], &q), Some(Action::Quit));
        assert_eq!(
            lookup(&[Form], &q),
            None,
            "q is typed into a form, not quit"
        );
    }
}

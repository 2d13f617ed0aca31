//! A generic form: labelled rows, one field each; text (one line or many), yes/no, a choice
//! among values, or the fold that hides advanced fields. The screens say which fields exist and
//! how they map to a draft; validation comes from the model, never from here.

use std::collections::HashMap;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui_textarea::TextArea;

use super::theme::{Theme, untrusted, untrusted_styled};

/// What kind of field a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Several lines (a PEM).
    Multiline,
    /// Yes or no.
    Bool,
    /// One of these values.
    Choice(&'static [&'static str]),
    /// One of the rows the store holds (an identity's auth policy), given with
    /// [`Form::set_options`]; its value is the chosen row's id.
    Pick,
    /// Any number of the rows the store holds (a policy's allowed signers), given with
    /// [`Form::set_options`]; its value is the chosen ids, one a line.
    Many,
    /// Shows or hides the advanced fields.
    Fold,
}

/// How a field is described to the form.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// The JSON name of the draft field; validation errors are matched on it.
    pub key: &'static str,
    /// The label.
    pub label: &'static str,
    /// Its kind.
    pub kind: FieldKind,
    /// Hidden until the fold is opened.
    pub advanced: bool,
    /// Shown under an empty field.
    pub placeholder: &'static str,
    /// The placeholder shows only while this choice field has this value (the kid's "empty:
    /// the certificate fingerprint" is true only for certificate signers).
    pub placeholder_when: Option<(&'static str, usize)>,
    /// Marked `*`: saving without it fails.
    pub required: bool,
    /// A line shown under the field about what it holds (a certificate's CN, fingerprint and
    /// validity), when its text is understood.
    pub note: Option<fn(&str) -> Option<String>>,
}

impl FieldSpec {
    /// A field shown from the start.
    pub const fn new(
        key: &'static str,
        label: &'static str,
        kind: FieldKind,
        placeholder: &'static str,
    ) -> FieldSpec {
        FieldSpec {
            key,
            label,
            kind,
            advanced: false,
            placeholder,
            placeholder_when: None,
            required: false,
            note: None,
        }
    }

    /// The same field, marked required.
    pub const fn required(self) -> FieldSpec {
        FieldSpec {
            required: true,
            ..self
        }
    }

    /// The same field, its placeholder shown only while `choice` has value `index`.
    pub const fn placeholder_when(self, choice: &'static str, index: usize) -> FieldSpec {
        FieldSpec {
            placeholder_when: Some((choice, index)),
            ..self
        }
    }

    /// The same field with a note under it about its text.
    pub const fn with_note(self, note: fn(&str) -> Option<String>) -> FieldSpec {
        FieldSpec {
            note: Some(note),
            ..self
        }
    }

    /// The same field, hidden in the folded advanced section.
    pub const fn advanced(self) -> FieldSpec {
        FieldSpec {
            advanced: true,
            ..self
        }
    }
}

/// A row a Pick or Many field offers: (stored value, label shown).
pub type FieldOption = (String, String);

enum FieldValue {
    Text(Box<TextArea<'static>>),
    Bool(bool),
    Choice(usize),
    /// The options, the chosen one, and the value the form opened with (kept until the
    /// options arrive, so it can be chosen then).
    Pick(Vec<FieldOption>, usize, String),
    /// The options, which are chosen, and the option under the cursor.
    Many(Vec<FieldOption>, Vec<bool>, usize, String),
    Fold,
}

struct Field {
    spec: FieldSpec,
    value: FieldValue,
}

/// A form being edited.
pub struct Form {
    /// The popup title ("New signer", "Edit signer okta").
    pub title: String,
    fields: Vec<Field>,
    focus: usize,
    expanded: bool,
    errors: HashMap<&'static str, String>,
    /// A message about the form as a whole (a failed save).
    pub banner: Option<String>,
    initial: Vec<String>,
    /// Rows whose visibility depends on a choice: (field key, choice key, value index).
    conditions: Vec<(&'static str, &'static str, usize)>,
    scroll: u16,
    /// The focused field's text before a paste replaced it: the next undo brings it back in
    /// one step (the editor's own history would take two, the removal and the insertion).
    replaced_by_paste: Option<String>,
}

fn text_area(text: &str, placeholder: &str) -> Box<TextArea<'static>> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.lines().map(str::to_string).collect()
    };
    let mut area = TextArea::new(lines);
    area.set_cursor_line_style(Style::default());
    area.set_cursor_style(Style::default().add_modifier(ratatui::style::Modifier::REVERSED));
    if !placeholder.is_empty() {
        area.set_placeholder_text(format!("e.g. {placeholder}"));
    }
    area.move_cursor(ratatui_textarea::CursorMove::Bottom);
    area.move_cursor(ratatui_textarea::CursorMove::End);
    Box::new(area)
}

impl Form {
    /// A form with these fields and initial values (text for text fields, "true"/"false" for
    /// yes/no, the value itself for choices).
    pub fn new(
        title: String,
        specs: &[FieldSpec],
        initial: &HashMap<&'static str, String>,
    ) -> Form {
        let mut escaped = Vec::new();
        let fields = specs
            .iter()
            .map(|spec| {
                let raw = initial.get(spec.key).map(String::as_str).unwrap_or("");
                let value = match spec.kind {
                    FieldKind::Text | FieldKind::Multiline => {
                        // A stored value may hold characters that would act on the terminal:
                        // the editor shows (and saves) their visible escapes, and says so.
                        let shown: Vec<String> = raw
                            .split('\n')
                            .map(|line| crate::text::escape(line).into_owned())
                            .collect();
                        let shown = shown.join("\n");
                        if shown != raw {
                            escaped.push(spec.key);
                        }
                        FieldValue::Text(text_area(&shown, spec.placeholder))
                    }
                    FieldKind::Bool => FieldValue::Bool(raw == "true"),
                    FieldKind::Choice(options) => {
                        FieldValue::Choice(options.iter().position(|o| *o == raw).unwrap_or(0))
                    }
                    FieldKind::Pick => FieldValue::Pick(Vec::new(), 0, raw.to_string()),
                    FieldKind::Many => FieldValue::Many(Vec::new(), Vec::new(), 0, raw.to_string()),
                    FieldKind::Fold => FieldValue::Fold,
                };
                Field { spec: *spec, value }
            })
            .collect();
        let mut form = Form {
            title,
            fields,
            focus: 0,
            expanded: false,
            errors: HashMap::new(),
            banner: None,
            initial: Vec::new(),
            conditions: Vec::new(),
            scroll: 0,
            replaced_by_paste: None,
        };
        form.initial = form.snapshot();
        for key in escaped {
            form.errors.insert(
                key,
                "held control or invisible characters; they are shown as \\u{..} escapes and saved as shown".into(),
            );
        }
        form
    }

    /// Gives a Pick or Many field its options; the value it opened with stays chosen (a Pick
    /// whose value is not among them starts on the first). Call before any editing: what the
    /// form opened with is recorded again.
    pub fn set_options(&mut self, key: &str, options: Vec<FieldOption>) {
        for field in &mut self.fields {
            if field.spec.key != key {
                continue;
            }
            match &mut field.value {
                FieldValue::Pick(current, index, raw) => {
                    *index = options.iter().position(|(v, _)| v == raw).unwrap_or(0);
                    *current = options.clone();
                }
                FieldValue::Many(current, chosen, _, raw) => {
                    let wanted: Vec<&str> = raw.lines().collect();
                    *chosen = options
                        .iter()
                        .map(|(v, _)| wanted.contains(&v.as_str()))
                        .collect();
                    *current = options.clone();
                }
                _ => {}
            }
        }
        self.initial = self.snapshot();
    }

    /// Shows `field` only while `choice` has the value at `index`.
    pub fn show_when(&mut self, field: &'static str, choice: &'static str, index: usize) {
        self.conditions.push((field, choice, index));
    }

    fn snapshot(&self) -> Vec<String> {
        self.fields.iter().map(|f| self.value_of(f)).collect()
    }

    fn value_of(&self, field: &Field) -> String {
        match &field.value {
            FieldValue::Text(area) => area.lines().join("\n"),
            FieldValue::Bool(b) => b.to_string(),
            FieldValue::Choice(i) => match field.spec.kind {
                FieldKind::Choice(options) => options.get(*i).copied().unwrap_or("").to_string(),
                _ => String::new(),
            },
            FieldValue::Pick(options, i, raw) => match options.get(*i) {
                Some((value, _)) => value.clone(),
                None => raw.clone(),
            },
            FieldValue::Many(options, _, _, raw) if options.is_empty() => raw.clone(),
            FieldValue::Many(options, chosen, _, _) => options
                .iter()
                .zip(chosen)
                .filter(|(_, on)| **on)
                .map(|((value, _), _)| value.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            FieldValue::Fold => String::new(),
        }
    }

    /// The current value of a field, as text.
    pub fn value(&self, key: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.spec.key == key)
            .map(|f| self.value_of(f))
            .unwrap_or_default()
    }

    /// The current value of a yes/no field.
    pub fn flag(&self, key: &str) -> bool {
        self.value(key) == "true"
    }

    /// True when anything differs from the values the form opened with.
    pub fn is_dirty(&self) -> bool {
        self.snapshot() != self.initial
    }

    /// Replaces the field errors (from validation or the store).
    pub fn set_errors(&mut self, errors: impl IntoIterator<Item = (&'static str, String)>) {
        self.errors = errors.into_iter().collect();
        // Open the fold if an advanced field has an error, so it can be seen.
        if self
            .fields
            .iter()
            .any(|f| f.spec.advanced && self.errors.contains_key(f.spec.key))
        {
            self.expanded = true;
        }
        if let Some(first) = self
            .visible()
            .into_iter()
            .find(|&i| self.errors.contains_key(self.fields[i].spec.key))
        {
            self.focus = first;
        }
    }

    fn is_visible(&self, index: usize) -> bool {
        let field = &self.fields[index];
        if field.spec.advanced && !self.expanded {
            return false;
        }
        self.conditions
            .iter()
            .filter(|(f, _, _)| *f == field.spec.key)
            .all(|(_, choice, wanted)| {
                self.fields
                    .iter()
                    .find(|c| c.spec.key == *choice)
                    .is_some_and(|c| matches!(c.value, FieldValue::Choice(i) if i == *wanted))
            })
    }

    /// True when the field's placeholder applies now (see [`FieldSpec::placeholder_when`]).
    fn shows_placeholder(&self, spec: &FieldSpec) -> bool {
        !spec.placeholder.is_empty()
            && spec.placeholder_when.is_none_or(|(choice, wanted)| {
                self.fields
                    .iter()
                    .find(|c| c.spec.key == choice)
                    .is_some_and(|c| matches!(c.value, FieldValue::Choice(i) if i == wanted))
            })
    }

    fn visible(&self) -> Vec<usize> {
        (0..self.fields.len())
            .filter(|&i| self.is_visible(i))
            .collect()
    }

    /// Moves focus to the next (or previous) visible field, wrapping around.
    pub fn move_focus(&mut self, forward: bool) {
        let visible = self.visible();
        if visible.is_empty() {
            return;
        }
        let pos = visible.iter().position(|&i| i == self.focus).unwrap_or(0);
        let next = if forward {
            (pos + 1) % visible.len()
        } else {
            (pos + visible.len() - 1) % visible.len()
        };
        self.focus = visible[next];
        self.replaced_by_paste = None;
    }

    /// Forgets the error shown under the focused field: the user is fixing it.
    fn edited(&mut self) {
        if let Some(field) = self.fields.get(self.focus) {
            self.errors.remove(field.spec.key);
        }
    }

    /// Space: toggles a yes/no field or the fold, or steps a choice. (The keymap sends it here
    /// only when such a field has focus; on text it is typed.)
    pub fn toggle(&mut self) {
        self.edited();
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        match &mut field.value {
            FieldValue::Bool(b) => *b = !*b,
            FieldValue::Fold => self.expanded = !self.expanded,
            FieldValue::Choice(_) | FieldValue::Pick(..) => self.choose(true),
            FieldValue::Many(_, chosen, cursor, _) => {
                if let Some(on) = chosen.get_mut(*cursor) {
                    *on = !*on;
                }
            }
            FieldValue::Text(_) => {}
        }
    }

    /// Left/Right: the previous or next value of a choice, or flips a yes/no field.
    pub fn choose(&mut self, forward: bool) {
        self.edited();
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        match (&mut field.value, field.spec.kind) {
            (FieldValue::Choice(i), FieldKind::Choice(options)) => {
                let n = options.len();
                *i = if forward {
                    (*i + 1) % n
                } else {
                    (*i + n - 1) % n
                };
            }
            (FieldValue::Pick(options, i, _), _) | (FieldValue::Many(options, _, i, _), _)
                if !options.is_empty() =>
            {
                let n = options.len();
                *i = if forward {
                    (*i + 1) % n
                } else {
                    (*i + n - 1) % n
                };
            }
            (FieldValue::Bool(b), _) => *b = !*b,
            _ => {}
        }
    }

    /// True when the focused field takes typed text.
    pub fn focused_is_text(&self) -> bool {
        matches!(
            self.fields.get(self.focus).map(|f| &f.value),
            Some(FieldValue::Text(_))
        )
    }

    /// True when the focused field is multi-line (Enter inserts a newline).
    pub fn focused_is_multiline(&self) -> bool {
        self.fields
            .get(self.focus)
            .is_some_and(|f| f.spec.kind == FieldKind::Multiline)
    }

    /// A key typed into the focused text field. In the multi-line field, ↑ on its first line
    /// and ↓ on its last move to the previous and next field, as they do elsewhere in the form.
    pub fn type_key(&mut self, key: KeyEvent) {
        use crossterm::event::KeyCode;
        let multiline = self.focused_is_multiline();
        let Some(Field {
            value: FieldValue::Text(area),
            ..
        }) = self.fields.get_mut(self.focus)
        else {
            return;
        };
        let row = area.cursor().0;
        match key.code {
            KeyCode::Enter if !multiline => return,
            KeyCode::Up if multiline && row == 0 => return self.move_focus(false),
            KeyCode::Down if multiline && row + 1 >= area.lines().len() => {
                return self.move_focus(true);
            }
            _ => {}
        }
        if area.input(key) {
            self.replaced_by_paste = None;
            self.edited();
        }
    }

    /// A bracketed paste, as one edit: into the certificate (multi-line) field it replaces the
    /// text, since a pasted certificate is a whole new one (undo brings the old one back);
    /// into a one-line field it inserts, newlines dropped.
    pub fn paste(&mut self, text: &str) {
        let multiline = self.focused_is_multiline();
        let Some(Field {
            spec,
            value: FieldValue::Text(area),
        }) = self.fields.get_mut(self.focus)
        else {
            return;
        };
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        // Pasted text is untrusted: anything invisible or controlling shows as a visible
        // escape, line by line (the certificate field keeps its line breaks).
        let lines: Vec<String> = text
            .split('\n')
            .map(|line| crate::text::escape(line).into_owned())
            .collect();
        if multiline {
            let before = area.lines().join("\n");
            *area = text_area(lines.join("\n").trim(), spec.placeholder);
            self.replaced_by_paste = Some(before);
        } else {
            area.insert_str(lines.concat());
            self.replaced_by_paste = None;
        }
        self.edited();
    }

    /// Undoes the focused text field's last edit (a replacing paste as one step).
    pub fn undo(&mut self) {
        let before = self.replaced_by_paste.take();
        if let Some(Field {
            spec,
            value: FieldValue::Text(area),
        }) = self.fields.get_mut(self.focus)
        {
            match before {
                Some(text) => *area = text_area(&text, spec.placeholder),
                None => {
                    area.undo();
                }
            }
        }
        self.edited();
    }

    /// Takes in the scroll position the last frame used (it kept the focused field shown).
    pub fn set_scroll(&mut self, scroll: u16) {
        self.scroll = scroll;
    }

    /// Draws the form as a centred popup over `area`; returns the scroll position it used
    /// (the focused field is kept on screen), for [`set_scroll`](Self::set_scroll).
    pub fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        theme: &Theme,
        keys: &super::strings::Keys<'_>,
    ) -> u16 {
        let popup = super::centered(area, 100, area.height);
        frame.render_widget(Clear, popup);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(untrusted_styled(
                format!(" {} ", self.title),
                theme.header(),
            ));
        let inner = block.inner(popup);
        frame.render_widget(block, popup);
        if inner.height == 0 || inner.width < 10 {
            return self.scroll;
        }
        let label_width = 24u16.min(inner.width / 3);
        let mut lines: Vec<(u16, Line<'static>)> = Vec::new(); // (field index or u16::MAX, line)
        let mut focus_line = 0usize;
        let mut text_slot: Option<(usize, u16)> = None; // (line index, height) of focused editor
        if let Some(banner) = &self.banner {
            lines.push((
                u16::MAX,
                Line::from(untrusted_styled(format!("✗ {banner}"), theme.error())),
            ));
            lines.push((u16::MAX, Line::from("")));
        }
        for index in self.visible() {
            let field = &self.fields[index];
            let focused = index == self.focus;
            let label_style = if focused {
                theme.focus()
            } else {
                theme.header()
            };
            let marker = if focused { "▶ " } else { "  " };
            let required = if field.spec.required { "*" } else { "" };
            let label = Span::styled(
                format!(
                    "{:>w$} ",
                    format!("{marker}{}{required}", field.spec.label),
                    w = label_width.saturating_sub(1) as usize
                ),
                label_style,
            );
            if focused {
                focus_line = lines.len();
            }
            match &field.value {
                FieldValue::Text(area) => {
                    let height = if field.spec.kind == FieldKind::Multiline && focused {
                        8
                    } else {
                        1
                    };
                    if focused {
                        text_slot = Some((lines.len(), height));
                        lines.push((index as u16, Line::from(label.clone())));
                        for _ in 1..height {
                            lines.push((index as u16, Line::from("")));
                        }
                    } else {
                        let all = area.lines();
                        let first = all.first().cloned().unwrap_or_default();
                        let shown = if all.len() > 1 {
                            format!("{first} … ({} lines)", all.len())
                        } else if first.is_empty() {
                            String::new()
                        } else {
                            first
                        };
                        let value = if shown.is_empty() && self.shows_placeholder(&field.spec) {
                            Span::styled(format!("e.g. {}", field.spec.placeholder), theme.muted())
                        } else {
                            untrusted(shown)
                        };
                        lines.push((index as u16, Line::from(vec![label, value])));
                    }
                }
                FieldValue::Bool(b) => {
                    let text = if *b { "[x] yes" } else { "[ ] no" };
                    lines.push((index as u16, Line::from(vec![label, Span::raw(text)])));
                }
                FieldValue::Choice(i) => {
                    let options = match field.spec.kind {
                        FieldKind::Choice(o) => o,
                        _ => &[],
                    };
                    let mut spans = vec![label, Span::raw("◀ ")];
                    for (n, option) in options.iter().enumerate() {
                        let style = if n == *i {
                            theme.selected()
                        } else {
                            theme.muted()
                        };
                        spans.push(Span::styled(format!(" {option} "), style));
                    }
                    spans.push(Span::raw(" ▶"));
                    lines.push((index as u16, Line::from(spans)));
                }
                FieldValue::Pick(options, i, _) => {
                    let mut spans = vec![label];
                    match options.get(*i) {
                        Some((_, shown)) => {
                            spans.push(Span::raw("◀ "));
                            spans.push(untrusted_styled(format!(" {shown} "), theme.selected()));
                            spans.push(Span::raw(" ▶"));
                            spans.push(Span::styled(
                                format!("  {} of {}", i + 1, options.len()),
                                theme.muted(),
                            ));
                        }
                        None => spans.push(Span::styled("(nothing to choose)", theme.muted())),
                    }
                    lines.push((index as u16, Line::from(spans)));
                }
                FieldValue::Many(options, chosen, cursor, _) => {
                    let room = inner.width.saturating_sub(label_width) as usize;
                    let mut row = vec![label];
                    let mut used = 0usize;
                    if options.is_empty() {
                        row.push(Span::styled("(nothing to choose)", theme.muted()));
                    }
                    let none_chosen = !chosen.iter().any(|c| *c);
                    for (n, ((_, shown), on)) in options.iter().zip(chosen).enumerate() {
                        let text = format!("[{}] {}  ", if *on { "x" } else { " " }, shown);
                        let width = unicode_width::UnicodeWidthStr::width(text.as_str());
                        if used + width > room && used > 0 {
                            lines.push((index as u16, Line::from(std::mem::take(&mut row))));
                            row.push(Span::raw(" ".repeat(label_width as usize)));
                            used = 0;
                        }
                        used += width;
                        let style = if focused && n == *cursor {
                            theme.selected()
                        } else if *on {
                            Style::default()
                        } else {
                            theme.muted()
                        };
                        row.push(untrusted_styled(text, style));
                    }
                    if none_chosen && !options.is_empty() && !field.spec.placeholder.is_empty() {
                        let note = format!("({})", field.spec.placeholder);
                        if used + unicode_width::UnicodeWidthStr::width(note.as_str()) > room {
                            lines.push((index as u16, Line::from(std::mem::take(&mut row))));
                            row.push(Span::raw(" ".repeat(label_width as usize)));
                        }
                        row.push(Span::styled(note, theme.muted()));
                    }
                    lines.push((index as u16, Line::from(row)));
                }
                FieldValue::Fold => {
                    let mut spans = vec![label];
                    spans.extend(keys.fold(self.expanded, focused));
                    lines.push((index as u16, Line::from(spans)));
                }
            }
            let note = match (&field.value, field.spec.note) {
                (FieldValue::Text(area), Some(note)) => note(&area.lines().join("\n")),
                _ => None,
            };
            if let Some(note) = note.filter(|_| !self.errors.contains_key(field.spec.key)) {
                let pad = " ".repeat(label_width as usize);
                let room = (inner.width.saturating_sub(label_width + 2)).max(10) as usize;
                for text in wrap_words(&note, room) {
                    lines.push((
                        u16::MAX,
                        Line::from(untrusted_styled(format!("{pad}{text}"), theme.ok())),
                    ));
                }
            }
            if let Some(error) = self.errors.get(field.spec.key) {
                // Wrapped under the value column, so a long message is read whole.
                let pad = " ".repeat(label_width as usize);
                let room = (inner.width.saturating_sub(label_width + 2)).max(10) as usize;
                for (n, text) in wrap_words(error, room).into_iter().enumerate() {
                    let mark = if n == 0 { "✗ " } else { "  " };
                    lines.push((
                        u16::MAX,
                        Line::from(untrusted_styled(
                            format!("{pad}{mark}{text}"),
                            theme.error(),
                        )),
                    ));
                }
            }
        }
        // Keep the focused field (and its error) on screen.
        let height = inner.height as usize;
        let focus_end = text_slot.map_or(focus_line + 2, |(l, h)| l + h as usize + 1);
        let mut scroll = self.scroll;
        if focus_line < scroll as usize {
            scroll = focus_line as u16;
        } else if focus_end > scroll as usize + height {
            scroll = (focus_end.saturating_sub(height)) as u16;
        }
        let start = scroll as usize;
        let shown: Vec<Line<'static>> = lines
            .iter()
            .skip(start)
            .take(height)
            .map(|(_, l)| l.clone())
            .collect();
        frame.render_widget(Paragraph::new(shown), inner);
        if let Some((line, h)) = text_slot
            && line >= start
        {
            let y = inner.y + (line - start) as u16;
            let h = h.min(inner.y + inner.height - y);
            let x = inner.x + label_width;
            if h > 0 && inner.width > label_width + 1 {
                let rect = Rect::new(x, y, inner.width - label_width, h);
                // The text area's cursor is reversed, as the theme's selection is.
                if let Some(Field {
                    value: FieldValue::Text(area),
                    ..
                }) = self.fields.get(self.focus)
                {
                    frame.render_widget(&**area, rect);
                }
            }
        }
        scroll
    }
}

/// Greedy word wrap to `width` columns; a word longer than a line is split. (Small enough that
/// a crate would cost more than it saves.)
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: String = word.to_string();
        loop {
            let used = line.chars().count();
            let needed = word.chars().count() + usize::from(used > 0);
            if used + needed <= width {
                if used > 0 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

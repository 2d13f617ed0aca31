//! The Verify pane: a wrapped token editor, the checks, the decoded token with the claims the
//! checks used highlighted, and the verdict. The rules are the `verify` module's; this only
//! shows them. JWKS fetches run on a worker (the runner spawns it) so the screen never freezes.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui_textarea::{TextArea, WrapMode};
use serde_json::Value;

use super::entity::Entity;
use super::theme::{Theme, untrusted_styled};
use crate::store::Store;
use crate::text::escape;
use crate::verify::{
    FetchPolicy, KeyCache, Reason, Status, Verifier, VerifyReport, absolute_time, relative_time,
};

const SPINNER: [&str; 4] = ["⠋", "⠙", "⠸", "⠴"];

/// Titles that name keys, written from the keymap by the caller.
#[derive(Debug, Clone, Default)]
pub struct PaneLabels {
    /// The token box's title while idle ("Token (i to edit, or paste)").
    pub idle_title: String,
    /// Its title while editing.
    pub editing_title: String,
    /// The checks box's note on narrow terminals ("v: decoded token").
    pub to_decoded: String,
    /// The decoded box's note ("v: checks").
    pub to_checks: String,
    /// After "Fetching the JWKS …": " (Esc cancels)".
    pub cancel_note: String,
    /// After "JWKS fetch cancelled": "; press r to try again".
    pub retry_note: String,
}

/// The pane's state.
pub struct VerifyPane {
    editor: TextArea<'static>,
    cache: Arc<KeyCache>,
    report: Option<VerifyReport>,
    fetching: Option<String>,
    cancelled: Option<String>,
    spinner: usize,
    now: Option<DateTime<Utc>>,
    editing: bool,
    /// On narrow terminals, the decoded token is shown instead of the checks.
    pub show_decoded: bool,
    labels: PaneLabels,
    /// The selected check, and whether its detail is expanded.
    check_cursor: usize,
    expanded: bool,
    /// Demo tokens, and the one [`load_next_sample`](Self::load_next_sample) loads next.
    samples: Vec<String>,
    next_sample: usize,
}

fn editor(text: &str) -> TextArea<'static> {
    let mut editor = TextArea::new(vec![text.to_string()]);
    editor.set_wrap_mode(WrapMode::Glyph);
    editor.set_cursor_line_style(Style::default());
    // No cursor until the editor has focus (`VerifyPane::set_editing`).
    editor.set_cursor_style(Style::default());
    editor.set_placeholder_text(
        "Paste a token here (quotes, \"Bearer \" and an Authorization: line are stripped)",
    );
    editor.move_cursor(ratatui_textarea::CursorMove::End);
    editor
}

impl VerifyPane {
    /// A pane holding the first sample token, if any.
    pub fn new(
        samples: &[(String, String)],
        policy: crate::model::address::JwksFetchPolicy,
        labels: PaneLabels,
    ) -> VerifyPane {
        VerifyPane {
            labels,
            check_cursor: 0,
            expanded: false,
            samples: samples.iter().map(|(_, token)| token.clone()).collect(),
            next_sample: 1,
            editor: editor(samples.first().map_or("", |(_, t)| t.as_str())),
            cache: Arc::new(KeyCache::with_policy(policy)),
            report: None,
            fetching: None,
            cancelled: None,
            spinner: 0,
            now: None,
            editing: false,
            show_decoded: false,
        }
    }

    /// The key cache fetch workers fill.
    pub fn cache(&self) -> Arc<KeyCache> {
        self.cache.clone()
    }

    /// The token as typed.
    pub fn token(&self) -> String {
        self.editor.lines().join("")
    }

    /// Replaces the token.
    pub fn set_token(&mut self, token: &str) {
        self.check_cursor = 0;
        self.expanded = false;
        self.editor = editor(token);
        self.set_editing(self.editing);
        self.cancelled = None;
    }

    /// A key typed into the editor; true if the text changed.
    pub fn type_key(&mut self, key: KeyEvent) -> bool {
        if key.code == KeyCode::Enter
            || key.modifiers.contains(KeyModifiers::CONTROL)
                && matches!(key.code, KeyCode::Char('m' | 'j'))
        {
            return false;
        }
        let before = self.token();
        self.editor.input(key);
        let changed = self.token() != before;
        if changed {
            self.cancelled = None;
        }
        changed
    }

    /// A bracketed paste, as one edit: it replaces the token (what an admin pasting a second
    /// token means), stripped of quotes, `Bearer ` and an `Authorization:` line; while editing
    /// (`i`) it inserts at the cursor instead.
    pub fn paste(&mut self, text: &str) {
        // A token nobody signed is untrusted text: whatever would act on the terminal shows as
        // a visible escape (and, not being base64url, makes the token malformed, as it is for
        // the controller).
        if self.editing {
            let flat: String = text
                .lines()
                .map(|line| escape(line).into_owned())
                .collect::<Vec<_>>()
                .join("");
            self.editor.insert_str(flat);
            self.cancelled = None;
        } else {
            self.set_token(&escape(&crate::verify::normalize_token(text)));
        }
    }

    /// Replaces the token with the next demo token (in turn, from the first); false when
    /// there are none.
    pub fn load_next_sample(&mut self) -> bool {
        if self.samples.is_empty() {
            return false;
        }
        let index = self.next_sample % self.samples.len();
        self.next_sample = index + 1;
        let token = self.samples[index].clone();
        self.set_token(&token);
        true
    }

    /// Makes the next verification fetch its JWKS again, even after a cancel (`r`).
    pub fn refetch(&mut self) {
        self.cancelled = None;
        self.fetching = None;
        self.cache.mark_stale();
    }

    /// The instant a time the report depends on passes (a token's `exp`, `nbf` or `iat`
    /// still ahead of `now`): the verdict may change then, so the pane verifies again.
    pub fn next_time_boundary(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let payload = self.report.as_ref()?.payload.as_ref()?;
        ["exp", "nbf", "iat"]
            .iter()
            .filter_map(|claim| payload.get(*claim)?.as_f64())
            .filter_map(|seconds| DateTime::from_timestamp(seconds.ceil() as i64, 0))
            .filter(|time| *time > now)
            .min()
    }

    /// Empties the editor.
    pub fn clear(&mut self) {
        self.set_token("");
    }

    /// Verifies the token again, never blocking; returns a JWKS URL to fetch on a worker when
    /// one is needed and not already being fetched.
    pub fn rerun(&mut self, store: &Store, now: DateTime<Utc>) -> Option<String> {
        self.now = Some(now);
        let token = self.token();
        if token.trim().is_empty() {
            self.report = None;
            return None;
        }
        let verifier = Verifier::new(store, &self.cache, FetchPolicy::CacheOnly);
        self.report = verifier.verify(&token, now, 0).ok();
        let url = self.report.as_ref().and_then(|r| r.pending_fetch.clone())?;
        if self.fetching.as_deref() == Some(url.as_str())
            || self.cancelled.as_deref() == Some(url.as_str())
        {
            return None;
        }
        self.fetching = Some(url.clone());
        Some(url)
    }

    /// A fetch finished; true if it was the one this pane waits for.
    pub fn fetch_finished(&mut self, url: &str) -> bool {
        if self.fetching.as_deref() == Some(url) {
            self.fetching = None;
            true
        } else {
            false
        }
    }

    /// Stops waiting for the pending fetch; true if there was one.
    pub fn cancel_fetch(&mut self) -> bool {
        match self.fetching.take() {
            Some(url) => {
                self.cancelled = Some(url);
                true
            }
            None => false,
        }
    }

    /// Moves the check selection by `delta` (a new check starts collapsed).
    pub fn move_check(&mut self, delta: isize) {
        let count = self.report.as_ref().map_or(0, |r| r.checks.len());
        if count == 0 {
            return;
        }
        let next = (self.check_cursor as isize + delta).clamp(0, count as isize - 1) as usize;
        if next != self.check_cursor {
            self.check_cursor = next;
            self.expanded = false;
        }
    }

    /// Expands the selected check's detail to every line it needs, or folds it again.
    pub fn toggle_check(&mut self) {
        self.expanded = !self.expanded;
    }

    /// True while a JWKS fetch is pending (the spinner turns).
    pub fn fetch_pending(&self) -> bool {
        self.fetching.is_some()
    }

    /// Advances the spinner; true while a fetch is pending.
    pub fn tick(&mut self) -> bool {
        if self.fetching.is_some() {
            self.spinner = (self.spinner + 1) % SPINNER.len();
            true
        } else {
            false
        }
    }

    /// The report as the JSON of `extjwt verify --json`.
    pub fn report_json(&self) -> Option<String> {
        self.report
            .as_ref()
            .and_then(|r| serde_json::to_string_pretty(&r.to_json()).ok())
    }

    /// The id of the row of `entity` the token bound to: its signer, its identity, or that
    /// identity's auth policy.
    pub fn bound_id(&self, entity: Entity) -> Option<String> {
        let report = self.report.as_ref()?;
        match entity {
            Entity::Signer => report.signer.as_ref().map(|s| s.id.clone()),
            Entity::Identity => report.identity.as_ref().map(|i| i.id.clone()),
            Entity::AuthPolicy => report.auth_policy.as_ref().map(|p| p.id.clone()),
        }
    }

    /// The verdict line, as shown.
    pub fn verdict_text(&self) -> String {
        match (&self.report, &self.fetching, &self.cancelled) {
            (None, _, _) => "Paste a token to see what the controller would do with it.".into(),
            (Some(_), Some(url), _) => format!(
                "{} Fetching the JWKS from {url} …{}",
                SPINNER[self.spinner], self.labels.cancel_note
            ),
            (Some(r), None, Some(url)) if r.pending_fetch.is_some() => {
                format!("JWKS fetch from {url} cancelled{}", self.labels.retry_note)
            }
            (Some(r), _, _) => r.verdict_line(),
        }
    }

    /// The verdict with the client's answer, then warnings, then the fix hint.
    fn verdict_paragraph(&self, theme: &Theme) -> Paragraph<'static> {
        let verdict_style = match &self.report {
            Some(r) if r.is_valid() => theme.ok(),
            Some(r) if r.pending_fetch.is_some() => theme.warn(),
            Some(_) => theme.error(),
            None => theme.muted(),
        };
        let mut verdict = vec![Line::from(untrusted_styled(
            self.verdict_text(),
            verdict_style,
        ))];
        for warning in self.report.iter().flat_map(|r| &r.warnings) {
            verdict.push(Line::from(vec![
                Span::styled("warning: ", theme.warn()),
                untrusted_styled(warning.clone(), theme.warn()),
            ]));
        }
        // A fix only once the failing check is known: never while a fetch is pending.
        if let Some(fix) = self
            .report
            .as_ref()
            .filter(|r| r.pending_fetch.is_none() && self.fetching.is_none())
            .and_then(|r| r.reason())
            .and_then(Reason::fix)
        {
            verdict.push(Line::from(vec![
                Span::styled("fix: ", theme.header()),
                Span::raw(fix.hint),
            ]));
        }
        Paragraph::new(verdict).wrap(Wrap { trim: false })
    }

    /// Takes an action meant for the pane: check selection, editing focus, the narrow view's
    /// switch. False when it is not one of those.
    pub fn update(&mut self, action: crate::tui::keymap::Action) -> bool {
        use crate::tui::keymap::Action;
        match action {
            Action::Up => self.move_check(-1),
            Action::Down => self.move_check(1),
            Action::PageUp | Action::Home => self.move_check(isize::MIN / 2),
            Action::PageDown | Action::End => self.move_check(isize::MAX / 2),
            Action::Open => self.toggle_check(),
            Action::StartEditing => self.set_editing(true),
            Action::StopEditing => self.set_editing(false),
            Action::ToggleDecoded => self.show_decoded = !self.show_decoded,
            _ => return false,
        }
        true
    }

    /// True while the token editor has focus (keys are typed into it).
    pub fn editing(&self) -> bool {
        self.editing
    }

    /// Gives the token editor focus, or takes it away (its cursor shows only with focus).
    pub fn set_editing(&mut self, editing: bool) {
        self.editing = editing;
        self.editor.set_cursor_style(if editing {
            Style::default().add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            Style::default()
        });
    }

    /// Draws the pane; `labels` are its key-dependent titles.
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let labels = &self.labels;
        let editor_height = if area.height >= 30 { 8 } else { 5 };
        let verdict = self.verdict_paragraph(theme);
        // The verdict, the client's answer, warnings and the fix wrap and are never cut: they
        // take the rows they need; the checks keep what is left (at least their border and a
        // line).
        let verdict_height = (verdict.line_count(area.width) as u16)
            .clamp(1, area.height.saturating_sub(editor_height + 3).max(1));
        let [editor_area, verdict_area, body] = Layout::vertical([
            Constraint::Length(editor_height),
            Constraint::Length(verdict_height),
            Constraint::Min(0),
        ])
        .areas(area);
        let (title, border) = if self.editing {
            (&labels.editing_title, theme.focus())
        } else {
            (&labels.idle_title, theme.border())
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(Span::styled(title.clone(), theme.header()));
        frame.render_widget(&block, editor_area);
        frame.render_widget(&self.editor, block.inner(editor_area));

        frame.render_widget(verdict, verdict_area);

        let wide = body.width >= 120;
        let [checks_area, json_area] = if wide {
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body)
        } else if self.show_decoded {
            [Rect::default(), body]
        } else {
            [body, Rect::default()]
        };
        let check_lines = self.check_lines(checks_area.width.saturating_sub(2) as usize, theme);
        // Keep the selected check on screen (stateless: from the top until it would not fit).
        let room = checks_area.height.saturating_sub(2) as usize;
        let (cursor_start, cursor_end) = self.cursor_span(&check_lines);
        let scroll = if cursor_end > room {
            cursor_end.saturating_sub(room).min(cursor_start)
        } else {
            0
        };
        let check_lines: Vec<Line<'static>> =
            check_lines.into_iter().map(|(_, line)| line).collect();
        let other = if wide { "" } else { labels.to_decoded.as_str() };
        let checks = Paragraph::new(check_lines)
            .scroll((scroll as u16, 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border())
                    .title(Span::styled(" Checks ", theme.header()))
                    .title(
                        Line::from(Span::styled(other, theme.muted()))
                            .alignment(ratatui::layout::Alignment::Right),
                    ),
            );
        frame.render_widget(checks, checks_area);
        let json = Paragraph::new(self.decoded_lines(theme)).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border())
                .title(Span::styled(" Header · Payload ", theme.header()))
                .title(
                    Line::from(Span::styled(
                        if wide { "" } else { labels.to_checks.as_str() },
                        theme.muted(),
                    ))
                    .alignment(ratatui::layout::Alignment::Right),
                ),
        );
        frame.render_widget(json, json_area);
    }

    /// The checks, one line each with its mark, name and detail; the selected one reversed and,
    /// when expanded, its detail wrapped whole under it. Each line carries its check's index.
    fn check_lines(&self, width: usize, theme: &Theme) -> Vec<(usize, Line<'static>)> {
        const INDENT: usize = 19;
        let Some(report) = &self.report else {
            return Vec::new();
        };
        let mut lines = Vec::new();
        for (n, c) in report.checks.iter().enumerate() {
            let mut style = match c.status {
                Status::Pass => theme.ok(),
                Status::Fail(_) => theme.error(),
                Status::Skip => theme.muted(),
            };
            let selected = n == self.check_cursor;
            if selected {
                style = style.patch(theme.selected());
            }
            let head = Span::styled(
                format!("{} {:<16} ", c.status.mark(), c.check.name()),
                style,
            );
            let detail = escape(&c.detail);
            let room = width.saturating_sub(INDENT);
            if selected && self.expanded {
                let wrapped = super::form::wrap_words(&detail, room.max(10));
                for (i, text) in wrapped.into_iter().enumerate() {
                    let lead = if i == 0 {
                        head.clone()
                    } else {
                        Span::raw(" ".repeat(INDENT))
                    };
                    lines.push((n, Line::from(vec![lead, Span::raw(text)])));
                }
            } else {
                lines.push((
                    n,
                    Line::from(vec![head, Span::raw(super::table::fit(&detail, room))]),
                ));
            }
        }
        lines
    }

    /// The first and one-past-last line of the selected check.
    fn cursor_span(&self, lines: &[(usize, Line<'static>)]) -> (usize, usize) {
        let start = lines
            .iter()
            .position(|(n, _)| *n == self.check_cursor)
            .unwrap_or(0);
        let end = lines
            .iter()
            .rposition(|(n, _)| *n == self.check_cursor)
            .map_or(start, |e| e + 1);
        (start, end)
    }

    /// Header and payload as pretty JSON; the claims the checks used are highlighted and times
    /// are annotated in words.
    fn decoded_lines(&self, theme: &Theme) -> Vec<Line<'static>> {
        let Some(report) = &self.report else {
            return vec![];
        };
        let now = self.now.unwrap_or_else(Utc::now);
        let mut used: Vec<String> = ["iss", "aud", "exp", "nbf", "alg", "kid"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if let Some(claim) = &report.claim {
            let first = claim
                .pointer
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("");
            used.push(first.replace("~1", "/").replace("~0", "~"));
        }
        let mut lines = Vec::new();
        for (title, object) in [("header", &report.header), ("payload", &report.payload)] {
            let Some(object) = object else { continue };
            lines.push(Line::from(Span::styled(title.to_string(), theme.muted())));
            let text =
                serde_json::to_string_pretty(&Value::Object(object.clone())).unwrap_or_default();
            for raw in text.lines() {
                let key = raw
                    .trim_start()
                    .strip_prefix('"')
                    .and_then(|r| r.split_once("\":"))
                    .map(|(k, _)| k.to_string());
                let top_level = raw.starts_with("  \"") && !raw.starts_with("   ");
                let style = match &key {
                    Some(k) if top_level && used.contains(k) => theme.highlight(),
                    _ => Style::default(),
                };
                let mut spans = vec![untrusted_styled(raw, style)];
                if let Some(k) = &key
                    && top_level
                    && matches!(k.as_str(), "exp" | "nbf" | "iat")
                    && let Some(seconds) = object.get(k).and_then(Value::as_f64)
                {
                    spans.push(Span::styled(
                        format!(
                            "  {}, {}",
                            relative_time(seconds, now),
                            absolute_time(seconds)
                        ),
                        theme.muted(),
                    ));
                }
                lines.push(Line::from(spans));
            }
        }
        lines
    }
}

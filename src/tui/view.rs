//! Drawing the console from the app's state. Drawing takes `&self` and changes nothing; what a
//! later event needs to know about the layout (page sizes, hit boxes, scroll clamps) comes back
//! as a [`Viewport`] that `App::render` hands to the state.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{App, Entity, Tab};
use super::centered;
use super::keymap::Context;
use super::strings::Keys;
use super::table::TableGeometry;
use unicode_width::UnicodeWidthStr;

/// Layout facts of the last frame that later events need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Viewport {
    /// Where the current tab's table was drawn (none on the Verify tab).
    pub table: Option<TableGeometry>,
    /// The detail view's largest scroll position and its page height.
    pub detail: (u16, u16),
    /// The help overlay's largest scroll position and its page height.
    pub help: (u16, u16),
    /// The scroll position the open form used.
    pub form_scroll: Option<u16>,
}

/// The smallest terminal the console draws its screens in.
pub const MIN_WIDTH: u16 = 80;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 24;

impl App {
    /// Draws the whole console, then takes in the frame's layout facts.
    pub fn render(&mut self, frame: &mut Frame<'_>) {
        let viewport = self.draw(frame);
        self.apply_viewport(viewport);
    }

    /// Draws the whole console from the state, changing nothing.
    pub fn draw(&self, frame: &mut Frame<'_>) -> Viewport {
        let mut viewport = Viewport::default();
        let area = frame.area();
        let keys = self.keys();
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let text = keys.too_small(area.width, area.height, (MIN_WIDTH, MIN_HEIGHT));
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
            return viewport;
        }
        let [tabs, main, hints, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_tabs(frame, tabs);
        let theme = self.options.theme;
        match self.tab.entity() {
            Some(entity) => viewport.table = self.render_table_tab(frame, main, entity),
            None => self.verify.render(frame, main, &theme),
        }
        if self.detail.is_some() {
            viewport.detail = self.render_detail(frame, main);
        }
        if let Some(state) = &self.form {
            viewport.form_scroll = Some(state.form.render(frame, main, &theme, &keys));
        }
        self.render_hints(frame, hints);
        self.render_status(frame, status);
        if self.help {
            viewport.help = self.render_help(frame, main);
        }
        if let Some(confirm) = &self.confirm {
            let popup = centered(main, 70, 5);
            frame.render_widget(Clear, popup);
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(theme.error())
                .title(Span::styled(" Confirm ", theme.error()));
            let text = vec![
                Line::from(super::theme::untrusted(&confirm.question)),
                Line::from(""),
                keys.confirm_answers(),
            ];
            frame.render_widget(
                Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
                popup,
            );
        }
        viewport
    }

    /// Text that names keys, from the keymap in force.
    pub(super) fn keys(&self) -> Keys<'_> {
        Keys::new(&self.options.keymap, &self.options.theme)
    }

    fn render_tabs(&self, frame: &mut Frame<'_>, area: Rect) {
        let theme = self.options.theme;
        let mut spans = vec![Span::styled(" extjwt ", theme.header())];
        for (n, (tab, title)) in Tab::ALL.iter().enumerate() {
            let style = if *tab == self.tab {
                theme.tab_active()
            } else {
                theme.muted()
            };
            spans.push(Span::raw(" "));
            spans.push(Span::styled(format!(" {} {title} ", n + 1), style));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn render_table_tab(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        entity: Entity,
    ) -> Option<TableGeometry> {
        let theme = self.options.theme;
        let keys = self.keys();
        let screen = self.screen(entity);
        let (_, plural) = screen.nouns();
        let table = screen.table();
        let filter = table.filter();
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(" {} ", screen.title()),
                theme.header(),
            ))
            .title(
                Line::from(keys.filter_note(&table.count_text(), filter, self.filtering))
                    .alignment(Alignment::Right),
            );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let centred = |frame: &mut Frame<'_>, text: Line<'static>| {
            frame.render_widget(
                Paragraph::new(text)
                    .alignment(Alignment::Center)
                    .wrap(Wrap { trim: true }),
                inner.inner(ratatui::layout::Margin::new(0, inner.height / 3)),
            );
        };
        if table.total() == 0 {
            centred(frame, keys.empty_table(plural, self.store.is_readonly()));
            None
        } else if table.shown() == 0 {
            centred(frame, keys.no_match(plural, filter));
            None
        } else {
            Some(screen.render(frame, inner, &theme))
        }
    }

    /// Draws the open detail view; returns its largest scroll position and page height.
    fn render_detail(&self, frame: &mut Frame<'_>, area: Rect) -> (u16, u16) {
        let theme = self.options.theme;
        let Some(detail) = &self.detail else {
            return (0, 0);
        };
        let page = area.height.saturating_sub(2);
        let max_scroll = (detail.lines.len() as u16).saturating_sub(page);
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(super::theme::untrusted_styled(
                &detail.title,
                theme.header(),
            ));
        frame.render_widget(
            Paragraph::new(detail.lines.clone())
                .block(block)
                .wrap(Wrap { trim: false })
                .scroll((detail.scroll.min(max_scroll), 0)),
            area,
        );
        (max_scroll, page)
    }

    fn render_hints(&self, frame: &mut Frame<'_>, area: Rect) {
        let theme = self.options.theme;
        let hints = self
            .options
            .keymap
            .hints(&self.contexts(), |action| self.offers(action));
        let (global, local): (Vec<_>, Vec<_>) = hints
            .into_iter()
            .map(|(context, key, hint)| (context, (key, hint)))
            .partition(|(context, _)| *context == Context::Global);
        let width = |(key, hint): &(String, &str)| (key.width() + hint.width() + 3) as u16;
        // The screen's own keys first, as many as fit whole; help and quit always stay.
        let mut room = area
            .width
            .saturating_sub(global.iter().map(|(_, item)| width(item)).sum());
        let mut shown = Vec::new();
        for (_, item) in local {
            if width(&item) > room {
                break;
            }
            room -= width(&item);
            shown.push(item);
        }
        let mut spans = Vec::new();
        for (key, hint) in shown
            .into_iter()
            .chain(global.into_iter().map(|(_, item)| item))
        {
            spans.push(Span::styled(key, theme.key()));
            spans.push(Span::raw(format!(" {hint}  ")));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn render_status(&self, frame: &mut Frame<'_>, area: Rect) {
        let theme = self.options.theme;
        // The demo's database is a throwaway temporary file: its path says nothing.
        let mut left = Vec::new();
        if self.options.demo {
            left.push(Span::styled(" DEMO ", theme.warn()));
        } else {
            left.push(Span::styled(
                format!(" {} ", self.store.location()),
                theme.muted(),
            ));
        }
        if self.store.is_readonly() {
            left.push(Span::styled(" READ-ONLY ", theme.error()));
        }
        let width: usize = left.iter().map(|s| s.content.chars().count()).sum();
        if let Some(message) = &self.message {
            let style = if message.is_error {
                theme.error()
            } else {
                ratatui::style::Style::default()
            };
            let mark = if message.is_error { "✗ " } else { "" };
            let room = (area.width as usize).saturating_sub(width + 1);
            let text = super::table::fit(
                &crate::text::escape(&format!("{mark}{}", message.text)),
                room,
            );
            left.push(Span::raw(" "));
            left.push(Span::styled(text, style));
        }
        frame.render_widget(Paragraph::new(Line::from(left)), area);
    }

    /// Draws the help: the current screen's keys first, then every other key, then the demo
    /// tokens. Returns its largest scroll position and page height.
    fn render_help(&self, frame: &mut Frame<'_>, area: Rect) -> (u16, u16) {
        let theme = self.options.theme;
        let keys = self.keys();
        let popup = centered(area, 90, area.height);
        frame.render_widget(Clear, popup);
        let mut lines = Vec::new();
        let screen = self.screen_contexts();
        for (n, (title, bindings)) in self
            .options
            .keymap
            .help_sections(&screen, |action| self.offers(action))
            .into_iter()
            .enumerate()
        {
            let title = if n == 0 {
                format!("This screen: {title}")
            } else {
                title.to_string()
            };
            lines.push(Line::from(Span::styled(title, theme.header())));
            // Long explanations wrap under themselves, not under the keys.
            let room = (popup.width as usize).saturating_sub(2 + 24).max(10);
            for (keys, help) in bindings {
                for (n, text) in super::form::wrap_words(help, room).into_iter().enumerate() {
                    let lead = if n == 0 {
                        Span::styled(format!("  {keys:<22}"), theme.key())
                    } else {
                        Span::raw(" ".repeat(24))
                    };
                    lines.push(Line::from(vec![lead, Span::raw(text)]));
                }
            }
            lines.push(Line::from(""));
        }
        lines.push(Line::from(Span::styled(
            "Text fields (forms, the token editor)",
            theme.header(),
        )));
        for (names, help) in super::strings::TEXT_EDITING_KEYS {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<22}", names.join(" ")), theme.key()),
                Span::raw(*help),
            ]));
        }
        lines.push(Line::from(""));
        if !self.options.sample_tokens.is_empty() {
            lines.push(keys.demo_tokens_heading());
            for (label, token) in &self.options.sample_tokens {
                lines.push(Line::from(Span::styled(
                    format!("  {label}"),
                    theme.header(),
                )));
                lines.push(Line::from(format!("    {token}")));
            }
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(keys.help_title());
        let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
        let page = popup.height.saturating_sub(2);
        let max_scroll =
            (paragraph.line_count(popup.width.saturating_sub(2)) as u16).saturating_sub(page);
        frame.render_widget(
            paragraph
                .block(block)
                .scroll((self.help_scroll.min(max_scroll), 0)),
            popup,
        );
        (max_scroll, page)
    }
}

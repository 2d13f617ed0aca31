//! Drawing the console from the app's state. Nothing here changes state except scroll clamps.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{App, Entity, Tab};
use super::centered;
use super::keymap::{Action, Context};
use unicode_width::UnicodeWidthStr;

/// The smallest terminal the console draws its screens in.
pub const MIN_WIDTH: u16 = 80;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 24;

impl App {
    /// Draws the whole console.
    pub fn render(&mut self, frame: &mut Frame<'_>) {
        let area = frame.area();
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let text = format!(
                "Terminal too small: {}x{}. extjwt needs {MIN_WIDTH}x{MIN_HEIGHT}; enlarge the window or press q to quit.",
                area.width, area.height
            );
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
            return;
        }
        let [tabs, main, hints, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_tabs(frame, tabs);
        match self.tab.entity() {
            Some(entity) => self.render_table_tab(frame, main, entity),
            None => {
                let theme = self.options.theme;
                self.verify.render(frame, main, &theme);
            }
        }
        if self.detail.is_some() {
            self.render_detail(frame, main);
        }
        let theme = self.options.theme;
        if let Some(state) = &mut self.form {
            state.form.render(frame, main, &theme);
        }
        self.render_hints(frame, hints);
        self.render_status(frame, status);
        if self.help {
            self.render_help(frame, main);
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
                Line::from(vec![
                    Span::styled("y", theme.key()),
                    Span::raw(" / Enter: yes    "),
                    Span::styled("n", theme.key()),
                    Span::raw(" / Esc: no"),
                ]),
            ];
            frame.render_widget(
                Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
                popup,
            );
        }
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

    fn render_table_tab(&mut self, frame: &mut Frame<'_>, area: Rect, entity: Entity) {
        let theme = self.options.theme;
        let readonly = self.store.is_readonly();
        let new_key = self.options.keymap.label_for(Context::Table, Action::New);
        let filtering = self.filtering;
        let screen = self.screen_mut(entity);
        let title = screen.title();
        let (_, plural) = screen.nouns();
        let table = screen.table();
        let (count, filter) = (table.count_text(), table.filter().to_string());
        let empty = (table.total() == 0, table.shown() == 0);
        let filter_text = if filtering {
            format!(" /{filter}▏")
        } else if !filter.is_empty() {
            format!(" /{filter} (Esc clears)")
        } else {
            String::new()
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(format!(" {title} "), theme.header()))
            .title(
                Line::from(super::theme::untrusted_styled(
                    format!(" {count}{filter_text} "),
                    theme.muted(),
                ))
                .alignment(Alignment::Right),
            );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let centred = |frame: &mut Frame<'_>, text: String| {
            frame.render_widget(
                Paragraph::new(super::theme::untrusted(text))
                    .alignment(Alignment::Center)
                    .wrap(Wrap { trim: true }),
                inner.inner(ratatui::layout::Margin::new(0, inner.height / 3)),
            );
        };
        match empty {
            (true, _) => centred(
                frame,
                match (readonly, new_key) {
                    (false, Some(key)) => format!("No {plural} yet: press {key} to add one"),
                    _ => format!("No {plural} yet"),
                },
            ),
            (false, true) => centred(
                frame,
                format!("No {plural} match \"{filter}\": press Esc to clear the filter"),
            ),
            _ => screen.render(frame, inner, &theme),
        }
    }

    fn render_detail(&mut self, frame: &mut Frame<'_>, area: Rect) {
        let theme = self.options.theme;
        let Some(detail) = &mut self.detail else {
            return;
        };
        let max_scroll = (detail.lines.len() as u16).saturating_sub(area.height.saturating_sub(2));
        detail.scroll = detail.scroll.min(max_scroll);
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
                .scroll((detail.scroll, 0)),
            area,
        );
    }

    fn render_hints(&self, frame: &mut Frame<'_>, area: Rect) {
        let theme = self.options.theme;
        let contexts = self.contexts();
        let (global, local): (Vec<Context>, Vec<Context>) =
            contexts.iter().partition(|c| **c == Context::Global);
        let keymap = &self.options.keymap;
        let global_hints = keymap.hints(&global);
        let width = |(key, hint): &(String, &str)| (key.width() + hint.width() + 3) as u16;
        // The screen's own keys first, as many as fit whole; help and quit always stay.
        let mut room = area
            .width
            .saturating_sub(global_hints.iter().map(width).sum());
        let mut shown = Vec::new();
        for item in keymap.hints(&local) {
            if width(&item) > room {
                break;
            }
            room -= width(&item);
            shown.push(item);
        }
        let mut spans = Vec::new();
        for (key, hint) in shown.into_iter().chain(global_hints) {
            spans.push(Span::styled(key, theme.key()));
            spans.push(Span::raw(format!(" {hint}  ")));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn render_status(&self, frame: &mut Frame<'_>, area: Rect) {
        let theme = self.options.theme;
        let mut left = vec![Span::styled(
            format!(" {} ", self.store.location()),
            theme.muted(),
        )];
        if self.options.demo {
            left.push(Span::styled(" DEMO ", theme.warn()));
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

    fn render_help(&self, frame: &mut Frame<'_>, area: Rect) {
        let theme = self.options.theme;
        let popup = centered(area, 90, area.height);
        frame.render_widget(Clear, popup);
        let mut lines = Vec::new();
        // In the demo the sample tokens come first: they are what a newcomer opened help for.
        if !self.options.sample_tokens.is_empty() {
            lines.push(Line::from(Span::styled(
                "Demo tokens: copy one, press 3, and paste it into the Verify pane",
                theme.header(),
            )));
            for (label, token) in &self.options.sample_tokens {
                lines.push(Line::from(Span::styled(format!("  {label}"), theme.key())));
                lines.push(Line::from(format!("    {token}")));
            }
            lines.push(Line::from(""));
        }
        for (title, bindings) in self.options.keymap.help_sections() {
            lines.push(Line::from(Span::styled(title, theme.header())));
            for (keys, help) in bindings {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {keys:<22}"), theme.key()),
                    Span::raw(help),
                ]));
            }
            lines.push(Line::from(""));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                " Help (any key closes, ↑/↓ scroll) ",
                theme.header(),
            ));
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(block)
                .scroll((self.help_scroll, 0)),
            popup,
        );
    }
}

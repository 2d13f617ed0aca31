//! One theme in the 16 named ANSI colours, or none at all under `NO_COLOR`: then selection is
//! reverse video and status is carried by ✓/✗ marks and bold, never by colour alone.

use ratatui::style::{Color, Modifier, Style};

/// The console's styles.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// True under `NO_COLOR`.
    pub plain: bool,
}

impl Theme {
    /// A theme; `plain` drops every colour.
    pub fn new(plain: bool) -> Theme {
        Theme { plain }
    }

    /// From the environment: `NO_COLOR` set to anything non-empty means plain.
    pub fn from_env() -> Theme {
        Theme::new(std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()))
    }

    fn fg(&self, color: Color) -> Style {
        if self.plain {
            Style::default()
        } else {
            Style::default().fg(color)
        }
    }

    /// The selected row.
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    /// Table headers and labels in focus.
    pub fn header(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    /// The active tab.
    pub fn tab_active(&self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }
    /// Inactive tabs, hints, secondary text.
    pub fn muted(&self) -> Style {
        if self.plain {
            Style::default()
        } else {
            Style::default().fg(Color::DarkGray)
        }
    }
    /// Errors and failing checks.
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    /// Passing checks, valid verdicts.
    pub fn ok(&self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }
    /// Warnings (certificates near expiry).
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    /// Keys in the hint bar.
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    /// Claims the verifier used, in the decoded JSON.
    pub fn highlight(&self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }
    /// Borders.
    pub fn border(&self) -> Style {
        self.fg(Color::Blue)
    }
    /// The focused form field's border or label.
    pub fn focus(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
}

/// A span of untrusted text (a stored, imported or token-derived value), through the one
/// escaping path: control, bidi and invisible characters show as `\u{1b}`.
pub fn untrusted(text: impl AsRef<str>) -> ratatui::text::Span<'static> {
    ratatui::text::Span::raw(crate::text::escape(text.as_ref()).into_owned())
}

/// [`untrusted`] with a style.
pub fn untrusted_styled(
    text: impl AsRef<str>,
    style: ratatui::style::Style,
) -> ratatui::text::Span<'static> {
    ratatui::text::Span::styled(crate::text::escape(text.as_ref()).into_owned(), style)
}

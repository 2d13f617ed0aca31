//! One theme in the 16 named ANSI colours, or none at all under `NO_COLOR`: then selection is
//! reverse video and status is carried by ✓/✗ marks and bold, never by colour alone.

use ratatui::style::{Color, Modifier, Style};

/// The colours of each role, from the 16 named ANSI colours (the config file's `[theme]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Table headers and labels in focus.
    pub header: Color,
    /// The active tab.
    pub tab_active: Color,
    /// Inactive tabs, hints, secondary text.
    pub muted: Color,
    /// Errors and failing checks.
    pub error: Color,
    /// Passing checks, valid verdicts.
    pub ok: Color,
    /// Warnings.
    pub warn: Color,
    /// Keys in the hint bar.
    pub key: Color,
    /// Claims the verifier used.
    pub highlight: Color,
    /// Borders.
    pub border: Color,
    /// The focused field.
    pub focus: Color,
}

impl Default for Palette {
    fn default() -> Self {
        Palette {
            header: Color::Cyan,
            tab_active: Color::Yellow,
            muted: Color::DarkGray,
            error: Color::Red,
            ok: Color::Green,
            warn: Color::Yellow,
            key: Color::Cyan,
            highlight: Color::Magenta,
            border: Color::Blue,
            focus: Color::Yellow,
        }
    }
}

impl Palette {
    /// The roles with their config names, for `[theme]` and `extjwt config`.
    pub fn roles_mut(&mut self) -> [(&'static str, &mut Color); 10] {
        [
            ("header", &mut self.header),
            ("tab_active", &mut self.tab_active),
            ("muted", &mut self.muted),
            ("error", &mut self.error),
            ("ok", &mut self.ok),
            ("warn", &mut self.warn),
            ("key", &mut self.key),
            ("highlight", &mut self.highlight),
            ("border", &mut self.border),
            ("focus", &mut self.focus),
        ]
    }
}

/// The console's styles.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// True under `NO_COLOR`.
    pub plain: bool,
    /// The colours, unless plain.
    pub palette: Palette,
}

impl Theme {
    /// The default palette; `plain` drops every colour.
    pub fn new(plain: bool) -> Theme {
        Theme {
            plain,
            palette: Palette::default(),
        }
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
        self.fg(self.palette.header).add_modifier(Modifier::BOLD)
    }
    /// The active tab.
    pub fn tab_active(&self) -> Style {
        self.fg(self.palette.tab_active)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }
    /// Inactive tabs, hints, secondary text.
    pub fn muted(&self) -> Style {
        self.fg(self.palette.muted)
    }
    /// Errors and failing checks.
    pub fn error(&self) -> Style {
        self.fg(self.palette.error).add_modifier(Modifier::BOLD)
    }
    /// Passing checks, valid verdicts.
    pub fn ok(&self) -> Style {
        self.fg(self.palette.ok).add_modifier(Modifier::BOLD)
    }
    /// Warnings (certificates near expiry).
    pub fn warn(&self) -> Style {
        self.fg(self.palette.warn).add_modifier(Modifier::BOLD)
    }
    /// Keys in the hint bar.
    pub fn key(&self) -> Style {
        self.fg(self.palette.key).add_modifier(Modifier::BOLD)
    }
    /// Claims the verifier used, in the decoded JSON.
    pub fn highlight(&self) -> Style {
        self.fg(self.palette.highlight).add_modifier(Modifier::BOLD)
    }
    /// Borders.
    pub fn border(&self) -> Style {
        self.fg(self.palette.border)
    }
    /// The focused form field's border or label.
    pub fn focus(&self) -> Style {
        self.fg(self.palette.focus).add_modifier(Modifier::BOLD)
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

//! A table over many rows: one column list drives the header, the cells, the sort and the
//! filter, and only the visible window is turned into widgets, so 100 000 rows scroll as fast
//! as 100.

use chrono::{DateTime, Utc};
use memchr::memmem;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, TableState};

use super::theme::Theme;

/// What a cell may depend on besides its row.
#[derive(Debug, Clone, Copy)]
pub struct CellContext {
    /// Now, for "expires in N days" marks.
    pub now: DateTime<Utc>,
}

/// One column: its header, its width rule and how to write its cell.
pub struct Column<T> {
    /// Header text.
    pub title: &'static str,
    /// Width rule.
    pub width: Constraint,
    /// The cell's text; it is also what the column sorts and filters on.
    pub cell: fn(&T, &CellContext) -> String,
}

/// Separates cells inside a row's one string (a control character no cell contains).
const SEP: char = '\u{1f}';

/// One row as the table keeps it.
pub struct TableRow {
    /// Every cell, joined by `SEP`: one allocation a row.
    text: String,
    /// The lowercase text, only when it differs, for case-insensitive filtering.
    lower: Option<Box<str>>,
}

impl TableRow {
    fn cell(&self, index: usize) -> &str {
        self.text.split(SEP).nth(index).unwrap_or("")
    }
    fn haystack(&self) -> &str {
        self.lower.as_deref().unwrap_or(&self.text)
    }
}

/// Rows, with the current sort, filter, selection and scroll position.
pub struct TableModel<T: 'static> {
    columns: &'static [Column<T>],
    id_column: usize,
    noun: (&'static str, &'static str),
    rows: Vec<TableRow>,
    view: Vec<u32>,
    sort: Option<(usize, bool)>,
    filter: String,
    selected: usize,
    offset: usize,
    page: usize,
}

/// Where the last frame put a table: what a mouse click or a page key needs to know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableGeometry {
    /// `(x, width)` of each column's header.
    pub header_hits: Vec<(u16, u16)>,
    /// The header's screen row.
    pub header_row: u16,
    /// The first body row's screen row.
    pub body_top: u16,
    /// Body rows on screen.
    pub page: usize,
    /// The view position of the first body row.
    pub offset: usize,
    /// Rows in the view.
    pub shown: usize,
}

impl TableGeometry {
    /// The column whose header is at screen position (`x`, `y`), if any.
    pub fn header_at(&self, x: u16, y: u16) -> Option<usize> {
        if y != self.header_row {
            return None;
        }
        self.header_hits
            .iter()
            .position(|&(start, width)| x >= start && x < start + width)
    }

    /// The view position of the row at screen line `y`, if any.
    pub fn row_at(&self, y: u16) -> Option<usize> {
        let index = self.offset + y.checked_sub(self.body_top)? as usize;
        (index < self.shown && index < self.offset + self.page).then_some(index)
    }
}

impl<T: 'static> TableModel<T> {
    /// A table of `items`; `id_column` holds each row's id; `noun` is (singular, plural).
    pub fn new(
        columns: &'static [Column<T>],
        id_column: usize,
        noun: (&'static str, &'static str),
    ) -> Self {
        TableModel {
            columns,
            id_column,
            noun,
            rows: Vec::new(),
            view: Vec::new(),
            sort: None,
            filter: String::new(),
            selected: 0,
            offset: 0,
            page: 10,
        }
    }

    /// Replaces the rows with rows built by [`TableModel::row`] (so a caller can stream items
    /// from the store without holding them all).
    pub fn set_rows(&mut self, rows: Vec<TableRow>) {
        let keep = self.selected_id().map(str::to_string);
        self.rows = rows;
        self.rebuild_view();
        if let Some(id) = keep {
            self.select_id(&id);
        }
    }

    /// The stored form of one item.
    pub fn row(&self, item: &T, ctx: &CellContext) -> TableRow {
        self.stored_row(item, ctx)
    }

    /// One row's cells in one string; its lowercase copy only when it differs. (This runs for
    /// every row at start-up, so it avoids allocations it does not need.)
    fn stored_row(&self, item: &T, ctx: &CellContext) -> TableRow {
        let mut text = String::with_capacity(160);
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                text.push(SEP);
            }
            let cell = (column.cell)(item, ctx);
            // Every cell is untrusted (names, issuers, ...); escaping also turns the separator
            // (a control character) into visible text.
            text.push_str(&crate::text::escape(&cell));
        }
        let lower = text
            .chars()
            .any(char::is_uppercase)
            .then(|| text.to_lowercase().into_boxed_str());
        text.shrink_to_fit();
        TableRow { text, lower }
    }

    fn rebuild_view(&mut self) {
        let needle = self.filter.to_lowercase();
        let finder = memmem::Finder::new(needle.as_bytes());
        self.view = (0..self.rows.len() as u32)
            .filter(|&i| {
                needle.is_empty()
                    || finder
                        .find(self.rows[i as usize].haystack().as_bytes())
                        .is_some()
            })
            .collect();
        if let Some((column, reversed)) = self.sort {
            let rows = &self.rows;
            let mut keyed: Vec<(&str, u32)> = self
                .view
                .iter()
                .map(|&i| (rows[i as usize].cell(column), i))
                .collect();
            keyed.sort_by(|a, b| {
                let order = natural_cmp(a.0, b.0);
                if reversed { order.reverse() } else { order }
            });
            self.view = keyed.into_iter().map(|(_, i)| i).collect();
        }
        self.clamp();
    }

    fn clamp(&mut self) {
        if self.view.is_empty() {
            self.selected = 0;
        } else if self.selected >= self.view.len() {
            self.selected = self.view.len() - 1;
        }
    }

    /// The filter text.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Sets the filter (case-insensitive, over every column) and applies it.
    pub fn set_filter(&mut self, filter: &str) {
        if self.filter != filter {
            self.filter = filter.to_string();
            self.selected = 0;
            self.offset = 0;
            self.rebuild_view();
        }
    }

    /// Sorts by the next column (none → first → … → last → first).
    pub fn sort_next(&mut self) {
        let next = match self.sort {
            None => 0,
            Some((c, _)) => (c + 1) % self.columns.len(),
        };
        self.sort_by(next);
    }

    /// Reverses the sort (sorting by the first column if there is none).
    pub fn sort_reverse(&mut self) {
        self.sort = Some(match self.sort {
            None => (0, true),
            Some((c, r)) => (c, !r),
        });
        self.rebuild_view();
    }

    /// Sorts by `column`; again on the same column reverses it.
    pub fn sort_by(&mut self, column: usize) {
        self.sort = Some(match self.sort {
            Some((c, r)) if c == column => (c, !r),
            _ => (column, false),
        });
        let keep = self.selected_id().map(str::to_string);
        self.rebuild_view();
        if let Some(id) = keep {
            self.select_id(&id);
        }
    }

    /// Moves the selection by `delta` rows.
    pub fn move_by(&mut self, delta: isize) {
        if self.view.is_empty() {
            return;
        }
        let last = self.view.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }

    /// Selects the row with this id, if shown.
    pub fn select_id(&mut self, id: &str) -> bool {
        let found = self
            .view
            .iter()
            .position(|&i| self.rows[i as usize].cell(self.id_column) == id);
        if let Some(pos) = found {
            self.selected = pos;
        }
        found.is_some()
    }

    /// The selected row's id.
    pub fn selected_id(&self) -> Option<&str> {
        self.view
            .get(self.selected)
            .map(|&i| self.rows[i as usize].cell(self.id_column))
    }

    /// How many rows exist in all.
    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// How many rows the filter lets through.
    pub fn shown(&self) -> usize {
        self.view.len()
    }

    /// "3 of 12 signers", or "12 signers" without a filter.
    pub fn count_text(&self) -> String {
        let noun = if self.rows.len() == 1 {
            self.noun.0
        } else {
            self.noun.1
        };
        if self.filter.is_empty() {
            format!("{} {noun}", self.rows.len())
        } else {
            format!("{} of {} {noun}", self.view.len(), self.rows.len())
        }
    }

    /// Rows on one page, as last drawn (PgUp/PgDn move this far).
    pub fn page_size(&self) -> usize {
        self.page
    }

    /// Selects a view position (from a mouse click).
    pub fn select_position(&mut self, position: usize) {
        if position < self.view.len() {
            self.selected = position;
        }
    }

    /// Takes in where the last frame put the table: its page size and scroll position.
    pub fn apply_geometry(&mut self, geometry: &TableGeometry) {
        self.page = geometry.page.max(1);
        self.offset = geometry.offset;
    }

    /// The first visible row for a body of `body_height` rows: the last frame's scroll
    /// position, moved just enough to show the selection.
    fn offset_for(&self, body_height: usize) -> usize {
        let mut offset = self.offset;
        if self.selected < offset {
            offset = self.selected;
        } else if self.selected >= offset + body_height {
            offset = self.selected + 1 - body_height;
        }
        if offset + body_height > self.view.len() {
            offset = self.view.len().saturating_sub(body_height);
        }
        offset
    }

    /// Draws the visible window into `area`; `decorate` may style a cell (status marks).
    /// Returns where it drew, for [`apply_geometry`](Self::apply_geometry).
    pub fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        theme: &Theme,
        decorate: fn(usize, &str, &Theme) -> ratatui::style::Style,
    ) -> TableGeometry {
        if area.height < 2 || area.width < 4 {
            return TableGeometry::default();
        }
        let body_height = (area.height - 1) as usize;
        let offset = self.offset_for(body_height);
        let widths: Vec<Constraint> = self.columns.iter().map(|c| c.width).collect();
        let rects = Layout::horizontal(widths.clone()).spacing(1).split(area);
        let geometry = TableGeometry {
            header_hits: rects.iter().map(|r| (r.x, r.width)).collect(),
            header_row: area.y,
            body_top: area.y + 1,
            page: body_height.max(1),
            offset,
            shown: self.view.len(),
        };
        let header = Row::new(self.columns.iter().enumerate().map(|(i, c)| {
            let arrow = match self.sort {
                Some((s, false)) if s == i => " ▲",
                Some((s, true)) if s == i => " ▼",
                _ => "",
            };
            // The arrow always shows; the title gives way when the column is narrow.
            let width = rects.get(i).map_or(0, |r| r.width as usize);
            let room = width.saturating_sub(arrow.chars().count());
            Cell::from(format!("{}{arrow}", fit(c.title, room)))
        }))
        .style(theme.header());
        let end = (offset + body_height).min(self.view.len());
        let rows = self.view[offset..end].iter().map(|&i| {
            let row = &self.rows[i as usize];
            Row::new(row.text.split(SEP).enumerate().map(|(c, text)| {
                let width = rects.get(c).map_or(0, |r| r.width as usize);
                let shown = fit(text, width);
                Cell::from(Line::from(Span::styled(shown, decorate(c, text, theme))))
            }))
        });
        let table = Table::new(rows, widths)
            .header(header)
            .column_spacing(1)
            .row_highlight_style(theme.selected());
        let mut state = TableState::default();
        if !self.view.is_empty() {
            state.select(Some(self.selected - offset));
        }
        frame.render_stateful_widget(table, area, &mut state);
        geometry
    }
}

/// Shortens `text` to `width` columns with a trailing `…`.
pub fn fit(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let mut s: String = text.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

/// Case-insensitive order with numbers compared by value ("signer-9" before "signer-10").
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let mut n = String::new();
                while let Some(c) = x.peek().filter(|c| c.is_ascii_digit()) {
                    n.push(*c);
                    x.next();
                }
                let mut m = String::new();
                while let Some(d) = y.peek().filter(|d| d.is_ascii_digit()) {
                    m.push(*d);
                    y.next();
                }
                let (n, m) = (n.trim_start_matches('0'), m.trim_start_matches('0'));
                let order = n.len().cmp(&m.len()).then_with(|| n.cmp(m));
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
            }
            (Some(c), Some(d)) => {
                let order = c.to_lowercase().cmp(d.to_lowercase());
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
                x.next();
                y.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["signer-10", "Signer-9", "alpha", "signer-1"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["alpha", "signer-1", "Signer-9", "signer-10"]);
    }

    #[test]
    fn fit_marks_truncation() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
    }
}

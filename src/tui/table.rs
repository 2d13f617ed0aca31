//! A table over many rows: one column list drives the header, the cells, the sort and the
//! filter, and only the visible window is turned into widgets, so 100 000 rows scroll as fast
//! as 100.

use chrono::{DateTime, Utc};
use memchr::memmem;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, TableState};

use super::theme::Theme;

/// What a cell may depend on besides its row.
#[derive(Debug, Clone, Copy)]
pub struct CellContext {
    /// Now, for "expires in N days" marks.
    pub now: DateTime<Utc>,
}

/// How a cell too long for its column is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Keep the start, end with `…` (names).
    End,
    /// Keep both ends around a `…`: the part of a URL that tells two apart is often its end.
    Middle,
    /// Keep the first `n` columns without a mark, when that fits (the date of a date-time).
    Prefix(usize),
}

/// A column's width rule (design §6 "Tables"): every shown column gets its minimum, then the
/// columns reach their natural width (their widest cell, at most `max`) in priority order, and
/// what is left is spread over the columns that may grow. When even the minimums do not fit,
/// empty `hide_empty` columns go first, then the least important ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Width {
    /// Never narrower while shown.
    pub min: u16,
    /// Never wider than this; `u16::MAX` takes what is left.
    pub max: u16,
    /// 0 reaches its natural width first and is hidden last.
    pub priority: u8,
    /// How a long cell is cut.
    pub cut: Cut,
    /// Hidden when the table is narrow and every cell is empty.
    pub hide_empty: bool,
}

impl Width {
    /// A column between `min` and `max` columns wide, at `priority`.
    pub const fn new(min: u16, max: u16, priority: u8) -> Width {
        Width {
            min,
            max,
            priority,
            cut: Cut::End,
            hide_empty: false,
        }
    }

    /// A fixed width.
    pub const fn fixed(width: u16, priority: u8) -> Width {
        Width::new(width, width, priority)
    }

    /// Cut in the middle (URLs).
    pub const fn middle(self) -> Width {
        Width {
            cut: Cut::Middle,
            ..self
        }
    }

    /// Cut to the first `n` columns (a date-time's date).
    pub const fn prefix(self, n: usize) -> Width {
        Width {
            cut: Cut::Prefix(n),
            ..self
        }
    }

    /// Hidden when narrow and empty.
    pub const fn hide_empty(self) -> Width {
        Width {
            hide_empty: true,
            ..self
        }
    }
}

/// The width of each column (0: hidden) for a table `total` columns wide with one space
/// between shown columns. `natural` is each column's widest cell or title; `empty` says
/// which columns hold nothing.
pub fn allocate(rules: &[Width], natural: &[u16], empty: &[bool], total: u16) -> Vec<u16> {
    let n = rules.len();
    let want: Vec<u16> = (0..n)
        .map(|c| {
            natural
                .get(c)
                .copied()
                .unwrap_or(0)
                .clamp(rules[c].min, rules[c].max)
        })
        .collect();
    let mut shown = vec![true; n];
    let used = |shown: &[bool], widths: &[u16]| -> u32 {
        let count = shown.iter().filter(|s| **s).count() as u32;
        (0..n)
            .filter(|&c| shown[c])
            .map(|c| widths[c] as u32)
            .sum::<u32>()
            + count.saturating_sub(1)
    };
    let total = total as u32;
    if used(&shown, &want) > total {
        for c in 0..n {
            if rules[c].hide_empty && empty.get(c).copied().unwrap_or(false) {
                shown[c] = false;
            }
        }
    }
    let mins: Vec<u16> = rules.iter().map(|r| r.min).collect();
    while used(&shown, &mins) > total && shown.iter().filter(|s| **s).count() > 1 {
        let least = (0..n)
            .filter(|&c| shown[c])
            .max_by_key(|&c| (rules[c].priority, c))
            .unwrap_or(0);
        shown[least] = false;
    }
    let mut widths: Vec<u16> = (0..n).map(|c| if shown[c] { mins[c] } else { 0 }).collect();
    let mut room = total.saturating_sub(used(&shown, &widths));
    let mut order: Vec<usize> = (0..n).filter(|&c| shown[c]).collect();
    order.sort_by_key(|&c| (rules[c].priority, c));
    for &c in &order {
        let mut grow = ((want[c] - widths[c]) as u32).min(room);
        // A column that cannot show its cells whole but has a useful prefix (a date-time's
        // date) takes just the prefix and leaves the rest to others.
        if let Cut::Prefix(n) = rules[c].cut
            && (widths[c] as u32 + grow) < want[c] as u32
        {
            grow = grow.min((n as u32).saturating_sub(widths[c] as u32));
        }
        widths[c] += grow as u16;
        room -= grow;
    }
    // What is left is spread over the columns that may still grow (not the fixed ones), so a
    // wide terminal shows air between every column rather than one vast one.
    loop {
        let growing: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&c| widths[c] < rules[c].max && rules[c].min != rules[c].max)
            .collect();
        if room == 0 || growing.is_empty() {
            break;
        }
        let share = (room / growing.len() as u32).max(1);
        for &c in &growing {
            let grow = share.min(room).min((rules[c].max - widths[c]) as u32);
            widths[c] += grow as u16;
            room -= grow;
        }
    }
    widths
}

/// `text` cut to `width` display columns the way `cut` says.
pub fn fit_cut(text: &str, width: usize, cut: Cut) -> String {
    use unicode_width::UnicodeWidthStr;
    if text.width() <= width {
        return text.to_string();
    }
    match cut {
        Cut::Prefix(n) if n <= width => take_width(text, n).0.to_string(),
        Cut::Middle if width >= 3 => {
            let tail_room = (width - 1) / 2;
            let head_room = width - 1 - tail_room;
            let head = take_width(text, head_room).0;
            let tail = take_width_from_end(text, tail_room);
            format!("{head}…{tail}")
        }
        _ => fit(text, width),
    }
}

/// The longest prefix of `text` at most `width` display columns wide, and its width.
fn take_width(text: &str, width: usize) -> (&str, usize) {
    use unicode_width::UnicodeWidthChar;
    let mut used = 0;
    for (at, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            return (&text[..at], used);
        }
        used += w;
    }
    (text, used)
}

/// The longest suffix of `text` at most `width` display columns wide.
fn take_width_from_end(text: &str, width: usize) -> &str {
    use unicode_width::UnicodeWidthChar;
    let mut used = 0;
    let mut start = text.len();
    for (at, c) in text.char_indices().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        start = at;
    }
    &text[start..]
}

/// One column: its header, its width rule and how to write its cell.
pub struct Column<T> {
    /// Header text.
    pub title: &'static str,
    /// Width rule.
    pub width: Width,
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
    /// Each column's widest cell or title, in display columns (capped at its maximum).
    natural: Vec<u16>,
    /// Columns no row has anything in.
    empty: Vec<bool>,
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
            natural: columns
                .iter()
                .map(|c| unicode_width::UnicodeWidthStr::width(c.title) as u16)
                .collect(),
            empty: vec![true; columns.len()],
        }
    }

    /// Replaces the rows with rows built by [`TableModel::row`] (so a caller can stream items
    /// from the store without holding them all).
    pub fn set_rows(&mut self, rows: Vec<TableRow>) {
        let keep = self.selected_id().map(str::to_string);
        self.rows = rows;
        self.measure();
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

    /// Measures each column's natural width and emptiness over every row (once per load,
    /// so widths do not jump while scrolling).
    fn measure(&mut self) {
        let caps: Vec<usize> = self.columns.iter().map(|c| c.width.max as usize).collect();
        let mut natural: Vec<usize> = self
            .columns
            .iter()
            .map(|c| unicode_width::UnicodeWidthStr::width(c.title))
            .collect();
        let mut empty = vec![true; self.columns.len()];
        for row in &self.rows {
            for (c, cell) in row.text.split(SEP).enumerate().take(natural.len()) {
                if cell.is_empty() {
                    continue;
                }
                empty[c] = false;
                if natural[c] < caps[c] {
                    // ASCII (the common case) is as wide as it is long.
                    let width = if cell.is_ascii() {
                        cell.len()
                    } else {
                        unicode_width::UnicodeWidthStr::width(cell)
                    };
                    natural[c] = natural[c].max(width.min(caps[c]));
                }
            }
        }
        self.natural = natural
            .into_iter()
            .map(|w| w.min(u16::MAX as usize) as u16)
            .collect();
        self.empty = empty;
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
        let rules: Vec<Width> = self.columns.iter().map(|c| c.width).collect();
        let widths = allocate(&rules, &self.natural, &self.empty, area.width);
        let mut x = area.x;
        let mut hits = Vec::with_capacity(widths.len());
        for &w in &widths {
            hits.push((x, w));
            if w > 0 {
                x = x.saturating_add(w + 1);
            }
        }
        let shown: Vec<usize> = (0..widths.len()).filter(|&c| widths[c] > 0).collect();
        let geometry = TableGeometry {
            header_hits: hits,
            header_row: area.y,
            body_top: area.y + 1,
            page: body_height.max(1),
            offset,
            shown: self.view.len(),
        };
        let header = Row::new(shown.iter().map(|&i| {
            let c = &self.columns[i];
            let arrow = match self.sort {
                Some((s, false)) if s == i => " ▲",
                Some((s, true)) if s == i => " ▼",
                _ => "",
            };
            // The arrow always shows; the title gives way when the column is narrow.
            let room = (widths[i] as usize).saturating_sub(arrow.chars().count());
            Cell::from(format!("{}{arrow}", fit(c.title, room)))
        }))
        .style(theme.header());
        let end = (offset + body_height).min(self.view.len());
        let rows = self.view[offset..end].iter().map(|&i| {
            let row = &self.rows[i as usize];
            let cells: Vec<&str> = row.text.split(SEP).collect();
            Row::new(shown.iter().map(|&c| {
                let text = cells.get(c).copied().unwrap_or("");
                let shown = fit_cut(text, widths[c] as usize, self.columns[c].width.cut);
                Cell::from(Line::from(Span::styled(shown, decorate(c, text, theme))))
            }))
        });
        let constraints: Vec<Constraint> = shown
            .iter()
            .map(|&c| Constraint::Length(widths[c]))
            .collect();
        let table = Table::new(rows, constraints)
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

/// Shortens `text` to `width` display columns with a trailing `…` (CJK and emoji count two).
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if text.width() <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        format!("{}…", take_width(text, width - 1).0)
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
    fn columns_reach_their_width_in_priority_order() {
        let rules = [
            Width::new(6, 40, 0),
            Width::new(12, u16::MAX, 1).middle(),
            Width::new(10, 16, 5).prefix(10),
            Width::new(5, 9, 4).hide_empty(),
        ];
        // Wide: everyone natural, the rest spread over the columns that may grow.
        assert_eq!(
            allocate(&rules, &[16, 60, 16, 9], &[false; 4], 120),
            vec![24, 68, 16, 9]
        );
        // Narrow: the name is whole, the issuer gives way, the date-time shrinks to a date.
        assert_eq!(
            allocate(&rules, &[16, 60, 16, 9], &[false; 4], 50),
            vec![16, 16, 10, 5]
        );
        // An empty certificate column goes before anything is cut further.
        assert_eq!(
            allocate(&rules, &[16, 60, 16, 9], &[false, false, false, true], 50),
            vec![16, 22, 10, 0]
        );
        // Below every minimum, the least important columns are hidden.
        assert_eq!(
            allocate(&rules, &[16, 60, 16, 9], &[false; 4], 20),
            vec![7, 12, 0, 0]
        );
    }

    #[test]
    fn cells_are_cut_by_display_width_where_it_tells_them_apart() {
        assert_eq!(
            fit_cut(
                "https://login.microsoftonline.com/tenant-a/v2.0",
                25,
                Cut::Middle
            ),
            "https://logi…enant-a/v2.0"
        );
        assert_eq!(
            fit_cut("2026-11-02 09:15", 12, Cut::Prefix(10)),
            "2026-11-02"
        );
        assert_eq!(fit_cut("2026-11-02 09:15", 8, Cut::Prefix(10)), "2026-11…");
        // CJK is two columns a character.
        assert_eq!(fit("日本語の名前", 7), "日本語…");
        assert_eq!(fit_cut("日本語の名前", 12, Cut::End), "日本語の名前");
    }

    #[test]
    fn fit_marks_truncation() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
    }
}

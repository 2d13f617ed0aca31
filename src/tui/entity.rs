//! The generic entity table component: one table (with its filter, sort and selection), its
//! form, its delete and its detail view, driven by a per-entity [`Descriptor`]. Signers,
//! identities and auth policies are descriptors; the app holds one [`EntityTable`] each and
//! talks to them through [`EntityScreen`], never through per-entity branches.

use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

use super::form::Form;
use super::keymap::{Action, Context};
use super::table::{CellContext, Column, TableGeometry, TableModel};
use super::theme::Theme;
use crate::store::{Store, StoreError};

/// Which kind of row a table, form or detail view is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// A signer.
    Signer,
    /// An identity.
    Identity,
    /// An auth policy.
    AuthPolicy,
}

impl Entity {
    /// Every entity, in the order the app keeps their tables.
    pub const ALL: [Entity; 3] = [Entity::Signer, Entity::Identity, Entity::AuthPolicy];

    /// "signer", "identity", "auth policy".
    pub fn noun(self) -> &'static str {
        match self {
            Entity::Signer => "signer",
            Entity::Identity => "identity",
            Entity::AuthPolicy => "auth policy",
        }
    }

    /// Its position in [`Entity::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What a detail view may show besides the row.
pub struct DetailContext<'a> {
    /// Colours.
    pub theme: &'a Theme,
    /// Now (expiry marks, timed locks).
    pub now: DateTime<Utc>,
    /// "update by alice at …", from the audit log.
    pub last_change: Option<String>,
}

/// Why a form was not saved.
pub enum SaveFailure {
    /// Field errors, keyed by form row.
    Fields(Vec<(&'static str, String)>),
    /// The store refused it.
    Store(StoreError),
}

impl SaveFailure {
    /// Validates with `validate` and checks `taken` (the store's uniqueness conflicts for the
    /// same draft): Ok only when both are clean, else every problem at once, the model's error
    /// first where both concern one field. `key` maps a field to its form row.
    pub fn check<T>(
        validate: impl FnOnce() -> Result<T, crate::model::ValidationErrors>,
        taken: Vec<crate::store::FieldConflict>,
        key: impl Fn(&'static str) -> &'static str,
    ) -> Result<T, SaveFailure> {
        let (valid, mut errors) = match validate() {
            Ok(valid) => (Some(valid), Vec::new()),
            Err(e) => (
                None,
                e.0.into_iter()
                    .map(|e| (key(e.field), e.message))
                    .collect::<Vec<_>>(),
            ),
        };
        for (field, message) in taken {
            let row = key(field);
            if !errors.iter().any(|(f, _)| *f == row) {
                errors.push((row, message));
            }
        }
        match valid {
            Some(valid) if errors.is_empty() => Ok(valid),
            _ => Err(SaveFailure::Fields(errors)),
        }
    }
}

/// Everything that differs between entities, as data and functions: the rest of the console
/// is shared.
pub trait Descriptor: 'static {
    /// What one table row is built from.
    type Row: 'static;
    /// Which entity.
    const ENTITY: Entity;
    /// The table's title.
    const TITLE: &'static str;
    /// (singular, plural), for counts and messages.
    const NOUNS: (&'static str, &'static str);
    /// The columns: header, cells, sort and filter.
    fn columns() -> &'static [Column<Self::Row>];
    /// The column holding ids.
    const ID_COLUMN: usize;
    /// Keymap contexts this entity adds to its table and detail view (the signer check key).
    fn contexts() -> &'static [Context] {
        &[]
    }
    /// Styles a cell (status marks); plain by default.
    fn decorate(_column: usize, _text: &str, _theme: &Theme) -> Style {
        Style::default()
    }
    /// Streams every row, ordered by name.
    fn load(store: &Store, push: &mut dyn FnMut(&Self::Row)) -> Result<(), StoreError>;
    /// An empty form for a new row (choices read from the store).
    fn new_form(store: &Store) -> Result<Form, StoreError>;
    /// A form filled from row `id`, with the version it read.
    fn edit_form(store: &Store, id: &str) -> Result<(Form, i64), StoreError>;
    /// Validates and saves the form; returns the row's (id, name).
    fn save(
        store: &mut Store,
        form: &Form,
        editing: Option<&(String, i64)>,
    ) -> Result<(String, String), SaveFailure>;
    /// Maps a field named by a store error to the form row that shows it.
    fn form_key(field: &'static str, _form: &Form) -> &'static str {
        field
    }
    /// The confirmation question naming row `id`, or None when it is gone.
    fn delete_question(store: &Store, id: &str) -> Result<Option<String>, StoreError>;
    /// Deletes row `id` (the store refuses what is still referenced).
    fn delete(store: &mut Store, id: &str) -> Result<(), StoreError>;
    /// The detail view's title and lines, or None when the row is gone.
    fn detail(
        store: &Store,
        id: &str,
        ctx: &DetailContext<'_>,
    ) -> Result<Option<(String, Vec<Line<'static>>)>, StoreError>;
}

/// A table of one entity, and its flows.
pub struct EntityTable<D: Descriptor> {
    model: TableModel<D::Row>,
    _descriptor: PhantomData<D>,
}

impl<D: Descriptor> EntityTable<D> {
    /// An empty table.
    pub fn new() -> Self {
        EntityTable {
            model: TableModel::new(D::columns(), D::ID_COLUMN, D::NOUNS),
            _descriptor: PhantomData,
        }
    }
}

impl<D: Descriptor> Default for EntityTable<D> {
    fn default() -> Self {
        Self::new()
    }
}

/// The entity table as the app sees it, whatever the entity.
pub trait EntityScreen {
    /// Takes an action meant for the table in front (movement, sorting, clicks); false when
    /// it is not one of those.
    fn update(&mut self, action: Action) -> bool {
        self.table_mut().update(action)
    }

    /// Which entity.
    fn entity(&self) -> Entity;
    /// The table's title.
    fn title(&self) -> &'static str;
    /// (singular, plural).
    fn nouns(&self) -> (&'static str, &'static str);
    /// See [`Descriptor::contexts`].
    fn contexts(&self) -> &'static [Context];
    /// Reloads the rows, keeping the selection.
    fn reload(&mut self, store: &Store, ctx: &CellContext) -> Result<(), StoreError>;
    /// The table itself.
    fn table(&self) -> &dyn TableView;
    /// The table itself, to move in.
    fn table_mut(&mut self) -> &mut dyn TableView;
    /// Draws the table.
    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme) -> TableGeometry;
    /// See [`Descriptor::new_form`].
    fn new_form(&self, store: &Store) -> Result<Form, StoreError>;
    /// See [`Descriptor::edit_form`].
    fn edit_form(&self, store: &Store, id: &str) -> Result<(Form, i64), StoreError>;
    /// See [`Descriptor::save`].
    fn save(
        &self,
        store: &mut Store,
        form: &Form,
        editing: Option<&(String, i64)>,
    ) -> Result<(String, String), SaveFailure>;
    /// See [`Descriptor::form_key`].
    fn form_key(&self, field: &'static str, form: &Form) -> &'static str;
    /// See [`Descriptor::delete_question`].
    fn delete_question(&self, store: &Store, id: &str) -> Result<Option<String>, StoreError>;
    /// See [`Descriptor::delete`].
    fn delete(&self, store: &mut Store, id: &str) -> Result<(), StoreError>;
    /// See [`Descriptor::detail`].
    fn detail(
        &self,
        store: &Store,
        id: &str,
        ctx: &DetailContext<'_>,
    ) -> Result<Option<(String, Vec<Line<'static>>)>, StoreError>;
}

impl<D: Descriptor> EntityScreen for EntityTable<D> {
    fn entity(&self) -> Entity {
        D::ENTITY
    }
    fn title(&self) -> &'static str {
        D::TITLE
    }
    fn nouns(&self) -> (&'static str, &'static str) {
        D::NOUNS
    }
    fn contexts(&self) -> &'static [Context] {
        D::contexts()
    }
    fn reload(&mut self, store: &Store, ctx: &CellContext) -> Result<(), StoreError> {
        // Streamed into table rows: 100 000 signers never sit in memory twice.
        let mut rows = Vec::new();
        let model = &self.model;
        D::load(store, &mut |item| rows.push(model.row(item, ctx)))?;
        self.model.set_rows(rows);
        Ok(())
    }
    fn table(&self) -> &dyn TableView {
        &self.model
    }
    fn table_mut(&mut self) -> &mut dyn TableView {
        &mut self.model
    }
    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme) -> TableGeometry {
        self.model.render(frame, area, theme, D::decorate)
    }
    fn new_form(&self, store: &Store) -> Result<Form, StoreError> {
        D::new_form(store)
    }
    fn edit_form(&self, store: &Store, id: &str) -> Result<(Form, i64), StoreError> {
        D::edit_form(store, id)
    }
    fn save(
        &self,
        store: &mut Store,
        form: &Form,
        editing: Option<&(String, i64)>,
    ) -> Result<(String, String), SaveFailure> {
        D::save(store, form, editing)
    }
    fn form_key(&self, field: &'static str, form: &Form) -> &'static str {
        D::form_key(field, form)
    }
    fn delete_question(&self, store: &Store, id: &str) -> Result<Option<String>, StoreError> {
        D::delete_question(store, id)
    }
    fn delete(&self, store: &mut Store, id: &str) -> Result<(), StoreError> {
        D::delete(store, id)
    }
    fn detail(
        &self,
        store: &Store,
        id: &str,
        ctx: &DetailContext<'_>,
    ) -> Result<Option<(String, Vec<Line<'static>>)>, StoreError> {
        D::detail(store, id, ctx)
    }
}

/// What the app asks of a table, whatever its row type.
pub trait TableView {
    /// Moves the selection.
    fn move_by(&mut self, delta: isize);
    /// Sorts by the next column.
    fn sort_next(&mut self);
    /// Reverses the sort.
    fn sort_reverse(&mut self);
    /// Sorts by a column (a header click).
    fn sort_by(&mut self, column: usize);
    /// The filter text.
    fn filter(&self) -> &str;
    /// Sets the filter.
    fn set_filter(&mut self, filter: &str);
    /// Selects the row with this id; false when it is not shown.
    fn select_id(&mut self, id: &str) -> bool;
    /// The selected row's id.
    fn selected_id(&self) -> Option<&str>;
    /// Selects a view position (a click).
    fn select_position(&mut self, position: usize);
    /// Takes in where the last frame drew the table (page size, scroll position).
    fn apply_geometry(&mut self, geometry: &TableGeometry);
    /// Takes a movement, sort or click action; false when it is not one of these.
    fn update(&mut self, action: Action) -> bool {
        let page = self.page_size().max(1) as isize;
        match action {
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-page),
            Action::PageDown => self.move_by(page),
            Action::Home => self.move_by(isize::MIN / 2),
            Action::End => self.move_by(isize::MAX / 2),
            Action::SortNext => self.sort_next(),
            Action::SortReverse => self.sort_reverse(),
            Action::SortBy(column) => self.sort_by(column),
            Action::SelectRow(position) => self.select_position(position),
            _ => return false,
        }
        true
    }
    /// Rows a page holds.
    fn page_size(&self) -> usize;
    /// "3 of 12 signers".
    fn count_text(&self) -> String;
    /// Rows in all.
    fn total(&self) -> usize;
    /// Rows the filter lets through.
    fn shown(&self) -> usize;
}

impl<T: 'static> TableView for TableModel<T> {
    fn move_by(&mut self, delta: isize) {
        TableModel::move_by(self, delta)
    }
    fn sort_next(&mut self) {
        TableModel::sort_next(self)
    }
    fn sort_reverse(&mut self) {
        TableModel::sort_reverse(self)
    }
    fn sort_by(&mut self, column: usize) {
        TableModel::sort_by(self, column)
    }
    fn filter(&self) -> &str {
        TableModel::filter(self)
    }
    fn set_filter(&mut self, filter: &str) {
        TableModel::set_filter(self, filter)
    }
    fn select_id(&mut self, id: &str) -> bool {
        TableModel::select_id(self, id)
    }
    fn selected_id(&self) -> Option<&str> {
        TableModel::selected_id(self)
    }
    fn select_position(&mut self, position: usize) {
        TableModel::select_position(self, position)
    }
    fn apply_geometry(&mut self, geometry: &TableGeometry) {
        TableModel::apply_geometry(self, geometry)
    }
    fn page_size(&self) -> usize {
        TableModel::page_size(self)
    }
    fn count_text(&self) -> String {
        TableModel::count_text(self)
    }
    fn total(&self) -> usize {
        TableModel::total(self)
    }
    fn shown(&self) -> usize {
        TableModel::shown(self)
    }
}

/// The labelled rows of a detail view, aligned.
pub fn field_lines(
    rows: Vec<(&str, ratatui::text::Span<'static>)>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    rows.into_iter()
        .map(|(label, value)| {
            Line::from(vec![
                super::theme::untrusted_styled(format!("{label:>20}  "), theme.header()),
                value,
            ])
        })
        .collect()
}

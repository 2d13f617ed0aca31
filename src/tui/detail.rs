//! The detail views' content, read from the store when a view opens or the data changes (never
//! while drawing a frame: the identity view reads every signer).

use ratatui::text::{Line, Span};

use super::app::{App, Entity};
use super::entity::DetailContext;
use super::theme::untrusted_styled;
use crate::verify::doctor::{self, Severity};

impl App {
    /// The title and lines of the detail view of row `id`.
    pub(super) fn detail_content(&self, entity: Entity, id: &str) -> (String, Vec<Line<'static>>) {
        let theme = self.options.theme;
        let last_change = match self.store.audit_log(1, Some(id)) {
            Ok(log) => log.into_iter().next().map(|e| {
                let who = match e.client_address {
                    Some(addr) => format!("{} from {addr}", e.actor),
                    None => e.actor,
                };
                format!("{} by {who} at {}", e.action, e.at)
            }),
            Err(e) => Some(format!("(the audit log cannot be read: {e})")),
        };
        let ctx = DetailContext {
            theme: &theme,
            now: self.now(),
            last_change,
        };
        let gone = |text: String| (format!(" {} ", entity.noun()), vec![Line::from(text)]);
        match self.screen(entity).detail(&self.store, id, &ctx) {
            Ok(Some(content)) => content,
            Ok(None) => gone(format!("This {} no longer exists.", entity.noun())),
            // Shown, never swallowed: the view says what the store said.
            Err(e) => gone(format!("The {} cannot be read: {e}", entity.noun())),
        }
    }

    /// The title and lines of the doctor's view of signer `id`: a summary, then each finding,
    /// errors first, with ✗ / ! / · marks so severity never relies on colour.
    pub(super) fn check_content(&self, id: &str) -> (String, Vec<Line<'static>>) {
        let theme = self.options.theme;
        let all = match self.store.list_signers() {
            Ok(all) => all,
            Err(e) => {
                return (
                    " Check ".to_string(),
                    vec![Line::from(format!("The signers cannot be read: {e}"))],
                );
            }
        };
        let Some(signer) = all.iter().find(|s| s.id == id).cloned() else {
            return (
                " Check ".to_string(),
                vec![Line::from("This signer no longer exists.")],
            );
        };
        let mut findings = doctor::check(
            std::slice::from_ref(&signer),
            &all,
            &self.key_cache(),
            self.now(),
            false,
        );
        findings.sort_by_key(|f| f.severity);
        let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
        let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let summary = match (errors, warnings) {
            (0, 0) => Span::styled("✓ no problems found", theme.ok()),
            (0, w) => Span::styled(
                format!("! {}, no errors", plural(w, "warning")),
                theme.warn(),
            ),
            (e, w) => Span::styled(
                format!("✗ {}, {}", plural(e, "error"), plural(w, "warning")),
                theme.error(),
            ),
        };
        let mut lines = vec![Line::from(summary), Line::from("")];
        for finding in &findings {
            let (mark, style) = match finding.severity {
                Severity::Error => ("✗ error  ", theme.error()),
                Severity::Warning => ("! warning ", theme.warn()),
                Severity::Info => ("· info   ", theme.muted()),
            };
            lines.push(Line::from(vec![
                Span::styled(mark, style),
                untrusted_styled(finding.message.clone(), style),
            ]));
        }
        (
            format!(
                " Check: signer {} ",
                crate::text::escape(&signer.draft.name)
            ),
            lines,
        )
    }
}

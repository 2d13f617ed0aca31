//! The detail views' content, read from the store when a view opens or the data changes (never
//! while drawing a frame: the identity view reads every signer).

use ratatui::text::Line;

use super::app::{App, Entity};
use super::{identities, signers};

impl App {
    /// The title and lines of the detail view of row `id`.
    pub(super) fn detail_content(&self, entity: Entity, id: &str) -> (String, Vec<Line<'static>>) {
        let theme = self.options.theme;
        let last_change = self.store.audit_log(1, Some(id)).ok().and_then(|log| {
            log.into_iter().next().map(|e| {
                let who = match e.client_address {
                    Some(addr) => format!("{} from {addr}", e.actor),
                    None => e.actor,
                };
                format!("{} by {who} at {}", e.action, e.at)
            })
        });
        match entity {
            Entity::Signer => match self.store.signer_by_id(id) {
                Ok(Some(s)) => (
                    format!(" Signer {} ", s.draft.name),
                    signers::detail_lines(&s, self.now(), &theme, last_change),
                ),
                _ => (
                    " Signer ".to_string(),
                    vec![Line::from("This signer no longer exists.")],
                ),
            },
            Entity::Identity => match self.store.identity_by_id(id) {
                Ok(Some(i)) => {
                    let all = self.store.list_signers().unwrap_or_default();
                    (
                        format!(" Identity {} ", i.draft.name),
                        identities::detail_lines(&i, &all, &theme, last_change),
                    )
                }
                _ => (
                    " Identity ".to_string(),
                    vec![Line::from("This identity no longer exists.")],
                ),
            },
        }
    }
}

//! The command palette (Ctrl+Shift+P): every [`Action`] with its shortcut, filtered as you
//! type; Enter runs the highlighted one, the arrow keys move, Escape closes.

use egui::{Key, RichText};

use super::actions::Action;
use super::app::WorkbenchApp;

/// The palette's transient state.
#[derive(Debug, Clone, Default)]
pub struct Palette {
    /// The filter text.
    pub query: String,
    /// Highlighted entry among the matches.
    pub cursor: usize,
}

/// Whether `action` matches `query`: every word of the query is in its text or help
/// (case-insensitive).
#[must_use]
pub fn matches(action: Action, query: &str) -> bool {
    let hay = format!("{} {}", action.text(), action.help()).to_lowercase();
    query.to_lowercase().split_whitespace().all(|w| hay.contains(w))
}

impl WorkbenchApp {
    /// Draws the palette if it is open, and runs what was picked.
    pub fn palette_ui(&mut self, ctx: &egui::Context) {
        let Some(mut p) = self.palette.take() else { return };
        let found: Vec<Action> = Action::all().filter(|&a| matches(a, &p.query)).collect();
        let (up, down, enter, escape) = ctx.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, Key::ArrowUp),
                i.consume_key(egui::Modifiers::NONE, Key::ArrowDown),
                i.consume_key(egui::Modifiers::NONE, Key::Enter),
                i.consume_key(egui::Modifiers::NONE, Key::Escape),
            )
        });
        if down {
            p.cursor = (p.cursor + 1).min(found.len().saturating_sub(1));
        }
        if up {
            p.cursor = p.cursor.saturating_sub(1);
        }
        p.cursor = p.cursor.min(found.len().saturating_sub(1));
        let mut run = enter.then(|| found.get(p.cursor).copied()).flatten();
        let mut open = !escape;
        egui::Window::new("Command palette")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
            .default_width(520.0)
            .open(&mut open)
            .show(ctx, |ui| {
                let label = ui.label("Command");
                let r = ui.add(
                    egui::TextEdit::singleline(&mut p.query).hint_text("type to filter actions").desired_width(480.0),
                );
                let r = r.labelled_by(label.id);
                if !r.has_focus() && !r.lost_focus() {
                    r.request_focus();
                }
                if r.changed() {
                    p.cursor = 0;
                }
                ui.separator();
                egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
                    if found.is_empty() {
                        ui.label("No action matches.");
                    }
                    for (i, &a) in found.iter().enumerate() {
                        let enabled = self.action_enabled(a);
                        let mut b = egui::Button::selectable(i == p.cursor, RichText::new(a.text()));
                        if let Some(s) = a.shortcut() {
                            b = b.shortcut_text(ui.ctx().format_shortcut(&s));
                        }
                        let resp = ui.add_enabled(enabled, b).on_hover_text(a.help());
                        if resp.clicked() {
                            run = Some(a);
                        }
                        if i == p.cursor {
                            resp.scroll_to_me(None);
                        }
                    }
                });
            });
        match run {
            Some(a) if self.action_enabled(a) => self.run_action(a),
            Some(a) => {
                self.error(format!("\"{}\" cannot run now: {}", a.text(), a.help()));
                self.palette = Some(p);
            }
            None if open => self.palette = Some(p),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_must_match() {
        assert!(matches(Action::MarkMixer, "mixer"));
        assert!(matches(Action::MarkMixer, "MARK hop"));
        assert!(!matches(Action::MarkMixer, "bridge"));
        assert!(matches(Action::ArrangeForce, ""));
    }
}

//! Help > Keyboard shortcuts (F1) and Help > First case: every action with its shortcut, read
//! from the one action registry (so the list cannot drift from the menus), and the steps from
//! a new case to an evidence package.

use egui::{Context, RichText};

use super::actions::{Action, Menu};
use super::app::WorkbenchApp;

/// Which help page is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpPage {
    /// Every action with its shortcut.
    Shortcuts,
    /// The first-case guide.
    FirstCase,
}

/// The menus in the order they are shown, with their names.
const MENUS: [(&str, Menu); 7] = [
    ("File", Menu::File),
    ("Edit", Menu::Edit),
    ("Graph", Menu::Graph),
    ("Hops", Menu::Hops),
    ("View", Menu::View),
    ("Review", Menu::Review),
    ("Help", Menu::Help),
];

/// What the mouse does on the canvas (no menu entry carries these).
pub const CANVAS_GESTURES: [(&str, &str); 6] = [
    ("Drag the background", "pan"),
    ("Scroll wheel", "zoom at the cursor"),
    ("Click a node or an edge", "select it; Shift adds to the selection, Ctrl toggles"),
    ("Drag with Shift on the background", "box-select"),
    ("Drag a node", "move it (pins it: layouts leave it there)"),
    ("Right-click a node", "its menu: expand, collapse, hide, pin, label, note, copy, find the other side"),
];

/// The first-case guide: a title and what to do, per step.
pub const FIRST_CASE: [(&str, &str); 8] = [
    (
        "Start a case",
        "File > New case… (Ctrl+N): where the case file goes, its title, your name (recorded with every \
         entry of the audit log) and a ledger — a new empty one beside the case.",
    ),
    (
        "Import what you collected",
        "File > Import files… (Ctrl+I) or drop export files on the window: explorer CSVs, Tronscan, \
         Arkham, ethereum-etl, cryo, Blockchair, Bitcoin Core JSON, label lists. A file whose chain \
         nothing in it decides asks for the chain; a CSV no reader knows opens Import with mapping.",
    ),
    (
        "Add the seeds",
        "Type an address in Search and press Enter: when it is in the ledger but not on the graph, \
         the window offers to add it as a seed, a node where the trace starts (ringed).",
    ),
    (
        "Follow the money",
        "Select a node and press O (outgoing), I (incoming) or Enter (both); Graph > Expand with filter… \
         narrows by value, time, asset and top N. Busy addresses fold the rest into one \"+N more\" node.",
    ),
    (
        "Explain each hop",
        "In the inspector, tick the transfers going in and coming out, then Hops > Mark as mixer hop… \
         (or bridge, swap, cash-out) with a confidence and a rationale. Find the other side \
         (Ctrl+Shift+F) suggests candidates with their numbers; accept or reject each with a reason.",
    ),
    (
        "Check the story",
        "The timeline (T) shows the transfers over time; the legend (G) what the shapes and colours \
         mean. Every step is undoable (Ctrl+Z) and in the audit log at the bottom.",
    ),
    ("Save", "Ctrl+S saves atomically (a .bak is kept); the case also autosaves after every command."),
    (
        "Hand it over",
        "File > Export evidence package… (Ctrl+E) writes the case, its audit log, the transfers, the \
         graph and the reports with their hashes. Give the manifest SHA-256 it shows to the court: \
         `hoptrace verify --manifest-sha256 HASH PACKAGE` then proves the package is the one you gave.",
    ),
];

impl WorkbenchApp {
    /// Shows the open help page, if any.
    pub fn help_ui(&mut self, ctx: &Context) {
        let Some(page) = self.help else { return };
        let mut open = true;
        let title = match page {
            HelpPage::Shortcuts => Action::ShowShortcuts.text(),
            HelpPage::FirstCase => Action::FirstCaseGuide.text(),
        };
        let max_h = (ctx.content_rect().height() - 120.0).max(160.0);
        egui::Window::new(title)
            .collapsible(false)
            .resizable(true)
            .default_width(640.0)
            .max_height(max_h)
            .open(&mut open)
            .show(ctx, |ui| {
                egui::ScrollArea::vertical().max_height(max_h).show(ui, |ui| match page {
                    HelpPage::Shortcuts => shortcuts(ui),
                    HelpPage::FirstCase => first_case(ui),
                });
            });
        if !open {
            self.help = None;
        }
    }
}

fn shortcuts(ui: &mut egui::Ui) {
    ui.label("Plain keys act when no text field has the keyboard. Every action is also in the command palette (Ctrl+Shift+P).");
    for (name, menu) in MENUS {
        ui.add_space(6.0);
        ui.label(RichText::new(name).strong());
        egui::Grid::new(("shortcuts", name)).num_columns(3).striped(true).show(ui, |ui| {
            for a in Action::all().filter(|a| a.menu() == menu) {
                ui.label(a.text());
                ui.label(a.shortcut().map(|s| ui.ctx().format_shortcut(&s)).unwrap_or_default());
                ui.label(a.help());
                ui.end_row();
            }
        });
    }
    ui.add_space(6.0);
    ui.label(RichText::new("On the canvas").strong());
    egui::Grid::new("gestures").num_columns(2).striped(true).show(ui, |ui| {
        for (what, does) in CANVAS_GESTURES {
            ui.label(what);
            ui.label(does);
            ui.end_row();
        }
    });
}

fn first_case(ui: &mut egui::Ui) {
    ui.label("From a new case to an evidence package anyone can check. The demo (hoptrace with no case) shows a finished one.");
    for (i, (step, what)) in FIRST_CASE.iter().enumerate() {
        ui.add_space(6.0);
        ui.label(RichText::new(format!("{}. {step}", i + 1)).strong());
        ui.label(*what);
    }
}

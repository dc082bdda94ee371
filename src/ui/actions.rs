//! Every user action of the window, defined once: its text, its menu, its shortcut and whether
//! it can run now. The menus, the keyboard shortcuts and the command palette all go through
//! [`WorkbenchApp::run_action`], so an action behaves the same however it is reached.

use egui::{Key, KeyboardShortcut, Modifiers};

use super::app::WorkbenchApp;
use super::dialogs::{Dialog, HopChoice};
use super::files::Purpose;
use crate::case::{ExpandDirection, NodeKey};
use crate::graph::Command;
use crate::model::Category;

/// The menu an action is listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Menu {
    /// Files, packages.
    File,
    /// Undo, redo, search, palette.
    Edit,
    /// Acting on the selected nodes.
    Graph,
    /// Hop annotation.
    Hops,
    /// Layout, panels, theme.
    View,
    /// Reviewing an evidence package (shown in review mode).
    Review,
    /// Shortcuts and the first-case guide.
    Help,
}

/// One user action. The menus, the palette, the shortcut table and the help list iterate
/// [`Action::all`], derived from this declaration: an action added here is in all of them, in
/// the order declared (menu order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
pub enum Action {
    /// Start a new case (and its ledger).
    NewCase,
    /// Open a case file.
    OpenCase,
    /// Save the case.
    Save,
    /// Save the case under another name.
    SaveAs,
    /// Import export files into the case's ledger.
    ImportFiles,
    /// Import a CSV no reader knows, through a column mapping (profile).
    ImportWithMapping,
    /// Import good rows and list the refused ones, instead of refusing the whole file.
    ToggleSkipBad,
    /// Cancel a running import.
    CancelImport,
    /// Undo the last command.
    Undo,
    /// Redo.
    Redo,
    /// Put the cursor in the search box.
    Search,
    /// Open the command palette.
    Palette,
    /// Name who works in this window (the audit log names them).
    SetExaminer,
    /// Expand the selected nodes' outgoing transfers.
    ExpandOut,
    /// Expand their incoming transfers.
    ExpandIn,
    /// Expand both sides.
    ExpandBoth,
    /// Expand the selected node with a filter.
    ExpandFiltered,
    /// Collapse what the selected nodes' expansions brought.
    Collapse,
    /// Hide the selected nodes.
    Hide,
    /// Pin the selected nodes where they are.
    Pin,
    /// Let the layouts move them again.
    Unpin,
    /// Label the selected node.
    LabelAs,
    /// Add a note to the selected node.
    AddNote,
    /// Copy the selected node's address.
    CopyAddress,
    /// Record a mixer hop from the picked transfers.
    MarkMixer,
    /// Record a bridge hop.
    MarkBridge,
    /// Record a swap.
    MarkSwap,
    /// Record a cash-out.
    MarkCashOut,
    /// Clear the picked transfers.
    ClearPick,
    /// Run the hop finders from the selected hop or node.
    FindOtherSide,
    /// Value tracing from the seeds (taint).
    TraceValue,
    /// Paths between the two selected addresses.
    FindPaths,
    /// Follow the peel chain from the selected address.
    FollowPeel,
    /// Fit the graph to the canvas.
    FitView,
    /// Arrange with the flow layout.
    ArrangeFlow,
    /// Arrange with the force layout.
    ArrangeForce,
    /// Show or hide the timeline.
    ToggleTimeline,
    /// Show or hide the legend.
    ToggleLegend,
    /// Light or dark theme.
    ToggleTheme,
    /// Larger text for presenting.
    TogglePresenter,
    /// Show or hide the case panel and the inspector.
    ToggleSidePanels,
    /// Show or hide the activity (audit log) panel.
    ToggleActivity,
    /// Replay the next step of the training walkthrough.
    WalkthroughNext,
    /// Undo the last walkthrough step.
    WalkthroughPrevious,
    /// Write the case as an evidence package (zip).
    ExportPackage,
    /// Write the case as an evidence package folder.
    ExportPackageFolder,
    /// Stop a running export (nothing is written).
    CancelExport,
    /// Open an evidence package read-only, for review.
    OpenPackage,
    /// Comment on the selected node, edge or hop of the reviewed package.
    AddReviewComment,
    /// Show the reviewed package's report (summary and hops).
    ShowReport,
    /// Write the review's comments as a review package.
    ExportReviewPackage,
    /// Leave review mode.
    CloseReview,
    /// Every action with its shortcut.
    ShowShortcuts,
    /// A short guide to a first case.
    FirstCaseGuide,
}

const fn ctrl(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::COMMAND, key)
}

const fn ctrl_shift(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), key)
}

const fn plain(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::NONE, key)
}

impl Action {
    /// Every action, in menu order (the order of the declaration).
    pub fn all() -> impl Iterator<Item = Action> {
        <Action as strum::IntoEnumIterator>::iter()
    }

    /// The text in menus and the palette.
    #[must_use]
    pub fn text(self) -> &'static str {
        match self {
            Action::NewCase => "New case…",
            Action::OpenCase => "Open case…",
            Action::Save => "Save",
            Action::SaveAs => "Save as…",
            Action::ImportFiles => "Import files…",
            Action::ImportWithMapping => "Import with mapping…",
            Action::ToggleSkipBad => "Import good rows, list refused ones",
            Action::CancelImport => "Cancel import",
            Action::Undo => "Undo",
            Action::Redo => "Redo",
            Action::Search => "Search address or tx",
            Action::Palette => "Command palette…",
            Action::ExpandOut => "Expand out",
            Action::ExpandIn => "Expand in",
            Action::ExpandBoth => "Expand both",
            Action::ExpandFiltered => "Expand with filter…",
            Action::Collapse => "Collapse",
            Action::Hide => "Hide",
            Action::Pin => "Pin",
            Action::Unpin => "Unpin",
            Action::LabelAs => "Label as…",
            Action::AddNote => "Add note…",
            Action::CopyAddress => "Copy address",
            Action::MarkMixer => "Mark as mixer hop…",
            Action::MarkBridge => "Mark as bridge hop…",
            Action::MarkSwap => "Mark as swap…",
            Action::MarkCashOut => "Mark as cash-out…",
            Action::ClearPick => "Clear picked transfers",
            Action::FindOtherSide => "Find the other side",
            Action::TraceValue => "Trace value from the seeds (taint)…",
            Action::FindPaths => "Paths between the two selected addresses",
            Action::FollowPeel => "Follow the peel chain from the selected address",
            Action::FitView => "Fit to view",
            Action::ArrangeFlow => "Arrange: flow layout",
            Action::ArrangeForce => "Arrange: force layout",
            Action::ToggleTimeline => "Show timeline",
            Action::ToggleLegend => "Show legend",
            Action::ToggleTheme => "Light theme",
            Action::TogglePresenter => "Presenter mode (larger text)",
            Action::ToggleSidePanels => "Side panels",
            Action::ToggleActivity => "Activity panel",
            Action::WalkthroughNext => "Walkthrough: next step",
            Action::WalkthroughPrevious => "Walkthrough: previous step",
            Action::ExportPackage => "Export evidence package…",
            Action::ExportPackageFolder => "Export evidence package to folder…",
            Action::CancelExport => "Cancel export",
            Action::OpenPackage => "Open evidence package…",
            Action::AddReviewComment => "Add review comment…",
            Action::ShowReport => "Show report",
            Action::ExportReviewPackage => "Export review package…",
            Action::CloseReview => "Close review",
            Action::ShowShortcuts => "Keyboard shortcuts",
            Action::SetExaminer => "Examiner…",
            Action::FirstCaseGuide => "First case: a short guide",
        }
    }

    /// What it does, for tooltips and the palette.
    #[must_use]
    pub fn help(self) -> &'static str {
        match self {
            Action::NewCase => "start a case: where to save it, its title, who investigates and its ledger",
            Action::OpenCase => "open a case file (.ron)",
            Action::Save => "save the case (atomic, keeps a .bak)",
            Action::SaveAs => "save the case under another name",
            Action::ImportFiles => "import export files into the case's ledger, off the UI thread",
            Action::ImportWithMapping => {
                "import a CSV no reader knows: assign its columns, preview the parsed rows, save the mapping as a profile"
            }
            Action::ToggleSkipBad => {
                "commit a file's good rows and write the refused ones (line, field, reason) beside the ledger"
            }
            Action::CancelImport => "stop the running import: nothing of the file is kept",
            Action::Undo | Action::Redo => "every command is undoable and recorded in the audit log",
            Action::Search => "find an address or transaction hash (prefix) on the graph or in the ledger",
            Action::Palette => "list every action with its shortcut",
            Action::ExpandOut => "bring in the selected nodes' outgoing transfers (top 100, rest folded)",
            Action::ExpandIn => "bring in the selected nodes' incoming transfers",
            Action::ExpandBoth => "bring in both sides",
            Action::ExpandFiltered => "expand with direction, minimum value, time window, asset, top N",
            Action::Collapse => "remove what the selected nodes' expansions brought",
            Action::Hide => "hide the selected nodes",
            Action::Pin => "keep the selected nodes where they are",
            Action::Unpin => "let the layouts move the selected nodes",
            Action::LabelAs => "attribute the selected node (entity, category, source)",
            Action::AddNote => "attach a note to the selected node",
            Action::CopyAddress => "copy the selected node's address or hash as text",
            Action::MarkMixer | Action::MarkBridge | Action::MarkSwap | Action::MarkCashOut => {
                "record a hop from the transfers ticked in/out in the inspector"
            }
            Action::ClearPick => "untick every transfer picked for a hop",
            Action::FindOtherSide => {
                "suggest the other side of the selected hop, mixer or bridge node, or address (score and rationale)"
            }
            Action::TraceValue => {
                "poison, haircut or FIFO taint from the case's seeds through its accepted hops: endpoints with amounts, what stays, the exact conservation check (CLI: hoptrace taint CASE --method haircut)"
            }
            Action::FindPaths => {
                "the shortest and the highest-value time-respecting paths each way between two selected addresses of one chain (CLI: hoptrace paths CASE FROM TO)"
            }
            Action::FollowPeel => {
                "from one selected Bitcoin address, each peel and change step (suggested hops with confidence and rationale) and why the chain stops (CLI: hoptrace peel CASE --address ADDR)"
            }
            Action::FitView => "show the whole graph",
            Action::ArrangeFlow => "left to right by hop distance from the seeds and time (pinned nodes stay)",
            Action::ArrangeForce => "force-directed layout (pinned nodes stay)",
            Action::ToggleTimeline => "transfers over time, linked with the selection",
            Action::ToggleLegend => "what the shapes and colours mean",
            Action::ToggleTheme => "switch between the light and the dark theme",
            Action::TogglePresenter => {
                "larger text for training and presenting; hides the side and activity panels (F6, F7 bring them back)"
            }
            Action::ToggleSidePanels => "show or hide the case panel and the inspector: the canvas takes the width",
            Action::ToggleActivity => "show or hide the audit log panel at the bottom",
            Action::WalkthroughNext => "replay the next step of the training scenario's walkthrough",
            Action::WalkthroughPrevious => "undo the last walkthrough step",
            Action::ExportPackage => {
                "write the saved case, its audit log, transfers, graph and reports as one zip anyone can verify"
            }
            Action::ExportPackageFolder => "write the evidence package as a folder of the same files",
            Action::CancelExport => "stop the running export: nothing is written",
            Action::OpenPackage => "verify an evidence package and review it read-only, with comments kept beside it",
            Action::AddReviewComment => "comment on the selected node, edge or hop (or the whole case)",
            Action::ShowReport => "the package's summary and hops, as its report states them",
            Action::ExportReviewPackage => "write the comments as a review package for the investigator",
            Action::ShowShortcuts => "every action with its shortcut, by menu",
            Action::SetExaminer => "your name: the audit log names who made each change (chain of custody)",
            Action::FirstCaseGuide => "from a new case to an evidence package, step by step",
            Action::CloseReview => "leave review mode and return to the case",
        }
    }

    /// The menu it is in.
    #[must_use]
    pub fn menu(self) -> Menu {
        match self {
            Action::NewCase
            | Action::OpenCase
            | Action::Save
            | Action::SaveAs
            | Action::ImportFiles
            | Action::ImportWithMapping
            | Action::ToggleSkipBad
            | Action::CancelImport
            | Action::ExportPackage
            | Action::ExportPackageFolder
            | Action::CancelExport
            | Action::OpenPackage => Menu::File,
            Action::AddReviewComment | Action::ShowReport | Action::ExportReviewPackage | Action::CloseReview => {
                Menu::Review
            }
            Action::ShowShortcuts | Action::FirstCaseGuide => Menu::Help,
            Action::Undo | Action::Redo | Action::Search | Action::Palette | Action::SetExaminer => Menu::Edit,
            Action::ExpandOut
            | Action::ExpandIn
            | Action::ExpandBoth
            | Action::ExpandFiltered
            | Action::Collapse
            | Action::Hide
            | Action::Pin
            | Action::Unpin
            | Action::LabelAs
            | Action::AddNote
            | Action::CopyAddress => Menu::Graph,
            Action::MarkMixer
            | Action::MarkBridge
            | Action::MarkSwap
            | Action::MarkCashOut
            | Action::ClearPick
            | Action::FindOtherSide
            | Action::TraceValue
            | Action::FindPaths
            | Action::FollowPeel => Menu::Hops,
            Action::FitView
            | Action::ArrangeFlow
            | Action::ArrangeForce
            | Action::ToggleTimeline
            | Action::ToggleLegend
            | Action::ToggleTheme
            | Action::TogglePresenter
            | Action::ToggleSidePanels
            | Action::ToggleActivity
            | Action::WalkthroughNext
            | Action::WalkthroughPrevious => Menu::View,
        }
    }

    /// Its keyboard shortcut. Plain keys act only when no text field has the keyboard.
    #[must_use]
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        Some(match self {
            Action::NewCase => ctrl(Key::N),
            Action::OpenCase => ctrl(Key::O),
            Action::Save => ctrl(Key::S),
            Action::SaveAs => ctrl_shift(Key::S),
            Action::ImportFiles => ctrl(Key::I),
            Action::ImportWithMapping => ctrl_shift(Key::I),
            Action::Undo => ctrl(Key::Z),
            Action::Redo => ctrl_shift(Key::Z),
            Action::Search => ctrl(Key::F),
            Action::Palette => ctrl_shift(Key::P),
            Action::ExpandOut => plain(Key::O),
            Action::ExpandIn => plain(Key::I),
            Action::ExpandBoth => plain(Key::Enter),
            Action::ExpandFiltered => plain(Key::X),
            Action::Collapse => plain(Key::C),
            Action::Hide => plain(Key::Delete),
            Action::Pin => plain(Key::P),
            Action::Unpin => plain(Key::U),
            Action::LabelAs => plain(Key::L),
            Action::AddNote => plain(Key::N),
            Action::CopyAddress => ctrl_shift(Key::C),
            Action::MarkMixer => ctrl(Key::M),
            Action::MarkBridge => ctrl(Key::B),
            Action::FindOtherSide => ctrl_shift(Key::F),
            Action::TraceValue => ctrl_shift(Key::T),
            Action::FindPaths => ctrl_shift(Key::Y),
            Action::FollowPeel => ctrl_shift(Key::K),
            Action::FitView => plain(Key::F),
            Action::ArrangeFlow => ctrl(Key::L),
            Action::ToggleTimeline => plain(Key::T),
            Action::ToggleLegend => plain(Key::G),
            Action::TogglePresenter => plain(Key::F5),
            Action::ToggleSidePanels => plain(Key::F6),
            Action::ShowShortcuts => plain(Key::F1),
            Action::ToggleActivity => plain(Key::F7),
            Action::WalkthroughNext => plain(Key::PageDown),
            Action::WalkthroughPrevious => plain(Key::PageUp),
            Action::ExportPackage => ctrl(Key::E),
            Action::OpenPackage => ctrl_shift(Key::O),
            Action::AddReviewComment => ctrl_shift(Key::M),
            Action::CancelImport
            | Action::FirstCaseGuide
            | Action::SetExaminer
            | Action::ToggleSkipBad
            | Action::ExportPackageFolder
            | Action::CancelExport
            | Action::ShowReport
            | Action::ExportReviewPackage
            | Action::CloseReview
            | Action::MarkSwap
            | Action::MarkCashOut
            | Action::ClearPick
            | Action::ArrangeForce
            | Action::ToggleTheme => return None,
        })
    }

    /// Keys the canvas handles itself while it has focus (fit, expand both, hide): listed here
    /// so menus and the palette show them, but not consumed globally.
    #[must_use]
    pub fn canvas_key(self) -> bool {
        matches!(self, Action::FitView | Action::ExpandBoth | Action::Hide)
    }

    /// Whether it leaves the case alone (it may still run in review mode, where the case shown
    /// is a package's and nothing may change it).
    #[must_use]
    pub fn read_only(self) -> bool {
        matches!(
            self,
            Action::OpenCase
                | Action::Palette
                | Action::CopyAddress
                | Action::FitView
                | Action::ToggleTimeline
                | Action::ToggleLegend
                | Action::ToggleTheme
                | Action::TogglePresenter
                | Action::ToggleSidePanels
                | Action::ToggleActivity
                | Action::ShowShortcuts
                | Action::FirstCaseGuide
                | Action::OpenPackage
                | Action::AddReviewComment
                | Action::ShowReport
                | Action::ExportReviewPackage
                | Action::CloseReview
        )
    }

    /// A toggle's current state (for check marks), `None` for plain actions.
    #[must_use]
    pub fn checked(self, app: &WorkbenchApp) -> Option<bool> {
        match self {
            Action::ToggleTimeline => Some(app.prefs.timeline),
            Action::ToggleLegend => Some(app.prefs.legend),
            Action::ToggleTheme => Some(app.prefs.light),
            Action::ShowReport => Some(app.review.report_shown()),
            Action::TogglePresenter => Some(app.prefs.presenter),
            Action::ToggleSidePanels => Some(app.prefs.side_panels),
            Action::ToggleActivity => Some(app.prefs.activity),
            Action::ToggleSkipBad => Some(app.import_ui.skip_bad),
            _ => None,
        }
    }
}

impl WorkbenchApp {
    /// The selected nodes that are not aggregates.
    fn selected_nodes(&self) -> Vec<NodeKey> {
        self.canvas.selection().iter().filter(|k| !matches!(k, NodeKey::Aggregate(_))).cloned().collect()
    }

    /// Whether `action` can run now.
    #[must_use]
    pub fn action_enabled(&self, action: Action) -> bool {
        let has_case = self.session.is_some();
        let one = self.canvas.selection().len() == 1;
        let some = !self.selected_nodes().is_empty();
        let picked = !self.pick.inbound.is_empty() && !self.pick.outbound.is_empty();
        // Review mode shows a package's case: nothing may change it.
        if self.review.is_active() && !action.read_only() {
            return false;
        }
        let reviewing = self.review.is_loaded();
        match action {
            Action::NewCase | Action::OpenCase | Action::Palette | Action::ToggleTheme | Action::TogglePresenter => {
                true
            }
            Action::ToggleTimeline | Action::ToggleLegend | Action::ToggleSidePanels | Action::ToggleActivity => true,
            Action::ShowShortcuts | Action::FirstCaseGuide | Action::SetExaminer => true,
            Action::Save | Action::SaveAs | Action::Search | Action::FitView => has_case,
            Action::ImportFiles | Action::ImportWithMapping => has_case && self.importing.is_none(),
            Action::ToggleSkipBad => true,
            Action::CancelImport => self.importing.is_some(),
            Action::Undo => self.session.as_ref().is_some_and(|s| s.inv.can_undo_redo().0),
            Action::Redo => self.session.as_ref().is_some_and(|s| s.inv.can_undo_redo().1),
            Action::ExpandOut | Action::ExpandIn | Action::ExpandBoth | Action::Collapse => some,
            Action::Hide | Action::Pin | Action::Unpin => !self.canvas.selection().is_empty(),
            Action::ExpandFiltered | Action::LabelAs | Action::AddNote | Action::CopyAddress => one && some,
            Action::MarkMixer | Action::MarkBridge | Action::MarkSwap | Action::MarkCashOut => picked,
            Action::ClearPick => !self.pick.inbound.is_empty() || !self.pick.outbound.is_empty(),
            Action::FindOtherSide => {
                has_case && self.finding.is_none() && (self.selected_hop.is_some() || (one && some))
            }
            Action::TraceValue => has_case && !self.review.is_active(),
            Action::FollowPeel => {
                has_case
                    && !self.review.is_active()
                    && !self.peel.is_running()
                    && super::peel_panel::one_utxo_address(self.canvas.selection()).is_some()
            }
            Action::FindPaths => {
                has_case
                    && !self.review.is_active()
                    && !self.paths.is_running()
                    && super::paths_panel::two_addresses(self.canvas.selection()).is_some()
            }
            Action::ArrangeFlow | Action::ArrangeForce => has_case && self.arranging.is_none(),
            Action::WalkthroughNext => self.training.as_ref().is_some_and(|t| !t.replay.at_end()),
            Action::WalkthroughPrevious => self.training.as_ref().is_some_and(|t| t.replay.position() > 0),
            Action::ExportPackage | Action::ExportPackageFolder => has_case && self.export.is_idle(),
            Action::CancelExport => self.export.is_running(),
            Action::OpenPackage => !self.review.is_loading(),
            Action::AddReviewComment | Action::ShowReport | Action::ExportReviewPackage => reviewing,
            Action::CloseReview => self.review.is_active(),
        }
    }

    /// Runs `action` (nothing when it cannot run now).
    pub fn run_action(&mut self, action: Action) {
        if !self.action_enabled(action) {
            return;
        }
        let selected = self.selected_nodes();
        let all: Vec<NodeKey> = self.canvas.selection().iter().cloned().collect();
        // One key press is one command (one undo step), however many nodes are selected.
        let batch = |app: &mut Self, mut commands: Vec<Command>| match commands.len() {
            0 => {}
            1 => app.command(commands.remove(0)),
            _ => app.command(Command::Batch { commands }),
        };
        let expand = |app: &mut Self, direction: ExpandDirection| {
            let commands = selected.iter().map(|node| Command::Expand {
                node: node.clone(),
                direction,
                filter: Default::default(),
            });
            batch(app, commands.collect());
        };
        match action {
            Action::NewCase => self.choose(Purpose::NewCase),
            Action::OpenCase => self.choose(Purpose::OpenCase),
            Action::Save => self.save(),
            Action::SaveAs => self.choose(Purpose::SaveCaseAs),
            Action::ImportFiles => self.choose(Purpose::ImportFiles),
            Action::ImportWithMapping => self.choose(Purpose::ImportWithMapping),
            Action::ToggleSkipBad => self.import_ui.skip_bad = !self.import_ui.skip_bad,
            Action::CancelImport => self.cancel_import(),
            Action::Undo => self.command(Command::Undo),
            Action::Redo => self.command(Command::Redo),
            Action::Search => self.focus_search = true,
            Action::Palette => self.palette = Some(super::palette::Palette::default()),
            Action::ExpandOut => expand(self, ExpandDirection::Out),
            Action::ExpandIn => expand(self, ExpandDirection::In),
            Action::ExpandBoth => expand(self, ExpandDirection::Both),
            Action::ExpandFiltered => {
                if let Some(node) = selected.first() {
                    self.dialog = Some(Dialog::expand(node.clone()));
                }
            }
            Action::Collapse => selected.into_iter().for_each(|node| self.command(Command::Collapse { node })),
            Action::Hide | Action::Pin | Action::Unpin => {
                // One step for the selection, leaving out the nodes already so (which would
                // refuse the whole batch).
                let view = |node: &NodeKey| self.session.as_ref().and_then(|s| s.inv.case().nodes.get(node).cloned());
                let commands: Vec<Command> = all
                    .into_iter()
                    .filter(|node| {
                        view(node).is_some_and(|v| match action {
                            Action::Hide => !v.hidden,
                            Action::Pin => !v.pinned,
                            _ => v.pinned,
                        })
                    })
                    .map(|node| match action {
                        Action::Hide => Command::Hide { node },
                        Action::Pin => Command::Pin { node },
                        _ => Command::Unpin { node },
                    })
                    .collect();
                batch(self, commands);
            }
            Action::LabelAs => {
                if let Some(node) = selected.first() {
                    self.dialog = Some(Dialog::Label {
                        node: node.clone(),
                        entity: String::new(),
                        category: Category::Unknown,
                        source: "investigator".to_owned(),
                    });
                }
            }
            Action::AddNote => {
                if let Some(node) = selected.first() {
                    self.dialog = Some(Dialog::Note { node: node.clone(), text: String::new() });
                }
            }
            Action::CopyAddress => {
                if let Some(text) = selected.first().and_then(super::canvas::copy_text) {
                    self.copy_request = Some(text);
                }
            }
            Action::MarkMixer => self.dialog = Some(self.hop_dialog(HopChoice::Mixer)),
            Action::MarkBridge => self.dialog = Some(self.hop_dialog(HopChoice::Bridge)),
            Action::MarkSwap => self.dialog = Some(self.hop_dialog(HopChoice::Swap)),
            Action::MarkCashOut => self.dialog = Some(self.hop_dialog(HopChoice::CashOut)),
            Action::ClearPick => self.pick = super::app::HopPick::default(),
            Action::FindOtherSide => {
                if let Some(id) = self.selected_hop {
                    self.find_other_side(super::finder::FindTarget::Hop(id));
                } else if let Some(node) = selected.first() {
                    self.find_other_side_of(node.clone());
                }
            }
            Action::TraceValue => self.taint.open = true,
            Action::FindPaths => self.start_paths(),
            Action::FollowPeel => self.start_peel(),
            Action::FitView => self.canvas.request_fit(),
            Action::ArrangeFlow => self.start_arrange(false),
            Action::ArrangeForce => self.start_arrange(true),
            Action::ToggleTimeline => self.prefs.timeline = !self.prefs.timeline,
            Action::ToggleLegend => self.prefs.legend = !self.prefs.legend,
            Action::ToggleTheme => self.prefs.light = !self.prefs.light,
            Action::TogglePresenter => {
                // Presenting gives the canvas the room: the side and activity panels go, and
                // come back when presenting ends.
                self.prefs.presenter = !self.prefs.presenter;
                self.prefs.side_panels = !self.prefs.presenter;
                self.prefs.activity = !self.prefs.presenter;
                self.canvas.request_fit();
            }
            Action::ToggleSidePanels => self.prefs.side_panels = !self.prefs.side_panels,
            Action::ToggleActivity => self.prefs.activity = !self.prefs.activity,
            Action::ShowShortcuts => self.help = Some(super::help::HelpPage::Shortcuts),
            Action::SetExaminer => self.dialog = Some(Dialog::Examiner { name: self.examiner() }),
            Action::FirstCaseGuide => self.help = Some(super::help::HelpPage::FirstCase),
            Action::WalkthroughNext => self.walkthrough_step(true),
            Action::WalkthroughPrevious => self.walkthrough_step(false),
            Action::ExportPackage => self.start_export(crate::export::Layout::Zip),
            Action::ExportPackageFolder => self.start_export(crate::export::Layout::Folder),
            Action::CancelExport => self.export.cancel(),
            Action::OpenPackage => self.choose(Purpose::OpenPackage),
            Action::AddReviewComment => self.start_review_comment(),
            Action::ShowReport => self.review.toggle_report(),
            Action::ExportReviewPackage => self.export_review_package(),
            Action::CloseReview => self.close_review(),
        }
    }

    /// A menu entry for `action`: its text, shortcut, enabled state and check mark; runs it
    /// when clicked.
    pub fn action_button(&mut self, ui: &mut egui::Ui, action: Action) {
        let mut text = action.text().to_owned();
        if let Some(on) = action.checked(self) {
            text = format!("{} {text}", if on { "[x]" } else { "[ ]" });
        }
        let mut button = egui::Button::new(text);
        if let Some(sc) = action.shortcut() {
            button = button.shortcut_text(ui.ctx().format_shortcut(&sc));
        }
        if ui.add_enabled(self.action_enabled(action), button).on_hover_text(action.help()).clicked() {
            self.run_action(action);
            ui.close();
        }
    }

    /// A panel's button for `action` under the panel's own `label`: enabled when the action can
    /// run, its help on hover, as in the menus. True when clicked: the caller runs it
    /// ([`Self::run_action`]) once its borrows of the app end.
    pub fn action_clicked(&self, ui: &mut egui::Ui, action: Action, label: &str) -> bool {
        ui.add_enabled(self.action_enabled(action), egui::Button::new(label)).on_hover_text(action.help()).clicked()
    }

    /// Every action of one menu.
    pub fn menu_actions(&mut self, ui: &mut egui::Ui, menu: Menu) {
        for a in Action::all().filter(|a| a.menu() == menu) {
            self.action_button(ui, a);
        }
    }

    /// Runs the actions whose shortcuts were pressed this frame. Shortcuts with modifiers act
    /// everywhere; plain keys only when no text field has the keyboard, and the canvas's own
    /// keys are left to the canvas.
    pub fn action_shortcuts(&mut self, ctx: &egui::Context) {
        if self.dialog.is_some() || self.palette.is_some() || self.import_ui.mapping.is_some() {
            return;
        }
        let typing = ctx.text_edit_focused();
        // Longer modifier sets first, so Ctrl+Shift+Z is not taken for Ctrl+Z.
        let mut actions: Vec<(Action, KeyboardShortcut)> = Action::all()
            .filter(|a| !a.canvas_key())
            .filter_map(|a| a.shortcut().map(|s| (a, s)))
            .filter(|(_, s)| !(typing && s.modifiers.is_none()))
            .collect();
        actions.sort_by_key(|(_, s)| std::cmp::Reverse(u8::from(s.modifiers.shift) + u8::from(s.modifiers.command)));
        let fired: Vec<Action> =
            ctx.input_mut(|i| actions.iter().filter(|(_, s)| i.consume_shortcut(s)).map(|(a, _)| *a).collect());
        for a in fired {
            self.run_action(a);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_action_is_listed_once_with_a_distinct_shortcut() {
        let unique: HashSet<Action> = Action::all().collect();
        assert_eq!(unique.len(), Action::all().count());
        let shortcuts: Vec<KeyboardShortcut> = Action::all().filter_map(|a| a.shortcut()).collect();
        let distinct: HashSet<(bool, bool, bool, Key)> = shortcuts
            .iter()
            .map(|s| (s.modifiers.command, s.modifiers.shift, s.modifiers.alt, s.logical_key))
            .collect();
        assert_eq!(distinct.len(), shortcuts.len(), "two actions share a shortcut");
        assert!(Action::all().all(|a| !a.text().is_empty() && !a.help().is_empty()));
    }
}

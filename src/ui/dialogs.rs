//! The dialogs: annotate a hop, expand with a filter, label a node, add a note. Each one ends
//! in a [`Command`] (or nothing, on Cancel). Every input is labelled (AccessKit).

use egui::{Context, Response, Ui};

use super::app::WorkbenchApp;
use crate::case::{ExpandDirection, FilterField, FilterText, NodeKey, NoteTarget};
use crate::graph::Command;
use crate::model::{Category, Hop, HopKind, HopStatus};

/// Which hop the annotate dialog records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HopChoice {
    /// A mixer.
    Mixer,
    /// A bridge.
    Bridge,
    /// A swap.
    Swap,
    /// A cash-out.
    CashOut,
}

impl Dialog {
    /// The expansion filter dialog for `node`, with the defaults (out, top 100).
    #[must_use]
    pub fn expand(node: NodeKey) -> Self {
        Dialog::Expand {
            node,
            direction: ExpandDirection::Out,
            min_value: String::new(),
            from: String::new(),
            to: String::new(),
            asset: String::new(),
            top: "100".to_owned(),
        }
    }

    /// The hop dialog for `choice`, empty, confidence 50.
    #[must_use]
    pub fn hop(choice: HopChoice) -> Self {
        Dialog::Hop {
            choice,
            service: String::new(),
            pool: String::new(),
            from_chain: String::new(),
            to_chain: String::new(),
            confidence: 50,
            rationale: String::new(),
        }
    }
}

impl HopChoice {
    /// The button text that opens the dialog.
    #[must_use]
    pub fn button(self) -> &'static str {
        match self {
            Self::Mixer => "Mark as mixer hop…",
            Self::Bridge => "Mark as bridge hop…",
            Self::Swap => "Mark as swap…",
            Self::CashOut => "Mark as cash-out…",
        }
    }
}

/// Where the user is going when the open case has unsaved changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leave {
    /// Another case file.
    Case(std::path::PathBuf),
    /// A training scenario, by name.
    Training(String),
}

/// An open dialog and its fields.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// Record a hop from the picked transfers.
    Hop {
        /// Kind.
        choice: HopChoice,
        /// Service, bridge or venue.
        service: String,
        /// Pool (mixers).
        pool: String,
        /// Source chain (bridges).
        from_chain: String,
        /// Destination chain (bridges).
        to_chain: String,
        /// 0–100.
        confidence: u8,
        /// Why.
        rationale: String,
    },
    /// Expand a node with a filter.
    Expand {
        /// The node.
        node: NodeKey,
        /// Direction.
        direction: ExpandDirection,
        /// Minimum value (display units).
        min_value: String,
        /// From (ISO 8601 or Unix seconds).
        from: String,
        /// To.
        to: String,
        /// Asset.
        asset: String,
        /// Top N.
        top: String,
    },
    /// Label a node.
    Label {
        /// The node.
        node: NodeKey,
        /// Label text.
        entity: String,
        /// Category.
        category: Category,
        /// Source.
        source: String,
    },
    /// Write a note about a node.
    Note {
        /// The node.
        node: NodeKey,
        /// Text.
        text: String,
    },
    /// An autosaved version newer than the saved case was found (after a crash).
    Recover {
        /// The autosaved case.
        case: Box<crate::case::Case>,
    },
    /// The window is closing with unsaved changes.
    ConfirmClose,
    /// Another case or a scenario is being opened while this one has unsaved changes.
    ConfirmLeave {
        /// What is being opened.
        to: Leave,
    },
    /// Name the examiner.
    Examiner {
        /// The name.
        name: String,
    },
    /// Start a case at `path`.
    NewCase {
        /// Where the case file goes.
        path: std::path::PathBuf,
        /// Title.
        title: String,
        /// Who investigates (recorded in the audit log).
        investigator: String,
        /// The ledger file: an existing one, or a new empty one made there.
        ledger: String,
    },
}

/// A single-line text input with a label (the label names it for AccessKit).
pub fn labelled_text(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.text_edit_singleline(value).labelled_by(l.id)
    })
    .inner
}

/// Two buttons side by side: `Some(true)` when `yes` is clicked, `Some(false)` for `no`.
pub fn choice(ui: &mut Ui, yes: &str, no: &str) -> Option<bool> {
    ui.horizontal(|ui| {
        if ui.button(yes).clicked() {
            Some(true)
        } else if ui.button(no).clicked() {
            Some(false)
        } else {
            None
        }
    })
    .inner
}

impl WorkbenchApp {
    /// The hop dialog for `choice`, pre-filled from the picked transfers: the service from the
    /// label of the address the inbound transfers go to (the pool, the bridge, the venue), the
    /// chains of a bridge from the two sides.
    #[must_use]
    pub fn hop_dialog(&self, choice: HopChoice) -> Dialog {
        let mut dialog = Dialog::hop(choice);
        let Some(s) = self.session.as_ref() else { return dialog };
        let rows = |ids: &std::collections::BTreeSet<i64>| -> Vec<crate::ledger::TransferRow> {
            ids.iter().filter_map(|id| s.inv.transfer(*id).cloned()).collect()
        };
        let (inbound, outbound) = (rows(&self.pick.inbound), rows(&self.pick.outbound));
        let service_label = inbound.iter().find_map(|r| {
            let to = r.transfer.to.as_ref()?;
            let node = s.graph.node(&NodeKey::address(&r.transfer.chain, to))?;
            node.case_labels.iter().map(|l| l.entity.clone()).chain(node.labels.iter().map(|l| l.entity.clone())).next()
        });
        if let Dialog::Hop { service, from_chain, to_chain, .. } = &mut dialog {
            *service = service_label.unwrap_or_default();
            if choice == HopChoice::Bridge {
                *from_chain = inbound.first().map(|r| r.transfer.chain.clone()).unwrap_or_default();
                *to_chain = outbound.first().map(|r| r.transfer.chain.clone()).unwrap_or_default();
            }
        }
        dialog
    }

    /// Each picked transfer of one side (amount for reading, exact on hover, time) and the
    /// side's sum per asset.
    fn picked_side_ui(&self, ui: &mut Ui, title: &str, ids: &[i64]) {
        let Some(s) = self.session.as_ref() else { return };
        let mut sums: std::collections::BTreeMap<(String, String), crate::model::Total> =
            std::collections::BTreeMap::new();
        ui.label(egui::RichText::new(format!("{title} ({})", ids.len())).strong());
        for id in ids {
            let Some(row) = s.inv.transfer(*id) else {
                ui.label(format!("#{id} (not on the graph)"));
                continue;
            };
            let t = &row.transfer;
            let time = crate::graph::text::transfer_time(t.time, t.block);
            match row.amount() {
                Some(a) => {
                    let (shown, exact) = crate::model::registry().display_amount_readable(&t.chain, &t.asset, a);
                    ui.label(format!("#{id}  {shown}  {time}")).on_hover_text(format!("exactly {exact}"));
                    sums.entry((t.chain.clone(), t.asset.clone())).or_insert(crate::model::Total::ZERO).add(a);
                }
                None => {
                    ui.label(format!("#{id}  {}  {time}", crate::ledger::UNKNOWN_AMOUNT));
                }
            }
        }
        for (key, total) in sums {
            super::summary::amount_label(ui, &key, total, "Sum: ", "");
        }
    }

    /// Shows the open dialog, if any.
    pub fn dialog_ui(&mut self, ctx: &Context) {
        let Some(mut dialog) = self.dialog.take() else { return };
        let mut open = true;
        let mut done: Option<Result<Command, String>> = None;
        let title = match &dialog {
            Dialog::Hop { choice, .. } => choice.button().trim_end_matches('…').to_owned(),
            Dialog::Expand { .. } => "Expand with filter".to_owned(),
            Dialog::Label { .. } => "Label as".to_owned(),
            Dialog::Note { .. } => "Add note".to_owned(),
            Dialog::Recover { .. } => "Recover unsaved work".to_owned(),
            Dialog::ConfirmClose | Dialog::ConfirmLeave { .. } => "Unsaved changes".to_owned(),
            Dialog::NewCase { .. } => "New case".to_owned(),
            Dialog::Examiner { .. } => "Examiner".to_owned(),
        };
        let mut create = false;
        let mut examiner: Option<String> = None;
        let mut recover: Option<bool> = None;
        let mut close: Option<bool> = None;
        let mut leave: Option<Option<bool>> = None;
        let (inbound, outbound): (Vec<i64>, Vec<i64>) =
            (self.pick.inbound.iter().copied().collect(), self.pick.outbound.iter().copied().collect());
        egui::Window::new(title).collapsible(false).resizable(true).open(&mut open).show(ctx, |ui| match &mut dialog {
            Dialog::Hop { choice, service, pool, from_chain, to_chain, confidence, rationale } => {
                ui.columns(2, |cols| {
                    self.picked_side_ui(&mut cols[0], "In", &inbound);
                    self.picked_side_ui(&mut cols[1], "Out", &outbound);
                });
                ui.separator();
                labelled_text(ui, "Service", service);
                match choice {
                    HopChoice::Mixer => {
                        labelled_text(ui, "Pool", pool);
                    }
                    HopChoice::Bridge => {
                        labelled_text(ui, "From chain", from_chain);
                        labelled_text(ui, "To chain", to_chain);
                    }
                    HopChoice::Swap | HopChoice::CashOut => {}
                }
                ui.horizontal(|ui| {
                    let l = ui.label("Confidence");
                    ui.add(egui::Slider::new(confidence, 0..=100).suffix("%")).labelled_by(l.id);
                });
                let l = ui.label("Rationale (amounts, delays, fees, denominations, reuse)");
                ui.add(egui::TextEdit::multiline(rationale).desired_rows(4)).labelled_by(l.id);
                if ui.button("Record hop").clicked() {
                    let kind = match choice {
                        HopChoice::Mixer => HopKind::Mixer {
                            service: service.trim().to_owned(),
                            pool: (!pool.trim().is_empty()).then(|| pool.trim().to_owned()),
                        },
                        HopChoice::Bridge => HopKind::Bridge {
                            bridge: service.trim().to_owned(),
                            from_chain: from_chain.trim().to_owned(),
                            to_chain: to_chain.trim().to_owned(),
                        },
                        HopChoice::Swap => HopKind::Swap { venue: service.trim().to_owned() },
                        HopChoice::CashOut => HopKind::CashOut { venue: service.trim().to_owned() },
                    };
                    done = Some(if service.trim().is_empty() {
                        Err("name the service, bridge or venue".to_owned())
                    } else {
                        Ok(Command::AnnotateHop {
                            hop: Hop {
                                kind,
                                inbound: inbound.clone(),
                                outbound: outbound.clone(),
                                confidence: *confidence,
                                rationale: rationale.trim().to_owned(),
                                features: std::collections::BTreeMap::new(),
                                status: HopStatus::Accepted,
                                author: String::new(),
                                time: 0,
                            },
                        })
                    });
                }
            }
            Dialog::Expand { node, direction, min_value, from, to, asset, top } => {
                ui.label(node.describe());
                ui.horizontal(|ui| {
                    ui.radio_value(direction, ExpandDirection::Out, "Out");
                    ui.radio_value(direction, ExpandDirection::In, "In");
                    ui.radio_value(direction, ExpandDirection::Both, "Both");
                });
                labelled_text(ui, "Minimum value", min_value);
                labelled_text(ui, "From", from);
                labelled_text(ui, "To", to);
                labelled_text(ui, "Asset", asset);
                labelled_text(ui, "Top N", top);
                if ui.button("Expand").clicked() {
                    let typed = FilterText {
                        min_value: Some(min_value),
                        from: Some(from),
                        to: Some(to),
                        assets: vec![asset.clone()],
                        top: Some(top),
                    };
                    done = Some(
                        typed
                            .parse()
                            .map(|filter| Command::Expand { node: node.clone(), direction: *direction, filter })
                            .map_err(|e| {
                                let field = match e.field {
                                    FilterField::MinValue => "Minimum value",
                                    FilterField::From => "From",
                                    FilterField::To => "To",
                                    FilterField::Top => "Top N",
                                };
                                format!("{field}: {e}")
                            }),
                    );
                }
            }
            Dialog::Label { node, entity, category, source } => {
                ui.label(node.describe());
                labelled_text(ui, "Label", entity);
                egui::ComboBox::from_label("Category").selected_text(category.name()).show_ui(ui, |ui| {
                    for c in Category::ALL {
                        ui.selectable_value(category, c, c.name());
                    }
                });
                labelled_text(ui, "Source", source);
                if ui.button("Add label").clicked() {
                    done = Some(Ok(Command::Label {
                        node: node.clone(),
                        entity: entity.clone(),
                        category: *category,
                        source: source.clone(),
                    }));
                }
            }
            Dialog::Recover { case } => {
                ui.label(format!(
                    "This case has work that was not saved (hoptrace stopped, or the case was left without saving): \
                     an autosaved version has {} audit entries, more than the saved file. Restore it?",
                    case.audit.len()
                ));
                recover = choice(ui, "Restore autosaved version", "Discard it");
            }
            Dialog::ConfirmClose => {
                ui.label("The case has changes that are not saved.");
                close = choice(ui, "Save and close", "Close without saving");
            }
            Dialog::ConfirmLeave { to } => {
                let what = match to {
                    Leave::Case(p) => {
                        p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
                    }
                    Leave::Training(n) => format!("the training scenario {n}"),
                };
                ui.label(format!("The case has changes that are not saved. Save them before opening {what}?"));
                ui.horizontal(|ui| {
                    if ui.button("Save, then open").clicked() {
                        leave = Some(Some(true));
                    }
                    if ui.button("Open without saving").clicked() {
                        leave = Some(Some(false));
                    }
                    if ui.button("Stay on this case").clicked() {
                        leave = Some(None);
                    }
                });
            }
            Dialog::Examiner { name } => {
                ui.label("Every change made in this window is recorded in the case's audit log under this name.");
                labelled_text(ui, "Your name", name);
                if ui.button("Use this name").clicked() {
                    examiner = Some(name.clone());
                }
            }
            Dialog::NewCase { path, title, investigator, ledger } => {
                ui.label(format!("Case file: {}", crate::model::visible(&path.display().to_string())));
                labelled_text(ui, "Title", title);
                labelled_text(ui, "Investigator", investigator);
                labelled_text(ui, "Ledger", ledger);
                let lpath = std::path::Path::new(ledger.trim());
                ui.weak(if lpath.is_file() {
                    "The case works on this existing ledger."
                } else {
                    "A new, empty ledger is made there: import export files into it next (File > Import files…)."
                });
                create = ui.button("Create case").clicked();
            }
            Dialog::Note { node, text } => {
                ui.label(node.describe());
                let l = ui.label("Note");
                ui.add(egui::TextEdit::multiline(text).desired_rows(4)).labelled_by(l.id);
                if ui.button("Add note").clicked() {
                    done = Some(Ok(Command::Note { target: NoteTarget::Node(node.clone()), text: text.clone() }));
                }
            }
        });
        if let Some(name) = examiner {
            if name.trim().is_empty() {
                self.error("type your name: the audit log names who made each change");
                self.dialog = Some(dialog);
            } else {
                self.set_examiner(&name);
                self.info(format!("Changes are now recorded as made by {}", name.trim()));
            }
            return;
        }
        if create && let Dialog::NewCase { path, title, investigator, ledger } = &dialog {
            match self.create_case(path, title, investigator, ledger) {
                Ok(()) => return,
                Err(e) => self.error(e),
            }
        }
        if let Some(answer) = leave {
            if let (Some(save), Dialog::ConfirmLeave { to }) = (answer, dialog) {
                if save {
                    self.save();
                }
                // Saved, or left on purpose (the autosave keeps the work for a later restore).
                if !save || self.session.as_ref().is_none_or(|s| !s.dirty) {
                    match to {
                        Leave::Case(p) => self.open_in_background_now(&p),
                        Leave::Training(n) => self.open_training_now(&n),
                    }
                }
            }
            return;
        }
        if let Some(restore) = recover {
            if let Dialog::Recover { case } = dialog {
                self.resolve_recovery(restore, *case);
            }
            return;
        }
        if let Some(save) = close {
            if save {
                self.save();
            }
            if self.session.as_ref().is_none_or(|s| !s.dirty) || !save {
                if let Some(s) = self.session.as_mut() {
                    s.dirty = false;
                }
                self.closing = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            return;
        }
        match done {
            Some(Ok(c)) => {
                if matches!(c, Command::AnnotateHop { .. }) {
                    self.pick = super::app::HopPick::default();
                }
                self.command(c);
            }
            Some(Err(e)) => {
                self.error(e);
                self.dialog = Some(dialog);
            }
            None if open => self.dialog = Some(dialog),
            None => {}
        }
    }
}

//! Drawing the mapping dialog, and what its buttons do.

use std::path::PathBuf;

use egui::{ComboBox, RichText, Ui};

use super::{ChainChoice, DecimalsChoice, Draft, MappingDialog, PREVIEW_ROWS, TIME_FORMATS};
use crate::import::mapping::AmountUnit;
use crate::import::{Format, ImportOptions};
use crate::model::registry;
use crate::ui::app::WorkbenchApp;
use crate::ui::dialogs::labelled_text;

/// What a click in the dialog asks for.
enum Ask {
    Load(String),
    Save,
    Import,
    Close,
}

/// A combo box choosing a column of `header` (or none: `none` names what that means).
fn column_combo(ui: &mut Ui, label: &str, value: &mut Option<String>, header: &[String], none: &str) {
    ComboBox::from_label(label).selected_text(value.as_deref().unwrap_or(none)).width(170.0).show_ui(ui, |ui| {
        ui.selectable_value(value, None, none);
        for (i, h) in header.iter().enumerate() {
            ui.selectable_value(value, Some(h.clone()), format!("{}: {h}", i + 1));
        }
    });
}

fn unit_combo(ui: &mut Ui, label: &str, unit: &mut AmountUnit) {
    let text = |u: AmountUnit| match u {
        AmountUnit::Base => "base units (wei, sun, satoshi)",
        AmountUnit::Display => "display units (1.5 ETH)",
    };
    ComboBox::from_label(label).selected_text(text(*unit)).show_ui(ui, |ui| {
        for u in [AmountUnit::Base, AmountUnit::Display] {
            ui.selectable_value(unit, u, text(u));
        }
    });
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() > n { format!("{}…", s.chars().take(n).collect::<String>()) } else { s.to_owned() }
}

/// The fields: one labelled combo box per field, with the settings that go with it.
fn fields_ui(ui: &mut Ui, d: &mut Draft, header: &[String], status_values: &[String]) {
    const REQ: &str = "(choose a column)";
    const NONE: &str = "(not in the file)";
    egui::Grid::new("mapping_fields").num_columns(2).spacing([24.0, 6.0]).show(ui, |ui| {
        let chain_text = match &d.chain {
            ChainChoice::Ask => "(ask when importing)".to_owned(),
            ChainChoice::Fixed(c) => c.clone(),
            ChainChoice::Column => "(from a column)".to_owned(),
        };
        ComboBox::from_label("Chain").selected_text(chain_text).show_ui(ui, |ui| {
            ui.selectable_value(&mut d.chain, ChainChoice::Ask, "(ask when importing)");
            for id in registry().chain_ids() {
                ui.selectable_value(&mut d.chain, ChainChoice::Fixed(id.to_owned()), id);
            }
            ui.selectable_value(&mut d.chain, ChainChoice::Column, "(from a column)");
        });
        if d.chain == ChainChoice::Column {
            column_combo(ui, "Chain column", &mut d.chain_column, header, REQ);
        }
        ui.end_row();
        column_combo(ui, "Tx hash column", &mut d.tx_hash, header, REQ);
        column_combo(ui, "Asset column", &mut d.asset, header, "(native asset of the chain)");
        ui.end_row();
        column_combo(ui, "From column", &mut d.from, header, REQ);
        column_combo(ui, "To column", &mut d.to, header, REQ);
        ui.end_row();
        column_combo(ui, "Amount column", &mut d.amount, header, REQ);
        unit_combo(ui, "Amount unit", &mut d.unit);
        ui.end_row();
        let dec_text = |c: DecimalsChoice| match c {
            DecimalsChoice::Known => "known (native asset, token registry)",
            DecimalsChoice::Fixed => "a fixed number",
            DecimalsChoice::Column => "from a column",
        };
        ComboBox::from_label("Decimals").selected_text(dec_text(d.decimals)).show_ui(ui, |ui| {
            for c in [DecimalsChoice::Known, DecimalsChoice::Fixed, DecimalsChoice::Column] {
                ui.selectable_value(&mut d.decimals, c, dec_text(c));
            }
        });
        match d.decimals {
            DecimalsChoice::Fixed => {
                labelled_text(ui, "Decimal places", &mut d.decimals_fixed);
            }
            DecimalsChoice::Column => column_combo(ui, "Decimals column", &mut d.decimals_column, header, REQ),
            DecimalsChoice::Known => {
                ui.label("");
            }
        }
        ui.end_row();
        column_combo(ui, "Time column", &mut d.time, header, NONE);
        ui.horizontal(|ui| {
            let shown = TIME_FORMATS.iter().find(|(_, i)| *i == d.time_format).map_or("", |(t, _)| t);
            ComboBox::from_label("Time format").selected_text(shown).show_ui(ui, |ui| {
                for (text, i) in TIME_FORMATS {
                    ui.selectable_value(&mut d.time_format, i, text);
                }
            });
            if d.time_format == 3 {
                labelled_text(ui, "Time pattern", &mut d.time_pattern);
            }
        });
        ui.end_row();
        column_combo(ui, "Fee column", &mut d.fee, header, NONE);
        unit_combo(ui, "Fee unit", &mut d.fee_unit);
        ui.end_row();
        column_combo(ui, "Status column", &mut d.status, header, NONE);
        if d.status.is_some() {
            ui.vertical(|ui| {
                labelled_text(ui, "Success values", &mut d.success);
                labelled_text(ui, "Failed values", &mut d.failed);
                ui.label(format!("Values in the first rows: {}", status_values.join(", ")));
            });
        } else {
            ui.label("");
        }
        ui.end_row();
        column_combo(ui, "Method column", &mut d.method, header, NONE);
        column_combo(ui, "Position column", &mut d.position, header, NONE);
        ui.end_row();
        column_combo(ui, "Block column", &mut d.block, header, NONE);
        column_combo(ui, "Stated USD column", &mut d.usd, header, NONE);
        ui.end_row();
    });
}

/// The file's first rows as a table.
fn sample_ui(ui: &mut Ui, rows: &[Vec<String>]) {
    egui::ScrollArea::horizontal().id_salt("mapping_sample").show(ui, |ui| {
        egui::Grid::new("mapping_sample_grid").striped(true).show(ui, |ui| {
            for (i, row) in rows.iter().enumerate() {
                for cell in row {
                    if i == 0 {
                        ui.label(RichText::new(cut(cell, 24)).strong());
                    } else {
                        ui.label(cut(cell, 24));
                    }
                }
                ui.end_row();
            }
        });
    });
}

/// The preview: counts, the parsed transfers and the refusals.
fn preview_ui(ui: &mut Ui, dialog: &MappingDialog) {
    let Some(preview) = dialog.preview() else { return };
    let c = match &preview.result {
        Ok(c) => c,
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
    };
    ui.label(format!(
        "Preview of the first {PREVIEW_ROWS} rows: {} rows read, {} transfers, {} refused",
        c.rows,
        c.transfers.len(),
        c.refused.len()
    ));
    egui::ScrollArea::both().id_salt("mapping_preview").max_height(200.0).show(ui, |ui| {
        egui::Grid::new("mapping_preview_grid").striped(true).show(ui, |ui| {
            for h in [
                "Line",
                "Chain",
                "Tx hash",
                "From",
                "To",
                "Amount (base units)",
                "Asset",
                "Time (UTC)",
                "Fee",
                "Failed",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for t in &c.transfers {
                ui.label(t.line.to_string());
                ui.label(&t.chain);
                ui.label(cut(&t.tx_hash, 14));
                ui.label(cut(t.from.as_deref().unwrap_or("-"), 14));
                ui.label(cut(t.to.as_deref().unwrap_or("-"), 14));
                ui.label(t.amount_base.to_string());
                ui.label(cut(&t.asset, 16));
                ui.label(t.time.map_or_else(|| "-".to_owned(), crate::import::time::format_utc));
                ui.label(t.fee_base.map_or_else(|| "-".to_owned(), |f| f.to_string()));
                ui.label(if t.failed { "failed" } else { "" });
                ui.end_row();
            }
        });
        for r in &c.refused {
            ui.colored_label(ui.visuals().warn_fg_color, format!("Refused: {r}"));
        }
    });
}

impl WorkbenchApp {
    /// Opens the mapping dialog for `files` (the first is shown and previewed).
    pub fn open_mapping_dialog(&mut self, files: Vec<PathBuf>) {
        if files.is_empty() {
            return;
        }
        let names = self.import_ui.profiles.list().unwrap_or_default();
        match MappingDialog::open(files, names) {
            Ok(d) => self.import_ui.mapping = Some(d),
            Err(e) => self.error(e),
        }
    }

    /// Draws the mapping dialog, if open, and does what its buttons ask.
    pub fn mapping_dialog_ui(&mut self, ctx: &egui::Context) {
        let skip_bad = &mut self.import_ui.skip_bad;
        let Some(dialog) = self.import_ui.mapping.as_mut() else { return };
        dialog.refresh_preview();
        let mut open = true;
        let mut ask = None;
        let header = dialog.header();
        let rows = dialog.shown_rows();
        let status_col = dialog.draft.status.as_ref().and_then(|s| header.iter().position(|h| h == s));
        let mut status_values: Vec<String> =
            rows.iter().skip(1).filter_map(|r| status_col.and_then(|i| r.get(i)).cloned()).collect();
        status_values.sort();
        status_values.dedup();
        egui::Window::new("Import with mapping").open(&mut open).default_size([1250.0, 860.0]).vscroll(true).show(
            ctx,
            |ui| {
                let more = dialog.files.len().saturating_sub(1);
                let first = dialog.files.first().map(|f| f.display().to_string()).unwrap_or_default();
                ui.label(if more > 0 { format!("File: {first} (and {more} more)") } else { format!("File: {first}") });
                ui.horizontal(|ui| {
                    let mut pick = None::<String>;
                    ComboBox::from_label("Start from saved profile").selected_text("(choose)").show_ui(ui, |ui| {
                        for n in &dialog.saved_names {
                            if ui.selectable_label(false, n).clicked() {
                                pick = Some(n.clone());
                            }
                        }
                    });
                    if let Some(n) = pick {
                        ask = Some(Ask::Load(n));
                    }
                    let d = &mut dialog.draft;
                    let sep = |c: char| if c == '\t' { "tab".to_owned() } else { c.to_string() };
                    ComboBox::from_label("Separator").selected_text(sep(d.delimiter)).show_ui(ui, |ui| {
                        for c in crate::import::mapping::DELIMITERS {
                            ui.selectable_value(&mut d.delimiter, c, sep(c));
                        }
                    });
                    ui.checkbox(&mut d.decimal_comma, "Decimal comma (1.234,56)");
                });
                ui.separator();
                ui.strong("First rows of the file");
                sample_ui(ui, &rows);
                ui.separator();
                ui.strong("Columns");
                fields_ui(ui, &mut dialog.draft, &header, &status_values);
                ui.separator();
                preview_ui(ui, dialog);
                ui.separator();
                ui.horizontal(|ui| {
                    labelled_text(ui, "Profile name", &mut dialog.name);
                    if ui.button("Save profile as…").clicked() {
                        ask = Some(Ask::Save);
                    }
                });
                ui.checkbox(skip_bad, crate::ui::actions::Action::ToggleSkipBad.text());
                ui.horizontal(|ui| {
                    if ui.button("Import").clicked() {
                        ask = Some(Ask::Import);
                    }
                    if ui.button("Cancel").clicked() {
                        ask = Some(Ask::Close);
                    }
                });
            },
        );
        if !open {
            ask = Some(Ask::Close);
        }
        match ask {
            None => {}
            Some(Ask::Close) => self.import_ui.mapping = None,
            Some(Ask::Load(name)) => match self.import_ui.profiles.load(&name) {
                Ok(p) => {
                    if let Some(d) = self.import_ui.mapping.as_mut() {
                        d.draft = Draft::from_profile(&p.profile);
                        d.name = p.name.clone();
                        d.saved = Some(p);
                    }
                }
                Err(e) => self.error(e.to_string()),
            },
            Some(Ask::Save) => self.save_mapping_profile(),
            Some(Ask::Import) => self.import_mapping(),
        }
    }

    fn save_mapping_profile(&mut self) {
        let Some(d) = self.import_ui.mapping.as_mut() else { return };
        let saved = d
            .draft
            .to_profile()
            .map_err(|m| format!("mapping profile {:?}: {m}", d.name))
            .and_then(|p| self.import_ui.profiles.save(d.name.trim(), &p).map_err(|e| e.to_string()));
        match saved {
            Ok(p) => {
                let path = self.import_ui.profiles.path(&p.name).map(|p| p.display().to_string()).unwrap_or_default();
                d.saved_names = self.import_ui.profiles.list().unwrap_or_default();
                let text = format!("Saved mapping profile {:?} ({path}, sha256 {})", p.name, p.sha256);
                d.saved = Some(p);
                self.info(text);
            }
            Err(e) => self.error(e),
        }
    }

    fn import_mapping(&mut self) {
        let Some(d) = self.import_ui.mapping.as_ref() else { return };
        match d.named_profile() {
            Ok(profile) => {
                let files = d.files.clone();
                let options = ImportOptions {
                    format: Some(Format::Mapped),
                    profile: Some(profile),
                    skip_bad: self.import_ui.skip_bad,
                    ..ImportOptions::default()
                };
                self.import_ui.mapping = None;
                self.import_with(&files, options);
            }
            Err(e) => self.error(format!("mapping: {e}")),
        }
    }
}

//! The inspector's transfers table: tick boxes to pick a transfer as going into or coming out
//! of a hop, time, exact amount, sender and recipient (short, full on hover), and provenance
//! (source file and line). Sortable by time, amount or source; the transfer picked on the
//! timeline is marked.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::app::WorkbenchApp;
use super::canvas;
use crate::ledger::TransferRow;
use crate::model::registry;

/// What the table is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Ledger order (id).
    #[default]
    Id,
    /// Time.
    Time,
    /// Value (display units: comparable across assets for sorting only).
    Amount,
    /// Source file, then line.
    Source,
}

/// Sorts `rows` by `key`, ascending or not. Amounts of one asset compare exactly in base units.
pub fn sort_rows(rows: &mut [TransferRow], key: SortKey, ascending: bool) {
    rows.sort_by(|a, b| {
        let o = match key {
            SortKey::Id => a.id.cmp(&b.id),
            SortKey::Time => a.transfer.time.cmp(&b.transfer.time),
            SortKey::Amount if a.transfer.chain == b.transfer.chain && a.transfer.asset == b.transfer.asset => {
                a.transfer.amount_base.cmp(&b.transfer.amount_base)
            }
            SortKey::Amount => {
                let v = |r: &TransferRow| {
                    let info = canvas::asset_info(&r.transfer.chain, &r.transfer.asset);
                    canvas::display_value(r.transfer.amount_base, info.decimals)
                };
                v(a).total_cmp(&v(b))
            }
            SortKey::Source => {
                (&a.provenance.file_name, a.provenance.line).cmp(&(&b.provenance.file_name, b.provenance.line))
            }
        };
        let o = o.then(a.id.cmp(&b.id));
        if ascending { o } else { o.reverse() }
    });
}

impl WorkbenchApp {
    fn sort_header(&mut self, ui: &mut Ui, text: &str, key: SortKey) {
        let arrow = match self.transfer_sort {
            (k, true) if k == key => " ^",
            (k, false) if k == key => " v",
            _ => "",
        };
        if ui
            .button(RichText::new(format!("{text}{arrow}")).strong())
            .on_hover_text(format!("sort by {}", text.to_lowercase()))
            .clicked()
        {
            self.transfer_sort = if self.transfer_sort.0 == key { (key, !self.transfer_sort.1) } else { (key, true) };
        }
    }

    /// Draws `rows` (sorted in place by the chosen column).
    pub fn transfers_table(&mut self, ui: &mut Ui, rows: &mut [TransferRow]) {
        let (key, ascending) = self.transfer_sort;
        sort_rows(rows, key, ascending);
        TableBuilder::new(ui)
            .striped(true)
            .max_scroll_height(320.0)
            .column(Column::auto())
            .column(Column::auto())
            .column(Column::auto())
            .column(Column::auto())
            .column(Column::initial(110.0).at_least(60.0).clip(true).resizable(true))
            .column(Column::remainder().at_least(50.0).clip(true))
            .header(20.0, |mut h| {
                h.col(|ui| {
                    ui.strong("In");
                });
                h.col(|ui| {
                    ui.strong("Out");
                });
                h.col(|ui| self.sort_header(ui, "Time", SortKey::Time));
                h.col(|ui| self.sort_header(ui, "Amount", SortKey::Amount));
                h.col(|ui| {
                    ui.strong("From -> To");
                });
                h.col(|ui| self.sort_header(ui, "Source", SortKey::Source));
            })
            .body(|mut body| {
                for r in rows.iter() {
                    body.row(20.0, |mut row| {
                        let t = &r.transfer;
                        row.set_selected(self.timeline_pick == Some(r.id));
                        for (set, text, hint) in [
                            (&mut self.pick.inbound, format!("in #{}", r.id), "this transfer goes into the hop"),
                            (&mut self.pick.outbound, format!("out #{}", r.id), "this transfer comes out of the hop"),
                        ] {
                            row.col(|ui| {
                                let mut on = set.contains(&r.id);
                                if ui.checkbox(&mut on, text).on_hover_text(hint).changed() {
                                    if on {
                                        set.insert(r.id);
                                    } else {
                                        set.remove(&r.id);
                                    }
                                }
                            });
                        }
                        row.col(|ui| {
                            ui.label(crate::graph::text::transfer_time(t.time, t.block));
                        });
                        row.col(|ui| {
                            let (amount, exact) = r.amount().map_or_else(
                                || (crate::ledger::UNKNOWN_AMOUNT.to_owned(), crate::ledger::UNKNOWN_AMOUNT.to_owned()),
                                |a| registry().display_amount_readable(&t.chain, &t.asset, a),
                            );
                            let word = crate::graph::text::mint_or_burn(t).map(|w| format!(" ({w})"));
                            let word = word.unwrap_or_default();
                            ui.label(format!("{amount}{word}")).on_hover_text(format!("exactly {exact}{word}"));
                        });
                        row.col(|ui| {
                            let side = |a: Option<&str>| a.map_or_else(|| "(tx)".to_owned(), canvas::short_address);
                            ui.add(
                                egui::Label::new(format!("{} -> {}", side(t.from.as_deref()), side(t.to.as_deref())))
                                    .truncate(),
                            )
                            .on_hover_text(format!(
                                "{} -> {}\ntx {}",
                                t.from.as_deref().unwrap_or("(tx)"),
                                t.to.as_deref().unwrap_or("(tx)"),
                                t.tx_hash
                            ));
                        });
                        row.col(|ui| {
                            ui.add(
                                egui::Label::new(format!("{}:{}", r.provenance.file_name, r.provenance.line))
                                    .truncate(),
                            )
                            .on_hover_text(format!("{} line {}", r.provenance.file_name, r.provenance.line));
                        });
                    });
                }
            });
    }
}

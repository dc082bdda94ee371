//! The inspector's address summary: what the ledger holds about the selected address (or the
//! sums over a multi-selection) beside what is on the graph — received and sent per asset,
//! the net flow, counterparties, first and last seen, transfers in the ledger against those on
//! the graph. Read from the ledger once per selection and graph (cached), amounts shown for
//! reading with the exact value on hover.

use crate::workbench::jobs::{Job, Poll};
use std::collections::{BTreeMap, HashMap};

use egui::{RichText, Ui};

use super::app::WorkbenchApp;
use crate::case::NodeKey;
use crate::graph::text::iso_time;
use crate::ledger::{AddressSummary, Ledger, SCAN_CAP};
use crate::model::{Total, registry};

/// At most this many selected addresses are summed (each is a ledger query).
pub const MAX_SUMMED: usize = 50;

/// An address's summary from the ledger, or why it could not be read.
type Summary = Result<AddressSummary, String>;

/// Summaries read for the graph of one generation, and the ones being read.
#[derive(Default)]
pub struct SummaryCache {
    generation: u64,
    by_node: HashMap<NodeKey, Summary>,
    /// Read off the UI thread (a hub's summary scans up to [`SCAN_CAP`] rows a side).
    reading: HashMap<NodeKey, Job<Summary>>,
}

/// Received and sent per (chain, asset), summed over addresses, with the counts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sums {
    /// Transfers received and sent.
    pub transfers: (u64, u64),
    /// Received, per (chain, asset).
    pub received: BTreeMap<(String, String), Total>,
    /// Sent, per (chain, asset).
    pub sent: BTreeMap<(String, String), Total>,
    /// Transfers of unknown amount (not in the sums).
    pub unknown: u64,
    /// Some count stopped at the ledger's scan cap: the figures are lower bounds.
    pub truncated: bool,
    /// First and last seen.
    pub seen: (Option<i64>, Option<i64>),
}

impl SummaryCache {
    /// Whether some summary is still being read.
    #[must_use]
    pub fn is_reading(&self) -> bool {
        !self.reading.is_empty()
    }
}

impl Sums {
    /// Adds `s`, keeping only the totals on `chain`.
    pub fn add(&mut self, s: &AddressSummary, chain: &str) {
        self.transfers.0 += s.incoming.transfers;
        self.transfers.1 += s.outgoing.transfers;
        for (side, into) in [(&s.incoming, &mut self.received), (&s.outgoing, &mut self.sent)] {
            for ((c, a), t) in side.totals.iter().filter(|((c, _), _)| c == chain) {
                into.entry((c.clone(), a.clone())).or_insert(Total::ZERO).add_total(*t);
            }
        }
        self.unknown += s.incoming.unknown_amounts + s.outgoing.unknown_amounts;
        self.truncated |= s.incoming.truncated || s.outgoing.truncated;
        let min = |a: Option<i64>, b: Option<i64>| a.into_iter().chain(b).min();
        let max = |a: Option<i64>, b: Option<i64>| a.into_iter().chain(b).max();
        self.seen = (min(self.seen.0, s.first_seen), max(self.seen.1, s.last_seen));
    }

    /// Received − sent per asset (fees not counted): the amount and whether it is negative.
    #[must_use]
    pub fn net(&self) -> BTreeMap<(String, String), (Total, bool)> {
        let keys: std::collections::BTreeSet<&(String, String)> =
            self.received.keys().chain(self.sent.keys()).collect();
        keys.into_iter()
            .map(|k| {
                let r = self.received.get(k).copied().unwrap_or(Total::ZERO);
                let s = self.sent.get(k).copied().unwrap_or(Total::ZERO);
                (k.clone(), r.signed_difference(s))
            })
            .collect()
    }
}

/// One readable amount with the exact one on hover: `label` in front of the shown text only,
/// `sign` in front of both.
pub fn amount_label(ui: &mut Ui, (chain, asset): &(String, String), total: Total, label: &str, sign: &str) {
    let (shown, exact) = registry().display_amount_readable(chain, asset, total);
    ui.label(format!("{label}{sign}{shown}")).on_hover_text(format!("exactly {sign}{exact}"));
}

impl WorkbenchApp {
    /// The ledger's summary of each address in `keys` that has been read (once per graph
    /// generation, on a thread of its own with its own connection to the ledger), and how many
    /// are still being read.
    fn summaries(&mut self, keys: &[NodeKey]) -> (Vec<(NodeKey, Summary)>, usize) {
        let Some(s) = self.session.as_ref() else { return (Vec::new(), 0) };
        let cache = &mut self.summary_cache;
        if cache.generation != s.generation {
            *cache = SummaryCache { generation: s.generation, ..SummaryCache::default() };
        }
        cache.reading.retain(|k, job| match job.poll(|()| {}) {
            Poll::Done(got) => {
                cache.by_node.insert(k.clone(), got);
                false
            }
            Poll::Running => true,
            Poll::Lost => {
                cache.by_node.insert(k.clone(), Err("reading the ledger stopped without a result".to_owned()));
                false
            }
        });
        let ledger = s.inv.ledger().source();
        let mut ready = Vec::new();
        for k in keys {
            let NodeKey::Address { address, .. } = k else { continue };
            if let Some(got) = cache.by_node.get(k) {
                ready.push((k.clone(), got.clone()));
            } else if !cache.reading.contains_key(k) {
                let (source, address) = (ledger.clone(), address.clone());
                let work =
                    move |_: &_| source.open().and_then(|l| l.address_summary(&address)).map_err(|e| e.to_string());
                match Job::spawn("hoptrace-summary", work) {
                    Ok(job) => {
                        cache.reading.insert(k.clone(), job);
                    }
                    Err(e) => {
                        cache.by_node.insert(k.clone(), Err(format!("cannot read the ledger: {e}")));
                    }
                }
            }
        }
        let pending = keys.iter().filter(|k| cache.reading.contains_key(*k)).count();
        (ready, pending)
    }

    /// The "In the ledger" section for the selected addresses; `on_graph` transfers of theirs
    /// are on the graph.
    pub fn address_summary_ui(&mut self, ui: &mut Ui, keys: &[NodeKey], on_graph: usize) {
        let addresses: Vec<NodeKey> =
            keys.iter().filter(|k| matches!(k, NodeKey::Address { .. })).take(MAX_SUMMED + 1).cloned().collect();
        if addresses.is_empty() {
            return;
        }
        if addresses.len() > MAX_SUMMED {
            ui.weak(format!("Select at most {MAX_SUMMED} addresses to see their sums from the ledger."));
            return;
        }
        let mut sums = Sums::default();
        let mut errors = Vec::new();
        let (ready, reading) = self.summaries(&addresses);
        if reading > 0 {
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(30));
            ui.weak(format!("Reading the ledger for {reading} address(es)…"));
            return;
        }
        for (key, got) in ready {
            let NodeKey::Address { chain, .. } = &key else { continue };
            match got {
                Ok(summary) => sums.add(&summary, chain),
                Err(e) => errors.push(format!("{}: {e}", key.describe())),
            }
        }
        let title = if addresses.len() == 1 {
            "In the ledger".to_owned()
        } else {
            format!("In the ledger: the {} selected addresses together", addresses.len())
        };
        egui::CollapsingHeader::new(RichText::new(title).strong()).id_salt("address-summary").default_open(true).show(
            ui,
            |ui| {
                for e in &errors {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                let bound = if sums.truncated { "at least " } else { "" };
                let in_ledger = sums.transfers.0 + sums.transfers.1;
                ui.label(format!(
                    "Transfers: {bound}{in_ledger} in the ledger ({} received, {} sent), {on_graph} on the graph",
                    sums.transfers.0, sums.transfers.1
                ));
                if sums.truncated {
                    ui.weak(format!("Counting stopped at {SCAN_CAP} rows per side: the figures are lower bounds."));
                }
                egui::Grid::new("address-summary-grid").num_columns(4).striped(true).show(ui, |ui| {
                    ui.label(RichText::new("Asset").strong());
                    ui.label(RichText::new("Received").strong());
                    ui.label(RichText::new("Sent").strong());
                    ui.label(RichText::new("Net").strong()).on_hover_text("received − sent; fees are not counted");
                    ui.end_row();
                    for (key, (net, negative)) in sums.net() {
                        let info = super::canvas::asset_info(&key.0, &key.1);
                        ui.label(info.symbol);
                        amount_label(ui, &key, sums.received.get(&key).copied().unwrap_or(Total::ZERO), "", "");
                        amount_label(ui, &key, sums.sent.get(&key).copied().unwrap_or(Total::ZERO), "", "");
                        let sign = if net.is_zero() {
                            ""
                        } else if negative {
                            "−"
                        } else {
                            "+"
                        };
                        amount_label(ui, &key, net, "", sign);
                        ui.end_row();
                    }
                });
                if sums.unknown > 0 {
                    ui.weak(format!("{} transfers of unknown amount are not in these sums.", sums.unknown));
                }
                match sums.seen {
                    (Some(a), Some(b)) => {
                        ui.label(format!("First seen {}, last seen {}", iso_time(a), iso_time(b)));
                    }
                    _ => {
                        ui.label("No time known for its transfers.");
                    }
                }
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::SideSummary;
    use crate::model::Amount;

    fn side(n: u64, totals: &[(&str, &str, u128)]) -> SideSummary {
        SideSummary {
            transfers: n,
            counterparties: n,
            totals: totals
                .iter()
                .map(|(c, a, v)| (((*c).to_owned(), (*a).to_owned()), Total::sum([Amount::from_u128(*v)])))
                .collect(),
            unknown_amounts: 0,
            truncated: false,
        }
    }

    #[test]
    fn sums_add_up_per_asset_on_the_nodes_chain_and_the_net_has_its_sign() {
        let a = AddressSummary {
            address: "a".into(),
            chains: vec!["ethereum".into()],
            incoming: side(2, &[("ethereum", "ETH", 300), ("bsc", "BNB", 7)]),
            outgoing: side(1, &[("ethereum", "ETH", 100)]),
            first_seen: Some(10),
            last_seen: Some(50),
            labels: Vec::new(),
        };
        let b = AddressSummary {
            incoming: side(1, &[("ethereum", "ETH", 50)]),
            outgoing: side(3, &[("ethereum", "ETH", 400), ("ethereum", "USDT", 9)]),
            first_seen: Some(5),
            last_seen: Some(20),
            ..a.clone()
        };
        let mut sums = Sums::default();
        sums.add(&a, "ethereum");
        sums.add(&b, "ethereum");
        assert_eq!(sums.transfers, (3, 4));
        assert_eq!(sums.seen, (Some(5), Some(50)));
        let eth = ("ethereum".to_owned(), "ETH".to_owned());
        assert_eq!(sums.received[&eth], Total::sum([Amount::from_u128(350)]));
        assert!(!sums.received.contains_key(&("bsc".to_owned(), "BNB".to_owned())), "another chain's totals stay out");
        let net = sums.net();
        assert_eq!(net[&eth], (Total::sum([Amount::from_u128(150)]), true), "350 in, 500 out: −150");
        assert_eq!(net[&("ethereum".to_owned(), "USDT".to_owned())], (Total::sum([Amount::from_u128(9)]), true));
    }
}

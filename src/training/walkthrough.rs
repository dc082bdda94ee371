//! Walkthroughs: ordered steps with captions that the window (or `hoptrace train walkthrough`)
//! replays on a training case. A step that changes the case becomes [`Command`]s applied
//! through [`Investigation::apply`], so it is audited and undoable; [`Replay::previous`] undoes
//! exactly what the step applied.
//!
//! The trainee's copy of a case keeps their work, and reopening it restarts the walkthrough on
//! the changed copy: a command already in effect there (the seed already a seed, the node's
//! expansion already on the graph, the same note, a hop already recording the same transfers)
//! is not applied again but reported by [`Replay::skipped`], and a highlight points at the hop
//! already there.

use serde::{Deserialize, Serialize};

use crate::case::{CaseFilter, ExpandDirection, NodeKey, NoteTarget};
use crate::graph::{Command, CommandError, Investigation};
use crate::ledger::{Direction, Ledger};
use crate::model::{Hop, HopKind, HopStatus, TransferKind, registry};
use crate::scenario::truth::TransferRef;

/// A hop to annotate, naming its transfers by where they sit in their chains (ground truth
/// references), resolved to ledger ids when the step is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HopSpec {
    /// Kind and service.
    pub kind: HopKind,
    /// Transfers into the service.
    pub inbound: Vec<TransferRef>,
    /// Transfers out of it.
    pub outbound: Vec<TransferRef>,
    /// 0–100.
    pub confidence: u8,
    /// Why: the numbers an investigator would cite.
    pub rationale: String,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Centre the view on a node (view only: the case does not change).
    Focus(NodeKey),
    /// Start from an address.
    AddSeed {
        /// Chain id.
        chain: String,
        /// The address.
        address: String,
    },
    /// Expand a node on the graph.
    Expand {
        /// The node.
        node: NodeKey,
        /// In, out or both.
        direction: ExpandDirection,
        /// Time window, minimum value, assets, top N.
        filter: CaseFilter,
    },
    /// Draw attention to nodes and to hops annotated by earlier steps (view only).
    Highlight {
        /// Nodes to highlight.
        nodes: Vec<NodeKey>,
        /// Indices (0-based) of earlier `Annotate` steps whose hops to highlight.
        hop_steps: Vec<usize>,
    },
    /// Record a hop with its rationale.
    Annotate(HopSpec),
    /// Write a note on a node (or on the case when `node` is `None`).
    Note {
        /// The node, if any.
        node: Option<NodeKey>,
        /// The text.
        text: String,
    },
}

/// One step: what the presenter says and what happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The caption shown (and read out in presenter mode).
    pub caption: String,
    /// The action.
    pub action: Action,
}

/// A walkthrough of a training case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Walkthrough {
    /// Title.
    pub title: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// Why a step could not be replayed (the case is unchanged then).
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// A command of the step failed.
    #[error("step {step} ({caption:?}): {error}")]
    Command {
        /// Step number (1-based).
        step: usize,
        /// Its caption.
        caption: String,
        /// The command error (boxed: it is large).
        error: Box<CommandError>,
    },
    /// A transfer the step names is not in the ledger.
    #[error("step {step}: the ledger has no {chain} transfer {tx_hash} #{position} ({kind})")]
    MissingTransfer {
        /// Step number (1-based).
        step: usize,
        /// Chain id.
        chain: String,
        /// Transaction.
        tx_hash: String,
        /// Position.
        position: i64,
        /// Kind name.
        kind: &'static str,
    },
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] crate::ledger::LedgerError),
    /// The case content could not be hashed to recognise it when going back.
    #[error(transparent)]
    Unhashable(#[from] crate::case::audit::HashInputError),
    /// The investigator changed the case after the step: undo those changes first.
    #[error(
        "the case changed since step {step} was replayed (other commands were applied): undo them before going back"
    )]
    CaseChanged {
        /// Step number (1-based).
        step: usize,
    },
}

/// What replaying one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Applied {
    /// Commands applied (each undone once by `previous`).
    commands: usize,
    /// Hops the step created, or found already recording its transfers.
    hops: Vec<u64>,
    /// The case's content hash after the step.
    hash_after: String,
    /// What the step found already in effect and did not apply again, in words.
    skipped: Vec<String>,
}

/// A cursor over a walkthrough: [`Replay::next`] applies the next step, [`Replay::previous`]
/// undoes the last one.
#[derive(Debug, Clone)]
pub struct Replay {
    walkthrough: Walkthrough,
    applied: Vec<Applied>,
}

/// The ledger id of a transfer named by reference; `None` when absent.
///
/// # Errors
/// A ledger failure.
pub fn ledger_id<L: Ledger>(ledger: &L, r: &TransferRef) -> Result<Option<i64>, crate::ledger::LedgerError> {
    Ok(ledger
        .tx_transfers(&r.chain, &r.tx_hash)?
        .into_iter()
        .find(|row| row.transfer.kind == r.kind && row.transfer.position == Some(r.position))
        .map(|row| row.id))
}

impl Replay {
    /// A cursor before the first step.
    #[must_use]
    pub fn new(walkthrough: Walkthrough) -> Self {
        Replay { walkthrough, applied: Vec::new() }
    }

    /// The walkthrough.
    #[must_use]
    pub fn walkthrough(&self) -> &Walkthrough {
        &self.walkthrough
    }

    /// Steps replayed so far (0 before the first).
    #[must_use]
    pub fn position(&self) -> usize {
        self.applied.len()
    }

    /// The last step replayed (its caption is what the window shows).
    #[must_use]
    pub fn current(&self) -> Option<&Step> {
        self.applied.len().checked_sub(1).and_then(|i| self.walkthrough.steps.get(i))
    }

    /// True when every step has been replayed.
    #[must_use]
    pub fn at_end(&self) -> bool {
        self.applied.len() >= self.walkthrough.steps.len()
    }

    /// What the current step found already in the case and did not apply again (empty when it
    /// applied everything): one sentence per command, for the step's outcome.
    #[must_use]
    pub fn skipped(&self) -> &[String] {
        self.applied.last().map_or(&[], |a| a.skipped.as_slice())
    }

    /// What the current step asks the view to show: the focused node (the last `Focus` or
    /// expanded node so far) and the highlighted nodes and hop ids of the current step.
    #[must_use]
    pub fn view(&self) -> (Option<&NodeKey>, Vec<NodeKey>, Vec<u64>) {
        let done = &self.walkthrough.steps[..self.applied.len().min(self.walkthrough.steps.len())];
        let focus = done.iter().rev().find_map(|s| match &s.action {
            Action::Focus(n) | Action::Expand { node: n, .. } => Some(n),
            _ => None,
        });
        match self.current().map(|s| &s.action) {
            Some(Action::Highlight { nodes, hop_steps }) => {
                let hops = hop_steps.iter().filter_map(|i| self.applied.get(*i)).flat_map(|a| a.hops.clone()).collect();
                (focus, nodes.clone(), hops)
            }
            _ => (focus, Vec::new(), Vec::new()),
        }
    }

    /// The commands step `index` applies.
    fn commands<L: Ledger>(&self, inv: &Investigation<L>, index: usize) -> Result<Vec<Command>, ReplayError> {
        let Some(step) = self.walkthrough.steps.get(index) else { return Ok(Vec::new()) };
        Ok(match &step.action {
            Action::Focus(_) | Action::Highlight { .. } => Vec::new(),
            Action::AddSeed { chain, address } => {
                vec![Command::AddSeed { chain: chain.clone(), address: address.clone() }]
            }
            Action::Expand { node, direction, filter } => {
                vec![Command::Expand { node: node.clone(), direction: *direction, filter: filter.clone() }]
            }
            Action::Note { node, text } => {
                let target = node.clone().map_or(NoteTarget::Case, NoteTarget::Node);
                vec![Command::Note { target, text: text.clone() }]
            }
            Action::Annotate(spec) => {
                let resolve = |refs: &[TransferRef]| -> Result<Vec<i64>, ReplayError> {
                    refs.iter()
                        .map(|r| {
                            ledger_id(inv.ledger(), r)?.ok_or_else(|| ReplayError::MissingTransfer {
                                step: index + 1,
                                chain: r.chain.clone(),
                                tx_hash: r.tx_hash.clone(),
                                position: r.position,
                                kind: r.kind.name(),
                            })
                        })
                        .collect()
                };
                let hop = Hop {
                    kind: spec.kind.clone(),
                    inbound: resolve(&spec.inbound)?,
                    outbound: resolve(&spec.outbound)?,
                    confidence: spec.confidence,
                    rationale: spec.rationale.clone(),
                    features: std::collections::BTreeMap::new(),
                    status: HopStatus::Accepted,
                    author: String::new(),
                    time: 0,
                };
                vec![Command::AnnotateHop { hop }]
            }
        })
    }

    /// Replays the next step on `inv` and returns it (`None` at the end). On error the case is
    /// left as it was before the step.
    ///
    /// # Errors
    /// [`ReplayError`] naming the step.
    pub fn next<L: Ledger>(&mut self, inv: &mut Investigation<L>) -> Result<Option<&Step>, ReplayError> {
        let index = self.applied.len();
        let Some(step) = self.walkthrough.steps.get(index) else { return Ok(None) };
        let caption = step.caption.clone();
        let commands = self.commands(inv, index)?;
        let hops_before: Vec<u64> = inv.case().hops.keys().copied().collect();
        let mut done = 0;
        let mut skipped = Vec::new();
        let mut found_hops = Vec::new();
        for command in commands {
            if let Some((why, hop)) = in_effect(inv, &command)? {
                skipped.push(why);
                found_hops.extend(hop);
                continue;
            }
            if let Err(error) = inv.apply(command) {
                undo_applied(inv, done);
                return Err(ReplayError::Command { step: index + 1, caption, error: Box::new(error) });
            }
            done += 1;
        }
        let mut hops: Vec<u64> = inv.case().hops.keys().filter(|id| !hops_before.contains(id)).copied().collect();
        hops.extend(found_hops);
        let hash_after = match inv.case().content_hash() {
            Ok(hash) => hash,
            Err(e) => {
                undo_applied(inv, done);
                return Err(e.into());
            }
        };
        self.applied.push(Applied { commands: done, hops, hash_after, skipped });
        Ok(self.walkthrough.steps.get(index))
    }

    /// Undoes the last replayed step and returns the step now current (`None` back at the
    /// start). Refuses when the case changed since that step.
    ///
    /// # Errors
    /// [`ReplayError::CaseChanged`], or a failed undo.
    pub fn previous<L: Ledger>(&mut self, inv: &mut Investigation<L>) -> Result<Option<&Step>, ReplayError> {
        let Some(last) = self.applied.last() else { return Ok(None) };
        let step = self.applied.len();
        if inv.case().content_hash()? != last.hash_after {
            return Err(ReplayError::CaseChanged { step });
        }
        for _ in 0..last.commands {
            inv.apply(Command::Undo).map_err(|error| ReplayError::Command {
                step,
                caption: self.walkthrough.steps.get(step - 1).map(|s| s.caption.clone()).unwrap_or_default(),
                error: Box::new(error),
            })?;
        }
        self.applied.pop();
        Ok(self.current())
    }
}

/// Whether `command` is already in effect in the case: why (in words) and, for a hop, the hop
/// that already records its transfers. `None` when it should be applied (including when it is
/// invalid: applying it then reports the error).
fn in_effect<L: Ledger>(
    inv: &Investigation<L>,
    command: &Command,
) -> Result<Option<(String, Option<u64>)>, ReplayError> {
    let case = inv.case();
    Ok(match command {
        Command::AddSeed { chain, address } => {
            let Ok(address) = registry().normalize_address(chain, address) else { return Ok(None) };
            let key = NodeKey::Address { chain: chain.clone(), address };
            case.seeds
                .contains(&key)
                .then(|| (format!("{} is already a seed in your copy: not added again", key.describe()), None))
        }
        Command::Expand { node, direction, filter } => {
            if !case.nodes.contains_key(node) || !expansion_on_graph(inv, node, *direction, filter)? {
                return Ok(None);
            }
            Some((format!("{} is already expanded in your copy: not expanded again", node.describe()), None))
        }
        Command::Note { target, text } => case
            .notes
            .values()
            .any(|n| n.target == *target && n.text == *text)
            .then(|| ("this note is already in your copy: not written again".to_owned(), None)),
        Command::AnnotateHop { hop } => {
            let sorted = |ids: &[i64]| {
                let mut v = ids.to_vec();
                v.sort_unstable();
                v
            };
            let (inbound, outbound) = (sorted(&hop.inbound), sorted(&hop.outbound));
            case.hops
                .iter()
                .find(|(_, h)| {
                    h.status != HopStatus::Rejected && sorted(&h.inbound) == inbound && sorted(&h.outbound) == outbound
                })
                .map(|(id, h)| {
                    let kind = if h.kind.name() == hop.kind.name() {
                        String::new()
                    } else {
                        format!(" (as {}, the walkthrough says {})", h.kind.name(), hop.kind.name())
                    };
                    (
                        format!("hop #{id} in your copy already records these transfers{kind}: not marked again"),
                        Some(*id),
                    )
                })
        }
        _ => None,
    })
}

/// True when what expanding `node` with `filter` would show is all on the graph already: its
/// transfers (the top N under the filter, as if none were on the graph) and, when the rest is
/// folded, an aggregate of that side; false when it would show nothing. Cost: one ledger
/// expansion per side.
fn expansion_on_graph<L: Ledger>(
    inv: &Investigation<L>,
    node: &NodeKey,
    direction: ExpandDirection,
    filter: &CaseFilter,
) -> Result<bool, ReplayError> {
    let case = inv.case();
    let mut shows_any = false;
    for &dir in direction.directions() {
        let (ids, folded): (Vec<i64>, bool) = match node {
            NodeKey::Address { chain, address } => {
                let e = inv.ledger().expand(address, dir, &filter.to_ledger(chain))?;
                (e.transfers.iter().map(|r| r.id).collect(), e.rest.is_some())
            }
            NodeKey::Tx { chain, hash } => {
                let want = if dir == Direction::In { TransferKind::UtxoInput } else { TransferKind::UtxoOutput };
                let rows = inv.ledger().tx_transfers(chain, hash)?;
                (rows.iter().filter(|r| r.transfer.kind == want).map(|r| r.id).collect(), false)
            }
            NodeKey::Aggregate(_) => return Ok(false),
        };
        let folded_shown = !folded || case.aggregates.values().any(|a| a.anchor == *node && a.direction == dir);
        if !folded_shown || !ids.iter().all(|id| case.transfers.contains(id)) {
            return Ok(false);
        }
        shows_any |= !ids.is_empty();
    }
    Ok(shows_any)
}
/// Takes back the `n` commands a step just applied (it is refused as a whole). Undoing them
/// cannot fail: each has its undo entry.
fn undo_applied<L: Ledger>(inv: &mut Investigation<L>, n: usize) {
    for _ in 0..n {
        let _ = inv.apply(Command::Undo);
    }
}

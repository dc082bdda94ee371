//! Every change an investigator can make to a case, as a value: the window, the CLI and the
//! tests all emit [`Command`]s and [`crate::graph::Investigation::apply`] carries them out.

use serde::{Deserialize, Serialize};

use super::{CaseFilter, ExpandDirection, NodeKey, NoteTarget};
use crate::model::{Category, Hop};

/// One thing an investigator does to a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Start from an address (on one chain).
    AddSeed {
        /// Chain id.
        chain: String,
        /// The address (normalised on apply).
        address: String,
    },
    /// Bring in the transfers of a node: top N by value under a filter, the rest folded.
    Expand {
        /// The node (address or UTXO transaction).
        node: NodeKey,
        /// In, out or both.
        direction: ExpandDirection,
        /// Time window, minimum value, assets, top N.
        filter: CaseFilter,
    },
    /// Remove what an expansion of this node brought that nothing else holds (leaf neighbours
    /// that are not seeds, pinned, labelled, noted or in a hop) and its aggregates.
    Collapse {
        /// The node.
        node: NodeKey,
    },
    /// Stop drawing a node.
    Hide {
        /// The node.
        node: NodeKey,
    },
    /// Draw a hidden node again.
    Unhide {
        /// The node.
        node: NodeKey,
    },
    /// Keep a node where it is.
    Pin {
        /// The node.
        node: NodeKey,
    },
    /// Let layouts move a node again.
    Unpin {
        /// The node.
        node: NodeKey,
    },
    /// Place a node on the canvas (a drag also pins it: see the window).
    Move {
        /// The node.
        node: NodeKey,
        /// Canvas x.
        x: f32,
        /// Canvas y.
        y: f32,
    },
    /// Place many nodes at once, as a layout computed them (pinned nodes stay).
    Arrange {
        /// Which layout (`flow`, `force`), for the audit log.
        layout: String,
        /// New positions.
        positions: Vec<(NodeKey, f32, f32)>,
    },
    /// Put nodes into one entity (a party controlling them all).
    Group {
        /// The nodes.
        nodes: Vec<NodeKey>,
        /// Entity name (created if new).
        entity: String,
        /// Why they belong together.
        rationale: String,
    },
    /// Take nodes out of their entity.
    Ungroup {
        /// The nodes.
        nodes: Vec<NodeKey>,
    },
    /// Label a node.
    Label {
        /// The node.
        node: NodeKey,
        /// Entity name or label text.
        entity: String,
        /// Category.
        category: Category,
        /// Where the attribution comes from.
        source: String,
    },
    /// Remove one of the investigator's labels.
    RemoveLabel {
        /// Label id.
        id: u64,
    },
    /// Write a note.
    Note {
        /// What about.
        target: NoteTarget,
        /// The text.
        text: String,
    },
    /// Remove a note.
    RemoveNote {
        /// Note id.
        id: u64,
    },
    /// Record a hop (mixer, bridge, swap, cash-out, peel chain). An accepted one is refused
    /// when it shares a transfer with an accepted hop; any is refused when it runs against time
    /// unless its features hold a `time_order_override` reason (see `graph::hop_rules`).
    AnnotateHop {
        /// The hop (author and time are set on apply).
        hop: Hop,
    },
    /// Change a hop.
    EditHop {
        /// Hop id.
        id: u64,
        /// Its new content.
        hop: Hop,
    },
    /// Accept a hop (typically a finder's suggestion): its status becomes accepted, the rest
    /// stays as the finder wrote it; the audit log records who accepted it. Refused when it
    /// shares a transfer with another accepted hop, unless that hop is in `replaces` (then it
    /// is rejected in the same command), and when it runs against time, unless
    /// `time_order_override` gives the reason (see `graph::hop_rules`).
    AcceptHop {
        /// Hop id.
        id: u64,
        /// Accepted hops this one replaces: rejected in the same command ("replaced by #id").
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        replaces: Vec<u64>,
        /// Why the hop is accepted although an outbound transfer precedes its inbound ones
        /// (kept in the hop's features as `time_order_override`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time_order_override: Option<String>,
    },
    /// Reject a hop: its status becomes rejected (the hop is kept, so a reviewer sees what was
    /// ruled out), with the reason in its features (`rejected_because`) when one is given.
    RejectHop {
        /// Hop id.
        id: u64,
        /// Why it was rejected.
        why: Option<String>,
    },
    /// Remove a hop.
    RemoveHop {
        /// Hop id.
        id: u64,
    },
    /// Bind the case to the ledger's current content after new imports (recorded in the audit).
    RebindLedger {
        /// The new fingerprint.
        fingerprint: String,
    },
    /// Several commands applied as one: one undo step and one audit entry (expanding 40
    /// selected nodes with one key press). Applied in order, each seeing the ones before; if
    /// one does not apply, none is kept.
    Batch {
        /// The commands, none of them Undo, Redo or a batch.
        commands: Vec<Command>,
    },
    /// Undo the last command.
    Undo,
    /// Redo the last undone command.
    Redo,
}

impl Command {
    /// Accept hop `id`, replacing nothing, with no override.
    #[must_use]
    pub fn accept_hop(id: u64) -> Self {
        Self::AcceptHop { id, replaces: Vec::new(), time_order_override: None }
    }

    /// Short name for logs and the activity panel.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::AddSeed { .. } => "add seed",
            Self::Expand { .. } => "expand",
            Self::Collapse { .. } => "collapse",
            Self::Hide { .. } => "hide",
            Self::Unhide { .. } => "unhide",
            Self::Pin { .. } => "pin",
            Self::Unpin { .. } => "unpin",
            Self::Move { .. } => "move",
            Self::Arrange { .. } => "arrange",
            Self::Group { .. } => "group",
            Self::Ungroup { .. } => "ungroup",
            Self::Label { .. } => "label",
            Self::RemoveLabel { .. } => "remove label",
            Self::Note { .. } => "note",
            Self::RemoveNote { .. } => "remove note",
            Self::AnnotateHop { .. } => "annotate hop",
            Self::EditHop { .. } => "edit hop",
            Self::AcceptHop { .. } => "accept hop",
            Self::RejectHop { .. } => "reject hop",
            Self::RemoveHop { .. } => "remove hop",
            Self::RebindLedger { .. } => "rebind ledger",
            Self::Batch { .. } => "batch",
            Self::Undo => "undo",
            Self::Redo => "redo",
        }
    }
}

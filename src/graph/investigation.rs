//! [`Investigation`]: a case, its ledger, and the one place commands are applied.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::change::{Change, apply_all};
use super::{Command, InvestigationGraph};
use crate::case::{Case, LedgerRef, audit};
use crate::ledger::{Ledger, LedgerError, TransferRow};
use crate::model::Label;

/// Why a command was not applied (the case is unchanged then).
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The command does not make sense for this case (unknown node, nothing to undo, …).
    #[error("{0}")]
    Invalid(String),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The command's audit entry or the case content could not be hashed: not applied.
    #[error("not applied: {0}")]
    Unhashable(#[from] crate::case::audit::HashInputError),
}

impl CommandError {
    pub(super) fn invalid(msg: impl Into<String>) -> Self {
        CommandError::Invalid(msg.into())
    }
}

/// The ledger the case was built on has changed since (new imports).
#[derive(Debug, thiserror::Error)]
#[error(
    "the ledger changed since this case was last saved (fingerprint {recorded} in the case, {current} now): \
     new files were imported; rebind the case to the ledger as it is now to go on (recorded in the audit log)"
)]
pub struct LedgerChanged {
    /// Fingerprint in the case.
    pub recorded: String,
    /// Fingerprint of the ledger now.
    pub current: String,
}

/// What [`Investigation::apply`] did with the history, to take it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Undone,
    Redone,
    New,
}

/// A case being worked on: commands change it, with undo/redo and an audit entry each.
pub struct Investigation<L: Ledger> {
    /// Shared with a fork being applied elsewhere until either side changes it (copy on write:
    /// forking is O(1) on the UI thread and the copy is made on the thread that changes it).
    pub(super) case: Arc<Case>,
    pub(super) ledger: L,
    undo: Vec<Vec<Change>>,
    redo: Vec<Vec<Change>>,
    /// Rows of the transfers on the graph (and of expansions being planned).
    pub(super) rows: Arc<HashMap<i64, TransferRow>>,
    /// Imported labels by address, looked up once.
    pub(super) ledger_labels: HashMap<String, Vec<Label>>,
    clock: Box<dyn FnMut() -> i64 + Send>,
    /// The time of the command being applied.
    pub(super) now: i64,
    /// Who applies the commands (the audit log names them), when not the case's investigator.
    actor: Option<String>,
}

impl<L: Ledger> Investigation<L> {
    /// Starts a new case on `ledger`.
    ///
    /// # Errors
    /// The ledger's fingerprint could not be read.
    pub fn create(
        ledger: L,
        ledger_path: String,
        id: String,
        title: String,
        investigator: String,
        now: i64,
    ) -> Result<Self, LedgerError> {
        let fingerprint = ledger.fingerprint()?;
        let case = Case::new(id, title, investigator, now, LedgerRef { path: ledger_path, fingerprint });
        Ok(Self::assemble(case, ledger))
    }

    /// Opens a saved case on its ledger.
    ///
    /// # Errors
    /// [`OpenError::Changed`] when the ledger's content is not what the case was built on.
    pub fn open(case: Case, ledger: L) -> Result<Self, OpenError> {
        let current = ledger.fingerprint()?;
        if current != case.ledger.fingerprint {
            return Err(OpenError::Changed(LedgerChanged { recorded: case.ledger.fingerprint.clone(), current }));
        }
        let mut inv = Self::assemble(case, ledger);
        inv.load_rows()?;
        Ok(inv)
    }

    /// Opens a saved case whose ledger has had new imports, binding it to the ledger as it is
    /// now with a [`Command::RebindLedger`] (audited, undoable) recorded under `actor` (who
    /// opens it; `None`: the case's investigator), who also applies the commands after it.
    ///
    /// # Errors
    /// A ledger failure.
    pub fn open_rebinding(case: Case, ledger: L, actor: Option<&str>) -> Result<Self, CommandError> {
        let current = ledger.fingerprint()?;
        let changed = current != case.ledger.fingerprint;
        let mut inv = Self::assemble(case, ledger);
        if let Some(actor) = actor {
            inv.set_actor(actor);
        }
        inv.load_rows()?;
        if changed {
            inv.apply(Command::RebindLedger { fingerprint: current })?;
        }
        Ok(inv)
    }

    fn assemble(case: Case, ledger: L) -> Self {
        Investigation {
            case: Arc::new(case),
            ledger,
            undo: Vec::new(),
            redo: Vec::new(),
            rows: Arc::default(),
            ledger_labels: HashMap::new(),
            clock: Box::new(|| jiff::Timestamp::now().as_second()),
            now: 0,
            actor: None,
        }
    }

    /// Names who applies the commands from now on: each audit entry and each hop recorded
    /// carries this name (an examiner working on a colleague's case, the window's user, the
    /// CLI's `HOPTRACE_INVESTIGATOR`). Empty: the case's investigator.
    pub fn set_actor(&mut self, name: &str) {
        let name = name.trim();
        self.actor = (!name.is_empty()).then(|| name.to_owned());
    }

    /// Who applies the commands: the name set with [`Self::set_actor`], else the case's
    /// investigator.
    #[must_use]
    pub fn actor(&self) -> &str {
        self.actor.as_deref().unwrap_or(&self.case.investigator)
    }

    /// Replaces the clock (tests and reproducible demos use a fixed one).
    #[must_use]
    pub fn with_clock(mut self, clock: impl FnMut() -> i64 + Send + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    fn load_rows(&mut self) -> Result<(), LedgerError> {
        let ids: Vec<i64> = self.case.transfers.iter().copied().collect();
        for row in self.ledger.transfers_by_id(&ids)? {
            Arc::make_mut(&mut self.rows).insert(row.id, row);
        }
        Ok(())
    }

    /// The case.
    #[must_use]
    pub fn case(&self) -> &Case {
        &self.case
    }

    /// The ledger.
    #[must_use]
    pub fn ledger(&self) -> &L {
        &self.ledger
    }

    /// The ledger, to import into (then rebind the case: [`Command::RebindLedger`]).
    pub fn ledger_mut(&mut self) -> &mut L {
        &mut self.ledger
    }

    /// Whether [`Command::Undo`] / [`Command::Redo`] would do something.
    #[must_use]
    pub fn can_undo_redo(&self) -> (bool, bool) {
        (!self.undo.is_empty(), !self.redo.is_empty())
    }

    /// How many steps [`Command::Undo`] and [`Command::Redo`] can take: one per command applied
    /// (a batch of commands is one).
    #[must_use]
    pub fn history_depths(&self) -> (usize, usize) {
        (self.undo.len(), self.redo.len())
    }

    /// How many primitive changes the next undo and the next redo would make (0: none).
    #[must_use]
    pub fn history_sizes(&self) -> (usize, usize) {
        (self.undo.last().map_or(0, Vec::len), self.redo.last().map_or(0, Vec::len))
    }

    /// The row of a transfer on the graph.
    #[must_use]
    pub fn transfer(&self, id: i64) -> Option<&TransferRow> {
        self.rows.get(&id)
    }

    /// Applies `command`: plans its changes (reading the ledger, changing nothing), applies
    /// them, keeps their inverse for undo and appends an audit entry. On error nothing changed.
    ///
    /// # Errors
    /// [`CommandError`] saying why the command does not apply.
    pub fn apply(&mut self, command: Command) -> Result<(), CommandError> {
        self.now = (self.clock)();
        let step = match &command {
            Command::Undo => {
                let inverse = self.undo.pop().ok_or_else(|| CommandError::invalid("nothing to undo"))?;
                let redo = apply_all(Arc::make_mut(&mut self.case), inverse);
                self.redo.push(redo);
                Step::Undone
            }
            Command::Redo => {
                let again = self.redo.pop().ok_or_else(|| CommandError::invalid("nothing to redo"))?;
                let undo = apply_all(Arc::make_mut(&mut self.case), again);
                self.undo.push(undo);
                Step::Redone
            }
            Command::Batch { commands } => {
                let undo = self.apply_batch(commands)?;
                self.undo.push(undo);
                Step::New
            }
            other => {
                let changes = self.plan(other)?;
                let undo = apply_all(Arc::make_mut(&mut self.case), changes);
                self.undo.push(undo);
                Step::New
            }
        };
        // The rows of new transfers, the content hash and the audit entry: if any fails, the
        // change is taken back and nothing is recorded.
        let sealed = self.sync_rows().map_err(CommandError::from).and_then(|()| {
            let state = self.case.content_hash()?;
            Ok(audit::next_entry(&self.case.audit, self.now, self.actor(), command, state)?)
        });
        match sealed {
            Ok(entry) => {
                if step == Step::New {
                    self.redo.clear();
                }
                let case = Arc::make_mut(&mut self.case);
                case.modified = self.now;
                case.audit.push(entry);
                Ok(())
            }
            Err(e) => {
                self.take_back(step);
                // The rows of the transfers the change brought are dropped again; a ledger that
                // failed a moment ago may fail again, which leaves rows the graph does not show.
                let _ = self.sync_rows();
                Err(e)
            }
        }
    }

    /// Takes back the step just applied (its undo or redo entry) when it could not be recorded.
    fn take_back(&mut self, step: Step) {
        let (from, to) = match step {
            Step::Undone => (&mut self.redo, Some(&mut self.undo)),
            Step::Redone => (&mut self.undo, Some(&mut self.redo)),
            Step::New => (&mut self.undo, None),
        };
        if let Some(changes) = from.pop() {
            let inverse = apply_all(Arc::make_mut(&mut self.case), changes);
            if let Some(to) = to {
                to.push(inverse);
            }
        }
    }

    /// Keeps the row cache to the transfers on the graph (fetching any missing ones).
    /// Plans and applies each of `commands` in turn; returns the inverse of them all (one undo
    /// step). If one fails, those applied before it are undone and the error names it.
    fn apply_batch(&mut self, commands: &[Command]) -> Result<Vec<Change>, CommandError> {
        let mut undo: Vec<Vec<Change>> = Vec::with_capacity(commands.len());
        for (i, c) in commands.iter().enumerate() {
            let step = if matches!(c, Command::Undo | Command::Redo | Command::Batch { .. }) {
                Err(CommandError::invalid("a batch holds plain commands only (no undo, redo or batch)"))
            } else {
                self.plan(c).and_then(|changes| {
                    undo.push(apply_all(Arc::make_mut(&mut self.case), changes));
                    self.sync_rows().map_err(CommandError::from)
                })
            };
            if let Err(e) = step {
                for u in undo.into_iter().rev() {
                    apply_all(Arc::make_mut(&mut self.case), u);
                }
                return Err(match e {
                    CommandError::Invalid(m) => CommandError::invalid(format!("step {} ({}): {m}", i + 1, c.name())),
                    other => other,
                });
            }
        }
        Ok(undo.into_iter().rev().flatten().collect())
    }

    fn sync_rows(&mut self) -> Result<(), LedgerError> {
        let missing: Vec<i64> = self.case.transfers.iter().filter(|id| !self.rows.contains_key(id)).copied().collect();
        if !missing.is_empty() {
            for row in self.ledger.transfers_by_id(&missing)? {
                Arc::make_mut(&mut self.rows).insert(row.id, row);
            }
        }
        let on_graph: &BTreeSet<i64> = &self.case.transfers;
        Arc::make_mut(&mut self.rows).retain(|id, _| on_graph.contains(id));
        Ok(())
    }

    /// The graph of the case as it is now.
    ///
    /// # Errors
    /// A ledger failure while looking up labels.
    pub fn graph(&mut self) -> Result<InvestigationGraph, LedgerError> {
        let addresses: Vec<String> = self
            .case
            .nodes
            .keys()
            .filter_map(|k| match k {
                crate::case::NodeKey::Address { address, .. } => Some(address.clone()),
                _ => None,
            })
            .collect();
        let missing: Vec<String> = addresses.into_iter().filter(|a| !self.ledger_labels.contains_key(a)).collect();
        if !missing.is_empty() {
            self.ledger_labels.extend(self.ledger.labels_many(&missing)?);
        }
        Ok(InvestigationGraph::build(&self.case, &self.rows, &self.ledger_labels))
    }
}

/// Everything an [`Investigation`] holds apart from its ledger and clock: the case, the rows and
/// labels it caches, and its undo and redo history. Plain data, so a background thread can apply
/// commands to it on its own connection to the same ledger
/// ([`Investigation::fork`], [`Investigation::resume`], [`Investigation::adopt`]).
pub struct InvestigationState {
    case: Arc<Case>,
    actor: Option<String>,
    rows: Arc<HashMap<i64, TransferRow>>,
    ledger_labels: HashMap<String, Vec<Label>>,
    undo: Vec<Vec<Change>>,
    redo: Vec<Vec<Change>>,
}

impl InvestigationState {
    /// The case.
    #[must_use]
    pub fn case(&self) -> &Case {
        &self.case
    }
}

impl<L: Ledger> Investigation<L> {
    /// Reads the clock once: the time a command applied elsewhere is recorded with.
    pub fn read_clock(&mut self) -> i64 {
        (self.clock)()
    }

    /// The state to apply commands to on another thread: the case and the rows on the graph,
    /// shared (the window keeps showing them meanwhile; the first change there copies them, on
    /// that thread), and the label cache and the undo and redo history moved out (nothing can be
    /// undone until [`Self::adopt`] brings them back). O(1): nothing is copied here.
    pub fn fork(&mut self) -> InvestigationState {
        InvestigationState {
            case: Arc::clone(&self.case),
            actor: self.actor.clone(),
            rows: Arc::clone(&self.rows),
            ledger_labels: std::mem::take(&mut self.ledger_labels),
            undo: std::mem::take(&mut self.undo),
            redo: std::mem::take(&mut self.redo),
        }
    }

    /// An investigation on `ledger` carrying on from a forked state, its clock fixed at `now`
    /// (read with [`Self::read_clock`] where the commands were asked for).
    #[must_use]
    pub fn resume(state: InvestigationState, ledger: L, now: i64) -> Self {
        let InvestigationState { case, actor, rows, ledger_labels, undo, redo } = state;
        Investigation { case, ledger, undo, redo, rows, ledger_labels, clock: Box::new(move || now), now, actor }
    }

    /// An investigation on `ledger` carrying on from `state` with the system clock: a case
    /// opened on another thread, taken over by the one that will work on it.
    #[must_use]
    pub fn carry_on(state: InvestigationState, ledger: L) -> Self {
        let InvestigationState { case, actor, rows, ledger_labels, undo, redo } = state;
        let mut inv = Self::assemble(Arc::unwrap_or_clone(case), ledger);
        (inv.rows, inv.ledger_labels, inv.undo, inv.redo, inv.actor) = (rows, ledger_labels, undo, redo, actor);
        inv
    }

    /// The state, to hand back to where it was forked from.
    #[must_use]
    pub fn into_state(self) -> InvestigationState {
        let Investigation { case, actor, rows, ledger_labels, undo, redo, .. } = self;
        InvestigationState { case, actor, rows, ledger_labels, undo, redo }
    }

    /// Takes the state that commands were applied to elsewhere (O(1): moves); returns the state
    /// it replaces, to be dropped where it costs nothing.
    pub fn adopt(&mut self, state: InvestigationState) -> InvestigationState {
        InvestigationState {
            case: std::mem::replace(&mut self.case, state.case),
            actor: std::mem::replace(&mut self.actor, state.actor),
            rows: std::mem::replace(&mut self.rows, state.rows),
            ledger_labels: std::mem::replace(&mut self.ledger_labels, state.ledger_labels),
            undo: std::mem::replace(&mut self.undo, state.undo),
            redo: std::mem::replace(&mut self.redo, state.redo),
        }
    }
}

/// Why a case could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The ledger changed.
    #[error(transparent)]
    Changed(LedgerChanged),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

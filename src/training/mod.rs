//! Training: scenario cases under `cases/` built from public patterns, each with its own
//! ledger, a walkthrough the window replays step by step, and exercises whose answers the tool
//! checks.
//!
//! - [`open`] gives a training folder's case and ledger paths, building the ledger from the
//!   exports on first open; [`write_case`] regenerates a folder from its scenario
//!   ([`crate::scenario::training`]).
//! - [`Walkthrough`] and [`Replay`]: `Replay::next` applies a step's commands through
//!   [`crate::graph::Investigation::apply`] (audited, undoable), `Replay::previous` undoes them.
//! - [`Exercise`] and [`check`]: answers compared as normalised values.

mod case_dir;
mod exercise;
mod walkthrough;

pub use case_dir::{
    CASE_FILE, EXERCISES_FILE, EXPORTS_DIR, LEDGER_FILE, TrainingError, WALKTHROUGH_FILE, load_exercises,
    load_walkthrough, names, open, write_case,
};
pub use exercise::{Answer, Exercise, Verdict, check};
pub use walkthrough::{Action, HopSpec, Replay, ReplayError, Step, Walkthrough, ledger_id};

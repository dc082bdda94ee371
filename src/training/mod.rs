//! Training: scenario cases under `cases/` built from public patterns, each with its own
//! ledger, a walkthrough the window replays step by step, and exercises whose answers the tool
//! checks.
//!
//! - [`open`] gives the trainee's case and ledger paths for a training folder, in the user's
//!   data folder ([`data_dir`]; the folder itself is only read), building the ledger from the
//!   exports on first open; [`write_case`] regenerates a folder from its scenario
//!   ([`crate::training::scenarios`]).
//! - [`Walkthrough`] and [`Replay`]: `Replay::next` applies a step's commands through
//!   [`crate::graph::Investigation::apply`] (audited, undoable), `Replay::previous` undoes them.
//! - [`Exercise`] and [`check`]: answers compared as normalised values.

mod case_dir;
mod exercise;
pub mod scenarios;
mod walkthrough;

pub use case_dir::{
    CASE_FILE, EXERCISES_FILE, EXPORTS_DIR, IMPORTED, INSTRUCTOR_DIR, LEDGER_FILE, NoCases, TRUTH_FILE, TrainingError,
    WALKTHROUGH_FILE, data_dir, installed_cases, load_exercises, load_walkthrough, names, open, open_in, truth_path,
    work_dir, write_case,
};
pub use exercise::{Answer, Exercise, Verdict, check, reveal};
pub use walkthrough::{Action, HopSpec, Replay, ReplayError, Step, Walkthrough, ledger_id};

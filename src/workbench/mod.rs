//! The headless workbench layer under the window and the CLI: what both do, written once.
//! Today: [`find`], the planning and running of "find the other side"; [`jobs`], the one kind
//! of background job (named thread, progress, cancel, result) the window runs its work on; and
//! [`session`], opening a case on its ledger and saving it; [`trace`], value tracing from a
//! case.

pub mod find;
pub mod jobs;
pub mod session;
pub mod trace;

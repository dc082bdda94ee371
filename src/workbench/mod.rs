//! The headless workbench layer under the window and the CLI: what both do, written once.
//! Today: [`find`], the planning and running of "find the other side", and [`session`],
//! opening a case on its ledger.

pub mod find;
pub mod session;

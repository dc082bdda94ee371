//! The headless workbench layer under the window and the CLI: what both do, written once.
//! Today: [`find`], the planning and running of "find the other side".

pub mod find;

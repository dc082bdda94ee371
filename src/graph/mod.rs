//! The investigation: a case, the ledger it is bound to, and the commands that change it.

pub mod command;

pub use command::Command;

//! hoptrace: an offline workbench for following stolen cryptocurrency hop by hop.
//!
//! The library is the headless core: [`model`] (exact amounts, chains, transfers, labels),
//! [`import`] (streaming readers for real export formats) and [`ledger`] (the SQLite transfer
//! store and the queries the investigation graph needs). The binary adds the CLI; the window
//! (feature `gui`) only drives this core.

pub mod analysis;
#[cfg(test)]
mod architecture;
pub mod case;
pub mod export;
pub mod fsutil;
pub mod graph;
pub mod import;
pub mod labels;
pub mod layout;
pub mod ledger;
pub mod model;
pub mod package;
pub mod report;
pub mod review;
pub mod rng;
pub mod scenario;
pub mod scene;
pub mod style;
pub mod training;
#[cfg(feature = "gui")]
pub mod ui;
pub mod workbench;

//! The workbench window (feature `gui`): an eframe app that shows an [`Investigation`] and
//! turns every user action into a [`crate::graph::Command`]. Only this module uses egui.
//!
//! [`Investigation`]: crate::graph::Investigation

pub mod actions;
pub mod app;
pub mod applying;
pub mod canvas;
pub mod dialogs;
pub mod dots;
pub mod export_dialog;
pub mod files;
pub mod finder;
pub mod help;
pub mod hop_panel;
pub mod import;
pub mod legend;
pub mod mapping_dialog;
pub mod opening;
pub mod palette;
pub mod panels;
pub mod path_prompt;
pub mod paths_panel;
pub mod peel_panel;
pub mod review_dialogs;
pub mod review_mode;
pub mod review_panel;
pub mod summary;
pub mod taint_panel;
pub mod timeline;
pub mod training;
pub mod transfers_table;
pub mod window;

pub use app::WorkbenchApp;
pub use window::run;

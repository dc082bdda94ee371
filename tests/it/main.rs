//! The integration tests, one binary: each module was a test file of its own (`cargo test
//! --test it MODULE::` runs one of them). One binary links the crate, egui and the renderers
//! once instead of once per file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod evidence_common;

mod attribution;
mod case_concurrency;
mod case_file;
mod cli;
mod cli_case;
mod cli_training;
mod commands;
mod crash_harness;
mod export;
mod finder_quality;
mod finders;
mod finders_hand_built;
mod flow_layout;
mod fuzz_regressions;
mod import_columnar;
mod import_ethereum_etl;
mod import_etl_bulk;
mod import_exactness;
mod import_explorer;
mod import_label_lists;
mod import_mapping;
mod import_real_files;
mod import_services;
mod ledger;
mod malformed_inputs;
mod report;
mod review;
mod scenario;
mod taint;
mod training;
mod ui_actions;
mod ui_app;
mod ui_canvas;
mod ui_finder;
mod ui_import_mapping;
mod ui_opening;
mod ui_perf;
mod ui_review;
mod ui_smoke;
mod ui_snapshots;
mod ui_taint;
mod verify;

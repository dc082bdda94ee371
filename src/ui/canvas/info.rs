//! Text shown on and around the canvas: the headless helpers of [`crate::graph::text`], which
//! the evidence package reports share.

pub use crate::graph::text::{
    aggregate_text, asset_info, chain_badge, copy_text, display_value, explorer_url, format_amount, hop_label,
    iso_time, node_chain, node_label, short_address,
};

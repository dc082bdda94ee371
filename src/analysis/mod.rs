//! Analysis over the ledger: value tracing (poison, haircut and FIFO taint), peel-chain
//! following and paths between addresses. Every result states its numbers.

pub mod paths;
pub mod peel;
pub mod taint;

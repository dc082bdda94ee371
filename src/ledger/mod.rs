//! The transfer ledger.

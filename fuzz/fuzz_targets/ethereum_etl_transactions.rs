//! Fuzz target: ethereum-etl transactions (CSV or JSON lines).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::EthereumEtlTransactions, "transactions.csv", None, data);
});

//! Fuzz target: ethereum-etl blocks (CSV or JSON lines).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::EthereumEtlBlocks, "blocks.csv", None, data);
});

//! Fuzz target: ethereum-etl traces (CSV or JSON lines).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::EthereumEtlTraces, "traces.csv", None, data);
});

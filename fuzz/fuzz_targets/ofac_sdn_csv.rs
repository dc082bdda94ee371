//! Fuzz target: OFAC SDN sdn.csv.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::OfacSdnCsv, "sdn.csv", None, data);
});

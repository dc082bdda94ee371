//! Fuzz target: the Dune CSV reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::Dune, "dune-query.csv", None, data);
});

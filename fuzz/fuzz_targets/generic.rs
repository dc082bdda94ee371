//! Fuzz target: the generic transfers CSV.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::Generic, "transfers.csv", None, data);
});

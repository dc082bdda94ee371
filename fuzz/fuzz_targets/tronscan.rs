//! Fuzz target: the Tronscan CSV reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::Tronscan, "tronscan-export.csv", None, data);
});

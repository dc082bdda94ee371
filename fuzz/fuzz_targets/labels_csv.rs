//! Fuzz target: hoptrace's labels CSV.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::LabelsCsv, "labels.csv", None, data);
});

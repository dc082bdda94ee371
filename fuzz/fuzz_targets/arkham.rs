//! Fuzz target: the Arkham CSV reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::Arkham, "arkham-export.csv", None, data);
});

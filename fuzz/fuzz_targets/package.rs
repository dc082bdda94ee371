//! Fuzz target: the evidence-package reader, verifier and extractor (zip).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_package(data);
});

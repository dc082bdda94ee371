//! Fuzz target: the case loader (case.ron parsing and validation), with save-and-reload.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::load_case(data);
});

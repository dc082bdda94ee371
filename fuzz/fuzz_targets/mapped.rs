//! Fuzz target: a column-mapping profile (RON) and a CSV read through it, separated by a NUL byte.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_mapped(data);
});

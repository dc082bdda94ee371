//! Fuzz target: format detection as `hoptrace import FILE` does it, then the detected reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::detect_and_read(data);
});

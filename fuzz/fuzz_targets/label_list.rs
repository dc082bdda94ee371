//! Fuzz target: label lists `address,label[,note]` / `address,name`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::LabelList, "labels.csv", None, data);
});

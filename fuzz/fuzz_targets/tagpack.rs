//! Fuzz target: GraphSense TagPack YAML.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::TagPack, "tagpack.yaml", None, data);
});

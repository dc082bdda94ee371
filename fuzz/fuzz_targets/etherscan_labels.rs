//! Fuzz target: Etherscan label-cloud exports.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::EtherscanLabels, "etherscan-labels.csv", None, data);
});

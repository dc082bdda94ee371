//! Fuzz target: plain address lists (OFAC sanctioned_addresses_*.txt).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::AddressList, "sanctioned_addresses_ETH.txt", None, data);
});

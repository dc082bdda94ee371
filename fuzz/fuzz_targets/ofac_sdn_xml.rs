//! Fuzz target: OFAC SDN XML (SDN_ADVANCED / SDN_ENHANCED / SDN.XML).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::OfacSdnXml, "SDN.XML", None, data);
});

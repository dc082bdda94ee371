//! Fuzz target: Blockchair Bitcoin dumps, TSV or .tsv.gz (the reader tells them apart by the gzip magic).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::Blockchair, "blockchair_bitcoin_outputs_20230101.tsv", None, data);
});

//! Fuzz target: BigQuery crypto_bitcoin.transactions JSON lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::BigQueryBitcoin, "bigquery-bitcoin.json", None, data);
});

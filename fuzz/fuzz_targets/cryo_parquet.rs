//! Fuzz target: cryo Parquet files (read from a scratch file: the schema is at the end).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Only Parquet here (cryo_csv covers the CSV side): every input gets the Parquet magic.
    let mut file = Vec::with_capacity(data.len() + 4);
    if !data.starts_with(b"PAR1") {
        file.extend_from_slice(b"PAR1");
    }
    file.extend_from_slice(data);
    hoptrace_fuzz::read_as(
        hoptrace::import::Format::Cryo,
        "ethereum__erc20_transfers.parquet",
        Some("ethereum"),
        &file,
    );
});

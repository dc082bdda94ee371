//! Fuzz target: cryo CSV (erc20_transfers, native_transfers, transactions); `--chain ethereum`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(
        hoptrace::import::Format::Cryo,
        "ethereum__erc20_transfers__00000000_to_00000099.csv",
        Some("ethereum"),
        data,
    );
});

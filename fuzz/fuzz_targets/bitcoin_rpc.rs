//! Fuzz target: Bitcoin Core RPC JSON (getblock verbosity 2/3, getrawtransaction verbose).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoptrace_fuzz::read_as(hoptrace::import::Format::BitcoinRpc, "rpc.json", None, data);
});

//! Fuzz target: the Etherscan-family "Download CSV" reader. The first byte picks the export
//! (bits 0–1: normal, internal, token, NFT) and whether `--chain ethereum` is given (bit 2);
//! the rest is the file.
#![no_main]

use hoptrace::import::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else { return };
    let format = [Format::EtherscanNormal, Format::EtherscanInternal, Format::EtherscanToken, Format::EtherscanNft]
        [usize::from(pick & 3)];
    let chain = (pick & 4 != 0).then_some("ethereum");
    hoptrace_fuzz::read_as(format, "export-etherscan.csv", chain, file);
});

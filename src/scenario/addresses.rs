//! Valid synthetic addresses and transaction hashes for every chain the story touches.
//!
//! EVM: `0x` + 40 lower-case hex digits. Bitcoin: P2PKH (`1…`, base58check, version 0) or
//! P2WPKH (`bc1q…`, bech32) over a random 20-byte key hash, so checksums hold and the output
//! scripts can be written exactly. Tron: base58check of `0x41` + 20 bytes (`T…`).

use super::rng::{Rng, mix};

/// A random EVM address.
pub fn evm(rng: &mut Rng) -> String {
    evm_from(&rng.bytes::<20>())
}

/// The EVM address of 20 bytes.
#[must_use]
pub fn evm_from(bytes: &[u8; 20]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// A random EVM transaction hash (`0x` + 64 hex digits).
pub fn evm_tx(rng: &mut Rng) -> String {
    format!("0x{}", hex::encode(rng.bytes::<32>()))
}

/// A random Bitcoin or Tron transaction id (64 hex digits).
pub fn raw_tx(rng: &mut Rng) -> String {
    hex::encode(rng.bytes::<32>())
}

/// A random Bitcoin block hash (leading zero bytes, as proof of work leaves them).
pub fn block_hash(rng: &mut Rng) -> String {
    let mut b = rng.bytes::<32>();
    b[..9].fill(0);
    b[9] &= 0x07;
    hex::encode(b)
}

/// A random Bitcoin P2PKH address (`1…`).
pub fn btc_p2pkh(rng: &mut Rng) -> String {
    let mut payload = vec![0x00];
    payload.extend_from_slice(&rng.bytes::<20>());
    bs58::encode(payload).with_check().into_string()
}

/// A random Bitcoin P2WPKH address (`bc1q…`); P2PKH if bech32 encoding were to fail.
pub fn btc_p2wpkh(rng: &mut Rng) -> String {
    let program = rng.bytes::<20>();
    match bech32::segwit::encode_v0(bech32::hrp::BC, &program) {
        Ok(a) => a,
        Err(_) => {
            let mut payload = vec![0x00];
            payload.extend_from_slice(&program);
            bs58::encode(payload).with_check().into_string()
        }
    }
}

/// A random Bitcoin address: three in four are bech32, the rest legacy P2PKH.
pub fn btc(rng: &mut Rng) -> String {
    if rng.chance(750) { btc_p2wpkh(rng) } else { btc_p2pkh(rng) }
}

/// A random Tron address (`T…`).
pub fn tron(rng: &mut Rng) -> String {
    tron_from(&rng.bytes::<20>())
}

/// The Tron address of 20 bytes.
#[must_use]
pub fn tron_from(bytes: &[u8; 20]) -> String {
    let mut payload = Vec::with_capacity(21);
    payload.push(0x41);
    payload.extend_from_slice(bytes);
    bs58::encode(payload).with_check().into_string()
}

/// 20 bytes that depend only on `salt` and `index`: the addresses of the background
/// population are computed on demand instead of stored (a 10M-transfer ledger has ~1M of them).
#[must_use]
pub fn indexed_bytes(salt: u64, index: u64) -> [u8; 20] {
    let a = mix(salt ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let b = mix(a ^ 0x5851_F42D_4C95_7F2D);
    let c = mix(b ^ 0x1405_7B7E_F767_814F);
    let mut out = [0u8; 20];
    out[..8].copy_from_slice(&a.to_be_bytes());
    out[8..16].copy_from_slice(&b.to_be_bytes());
    out[16..].copy_from_slice(&c.to_be_bytes()[..4]);
    out
}

/// The output script of a Bitcoin address this module makes: `(asm, hex, type)` as Bitcoin
/// Core prints them in `scriptPubKey`; `None` for any other address.
#[must_use]
pub fn btc_script(address: &str) -> Option<(String, String, &'static str)> {
    if address.starts_with("bc1") {
        let (_, version, program) = bech32::segwit::decode(address).ok()?;
        if version != bech32::segwit::VERSION_0 || program.len() != 20 {
            return None;
        }
        let h = hex::encode(program);
        return Some((format!("0 {h}"), format!("0014{h}"), "witness_v0_keyhash"));
    }
    let payload = bs58::decode(address).with_check(None).into_vec().ok()?;
    match payload.split_first() {
        Some((0x00, hash)) if hash.len() == 20 => {
            let h = hex::encode(hash);
            Some((format!("OP_DUP OP_HASH160 {h} OP_EQUALVERIFY OP_CHECKSIG"), format!("76a914{h}88ac"), "pubkeyhash"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::registry;

    #[test]
    fn generated_addresses_pass_the_chain_rules() {
        let r = registry();
        let mut rng = Rng::new(1);
        for _ in 0..200 {
            let e = evm(&mut rng);
            assert_eq!(r.normalize_address("ethereum", &e).as_deref(), Ok(e.as_str()));
            for b in [btc_p2pkh(&mut rng), btc_p2wpkh(&mut rng)] {
                assert_eq!(r.normalize_address("bitcoin", &b).as_deref(), Ok(b.as_str()));
                assert!(btc_script(&b).is_some(), "{b}");
            }
            let t = tron(&mut rng);
            assert_eq!(r.normalize_address("tron", &t).as_deref(), Ok(t.as_str()));
        }
        let known = "1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ";
        assert!(btc_script(known).is_some_and(|(_, hex, _)| hex.starts_with("76a914") && hex.len() == 50));
    }
}

//! Compact, order-preserving encodings of what the ledger stores per transfer.
//!
//! - Amounts: one length byte, then the minimal big-endian bytes (zero is `[0]`). A longer
//!   minimal encoding is a larger number and equal lengths compare byte by byte, so SQLite's
//!   BLOB comparison (memcmp, then length) orders amounts numerically: `amount >= ?` is exact.
//!   10^20 wei takes 10 bytes instead of 32.
//! - Transaction hashes: the hex digits as bytes (32 for every chain here); EVM chains get
//!   their `0x` back when read. A hash that is not hex is kept as text.

use rusqlite::types::{Value, ValueRef};

use crate::model::{AddressRule, Amount, registry};

/// Encodes an amount (see the module docs).
#[must_use]
pub fn amount_to_sql(a: Amount) -> Vec<u8> {
    let bytes = a.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let mut out = Vec::with_capacity(1 + 32 - skip);
    out.push(u8::try_from(32 - skip).unwrap_or(32));
    out.extend_from_slice(&bytes[skip..]);
    out
}

/// Decodes [`amount_to_sql`]; `None` for bytes it did not write.
#[must_use]
pub fn amount_from_sql(b: &[u8]) -> Option<Amount> {
    let (&len, rest) = b.split_first()?;
    if usize::from(len) != rest.len() || rest.len() > 32 {
        return None;
    }
    let mut full = [0u8; 32];
    full[32 - rest.len()..].copy_from_slice(rest);
    Amount::from_be_slice(&full)
}

/// Decodes a stored amount column: `None` for SQL NULL, the mark of an amount the ledger does
/// not know (a UTXO input whose spent output is not imported); bytes [`amount_to_sql`] did not
/// write read as zero, as before.
///
/// # Errors
/// When the column is neither NULL nor a BLOB.
pub fn amount_column(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Option<Amount>> {
    match v {
        ValueRef::Null => Ok(None),
        v => Ok(Some(amount_from_sql(v.as_blob()?).unwrap_or_default())),
    }
}

/// Encodes a transaction hash (see the module docs).
#[must_use]
pub fn tx_to_sql(hash: &str) -> Value {
    let t = hash.trim();
    let hex_part = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t);
    match hex::decode(hex_part) {
        Ok(bytes) if !bytes.is_empty() => Value::Blob(bytes),
        _ => Value::Text(t.to_owned()),
    }
}

/// The 8-byte integer key of a transaction hash that the ledger indexes (an integer index
/// builds and searches faster than one over 32-byte blobs); lookups compare the full hash too.
#[must_use]
pub fn tx_key(encoded: &Value) -> i64 {
    use sha2::{Digest, Sha256};
    let digest;
    let bytes: &[u8] = match encoded {
        Value::Blob(b) => b,
        Value::Text(t) => {
            digest = Sha256::digest(t.as_bytes());
            &digest
        }
        _ => &[],
    };
    let mut k = [0u8; 8];
    let n = bytes.len().min(8);
    k[..n].copy_from_slice(&bytes[..n]);
    i64::from_be_bytes(k)
}

/// Decodes [`tx_to_sql`] for `chain`.
#[must_use]
pub fn tx_from_sql(chain: &str, v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Blob(b) => {
            let evm = registry().chain(chain).is_ok_and(|c| c.address == AddressRule::Evm);
            if evm { format!("0x{}", hex::encode(b)) } else { hex::encode(b) }
        }
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_encoding_orders_numerically_and_round_trips() {
        let values = [0u128, 1, 255, 256, 65_535, 10u128.pow(20), u128::MAX];
        let enc: Vec<Vec<u8>> = values.iter().map(|v| amount_to_sql(Amount::from_u128(*v))).collect();
        for w in enc.windows(2) {
            assert!(w[0] < w[1], "{w:?}");
        }
        for (v, e) in values.iter().zip(&enc) {
            assert_eq!(amount_from_sql(e), Some(Amount::from_u128(*v)));
        }
        let max = Amount(ethnum::U256::MAX);
        assert_eq!(amount_from_sql(&amount_to_sql(max)), Some(max));
        assert_eq!(amount_to_sql(Amount::from_u128(10u128.pow(20))).len(), 10);
        assert_eq!(amount_from_sql(&[3, 1]), None);
    }

    #[test]
    fn tx_hashes_round_trip() {
        let evm = "0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0";
        let Value::Blob(b) = tx_to_sql(evm) else { panic!("hex becomes bytes") };
        assert_eq!(b.len(), 32);
        assert_eq!(tx_from_sql("ethereum", ValueRef::Blob(&b)), evm);
        assert_eq!(tx_from_sql("bitcoin", ValueRef::Blob(&b)), &evm[2..]);
        assert_eq!(tx_to_sql("not-hex"), Value::Text("not-hex".to_owned()));
    }
}

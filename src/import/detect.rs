//! Recognising a file's format from its first bytes, so `hoptrace import FILE` needs no flag.

use super::Format;
use super::csvutil::normalize_header;

/// How many bytes of a file [`detect`] wants to see.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// Recognises the format of a file from its first bytes (up to [`SAMPLE_BYTES`]).
///
/// # Errors
/// A message saying what the file looks like and which formats were expected.
pub fn detect(sample: &[u8]) -> Result<Format, String> {
    let sample = sample.strip_prefix(b"\xef\xbb\xbf").unwrap_or(sample);
    let text_end = sample.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    if text_end == 0 {
        return Err("the file is empty: expected an export with a header or JSON records".to_owned());
    }
    let body = &sample[..text_end];
    let controls = body.iter().filter(|b| b.is_ascii_control() && !b.is_ascii_whitespace()).count();
    if controls > 0 {
        return Err(format!(
            "the file holds binary data ({controls} control bytes in the first {} bytes): expected a text export (CSV, JSON or YAML)",
            body.len()
        ));
    }
    // The first line (a header, or the first JSON record) must be UTF-8; a bad byte further on is
    // one row's problem, reported by the reader with its line.
    let first_end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
    if let Err(e) = std::str::from_utf8(&body[..first_end])
        && e.error_len().is_some()
    {
        return Err(format!(
            "the file is not UTF-8 text (invalid byte at offset {}): expected a UTF-8 export",
            e.valid_up_to()
        ));
    }
    let lossy = String::from_utf8_lossy(body);
    let text: &str = &lossy;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return detect_json(trimmed);
    }
    if trimmed.lines().any(|l| l.trim_end() == "tags:") && trimmed.lines().any(|l| l.contains(':')) {
        return Ok(Format::TagPack);
    }
    let first = trimmed.lines().next().unwrap_or("");
    if first.contains(',') {
        return detect_csv(first);
    }
    let looks_like_list = trimmed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .all(|l| !l.contains([',', ' ', ':', '\t']) && l.len() >= 25 && l.len() <= 90);
    if looks_like_list {
        return Ok(Format::AddressList);
    }
    Err(format!("cannot recognise the format from the first line {:?}: {}", shorten(first), EXPECTED))
}

const EXPECTED: &str = "expected ethereum-etl CSV/JSON lines, Bitcoin Core RPC JSON, an Etherscan/BscScan/Polygonscan \
     CSV, a Tronscan, Arkham or Dune CSV, BigQuery crypto_bitcoin JSON lines, the generic transfers CSV, a TagPack YAML or an address list (or pass --format)";

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(120).collect();
    if s.chars().count() > 120 {
        out.push('…');
    }
    out
}

fn detect_json(text: &str) -> Result<Format, String> {
    let has = |k: &str| text.contains(&format!("\"{k}\""));
    // BigQuery crypto_bitcoin / bitcoin-etl transactions: nested inputs/outputs arrays.
    if has("is_coinbase") && has("inputs") && has("outputs") {
        return Ok(Format::BigQueryBitcoin);
    }
    if has("vout") || has("vin") || (has("tx") && has("height") && has("merkleroot")) {
        return Ok(Format::BitcoinRpc);
    }
    if has("token_address") && has("log_index") {
        return Ok(Format::EthereumEtlTokenTransfers);
    }
    if has("from_address") && has("hash") && (has("nonce") || has("transaction_index")) {
        return Ok(Format::EthereumEtlTransactions);
    }
    Err(format!(
        "JSON that is neither ethereum-etl (from_address/token_address keys) nor Bitcoin Core RPC (vin/vout): {EXPECTED}"
    ))
}

fn detect_csv(first_line: &str) -> Result<Format, String> {
    // Parse the header as CSV: quoted names may hold commas ("CurrentValue @ $3,021.44/Eth").
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(first_line.as_bytes());
    let cols: Vec<String> =
        rdr.records().next().and_then(Result::ok).map(|r| r.iter().map(normalize_header).collect()).unwrap_or_default();
    let has = |k: &str| cols.iter().any(|c| c == k);
    let has_prefix = |k: &str| cols.iter().any(|c| c.starts_with(k));
    if has("tokenaddress") && has("fromaddress") && has("logindex") {
        return Ok(Format::EthereumEtlTokenTransfers);
    }
    if has("hash") && has("fromaddress") && has("toaddress") && has("value") {
        return Ok(Format::EthereumEtlTransactions);
    }
    if has("blockchain") && has("amountraw") && has("tokenstandard") {
        return Ok(Format::Dune);
    }
    if has("contractret") && has("transactionid") && has("quant") {
        return Ok(Format::Tronscan);
    }
    if has("fromlabel") && has("tolabel") {
        return Ok(Format::Arkham);
    }
    if (has("blocktime(utc)") || has("blocktime(utc+8)")) && has("blockheight") {
        return Ok(Format::Tronscan);
    }
    if has("chain") && has("txhash") && has("amount") && has("asset") && has("from") && has("to") {
        return Ok(Format::Generic);
    }
    let etherscan_hash = has("txhash") || has("transactionhash");
    if etherscan_hash && has("from") {
        if has("tokenvalue") || has("tokensymbol") || has("quantity") || (has("tokenname") && has("value")) {
            return Ok(Format::EtherscanToken);
        }
        if has("parenttxfrom") || has("parenttxto") || has_prefix("parenttx") || has("txto") {
            return Ok(Format::EtherscanInternal);
        }
        if has_prefix("valuein(") {
            return Ok(Format::EtherscanNormal);
        }
    }
    Err(format!("cannot recognise the CSV header {:?}: {EXPECTED}", shorten(first_line)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_headers() {
        let cases: [(&str, Format); 15] = [
            (
                "token_address,from_address,to_address,value,transaction_hash,log_index,block_number",
                Format::EthereumEtlTokenTransfers,
            ),
            (
                "hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas",
                Format::EthereumEtlTransactions,
            ),
            (
                "\"Txhash\",\"Blockno\",\"UnixTimestamp\",\"DateTime\",\"From\",\"To\",\"ContractAddress\",\"Value_IN(ETH)\",\"Value_OUT(ETH)\"",
                Format::EtherscanNormal,
            ),
            (
                "\"Transaction Hash\",\"Blockno\",\"UnixTimestamp\",\"DateTime (UTC)\",\"ParentTxFrom\",\"ParentTxTo\",\"ParentTxETH_Value\",\"From\",\"TxTo\",\"ContractAddress\",\"Value_IN(ETH)\"",
                Format::EtherscanInternal,
            ),
            (
                "\"Transaction Hash\",\"Blockno\",\"UnixTimestamp\",\"DateTime (UTC)\",\"From\",\"To\",\"TokenValue\",\"USDValueDayOfTx\",\"ContractAddress\",\"TokenName\",\"TokenSymbol\"",
                Format::EtherscanToken,
            ),
            (
                "Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,symbol,tokenAddress,isConfirm",
                Format::Tronscan,
            ),
            ("Timestamp,From Label,From,To Label,To,Value,Asset,Value USD,Txn Hash", Format::Arkham),
            (
                "Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,symbol,contractType,status",
                Format::Tronscan,
            ),
            ("Tx Hash,blockHeight,blockTime(UTC+8),blockTime(UTC),from,to,value,fee,status", Format::Tronscan),
            ("transaction_id,block,block_ts,from_address,to_address,confirmed,contractRet,quant", Format::Tronscan),
            (
                "transactionHash,chain,type,fromAddress,fromLabel,fromIsContract,toAddress,toLabel,toIsContract,tokenAddress,tokenName,tokenSymbol,tokenDecimals,tokenId,unitValue,historicalUSD,blockNumber,blockHash,blockTimestamp",
                Format::Arkham,
            ),
            (
                "unique_key,blockchain,block_month,block_date,block_time,block_number,tx_hash,evt_index,trace_address,token_standard,tx_from,tx_to,tx_index,from,to,contract_address,symbol,amount_raw,amount,price_usd,amount_usd",
                Format::Dune,
            ),
            ("blockchain,tx_hash,token_standard,from,to,amount_raw", Format::Dune),
            ("chain,tx_hash,position,block,time,from,to,asset,amount,decimals", Format::Generic),
            ("\u{feff}\"Txhash\",\"UnixTimestamp\",\"DateTime\",\"From\",\"To\",\"Quantity\"", Format::EtherscanToken),
        ];
        for (h, f) in cases {
            assert_eq!(detect(format!("{h}\n1,2,3\n").as_bytes()), Ok(f), "{h}");
        }
    }

    #[test]
    fn recognises_documents_and_refuses_garbage() {
        assert_eq!(detect(b"{\"txid\": \"ab\", \"vin\": [], \"vout\": []}"), Ok(Format::BitcoinRpc));
        let bq = br#"{"hash": "ab", "block_timestamp": "2017-01-01 00:00:00 UTC", "is_coinbase": true, "inputs": [], "outputs": []}"#;
        assert_eq!(detect(bq), Ok(Format::BigQueryBitcoin));
        assert_eq!(detect(b"title: x\ntags:\n- address: 1abc\n"), Ok(Format::TagPack));
        assert_eq!(
            detect(b"0x8589427373D6D84E98730D7795D8f6f8731FDA16\n0x722122dF12D4e14e13Ac3b6895a86e84145b6967\n"),
            Ok(Format::AddressList)
        );
        assert!(detect(b"").is_err());
        assert!(detect(b"\x00\x01\x02binary").err().is_some_and(|e| e.contains("binary")));
        assert!(detect(b"a,b,c\n1,2,3\n").err().is_some_and(|e| e.contains("cannot recognise")));
    }
}

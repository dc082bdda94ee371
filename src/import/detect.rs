//! Recognising a file's format from its first bytes, so `hoptrace import FILE` needs no flag.

use super::Format;
use super::csvutil::normalize_header;

/// How many bytes of a file [`detect`] wants to see.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// Recognises the format of a file from its first bytes (up to [`SAMPLE_BYTES`]).
///
/// Why a file's format was not recognised. Each says what the file looks like and which formats
/// were expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    /// Not a text export at all: empty, binary, not UTF-8, or compressed in a way no reader takes.
    #[error("{0}")]
    Unreadable(String),
    /// Text whose header (first line) no reader knows: a column mapping can read it.
    #[error("{0}")]
    UnknownHeader(String),
    /// A JSON or XML document of a kind no reader takes.
    #[error("{0}")]
    UnknownDocument(String),
}

/// # Errors
/// [`DetectError`].
pub fn detect(sample: &[u8]) -> Result<Format, DetectError> {
    // Parquet: the only Parquet files hoptrace reads are cryo's; the reader checks the schema
    // (kept at the file's end) and refuses other Parquet files naming the columns it found.
    if sample.starts_with(b"PAR1") {
        return Ok(Format::Cryo);
    }
    if sample.starts_with(&[0x1f, 0x8b]) {
        return detect_gzip(sample);
    }
    let sample = sample.strip_prefix(b"\xef\xbb\xbf").unwrap_or(sample);
    // OFAC's sdn.csv ends with a Ctrl-Z (0x1A) end-of-file mark: not binary data.
    let text_end = sample.iter().rposition(|b| !b.is_ascii_whitespace() && *b != 0x1a).map_or(0, |i| i + 1);
    if text_end == 0 {
        return Err(DetectError::Unreadable(
            "the file is empty: expected an export with a header or JSON records".to_owned(),
        ));
    }
    let body = &sample[..text_end];
    let controls = body.iter().filter(|b| b.is_ascii_control() && !b.is_ascii_whitespace()).count();
    if controls > 0 {
        return Err(DetectError::Unreadable(format!(
            "the file holds binary data ({controls} control bytes in the first {} bytes): expected a text export (CSV, JSON or YAML)",
            body.len()
        )));
    }
    // The first line (a header, or the first JSON record) must be UTF-8; a bad byte further on is
    // one row's problem, reported by the reader with its line.
    let first_end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
    if let Err(e) = std::str::from_utf8(&body[..first_end])
        && e.error_len().is_some()
    {
        return Err(DetectError::Unreadable(format!(
            "the file is not UTF-8 text (invalid byte at offset {}): expected a UTF-8 export",
            e.valid_up_to()
        )));
    }
    let lossy = String::from_utf8_lossy(body);
    let text: &str = &lossy;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return detect_json(trimmed);
    }
    if trimmed.starts_with('<') {
        return detect_xml(trimmed);
    }
    if trimmed.lines().any(|l| l.trim_end() == "tags:") && trimmed.lines().any(|l| l.contains(':')) {
        return Ok(Format::TagPack);
    }
    let first = trimmed.lines().next().unwrap_or("");
    if first.contains('\t') && !first.contains(',') && is_blockchair(first) {
        return Ok(Format::Blockchair);
    }
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
    Err(DetectError::UnknownHeader(format!(
        "cannot recognise the format from the first line {:?}: {}",
        shorten(first),
        EXPECTED
    )))
}

const EXPECTED: &str = "expected ethereum-etl CSV/JSON lines, Bitcoin Core RPC JSON, an Etherscan/BscScan/Polygonscan \
     CSV, a Tronscan, Arkham or Dune CSV, BigQuery crypto_bitcoin JSON lines, the generic transfers CSV, a cryo \
     Parquet/CSV export, a Blockchair TSV dump, a TagPack YAML, an address list, a label list (address,label / \
     address,name / Etherscan label export / labels CSV) or an OFAC SDN file (or pass --format)";

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(120).collect();
    if s.chars().count() > 120 {
        out.push('…');
    }
    out
}

/// A Blockchair dump's header: tab-separated, with `block_id` and a transaction hash column.
fn is_blockchair(first_line: &str) -> bool {
    let cols: Vec<&str> = first_line.trim_end().split('\t').collect();
    cols.contains(&"block_id")
        && (cols.contains(&"transaction_hash") || (cols.contains(&"hash") && cols.contains(&"fee")))
}

/// A gzip file: its decompressed start must be a Blockchair dump (the only compressed format
/// hoptrace reads as it is).
fn detect_gzip(sample: &[u8]) -> Result<Format, DetectError> {
    use std::io::Read as _;
    let mut decoder = flate2::read::MultiGzDecoder::new(sample);
    let mut plain = Vec::new();
    let mut chunk = [0u8; 4096];
    // The sample ends mid-stream: keep what decompresses before the cut.
    while plain.len() < SAMPLE_BYTES {
        match decoder.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => plain.extend_from_slice(chunk.get(..n).unwrap_or_default()),
        }
    }
    let first_end = plain.iter().position(|&b| b == b'\n');
    let first = first_end.and_then(|e| std::str::from_utf8(plain.get(..e)?).ok());
    match first {
        Some(line) if is_blockchair(line.trim_start_matches('\u{feff}')) => Ok(Format::Blockchair),
        Some(line) => Err(DetectError::Unreadable(format!(
            "a gzip-compressed file whose first line is {:?}: hoptrace reads gzip only for Blockchair dumps \
             (.tsv.gz); decompress it first (gunzip FILE) and import the result",
            shorten(line)
        ))),
        None => Err(DetectError::Unreadable(
            "a gzip-compressed file whose start does not decompress to a text line: expected a Blockchair dump \
             (.tsv.gz); check the download, or decompress it first"
                .to_owned(),
        )),
    }
}

fn detect_json(text: &str) -> Result<Format, DetectError> {
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
    if has("trace_type") && has("from_address") && (has("trace_address") || has("trace_id")) {
        return Ok(Format::EthereumEtlTraces);
    }
    if has("number") && has("timestamp") && has("parent_hash") && !has("from_address") {
        return Ok(Format::EthereumEtlBlocks);
    }
    if has("from_address") && has("hash") && (has("nonce") || has("transaction_index")) {
        return Ok(Format::EthereumEtlTransactions);
    }
    Err(DetectError::UnknownDocument(format!(
        "JSON that is neither ethereum-etl (from_address/token_address keys) nor Bitcoin Core RPC (vin/vout): {EXPECTED}"
    )))
}

fn detect_csv(first_line: &str) -> Result<Format, DetectError> {
    // Parse the header as CSV: quoted names may hold commas ("CurrentValue @ $3,021.44/Eth").
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(first_line.as_bytes());
    let cols: Vec<String> =
        rdr.records().next().and_then(Result::ok).map(|r| r.iter().map(normalize_header).collect()).unwrap_or_default();
    let has = |k: &str| cols.iter().any(|c| c == k);
    let has_prefix = |k: &str| cols.iter().any(|c| c.starts_with(k));
    if has("tokenaddress") && has("fromaddress") && has("logindex") {
        return Ok(Format::EthereumEtlTokenTransfers);
    }
    if has("tracetype") && has("fromaddress") && (has("traceaddress") || has("traceid")) {
        return Ok(Format::EthereumEtlTraces);
    }
    if has("number") && has("timestamp") && has("parenthash") {
        return Ok(Format::EthereumEtlBlocks);
    }
    // cryo: binary-derived value columns, or the chain_id column ethereum-etl does not write.
    if has("transactionhash")
        && has("fromaddress")
        && has("toaddress")
        && (has("valuebinary") || has("valuestring") || has("valuef64") || (has("value") && has("chainid")))
    {
        return Ok(Format::Cryo);
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
        if has("tokenid") {
            return Ok(Format::EtherscanNft);
        }
        // Current layouts: `Amount` with the unit in the cell, and a column only explorers write
        // (Dune and other query exports also have tx hash, from, to and amount).
        let explorer = ["status", "method", "datetime(utc)", "age", "fromnametag", "blockno", "txnfee", "value(usd)"]
            .iter()
            .any(|k| has(k));
        if has("amount") && has("token") && explorer {
            return Ok(Format::EtherscanToken);
        }
        if has("amount") && has("to") && explorer {
            return Ok(Format::EtherscanNormal);
        }
        if has("tokenvalue") || has("tokensymbol") || has("quantity") || (has("tokenname") && has("value")) {
            return Ok(Format::EtherscanToken);
        }
        if has("parenttxfrom") || has("parenttxto") || has_prefix("parenttx") || has("txto") {
            return Ok(Format::EtherscanInternal);
        }
        if has_prefix("valuein(") || cols.iter().any(|c| c.starts_with("value(") && c != "value(usd)") {
            return Ok(Format::EtherscanNormal);
        }
    }
    if has("address") && has("nametag") {
        return Ok(Format::EtherscanLabels);
    }
    if has("address") && has("label") {
        return Ok(Format::LabelsCsv);
    }
    if cols.len() == 2 && has("address") && has("name") {
        return Ok(Format::LabelList);
    }
    if let Some(f) = detect_headerless(first_line) {
        return Ok(f);
    }
    let names: Vec<String> = rdr_names(first_line);
    Err(DetectError::UnknownHeader(format!(
        "cannot recognise the CSV header {:?}: {}; {EXPECTED}",
        shorten(first_line),
        closest(&names)
    )))
}

/// Headerless label files: OFAC's `sdn.csv` (12 cells, a numeric `ent_num`, `-0-` for empty)
/// and `address,label[,note]` lists (2 or 3 cells, the first an address by its syntax).
fn detect_headerless(first_line: &str) -> Option<Format> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(first_line.as_bytes());
    let cells: Vec<String> = rdr.records().next()?.ok()?.iter().map(|c| c.trim().to_owned()).collect();
    let first = cells.first()?;
    if cells.len() == 12 && first.bytes().all(|b| b.is_ascii_digit()) && cells.iter().any(|c| c == "-0-") {
        return Some(Format::OfacSdnCsv);
    }
    let reg = crate::model::registry();
    let address = ["bitcoin", "tron", "ethereum"].iter().any(|c| reg.normalize_address(c, first).is_ok());
    (address && (2..=3).contains(&cells.len())).then_some(Format::LabelList)
}

fn detect_xml(text: &str) -> Result<Format, DetectError> {
    if ["<sdnList", "<Sanctions", "<sanctionsData"].iter().any(|root| text.contains(root)) {
        return Ok(Format::OfacSdnXml);
    }
    Err(DetectError::UnknownDocument(format!(
        "XML that is not an OFAC SDN list (no <Sanctions>, <sanctionsData> or <sdnList> element): {EXPECTED}"
    )))
}

/// The header's names as written (for the closest-format message).
fn rdr_names(first_line: &str) -> Vec<String> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(first_line.as_bytes());
    rdr.records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(|n| n.trim().trim_start_matches('\u{feff}').to_owned()).collect())
        .unwrap_or_default()
}

/// Known CSV layouts for the closest-format message: format name, layout, and its columns as
/// published, each `Name` or `Name|alias|…` (aliases normalised; a trailing `(` matches any
/// unit, e.g. `Value_IN(…)`); required columns start with `!`.
const LAYOUTS: [(&str, &str, &str); 15] = [
    (
        "etherscan-normal",
        "current layout",
        "!Transaction Hash|txhash,Status,Method,Blockno|block,DateTime (UTC)|datetime,!From,From_Nametag,!To,To_Nametag,!Amount,Value (USD),Txn Fee",
    ),
    (
        "etherscan-token",
        "current layout",
        "!Transaction Hash|txhash,Status,Method,BlockNo|block,DateTime (UTC)|datetime,!From,From_Nametag,!To,To_Nametag,!Amount,Value (USD),!Token",
    ),
    (
        "etherscan-normal",
        "seen variant",
        "!Transaction Hash|txhash,Status,Type,Method,Block|blockno,Age,!From,From_NameTag,From_Note,!To,To_NameTag,To_Note,!Amount,Value (USD),!Asset,Txn Fee",
    ),
    (
        "etherscan-normal",
        "legacy layout",
        "!Txhash|transactionhash,Blockno,UnixTimestamp,DateTime (UTC)|datetime,!From,!To,ContractAddress,!Value_IN(ETH)|valuein(,Value_OUT(ETH)|valueout(,CurrentValue|currentvalue@(,TxnFee(ETH)|txnfee(,TxnFee(USD),Historical $Price/Eth|historical$price/(,Status,ErrCode,Method,ChainId,Chain",
    ),
    (
        "etherscan-internal",
        "legacy layout",
        "!Txhash|transactionhash,Blockno,UnixTimestamp,DateTime (UTC)|datetime,!ParentTxFrom,ParentTxTo,ParentTxETH_Value|parenttx(,!From,!TxTo,ContractAddress,Value_IN(ETH)|valuein(,Value_OUT(ETH)|valueout(,CurrentValue|currentvalue@(,Historical $Price/Eth|historical$price/(,Status,ErrCode,Type",
    ),
    (
        "etherscan-token",
        "legacy layout",
        "!Txhash|transactionhash,Blockno,UnixTimestamp,DateTime (UTC)|datetime,!From,!To,!TokenValue|value|quantity,USDValueDayOfTx,!ContractAddress,TokenName,!TokenSymbol",
    ),
    (
        "etherscan-token",
        "per-token page",
        "!Txhash|transactionhash,Blockno,UnixTimestamp,DateTime|datetime(utc),!From,!To,!Quantity,Method",
    ),
    (
        "etherscan-nft",
        "legacy layout",
        "!Txhash|transactionhash,Blockno,UnixTimestamp,DateTime (UTC)|datetime,!From,!To,!ContractAddress,!TokenId,TokenName,TokenSymbol,TokenValue|quantity",
    ),
    (
        "ethereum-etl-transactions",
        "CSV",
        "!hash,nonce,block_hash,block_number,transaction_index,!from_address,!to_address,!value,gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,transaction_type,receipt_status",
    ),
    (
        "ethereum-etl-token-transfers",
        "CSV",
        "!token_address,!from_address,!to_address,!value,!transaction_hash,!log_index,block_number,block_timestamp",
    ),
    (
        "ethereum-etl-traces",
        "CSV",
        "!transaction_hash,transaction_index,!from_address,to_address,value,input,output,!trace_type,call_type,reward_type,gas,gas_used,subtraces,!trace_address,error,status,block_number,block_timestamp,trace_id",
    ),
    (
        "ethereum-etl-blocks",
        "CSV",
        "!number,hash,!parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,!timestamp,transaction_count,base_fee_per_gas",
    ),
    (
        "tronscan",
        "token or TRX transfers",
        "!Tx Hash,!blockHeight,blockTime(UTC+8),!blockTime(UTC),!from,!to,!value,symbol,tokenAddress,isConfirm,contractType,status,fee",
    ),
    ("arkham", "CSV", "Timestamp,!From Label,!From,!To Label,!To,!Value,!Asset,Value USD,!Txn Hash,Chain"),
    ("generic", "transfers CSV", "!chain,!tx_hash,position,block,time,!from,!to,!asset,!amount,decimals,fee,failed"),
];

/// A candidate for [`closest`]: score, format, layout, missing and unexpected columns.
type Closest<'a> = (i64, &'a str, &'a str, Vec<String>, Vec<String>);

/// `closest: FORMAT (LAYOUT); missing: …; unexpected: …` for a header no format matched: the
/// known layout sharing the most columns with it (ties: the first listed).
fn closest(names: &[String]) -> String {
    let normalized: Vec<String> = names.iter().map(|n| normalize_header(n)).collect();
    let matches = |spec: &str, n: &str| {
        let mut alts = spec.trim_start_matches('!').split('|');
        let first = alts.next().map(normalize_header).unwrap_or_default();
        std::iter::once(first).chain(alts.map(str::to_owned)).any(|a| match a.strip_suffix('(') {
            Some(prefix) if !prefix.is_empty() => n.starts_with(prefix),
            _ => a == n || (a.ends_with(')') && a.split('(').next().is_some_and(|p| n.starts_with(&format!("{p}(")))),
        })
    };
    let mut best: Option<Closest<'_>> = None;
    for (format, layout, spec) in LAYOUTS {
        let specs: Vec<&str> = spec.split(',').collect();
        let missing: Vec<String> = specs
            .iter()
            .filter(|s| s.starts_with('!') && !normalized.iter().any(|n| matches(s, n)))
            .map(|s| s.trim_start_matches('!').split('|').next().unwrap_or_default().to_owned())
            .collect();
        let unexpected: Vec<String> = names
            .iter()
            .zip(&normalized)
            .filter(|(_, n)| !n.is_empty() && !specs.iter().any(|s| matches(s, n)))
            .map(|(name, _)| name.clone())
            .collect();
        let known = i64::try_from(names.len() - unexpected.len()).unwrap_or(0);
        let score = known * 2 - i64::try_from(missing.len()).unwrap_or(0);
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, format, layout, missing, unexpected));
        }
    }
    let Some((_, format, layout, missing, unexpected)) = best else { return String::new() };
    let list = |v: &[String]| if v.is_empty() { "none".to_owned() } else { v.join(", ") };
    format!("closest: {format} ({layout}); missing: {}; unexpected: {}", list(&missing), list(&unexpected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_headers() {
        let cases: [(&str, Format); 17] = [
            (
                "block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id",
                Format::EthereumEtlTraces,
            ),
            (
                "number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals",
                Format::EthereumEtlBlocks,
            ),
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
    fn recognises_current_explorer_layouts() {
        for (h, f) in [
            (
                "Transaction Hash,Status,Method,Blockno,DateTime (UTC),From,From_Nametag,To,To_Nametag,Amount,Value (USD),Txn Fee",
                Format::EtherscanNormal,
            ),
            (
                "Transaction Hash,Status,Method,BlockNo,DateTime (UTC),From,From_Nametag,To,To_Nametag,Amount,Value (USD),Token",
                Format::EtherscanToken,
            ),
            (
                "Transaction Hash,Status,Type,Method,Block,Age,From,From_NameTag,From_Note,To,To_NameTag,To_Note,Amount,Value (USD),Asset,Txn Fee",
                Format::EtherscanNormal,
            ),
            ("Txhash,Blockno,UnixTimestamp,DateTime,From,To,Quantity,Method", Format::EtherscanToken),
            ("Transaction Hash,Blockno,UnixTimestamp,DateTime (UTC),From,To,Quantity,Method", Format::EtherscanToken),
            (
                "Txhash,Blockno,UnixTimestamp,DateTime (UTC),From,To,ContractAddress,TokenId,TokenName,TokenSymbol",
                Format::EtherscanNft,
            ),
            (
                "Txhash,Blockno,UnixTimestamp,DateTime (UTC),From,To,ContractAddress,TokenId,TokenValue,TokenName,TokenSymbol",
                Format::EtherscanNft,
            ),
            (
                "Txhash,Blockno,UnixTimestamp,DateTime (UTC),From,To,Value(AVAX),Status,ChainId,Chain",
                Format::EtherscanNormal,
            ),
        ] {
            assert_eq!(detect(format!("{h}\n1,2,3\n").as_bytes()), Ok(f), "{h}");
        }
        // A Dune-style query export is not mistaken for an explorer's current layout.
        assert!(detect(b"blockchain,block_time,tx_hash,from,to,amount,symbol\n").is_err());
    }

    #[test]
    fn unknown_headers_name_the_closest_format() {
        let e = detect(
            b"Transaction Hash,Status,Method,Blockno,DateTime (UTC),From,From_Nametag,To,To_Nametag,Foo,Value (USD),Txn Fee\n",
        );
        let e = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            e.contains("closest: etherscan-normal (current layout); missing: Amount; unexpected: Foo; expected "),
            "{e}"
        );
        let e = detect(b"Txhash,Blockno,UnixTimestamp,From,To,Value,Foo\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains(
                "closest: etherscan-token (legacy layout); missing: ContractAddress, TokenSymbol; unexpected: Foo;"
            ),
            "{e}"
        );
        let e =
            detect(b"Hash,Blockno,From,To,ContractAddress,TokenId\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("closest: etherscan-nft (legacy layout); missing: Txhash; unexpected: Hash;"), "{e}");
    }

    #[test]
    fn recognises_documents_and_refuses_garbage() {
        assert_eq!(detect(b"{\"txid\": \"ab\", \"vin\": [], \"vout\": []}"), Ok(Format::BitcoinRpc));
        assert_eq!(
            detect(b"{\"type\": \"trace\", \"from_address\": \"0x\", \"trace_type\": \"call\", \"trace_address\": []}"),
            Ok(Format::EthereumEtlTraces)
        );
        assert_eq!(
            detect(b"{\"type\": \"block\", \"number\": 1, \"hash\": \"0x\", \"parent_hash\": \"0x\", \"nonce\": \"0x\", \"timestamp\": 1}"),
            Ok(Format::EthereumEtlBlocks)
        );
        let bq = br#"{"hash": "ab", "block_timestamp": "2017-01-01 00:00:00 UTC", "is_coinbase": true, "inputs": [], "outputs": []}"#;
        assert_eq!(detect(bq), Ok(Format::BigQueryBitcoin));
        assert_eq!(detect(b"title: x\ntags:\n- address: 1abc\n"), Ok(Format::TagPack));
        assert_eq!(
            detect(b"0x8589427373D6D84E98730D7795D8f6f8731FDA16\n0x722122dF12D4e14e13Ac3b6895a86e84145b6967\n"),
            Ok(Format::AddressList)
        );
        assert!(detect(b"").is_err());
        assert!(detect(b"\x00\x01\x02binary").err().is_some_and(|e| e.to_string().contains("binary")));
        assert!(detect(b"a,b,c\n1,2,3\n").err().is_some_and(|e| e.to_string().contains("cannot recognise")));
    }

    #[test]
    fn recognises_label_lists_and_sdn_files() {
        let cases: [(&[u8], Format); 10] = [
            (b"1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,Seized wallet,exhibit 7\n", Format::LabelList),
            (b"0x8589427373D6D84E98730D7795D8f6f8731FDA16,TORNADO CASH\n", Format::LabelList),
            (b"address,name\n0x8589427373D6D84E98730D7795D8f6f8731FDA16,TORNADO CASH\n", Format::LabelList),
            (
                b",Address,Name Tag,Balance,Txn Count\n1,0x8589427373D6D84E98730D7795D8f6f8731FDA16,x,0,1\n",
                Format::EtherscanLabels,
            ),
            (b"label,address,category\nx,1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ,actor\n", Format::LabelsCsv),
            (
                b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a",
                Format::OfacSdnCsv,
            ),
            (b"<?xml version=\"1.0\"?>\n<Sanctions xmlns=\"x\">\n", Format::OfacSdnXml),
            (b"<?xml version=\"1.0\"?>\n<sdnList>\n", Format::OfacSdnXml),
            (b"<sanctionsData xmlns=\"x\">\n", Format::OfacSdnXml),
            (b"TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre\n", Format::AddressList),
        ];
        for (sample, f) in cases {
            assert_eq!(detect(sample), Ok(f), "{}", String::from_utf8_lossy(sample));
        }
        assert!(detect(b"<graphml/>\n").err().is_some_and(
            |e| matches!(&e, DetectError::UnknownDocument(m) if m.starts_with("XML that is not an OFAC SDN list"))
        ));
        assert!(matches!(detect(b"a,b,c\n1,2,3\n"), Err(DetectError::UnknownHeader(_))), "a mapping can read it");
        assert!(matches!(detect(b"\n\n"), Err(DetectError::Unreadable(_))));
        assert!(
            detect(b"hello,world\n").err().is_some_and(|e| e.to_string().contains("cannot recognise the CSV header"))
        );
    }

    #[test]
    fn recognises_cryo_and_blockchair() {
        assert_eq!(detect(b"PAR1\x15\x04\x15"), Ok(Format::Cryo));
        let cryo = "block_number,transaction_index,log_index,transaction_hash,erc20,from_address,to_address,value_binary,value_string,value_f64,chain_id\n";
        assert_eq!(detect(cryo.as_bytes()), Ok(Format::Cryo));
        let txs = "block_number,transaction_index,transaction_hash,nonce,from_address,to_address,value_string,success,chain_id\n";
        assert_eq!(detect(txs.as_bytes()), Ok(Format::Cryo));
        let outputs = "block_id\ttransaction_hash\tindex\ttime\tvalue\tvalue_usd\trecipient\ttype\tscript_hex\tis_from_coinbase\tis_spendable\n";
        assert_eq!(detect(outputs.as_bytes()), Ok(Format::Blockchair));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, outputs.repeat(3000).as_bytes()).ok();
        let bytes = gz.finish().unwrap_or_default();
        // The ledger's sample is cut: the gzip stream ends early.
        assert_eq!(detect(&bytes[..bytes.len() / 2]), Ok(Format::Blockchair));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, b"a,b\n1,2\n").ok();
        let err = detect(&gz.finish().unwrap_or_default()).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("hoptrace reads gzip only for Blockchair dumps"), "{err}");
    }
}

//! Tests of per-token page exports (contract from the file name or `--token-contract`),
//! spreadsheet-mangled cells, NFT transfers, a realistic large per-token file, and whole-file
//! refusals.

use super::tests_current::{err, notes, ok};
use crate::import::explorer_common::testkit::{brief, refusal, refusals};
use crate::import::{AssetInfo, Format, ImportOptions};
use crate::model::Amount;

const USDT_BSC: &str = "0x55d398326f99059ff775485246999027b3197955";
const ZERO: &str = "0x0000000000000000000000000000000000000000";

fn bsc() -> ImportOptions {
    ImportOptions { chain: Some("bsc".into()), ..ImportOptions::default() }
}

#[test]
fn token_page_with_spreadsheet_cells() {
    let csv = format!(
        "Txhash,Blockno,UnixTimestamp,DateTime,From,To,Quantity,Method\n\
         {{H1}},12800000,,11/16/21 4:07,{{A}},{{B}},\"1,000\",Transfer\n\
         {{H2}},12800001,1637035620,2021-11-16 4:07:00,{ZERO},{{A}},340282366920938463463.374607431768211457,Mint\n\
         {{H3}},12800002,,11/16/21 4:08,{{A}},{{B}},7E-16,Transfer\n\
         {{H3}},12800003,,11/16/21 4:09,{{A}},{{B}},+15,Transfer\n\
         {{H3}},12800004,,2/30/21 4:07,{{A}},{{B}},1,Transfer\n\
         {{H4}},12800005,,11/16/21 4:10,{{B}},{ZERO},0.5,Burn\n"
    );
    let file = format!("export-token-{USDT_BSC}.csv");
    let c = ok(Format::EtherscanToken, &file, &bsc(), &csv);
    assert_eq!(c.chain, Some(("bsc".to_owned(), "--chain option".to_owned())));
    assert_eq!(
        brief(&c),
        [
            format!("2 bsc {{H1}} token {{A}}>{{B}} 1000000000000000000000 {USDT_BSC} b=12800000 t=1637035620 fee=-"),
            // 2^128 + 1 base units (18 decimals), minted from the zero address.
            format!(
                "3 bsc {{H2}} token {ZERO}>{{A}} 340282366920938463463374607431768211457 {USDT_BSC} b=12800001 t=1637035620 fee=-"
            ),
            format!("7 bsc {{H4}} token {{B}}>{ZERO} 500000000000000000 {USDT_BSC} b=12800005 t=1637035800 fee=-"),
        ]
    );
    assert_eq!(notes(&c), ["2 m=Transfer usd=-", "3 m=Mint usd=-", "7 m=Burn usd=-"]);
    assert_eq!(
        refusals(&c),
        [
            refusal(
                4,
                "Quantity",
                "found \"7E-16\": expected plain digits, not scientific notation (a spreadsheet rewrote the number and lost digits): re-export from the explorer and import the downloaded file without opening it in a spreadsheet"
            ),
            refusal(5, "Quantity", "found \"+15\": expected an amount without sign (from/to give the direction)"),
            refusal(
                6,
                "DateTime",
                "found \"2/30/21 4:07\": expected Unix seconds, ISO 8601 (2023-05-02 12:19:59), a spreadsheet date (5/2/2023 12:19) or a spreadsheet serial number"
            ),
        ]
    );
    assert_eq!(
        c.assets,
        [AssetInfo {
            chain: "bsc".into(),
            asset: USDT_BSC.into(),
            symbol: Some("BSC-USD".into()),
            decimals: Some(18),
            name: None
        }]
    );
    // The `Transaction Hash` / `DateTime (UTC)` spelling, chain from the file name.
    let csv = "Transaction Hash,Blockno,UnixTimestamp,DateTime (UTC),From,To,Quantity,Method\n{H1},1,1637035620,2021-11-16 04:07:00,{A},{B},2,Transfer\n".to_owned();
    let c = ok(Format::EtherscanToken, &format!("bscscan-{USDT_BSC}.csv"), &ImportOptions::default(), &csv);
    assert_eq!(c.chain, Some(("bsc".to_owned(), "file name contains bscscan".to_owned())));
    assert_eq!(
        brief(&c),
        [format!("2 bsc {{H1}} token {{A}}>{{B}} 2000000000000000000 {USDT_BSC} b=1 t=1637035620 fee=-")]
    );
}

#[test]
fn token_page_contract_and_decimals_options() {
    let csv =
        "Txhash,Blockno,UnixTimestamp,DateTime,From,To,Quantity,Method\n{H1},1,1637035620,,{A},{B},1.5,Transfer\n";
    assert_eq!(
        err(Format::EtherscanToken, "export-token.csv", &bsc(), csv),
        "line 1: found no contract column and no token contract in the file name export-token.csv: expected a token page export named …-0x<contract>.csv; pass --token-contract 0x… (and --token-decimals 0x…=N if the token is not in assets/tokens.ron)"
    );
    let mystery = "0x1111111111111111111111111111111111111111";
    let opts = ImportOptions { token_contract: Some(mystery.to_uppercase().replace("0X", "0x")), ..bsc() };
    assert_eq!(
        err(Format::EtherscanToken, "export-token.csv", &opts, csv),
        format!(
            "line 1: found token {mystery} (from --token-contract) on bsc whose decimals hoptrace does not know: expected a token of assets/tokens.ron; pass --token-decimals {mystery}=N with its decimals N (and --token-contract 0x… if this is not the file's token)"
        )
    );
    let opts = ImportOptions { token_decimals: [(mystery.to_owned(), 2)].into(), ..opts };
    let c = ok(Format::EtherscanToken, "export-token.csv", &opts, csv);
    assert_eq!(brief(&c), [format!("2 bsc {{H1}} token {{A}}>{{B}} 150 {mystery} b=1 t=1637035620 fee=-")]);
    let opts = ImportOptions { token_contract: Some(mystery.to_owned()), ..bsc() };
    assert_eq!(
        err(Format::EtherscanToken, &format!("export-token-{USDT_BSC}.csv"), &opts, csv),
        format!(
            "line 1: found --token-contract {mystery} but the file name export-token-{USDT_BSC}.csv names {USDT_BSC}: expected them to agree"
        )
    );
    // No chain anywhere: refused, naming --chain.
    let e = err(Format::EtherscanToken, &format!("export-token-{USDT_BSC}.csv"), &ImportOptions::default(), csv);
    assert!(e.starts_with("cannot tell the chain of this file (no value unit"), "{e}");
    assert!(
        e.ends_with("pass --chain with one of: arbitrum, avalanche, base, bsc, ethereum, fantom, optimism, polygon"),
        "{e}"
    );
}

#[test]
fn nft_transfers_erc721_and_erc1155() {
    let big_id = "340282366920938463463374607431768211457"; // 2^128 + 1
    let nft = "0x722122df12d4e14e13ac3b6895a86e84145b6967";
    let csv = format!(
        "Txhash,Blockno,UnixTimestamp,DateTime (UTC),From,To,ContractAddress,TokenId,TokenName,TokenSymbol\n\
         {{H1}},17170000,1683029999,2023-05-02 12:19:59,{ZERO},{{A}},{{B}},{big_id},Bored Thing,BORED\n\
         {{H2}},17170001,1683030011,2023-05-02 12:20:11,{{A}},{{B}},{{B}},0042,Bored Thing,BORED\n\
         {{H3}},17170002,1683030023,2023-05-02 12:20:23,{{A}},{{B}},{{B}},4.2,Bored Thing,BORED\n"
    );
    let c = ok(Format::EtherscanNft, "etherscan-nft.csv", &ImportOptions::default(), &csv);
    assert_eq!(c.chain, Some(("ethereum".to_owned(), "file name contains etherscan".to_owned())));
    assert_eq!(
        brief(&c),
        [
            format!("2 ethereum {{H1}} token {ZERO}>{{A}} 1 {nft}#{big_id} b=17170000 t=1683029999 fee=-"),
            format!("3 ethereum {{H2}} token {{A}}>{{B}} 1 {nft}#42 b=17170001 t=1683030011 fee=-"),
        ]
    );
    assert_eq!(
        refusals(&c),
        [refusal(4, "TokenId", "found \"4.2\": expected a token id, a whole number such as 1234")]
    );
    assert_eq!(
        c.assets.first(),
        Some(&AssetInfo {
            chain: "ethereum".into(),
            asset: format!("{nft}#{big_id}"),
            symbol: Some("BORED".into()),
            decimals: Some(0),
            name: Some("Bored Thing".into()),
        })
    );
    // ERC-1155: the quantity column gives the amount.
    let csv = "Txhash,Blockno,UnixTimestamp,DateTime (UTC),From,To,ContractAddress,TokenId,TokenValue,TokenName,TokenSymbol\n\
         {H1},1,1683029999,2023-05-02 12:19:59,{A},{B},{B},7,\"1,000\",Game Item,ITEM\n\
         {H2},2,1683029999,2023-05-02 12:19:59,{A},{B},{B},7,1.5,Game Item,ITEM\n".to_owned();
    let c = ok(Format::EtherscanNft, "polygonscan-1155.csv", &ImportOptions::default(), &csv);
    assert_eq!(brief(&c), [format!("2 polygon {{H1}} token {{A}}>{{B}} 1000 {nft}#7 b=1 t=1683029999 fee=-")]);
    assert_eq!(
        refusals(&c),
        [refusal(3, "TokenValue", "found \"1.5\": expected at most 0 decimal places (the token has 0 decimals)")]
    );
}

/// A BscScan per-token page of a few thousand rows, as users bring them (the real ones have
/// 7,000+): every row imports, and the total equals the sum computed from the generated cells.
#[test]
fn large_bscscan_token_page_imports_whole() {
    const ROWS: u64 = 7_500;
    let mut csv =
        String::from("\"Txhash\",\"Blockno\",\"UnixTimestamp\",\"DateTime\",\"From\",\"To\",\"Quantity\",\"Method\"\n");
    let mut expected: u128 = 0;
    for i in 0..ROWS {
        // Amounts with up to 18 decimals, thousands separators on some, a few above 2^64 units.
        let whole = (i * 7_919) % 1_000_003;
        let frac_units = u128::from(i) * 104_729_123_456_789 % 1_000_000_000_000_000_000;
        let frac = format!("{frac_units:018}");
        let text = if i % 3 == 0 { format_thousands(whole) } else { whole.to_string() };
        let cell = format!("{text}.{frac}");
        expected += u128::from(whole) * 1_000_000_000_000_000_000 + frac_units;
        let from = format!("0x{:040x}", i + 1);
        let to = format!("0x{:040x}", i + 2);
        let time = 1_637_035_620 + i * 3;
        csv.push_str(&format!(
            "\"0x{i:064x}\",\"{}\",\"{time}\",\"\",\"{from}\",\"{to}\",\"{cell}\",\"Transfer\"\n",
            12_800_000 + i
        ));
    }
    let c = ok(Format::EtherscanToken, &format!("export-token-{USDT_BSC}.csv"), &bsc(), &csv);
    assert_eq!((c.rows, c.transfers.len() as u64, c.refused.len()), (ROWS, ROWS, 0));
    let total = c.transfers.iter().try_fold(Amount::ZERO, |acc, t| acc.checked_add(t.amount_base));
    assert_eq!(total, Some(Amount::from_u128(expected)));
    assert!(c.transfers.iter().all(|t| t.asset == USDT_BSC && t.chain == "bsc"));
}

fn format_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[test]
fn nft_without_contract_or_status_column() {
    let csv = "Transaction Hash,Method,BlockNo,DateTime (UTC),From,To,Token ID,Token\n\
               {H1},Safe Transfer From,1,2024-07-01 10:00:00,{A},{B},12,Bored Thing (BORED)\n";
    let c = ok(Format::EtherscanNft, "etherscan-nft-transfers.csv", &ImportOptions::default(), csv);
    assert_eq!(brief(&c), ["2 ethereum {H1} token {A}>{B} 1 symbol:BORED#12 b=1 t=1719828000 fee=-"]);
    assert_eq!(notes(&c), ["2 m=Safe Transfer From usd=-"]);
    let name = c.assets.first().and_then(|a| a.name.clone());
    assert_eq!(name.as_deref(), Some("Bored Thing (identified by name only: the export has no contract column)"));
}

//! Unit tests of the mapping reader and of profile checks.

use super::*;
use crate::import::explorer_common::testkit::{self, brief, refusal, refusals};
use crate::import::{Collected, ImportOptions, ReadError};

/// A bank-style OTC ledger: `;` separated, day-first dotted dates, decimal commas.
const OTC: &str = "Date;Ref;Sender;Receiver;Qty;Coin;Status;Fee;USD;Memo
02.05.2023 12:19;{H1};{AM};{B};1.250,5;USDT;OK;0,00042;1.250,50;first lot
02.05.2023 12:20;{H2};{B};{A};7,4;ETH;Failed;;;
03.05.2023 09:00;{H3};{A};{B};0,000000000000000001;eth;OK;;;
03.05.2023 09:01;{H4};{A};{B};1,5;{USDT};OK;;190.000,00;
";

fn otc_profile() -> Profile {
    Profile {
        delimiter: ';',
        decimal_comma: true,
        chain: Some(ChainSource::Fixed("ethereum".into())),
        asset: AssetSource::Column("Coin".into()),
        unit: AmountUnit::Display,
        decimals: Some(DecimalsSource::Known),
        time: Some(TimeColumn { column: "Date".into(), format: TimeFormat::Pattern("%d.%m.%Y %H:%M".into()) }),
        fee: Some(FeeColumn { column: "Fee".into(), unit: AmountUnit::Display }),
        status: Some(StatusColumn {
            column: "Status".into(),
            success: vec!["OK".into()],
            failed: vec!["Failed".into()],
        }),
        stated_usd: Some("USD".into()),
        method: Some("Memo".into()),
        ..Profile::new("Ref", "Sender", "Receiver", "Qty")
    }
}

fn run(profile: &Profile, opts: ImportOptions, csv: &str) -> Result<Collected, ReadError> {
    let opts = ImportOptions { profile: Some(NamedProfile::unsaved("test", profile.clone())), ..opts };
    testkit::run(read, "otc-ledger.csv", &opts, csv)
}

fn ok(profile: &Profile, opts: ImportOptions, csv: &str) -> Collected {
    run(profile, opts, csv).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn otc_ledger_in_display_units_is_exact() {
    let opts = ImportOptions { token_decimals: [("USDT".to_owned(), 6)].into(), ..ImportOptions::default() };
    let c = ok(&otc_profile(), opts, OTC);
    assert_eq!(
        brief(&c),
        [
            "2 ethereum {H1} token {A}>{B} 1250500000 symbol:USDT b=- t=1683029940 fee=420000000000000",
            "3 ethereum {H2} native {B}>{A} 7400000000000000000 ETH b=- t=1683030000 fee=- failed",
            "4 ethereum {H3} native {A}>{B} 1 ETH b=- t=1683104400 fee=-",
            "5 ethereum {H4} token {A}>{B} 1500000 {USDT} b=- t=1683104460 fee=-",
        ]
    );
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    let usd: Vec<Option<&str>> = c.transfers.iter().map(|t| t.stated_usd.as_deref()).collect();
    assert_eq!(usd, [Some("1250.50"), None, None, Some("190000.00")]);
    assert_eq!(c.transfers.first().and_then(|t| t.method.as_deref()), Some("first lot"));
    assert_eq!(c.chain, Some(("ethereum".to_owned(), "mapping profile \"test\" fixes the chain".to_owned())));
    let assets: Vec<(String, Option<String>, Option<u8>)> =
        c.assets.iter().map(|a| (testkit::fill(&a.asset), a.symbol.clone(), a.decimals)).collect();
    assert_eq!(
        assets,
        [
            ("symbol:USDT".to_owned(), Some("USDT".to_owned()), Some(6)),
            (testkit::fill("{USDT}"), Some("USDT".to_owned()), Some(6))
        ]
    );
}

#[test]
fn a_ticker_without_known_decimals_is_refused_not_guessed() {
    let c = ok(&otc_profile(), ImportOptions::default(), OTC);
    assert_eq!(
        refusals(&c),
        [refusal(
            2,
            "Coin",
            "found token USDT whose decimals hoptrace does not know: expected a token of \
             assets/tokens.ron; pass `--token-decimals USDT=N` with the token's decimals N"
        )]
    );
    assert_eq!(c.transfers.len(), 3);
}

#[test]
fn base_units_beyond_2_pow_128_with_a_chain_column_and_unix_times() {
    let csv = "net,hash,src,dst,wei,ts,blk,idx,fn
bsc,{H1},{A},{B},340282366920938463463374607431768211457,1683029999,27000000,4,transfer
Ethereum,{H2},{B},{A},115792089237316195423570985008687907853269984665640564039457584007913129639935,1683030011,,,
tron,{X4},{TB},{TF},2500000,1683030012,,,
";
    let p = Profile {
        chain: Some(ChainSource::Column("net".into())),
        time: Some(TimeColumn { column: "ts".into(), format: TimeFormat::UnixSeconds }),
        block: Some("blk".into()),
        position: Some("idx".into()),
        method: Some("fn".into()),
        ..Profile::new("hash", "src", "dst", "wei")
    };
    let c = ok(&p, ImportOptions::default(), csv);
    assert_eq!(
        brief(&c),
        [
            "2 bsc {H1} native {A}>{B} 340282366920938463463374607431768211457 BNB b=27000000 t=1683029999 fee=- pos=4",
            "3 ethereum {H2} native {B}>{A} 115792089237316195423570985008687907853269984665640564039457584007913129639935 ETH b=- t=1683030011 fee=-",
            "4 tron {X4} native {TB}>{TF} 2500000 TRX b=- t=1683030012 fee=-",
        ]
    );
    assert_eq!(c.transfers.first().and_then(|t| t.method.as_deref()), Some("transfer"));
    assert_eq!(c.chain, Some(("bsc".to_owned(), "chain column".to_owned())));
}

#[test]
fn status_values_map_exactly_and_others_are_refused() {
    let csv = "hash,from,to,amount,state
{H1},{A},{B},1,Success
{H2},{A},{B},2, Reverted
{H3},{A},{B},3,pending
{H4},{A},{B},4,
{H1},{A},{B},5,success
";
    let p = Profile {
        chain: Some(ChainSource::Fixed("ethereum".into())),
        status: Some(StatusColumn {
            column: "state".into(),
            success: vec!["Success".into()],
            failed: vec!["Reverted".into(), "Fail".into()],
        }),
        ..Profile::new("hash", "from", "to", "amount")
    };
    let c = ok(&p, ImportOptions::default(), csv);
    assert_eq!(
        brief(&c),
        [
            "2 ethereum {H1} native {A}>{B} 1 ETH b=- t=- fee=-",
            "3 ethereum {H2} native {A}>{B} 2 ETH b=- t=- fee=- failed"
        ]
    );
    let expected = "expected a success value (\"Success\") or a failed value (\"Reverted\", \"Fail\")";
    assert_eq!(
        refusals(&c),
        [
            refusal(4, "state", &format!("found \"pending\": {expected}")),
            refusal(5, "state", &format!("empty: {expected}")),
            refusal(6, "state", &format!("found \"success\": {expected}")),
        ]
    );
}

#[test]
fn malformed_rows_are_refused_with_line_column_and_expectation() {
    let csv = "Date;Ref;Sender;Receiver;Qty;Coin;Status;Fee;USD;Memo
02.05.2023 12:19;{H1};{A};{B};1,0000000000000000001;ETH;OK;;;
2023-05-02 12:19;{H1};{A};{B};1;ETH;OK;;;
02.05.2023 12:19;0x12;{A};{B};1;ETH;OK;;;
02.05.2023 12:19;{H1};0x8589427373d6d84e98730d7795d8f6f8731fda1;{B};1;ETH;OK;;;
02.05.2023 12:19;{H1};{A};{B};1E+18;ETH;OK;;;
02.05.2023 12:19;{H1};{A};{B};1;XYZ$;OK;;;
02.05.2023 12:19;{H1};{A};{B};1;ETH;OK;;$5;
02.05.2023 12:19;{H1};{A};{B};-1;ETH;OK;;;
02.05.1999 12:19;{H1};{A};{B};1;ETH;OK;;;
02.05.2023 12:19;{H1};{A};{B};1;ETH
";
    let c = ok(&otc_profile(), ImportOptions::default(), csv);
    assert!(c.transfers.is_empty(), "{:?}", brief(&c));
    assert_eq!(
        refusals(&c),
        [
            refusal(
                2,
                "Qty",
                "found \"1,0000000000000000001\": expected at most 18 decimal places (ETH has 18 decimals)"
            ),
            refusal(3, "Date", "found \"2023-05-02 12:19\": expected pattern %d.%m.%Y %H:%M such as 02.05.2023 12:19"),
            refusal(
                4,
                "Ref",
                "found \"0x12\": expected 0x followed by 64 hexadecimal digits (Ethereum transaction hash)"
            ),
            refusal(
                5,
                "Sender",
                "found \"0x8589427373d6d84e98730d7795d8f6f8731fda1\": expected 0x followed by 40 hexadecimal digits (Ethereum address)"
            ),
            refusal(
                6,
                "Qty",
                "found \"1E+18\": expected plain digits, not scientific notation (a spreadsheet rounded it; re-export)"
            ),
            refusal(
                7,
                "Coin",
                "found \"XYZ$\": expected the native symbol ETH, a token contract address of Ethereum or a ticker (letters and digits, at most 12)"
            ),
            refusal(8, "USD", "found \"$5\": expected a USD value such as 190000.00 (no currency sign)"),
            refusal(9, "Qty", "found \"-1\": expected an amount without sign (from/to give the direction)"),
            refusal(
                10,
                "Date",
                "found 1999-05-02T12:19:00Z: expected a time between 2009-01-03T00:00:00Z (the first block) and one day from now"
            ),
            refusal(11, "row", "expected 10 columns as in the header, found 6"),
        ]
    );
}

#[test]
fn whole_file_problems_stop_the_read() {
    let err = |p: &Profile, opts: ImportOptions, csv: &str| run(p, opts, csv).err().map(|e| e.to_string());
    let p = otc_profile();
    // A column the header lacks.
    assert_eq!(
        err(&p, ImportOptions::default(), "Date;Ref;From;Receiver;Qty;Coin;Status;Fee;USD;Memo\n"),
        Some(
            "line 1: mapping profile \"test\" maps from to column \"Sender\", which the header lacks: expected a \
             header with that column; header is: Date | Ref | From | Receiver | Qty | Coin | Status | Fee | USD | Memo"
                .to_owned()
        )
    );
    // No chain anywhere: the window asks, the CLI says --chain.
    let no_chain = Profile { chain: None, ..p.clone() };
    let e = run(&no_chain, ImportOptions::default(), OTC).err();
    assert!(
        matches!(&e, Some(ReadError::ChainUndecided { message }) if message.starts_with(
            "cannot tell the chain of this file (mapping profile \"test\" names no chain and no chain column): pass --chain with one of: arbitrum,"
        )),
        "{e:?}"
    );
    // --chain supplies it; a --chain that contradicts the profile is refused.
    let bsc = || ImportOptions { chain: Some("bsc".into()), ..ImportOptions::default() };
    let c = ok(
        &Profile { asset: AssetSource::Native, ..no_chain },
        bsc(),
        "Date;Ref;Sender;Receiver;Qty;Coin;Status;Fee;USD;Memo\n02.05.2023 12:19;{H1};{A};{B};2;x;OK;;;\n",
    );
    assert_eq!(brief(&c), ["2 bsc {H1} native {A}>{B} 2000000000000000000 BNB b=- t=1683029940 fee=-"]);
    assert_eq!(c.chain, Some(("bsc".to_owned(), "--chain option".to_owned())));
    assert_eq!(
        err(&p, bsc(), OTC),
        Some("line 1: --chain bsc contradicts mapping profile \"test\", which fixes the chain ethereum".to_owned())
    );
    // The mapped format without a profile.
    let none = testkit::run(read, "x.csv", &ImportOptions::default(), "a,b\n").err().map(|e| e.to_string());
    assert_eq!(none.as_deref(), Some("line 1: the mapped format needs a mapping profile: pass --profile NAME"));
}

#[test]
fn incomplete_profiles_are_refused_with_a_clear_message() {
    let base = || Profile { chain: Some(ChainSource::Fixed("ethereum".into())), ..Profile::new("h", "f", "t", "a") };
    let cases: [(Profile, &str); 7] = [
        (
            Profile { unit: AmountUnit::Display, ..base() },
            "amounts are in display units but no decimals are given: expected a fixed number of decimal places, \
             a decimals column, or the decimals hoptrace knows",
        ),
        (
            Profile { to: "f".into(), ..base() },
            "column \"f\" is mapped twice (from and to): expected one field per column",
        ),
        (
            Profile { tx_hash: " ".into(), ..base() },
            "tx hash: no column chosen: expected a column of the file's header",
        ),
        (
            Profile { chain: Some(ChainSource::Fixed("dogechain".into())), ..base() },
            "chain \"dogechain\": expected a chain id (arbitrum, avalanche, base, bitcoin, bsc, ethereum, fantom, optimism, polygon, tron)",
        ),
        (Profile { delimiter: ':', ..base() }, "separator ':': expected one of , ; | or a tab"),
        (
            Profile { unit: AmountUnit::Display, decimals: Some(DecimalsSource::Fixed(6)), ..base() },
            "decimals 6: expected 18, the decimals of ETH",
        ),
        (
            Profile {
                status: Some(StatusColumn { column: "s".into(), success: vec!["1".into()], failed: vec![" 1".into()] }),
                ..base()
            },
            "status value \"1\" is listed as success and as failed: expected one meaning",
        ),
    ];
    for (p, want) in cases {
        assert_eq!(p.check(), Err(want.to_owned()));
        // The reader refuses the same profile before reading a row.
        let e = run(&p, ImportOptions::default(), "h,f,t,a\n").err().map(|e| e.to_string());
        assert_eq!(e, Some(format!("line 1: mapping profile \"test\": {want}")));
    }
    assert_eq!(base().check(), Ok(()));
}

//! Unit tests of the bridge finder's explorer evidence, on hand-built transfers.

use super::*;
use crate::ledger::Provenance;
use crate::model::{Transfer, TransferKind};

const A: &str = "0x1111111111111111111111111111111111111111";
const B: &str = "0x2222222222222222222222222222222222222222";

fn row(id: i64, chain: &str, from: &str, to: &str, method: Option<&str>, file: &str, line: u64) -> TransferRow {
    TransferRow {
        id,
        transfer: Transfer {
            chain: chain.into(),
            tx_hash: format!("0x{id:064x}"),
            kind: TransferKind::Token,
            position: Some(0),
            block: Some(1),
            time: Some(1_700_000_000),
            from: Some(from.into()),
            to: Some(to.into()),
            asset: "0x3333333333333333333333333333333333333333".into(),
            amount_base: Amount::from_u128(1_000_000),
            fee_base: None,
            failed: false,
            prev_out: None,
            line,
            method: method.map(str::to_owned),
            stated_usd: None,
        },
        provenance: Provenance { batch_id: 1, file_name: file.into(), file_sha256: String::new(), line },
    }
}

#[test]
fn methods_name_bridge_steps() {
    assert_eq!(method_step("Swapout"), Some(Step::Out));
    assert_eq!(method_step("Swap Out"), Some(Step::Out));
    assert_eq!(method_step("burn"), Some(Step::Out));
    assert_eq!(method_step("Deposit For Burn"), Some(Step::Out));
    assert_eq!(method_step("Swapin"), Some(Step::In));
    assert_eq!(method_step("Mint"), Some(Step::In));
    assert_eq!(method_step("Finalize Inbound Transfer"), Some(Step::In));
    assert_eq!(method_step("bridgeTokens"), Some(Step::Either));
    assert_eq!(method_step("Transfer"), None);
    assert_eq!(method_step("0xa9059cbb"), None);
}

#[test]
fn burn_and_mint_with_methods_are_cited_with_file_and_line() {
    let dep = row(1, "bsc", A, ZERO_ADDRESS, Some("Swapout"), "bsc.csv", 12);
    let rel = row(2, "ethereum", ZERO_ADDRESS, B, Some("Swapin"), "eth.csv", 40);
    let e = evidence(&dep, &rel);
    assert_eq!(
        e.citations,
        vec![
            "burned via Swapout on bsc line 12 of bsc.csv".to_owned(),
            "minted via Swapin on ethereum line 40 of eth.csv".to_owned()
        ]
    );
    assert_eq!(e.points, 15);
}

#[test]
fn methods_alone_and_zero_address_alone_count_by_the_rule() {
    // A deposit into a bridge contract named by its method, a release without one.
    let dep = row(1, "ethereum", A, B, Some("Deposit"), "a.csv", 3);
    let rel = row(2, "arbitrum", B, A, None, "b.csv", 4);
    let e = evidence(&dep, &rel);
    assert_eq!((e.points, e.citations), (5, vec!["sent via Deposit on ethereum line 3 of a.csv".to_owned()]));
    // Burn and mint through the zero address, methods that name nothing: +5 for the pair.
    let dep = row(1, "bsc", A, ZERO_ADDRESS, Some("Transfer"), "a.csv", 5);
    let rel = row(2, "ethereum", ZERO_ADDRESS, B, None, "b.csv", 6);
    let e = evidence(&dep, &rel);
    assert_eq!(e.points, 5);
    assert_eq!(
        e.citations,
        vec![
            "burned (method Transfer) on bsc line 5 of a.csv".to_owned(),
            "minted on ethereum line 6 of b.csv".to_owned()
        ]
    );
    // A method of the wrong side earns nothing: a release called Swapout.
    let dep = row(1, "bsc", A, B, None, "a.csv", 7);
    let rel = row(2, "ethereum", B, A, Some("Swapout"), "b.csv", 8);
    assert_eq!(evidence(&dep, &rel), Evidence::default());
}

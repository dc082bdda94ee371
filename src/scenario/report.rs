//! The ground truth as Markdown tables, for a case's README (`cases/scenario/README.md` holds
//! the demo's, between `<!-- truth:begin -->` and `<!-- truth:end -->`).

use std::fmt::Write as _;

use super::truth::{GroundTruth, TransferRef};
use crate::model::{Amount, registry};

/// `0x3f2a9c…9b1c`: a hash or address shortened for a table (the JSON has them whole).
fn short(text: &str) -> String {
    let n = text.chars().count();
    if n <= 16 {
        return text.to_owned();
    }
    let head: String = text.chars().take(if text.starts_with("0x") { 8 } else { 6 }).collect();
    let tail: String = text.chars().skip(n - 4).collect();
    format!("{head}…{tail}")
}

fn tx(r: &TransferRef) -> String {
    format!("`{}`", short(&r.tx_hash))
}

/// An amount in display units with its symbol (`1,234.5 ETH` without the grouping).
fn units(chain: &str, asset: &str, a: &Amount) -> String {
    let reg = registry();
    let (decimals, symbol) = match reg.chain(chain) {
        Ok(c) if c.native == asset => (c.decimals, c.native.clone()),
        _ => reg.token(chain, asset).map_or((0, asset.to_owned()), |t| (t.decimals, t.symbol.clone())),
    };
    format!("{} {symbol}", a.format_units(decimals))
}

fn time(t: i64) -> String {
    crate::model::format_utc(t)
}

/// The ground truth as Markdown: summary, attacker addresses, and one table per laundering
/// step (the attacker's part; unrelated pool, bridge and mixer activity is counted).
#[must_use]
pub fn markdown(truth: &GroundTruth) -> String {
    let mut o = String::new();
    let eth = |a: &Amount| units("ethereum", "ETH", a);
    let btc = |a: &Amount| units("bitcoin", "BTC", a);
    let _ = writeln!(o, "| fact | value |\n|---|---|");
    let _ = writeln!(o, "| seed | `{:#x}` |", truth.seed);
    let _ = writeln!(o, "| theft | {} |", time(truth.hack_time));
    if let Some(v) = &truth.victim {
        let _ = writeln!(o, "| victim | {} `{}` ({}) |", v.entity, v.address, v.chain);
    }
    for s in &truth.stolen {
        let _ = writeln!(o, "| stolen | {} |", units("ethereum", &s.asset, &s.amount));
    }
    let _ = writeln!(
        o,
        "| transfers | {} story and hub + {} background |",
        truth.story_transfers, truth.background_transfers
    );
    if let Some(h) = &truth.hub {
        let _ = writeln!(o, "| hub | {} `{}`: {} in, {} out |", h.entity, h.address, h.in_transfers, h.out_transfers);
    }

    let _ = writeln!(o, "\n**Attacker addresses**\n\n| role | chain | address |\n|---|---|---|");
    for a in &truth.attacker_addresses {
        let _ = writeln!(o, "| {} | {} | `{}` |", a.role, a.chain, a.address);
    }

    let _ = writeln!(o, "\n**Swaps** (USDC sold for ETH)\n\n| tx | sold | bought |\n|---|---|---|");
    for s in &truth.swaps {
        let sold = units("ethereum", "USDC", &s.sold_amount);
        let _ = writeln!(o, "| {} | {sold} | {} |", tx(&s.sold), eth(&s.bought_amount));
    }

    let mine: Vec<_> = truth.pool_pairs.iter().filter(|p| p.attacker).collect();
    let _ = writeln!(
        o,
        "\n**Pool notes of the attacker** ({} of {} notes deposited and withdrawn in the scenario)\n\n\
         | denomination | deposit tx | from | withdrawal tx | to | relayer fee | delay (h) |\n|---|---|---|---|---|---|---|",
        mine.len(),
        truth.pool_pairs.len()
    );
    for p in mine {
        let _ = writeln!(
            o,
            "| {} | {} | `{}` | {} | `{}` | {} | {} |",
            eth(&p.denomination),
            tx(&p.deposit),
            short(&p.depositor),
            tx(&p.withdrawal),
            short(&p.recipient),
            eth(&p.relayer_fee),
            p.delay_seconds / 3600
        );
    }

    let mine: Vec<_> = truth.bridge_pairs.iter().filter(|p| p.attacker).collect();
    let _ = writeln!(
        o,
        "\n**Bridge to Bitcoin** ({} of {} crossings; out = in × rate / 10^18 − fee)\n\n\
         | deposit tx | ETH in | rate (sat/ETH) | fee | release tx | BTC out | to |\n|---|---|---|---|---|---|---|",
        mine.len(),
        truth.bridge_pairs.len()
    );
    for p in mine {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | `{}` |",
            tx(&p.deposit),
            eth(&p.amount_in),
            p.rate_sat_per_eth,
            btc(&p.fee),
            tx(&p.release),
            btc(&p.amount_out),
            short(&p.recipient)
        );
    }

    let mine: Vec<_> = truth.mixer_rounds.iter().filter(|r| r.attacker).collect();
    let _ = writeln!(
        o,
        "\n**Custodial mixer** ({} of {} rounds; payouts within 24 h)\n\n\
         | deposit tx | in | fee | payouts | out |\n|---|---|---|---|---|",
        mine.len(),
        truth.mixer_rounds.len()
    );
    for r in mine {
        let payouts: Vec<String> = r.payouts.iter().map(tx).collect();
        let fee = format!("{} ({} bps)", btc(&r.fee), r.fee_bps);
        let _ = writeln!(
            o,
            "| {} | {} | {fee} | {} | {} |",
            tx(&r.deposit),
            btc(&r.amount_in),
            payouts.join(" "),
            btc(&r.amount_out)
        );
    }

    let _ = writeln!(
        o,
        "\n**Peel chains**\n\n| chain | step | tx | in | peel | to | change | miner fee |\n|---|---|---|---|---|---|---|---|"
    );
    for (c, chain) in truth.peel_chains.iter().enumerate() {
        for (i, s) in chain.steps.iter().enumerate() {
            let _ = writeln!(
                o,
                "| {} | {} | `{}` | {} | {} | {} | {} | {} |",
                c + 1,
                i + 1,
                short(&s.tx_hash),
                btc(&s.amount_in),
                btc(&s.peel_amount),
                s.exchange,
                btc(&s.change_amount),
                btc(&s.miner_fee)
            );
        }
    }

    let _ = writeln!(
        o,
        "\n**OTC trades** (BTC to the broker, TRC-20 USDT back)\n\n\
         | BTC tx | BTC in | USD/BTC | spread | USDT tx | USDT out |\n|---|---|---|---|---|---|"
    );
    for t in &truth.otc_trades {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} bps | {} | {} |",
            tx(&t.btc_in),
            btc(&t.btc_amount),
            t.usd_per_btc,
            t.spread_bps,
            tx(&t.usdt_out),
            units("tron", "USDT", &t.usdt_amount)
        );
    }

    let _ = writeln!(
        o,
        "\n**Cash-outs** (exchange deposits)\n\n| chain | exchange | deposit address | tx | amount |\n|---|---|---|---|---|"
    );
    for c in &truth.cash_outs {
        let _ = writeln!(
            o,
            "| {} | {} | `{}` | {} | {} |",
            c.chain,
            c.exchange,
            short(&c.deposit_address),
            tx(&c.transfer),
            units(&c.chain, &c.asset, &c.amount)
        );
    }
    o
}

//! Hand-built graphs for [`crate::analysis::paths`] (kept beside the taint tests).
#![allow(clippy::unwrap_used)]

use super::*;
use crate::analysis::taint::MemoryLedger;

/// A→B 10 (t1), B→T 10 (t2): two hops, 10 wide. A→C 100 (t1), C→D 90 (t2), D→T 80 (t3):
/// three hops, 80 wide. A→E 50 (t5), E→T 50 (t4): goes back in time, not a path.
fn ledger(with_ab: bool) -> MemoryLedger {
    let mut m = MemoryLedger::new();
    let mut edges =
        vec![("A", "C", 100, 1), ("C", "D", 90, 2), ("D", "T", 80, 3), ("A", "E", 50, 5), ("E", "T", 50, 4)];
    if with_ab {
        edges.extend([("A", "B", 10, 1), ("B", "T", 10, 2)]);
    }
    for (i, (f, t, v, time)) in edges.into_iter().enumerate() {
        m.push(i as i64 + 1, &MemoryLedger::native("ethereum", "ETH", f, t, v, time));
    }
    m
}

fn route(p: &Path) -> Vec<&str> {
    let mut r: Vec<&str> = p.hops.iter().map(|h| h.from.as_str()).collect();
    r.extend(p.hops.last().map(|h| h.to.as_str()));
    r
}

#[test]
fn shortest_and_widest_differ_and_respect_time() {
    let r = find(&ledger(true), "ethereum", "A", "T", &PathOptions::default()).unwrap();
    let short = r.shortest.unwrap();
    assert_eq!((route(&short), short.bottleneck), (vec!["A", "B", "T"], Some(Amount::from_u128(10))));
    assert_eq!(short.hops[1].transfers, vec![7]);
    assert_eq!(r.widest.len(), 1);
    assert_eq!((route(&r.widest[0]), r.widest[0].bottleneck), (vec!["A", "C", "D", "T"], Some(Amount::from_u128(80))));
    // Within two hops the only path is the narrow one.
    let o = PathOptions { max_hops: 2, ..PathOptions::default() };
    let r = find(&ledger(true), "ethereum", "A", "T", &o).unwrap();
    assert_eq!(route(&r.widest[0]), vec!["A", "B", "T"]);
    // Without A→B, E→T (before A→E) does not count: the shortest is three hops.
    let r = find(&ledger(false), "ethereum", "A", "T", &PathOptions::default()).unwrap();
    assert_eq!(route(&r.shortest.unwrap()), vec!["A", "C", "D", "T"]);
    let r = find(&ledger(false), "ethereum", "T", "A", &PathOptions::default()).unwrap();
    assert!(r.shortest.is_none() && r.widest.is_empty());
}

/// Brute force: (fewest hops, widest bottleneck) of time-respecting paths 0 → 5.
fn brute(edges: &[(usize, usize, u128, i64)], max_hops: u32) -> (Option<usize>, Option<u128>) {
    fn go(
        e: &[(usize, usize, u128, i64)],
        n: usize,
        t: i64,
        w: u128,
        h: u32,
        max: u32,
        best: &mut (Option<usize>, Option<u128>),
    ) {
        if n == 5 {
            best.0 = Some(best.0.map_or(h as usize, |b| b.min(h as usize)));
            best.1 = Some(best.1.map_or(w, |b| b.max(w)));
            return;
        }
        if h == max {
            return;
        }
        for &(f, to, a, time) in e {
            if f == n && to != n && time >= t {
                go(e, to, time, w.min(a), h + 1, max, best);
            }
        }
    }
    let mut best = (None, None);
    go(edges, 0, i64::MIN, u128::MAX, 0, max_hops, &mut best);
    best
}

proptest::proptest! {
    #[test]
    fn agree_with_brute_force(
        edges in proptest::collection::vec((0usize..6, 0usize..6, 1u128..1000, 0i64..8), 0..18),
        max_hops in 1u32..5,
    ) {
        let mut m = MemoryLedger::new();
        for (i, (f, t, v, time)) in edges.iter().enumerate() {
            if f != t {
                m.push(i as i64 + 1, &MemoryLedger::native("ethereum", "ETH", &format!("n{f}"), &format!("n{t}"), *v, *time));
            }
        }
        let o = PathOptions { max_hops, ..PathOptions::default() };
        let r = find(&m, "ethereum", "n0", "n5", &o).unwrap();
        let (hops, width) = brute(&edges, max_hops);
        proptest::prop_assert_eq!(r.shortest.as_ref().map(|p| p.hops.len()), hops);
        let got = r.widest.first().and_then(|p| p.bottleneck).map(|b| b.to_string().parse::<u128>().unwrap());
        proptest::prop_assert_eq!(got, width);
    }
}

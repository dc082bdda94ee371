//! The matching core shared by the finders and the P7 benchmark: events sorted by
//! (bucket, time), then two pointers.
//!
//! A *bucket* is what two events must share to match (a pool contract, an asset family and an
//! amount band); time is UTC seconds. [`windows`] gives every left event (a deposit) the range
//! of right events (withdrawals) of its bucket whose time lies in `[t + min_delay, t +
//! max_delay]`; [`next_after`] gives only the first of them, which is what an ASOF join
//! (`right.time >= left.time + min_delay`, same bucket) computes.
//!
//! Complexity: sorting O(n log n + m log m) (the two sides sorted on two threads by
//! [`sort_both`]); the sweep O(n + m), because both pointers only move forward while the left
//! events are visited in (bucket, time) order. Memory O(n) for the result.

use std::ops::Range;

/// One event to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Event {
    /// What a match must share (pool, asset family, amount band).
    pub bucket: u64,
    /// UTC seconds.
    pub time: i64,
    /// The caller's index of the event (ties in time keep this order).
    pub index: u32,
}

/// Sorts events by (bucket, time, index).
pub fn sort(events: &mut [Event]) {
    events.sort_unstable();
}

/// Sorts both sides, on two threads when they are large.
pub fn sort_both(left: &mut [Event], right: &mut [Event]) {
    if left.len() + right.len() < 50_000 {
        sort(left);
        sort(right);
        return;
    }
    std::thread::scope(|s| {
        s.spawn(|| sort(left));
        sort(right);
    });
}

/// For each left event (both sides sorted by [`sort`]), the range of `right` with the same
/// bucket and time in `[t + min_delay, t + max_delay]`. O(n + m).
#[must_use]
pub fn windows(left: &[Event], right: &[Event], min_delay: i64, max_delay: i64) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(left.len());
    let (mut lo, mut hi) = (0usize, 0usize);
    for l in left {
        let start = (l.bucket, l.time.saturating_add(min_delay));
        let end = (l.bucket, l.time.saturating_add(max_delay));
        while lo < right.len() && right.get(lo).is_some_and(|r| (r.bucket, r.time) < start) {
            lo += 1;
        }
        hi = hi.max(lo);
        while hi < right.len() && right.get(hi).is_some_and(|r| (r.bucket, r.time) <= end) {
            hi += 1;
        }
        out.push(lo..hi);
    }
    out
}

/// For each left event (both sides sorted), the position in `right` of the first event of the
/// same bucket at or after `t + min_delay`: an ASOF join. O(n + m).
#[must_use]
pub fn next_after(left: &[Event], right: &[Event], min_delay: i64) -> Vec<Option<usize>> {
    let mut out = Vec::with_capacity(left.len());
    let mut lo = 0usize;
    for l in left {
        let start = (l.bucket, l.time.saturating_add(min_delay));
        while lo < right.len() && right.get(lo).is_some_and(|r| (r.bucket, r.time) < start) {
            lo += 1;
        }
        out.push(right.get(lo).filter(|r| r.bucket == l.bucket).map(|_| lo));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(bucket: u64, time: i64, index: u32) -> Event {
        Event { bucket, time, index }
    }

    /// The sweep agrees with the quadratic definition on a mixed set.
    #[test]
    fn windows_match_brute_force() {
        let mut left: Vec<Event> = (0..60).map(|i| ev(i % 3, (i as i64 * 37) % 101, i as u32)).collect();
        let mut right: Vec<Event> = (0..80).map(|i| ev(i % 4, (i as i64 * 53) % 131, i as u32)).collect();
        sort_both(&mut left, &mut right);
        let w = windows(&left, &right, 1, 30);
        let n = next_after(&left, &right, 1);
        for (i, l) in left.iter().enumerate() {
            let want: Vec<usize> = (0..right.len())
                .filter(|&j| right[j].bucket == l.bucket && right[j].time > l.time && right[j].time <= l.time + 30)
                .collect();
            let got: Vec<usize> = w[i].clone().collect();
            assert_eq!(got, want, "left {l:?}");
            let first = (0..right.len()).find(|&j| right[j].bucket == l.bucket && right[j].time > l.time);
            assert_eq!(n[i], first, "left {l:?}");
        }
        assert!(w.iter().any(|r| r.len() > 1), "the test set has windows with several events");
    }

    #[test]
    fn empty_sides() {
        let left = vec![ev(1, 10, 0)];
        assert_eq!(windows(&left, &[], 0, 5), vec![0..0]);
        assert_eq!(next_after(&left, &[], 0), vec![None]);
        assert!(windows(&[], &left, 0, 5).is_empty());
    }
}

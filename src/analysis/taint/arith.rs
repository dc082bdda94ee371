//! Exact integer arithmetic for taint splits: `a × b ÷ c` on 256-bit amounts without
//! overflow (a 512-bit product when needed), and proportional splits whose parts sum exactly
//! to the whole (largest remainder, ties to the earlier part).

use ethnum::U256;

/// `(a × b) ÷ c` rounded down, and the remainder, for `c > 0` and a quotient that fits 256
/// bits (`a ≤ c` or `b ≤ c`). `None` when `c` is zero or the quotient does not fit.
///
/// O(1) when `a × b` fits 256 bits; otherwise a 512-bit product and a 256-step division.
#[must_use]
pub fn mul_div(a: U256, b: U256, c: U256) -> Option<(U256, U256)> {
    if c == U256::ZERO {
        return None;
    }
    if let Some(p) = a.checked_mul(b) {
        return Some((p / c, p % c));
    }
    let (hi, lo) = wide_mul(a, b);
    if hi >= c {
        return None;
    }
    let mut rem = hi;
    let mut q = U256::ZERO;
    for i in (0..256u32).rev() {
        let carry = rem >> 255u32 == U256::ONE;
        rem = (rem << 1u32) | ((lo >> i) & U256::ONE);
        q <<= 1u32;
        if carry || rem >= c {
            rem = rem.wrapping_sub(c);
            q |= U256::ONE;
        }
    }
    Some((q, rem))
}

/// The 512-bit product `a × b` as (high, low) 256-bit halves.
fn wide_mul(a: U256, b: U256) -> (U256, U256) {
    let (a1, a0) = (a.high(), a.low());
    let (b1, b0) = (b.high(), b.low());
    let p00 = U256::from(*a0) * U256::from(*b0);
    let p01 = U256::from(*a0) * U256::from(*b1);
    let p10 = U256::from(*a1) * U256::from(*b0);
    let p11 = U256::from(*a1) * U256::from(*b1);
    let (mid, mid_carry) = p01.overflowing_add(p10);
    let (lo, lo_carry) = p00.overflowing_add(mid << 128u32);
    let mut hi = p11 + (mid >> 128u32);
    if mid_carry {
        hi += U256::ONE << 128u32;
    }
    if lo_carry {
        hi += U256::ONE;
    }
    (hi, lo)
}

/// Splits `total` over `weights` in proportion, exactly: each part is `total × w ÷ Σw`
/// rounded down, and the units left over go one each to the parts with the largest
/// remainders (ties to the earlier part). The parts sum to `total`. All zero when the weights
/// sum to zero or overflow.
#[must_use]
pub fn split_proportional(total: U256, weights: &[U256]) -> Vec<U256> {
    let mut sum = U256::ZERO;
    for w in weights {
        match sum.checked_add(*w) {
            Some(s) => sum = s,
            None => return vec![U256::ZERO; weights.len()],
        }
    }
    if sum == U256::ZERO {
        return vec![U256::ZERO; weights.len()];
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut rems = Vec::with_capacity(weights.len());
    let mut given = U256::ZERO;
    for (i, w) in weights.iter().enumerate() {
        // total ≤ sum is not guaranteed, but w ≤ sum is: the quotient fits.
        let (q, r) = mul_div(*w, total, sum).unwrap_or((U256::ZERO, U256::ZERO));
        given += q;
        parts.push(q);
        rems.push((r, i));
    }
    let mut left = total.saturating_sub(given);
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rems {
        if left == U256::ZERO {
            break;
        }
        if let Some(p) = parts.get_mut(i) {
            *p += U256::ONE;
            left -= U256::ONE;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn small_and_wide_products() {
        let u = |v: u128| U256::from(v);
        assert_eq!(mul_div(u(7), u(3), u(2)), Some((u(10), u(1))));
        assert_eq!(mul_div(u(1), u(1), U256::ZERO), None);
        // 2^510 ÷ (2^256 − 1) = 2^254 + 2^254 ÷ (2^256 − 1): quotient 2^254, remainder 2^254.
        let half = U256::ONE << 255u32;
        assert_eq!(mul_div(half, half, U256::MAX), Some((half >> 1u32, half >> 1u32)));
        assert_eq!(mul_div(U256::MAX, U256::MAX, U256::MAX), Some((U256::MAX, U256::ZERO)));
        assert_eq!(mul_div(U256::MAX, U256::MAX, U256::ONE), None);
    }

    #[test]
    fn splits_sum_exactly_with_largest_remainder() {
        let u = |v: u128| U256::from(v);
        // 10 over 1:1:1 → 3.33 each; the leftover unit goes to the first (ties to the earlier).
        assert_eq!(split_proportional(u(10), &[u(1), u(1), u(1)]), vec![u(4), u(3), u(3)]);
        // 10 over 1:2 → 3.33, 6.67: the larger remainder (0.67) takes the unit.
        assert_eq!(split_proportional(u(10), &[u(1), u(2)]), vec![u(3), u(7)]);
        assert_eq!(split_proportional(u(10), &[u(0), u(0)]), vec![u(0), u(0)]);
    }

    proptest! {
        #[test]
        fn wide_path_agrees_with_u128_reference(a in any::<u128>(), b in any::<u128>(), c in 1u128..) {
            // Scale all three by 2^128: the product needs the wide path, the quotient is the same.
            let s = |v: u128| U256::from(v) << 128u32;
            let (q, _) = mul_div(U256::from(a), s(b), s(c)).unwrap();
            let expect = U256::from(a) * U256::from(b) / U256::from(c);
            prop_assert_eq!(q, expect);
            // (a·2^128 × b·2^128) ÷ c·2^128 = a·b·2^128 ÷ c.
            let (ab, cc) = (U256::from(a) * U256::from(b), U256::from(c));
            let (q1, r1) = (ab / cc, ab % cc);
            let got = mul_div(s(a), s(b), s(c));
            if q1 < (U256::ONE << 128u32) {
                let want = (q1 << 128u32) + (r1 << 128u32) / cc;
                prop_assert_eq!(got.map(|x| x.0), Some(want));
            } else {
                prop_assert_eq!(got, None);
            }
        }

        #[test]
        fn proportional_parts_sum_to_total(total in any::<u128>(), w in proptest::collection::vec(any::<u64>(), 0..12)) {
            let weights: Vec<U256> = w.iter().map(|x| U256::from(*x)).collect();
            let parts = split_proportional(U256::from(total), &weights);
            let sum: U256 = parts.iter().copied().fold(U256::ZERO, |a, b| a + b);
            if weights.iter().any(|x| *x > U256::ZERO) {
                prop_assert_eq!(sum, U256::from(total));
            } else {
                prop_assert_eq!(sum, U256::ZERO);
            }
            for (p, x) in parts.iter().zip(&weights) {
                if *x == U256::ZERO { prop_assert_eq!(*p, U256::ZERO); }
            }
        }
    }
}

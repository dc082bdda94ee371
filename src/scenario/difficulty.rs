//! Difficulty levels of the laundering scenario, for measuring the hop finders: more unrelated
//! pool users, more decoy deposits of the attacker's denominations at the same hours, delays
//! spread over days, higher relayer fees.
//!
//! | level | unrelated pool users | decoys | max delay | relayer fee |
//! |---|---|---|---|---|
//! | easy | 30 | 8 | 72 h | 30 bps |
//! | medium | 300 | 60 | 7 days | 50 bps |
//! | hard | 1,500 | 300 | 14 days | 100 bps |
//! | extreme | 5,000 | 1,000 | 28 days | 250 bps |
//!
//! Every level has a little background (300 transfers) and a small hub, so ledgers build in a
//! second or two.

use serde::{Deserialize, Serialize};

use super::{DEFAULT_SEED, HubSpec, ScenarioConfig};

/// How hard the scenario makes the finders' job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// The demo's settings.
    Easy,
    /// Ten times the pool users, delays up to a week.
    Medium,
    /// Fifty times the pool users, delays up to two weeks, 1% relayer fees.
    Hard,
    /// 5,000 pool users, 1,000 decoys, delays up to four weeks, 2.5% relayer fees.
    Extreme,
}

impl Difficulty {
    /// Every level, easiest first.
    pub const ALL: [Difficulty; 4] = [Self::Easy, Self::Medium, Self::Hard, Self::Extreme];

    /// Lower-case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Easy => "easy",
            Self::Medium => "medium",
            Self::Hard => "hard",
            Self::Extreme => "extreme",
        }
    }
}

impl ScenarioConfig {
    /// The scenario at `level` (see the module docs), with the demo's seed.
    #[must_use]
    pub fn difficulty(level: Difficulty) -> Self {
        let (users, decoys, delay_hours, fee_bps) = match level {
            Difficulty::Easy => (30, 8, 72, 30),
            Difficulty::Medium => (300, 60, 7 * 24, 50),
            Difficulty::Hard => (1_500, 300, 14 * 24, 100),
            Difficulty::Extreme => (5_000, 1_000, 28 * 24, 250),
        };
        ScenarioConfig {
            seed: DEFAULT_SEED,
            unrelated_pool_users: users,
            decoy_deposits: decoys,
            max_delay_hours: delay_hours,
            relayer_fee_bps: fee_bps,
            background_transfers: 300,
            hub: Some(HubSpec { in_transfers: 24, out_transfers: 16 }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_get_harder() {
        let c: Vec<ScenarioConfig> = Difficulty::ALL.iter().map(|d| ScenarioConfig::difficulty(*d)).collect();
        for w in c.windows(2) {
            assert!(w[1].unrelated_pool_users > w[0].unrelated_pool_users);
            assert!(w[1].decoy_deposits > w[0].decoy_deposits);
            assert!(w[1].max_delay_hours > w[0].max_delay_hours);
            assert!(w[1].relayer_fee_bps > w[0].relayer_fee_bps);
        }
        assert_eq!(Difficulty::Hard.name(), "hard");
    }
}

//! Hops: the investigator's explanation of how value crossed a mixer, bridge, swap, cash-out
//! or peel chain, with the transfers on both sides, a confidence and a rationale.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What kind of hop, with the service it went through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HopKind {
    /// Through a mixer: a pool (Tornado Cash 100 ETH) or a custodial service (Blender, Sinbad).
    Mixer {
        /// Service name.
        service: String,
        /// Pool, when the service has several (denomination).
        pool: Option<String>,
    },
    /// Across a bridge from one chain to another.
    Bridge {
        /// Bridge name.
        bridge: String,
        /// Chain id the value left.
        from_chain: String,
        /// Chain id the value arrived on.
        to_chain: String,
    },
    /// Swapped for another asset.
    Swap {
        /// DEX, router or service.
        venue: String,
    },
    /// Cashed out (exchange deposit, OTC broker).
    CashOut {
        /// Exchange or broker.
        venue: String,
    },
    /// A peel chain: small amounts peeled off a large remainder, hop after hop.
    PeelChain,
}

impl HopKind {
    /// Short lower-case name (`mixer`, `bridge`, `swap`, `cash_out`, `peel_chain`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Mixer { .. } => "mixer",
            Self::Bridge { .. } => "bridge",
            Self::Swap { .. } => "swap",
            Self::CashOut { .. } => "cash_out",
            Self::PeelChain => "peel_chain",
        }
    }

    /// The service, bridge or venue, if any.
    #[must_use]
    pub fn service(&self) -> Option<&str> {
        match self {
            Self::Mixer { service, .. } => Some(service),
            Self::Bridge { bridge, .. } => Some(bridge),
            Self::Swap { venue } | Self::CashOut { venue } => Some(venue),
            Self::PeelChain => None,
        }
    }
}

/// Where a hop stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HopStatus {
    /// Proposed by a finder; not yet the investigator's view.
    Suggested,
    /// The investigator stands behind it.
    Accepted,
    /// Looked at and rejected (kept: a reviewer can see what was ruled out).
    Rejected,
}

/// One annotated hop. Transfers are ledger transfer ids (the case is bound to its ledger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// Kind and service.
    pub kind: HopKind,
    /// Transfers into the service.
    pub inbound: Vec<i64>,
    /// Transfers out of it.
    pub outbound: Vec<i64>,
    /// 0–100.
    pub confidence: u8,
    /// Plain sentences: amounts, delays, fees, denominations, reuse.
    pub rationale: String,
    /// The numbers the rationale cites (`delay_hours` → `"26"`), sorted by name.
    pub features: BTreeMap<String, String>,
    /// Suggested, accepted or rejected.
    pub status: HopStatus,
    /// Who annotated it (investigator, or the finder's name).
    pub author: String,
    /// When (UTC seconds).
    pub time: i64,
}

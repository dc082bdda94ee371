//! Attribution labels: who an address belongs to, according to whom, since when.

use serde::{Deserialize, Serialize};

/// What kind of party an address belongs to; drives colour and shape on the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The party funds were stolen from.
    Victim,
    /// A centralised exchange.
    Exchange,
    /// A mixer (custodial or pool).
    Mixer,
    /// A cross-chain bridge.
    Bridge,
    /// A decentralised exchange or swap router.
    Dex,
    /// An over-the-counter broker.
    OtcBroker,
    /// The thief or a launderer working for them.
    Actor,
    /// On a sanctions list.
    Sanctioned,
    /// Some other service.
    Service,
    /// Not known.
    Unknown,
}

impl Category {
    /// Every category in display order.
    pub const ALL: [Category; 10] = [
        Self::Victim,
        Self::Exchange,
        Self::Mixer,
        Self::Bridge,
        Self::Dex,
        Self::OtcBroker,
        Self::Actor,
        Self::Sanctioned,
        Self::Service,
        Self::Unknown,
    ];

    /// The snake_case name stored in the ledger.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Victim => "victim",
            Self::Exchange => "exchange",
            Self::Mixer => "mixer",
            Self::Bridge => "bridge",
            Self::Dex => "dex",
            Self::OtcBroker => "otc_broker",
            Self::Actor => "actor",
            Self::Sanctioned => "sanctioned",
            Self::Service => "service",
            Self::Unknown => "unknown",
        }
    }

    /// Parses a stored name or a common synonym from other tools (GraphSense TagPack
    /// categories such as `mixing_service`, `defi_bridge`, `perpetrator`).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        if let Some(c) = Self::ALL.into_iter().find(|c| c.name() == t) {
            return Some(c);
        }
        Some(match t.as_str() {
            "mixing_service" | "coinjoin" | "mixing" | "tumbler" => Self::Mixer,
            "defi_bridge" | "bridge_contract" => Self::Bridge,
            "defi_dex" | "dex_contract" | "swap" | "swap_router" => Self::Dex,
            "otc" | "otc_desk" => Self::OtcBroker,
            "perpetrator" | "hacker" | "thief" | "scammer" | "attacker" => Self::Actor,
            "sanction" | "sanctions" | "ofac" => Self::Sanctioned,
            "hacked" | "hack_victim" => Self::Victim,
            "exchange_wallet" | "cex" => Self::Exchange,
            "wallet_service" | "payment_processor" | "gambling" | "miner" | "mining_service" | "market" | "defi"
            | "faucet" | "donation" | "ico_wallet" | "shop" | "service" => Self::Service,
            "user" | "entity" | "unknown" | "" => Self::Unknown,
            _ => return None,
        })
    }
}

/// One attribution of an address. Several labels may disagree about the same address: all are
/// kept with their sources, and the conflict is shown rather than resolved silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Chain id the address belongs to.
    pub chain: String,
    /// Normalised address.
    pub address: String,
    /// Entity name or label text (`Tornado.cash`, `Lazarus group`).
    pub entity: String,
    /// hoptrace category.
    pub category: Category,
    /// The category as the source spelled it (`mixing_service`), when it had one.
    pub source_category: Option<String>,
    /// Threat actor, when attributed (`lazarusgroup`).
    pub actor: Option<String>,
    /// Citation: URL and/or text of where the attribution comes from.
    pub source: String,
    /// The source's confidence level as it spelled it (`authority_data`, `ownership`).
    pub confidence: Option<String>,
    /// Valid from (ISO date), e.g. sanction designation date.
    pub valid_from: Option<String>,
    /// Valid until (ISO date), e.g. a delisting.
    pub valid_to: Option<String>,
    /// Who made the attribution (TagPack creator, list publisher, investigator).
    pub added_by: Option<String>,
    /// Line in the source file.
    pub line: u64,
}

impl Label {
    /// A label with what every label has; the optional fields empty and line 0 (set them with
    /// struct update syntax: `Label { line, ..Label::new(…) }`).
    #[must_use]
    pub fn new(
        chain: impl Into<String>,
        address: impl Into<String>,
        entity: impl Into<String>,
        category: Category,
        source: impl Into<String>,
    ) -> Self {
        Label {
            chain: chain.into(),
            address: address.into(),
            entity: entity.into(),
            category,
            source_category: None,
            actor: None,
            source: source.into(),
            confidence: None,
            valid_from: None,
            valid_to: None,
            added_by: None,
            line: 0,
        }
    }
}

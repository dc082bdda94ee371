//! Labels as GraphSense TagPack YAML, readable by GraphSense tools and by hoptrace's own
//! TagPack importer ([`crate::import::tagpack`]), which reads them back unchanged (line
//! numbers aside: they become the tag's line in the written file).
//!
//! Each label is one tag: `address`, `currency` (the chain's TagPack code: `ETH`, `BTC`, `TRX`,
//! `BNB`, `MATIC`, …), `label` (entity), `category` (the source's own category, else
//! hoptrace's), `actor`, `source`, `confidence` and `creator` (who added it). What TagPack has
//! no field for — hoptrace's category when it differs from what `category` would parse to,
//! whether the source gave a category or a creator at all, and the validity dates — goes in the tag's
//! `context`, a JSON object as the TagPack schema defines it, under the key `hoptrace`.

use serde::Serialize;

use crate::model::{Category, Label};

/// The header of a written TagPack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// `title`.
    pub title: String,
    /// `creator`: who wrote the pack.
    pub creator: String,
    /// `description`.
    pub description: String,
    /// `lastmod` (ISO date).
    pub lastmod: String,
}

#[derive(Serialize)]
struct Pack<'a> {
    title: &'a str,
    creator: &'a str,
    description: &'a str,
    lastmod: &'a str,
    is_public: bool,
    tags: Vec<Tag<'a>>,
}

#[derive(Serialize)]
struct Tag<'a> {
    address: &'a str,
    currency: &'a str,
    label: &'a str,
    category: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<&'a str>,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    creator: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<String>,
}

pub use crate::import::tagpack::Context;

/// The TagPack `currency` code of a registry chain (the importer maps it back).
#[must_use]
pub fn currency_code(chain: &str) -> &str {
    match chain {
        "ethereum" => "ETH",
        "bitcoin" => "BTC",
        "tron" => "TRX",
        "bsc" => "BNB",
        "polygon" => "MATIC",
        "arbitrum" => "ARB",
        "optimism" => "OP",
        "base" => "BASE",
        "avalanche" => "AVAX",
        "fantom" => "FTM",
        other => other,
    }
}

/// `labels` as a TagPack YAML document, tags in the order given.
#[must_use]
pub fn write(header: &Header, labels: &[Label]) -> String {
    let tags = labels
        .iter()
        .map(|l| {
            let category = l.source_category.as_deref().unwrap_or(l.category.name());
            let parsed = Category::parse(category).unwrap_or(Category::Unknown);
            let context = Context {
                category: (parsed != l.category).then_some(l.category),
                no_source_category: l.source_category.is_none(),
                no_creator: l.added_by.is_none(),
                valid_from: l.valid_from.clone(),
                valid_to: l.valid_to.clone(),
            };
            let context =
                (context != Context::default()).then(|| serde_json::json!({ "hoptrace": context }).to_string());
            Tag {
                address: &l.address,
                currency: currency_code(&l.chain),
                label: &l.entity,
                category,
                actor: l.actor.as_deref(),
                source: &l.source,
                confidence: l.confidence.as_deref(),
                creator: l.added_by.as_deref(),
                context,
            }
        })
        .collect();
    let pack = Pack {
        title: &header.title,
        creator: &header.creator,
        description: &header.description,
        lastmod: &header.lastmod,
        is_public: true,
        tags,
    };
    // Serialising plain strings, booleans and lists cannot fail.
    serde_norway::to_string(&pack).unwrap_or_default()
}

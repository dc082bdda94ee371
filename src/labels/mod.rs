//! Attribution labels shipped with hoptrace (`assets/attribution.ron`, built into the binary):
//! a curated set of cited public attributions — DPRK-attributed addresses from FBI and
//! Treasury releases, Tornado Cash pools with their denomination and OFAC listing and
//! delisting dates, Blender and Sinbad, THORChain routers, major bridges — each with its
//! category, actor, citation, confidence and validity dates.
//!
//! [`labels`] gives them as [`Label`]s (addresses normalised by the chain registry), so they
//! sit beside imported labels and are never merged with them: two sources about one address
//! are two labels, shown side by side. [`import_builtin`] stores them in a ledger through the
//! TagPack importer (one batch, re-importing is a no-op), and [`tagpack::write`] exports any
//! labels as GraphSense TagPack YAML that the importer reads back unchanged.

pub mod store;
pub mod tagpack;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::Deserialize;

pub use store::{BUILTIN_FILE_NAME, builtin_tagpack, import_builtin};

use crate::model::{Category, Label, registry};

/// `added_by` of every built-in label.
pub const BUILTIN_AUTHOR: &str = "hoptrace maintainers (assets/attribution.ron)";

/// Where an attribution comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Citation {
    /// Document title.
    pub title: String,
    /// Who published it (`FBI`, `U.S. Treasury OFAC`, a service's documentation).
    pub issuer: String,
    /// Publication date (ISO `YYYY-MM-DD`), when the source has one (a name tag or a
    /// documentation page has none).
    pub date: Option<String>,
    /// Where to read it (text; never opened by hoptrace).
    pub url: String,
}

impl Citation {
    /// The citation as one line: `ISSUER, "TITLE", DATE, URL` (without a date: `ISSUER, "TITLE", URL`).
    #[must_use]
    pub fn text(&self) -> String {
        match &self.date {
            Some(d) => format!("{}, \"{}\", {d}, {}", self.issuer, self.title, self.url),
            None => format!("{}, \"{}\", {}", self.issuer, self.title, self.url),
        }
    }
}

/// One entry of `assets/attribution.ron`, as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Entry {
    /// Chain id of the registry.
    pub chain: String,
    /// The address as the source spells it (EIP-55 case or lower case for EVM).
    pub address: String,
    /// Entity name.
    pub entity: String,
    /// hoptrace category.
    pub category: Category,
    /// The kind the source gives, in TagPack terms (`sanction`, `perpetrator`, `mixing_service`).
    pub source_category: Option<String>,
    /// Threat actor, when attributed.
    pub actor: Option<String>,
    /// The citation.
    pub source: Citation,
    /// TagPack confidence level (`authority_data`, `service_data`, `forensic`).
    pub confidence: String,
    /// Valid from (ISO date).
    pub valid_from: Option<String>,
    /// Valid until (ISO date), e.g. a delisting.
    pub valid_to: Option<String>,
}

/// Why the attribution file is not usable.
#[derive(Debug, thiserror::Error)]
pub enum AttributionError {
    /// RON syntax or shape.
    #[error("assets/attribution.ron line {line}, column {column}: {message}")]
    Syntax {
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// An entry is wrong.
    #[error("assets/attribution.ron entry {entry} ({address}): field `{field}`: {message}")]
    Entry {
        /// Entry number (1-based).
        entry: usize,
        /// Its address as written.
        address: String,
        /// The field.
        field: &'static str,
        /// What was expected.
        message: String,
    },
}

/// Parses attribution entries (the format of `assets/attribution.ron`) into labels: addresses
/// normalised for their chain, dates checked, citations complete. `line` is the entry number.
///
/// # Errors
/// [`AttributionError`] naming the entry and field.
pub fn parse(text: &str) -> Result<Vec<Label>, AttributionError> {
    let entries: Vec<Entry> = ron::from_str(text).map_err(|e| AttributionError::Syntax {
        line: e.span.start.line,
        column: e.span.start.col,
        message: e.code.to_string(),
    })?;
    entries.iter().enumerate().map(|(i, e)| entry_label(i + 1, e)).collect()
}

fn entry_label(n: usize, e: &Entry) -> Result<Label, AttributionError> {
    let bad = |field, message: String| AttributionError::Entry { entry: n, address: e.address.clone(), field, message };
    let address = registry().normalize_address(&e.chain, &e.address).map_err(|err| bad("address", err.to_string()))?;
    for (field, date) in [("valid_from", &e.valid_from), ("valid_to", &e.valid_to), ("source.date", &e.source.date)] {
        if let Some(d) = date {
            d.parse::<jiff::civil::Date>().map_err(|err| bad(field, format!("{d:?} is not an ISO date: {err}")))?;
        }
    }
    if let (Some(from), Some(to)) = (&e.valid_from, &e.valid_to)
        && from > to
    {
        return Err(bad("valid_to", format!("{to} is before valid_from {from}")));
    }
    for (field, text) in [
        ("entity", &e.entity),
        ("source.title", &e.source.title),
        ("source.issuer", &e.source.issuer),
        ("source.url", &e.source.url),
        ("confidence", &e.confidence),
    ] {
        if text.trim().is_empty() {
            return Err(bad(field, "is empty: every label needs it".to_owned()));
        }
    }
    Ok(Label {
        chain: e.chain.clone(),
        address,
        entity: e.entity.clone(),
        category: e.category,
        source_category: e.source_category.clone(),
        actor: e.actor.clone(),
        source: e.source.text(),
        confidence: Some(e.confidence.clone()),
        valid_from: e.valid_from.clone(),
        valid_to: e.valid_to.clone(),
        added_by: Some(BUILTIN_AUTHOR.to_owned()),
        line: n as u64,
    })
}

/// The bundled attribution text (`assets/attribution.ron`).
pub const BUNDLED: &str = include_str!("../../assets/attribution.ron");

/// The built-in labels, parsed once from the bundled `assets/attribution.ron`, in file order.
///
/// # Panics
/// Only if the bundled file does not parse, which the tests rule out.
pub fn labels() -> &'static [Label] {
    static LABELS: OnceLock<Vec<Label>> = OnceLock::new();
    LABELS.get_or_init(|| {
        #[allow(clippy::expect_used)]
        parse(BUNDLED).expect("bundled assets/attribution.ron parses")
    })
}

/// The built-in labels about `address` on any chain (EVM case-insensitive), in file order.
#[must_use]
pub fn labels_for(address: &str) -> Vec<&'static Label> {
    let key = crate::ledger::canonical_address(address);
    labels().iter().filter(|l| l.address == key).collect()
}

/// True when labels about one address disagree (entity, category or actor differ), so they
/// are worth showing side by side. A label without a category (unknown) or without an actor
/// states none, so it never disagrees with one that states one: see [`categories_disagree`].
#[must_use]
pub fn conflicting(labels: &[&Label]) -> bool {
    let entities: BTreeSet<&str> = labels.iter().map(|l| l.entity.as_str()).collect();
    let actors: BTreeSet<&str> = labels.iter().filter_map(|l| l.actor.as_deref()).collect();
    entities.len() > 1 || actors.len() > 1 || categories_disagree(labels.iter().map(|l| l.category))
}

/// True when two or more different categories are stated. [`Category::Unknown`] is the
/// category of a label that states none (an address list, an `address,label` exhibit without
/// `--category`), so it never counts as disagreeing with one that has one.
#[must_use]
pub fn categories_disagree(categories: impl IntoIterator<Item = Category>) -> bool {
    categories.into_iter().filter(|c| *c != Category::Unknown).collect::<BTreeSet<_>>().len() > 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_without_a_category_never_disagrees() {
        let l = |entity: &str, category, actor: Option<&str>| Label {
            actor: actor.map(str::to_owned),
            ..Label::new("ethereum", "0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc", entity, category, "s")
        };
        let mixer = l("Tornado Cash", Category::Mixer, None);
        let none = l("Tornado Cash", Category::Unknown, None);
        let sanctioned = l("Tornado Cash", Category::Sanctioned, None);
        assert!(!conflicting(&[&none, &mixer]));
        assert!(!conflicting(&[&mixer, &none, &mixer]));
        assert!(conflicting(&[&mixer, &none, &sanctioned]), "mixer and sanctioned are stated: they disagree");
        assert!(!categories_disagree([Category::Unknown, Category::Unknown, Category::Actor]));
        assert!(categories_disagree([Category::Actor, Category::Victim]));
        // The same for actors; entities still count.
        let with_actor = l("Tornado Cash", Category::Mixer, Some("lazarusgroup"));
        assert!(!conflicting(&[&mixer, &with_actor]));
        assert!(conflicting(&[&with_actor, &l("Tornado Cash", Category::Mixer, Some("other"))]));
        assert!(conflicting(&[&mixer, &l("Blender", Category::Unknown, None)]));
    }

    #[test]
    fn a_bad_entry_is_named() {
        let text = r#"[(chain: "ethereum", address: "0x12", entity: "x", category: mixer, source_category: None,
            actor: None, source: (title: "t", issuer: "i", date: Some("2022-08-08"), url: "u"), confidence: "forensic",
            valid_from: None, valid_to: None)]"#;
        let err = parse(text).map(|_| ()).map_err(|e| e.to_string());
        assert!(matches!(&err, Err(m) if m.contains("entry 1") && m.contains("`address`")), "{err:?}");
        let dated = text.replace("0x12", "0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc").replace(
            "valid_from: None, valid_to: None",
            "valid_from: Some(\"2025-03-21\"), valid_to: Some(\"2022-08-08\")",
        );
        assert!(parse(&dated).is_err_and(|e| e.to_string().contains("before valid_from")));
        let undated = dated.replace("Some(\"2025-03-21\")", "Some(\"21/03/2025\")");
        assert!(parse(&undated).is_err_and(|e| e.to_string().contains("not an ISO date")));
        let ok = dated.replace("Some(\"2025-03-21\"), valid_to: Some(\"2022-08-08\")", "None, valid_to: None");
        let labels = parse(&ok).unwrap_or_default();
        assert_eq!(labels.first().map(|l| l.address.as_str()), Some("0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc"));
    }
}

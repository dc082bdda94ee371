//! Checks of the module structure, read from the sources: the top-level modules depend on each
//! other without a cycle, and ledgers are opened only through the ledger seam.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The `.rs` files under `dir`, recursively.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a source file: comment lines and the trailing `#[cfg(test)] mod … {}` left out.
fn code(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let next_is_mod = lines.get(i + 1).is_some_and(|n| n.trim_start().starts_with("mod ") && n.ends_with('{'));
        if l.trim() == "#[cfg(test)]" && next_is_mod {
            break;
        }
        if !l.trim_start().starts_with("//") {
            out.push(*l);
        }
    }
    out
}

/// `crate::NAME` paths named in a line.
fn crate_paths(line: &str) -> impl Iterator<Item = &str> {
    line.match_indices("crate::").map(move |(at, _)| {
        let rest = &line[at + "crate::".len()..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        &rest[..end]
    })
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level modules of the library, from `lib.rs`.
fn top_modules() -> Vec<String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    lib.lines().filter_map(|l| l.strip_prefix("pub mod ")).map(|m| m.trim_end_matches(';').to_owned()).collect()
}

#[test]
fn top_level_modules_depend_on_each_other_without_a_cycle() {
    let modules = top_modules();
    assert!(modules.len() > 10 && modules.iter().any(|m| m == "ledger"), "{modules:?}");
    let mut graph = petgraph::Graph::<&str, ()>::new();
    let nodes: BTreeMap<&str, petgraph::graph::NodeIndex> =
        modules.iter().map(|m| (m.as_str(), graph.add_node(m.as_str()))).collect();
    let mut why: BTreeMap<(String, String), String> = BTreeMap::new();
    for m in &modules {
        let mut files = Vec::new();
        sources(&src().join(m), &mut files);
        let single = src().join(format!("{m}.rs"));
        if single.is_file() {
            files.push(single);
        }
        for f in files {
            let text = std::fs::read_to_string(&f).expect("source");
            for (n, line) in code(&text).into_iter().enumerate() {
                for target in crate_paths(line) {
                    if let Some(t) = modules.iter().find(|x| *x == target && *x != m)
                        && let std::collections::btree_map::Entry::Vacant(e) = why.entry((m.clone(), t.clone()))
                    {
                        graph.add_edge(nodes[m.as_str()], nodes[t.as_str()], ());
                        e.insert(format!("{}:{}", f.display(), n + 1));
                    }
                }
            }
        }
    }
    let cycles: Vec<Vec<&str>> = petgraph::algo::tarjan_scc(&graph)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| c.into_iter().map(|n| graph[n]).collect())
        .collect();
    let explained: Vec<String> = cycles
        .iter()
        .flat_map(|c| {
            let members: BTreeSet<&str> = c.iter().copied().collect();
            why.iter()
                .filter(move |((a, b), _)| members.contains(a.as_str()) && members.contains(b.as_str()))
                .map(|((a, b), at)| format!("{a} -> {b} ({at})"))
        })
        .collect();
    assert!(cycles.is_empty(), "import cycles between top-level modules: {cycles:?}\n{}", explained.join("\n"));
}

#[test]
fn ledgers_are_opened_only_through_the_seam() {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let ledger_dir = src().join("ledger");
    let mut found = Vec::new();
    for f in files.iter().filter(|f| !f.starts_with(&ledger_dir)) {
        let text = std::fs::read_to_string(f).expect("source");
        for (n, line) in code(&text).into_iter().enumerate() {
            // Spelt in two halves so this line does not match itself.
            if [concat!("SqliteLedger", "::open("), concat!("Investigation<", "SqliteLedger>")]
                .iter()
                .any(|n| line.contains(n))
            {
                found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.len() < files.len(), "the walk found the sources");
    assert!(found.is_empty(), "open ledgers through ledger::LedgerSource:\n{}", found.join("\n"));
}

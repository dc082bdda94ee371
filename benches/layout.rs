//! P3 and P4: our layouts side by side with python-igraph's on the same graphs, in the same run.
//!
//! - P3: force layout to convergence on 10,000 nodes / 20,000 edges vs igraph's
//!   Fruchterman–Reingold (`layout_fruchterman_reingold`, its default 500 iterations) — goal ≤ 1.0×.
//! - P4: flow layout of a 10,000-node DAG vs igraph's `layout_sugiyama` — goal ≤ 0.1×.
//!
//! Run: `cargo bench --no-default-features --bench layout` (needs `python3 -m pip install igraph` for the side by side;
//! env `HOPTRACE_BENCH_RUNS`, default 5, medians reported). igraph's time is measured inside
//! Python around the layout call only (graph construction excluded).
//!
//! P3 also prints the quality of both force layouts ([`hoptrace::layout::quality`]: edge-length
//! spread, neighbours vs strangers, stress against hop distances, crowding), so a faster layout
//! can be checked against igraph's on the same graph.

mod common;

use common::median;
use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use hoptrace::layout::{LayoutGraph, LayoutNode, flow, force, quality};
use hoptrace::scenario::rng::Rng;

/// A connected graph shaped like a transaction graph: a random tree (each node sends from an
/// earlier one, preferring hubs) plus extra edges up to `m`.
fn graph(n: usize, m: usize, dag: bool, seed: u64) -> LayoutGraph {
    let mut rng = Rng::new(seed);
    let mut edges = Vec::with_capacity(m);
    for i in 1..n {
        let j = (rng.next_u64() % i as u64) as usize;
        let j = if rng.next_u64().is_multiple_of(4) { j / 8 } else { j };
        edges.push((j, i));
    }
    while edges.len() < m {
        let a = (rng.next_u64() % n as u64) as usize;
        let b = (rng.next_u64() % n as u64) as usize;
        if a != b {
            edges.push(if dag { (a.min(b), a.max(b)) } else { (a, b) });
        }
    }
    let mut nodes = vec![LayoutNode::default(); n];
    nodes[0].seed = true;
    LayoutGraph { nodes, edges }
}

/// Runs `layout_call` on the graph in python-igraph, `runs` times; the median in seconds and
/// the positions of the last run.
fn igraph(g: &LayoutGraph, layout_call: &str, runs: usize) -> Option<(f64, Vec<(f32, f32)>)> {
    let mut edges = String::new();
    for (a, b) in &g.edges {
        let _ = writeln!(edges, "{a} {b}");
    }
    let path = std::env::temp_dir().join(format!("hoptrace-layout-{}.txt", std::process::id()));
    std::fs::write(&path, edges).ok()?;
    let script = format!(
        "import igraph, time, statistics\n\
         es = [tuple(map(int, l.split())) for l in open({path:?})]\n\
         g = igraph.Graph(n={n}, edges=es, directed=True)\n\
         ts = []\n\
         for _ in range({runs}):\n    t = time.perf_counter(); l = {layout_call}; ts.append(time.perf_counter() - t)\n\
         print(statistics.median(ts))\n\
         print('\\n'.join(f'{{x}} {{y}}' for x, y in l.coords))\n",
        path = path.display().to_string(),
        n = g.nodes.len(),
    );
    let out = Command::new("python3").arg("-c").arg(script).output().ok()?;
    let _ = std::fs::remove_file(&path);
    if !out.status.success() {
        eprintln!("python-igraph run failed: {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or(""));
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let median = lines.next()?.trim().parse().ok()?;
    let coords = lines
        .filter_map(|l| {
            let (x, y) = l.split_once(' ')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
        .collect();
    Some((median, coords))
}

fn print_quality(who: &str, g: &LayoutGraph, positions: &[(f32, f32)]) {
    let q = quality::measure(g, positions, 100);
    println!(
        "    quality {who:<8}: edge-length spread {:.3}, edge / random pair {:.4}, stress {:.4}, \
         closest pair {:.3} gap, crowded {:.2}%",
        q.edge_spread,
        q.edge_to_pair,
        q.stress,
        q.min_gap,
        100.0 * q.crowded
    );
}

fn main() {
    let runs: usize = std::env::var("HOPTRACE_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5).max(1);
    println!("Layouts, {runs} runs each (medians)");

    let g = graph(10_000, 20_000, false, 7);
    let mut ours = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let run = force::layout(&g, force::ForceSettings::default());
        ours.push(t.elapsed());
        last = Some(run);
    }
    let ours_m = median(ours);
    let (iters, coarse, levels, converged) =
        last.as_ref().map_or((0, 0, 0, false), |r| (r.iterations, r.coarse_iterations, r.levels - 1, r.converged));
    println!("P3 force layout, 10,000 nodes / 20,000 edges:");
    println!(
        "  hoptrace multilevel Barnes-Hut FR (2 threads): median {ours_m:.2?} ({iters} iterations on the whole graph, \
         {coarse} on {levels} coarser levels, converged: {converged})"
    );
    let theirs = igraph(&g, "g.layout_fruchterman_reingold()", runs);
    match &theirs {
        Some((s, _)) => println!(
            "  igraph layout_fruchterman_reingold: median {:.2?}  ratio {:.2}x (goal <= 1.0x)",
            Duration::from_secs_f64(*s),
            ours_m.as_secs_f64() / s
        ),
        None => println!("  igraph not available: python3 -m pip install igraph"),
    }
    if let Some(run) = &last {
        print_quality("hoptrace", &g, &run.positions);
    }
    if let Some((_, coords)) = theirs.filter(|(_, c)| c.len() == g.nodes.len()) {
        print_quality("igraph", &g, &coords);
    }

    let dag = graph(10_000, 15_000, true, 11);
    let mut ours = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(flow::layout(&dag, flow::FlowSpacing::default()));
        ours.push(t.elapsed());
    }
    let ours_m = median(ours);
    println!("P4 flow layout, 10,000-node DAG (15,000 edges):");
    println!("  hoptrace flow layout: median {ours_m:.2?}");
    match igraph(&dag, "g.layout_sugiyama()", runs.min(3)) {
        Some((s, _)) => println!(
            "  igraph layout_sugiyama: median {:.2?}  ratio {:.3}x (goal <= 0.1x)",
            Duration::from_secs_f64(s),
            ours_m.as_secs_f64() / s
        ),
        None => println!("  igraph not available: python3 -m pip install igraph"),
    }
}

//! `report.html`: one self-contained page. Inline CSS, the graph and the timeline inline as SVG
//! (text as paths, like `graph.svg`), no script, no external resource, and a Content Security
//! Policy that forbids loading anything. Every string from the case or the ledger goes through
//! [`escape`], so a label `<script>` shows as text.

use std::fmt::Write as _;

use super::{GraphDrawing, ReportError, ReportInput, content, escape, raster, timeline};

const CSS: &str = "
body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:0 auto;max-width:1200px;padding:1.5em;color:#1a1a1a;background:#fff;line-height:1.4}
h1{font-size:1.5em;margin:0 0 .2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
nav a{margin-right:1em}table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f2f2f2}
table.kv th{width:14em}code,.mono{font-family:'DejaVu Sans Mono',monospace;word-break:break-all}
.pre{white-space:pre-wrap}ul.tx{margin:0;padding-left:1.1em}.figure{overflow:auto;border:1px solid #ddd}
.figure svg{max-width:100%;height:auto;display:block}.muted{color:#666}
.group{margin:1em 0}.cards{display:flex;flex-wrap:wrap;gap:.6em}.card{border:1px solid #ccc;border-radius:4px;padding:.5em;min-width:14em;flex:1 1 14em;font-size:.9em}
.flag{color:#b00;font-size:.8em;font-weight:normal}.conflict .card{border-color:#d88}
.ok{color:#176}.bad{color:#b00;font-weight:bold}h3{font-size:1em;margin:.2em 0;word-break:break-all}
";

fn kv_table(out: &mut String, rows: &[(&str, String)]) {
    out.push_str(r#"<table class="kv">"#);
    for (k, v) in rows {
        let _ = write!(out, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
    }
    out.push_str("</table>");
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return r#"<span class="muted">none</span>"#.to_owned();
    }
    let mut s = String::from(r#"<ul class="tx">"#);
    for i in items {
        let _ = write!(s, "<li>{}</li>", escape(i));
    }
    s.push_str("</ul>");
    s
}

/// The page (see the module docs).
///
/// # Errors
/// [`ReportError::Svg`] when a drawing cannot be parsed back (a writer bug).
pub fn report(input: &ReportInput, graph: &GraphDrawing) -> Result<String, ReportError> {
    let case = input.case;
    let graph = graph.svg();
    let mut out = String::with_capacity(graph.len() + 64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} — hoptrace case report</title><style>{CSS}</style></head><body>\n",
        escape(&case.id)
    );
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><p class=\"muted\">Case <code>{}</code> · evidence package report, hoptrace {}</p></header>",
        escape(&case.title),
        escape(&case.id),
        escape(input.tool_version)
    );
    out.push_str(
        "<nav><a href=\"#summary\">Summary</a><a href=\"#graph\">Graph</a><a href=\"#hops\">Hops</a>\
         <a href=\"#timeline\">Timeline</a><a href=\"#labels\">Labels</a><a href=\"#notes\">Notes</a>\
         <a href=\"#audit\">Audit</a><a href=\"#hashes\">Package hashes</a></nav>\n",
    );
    out.push_str("<section id=\"summary\"><h2>Summary</h2>");
    kv_table(&mut out, &content::summary(input));
    out.push_str("</section>\n<section id=\"graph\"><h2>Graph</h2><div class=\"figure\">");
    out.push_str(graph);
    out.push_str("</div></section>\n<section id=\"hops\"><h2>Hops</h2>");
    let hops = content::hops(input);
    if hops.is_empty() {
        out.push_str("<p class=\"muted\">No hops annotated.</p>");
    } else {
        out.push_str(
            "<table><tr><th>Hop</th><th>Kind</th><th>Service</th><th>Chains</th><th>Inbound transfers</th>\
             <th>Outbound transfers</th><th>Confidence</th><th>Rationale</th><th>Status</th><th>Author</th></tr>",
        );
        for h in &hops {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td class=\"pre\">{}</td><td>{}</td><td>{}</td></tr>",
                escape(&h.id),
                escape(&h.kind),
                escape(&h.service),
                escape(&h.chains),
                list(&h.inbound),
                list(&h.outbound),
                escape(&h.confidence),
                escape(&h.rationale),
                escape(&h.status),
                escape(&h.author)
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</section>\n<section id=\"timeline\"><h2>Timeline</h2>");
    match timeline::source(input) {
        Some(t) => {
            let flat = raster::flatten(&raster::parse(&t, "timeline")?, "t-");
            let _ = write!(out, "<div class=\"figure\">{flat}</div>");
        }
        None => out.push_str("<p class=\"muted\">No transfer with a time.</p>"),
    }
    out.push_str("</section>\n<section id=\"labels\"><h2>Labels and their sources</h2>");
    let groups = content::labels(input);
    if groups.is_empty() {
        out.push_str("<p class=\"muted\">No labels.</p>");
    }
    for g in &groups {
        let _ = write!(
            out,
            "<div class=\"group{}\"><h3>{}{}</h3><div class=\"cards\">",
            if g.conflict { " conflict" } else { "" },
            escape(&g.node),
            if g.conflict { " <span class=\"flag\">conflicting sources</span>" } else { "" }
        );
        for l in &g.labels {
            let _ = write!(
                out,
                "<div class=\"card\"><b>{}</b><br>{} · {}<br>Source: {}{}{}</div>",
                escape(&l.entity),
                escape(&l.category),
                l.origin,
                escape(&l.source),
                if l.confidence.is_empty() {
                    String::new()
                } else {
                    format!("<br>Confidence: {}", escape(&l.confidence))
                },
                if l.dates.is_empty() { String::new() } else { format!("<br>{}", escape(&l.dates)) },
            );
        }
        out.push_str("</div></div>");
    }
    out.push_str("</section>\n<section id=\"notes\"><h2>Notes</h2>");
    let notes = content::notes(input);
    if notes.is_empty() {
        out.push_str("<p class=\"muted\">No notes.</p>");
    } else {
        out.push_str("<table><tr><th>About</th><th>Note</th><th>Author</th></tr>");
        for [target, text, author] in &notes {
            let _ = write!(
                out,
                "<tr><td class=\"mono\">{}</td><td class=\"pre\">{}</td><td>{}</td></tr>",
                escape(target),
                escape(text),
                escape(author)
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</section>\n<section id=\"audit\"><h2>Audit log</h2>");
    let _ = write!(
        out,
        "<p class=\"{}\">{}</p>",
        if input.audit_verified.is_ok() { "ok" } else { "bad" },
        escape(&content::audit_status(input))
    );
    kv_table(&mut out, &content::audit(input));
    out.push_str("</section>\n<section id=\"hashes\"><h2>Package hashes (SHA-256)</h2>");
    out.push_str("<table><tr><th>File</th><th>SHA-256</th><th>Size (bytes)</th></tr>");
    for f in input.package_files {
        let _ = write!(
            out,
            "<tr><td class=\"mono\">{}</td><td><code>{}</code></td><td>{}</td></tr>",
            escape(&f.name),
            escape(&f.sha256),
            f.size
        );
    }
    out.push_str(
        "</table><p class=\"muted\">The reports themselves are hashed in the package manifest.</p></section>\n",
    );
    out.push_str("</body></html>\n");
    Ok(out)
}

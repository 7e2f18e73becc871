//! The run's report: a table on the terminal, a JSON document, and a latency chart (SVG) per scenario.

use std::{fmt::Write as _, path::Path};

use serde::Serialize;
use serde_json::Value;

use crate::stats::CallSummary;

#[derive(Serialize)]
pub struct Report {
    pub git_revision: String,
    pub started_at: String,
    pub backend: String,
    pub cpus: usize,
    pub scenarios: Vec<ScenarioReport>,
}

#[derive(Serialize)]
pub struct ScenarioReport {
    pub scenario: String,
    pub n: usize,
    pub seconds: f64,
    pub requests: u64,
    pub errors: u64,
    pub throughput_per_second: f64,
    /// Throughput as a share of the ceiling scenario's in the same run (1.0 = as fast as the trivial endpoint).
    pub ratio_to_ceiling: Option<f64>,
    pub calls: Vec<CallSummary>,
    pub checks: Value,
    pub error_samples: Vec<String>,
}

/// The table printed at the end of a run.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let _ =
        writeln!(out, "\nAssay bench: {} on {} CPUs, revision {}", report.backend, report.cpus, report.git_revision);
    let _ = writeln!(
        out,
        "{:<10} {:>7} {:<12} {:>9} {:>7} {:>11} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "scenario", "n", "call", "count", "errors", "per second", "p50 ms", "p95 ms", "p99 ms", "max ms", "ceiling"
    );
    for s in &report.scenarios {
        let ratio = s.ratio_to_ceiling.map_or("-".to_owned(), |r| format!("{:.1}%", r * 100.0));
        let _ = writeln!(
            out,
            "{:<10} {:>7} {:<12} {:>9} {:>7} {:>11.0} {:>9} {:>9} {:>9} {:>9} {:>8}",
            s.scenario, s.n, "(all)", s.requests, s.errors, s.throughput_per_second, "", "", "", "", ratio
        );
        for c in &s.calls {
            let _ = writeln!(
                out,
                "{:<10} {:>7} {:<12} {:>9} {:>7} {:>11.0} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>8}",
                "", "", c.call, c.count, c.errors, c.per_second, c.p50_ms, c.p95_ms, c.p99_ms, c.max_ms, ""
            );
        }
        if !s.checks.is_null() {
            let _ = writeln!(out, "{:<10} checks: {}", "", s.checks);
        }
        for e in s.error_samples.iter().take(3) {
            let _ = writeln!(out, "{:<10} error: {e}", "");
        }
    }
    out
}

const COLOURS: &[&str] = &["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"];

/// A latency-by-percentile chart: x is the percentile on a "nines" scale (0, 90, 99, 99.9, 100), y is
/// milliseconds on a log scale, one line per call type.
pub fn chart(s: &ScenarioReport, backend: &str) -> String {
    let (w, h, left, right, top, bottom) = (760.0, 420.0, 70.0, 170.0, 40.0, 50.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    // x: -log10(1 - p), capped at 3 (99.9%); 100% is drawn at 3.3.
    let x_of = |p: f64| {
        let nines = if p >= 100.0 { 3.3 } else { (-(1.0 - p / 100.0).log10()).min(3.0) };
        left + nines / 3.3 * plot_w
    };
    let max_ms = s.calls.iter().flat_map(|c| c.curve.iter().map(|p| p.1)).fold(1.0f64, f64::max);
    let min_ms = s.calls.iter().flat_map(|c| c.curve.iter().map(|p| p.1)).filter(|v| *v > 0.0).fold(max_ms, f64::min);
    let (lo, hi) =
        ((min_ms.max(0.001)).log10().floor(), max_ms.log10().ceil().max((min_ms.max(0.001)).log10().floor() + 1.0));
    let y_of = |ms: f64| top + plot_h - ((ms.max(10f64.powf(lo)).log10() - lo) / (hi - lo)) * plot_h;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>"#
    );
    let _ = write!(
        svg,
        r#"<text x="{left}" y="22" font-size="15">{} ({backend}, n = {}): latency by percentile</text>"#,
        s.scenario, s.n
    );
    for (p, label) in [(0.0, "0"), (50.0, "50"), (90.0, "90"), (99.0, "99"), (99.9, "99.9"), (100.0, "max")] {
        let x = x_of(p);
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{label}</text>"##,
            top + plot_h,
            top + plot_h + 18.0
        );
    }
    let mut decade = lo;
    while decade <= hi {
        let y = y_of(10f64.powf(decade));
        let value = 10f64.powf(decade);
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{value} ms</text>"##,
            left + plot_w,
            left - 6.0,
            y + 4.0
        );
        decade += 1.0;
    }
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">percentile</text>"#,
        left + plot_w / 2.0,
        h - 10.0
    );
    for (i, c) in s.calls.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<String> = c.curve.iter().map(|(p, ms)| format!("{:.1},{:.1}", x_of(*p), y_of(*ms))).collect();
        let _ =
            write!(svg, r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#, points.join(" "));
        let ly = top + 16.0 * i as f64 + 10.0;
        let _ = write!(
            svg,
            r#"<line x1="{:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="3"/><text x="{:.1}" y="{:.1}">{} (p99 {:.1} ms)</text>"#,
            left + plot_w + 12.0,
            left + plot_w + 32.0,
            left + plot_w + 38.0,
            ly + 4.0,
            c.call,
            c.p99_ms
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Writes `report-<backend>.json` and one `<scenario>-<backend>.svg` per scenario into `dir`.
pub fn write(report: &Report, dir: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    let json = dir.join(format!("report-{}.json", report.backend));
    std::fs::write(&json, serde_json::to_vec_pretty(report)?)?;
    written.push(json);
    for s in &report.scenarios {
        if s.calls.iter().all(|c| c.curve.is_empty()) {
            continue;
        }
        let path = dir.join(format!("{}-{}.svg", s.scenario, report.backend));
        std::fs::write(&path, chart(s, &report.backend))?;
        written.push(path);
    }
    Ok(written)
}

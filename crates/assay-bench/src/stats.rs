//! Latency and error counts per call type. Each simulated client records into its own `Recorder` and the
//! recorders are merged at the end, so the hot loop takes no lock.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Latencies in microseconds, 1 µs to 100 s at 3 significant figures.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 100_000_000, 3).expect("constant bounds are valid")
}

#[derive(Clone)]
pub struct Call {
    pub latency: Histogram<u64>,
    pub errors: u64,
}

impl Default for Call {
    fn default() -> Self {
        Call { latency: histogram(), errors: 0 }
    }
}

/// Everything one client (or a whole scenario, once merged) measured.
#[derive(Clone, Default)]
pub struct Recorder {
    pub calls: BTreeMap<&'static str, Call>,
    /// A few error descriptions, to show what went wrong.
    pub samples: Vec<String>,
}

const MAX_SAMPLES: usize = 20;

impl Recorder {
    pub fn ok(&mut self, call: &'static str, micros: u64) {
        let entry = self.calls.entry(call).or_default();
        let _ = entry.latency.record(micros.clamp(1, 100_000_000));
    }

    pub fn error(&mut self, call: &'static str, what: String) {
        self.calls.entry(call).or_default().errors += 1;
        if self.samples.len() < MAX_SAMPLES {
            self.samples.push(format!("{call}: {what}"));
        }
    }

    pub fn merge(&mut self, other: Recorder) {
        for (name, call) in other.calls {
            let entry = self.calls.entry(name).or_default();
            let _ = entry.latency.add(&call.latency);
            entry.errors += call.errors;
        }
        for sample in other.samples {
            if self.samples.len() < MAX_SAMPLES {
                self.samples.push(sample);
            }
        }
    }

    pub fn requests(&self) -> u64 {
        self.calls.values().map(|c| c.latency.len() + c.errors).sum()
    }

    pub fn errors(&self) -> u64 {
        self.calls.values().map(|c| c.errors).sum()
    }

    /// Per call type: count, errors, rate and percentiles over `seconds`.
    pub fn summary(&self, seconds: f64) -> Vec<CallSummary> {
        self.calls
            .iter()
            .map(|(name, call)| {
                let h = &call.latency;
                let ms = |q: f64| if h.is_empty() { 0.0 } else { h.value_at_quantile(q) as f64 / 1000.0 };
                CallSummary {
                    call: (*name).to_owned(),
                    count: h.len(),
                    errors: call.errors,
                    per_second: if seconds > 0.0 { h.len() as f64 / seconds } else { 0.0 },
                    p50_ms: ms(0.50),
                    p95_ms: ms(0.95),
                    p99_ms: ms(0.99),
                    max_ms: if h.is_empty() { 0.0 } else { h.max() as f64 / 1000.0 },
                    curve: percentile_curve(h),
                }
            })
            .collect()
    }
}

/// One call type's figures.
#[derive(Clone, Debug, Serialize)]
pub struct CallSummary {
    pub call: String,
    pub count: u64,
    pub errors: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// (percentile, milliseconds) points for the latency chart.
    #[serde(skip)]
    pub curve: Vec<(f64, f64)>,
}

/// The latency at percentiles spread evenly on a "nines" scale (0, 50, 75, 87.5, … 99.9, 100).
fn percentile_curve(h: &Histogram<u64>) -> Vec<(f64, f64)> {
    if h.is_empty() {
        return Vec::new();
    }
    let mut points = Vec::new();
    let mut q = 0.0f64;
    while q < 0.999 {
        points.push((q * 100.0, h.value_at_quantile(q) as f64 / 1000.0));
        q += (1.0 - q) / 8.0;
    }
    points.push((99.9, h.value_at_quantile(0.999) as f64 / 1000.0));
    points.push((100.0, h.max() as f64 / 1000.0));
    points
}

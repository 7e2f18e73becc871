//! The scenarios. Each returns a `Measured`: what was recorded, over how long, plus scenario-specific checks.

pub mod attempt;
pub mod autosave;
pub mod import;
pub mod reads;
pub mod storm;
pub mod timed;

use serde_json::Value;

use crate::stats::Recorder;

pub struct Measured {
    pub recorder: Recorder,
    pub seconds: f64,
    /// Facts a scenario checks or reports beyond latency (lost answers, rows imported…).
    pub checks: Value,
}

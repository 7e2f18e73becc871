//! Attempts at a test: what an attempt shows (the draw), when it must end (the deadline), which attempt's score
//! counts (the scoring policy), and how a changed answer key rescores attempts already taken (regrade policies).
//! Pure: the store freezes what these rules produce when an attempt starts and re-reads it afterwards.

pub mod access;
pub mod deadline;
pub mod draw;
pub mod kept;
pub mod regrade;

pub use access::{access_code_matches, attempts_left, ip_allowed};
pub use deadline::{Availability, Extend, closing, deadline, extended_deadline, may_start};
pub use draw::{Candidate, DrawSettings, DrawnQuestion, Slot, draw, variables_seed};
pub use kept::{ScoringPolicy, kept_score};
pub use regrade::{RegradePolicy, regraded};

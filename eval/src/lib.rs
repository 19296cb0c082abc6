//! # cinder-eval — rate-distortion evaluation, metrics and classic baselines
//!
//! Every codec is measured the same way on the same files (DESIGN §9): rate from the real file bytes (the
//! serialised `.cnd` container for Cinder codecs, the tool's output file for baselines), distortion from
//! [`metrics`]. [`sweep::evaluate`] runs a codec over a dataset at several qualities and returns a
//! [`Report`] in CompressAI's results schema; [`report`] writes JSON, CSV and Markdown, [`bdrate`] computes
//! Bjøntegaard deltas and [`plot`] draws RD curves. [`cli`] is `cinder eval`.
//!
//! Not yet here: a `burn` Dataset/Batcher (planned in cinder-datasets behind a `burn` feature).

pub mod baselines;
pub mod bdrate;
pub mod cli;
pub mod codec;
mod error;
pub mod metrics;
pub mod plot;
pub mod report;
pub mod sweep;

pub use error::EvalError;
pub use report::Report;

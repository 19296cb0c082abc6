//! Deterministic integer entropy models and coders on [constriction](https://docs.rs/constriction) (DESIGN.md §4–5).
//!
//! Every probability that reaches a coder is an integer: a validated [`CdfTable`] (built once, stored with the
//! weights), an integer [`AdaptiveModel`] / [`ContextModel`] updated identically on both sides, a [`Uniform`]
//! model, or a CDF that a codec computes with fixed-order sequential code and hands over through [`CdfSlice`] /
//! [`CdfFn`] (the PC coder). Coders run at 24-bit precision with u32 words:
//!
//! * [`AnsEncoder`] / [`AnsDecoder`] (stack, LIFO) for static models;
//! * [`RangeEncoder`] / [`RangeDecoder`] (queue, FIFO) for adaptive and autoregressive models;
//! * [`ByteRangeEncoder`] / [`ByteRangeDecoder`] (queue, bytes, < 16 bits overhead) for many short streams;
//! * [`BitCounter`] / [`estimate_bits`] price symbols with the very same intervals.
//!
//! Streams serialise as a little-endian u32 word count followed by little-endian words ([`Stream`]). Decoding
//! corrupt or truncated input returns an [`EntropyError`] or in-range symbols; it never panics, and allocation is
//! bounded by the caller's [`Limits`].
//!
//! # Example
//!
//! ```
//! use cinder_entropy::{
//!     AdaptiveConfig, AdaptiveModel, AnsDecoder, AnsEncoder, CdfFn, CdfTable, Limits, RangeDecoder,
//!     RangeEncoder, Stream, SymbolDecoder, SymbolEncoder, leaky_quantize,
//! };
//!
//! # fn main() -> Result<(), cinder_entropy::EntropyError> {
//! // Static model + ANS.
//! let table = CdfTable::from_counts(16, &[50, 30, 15, 5])?;
//! let symbols = [0, 1, 0, 2, 3, 0, 1];
//! let mut enc = AnsEncoder::new();
//! enc.encode_iid(&symbols, &table)?;
//! let bytes = enc.finish().to_bytes();
//!
//! let stream = Stream::from_bytes(&bytes, &Limits::default())?;
//! let mut dec = AnsDecoder::new(&stream)?;
//! let decoded = dec.decode_vec(symbols.len(), &table, &Limits::default())?;
//! dec.finish()?;
//! assert_eq!(decoded, symbols);
//!
//! // Adaptive model and a per-symbol custom CDF, interleaved on one range coder.
//! let mut model = AdaptiveModel::new(4, AdaptiveConfig::default())?;
//! let custom = |a: u32| leaky_quantize(f64::from(a) / 4.0, a, 4, 24); // any monotone q(a)
//! let mut enc = RangeEncoder::new();
//! for &s in &symbols {
//!     model.encode(&mut enc, s)?;
//!     enc.encode(3 - s, &CdfFn::new(4, 24, custom)?)?;
//! }
//! let stream = enc.finish();
//!
//! let mut model = AdaptiveModel::new(4, AdaptiveConfig::default())?;
//! let mut dec = RangeDecoder::new(&stream)?;
//! for &s in &symbols {
//!     assert_eq!(model.decode(&mut dec)?, s);
//!     assert_eq!(dec.decode(&CdfFn::new(4, 24, custom)?)?, 3 - s);
//! }
//! dec.finish()?;
//! # Ok(())
//! # }
//! ```

mod cdf;
mod cdf_bytes;
pub mod coder;
mod error;
mod model;
pub mod models;
mod quantize;
mod varint;

pub use cdf::CdfTable;
pub use coder::{
    estimate_bits, AnsDecoder, AnsEncoder, BitCounter, ByteRangeDecoder, ByteRangeEncoder, FifoDecoder,
    FifoEncoder, Limits, RangeDecoder, RangeEncoder, Stream, SymbolDecoder, SymbolEncoder,
};
pub use error::{EntropyError, Result};
pub use model::{DecodeModel, EncodeModel, Interval, CODER_PRECISION, CODER_TOTAL};
pub use models::adaptive::{AdaptiveConfig, AdaptiveModel};
pub use models::context::ContextModel;
pub use models::custom::{CdfFn, CdfSlice};
pub use models::escape::Escape;
pub use models::rank::RankModel;
pub use models::table_set::TableSet;
pub use models::uniform::{decode_bits, encode_bits, Uniform};
pub use quantize::{check_precision, leaky_quantize, MAX_PRECISION, MIN_PRECISION};

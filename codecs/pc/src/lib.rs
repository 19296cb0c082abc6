//! # cinder-pc — probabilistic-circuit (HCLT) lossless image coder
//!
//! Liu, Mandt, Van den Broeck, "Lossless Compression with Probabilistic Circuits" (ICLR 2022), with the
//! decoder-friendly O(D·M²) conditional scheme of `../shared/specs/pc-lossless.md` §2.6.

mod circuit;
mod codec;
pub mod coder;
pub mod data;
mod em;
mod error;
pub mod model_io;
pub mod rangecoder;
mod structure;
mod train;
pub mod weights;

pub use circuit::{Circuit, Params, K};
pub use codec::{registered, PcCodec, PC_INFO};
pub use error::PcError;
pub use structure::{chow_liu_tree, Tree, NO_PARENT};
pub use train::{train, TrainConfig, TrainReport};

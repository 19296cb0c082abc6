//! # cinder-vqgan — extreme image compression with a VQGAN
//!
//! After "Extreme Image Compression using Fine-tuned VQGANs" (Mao et al., DCC 2024; spec
//! `../shared/specs/walloc-vqgan.md` Part B and §6.4). No pretrained VQGAN can be had here, so this crate trains
//! its own small f16 model ([`net`], [`config`]): every 16×16 block of an image becomes one index of a K = 1024
//! codebook (0.039 bpp with uniform coding). Lower rates come from the paper's variable-rate scheme ([`levels`]):
//! k-means of the trained codebook down to S ∈ {8, …, 512} entries, each fine-tuned with encoder and decoder
//! frozen. Index maps are coded in independent bands, uniformly (the paper) or with a context-adaptive rank
//! model ([`indices`]); lost bands are restored at decode ([`restore`]).
//!
//! Training (feature `train`, `cinder train vqgan`): L1 + MS-SSIM, EMA codebook with k-means initialisation and
//! dead-code restart, then the level reduction and fine-tuning ([`train::reduce`]).

mod codec;
pub mod config;
mod error;
pub mod indices;
pub mod levels;
pub mod model;
pub mod net;
pub mod post_filter;
pub mod restore;
pub mod restore_net;
pub mod tiling;
#[cfg(feature = "train")]
pub mod train;
pub mod weights;

pub use codec::{codes_of, registered, VqganCodec, CONCEAL, EMBEDDED_WEIGHTS, MODEL_ID, VQGAN_INFO};
pub use config::{VqganConfig, FACTOR};
pub use error::VqganError;
pub use model::{IndexMap, VqganModel};

//! # cinder-hifi — HiFi-Codec, group-residual vector quantisation for speech
//!
//! After "HiFi-Codec: Group-residual Vector quantization for High Fidelity Audio Codec" (Yang et al., 2023;
//! spec `../shared/specs/hificodec.md`): a mirrored HiFi-GAN encoder ([`net::Encoder`], spec §1.3) maps 16 kHz
//! speech to a latent at 50 Hz; GRVQ ([`grvq`], §1.5) quantises it with 2 groups × 2 residual layers of 1024
//! codes (10 bits a token, 2 kbps; the first layer alone is 1 kbps); a HiFi-GAN V1 generator
//! ([`net::Decoder`], §1.4) synthesises the waveform. Widths follow the CPU recipe of spec §6.2.
//!
//! Training (feature `train`, `cinder train hifi`): multi-scale log-mel L1, commitment, EMA codebooks with
//! k-means initialisation and dead-code restart, quantiser dropout, then LSGAN with a multi-scale STFT
//! discriminator.

mod codec;
pub mod config;
mod error;
pub mod grvq;
pub mod model;
pub mod net;
pub mod tokens;
#[cfg(feature = "train")]
pub mod train;
pub mod weights;

pub use codec::{registered, HifiCodec, BLOCK_FRAMES, EARLIER_MODELS, EMBEDDED_WEIGHTS, HIFI_INFO, MODEL_ID};
pub use config::{HifiConfig, HOP, SAMPLE_RATE};
pub use error::HifiError;
pub use model::HifiModel;

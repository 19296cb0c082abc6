//! # cinder-walloc — WaLLoC, wavelet learned lossy compression
//!
//! After "Learned Compression for Compressed Learning" (Jacobellis & Yadwadkar, DCC 2025; spec
//! `../shared/specs/walloc-vqgan.md` Part A): an invertible CDF 9/7 wavelet packet transform ([`wpt`], J = 3 →
//! 192 channels at 1/8 resolution for RGB), a 1×1 linear encoder initialised by PCA ([`weights`]), Gaussian-CDF
//! companding to 8-bit integers ([`companding`]), and our own context-adaptive entropy coder for the integer
//! latents ([`latents`]) in place of the reference's lossless WebP.
//!
//! Stereo audio (spec A1.1, A1.2, A1.6, A1.8) uses the same scheme on the 1-D J = 8 packet transform
//! (512 channels at L/256, [`audio`]) as an `AudioCodec` ([`WallocAudioCodec`]).
//!
//! Two decoders share one encoder and one bitstream: the closed-form *linear* decoder (PCA transpose, spec §6.1;
//! model ids 1 image / 3 audio) and the trained *deep* decoder ([`deep`], [`deep_audio`]; burn, `flex` on the CPU
//! or `wgpu`; model ids 2 / 4), which adds a learned correction to the linear reconstruction. The embedded image
//! default is the deep one (a `CWLL` weights file, `--weights linear_rgb_j3.bin`, gives the linear codec); the
//! embedded stereo decoder is used at q1–q3 (it loses to the linear one at q4–q5). Training:
//! the `train` module (feature `train`; `cinder train walloc [--audio]`).
//!
//! ```
//! use cinder_core::{DecodeOptions, EncodeOptions, Image, ImageCodec};
//! let codec = cinder_walloc::WallocCodec::embedded(2)?;
//! let img = Image::new(64, 48, 3, (0..64 * 48 * 3).map(|i| (i % 251) as u8).collect())?;
//! let container = codec.encode(&img, &EncodeOptions::default())?;
//! let back = codec.decode(&container, &DecodeOptions::default())?;
//! assert_eq!((back.width, back.height, back.channels), (64, 48, 3));
//! // The compressed-domain view: 12 latent channels at 1/8 resolution.
//! let latents = codec.encode_latents(&img)?;
//! assert_eq!((latents.channels, latents.height, latents.width), (12, 6, 8));
//! # Ok::<(), cinder_core::CodecError>(())
//! ```

pub mod audio;
mod audio_codec;
mod codec;
pub mod companding;
pub mod deep;
pub mod deep_audio;
mod error;
pub mod latents;
mod models;
pub mod pca;
pub mod pipeline;
#[cfg(feature = "train")]
pub mod train;
pub mod weights;
pub mod wpt;

pub use audio_codec::{
    WallocAudioCodec, EMBEDDED_DEEP_STEREO_WEIGHTS, EMBEDDED_STEREO_WEIGHTS, MODEL_DEEP_STEREO,
    MODEL_LINEAR_STEREO,
};
pub use codec::{
    count_bits, registered, WallocCodec, BAND_ROWS, EMBEDDED_DEEP_WEIGHTS, EMBEDDED_LINEAR_WEIGHTS,
    MODEL_DEEP, MODEL_LINEAR, WALLOC_INFO,
};
pub use error::WallocError;
pub use latents::Latents;
pub use weights::LinearWeights;

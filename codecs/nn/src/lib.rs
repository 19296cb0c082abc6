//! # cinder-nn — burn building blocks shared by Cinder's neural codecs
//!
//! burn 0.22 (backend-free `Tensor<D>`, runtime `Device`): [`blocks`] holds GroupNorm/SiLU residual blocks,
//! single-head spatial self-attention and "same" convolutions (the decoder vocabulary of WaLLoC, spec A1.5, and of
//! the VQGAN codec) and the 1-D dilated "same" convolution of the audio decoders; [`train_io`] holds what the
//! training loops share (stateless sampling streams, CSV logs, atomic checkpoints); [`vq`] holds codebooks, their
//! EMA training and k-means; [`device`] maps Cinder's `--device cpu|wgpu` onto burn's `flex` and `wgpu` backends.
//!
//! Only networks live on these devices; every probability that reaches an entropy coder stays integer
//! (DESIGN §4).

pub mod blocks;
pub mod device;
mod error;
pub mod record;
pub mod train_io;
pub mod vq;

pub use blocks::{conv1d_same, conv_same, group_norm, group_norm_with, ResBlock2d, SelfAttention2d};
pub use device::{inference_device, training_device};
pub use error::NnError;

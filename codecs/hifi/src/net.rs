//! The encoder and decoder networks (spec §1.3, §1.4; widths scaled per §6.2).
//!
//! * [`Encoder`]: `conv_pre` (1 → `enc_base`, k7) → four stages `LeakyReLU(0.1) → strided conv` (strides 2, 4, 5,
//!   8; channels doubling) each followed by a multi-receptive-field block (the mean of its ResBlock1s) →
//!   `LeakyReLU(0.01) → conv_post` (k3) to the latent.
//! * [`Decoder`]: HiFi-GAN V1 — `conv_pre` (k7) → four stages `LeakyReLU(0.1) → ConvTranspose1d` (rates 8, 5, 4, 2;
//!   channels halving) + the mean of the ResBlock1s → `LeakyReLU → conv (k7) → tanh`.
//!
//! Deviations from the reference, on purpose:
//! * No GroupNorm in the encoder. The reference's GroupNorm pools statistics over the whole clip, which makes
//!   every token depend on the entire file (chunked encoding could not reproduce whole-file tokens). A per-frame
//!   group norm (local) was tried first: it discards each frame's level, and training stalled at a mel loss of
//!   ≈ 70 (45 × L1 ≈ 1.5) for 230 steps (first run, 2026-11-27). Without normalisation the encoder is a plain
//!   local conv stack, so chunked encoding reproduces whole-file tokens (tested) in bounded memory.
//! * No weight normalisation (it is removed at inference anyway); burn's default initialisation.
//! * One or two ResBlock1 per stage instead of three (compute, spec §6.2).

use crate::config::{HifiConfig, DEC_STAGES, DILATIONS, ENC_STAGES};
use burn::module::Module;
use burn::nn::conv::{Conv1d, Conv1dConfig, ConvTranspose1d, ConvTranspose1dConfig};
use burn::nn::PaddingConfig1d;
use burn::tensor::activation::{leaky_relu, tanh};
use burn::tensor::{Device, Tensor};

use cinder_nn::conv1d_same as conv;

/// HiFi-GAN's ResBlock1: three pairs `LeakyReLU → dilated conv (d = 1, 3, 5) → LeakyReLU → conv`, each added back.
#[derive(Module, Debug)]
pub struct ResBlock1 {
    dilated: Vec<Conv1d>,
    plain: Vec<Conv1d>,
}

impl ResBlock1 {
    fn new(channels: usize, kernel: usize, device: &Device) -> Self {
        ResBlock1 {
            dilated: DILATIONS
                .iter()
                .map(|&d| conv(channels, channels, kernel, d, device))
                .collect(),
            plain: DILATIONS
                .iter()
                .map(|_| conv(channels, channels, kernel, 1, device))
                .collect(),
        }
    }

    fn forward(&self, mut x: Tensor<3>) -> Tensor<3> {
        for (a, b) in self.dilated.iter().zip(&self.plain) {
            let h = b.forward(leaky_relu(a.forward(leaky_relu(x.clone(), 0.1)), 0.1));
            x = x + h;
        }
        x
    }
}

/// A multi-receptive-field block: the mean of the ResBlock1s applied to `x`.
fn mrf(blocks: &[ResBlock1], x: Tensor<3>) -> Tensor<3> {
    let mut sum: Option<Tensor<3>> = None;
    for block in blocks {
        let b = block.forward(x.clone());
        sum = Some(match sum {
            None => b,
            Some(s) => s + b,
        });
    }
    match sum {
        Some(s) => s / blocks.len() as f64,
        None => x,
    }
}

#[derive(Module, Debug)]
struct EncoderStage {
    down: Conv1d,
    blocks: Vec<ResBlock1>,
}

impl EncoderStage {
    fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        mrf(&self.blocks, self.down.forward(leaky_relu(x, 0.1)))
    }
}

/// Waveform `[batch, 1, samples]` (a multiple of the hop) → latent `[batch, latent, samples / 320]`.
#[derive(Module, Debug)]
pub struct Encoder {
    pre: Conv1d,
    stages: Vec<EncoderStage>,
    post: Conv1d,
}

impl Encoder {
    /// A fresh encoder.
    pub fn new(cfg: &HifiConfig, device: &Device) -> Self {
        let mut ch = cfg.enc_base;
        let stages = ENC_STAGES
            .iter()
            .map(|&(stride, kernel)| {
                let out = ch * 2;
                let pad = (kernel - stride) / 2;
                let down = Conv1dConfig::new(ch, out, kernel)
                    .with_stride(stride)
                    .with_padding(PaddingConfig1d::Explicit(pad, kernel - stride - pad))
                    .init(device);
                ch = out;
                EncoderStage {
                    down,
                    blocks: cfg.kernels[..cfg.blocks]
                        .iter()
                        .map(|&k| ResBlock1::new(out, k, device))
                        .collect(),
                }
            })
            .collect();
        Encoder {
            pre: conv(1, cfg.enc_base, 7, 1, device),
            stages,
            post: conv(ch, cfg.latent, 3, 1, device),
        }
    }

    /// Applies the encoder.
    pub fn forward(&self, wave: Tensor<3>) -> Tensor<3> {
        let mut x = self.pre.forward(wave);
        for stage in &self.stages {
            x = stage.forward(x);
        }
        self.post.forward(leaky_relu(x, 0.01))
    }
}

#[derive(Module, Debug)]
struct DecoderStage {
    up: ConvTranspose1d,
    blocks: Vec<ResBlock1>,
}

/// Latent `[batch, latent, frames]` → waveform `[batch, 1, frames × 320]` in (−1, 1).
#[derive(Module, Debug)]
pub struct Decoder {
    pre: Conv1d,
    stages: Vec<DecoderStage>,
    post: Conv1d,
}

impl Decoder {
    /// A fresh decoder.
    pub fn new(cfg: &HifiConfig, device: &Device) -> Self {
        let mut ch = cfg.dec_base;
        let stages = DEC_STAGES
            .iter()
            .map(|&(rate, kernel)| {
                let out = ch / 2;
                let pad = (kernel - rate) / 2;
                // Output length (L − 1)·rate − 2·pad + kernel + extra = L·rate.
                let extra = rate + 2 * pad - kernel;
                let up = ConvTranspose1dConfig::new([ch, out], kernel)
                    .with_stride(rate)
                    .with_padding(pad)
                    .with_padding_out(extra)
                    .init(device);
                ch = out;
                DecoderStage {
                    up,
                    blocks: cfg.kernels[..cfg.blocks]
                        .iter()
                        .map(|&k| ResBlock1::new(out, k, device))
                        .collect(),
                }
            })
            .collect();
        Decoder {
            pre: conv(cfg.latent, cfg.dec_base, 7, 1, device),
            stages,
            post: conv(ch, 1, 7, 1, device),
        }
    }

    /// Applies the decoder.
    pub fn forward(&self, latent: Tensor<3>) -> Tensor<3> {
        let mut x = self.pre.forward(latent);
        for stage in &self.stages {
            x = mrf(&stage.blocks, stage.up.forward(leaky_relu(x, 0.1)));
        }
        tanh(self.post.forward(leaky_relu(x, 0.1)))
    }
}

/// Encoder and decoder: everything of the model that burn stores (the codebooks live in [`crate::grvq`]).
#[derive(Module, Debug)]
pub struct HifiNet {
    /// The analysis network.
    pub encoder: Encoder,
    /// The synthesis network.
    pub decoder: Decoder,
}

impl HifiNet {
    /// A fresh model.
    pub fn new(cfg: &HifiConfig, device: &Device) -> Self {
        HifiNet {
            encoder: Encoder::new(cfg, device),
            decoder: Decoder::new(cfg, device),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_follow_the_hop() {
        let device = Device::flex();
        let cfg = HifiConfig {
            enc_base: 4,
            latent: 16,
            dec_base: 32,
            ..HifiConfig::default()
        };
        let net = HifiNet::new(&cfg, &device);
        let wave = Tensor::<3>::zeros([2, 1, 320 * 3], &device);
        let z = net.encoder.forward(wave);
        assert_eq!(z.dims(), [2, 16, 3]);
        let y = net.decoder.forward(z);
        assert_eq!(y.dims(), [2, 1, 960]);
    }
}

//! A loaded HiFi-Codec model: networks on a burn device plus the codebooks, with chunked encoding and decoding
//! so that hour-long input runs in bounded memory.
//!
//! Chunks are cut at frame boundaries and extended by a margin of at least the network's receptive radius on
//! each side (input samples for the encoder, latent frames for the decoder); only the middle is kept. The encoder
//! is local (per-frame normalisation, `net.rs`), so chunked tokens equal whole-file tokens (tested).

use crate::config::{HifiConfig, HOP};
use crate::grvq::Codebooks;
use crate::net::HifiNet;
use crate::weights::HifiWeights;
use crate::HifiError;
use burn::tensor::{Device, Tensor, TensorData};
use cinder_format::WeightsDigest;

/// Latent frames per encoder / decoder chunk (20 s).
pub const CHUNK_FRAMES: usize = 1000;

/// Networks + codebooks on one device.
#[derive(Debug)]
pub struct HifiModel {
    /// Network shape.
    pub config: HifiConfig,
    /// The quantiser.
    pub codebooks: Codebooks,
    /// Token counts on the training set (entropy-coder prior), `books × codes`.
    pub prior: Vec<u32>,
    /// Digest of the weights file.
    pub digest: WeightsDigest,
    net: HifiNet,
    device: Device,
}

/// A tensor's values, row-major.
pub(crate) fn values<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, HifiError> {
    t.into_data()
        .try_into_vec_as::<f32>()
        .map_err(|e| HifiError::Network(format!("{e:?}")))
}

impl HifiModel {
    /// Loads a `CWHF` weights file onto `device`.
    pub fn load(bytes: &[u8], device: cinder_core::Device) -> Result<HifiModel, HifiError> {
        let w = HifiWeights::from_bytes(bytes)?;
        let device = cinder_nn::inference_device(device).map_err(|e| HifiError::Network(e.to_string()))?;
        let net = load_net(HifiNet::new(&w.config, &device), &w.burnpack)?;
        Ok(HifiModel {
            config: w.config,
            codebooks: w.codebooks,
            prior: w.prior,
            digest: w.digest,
            net,
            device,
        })
    }

    /// Wraps parts (training validation).
    pub fn from_parts(
        config: HifiConfig,
        codebooks: Codebooks,
        prior: Vec<u32>,
        net: HifiNet,
        device: &Device,
    ) -> Self {
        HifiModel {
            config,
            codebooks,
            prior,
            digest: WeightsDigest::default(),
            net,
            device: device.clone(),
        }
    }

    /// Frames that `samples` samples need (at least one).
    pub fn frames_for(samples: usize) -> usize {
        samples.div_ceil(HOP).max(1)
    }

    /// Encoder output for 16 kHz mono samples: `frames × latent`, frame-major.
    pub fn latents(&self, samples: &[f32]) -> Result<Vec<f32>, HifiError> {
        self.latents_chunked(samples, CHUNK_FRAMES)
    }

    /// [`HifiModel::latents`] with chunks of `chunk_frames` frames (`usize::MAX`: the whole clip at once).
    pub fn latents_chunked(&self, samples: &[f32], chunk_frames: usize) -> Result<Vec<f32>, HifiError> {
        let chunk_frames = chunk_frames.max(1);
        let frames = Self::frames_for(samples.len());
        let mut padded = samples.to_vec();
        padded.resize(frames * HOP, 0.0);
        let margin = self.config.encoder_radius().div_ceil(HOP) + 1;
        let latent = self.config.latent;
        let mut out = vec![0.0f32; frames * latent];
        let mut a = 0;
        while a < frames {
            let b = a.saturating_add(chunk_frames).min(frames);
            let (lo, hi) = (a.saturating_sub(margin), (b + margin).min(frames));
            let input = Tensor::<3>::from_data(
                TensorData::new(padded[lo * HOP..hi * HOP].to_vec(), [1, 1, (hi - lo) * HOP]),
                &self.device,
            );
            let z = values(self.net.encoder.forward(input))?; // [latent, hi − lo]
            let span = hi - lo;
            for f in a..b {
                for c in 0..latent {
                    out[f * latent + c] = z[c * span + (f - lo)];
                }
            }
            a = b;
        }
        Ok(out)
    }

    /// Tokens of the first `layers` residual layers: `frames × (layers · groups)`, frame-major, layer-major within
    /// a frame.
    pub fn tokens(&self, samples: &[f32], layers: usize) -> Result<Vec<u16>, HifiError> {
        let latent = self.config.latent;
        let z = self.latents(samples)?;
        let per = layers * self.config.groups;
        let mut all = vec![0u16; self.config.codebooks()];
        let mut q = vec![0.0f32; latent];
        let mut out = Vec::with_capacity(z.len() / latent * per);
        for frame in z.chunks(latent) {
            self.codebooks.quantise_frame(frame, layers, &mut all, &mut q);
            out.extend_from_slice(&all[..per]);
        }
        Ok(out)
    }

    /// Decodes `frames × (layers · groups)` tokens into `frames × 320` samples.
    pub fn decode_tokens(&self, tokens: &[u16], layers: usize) -> Result<Vec<f32>, HifiError> {
        let per = layers * self.config.groups;
        if per == 0 || tokens.len() % per != 0 || layers > self.config.layers {
            return Err(HifiError::Corrupt(format!(
                "{} tokens for {layers} layers",
                tokens.len()
            )));
        }
        let latent = self.config.latent;
        let frames = tokens.len() / per;
        let mut full = vec![0u16; self.config.codebooks()];
        let mut z = vec![0.0f32; frames * latent];
        for (f, t) in tokens.chunks(per).enumerate() {
            full[..per].copy_from_slice(t);
            self.codebooks
                .dequantise_frame(&full, layers, &mut z[f * latent..(f + 1) * latent]);
        }
        self.decode_latents(&z, frames)
    }

    /// Decodes `frames × latent` (frame-major) quantised latents, chunk by chunk.
    pub fn decode_latents(&self, z: &[f32], frames: usize) -> Result<Vec<f32>, HifiError> {
        let latent = self.config.latent;
        let margin = self.config.decoder_radius_frames();
        let mut out = Vec::with_capacity(frames * HOP);
        let mut a = 0;
        while a < frames {
            let b = (a + CHUNK_FRAMES).min(frames);
            let (lo, hi) = (a.saturating_sub(margin), (b + margin).min(frames));
            let span = hi - lo;
            let mut chunk = vec![0.0f32; latent * span];
            for f in lo..hi {
                for c in 0..latent {
                    chunk[c * span + (f - lo)] = z[f * latent + c];
                }
            }
            let input = Tensor::<3>::from_data(TensorData::new(chunk, [1, latent, span]), &self.device);
            let y = values(self.net.decoder.forward(input))?;
            out.extend_from_slice(&y[(a - lo) * HOP..(b - lo) * HOP]);
            a = b;
        }
        Ok(out)
    }

    /// The networks (training).
    pub fn net(&self) -> &HifiNet {
        &self.net
    }
}

/// Loads burnpack bytes (from a weights file) into a network of the same shape.
pub fn load_net(net: HifiNet, burnpack: &[u8]) -> Result<HifiNet, HifiError> {
    cinder_nn::record::from_bytes(net, burnpack).map_err(HifiError::BadWeights)
}

/// The burnpack bytes of a network.
pub fn net_bytes(net: HifiNet) -> Result<Vec<u8>, HifiError> {
    cinder_nn::record::to_bytes(net).map_err(HifiError::Network)
}

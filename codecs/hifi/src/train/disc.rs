//! The adversarial phase (spec §1.6–1.7, narrowed per §6.2): EnCodec's multi-scale STFT discriminator at
//! three of its five resolutions (n_fft 1024, 512, 256; hop n_fft/4; Hann window; normalised), each a small 2-D
//! conv net over (real, imaginary) × time × frequency — `2 → f` (3×9), three `f → f` (3×9, frequency stride 2,
//! time dilation 1/2/4), `f → f` (3×3), `f → 1` (3×3), LeakyReLU(0.2) — with `f = 8` filters (the reference: 32);
//! optionally HiFi-GAN's multi-period discriminator at 1/8 width ([`mpd`](super::mpd)).
//! LSGAN losses; feature matching is the L1 distance of every layer's features **averaged** over layers (the
//! reference sums, which lets the largest layers dominate, issue #54), weight 2 per sub-discriminator. MSD is left
//! out on the CPU (recipe A). The discriminators have their own Adam (same β and learning rate as the generator).

use super::mpd::{PeriodDisc, PERIODS};
use crate::HifiError;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::PaddingConfig2d;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::activation::leaky_relu;
use burn::tensor::module::conv1d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Device, Tensor, TensorData};
use cinder_nn::train_io::{load_module, save_module};
use std::path::Path;

/// The discriminator's checkpoint files.
const FILES: (&str, &str) = ("disc.bpk", "disc_optim.bpk");

/// Filters of every sub-discriminator.
pub const FILTERS: usize = 8;
/// (n_fft, hop) of the sub-discriminators: three of EnCodec's five (2048 and 128 are left out: on two CPU cores
/// the five cost 3.5× a reconstruction step, measured).
pub const RESOLUTIONS: [(usize, usize); 3] = [(1024, 256), (512, 128), (256, 64)];
/// Crops of each batch the discriminator sees (the first ones; the batch order is random).
pub const GAN_ITEMS: usize = 4;

fn stft_kernel(n_fft: usize, device: &Device) -> Tensor<3> {
    let bins = n_fft / 2 + 1;
    let norm = 1.0 / (n_fft as f64).sqrt();
    let mut k = vec![0.0f32; 2 * bins * n_fft];
    for n in 0..n_fft {
        let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / n_fft as f64).cos();
        for f in 0..bins {
            let phase = 2.0 * std::f64::consts::PI * (f * n % n_fft) as f64 / n_fft as f64;
            k[f * n_fft + n] = (norm * w * phase.cos()) as f32;
            k[(bins + f) * n_fft + n] = (-norm * w * phase.sin()) as f32;
        }
    }
    Tensor::from_data(TensorData::new(k, [2 * bins, 1, n_fft]), device)
}

/// One STFT sub-discriminator.
#[derive(Module, Debug)]
pub struct StftDisc {
    convs: Vec<Conv2d>,
    post: Conv2d,
}

impl StftDisc {
    fn new(device: &Device) -> Self {
        let f = FILTERS;
        let mut convs = vec![Conv2dConfig::new([2, f], [3, 9])
            .with_padding(PaddingConfig2d::Explicit(1, 4, 1, 4))
            .init(device)];
        for d in [1, 2, 4] {
            convs.push(
                Conv2dConfig::new([f, f], [3, 9])
                    .with_stride([1, 2])
                    .with_dilation([d, 1])
                    .with_padding(PaddingConfig2d::Explicit(d, 4, d, 4))
                    .init(device),
            );
        }
        convs.push(
            Conv2dConfig::new([f, f], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
        );
        StftDisc {
            convs,
            post: Conv2dConfig::new([f, 1], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
        }
    }

    /// Spectrogram `[batch, 2, frames, bins]` → (logits, features).
    fn forward(&self, spec: Tensor<4>) -> (Tensor<4>, Vec<Tensor<4>>) {
        let mut h = spec;
        let mut features = Vec::with_capacity(self.convs.len());
        for conv in &self.convs {
            h = leaky_relu(conv.forward(h), 0.2);
            features.push(h.clone());
        }
        (self.post.forward(h), features)
    }
}

/// Every sub-discriminator: one per STFT resolution, and one per period when the MPD is on (else none).
#[derive(Module, Debug)]
pub struct Discriminators {
    discs: Vec<StftDisc>,
    periods: Vec<PeriodDisc>,
}

/// The discriminators, their optimiser and the fixed STFT kernels.
pub struct Adversary {
    disc: Discriminators,
    optim: ModuleOptimizer,
    kernels: Vec<Tensor<3>>,
}

impl Adversary {
    /// Fresh discriminators on `device` (an autodiff device): the STFT ones, and the MPD when `mpd`.
    pub fn new(device: &Device, mpd: bool) -> Adversary {
        let periods = if mpd { PERIODS.len() } else { 0 };
        Adversary {
            disc: Discriminators {
                discs: RESOLUTIONS.iter().map(|_| StftDisc::new(device)).collect(),
                periods: (0..periods).map(|_| PeriodDisc::new(device)).collect(),
            },
            optim: AdamConfig::new().with_beta_1(0.8).with_beta_2(0.99).init(),
            kernels: RESOLUTIONS.iter().map(|&(n, _)| stft_kernel(n, device)).collect(),
        }
    }

    fn spectrograms(&self, wave: Tensor<3>) -> Vec<Tensor<4>> {
        RESOLUTIONS
            .iter()
            .zip(&self.kernels)
            .map(|(&(_, hop), k)| {
                let s = conv1d(
                    wave.clone(),
                    k.clone(),
                    None,
                    ConvOptions::new([hop], [0], [1], 1),
                );
                let [b, c, t] = s.dims();
                s.reshape([b, 2, c / 2, t]).swap_dims(2, 3)
            })
            .collect()
    }

    fn run(&self, wave: Tensor<3>) -> Vec<(Tensor<4>, Vec<Tensor<4>>)> {
        let mut out: Vec<_> = self
            .spectrograms(wave.clone())
            .into_iter()
            .zip(&self.disc.discs)
            .map(|(s, d)| d.forward(s))
            .collect();
        for (d, &p) in self.disc.periods.iter().zip(&PERIODS) {
            out.push(d.forward(wave.clone(), p));
        }
        out
    }

    /// One discriminator update on (real, detached fake), then the generator's adversarial + feature-matching
    /// loss. Returns (generator loss, discriminator loss value, generator adversarial loss value).
    pub fn losses(
        &mut self,
        real: Tensor<3>,
        fake: Tensor<3>,
        lr: f64,
    ) -> Result<(Tensor<1>, f64, f64), HifiError> {
        let items = real.dims()[0].min(GAN_ITEMS);
        let real = real.narrow(0, 0, items).detach();
        let fake = fake.narrow(0, 0, items);
        let d_real = self.run(real.clone());
        let d_fake = self.run(fake.clone().detach());
        let mut d_loss: Option<Tensor<1>> = None;
        for ((r, _), (f, _)) in d_real.iter().zip(&d_fake) {
            let l = (r.clone().neg() + 1.0).powi_scalar(2).mean() + f.clone().powi_scalar(2).mean();
            d_loss = Some(match d_loss {
                None => l,
                Some(t) => t + l,
            });
        }
        let d_loss = d_loss.ok_or_else(|| HifiError::Network("no discriminators".into()))?;
        let d_value = f64::from(d_loss.clone().into_scalar::<f32>());
        let grads = GradientsParams::from_grads(d_loss.backward(), &self.disc);
        self.disc = self.optim.step(lr, self.disc.clone(), grads);

        let g_out = self.run(fake);
        let mut adv: Option<Tensor<1>> = None;
        let mut fm: Option<Tensor<1>> = None;
        let mut layers = 0usize;
        let discs = g_out.len();
        for ((logits, feats), (_, real_feats)) in g_out.into_iter().zip(d_real) {
            let a = (logits.neg() + 1.0).powi_scalar(2).mean();
            adv = Some(match adv {
                None => a,
                Some(t) => t + a,
            });
            for (f, r) in feats.into_iter().zip(real_feats) {
                let l = (f - r.detach()).abs().mean();
                layers += 1;
                fm = Some(match fm {
                    None => l,
                    Some(t) => t + l,
                });
            }
        }
        let (adv, fm) = match (adv, fm) {
            (Some(a), Some(f)) => (a, f),
            _ => return Err(HifiError::Network("no discriminators".into())),
        };
        let g_value = f64::from(adv.clone().into_scalar::<f32>());
        Ok((
            adv + fm * (2.0 * discs as f64 / layers.max(1) as f64),
            d_value,
            g_value,
        ))
    }

    /// Writes the discriminator and its optimiser next to the generator's checkpoint.
    pub fn checkpoint(&self, dir: &Path) -> Result<(), HifiError> {
        save_module(dir, FILES, self.disc.clone(), &self.optim).map_err(HifiError::Network)
    }

    /// Restores what [`Adversary::checkpoint`] wrote, if present (a run that switches the GAN on at resume
    /// starts from a fresh discriminator).
    pub fn resume(&mut self, dir: &Path) -> Result<(), HifiError> {
        let fresh = AdamConfig::new().with_beta_1(0.8).with_beta_2(0.99).init();
        if let Some((disc, optim)) =
            load_module(dir, FILES, self.disc.clone(), fresh).map_err(HifiError::BadWeights)?
        {
            (self.disc, self.optim) = (disc, optim);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::mpd::CHANNELS;

    #[test]
    fn sub_discriminators_keep_time_and_stride_frequency() {
        let device = Device::flex();
        let adv = Adversary::new(&device, true);
        let n = 8000;
        let wave = Tensor::<3>::from_data(TensorData::new(vec![0.05f32; 2 * n], [2, 1, n]), &device);
        let out = adv.run(wave);
        assert_eq!(out.len(), RESOLUTIONS.len() + PERIODS.len());
        for ((logits, feats), &(n_fft, hop)) in out.iter().zip(&RESOLUTIONS) {
            let frames = (n - n_fft) / hop + 1;
            let mut bins = n_fft / 2 + 1;
            assert_eq!(feats[0].dims(), [2, FILTERS, frames, bins]);
            for f in &feats[1..4] {
                bins = (bins - 1) / 2 + 1;
                assert_eq!(f.dims(), [2, FILTERS, frames, bins]);
            }
            assert_eq!(logits.dims(), [2, 1, frames, bins]);
        }
        for ((logits, feats), &p) in out[RESOLUTIONS.len()..].iter().zip(&PERIODS) {
            assert_eq!(feats.len(), CHANNELS.len());
            assert_eq!(logits.dims()[3], p);
        }
    }
}

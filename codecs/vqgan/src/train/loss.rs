//! Reconstruction loss (spec §6.4: without a pretrained VGG there is no LPIPS): `L1 + λ · (1 − MS-SSIM)`, with an
//! optional `μ · MSE` term for the PSNR-oriented decoder fine-tune.
//!
//! MS-SSIM (Wang, Simoncelli & Bovik 2003) over three scales (a 128² crop is too small for five), Gaussian window
//! 11 / σ 1.5 as a depthwise convolution ("valid"), C1 = 0.01², C2 = 0.03² on [0, 1] pixels, the standard scale
//! exponents renormalised to three scales; contrast-structure terms are clamped at a small positive value before
//! the powers so that the gradient stays finite.

use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Device, Tensor, TensorData};

const WEIGHTS: [f32; 3] = [0.0448, 0.2856, 0.3001];
const C1: f32 = 0.0001;
const C2: f32 = 0.0009;

/// The loss with its fixed Gaussian window.
pub struct ReconLoss {
    window: Tensor<4>,
    /// Weight λ of `1 − MS-SSIM`.
    pub ms_ssim_weight: f32,
    /// Weight μ of the mean squared error (0 by default; the decoder fine-tune for PSNR raises it).
    pub mse_weight: f32,
}

fn down2(x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h / 2, 2, w / 2, 2])
        .mean_dim(5)
        .mean_dim(3)
        .reshape([b, c, h / 2, w / 2])
}

impl ReconLoss {
    /// The loss on `device`.
    pub fn new(ms_ssim_weight: f32, device: &Device) -> Self {
        let g: Vec<f32> = (0..11)
            .map(|i| (-((i as f32 - 5.0).powi(2)) / (2.0 * 1.5 * 1.5)).exp())
            .collect();
        let s: f32 = g.iter().sum();
        let mut k = Vec::with_capacity(3 * 121);
        for _ in 0..3 {
            for a in &g {
                for b in &g {
                    k.push(a * b / (s * s));
                }
            }
        }
        ReconLoss {
            window: Tensor::<4>::from_data(TensorData::new(k, [3, 1, 11, 11]), device),
            ms_ssim_weight,
            mse_weight: 0.0,
        }
    }

    /// The same loss with `μ · MSE` added.
    pub fn with_mse(mut self, mse_weight: f32) -> Self {
        self.mse_weight = mse_weight;
        self
    }

    fn blur(&self, x: Tensor<4>) -> Tensor<4> {
        conv2d(
            x,
            self.window.clone(),
            None,
            ConvOptions::new([1, 1], [0, 0], [1, 1], 3),
        )
    }

    /// Per-image (SSIM, contrast-structure) means of `[b, 3, h, w]` images in [0, 1].
    fn ssim_cs(&self, x: Tensor<4>, y: Tensor<4>) -> (Tensor<1>, Tensor<1>) {
        let b = x.dims()[0];
        let mx = self.blur(x.clone());
        let my = self.blur(y.clone());
        let sxx = self.blur(x.clone() * x.clone()) - mx.clone() * mx.clone();
        let syy = self.blur(y.clone() * y.clone()) - my.clone() * my.clone();
        let sxy = self.blur(x * y) - mx.clone() * my.clone();
        let cs = (sxy.mul_scalar(2.0).add_scalar(C2)) / (sxx + syy).add_scalar(C2);
        let l = (mx.clone() * my.clone()).mul_scalar(2.0).add_scalar(C1)
            / (mx.clone() * mx + my.clone() * my).add_scalar(C1);
        let ssim = (l * cs.clone()).reshape([b as i32, -1]).mean_dim(1).reshape([b]);
        let cs = cs.reshape([b as i32, -1]).mean_dim(1).reshape([b]);
        (ssim, cs)
    }

    /// Mean MS-SSIM of images in [−1, 1].
    pub fn ms_ssim(&self, x: Tensor<4>, y: Tensor<4>) -> Tensor<1> {
        let total: f32 = WEIGHTS.iter().sum();
        let mut x = x.add_scalar(1.0).mul_scalar(0.5);
        let mut y = y.add_scalar(1.0).mul_scalar(0.5);
        let mut log = None::<Tensor<1>>;
        for (i, w) in WEIGHTS.iter().enumerate() {
            let (ssim, cs) = self.ssim_cs(x.clone(), y.clone());
            let term = if i + 1 == WEIGHTS.len() { ssim } else { cs };
            let t = term.clamp_min(1e-4).log().mul_scalar(w / total);
            log = Some(match log {
                Some(l) => l + t,
                None => t,
            });
            if i + 1 < WEIGHTS.len() {
                x = down2(x);
                y = down2(y);
            }
        }
        log.map(|l| l.exp().mean())
            .unwrap_or_else(|| Tensor::<1>::ones([1], &self.window.device()))
    }

    /// `(loss, l1, ms_ssim)` of a reconstruction `y` of `x` (both `[b, 3, h, w]` in [−1, 1]).
    pub fn forward(&self, x: Tensor<4>, y: Tensor<4>) -> (Tensor<1>, Tensor<1>, Tensor<1>) {
        let diff = x.clone() - y.clone();
        let l1 = diff.clone().abs().mean();
        let ms = self.ms_ssim(x, y);
        let mut loss = l1.clone() + ms.clone().neg().add_scalar(1.0).mul_scalar(self.ms_ssim_weight);
        if self.mse_weight != 0.0 {
            loss = loss + diff.powi_scalar(2).mean().mul_scalar(self.mse_weight);
        }
        (loss, l1, ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;

    #[test]
    fn ms_ssim_is_one_for_equal_images_and_drops_with_noise() {
        let device = Device::flex();
        let loss = ReconLoss::new(0.5, &device);
        let x = Tensor::<4>::random([2, 3, 64, 64], Distribution::Uniform(-1.0, 1.0), &device);
        let same: f32 = loss.ms_ssim(x.clone(), x.clone()).into_scalar();
        assert!((same - 1.0).abs() < 1e-4, "{same}");
        let noisy = x.clone() + Tensor::<4>::random([2, 3, 64, 64], Distribution::Normal(0.0, 0.3), &device);
        let (l, l1, ms) = loss.forward(x.clone(), noisy);
        let (l, l1, ms): (f32, f32, f32) = (l.into_scalar(), l1.into_scalar(), ms.into_scalar());
        assert!(ms < 0.9 && ms > 0.0, "{ms}");
        assert!((l - (l1 + 0.5 * (1.0 - ms))).abs() < 1e-4);
        let with_mse = ReconLoss::new(0.5, &device).with_mse(2.0);
        let y = x.clone().add_scalar(0.1);
        let (l, l1, ms) = with_mse.forward(x, y);
        let (l, l1, ms): (f32, f32, f32) = (l.into_scalar(), l1.into_scalar(), ms.into_scalar());
        assert!((l - (l1 + 0.5 * (1.0 - ms) + 2.0 * 0.01)).abs() < 1e-4, "{l}");
    }
}

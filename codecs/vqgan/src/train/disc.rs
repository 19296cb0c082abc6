//! The adversarial phase (spec B1.1 / §6.4): taming's 3-layer PatchGAN (`NLayerDiscriminator`, conv 4×4: three
//! stride-2 layers, two stride-1 layers; GroupNorm in place of BatchNorm, LeakyReLU 0.2) with the hinge loss, on
//! only late in training, and taming's adaptive weight `λ = ‖∇ rec‖ / (‖∇ gan‖ + 1e-4)`, clamped to [0, 10⁴], times
//! `disc_weight` (≤ 0.1 per §6.4).
//!
//! Deviation: the two gradient norms are taken at the decoder output rather than at the weights of its last
//! layer (the output is one pixel shuffle after that layer). Both gradients come from small graphs rooted at a
//! detached copy of the output; the generator then back-propagates `∇ rec + λ·∇ gan` through the decoder with one
//! backward pass (a surrogate `Σ y · sg(g)`), so no graph is differentiated twice.

use crate::VqganError;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{GroupNorm, PaddingConfig2d};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::activation::{leaky_relu, relu};
use burn::tensor::{Device, Tensor};
use cinder_nn::train_io::{load_module, save_module};
use std::path::Path;

/// The discriminator's checkpoint files.
const FILES: (&str, &str) = ("disc.bpk", "disc_optim.bpk");

/// The PatchGAN discriminator.
#[derive(Module, Debug)]
pub struct PatchDisc {
    convs: Vec<Conv2d>,
    norms: Vec<GroupNorm>,
}

impl PatchDisc {
    /// A discriminator with `ndf` filters in its first layer.
    pub fn new(ndf: usize, device: &Device) -> Self {
        let conv = |i: usize, o: usize, stride: usize| {
            Conv2dConfig::new([i, o], [4, 4])
                .with_stride([stride, stride])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        let c = [ndf, ndf * 2, ndf * 4, ndf * 8];
        PatchDisc {
            convs: vec![
                conv(3, c[0], 2),
                conv(c[0], c[1], 2),
                conv(c[1], c[2], 2),
                conv(c[2], c[3], 1),
                conv(c[3], 1, 1),
            ],
            norms: c[1..]
                .iter()
                .map(|&ch| cinder_nn::group_norm_with(ch, crate::net::groups(ch), device))
                .collect(),
        }
    }

    /// Patch logits of images in [−1, 1].
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let mut h = leaky_relu(self.convs[0].forward(x), 0.2);
        for (conv, norm) in self.convs[1..4].iter().zip(&self.norms) {
            h = leaky_relu(norm.forward(conv.forward(h)), 0.2);
        }
        self.convs[4].forward(h)
    }
}

/// The discriminator, its optimiser and the weights of the adversarial term.
pub struct Adversary {
    disc: PatchDisc,
    optim: ModuleOptimizer,
    /// `disc_weight` of the adaptive weight.
    pub weight: f64,
}

/// What one adversarial step measured.
pub struct GanStep {
    /// The gradient to back-propagate from the decoder output: `∇ rec + λ·∇ gan`.
    pub output_grad: Tensor<4>,
    /// Hinge loss of the discriminator.
    pub d_loss: f64,
    /// Generator loss `−mean D(y)`.
    pub g_loss: f64,
    /// The adaptive weight λ (including `disc_weight`).
    pub lambda: f64,
}

fn norm(t: Tensor<4>) -> f64 {
    f64::from(t.powi_scalar(2).sum().into_scalar::<f32>()).sqrt()
}

impl Adversary {
    /// A fresh discriminator (`ndf` filters) with adversarial weight `weight`.
    pub fn new(ndf: usize, weight: f64, device: &Device) -> Self {
        Adversary {
            disc: PatchDisc::new(ndf, device),
            optim: AdamConfig::new().with_beta_1(0.5).with_beta_2(0.9).init(),
            weight,
        }
    }

    /// One step: `rec_grad` is the gradient of the reconstruction loss at the decoder output `y` (detached);
    /// trains the discriminator on `x` against `y` and returns the combined output gradient.
    pub fn step(
        &mut self,
        x: Tensor<4>,
        y: Tensor<4>,
        rec_grad: Tensor<4>,
        lr: f64,
    ) -> Result<GanStep, VqganError> {
        let leaf = y.clone().detach().require_grad();
        let g = self.disc.forward(leaf.clone()).mean().neg();
        let g_loss = f64::from(g.clone().into_scalar::<f32>());
        let gan_grad = leaf
            .grad(&g.backward())
            .ok_or_else(|| VqganError::Network("no gradient of the generator loss".into()))?;
        let lambda = (norm(rec_grad.clone()) / (norm(gan_grad.clone()) + 1e-4)).clamp(0.0, 1e4) * self.weight;
        let d_real = relu(self.disc.forward(x).neg().add_scalar(1.0)).mean();
        let d_fake = relu(self.disc.forward(y.detach()).add_scalar(1.0)).mean();
        let d = (d_real + d_fake).mul_scalar(0.5);
        let d_loss = f64::from(d.clone().into_scalar::<f32>());
        let grads = GradientsParams::from_grads(d.backward(), &self.disc);
        self.disc = self.optim.step(lr, self.disc.clone(), grads);
        Ok(GanStep {
            output_grad: rec_grad + gan_grad.mul_scalar(lambda),
            d_loss,
            g_loss,
            lambda,
        })
    }

    /// Writes the discriminator and its optimiser next to the generator's checkpoint.
    pub fn checkpoint(&self, dir: &Path) -> Result<(), VqganError> {
        save_module(dir, FILES, self.disc.clone(), &self.optim).map_err(VqganError::Network)
    }

    /// Restores what [`Adversary::checkpoint`] wrote, if present (a run that switches the GAN on at resume
    /// starts from a fresh discriminator).
    pub fn resume(&mut self, dir: &Path) -> Result<(), VqganError> {
        let fresh = AdamConfig::new().with_beta_1(0.5).with_beta_2(0.9).init();
        if let Some((disc, optim)) =
            load_module(dir, FILES, self.disc.clone(), fresh).map_err(VqganError::BadWeights)?
        {
            (self.disc, self.optim) = (disc, optim);
        }
        Ok(())
    }
}

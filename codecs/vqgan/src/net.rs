//! The VQGAN networks (spec B1.1, scaled per §6.4 and [`crate::config`]): encoder
//! `unshuffle 2 → conv → [Res → stride-2 conv] ×3 → Res → mid (Res, windowed attention, Res) → GN/SiLU/conv`,
//! `quant_conv` (1×1) to the code dimension; `post_quant_conv` (1×1) back, then the mirrored decoder with
//! nearest-neighbour ×2 upsampling + conv and a final pixel shuffle. Inputs and outputs are RGB in [−1, 1].
//!
//! The mid-block attention runs over non-overlapping windows of `window × window` indices (a training crop of
//! 128² is one window), so memory stays linear in the image size at decode.

use crate::config::VqganConfig;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{GroupNorm, PaddingConfig2d};
use burn::tensor::activation::silu;
use burn::tensor::{Device, Tensor};
use cinder_nn::{conv_same, group_norm_with, ResBlock2d, SelfAttention2d};

/// `[b, c, h, w]` → `[b, 4c, h/2, w/2]` (h, w even).
pub fn unshuffle2(x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h / 2, 2, w / 2, 2])
        .permute([0, 1, 3, 5, 2, 4])
        .reshape([b, c * 4, h / 2, w / 2])
}

/// The inverse of [`unshuffle2`].
pub fn shuffle2(x: Tensor<4>) -> Tensor<4> {
    let [b, c4, h, w] = x.dims();
    let c = c4 / 4;
    x.reshape([b, c, 2, 2, h, w])
        .permute([0, 1, 4, 2, 5, 3])
        .reshape([b, c, h * 2, w * 2])
}

/// Nearest-neighbour ×2 upsampling.
pub fn upsample2(x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h, 1, w, 1])
        .expand([b, c, h, 2, w, 2])
        .reshape([b, c, h * 2, w * 2])
}

/// GroupNorm groups of a `channels`-wide layer: 8 channels a group (taming has 4 at width 128; with the 32 groups
/// of the wide reference models a 32-channel layer would be instance-normalised, losing every channel's mean
/// over the image — colour and brightness — right before the output).
pub fn groups(channels: usize) -> usize {
    (channels / 8).max(1)
}

fn res(channels: usize, device: &Device) -> ResBlock2d {
    ResBlock2d::with_groups(channels, groups(channels), device)
}

fn down(input: usize, output: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([input, output], [3, 3])
        .with_stride([2, 2])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(device)
}

/// Self-attention over `window × window` tiles (zero-padded at the right and bottom edges).
pub fn windowed_attention(att: &SelfAttention2d, x: Tensor<4>, window: usize) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    if h <= window && w <= window {
        return att.forward(x);
    }
    let (nh, nw) = (h.div_ceil(window), w.div_ceil(window));
    let (ph, pw) = (nh * window, nw * window);
    let padded = if (ph, pw) == (h, w) {
        x
    } else {
        x.pad((0, pw - w, 0, ph - h), burn::tensor::ops::PadMode::Constant(0.0))
    };
    let tiles = padded
        .reshape([b, c, nh, window, nw, window])
        .permute([0, 2, 4, 1, 3, 5])
        .reshape([b * nh * nw, c, window, window]);
    let out = att
        .forward(tiles)
        .reshape([b, nh, nw, c, window, window])
        .permute([0, 3, 1, 4, 2, 5])
        .reshape([b, c, ph, pw]);
    if (ph, pw) == (h, w) {
        out
    } else {
        out.slice([0..b, 0..c, 0..h, 0..w])
    }
}

/// The mid-block: ResBlock, windowed attention, ResBlock.
#[derive(Module, Debug)]
pub struct Mid {
    res1: ResBlock2d,
    att: SelfAttention2d,
    res2: ResBlock2d,
}

impl Mid {
    fn new(channels: usize, device: &Device) -> Self {
        Mid {
            res1: res(channels, device),
            att: SelfAttention2d::with_groups(channels, groups(channels), device),
            res2: res(channels, device),
        }
    }
    fn forward(&self, x: Tensor<4>, window: usize) -> Tensor<4> {
        self.res2
            .forward(windowed_attention(&self.att, self.res1.forward(x), window))
    }
}

/// Image `[b, 3, H, W]` (H, W multiples of 16) → `[b, z, H/16, W/16]`.
#[derive(Module, Debug)]
pub struct Encoder {
    conv_in: Conv2d,
    res: Vec<ResBlock2d>,
    down: Vec<Conv2d>,
    mid: Mid,
    norm_out: GroupNorm,
    conv_out: Conv2d,
    window: usize,
}

impl Encoder {
    /// A freshly initialised encoder.
    pub fn new(cfg: &VqganConfig, device: &Device) -> Self {
        let w = cfg.widths;
        Encoder {
            conv_in: conv_same(12, w[0], 3, device),
            res: (0..3).map(|i| res(w[i], device)).collect(),
            down: (0..3).map(|i| down(w[i], w[i + 1], device)).collect(),
            mid: Mid::new(w[3], device),
            norm_out: group_norm_with(w[3], groups(w[3]), device),
            conv_out: conv_same(w[3], cfg.z_channels, 3, device),
            window: cfg.window,
        }
    }

    /// Applies the encoder.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let mut h = self.conv_in.forward(unshuffle2(x));
        for (res, down) in self.res.iter().zip(&self.down) {
            h = down.forward(res.forward(h));
        }
        let h = self.mid.forward(h, self.window);
        self.conv_out.forward(silu(self.norm_out.forward(h)))
    }
}

/// `[b, z, h, w]` → image `[b, 3, 16h, 16w]` in about [−1, 1].
#[derive(Module, Debug)]
pub struct Decoder {
    conv_in: Conv2d,
    mid: Mid,
    /// Per stage (1/16, 1/8, 1/4, 1/2): ResBlocks.
    res: Vec<Vec<ResBlock2d>>,
    /// Convolutions after each ×2 upsampling (1/16 → 1/8, 1/8 → 1/4, 1/4 → 1/2).
    up: Vec<Conv2d>,
    norm_out: GroupNorm,
    conv_out: Conv2d,
    window: usize,
}

impl Decoder {
    /// A freshly initialised decoder.
    pub fn new(cfg: &VqganConfig, device: &Device) -> Self {
        let w = cfg.widths;
        Decoder {
            conv_in: conv_same(cfg.z_channels, w[3], 3, device),
            mid: Mid::new(w[3], device),
            res: (0..4)
                .map(|s| (0..cfg.dec_blocks).map(|_| res(w[3 - s], device)).collect())
                .collect(),
            up: (0..3).map(|s| conv_same(w[3 - s], w[2 - s], 3, device)).collect(),
            norm_out: group_norm_with(w[0], groups(w[0]), device),
            conv_out: conv_same(w[0], 12, 3, device),
            window: cfg.window,
        }
    }

    /// The same decoder (of shape `cfg`) with `blocks` ResBlocks a stage: the added blocks start as the identity
    /// ([`ResBlock2d::identity`]), so the output is unchanged until they are trained (capacity for a fine-tune).
    pub fn deepen(mut self, cfg: &VqganConfig, blocks: usize, device: &Device) -> Self {
        for (s, stage) in self.res.iter_mut().enumerate() {
            let width = cfg.widths[3 - s];
            while stage.len() < blocks {
                stage.push(ResBlock2d::identity(width, groups(width), device));
            }
        }
        self
    }

    /// Applies the decoder.
    pub fn forward(&self, z: Tensor<4>) -> Tensor<4> {
        let mut h = self.mid.forward(self.conv_in.forward(z), self.window);
        for (s, blocks) in self.res.iter().enumerate() {
            for block in blocks {
                h = block.forward(h);
            }
            if let Some(up) = self.up.get(s) {
                h = up.forward(upsample2(h));
            }
        }
        shuffle2(self.conv_out.forward(silu(self.norm_out.forward(h))))
    }
}

/// Everything trainable except the codebook.
#[derive(Module, Debug)]
pub struct VqganNet {
    /// Image → latent.
    pub encoder: Encoder,
    /// 1×1: latent → code space.
    pub quant_conv: Conv2d,
    /// 1×1: code space → decoder input.
    pub post_quant_conv: Conv2d,
    /// Latent → image.
    pub decoder: Decoder,
}

impl VqganNet {
    /// A freshly initialised network.
    pub fn new(cfg: &VqganConfig, device: &Device) -> Self {
        VqganNet {
            encoder: Encoder::new(cfg, device),
            quant_conv: conv_same(cfg.z_channels, cfg.code_dim, 1, device),
            post_quant_conv: conv_same(cfg.code_dim, cfg.z_channels, 1, device),
            decoder: Decoder::new(cfg, device),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Distribution, TensorData};

    #[test]
    fn a_deepened_decoder_starts_with_the_same_output() {
        let device = Device::flex();
        let cfg = VqganConfig {
            widths: [8, 8, 16, 16],
            z_channels: 4,
            ..VqganConfig::default()
        };
        let dec = Decoder::new(&cfg, &device);
        let z = Tensor::<4>::random([1, 4, 2, 3], Distribution::Normal(0.0, 1.0), &device);
        let a: Vec<f32> = dec.forward(z.clone()).into_data().try_into_vec_as().unwrap();
        let deeper = dec.deepen(&cfg, 2, &device);
        assert!(deeper.res.iter().all(|stage| stage.len() == 2));
        let b: Vec<f32> = deeper.forward(z).into_data().try_into_vec_as().unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn shapes_and_shuffles() {
        let device = Device::flex();
        let x = Tensor::<4>::random([1, 3, 8, 6], Distribution::Normal(0.0, 1.0), &device);
        let back = shuffle2(unshuffle2(x.clone()));
        let (a, b) = (x.into_data(), back.into_data());
        assert_eq!(a, b);
        let u = upsample2(Tensor::<4>::from_data(
            TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0], [1, 1, 2, 2]),
            &device,
        ));
        let v: Vec<f32> = u.into_data().try_into_vec_as::<f32>().unwrap();
        assert_eq!(&v[..8], &[1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0]);
        let cfg = VqganConfig {
            widths: [8, 8, 16, 16],
            z_channels: 8,
            code_dim: 4,
            window: 2,
            ..VqganConfig::default()
        };
        let net = VqganNet::new(&cfg, &device);
        let img = Tensor::<4>::random([2, 3, 48, 80], Distribution::Uniform(-1.0, 1.0), &device);
        let z = net.encoder.forward(img);
        assert_eq!(z.dims(), [2, 8, 3, 5]);
        let q = net.quant_conv.forward(z);
        assert_eq!(q.dims(), [2, 4, 3, 5]);
        let y = net.decoder.forward(net.post_quant_conv.forward(q));
        assert_eq!(y.dims(), [2, 3, 48, 80]);
    }

    #[test]
    fn windowed_attention_equals_per_window_attention() {
        let device = Device::flex();
        let att = SelfAttention2d::new(8, &device);
        let x = Tensor::<4>::random([1, 8, 4, 6], Distribution::Normal(0.0, 1.0), &device);
        let all = windowed_attention(&att, x.clone(), 2);
        let tile = att.forward(x.slice([0..1, 0..8, 2..4, 4..6]));
        let a: Vec<f32> = all
            .slice([0..1, 0..8, 2..4, 4..6])
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap();
        let b: Vec<f32> = tile.into_data().try_into_vec_as::<f32>().unwrap();
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-5));
    }
}

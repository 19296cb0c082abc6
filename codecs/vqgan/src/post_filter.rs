//! Pixel-domain restoration filter for lost indices (decode-side; spec B1.5 asks for restoration of lost tokens,
//! the paper's transformer is not released). After the lost positions are filled ([`crate::restore`]) and the map
//! is decoded, a small CNN at 1/4 resolution (two pixel unshuffles, [`crate::net::unshuffle2`]) sees the decoded
//! image, the lost-block mask and the *region* mask — the lost 16×16 blocks and their eight neighbours, which the
//! decoder's receptive field also disturbs — and adds a residual inside the region only. Its output layer starts
//! at zero (an untrained filter is the fill), and a map with no losses is never touched, so a loss-free file
//! decodes exactly as without it.
//!
//! It is trained against the decode of the loss-free map ([`crate::train::post_filter`]), so it learns to undo the
//! loss, not to enhance the codec. Large images are filtered in bands of [`BAND`] index rows with [`MARGIN`] rows
//! of context on each side (more than the network's receptive field, so the bands join without seams), skipping
//! bands whose region is empty: memory stays bounded by the band.

use crate::config::FACTOR;
use crate::net::{shuffle2, unshuffle2};
use crate::VqganError;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, TensorData};

/// Index rows filtered at a time.
pub const BAND: usize = 16;
/// Index rows of context above and below a band (4 rows = 64 pixels; the receptive field of the largest
/// accepted network, 2 + 2·blocks convolutions of 3×3 at 1/4 resolution, must fit: checked by
/// [`PostFilterConfig::from_words`]).
pub const MARGIN: usize = 4;

/// Shape of the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostFilterConfig {
    /// Channels at 1/4 resolution.
    pub width: usize,
    /// Residual blocks (two 3×3 convolutions each).
    pub blocks: usize,
}

impl PostFilterConfig {
    /// The shipped shape: width 64, 6 blocks (receptive field 59 pixels each way).
    pub fn small() -> Self {
        PostFilterConfig { width: 64, blocks: 6 }
    }

    /// The config words of the weights file.
    pub fn to_words(&self) -> [u32; 2] {
        [self.width as u32, self.blocks as u32]
    }

    /// Parses config words (`None` when out of range or when the receptive field exceeds [`MARGIN`]).
    pub fn from_words(w: [u32; 2]) -> Option<Self> {
        let c = PostFilterConfig {
            width: w[0] as usize,
            blocks: w[1] as usize,
        };
        // Pixels: one cell of 1/4 resolution per 3×3 convolution, plus the 4-pixel cell itself.
        let reach = (2 + 2 * c.blocks) * 4 + 3;
        ((1..=256).contains(&c.width) && (1..=16).contains(&c.blocks) && reach <= MARGIN * FACTOR)
            .then_some(c)
    }
}

fn conv(input: usize, output: usize, zero: bool, device: &Device) -> Conv2d {
    let mut c = Conv2dConfig::new([input, output], [3, 3]).with_padding(PaddingConfig2d::Same);
    if zero {
        c = c.with_initializer(Initializer::Zeros);
    }
    c.init(device)
}

/// A residual block: `x + conv(relu(conv(x)))`.
#[derive(Module, Debug)]
pub struct FilterBlock {
    a: Conv2d,
    b: Conv2d,
}

/// The network.
#[derive(Module, Debug)]
pub struct PostFilter {
    conv_in: Conv2d,
    blocks: Vec<FilterBlock>,
    conv_out: Conv2d,
}

impl PostFilter {
    /// A freshly initialised filter (output layer zero: the identity).
    pub fn new(cfg: &PostFilterConfig, device: &Device) -> Self {
        let w = cfg.width;
        PostFilter {
            conv_in: conv(48 + 2, w, false, device),
            blocks: (0..cfg.blocks)
                .map(|_| FilterBlock {
                    a: conv(w, w, false, device),
                    b: conv(w, w, false, device),
                })
                .collect(),
            conv_out: conv(w, 48, true, device),
        }
    }

    /// `decoded [b, 3, H, W]` (H, W multiples of 16), `cells [b, 2, H/4, W/4]` (lost, region),
    /// `region [b, 1, H, W]` → the restored image.
    pub fn forward(&self, decoded: Tensor<4>, cells: Tensor<4>, region: Tensor<4>) -> Tensor<4> {
        let x = Tensor::cat(vec![unshuffle2(unshuffle2(decoded.clone())), cells], 1);
        let mut h = relu(self.conv_in.forward(x));
        for b in &self.blocks {
            h = h.clone() + b.b.forward(relu(b.a.forward(h)));
        }
        decoded + shuffle2(shuffle2(self.conv_out.forward(h))) * region
    }
}

/// Masks of rows `r0..r0 + bh` of an `h × w` lost-flag grid: `[2, 4bh, 4w]` cells (lost, region) and the
/// `[16bh, 16w]` pixel region.
pub fn masks(lost: &[bool], h: usize, w: usize, r0: usize, bh: usize) -> (Vec<f32>, Vec<f32>) {
    let region = |r: usize, c: usize| {
        (r.saturating_sub(1)..(r + 2).min(h))
            .any(|rr| (c.saturating_sub(1)..(c + 2).min(w)).any(|cc| lost[rr * w + cc]))
    };
    let (cw, pw) = (w * 4, w * FACTOR);
    let mut cells = vec![0.0f32; 2 * bh * 4 * cw];
    let mut px = vec![0.0f32; bh * FACTOR * pw];
    for r in 0..bh {
        for c in 0..w {
            let l = f32::from(u8::from(lost[(r0 + r) * w + c]));
            let g = f32::from(u8::from(region(r0 + r, c)));
            for y in 0..4 {
                let at = (r * 4 + y) * cw + c * 4;
                cells[at..at + 4].fill(l);
                cells[bh * 4 * cw + at..bh * 4 * cw + at + 4].fill(g);
            }
            for y in 0..FACTOR {
                let at = (r * FACTOR + y) * pw + c * FACTOR;
                px[at..at + FACTOR].fill(g);
            }
        }
    }
    (cells, px)
}

impl PostFilter {
    /// Filters decoded planes (`[3, 16h, 16w]` in [−1, 1], as from [`crate::VqganModel::decode_codes`]) of an
    /// `h × w` map in place; `lost[p]` marks the restored positions. Bands without losses are left as they are.
    pub fn apply(
        &self,
        planes: &mut [f32],
        lost: &[bool],
        h: usize,
        w: usize,
        device: &Device,
    ) -> Result<(), VqganError> {
        let (ph, pw) = (h * FACTOR, w * FACTOR);
        if planes.len() != 3 * ph * pw || lost.len() != h * w {
            return Err(VqganError::Unsupported(format!(
                "post filter: {} plane values and {} flags for a {h}×{w} map",
                planes.len(),
                lost.len()
            )));
        }
        // A band's input reaches MARGIN rows into the previous band's core, so each filtered core is written
        // back only after the next band has read its input (MARGIN < BAND: never further back).
        let mut pending: Option<(usize, usize, Vec<f32>)> = None;
        let write_back = |planes: &mut [f32], (b0, b1, core): (usize, usize, Vec<f32>)| {
            let n = (b1 - b0) * FACTOR * pw;
            for c in 0..3 {
                planes[(c * ph + b0 * FACTOR) * pw..(c * ph + b1 * FACTOR) * pw]
                    .copy_from_slice(&core[c * n..(c + 1) * n]);
            }
        };
        for b0 in (0..h).step_by(BAND) {
            let b1 = (b0 + BAND).min(h);
            // The region of rows b0..b1 depends on lost flags one row beyond.
            if !lost[b0.saturating_sub(1) * w..(b1 + 1).min(h) * w]
                .iter()
                .any(|&l| l)
            {
                continue;
            }
            let (e0, e1) = (b0.saturating_sub(MARGIN), (b1 + MARGIN).min(h));
            let bh = e1 - e0;
            let (cells, px) = masks(lost, h, w, e0, bh);
            let band = crate::tiling::crop_planes(planes, 3, ph, pw, (e0 * FACTOR, e1 * FACTOR), (0, pw));
            if let Some(p) = pending.take() {
                write_back(planes, p);
            }
            let t = |v: Vec<f32>, s: [usize; 4]| Tensor::<4>::from_data(TensorData::new(v, s), device);
            let y = self.forward(
                t(band, [1, 3, bh * FACTOR, pw]),
                t(cells, [1, 2, bh * 4, w * 4]),
                t(px, [1, 1, bh * FACTOR, pw]),
            );
            let y = crate::model::values(y)?;
            let (core0, core1) = ((b0 - e0) * FACTOR, (b1 - e0) * FACTOR);
            let core = crate::tiling::crop_planes(&y, 3, bh * FACTOR, pw, (core0, core1), (0, pw));
            pending = Some((b0, b1, core));
        }
        if let Some(p) = pending {
            write_back(planes, p);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device() -> Device {
        cinder_nn::inference_device(cinder_core::Device::Cpu).unwrap()
    }

    #[test]
    fn config_words_round_trip_and_the_receptive_field_must_fit_the_margin() {
        let c = PostFilterConfig::small();
        assert_eq!(PostFilterConfig::from_words(c.to_words()), Some(c));
        assert_eq!(PostFilterConfig::from_words([64, 7]), None);
        assert_eq!(PostFilterConfig::from_words([0, 2]), None);
    }

    #[test]
    fn untrained_filter_and_loss_free_maps_leave_the_image_alone() {
        let dev = device();
        let f = PostFilter::new(&PostFilterConfig { width: 8, blocks: 1 }, &dev);
        let (h, w) = (3, 2);
        let planes: Vec<f32> = (0..3 * h * w * 256)
            .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
            .collect();
        let mut lost = vec![false; h * w];
        let mut p = planes.clone();
        f.apply(&mut p, &lost, h, w, &dev).unwrap();
        assert_eq!(p, planes);
        lost[1] = true;
        f.apply(&mut p, &lost, h, w, &dev).unwrap();
        assert_eq!(p, planes, "zero output layer");
        assert!(f.apply(&mut p, &lost[..2], h, w, &dev).is_err());
    }

    #[test]
    fn bands_match_the_whole_image_and_only_the_region_changes() {
        let dev = device();
        // A random (non-zero) filter: reinitialise the output layer.
        let mut f = PostFilter::new(&PostFilterConfig { width: 8, blocks: 2 }, &dev);
        f.conv_out = conv(8, 48, false, &dev);
        let (h, w) = (40, 3);
        let planes: Vec<f32> = (0..3 * h * w * 256)
            .map(|i| ((i * 7919) % 255) as f32 / 127.0 - 1.0)
            .collect();
        let mut lost = vec![false; h * w];
        lost[5 * w + 1] = true;
        lost[20 * w] = true;
        lost[39 * w + 2] = true;
        let mut banded = planes.clone();
        f.apply(&mut banded, &lost, h, w, &dev).unwrap();
        // Whole image in one pass.
        let (cells, px) = masks(&lost, h, w, 0, h);
        let t = |v: Vec<f32>, s: [usize; 4]| Tensor::<4>::from_data(TensorData::new(v, s), &dev);
        let whole = crate::model::values(f.forward(
            t(planes.clone(), [1, 3, h * 16, w * 16]),
            t(cells, [1, 2, h * 4, w * 4]),
            t(px.clone(), [1, 1, h * 16, w * 16]),
        ))
        .unwrap();
        let worst = banded
            .iter()
            .zip(&whole)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-4, "bands differ from the whole image by {worst}");
        let n = h * w * 256;
        for (i, (a, b)) in banded.iter().zip(&planes).enumerate() {
            if px[i % n] == 0.0 {
                assert_eq!(a, b);
            }
        }
        assert!(banded.iter().zip(&planes).any(|(a, b)| a != b));
    }
}

//! The index-restoration transformer (spec B1.5 / B3: a small bidirectional masked-token model over a sliding
//! window): for a lost position, the `window × window` neighbourhood centred on it (clamped to the map; cells
//! outside the map are zero and flagged lost) goes in as code-space vectors — known entries, and the harmonic
//! fill ([`crate::restore`]) at lost cells — with a known/lost flag; a transformer encoder with learned 2-D
//! position embeddings outputs a correction for every cell, and the lost cell takes fill + correction. The output
//! layer starts at zero, so an untrained network is exactly the harmonic fill.
//!
//! It works on vectors, not indices, so one network serves every quality level (it is trained on full-codebook
//! maps, through the frozen decoder on pixels: [`crate::train::restorer`]); the result may be snapped to the
//! level's codebook. Decode-side only: it never changes a bitstream.

use burn::module::{Module, Param};
use burn::nn::transformer::{TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Distribution, Tensor};

/// Shape of the restoration network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestorerConfig {
    /// Code dimension (the VQGAN's).
    pub code_dim: usize,
    /// Transformer width.
    pub width: usize,
    /// Encoder layers.
    pub layers: usize,
    /// Attention heads.
    pub heads: usize,
    /// Window side in indices.
    pub window: usize,
}

impl RestorerConfig {
    /// The CPU-sized network of spec §6.4 (2 layers, width 128) for a code dimension.
    pub fn small(code_dim: usize) -> Self {
        RestorerConfig {
            code_dim,
            width: 128,
            layers: 2,
            heads: 4,
            window: 8,
        }
    }

    /// The config words of the weights file.
    pub fn to_words(&self) -> [u32; 5] {
        [self.code_dim, self.width, self.layers, self.heads, self.window].map(|v| v as u32)
    }

    /// Parses config words (`None` when out of range).
    pub fn from_words(w: [u32; 5]) -> Option<Self> {
        let c = RestorerConfig {
            code_dim: w[0] as usize,
            width: w[1] as usize,
            layers: w[2] as usize,
            heads: w[3] as usize,
            window: w[4] as usize,
        };
        let ok = (1..=256).contains(&c.code_dim)
            && (1..=1024).contains(&c.width)
            && (1..=16).contains(&c.layers)
            && (1..=16).contains(&c.heads)
            && c.width % c.heads == 0
            && (2..=32).contains(&c.window);
        ok.then_some(c)
    }
}

/// The network.
#[derive(Module, Debug)]
pub struct RestoreNet {
    input: Linear,
    position: Param<Tensor<2>>,
    encoder: TransformerEncoder,
    output: Linear,
}

impl RestoreNet {
    /// A freshly initialised network.
    pub fn new(cfg: &RestorerConfig, device: &Device) -> Self {
        let cells = cfg.window * cfg.window;
        RestoreNet {
            input: LinearConfig::new(cfg.code_dim + 1, cfg.width).init(device),
            position: Param::from_tensor(Tensor::<2>::random(
                [cells, cfg.width],
                Distribution::Normal(0.0, 0.02),
                device,
            )),
            encoder: TransformerEncoderConfig::new(cfg.width, cfg.width * 2, cfg.heads, cfg.layers)
                .with_dropout(0.0)
                .with_norm_first(true)
                .init(device),
            output: LinearConfig::new(cfg.width, cfg.code_dim)
                .with_initializer(burn::nn::Initializer::Zeros)
                .init(device),
        }
    }

    /// Corrections of every cell's vector: `codes [n, cells, d]` (known entries, the fill at lost cells, zero
    /// outside the map), `known [n, cells, 1]` (1 / 0).
    pub fn forward(&self, codes: Tensor<3>, known: Tensor<3>) -> Tensor<3> {
        let x = Tensor::cat(vec![codes, known], 2);
        let h = self.input.forward(x) + self.position.val().unsqueeze::<3>();
        self.output
            .forward(self.encoder.forward(TransformerEncoderInput::new(h)))
    }
}

/// The windows (cell indices into the map, `None` outside it) centred on `(r, c)`.
pub fn window_cells(h: usize, w: usize, r: usize, c: usize, window: usize) -> Vec<Option<usize>> {
    let start = |p: usize, n: usize| -> isize {
        if n >= window {
            (p as isize - (window / 2) as isize).clamp(0, (n - window) as isize)
        } else {
            0
        }
    };
    let (r0, c0) = (start(r, h), start(c, w));
    let mut out = Vec::with_capacity(window * window);
    for dr in 0..window as isize {
        for dc in 0..window as isize {
            let (rr, cc) = (r0 + dr, c0 + dc);
            out.push((rr < h as isize && cc < w as isize).then(|| rr as usize * w + cc as usize));
        }
    }
    out
}

/// Appends the transformer input of the lost position `p` of an `h × w` map: the `window²` cells' vectors from
/// `filled` (`h × w × d`; zero outside the map) to `inputs` and their known flags to `flags`. Returns the index of
/// `p`'s own cell in the window. Decoding and training ([`crate::train::restorer`]) both build windows here.
pub fn push_window(
    filled: &[f32],
    known: &[bool],
    (h, w, d): (usize, usize, usize),
    p: usize,
    window: usize,
    inputs: &mut Vec<f32>,
    flags: &mut Vec<f32>,
) -> usize {
    let mut centre = 0;
    for (k, cell) in window_cells(h, w, p / w, p % w, window).into_iter().enumerate() {
        match cell {
            Some(q) => {
                inputs.extend_from_slice(&filled[q * d..(q + 1) * d]);
                flags.push(if known.get(q).copied().unwrap_or(false) {
                    1.0
                } else {
                    0.0
                });
                if q == p {
                    centre = k;
                }
            }
            None => {
                inputs.extend(std::iter::repeat_n(0.0, d));
                flags.push(0.0);
            }
        }
    }
    centre
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_clamped_and_the_network_keeps_shapes() {
        let cells = window_cells(10, 3, 9, 1, 4);
        assert_eq!(cells.len(), 16);
        // Rows 6..10 (clamped), columns 0..4 of which column 3 is outside a 3-wide map.
        assert_eq!(cells[0], Some(6 * 3));
        assert_eq!(cells[3], None);
        assert!(cells.contains(&Some(9 * 3 + 1)));
        let cfg = RestorerConfig {
            window: 4,
            width: 16,
            heads: 2,
            ..RestorerConfig::small(3)
        };
        assert_eq!(RestorerConfig::from_words(cfg.to_words()), Some(cfg));
        let device = Device::flex();
        let net = RestoreNet::new(&cfg, &device);
        let codes = Tensor::<3>::random([5, 16, 3], Distribution::Normal(0.0, 1.0), &device);
        let known = Tensor::<3>::ones([5, 16, 1], &device);
        let out = net.forward(codes, known);
        assert_eq!(out.dims(), [5, 16, 3]);
        // An untrained network corrects nothing: restoration starts at the harmonic fill.
        assert_eq!(out.abs().max().into_scalar::<f32>(), 0.0);
    }
}

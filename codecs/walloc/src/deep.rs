//! The deep WaLLoC decoder (spec A1.5, scaled down as §6.3 recommends): a convolutional network at the latent
//! resolution (1/8) that maps the dequantised latents to the 192 WPT channels, added to the closed-form linear
//! (PCA-transpose) reconstruction — the "parallel linear skip decoder initialised to the PCA inverse" of §6.3, so
//! training starts at the linear baseline (the output convolution starts at zero) and learns the residual.
//!
//! Deviations from the reference, all for our compute and for exact tiling:
//! - width 64 instead of 768, residual blocks without GroupNorm and without the global self-attention block: the
//!   network is a pure convolution stack, so a tile with a margin of [`DeepConfig::receptive_radius`] latents
//!   decodes exactly like the whole image and memory is bounded by the tile size (the reference's global
//!   attention grows with the square of the area, spec A1.5);
//! - one decoder for every quality level: its input is the dequantised latents divided by each component's
//!   standard deviation (zero beyond the level's channel count) plus a one-hot of the quality level.
//!
//! Weights file (`"CWDD"`, little-endian): version u8 = 1, width u16, blocks u16, outputs u16, length u32 of the
//! embedded linear weights, the linear weights file itself (see [`crate::weights`]), then the network as burnpack
//! bytes. The file is self-contained: `--weights model.bin` needs nothing else.

use crate::companding::dequantise_table;
use crate::deep_audio::DeepNet1d;
use crate::pipeline::Projection;
use crate::weights::LinearWeights;
use crate::wpt::{synthesise_2d, Planes};
use crate::WallocError;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, PaddingConfig2d};
use burn::tensor::activation::silu;
use burn::tensor::{Device, Tensor, TensorData};

const MAGIC: &[u8; 4] = b"CWDD";
/// Quality levels the decoder is conditioned on (one-hot input channels).
pub const QUALITY_SLOTS: usize = 5;
/// Latent channels of the widest image quality level (input channels beyond a level's count are zero).
pub const MAX_LATENTS: usize = 48;
/// Latent channels of the widest audio quality level.
pub const MAX_AUDIO_LATENTS: usize = 108;
/// Audio network inputs are clipped to ± this many standard deviations of their component.
pub const AUDIO_INPUT_LIMIT: f32 = 8.0;
/// Input channels of the image network.
pub const INPUTS: usize = MAX_LATENTS + QUALITY_SLOTS;
/// Input channels of the audio network.
pub const AUDIO_INPUTS: usize = MAX_AUDIO_LATENTS + QUALITY_SLOTS;
/// Latent rows/columns decoded per tile (plus a margin of the receptive radius on each inner side).
pub const TILE: usize = 96;
/// Latent frames decoded per audio tile (≈ 24 s at 44.1 kHz), plus margins.
pub const AUDIO_TILE: usize = 4096;

/// Shape of the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeepConfig {
    /// Feature width (the reference's `Nd`).
    pub width: usize,
    /// Residual blocks (two 3×3 convolutions each).
    pub blocks: usize,
    /// Output channels: the WPT channels (192 for RGB at J = 3).
    pub outputs: usize,
}

impl DeepConfig {
    /// How far (in latents) an image output depends on its input: one latent per 3×3 convolution.
    pub fn receptive_radius(&self) -> usize {
        2 + 2 * self.blocks
    }

    /// True for the 1-D (stereo, 512 WPT channels) decoder.
    pub fn is_audio(&self) -> bool {
        self.outputs == 2 << crate::audio::AUDIO_LEVELS
    }

    /// Input channels of the network this config describes.
    pub fn inputs(&self) -> usize {
        if self.is_audio() {
            AUDIO_INPUTS
        } else {
            INPUTS
        }
    }
}

/// `x + conv(SiLU(conv(SiLU(x))))`, no normalisation (so tiles decode exactly like the whole image).
#[derive(Module, Debug)]
struct PlainResBlock {
    conv1: Conv2d,
    conv2: Conv2d,
}

impl PlainResBlock {
    fn new(width: usize, device: &Device) -> Self {
        PlainResBlock {
            conv1: cinder_nn::conv_same(width, width, 3, device),
            conv2: cinder_nn::conv_same(width, width, 3, device),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let h = self.conv2.forward(silu(self.conv1.forward(silu(x.clone()))));
        x + h
    }
}

/// The residual decoder network: `[batch, INPUTS, h, w]` → `[batch, outputs, h, w]` WPT corrections.
#[derive(Module, Debug)]
pub struct DeepNet {
    input: Conv2d,
    blocks: Vec<PlainResBlock>,
    output: Conv2d,
}

impl DeepNet {
    /// A freshly initialised network (output convolution zero: it starts as the linear decoder).
    pub fn new(config: DeepConfig, device: &Device) -> Self {
        DeepNet {
            input: cinder_nn::conv_same(INPUTS, config.width, 3, device),
            blocks: (0..config.blocks)
                .map(|_| PlainResBlock::new(config.width, device))
                .collect(),
            output: Conv2dConfig::new([config.width, config.outputs], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .with_initializer(Initializer::Zeros)
                .init(device),
        }
    }

    /// Applies the network.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let mut h = self.input.forward(x);
        for block in &self.blocks {
            h = block.forward(h);
        }
        self.output.forward(silu(h))
    }
}

/// The network's input for one latent map: `out[c * n + p]`, `c < max_latents + QUALITY_SLOTS`, `n` positions;
/// latent `c` of a level with `channels` components becomes its dequantised value over the component's standard
/// deviation; channel `max_latents + quality_slot` is one.
pub fn decoder_input(
    weights: &LinearWeights,
    proj: Projection,
    quality_slot: usize,
    latents: &[i8],
    (channels, max_latents): (usize, usize),
    n: usize,
) -> Vec<f32> {
    let table = dequantise_table();
    let gains = proj.gains(&weights.std);
    let k = channels.min(max_latents).min(gains.len());
    // Audio: the weakest of 108 stereo components quantise to tens of their std; clip so no input dominates.
    let limit = if max_latents == MAX_AUDIO_LATENTS {
        AUDIO_INPUT_LIMIT
    } else {
        f32::INFINITY
    };
    let mut out = vec![0.0f32; (max_latents + QUALITY_SLOTS) * n];
    for c in 0..k {
        let scale = 1.0 / (gains[c] * weights.std[c].max(1e-12));
        let src = &latents[c * n..(c + 1) * n];
        for (o, &l) in out[c * n..(c + 1) * n].iter_mut().zip(src) {
            *o = (table[(i32::from(l) + 127) as usize] * scale).clamp(-limit, limit);
        }
    }
    if quality_slot < QUALITY_SLOTS {
        out[(max_latents + quality_slot) * n..(max_latents + quality_slot + 1) * n].fill(1.0);
    }
    out
}

/// Energy in the pixel domain of a unit coefficient in each WPT channel (the synthesis basis norms²): weighting
/// a WPT-domain squared error by these approximates the pixel-domain error (exact for an orthogonal transform).
pub fn synthesis_energy(channels: usize, levels: u32) -> Vec<f32> {
    let side = 4;
    (0..channels)
        .map(|k| {
            let mut coeffs = Planes::zeros(channels, side, side);
            coeffs.data[k * side * side] = 1.0;
            synthesise_2d(&coeffs, levels).data.iter().map(|v| v * v).sum()
        })
        .collect()
}

/// A network output's values, row-major (shared by decoding and training validation).
pub(crate) fn tensor_values<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, String> {
    t.into_data()
        .try_into_vec_as::<f32>()
        .map_err(|e| format!("{e:?}"))
}

/// Either network.
#[derive(Debug)]
enum AnyNet {
    Image(DeepNet),
    Audio(DeepNet1d),
}

/// A loaded deep decoder on one device.
#[derive(Debug)]
pub struct DeepDecoder {
    net: AnyNet,
    config: DeepConfig,
    device: Device,
}

impl DeepDecoder {
    /// Builds the decoder (image or audio, from `config.outputs`) from burnpack bytes on `device`.
    pub fn load(config: DeepConfig, burnpack: &[u8], device: &Device) -> Result<DeepDecoder, WallocError> {
        let load = |e: String| WallocError::BadWeights(format!("deep decoder: {e}"));
        let net = if config.is_audio() {
            let fresh = DeepNet1d::new(AUDIO_INPUTS, config.width, config.blocks, config.outputs, device);
            AnyNet::Audio(cinder_nn::record::from_bytes(fresh, burnpack).map_err(load)?)
        } else {
            AnyNet::Image(
                cinder_nn::record::from_bytes(DeepNet::new(config, device), burnpack).map_err(load)?,
            )
        };
        Ok(DeepDecoder {
            net,
            config,
            device: device.clone(),
        })
    }

    /// Wraps an image network (e.g. one being trained).
    pub fn from_net(net: DeepNet, config: DeepConfig, device: &Device) -> DeepDecoder {
        DeepDecoder {
            net: AnyNet::Image(net),
            config,
            device: device.clone(),
        }
    }

    /// Wraps an audio network.
    pub fn from_net_1d(net: DeepNet1d, config: DeepConfig, device: &Device) -> DeepDecoder {
        DeepDecoder {
            net: AnyNet::Audio(net),
            config,
            device: device.clone(),
        }
    }

    /// WPT corrections `out[d * n + p]` for an audio input `input[c * n + p]` of `n` frames, in tiles of
    /// [`AUDIO_TILE`] frames with margins of the receptive radius (equal to a whole-clip pass).
    pub fn residual_1d(&self, input: &[f32], n: usize) -> Result<Vec<f32>, WallocError> {
        let AnyNet::Audio(net) = &self.net else {
            return Err(WallocError::Unsupported(
                "an image decoder was given audio".into(),
            ));
        };
        let (inputs, outputs) = (AUDIO_INPUTS, self.config.outputs);
        let radius = DeepNet1d::receptive_radius(self.config.blocks);
        let mut out = vec![0.0f32; outputs * n];
        for t0 in (0..n).step_by(AUDIO_TILE) {
            let t1 = (t0 + AUDIO_TILE).min(n);
            let (e0, e1) = (t0.saturating_sub(radius), (t1 + radius).min(n));
            let len = e1 - e0;
            let tile: Vec<f32> = (0..inputs)
                .flat_map(|c| input[c * n + e0..c * n + e1].iter().copied())
                .collect();
            let x = Tensor::<3>::from_data(TensorData::new(tile, [1, inputs, len]), &self.device);
            let y = tensor_values(net.forward(x))
                .map_err(|e| WallocError::Corrupt(format!("decoder output: {e}")))?;
            for d in 0..outputs {
                let src = d * len + t0 - e0;
                out[d * n + t0..d * n + t1].copy_from_slice(&y[src..src + t1 - t0]);
            }
        }
        Ok(out)
    }

    /// The network's shape.
    pub fn config(&self) -> DeepConfig {
        self.config
    }

    /// WPT corrections `out[d * n + p]` for an input map `input[c * n + p]` of `h × w` positions, decoded in
    /// tiles of [`TILE`] latents with a margin of the receptive radius, so memory stays bounded and the result
    /// equals a whole-map pass.
    pub fn residual(&self, input: &[f32], h: usize, w: usize) -> Result<Vec<f32>, WallocError> {
        let AnyNet::Image(net) = &self.net else {
            return Err(WallocError::Unsupported(
                "an audio decoder was given an image".into(),
            ));
        };
        let outputs = self.config.outputs;
        let radius = self.config.receptive_radius();
        let mut out = vec![0.0f32; outputs * h * w];
        for ty in (0..h).step_by(TILE) {
            for tx in (0..w).step_by(TILE) {
                let (y1, x1) = ((ty + TILE).min(h), (tx + TILE).min(w));
                let (ey0, ex0) = (ty.saturating_sub(radius), tx.saturating_sub(radius));
                let (ey1, ex1) = ((y1 + radius).min(h), (x1 + radius).min(w));
                let (eh, ew) = (ey1 - ey0, ex1 - ex0);
                let mut tile = Vec::with_capacity(INPUTS * eh * ew);
                for c in 0..INPUTS {
                    for y in ey0..ey1 {
                        let row = (c * h + y) * w;
                        tile.extend_from_slice(&input[row + ex0..row + ex1]);
                    }
                }
                let x = Tensor::<4>::from_data(TensorData::new(tile, [1, INPUTS, eh, ew]), &self.device);
                let y = tensor_values(net.forward(x))
                    .map_err(|e| WallocError::Corrupt(format!("decoder output: {e}")))?;
                for d in 0..outputs {
                    for yy in ty..y1 {
                        let src = (d * eh + yy - ey0) * ew + tx - ex0;
                        let dst = (d * h + yy) * w + tx;
                        out[dst..dst + x1 - tx].copy_from_slice(&y[src..src + x1 - tx]);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A parsed deep weights file: the linear model it extends, the network's shape and its burnpack bytes.
#[derive(Debug, Clone)]
pub struct DeepWeightsFile<'a> {
    /// The linear encoder/decoder the network corrects.
    pub linear: LinearWeights,
    /// The network's shape.
    pub config: DeepConfig,
    /// The network's parameters (burnpack).
    pub burnpack: &'a [u8],
    /// The embedded linear weights file (its digest marks files of the linear model).
    pub linear_bytes: &'a [u8],
}

/// True when `bytes` start like a deep weights file.
pub fn is_deep_weights(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

impl<'a> DeepWeightsFile<'a> {
    /// Parses the layout described in the module docs.
    pub fn parse(bytes: &'a [u8]) -> Result<DeepWeightsFile<'a>, WallocError> {
        let bad = |m: &str| WallocError::BadWeights(format!("deep decoder file: {m}"));
        if !is_deep_weights(bytes) || bytes.len() < 15 {
            return Err(bad("not a CWDD file"));
        }
        if bytes[4] != 1 {
            return Err(bad(&format!("version {} (this build reads 1)", bytes[4])));
        }
        let u16_at = |i: usize| usize::from(u16::from_le_bytes([bytes[i], bytes[i + 1]]));
        let config = DeepConfig {
            width: u16_at(5),
            blocks: u16_at(7),
            outputs: u16_at(9),
        };
        let linear_len = u32::from_le_bytes([bytes[11], bytes[12], bytes[13], bytes[14]]) as usize;
        let rest = &bytes[15..];
        if rest.len() < linear_len || config.width == 0 || config.blocks > 64 {
            return Err(bad("truncated or implausible"));
        }
        let linear = LinearWeights::from_bytes(&rest[..linear_len])?;
        let needed = if config.is_audio() {
            MAX_AUDIO_LATENTS
        } else {
            MAX_LATENTS
        };
        if linear.dim != config.outputs || linear.len() < needed {
            return Err(bad("network outputs do not match the linear model"));
        }
        Ok(DeepWeightsFile {
            linear,
            config,
            burnpack: &rest[linear_len..],
            linear_bytes: &rest[..linear_len],
        })
    }

    /// Serialises a network with the linear weights it extends.
    pub fn to_bytes(linear: &[u8], config: DeepConfig, burnpack: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.push(1);
        for v in [config.width, config.blocks, config.outputs] {
            out.extend_from_slice(&(v as u16).to_le_bytes());
        }
        out.extend_from_slice(&(linear.len() as u32).to_le_bytes());
        out.extend_from_slice(linear);
        out.extend_from_slice(burnpack);
        out
    }
}

/// The burnpack bytes of a network.
pub fn net_bytes<M: Module>(net: M) -> Result<Vec<u8>, WallocError> {
    cinder_nn::record::to_bytes(net).map_err(WallocError::BadWeights)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> DeepConfig {
        DeepConfig {
            width: 8,
            blocks: 1,
            outputs: 192,
        }
    }

    #[test]
    fn synthesis_energy_is_close_to_one_for_cdf97() {
        let e = synthesis_energy(192, 3);
        assert_eq!(e.len(), 192);
        for v in &e {
            assert!((0.3..3.0).contains(v), "{v}");
        }
    }

    #[test]
    fn tiled_residual_equals_a_whole_map_pass() {
        let device = Device::flex();
        device.seed(3);
        let mut net = DeepNet::new(tiny(), &device);
        // Give the zero-initialised output layer some weights so the test sees real outputs.
        net.output = cinder_nn::conv_same(8, 192, 3, &device);
        let dec = DeepDecoder::from_net(net, tiny(), &device);
        let (h, w) = (TILE + 7, 9);
        let input: Vec<f32> = (0..INPUTS * h * w)
            .map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0)
            .collect();
        let tiled = dec.residual(&input, h, w).unwrap();
        let AnyNet::Image(net) = &dec.net else {
            unreachable!()
        };
        let whole = net
            .forward(Tensor::<4>::from_data(
                TensorData::new(input.clone(), [1, INPUTS, h, w]),
                &device,
            ))
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap();
        let max = tiled
            .iter()
            .zip(&whole)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(max < 1e-4, "tiles differ from the whole map by {max}");
    }

    #[test]
    fn tiled_audio_residual_equals_a_whole_clip_pass() {
        let device = Device::flex();
        device.seed(5);
        let config = DeepConfig {
            width: 8,
            blocks: 2,
            outputs: 512,
        };
        let mut net = DeepNet1d::new(AUDIO_INPUTS, 8, 2, 512, &device);
        net.randomise_output(&device);
        let n = AUDIO_TILE + 50;
        let input: Vec<f32> = (0..AUDIO_INPUTS * n)
            .map(|i| ((i * 53 % 97) as f32 / 48.0) - 1.0)
            .collect();
        let whole = net
            .forward(Tensor::<3>::from_data(
                TensorData::new(input.clone(), [1, AUDIO_INPUTS, n]),
                &device,
            ))
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap();
        let dec = DeepDecoder::from_net_1d(net, config, &device);
        let tiled = dec.residual_1d(&input, n).unwrap();
        assert!(
            dec.residual(&input, 1, n).is_err(),
            "an audio decoder must refuse images"
        );
        let max = tiled
            .iter()
            .zip(&whole)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        let scale = whole.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(
            scale > 0.0 && max < 1e-4 * scale.max(1.0),
            "tiles differ by {max} (scale {scale})"
        );
    }
}

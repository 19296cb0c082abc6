//! The stereo task: random windows of the training clips (each clip peak-normalised as a whole, as the codec
//! does, spec A1.1), every audio quality level; the loss is the WPT-domain squared error weighted by each channel's
//! synthesis energy (≈ waveform MSE, the reference's loss); validation reports waveform SNR of fixed windows taken
//! from the last tenth of every training clip (never trained on), for the linear and the deep decoder.

use super::image::{linear_errors, report};
use super::{run, sample_seed, Task, TrainConfig, TrainReport};
use crate::audio::{prepare, AUDIO_CHANNELS};
use crate::deep::{decoder_input, DeepWeightsFile, AUDIO_INPUTS, MAX_AUDIO_LATENTS};
use crate::deep_audio::DeepNet1d;
use crate::pipeline::{project, reconstruct, Projection};
use crate::weights::LinearWeights;
use crate::wpt::{analyse_1d, synthesise_1d};
use crate::WallocError;
use burn::tensor::{Device, Tensor, TensorData};
use cinder_core::Audio;
use rayon::prelude::*;

/// A prepared clip split into its training part and its validation tail.
struct Clip {
    planar: Vec<f32>,
    padded: usize,
    train_end: usize,
    frames: usize,
}

struct Sample {
    input: Vec<f32>,
    residual: Vec<f32>,
    linear: Vec<f32>,
    wave: Vec<f32>,
}

fn window(clip: &Clip, start: usize, len: usize) -> Vec<f32> {
    (0..AUDIO_CHANNELS)
        .flat_map(|c| {
            clip.planar[c * clip.padded + start..c * clip.padded + start + len]
                .iter()
                .copied()
        })
        .collect()
}

fn make_sample(weights: &LinearWeights, proj: Projection, slot: usize, wave: Vec<f32>) -> Sample {
    let wpt = analyse_1d(&wave, AUDIO_CHANNELS, weights.levels);
    let n = (wave.len() / AUDIO_CHANNELS) >> weights.levels;
    let k = proj.channels.min(weights.len());
    let latents = project(weights, proj, &wpt, n);
    let linear = reconstruct(weights, proj, &latents, k, n);
    Sample {
        input: decoder_input(weights, proj, slot, &latents, (k, MAX_AUDIO_LATENTS), n),
        residual: wpt.iter().zip(&linear).map(|(a, b)| a - b).collect(),
        linear,
        wave,
    }
}

fn snr_db(wpt: &[f32], wave: &[f32], levels: u32) -> f64 {
    let rec = synthesise_1d(wpt, AUDIO_CHANNELS, levels);
    let (s, e) = wave.iter().zip(&rec).fold((0.0f64, 0.0f64), |(s, e), (x, y)| {
        (
            s + f64::from(*x).powi(2),
            e + f64::from(x - y.clamp(-1.0, 1.0)).powi(2),
        )
    });
    10.0 * (s.max(1e-12) / e.max(1e-12)).log10()
}

/// Pixel-domain energy of a unit coefficient in each 1-D WPT channel.
fn synthesis_energy_1d(dim: usize, levels: u32) -> Vec<f32> {
    let frames = 4;
    (0..dim)
        .map(|d| {
            let mut coeffs = vec![0.0f32; dim * frames];
            coeffs[d * frames] = 1.0;
            synthesise_1d(&coeffs, AUDIO_CHANNELS, levels)
                .iter()
                .map(|v| v * v)
                .sum()
        })
        .collect()
}

struct AudioTask<'a> {
    cfg: &'a TrainConfig,
    weights: LinearWeights,
    linear_bytes: &'a [u8],
    levels: &'static [(u8, Projection)],
    clips: Vec<Clip>,
    val: Vec<(usize, Sample)>,
    band_weights: Vec<f32>,
}

impl Task for AudioTask<'_> {
    type Net = DeepNet1d;

    fn init(&self, device: &Device) -> DeepNet1d {
        let n = self.cfg.net;
        DeepNet1d::new(AUDIO_INPUTS, n.width, n.blocks, n.outputs, device)
    }

    fn loss(&self, net: &DeepNet1d, step: u64, device: &Device) -> Tensor<1> {
        let cfg = self.cfg;
        let samples: Vec<Sample> = (0..cfg.batch as u64)
            .into_par_iter()
            .map(|i| {
                let r = sample_seed(cfg.seed, step, i);
                let clip = &self.clips[(r % self.clips.len() as u64) as usize];
                let r2 = super::mix(r);
                let start = (r2 % (clip.train_end - cfg.crop + 1) as u64) as usize;
                let slot = (super::mix(r2) % self.levels.len() as u64) as usize;
                make_sample(
                    &self.weights,
                    self.levels[slot].1,
                    slot,
                    window(clip, start, cfg.crop),
                )
            })
            .collect();
        let (b, n, dim) = (samples.len(), cfg.crop >> self.weights.levels, self.weights.dim);
        let stack = |pick: fn(&Sample) -> &Vec<f32>, c: usize| {
            let data: Vec<f32> = samples.iter().flat_map(|s| pick(s).iter().copied()).collect();
            Tensor::<3>::from_data(TensorData::new(data, [b, c, n]), device)
        };
        let x = stack(|s| &s.input, AUDIO_INPUTS);
        let target = stack(|s| &s.residual, dim);
        let band = Tensor::<3>::from_data(TensorData::new(self.band_weights.clone(), [1, dim, 1]), device);
        let diff = net.forward(x) - target;
        let per_sample = (diff.clone() * diff * band)
            .reshape([b, dim * n])
            .mean_dim(1)
            .reshape([b]);
        // −60 dB below full scale: silence must not blow the normalised loss up (it did without a floor).
        let linear = linear_errors(&samples, |s| &s.residual, &self.band_weights, n, 1e-6);
        (per_sample / Tensor::<1>::from_data(TensorData::new(linear, [b]), device)).mean()
    }

    fn validate(
        &self,
        net: &DeepNet1d,
        device: &Device,
        step: u64,
        log: &mut dyn FnMut(&str),
    ) -> Result<f64, WallocError> {
        let (n, dim) = (self.cfg.crop >> self.weights.levels, self.weights.dim);
        let mut sums = vec![(0.0f64, 0.0f64, 0usize); self.levels.len()];
        for chunk in self.val.chunks(8) {
            let data: Vec<f32> = chunk.iter().flat_map(|(_, s)| s.input.iter().copied()).collect();
            let x = Tensor::<3>::from_data(TensorData::new(data, [chunk.len(), AUDIO_INPUTS, n]), device);
            let out = crate::deep::tensor_values(net.forward(x))
                .map_err(|e| WallocError::Unsupported(format!("validation output: {e}")))?;
            let per = dim * n;
            for (j, (slot, s)) in chunk.iter().enumerate() {
                let deep: Vec<f32> = s
                    .linear
                    .iter()
                    .zip(&out[j * per..(j + 1) * per])
                    .map(|(a, b)| a + b)
                    .collect();
                let entry = &mut sums[*slot];
                entry.0 += snr_db(&s.linear, &s.wave, self.weights.levels);
                entry.1 += snr_db(&deep, &s.wave, self.weights.levels);
                entry.2 += 1;
            }
        }
        report(&self.cfg.out, self.levels, &sums, step, "snr_db", log)
    }

    fn weights_file(&self, net: DeepNet1d) -> Result<Vec<u8>, WallocError> {
        Ok(DeepWeightsFile::to_bytes(
            self.linear_bytes,
            self.cfg.net,
            &crate::deep::net_bytes(net)?,
        ))
    }
}

/// Trains the deep stereo decoder on `clips` (mono or stereo; the last tenth of each is validation) over the
/// linear stereo model `linear_bytes`; `cfg.crop` is the window in samples.
pub fn train_audio(
    clips: &[Audio],
    linear_bytes: &[u8],
    cfg: &TrainConfig,
    log: &mut dyn FnMut(&str),
) -> Result<TrainReport, WallocError> {
    let weights = LinearWeights::from_bytes(linear_bytes)?;
    let levels = crate::audio_codec::audio_levels();
    let unit = 1usize << weights.levels;
    if weights.axes != 1 || cfg.crop == 0 || cfg.crop % unit != 0 || cfg.net.outputs != weights.dim {
        return Err(WallocError::Unsupported(format!(
            "need a 1-D linear model, a window that is a positive multiple of {unit} samples, and {} outputs",
            weights.dim
        )));
    }
    let mut prepared = Vec::new();
    for clip in clips {
        let p = prepare(clip)?;
        let train_end = p.frames * 9 / 10;
        if train_end >= cfg.crop && p.frames - train_end >= cfg.crop {
            prepared.push(Clip {
                planar: p.planar,
                padded: p.padded,
                train_end,
                frames: p.frames,
            });
        }
    }
    if prepared.is_empty() {
        return Err(WallocError::NoData(format!(
            "need clips of at least {} samples",
            10 * cfg.crop
        )));
    }
    log(&format!(
        "deep WaLLoC stereo decoder: width {} blocks {}, {} clips (last tenth of each for validation), window {} batch {}",
        cfg.net.width,
        cfg.net.blocks,
        prepared.len(),
        cfg.crop,
        cfg.batch
    ));
    // Fixed validation windows: up to 4 evenly spaced windows from each clip's tail, every quality.
    let val: Vec<(usize, Sample)> = prepared
        .par_iter()
        .flat_map_iter(|clip| {
            let span = clip.frames - clip.train_end - cfg.crop;
            (0..4usize)
                .map(move |i| clip.train_end + span * i / 3)
                .flat_map(|start| {
                    (0..levels.len())
                        .map(|slot| {
                            (
                                slot,
                                make_sample(&weights, levels[slot].1, slot, window(clip, start, cfg.crop)),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let task = AudioTask {
        cfg,
        band_weights: synthesis_energy_1d(weights.dim, weights.levels),
        weights,
        linear_bytes,
        levels,
        clips: prepared,
        val,
    };
    run(&task, cfg, log)
}

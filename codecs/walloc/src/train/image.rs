//! The image task: random 256² crops (random horizontal flip) of the training photos, every image quality level;
//! the loss is the WPT-domain squared error weighted by each channel's synthesis energy, i.e. the pixel MSE up to
//! the small non-orthogonality of CDF 9/7 (the reference trains on pixel MSE); validation reports true pixel PSNR
//! of the centre crop of every `val_every`-th image, for the linear and the deep decoder.

use super::{append, run, sample_seed, Task, TrainConfig, TrainReport};
use crate::deep::{decoder_input, synthesis_energy, DeepNet, DeepWeightsFile, INPUTS, MAX_LATENTS};
use crate::pipeline::{project, reconstruct, to_planes, Projection};
use crate::weights::LinearWeights;
use crate::wpt::{analyse_2d, synthesise_2d};
use crate::WallocError;
use burn::tensor::{Device, Tensor, TensorData};
use cinder_core::Image;
use rayon::prelude::*;

/// One training or validation sample: network input, WPT target residual, and what pixel PSNR needs.
struct Sample {
    input: Vec<f32>,
    residual: Vec<f32>,
    linear: Vec<f32>,
    pixels: Vec<f32>,
}

/// Crops `side × side` at (x0, y0), optionally mirrored horizontally.
fn crop(image: &Image, x0: usize, y0: usize, side: usize, flip: bool) -> Image {
    let ch = usize::from(image.channels);
    let w = image.width as usize;
    let mut data = Vec::with_capacity(side * side * ch);
    for y in y0..y0 + side {
        for i in 0..side {
            let x = if flip { x0 + side - 1 - i } else { x0 + i };
            let at = (y * w + x) * ch;
            data.extend_from_slice(&image.data[at..at + ch]);
        }
    }
    Image {
        width: side as u32,
        height: side as u32,
        channels: image.channels,
        data,
    }
}

fn make_sample(weights: &LinearWeights, levels: &[(u8, Projection)], slot: usize, img: &Image) -> Sample {
    let planes = to_planes(img, 1 << weights.levels);
    let wpt = analyse_2d(&planes, weights.levels);
    let n = wpt.height * wpt.width;
    let proj = levels[slot].1;
    let k = proj.channels.min(weights.len());
    let latents = project(weights, proj, &wpt.data, n);
    let linear = reconstruct(weights, proj, &latents, k, n);
    let residual = wpt.data.iter().zip(&linear).map(|(a, b)| a - b).collect();
    Sample {
        input: decoder_input(weights, proj, slot, &latents, (k, MAX_LATENTS), n),
        residual,
        linear,
        pixels: planes.data,
    }
}

/// Pixel PSNR (peak 1, pixels in [−0.5, 0.5], clamped like the codec's output) of WPT coefficients `wpt`.
fn pixel_psnr(wpt: &[f32], pixels: &[f32], dim: usize, side: usize, levels: u32) -> f64 {
    let lat = side >> levels;
    let mut planes = crate::wpt::Planes::zeros(dim, lat, lat);
    planes.data.copy_from_slice(wpt);
    let rec = synthesise_2d(&planes, levels);
    let mse: f64 = rec
        .data
        .iter()
        .zip(pixels)
        .map(|(a, b)| f64::from(a.clamp(-0.5, 0.5) - b).powi(2))
        .sum::<f64>()
        / pixels.len() as f64;
    -10.0 * mse.max(1e-12).log10()
}

fn batch_tensor(
    samples: &[Sample],
    pick: fn(&Sample) -> &Vec<f32>,
    shape: [usize; 4],
    dev: &Device,
) -> Tensor<4> {
    let data: Vec<f32> = samples.iter().flat_map(|s| pick(s).iter().copied()).collect();
    Tensor::<4>::from_data(TensorData::new(data, shape), dev)
}

struct ImageTask<'a> {
    cfg: &'a TrainConfig,
    weights: LinearWeights,
    linear_bytes: &'a [u8],
    levels: &'static [(u8, Projection)],
    train: Vec<&'a Image>,
    val: Vec<(usize, Sample)>,
    band_weights: Vec<f32>,
}

impl ImageTask<'_> {
    fn latent_side(&self) -> usize {
        self.cfg.crop >> self.weights.levels
    }
}

impl Task for ImageTask<'_> {
    type Net = DeepNet;

    fn init(&self, device: &Device) -> DeepNet {
        DeepNet::new(self.cfg.net, device)
    }

    fn loss(&self, net: &DeepNet, step: u64, device: &Device) -> Tensor<1> {
        let cfg = self.cfg;
        let samples: Vec<Sample> = (0..cfg.batch as u64)
            .into_par_iter()
            .map(|i| {
                let r = sample_seed(cfg.seed, step, i);
                let im = self.train[(r % self.train.len() as u64) as usize];
                let (w, h) = (im.width as usize, im.height as usize);
                let r2 = super::mix(r);
                let x0 = (r2 % (w - cfg.crop + 1) as u64) as usize;
                let y0 = ((r2 >> 32) % (h - cfg.crop + 1) as u64) as usize;
                let r3 = super::mix(r2);
                let slot = (r3 % self.levels.len() as u64) as usize;
                let flip = r3 & (1 << 40) != 0;
                make_sample(
                    &self.weights,
                    self.levels,
                    slot,
                    &crop(im, x0, y0, cfg.crop, flip),
                )
            })
            .collect();
        let (b, lat, dim) = (samples.len(), self.latent_side(), self.weights.dim);
        let x = batch_tensor(&samples, |s| &s.input, [b, INPUTS, lat, lat], device);
        let target = batch_tensor(&samples, |s| &s.residual, [b, dim, lat, lat], device);
        let band = Tensor::<4>::from_data(TensorData::new(self.band_weights.clone(), [1, dim, 1, 1]), device);
        let diff = net.forward(x) - target;
        let per_sample = (diff.clone() * diff * band)
            .reshape([b, dim * lat * lat])
            .mean_dim(1)
            .reshape([b]);
        let linear = linear_errors(&samples, |s| &s.residual, &self.band_weights, lat * lat, 1e-10);
        (per_sample / Tensor::<1>::from_data(TensorData::new(linear, [b]), device)).mean()
    }

    fn validate(
        &self,
        net: &DeepNet,
        device: &Device,
        step: u64,
        log: &mut dyn FnMut(&str),
    ) -> Result<f64, WallocError> {
        let (lat, dim) = (self.latent_side(), self.weights.dim);
        let mut sums = vec![(0.0f64, 0.0f64, 0usize); self.levels.len()];
        for chunk in self.val.chunks(16) {
            let data: Vec<f32> = chunk.iter().flat_map(|(_, s)| s.input.iter().copied()).collect();
            let x = Tensor::<4>::from_data(TensorData::new(data, [chunk.len(), INPUTS, lat, lat]), device);
            let out = crate::deep::tensor_values(net.forward(x))
                .map_err(|e| WallocError::Unsupported(format!("validation output: {e}")))?;
            let per = dim * lat * lat;
            for (j, (slot, s)) in chunk.iter().enumerate() {
                let deep: Vec<f32> = s
                    .linear
                    .iter()
                    .zip(&out[j * per..(j + 1) * per])
                    .map(|(a, b)| a + b)
                    .collect();
                let entry = &mut sums[*slot];
                entry.0 += pixel_psnr(&s.linear, &s.pixels, dim, self.cfg.crop, self.weights.levels);
                entry.1 += pixel_psnr(&deep, &s.pixels, dim, self.cfg.crop, self.weights.levels);
                entry.2 += 1;
            }
        }
        report(&self.cfg.out, self.levels, &sums, step, "db", log)
    }

    fn weights_file(&self, net: DeepNet) -> Result<Vec<u8>, WallocError> {
        Ok(DeepWeightsFile::to_bytes(
            self.linear_bytes,
            self.cfg.net,
            &crate::deep::net_bytes(net)?,
        ))
    }
}

/// Each sample's weighted squared error of the linear decoder (the residual's energy), at least `floor`: the loss
/// divides by it, so every quality level counts by its relative (dB) improvement, not by its absolute error. The
/// floor keeps near-silent audio windows from dominating (an image crop never comes near it).
pub(crate) fn linear_errors<S>(
    samples: &[S],
    residual: fn(&S) -> &Vec<f32>,
    band: &[f32],
    per_band: usize,
    floor: f32,
) -> Vec<f32> {
    samples
        .iter()
        .map(|s| {
            let r = residual(s);
            let sum: f64 = band
                .iter()
                .enumerate()
                .map(|(d, w)| {
                    f64::from(*w)
                        * r[d * per_band..(d + 1) * per_band]
                            .iter()
                            .map(|v| f64::from(v * v))
                            .sum::<f64>()
                })
                .sum();
            ((sum / r.len() as f64) as f32).max(floor)
        })
        .collect()
}

/// Logs per-level means of (linear, deep) sums, appends them to `val.csv` and returns the mean gain.
pub(crate) fn report(
    out: &std::path::Path,
    levels: &[(u8, Projection)],
    sums: &[(f64, f64, usize)],
    step: u64,
    unit: &str,
    log: &mut dyn FnMut(&str),
) -> Result<f64, WallocError> {
    let mut gain = 0.0;
    let mut line = format!("{step}");
    for ((q, _), (lin, deep, n)) in levels.iter().zip(sums) {
        let (lin, deep) = (lin / (*n).max(1) as f64, deep / (*n).max(1) as f64);
        gain += (deep - lin) / sums.len() as f64;
        line.push_str(&format!(",{lin:.3},{deep:.3}"));
        log(&format!(
            "  validation q{q}: linear {lin:.2} {unit}, deep {deep:.2} {unit} ({:+.2})",
            deep - lin
        ));
    }
    let header = std::iter::once("step".to_string())
        .chain(
            levels
                .iter()
                .flat_map(|(q, _)| [format!("q{q}_linear_{unit}"), format!("q{q}_deep_{unit}")]),
        )
        .collect::<Vec<_>>()
        .join(",");
    append(&out.join("val.csv"), &header, &line)?;
    Ok(gain)
}

/// Trains the deep image decoder on `images` over the linear model `linear_bytes` (a `CWLL` file), reporting
/// progress lines through `log`. The quality table is the codec's.
pub fn train(
    images: &[Image],
    linear_bytes: &[u8],
    cfg: &TrainConfig,
    log: &mut dyn FnMut(&str),
) -> Result<TrainReport, WallocError> {
    let weights = LinearWeights::from_bytes(linear_bytes)?;
    let levels = crate::codec::image_levels();
    let step = 1usize << weights.levels;
    if weights.axes != 2 || cfg.crop == 0 || cfg.crop % step != 0 || cfg.net.outputs != weights.dim {
        return Err(WallocError::Unsupported(format!(
            "need a 2-D linear model, a crop that is a positive multiple of {step}, and {} outputs",
            weights.dim
        )));
    }
    let usable: Vec<(usize, &Image)> = images
        .iter()
        .enumerate()
        .filter(|(_, im)| im.width as usize >= cfg.crop && im.height as usize >= cfg.crop)
        .collect();
    let (val, train): (Vec<_>, Vec<_>) = usable
        .into_iter()
        .partition(|(i, _)| i % cfg.val_every.max(2) == 0);
    if train.is_empty() || val.is_empty() {
        return Err(WallocError::NoData(format!(
            "need images of at least {0}×{0} pixels for both training and validation",
            cfg.crop
        )));
    }
    log(&format!(
        "deep WaLLoC image decoder: width {} blocks {}, {} training / {} validation images, crop {} batch {}",
        cfg.net.width,
        cfg.net.blocks,
        train.len(),
        val.len(),
        cfg.crop,
        cfg.batch
    ));
    // Fixed validation crops: the centre of every held-out image at every quality.
    let val_samples: Vec<(usize, Sample)> = val
        .par_iter()
        .flat_map_iter(|(_, im)| {
            let (x0, y0) = (
                (im.width as usize - cfg.crop) / 2,
                (im.height as usize - cfg.crop) / 2,
            );
            let c = crop(im, x0, y0, cfg.crop, false);
            (0..levels.len())
                .map(|slot| (slot, make_sample(&weights, levels, slot, &c)))
                .collect::<Vec<_>>()
        })
        .collect();
    let task = ImageTask {
        cfg,
        band_weights: synthesis_energy(weights.dim, weights.levels),
        weights,
        linear_bytes,
        levels,
        train: train.into_iter().map(|(_, im)| im).collect(),
        val: val_samples,
    };
    run(&task, cfg, log)
}

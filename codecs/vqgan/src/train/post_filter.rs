//! Training the pixel-domain post filter ([`crate::post_filter`]) that follows the harmonic fill of lost indices.
//!
//! Samples: `crops_per_photo` seeded 256² crops of every training photo (never the held-out ones), each with its
//! own random loss (a fraction drawn from U(5 %, `max_lost`)), decoded twice through the finished model at the full
//! codebook — with the lost positions filled, and loss-free. A step takes `batch` random 128² windows (on the
//! 16-pixel grid) of random samples and minimises the MSE between the filtered fill and the loss-free decode over
//! the window's region (the lost blocks and their neighbours; the filter changes nothing elsewhere). The target
//! is the loss-free decode, not the photo, so the filter learns to undo the loss rather than to enhance the
//! codec. Adam, linear warm-up over 50 steps then cosine decay to 5 %.
//!
//! Every `eval_every` steps: the held-out photos, decoded whole-size with 20 % of their indices lost (the seeds of
//! `examples/restoration.rs`), PSNR of the fill and of the filtered fill, logged to `post_filter.csv`; a checkpoint
//! (`post_filter.bpk`, `post_filter_optim.bpk`, `post_filter_state.txt`) for `resume`; and `vqgan.bin`: the input
//! weights file with the filter added.

use super::data::{crop_planes, ImageData};
use super::{append, io_err, write_atomic, TrainConfig};
use crate::model::{module_bytes, planes_image, psnr, IndexMap, VqganModel};
use crate::post_filter::{masks, PostFilter, PostFilterConfig};
use crate::restore::{lost_mask, Restorer};
use crate::weights::VqganWeights;
use crate::{VqganError, FACTOR};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Tensor, TensorData};
use cinder_nn::train_io::{load_module, mix, sample_seed, save_module};
use std::path::PathBuf;
use std::time::Instant;

/// Settings of the post-filter training.
#[derive(Debug, Clone)]
pub struct PostFilterTrainConfig {
    /// The weights file to add the filter to (levels made; the transformer, if any, is kept).
    pub weights: PathBuf,
    /// Steps.
    pub steps: u64,
    /// 128² windows per step.
    pub batch: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// 256² crops (samples) per training photo.
    pub crops_per_photo: usize,
    /// Largest fraction of lost positions in a sample.
    pub max_lost: f64,
    /// Steps between held-out evaluations and checkpoints.
    pub eval_every: u64,
    /// Network shape.
    pub shape: PostFilterConfig,
}

impl Default for PostFilterTrainConfig {
    fn default() -> Self {
        PostFilterTrainConfig {
            weights: PathBuf::from("vqgan-train/vqgan.bin"),
            steps: 4000,
            batch: 8,
            lr: 3e-4,
            crops_per_photo: 3,
            max_lost: 0.35,
            eval_every: 500,
            shape: PostFilterConfig::small(),
        }
    }
}

const CROP: usize = 256;
const WINDOW: usize = 128;
const FILES: (&str, &str) = ("post_filter.bpk", "post_filter_optim.bpk");
const STATE: &str = "post_filter_state.txt";
const LOG_HEADER: &str = "step,lr,region_mse,seconds,heldout_fill_db,heldout_filter_db,heldout_no_loss_db";

/// A training sample: the decoded fill and the loss-free decode (`[3, 256, 256]`) and the lost flags (16 × 16).
struct Sample {
    fill: Vec<f32>,
    clean: Vec<f32>,
    lost: Vec<bool>,
}

/// Decodes `map` with the `known` positions filled, and loss-free.
fn decode_pair(
    model: &VqganModel,
    map: &IndexMap,
    known: &[bool],
) -> Result<(Vec<f32>, Vec<f32>), VqganError> {
    let level = model.level(model.config.codes)?;
    let all = vec![true; map.data.len()];
    Ok((
        model.decode_restored(level, map, known, Restorer::Smooth { snap: false })?,
        model.decode_restored(level, map, &all, Restorer::Mean)?,
    ))
}

/// Trains the filter and writes `cfg.out/vqgan.bin`; returns its path.
pub fn train_post_filter(
    cfg: &TrainConfig,
    pc: &PostFilterTrainConfig,
    log: &mut dyn FnMut(&str),
) -> Result<PathBuf, VqganError> {
    let started = Instant::now();
    let bytes =
        std::fs::read(&pc.weights).map_err(|e| VqganError::Data(format!("{}: {e}", pc.weights.display())))?;
    let weights = VqganWeights::from_bytes(&bytes)?;
    let model = VqganModel::load(&bytes, cfg.device)?;
    std::fs::create_dir_all(&cfg.out).map_err(io_err(&cfg.out))?;
    let data = ImageData::load(&cfg.data, CROP, cfg.val_every, log)?;
    let mut samples = Vec::with_capacity(data.train.len() * pc.crops_per_photo);
    for (i, img) in data.train.iter().enumerate() {
        for j in 0..pc.crops_per_photo as u64 {
            let r = mix(cfg.seed ^ 0x9F17 ^ ((i as u64) << 8) ^ j);
            let (w, h) = (img.width as usize, img.height as usize);
            let x0 = (r % (w - CROP + 1) as u64) as usize;
            let y0 = ((r >> 32) % (h - CROP + 1) as u64) as usize;
            let planes = crop_planes(img, x0, y0, CROP, CROP, false);
            let crop = planes_image(&planes, CROP, CROP, CROP as u32, CROP as u32, 3);
            let map = model.indices(&crop, model.config.codes)?;
            let rate =
                0.05 + (pc.max_lost - 0.05).max(0.0) * ((mix(r ^ 1) >> 11) as f64 / (1u64 << 53) as f64);
            let known = lost_mask(map.data.len(), rate, mix(r ^ 2));
            let (fill, clean) = decode_pair(&model, &map, &known)?;
            samples.push(Sample {
                fill,
                clean,
                lost: known.iter().map(|k| !k).collect(),
            });
        }
        if (i + 1) % 50 == 0 {
            log(&format!(
                "post filter: {} samples, {:.0} s",
                samples.len(),
                started.elapsed().as_secs_f64()
            ));
        }
    }
    if samples.is_empty() {
        return Err(VqganError::Data("no training samples for the post filter".into()));
    }
    let mut held = Vec::with_capacity(data.val.len());
    for (k, img) in data.val.iter().enumerate() {
        let map = model.indices(img, model.config.codes)?;
        let known = lost_mask(map.data.len(), 0.2, 7 + k as u64);
        let (fill, clean) = decode_pair(&model, &map, &known)?;
        held.push((img, map, known, fill, clean));
    }
    log(&format!(
        "post filter: {} samples, {} held-out photos in {:.0} s",
        samples.len(),
        held.len(),
        started.elapsed().as_secs_f64()
    ));
    let net_err = |e: cinder_nn::NnError| VqganError::Network(e.to_string());
    let device = cinder_nn::training_device(cfg.device).map_err(net_err)?;
    let eval_device = cinder_nn::inference_device(cfg.device).map_err(net_err)?;
    device.seed(cfg.seed);
    let mut net = PostFilter::new(&pc.shape, &device);
    let mut optim = AdamConfig::new().init();
    let mut step = 0u64;
    let state_path = cfg.out.join(STATE);
    if cfg.resume {
        if let Some((n, o)) =
            load_module(&cfg.out, FILES, net.clone(), optim.clone()).map_err(VqganError::Data)?
        {
            step = std::fs::read_to_string(&state_path)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            (net, optim) = (n, o);
            log(&format!("post filter: resumed at step {step}"));
        }
    }
    let evaluate = |net: &PostFilter| -> Result<[f64; 3], VqganError> {
        let net = net.valid().to_device(&eval_device);
        let mut sums = [0.0f64; 3];
        for (img, map, known, fill, clean) in &held {
            let lost: Vec<bool> = known.iter().map(|k| !k).collect();
            let mut filtered = fill.clone();
            net.apply(&mut filtered, &lost, map.height, map.width, &eval_device)?;
            let (ph, pw) = (map.height * FACTOR, map.width * FACTOR);
            let im = |p: &[f32]| planes_image(p, ph, pw, img.width, img.height, img.channels);
            sums[0] += psnr(img, &im(fill));
            sums[1] += psnr(img, &im(&filtered));
            sums[2] += psnr(img, &im(clean));
        }
        Ok(sums.map(|s| s / held.len().max(1) as f64))
    };
    let side = WINDOW / FACTOR;
    let grid = CROP / FACTOR;
    let mut running = (0.0f64, 0u32);
    while step < pc.steps {
        let (mut fill, mut clean, mut cells, mut region) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for b in 0..pc.batch as u64 {
            let r = sample_seed(cfg.seed ^ 0x5AFE, step, b);
            let s = &samples[(r % samples.len() as u64) as usize];
            let r0 = ((r >> 20) % (grid - side + 1) as u64) as usize;
            let c0 = ((r >> 40) % (grid - side + 1) as u64) as usize;
            let rows = (r0 * FACTOR, r0 * FACTOR + WINDOW);
            let cols = (c0 * FACTOR, c0 * FACTOR + WINDOW);
            fill.extend(crate::tiling::crop_planes(&s.fill, 3, CROP, CROP, rows, cols));
            clean.extend(crate::tiling::crop_planes(&s.clean, 3, CROP, CROP, rows, cols));
            // The window's own lost flags (its region ignores losses outside it, as at a map border).
            let lost: Vec<bool> = (0..side * side)
                .map(|p| s.lost[(r0 + p / side) * grid + c0 + p % side])
                .collect();
            let (c, px) = masks(&lost, side, side, 0, side);
            cells.extend(c);
            region.extend(px);
        }
        let t = |v: Vec<f32>, s: [usize; 4]| Tensor::<4>::from_data(TensorData::new(v, s), &device);
        let n = pc.batch;
        let region = t(region, [n, 1, WINDOW, WINDOW]);
        let out = net.forward(
            t(fill, [n, 3, WINDOW, WINDOW]),
            t(cells, [n, 2, WINDOW / 4, WINDOW / 4]),
            region.clone(),
        );
        let err = (out - t(clean, [n, 3, WINDOW, WINDOW])) * region.clone();
        let loss = err.powi_scalar(2).sum() / (region.sum() * 3.0 + 1.0);
        let value = f64::from(loss.clone().into_scalar::<f32>());
        if !value.is_finite() {
            return Err(VqganError::Network(format!(
                "post-filter loss diverged at step {step}"
            )));
        }
        running = (running.0 + value, running.1 + 1);
        let warm = ((step + 1) as f64 / 50.0).min(1.0);
        let cos = 0.5 * (1.0 + (std::f64::consts::PI * step as f64 / pc.steps.max(1) as f64).cos());
        let lr = pc.lr * warm * (0.05 + 0.95 * cos);
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        net = optim.step(lr, net, grads);
        step += 1;
        let last = step == pc.steps;
        if step % 50 == 0 || last || step % pc.eval_every == 0 {
            let mse = running.0 / f64::from(running.1.max(1));
            running = (0.0, 0);
            let secs = started.elapsed().as_secs_f64();
            let mut line = format!("{step},{lr:.3e},{mse:.6},{secs:.1}");
            if step % pc.eval_every == 0 || last {
                let [f, g, c] = evaluate(&net)?;
                line.push_str(&format!(",{f:.3},{g:.3},{c:.3}"));
                log(&format!(
                    "post filter step {step}: held-out 20 % lost: fill {f:.3} dB, filter {g:.3} dB (no loss {c:.3})"
                ));
                save_module(&cfg.out, FILES, net.clone(), &optim).map_err(VqganError::Data)?;
                write_atomic(&state_path, format!("{step}\n").as_bytes())?;
                let record = module_bytes(net.valid())?;
                let restorer = weights.restorer.as_ref().map(|(c, r)| (c, r.as_slice()));
                let out = VqganWeights::to_bytes(
                    &weights.config,
                    &weights.burnpack,
                    &weights.levels,
                    restorer,
                    Some((&pc.shape, &record)),
                );
                write_atomic(&cfg.out.join("vqgan.bin"), &out)?;
            } else {
                line.push_str(",,,");
                log(&format!(
                    "post filter step {step}/{} region mse {mse:.5} {secs:.0} s",
                    pc.steps
                ));
            }
            append(&cfg.out.join("post_filter.csv"), LOG_HEADER, &line)?;
        }
    }
    Ok(cfg.out.join("vqgan.bin"))
}

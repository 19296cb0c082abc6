//! Training the index-restoration transformer ([`crate::restore_net`]; spec B3 / §6.4: a small bidirectional
//! masked-token model trained with random masking of the positions of training index maps).
//!
//! Trained on pixels, not code vectors: code-space error is a poor proxy (a least-squares predictor that cut it by
//! 8 % gained 0.015 dB). Maps: one seeded 256² crop of every training photo through the finished model at the
//! full codebook. Each step takes `batch` crops, loses each position with a probability drawn from
//! U(5 %, `max_lost`) per crop, fills the lost positions harmonically ([`crate::restore`]), lets the transformer
//! correct each lost vector from its window, decodes the map through the level's `post_quant_conv` and the
//! frozen decoder, and minimises the pixel MSE against the decode of the loss-free map (or the crop itself). The transformer's output layer starts at zero,
//! so training starts from the harmonic fill. `restorer.csv` logs the loss and, at the end, the held-out PSNR at
//! 20 % loss with the fill and with the transformer. Writes `vqgan.bin`: the levels file plus the transformer.

use super::data::{crop_planes, ImageData};
use super::{append, io_err, write_atomic, TrainConfig};
use crate::model::{load_module, module_bytes, planes_image, psnr, IndexMap, VqganModel};
use crate::net::VqganNet;
use crate::restore::{lost_mask, restore, Restorer};
use crate::restore_net::{push_window, RestoreNet, RestorerConfig};
use crate::weights::VqganWeights;
use crate::VqganError;
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Tensor, TensorData};
use cinder_core::Image;
use cinder_nn::train_io::{mix, sample_seed};
use std::path::PathBuf;
use std::time::Instant;

/// Settings of the restorer training.
#[derive(Debug, Clone)]
pub struct RestorerTrainConfig {
    /// The weights file with every level (from [`super::reduce::build_levels`]).
    pub weights: PathBuf,
    /// Steps.
    pub steps: u64,
    /// 256² crops per step.
    pub batch: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// Largest fraction of lost positions in a training crop.
    pub max_lost: f64,
    /// Fit the decode of the loss-free map (only the restoration error) instead of the original crop (which
    /// adds the codec's own error to every step's loss).
    pub target_decoded: bool,
}

impl Default for RestorerTrainConfig {
    fn default() -> Self {
        RestorerTrainConfig {
            weights: PathBuf::from("vqgan-train/levels.bin"),
            steps: 300,
            batch: 4,
            lr: 1e-4,
            max_lost: 0.35,
            target_decoded: true,
        }
    }
}

const CROP: usize = 256;

fn crop_image(img: &Image, seed: u64) -> (Image, Vec<f32>) {
    let (w, h) = (img.width as usize, img.height as usize);
    let r = mix(seed);
    let x0 = (r % (w - CROP + 1) as u64) as usize;
    let y0 = ((r >> 32) % (h - CROP + 1) as u64) as usize;
    let planes = crop_planes(img, x0, y0, CROP, CROP, false);
    let image = planes_image(&planes, CROP, CROP, CROP as u32, CROP as u32, 3);
    (image, planes)
}

/// The transformer inputs of a batch's lost positions ([`push_window`]).
struct LostWindows {
    inputs: Vec<f32>,
    flags: Vec<f32>,
    /// One-hot centre cell of every window (`windows × cells`).
    centre: Vec<f32>,
    /// Position of every window's lost cell in the batch map.
    lost: Vec<usize>,
}

impl LostWindows {
    /// Adds the windows of the lost positions of one `side²` crop whose map starts at `offset` in the batch.
    fn add(
        &mut self,
        filled: &[f32],
        known: &[bool],
        (side, d, window): (usize, usize, usize),
        offset: usize,
    ) {
        let cells = window * window;
        for p in (0..side * side).filter(|&p| !known[p]) {
            let k = push_window(
                filled,
                known,
                (side, side, d),
                p,
                window,
                &mut self.inputs,
                &mut self.flags,
            );
            let at = self.centre.len();
            self.centre.resize(at + cells, 0.0);
            self.centre[at + k] = 1.0;
            self.lost.push(offset + p);
        }
    }
}

/// Trains the transformer and writes `cfg.out/vqgan.bin`; returns its path.
pub fn train_restorer(
    cfg: &TrainConfig,
    rc: &RestorerTrainConfig,
    log: &mut dyn FnMut(&str),
) -> Result<PathBuf, VqganError> {
    let started = Instant::now();
    let bytes =
        std::fs::read(&rc.weights).map_err(|e| VqganError::Data(format!("{}: {e}", rc.weights.display())))?;
    let weights = VqganWeights::from_bytes(&bytes)?;
    let model = VqganModel::load(&bytes, cfg.device)?;
    let m = model.config;
    let full = model.level(m.codes)?.clone();
    std::fs::create_dir_all(&cfg.out).map_err(io_err(&cfg.out))?;
    let data = ImageData::load(&cfg.data, CROP, cfg.val_every, log)?;
    type Crops = Vec<(Image, Vec<f32>, IndexMap)>;
    let crops = |images: &[Image], salt: u64| -> Result<Crops, VqganError> {
        images
            .iter()
            .enumerate()
            .map(|(i, img)| {
                let (image, planes) = crop_image(img, cfg.seed ^ salt ^ i as u64);
                let map = model.indices(&image, m.codes)?;
                Ok((image, planes, map))
            })
            .collect()
    };
    let train_crops = crops(&data.train, 0x4E57)?;
    let val_crops = crops(&data.val, 0x7A1)?;
    if train_crops.is_empty() {
        return Err(VqganError::Data("no training crops for the restorer".into()));
    }
    log(&format!(
        "{} training and {} held-out index maps in {:.0} s",
        train_crops.len(),
        val_crops.len(),
        started.elapsed().as_secs_f64()
    ));
    let net_err = |e: cinder_nn::NnError| VqganError::Network(e.to_string());
    let device = cinder_nn::training_device(cfg.device).map_err(net_err)?;
    let eval_device = cinder_nn::inference_device(cfg.device).map_err(net_err)?;
    device.seed(cfg.seed);
    let frozen = load_module(VqganNet::new(&m, &device), &weights.burnpack)?.no_grad();
    let (zc, d) = (m.z_channels, m.code_dim);
    // post_quant_conv of the full level as a matrix (d × z) and bias.
    let mut post_t = vec![0.0f32; d * zc];
    for o in 0..zc {
        for i in 0..d {
            post_t[i * zc + o] = full.post_w[o * d + i];
        }
    }
    let post_w = Tensor::<2>::from_data(TensorData::new(post_t, [d, zc]), &device);
    let post_b = Tensor::<2>::from_data(TensorData::new(full.post_b.clone(), [1, zc]), &device);
    let rcfg = RestorerConfig::small(d);
    let (win, cells) = (rcfg.window, rcfg.window * rcfg.window);
    let mut net = RestoreNet::new(&rcfg, &device);
    let mut optim = AdamConfig::new().init();
    let side = CROP / crate::FACTOR;
    let positions = side * side;
    let mut window_loss = (0.0f64, 0u32);
    for step in 0..rc.steps {
        let mut filled_all = Vec::with_capacity(rc.batch * positions * d);
        let mut pixels = Vec::with_capacity(rc.batch * 3 * CROP * CROP);
        let mut windows = LostWindows {
            inputs: Vec::new(),
            flags: Vec::new(),
            centre: Vec::new(),
            lost: Vec::new(),
        };
        for b in 0..rc.batch {
            let r = sample_seed(cfg.seed ^ 0x7E57, step, b as u64);
            let (_, planes, map) = &train_crops[(r % train_crops.len() as u64) as usize];
            let rate = 0.05 + (rc.max_lost - 0.05).max(0.0) * ((mix(r) >> 11) as f64 / (1u64 << 53) as f64);
            let known = lost_mask(positions, rate, mix(r ^ 0x5EED));
            let filled = restore(&full, map, &known, Restorer::Smooth { snap: false });
            windows.add(&filled, &known, (side, d, win), b * positions);
            filled_all.extend_from_slice(&filled);
            if rc.target_decoded {
                for &i in &map.data {
                    pixels.extend_from_slice(full.entry(i));
                }
            } else {
                pixels.extend_from_slice(planes);
            }
        }
        let lost = windows.lost.len();
        let filled = Tensor::<2>::from_data(TensorData::new(filled_all, [rc.batch * positions, d]), &device);
        let codes = if lost == 0 {
            filled
        } else {
            let t = |v: Vec<f32>, last: usize| {
                Tensor::<3>::from_data(TensorData::new(v, [lost, cells, last]), &device)
            };
            let centre = t(windows.centre, 1);
            let out = net.forward(t(windows.inputs, d), t(windows.flags, 1));
            let correction = (out * centre).sum_dim(1).reshape([lost, d]);
            let mut scatter = vec![0.0f32; rc.batch * positions * lost];
            for (row, &p) in windows.lost.iter().enumerate() {
                scatter[p * lost + row] = 1.0;
            }
            let scatter =
                Tensor::<2>::from_data(TensorData::new(scatter, [rc.batch * positions, lost]), &device);
            filled + scatter.matmul(correction)
        };
        let decode = |codes: Tensor<2>| {
            let z = (codes.matmul(post_w.clone()) + post_b.clone())
                .reshape([rc.batch, side, side, zc])
                .permute([0, 3, 1, 2]);
            frozen.decoder.forward(z)
        };
        let y = decode(codes);
        let x = if rc.target_decoded {
            let truth = Tensor::<2>::from_data(TensorData::new(pixels, [rc.batch * positions, d]), &device);
            decode(truth).detach()
        } else {
            Tensor::<4>::from_data(TensorData::new(pixels, [rc.batch, 3, CROP, CROP]), &device)
        };
        let loss = (y - x).powi_scalar(2).mean();
        let value = f64::from(loss.clone().into_scalar::<f32>());
        if !value.is_finite() {
            return Err(VqganError::Network(format!(
                "restorer loss diverged at step {step}"
            )));
        }
        let warm = ((step + 1) as f64 / 20.0).min(1.0);
        let cos = 0.5 * (1.0 + (std::f64::consts::PI * step as f64 / rc.steps.max(1) as f64).cos());
        let lr = rc.lr * warm * (0.1 + 0.9 * cos);
        if lost > 0 {
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            net = optim.step(lr, net, grads);
        }
        window_loss = (window_loss.0 + value, window_loss.1 + 1);
        if (step + 1) % 10 == 0 || step + 1 == rc.steps {
            let mean = window_loss.0 / f64::from(window_loss.1.max(1));
            window_loss = (0.0, 0);
            append(
                &cfg.out.join("restorer.csv"),
                "step,lr,pixel_mse,seconds",
                &format!(
                    "{},{lr:.3e},{mean:.6},{:.1}",
                    step + 1,
                    started.elapsed().as_secs_f64()
                ),
            )?;
            log(&format!(
                "restorer step {}/{} pixel mse {mean:.5} {:.0} s",
                step + 1,
                rc.steps,
                started.elapsed().as_secs_f64()
            ));
        }
    }
    let eval_net = net.valid().to_device(&eval_device);
    let record = module_bytes(eval_net)?;
    let post_filter = weights.post_filter.as_ref().map(|(c, r)| (c, r.as_slice()));
    let out_bytes = VqganWeights::to_bytes(
        &m,
        &weights.burnpack,
        &weights.levels,
        Some((&rcfg, &record)),
        post_filter,
    );
    let final_model = VqganModel::load(&out_bytes, cfg.device)?;
    // Held-out comparison at 20 % loss: PSNR of the decoded crops, harmonic fill vs transformer.
    let (mut fill_db, mut trans_db) = (0.0f64, 0.0f64);
    for (i, (image, _, map)) in val_crops.iter().enumerate() {
        let known = lost_mask(map.data.len(), 0.2, 0xC0DE + i as u64);
        for (how, sum) in [
            (Restorer::Smooth { snap: false }, &mut fill_db),
            (Restorer::Transformer { snap: false }, &mut trans_db),
        ] {
            let codes = final_model.restore(&full, map, &known, how)?;
            let planes = final_model.decode_codes(&full, side, side, &codes)?;
            let decoded = planes_image(&planes, CROP, CROP, CROP as u32, CROP as u32, 3);
            *sum += psnr(image, &decoded);
        }
    }
    let n = val_crops.len().max(1) as f64;
    let line = format!(
        "held-out crops, 20 % lost: PSNR {:.3} dB harmonic fill, {:.3} dB transformer",
        fill_db / n,
        trans_db / n
    );
    append(
        &cfg.out.join("restorer.csv"),
        "step,lr,pixel_mse,seconds",
        &format!("# {line}"),
    )?;
    log(&line);
    let path = cfg.out.join("vqgan.bin");
    write_atomic(&path, &out_bytes)?;
    Ok(path)
}

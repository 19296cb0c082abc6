//! Training the index-restoration transformer ([`crate::restore_net`]; spec B3 / §6.4: a small bidirectional
//! masked-token model trained with random masking of 0–50 % of the positions on index maps of the training set).
//!
//! Maps: one seeded 256² crop of every training photo through the finished model at the full codebook; the
//! targets are the entries of the lost cells. Each step takes `batch` random `window × window` windows, loses
//! every cell with a probability drawn from U(5 %, 50 %) per window (at least one cell), and minimises the squared
//! error of the predicted vectors at the lost cells. `restorer.csv` logs the loss and, at the end, the held-out
//! error against the harmonic fill at 20 % loss. Writes `vqgan.bin`: the levels file plus the transformer.

use super::data::{crop_planes, ImageData};
use super::{append, io_err, write_atomic, TrainConfig};
use crate::model::{module_bytes, IndexMap, VqganModel};
use crate::restore::{restore, Restorer};
use crate::restore_net::{RestoreNet, RestorerConfig};
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
    /// Windows per step.
    pub batch: usize,
    /// Peak learning rate.
    pub lr: f64,
}

impl Default for RestorerTrainConfig {
    fn default() -> Self {
        RestorerTrainConfig {
            weights: PathBuf::from("vqgan-train/levels.bin"),
            steps: 600,
            batch: 64,
            lr: 5e-4,
        }
    }
}

const CROP: usize = 256;

fn crop_image(img: &Image, seed: u64) -> Image {
    let (w, h) = (img.width as usize, img.height as usize);
    let r = mix(seed);
    let x0 = (r % (w - CROP + 1) as u64) as usize;
    let y0 = ((r >> 32) % (h - CROP + 1) as u64) as usize;
    let planes = crop_planes(img, x0, y0, CROP, CROP, false);
    let mut data = Vec::with_capacity(CROP * CROP * 3);
    for p in 0..CROP * CROP {
        for c in 0..3 {
            data.push(
                ((planes[c * CROP * CROP + p] + 1.0) * 127.5)
                    .round()
                    .clamp(0.0, 255.0) as u8,
            );
        }
    }
    Image {
        width: CROP as u32,
        height: CROP as u32,
        channels: 3,
        data,
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
    let maps = |images: &[Image], salt: u64| -> Result<Vec<IndexMap>, VqganError> {
        images
            .iter()
            .enumerate()
            .map(|(i, img)| model.indices(&crop_image(img, cfg.seed ^ salt ^ i as u64), m.codes))
            .collect()
    };
    let train_maps = maps(&data.train, 0x4E57)?;
    let val_maps = maps(&data.val, 0x7A1)?;
    log(&format!(
        "{} training and {} held-out index maps in {:.0} s",
        train_maps.len(),
        val_maps.len(),
        started.elapsed().as_secs_f64()
    ));
    let net_err = |e: cinder_nn::NnError| VqganError::Network(e.to_string());
    let device = cinder_nn::training_device(cfg.device).map_err(net_err)?;
    let eval_device = cinder_nn::inference_device(cfg.device).map_err(net_err)?;
    device.seed(cfg.seed);
    let rcfg = RestorerConfig::small(m.code_dim);
    let (win, d) = (rcfg.window, m.code_dim);
    let cells = win * win;
    let mut net = RestoreNet::new(&rcfg, &device);
    let mut optim = AdamConfig::new().init();
    let side = CROP / crate::FACTOR;
    for step in 0..rc.steps {
        let mut codes = vec![0.0f32; rc.batch * cells * d];
        let mut known = vec![0.0f32; rc.batch * cells];
        let mut lost = vec![0.0f32; rc.batch * cells * d];
        let mut target = vec![0.0f32; rc.batch * cells * d];
        for b in 0..rc.batch {
            let r = sample_seed(cfg.seed ^ 0x7E57, step, b as u64);
            let map = &train_maps[(r % train_maps.len() as u64) as usize];
            let r = mix(r);
            let (r0, c0) = (
                (r % (side - win + 1) as u64) as usize,
                ((r >> 20) % (side - win + 1) as u64) as usize,
            );
            let rate = 0.05 + 0.45 * ((mix(r) >> 11) as f64 / (1u64 << 53) as f64);
            let mut any = false;
            for k in 0..cells {
                let p = (r0 + k / win) * side + c0 + k % win;
                let e = full.entry(map.data[p]);
                let at = (b * cells + k) * d;
                target[at..at + d].copy_from_slice(e);
                let u = (mix(r ^ ((k as u64 + 1) * 0x9E37)) >> 11) as f64 / (1u64 << 53) as f64;
                let is_lost = u < rate || (k == cells - 1 && !any);
                any |= is_lost;
                if is_lost {
                    lost[at..at + d].iter_mut().for_each(|v| *v = 1.0);
                } else {
                    known[b * cells + k] = 1.0;
                    codes[at..at + d].copy_from_slice(e);
                }
            }
        }
        let t = |v: Vec<f32>, last: usize| {
            Tensor::<3>::from_data(TensorData::new(v, [rc.batch, cells, last]), &device)
        };
        let pred = net.forward(t(codes, d), t(known, 1));
        let mask = t(lost, d);
        let count = mask.clone().sum();
        let loss = ((pred - t(target, d)).powi_scalar(2) * mask).sum() / count;
        let value = f64::from(loss.clone().into_scalar::<f32>());
        if !value.is_finite() {
            return Err(VqganError::Network(format!(
                "restorer loss diverged at step {step}"
            )));
        }
        let warm = ((step + 1) as f64 / 50.0).min(1.0);
        let cos = 0.5 * (1.0 + (std::f64::consts::PI * step as f64 / rc.steps.max(1) as f64).cos());
        let lr = rc.lr * warm * (0.1 + 0.9 * cos);
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        net = optim.step(lr, net, grads);
        if (step + 1) % 20 == 0 {
            append(
                &cfg.out.join("restorer.csv"),
                "step,lr,loss,seconds",
                &format!(
                    "{},{lr:.3e},{value:.5},{:.1}",
                    step + 1,
                    started.elapsed().as_secs_f64()
                ),
            )?;
            log(&format!(
                "restorer step {}/{} loss {value:.4}",
                step + 1,
                rc.steps
            ));
        }
    }
    let eval_net = net.valid().to_device(&eval_device);
    let record = module_bytes(eval_net)?;
    let out_bytes = VqganWeights::to_bytes(&m, &weights.burnpack, &weights.levels, Some((&rcfg, &record)));
    let final_model = VqganModel::load(&out_bytes, cfg.device)?;
    // Held-out comparison at 20 % loss: squared error in code space, harmonic fill vs transformer.
    let (mut smooth_err, mut trans_err, mut n) = (0.0f64, 0.0f64, 0.0f64);
    for (i, map) in val_maps.iter().enumerate() {
        let known: Vec<bool> = (0..map.data.len())
            .map(|p| (mix(cfg.seed ^ 0xC0DE ^ ((i * 4096 + p) as u64)) % 5) != 0)
            .collect();
        let s = restore(&full, map, &known, Restorer::Smooth { snap: false });
        let tr = final_model.restore(&full, map, &known, Restorer::Transformer { snap: false })?;
        for p in (0..map.data.len()).filter(|&p| !known[p]) {
            let e = full.entry(map.data[p]);
            for k in 0..d {
                smooth_err += f64::from(s[p * d + k] - e[k]).powi(2);
                trans_err += f64::from(tr[p * d + k] - e[k]).powi(2);
            }
            n += 1.0;
        }
    }
    let line = format!(
        "held-out maps, 20 % lost: mean squared code error {:.4} harmonic fill, {:.4} transformer",
        smooth_err / n.max(1.0),
        trans_err / n.max(1.0)
    );
    append(
        &cfg.out.join("restorer.csv"),
        "step,lr,loss,seconds",
        &format!("# {line}"),
    )?;
    log(&line);
    let path = cfg.out.join("vqgan.bin");
    write_atomic(&path, &out_bytes)?;
    Ok(path)
}

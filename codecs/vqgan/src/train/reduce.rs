//! Variable rate (spec B1.2–B1.3, B3): the trained K-entry codebook is clustered by k-means into S entries —
//! each entry weighted by how often the training data selects it (so that dead entries do not pull centroids;
//! k-means++ seeding, three restarts) — and each reduced codebook is then fine-tuned together with `quant_conv`
//! and `post_quant_conv` while the encoder and decoder stay frozen (the paper's `VQ_Frozen`): the codebook by
//! EMA on the frozen encoder's outputs, the two 1×1 convolutions by Adam on the same reconstruction loss as
//! training. `levels.csv` records the held-out PSNR of every level after k-means alone and after fine-tuning.

use super::data::{centre_crop, ImageData};
use super::loss::ReconLoss;
use super::{append, level_of, validate, write_atomic, TrainConfig};
use crate::config::FACTOR;
use crate::levels::Level;
use crate::model::{load_module, module_bytes, values, VqganModel};
use crate::net::VqganNet;
use crate::weights::VqganWeights;
use crate::VqganError;
use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Tensor, TensorData};
use cinder_nn::vq::{from_vectors, kmeans_restarts, to_vectors, Codebooks, VqState};
use std::path::PathBuf;
use std::time::Instant;

/// Settings of the level reduction.
#[derive(Debug, Clone)]
pub struct ReduceConfig {
    /// The trained one-level weights file.
    pub base: PathBuf,
    /// Codebook sizes to make (each below the base K).
    pub sizes: Vec<usize>,
    /// Batches whose encoder outputs give the usage counts.
    pub usage_batches: u64,
    /// Fine-tuning steps per level.
    pub finetune_steps: u64,
    /// 256² training crops whose index maps give each level's rank statistics.
    pub prior_crops: usize,
    /// Learning rate of the 1×1 convolutions.
    pub lr: f64,
}

impl Default for ReduceConfig {
    fn default() -> Self {
        ReduceConfig {
            base: PathBuf::from("vqgan-train/best.bin"),
            sizes: vec![8, 16, 32, 64, 128, 256, 512],
            usage_batches: 40,
            finetune_steps: 40,
            prior_crops: 120,
            lr: 1e-4,
        }
    }
}

/// The two trainable 1×1 convolutions of the fine-tuning.
#[derive(Module, Debug)]
struct QuantConvs {
    quant_conv: Conv2d,
    post_quant_conv: Conv2d,
}

/// Builds every level from `rc.base`, writes `levels.bin` (a `CWVQ` file with all levels) and `levels.csv` into
/// `cfg.out`, and returns the path of `levels.bin`.
pub fn build_levels(
    cfg: &TrainConfig,
    rc: &ReduceConfig,
    log: &mut dyn FnMut(&str),
) -> Result<PathBuf, VqganError> {
    let started = Instant::now();
    let bytes =
        std::fs::read(&rc.base).map_err(|e| VqganError::Data(format!("{}: {e}", rc.base.display())))?;
    let base = VqganWeights::from_bytes(&bytes)?;
    let m = base.config;
    let full = base
        .levels
        .iter()
        .find(|l| l.codes() == m.codes)
        .cloned()
        .ok_or_else(|| {
            VqganError::BadWeights(format!("{} has no {}-entry level", rc.base.display(), m.codes))
        })?;
    std::fs::create_dir_all(&cfg.out).map_err(super::io_err(&cfg.out))?;
    let data = ImageData::load(&cfg.data, cfg.crop, cfg.val_every, log)?;
    let val: Vec<cinder_core::Image> = data.val.iter().map(|i| centre_crop(i, cfg.val_side)).collect();
    let net_err = |e: cinder_nn::NnError| VqganError::Network(e.to_string());
    let device = cinder_nn::training_device(cfg.device).map_err(net_err)?;
    let eval_device = cinder_nn::inference_device(cfg.device).map_err(net_err)?;
    let net = load_module(VqganNet::new(&m, &device), &base.burnpack)?;
    let eval_net = net.valid().to_device(&eval_device);
    let (d, side) = (m.code_dim, cfg.crop / FACTOR);
    let hw = side * side;

    // Usage of the full codebook on training crops (a seed stream apart from training's).
    let mut usage = vec![0u64; m.codes];
    for b in 0..rc.usage_batches {
        let batch = data.batch(cfg.seed ^ 0x05A6E, b, cfg.batch, cfg.crop);
        let x = Tensor::<4>::from_data(
            TensorData::new(batch, [cfg.batch, 3, cfg.crop, cfg.crop]),
            &eval_device,
        );
        let ze = values(eval_net.quant_conv.forward(eval_net.encoder.forward(x)))?;
        for v in to_vectors(&ze, cfg.batch, d, hw).chunks(d) {
            usage[full.codebook.nearest(0, v).0] += 1;
        }
    }
    let used = usage.iter().filter(|&&c| c > 0).count();
    log(&format!(
        "full codebook: {used} of {} entries used on {} training crops",
        m.codes,
        rc.usage_batches as usize * cfg.batch
    ));
    let weights: Vec<f32> = usage.iter().map(|&c| c as f32).collect();

    let mut levels: Vec<Level> = Vec::new();
    for &s in rc
        .sizes
        .iter()
        .filter(|&&s| s < m.codes && s.is_power_of_two() && s >= 2)
    {
        let clustering = kmeans_restarts(
            &full.codebook.data,
            Some(&weights),
            d,
            s,
            30,
            3,
            cfg.seed ^ s as u64,
        );
        let books = Codebooks::new(1, 1, s, d, clustering.centres)?;
        let kmeans_only = level_of(&eval_net, books.clone(), vec![1; s])?;
        let psnr_kmeans = validate(
            &VqganModel::from_parts(m, vec![kmeans_only], eval_net.clone(), &eval_device),
            &val,
            s,
        )?;
        // Fine-tuning: frozen encoder and decoder; EMA codebook; Adam on the 1×1 convolutions.
        let mut vq = VqState::new(books);
        vq.restart_after = u64::MAX;
        let mut convs = QuantConvs {
            quant_conv: net.quant_conv.clone(),
            post_quant_conv: net.post_quant_conv.clone(),
        };
        let mut optim = AdamConfig::new().with_beta_1(0.5).with_beta_2(0.9).init();
        let recon = ReconLoss::new(cfg.ms_ssim_weight, &device);
        let mut last = 0.0;
        for step in 0..rc.finetune_steps {
            let batch = data.batch(cfg.seed ^ 0xF17E ^ s as u64, step, cfg.batch, cfg.crop);
            // The frozen encoder runs without autodiff: a detached forward on the training device would keep its
            // graph (and activations) alive, as no backward pass ever consumes it (that ran out of memory).
            let shape = [cfg.batch, 3, cfg.crop, cfg.crop];
            let z = values(eval_net.encoder.forward(Tensor::<4>::from_data(
                TensorData::new(batch.clone(), shape),
                &eval_device,
            )))?;
            let z =
                Tensor::<4>::from_data(TensorData::new(z, [cfg.batch, m.z_channels, side, side]), &device);
            let x = Tensor::<4>::from_data(TensorData::new(batch, shape), &device);
            let ze = convs.quant_conv.forward(z);
            let points = to_vectors(&values(ze.clone())?, cfg.batch, d, hw);
            let q = vq.quantise(&points, step + 1, true);
            let qt = Tensor::<4>::from_data(
                TensorData::new(from_vectors(&q.all, cfg.batch, d, hw), [cfg.batch, d, side, side]),
                &device,
            );
            let commit = (ze.clone() - qt.clone()).powi_scalar(2).mean();
            let zq = ze.clone() + (qt - ze).detach();
            let y = net.decoder.forward(convs.post_quant_conv.forward(zq));
            let (loss, _, _) = recon.forward(x, y);
            let loss = loss + commit.mul_scalar(cfg.commit);
            last = f64::from(loss.clone().into_scalar::<f32>());
            let grads = GradientsParams::from_grads(loss.backward(), &convs);
            convs = optim.step(rc.lr, convs, grads);
        }
        let tuned = VqganNet {
            quant_conv: convs.quant_conv.valid().to_device(&eval_device),
            post_quant_conv: convs.post_quant_conv.valid().to_device(&eval_device),
            ..eval_net.clone()
        };
        let level = level_of(&tuned, vq.books.clone(), vq.prior())?;
        let psnr = validate(
            &VqganModel::from_parts(m, vec![level.clone()], eval_net.clone(), &eval_device),
            &val,
            s,
        )?;
        let bits = (s as f64).log2();
        append(
            &cfg.out.join("levels.csv"),
            "codes,uniform_bpp,psnr_kmeans_only,psnr_finetuned,last_loss,seconds",
            &format!(
                "{s},{:.5},{psnr_kmeans:.4},{psnr:.4},{last:.5},{:.0}",
                bits / 256.0,
                started.elapsed().as_secs_f64()
            ),
        )?;
        log(&format!(
            "S = {s}: held-out PSNR {psnr_kmeans:.2} dB after k-means, {psnr:.2} dB after {} fine-tuning steps",
            rc.finetune_steps
        ));
        levels.push(level);
    }
    let full_psnr = validate(
        &VqganModel::from_parts(m, vec![full.clone()], eval_net.clone(), &eval_device),
        &val,
        m.codes,
    )?;
    append(
        &cfg.out.join("levels.csv"),
        "codes,uniform_bpp,psnr_kmeans_only,psnr_finetuned,last_loss,seconds",
        &format!(
            "{},{:.5},{full_psnr:.4},{full_psnr:.4},0,{:.0}",
            m.codes,
            (m.codes as f64).log2() / 256.0,
            started.elapsed().as_secs_f64()
        ),
    )?;
    let mut full = full;
    full.usage = usage
        .iter()
        .map(|&c| (c.min(u64::from(u32::MAX - 1)) as u32).max(1))
        .collect();
    levels.push(full);

    let model = VqganModel::from_parts(m, levels.clone(), eval_net.clone(), &eval_device);
    let latents = statistics_latents(&model, &data.train, rc.prior_crops)?;
    coder_statistics(&mut levels, &latents, m.z_channels);
    log(&format!(
        "rank and pair statistics of every level from {} training crops",
        latents.len()
    ));
    let out = cfg.out.join("levels.bin");
    write_atomic(
        &out,
        &VqganWeights::to_bytes(&m, &module_bytes(eval_net)?, &levels, None, None),
    )?;
    Ok(out)
}

/// Encoder outputs `(h, w, values)` of up to `crops` 256² centre crops of training photos (every other one
/// mirrored) for [`coder_statistics`]; the encoder output does not depend on the level, so it is computed once.
pub fn statistics_latents(
    model: &VqganModel,
    photos: &[cinder_core::Image],
    crops: usize,
) -> Result<Vec<(usize, usize, Vec<f32>)>, VqganError> {
    let mut latents = Vec::new();
    for (i, img) in photos
        .iter()
        .enumerate()
        .filter(|(_, im)| im.width >= 256 && im.height >= 256)
    {
        if latents.len() >= crops {
            break;
        }
        let (x0, y0) = ((img.width as usize - 256) / 2, (img.height as usize - 256) / 2);
        let planes = super::data::crop_planes(img, x0, y0, 256, 256, i % 2 == 1);
        latents.push(model.latents(planes, 256, 256)?);
    }
    Ok(latents)
}

/// Sets every level's entropy-coder priors from training index maps: the rank-octave counts of the context
/// coder and, for S ≤ [`crate::indices::PAIR_MAX_CODES`], the neighbour-pair table (both counted band by band,
/// as the coder sees them).
pub fn coder_statistics(levels: &mut [Level], latents: &[(usize, usize, Vec<f32>)], z_channels: usize) {
    for level in levels.iter_mut() {
        let s = level.codes();
        let (mut counts, mut pairs) = (Vec::new(), Vec::new());
        for (_, w, z) in latents {
            let map: Vec<u16> = z.chunks(z_channels).map(|v| level.index(v)).collect();
            for band in map.chunks(crate::indices::BAND_ROWS * w) {
                crate::indices::rank_statistics(band, *w, level, &mut counts);
                if s <= crate::indices::PAIR_MAX_CODES {
                    crate::indices::pair_statistics(band, *w, s, &mut pairs);
                }
            }
        }
        level.rank_prior = counts.iter().map(|&c| (c.min(1 << 30) as u32) + 1).collect();
        level.pair_prior = pairs.iter().map(|&c| c.min(1 << 30) as u32).collect();
    }
}

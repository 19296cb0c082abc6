//! Training the VQGAN (feature `train`; spec B1.1 scaled per §6.4): `cinder train vqgan`.
//!
//! Loss `L1 + λ·(1 − MS-SSIM)` ([`loss`]) plus `β · mean((z_e − sg(z_q))²)` (β = 0.25, the taming commitment
//! weight); the codebook follows exponential moving averages instead of a codebook loss, is k-means-initialised
//! from encoder outputs collected during `vq_start` unquantised warm-up steps, and restarts entries unused for
//! 200 steps ([`cinder_nn::vq::VqState`]); usage and perplexity go to `usage.csv`, and the run fails loudly when
//! fewer than 5 % of the entries are used. Straight-through gradient to the encoder.
//!
//! From `gan_start` (off by default) the PatchGAN hinge loss joins with taming's adaptive weight ([`disc`]).
//!
//! A run can also start from a trained weights file (`init`) and train only `post_quant_conv` and the decoder
//! (`decoder_only`: index maps, hence rates, stay exactly as they were), with an MSE term (`mse_weight`, for PSNR),
//! loss-aware decoding (`lost_fraction`: simulated lost indices filled as at decode) and extra identity-initialised
//! decoder blocks (`deepen`). The shipped model's last phase is such a fine-tune (weights/MANIFEST.toml).
//!
//! Adam β = (0.5, 0.9) (taming's), linear warm-up then cosine decay to 10 %. Files in `--out`: `train.csv`,
//! `usage.csv`, `val.csv` (PSNR / MS-SSIM of held-out training photos through the full-codebook codec),
//! `checkpoint.bpk` + `optim.bpk` + `vq.bin` + `state.txt` (resume), `best.bin` (the best validation checkpoint as
//! a one-level `CWVQ` file) and `last.bin` (the latest validated one). The quality levels are made afterwards by [`reduce`].

pub mod data;
pub mod disc;
pub mod loss;
pub mod post_filter;
pub mod reduce;
pub mod restorer;

use crate::config::{VqganConfig, FACTOR};
use crate::levels::Level;
use crate::model::{module_bytes, values, VqganModel};
use crate::net::VqganNet;
use crate::weights::VqganWeights;
use crate::VqganError;
use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Tensor, TensorData};
use cinder_nn::train_io::{load_module, save_checkpoint, RunState};
use cinder_nn::vq::{from_vectors, to_vectors, Codebooks, VqState};
use data::{centre_crop, ImageData};
use loss::ReconLoss;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Settings of one training run.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Folder of training photos.
    pub data: PathBuf,
    /// Output folder.
    pub out: PathBuf,
    /// Network shape.
    pub model: VqganConfig,
    /// Crop side (a multiple of 16).
    pub crop: usize,
    /// Crops per step.
    pub batch: usize,
    /// Total steps.
    pub steps: u64,
    /// Peak learning rate.
    pub lr: f64,
    /// Warm-up steps.
    pub warmup: u64,
    /// Seed of initialisation and sampling.
    pub seed: u64,
    /// Unquantised steps before the k-means initialisation of the codebook.
    pub vq_start: u64,
    /// Weight of the commitment loss.
    pub commit: f64,
    /// Weight λ of `1 − MS-SSIM`.
    pub ms_ssim_weight: f32,
    /// Every `val_every`-th image is held out.
    pub val_every: usize,
    /// Side of the held-out centre crops.
    pub val_side: usize,
    /// Steps between validations.
    pub eval_interval: u64,
    /// Steps between checkpoints.
    pub checkpoint_interval: u64,
    /// Step from which the PatchGAN hinge loss is on (`None`: never; spec §6.4: the last ~30 % at most).
    pub gan_start: Option<u64>,
    /// `disc_weight` of the adaptive adversarial weight.
    pub disc_weight: f64,
    /// Filters of the discriminator's first layer.
    pub disc_width: usize,
    /// Continue from the checkpoint in `out`.
    pub resume: bool,
    /// Where the networks train.
    pub device: cinder_core::Device,
    /// Stop (after a checkpoint) once this many seconds have passed; `None` runs to `steps`.
    pub max_seconds: Option<f64>,
    /// Start from this weights file (a `best.bin` or a shipped file: the network and its full-codebook level)
    /// instead of a fresh network; its shape replaces `model`. A resumed run reads its checkpoint instead (and
    /// only the shape from here).
    pub init: Option<PathBuf>,
    /// Train only `post_quant_conv` and the decoder: encoder, `quant_conv` and codebook stay fixed, so every
    /// index map (and every quality level built on them) is unchanged (no commitment loss, no EMA updates).
    pub decoder_only: bool,
    /// Weight μ of the mean squared error added to the reconstruction loss ([`loss::ReconLoss::with_mse`]).
    pub mse_weight: f32,
    /// How many crops of each batch get simulated losses (1: the first only).
    pub lost_crops: usize,
    /// With `init`: give the decoder this many ResBlocks a stage, the added ones starting as the identity
    /// ([`crate::net::Decoder::deepen`]); the shape (and a resumed checkpoint) then has this depth.
    pub deepen: Option<usize>,
    /// Loss-aware decoding: in the first crop of every batch a random fraction (uniform in `[0, lost_fraction]`)
    /// of the positions is replaced by the harmonic fill of the others ([`crate::restore::harmonic_fill`]), as
    /// the decoder sees them after losses; 0 turns it off.
    pub lost_fraction: f32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            data: PathBuf::from("../shared/data/images/train"),
            out: PathBuf::from("vqgan-train"),
            model: VqganConfig::default(),
            crop: 128,
            batch: 8,
            steps: 2000,
            lr: 4e-4,
            warmup: 100,
            seed: 1,
            vq_start: 150,
            commit: 0.25,
            ms_ssim_weight: 0.2,
            val_every: 40,
            val_side: 256,
            eval_interval: 200,
            checkpoint_interval: 20,
            gan_start: None,
            disc_weight: 0.1,
            disc_width: 32,
            resume: false,
            device: cinder_core::Device::Cpu,
            max_seconds: None,
            init: None,
            decoder_only: false,
            mse_weight: 0.0,
            lost_fraction: 0.0,
            deepen: None,
            lost_crops: 1,
        }
    }
}

/// What a run reached.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Steps done in total.
    pub steps: u64,
    /// Best validation PSNR (dB) with the full codebook.
    pub best_psnr: f64,
    /// Seconds of this invocation.
    pub seconds: f64,
    /// The best weights file.
    pub model: PathBuf,
}

pub(crate) fn io_err(path: &Path) -> impl Fn(std::io::Error) -> VqganError + '_ {
    move |e| VqganError::Data(format!("cannot write {}: {e}", path.display()))
}

pub(crate) fn append(path: &Path, header: &str, line: &str) -> Result<(), VqganError> {
    cinder_nn::train_io::append_csv(path, header, line).map_err(io_err(path))
}

pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), VqganError> {
    cinder_nn::train_io::write_atomic(path, bytes).map_err(io_err(path))
}

/// The network's checkpoint and optimiser files.
const NET_FILES: (&str, &str) = ("checkpoint.bpk", "optim.bpk");

fn learning_rate(cfg: &TrainConfig, step: u64) -> f64 {
    if step < cfg.warmup {
        return cfg.lr * (step + 1) as f64 / cfg.warmup as f64;
    }
    let t = (step - cfg.warmup) as f64 / cfg.steps.saturating_sub(cfg.warmup).max(1) as f64;
    cfg.lr * (0.1 + 0.9 * 0.5 * (1.0 + (std::f64::consts::PI * t.min(1.0)).cos()))
}

/// A 1×1 convolution as (row-major `out × in` weights, biases).
pub(crate) fn conv_affine(conv: &Conv2d) -> Result<(Vec<f32>, Vec<f32>), VqganError> {
    let w = values(conv.weight.val())?;
    let out = conv.weight.val().dims()[0];
    let b = match &conv.bias {
        Some(b) => values(b.val())?,
        None => vec![0.0; out],
    };
    Ok((w, b))
}

/// A level from a codebook, the network's 1×1 convolutions and index counts.
pub(crate) fn level_of(net: &VqganNet, codebook: Codebooks, usage: Vec<u32>) -> Result<Level, VqganError> {
    let (quant_w, quant_b) = conv_affine(&net.quant_conv)?;
    let (post_w, post_b) = conv_affine(&net.post_quant_conv)?;
    Ok(Level {
        codebook,
        quant_w,
        quant_b,
        post_w,
        post_b,
        usage,
        rank_prior: Vec::new(),
        pair_prior: Vec::new(),
    })
}

/// Mean PSNR (dB, 8-bit RGB) of held-out crops through the codec at the level with `codes` entries.
pub(crate) fn validate(
    model: &VqganModel,
    val: &[cinder_core::Image],
    codes: usize,
) -> Result<f64, VqganError> {
    let mut total = 0.0;
    for img in val {
        total += crate::model::psnr(img, &model.reconstruct(img, codes)?);
    }
    Ok(total / val.len().max(1) as f64)
}

/// Replaces a random fraction (uniform in `[0, max_fraction]`, drawn from `seed` and `step`) of the positions of
/// one crop's code vectors (`side² × d`, position-major) by the harmonic fill of the rest.
fn simulate_loss(codes: &mut [f32], side: usize, d: usize, max_fraction: f32, seed: u64, step: u64) {
    use cinder_nn::train_io::{mix, sample_seed};
    let n = side * side;
    let draw = |i: u64| (mix(sample_seed(seed ^ 0x1055, step, i)) >> 11) as f64 / (1u64 << 53) as f64;
    let fraction = draw(u64::MAX) * f64::from(max_fraction);
    let lost: Vec<usize> = (0..n).filter(|&p| draw(p as u64) < fraction).collect();
    if lost.is_empty() || lost.len() == n {
        return;
    }
    let mut mean = vec![0.0f32; d];
    for p in (0..n).filter(|p| lost.binary_search(p).is_err()) {
        for (m, v) in mean.iter_mut().zip(&codes[p * d..(p + 1) * d]) {
            *m += v / (n - lost.len()) as f32;
        }
    }
    for &p in &lost {
        codes[p * d..(p + 1) * d].copy_from_slice(&mean);
    }
    crate::restore::harmonic_fill(codes, side, side, d, &lost);
}

/// Runs (or resumes) training.
pub fn train(cfg: &TrainConfig, log: &mut dyn FnMut(&str)) -> Result<TrainReport, VqganError> {
    let started = Instant::now();
    cfg.model.validate()?;
    if cfg.crop % FACTOR != 0 || cfg.crop == 0 || cfg.batch == 0 {
        return Err(VqganError::Unsupported(format!(
            "crop {} must be a positive multiple of {FACTOR}",
            cfg.crop
        )));
    }
    std::fs::create_dir_all(&cfg.out).map_err(io_err(&cfg.out))?;
    let data = ImageData::load(&cfg.data, cfg.crop, cfg.val_every, log)?;
    let val: Vec<cinder_core::Image> = data.val.iter().map(|i| centre_crop(i, cfg.val_side)).collect();
    let net_err = |e: cinder_nn::NnError| VqganError::Network(e.to_string());
    let device = cinder_nn::training_device(cfg.device).map_err(net_err)?;
    let eval_device = cinder_nn::inference_device(cfg.device).map_err(net_err)?;
    device.seed(cfg.seed);
    let init = match &cfg.init {
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| VqganError::Data(format!("cannot read {}: {e}", path.display())))?;
            Some(VqganWeights::from_bytes(&bytes)?)
        }
        None => None,
    };
    let base = init.as_ref().map_or(cfg.model, |w| w.config);
    let m = VqganConfig {
        dec_blocks: cfg.deepen.unwrap_or(base.dec_blocks).max(base.dec_blocks),
        ..base
    };
    let mut net = VqganNet::new(&m, &device);
    let mut optim = AdamConfig::new().with_beta_1(0.5).with_beta_2(0.9).init();
    let mut vq = VqState::new(Codebooks::new(
        1,
        1,
        m.codes,
        m.code_dim,
        vec![0.0; m.codes * m.code_dim],
    )?);
    let recon = ReconLoss::new(cfg.ms_ssim_weight, &device).with_mse(cfg.mse_weight);
    let mut adversary = cfg
        .gan_start
        .map(|_| disc::Adversary::new(cfg.disc_width, cfg.disc_weight, &device));
    let paths = |name: &str| cfg.out.join(name);
    let mut step = 0u64;
    let mut best = f64::NEG_INFINITY;
    let mut vq_ready = false;
    let state = if cfg.resume {
        RunState::read(&cfg.out, f64::NEG_INFINITY).map_err(io_err(&cfg.out))?
    } else {
        None
    };
    if let Some(state) = state {
        (step, best, vq_ready) = (state.step, state.best, state.ready);
        (net, optim) = load_module(&cfg.out, NET_FILES, net, optim)
            .map_err(VqganError::BadWeights)?
            .ok_or_else(|| VqganError::BadWeights("state.txt without checkpoint.bpk".into()))?;
        if vq_ready {
            let bytes = std::fs::read(paths("vq.bin")).map_err(io_err(&cfg.out))?;
            vq.load_bytes(&bytes)?;
        }
        if let Some(adv) = adversary.as_mut() {
            adv.resume(&cfg.out)?;
        }
        log(&format!(
            "resumed at step {step} (best PSNR {best:.2} dB, codebook ready: {vq_ready})"
        ));
    } else if let Some(w) = &init {
        net = crate::model::load_module(VqganNet::new(&base, &device), &w.burnpack)?;
        net.decoder = net.decoder.deepen(&m, m.dec_blocks, &device);
        let full = w.levels.iter().find(|l| l.codes() == m.codes).ok_or_else(|| {
            VqganError::BadWeights("the initial weights have no full-codebook level".into())
        })?;
        vq = VqState::new(full.codebook.clone());
        vq_ready = true;
        log(&format!(
            "initialised from {} (codebook of {} entries)",
            cfg.init.as_deref().unwrap_or(Path::new("")).display(),
            m.codes
        ));
    }
    if cfg.decoder_only {
        if !vq_ready {
            return Err(VqganError::Unsupported(
                "--decoder-only needs a trained codebook (--init or a resumed run)".into(),
            ));
        }
        net.encoder = net.encoder.no_grad();
        net.quant_conv = net.quant_conv.no_grad();
    }

    let pool_steps = 20u64;
    let mut pool: Vec<f32> = Vec::new();
    let mut window = [0.0f64; 3];
    let mut window_n = 0u64;
    let (d, side) = (m.code_dim, cfg.crop / FACTOR);
    let hw = side * side;
    while step < cfg.steps {
        let batch = data.batch(cfg.seed, step, cfg.batch, cfg.crop);
        let x = Tensor::<4>::from_data(
            TensorData::new(batch, [cfg.batch, 3, cfg.crop, cfg.crop]),
            &device,
        );
        let ze = net.quant_conv.forward(net.encoder.forward(x.clone()));
        if !vq_ready && step >= cfg.vq_start {
            log(&format!(
                "k-means initialisation of the codebook on {} vectors",
                pool.len() / d
            ));
            vq.kmeans_init(&pool, 12, cfg.seed)?;
            pool = Vec::new();
            vq_ready = true;
        }
        let (zq, commit) = if vq_ready {
            let points = to_vectors(&values(ze.clone())?, cfg.batch, d, hw);
            let mut q = vq.quantise(&points, step, !cfg.decoder_only);
            if cfg.lost_fraction > 0.0 {
                for (b, crop) in q.all.chunks_mut(hw * d).take(cfg.lost_crops.max(1)).enumerate() {
                    let salt = step.wrapping_mul(64).wrapping_add(b as u64 * 0x9E37);
                    simulate_loss(
                        crop,
                        side,
                        d,
                        cfg.lost_fraction,
                        cfg.seed,
                        if b == 0 { step } else { salt },
                    );
                }
            }
            let qt = Tensor::<4>::from_data(
                TensorData::new(from_vectors(&q.all, cfg.batch, d, hw), [cfg.batch, d, side, side]),
                &device,
            );
            let commit = (ze.clone() - qt.clone()).powi_scalar(2).mean();
            (ze.clone() + (qt - ze).detach(), Some(commit))
        } else {
            if step + pool_steps >= cfg.vq_start {
                pool.extend(to_vectors(&values(ze.clone())?, cfg.batch, d, hw));
            }
            (ze, None)
        };
        let y = net.decoder.forward(net.post_quant_conv.forward(zq));
        let lr = learning_rate(cfg, step);
        let gan_on = matches!(cfg.gan_start, Some(start) if step >= start);
        let (mut loss, l1_value, ms_value, loss_value) =
            if let (true, Some(adv)) = (gan_on, adversary.as_mut()) {
                // Reconstruction gradient at the output from its own small graph; the adversary adds its term.
                let leaf = y.clone().detach().require_grad();
                let (rec, l1, ms) = recon.forward(x.clone(), leaf.clone());
                let values = (
                    f64::from(l1.into_scalar::<f32>()),
                    f64::from(ms.into_scalar::<f32>()),
                    f64::from(rec.clone().into_scalar::<f32>()),
                );
                let rec_grad = leaf
                    .grad(&rec.backward())
                    .ok_or_else(|| VqganError::Network("no gradient of the reconstruction loss".into()))?;
                let s = adv.step(x, y.clone(), rec_grad, lr)?;
                append(
                    &paths("gan.csv"),
                    "step,d_loss,g_loss,lambda",
                    &format!("{step},{:.5},{:.5},{:.5}", s.d_loss, s.g_loss, s.lambda),
                )?;
                ((y * s.output_grad.detach()).sum(), values.0, values.1, values.2)
            } else {
                let (rec, l1, ms) = recon.forward(x, y);
                let v = f64::from(rec.clone().into_scalar::<f32>());
                (
                    rec,
                    f64::from(l1.into_scalar::<f32>()),
                    f64::from(ms.into_scalar::<f32>()),
                    v,
                )
            };
        if let (Some(c), false) = (commit, cfg.decoder_only) {
            loss = loss + c.mul_scalar(cfg.commit);
        }
        if !loss_value.is_finite() {
            return Err(VqganError::Network(format!("loss diverged at step {step}")));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        net = optim.step(lr, net, grads);
        step += 1;
        window[0] += loss_value;
        window[1] += l1_value;
        window[2] += ms_value;
        window_n += 1;

        if step % 10 == 0 || step == cfg.steps {
            let n = window_n.max(1) as f64;
            let secs = started.elapsed().as_secs_f64();
            append(
                &paths("train.csv"),
                "step,lr,loss,l1,ms_ssim,seconds",
                &format!(
                    "{step},{lr:.3e},{:.5},{:.5},{:.5},{secs:.1}",
                    window[0] / n,
                    window[1] / n,
                    window[2] / n
                ),
            )?;
            log(&format!(
                "step {step}/{} lr {lr:.2e} loss {:.4} l1 {:.4} ms-ssim {:.4} {secs:.0} s",
                cfg.steps,
                window[0] / n,
                window[1] / n,
                window[2] / n
            ));
            window = [0.0; 3];
            window_n = 0;
        }
        if vq_ready && step % 50 == 0 {
            let usage = vq.take_usage();
            let (u, p) = usage.first().copied().unwrap_or((0.0, 0.0));
            append(
                &paths("usage.csv"),
                "step,usage,perplexity",
                &format!("{step},{u:.3},{p:.1}"),
            )?;
            if u < 0.05 && step >= cfg.vq_start + 300 {
                return Err(VqganError::Network(format!(
                    "codebook collapse at step {step}: {:.1} % of the entries used",
                    u * 100.0
                )));
            }
        }
        let validate_now = vq_ready && (step % cfg.eval_interval.max(1) == 0 || step == cfg.steps);
        if validate_now && !val.is_empty() {
            let eval_net = net.valid().to_device(&eval_device);
            let level = level_of(&eval_net, vq.books.clone(), vq.prior())?;
            let model = VqganModel::from_parts(m, vec![level.clone()], eval_net.clone(), &eval_device);
            let psnr = validate(&model, &val, m.codes)?;
            append(
                &paths("val.csv"),
                "step,psnr_full_codebook",
                &format!("{step},{psnr:.4}"),
            )?;
            log(&format!(
                "validation at step {step}: PSNR {psnr:.3} dB ({} held-out crops)",
                val.len()
            ));
            // last.bin: the weights of every validation (for measures the run does not make, e.g. after losses).
            let bytes = VqganWeights::to_bytes(&m, &module_bytes(eval_net)?, &[level], None, None);
            write_atomic(&paths("last.bin"), &bytes)?;
            if psnr > best {
                best = psnr;
                write_atomic(&paths("best.bin"), &bytes)?;
                log(&format!("new best {psnr:.3} dB -> best.bin"));
            }
        }
        let out_of_time = cfg
            .max_seconds
            .is_some_and(|limit| started.elapsed().as_secs_f64() >= limit);
        if step % cfg.checkpoint_interval.max(1) == 0 || step == cfg.steps || validate_now || out_of_time {
            if let Some(adv) = adversary.as_ref() {
                adv.checkpoint(&cfg.out)?;
            }
            let state = RunState {
                step,
                best,
                ready: vq_ready,
            };
            save_checkpoint(
                &cfg.out,
                NET_FILES,
                net.clone(),
                &optim,
                vq_ready.then_some(&vq),
                &state,
            )
            .map_err(VqganError::Network)?;
        }
        if out_of_time {
            log(&format!("time limit reached at step {step}"));
            break;
        }
    }
    Ok(TrainReport {
        steps: step,
        best_psnr: best,
        seconds: started.elapsed().as_secs_f64(),
        model: paths("best.bin"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_loss_fills_some_positions_from_their_neighbours() {
        let (side, d) = (16, 2);
        let mut replaced = 0;
        for step in 0..20 {
            // A constant field with one outlier: a lost outlier is replaced by the field's value; lost
            // positions elsewhere stay within the field's range.
            let mut codes = vec![1.0f32; side * side * d];
            codes[6] = 100.0;
            simulate_loss(&mut codes, side, d, 0.5, 1, step);
            replaced += usize::from(codes[6] < 2.0);
            assert!(codes.iter().all(|v| (1.0..=100.0).contains(v)));
        }
        assert!(replaced > 0 && replaced < 20, "{replaced}");
    }
}

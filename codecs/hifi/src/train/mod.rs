//! Training HiFi-Codec (feature `train`; spec §1.7–1.8, scaled per recipe A of §6.2): `cinder train hifi`.
//!
//! Phase 1 (reconstruction): `45·L1(logmel 1024) + L1(logmel 512) + L1(logmel 256)` ([`mel`]) plus
//! `commit · mean((z − sg(q))²)`; the codebooks follow exponential moving averages ([`VqState`]). The first
//! `vq_start` steps run the autoencoder unquantised and collect encoder outputs; at `vq_start` every codebook is
//! initialised by k-means on them. Quantiser dropout: each crop is decoded from layer 1 only (1 kbps) with
//! probability `dropout`, else from both layers (2 kbps), so one decoder serves both quality levels.
//! Phase 2 (from `gan_start`): LSGAN with a multi-scale STFT discriminator, optionally the multi-period one
//! ([`mpd`]), and per-layer-averaged feature matching ([`disc`]).
//! Decoder-only fine-tuning (`freeze_encoder`, from `init`): the encoder and the codebooks stay as loaded, so
//! the tokens — and the bitstream a file of the initial model carries — do not change; only the decoder learns,
//! and the step skips the encoder's backward pass.
//!
//! Adam β = (0.8, 0.99) (DAC's; the reference's (0.5, 0.9) is tuned for a month-long run), linear warm-up then
//! cosine decay to 10 %. Batches are pure functions of `(seed, step)`, so a resumed run sees the same data.
//! Files in `--out`: `train.csv`, `usage.csv` (per-codebook usage and perplexity), `val.csv` (mel error and
//! PESQ-WB of the held-out clips at 1 and 2 kbps), `checkpoint.bpk` + `optim.bpk` + `vq.bin` + `state.txt`
//! (resume), `last.bin` (the latest validated weights) and `best.bin` (the validation checkpoint with the highest
//! PESQ-WB at 2 kbps; `CWHF` weights files). A run started from `init` validates the initial weights first
//! (step 0), so `best.bin` only moves when training beats them.

pub mod data;
pub mod disc;
pub mod mel;
pub mod mpd;

use crate::config::{HifiConfig, HOP};
use crate::model::{load_net, net_bytes, values, HifiModel};
use crate::net::HifiNet;
use crate::weights::HifiWeights;
use crate::HifiError;
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData};
use cinder_nn::train_io::sample_seed;
use cinder_nn::train_io::{load_module, save_checkpoint, RunState};
use cinder_nn::vq::{from_vectors as channel_major, to_vectors as frame_major, VqState};
use data::SpeechData;
use mel::MelLoss;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Settings of one training run.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Folder of training speech (any rate; resampled to 16 kHz, downmixed).
    pub data: PathBuf,
    /// Output folder.
    pub out: PathBuf,
    /// Network shape.
    pub model: HifiConfig,
    /// Samples per crop (a multiple of 320).
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
    /// Unquantised steps before k-means initialisation of the codebooks.
    pub vq_start: u64,
    /// Probability that a crop is decoded from the first residual layer only.
    pub dropout: f64,
    /// Weight of the commitment loss.
    pub commit: f64,
    /// Step at which the adversarial losses start (`None`: reconstruction only).
    pub gan_start: Option<u64>,
    /// Add the multi-period discriminator ([`mpd`]) to the STFT one in the adversarial phase.
    pub mpd: bool,
    /// Train the decoder only: encoder and codebooks stay as `init` (or the resumed checkpoint) holds them.
    pub freeze_encoder: bool,
    /// Every `val_every`-th file is held out.
    pub val_every: usize,
    /// Seconds of each held-out file used for validation.
    pub val_seconds: f64,
    /// Steps between validations.
    pub eval_interval: u64,
    /// Steps between checkpoints.
    pub checkpoint_interval: u64,
    /// Continue from the checkpoint in `out`.
    pub resume: bool,
    /// Start a fresh run from a `CWHF` weights file (networks and codebooks; the codebooks skip the k-means
    /// initialisation). Ignored when resuming from a checkpoint.
    pub init: Option<PathBuf>,
    /// Where the networks train.
    pub device: cinder_core::Device,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            data: PathBuf::from("../shared/data/audio/speech/train"),
            out: PathBuf::from("hifi-train"),
            model: HifiConfig::default(),
            crop: 8000,
            batch: 8,
            steps: 6000,
            lr: 5e-4,
            warmup: 200,
            seed: 1,
            vq_start: 300,
            dropout: 0.4,
            commit: 2.5,
            gan_start: None,
            mpd: false,
            freeze_encoder: false,
            val_every: 25,
            val_seconds: 4.0,
            eval_interval: 250,
            checkpoint_interval: 50,
            resume: false,
            init: None,
            device: cinder_core::Device::Cpu,
        }
    }
}

/// What a run reached.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Steps done in total.
    pub steps: u64,
    /// Best validation PESQ-WB at the top quality.
    pub best_pesq: f64,
    /// Seconds of this invocation.
    pub seconds: f64,
    /// The best weights file.
    pub model: PathBuf,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> HifiError + '_ {
    move |e| HifiError::Data(format!("cannot write {}: {e}", path.display()))
}

/// Appends a CSV line, writing the header first into a new file.
pub(crate) fn append(path: &Path, header: &str, line: &str) -> Result<(), HifiError> {
    cinder_nn::train_io::append_csv(path, header, line).map_err(io_err(path))
}

pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), HifiError> {
    cinder_nn::train_io::write_atomic(path, bytes).map_err(io_err(path))
}

/// The networks' checkpoint and optimiser files.
const NET_FILES: (&str, &str) = ("checkpoint.bpk", "optim.bpk");

fn learning_rate(cfg: &TrainConfig, step: u64) -> f64 {
    if step < cfg.warmup {
        return cfg.lr * (step + 1) as f64 / cfg.warmup as f64;
    }
    let t = (step - cfg.warmup) as f64 / cfg.steps.saturating_sub(cfg.warmup).max(1) as f64;
    cfg.lr * (0.1 + 0.9 * 0.5 * (1.0 + (std::f64::consts::PI * t.min(1.0)).cos()))
}

/// What one validation measured: mean mel error and PESQ-WB of the held-out clips at 1 and 2 kbps.
struct Validation {
    mel: [f64; 2],
    pesq: [f64; 2],
}

/// PESQ-WB (P.862.2) of a decoded clip against the original, both at 16 kHz, quantised to 16 bits; NaN where
/// PESQ refuses the clip (e.g. silence), which then never counts as a new best.
fn pesq_wb(reference: &[f32], decoded: &[f32]) -> f64 {
    let pcm = |x: &[f32]| -> Vec<i16> {
        x.iter()
            .map(|&s| (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
            .collect()
    };
    pesq::pesq_wb(&pcm(reference), &pcm(decoded)).map_or(f64::NAN, f64::from)
}

/// Mel error (HiFi-GAN's L1 between 80-band log-mels) and PESQ-WB of the held-out clips at 1 and 2 kbps.
fn validate(model: &HifiModel, clips: &[Vec<f32>], device: &Device) -> Result<Validation, HifiError> {
    let metric = MelLoss::mel_error(device);
    let mut out = Validation {
        mel: [0.0; 2],
        pesq: [0.0; 2],
    };
    for (slot, layers) in [(0usize, 1usize), (1, 2)] {
        let (mut mel, mut pesq) = (0.0, 0.0);
        for clip in clips {
            let tokens = model.tokens(clip, layers)?;
            let decoded = model.decode_tokens(&tokens, layers)?;
            let n = clip.len();
            let t = |v: &[f32]| Tensor::<3>::from_data(TensorData::new(v.to_vec(), [1, 1, n]), device);
            let e = metric.forward(t(clip), t(&decoded[..n]));
            mel += f64::from(e.into_scalar::<f32>());
            pesq += pesq_wb(clip, &decoded[..n]);
        }
        let count = clips.len().max(1) as f64;
        (out.mel[slot], out.pesq[slot]) = (mel / count, pesq / count);
    }
    Ok(out)
}

/// Runs (or resumes) training.
pub fn train(cfg: &TrainConfig, log: &mut dyn FnMut(&str)) -> Result<TrainReport, HifiError> {
    let started = Instant::now();
    cfg.model.validate()?;
    if cfg.crop % HOP != 0 || cfg.crop == 0 || cfg.batch == 0 {
        return Err(HifiError::Unsupported(format!(
            "crop {} must be a positive multiple of {HOP}",
            cfg.crop
        )));
    }
    std::fs::create_dir_all(&cfg.out).map_err(io_err(&cfg.out))?;
    let data = SpeechData::load(&cfg.data, cfg.val_every, log)?;
    let val_len = (cfg.val_seconds * 16_000.0) as usize / HOP * HOP;
    let val_clips: Vec<Vec<f32>> = data
        .val
        .iter()
        .map(|c| c[..c.len().min(val_len)].to_vec())
        .collect();
    let net_err = |e: cinder_nn::NnError| HifiError::Network(e.to_string());
    let device = cinder_nn::training_device(cfg.device).map_err(net_err)?;
    let eval_device = cinder_nn::inference_device(cfg.device).map_err(net_err)?;
    device.seed(cfg.seed);
    let m = cfg.model;
    let mut net = HifiNet::new(&m, &device);
    let mut optim = AdamConfig::new().with_beta_1(0.8).with_beta_2(0.99).init();
    let mut vq = VqState::new(crate::grvq::zero_codebooks(&m)?);
    let mut adversary = cfg.gan_start.map(|_| disc::Adversary::new(&device, cfg.mpd));
    let mel = MelLoss::hifi_codec(&device);
    let paths = |name: &str| cfg.out.join(name);
    let mut step = 0u64;
    // The best validation PESQ-WB at 2 kbps so far, negated (`RunState` keeps "lower is better").
    let mut best = f64::INFINITY;
    let mut vq_ready = false;
    let state = if cfg.resume {
        RunState::read(&cfg.out, f64::INFINITY).map_err(io_err(&cfg.out))?
    } else {
        None
    };
    if let (Some(path), None) = (&cfg.init, state) {
        let bytes = std::fs::read(path).map_err(|e| HifiError::Data(format!("{}: {e}", path.display())))?;
        let w = HifiWeights::from_bytes(&bytes)?;
        if w.config != m {
            return Err(HifiError::BadWeights(format!(
                "{} holds a {:?} model, the run asks for {m:?}",
                path.display(),
                w.config
            )));
        }
        net = load_net(net, &w.burnpack)?;
        vq = VqState::with_prior(w.codebooks, &w.prior);
        vq_ready = true;
        log(&format!(
            "initialised from {} (networks and codebooks)",
            path.display()
        ));
    }
    if let Some(state) = state {
        (step, best, vq_ready) = (state.step, state.best, state.ready);
        (net, optim) = load_module(&cfg.out, NET_FILES, net, optim)
            .map_err(HifiError::BadWeights)?
            .ok_or_else(|| HifiError::BadWeights("state.txt without checkpoint.bpk".into()))?;
        if vq_ready {
            let bytes = std::fs::read(paths("vq.bin")).map_err(io_err(&cfg.out))?;
            vq.load_bytes(&bytes)
                .map_err(|e| HifiError::BadWeights(e.to_string()))?;
        }
        if let Some(adv) = adversary.as_mut() {
            adv.resume(&cfg.out)?;
        }
        log(&format!(
            "resumed at step {step} (best PESQ-WB {:.4}, codebooks ready: {vq_ready})",
            -best
        ));
    }
    if cfg.freeze_encoder && !vq_ready {
        return Err(HifiError::Unsupported(
            "decoder-only training needs trained codebooks: start from --init weights".into(),
        ));
    }
    // The frozen encoder runs without autodiff on the inference device.
    let frozen = cfg
        .freeze_encoder
        .then(|| net.encoder.clone().valid().to_device(&eval_device));

    let pool_steps = 25u64;
    let mut pool: Vec<f32> = Vec::new();
    let mut window = [0.0f64; 4];
    let mut window_n = 0u64;
    let latent = m.latent;
    let frames = cfg.crop / HOP;
    if step == 0 && vq_ready && !val_clips.is_empty() {
        // A run from `init` scores the initial weights first: they are the bar for best.bin.
        best = validate_and_save(cfg, &net, &vq, &val_clips, &eval_device, step, best, log)?;
    }
    while step < cfg.steps {
        let wave = data.batch(cfg.seed, step, cfg.batch, cfg.crop);
        let dims = [cfg.batch, 1, cfg.crop];
        let x = Tensor::<3>::from_data(TensorData::new(wave.clone(), dims), &device);
        let z = match &frozen {
            Some(encoder) => encoder.forward(Tensor::from_data(TensorData::new(wave, dims), &eval_device)),
            None => net.encoder.forward(x.clone()),
        };
        if !vq_ready && step >= cfg.vq_start {
            log(&format!(
                "k-means initialisation of {} codebooks on {} frames",
                m.codebooks(),
                pool.len() / latent
            ));
            vq.kmeans_init(&pool, 12, cfg.seed)
                .map_err(|e| HifiError::Data(e.to_string()))?;
            pool = Vec::new();
            vq_ready = true;
        }
        let (zq, commit) = if vq_ready {
            let zf = frame_major(&values(z.clone())?, cfg.batch, latent, frames);
            let q = vq.quantise(&zf, step, frozen.is_none());
            let mut sel = q.all;
            for b in 0..cfg.batch {
                let r = sample_seed(cfg.seed ^ 0xD80, step, b as u64);
                if ((r >> 11) as f64 / (1u64 << 53) as f64) < cfg.dropout {
                    let span = b * frames * latent..(b + 1) * frames * latent;
                    sel[span.clone()].copy_from_slice(&q.first[span]);
                }
            }
            let qt = Tensor::<3>::from_data(
                TensorData::new(
                    channel_major(&sel, cfg.batch, latent, frames),
                    [cfg.batch, latent, frames],
                ),
                &device,
            );
            if frozen.is_some() {
                (qt, None)
            } else {
                let commit = (z.clone() - qt.clone()).powi_scalar(2).mean();
                (z.clone() + (qt - z).detach(), Some(commit))
            }
        } else {
            if step + pool_steps >= cfg.vq_start {
                pool.extend(frame_major(&values(z.clone())?, cfg.batch, latent, frames));
            }
            (z, None)
        };
        let y = net.decoder.forward(zq);
        let recon = mel.forward(x.clone(), y.clone());
        let mut loss = recon.clone();
        let commit_value = match commit {
            Some(c) => {
                let v = f64::from(c.clone().into_scalar::<f32>());
                loss = loss + c * cfg.commit;
                v
            }
            None => 0.0,
        };
        let lr = learning_rate(cfg, step);
        let mut adv_values = (0.0, 0.0);
        if let (Some(adv), Some(start)) = (adversary.as_mut(), cfg.gan_start) {
            if step >= start {
                let (g_loss, d_value, g_value) = adv.losses(x, y, lr)?;
                loss = loss + g_loss;
                adv_values = (d_value, g_value);
            }
        }
        let recon_value = f64::from(recon.into_scalar::<f32>());
        if !recon_value.is_finite() {
            return Err(HifiError::Network(format!("loss diverged at step {step}")));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        net = optim.step(lr, net, grads);
        step += 1;
        window[0] += recon_value;
        window[1] += commit_value;
        window[2] += adv_values.0;
        window[3] += adv_values.1;
        window_n += 1;

        if step % 10 == 0 || step == cfg.steps {
            let n = window_n.max(1) as f64;
            let secs = started.elapsed().as_secs_f64();
            append(
                &paths("train.csv"),
                "step,lr,mel_loss,commit,d_loss,g_adv,seconds",
                &format!(
                    "{step},{lr:.3e},{:.5},{:.5},{:.5},{:.5},{secs:.1}",
                    window[0] / n,
                    window[1] / n,
                    window[2] / n,
                    window[3] / n
                ),
            )?;
            log(&format!(
                "step {step}/{} lr {lr:.2e} mel {:.4} commit {:.4} d {:.3} g {:.3} {secs:.0} s",
                cfg.steps,
                window[0] / n,
                window[1] / n,
                window[2] / n,
                window[3] / n
            ));
            window = [0.0; 4];
            window_n = 0;
        }
        if vq_ready && step % 100 == 0 {
            let usage = vq.take_usage();
            let line: Vec<String> = usage.iter().map(|(u, p)| format!("{u:.3},{p:.1}")).collect();
            append(
                &paths("usage.csv"),
                "step,usage_l1g1,perplexity_l1g1,usage_l1g2,perplexity_l1g2,usage_l2g1,perplexity_l2g1,usage_l2g2,perplexity_l2g2",
                &format!("{step},{}", line.join(",")),
            )?;
            let low: Vec<usize> = (0..usage.len()).filter(|&i| usage[i].0 < 0.05).collect();
            if !low.is_empty() && step >= cfg.vq_start + 500 {
                return Err(HifiError::Network(format!(
                    "codebook collapse at step {step}: codebooks {low:?} use under 5 % of their entries ({usage:?})"
                )));
            }
        }
        let validate_now = vq_ready && (step % cfg.eval_interval.max(1) == 0 || step == cfg.steps);
        if validate_now && !val_clips.is_empty() {
            best = validate_and_save(cfg, &net, &vq, &val_clips, &eval_device, step, best, log)?;
        }
        if step % cfg.checkpoint_interval.max(1) == 0 || step == cfg.steps || validate_now {
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
            .map_err(HifiError::Network)?;
        }
    }
    Ok(TrainReport {
        steps: step,
        best_pesq: -best,
        seconds: started.elapsed().as_secs_f64(),
        model: paths("best.bin"),
    })
}

/// Validates the current networks, appends to `val.csv`, writes `last.bin`, and `best.bin` when the PESQ-WB at
/// 2 kbps beats `best` (negated). Returns the new `best`.
#[allow(clippy::too_many_arguments)]
fn validate_and_save(
    cfg: &TrainConfig,
    net: &HifiNet,
    vq: &VqState,
    clips: &[Vec<f32>],
    device: &Device,
    step: u64,
    best: f64,
    log: &mut dyn FnMut(&str),
) -> Result<f64, HifiError> {
    let eval_net = net.clone().valid().to_device(device);
    let m = cfg.model;
    let model = HifiModel::from_parts(m, vq.books.clone(), vq.prior(), eval_net.clone(), device);
    let v = validate(&model, clips, device)?;
    append(
        &cfg.out.join("val.csv"),
        "step,mel_error_1kbps,mel_error_2kbps,pesq_wb_1kbps,pesq_wb_2kbps",
        &format!(
            "{step},{:.5},{:.5},{:.4},{:.4}",
            v.mel[0], v.mel[1], v.pesq[0], v.pesq[1]
        ),
    )?;
    log(&format!(
        "validation at step {step}: mel error {:.4} / {:.4}, PESQ-WB {:.4} / {:.4} (1 / 2 kbps)",
        v.mel[0], v.mel[1], v.pesq[0], v.pesq[1]
    ));
    let bytes = HifiWeights::to_bytes(&m, &vq.books, &vq.prior(), &net_bytes(eval_net)?);
    write_atomic(&cfg.out.join("last.bin"), &bytes)?;
    if -v.pesq[1] < best {
        write_atomic(&cfg.out.join("best.bin"), &bytes)?;
        log(&format!("new best PESQ-WB {:.4} -> best.bin", v.pesq[1]));
        return Ok(-v.pesq[1]);
    }
    Ok(best)
}

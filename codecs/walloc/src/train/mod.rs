//! Training the deep WaLLoC decoders (feature `train`; spec A1.7/A1.9, scaled down per §6.3): [`image`] for
//! RGB (`cinder train walloc`), [`audio`] for stereo (`cinder train walloc --audio`).
//!
//! The PCA encoder is frozen (it is the shipped linear model), so every training sample is exactly what the codec
//! stores: a random crop → WPT → projection at a random quality level → 8-bit companding with **rounding** (no
//! noise proxy is needed when the encoder does not learn). The network learns the residual between the true WPT
//! coefficients and the linear reconstruction; each sample's loss is its weighted squared error divided by the
//! linear decoder's, so all quality levels count alike (`loss_db` = mean gain in dB). AdamW (no weight decay), linear warm-up, then cosine decay to 5 %.
//!
//! Every batch is a pure function of `(seed, step)`, so a resumed run sees the same data as an uninterrupted one.
//! Files in `--out`: `train.csv` (step, lr, loss), `val.csv` (validation quality per level of the linear and the
//! deep decoder on fixed held-out crops), `checkpoint.bpk` + `optim.bpk` + `state.txt` (resume), `best.bin` (the
//! best validation checkpoint as a self-contained deep weights file).

pub mod audio;
pub mod image;

pub use audio::train_audio;
pub use image::train;

use crate::deep::{net_bytes, DeepConfig};
use crate::WallocError;
use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::{Device, Tensor};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Settings of one training run.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Output folder (logs, checkpoints, `best.bin`).
    pub out: PathBuf,
    /// Network shape (outputs must be the linear model's WPT dimension).
    pub net: DeepConfig,
    /// Crop side in pixels (a multiple of 8) for images; window in samples (a multiple of 256) for audio.
    pub crop: usize,
    /// Crops per step.
    pub batch: usize,
    /// Total optimisation steps.
    pub steps: u64,
    /// Peak learning rate.
    pub lr: f64,
    /// Linear warm-up steps.
    pub warmup: u64,
    /// Seed of initialisation and sampling.
    pub seed: u64,
    /// Images: every `val_every`-th image (in the given order) is held out for validation.
    pub val_every: usize,
    /// Steps between validations (and `best.bin` updates).
    pub eval_interval: u64,
    /// Steps between checkpoints.
    pub checkpoint_interval: u64,
    /// Continue from the checkpoint in `out`.
    pub resume: bool,
    /// Where the network trains.
    pub device: cinder_core::Device,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            out: PathBuf::from("walloc-train"),
            net: DeepConfig {
                width: 64,
                blocks: 6,
                outputs: 192,
            },
            crop: 256,
            batch: 8,
            steps: 4000,
            lr: 5e-4,
            warmup: 200,
            seed: 1,
            val_every: 20,
            eval_interval: 250,
            checkpoint_interval: 50,
            resume: false,
            device: cinder_core::Device::Cpu,
        }
    }
}

/// What a run reached.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Steps done in total.
    pub steps: u64,
    /// Best mean validation gain of the deep over the linear decoder (dB).
    pub best_gain_db: f64,
    /// Seconds of this invocation.
    pub seconds: f64,
    /// The best weights file.
    pub model: PathBuf,
}

/// What differs between the image and the audio run.
pub(crate) trait Task {
    /// The network.
    type Net: Module;
    /// A fresh network.
    fn init(&self, device: &Device) -> Self::Net;
    /// The loss of the batch of `step` (a pure function of the seed and the step).
    fn loss(&self, net: &Self::Net, step: u64, device: &Device) -> Tensor<1>;
    /// Validation on the held-out set: appends to `val.csv`, logs, returns the mean gain in dB.
    fn validate(
        &self,
        net: &Self::Net,
        device: &Device,
        step: u64,
        log: &mut dyn FnMut(&str),
    ) -> Result<f64, WallocError>;
    /// The self-contained weights file of a network.
    fn weights_file(&self, net: Self::Net) -> Result<Vec<u8>, WallocError>;
}

pub(crate) use cinder_nn::train_io::{mix, sample_seed};

fn learning_rate(cfg: &TrainConfig, step: u64) -> f64 {
    if step < cfg.warmup {
        return cfg.lr * (step + 1) as f64 / cfg.warmup as f64;
    }
    let t = (step - cfg.warmup) as f64 / (cfg.steps.saturating_sub(cfg.warmup)).max(1) as f64;
    let floor = 0.05;
    cfg.lr * (floor + (1.0 - floor) * 0.5 * (1.0 + (std::f64::consts::PI * t.min(1.0)).cos()))
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> WallocError + '_ {
    move |e| WallocError::Unsupported(format!("cannot write {}: {e}", path.display()))
}

/// Appends a CSV line, writing the header first into a new file.
pub(crate) fn append(path: &Path, header: &str, line: &str) -> Result<(), WallocError> {
    cinder_nn::train_io::append_csv(path, header, line).map_err(io_err(path))
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WallocError> {
    cinder_nn::train_io::write_atomic(path, bytes).map_err(io_err(path))
}

/// The shared loop: resume, steps, logs, validation, checkpoints.
pub(crate) fn run<T: Task>(
    task: &T,
    cfg: &TrainConfig,
    log: &mut dyn FnMut(&str),
) -> Result<TrainReport, WallocError> {
    let started = Instant::now();
    let unsupported = |e: cinder_nn::NnError| WallocError::Unsupported(e.to_string());
    std::fs::create_dir_all(&cfg.out)
        .map_err(|e| WallocError::Unsupported(format!("cannot create {}: {e}", cfg.out.display())))?;
    let device = cinder_nn::training_device(cfg.device).map_err(unsupported)?;
    let eval_device = cinder_nn::inference_device(cfg.device).map_err(unsupported)?;
    device.seed(cfg.seed);
    let mut net = task.init(&device);
    let mut optim = AdamWConfig::new().with_weight_decay(0.0).init();
    let (ckpt, optim_path, state_path) = (
        cfg.out.join("checkpoint.bpk"),
        cfg.out.join("optim.bpk"),
        cfg.out.join("state.txt"),
    );
    let mut step = 0u64;
    let mut best = f64::NEG_INFINITY;
    if cfg.resume && state_path.exists() {
        let text = std::fs::read_to_string(&state_path).unwrap_or_default();
        let mut fields = text.split_whitespace();
        step = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        best = fields
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(f64::NEG_INFINITY);
        net = net
            .try_load_file(&ckpt)
            .map_err(|e| WallocError::BadWeights(format!("checkpoint {}: {e}", ckpt.display())))?;
        if optim_path.exists() {
            optim = optim
                .load(&optim_path)
                .map_err(|e| WallocError::BadWeights(format!("optimiser state: {e}")))?;
        }
        log(&format!(
            "resumed at step {step} (best validation gain {best:.3} dB)"
        ));
    }

    let mut window = (0.0f64, 0u64);
    while step < cfg.steps {
        let loss = task.loss(&net, step, &device);
        let loss_value = f64::from(loss.clone().into_scalar::<f32>());
        if !loss_value.is_finite() {
            return Err(WallocError::Unsupported(format!("loss diverged at step {step}")));
        }
        let lr = learning_rate(cfg, step);
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        net = optim.step(lr, net, grads);
        step += 1;
        window = (window.0 + loss_value, window.1 + 1);

        if step % 10 == 0 || step == cfg.steps {
            let mean = window.0 / window.1 as f64;
            let db = -10.0 * mean.max(1e-12).log10();
            let secs = started.elapsed().as_secs_f64();
            append(
                &cfg.out.join("train.csv"),
                "step,lr,loss,loss_db,seconds",
                &format!("{step},{lr:.3e},{mean:.6e},{db:.3},{secs:.1}"),
            )?;
            log(&format!(
                "step {step}/{} lr {lr:.2e} loss {mean:.3e} ({db:.2} dB) {secs:.1} s",
                cfg.steps
            ));
            window = (0.0, 0);
        }
        let validate = step % cfg.eval_interval.max(1) == 0 || step == cfg.steps;
        if validate {
            let eval_net = net.valid().to_device(&eval_device);
            let gain = task.validate(&eval_net, &eval_device, step, log)?;
            if gain > best {
                best = gain;
                write_atomic(&cfg.out.join("best.bin"), &task.weights_file(eval_net)?)?;
                log(&format!("new best validation gain {gain:.3} dB -> best.bin"));
            }
        }
        if step % cfg.checkpoint_interval.max(1) == 0 || step == cfg.steps || validate {
            write_atomic(&ckpt, &net_bytes(net.clone())?)?;
            let opt = optim
                .into_bytes()
                .map_err(|e| WallocError::Unsupported(format!("optimiser state: {e}")))?;
            write_atomic(&optim_path, &opt)?;
            write_atomic(&state_path, format!("{step} {best}\n").as_bytes())?;
        }
    }
    Ok(TrainReport {
        steps: step,
        best_gain_db: best,
        seconds: started.elapsed().as_secs_f64(),
        model: cfg.out.join("best.bin"),
    })
}

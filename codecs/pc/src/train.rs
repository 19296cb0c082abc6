//! Training an HCLT (spec §1.2–1.3, §7): Chow–Liu structure on a subset of the training images, then
//! mini-batch EM with a piecewise-linear annealed step size and Laplace smoothing, then full-batch EM epochs.
//! A validation split is held out from the *training* file (the test split is never touched); the best
//! validation checkpoint is kept; `resume` continues from the last epoch checkpoint after a kill.
//!
//! Files in `out`: `ckpt.pcm` (last epoch, f32), `best.pcm` (best validation, f32), `state.txt` (resume
//! point), `log.csv` (one line per epoch), and at the end `model.pcm` (the best model, log-quantised).

use crate::circuit::{Circuit, Params, SplitMix, K};
use crate::data::{read_idx_images, Pixels};
use crate::em::{bpd, m_step, mean_ll, Accumulators, Model};
use crate::model_io::{load, save, to_f32, Storage};
use crate::structure::chow_liu_tree;
use crate::PcError;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Settings of one training run (plain fields; `Default` gives the shipped recipe's values).
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Folder holding `train-images-idx3-ubyte.gz` (MNIST or Fashion-MNIST layout).
    pub data: PathBuf,
    /// Output folder (checkpoints, log, final model).
    pub out: PathBuf,
    /// Latent states M per inner tree node.
    pub hidden: usize,
    /// Continue from `out/ckpt.pcm` and `out/state.txt`.
    pub resume: bool,
    /// Mini-batch EM steps; `None` means `epochs` full passes over the training split.
    pub steps: Option<u64>,
    /// Mini-batch epochs when `steps` is `None`.
    pub epochs: usize,
    /// Full-batch EM epochs after the mini-batch phase.
    pub full_epochs: usize,
    /// Images per mini-batch.
    pub batch: usize,
    /// Step size at the start, at 60 % of the mini-batch steps, and at the end.
    pub eta: [f32; 3],
    /// Laplace pseudocount α.
    pub alpha: f32,
    /// Fraction of the training file held out for validation (taken from its end).
    pub val_fraction: f64,
    /// Training images used to learn the Chow–Liu tree.
    pub structure_images: usize,
    /// Use only the first this many images of the file (tests, quick runs).
    pub max_images: Option<usize>,
    /// Seed of initialisation and shuffling.
    pub seed: u64,
    /// Training augmentation: copies of every training image moved by one pixel in this many directions
    /// (0 = none, 4 = the axis moves, 8 = also the diagonals; see [`crate::data::SHIFTS`]). The validation
    /// split and the Chow–Liu structure use the original images only.
    pub shifts: usize,
    /// Training augmentation: also mirror images (left–right) of every training image and copy.
    pub hflip: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            data: crate::data::default_data_root(),
            out: PathBuf::from("pc-train"),
            hidden: 32,
            resume: false,
            steps: None,
            epochs: 20,
            full_epochs: 2,
            batch: 512,
            eta: [0.8, 0.1, 0.02],
            alpha: 0.1,
            val_fraction: 0.05,
            structure_images: 10_000,
            max_images: None,
            seed: 1,
            shifts: 0,
            hflip: false,
        }
    }
}

/// What a finished run reports.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Best validation bpd of the f32 model.
    pub best_val_bpd: f64,
    /// Validation bpd of the shipped (quantised) model.
    pub quantised_val_bpd: f64,
    /// Mini-batch steps done in total.
    pub steps: u64,
    /// Wall time of this invocation.
    pub seconds: f64,
    /// The final model file.
    pub model: PathBuf,
}

struct Resume {
    step: u64,
    epoch: usize,
    best: f64,
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), PcError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| PcError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| PcError::io(path, e))
}

fn eta_at(cfg: &TrainConfig, step: u64, total: u64) -> f32 {
    let t = step as f64 / total.max(1) as f64;
    let [a, b, c] = cfg.eta.map(f64::from);
    (if t < 0.6 {
        a + (b - a) * t / 0.6
    } else {
        b + (c - b) * (t - 0.6) / 0.4
    }) as f32
}

/// Trains an HCLT; `progress` receives one line per epoch.
pub fn train(cfg: &TrainConfig, progress: &mut dyn FnMut(&str)) -> Result<TrainReport, PcError> {
    let t0 = Instant::now();
    if cfg.hidden == 0
        || cfg.batch == 0
        || !(0.0..0.5).contains(&cfg.val_fraction)
        || cfg.shifts > crate::data::SHIFTS.len()
    {
        return Err(PcError::Config(format!(
            "hidden and batch must be ≥ 1, val_fraction in [0, 0.5), shifts at most {}",
            crate::data::SHIFTS.len()
        )));
    }
    std::fs::create_dir_all(&cfg.out).map_err(|e| PcError::io(&cfg.out, e))?;
    // Read (and check) the resume point before loading and augmenting the data.
    let resumed = if cfg.resume && cfg.out.join("state.txt").exists() {
        Some(read_state(cfg)?)
    } else {
        None
    };
    let mut all = read_idx_images(&cfg.data.join("train-images-idx3-ubyte.gz"))?;
    if let Some(n) = cfg.max_images {
        all = all.slice(0, n.min(all.count));
    }
    let n_val = (all.count as f64 * cfg.val_fraction).round() as usize;
    let originals = all.slice(0, all.count - n_val);
    let val = all.slice(all.count - n_val, all.count);
    let train = originals.with_shifts(cfg.shifts, cfg.hflip);
    let dim = train.dim();
    progress(&format!(
        "data: {} train ({} with augmentation), {} validation images of {}x{}",
        originals.count, train.count, val.count, train.width, train.height
    ));
    let (circuit, mut prm, mut st) = if let Some(st) = resumed {
        let (c, p) = load_checkpoint(cfg)?;
        (c, p, st)
    } else {
        let s = originals.slice(0, cfg.structure_images.min(originals.count));
        let tree = chow_liu_tree(&s, 0.1)?;
        let c = Circuit::new(train.width, train.height, cfg.hidden, tree)?;
        let p = Params::init(&c, &histogram(&train), 0.4, cfg.seed);
        (
            c,
            p,
            Resume {
                step: 0,
                epoch: 0,
                best: f64::INFINITY,
            },
        )
    };
    progress(&format!(
        "HCLT: {dim} pixels, {} latents x {} states, {:.2} s",
        circuit.slots,
        circuit.m,
        t0.elapsed().as_secs_f64()
    ));
    let per_epoch = train.count.div_ceil(cfg.batch) as u64;
    let total = cfg.steps.unwrap_or(per_epoch * cfg.epochs as u64);
    let mini_epochs = total.div_ceil(per_epoch) as usize;
    let mut acc = Accumulators::new(&circuit);
    let log_path = cfg.out.join("log.csv");
    if !cfg.resume || !log_path.exists() {
        write(&log_path, b"epoch,step,eta,train_bpd,val_bpd,seconds\n")?;
    }
    while st.epoch < mini_epochs + cfg.full_epochs {
        let full = st.epoch >= mini_epochs;
        let mut order: Vec<u32> = (0..train.count as u32).collect();
        let mut rng = SplitMix(cfg.seed ^ (st.epoch as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let (mut ll, mut n, mut eta) = (0.0, 0usize, 1.0);
        if full {
            let cnt = acc.flows(&Model::new(&circuit, &prm), &train, &order);
            (ll, n) = (cnt.ll, cnt.n);
            m_step(&circuit, &mut prm, cnt, 1.0, cfg.alpha);
        } else {
            for b in order.chunks(cfg.batch) {
                if st.step >= total {
                    break;
                }
                eta = eta_at(cfg, st.step, total);
                let cnt = acc.flows(&Model::new(&circuit, &prm), &train, b);
                ll += cnt.ll;
                n += cnt.n;
                m_step(&circuit, &mut prm, cnt, eta, cfg.alpha);
                st.step += 1;
            }
        }
        st.epoch += 1;
        let train_bpd = bpd(ll / n.max(1) as f64, dim);
        let val_bpd = bpd(mean_ll(&Model::new(&circuit, &prm), &val), dim);
        let secs = t0.elapsed().as_secs_f64();
        let line = format!(
            "{},{},{eta:.4},{train_bpd:.5},{val_bpd:.5},{secs:.1}",
            st.epoch, st.step
        );
        append(&log_path, &line)?;
        progress(&format!(
            "epoch {} step {} eta {eta:.3}: train {train_bpd:.4} bpd, validation {val_bpd:.4} bpd ({secs:.0} s)",
            st.epoch, st.step
        ));
        let ckpt = save(&circuit, &prm, Storage::F32)?;
        if val_bpd < st.best || val.count == 0 {
            st.best = val_bpd;
            write(&cfg.out.join("best.pcm"), &ckpt)?;
        }
        write(&cfg.out.join("ckpt.pcm"), &ckpt)?;
        let state = format!(
            "step={}\nepoch={}\nbest={}\nshifts={}\nhflip={}\n",
            st.step, st.epoch, st.best, cfg.shifts, cfg.hflip
        );
        write(&cfg.out.join("state.txt"), state.as_bytes())?;
    }
    finish(cfg, &val, st, t0, progress)
}

fn finish(
    cfg: &TrainConfig,
    val: &Pixels,
    st: Resume,
    t0: Instant,
    progress: &mut dyn FnMut(&str),
) -> Result<TrainReport, PcError> {
    let best_path = cfg.out.join("best.pcm");
    let best = load(&std::fs::read(&best_path).map_err(|e| PcError::io(&best_path, e))?)?;
    let shipped = save(&best.circuit, &to_f32(&best.params), Storage::LogU8)?;
    let q = load(&shipped)?;
    let qbpd = bpd(
        mean_ll(&Model::new(&q.circuit, &to_f32(&q.params)), val),
        val.dim(),
    );
    let model = cfg.out.join("model.pcm");
    write(&model, &shipped)?;
    progress(&format!(
        "done: best validation {:.4} bpd, quantised {qbpd:.4} bpd, {} bytes -> {}",
        st.best,
        shipped.len(),
        model.display()
    ));
    Ok(TrainReport {
        best_val_bpd: st.best,
        quantised_val_bpd: qbpd,
        steps: st.step,
        seconds: t0.elapsed().as_secs_f64(),
        model,
    })
}

/// The resume point in `out/state.txt`, refusing other augmentation flags than the run was trained with.
fn read_state(cfg: &TrainConfig) -> Result<Resume, PcError> {
    let sp = cfg.out.join("state.txt");
    let text = std::fs::read_to_string(&sp).map_err(|e| PcError::io(&sp, e))?;
    let recorded = |key: &str| text.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('='));
    let get = |key: &str| -> Result<&str, PcError> {
        recorded(key).ok_or_else(|| PcError::Config(format!("{} lacks '{key}'", sp.display())))
    };
    let bad = |k: &str| PcError::Config(format!("{}: bad '{k}'", sp.display()));
    let st = Resume {
        step: get("step")?.parse().map_err(|_| bad("step"))?,
        epoch: get("epoch")?.parse().map_err(|_| bad("epoch"))?,
        best: get("best")?.parse().map_err(|_| bad("best"))?,
    };
    // The augmentation decides the epoch length and so the step schedule: a resumed run must use the same
    // (state files written before it was recorded lack the keys and are trusted).
    if let (Some(shifts), Some(hflip)) = (recorded("shifts"), recorded("hflip")) {
        if shifts != cfg.shifts.to_string() || hflip != cfg.hflip.to_string() {
            return Err(PcError::Config(format!(
                "{} was trained with --shifts {shifts}{}; resume with the same augmentation (asked: --shifts {}{})",
                sp.display(),
                if hflip == "true" { " --hflip" } else { "" },
                cfg.shifts,
                if cfg.hflip { " --hflip" } else { "" }
            )));
        }
    }
    Ok(st)
}

/// The last epoch's checkpoint, `out/ckpt.pcm`, which must have the asked hidden size.
fn load_checkpoint(cfg: &TrainConfig) -> Result<(Circuit, Params<f32>), PcError> {
    let cp = cfg.out.join("ckpt.pcm");
    let l = load(&std::fs::read(&cp).map_err(|e| PcError::io(&cp, e))?)?;
    if l.circuit.m != cfg.hidden {
        return Err(PcError::Config(format!(
            "checkpoint has hidden size {}, asked for {}",
            l.circuit.m, cfg.hidden
        )));
    }
    let p = to_f32(&l.params);
    Ok((l.circuit, p))
}

fn append(path: &Path, line: &str) -> Result<(), PcError> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| PcError::io(path, e))?;
    writeln!(f, "{line}").map_err(|e| PcError::io(path, e))
}

/// Per-pixel value histogram, `hist[v * 256 + x]`.
fn histogram(data: &Pixels) -> Vec<f64> {
    let d = data.dim();
    let mut h = vec![0f64; d * K];
    for n in 0..data.count {
        for (v, &x) in data.image(n).iter().enumerate() {
            h[v * K + x as usize] += 1.0;
        }
    }
    h
}

//! `cinder train <codec>`: training runs, resumable, with progress on stderr.

use anyhow::{Context, Result};
use std::path::PathBuf;

/// Codecs that can be trained.
#[derive(Debug, clap::Subcommand)]
pub enum TrainCommand {
    /// Probabilistic-circuit (HCLT) lossless coder: structure learning + mini-batch EM.
    Pc(PcTrainArgs),
    /// WaLLoC deep decoder over the shipped PCA encoder (burn; resumable, `--device wgpu` on a GPU).
    #[cfg(feature = "train")]
    Walloc(WallocTrainArgs),
    /// HiFi-Codec (GRVQ speech codec): mel + commitment losses with EMA codebooks, then an STFT-discriminator GAN.
    #[cfg(feature = "train")]
    Hifi(HifiTrainArgs),
    /// VQGAN extreme image codec: L1 + MS-SSIM with an EMA codebook, then k-means quality levels (`--levels`).
    #[cfg(feature = "train")]
    Vqgan(VqganTrainArgs),
}

/// Arguments of `cinder train vqgan`.
#[cfg(feature = "train")]
#[derive(Debug, clap::Args)]
pub struct VqganTrainArgs {
    /// Folder of training photos (e.g. ../shared/data/images/train; never Kodak).
    #[arg(long)]
    pub data: PathBuf,
    /// Output folder: train.csv, usage.csv, val.csv, checkpoints, best.bin (a weights file).
    #[arg(long)]
    pub out: PathBuf,
    /// Optimisation steps.
    #[arg(long, default_value_t = 2000)]
    pub steps: u64,
    /// Crops per step.
    #[arg(long, default_value_t = 8)]
    pub batch: usize,
    /// Crop side in pixels (multiple of 16).
    #[arg(long, default_value_t = 128)]
    pub crop: usize,
    /// Peak learning rate (Adam, warm-up then cosine).
    #[arg(long, default_value_t = 4e-4)]
    pub lr: f64,
    /// Channels at 1/2, 1/4, 1/8, 1/16 resolution, comma-separated.
    #[arg(long, default_value = "32,64,96,128", value_delimiter = ',')]
    pub widths: Vec<usize>,
    /// Codebook entries (1024: 10 bits an index, 0.039 bpp uniform).
    #[arg(long, default_value_t = 1024)]
    pub codes: usize,
    /// Dimension of a codebook entry.
    #[arg(long, default_value_t = 16)]
    pub code_dim: usize,
    /// ResBlocks per decoder stage.
    #[arg(long, default_value_t = 1)]
    pub dec_blocks: usize,
    /// Weight of 1 − MS-SSIM next to L1.
    #[arg(long, default_value_t = 0.2)]
    pub ms_ssim_weight: f32,
    /// Unquantised warm-up steps before the k-means initialisation of the codebook.
    #[arg(long, default_value_t = 150)]
    pub vq_start: u64,
    /// Steps between validations.
    #[arg(long, default_value_t = 200)]
    pub eval_interval: u64,
    /// Step from which the PatchGAN hinge loss (taming's adaptive weight) is on (default: never).
    #[arg(long)]
    pub gan_start: Option<u64>,
    /// disc_weight of the adaptive adversarial weight.
    #[arg(long, default_value_t = 0.1)]
    pub disc_weight: f64,
    /// Continue from the checkpoint in `--out`.
    #[arg(long)]
    pub resume: bool,
    /// Stop after this many seconds (at a checkpoint; `--resume` continues), e.g. for a GPU lease.
    #[arg(long)]
    pub max_seconds: Option<f64>,
    /// Start from this weights file (e.g. a best.bin) instead of a fresh network.
    #[arg(long)]
    pub init: Option<PathBuf>,
    /// Train only post_quant_conv and the decoder (encoder and codebook fixed, index maps unchanged); needs
    /// --init or --resume.
    #[arg(long)]
    pub decoder_only: bool,
    /// Weight of the mean squared error added to L1 + λ(1 − MS-SSIM) (e.g. for a PSNR-oriented fine-tune).
    #[arg(long, default_value_t = 0.0)]
    pub mse_weight: f32,
    /// Loss-aware decoding: in one crop a batch, up to this fraction of the indices is replaced by the harmonic
    /// fill of the rest (as after losses), so that the decoder learns to render restored maps (0: off).
    #[arg(long, default_value_t = 0.0)]
    pub lost_fraction: f32,
    /// Crops of each batch that get the simulated losses of --lost-fraction.
    #[arg(long, default_value_t = 1)]
    pub lost_crops: usize,
    /// With --init: decoder ResBlocks a stage (the added ones start as the identity), e.g. 2.
    #[arg(long)]
    pub deepen: Option<usize>,
    /// Instead of training: build the quality levels (k-means of the codebook to 8 … 512 entries, each
    /// fine-tuned) from this one-level weights file (e.g. OUT/best.bin) and write OUT/levels.bin.
    #[arg(long)]
    pub levels: Option<PathBuf>,
    /// Instead of training: train the index-restoration transformer on maps made with this levels file (e.g.
    /// OUT/levels.bin) and write OUT/vqgan.bin (levels + transformer).
    #[arg(long)]
    pub restorer: Option<PathBuf>,
    /// Steps of the restoration transformer (with --restorer).
    #[arg(long, default_value_t = 600)]
    pub restorer_steps: u64,
    /// Instead of training: train the pixel-domain post filter of lost indices on decodes made with this weights
    /// file (e.g. OUT/vqgan.bin after --restorer) and write OUT/vqgan.bin with the filter added (resumable).
    #[arg(long)]
    pub post_filter: Option<PathBuf>,
    /// Steps of the post filter (with --post-filter).
    #[arg(long, default_value_t = 4000)]
    pub post_filter_steps: u64,
    /// Fine-tuning steps per level (with --levels).
    #[arg(long, default_value_t = 40)]
    pub finetune_steps: u64,
    /// Seed of initialisation and sampling.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where the networks train: cpu (default) or wgpu.
    #[arg(long, default_value = "cpu", value_parser = crate::commands::parse_device)]
    pub device: cinder_core::Device,
}

/// Arguments of `cinder train hifi`.
#[cfg(feature = "train")]
#[derive(Debug, clap::Args)]
pub struct HifiTrainArgs {
    /// Folder of training speech, any rate (e.g. ../shared/data/audio/speech/train; never the eval set).
    #[arg(long)]
    pub data: PathBuf,
    /// Output folder: train.csv, usage.csv, val.csv, checkpoints, best.bin (a weights file).
    #[arg(long)]
    pub out: PathBuf,
    /// Optimisation steps.
    #[arg(long, default_value_t = 6000)]
    pub steps: u64,
    /// Crops per step.
    #[arg(long, default_value_t = 8)]
    pub batch: usize,
    /// Samples per crop at 16 kHz (multiple of 320).
    #[arg(long, default_value_t = 8000)]
    pub crop: usize,
    /// Peak learning rate (Adam, warm-up then cosine).
    #[arg(long, default_value_t = 5e-4)]
    pub lr: f64,
    /// Encoder width after the input convolution (doubles per stage).
    #[arg(long, default_value_t = 16)]
    pub enc_width: usize,
    /// Decoder width after the input convolution (halves per stage).
    #[arg(long, default_value_t = 192)]
    pub dec_width: usize,
    /// Latent channels (split into 2 groups).
    #[arg(long, default_value_t = 128)]
    pub latent: usize,
    /// Codebook entries (1024 = 10-bit tokens, 2 kbps).
    #[arg(long, default_value_t = 1024)]
    pub codes: usize,
    /// ResBlocks per stage (1: kernel 3; 2: kernels 3 and 7).
    #[arg(long, default_value_t = 1)]
    pub blocks: usize,
    /// Unquantised warm-up steps before the k-means initialisation of the codebooks.
    #[arg(long, default_value_t = 300)]
    pub vq_start: u64,
    /// Step from which the STFT discriminator and the adversarial losses are on (default: never).
    #[arg(long)]
    pub gan_start: Option<u64>,
    /// Add HiFi-GAN's multi-period discriminator (1/8 width) to the STFT one from --gan-start.
    #[arg(long)]
    pub mpd: bool,
    /// Train the decoder only (needs --init or --resume): encoder and codebooks stay fixed, so the tokens of
    /// the initial model's files decode with the new decoder.
    #[arg(long)]
    pub freeze_encoder: bool,
    /// Steps between validations.
    #[arg(long, default_value_t = 250)]
    pub eval_interval: u64,
    /// Continue from the checkpoint in `--out`.
    #[arg(long)]
    pub resume: bool,
    /// Start from a weights file (e.g. codecs/hifi/weights/hifi_16k.bin: networks and codebooks; no optimiser
    /// state); the shape options must match it.
    #[arg(long)]
    pub init: Option<PathBuf>,
    /// Seed of initialisation and sampling.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where the networks train: cpu (default) or wgpu.
    #[arg(long, default_value = "cpu", value_parser = crate::commands::parse_device)]
    pub device: cinder_core::Device,
}

/// Arguments of `cinder train walloc`.
#[cfg(feature = "train")]
#[derive(Debug, clap::Args)]
pub struct WallocTrainArgs {
    /// Folder tree of training images (e.g. ../shared/data/images/train; never Kodak), or with `--audio` of
    /// music clips (e.g. ../shared/data/audio/music; the held-out evaluation clips are skipped).
    #[arg(long)]
    pub data: PathBuf,
    /// Train the stereo-audio decoder instead of the image decoder.
    #[arg(long)]
    pub audio: bool,
    /// Output folder: train.csv, val.csv, checkpoints, best.bin (a self-contained weights file).
    #[arg(long)]
    pub out: PathBuf,
    /// Linear (PCA) weights the decoder corrects (default: the embedded ones).
    #[arg(long)]
    pub linear: Option<PathBuf>,
    /// Decoder width (default 64 for images, 128 for audio).
    #[arg(long)]
    pub width: Option<usize>,
    /// Residual blocks.
    #[arg(long, default_value_t = 6)]
    pub blocks: usize,
    /// Crop side in pixels (multiple of 8; default 256), or with `--audio` window in samples (multiple of 256;
    /// default 65536).
    #[arg(long)]
    pub crop: Option<usize>,
    /// Crops per step.
    #[arg(long, default_value_t = 8)]
    pub batch: usize,
    /// Optimisation steps.
    #[arg(long, default_value_t = 4000)]
    pub steps: u64,
    /// Peak learning rate (AdamW, warm-up then cosine).
    #[arg(long, default_value_t = 5e-4)]
    pub lr: f64,
    /// Steps between validations.
    #[arg(long, default_value_t = 250)]
    pub eval_interval: u64,
    /// Continue from the checkpoint in `--out`.
    #[arg(long)]
    pub resume: bool,
    /// Seed of initialisation and sampling.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where the network trains: cpu (default) or wgpu.
    #[arg(long, default_value = "cpu", value_parser = crate::commands::parse_device)]
    pub device: cinder_core::Device,
}

/// Arguments of `cinder train pc`.
#[derive(Debug, clap::Args)]
pub struct PcTrainArgs {
    /// Folder holding `train-images-idx3-ubyte.gz` (MNIST layout; e.g. ../shared/data/mnist or …/mnist/fashion).
    #[arg(long)]
    pub data: PathBuf,
    /// Output folder: checkpoints, CSV log, `best.pcm`, final `model.pcm`.
    #[arg(long)]
    pub out: PathBuf,
    /// Latent states M per inner tree node.
    #[arg(long, default_value_t = 32)]
    pub hidden: usize,
    /// Continue from the checkpoint in `--out`.
    #[arg(long)]
    pub resume: bool,
    /// Mini-batch EM steps (default: `--epochs` full passes).
    #[arg(long)]
    pub steps: Option<u64>,
    /// Mini-batch epochs when `--steps` is not given.
    #[arg(long, default_value_t = 20)]
    pub epochs: usize,
    /// Full-batch EM epochs after the mini-batch phase.
    #[arg(long, default_value_t = 2)]
    pub full_epochs: usize,
    /// Images per mini-batch.
    #[arg(long, default_value_t = 512)]
    pub batch: usize,
    /// Laplace pseudocount.
    #[arg(long, default_value_t = 0.1)]
    pub alpha: f32,
    /// Use only the first N training images (quick runs).
    #[arg(long)]
    pub max_images: Option<usize>,
    /// Seed of initialisation and shuffling.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Augment training with copies moved by one pixel in this many directions: 0, 4 (axis) or 8 (and diagonals).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=8))]
    pub shifts: u8,
    /// Augment training with left–right mirror images too.
    #[arg(long)]
    pub hflip: bool,
}

/// Runs `cinder train`.
pub fn run(cmd: &TrainCommand) -> Result<()> {
    match cmd {
        TrainCommand::Pc(a) => train_pc(a),
        #[cfg(feature = "train")]
        TrainCommand::Walloc(a) => train_walloc(a),
        #[cfg(feature = "train")]
        TrainCommand::Hifi(a) => train_hifi(a),
        #[cfg(feature = "train")]
        TrainCommand::Vqgan(a) => train_vqgan(a),
    }
}

#[cfg(feature = "train")]
fn train_vqgan(a: &VqganTrainArgs) -> Result<()> {
    use cinder_codecs::vqgan::train::reduce::{build_levels, ReduceConfig};
    use cinder_codecs::vqgan::train::{train, TrainConfig};
    use cinder_codecs::vqgan::VqganConfig;
    anyhow::ensure!(a.widths.len() == 4, "--widths takes four values");
    let cfg = TrainConfig {
        data: a.data.clone(),
        out: a.out.clone(),
        model: VqganConfig {
            widths: [a.widths[0], a.widths[1], a.widths[2], a.widths[3]],
            codes: a.codes,
            code_dim: a.code_dim,
            dec_blocks: a.dec_blocks,
            ..VqganConfig::default()
        },
        crop: a.crop,
        batch: a.batch,
        steps: a.steps,
        lr: a.lr,
        ms_ssim_weight: a.ms_ssim_weight,
        vq_start: a.vq_start,
        eval_interval: a.eval_interval,
        gan_start: a.gan_start,
        disc_weight: a.disc_weight,
        resume: a.resume,
        seed: a.seed,
        device: a.device,
        max_seconds: a.max_seconds,
        init: a.init.clone(),
        decoder_only: a.decoder_only,
        mse_weight: a.mse_weight,
        lost_fraction: a.lost_fraction,
        lost_crops: a.lost_crops,
        deepen: a.deepen,
        ..TrainConfig::default()
    };
    let mut log = |line: &str| eprintln!("{line}");
    if let Some(levels) = &a.restorer {
        use cinder_codecs::vqgan::train::restorer::{train_restorer, RestorerTrainConfig};
        let rc = RestorerTrainConfig {
            weights: levels.clone(),
            steps: a.restorer_steps,
            ..RestorerTrainConfig::default()
        };
        let out = train_restorer(&cfg, &rc, &mut log)?;
        eprintln!("done: levels and restorer in {}", out.display());
        return Ok(());
    }
    if let Some(weights) = &a.post_filter {
        use cinder_codecs::vqgan::train::post_filter::{train_post_filter, PostFilterTrainConfig};
        let pc = PostFilterTrainConfig {
            weights: weights.clone(),
            steps: a.post_filter_steps,
            ..PostFilterTrainConfig::default()
        };
        let out = train_post_filter(&cfg, &pc, &mut log)?;
        eprintln!("done: weights with the post filter in {}", out.display());
        return Ok(());
    }
    if let Some(base) = &a.levels {
        let reduce = ReduceConfig {
            base: base.clone(),
            finetune_steps: a.finetune_steps,
            ..ReduceConfig::default()
        };
        let out = build_levels(&cfg, &reduce, &mut log)?;
        eprintln!("done: levels in {}", out.display());
        return Ok(());
    }
    let report = train(&cfg, &mut log)?;
    eprintln!(
        "done: {} steps, best validation PSNR {:.3} dB, {:.0} s; weights in {}",
        report.steps,
        report.best_psnr,
        report.seconds,
        report.model.display()
    );
    Ok(())
}

#[cfg(feature = "train")]
fn train_hifi(a: &HifiTrainArgs) -> Result<()> {
    use cinder_codecs::hifi::train::{train, TrainConfig};
    use cinder_codecs::hifi::HifiConfig;
    let cfg = TrainConfig {
        data: a.data.clone(),
        out: a.out.clone(),
        model: HifiConfig {
            enc_base: a.enc_width,
            latent: a.latent,
            dec_base: a.dec_width,
            blocks: a.blocks,
            codes: a.codes,
            ..HifiConfig::default()
        },
        crop: a.crop,
        batch: a.batch,
        steps: a.steps,
        lr: a.lr,
        vq_start: a.vq_start,
        gan_start: a.gan_start,
        mpd: a.mpd,
        freeze_encoder: a.freeze_encoder,
        eval_interval: a.eval_interval,
        resume: a.resume,
        init: a.init.clone(),
        seed: a.seed,
        device: a.device,
        ..TrainConfig::default()
    };
    let mut log = |line: &str| eprintln!("{line}");
    let report = train(&cfg, &mut log)?;
    eprintln!(
        "done: {} steps, best validation PESQ-WB {:.4} (2 kbps), {:.0} s; weights in {}",
        report.steps,
        report.best_pesq,
        report.seconds,
        report.model.display()
    );
    Ok(())
}

#[cfg(feature = "train")]
fn train_walloc(a: &WallocTrainArgs) -> Result<()> {
    use cinder_codecs::walloc::audio::HELD_OUT_MUSIC;
    use cinder_codecs::walloc::deep::DeepConfig;
    use cinder_codecs::walloc::train::{train, train_audio, TrainConfig};
    let linear = match &a.linear {
        Some(p) => std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?,
        None if a.audio => cinder_codecs::walloc::EMBEDDED_STEREO_WEIGHTS.to_vec(),
        None => cinder_codecs::walloc::EMBEDDED_LINEAR_WEIGHTS.to_vec(),
    };
    let cfg = TrainConfig {
        out: a.out.clone(),
        net: DeepConfig {
            width: a.width.unwrap_or(if a.audio { 128 } else { 64 }),
            blocks: a.blocks,
            outputs: if a.audio { 512 } else { 192 },
        },
        crop: a.crop.unwrap_or(if a.audio { 65_536 } else { 256 }),
        batch: a.batch,
        steps: a.steps,
        lr: a.lr,
        eval_interval: a.eval_interval,
        resume: a.resume,
        seed: a.seed,
        device: a.device,
        ..TrainConfig::default()
    };
    let mut log = |line: &str| eprintln!("{line}");
    let report = if a.audio {
        let files: Vec<PathBuf> = cinder_datasets::folders::list_audio(&a.data)
            .with_context(|| format!("cannot list audio under {}", a.data.display()))?
            .into_iter()
            .filter(|f| {
                let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                !HELD_OUT_MUSIC.contains(&stem)
            })
            .collect();
        anyhow::ensure!(!files.is_empty(), "no training clips under {}", a.data.display());
        eprintln!(
            "loading {} clips from {} (held out: {HELD_OUT_MUSIC:?})",
            files.len(),
            a.data.display()
        );
        let clips = files
            .iter()
            .map(|f| {
                cinder_datasets::io::load_audio(f).with_context(|| format!("cannot load {}", f.display()))
            })
            .collect::<Result<Vec<_>>>()?;
        train_audio(&clips, &linear, &cfg, &mut log)
    } else {
        let files = cinder_datasets::folders::list_images(&a.data)
            .with_context(|| format!("cannot list images under {}", a.data.display()))?;
        anyhow::ensure!(!files.is_empty(), "no images under {}", a.data.display());
        eprintln!("loading {} images from {}", files.len(), a.data.display());
        let images = files
            .iter()
            .map(|f| {
                cinder_datasets::io::load_image(f).with_context(|| format!("cannot load {}", f.display()))
            })
            .collect::<Result<Vec<_>>>()?;
        train(&images, &linear, &cfg, &mut log)
    }
    .context("WaLLoC training failed")?;
    println!(
        "{} steps in {:.1} s; best validation gain over the linear decoder {:+.3} dB -> {}",
        report.steps,
        report.seconds,
        report.best_gain_db,
        report.model.display()
    );
    Ok(())
}

fn train_pc(a: &PcTrainArgs) -> Result<()> {
    use cinder_codecs::pc::{train, TrainConfig};
    let cfg = TrainConfig {
        data: a.data.clone(),
        out: a.out.clone(),
        hidden: a.hidden,
        resume: a.resume,
        steps: a.steps,
        epochs: a.epochs,
        full_epochs: a.full_epochs,
        batch: a.batch,
        alpha: a.alpha,
        max_images: a.max_images,
        seed: a.seed,
        shifts: a.shifts.into(),
        hflip: a.hflip,
        ..TrainConfig::default()
    };
    let report = train(&cfg, &mut |line| eprintln!("{line}")).context("PC training failed")?;
    println!(
        "best validation {:.4} bpd (quantised model {:.4} bpd), {} steps in {:.1} s -> {}",
        report.best_val_bpd,
        report.quantised_val_bpd,
        report.steps,
        report.seconds,
        report.model.display()
    );
    Ok(())
}

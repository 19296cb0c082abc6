//! `cinder train <codec>`: training runs, resumable, with progress on stderr.

use anyhow::{Context, Result};
use std::path::PathBuf;

/// Codecs that can be trained.
#[derive(Debug, clap::Subcommand)]
pub enum TrainCommand {
    /// Probabilistic-circuit (HCLT) lossless coder: structure learning + mini-batch EM.
    Pc(PcTrainArgs),
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
}

/// Runs `cinder train`.
pub fn run(cmd: &TrainCommand) -> Result<()> {
    match cmd {
        TrainCommand::Pc(a) => train_pc(a),
    }
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

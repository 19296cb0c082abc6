//! A lean VQGAN trainer: the same loop as `cinder train vqgan` ([`cinder_vqgan::train::train`]) in a binary that
//! links only this crate, small enough to carry to a GPU machine (the `cinder` binary embeds every codec's
//! weights). Arguments are `key=value` pairs; anything not given keeps [`TrainConfig::default`].
//!
//! ```text
//! cargo run --release -p cinder-vqgan --features train --example train_vqgan -- \
//!     data=../shared/data/images/train out=runs/vqgan steps=6000 batch=32 device=wgpu resume=1
//! ```
//!
//! Keys: `data`, `out`, `steps`, `batch`, `crop`, `lr`, `warmup`, `seed`, `eval`, `checkpoint`, `device`
//! (`cpu` | `wgpu`), `resume` (0 | 1), `max_seconds` (stop after the first checkpoint past this many seconds),
//! `init` (start from a weights file), `decoder_only` (0 | 1), `mse` and `ms_ssim` (loss weights), `lost`
//! (loss-aware decoding: the largest fraction of simulated lost indices in one crop a batch; `lost_crops` crops
//! a batch instead of one), `deepen` (decoder
//! ResBlocks a stage after `init`, the new ones starting as the identity).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_vqgan::train::{train, TrainConfig};
use std::path::PathBuf;

fn main() {
    let mut cfg = TrainConfig::default();
    for arg in std::env::args().skip(1) {
        let (key, value) = arg
            .split_once('=')
            .unwrap_or_else(|| panic!("expected key=value, got {arg}"));
        let int = || value.parse::<u64>().unwrap_or_else(|e| panic!("{key}: {e}"));
        match key {
            "data" => cfg.data = PathBuf::from(value),
            "out" => cfg.out = PathBuf::from(value),
            "steps" => cfg.steps = int(),
            "batch" => cfg.batch = int() as usize,
            "crop" => cfg.crop = int() as usize,
            "lr" => cfg.lr = value.parse().expect("lr"),
            "warmup" => cfg.warmup = int(),
            "seed" => cfg.seed = int(),
            "eval" => cfg.eval_interval = int(),
            "checkpoint" => cfg.checkpoint_interval = int(),
            "device" => cfg.device = value.parse().expect("device"),
            "resume" => cfg.resume = int() != 0,
            "max_seconds" => cfg.max_seconds = Some(value.parse().expect("max_seconds")),
            "init" => cfg.init = Some(PathBuf::from(value)),
            "decoder_only" => cfg.decoder_only = int() != 0,
            "mse" => cfg.mse_weight = value.parse().expect("mse"),
            "lost" => cfg.lost_fraction = value.parse().expect("lost"),
            "deepen" => cfg.deepen = Some(int() as usize),
            "lost_crops" => cfg.lost_crops = int() as usize,
            "ms_ssim" => cfg.ms_ssim_weight = value.parse().expect("ms_ssim"),
            other => panic!("unknown key {other}"),
        }
    }
    let report = train(&cfg, &mut |line| eprintln!("{line}")).expect("training");
    eprintln!(
        "done: {} steps, best held-out PSNR {:.3} dB, {:.0} s -> {}",
        report.steps,
        report.best_psnr,
        report.seconds,
        report.model.display()
    );
}

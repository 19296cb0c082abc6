//! The training loop on a tiny synthetic speech folder: a run started from the shipped weights (`--init`)
//! trains, checkpoints and resumes; a weights file of another shape is refused; a decoder-only adversarial run
//! (STFT + multi-period discriminators) keeps the encoder, the codebooks and their prior.
#![cfg(feature = "train")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::Audio;
use cinder_hifi::train::{train, TrainConfig};
use cinder_hifi::weights::HifiWeights;
use cinder_hifi::{HifiConfig, HifiModel};

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for k in 0..3 {
        let samples: Vec<f32> = (0..16_000 * 2)
            .map(|t| {
                let x = t as f32 / 16_000.0;
                0.2 * (2.0 * std::f32::consts::PI * (140.0 + 30.0 * k as f32) * x).sin()
                    * (0.6 + 0.4 * (9.0 * x).sin())
            })
            .collect();
        let wav = cinder_datasets::io::encode_wav(&Audio::new(16_000, 1, samples).unwrap()).unwrap();
        std::fs::write(dir.path().join(format!("clip{k}.wav")), wav).unwrap();
    }
    dir
}

/// The data folder, output folder and shipped weights of one test run (kept alive with it).
struct Run {
    data: tempfile::TempDir,
    out: tempfile::TempDir,
    weights: tempfile::NamedTempFile,
}

/// A two-step run of small crops started from the shipped weights.
fn small_run() -> (Run, TrainConfig) {
    let run = Run {
        data: folder(),
        out: tempfile::tempdir().unwrap(),
        weights: tempfile::NamedTempFile::new().unwrap(),
    };
    std::fs::write(run.weights.path(), cinder_hifi::EMBEDDED_WEIGHTS).unwrap();
    let cfg = TrainConfig {
        data: run.data.path().to_path_buf(),
        out: run.out.path().to_path_buf(),
        crop: 3200,
        batch: 2,
        steps: 2,
        warmup: 1,
        init: Some(run.weights.path().to_path_buf()),
        eval_interval: 1000,
        checkpoint_interval: 1,
        ..TrainConfig::default()
    };
    (run, cfg)
}

#[test]
fn init_from_shipped_weights_trains_and_resumes() {
    let (run, base) = small_run();
    let out = &run.out;
    let mut cfg = TrainConfig { vq_start: 0, ..base };
    let mut log = |_: &str| {};
    let report = train(&cfg, &mut log).unwrap();
    assert_eq!(report.steps, 2);
    let state = std::fs::read_to_string(out.path().join("state.txt")).unwrap();
    assert!(
        state.starts_with("2 ") && state.trim_end().ends_with(" 1"),
        "{state}"
    );
    cfg.steps = 3;
    cfg.resume = true;
    assert_eq!(train(&cfg, &mut log).unwrap().steps, 3);
    let csv = std::fs::read_to_string(out.path().join("train.csv")).unwrap();
    assert!(csv.lines().count() >= 2, "{csv}");

    let other = tempfile::tempdir().unwrap();
    let bad = TrainConfig {
        out: other.path().to_path_buf(),
        model: HifiConfig {
            dec_base: 64,
            ..HifiConfig::default()
        },
        resume: false,
        ..cfg
    };
    assert!(train(&bad, &mut log).is_err());
}

#[test]
fn decoder_only_adversarial_run_keeps_encoder_and_codebooks() {
    let (run, base) = small_run();
    let out = &run.out;
    let cfg = TrainConfig {
        lr: 1e-3,
        gan_start: Some(0),
        mpd: true,
        freeze_encoder: true,
        val_every: 3,
        ..base
    };
    let mut log = |_: &str| {};
    assert_eq!(train(&cfg, &mut log).unwrap().steps, 2);
    assert!(out.path().join("disc.bpk").exists());
    // The initial weights are validated first (step 0), then the last step.
    let val = std::fs::read_to_string(out.path().join("val.csv")).unwrap();
    let rows: Vec<&str> = val.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{val}");
    assert!(rows[0].starts_with("0,") && rows[1].starts_with("2,"), "{val}");
    assert!(rows.iter().all(|r| r.split(',').count() == 5), "{val}");

    let last = std::fs::read(out.path().join("last.bin")).unwrap();
    let (before, after) = (
        HifiWeights::from_bytes(cinder_hifi::EMBEDDED_WEIGHTS).unwrap(),
        HifiWeights::from_bytes(&last).unwrap(),
    );
    assert_eq!(after.codebooks, before.codebooks);
    assert_eq!(after.prior, before.prior);
    let (m0, m1) = (
        HifiModel::load(cinder_hifi::EMBEDDED_WEIGHTS, cinder_core::Device::Cpu).unwrap(),
        HifiModel::load(&last, cinder_core::Device::Cpu).unwrap(),
    );
    let clip: Vec<f32> = (0..16_000)
        .map(|t| 0.3 * (t as f32 * 0.07).sin() * (t as f32 * 0.0011).cos())
        .collect();
    let tokens = m0.tokens(&clip, 2).unwrap();
    assert_eq!(m1.tokens(&clip, 2).unwrap(), tokens);
    assert_ne!(
        m1.decode_tokens(&tokens, 2).unwrap(),
        m0.decode_tokens(&tokens, 2).unwrap()
    );

    // Decoder-only training needs trained codebooks.
    let fresh = tempfile::tempdir().unwrap();
    let bad = TrainConfig {
        out: fresh.path().to_path_buf(),
        init: None,
        ..cfg
    };
    assert!(train(&bad, &mut log).is_err());
}

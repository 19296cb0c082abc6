//! The whole training pipeline on a tiny synthetic photo folder and a tiny network: training with k-means
//! initialisation, the adversarial phase, checkpoint and resume; the level reduction; the restoration transformer; and the codec
//! opened on the result (issue 8).
#![cfg(feature = "train")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::{DecodeOptions, EncodeOptions, Image, ImageCodec};
use cinder_vqgan::model::VqganModel;
use cinder_vqgan::post_filter::PostFilterConfig;
use cinder_vqgan::restore::Restorer;
use cinder_vqgan::train::post_filter::{train_post_filter, PostFilterTrainConfig};
use cinder_vqgan::train::reduce::{build_levels, ReduceConfig};
use cinder_vqgan::train::restorer::{train_restorer, RestorerTrainConfig};
use cinder_vqgan::train::{train, TrainConfig};
use cinder_vqgan::{VqganCodec, VqganConfig};

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for k in 0..3u32 {
        let (w, h) = (272u32, 264u32);
        let data: Vec<u8> = (0..w * h)
            .flat_map(|p| {
                let (x, y) = (p % w, p / w);
                [(x * 3 + k * 40) as u8, (y * 2) as u8, ((x ^ y) + k * 17) as u8]
            })
            .collect();
        let png = cinder_datasets::io::encode_png(&Image::new(w, h, 3, data).unwrap()).unwrap();
        std::fs::write(dir.path().join(format!("photo{k}.png")), png).unwrap();
    }
    dir
}

#[test]
fn train_resume_reduce_restore_and_code() {
    let data = folder();
    let out = tempfile::tempdir().unwrap();
    let mut cfg = TrainConfig {
        data: data.path().to_path_buf(),
        out: out.path().to_path_buf(),
        model: VqganConfig {
            widths: [8, 8, 16, 16],
            z_channels: 8,
            code_dim: 4,
            codes: 16,
            ..VqganConfig::default()
        },
        crop: 48,
        batch: 2,
        steps: 3,
        warmup: 1,
        vq_start: 2,
        val_every: 3,
        eval_interval: 3,
        checkpoint_interval: 1,
        gan_start: Some(2),
        disc_width: 8,
        ..TrainConfig::default()
    };
    let mut log = |_: &str| {};
    let report = train(&cfg, &mut log).unwrap();
    assert_eq!(report.steps, 3);
    assert!(report.best_psnr.is_finite(), "{}", report.best_psnr);
    let state = std::fs::read_to_string(out.path().join("state.txt")).unwrap();
    assert!(
        state.starts_with("3 ") && state.trim_end().ends_with(" 1"),
        "{state}"
    );
    assert!(out.path().join("disc.bpk").exists());
    cfg.steps = 4;
    cfg.resume = true;
    assert_eq!(train(&cfg, &mut log).unwrap().steps, 4);
    let gan = std::fs::read_to_string(out.path().join("gan.csv")).unwrap();
    assert_eq!(gan.lines().count(), 3, "{gan}"); // header + steps 2 and 3
                                                 // A time limit stops after the step that crosses it, with a checkpoint to resume from.
    cfg.steps = 10;
    cfg.max_seconds = Some(0.0);
    assert_eq!(train(&cfg, &mut log).unwrap().steps, 5);
    let state = std::fs::read_to_string(out.path().join("state.txt")).unwrap();
    assert!(state.starts_with("5 "), "{state}");
    (cfg.steps, cfg.max_seconds) = (4, None);

    // A decoder-only fine-tune (MSE added) from the best weights leaves the encoder and codebook, hence every
    // index map, unchanged, and changes the decoder.
    let tuned_dir = tempfile::tempdir().unwrap();
    let tuned = train(
        &TrainConfig {
            out: tuned_dir.path().to_path_buf(),
            init: Some(report.model.clone()),
            decoder_only: true,
            mse_weight: 5.0,
            lost_fraction: 0.3,
            lost_crops: 2,
            deepen: Some(2),
            steps: 2,
            resume: false,
            gan_start: None,
            ..cfg.clone()
        },
        &mut log,
    )
    .unwrap();
    let base = VqganModel::load(&std::fs::read(&report.model).unwrap(), cinder_core::Device::Cpu).unwrap();
    let after = VqganModel::load(&std::fs::read(&tuned.model).unwrap(), cinder_core::Device::Cpu).unwrap();
    assert_eq!(after.config.dec_blocks, 2);
    let probe = Image::new(64, 48, 3, (0..64 * 48 * 3).map(|i| (i * 7 % 251) as u8).collect()).unwrap();
    let map = base.indices(&probe, 16).unwrap();
    assert_eq!(map.data, after.indices(&probe, 16).unwrap().data);
    assert_ne!(
        base.decode_indices(&map, 16).unwrap(),
        after.decode_indices(&map, 16).unwrap()
    );
    let fresh = TrainConfig {
        out: tempfile::tempdir().unwrap().path().to_path_buf(),
        decoder_only: true,
        ..cfg.clone()
    };
    assert!(train(&fresh, &mut log).is_err(), "decoder-only needs a codebook");

    let levels = build_levels(
        &cfg,
        &ReduceConfig {
            base: report.model.clone(),
            sizes: vec![8],
            usage_batches: 2,
            finetune_steps: 2,
            ..ReduceConfig::default()
        },
        &mut log,
    )
    .unwrap();
    let with_tables =
        cinder_vqgan::weights::VqganWeights::from_bytes(&std::fs::read(&levels).unwrap()).unwrap();
    assert_eq!(with_tables.levels[0].pair_prior.len(), 8 * 8 * 8);
    assert!(with_tables.levels[0].pair_prior.iter().any(|&c| c > 0));
    let csv = std::fs::read_to_string(out.path().join("levels.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let full = train_restorer(
        &cfg,
        &RestorerTrainConfig {
            weights: levels,
            steps: 3,
            batch: 4,
            ..RestorerTrainConfig::default()
        },
        &mut log,
    )
    .unwrap();
    let bytes = std::fs::read(full).unwrap();
    for q in [3, 4] {
        let codec = VqganCodec::open(&bytes, q, cinder_core::Device::Cpu).unwrap();
        assert!(codec.model().has_restorer());
        let img = Image::new(40, 24, 3, (0..40 * 24 * 3).map(|i| (i % 251) as u8).collect()).unwrap();
        let file = codec.encode(&img, &EncodeOptions::default()).unwrap();
        let back = codec.decode(&file, &DecodeOptions::default()).unwrap();
        assert_eq!((back.width, back.height, back.channels), (40, 24, 3));
    }
    assert!(VqganCodec::open(&bytes, 5, cinder_core::Device::Cpu).is_err());

    // The post filter: a few steps, a resumed continuation, and the result carries both networks.
    let pf = PostFilterTrainConfig {
        weights: out.path().join("vqgan.bin"),
        steps: 3,
        batch: 2,
        crops_per_photo: 1,
        eval_every: 2,
        shape: PostFilterConfig { width: 8, blocks: 1 },
        ..PostFilterTrainConfig::default()
    };
    let filtered = train_post_filter(&cfg, &pf, &mut log).unwrap();
    cfg.resume = true;
    let steps = |dir: &std::path::Path| std::fs::read_to_string(dir.join("post_filter_state.txt")).unwrap();
    assert_eq!(steps(out.path()).trim(), "3");
    train_post_filter(&cfg, &PostFilterTrainConfig { steps: 4, ..pf }, &mut log).unwrap();
    assert_eq!(steps(out.path()).trim(), "4");
    let csv = std::fs::read_to_string(out.path().join("post_filter.csv")).unwrap();
    assert_eq!(csv.lines().filter(|l| !l.ends_with(",,,")).count(), 4, "{csv}");
    let model = VqganModel::load(&std::fs::read(&filtered).unwrap(), cinder_core::Device::Cpu).unwrap();
    assert!(model.has_post_filter() && model.has_restorer());
    let level = model.level(16).unwrap();
    let map = cinder_vqgan::IndexMap {
        width: 3,
        height: 2,
        data: vec![1, 2, 3, 4, 5, 6],
    };
    let mut known = vec![true; 6];
    let whole = model
        .decode_restored(level, &map, &known, Restorer::Filter)
        .unwrap();
    assert_eq!(
        whole,
        model
            .decode_restored(level, &map, &known, Restorer::Mean)
            .unwrap()
    );
    known[4] = false;
    let filled = model
        .decode_restored(level, &map, &known, Restorer::Smooth { snap: false })
        .unwrap();
    let with_filter = model
        .decode_restored(level, &map, &known, Restorer::Filter)
        .unwrap();
    assert_eq!(with_filter.len(), filled.len());
    assert!(with_filter.iter().all(|v| v.is_finite()));
}

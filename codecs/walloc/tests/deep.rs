//! The deep decoder (model 2) next to the linear one (model 1): shipped weights load and beat the linear decoder
//! on a photo, old linear files still decode, the two models never mix silently, bad weights are errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::{CodecError, DecodeOptions, EncodeOptions, Image, ImageCodec};
use cinder_walloc::deep::DeepWeightsFile;
use cinder_walloc::{WallocCodec, EMBEDDED_DEEP_WEIGHTS, MODEL_DEEP, MODEL_LINEAR};
use std::path::Path;

fn sample_photo() -> Image {
    let bytes = include_bytes!("../../../cli/assets/sample.png");
    cinder_datasets::io::decode_image(bytes, Path::new("sample.png")).unwrap()
}

fn psnr(a: &Image, b: &Image) -> f64 {
    let mse = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
        .sum::<f64>()
        / a.data.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse.max(1e-12)).log10()
}

#[test]
fn shipped_deep_decoder_beats_the_linear_decoder_on_a_photo() {
    let img = sample_photo();
    for q in [1u8, 2, 4] {
        let deep = WallocCodec::embedded(q).unwrap();
        let linear = WallocCodec::embedded_linear(q).unwrap();
        let opts = EncodeOptions::default();
        let (cd, cl) = (
            deep.encode(&img, &opts).unwrap(),
            linear.encode(&img, &opts).unwrap(),
        );
        assert_eq!(
            (cd.header.model_id, cl.header.model_id),
            (MODEL_DEEP, MODEL_LINEAR)
        );
        // Same encoder, same latents: identical payloads, only the decoder differs.
        assert_eq!(cd.chunks, cl.chunks);
        let (d, l) = (
            deep.decode(&cd, &DecodeOptions::default()).unwrap(),
            linear.decode(&cl, &DecodeOptions::default()).unwrap(),
        );
        assert_eq!(
            (d.width, d.height, d.channels),
            (img.width, img.height, img.channels)
        );
        let (pd, pl) = (psnr(&img, &d), psnr(&img, &l));
        assert!(pd > pl, "q{q}: deep {pd:.2} dB should beat linear {pl:.2} dB");
    }
}

#[test]
fn linear_files_decode_with_the_deep_weights_and_not_the_reverse() {
    let img = sample_photo();
    let (deep, linear) = (
        WallocCodec::embedded(2).unwrap(),
        WallocCodec::embedded_linear(2).unwrap(),
    );
    let old = linear.encode(&img, &EncodeOptions::default()).unwrap();
    assert_eq!(
        deep.decode(&old, &DecodeOptions::default()).unwrap(),
        linear.decode(&old, &DecodeOptions::default()).unwrap()
    );
    let new = deep.encode(&img, &EncodeOptions::default()).unwrap();
    let err = linear.decode(&new, &DecodeOptions::default()).unwrap_err();
    assert!(matches!(err, CodecError::Weights { .. }), "{err}");
    assert!(err.to_string().contains("deep decoder"), "{err}");
}

#[test]
fn damaged_deep_weights_are_errors_not_panics() {
    let file = DeepWeightsFile::parse(EMBEDDED_DEEP_WEIGHTS).unwrap();
    assert_eq!(file.config.outputs, 192);
    let n = EMBEDDED_DEEP_WEIGHTS.len();
    for cut in [0, 3, 10, 15, 200, n / 2, n - 1] {
        assert!(
            WallocCodec::new(&EMBEDDED_DEEP_WEIGHTS[..cut], 2).is_err(),
            "cut at {cut}"
        );
    }
    let mut bad_version = EMBEDDED_DEEP_WEIGHTS.to_vec();
    bad_version[4] = 9;
    let err = WallocCodec::new(&bad_version, 2).unwrap_err();
    assert!(err.to_string().contains("version 9"), "{err}");
    let mut wrong_width = EMBEDDED_DEEP_WEIGHTS.to_vec();
    wrong_width[5] ^= 1;
    assert!(WallocCodec::new(&wrong_width, 2).is_err());
}

#[test]
fn tiny_images_and_grey_decode_with_the_deep_decoder() {
    let codec = WallocCodec::embedded(3).unwrap();
    for (w, h, c) in [(1u32, 1u32, 3u8), (9, 17, 1), (130, 7, 3)] {
        let img = Image::new(
            w,
            h,
            c,
            (0..w * h * u32::from(c)).map(|i| (i * 7 % 256) as u8).collect(),
        )
        .unwrap();
        let back = codec
            .decode(
                &codec.encode(&img, &EncodeOptions::default()).unwrap(),
                &DecodeOptions::default(),
            )
            .unwrap();
        assert_eq!((back.width, back.height, back.channels), (w, h, c));
    }
}

#[cfg(feature = "train")]
#[test]
fn a_tiny_training_run_resumes_where_it_stopped() {
    use cinder_walloc::deep::DeepConfig;
    use cinder_walloc::train::{train, TrainConfig};
    let images: Vec<Image> = (0..4u32)
        .map(|k| {
            Image::new(
                48,
                40,
                3,
                (0..48 * 40 * 3)
                    .map(|i| ((i * (k + 3) + i / 144 * 5) % 256) as u8)
                    .collect(),
            )
            .unwrap()
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = TrainConfig {
        out: dir.path().to_path_buf(),
        net: DeepConfig {
            width: 8,
            blocks: 1,
            outputs: 192,
        },
        crop: 32,
        batch: 2,
        steps: 3,
        warmup: 1,
        val_every: 2,
        eval_interval: 2,
        checkpoint_interval: 1,
        ..TrainConfig::default()
    };
    let first = train(&images, cinder_walloc::EMBEDDED_LINEAR_WEIGHTS, &cfg, &mut |_| {}).unwrap();
    assert_eq!(first.steps, 3);
    cfg.steps = 5;
    cfg.resume = true;
    let mut lines = Vec::new();
    let second = train(&images, cinder_walloc::EMBEDDED_LINEAR_WEIGHTS, &cfg, &mut |l| {
        lines.push(l.to_string())
    })
    .unwrap();
    assert_eq!(second.steps, 5);
    assert!(lines.iter().any(|l| l.contains("resumed at step 3")), "{lines:?}");
    let csv = std::fs::read_to_string(dir.path().join("val.csv")).unwrap();
    assert!(csv.lines().count() >= 3, "{csv}");
    // The best checkpoint is a self-contained weights file the codec opens.
    let best = std::fs::read(&second.model).unwrap();
    let codec = WallocCodec::new(&best, 2).unwrap();
    assert_eq!(codec.model_id(), MODEL_DEEP);
}

#[test]
fn stereo_deep_and_linear_share_latents_and_never_mix() {
    use cinder_core::{Audio, AudioCodec};
    use cinder_walloc::{WallocAudioCodec, MODEL_DEEP_STEREO, MODEL_LINEAR_STEREO};
    let frames = 40_000usize;
    let samples = (0..frames)
        .flat_map(|t| {
            let x = t as f32 / 44_100.0;
            [
                0.4 * (2.0 * std::f32::consts::PI * 330.0 * x).sin(),
                0.3 * (2.0 * std::f32::consts::PI * 550.0 * x).sin(),
            ]
        })
        .collect();
    let clip = Audio::new(44_100, 2, samples).unwrap();
    // No deep stereo decoder is shipped: build one (untrained, random output layer) to test the plumbing.
    let device = burn::tensor::Device::flex();
    device.seed(9);
    let config = cinder_walloc::deep::DeepConfig {
        width: 8,
        blocks: 2,
        outputs: 512,
    };
    let mut net =
        cinder_walloc::deep_audio::DeepNet1d::new(cinder_walloc::deep::AUDIO_INPUTS, 8, 2, 512, &device);
    net.randomise_output(&device);
    let file = DeepWeightsFile::to_bytes(
        cinder_walloc::EMBEDDED_STEREO_WEIGHTS,
        config,
        &cinder_walloc::deep::net_bytes(net).unwrap(),
    );
    let (deep, linear) = (
        WallocAudioCodec::new(&file, 3).unwrap(),
        WallocAudioCodec::embedded_linear(3).unwrap(),
    );
    assert_eq!(deep.model_id(), MODEL_DEEP_STEREO);
    let opts = EncodeOptions::default();
    let (cd, cl) = (
        deep.encode(&clip, &opts).unwrap(),
        linear.encode(&clip, &opts).unwrap(),
    );
    assert_eq!(
        (cd.header.model_id, cl.header.model_id),
        (MODEL_DEEP_STEREO, MODEL_LINEAR_STEREO)
    );
    assert_eq!(cd.chunks, cl.chunks);
    let back = deep.decode(&cd, &DecodeOptions::default()).unwrap();
    assert_eq!((back.channels, back.frames()), (2, frames as u64));
    assert_eq!(
        deep.decode(&cl, &DecodeOptions::default()).unwrap(),
        linear.decode(&cl, &DecodeOptions::default()).unwrap()
    );
    assert!(matches!(
        linear.decode(&cd, &DecodeOptions::default()).unwrap_err(),
        CodecError::Weights { .. }
    ));
}

#[test]
fn corrupt_network_records_are_errors_or_valid_not_panics() {
    let file = DeepWeightsFile::parse(EMBEDDED_DEEP_WEIGHTS).unwrap();
    let start = EMBEDDED_DEEP_WEIGHTS.len() - file.burnpack.len();
    let img = Image::new(16, 16, 3, vec![128; 16 * 16 * 3]).unwrap();
    // Flip bytes across the burnpack header (metadata, names, shapes) and a few in the tensor data.
    let positions: Vec<usize> = (0..256)
        .step_by(7)
        .chain([1000, 50_000, file.burnpack.len() - 1])
        .collect();
    for k in positions {
        let mut bytes = EMBEDDED_DEEP_WEIGHTS.to_vec();
        bytes[start + k] ^= 0x5A;
        if let Ok(codec) = WallocCodec::new(&bytes, 2) {
            // Whatever loaded must still decode without panicking.
            let c = codec.encode(&img, &EncodeOptions::default()).unwrap();
            let _ = codec.decode(&c, &DecodeOptions::default());
        }
    }
}

#[test]
fn shipped_stereo_decoder_serves_q1_to_q3_and_q4_q5_stay_linear() {
    use cinder_walloc::{WallocAudioCodec, MODEL_DEEP_STEREO, MODEL_LINEAR_STEREO};
    for (q, model) in [
        (1, MODEL_DEEP_STEREO),
        (3, MODEL_DEEP_STEREO),
        (4, MODEL_LINEAR_STEREO),
        (5, MODEL_LINEAR_STEREO),
    ] {
        assert_eq!(WallocAudioCodec::embedded(q).unwrap().model_id(), model, "q{q}");
    }
}

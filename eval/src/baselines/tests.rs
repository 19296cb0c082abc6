//! Round trips of every baseline on synthetic media; skipped with a note when a tool is absent.

use super::*;
use crate::codec::{AudioCoder, ImageCoder};
use crate::metrics::{psnr_rgb, si_sdr};
use cinder_datasets::synthetic::{synthetic_digits, synthetic_image, synthetic_speech};

fn image_coder(name: &str) -> Option<Box<dyn ImageCoder>> {
    if !tools_present(name) {
        return None;
    }
    match open(name).unwrap().unwrap().coder {
        Coder::Image(c) => Some(c),
        Coder::Audio(_) => panic!("{name} is an image codec"),
    }
}

fn audio_coder(name: &str) -> Option<Box<dyn AudioCoder>> {
    if !tools_present(name) {
        return None;
    }
    match open(name).unwrap().unwrap().coder {
        Coder::Audio(c) => Some(c),
        Coder::Image(_) => panic!("{name} is an audio codec"),
    }
}

#[test]
fn lossy_image_baselines_round_trip_with_sane_quality() {
    let img = synthetic_image(64, 48, 3, 11);
    for name in ["jpeg", "webp", "avif", "jxl"] {
        let Some(c) = image_coder(name) else { continue };
        let lo = c.code(&img, 30.0).unwrap();
        let hi = c.code(&img, 90.0).unwrap();
        assert_eq!(
            (lo.decoded.width, lo.decoded.height, lo.decoded.channels),
            (64, 48, 3),
            "{name}"
        );
        let (p_lo, p_hi) = (
            psnr_rgb(&img, &lo.decoded).unwrap(),
            psnr_rgb(&img, &hi.decoded).unwrap(),
        );
        assert!(
            p_lo > 20.0 && p_hi > p_lo,
            "{name}: {p_lo} dB at q30, {p_hi} dB at q90"
        );
        assert!(
            hi.bytes > lo.bytes,
            "{name}: {} bytes at q90 vs {} at q30",
            hi.bytes,
            lo.bytes
        );
    }
}

#[test]
fn lossless_image_baselines_are_exact_on_grey_and_rgb() {
    let digits = synthetic_digits(2, 5);
    let rgb = synthetic_image(20, 12, 3, 2);
    for name in ["png", "webp-lossless", "jxl-lossless"] {
        let Some(c) = image_coder(name) else { continue };
        assert!(c.lossless());
        for img in digits.iter().chain([&rgb]) {
            let coded = c.code(img, 0.0).unwrap();
            assert_eq!(&coded.decoded, img, "{name} is not exact");
            assert!(coded.bytes > 0);
        }
    }
}

#[test]
fn audio_baselines_round_trip() {
    let speech = synthetic_speech(16000, 2.0, 8);
    if let Some(c) = audio_coder("flac") {
        let coded = c.code(&speech, 0.0).unwrap();
        assert_eq!(coded.decoded, speech, "flac is not exact");
    }
    if let Some(c) = audio_coder("opus") {
        let coded = c.code(&speech, 12.0).unwrap();
        assert_eq!(coded.decoded.sample_rate, 16000);
        let kbps = coded.bytes as f64 * 8.0 / 2.0 / 1000.0;
        assert!(kbps > 8.0 && kbps < 20.0, "opus 12 kbps gave {kbps}");
        assert!(si_sdr(&speech, &coded.decoded).unwrap() > 0.0);
    }
    if let Some(c) = audio_coder("codec2") {
        let coded = c.code(&speech, 3.2).unwrap();
        let kbps = coded.bytes as f64 * 8.0 / 2.0 / 1000.0;
        assert!((kbps - 3.2).abs() < 0.2, "codec2 3.2 gave {kbps}");
        assert!(c.code(&speech, 5.0).is_err());
    }
}

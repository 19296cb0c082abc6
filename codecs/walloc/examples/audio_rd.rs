//! Rate–distortion of the stereo WaLLoC (linear and deep decoder), from real `.cnd` bytes, against Opus.
//!
//! * `audio_rd -- ../shared/data/audio/music held-out [opus kbps…]`: every quality of the linear stereo model and, where it is used, of the embedded deep
//!   decoder (or of a deep stereo weights file named by `WALLOC_DEEP_STEREO`) on
//!   the 3 held-out clips (`etr_race1-jt`, `etr_spunkyrace-ks`, `etr_start1-jt`), and `opusenc --bitrate K` /
//!   `opusdec --rate <clip rate> --float` at each listed K (needs Debian `opus-tools`).
//! * `audio_rd -- ../shared/data/audio/music sweep`: the σ sweep on the 8 TRAINING clips that chose the quality
//!   table (latent bits from the coder's own models; nothing from the held-out clips).
//!
//! Scores on the stereo waveform at the native rate: PSNR = 10·log10(1 / MSE) (full scale ±1) and SI-SDR (mean
//! over the 2 channels). kbps = file bytes · 8 / duration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::{Audio, AudioCodec, DecodeOptions, EncodeOptions};
use cinder_walloc::audio::{encode_audio_latents, prepare};
use cinder_walloc::pipeline::Projection;
use cinder_walloc::{LinearWeights, WallocAudioCodec};
use std::path::{Path, PathBuf};
use std::process::Command;

const TRAIN: &[&str] = &[
    "librosa_brahms_hungarian_dance_5.flac",
    "librosa_karissa_hobbs_lets_go_fishin.flac",
    "librosa_kevin_macleod_sugar_plum_fairy.flac",
    "librosa_kevin_macleod_vibe_ace.flac",
    "librosa_sorohanro_solo_trumpet_06.flac",
    "etr_calmrace-ks.flac",
    "etr_credits1-cp.flac",
    "etr_freezingpoint.flac",
];

/// Squared error, sample count, and the sum of per-clip SI-SDR over clips.
#[derive(Default, Clone, Copy)]
struct Score {
    se: f64,
    n: f64,
    sisdr_sum: f64,
    clips: f64,
}

fn score(reference: &Audio, decoded: &Audio, acc: &mut Score) {
    let ch = usize::from(reference.channels);
    assert_eq!(decoded.channels, reference.channels);
    let frames = reference.frames().min(decoded.frames()) as usize;
    let mut sisdr = 0.0;
    for c in 0..ch {
        let (mut ss, mut sh, mut hh, mut se) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for t in 0..frames {
            let s = f64::from(reference.samples[t * ch + c]);
            let h = f64::from(decoded.samples[t * ch + c]);
            ss += s * s;
            sh += s * h;
            hh += h * h;
            se += (s - h) * (s - h);
        }
        acc.se += se;
        acc.n += frames as f64;
        let alpha = sh / ss.max(1e-30);
        let target = alpha * alpha * ss;
        let noise = (hh - 2.0 * alpha * sh + alpha * alpha * ss).max(1e-30);
        sisdr += 10.0 * (target / noise).log10();
    }
    acc.sisdr_sum += sisdr / ch as f64;
    acc.clips += 1.0;
}

fn report(name: &str, bits: f64, seconds: f64, s: &Score) {
    println!(
        "{name:<28} {:>8.2} kbps  PSNR {:>6.2} dB  SI-SDR {:>6.2} dB",
        bits / seconds / 1000.0,
        10.0 * (s.n / s.se).log10(),
        s.sisdr_sum / s.clips
    );
}

fn load(dir: &Path, names: &[&str]) -> Vec<(String, Audio)> {
    names
        .iter()
        .map(|f| {
            (
                f.to_string(),
                cinder_datasets::io::load_audio(&dir.join(f)).unwrap(),
            )
        })
        .collect()
}

fn held_out(dir: &Path, opus: &[u32]) {
    let files: Vec<String> = cinder_walloc::audio::HELD_OUT_MUSIC
        .iter()
        .map(|stem| format!("{stem}.flac"))
        .collect();
    let clips = load(dir, &files.iter().map(String::as_str).collect::<Vec<_>>());
    let seconds: f64 = clips
        .iter()
        .map(|(_, a)| a.frames() as f64 / f64::from(a.sample_rate))
        .sum();
    for (f, a) in &clips {
        println!(
            "{f}: {} Hz, {} ch, {:.2} s",
            a.sample_rate,
            a.channels,
            a.frames() as f64 / f64::from(a.sample_rate)
        );
    }
    for q in 1..=5u8 {
        let mut codecs = vec![("walloc-linear", WallocAudioCodec::embedded_linear(q).unwrap())];
        let deep = match std::env::var("WALLOC_DEEP_STEREO") {
            Ok(path) => WallocAudioCodec::new(&std::fs::read(path).unwrap(), q).unwrap(),
            Err(_) => WallocAudioCodec::embedded(q).unwrap(),
        };
        if deep.model_id() == cinder_walloc::MODEL_DEEP_STEREO {
            codecs.push(("walloc-deep", deep));
        }
        for (name, codec) in codecs {
            let (mut bits, mut acc) = (0.0, Score::default());
            let t = std::time::Instant::now();
            for (_, a) in &clips {
                let bytes = codec
                    .encode(a, &EncodeOptions::default())
                    .unwrap()
                    .to_bytes()
                    .unwrap();
                bits += bytes.len() as f64 * 8.0;
                let c =
                    cinder_format::Container::from_bytes(&bytes, &cinder_format::Limits::default()).unwrap();
                let back = codec.decode(&c, &DecodeOptions::default()).unwrap();
                score(a, &back, &mut acc);
            }
            report(&format!("{name} q{q}"), bits, seconds, &acc);
            eprintln!("  (encode+decode {:.1} s)", t.elapsed().as_secs_f64());
        }
    }
    let tmp = std::env::temp_dir().join(format!("cinder_audio_rd_{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for &k in opus {
        let (mut bits, mut acc) = (0.0, Score::default());
        for (f, a) in &clips {
            let (o, w) = (tmp.join("x.opus"), tmp.join("x.wav"));
            let ok = Command::new("opusenc")
                .args(["--quiet", "--bitrate", &k.to_string()])
                .arg(dir.join(f))
                .arg(&o)
                .status()
                .unwrap();
            assert!(ok.success());
            let ok = Command::new("opusdec")
                .args(["--quiet", "--float", "--rate", &a.sample_rate.to_string()])
                .arg(&o)
                .arg(&w)
                .status()
                .unwrap();
            assert!(ok.success());
            bits += std::fs::metadata(&o).unwrap().len() as f64 * 8.0;
            score(a, &cinder_datasets::io::load_audio(&w).unwrap(), &mut acc);
        }
        report(&format!("opus --bitrate {k}"), bits, seconds, &acc);
    }
    std::fs::remove_dir_all(&tmp).ok();
}

fn sweep(dir: &Path) {
    let clips = load(dir, TRAIN);
    let weights = LinearWeights::from_bytes(include_bytes!("../weights/linear_stereo_j8.bin")).unwrap();
    let seconds: f64 = clips
        .iter()
        .map(|(_, a)| a.frames() as f64 / f64::from(a.sample_rate))
        .sum();
    for channels in [27usize, 54, 108] {
        for sigma in [1.0f32, 2.0, 4.0, 8.0, 16.0, 32.0] {
            let proj = Projection {
                channels,
                sigma,
                uniform_step: true,
            };
            let (mut bits, mut se, mut n) = (0.0, 0.0f64, 0.0f64);
            for (_, a) in &clips {
                let clip = prepare(a).unwrap();
                let lat = encode_audio_latents(&weights, proj, &clip);
                bits += cinder_walloc::count_bits(&lat).unwrap();
                let back = cinder_walloc::audio::decode_audio_latents(
                    &weights,
                    proj,
                    &lat,
                    clip.frames,
                    2,
                    clip.gain,
                );
                let ch = usize::from(a.channels);
                for t in 0..clip.frames {
                    for c in 0..2 {
                        let s = f64::from(a.samples[t * ch + c.min(ch - 1)]);
                        se += (s - f64::from(back[t * 2 + c])).powi(2);
                        n += 1.0;
                    }
                }
            }
            println!(
                "C={channels:>3} sigma={sigma:>4}: {:>7.2} kbps  PSNR {:>6.2} dB",
                bits / seconds / 1000.0,
                10.0 * (n / se).log10()
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(&args[1]);
    match args.get(2).map(String::as_str) {
        Some("sweep") => sweep(&dir),
        _ => held_out(
            &dir,
            &args[3.min(args.len())..]
                .iter()
                .map(|s| s.parse().unwrap())
                .collect::<Vec<_>>(),
        ),
    }
}

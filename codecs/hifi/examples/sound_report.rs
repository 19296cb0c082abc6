//! What a model's output sounds like, in numbers: codes every file of a folder (use held-out *training* files,
//! never the eval set) through the codec at one quality and compares decoded with original after aligning them.
//!
//! Per file, then averaged: the correlation of 20-ms frame levels (dB), the level of loud frames (90th
//! percentile) and of pauses (10th percentile) in both, the level difference in four bands (0–1, 1–2, 2–4,
//! 4–8 kHz; negative = the output lacks that band, i.e. muffled when the top bands are low), the spectral
//! flatness of voiced frames (higher than the original = noisier / buzzier harmonics) and SI-SDR.
//!
//! `cargo run --release -p cinder-hifi --example sound_report -- WEIGHTS.bin FOLDER [QUALITY]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::{AudioCodec, DecodeOptions, EncodeOptions};
use cinder_hifi::HifiCodec;
use rustfft::num_complex::Complex;
use rustfft::FftPlanner;
use std::path::Path;

/// 20 ms frames at 16 kHz.
const FRAME: usize = 320;
/// Spectral frames (32 ms) for band levels and flatness.
const N_FFT: usize = 512;
/// The largest delay searched when aligning (50 ms).
const MAX_LAG: usize = 800;
/// Band edges in Hz.
const BANDS: [f64; 5] = [0.0, 1000.0, 2000.0, 4000.0, 8000.0];

/// Magnitude envelope: |x| averaged over 5 ms (80 samples), mean removed.
fn envelope(x: &[f32]) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len());
    let mut acc = 0.0;
    for (i, v) in x.iter().enumerate() {
        acc += f64::from(v.abs());
        if i >= 80 {
            acc -= f64::from(x[i - 80].abs());
        }
        out.push(acc / 80.0);
    }
    let mean = out.iter().sum::<f64>() / out.len().max(1) as f64;
    out.iter_mut().for_each(|v| *v -= mean);
    out
}

/// The delay of `y` against `x` (samples, `y[n + lag] ≈ x[n]`, negative when `y` is early) that best lines up
/// their magnitude envelopes (waveform correlation is unreliable when the phase is not reproduced).
fn best_lag(x: &[f32], y: &[f32]) -> isize {
    let (ex, ey) = (envelope(x), envelope(y));
    let n = ex.len().min(ey.len()).saturating_sub(2 * MAX_LAG);
    let score = |lag: isize| -> f64 {
        let (a, b) = if lag >= 0 {
            (&ex[..], &ey[lag.unsigned_abs()..])
        } else {
            (&ex[lag.unsigned_abs()..], &ey[..])
        };
        a.iter().zip(b).take(n).map(|(p, q)| p * q).sum()
    };
    let m = MAX_LAG as isize;
    (-m..=m)
        .max_by(|&a, &b| score(a).total_cmp(&score(b)))
        .unwrap_or(0)
}

fn frame_db(x: &[f32]) -> Vec<f64> {
    x.chunks_exact(FRAME)
        .map(|f| {
            10.0 * (f.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / FRAME as f64 + 1e-10)
                .log10()
        })
        .collect()
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[((s.len() - 1) as f64 * p).round() as usize]
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt().max(1e-12)
}

/// Power spectra of Hann-windowed frames (hop `N_FFT / 2`).
fn spectra(x: &[f32]) -> Vec<Vec<f64>> {
    let fft = FftPlanner::<f64>::new().plan_fft_forward(N_FFT);
    let window: Vec<f64> = (0..N_FFT)
        .map(|n| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / N_FFT as f64).cos())
        .collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start + N_FFT <= x.len() {
        let mut buf: Vec<Complex<f64>> = (0..N_FFT)
            .map(|n| Complex::new(f64::from(x[start + n]) * window[n], 0.0))
            .collect();
        fft.process(&mut buf);
        out.push(buf[..=N_FFT / 2].iter().map(|c| c.norm_sqr()).collect());
        start += N_FFT / 2;
    }
    out
}

/// Total power per band over `frames`.
fn band_power(spec: &[Vec<f64>], frames: &[usize]) -> [f64; 4] {
    let hz = 16_000.0 / N_FFT as f64;
    let mut p = [0.0; 4];
    for &f in frames {
        for (k, v) in spec[f].iter().enumerate() {
            let b = BANDS
                .windows(2)
                .position(|w| (k as f64 * hz) >= w[0] && (k as f64 * hz) < w[1])
                .unwrap_or(3);
            p[b] += v;
        }
    }
    p
}

/// Mean spectral flatness (geometric / arithmetic mean of the power, 0–4 kHz) over `frames`.
fn flatness(spec: &[Vec<f64>], frames: &[usize]) -> f64 {
    let top = (4000.0 / (16_000.0 / N_FFT as f64)) as usize;
    let sum: f64 = frames
        .iter()
        .map(|&f| {
            let s = &spec[f][1..top];
            let geo = (s.iter().map(|v| (v + 1e-12).ln()).sum::<f64>() / s.len() as f64).exp();
            geo / (s.iter().sum::<f64>() / s.len() as f64 + 1e-12)
        })
        .sum();
    sum / frames.len().max(1) as f64
}

fn si_sdr(x: &[f32], y: &[f32]) -> f64 {
    let dot: f64 = x.iter().zip(y).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum();
    let xx: f64 = x.iter().map(|a| f64::from(*a) * f64::from(*a)).sum();
    let alpha = dot / xx.max(1e-12);
    let noise: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| (alpha * f64::from(*a) - f64::from(*b)).powi(2))
        .sum();
    10.0 * (alpha * alpha * xx / noise.max(1e-12)).log10()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: sound_report WEIGHTS.bin FOLDER [QUALITY]");
        std::process::exit(2);
    }
    let quality: u8 = args.get(2).map_or(2, |q| q.parse().expect("quality 1 or 2"));
    let weights = std::fs::read(&args[0]).unwrap();
    let codec = HifiCodec::open(&weights, quality, cinder_core::Device::Cpu).unwrap();
    let folder =
        cinder_datasets::folders::AudioFolder::open(Path::new(&args[1]), Some(16_000), true).unwrap();
    let names = [
        "corr",
        "loud orig",
        "loud out",
        "pause orig",
        "pause out",
        "flat orig",
        "flat out",
        "SI-SDR",
    ];
    let mut total = [0.0f64; 12];
    println!(
        "{:<24} {:>5} {:>5} {:>9} {:>8} {:>10} {:>9} {:>9} {:>8} {:>6}  band diff dB (0-1/1-2/2-4/4-8 kHz)",
        "file", "lag", names[0], names[1], names[2], names[3], names[4], names[5], names[6], names[7]
    );
    for i in 0..folder.len() {
        let audio = folder.get(i).unwrap();
        let file = codec.encode(&audio, &EncodeOptions::default()).unwrap();
        let out = codec.decode(&file, &DecodeOptions::default()).unwrap();
        let x = &audio.samples;
        let lag = best_lag(x, &out.samples);
        let (x, y) = if lag >= 0 {
            (&x[..], &out.samples[lag.unsigned_abs()..])
        } else {
            (&x[lag.unsigned_abs()..], &out.samples[..])
        };
        let n = x.len().min(y.len());
        let (x, y) = (&x[..n], &y[..n]);
        let (dx, dy) = (frame_db(x), frame_db(y));
        let (sx, sy) = (spectra(x), spectra(y));
        // Voiced / active frames: within 30 dB of the loudest spectral frame of the original.
        let energy: Vec<f64> = sx.iter().map(|s| s.iter().sum::<f64>()).collect();
        let peak = energy.iter().copied().fold(0.0, f64::max);
        let active: Vec<usize> = (0..energy.len()).filter(|&f| energy[f] > peak * 1e-3).collect();
        let (bx, by) = (band_power(&sx, &active), band_power(&sy, &active));
        let bands: Vec<f64> = (0..4)
            .map(|b| 10.0 * ((by[b] + 1e-12) / (bx[b] + 1e-12)).log10())
            .collect();
        let row = [
            correlation(&dx, &dy),
            percentile(&dx, 0.9),
            percentile(&dy, 0.9),
            percentile(&dx, 0.1),
            percentile(&dy, 0.1),
            flatness(&sx, &active),
            flatness(&sy, &active),
            si_sdr(x, y),
            bands[0],
            bands[1],
            bands[2],
            bands[3],
        ];
        let name = folder.paths[i]
            .file_name()
            .map_or(String::new(), |s| s.to_string_lossy().into_owned());
        println!(
            "{name:<24} {lag:>5} {:>5.3} {:>9.1} {:>8.1} {:>10.1} {:>9.1} {:>9.3} {:>8.3} {:>6.1}  {:+.1} / {:+.1} / {:+.1} / {:+.1}",
            row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[10], row[11]
        );
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
    }
    let n = folder.len().max(1) as f64;
    let m: Vec<f64> = total.iter().map(|t| t / n).collect();
    println!(
        "{:<24} {:>5} {:>5.3} {:>9.1} {:>8.1} {:>10.1} {:>9.1} {:>9.3} {:>8.3} {:>6.1}  {:+.1} / {:+.1} / {:+.1} / {:+.1}",
        "mean", "", m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], m[10], m[11]
    );
}

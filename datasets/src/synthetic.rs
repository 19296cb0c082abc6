//! Synthetic media for tests: deterministic images with smooth regions, edges and texture, speech-like audio
//! (a gliding harmonic source under syllable-rate envelopes with pauses) and digit-like 28×28 images.
//!
//! Tests use these instead of `../shared/data`, so they run anywhere.

use crate::crops::SplitMix64;
use cinder_core::{Audio, Image};
use std::f64::consts::PI;

/// A `width`×`height` image with `channels` channels: gradients, a disc with a sharp edge, a sinusoidal
/// texture and mild noise, all drawn from `seed`.
pub fn synthetic_image(width: u32, height: u32, channels: u8, seed: u64) -> Image {
    let mut rng = SplitMix64::new(seed);
    let (w, h) = (f64::from(width), f64::from(height));
    let (cx, cy, r) = (rng.unit_f64() * w, rng.unit_f64() * h, 0.25 * w.min(h));
    let freq = 0.15 + 0.3 * rng.unit_f64();
    let mut data = Vec::with_capacity(width as usize * height as usize * channels as usize);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (f64::from(x), f64::from(y));
            let inside = (fx - cx).powi(2) + (fy - cy).powi(2) < r * r;
            for c in 0..channels {
                let grad = 40.0 + 120.0 * (fx / w) * (1.0 - f64::from(c) * 0.3) + 60.0 * fy / h;
                let texture = 20.0 * (freq * fx + 0.7 * freq * fy + f64::from(c)).sin();
                let disc = if inside { 50.0 } else { 0.0 };
                let noise = 6.0 * (rng.unit_f64() - 0.5);
                data.push((grad + texture + disc + noise).round().clamp(0.0, 255.0) as u8);
            }
        }
    }
    Image {
        width,
        height,
        channels,
        data,
    }
}

/// `seconds` of mono speech-like audio at `sample_rate`: a harmonic source whose pitch glides between 100 and
/// 220 Hz, shaped by two moving formant-like resonances, gated into syllables with short pauses. Quantised
/// to 16-bit steps, peak about 0.5.
pub fn synthetic_speech(sample_rate: u32, seconds: f64, seed: u64) -> Audio {
    let mut rng = SplitMix64::new(seed);
    let n = (seconds * f64::from(sample_rate)) as usize;
    let sr = f64::from(sample_rate);
    let f0_base = 100.0 + 60.0 * rng.unit_f64();
    let syllable_hz = 3.0 + 2.0 * rng.unit_f64();
    let mut phase = 0.0f64;
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / sr;
        let f0 = f0_base * (1.0 + 0.35 * (2.0 * PI * 0.7 * t).sin());
        phase += 2.0 * PI * f0 / sr;
        let f1 = 500.0 + 300.0 * (2.0 * PI * 1.3 * t).sin();
        let f2 = 1500.0 + 700.0 * (2.0 * PI * 0.9 * t + 1.0).sin();
        let mut v = 0.0;
        for k in 1..=30 {
            let fk = f0 * f64::from(k);
            if fk > sr * 0.45 {
                break;
            }
            let gain = 1.0 / (1.0 + ((fk - f1) / 150.0).powi(2)) + 0.6 / (1.0 + ((fk - f2) / 250.0).powi(2));
            v += gain * (f64::from(k) * phase).sin() / f64::from(k).sqrt();
        }
        let syl = (PI * syllable_hz * t).sin().abs();
        let gate = if (t * syllable_hz / 4.0).fract() > 0.8 {
            0.0
        } else {
            1.0
        };
        let noise = 0.01 * (rng.unit_f64() - 0.5);
        samples.push(0.25 * v * syl * syl * gate + noise);
    }
    let peak = samples.iter().fold(1e-9f64, |m, &s| m.max(s.abs()));
    let samples = samples
        .into_iter()
        .map(|s| ((s / peak * 0.5 * 32768.0).round() / 32768.0) as f32)
        .collect();
    Audio {
        sample_rate,
        channels: 1,
        samples,
    }
}

/// `n` grey 28×28 digit-like images: dark background, one or two bright strokes, drawn from `seed`.
pub fn synthetic_digits(n: usize, seed: u64) -> Vec<Image> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            let mut data = vec![0u8; 28 * 28];
            let strokes = 1 + rng.below(2);
            for _ in 0..strokes {
                let (x0, y0) = (4.0 + 20.0 * rng.unit_f64(), 4.0 + 20.0 * rng.unit_f64());
                let (x1, y1) = (4.0 + 20.0 * rng.unit_f64(), 4.0 + 20.0 * rng.unit_f64());
                for s in 0..=40 {
                    let t = f64::from(s) / 40.0;
                    let (x, y) = (x0 + t * (x1 - x0), y0 + t * (y1 - y0));
                    for (dx, dy, v) in [(0, 0, 255u8), (1, 0, 180), (0, 1, 180), (-1, 0, 90), (0, -1, 90)] {
                        let (px, py) = ((x as i32 + dx).clamp(0, 27), (y as i32 + dy).clamp(0, 27));
                        let p = &mut data[py as usize * 28 + px as usize];
                        *p = (*p).max(v);
                    }
                }
            }
            Image {
                width: 28,
                height: 28,
                channels: 1,
                data,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_media_are_deterministic_and_valid() {
        let a = synthetic_image(33, 17, 3, 5);
        a.validate().unwrap();
        assert_eq!(a, synthetic_image(33, 17, 3, 5));
        let s = synthetic_speech(16000, 0.5, 1);
        assert_eq!(s.samples.len(), 8000);
        assert!(s.samples.iter().all(|v| v.abs() <= 0.5 + 1e-6));
        assert_eq!(s, synthetic_speech(16000, 0.5, 1));
        let d = synthetic_digits(3, 9);
        assert_eq!(d.len(), 3);
        assert!(d.iter().all(|i| i.data.contains(&255)));
    }
}

//! Short-Time Objective Intelligibility (Taal, Hendriks, Heusdens & Jensen, IEEE TASLP 2011), following the
//! reference MATLAB code's conventions as pystoi does: resampling to 10 kHz with an Octave-compatible
//! Kaiser-windowed polyphase filter, removal of frames more than 40 dB below the loudest clean frame
//! (256-sample Hann frames, 50 % overlap, overlap-add), a 512-point STFT, 15 one-third-octave bands from
//! 150 Hz, 30-frame (384 ms) segments, clipping at β = −15 dB and the mean of per-band correlations.

use crate::metrics::common_length;
use crate::EvalError;
use cinder_core::Audio;
use cinder_datasets::resample::downmix_mono;
use rustfft::num_complex::Complex;
use rustfft::FftPlanner;

const FS: u32 = 10_000;
const FRAME: usize = 256;
const NFFT: usize = 512;
const BANDS: usize = 15;
const MIN_FREQ: f64 = 150.0;
const SEGMENT: usize = 30;
const BETA_DB: f64 = -15.0;
const DYN_RANGE_DB: f64 = 40.0;
const EPS: f64 = f64::EPSILON;

/// STOI of `degraded` against `clean` (both downmixed; the common length is scored), in about [0, 1].
pub fn stoi(clean: &Audio, degraded: &Audio) -> Result<f64, EvalError> {
    if clean.sample_rate != degraded.sample_rate {
        return Err(EvalError::metric("stoi", "sample rates differ"));
    }
    let (x, y) = (downmix_mono(clean), downmix_mono(degraded));
    let (x, y) = common_length(&x.samples, &y.samples);
    let to64 = |s: &[f32]| s.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>();
    let (mut x, mut y) = (to64(x), to64(y));
    if clean.sample_rate != FS {
        x = resample_oct(&x, FS, clean.sample_rate);
        y = resample_oct(&y, FS, clean.sample_rate);
    }
    let (x, y) = remove_silent_frames(&x, &y)?;
    let (xs, ys) = (band_envelopes(&x), band_envelopes(&y));
    let frames = xs.first().map_or(0, Vec::len);
    if frames < SEGMENT {
        return Err(EvalError::metric(
            "stoi",
            format!("only {frames} active frames after silence removal, need {SEGMENT}"),
        ));
    }
    let clip = 10f64.powf(-BETA_DB / 20.0);
    let mut total = 0.0;
    for m in SEGMENT..=frames {
        for (xb, yb) in xs.iter().zip(&ys) {
            let (xseg, yseg) = (&xb[m - SEGMENT..m], &yb[m - SEGMENT..m]);
            let k = norm(xseg) / (norm(yseg) + EPS);
            let yp: Vec<f64> = yseg
                .iter()
                .zip(xseg)
                .map(|(&b, &a)| (b * k).min(a * (1.0 + clip)))
                .collect();
            total += correlation(xseg, &yp);
        }
    }
    Ok(total / ((frames + 1 - SEGMENT) * BANDS) as f64)
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let ac: Vec<f64> = a.iter().map(|v| v - ma).collect();
    let bc: Vec<f64> = b.iter().map(|v| v - mb).collect();
    let (na, nb) = (norm(&ac) + EPS, norm(&bc) + EPS);
    ac.iter().zip(&bc).map(|(x, y)| (x / na) * (y / nb)).sum()
}

/// MATLAB's `hanning(n)`: the Hann window without its zero end points.
fn hann(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * (i + 1) as f64 / (n + 1) as f64).cos())
        .collect()
}

/// Drops the frames of both signals where the clean one is more than 40 dB below its loudest frame.
fn remove_silent_frames(x: &[f64], y: &[f64]) -> Result<(Vec<f64>, Vec<f64>), EvalError> {
    let (w, hop) = (hann(FRAME), FRAME / 2);
    let starts: Vec<usize> = (0..x.len().saturating_sub(FRAME)).step_by(hop).collect();
    if starts.is_empty() {
        return Err(EvalError::metric("stoi", "signal shorter than one frame"));
    }
    let frame =
        |s: &[f64], i: usize| -> Vec<f64> { w.iter().zip(&s[i..i + FRAME]).map(|(a, b)| a * b).collect() };
    let energies: Vec<f64> = starts
        .iter()
        .map(|&i| 20.0 * (norm(&frame(x, i)) + EPS).log10())
        .collect();
    let max = energies.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let kept: Vec<usize> = starts
        .iter()
        .zip(&energies)
        .filter(|(_, &e)| max - DYN_RANGE_DB - e < 0.0)
        .map(|(&i, _)| i)
        .collect();
    let len = (kept.len() - 1) * hop + FRAME;
    let (mut xo, mut yo) = (vec![0.0; len], vec![0.0; len]);
    for (k, &i) in kept.iter().enumerate() {
        for (j, (a, b)) in frame(x, i).into_iter().zip(frame(y, i)).enumerate() {
            xo[k * hop + j] += a;
            yo[k * hop + j] += b;
        }
    }
    Ok((xo, yo))
}

/// One-third-octave band envelopes `[band][frame]` of a 10 kHz signal.
fn band_envelopes(x: &[f64]) -> Vec<Vec<f64>> {
    let (w, hop) = (hann(FRAME), FRAME / 2);
    let fft = FftPlanner::<f64>::new().plan_fft_forward(NFFT);
    let bands = band_ranges();
    let mut out = vec![Vec::new(); BANDS];
    for i in (0..x.len().saturating_sub(FRAME)).step_by(hop) {
        let mut buf = vec![Complex::new(0.0, 0.0); NFFT];
        for (j, b) in buf.iter_mut().take(FRAME).enumerate() {
            b.re = w[j] * x[i + j];
        }
        fft.process(&mut buf);
        for (o, &(lo, hi)) in out.iter_mut().zip(&bands) {
            o.push(buf[lo..hi].iter().map(|c| c.norm_sqr()).sum::<f64>().sqrt());
        }
    }
    out
}

/// FFT-bin ranges `[lo, hi)` of the bands: edges snapped to the nearest bin, as in the reference code.
fn band_ranges() -> Vec<(usize, usize)> {
    let nearest = |f: f64| -> usize {
        let mut best = (0, f64::INFINITY);
        for k in 0..=NFFT / 2 {
            let d = (k as f64 * f64::from(FS) / NFFT as f64 - f).powi(2);
            if d < best.1 {
                best = (k, d);
            }
        }
        best.0
    };
    (0..BANDS)
        .map(|k| {
            let k = k as f64;
            let lo = MIN_FREQ * 2f64.powf((2.0 * k - 1.0) / 6.0);
            let hi = MIN_FREQ * 2f64.powf((2.0 * k + 1.0) / 6.0);
            (nearest(lo), nearest(hi))
        })
        .collect()
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Modified Bessel function of the first kind, order 0 (power series).
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, mut k) = (1.0, 1.0, 1.0);
    while term > 1e-17 * sum {
        term *= (x / (2.0 * k)).powi(2);
        sum += term;
        k += 1.0;
    }
    sum
}

/// Resampling by `p/q` with Octave's `resample` filter (Kaiser window, 60 dB rejection), computed as
/// polyphase filtering with the output centred on the filter (as scipy's `resample_poly`).
fn resample_oct(x: &[f64], p: u32, q: u32) -> Vec<f64> {
    let g = gcd(p, q);
    let (p, q) = ((p / g) as usize, (q / g) as usize);
    let fc = 1.0 / (2.0 * p.max(q) as f64);
    let rejection_db = 60.0;
    let half = ((rejection_db - 8.0) / (28.714 * fc / 10.0)).ceil() as usize;
    let beta = 0.1102 * (rejection_db - 8.7);
    let m = 2 * half + 1;
    let mut h: Vec<f64> = (0..m)
        .map(|i| {
            let t = i as f64 - half as f64;
            let a = 2.0 * fc * t;
            let sinc = if a == 0.0 {
                1.0
            } else {
                (std::f64::consts::PI * a).sin() / (std::f64::consts::PI * a)
            };
            let r = 2.0 * i as f64 / (m - 1) as f64 - 1.0;
            let kaiser = bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(beta);
            2.0 * p as f64 * fc * sinc * kaiser
        })
        .collect();
    let sum: f64 = h.iter().sum();
    h.iter_mut().for_each(|v| *v = *v / sum * p as f64);
    let pre_pad = q - half % q;
    let pre_remove = (half + pre_pad) / q;
    let n_out = (x.len() * p).div_ceil(q);
    let taps = pre_pad + h.len();
    (0..n_out)
        .map(|k| {
            let pos = (k + pre_remove) * q;
            // Taps h'[pos − i·p] with h' = [0; pre_pad] ++ h.
            let mut acc = 0.0;
            let i_min = pos.saturating_sub(taps - 1).div_ceil(p);
            let i_max = (pos / p).min(x.len().saturating_sub(1));
            for (i, xi) in x.iter().enumerate().take(i_max + 1).skip(i_min) {
                let t = pos - i * p;
                if t >= pre_pad && t < taps {
                    acc += xi * h[t - pre_pad];
                }
            }
            acc
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cinder_datasets::synthetic::synthetic_speech;

    #[test]
    fn identical_is_one_and_noise_lowers_it() {
        let clean = synthetic_speech(16000, 3.0, 2);
        let same = stoi(&clean, &clean).unwrap();
        assert!((same - 1.0).abs() < 1e-6, "{same}");
        let mut noisy = clean.clone();
        let mut state = 7u32;
        for s in &mut noisy.samples {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *s += 0.3 * ((state >> 8) as f32 / (1u32 << 24) as f32 - 0.5);
        }
        let worse = stoi(&clean, &noisy).unwrap();
        assert!(worse < 0.9, "{worse}");
    }

    #[test]
    fn resampler_keeps_a_low_tone_in_place() {
        let x: Vec<f64> = (0..16000)
            .map(|i| (2.0 * std::f64::consts::PI * 200.0 * i as f64 / 16000.0).sin())
            .collect();
        let y = resample_oct(&x, 10_000, 16_000);
        assert_eq!(y.len(), 10_000);
        for (k, v) in y.iter().enumerate().skip(1000).take(8000) {
            let e = (2.0 * std::f64::consts::PI * 200.0 * k as f64 / 10_000.0).sin();
            assert!((v - e).abs() < 2e-3, "sample {k}: {v} vs {e}");
        }
    }
}

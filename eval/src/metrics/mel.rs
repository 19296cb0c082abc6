//! Log-mel L1 distance as HiFi-GAN reports it (Kong, Kim & Bae 2020, §2.3 "mel-spectrogram loss"; the
//! `meldataset.mel_spectrogram` conventions): reflect padding of (n_fft − hop)/2 on each side, periodic Hann
//! window, no centring, magnitude `sqrt(|X|² + 1e-9)`, a Slaney-normalised librosa mel filterbank, natural log
//! clamped at 1e-5, and the mean absolute difference over all mel bins and frames.
//!
//! HiFi-GAN's V1 numbers: 22.05 kHz, n_fft 1024, hop 256, 80 mels, fmin 0, fmax = Nyquist (its `fmax_for_loss`).
//! We keep those sizes and use the signal's own rate (16 kHz for LibriSpeech).

use crate::metrics::common_length;
use crate::EvalError;
use cinder_core::Audio;
use cinder_datasets::resample::downmix_mono;
use rustfft::num_complex::Complex;
use rustfft::FftPlanner;

/// Mel-spectrogram settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MelConfig {
    /// FFT size (= window length).
    pub n_fft: usize,
    /// Hop in samples.
    pub hop: usize,
    /// Number of mel bands.
    pub n_mels: usize,
    /// Lowest filter edge in Hz.
    pub fmin: f64,
    /// Highest filter edge in Hz; `None` means Nyquist.
    pub fmax: Option<f64>,
}

impl Default for MelConfig {
    fn default() -> Self {
        MelConfig {
            n_fft: 1024,
            hop: 256,
            n_mels: 80,
            fmin: 0.0,
            fmax: None,
        }
    }
}

/// Mean absolute difference of HiFi-GAN log-mel spectrograms (same rate; cut to a common length).
pub fn mel_l1(reference: &Audio, degraded: &Audio, cfg: &MelConfig) -> Result<f64, EvalError> {
    if reference.sample_rate != degraded.sample_rate {
        return Err(EvalError::metric("mel-l1", "sample rates differ"));
    }
    let (r, d) = (downmix_mono(reference), downmix_mono(degraded));
    let (r, d) = common_length(&r.samples, &d.samples);
    let pad = (cfg.n_fft - cfg.hop) / 2;
    if r.len() <= pad {
        return Err(EvalError::metric(
            "mel-l1",
            "signal shorter than the reflect padding",
        ));
    }
    let sr = f64::from(reference.sample_rate);
    let fb = mel_filterbank(sr, cfg);
    let (a, b) = (log_mel(r, cfg, &fb), log_mel(d, cfg, &fb));
    let n = a.len().max(1) as f64;
    Ok(a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum::<f64>() / n)
}

/// Log-mel values, frame-major.
fn log_mel(x: &[f32], cfg: &MelConfig, fb: &[Vec<f64>]) -> Vec<f64> {
    let pad = (cfg.n_fft - cfg.hop) / 2;
    let n = x.len();
    // numpy/torch "reflect": x[pad], …, x[1], x, x[n−2], …
    let padded: Vec<f64> = (0..n + 2 * pad)
        .map(|i| {
            let j = i as isize - pad as isize;
            let j = if j < 0 {
                -j
            } else if j as usize >= n {
                2 * (n as isize - 1) - j
            } else {
                j
            };
            f64::from(x[j.clamp(0, n as isize - 1) as usize])
        })
        .collect();
    let window: Vec<f64> = (0..cfg.n_fft)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / cfg.n_fft as f64).cos())
        .collect();
    let fft = FftPlanner::<f64>::new().plan_fft_forward(cfg.n_fft);
    let mut out = Vec::new();
    let mut start = 0;
    while start + cfg.n_fft <= padded.len() {
        let mut buf: Vec<Complex<f64>> = (0..cfg.n_fft)
            .map(|i| Complex::new(padded[start + i] * window[i], 0.0))
            .collect();
        fft.process(&mut buf);
        let mag: Vec<f64> = buf[..=cfg.n_fft / 2]
            .iter()
            .map(|c| (c.norm_sqr() + 1e-9).sqrt())
            .collect();
        for filt in fb {
            let v: f64 = filt.iter().zip(&mag).map(|(w, m)| w * m).sum();
            out.push(v.max(1e-5).ln());
        }
        start += cfg.hop;
    }
    out
}

fn hz_to_mel(f: f64) -> f64 {
    let (f_sp, min_log_hz) = (200.0 / 3.0, 1000.0);
    if f >= min_log_hz {
        min_log_hz / f_sp + (f / min_log_hz).ln() / (6.4f64.ln() / 27.0)
    } else {
        f / f_sp
    }
}

fn mel_to_hz(m: f64) -> f64 {
    let (f_sp, min_log_hz) = (200.0 / 3.0, 1000.0);
    let min_log_mel = min_log_hz / f_sp;
    if m >= min_log_mel {
        min_log_hz * ((m - min_log_mel) * (6.4f64.ln() / 27.0)).exp()
    } else {
        m * f_sp
    }
}

/// librosa's `filters.mel(htk=False, norm="slaney")`: `[n_mels][n_fft/2 + 1]` triangular filters.
fn mel_filterbank(sr: f64, cfg: &MelConfig) -> Vec<Vec<f64>> {
    let fmax = cfg.fmax.unwrap_or(sr / 2.0);
    let bins = cfg.n_fft / 2 + 1;
    let fft_freqs: Vec<f64> = (0..bins).map(|k| k as f64 * sr / cfg.n_fft as f64).collect();
    let (lo, hi) = (hz_to_mel(cfg.fmin), hz_to_mel(fmax));
    let pts: Vec<f64> = (0..cfg.n_mels + 2)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (cfg.n_mels + 1) as f64))
        .collect();
    (0..cfg.n_mels)
        .map(|i| {
            let enorm = 2.0 / (pts[i + 2] - pts[i]);
            fft_freqs
                .iter()
                .map(|&f| {
                    let lower = (f - pts[i]) / (pts[i + 1] - pts[i]);
                    let upper = (pts[i + 2] - f) / (pts[i + 2] - pts[i + 1]);
                    lower.min(upper).max(0.0) * enorm
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cinder_datasets::synthetic::synthetic_speech;

    #[test]
    fn mel_scale_round_trips_and_distance_behaves() {
        for f in [0.0, 440.0, 1000.0, 7000.0] {
            assert!((mel_to_hz(hz_to_mel(f)) - f).abs() < 1e-6);
        }
        let a = synthetic_speech(16000, 1.0, 4);
        let cfg = MelConfig::default();
        assert_eq!(mel_l1(&a, &a, &cfg).unwrap(), 0.0);
        let mut b = a.clone();
        b.samples.iter_mut().for_each(|s| *s *= 0.5);
        // Halving the amplitude shifts every unclamped log-mel value by ln 2.
        let d = mel_l1(&a, &b, &cfg).unwrap();
        assert!(d > 0.3 && d <= 2f64.ln() + 1e-6, "{d}");
    }
}

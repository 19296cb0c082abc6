//! Delay compensation for lossy audio: codecs such as Codec 2 output speech a few milliseconds late, which
//! would otherwise be scored as distortion by STOI, SI-SDR and mel-L1 (PESQ aligns by itself). The decoded
//! signal is advanced by the lag in `0..=max` samples that maximises its normalised cross-correlation with
//! the reference, and the tail is zero-padded back to the decoded length.

use cinder_core::Audio;
use cinder_datasets::resample::downmix_mono;

/// Largest delay searched, in seconds.
pub const MAX_DELAY_S: f64 = 0.04;

/// The lag (samples) by which `decoded` trails `reference`.
pub fn estimate_delay(reference: &[f32], decoded: &[f32], max_lag: usize) -> usize {
    let n = reference.len().min(decoded.len());
    let mut best = (0, f64::NEG_INFINITY);
    for lag in 0..=max_lag.min(n.saturating_sub(1)) {
        let (mut dot, mut energy) = (0.0f64, 0.0f64);
        for (r, d) in reference[..n - lag].iter().zip(&decoded[lag..n]) {
            dot += f64::from(*r) * f64::from(*d);
            energy += f64::from(*d) * f64::from(*d);
        }
        let score = dot / (energy.sqrt() + 1e-12);
        if score > best.1 {
            best = (lag, score);
        }
    }
    best.0
}

/// `decoded` advanced by its estimated delay against `reference` (mono), and the delay in samples.
pub fn compensate_delay(reference: &Audio, decoded: &Audio) -> (Audio, usize) {
    let (r, d) = (downmix_mono(reference), downmix_mono(decoded));
    let max = (MAX_DELAY_S * f64::from(decoded.sample_rate)) as usize;
    let lag = estimate_delay(&r.samples, &d.samples, max);
    let mut samples = d.samples[lag.min(d.samples.len())..].to_vec();
    samples.resize(d.samples.len(), 0.0);
    (
        Audio {
            sample_rate: d.sample_rate,
            channels: 1,
            samples,
        },
        lag,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cinder_datasets::synthetic::synthetic_speech;

    #[test]
    fn finds_and_removes_a_known_delay() {
        let a = synthetic_speech(16000, 1.0, 6);
        let mut late = vec![0.0f32; 123];
        late.extend_from_slice(&a.samples[..a.samples.len() - 123]);
        let late = Audio::new(16000, 1, late).unwrap();
        let (fixed, lag) = compensate_delay(&a, &late);
        assert_eq!(lag, 123);
        assert_eq!(fixed.samples[..1000], a.samples[..1000]);
        assert_eq!(compensate_delay(&a, &a).1, 0);
    }
}

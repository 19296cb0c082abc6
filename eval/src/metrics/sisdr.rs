//! Scale-invariant signal-to-distortion ratio (Le Roux et al. 2019, "SDR — half-baked or well done?", eq. 4)
//! on zero-mean mono signals, in dB.

use crate::metrics::common_length;
use crate::EvalError;
use cinder_core::Audio;
use cinder_datasets::resample::downmix_mono;

/// SI-SDR of `estimate` against `reference` (same rate; cut to a common length).
pub fn si_sdr(reference: &Audio, estimate: &Audio) -> Result<f64, EvalError> {
    if reference.sample_rate != estimate.sample_rate {
        return Err(EvalError::metric("si-sdr", "sample rates differ"));
    }
    let (r, e) = (downmix_mono(reference), downmix_mono(estimate));
    let (r, e) = common_length(&r.samples, &e.samples);
    Ok(si_sdr_slices(r, e))
}

/// SI-SDR of two equally long slices, in dB.
pub fn si_sdr_slices(reference: &[f32], estimate: &[f32]) -> f64 {
    let n = reference.len().min(estimate.len()).max(1) as f64;
    let mr = reference.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let me = estimate.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let (mut dot, mut rr) = (0.0, 0.0);
    for (&r, &e) in reference.iter().zip(estimate) {
        let (r, e) = (f64::from(r) - mr, f64::from(e) - me);
        dot += r * e;
        rr += r * r;
    }
    let alpha = dot / (rr + f64::EPSILON);
    let (mut target, mut noise) = (0.0, 0.0);
    for (&r, &e) in reference.iter().zip(estimate) {
        let t = alpha * (f64::from(r) - mr);
        target += t * t;
        noise += (f64::from(e) - me - t).powi(2);
    }
    10.0 * ((target + f64::EPSILON) / (noise + f64::EPSILON)).log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn si_sdr_is_scale_invariant_and_matches_hand_value() {
        let r = [1.0f32, -1.0, 1.0, -1.0];
        let scaled: Vec<f32> = r.iter().map(|x| 3.0 * x).collect();
        assert!(si_sdr_slices(&r, &scaled) > 100.0);
        // estimate = r + n with n ⟂ r and |n|² = |r|²/4 → SI-SDR = 10·log10(4) dB.
        let e = [1.5f32, -0.5, 0.5, -1.5];
        assert!((si_sdr_slices(&r, &e) - 10.0 * 4.0f64.log10()).abs() < 1e-9);
    }
}

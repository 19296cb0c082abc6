//! Wide-band PESQ (ITU-T P.862.2, MOS-LQO) through the pure-Rust `pesq` crate. Both signals are downmixed,
//! resampled to 16 kHz, cut to a common length and quantised to 16-bit before scoring.

use crate::metrics::common_length;
use crate::EvalError;
use cinder_core::Audio;
use cinder_datasets::resample::to_mono_at;

/// PESQ-WB MOS-LQO of `degraded` against `reference` (about 1.0 to 4.64).
pub fn pesq_wb(reference: &Audio, degraded: &Audio) -> Result<f64, EvalError> {
    let r = to_mono_at(reference, 16_000)?;
    let d = to_mono_at(degraded, 16_000)?;
    let (r, d) = common_length(&r.samples, &d.samples);
    let score =
        pesq::pesq_wb(&to_i16(r), &to_i16(d)).map_err(|e| EvalError::metric("pesq-wb", e.to_string()))?;
    Ok(f64::from(score))
}

fn to_i16(x: &[f32]) -> Vec<i16> {
    x.iter()
        .map(|&s| (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cinder_datasets::synthetic::synthetic_speech;

    #[test]
    fn clean_speech_scores_high_and_noise_lowers_it() {
        let clean = synthetic_speech(16000, 3.0, 3);
        let same = pesq_wb(&clean, &clean).unwrap();
        assert!(same > 4.3, "identical signals scored {same}");
        let mut noisy = clean.clone();
        let mut state = 1u32;
        for s in &mut noisy.samples {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *s += 0.05 * ((state >> 8) as f32 / (1u32 << 24) as f32 - 0.5);
        }
        let worse = pesq_wb(&clean, &noisy).unwrap();
        assert!(worse < same - 0.5, "noisy {worse} vs clean {same}");
    }
}

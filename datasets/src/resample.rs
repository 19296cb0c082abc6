//! Downmixing and resampling of [`Audio`] (rubato's FFT resampler, for the fixed rational ratios between
//! common rates), so every audio item reaches a codec at the rate it was built for.

use crate::DatasetError;
use cinder_core::Audio;
use rubato::{FftFixedIn, Resampler};

/// The mean of all channels, as one channel.
pub fn downmix_mono(audio: &Audio) -> Audio {
    let ch = audio.channels.max(1) as usize;
    let samples = audio
        .samples
        .chunks_exact(ch)
        .map(|f| f.iter().sum::<f32>() / ch as f32)
        .collect();
    Audio {
        sample_rate: audio.sample_rate,
        channels: 1,
        samples,
    }
}

/// `audio` resampled to `rate` Hz (all channels), same duration: `round(frames · rate / old_rate)` frames,
/// with the resampler's delay removed.
pub fn resample(audio: &Audio, rate: u32) -> Result<Audio, DatasetError> {
    if rate == audio.sample_rate {
        return Ok(audio.clone());
    }
    if rate == 0 || audio.sample_rate == 0 {
        return Err(DatasetError::Unsupported(format!(
            "cannot resample {} Hz to {rate} Hz",
            audio.sample_rate
        )));
    }
    let ch = audio.channels.max(1) as usize;
    let frames = audio.samples.len() / ch;
    let planar: Vec<Vec<f32>> = (0..ch)
        .map(|c| audio.samples.iter().skip(c).step_by(ch).copied().collect())
        .collect();
    let out = resample_planar(&planar, audio.sample_rate, rate, frames)?;
    let out_frames = out.first().map_or(0, Vec::len);
    let mut samples = Vec::with_capacity(out_frames * ch);
    for i in 0..out_frames {
        samples.extend(out.iter().map(|p| p[i]));
    }
    Ok(Audio {
        sample_rate: rate,
        channels: audio.channels,
        samples,
    })
}

fn resample_planar(
    planar: &[Vec<f32>],
    from: u32,
    to: u32,
    frames: usize,
) -> Result<Vec<Vec<f32>>, DatasetError> {
    let fail = |e: &dyn std::fmt::Display| DatasetError::Resample(format!("{from} Hz -> {to} Hz: {e}"));
    let chunk = 1024;
    let mut rs =
        FftFixedIn::<f32>::new(from as usize, to as usize, chunk, 2, planar.len()).map_err(|e| fail(&e))?;
    let delay = rs.output_delay();
    let want = ((frames as u64 * u64::from(to) + u64::from(from) / 2) / u64::from(from)) as usize;
    let mut out: Vec<Vec<f32>> = vec![Vec::with_capacity(want + delay + chunk); planar.len()];
    let mut pos = 0;
    // Feed whole chunks, then zeros until the delayed tail has come out.
    while out[0].len() < want + delay {
        let need = rs.input_frames_next();
        let block: Vec<Vec<f32>> = planar
            .iter()
            .map(|p| {
                let mut b: Vec<f32> = p.iter().skip(pos).take(need).copied().collect();
                b.resize(need, 0.0);
                b
            })
            .collect();
        pos += need;
        let res = rs.process(&block, None).map_err(|e| fail(&e))?;
        for (o, r) in out.iter_mut().zip(res) {
            o.extend(r);
        }
    }
    for o in &mut out {
        o.drain(..delay);
        o.truncate(want);
    }
    Ok(out)
}

/// Downmixed to mono, then resampled to `rate`.
pub fn to_mono_at(audio: &Audio, rate: u32) -> Result<Audio, DatasetError> {
    resample(&downmix_mono(audio), rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, hz: f32, secs: f32) -> Audio {
        let n = (rate as f32 * secs) as usize;
        let samples = (0..n)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * hz * i as f32 / rate as f32).sin())
            .collect();
        Audio::new(rate, 1, samples).unwrap()
    }

    #[test]
    fn downmix_averages_channels() {
        let a = Audio::new(8000, 2, vec![1.0, 0.0, 0.5, 0.5]).unwrap();
        assert_eq!(downmix_mono(&a).samples, vec![0.5, 0.5]);
    }

    #[test]
    fn resampling_keeps_duration_alignment_and_tone() {
        let a = tone(16000, 440.0, 0.5);
        let down = resample(&a, 8000).unwrap();
        assert_eq!(down.samples.len(), 4000);
        let expect = tone(8000, 440.0, 0.5);
        // Compare the middle (edges see the zero padding): the tone must come out aligned in time.
        let err: f32 = down.samples[500..3500]
            .iter()
            .zip(&expect.samples[500..3500])
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        assert!(err < 0.01, "max error {err}");
        let up = resample(&down, 22050).unwrap();
        assert_eq!(up.samples.len(), 11025);
    }
}
